/* Commands on the store as a whole: audit log/verify/keygen/sign, export,
 * import json, rekey, check. */
#include "ipamctl.h"

#include <sodium.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers ---- */

static bool json_u64(cJSON *obj, const char *key, uint64_t v)
{
	return json_u128(obj, key, (ipam_u128){ .hi = 0, .lo = v });
}

/* A JSON document embedded as a value: null for NULL, the text itself
 * when it is not JSON after all. */
static bool json_doc(cJSON *obj, const char *key, const char *text)
{
	if (!text)
		return cJSON_AddNullToObject(obj, key) != NULL;
	const char *end = NULL;
	cJSON *item = cJSON_ParseWithOpts(text, &end, 1);
	if (!item)
		return json_str(obj, key, text);
	return cJSON_AddItemToObject(obj, key, item);
}

/* RFC 3339 in UTC with microseconds: 2026-11-21T20:21:48.123456Z. */
static void rfc3339(char *buf, size_t size, int64_t usec)
{
	int64_t sec = usec / 1000000, frac = usec % 1000000;
	if (frac < 0) {
		frac += 1000000;
		sec--;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		snprintf(buf, size, "@%" PRId64, usec);
		return;
	}
	size_t n = strlen(buf);
	snprintf(buf + n, size - n, ".%06" PRId64 "Z", frac);
}

static int parse_u64(struct ctl *c, uint64_t *out, const char *text, const char *what)
{
	size_t n = strlen(text);
	if (n >= 1 && n <= 20 && strspn(text, "0123456789") == n) {
		errno = 0;
		unsigned long long v = strtoull(text, NULL, 10);
		if (errno == 0) {
			*out = v;
			return ST_OK;
		}
	}
	return fail_inval(c, "%s: '%.100s' is not a sequence number", what, text);
}

static cJSON *stats_object(struct ctl *c, cJSON *o, char *text, size_t size, const char *lead)
{
	ipam_db_stats st = IPAM_DB_STATS_INIT;
	snprintf(text, size, "%s", lead);
	if (!o)
		return NULL;
	if (ipam_db_stats_get(&st, c->db) != 0)
		return o;
	if (!(json_u64(o, "spaces", st.spaces) && json_u64(o, "prefixes", st.prefixes) &&
	      json_u64(o, "ranges", st.ranges) && json_u64(o, "addresses", st.addresses))) {
		cJSON_Delete(o);
		return NULL;
	}
	snprintf(text, size, "%s (%" PRIu64 " space%s, %" PRIu64 " prefix%s, %" PRIu64 " range%s, %" PRIu64 " address%s)",
	         lead, st.spaces, st.spaces == 1 ? "" : "s", st.prefixes, st.prefixes == 1 ? "" : "es", st.ranges,
	         st.ranges == 1 ? "" : "s", st.addresses, st.addresses == 1 ? "" : "es");
	return o;
}

static void hex(char *out, const unsigned char *bytes, size_t n)
{
	sodium_bin2hex(out, 2 * n + 1, bytes, n);
}

/* ---- audit ---- */

static cJSON *json_audit_entry(const ipam_audit_entry *e, bool full)
{
	char when[48];
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	rfc3339(when, sizeof when, e->time);
	bool ok = json_u64(o, "seq", e->seq) && json_str(o, "time", when) && json_str(o, "actor", e->actor) &&
	          json_str(o, "action", e->action) && json_str(o, "object", e->object);
	if (ok && full)
		ok = json_doc(o, "before", e->before_json) && json_doc(o, "after", e->after_json) &&
		     json_hex(o, "hash", e->hash, sizeof e->hash) && json_hex(o, "prev", e->prev, sizeof e->prev);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int cmd_audit_log(struct ctl *c, const struct args *a)
{
	uint64_t from = 1;
	int st;

	if (a->val[OPT_FROM] && (st = parse_u64(c, &from, a->val[OPT_FROM], "--from")))
		return st;
	if (a->seen[OPT_JSON])
		c->json = true;
	ipam_audit_iter *it = NULL;
	int rc = ipam_audit_iter_new(&it, c->db, from);
	if (rc)
		return fail_lib(c, rc, NULL);
	ipam_audit_entry e = IPAM_AUDIT_ENTRY_INIT;
	st = ST_OK;
	out_list_begin(c, K_AUDIT);
	while (st == ST_OK && (rc = ipam_audit_iter_next(&e, it)) == 0)
		st = out_list_add(c, json_audit_entry(&e, c->json));
	if (st == ST_OK && rc != IPAM_ITEROVER)
		st = fail_lib(c, rc, NULL);
	ipam_audit_entry_dispose(&e);
	ipam_audit_iter_free(it);
	return st;
}

int cmd_audit_verify(struct ctl *c, const struct args *a)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	ipam_audit_report rep = IPAM_AUDIT_REPORT_INIT;
	const char *pkfile = a->val[OPT_PUBLIC_KEY];
	int st;

	if (pkfile && (st = read_key_file(c, pk, sizeof pk, pkfile, "--public-key")))
		return st;
	int rc = ipam_audit_verify(&rep, c->db, pkfile ? pk : NULL);
	if (rc)
		return fail_lib(c, rc, NULL);

	char head[2 * sizeof rep.head_hash + 1] = "-", pkhex[2 * sizeof pk + 1] = "";
	if (rep.entries)
		hex(head, rep.head_hash, sizeof rep.head_hash);
	if (pkfile)
		hex(pkhex, pk, sizeof pk);
	cJSON *o = cJSON_CreateObject();
	if (o && !(cJSON_AddBoolToObject(o, "verified", 1) && json_u64(o, "entries", rep.entries) &&
	           json_u64(o, "head_seq", rep.head_seq) && json_str(o, "head_hash", rep.entries ? head : NULL) &&
	           json_u64(o, "checkpoints", rep.checkpoints) && json_str(o, "public_key", pkfile ? pkhex : NULL))) {
		cJSON_Delete(o);
		o = NULL;
	}
	char text[400];
	int n = snprintf(text, sizeof text, "audit chain ok: %" PRIu64 " %s checked, head seq %" PRIu64 " hash %s",
	                 rep.entries, rep.entries == 1 ? "entry" : "entries", rep.head_seq, head);
	if (pkfile && n > 0 && (size_t)n < sizeof text)
		snprintf(text + n, sizeof text - (size_t)n, "; %" PRIu64 " signed checkpoint%s verified with key %.16s...",
		         rep.checkpoints, rep.checkpoints == 1 ? "" : "s", pkhex);
	return out_item(c, K_TEXT, o, text);
}

/* The hex text of a key, a newline after it. */
static void key_text(char *out, const unsigned char *key, size_t n)
{
	hex(out, key, n);
	out[2 * n] = '\n';
	out[2 * n + 1] = '\0';
}

int cmd_audit_keygen(struct ctl *c, const struct args *a)
{
	const char *skfile = a->val[OPT_SECRET_KEY], *pkfile = a->val[OPT_PUBLIC_KEY];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	char pktext[2 * sizeof pk + 2], sktext[2 * sizeof sk + 2];
	int st;

	if (!skfile || !pkfile)
		return fail_usage(c, "audit keygen: options --secret-key and --public-key are required");
	if (strcmp(skfile, pkfile) == 0)
		return fail_usage(c, "audit keygen: --secret-key and --public-key name the same file");
	/* Neither key replaces a file: check both before writing either. */
	if (access(skfile, F_OK) == 0)
		return fail_as(c, "EXISTS", "--secret-key %.200s already exists; not overwriting it", skfile);
	if (access(pkfile, F_OK) == 0)
		return fail_as(c, "EXISTS", "--public-key %.200s already exists; not overwriting it", pkfile);
	if (sodium_init() < 0)
		return fail_as(c, "ERROR", "libsodium cannot be initialized");
	crypto_sign_keypair(pk, sk);
	key_text(sktext, sk, sizeof sk);
	key_text(pktext, pk, sizeof pk);
	st = write_file_atomic(c, skfile, sktext, strlen(sktext), 0600, true);
	if (st == ST_OK && (st = write_file_atomic(c, pkfile, pktext, strlen(pktext), 0644, true)))
		unlink(skfile); /* all or nothing: a secret key without its public half is of no use */
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(sktext, sizeof sktext);
	if (st)
		return st;

	pktext[2 * sizeof pk] = '\0';
	cJSON *o = cJSON_CreateObject();
	if (o && !(json_str(o, "secret_key_file", skfile) && json_str(o, "public_key_file", pkfile) &&
	           json_str(o, "public_key", pktext))) {
		cJSON_Delete(o);
		o = NULL;
	}
	char text[700];
	snprintf(text, sizeof text, "wrote the secret key to %.200s (mode 0600) and the public key to %.200s: %s", skfile,
	         pkfile, pktext);
	return out_item(c, K_TEXT, o, text);
}

int cmd_audit_sign(struct ctl *c, const struct args *a)
{
	const char *skfile = a->val[OPT_SECRET_KEY];
	unsigned char sk[crypto_sign_SECRETKEYBYTES], seedpk[crypto_sign_PUBLICKEYBYTES],
	    seedsk[crypto_sign_SECRETKEYBYTES];
	int st;

	if (!skfile)
		return fail_usage(c, "audit sign: option --secret-key is required");
	if (sodium_init() < 0)
		return fail_as(c, "ERROR", "libsodium cannot be initialized");
	if ((st = read_key_file(c, sk, sizeof sk, skfile, "--secret-key")))
		return st;
	/* libsodium's form is seed || public key: the seed must give that
	 * public key, or this is not a secret key at all. */
	crypto_sign_seed_keypair(seedpk, seedsk, sk);
	sodium_memzero(seedsk, sizeof seedsk);
	if (sodium_memcmp(seedpk, sk + crypto_sign_SEEDBYTES, sizeof seedpk) != 0) {
		sodium_memzero(sk, sizeof sk);
		return fail_inval(c, "--secret-key %.200s: not an Ed25519 secret key (its two halves do not match)", skfile);
	}
	uint64_t seq = 0;
	int rc = ipam_audit_sign(&seq, c->db, sk);
	sodium_memzero(sk, sizeof sk);
	if (rc)
		return fail_lib(c, rc, NULL);

	char pkhex[2 * sizeof seedpk + 1];
	hex(pkhex, seedpk, sizeof seedpk);
	cJSON *o = cJSON_CreateObject();
	if (o && !(cJSON_AddBoolToObject(o, "signed", 1) && json_u64(o, "seq", seq) && json_str(o, "public_key", pkhex))) {
		cJSON_Delete(o);
		o = NULL;
	}
	char text[300];
	snprintf(text, sizeof text, "signed the audit chain at seq %" PRIu64 " (public key %s)", seq, pkhex);
	return out_item(c, K_TEXT, o, text);
}

/* ---- export and import ---- */

int cmd_export(struct ctl *c, const struct args *a)
{
	const char *path = a->val[OPT_OUTPUT];
	ipam_buf buf = IPAM_BUF_INIT;
	int st = ST_OK;

	if (!path && c->batch)
		return fail_usage(c, "export: in batch, write the document to a file with -o FILE");
	int rc = ipam_export(&buf, c->db);
	if (rc)
		return fail_lib(c, rc, NULL);
	if (!path) {
		/* The document itself is the output, JSON or not. */
		if (fwrite(buf.ptr, 1, buf.size, c->out) != buf.size)
			st = fail_as(c, "IO", "export: writing the document failed");
		ipam_buf_dispose(&buf);
		return st;
	}
	size_t size = buf.size;
	st = write_file_atomic(c, path, buf.ptr, buf.size, 0600, false);
	ipam_buf_dispose(&buf);
	if (st)
		return st;
	cJSON *o = cJSON_CreateObject();
	if (o && !(json_str(o, "exported", path) && json_u64(o, "bytes", size))) {
		cJSON_Delete(o);
		o = NULL;
	}
	char text[300];
	snprintf(text, sizeof text, "exported %zu bytes to %.200s", size, path);
	return out_item(c, K_TEXT, o, text);
}

/* The whole of a file (or stdin for "-") in a malloc()ed buffer. */
static int slurp(struct ctl *c, char **out, size_t *len, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int st = ST_OK;

	*out = NULL;
	if (!f)
		return fail_as(c, "IO", "%.200s: %s", path, strerror(errno));
	for (;;) {
		if (cap - n < 65536) {
			size_t ncap = cap ? cap * 2 : 131072;
			char *nb = realloc(buf, ncap + 1);
			if (!nb) {
				st = fail_nomem(c);
				break;
			}
			buf = nb;
			cap = ncap;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			if (ferror(f))
				st = fail_as(c, "IO", "%.200s: cannot read it", path);
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	if (st) {
		free(buf);
		return st;
	}
	if (!buf && !(buf = malloc(1)))
		return fail_nomem(c);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return ST_OK;
}

int cmd_import_json(struct ctl *c, const struct args *a)
{
	const char *path = a->pos[0];
	char *doc;
	size_t len = 0;
	int st;

	if (c->batch && strcmp(path, "-") == 0)
		return fail_usage(c, "import json: in batch, stdin holds the commands; name a file");
	if ((st = slurp(c, &doc, &len, path)))
		return st;
	const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
	int rc = ipam_import_json(c->db, doc, len, name);
	free(doc);
	if (rc)
		return fail_lib(c, rc, NULL);
	char lead[300], text[600];
	snprintf(lead, sizeof lead, "imported %.200s", name);
	cJSON *o = cJSON_CreateObject();
	if (o && !json_str(o, "imported", path)) {
		cJSON_Delete(o);
		o = NULL;
	}
	return out_item(c, K_TEXT, stats_object(c, o, text, sizeof text, lead), text);
}

/* ---- rekey, check ---- */

int cmd_rekey(struct ctl *c, const struct args *a)
{
	const char *file = uri_file(c->uri);
	const char *keyfile = a->val[OPT_NEW_KEY_FILE];
	struct secret pw = { 0 };
	bool found = false;
	int st;

	if (c->atomic) /* the library's own message, "not inside a transaction", reads the other way round */
		return fail_usage(c, "rekey: cannot run inside batch --atomic");
	/* The library would first ask for a key that a store without
	 * encryption cannot use. */
	if (!file)
		return fail_as(c, "PERM", "rekey: %.200s is not an encrypted file; it has no key to change", c->uri_shown);
	if (!keyfile) {
		if ((st = secret_from_env(c, &pw, "IPAM_NEW_KEY", &found)))
			return st;
		if (!found) {
			if (!have_tty())
				return fail_as(c, "AUTH", "rekey: no new key: give --new-key-file FILE, set $IPAM_NEW_KEY, "
				                          "or run on a terminal to be asked");
			char prompt[300];
			snprintf(prompt, sizeof prompt, "New passphrase for %.200s: ", file);
			if ((st = secret_ask(c, &pw, prompt, true, true)))
				return st;
		}
	}
	int rc = ipam_db_rekey(c->db, pw.buf, keyfile);
	secret_wipe(&pw);
	if (rc)
		return fail_lib(c, rc, NULL);
	cJSON *o = cJSON_CreateObject();
	if (o && !(cJSON_AddBoolToObject(o, "rekeyed", 1) && json_str(o, "db", c->uri_shown))) {
		cJSON_Delete(o);
		o = NULL;
	}
	char text[300];
	snprintf(text, sizeof text, "rekeyed %.200s: only the new key opens it now", c->uri_shown);
	return out_item(c, K_TEXT, o, text);
}

int cmd_check(struct ctl *c, const struct args *a)
{
	(void)a;
	if (c->atomic)
		return fail_usage(c, "check: cannot run inside batch --atomic");
	int rc = ipam_db_check(c->db);
	if (rc)
		return fail_lib(c, rc, NULL);
	char lead[300], text[600];
	snprintf(lead, sizeof lead, "%.200s passes the check", c->uri_shown);
	cJSON *o = cJSON_CreateObject();
	if (o && !(json_str(o, "check", "ok") && json_str(o, "db", c->uri_shown))) {
		cJSON_Delete(o);
		o = NULL;
	}
	return out_item(c, K_TEXT, stats_object(c, o, text, sizeof text, lead), text);
}
