/* Azure DNS (ARM: dnszones, recordsets; nextLink) and Google Cloud DNS
 * (managedZones, rrsets; nextPageToken) answers read into cloud DNS zones.
 * Pure (no I/O) and fuzzed (fuzz/cloud_dns_fuzzer.c): every field is
 * checked for its type; a problem is IPAM_EINVAL naming the answer, the item
 * and the field.
 *
 * Google gives each record's data in presentation format (rrdatas); Azure
 * gives typed fields (ARecords[].ipv4Address, MXRecords[].exchange ...),
 * turned into presentation format here, names made absolute (Azure writes
 * "mail.example.com" for "mail.example.com."). */
#include "discover/disc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

static int bad(const char *what, size_t item, const char *field, const char *why)
{
	return ipam__error(IPAM_EINVAL, "%s: item %zu: %s: %s", what, item, field, why);
}

/* key's string (NULL when absent); IPAM_EINVAL when present and not one. */
static int str_of(const char **out, const cJSON *o, const char *key, const char *what, size_t item)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	*out = cJSON_IsString(v) ? v->valuestring : NULL;
	return v && !cJSON_IsString(v) && !cJSON_IsNull(v) ? bad(what, item, key, "not a string") : 0;
}

static int next_of(ipam__cdns *c, const cJSON *doc, const char *key, const char *what)
{
	const char *n;
	int rc = str_of(&n, doc, key, what, 0);
	if (rc || !n || !*n)
		return rc;
	return (c->next[0] = ipam__strdup(n)) ? 0 : ipam__enomem();
}

static const cJSON *items_of(const cJSON *doc, const char *key, const char *what, int *rc)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(doc, key);
	*rc = 0;
	if (!cJSON_IsObject(doc))
		*rc = ipam__error(IPAM_EINVAL, "%s: the answer is not a JSON object", what);
	else if (a && !cJSON_IsArray(a))
		*rc = ipam__error(IPAM_EINVAL, "%s: %s is not an array", what, key);
	return a;
}

int ipam__cdns_json_zones(ipam__cdns *c, int provider, const cJSON *doc, const char *what)
{
	int rc;
	bool az = provider == IPAM__CDNS_AZURE;
	const cJSON *arr = items_of(doc, az ? "value" : "managedZones", what, &rc), *it;
	ipam__cdns_next_clear(c);
	size_t i = 0;
	for (it = rc || !arr ? NULL : arr->child; it; it = it->next) {
		const char *name = NULL, *id = NULL, *vis = NULL;
		const cJSON *props = az ? cJSON_GetObjectItemCaseSensitive(it, "properties") : it;
		rc = str_of(&name, it, az ? "name" : "dnsName", what, i);
		rc = rc ? rc : str_of(&id, it, az ? "id" : "name", what, i);
		rc = rc ? rc : str_of(&vis, props, az ? "zoneType" : "visibility", what, i);
		if (!rc && (!name || !id))
			rc = bad(what, i, az ? "name, id" : "dnsName, name", "missing");
		if (!rc)
			rc = ipam__cdns_zone_add(c, name, id, vis && (strcmp(vis, "Private") == 0 || strcmp(vis, "private") == 0),
						 what);
		if (rc)
			break;
		i++;
	}
	return rc ? rc : next_of(c, doc, az ? "nextLink" : "nextPageToken", what);
}

/* Append a name made absolute. */
static int put_name(ipam_buf *b, const char *s)
{
	size_t n = strlen(s);
	return ipam__buf_printf(b, "%s%s", s, n && s[n - 1] == '.' ? "" : ".");
}

/* Append a TXT character-string, quoted. */
static int put_quoted(ipam_buf *b, const char *s)
{
	int rc = ipam__buf_put(b, "\"", 1);
	for (; !rc && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			rc = ipam__buf_printf(b, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			rc = ipam__buf_printf(b, "\\%03u", ch);
		else
			rc = ipam__buf_put(b, s, 1);
	}
	return rc ? rc : ipam__buf_put(b, "\"", 1);
}

/* The fields of one Azure record of `type` in presentation format ("" when
 * a field is missing or of the wrong type: the record is then skipped). */
static int azure_rdata(ipam_buf *b, const char *type, const cJSON *r)
{
	const struct {
		const char *type;
		const char *f[4]; /* fields; a leading '@' is a name, '#' a number, '"' a quoted string */
	} t[] = {
		{ "A", { "ipv4Address" } },	 { "AAAA", { "ipv6Address" } },
		{ "CNAME", { "@cname" } },	 { "NS", { "@nsdname" } },
		{ "PTR", { "@ptrdname" } },	 { "MX", { "#preference", "@exchange" } },
		{ "SRV", { "#priority", "#weight", "#port", "@target" } },
		{ "CAA", { "#flags", "tag", "\"value" } },
	};
	if (strcmp(type, "TXT") == 0) {
		const cJSON *s, *v = cJSON_GetObjectItemCaseSensitive(r, "value");
		int rc = 0;
		for (s = cJSON_IsArray(v) ? v->child : NULL; s; s = s->next) {
			if (!cJSON_IsString(s))
				return 0;
			rc = b->size ? ipam__buf_put(b, " ", 1) : 0;
			rc = rc ? rc : put_quoted(b, s->valuestring);
			if (rc)
				return rc;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (strcmp(type, t[i].type) != 0)
			continue;
		for (size_t k = 0; k < 4 && t[i].f[k]; k++) {
			const char *f = t[i].f[k];
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, f + (*f == '@' || *f == '#' || *f == '"'));
			int rc = k ? ipam__buf_put(b, " ", 1) : 0;
			if (*f == '#' && cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 65535)
				rc = rc ? rc : ipam__buf_printf(b, "%d", v->valueint);
			else if (*f == '@' && cJSON_IsString(v) && *v->valuestring)
				rc = rc ? rc : put_name(b, v->valuestring);
			else if (*f == '"' && cJSON_IsString(v))
				rc = rc ? rc : put_quoted(b, v->valuestring);
			else if (*f != '#' && *f != '@' && *f != '"' && cJSON_IsString(v) && *v->valuestring)
				rc = rc ? rc : ipam__buf_put(b, v->valuestring, strlen(v->valuestring));
			else {
				ipam_buf_dispose(b);
				return rc;
			}
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* Azure's record-set property holding `type`'s records: "ARecords",
 * "CNAMERecord" (one, an object) ... */
static const cJSON *azure_records(const cJSON *props, const char *type, bool *single)
{
	static const char *const one[] = { "CNAME", "SOA" };
	char key[32];
	*single = false;
	for (size_t i = 0; i < 2; i++)
		if (strcmp(type, one[i]) == 0)
			*single = true;
	snprintf(key, sizeof key, strcmp(type, "CAA") == 0 ? "caaRecords" : *single ? "%sRecord" : "%sRecords", type);
	return cJSON_GetObjectItemCaseSensitive(props, key);
}

static int azure_rrset(ipam__cdns_zone *z, const cJSON *it, const char *what, size_t i)
{
	const char *name, *type, *fqdn;
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(it, "properties");
	int rc = str_of(&name, it, "name", what, i);
	rc = rc ? rc : str_of(&type, it, "type", what, i);
	rc = rc ? rc : str_of(&fqdn, props, "fqdn", what, i);
	if (!rc && (!name || !type || !cJSON_IsObject(props)))
		rc = bad(what, i, "name, type, properties", "missing");
	if (rc)
		return rc;
	type = strrchr(type, '/') ? strrchr(type, '/') + 1 : type;
	ipam_buf owner = IPAM_BUF_INIT;
	if (fqdn)
		rc = ipam__buf_printf(&owner, "%s", fqdn);
	else if (strcmp(name, "@") == 0)
		rc = ipam__buf_printf(&owner, "%s", z->origin);
	else
		rc = ipam__buf_printf(&owner, "%s.%s", name, z->origin);
	const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(props, "TTL");
	const cJSON *target = cJSON_GetObjectItemCaseSensitive(props, "targetResource");
	const char *skip = NULL;
	if (cJSON_IsObject(target) && cJSON_GetObjectItemCaseSensitive(target, "id"))
		skip = "an alias record set (targetResource: Azure only; no record a zone file can hold)";
	else if (!cJSON_IsNumber(ttl))
		rc = rc ? rc : bad(what, i, "properties.TTL", "not a number");
	long long t = cJSON_IsNumber(ttl) && ttl->valuedouble >= 0 && ttl->valuedouble <= 2147483647
			      ? (long long)ttl->valuedouble : -1;
	bool single;
	const cJSON *recs = azure_records(props, type, &single), *r;
	if (!rc && !skip && !recs && strcmp(type, "SOA") != 0)
		skip = "a type this reader does not know, or no records";
	if (rc || skip || strcmp(type, "SOA") == 0) {
		if (!rc)
			rc = ipam__cdns_rec_add(z, owner.ptr, type, t, "", skip);
		ipam_buf_dispose(&owner);
		return rc;
	}
	if (single && !cJSON_IsObject(recs))
		rc = bad(what, i, type, "not an object");
	else if (!single && !cJSON_IsArray(recs))
		rc = bad(what, i, type, "not an array");
	for (r = single ? recs : recs->child; !rc && r; r = single ? NULL : r->next) {
		ipam_buf data = IPAM_BUF_INIT;
		rc = azure_rdata(&data, type, r);
		if (!rc)
			rc = ipam__cdns_rec_add(z, owner.ptr, type, t, data.ptr ? data.ptr : "",
						data.ptr ? NULL : "a record without its fields");
		ipam_buf_dispose(&data);
	}
	ipam_buf_dispose(&owner);
	return rc;
}

static int gcp_rrset(ipam__cdns_zone *z, const cJSON *it, const char *what, size_t i)
{
	const char *name, *type;
	int rc = str_of(&name, it, "name", what, i);
	rc = rc ? rc : str_of(&type, it, "type", what, i);
	const cJSON *ttl = cJSON_GetObjectItemCaseSensitive(it, "ttl");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(it, "rrdatas"), *d;
	if (!rc && (!name || !type))
		rc = bad(what, i, "name, type", "missing");
	if (!rc && ttl && !cJSON_IsNumber(ttl))
		rc = bad(what, i, "ttl", "not a number");
	if (!rc && data && !cJSON_IsArray(data))
		rc = bad(what, i, "rrdatas", "not an array");
	if (rc)
		return rc;
	long long t = !ttl ? 0 : ttl->valuedouble >= 0 && ttl->valuedouble <= 2147483647 ? (long long)ttl->valuedouble : -1;
	if (cJSON_GetObjectItemCaseSensitive(it, "routingPolicy"))
		return ipam__cdns_rec_add(z, name, type, t, "", "a routing policy record set (Cloud DNS only)");
	if (!cJSON_GetArraySize(data))
		return ipam__cdns_rec_add(z, name, type, t, "", "no rrdatas");
	cJSON_ArrayForEach(d, data)
	{
		rc = cJSON_IsString(d) ? ipam__cdns_rec_add(z, name, type, t, d->valuestring, NULL)
				       : bad(what, i, "rrdatas", "not a string");
		if (rc)
			break;
	}
	return rc;
}

int ipam__cdns_json_rrsets(ipam__cdns *c, ipam__cdns_zone *z, int provider, const cJSON *doc, const char *what)
{
	int rc;
	bool az = provider == IPAM__CDNS_AZURE;
	const cJSON *arr = items_of(doc, az ? "value" : "rrsets", what, &rc), *it;
	ipam__cdns_next_clear(c);
	size_t i = 0;
	for (it = rc || !arr ? NULL : arr->child; it; it = it->next) {
		rc = cJSON_IsObject(it) ? (az ? azure_rrset(z, it, what, i) : gcp_rrset(z, it, what, i))
					: bad(what, i, "item", "not an object");
		if (rc)
			break;
		i++;
	}
	return rc ? rc : next_of(c, doc, az ? "nextLink" : "nextPageToken", what);
}
