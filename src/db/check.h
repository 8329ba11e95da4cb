/* Consistency check of a whole database, for tests and fuzzers. Internal. */
#ifndef IPAM_DB_CHECK_H
#define IPAM_DB_CHECK_H

#include "ipam.h"

/* Verify every trie of every space (see ipam__trie_check) and the counts
 * kept beside them. 0, or a negative code with ipam_error_last() set. */
int ipam__db_check(ipam_db *db);

#endif
