/* Lease files: Kea's memfile CSV and ISC dhcpd.leases. Both are journals,
 * so a lease set keeps one entry per address (an open-addressing index from
 * address to position) and a later entry replaces the earlier one. */
#include "dhcp/dhcp.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* ---- the lease set ------------------------------------------------------------ */

typedef struct lease_index {
	size_t *slot; /* position + 1; 0: empty */
	size_t cap;   /* a power of two */
} lease_index;

static uint64_t addr_hash(const ipam_addr *a)
{
	uint64_t h = 1469598103934665603ull ^ a->family;
	for (int i = 0; i < 16; i++)
		h = (h ^ a->bytes[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

static void lease_clear(ipam__dhcp_lease *l)
{
	free(l->client_id);
	free(l->hostname);
	free(l->user_context);
	free(l->vendor_class);
	memset(l, 0, sizeof *l);
}

void ipam__dhcp_leases_free(ipam__dhcp_leases *l)
{
	for (size_t i = 0; i < l->n; i++)
		lease_clear(&l->v[i]);
	free(l->v);
	lease_index *x = l->index;
	if (x)
		free(x->slot);
	free(x);
	memset(l, 0, sizeof *l);
}

static int index_grow(ipam__dhcp_leases *l)
{
	lease_index *x = l->index;
	if (!x && !(x = l->index = calloc(1, sizeof *x)))
		return ipam__enomem();
	if ((l->n + 1) * 2 <= x->cap)
		return 0;
	size_t cap = x->cap ? 2 * x->cap : 64;
	size_t *slot = calloc(cap, sizeof *slot);
	if (!slot)
		return ipam__enomem();
	for (size_t i = 0; i < l->n; i++) {
		size_t h = (size_t)addr_hash(&l->v[i].addr) & (cap - 1);
		while (slot[h])
			h = (h + 1) & (cap - 1);
		slot[h] = i + 1;
	}
	free(x->slot);
	x->slot = slot;
	x->cap = cap;
	return 0;
}

/* The slot of `a`: holding it, or the empty one where it would go. */
static size_t *index_slot(const ipam__dhcp_leases *l, const ipam_addr *a)
{
	const lease_index *x = l->index;
	size_t h = (size_t)addr_hash(a) & (x->cap - 1);
	while (x->slot[h] && ipam_addr_cmp(&l->v[x->slot[h] - 1].addr, a) != 0)
		h = (h + 1) & (x->cap - 1);
	return &x->slot[h];
}

/* Drop the leases deleted while reading and index the rest again. */
static int compact(ipam__dhcp_leases *l)
{
	size_t w = 0;
	for (size_t i = 0; i < l->n; i++)
		if (!l->v[i].gone)
			l->v[w++] = l->v[i];
	if (w == l->n)
		return 0;
	l->n = w;
	lease_index *x = l->index;
	memset(x->slot, 0, x->cap * sizeof *x->slot);
	for (size_t i = 0; i < l->n; i++)
		*index_slot(l, &l->v[i].addr) = i + 1;
	return 0;
}

const ipam__dhcp_lease *ipam__dhcp_leases_find(const ipam__dhcp_leases *l, const ipam_addr *a)
{
	if (!l->index || l->n == 0)
		return NULL;
	size_t slot = *index_slot(l, a);
	return slot && !l->v[slot - 1].gone ? &l->v[slot - 1] : NULL;
}

/* Take `in` (its strings move over): replace the address's entry, add a new
 * one, or (drop) remove it. */
static int lease_put(ipam__dhcp_leases *l, ipam__dhcp_lease *in, bool drop)
{
	int rc = index_grow(l);
	if (rc) {
		lease_clear(in);
		return rc;
	}
	size_t *slot = index_slot(l, &in->addr);
	if (*slot && !drop) {
		lease_clear(&l->v[*slot - 1]);
		l->v[*slot - 1] = *in;
		return 0;
	}
	if (drop) {
		/* marked, and dropped by compact() at the end of the read: a
		 * deletion stays O(1) however long the journal */
		lease_clear(in);
		if (*slot) {
			ipam__dhcp_lease *old = &l->v[*slot - 1];
			ipam_addr a = old->addr;
			lease_clear(old);
			old->addr = a;
			old->gone = true;
		}
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		ipam__dhcp_lease *v = realloc(l->v, cap * sizeof *v);
		if (!v) {
			lease_clear(in);
			return ipam__enomem();
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = *in;
	*slot = ++l->n;
	return 0;
}

/* ---- Kea memfile CSV ------------------------------------------------------------ */

enum { K_ADDRESS, K_HWADDR, K_CLIENT_ID, K_DUID, K_VALID, K_EXPIRE, K_SUBNET, K_HOSTNAME, K_STATE, K_CONTEXT, K_N };
static const char *const kea_cols[K_N] = {"address",  "hwaddr",	"client_id", "duid",  "valid_lifetime",
					  "expire",   "subnet_id", "hostname",  "state", "user_context"};

/* A field without its '&#x2c' escapes; NULL when empty. */
static int unescape(char **out, const char *p, size_t len)
{
	*out = NULL;
	if (len == 0)
		return 0;
	char *s = malloc(len + 1), *w = s;
	if (!s)
		return ipam__enomem();
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '&' && len - i >= 5 && memcmp(p + i, "&#x2c", 5) == 0) {
			*w++ = ',';
			i += 4;
		} else {
			*w++ = p[i];
		}
	}
	*w = '\0';
	*out = s;
	return 0;
}

static int num_field(uint64_t *out, const char *p, size_t len, uint64_t max)
{
	uint64_t v = 0;
	if (len == 0 || len > 20)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)p[i]) || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int ipam__dhcp_leases_kea_csv(ipam__dhcp_leases *out, const char *text, size_t len, const char *file)
{
	int col[K_N];
	size_t ncols = 0, line = 0;
	const char *p = text, *end = text + len;
	for (int i = 0; i < K_N; i++)
		col[i] = -1;
	if (!file)
		file = "leases";
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *next = nl ? nl + 1 : end;
		line++;
		if (le > p && le[-1] == '\r')
			le--;
		if (le == p) {
			p = next;
			continue;
		}
		/* the fields of this line */
		const char *f[64];
		size_t fl[64], n = 0;
		for (const char *s = p;;) {
			const char *c = memchr(s, ',', (size_t)(le - s));
			if (n == 64)
				return ipam__error(IPAM_EINVAL, "%s:%zu: more than 64 columns", file, line);
			f[n] = s;
			fl[n++] = (size_t)((c ? c : le) - s);
			if (!c)
				break;
			s = c + 1;
		}
		p = next;
		if (ncols == 0) {
			ncols = n;
			for (size_t i = 0; i < n; i++)
				for (int k = 0; k < K_N; k++)
					if (strlen(kea_cols[k]) == fl[i] && memcmp(kea_cols[k], f[i], fl[i]) == 0)
						col[k] = (int)i;
			if (col[K_ADDRESS] < 0 || col[K_VALID] < 0 || col[K_EXPIRE] < 0)
				return ipam__error(IPAM_EINVAL,
						   "%s:%zu: not a Kea lease file header (address, valid_lifetime and "
						   "expire columns wanted)",
						   file, line);
			continue;
		}
		if (n != ncols)
			return ipam__error(IPAM_EINVAL, "%s:%zu: %zu fields, the header has %zu", file, line, n, ncols);
		ipam__dhcp_lease l;
		memset(&l, 0, sizeof l);
		uint64_t valid, expire, subnet = 0, state = 0;
		const char *bad = NULL;
		int c = col[K_ADDRESS];
		if (ipam_addr_parse_n(&l.addr, f[c], fl[c]))
			bad = kea_cols[K_ADDRESS];
		else if (num_field(&valid, f[col[K_VALID]], fl[col[K_VALID]], UINT32_MAX))
			bad = kea_cols[K_VALID];
		else if (num_field(&expire, f[col[K_EXPIRE]], fl[col[K_EXPIRE]], INT64_MAX / 2))
			bad = kea_cols[K_EXPIRE];
		else if (col[K_SUBNET] >= 0 && num_field(&subnet, f[col[K_SUBNET]], fl[col[K_SUBNET]], UINT32_MAX))
			bad = kea_cols[K_SUBNET];
		else if (col[K_STATE] >= 0 && num_field(&state, f[col[K_STATE]], fl[col[K_STATE]], 255))
			bad = kea_cols[K_STATE];
		if (!bad && col[K_HWADDR] >= 0 && fl[col[K_HWADDR]]) {
			char mac[64];
			size_t ml = fl[col[K_HWADDR]];
			if (ml >= sizeof mac)
				bad = kea_cols[K_HWADDR];
			else {
				memcpy(mac, f[col[K_HWADDR]], ml);
				mac[ml] = '\0';
				if (ipam_mac_parse(&l.mac, mac))
					bad = kea_cols[K_HWADDR];
			}
		}
		if (bad) {
			int k = 0;
			while (strcmp(kea_cols[k], bad))
				k++;
			return ipam__error(IPAM_EINVAL, "%s:%zu: %s: \"%.*s\" is not valid", file, line, bad,
					   (int)(fl[col[k]] > 80 ? 80 : fl[col[k]]), f[col[k]]);
		}
		int id = col[K_CLIENT_ID] >= 0 ? col[K_CLIENT_ID] : col[K_DUID];
		int rc = 0;
		if (id >= 0)
			rc = unescape(&l.client_id, f[id], fl[id]);
		if (!rc && col[K_HOSTNAME] >= 0)
			rc = unescape(&l.hostname, f[col[K_HOSTNAME]], fl[col[K_HOSTNAME]]);
		if (!rc && col[K_CONTEXT] >= 0)
			rc = unescape(&l.user_context, f[col[K_CONTEXT]], fl[col[K_CONTEXT]]);
		l.valid = (uint32_t)valid;
		l.ends = (int64_t)expire;
		l.starts = (int64_t)expire - (int64_t)valid;
		l.subnet_id = (uint32_t)subnet;
		l.state = (int)state;
		l.active = state != 2;
		if (rc || (rc = lease_put(out, &l, valid == 0))) {
			lease_clear(&l);
			return rc;
		}
	}
	return compact(out);
}

/* ---- Kea's lease*-get-all ---------------------------------------------------------- */

static int json_str(char **out, const cJSON *v)
{
	*out = NULL;
	if (!cJSON_IsString(v) || !*v->valuestring)
		return 0;
	return (*out = ipam__strdup(v->valuestring)) ? 0 : IPAM_ENOMEM;
}

static bool json_u32(uint32_t *out, const cJSON *v)
{
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > UINT32_MAX)
		return false;
	*out = (uint32_t)v->valuedouble;
	return true;
}

int ipam__dhcp_leases_kea_json(ipam__dhcp_leases *out, const char *text, size_t len, const char *what)
{
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, NULL, 0);
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "leases"), *e;
	int rc = 0;
	size_t i = 0;
	if (!cJSON_IsArray(list)) {
		cJSON_Delete(root);
		return ipam__error(IPAM_EINVAL, "%s: no \"leases\" list", what);
	}
	cJSON_ArrayForEach(e, list)
	{
		ipam__dhcp_lease l;
		memset(&l, 0, sizeof l);
		const cJSON *ip = cJSON_GetObjectItemCaseSensitive(e, "ip-address");
		const cJSON *hw = cJSON_GetObjectItemCaseSensitive(e, "hw-address");
		const cJSON *cltt = cJSON_GetObjectItemCaseSensitive(e, "cltt");
		uint32_t state = 0, valid = 0;
		if (!cJSON_IsString(ip) || ipam_addr_parse(&l.addr, ip->valuestring) ||
		    !json_u32(&valid, cJSON_GetObjectItemCaseSensitive(e, "valid-lft")) || !cJSON_IsNumber(cltt) ||
		    (hw && cJSON_IsString(hw) && *hw->valuestring && ipam_mac_parse(&l.mac, hw->valuestring))) {
			rc = ipam__error(IPAM_EINVAL, "%s: lease %zu: ip-address, hw-address, valid-lft or cltt is wrong",
					 what, i);
			break;
		}
		json_u32(&l.subnet_id, cJSON_GetObjectItemCaseSensitive(e, "subnet-id"));
		json_u32(&state, cJSON_GetObjectItemCaseSensitive(e, "state"));
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "client-id");
		const cJSON *uc = cJSON_GetObjectItemCaseSensitive(e, "user-context");
		if (!id)
			id = cJSON_GetObjectItemCaseSensitive(e, "duid");
		l.valid = valid;
		l.starts = (int64_t)cltt->valuedouble;
		l.ends = l.starts + valid;
		l.state = (int)state;
		l.active = state != 2;
		if ((rc = json_str(&l.client_id, id)) ||
		    (rc = json_str(&l.hostname, cJSON_GetObjectItemCaseSensitive(e, "hostname"))) ||
		    (uc && !(l.user_context = cJSON_PrintUnformatted(uc)) && (rc = ipam__enomem())) ||
		    (rc = lease_put(out, &l, valid == 0))) {
			lease_clear(&l);
			break;
		}
		i++;
	}
	cJSON_Delete(root);
	return rc ? rc : compact(out);
}

/* ---- ISC dhcpd.leases ------------------------------------------------------------- */

/* "W YYYY/MM/DD HH:MM:SS;", "never;" or "epoch N;" */
static int lease_time(ipam__dhcp_lexer *x, int64_t *out, const char *field)
{
	int rc = ipam__dhcp_lex_expect(x, field);
	if (rc)
		return rc;
	if (ipam__dhcp_lex_is(x, "never")) {
		*out = -1;
	} else if (ipam__dhcp_lex_is(x, "epoch")) {
		uint64_t v;
		if ((rc = ipam__dhcp_lex_expect(x, field)) || num_field(&v, x->tok, x->len, INT64_MAX / 2))
			return rc ? rc : ipam__error(IPAM_EINVAL, "%s:%zu: %s: bad epoch", x->file, x->line, field);
		*out = (int64_t)v;
	} else {
		char date[64] = "", tm_text[64] = "";
		if (x->len != 1 || !isdigit((unsigned char)x->tok[0]) || (rc = ipam__dhcp_lex_expect(x, field)) ||
		    snprintf(date, sizeof date, "%s", x->tok) < 0 || (rc = ipam__dhcp_lex_expect(x, field)) ||
		    snprintf(tm_text, sizeof tm_text, "%s", x->tok) < 0)
			return rc ? rc : ipam__error(IPAM_EINVAL, "%s:%zu: %s: \"%s\" is not a time", x->file, x->line,
						     field, x->tok);
		struct tm t;
		memset(&t, 0, sizeof t);
		char extra;
		if (sscanf(date, "%d/%d/%d%c", &t.tm_year, &t.tm_mon, &t.tm_mday, &extra) != 3 ||
		    sscanf(tm_text, "%d:%d:%d%c", &t.tm_hour, &t.tm_min, &t.tm_sec, &extra) != 3 || t.tm_year < 1970 ||
		    t.tm_year > 9999 || t.tm_mon < 1 || t.tm_mon > 12 || t.tm_mday < 1 || t.tm_mday > 31 ||
		    t.tm_hour > 23 || t.tm_hour < 0 || t.tm_min < 0 || t.tm_min > 59 || t.tm_sec < 0 || t.tm_sec > 60)
			return ipam__error(IPAM_EINVAL, "%s:%zu: %s: \"%s %s\" is not a time", x->file, x->line, field,
					   date, tm_text);
		t.tm_year -= 1900;
		t.tm_mon -= 1;
		*out = (int64_t)timegm(&t);
	}
	if ((rc = ipam__dhcp_lex_expect(x, field)))
		return rc;
	return ipam__dhcp_lex_is(x, ";") ? 0 : ipam__error(IPAM_EINVAL, "%s:%zu: %s: ';' wanted", x->file, x->line, field);
}

/* A string token or hex octets "01:02:..": hex with ':' into *out. */
static int octets(ipam__dhcp_lexer *x, char **out)
{
	ipam_buf b = IPAM_BUF_INIT;
	int rc = 0;
	free(*out);
	*out = NULL;
	if (x->string) {
		for (size_t i = 0; !rc && i < x->len; i++)
			rc = ipam__buf_printf(&b, "%s%02x", i ? ":" : "", (unsigned char)x->tok[i]);
	} else {
		rc = ipam__buf_put(&b, x->tok, x->len);
	}
	if (rc)
		return rc;
	*out = b.ptr;
	return 0;
}

static int one_lease(ipam__dhcp_lexer *x, ipam__dhcp_leases *out)
{
	ipam__dhcp_lease l;
	memset(&l, 0, sizeof l);
	l.state = -1;
	int rc = ipam__dhcp_lex_expect(x, "a lease");
	if (rc)
		return rc;
	if (ipam_addr_parse(&l.addr, x->tok) || l.addr.family != IPAM_AF_INET)
		return ipam__error(IPAM_EINVAL, "%s:%zu: lease: \"%s\" is not an IPv4 address", x->file, x->line, x->tok);
	if ((rc = ipam__dhcp_lex_expect(x, "a lease")) || !ipam__dhcp_lex_is(x, "{"))
		return rc ? rc : ipam__error(IPAM_EINVAL, "%s:%zu: lease: '{' wanted", x->file, x->line);
	for (;;) {
		if ((rc = ipam__dhcp_lex_expect(x, "a lease")))
			break;
		if (ipam__dhcp_lex_is(x, "}"))
			break;
		if (ipam__dhcp_lex_is(x, "starts") || ipam__dhcp_lex_is(x, "ends")) {
			bool starts = ipam__dhcp_lex_is(x, "starts");
			rc = lease_time(x, starts ? &l.starts : &l.ends, starts ? "starts" : "ends");
		} else if (ipam__dhcp_lex_is(x, "binding")) {
			if (!(rc = ipam__dhcp_lex_expect(x, "binding state")) && !(rc = ipam__dhcp_lex_expect(x, "binding state"))) {
				size_t n = x->len < sizeof l.binding - 1 ? x->len : sizeof l.binding - 1;
				memcpy(l.binding, x->tok, n);
				l.binding[n] = '\0';
				rc = ipam__dhcp_lex_expect(x, "binding state");
				if (!rc && !ipam__dhcp_lex_is(x, ";"))
					rc = ipam__error(IPAM_EINVAL, "%s:%zu: binding state: ';' wanted", x->file, x->line);
			}
		} else if (ipam__dhcp_lex_is(x, "hardware")) {
			if (!(rc = ipam__dhcp_lex_expect(x, "hardware")) && !(rc = ipam__dhcp_lex_expect(x, "hardware"))) {
				if (ipam_mac_parse(&l.mac, x->tok))
					rc = ipam__error(IPAM_EINVAL, "%s:%zu: hardware: \"%s\" is not a MAC address",
							 x->file, x->line, x->tok);
				else if (!(rc = ipam__dhcp_lex_expect(x, "hardware")) && !ipam__dhcp_lex_is(x, ";"))
					rc = ipam__error(IPAM_EINVAL, "%s:%zu: hardware: ';' wanted", x->file, x->line);
			}
		} else if (ipam__dhcp_lex_is(x, "uid")) {
			if (!(rc = ipam__dhcp_lex_expect(x, "uid")) && !(rc = octets(x, &l.client_id)))
				rc = ipam__dhcp_lex_expect(x, "uid");
		} else if (ipam__dhcp_lex_is(x, "client-hostname")) {
			if (!(rc = ipam__dhcp_lex_expect(x, "client-hostname"))) {
				free(l.hostname);
				l.hostname = ipam__strdup(x->tok);
				rc = l.hostname ? ipam__dhcp_lex_expect(x, "client-hostname") : IPAM_ENOMEM;
			}
		} else if (ipam__dhcp_lex_is(x, "dynamic-bootp")) {
			l.bootp = true;
			rc = ipam__dhcp_lex_expect(x, "dynamic-bootp");
		} else if (ipam__dhcp_lex_is(x, "set")) {
			/* set NAME = "value"; (only vendor-class-identifier is kept) */
			bool vci = !(rc = ipam__dhcp_lex_expect(x, "set")) && ipam__dhcp_lex_is(x, "vendor-class-identifier");
			if (!rc && !(rc = ipam__dhcp_lex_expect(x, "set")) && ipam__dhcp_lex_is(x, "=") && !(rc = ipam__dhcp_lex_expect(x, "set")) && vci) {
				free(l.vendor_class);
				if (!(l.vendor_class = ipam__strdup(x->tok)))
					rc = IPAM_ENOMEM;
			}
			if (!rc && !ipam__dhcp_lex_is(x, ";"))
				rc = ipam__dhcp_lex_skip(x);
		} else if (!ipam__dhcp_lex_is(x, ";")) {
			rc = ipam__dhcp_lex_skip(x);
		}
		if (rc)
			break;
	}
	if (rc) {
		lease_clear(&l);
		return rc;
	}
	l.active = strcmp(l.binding, "active") == 0;
	if (!l.binding[0])
		l.active = true; /* dhcpd before 3.0 had no binding states */
	return lease_put(out, &l, false);
}

int ipam__dhcp_leases_dhcpd(ipam__dhcp_leases *out, const char *text, size_t len, const char *file)
{
	ipam__dhcp_lexer x = {.p = text, .end = text + len, .file = file ? file : "dhcpd.leases", .line = 1};
	for (;;) {
		int rc = ipam__dhcp_lex(&x);
		if (rc <= 0)
			return rc;
		if (ipam__dhcp_lex_is(&x, "lease"))
			rc = one_lease(&x, out);
		else
			rc = ipam__dhcp_lex_skip(&x);
		if (rc)
			return rc;
	}
}
