/* Import of a Kea Dhcp4/Dhcp6 config into the model, so a running server
 * can be adopted: subnets (also inside shared networks) become scopes with
 * their Kea ids, pools, options, option definitions and reservations; the
 * subnet keys libipam does not model are kept in the scope's `extra` and
 * rendered back. What cannot be modelled is said in `notes`, one line each. */
#include "dhcp/dhcp.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

/* Kea's JSON allows //, # and C comments: blank them (newlines stay, so
 * line numbers hold). */
static char *strip_comments(const char *text, size_t len)
{
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	bool str = false;
	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		out[i] = ch;
		if (str) {
			if (ch == '\\' && i + 1 < len) {
				i++;
				out[i] = text[i];
			}
			else if (ch == '"')
				str = false;
		} else if (ch == '"') {
			str = true;
		} else if (ch == '#' || (ch == '/' && i + 1 < len && text[i + 1] == '/')) {
			while (i < len && text[i] != '\n')
				out[i++] = ' ';
			if (i < len)
				out[i] = '\n';
		} else if (ch == '/' && i + 1 < len && text[i + 1] == '*') {
			out[i] = ' ';
			for (i++; i < len && !(text[i] == '*' && i + 1 < len && text[i + 1] == '/'); i++)
				out[i] = text[i] == '\n' ? '\n' : ' ';
			if (i < len) {
				out[i++] = ' ';
				out[i] = ' ';
			}
		}
	}
	out[len] = '\0';
	return out;
}

typedef struct kimp {
	ipam__dhcp_config *c;
	const char *file;
	unsigned family;
	ipam_buf *notes;
} kimp;

static int note(kimp *k, const char *fmt, ...) IPAM__PRINTF(2, 3);
static int note(kimp *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = ipam__dhcp_vnote(k->notes, k->file, 0, fmt, ap);
	va_end(ap);
	return rc;
}

/* The last error again, prefixed with the file and the place (copied first:
 * the message buffer is the one being written). */
static int wrap(const kimp *k, int rc, const char *where)
{
	char msg[512];
	snprintf(msg, sizeof msg, "%s", ipam_error_last()->message);
	return ipam__error(rc, "%s: %s: %s", k->file, where, msg);
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool u32_of(const cJSON *o, const char *key, uint32_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > UINT32_MAX ||
	    v->valuedouble != (double)(uint32_t)v->valuedouble)
		return false;
	*out = (uint32_t)v->valuedouble;
	return true;
}

/* Kea's binary option data ("c0 00 02 7b", "c0:00:02:7b", "0xc000027b") in
 * the typed text form of `d`. */
static int from_hex(char **out, const ipam__dhcp_optdef *d, const char *hex, const char *where)
{
	uint8_t bytes[256];
	size_t n = 0, digits = 0;
	unsigned cur = 0;
	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	for (const char *p = hex; *p; p++) {
		if (*p == ' ' || *p == ':' || *p == '-') {
			if (digits % 2)
				return ipam__error(IPAM_EINVAL, "%s: odd hex digit count", where);
			continue;
		}
		if (!isxdigit((unsigned char)*p) || n == sizeof bytes)
			return ipam__error(IPAM_EINVAL, "%s: \"%s\" is not hex data", where, hex);
		cur = cur * 16 + (unsigned)(isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
		if (++digits % 2 == 0) {
			bytes[n++] = (uint8_t)cur;
			cur = 0;
		}
	}
	if (digits % 2 || n == 0)
		return ipam__error(IPAM_EINVAL, "%s: \"%s\" is not whole hex octets", where, hex);
	ipam_buf b = IPAM_BUF_INIT;
	int rc = 0;
	size_t w = d->type == IPAM__DHCP_IP ? (d->family == IPAM_AF_INET ? 4 : 16)
		   : d->type == IPAM__DHCP_U16 ? 2
		   : d->type == IPAM__DHCP_U32 ? 4
					       : 1;
	switch (d->type) {
	case IPAM__DHCP_BINARY:
		for (size_t i = 0; !rc && i < n; i++)
			rc = ipam__buf_printf(&b, "%02x", bytes[i]);
		break;
	case IPAM__DHCP_STRING:
		rc = ipam__buf_put(&b, (const char *)bytes, n);
		break;
	case IPAM__DHCP_FQDN:
		return ipam__error(IPAM_EINVAL, "%s: hex data for a domain name option is not read; give it as text", where);
	default:
		if (n % w || (!d->array && n != w))
			return ipam__error(IPAM_EINVAL, "%s: %zu octets do not make %s values", where, n,
					   ipam__dhcp_type_name(d->type));
		for (size_t i = 0; !rc && i < n; i += w) {
			if (i)
				rc = ipam__buf_put(&b, ", ", 2);
			if (d->type == IPAM__DHCP_IP) {
				ipam_addr a = {.family = d->family};
				char t[64];
				memcpy(a.bytes, bytes + i, w);
				ipam_addr_format(t, sizeof t, &a);
				if (!rc)
					rc = ipam__buf_put(&b, t, strlen(t));
			} else {
				uint32_t v = 0;
				for (size_t j = 0; j < w; j++)
					v = v << 8 | bytes[i + j];
				if (!rc)
					rc = ipam__buf_printf(&b, "%u", (unsigned)v);
			}
		}
	}
	if (rc) {
		ipam_buf_dispose(&b);
		return rc;
	}
	*out = b.ptr;
	return 0;
}

/* One option-data entry into `set`. */
static int import_opt(kimp *k, ipam__dhcp_optset *set, const cJSON *e, const char *where)
{
	const char *name = str_of(e, "name"), *space = str_of(e, "space"), *data = str_of(e, "data");
	uint32_t code = 0, vendor = 0;
	char num[16];
	bool have_code = u32_of(e, "code", &code);
	const char *std = k->family == IPAM_AF_INET ? "dhcp4" : "dhcp6";
	if (space && strcmp(space, std)) {
		if (strncmp(space, "vendor-", 7) || !isdigit((unsigned char)space[7]))
			return note(k, "%s: option space \"%s\" is not modelled; skipped", where, space);
		vendor = (uint32_t)strtoul(space + 7, NULL, 10);
	}
	if (!name && !have_code)
		return ipam__error(IPAM_EINVAL, "%s: %s: an option needs a name or a code", k->file, where);
	snprintf(num, sizeof num, "%u", (unsigned)code);
	const ipam__dhcp_optdef *d = ipam__dhcp_def_find(k->c, k->family, vendor, name ? name : num);
	if (!d)
		return ipam__error(IPAM_EINVAL, "%s: %s: option %s is not known (no option-def for it)", k->file, where,
				   name ? name : num);
	if (!data) /* Kea allows options without data (always-send flags only) */
		return note(k, "%s: option %s has no data; skipped", where, d->name);
	const cJSON *csv = cJSON_GetObjectItemCaseSensitive(e, "csv-format");
	char what[300];
	snprintf(what, sizeof what, "%s: %s", k->file, where);
	if (cJSON_IsFalse(csv) && d->type != IPAM__DHCP_BINARY) {
		char *typed = NULL;
		int rc = from_hex(&typed, d, data, what);
		if (!rc)
			rc = ipam__dhcp_optset_put(set, d, typed, what);
		free(typed);
		return rc;
	}
	/* Kea escapes commas inside a string field as "\," */
	ipam_buf b = IPAM_BUF_INIT;
	int rc = 0;
	for (const char *p = data; !rc && *p; p++)
		rc = (p[0] == '\\' && p[1] == ',') ? (p++, ipam__buf_put(&b, ",", 1)) : ipam__buf_put(&b, p, 1);
	if (!rc)
		rc = ipam__dhcp_optset_put(set, d, b.ptr ? b.ptr : "", what);
	ipam_buf_dispose(&b);
	return rc;
}

static int import_opts(kimp *k, ipam__dhcp_optset *set, const cJSON *parent, const char *where)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(parent, "option-data"), *e;
	int i = 0, rc = 0;
	char w[256];
	cJSON_ArrayForEach(e, list)
	{
		snprintf(w, sizeof w, "%s/option-data[%d]", where, i++);
		if ((rc = import_opt(k, set, e, w)))
			return rc;
	}
	return 0;
}

static int import_defs(kimp *k, const cJSON *dhcp, const char *top)
{
	static const char *const kea_types[][2] = {{"ipv4-address", "ip"}, {"ipv6-address", "ip"}, {"string", "string"},
						   {"uint8", "uint8"},	      {"uint16", "uint16"},    {"uint32", "uint32"},
						   {"boolean", "bool"},	      {"fqdn", "fqdn"},        {"binary", "binary"}};
	const cJSON *e;
	int i = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(dhcp, "option-def"))
	{
		const char *name = str_of(e, "name"), *type = str_of(e, "type"), *space = str_of(e, "space");
		uint32_t code;
		uint32_t vendor = 0;
		const char *ours = NULL;
		for (size_t t = 0; type && t < sizeof kea_types / sizeof kea_types[0]; t++)
			if (!strcmp(kea_types[t][0], type))
				ours = kea_types[t][1];
		if (!name || !u32_of(e, "code", &code) || code > 65535 || !ours)
			return ipam__error(IPAM_EINVAL, "%s: %s/option-def[%d]: name, code or type (%s) is not one libipam takes",
					   k->file, top, i, type ? type : "none");
		if (space && !strncmp(space, "vendor-", 7))
			vendor = (uint32_t)strtoul(space + 7, NULL, 10);
		else if (space && strcmp(space, k->family == IPAM_AF_INET ? "dhcp4" : "dhcp6")) {
			note(k, "%s/option-def[%d]: space %s is not modelled; skipped", top, i++, space);
			continue;
		}
		char t[16];
		snprintf(t, sizeof t, "%s%s", ours, cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "array")) ? "[]" : "");
		int rc = ipam__dhcp_def_add(k->c, k->family, vendor, (uint16_t)code, name, t);
		if (rc) {
			char w[64];
			snprintf(w, sizeof w, "%s/option-def[%d]", top, i);
			return wrap(k, rc, w);
		}
		i++;
	}
	return 0;
}

/* Keys of a subnet that the model holds itself; the rest go to `extra`. */
static bool modelled(const char *key)
{
	static const char *const keys[] = {"id",	   "subnet",	     "pools",	       "option-data",
					   "reservations", "valid-lifetime", "renew-timer",    "rebind-timer",
					   "preferred-lifetime", "user-context", NULL};
	for (int i = 0; keys[i]; i++)
		if (!strcmp(keys[i], key))
			return true;
	return false;
}

static int import_pool(kimp *k, ipam__dhcp_scope *s, const cJSON *e, const char *where)
{
	const char *text = str_of(e, "pool");
	char range[200];
	ipam_prefix p;
	if (!text)
		return ipam__error(IPAM_EINVAL, "%s: %s: a pool without \"pool\"", k->file, where);
	if (strchr(text, '/') && !ipam_prefix_parse(&p, text, IPAM_PARSE_DEFAULT)) {
		char a[64], b[64];
		ipam_addr last;
		ipam_prefix_last(&last, &p);
		ipam_addr_format(a, sizeof a, &p.addr);
		ipam_addr_format(b, sizeof b, &last);
		snprintf(range, sizeof range, "%s-%s", a, b);
	} else {
		snprintf(range, sizeof range, "%s", text);
	}
	ipam__dhcp_pool *pool;
	int rc = ipam__dhcp_pool_add(s, range, &pool);
	if (rc)
		return wrap(k, rc, where);
	if ((rc = import_opts(k, &pool->opts, e, where)))
		return rc;
	cJSON *extra = cJSON_Duplicate(e, true);
	if (!extra)
		return ipam__enomem();
	cJSON_DeleteItemFromObjectCaseSensitive(extra, "pool");
	cJSON_DeleteItemFromObjectCaseSensitive(extra, "option-data");
	if (extra->child && !(pool->extra = cJSON_PrintUnformatted(extra)))
		rc = ipam__enomem();
	cJSON_Delete(extra);
	return rc;
}

static int import_resv(kimp *k, ipam__dhcp_scope *s, const cJSON *e, const char *where)
{
	const char *addr = str_of(e, k->family == IPAM_AF_INET ? "ip-address" : NULL);
	if (k->family == IPAM_AF_INET6) {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(e, "ip-addresses");
		const cJSON *first = cJSON_GetArrayItem(list, 0);
		addr = cJSON_IsString(first) ? first->valuestring : NULL;
		if (cJSON_GetArraySize(list) > 1)
			note(k, "%s: only the first of %d addresses is taken", where, cJSON_GetArraySize(list));
	}
	static const char *const ids[][2] = {{"hw-address", "mac:"}, {"client-id", "client-id:"}, {"duid", "duid:"},
					     {"circuit-id", "circuit-id:"}};
	char ident[300] = "";
	for (size_t i = 0; i < sizeof ids / sizeof ids[0] && !ident[0]; i++) {
		const char *v = str_of(e, ids[i][0]);
		if (v)
			snprintf(ident, sizeof ident, "%s%s", ids[i][1], v);
	}
	if (!addr)
		return note(k, "%s: a reservation without an address (%s) is not modelled; skipped", where,
			    ident[0] ? ident : "no identifier");
	if (!ident[0])
		return note(k, "%s: reservation %s: its identifier (flex-id?) is not modelled; skipped", where, addr);
	ipam__dhcp_resv *r;
	int rc = ipam__dhcp_resv_add(s, addr, ident, str_of(e, "hostname"), &r);
	if (rc)
		return wrap(k, rc, where);
	return import_opts(k, &r->opts, e, where);
}

static int import_subnet(kimp *k, const cJSON *sn, const char *shared, const char *where)
{
	uint32_t id;
	const char *pfx = str_of(sn, "subnet");
	if (!u32_of(sn, "id", &id) || id == 0 || !pfx)
		return ipam__error(IPAM_EINVAL, "%s: %s: a subnet needs an id and a \"subnet\"", k->file, where);
	const cJSON *uc = cJSON_GetObjectItemCaseSensitive(sn, "user-context");
	const char *name = str_of(cJSON_GetObjectItemCaseSensitive(uc, "libipam"), "scope");
	char made[32];
	if (!name) {
		snprintf(made, sizeof made, "kea%c-%u", k->family == IPAM_AF_INET ? '4' : '6', (unsigned)id);
		name = made;
	}
	ipam__dhcp_scope *s;
	int rc = ipam__dhcp_scope_add(k->c, name, pfx, id, &s);
	if (rc)
		return wrap(k, rc, where);
	if (s->prefix.addr.family != k->family)
		return ipam__error(IPAM_EINVAL, "%s: %s: %s is not of the section's family", k->file, where, pfx);
	u32_of(sn, "valid-lifetime", &s->valid);
	u32_of(sn, "renew-timer", &s->renew);
	u32_of(sn, "rebind-timer", &s->rebind);
	u32_of(sn, "preferred-lifetime", &s->preferred);
	const char *desc = str_of(uc, "description");
	if ((desc && !(s->description = ipam__strdup(desc))) || (shared && !(s->shared_network = ipam__strdup(shared))))
		return IPAM_ENOMEM;
	char w[256];
	int i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(sn, "pools"))
	{
		snprintf(w, sizeof w, "%s/pools[%d]", where, i++);
		if ((rc = import_pool(k, s, e, w)))
			return rc;
	}
	if ((rc = import_opts(k, &s->opts, sn, where)))
		return rc;
	i = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(sn, "reservations"))
	{
		snprintf(w, sizeof w, "%s/reservations[%d]", where, i++);
		if ((rc = import_resv(k, s, e, w)))
			return rc;
	}
	/* the rest is kept for Kea: other subnet keys, the user context less
	 * libipam's own mark and the description */
	cJSON *extra = cJSON_CreateObject();
	if (!extra)
		return ipam__enomem();
	cJSON_ArrayForEach(e, sn)
	{
		if (!modelled(e->string))
			cJSON_AddItemToObject(extra, e->string, cJSON_Duplicate(e, true));
	}
	if (cJSON_IsObject(uc)) {
		cJSON *rest = cJSON_Duplicate(uc, true);
		cJSON_DeleteItemFromObjectCaseSensitive(rest, "libipam");
		cJSON_DeleteItemFromObjectCaseSensitive(rest, "description");
		if (rest && rest->child)
			cJSON_AddItemToObject(extra, "user-context", rest);
		else
			cJSON_Delete(rest);
	}
	if (extra->child && !(s->extra = cJSON_PrintUnformatted(extra)))
		rc = ipam__enomem();
	cJSON_Delete(extra);
	return rc;
}

static int import_family(kimp *k, const cJSON *dhcp, const char *top)
{
	const char *key = k->family == IPAM_AF_INET ? "subnet4" : "subnet6";
	int rc = import_defs(k, dhcp, top);
	uint32_t valid;
	if (!rc && u32_of(dhcp, "valid-lifetime", &valid))
		*(k->family == IPAM_AF_INET ? &k->c->valid4 : &k->c->valid6) = valid;
	if (!rc)
		rc = import_opts(k, k->family == IPAM_AF_INET ? &k->c->global4 : &k->c->global6, dhcp, top);
	char w[256];
	int i = 0, j;
	const cJSON *e, *net;
	if (rc)
		return rc;
	cJSON_ArrayForEach(net, cJSON_GetObjectItemCaseSensitive(dhcp, "shared-networks"))
	{
		const char *name = str_of(net, "name");
		j = 0;
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(net, key))
		{
			snprintf(w, sizeof w, "%s/shared-networks[%d]/%s[%d]", top, i, key, j++);
			if ((rc = import_subnet(k, e, name, w)))
				return rc;
		}
		i++;
	}
	i = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(dhcp, key))
	{
		snprintf(w, sizeof w, "%s/%s[%d]", top, key, i++);
		if ((rc = import_subnet(k, e, NULL, w)))
			return rc;
	}
	return rc;
}

int ipam__dhcp_import_kea(ipam__dhcp_config *c, const char *text, size_t len, const char *file, ipam_buf *notes)
{
	kimp k = {c, file ? file : "kea config", 0, notes};
	char *clean = strip_comments(text, len);
	if (!clean)
		return ipam__enomem();
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(clean, len, &end, 0);
	int rc = 0;
	if (!cJSON_IsObject(root)) {
		size_t line = 1;
		for (const char *p = clean; end && p < end && p < clean + len; p++)
			line += *p == '\n';
		rc = ipam__error(IPAM_EINVAL, "%s:%zu: not a JSON object (Kea config)", k.file, line);
	}
	const cJSON *d4 = rc ? NULL : cJSON_GetObjectItemCaseSensitive(root, "Dhcp4");
	const cJSON *d6 = rc ? NULL : cJSON_GetObjectItemCaseSensitive(root, "Dhcp6");
	if (!rc && !cJSON_IsObject(d4) && !cJSON_IsObject(d6))
		rc = ipam__error(IPAM_EINVAL, "%s: no Dhcp4 or Dhcp6 object", k.file);
	if (!rc && cJSON_IsObject(d4)) {
		k.family = IPAM_AF_INET;
		rc = import_family(&k, d4, "Dhcp4");
	}
	if (!rc && cJSON_IsObject(d6)) {
		k.family = IPAM_AF_INET6;
		rc = import_family(&k, d6, "Dhcp6");
	}
	cJSON_Delete(root);
	free(clean);
	return rc;
}
