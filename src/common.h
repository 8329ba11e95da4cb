/* Internal helpers shared by every part of the library. Not installed. */
#ifndef IPAM_SRC_COMMON_H
#define IPAM_SRC_COMMON_H

#include "ipam.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__)
#define IPAM__PRINTF(f, a) __attribute__((format(printf, f, a)))
#define IPAM__LIKELY(x) __builtin_expect(!!(x), 1)
#define IPAM__UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define IPAM__PRINTF(f, a)
#define IPAM__LIKELY(x) (x)
#define IPAM__UNLIKELY(x) (x)
#endif

/* Set the calling thread's last error and return `code`, so that callers can
 * write `return ipam__error(IPAM_EINVAL, "...")`. */
int ipam__error(int code, const char *fmt, ...) IPAM__PRINTF(2, 3);
int ipam__verror(int code, const char *fmt, va_list ap) IPAM__PRINTF(2, 0);

/* Out of memory: sets the error without allocating. */
int ipam__enomem(void);

/* Duplicate a string (NULL stays NULL); sets IPAM_ENOMEM on failure. */
char *ipam__strdup(const char *s);

/* Append to a buffer, growing it; return 0 or IPAM_ENOMEM. */
int ipam__buf_put(ipam_buf *buf, const char *data, size_t len);
int ipam__buf_printf(ipam_buf *buf, const char *fmt, ...) IPAM__PRINTF(2, 3);

/* Hex of n bytes into out (2n+1 bytes); parse exactly 2n hex digits. */
void ipam__hex(char *out, const uint8_t *in, size_t n);
int ipam__unhex(uint8_t *out, size_t n, const char *hex);
/* UUIDs in the 8-4-4-4-12 form (new ones: ipam__db_uuid). */
void ipam__uuid_format(char out[37], const uint8_t id[16]);
int ipam__uuid_parse(uint8_t id[16], const char *s);
/* Microseconds since the Unix epoch. */
int64_t ipam__now_us(void);
/* The monotonic clock in nanoseconds (deadlines, pauses, pacing). */
int64_t ipam__mono_ns(void);

#endif
