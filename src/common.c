/* Errors, buffers and version: the few things every part of libipam uses. */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>

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
