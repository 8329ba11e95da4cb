/* The Azure Resource Manager and Google Compute inventories: a bearer
 * token (Azure: from OAuth2 client credentials unless given), then each
 * listing page by page through ipam__disc_get_json, read by cloud_json.c.
 * Endpoints are options, so tests point them at a local server. */
#include "discover/disc.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int ipam_azure_options_init(ipam_azure_options *opts, unsigned int version)
{
	if (version < 1 || version > IPAM_AZURE_OPTIONS_VERSION)
		return ipam__error(IPAM_EINVAL, "ipam_azure_options: unknown version %u", version);
	*opts = (ipam_azure_options)IPAM_AZURE_OPTIONS_INIT;
	opts->version = version;
	return 0;
}

int ipam_gcp_options_init(ipam_gcp_options *opts, unsigned int version)
{
	if (version < 1 || version > IPAM_GCP_OPTIONS_VERSION)
		return ipam__error(IPAM_EINVAL, "ipam_gcp_options: unknown version %u", version);
	*opts = (ipam_gcp_options)IPAM_GCP_OPTIONS_INIT;
	opts->version = version;
	return 0;
}

int ipam__disc_url_safe(const char *s, const char *what, bool slash)
{
	if (!s || !*s || strlen(s) > (slash ? 400 : 128))
		return ipam__error(IPAM_EINVAL, "%s: required, at most %d characters", what, slash ? 400 : 128);
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      strchr("-_.", *c) || (slash && *c == '/')))
			return ipam__error(IPAM_EINVAL, "%s \"%.40s\": letters, digits, '-', '_'%s and '.' only", what, s,
					   slash ? ", '/'" : "");
	if (slash && strstr(s, ".."))
		return ipam__error(IPAM_EINVAL, "%s \"%.40s\": no \"..\"", what, s);
	return 0;
}

/* Every page of one listing: the first URL, then `next` (a full URL for
 * Azure's nextLink; a pageToken appended to the first URL for Google). */
int ipam__disc_json_pages(int azure, const char *url, const char *token, unsigned timeout, unsigned max_pages,
			  const char *what, ipam__disc_page_fn fn, void *ctx, ipam__disc_prog *prog)
{
	char *cur = ipam__strdup(url);
	int rc = cur ? 0 : IPAM_ENOMEM;
	for (unsigned page = 0; !rc && cur; page++) {
		if (page == max_pages) {
			rc = ipam__error(IPAM_EIO, "%s: more than max_pages (%u) pages", what, max_pages);
			break;
		}
		cJSON *doc = NULL;
		char *next = NULL;
		rc = ipam__disc_get_json(&doc, what, "GET", cur, token, NULL, timeout);
		if (!rc)
			rc = fn(ctx, doc, what, &next);
		ipam__disc_step(prog);
		cJSON_Delete(doc);
		free(cur);
		cur = NULL;
		if (rc || !next)
			break;
		if (azure) {
			/* nextLink must stay on the endpoint asked (never send the token elsewhere) */
			size_t base = strcspn(url + strcspn(url, ":") + 3, "/") + strcspn(url, ":") + 3;
			if (strncmp(next, url, base) != 0 || (next[base] && next[base] != '/'))
				rc = ipam__error(IPAM_EINVAL, "%s: a nextLink to another host", what);
			else
				cur = ipam__strdup(next);
		} else {
			ipam_buf b = IPAM_BUF_INIT;
			rc = ipam__buf_printf(&b, "%s%spageToken=", url, strchr(url, '?') ? "&" : "?");
			if (!rc)
				rc = ipam__disc_urlencode(&b, next);
			cur = rc ? NULL : b.ptr;
			if (rc)
				ipam_buf_dispose(&b);
		}
		free(next);
		if (!rc && !cur)
			rc = IPAM_ENOMEM;
	}
	free(cur);
	return rc;
}

/* The inventories' pages: observations through cloud_json.c. */
typedef struct inv_page {
	ipam__disc_cloud *c;
	int kind;
} inv_page;

static int inv_page_fn(void *ctx, const cJSON *doc, const char *what, char **next)
{
	inv_page *p = ctx;
	int rc = ipam__disc_cloud_parse(p->c, p->kind, doc, what);
	*next = p->c->next;
	p->c->next = NULL;
	return rc;
}

static int listing(ipam__disc_cloud *c, int kind, const char *url, const char *token, unsigned timeout,
		   unsigned max_pages, const char *what, ipam__disc_prog *prog)
{
	inv_page p = { c, kind };
	return ipam__disc_json_pages(strcmp(c->provider, "azure") == 0, url, token, timeout, max_pages, what,
				     inv_page_fn, &p, prog);
}

static int finish(ipam__disc_cloud *c, ipam_db *db, int rc)
{
	if (!rc && db)
		rc = ipam__disc_spaces_create(&c->spaces, db);
	ipam__disc_spaces_dispose(&c->spaces);
	free(c->next);
	return rc;
}

/* An OAuth2 client-credentials token for Azure Resource Manager. */
int ipam__disc_azure_token(char **out, const ipam_azure_options *o)
{
	const char *login = o->login_endpoint ? o->login_endpoint : "https://login.microsoftonline.com";
	const char *arm = o->arm_endpoint ? o->arm_endpoint : "https://management.azure.com";
	int rc = ipam__disc_url_safe(o->tenant, "Azure: tenant", false);
	if (rc)
		return rc;
	if (!o->client_id || !o->client_secret)
		return ipam__error(IPAM_EINVAL, "Azure: client_id and client_secret, or access_token, are required");
	char url[512];
	snprintf(url, sizeof url, "%s/%s/oauth2/v2.0/token", login, o->tenant);
	ipam_buf form = IPAM_BUF_INIT;
	rc = ipam__buf_printf(&form, "grant_type=client_credentials&client_id=");
	const char *parts[] = { o->client_id, "&client_secret=", o->client_secret, "&scope=", arm, "/.default" };
	for (size_t i = 0; i < 6 && !rc; i++) {
		rc = i % 2 ? ipam__buf_put(&form, parts[i], strlen(parts[i])) : ipam__disc_urlencode(&form, parts[i]);
	}
	cJSON *doc = NULL;
	if (!rc)
		rc = ipam__disc_get_json(&doc, "Azure token", "POST", url, NULL, form.ptr, o->timeout_ms);
	if (form.ptr)
		sodium_memzero(form.ptr, form.size);
	ipam_buf_dispose(&form);
	if (rc)
		return rc;
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(doc, "access_token");
	if (!cJSON_IsString(tok) || !*tok->valuestring)
		rc = ipam__error(IPAM_EINVAL, "Azure token: the answer has no access_token");
	else if (!(*out = ipam__strdup(tok->valuestring)))
		rc = IPAM_ENOMEM;
	if (cJSON_IsString(tok))
		sodium_memzero(tok->valuestring, strlen(tok->valuestring));
	cJSON_Delete(doc);
	return rc;
}

int ipam_discover_azure(ipam_obs_set *out, ipam_db *db, const ipam_azure_options *o)
{
	if (!o || o->version < 1 || o->version > IPAM_AZURE_OPTIONS_VERSION || !out)
		return ipam__error(IPAM_EINVAL, "ipam_azure_options: required, version 1");
	int rc = ipam__disc_url_safe(o->subscription, "Azure: subscription", false);
	if (rc)
		return rc;
	const char *arm = o->arm_endpoint ? o->arm_endpoint : "https://management.azure.com";
	char *token = NULL;
	if (!o->access_token && (rc = ipam__disc_azure_token(&token, o)))
		return rc;
	ipam__disc_cloud c = { out, "azure", o->subscription, o->now ? o->now : (int64_t)time(NULL), { 0 }, NULL };
	ipam__disc_prog prog = { o->progress, o->progress_ctx, "azure", 0, 0 };
	static const char *const what[] = { "Azure virtualNetworks", "Azure networkInterfaces" };
	static const char *const path[] = { "virtualNetworks", "networkInterfaces" };
	for (int k = 0; k < 2 && !rc; k++) {
		char url[600];
		snprintf(url, sizeof url, "%s/subscriptions/%s/providers/Microsoft.Network/%s?api-version=2023-09-01", arm,
			 o->subscription, path[k]);
		rc = listing(&c, k == 0 ? IPAM__AZ_VNETS : IPAM__AZ_NICS, url, token ? token : o->access_token,
			     o->timeout_ms, o->max_pages ? o->max_pages : 1000, what[k], &prog);
	}
	if (token) {
		sodium_memzero(token, strlen(token));
		free(token);
	}
	return finish(&c, db, rc);
}

int ipam_discover_gcp(ipam_obs_set *out, ipam_db *db, const ipam_gcp_options *o)
{
	if (!o || o->version < 1 || o->version > IPAM_GCP_OPTIONS_VERSION || !out)
		return ipam__error(IPAM_EINVAL, "ipam_gcp_options: required, version 1");
	int rc = ipam__disc_url_safe(o->project, "GCP: project", false);
	if (rc)
		return rc;
	if (!o->access_token || !*o->access_token)
		return ipam__error(IPAM_EINVAL, "GCP: access_token: required");
	const char *ep = o->endpoint ? o->endpoint : "https://compute.googleapis.com";
	ipam__disc_cloud c = { out, "gcp", o->project, o->now ? o->now : (int64_t)time(NULL), { 0 }, NULL };
	ipam__disc_prog prog = { o->progress, o->progress_ctx, "gcp", 0, 0 };
	static const char *const what[] = { "GCP networks", "GCP subnetworks", "GCP instances" };
	static const char *const path[] = { "global/networks", "aggregated/subnetworks", "aggregated/instances" };
	static const int kind[] = { IPAM__GCP_NETWORKS, IPAM__GCP_SUBNETS, IPAM__GCP_INSTANCES };
	for (int k = 0; k < 3 && !rc; k++) {
		char url[600];
		snprintf(url, sizeof url, "%s/compute/v1/projects/%s/%s", ep, o->project, path[k]);
		rc = listing(&c, kind[k], url, o->access_token, o->timeout_ms, o->max_pages ? o->max_pages : 1000,
			     what[k], &prog);
	}
	return finish(&c, db, rc);
}
