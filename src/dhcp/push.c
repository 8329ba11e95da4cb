/* Pushing to Kea through kea-ctrl-agent: config-get, merge, config-test,
 * config-set, config-write. Nothing is set before Kea has tested the whole
 * merged config, so a config Kea refuses leaves the server as it was. */
#include "dhcp/dhcp.h"
#include "net/http.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

/* Send one command to the agent for `service`; on result 0 *args gets the
 * "arguments" (detached; may be NULL). Kea's own text is the message of a
 * refusal. */
static int kea_cmd(const ipam__dhcp_push *o, const char *service, const char *command, cJSON *args,
		   cJSON **out_args)
{
	char what[120];
	snprintf(what, sizeof what, "kea %s (%s at %s)", command, service, o->url);
	cJSON *req = cJSON_CreateObject(), *svc;
	if (!req || !cJSON_AddStringToObject(req, "command", command) ||
	    !(svc = cJSON_AddArrayToObject(req, "service")) || !cJSON_AddItemToArray(svc, cJSON_CreateString(service)) ||
	    (args && !cJSON_AddItemReferenceToObject(req, "arguments", args))) {
		cJSON_Delete(req);
		return ipam__enomem();
	}
	char *body = cJSON_PrintUnformatted(req);
	cJSON_Delete(req);
	if (!body)
		return ipam__enomem();
	static const char *const headers[] = {"Content-Type: application/json", NULL};
	ipam__http_req hr = {.what = what, .method = "POST", .url = o->url, .headers = headers, .body = body,
			     .userpwd = o->userpwd, .timeout_ms = o->timeout_ms};
	ipam__http_resp resp;
	int rc = ipam__http(&hr, &resp);
	cJSON_free(body);
	if (rc) {
		ipam_buf_dispose(&resp.body);
		return rc;
	}
	cJSON *ans = resp.body.ptr ? cJSON_ParseWithLengthOpts(resp.body.ptr, resp.body.size, NULL, 0) : NULL;
	cJSON *first = cJSON_IsArray(ans) ? cJSON_GetArrayItem(ans, 0) : ans;
	const cJSON *result = cJSON_GetObjectItemCaseSensitive(first, "result");
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(first, "text");
	if (resp.status == 401 || resp.status == 403) {
		rc = ipam__error(IPAM_EAUTH, "%s: HTTP %ld: the control agent refused the credentials", what,
				 resp.status);
	} else if (!cJSON_IsNumber(result)) {
		rc = ipam__error(IPAM_EIO, "%s: HTTP %ld, not a Kea answer", what, resp.status);
	} else if (result->valueint == 3 && out_args) {
		*out_args = NULL; /* empty: fine for a get */
	} else if (result->valueint != 0) {
		rc = ipam__error(result->valueint == 2 ? IPAM_EIO : IPAM_EINVAL, "%s: Kea refused: %s", what,
				 cJSON_IsString(text) ? text->valuestring : "(no text)");
	} else if (out_args) {
		*out_args = cJSON_DetachItemFromObjectCaseSensitive(first, "arguments");
	}
	cJSON_Delete(ans);
	ipam_buf_dispose(&resp.body);
	return rc;
}

/* A line diff of a and b (longest common subsequence; "- "/"+ " lines and
 * "  " for context within 2 lines of a change). */
typedef struct lines {
	const char **p;
	size_t *len;
	size_t n;
} lines;

static int split(lines *l, const char *text)
{
	size_t cap = 16;
	l->n = 0;
	l->p = malloc(cap * sizeof *l->p);
	l->len = malloc(cap * sizeof *l->len);
	for (const char *s = text; l->p && l->len && *s;) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (l->n == cap) {
			cap *= 2;
			const char **np = realloc(l->p, cap * sizeof *np);
			if (np)
				l->p = np;
			size_t *nl = np ? realloc(l->len, cap * sizeof *nl) : NULL;
			if (!nl)
				break;
			l->len = nl;
		}
		l->p[l->n] = s;
		l->len[l->n++] = len;
		s += len + (e ? 1 : 0);
	}
	return l->p && l->len ? 0 : ipam__enomem();
}

static bool same(const lines *a, size_t i, const lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

int ipam__dhcp_diff(ipam_buf *out, const char *before, const char *after)
{
	lines a = {0}, b = {0};
	int rc = split(&a, before);
	if (!rc)
		rc = split(&b, after);
	/* common head and tail first, LCS table on what is left */
	size_t head = 0, tail = 0;
	while (!rc && head < a.n && head < b.n && same(&a, head, &b, head))
		head++;
	while (!rc && tail < a.n - head && tail < b.n - head && same(&a, a.n - 1 - tail, &b, b.n - 1 - tail))
		tail++;
	size_t n = rc ? 0 : a.n - head - tail, m = rc ? 0 : b.n - head - tail;
	uint32_t *t = NULL;
	if (!rc && n * m <= 16u * 1024 * 1024)
		t = calloc((n + 1) * (m + 1), sizeof *t);
	if (!rc && t) {
		for (size_t i = n; i-- > 0;)
			for (size_t j = m; j-- > 0;)
				t[i * (m + 1) + j] = same(&a, head + i, &b, head + j)
							     ? t[(i + 1) * (m + 1) + j + 1] + 1
							     : (t[(i + 1) * (m + 1) + j] > t[i * (m + 1) + j + 1]
									? t[(i + 1) * (m + 1) + j]
									: t[i * (m + 1) + j + 1]);
	}
	size_t i = 0, j = 0;
	while (!rc && (i < n || j < m)) {
		if (i < n && j < m && same(&a, head + i, &b, head + j)) {
			i++, j++;
		} else if (j == m || (i < n && t && t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1]) ||
			   (!t && i < n)) {
			rc = ipam__buf_printf(out, "-%.*s\n", (int)a.len[head + i], a.p[head + i]);
			i++;
		} else {
			rc = ipam__buf_printf(out, "+%.*s\n", (int)b.len[head + j], b.p[head + j]);
			j++;
		}
	}
	free(t);
	free(a.p);
	free(a.len);
	free(b.p);
	free(b.len);
	return rc;
}

/* What Kea runs, cut down to the shape of what libipam would send: objects
 * keep only the keys of their counterpart (Kea adds every default when it
 * answers config-get), arrays pair up by position. So a diff of the two
 * shows only what the push changes. */
static cJSON *project(const cJSON *run, const cJSON *ours)
{
	if (cJSON_IsObject(run) && cJSON_IsObject(ours)) {
		cJSON *out = cJSON_CreateObject();
		const cJSON *k;
		cJSON_ArrayForEach(k, ours)
		{
			const cJSON *r = cJSON_GetObjectItemCaseSensitive(run, k->string);
			if (out && r)
				cJSON_AddItemToObject(out, k->string, project(r, k));
		}
		return out;
	}
	if (cJSON_IsArray(run) && cJSON_IsArray(ours)) {
		cJSON *out = cJSON_CreateArray();
		const cJSON *o = ours->child, *r;
		if (!out)
			return NULL;
		cJSON_ArrayForEach(r, run)
		{
			cJSON_AddItemToArray(out, project(r, o));
			o = o ? o->next : NULL;
		}
		return out;
	}
	return cJSON_Duplicate(run, true);
}

static int dry_run_diff(ipam_buf *report, const char *cur_text, const ipam_buf *merged)
{
	cJSON *run = cJSON_Parse(cur_text), *ours = cJSON_ParseWithLengthOpts(merged->ptr, merged->size, NULL, 0);
	cJSON *shape = run && ours ? project(run, ours) : NULL;
	char *before = shape ? cJSON_Print(shape) : NULL;
	int rc = before ? 0 : ipam__enomem();
	ipam_buf b = IPAM_BUF_INIT;
	if (!rc)
		rc = ipam__buf_printf(&b, "%s\n", before);
	if (!rc && report)
		rc = ipam__dhcp_diff(report, b.ptr, merged->ptr);
	ipam_buf_dispose(&b);
	cJSON_free(before);
	cJSON_Delete(shape);
	cJSON_Delete(run);
	cJSON_Delete(ours);
	return rc;
}

int ipam__dhcp_push_kea(const ipam__dhcp_config *c, unsigned family, const char *server,
			const ipam__dhcp_push *o, ipam_buf *report)
{
	const char *service = family == IPAM_AF_INET ? "dhcp4" : "dhcp6";
	if (!o || !o->url)
		return ipam__error(IPAM_EINVAL, "push to %s: no control agent url", server ? server : "kea");
	if (!o->dry_run && (!o->write_file || !*o->write_file))
		return ipam__error(IPAM_EINVAL, "push to %s: config-write needs a file name", o->url);
	cJSON *cur = NULL, *next = NULL;
	char *cur_text = NULL;
	ipam_buf merged = IPAM_BUF_INIT;
	int rc = kea_cmd(o, service, "config-get", NULL, &cur);
	if (rc)
		return rc;
	if (!cJSON_IsObject(cur)) {
		cJSON_Delete(cur);
		return ipam__error(IPAM_EIO, "kea config-get (%s at %s): no config in the answer", service, o->url);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(cur, "hash"); /* newer Kea adds it; config-set refuses it */
	cur_text = cJSON_Print(cur);
	cJSON_Delete(cur);
	if (!cur_text)
		return ipam__enomem();
	rc = ipam__dhcp_render_kea(&merged, c, family, server, cur_text);
	if (rc)
		goto done;
	if (o->dry_run) {
		rc = dry_run_diff(report, cur_text, &merged);
		goto done;
	}
	next = cJSON_ParseWithLengthOpts(merged.ptr, merged.size, NULL, 0);
	if (!next) {
		rc = ipam__enomem();
		goto done;
	}
	if ((rc = kea_cmd(o, service, "config-test", next, NULL)) || (rc = kea_cmd(o, service, "config-set", next, NULL)))
		goto done;
	cJSON *wargs = cJSON_CreateObject();
	if (!wargs || !cJSON_AddStringToObject(wargs, "filename", o->write_file)) {
		cJSON_Delete(wargs);
		rc = ipam__enomem();
		goto done;
	}
	rc = kea_cmd(o, service, "config-write", wargs, NULL);
	cJSON_Delete(wargs);
	if (!rc && report)
		rc = ipam__buf_printf(report, "%s: config set and written to %s\n", service, o->write_file);
	if (!rc && o->merged)
		rc = ipam__buf_put(o->merged, merged.ptr, merged.size);
done:
	cJSON_Delete(next);
	cJSON_free(cur_text);
	ipam_buf_dispose(&merged);
	return rc;
}

int ipam__dhcp_leases_kea_get(ipam__dhcp_leases *out, unsigned family, const ipam__dhcp_push *o)
{
	const char *service = family == IPAM_AF_INET ? "dhcp4" : "dhcp6";
	cJSON *args = NULL;
	int rc = kea_cmd(o, service, family == IPAM_AF_INET ? "lease4-get-all" : "lease6-get-all", NULL, &args);
	if (rc || !args) /* result 3: no leases */
		return rc;
	char *text = cJSON_PrintUnformatted(args);
	cJSON_Delete(args);
	if (!text)
		return ipam__enomem();
	char what[120];
	snprintf(what, sizeof what, "kea lease-get-all (%s at %s)", service, o->url);
	rc = ipam__dhcp_leases_kea_json(out, text, strlen(text), what);
	cJSON_free(text);
	return rc;
}
