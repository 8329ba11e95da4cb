/* Cloud inventories: the Signature V4 signer against AWS's published test
 * vectors (the Signature Version 4 test suite, and the S3 API reference's
 * GET Object example); the EC2, Azure and Google inventories against
 * cloud_server.py, a local server that answers in each provider's wire
 * format with paging and error documents (and checks every EC2 signature
 * itself). */
#include "ipam.h"
#include "ipam/discover.h"
#include "discover/disc.h"

#include "disc_test.h"

#include <cjson/cJSON.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOW 1700000000

#define SUITE_KEY "AKIDEXAMPLE"
#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_SCOPE "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "

static const char *sign(const char *method, const char *query, const char *const *headers)
{
	static char out[512];
	ipam__sigv4 r = { 0 };
	r.method = method;
	r.path = "/";
	r.query = query;
	r.headers = headers;
	r.access_key = SUITE_KEY;
	r.secret_key = SUITE_SECRET;
	r.region = "us-east-1";
	r.service = "service";
	r.amz_date = "20150830T123600Z";
	ck_assert_msg(ipam__disc_sigv4(out, sizeof out, &r) == 0, "%s", ipam_error_last()->message);
	return out;
}

START_TEST(sigv4_test_suite)
{
	const char *const h[] = { "Host:example.amazonaws.com", "X-Amz-Date:20150830T123600Z", NULL };
	ck_assert_str_eq(sign("GET", NULL, h), SUITE_SCOPE "SignedHeaders=host;x-amz-date, "
			 "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
	ck_assert_str_eq(sign("GET", "Param2=value2&Param1=value1", h),
			 SUITE_SCOPE "SignedHeaders=host;x-amz-date, "
			 "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
	ck_assert_str_eq(sign("POST", NULL, h), SUITE_SCOPE "SignedHeaders=host;x-amz-date, "
			 "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
	/* the order headers are given in does not matter, nor their case */
	const char *const h2[] = { "x-amz-date:  20150830T123600Z ", "HOST:example.amazonaws.com", NULL };
	ck_assert_str_eq(sign("GET", NULL, h2), SUITE_SCOPE "SignedHeaders=host;x-amz-date, "
			 "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}
END_TEST

START_TEST(sigv4_s3_get_object)
{
	char out[512];
	const char *const h[] = { "Host:examplebucket.s3.amazonaws.com", "Range:bytes=0-9",
				  "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
				  "x-amz-date:20130524T000000Z", NULL };
	ipam__sigv4 r = { 0 };
	r.method = "GET";
	r.path = "/test.txt";
	r.headers = h;
	r.access_key = "AKIAIOSFODNN7EXAMPLE";
	r.secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
	r.region = "us-east-1";
	r.service = "s3";
	r.amz_date = "20130524T000000Z";
	ck_assert_int_eq(ipam__disc_sigv4(out, sizeof out, &r), 0);
	ck_assert_str_eq(out, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
			      "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
			      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
	r.amz_date = "2013";
	ck_assert_int_eq(ipam__disc_sigv4(out, sizeof out, &r), IPAM_EINVAL);
}
END_TEST

static pid_t ec2_pid;
static int ec2_stdin = -1, ec2_stdout = -1, ec2_port;

/* cloud_server.py on a port of its choosing; it stops when its stdin closes. */
static int start_ec2(void)
{
	char script[512];
	snprintf(script, sizeof script, "%s/cloud_server.py", getenv("DISC_SRCDIR") ? getenv("DISC_SRCDIR") : ".");
	int in[2], out[2];
	if (pipe(in) || pipe(out))
		return -1;
	ec2_pid = fork();
	if (ec2_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execlp("python3", "python3", script, SUITE_KEY, SUITE_SECRET, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	ec2_stdin = in[1];
	char line[32] = "";
	ec2_stdout = out[0]; /* kept open: the server may still write to it */
	ssize_t n = read(out[0], line, sizeof line - 1);
	if (n <= 0)
		return -1;
	line[n] = '\0';
	ec2_port = atoi(line);
	return ec2_port > 0 ? 0 : -1;
}

static void stop_ec2(void)
{
	if (ec2_stdin >= 0)
		close(ec2_stdin);
	if (ec2_stdout >= 0)
		close(ec2_stdout);
	if (ec2_pid > 0)
		waitpid(ec2_pid, NULL, 0);
}

static int aws(ipam_obs_set *s, ipam_db *db, const char *access, const char *secret)
{
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", ec2_port);
	ipam_aws_options o = IPAM_AWS_OPTIONS_INIT;
	o.region = "eu-west-1";
	o.endpoint = url;
	o.access_key = access;
	o.secret_key = secret;
	o.now = NOW;
	return ipam_discover_aws(s, db, &o);
}

#define SP_A "aws/111122223333/eu-west-1/vpc-aaa"
#define SP_B "aws/111122223333/eu-west-1/vpc-bbb"

START_TEST(ec2_inventory)
{
	ipam_db *db;
	ipam_obs_set *s;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	ck_assert_msg(aws(s, db, SUITE_KEY, SUITE_SECRET) == 0, "%s", ipam_error_last()->message);
	/* the overlapping VPCs (10.0.0.0/16 twice) land in spaces of their own */
	ck_assert_str_eq(disc_lines(s, NOW),
			 "aws " SP_A " 10.0.0.0/16 - vpc-aaa\n"
			 "aws " SP_A " 10.0.1.0/24 - subnet-a1\n"
			 "aws " SP_A " 10.0.1.10 02:aa:00:00:00:01 eni-a\n"
			 "aws " SP_A " 10.0.1.11 02:aa:00:00:00:01 eni-a\n"
			 "aws " SP_A " 2600:1f18:1:100::/56 - vpc-aaa\n"
			 "aws " SP_A " 2600:1f18:1:101::/64 - subnet-a1\n"
			 "aws " SP_A " 2600:1f18:1:101::10 02:aa:00:00:00:01 eni-a\n"
			 "aws " SP_B " 10.0.0.0/16 - vpc-bbb\n"
			 "aws " SP_B " 10.0.1.0/24 - subnet-b1\n"
			 "aws " SP_B " 10.0.1.10 02:bb:00:00:00:01 eni-b\n");
	/* in the order seen: 3 VPC blocks, 3 subnet blocks, then eni-a's 10.0.1.10 */
	ipam_observation o;
	ck_assert_int_eq(ipam_obs_set_get(&o, s, 6), 0);
	ck_assert_str_eq(o.name, "ip-10-0-1-10.eu-west-1.compute.internal");
	ck_assert_int_eq(ipam_obs_set_get(&o, s, 7), 0);
	ck_assert_ptr_null(o.name);
	ipam_space_info si = IPAM_SPACE_INFO_INIT;
	ck_assert_int_eq(ipam_space_get(&si, db, SP_B), 0);
	ck_assert_str_eq(si.labels_json, "{\"provider\":\"aws\",\"account\":\"111122223333\",\"region\":\"eu-west-1\","
					 "\"vpc\":\"vpc-bbb\"}");
	ipam_space_info_dispose(&si);

	/* reconciled against a db that has only vpc-aaa's /16: the rest is missing */
	ipam_prefix p;
	ipam_prefix_parse(&p, "10.0.0.0/16", 0);
	ipam_prefix_options po = IPAM_PREFIX_OPTIONS_INIT;
	po.space = SP_A;
	ck_assert_int_eq(ipam_prefix_add(db, &p, &po), 0);
	ipam_reconcile_report *r;
	ipam_reconcile_options ro = IPAM_RECONCILE_OPTIONS_INIT;
	ro.now = NOW;
	ck_assert_int_eq(ipam_reconcile(&r, db, s, &ro), 0);
	ck_assert_uint_eq(ipam_reconcile_report_count_of(r, IPAM_DRIFT_SUBNET_MISSING), 5);
	ck_assert_uint_eq(ipam_reconcile_report_count_of(r, IPAM_DRIFT_UNRECORDED), 2);
	ck_assert_uint_eq(ipam_reconcile_report_count_of(r, IPAM_DRIFT_OUTSIDE), 2);
	ipam_reconcile_report_free(r);
	ipam_obs_set_free(s);
	ipam_db_free(db);
}
END_TEST

START_TEST(ec2_errors)
{
	ipam_obs_set *s;
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	ck_assert_int_eq(aws(s, NULL, SUITE_KEY, "not-the-secret"), IPAM_EAUTH);
	const char *m = ipam_error_last()->message;
	ck_assert_msg(strstr(m, "SignatureDoesNotMatch") && strstr(m, "DescribeVpcs") && !strstr(m, "not-the-secret"),
		      "%s", m);
	ck_assert_int_eq(aws(s, NULL, "AKIDBAD", SUITE_SECRET), IPAM_EAUTH);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "AuthFailure"));
	ck_assert_uint_eq(ipam_obs_set_count(s), 0);
	ipam_obs_set_free(s);
}
END_TEST

#define SP_AZ "azure/0f1e2d3c/rg1/vnet"
#define SP_G "gcp/proj-1/default"

static int azure(ipam_obs_set *s, ipam_db *db, const char *secret)
{
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", ec2_port);
	ipam_azure_options o = IPAM_AZURE_OPTIONS_INIT;
	o.subscription = "0f1e2d3c-aaaa-bbbb-cccc-000000000001";
	o.tenant = "tenant-1";
	o.client_id = "app-1";
	o.client_secret = secret;
	o.login_endpoint = o.arm_endpoint = url;
	o.now = NOW;
	return ipam_discover_azure(s, db, &o);
}

START_TEST(azure_inventory)
{
	ipam_db *db;
	ipam_obs_set *s;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	ck_assert_msg(azure(s, db, "s3cret +&=") == 0, "%s", ipam_error_last()->message);
	ck_assert_str_eq(disc_lines(s, NOW),
			 "azure " SP_AZ "1 10.1.0.0/16 - vnet1\n"
			 "azure " SP_AZ "1 10.1.0.0/24 - default\n"
			 "azure " SP_AZ "1 10.1.0.4 00:0d:3a:11:22:33 nic1\n"
			 "azure " SP_AZ "2 10.1.0.0/16 - vnet2\n"
			 "azure " SP_AZ "2 10.1.1.0/24 - s2\n"
			 "azure " SP_AZ "2 fd01::/48 - vnet2\n");
	ipam_space_info si = IPAM_SPACE_INFO_INIT;
	ck_assert_int_eq(ipam_space_get(&si, db, SP_AZ "2"), 0);
	ck_assert_str_eq(si.labels_json, "{\"provider\":\"azure\",\"account\":\"0f1e2d3c-aaaa-bbbb-cccc-000000000001\","
					 "\"resource_group\":\"rg1\",\"region\":\"westeurope\",\"vnet\":\"vnet2\"}");
	ipam_space_info_dispose(&si);
	ipam_obs_set_free(s);
	ipam_db_free(db);

	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	ck_assert_int_eq(azure(s, NULL, "wrong"), IPAM_EAUTH);
	ck_assert_msg(strstr(ipam_error_last()->message, "invalid_client") &&
			      !strstr(ipam_error_last()->message, "wrong"),
		      "%s", ipam_error_last()->message);
	ipam_azure_options o = IPAM_AZURE_OPTIONS_INIT;
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", ec2_port);
	o.subscription = "0f1e2d3c-aaaa-bbbb-cccc-000000000001";
	o.access_token = "expired";
	o.arm_endpoint = url;
	ck_assert_int_eq(ipam_discover_azure(s, NULL, &o), IPAM_EAUTH);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "InvalidAuthenticationToken"));
	ipam_obs_set_free(s);
}
END_TEST

START_TEST(gcp_inventory)
{
	ipam_db *db;
	ipam_obs_set *s;
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", ec2_port);
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	ck_assert_int_eq(ipam_obs_set_new(&s), 0);
	ipam_gcp_options o = IPAM_GCP_OPTIONS_INIT;
	o.project = "proj-1";
	o.access_token = "gcp-token";
	o.endpoint = url;
	o.now = NOW;
	ck_assert_msg(ipam_discover_gcp(s, db, &o) == 0, "%s", ipam_error_last()->message);
	ck_assert_str_eq(disc_lines(s, NOW),
			 "gcp " SP_G " 10.128.0.0/20 - default\n"
			 "gcp " SP_G " 10.128.0.2 - nic0\n"
			 "gcp " SP_G " 10.132.0.0/20 - default\n"
			 "gcp " SP_G " 10.4.0.0/14 - default\n");
	ipam_space_info si = IPAM_SPACE_INFO_INIT;
	ck_assert_int_eq(ipam_space_get(&si, db, SP_G), 0);
	ck_assert_str_eq(si.labels_json, "{\"provider\":\"gcp\",\"account\":\"proj-1\",\"network\":\"default\"}");
	ipam_space_info_dispose(&si);
	o.access_token = "bad";
	ck_assert_int_eq(ipam_discover_gcp(s, NULL, &o), IPAM_EAUTH);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "UNAUTHENTICATED"));
	ipam_obs_set_free(s);
	ipam_db_free(db);
}
END_TEST

/* ---- cloud DNS ----------------------------------------------------------- */

/* The report's `key` lists of every zone, one "ZONE: ITEM" a line (skipped:
 * the record), and the totals: a static buffer. */
static const char *report_of(const ipam_buf *b, const char *key)
{
	static char out[4096];
	out[0] = '\0';
	cJSON *doc = cJSON_Parse(b->ptr);
	ck_assert_ptr_nonnull(doc);
	const cJSON *z, *it;
	cJSON_ArrayForEach(z, cJSON_GetObjectItemCaseSensitive(doc, "zones"))
	{
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(z, key))
		{
			const cJSON *r = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "record") : it;
			snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", *out ? "|" : "", r->valuestring);
		}
	}
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(doc, key);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "zones")) > 0 && n ? 1 : 0, 1);
	snprintf(out + strlen(out), sizeof out - strlen(out), " =%d", n->valueint);
	cJSON_Delete(doc);
	return out;
}

/* The zone's hand records, "|"-separated in canonical order. */
static const char *hand_of(ipam_db *db, const char *zone)
{
	static char out[4096];
	out[0] = '\0';
	ipam_buf b = IPAM_BUF_INIT;
	ck_assert_msg(ipam_zone_show(&b, db, zone, NULL) == 0, "%s", ipam_error_last()->message);
	cJSON *doc = cJSON_Parse(b.ptr);
	const cJSON *r;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "records"))
	{
		if (strcmp(cJSON_GetObjectItemCaseSensitive(r, "source")->valuestring, "hand") == 0)
			snprintf(out + strlen(out), sizeof out - strlen(out), "%s%s", *out ? "|" : "",
				 cJSON_GetObjectItemCaseSensitive(r, "record")->valuestring);
	}
	cJSON_Delete(doc);
	ipam_buf_dispose(&b);
	return out;
}

static int route53(ipam_buf *rep, ipam_db *db, const char *secret, const ipam_cloud_dns_options *co)
{
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", ec2_port);
	ipam_aws_options o = IPAM_AWS_OPTIONS_INIT;
	o.endpoint = url;
	o.access_key = SUITE_KEY;
	o.secret_key = secret;
	o.now = NOW;
	return ipam_cloud_dns_aws(rep, db, &o, co);
}

#define R53_HAND                                                              \
	"example.com. 300 IN MX 10 mx1.example.com.|"                         \
	"example.com. 300 IN MX 20 mx2.example.com.|"                         \
	"*.example.com. 60 IN CNAME www.example.com.|"                        \
	"mail.example.com. 300 IN A 192.0.2.25|"                              \
	"txt.example.com. 300 IN TXT \"a b\" \"c\"|"                          \
	"txt.example.com. 300 IN TXT \"v=spf1 -all\"|"                        \
	"www.example.com. 300 IN A 192.0.2.10|"                               \
	"www.example.com. 300 IN A 192.0.2.11|"                               \
	"www.example.com. 300 IN AAAA 2001:db8::10"

/* Route 53's RRsets that a read takes, as the report names them. */
#define R53_RRSETS                                                            \
	"*.example.com. CNAME|example.com. MX|mail.example.com. A|"           \
	"txt.example.com. TXT|www.example.com. A|www.example.com. AAAA"

/* A memory store with a space "edge", and options that bind made zones to it. */
static ipam_db *edge_db(ipam_cloud_dns_options *co)
{
	ipam_db *db;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	ck_assert_int_eq(ipam_space_add(db, "edge", NULL), 0);
	*co = (ipam_cloud_dns_options)IPAM_CLOUD_DNS_OPTIONS_INIT;
	co->space = "edge";
	return db;
}

START_TEST(cloud_dns_route53)
{
	ipam_cloud_dns_options co;
	ipam_db *db = edge_db(&co);
	ipam_buf rep = IPAM_BUF_INIT;
	ck_assert_msg(route53(&rep, db, SUITE_SECRET, &co) == 0, "%s", ipam_error_last()->message);
	ck_assert_str_eq(report_of(&rep, "added"), R53_RRSETS " =6");
	ck_assert_str_eq(report_of(&rep, "changed"), " =0");
	ck_assert_str_eq(report_of(&rep, "skipped"),
			 "example.com. 900 IN SOA ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400|"
			 "example.com. 172800 IN NS ns-1.awsdns-01.org.|example.com. 172800 IN NS ns-2.awsdns-02.net.|"
			 "alias.example.com. 0 IN A |w.example.com. 60 IN A  =5");
	ck_assert_ptr_nonnull(strstr(rep.ptr, "an alias to d111111abcdef8.cloudfront.net."));
	ck_assert_ptr_nonnull(strstr(rep.ptr, "SetIdentifier eu"));
	ck_assert_ptr_nonnull(strstr(rep.ptr, "\"created\":true"));
	ck_assert_str_eq(hand_of(db, "example.com"), R53_HAND);
	/* the zone is bound to the space asked, its name servers the cloud's */
	ipam_buf b = IPAM_BUF_INIT;
	ck_assert_int_eq(ipam_zone_list(&b, db), 0);
	ck_assert_ptr_nonnull(strstr(b.ptr, "\"edge\""));
	ck_assert_ptr_nonnull(strstr(b.ptr, "ns-2.awsdns-02.net."));
	ck_assert_ptr_null(strstr(b.ptr, "internal.example.com")); /* private: not asked for */
	ck_assert_int_eq(ipam_zone_render(&b, db, "example.com", NULL), 0);

	/* a second read changes nothing */
	ck_assert_int_eq(route53(&rep, db, SUITE_SECRET, &co), 0);
	ck_assert_str_eq(report_of(&rep, "added"), " =0");
	ck_assert_str_eq(report_of(&rep, "changed"), " =0");
	ck_assert_str_eq(report_of(&rep, "unchanged"), R53_RRSETS " =6");
	ck_assert_ptr_nonnull(strstr(rep.ptr, "\"created\":false"));
	ck_assert_str_eq(hand_of(db, "example.com"), R53_HAND);

	/* changed in IPAM: a record gone, a TTL changed, one of IPAM's own; the
	 * read puts the cloud's back and keeps IPAM's own */
	ck_assert_int_eq(ipam_record_rm(db, "example.com", NULL, "www 300 A 192.0.2.11"), 0);
	ck_assert_int_eq(ipam_record_rm(db, "example.com", NULL, "mail 300 A 192.0.2.25"), 0);
	ck_assert_int_eq(ipam_record_add(db, "example.com", NULL, "mail 900 A 192.0.2.25"), 0);
	ck_assert_int_eq(ipam_record_add(db, "example.com", NULL, "own 300 A 192.0.2.99"), 0);
	ck_assert_int_eq(route53(&rep, db, SUITE_SECRET, &co), 0);
	ck_assert_str_eq(report_of(&rep, "changed"), "mail.example.com. A|www.example.com. A =2");
	ck_assert_str_eq(report_of(&rep, "unchanged"), "*.example.com. CNAME|example.com. MX|txt.example.com. TXT|"
						       "www.example.com. AAAA =4");
	ck_assert_ptr_nonnull(strstr(hand_of(db, "example.com"), "own.example.com. 300 IN A 192.0.2.99"));

	/* private zones when asked, one zone when named */
	co.include_private = 1;
	co.zone = "internal.example.com.";
	ck_assert_msg(route53(&rep, db, SUITE_SECRET, &co) == 0, "%s", ipam_error_last()->message);
	ck_assert_str_eq(report_of(&rep, "added"), "db.internal.example.com. A =1");
	ck_assert_str_eq(hand_of(db, "internal.example.com"), "db.internal.example.com. 300 IN A 10.0.1.5");

	/* a wrong secret: refused, named, nothing written, the secret nowhere */
	ipam_db *db2;
	ck_assert_int_eq(ipam_db_open(&db2, "memory:", NULL), 0);
	ck_assert_int_eq(route53(&rep, db2, "not-the-secret", NULL), IPAM_EAUTH);
	const char *m = ipam_error_last()->message;
	ck_assert_msg(strstr(m, "Route 53 ListHostedZones") && strstr(m, "SignatureDoesNotMatch") &&
			      !strstr(m, "not-the-secret"), "%s", m);
	ck_assert_int_eq(ipam_zone_list(&b, db2), 0);
	ck_assert_str_eq(b.ptr, "[]");
	ipam_buf_dispose(&b);
	ipam_buf_dispose(&rep);
	ipam_db_free(db2);
	ipam_db_free(db);
}
END_TEST

/* The store as a text that changes with anything written: its export and
 * the number of audit entries. */
static char *store_state(ipam_db *db)
{
	ipam_buf b = IPAM_BUF_INIT;
	ck_assert_int_eq(ipam_export(&b, db), 0);
	ipam_audit_iter *it;
	ipam_audit_entry e = { 0 };
	unsigned n = 0;
	ck_assert_int_eq(ipam_audit_iter_new(&it, db, 0), 0);
	while (ipam_audit_iter_next(&e, it) == 0)
		n++;
	ipam_audit_entry_dispose(&e);
	ipam_audit_iter_free(it);
	char *out = malloc(b.size + 32);
	ck_assert_ptr_nonnull(out);
	snprintf(out, b.size + 32, "%u audit entries\n%s", n, b.ptr);
	ipam_buf_dispose(&b);
	return out;
}

/* A dry run reports what a read would do (made zones, added, changed and
 * removed records) and writes nothing: no zone, record or audit entry. */
START_TEST(cloud_dns_dry_run)
{
	ipam_cloud_dns_options co;
	ipam_db *db = edge_db(&co);
	ipam_buf rep = IPAM_BUF_INIT;
	co.dry_run = 1;
	char *before = store_state(db);
	ck_assert_msg(route53(&rep, db, SUITE_SECRET, &co) == 0, "%s", ipam_error_last()->message);
	ck_assert_ptr_nonnull(strstr(rep.ptr, "\"dry_run\":true"));
	ck_assert_ptr_nonnull(strstr(rep.ptr, "\"created\":true"));
	ck_assert_str_eq(report_of(&rep, "added"), R53_RRSETS " =6");
	ck_assert_str_eq(report_of(&rep, "removed"), " =0");
	char *after = store_state(db);
	ck_assert_str_eq(after, before);
	free(after);
	free(before);

	/* read for real, change IPAM, then a dry run: the changed RRsets and
	 * the records a read would remove, and still nothing written */
	co.dry_run = 0;
	ck_assert_int_eq(route53(&rep, db, SUITE_SECRET, &co), 0);
	ck_assert_ptr_nonnull(strstr(rep.ptr, "\"dry_run\":false"));
	ck_assert_int_eq(ipam_record_rm(db, "example.com", NULL, "mail 300 A 192.0.2.25"), 0);
	ck_assert_int_eq(ipam_record_add(db, "example.com", NULL, "mail 900 A 192.0.2.25"), 0);
	ck_assert_int_eq(ipam_record_add(db, "example.com", NULL, "www 300 A 192.0.2.12"), 0);
	co.dry_run = 1;
	before = store_state(db);
	ck_assert_int_eq(route53(&rep, db, SUITE_SECRET, &co), 0);
	ck_assert_ptr_nonnull(strstr(rep.ptr, "\"created\":false"));
	ck_assert_str_eq(report_of(&rep, "changed"), "mail.example.com. A|www.example.com. A =2");
	ck_assert_str_eq(report_of(&rep, "removed"),
			 "mail.example.com. 900 IN A 192.0.2.25|www.example.com. 300 IN A 192.0.2.12 =2");
	ck_assert_str_eq(report_of(&rep, "added"), " =0");
	after = store_state(db);
	ck_assert_str_eq(after, before);
	free(after);
	free(before);

	/* a version 1 struct (no dry_run field) still reads, and writes */
	ipam_cloud_dns_options v1 = IPAM_CLOUD_DNS_OPTIONS_INIT;
	v1.version = 1;
	v1.dry_run = 1; /* beyond a version 1 struct: not looked at */
	ck_assert_int_eq(route53(&rep, db, SUITE_SECRET, &v1), 0);
	ck_assert_ptr_nonnull(strstr(rep.ptr, "\"dry_run\":false"));
	ck_assert_str_eq(hand_of(db, "example.com"), R53_HAND);
	ipam_buf_dispose(&rep);
	ipam_db_free(db);
}
END_TEST

START_TEST(cloud_dns_azure)
{
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", ec2_port);
	ipam_azure_options o = IPAM_AZURE_OPTIONS_INIT;
	o.subscription = "0f1e2d3c-aaaa-bbbb-cccc-000000000001";
	o.tenant = "tenant-1";
	o.client_id = "app-1";
	o.client_secret = "s3cret +&=";
	o.login_endpoint = o.arm_endpoint = url;
	ipam_db *db;
	ipam_buf rep = IPAM_BUF_INIT;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	ck_assert_msg(ipam_cloud_dns_azure(&rep, db, &o, NULL) == 0, "%s", ipam_error_last()->message);
	ck_assert_str_eq(report_of(&rep, "added"), "_sip._tcp.example.net. SRV|app.example.net. CNAME|"
						   "example.net. CAA|example.net. MX|txt.example.net. TXT|"
						   "v6.example.net. AAAA|www.example.net. A =7");
	ck_assert_ptr_nonnull(strstr(report_of(&rep, "skipped"), " =4"));
	ck_assert_ptr_nonnull(strstr(rep.ptr, "targetResource"));
	ck_assert_str_eq(hand_of(db, "example.net"),
			 "example.net. 3600 IN MX 10 mail.example.net.|"
			 "example.net. 300 IN CAA 0 issue \"letsencrypt.org\"|"
			 "_sip._tcp.example.net. 300 IN SRV 1 5 5060 sip.example.net.|"
			 "app.example.net. 60 IN CNAME www.example.net.|"
			 "txt.example.net. 300 IN TXT \"hello \\\"world\\\"\"|"
			 "v6.example.net. 300 IN AAAA 2001:db8::6|"
			 "www.example.net. 300 IN A 198.51.100.10");
	ck_assert_int_eq(ipam_cloud_dns_azure(&rep, db, &o, NULL), 0);
	ck_assert_str_eq(report_of(&rep, "added"), " =0");
	ck_assert_ptr_nonnull(strstr(report_of(&rep, "unchanged"), " =7"));
	o.client_secret = "wrong";
	ck_assert_int_eq(ipam_cloud_dns_azure(&rep, db, &o, NULL), IPAM_EAUTH);
	ck_assert_ptr_null(strstr(ipam_error_last()->message, "wrong"));
	ipam_buf_dispose(&rep);
	ipam_db_free(db);
}
END_TEST

static void count_requests(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	ck_assert_str_eq(what, "cloud-dns");
	ck_assert_uint_eq(total, 0);
	*(uint64_t *)ctx = done;
}

START_TEST(cloud_dns_gcp)
{
	uint64_t requests = 0;
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", ec2_port);
	ipam_gcp_options o = IPAM_GCP_OPTIONS_INIT;
	o.project = "proj-1";
	o.access_token = "gcp-token";
	o.endpoint = url;
	o.progress = count_requests;
	o.progress_ctx = &requests;
	ipam_db *db;
	ipam_buf rep = IPAM_BUF_INIT;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	ck_assert_msg(ipam_cloud_dns_gcp(&rep, db, &o, NULL) == 0, "%s", ipam_error_last()->message);
	ck_assert_str_eq(report_of(&rep, "added"), "txt.example.org. TXT|www.example.org. A|www.example.org. AAAA =3");
	ck_assert_uint_eq(requests, 4); /* zones: 2 pages; zone-a's record sets: 2 (the private zone's: not read) */
	ck_assert_ptr_nonnull(strstr(report_of(&rep, "skipped"), "geo.example.org. 60 IN A |bad.example.org. 60 IN CNAME not a name =5"));
	ck_assert_str_eq(hand_of(db, "example.org"), "txt.example.org. 300 IN TXT \"v=spf1 include:_spf.google.com ~all\"|"
						      "www.example.org. 300 IN A 203.0.113.10|"
						      "www.example.org. 300 IN A 203.0.113.11|"
						      "www.example.org. 300 IN AAAA 2001:db8::10");
	ck_assert_int_eq(ipam_cloud_dns_gcp(&rep, db, &o, NULL), 0);
	ck_assert_str_eq(report_of(&rep, "unchanged"), "txt.example.org. TXT|www.example.org. A|www.example.org. AAAA =3");
	o.access_token = "bad";
	ck_assert_int_eq(ipam_cloud_dns_gcp(&rep, db, &o, NULL), IPAM_EAUTH);
	ck_assert_ptr_nonnull(strstr(ipam_error_last()->message, "Cloud DNS zones"));
	ipam_buf_dispose(&rep);
	ipam_db_free(db);
}
END_TEST

/* ---- stored credentials ----------------------------------------------------- */

/* Whether `needle` is anywhere in the export, the audit trail or the list. */
static int secret_shows(ipam_db *db, const char *needle)
{
	int seen = 0;
	ipam_buf b = IPAM_BUF_INIT;
	ck_assert_int_eq(ipam_export(&b, db), 0);
	seen |= strstr(b.ptr, needle) != NULL;
	ck_assert_int_eq(ipam_credential_list(&b, db), 0);
	seen |= strstr(b.ptr, needle) != NULL;
	ipam_buf_dispose(&b);
	ipam_audit_iter *it;
	ipam_audit_entry e = IPAM_AUDIT_ENTRY_INIT;
	ck_assert_int_eq(ipam_audit_iter_new(&it, db, 0), 0);
	while (ipam_audit_iter_next(&e, it) == 0) {
		const char *f[] = { e.actor, e.action, e.object, e.before_json, e.after_json };
		for (size_t i = 0; i < 5; i++)
			seen |= f[i] && strstr(f[i], needle) != NULL;
		ipam_audit_entry_dispose(&e);
	}
	ipam_audit_iter_free(it);
	return seen;
}

START_TEST(credentials_sealed)
{
	ipam_db *db;
	ck_assert_int_eq(ipam_db_open(&db, "memory:", NULL), 0);
	ipam_credential cr = IPAM_CREDENTIAL_INIT;
	cr.type = "aws";
	cr.id = SUITE_KEY;
	cr.secret = SUITE_SECRET;
	ck_assert_msg(ipam_credential_add(db, "r53", &cr, 0) == 0, "%s", ipam_error_last()->message);
	ck_assert_int_eq(ipam_credential_add(db, "r53", &cr, 0), IPAM_EEXISTS);
	ipam_credential az = IPAM_CREDENTIAL_INIT;
	az.type = "azure";
	az.id = "app-1";
	az.secret = "s3cret +&=";
	ck_assert_int_eq(ipam_credential_add(db, "az", &az, 0), IPAM_EINVAL); /* no tenant */
	ck_assert_msg(strstr(ipam_error_last()->message, "tenant") && !strstr(ipam_error_last()->message, "s3cret"),
		      "%s", ipam_error_last()->message);
	az.tenant = "tenant-1";
	ck_assert_int_eq(ipam_credential_add(db, "az", &az, 0), 0);
	cr.type = "snmpv3";
	cr.id = "ipam";
	cr.secret = "auth-pass-phrase-1";
	cr.secret2 = "priv-pass-phrase-2";
	ck_assert_int_eq(ipam_credential_add(db, "agents", &cr, 0), 0);
	cr.type = "telnet";
	ck_assert_int_eq(ipam_credential_add(db, "x", &cr, 0), IPAM_EINVAL);
	ck_assert_ptr_null(strstr(ipam_error_last()->message, "pass-phrase"));

	ipam_buf b = IPAM_BUF_INIT;
	ck_assert_int_eq(ipam_credential_list(&b, db), 0);
	ck_assert_str_eq(b.ptr, "[{\"name\":\"agents\",\"type\":\"snmpv3\",\"id\":\"ipam\"},"
				"{\"name\":\"az\",\"type\":\"azure\",\"id\":\"app-1\",\"tenant\":\"tenant-1\"},"
				"{\"name\":\"r53\",\"type\":\"aws\",\"id\":\"" SUITE_KEY "\"}]");
	ipam_buf_dispose(&b);
	/* no secret in clear in the export, the audit trail or the list */
	ck_assert_int_eq(secret_shows(db, SUITE_SECRET), 0);
	ck_assert_int_eq(secret_shows(db, "s3cret"), 0);
	ck_assert_int_eq(secret_shows(db, "pass-phrase"), 0);
	ck_assert_int_eq(secret_shows(db, "credential.add"), 1); /* the search itself works */

	/* unsealed for a probe: Route 53 read with the stored credential */
	ipam_credential got;
	ipam_buf store = IPAM_BUF_INIT;
	ck_assert_int_eq(ipam_credential_get(&got, &store, db, "agents"), 0);
	ck_assert_str_eq(got.type, "snmpv3");
	ck_assert_str_eq(got.secret, "auth-pass-phrase-1");
	ck_assert_str_eq(got.secret2, "priv-pass-phrase-2");
	ck_assert_ptr_null(got.tenant);
	ck_assert_int_eq(ipam_credential_get(&got, &store, db, "r53"), 0);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", ec2_port);
	ipam_aws_options o = IPAM_AWS_OPTIONS_INIT;
	o.endpoint = url;
	o.access_key = got.id;
	o.secret_key = got.secret;
	ck_assert_msg(ipam_cloud_dns_aws(NULL, db, &o, NULL) == 0, "%s", ipam_error_last()->message);
	ipam_credential_wipe(&store);
	ck_assert_ptr_null(store.ptr);
	ck_assert_int_eq(ipam_credential_get(&got, &store, db, "nope"), IPAM_ENOTFOUND);
	ck_assert_int_eq(ipam_credential_rm(db, "r53"), 0);
	ck_assert_int_eq(ipam_credential_rm(db, "r53"), IPAM_ENOTFOUND);
	ipam_db_free(db);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cloud");
	TCase *tc = tcase_create("cloud");
	tcase_add_test(tc, sigv4_test_suite);
	tcase_add_test(tc, sigv4_s3_get_object);
	if (start_ec2() != 0) {
		fprintf(stderr, "cloud_server.py did not start (python3)\n");
		return 1;
	}
	tcase_add_test(tc, ec2_inventory);
	tcase_add_test(tc, ec2_errors);
	tcase_add_test(tc, azure_inventory);
	tcase_add_test(tc, gcp_inventory);
	tcase_add_test(tc, cloud_dns_route53);
	tcase_add_test(tc, cloud_dns_dry_run);
	tcase_add_test(tc, cloud_dns_azure);
	tcase_add_test(tc, cloud_dns_gcp);
	tcase_add_test(tc, credentials_sealed);
	suite_add_tcase(s, tc);
	int st = disc_run(s);
	stop_ec2();
	return st;
}
