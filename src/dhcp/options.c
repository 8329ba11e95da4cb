/* DHCP options: the built-in definitions, value checks and option sets. */
#include "dhcp/dhcp.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define V4 IPAM_AF_INET
#define V6 IPAM_AF_INET6

/* The options people set by hand, with Kea's names and types (Kea's
 * std_option_defs.h); dhcpd's name where it differs. */
static const ipam__dhcp_optdef builtin[] = {
	{"subnet-mask", 1, V4, IPAM__DHCP_IP, false, 0, NULL},
	{"routers", 3, V4, IPAM__DHCP_IP, true, 0, NULL},
	{"time-servers", 4, V4, IPAM__DHCP_IP, true, 0, NULL},
	{"domain-name-servers", 6, V4, IPAM__DHCP_IP, true, 0, NULL},
	{"log-servers", 7, V4, IPAM__DHCP_IP, true, 0, NULL},
	{"host-name", 12, V4, IPAM__DHCP_STRING, false, 0, NULL},
	{"domain-name", 15, V4, IPAM__DHCP_FQDN, false, 0, NULL},
	{"ip-forwarding", 19, V4, IPAM__DHCP_BOOL, false, 0, NULL},
	{"default-ip-ttl", 23, V4, IPAM__DHCP_U8, false, 0, NULL},
	{"interface-mtu", 26, V4, IPAM__DHCP_U16, false, 0, NULL},
	{"broadcast-address", 28, V4, IPAM__DHCP_IP, false, 0, NULL},
	{"ntp-servers", 42, V4, IPAM__DHCP_IP, true, 0, NULL},
	{"vendor-encapsulated-options", 43, V4, IPAM__DHCP_BINARY, false, 0, NULL},
	{"netbios-name-servers", 44, V4, IPAM__DHCP_IP, true, 0, NULL},
	{"netbios-node-type", 46, V4, IPAM__DHCP_U8, false, 0, NULL},
	{"tftp-server-name", 66, V4, IPAM__DHCP_STRING, false, 0, NULL},
	{"boot-file-name", 67, V4, IPAM__DHCP_STRING, false, 0, "bootfile-name"},
	{"domain-search", 119, V4, IPAM__DHCP_FQDN, true, 0, NULL},
	{"preference", 7, V6, IPAM__DHCP_U8, false, 0, NULL},
	{"sip-server-dns", 21, V6, IPAM__DHCP_FQDN, true, 0, NULL},
	{"sip-server-addr", 22, V6, IPAM__DHCP_IP, true, 0, NULL},
	{"dns-servers", 23, V6, IPAM__DHCP_IP, true, 0, NULL},
	{"domain-search", 24, V6, IPAM__DHCP_FQDN, true, 0, NULL},
	{"nis-servers", 27, V6, IPAM__DHCP_IP, true, 0, NULL},
	{"sntp-servers", 31, V6, IPAM__DHCP_IP, true, 0, NULL},
	{"information-refresh-time", 32, V6, IPAM__DHCP_U32, false, 0, NULL},
	{"bootfile-url", 59, V6, IPAM__DHCP_STRING, false, 0, NULL},
};

static const char *const type_names[] = {"ip", "string", "uint8", "uint16", "uint32", "bool", "fqdn", "binary"};

const char *ipam__dhcp_type_name(unsigned type)
{
	return type < sizeof(type_names) / sizeof(type_names[0]) ? type_names[type] : "?";
}

int ipam__dhcp_type_parse(unsigned *type, bool *array, const char *text)
{
	size_t len = strlen(text);
	*array = len > 2 && strcmp(text + len - 2, "[]") == 0;
	if (*array)
		len -= 2;
	for (unsigned i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strlen(type_names[i]) == len && strncmp(type_names[i], text, len) == 0) {
			*type = i;
			return 0;
		}
	return ipam__error(IPAM_EINVAL, "unknown option type \"%s\" (ip, string, uint8, uint16, uint32, bool, "
					"fqdn, binary; a list: type[])",
			   text);
}

/* A decimal code (1..65535) or -1. */
static long code_of(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return -1;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	return (*end || errno || v < 1 || v > 65535) ? -1 : v;
}

const ipam__dhcp_optdef *ipam__dhcp_optdef_builtin(unsigned family, const char *name)
{
	long code = code_of(name);
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		const ipam__dhcp_optdef *d = &builtin[i];
		if (d->family == family &&
		    (code >= 0 ? d->code == code : (strcmp(d->name, name) == 0 || (d->dhcpd && !strcmp(d->dhcpd, name)))))
			return d;
	}
	return NULL;
}

/* ---- value checks --------------------------------------------------------- */

static int bad(const ipam__dhcp_optdef *d, const char *what, const char *fmt, ...) IPAM__PRINTF(3, 4);
static int bad(const ipam__dhcp_optdef *d, const char *what, const char *fmt, ...)
{
	char reason[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	return ipam__error(IPAM_EINVAL, "%s: option %s (%s%u): %s", what ? what : "options", d->name,
			   d->vendor ? "vendor " : "", (unsigned)d->code, reason);
}

static bool fqdn_ok(const char *s)
{
	size_t len = strlen(s);
	if (len && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	size_t label = 0;
	for (size_t i = 0; i <= len; i++) {
		char ch = i < len ? s[i] : '.';
		if (ch == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
				return false;
			label = 0;
		} else if (isalnum((unsigned char)ch) || ch == '-' || ch == '_') {
			label++;
		} else {
			return false;
		}
	}
	return true;
}

static int check_item(ipam_buf *out, const ipam__dhcp_optdef *d, const char *item, const char *what)
{
	switch (d->type) {
	case IPAM__DHCP_IP: {
		ipam_addr a;
		char txt[64];
		if (ipam_addr_parse(&a, item) || a.family != d->family)
			return bad(d, what, d->family == V4 ? "\"%s\" is not an IPv4 address"
							    : "\"%s\" is not an IPv6 address",
				   item);
		ipam_addr_format(txt, sizeof txt, &a);
		return ipam__buf_put(out, txt, strlen(txt));
	}
	case IPAM__DHCP_STRING: {
		size_t len = strlen(item);
		if (len == 0 || len > 255)
			return bad(d, what, "a string of 1 to 255 characters is wanted, not \"%s\"", item);
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)item[i] < 0x20 || item[i] == 0x7f || item[i] == '"' || item[i] == '\\')
				return bad(d, what, "\"%s\" holds a control character, a quote or a backslash", item);
		return ipam__buf_put(out, item, len);
	}
	case IPAM__DHCP_U8:
	case IPAM__DHCP_U16:
	case IPAM__DHCP_U32: {
		unsigned long long max = d->type == IPAM__DHCP_U8 ? 255 : d->type == IPAM__DHCP_U16 ? 65535 : 4294967295ull;
		char *end;
		errno = 0;
		unsigned long long v = isdigit((unsigned char)*item) ? strtoull(item, &end, 10) : 0;
		if (!isdigit((unsigned char)*item) || *end || errno || v > max)
			return bad(d, what, d->type == IPAM__DHCP_U8    ? "\"%s\" is not a number from 0 to 255"
					    : d->type == IPAM__DHCP_U16 ? "\"%s\" is not a number from 0 to 65535"
									: "\"%s\" is not a number from 0 to 4294967295",
				   item);
		return ipam__buf_printf(out, "%llu", v);
	}
	case IPAM__DHCP_BOOL: {
		static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
		for (size_t i = 0; i < 4; i++) {
			if (strcasecmp(item, yes[i]) == 0)
				return ipam__buf_put(out, "true", 4);
			if (strcasecmp(item, no[i]) == 0)
				return ipam__buf_put(out, "false", 5);
		}
		return bad(d, what, "\"%s\" is not true or false", item);
	}
	case IPAM__DHCP_FQDN: {
		if (!fqdn_ok(item))
			return bad(d, what, "\"%s\" is not a domain name", item);
		size_t len = strlen(item);
		return ipam__buf_put(out, item, len > 1 && item[len - 1] == '.' ? len - 1 : len);
	}
	case IPAM__DHCP_BINARY: {
		size_t n = 0;
		for (const char *p = item; *p; p++) {
			if (*p == ':' && p != item && p[1])
				continue;
			if (!isxdigit((unsigned char)*p))
				return bad(d, what, "\"%s\" is not hex octets (0a:1b or 0a1b)", item);
			char c = (char)tolower((unsigned char)*p);
			if (ipam__buf_put(out, &c, 1))
				return IPAM_ENOMEM;
			n++;
		}
		if (n == 0 || n % 2)
			return bad(d, what, "\"%s\" is not whole hex octets", item);
		return 0;
	}
	}
	return bad(d, what, "type of \"%s\" unknown", item);
}

int ipam__dhcp_opt_check(char **out, const ipam__dhcp_optdef *d, const char *value, const char *what)
{
	ipam_buf b = IPAM_BUF_INIT;
	int rc = 0;
	if (!value)
		return bad(d, what, "no value");
	if (!d->array || d->type == IPAM__DHCP_STRING || d->type == IPAM__DHCP_BINARY) {
		rc = check_item(&b, d, value, what);
	} else {
		/* a list: items separated by commas, blanks around them ignored */
		const char *p = value;
		size_t count = 0;
		while (!rc) {
			while (*p == ' ' || *p == '\t')
				p++;
			const char *e = strchr(p, ',');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
				len--;
			char item[256];
			if (len == 0 || len >= sizeof item) {
				rc = bad(d, what, len ? "a list item is too long in \"%s\"" : "an empty list item in \"%s\"",
					 value);
				break;
			}
			memcpy(item, p, len);
			item[len] = '\0';
			if (count++ && ipam__buf_put(&b, ", ", 2))
				rc = IPAM_ENOMEM;
			else
				rc = check_item(&b, d, item, what);
			if (!e)
				break;
			p = e + 1;
		}
	}
	if (rc) {
		ipam_buf_dispose(&b);
		return rc;
	}
	*out = b.ptr;
	return 0;
}

/* ---- option sets ---------------------------------------------------------- */

void ipam__dhcp_optset_free(ipam__dhcp_optset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].value);
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* family 0: either (a set of one family, or the first of two) */
static ipam__dhcp_opt *find(const ipam__dhcp_optset *s, unsigned family, uint32_t vendor, uint16_t code)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].def->vendor == vendor && s->v[i].def->code == code &&
		    (!family || s->v[i].def->family == family))
			return &s->v[i];
	return NULL;
}

const ipam__dhcp_opt *ipam__dhcp_optset_get(const ipam__dhcp_optset *s, uint32_t vendor, uint16_t code)
{
	return find(s, 0, vendor, code);
}

/* Put an already checked value (copied). */
static int put_checked(ipam__dhcp_optset *s, const ipam__dhcp_optdef *def, const char *value)
{
	char *v = ipam__strdup(value);
	if (!v)
		return IPAM_ENOMEM;
	ipam__dhcp_opt *o = find(s, def->family, def->vendor, def->code);
	if (o) {
		free(o->value);
		o->def = def;
		o->value = v;
		return 0;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 4;
		ipam__dhcp_opt *nv = realloc(s->v, cap * sizeof *nv);
		if (!nv) {
			free(v);
			return ipam__enomem();
		}
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = (ipam__dhcp_opt){def, v};
	return 0;
}

int ipam__dhcp_optset_put(ipam__dhcp_optset *s, const ipam__dhcp_optdef *def, const char *value, const char *what)
{
	char *norm;
	int rc = ipam__dhcp_opt_check(&norm, def, value, what);
	if (rc)
		return rc;
	rc = put_checked(s, def, norm);
	free(norm);
	return rc;
}

bool ipam__dhcp_optset_del(ipam__dhcp_optset *s, uint32_t vendor, uint16_t code)
{
	ipam__dhcp_opt *o = find(s, 0, vendor, code);
	if (!o)
		return false;
	free(o->value);
	size_t i = (size_t)(o - s->v);
	memmove(o, o + 1, (s->n - i - 1) * sizeof *o);
	s->n--;
	return true;
}

int ipam__dhcp_optset_overlay(ipam__dhcp_optset *out, const ipam__dhcp_optset *base, const ipam__dhcp_optset *top,
			      unsigned family)
{
	ipam__dhcp_optset_free(out);
	const ipam__dhcp_optset *layer[2] = {base, top};
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; layer[l] && i < layer[l]->n; i++)
			if ((!family || layer[l]->v[i].def->family == family) &&
			    put_checked(out, layer[l]->v[i].def, layer[l]->v[i].value))
				return IPAM_ENOMEM;
	return 0;
}
