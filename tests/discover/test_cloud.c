/* Cloud inventories: the Signature V4 signer against AWS's published test
 * vectors (the Signature Version 4 test suite, and the S3 API reference's
 * GET Object example). */
#include "ipam.h"
#include "discover/disc.h"

#include "disc_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
	Suite *s = suite_create("cloud");
	TCase *tc = tcase_create("cloud");
	tcase_add_test(tc, sigv4_test_suite);
	tcase_add_test(tc, sigv4_s3_get_object);
	suite_add_tcase(s, tc);
	return disc_run(s);
}
