/* The PowerDNS Authoritative HTTP API (v1): create a zone, read it, PATCH
 * rrsets (REPLACE / DELETE). HTTP through src/net/http.c, cJSON for the bodies.
 *
 * The API key goes into one request header and nowhere else: not in a
 * message, not in a dry run, not in curl's verbose output (never enabled). */
#include "dns/dns.h"

#include "net/http.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

typedef ipam__http_resp reply;

/* The zone's id in URLs: PowerDNS escapes '/' (RFC 2317 names) as =2F. */
static int zone_url(char *out, size_t size, const ipam__dns_pdns *api, const char *zone)
{
	int k = snprintf(out, size, "%s/api/v1/servers/%s/zones", api->url, api->server_id ? api->server_id : "localhost");
	if (k < 0 || (size_t)k >= size)
		return IPAM_EINVAL;
	if (!zone)
		return 0;
	size_t at = (size_t)k;
	if (at + 1 >= size)
		return IPAM_EINVAL;
	out[at++] = '/';
	for (const char *p = zone; *p; p++) {
		if (at + 4 >= size)
			return IPAM_EINVAL;
		if (*p == '/') {
			memcpy(out + at, "=2F", 3);
			at += 3;
		} else {
			out[at++] = *p;
		}
	}
	out[at] = '\0';
	return 0;
}

void ipam__dns_pdns_error_message(char *out, size_t size, const char *json, size_t len)
{
	if (size)
		out[0] = '\0';
	if (!json || !len || !size)
		return;
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	const cJSON *e = j ? cJSON_GetObjectItemCaseSensitive(j, "error") : NULL;
	if (cJSON_IsString(e) && e->valuestring) {
		/* printable ASCII only, cut to the buffer */
		size_t k = 0;
		for (const char *p = e->valuestring; *p && k + 1 < size; p++)
			out[k++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
		out[k] = '\0';
	}
	cJSON_Delete(j);
}

/* One request. `what` names it in messages; the body (may be NULL) is
 * JSON. Maps the transport and the status: 0 for 2xx. */
static int request(reply *r, const ipam__dns_pdns *api, const char *method, const char *url, const char *body,
		   const char *what)
{
	memset(r, 0, sizeof *r);
	if (!api->api_key || !*api->api_key || strpbrk(api->api_key, "\r\n"))
		return ipam__error(IPAM_EINVAL, "%s: no usable API key", what);
	size_t kl = strlen(api->api_key) + 12;
	char *keyh = malloc(kl);
	if (!keyh)
		return ipam__enomem();
	snprintf(keyh, kl, "X-API-Key: %s", api->api_key);
	const char *headers[] = { keyh, "Accept: application/json", "Content-Type: application/json", NULL };
	ipam__http_req req = {
		.what = what,
		.method = method,
		.url = url,
		.headers = headers,
		.body = body,
		.timeout_ms = api->timeout_ms,
	};
	int rc = ipam__http(&req, r);
	/* the header held the key: wipe it before it goes back to the heap */
	explicit_bzero(keyh, kl);
	free(keyh);
	if (rc || (r->status >= 200 && r->status < 300))
		return rc;
	char msg[512];
	ipam__dns_pdns_error_message(msg, sizeof msg, r->body.ptr, r->body.size);
	switch (r->status) {
	case 401:
	case 403:
		return ipam__error(IPAM_EAUTH, "%s: %ld: the API key was not accepted (wrong key)", what, r->status);
	case 404:
		return ipam__error(IPAM_ENOTFOUND, "%s: 404: %s", what, msg[0] ? msg : "not found");
	case 409:
		return ipam__error(IPAM_EEXISTS, "%s: 409: %s", what, msg[0] ? msg : "conflict");
	case 422:
		return ipam__error(IPAM_EINVAL, "%s: 422: PowerDNS refused the change: %s", what, msg[0] ? msg : "(no message)");
	default:
		return ipam__error(IPAM_EBACKEND, "%s: HTTP %ld%s%s", what, r->status, msg[0] ? ": " : "", msg);
	}
}

/* ---- JSON of rrsets --------------------------------------------------------------------------- */

/* The rdata text of an RR (absolute names), as PowerDNS's "content". */
static int rdata_text(ipam_buf *tmp, const ldns_rr *rr, const char **content)
{
	tmp->size = 0;
	int rc = ipam__dns_rr_put(tmp, rr, NULL);
	if (rc)
		return rc;
	char *p = tmp->ptr;
	for (int i = 0; i < 4 && p; i++)
		p = strchr(p, '\t') ? strchr(p, '\t') + 1 : NULL;
	if (!p)
		return ipam__error(IPAM_EINVAL, "internal: record text");
	size_t n = strlen(p);
	if (n && p[n - 1] == '\n')
		p[n - 1] = '\0';
	*content = p;
	return 0;
}

static cJSON *rrset_json(const ldns_rr *const *rr, size_t n, const char *changetype, ipam_buf *tmp)
{
	char tname[16];
	cJSON *o = cJSON_CreateObject();
	ipam_buf name = IPAM_BUF_INIT;
	if (!o || ipam__dns_name_put(&name, ldns_rr_owner(rr[0]))) {
		cJSON_Delete(o);
		return NULL;
	}
	bool ok = cJSON_AddStringToObject(o, "name", name.ptr) &&
		  cJSON_AddStringToObject(o, "type", ipam__dns_type_name(ldns_rr_get_type(rr[0]), tname));
	ipam_buf_dispose(&name);
	if (ok && changetype)
		ok = cJSON_AddStringToObject(o, "changetype", changetype) != NULL;
	if (ok && (!changetype || strcmp(changetype, "DELETE") != 0)) {
		cJSON *recs = cJSON_AddArrayToObject(o, "records");
		ok = recs && cJSON_AddNumberToObject(o, "ttl", ldns_rr_ttl(rr[0]));
		for (size_t i = 0; ok && i < n; i++) {
			const char *content = NULL;
			cJSON *r = cJSON_CreateObject();
			ok = r && rdata_text(tmp, rr[i], &content) == 0 && cJSON_AddStringToObject(r, "content", content) &&
			     cJSON_AddFalseToObject(r, "disabled");
			if (r && !cJSON_AddItemToArray(recs, r)) {
				cJSON_Delete(r);
				ok = false;
			}
		}
	}
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *list_json(const ldns_rr_list *l, const char *changetype, ipam_buf *tmp)
{
	size_t n = ldns_rr_list_rr_count(l);
	const ldns_rr **v = malloc((n ? n : 1) * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = ldns_rr_list_rr(l, i);
	cJSON *o = n ? rrset_json(v, n, changetype, tmp) : NULL;
	free(v);
	return o;
}

static cJSON *soa_json(const ipam__dns_zone *z, uint32_t serial)
{
	ipam_buf name = IPAM_BUF_INIT, m = IPAM_BUF_INIT, r = IPAM_BUF_INIT;
	char content[2200];
	cJSON *o = NULL;
	if (!ipam__dns_name_put(&name, z->origin) && !ipam__dns_name_put(&m, z->mname) && !ipam__dns_name_put(&r, z->rname)) {
		snprintf(content, sizeof content, "%s %s %u %u %u %u %u", m.ptr, r.ptr, serial, z->refresh, z->retry,
			 z->expire, z->minimum);
		o = cJSON_CreateObject();
		cJSON *recs = o ? cJSON_AddArrayToObject(o, "records") : NULL;
		cJSON *rec = cJSON_CreateObject();
		if (!recs || !rec || !cJSON_AddStringToObject(o, "name", name.ptr) || !cJSON_AddStringToObject(o, "type", "SOA") ||
		    !cJSON_AddNumberToObject(o, "ttl", z->ttl) || !cJSON_AddStringToObject(rec, "content", content) ||
		    !cJSON_AddFalseToObject(rec, "disabled") || !cJSON_AddItemToArray(recs, rec)) {
			cJSON_Delete(rec);
			cJSON_Delete(o);
			o = NULL;
		}
	}
	ipam_buf_dispose(&name);
	ipam_buf_dispose(&m);
	ipam_buf_dispose(&r);
	return o;
}

static void zone_name(char *out, size_t size, const ipam__dns_zone *z)
{
	ipam_buf b = IPAM_BUF_INIT;
	ipam__dns_name_put(&b, z->origin);
	snprintf(out, size, "%s", b.ptr ? b.ptr : "?");
	ipam_buf_dispose(&b);
}

int ipam__dns_pdns_create_zone(const ipam__dns_pdns *api, ipam__dns_zone *z)
{
	char zn[1100], url[2400], what[3600];
	zone_name(zn, sizeof zn, z);
	snprintf(what, sizeof what, "PowerDNS API at %s: create zone %s", api->url ? api->url : "?", zn);
	if (!api->url || zone_url(url, sizeof url, api, NULL))
		return ipam__error(IPAM_EINVAL, "%s: bad URL", what);
	int rc = ipam__dns_zone_check(z);
	if (rc)
		return rc;
	ipam_buf tmp = IPAM_BUF_INIT;
	cJSON *doc = cJSON_CreateObject(), *rrsets = NULL;
	bool ok = doc && cJSON_AddStringToObject(doc, "name", zn) && cJSON_AddStringToObject(doc, "kind", "Native") &&
		  cJSON_AddArrayToObject(doc, "nameservers") && (rrsets = cJSON_AddArrayToObject(doc, "rrsets"));
	cJSON *soa = ok ? soa_json(z, z->serial) : NULL;
	ok = soa && cJSON_AddItemToArray(rrsets, soa);
	for (size_t i = 0; ok && i < z->n;) {
		size_t e = ipam__dns_zone_rrset_end(z, i);
		cJSON *o = rrset_json((const ldns_rr *const *)&z->rr[i], e - i, NULL, &tmp);
		ok = o && cJSON_AddItemToArray(rrsets, o);
		if (o && !ok)
			cJSON_Delete(o);
		i = e;
	}
	char *body = ok ? cJSON_PrintUnformatted(doc) : NULL;
	cJSON_Delete(doc);
	ipam_buf_dispose(&tmp);
	if (!body)
		return ipam__enomem();
	reply r;
	rc = request(&r, api, "POST", url, body, what);
	cJSON_free(body);
	ipam_buf_dispose(&r.body);
	return rc;
}

/* ---- reading a zone ----------------------------------------------------------------------------- */

int ipam__dns_pdns_parse_zone(ipam__dns_zone **out, const char *json, size_t len, const char *where)
{
	*out = NULL;
	if (!where)
		where = "PowerDNS zone";
	const char *end = NULL;
	cJSON *j = json && len ? cJSON_ParseWithLengthOpts(json, len, &end, 0) : NULL;
	if (!j)
		return ipam__error(IPAM_EBACKEND, "%s: the reply is not JSON", where);
	int rc = 0;
	ipam__dns_zone *z = NULL;
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(j, "name");
	const cJSON *rrsets = cJSON_GetObjectItemCaseSensitive(j, "rrsets");
	if (!cJSON_IsString(name) || !cJSON_IsArray(rrsets)) {
		rc = ipam__error(IPAM_EBACKEND, "%s: the reply has no \"name\" string and \"rrsets\" array", where);
		goto out;
	}
	if ((rc = ipam__dns_zone_new(&z, name->valuestring))) {
		char m[600];
		snprintf(m, sizeof m, "%s", ipam_error_last()->message);
		rc = ipam__error(rc == IPAM_ENOMEM ? rc : IPAM_EBACKEND, "%s: %s", where, m);
		goto out;
	}
	bool soa = false;
	size_t si = 0;
	const cJSON *set;
	cJSON_ArrayForEach(set, rrsets)
	{
		si++;
		const cJSON *sn = cJSON_GetObjectItemCaseSensitive(set, "name");
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(set, "type");
		const cJSON *sttl = cJSON_GetObjectItemCaseSensitive(set, "ttl");
		const cJSON *recs = cJSON_GetObjectItemCaseSensitive(set, "records");
		if (!cJSON_IsString(sn) || !cJSON_IsString(st) || !cJSON_IsNumber(sttl) || !cJSON_IsArray(recs) ||
		    sttl->valuedouble < 0 || sttl->valuedouble > 2147483647.0) {
			rc = ipam__error(IPAM_EBACKEND, "%s: rrsets[%zu] lacks name, type, ttl or records", where, si - 1);
			goto out;
		}
		const cJSON *rec;
		cJSON_ArrayForEach(rec, recs)
		{
			const cJSON *content = cJSON_GetObjectItemCaseSensitive(rec, "content");
			const cJSON *dis = cJSON_GetObjectItemCaseSensitive(rec, "disabled");
			if (!cJSON_IsString(content)) {
				rc = ipam__error(IPAM_EBACKEND, "%s: rrsets[%zu]: a record without content", where, si - 1);
				goto out;
			}
			if (cJSON_IsTrue(dis))
				continue;
			size_t ln = strlen(sn->valuestring) + strlen(st->valuestring) + strlen(content->valuestring) + 32;
			char *line = malloc(ln);
			if (!line) {
				rc = ipam__enomem();
				goto out;
			}
			snprintf(line, ln, "%s %u IN %s %s", sn->valuestring, (unsigned)sttl->valuedouble, st->valuestring,
				 content->valuestring);
			ldns_rr *rr = NULL;
			ldns_status ls = ldns_rr_new_frm_str(&rr, line, 3600, NULL, NULL);
			free(line);
			if (ls != LDNS_STATUS_OK || !rr) {
				ldns_rr_free(rr);
				rc = ipam__error(IPAM_EBACKEND, "%s: rrsets[%zu] (%.200s %.20s): %s", where, si - 1, sn->valuestring,
						 st->valuestring, ldns_get_errorstr_by_id(ls));
				goto out;
			}
			if (!ldns_dname_absolute(ldns_rr_owner(rr)) ||
			    (ldns_dname_compare(ldns_rr_owner(rr), z->origin) != 0 &&
			     !ldns_dname_is_subdomain(ldns_rr_owner(rr), z->origin))) {
				ldns_rr_free(rr);
				rc = ipam__error(IPAM_EBACKEND, "%s: rrsets[%zu]: %.200s lies outside the zone", where, si - 1,
						 sn->valuestring);
				goto out;
			}
			if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
				const ldns_rdf *f[7];
				bool good = ldns_rr_rd_count(rr) == 7 && ldns_dname_compare(ldns_rr_owner(rr), z->origin) == 0;
				for (size_t k = 0; good && k < 7; k++) {
					f[k] = ldns_rr_rdf(rr, k);
					good = k < 2 ? ldns_rdf_get_type(f[k]) == LDNS_RDF_TYPE_DNAME : ldns_rdf_size(f[k]) == 4;
				}
				if (!good) {
					ldns_rr_free(rr);
					rc = ipam__error(IPAM_EBACKEND, "%s: a malformed SOA", where);
					goto out;
				}
				ldns_rdf_deep_free(z->mname);
				ldns_rdf_deep_free(z->rname);
				z->mname = ldns_rdf_clone(f[0]);
				z->rname = ldns_rdf_clone(f[1]);
				z->serial = ldns_rdf2native_int32(f[2]);
				z->refresh = ldns_rdf2native_int32(f[3]);
				z->retry = ldns_rdf2native_int32(f[4]);
				z->expire = ldns_rdf2native_int32(f[5]);
				z->minimum = ldns_rdf2native_int32(f[6]);
				z->ttl = ldns_rr_ttl(rr);
				ldns_rr_free(rr);
				soa = true;
				if (!z->mname || !z->rname) {
					rc = ipam__enomem();
					goto out;
				}
				continue;
			}
			if ((rc = ipam__dns_zone_add_raw(z, rr, 0)))
				goto out;
		}
	}
	if (!soa)
		rc = ipam__error(IPAM_EBACKEND, "%s: the zone has no SOA", where);
	else
		rc = ipam__dns_zone_sort(z);
out:
	cJSON_Delete(j);
	if (rc) {
		ipam__dns_zone_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

int ipam__dns_pdns_get_zone(ipam__dns_zone **out, const ipam__dns_pdns *api, const char *origin)
{
	*out = NULL;
	char url[2400], what[3600];
	snprintf(what, sizeof what, "PowerDNS API at %s: read zone %s", api->url ? api->url : "?", origin ? origin : "?");
	if (!api->url || !origin || zone_url(url, sizeof url, api, origin))
		return ipam__error(IPAM_EINVAL, "%s: bad URL or zone", what);
	reply r;
	int rc = request(&r, api, "GET", url, NULL, what);
	if (!rc)
		rc = ipam__dns_pdns_parse_zone(out, r.body.ptr, r.body.size, what);
	ipam_buf_dispose(&r.body);
	return rc;
}

/* ---- push ------------------------------------------------------------------------------------------ */

int ipam__dns_pdns_push(ipam__dns_push_result *res, const ipam__dns_pdns *api, ipam__dns_zone *last,
			ipam__dns_zone *cur, bool dry_run)
{
	memset(res, 0, sizeof *res);
	res->rcode = -1;
	char zn[1100], url[2400], what[3600];
	zone_name(zn, sizeof zn, cur);
	snprintf(what, sizeof what, "PowerDNS API at %s: zone %s", api->url ? api->url : "?", zn);
	if (!api->url || zone_url(url, sizeof url, api, zn))
		return ipam__error(IPAM_EINVAL, "%s: bad URL", what);
	if (last && ldns_dname_compare(last->origin, cur->origin) != 0)
		return ipam__error(IPAM_EINVAL, "%s: the last pushed content is of another zone", what);
	int rc = ipam__dns_zone_check(cur);
	if (rc)
		return rc;
	ipam__dns_diff d;
	if ((rc = ipam__dns_diff_make(&d, last, cur)))
		return rc;
	/* the SOA's names and timers go along when they changed since the last
	 * push (REPLACE; serial ours, or one past the server's when sent) */
	bool soa = last && ipam__dns_soa_differs(last, cur);
	res->changes = d.n + soa;
	res->messages = res->changes ? 1 : 0;
	ipam_buf tmp = IPAM_BUF_INIT;
	ipam__dns_zone *live = NULL;
	char *body = NULL;
	cJSON *doc = cJSON_CreateObject();
	cJSON *sets = doc ? cJSON_AddArrayToObject(doc, "rrsets") : NULL;
	if (!sets) {
		rc = ipam__enomem();
		goto out;
	}
	for (size_t i = 0; !rc && i < d.n; i++) {
		const ipam__dns_change *c = &d.c[i];
		bool del = ldns_rr_list_rr_count(c->after) == 0;
		cJSON *o = list_json(del ? c->before : c->after, del ? "DELETE" : "REPLACE", &tmp);
		if (!o || !cJSON_AddItemToArray(sets, o)) {
			cJSON_Delete(o);
			rc = ipam__enomem();
		}
	}
	cJSON *soa_set = soa && !rc ? soa_json(cur, cur->serial) : NULL;
	if (soa && !rc && (!soa_set || !cJSON_AddStringToObject(soa_set, "changetype", "REPLACE") ||
	                   !cJSON_AddItemToArray(sets, soa_set))) {
		cJSON_Delete(soa_set);
		rc = ipam__enomem();
	}
	if (rc || !(body = cJSON_PrintUnformatted(doc))) {
		rc = rc ? rc : ipam__enomem();
		goto out;
	}
	if (res->changes && (rc = ipam__buf_printf(&res->text, "PATCH %s\nX-API-Key: (not shown)\n%s\n", url, body)))
		goto out;
	if (dry_run || res->changes == 0)
		goto out;
	/* PowerDNS has no prerequisites: read the touched RRsets back first
	 * and refuse when one is not what we last pushed */
	if ((rc = ipam__dns_pdns_get_zone(&live, api, zn)))
		goto out;
	ipam__dns_zone *base = last;
	ipam__dns_zone *empty = NULL;
	if (!base && (rc = ipam__dns_zone_new(&empty, zn)) == 0)
		base = empty;
	if (!rc)
		rc = ipam__dns_zone_sort(base);
	for (size_t i = 0; !rc && i < d.n; i++) {
		const ldns_rdf *owner = ipam__dns_change_owner(&d.c[i]);
		ldns_rr_type t = ipam__dns_change_type(&d.c[i]);
		size_t lf, ln = ipam__dns_zone_rrset(base, owner, t, &lf);
		size_t sf, sn = ipam__dns_zone_rrset(live, owner, t, &sf);
		bool same = ln == sn;
		for (size_t k = 0; same && k < ln; k++)
			same = ipam__dns_zone_rr_same(base, lf + k, live, sf + k);
		if (!same) {
			const ldns_rr_list *l = ldns_rr_list_rr_count(d.c[i].before) ? d.c[i].before : d.c[i].after;
			rc = ipam__error(IPAM_ECONFLICT, "%s: %s was changed outside IPAM since the last push (the server has "
					 "%zu record(s), the last push left %zu); nothing was sent", what,
					 ipam__dns_rr_label(ldns_rr_list_rr(l, 0)), sn, ln);
		}
	}
	ipam__dns_zone_free(empty);
	if (rc)
		goto out;
	if (soa && ipam__dns_serial_cmp(cur->serial, live->serial) != 1) {
		/* the server's serial is ahead: one past it */
		cJSON *fresh = soa_json(cur, live->serial + 1u);
		cJSON_free(body);
		body = NULL;
		if (!fresh || !cJSON_AddStringToObject(fresh, "changetype", "REPLACE") ||
		    !cJSON_ReplaceItemInArray(sets, cJSON_GetArraySize(sets) - 1, fresh)) {
			cJSON_Delete(fresh);
			rc = ipam__enomem();
			goto out;
		}
		if (!(body = cJSON_PrintUnformatted(doc))) {
			rc = ipam__enomem();
			goto out;
		}
	}
	reply r;
	rc = request(&r, api, "PATCH", url, body, what);
	ipam_buf_dispose(&r.body);
	if (!rc) {
		res->applied = 1;
		res->changes_applied = res->changes;
	}
out:
	if (!dry_run) {
		/* one PATCH: all of it or nothing */
		int src = ipam__dns_push_state(&res->state, last, cur, &d, res->changes_applied ? d.n : 0);
		if (!src && res->state && soa && !res->changes_applied)
			src = ipam__dns_soa_copy(res->state, last);
		if (!rc && src)
			rc = src;
	}
	if (body)
		cJSON_free(body);
	cJSON_Delete(doc);
	ipam_buf_dispose(&tmp);
	ipam__dns_zone_free(live);
	ipam__dns_diff_dispose(&d);
	return rc;
}
