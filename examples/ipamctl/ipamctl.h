/* ipamctl: the example command-line client of libipam. What the files of the
 * program share: the run context, parsed arguments, the command table and
 * the output calls. Only the public libipam API is used. */
#ifndef IPAMCTL_H
#define IPAMCTL_H

#include <ipam.h>

#include <cjson/cJSON.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses (and command results). */
enum { ST_OK = 0, ST_ERROR = 1, ST_USAGE = 2 };

/* Every option any command knows; a command accepts a subset (a mask). */
enum opt_id {
	OPT_SPACE,
	OPT_STATUS,
	OPT_POOL,
	OPT_EXCLUSIVE,
	OPT_DESCRIPTION,
	OPT_ATTR,
	OPT_LABEL,
	OPT_WITHIN,
	OPT_LENGTH,
	OPT_POLICY,
	OPT_HOSTNAME,
	OPT_MAC,
	OPT_PURPOSE,
	OPT_FROM,
	OPT_JSON,
	OPT_PUBLIC_KEY,
	OPT_SECRET_KEY,
	OPT_OUTPUT,
	OPT_NEW_KEY_FILE,
	OPT_ATOMIC,
	OPT_HELP,
	/* DNS */
	OPT_VIEW,
	OPT_NS,
	OPT_TTL,
	OPT_MNAME,
	OPT_RNAME,
	OPT_SERIAL_POLICY,
	OPT_NO_DERIVE,
	OPT_SERVER,
	OPT_DRY_RUN,
	OPT_TYPE,
	OPT_ADDRESS,
	OPT_PORT,
	OPT_TSIG_NAME,
	OPT_TSIG_ALGORITHM,
	OPT_TSIG_SECRET_FILE,
	OPT_API_URL,
	OPT_API_KEY_FILE,
	OPT_SERVER_ID,
	OPT_REPLACE,
	OPT_SPACE_MAP,
	OPT_ALL_OR_NOTHING,
	OPT_FORMAT,
	OPT_TEMPLATE,
	OPT_RECORD,
	OPT_REFUSE_UNKNOWN,
	OPT_POLICIES,
	/* discover, reconcile */
	OPT_SINCE,
	OPT_APPLY,
	OPT_USER,
	OPT_PORTS,
	OPT_ICMP,
	OPT_RATE,
	OPT_DIR,
	OPT_VIEW_MATCH,
	OPT_MAP,
	/* DHCP */
	OPT_CLIENT_ID,
	OPT_DUID,
	OPT_EXCLUDE,
	OPT_PASSWORD_FILE,
	OPT_WRITE_DIR,
	OPT_PUSH_DNS,
	OPT_SCOPE,
	OPT_FAMILY,
	OPT_LEASES,
	OPT_HA,
	OPT_CREDENTIAL,
	OPT_SECRET_FILE,
	OPT_FILE,
	OPT_NO_POOL,
	/* discover cloud-dns */
	OPT_ZONE,
	OPT_PRIVATE,
	OPT_COUNT
};
/* a mask of options: 128 bits (a GNU C extension, as gcc and clang have
 * it), room for every option */
__extension__ typedef unsigned __int128 opt_mask;
#define O(x) ((opt_mask)1 << OPT_##x)
_Static_assert(OPT_COUNT <= 128, "more options than the mask has bits");

#define ARGS_MAX_POS 16 /* import FORMAT FILE...: up to 16 files */

/* The arguments of one command, parsed. Strings point into argv. */
struct args {
	const char *pos[ARGS_MAX_POS];
	int npos;
	const char *val[OPT_COUNT]; /* the value of a single-valued option, or NULL */
	bool seen[OPT_COUNT];
	const char **kv;            /* the KEY=VALUE words of --attr / --label, in order */
	size_t nkv, ckv;
};

struct ctl;

/* One command of the table (main.c). */
struct cmd {
	const char *group;    /* "prefix", or NULL for a one-word command */
	const char *name;     /* "add" */
	const char *synopsis; /* the usage line after "ipamctl " */
	opt_mask opts;          /* accepted options (O(...) mask) */
	int min_pos, max_pos;
	const char *pos_names[ARGS_MAX_POS];
	int (*run)(struct ctl *c, const struct args *a);
	unsigned int flags;   /* CMD_* */
};

/* What a command needs of the database. */
#define CMD_NODB 0x1u   /* runs without one (audit keygen) */
#define CMD_CREATE 0x2u /* creates it (init) */

/* What an output item is, for the human renderer. */
enum kind { K_NONE, K_SPACE, K_PREFIX, K_IP, K_RANGE, K_FIND, K_UTIL, K_AUDIT, K_TEXT, K_ZONE, K_SERVER };

struct table;

/* The run context: one per process, shared by every batch line. */
struct ctl {
	ipam_db *db;
	const char *uri;
	char uri_shown[512];  /* the database as output names it: any password masked */
	const char *key_file; /* --key-file or $IPAM_KEY_FILE, or NULL */
	const char *actor;    /* --actor, or NULL: the OS user */
	const char *secret_key_file; /* --secret-key-file, or NULL: $IPAM_SECRET_KEY_FILE */
	bool durable;         /* --durable */
	bool atomic;          /* inside `batch --atomic`: one transaction */
	bool json;           /* --json or batch */
	bool batch;          /* inside `batch`: one JSON line per command */
	FILE *out;
	unsigned long line;  /* batch: the current input line, from 1 */
	const struct cmd *cmd; /* the command being run, for usage messages */
	bool reported;       /* the command wrote its errors itself (batch) */

	/* the list being written (out_list_*) */
	enum kind list_kind;
	bool in_list;
	cJSON *list_items;   /* batch: collected items */
	struct table *table; /* human: collected rows */

	/* the error of the current command */
	char err_code[24];
	char err_msg[1536];
};

/* ---- args.c ---- */

/* Parse argv (after the command words) for `cmd`. On a usage error set it in
 * c and return ST_USAGE. a must be zeroed except for kv/ckv, which may hold
 * an array to reuse. */
int args_parse(struct ctl *c, struct args *a, const struct cmd *cmd, int argc, char **argv);
void args_reset(struct args *a);
void args_free(struct args *a);

/* The option's name as written ("space"). */
const char *opt_name(enum opt_id id);

/* Value parsers: each reports an INVAL error naming the option and value. */
int arg_prefix(struct ctl *c, ipam_prefix *out, const char *text, const char *what);
int arg_addr(struct ctl *c, ipam_addr *out, const char *text, const char *what);
int arg_addr_or_prefix(struct ctl *c, ipam_prefix *out, const char *text, const char *what);
int arg_length(struct ctl *c, unsigned int *out, const char *text);
int arg_prefix_status(struct ctl *c, ipam_status *out, const char *text);
int arg_ip_status(struct ctl *c, ipam_status *out, const char *text);
int arg_policy(struct ctl *c, ipam_policy *out, const char *text);
int arg_purpose(struct ctl *c, ipam_range_purpose *out, const char *text);
/* Build a JSON object text from the KEY=VALUE words (string values; a later
 * key replaces an earlier one). *out is NULL when there are none; free() it. */
int arg_kv_json(struct ctl *c, char **out, const struct args *a, enum opt_id id);

/* Shell-like splitting of one batch line. */
struct words {
	char *buf;
	size_t cbuf;
	char **argv;
	size_t argc, cargv;
};
/* Split `len` bytes of `line` into w->argv (NULL-terminated). Returns 0, or
 * -1 with *err set to a static message. */
int words_split(struct words *w, const char *line, size_t len, const char **err);
void words_free(struct words *w);

/* ---- key.c ---- */

/* A passphrase held in locked memory (when the system allows it) and wiped
 * when released. */
struct secret {
	char *buf; /* NUL-terminated; NULL when none */
	size_t len;
};
#define SECRET_MAX 1024

/* The file a store URI names ("file:PATH" or a bare path), or NULL for
 * memory: and index:. */
const char *uri_file(const char *uri);
/* `uri` with the password of a PostgreSQL URI or keyword string masked. */
void uri_redact(char *out, size_t size, const char *uri);
/* Take the passphrase from the environment variable `var` when it is set
 * and not empty (*found); the variable's own bytes are wiped and it is
 * removed. Returns a status. */
int secret_from_env(struct ctl *c, struct secret *s, const char *var, bool *found);
/* Ask on /dev/tty, without echo. `twice`: ask again and refuse a mismatch;
 * `new_key`: refuse an empty one. The terminal is restored on every path,
 * signals included. Returns a status; c names the problem. */
int secret_ask(struct ctl *c, struct secret *s, const char *prompt, bool twice, bool new_key);
/* Wipe and free; NULL-safe, idempotent. */
void secret_wipe(struct secret *s);
/* Is there a terminal to ask on (stdin is one and /dev/tty opens)? */
bool have_tty(void);

/* Read a key file of `n` raw bytes or 2n hex digits (and an optional
 * newline) into out; the buffers are wiped. what: "--public-key". */
int read_key_file(struct ctl *c, unsigned char *out, size_t n, const char *path, const char *what);
/* Write `len` bytes to `path` through a temporary file in the same folder
 * and a rename, with mode `mode`: a reader sees the old file or the new
 * one, never half of one. `excl`: refuse to replace an existing file. */
int write_file_atomic(struct ctl *c, const char *path, const void *data, size_t len, unsigned int mode, bool excl);

/* ---- out.c ---- */

/* Errors: each records code and message in c and returns the status. */
int fail_lib(struct ctl *c, int rc, const char *context);
int fail_inval(struct ctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fail_usage(struct ctl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fail_nomem(struct ctl *c);
/* An error the CLI finds itself, with the library's short code ("EXISTS",
 * "AUTH", "IO", ...). */
int fail_as(struct ctl *c, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Write the error of the finished command (status 1 or 2). */
void out_error(struct ctl *c, int status);

/* A single result. Takes `obj`. `human`: the text of the line in human
 * mode, or NULL to render obj by its kind. Returns ST_OK or an error. */
int out_item(struct ctl *c, enum kind k, cJSON *obj, const char *human);
void out_list_begin(struct ctl *c, enum kind k);
int out_list_add(struct ctl *c, cJSON *obj); /* takes obj */
void out_list_end(struct ctl *c);
void out_list_abort(struct ctl *c);
/* A raw text line (help, version); JSON modes wrap it as {key: text}. */
void out_text(struct ctl *c, const char *key, const char *text);

/* JSON value helpers. They return false on allocation failure. */
bool json_str(cJSON *obj, const char *key, const char *s); /* NULL: null; bad UTF-8 is repaired */
bool json_u128(cJSON *obj, const char *key, ipam_u128 v); /* number below 2^53, else a decimal string */
bool json_attrs(cJSON *obj, const char *key, const char *json_text); /* an object, "{}" for NULL */
bool json_addr(cJSON *obj, const char *key, const ipam_addr *a);
bool json_prefix(cJSON *obj, const char *key, const ipam_prefix *p);
bool json_hex(cJSON *obj, const char *key, const unsigned char *bytes, size_t n); /* lowercase hex */

/* Objects for the library's info structs. NULL on allocation failure. */
cJSON *json_space(const ipam_space_info *s);
cJSON *json_prefix_info(const ipam_prefix_info *p);
cJSON *json_ip_info(const ipam_ip_info *ip);
cJSON *json_range_info(const ipam_range_info *r);

/* ---- commands ---- */
int cmd_init(struct ctl *c, const struct args *a);
int cmd_space_add(struct ctl *c, const struct args *a);
int cmd_space_list(struct ctl *c, const struct args *a);
int cmd_space_rm(struct ctl *c, const struct args *a);
int cmd_prefix_add(struct ctl *c, const struct args *a);
int cmd_prefix_set(struct ctl *c, const struct args *a);
int cmd_prefix_list(struct ctl *c, const struct args *a);
int cmd_prefix_rm(struct ctl *c, const struct args *a);
int cmd_prefix_alloc(struct ctl *c, const struct args *a);
int cmd_find(struct ctl *c, const struct args *a);
int cmd_util(struct ctl *c, const struct args *a);
int cmd_ip_alloc(struct ctl *c, const struct args *a);
int cmd_ip_add(struct ctl *c, const struct args *a);
int cmd_ip_set(struct ctl *c, const struct args *a);
int cmd_ip_release(struct ctl *c, const struct args *a);
int cmd_ip_list(struct ctl *c, const struct args *a);
int cmd_ip_show(struct ctl *c, const struct args *a);
int cmd_range_add(struct ctl *c, const struct args *a);
int cmd_range_list(struct ctl *c, const struct args *a);
int cmd_range_rm(struct ctl *c, const struct args *a);
int cmd_audit_log(struct ctl *c, const struct args *a);
int cmd_audit_verify(struct ctl *c, const struct args *a);
int cmd_audit_keygen(struct ctl *c, const struct args *a);
int cmd_audit_sign(struct ctl *c, const struct args *a);
int cmd_export(struct ctl *c, const struct args *a);
int cmd_import_json(struct ctl *c, const struct args *a);
int cmd_rekey(struct ctl *c, const struct args *a);
int cmd_check(struct ctl *c, const struct args *a);
/* cmd_dns.c */
int cmd_zone_add(struct ctl *c, const struct args *a);
int cmd_zone_list(struct ctl *c, const struct args *a);
int cmd_zone_show(struct ctl *c, const struct args *a);
int cmd_zone_rm(struct ctl *c, const struct args *a);
int cmd_zone_render(struct ctl *c, const struct args *a);
int cmd_zone_conf(struct ctl *c, const struct args *a);
int cmd_zone_adopt(struct ctl *c, const struct args *a);
int cmd_zone_files(struct ctl *c, const struct args *a);
int cmd_zone_push(struct ctl *c, const struct args *a);
int cmd_zone_diff(struct ctl *c, const struct args *a);
int cmd_record_add(struct ctl *c, const struct args *a);
int cmd_record_rm(struct ctl *c, const struct args *a);
int cmd_record_list(struct ctl *c, const struct args *a);
int cmd_server_add(struct ctl *c, const struct args *a);
int cmd_server_list(struct ctl *c, const struct args *a);
int cmd_server_rm(struct ctl *c, const struct args *a);
int cmd_template_set(struct ctl *c, const struct args *a);
int cmd_template_rm(struct ctl *c, const struct args *a);
int cmd_ip_dns(struct ctl *c, const struct args *a);
int cmd_rpz_render(struct ctl *c, const struct args *a);
int cmd_rpz_add(struct ctl *c, const struct args *a);
int cmd_rpz_rm(struct ctl *c, const struct args *a);
int cmd_rpz_list(struct ctl *c, const struct args *a);
/* Open the database of the command line now (for a CMD_NODB command that
 * needs it only sometimes): ST_OK or the failure, reported. */
int ctl_open_db(struct ctl *c);
/* cmd_import.c: the importers of other systems' exports, and the CSV exports */
int cmd_import_files(struct ctl *c, const struct args *a);
int cmd_import_suggest(struct ctl *c, const struct args *a);
int cmd_export_any(struct ctl *c, const struct args *a);
int cmd_discover_snmp(struct ctl *c, const struct args *a);
int cmd_discover_sweep(struct ctl *c, const struct args *a);
int cmd_discover_rdns(struct ctl *c, const struct args *a);
int cmd_discover_aws(struct ctl *c, const struct args *a);
int cmd_discover_azure(struct ctl *c, const struct args *a);
int cmd_discover_gcp(struct ctl *c, const struct args *a);
int cmd_discover_cloud_dns(struct ctl *c, const struct args *a);
/* credential (cmd_cred.c) */
int cmd_cred_add(struct ctl *c, const struct args *a);
int cmd_cred_list(struct ctl *c, const struct args *a);
int cmd_cred_rm(struct ctl *c, const struct args *a);
struct ipam_credential;
/* The stored credential `name`, which must be of `type`: its unsealed
 * fields point into `store` (ipam_credential_wipe it after use). */
int cred_load(struct ctl *c, struct ipam_credential *cr, ipam_buf *store, const char *name, const char *type);
int cmd_reconcile(struct ctl *c, const struct args *a);

/* cmd_dhcp.c */
int cmd_scope_add(struct ctl *c, const struct args *a);
int cmd_scope_set(struct ctl *c, const struct args *a);
int cmd_scope_list(struct ctl *c, const struct args *a);
int cmd_scope_show(struct ctl *c, const struct args *a);
int cmd_scope_rm(struct ctl *c, const struct args *a);
int cmd_pool_add(struct ctl *c, const struct args *a);
int cmd_pool_rm(struct ctl *c, const struct args *a);
int cmd_reserve_add(struct ctl *c, const struct args *a);
int cmd_reserve_addr(struct ctl *c, const struct args *a);
int cmd_reserve_rm(struct ctl *c, const struct args *a);
int cmd_reserve_list(struct ctl *c, const struct args *a);
int cmd_option_set(struct ctl *c, const struct args *a);
int cmd_option_rm(struct ctl *c, const struct args *a);
int cmd_option_list(struct ctl *c, const struct args *a);
int cmd_option_define(struct ctl *c, const struct args *a);
int cmd_option_template(struct ctl *c, const struct args *a);
int cmd_dhcp_server(struct ctl *c, const struct args *a);
int cmd_dhcp_render(struct ctl *c, const struct args *a);
int cmd_dhcp_import(struct ctl *c, const struct args *a);
int cmd_dhcp_push(struct ctl *c, const struct args *a);
int cmd_lease_sync(struct ctl *c, const struct args *a);

/* The space name to show for a --space value. */
static inline const char *space_or_default(const char *s)
{
	return s ? s : "default";
}

#endif
