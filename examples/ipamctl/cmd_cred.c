/* Commands: credential add|list|rm, and the credentials of `discover`.
 *
 * A credential's secret is read from a file or from standard input, never
 * from the command line (shells keep it in their history, `ps` shows it to
 * every user); it goes to the library, which seals it before storing it,
 * and is wiped here. */
#include "ipamctl.h"

#include <ipam/discover.h>

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CRED_MAX 8192

/* The secret's lines (the first: the secret; the second, if any: the
 * second secret), from `path` or ("-" or NULL) standard input, in memory
 * that is wiped when freed (sodium_free). */
static int read_secrets(struct ctl *c, char **buf, char **second, const char *path)
{
	*buf = *second = NULL;
	if (sodium_init() < 0)
		return fail_as(c, "ERROR", "credential: libsodium did not initialise");
	bool in = !path || strcmp(path, "-") == 0;
	FILE *f = in ? stdin : fopen(path, "rb");
	if (!f)
		return fail_as(c, "IO", "--secret-file %.200s: %s", path, strerror(errno));
	char *b = sodium_malloc(CRED_MAX + 1);
	if (!b) {
		if (!in)
			fclose(f);
		return fail_nomem(c);
	}
	size_t n = fread(b, 1, CRED_MAX, f);
	if (!in)
		fclose(f);
	b[n] = '\0';
	char *nl = strpbrk(b, "\r\n");
	if (nl) {
		*nl = '\0';
		char *s = nl + 1 + (nl[0] == '\r' && nl[1] == '\n');
		s[strcspn(s, "\r\n")] = '\0';
		*second = *s ? s : NULL;
	}
	if (!b[0]) {
		sodium_free(b);
		return fail_inval(c, "credential: the secret (%s) is empty", in ? "standard input" : path);
	}
	*buf = b;
	return ST_OK;
}

int cmd_cred_add(struct ctl *c, const struct args *a)
{
	ipam_credential cr = IPAM_CREDENTIAL_INIT;
	cr.type = a->val[OPT_TYPE];
	cr.id = a->val[OPT_USER];
	char *kv = NULL;
	int st = arg_kv_json(c, &kv, a, OPT_ATTR);
	if (st)
		return st;
	cJSON *attrs = kv ? cJSON_Parse(kv) : NULL;
	free(kv);
	const cJSON *tenant = cJSON_GetObjectItemCaseSensitive(attrs, "tenant");
	cr.tenant = cJSON_IsString(tenant) ? tenant->valuestring : NULL;
	char *buf = NULL, *second = NULL;
	st = cr.type ? read_secrets(c, &buf, &second, a->val[OPT_SECRET_FILE])
		     : fail_usage(c, "credential add: --type aws|azure|gcp|snmpv3 is required");
	if (!st) {
		cr.secret = buf;
		cr.secret2 = second;
		int rc = ipam_credential_add(c->db, a->pos[0], &cr, a->seen[OPT_REPLACE]);
		sodium_free(buf);
		if (rc) {
			cJSON_Delete(attrs);
			return fail_lib(c, rc, NULL);
		}
		cJSON *o = cJSON_CreateObject();
		char text[300];
		json_str(o, "credential", a->pos[0]);
		json_str(o, "type", cr.type);
		snprintf(text, sizeof text, "credential %.200s (%s) stored, its secret sealed", a->pos[0], cr.type);
		st = out_item(c, K_TEXT, o, text);
	}
	cJSON_Delete(attrs);
	return st;
}

int cmd_cred_list(struct ctl *c, const struct args *a)
{
	(void)a;
	ipam_buf b = IPAM_BUF_INIT;
	int rc = ipam_credential_list(&b, c->db);
	cJSON *arr = rc ? NULL : cJSON_Parse(b.ptr);
	ipam_buf_dispose(&b);
	if (rc)
		return fail_lib(c, rc, NULL);
	size_t n = (size_t)cJSON_GetArraySize(arr), cap = 64 + n * 300, used = 0;
	char *text = arr ? malloc(cap) : NULL;
	if (!text) {
		cJSON_Delete(arr);
		return fail_nomem(c);
	}
	used += (size_t)snprintf(text, cap, "%zu credential%s", n, n == 1 ? "" : "s");
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
		const cJSON *tn = cJSON_GetObjectItemCaseSensitive(it, "tenant");
		if (used < cap)
			used += (size_t)snprintf(text + used, cap - used, "\n  %-24.100s %-7s %.80s%s%.80s",
						 cJSON_GetObjectItemCaseSensitive(it, "name")->valuestring,
						 cJSON_GetObjectItemCaseSensitive(it, "type")->valuestring,
						 cJSON_IsString(id) ? id->valuestring : "-", cJSON_IsString(tn) ? "  tenant " : "",
						 cJSON_IsString(tn) ? tn->valuestring : "");
	}
	int st = out_item(c, K_TEXT, arr, text);
	free(text);
	return st;
}

int cmd_cred_rm(struct ctl *c, const struct args *a)
{
	int rc = ipam_credential_rm(c->db, a->pos[0]);
	if (rc)
		return fail_lib(c, rc, NULL);
	cJSON *o = cJSON_CreateObject();
	char text[300];
	json_str(o, "removed", a->pos[0]);
	snprintf(text, sizeof text, "credential %.200s removed", a->pos[0]);
	return out_item(c, K_TEXT, o, text);
}

int cred_load(struct ctl *c, ipam_credential *cr, ipam_buf *store, const char *name, const char *type)
{
	int rc = ipam_credential_get(cr, store, c->db, name);
	if (rc)
		return fail_lib(c, rc, "--credential");
	if (strcmp(cr->type, type) != 0) {
		char was[16];
		snprintf(was, sizeof was, "%s", cr->type);
		ipam_credential_wipe(store);
		return fail_inval(c, "--credential %.200s is a %s credential, not %s", name, was, type);
	}
	return ST_OK;
}
