/* RFC 2136 dynamic update with TSIG: the diff since the last successful push,
 * cut into messages of whole owner names, each guarded by prerequisites that
 * make a concurrent outside change fail the message instead of being
 * overwritten. See dns.h for the rules. Messages travel over TCP through
 * axfr.c's transport, which polls the calling thread's cancellation token
 * (src/cancel.h) while it waits, and the token is checked between
 * messages: a canceled push stops with IPAM_ECANCELED and marks as pushed
 * only the messages the server accepted, as for any other failure. */
#include "dns/dns.h"

#include "cancel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#define MAX_WIRE 60000u /* per message, well under TCP's 65535 */

static const struct {
	const char *name, *ldns;
} tsig_algs[] = {
	{ "hmac-sha256", "hmac-sha256." },
	{ "hmac-sha1", "hmac-sha1." },
	{ "hmac-sha512", "hmac-sha512." },
	{ "hmac-md5", "hmac-md5.sig-alg.reg.int." },
};

const char *ipam__dns_tsig_algorithm(const char *name)
{
	if (!name)
		name = "hmac-sha256";
	size_t n = strlen(name);
	if (n && name[n - 1] == '.')
		n--;
	for (size_t i = 0; i < sizeof tsig_algs / sizeof tsig_algs[0]; i++)
		if ((strlen(tsig_algs[i].name) == n && strncasecmp(name, tsig_algs[i].name, n) == 0) ||
		    (strlen(tsig_algs[i].ldns) == n + 1 && strncasecmp(name, tsig_algs[i].ldns, n) == 0))
			return tsig_algs[i].ldns;
	return NULL;
}

/* "bind1 (127.0.0.1#5300)" */
static void server_label(char *out, size_t size, const ipam__dns_server *srv)
{
	unsigned port = srv->port ? srv->port : 53;
	if (srv->name)
		snprintf(out, size, "%s (%s#%u)", srv->name, srv->address ? srv->address : "?", port);
	else
		snprintf(out, size, "%s#%u", srv->address ? srv->address : "?", port);
}

int ipam__dns_resolver(ldns_resolver **out, const ipam__dns_server *srv, const char *what)
{
	*out = NULL;
	if (!srv || !srv->address)
		return ipam__error(IPAM_EINVAL, "%s: no server address", what);
	ldns_rdf *addr = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, srv->address);
	if (!addr)
		addr = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_AAAA, srv->address);
	if (!addr)
		return ipam__error(IPAM_EINVAL, "%s: \"%s\" is not an IPv4 or IPv6 address", what, srv->address);
	const char *alg = NULL;
	if (srv->tsig.name) {
		alg = ipam__dns_tsig_algorithm(srv->tsig.algorithm);
		if (!alg) {
			ldns_rdf_deep_free(addr);
			return ipam__error(IPAM_EINVAL, "%s: TSIG algorithm \"%s\" is not one of hmac-sha256, hmac-sha1, "
					   "hmac-sha512, hmac-md5 (ldns 1.8 signs neither hmac-sha224 nor hmac-sha384)", what, srv->tsig.algorithm);
		}
		if (!srv->tsig.secret || !*srv->tsig.secret) {
			ldns_rdf_deep_free(addr);
			return ipam__error(IPAM_EINVAL, "%s: TSIG key %s has no secret", what, srv->tsig.name);
		}
		/* the secret must be base64; say so without showing it */
		ldns_rdf *raw = NULL;
		ldns_status bs = ldns_str2rdf_b64(&raw, srv->tsig.secret);
		bool good = bs == LDNS_STATUS_OK && raw && ldns_rdf_size(raw) > 0;
		if (raw)
			explicit_bzero(ldns_rdf_data(raw), ldns_rdf_size(raw));
		ldns_rdf_deep_free(raw);
		if (!good) {
			ldns_rdf_deep_free(addr);
			return ipam__error(IPAM_EINVAL, "%s: the secret of TSIG key %s is not base64", what, srv->tsig.name);
		}
	}
	ldns_resolver *res = ldns_resolver_new();
	if (!res) {
		ldns_rdf_deep_free(addr);
		return ipam__enomem();
	}
	ldns_status st = ldns_resolver_push_nameserver(res, addr);
	ldns_rdf_deep_free(addr);
	if (st != LDNS_STATUS_OK) {
		ldns_resolver_deep_free(res);
		return ipam__enomem();
	}
	unsigned ms = srv->timeout_ms ? srv->timeout_ms : 5000;
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };
	ldns_resolver_set_port(res, srv->port ? srv->port : 53);
	ldns_resolver_set_recursive(res, false);
	ldns_resolver_set_usevc(res, true);
	ldns_resolver_set_timeout(res, tv);
	ldns_resolver_set_retry(res, 1);
	ldns_resolver_set_retrans(res, 1);
	ldns_resolver_set_random(res, false);
	if (srv->tsig.name) {
		ldns_resolver_set_tsig_keyname(res, srv->tsig.name);
		ldns_resolver_set_tsig_algorithm(res, alg);
		ldns_resolver_set_tsig_keydata(res, srv->tsig.secret);
	}
	*out = res;
	return 0;
}

/* ---- building messages ------------------------------------------------------------- */

static ldns_rr *rr_bare(const ldns_rdf *owner, ldns_rr_type type, ldns_rr_class cls)
{
	ldns_rr *rr = ldns_rr_new();
	ldns_rdf *o = ldns_rdf_clone(owner);
	if (!rr || !o) {
		ldns_rr_free(rr);
		ldns_rdf_deep_free(o);
		return NULL;
	}
	ldns_rr_set_owner(rr, o);
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, cls);
	ldns_rr_set_ttl(rr, 0);
	return rr;
}

static ldns_rr *rr_as(const ldns_rr *src, ldns_rr_class cls, uint32_t ttl)
{
	ldns_rr *rr = ldns_rr_clone(src);
	if (rr) {
		ldns_rr_set_class(rr, cls);
		ldns_rr_set_ttl(rr, ttl);
	}
	return rr;
}

static int push(ldns_rr_list *l, ldns_rr *rr)
{
	if (!rr || !ldns_rr_list_push_rr(l, rr)) {
		ldns_rr_free(rr);
		return ipam__enomem();
	}
	return 0;
}

/* The prerequisites and updates of one change. `fresh_name`: the owner had
 * nothing in `last`, and every one of its changes is in this message. */
static int change_rrs(ldns_rr_list *pre, ldns_rr_list *up, const ipam__dns_change *c, bool fresh_name,
		      bool *name_guarded, const ldns_rdf *origin)
{
	const ldns_rdf *owner = ipam__dns_change_owner(c);
	ldns_rr_type t = ipam__dns_change_type(c);
	size_t nb = ldns_rr_list_rr_count(c->before), na = ldns_rr_list_rr_count(c->after);
	int rc = 0;
	if (nb) {
		/* value-dependent "RRset exists": exactly the old RRs */
		for (size_t i = 0; !rc && i < nb; i++)
			rc = push(pre, rr_as(ldns_rr_list_rr(c->before, i), LDNS_RR_CLASS_IN, 0));
	} else if (fresh_name && !*name_guarded) {
		rc = push(pre, rr_bare(owner, LDNS_RR_TYPE_ANY, LDNS_RR_CLASS_NONE)); /* name not in use */
		*name_guarded = true;
	} else if (!fresh_name) {
		rc = push(pre, rr_bare(owner, t, LDNS_RR_CLASS_NONE)); /* RRset does not exist */
	}
	if (rc)
		return rc;
	bool ttl_changed = nb && na && ldns_rr_ttl(ldns_rr_list_rr(c->before, 0)) != ldns_rr_ttl(ldns_rr_list_rr(c->after, 0));
	bool apex_ns = t == LDNS_RR_TYPE_NS && ldns_dname_compare(owner, origin) == 0;
	if (ttl_changed && !apex_ns) {
		rc = push(up, rr_bare(owner, t, LDNS_RR_CLASS_ANY));
		for (size_t i = 0; !rc && i < na; i++)
			rc = push(up, rr_as(ldns_rr_list_rr(c->after, i), LDNS_RR_CLASS_IN, ldns_rr_ttl(ldns_rr_list_rr(c->after, i))));
		return rc;
	}
	/* deletes first (an A giving way to a CNAME must be gone before the
	 * CNAME comes), then adds */
	for (size_t i = 0; !rc && i < nb; i++) {
		const ldns_rr *o = ldns_rr_list_rr(c->before, i);
		bool stays = false;
		for (size_t j = 0; !stays && j < na; j++)
			stays = ldns_rr_compare(o, ldns_rr_list_rr(c->after, j)) == 0;
		if (!stays || ttl_changed)
			rc = push(up, rr_as(o, LDNS_RR_CLASS_NONE, 0));
	}
	for (size_t j = 0; !rc && j < na; j++) {
		const ldns_rr *n = ldns_rr_list_rr(c->after, j);
		bool was = false;
		for (size_t i = 0; !was && i < nb; i++)
			was = ldns_rr_compare(ldns_rr_list_rr(c->before, i), n) == 0;
		if (!was || ttl_changed)
			rc = push(up, rr_as(n, LDNS_RR_CLASS_IN, ldns_rr_ttl(n)));
	}
	return rc;
}

static size_t list_wire(const ldns_rr_list *l)
{
	size_t s = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		s += ldns_rr_uncompressed_size(ldns_rr_list_rr(l, i));
	return s;
}

/* One planned message: changes [first, first + count), its RRs. */
typedef struct msg {
	size_t first, count;
	ldns_rr_list *pre, *up;
} msg;

static void msgs_free(msg *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ldns_rr_list_deep_free(m[i].pre);
		ldns_rr_list_deep_free(m[i].up);
	}
	free(m);
}

/* Names that gain an address go first: BIND refuses an MX, NS or SRV whose
 * in-zone target has no A/AAAA yet, and a split push may otherwise send the
 * MX before the address it points at. Stable, whole owner groups. */
static int addresses_first(ipam__dns_diff *d)
{
	if (d->n == 0)
		return 0;
	ipam__dns_change *tmp = malloc((d->n ? d->n : 1) * sizeof *tmp);
	bool *first = calloc(d->n ? d->n : 1, sizeof *first);
	if (!tmp || !first) {
		free(tmp);
		free(first);
		return ipam__enomem();
	}
	for (size_t i = 0; i < d->n;) {
		size_t j = i + 1;
		while (j < d->n && ldns_dname_compare(ipam__dns_change_owner(&d->c[j]), ipam__dns_change_owner(&d->c[i])) == 0)
			j++;
		bool addr = false;
		for (size_t k = i; k < j; k++) {
			ldns_rr_type t = ipam__dns_change_type(&d->c[k]);
			addr = addr || ((t == LDNS_RR_TYPE_A || t == LDNS_RR_TYPE_AAAA) && ldns_rr_list_rr_count(d->c[k].after));
		}
		for (size_t k = i; k < j; k++)
			first[k] = addr;
		i = j;
	}
	size_t m = 0;
	for (int pass = 1; pass >= 0; pass--)
		for (size_t i = 0; i < d->n; i++)
			if (first[i] == (bool)pass)
				tmp[m++] = d->c[i];
	memcpy(d->c, tmp, d->n * sizeof *tmp);
	free(tmp);
	free(first);
	return 0;
}

/* Cut the diff into messages of whole owner names. */
static int plan(msg **out, size_t *nout, const ipam__dns_diff *d, ipam__dns_zone *last, const ldns_rdf *origin,
		size_t max_rrs)
{
	msg *m = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	*out = NULL;
	*nout = 0;
	ldns_rr_list *gpre = NULL, *gup = NULL;
	for (size_t i = 0; !rc && i < d->n;) {
		/* one owner: changes [i, j) */
		const ldns_rdf *owner = ipam__dns_change_owner(&d->c[i]);
		size_t j = i + 1;
		while (j < d->n && ldns_dname_compare(ipam__dns_change_owner(&d->c[j]), owner) == 0)
			j++;
		/* the apex always exists (its SOA is the server's): never "not in use" */
		bool fresh = ldns_dname_compare(owner, origin) != 0 && (!last || !ipam__dns_zone_has_name(last, owner));
		bool guarded = false;
		gpre = ldns_rr_list_new();
		gup = ldns_rr_list_new();
		if (!gpre || !gup) {
			rc = ipam__enomem();
			break;
		}
		for (size_t k = i; !rc && k < j; k++)
			rc = change_rrs(gpre, gup, &d->c[k], fresh, &guarded, origin);
		if (rc)
			break;
		size_t grrs = ldns_rr_list_rr_count(gpre) + ldns_rr_list_rr_count(gup);
		size_t gwire = list_wire(gpre) + list_wire(gup);
		if (gwire > MAX_WIRE) {
			rc = ipam__error(IPAM_EINVAL, "%s: the changes at this name need %zu bytes, more than one update "
					 "message holds", ipam__dns_rr_label(ldns_rr_list_rr(gup, 0)), gwire);
			break;
		}
		msg *cur = n ? &m[n - 1] : NULL;
		if (!cur || ldns_rr_list_rr_count(cur->pre) + ldns_rr_list_rr_count(cur->up) + grrs > max_rrs ||
		    list_wire(cur->pre) + list_wire(cur->up) + gwire > MAX_WIRE) {
			if (n == cap) {
				size_t nc = cap ? 2 * cap : 8;
				msg *nm = realloc(m, nc * sizeof *nm);
				if (!nm) {
					rc = ipam__enomem();
					break;
				}
				m = nm;
				cap = nc;
			}
			cur = &m[n++];
			cur->first = i;
			cur->count = 0;
			cur->pre = ldns_rr_list_new();
			cur->up = ldns_rr_list_new();
			if (!cur->pre || !cur->up) {
				rc = ipam__enomem();
				break;
			}
		}
		/* move the group's RRs into the message */
		if (!ldns_rr_list_push_rr_list(cur->pre, gpre) || !ldns_rr_list_push_rr_list(cur->up, gup)) {
			rc = ipam__enomem();
			break;
		}
		ldns_rr_list_free(gpre); /* the RRs now belong to the message */
		ldns_rr_list_free(gup);
		gpre = gup = NULL;
		cur->count += j - i;
		i = j;
	}
	ldns_rr_list_deep_free(gpre);
	ldns_rr_list_deep_free(gup);
	if (rc) {
		msgs_free(m, n);
		return rc;
	}
	*out = m;
	*nout = n;
	return 0;
}

/* ---- the text of a change (nsupdate syntax) ------------------------------------------ */

/* "owner ttl IN TYPE rdata" pieces of an RR from the renderer's line. */
static int rr_fields(ipam_buf *tmp, const ldns_rr *rr, char **f)
{
	tmp->size = 0;
	int rc = ipam__dns_rr_put(tmp, rr, NULL);
	if (rc)
		return rc;
	char *p = tmp->ptr;
	for (int i = 0; i < 4; i++) {
		f[i] = p;
		p = strchr(p, '\t');
		if (!p)
			return ipam__error(IPAM_EINVAL, "internal: record text");
		*p++ = '\0';
	}
	f[4] = p;
	size_t n = strlen(p);
	if (n && p[n - 1] == '\n')
		p[n - 1] = '\0';
	return 0;
}

static int msg_text(ipam_buf *out, const msg *m, size_t no, size_t total, const ipam__dns_server *srv,
		    const char *zone)
{
	ipam_buf tmp = IPAM_BUF_INIT;
	char *f[5];
	char tname[16];
	int rc = ipam__buf_printf(out, "; message %zu of %zu: %zu RRset change(s)\nserver %s %u\nzone %s\n", no, total,
				  m->count, srv->address ? srv->address : "?", srv->port ? srv->port : 53, zone);
	if (!rc && srv->tsig.name)
		rc = ipam__buf_printf(out, "; key %s:%s (secret not shown)\n",
				      srv->tsig.algorithm ? srv->tsig.algorithm : "hmac-sha256", srv->tsig.name);
	for (size_t i = 0; !rc && i < ldns_rr_list_rr_count(m->pre); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(m->pre, i);
		ipam_buf nb = IPAM_BUF_INIT;
		rc = ipam__dns_name_put(&nb, ldns_rr_owner(rr));
		if (rc)
			break;
		if (ldns_rr_get_class(rr) == LDNS_RR_CLASS_NONE && ldns_rr_get_type(rr) == LDNS_RR_TYPE_ANY)
			rc = ipam__buf_printf(out, "prereq nxdomain %s\n", nb.ptr);
		else if (ldns_rr_get_class(rr) == LDNS_RR_CLASS_NONE)
			rc = ipam__buf_printf(out, "prereq nxrrset %s IN %s\n", nb.ptr, ipam__dns_type_name(ldns_rr_get_type(rr), tname));
		else if (!(rc = rr_fields(&tmp, rr, f)))
			rc = ipam__buf_printf(out, "prereq yxrrset %s IN %s %s\n", f[0], f[3], f[4]);
		ipam_buf_dispose(&nb);
	}
	for (size_t i = 0; !rc && i < ldns_rr_list_rr_count(m->up); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(m->up, i);
		if (ldns_rr_get_class(rr) == LDNS_RR_CLASS_ANY) {
			ipam_buf nb = IPAM_BUF_INIT;
			if (!(rc = ipam__dns_name_put(&nb, ldns_rr_owner(rr))))
				rc = ipam__buf_printf(out, "update delete %s IN %s\n", nb.ptr,
						      ipam__dns_type_name(ldns_rr_get_type(rr), tname));
			ipam_buf_dispose(&nb);
		} else if (!(rc = rr_fields(&tmp, rr, f))) {
			if (ldns_rr_get_class(rr) == LDNS_RR_CLASS_NONE)
				rc = ipam__buf_printf(out, "update delete %s IN %s %s\n", f[0], f[3], f[4]);
			else
				rc = ipam__buf_printf(out, "update add %s %s IN %s %s\n", f[0], f[1], f[3], f[4]);
		}
	}
	if (!rc)
		rc = ipam__buf_put(out, "send\n", 5);
	ipam_buf_dispose(&tmp);
	return rc;
}

/* ---- answers ------------------------------------------------------------------------------ */

static int rcode_error(ldns_pkt_rcode rc, const char *what)
{
	switch ((int)rc) {
	case LDNS_RCODE_NOERROR:
		return 0;
	case LDNS_RCODE_YXRRSET:
		return ipam__error(IPAM_ECONFLICT, "%s: YXRRSET: an RRset that should not exist exists (changed from "
				   "outside since the last push); nothing of this message was applied", what);
	case LDNS_RCODE_NXRRSET:
		return ipam__error(IPAM_ECONFLICT, "%s: NXRRSET: an RRset is not as last pushed (changed from outside "
				   "since the last push); nothing of this message was applied", what);
	case LDNS_RCODE_YXDOMAIN:
		return ipam__error(IPAM_ECONFLICT, "%s: YXDOMAIN: a name that should be unused is in use (changed from "
				   "outside since the last push); nothing of this message was applied", what);
	case LDNS_RCODE_NXDOMAIN:
		return ipam__error(IPAM_ECONFLICT, "%s: NXDOMAIN: a name that should exist does not; nothing of this "
				   "message was applied", what);
	case LDNS_RCODE_REFUSED:
		return ipam__error(IPAM_EPERM, "%s: REFUSED: the server does not allow this update (allow-update / "
				   "key permissions)", what);
	case LDNS_RCODE_NOTAUTH:
		return ipam__error(IPAM_EPERM, "%s: NOTAUTH: the server is not authoritative for the zone or did not "
				   "accept the key", what);
	case LDNS_RCODE_NOTZONE:
		return ipam__error(IPAM_EINVAL, "%s: NOTZONE: a record lies outside the zone", what);
	default: {
		const ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, (int)rc);
		return ipam__error(IPAM_EBACKEND, "%s: the server answered %s", what, lt ? lt->name : "an unknown rcode");
	}
	}
}

static int answer_check(const ldns_pkt *ans, uint16_t id, const char *what)
{
	if (ldns_pkt_id(ans) != id)
		return ipam__error(IPAM_EBACKEND, "%s: the answer's id %u is not the request's %u", what, ldns_pkt_id(ans), id);
	if (!ldns_pkt_qr(ans) || ldns_pkt_get_opcode(ans) != LDNS_PACKET_UPDATE)
		return ipam__error(IPAM_EBACKEND, "%s: the answer is not an UPDATE response", what);
	return rcode_error(ldns_pkt_get_rcode(ans), what);
}

int ipam__dns_update_answer(const uint8_t *wire, size_t len, uint16_t id, const char *what)
{
	ldns_pkt *ans = NULL;
	ldns_status st = ldns_wire2pkt(&ans, wire, len);
	if (st != LDNS_STATUS_OK) {
		ldns_pkt_free(ans);
		return ipam__error(IPAM_EBACKEND, "%s: the answer does not parse: %s", what, ldns_get_errorstr_by_id(st));
	}
	int rc = answer_check(ans, id, what);
	ldns_pkt_free(ans);
	return rc;
}

/* ---- push -------------------------------------------------------------------------------- */

void ipam__dns_push_result_dispose(ipam__dns_push_result *r)
{
	if (!r)
		return;
	ipam_buf_dispose(&r->text);
	ipam__dns_zone_free(r->state);
	r->state = NULL;
}

int ipam__dns_push_state(ipam__dns_zone **out, ipam__dns_zone *last, ipam__dns_zone *cur, const ipam__dns_diff *d,
			 size_t changes_applied)
{
	*out = NULL;
	if (changes_applied == d->n)
		return ipam__dns_zone_clone(out, cur);
	int rc;
	if (last) {
		rc = ipam__dns_zone_clone(out, last);
	} else {
		ipam_buf b = IPAM_BUF_INIT;
		rc = ipam__dns_name_put(&b, cur->origin);
		if (!rc)
			rc = ipam__dns_zone_new(out, b.ptr);
		ipam_buf_dispose(&b);
		if (!rc && cur->mname) {
			(*out)->mname = ldns_rdf_clone(cur->mname);
			(*out)->rname = ldns_rdf_clone(cur->rname);
			if (!(*out)->mname || !(*out)->rname)
				rc = ipam__enomem();
		}
	}
	if (!rc && changes_applied)
		rc = ipam__dns_diff_apply(*out, d, 0, changes_applied);
	if (rc) {
		ipam__dns_zone_free(*out);
		*out = NULL;
	}
	return rc;
}

/* Sign `pkt` with the server's key, if any, send it over TCP (axfr.c's
 * transport, which polls the cancellation token while it waits) and read
 * the answer into *ans. With a key, the answer's TSIG is verified against
 * the request's MAC; *bogus is set (and *ans kept, for its rcode) when it is
 * missing or does not verify. 0, or an error: IPAM_EIO (unreachable, no
 * answer in time), IPAM_ECANCELED, IPAM_EBACKEND (an answer that does not
 * parse), IPAM_EINVAL (cannot sign). */
static int exchange(ldns_pkt **ans, bool *bogus, const ipam__dns_server *srv, ldns_pkt *pkt, const char *what)
{
	*ans = NULL;
	*bogus = false;
	if (srv->tsig.name) {
		ldns_status st = ldns_pkt_tsig_sign(pkt, srv->tsig.name, srv->tsig.secret, 300,
						    ipam__dns_tsig_algorithm(srv->tsig.algorithm), NULL);
		if (st != LDNS_STATUS_OK)
			return ipam__error(IPAM_EINVAL, "%s: cannot sign with TSIG key %s: %s", what, srv->tsig.name,
					   ldns_get_errorstr_by_id(st));
	}
	uint8_t *wire = NULL, *buf = NULL;
	size_t wlen = 0, n = 0;
	if (ldns_pkt2wire(&wire, pkt, &wlen) != LDNS_STATUS_OK || !(buf = malloc(65535))) {
		free(wire);
		return ipam__enomem();
	}
	unsigned ms = srv->timeout_ms ? srv->timeout_ms : 5000;
	int64_t deadline = ipam__mono_ns() / 1000000 + ms;
	int rc = 0, fd = ipam__dns_tcp_connect(srv, deadline, what);
	if (fd < 0) {
		rc = fd;
	} else {
		int e = ipam__dns_tcp_write(fd, wire, wlen, deadline);
		if (!e)
			e = ipam__dns_tcp_read(fd, buf, &n, deadline);
		close(fd);
		if (e == -ECANCELED)
			rc = ipam__error(IPAM_ECANCELED, "%s: canceled while waiting for the answer", what);
		else if (e)
			rc = ipam__error(IPAM_EIO, "%s: the server is unreachable or did not answer within %u ms: %s", what,
					 ms, e == -ETIMEDOUT ? "timed out" : strerror(-e));
	}
	ldns_status st = rc ? LDNS_STATUS_OK : ldns_wire2pkt(ans, buf, n);
	if (st != LDNS_STATUS_OK) {
		ldns_pkt_free(*ans);
		*ans = NULL;
		rc = ipam__error(IPAM_EBACKEND, "%s: the answer does not parse: %s", what, ldns_get_errorstr_by_id(st));
	}
	const ldns_rr *tsig = !rc && srv->tsig.name ? ldns_pkt_tsig(pkt) : NULL;
	if (tsig) {
		const ldns_rr *at = ldns_pkt_tsig(*ans);
		*bogus = !at || !ipam__dns_tsig_alg_is(at, srv->tsig.algorithm) ||
			 !ldns_pkt_tsig_verify(*ans, buf, n, srv->tsig.name, srv->tsig.secret, ldns_rr_rdf(tsig, 3));
	}
	free(wire);
	free(buf);
	return rc;
}

/* Send one update message (prerequisites `pre`, updates `up`) and check
 * its answer; res->rcode gets the answer's rcode. */
static int send_update(const ipam__dns_server *srv, const ldns_rdf *origin, ldns_rr_list *pre,
		       ldns_rr_list *up, const char *what, ipam__dns_push_result *res)
{
	ldns_rdf *zr = ldns_rdf_clone(origin);
	ldns_pkt *pkt = zr ? ldns_update_pkt_new(zr, LDNS_RR_CLASS_IN, pre, up, NULL) : NULL;
	if (!pkt) {
		ldns_rdf_deep_free(zr);
		return ipam__enomem();
	}
	ldns_pkt_set_random_id(pkt);
	uint16_t id = ldns_pkt_id(pkt);
	ldns_pkt *ans = NULL;
	bool bogus;
	int rc = exchange(&ans, &bogus, srv, pkt, what);
	ldns_pkt_free(pkt); /* it holds copies of the lists */
	if (rc) {
		/* unreachable, silent, canceled: nothing known of this message */
	} else if (bogus) {
		int tr = ans ? (int)ldns_pkt_get_rcode(ans) : -1;
		rc = ipam__error(IPAM_EAUTH, "%s: TSIG key %s (%s) was not accepted: the answer%s does not verify "
				 "(wrong key name, secret or algorithm)", what, srv->tsig.name,
				 srv->tsig.algorithm ? srv->tsig.algorithm : "hmac-sha256",
				 tr == LDNS_RCODE_NOTAUTH ? " (NOTAUTH)" : "");
		res->rcode = tr;
	} else {
		res->rcode = (int)ldns_pkt_get_rcode(ans);
		/* exchange verified the answer's TSIG against the request's MAC
		 * (a wrong key never gets here: it is bogus above) */
		if (srv->tsig.name && !ldns_pkt_tsig(ans))
			rc = ipam__error(IPAM_EAUTH, "%s: the answer carries no TSIG", what);
		else
			rc = answer_check(ans, id, what);
	}
	ldns_pkt_free(ans);
	return rc;
}

/* The SOA's new fields as one more message: its text (serial: ours), and,
 * when sent, the serial one past the server's (or ours when that is
 * later), so that the server takes it (RFC 2136 3.4.2.2). */
static int soa_text(ipam_buf *out, const ipam__dns_zone *cur, size_t total, const ipam__dns_server *srv,
		    const char *zone)
{
	ldns_rr *rr = NULL;
	ipam_buf tmp = IPAM_BUF_INIT;
	char *f[5];
	int rc = ipam__dns_soa_rr(&rr, cur, cur->serial);
	if (!rc)
		rc = ipam__buf_printf(out, "; message %zu of %zu: the SOA's names and timers\nserver %s %u\nzone %s\n", total,
				      total, srv->address ? srv->address : "?", srv->port ? srv->port : 53, zone);
	if (!rc && srv->tsig.name)
		rc = ipam__buf_printf(out, "; key %s:%s (secret not shown)\n",
				      srv->tsig.algorithm ? srv->tsig.algorithm : "hmac-sha256", srv->tsig.name);
	if (!rc && !(rc = rr_fields(&tmp, rr, f)))
		rc = ipam__buf_printf(out, "update add %s %s IN %s %s\nsend\n", f[0], f[1], f[3], f[4]);
	ipam_buf_dispose(&tmp);
	ldns_rr_free(rr);
	return rc;
}

static int soa_send(const ipam__dns_server *srv, const ipam__dns_zone *cur, const char *what,
		    ipam__dns_push_result *res)
{
	ldns_pkt *q = NULL;
	ldns_rdf *qn = ldns_rdf_clone(cur->origin);
	ldns_pkt *ask = qn ? ldns_pkt_query_new(qn, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0) : NULL;
	bool bogus = false;
	int rc = 0;
	if (!ask) {
		ldns_rdf_deep_free(qn);
		return ipam__enomem();
	}
	ldns_pkt_set_random_id(ask);
	rc = exchange(&q, &bogus, srv, ask, what);
	ldns_pkt_free(ask);
	ldns_rr_list *soas = q && !bogus ? ldns_pkt_rr_list_by_type(q, LDNS_RR_TYPE_SOA, LDNS_SECTION_ANSWER) : NULL;
	const ldns_rr *have = soas && ldns_rr_list_rr_count(soas) ? ldns_rr_list_rr(soas, 0) : NULL;
	uint32_t serial = cur->serial;
	if (rc)
		; /* unreachable, silent, canceled */
	else if (!have || ldns_rr_rd_count(have) != 7)
		rc = ipam__error(bogus ? IPAM_EAUTH : IPAM_EIO, "%s: reading the server's SOA failed: %s", what,
				 bogus ? "the answer's TSIG does not verify" : "no SOA in the answer");
	else if (ipam__dns_serial_cmp(serial, ldns_rdf2native_int32(ldns_rr_rdf(have, 2))) != 1)
		serial = ldns_rdf2native_int32(ldns_rr_rdf(have, 2)) + 1u;
	ldns_rr_list_deep_free(soas);
	ldns_pkt_free(q);
	ldns_rr *rr = NULL;
	ldns_rr_list *up = NULL;
	if (!rc && !(rc = ipam__dns_soa_rr(&rr, cur, serial))) {
		if (!(up = ldns_rr_list_new()) || !ldns_rr_list_push_rr(up, rr)) {
			ldns_rr_free(rr);
			rc = ipam__enomem();
		}
	}
	ldns_rr_list *pre = rc ? NULL : ldns_rr_list_new();
	if (!rc && !pre)
		rc = ipam__enomem();
	if (!rc)
		rc = send_update(srv, cur->origin, pre, up, what, res);
	ldns_rr_list_deep_free(pre);
	ldns_rr_list_deep_free(up);
	return rc;
}

int ipam__dns_push(ipam__dns_push_result *res, const ipam__dns_server *srv, ipam__dns_zone *last,
		   ipam__dns_zone *cur, const ipam__dns_push_options *opts)
{
	memset(res, 0, sizeof *res);
	res->rcode = -1;
	char sl[300], zone[1030], what[1600];
	server_label(sl, sizeof sl, srv);
	ipam_buf zb = IPAM_BUF_INIT;
	int rc = ipam__dns_name_put(&zb, cur->origin);
	snprintf(zone, sizeof zone, "%s", zb.ptr ? zb.ptr : "?");
	ipam_buf_dispose(&zb);
	if (rc)
		return rc;
	if (last && ldns_dname_compare(last->origin, cur->origin) != 0)
		return ipam__error(IPAM_EINVAL, "push to %s zone %s: the last pushed content is of another zone", sl, zone);
	if ((rc = ipam__dns_zone_check(cur)))
		return rc;
	size_t max_rrs = opts && opts->max_rrs ? opts->max_rrs : 1000;
	bool dry = opts && opts->dry_run;

	ipam__dns_diff d;
	msg *m = NULL;
	size_t nm = 0, rrsets_applied = 0;
	ldns_resolver *r = NULL;
	/* the SOA's names and timers travel last, in a message of their own
	 * (only when what the server last took from us is known) */
	bool soa = last && ipam__dns_soa_differs(last, cur), soa_sent = false;
	if ((rc = ipam__dns_diff_make(&d, last, cur)))
		return rc;
	res->changes = d.n + soa;
	if ((rc = addresses_first(&d)) || (rc = plan(&m, &nm, &d, last, cur->origin, max_rrs)))
		goto out;
	res->messages = nm + soa;
	for (size_t i = 0; !rc && i < nm; i++)
		rc = msg_text(&res->text, &m[i], i + 1, res->messages, srv, zone);
	if (!rc && soa)
		rc = soa_text(&res->text, cur, res->messages, srv, zone);
	if (rc || dry || res->messages == 0)
		goto out;
	snprintf(what, sizeof what, "push to %s zone %s", sl, zone);
	if ((rc = ipam__dns_resolver(&r, srv, what)))
		goto out;
	for (size_t i = 0; i < nm; i++) {
		const ipam__dns_change *fc = &d.c[m[i].first];
		const ldns_rr_list *fl = ldns_rr_list_rr_count(fc->before) ? fc->before : fc->after;
		snprintf(what, sizeof what, "push to %s zone %s, message %zu of %zu (from %s)", sl, zone, i + 1,
			 res->messages, ipam__dns_rr_label(ldns_rr_list_rr(fl, 0)));
		if ((rc = ipam__cancel_check(what)) || (rc = send_update(srv, cur->origin, m[i].pre, m[i].up, what, res)))
			break;
		res->applied++;
		res->changes_applied += m[i].count;
	}
	rrsets_applied = res->changes_applied;
	if (!rc && soa) {
		snprintf(what, sizeof what, "push to %s zone %s, message %zu of %zu (the SOA)", sl, zone, res->messages,
			 res->messages);
		if (!(rc = ipam__cancel_check(what)) && !(rc = soa_send(srv, cur, what, res))) {
			soa_sent = true;
			res->applied++;
			res->changes_applied++;
		}
	}
out:
	if (!dry) {
		int src = ipam__dns_push_state(&res->state, last, cur, &d, rrsets_applied);
		/* an SOA not sent: the server still has the old names and timers */
		if (!src && res->state && soa && !soa_sent)
			src = ipam__dns_soa_copy(res->state, last);
		if (!rc && src)
			rc = src;
	}
	ldns_resolver_deep_free(r);
	msgs_free(m, nm);
	ipam__dns_diff_dispose(&d);
	return rc;
}
