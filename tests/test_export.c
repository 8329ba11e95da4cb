/* Export and import: the row codec (no database), the audit hash, and the
 * whole document on memory: stores: byte-identical round trips, refusal of
 * a non-empty store, errors that name the object and field, a tampered
 * chain, truncated and newer documents. */
#include "ipam.h"
#include "ipam/audit.h"
#include "ipam/export.h"

#include "db/check.h"
#include "io/io.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define OK(call) ck_assert_msg((call) == 0, "%s: %s", #call, ipam_error_last()->message)

static ipam_addr A(const char *s)
{
	ipam_addr a;
	ck_assert_msg(ipam_addr_parse(&a, s) == 0, "parse %s", s);
	return a;
}

static ipam_prefix P(const char *s)
{
	ipam_prefix p;
	ck_assert_msg(ipam_prefix_parse(&p, s, IPAM_PARSE_DEFAULT) == 0, "parse %s", s);
	return p;
}

static void id_of(uint8_t id[16], unsigned n)
{
	memset(id, 0, 16);
	id[0] = 0xa0;
	id[14] = (uint8_t)(n >> 8);
	id[15] = (uint8_t)n;
}

static const char *has(const char *msg, const char *part)
{
	const char *at = strstr(msg, part);
	ck_assert_msg(at != NULL, "message \"%s\" lacks \"%s\"", msg, part);
	return at;
}

/* ---- the codec -------------------------------------------------------------------- */

START_TEST(time_format_and_parse)
{
	static const struct {
		int64_t us;
		const char *text;
	} v[] = {
		{ 0, "1970-01-01T00:00:00.000000Z" },
		{ -1, "1969-12-31T23:59:59.999999Z" },
		{ INT64_C(1795255200123456), "2026-11-21T10:00:00.123456Z" },
		{ INT64_C(951868799999999), "2000-02-29T23:59:59.999999Z" },
		{ INT64_C(-2203891199999999), "1900-03-01T00:00:00.000001Z" },
		{ INT64_C(-62135596800000000), "0001-01-01T00:00:00.000000Z" },
		{ INT64_C(-62167219200000000), "0000-01-01T00:00:00.000000Z" },
		{ INT64_C(253402300799999999), "9999-12-31T23:59:59.999999Z" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char t[IPAM__TIME_STRLEN];
		ck_assert_int_eq(ipam__time_format(t, v[i].us), 0);
		ck_assert_str_eq(t, v[i].text);
		int64_t back = 42;
		ck_assert_ptr_null(ipam__time_parse(&back, t));
		ck_assert_int_eq(back, v[i].us);
	}
	char t[IPAM__TIME_STRLEN];
	ck_assert_int_eq(ipam__time_format(t, INT64_C(253402300800000000)), IPAM_EINVAL);
	ck_assert_int_eq(ipam__time_format(t, INT64_C(-62167219200000001)), IPAM_EINVAL);
	ck_assert_int_eq(ipam__time_format(t, INT64_MIN), IPAM_EINVAL);
	ck_assert_int_eq(ipam__time_format(t, INT64_MAX), IPAM_EINVAL);

	/* other RFC 3339 forms read, to the microsecond */
	int64_t us;
	ck_assert_ptr_null(ipam__time_parse(&us, "2026-11-21T11:00:00.123456+01:00"));
	ck_assert_int_eq(us, INT64_C(1795255200123456));
	ck_assert_ptr_null(ipam__time_parse(&us, "2026-11-21t10:00:00.1z"));
	ck_assert_int_eq(us, INT64_C(1795255200100000));
	ck_assert_ptr_null(ipam__time_parse(&us, "1970-01-01T00:00:00Z"));
	ck_assert_int_eq(us, 0);
	ck_assert_ptr_null(ipam__time_parse(&us, "1969-12-31T19:00:00-05:00"));
	ck_assert_int_eq(us, 0);
	static const char *const bad[] = {
		"", "2026", "2026-11-21", "2026-11-21 10:00:00Z", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
		"1900-02-29T00:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T10:60:00Z", "2026-11-21T10:00:60Z",
		"2026-11-21T10:00:00", "2026-11-21T10:00:00.Z", "2026-11-21T10:00:00.1234567Z",
		"2026-11-21T10:00:00Zjunk", "2026-11-21T10:00:00+1:00", "0000-01-01T00:00:00+00:01",
		"9999-12-31T23:59:59-00:01", "2026-00-10T00:00:00Z", "2026-04-31T00:00:00Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(ipam__time_parse(&us, bad[i]) != NULL, "accepted %s", bad[i]);
}
END_TEST

static ipam_store_row address_row(void)
{
	ipam_store_row r;
	memset(&r, 0, sizeof r);
	r.kind = IPAM_STORE_ADDRESS;
	id_of(r.id, 5);
	id_of(r.space, 2);
	r.addr = A("10.0.0.5");
	r.status = IPAM_STATUS_ACTIVE;
	r.name = "h.example.com";
	static const uint8_t mac[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	memcpy(r.mac, mac, 6);
	r.maclen = 6;
	r.description = "Büro 東京";
	r.attrs = "{\"rack\":\"r1\",\"u\":12}";
	r.version = 3;
	r.created = INT64_C(1795255200123456);
	r.updated = INT64_C(1795255200123457);
	return r;
}

START_TEST(rows_to_json)
{
	ipam_buf b = IPAM_BUF_INIT;
	ipam_store_row r = address_row();
	OK(ipam__row_to_json(&b, &r, "default"));
	ck_assert_str_eq(b.ptr,
	                 "{\"id\":\"a0000000-0000-0000-0000-000000000005\",\"tenant\":\"00000000-0000-0000-0000-000000000000\","
	                 "\"space\":\"default\",\"address\":\"10.0.0.5\",\"status\":\"active\",\"hostname\":\"h.example.com\","
	                 "\"mac\":\"aa:bb:cc:dd:ee:ff\",\"description\":\"Büro 東京\",\"attrs\":{\"rack\":\"r1\",\"u\":12},"
	                 "\"version\":3,\"created\":\"2026-11-21T10:00:00.123456Z\",\"updated\":\"2026-11-21T10:00:00.123457Z\"}");
	ck_assert_uint_eq(b.size, strlen(b.ptr));

	/* nothing optional: null strings and MAC, {} attrs; it appends */
	memset(&r, 0, sizeof r);
	r.kind = IPAM_STORE_ADDRESS;
	r.addr = A("2001:db8::1");
	r.status = IPAM_STATUS_DHCP;
	b.size = 0;
	OK(ipam__row_to_json(&b, &r, "red"));
	ck_assert_str_eq(b.ptr,
	                 "{\"id\":\"00000000-0000-0000-0000-000000000000\",\"tenant\":\"00000000-0000-0000-0000-000000000000\","
	                 "\"space\":\"red\",\"address\":\"2001:db8::1\",\"status\":\"dhcp\",\"hostname\":null,\"mac\":null,"
	                 "\"description\":null,\"attrs\":{},\"version\":0,\"created\":\"1970-01-01T00:00:00.000000Z\","
	                 "\"updated\":\"1970-01-01T00:00:00.000000Z\"}");

	memset(&r, 0, sizeof r);
	r.kind = IPAM_STORE_PREFIX;
	id_of(r.id, 7);
	r.addr = A("2001:db8::");
	r.len = 32;
	r.status = IPAM_STATUS_CONTAINER;
	r.pool = 1;
	r.version = UINT64_C(18446744073709551615);
	b.size = 0;
	OK(ipam__row_to_json(&b, &r, "blue"));
	ck_assert_str_eq(b.ptr,
	                 "{\"id\":\"a0000000-0000-0000-0000-000000000007\",\"tenant\":\"00000000-0000-0000-0000-000000000000\","
	                 "\"space\":\"blue\",\"prefix\":\"2001:db8::/32\",\"status\":\"container\",\"pool\":true,"
	                 "\"description\":null,\"attrs\":{},\"version\":18446744073709551615,"
	                 "\"created\":\"1970-01-01T00:00:00.000000Z\",\"updated\":\"1970-01-01T00:00:00.000000Z\"}");

	memset(&r, 0, sizeof r);
	r.kind = IPAM_STORE_RANGE;
	r.addr = A("10.1.0.10");
	r.last = A("10.1.0.50");
	r.purpose = IPAM_RANGE_EXCLUDED;
	r.description = "";
	b.size = 0;
	OK(ipam__row_to_json(&b, &r, "blue"));
	has(b.ptr, "\"space\":\"blue\",\"first\":\"10.1.0.10\",\"last\":\"10.1.0.50\",\"purpose\":\"excluded\","
	           "\"description\":\"\",\"attrs\":{},\"version\":0,");

	memset(&r, 0, sizeof r);
	r.kind = IPAM_STORE_SPACE;
	id_of(r.id, 2);
	r.name = "blue";
	r.attrs = "{\"provider\":\"aws\"}";
	b.size = 0;
	OK(ipam__row_to_json(&b, &r, NULL));
	ck_assert_str_eq(b.ptr,
	                 "{\"id\":\"a0000000-0000-0000-0000-000000000002\",\"tenant\":\"00000000-0000-0000-0000-000000000000\","
	                 "\"name\":\"blue\",\"labels\":{\"provider\":\"aws\"},\"version\":0,"
	                 "\"created\":\"1970-01-01T00:00:00.000000Z\",\"updated\":\"1970-01-01T00:00:00.000000Z\"}");

	memset(&r, 0, sizeof r);
	r.kind = IPAM_STORE_TENANT;
	r.name = "default";
	b.size = 0;
	OK(ipam__row_to_json(&b, &r, NULL));
	ck_assert_str_eq(b.ptr,
	                 "{\"id\":\"00000000-0000-0000-0000-000000000000\",\"name\":\"default\",\"attrs\":{},\"version\":0,"
	                 "\"created\":\"1970-01-01T00:00:00.000000Z\",\"updated\":\"1970-01-01T00:00:00.000000Z\"}");

	/* what cannot be written fails and leaves the buffer as it was */
	size_t before = b.size;
	r = address_row();
	r.status = 9;
	ck_assert_int_eq(ipam__row_to_json(&b, &r, "default"), IPAM_EINVAL);
	has(ipam_error_last()->message, "status 9");
	ck_assert_uint_eq(b.size, before);
	r = address_row();
	ck_assert_int_eq(ipam__row_to_json(&b, &r, NULL), IPAM_EINVAL);
	r.created = INT64_MAX;
	ck_assert_int_eq(ipam__row_to_json(&b, &r, "default"), IPAM_EINVAL);
	r = address_row();
	r.attrs = "[1]";
	ck_assert_int_eq(ipam__row_to_json(&b, &r, "default"), IPAM_EINVAL);
	r = address_row();
	r.maclen = 7;
	ck_assert_int_eq(ipam__row_to_json(&b, &r, "default"), IPAM_EINVAL);
	r = address_row();
	r.addr.family = 5;
	ck_assert_int_eq(ipam__row_to_json(&b, &r, "default"), IPAM_EINVAL);
	r.kind = 77;
	ck_assert_int_eq(ipam__row_to_json(&b, &r, "default"), IPAM_EINVAL);
	ck_assert_uint_eq(b.size, before);
	ck_assert_str_eq(b.ptr + before - 3, "Z\"}");
	ipam_buf_dispose(&b);
}
END_TEST

START_TEST(string_escapes)
{
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam__json_str(&b, "q\" b\\ / \b\f\n\r\t \x01\x1f\x7f é 𝄞"));
	ck_assert_str_eq(b.ptr, "\"q\\\" b\\\\ / \\b\\f\\n\\r\\t \\u0001\\u001f\x7f é 𝄞\"");
	b.size = 0;
	/* bytes that are not well-formed UTF-8 each become U+FFFD: a lone
	 * continuation byte, a truncated sequence, an overlong, a surrogate, a
	 * code point past U+10FFFF, 0xFF */
	OK(ipam__json_str(&b, "a\x80" "b\xe2\x82" "c\xc0\xaf" "d\xed\xa0\x80" "e\xf4\x90\x80\x80" "f\xff"));
	ck_assert_str_eq(b.ptr, "\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD"
	                        "d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "e\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
	                        "f\xEF\xBF\xBD\"");
	ck_assert_int_eq(ipam__utf8_bad(b.ptr), -1);
	ck_assert_int_eq(ipam__utf8_bad("ok\xc3"), 2);
	b.size = 0;
	OK(ipam__json_str(&b, NULL));
	ck_assert_str_eq(b.ptr, "null");

	/* every byte value in a description: the row is valid JSON and reads back */
	char all[256];
	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	ipam_store_row r = address_row();
	r.description = all;
	b.size = 0;
	OK(ipam__row_to_json(&b, &r, "default"));
	ck_assert_int_eq(ipam__utf8_bad(b.ptr), -1);
	cJSON *v = cJSON_ParseWithOpts(b.ptr, NULL, 1);
	ck_assert_ptr_nonnull(v);
	cJSON_Delete(v);
	ipam__jrow j;
	OK(ipam__row_from_text(&j, IPAM_STORE_ADDRESS, b.ptr, b.size, "t"));
	ck_assert_int_eq(strncmp(j.description, all, 127), 0); /* ASCII kept */
	ipam__jrow_dispose(&j);

	/* a long string crosses the writer's buffer */
	size_t n = 5000;
	char *longs = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		longs[i] = i % 100 == 99 ? '"' : 'x';
	longs[n] = '\0';
	b.size = 0;
	OK(ipam__json_str(&b, longs));
	ck_assert_uint_eq(b.size, n + 2 + n / 100);
	free(longs);
	ipam_buf_dispose(&b);
}
END_TEST

static void roundtrip(const ipam_store_row *r, const char *space)
{
	ipam_buf a = IPAM_BUF_INIT, c = IPAM_BUF_INIT;
	OK(ipam__row_to_json(&a, r, space));
	ipam__jrow j;
	OK(ipam__row_from_text(&j, r->kind, a.ptr, a.size, "row"));
	ck_assert_mem_eq(j.row.id, r->id, 16);
	ck_assert_int_eq(j.row.created, r->created);
	ck_assert_int_eq(j.row.updated, r->updated);
	ck_assert_uint_eq(j.row.version, r->version);
	if (r->kind >= IPAM_STORE_PREFIX) {
		ck_assert_str_eq(j.space_name, space);
		memcpy(j.row.space, r->space, 16);
		ck_assert_int_eq(ipam_addr_cmp(&j.row.addr, &r->addr), 0);
	}
	OK(ipam__row_to_json(&c, &j.row, j.space_name));
	ck_assert_str_eq(a.ptr, c.ptr);
	ipam__jrow_dispose(&j);
	ipam_buf_dispose(&a);
	ipam_buf_dispose(&c);
}

START_TEST(rows_round_trip)
{
	ipam_store_row r = address_row();
	roundtrip(&r, "default");
	r.maclen = 8;
	r.name = NULL;
	r.description = NULL;
	r.attrs = NULL;
	r.addr = A("2001:db8:0:1::ff");
	r.status = IPAM_STATUS_DEPRECATED;
	r.created = -123456789;
	roundtrip(&r, "v6.space:1/a_b-c");

	memset(&r, 0, sizeof r);
	r.kind = IPAM_STORE_PREFIX;
	id_of(r.id, 9);
	id_of(r.tenant, 1);
	r.addr = A("0.0.0.0");
	r.len = 0;
	r.status = IPAM_STATUS_RESERVED;
	r.description = "tab\there";
	r.attrs = "{\"a\":[1,2,{\"b\":null}],\"c\":\"\\u0001\"}";
	r.version = UINT64_C(9007199254740992);
	roundtrip(&r, "x");

	memset(&r, 0, sizeof r);
	r.kind = IPAM_STORE_RANGE;
	r.addr = A("::");
	r.last = A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	r.purpose = IPAM_RANGE_RESERVED;
	roundtrip(&r, "default");

	memset(&r, 0, sizeof r);
	r.kind = IPAM_STORE_SPACE;
	r.name = "blue";
	r.attrs = "{\"env\":\"prod\",\"region\":\"eu-west-1\"}";
	roundtrip(&r, NULL);

	memset(&r, 0, sizeof r);
	r.kind = IPAM_STORE_TENANT;
	id_of(r.id, 3);
	r.name = "Ünïcode tenant";
	roundtrip(&r, NULL);
}
END_TEST

/* Read `text` as a row of `kind`: expect IPAM_EINVAL and `part` in the message. */
static void rejects(unsigned kind, const char *text, const char *part)
{
	ipam__jrow j;
	int rc = ipam__row_from_text(&j, kind, text, strlen(text), "d.json: addresses[12]");
	ck_assert_msg(rc == IPAM_EINVAL, "accepted %s (rc %d)", text, rc);
	has(ipam_error_last()->message, part);
	ipam__jrow_dispose(&j);
}

#define ADDR_HEAD "{\"id\":\"a0000000-0000-0000-0000-000000000005\",\"tenant\":\"00000000-0000-0000-0000-000000000000\"," \
                  "\"space\":\"default\","
#define TIMES "\"created\":\"2026-11-21T10:00:00.123456Z\",\"updated\":\"2026-11-21T10:00:00.123456Z\""

START_TEST(rows_rejected)
{
	/* a minimal address is fine: the optional fields default */
	ipam__jrow j;
	const char *min = ADDR_HEAD "\"address\":\"10.0.0.5\"," TIMES "}";
	OK(ipam__row_from_text(&j, IPAM_STORE_ADDRESS, min, strlen(min), "x"));
	ck_assert_ptr_null(j.row.name);
	ck_assert_uint_eq(j.row.maclen, 0);
	ck_assert_uint_eq(j.row.status, IPAM_STATUS_ACTIVE);
	ipam__jrow_dispose(&j);
	/* host names are normalised; MACs in any notation */
	const char *norm = ADDR_HEAD "\"address\":\"10.0.0.5\",\"hostname\":\"H.Example.COM.\",\"mac\":\"AABB.CCDD.EEFF\"," TIMES "}";
	OK(ipam__row_from_text(&j, IPAM_STORE_ADDRESS, norm, strlen(norm), "x"));
	ck_assert_str_eq(j.row.name, "h.example.com");
	ck_assert_uint_eq(j.row.maclen, 6);
	ck_assert_uint_eq(j.row.mac[0], 0xaa);
	ipam__jrow_dispose(&j);

	rejects(IPAM_STORE_ADDRESS, ADDR_HEAD "\"address\":\"10.0.0.5\",\"mac\":\"zz:bb:cc:dd:ee:ff\"," TIMES "}",
	        "d.json: addresses[12].mac: \"zz:bb:cc:dd:ee:ff\" is not a MAC address");
	rejects(IPAM_STORE_ADDRESS, ADDR_HEAD "\"address\":\"10.0.0.256\"," TIMES "}",
	        "addresses[12].address: \"10.0.0.256\" is not an IP address");
	rejects(IPAM_STORE_ADDRESS, ADDR_HEAD "\"address\":\"10.0.0.5\",\"status\":\"container\"," TIMES "}",
	        "addresses[12].status");
	rejects(IPAM_STORE_ADDRESS, ADDR_HEAD "\"address\":\"10.0.0.5\",\"status\":\"busy\"," TIMES "}",
	        "addresses[12].status: \"busy\" is not a status");
	rejects(IPAM_STORE_ADDRESS, ADDR_HEAD "\"address\":\"10.0.0.5\",\"hostname\":\"a..b\"," TIMES "}",
	        "addresses[12].hostname: \"a..b\" is not a host name");
	rejects(IPAM_STORE_ADDRESS, ADDR_HEAD "\"address\":\"10.0.0.5\",\"attrs\":[]," TIMES "}",
	        "addresses[12].attrs: an array, expected a JSON object");
	rejects(IPAM_STORE_ADDRESS, ADDR_HEAD "\"address\":\"10.0.0.5\",\"description\":7," TIMES "}",
	        "addresses[12].description: a number, expected a string or null");
	rejects(IPAM_STORE_ADDRESS, ADDR_HEAD "\"address\":\"10.0.0.5\",\"description\":\"\xff\"," TIMES "}",
	        "addresses[12].description: \"\xff\": byte 1 is not valid UTF-8");
	rejects(IPAM_STORE_ADDRESS, ADDR_HEAD "\"address\":\"10.0.0.5\",\"version\":-1," TIMES "}",
	        "addresses[12].version: -1 is not an integer");
	rejects(IPAM_STORE_ADDRESS, ADDR_HEAD "\"address\":\"10.0.0.5\",\"version\":1.5," TIMES "}",
	        "addresses[12].version");
	rejects(IPAM_STORE_ADDRESS, ADDR_HEAD "\"address\":\"10.0.0.5\",\"color\":\"red\"," TIMES "}",
	        "addresses[12]: unknown field \"color\" in an address");
	rejects(IPAM_STORE_ADDRESS, ADDR_HEAD "\"address\":\"10.0.0.5\",\"address\":\"10.0.0.6\"," TIMES "}",
	        "addresses[12].address: given twice");
	rejects(IPAM_STORE_ADDRESS, ADDR_HEAD TIMES "}", "addresses[12].address: missing");
	rejects(IPAM_STORE_ADDRESS, ADDR_HEAD "\"address\":\"10.0.0.5\",\"created\":\"2026-11-21T10:00:00.123456Z\"}",
	        "addresses[12].updated: missing");
	rejects(IPAM_STORE_ADDRESS, ADDR_HEAD "\"address\":\"10.0.0.5\",\"created\":\"2026-02-30T10:00:00Z\","
	        "\"updated\":\"2026-11-21T10:00:00Z\"}",
	        "addresses[12].created: \"2026-02-30T10:00:00Z\": day out of range");
	rejects(IPAM_STORE_ADDRESS, "{\"id\":\"a0000000-0000-0000-0000-00000000000\",\"tenant\":\"00000000-0000-0000-0000-000000000000\","
	        "\"space\":\"default\",\"address\":\"10.0.0.5\"," TIMES "}",
	        "addresses[12].id: \"a0000000-0000-0000-0000-00000000000\" is not a UUID");
	rejects(IPAM_STORE_ADDRESS, "{\"id\":\"a0000000-0000-0000-0000-000000000005\",\"tenant\":\"x\","
	        "\"space\":\"default\",\"address\":\"10.0.0.5\"," TIMES "}", "addresses[12].tenant: \"x\" is not a UUID");
	rejects(IPAM_STORE_ADDRESS, "{\"id\":\"a0000000-0000-0000-0000-000000000005\",\"tenant\":\"00000000-0000-0000-0000-000000000000\","
	        "\"space\":\"no spaces\",\"address\":\"10.0.0.5\"," TIMES "}", "addresses[12].space: \"no spaces\"");
	rejects(IPAM_STORE_ADDRESS, "[1]", "addresses[12]: an array, expected an address (an object)");
	rejects(IPAM_STORE_ADDRESS, "{\"id\":", "invalid JSON at offset");

	rejects(IPAM_STORE_PREFIX, ADDR_HEAD "\"prefix\":\"10.0.0.1/8\"," TIMES "}",
	        "addresses[12].prefix: \"10.0.0.1/8\" is not a prefix");
	rejects(IPAM_STORE_PREFIX, ADDR_HEAD "\"prefix\":\"10.0.0.0/8\",\"status\":\"dhcp\"," TIMES "}",
	        "addresses[12].status: \"dhcp\": a prefix is");
	rejects(IPAM_STORE_PREFIX, ADDR_HEAD "\"prefix\":\"10.0.0.0/8\",\"pool\":1," TIMES "}",
	        "addresses[12].pool: a number, expected true or false");
	rejects(IPAM_STORE_PREFIX, ADDR_HEAD "\"prefix\":\"10.0.0.0/8\",\"hostname\":null," TIMES "}",
	        "unknown field \"hostname\" in a prefix");
	rejects(IPAM_STORE_RANGE, ADDR_HEAD "\"first\":\"10.0.0.9\",\"last\":\"10.0.0.1\"," TIMES "}",
	        "addresses[12].last: before first");
	rejects(IPAM_STORE_RANGE, ADDR_HEAD "\"first\":\"10.0.0.9\",\"last\":\"::1\"," TIMES "}",
	        "addresses[12].last: first and last are of different families");
	rejects(IPAM_STORE_RANGE, ADDR_HEAD "\"first\":\"10.0.0.1\",\"last\":\"10.0.0.9\",\"purpose\":\"pool\"," TIMES "}",
	        "addresses[12].purpose: \"pool\" is not a range purpose");
	rejects(IPAM_STORE_SPACE, "{\"id\":\"a0000000-0000-0000-0000-000000000005\",\"tenant\":\"00000000-0000-0000-0000-000000000000\","
	        "\"name\":\"blue\",\"labels\":{\"a\":1}," TIMES "}",
	        "addresses[12].labels: the value of \"a\" is a number, expected a string");
	rejects(IPAM_STORE_SPACE, "{\"id\":\"a0000000-0000-0000-0000-000000000005\",\"tenant\":\"00000000-0000-0000-0000-000000000000\","
	        "\"name\":\"\"," TIMES "}", "addresses[12].name: \"\": a space name has 1 to 63 characters");
	rejects(IPAM_STORE_TENANT, "{\"id\":\"a0000000-0000-0000-0000-000000000005\",\"name\":\"\"," TIMES "}",
	        "addresses[12].name: \"\": a tenant name");
	rejects(IPAM_STORE_TENANT, "{\"id\":\"a0000000-0000-0000-0000-000000000005\",\"name\":\"t\",\"tenant\":null," TIMES "}",
	        "unknown field \"tenant\" in a tenant");
}
END_TEST

START_TEST(audit_hash_vectors)
{
	/* computed independently (Python hashlib.blake2b, digest_size=32) */
	ipam_store_audit e;
	memset(&e, 0, sizeof e);
	e.seq = 1;
	e.time = INT64_C(1700000000123456);
	e.actor = "alice";
	e.action = "space.add";
	e.object = "space blue";
	e.after = "{\"x\":1}";
	uint8_t h[32];
	char hex[65];
	OK(ipam__audit_hash(h, &e));
	ipam__hex(hex, h, 32);
	ck_assert_str_eq(hex, "6674e2885640780724ff9143af5307de847a9b600cab7060fbbd8c313e5915bc");

	memset(&e, 0, sizeof e);
	e.seq = 2;
	e.time = -1;
	memset(e.prev, 0x11, 32);
	e.actor = "";
	e.object = "o";
	e.before = "{}";
	OK(ipam__audit_hash(h, &e));
	ipam__hex(hex, h, 32);
	ck_assert_str_eq(hex, "1a7914ddeeec4498bb082aa1ac2e713ebb8006bd7d7a0716662eadfe6e540ea0");

	/* NULL and "" differ; the hash field itself is not covered */
	uint8_t h2[32];
	e.actor = NULL;
	OK(ipam__audit_hash(h2, &e));
	ck_assert_int_ne(memcmp(h, h2, 32), 0);
	e.actor = "";
	memset(e.hash, 0x55, 32);
	OK(ipam__audit_hash(h2, &e));
	ck_assert_mem_eq(h, h2, 32);
}
END_TEST



/* ---- whole documents ------------------------------------------------------------ */

static ipam_db *open_db(void)
{
	ipam_db *db = NULL;
	OK(ipam_db_open(&db, "memory:", NULL));
	return db;
}

static void populate(ipam_db *db)
{
	OK(ipam_space_add(db, "blue", "{\"provider\":\"aws\",\"region\":\"eu-west-1\"}"));
	OK(ipam_space_add(db, "red", NULL));
	OK(ipam_space_add(db, "a-first", "{\"env\":\"lab\"}"));

	ipam_prefix_options po = IPAM_PREFIX_OPTIONS_INIT;
	ipam_prefix p = P("10.0.0.0/8");
	po.status = IPAM_STATUS_CONTAINER;
	OK(ipam_prefix_add(db, &p, &po));
	po.space = "blue";
	po.description = "blue's ten";
	OK(ipam_prefix_add(db, &p, &po)); /* the same prefix in another space */
	po.space = "red";
	po.description = NULL;
	OK(ipam_prefix_add(db, &p, &po));
	po.space = "blue";
	po.status = IPAM_STATUS_ACTIVE;
	po.pool = 1;
	po.description = "Büro – 東京 \"quoted\"\n\ttab \x01 ctl";
	po.attrs_json = "{ \"vlan\": 42, \"site\": \"fra1\", \"tags\": [\"a\", \"b\"] }";
	p = P("10.1.0.0/16");
	OK(ipam_prefix_add(db, &p, &po));
	po = (ipam_prefix_options)IPAM_PREFIX_OPTIONS_INIT;
	po.status = IPAM_STATUS_CONTAINER;
	p = P("2001:db8::/32");
	OK(ipam_prefix_add(db, &p, &po));
	po.space = "red";
	po.status = IPAM_STATUS_RESERVED;
	p = P("2001:db8:1::/48");
	OK(ipam_prefix_add(db, &p, &po));
	po = (ipam_prefix_options)IPAM_PREFIX_OPTIONS_INIT;
	p = P("192.168.0.0/24");
	OK(ipam_prefix_add(db, &p, &po));

	ipam_range_options ro = IPAM_RANGE_OPTIONS_INIT;
	ro.space = "blue";
	ipam_addr f = A("10.1.0.10"), l = A("10.1.0.50");
	OK(ipam_range_add(db, &f, &l, &ro));
	ro.purpose = IPAM_RANGE_EXCLUDED;
	ro.description = "printers";
	f = A("10.1.0.20");
	l = A("10.1.0.30");
	OK(ipam_range_add(db, &f, &l, &ro));
	ro = (ipam_range_options)IPAM_RANGE_OPTIONS_INIT;
	ro.space = "red";
	ro.purpose = IPAM_RANGE_RESERVED;
	ro.attrs_json = "{\"owner\":\"netops\"}";
	f = A("2001:db8:1::100");
	l = A("2001:db8:1::1ff");
	OK(ipam_range_add(db, &f, &l, &ro));

	ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
	io.hostname = "h.example.com";
	io.mac = "AA-BB-CC-DD-EE-FF";
	io.description = "déjà vu";
	io.attrs_json = "{\"rack\":\"r1\",\"u\":12}";
	ipam_addr a = A("10.0.0.5");
	OK(ipam_ip_add(db, &a, &io));
	io = (ipam_ip_options)IPAM_IP_OPTIONS_INIT;
	a = A("10.0.0.6"); /* bare: no host name, MAC, description or attrs */
	OK(ipam_ip_add(db, &a, &io));
	io.space = "blue";
	io.status = IPAM_STATUS_RESERVED;
	io.hostname = "gw.blue.example";
	a = A("10.0.0.5"); /* the same address in another space */
	OK(ipam_ip_add(db, &a, &io));
	io = (ipam_ip_options)IPAM_IP_OPTIONS_INIT;
	io.space = "red";
	io.status = IPAM_STATUS_DHCP;
	io.mac = "02:00:00:ff:fe:00:00:01"; /* EUI-64 */
	io.hostname = "v6.red.example";
	a = A("2001:db8:1::1");
	OK(ipam_ip_add(db, &a, &io));
	io = (ipam_ip_options)IPAM_IP_OPTIONS_INIT;
	io.description = "to be released";
	a = A("10.0.0.7");
	OK(ipam_ip_add(db, &a, &io));
	OK(ipam_ip_release(db, NULL, &a)); /* an entry with a before image */
	p = P("192.168.0.0/24");
	ipam_addr got;
	OK(ipam_ip_alloc(&got, db, &p, NULL)); /* bumps the /24's version */
	OK(ipam_ip_alloc(&got, db, &p, NULL));
}

static char *export_str(ipam_db *db)
{
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_export(&b, db));
	ck_assert_uint_eq(strlen(b.ptr), b.size);
	ck_assert_int_eq(b.ptr[b.size - 1], '\n');
	char *s = strdup(b.ptr);
	ipam_buf_dispose(&b);
	return s;
}

START_TEST(round_trip_byte_identical)
{
	ipam_db *db = open_db();
	populate(db);
	char *one = export_str(db);
	/* the document is valid JSON, canonical in its order and layout */
	cJSON *v = cJSON_Parse(one);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(v, "spaces")), 4);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(v, "prefixes")), 7);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(v, "ranges")), 3);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(v, "addresses")), 6);
	int naudit = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(v, "audit"));
	ck_assert_int_ge(naudit, 20);
	cJSON_Delete(v);
	const char *start = "{\"format\":\"libipam-export\",\"format_version\":2,\n\"tenants\":[\n{\"id\":"
	                    "\"00000000-0000-0000-0000-000000000000\",\"name\":\"default\",";
	ck_assert_int_eq(strncmp(one, start, strlen(start)), 0);
	const char *sp = has(one, "\n\"spaces\":[\n{\"id\":");
	const char *s1 = strstr(sp, "\"name\":\"a-first\""), *s2 = strstr(sp, "\"name\":\"blue\""),
	           *s3 = strstr(sp, "\"name\":\"default\""), *s4 = strstr(sp, "\"name\":\"red\"");
	ck_assert(s1 && s2 && s3 && s4 && s1 < s2 && s2 < s3 && s3 < s4);
	/* prefixes by space name, family, bytes, length */
	const char *pf = has(one, "\n\"prefixes\":[\n");
	const char *q1 = strstr(pf, "\"space\":\"blue\",\"prefix\":\"10.0.0.0/8\""),
	           *q2 = strstr(pf, "\"space\":\"blue\",\"prefix\":\"10.1.0.0/16\""),
	           *q3 = strstr(pf, "\"space\":\"default\",\"prefix\":\"10.0.0.0/8\""),
	           *q4 = strstr(pf, "\"space\":\"default\",\"prefix\":\"192.168.0.0/24\""),
	           *q5 = strstr(pf, "\"space\":\"default\",\"prefix\":\"2001:db8::/32\""),
	           *q6 = strstr(pf, "\"space\":\"red\",\"prefix\":\"10.0.0.0/8\""),
	           *q7 = strstr(pf, "\"space\":\"red\",\"prefix\":\"2001:db8:1::/48\"");
	ck_assert(q1 && q2 && q3 && q4 && q5 && q6 && q7);
	ck_assert(q1 < q2 && q2 < q3 && q3 < q4 && q4 < q5 && q5 < q6 && q6 < q7);
	has(one, "\"description\":\"Büro – 東京 \\\"quoted\\\"\\n\\ttab \\u0001 ctl\","
	         "\"attrs\":{\"vlan\":42,\"site\":\"fra1\",\"tags\":[\"a\",\"b\"]}");
	has(one, "\"space\":\"default\",\"prefix\":\"192.168.0.0/24\",\"status\":\"active\",\"pool\":false,"
	         "\"description\":null,\"attrs\":{},\"version\":2,");
	has(one, "\"address\":\"10.0.0.5\",\"status\":\"active\",\"hostname\":\"h.example.com\",\"mac\":\"aa:bb:cc:dd:ee:ff\","
	         "\"description\":\"déjà vu\",\"attrs\":{\"rack\":\"r1\",\"u\":12}");
	has(one, "\"address\":\"10.0.0.6\",\"status\":\"active\",\"hostname\":null,\"mac\":null,\"description\":null,"
	         "\"attrs\":{}");
	has(one, "\"mac\":\"02:00:00:ff:fe:00:00:01\"");
	has(one, "\"first\":\"2001:db8:1::100\",\"last\":\"2001:db8:1::1ff\",\"purpose\":\"reserved\"");
	has(one, "\n\"audit\":[\n{\"seq\":1,\"time\":\"");
	has(one, ",\"before\":null,\"after\":{\"id\":");
	has(one, "\n],\n\"audit_head\":{\"seq\":");

	ipam_db *db2 = open_db();
	OK(ipam_import_json(db2, one, strlen(one), "export.json"));
	char *two = export_str(db2);
	ck_assert_str_eq(one, two);

	/* the index was rebuilt: the objects answer through the API */
	ipam_ip_info ii = IPAM_IP_INFO_INIT;
	ipam_addr a = A("10.0.0.5");
	OK(ipam_ip_get(&ii, db2, NULL, &a));
	ck_assert_str_eq(ii.hostname, "h.example.com");
	ipam_ip_info_dispose(&ii);
	OK(ipam_ip_get(&ii, db2, "blue", &a));
	ck_assert_str_eq(ii.hostname, "gw.blue.example");
	ipam_ip_info_dispose(&ii);
	ipam_space_info si = IPAM_SPACE_INFO_INIT;
	OK(ipam_space_get(&si, db2, "blue"));
	ck_assert_str_eq(si.labels_json, "{\"provider\":\"aws\",\"region\":\"eu-west-1\"}");
	ipam_space_info_dispose(&si);
	ipam_db_stats st1 = IPAM_DB_STATS_INIT, st2 = IPAM_DB_STATS_INIT;
	OK(ipam_db_stats_get(&st1, db));
	OK(ipam_db_stats_get(&st2, db2));
	ck_assert_uint_eq(st1.prefixes, st2.prefixes);
	ck_assert_uint_eq(st1.addresses, st2.addresses);
	ck_assert_uint_eq(st1.ranges, st2.ranges);
	ck_assert_uint_eq(st1.spaces, st2.spaces);
	OK(ipam__db_check(db2));
	/* the chain moved with the data and verifies there */
	ipam_audit_report rep = IPAM_AUDIT_REPORT_INIT;
	OK(ipam_audit_verify(&rep, db2, NULL));
	ck_assert_uint_eq(rep.entries, (uint64_t)naudit);

	/* and it goes on: a change after the import chains onto the imported head */
	ipam_addr b = A("10.0.0.9");
	OK(ipam_ip_add(db2, &b, NULL));
	OK(ipam_audit_verify(&rep, db2, NULL));
	ck_assert_uint_eq(rep.entries, (uint64_t)naudit + 1);
	char *three = export_str(db2);
	ipam_db *db3 = open_db();
	OK(ipam_import_json(db3, three, strlen(three), NULL));
	char *four = export_str(db3);
	ck_assert_str_eq(three, four);

	free(one);
	free(two);
	free(three);
	free(four);
	ipam_db_free(db);
	ipam_db_free(db2);
	ipam_db_free(db3);
}
END_TEST

START_TEST(reformatted_document_imports)
{
	/* a document pretty-printed by a tool that keeps strings and numbers as
	 * they are still verifies: the images are hashed without white space */
	ipam_db *db = open_db();
	populate(db);
	char *one = export_str(db);
	cJSON *v = cJSON_Parse(one);
	char *pretty = cJSON_Print(v);
	cJSON_Delete(v);
	ck_assert_str_ne(pretty, one);
	ipam_db *db2 = open_db();
	OK(ipam_import_json(db2, pretty, strlen(pretty), "pretty.json"));
	char *two = export_str(db2);
	ck_assert_str_eq(one, two);
	cJSON_free(pretty);
	free(one);
	free(two);
	ipam_db_free(db);
	ipam_db_free(db2);
}
END_TEST

START_TEST(file_store_round_trip)
{
	/* the SQLCipher store: the same bytes back, also after reopening */
	ipam_db *db = open_db();
	populate(db);
	char *one = export_str(db);
	char dir[] = "/tmp/ipam-export-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char uri[64];
	snprintf(uri, sizeof uri, "file:%s/x.db", dir);
	ipam_open_options o = IPAM_OPEN_OPTIONS_INIT;
	o.flags = IPAM_OPEN_CREATE;
	o.passphrase = "export test";
	ipam_db *f = NULL;
	OK(ipam_db_open(&f, uri, &o));
	OK(ipam_import_json(f, one, strlen(one), "export.json"));
	char *two = export_str(f);
	ck_assert_str_eq(one, two);
	ipam_db_free(f);
	OK(ipam_db_open(&f, uri, &o));
	char *three = export_str(f);
	ck_assert_str_eq(one, three);
	OK(ipam_audit_verify(NULL, f, NULL));
	ck_assert_int_eq(ipam_import_json(f, one, strlen(one), "export.json"), IPAM_EEXISTS);
	ipam_db_free(f);
	char path[64];
	snprintf(path, sizeof path, "%s/x.db", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/x.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/x.db-shm", dir);
	unlink(path);
	rmdir(dir);
	free(one);
	free(two);
	free(three);
	ipam_db_free(db);
}
END_TEST

START_TEST(empty_store_round_trip)
{
	ipam_db *db = open_db();
	char *one = export_str(db);
	has(one, "\"prefixes\":[],\n\"ranges\":[],\n\"addresses\":[],\n\"objects\":[],\n\"audit\":[],\n\"audit_head\":{\"seq\":0,\"hash\":\""
	         "0000000000000000000000000000000000000000000000000000000000000000\"}}\n");
	ipam_db *db2 = open_db();
	OK(ipam_import_json(db2, one, strlen(one), NULL));
	char *two = export_str(db2);
	ck_assert_str_eq(one, two); /* the default rows keep their times */
	free(one);
	free(two);
	ipam_db_free(db);
	ipam_db_free(db2);
}
END_TEST

START_TEST(not_empty_store)
{
	ipam_db *db = open_db();
	populate(db);
	char *doc = export_str(db);
	ipam_db *db2 = open_db();
	OK(ipam_space_add(db2, "green", NULL));
	ipam_addr a = A("192.0.2.1");
	OK(ipam_ip_add(db2, &a, NULL));
	char *before = export_str(db2);
	ck_assert_int_eq(ipam_import_json(db2, doc, strlen(doc), "export.json"), IPAM_EEXISTS);
	ck_assert_str_eq(ipam_error_last()->message,
	                 "import: the store is not empty (1 spaces, 0 prefixes, 0 ranges, 1 addresses, 0 objects, 0 tenants besides "
	                 "the defaults; 2 audit entries)");
	char *after = export_str(db2);
	ck_assert_str_eq(before, after);
	/* history alone makes a store not empty */
	ipam_db *db3 = open_db();
	OK(ipam_space_add(db3, "gone", NULL));
	OK(ipam_space_rm(db3, "gone"));
	ck_assert_int_eq(ipam_import_json(db3, doc, strlen(doc), "export.json"), IPAM_EEXISTS);
	has(ipam_error_last()->message, "(0 spaces, 0 prefixes, 0 ranges, 0 addresses, 0 objects, 0 tenants besides the defaults; "
	                                "2 audit entries)");
	/* importing into itself */
	ck_assert_int_eq(ipam_import_json(db, doc, strlen(doc), "export.json"), IPAM_EEXISTS);
	free(doc);
	free(before);
	free(after);
	ipam_db_free(db);
	ipam_db_free(db2);
	ipam_db_free(db3);
}
END_TEST

/* A small document: one object per array, each overridable. */
#define T0 "{\"id\":\"00000000-0000-0000-0000-000000000000\",\"name\":\"default\",\"attrs\":{},\"version\":0," TIMES "}"
#define T1 "{\"id\":\"a0000000-0000-0000-0000-0000000000f1\",\"name\":\"acme\",\"attrs\":{},\"version\":0," TIMES "}"
#define S1 "{\"id\":\"a0000000-0000-0000-0000-000000000001\",\"tenant\":\"a0000000-0000-0000-0000-0000000000f1\"," \
           "\"name\":\"blue\",\"labels\":{\"site\":\"x\"},\"version\":0," TIMES "}"
#define P1 "{\"id\":\"a0000000-0000-0000-0000-000000000002\",\"tenant\":\"a0000000-0000-0000-0000-0000000000f1\"," \
           "\"space\":\"blue\",\"prefix\":\"10.0.0.0/8\",\"status\":\"container\",\"pool\":false,\"description\":null," \
           "\"attrs\":{},\"version\":0," TIMES "}"
#define R1 "{\"id\":\"a0000000-0000-0000-0000-000000000003\",\"tenant\":\"a0000000-0000-0000-0000-0000000000f1\"," \
           "\"space\":\"blue\",\"first\":\"10.0.0.10\",\"last\":\"10.0.0.20\",\"purpose\":\"dhcp\"," \
           "\"description\":null,\"attrs\":{},\"version\":0," TIMES "}"
#define A1 "{\"id\":\"a0000000-0000-0000-0000-000000000004\",\"tenant\":\"a0000000-0000-0000-0000-0000000000f1\"," \
           "\"space\":\"blue\",\"address\":\"10.0.0.5\",\"status\":\"active\",\"hostname\":\"h.example.com\"," \
           "\"mac\":\"aa:bb:cc:dd:ee:ff\",\"description\":null,\"attrs\":{},\"version\":0," TIMES "}"
#define A2 "{\"id\":\"a0000000-0000-0000-0000-000000000005\",\"tenant\":\"00000000-0000-0000-0000-000000000000\"," \
           "\"space\":\"default\",\"address\":\"10.0.0.6\",\"status\":\"active\",\"hostname\":null," \
           "\"mac\":null,\"description\":null,\"attrs\":{},\"version\":0," TIMES "}"

static char *small_doc(const char *tenants, const char *spaces, const char *prefixes, const char *ranges,
                       const char *addresses)
{
	char *d = NULL;
	ck_assert_int_ge(asprintf(&d,
	                          "{\"format\":\"libipam-export\",\"format_version\":1,\n\"tenants\":[\n%s\n],\n"
	                          "\"spaces\":[\n%s\n],\n\"prefixes\":[\n%s\n],\n\"ranges\":[\n%s\n],\n\"addresses\":[\n%s\n],\n"
	                          "\"audit\":[],\n\"audit_head\":{\"seq\":0,\"hash\":"
	                          "\"0000000000000000000000000000000000000000000000000000000000000000\"}}\n",
	                          tenants ? tenants : T0 ",\n" T1, spaces ? spaces : S1, prefixes ? prefixes : P1,
	                          ranges ? ranges : R1, addresses ? addresses : A1 ",\n" A2),
	                 0);
	return d;
}

/* Import `doc` into a fresh store: expect `code`, `part` in the message, and the store as it was. */
static void import_fails(const char *doc, size_t len, int code, const char *part)
{
	ipam_db *db = open_db();
	char *before = export_str(db);
	int rc = ipam_import_json(db, doc, len, "doc.json");
	ck_assert_msg(rc == code, "rc %d (%s), expected %d; message: %s", rc, ipam_error_name(rc), code,
	              ipam_error_last()->message);
	has(ipam_error_last()->message, part);
	char *after = export_str(db);
	ck_assert_str_eq(before, after);
	OK(ipam__db_check(db));
	free(before);
	free(after);
	ipam_db_free(db);
}

static void doc_fails(char *doc, const char *part)
{
	import_fails(doc, strlen(doc), IPAM_EINVAL, part);
	free(doc);
}

START_TEST(small_document)
{
	char *d = small_doc(NULL, NULL, NULL, NULL, NULL);
	ipam_db *db = open_db();
	OK(ipam_import_json(db, d, strlen(d), "doc.json"));
	ipam_ip_info ii = IPAM_IP_INFO_INIT;
	ipam_addr a = A("10.0.0.5");
	OK(ipam_ip_get(&ii, db, "blue", &a));
	ck_assert_str_eq(ii.hostname, "h.example.com");
	ipam_ip_info_dispose(&ii);
	char *e = export_str(db);
	has(e, T1);
	has(e, S1);
	has(e, A1);
	free(e);
	free(d);
	ipam_db_free(db);

	/* the arrays are optional; the default space exists in every store */
	const char *min = "{\"format\":\"libipam-export\",\"format_version\":1,\"addresses\":[" A2 "]}";
	db = open_db();
	OK(ipam_import_json(db, min, strlen(min), NULL));
	a = A("10.0.0.6");
	OK(ipam_ip_get(&ii, db, NULL, &a));
	ipam_ip_info_dispose(&ii);
	ipam_db_free(db);
}
END_TEST

START_TEST(import_in_explicit_transaction)
{
	char *d = small_doc(NULL, NULL, NULL, NULL, NULL);
	ipam_db *db = open_db();
	char *before = export_str(db);
	/* rolled back: neither the store nor the index keeps anything */
	OK(ipam_db_begin(db));
	OK(ipam_import_json(db, d, strlen(d), "doc.json"));
	ipam_db_rollback(db);
	char *after = export_str(db);
	ck_assert_str_eq(before, after);
	ipam_db_stats st = IPAM_DB_STATS_INIT;
	OK(ipam_db_stats_get(&st, db));
	ck_assert_uint_eq(st.addresses, 0);
	ck_assert_uint_eq(st.spaces, 1);
	OK(ipam__db_check(db));
	/* committed: both have it */
	OK(ipam_db_begin(db));
	OK(ipam_import_json(db, d, strlen(d), "doc.json"));
	OK(ipam_db_commit(db));
	OK(ipam_db_stats_get(&st, db));
	ck_assert_uint_eq(st.addresses, 2);
	ck_assert_uint_eq(st.spaces, 2);
	OK(ipam__db_check(db));
	free(before);
	free(after);
	free(d);
	ipam_db_free(db);
}
END_TEST

START_TEST(bad_fields_name_object_and_field)
{
	/* one per kind, a few fields */
	doc_fails(small_doc(T0 ",\n{\"id\":\"nope\",\"name\":\"acme\"," TIMES "}", NULL, NULL, NULL, NULL),
	          "doc.json: tenants[1].id: \"nope\" is not a UUID");
	doc_fails(small_doc(NULL, "{\"id\":\"a0000000-0000-0000-0000-000000000001\",\"tenant\":\"a0000000-0000-0000-0000-0000000000f1\","
	                          "\"name\":\"blue!\"," TIMES "}", NULL, NULL, NULL),
	          "doc.json: spaces[0].name: \"blue!\": character 5");
	doc_fails(small_doc(NULL, NULL, "{\"id\":\"a0000000-0000-0000-0000-000000000002\",\"tenant\":\"a0000000-0000-0000-0000-0000000000f1\","
	                                "\"space\":\"blue\",\"prefix\":\"10.0.0.1/8\"," TIMES "}", NULL, NULL),
	          "doc.json: prefixes[0].prefix: \"10.0.0.1/8\" is not a prefix");
	doc_fails(small_doc(NULL, NULL, NULL, "{\"id\":\"a0000000-0000-0000-0000-000000000003\",\"tenant\":\"a0000000-0000-0000-0000-0000000000f1\","
	                                      "\"space\":\"blue\",\"first\":\"10.0.0.10\",\"last\":\"10.0.0.20\",\"purpose\":\"lease\"," TIMES "}", NULL),
	          "doc.json: ranges[0].purpose: \"lease\" is not a range purpose");
	doc_fails(small_doc(NULL, NULL, NULL, NULL, A2 ",\n{\"id\":\"a0000000-0000-0000-0000-000000000004\",\"tenant\":\"00000000-0000-0000-0000-000000000000\","
	                                           "\"space\":\"blue\",\"address\":\"10.0.0.5\",\"mac\":\"zz:bb:cc:dd:ee:ff\"," TIMES "}"),
	          "doc.json: addresses[1].mac: \"zz:bb:cc:dd:ee:ff\" is not a MAC address");
	doc_fails(small_doc(NULL, NULL, NULL, NULL, "{\"id\":\"a0000000-0000-0000-0000-000000000004\",\"tenant\":\"00000000-0000-0000-0000-000000000000\","
	                                           "\"space\":\"blue\",\"address\":\"10.0.0.5\",\"created\":\"yesterday\",\"updated\":\"2026-11-21T10:00:00Z\"}"),
	          "doc.json: addresses[0].created: \"yesterday\": not an RFC 3339 time");
	doc_fails(small_doc(NULL, NULL, NULL, NULL, "{\"id\":\"a0000000-0000-0000-0000-000000000004\",\"tenant\":\"00000000-0000-0000-0000-000000000000\","
	                                           "\"space\":\"blue\",\"address\":\"10.0.0.5\",\"attrs\":\"{}\"," TIMES "}"),
	          "doc.json: addresses[0].attrs: a string, expected a JSON object");

	/* references and duplicates across objects */
	doc_fails(small_doc(NULL, NULL, NULL, NULL, "{\"id\":\"a0000000-0000-0000-0000-000000000004\",\"tenant\":\"00000000-0000-0000-0000-000000000000\","
	                                           "\"space\":\"green\",\"address\":\"10.0.0.5\"," TIMES "}"),
	          "doc.json: addresses[0].space: no space \"green\" in the document");
	doc_fails(small_doc(NULL, NULL, NULL, NULL, "{\"id\":\"a0000000-0000-0000-0000-000000000004\",\"tenant\":\"a0000000-0000-0000-0000-0000000000f9\","
	                                           "\"space\":\"blue\",\"address\":\"10.0.0.5\"," TIMES "}"),
	          "doc.json: addresses[0].tenant: no such tenant in the document");
	doc_fails(small_doc(NULL, NULL, NULL, NULL, A1 ",\n" A2 ",\n" A1),
	          "doc.json: addresses[2].id: a0000000-0000-0000-0000-000000000004 is also the id of addresses[0]");
	doc_fails(small_doc(NULL, NULL, NULL, NULL, A1 ",\n{\"id\":\"a0000000-0000-0000-0000-000000000009\",\"tenant\":\"00000000-0000-0000-0000-000000000000\","
	                                           "\"space\":\"blue\",\"address\":\"10.0.0.5\"," TIMES "}"),
	          "doc.json: addresses[1]: address 10.0.0.5 in space \"blue\" is also addresses[0]");
	doc_fails(small_doc(NULL, S1 ",\n{\"id\":\"a0000000-0000-0000-0000-000000000077\",\"tenant\":\"00000000-0000-0000-0000-000000000000\","
	                          "\"name\":\"blue\"," TIMES "}", NULL, NULL, NULL),
	          "doc.json: spaces[1].name: \"blue\" is also the name of spaces[0]");
	doc_fails(small_doc(NULL, S1 ",\n{\"id\":\"a0000000-0000-0000-0000-000000000077\",\"tenant\":\"00000000-0000-0000-0000-000000000000\","
	                          "\"name\":\"default\"," TIMES "}", NULL, NULL, NULL),
	          "doc.json: spaces[1]: the space named \"default\" and only it has the id");

	/* the document itself */
	char *d = small_doc(NULL, NULL, NULL, NULL, NULL);
	/* gcc 12 -O2 takes d for a dangling pointer in these lines
	 * (-Wdangling-pointer, a false positive: d is a fresh document each time) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wdangling-pointer"
	size_t at = (size_t)(strstr(d, "\"format_version\":1") - d) + strlen("\"format_version\":");
	d[at] = '3';
	import_fails(d, strlen(d), IPAM_EINVAL,
	             "doc.json: format_version 3 is newer than this libipam " IPAM_VERSION " reads (2)");
	d[at] = '0';
	import_fails(d, strlen(d), IPAM_EINVAL, "doc.json: format_version: expected a positive integer");
	free(d);
	d = small_doc(NULL, NULL, NULL, NULL, NULL);
	memcpy(strstr(d, "libipam-export"), "libipam-exporx", 14);
	import_fails(d, strlen(d), IPAM_EINVAL, "doc.json: format: \"libipam-exporx\", expected \"libipam-export\"");
	free(d);
#pragma GCC diagnostic pop
	import_fails("[]", 2, IPAM_EINVAL, "doc.json: not a libipam export");
	import_fails("{}", 2, IPAM_EINVAL, "doc.json: not a libipam export: no \"format\" field");
	import_fails("", 0, IPAM_EINVAL, "doc.json: empty document");
	const char *extra = "{\"format\":\"libipam-export\",\"format_version\":1,\"zones\":[]}";
	import_fails(extra, strlen(extra), IPAM_EINVAL, "doc.json: unknown field \"zones\" at the top level");
	const char *nul = "{\"format\":\"libipam-export\",\"format_version\":1,\"spaces\":[{\"name\":\"a\\u0000b\"}]}";
	import_fails(nul, strlen(nul), IPAM_EINVAL, "doc.json: \\u0000 (a NUL character) in a string at offset 66 (line 1, column 67)");
	const char nul2[] = "{\"format\":\"libipam-export\",\"format_version\":1}\0junk";
	import_fails(nul2, sizeof nul2 - 1, IPAM_EINVAL, "doc.json: a NUL byte at offset 46");
}
END_TEST

START_TEST(truncated_document)
{
	ipam_db *db = open_db();
	populate(db);
	char *doc = export_str(db);
	size_t len = strlen(doc);
	import_fails(doc, len / 2, IPAM_EINVAL, "doc.json: invalid JSON at offset");
	has(ipam_error_last()->message, "the document ends early");
	import_fails(doc, len - 3, IPAM_EINVAL, "ends early");
	/* a syntax error inside: offset, line and column */
	char *bad = strdup(doc);
	char *second = strchr(bad, '\n') + 1; /* line 2: "tenants":[ */
	second[0] = '\'';
	import_fails(bad, len, IPAM_EINVAL, "doc.json: invalid JSON at offset");
	has(ipam_error_last()->message, "(line 2, column ");
	free(bad);
	free(doc);
	ipam_db_free(db);
}
END_TEST

/* The line of audit entry `seq` in a document. */
static char *audit_line(char *doc, int seq)
{
	char key[40];
	snprintf(key, sizeof key, "\n{\"seq\":%d,", seq);
	char *p = strstr(doc, key);
	ck_assert_ptr_nonnull(p);
	return p + 1;
}

START_TEST(tampered_audit_chain)
{
	ipam_db *db = open_db();
	populate(db);
	char *doc = export_str(db);
	size_t len = strlen(doc);

	/* an altered field of entry 3 */
	char *t = strdup(doc);
	char *l = audit_line(t, 3);
	char *act = strstr(l, "\"action\":\"") + 10;
	act[0] = act[0] == 'x' ? 'y' : 'x';
	import_fails(t, len, IPAM_ETAMPER, "doc.json: audit chain broken at seq 3: its hash does not match its contents");
	free(t);

	/* an altered image (a MAC in the after image of entry 5) */
	t = strdup(doc);
	l = audit_line(t, 5);
	char *after = strstr(l, "\"after\":{") + 9;
	after[1] = after[1] == 'i' ? 'j' : 'i'; /* "id" -> "jd": still valid JSON */
	import_fails(t, len, IPAM_ETAMPER, "audit chain broken at seq 5");
	free(t);

	/* an altered time */
	t = strdup(doc);
	l = audit_line(t, 2);
	char *tm = strstr(l, "\"time\":\"") + 8 + 25; /* the last fractional digit */
	*tm = *tm == '9' ? '8' : (char)(*tm + 1);
	import_fails(t, len, IPAM_ETAMPER, "audit chain broken at seq 2");
	free(t);

	/* a removed entry: the next one no longer follows */
	t = strdup(doc);
	l = audit_line(t, 4);
	char *end = strchr(l, '\n');
	memmove(l, end + 1, strlen(end + 1) + 1);
	import_fails(t, strlen(t), IPAM_ETAMPER, "doc.json: audit chain broken at seq 5: audit[3] should be seq 4");
	free(t);

	/* a recomputed hash does not help: the next entry's prev no longer matches */
	t = strdup(doc);
	l = audit_line(t, 6);
	char *h = strstr(l, "\"hash\":\"") + 8;
	h[0] = h[0] == 'a' ? 'b' : 'a';
	import_fails(t, len, IPAM_ETAMPER, "audit chain broken at seq 6");
	free(t);

	/* the last entry removed: caught by audit_head */
	t = strdup(doc);
	char *head = strstr(t, "\n],\n\"audit_head\"");
	char *lastnl = head - 1;
	while (*lastnl != '\n')
		lastnl--;
	/* drop ",\n{last entry}" */
	char *comma = lastnl - 1;
	memmove(comma, head, strlen(head) + 1);
	import_fails(t, strlen(t), IPAM_ETAMPER, "doc.json: audit chain broken: audit_head (seq ");
	free(t);

	free(doc);
	ipam_db_free(db);
}
END_TEST

START_TEST(index_handle)
{
	ipam_db *db = NULL;
	OK(ipam_db_open(&db, "index:", NULL));
	ipam_buf b = IPAM_BUF_INIT;
	ck_assert_int_eq(ipam_export(&b, db), IPAM_EPERM);
	has(ipam_error_last()->message, "has no store");
	const char *min = "{\"format\":\"libipam-export\",\"format_version\":1}";
	ck_assert_int_eq(ipam_import_json(db, min, strlen(min), NULL), IPAM_EPERM);
	has(ipam_error_last()->message, "has no store");
	ipam_db_free(db);
	ck_assert_int_eq(ipam_export(NULL, NULL), IPAM_EINVAL);
	ck_assert_int_eq(ipam_import_json(NULL, min, 1, NULL), IPAM_EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("export");
	TCase *codec = tcase_create("codec");
	tcase_set_timeout(codec, 120);
	tcase_add_test(codec, time_format_and_parse);
	tcase_add_test(codec, rows_to_json);
	tcase_add_test(codec, string_escapes);
	tcase_add_test(codec, rows_round_trip);
	tcase_add_test(codec, rows_rejected);
	tcase_add_test(codec, audit_hash_vectors);
	suite_add_tcase(s, codec);
	TCase *doc = tcase_create("document");
	tcase_set_timeout(doc, 120);
	tcase_add_test(doc, round_trip_byte_identical);
	tcase_add_test(doc, reformatted_document_imports);
	tcase_add_test(doc, file_store_round_trip);
	tcase_add_test(doc, empty_store_round_trip);
	tcase_add_test(doc, not_empty_store);
	tcase_add_test(doc, small_document);
	tcase_add_test(doc, import_in_explicit_transaction);
	tcase_add_test(doc, bad_fields_name_object_and_field);
	tcase_add_test(doc, truncated_document);
	tcase_add_test(doc, tampered_audit_chain);
	tcase_add_test(doc, index_handle);
	suite_add_tcase(s, doc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
