/* Zone files for the importers (see zimport.h). The text is cut into
 * entries here (a record may span lines inside parentheses; ';' starts a
 * comment outside quotes), directives are done here, and each record entry
 * goes to ldns alone, so that one bad record is one reported line and the
 * rest of the file still reads. Every 2048 records the calling thread's
 * cancellation token is checked (src/cancel.h): a triggered token ends the
 * read with IPAM_ECANCELED, and the importer, which reads before it writes
 * anything, rolls the whole import back. */
#include "dns/zimport.h"
#include "dns/dns.h"

#include "cancel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>

#define ZIMP_MAX_DEPTH 8
#define ZIMP_MAX_GENERATE 65536
#define ZIMP_MAX_INCLUDE (64L << 20)

typedef struct zstate {
	const ipam__zimp_cb *cb;
	ldns_rdf *origin; /* absolute, or NULL */
	ldns_rdf *prev;   /* the last owner, for entries that start blank */
	uint32_t ttl;
	int depth;
	unsigned long records; /* read so far, $INCLUDEs and $GENERATEs too */
} zstate;

typedef struct zreader {
	const char *file;
	const char *d;
	size_t len, pos;
	unsigned long line;
} zreader;

/* The next entry into out (NUL-terminated, comments and parentheses gone,
 * line breaks inside parentheses as blanks); *start is its first line.
 * 1, 0 at the end, IPAM_ENOMEM, or IPAM_EINVAL for unbalanced parentheses
 * or an unclosed quote (message in *why). */
static int next_entry(zreader *r, ipam_buf *out, unsigned long *start, const char **why)
{
	for (;;) {
		out->size = 0;
		if (r->pos >= r->len)
			return 0;
		int depth = 0, quoted = 0, rc = 0;
		*start = r->line;
		while (r->pos < r->len && !rc) {
			char c = r->d[r->pos++];
			if (c == '\\' && r->pos < r->len && r->d[r->pos] != '\n') {
				rc = ipam__buf_put(out, &c, 1);
				c = r->d[r->pos++];
			} else if (c == '"') {
				quoted = !quoted;
			} else if (!quoted && c == ';') {
				while (r->pos < r->len && r->d[r->pos] != '\n')
					r->pos++;
				continue;
			} else if (!quoted && (c == '(' || c == ')')) {
				depth += c == '(' ? 1 : -1;
				if (depth < 0) {
					*why = "a ')' without its '('";
					return IPAM_EINVAL;
				}
				c = ' ';
			} else if (c == '\r') {
				c = ' ';
			} else if (c == '\n') {
				r->line++;
				if (!depth && !quoted)
					break;
				c = ' ';
			}
			rc = rc ? rc : ipam__buf_put(out, &c, 1);
		}
		if (rc)
			return rc;
		if (quoted || depth) {
			*why = quoted ? "a quote is never closed" : "a '(' is never closed";
			return IPAM_EINVAL;
		}
		while (out->size && (out->ptr[out->size - 1] == ' ' || out->ptr[out->size - 1] == '\t'))
			out->size--;
		if (ipam__buf_put(out, "", 1))
			return IPAM_ENOMEM;
		out->size--;
		const char *p = out->ptr;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p)
			return 1;
	}
}

static int bad(zstate *s, const char *file, unsigned long line, const char *text, const char *fmt, ...)
	IPAM__PRINTF(5, 6);
static int bad(zstate *s, const char *file, unsigned long line, const char *text, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return s->cb->bad(s->cb->ctx, file, line, text, msg);
}

/* A name made absolute against the origin; NULL when it cannot be. */
static ldns_rdf *absolute(const char *text, const ldns_rdf *origin)
{
	ldns_rdf *n = NULL;
	if (!strcmp(text, "@"))
		return origin ? ldns_rdf_clone(origin) : NULL;
	if (ldns_str2rdf_dname(&n, text) != LDNS_STATUS_OK)
		return NULL;
	if (!ldns_dname_absolute(n) && (!origin || ldns_dname_cat(n, origin) != LDNS_STATUS_OK)) {
		ldns_rdf_deep_free(n);
		return NULL;
	}
	return n;
}

static char *rdf_text(const ldns_rdf *f)
{
	return ldns_rdf2str(f);
}

/* One record entry through ldns. */
static int record(zstate *s, const char *file, unsigned long line, const char *text)
{
	ldns_rr *rr = NULL;
	const char *p = text;
	if (!(s->records++ & 2047)) {
		int rc = ipam__cancel_check("zone import");
		if (rc)
			return rc;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (p != text && !s->prev)
		return bad(s, file, line, text, "%s:%lu: no owner name and no record before to take it from", file, line);
	ldns_status st = ldns_rr_new_frm_str(&rr, text, s->ttl, s->origin, &s->prev);
	if (st != LDNS_STATUS_OK || !rr) {
		ldns_rr_free(rr);
		return bad(s, file, line, text, "%s:%lu: '%.200s': %s", file, line, text, ldns_get_errorstr_by_id(st));
	}
	if (!ldns_dname_absolute(ldns_rr_owner(rr))) {
		ldns_rr_free(rr);
		return bad(s, file, line, text, "%s:%lu: a relative name and no $ORIGIN", file, line);
	}
	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		ldns_rr_free(rr);
		return bad(s, file, line, text, "%s:%lu: the class is not IN", file, line);
	}
	ipam_buf data = IPAM_BUF_INIT;
	char *owner = rdf_text(ldns_rr_owner(rr)), tmp[16];
	int rc = owner ? 0 : ipam__enomem();
	for (size_t i = 0; i < ldns_rr_rd_count(rr) && !rc; i++) {
		char *f = rdf_text(ldns_rr_rdf(rr, i));
		rc = f ? ipam__buf_printf(&data, "%s%s", i ? " " : "", f) : ipam__enomem();
		free(f);
	}
	rc = rc ? rc : ipam__buf_put(&data, "", 1);
	if (!rc) {
		ipam__zimp_rr out = { file, line, owner, ldns_rr_ttl(rr), ipam__dns_type_name(ldns_rr_get_type(rr), tmp),
			              data.ptr };
		rc = s->cb->rr(s->cb->ctx, &out);
	}
	free(owner);
	ipam_buf_dispose(&data);
	ldns_rr_free(rr);
	return rc;
}

/* The i-th $GENERATE value into out: ${offset,width,base} or $. */
static int generate_one(ipam_buf *out, const char *tmpl, long v)
{
	int rc = 0;
	for (const char *p = tmpl; *p && !rc; p++) {
		if (*p == '\\' && p[1] == '$') {
			rc = ipam__buf_put(out, "$", 1);
			p++;
		} else if (*p == '$' && p[1] == '$') {
			rc = ipam__buf_put(out, "$", 1);
			p++;
		} else if (*p == '$' && p[1] == '{') {
			long off = 0, width = 0;
			char base = 'd';
			char *end;
			const char *q = p + 2;
			off = strtol(q, &end, 10);
			if (*end == ',') {
				width = strtol(end + 1, &end, 10);
				if (*end == ',' && end[1] && end[2] == '}')
					base = *++end, end++;
			}
			if (*end != '}' || width < 0 || width > 64 || !strchr("doxXnN", base))
				return IPAM_EINVAL;
			long x = v + off;
			if (base == 'n' || base == 'N') {
				/* nibbles, least significant first, dot-separated */
				int w = 0;
				unsigned long u = (unsigned long)x;
				do {
					char nib[3] = { (base == 'n' ? "0123456789abcdef" : "0123456789ABCDEF")[u & 15], '.', 0 };
					rc = ipam__buf_put(out, nib, (w + 1 < width || u >> 4) ? 2 : 1);
					u >>= 4;
					w++;
				} while (!rc && (u || w < width));
			} else if (base == 'd') {
				rc = ipam__buf_printf(out, "%0*ld", (int)width, x);
			} else if (base == 'o') {
				rc = ipam__buf_printf(out, "%0*lo", (int)width, (unsigned long)x);
			} else {
				rc = ipam__buf_printf(out, base == 'x' ? "%0*lx" : "%0*lX", (int)width, (unsigned long)x);
			}
			p = end;
		} else if (*p == '$') {
			rc = ipam__buf_printf(out, "%ld", v);
		} else {
			rc = ipam__buf_put(out, p, 1);
		}
	}
	return rc ? rc : ipam__buf_put(out, "", 1);
}

/* $GENERATE start-stop[/step] lhs [ttl] [class] type rhs */
static int generate(zstate *s, const char *file, unsigned long line, const char *text, const char *args)
{
	char *end;
	long a, b, step = 1;
	while (*args == ' ' || *args == '\t')
		args++;
	a = strtol(args, &end, 10);
	if (end == args || *end != '-')
		return bad(s, file, line, text, "%s:%lu: $GENERATE: not a range 'start-stop[/step]'", file, line);
	const char *q = end + 1;
	b = strtol(q, &end, 10);
	if (end == q)
		return bad(s, file, line, text, "%s:%lu: $GENERATE: not a range 'start-stop[/step]'", file, line);
	if (*end == '/') {
		q = end + 1;
		step = strtol(q, &end, 10);
		if (end == q)
			step = 0;
	}
	if (*end != ' ' && *end != '\t')
		return bad(s, file, line, text, "%s:%lu: $GENERATE: not a range 'start-stop[/step]'", file, line);
	if (a < 0 || b < a || step < 1 || (b - a) / step >= ZIMP_MAX_GENERATE)
		return bad(s, file, line, text, "%s:%lu: $GENERATE: the range is empty, backwards or over %d records",
		           file, line, ZIMP_MAX_GENERATE);
	while (*end == ' ' || *end == '\t')
		end++;
	ipam_buf one = IPAM_BUF_INIT;
	int rc = 0;
	for (long v = a; v <= b && !rc; v += step) {
		one.size = 0;
		rc = generate_one(&one, end, v);
		if (rc == IPAM_EINVAL) {
			rc = bad(s, file, line, text, "%s:%lu: $GENERATE: a bad ${offset,width,base}", file, line);
			break;
		}
		rc = rc ? rc : record(s, file, line, one.ptr);
	}
	ipam_buf_dispose(&one);
	return rc;
}

static int read_text(zstate *s, const char *file, const char *data, size_t len);

/* $INCLUDE file [origin]: relative to the including file's folder. */
static int include(zstate *s, const char *file, unsigned long line, const char *text, const char *args)
{
	char name[1024], org[1024] = "";
	if (sscanf(args, " %1023s %1023s", name, org) < 1)
		return bad(s, file, line, text, "%s:%lu: $INCLUDE names no file", file, line);
	if (s->depth >= ZIMP_MAX_DEPTH)
		return bad(s, file, line, text, "%s:%lu: $INCLUDE nested more than %d deep", file, line, ZIMP_MAX_DEPTH);
	const char *slash = strrchr(file, '/');
	ipam_buf path = IPAM_BUF_INIT, body = IPAM_BUF_INIT;
	int rc = name[0] != '/' && slash ? ipam__buf_printf(&path, "%.*s/%s", (int)(slash - file), file, name)
	                                 : ipam__buf_printf(&path, "%s", name);
	FILE *f = rc ? NULL : fopen(path.ptr, "rb");
	struct stat st;
	if (!rc && (!f || fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size > ZIMP_MAX_INCLUDE)) {
		const char *why = !f ? strerror(errno) : "not a regular file of at most 64 MiB";
		rc = bad(s, file, line, text, "%s:%lu: $INCLUDE %s: %s", file, line, path.ptr, why);
		if (f)
			fclose(f);
		ipam_buf_dispose(&path);
		return rc;
	}
	char chunk[8192];
	size_t n;
	while (!rc && f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = ipam__buf_put(&body, chunk, n);
	if (f)
		fclose(f);
	/* the origin in effect here, or the one the line names, inside only */
	ldns_rdf *saved = s->origin, *inner = saved ? ldns_rdf_clone(saved) : NULL;
	if (!rc && *org) {
		ldns_rdf_deep_free(inner);
		if (!(inner = absolute(org, saved)))
			rc = bad(s, file, line, text, "%s:%lu: $INCLUDE: a bad origin '%s'", file, line, org);
	}
	if (!rc && (*org ? inner != NULL : 1)) {
		s->origin = inner;
		s->depth++;
		rc = read_text(s, path.ptr, body.ptr ? body.ptr : "", body.size);
		s->depth--;
		inner = s->origin;
		s->origin = saved;
	}
	ldns_rdf_deep_free(inner);
	ipam_buf_dispose(&path);
	ipam_buf_dispose(&body);
	return rc;
}

static int directive(zstate *s, const char *file, unsigned long line, const char *text)
{
	char word[16];
	size_t n = strcspn(text, " \t");
	const char *args = text + n;
	char val[1024];
	if (n >= sizeof word)
		n = sizeof word - 1;
	memcpy(word, text, n);
	word[n] = '\0';
	if (!strcasecmp(word, "$ORIGIN")) {
		if (sscanf(args, " %1023s", val) != 1)
			return bad(s, file, line, text, "%s:%lu: $ORIGIN names no origin", file, line);
		ldns_rdf *o = absolute(val, s->origin);
		if (!o)
			return bad(s, file, line, text, "%s:%lu: $ORIGIN: a bad name '%s'", file, line, val);
		ldns_rdf_deep_free(s->origin);
		s->origin = o;
		return 0;
	}
	if (!strcasecmp(word, "$TTL")) {
		const char *end = NULL;
		if (sscanf(args, " %1023s", val) != 1)
			return bad(s, file, line, text, "%s:%lu: $TTL names no TTL", file, line);
		uint32_t t = ldns_str2period(val, &end);
		if (!end || *end || t > 2147483647u)
			return bad(s, file, line, text, "%s:%lu: $TTL: not a TTL '%s'", file, line, val);
		s->ttl = t;
		return 0;
	}
	if (!strcasecmp(word, "$INCLUDE"))
		return include(s, file, line, text, args);
	if (!strcasecmp(word, "$GENERATE"))
		return generate(s, file, line, text, args);
	return bad(s, file, line, text, "%s:%lu: an unknown directive '%s'", file, line, word);
}

static int read_text(zstate *s, const char *file, const char *data, size_t len)
{
	zreader r = { file, data, len, 0, 1 };
	ipam_buf e = IPAM_BUF_INIT;
	unsigned long start;
	const char *why = NULL;
	int rc;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		r.pos = 3;
	while ((rc = next_entry(&r, &e, &start, &why)) == 1) {
		if (memchr(e.ptr, '\0', e.size)) {
			rc = bad(s, file, start, "", "%s:%lu: a NUL byte (a zone file is text)", file, start);
		} else {
			rc = e.ptr[0] == '$' ? directive(s, file, start, e.ptr) : record(s, file, start, e.ptr);
		}
		if (rc)
			break;
	}
	if (rc == IPAM_EINVAL && why)
		rc = bad(s, file, start, e.ptr ? e.ptr : "", "%s:%lu: %s", file, start, why);
	ipam_buf_dispose(&e);
	return rc;
}

int ipam__dns_zimport(const char *file, const char *data, size_t len, const char *origin, const ipam__zimp_cb *cb)
{
	zstate s = { cb, NULL, NULL, 3600, 0, 0 };
	if (origin && *origin && ldns_str2rdf_dname(&s.origin, origin) != LDNS_STATUS_OK)
		return ipam__error(IPAM_EINVAL, "%s: a bad origin '%s'", file, origin);
	if (s.origin && !ldns_dname_absolute(s.origin)) {
		ldns_rdf *root = ldns_dname_new_frm_str(".");
		if (!root || ldns_dname_cat(s.origin, root) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(root);
			ldns_rdf_deep_free(s.origin);
			return ipam__enomem();
		}
		ldns_rdf_deep_free(root);
	}
	int rc = read_text(&s, file, data, len);
	ldns_rdf_deep_free(s.origin);
	ldns_rdf_deep_free(s.prev);
	return rc;
}
