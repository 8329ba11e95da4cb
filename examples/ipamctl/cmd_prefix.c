/* Commands: prefix *, find, util. */
#include "ipamctl.h"

#include <stdlib.h>
#include <string.h>

/* Print the stored prefix p of a space as one item. */
static int show_prefix(struct ctl *c, const char *space, const ipam_prefix *p)
{
	ipam_prefix_info info = IPAM_PREFIX_INFO_INIT;
	int rc = ipam_prefix_get(&info, c->db, space, p);
	if (rc)
		return fail_lib(c, rc, NULL);
	int st = out_item(c, K_PREFIX, json_prefix_info(&info), NULL);
	ipam_prefix_info_dispose(&info);
	return st;
}

/* The prefix and the options shared by prefix add and prefix set; *attrs
 * is to be freed. */
static int prefix_options(struct ctl *c, const struct args *a, ipam_prefix *p, ipam_prefix_options *opts,
                          char **attrs)
{
	int st;
	*attrs = NULL;
	if ((st = arg_prefix(c, p, a->pos[0], NULL)))
		return st;
	if (a->val[OPT_STATUS] && (st = arg_prefix_status(c, &opts->status, a->val[OPT_STATUS])))
		return st;
	if ((st = arg_kv_json(c, attrs, a, OPT_ATTR)))
		return st;
	opts->space = a->val[OPT_SPACE];
	opts->pool = a->seen[OPT_POOL];
	opts->description = a->val[OPT_DESCRIPTION];
	opts->attrs_json = *attrs;
	return ST_OK;
}

int cmd_prefix_add(struct ctl *c, const struct args *a)
{
	ipam_prefix_options opts = IPAM_PREFIX_OPTIONS_INIT;
	ipam_prefix p;
	char *attrs;
	int st = prefix_options(c, a, &p, &opts, &attrs);
	if (st)
		return st;
	opts.exclusive = a->seen[OPT_EXCLUSIVE];
	int rc = ipam_prefix_add(c->db, &p, &opts);
	free(attrs);
	if (rc)
		return fail_lib(c, rc, NULL);
	return show_prefix(c, opts.space, &p);
}

/* prefix set CIDR: the options given change, the others stay; an empty
 * --description clears it. */
int cmd_prefix_set(struct ctl *c, const struct args *a)
{
	ipam_prefix_options opts = IPAM_PREFIX_OPTIONS_INIT;
	ipam_prefix p;
	char *attrs;
	if (a->seen[OPT_POOL] && a->seen[OPT_NO_POOL])
		return fail_inval(c, "prefix set: --pool and --no-pool together");
	int st = prefix_options(c, a, &p, &opts, &attrs);
	if (st)
		return st;
	unsigned fields = (a->val[OPT_STATUS] ? IPAM_PREFIX_SET_STATUS : 0) |
	                  (a->seen[OPT_POOL] || a->seen[OPT_NO_POOL] ? IPAM_PREFIX_SET_POOL : 0) |
	                  (a->val[OPT_DESCRIPTION] ? IPAM_PREFIX_SET_DESCRIPTION : 0) |
	                  (a->nkv ? IPAM_PREFIX_SET_ATTRS : 0);
	if (!fields) {
		free(attrs);
		return fail_inval(c, "prefix set: nothing to change (give --status, --pool, --no-pool, --description or "
		                     "--attr)");
	}
	if (opts.description && !*opts.description)
		opts.description = NULL; /* '' clears it */
	int rc = ipam_prefix_update(c->db, &p, fields, &opts);
	free(attrs);
	if (rc)
		return fail_lib(c, rc, NULL);
	return show_prefix(c, opts.space, &p);
}

static int walk(struct ctl *c, const ipam_prefix_query *q, enum kind k, const ipam_prefix *mark)
{
	ipam_prefix_iter *it = NULL;
	int rc = ipam_prefix_iter_new(&it, c->db, q);
	if (rc)
		return fail_lib(c, rc, NULL);
	ipam_prefix_info info = IPAM_PREFIX_INFO_INIT;
	int st = ST_OK;
	out_list_begin(c, k);
	while (st == ST_OK && (rc = ipam_prefix_iter_next(&info, it)) == 0) {
		cJSON *o = json_prefix_info(&info);
		if (o && mark && !cJSON_AddBoolToObject(o, "longest_match", ipam_prefix_cmp(&info.prefix, mark) == 0)) {
			cJSON_Delete(o);
			o = NULL;
		}
		st = out_list_add(c, o);
	}
	if (st == ST_OK && rc != IPAM_ITEROVER)
		st = fail_lib(c, rc, NULL);
	ipam_prefix_info_dispose(&info);
	ipam_prefix_iter_free(it);
	return st;
}

int cmd_prefix_list(struct ctl *c, const struct args *a)
{
	ipam_prefix_query q = IPAM_PREFIX_QUERY_INIT;
	ipam_prefix within;
	int st;

	q.space = a->val[OPT_SPACE];
	if (a->val[OPT_WITHIN]) {
		if ((st = arg_prefix(c, &within, a->val[OPT_WITHIN], "--within")))
			return st;
		q.walk = IPAM_WALK_WITHIN;
		q.target = &within;
	}
	return walk(c, &q, K_PREFIX, NULL);
}

int cmd_prefix_rm(struct ctl *c, const struct args *a)
{
	ipam_prefix p;
	int st = arg_prefix(c, &p, a->pos[0], NULL);
	if (st)
		return st;
	int rc = ipam_prefix_rm(c->db, a->val[OPT_SPACE], &p);
	if (rc)
		return fail_lib(c, rc, NULL);
	char text[IPAM_PREFIX_STRLEN + 300], ptext[IPAM_PREFIX_STRLEN];
	ipam_prefix_format(ptext, sizeof ptext, &p);
	cJSON *o = cJSON_CreateObject();
	if (o && !(cJSON_AddBoolToObject(o, "removed", 1) && json_prefix(o, "prefix", &p) &&
	           json_str(o, "space", space_or_default(a->val[OPT_SPACE])))) {
		cJSON_Delete(o);
		o = NULL;
	}
	snprintf(text, sizeof text, "removed prefix %s from space %.200s", ptext, space_or_default(a->val[OPT_SPACE]));
	return out_item(c, K_TEXT, o, text);
}

int cmd_prefix_alloc(struct ctl *c, const struct args *a)
{
	ipam_prefix_alloc_options opts = IPAM_PREFIX_ALLOC_OPTIONS_INIT;
	ipam_prefix parent, got;
	char *attrs = NULL;
	int st;

	if (!a->val[OPT_LENGTH])
		return fail_usage(c, "prefix alloc: option --length is required");
	if ((st = arg_prefix(c, &parent, a->pos[0], NULL)) || (st = arg_length(c, &opts.length, a->val[OPT_LENGTH])))
		return st;
	if (a->val[OPT_POLICY] && (st = arg_policy(c, &opts.policy, a->val[OPT_POLICY])))
		return st;
	if (a->val[OPT_STATUS] && (st = arg_prefix_status(c, &opts.status, a->val[OPT_STATUS])))
		return st;
	if ((st = arg_kv_json(c, &attrs, a, OPT_ATTR)))
		return st;
	opts.space = a->val[OPT_SPACE];
	opts.pool = a->seen[OPT_POOL];
	opts.description = a->val[OPT_DESCRIPTION];
	opts.attrs_json = attrs;
	int rc = ipam_prefix_alloc(&got, c->db, &parent, &opts);
	free(attrs);
	if (rc)
		return fail_lib(c, rc, NULL);
	return show_prefix(c, opts.space, &got);
}

/* The longest match and the chain of prefixes that cover it. */
int cmd_find(struct ctl *c, const struct args *a)
{
	ipam_prefix target, match;
	int st = arg_addr_or_prefix(c, &target, a->pos[0], NULL);
	if (st)
		return st;
	int rc = ipam_prefix_match(&match, c->db, a->val[OPT_SPACE], &target);
	if (rc)
		return fail_lib(c, rc, NULL);
	/* The COVERING walk of the target: the longest match (marked) and its
	 * ancestors, least specific first. */
	ipam_prefix_query q = IPAM_PREFIX_QUERY_INIT;
	q.space = a->val[OPT_SPACE];
	q.walk = IPAM_WALK_COVERING;
	q.target = &target;
	return walk(c, &q, K_FIND, &match);
}

int cmd_util(struct ctl *c, const struct args *a)
{
	ipam_prefix cidr;
	ipam_util u = IPAM_UTIL_INIT;
	int st = arg_prefix(c, &cidr, a->pos[0], NULL);
	if (st)
		return st;
	int rc = ipam_prefix_util(&u, c->db, a->val[OPT_SPACE], &cidr);
	if (rc)
		return fail_lib(c, rc, NULL);
	cJSON *o = cJSON_CreateObject();
	if (o && !(json_prefix(o, "cidr", &cidr) && json_str(o, "space", space_or_default(a->val[OPT_SPACE])) &&
	           json_u128(o, "total", u.total) && json_u128(o, "used", u.used) && json_u128(o, "free", u.free) &&
	           cJSON_AddNumberToObject(o, "used_percent", u.used_percent) &&
	           (cidr.addr.family != IPAM_AF_INET6 || json_u128(o, "free_64s", u.free_64s)))) {
		cJSON_Delete(o);
		o = NULL;
	}
	return out_item(c, K_UTIL, o, NULL);
}
