/**
 * @file ipam/cancel.h
 * @brief Cancellation: a token that stops the calls of a thread that wait.
 *
 * A token is made once, attached to the thread that makes the calls, and
 * triggered from anywhere: another thread, a signal handler, a Go goroutine
 * watching a context. While the calling thread's token is triggered, the
 * calls that wait stop at once and return IPAM_ECANCELED, with what they
 * did so far kept or rolled back as for any other failure (a call that
 * changes the store in one transaction changes nothing): every HTTP request
 * (the cloud inventories, the PowerDNS API, Kea's control agent), the sweeps
 * (ipam_discover_sweep, ipam_discover_rdns), ipam_discover_snmp, RFC 2136
 * pushes and AXFR (ipam_zone_push, ipam_zone_diff, ipam_zone_adopt),
 * ipam_db_run()'s pause between tries, and imports (ipam_import_apply, a
 * BIND zone file's reading), which check it every few hundred objects. The
 * store's own waits (SQLite's busy wait, a PostgreSQL query) do not check it
 * yet. A call that waits for nothing runs to its end.
 *
 * The token is attached to a thread rather than passed to each call, so no
 * options struct needs a field for it: attach, call, detach.
 *
 * @code
 * ipam_cancel *tok;
 * ipam_cancel_new(&tok);
 * ipam_cancel_attach(tok);
 * int rc = ipam_discover_aws(set, db, &opts);   // another thread: ipam_cancel_trigger(tok)
 * ipam_cancel_detach();
 * ipam_cancel_free(tok);
 * @endcode
 */
#ifndef IPAM_CANCEL_H
#define IPAM_CANCEL_H

#include "common.h"

IPAM_BEGIN_DECL

/** A cancellation token (opaque): a flag and a file descriptor that wakes waiting calls. */
typedef struct ipam_cancel ipam_cancel;

/**
 * Make an untriggered token.
 * @return 0, IPAM_EINVAL (out NULL), IPAM_ENOMEM or IPAM_EIO (no descriptor left)
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_cancel_new(ipam_cancel **out);

/**
 * Free a token; NULL-safe. It must be attached to no thread by then, and no
 * thread may trigger it any more.
 * @since 0.2
 */
IPAM_EXTERN(void) ipam_cancel_free(ipam_cancel *c);

/**
 * Trigger a token: the calls of the thread it is attached to stop waiting
 * and return IPAM_ECANCELED, now and until it is reset. From any thread;
 * async-signal-safe (an atomic store and a write(2)), so a signal handler
 * may call it. Triggering twice is triggering once. NULL-safe.
 * @since 0.2
 */
IPAM_EXTERN(void) ipam_cancel_trigger(ipam_cancel *c);

/** Whether a token is triggered (1) or not (0; also for NULL). Any thread. @since 0.2 */
IPAM_EXTERN(int) ipam_cancel_triggered(const ipam_cancel *c);

/**
 * Untrigger a token, to use it again. Not while another thread or a signal
 * handler may trigger it (a trigger during the reset may be lost).
 * NULL-safe. @since 0.2
 */
IPAM_EXTERN(void) ipam_cancel_reset(ipam_cancel *c);

/**
 * Attach a token to the calling thread (replacing the one attached, if
 * any): libipam's calls on this thread check it until ipam_cancel_detach().
 * A token may be attached to several threads; triggering it stops them all.
 * @return 0, or IPAM_EINVAL for NULL
 * @since 0.2
 */
IPAM_EXTERN(int) ipam_cancel_attach(ipam_cancel *c);

/** Detach the calling thread's token, if any. @since 0.2 */
IPAM_EXTERN(void) ipam_cancel_detach(void);

IPAM_END_DECL

#endif
