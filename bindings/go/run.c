/* The trampoline between ipam_db_run() and a Go function (tx.go): C calls
 * run_body, which calls the exported Go function with the handle of the
 * Go state. A file of its own: a cgo file with //export may only declare
 * in its preamble. */
#include <ipam.h>
#include <stdint.h>

#include "_cgo_export.h"

static int run_body(ipam_db *db, void *ctx)
{
	(void)db;
	return ipamGoRunBody((uintptr_t)ctx);
}

int ipam_go_run(ipam_db *db, uintptr_t state)
{
	return ipam_db_run(db, run_body, (void *)state);
}
