/* Unit tests for src/core/addr.c: parsing, formatting, arithmetic, reverse
 * names, prefixes, MACs and 128-bit numbers. */
#include "ipam.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* helpers                                                                 */

static ipam_addr A(const char *s)
{
	ipam_addr a;
	int r = ipam_addr_parse(&a, s);
	ck_assert_msg(r == 0, "parse %s: %s", s, ipam_error_last()->message);
	return a;
}

static ipam_prefix P(const char *s)
{
	ipam_prefix p;
	int r = ipam_prefix_parse(&p, s, 0);
	ck_assert_msg(r == 0, "parse %s: %s", s, ipam_error_last()->message);
	return p;
}

static const char *fmt(const ipam_addr *a)
{
	static _Thread_local char buf[IPAM_ADDR_STRLEN];
	ck_assert_int_gt(ipam_addr_format(buf, sizeof buf, a), 0);
	return buf;
}

static const char *pfmt(const ipam_prefix *p)
{
	static _Thread_local char buf[IPAM_PREFIX_STRLEN];
	ck_assert_int_gt(ipam_prefix_format(buf, sizeof buf, p), 0);
	return buf;
}

static ipam_u128 U(uint64_t hi, uint64_t lo)
{
	ipam_u128 v = { hi, lo };
	return v;
}

/* Parse `in` and expect `canon` as its formatted form. */
static const char *canon_of(const char *in)
{
	ipam_addr a = A(in);
	return fmt(&a);
}
#define ck_canon(in, canon) ck_assert_str_eq(canon_of(in), canon)

/* Expect a parse failure whose message contains `needle`. */
static void bad_addr_(const char *in, size_t n, const char *needle, int line)
{
	ipam_addr a;
	memset(&a, 0xAB, sizeof a);
	int r = ipam_addr_parse_n(&a, in, n);
	ck_assert_msg(r == IPAM_EINVAL, "line %d: %s parsed (r=%d)", line, in, r);
	ck_assert_int_eq(ipam_error_last()->code, IPAM_EINVAL);
	ck_assert_msg(strstr(ipam_error_last()->message, needle), "line %d: message \"%s\" lacks \"%s\"", line,
		      ipam_error_last()->message, needle);
	/* out untouched on error */
	ck_assert_int_eq(a.family, 0xAB);
}
#define bad_addr(in, needle) bad_addr_(in, strlen(in), needle, __LINE__)

static void bad_prefix_(const char *in, unsigned flags, const char *msg, int exact, int line)
{
	ipam_prefix p;
	int r = ipam_prefix_parse(&p, in, flags);
	ck_assert_msg(r == IPAM_EINVAL, "line %d: %s parsed", line, in);
	if (exact)
		ck_assert_str_eq(ipam_error_last()->message, msg);
	else
		ck_assert_msg(strstr(ipam_error_last()->message, msg), "line %d: message \"%s\" lacks \"%s\"",
			      line, ipam_error_last()->message, msg);
}
#define bad_prefix(in, msg) bad_prefix_(in, 0, msg, 0, __LINE__)
#define bad_prefix_exact(in, msg) bad_prefix_(in, 0, msg, 1, __LINE__)

/* xorshift64*: a seeded generator for the round-trip tests. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/* ---------------------------------------------------------------------- */
/* IPv4 parsing                                                            */

START_TEST(v4_valid)
{
	ipam_addr a = A("192.0.2.1");
	ck_assert_int_eq(a.family, IPAM_AF_INET);
	ck_assert_int_eq(a.bytes[0], 192);
	ck_assert_int_eq(a.bytes[3], 1);
	for (int i = 4; i < 16; i++)
		ck_assert_int_eq(a.bytes[i], 0);
	ck_canon("0.0.0.0", "0.0.0.0");
	ck_canon("255.255.255.255", "255.255.255.255");
	ck_canon("10.0.0.10", "10.0.0.10");
	ck_canon("1.20.100.0", "1.20.100.0");
}
END_TEST

START_TEST(v4_invalid)
{
	bad_addr("010.1.1.1", "010.1.1.1: leading zero in octet 1");
	bad_addr("1.2.3.00", "leading zero in octet 4");
	bad_addr("1.02.3.4", "leading zero in octet 2");
	bad_addr("1.2.3.256", "1.2.3.256: octet 4 out of range (256 > 255)");
	bad_addr("999.1.1.1", "octet 1 out of range (999 > 255)");
	bad_addr("1.2.3.4444", "octet 4 out of range (4444 > 255)");
	bad_addr("1.2.3.99999999999999999999999999", "octet 4 out of range");
	bad_addr("1.2.3", "too few octets (3, need 4)");
	bad_addr("1", "too few octets (1, need 4)");
	bad_addr("1.2.3.4.5", "too many octets");
	bad_addr("1.2.3.4.", "trailing '.'");
	bad_addr("1..2.3", "empty octet 2");
	bad_addr(".1.2.3", "empty octet 1");
	bad_addr("1.2.3.", "empty octet 4");
	bad_addr("1.2.3.4x", "unexpected character 'x' after octet 4");
	bad_addr("1.2.x.4", "unexpected character 'x' in octet 3");
	bad_addr("1.2.3.-4", "unexpected character '-' in octet 4");
	bad_addr("+1.2.3.4", "unexpected character '+' in octet 1");
	bad_addr("0x1.2.3.4", "unexpected character 'x' after octet 1");
	bad_addr(" 1.2.3.4", "leading whitespace");
	bad_addr("1.2.3.4 ", "trailing whitespace");
	bad_addr("1.2.3.4\n", "trailing whitespace");
	bad_addr("1.2 .3.4", "unexpected character ' '");
	bad_addr("", "empty address");
	bad_addr("1.2.3.4/24", "unexpected character '/'");
	bad_addr("1.2.3.4%eth0", "unexpected character '%'");
	bad_addr("abc", "unexpected character 'a'");
}
END_TEST

/* ---------------------------------------------------------------------- */
/* IPv6 parsing                                                            */

START_TEST(v6_forms)
{
	ipam_addr a = A("2001:0db8:0000:0000:0000:ff00:0042:8329");
	ck_assert_int_eq(a.family, IPAM_AF_INET6);
	ck_assert_int_eq(a.bytes[0], 0x20);
	ck_assert_int_eq(a.bytes[1], 0x01);
	ck_assert_int_eq(a.bytes[15], 0x29);
	ck_canon("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329");
	ck_canon("2001:db8:0:0:0:ff00:42:8329", "2001:db8::ff00:42:8329");
	ck_canon("2001:DB8::FF00:42:8329", "2001:db8::ff00:42:8329");
	ck_canon("::", "::");
	ck_canon("::1", "::1");
	ck_canon("1::", "1::");
	ck_canon("0:0:0:0:0:0:0:0", "::");
	ck_canon("0:0:0:0:0:0:0:1", "::1");
	ck_canon("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8");
	ck_canon("1::8", "1::8");
	ck_canon("1:2:3:4:5:6::8", "1:2:3:4:5:6:0:8");
	ck_canon("1::3:4:5:6:7:8", "1:0:3:4:5:6:7:8");
	ck_canon("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0");
	ck_canon("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8");
	ck_canon("fFfF::aBcD", "ffff::abcd");
	ck_canon("0001:02:003:4::", "1:2:3:4::");
	/* embedded IPv4 */
	ck_canon("::ffff:1.2.3.4", "::ffff:1.2.3.4");
	ck_canon("::FFFF:192.0.2.128", "::ffff:192.0.2.128");
	ck_canon("0:0:0:0:0:ffff:1.2.3.4", "::ffff:1.2.3.4");
	ck_canon("::ffff:0.0.0.0", "::ffff:0.0.0.0");
	ck_canon("::ffff:0:0", "::ffff:0.0.0.0");
	ck_canon("::ffff:102:304", "::ffff:1.2.3.4");
	ck_canon("64:ff9b::1.2.3.4", "64:ff9b::102:304");
	ck_canon("::1.2.3.4", "::102:304");
	ck_canon("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304");
	ck_canon("1::5:6:1.2.3.4", "1::5:6:102:304");
	/* the mapped form keeps the family */
	a = A("::ffff:10.0.0.1");
	ck_assert_int_eq(a.family, IPAM_AF_INET6);
	ck_assert_int_eq(a.bytes[10], 0xff);
	ck_assert_int_eq(a.bytes[12], 10);
	ck_assert_int_eq(a.bytes[15], 1);
	/* not mapped: ::fffe:... and ffff in another position */
	ck_canon("::fffe:1.2.3.4", "::fffe:102:304");
	ck_canon("::1:ffff:1.2.3.4", "::1:ffff:102:304");
}
END_TEST

START_TEST(v6_invalid)
{
	bad_addr("fe80::1%eth0", "fe80::1%eth0: zone ids are not supported");
	bad_addr("fe80::1%", "zone ids are not supported");
	bad_addr("[::1]", "brackets are not allowed");
	bad_addr("::1]", "unexpected character ']'");
	bad_addr("1::2::3", "more than one '::'");
	bad_addr("::1::", "more than one '::'");
	bad_addr(":::", "unexpected ':'");
	bad_addr("1:::2", "unexpected ':'");
	bad_addr("12345::", "group 1 has more than 4 hex digits");
	bad_addr("1:00000::", "group 2 has more than 4 hex digits");
	bad_addr("1:2:3:4:5:6:7", "wrong number of groups (7");
	bad_addr("1:2:3:4:5:6:7:8:9", "too many groups");
	bad_addr("1:2:3:4:5:6:7:8::", "'::' must stand for at least one zero group");
	bad_addr("::1:2:3:4:5:6:7:8", "'::' must stand for at least one zero group");
	bad_addr("1:2:3:4::5:6:7:8", "'::' must stand for at least one zero group");
	bad_addr(":1::", "leading ':'");
	bad_addr(":", "leading ':'");
	bad_addr("1:", "trailing ':'");
	bad_addr("1::2:", "trailing ':'");
	bad_addr("g::", "unexpected character 'g'");
	bad_addr("1::g", "unexpected character 'g'");
	bad_addr(" ::1", "leading whitespace");
	bad_addr("::1 ", "trailing whitespace");
	bad_addr("::1\t", "trailing whitespace");
	bad_addr(":: 1", "unexpected character ' '");
	bad_addr("::1/128", "unexpected character '/'");
	/* embedded IPv4 is as strict as IPv4 */
	bad_addr("::ffff:1.2.3.256", "::ffff:1.2.3.256: octet 4 out of range (256 > 255)");
	bad_addr("::ffff:01.2.3.4", "leading zero in octet 1");
	bad_addr("::ffff:1.2.3", "too few octets");
	bad_addr("::ffff:1.2.3.4.5", "too many octets");
	bad_addr("::1.2.3.4:1", "unexpected character ':'");
	bad_addr("::1.2.3.4::", "unexpected character ':'");
	bad_addr("1:2:3:4:5:6:7:1.2.3.4", "too many groups before the embedded IPv4");
	bad_addr("1:2:3:4:5:6::1.2.3.4", "'::' must stand for at least one zero group");
	bad_addr("1:2:3:4:5:1.2.3.4", "wrong number of groups (7");
	bad_addr("::ffff:a.b.c.d", "unexpected character 'a' in octet 1");
}
END_TEST

START_TEST(parse_n_bounds)
{
	/* _n reads exactly len bytes: the rest of the buffer does not count */
	ipam_addr a;
	ck_assert_int_eq(ipam_addr_parse_n(&a, "10.1.2.3garbage", 8), 0);
	ck_assert_str_eq(fmt(&a), "10.1.2.3");
	ck_assert_int_eq(ipam_addr_parse_n(&a, "::1:2", 3), 0);
	ck_assert_str_eq(fmt(&a), "::1");
	ck_assert_int_eq(ipam_addr_parse_n(&a, "10.1.2.3", 7), IPAM_EINVAL);
	/* an embedded NUL is a character like any other */
	bad_addr_("1.2.3.4\0", 8, "unexpected character '\\x00'", __LINE__);
	bad_addr_("::1\0", 4, "unexpected character '\\x00'", __LINE__);
	bad_addr_("", 0, "empty address", __LINE__);
	/* exact-size heap copy so ASan catches any read past len */
	const char *in[] = { "1.2.3.4", "::", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8", "1.2.3", "1:", "::1.2.3." };
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		size_t n = strlen(in[i]);
		char *c = malloc(n);
		memcpy(c, in[i], n);
		ipam_addr_parse_n(&a, c, n);
		free(c);
	}
	ck_assert_int_eq(ipam_addr_parse(&a, NULL), IPAM_EINVAL);
	ck_assert_int_eq(ipam_addr_parse_n(&a, NULL, 0), IPAM_EINVAL);
}
END_TEST

START_TEST(error_quoting)
{
	/* non-printable bytes are escaped, long input truncated */
	bad_addr_("\x01\xff::", 4, "\\x01\\xff::: unexpected character", __LINE__);
	bad_addr("a\\b", "a\\\\b: ");
	char big[4096];
	memset(big, '1', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ipam_addr a;
	ck_assert_int_eq(ipam_addr_parse(&a, big), IPAM_EINVAL);
	const char *m = ipam_error_last()->message;
	ck_assert_msg(strlen(m) < 300, "message too long: %zu", strlen(m));
	ck_assert_ptr_nonnull(strstr(m, "...: "));
	memset(big, ':', sizeof big - 1);
	ck_assert_int_eq(ipam_addr_parse(&a, big), IPAM_EINVAL);
	ck_assert_int_lt(strlen(ipam_error_last()->message), 300);
	bad_addr_("", 0, "\"\": empty address", __LINE__);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* RFC 5952 formatting                                                     */

START_TEST(rfc5952)
{
	/* 4.1: leading zeros */
	ck_canon("2001:0db8::0001", "2001:db8::1");
	ck_canon("2001:db8::001", "2001:db8::1");
	/* 4.2.1: shorten as much as possible */
	ck_canon("2001:db8:0:0:0:0:2:1", "2001:db8::2:1");
	ck_canon("2001:db8::0:1", "2001:db8::1");
	/* 4.2.2: one 16-bit zero field is not shortened */
	ck_canon("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
	ck_canon("2001:db8::1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
	/* 4.2.3: the longest run, the first on a tie */
	ck_canon("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");
	ck_canon("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	ck_canon("1:0:0:2:0:0:3:4", "1::2:0:0:3:4");
	ck_canon("0:0:1:0:0:0:1:0", "0:0:1::1:0");
	ck_canon("1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0");
	/* 4.3: lower case */
	ck_canon("2001:DB8::AAAA:BBBB", "2001:db8::aaaa:bbbb");
	/* section 2 variants of one address */
	ck_canon("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	ck_canon("2001:0db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	ck_canon("2001:db8::1:0:0:1", "2001:db8::1:0:0:1");
	ck_canon("2001:db8::0:1:0:0:1", "2001:db8::1:0:0:1");
	ck_canon("2001:0db8::1:0:0:1", "2001:db8::1:0:0:1");
	ck_canon("2001:db8:0:0:1::1", "2001:db8::1:0:0:1");
	ck_canon("2001:db8:0000:0:1::1", "2001:db8::1:0:0:1");
	ck_canon("2001:DB8:0:0:1::1", "2001:db8::1:0:0:1");
	/* runs at the ends */
	ck_canon("0:0:0:0:0:0:1:0", "::1:0");
	ck_canon("1:0:0:0:0:0:0:0", "1::");
	ck_canon("0:0:1:0:0:0:0:0", "0:0:1::");
	ck_canon("0:1:2:3:4:5:6:7", "0:1:2:3:4:5:6:7");
	ck_canon("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0");
	ck_canon("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	/* section 5: mapped */
	ck_canon("0:0:0:0:0:ffff:c000:0280", "::ffff:192.0.2.128");
}
END_TEST

START_TEST(format_buffers)
{
	char buf[64];
	ipam_addr a = A("192.168.100.200");
	/* exactly the needed size works; one less fails and writes nothing past */
	ck_assert_int_eq(ipam_addr_format(buf, 16, &a), 15);
	ck_assert_str_eq(buf, "192.168.100.200");
	memset(buf, 'Z', sizeof buf);
	ck_assert_int_eq(ipam_addr_format(buf, 15, &a), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "buffer too small"));
	ck_assert_int_eq(buf[0], '\0');
	ck_assert_int_eq(buf[15], 'Z');
	memset(buf, 'Z', sizeof buf);
	ck_assert_int_eq(ipam_addr_format(buf, 0, &a), IPAM_EINVAL);
	ck_assert_int_eq(buf[0], 'Z');
	ck_assert_int_eq(ipam_addr_format(NULL, 0, &a), IPAM_EINVAL);

	/* the longest forms fit the published sizes */
	a = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	ck_assert_int_eq(ipam_addr_format(buf, IPAM_ADDR_STRLEN, &a), 39);
	a = A("::ffff:255.255.255.255");
	ck_assert_int_eq(ipam_addr_format(buf, IPAM_ADDR_STRLEN, &a), 22);
	ipam_prefix p = P("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	ck_assert_int_eq(ipam_prefix_format(buf, IPAM_PREFIX_STRLEN, &p), 43);
	ck_assert_int_eq(ipam_prefix_format(buf, 43, &p), IPAM_EINVAL);
	ck_assert_int_eq(ipam_prefix_format(buf, 44, &p), 43);

	/* invalid family */
	a.family = 5;
	ck_assert_int_eq(ipam_addr_format(buf, sizeof buf, &a), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "invalid address family 5"));
	ck_assert_int_eq(ipam_addr_reverse_name(buf, sizeof buf, &a), IPAM_EINVAL);
	ck_assert_int_eq(ipam_addr_format(buf, sizeof buf, NULL), IPAM_EINVAL);
	/* invalid prefix length */
	p = P("10.0.0.0/8");
	p.len = 33;
	ck_assert_int_eq(ipam_prefix_format(buf, sizeof buf, &p), IPAM_EINVAL);
	ck_assert_int_eq(ipam_prefix_reverse_zone(buf, sizeof buf, &p), IPAM_EINVAL);
	p.addr.family = 0;
	p.len = 8;
	ck_assert_int_eq(ipam_prefix_format(buf, sizeof buf, &p), IPAM_EINVAL);
}
END_TEST

START_TEST(roundtrip_random)
{
	uint64_t seed = 0x5eed1234abcdULL;
	char buf[IPAM_ADDR_STRLEN], pbuf[IPAM_PREFIX_STRLEN];
	for (int i = 0; i < 50000; i++) {
		ipam_addr a, b;
		uint64_t r1 = rnd(&seed), r2 = rnd(&seed);
		if (i & 1) {
			ipam_addr_from_v4(&a, (uint32_t)r1);
		} else {
			/* bias towards zero groups so "::" placement is exercised */
			uint64_t zm = rnd(&seed);
			for (int g = 0; g < 4; g++) {
				if (zm & (1u << g))
					r1 &= ~(0xffffULL << (16 * g));
				if (zm & (1u << (g + 4)))
					r2 &= ~(0xffffULL << (16 * g));
			}
			if ((zm >> 8 & 15) == 0) { /* some mapped addresses */
				r1 = 0;
				r2 = 0x0000ffff00000000ULL | (r2 & 0xffffffffULL);
			}
			ipam_addr_from_v6(&a, U(r1, r2));
		}
		int n = ipam_addr_format(buf, sizeof buf, &a);
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq((size_t)n, strlen(buf));
		ck_assert_int_eq(ipam_addr_parse(&b, buf), 0);
		ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "round trip %s", buf);
		/* canonical: no uppercase, no ":::" and at most one "::" */
		ck_assert_ptr_null(strstr(buf, ":::"));
		char *dc = strstr(buf, "::");
		if (dc)
			ck_assert_ptr_null(strstr(dc + 1, "::"));

		ipam_prefix p, q;
		unsigned len = (unsigned)(rnd(&seed) % (a.family == IPAM_AF_INET ? 33 : 129));
		ck_assert_int_eq(ipam_prefix_from(&p, &a, len, IPAM_PARSE_NORMALIZE), 0);
		ck_assert_int_gt(ipam_prefix_format(pbuf, sizeof pbuf, &p), 0);
		ck_assert_int_eq(ipam_prefix_parse(&q, pbuf, 0), 0);
		ck_assert_msg(memcmp(&p, &q, sizeof p) == 0, "prefix round trip %s", pbuf);
		ck_assert(ipam_prefix_contains(&p, &a));
	}
}
END_TEST

/* ---------------------------------------------------------------------- */
/* values and arithmetic                                                   */

START_TEST(values)
{
	ipam_addr a;
	ipam_addr_from_v4(&a, 0xC0000201u);
	ck_assert_str_eq(fmt(&a), "192.0.2.1");
	ipam_u128 v = ipam_addr_value(&a);
	ck_assert_uint_eq(v.hi, 0);
	ck_assert_uint_eq(v.lo, 0xC0000201u);
	ipam_addr_from_v6(&a, U(0x20010db800000000ULL, 1));
	ck_assert_str_eq(fmt(&a), "2001:db8::1");
	v = ipam_addr_value(&a);
	ck_assert_uint_eq(v.hi, 0x20010db800000000ULL);
	ck_assert_uint_eq(v.lo, 1);
	ipam_addr b = A("2001:db8::1");
	ck_assert_int_eq(memcmp(&a, &b, sizeof a), 0);
}
END_TEST

START_TEST(compare)
{
	ipam_addr a = A("255.255.255.255"), b = A("::"), c = A("::1"), d = A("0.0.0.1");
	ck_assert_int_lt(ipam_addr_cmp(&a, &b), 0); /* every v4 before every v6 */
	ck_assert_int_gt(ipam_addr_cmp(&b, &a), 0);
	ck_assert_int_lt(ipam_addr_cmp(&b, &c), 0);
	ck_assert_int_gt(ipam_addr_cmp(&a, &d), 0);
	ck_assert_int_eq(ipam_addr_cmp(&c, &c), 0);
	ipam_addr e = A("10.0.0.2"), f = A("9.255.255.255");
	ck_assert_int_gt(ipam_addr_cmp(&e, &f), 0);
	ipam_addr m = A("::ffff:1.2.3.4"), n = A("1.2.3.4");
	ck_assert_int_ne(ipam_addr_cmp(&m, &n), 0);
}
END_TEST

START_TEST(arithmetic)
{
	ipam_addr a = A("10.0.0.255"), r;
	ck_assert_int_eq(ipam_addr_next(&r, &a), 0);
	ck_assert_str_eq(fmt(&r), "10.0.1.0");
	ck_assert_int_eq(ipam_addr_prev(&r, &r), 0);
	ck_assert_str_eq(fmt(&r), "10.0.0.255");
	ck_assert_int_eq(ipam_addr_add(&r, &a, U(0, 0x100)), 0);
	ck_assert_str_eq(fmt(&r), "10.0.1.255");
	ck_assert_int_eq(ipam_addr_sub(&r, &a, U(0, 0x0A0000FF)), 0);
	ck_assert_str_eq(fmt(&r), "0.0.0.0");

	/* IPv4 limits: no wrap, out untouched */
	ipam_addr top = A("255.255.255.255"), zero = A("0.0.0.0");
	ipam_addr keep = A("1.1.1.1");
	r = keep;
	ck_assert_int_eq(ipam_addr_next(&r, &top), IPAM_EINVAL);
	ck_assert_int_eq(memcmp(&r, &keep, sizeof r), 0);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "255.255.255.255 + 1: past the end of the IPv4 range"));
	ck_assert_int_eq(ipam_addr_prev(&r, &zero), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "0.0.0.0 - 1: below the start of the IPv4 range"));
	ck_assert_int_eq(memcmp(&r, &keep, sizeof r), 0);
	ck_assert_int_eq(ipam_addr_add(&r, &zero, U(0, 0x100000000ULL)), IPAM_EINVAL);
	ck_assert_int_eq(ipam_addr_add(&r, &zero, U(1, 0)), IPAM_EINVAL);
	ck_assert_int_eq(ipam_addr_add(&r, &zero, U(0, 0xffffffffULL)), 0);
	ck_assert_str_eq(fmt(&r), "255.255.255.255");
	ck_assert_int_eq(ipam_addr_sub(&r, &top, U(0, 0xffffffffULL)), 0);
	ck_assert_str_eq(fmt(&r), "0.0.0.0");
	ck_assert_int_eq(ipam_addr_sub(&r, &top, U(0, 0x100000000ULL)), IPAM_EINVAL);
	ck_assert_int_eq(r.family, IPAM_AF_INET);

	/* IPv6: carries across the 64-bit halves and the limits */
	ipam_addr b = A("::ffff:ffff:ffff:ffff");
	ck_assert_int_eq(ipam_addr_next(&r, &b), 0);
	ck_assert_str_eq(fmt(&r), "0:0:0:1::");
	ck_assert_int_eq(ipam_addr_prev(&r, &r), 0);
	ck_assert_str_eq(fmt(&r), "::ffff:ffff:ffff:ffff");
	ipam_addr t6 = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), z6 = A("::");
	ck_assert_int_eq(ipam_addr_next(&r, &t6), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "past the end of the IPv6 range"));
	ck_assert_int_eq(ipam_addr_prev(&r, &z6), IPAM_EINVAL);
	ck_assert_int_eq(ipam_addr_add(&r, &z6, U(UINT64_MAX, UINT64_MAX)), 0);
	ck_assert_int_eq(memcmp(&r, &t6, sizeof r), 0);
	ipam_addr one6 = A("::1");
	ck_assert_int_eq(ipam_addr_add(&r, &one6, U(UINT64_MAX, UINT64_MAX)), IPAM_EINVAL);
	ck_assert_int_eq(ipam_addr_sub(&r, &t6, U(UINT64_MAX, UINT64_MAX)), 0);
	ck_assert_int_eq(memcmp(&r, &z6, sizeof r), 0);
	ck_assert_int_eq(ipam_addr_add(&r, &t6, U(0, 0)), 0);
	ck_assert_int_eq(ipam_addr_sub(&r, &z6, U(0, 0)), 0);

	/* invalid family */
	ipam_addr x = A("1.2.3.4");
	x.family = 0;
	ck_assert_int_eq(ipam_addr_next(&r, &x), IPAM_EINVAL);
	ck_assert_int_eq(ipam_addr_prev(&r, &x), IPAM_EINVAL);
}
END_TEST

START_TEST(difference)
{
	ipam_u128 d;
	ipam_addr a = A("10.0.1.0"), b = A("10.0.0.0");
	ck_assert_int_eq(ipam_addr_diff(&d, &a, &b), 0);
	ck_assert_uint_eq(d.hi, 0);
	ck_assert_uint_eq(d.lo, 256);
	ck_assert_int_eq(ipam_addr_diff(&d, &a, &a), 0);
	ck_assert_uint_eq(d.lo, 0);
	ck_assert_int_eq(ipam_addr_diff(&d, &b, &a), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "10.0.0.0 - 10.0.1.0: negative difference"));
	ipam_addr c = A("::a00:100");
	ck_assert_int_eq(ipam_addr_diff(&d, &c, &b), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "different families"));
	ipam_addr t6 = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), z6 = A("::");
	ck_assert_int_eq(ipam_addr_diff(&d, &t6, &z6), 0);
	ck_assert_uint_eq(d.hi, UINT64_MAX);
	ck_assert_uint_eq(d.lo, UINT64_MAX);
	ipam_addr e = A("1::"), f = A("::ffff");
	ck_assert_int_eq(ipam_addr_diff(&d, &e, &f), 0);
	ck_assert_uint_eq(d.hi, 0x0000ffffffffffffULL);
	ck_assert_uint_eq(d.lo, 0xffffffffffff0001ULL);
	b.family = 9;
	ck_assert_int_eq(ipam_addr_diff(&d, &a, &b), IPAM_EINVAL);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* reverse names                                                           */

START_TEST(reverse)
{
	char buf[IPAM_REVERSE_STRLEN];
	ipam_addr a = A("1.2.3.4");
	ck_assert_int_eq(ipam_addr_reverse_name(buf, sizeof buf, &a), 21);
	ck_assert_str_eq(buf, "4.3.2.1.in-addr.arpa.");
	a = A("192.0.2.255");
	ipam_addr_reverse_name(buf, sizeof buf, &a);
	ck_assert_str_eq(buf, "255.2.0.192.in-addr.arpa.");
	a = A("2001:db8::567:89ab");
	ck_assert_int_eq(ipam_addr_reverse_name(buf, sizeof buf, &a), 73);
	ck_assert_str_eq(buf, "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.");
	ck_assert_int_eq(ipam_addr_reverse_name(buf, 73, &a), IPAM_EINVAL);
	ck_assert_int_eq(buf[0], '\0');
	a = A("::ffff:1.2.3.4"); /* stays IPv6 */
	ipam_addr_reverse_name(buf, sizeof buf, &a);
	ck_assert_str_eq(buf, "4.0.3.0.2.0.1.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.");

	ipam_prefix p = P("192.0.2.0/24");
	ck_assert_int_eq(ipam_prefix_reverse_zone(buf, sizeof buf, &p), 21);
	ck_assert_str_eq(buf, "2.0.192.in-addr.arpa.");
	p = P("192.0.2.128/25");
	ipam_prefix_reverse_zone(buf, sizeof buf, &p);
	ck_assert_str_eq(buf, "2.0.192.in-addr.arpa.");
	p = P("10.0.0.0/8");
	ipam_prefix_reverse_zone(buf, sizeof buf, &p);
	ck_assert_str_eq(buf, "10.in-addr.arpa.");
	p = P("10.128.0.0/9");
	ipam_prefix_reverse_zone(buf, sizeof buf, &p);
	ck_assert_str_eq(buf, "10.in-addr.arpa.");
	p = P("0.0.0.0/0");
	ipam_prefix_reverse_zone(buf, sizeof buf, &p);
	ck_assert_str_eq(buf, "in-addr.arpa.");
	p = P("128.0.0.0/7");
	ipam_prefix_reverse_zone(buf, sizeof buf, &p);
	ck_assert_str_eq(buf, "in-addr.arpa.");
	p = P("1.2.3.4/32");
	ipam_prefix_reverse_zone(buf, sizeof buf, &p);
	ck_assert_str_eq(buf, "4.3.2.1.in-addr.arpa.");
	p = P("2001:db8::/32");
	ipam_prefix_reverse_zone(buf, sizeof buf, &p);
	ck_assert_str_eq(buf, "8.b.d.0.1.0.0.2.ip6.arpa.");
	p = P("2001:db8::/35");
	ipam_prefix_reverse_zone(buf, sizeof buf, &p);
	ck_assert_str_eq(buf, "8.b.d.0.1.0.0.2.ip6.arpa.");
	p = P("2001:db8:f000::/36");
	ipam_prefix_reverse_zone(buf, sizeof buf, &p);
	ck_assert_str_eq(buf, "f.8.b.d.0.1.0.0.2.ip6.arpa.");
	p = P("::/0");
	ipam_prefix_reverse_zone(buf, sizeof buf, &p);
	ck_assert_str_eq(buf, "ip6.arpa.");
	p = P("::/3");
	ipam_prefix_reverse_zone(buf, sizeof buf, &p);
	ck_assert_str_eq(buf, "ip6.arpa.");
	p = P("2001:db8::567:89ab/128");
	ck_assert_int_eq(ipam_prefix_reverse_zone(buf, sizeof buf, &p), 73);
	ck_assert_int_eq(ipam_prefix_reverse_zone(buf, 5, &p), IPAM_EINVAL);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* prefixes                                                                */

START_TEST(prefix_parse)
{
	ipam_prefix p = P("10.0.0.0/8");
	ck_assert_int_eq(p.addr.family, IPAM_AF_INET);
	ck_assert_int_eq(p.len, 8);
	ck_assert_str_eq(pfmt(&p), "10.0.0.0/8");
	p = P("0.0.0.0/0");
	ck_assert_str_eq(pfmt(&p), "0.0.0.0/0");
	p = P("1.2.3.4/32");
	ck_assert_str_eq(pfmt(&p), "1.2.3.4/32");
	p = P("2001:DB8:0::/32");
	ck_assert_str_eq(pfmt(&p), "2001:db8::/32");
	p = P("::/0");
	ck_assert_str_eq(pfmt(&p), "::/0");
	p = P("::1/128");
	ck_assert_str_eq(pfmt(&p), "::1/128");
	p = P("::ffff:0.0.0.0/96");
	ck_assert_str_eq(pfmt(&p), "::ffff:0.0.0.0/96");
	ck_assert_int_eq(p.reserved[0] | p.reserved[1] | p.reserved[2], 0);

	/* host bits: the exact message */
	bad_prefix_exact("10.1.2.3/24", "10.1.2.3/24: host bits set; did you mean 10.1.2.0/24?");
	bad_prefix_exact("2001:db8::1/32", "2001:db8::1/32: host bits set; did you mean 2001:db8::/32?");
	bad_prefix_exact("1.2.3.4/0", "1.2.3.4/0: host bits set; did you mean 0.0.0.0/0?");
	ck_assert_int_eq(ipam_prefix_parse(&p, "10.1.2.3/24", IPAM_PARSE_NORMALIZE), 0);
	ck_assert_str_eq(pfmt(&p), "10.1.2.0/24");
	ck_assert_int_eq(ipam_prefix_parse(&p, "2001:db8:ffff::1/33", IPAM_PARSE_NORMALIZE), 0);
	ck_assert_str_eq(pfmt(&p), "2001:db8:8000::/33");

	/* lengths */
	bad_prefix_exact("2001:db8::/129", "2001:db8::/129: length 129 out of range for IPv6 (0..128)");
	bad_prefix_exact("10.0.0.0/33", "10.0.0.0/33: length 33 out of range for IPv4 (0..32)");
	bad_prefix("10.0.0.0/99999999999999999999", "out of range for IPv4");
	bad_prefix("10.0.0.0/08", "leading zero in prefix length");
	bad_prefix("10.0.0.0/00", "leading zero in prefix length");
	bad_prefix("10.0.0.0/", "missing prefix length after '/'");
	bad_prefix("10.0.0.0", "missing prefix length");
	bad_prefix("10.0.0.0/8/8", "unexpected character '/' in prefix length");
	bad_prefix("10.0.0.0/+8", "unexpected character '+'");
	bad_prefix("10.0.0.0/8 ", "unexpected character ' '");
	bad_prefix("10.0.0.0 /8", "trailing whitespace");
	bad_prefix("10.0.0.0/-1", "unexpected character '-'");
	bad_prefix("10.0.0.0/0x8", "unexpected character 'x'");
	bad_prefix("", "empty prefix");
	bad_prefix("/8", "empty address");
	bad_prefix("010.0.0.0/8", "010.0.0.0/8: leading zero in octet 1");
	bad_prefix("fe80::%eth0/64", "zone ids are not supported");
	bad_prefix("[::]/0", "brackets are not allowed");

	/* IPAM_PARSE_HOST */
	ck_assert_int_eq(ipam_prefix_parse(&p, "10.1.2.3", IPAM_PARSE_HOST), 0);
	ck_assert_str_eq(pfmt(&p), "10.1.2.3/32");
	ck_assert_int_eq(ipam_prefix_parse(&p, "2001:db8::1", IPAM_PARSE_HOST), 0);
	ck_assert_str_eq(pfmt(&p), "2001:db8::1/128");
	ck_assert_int_eq(ipam_prefix_parse(&p, "10.1.2.0/24", IPAM_PARSE_HOST), 0);
	ck_assert_str_eq(pfmt(&p), "10.1.2.0/24");
	ck_assert_int_eq(ipam_prefix_parse(&p, "10.1.2.3/24", IPAM_PARSE_HOST), IPAM_EINVAL);
	ck_assert_int_eq(ipam_prefix_parse(&p, "10.1.2.3/24", IPAM_PARSE_HOST | IPAM_PARSE_NORMALIZE), 0);

	/* _n */
	ck_assert_int_eq(ipam_prefix_parse_n(&p, "10.0.0.0/8junk", 10, 0), 0);
	ck_assert_str_eq(pfmt(&p), "10.0.0.0/8");
	ck_assert_int_eq(ipam_prefix_parse_n(&p, "128.0.0.0/16", 11, 0), 0);
	ck_assert_int_eq(p.len, 1);
	ck_assert_int_eq(ipam_prefix_parse_n(&p, "10.0.0.0/8", 9, 0), IPAM_EINVAL);
	ck_assert_int_eq(ipam_prefix_parse_n(&p, "10.0.0.0/8\0", 11, 0), IPAM_EINVAL);
	ck_assert_int_eq(ipam_prefix_parse(&p, NULL, 0), IPAM_EINVAL);
}
END_TEST

START_TEST(prefix_from)
{
	ipam_prefix p;
	ipam_addr a = A("10.1.2.3");
	ck_assert_int_eq(ipam_prefix_from(&p, &a, 32, 0), 0);
	ck_assert_str_eq(pfmt(&p), "10.1.2.3/32");
	ck_assert_int_eq(ipam_prefix_from(&p, &a, 24, 0), IPAM_EINVAL);
	ck_assert_str_eq(ipam_error_last()->message, "10.1.2.3/24: host bits set; did you mean 10.1.2.0/24?");
	ck_assert_int_eq(ipam_prefix_from(&p, &a, 24, IPAM_PARSE_NORMALIZE), 0);
	ck_assert_str_eq(pfmt(&p), "10.1.2.0/24");
	ck_assert_int_eq(ipam_prefix_from(&p, &a, 33, IPAM_PARSE_NORMALIZE), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "length 33 out of range for IPv4 (0..32)"));
	a = A("2001:db8::1");
	ck_assert_int_eq(ipam_prefix_from(&p, &a, 129, 0), IPAM_EINVAL);
	ck_assert_int_eq(ipam_prefix_from(&p, &a, 0, IPAM_PARSE_NORMALIZE), 0);
	ck_assert_str_eq(pfmt(&p), "::/0");
	ck_assert_int_eq(ipam_prefix_from(&p, &a, 128, 0), 0);
	a.family = 1;
	ck_assert_int_eq(ipam_prefix_from(&p, &a, 8, 0), IPAM_EINVAL);
}
END_TEST

START_TEST(prefix_ops)
{
	ipam_addr f, l;
	ipam_prefix p = P("10.1.0.0/16");
	ipam_prefix_first(&f, &p);
	ipam_prefix_last(&l, &p);
	ck_assert_str_eq(fmt(&f), "10.1.0.0");
	ck_assert_str_eq(fmt(&l), "10.1.255.255");
	ipam_u128 s = ipam_prefix_size(&p);
	ck_assert_uint_eq(s.hi, 0);
	ck_assert_uint_eq(s.lo, 65536);
	p = P("0.0.0.0/0");
	ipam_prefix_last(&l, &p);
	ck_assert_str_eq(fmt(&l), "255.255.255.255");
	for (int i = 4; i < 16; i++)
		ck_assert_int_eq(l.bytes[i], 0);
	s = ipam_prefix_size(&p);
	ck_assert_uint_eq(s.lo, 0x100000000ULL);
	p = P("1.2.3.4/32");
	s = ipam_prefix_size(&p);
	ck_assert_uint_eq(s.lo, 1);
	ipam_prefix_last(&l, &p);
	ck_assert_str_eq(fmt(&l), "1.2.3.4");
	p = P("2001:db8::/32");
	ipam_prefix_first(&f, &p);
	ipam_prefix_last(&l, &p);
	ck_assert_str_eq(fmt(&f), "2001:db8::");
	ck_assert_str_eq(fmt(&l), "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	s = ipam_prefix_size(&p);
	ck_assert_uint_eq(s.hi, 1ULL << 32);
	ck_assert_uint_eq(s.lo, 0);
	p = P("::/64");
	s = ipam_prefix_size(&p);
	ck_assert_uint_eq(s.hi, 1);
	ck_assert_uint_eq(s.lo, 0);
	p = P("::/1");
	s = ipam_prefix_size(&p);
	ck_assert_uint_eq(s.hi, 1ULL << 63);
	p = P("::/0"); /* 2^128 saturates */
	s = ipam_prefix_size(&p);
	ck_assert_uint_eq(s.hi, UINT64_MAX);
	ck_assert_uint_eq(s.lo, UINT64_MAX);
	ipam_prefix_last(&l, &p);
	ck_assert_str_eq(fmt(&l), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	p = P("::1/128");
	s = ipam_prefix_size(&p);
	ck_assert_uint_eq(s.hi, 0);
	ck_assert_uint_eq(s.lo, 1);

	/* contains / covers */
	p = P("10.0.0.0/8");
	ipam_addr a = A("10.255.255.255"), b = A("11.0.0.0"), c = A("::a00:1"), d = A("::ffff:10.0.0.1");
	ck_assert_int_eq(ipam_prefix_contains(&p, &a), 1);
	ck_assert_int_eq(ipam_prefix_contains(&p, &b), 0);
	ck_assert_int_eq(ipam_prefix_contains(&p, &c), 0);
	ck_assert_int_eq(ipam_prefix_contains(&p, &d), 0);
	ipam_prefix all4 = P("0.0.0.0/0"), all6 = P("::/0");
	ck_assert_int_eq(ipam_prefix_contains(&all4, &a), 1);
	ck_assert_int_eq(ipam_prefix_contains(&all4, &c), 0);
	ck_assert_int_eq(ipam_prefix_contains(&all6, &c), 1);
	ipam_prefix q = P("10.1.0.0/16"), r = P("11.0.0.0/16");
	ck_assert_int_eq(ipam_prefix_covers(&p, &q), 1);
	ck_assert_int_eq(ipam_prefix_covers(&q, &p), 0);
	ck_assert_int_eq(ipam_prefix_covers(&p, &p), 1);
	ck_assert_int_eq(ipam_prefix_covers(&p, &r), 0);
	ck_assert_int_eq(ipam_prefix_covers(&all4, &p), 1);
	ck_assert_int_eq(ipam_prefix_covers(&all6, &p), 0);
	ipam_prefix v6a = P("2001:db8::/32"), v6b = P("2001:db8:1::/48");
	ck_assert_int_eq(ipam_prefix_covers(&v6a, &v6b), 1);
	ck_assert_int_eq(ipam_prefix_covers(&all6, &v6b), 1);

	/* cmp: family, address, length */
	ipam_prefix x = P("10.0.0.0/8"), y = P("10.0.0.0/16"), z = P("9.0.0.0/8");
	ck_assert_int_lt(ipam_prefix_cmp(&x, &y), 0);
	ck_assert_int_gt(ipam_prefix_cmp(&y, &x), 0);
	ck_assert_int_gt(ipam_prefix_cmp(&x, &z), 0);
	ck_assert_int_eq(ipam_prefix_cmp(&x, &x), 0);
	ck_assert_int_lt(ipam_prefix_cmp(&x, &all6), 0);
	ck_assert_int_lt(ipam_prefix_cmp(&all6, &v6a), 0);
}
END_TEST

/* ---------------------------------------------------------------------- */
/* MAC                                                                     */

static void mac_ok(const char *in, const char *out)
{
	ipam_mac m;
	char buf[IPAM_MAC_STRLEN];
	ck_assert_msg(ipam_mac_parse(&m, in) == 0, "%s: %s", in, ipam_error_last()->message);
	ck_assert_int_eq(ipam_mac_format(buf, sizeof buf, &m), (int)strlen(out));
	ck_assert_str_eq(buf, out);
}

static void mac_bad_(const char *in, const char *needle, int line)
{
	ipam_mac m;
	memset(&m, 0x5A, sizeof m);
	ck_assert_msg(ipam_mac_parse(&m, in) == IPAM_EINVAL, "line %d: %s parsed", line, in);
	ck_assert_msg(strstr(ipam_error_last()->message, needle), "line %d: \"%s\" lacks \"%s\"", line,
		      ipam_error_last()->message, needle);
	ck_assert_int_eq(m.len, 0x5A);
}
#define mac_bad(in, needle) mac_bad_(in, needle, __LINE__)

START_TEST(mac)
{
	mac_ok("aa:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff");
	mac_ok("AA:BB:CC:DD:EE:FF", "aa:bb:cc:dd:ee:ff");
	mac_ok("a:b:c:d:e:f", "0a:0b:0c:0d:0e:0f");
	mac_ok("0:1:2a:3:4:5", "00:01:2a:03:04:05");
	mac_ok("AA-BB-CC-DD-EE-FF", "aa:bb:cc:dd:ee:ff");
	mac_ok("aabb.ccdd.eeff", "aa:bb:cc:dd:ee:ff");
	mac_ok("AABB.CCDD.EEFF", "aa:bb:cc:dd:ee:ff");
	mac_ok("aabbccddeeff", "aa:bb:cc:dd:ee:ff");
	mac_ok("001122334455", "00:11:22:33:44:55");
	mac_ok("00:00:00:00:00:00", "00:00:00:00:00:00");
	/* EUI-64 */
	mac_ok("00:11:22:33:44:55:66:77", "00:11:22:33:44:55:66:77");
	mac_ok("00-11-22-33-44-55-66-77", "00:11:22:33:44:55:66:77");
	mac_ok("0011.2233.4455.6677", "00:11:22:33:44:55:66:77");
	mac_ok("0011223344556677", "00:11:22:33:44:55:66:77");
	mac_ok("1:2:3:4:5:6:7:8", "01:02:03:04:05:06:07:08");

	ipam_mac m;
	ck_assert_int_eq(ipam_mac_parse(&m, "0011223344556677"), 0);
	ck_assert_int_eq(m.len, 8);
	ck_assert_int_eq(ipam_mac_parse(&m, "aa:bb:cc:dd:ee:ff"), 0);
	ck_assert_int_eq(m.len, 6);
	ck_assert_int_eq(m.bytes[6] | m.bytes[7], 0);

	mac_bad("", "empty MAC address");
	mac_bad("aa:bb-cc:dd:ee:ff", "mixed separators ':' and '-'");
	mac_bad("aabb.ccdd:eeff", "mixed separators '.' and ':'");
	mac_bad("aa:bb:cc:dd:ee", "wrong number of octets (5, need 6 or 8)");
	mac_bad("aa:bb:cc:dd:ee:ff:00", "wrong number of octets (7, need 6 or 8)");
	mac_bad("aa:bb:cc:dd:ee:ff:00:11:22", "too many groups");
	mac_bad("aa:bbb:cc:dd:ee:ff", "group 2 has more than 2 hex digits");
	mac_bad("aa::cc:dd:ee:ff", "empty group 2");
	mac_bad("aa:bb:cc:dd:ee:ff:", "trailing ':'");
	mac_bad(":aa:bb:cc:dd:ee:ff", "empty group 1");
	mac_bad("a-b-c-d-e-f", "group 1 must have 2 hex digits");
	mac_bad("aab.bccdd.eeff", "group 1 must have 4 hex digits");
	mac_bad("aabb.ccdd", "wrong number of groups (2, need 3 or 4)");
	mac_bad("aabbccddeef", "wrong number of hex digits (11, need 12 or 16)");
	mac_bad("aabbccddeeff00", "wrong number of hex digits (14");
	mac_bad("aa:bb:cc:dd:ee:gg", "unexpected character 'g'");
	mac_bad("aa bb cc dd ee ff", "unexpected character ' '");
	mac_bad(" aa:bb:cc:dd:ee:ff", "leading whitespace");
	mac_bad("aa:bb:cc:dd:ee:ff\n", "trailing whitespace");
	mac_bad("aa:bb:cc:dd:ee:f\x80", "unexpected character '\\x80'");
	ck_assert_int_eq(ipam_mac_parse(&m, NULL), IPAM_EINVAL);

	char buf[IPAM_MAC_STRLEN];
	ck_assert_int_eq(ipam_mac_parse(&m, "aa:bb:cc:dd:ee:ff"), 0);
	ck_assert_int_eq(ipam_mac_format(buf, 18, &m), 17);
	ck_assert_int_eq(ipam_mac_format(buf, 17, &m), IPAM_EINVAL);
	m.len = 7;
	ck_assert_int_eq(ipam_mac_format(buf, sizeof buf, &m), IPAM_EINVAL);
	ck_assert_int_eq(ipam_mac_parse(&m, "0011.2233.4455.6677"), 0);
	ck_assert_int_eq(ipam_mac_format(buf, 24, &m), 23);
	ck_assert_int_eq(ipam_mac_format(buf, 23, &m), IPAM_EINVAL);
}
END_TEST

START_TEST(u128)
{
	char buf[40];
	ck_assert_int_eq(ipam_u128_format(buf, sizeof buf, U(0, 0)), 1);
	ck_assert_str_eq(buf, "0");
	ck_assert_int_eq(ipam_u128_format(buf, sizeof buf, U(0, 1234567890)), 10);
	ck_assert_str_eq(buf, "1234567890");
	ipam_u128_format(buf, sizeof buf, U(0, UINT64_MAX));
	ck_assert_str_eq(buf, "18446744073709551615");
	ipam_u128_format(buf, sizeof buf, U(1, 0));
	ck_assert_str_eq(buf, "18446744073709551616");
	ck_assert_int_eq(ipam_u128_format(buf, sizeof buf, U(UINT64_MAX, UINT64_MAX)), 39);
	ck_assert_str_eq(buf, "340282366920938463463374607431768211455");
	ck_assert_int_eq(ipam_u128_format(buf, 39, U(UINT64_MAX, UINT64_MAX)), IPAM_EINVAL);
	ck_assert_int_eq(ipam_u128_format(buf, 2, U(0, 10)), IPAM_EINVAL);
	ck_assert_int_eq(ipam_u128_format(buf, 3, U(0, 10)), 2);
}
END_TEST

static Suite *addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, v4_valid);
	tcase_add_test(tc, v4_invalid);
	tcase_add_test(tc, v6_forms);
	tcase_add_test(tc, v6_invalid);
	tcase_add_test(tc, parse_n_bounds);
	tcase_add_test(tc, error_quoting);
	tcase_add_test(tc, rfc5952);
	tcase_add_test(tc, format_buffers);
	tcase_add_test(tc, roundtrip_random);
	tcase_add_test(tc, values);
	tcase_add_test(tc, compare);
	tcase_add_test(tc, arithmetic);
	tcase_add_test(tc, difference);
	tcase_add_test(tc, reverse);
	tcase_add_test(tc, prefix_parse);
	tcase_add_test(tc, prefix_from);
	tcase_add_test(tc, prefix_ops);
	tcase_add_test(tc, mac);
	tcase_add_test(tc, u128);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(addr_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
