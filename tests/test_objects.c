/* Stored objects in the db layer (src/db/obj.c): put, replace, get, each,
 * delete, rollback, two handles on one file, the audit chain, the export
 * round trip, and sealed secrets. */

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipam.h"
#include "db/obj.h"

#define OK(call) ck_assert_msg((call) == 0, "%s: %s", #call, ipam_error_last()->message)
#define RC(call, want)                                                                                   \
	do {                                                                                             \
		int rc_ = (call);                                                                        \
		ck_assert_msg(rc_ == (want), "%s: %d, want %d (%s)", #call, rc_, (want), ipam_error_last()->message); \
	} while (0)

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/ipam-objects-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static ipam_db *open_file(const char *name, const char *secret_key_file)
{
	char uri[128];
	snprintf(uri, sizeof uri, "file:%s/%s", dir, name);
	ipam_open_options o = IPAM_OPEN_OPTIONS_INIT;
	o.flags = IPAM_OPEN_CREATE;
	o.passphrase = "objects test";
	o.secret_key_file = secret_key_file;
	ipam_db *db = NULL;
	OK(ipam_db_open(&db, uri, &o));
	return db;
}

/* The calls below run inside one implicit transaction each, as the
 * capabilities' public functions do. */
static int put(ipam_db *db, unsigned kind, const uint8_t *parent, const char *name, const char *attrs, unsigned flags,
               uint8_t id_out[16])
{
	ipam__scope sc;
	int rc = ipam__enter(db, 1, &sc);
	if (rc)
		return rc;
	ipam__obj o;
	memset(&o, 0, sizeof o);
	o.kind = kind;
	if (parent)
		memcpy(o.parent, parent, 16);
	o.name = name;
	o.attrs = attrs;
	rc = ipam__obj_put(db, &o, flags, "test.put");
	if (!rc && id_out)
		memcpy(id_out, o.id, 16);
	return ipam__leave(db, &sc, rc);
}

static int del(ipam_db *db, unsigned kind, const uint8_t *parent, const char *name)
{
	ipam__scope sc;
	int rc = ipam__enter(db, 1, &sc);
	if (rc)
		return rc;
	rc = ipam__obj_del(db, kind, parent, name, "test.del");
	return ipam__leave(db, &sc, rc);
}

/* get: 0 and a copy of attrs (NULL for {}) and the version, or the error */
static int get(ipam_db *db, unsigned kind, const uint8_t *parent, const char *name, char **attrs, uint64_t *version)
{
	ipam__scope sc;
	int rc = ipam__enter(db, 0, &sc);
	if (rc)
		return rc;
	ipam__obj o;
	rc = ipam__obj_get(db, kind, parent, name, &o);
	if (!rc) {
		if (attrs)
			*attrs = o.attrs ? strdup(o.attrs) : NULL;
		if (version)
			*version = o.version;
	}
	return ipam__leave(db, &sc, rc);
}

typedef struct {
	char buf[1024];
} names;

static int collect(void *ctx, const ipam__obj *o)
{
	names *n = ctx;
	strncat(n->buf, o->name, sizeof n->buf - strlen(n->buf) - 2);
	strcat(n->buf, "|");
	return 0;
}

static const char *each(ipam_db *db, unsigned kind, const uint8_t *parent, names *n)
{
	n->buf[0] = '\0';
	ipam__scope sc;
	OK(ipam__enter(db, 0, &sc));
	OK(ipam__obj_each(db, kind, parent, collect, n));
	OK(ipam__leave(db, &sc, 0));
	return n->buf;
}

static char *export_str(ipam_db *db)
{
	ipam_buf b = IPAM_BUF_INIT;
	OK(ipam_export(&b, db));
	char *s = strdup(b.ptr);
	ipam_buf_dispose(&b);
	return s;
}

START_TEST(put_get_each_replace_delete)
{
	ipam_db *db = open_file("a.db", NULL);
	uint8_t zone[16] = { 0 }, other[16] = { 0 };
	OK(put(db, IPAM_STORE_ZONE, NULL, "example.com.", "{\"ttl\": 3600, \"ns\": [\"ns1.example.com.\"]}",
	       IPAM__OBJ_NEW, zone));
	OK(put(db, IPAM_STORE_ZONE, NULL, "example.org.", NULL, IPAM__OBJ_NEW, other));
	OK(put(db, IPAM_STORE_RECORD, zone, "www A 192.0.2.10", "{\"ttl\":300}", IPAM__OBJ_NEW, NULL));
	OK(put(db, IPAM_STORE_RECORD, zone, "mail A 192.0.2.20", NULL, IPAM__OBJ_NEW, NULL));
	OK(put(db, IPAM_STORE_RECORD, other, "www A 198.51.100.1", NULL, IPAM__OBJ_NEW, NULL));

	/* attrs are kept normalised; order by (parent, name) */
	char *attrs = NULL;
	uint64_t v = 0;
	OK(get(db, IPAM_STORE_ZONE, NULL, "example.com.", &attrs, &v));
	ck_assert_str_eq(attrs, "{\"ttl\":3600,\"ns\":[\"ns1.example.com.\"]}");
	ck_assert_uint_eq(v, 1);
	free(attrs);
	names n;
	ck_assert_str_eq(each(db, IPAM_STORE_RECORD, zone, &n), "mail A 192.0.2.20|www A 192.0.2.10|");
	ck_assert_str_eq(each(db, IPAM_STORE_ZONE, NULL, &n), "example.com.|example.org.|");
	ck_assert_str_eq(each(db, IPAM_STORE_SERVER, NULL, &n), "");
	ck_assert_uint_eq(strlen(each(db, IPAM_STORE_RECORD, NULL, &n)), strlen("mail A 192.0.2.20|www A 192.0.2.10|www A 198.51.100.1|"));

	/* NEW on an existing key, REPLACE on a missing one, bad input */
	RC(put(db, IPAM_STORE_ZONE, NULL, "example.com.", NULL, IPAM__OBJ_NEW, NULL), IPAM_EEXISTS);
	ck_assert_str_eq(ipam_error_last()->message, "zone \"example.com.\" already exists");
	RC(put(db, IPAM_STORE_ZONE, NULL, "nowhere.", NULL, IPAM__OBJ_REPLACE, NULL), IPAM_ENOTFOUND);
	RC(put(db, IPAM_STORE_ZONE, NULL, "", NULL, 0, NULL), IPAM_EINVAL);
	RC(put(db, IPAM_STORE_ZONE, NULL, "bad\nname", NULL, 0, NULL), IPAM_EINVAL);
	ck_assert_str_eq(ipam_error_last()->message,
	                 "zone \"bad\\x0aname\": the name holds a control character at byte 4");
	RC(put(db, IPAM_STORE_ZONE, NULL, "x.", "[1,2]", 0, NULL), IPAM_EINVAL);
	ck_assert_str_eq(ipam_error_last()->message, "zone attrs: must be a JSON object");
	RC(put(db, IPAM_STORE_ZONE, NULL, "x.", "{\"a\":", 0, NULL), IPAM_EINVAL);

	/* replace keeps the id, bumps the version */
	uint8_t again[16] = { 0 };
	OK(put(db, IPAM_STORE_ZONE, NULL, "example.com.", "{\"ttl\":60}", IPAM__OBJ_REPLACE, again));
	ck_assert_mem_eq(again, zone, 16);
	OK(get(db, IPAM_STORE_ZONE, NULL, "example.com.", &attrs, &v));
	ck_assert_str_eq(attrs, "{\"ttl\":60}");
	ck_assert_uint_eq(v, 2);
	free(attrs);

	/* delete */
	OK(del(db, IPAM_STORE_RECORD, zone, "mail A 192.0.2.20"));
	RC(del(db, IPAM_STORE_RECORD, zone, "mail A 192.0.2.20"), IPAM_ENOTFOUND);
	ck_assert_str_eq(ipam_error_last()->message, "record \"mail A 192.0.2.20\" not found");
	RC(get(db, IPAM_STORE_RECORD, zone, "mail A 192.0.2.20", NULL, NULL), IPAM_ENOTFOUND);
	ck_assert_str_eq(each(db, IPAM_STORE_RECORD, zone, &n), "www A 192.0.2.10|");

	/* every change is one audit entry, and the chain holds */
	ipam_audit_report rep;
	memset(&rep, 0, sizeof rep);
	rep.version = IPAM_AUDIT_REPORT_VERSION;
	OK(ipam_audit_verify(&rep, db, NULL));
	ck_assert_uint_eq(rep.entries, 7);
	ipam_db_free(db);

	/* reopened: all there */
	db = open_file("a.db", NULL);
	ck_assert_str_eq(each(db, IPAM_STORE_RECORD, zone, &n), "www A 192.0.2.10|");
	OK(get(db, IPAM_STORE_ZONE, NULL, "example.com.", &attrs, &v));
	ck_assert_str_eq(attrs, "{\"ttl\":60}");
	free(attrs);
	ipam_db_free(db);
}
END_TEST

START_TEST(rollback_and_two_handles)
{
	ipam_db *a = open_file("b.db", NULL), *b = open_file("b.db", NULL);
	uint8_t zone[16] = { 0 };
	OK(put(a, IPAM_STORE_ZONE, NULL, "example.net.", "{\"ttl\":1}", IPAM__OBJ_NEW, zone));
	/* b catches up at its next call */
	char *attrs = NULL;
	OK(get(b, IPAM_STORE_ZONE, NULL, "example.net.", &attrs, NULL));
	ck_assert_str_eq(attrs, "{\"ttl\":1}");
	free(attrs);

	/* an explicit transaction that rolls back leaves nothing, in the cache or the store */
	OK(ipam_db_begin(a));
	OK(put(a, IPAM_STORE_RECORD, zone, "x A 192.0.2.1", NULL, IPAM__OBJ_NEW, NULL));
	OK(put(a, IPAM_STORE_ZONE, NULL, "example.net.", "{\"ttl\":2}", 0, NULL));
	OK(del(a, IPAM_STORE_ZONE, NULL, "example.net."));
	RC(get(a, IPAM_STORE_ZONE, NULL, "example.net.", NULL, NULL), IPAM_ENOTFOUND);
	ipam_db_rollback(a);
	OK(get(a, IPAM_STORE_ZONE, NULL, "example.net.", &attrs, NULL));
	ck_assert_str_eq(attrs, "{\"ttl\":1}");
	free(attrs);
	RC(get(a, IPAM_STORE_RECORD, zone, "x A 192.0.2.1", NULL, NULL), IPAM_ENOTFOUND);

	/* b replaces and deletes; a sees it */
	OK(put(b, IPAM_STORE_ZONE, NULL, "example.net.", "{\"ttl\":3}", IPAM__OBJ_REPLACE, NULL));
	OK(put(b, IPAM_STORE_SERVER, NULL, "ns1", "{\"type\":\"bind\"}", IPAM__OBJ_NEW, NULL));
	OK(get(a, IPAM_STORE_ZONE, NULL, "example.net.", &attrs, NULL));
	ck_assert_str_eq(attrs, "{\"ttl\":3}");
	free(attrs);
	OK(del(b, IPAM_STORE_SERVER, NULL, "ns1"));
	RC(get(a, IPAM_STORE_SERVER, NULL, "ns1", NULL, NULL), IPAM_ENOTFOUND);
	/* two writers creating one key: the second learns it exists */
	RC(put(a, IPAM_STORE_ZONE, NULL, "example.net.", NULL, IPAM__OBJ_NEW, NULL), IPAM_EEXISTS);
	ipam_db_free(a);
	ipam_db_free(b);
}
END_TEST

static const char *owner_of(ipam_db *db, const uint8_t *zone, const char *owner, names *n, int ordered_each)
{
	n->buf[0] = '\0';
	ipam__scope sc;
	OK(ipam__enter(db, 0, &sc));
	if (ordered_each)
		OK(ipam__obj_each_unordered(db, IPAM_STORE_RECORD, zone, collect, n));
	else
		OK(ipam__obj_each_owner(db, IPAM_STORE_RECORD, zone, owner, collect, n));
	OK(ipam__leave(db, &sc, 0));
	/* the walks are unordered: sort the names for the comparison */
	char *v[64], copy[1024];
	size_t k = 0;
	snprintf(copy, sizeof copy, "%s", n->buf);
	for (char *t = strtok(copy, "|"); t && k < 64; t = strtok(NULL, "|"))
		v[k++] = t;
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	n->buf[0] = '\0';
	for (size_t i = 0; i < k; i++) {
		strcat(n->buf, v[i]);
		strcat(n->buf, "|");
	}
	return n->buf;
}

/* The owner index and the per-parent lists follow every put, replace,
 * delete and rollback, and another handle's changes through the feed. */
START_TEST(owner_index)
{
	ipam_db *a = open_file("d.db", NULL), *b = open_file("d.db", NULL);
	uint8_t z1[16] = { 0 }, z2[16] = { 0 };
	OK(put(a, IPAM_STORE_ZONE, NULL, "one.", NULL, IPAM__OBJ_NEW, z1));
	OK(put(a, IPAM_STORE_ZONE, NULL, "two.", NULL, IPAM__OBJ_NEW, z2));
	/* enough owners for the group tables to grow */
	char name[64];
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "h%d.one. 300 IN A 192.0.2.%d", i, i % 250);
		OK(put(a, IPAM_STORE_RECORD, z1, name, NULL, IPAM__OBJ_NEW, NULL));
	}
	OK(put(a, IPAM_STORE_RECORD, z1, "www.one. 300 IN A 192.0.2.1", NULL, IPAM__OBJ_NEW, NULL));
	OK(put(a, IPAM_STORE_RECORD, z1, "WWW.one. 300 IN TXT \"x\"", NULL, IPAM__OBJ_NEW, NULL));
	OK(put(a, IPAM_STORE_RECORD, z1, "www2.one. 300 IN A 192.0.2.2", NULL, IPAM__OBJ_NEW, NULL));
	OK(put(a, IPAM_STORE_RECORD, z2, "www.one. 300 IN A 192.0.2.9", NULL, IPAM__OBJ_NEW, NULL));
	OK(put(a, IPAM_STORE_RECORD, z2, "x.two. 300 IN A 192.0.2.3", NULL, IPAM__OBJ_NEW, NULL));
	names n;
	ck_assert_str_eq(owner_of(a, z1, "www.one.", &n, 0), "WWW.one. 300 IN TXT \"x\"|www.one. 300 IN A 192.0.2.1|");
	ck_assert_str_eq(owner_of(a, z1, "Www.One. 300 IN MX 10 x.", &n, 0),
	                 "WWW.one. 300 IN TXT \"x\"|www.one. 300 IN A 192.0.2.1|");
	ck_assert_str_eq(owner_of(a, z1, "www2.one.", &n, 0), "www2.one. 300 IN A 192.0.2.2|");
	ck_assert_str_eq(owner_of(a, z1, "ww.one.", &n, 0), "");
	ck_assert_str_eq(owner_of(a, z2, "www.one.", &n, 0), "www.one. 300 IN A 192.0.2.9|");
	ck_assert_str_eq(owner_of(a, z2, "x.two.", &n, 0), "x.two. 300 IN A 192.0.2.3|");
	ck_assert_str_eq(owner_of(a, z2, NULL, &n, 1), "www.one. 300 IN A 192.0.2.9|x.two. 300 IN A 192.0.2.3|");
	ck_assert_str_eq(each(a, IPAM_STORE_RECORD, z2, &n), "www.one. 300 IN A 192.0.2.9|x.two. 300 IN A 192.0.2.3|");
	ck_assert_str_eq(each(a, IPAM_STORE_ZONE, NULL, &n), "one.|two.|");
	RC(ipam__obj_each_owner(a, IPAM_STORE_ZONE, z1, "x", collect, &n), IPAM_EINVAL);

	/* replace keeps it in its groups; delete takes it out; an emptied
	 * owner is gone and comes back */
	OK(put(a, IPAM_STORE_RECORD, z1, "www.one. 300 IN A 192.0.2.1", "{\"a\":1}", IPAM__OBJ_REPLACE, NULL));
	ck_assert_str_eq(owner_of(a, z1, "www.one.", &n, 0), "WWW.one. 300 IN TXT \"x\"|www.one. 300 IN A 192.0.2.1|");
	OK(del(a, IPAM_STORE_RECORD, z1, "WWW.one. 300 IN TXT \"x\""));
	OK(del(a, IPAM_STORE_RECORD, z1, "www.one. 300 IN A 192.0.2.1"));
	ck_assert_str_eq(owner_of(a, z1, "www.one.", &n, 0), "");
	ck_assert_str_eq(owner_of(a, z1, "www2.one.", &n, 0), "www2.one. 300 IN A 192.0.2.2|");
	OK(put(a, IPAM_STORE_RECORD, z1, "www.one. 300 IN A 192.0.2.4", NULL, IPAM__OBJ_NEW, NULL));
	ck_assert_str_eq(owner_of(a, z1, "www.one.", &n, 0), "www.one. 300 IN A 192.0.2.4|");
	for (int i = 0; i < 300; i += 2) {
		snprintf(name, sizeof name, "h%d.one. 300 IN A 192.0.2.%d", i, i % 250);
		OK(del(a, IPAM_STORE_RECORD, z1, name));
	}
	ck_assert_str_eq(owner_of(a, z1, "h2.one.", &n, 0), "");
	ck_assert_str_eq(owner_of(a, z1, "h299.one.", &n, 0), "h299.one. 300 IN A 192.0.2.49|");

	/* a rollback puts the indexes back too */
	OK(ipam_db_begin(a));
	OK(put(a, IPAM_STORE_RECORD, z2, "x.two. 60 IN TXT \"y\"", NULL, IPAM__OBJ_NEW, NULL));
	OK(del(a, IPAM_STORE_RECORD, z2, "www.one. 300 IN A 192.0.2.9"));
	ck_assert_str_eq(owner_of(a, z2, "x.two.", &n, 0), "x.two. 300 IN A 192.0.2.3|x.two. 60 IN TXT \"y\"|");
	ipam_db_rollback(a);
	ck_assert_str_eq(owner_of(a, z2, "x.two.", &n, 0), "x.two. 300 IN A 192.0.2.3|");
	ck_assert_str_eq(owner_of(a, z2, "www.one.", &n, 0), "www.one. 300 IN A 192.0.2.9|");

	/* the other handle: loaded from the store, then caught up by the feed */
	ck_assert_str_eq(owner_of(b, z1, "www.one.", &n, 0), "www.one. 300 IN A 192.0.2.4|");
	ck_assert_str_eq(owner_of(b, z1, "h1.one.", &n, 0), "h1.one. 300 IN A 192.0.2.1|");
	ck_assert_str_eq(owner_of(b, z1, "h0.one.", &n, 0), "");
	OK(del(a, IPAM_STORE_RECORD, z1, "www.one. 300 IN A 192.0.2.4"));
	OK(put(a, IPAM_STORE_RECORD, z1, "www.one. 300 IN A 192.0.2.5", NULL, IPAM__OBJ_NEW, NULL));
	ck_assert_str_eq(owner_of(b, z1, "www.one.", &n, 0), "www.one. 300 IN A 192.0.2.5|");
	ipam_db_free(a);
	ipam_db_free(b);
}
END_TEST

START_TEST(export_round_trip)
{
	ipam_db *db = open_file("c.db", NULL);
	uint8_t zone[16] = { 0 }, srv[16] = { 0 };
	OK(ipam_space_add(db, "blue", NULL));
	OK(put(db, IPAM_STORE_ZONE, NULL, "example.com.", "{\"ttl\":3600}", IPAM__OBJ_NEW, zone));
	OK(put(db, IPAM_STORE_RECORD, zone, "www A 192.0.2.10", NULL, IPAM__OBJ_NEW, NULL));
	OK(put(db, IPAM_STORE_SERVER, NULL, "ns1", "{\"type\":\"bind\"}", IPAM__OBJ_NEW, srv));
	OK(put(db, IPAM_STORE_OBSERVATION, NULL, "192.0.2.10 snmp", "{\"mac\":\"00:11:22:33:44:55\"}", IPAM__OBJ_NEW,
	       NULL));
	char *one = export_str(db);
	ck_assert_ptr_nonnull(strstr(one, "\"format_version\":2,"));
	ck_assert_ptr_nonnull(strstr(one, "\"kind\":\"record\""));
	ck_assert_ptr_nonnull(strstr(one, "\"name\":\"www A 192.0.2.10\""));
	ipam_db *two = open_file("d.db", NULL);
	OK(ipam_import_json(two, one, strlen(one), "export.json"));
	char *again = export_str(two);
	ck_assert_str_eq(one, again);
	/* and the objects are in the imported handle's cache */
	names n;
	ck_assert_str_eq(each(two, IPAM_STORE_RECORD, zone, &n), "www A 192.0.2.10|");
	/* a parent that is nowhere in the document is refused */
	char *bad = strdup(one);
	char zid[37];
	ipam__uuid_format(zid, zone);
	char *p = strstr(bad, "\"kind\":\"record\",\"parent\":\"");
	ck_assert_ptr_nonnull(p);
	p += strlen("\"kind\":\"record\",\"parent\":\"");
	p[0] = p[0] == 'f' ? 'e' : 'f';
	ipam_db *three = open_file("e.db", NULL);
	RC(ipam_import_json(three, bad, strlen(bad), "bad.json"), IPAM_EINVAL);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "objects[1].parent: no object with that id"));
	free(bad);
	free(one);
	free(again);
	ipam_db_free(db);
	ipam_db_free(two);
	ipam_db_free(three);
}
END_TEST

/* A handle's ids are UUIDv7 that ascend: many made within one millisecond
 * (the counter) and more than a counter holds (the borrowed millisecond)
 * still compare in the order they were made, with version 7 and the
 * RFC 9562 variant, and none twice. */
START_TEST(ids_ascend)
{
	ipam_db *db = NULL;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	enum { N = 20000 };
	uint8_t(*ids)[16] = malloc(sizeof *ids * N);
	ck_assert_ptr_nonnull(ids);
	for (int i = 0; i < N; i++)
		ipam__db_uuid(db, ids[i]);
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(ids[i][6] >> 4, 7);
		ck_assert_int_eq(ids[i][8] >> 6, 2);
		if (i)
			ck_assert_msg(memcmp(ids[i - 1], ids[i], 16) < 0, "id %d is not above id %d", i, i - 1);
	}
	free(ids);
	ipam_db_free(db);
}
END_TEST

START_TEST(sealed_secrets)
{
	const char *secret = "hmac-sha256:c2VjcmV0LXRzaWcta2V5LWZvci10ZXN0cw==";
	ipam_db *db = open_file("f.db", NULL);
	char *sealed = NULL;
	ipam__scope sc;
	OK(ipam__enter(db, 1, &sc));
	OK(ipam__seal(db, secret, strlen(secret), &sealed));
	OK(ipam__leave(db, &sc, 0));
	ck_assert(ipam__is_sealed(sealed));
	ck_assert_ptr_null(strstr(sealed, "c2VjcmV0"));
	char attrs[1024];
	snprintf(attrs, sizeof attrs, "{\"secret\":\"%s\"}", sealed);
	OK(put(db, IPAM_STORE_CREDENTIAL, NULL, "tsig-ns1", attrs, IPAM__OBJ_NEW, NULL));

	/* open: the same bytes back */
	void *plain = NULL;
	size_t len = 0;
	OK(ipam__enter(db, 0, &sc));
	OK(ipam__unseal(db, sealed, &plain, &len));
	OK(ipam__leave(db, &sc, 0));
	ck_assert_uint_eq(len, strlen(secret));
	ck_assert_mem_eq(plain, secret, len);
	ipam__unsealed_free(plain, len);

	/* altered: IPAM_EAUTH, and the message holds no secret */
	char *t = strdup(sealed);
	size_t tl = strlen(t);
	t[tl - 5] = t[tl - 5] == 'A' ? 'B' : 'A';
	OK(ipam__enter(db, 0, &sc));
	RC(ipam__unseal(db, t, &plain, &len), IPAM_EAUTH);
	OK(ipam__leave(db, &sc, 0));
	free(t);

	/* the export and the audit chain carry only the sealed text */
	char *doc = export_str(db);
	ck_assert_ptr_null(strstr(doc, "c2VjcmV0"));
	ck_assert_ptr_nonnull(strstr(doc, "sealed:v1:"));
	ipam_db_free(db);

	/* another store has another key: it cannot open this secret */
	ipam_db *other = open_file("g.db", NULL);
	OK(ipam__enter(other, 1, &sc));
	char *mine = NULL;
	OK(ipam__seal(other, "x", 1, &mine));
	RC(ipam__unseal(other, sealed, &plain, &len), IPAM_EAUTH);
	OK(ipam__leave(other, &sc, 0));
	free(mine);
	ipam_db_free(other);

	/* a key file: two stores that share it open each other's secrets */
	char kf[128];
	snprintf(kf, sizeof kf, "%s/seal.key", dir);
	FILE *f = fopen(kf, "w");
	ck_assert_ptr_nonnull(f);
	fputs("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n", f);
	fclose(f);
	ipam_db *k1 = open_file("h.db", kf), *k2 = open_file("i.db", kf);
	char *s1 = NULL;
	OK(ipam__enter(k1, 1, &sc));
	OK(ipam__seal(k1, secret, strlen(secret), &s1));
	OK(ipam__leave(k1, &sc, 0));
	OK(ipam__enter(k2, 0, &sc));
	OK(ipam__unseal(k2, s1, &plain, &len));
	OK(ipam__leave(k2, &sc, 0));
	ck_assert_mem_eq(plain, secret, len);
	ipam__unsealed_free(plain, len);
	free(s1);
	ipam_db_free(k1);
	ipam_db_free(k2);
	free(doc);
	free(sealed);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("objects");
	TCase *tc = tcase_create("objects");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, put_get_each_replace_delete);
	tcase_add_test(tc, rollback_and_two_handles);
	tcase_add_test(tc, owner_index);
	tcase_add_test(tc, export_round_trip);
	tcase_add_test(tc, sealed_secrets);
	tcase_add_test(tc, ids_ascend);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
