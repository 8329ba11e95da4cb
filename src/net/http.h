/* The one HTTP helper: every libcurl call of libipam goes through here (the
 * PowerDNS API, kea-ctrl-agent, the cloud inventories). Internal.
 *
 * A request may carry secrets (an API key in a header, basic-auth
 * credentials): they go to libcurl for this one request and nowhere else:
 * never into a message (messages name `what` and the URL the caller gave,
 * which must not hold a secret) and never into curl's verbose output
 * (never enabled). The caller owns and wipes its secret strings. */
#ifndef IPAM_NET_HTTP_H
#define IPAM_NET_HTTP_H

#include "common.h"

typedef struct ipam__http_req {
	const char *what;             /* names the request in messages, e.g. "kea config-get" */
	const char *method;           /* "GET", "POST", "PATCH", "PUT", "DELETE" */
	const char *url;              /* http:// or https:// only */
	const char *const *headers;   /* NULL-terminated "Name: value" lines, or NULL */
	const char *body;             /* sent as is, or NULL */
	size_t body_len;              /* 0 with a body: strlen(body) */
	const char *userpwd;          /* basic auth "user:password", or NULL */
	const char *cafile;           /* CA bundle for https, or NULL for the system's */
	unsigned timeout_ms;          /* whole request and connect; 0: 10 s */
	size_t max_body;              /* the longest reply accepted; 0: 64 MiB */
} ipam__http_req;

typedef struct ipam__http_resp {
	long status;   /* the HTTP status */
	ipam_buf body; /* the reply body, NUL-terminated when not empty; release with ipam_buf_dispose */
} ipam__http_resp;

/* Send one request and wait for the whole reply. 0 when an HTTP reply came,
 * whatever its status (the caller maps statuses, it knows what they mean);
 * IPAM_EIO (unreachable, timed out, TLS, a reply over max_body), IPAM_EINVAL
 * (a header with a line break), IPAM_ECANCELED (the calling thread's token,
 * include/ipam/cancel.h, was triggered: at once, even mid-transfer) or
 * IPAM_ENOMEM, with a message naming `what`. `resp` is always initialised; dispose of its body either way. */
int ipam__http(const ipam__http_req *req, ipam__http_resp *resp);

#endif
