/* Errors, buffers and version: the few things every part of libipam uses. */
#include "common.h"
#include "ipam/sys/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The last error is per thread (as in libgit2): it is not shared state, and
 * a message survives until the same thread's next failing call. */
typedef struct {
	ipam_error err;
	char msg[1024];
} ipam__tls_error;

static _Thread_local ipam__tls_error tls_error = { { IPAM_OK, "no error" }, "no error" };

int ipam__verror(int code, const char *fmt, va_list ap)
{
	vsnprintf(tls_error.msg, sizeof tls_error.msg, fmt, ap);
	tls_error.err.code = code;
	tls_error.err.message = tls_error.msg;
	return code;
}

int ipam__error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ipam__verror(code, fmt, ap);
	va_end(ap);
	return code;
}

int ipam_store_error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ipam__verror(code, fmt, ap);
	va_end(ap);
	return code;
}

int ipam__enomem(void)
{
	tls_error.err.code = IPAM_ENOMEM;
	tls_error.err.message = "out of memory";
	return IPAM_ENOMEM;
}

const ipam_error *ipam_error_last(void)
{
	if (tls_error.err.message == NULL)
		tls_error.err.message = "no error";
	return &tls_error.err;
}

void ipam_error_clear(void)
{
	tls_error.err.code = IPAM_OK;
	tls_error.err.message = "no error";
}

const char *ipam_error_name(int code)
{
	switch (code) {
	case IPAM_OK: return "OK";
	case IPAM_EINVAL: return "INVAL";
	case IPAM_ENOTFOUND: return "NOTFOUND";
	case IPAM_EEXISTS: return "EXISTS";
	case IPAM_EEXHAUSTED: return "EXHAUSTED";
	case IPAM_ECONFLICT: return "CONFLICT";
	case IPAM_EAUTH: return "AUTH";
	case IPAM_EPERM: return "PERM";
	case IPAM_EBACKEND: return "BACKEND";
	case IPAM_EIO: return "IO";
	case IPAM_ENOMEM: return "NOMEM";
	case IPAM_EINUSE: return "INUSE";
	case IPAM_ETAMPER: return "TAMPER";
	case IPAM_ECANCELED: return "CANCELED";
	case IPAM_ITEROVER: return "ITEROVER";
	default: return "ERROR";
	}
}

const char *ipam_version(void)
{
	return IPAM_VERSION;
}

char *ipam__strdup(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (!d) {
		ipam__enomem();
		return NULL;
	}
	return memcpy(d, s, n);
}

void ipam_buf_dispose(ipam_buf *buf)
{
	if (!buf)
		return;
	if (buf->asize)
		free(buf->ptr);
	buf->ptr = NULL;
	buf->size = buf->asize = 0;
}

static int buf_grow(ipam_buf *buf, size_t need)
{
	if (buf->asize >= need + 1)
		return 0;
	size_t n = buf->asize ? buf->asize : 64;
	while (n < need + 1)
		n *= 2;
	char *p = realloc(buf->asize ? buf->ptr : NULL, n);
	if (!p)
		return ipam__enomem();
	if (!buf->asize)
		p[0] = '\0';
	buf->ptr = p;
	buf->asize = n;
	return 0;
}

int ipam__buf_put(ipam_buf *buf, const char *data, size_t len)
{
	if (buf_grow(buf, buf->size + len))
		return IPAM_ENOMEM;
	memcpy(buf->ptr + buf->size, data, len);
	buf->size += len;
	buf->ptr[buf->size] = '\0';
	return 0;
}

int ipam__buf_printf(ipam_buf *buf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ipam__error(IPAM_ERROR, "formatting failed");
	if (buf_grow(buf, buf->size + (size_t)n))
		return IPAM_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(buf->ptr + buf->size, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf->size += (size_t)n;
	return 0;
}

/* ---- hex, UUIDs, time ------------------------------------------------------ */

void ipam__hex(char *out, const uint8_t *in, size_t n)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ipam__unhex(uint8_t *out, size_t n, const char *hex)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		int lo = hi < 0 ? -1 : hexval((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return IPAM_EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return hex[2 * n] == '\0' ? 0 : IPAM_EINVAL;
}

void ipam__uuid_format(char out[37], const uint8_t id[16])
{
	char h[33];
	ipam__hex(h, id, 16);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

int ipam__uuid_parse(uint8_t id[16], const char *s)
{
	char h[33];
	size_t j = 0;
	if (!s || strlen(s) != 36)
		return IPAM_EINVAL;
	for (size_t i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return IPAM_EINVAL;
			continue;
		}
		h[j++] = s[i];
	}
	h[32] = '\0';
	return ipam__unhex(id, 16, h);
}

int64_t ipam__now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t ipam__mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
