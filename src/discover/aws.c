/* The AWS EC2 inventory: the Query API over the one HTTP helper
 * (src/net/http.h), each request signed with Signature V4, each answer read
 * by ec2_xml.c, NextToken paging bounded by max_pages. */
#include "discover/disc.h"
#include "net/http.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int ipam_aws_options_init(ipam_aws_options *opts, unsigned int version)
{
	if (version < 1 || version > IPAM_AWS_OPTIONS_VERSION)
		return ipam__error(IPAM_EINVAL, "ipam_aws_options: unknown version %u", version);
	*opts = (ipam_aws_options)IPAM_AWS_OPTIONS_INIT;
	opts->version = version;
	return 0;
}

static int auth_error(const char *code)
{
	static const char *const auth[] = { "AuthFailure", "SignatureDoesNotMatch", "UnauthorizedOperation",
					    "InvalidClientTokenId", "OptInRequired", "RequestExpired",
					    "IncompleteSignature", "MissingAuthenticationToken", "AccessDenied" };
	for (size_t i = 0; i < sizeof auth / sizeof auth[0]; i++)
		if (strcmp(code, auth[i]) == 0)
			return IPAM_EAUTH;
	return IPAM_EIO;
}

int ipam__disc_aws_fail(const char *what, long status, const char *code, const char *message)
{
	if (code && *code)
		return ipam__error(auth_error(code), "%s: HTTP %ld: %s: %s", what, status, code, message ? message : "");
	return ipam__error(status == 401 || status == 403 ? IPAM_EAUTH : IPAM_EIO,
			   "%s: HTTP %ld without an AWS error document", what, status);
}

void ipam__disc_amz_date(char out[20], int64_t now)
{
	time_t t = (time_t)(now ? now : (int64_t)time(NULL));
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 20, "%Y%m%dT%H%M%SZ", &tm);
}

int ipam__disc_aws_send(const ipam_aws_options *o, const ipam__aws_call *c, ipam__http_resp *resp)
{
	memset(resp, 0, sizeof *resp);
	const char *h = strstr(c->url, "://");
	if (!h)
		return ipam__error(IPAM_EINVAL, "%s: endpoint \"%.200s\" is not an http(s) URL", c->what, c->url);
	h += 3;
	char h_host[300], h_date[64], h_tok[2200], h_auth[700];
	snprintf(h_host, sizeof h_host, "Host: %.*s", (int)strcspn(h, "/"), h);
	snprintf(h_date, sizeof h_date, "X-Amz-Date: %s", c->amz_date);
	const char *ctype = c->body ? "Content-Type: application/x-www-form-urlencoded; charset=utf-8" : NULL;
	const char *signed_h[5] = { 0 };
	size_t n = 0;
	if (ctype)
		signed_h[n++] = ctype;
	signed_h[n++] = h_host;
	signed_h[n++] = h_date;
	if (o->session_token) {
		snprintf(h_tok, sizeof h_tok, "X-Amz-Security-Token: %s", o->session_token);
		signed_h[n++] = h_tok;
	}
	ipam__sigv4 sg = { c->method, c->path, c->query, signed_h, c->body ? c->body : "", c->body ? strlen(c->body) : 0,
			   o->access_key, o->secret_key, c->region, c->service, c->amz_date };
	memcpy(h_auth, "Authorization: ", 15);
	int rc = ipam__disc_sigv4(h_auth + 15, sizeof h_auth - 15, &sg);
	const char *headers[6] = { 0 };
	n = 0;
	if (ctype)
		headers[n++] = ctype;
	headers[n++] = h_date;
	headers[n++] = h_auth;
	if (o->session_token)
		headers[n++] = h_tok;
	ipam_buf url = IPAM_BUF_INIT;
	if (!rc)
		rc = c->query ? ipam__buf_printf(&url, "%s?%s", c->url, c->query) : ipam__buf_printf(&url, "%s", c->url);
	ipam__http_req req = { 0 };
	req.what = c->what;
	req.method = c->method;
	req.url = url.ptr;
	req.headers = headers;
	req.body = c->body;
	req.timeout_ms = o->timeout_ms;
	if (!rc)
		rc = ipam__http(&req, resp);
	sodium_memzero(h_auth, sizeof h_auth);
	sodium_memzero(h_tok, sizeof h_tok);
	ipam_buf_dispose(&url);
	return rc;
}

/* One page of one action. */
static int page_of(const ipam_aws_options *o, const char *url, const char *action, ipam__ec2_page *pg,
		   const char *amz_date)
{
	ipam_buf body = IPAM_BUF_INIT;
	int rc = ipam__buf_printf(&body, "Action=%s&Version=2016-11-15", action);
	if (!rc && pg->next_token) {
		rc = ipam__buf_put(&body, "&NextToken=", 11);
		rc = rc ? rc : ipam__disc_urlencode(&body, pg->next_token);
	}
	if (rc) {
		ipam_buf_dispose(&body);
		return ipam__enomem();
	}
	char what[96];
	snprintf(what, sizeof what, "AWS %s (%s)", action, o->region);
	ipam__aws_call c = { "POST", url, "/", NULL, body.ptr, "ec2", o->region, amz_date, what };
	ipam__http_resp resp;
	rc = ipam__disc_aws_send(o, &c, &resp);
	ipam_buf_dispose(&body);
	if (rc) {
		ipam_buf_dispose(&resp.body);
		return rc;
	}
	free(pg->next_token);
	pg->next_token = NULL;
	pg->error_code[0] = pg->error_message[0] = '\0';
	if (resp.status == 200) {
		rc = ipam__disc_ec2_parse(pg, resp.body.ptr ? resp.body.ptr : "", resp.body.size, what);
	} else {
		/* an error answer: <Response><Errors><Error><Code>..., read by the same parser */
		ipam__ec2_page err = { 0 };
		err.region = o->region;
		rc = ipam_obs_set_new(&err.out);
		if (!rc && ipam__disc_ec2_parse(&err, resp.body.ptr ? resp.body.ptr : "", resp.body.size, what) != 0)
			err.error_code[0] = '\0';
		if (rc != IPAM_ENOMEM)
			rc = ipam__disc_aws_fail(what, resp.status, err.error_code, err.error_message);
		ipam__disc_ec2_page_dispose(&err);
		ipam_obs_set_free(err.out);
	}
	ipam_buf_dispose(&resp.body);
	return rc;
}

int ipam_discover_aws(ipam_obs_set *out, ipam_db *db, const ipam_aws_options *opts)
{
	if (!opts || opts->version < 1 || opts->version > IPAM_AWS_OPTIONS_VERSION)
		return ipam__error(IPAM_EINVAL, "ipam_aws_options: required, version 1");
	const ipam_aws_options *o = opts;
	if (!out || !o->region || !*o->region || !o->access_key || !o->secret_key)
		return ipam__error(IPAM_EINVAL, "AWS: region, access_key and secret_key are required");
	for (const char *c = o->region; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
			return ipam__error(IPAM_EINVAL, "AWS: region \"%.40s\": letters, digits and '-' only", o->region);
	char url[300];
	if (o->endpoint)
		snprintf(url, sizeof url, "%s", o->endpoint);
	else
		snprintf(url, sizeof url, "https://ec2.%s.amazonaws.com/", o->region);
	int64_t now = o->now ? o->now : (int64_t)time(NULL);
	char amz_date[20];
	ipam__disc_amz_date(amz_date, now);
	ipam__ec2_page pg = { 0 };
	pg.out = out;
	pg.region = o->region;
	pg.now = now;
	static const char *const actions[] = { "DescribeVpcs", "DescribeSubnets", "DescribeNetworkInterfaces" };
	unsigned max = o->max_pages ? o->max_pages : 1000;
	int rc = 0;
	ipam__disc_prog prog = { o->progress, o->progress_ctx, "aws", 0, 0 };
	for (size_t a = 0; a < 3 && !rc; a++) {
		unsigned pages = 0;
		do {
			if (++pages > max) {
				rc = ipam__error(IPAM_EIO, "AWS %s (%s): more than max_pages (%u) pages", actions[a],
						 o->region, max);
				break;
			}
			rc = page_of(o, url, actions[a], &pg, amz_date);
			ipam__disc_step(&prog);
		} while (!rc && pg.next_token && *pg.next_token);
		free(pg.next_token);
		pg.next_token = NULL;
	}
	if (!rc && db)
		rc = ipam__disc_spaces_create(&pg.spaces, db);
	ipam__disc_ec2_page_dispose(&pg);
	return rc;
}
