/* What the cloud inventories share: the spaces they map accounts, VPCs and
 * networks to (noted while reading, created with their labels at the end),
 * and one authenticated JSON GET over the HTTP helper with the clouds'
 * common error document ({"error": {"code", "message"}}). */
#include "discover/disc.h"
#include "net/http.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

int ipam__disc_urlencode(ipam_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int rc = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-_.~", c)
				 ? ipam__buf_put(b, s, 1)
				 : ipam__buf_printf(b, "%%%02X", c);
		if (rc)
			return rc;
	}
	return 0;
}

int ipam__disc_space_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 63)
		return 0;
	for (const char *c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      strchr("-_.:/", *c)))
			return 0;
	return 1;
}

int ipam__disc_space_note(ipam__cloud_spaces *l, const char *name, const char *const *labels)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return 0;
	if (l->n == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 8;
		ipam__cloud_space *v = realloc(l->v, c * sizeof *v);
		if (!v)
			return ipam__enomem();
		l->v = v;
		l->cap = c;
	}
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; o && labels[i]; i += 2)
		if (!cJSON_AddStringToObject(o, labels[i], labels[i + 1]))
			break;
	char *text = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!text)
		return ipam__enomem();
	ipam__cloud_space *s = &l->v[l->n++];
	snprintf(s->name, sizeof s->name, "%s", name);
	s->labels = text;
	return 0;
}

int ipam__disc_spaces_create(const ipam__cloud_spaces *l, ipam_db *db)
{
	for (size_t i = 0; db && i < l->n; i++) {
		int rc = ipam_space_add(db, l->v[i].name, l->v[i].labels);
		if (rc && rc != IPAM_EEXISTS)
			return rc;
	}
	ipam_error_clear();
	return 0;
}

void ipam__disc_spaces_dispose(ipam__cloud_spaces *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].labels);
	free(l->v);
	memset(l, 0, sizeof *l);
}

int ipam__disc_get_json(cJSON **out, const char *what, const char *method, const char *url, const char *bearer,
			const char *form, unsigned timeout_ms)
{
	*out = NULL;
	size_t bl = bearer ? strlen(bearer) : 0;
	char *auth = bearer ? malloc(bl + 32) : NULL;
	if (bearer && !auth)
		return ipam__enomem();
	if (auth)
		snprintf(auth, bl + 32, "Authorization: Bearer %s", bearer);
	const char *headers[] = { "Accept: application/json",
				  form ? "Content-Type: application/x-www-form-urlencoded" : auth,
				  form ? auth : NULL, NULL };
	ipam__http_req req = { 0 };
	req.what = what;
	req.method = method;
	req.url = url;
	req.headers = headers;
	req.body = form;
	req.timeout_ms = timeout_ms;
	ipam__http_resp resp;
	int rc = ipam__http(&req, &resp);
	if (auth) {
		sodium_memzero(auth, bl + 32);
		free(auth);
	}
	if (rc) {
		ipam_buf_dispose(&resp.body);
		return rc;
	}
	const char *end = NULL;
	cJSON *doc = resp.body.size ? cJSON_ParseWithOpts(resp.body.ptr, &end, 1) : NULL;
	if (resp.status != 200) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(e, "message");
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "status");
		char cbuf[32];
		const char *c = cJSON_IsString(code) ? code->valuestring : cJSON_IsString(st) ? st->valuestring : NULL;
		if (!c && cJSON_IsNumber(code)) {
			snprintf(cbuf, sizeof cbuf, "%d", code->valueint);
			c = cbuf;
		}
		if (!c && cJSON_IsString(e)) /* OAuth2: {"error": "invalid_client", "error_description": ...} */
			c = e->valuestring, msg = cJSON_GetObjectItemCaseSensitive(doc, "error_description");
		rc = ipam__error(resp.status == 401 || resp.status == 403 || (c && strstr(c, "invalid_client"))
					 ? IPAM_EAUTH : IPAM_EIO,
				 "%s: HTTP %ld: %.64s: %.300s", what, resp.status, c ? c : "no error document",
				 cJSON_IsString(msg) ? msg->valuestring : "");
		cJSON_Delete(doc);
	} else if (!doc) {
		rc = ipam__error(IPAM_EINVAL, "%s: the answer is not JSON (byte %zu)", what,
				 end && resp.body.ptr ? (size_t)(end - resp.body.ptr) : 0);
	} else {
		*out = doc;
	}
	ipam_buf_dispose(&resp.body);
	return rc;
}
