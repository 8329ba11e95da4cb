/* ipamctl: global options, the command table, dispatch and batch mode. */
#include "ipamctl.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmd_batch(struct ctl *c, const struct args *a);

#define IP_OPTS (O(SPACE) | O(HOSTNAME) | O(MAC) | O(DESCRIPTION) | O(STATUS) | O(ATTR))
#define IP_SYN "[--space S] [--hostname H] [--mac M] [--description D] [--status active|reserved|dhcp|deprecated] [--attr k=v]..."

#define IMPORT_CMD(fmt)                                                                                     \
	{ "import", fmt,                                                                                    \
	  "import " fmt " FILE... [--space S | --space-map SOURCE=SPACE ...] [--dry-run] [--all-or-nothing] " \
	  "[--json]",                                                                                       \
	  O(SPACE) | O(SPACE_MAP) | O(DRY_RUN) | O(ALL_OR_NOTHING) | O(JSON), 1, ARGS_MAX_POS, { "FILE" },   \
	  cmd_import_files, 0 }

static const struct cmd commands[] = {
	{ NULL, "init", "init", 0, 0, 0, { NULL }, cmd_init, CMD_CREATE },
	{ "space", "add", "space add NAME [--label k=v]...", O(LABEL), 1, 1, { "NAME" }, cmd_space_add, 0 },
	{ "space", "list", "space list", 0, 0, 0, { NULL }, cmd_space_list, 0 },
	{ "space", "rm", "space rm NAME", 0, 1, 1, { "NAME" }, cmd_space_rm, 0 },
	{ "prefix", "add",
	  "prefix add CIDR [--space S] [--status container|active|reserved|deprecated] [--pool] [--exclusive] "
	  "[--description D] [--attr k=v]...",
	  O(SPACE) | O(STATUS) | O(POOL) | O(EXCLUSIVE) | O(DESCRIPTION) | O(ATTR), 1, 1, { "CIDR" }, cmd_prefix_add, 0 },
	{ "prefix", "set",
	  "prefix set CIDR [--space S] [--status container|active|reserved|deprecated] [--pool|--no-pool] "
	  "[--description D] [--attr k=v]...   (what is given changes, the rest stays; '' clears)",
	  O(SPACE) | O(STATUS) | O(POOL) | O(NO_POOL) | O(DESCRIPTION) | O(ATTR), 1, 1, { "CIDR" }, cmd_prefix_set, 0 },
	{ "prefix", "list", "prefix list [--space S] [--within CIDR]", O(SPACE) | O(WITHIN), 0, 0, { NULL },
	  cmd_prefix_list, 0 },
	{ "prefix", "rm", "prefix rm CIDR [--space S]", O(SPACE), 1, 1, { "CIDR" }, cmd_prefix_rm, 0 },
	{ "prefix", "alloc",
	  "prefix alloc PARENT --length N [--space S] [--policy first-fit|best-fit] "
	  "[--status container|active|reserved|deprecated] [--pool] [--description D] [--attr k=v]...",
	  O(SPACE) | O(LENGTH) | O(POLICY) | O(STATUS) | O(POOL) | O(DESCRIPTION) | O(ATTR), 1, 1, { "PARENT" },
	  cmd_prefix_alloc, 0 },
	{ "ip", "alloc", "ip alloc PREFIX " IP_SYN, IP_OPTS, 1, 1, { "PREFIX" }, cmd_ip_alloc, 0 },
	{ "ip", "add", "ip add ADDR " IP_SYN, IP_OPTS, 1, 1, { "ADDR" }, cmd_ip_add, 0 },
	{ "ip", "set", "ip set ADDR [--space S] [--hostname H] [--mac M] [--description D] [--status S] [--attr k=v]...   "
	  "(what is given changes, the rest stays; '' clears)", IP_OPTS, 1, 1, { "ADDR" }, cmd_ip_set, 0 },
	{ "ip", "release", "ip release ADDR [--space S]", O(SPACE), 1, 1, { "ADDR" }, cmd_ip_release, 0 },
	{ "ip", "list", "ip list [--space S] [--within CIDR]", O(SPACE) | O(WITHIN), 0, 0, { NULL }, cmd_ip_list, 0 },
	{ "ip", "show", "ip show ADDR [--space S]", O(SPACE), 1, 1, { "ADDR" }, cmd_ip_show, 0 },
	{ "ip", "dns", "ip dns ADDR [--space S]   (its DNS records, or why it has none)", O(SPACE), 1, 1, { "ADDR" },
	  cmd_ip_dns, 0 },
	{ "range", "add",
	  "range add FIRST LAST --purpose dhcp|reserved|excluded [--space S] [--description D] [--attr k=v]...",
	  O(PURPOSE) | O(SPACE) | O(DESCRIPTION) | O(ATTR), 2, 2, { "FIRST", "LAST" }, cmd_range_add, 0 },
	{ "range", "list", "range list [--space S] [--within CIDR]", O(SPACE) | O(WITHIN), 0, 0, { NULL },
	  cmd_range_list, 0 },
	{ "range", "rm", "range rm FIRST LAST [--space S]", O(SPACE), 2, 2, { "FIRST", "LAST" }, cmd_range_rm, 0 },
	{ NULL, "find", "find ADDR|CIDR [--space S]", O(SPACE), 1, 1, { "ADDR|CIDR" }, cmd_find, 0 },
	{ NULL, "util", "util CIDR [--space S]", O(SPACE), 1, 1, { "CIDR" }, cmd_util, 0 },
	{ "audit", "log", "audit log [--from N] [--json]", O(FROM) | O(JSON), 0, 0, { NULL }, cmd_audit_log, 0 },
	{ "audit", "verify", "audit verify [--public-key FILE]", O(PUBLIC_KEY), 0, 0, { NULL }, cmd_audit_verify, 0 },
	{ "audit", "keygen", "audit keygen --secret-key FILE --public-key FILE", O(SECRET_KEY) | O(PUBLIC_KEY), 0, 0,
	  { NULL }, cmd_audit_keygen, CMD_NODB },
	{ "audit", "sign", "audit sign --secret-key FILE", O(SECRET_KEY), 0, 0, { NULL }, cmd_audit_sign, 0 },
	{ NULL, "export", "export [-o FILE] | export --format netbox-csv DIR | export --format infoblox-csv FILE",
	  O(OUTPUT) | O(FORMAT), 0, 1, { "DIR|FILE" }, cmd_export_any, 0 },
	{ "import", "json", "import json FILE", 0, 1, 1, { "FILE" }, cmd_import_json, 0 },
	{ NULL, "rekey", "rekey [--new-key-file FILE]", O(NEW_KEY_FILE), 0, 0, { NULL }, cmd_rekey, 0 },
	{ NULL, "check", "check", 0, 0, 0, { NULL }, cmd_check, 0 },
	{ "zone", "add",
	  "zone add ZONE --ns NS[,NS...] [--view V] [--space S] [--ttl N] [--mname NAME] [--rname NAME]"
	  " [--serial-policy date|increment] [--no-derive] [--template NAME] [--refuse-unknown-addresses]",
	  O(NS) | O(VIEW) | O(SPACE) | O(TTL) | O(MNAME) | O(RNAME) | O(SERIAL_POLICY) | O(NO_DERIVE) | O(TEMPLATE) |
	      O(REFUSE_UNKNOWN),
	  1, 1,
	  { "ZONE" }, cmd_zone_add, 0 },
	{ "template", "set",
	  "template set NAME [--ns NS[,NS...]] [--ttl N] [--mname NAME] [--rname NAME] [--record RECORD]...",
	  O(NS) | O(TTL) | O(MNAME) | O(RNAME) | O(RECORD), 1, 1, { "NAME" }, cmd_template_set, 0 },
	{ "template", "rm", "template rm NAME", 0, 1, 1, { "NAME" }, cmd_template_rm, 0 },
	{ "zone", "list", "zone list", 0, 0, 0, { NULL }, cmd_zone_list, 0 },
	{ "zone", "show", "zone show ZONE [--view V]", O(VIEW), 1, 1, { "ZONE" }, cmd_zone_show, 0 },
	{ "zone", "rm", "zone rm ZONE [--view V]", O(VIEW), 1, 1, { "ZONE" }, cmd_zone_rm, 0 },
	{ "zone", "render", "zone render ZONE [--view V] [--format bind|knot|coredns] [-o FILE]",
	  O(VIEW) | O(FORMAT) | O(OUTPUT), 1, 1, { "ZONE" }, cmd_zone_render, 0 },
	{ "zone", "conf",
	  "zone conf [--format named|coredns] [--dir DIR] [--tsig-name KEY] [--view-match VIEW=LIST]... [--view V]"
	  " [--port N] [--address A] [-o FILE]",
	  O(FORMAT) | O(DIR) | O(TSIG_NAME) | O(VIEW_MATCH) | O(VIEW) | O(PORT) | O(ADDRESS) | O(OUTPUT), 0, 0, { NULL },
	  cmd_zone_conf, 0 },
	{ "zone", "files",
	  "zone files DIR [--format named|coredns] [--tsig-name KEY] [--view-match VIEW=LIST]... [--view V] [--port N]"
	  " [--address A]",
	  O(FORMAT) | O(TSIG_NAME) | O(VIEW_MATCH) | O(VIEW) | O(PORT) | O(ADDRESS), 1, 1, { "DIR" }, cmd_zone_files, 0 },
	{ "zone", "push", "zone push ZONE --server NAME [--view V] [--dry-run]", O(SERVER) | O(VIEW) | O(DRY_RUN), 1, 1,
	  { "ZONE" }, cmd_zone_push, 0 },
	{ "zone", "diff", "zone diff ZONE --server NAME [--view V]", O(SERVER) | O(VIEW), 1, 1, { "ZONE" },
	  cmd_zone_diff, 0 },
	{ "zone", "adopt", "zone adopt ZONE --server NAME [--view V]   (the server's extra records become hand records)",
	  O(SERVER) | O(VIEW), 1, 1, { "ZONE" }, cmd_zone_adopt, 0 },
	{ "record", "add", "record add ZONE RECORD [--view V]   (RECORD: \"www 300 A 192.0.2.1\")", O(VIEW), 2, 2,
	  { "ZONE", "RECORD" }, cmd_record_add, 0 },
	{ "record", "rm", "record rm ZONE RECORD [--view V]", O(VIEW), 2, 2, { "ZONE", "RECORD" }, cmd_record_rm, 0 },
	{ "record", "list", "record list ZONE [--view V]", O(VIEW), 1, 1, { "ZONE" }, cmd_record_list, 0 },
	{ "server", "add",
	  "server add NAME --type rfc2136|pdns-api [--address A] [--port P] [--tsig-name N] [--tsig-algorithm ALG]"
	  " [--tsig-secret-file F] [--api-url URL] [--api-key-file F] [--server-id ID] [--replace]",
	  O(TYPE) | O(ADDRESS) | O(PORT) | O(TSIG_NAME) | O(TSIG_ALGORITHM) | O(TSIG_SECRET_FILE) | O(API_URL) |
	      O(API_KEY_FILE) | O(SERVER_ID) | O(REPLACE),
	  1, 1, { "NAME" }, cmd_server_add, 0 },
	{ "server", "list", "server list", 0, 0, 0, { NULL }, cmd_server_list, 0 },
	{ "rpz", "add", "rpz add ORIGIN POLICY [--replace]   (POLICY: \"qname bad.example.com nxdomain\")", O(REPLACE), 2,
	  2, { "ORIGIN", "POLICY" }, cmd_rpz_add, 0 },
	{ "rpz", "rm", "rpz rm ORIGIN TRIGGER   (TRIGGER: \"qname bad.example.com\", \"client-ip 10.9.0.0/16\")", 0, 2, 2,
	  { "ORIGIN", "TRIGGER" }, cmd_rpz_rm, 0 },
	{ "rpz", "list", "rpz list [ORIGIN]", 0, 0, 1, { "ORIGIN" }, cmd_rpz_list, 0 },
	{ "rpz", "render", "rpz render ORIGIN [--policies FILE] [--ttl N] [-o FILE]   (no FILE: the stored policies)",
	  O(POLICIES) | O(TTL) | O(OUTPUT), 1, 1, { "ORIGIN" }, cmd_rpz_render, CMD_NODB },
	{ "server", "rm", "server rm NAME", 0, 1, 1, { "NAME" }, cmd_server_rm, 0 },
	IMPORT_CMD("netbox-csv"),
	IMPORT_CMD("netbox-json"),
	IMPORT_CMD("infoblox"),
	IMPORT_CMD("phpipam-sql"),
	IMPORT_CMD("bluecat"),
	IMPORT_CMD("phpipam-csv"),
	IMPORT_CMD("bind-zone"),
	IMPORT_CMD("msdhcp-xml"),
	IMPORT_CMD("msdhcp-netsh"),
	{ "import", "csv",
	  "import csv FILE... --map MAPPING [--space S | --space-map SOURCE=SPACE ...] [--dry-run] [--all-or-nothing] "
	  "[--json]",
	  O(MAP) | O(SPACE) | O(SPACE_MAP) | O(DRY_RUN) | O(ALL_OR_NOTHING) | O(JSON), 1, ARGS_MAX_POS, { "FILE" },
	  cmd_import_files, 0 },
	{ "import", "suggest", "import suggest FILE (prints a mapping for import csv --map, to review)", 0, 1, 1,
	  { "FILE" }, cmd_import_suggest, 0 },
	{ "discover", "snmp", "discover snmp HOST[:PORT] [--space S] [--user U | --credential NAME]  (v3 pass phrases from a stored snmpv3 credential or IPAM_SNMP_AUTH_PASS/IPAM_SNMP_PRIV_PASS, v2c community from IPAM_SNMP_COMMUNITY)",
	  O(SPACE) | O(USER) | O(CREDENTIAL), 1, 1, { "HOST" }, cmd_discover_snmp, 0 },
	{ "discover", "sweep", "discover sweep CIDR [--space S] [--icmp] [--ports P,P...] [--rate N]",
	  O(SPACE) | O(ICMP) | O(PORTS) | O(RATE), 1, 1, { "CIDR" }, cmd_discover_sweep, 0 },
	{ "discover", "rdns", "discover rdns CIDR --server ADDR[#PORT] [--space S] [--rate N]",
	  O(SPACE) | O(SERVER) | O(RATE), 1, 1, { "CIDR" }, cmd_discover_rdns, 0 },
	{ "discover", "aws", "discover aws REGION [--credential NAME]  (or AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; IPAM_AWS_ENDPOINT)",
	  O(CREDENTIAL), 1, 1, { "REGION" }, cmd_discover_aws, 0 },
	{ "discover", "azure", "discover azure SUBSCRIPTION [--credential NAME]  (or AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_ACCESS_TOKEN)",
	  O(CREDENTIAL), 1, 1, { "SUBSCRIPTION" }, cmd_discover_azure, 0 },
	{ "discover", "gcp", "discover gcp PROJECT [--credential NAME]  (or GOOGLE_OAUTH_ACCESS_TOKEN)", O(CREDENTIAL), 1, 1,
	  { "PROJECT" }, cmd_discover_gcp, 0 },
	{ "discover", "cloud-dns",
	  "discover cloud-dns aws | azure SUBSCRIPTION | gcp PROJECT [--credential NAME] [--space S] [--view V]"
	  " [--zone NAME] [--private] [--dry-run]"
	  "  (zones and records into the DNS model; endpoints IPAM_ROUTE53_ENDPOINT, IPAM_AZURE_*_ENDPOINT,"
	  " IPAM_CLOUD_DNS_ENDPOINT)",
	  O(CREDENTIAL) | O(SPACE) | O(VIEW) | O(ZONE) | O(PRIVATE) | O(DRY_RUN), 1, 2, { "PROVIDER", "ACCOUNT" }, cmd_discover_cloud_dns, 0 },
	{ "credential", "add",
	  "credential add NAME --type aws|azure|gcp|snmpv3 [--user ID] [--attr tenant=T] [--secret-file F] [--replace]"
	  "  (the secret from F or standard input: line 1, and a second secret on line 2)",
	  O(TYPE) | O(USER) | O(ATTR) | O(SECRET_FILE) | O(REPLACE), 1, 1, { "NAME" }, cmd_cred_add, 0 },
	{ "credential", "list", "credential list  (no secrets)", 0, 0, 0, { NULL }, cmd_cred_list, 0 },
	{ "credential", "rm", "credential rm NAME", 0, 1, 1, { "NAME" }, cmd_cred_rm, 0 },
	{ NULL, "reconcile", "reconcile [--space S] [--since UNIX-TIME] [--json] [--apply]",
	  O(SPACE) | O(SINCE) | O(JSON) | O(APPLY), 0, 0, { NULL }, cmd_reconcile, 0 },
	{ "scope", "add",
	  "scope add NAME PREFIX [--space S] [--template T] [--description D] [--server NAME[,NAME...]] [--ttl SECONDS]"
	  " [--ha PRIMARY,STANDBY]",
	  O(SPACE) | O(TEMPLATE) | O(DESCRIPTION) | O(SERVER) | O(TTL) | O(HA), 2, 2, { "NAME", "PREFIX" }, cmd_scope_add, 0 },
	{ "scope", "set",
	  "scope set NAME [--template T] [--description D] [--server NAME[,NAME...]] [--ttl SECONDS] [--ha PRIMARY,STANDBY]"
	  "   (what is given replaces; \"\" clears)",
	  O(TEMPLATE) | O(DESCRIPTION) | O(SERVER) | O(TTL) | O(HA), 1, 1, { "NAME" }, cmd_scope_set, 0 },
	{ "scope", "list", "scope list", 0, 0, 0, { NULL }, cmd_scope_list, 0 },
	{ "scope", "show", "scope show NAME", 0, 1, 1, { "NAME" }, cmd_scope_show, 0 },
	{ "scope", "rm", "scope rm NAME [--leases]   (its pools and reservations go with it; leases too with --leases)",
	  O(LEASES), 1, 1, { "NAME" }, cmd_scope_rm, 0 },
	{ "pool", "add", "pool add SCOPE START-END [--exclude A[-B][,A[-B]...]]", O(EXCLUDE), 2, 2, { "SCOPE", "RANGE" },
	  cmd_pool_add, 0 },
	{ "pool", "rm", "pool rm SCOPE START[-END]", 0, 2, 2, { "SCOPE", "RANGE" }, cmd_pool_rm, 0 },
	{ "reserve", "add", "reserve add SCOPE ADDR --mac M | --client-id HEX | --duid HEX [--hostname H]",
	  O(MAC) | O(CLIENT_ID) | O(DUID) | O(HOSTNAME), 2, 2, { "SCOPE", "ADDR" }, cmd_reserve_add, 0 },
	/* the shorter forms: "reserve ADDR --mac M" (the scope that holds ADDR) and
	 * "option-template add|rm|list" */
	{ "reserve", "", "reserve ADDR --mac M | --client-id HEX | --duid HEX [--hostname H] [--scope S]",
	  O(MAC) | O(CLIENT_ID) | O(DUID) | O(HOSTNAME) | O(SCOPE), 1, 1, { "ADDR" }, cmd_reserve_addr, 0 },
	{ NULL, "option-template", "option-template add|rm|list [NAME]", 0, 1, 2, { "ACTION", "NAME" },
	  cmd_option_template, 0 },
	{ "reserve", "rm", "reserve rm SCOPE ADDR", 0, 2, 2, { "SCOPE", "ADDR" }, cmd_reserve_rm, 0 },
	{ "reserve", "list", "reserve list SCOPE", 0, 1, 1, { "SCOPE" }, cmd_reserve_list, 0 },
	{ "option", "set",
	  "option set NAME VALUE [--scope S [--address RESERVED | --pool --address START] | --template T] [--family 4|6]",
	  O(SCOPE) | O(ADDRESS) | O(POOL) | O(TEMPLATE) | O(FAMILY), 2, 2, { "NAME", "VALUE" }, cmd_option_set, 0 },
	{ "option", "rm", "option rm NAME [--scope S [--address A | --pool --address START] | --template T] [--family 4|6]",
	  O(SCOPE) | O(ADDRESS) | O(POOL) | O(TEMPLATE) | O(FAMILY), 1, 1, { "NAME" }, cmd_option_rm, 0 },
	{ "option", "list", "option list [--scope S [--address A | --pool --address START] | --template T] [--family 4|6]",
	  O(SCOPE) | O(ADDRESS) | O(POOL) | O(TEMPLATE) | O(FAMILY), 0, 0, { NULL }, cmd_option_list, 0 },
	{ "option", "define", "option define NAME CODE TYPE [--family 4|6]   (TYPE: ip, ip[], string, uint8, uint16, uint32, bool, fqdn, fqdn[], binary)",
	  O(FAMILY), 3, 3, { "NAME", "CODE", "TYPE" }, cmd_option_define, 0 },
	{ "option", "template", "option template add|rm|list [NAME]", 0, 1, 2, { "ACTION", "NAME" }, cmd_option_template,
	  0 },
	{ "dhcp", "server",
	  "dhcp server add|rm|list [NAME] [--type kea|dhcpd] [--api-url URL] [--user U] [--password-file F]"
	  " [--write-dir DIR] [--address FAILOVER-ADDR [--port P]] [--replace]",
	  O(TYPE) | O(API_URL) | O(USER) | O(PASSWORD_FILE) | O(WRITE_DIR) | O(ADDRESS) | O(PORT) | O(REPLACE), 1, 2, { "ACTION", "NAME" },
	  cmd_dhcp_server, 0 },
	{ "dhcp", "render", "dhcp render --format kea4|kea6|dhcpd [--server NAME] [--from KEA-CONFIG] [-o FILE]",
	  O(FORMAT) | O(SERVER) | O(FROM) | O(OUTPUT), 0, 0, { NULL }, cmd_dhcp_render, 0 },
	{ "dhcp", "import", "dhcp import kea|dhcpd FILE [--space S] [--server NAME]   (adopt a running server's config)",
	  O(SPACE) | O(SERVER), 2, 2, { "FORMAT", "FILE" }, cmd_dhcp_import, 0 },
	{ "dhcp", "push", "dhcp push --server NAME [--dry-run]", O(SERVER) | O(DRY_RUN), 0, 0, { NULL }, cmd_dhcp_push, 0 },
	{ "lease", "sync",
	  "lease sync FILE | --file PATH [--format kea-csv|dhcpd] | --server NAME  [--space S] [--push-dns DNS-SERVER "
	  "[--view V]]",
	  O(FORMAT) | O(SERVER) | O(SPACE) | O(PUSH_DNS) | O(VIEW) | O(FILE), 0, 1, { "FILE" }, cmd_lease_sync, 0 },
	{ NULL, "batch", "batch [--atomic]  (commands from stdin, one per line)", O(ATOMIC), 0, 0, { NULL }, cmd_batch,
	  0 },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_help(FILE *f)
{
	fputs("usage: ipamctl [--db URI] [--key-file FILE] [--secret-key-file FILE] [--actor NAME] [--durable] [--json]\n"
	      "               COMMAND [ARGS]\n"
	      "       ipamctl --help | --version\n"
	      "\n"
	      "Global options (before the command):\n"
	      "  --db URI         the database: file:PATH or PATH (an encrypted file), memory:\n"
	      "                   (default: $IPAM_DB, else memory:)\n"
	      "  --key-file FILE  the file's raw 256-bit key: 32 bytes or 64 hex digits\n"
	      "                   (default: $IPAM_KEY_FILE); else the passphrase in $IPAM_KEY;\n"
	      "                   else it is asked on the terminal\n"
	      "  --secret-key-file FILE  the 256-bit key that seals stored secrets (TSIG keys,\n"
	      "                   API keys; default: $IPAM_SECRET_KEY_FILE); needed on PostgreSQL\n"
	      "  --actor NAME     who the audit log records (default: the OS user)\n"
	      "  --durable        every commit reaches the disk before the command returns\n"
	      "  --json           print one JSON object per result line\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].synopsis);
	fputs("\nExit status: 0 ok, 1 error, 2 usage error; import: 3 when some rows were skipped.\n"
	      "See docs/ipamctl.md and docs/import.md.\n",
	      f);
}

static const struct cmd *lookup(const char *group, const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct cmd *cmd = &commands[i];
		if ((group ? cmd->group && strcmp(cmd->group, group) == 0 : !cmd->group) && strcmp(cmd->name, name) == 0)
			return cmd;
	}
	return NULL;
}

static bool is_group(const char *word)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].group && strcmp(commands[i].group, word) == 0)
			return true;
	return false;
}

static void group_subcommands(char *buf, size_t size, const char *group)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NCOMMANDS && o < size; i++) {
		if (commands[i].group && strcmp(commands[i].group, group) == 0 && commands[i].name[0])
			o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? ", " : "", commands[i].name);
	}
}

/* Which key opens the file: --key-file, else $IPAM_KEY, else
 * $IPAM_KEY_FILE, else (stdin a terminal) asked on /dev/tty. `create`:
 * init, which asks twice. With none of them the library says what is
 * missing (IPAM_EAUTH). */
static int get_key(struct ctl *c, struct secret *pw, ipam_open_options *o, const char *file, bool create)
{
	bool found = false;
	int st;

	if (c->key_file) {
		o->key_file = c->key_file;
		return ST_OK;
	}
	if ((st = secret_from_env(c, pw, "IPAM_KEY", &found)))
		return st;
	if (found) {
		o->passphrase = pw->buf;
		return ST_OK;
	}
	const char *kf = getenv("IPAM_KEY_FILE");
	if (kf && *kf) {
		o->key_file = kf;
		return ST_OK;
	}
	/* Ask only when the answer can be used: the file exists, or init
	 * makes it. */
	struct stat sb;
	if (!have_tty() || (!create && stat(file, &sb) != 0))
		return ST_OK;
	char prompt[300];
	snprintf(prompt, sizeof prompt, "%s for %.200s: ", create ? "New passphrase" : "Passphrase", file);
	if ((st = secret_ask(c, pw, prompt, create, create)))
		return st;
	o->passphrase = pw->buf;
	return ST_OK;
}

static int open_db(struct ctl *c, bool create)
{
	ipam_open_options o = IPAM_OPEN_OPTIONS_INIT;
	struct secret pw = { 0 };
	const char *file = uri_file(c->uri);
	int st;

	if (c->db)
		return ST_OK;
	o.actor = c->actor;
	o.secret_key_file = c->secret_key_file;
	if (!o.secret_key_file && getenv("IPAM_SECRET_KEY_FILE") && *getenv("IPAM_SECRET_KEY_FILE"))
		o.secret_key_file = getenv("IPAM_SECRET_KEY_FILE");
	if (c->durable)
		o.flags |= IPAM_OPEN_DURABLE;
	if (create)
		o.flags |= IPAM_OPEN_CREATE | IPAM_OPEN_EXCL;
	if (file && create) {
		/* Refuse before asking for a passphrase; IPAM_OPEN_EXCL still
		 * guards against a race with another process. */
		struct stat sb;
		if (lstat(file, &sb) == 0)
			return fail_as(c, "EXISTS", "init: %.200s already exists; ipamctl will not overwrite a database", file);
	}
	if (file && (st = get_key(c, &pw, &o, file, create)))
		return st;
	uri_redact(c->uri_shown, sizeof c->uri_shown, c->uri);
	int rc = ipam_db_open(&c->db, c->uri, &o);
	secret_wipe(&pw);
	return rc ? fail_lib(c, rc, NULL) : ST_OK;
}

int ctl_open_db(struct ctl *c)
{
	return open_db(c, false);
}

/* Find and run the command in argv; the result or the error is written
 * by the caller. */
static int dispatch(struct ctl *c, struct args *a, int argc, char **argv)
{
	const struct cmd *cmd;
	int skip = 1;

	c->cmd = NULL;
	if (is_group(argv[0])) {
		char subs[128];
		group_subcommands(subs, sizeof subs, argv[0]);
		if (argc < 2)
			return fail_usage(c, "'%s' needs a subcommand: %s", argv[0], subs);
		cmd = lookup(argv[0], argv[1]);
		skip = 2;
		if (!cmd && argv[1][0] != '-' && (cmd = lookup(argv[0], "")))
			skip = 1; /* the group's own form: the word is its first argument ("reserve ADDR") */
		if (!cmd)
			return fail_usage(c, "unknown command '%.40s %.100s' (%s takes %s)", argv[0], argv[1], argv[0], subs);
	} else {
		cmd = lookup(NULL, argv[0]);
		if (!cmd)
			return fail_usage(c, "unknown command '%.100s'", argv[0]);
	}
	c->cmd = cmd;
	args_reset(a);
	int st = args_parse(c, a, cmd, argc - skip, argv + skip);
	if (st)
		return st;
	if (a->seen[OPT_HELP]) {
		char text[600];
		snprintf(text, sizeof text, "usage: ipamctl [GLOBAL OPTIONS] %s\n", cmd->synopsis);
		out_text(c, "usage", text);
		return ST_OK;
	}
	if (cmd->run != cmd_batch && !(cmd->flags & CMD_NODB) && (st = open_db(c, (cmd->flags & CMD_CREATE) != 0)))
		return st;
	return cmd->run(c, a);
}

/* Run one command and write its result or error. */
static int run_one(struct ctl *c, struct args *a, int argc, char **argv)
{
	int st = dispatch(c, a, argc, argv);
	if (st == ST_OK || c->reported) {
		out_list_end(c);
		return st;
	}
	if (c->batch)
		out_list_abort(c); /* the line is the error, not a partial list */
	else
		out_list_end(c);   /* what was listed stays listed */
	out_error(c, st);
	return st;
}

/* batch --atomic could not commit: say so on one line of its own. */
static void commit_failed(struct ctl *c)
{
	cJSON *obj = cJSON_CreateObject();
	cJSON *err = cJSON_AddObjectToObject(obj, "error");
	char *s = NULL;
	if (err && json_str(err, "code", c->err_code) && json_str(err, "message", c->err_msg) &&
	    cJSON_AddBoolToObject(obj, "rolled_back", 1))
		s = cJSON_PrintUnformatted(obj);
	fprintf(c->out, "%s\n", s ? s : "{\"error\":{\"code\":\"NOMEM\",\"message\":\"out of memory\"}}");
	free(s);
	cJSON_Delete(obj);
}

/* One command per stdin line against the one open database; always JSON,
 * one line per command. Each line is its own transaction, or with
 * --atomic all lines are one: the first line that fails rolls back every
 * change of the batch and ends it. */
static int cmd_batch(struct ctl *c, const struct args *a)
{
	struct args la = { 0 };
	struct words w = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool failed = false;
	int rc;

	if (c->batch)
		return fail_usage(c, "batch: cannot run inside batch");
	int st = open_db(c, false);
	if (st)
		return st;
	if (a->seen[OPT_ATOMIC]) {
		if ((rc = ipam_db_begin(c->db)))
			return fail_lib(c, rc, "batch --atomic");
		c->atomic = true;
	}
	c->batch = true;
	c->json = true;
	while (!(failed && c->atomic) && (n = getline(&line, &cap, stdin)) >= 0) {
		const char *err = NULL;
		size_t len = (size_t)n;
		c->line++;
		if (len && line[len - 1] == '\n')
			len--;
		if (len && line[len - 1] == '\r')
			len--;
		if (words_split(&w, line, len, &err) < 0) {
			c->cmd = NULL;
			out_error(c, fail_usage(c, "%s", err));
			failed = true;
			continue;
		}
		if (w.argc == 0)
			continue;
		if (run_one(c, &la, (int)w.argc, w.argv) != ST_OK)
			failed = true;
	}
	if (c->atomic) {
		if (failed) {
			ipam_db_rollback(c->db);
		} else if ((rc = ipam_db_commit(c->db))) {
			fail_lib(c, rc, "batch --atomic: commit");
			commit_failed(c);
			failed = true;
		}
		c->atomic = false;
	}
	free(line);
	words_free(&w);
	args_free(&la);
	c->cmd = NULL;
	/* Every line has reported itself; the status only sums them up. */
	c->batch = false;
	c->json = false;
	c->reported = true;
	return failed ? ST_ERROR : ST_OK;
}

/* Is argv word o the global option `name` ("--name" or "--name=V")? */
static bool is_option(const char *o, const char *name)
{
	size_t n = strlen(name);
	return strncmp(o, name, n) == 0 && (o[n] == '\0' || o[n] == '=');
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	struct ctl c = { .out = stdout };
	struct args a = { 0 };
	const char *uri = getenv("IPAM_DB");
	int i = 1;

	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	c.uri = uri && *uri ? uri : "memory:";
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];
		const char **slot = is_option(o, "--db")         ? &c.uri
		                    : is_option(o, "--key-file") ? &c.key_file
		                    : is_option(o, "--actor")    ? &c.actor
		                    : is_option(o, "--secret-key-file") ? &c.secret_key_file
		                                                 : NULL;
		if (slot) {
			const char *eq = strchr(o, '=');
			if (eq) {
				*slot = eq + 1;
			} else if (i + 1 < argc) {
				*slot = argv[++i];
			} else {
				out_error(&c, fail_usage(&c, "option %s needs a value", o));
				return ST_USAGE;
			}
		} else if (strcmp(o, "--json") == 0) {
			c.json = true;
		} else if (strcmp(o, "--durable") == 0) {
			c.durable = true;
		} else if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
			print_help(stdout);
			return fflush(stdout) ? ST_ERROR : ST_OK;
		} else if (strcmp(o, "--version") == 0) {
			printf("ipamctl %s (libipam %s)\n", IPAM_VERSION, ipam_version());
			return fflush(stdout) ? ST_ERROR : ST_OK;
		} else if (strcmp(o, "--") == 0) {
			i++;
			break;
		} else {
			out_error(&c, fail_usage(&c, "unknown option '%.100s'", o));
			return ST_USAGE;
		}
	}
	if (i == argc) {
		fprintf(stderr, "ipamctl: error: no command given\n");
		print_help(stderr);
		return ST_USAGE;
	}

	int st = run_one(&c, &a, argc - i, argv + i);
	args_free(&a);
	ipam_db_free(c.db);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "ipamctl: error: writing the output failed\n");
		return ST_ERROR;
	}
	return st;
}
