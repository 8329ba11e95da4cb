/* The importers (src/io/import): every fixture of tests/import/fixtures
 * (copied from ../shared/fixtures/import) parses to exactly its
 * *.expected.json; the shared CSV reader's hard cases (BOM, CRLF, quoted
 * delimiters and newlines, bad rows reported at the physical line where
 * the record starts); and the apply step on real stores: counts, a second
 * import that changes nothing, overlapping files that merge, --dry-run and
 * --all-or-nothing leaving the store as it was, exit statuses 0/3/1.
 *
 * usage: test_import FIXTURES_DIR */
#include "ipam.h"
#include "ipam/import.h"

#include "db/check.h"
#include "io/import/imp.h"

#include <check.h>
#include <stdarg.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OK(call) ck_assert_msg((call) == 0, "%s: %s", #call, ipam_error_last()->message)

static const char *fixtures;

static char *fixture(const char *name)
{
	static char path[4096];
	snprintf(path, sizeof path, "%s/%s", fixtures, name);
	return path;
}

static cJSON *read_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "open %s", path);
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	cJSON *j = cJSON_Parse(buf);
	ck_assert_msg(j != NULL, "parse %s", path);
	return j;
}

/* Compare one array of the model with the expected one, item by item, so
 * that a failure names the first item that differs. Every key the expected
 * item has must be equal; the model may hold more (a range's description
 * where a fixture lists none). An expected item that is a string names a
 * space (Infoblox's "vrfs"). */
static void same_array(const cJSON *got, const cJSON *want, const char *name)
{
	int ng = cJSON_GetArraySize(got), nw = cJSON_GetArraySize(want);
	for (int i = 0; i < ng && i < nw; i++) {
		const cJSON *g = cJSON_GetArrayItem(got, i), *w = cJSON_GetArrayItem(want, i);
		int same = 1;
		if (cJSON_IsString(w)) {
			same = cJSON_Compare(cJSON_GetObjectItem(g, "name"), w, 1);
		} else {
			const cJSON *k;
			cJSON_ArrayForEach(k, w) same = same && cJSON_Compare(cJSON_GetObjectItem(g, k->string), k, 1);
		}
		if (!same) {
			char *gs = cJSON_PrintUnformatted(g), *ws = cJSON_PrintUnformatted(w);
			ck_abort_msg("%s[%d] differs:\n got  %s\n want %s", name, i, gs, ws);
		}
	}
	ck_assert_msg(ng == nw, "%s: %d items, expected %d", name, ng, nw);
}

static void same_model(ipam_import *imp, const char *expected, const char *global)
{
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam__import_model_json(&b, imp, global));
	cJSON *got = cJSON_Parse(b.ptr);
	cJSON *want = read_json(fixture(expected));
	ck_assert(got != NULL);
	static const char *const arrays[] = { "vrfs", "prefixes", "ranges", "addresses", "dns_records" };
	for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
		same_array(cJSON_GetObjectItem(got, arrays[i]), cJSON_GetObjectItem(want, arrays[i]), arrays[i]);
	cJSON_Delete(got);
	cJSON_Delete(want);
	ipam_buf_dispose(&b);
}

/* An import's model is exactly the fixture's expected result ("default"
 * naming the global table); frees the import. */
static void fixture_result(ipam_import *imp, const char *expected)
{
	same_model(imp, expected, "default");
	ipam_import_free(imp);
}

static const char *const netbox_files[] = {
	"netbox_vrfs.csv",         "netbox_prefixes.csv",      "netbox_ip_ranges.csv",
	"netbox_ip_addresses.csv", "netbox_api_prefixes.json", "netbox_api_ip_addresses.json",
};
#define NNETBOX (sizeof netbox_files / sizeof netbox_files[0])

static ipam_import *netbox(size_t from, size_t to, unsigned flags)
{
	ipam_import *imp;
	ipam_import_options o = IPAM_IMPORT_OPTIONS_INIT;
	o.flags = flags;
	OK(ipam_import_new(&imp, IPAM_IMPORT_NETBOX_CSV, &o));
	for (size_t i = from; i < to; i++)
		OK(ipam_import_add_file(imp, fixture(netbox_files[i])));
	return imp;
}

/* The counts object `which` of a report, as "spaces/prefixes/ranges/addresses/records". */
static void counts(const ipam_import *imp, const char *which, char *out, size_t size)
{
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_import_report(&b, imp));
	cJSON *r = cJSON_Parse(b.ptr);
	ck_assert_msg(r != NULL, "report is not JSON: %s", b.ptr);
	const cJSON *c = cJSON_GetObjectItem(r, which);
	snprintf(out, size, "%d/%d/%d/%d/%d", cJSON_GetObjectItem(c, "spaces")->valueint,
	         cJSON_GetObjectItem(c, "prefixes")->valueint, cJSON_GetObjectItem(c, "ranges")->valueint,
	         cJSON_GetObjectItem(c, "addresses")->valueint, cJSON_GetObjectItem(c, "records")->valueint);
	cJSON_Delete(r);
	ipam_buf_dispose(&b);
}

#define COUNTS(imp, which, want)                                                 \
	do {                                                                     \
		char got_[80];                                                   \
		counts(imp, which, got_, sizeof got_);                           \
		ck_assert_msg(strcmp(got_, want) == 0, "%s: %s, expected %s", which, got_, want); \
	} while (0)

static ipam_db *open_db(void)
{
	ipam_db *db;
	OK(ipam_db_open(&db, "memory:", NULL));
	return db;
}

START_TEST(netbox_fixtures)
{
	ipam_import *imp = netbox(0, NNETBOX, 0);
	same_model(imp, "netbox.expected.json", "global");
	ipam_import_free(imp);
}
END_TEST

/* The CSV set alone and the API set alone give the same addresses. */
START_TEST(netbox_csv_and_api_agree)
{
	ipam_import *csv = netbox(3, 4, 0), *api = netbox(5, 6, 0);
	ipam_buf a = IPAM_BUF_INIT, b = IPAM_BUF_INIT;
	OK(ipam__import_model_json(&a, csv, "global"));
	OK(ipam__import_model_json(&b, api, "global"));
	cJSON *ja = cJSON_Parse(a.ptr), *jb = cJSON_Parse(b.ptr);
	same_array(cJSON_GetObjectItem(jb, "addresses"), cJSON_GetObjectItem(ja, "addresses"), "api addresses");
	cJSON_Delete(ja);
	cJSON_Delete(jb);
	ipam_buf_dispose(&a);
	ipam_buf_dispose(&b);
	ipam_import_free(csv);
	ipam_import_free(api);
}
END_TEST

static void netbox_into(const char *uri)
{
	ipam_db *db;
	ipam_open_options oo = IPAM_OPEN_OPTIONS_INIT;
	oo.flags = IPAM_OPEN_CREATE;
	oo.passphrase = "import test";
	OK(ipam_db_open(&db, uri, &oo));
	ipam_import *imp = netbox(0, NNETBOX, 0);
	OK(ipam_import_apply(imp, db));
	COUNTS(imp, "imported", "2/10/3/18/0");
	COUNTS(imp, "unchanged", "0/0/0/0/0");
	ck_assert_int_eq(ipam_import_status(imp), 0);
	ipam_import_free(imp);
	OK(ipam__db_check(db));

	/* what went in */
	ipam_ip_info ip = IPAM_IP_INFO_INIT;
	ipam_addr a;
	OK(ipam_addr_parse(&a, "10.10.0.10"));
	OK(ipam_ip_get(&ip, db, "CUST-B", &a));
	ck_assert(ip.has_mac);
	char mac[32];
	ipam_mac_format(mac, sizeof mac, &ip.mac);
	ck_assert_str_eq(mac, "00:00:5e:00:53:b1");
	ck_assert_str_eq(ip.hostname, "app.custb.example.net");
	cJSON *at = cJSON_Parse(ip.attrs_json);
	ck_assert_str_eq(cJSON_GetObjectItem(at, "tenant")->valuestring, "Customer B");
	cJSON_Delete(at);
	ipam_ip_info_dispose(&ip);
	OK(ipam_addr_parse(&a, "192.0.2.50"));
	OK(ipam_ip_get(&ip, db, NULL, &a));
	ck_assert_int_eq(ip.status, IPAM_STATUS_RESERVED);
	ipam_ip_info_dispose(&ip);
	ipam_prefix_info pi = IPAM_PREFIX_INFO_INIT;
	ipam_prefix p;
	OK(ipam_prefix_parse(&p, "10.10.0.0/24", 0));
	OK(ipam_prefix_get(&pi, db, NULL, &p));
	at = cJSON_Parse(pi.attrs_json);
	ck_assert_int_eq(cJSON_GetObjectItem(at, "vlan")->valueint, 110);
	ck_assert_str_eq(pi.description, "Servers, DC1 row 4");
	cJSON_Delete(at);
	ipam_prefix_info_dispose(&pi);

	/* again: nothing changes, and no audit entry is written */
	uint64_t rev0, rev1;
	OK(ipam_db_revision(&rev0, db));
	imp = netbox(0, NNETBOX, 0);
	OK(ipam_import_apply(imp, db));
	COUNTS(imp, "imported", "0/0/0/0/0");
	COUNTS(imp, "updated", "0/0/0/0/0");
	COUNTS(imp, "unchanged", "2/10/3/18/0");
	ck_assert_int_eq(ipam_import_status(imp), 0);
	ipam_import_free(imp);
	OK(ipam_db_revision(&rev1, db));
	ck_assert_uint_eq(rev0, rev1);
	ipam_db_free(db);
}

START_TEST(netbox_apply_memory)
{
	netbox_into("memory:");
}
END_TEST

START_TEST(netbox_apply_sqlcipher)
{
	char dir[] = "/tmp/ipam-import-XXXXXX", path[64];
	ck_assert(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/db", dir);
	netbox_into(path);
	unlink(path);
	char side[80];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	rmdir(dir);
}
END_TEST

/* The CSV file first, then the API file: the second merges (adds the VLAN)
 * instead of duplicating. */
START_TEST(netbox_overlap_merges)
{
	ipam_db *db = open_db();
	ipam_import *imp = netbox(1, 2, 0);
	OK(ipam_import_apply(imp, db));
	COUNTS(imp, "imported", "2/10/0/0/0");
	ipam_import_free(imp);
	imp = netbox(4, 5, 0);
	OK(ipam_import_apply(imp, db));
	COUNTS(imp, "imported", "0/0/0/0/0");
	COUNTS(imp, "updated", "0/1/0/0/0");
	COUNTS(imp, "unchanged", "2/9/0/0/0");
	ipam_import_free(imp);
	ipam_db_free(db);
}
END_TEST

/* A file with a BOM, CRLF line ends, quoted delimiters, quotes and
 * newlines; bad rows reported at the line where their record starts. */
static const char hard_csv[] =
	"\xEF\xBB\xBFprefix,vrf,status,description,cf_note\r\n"
	"10.1.0.0/16,,container,\"two\r\nlines, and a comma\",\"say \"\"hi\"\"\"\r\n"
	"10.1.2.3/24,,active,host bits,\r\n"
	"10.1.300.0/24,,active,bad octet,\r\n"
	"\r\n"
	"\"10.2.0.0/24\",,active,\"multi\nline\nvalue\",x\r\n"
	"10.3.0.0/24,,active,too,many,fields\r\n"
	"2001:DB8:0:0::/64,,active,non-canonical IPv6,\r\n";

START_TEST(csv_hard_cases)
{
	ipam_import *imp;
	ipam_db *db = open_db();
	OK(ipam_import_new(&imp, IPAM_IMPORT_NETBOX_CSV, NULL));
	OK(ipam_import_add_buffer(imp, "hard.csv", hard_csv, sizeof hard_csv - 1));
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam__import_model_json(&b, imp, "global"));
	cJSON *m = cJSON_Parse(b.ptr);
	const cJSON *ps = cJSON_GetObjectItem(m, "prefixes");
	ck_assert_int_eq(cJSON_GetArraySize(ps), 4);
	const cJSON *p0 = cJSON_GetArrayItem(ps, 0);
	ck_assert_str_eq(cJSON_GetObjectItem(p0, "description")->valuestring, "two\r\nlines, and a comma");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(p0, "attributes"), "note")->valuestring, "say \"hi\"");
	/* NetBox clears host bits, and the report says so */
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ps, 1), "prefix")->valuestring, "10.1.2.0/24");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ps, 3), "prefix")->valuestring, "2001:db8::/64");
	cJSON_Delete(m);
	ipam_buf_dispose(&b);

	OK(ipam_import_apply(imp, db));
	OK(ipam_import_report(&b, imp));
	cJSON *r = cJSON_Parse(b.ptr);
	ck_assert_msg(r != NULL, "%s", b.ptr);
	const cJSON *errs = cJSON_GetObjectItem(r, "errors");
	ck_assert_int_eq(cJSON_GetArraySize(errs), 2);
	const cJSON *e0 = cJSON_GetArrayItem(errs, 0), *e1 = cJSON_GetArrayItem(errs, 1);
	ck_assert_str_eq(cJSON_GetObjectItem(e0, "file")->valuestring, "hard.csv");
	ck_assert_int_eq(cJSON_GetObjectItem(e0, "line")->valueint, 5);
	ck_assert_str_eq(cJSON_GetObjectItem(e0, "field")->valuestring, "prefix");
	ck_assert_str_eq(cJSON_GetObjectItem(e0, "value")->valuestring, "10.1.300.0/24");
	ck_assert_int_eq(cJSON_GetObjectItem(e1, "line")->valueint, 10);
	const cJSON *notes = cJSON_GetObjectItem(r, "notes");
	ck_assert_msg(strstr(cJSON_GetArrayItem(notes, 0)->valuestring, "hard.csv:4: prefix 10.1.2.3/24 has host bits") !=
	                      NULL,
	              "%s", b.ptr);
	cJSON_Delete(r);
	ipam_buf_dispose(&b);
	COUNTS(imp, "imported", "0/4/0/0/0");
	ck_assert_int_eq(ipam_import_status(imp), 3);
	ipam_import_free(imp);
	ipam_db_free(db);
}
END_TEST

/* Readers refuse what is not their format, name the line of an unclosed
 * quote, and refuse bytes that are not UTF-8. */
START_TEST(csv_refusals)
{
	ipam_import *imp;
	OK(ipam_import_new(&imp, IPAM_IMPORT_NETBOX_CSV, NULL));
	static const char unclosed[] = "prefix,description\n10.0.0.0/8,\"never\nclosed\n";
	ck_assert_int_eq(ipam_import_add_buffer(imp, "u.csv", unclosed, sizeof unclosed - 1), IPAM_EINVAL);
	ck_assert_msg(strstr(ipam_error_last()->message, "u.csv: line 2: a quoted field is never closed") != NULL, "%s",
	              ipam_error_last()->message);
	static const char latin1[] = "prefix,description\n10.0.0.0/8,caf\xe9\n";
	ck_assert_int_eq(ipam_import_add_buffer(imp, "l.csv", latin1, sizeof latin1 - 1), IPAM_EINVAL);
	ck_assert_msg(strstr(ipam_error_last()->message, "l.csv:2: byte 0xe9 is not UTF-8") != NULL, "%s",
	              ipam_error_last()->message);
	static const char other[] = "a,b\n1,2\n";
	ck_assert_int_eq(ipam_import_add_buffer(imp, "o.csv", other, sizeof other - 1), IPAM_EINVAL);
	ck_assert_int_eq(ipam_import_add_file(imp, "/nonexistent/x.csv"), IPAM_EIO);
	ipam_import_free(imp);
	ck_assert_int_eq(ipam_import_format_parse(&(ipam_import_format){ 0 }, "nosuch"), IPAM_EINVAL);
}
END_TEST

/* An import of one buffer. */
static ipam_import *from_buffer(unsigned flags, const char *name, const char *text)
{
	ipam_import *imp;
	ipam_import_options o = IPAM_IMPORT_OPTIONS_INIT;
	o.flags = flags;
	OK(ipam_import_new(&imp, IPAM_IMPORT_NETBOX_CSV, &o));
	OK(ipam_import_add_buffer(imp, name, text, strlen(text)));
	return imp;
}

static const char one_bad[] = "address,vrf,status,dns_name\n"
                              "192.0.2.1/24,,active,ok.example.com\n"
                              "192.0.2.2/24,,active,bad name!.example.com\n";

/* --all-or-nothing: one bad row and nothing goes in; --dry-run: counted,
 * nothing written; a refusal by the database names the row. */
START_TEST(all_or_nothing_and_dry_run)
{
	ipam_db *db = open_db();
	uint64_t rev0, rev1;
	OK(ipam_db_revision(&rev0, db));
	ipam_import *imp = from_buffer(IPAM_IMPORT_ALL_OR_NOTHING, "a.csv", one_bad);
	OK(ipam_import_apply(imp, db));
	COUNTS(imp, "imported", "0/0/0/0/0");
	COUNTS(imp, "skipped", "0/0/0/2/0");
	ck_assert_int_eq(ipam_import_status(imp), 1);
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_import_report(&b, imp));
	ck_assert_msg(strstr(b.ptr, "\"line\": 3, \"field\": \"address\"") != NULL, "%s", b.ptr);
	ipam_buf_dispose(&b);
	ipam_import_free(imp);
	OK(ipam_db_revision(&rev1, db));
	ck_assert_uint_eq(rev0, rev1);

	imp = from_buffer(IPAM_IMPORT_DRY_RUN, "a.csv", one_bad);
	OK(ipam_import_apply(imp, db));
	COUNTS(imp, "imported", "0/0/0/1/0");
	COUNTS(imp, "skipped", "0/0/0/1/0");
	ck_assert_int_eq(ipam_import_status(imp), 3);
	ipam_import_free(imp);
	OK(ipam_db_revision(&rev1, db));
	ck_assert_uint_eq(rev0, rev1);

	/* and for real: the good row goes in */
	imp = from_buffer(0, "a.csv", one_bad);
	OK(ipam_import_apply(imp, db));
	COUNTS(imp, "imported", "0/0/0/1/0");
	ck_assert_int_eq(ipam_import_status(imp), 3);
	ck_assert_int_eq(ipam_import_apply(imp, db), IPAM_EINVAL);
	ipam_import_free(imp);
	ipam_db_free(db);
}
END_TEST

/* An import of one fixture file. */
static ipam_import *from_fixture(ipam_import_format fmt, const char *name)
{
	ipam_import *imp;
	OK(ipam_import_new(&imp, fmt, NULL));
	OK(ipam_import_add_file(imp, fixture(name)));
	return imp;
}

static ipam_import *infoblox(void)
{
	return from_fixture(IPAM_IMPORT_INFOBLOX, "infoblox_nios_export.csv");
}

START_TEST(infoblox_fixture)
{
	ipam_import *imp = infoblox();
	same_model(imp, "infoblox_nios_export.expected.json", "default");
	ipam_import_free(imp);
}
END_TEST

/* Into a store. DNS records go to the zones that hold them: with no zone
 * in the store, the A/AAAA records of host records are there already (the
 * addresses with their host names give them) and the other five (two CNAME
 * aliases, three PTRs) are skipped, each reported; with the zones added,
 * a second import adds those five; a third changes nothing. */
START_TEST(infoblox_apply)
{
	ipam_db *db = open_db();
	ipam_import *imp = infoblox();
	OK(ipam_import_apply(imp, db));
	COUNTS(imp, "imported", "1/11/3/19/0");
	COUNTS(imp, "skipped", "0/0/0/0/5");
	COUNTS(imp, "unchanged", "0/0/0/0/15");
	ck_assert_int_eq(ipam_import_status(imp), 3);
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_import_report(&b, imp));
	ck_assert_msg(strstr(b.ptr, "view default: no zone holds www.example.com. (add the zone first)") != NULL, "%s",
	              b.ptr);
	ipam_buf_dispose(&b);
	ipam_import_free(imp);
	OK(ipam__db_check(db));

	ipam_range_query q = IPAM_RANGE_QUERY_INIT;
	ipam_range_iter *it;
	ipam_range_info ri = IPAM_RANGE_INFO_INIT;
	int n = 0, excluded = 0;
	OK(ipam_range_iter_new(&it, db, &q));
	while (ipam_range_iter_next(&ri, it) == 0) {
		n++;
		if (ri.purpose == IPAM_RANGE_EXCLUDED) {
			excluded++;
			ck_assert_str_eq(ri.description, "printers, reserved");
		}
	}
	ipam_range_info_dispose(&ri);
	ipam_range_iter_free(it);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(excluded, 1);

	ipam_zone_options zo = IPAM_ZONE_OPTIONS_INIT;
	zo.ns = "ns1.example.com.";
	OK(ipam_zone_add(db, "example.com", &zo));
	OK(ipam_zone_add(db, "2.0.192.in-addr.arpa", &zo));
	OK(ipam_zone_add(db, "100.51.198.in-addr.arpa", &zo));
	imp = infoblox();
	OK(ipam_import_apply(imp, db));
	COUNTS(imp, "imported", "0/0/0/0/5");
	COUNTS(imp, "updated", "0/0/0/0/0");
	COUNTS(imp, "unchanged", "1/11/3/19/15");
	ck_assert_int_eq(ipam_import_status(imp), 0);
	ipam_import_free(imp);
	OK(ipam_zone_show(&b, db, "example.com", NULL));
	ck_assert_msg(strstr(b.ptr, "{\"record\":\"www.example.com. 3600 IN CNAME web.example.com.\",\"source\":\"hand\"}"),
	              "%s", b.ptr);
	ck_assert_msg(strstr(b.ptr, "{\"record\":\"db01.example.com. 3600 IN A 10.10.0.10\",\"source\":\"address\"}"),
	              "%s", b.ptr);
	ipam_buf_dispose(&b);

	imp = infoblox();
	OK(ipam_import_apply(imp, db));
	COUNTS(imp, "imported", "0/0/0/0/0");
	COUNTS(imp, "updated", "0/0/0/0/0");
	COUNTS(imp, "unchanged", "1/11/3/19/20");
	ipam_import_free(imp);
	ipam_db_free(db);
}
END_TEST

/* Bad Infoblox rows: reported at their line, the rest imported. */
START_TEST(infoblox_bad_rows)
{
	static const char text[] = "header-network,address*,netmask*,network_view,comment\n"
	                           "network,10.0.0.0,255.255.0.0,default,ok\n"
	                           "network,10.1.2.3,255.255.255.0,default,host bits\n"
	                           "network,10.2.0.0,255.0.255.0,default,\"bad\nmask\"\n"
	                           "fixedaddress,10.0.0.5,default,aa:bb:cc:dd:ee:ff\n"
	                           "header-zone,fqdn*,view\n"
	                           "zone,example.com,default\n";
	ipam_import *imp;
	OK(ipam_import_new(&imp, IPAM_IMPORT_INFOBLOX, NULL));
	OK(ipam_import_add_buffer(imp, "ib.csv", text, sizeof text - 1));
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_import_report(&b, imp));
	cJSON *r = cJSON_Parse(b.ptr);
	const cJSON *errs = cJSON_GetObjectItem(r, "errors");
	ck_assert_int_eq(cJSON_GetArraySize(errs), 4);
	static const int lines[] = { 3, 4, 6, 8 };
	static const char *const fields[] = { "address", "netmask", "type", "header" };
	for (int i = 0; i < 4; i++) {
		const cJSON *e = cJSON_GetArrayItem(errs, i);
		ck_assert_int_eq(cJSON_GetObjectItem(e, "line")->valueint, lines[i]);
		ck_assert_str_eq(cJSON_GetObjectItem(e, "field")->valuestring, fields[i]);
	}
	cJSON_Delete(r);
	ipam_buf_dispose(&b);
	ipam_import_free(imp);
	OK(ipam_import_new(&imp, IPAM_IMPORT_INFOBLOX, NULL));
	ck_assert_int_eq(ipam_import_add_buffer(imp, "x.csv", "network,10.0.0.0\n", 17), IPAM_EINVAL);
	ck_assert_msg(strstr(ipam_error_last()->message, "x.csv:1: not an Infoblox CSV export") != NULL, "%s",
	              ipam_error_last()->message);
	ipam_import_free(imp);
}
END_TEST

/* ---- the exports and their round trips ---- */

static int add_attrs(cJSON *o, const char *json)
{
	cJSON *a = cJSON_Parse(json ? json : "{}");
	ck_assert(a != NULL);
	return cJSON_AddItemToObject(o, "attrs", a);
}

/* Everything a store holds that an export must carry, as one JSON value
 * (ids, times and the audit chain aside). */
static cJSON *dump(ipam_db *db)
{
	cJSON *root = cJSON_CreateArray();
	ipam_space_iter *si;
	ipam_space_info s = IPAM_SPACE_INFO_INIT;
	OK(ipam_space_iter_new(&si, db));
	while (ipam_space_iter_next(&s, si) == 0) {
		cJSON *sp = cJSON_CreateObject();
		cJSON_AddStringToObject(sp, "space", s.name);
		add_attrs(sp, s.labels_json);
		cJSON *ps = cJSON_AddArrayToObject(sp, "prefixes"), *rs = cJSON_AddArrayToObject(sp, "ranges"),
		      *as = cJSON_AddArrayToObject(sp, "addresses");
		cJSON_AddItemToArray(root, sp);
		char t[64], u[64];
		ipam_prefix_query pq = IPAM_PREFIX_QUERY_INIT;
		ipam_prefix_iter *pi;
		ipam_prefix_info p = IPAM_PREFIX_INFO_INIT;
		pq.space = s.name;
		OK(ipam_prefix_iter_new(&pi, db, &pq));
		while (ipam_prefix_iter_next(&p, pi) == 0) {
			cJSON *o = cJSON_CreateObject();
			ipam_prefix_format(t, sizeof t, &p.prefix);
			cJSON_AddStringToObject(o, "prefix", t);
			cJSON_AddNumberToObject(o, "status", p.status);
			cJSON_AddNumberToObject(o, "pool", p.pool);
			cJSON_AddStringToObject(o, "description", p.description ? p.description : "");
			add_attrs(o, p.attrs_json);
			cJSON_AddItemToArray(ps, o);
		}
		ipam_prefix_info_dispose(&p);
		ipam_prefix_iter_free(pi);
		ipam_range_query rq = IPAM_RANGE_QUERY_INIT;
		ipam_range_iter *ri;
		ipam_range_info r = IPAM_RANGE_INFO_INIT;
		rq.space = s.name;
		OK(ipam_range_iter_new(&ri, db, &rq));
		while (ipam_range_iter_next(&r, ri) == 0) {
			cJSON *o = cJSON_CreateObject();
			ipam_addr_format(t, sizeof t, &r.first);
			ipam_addr_format(u, sizeof u, &r.last);
			cJSON_AddStringToObject(o, "first", t);
			cJSON_AddStringToObject(o, "last", u);
			cJSON_AddNumberToObject(o, "purpose", r.purpose);
			cJSON_AddStringToObject(o, "description", r.description ? r.description : "");
			add_attrs(o, r.attrs_json);
			cJSON_AddItemToArray(rs, o);
		}
		ipam_range_info_dispose(&r);
		ipam_range_iter_free(ri);
		ipam_ip_query aq = IPAM_IP_QUERY_INIT;
		ipam_ip_iter *ai;
		ipam_ip_info a = IPAM_IP_INFO_INIT;
		aq.space = s.name;
		OK(ipam_ip_iter_new(&ai, db, &aq));
		while (ipam_ip_iter_next(&a, ai) == 0) {
			cJSON *o = cJSON_CreateObject();
			ipam_addr_format(t, sizeof t, &a.addr);
			cJSON_AddStringToObject(o, "address", t);
			cJSON_AddNumberToObject(o, "status", a.status);
			cJSON_AddStringToObject(o, "hostname", a.hostname ? a.hostname : "");
			u[0] = '\0';
			if (a.has_mac)
				ipam_mac_format(u, sizeof u, &a.mac);
			cJSON_AddStringToObject(o, "mac", u);
			cJSON_AddStringToObject(o, "description", a.description ? a.description : "");
			add_attrs(o, a.attrs_json);
			cJSON_AddItemToArray(as, o);
		}
		ipam_ip_info_dispose(&a);
		ipam_ip_iter_free(ai);
	}
	ipam_space_info_dispose(&s);
	ipam_space_iter_free(si);
	return root;
}

static void save(const char *path, const cJSON *j)
{
	char *s = cJSON_Print(j);
	FILE *f = fopen(path, "w");
	if (f && s)
		fputs(s, f);
	if (f)
		fclose(f);
	free(s);
}

static void same_store(ipam_db *a, ipam_db *b)
{
	cJSON *da = dump(a), *dbb = dump(b);
	if (!cJSON_Compare(da, dbb, 1)) {
		save("roundtrip-a.json", da);
		save("roundtrip-b.json", dbb);
		ck_abort_msg("the stores differ after the round trip (see roundtrip-a.json, roundtrip-b.json)");
	}
	cJSON_Delete(da);
	cJSON_Delete(dbb);
}

/* NetBox fixtures in, the four NetBox CSV files out, those into an empty
 * store: the same spaces, prefixes, ranges and addresses. */
START_TEST(netbox_round_trip)
{
	ipam_db *a = open_db(), *b = open_db();
	ipam_import *imp = netbox(0, NNETBOX, 0);
	OK(ipam_import_apply(imp, a));
	ipam_import_free(imp);
	OK(ipam_import_new(&imp, IPAM_IMPORT_NETBOX_CSV, NULL));
	static const char *const names[] = { NULL, "vrfs.csv", "prefixes.csv", "ip-ranges.csv", "ip-addresses.csv" };
	for (int k = IPAM_EXPORT_NETBOX_VRFS; k <= IPAM_EXPORT_NETBOX_ADDRESSES; k++) {
		ipam_buf csv = IPAM_BUF_INIT;
		OK(ipam_export_csv(&csv, a, (ipam_export_csv_kind)k));
		OK(ipam_import_add_buffer(imp, names[k], csv.ptr, csv.size));
		ipam_buf_dispose(&csv);
	}
	OK(ipam_import_apply(imp, b));
	ck_assert_int_eq(ipam_import_status(imp), 0);
	ipam_import_free(imp);
	same_store(a, b);
	ipam_db_free(a);
	ipam_db_free(b);
}
END_TEST

START_TEST(infoblox_round_trip)
{
	ipam_db *a = open_db(), *b = open_db();
	ipam_import *imp = infoblox();
	OK(ipam_import_apply(imp, a));
	ipam_import_free(imp);
	ipam_buf csv = IPAM_BUF_INIT;
	OK(ipam_export_csv(&csv, a, IPAM_EXPORT_INFOBLOX));
	OK(ipam_import_new(&imp, IPAM_IMPORT_INFOBLOX, NULL));
	OK(ipam_import_add_buffer(imp, "export.csv", csv.ptr, csv.size));
	ipam_buf_dispose(&csv);
	OK(ipam_import_apply(imp, b));
	ck_assert_int_eq(ipam_import_status(imp), 0);
	ipam_import_free(imp);
	same_store(a, b);
	ipam_db_free(a);
	ipam_db_free(b);
}
END_TEST

/* Apply an import to db, check one counts object, the skipped counts
 * (when given) and the status, free the import and check the store. */
static void apply_check(ipam_db *db, ipam_import *imp, const char *which, const char *want, int status,
                        const char *skipped)
{
	OK(ipam_import_apply(imp, db));
	COUNTS(imp, which, want);
	if (skipped)
		COUNTS(imp, "skipped", skipped);
	ck_assert_int_eq(ipam_import_status(imp), status);
	ipam_import_free(imp);
	OK(ipam__db_check(db));
}

static void ip_of(ipam_ip_info *ip, ipam_db *db, const char *space, const char *addr)
{
	ipam_addr a;
	OK(ipam_addr_parse(&a, addr));
	OK(ipam_ip_get(ip, db, space, &a));
}

static ipam_import *phpipam(void)
{
	return from_fixture(IPAM_IMPORT_PHPIPAM_SQL, "phpipam_data.sql");
}

START_TEST(phpipam_sql_fixture)
{
	ipam_import *imp = phpipam();
	same_model(imp, "phpipam_data.expected.json", "default");
	ipam_import_free(imp);
}
END_TEST

START_TEST(phpipam_sql_apply)
{
	ipam_db *db = open_db();
	apply_check(db, phpipam(), "imported", "1/9/1/24/0", 0, NULL);
	ipam_ip_info ip = IPAM_IP_INFO_INIT;
	ip_of(&ip, db, NULL, "2001:db8:100:10::10");
	ck_assert_str_eq(ip.hostname, "fs01.example.com");
	ipam_ip_info_dispose(&ip);
	ip_of(&ip, db, NULL, "192.0.2.102");
	ck_assert_int_eq(ip.status, IPAM_STATUS_DHCP);
	ipam_ip_info_dispose(&ip);
	apply_check(db, phpipam(), "unchanged", "1/9/1/24/0", 0, NULL);
	ipam_db_free(db);
}
END_TEST

/* The dump reader: escapes, NULL, comments, a refused subnet, a row of the
 * wrong width, an unclosed quote, no column list. */
START_TEST(phpipam_sql_bad)
{
	static const char dump[] =
		"-- a comment; with a semicolon\n"
		"/* block\ncomment */ SET NAMES utf8mb4;\n"
		"INSERT INTO `subnets` (`id`, `subnet`, `mask`, `description`, `vrfId`) VALUES\n"
		"(1,'167772160','8','it\\'s \"quoted\"\\nnewline',NULL),\n"
		"(2,'167772161','24','host bits',0),\n"
		"(3,'167772160','8'),\n"
		"(4,'340282366920938463463374607431768211456','64','too big',0);\n"
		"INSERT INTO `ipaddresses` (`id`, `subnetId`, `ip_addr`, `mac`, `state`) VALUES "
		"(1,1,'167772165','AABB.CCDD.EEFF','2'),(2,9,'1',NULL,'2'),(3,1,'4294967296',NULL,'2');\n";
	ipam_import *imp;
	OK(ipam_import_new(&imp, IPAM_IMPORT_PHPIPAM_SQL, NULL));
	OK(ipam_import_add_buffer(imp, "d.sql", dump, sizeof dump - 1));
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam__import_model_json(&b, imp, "default"));
	cJSON *mj = cJSON_Parse(b.ptr);
	const cJSON *p0 = cJSON_GetArrayItem(cJSON_GetObjectItem(mj, "prefixes"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(p0, "description")->valuestring, "it's \"quoted\"\nnewline");
	const cJSON *a0 = cJSON_GetArrayItem(cJSON_GetObjectItem(mj, "addresses"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(a0, "mac")->valuestring, "aa:bb:cc:dd:ee:ff");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(mj, "addresses")), 1);
	cJSON_Delete(mj);
	ipam_buf_dispose(&b);
	OK(ipam_import_report(&b, imp));
	cJSON *r = cJSON_Parse(b.ptr);
	const cJSON *errs = cJSON_GetObjectItem(r, "errors");
	static const int lines[] = { 7, 6, 8, 9, 9 };
	static const char *const fields[] = { NULL, "subnet", "subnet", "subnetId", "ip_addr" };
	ck_assert_msg(cJSON_GetArraySize(errs) == 5, "%s", b.ptr);
	for (int i = 0; i < 5; i++) {
		const cJSON *e = cJSON_GetArrayItem(errs, i), *f = cJSON_GetObjectItem(e, "field");
		ck_assert_int_eq(cJSON_GetObjectItem(e, "line")->valueint, lines[i]);
		if (fields[i])
			ck_assert_str_eq(f->valuestring, fields[i]);
	}
	cJSON_Delete(r);
	ipam_buf_dispose(&b);
	static const char unclosed[] = "INSERT INTO `vrf` (`name`) VALUES\n('x);\n";
	ck_assert_int_eq(ipam_import_add_buffer(imp, "u.sql", unclosed, sizeof unclosed - 1), IPAM_EINVAL);
	ck_assert_msg(strstr(ipam_error_last()->message, "u.sql:2: a quoted value is never closed") != NULL, "%s",
	              ipam_error_last()->message);
	static const char nocols[] = "INSERT INTO `vrf` VALUES (1,'x');\n";
	ck_assert_int_eq(ipam_import_add_buffer(imp, "n.sql", nocols, sizeof nocols - 1), IPAM_EINVAL);
	ck_assert_msg(strstr(ipam_error_last()->message, "--complete-insert") != NULL, "%s", ipam_error_last()->message);
	ipam_import_free(imp);
}
END_TEST

/* --space and --space-map. */
START_TEST(space_mapping)
{
	ipam_db *db = open_db();
	ipam_import *imp;
	const char *map[] = { "CUST-B=custb", "global=corp" };
	ipam_import_options o = IPAM_IMPORT_OPTIONS_INIT;
	o.space_map = map;
	o.nspace_map = 2;
	OK(ipam_import_new(&imp, IPAM_IMPORT_NETBOX_CSV, &o));
	OK(ipam_import_add_file(imp, fixture("netbox_prefixes.csv")));
	OK(ipam_import_apply(imp, db));
	COUNTS(imp, "imported", "3/10/0/0/0");
	ipam_import_free(imp);
	ipam_space_info si = IPAM_SPACE_INFO_INIT;
	OK(ipam_space_get(&si, db, "custb"));
	ipam_space_info_dispose(&si);
	OK(ipam_space_get(&si, db, "corp"));
	ipam_space_info_dispose(&si);
	OK(ipam_space_get(&si, db, "MGMT"));
	ipam_space_info_dispose(&si);

	o.space = "one";
	o.nspace_map = 0;
	OK(ipam_import_new(&imp, IPAM_IMPORT_NETBOX_CSV, &o));
	OK(ipam_import_add_file(imp, fixture("netbox_ip_addresses.csv")));
	OK(ipam_import_apply(imp, db));
	/* the two spaces' 10.10.0.1 and 10.10.0.10 become one each in "one" */
	COUNTS(imp, "imported", "1/0/0/16/0");
	COUNTS(imp, "updated", "0/0/0/2/0");
	ipam_import_free(imp);
	const char *badmap[] = { "nosep" };
	o.space_map = badmap;
	o.nspace_map = 1;
	ck_assert_int_eq(ipam_import_new(&imp, IPAM_IMPORT_NETBOX_CSV, &o), IPAM_EINVAL);
	ipam_db_free(db);
}
END_TEST


/* The import's model as the fixtures' JSON ("default": the global table). */
static cJSON *model_of(ipam_import *imp)
{
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam__import_model_json(&b, imp, "default"));
	cJSON *j = cJSON_Parse(b.ptr);
	ck_assert(j != NULL);
	ipam_buf_dispose(&b);
	return j;
}

/* Where a reported error is: file, line and field (NULL: any). */
struct where {
	const char *file;
	int line;
	const char *field;
};

/* The report's errors are exactly these, in order. */
static void errors_at(ipam_import *imp, const struct where *want, int n)
{
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_import_report(&b, imp));
	cJSON *r = cJSON_Parse(b.ptr);
	const cJSON *errs = cJSON_GetObjectItem(r, "errors");
	ck_assert_msg(cJSON_GetArraySize(errs) == n, "%s", b.ptr);
	for (int i = 0; i < n; i++) {
		const cJSON *e = cJSON_GetArrayItem(errs, i);
		ck_assert_msg(!strcmp(cJSON_GetObjectItem(e, "file")->valuestring, want[i].file) &&
		                      cJSON_GetObjectItem(e, "line")->valueint == want[i].line &&
		                      (!want[i].field || !strcmp(cJSON_GetObjectItem(e, "field")->valuestring, want[i].field)),
		              "error %d is not at %s:%d %s: %s", i, want[i].file, want[i].line,
		              want[i].field ? want[i].field : "", b.ptr);
	}
	cJSON_Delete(r);
	ipam_buf_dispose(&b);
}

/* A file "o.csv" of another format is refused with a message holding `msg`. */
static void refused(ipam_import *imp, const char *text, const char *msg)
{
	ck_assert_int_eq(ipam_import_add_buffer(imp, "o.csv", text, strlen(text)), IPAM_EINVAL);
	ck_assert_msg(strstr(ipam_error_last()->message, msg) != NULL, "%s", ipam_error_last()->message);
}

/* An import of texts: name, text, ..., NULL. */
static ipam_import *of_texts(ipam_import_format fmt, ...)
{
	ipam_import *imp;
	va_list ap;
	const char *name;
	OK(ipam_import_new(&imp, fmt, NULL));
	va_start(ap, fmt);
	while ((name = va_arg(ap, const char *)) != NULL) {
		const char *text = va_arg(ap, const char *);
		OK(ipam_import_add_buffer(imp, name, text, strlen(text)));
	}
	va_end(ap);
	return imp;
}

/* ---- BlueCat ---- */

static const char *const bluecat_files[] = { "bluecat_ip4address_Corporate.csv", "bluecat_ip4dhcprange_Corporate.csv",
	                                     "bluecat_ip4address_CUST-B.ndjson" };

static ipam_import *bluecat(void)
{
	ipam_import *imp;
	OK(ipam_import_new(&imp, IPAM_IMPORT_BLUECAT, NULL));
	for (size_t i = 0; i < 3; i++)
		OK(ipam_import_add_file(imp, fixture(bluecat_files[i])));
	return imp;
}

START_TEST(bluecat_fixture)
{
	fixture_result(bluecat(), "bluecat_importentities.expected.json");
}
END_TEST

/* Into a store: the configurations become spaces, the A records are the
 * addresses' host names (unchanged), the PTRs have no zone (skipped, each
 * reported); a second import changes nothing. */
START_TEST(bluecat_apply)
{
	ipam_db *db = open_db();
	apply_check(db, bluecat(), "imported", "2/0/3/22/0", 3, "0/0/0/0/16");
	ipam_ip_info ip = IPAM_IP_INFO_INIT;
	ip_of(&ip, db, "CUST-B", "10.10.0.10");
	ck_assert_str_eq(ip.hostname, "app.custb.example.net");
	char mt[32];
	ck_assert(ip.has_mac);
	ipam_mac_format(mt, sizeof mt, &ip.mac);
	ck_assert_str_eq(mt, "00:00:5e:00:53:b1");
	ck_assert_msg(strstr(ip.attrs_json, "\"name\":\"app\"") != NULL, "%s", ip.attrs_json);
	ipam_ip_info_dispose(&ip);
	apply_check(db, bluecat(), "unchanged", "2/0/3/22/18", 3, "0/0/0/0/16");
	ipam_db_free(db);
}
END_TEST

/* Bad rows: a BOM and CRLF, a quoted newline before the bad row, a bad
 * address, a bad MAC, a bad range, a bad watermark; NDJSON: a line that is
 * not an object, a nested value; each at its physical line. */
START_TEST(bluecat_bad_rows)
{
	static const char addrs[] = "\xEF\xBB\xBF" "addresses,name,macaddress,Note\r\n"
	                            "10.0.0.1,a,,\"two\r\nlines\"\r\n"
	                            "10.0.0.300,b,,\r\n"
	                            "10.0.0.3,c,zz-zz,\r\n"
	                            "2001:DB8::0:1,d,AABB.CCDD.EEFF,TRUE\r\n";
	static const char ranges[] = "name,range,lowwatermark\n"
	                             "x,10.0.0.9 - 10.0.0.5,1\n"
	                             "y,10.0.0.5-10.0.0.9,101\n"
	                             "z,10.0.0.10 -10.0.0.19,\n";
	static const char nd[] = "{\"addresses\":\"10.1.0.1\",\"name\":\"n\",\"Rack\":4}\n\n[1]\n"
	                         "{\"addresses\":\"10.1.0.2\",\"x\":{\"a\":1}}\n";
	ipam_import *imp =
		of_texts(IPAM_IMPORT_BLUECAT, "x_IP4Address_Lab.csv", addrs, "ranges.csv", ranges, "n.ndjson", nd, NULL);
	cJSON *mj = model_of(imp);
	const cJSON *as = cJSON_GetObjectItem(mj, "addresses");
	ck_assert_int_eq(cJSON_GetArraySize(as), 3);
	const cJSON *a1 = cJSON_GetArrayItem(as, 1);
	ck_assert_str_eq(cJSON_GetObjectItem(a1, "address")->valuestring, "2001:db8::1");
	ck_assert_str_eq(cJSON_GetObjectItem(a1, "vrf")->valuestring, "Lab");
	ck_assert_str_eq(cJSON_GetObjectItem(a1, "mac")->valuestring, "aa:bb:cc:dd:ee:ff");
	ck_assert_str_eq(cJSON_GetObjectItem(a1, "kind")->valuestring, "dhcp_reservation");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(a1, "attributes"), "Note")));
	const cJSON *a2 = cJSON_GetArrayItem(as, 2);
	ck_assert_str_eq(cJSON_GetObjectItem(a2, "vrf")->valuestring, "default");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(a2, "attributes"), "Rack")->valuestring, "4");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(mj, "ranges")), 1);
	cJSON_Delete(mj);
	static const struct where want[] = { { "x_IP4Address_Lab.csv", 4, "addresses" },
		                             { "x_IP4Address_Lab.csv", 5, "macaddress" },
		                             { "ranges.csv", 2, "range" },
		                             { "ranges.csv", 3, "lowwatermark" },
		                             { "n.ndjson", 3, NULL },
		                             { "n.ndjson", 4, "x" } };
	errors_at(imp, want, 6);
	refused(imp, "ip,host\n1.2.3.4,h\n", "o.csv:1: not a BlueCat");
	ipam_import_free(imp);
}
END_TEST

/* ---- phpIPAM CSV ---- */

static ipam_import *phpipam_csv(int reversed)
{
	static const char *const files[] = { "phpipam_subnets_import.csv", "phpipam_ipaddr_import.csv" };
	ipam_import *imp;
	OK(ipam_import_new(&imp, IPAM_IMPORT_PHPIPAM_CSV, NULL));
	for (int i = 0; i < 2; i++)
		OK(ipam_import_add_file(imp, fixture(files[reversed ? 1 - i : i])));
	return imp;
}

START_TEST(phpipam_csv_fixture)
{
	fixture_result(phpipam_csv(0), "phpipam_import_csv.expected.json");
}
END_TEST

/* Into a store, the addresses file first this time: the same result (the
 * VRF given by its RD is CUST-B either way); again: all unchanged. */
START_TEST(phpipam_csv_apply)
{
	ipam_db *db = open_db();
	apply_check(db, phpipam_csv(1), "imported", "1/9/0/20/0", 0, "0/0/0/0/0");
	ipam_ip_info ip = IPAM_IP_INFO_INIT;
	ip_of(&ip, db, "CUST-B", "10.10.0.10");
	ck_assert_str_eq(ip.hostname, "app.custb.example.net");
	ipam_ip_info_dispose(&ip);
	ipam_space_info si = IPAM_SPACE_INFO_INIT;
	OK(ipam_space_get(&si, db, "CUST-B"));
	ipam_space_info_dispose(&si);
	apply_check(db, phpipam_csv(0), "unchanged", "1/9/0/20/0", 0, NULL);
	ipam_db_free(db);
}
END_TEST

/* Refusals as phpIPAM refuses: host bits, a quoted line break; a bad mask,
 * VLAN, address outside its subnet, MAC; an unresolved RD is a space of
 * that name. */
START_TEST(phpipam_csv_bad_rows)
{
	static const char subnets[] = "\xEF\xBB\xBF" "Section;Subnet;Mask;VLAN;VRF\r\n"
	                              "S;10.1.2.3;24;;\r\n"
	                              "S;10.2.0.0;255.0.255.0;;\r\n"
	                              "S;10.3.0.0;16;5000;\r\n"
	                              "\"S\r\nT\";10.4.0.0;16;;\r\n"
	                              "S;10.5.0.0;255.255.0.0;7;64512:1\r\n";
	static const char addrs[] = "Section,IP address,Subnet,MAC,Tag\n"
	                            "S,10.6.0.1,10.5.0.0/16,,Used\n"
	                            "S,10.5.0.1,10.5.0.0/16,zz,Used\n"
	                            "S,10.5.0.2,10.5.0.0/16,,Weird\n";
	ipam_import *imp = of_texts(IPAM_IMPORT_PHPIPAM_CSV, "s.csv", subnets, "a.csv", addrs, NULL);
	cJSON *mj = model_of(imp);
	const cJSON *p0 = cJSON_GetArrayItem(cJSON_GetObjectItem(mj, "prefixes"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(p0, "prefix")->valuestring, "10.5.0.0/16");
	ck_assert_str_eq(cJSON_GetObjectItem(p0, "vrf")->valuestring, "64512:1");
	ck_assert_int_eq(cJSON_GetObjectItem(p0, "vlan")->valueint, 7);
	const cJSON *a0 = cJSON_GetArrayItem(cJSON_GetObjectItem(mj, "addresses"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(a0, "attributes"), "tag")->valuestring, "Weird");
	cJSON_Delete(mj);
	static const struct where want[] = { { "s.csv", 2, "Subnet" }, { "s.csv", 3, "Mask" },
		                             { "s.csv", 4, "VLAN" },   { "s.csv", 5, "Section" },
		                             { "a.csv", 2, "IP address" }, { "a.csv", 3, "MAC" } };
	errors_at(imp, want, 6);
	refused(imp, "ip;host\n1.2.3.4;h\n", "o.csv:1: not a phpIPAM CSV header");
	/* found by the fuzzer: bad quoting is refused when the file is read,
	 * not later when the import is applied */
	refused(imp, "Section;Subnet\nS;10.0.0.0/8\nS;\"10.1.0.0/16\n", "o.csv: line 3: a quoted field is never closed");
	ipam_import_free(imp);
}
END_TEST

/* The zone of (origin, view) as ipam_zone_show gives it has (or has not)
 * the record with its source ("hand", "address"). */
static void zone_has(ipam_db *db, const char *zone, const char *view, const char *record, const char *source, int has)
{
	ipam_buf b = IPAM_BUF_INIT;
	char want[512];
	OK(ipam_zone_show(&b, db, zone, view));
	snprintf(want, sizeof want, "{\"record\":\"%s\",\"source\":\"%s\"", record, source);
	ck_assert_msg(!strstr(b.ptr, want) == !has, "%s %s: %s%s in\n%s", zone, view ? view : "default", has ? "" : "not ",
	              want, b.ptr);
	ipam_buf_dispose(&b);
}

/* DNS views: authoritative zones are made per (origin, view) with their
 * non-stealth name servers and SOA; each record goes to its own view's
 * zone (the CNAME of view internal is not in the default view's zone, and
 * the other way round); a record of a view without zones is reported; a
 * zone without a name server is a bad row; a second import changes
 * nothing. */
START_TEST(infoblox_views)
{
	static const char text[] =
		"header-authzone,fqdn*,zone_format*,view,prefix,grid_primaries,external_secondaries,soa_email,"
		"soa_default_ttl,soa_refresh,soa_retry,soa_expire,soa_negative_ttl,comment\n"
		"authzone,example.com,FORWARD,default,,ns1.example.com/False,,hostmaster@example.com,3600,10800,900,1209600,300,\n"
		"authzone,example.com,FORWARD,internal,,ns-int.example.com/False,ns-hidden.example.com/10.0.0.9/True,,600,,,,,inside\n"
		"authzone,192.0.2.0/24,IPV4,internal,,ns-int.example.com/False,,,600,,,,,\n"
		"authzone,192.0.2.64/26,IPV4,internal,64/26,ns-int.example.com/False,,,600,,,,,\n"
		"authzone,orphan.test,FORWARD,internal,,ns-x.example.com/True,,,,,,,,\n"
		"header-network,address*,netmask*,network_view\n"
		"network,192.0.2.0,255.255.255.0,default\n"
		"header-hostrecord,fqdn*,view,network_view,addresses,configure_for_dns\n"
		"hostrecord,app.example.com,internal,default,192.0.2.20,TRUE\n"
		"header-arecord,address*,fqdn*,view\n"
		"arecord,192.0.2.30,web.example.com,default\n"
		"header-cnamerecord,fqdn*,canonical_name*,view\n"
		"cnamerecord,intranet.example.com,app.example.com,internal\n"
		"cnamerecord,www.example.com,web.example.com,default\n"
		"cnamerecord,alias.other.test,web.example.com,lab\n"
		"header-ptrrecord,dname*,fqdn,address,view\n"
		"ptrrecord,printer.example.com,40.2.0.192.in-addr.arpa,,internal\n"
		"ptrrecord,cam.example.com,70.64/26.2.0.192.in-addr.arpa,,internal\n";
	ipam_db *db = open_db();
	for (int round = 0; round < 2; round++) {
		ipam_import *imp;
		OK(ipam_import_new(&imp, IPAM_IMPORT_INFOBLOX, NULL));
		OK(ipam_import_add_buffer(imp, "views.csv", text, sizeof text - 1));
		OK(ipam_import_apply(imp, db));
		/* app's A and web's A are the addresses' (unchanged); view lab has no zone */
		COUNTS(imp, round ? "unchanged" : "imported", round ? "0/1/0/2/6" : "0/1/0/2/4");
		COUNTS(imp, "skipped", "0/0/0/0/1");
		char zones[160];
		ipam_buf b = IPAM_BUF_INIT;
		OK(ipam_import_report(&b, imp));
		cJSON *r = cJSON_Parse(b.ptr);
		snprintf(zones, sizeof zones, "%d/%d",
		         cJSON_GetObjectItem(cJSON_GetObjectItem(r, "imported"), "zones")->valueint,
		         cJSON_GetObjectItem(cJSON_GetObjectItem(r, "unchanged"), "zones")->valueint);
		ck_assert_str_eq(zones, round ? "0/4" : "4/0");
		ck_assert_msg(strstr(b.ptr, "view lab: no zone holds alias.other.test.") != NULL, "%s", b.ptr);
		cJSON_Delete(r);
		ipam_buf_dispose(&b);
		const struct where want[] = { { "views.csv", 6, "grid_primaries" }, { "views.csv", 16, "record" } };
		errors_at(imp, want, 2);
		ck_assert_int_eq(ipam_import_status(imp), 3);
		ipam_import_free(imp);
		OK(ipam__db_check(db));
	}
	zone_has(db, "example.com", NULL, "www.example.com. 3600 IN CNAME web.example.com.", "hand", 1);
	zone_has(db, "example.com", NULL, "intranet.example.com. 3600 IN CNAME app.example.com.", "hand", 0);
	zone_has(db, "example.com", "internal", "intranet.example.com. 600 IN CNAME app.example.com.", "hand", 1);
	zone_has(db, "example.com", "internal", "www.example.com. 600 IN CNAME web.example.com.", "hand", 0);
	zone_has(db, "example.com", "internal", "app.example.com. 600 IN A 192.0.2.20", "address", 1);
	zone_has(db, "2.0.192.in-addr.arpa", "internal", "40.2.0.192.in-addr.arpa. 600 IN PTR printer.example.com.", "hand", 1);
	zone_has(db, "64/26.2.0.192.in-addr.arpa", "internal", "70.64/26.2.0.192.in-addr.arpa. 600 IN PTR cam.example.com.", "hand", 1);
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_zone_list(&b, db));
	cJSON *l = cJSON_Parse(b.ptr), *z;
	ipam_buf_dispose(&b);
	ck_assert_int_eq(cJSON_GetArraySize(l), 4);
	cJSON_ArrayForEach(z, l)
	{
		if (strcmp(cJSON_GetObjectItem(z, "view")->valuestring, "internal") ||
		    strcmp(cJSON_GetObjectItem(z, "zone")->valuestring, "example.com."))
			continue;
		/* the stealth secondary is no name server */
		ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(z, "ns")), 1);
		ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(z, "ns"), 0)->valuestring, "ns-int.example.com.");
		ck_assert_int_eq(cJSON_GetObjectItem(z, "ttl")->valueint, 600);
	}
	cJSON_Delete(l);
	ipam_db_free(db);
}
END_TEST

/* ---- BIND zone files ---- */

static const char *const bind_files[] = { "bind/db.example.com", "bind/db.192.0.2", "bind/db.2001.db8.100" };

static ipam_import *bind_zones(void)
{
	ipam_import *imp;
	OK(ipam_import_new(&imp, IPAM_IMPORT_BIND_ZONE, NULL));
	for (size_t i = 0; i < 3; i++)
		OK(ipam_import_add_file(imp, fixture(bind_files[i])));
	return imp;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A list of record lines, sorted, compared with another. */
typedef struct lines {
	char *v[1024];
	size_t n;
} lines;

static void lines_add(lines *l, const char *name, long ttl, const char *type, const char *data)
{
	char buf[1024];
	ck_assert(l->n < 1024);
	snprintf(buf, sizeof buf, "%s %ld %s %s", name, ttl, type, data);
	l->v[l->n++] = strdup(buf);
}

static void lines_same(lines *got, lines *want, const char *what)
{
	qsort(got->v, got->n, sizeof *got->v, by_text);
	qsort(want->v, want->n, sizeof *want->v, by_text);
	for (size_t i = 0; i < got->n && i < want->n; i++)
		ck_assert_msg(!strcmp(got->v[i], want->v[i]), "%s: record %zu:\n got  %s\n want %s", what, i, got->v[i],
		              want->v[i]);
	ck_assert_msg(got->n == want->n, "%s: %zu records, expected %zu", what, got->n, want->n);
	for (size_t i = 0; i < got->n; i++)
		free(got->v[i]);
	for (size_t i = 0; i < want->n; i++)
		free(want->v[i]);
	got->n = want->n = 0;
}

/* The expected records of one zone, the SOA left out (the store makes its own
 * serial); the apex NS in or out. */
static void expected_records(lines *l, const cJSON *zone, int apex_ns)
{
	const cJSON *r;
	const char *origin = cJSON_GetObjectItem(zone, "zone")->valuestring;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(zone, "records"))
	{
		const char *name = cJSON_GetObjectItem(r, "name")->valuestring, *type = cJSON_GetObjectItem(r, "type")->valuestring;
		if (!strcmp(type, "SOA") || (!apex_ns && !strcmp(type, "NS") && !strcmp(name, origin)))
			continue;
		lines_add(l, name, cJSON_GetObjectItem(r, "ttl")->valueint, type, cJSON_GetObjectItem(r, "data")->valuestring);
	}
}

/* The three zone files (with an $INCLUDE, two $GENERATEs, multi-line SOA,
 * quoted ';', blank owners, an origin from the file name) give exactly
 * the records named-checkzone dumped (bind_zones.expected.json): the SOA
 * and apex NS as each zone's settings, every other record as it is. */
START_TEST(bind_fixture)
{
	ipam_import *imp = bind_zones();
	cJSON *mj = model_of(imp), *want = read_json(fixture("bind_zones.expected.json"));
	const cJSON *zones = cJSON_GetObjectItem(mj, "zones"), *wz;
	lines got = { { 0 }, 0 }, exp = { { 0 }, 0 };
	ck_assert_int_eq(cJSON_GetArraySize(zones), 3);
	int i = 0;
	cJSON_ArrayForEach(wz, cJSON_GetObjectItem(want, "zones"))
	{
		const cJSON *z = cJSON_GetArrayItem(zones, i++), *st = cJSON_GetObjectItem(z, "settings"), *ns;
		ck_assert_str_eq(cJSON_GetObjectItem(z, "zone")->valuestring, cJSON_GetObjectItem(wz, "zone")->valuestring);
		const cJSON *soa = cJSON_GetArrayItem(cJSON_GetObjectItem(wz, "records"), 0);
		char text[512];
		snprintf(text, sizeof text, "%s %s %d %d %d %d %d", cJSON_GetObjectItem(st, "mname")->valuestring,
		         cJSON_GetObjectItem(st, "rname")->valuestring, cJSON_GetObjectItem(st, "serial")->valueint,
		         cJSON_GetObjectItem(st, "refresh")->valueint, cJSON_GetObjectItem(st, "retry")->valueint,
		         cJSON_GetObjectItem(st, "expire")->valueint, cJSON_GetObjectItem(st, "minimum")->valueint);
		ck_assert_str_eq(text, cJSON_GetObjectItem(soa, "data")->valuestring);
		ck_assert_int_eq(cJSON_GetObjectItem(z, "ttl")->valueint, cJSON_GetObjectItem(soa, "ttl")->valueint);
		cJSON_ArrayForEach(ns, cJSON_GetObjectItem(st, "ns"))
			lines_add(&got, cJSON_GetObjectItem(z, "zone")->valuestring, cJSON_GetObjectItem(soa, "ttl")->valueint,
			          "NS", ns->valuestring);
		expected_records(&exp, wz, 1);
	}
	const cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(mj, "dns_records"))
		lines_add(&got, cJSON_GetObjectItem(r, "name")->valuestring, cJSON_GetObjectItem(r, "ttl")->valueint,
		          cJSON_GetObjectItem(r, "type")->valuestring, cJSON_GetObjectItem(r, "data")->valuestring);
	lines_same(&got, &exp, "bind");
	errors_at(imp, NULL, 0);
	cJSON_Delete(mj);
	cJSON_Delete(want);
	/* the same zone file twice: one zone with its two name servers once */
	OK(ipam_import_add_file(imp, fixture(bind_files[0])));
	mj = model_of(imp);
	zones = cJSON_GetObjectItem(mj, "zones");
	ck_assert_int_eq(cJSON_GetArraySize(zones), 3);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(zones, 0), "settings"), "ns")), 2);
	cJSON_Delete(mj);
	ipam_import_free(imp);
}
END_TEST

/* The zone as the store renders it, checked by named-checkzone, as the
 * record lines of its dump (the SOA left out). */
static void rendered(lines *got, ipam_db *db, const char *zone)
{
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_zone_render(&b, db, zone, NULL));
	char path[] = "/tmp/ipam-import-zone.XXXXXX", cmd[512], line[2048];
	int fd = mkstemp(path);
	ck_assert(fd >= 0 && write(fd, b.ptr, b.size) == (ssize_t)b.size);
	close(fd);
	ipam_buf_dispose(&b);
	snprintf(cmd, sizeof cmd, "/usr/bin/named-checkzone -q -k fail -i full -D -o - '%s' %s 2>&1", zone, path);
	FILE *p = popen(cmd, "r");
	ck_assert(p != NULL);
	while (fgets(line, sizeof line, p)) {
		char name[512], type[32];
		long ttl;
		int off = 0;
		if (sscanf(line, "%511s %ld IN %31s %n", name, &ttl, type, &off) != 3 || !off)
			ck_abort_msg("named-checkzone %s: %s", zone, line);
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(type, "SOA"))
			lines_add(got, name, ttl, type, line + off);
	}
	ck_assert_int_eq(pclose(p), 0);
	unlink(path);
}

/* The three fixture zones as the store renders them are the originals
 * (named-checkzone's dumps, but the SOA serial). */
static void bind_zones_same(ipam_db *db)
{
	cJSON *want = read_json(fixture("bind_zones.expected.json"));
	const cJSON *wz;
	cJSON_ArrayForEach(wz, cJSON_GetObjectItem(want, "zones"))
	{
		const char *zone = cJSON_GetObjectItem(wz, "zone")->valuestring;
		lines got = { { 0 }, 0 }, exp = { { 0 }, 0 };
		rendered(&got, db, zone);
		expected_records(&exp, wz, 1);
		lines_same(&got, &exp, zone);
	}
	cJSON_Delete(want);
}

/* Into a store: the three zones are created and take every record; each
 * zone as the store renders it passes named-checkzone, and its dump is the
 * original's (but the SOA serial); a second import changes nothing. With
 * no prefix in the store no record names an address: all are hand records. */
START_TEST(bind_apply)
{
	ck_assert_msg(access("/usr/bin/named-checkzone", X_OK) == 0, "named-checkzone (bind9-utils) is needed");
	ipam_db *db = open_db();
	apply_check(db, bind_zones(), "imported", "0/0/0/0/40", 0, "0/0/0/0/0");
	bind_zones_same(db);
	apply_check(db, bind_zones(), "unchanged", "0/0/0/0/40", 0, NULL);
	ipam_db_free(db);
}
END_TEST

static void add_prefixes(ipam_db *db, const char *const *v)
{
	for (; *v; v++) {
		ipam_prefix p;
		ipam_prefix_options o = IPAM_PREFIX_OPTIONS_INIT;
		OK(ipam_prefix_parse(&p, *v, 0));
		OK(ipam_prefix_add(db, &p, &o));
	}
}

/* The address of the default space has that host name (and a MAC). */
static void host_is(ipam_db *db, const char *addr, const char *host, int has_mac)
{
	ipam_ip_info ip = IPAM_IP_INFO_INIT;
	ip_of(&ip, db, NULL, addr);
	ck_assert_str_eq(ip.hostname, host);
	ck_assert_int_eq(ip.has_mac, has_mac);
	ipam_ip_info_dispose(&ip);
}

/* The hand and derived record counts of stored zones: pairs of a zone and
 * its "hand/derived", NULL after the last. */
static void zone_counts(ipam_db *db, const char *const *want)
{
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_zone_list(&b, db));
	cJSON *l = cJSON_Parse(b.ptr), *z;
	ipam_buf_dispose(&b);
	for (; want[0]; want += 2) {
		char got[64] = "none";
		cJSON_ArrayForEach(z, l)
		{
			if (!strcmp(cJSON_GetObjectItem(z, "zone")->valuestring, want[0]))
				snprintf(got, sizeof got, "%d/%d", cJSON_GetObjectItem(z, "hand_records")->valueint,
				         cJSON_GetObjectItem(z, "derived_records")->valueint);
		}
		ck_assert_msg(!strcmp(got, want[1]), "%s: hand/derived %s, expected %s", want[0], got, want[1]);
	}
	cJSON_Delete(l);
}

/* The import's notes joined by newlines (for strstr). */
static char *notes_of(ipam_import *imp)
{
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_import_report(&b, imp));
	cJSON *r = cJSON_Parse(b.ptr), *n;
	ipam_buf_dispose(&b);
	ck_assert(r != NULL);
	cJSON_ArrayForEach(n, cJSON_GetObjectItem(r, "notes"))
		OK(ipam__buf_printf(&b, "%s\n", n->valuestring));
	cJSON_Delete(r);
	return b.ptr ? b.ptr : strdup("");
}

static void has_note(const char *notes, const char *want)
{
	ck_assert_msg(strstr(notes, want) != NULL, "no note '%s' in:\n%s", want, notes);
}

/* With the prefixes in the store, the fixture zones' A, AAAA and PTR
 * records of addresses inside them become the addresses' host names and
 * are derived from them: the zones render exactly as before; records of
 * addresses in no prefix (10.10.0.0/16, 203.0.113.5) and those whose TTL
 * is not the zone's (web: 300) stay hand records, and the notes say so; a
 * second import changes nothing. */
START_TEST(bind_link_fixture)
{
	ipam_db *db = open_db();
	static const char *const pfx[] = { "192.0.2.0/24", "198.51.100.0/24", "2001:db8:100::/48", NULL };
	add_prefixes(db, pfx);
	ipam_import *imp = bind_zones();
	OK(ipam_import_apply(imp, db));
	COUNTS(imp, "imported", "0/0/0/14/40");
	ck_assert_int_eq(ipam_import_status(imp), 0);
	char *notes = notes_of(imp);
	has_note(notes, "db.example.com: 4 A/AAAA/PTR records of addresses in no prefix of space default (line 31: 10.10.0.1, ...) stay hand records");
	has_note(notes, "db.example.com:22: web.example.com. A 198.51.100.10: its TTL 300 is not its zone's 3600");
	has_note(notes, "db.example.com:24: web.example.com. AAAA 2001:db8:100:30::10: its TTL 300 is not its zone's 3600: "
	                "2001:db8:100:30::10 keeps no host name from the zone files, its records stay hand records");
	free(notes);
	ipam_import_free(imp);
	OK(ipam__db_check(db));
	bind_zones_same(db);
	/* forward: 14 addresses' A/AAAA derived; reverse: every PTR but web's */
	static const char *const counts[] = { "example.com.", "13/14", "2.0.192.in-addr.arpa.", "0/10",
		                              "0.0.1.0.8.b.d.0.1.0.0.2.ip6.arpa.", "1/2", NULL };
	zone_counts(db, counts);
	host_is(db, "2001:db8:100:10::10", "fs01.example.com", 0);
	host_is(db, "192.0.2.102", "dhcp-102.example.com", 0);
	apply_check(db, bind_zones(), "unchanged", "0/0/0/14/40", 0, "0/0/0/0/0");
	ipam_db_free(db);
}
END_TEST

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[600];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* A harder set: IPv4 and IPv6, an RFC 2317 child zone with $GENERATEd
 * PTRs (their addresses then have A records in the forward zone), a PTR
 * that disagrees with the A record before it (the A wins; the PTR stays a
 * hand record), a second name for an address, a PTR to a CNAME's owner, an
 * address in no prefix, an address the store had already with another
 * host name (updated, its MAC kept). */
START_TEST(bind_link_harder)
{
	char dir[] = "/tmp/ipam-import-link.XXXXXX", fwd[600], rev4[600], rev6[600];
	ck_assert(mkdtemp(dir) != NULL);
	write_file(dir, "db.link.test",
	           "$TTL 300\n"
	           "@ SOA ns hostmaster 1 3600 600 86400 300\n"
	           "  NS ns\n"
	           "ns A 10.1.0.1\n"
	           "h1 A 10.1.0.65\n"
	           "   AAAA 2001:DB8:1:0::65\n"
	           "a A 10.1.0.70\n"
	           "alias CNAME a\n"
	           "www A 10.1.0.65\n"
	           "far A 192.0.2.200\n"
	           "old A 10.1.0.90\n");
	write_file(dir, "rev4.zone",
	           "$ORIGIN 64/26.0.1.10.in-addr.arpa.\n"
	           "$TTL 300\n"
	           "@ SOA ns.link.test. hostmaster.link.test. 1 3600 600 86400 300\n"
	           "  NS ns.link.test.\n"
	           "65 PTR h1.link.test.\n"
	           "70 PTR b.link.test.\n"
	           "71 PTR alias.link.test.\n"
	           "$GENERATE 80-89 $ PTR dyn-${0,3,d}.link.test.\n");
	write_file(dir, "rev6.zone",
	           "$ORIGIN 1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.\n"
	           "$TTL 300\n"
	           "@ SOA ns.link.test. hostmaster.link.test. 1 3600 600 86400 300\n"
	           "  NS ns.link.test.\n"
	           "5.6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 PTR h1.link.test.\n");
	snprintf(fwd, sizeof fwd, "%s/db.link.test", dir);
	snprintf(rev4, sizeof rev4, "%s/rev4.zone", dir);
	snprintf(rev6, sizeof rev6, "%s/rev6.zone", dir);
	ipam_db *db = open_db();
	static const char *const pfx[] = { "10.1.0.0/24", "2001:db8:1::/48", NULL };
	add_prefixes(db, pfx);
	ipam_addr a90;
	ipam_ip_options io = IPAM_IP_OPTIONS_INIT;
	io.hostname = "before.link.test";
	io.mac = "00:00:5e:00:53:90";
	OK(ipam_addr_parse(&a90, "10.1.0.90"));
	OK(ipam_ip_add(db, &a90, &io));
	const char *const files[] = { fwd, rev4, rev6 };
	for (int round = 0; round < 2; round++) {
		ipam_import *imp;
		OK(ipam_import_new(&imp, IPAM_IMPORT_BIND_ZONE, NULL));
		for (size_t i = 0; i < 3; i++)
			OK(ipam_import_add_file(imp, files[i]));
		OK(ipam_import_apply(imp, db));
		/* ns, h1 (v4, v6), a, dyn-080..089 new; 10.1.0.90 renamed */
		COUNTS(imp, round ? "unchanged" : "imported", round ? "0/0/0/15/22" : "0/0/0/14/22");
		COUNTS(imp, "updated", round ? "0/0/0/0/0" : "0/0/0/1/0");
		ck_assert_int_eq(ipam_import_status(imp), 0);
		char *notes = notes_of(imp), want[2000];
		snprintf(want, sizeof want, "%s:9: www.link.test. A 10.1.0.65: 10.1.0.65 is named h1.link.test. after %s:5", fwd, fwd);
		has_note(notes, want);
		snprintf(want, sizeof want, "%s:6: 70.64/26.0.1.10.in-addr.arpa. PTR b.link.test.: 10.1.0.70 is named a.link.test. after %s:7 (the first to name it): this record stays a hand record", rev4, fwd);
		has_note(notes, want);
		snprintf(want, sizeof want, "%s:7: 71.64/26.0.1.10.in-addr.arpa. PTR alias.link.test.: alias.link.test. is a CNAME's owner", rev4);
		has_note(notes, want);
		snprintf(want, sizeof want, "%s: 1 A/AAAA/PTR record of addresses in no prefix of space default (line 10: 192.0.2.200)", fwd);
		has_note(notes, want);
		free(notes);
		ipam_import_free(imp);
		OK(ipam__db_check(db));
	}
	host_is(db, "10.1.0.90", "old.link.test", 1);
	host_is(db, "2001:db8:1::65", "h1.link.test", 0);
	/* forward: alias, www, far by hand; ns, h1 (A, AAAA), a, old, dyn-080..089 derived */
	static const char *const counts[] = { "link.test.", "3/15", "64/26.0.1.10.in-addr.arpa.", "2/13",
		                              "1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", "0/1", NULL };
	zone_counts(db, counts);
	lines got = { { 0 }, 0 }, want = { { 0 }, 0 };
	rendered(&got, db, "64/26.0.1.10.in-addr.arpa.");
	lines_add(&want, "64/26.0.1.10.in-addr.arpa.", 300, "NS", "ns.link.test.");
	lines_add(&want, "65.64/26.0.1.10.in-addr.arpa.", 300, "PTR", "h1.link.test.");
	lines_add(&want, "70.64/26.0.1.10.in-addr.arpa.", 300, "PTR", "a.link.test.");
	lines_add(&want, "70.64/26.0.1.10.in-addr.arpa.", 300, "PTR", "b.link.test.");
	lines_add(&want, "71.64/26.0.1.10.in-addr.arpa.", 300, "PTR", "alias.link.test.");
	for (int i = 80; i < 90; i++) {
		char o[64], t[64];
		snprintf(o, sizeof o, "%d.64/26.0.1.10.in-addr.arpa.", i);
		snprintf(t, sizeof t, "dyn-%03d.link.test.", i);
		lines_add(&want, o, 300, "PTR", t);
	}
	lines_add(&want, "90.64/26.0.1.10.in-addr.arpa.", 300, "PTR", "old.link.test.");
	lines_same(&got, &want, "rfc 2317 zone");
	rendered(&got, db, "link.test.");
	ck_assert_int_eq(got.n, 1 + 3 + 15);
	for (size_t i = 0; i < got.n; i++)
		free(got.v[i]);
	ipam_db_free(db);
	unlink(fwd);
	unlink(rev4);
	unlink(rev6);
	rmdir(dir);
}
END_TEST

/* A zone of many owners (the per-record checks find one owner's records
 * through the owner index and the run's derived records, not by walking
 * the zone): every A in the prefix becomes an address and is derived,
 * the rest are hand records beside them, and every rule still holds at
 * each owner: an A of another TTL beside a derived A, and data beside a
 * CNAME, are refused at their lines; the zone renders to exactly the rest. */
enum { MANY = 300 };

START_TEST(bind_many_owners)
{
	ck_assert_msg(access("/usr/bin/named-checkzone", X_OK) == 0, "named-checkzone (bind9-utils) is needed");
	char dir[] = "/tmp/ipam-import-many.XXXXXX", path[600];
	ck_assert(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/db.many.test", dir);
	FILE *f = fopen(path, "w");
	ck_assert(f != NULL);
	fputs("$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n  NS ns\nns A 10.9.255.1\nx A 192.0.2.1\n", f);
	int line = 5, nbad = 0;
	static struct where bad[MANY / 5];
	lines want = { { 0 }, 0 };
	char o[64], d[64];
	for (int i = 0; i < MANY; i++) {
		snprintf(o, sizeof o, "o%d.many.test.", i);
		snprintf(d, sizeof d, "10.9.%d.%d", i / 250, i % 250 + 1);
		fprintf(f, "o%d A %s\n", i, d);
		lines_add(&want, o, 300, "A", d);
		fprintf(f, "o%d TXT \"t%d\"\n", i, i);
		snprintf(d, sizeof d, "\"t%d\"", i);
		lines_add(&want, o, 300, "TXT", d);
		line += 2;
		if (i % 10 == 0) { /* data beside a CNAME: refused */
			fprintf(f, "c%d CNAME o%d\nc%d TXT \"no\"\n", i, i, i);
			snprintf(d, sizeof d, "c%d.many.test.", i);
			lines_add(&want, d, 300, "CNAME", o);
			line += 2;
			bad[nbad++] = (struct where){ path, line, "record" };
		} else if (i % 10 == 5) { /* a second TTL in the RRset of an address's A: refused */
			fprintf(f, "o%d 600 A 192.0.2.%d\n", i, i % 250 + 1);
			bad[nbad++] = (struct where){ path, ++line, "record" };
		}
	}
	fclose(f);
	lines_add(&want, "many.test.", 300, "NS", "ns.many.test.");
	lines_add(&want, "ns.many.test.", 300, "A", "10.9.255.1");
	lines_add(&want, "x.many.test.", 300, "A", "192.0.2.1");
	ipam_db *db = open_db();
	static const char *const pfx[] = { "10.9.0.0/16", NULL };
	add_prefixes(db, pfx);
	for (int round = 0; round < 2; round++) {
		ipam_import *imp;
		OK(ipam_import_new(&imp, IPAM_IMPORT_BIND_ZONE, NULL));
		OK(ipam_import_add_file(imp, path));
		OK(ipam_import_apply(imp, db));
		/* addresses: ns and every o; records: those and the hand ones */
		char c[64];
		snprintf(c, sizeof c, "0/0/0/%d/%d", MANY + 1, MANY + 1 + MANY + MANY / 10 + 1);
		COUNTS(imp, round ? "unchanged" : "imported", c);
		errors_at(imp, bad, nbad);
		ipam_import_free(imp);
	}
	char c[64];
	snprintf(c, sizeof c, "%d/%d", MANY + MANY / 10 + 1, MANY + 1);
	const char *const counts[] = { "many.test.", c, NULL };
	zone_counts(db, counts);
	lines got = { { 0 }, 0 };
	rendered(&got, db, "many.test.");
	lines_same(&got, &want, "many owners");
	OK(ipam__db_check(db));
	ipam_db_free(db);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* Bad records are reported at their line and skipped, in an $INCLUDEd file
 * at that file's line; the rest of the zone imports. */
START_TEST(bind_bad_records)
{
	char dir[] = "/tmp/ipam-import-bind.XXXXXX", path[600];
	ck_assert(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/inc.db", dir);
	FILE *f = fopen(path, "w");
	ck_assert(f != NULL);
	fputs("ok2 A 192.0.2.2\nbad2 A 999.1.1.1\n$ORIGIN elsewhere.test.\n", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/zone.test.zone", dir);
	f = fopen(path, "w");
	ck_assert(f != NULL);
	fputs("$TTL 300\n"
	      "@ SOA ns1 hostmaster ( 1 2 3\n 4 5 )\n"
	      "  NS ns1\n"
	      "ns1 A 192.0.2.1\n"
	      "bad A not-an-address\n"
	      "$WHAT 1\n"
	      "$INCLUDE inc.db\n"
	      "$INCLUDE missing.db\n"
	      "after A 192.0.2.3\n"
	      "$GENERATE 1-2 g${0,2,q} A 192.0.2.$\n"
	      "txt TXT \"never closed\n",
	      f);
	fclose(f);
	ipam_import *imp;
	OK(ipam_import_new(&imp, IPAM_IMPORT_BIND_ZONE, NULL));
	OK(ipam_import_add_file(imp, path));
	cJSON *mj = model_of(imp);
	const cJSON *recs = cJSON_GetObjectItem(mj, "dns_records");
	ck_assert_int_eq(cJSON_GetArraySize(recs), 3);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(recs, 1), "name")->valuestring, "ok2.zone.test.");
	/* the included file's $ORIGIN did not leak back */
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(recs, 2), "name")->valuestring, "after.zone.test.");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(mj, "zones"), 0), "zone")->valuestring,
	                 "zone.test.");
	cJSON_Delete(mj);
	char inc[600];
	snprintf(inc, sizeof inc, "%s/inc.db", dir);
	const struct where want[] = { { path, 6, "record" }, { path, 7, "record" }, { inc, 2, "record" },
		                      { path, 9, "record" }, { path, 11, "record" }, { path, 12, "record" } };
	errors_at(imp, want, 6);
	ipam_import_free(imp);
	unlink(inc);
	unlink(path);
	rmdir(dir);
	OK(ipam_import_new(&imp, IPAM_IMPORT_BIND_ZONE, NULL));
	refused(imp, "; only a comment\n", "o.csv: no records: not a zone file");
	ipam_import_free(imp);
}
END_TEST

/* ---- Microsoft DHCP ---- */

START_TEST(msdhcp_xml_fixture)
{
	fixture_result(from_fixture(IPAM_IMPORT_MSDHCP_XML, "msdhcp_export.xml"), "msdhcp_export.expected.json");
}
END_TEST

/* The netsh dump has no lease duration for the scopes 10.10.0.0/24,
 * 198.51.100.0/24 and 203.0.113.0/26 (no option 51 there: the expected
 * file copied them from the XML export); the rest is exactly the expected
 * result, and those scopes have no lease_duration_s rather than an
 * invented one. */
START_TEST(msdhcp_netsh_fixture)
{
	ipam_import *imp = from_fixture(IPAM_IMPORT_MSDHCP_NETSH, "msdhcp_netsh_dump.txt");
	cJSON *want = read_json(fixture("msdhcp_netsh_dump.expected.json"));
	cJSON *mj = model_of(imp);
	for (int i = 1; i <= 3; i++) {
		cJSON *wa = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(want, "prefixes"), i), "attributes");
		const cJSON *ga = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(mj, "prefixes"), i), "attributes");
		ck_assert(cJSON_GetObjectItem(ga, "lease_duration_s") == NULL);
		cJSON_DeleteItemFromObject(wa, "lease_duration_s");
	}
	static const char *const arrays[] = { "vrfs", "prefixes", "ranges", "addresses", "dns_records" };
	for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
		same_array(cJSON_GetObjectItem(mj, arrays[i]), cJSON_GetObjectItem(want, arrays[i]), arrays[i]);
	errors_at(imp, NULL, 0);
	cJSON_Delete(mj);
	cJSON_Delete(want);
	ipam_import_free(imp);
}
END_TEST

/* Both into one store: the XML export first, then the dump of the same
 * server merges (every scope, pool and reservation unchanged or updated,
 * nothing added twice); the store holds the scopes' pools with their
 * exclusions and the reservations as reserved addresses. */
START_TEST(msdhcp_apply)
{
	ipam_db *db = open_db();
	apply_check(db, from_fixture(IPAM_IMPORT_MSDHCP_XML, "msdhcp_export.xml"), "imported", "0/5/8/8/0", 0,
	            "0/0/0/0/0");
	ipam_ip_info ip = IPAM_IP_INFO_INIT;
	ip_of(&ip, db, NULL, "192.0.2.51");
	ck_assert_str_eq(ip.hostname, "printer-02.example.com");
	ck_assert_int_eq(ip.status, IPAM_STATUS_RESERVED);
	ipam_ip_info_dispose(&ip);
	ip_of(&ip, db, NULL, "192.0.2.120");
	ck_assert_int_eq(ip.status, IPAM_STATUS_DHCP);
	ipam_ip_info_dispose(&ip);
	ipam_import *imp = from_fixture(IPAM_IMPORT_MSDHCP_NETSH, "msdhcp_netsh_dump.txt");
	OK(ipam_import_apply(imp, db));
	COUNTS(imp, "imported", "0/0/0/0/0");
	ck_assert_int_eq(ipam_import_status(imp), 0);
	ipam_import_free(imp);
	OK(ipam__db_check(db));
	apply_check(db, from_fixture(IPAM_IMPORT_MSDHCP_XML, "msdhcp_export.xml"), "imported", "0/0/0/0/0", 0, NULL);
	ipam_db_free(db);
}
END_TEST

/* The XML reader is strict and names the line; bad scopes and
 * reservations are reported and skipped; netsh lines likewise. */
START_TEST(msdhcp_bad)
{
	static const char *const bad_xml[][2] = {
		{ "<DHCPServer><IPv4></DHCPServer>", "t.xml:1: not well-formed XML: a closing tag" },
		{ "<?xml version=\"1.0\"?>\n<DHCPServer>\n<A>&nbsp;</A></DHCPServer>", "t.xml:3: not well-formed XML: an unknown entity" },
		{ "<DHCPServer a=b/>", "t.xml:1: not well-formed XML: an attribute value without quotes" },
		{ "<DHCPServer/><x/>", "t.xml:1: not well-formed XML: content after the root" },
		{ "<!DOCTYPE x><DHCPServer/>", "t.xml:1: not well-formed XML: a DTD" },
		{ "", "t.xml:1: not well-formed XML: no root element" },
		{ "<Other/>", "t.xml:1: not an Export-DhcpServer document" },
	};
	for (size_t i = 0; i < sizeof bad_xml / sizeof bad_xml[0]; i++) {
		ipam_import *imp;
		OK(ipam_import_new(&imp, IPAM_IMPORT_MSDHCP_XML, NULL));
		ck_assert_int_eq(ipam_import_add_buffer(imp, "t.xml", bad_xml[i][0], strlen(bad_xml[i][0])), IPAM_EINVAL);
		ck_assert_msg(strstr(ipam_error_last()->message, bad_xml[i][1]) != NULL, "%zu: %s", i,
		              ipam_error_last()->message);
		ipam_import_free(imp);
	}
	static const char xml[] =
		"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<!-- c -->\r\n<DHCPServer><IPv4><Scopes>\r\n"
		"<Scope><ScopeId>10.0.0.1</ScopeId><SubnetMask>255.255.255.0</SubnetMask></Scope>\r\n"
		"<Scope><ScopeId>10.1.0.0</ScopeId><SubnetMask>255.0.255.0</SubnetMask></Scope>\r\n"
		"<Scope><ScopeId>10.2.0.0</ScopeId><SubnetMask>255.255.0.0</SubnetMask><Name><![CDATA[a <b>]]> &#x263A;</Name>"
		"<LeaseDuration>2,01:00:00</LeaseDuration><StartRange>10.2.0.10</StartRange><EndRange>10.3.0.1</EndRange>\r\n"
		"<Reservations><Reservation><IPAddress>10.9.0.1</IPAddress></Reservation>\r\n"
		"<Reservation><IPAddress>10.2.0.5</IPAddress><ClientId>01-02</ClientId><Type>BOOTP</Type></Reservation>"
		"</Reservations></Scope>\r\n</Scopes></IPv4></DHCPServer>\r\n";
	static const char dump[] = "# comment\r\nDhcp Server 1.2.3.4 add scope 10.5.0.0 255.255.0.0 \"S\" \"\"\r\n"
	                           "Dhcp Server 1.2.3.4 Scope 10.6.0.0 set state 1\r\n"
	                           "Dhcp Server 1.2.3.4 Scope 10.5.0.0 add excluderange 10.5.0.1 10.5.0.2\r\n"
	                           "Dhcp Server 1.2.3.4 Scope 10.5.0.0 Add iprange 10.5.0.10 10.5.0.20\r\n"
	                           "Dhcp Server 1.2.3.4 Scope 10.5.0.0 Add reservedip 10.7.9.9 001122334455 \"r\" \"\" \"BOTH\"\r\n"
	                           "Dhcp Server 1.2.3.4 Scope 10.5.0.0 Add reservedip 10.5.0.9 \"unclosed\r\n"
	                           "Dhcp Server 1.2.3.4 set auditlog x\r\n";
	ipam_import *imp = of_texts(IPAM_IMPORT_MSDHCP_XML, "x.xml", xml, NULL);
	cJSON *mj = model_of(imp);
	const cJSON *p0 = cJSON_GetArrayItem(cJSON_GetObjectItem(mj, "prefixes"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(p0, "description")->valuestring, "a <b> \xE2\x98\xBA");
	ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(p0, "attributes"), "lease_duration_s")->valueint, 176400);
	const cJSON *a0 = cJSON_GetArrayItem(cJSON_GetObjectItem(mj, "addresses"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(a0, "attributes"), "client_id")->valuestring, "01-02");
	cJSON_Delete(mj);
	static const struct where xw[] = { { "x.xml", 4, "ScopeId" }, { "x.xml", 5, "SubnetMask" },
		                           { "x.xml", 6, "EndRange" },  { "x.xml", 7, "IPAddress" } };
	errors_at(imp, xw, 4);
	ipam_import_free(imp);
	imp = of_texts(IPAM_IMPORT_MSDHCP_NETSH, "d.txt", dump, NULL);
	static const struct where dw[] = { { "d.txt", 3, "Scope" }, { "d.txt", 4, "excluderange" },
		                           { "d.txt", 6, "IPAddress" }, { "d.txt", 7, NULL } };
	errors_at(imp, dw, 4);
	refused(imp, "Set-DhcpServerv4Scope -ScopeId 10.0.0.0\n", "o.csv: not a 'netsh dhcp server dump'");
	ipam_import_free(imp);
}
END_TEST

/* ---- the mapped CSV and the suggestion ---- */

static const char hosts_csv[] = "IP Address;Mask;Host;MAC;Site;Rack;Tags;Managed;Extra\r\n"
                                "10.0.0.5;255.255.255.0;WEB1.Example.COM;AA-BB-CC-DD-EE-01;DC1;R4;a, b;yes;x\r\n"
                                "\"10.0.0.6\";255.255.255.0;web2.example.com;aabb.ccdd.ee02;DC1;\"R\r\n5\";;no;\r\n"
                                "10.0.0.300;255.255.255.0;bad.example.com;;;;;;\r\n"
                                "10.0.0.7;255.255.255.0;web3.example.com;zz;;;;;\r\n";

static const char hosts_map[] =
	"{\"object\": \"address\", \"space\": \"corp\", \"columns\": {"
	"\"IP Address\": \"address\", \"Mask\": {\"field\": \"length\", \"transform\": \"netmask\"},"
	"\"Host\": {\"field\": \"hostname\", \"transform\": \"lower\"}, \"MAC\": \"mac\","
	"\"Site\": {\"field\": \"description\", \"sep\": \" / \"}, \"Rack\": {\"field\": \"description\", \"sep\": \" / \"},"
	"\"Tags\": {\"field\": \"attr\", \"name\": \"tags\", \"transform\": \"split\"},"
	"\"Managed\": {\"field\": \"attr\", \"name\": \"managed\", \"transform\": \"bool\"}}}";

/* A mapping with transforms (netmask, lower, split, bool), two columns
 * joined into the description, a column it does not name kept as an
 * attribute, a fixed space; bad rows reported at their physical line. */
START_TEST(mapped_csv)
{
	ipam_import *imp;
	OK(ipam_import_new(&imp, IPAM_IMPORT_CSV, NULL));
	OK(ipam_import_set_mapping(imp, hosts_map));
	OK(ipam_import_add_buffer(imp, "hosts.csv", hosts_csv, sizeof hosts_csv - 1));
	cJSON *mj = model_of(imp);
	const cJSON *as = cJSON_GetObjectItem(mj, "addresses"), *a0 = cJSON_GetArrayItem(as, 0), *at;
	ck_assert_int_eq(cJSON_GetArraySize(as), 2);
	ck_assert_str_eq(cJSON_GetObjectItem(a0, "vrf")->valuestring, "corp");
	ck_assert_str_eq(cJSON_GetObjectItem(a0, "hostname")->valuestring, "web1.example.com");
	ck_assert_str_eq(cJSON_GetObjectItem(a0, "mac")->valuestring, "aa:bb:cc:dd:ee:01");
	ck_assert_str_eq(cJSON_GetObjectItem(a0, "description")->valuestring, "DC1 / R4");
	at = cJSON_GetObjectItem(a0, "attributes");
	ck_assert_str_eq(cJSON_GetObjectItem(at, "Mask")->valuestring, "24");
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(at, "tags"), 1)->valuestring, "b");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(at, "managed")));
	ck_assert_str_eq(cJSON_GetObjectItem(at, "Extra")->valuestring, "x");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(as, 1), "description")->valuestring, "DC1 / R\r\n5");
	cJSON_Delete(mj);
	static const struct where want[] = { { "hosts.csv", 5, "IP Address" }, { "hosts.csv", 6, "MAC" } };
	errors_at(imp, want, 2);
	ipam_import_free(imp);

	/* prefixes from network + length, ranges from "first - last" */
	static const char nets[] = "net,len,vrf\n10.1.0.0,16,A\n10.2.0.1,16,A\n";
	static const char ranges[] = "pool,state\n10.1.0.10 - 10.1.0.20,reserved\n";
	OK(ipam_import_new(&imp, IPAM_IMPORT_CSV, NULL));
	OK(ipam_import_set_mapping(imp, "{\"columns\": {\"net\": \"network\", \"len\": \"length\", \"vrf\": \"space\"}}"));
	OK(ipam_import_add_buffer(imp, "nets.csv", nets, sizeof nets - 1));
	static const struct where wn[] = { { "nets.csv", 3, "net" } };
	errors_at(imp, wn, 1);
	ipam_db *db = open_db();
	OK(ipam_import_apply(imp, db));
	COUNTS(imp, "imported", "1/1/0/0/0");
	ipam_import_free(imp);
	OK(ipam_import_new(&imp, IPAM_IMPORT_CSV, NULL));
	OK(ipam_import_set_mapping(imp, "{\"space\": \"A\", \"columns\": {\"pool\": \"range\", \"state\": \"status\"}}"));
	OK(ipam_import_add_buffer(imp, "r.csv", ranges, sizeof ranges - 1));
	apply_check(db, imp, "imported", "0/0/1/0/0", 0, NULL);
	ipam_db_free(db);

	/* mappings refused, naming what is wrong */
	static const char *const badmaps[][2] = {
		{ "{\"columns\": {\"a\": \"adress\"}}", "column 'a': 'adress' is not a field (address, prefix" },
		{ "{\"columns\": {\"a\": {\"field\": \"mac\", \"transform\": \"lowr\"}}}",
		  "column 'a': transform 'lowr' is not one of lower" },
		{ "{\"columns\": {\"a\": {\"field\": \"mac\", \"transform\": 3}}}", "transform '(not a string)'" },
		{ "{\"columns\": {\"a\": {\"field\": \"address\", \"sep\": \"\"}}}", "column 'a': \"sep\" is not a non-empty" },
		{ "{\"columns\": {\"a\": {\"field\": \"attr\", \"name\": 7}}}", "column 'a': \"name\" is not a string" },
		{ "{\"columns\": {\"a\": 5}}", "column 'a': no field" },
		{ "{\"columns\": {\"a\": {\"field\": \"attr\"}}}", "an attr needs a \"name\"" },
		{ "{\"columns\": {\"a\": \"hostname\"}}", "\"object\" is address, prefix or range" },
		{ "{\"delimiter\": \"x\", \"columns\": {\"a\": \"address\"}}", "\"delimiter\" is one of" },
		{ "{\"columns\": \n[}", "mapping:2: not JSON" },
	};
	OK(ipam_import_new(&imp, IPAM_IMPORT_CSV, NULL));
	for (size_t i = 0; i < sizeof badmaps / sizeof badmaps[0]; i++) {
		ck_assert_int_eq(ipam_import_set_mapping(imp, badmaps[i][0]), IPAM_EINVAL);
		ck_assert_msg(strstr(ipam_error_last()->message, badmaps[i][1]) != NULL, "%s", ipam_error_last()->message);
	}
	refused(imp, "a\n1\n", "the csv format needs a mapping");
	ipam_import_free(imp);
}
END_TEST

/* The suggestion for a file nobody wrote an importer for: every column
 * guessed from its values and header (a bad value in the address column
 * does not hide it), and importing with it as suggested takes the rows. */
START_TEST(suggest_mapping)
{
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_import_suggest(&b, "hosts.csv", hosts_csv, sizeof hosts_csv - 1));
	cJSON *s = cJSON_Parse(b.ptr);
	ck_assert_msg(s != NULL, "%s", b.ptr);
	const cJSON *cols = cJSON_GetObjectItem(s, "columns");
	static const char *const want[][3] = { { "IP Address", "address", NULL }, { "Mask", "length", "netmask" },
		                               { "Host", "hostname", NULL },     { "MAC", "mac", NULL },
		                               { "Site", "attr", NULL },         { "Managed", "attr", "bool" } };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const cJSON *e = cJSON_GetObjectItem(cols, want[i][0]), *x = cJSON_GetObjectItem(e, "transform");
		ck_assert_msg(e && !strcmp(cJSON_GetObjectItem(e, "field")->valuestring, want[i][1]), "%s: %s", want[i][0], b.ptr);
		ck_assert_msg(want[i][2] ? x && !strcmp(x->valuestring, want[i][2]) : !x, "%s: %s", want[i][0], b.ptr);
	}
	ck_assert_str_eq(cJSON_GetObjectItem(s, "delimiter")->valuestring, ";");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(s, "review")), 9);
	cJSON_Delete(s);
	ipam_import *imp;
	OK(ipam_import_new(&imp, IPAM_IMPORT_CSV, NULL));
	OK(ipam_import_set_mapping(imp, b.ptr));
	OK(ipam_import_add_buffer(imp, "hosts.csv", hosts_csv, sizeof hosts_csv - 1));
	ipam_buf_dispose(&b);
	ipam_db *db = open_db();
	apply_check(db, imp, "imported", "0/0/0/2/0", 3, "0/0/0/0/0");
	ipam_db_free(db);
	ck_assert_int_eq(ipam_import_suggest(&b, "e.csv", "", 0), IPAM_EINVAL);
	ck_assert_int_eq(ipam_import_suggest(&b, "q.csv", "a\n\"x\n", 5), IPAM_EINVAL);
	ck_assert_msg(strstr(ipam_error_last()->message, "q.csv") != NULL, "%s", ipam_error_last()->message);
}
END_TEST

/* ---- progress ---- */

struct seen_progress {
	uint64_t reads, last_read, applies, last_done, last_total;
};

static void on_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
	struct seen_progress *p = ctx;
	if (!strcmp(phase, "read")) {
		p->reads++;
		p->last_read = done;
	} else {
		ck_assert_str_eq(phase, "apply");
		ck_assert(done <= total && done >= p->last_done);
		p->applies++;
		p->last_done = done;
		p->last_total = total;
	}
}

/* One report per file read; apply reports every 512 objects and at the end. */
START_TEST(progress_reports)
{
	struct seen_progress p = { 0 };
	ipam_import *imp;
	OK(ipam_import_new(&imp, IPAM_IMPORT_BLUECAT, NULL));
	ipam_import_set_progress(imp, on_progress, &p);
	for (size_t i = 0; i < 3; i++)
		OK(ipam_import_add_file(imp, fixture(bluecat_files[i])));
	ipam_db *db = open_db();
	OK(ipam_import_apply(imp, db));
	ck_assert_int_eq(p.reads, 3);
	ck_assert_int_eq(p.last_read, 3);
	ck_assert_int_eq(p.applies, 1);
	ck_assert_int_eq(p.last_done, 61);
	ck_assert_int_eq(p.last_total, 61);
	ipam_import_free(imp);
	ipam_db_free(db);
}
END_TEST

int main(int argc, char **argv)
{
	fixtures = argc > 1 ? argv[1] : "fixtures";
	Suite *s = suite_create("import");
	TCase *tc = tcase_create("import");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, netbox_fixtures);
	tcase_add_test(tc, netbox_csv_and_api_agree);
	tcase_add_test(tc, netbox_apply_memory);
	tcase_add_test(tc, netbox_apply_sqlcipher);
	tcase_add_test(tc, netbox_overlap_merges);
	tcase_add_test(tc, csv_hard_cases);
	tcase_add_test(tc, csv_refusals);
	tcase_add_test(tc, all_or_nothing_and_dry_run);
	tcase_add_test(tc, space_mapping);
	tcase_add_test(tc, infoblox_fixture);
	tcase_add_test(tc, infoblox_apply);
	tcase_add_test(tc, infoblox_bad_rows);
	tcase_add_test(tc, infoblox_views);
	tcase_add_test(tc, netbox_round_trip);
	tcase_add_test(tc, phpipam_sql_fixture);
	tcase_add_test(tc, phpipam_sql_apply);
	tcase_add_test(tc, phpipam_sql_bad);
	tcase_add_test(tc, infoblox_round_trip);
	tcase_add_test(tc, bluecat_fixture);
	tcase_add_test(tc, bluecat_apply);
	tcase_add_test(tc, bluecat_bad_rows);
	tcase_add_test(tc, phpipam_csv_fixture);
	tcase_add_test(tc, phpipam_csv_apply);
	tcase_add_test(tc, phpipam_csv_bad_rows);
	tcase_add_test(tc, bind_fixture);
	tcase_add_test(tc, bind_apply);
	tcase_add_test(tc, bind_link_fixture);
	tcase_add_test(tc, bind_many_owners);
	tcase_add_test(tc, bind_link_harder);
	tcase_add_test(tc, bind_bad_records);
	tcase_add_test(tc, msdhcp_xml_fixture);
	tcase_add_test(tc, msdhcp_netsh_fixture);
	tcase_add_test(tc, msdhcp_apply);
	tcase_add_test(tc, msdhcp_bad);
	tcase_add_test(tc, mapped_csv);
	tcase_add_test(tc, suggest_mapping);
	tcase_add_test(tc, progress_reports);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
