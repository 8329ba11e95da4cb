/* ipam_dhcp_import: a running server's config (import_kea.c,
 * import_dhcpd.c) into the store, in one transaction. The imported model
 * is merged into the stored one: definitions first (every option needs
 * them), then the global options and lease times, then each scope, carried
 * over in its stored form so that it is checked again against what is
 * stored (names, prefixes, subnet ids), and saved with its ranges and
 * addresses. */
#include "dhcp/world.h"

#include <ipam/dhcp.h>
#include <stdio.h>
#include <stdlib.h>

int ipam_dhcp_import_options_init(ipam_dhcp_import_options *opts, unsigned int version)
{
	if (!opts)
		return ipam__error(IPAM_EINVAL, "DHCP import options: NULL");
	int rc = ipam__check_version(version, IPAM_DHCP_IMPORT_OPTIONS_VERSION, "ipam_dhcp_import_options");
	if (rc)
		return rc;
	ipam_dhcp_import_options d = IPAM_DHCP_IMPORT_OPTIONS_INIT;
	*opts = d;
	return 0;
}

typedef struct import_ctx {
	const char *text, *file;
	size_t len;
	const ipam_dhcp_import_options *o;
	ipam_buf notes; /* this try's: a retried transaction starts them over */
	size_t nscopes;
} import_ctx;

/* Definitions and global options of `in` into `c`. */
static int merge_globals(ipam__dhcp_config *c, const ipam__dhcp_config *in)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < in->ndefs; i++) {
		const ipam__dhcp_optdef *d = &in->defs[i];
		char type[32];
		snprintf(type, sizeof type, "%s%s", ipam__dhcp_type_name(d->type), d->array ? "[]" : "");
		if (!ipam__dhcp_def_find(c, d->family, d->vendor, d->name))
			rc = ipam__dhcp_def_add(c, d->family, d->vendor, d->code, d->name, type);
	}
	const ipam__dhcp_optset *from[2] = {&in->global4, &in->global6};
	ipam__dhcp_optset *to[2] = {&c->global4, &c->global6};
	for (int f = 0; f < 2; f++)
		for (size_t i = 0; !rc && i < from[f]->n; i++) {
			const ipam__dhcp_opt *o = &from[f]->v[i];
			char code[16];
			snprintf(code, sizeof code, "%u", (unsigned)o->def->code);
			rc = ipam__dhcp_opt_set(c, to[f], o->def->family, o->def->vendor, code, o->value, "global options");
		}
	if (in->valid4)
		c->valid4 = in->valid4;
	if (in->valid6)
		c->valid6 = in->valid6;
	return rc;
}

static int import_txn(ipam_db *db, void *vctx)
{
	import_ctx *x = vctx;
	const ipam_dhcp_import_options *o = x->o;
	ipam__scope sc;
	ipam__dhcp_world w;
	ipam__dhcp_config *in = NULL;
	ipam__dhcp_scope **added = NULL;
	x->nscopes = 0;
	ipam_buf_dispose(&x->notes);
	int rc = ipam__enter(db, 1, &sc);
	if (rc)
		return rc;
	if ((rc = ipam__dhcp_world_load(db, &w, "")))
		return ipam__leave(db, &sc, rc);
	if (!ipam__space_find(db, o->space))
		rc = ipam__error(IPAM_ENOTFOUND, "DHCP import: no space %s", o->space ? o->space : "default");
	else if (o->server && !ipam__dhcp_server_find(w.c, o->server))
		rc = ipam__error(IPAM_ENOTFOUND, "DHCP import: no DHCP server %s", o->server);
	if (!rc && !(rc = ipam__dhcp_config_new(&in)))
		rc = o->format == IPAM_DHCP_IMPORT_DHCPD
			     ? ipam__dhcp_import_dhcpd(in, x->text, x->len, x->file, &x->notes)
			     : ipam__dhcp_import_kea(in, x->text, x->len, x->file, &x->notes);
	if (!rc)
		rc = merge_globals(w.c, in);
	if (!rc && in->nscopes && !(added = calloc(in->nscopes, sizeof *added)))
		rc = ipam__enomem();
	for (size_t i = 0; !rc && i < in->nscopes; i++) {
		char *json = NULL;
		const char *name = in->scopes[i]->name;
		if (!(rc = ipam__dhcp_scope_to_json(&json, in->scopes[i])) &&
		    !(rc = ipam__dhcp_scope_from_json(w.c, name, json, &added[i])) &&
		    !(rc = ipam__dhcp_world_place(&w, name, o->space)) && o->server)
			rc = ipam__dhcp_scope_serve(added[i], o->server) ? ipam__enomem() : 0;
		free(json);
	}
	if (!rc)
		rc = ipam__dhcp_config_check(w.c);
	if (!rc)
		rc = ipam__dhcp_option_sets_save(db, w.c);
	for (size_t i = 0; !rc && i < in->nscopes; i++)
		if (!(rc = ipam__dhcp_scope_save(db, added[i], o->space)))
			x->nscopes++;
	free(added);
	ipam__dhcp_config_free(in);
	ipam__dhcp_world_free(&w);
	return ipam__leave(db, &sc, rc);
}

int ipam_dhcp_import(ipam_buf *notes, size_t *nscopes, ipam_db *db, const char *text, size_t len, const char *file,
		     const ipam_dhcp_import_options *opts)
{
	if (!db || (!text && !file) || !opts)
		return ipam__error(IPAM_EINVAL, "DHCP import: no database, config or options");
	int rc = ipam__check_version(opts->version, IPAM_DHCP_IMPORT_OPTIONS_VERSION, "ipam_dhcp_import_options");
	if (rc)
		return rc;
	if (opts->format != IPAM_DHCP_IMPORT_KEA && opts->format != IPAM_DHCP_IMPORT_DHCPD)
		return ipam__error(IPAM_EINVAL, "DHCP import: unknown format %d", opts->format);
	ipam_buf read = IPAM_BUF_INIT;
	if (!text && (rc = ipam__dhcp_read_file(file, &read)))
		return rc;
	if (!text) {
		text = read.ptr ? read.ptr : "";
		len = read.size;
	}
	import_ctx x = {text, file ? file : "(config)", len, opts, IPAM_BUF_INIT, 0};
	rc = ipam__dhcp_run(db, import_txn, &x);
	ipam_buf_dispose(&read);
	if (!rc && notes && x.notes.size)
		rc = ipam__buf_put(notes, x.notes.ptr, x.notes.size);
	if (nscopes)
		*nscopes = rc ? 0 : x.nscopes;
	ipam_buf_dispose(&x.notes);
	return rc;
}
