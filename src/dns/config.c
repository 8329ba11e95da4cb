/* Server configuration for the stored zones: named.conf (with views) and a
 * CoreDNS Corefile, and the file name each zone's file goes by.
 *
 * The zones are read from their stored objects' keys alone: "ORIGIN" for
 * the default view, "ORIGIN VIEW" otherwise (zone_key in stored.c); an
 * origin holds no space. */
#include "dns/dns.h"
#include "db/db.h"
#include "db/obj.h"
#include "ipam/dns.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_VIEW "default"

static const uint8_t no_parent[16];

typedef struct czone {
	char *origin, *view, *file;
} czone;

typedef struct czones {
	czone *v;
	size_t n, cap;
	const char *dir;
} czones;

static void czones_free(czones *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].origin);
		free(l->v[i].view);
		free(l->v[i].file);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* The file name of (origin, view): origin absolute, lower case. */
static int file_name(ipam_buf *out, const char *dir, const char *origin, const char *view)
{
	int rc = 0;
	if (dir && *dir)
		rc = ipam__buf_printf(out, "%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/");
	size_t n = strlen(origin);
	if (n && origin[n - 1] == '.')
		n--;
	if (!rc && !n)
		rc = ipam__buf_put(out, "root", 4);
	for (size_t i = 0; !rc && i < n; i++)
		rc = ipam__buf_put(out, origin[i] == '/' ? "_" : &origin[i], 1);
	if (!rc && view && strcmp(view, DEFAULT_VIEW))
		rc = ipam__buf_printf(out, "@%s", view);
	return rc ? rc : ipam__buf_put(out, ".zone", 5);
}

int ipam_zone_file_name(ipam_buf *out, const char *zone, const char *view)
{
	if (!out || !zone)
		return ipam__error(IPAM_EINVAL, "zone file name: no zone or output");
	int rc = view ? ipam__dns_check_view(view) : 0;
	ipam__dns_zone *z = NULL;
	if (!rc)
		rc = ipam__dns_zone_new(&z, zone);
	ipam_buf origin = IPAM_BUF_INIT, b = IPAM_BUF_INIT;
	if (!rc)
		rc = ipam__dns_name_put(&origin, z->origin);
	ipam__dns_zone_free(z);
	if (!rc) {
		for (size_t i = 0; i < origin.size; i++)
			origin.ptr[i] = (char)tolower((unsigned char)origin.ptr[i]);
		rc = file_name(&b, NULL, origin.ptr, view);
	}
	ipam_buf_dispose(&origin);
	if (rc) {
		ipam_buf_dispose(&b);
		return rc;
	}
	ipam_buf_dispose(out);
	*out = b;
	return 0;
}

static int collect(void *ctx, const ipam__obj *o)
{
	czones *l = ctx;
	if (l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 16;
		czone *p = realloc(l->v, c * sizeof *p);
		if (!p)
			return ipam__enomem();
		l->v = p;
		l->cap = c;
	}
	const char *sp = strchr(o->name, ' ');
	czone *z = &l->v[l->n];
	memset(z, 0, sizeof *z);
	z->origin = sp ? strndup(o->name, (size_t)(sp - o->name)) : ipam__strdup(o->name);
	z->view = ipam__strdup(sp ? sp + 1 : DEFAULT_VIEW);
	ipam_buf f = IPAM_BUF_INIT;
	int rc = z->origin && z->view ? file_name(&f, l->dir, z->origin, z->view) : ipam__enomem();
	z->file = f.ptr;
	l->n++; /* freed with the rest, whatever happened */
	return rc;
}

static int by_view_name(const void *a, const void *b)
{
	const czone *x = a, *y = b;
	int c = strcmp(x->view, y->view);
	return c ? c : strcmp(x->origin, y->origin);
}

/* One element of a match list into named's syntax ("10.0.0.0/8;"). */
static int match_item(ipam_buf *out, const char *item, size_t n, const char *view)
{
	char t[200];
	while (n && isspace((unsigned char)*item))
		item++, n--;
	while (n && isspace((unsigned char)item[n - 1]))
		n--;
	if (!n || n >= sizeof t)
		return ipam__error(IPAM_EINVAL, "view %s: an empty or overlong element in its match list", view);
	memcpy(t, item, n);
	t[n] = '\0';
	const char *e = t[0] == '!' ? t + 1 : t;
	const char *neg = t[0] == '!' ? "!" : "";
	if (!strcmp(e, "any") || !strcmp(e, "none") || !strcmp(e, "localhost") || !strcmp(e, "localnets"))
		return ipam__buf_printf(out, " %s%s;", neg, e);
	if (!strncmp(e, "key:", 4)) {
		const char *k = e + 4;
		bool good = *k != '\0';
		for (const char *p = k; *p; p++)
			good = good && (isalnum((unsigned char)*p) || strchr("-_.", *p));
		if (!good)
			return ipam__error(IPAM_EINVAL, "view %s: \"%s\": a key name has letters, digits and -_. only", view, t);
		return ipam__buf_printf(out, " %skey \"%s\";", neg, k);
	}
	ipam_prefix p;
	ipam_addr a;
	char txt[IPAM_PREFIX_STRLEN];
	if (strchr(e, '/')) {
		if (ipam_prefix_parse(&p, e, 0))
			return ipam__error(IPAM_EINVAL, "view %s: \"%s\": %s", view, t, ipam_error_last()->message);
		ipam_prefix_format(txt, sizeof txt, &p);
	} else {
		if (ipam_addr_parse(&a, e))
			return ipam__error(IPAM_EINVAL,
			                   "view %s: \"%s\" is no address, prefix, any, none, localhost, localnets or key:NAME",
			                   view, t);
		ipam_addr_format(txt, sizeof txt, &a);
	}
	return ipam__buf_printf(out, " %s%s;", neg, txt);
}

/* The views in the order named tries them, each with its match text. */
typedef struct vmatch {
	char view[64];
	ipam_buf match;
	bool used;
} vmatch;

static int parse_matches(vmatch **out, size_t *nout, const ipam_dns_config_options *o)
{
	size_t n = o->nview_match;
	vmatch *v = calloc(n + 1, sizeof *v);
	if (!v)
		return ipam__enomem();
	*out = v;
	*nout = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = o->view_match[i], *eq = s ? strchr(s, '=') : NULL;
		if (!eq || eq == s || (size_t)(eq - s) >= sizeof v[i].view)
			return ipam__error(IPAM_EINVAL, "view match %zu: \"%s\" is not VIEW=LIST", i + 1, s ? s : "(null)");
		memcpy(v[i].view, s, (size_t)(eq - s));
		v[i].view[eq - s] = '\0';
		*nout = i + 1;
		int rc = ipam__dns_check_view(v[i].view);
		for (size_t j = 0; !rc && j < i; j++)
			if (!strcmp(v[j].view, v[i].view))
				rc = ipam__error(IPAM_EINVAL, "view %s: two match lists", v[i].view);
		for (const char *p = eq + 1; !rc;) {
			const char *c = strchr(p, ',');
			size_t len = c ? (size_t)(c - p) : strlen(p);
			rc = match_item(&v[i].match, p, len, v[i].view);
			if (!c)
				break;
			p = c + 1;
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* v has room for every given list and "default": cap = nview_match + 1 */
static void matches_free(vmatch *v, size_t cap)
{
	for (size_t i = 0; v && i < cap; i++)
		ipam_buf_dispose(&v[i].match);
	free(v);
}

/* The zones of one view as the renderers take them. */
static int view_zones(ipam__dns_conf_zone **out, size_t *nout, const czones *l, const char *view)
{
	*out = calloc(l->n + 1, sizeof **out);
	*nout = 0;
	if (!*out)
		return ipam__enomem();
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].view, view)) {
			(*out)[*nout].origin = l->v[i].origin;
			(*out)[(*nout)++].file = l->v[i].file;
		}
	return 0;
}

static int render_named(ipam_buf *out, const czones *l, const ipam_dns_config_options *o)
{
	vmatch *m = NULL;
	size_t nm = 0;
	int rc = parse_matches(&m, &nm, o);
	bool views = nm > 0;
	for (size_t i = 0; !rc && i < l->n; i++)
		views = views || strcmp(l->v[i].view, DEFAULT_VIEW);
	ipam__dns_conf_zone *z = NULL;
	size_t nz = 0;
	if (!rc && !views) {
		if (!(rc = view_zones(&z, &nz, l, DEFAULT_VIEW)))
			rc = ipam__dns_render_named_conf(out, z, nz, o->update_key);
		free(z);
		matches_free(m, o->nview_match + 1);
		return rc;
	}
	/* every view with zones needs its list; "default" matches any unless given */
	bool has_default = false;
	for (size_t i = 0; !rc && i < nm; i++)
		has_default = has_default || !strcmp(m[i].view, DEFAULT_VIEW);
	if (!rc && !has_default) {
		snprintf(m[nm].view, sizeof m[nm].view, "%s", DEFAULT_VIEW);
		rc = ipam__buf_put(&m[nm].match, " any;", 5);
		nm++;
	}
	for (size_t i = 0; !rc && i < l->n; i++) {
		bool found = false;
		for (size_t j = 0; j < nm && !found; j++)
			found = !strcmp(m[j].view, l->v[i].view);
		if (!found)
			rc = ipam__error(IPAM_EINVAL,
			                 "view %s has zones (%s) but no match list: give \"%s=ADDRESSES\" to say which "
			                 "clients it answers",
			                 l->v[i].view, l->v[i].origin, l->v[i].view);
	}
	for (size_t j = 0; !rc && j < nm; j++) {
		if ((rc = view_zones(&z, &nz, l, m[j].view)))
			break;
		if (nz || strcmp(m[j].view, DEFAULT_VIEW))
			rc = ipam__dns_render_named_view(out, m[j].view, m[j].match.ptr + 1, z, nz, o->update_key);
		free(z);
		z = NULL;
	}
	matches_free(m, o->nview_match + 1);
	return rc;
}

int ipam_dns_config(ipam_buf *out, ipam_db *db, const ipam_dns_config_options *opts)
{
	if (!out || !db || !opts)
		return ipam__error(IPAM_EINVAL, "dns config: no database, options or output");
	int rc = ipam__check_version(opts->version, IPAM_DNS_CONFIG_OPTIONS_VERSION, "ipam_dns_config_options");
	if (rc)
		return rc;
	if (opts->format != IPAM_DNS_CONFIG_NAMED && opts->format != IPAM_DNS_CONFIG_COREFILE)
		return ipam__error(IPAM_EINVAL, "dns config: unknown format %d", opts->format);
	if (opts->view && (rc = ipam__dns_check_view(opts->view)))
		return rc;
	if (opts->dir && strpbrk(opts->dir, "\"\\\n\r{}"))
		return ipam__error(IPAM_EINVAL, "dns config: the directory holds a quote, backslash, brace or newline");
	czones l = { NULL, 0, 0, opts->dir };
	ipam__scope sc;
	if ((rc = ipam__enter(db, 0, &sc)))
		return rc;
	rc = ipam__leave(db, &sc, ipam__obj_each(db, IPAM_STORE_ZONE, no_parent, collect, &l));
	if (!rc && l.n) /* qsort wants an array, even of none */
		qsort(l.v, l.n, sizeof *l.v, by_view_name);
	ipam_buf b = IPAM_BUF_INIT;
	if (!rc && opts->format == IPAM_DNS_CONFIG_NAMED) {
		rc = render_named(&b, &l, opts);
	} else if (!rc) {
		ipam__dns_conf_zone *z = NULL;
		size_t nz = 0;
		if (!(rc = view_zones(&z, &nz, &l, opts->view ? opts->view : DEFAULT_VIEW)))
			rc = ipam__dns_render_corefile(&b, z, nz, opts->port, opts->listen);
		free(z);
	}
	czones_free(&l);
	if (!rc && !b.ptr)
		rc = ipam__buf_put(&b, "", 0);
	if (rc) {
		ipam_buf_dispose(&b);
		return rc;
	}
	ipam_buf_dispose(out);
	*out = b;
	return 0;
}
