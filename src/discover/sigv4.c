/* AWS Signature Version 4 with libsodium's SHA-256 and HMAC-SHA-256. The
 * caller names every header it signs (host and x-amz-date among them); the
 * query is taken as already URI-encoded and only put in order. Checked
 * against AWS's published Signature V4 test vectors
 * (tests/discover/test_cloud.c). The secret never leaves this function but
 * as the signature. */
#include "discover/disc.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

static void hmac(uint8_t out[32], const void *key, size_t klen, const char *msg, size_t mlen)
{
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, klen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, mlen);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof st);
}

static void sha256_hex(char out[65], const void *data, size_t len)
{
	uint8_t h[32];
	crypto_hash_sha256(h, data, len);
	ipam__hex(out, h, 32);
}

typedef struct { const char *p; size_t n; } span;

static int span_cmp(const void *a, const void *b)
{
	const span *x = a, *y = b;
	size_t m = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->p, y->p, m);
	return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Headers sort by lower-case name: compare up to the colon, case-blind. */
static int hdr_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t nx = strcspn(x, ":"), ny = strcspn(y, ":");
	int c = strncasecmp(x, y, nx < ny ? nx : ny);
	return c ? c : (nx > ny) - (nx < ny);
}

int ipam__disc_sigv4(char *out, size_t size, const ipam__sigv4 *r)
{
	if (!r->method || !r->path || !r->access_key || !r->secret_key || !r->region || !r->service || !r->amz_date ||
	    strlen(r->amz_date) != 16)
		return ipam__error(IPAM_EINVAL, "SigV4: method, path, keys, region, service and a YYYYMMDDTHHMMSSZ date are required");
	size_t nh = 0;
	while (r->headers && r->headers[nh])
		nh++;
	const char **h = calloc(nh ? nh : 1, sizeof *h);
	size_t nq = 0;
	for (const char *q = r->query; q && *q; q++)
		nq += *q == '&';
	span *qs = calloc(nq + 1, sizeof *qs);
	ipam_buf cr = IPAM_BUF_INIT, sh = IPAM_BUF_INIT, sts = IPAM_BUF_INIT;
	int rc = 0;
	if (!h || !qs) {
		rc = ipam__enomem();
		goto done;
	}
	/* the canonical request */
	rc |= ipam__buf_printf(&cr, "%s\n%s\n", r->method, r->path);
	nq = 0;
	if (r->query && *r->query) {
		for (const char *q = r->query;;) {
			size_t n = strcspn(q, "&");
			qs[nq++] = (span){ q, n };
			if (!q[n])
				break;
			q += n + 1;
		}
		qsort(qs, nq, sizeof *qs, span_cmp);
		for (size_t i = 0; i < nq; i++) {
			rc |= ipam__buf_put(&cr, i ? "&" : "", i ? 1 : 0);
			rc |= ipam__buf_put(&cr, qs[i].p, qs[i].n);
			if (!memchr(qs[i].p, '=', qs[i].n))
				rc |= ipam__buf_put(&cr, "=", 1);
		}
	}
	rc |= ipam__buf_put(&cr, "\n", 1);
	memcpy(h, r->headers, nh * sizeof *h);
	qsort(h, nh, sizeof *h, hdr_cmp);
	for (size_t i = 0; i < nh; i++) {
		const char *colon = strchr(h[i], ':');
		if (!colon) {
			rc = ipam__error(IPAM_EINVAL, "SigV4: header %zu has no colon", i);
			goto done;
		}
		for (const char *c = h[i]; c < colon; c++) {
			char l = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
			rc |= ipam__buf_put(&cr, &l, 1);
			rc |= ipam__buf_put(&sh, &l, 1);
		}
		rc |= ipam__buf_put(&cr, ":", 1);
		if (i + 1 < nh)
			rc |= ipam__buf_put(&sh, ";", 1);
		/* the value trimmed, inner runs of spaces made one */
		const char *v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		size_t vl = strlen(v);
		while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
			vl--;
		for (size_t k = 0; k < vl; k++)
			if (!(v[k] == ' ' && k && v[k - 1] == ' '))
				rc |= ipam__buf_put(&cr, v + k, 1);
		rc |= ipam__buf_put(&cr, "\n", 1);
	}
	char ph[65], crh[65];
	sha256_hex(ph, r->payload ? r->payload : "", r->payload ? r->payload_len : 0);
	rc |= ipam__buf_printf(&cr, "\n%s\n%s", sh.ptr ? sh.ptr : "", ph);
	if (rc) {
		rc = ipam__enomem();
		goto done;
	}
	sha256_hex(crh, cr.ptr, cr.size);
	/* the string to sign, the signing key, the signature */
	char date[9];
	memcpy(date, r->amz_date, 8);
	date[8] = '\0';
	if (ipam__buf_printf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", r->amz_date, date, r->region,
			     r->service, crh)) {
		rc = ipam__enomem();
		goto done;
	}
	size_t sl = strlen(r->secret_key);
	char *k0 = malloc(sl + 5);
	if (!k0) {
		rc = ipam__enomem();
		goto done;
	}
	memcpy(k0, "AWS4", 4);
	memcpy(k0 + 4, r->secret_key, sl + 1);
	uint8_t k[32], sig[32];
	hmac(k, k0, sl + 4, date, 8);
	sodium_memzero(k0, sl + 4);
	free(k0);
	hmac(k, k, 32, r->region, strlen(r->region));
	hmac(k, k, 32, r->service, strlen(r->service));
	hmac(k, k, 32, "aws4_request", 12);
	hmac(sig, k, 32, sts.ptr, sts.size);
	sodium_memzero(k, sizeof k);
	char sighex[65];
	ipam__hex(sighex, sig, 32);
	int w = snprintf(out, size, "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
			 r->access_key, date, r->region, r->service, sh.ptr ? sh.ptr : "", sighex);
	if (w < 0 || (size_t)w >= size)
		rc = ipam__error(IPAM_EINVAL, "SigV4: the Authorization header does not fit");
done:
	free(h);
	free(qs);
	ipam_buf_dispose(&cr);
	ipam_buf_dispose(&sh);
	ipam_buf_dispose(&sts);
	return rc;
}
