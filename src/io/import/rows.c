/* The header-then-rows CSV driver the one-table sources share (BlueCat,
 * phpIPAM CSV, the mapped CSV): the header names the columns, each record
 * becomes an ipam__imp_row, a record with another field count is reported
 * and skipped. */
#include "io/import/imp.h"

#include <stdio.h>
#include <stdlib.h>

int ipam__imp_csv_rows(ipam__imp_model *m, const char *file, const char *data, size_t len, char delim,
                       const char *what, ipam__imp_hdr_fn hdr_ok, ipam__imp_row_fn fn, void *ctx)
{
	ipam__csv c;
	char **hdr = NULL;
	size_t nhdr = 0;
	int rc;

	ipam__csv_init(&c, data, len, delim);
	if ((rc = ipam__csv_next(&c)) <= 0) {
		ipam__csv_dispose(&c);
		return rc < 0 ? ipam__imp_in_file(rc, file)
		              : ipam__error(IPAM_EINVAL, "%s: empty file: no %s header", file, what);
	}
	const char *why = hdr_ok ? hdr_ok(c.fields, c.nfields, ctx) : NULL;
	if (why) {
		ipam__csv_dispose(&c);
		return ipam__error(IPAM_EINVAL, "%s:1: not a %s header: %s", file, what, why);
	}
	if (!(hdr = calloc(c.nfields, sizeof *hdr))) {
		ipam__csv_dispose(&c);
		return ipam__enomem();
	}
	nhdr = c.nfields;
	for (size_t i = 0; i < nhdr; i++)
		if (!(hdr[i] = ipam__strdup(c.fields[i]))) {
			rc = IPAM_ENOMEM;
			goto out;
		}
	while ((rc = ipam__csv_next(&c)) == 1) {
		ipam__imp_row r = { (const char *const *)hdr, c.fields, nhdr, file, c.rec_line };
		if (c.nfields != nhdr) {
			char v[32];
			snprintf(v, sizeof v, "%zu", c.nfields);
			if ((rc = ipam__imp_err(m, file, c.rec_line, NULL, v, "%zu fields where the header has %zu",
			                        c.nfields, nhdr)))
				break;
			continue;
		}
		if ((rc = fn(m, &r, ctx)))
			break;
	}
	if (rc < 0 && rc != IPAM_ENOMEM)
		rc = ipam__imp_in_file(rc, file);
out:
	for (size_t i = 0; i < nhdr; i++)
		free(hdr[i]);
	free(hdr);
	ipam__csv_dispose(&c);
	return rc < 0 ? rc : 0;
}

int ipam__imp_looks_json(const char *d, size_t len)
{
	size_t i = (len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
	while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
		i++;
	return i < len && (d[i] == '{' || d[i] == '[');
}
