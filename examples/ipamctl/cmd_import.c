/* ipamctl import FORMAT FILE... (the importers of include/ipam/import.h)
 * and export --format netbox-csv DIR | infoblox-csv FILE (the ways out).
 * Exit status of an import: 0 when every row went in (or was already
 * there), 3 when some rows were skipped, 1 when nothing could be imported. */
#include "ipamctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { ST_PARTIAL = 3 };

/* The human report: the counts, then each error and note on a line. */
static void print_human(FILE *out, const cJSON *r)
{
	static const char *const groups[] = { "imported", "updated", "unchanged", "skipped" };
	static const char *const kinds[] = { "spaces", "prefixes", "ranges", "addresses", "records", "zones" };
	const cJSON *e;
	if (cJSON_IsTrue(cJSON_GetObjectItem(r, "dry_run")))
		fputs("dry run: nothing was written; this is what the import would do\n", out);
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		const cJSON *c = cJSON_GetObjectItem(r, groups[g]);
		fprintf(out, "%-10s", groups[g]);
		for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
			fprintf(out, " %s %d%s", kinds[k], cJSON_GetObjectItem(c, kinds[k])->valueint,
			        k + 1 < sizeof kinds / sizeof kinds[0] ? "," : "\n");
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(r, "errors"))
	{
		/* the message names the field and the value */
		fprintf(out, "error: %s:%d: %s\n", cJSON_GetObjectItem(e, "file")->valuestring,
		        cJSON_GetObjectItem(e, "line")->valueint, cJSON_GetObjectItem(e, "message")->valuestring);
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(r, "notes")) fprintf(out, "note: %s\n", e->valuestring);
}

/* A whole file, NUL-terminated, into *out (free it); a status (c names
 * the problem). */
static int slurp(struct ctl *c, const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536], *b = NULL;
	size_t n, have = 0;
	*out = NULL;
	if (!f)
		return fail_as(c, "IO", "%.200s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		char *nb = realloc(b, have + n + 1);
		if (!nb) {
			free(b);
			fclose(f);
			return fail_nomem(c);
		}
		b = nb;
		memcpy(b + have, chunk, n);
		have += n;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad || (!b && !(b = calloc(1, 1)))) {
		free(b);
		return bad ? fail_as(c, "IO", "%.200s: read error", path) : fail_nomem(c);
	}
	b[have] = '\0';
	*out = b;
	*len = have;
	return ST_OK;
}

/* The progress bar: on stderr, only when it is a terminal, redrawn at
 * most ten times a second; objects a second and the time left. */
struct bar {
	double start, last;
	int drawn;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bar_draw(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
	struct bar *b = ctx;
	double t = now_s();
	if (strcmp(phase, "apply") || (done < total && t - b->last < 0.1))
		return;
	b->last = t;
	double el = t - b->start, rate = el > 0 ? (double)done / el : 0;
	int width = 30, fill = total ? (int)((double)width * (double)done / (double)total) : width;
	char line[64];
	memset(line, '#', (size_t)fill);
	memset(line + fill, '.', (size_t)(width - fill));
	line[width] = '\0';
	fprintf(stderr, "\rimport [%s] %llu/%llu objects, %.0f/s, ETA %.0fs ", line, (unsigned long long)done,
	        (unsigned long long)total, rate, rate > 0 ? (double)(total - done) / rate : 0.0);
	b->drawn = 1;
}

int cmd_import_suggest(struct ctl *c, const struct args *a)
{
	ipam_buf out = IPAM_BUF_INIT;
	char *in;
	size_t len;
	int st = slurp(c, a->pos[0], &in, &len), rc;
	if (st != ST_OK)
		return st;
	rc = ipam_import_suggest(&out, a->pos[0], in, len);
	free(in);
	if (rc)
		return fail_lib(c, rc, NULL);
	fwrite(out.ptr, 1, out.size, c->out);
	ipam_buf_dispose(&out);
	return ST_OK;
}

int cmd_import_files(struct ctl *c, const struct args *a)
{
	ipam_import_format fmt;
	ipam_import_options o = IPAM_IMPORT_OPTIONS_INIT;
	ipam_import *imp = NULL;
	ipam_buf report = IPAM_BUF_INIT;
	int rc;

	if ((rc = ipam_import_format_parse(&fmt, c->cmd->name)))
		return fail_lib(c, rc, NULL);
	if (a->val[OPT_SPACE] && a->nkv)
		return fail_usage(c, "import: give --space or --space-map, not both");
	o.space = a->val[OPT_SPACE];
	o.space_map = a->kv;
	o.nspace_map = a->nkv;
	o.flags = (a->seen[OPT_DRY_RUN] ? IPAM_IMPORT_DRY_RUN : 0u) |
	          (a->seen[OPT_ALL_OR_NOTHING] ? IPAM_IMPORT_ALL_OR_NOTHING : 0u);
	if ((fmt == IPAM_IMPORT_CSV) != (a->val[OPT_MAP] != NULL))
		return fail_usage(c, "import: --map MAPPING goes with the csv format, and only with it");
	if ((rc = ipam_import_new(&imp, fmt, &o)))
		return fail_lib(c, rc, "import");
	if (a->val[OPT_MAP]) {
		char *map;
		size_t len;
		int st = slurp(c, a->val[OPT_MAP], &map, &len);
		if (st == ST_OK) {
			if ((rc = ipam_import_set_mapping(imp, map)))
				st = fail_lib(c, rc, a->val[OPT_MAP]);
			free(map);
		}
		if (st != ST_OK) {
			ipam_import_free(imp);
			return st;
		}
	}
	struct bar bar = { now_s(), 0, 0 };
	if (isatty(STDERR_FILENO) == 1)
		ipam_import_set_progress(imp, bar_draw, &bar);
	for (int i = 0; i < a->npos && !rc; i++)
		rc = ipam_import_add_file(imp, a->pos[i]);
	if (!rc)
		rc = ipam_import_apply(imp, c->db);
	if (bar.drawn)
		fputs("\n", stderr);
	if (!rc)
		rc = ipam_import_report(&report, imp);
	int status = ipam_import_status(imp);
	ipam_import_free(imp);
	if (rc) {
		ipam_buf_dispose(&report);
		return fail_lib(c, rc, NULL);
	}
	cJSON *r = cJSON_Parse(report.ptr);
	ipam_buf_dispose(&report);
	if (!r)
		return fail_nomem(c);
	if (c->json || a->seen[OPT_JSON]) {
		char *s = cJSON_PrintUnformatted(r);
		if (s)
			fprintf(c->out, "%s\n", s);
		cJSON_free(s);
	} else {
		print_human(c->out, r);
	}
	cJSON_Delete(r);
	/* the report is the output, whatever the status */
	c->reported = status != ST_OK;
	return status == 1 ? ST_ERROR : status == 3 ? ST_PARTIAL : ST_OK;
}

/* One export file through a temporary file and a rename. */
static int write_export(struct ctl *c, const char *path, ipam_export_csv_kind what, size_t *total)
{
	ipam_buf b = IPAM_BUF_INIT;
	int rc = ipam_export_csv(&b, c->db, what);
	if (rc)
		return fail_lib(c, rc, NULL);
	int st = write_file_atomic(c, path, b.ptr ? b.ptr : "", b.size, 0600, false);
	*total += b.size;
	ipam_buf_dispose(&b);
	return st;
}

int cmd_export_any(struct ctl *c, const struct args *a)
{
	const char *format = a->val[OPT_FORMAT];
	const char *path = a->npos ? a->pos[0] : NULL;
	size_t total = 0;
	int st = ST_OK;

	if (!format) {
		if (path)
			return fail_usage(c, "export: unexpected argument '%.100s' (the document goes to -o FILE)", path);
		return cmd_export(c, a);
	}
	if (!path)
		return fail_usage(c, "export --format %.40s: name the %s", format,
		                  strcmp(format, "netbox-csv") == 0 ? "directory" : "file");
	if (a->val[OPT_OUTPUT])
		return fail_usage(c, "export --format: give the path as an argument, not with -o");
	if (strcmp(format, "netbox-csv") == 0) {
		static const struct {
			const char *name;
			ipam_export_csv_kind what;
		} files[] = { { "vrfs.csv", IPAM_EXPORT_NETBOX_VRFS },
			      { "prefixes.csv", IPAM_EXPORT_NETBOX_PREFIXES },
			      { "ip-ranges.csv", IPAM_EXPORT_NETBOX_RANGES },
			      { "ip-addresses.csv", IPAM_EXPORT_NETBOX_ADDRESSES } };
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return fail_as(c, "IO", "export: %.200s: %s", path, strerror(errno));
		for (size_t i = 0; i < sizeof files / sizeof files[0] && !st; i++) {
			char file[4200];
			snprintf(file, sizeof file, "%.4000s/%s", path, files[i].name);
			st = write_export(c, file, files[i].what, &total);
		}
	} else if (strcmp(format, "infoblox-csv") == 0) {
		st = write_export(c, path, IPAM_EXPORT_INFOBLOX, &total);
	} else {
		return fail_usage(c, "export: unknown --format '%.40s' (netbox-csv or infoblox-csv)", format);
	}
	if (st)
		return st;
	cJSON *o = cJSON_CreateObject();
	if (o && !(json_str(o, "exported", path) && json_str(o, "format", format) &&
	           cJSON_AddNumberToObject(o, "bytes", (double)total))) {
		cJSON_Delete(o);
		o = NULL;
	}
	char text[300];
	snprintf(text, sizeof text, "exported %zu bytes as %.40s to %.200s", total, format, path);
	return out_item(c, K_TEXT, o, text);
}
