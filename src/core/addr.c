/* Addresses, prefixes, MACs and 128-bit counts: parsing, RFC 5952
 * formatting, arithmetic and reverse-DNS names.
 *
 * These are the importers' hot paths: parsing and formatting never allocate
 * and never read past the given length. Only the error paths do real work
 * (quoting the input into the thread's last-error message). */
#include "common.h"
#include "core/key.h"

#include <stdio.h>

/* ---------------------------------------------------------------------- */
/* Error messages                                                          */

/* Quoted input is cut after this many bytes: a message names the problem,
 * it does not echo megabytes that a fuzzer or a broken file fed us. */
#define QUOTE_MAX 64

/* Copy `n` bytes of `s` into `dst` (at least QUOTE_MAX * 4 + 4 bytes) with
 * non-printable bytes and the backslash escaped, truncated with "...". */
static void quote(char *dst, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = 0;
	size_t m = n > QUOTE_MAX ? QUOTE_MAX : n;
	for (size_t i = 0; i < m; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\') {
			dst[k++] = '\\';
			dst[k++] = '\\';
		} else if (c < 0x20 || c >= 0x7f) {
			dst[k++] = '\\';
			dst[k++] = 'x';
			dst[k++] = hex[c >> 4];
			dst[k++] = hex[c & 15];
		} else {
			dst[k++] = (char)c;
		}
	}
	if (m < n) {
		memcpy(dst + k, "...", 3);
		k += 3;
	}
	dst[k] = '\0';
}

/* A printable rendering of one byte for "unexpected character 'x'". */
static const char *char_repr(char *dst, char c)
{
	quote(dst, &c, 1);
	return dst;
}

/* The text being parsed, for messages: always the caller's whole input,
 * also when the parser is looking at a part of it. */
typedef struct {
	const char *in;
	size_t len;
} perr_ctx;

static int perr(const perr_ctx *ctx, const char *fmt, ...) IPAM__PRINTF(2, 3);

static int perr(const perr_ctx *ctx, const char *fmt, ...)
{
	char q[QUOTE_MAX * 4 + 4];
	char msg[256];
	va_list ap;
	quote(q, ctx->in, ctx->len);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ctx->len == 0)
		return ipam__error(IPAM_EINVAL, "\"\": %s", msg);
	return ipam__error(IPAM_EINVAL, "%s: %s", q, msg);
}

static bool valid_family(int f)
{
	return f == IPAM_AF_INET || f == IPAM_AF_INET6;
}

static int bad_family(int f)
{
	return ipam__error(IPAM_EINVAL, "invalid address family %d (need %d or %d)", f, IPAM_AF_INET,
			   IPAM_AF_INET6);
}

/* Copy a formatted result of `n` bytes into the caller's buffer. */
static int put_out(char *buf, size_t size, const char *tmp, size_t n, const char *what)
{
	if (!buf || size < n + 1) {
		if (buf && size > 0)
			buf[0] = '\0';
		return ipam__error(IPAM_EINVAL, "%s: buffer too small (need %zu bytes, have %zu)", what, n + 1,
				   buf ? size : (size_t)0);
	}
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return (int)n;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* ---------------------------------------------------------------------- */
/* Parsing addresses                                                       */

/* Strict dotted quad in s[0..n). `out4` gets the four octets. */
static int parse_v4(const perr_ctx *ctx, const char *s, size_t n, uint8_t out4[4])
{
	char cr[8];
	size_t i = 0;
	for (int oct = 1; oct <= 4; oct++) {
		size_t start = i;
		unsigned v = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (v < 1000)
				v = v * 10 + (unsigned)(s[i] - '0');
			i++;
		}
		size_t nd = i - start;
		if (nd == 0) {
			if (i == n || s[i] == '.')
				return perr(ctx, "empty octet %d", oct);
			return perr(ctx, "unexpected character '%s' in octet %d", char_repr(cr, s[i]), oct);
		}
		if (nd > 1 && s[start] == '0')
			return perr(ctx, "leading zero in octet %d", oct);
		if (v > 255) {
			int shown = nd > 20 ? 20 : (int)nd;
			return perr(ctx, "octet %d out of range (%.*s%s > 255)", oct, shown, s + start,
				    nd > 20 ? "..." : "");
		}
		out4[oct - 1] = (uint8_t)v;
		if (oct < 4) {
			if (i == n)
				return perr(ctx, "too few octets (%d, need 4)", oct);
			if (s[i] != '.')
				return perr(ctx, "unexpected character '%s' after octet %d", char_repr(cr, s[i]), oct);
			i++;
		}
	}
	if (i < n) {
		if (s[i] == '.')
			return i + 1 == n ? perr(ctx, "trailing '.'") : perr(ctx, "too many octets (need 4)");
		return perr(ctx, "unexpected character '%s' after octet 4", char_repr(cr, s[i]));
	}
	return 0;
}

/* Any RFC 4291 text form in s[0..n), already known to hold a ':'. */
static int parse_v6(const perr_ctx *ctx, const char *s, size_t n, uint8_t out16[16])
{
	char cr[8];
	uint16_t g[8];
	int ng = 0;
	int dcolon = -1;
	size_t i = 0;

	if (s[0] == '[')
		return perr(ctx, "brackets are not allowed");
	if (memchr(s, '%', n))
		return perr(ctx, "zone ids are not supported");

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		dcolon = 0;
		i = 2;
	} else if (s[0] == ':') {
		return perr(ctx, "leading ':' (did you mean '::'?)");
	}

	while (i < n) {
		size_t start = i;
		unsigned v = 0;
		int h;
		while (i < n && (h = hexval((unsigned char)s[i])) >= 0) {
			v = (v << 4) | (unsigned)h;
			i++;
			if (i - start > 4)
				return perr(ctx, "group %d has more than 4 hex digits", ng + 1);
		}
		if (i < n && s[i] == '.' && i > start) {
			/* The embedded IPv4 form takes the last 32 bits. */
			if (ng > 6)
				return perr(ctx, "too many groups before the embedded IPv4 address");
			uint8_t q[4];
			int r = parse_v4(ctx, s + start, n - start, q);
			if (r)
				return r;
			g[ng++] = (uint16_t)(q[0] << 8 | q[1]);
			g[ng++] = (uint16_t)(q[2] << 8 | q[3]);
			i = n;
			break;
		}
		if (i == start) {
			if (s[i] == ':')
				return perr(ctx, "unexpected ':' (empty group %d)", ng + 1);
			return perr(ctx, "unexpected character '%s' in group %d", char_repr(cr, s[i]), ng + 1);
		}
		if (ng == 8)
			return perr(ctx, "too many groups (more than 8)");
		g[ng++] = (uint16_t)v;
		if (i == n)
			break;
		if (s[i] != ':')
			return perr(ctx, "unexpected character '%s' after group %d", char_repr(cr, s[i]), ng);
		if (i + 1 < n && s[i + 1] == ':') {
			if (dcolon >= 0)
				return perr(ctx, "more than one '::'");
			dcolon = ng;
			i += 2;
		} else {
			i++;
			if (i == n)
				return perr(ctx, "trailing ':'");
		}
	}

	if (dcolon < 0 && ng != 8)
		return perr(ctx, "wrong number of groups (%d, need 8 or '::')", ng);
	if (dcolon >= 0 && ng > 7)
		return perr(ctx, "'::' must stand for at least one zero group (%d groups given)", ng);

	memset(out16, 0, 16);
	int tail = dcolon < 0 ? 0 : ng - dcolon;
	int head = ng - tail;
	for (int k = 0; k < head; k++) {
		out16[2 * k] = (uint8_t)(g[k] >> 8);
		out16[2 * k + 1] = (uint8_t)g[k];
	}
	for (int k = 0; k < tail; k++) {
		int dst = 8 - tail + k;
		out16[2 * dst] = (uint8_t)(g[head + k] >> 8);
		out16[2 * dst + 1] = (uint8_t)g[head + k];
	}
	return 0;
}

static int parse_addr(const perr_ctx *ctx, const char *s, size_t n, ipam_addr *out)
{
	if (n == 0)
		return perr(ctx, "empty address");
	if (is_space((unsigned char)s[0]))
		return perr(ctx, "leading whitespace is not allowed");
	if (is_space((unsigned char)s[n - 1]))
		return perr(ctx, "trailing whitespace is not allowed");

	ipam_addr a;
	memset(&a, 0, sizeof a);
	if (memchr(s, ':', n) || s[0] == '[') {
		int r = parse_v6(ctx, s, n, a.bytes);
		if (r)
			return r;
		a.family = IPAM_AF_INET6;
	} else {
		int r = parse_v4(ctx, s, n, a.bytes);
		if (r)
			return r;
		a.family = IPAM_AF_INET;
	}
	*out = a;
	return 0;
}

int ipam_addr_parse_n(ipam_addr *out, const char *text, size_t len)
{
	if (!out || (!text && len))
		return ipam__error(IPAM_EINVAL, "ipam_addr_parse: NULL argument");
	perr_ctx ctx = { text, len };
	return parse_addr(&ctx, text, len, out);
}

int ipam_addr_parse(ipam_addr *out, const char *text)
{
	if (!text)
		return ipam__error(IPAM_EINVAL, "ipam_addr_parse: NULL text");
	return ipam_addr_parse_n(out, text, strlen(text));
}

/* ---------------------------------------------------------------------- */
/* Formatting addresses                                                    */

static size_t fmt_dec(char *p, unsigned v)
{
	char t[10];
	size_t n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		p[i] = t[n - 1 - i];
	return n;
}

static size_t fmt_v4(char *p, const uint8_t b[4])
{
	size_t k = 0;
	for (int i = 0; i < 4; i++) {
		if (i)
			p[k++] = '.';
		k += fmt_dec(p + k, b[i]);
	}
	return k;
}

static size_t fmt_hex16(char *p, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	size_t k = 0;
	bool started = false;
	for (int sh = 12; sh >= 0; sh -= 4) {
		unsigned d = (v >> sh) & 15;
		if (d || started || sh == 0) {
			p[k++] = hex[d];
			started = true;
		}
	}
	return k;
}

/* RFC 5952: lower case, no leading zeros, the longest run (first on a tie)
 * of two or more zero groups as "::", IPv4-mapped as ::ffff:a.b.c.d. */
static size_t fmt_v6(char *p, const uint8_t b[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (memcmp(b, mapped, 12) == 0) {
		memcpy(p, "::ffff:", 7);
		return 7 + fmt_v4(p + 7, b + 12);
	}
	unsigned g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
	int best = -1, bestlen = 1;
	for (int i = 0; i < 8;) {
		if (g[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j;
	}
	size_t k = 0;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			p[k++] = ':';
			p[k++] = ':';
			i += bestlen - 1;
			continue;
		}
		if (i && i != best + bestlen)
			p[k++] = ':';
		k += fmt_hex16(p + k, g[i]);
	}
	return k;
}

static size_t fmt_addr(char *p, const ipam_addr *a)
{
	return a->family == IPAM_AF_INET ? fmt_v4(p, a->bytes) : fmt_v6(p, a->bytes);
}

int ipam_addr_format(char *buf, size_t size, const ipam_addr *a)
{
	if (!a)
		return ipam__error(IPAM_EINVAL, "ipam_addr_format: NULL address");
	if (!valid_family(a->family))
		return bad_family(a->family);
	char tmp[IPAM_ADDR_STRLEN];
	size_t n = fmt_addr(tmp, a);
	return put_out(buf, size, tmp, n, "ipam_addr_format");
}

/* ---------------------------------------------------------------------- */
/* Values and arithmetic                                                   */

static ipam__u128 family_max(int family)
{
	return family == IPAM_AF_INET ? (ipam__u128)UINT32_MAX : IPAM__U128_MAX;
}

static ipam__u128 addr_val(const ipam_addr *a)
{
	return ipam__addr_key(a) >> (128 - ipam__width(a->family));
}

static void val_addr(ipam_addr *out, int family, ipam__u128 v)
{
	ipam__key_addr(out, family, v << (128 - ipam__width(family)));
}

void ipam_addr_from_v4(ipam_addr *out, uint32_t host_order)
{
	val_addr(out, IPAM_AF_INET, host_order);
}

void ipam_addr_from_v6(ipam_addr *out, ipam_u128 value)
{
	val_addr(out, IPAM_AF_INET6, ipam__from_pub(value));
}

ipam_u128 ipam_addr_value(const ipam_addr *a)
{
	return ipam__to_pub(addr_val(a));
}

int ipam_addr_cmp(const ipam_addr *a, const ipam_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	ipam__u128 x = ipam__addr_key(a), y = ipam__addr_key(b);
	return x < y ? -1 : x > y;
}

/* "<addr> + <n>: ..." for arithmetic errors. */
static int arith_err(const ipam_addr *a, char op, ipam__u128 n, const char *what)
{
	char as[IPAM_ADDR_STRLEN], ns[40];
	as[fmt_addr(as, a)] = '\0';
	ipam_u128_format(ns, sizeof ns, ipam__to_pub(n));
	return ipam__error(IPAM_EINVAL, "%s %c %s: %s the %s range", as, op, ns, what,
			   a->family == IPAM_AF_INET ? "IPv4" : "IPv6");
}

int ipam_addr_add(ipam_addr *out, const ipam_addr *a, ipam_u128 n)
{
	if (!valid_family(a->family))
		return bad_family(a->family);
	ipam__u128 v = addr_val(a), d = ipam__from_pub(n);
	if (d > family_max(a->family) - v)
		return arith_err(a, '+', d, "past the end of");
	val_addr(out, a->family, v + d);
	return 0;
}

int ipam_addr_sub(ipam_addr *out, const ipam_addr *a, ipam_u128 n)
{
	if (!valid_family(a->family))
		return bad_family(a->family);
	ipam__u128 v = addr_val(a), d = ipam__from_pub(n);
	if (d > v)
		return arith_err(a, '-', d, "below the start of");
	val_addr(out, a->family, v - d);
	return 0;
}

int ipam_addr_next(ipam_addr *out, const ipam_addr *a)
{
	ipam_u128 one = { 0, 1 };
	return ipam_addr_add(out, a, one);
}

int ipam_addr_prev(ipam_addr *out, const ipam_addr *a)
{
	ipam_u128 one = { 0, 1 };
	return ipam_addr_sub(out, a, one);
}

int ipam_addr_diff(ipam_u128 *out, const ipam_addr *a, const ipam_addr *b)
{
	if (!valid_family(a->family))
		return bad_family(a->family);
	if (!valid_family(b->family))
		return bad_family(b->family);
	char as[IPAM_ADDR_STRLEN], bs[IPAM_ADDR_STRLEN];
	if (a->family != b->family) {
		as[fmt_addr(as, a)] = '\0';
		bs[fmt_addr(bs, b)] = '\0';
		return ipam__error(IPAM_EINVAL, "%s - %s: addresses of different families", as, bs);
	}
	ipam__u128 x = addr_val(a), y = addr_val(b);
	if (x < y) {
		as[fmt_addr(as, a)] = '\0';
		bs[fmt_addr(bs, b)] = '\0';
		return ipam__error(IPAM_EINVAL, "%s - %s: negative difference", as, bs);
	}
	*out = ipam__to_pub(x - y);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Reverse DNS                                                             */

static const char hexdig[] = "0123456789abcdef";

/* Reverse labels of the first `units` octets (v4) or nibbles (v6), then the
 * arpa suffix. */
static size_t fmt_reverse(char *p, const ipam_addr *a, unsigned units)
{
	size_t k = 0;
	if (a->family == IPAM_AF_INET) {
		for (unsigned i = units; i-- > 0;) {
			k += fmt_dec(p + k, a->bytes[i]);
			p[k++] = '.';
		}
		memcpy(p + k, "in-addr.arpa.", 13);
		return k + 13;
	}
	for (unsigned i = units; i-- > 0;) {
		unsigned b = a->bytes[i / 2];
		p[k++] = hexdig[(i & 1) ? (b & 15) : (b >> 4)];
		p[k++] = '.';
	}
	memcpy(p + k, "ip6.arpa.", 9);
	return k + 9;
}

int ipam_addr_reverse_name(char *buf, size_t size, const ipam_addr *a)
{
	if (!a)
		return ipam__error(IPAM_EINVAL, "ipam_addr_reverse_name: NULL address");
	if (!valid_family(a->family))
		return bad_family(a->family);
	char tmp[IPAM_REVERSE_STRLEN];
	size_t n = fmt_reverse(tmp, a, a->family == IPAM_AF_INET ? 4 : 32);
	return put_out(buf, size, tmp, n, "ipam_addr_reverse_name");
}

/* ---------------------------------------------------------------------- */
/* Prefixes                                                                */

static const char *family_name(int f)
{
	return f == IPAM_AF_INET ? "IPv4" : "IPv6";
}

static size_t fmt_prefix(char *p, const ipam_prefix *pf)
{
	size_t k = fmt_addr(p, &pf->addr);
	p[k++] = '/';
	return k + fmt_dec(p + k, pf->len);
}

/* Build the prefix, checking or clearing host bits. `ctx` (may be NULL)
 * is the text the caller parsed, quoted in the host-bits message. */
static int make_prefix(const perr_ctx *ctx, ipam_prefix *out, const ipam_addr *a, unsigned len,
		       unsigned flags)
{
	ipam__u128 key = ipam__addr_key(a);
	ipam__u128 net = key & ipam__mask(len);
	ipam_prefix p;
	memset(&p, 0, sizeof p);
	ipam__key_addr(&p.addr, a->family, net);
	p.len = (uint8_t)len;
	if (net != key && !(flags & IPAM_PARSE_NORMALIZE)) {
		char sug[IPAM_PREFIX_STRLEN];
		sug[fmt_prefix(sug, &p)] = '\0';
		if (ctx)
			return perr(ctx, "host bits set; did you mean %s?", sug);
		char as[IPAM_ADDR_STRLEN];
		as[fmt_addr(as, a)] = '\0';
		return ipam__error(IPAM_EINVAL, "%s/%u: host bits set; did you mean %s?", as, len, sug);
	}
	*out = p;
	return 0;
}

int ipam_prefix_parse_n(ipam_prefix *out, const char *text, size_t len, unsigned int flags)
{
	if (!out || (!text && len))
		return ipam__error(IPAM_EINVAL, "ipam_prefix_parse: NULL argument");
	perr_ctx ctx = { text, len };
	if (len == 0)
		return perr(&ctx, "empty prefix");
	const char *slash = memchr(text, '/', len);
	size_t alen = slash ? (size_t)(slash - text) : len;
	ipam_addr a;
	int r = parse_addr(&ctx, text, alen, &a);
	if (r)
		return r;
	unsigned width = ipam__width(a.family);
	if (!slash) {
		if (flags & IPAM_PARSE_HOST)
			return make_prefix(&ctx, out, &a, width, flags);
		return perr(&ctx, "missing prefix length (\"/LEN\")");
	}
	const char *d = slash + 1;
	size_t nd = len - alen - 1;
	if (nd == 0)
		return perr(&ctx, "missing prefix length after '/'");
	unsigned v = 0;
	for (size_t i = 0; i < nd; i++) {
		if (d[i] < '0' || d[i] > '9') {
			char cr[8];
			return perr(&ctx, "unexpected character '%s' in prefix length", char_repr(cr, d[i]));
		}
		if (v < 1000)
			v = v * 10 + (unsigned)(d[i] - '0');
	}
	if (nd > 1 && d[0] == '0')
		return perr(&ctx, "leading zero in prefix length");
	if (v > width) {
		int shown = nd > 20 ? 20 : (int)nd;
		return perr(&ctx, "length %.*s%s out of range for %s (0..%u)", shown, d, nd > 20 ? "..." : "",
			    family_name(a.family), width);
	}
	return make_prefix(&ctx, out, &a, v, flags);
}

int ipam_prefix_parse(ipam_prefix *out, const char *text, unsigned int flags)
{
	if (!text)
		return ipam__error(IPAM_EINVAL, "ipam_prefix_parse: NULL text");
	return ipam_prefix_parse_n(out, text, strlen(text), flags);
}

int ipam_prefix_from(ipam_prefix *out, const ipam_addr *a, unsigned int len, unsigned int flags)
{
	if (!out || !a)
		return ipam__error(IPAM_EINVAL, "ipam_prefix_from: NULL argument");
	if (!valid_family(a->family))
		return bad_family(a->family);
	unsigned width = ipam__width(a->family);
	if (len > width) {
		char as[IPAM_ADDR_STRLEN];
		as[fmt_addr(as, a)] = '\0';
		return ipam__error(IPAM_EINVAL, "%s/%u: length %u out of range for %s (0..%u)", as, len, len,
				   family_name(a->family), width);
	}
	return make_prefix(NULL, out, a, len, flags);
}

static int check_prefix(const ipam_prefix *p, const char *fn)
{
	if (!p)
		return ipam__error(IPAM_EINVAL, "%s: NULL prefix", fn);
	if (!valid_family(p->addr.family))
		return bad_family(p->addr.family);
	if (p->len > ipam__width(p->addr.family))
		return ipam__error(IPAM_EINVAL, "%s: length %u out of range for %s (0..%u)", fn, p->len,
				   family_name(p->addr.family), ipam__width(p->addr.family));
	return 0;
}

int ipam_prefix_format(char *buf, size_t size, const ipam_prefix *p)
{
	int r = check_prefix(p, "ipam_prefix_format");
	if (r)
		return r;
	char tmp[IPAM_PREFIX_STRLEN];
	size_t n = fmt_prefix(tmp, p);
	return put_out(buf, size, tmp, n, "ipam_prefix_format");
}

/* Length clamped to the family's width, so that the void accessors stay
 * defined on a malformed prefix. */
static unsigned plen(const ipam_prefix *p)
{
	unsigned w = ipam__width(p->addr.family);
	return p->len > w ? w : p->len;
}

void ipam_prefix_first(ipam_addr *out, const ipam_prefix *p)
{
	ipam__key_addr(out, p->addr.family, ipam__addr_key(&p->addr) & ipam__mask(plen(p)));
}

void ipam_prefix_last(ipam_addr *out, const ipam_prefix *p)
{
	/* Within the family's width: an IPv4 key only has its top 32 bits. */
	ipam__u128 host = ~ipam__mask(plen(p)) & ipam__mask(ipam__width(p->addr.family));
	ipam__key_addr(out, p->addr.family, ipam__addr_key(&p->addr) | host);
}

ipam_u128 ipam_prefix_size(const ipam_prefix *p)
{
	unsigned bits = ipam__width(p->addr.family) - plen(p);
	if (bits >= 128)
		return ipam__to_pub(IPAM__U128_MAX);
	return ipam__to_pub((ipam__u128)1 << bits);
}

int ipam_prefix_contains(const ipam_prefix *p, const ipam_addr *a)
{
	if (p->addr.family != a->family || p->len > ipam__width(a->family))
		return 0;
	ipam__u128 m = ipam__mask(p->len);
	return (ipam__addr_key(a) & m) == (ipam__addr_key(&p->addr) & m);
}

int ipam_prefix_covers(const ipam_prefix *p, const ipam_prefix *q)
{
	if (p->addr.family != q->addr.family || q->len < p->len || p->len > ipam__width(p->addr.family))
		return 0;
	ipam__u128 m = ipam__mask(p->len);
	return (ipam__addr_key(&q->addr) & m) == (ipam__addr_key(&p->addr) & m);
}

int ipam_prefix_cmp(const ipam_prefix *a, const ipam_prefix *b)
{
	int c = ipam_addr_cmp(&a->addr, &b->addr);
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

int ipam_prefix_reverse_zone(char *buf, size_t size, const ipam_prefix *p)
{
	int r = check_prefix(p, "ipam_prefix_reverse_zone");
	if (r)
		return r;
	char tmp[IPAM_REVERSE_STRLEN];
	unsigned units = p->addr.family == IPAM_AF_INET ? p->len / 8u : p->len / 4u;
	size_t n = fmt_reverse(tmp, &p->addr, units);
	return put_out(buf, size, tmp, n, "ipam_prefix_reverse_zone");
}

/* ---------------------------------------------------------------------- */
/* MAC addresses                                                           */

static int parse_mac(const perr_ctx *ctx, const char *s, size_t n, ipam_mac *out)
{
	char cr[8];
	uint8_t b[8];
	int nb = 0;

	if (n == 0)
		return perr(ctx, "empty MAC address");
	if (is_space((unsigned char)s[0]))
		return perr(ctx, "leading whitespace is not allowed");
	if (is_space((unsigned char)s[n - 1]))
		return perr(ctx, "trailing whitespace is not allowed");

	/* The first non-hex byte decides the notation. */
	size_t i = 0;
	while (i < n && hexval((unsigned char)s[i]) >= 0)
		i++;
	char sep = i < n ? s[i] : 0;
	if (sep && sep != ':' && sep != '-' && sep != '.')
		return perr(ctx, "unexpected character '%s'", char_repr(cr, sep));
	for (size_t j = i; j < n; j++) {
		char c = s[j];
		if (c == sep || hexval((unsigned char)c) >= 0)
			continue;
		if (c == ':' || c == '-' || c == '.')
			return perr(ctx, "mixed separators '%c' and '%c'", sep, c);
		return perr(ctx, "unexpected character '%s'", char_repr(cr, c));
	}

	if (!sep) {
		if (n != 12 && n != 16)
			return perr(ctx, "wrong number of hex digits (%zu, need 12 or 16)", n);
		for (size_t k = 0; k < n; k += 2)
			b[nb++] = (uint8_t)(hexval((unsigned char)s[k]) << 4 | hexval((unsigned char)s[k + 1]));
	} else {
		/* Groups: 1-2 digits for ':', exactly 2 for '-', 4 for '.'. */
		unsigned gmin = sep == ':' ? 1 : sep == '-' ? 2 : 4;
		unsigned gmax = sep == ':' ? 2 : gmin;
		unsigned maxgroups = sep == '.' ? 4 : 8;
		unsigned ng = 0;
		size_t k = 0;
		for (;;) {
			size_t start = k;
			unsigned v = 0;
			while (k < n && s[k] != sep) {
				v = v << 4 | (unsigned)hexval((unsigned char)s[k]);
				k++;
			}
			unsigned nd = (unsigned)(k - start > 5 ? 5 : k - start);
			ng++;
			if (nd == 0)
				return perr(ctx, "empty group %u", ng);
			if (nd < gmin || nd > gmax) {
				if (gmin == gmax)
					return perr(ctx, "group %u must have %u hex digits", ng, gmin);
				return perr(ctx, "group %u has more than %u hex digits", ng, gmax);
			}
			if (ng > maxgroups)
				return perr(ctx, "too many groups (more than %u)", maxgroups);
			if (sep == '.') {
				b[nb++] = (uint8_t)(v >> 8);
				b[nb++] = (uint8_t)v;
			} else {
				b[nb++] = (uint8_t)v;
			}
			if (k == n)
				break;
			k++; /* the separator */
			if (k == n)
				return perr(ctx, "trailing '%c'", sep);
		}
		if (nb != 6 && nb != 8) {
			if (sep == '.')
				return perr(ctx, "wrong number of groups (%u, need 3 or 4)", ng);
			return perr(ctx, "wrong number of octets (%d, need 6 or 8)", nb);
		}
	}
	memset(out, 0, sizeof *out);
	out->len = (uint8_t)nb;
	memcpy(out->bytes, b, (size_t)nb);
	return 0;
}

int ipam_mac_parse(ipam_mac *out, const char *text)
{
	if (!out || !text)
		return ipam__error(IPAM_EINVAL, "ipam_mac_parse: NULL argument");
	perr_ctx ctx = { text, strlen(text) };
	return parse_mac(&ctx, text, ctx.len, out);
}

int ipam_mac_format(char *buf, size_t size, const ipam_mac *m)
{
	if (!m)
		return ipam__error(IPAM_EINVAL, "ipam_mac_format: NULL MAC");
	if (m->len != 6 && m->len != 8)
		return ipam__error(IPAM_EINVAL, "ipam_mac_format: invalid MAC length %u (need 6 or 8)", m->len);
	char tmp[IPAM_MAC_STRLEN];
	size_t k = 0;
	for (unsigned i = 0; i < m->len; i++) {
		if (i)
			tmp[k++] = ':';
		tmp[k++] = hexdig[m->bytes[i] >> 4];
		tmp[k++] = hexdig[m->bytes[i] & 15];
	}
	return put_out(buf, size, tmp, k, "ipam_mac_format");
}

/* ---------------------------------------------------------------------- */

int ipam_u128_format(char *buf, size_t size, ipam_u128 v)
{
	char t[40];
	size_t n = 0;
	ipam__u128 x = ipam__from_pub(v);
	do {
		t[n++] = (char)('0' + (unsigned)(x % 10));
		x /= 10;
	} while (x);
	char tmp[40];
	for (size_t i = 0; i < n; i++)
		tmp[i] = t[n - 1 - i];
	return put_out(buf, size, tmp, n, "ipam_u128_format");
}
