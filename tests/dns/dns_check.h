/* Assertions the DNS tests that use the public API share (check.h). */
#ifndef DNS_CHECK_H
#define DNS_CHECK_H

#include "ipam.h"

#include <check.h>
#include <string.h>

#define OK(call) ck_assert_msg((call) == 0, "%s: %s", #call, ipam_error_last()->message)
#define RC(call, want)                                                                                      \
	do {                                                                                                \
		int rc_ = (call);                                                                           \
		ck_assert_msg(rc_ == (want), "%s: %d, want %d (%s)", #call, rc_, (want), ipam_error_last()->message); \
	} while (0)

static inline void has(const char *text, const char *part)
{
	ck_assert_msg(text && strstr(text, part), "\"%s\" lacks \"%s\"", text ? text : "(null)", part);
}

/* An address of the default space with a host name: its DNS records follow. */
static inline void host(ipam_db *db, const char *addr, const char *name)
{
	ipam_addr a;
	OK(ipam_addr_parse(&a, addr));
	ipam_ip_options o = IPAM_IP_OPTIONS_INIT;
	o.hostname = name;
	OK(ipam_ip_add(db, &a, &o));
}

#endif
