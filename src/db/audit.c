/* The audit chain: reading it, verifying it, signing checkpoints of it.
 * The entries are written by ipam__log (txn.c), one per change. */
#include "db/db.h"

#include "io/io.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#define CHECKPOINTS "audit.checkpoints"

static int need_store(ipam_db *db, const char *what)
{
	if (!db->store)
		return ipam__error(IPAM_EPERM, "%s: the handle on \"%s\" has no store and no audit chain", what, db->uri);
	return 0;
}

void ipam_audit_entry_dispose(ipam_audit_entry *e)
{
	if (!e)
		return;
	free(e->actor);
	free(e->action);
	free(e->object);
	free(e->before_json);
	free(e->after_json);
	e->actor = e->action = e->object = e->before_json = e->after_json = NULL;
}

struct ipam_audit_iter {
	ipam_audit_entry *v;
	size_t n, cap, i;
};

static int entry_copy(ipam_audit_entry *d, const ipam_store_audit *s)
{
	memset(d, 0, sizeof *d);
	d->version = IPAM_AUDIT_ENTRY_VERSION;
	d->seq = s->seq;
	d->time = s->time;
	memcpy(d->hash, s->hash, 32);
	memcpy(d->prev, s->prev, 32);
	d->actor = ipam__strdup(s->actor ? s->actor : "");
	d->action = ipam__strdup(s->action ? s->action : "");
	d->object = ipam__strdup(s->object ? s->object : "");
	d->before_json = s->before ? ipam__strdup(s->before) : NULL;
	d->after_json = s->after ? ipam__strdup(s->after) : NULL;
	if (!d->actor || !d->action || !d->object || (s->before && !d->before_json) || (s->after && !d->after_json)) {
		ipam_audit_entry_dispose(d);
		return ipam__enomem();
	}
	return 0;
}

static int iter_cb(void *ctx, const ipam_store_audit *e)
{
	ipam_audit_iter *it = ctx;
	if (it->n == it->cap) {
		size_t c = it->cap ? it->cap * 2 : 64;
		ipam_audit_entry *p = realloc(it->v, c * sizeof *p);
		if (!p)
			return ipam__enomem();
		it->v = p;
		it->cap = c;
	}
	int rc = entry_copy(&it->v[it->n], e);
	if (!rc)
		it->n++;
	return rc;
}

int ipam_audit_iter_new(ipam_audit_iter **out, ipam_db *db, uint64_t from_seq)
{
	if (!out || !db)
		return ipam__error(IPAM_EINVAL, "audit iterator: no database or output");
	*out = NULL;
	int rc = need_store(db, "audit log");
	if (rc)
		return rc;
	ipam_audit_iter *it = calloc(1, sizeof *it);
	if (!it)
		return ipam__enomem();
	ipam__scope sc;
	if ((rc = ipam__enter(db, IPAM__SNAPSHOT, &sc))) {
		free(it);
		return rc;
	}
	ipam_store *st = db->store;
	rc = st->audit_scan(st, from_seq ? from_seq : 1, iter_cb, it);
	rc = ipam__leave(db, &sc, rc);
	if (rc) {
		ipam_audit_iter_free(it);
		return rc;
	}
	*out = it;
	return 0;
}

int ipam_audit_iter_next(ipam_audit_entry *out, ipam_audit_iter *it)
{
	if (!out || !it)
		return ipam__error(IPAM_EINVAL, "audit iterator: no iterator or output");
	int rc = ipam__check_version(out->version, IPAM_AUDIT_ENTRY_VERSION, "ipam_audit_entry");
	if (rc)
		return rc;
	ipam_audit_entry_dispose(out);
	if (it->i >= it->n)
		return IPAM_ITEROVER;
	*out = it->v[it->i];
	memset(&it->v[it->i], 0, sizeof it->v[it->i]);
	it->i++;
	return 0;
}

void ipam_audit_iter_free(ipam_audit_iter *it)
{
	if (!it)
		return;
	for (size_t i = 0; i < it->n; i++)
		ipam_audit_entry_dispose(&it->v[i]);
	free(it->v);
	free(it);
}

/* ---- verification ------------------------------------------------------------ */

typedef struct {
	uint64_t expect;     /* the next seq */
	uint8_t prev[32];    /* the hash the next entry must link to */
	uint64_t first_bad;
	int rc;
	/* checkpoints to meet on the way: (seq, hash) sorted by seq */
	uint64_t *cp_seq;
	uint8_t (*cp_hash)[32];
	size_t ncp, icp;
} verify_ctx;

static int verify_cb(void *ctx, const ipam_store_audit *e)
{
	verify_ctx *v = ctx;
	uint8_t h[32];
	int rc = 0;
	if (e->seq != v->expect) {
		rc = ipam__error(IPAM_ETAMPER,
		                 e->seq > v->expect
		                     ? "audit entry %" PRIu64 ": missing (the chain jumps from %" PRIu64 " to %" PRIu64 "): deleted"
		                     : "audit entry %" PRIu64 ": out of order (found %" PRIu64 " after %" PRIu64 ")",
		                 v->expect, e->seq, v->expect - 1);
	} else if (memcmp(e->prev, v->prev, 32) != 0) {
		rc = ipam__error(IPAM_ETAMPER,
		                 "audit entry %" PRIu64 ": does not link to entry %" PRIu64
		                 " (an entry before it was edited, inserted, deleted or reordered)",
		                 e->seq, e->seq - 1);
	} else if ((rc = ipam__audit_hash(h, e)) == 0 && sodium_memcmp(h, e->hash, 32) != 0) {
		rc = ipam__error(IPAM_ETAMPER, "audit entry %" PRIu64 ": its hash does not match its contents (edited)", e->seq);
	}
	while (!rc && v->icp < v->ncp && v->cp_seq[v->icp] == e->seq) {
		if (sodium_memcmp(v->cp_hash[v->icp], e->hash, 32) != 0)
			rc = ipam__error(IPAM_ETAMPER,
			                 "audit entry %" PRIu64 ": differs from the signed checkpoint (the chain was rewritten)",
			                 e->seq);
		v->icp++;
	}
	if (rc) {
		/* a gap or a move names the entry that should have come next;
		 * an entry out of order names itself */
		v->first_bad = e->seq < v->expect ? e->seq : v->expect;
		return rc;
	}
	v->expect++;
	memcpy(v->prev, e->hash, 32);
	return 0;
}

/* Checkpoints live in the store's meta as lines "seq hash pk sig" (hex). */
static int load_checkpoints(verify_ctx *v, ipam_store *st, const uint8_t *pk)
{
	char *text = NULL;
	int rc = st->meta_get(st, CHECKPOINTS, &text);
	if (rc == IPAM_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	size_t lines = 0;
	for (char *p = text; *p; p++)
		lines += *p == '\n';
	v->cp_seq = calloc(lines + 1, sizeof *v->cp_seq);
	v->cp_hash = calloc(lines + 1, sizeof *v->cp_hash);
	if (!v->cp_seq || !v->cp_hash) {
		free(text);
		return ipam__enomem();
	}
	char *save = NULL;
	size_t n = 0;
	for (char *line = strtok_r(text, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save), n++) {
		uint64_t seq;
		char hh[65], ph[65], sh[129];
		uint8_t hash[32], cpk[32], sig[64], msg[40];
		if (sscanf(line, "%" SCNu64 " %64s %64s %128s", &seq, hh, ph, sh) != 4 || ipam__unhex(hash, 32, hh) ||
		    ipam__unhex(cpk, 32, ph) || ipam__unhex(sig, 64, sh)) {
			rc = ipam__error(IPAM_ETAMPER, "audit checkpoint %zu: malformed", n + 1);
			break;
		}
		if (sodium_memcmp(cpk, pk, 32) != 0) {
			rc = ipam__error(IPAM_ETAMPER, "audit checkpoint at entry %" PRIu64 ": signed by another key", seq);
			break;
		}
		for (int i = 0; i < 8; i++)
			msg[i] = (uint8_t)(seq >> (56 - 8 * i));
		memcpy(msg + 8, hash, 32);
		if (crypto_sign_verify_detached(sig, msg, sizeof msg, pk) != 0) {
			rc = ipam__error(IPAM_ETAMPER, "audit checkpoint at entry %" PRIu64 ": bad signature", seq);
			break;
		}
		size_t j = v->ncp++;
		while (j > 0 && v->cp_seq[j - 1] > seq) { /* keep them sorted by seq */
			v->cp_seq[j] = v->cp_seq[j - 1];
			memcpy(v->cp_hash[j], v->cp_hash[j - 1], 32);
			j--;
		}
		v->cp_seq[j] = seq;
		memcpy(v->cp_hash[j], hash, 32);
	}
	free(text);
	return rc;
}

int ipam_audit_verify(ipam_audit_report *out, ipam_db *db, const uint8_t *public_key)
{
	if (!db)
		return ipam__error(IPAM_EINVAL, "audit verify: no database");
	int rc;
	if (out && (rc = ipam__check_version(out->version, IPAM_AUDIT_REPORT_VERSION, "ipam_audit_report")))
		return rc;
	if ((rc = need_store(db, "audit verify")))
		return rc;
	verify_ctx v;
	memset(&v, 0, sizeof v);
	v.expect = 1;
	ipam__scope sc;
	if ((rc = ipam__enter(db, IPAM__SNAPSHOT, &sc)))
		return rc;
	ipam_store *st = db->store;
	{
		if (public_key)
			rc = load_checkpoints(&v, st, public_key);
		if (!rc)
			rc = st->audit_scan(st, 1, verify_cb, &v);
		/* A verifier with the public key expects a signed chain: none left
		 * means none was made or somebody removed them with the chain. */
		if (!rc && public_key && v.ncp == 0) {
			v.first_bad = 1;
			rc = ipam__error(IPAM_ETAMPER, "audit chain: no checkpoint signed by this key is in the store "
			                               "(none was signed, or they were removed)");
		}
		if (!rc && v.icp < v.ncp) {
			v.first_bad = v.expect;
			rc = ipam__error(IPAM_ETAMPER,
			                 "audit chain ends at entry %" PRIu64 " before the signed checkpoint at entry %" PRIu64
			                 " (entries deleted)",
			                 v.expect - 1, v.cp_seq[v.icp]);
		}
	}
	rc = ipam__leave(db, &sc, rc);
	if (out) {
		out->entries = v.expect - 1;
		out->head_seq = v.expect - 1;
		memcpy(out->head_hash, v.prev, 32);
		out->checkpoints = v.icp;
		out->first_bad = rc == IPAM_ETAMPER ? (v.first_bad ? v.first_bad : v.expect) : 0;
	}
	free(v.cp_seq);
	free(v.cp_hash);
	return rc;
}

int ipam_audit_sign(uint64_t *seq_out, ipam_db *db, const uint8_t secret_key[64])
{
	if (!db || !secret_key)
		return ipam__error(IPAM_EINVAL, "audit sign: no database or key");
	int rc = need_store(db, "audit sign");
	if (rc)
		return rc;
	ipam__db_lock(db);
	int intxn = db->txn != 0;
	ipam__db_unlock(db);
	if (intxn)
		return ipam__error(IPAM_EINVAL, "audit sign: a transaction is open on this handle; sign a committed head");
	ipam__scope sc;
	if ((rc = ipam__enter(db, 1, &sc)))
		return rc;
	ipam_store *st = db->store;
	uint64_t seq;
	uint8_t hash[32], msg[40], sig[64], pk[32];
	char *old = NULL;
	rc = st->audit_head(st, &seq, hash);
	if (!rc && seq == 0)
		rc = ipam__error(IPAM_ENOTFOUND, "audit sign: the chain is empty");
	if (!rc) {
		for (int i = 0; i < 8; i++)
			msg[i] = (uint8_t)(seq >> (56 - 8 * i));
		memcpy(msg + 8, hash, 32);
		crypto_sign_detached(sig, NULL, msg, sizeof msg, secret_key);
		crypto_sign_ed25519_sk_to_pk(pk, secret_key);
		int g = st->meta_get(st, CHECKPOINTS, &old);
		rc = g == IPAM_ENOTFOUND ? 0 : g;
	}
	if (!rc) {
		char hh[65], ph[65], sh[129];
		ipam__hex(hh, hash, 32);
		ipam__hex(ph, pk, 32);
		ipam__hex(sh, sig, 64);
		ipam_buf b = IPAM_BUF_INIT;
		rc = ipam__buf_printf(&b, "%s%" PRIu64 " %s %s %s\n", old ? old : "", seq, hh, ph, sh);
		if (!rc)
			rc = st->meta_put(st, CHECKPOINTS, b.ptr);
		ipam_buf_dispose(&b);
	}
	free(old);
	rc = ipam__leave(db, &sc, rc);
	if (!rc && seq_out)
		*seq_out = seq;
	return rc;
}
