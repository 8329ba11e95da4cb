/* Commands: init, space *, range *. */
#include "ipamctl.h"

#include <stdlib.h>
#include <string.h>

/* The store is opened (created, for a file) before this runs. */
int cmd_init(struct ctl *c, const struct args *a)
{
	(void)a;
	const char *file = uri_file(c->uri);
	char text[300];

	/* batch opened the store before its first line: a file exists. */
	if (c->batch && file)
		return fail_as(c, "EXISTS", "init: %.200s already exists; ipamctl will not overwrite a database", file);
	cJSON *o = cJSON_CreateObject();
	if (o && !(json_str(o, "db", c->uri_shown) && json_str(o, "version", ipam_version()) &&
	           cJSON_AddBoolToObject(o, "encrypted", file != NULL))) {
		cJSON_Delete(o);
		o = NULL;
	}
	bool memory = strncmp(c->uri, "memory:", 7) == 0 || strncmp(c->uri, "index:", 6) == 0;
	snprintf(text, sizeof text, "initialized %.200s (%s, libipam %s)", c->uri_shown,
	         file ? "encrypted" : memory ? "in memory, gone at exit" : "on the server", ipam_version());
	return out_item(c, K_TEXT, o, text);
}

/* ---- spaces ---- */

static int show_space(struct ctl *c, const char *name)
{
	ipam_space_info info = IPAM_SPACE_INFO_INIT;
	int rc = ipam_space_get(&info, c->db, name);
	if (rc)
		return fail_lib(c, rc, NULL);
	int st = out_item(c, K_SPACE, json_space(&info), NULL);
	ipam_space_info_dispose(&info);
	return st;
}

int cmd_space_add(struct ctl *c, const struct args *a)
{
	char *labels;
	int st = arg_kv_json(c, &labels, a, OPT_LABEL);
	if (st)
		return st;
	int rc = ipam_space_add(c->db, a->pos[0], labels);
	free(labels);
	if (rc)
		return fail_lib(c, rc, NULL);
	return show_space(c, a->pos[0]);
}

int cmd_space_list(struct ctl *c, const struct args *a)
{
	(void)a;
	ipam_space_iter *it = NULL;
	int rc = ipam_space_iter_new(&it, c->db);
	if (rc)
		return fail_lib(c, rc, NULL);
	ipam_space_info info = IPAM_SPACE_INFO_INIT;
	int st = ST_OK;
	out_list_begin(c, K_SPACE);
	while (st == ST_OK && (rc = ipam_space_iter_next(&info, it)) == 0)
		st = out_list_add(c, json_space(&info));
	if (st == ST_OK && rc != IPAM_ITEROVER)
		st = fail_lib(c, rc, NULL);
	ipam_space_info_dispose(&info);
	ipam_space_iter_free(it);
	return st;
}

int cmd_space_rm(struct ctl *c, const struct args *a)
{
	int rc = ipam_space_rm(c->db, a->pos[0]);
	if (rc)
		return fail_lib(c, rc, NULL);
	char text[300];
	cJSON *o = cJSON_CreateObject();
	if (o && !(cJSON_AddBoolToObject(o, "removed", 1) && json_str(o, "space", a->pos[0]))) {
		cJSON_Delete(o);
		o = NULL;
	}
	snprintf(text, sizeof text, "removed space %.200s", a->pos[0]);
	return out_item(c, K_TEXT, o, text);
}

/* ---- ranges ---- */

static int range_bounds(struct ctl *c, const struct args *a, ipam_addr *first, ipam_addr *last)
{
	int st = arg_addr(c, first, a->pos[0], NULL);
	if (st == ST_OK)
		st = arg_addr(c, last, a->pos[1], NULL);
	return st;
}

int cmd_range_add(struct ctl *c, const struct args *a)
{
	ipam_range_options opts = IPAM_RANGE_OPTIONS_INIT;
	ipam_addr first, last;
	char *attrs = NULL;
	int st;

	if (!a->val[OPT_PURPOSE])
		return fail_usage(c, "range add: option --purpose is required");
	if ((st = range_bounds(c, a, &first, &last)) || (st = arg_purpose(c, &opts.purpose, a->val[OPT_PURPOSE])) ||
	    (st = arg_kv_json(c, &attrs, a, OPT_ATTR)))
		return st;
	opts.space = a->val[OPT_SPACE];
	opts.description = a->val[OPT_DESCRIPTION];
	opts.attrs_json = attrs;
	int rc = ipam_range_add(c->db, &first, &last, &opts);
	if (rc) {
		free(attrs);
		return fail_lib(c, rc, NULL);
	}
	/* There is no range lookup; show what was stored from the input. */
	ipam_range_info info = { .version = IPAM_RANGE_INFO_VERSION };
	info.space = (char *)space_or_default(opts.space);
	info.first = first;
	info.last = last;
	info.purpose = opts.purpose;
	info.description = (char *)opts.description;
	info.attrs_json = attrs;
	st = out_item(c, K_RANGE, json_range_info(&info), NULL);
	free(attrs);
	return st;
}

int cmd_range_list(struct ctl *c, const struct args *a)
{
	ipam_range_query q = IPAM_RANGE_QUERY_INIT;
	ipam_prefix within;
	int st;

	q.space = a->val[OPT_SPACE];
	if (a->val[OPT_WITHIN]) {
		if ((st = arg_prefix(c, &within, a->val[OPT_WITHIN], "--within")))
			return st;
		q.within = &within;
	}
	ipam_range_iter *it = NULL;
	int rc = ipam_range_iter_new(&it, c->db, &q);
	if (rc)
		return fail_lib(c, rc, NULL);
	ipam_range_info info = { .version = IPAM_RANGE_INFO_VERSION };
	st = ST_OK;
	out_list_begin(c, K_RANGE);
	while (st == ST_OK && (rc = ipam_range_iter_next(&info, it)) == 0)
		st = out_list_add(c, json_range_info(&info));
	if (st == ST_OK && rc != IPAM_ITEROVER)
		st = fail_lib(c, rc, NULL);
	ipam_range_info_dispose(&info);
	ipam_range_iter_free(it);
	return st;
}

int cmd_range_rm(struct ctl *c, const struct args *a)
{
	ipam_addr first, last;
	int st = range_bounds(c, a, &first, &last);
	if (st)
		return st;
	int rc = ipam_range_rm(c->db, a->val[OPT_SPACE], &first, &last);
	if (rc)
		return fail_lib(c, rc, NULL);
	char text[400];
	cJSON *o = cJSON_CreateObject();
	if (o && !(cJSON_AddBoolToObject(o, "removed", 1) && json_addr(o, "first", &first) &&
	           json_addr(o, "last", &last) && json_str(o, "space", space_or_default(a->val[OPT_SPACE])))) {
		cJSON_Delete(o);
		o = NULL;
	}
	char f[IPAM_ADDR_STRLEN], l[IPAM_ADDR_STRLEN];
	ipam_addr_format(f, sizeof f, &first);
	ipam_addr_format(l, sizeof l, &last);
	snprintf(text, sizeof text, "removed range %s-%s from space %.200s", f, l, space_or_default(a->val[OPT_SPACE]));
	return out_item(c, K_TEXT, o, text);
}
