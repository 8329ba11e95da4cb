/* Argument parsing: options of a command, option values, and the shell-like
 * splitting of batch lines. Everything here must survive any input: batch
 * lines are untrusted text. */
#include "ipamctl.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum opt_kind { OK_VALUE, OK_FLAG, OK_LIST };

static const struct {
	const char *name;
	enum opt_kind kind;
} options[OPT_COUNT] = {
	[OPT_SPACE] = { "space", OK_VALUE },
	[OPT_STATUS] = { "status", OK_VALUE },
	[OPT_POOL] = { "pool", OK_FLAG },
	[OPT_EXCLUSIVE] = { "exclusive", OK_FLAG },
	[OPT_NO_POOL] = { "no-pool", OK_FLAG },
	[OPT_DESCRIPTION] = { "description", OK_VALUE },
	[OPT_ATTR] = { "attr", OK_LIST },
	[OPT_LABEL] = { "label", OK_LIST },
	[OPT_WITHIN] = { "within", OK_VALUE },
	[OPT_LENGTH] = { "length", OK_VALUE },
	[OPT_POLICY] = { "policy", OK_VALUE },
	[OPT_HOSTNAME] = { "hostname", OK_VALUE },
	[OPT_MAC] = { "mac", OK_VALUE },
	[OPT_PURPOSE] = { "purpose", OK_VALUE },
	[OPT_FROM] = { "from", OK_VALUE },
	[OPT_JSON] = { "json", OK_FLAG },
	[OPT_PUBLIC_KEY] = { "public-key", OK_VALUE },
	[OPT_SECRET_KEY] = { "secret-key", OK_VALUE },
	[OPT_OUTPUT] = { "output", OK_VALUE },
	[OPT_NEW_KEY_FILE] = { "new-key-file", OK_VALUE },
	[OPT_ATOMIC] = { "atomic", OK_FLAG },
	[OPT_HELP] = { "help", OK_FLAG },
	[OPT_VIEW] = { "view", OK_VALUE },
	[OPT_NS] = { "ns", OK_VALUE },
	[OPT_TTL] = { "ttl", OK_VALUE },
	[OPT_MNAME] = { "mname", OK_VALUE },
	[OPT_RNAME] = { "rname", OK_VALUE },
	[OPT_SERIAL_POLICY] = { "serial-policy", OK_VALUE },
	[OPT_NO_DERIVE] = { "no-derive", OK_FLAG },
	[OPT_SERVER] = { "server", OK_VALUE },
	[OPT_DRY_RUN] = { "dry-run", OK_FLAG },
	[OPT_TYPE] = { "type", OK_VALUE },
	[OPT_ADDRESS] = { "address", OK_VALUE },
	[OPT_PORT] = { "port", OK_VALUE },
	[OPT_TSIG_NAME] = { "tsig-name", OK_VALUE },
	[OPT_TSIG_ALGORITHM] = { "tsig-algorithm", OK_VALUE },
	[OPT_TSIG_SECRET_FILE] = { "tsig-secret-file", OK_VALUE },
	[OPT_API_URL] = { "api-url", OK_VALUE },
	[OPT_API_KEY_FILE] = { "api-key-file", OK_VALUE },
	[OPT_SERVER_ID] = { "server-id", OK_VALUE },
	[OPT_REPLACE] = { "replace", OK_FLAG },
	[OPT_SPACE_MAP] = { "space-map", OK_LIST },
	[OPT_ALL_OR_NOTHING] = { "all-or-nothing", OK_FLAG },
	[OPT_FORMAT] = { "format", OK_VALUE },
	[OPT_TEMPLATE] = { "template", OK_VALUE },
	[OPT_RECORD] = { "record", OK_LIST },
	[OPT_DIR] = { "dir", OK_VALUE },
	[OPT_VIEW_MATCH] = { "view-match", OK_LIST },
	[OPT_REFUSE_UNKNOWN] = { "refuse-unknown-addresses", OK_FLAG },
	[OPT_POLICIES] = { "policies", OK_VALUE },
	[OPT_SINCE] = { "since", OK_VALUE },
	[OPT_APPLY] = { "apply", OK_FLAG },
	[OPT_USER] = { "user", OK_VALUE },
	[OPT_PORTS] = { "ports", OK_VALUE },
	[OPT_ICMP] = { "icmp", OK_FLAG },
	[OPT_RATE] = { "rate", OK_VALUE },
	[OPT_MAP] = { "map", OK_VALUE },
	[OPT_CLIENT_ID] = { "client-id", OK_VALUE },
	[OPT_DUID] = { "duid", OK_VALUE },
	[OPT_EXCLUDE] = { "exclude", OK_VALUE },
	[OPT_PASSWORD_FILE] = { "password-file", OK_VALUE },
	[OPT_WRITE_DIR] = { "write-dir", OK_VALUE },
	[OPT_PUSH_DNS] = { "push-dns", OK_VALUE },
	[OPT_SCOPE] = { "scope", OK_VALUE },
	[OPT_FAMILY] = { "family", OK_VALUE },
	[OPT_LEASES] = { "leases", OK_FLAG },
	[OPT_HA] = { "ha", OK_VALUE },
	[OPT_CREDENTIAL] = { "credential", OK_VALUE },
	[OPT_SECRET_FILE] = { "secret-file", OK_VALUE },
	[OPT_FILE] = { "file", OK_VALUE },
	[OPT_ZONE] = { "zone", OK_VALUE },
	[OPT_PRIVATE] = { "private", OK_FLAG },
};

const char *opt_name(enum opt_id id)
{
	return options[id].name;
}

static void cmd_title(char *buf, size_t size, const struct cmd *cmd)
{
	if (cmd->group)
		snprintf(buf, size, "%s %s", cmd->group, cmd->name);
	else
		snprintf(buf, size, "%s", cmd->name);
}

void args_reset(struct args *a)
{
	const char **kv = a->kv;
	size_t ckv = a->ckv;
	memset(a, 0, sizeof *a);
	a->kv = kv;
	a->ckv = ckv;
}

void args_free(struct args *a)
{
	free(a->kv);
	memset(a, 0, sizeof *a);
}

static int kv_push(struct ctl *c, struct args *a, const char *word)
{
	if (a->nkv == a->ckv) {
		size_t n = a->ckv ? a->ckv * 2 : 8;
		const char **kv = realloc(a->kv, n * sizeof *kv);
		if (!kv)
			return fail_nomem(c);
		a->kv = kv;
		a->ckv = n;
	}
	a->kv[a->nkv++] = word;
	return ST_OK;
}

int args_parse(struct ctl *c, struct args *a, const struct cmd *cmd, int argc, char **argv)
{
	char title[32];
	bool opts_done = false;

	cmd_title(title, sizeof title, cmd);
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (opts_done || w[0] != '-' || w[1] == '\0') {
			if (a->npos == cmd->max_pos)
				return fail_usage(c, "%s: unexpected argument '%.100s'", title, w);
			a->pos[a->npos++] = w;
			continue;
		}
		if (strcmp(w, "--") == 0) {
			opts_done = true;
			continue;
		}
		if (strcmp(w, "-h") == 0) {
			a->seen[OPT_HELP] = true;
			continue;
		}
		/* -o FILE is --output FILE */
		if (strcmp(w, "-o") == 0 && (cmd->opts & O(OUTPUT)))
			w = "--output";
		if (w[1] != '-')
			return fail_usage(c, "%s: unknown option '%.100s'", title, w);

		const char *name = w + 2;
		const char *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		int id = -1;
		for (int k = 0; k < OPT_COUNT; k++) {
			if (strlen(options[k].name) == nlen && memcmp(options[k].name, name, nlen) == 0) {
				id = k;
				break;
			}
		}
		if (id < 0 || (id != OPT_HELP && !(cmd->opts & ((opt_mask)1 << id))))
			return fail_usage(c, "%s: unknown option '--%.*s'", title, (int)(nlen > 100 ? 100 : nlen), name);

		if (options[id].kind == OK_FLAG) {
			if (eq)
				return fail_usage(c, "%s: option --%s takes no value", title, options[id].name);
			a->seen[id] = true;
			continue;
		}
		const char *value;
		if (eq) {
			value = eq + 1;
		} else if (i + 1 < argc) {
			value = argv[++i];
		} else {
			return fail_usage(c, "%s: option --%s needs a value", title, options[id].name);
		}
		if (options[id].kind == OK_LIST) {
			int st = kv_push(c, a, value);
			if (st)
				return st;
			a->seen[id] = true;
			continue;
		}
		if (a->seen[id])
			return fail_usage(c, "%s: option --%s given more than once", title, options[id].name);
		a->seen[id] = true;
		a->val[id] = value;
	}
	if (a->seen[OPT_HELP])
		return ST_OK;
	if (a->npos < cmd->min_pos)
		return fail_usage(c, "%s: missing argument %s", title, cmd->pos_names[a->npos]);
	return ST_OK;
}

/* ---- values ---- */

int arg_prefix(struct ctl *c, ipam_prefix *out, const char *text, const char *what)
{
	int rc = ipam_prefix_parse(out, text, IPAM_PARSE_DEFAULT);
	return rc ? fail_lib(c, rc, what) : ST_OK;
}

int arg_addr(struct ctl *c, ipam_addr *out, const char *text, const char *what)
{
	int rc = ipam_addr_parse(out, text);
	return rc ? fail_lib(c, rc, what) : ST_OK;
}

int arg_addr_or_prefix(struct ctl *c, ipam_prefix *out, const char *text, const char *what)
{
	int rc;
	if (strchr(text, '/'))
		rc = ipam_prefix_parse(out, text, IPAM_PARSE_DEFAULT);
	else
		rc = ipam_prefix_parse(out, text, IPAM_PARSE_HOST);
	return rc ? fail_lib(c, rc, what) : ST_OK;
}

int arg_length(struct ctl *c, unsigned int *out, const char *text)
{
	const char *s = text;
	if (*s == '/')
		s++;
	size_t n = strlen(s);
	bool ok = n >= 1 && n <= 3 && strspn(s, "0123456789") == n && !(n > 1 && s[0] == '0');
	if (ok) {
		unsigned long v = strtoul(s, NULL, 10);
		if (v <= 128) {
			*out = (unsigned int)v;
			return ST_OK;
		}
	}
	return fail_inval(c, "--length: '%.100s' is not a prefix length (0..128)", text);
}

int arg_prefix_status(struct ctl *c, ipam_status *out, const char *text)
{
	static const char *const names[] = { "container", "active", "reserved", "deprecated" };
	static const ipam_status values[] = { IPAM_STATUS_CONTAINER, IPAM_STATUS_ACTIVE, IPAM_STATUS_RESERVED,
		                              IPAM_STATUS_DEPRECATED };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(text, names[i]) == 0) {
			*out = values[i];
			return ST_OK;
		}
	}
	return fail_inval(c, "--status: '%.100s' is not a prefix status (container, active, reserved, deprecated)", text);
}

int arg_ip_status(struct ctl *c, ipam_status *out, const char *text)
{
	static const char *const names[] = { "active", "reserved", "dhcp", "deprecated" };
	static const ipam_status values[] = { IPAM_STATUS_ACTIVE, IPAM_STATUS_RESERVED, IPAM_STATUS_DHCP,
		                              IPAM_STATUS_DEPRECATED };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(text, names[i]) == 0) {
			*out = values[i];
			return ST_OK;
		}
	}
	return fail_inval(c, "--status: '%.100s' is not an address status (active, reserved, dhcp, deprecated)", text);
}

int arg_policy(struct ctl *c, ipam_policy *out, const char *text)
{
	if (strcmp(text, "first-fit") == 0) {
		*out = IPAM_POLICY_FIRST_FIT;
		return ST_OK;
	}
	if (strcmp(text, "best-fit") == 0) {
		*out = IPAM_POLICY_BEST_FIT;
		return ST_OK;
	}
	return fail_inval(c, "--policy: '%.100s' is not a policy (first-fit, best-fit)", text);
}

int arg_purpose(struct ctl *c, ipam_range_purpose *out, const char *text)
{
	static const char *const names[] = { "dhcp", "reserved", "excluded" };
	static const ipam_range_purpose values[] = { IPAM_RANGE_DHCP, IPAM_RANGE_RESERVED, IPAM_RANGE_EXCLUDED };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(text, names[i]) == 0) {
			*out = values[i];
			return ST_OK;
		}
	}
	return fail_inval(c, "--purpose: '%.100s' is not a range purpose (dhcp, reserved, excluded)", text);
}

struct kv_ref {
	const char *key;
	size_t klen;
	size_t idx;
};

static int kv_cmp(const void *pa, const void *pb)
{
	const struct kv_ref *a = pa, *b = pb;
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int d = memcmp(a->key, b->key, n);
	if (d)
		return d;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* A later KEY replaces an earlier one. Sorting finds the duplicates in
 * O(n log n), whatever a batch line throws at us; the object keeps the
 * order of the words that survive. */
int arg_kv_json(struct ctl *c, char **out, const struct args *a, enum opt_id id)
{
	*out = NULL;
	if (a->nkv == 0)
		return ST_OK;
	for (size_t i = 0; i < a->nkv; i++) {
		const char *eq = strchr(a->kv[i], '=');
		if (!eq || eq == a->kv[i])
			return fail_inval(c, "--%s: '%.100s' is not KEY=VALUE", opt_name(id), a->kv[i]);
	}
	struct kv_ref *refs = malloc(a->nkv * sizeof *refs);
	bool *keep = calloc(a->nkv, sizeof *keep);
	cJSON *obj = cJSON_CreateObject();
	bool ok = refs && keep && obj;
	if (ok) {
		for (size_t i = 0; i < a->nkv; i++)
			refs[i] = (struct kv_ref){ a->kv[i], (size_t)(strchr(a->kv[i], '=') - a->kv[i]), i };
		qsort(refs, a->nkv, sizeof *refs, kv_cmp);
		for (size_t i = 0; i < a->nkv; i++)
			if (i + 1 == a->nkv || kv_cmp(&(struct kv_ref){ refs[i].key, refs[i].klen, 0 },
			                              &(struct kv_ref){ refs[i + 1].key, refs[i + 1].klen, 0 }) != 0)
				keep[refs[i].idx] = true;
	}
	for (size_t i = 0; ok && i < a->nkv; i++) {
		if (!keep[i])
			continue;
		const char *eq = strchr(a->kv[i], '=');
		char *key = strndup(a->kv[i], (size_t)(eq - a->kv[i]));
		ok = key && json_str(obj, key, eq + 1);
		free(key);
	}
	if (ok)
		*out = cJSON_PrintUnformatted(obj);
	free(refs);
	free(keep);
	cJSON_Delete(obj);
	return *out ? ST_OK : fail_nomem(c);
}

/* ---- batch line splitting ---- */

void words_free(struct words *w)
{
	free(w->buf);
	free(w->argv);
	memset(w, 0, sizeof *w);
}

/* Room for n words and the NULL after them. */
static int words_reserve(struct words *w, size_t n)
{
	if (n + 1 <= w->cargv)
		return 0;
	size_t cap = w->cargv ? w->cargv : 16;
	while (cap < n + 1)
		cap *= 2;
	char **v = realloc(w->argv, cap * sizeof *v);
	if (!v)
		return -1;
	w->argv = v;
	w->cargv = cap;
	return 0;
}

static int words_push(struct words *w, char *word)
{
	if (words_reserve(w, w->argc + 1) < 0)
		return -1;
	w->argv[w->argc++] = word;
	w->argv[w->argc] = NULL;
	return 0;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

/* The rules of sh for words, quotes and escapes (no expansions): blanks
 * separate words; '...' is literal; in "..." a backslash escapes only
 * $ ` " \ (and is kept before anything else); elsewhere a backslash escapes
 * any character; an unquoted # at the start of a word starts a comment. */
int words_split(struct words *w, const char *line, size_t len, const char **err)
{
	w->argc = 0;
	if (memchr(line, '\0', len)) {
		*err = "the line contains a NUL byte";
		return -1;
	}
	/* Output never exceeds the input plus one NUL per word. */
	if (len > (SIZE_MAX - 2) / 2) {
		*err = "the line is too long";
		return -1;
	}
	size_t need = 2 * len + 2;
	if (w->cbuf < need) {
		char *b = realloc(w->buf, need);
		if (!b) {
			*err = "out of memory";
			return -1;
		}
		w->buf = b;
		w->cbuf = need;
	}
	if (words_reserve(w, 0) < 0) {
		*err = "out of memory";
		return -1;
	}
	w->argv[0] = NULL;

	char *o = w->buf;
	size_t i = 0;
	for (;;) {
		while (i < len && is_blank(line[i]))
			i++;
		if (i == len || line[i] == '#')
			break;
		char *start = o;
		while (i < len && !is_blank(line[i])) {
			char ch = line[i];
			if (ch == '\\') {
				if (i + 1 == len) {
					*err = "a backslash ends the line";
					return -1;
				}
				*o++ = line[i + 1];
				i += 2;
			} else if (ch == '\'') {
				const char *end = memchr(line + i + 1, '\'', len - i - 1);
				if (!end) {
					*err = "unterminated single quote";
					return -1;
				}
				size_t n = (size_t)(end - (line + i + 1));
				memcpy(o, line + i + 1, n);
				o += n;
				i += n + 2;
			} else if (ch == '"') {
				i++;
				for (;;) {
					if (i == len) {
						*err = "unterminated double quote";
						return -1;
					}
					char d = line[i];
					if (d == '"') {
						i++;
						break;
					}
					if (d == '\\' && i + 1 < len && strchr("$`\"\\", line[i + 1])) {
						*o++ = line[i + 1];
						i += 2;
						continue;
					}
					*o++ = d;
					i++;
				}
			} else {
				*o++ = ch;
				i++;
			}
		}
		*o++ = '\0';
		if (words_push(w, start) < 0) {
			*err = "out of memory";
			return -1;
		}
	}
	return 0;
}
