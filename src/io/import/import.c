/* The public import API (include/ipam/import.h): options, reading files
 * into the model by format, the one transaction that applies it, and the
 * report. */
#include "io/import/imp.h"
#include "io/io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct ipam_import {
	ipam_import_format format;
	unsigned int flags;
	char *space;
	char **map;
	size_t nmap;
	ipam__imp_model model;
	ipam__imp_result result;
	size_t parse_errors; /* errors found while reading, before apply */
	int applied;
	int unfinished; /* files wait for the format's finish step */
	uint64_t nread; /* files read, for progress */
};

typedef int (*parse_fn)(ipam__imp_model *m, const char *file, const char *data, size_t len);
typedef int (*finish_fn)(ipam__imp_model *m);

static const struct {
	const char *name;
	ipam_import_format format;
	parse_fn parse;
	finish_fn finish; /* once every file is read (NULL: nothing to do) */
} formats[] = {
	{ "netbox-csv", IPAM_IMPORT_NETBOX_CSV, ipam__imp_netbox_csv, NULL },
	{ "netbox-json", IPAM_IMPORT_NETBOX_JSON, ipam__imp_netbox_json, NULL },
	{ "infoblox", IPAM_IMPORT_INFOBLOX, ipam__imp_infoblox, NULL },
	{ "phpipam-sql", IPAM_IMPORT_PHPIPAM_SQL, ipam__imp_phpipam_sql, NULL },
	{ "bluecat", IPAM_IMPORT_BLUECAT, ipam__imp_bluecat, NULL },
	{ "phpipam-csv", IPAM_IMPORT_PHPIPAM_CSV, ipam__imp_phpipam_csv, ipam__imp_phpipam_csv_finish },
	{ "bind-zone", IPAM_IMPORT_BIND_ZONE, ipam__imp_bind_zone, NULL },
	{ "msdhcp-xml", IPAM_IMPORT_MSDHCP_XML, ipam__imp_msdhcp_xml, NULL },
	{ "msdhcp-netsh", IPAM_IMPORT_MSDHCP_NETSH, ipam__imp_msdhcp_netsh, NULL },
	{ "csv", IPAM_IMPORT_CSV, ipam__imp_mapped_csv, NULL },
};
#define NFORMATS (sizeof formats / sizeof formats[0])

int ipam_import_format_parse(ipam_import_format *out, const char *name)
{
	for (size_t i = 0; name && i < NFORMATS; i++)
		if (strcmp(formats[i].name, name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	char known[256] = "";
	for (size_t i = 0; i < NFORMATS; i++)
		snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "", formats[i].name);
	return ipam__error(IPAM_EINVAL, "unknown import format '%.60s' (known: %s)", name ? name : "(null)", known);
}

int ipam_import_options_init(ipam_import_options *opts, unsigned int version)
{
	if (!opts || version != IPAM_IMPORT_OPTIONS_VERSION)
		return ipam__error(IPAM_EINVAL, "ipam_import_options_init: unknown version %u", version);
	ipam_import_options o = IPAM_IMPORT_OPTIONS_INIT;
	*opts = o;
	return 0;
}

void ipam_import_free(ipam_import *imp)
{
	if (!imp)
		return;
	free(imp->space);
	for (size_t i = 0; i < imp->nmap; i++)
		free(imp->map[i]);
	free(imp->map);
	ipam__imp_model_dispose(&imp->model);
	free(imp);
}

int ipam_import_new(ipam_import **out, ipam_import_format format, const ipam_import_options *opts)
{
	ipam_import_options defaults = IPAM_IMPORT_OPTIONS_INIT;
	size_t f;
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != IPAM_IMPORT_OPTIONS_VERSION)
		return ipam__error(IPAM_EINVAL, "ipam_import_new: unknown options version %u", opts->version);
	for (f = 0; f < NFORMATS && formats[f].format != format; f++)
		;
	if (f == NFORMATS)
		return ipam__error(IPAM_EINVAL, "ipam_import_new: unknown format %d", (int)format);
	for (size_t i = 0; i < opts->nspace_map; i++) {
		const char *w = opts->space_map[i], *eq = w ? strchr(w, '=') : NULL;
		if (!eq || eq == w || !eq[1])
			return ipam__error(IPAM_EINVAL, "space map '%.100s': expected SOURCE=SPACE", w ? w : "(null)");
	}
	ipam_import *imp = calloc(1, sizeof *imp);
	if (!imp)
		return ipam__enomem();
	imp->format = format;
	imp->flags = opts->flags;
	ipam__imp_model_init(&imp->model);
	if ((opts->space && !(imp->space = ipam__strdup(opts->space))) ||
	    (opts->nspace_map && !(imp->map = calloc(opts->nspace_map, sizeof *imp->map)))) {
		ipam_import_free(imp);
		return ipam__enomem();
	}
	for (size_t i = 0; i < opts->nspace_map; i++) {
		if (!(imp->map[i] = ipam__strdup(opts->space_map[i]))) {
			ipam_import_free(imp);
			return IPAM_ENOMEM;
		}
		imp->nmap++;
	}
	*out = imp;
	return 0;
}

int ipam_import_add_buffer(ipam_import *imp, const char *name, const char *data, size_t len)
{
	if (imp->applied)
		return ipam__error(IPAM_EINVAL, "ipam_import_add_buffer: the import was applied already");
	const char *file = ipam__imp_file(&imp->model, name ? name : "(buffer)");
	if (!file)
		return IPAM_ENOMEM;
	int rc = ipam__imp_utf8(file, data, len);
	for (size_t i = 0; !rc && i < NFORMATS; i++)
		if (formats[i].format == imp->format) {
			rc = formats[i].parse(&imp->model, file, data, len);
			imp->unfinished = formats[i].finish != NULL;
		}
	imp->parse_errors = imp->model.nerrors;
	imp->nread++;
	if (imp->model.progress)
		imp->model.progress(imp->model.progress_ctx, "read", imp->nread, imp->nread);
	return rc;
}

/* The format's finish step over the files read since the last one. */
static int finish(ipam_import *imp)
{
	int rc = 0;
	for (size_t i = 0; imp->unfinished && i < NFORMATS; i++)
		if (formats[i].format == imp->format && formats[i].finish)
			rc = formats[i].finish(&imp->model);
	imp->unfinished = 0;
	imp->parse_errors = imp->model.nerrors;
	return rc;
}

int ipam_import_add_file(ipam_import *imp, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return ipam__error(IPAM_EIO, "%s: %s", path, strerror(errno));
	ipam_buf b = IPAM_BUF_INIT;
	char chunk[65536];
	size_t n;
	int rc = 0;
	while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = ipam__buf_put(&b, chunk, n);
	if (!rc && ferror(f))
		rc = ipam__error(IPAM_EIO, "%s: read error", path);
	fclose(f);
	if (!rc)
		rc = ipam_import_add_buffer(imp, path, b.ptr ? b.ptr : "", b.size);
	ipam_buf_dispose(&b);
	return rc;
}

int ipam_import_set_mapping(ipam_import *imp, const char *json)
{
	if (imp->format != IPAM_IMPORT_CSV)
		return ipam__error(IPAM_EINVAL, "ipam_import_set_mapping: only the csv format takes a mapping");
	const char *end = NULL;
	cJSON *map = json ? cJSON_ParseWithOpts(json, &end, 1) : NULL;
	if (!map) {
		size_t line = 1;
		for (const char *p = json; p && end && p < end; p++)
			line += *p == '\n';
		return ipam__error(IPAM_EINVAL, "mapping:%zu: not JSON", line);
	}
	int rc = ipam__imp_map_check(map);
	if (rc) {
		cJSON_Delete(map);
		return rc;
	}
	cJSON_Delete(imp->model.map);
	imp->model.map = map;
	return 0;
}

void ipam_import_set_progress(ipam_import *imp, ipam_import_progress_fn fn, void *ctx)
{
	imp->model.progress = fn;
	imp->model.progress_ctx = ctx;
}

int ipam_import_suggest(ipam_buf *out, const char *name, const char *data, size_t len)
{
	return ipam__imp_suggest(out, name ? name : "(buffer)", data ? data : "", data ? len : 0);
}

/* Forget what an earlier run of the transaction body left behind. */
static void reset_run(ipam_import *imp)
{
	ipam__imp_model *m = &imp->model;
	for (size_t i = imp->parse_errors; i < m->nerrors; i++) {
		free(m->errors[i].field);
		free(m->errors[i].value);
		free(m->errors[i].message);
	}
	m->nerrors = imp->parse_errors;
	memset(&imp->result, 0, sizeof imp->result);
}

static int run(ipam_db *db, void *ctx)
{
	ipam_import *imp = ctx;
	ipam__imp_spaces sp = { imp->space, (const char *const *)imp->map, imp->nmap };
	reset_run(imp);
	int rc = ipam__imp_apply(db, &imp->model, &sp, &imp->result);
	if (!rc && (imp->flags & IPAM_IMPORT_ALL_OR_NOTHING) && imp->model.nerrors)
		rc = ipam__error(IPAM_EINVAL, "%zu rows were bad: nothing imported (all or nothing)", imp->model.nerrors);
	return rc;
}

int ipam_import_apply(ipam_import *imp, ipam_db *db)
{
	int rc;
	if (imp->applied)
		return ipam__error(IPAM_EINVAL, "ipam_import_apply: the import was applied already");
	if ((rc = finish(imp)))
		return rc;
	imp->applied = 1;
	if (imp->flags & IPAM_IMPORT_DRY_RUN) {
		if ((rc = ipam_db_begin(db)))
			return rc;
		rc = run(db, imp);
		ipam_db_rollback(db);
	} else {
		rc = ipam_db_run(db, run, imp);
	}
	if (rc && (imp->flags & IPAM_IMPORT_ALL_OR_NOTHING) && imp->model.nerrors) {
		/* rolled back: nothing went in */
		ipam__imp_result r = imp->result;
		memset(&imp->result, 0, sizeof imp->result);
		for (int t = 0; t < IMP_NTYPES; t++)
			imp->result.skipped.n[t] = r.imported.n[t] + r.updated.n[t] + r.unchanged.n[t] + r.skipped.n[t];
		return 0;
	}
	return rc;
}

static int counts_json(ipam_buf *b, const char *name, const ipam__imp_counts *c, int last)
{
	return ipam__buf_printf(b,
	                        "  \"%s\": {\"spaces\": %llu, \"prefixes\": %llu, \"ranges\": %llu, \"addresses\": %llu, "
	                        "\"records\": %llu, \"zones\": %llu}%s\n",
	                        name, (unsigned long long)c->n[IMP_SPACE], (unsigned long long)c->n[IMP_PREFIX],
	                        (unsigned long long)c->n[IMP_RANGE], (unsigned long long)c->n[IMP_ADDRESS],
	                        (unsigned long long)c->n[IMP_RECORD], (unsigned long long)c->n[IMP_ZONE], last ? "" : ",");
}

int ipam_import_report(ipam_buf *out, const ipam_import *imp)
{
	const ipam__imp_result *r = &imp->result;
	const ipam__imp_model *m = &imp->model;
	ipam_buf b = IPAM_BUF_INIT;
	int rc = ipam__buf_printf(&b, "{\n  \"dry_run\": %s,\n", (imp->flags & IPAM_IMPORT_DRY_RUN) ? "true" : "false");
	rc = rc ? rc : counts_json(&b, "imported", &r->imported, 0);
	rc = rc ? rc : counts_json(&b, "updated", &r->updated, 0);
	rc = rc ? rc : counts_json(&b, "unchanged", &r->unchanged, 0);
	rc = rc ? rc : counts_json(&b, "skipped", &r->skipped, 0);
	rc = rc ? rc : ipam__buf_printf(&b, "  \"errors\": [");
	for (size_t i = 0; !rc && i < m->nerrors; i++) {
		const ipam__imp_error *e = &m->errors[i];
		rc = ipam__buf_printf(&b, "%s\n    {\"file\": ", i ? "," : "");
		rc = rc ? rc : ipam__json_str(&b, e->file);
		rc = rc ? rc : ipam__buf_printf(&b, ", \"line\": %lu, \"field\": ", e->line);
		rc = rc ? rc : ipam__json_str(&b, e->field);
		rc = rc ? rc : ipam__buf_printf(&b, ", \"value\": ");
		rc = rc ? rc : ipam__json_str(&b, e->value);
		rc = rc ? rc : ipam__buf_printf(&b, ", \"message\": ");
		rc = rc ? rc : ipam__json_str(&b, e->message);
		rc = rc ? rc : ipam__buf_printf(&b, "}");
	}
	rc = rc ? rc : ipam__buf_printf(&b, "%s],\n  \"notes\": [", m->nerrors ? "\n  " : "");
	for (size_t i = 0; !rc && i < m->nnotes; i++) {
		rc = ipam__buf_printf(&b, "%s\n    ", i ? "," : "");
		rc = rc ? rc : ipam__json_str(&b, m->notes[i]);
	}
	rc = rc ? rc : ipam__buf_printf(&b, "%s]\n}\n", m->nnotes ? "\n  " : "");
	if (!rc)
		rc = ipam__buf_put(out, b.ptr, b.size);
	ipam_buf_dispose(&b);
	return rc;
}

int ipam_import_status(const ipam_import *imp)
{
	const ipam__imp_result *r = &imp->result;
	uint64_t taken = 0, skipped = 0;
	for (int t = 0; t < IMP_NTYPES; t++) {
		taken += r->imported.n[t] + r->updated.n[t] + r->unchanged.n[t];
		skipped += r->skipped.n[t];
	}
	if (!imp->model.nerrors && !skipped)
		return 0;
	return taken ? 3 : 1;
}

int ipam__import_model_json(ipam_buf *out, ipam_import *imp, const char *global)
{
	int rc = finish(imp);
	return rc ? rc : ipam__imp_model_json(out, &imp->model, global);
}
