/* Unit tests of the allocation rules (include/ipam/ip.h, prefix.h, range.h):
 * one test per edge case, each on a fresh memory: database that has the
 * spaces "default" and "blue". */
#include "ipam.h"

#if defined(__has_include)
#if __has_include("db/check.h")
#include "db/check.h"
#define HAVE_DB_CHECK 1
#endif
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ipam_db *db;

static void setup(void)
{
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	ck_assert_int_eq(ipam_space_add(db, "blue", NULL), 0);
}

static void teardown(void)
{
#ifdef HAVE_DB_CHECK
	int rc = ipam__db_check(db);
	ck_assert_msg(rc == 0, "ipam__db_check: %d (%s)", rc, ipam_error_last()->message);
#endif
	ipam_db_free(db);
	db = NULL;
}

static ipam_prefix pfx(const char *text)
{
	ipam_prefix p;
	int rc = ipam_prefix_parse(&p, text, 0);
	ck_assert_msg(rc == 0, "cannot parse prefix %s", text);
	return p;
}

static ipam_addr adr(const char *text)
{
	ipam_addr a;
	int rc = ipam_addr_parse(&a, text);
	ck_assert_msg(rc == 0, "cannot parse address %s", text);
	return a;
}

static const char *err(void)
{
	return ipam_error_last()->message;
}

static void padd(const char *space, const char *cidr, int pool)
{
	ipam_prefix_options o = IPAM_PREFIX_OPTIONS_INIT;
	ipam_prefix p = pfx(cidr);
	o.space = space;
	o.pool = pool;
	int rc = ipam_prefix_add(db, &p, &o);
	ck_assert_msg(rc == 0, "prefix add %s in %s: %d (%s)", cidr, space ? space : "NULL", rc, err());
}

static void iadd(const char *space, const char *addr)
{
	ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
	ipam_addr a = adr(addr);
	o.space = space;
	int rc = ipam_ip_add(db, &a, &o);
	ck_assert_msg(rc == 0, "ip add %s: %d (%s)", addr, rc, err());
}

static void radd(const char *space, const char *first, const char *last)
{
	ipam_range_options o = IPAM_RANGE_OPTIONS_INIT;
	ipam_addr f = adr(first), l = adr(last);
	o.space = space;
	int rc = ipam_range_add(db, &f, &l, &o);
	ck_assert_msg(rc == 0, "range add %s..%s: %d (%s)", first, last, rc, err());
}

static int ialloc_rc(const char *space, const char *cidr, ipam_addr *out)
{
	ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
	ipam_prefix p = pfx(cidr);
	o.space = space;
	return ipam_ip_alloc(out, db, &p, &o);
}

/* ip alloc in cidr must give `want`. */
#define IALLOC(space, cidr, want)                                                                 \
	do {                                                                                      \
		ipam_addr got_, want_ = adr(want);                                                \
		char g_[IPAM_ADDR_STRLEN] = "?";                                                  \
		int rc_ = ialloc_rc(space, cidr, &got_);                                          \
		ck_assert_msg(rc_ == 0, "ip alloc %s: %d (%s), wanted %s", cidr, rc_, err(), want); \
		ipam_addr_format(g_, sizeof(g_), &got_);                                          \
		ck_assert_msg(memcmp(&got_, &want_, sizeof(want_)) == 0, "ip alloc %s: got %s, wanted %s", \
		              cidr, g_, want);                                                    \
	} while (0)

#define IALLOC_FAILS(space, cidr, code)                                                    \
	do {                                                                               \
		ipam_addr got_;                                                            \
		char g_[IPAM_ADDR_STRLEN] = "?";                                           \
		int rc_ = ialloc_rc(space, cidr, &got_);                                   \
		if (rc_ == 0)                                                              \
			ipam_addr_format(g_, sizeof(g_), &got_);                           \
		ck_assert_msg(rc_ == (code), "ip alloc %s: %d (got %s), wanted %s", cidr, rc_, \
		              rc_ == 0 ? g_ : err(), ipam_error_name(code));               \
	} while (0)

static int palloc_rc(const char *space, const char *cidr, unsigned len, ipam_policy pol, ipam_prefix *out)
{
	ipam_prefix_alloc_options o = IPAM_PREFIX_ALLOC_OPTIONS_INIT;
	ipam_prefix p = pfx(cidr);
	o.space = space;
	o.length = len;
	o.policy = pol;
	return ipam_prefix_alloc(out, db, &p, &o);
}

#define PALLOC(space, cidr, len, pol, want)                                                      \
	do {                                                                                     \
		ipam_prefix got_, want_ = pfx(want);                                             \
		char g_[IPAM_PREFIX_STRLEN] = "?";                                               \
		int rc_ = palloc_rc(space, cidr, len, pol, &got_);                               \
		ck_assert_msg(rc_ == 0, "prefix alloc /%u in %s: %d (%s), wanted %s", len, cidr, rc_, \
		              err(), want);                                                      \
		ipam_prefix_format(g_, sizeof(g_), &got_);                                       \
		ck_assert_msg(memcmp(&got_, &want_, sizeof(want_)) == 0,                        \
		              "prefix alloc /%u in %s: got %s, wanted %s", len, cidr, g_, want); \
	} while (0)

#define PALLOC_FAILS(space, cidr, len, pol, code)                                                \
	do {                                                                                     \
		ipam_prefix got_;                                                                \
		char g_[IPAM_PREFIX_STRLEN] = "?";                                               \
		int rc_ = palloc_rc(space, cidr, len, pol, &got_);                               \
		if (rc_ == 0)                                                                    \
			ipam_prefix_format(g_, sizeof(g_), &got_);                               \
		ck_assert_msg(rc_ == (code), "prefix alloc /%u in %s: %d (%s), wanted %s", len, cidr, \
		              rc_, rc_ == 0 ? g_ : err(), ipam_error_name(code));                \
	} while (0)

static void release(const char *space, const char *addr)
{
	ipam_addr a = adr(addr);
	int rc = ipam_ip_release(db, space, &a);
	ck_assert_msg(rc == 0, "ip release %s: %d (%s)", addr, rc, err());
}

static ipam_util util(const char *space, const char *cidr)
{
	ipam_util u = IPAM_UTIL_INIT;
	ipam_prefix p = pfx(cidr);
	int rc = ipam_prefix_util(&u, db, space, &p);
	ck_assert_msg(rc == 0, "util %s: %d (%s)", cidr, rc, err());
	return u;
}

#define U128_EQ(v, h, l)                                                                        \
	ck_assert_msg((v).hi == (uint64_t)(h) && (v).lo == (uint64_t)(l),                       \
	              #v " = %#llx:%016llx, wanted %#llx:%016llx", (unsigned long long)(v).hi, \
	              (unsigned long long)(v).lo, (unsigned long long)(h), (unsigned long long)(l))

/* ------------------------------------------------------------------ ip alloc */

START_TEST(v4_network_and_broadcast_skipped)
{
	padd(NULL, "10.0.0.0/30", 0);
	IALLOC(NULL, "10.0.0.0/30", "10.0.0.1");
	IALLOC(NULL, "10.0.0.0/30", "10.0.0.2");
	IALLOC_FAILS(NULL, "10.0.0.0/30", IPAM_EEXHAUSTED);
	padd(NULL, "10.0.1.0/24", 0);
	for (int i = 1; i <= 254; i++) {
		char want[32];
		snprintf(want, sizeof(want), "10.0.1.%d", i);
		IALLOC(NULL, "10.0.1.0/24", want);
	}
	IALLOC_FAILS(NULL, "10.0.1.0/24", IPAM_EEXHAUSTED);
}
END_TEST

START_TEST(v4_31_32_use_every_address)
{
	padd(NULL, "10.0.0.0/31", 0);
	IALLOC(NULL, "10.0.0.0/31", "10.0.0.0");
	IALLOC(NULL, "10.0.0.0/31", "10.0.0.1");
	IALLOC_FAILS(NULL, "10.0.0.0/31", IPAM_EEXHAUSTED);
	padd(NULL, "10.0.0.7/32", 0);
	IALLOC(NULL, "10.0.0.7/32", "10.0.0.7");
	IALLOC_FAILS(NULL, "10.0.0.7/32", IPAM_EEXHAUSTED);
}
END_TEST

START_TEST(v4_pool_uses_every_address)
{
	padd(NULL, "10.0.0.0/30", 1);
	IALLOC(NULL, "10.0.0.0/30", "10.0.0.0");
	IALLOC(NULL, "10.0.0.0/30", "10.0.0.1");
	IALLOC(NULL, "10.0.0.0/30", "10.0.0.2");
	IALLOC(NULL, "10.0.0.0/30", "10.0.0.3");
	IALLOC_FAILS(NULL, "10.0.0.0/30", IPAM_EEXHAUSTED);
}
END_TEST

START_TEST(v6_skips_only_the_anycast)
{
	padd(NULL, "2001:db8::/126", 0);
	IALLOC(NULL, "2001:db8::/126", "2001:db8::1");
	IALLOC(NULL, "2001:db8::/126", "2001:db8::2");
	IALLOC(NULL, "2001:db8::/126", "2001:db8::3"); /* the last one is usable in IPv6 */
	IALLOC_FAILS(NULL, "2001:db8::/126", IPAM_EEXHAUSTED);
	padd(NULL, "2001:db8:1::/64", 0);
	IALLOC(NULL, "2001:db8:1::/64", "2001:db8:1::1");
}
END_TEST

START_TEST(v6_127_128_and_pool_use_every_address)
{
	padd(NULL, "2001:db8::/127", 0);
	IALLOC(NULL, "2001:db8::/127", "2001:db8::");
	IALLOC(NULL, "2001:db8::/127", "2001:db8::1");
	IALLOC_FAILS(NULL, "2001:db8::/127", IPAM_EEXHAUSTED);
	padd(NULL, "2001:db8::5/128", 0);
	IALLOC(NULL, "2001:db8::5/128", "2001:db8::5");
	IALLOC_FAILS(NULL, "2001:db8::5/128", IPAM_EEXHAUSTED);
	padd(NULL, "2001:db8::100/126", 1);
	IALLOC(NULL, "2001:db8::100/126", "2001:db8::100");
	IALLOC(NULL, "2001:db8::100/126", "2001:db8::101");
	IALLOC(NULL, "2001:db8::100/126", "2001:db8::102");
	IALLOC(NULL, "2001:db8::100/126", "2001:db8::103");
	IALLOC_FAILS(NULL, "2001:db8::100/126", IPAM_EEXHAUSTED);
}
END_TEST

START_TEST(child_prefixes_skipped_nested)
{
	padd(NULL, "10.1.0.0/24", 0);
	padd(NULL, "10.1.0.0/30", 0);
	padd(NULL, "10.1.0.4/30", 0);
	padd(NULL, "10.1.0.9/32", 0);
	IALLOC(NULL, "10.1.0.0/24", "10.1.0.8");
	IALLOC(NULL, "10.1.0.0/24", "10.1.0.10"); /* .9 is a /32 child */
	/* a child that itself has a child: allocation in the middle one skips
	 * its own network and the grandchild, not the outer parent's rules */
	padd(NULL, "10.1.0.64/26", 0);
	padd(NULL, "10.1.0.64/28", 0);
	padd(NULL, "10.1.0.80/29", 1);
	IALLOC(NULL, "10.1.0.64/26", "10.1.0.88");
	IALLOC(NULL, "10.1.0.64/28", "10.1.0.65");
	IALLOC(NULL, "10.1.0.80/29", "10.1.0.80"); /* pool */
	/* the outer parent skips the whole /26 */
	IALLOC(NULL, "10.1.0.0/24", "10.1.0.11");
}
END_TEST

START_TEST(ranges_skipped_nested)
{
	padd(NULL, "10.2.0.0/24", 0);
	radd(NULL, "10.2.0.1", "10.2.0.20");
	radd(NULL, "10.2.0.5", "10.2.0.6");
	IALLOC(NULL, "10.2.0.0/24", "10.2.0.21");
	ipam_addr f = adr("10.2.0.1"), l = adr("10.2.0.20");
	ck_assert_int_eq(ipam_range_rm(db, NULL, &f, &l), 0);
	IALLOC(NULL, "10.2.0.0/24", "10.2.0.1");
	IALLOC(NULL, "10.2.0.0/24", "10.2.0.2");
	IALLOC(NULL, "10.2.0.0/24", "10.2.0.3");
	IALLOC(NULL, "10.2.0.0/24", "10.2.0.4");
	IALLOC(NULL, "10.2.0.0/24", "10.2.0.7");
	/* a range in another space does not count */
	radd("blue", "10.2.0.8", "10.2.0.100");
	IALLOC(NULL, "10.2.0.0/24", "10.2.0.8");
}
END_TEST

START_TEST(range_covering_parent_exhausts)
{
	padd(NULL, "10.3.0.0/28", 0);
	radd(NULL, "10.3.0.0", "10.3.0.15");
	IALLOC_FAILS(NULL, "10.3.0.0/28", IPAM_EEXHAUSTED);
	PALLOC_FAILS(NULL, "10.3.0.0/28", 30, IPAM_POLICY_FIRST_FIT, IPAM_EEXHAUSTED);
	PALLOC_FAILS(NULL, "10.3.0.0/28", 32, IPAM_POLICY_BEST_FIT, IPAM_EEXHAUSTED);
	/* a range larger than the parent */
	padd(NULL, "10.3.1.0/28", 0);
	radd(NULL, "10.3.0.200", "10.3.2.0");
	IALLOC_FAILS(NULL, "10.3.1.0/28", IPAM_EEXHAUSTED);
	PALLOC_FAILS(NULL, "10.3.1.0/28", 29, IPAM_POLICY_FIRST_FIT, IPAM_EEXHAUSTED);
	/* v6, covering exactly */
	padd(NULL, "2001:db8::/120", 0);
	radd(NULL, "2001:db8::", "2001:db8::ff");
	IALLOC_FAILS(NULL, "2001:db8::/120", IPAM_EEXHAUSTED);
}
END_TEST

START_TEST(range_partially_overlapping_parent)
{
	padd(NULL, "10.4.0.0/24", 0);
	radd(NULL, "10.3.255.0", "10.4.0.9");
	radd(NULL, "10.4.0.250", "10.4.1.5");
	IALLOC(NULL, "10.4.0.0/24", "10.4.0.10");
	for (int i = 11; i <= 249; i++) {
		char want[32];
		snprintf(want, sizeof(want), "10.4.0.%d", i);
		IALLOC(NULL, "10.4.0.0/24", want);
	}
	IALLOC_FAILS(NULL, "10.4.0.0/24", IPAM_EEXHAUSTED);
	/* prefix alloc: the lowest /29 clear of .0-.9 is .16 (all taken now
	 * by addresses though), so use a fresh parent */
	padd(NULL, "10.4.2.0/24", 0);
	radd(NULL, "10.4.1.250", "10.4.2.9");
	PALLOC(NULL, "10.4.2.0/24", 29, IPAM_POLICY_FIRST_FIT, "10.4.2.16/29");
	PALLOC(NULL, "10.4.2.0/24", 31, IPAM_POLICY_FIRST_FIT, "10.4.2.10/31");
}
END_TEST

START_TEST(exhaustion_message_names_prefix_and_space)
{
	ipam_addr a;
	padd("blue", "10.9.0.0/30", 0);
	IALLOC("blue", "10.9.0.0/30", "10.9.0.1");
	IALLOC("blue", "10.9.0.0/30", "10.9.0.2");
	ck_assert_int_eq(ialloc_rc("blue", "10.9.0.0/30", &a), IPAM_EEXHAUSTED);
	ck_assert_int_eq(ipam_error_last()->code, IPAM_EEXHAUSTED);
	ck_assert_msg(strstr(err(), "10.9.0.0/30") != NULL, "message: %s", err());
	ck_assert_msg(strstr(err(), "blue") != NULL, "message: %s", err());

	padd(NULL, "2001:db8:9::/127", 0);
	IALLOC(NULL, "2001:db8:9::/127", "2001:db8:9::");
	IALLOC(NULL, "2001:db8:9::/127", "2001:db8:9::1");
	ck_assert_int_eq(ialloc_rc(NULL, "2001:db8:9::/127", &a), IPAM_EEXHAUSTED);
	ck_assert_msg(strstr(err(), "2001:db8:9::/127") != NULL, "message: %s", err());
	ck_assert_msg(strstr(err(), "default") != NULL, "message: %s", err());

	ipam_prefix p;
	ck_assert_int_eq(palloc_rc("blue", "10.9.0.0/30", 31, IPAM_POLICY_FIRST_FIT, &p), IPAM_EEXHAUSTED);
	ck_assert_msg(strstr(err(), "10.9.0.0/30") != NULL, "message: %s", err());
	ck_assert_msg(strstr(err(), "blue") != NULL, "message: %s", err());
	ck_assert_int_eq(palloc_rc("blue", "10.9.0.0/30", 31, IPAM_POLICY_BEST_FIT, &p), IPAM_EEXHAUSTED);
	ck_assert_msg(strstr(err(), "10.9.0.0/30") != NULL && strstr(err(), "blue") != NULL, "message: %s",
	              err());
}
END_TEST

START_TEST(release_restores)
{
	padd(NULL, "10.10.0.0/29", 0);
	IALLOC(NULL, "10.10.0.0/29", "10.10.0.1");
	IALLOC(NULL, "10.10.0.0/29", "10.10.0.2");
	IALLOC(NULL, "10.10.0.0/29", "10.10.0.3");
	release(NULL, "10.10.0.2");
	IALLOC(NULL, "10.10.0.0/29", "10.10.0.2");
	release(NULL, "10.10.0.1");
	release(NULL, "10.10.0.3");
	IALLOC(NULL, "10.10.0.0/29", "10.10.0.1");
	IALLOC(NULL, "10.10.0.0/29", "10.10.0.3");
	IALLOC(NULL, "10.10.0.0/29", "10.10.0.4");
	ipam_addr a = adr("10.10.0.1");
	ck_assert_int_eq(ipam_ip_release(db, NULL, &a), 0);
	ck_assert_int_eq(ipam_ip_release(db, NULL, &a), IPAM_ENOTFOUND);
	a = adr("10.10.0.3");
	ck_assert_int_eq(ipam_ip_release(db, "blue", &a), IPAM_ENOTFOUND);

	/* prefix alloc and prefix rm; addresses now: .2 .3 .4 */
	PALLOC(NULL, "10.10.0.0/29", 31, IPAM_POLICY_FIRST_FIT, "10.10.0.0/31");
	ipam_prefix p = pfx("10.10.0.0/31");
	ck_assert_int_eq(ipam_prefix_rm(db, NULL, &p), 0);
	ck_assert_int_eq(ipam_prefix_rm(db, NULL, &p), IPAM_ENOTFOUND);
	/* best-fit: .0/31 and .6/31 are the smallest maximal blocks: tie */
	PALLOC(NULL, "10.10.0.0/29", 31, IPAM_POLICY_BEST_FIT, "10.10.0.0/31");
	/* an address inside the removed prefix stays */
	IALLOC(NULL, "10.10.0.0/31", "10.10.0.0");
	ck_assert_int_eq(ipam_prefix_rm(db, NULL, &p), 0);
	IALLOC(NULL, "10.10.0.0/29", "10.10.0.1");
	IALLOC(NULL, "10.10.0.0/29", "10.10.0.5");
	IALLOC(NULL, "10.10.0.0/29", "10.10.0.6");
	IALLOC_FAILS(NULL, "10.10.0.0/29", IPAM_EEXHAUSTED); /* .7 is broadcast */
}
END_TEST

/* 10.20.0.0/24 with .64/26 .128/26 .192/28 .224/28 taken: the free maximal
 * blocks are .0/26, .208/28 and .240/28. */
static void fragment(void)
{
	padd(NULL, "10.20.0.0/24", 0);
	padd(NULL, "10.20.0.64/26", 0);
	padd(NULL, "10.20.0.128/26", 0);
	padd(NULL, "10.20.0.192/28", 0);
	padd(NULL, "10.20.0.224/28", 0);
}

START_TEST(best_fit_vs_first_fit)
{
	fragment();
	PALLOC(NULL, "10.20.0.0/24", 28, IPAM_POLICY_FIRST_FIT, "10.20.0.0/28");
	/* now free: .16/28 .32/27 (the /26 is split), .208/28, .240/28 */
	PALLOC(NULL, "10.20.0.0/24", 29, IPAM_POLICY_BEST_FIT, "10.20.0.16/29");
	/* free: .24/29 .32/27 .208/28 .240/28: best-fit /28 takes the smallest
	 * maximal block that holds it: .208/28 (tie with .240, lowest wins) */
	PALLOC(NULL, "10.20.0.0/24", 28, IPAM_POLICY_BEST_FIT, "10.20.0.208/28");
	PALLOC(NULL, "10.20.0.0/24", 28, IPAM_POLICY_BEST_FIT, "10.20.0.240/28");
	/* now a /28 fits only in .32/27 */
	PALLOC(NULL, "10.20.0.0/24", 28, IPAM_POLICY_BEST_FIT, "10.20.0.32/28");
	/* /30: smallest maximal blocks: .24/29 and .48/28 -> .24 */
	PALLOC(NULL, "10.20.0.0/24", 30, IPAM_POLICY_BEST_FIT, "10.20.0.24/30");
	PALLOC(NULL, "10.20.0.0/24", 29, IPAM_POLICY_FIRST_FIT, "10.20.0.48/29");
}
END_TEST

START_TEST(best_fit_differs_and_ties)
{
	fragment();
	PALLOC(NULL, "10.20.0.0/24", 29, IPAM_POLICY_BEST_FIT, "10.20.0.208/29");
	PALLOC(NULL, "10.20.0.0/24", 29, IPAM_POLICY_FIRST_FIT, "10.20.0.0/29");
	/* free maximal: .8/29 .16/28 .32/27 .216/29 .240/28 -> tie of /29s */
	PALLOC(NULL, "10.20.0.0/24", 30, IPAM_POLICY_BEST_FIT, "10.20.0.8/30");
	/* a too small hole is not used: free /30 at .12 and /29 at .216 */
	PALLOC(NULL, "10.20.0.0/24", 29, IPAM_POLICY_BEST_FIT, "10.20.0.216/29");
	/* the whole parent free: carve at its start */
	padd(NULL, "10.21.0.0/24", 0);
	PALLOC(NULL, "10.21.0.0/24", 27, IPAM_POLICY_BEST_FIT, "10.21.0.0/27");
	/* an address splits the blocks too */
	padd(NULL, "10.22.0.0/24", 0);
	iadd(NULL, "10.22.0.1");
	PALLOC(NULL, "10.22.0.0/24", 25, IPAM_POLICY_BEST_FIT, "10.22.0.128/25");
	PALLOC(NULL, "10.22.0.0/24", 31, IPAM_POLICY_BEST_FIT, "10.22.0.2/31");
	PALLOC(NULL, "10.22.0.0/24", 32, IPAM_POLICY_BEST_FIT, "10.22.0.0/32");
	PALLOC(NULL, "10.22.0.0/24", 32, IPAM_POLICY_FIRST_FIT, "10.22.0.4/32");
	/* v6 */
	padd(NULL, "2001:db8:20::/120", 0);
	padd(NULL, "2001:db8:20::/122", 0);
	padd(NULL, "2001:db8:20::80/123", 0);
	PALLOC(NULL, "2001:db8:20::/120", 124, IPAM_POLICY_BEST_FIT, "2001:db8:20::a0/124");
	PALLOC(NULL, "2001:db8:20::/120", 124, IPAM_POLICY_FIRST_FIT, "2001:db8:20::40/124");
}
END_TEST

START_TEST(prefix_alloc_length_checks)
{
	padd(NULL, "10.30.0.0/24", 0);
	PALLOC_FAILS(NULL, "10.30.0.0/24", 24, IPAM_POLICY_FIRST_FIT, IPAM_EINVAL);
	PALLOC_FAILS(NULL, "10.30.0.0/24", 23, IPAM_POLICY_FIRST_FIT, IPAM_EINVAL);
	PALLOC_FAILS(NULL, "10.30.0.0/24", 0, IPAM_POLICY_BEST_FIT, IPAM_EINVAL);
	PALLOC_FAILS(NULL, "10.30.0.0/24", 33, IPAM_POLICY_FIRST_FIT, IPAM_EINVAL);
	PALLOC_FAILS(NULL, "10.30.0.0/24", 33, IPAM_POLICY_BEST_FIT, IPAM_EINVAL);
	/* the network/broadcast rule does not apply to prefix alloc */
	PALLOC(NULL, "10.30.0.0/24", 32, IPAM_POLICY_FIRST_FIT, "10.30.0.0/32");
	padd(NULL, "10.30.1.0/32", 0);
	PALLOC_FAILS(NULL, "10.30.1.0/32", 32, IPAM_POLICY_FIRST_FIT, IPAM_EINVAL);
	padd(NULL, "2001:db8:30::/64", 0);
	PALLOC_FAILS(NULL, "2001:db8:30::/64", 64, IPAM_POLICY_FIRST_FIT, IPAM_EINVAL);
	PALLOC_FAILS(NULL, "2001:db8:30::/64", 129, IPAM_POLICY_FIRST_FIT, IPAM_EINVAL);
	PALLOC(NULL, "2001:db8:30::/64", 128, IPAM_POLICY_FIRST_FIT, "2001:db8:30::/128");
	PALLOC(NULL, "2001:db8:30::/64", 65, IPAM_POLICY_FIRST_FIT, "2001:db8:30:0:8000::/65");
	PALLOC(NULL, "2001:db8:30::/64", 127, IPAM_POLICY_BEST_FIT, "2001:db8:30::2/127");
	/* not a prefix of the space */
	PALLOC_FAILS(NULL, "10.30.0.0/25", 26, IPAM_POLICY_FIRST_FIT, IPAM_ENOTFOUND);
	PALLOC_FAILS("blue", "10.30.0.0/24", 26, IPAM_POLICY_FIRST_FIT, IPAM_ENOTFOUND);
	/* the new block is a prefix: allocating inside it works, adding it fails */
	PALLOC(NULL, "10.30.0.0/24", 26, IPAM_POLICY_FIRST_FIT, "10.30.0.64/26");
	IALLOC(NULL, "10.30.0.64/26", "10.30.0.65");
	ipam_prefix_options o = IPAM_PREFIX_OPTIONS_INIT;
	ipam_prefix p = pfx("10.30.0.64/26");
	ck_assert_int_eq(ipam_prefix_add(db, &p, &o), IPAM_EEXISTS);
}
END_TEST

START_TEST(ip_alloc_on_occupied_host_prefix)
{
	padd(NULL, "10.5.0.7/32", 0);
	iadd(NULL, "10.5.0.7");
	IALLOC_FAILS(NULL, "10.5.0.7/32", IPAM_EEXHAUSTED);
	padd(NULL, "2001:db8:5::7/128", 0);
	iadd(NULL, "2001:db8:5::7");
	IALLOC_FAILS(NULL, "2001:db8:5::7/128", IPAM_EEXHAUSTED);
	/* a /32 child blocks its address in the parent; allocation in it works */
	padd(NULL, "10.5.1.0/30", 0);
	padd(NULL, "10.5.1.1/32", 0);
	IALLOC(NULL, "10.5.1.0/30", "10.5.1.2");
	IALLOC(NULL, "10.5.1.1/32", "10.5.1.1");
	IALLOC_FAILS(NULL, "10.5.1.0/30", IPAM_EEXHAUSTED);
	/* an address equal to a /31 child's addresses */
	padd(NULL, "10.5.2.0/31", 0);
	iadd(NULL, "10.5.2.0");
	IALLOC(NULL, "10.5.2.0/31", "10.5.2.1");
}
END_TEST

START_TEST(spaces_are_independent)
{
	padd(NULL, "10.6.0.0/30", 0);
	padd("blue", "10.6.0.0/30", 0);
	ipam_prefix_options o = IPAM_PREFIX_OPTIONS_INIT;
	ipam_prefix p = pfx("10.6.0.0/30");
	o.space = "blue";
	ck_assert_int_eq(ipam_prefix_add(db, &p, &o), IPAM_EEXISTS);
	o.space = "default";
	ck_assert_int_eq(ipam_prefix_add(db, &p, &o), IPAM_EEXISTS);
	IALLOC(NULL, "10.6.0.0/30", "10.6.0.1");
	IALLOC("blue", "10.6.0.0/30", "10.6.0.1");
	IALLOC("default", "10.6.0.0/30", "10.6.0.2");
	iadd("blue", "10.6.0.2");
	ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
	ipam_addr a = adr("10.6.0.2");
	io.space = "blue";
	ck_assert_int_eq(ipam_ip_add(db, &a, &io), IPAM_EEXISTS);
	io.space = NULL;
	ck_assert_int_eq(ipam_ip_add(db, &a, &io), IPAM_EEXISTS);
	IALLOC_FAILS("blue", "10.6.0.0/30", IPAM_EEXHAUSTED);
	/* a child in one space does not block the other */
	padd("blue", "10.6.1.0/24", 0);
	padd(NULL, "10.6.1.0/24", 0);
	padd("blue", "10.6.1.0/25", 0);
	IALLOC(NULL, "10.6.1.0/24", "10.6.1.1");
	IALLOC("blue", "10.6.1.0/24", "10.6.1.128");
	ipam_util u = util("blue", "10.6.1.0/24");
	U128_EQ(u.used, 0, 129);
	u = util(NULL, "10.6.1.0/24");
	U128_EQ(u.used, 0, 1);
}
END_TEST

START_TEST(unknown_space)
{
	ipam_prefix p = pfx("10.0.0.0/24");
	ipam_addr a = adr("10.0.0.1"), b = adr("10.0.0.9"), out;
	ipam_prefix_options po = IPAM_PREFIX_OPTIONS_INIT;
	ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
	ipam_range_options ro = IPAM_RANGE_OPTIONS_INIT;
	ipam_prefix_alloc_options ao = IPAM_PREFIX_ALLOC_OPTIONS_INIT;
	ipam_util u = IPAM_UTIL_INIT;
	ipam_prefix q;
	padd(NULL, "10.0.0.0/24", 0);
	po.space = io.space = ro.space = ao.space = "nosuch";
	ao.length = 26;
	ck_assert_int_eq(ipam_prefix_add(db, &p, &po), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_ip_alloc(&out, db, &p, &io), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_ip_add(db, &a, &io), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_ip_release(db, "nosuch", &a), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_range_add(db, &a, &b, &ro), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_range_rm(db, "nosuch", &a, &b), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_prefix_alloc(&q, db, &p, &ao), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_prefix_rm(db, "nosuch", &p), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_prefix_util(&u, db, "nosuch", &p), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_prefix_match(&q, db, "nosuch", &p), IPAM_ENOTFOUND);
	/* and nothing of it landed in default */
	IALLOC(NULL, "10.0.0.0/24", "10.0.0.1");
	/* ip alloc on a non-prefix */
	IALLOC_FAILS(NULL, "10.0.0.0/25", IPAM_ENOTFOUND);
	IALLOC_FAILS("blue", "10.0.0.0/24", IPAM_ENOTFOUND);
}
END_TEST

START_TEST(v4_mapped_stays_v6)
{
	padd(NULL, "::ffff:10.7.0.0/120", 0);
	padd(NULL, "10.7.0.0/24", 0);
	iadd(NULL, "10.7.0.1");
	ipam_addr got;
	ck_assert_int_eq(ialloc_rc(NULL, "::ffff:10.7.0.0/120", &got), 0);
	ck_assert_int_eq(got.family, IPAM_AF_INET6);
	ipam_addr want = adr("::ffff:10.7.0.1");
	ck_assert_int_eq(want.family, IPAM_AF_INET6);
	ck_assert_mem_eq(&got, &want, sizeof(got));
	IALLOC(NULL, "10.7.0.0/24", "10.7.0.2");
	/* the v6 /120 has no broadcast: its last address is usable */
	ipam_util u = util(NULL, "::ffff:10.7.0.0/120");
	U128_EQ(u.used, 0, 1);
	u = util(NULL, "10.7.0.0/24");
	U128_EQ(u.used, 0, 2);
	ipam_prefix m, t = pfx("::ffff:10.7.0.5/128");
	ck_assert_int_eq(ipam_prefix_match(&m, db, NULL, &t), 0);
	ck_assert_int_eq(m.addr.family, IPAM_AF_INET6);
	ck_assert_int_eq(m.len, 120);
	ipam_ip_info info;
	memset(&info, 0, sizeof(info));
	info.version = IPAM_IP_INFO_VERSION;
	ck_assert_int_eq(ipam_ip_get(&info, db, NULL, &want), 0);
	ck_assert_int_eq(info.addr.family, IPAM_AF_INET6);
	ck_assert_int_eq(info.has_prefix, 1);
	ck_assert_int_eq(info.prefix.addr.family, IPAM_AF_INET6);
	ipam_ip_info_dispose(&info);
	ipam_addr v4 = adr("10.7.0.3");
	ck_assert_int_eq(ipam_ip_get(&info, db, NULL, &v4), IPAM_ENOTFOUND);
}
END_TEST

START_TEST(zero_length_parents)
{
	padd(NULL, "0.0.0.0/0", 0);
	IALLOC(NULL, "0.0.0.0/0", "0.0.0.1");
	PALLOC(NULL, "0.0.0.0/0", 1, IPAM_POLICY_FIRST_FIT, "128.0.0.0/1");
	PALLOC_FAILS(NULL, "0.0.0.0/0", 1, IPAM_POLICY_BEST_FIT, IPAM_EEXHAUSTED);
	PALLOC(NULL, "0.0.0.0/0", 2, IPAM_POLICY_FIRST_FIT, "64.0.0.0/2");
	ipam_util u = util(NULL, "0.0.0.0/0");
	U128_EQ(u.total, 0, 1ull << 32);
	U128_EQ(u.used, 0, (1ull << 31) + (1ull << 30) + 1);
	U128_EQ(u.free, 0, (1ull << 30) - 1);
	U128_EQ(u.free_64s, 0, 0);

	padd(NULL, "::/0", 0);
	u = util(NULL, "::/0");
	U128_EQ(u.total, ~0ull, ~0ull); /* 2^128 - 1: the documented saturation */
	U128_EQ(u.used, 0, 0);
	U128_EQ(u.free, ~0ull, ~0ull);
	U128_EQ(u.free_64s, 1, 0); /* 2^64 */
	IALLOC(NULL, "::/0", "::1");
	u = util(NULL, "::/0");
	U128_EQ(u.used, 0, 1);
	U128_EQ(u.free, ~0ull, ~0ull - 1);
	U128_EQ(u.free_64s, 0, ~0ull); /* 2^64 - 1 */
	PALLOC(NULL, "::/0", 1, IPAM_POLICY_BEST_FIT, "8000::/1");
	PALLOC(NULL, "::/0", 64, IPAM_POLICY_FIRST_FIT, "0:0:0:1::/64");
	u = util(NULL, "::/0");
	U128_EQ(u.used, (1ull << 63) + 1, 1); /* 2^127 + 2^64 + 1 */
	U128_EQ(u.free_64s, 0, (1ull << 63) - 2);
}
END_TEST

START_TEST(util_exact)
{
	padd(NULL, "10.8.0.0/24", 0);
	padd(NULL, "10.8.0.0/26", 0);
	iadd(NULL, "10.8.0.100");
	radd(NULL, "10.8.0.200", "10.8.0.209");
	iadd(NULL, "10.8.0.205");  /* inside the range: counted once */
	iadd(NULL, "10.8.0.5");    /* inside the /26: counted once */
	radd(NULL, "10.8.0.250", "10.8.1.10"); /* clipped to .250-.255 */
	ipam_util u = util(NULL, "10.8.0.0/24");
	U128_EQ(u.total, 0, 256);
	U128_EQ(u.used, 0, 64 + 1 + 10 + 6);
	U128_EQ(u.free, 0, 256 - 81);
	U128_EQ(u.free_64s, 0, 0);
	ck_assert_msg(u.used_percent > 31.64 && u.used_percent < 31.65, "used_percent %f", u.used_percent);
	/* the prefix itself is not "inside" itself */
	u = util(NULL, "10.8.0.0/26");
	U128_EQ(u.total, 0, 64);
	U128_EQ(u.used, 0, 1);
	/* a CIDR that is not a prefix, covered by a range entirely */
	u = util(NULL, "10.8.0.200/29");
	U128_EQ(u.used, 0, 8);
	U128_EQ(u.free, 0, 0);
	/* a bigger CIDR counts the /24 */
	u = util(NULL, "10.8.0.0/23");
	U128_EQ(u.used, 0, 256 + 11);
	/* an address equal to a /32 CIDR */
	u = util(NULL, "10.8.0.100/32");
	U128_EQ(u.total, 0, 1);
	U128_EQ(u.used, 0, 1);

	/* v6 with free_64s */
	padd(NULL, "2001:db8:1::/48", 0);
	padd(NULL, "2001:db8:1::/64", 0);
	iadd(NULL, "2001:db8:1:1::5");
	radd(NULL, "2001:db8:1:2::", "2001:db8:1:2::ff");
	radd(NULL, "2001:db8:1:2::80", "2001:db8:1:3::"); /* spills one address into :3:: */
	u = util(NULL, "2001:db8:1::/48");
	U128_EQ(u.total, 1ull << 16, 0);
	/* used: the /64 (2^64), 1 address, and the ranges' union
	 * 2001:db8:1:2:: .. 2001:db8:1:3:: (2^64 + 1) */
	U128_EQ(u.used, 2, 2);
	U128_EQ(u.free_64s, 0, 65536 - 4);
	u = util(NULL, "2001:db8:1::/64");
	U128_EQ(u.used, 0, 0);
	U128_EQ(u.free_64s, 0, 1);
	u = util(NULL, "2001:db8:1:1::/64");
	U128_EQ(u.used, 0, 1);
	U128_EQ(u.free_64s, 0, 0);
	u = util(NULL, "2001:db8:1:1::/96");
	U128_EQ(u.free_64s, 0, 0); /* longer than /64 */
	U128_EQ(u.total, 0, 1ull << 32);
	/* the /64 prefix is strictly inside a /63 */
	u = util(NULL, "2001:db8:1::/63");
	U128_EQ(u.free_64s, 0, 0);
	U128_EQ(u.used, 1, 1);
}
END_TEST

START_TEST(ranges_rules)
{
	ipam_range_options ro = IPAM_RANGE_OPTIONS_INIT;
	ipam_addr a = adr("10.40.0.10"), b = adr("10.40.0.20"), c6 = adr("2001:db8::1");
	ck_assert_int_eq(ipam_range_add(db, &a, &b, &ro), 0);
	ro.purpose = IPAM_RANGE_EXCLUDED;
	ck_assert_int_eq(ipam_range_add(db, &a, &b, &ro), IPAM_EEXISTS);
	ck_assert_int_eq(ipam_range_add(db, &a, &a, &ro), 0);
	ck_assert_int_eq(ipam_range_add(db, &b, &a, &ro), IPAM_EINVAL);
	ck_assert_int_eq(ipam_range_add(db, &a, &c6, &ro), IPAM_EINVAL);
	ro.space = "blue";
	ck_assert_int_eq(ipam_range_add(db, &a, &b, &ro), 0);
	ck_assert_int_eq(ipam_range_rm(db, NULL, &a, &b), 0);
	ck_assert_int_eq(ipam_range_rm(db, NULL, &a, &b), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_range_rm(db, NULL, &b, &b), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_range_rm(db, "blue", &a, &b), 0);
	padd(NULL, "10.40.0.0/24", 0);
	IALLOC(NULL, "10.40.0.0/24", "10.40.0.1");
	radd(NULL, "10.40.0.2", "10.40.0.2");
	IALLOC(NULL, "10.40.0.0/24", "10.40.0.3");
	ck_assert_int_eq(ipam_range_rm(db, NULL, &a, &a), 0);
	/* ip add inside a range is allowed (it is recorded; alloc never hands it out) */
	iadd(NULL, "10.40.0.2");
}
END_TEST

START_TEST(match_most_specific)
{
	ipam_prefix m, t;
	padd(NULL, "10.50.0.0/16", 0);
	padd(NULL, "10.50.1.0/24", 0);
	padd(NULL, "10.50.1.128/25", 0);
	t = pfx("10.50.1.200/32");
	ck_assert_int_eq(ipam_prefix_match(&m, db, NULL, &t), 0);
	ipam_prefix want = pfx("10.50.1.128/25");
	ck_assert_mem_eq(&m, &want, sizeof(m));
	t = pfx("10.50.1.0/24");
	ck_assert_int_eq(ipam_prefix_match(&m, db, NULL, &t), 0);
	ck_assert_mem_eq(&m, &t, sizeof(m));
	t = pfx("10.50.0.0/15");
	ck_assert_int_eq(ipam_prefix_match(&m, db, NULL, &t), IPAM_ENOTFOUND);
	t = pfx("10.50.1.0/25");
	ck_assert_int_eq(ipam_prefix_match(&m, db, NULL, &t), 0);
	want = pfx("10.50.1.0/24");
	ck_assert_mem_eq(&m, &want, sizeof(m));
	t = pfx("10.50.1.0/24");
	ck_assert_int_eq(ipam_prefix_match(&m, db, "blue", &t), IPAM_ENOTFOUND);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("alloc");
	TCase *tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, v4_network_and_broadcast_skipped);
	tcase_add_test(tc, v4_31_32_use_every_address);
	tcase_add_test(tc, v4_pool_uses_every_address);
	tcase_add_test(tc, v6_skips_only_the_anycast);
	tcase_add_test(tc, v6_127_128_and_pool_use_every_address);
	tcase_add_test(tc, child_prefixes_skipped_nested);
	tcase_add_test(tc, ranges_skipped_nested);
	tcase_add_test(tc, range_covering_parent_exhausts);
	tcase_add_test(tc, range_partially_overlapping_parent);
	tcase_add_test(tc, exhaustion_message_names_prefix_and_space);
	tcase_add_test(tc, release_restores);
	tcase_add_test(tc, best_fit_vs_first_fit);
	tcase_add_test(tc, best_fit_differs_and_ties);
	tcase_add_test(tc, prefix_alloc_length_checks);
	tcase_add_test(tc, ip_alloc_on_occupied_host_prefix);
	tcase_add_test(tc, spaces_are_independent);
	tcase_add_test(tc, unknown_space);
	tcase_add_test(tc, v4_mapped_stays_v6);
	tcase_add_test(tc, zero_length_parents);
	tcase_add_test(tc, util_exact);
	tcase_add_test(tc, ranges_rules);
	tcase_add_test(tc, match_most_specific);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
