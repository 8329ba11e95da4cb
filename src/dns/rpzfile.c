/* RPZ policy files: one policy a line, read into ipam__dns_rpz_policy and
 * built into a response-policy zone (rpz.c), for ipam_rpz_render().
 *
 *   # comment
 *   qname NAME ACTION                 (a leading "*." matches every name below)
 *   client-ip CIDR ACTION
 *   response-ip CIDR ACTION
 *   ACTION: nxdomain | nodata | passthru | drop | local TYPE RDATA [; TYPE RDATA]...
 *
 * Every error names the file and the line: "policies.txt:3: ...". */
#include "dns/dns.h"
#include "ipam/dns.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

typedef struct plist {
	ipam__dns_rpz_policy *p;
	char **datav;   /* every data string, for freeing */
	const char **data;
	size_t n, cap, nd, cd;
	char **names;
	size_t *dfirst;  /* per policy: its first data string in datav */
} plist;

static void plist_free(plist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	for (size_t i = 0; i < l->nd; i++)
		free(l->datav[i]);
	free(l->names);
	free(l->dfirst);
	free(l->datav);
	free(l->data);
	free(l->p);
}

static char *next_word(char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
	if (!**p)
		return NULL;
	char *w = *p;
	while (**p && **p != ' ' && **p != '\t')
		(*p)++;
	if (**p)
		*(*p)++ = '\0';
	return w;
}

/* "A 192.0.2.1; TXT \"x\"" into data strings; returns how many. */
static int local_data(plist *l, char *rest, const char *where, size_t *first, size_t *count)
{
	*first = l->nd;
	*count = 0;
	for (char *part = rest; part;) {
		char *semi = strchr(part, ';');
		if (semi)
			*semi = '\0';
		while (*part == ' ' || *part == '\t')
			part++;
		size_t n = strlen(part);
		while (n && (part[n - 1] == ' ' || part[n - 1] == '\t'))
			part[--n] = '\0';
		if (n) {
			if (l->nd == l->cd) {
				size_t c = l->cd ? l->cd * 2 : 16;
				char **v = realloc(l->datav, c * sizeof *v);
				if (!v)
					return ipam__enomem();
				l->datav = v;
				l->cd = c;
			}
			if (!(l->datav[l->nd] = ipam__strdup(part)))
				return IPAM_ENOMEM;
			l->nd++;
			(*count)++;
		}
		part = semi ? semi + 1 : NULL;
	}
	if (!*count)
		return ipam__error(IPAM_EINVAL, "%s: \"local\" needs at least one record (local A 192.0.2.1)", where);
	return 0;
}

static int parse_line(plist *l, char *line, const char *where)
{
	char *p = line;
	char *trig = next_word(&p), *what = next_word(&p), *act = next_word(&p);
	if (!trig)
		return 0;
	if (!what || !act)
		return ipam__error(IPAM_EINVAL, "%s: a policy is TRIGGER VALUE ACTION (qname bad.example nxdomain)", where);
	ipam__dns_rpz_policy pol;
	memset(&pol, 0, sizeof pol);
	char *name = NULL;
	if (!strcmp(trig, "qname")) {
		pol.trigger = IPAM__RPZ_QNAME;
		if (!(name = ipam__strdup(what)))
			return IPAM_ENOMEM;
	} else if (!strcmp(trig, "client-ip") || !strcmp(trig, "response-ip")) {
		pol.trigger = trig[0] == 'c' ? IPAM__RPZ_CLIENT_IP : IPAM__RPZ_RESPONSE_IP;
		if (ipam_prefix_parse(&pol.prefix, what, IPAM_PARSE_DEFAULT)) {
			char why[400];
			snprintf(why, sizeof why, "%s", ipam_error_last()->message);
			return ipam__error(IPAM_EINVAL, "%s: %s: %s", where, trig, why);
		}
	} else {
		return ipam__error(IPAM_EINVAL, "%s: unknown trigger \"%.40s\" (qname, client-ip, response-ip)", where, trig);
	}
	size_t first = 0, count = 0;
	int rc = 0;
	if (!strcasecmp(act, "nxdomain"))
		pol.action = IPAM__RPZ_NXDOMAIN;
	else if (!strcasecmp(act, "nodata"))
		pol.action = IPAM__RPZ_NODATA;
	else if (!strcasecmp(act, "passthru"))
		pol.action = IPAM__RPZ_PASSTHRU;
	else if (!strcasecmp(act, "drop"))
		pol.action = IPAM__RPZ_DROP;
	else if (!strcasecmp(act, "local")) {
		pol.action = IPAM__RPZ_LOCAL_DATA;
		rc = local_data(l, p, where, &first, &count);
	} else
		rc = ipam__error(IPAM_EINVAL, "%s: unknown action \"%.40s\" (nxdomain, nodata, passthru, drop, local)", where,
		                 act);
	if (!rc && pol.action != IPAM__RPZ_LOCAL_DATA && next_word(&p))
		rc = ipam__error(IPAM_EINVAL, "%s: text after the action", where);
	if (!rc && l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 16;
		ipam__dns_rpz_policy *np = realloc(l->p, c * sizeof *np);
		char **nn = np ? realloc(l->names, c * sizeof *nn) : NULL;
		size_t *nf = nn ? realloc(l->dfirst, c * sizeof *nf) : NULL;
		if (np)
			l->p = np;
		if (nn)
			l->names = nn;
		if (nf)
			l->dfirst = nf;
		if (!np || !nn || !nf)
			rc = ipam__enomem();
		else
			l->cap = c;
	}
	if (rc) {
		free(name);
		return rc;
	}
	pol.name = name;
	pol.ndata = count;
	/* the data pointers are set once every line is read (datav may move) */
	l->dfirst[l->n] = first;
	l->p[l->n] = pol;
	l->names[l->n] = name;
	l->n++;
	return 0;
}

static const char *const action_word[] = { [IPAM__RPZ_NXDOMAIN] = "nxdomain", [IPAM__RPZ_NODATA] = "nodata",
					    [IPAM__RPZ_PASSTHRU] = "passthru", [IPAM__RPZ_DROP] = "drop",
					    [IPAM__RPZ_LOCAL_DATA] = "local" };

/* The trigger of policy `i` of `l` as its stored key: "qname NAME" (lower
 * case, no final dot) or "client-ip"/"response-ip" and the prefix as
 * ipam_prefix_format writes it. */
static int policy_key(ipam_buf *b, const plist *l, size_t i, const char *where)
{
	const ipam__dns_rpz_policy *q = &l->p[i];
	if (q->trigger != IPAM__RPZ_QNAME) {
		char cidr[64];
		if (ipam_prefix_format(cidr, sizeof cidr, &q->prefix) < 0)
			return ipam__error(IPAM_EINVAL, "%s: a bad prefix", where);
		return ipam__buf_printf(b, "%s %s", q->trigger == IPAM__RPZ_CLIENT_IP ? "client-ip" : "response-ip", cidr);
	}
	size_t n = strlen(q->name);
	if (n && q->name[n - 1] == '.')
		n--;
	if (!n)
		return ipam__error(IPAM_EINVAL, "%s: qname: an empty name", where);
	int rc = ipam__buf_put(b, "qname ", 6);
	for (size_t k = 0; !rc && k < n; k++) {
		char c = (char)tolower((unsigned char)q->name[k]);
		rc = ipam__buf_put(b, &c, 1);
	}
	return rc;
}

int ipam__dns_rpz_canon(const char *policy, const char *where, bool trigger_only, char **key, char **canon)
{
	*key = *canon = NULL;
	if (strpbrk(policy, "\n\r"))
		return ipam__error(IPAM_EINVAL, "%s: a policy is one line", where);
	/* as in the file, where it would start a comment */
	if (strchr(policy, '#') && !strchr(policy, '"'))
		return ipam__error(IPAM_EINVAL, "%s: a \"#\" outside quotes (it starts a comment in a policy file)", where);
	char *line = ipam__strdup(policy);
	if (!line)
		return IPAM_ENOMEM;
	/* a trigger alone ("qname bad.example") names the policy to remove */
	char *p = line, *w1 = next_word(&p), *w2 = w1 ? next_word(&p) : NULL;
	bool alone = trigger_only && w2 && !next_word(&p);
	free(line);
	size_t n = strlen(policy);
	if (!(line = malloc(n + 10)))
		return ipam__enomem();
	snprintf(line, n + 10, "%s%s", policy, alone ? " nxdomain" : "");
	plist l;
	memset(&l, 0, sizeof l);
	int rc = parse_line(&l, line, where);
	if (!rc && l.n != 1)
		rc = ipam__error(IPAM_EINVAL, "%s: no policy (qname bad.example.com nxdomain)", where);
	ipam_buf k = IPAM_BUF_INIT, c = IPAM_BUF_INIT;
	if (!rc)
		rc = policy_key(&k, &l, 0, where);
	if (!rc)
		rc = ipam__buf_printf(&c, "%s %s", k.ptr, action_word[l.p[0].action]);
	for (size_t i = 0; !rc && i < l.p[0].ndata; i++)
		rc = ipam__buf_printf(&c, "%s%s", i ? "; " : " ", l.datav[l.dfirst[0] + i]);
	plist_free(&l);
	free(line);
	if (rc) {
		ipam_buf_dispose(&k);
		ipam_buf_dispose(&c);
		return rc;
	}
	*key = k.ptr;
	*canon = c.ptr;
	return 0;
}

int ipam_rpz_render(ipam_buf *out, const char *origin, const char *policies, size_t len, const char *file,
                    uint32_t ttl)
{
	return ipam__dns_rpz_render_text(out, origin, policies, len, file, ttl, 1);
}

int ipam__dns_rpz_render_text(ipam_buf *out, const char *origin, const char *policies, size_t len, const char *file,
                              uint32_t ttl, uint32_t serial)
{
	if (!out || !origin || (!policies && len))
		return ipam__error(IPAM_EINVAL, "rpz render: no output, origin or policies");
	if (!file)
		file = "policies";
	if (memchr(policies, '\0', len))
		return ipam__error(IPAM_EINVAL, "%s: a NUL byte in the text", file);
	char *text = malloc(len + 1);
	if (!text)
		return ipam__enomem();
	if (len)
		memcpy(text, policies, len);
	text[len] = '\0';
	plist l;
	memset(&l, 0, sizeof l);
	int rc = 0;
	unsigned long lineno = 0;
	for (char *line = text, *next; line && !rc; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		char *hash = strchr(line, '#');
		if (hash && !strchr(line, '"'))
			*hash = '\0';
		char where[300];
		snprintf(where, sizeof where, "%.200s:%lu", file, lineno);
		rc = parse_line(&l, line, where);
	}
	if (!rc && l.nd && !(l.data = malloc(l.nd * sizeof *l.data)))
		rc = ipam__enomem();
	for (size_t i = 0; !rc && i < l.nd; i++)
		l.data[i] = l.datav[i];
	for (size_t i = 0; !rc && i < l.n; i++)
		l.p[i].data = l.p[i].ndata ? l.data + l.dfirst[i] : NULL;
	ipam__dns_zone *z = NULL;
	ipam_buf b = IPAM_BUF_INIT;
	if (!rc)
		rc = ipam__dns_rpz_build(&z, origin, l.p, l.n, ttl ? ttl : 60);
	if (!rc) {
		z->serial = serial;
		rc = ipam__dns_render_zone(&b, z);
	}
	if (rc && rc != IPAM_ENOMEM && strncmp(ipam_error_last()->message, file, strlen(file))) {
		char why[800];
		snprintf(why, sizeof why, "%s", ipam_error_last()->message);
		rc = ipam__error(rc, "%s: %s", file, why);
	}
	ipam__dns_zone_free(z);
	plist_free(&l);
	free(text);
	if (rc) {
		ipam_buf_dispose(&b);
		return rc;
	}
	ipam_buf_dispose(out);
	*out = b;
	return 0;
}
