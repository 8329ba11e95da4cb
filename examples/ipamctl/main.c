/* ipamctl: global options, the command table, dispatch and batch mode. */
#include "ipamctl.h"

#include <stdlib.h>
#include <string.h>

static int cmd_batch(struct ctl *c, const struct args *a);

#define IP_OPTS (O(SPACE) | O(HOSTNAME) | O(MAC) | O(DESCRIPTION) | O(STATUS) | O(ATTR))
#define IP_SYN "[--space S] [--hostname H] [--mac M] [--description D] [--status active|reserved|dhcp|deprecated] [--attr k=v]..."

static const struct cmd commands[] = {
	{ NULL, "init", "init", 0, 0, 0, { NULL }, cmd_init },
	{ "space", "add", "space add NAME [--label k=v]...", O(LABEL), 1, 1, { "NAME" }, cmd_space_add },
	{ "space", "list", "space list", 0, 0, 0, { NULL }, cmd_space_list },
	{ "space", "rm", "space rm NAME", 0, 1, 1, { "NAME" }, cmd_space_rm },
	{ "prefix", "add",
	  "prefix add CIDR [--space S] [--status container|active|reserved|deprecated] [--pool] [--exclusive] "
	  "[--description D] [--attr k=v]...",
	  O(SPACE) | O(STATUS) | O(POOL) | O(EXCLUSIVE) | O(DESCRIPTION) | O(ATTR), 1, 1, { "CIDR" }, cmd_prefix_add },
	{ "prefix", "list", "prefix list [--space S] [--within CIDR]", O(SPACE) | O(WITHIN), 0, 0, { NULL },
	  cmd_prefix_list },
	{ "prefix", "rm", "prefix rm CIDR [--space S]", O(SPACE), 1, 1, { "CIDR" }, cmd_prefix_rm },
	{ "prefix", "alloc",
	  "prefix alloc PARENT --length N [--space S] [--policy first-fit|best-fit] "
	  "[--status container|active|reserved|deprecated] [--pool] [--description D] [--attr k=v]...",
	  O(SPACE) | O(LENGTH) | O(POLICY) | O(STATUS) | O(POOL) | O(DESCRIPTION) | O(ATTR), 1, 1, { "PARENT" },
	  cmd_prefix_alloc },
	{ "ip", "alloc", "ip alloc PREFIX " IP_SYN, IP_OPTS, 1, 1, { "PREFIX" }, cmd_ip_alloc },
	{ "ip", "add", "ip add ADDR " IP_SYN, IP_OPTS, 1, 1, { "ADDR" }, cmd_ip_add },
	{ "ip", "release", "ip release ADDR [--space S]", O(SPACE), 1, 1, { "ADDR" }, cmd_ip_release },
	{ "ip", "list", "ip list [--space S] [--within CIDR]", O(SPACE) | O(WITHIN), 0, 0, { NULL }, cmd_ip_list },
	{ "ip", "show", "ip show ADDR [--space S]", O(SPACE), 1, 1, { "ADDR" }, cmd_ip_show },
	{ "range", "add",
	  "range add FIRST LAST --purpose dhcp|reserved|excluded [--space S] [--description D] [--attr k=v]...",
	  O(PURPOSE) | O(SPACE) | O(DESCRIPTION) | O(ATTR), 2, 2, { "FIRST", "LAST" }, cmd_range_add },
	{ "range", "list", "range list [--space S] [--within CIDR]", O(SPACE) | O(WITHIN), 0, 0, { NULL },
	  cmd_range_list },
	{ "range", "rm", "range rm FIRST LAST [--space S]", O(SPACE), 2, 2, { "FIRST", "LAST" }, cmd_range_rm },
	{ NULL, "find", "find ADDR|CIDR [--space S]", O(SPACE), 1, 1, { "ADDR|CIDR" }, cmd_find },
	{ NULL, "util", "util CIDR [--space S]", O(SPACE), 1, 1, { "CIDR" }, cmd_util },
	{ NULL, "batch", "batch  (commands from stdin, one per line)", 0, 0, 0, { NULL }, cmd_batch },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_help(FILE *f)
{
	fputs("usage: ipamctl [--db URI] [--json] COMMAND [ARGS]\n"
	      "       ipamctl --help | --version\n"
	      "\n"
	      "Global options (before the command):\n"
	      "  --db URI   the database (default: $IPAM_DB, else memory:)\n"
	      "  --json     print one JSON object per result line\n"
	      "\n"
	      "Commands:\n",
	      f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].synopsis);
	fputs("\nExit status: 0 ok, 1 error, 2 usage error. See docs/ipamctl.md.\n", f);
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
		if (commands[i].group && strcmp(commands[i].group, group) == 0)
			o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? ", " : "", commands[i].name);
	}
}

static int open_db(struct ctl *c)
{
	if (c->db)
		return ST_OK;
	int rc = ipam_db_open(&c->db, c->uri, NULL);
	return rc ? fail_lib(c, rc, NULL) : ST_OK;
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
		if (!cmd)
			return fail_usage(c, "unknown command '%.40s %.100s' (%s takes %s)", argv[0], argv[1], argv[0], subs);
		skip = 2;
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
		snprintf(text, sizeof text, "usage: ipamctl [--db URI] [--json] %s\n", cmd->synopsis);
		out_text(c, "usage", text);
		return ST_OK;
	}
	if (cmd->run != cmd_batch && (st = open_db(c)))
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

/* One command per stdin line against the one open database; always JSON,
 * one line per command. */
static int cmd_batch(struct ctl *c, const struct args *a)
{
	struct args la = { 0 };
	struct words w = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool failed = false;

	(void)a;
	if (c->batch)
		return fail_usage(c, "batch: cannot run inside batch");
	int st = open_db(c);
	if (st)
		return st;
	c->batch = true;
	c->json = true;
	while ((n = getline(&line, &cap, stdin)) >= 0) {
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
		if (strcmp(o, "--json") == 0) {
			c.json = true;
		} else if (strcmp(o, "--db") == 0) {
			if (i + 1 == argc) {
				out_error(&c, fail_usage(&c, "option --db needs a value"));
				return ST_USAGE;
			}
			c.uri = argv[++i];
		} else if (strncmp(o, "--db=", 5) == 0) {
			c.uri = o + 5;
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
