/* The one HTTP helper over libcurl (see http.h).
 *
 * libcurl's global init: curl_global_init() is not thread-safe in libcurls
 * older than 7.84 (and still is not when the build lacks
 * CURL_VERSION_THREADSAFE), and curl_easy_init() calls it implicitly when
 * nobody did. So the first use here runs it once through pthread_once, which
 * is thread-safe whatever the curl; curl_global_cleanup() is never called
 * (a library cannot know when the process is done with curl; leaving it is
 * what libcurl documents as safe). When libipam gets ipam_global_init() this
 * moves there. This pthread_once_t is the library's only static state for
 * curl.
 *
 * Cancellation (src/cancel.h): the transfer runs in a multi handle whose
 * poll also watches the calling thread's token, so a trigger wakes it at
 * once, and the transfer's XFERINFO callback refuses to go on once it is
 * triggered; either way the request ends with IPAM_ECANCELED. */
#include "cancel.h"
#include "net/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT; /* written once, under curl_once */

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct sink {
	ipam__http_resp *resp;
	size_t max;
	int over;
} sink;

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	sink *s = arg;
	size_t n = size * nmemb;
	if (s->resp->body.size + n > s->max) {
		s->over = 1;
		return 0;
	}
	return ipam__buf_put(&s->resp->body, data, n) == 0 ? n : 0;
}

/* libcurl's progress callback: non-zero stops the transfer. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)arg, (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return ipam__cancelled();
}

/* Run one transfer to its end, or until the thread's token is triggered
 * (*cancelled set). The poll watches the token's descriptor; without one it
 * wakes every 50 ms to look at the flag. */
static CURLcode perform(CURL *c, int *cancelled)
{
	CURLM *m = curl_multi_init();
	if (!m)
		return CURLE_OUT_OF_MEMORY;
	CURLcode cc = CURLE_OK;
	CURLMcode mc = curl_multi_add_handle(m, c);
	int fd = ipam__cancel_fd();
	for (int running = 1; mc == CURLM_OK;) {
		if ((*cancelled = ipam__cancelled()))
			break;
		if ((mc = curl_multi_perform(m, &running)) != CURLM_OK || !running)
			break;
		struct curl_waitfd wfd = { fd, CURL_WAIT_POLLIN, 0 };
		mc = curl_multi_poll(m, fd >= 0 ? &wfd : NULL, fd >= 0 ? 1 : 0, fd >= 0 ? 1000 : 50, NULL);
	}
	int left;
	for (CURLMsg *msg; mc == CURLM_OK && !*cancelled && (msg = curl_multi_info_read(m, &left));)
		if (msg->msg == CURLMSG_DONE)
			cc = msg->data.result;
	if (mc != CURLM_OK)
		cc = mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT;
	if (cc == CURLE_ABORTED_BY_CALLBACK)
		*cancelled = 1;
	curl_multi_remove_handle(m, c);
	curl_multi_cleanup(m);
	return cc;
}

int ipam__http(const ipam__http_req *req, ipam__http_resp *resp)
{
	memset(resp, 0, sizeof *resp);
	const char *what = req->what ? req->what : "HTTP request";
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK)
		return ipam__error(IPAM_EBACKEND, "%s: libcurl did not initialise: %s", what, curl_easy_strerror(curl_init_rc));
	if (!req->url || !req->method)
		return ipam__error(IPAM_EINVAL, "%s: no URL or method", what);
	int rc = ipam__cancel_check(what);
	if (rc)
		return rc;
	struct curl_slist *h = NULL, *t;
	for (const char *const *p = req->headers; p && *p; p++) {
		if (strpbrk(*p, "\r\n")) {
			curl_slist_free_all(h);
			return ipam__error(IPAM_EINVAL, "%s: a request header holds a line break", what);
		}
		if (!(t = curl_slist_append(h, *p))) {
			curl_slist_free_all(h);
			return ipam__enomem();
		}
		h = t;
	}
	CURL *c = curl_easy_init();
	if (!c) {
		curl_slist_free_all(h);
		return ipam__enomem();
	}
	sink s = { resp, req->max_body ? req->max_body : (size_t)64 << 20, 0 };
	unsigned ms = req->timeout_ms ? req->timeout_ms : 10000;
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	if (h)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	if (req->userpwd) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERPWD, req->userpwd);
	}
	if (req->cafile)
		curl_easy_setopt(c, CURLOPT_CAINFO, req->cafile);
	if (req->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body_len ? req->body_len : strlen(req->body)));
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
	}
	int cancelled = 0;
	CURLcode cc = perform(c, &cancelled);
	if (cancelled)
		rc = ipam__error(IPAM_ECANCELED, "%s: canceled", what);
	else if (s.over)
		rc = ipam__error(IPAM_EIO, "%s: the reply is longer than %zu bytes", what, s.max);
	else if (cc != CURLE_OK)
		rc = ipam__error(IPAM_EIO, "%s: %s: %s", what, curl_easy_strerror(cc), errbuf[0] ? errbuf : "no detail");
	else
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc;
}
