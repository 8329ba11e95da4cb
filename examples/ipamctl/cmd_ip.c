/* Commands: ip *. */
#include "ipamctl.h"

#include <stdlib.h>
#include <string.h>

/* The address as stored; with `dns` (the report the call that stored it
 * filled in, when it was given a host name) also what DNS made of it:
 * {"records": [...], "notes": [...]} under "dns", and on a terminal the
 * notes ("; no forward zone holds ...") under the line. */
static int show_ip(struct ctl *c, const char *space, const ipam_addr *addr, const ipam_buf *dns)
{
	ipam_ip_info info = { .version = IPAM_IP_INFO_VERSION };
	int rc = ipam_ip_get(&info, c->db, space, addr);
	if (rc)
		return fail_lib(c, rc, NULL);
	cJSON *o = json_ip_info(&info);
	ipam_ip_info_dispose(&info);
	cJSON *d = NULL;
	if (dns && dns->ptr && o) {
		d = cJSON_Parse(dns->ptr);
		cJSON_DeleteItemFromObjectCaseSensitive(d, "address");
		cJSON_DeleteItemFromObjectCaseSensitive(d, "space");
		if (!d || !cJSON_AddItemReferenceToObject(o, "dns", d)) {
			cJSON_Delete(d);
			cJSON_Delete(o);
			return fail_nomem(c);
		}
	}
	int st = out_item(c, K_IP, o, NULL);
	const cJSON *notes = cJSON_GetObjectItemCaseSensitive(d, "notes");
	for (const cJSON *x = notes ? notes->child : NULL; !st && !c->json && !c->batch && x; x = x->next)
		fprintf(c->out, "; %s\n", x->valuestring);
	cJSON_Delete(d);
	return st;
}

/* The options shared by ip alloc and ip add. *attrs is to be freed. */
static int ip_options(struct ctl *c, const struct args *a, ipam_ip_options *opts, char **attrs)
{
	int st;
	*attrs = NULL;
	if (a->val[OPT_STATUS] && (st = arg_ip_status(c, &opts->status, a->val[OPT_STATUS])))
		return st;
	if (a->val[OPT_MAC] && *a->val[OPT_MAC]) { /* checked here too, so that the message names the option */
		ipam_mac mac;
		int rc = ipam_mac_parse(&mac, a->val[OPT_MAC]);
		if (rc)
			return fail_lib(c, rc, "--mac");
	}
	if ((st = arg_kv_json(c, attrs, a, OPT_ATTR)))
		return st;
	opts->space = a->val[OPT_SPACE];
	opts->hostname = a->val[OPT_HOSTNAME];
	opts->mac = a->val[OPT_MAC];
	opts->description = a->val[OPT_DESCRIPTION];
	opts->attrs_json = *attrs;
	return ST_OK;
}

/* ip alloc PREFIX and ip add ADDR: the address, and with a host name what
 * DNS made of it (the call's own report). */
static int ip_new(struct ctl *c, const struct args *a, bool alloc)
{
	ipam_ip_options opts = IPAM_IP_OPTIONS_INIT;
	ipam_prefix within;
	ipam_addr addr;
	char *attrs;
	int st = alloc ? arg_prefix(c, &within, a->pos[0], NULL) : arg_addr(c, &addr, a->pos[0], NULL);
	if (st || (st = ip_options(c, a, &opts, &attrs)))
		return st;
	ipam_buf dns = IPAM_BUF_INIT;
	if (opts.hostname)
		opts.dns_report = &dns;
	int rc = alloc ? ipam_ip_alloc(&addr, c->db, &within, &opts) : ipam_ip_add(c->db, &addr, &opts);
	free(attrs);
	st = rc ? fail_lib(c, rc, NULL) : show_ip(c, opts.space, &addr, &dns);
	ipam_buf_dispose(&dns);
	return st;
}

int cmd_ip_alloc(struct ctl *c, const struct args *a)
{
	return ip_new(c, a, true);
}

int cmd_ip_add(struct ctl *c, const struct args *a)
{
	return ip_new(c, a, false);
}

/* ip set ADDR: the options given change, the others stay; an empty value
 * (--hostname '') clears that field. */
int cmd_ip_set(struct ctl *c, const struct args *a)
{
	ipam_ip_options opts = IPAM_IP_OPTIONS_INIT;
	ipam_addr addr;
	char *attrs;
	int st;

	if ((st = arg_addr(c, &addr, a->pos[0], NULL)) || (st = ip_options(c, a, &opts, &attrs)))
		return st;
	static const struct {
		enum opt_id opt;
		unsigned field;
	} map[] = { { OPT_HOSTNAME, IPAM_IP_SET_HOSTNAME },
		    { OPT_MAC, IPAM_IP_SET_MAC },
		    { OPT_DESCRIPTION, IPAM_IP_SET_DESCRIPTION },
		    { OPT_STATUS, IPAM_IP_SET_STATUS } };
	unsigned fields = a->nkv ? IPAM_IP_SET_ATTRS : 0;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (a->val[map[i].opt])
			fields |= map[i].field;
	if (!fields) {
		free(attrs);
		return fail_inval(c, "ip set: nothing to change (give --hostname, --mac, --description, --status or --attr)");
	}
	/* an empty value clears */
	if (opts.hostname && !*opts.hostname)
		opts.hostname = NULL;
	if (opts.mac && !*opts.mac)
		opts.mac = NULL;
	if (opts.description && !*opts.description)
		opts.description = NULL;
	ipam_buf dns = IPAM_BUF_INIT;
	opts.dns_report = &dns;
	int rc = ipam_ip_update(c->db, &addr, fields, &opts);
	free(attrs);
	st = rc ? fail_lib(c, rc, NULL) : show_ip(c, opts.space, &addr, (fields & IPAM_IP_SET_HOSTNAME) ? &dns : NULL);
	ipam_buf_dispose(&dns);
	return st;
}

int cmd_ip_release(struct ctl *c, const struct args *a)
{
	ipam_addr addr;
	int st = arg_addr(c, &addr, a->pos[0], NULL);
	if (st)
		return st;
	int rc = ipam_ip_release(c->db, a->val[OPT_SPACE], &addr);
	if (rc)
		return fail_lib(c, rc, NULL);
	char text[IPAM_ADDR_STRLEN + 300], atext[IPAM_ADDR_STRLEN];
	ipam_addr_format(atext, sizeof atext, &addr);
	cJSON *o = cJSON_CreateObject();
	if (o && !(cJSON_AddBoolToObject(o, "released", 1) && json_addr(o, "address", &addr) &&
	           json_str(o, "space", space_or_default(a->val[OPT_SPACE])))) {
		cJSON_Delete(o);
		o = NULL;
	}
	snprintf(text, sizeof text, "released %s in space %.200s", atext, space_or_default(a->val[OPT_SPACE]));
	return out_item(c, K_TEXT, o, text);
}

int cmd_ip_list(struct ctl *c, const struct args *a)
{
	ipam_ip_query q = IPAM_IP_QUERY_INIT;
	ipam_prefix within;
	int st;

	q.space = a->val[OPT_SPACE];
	if (a->val[OPT_WITHIN]) {
		if ((st = arg_prefix(c, &within, a->val[OPT_WITHIN], "--within")))
			return st;
		q.within = &within;
	}
	ipam_ip_iter *it = NULL;
	int rc = ipam_ip_iter_new(&it, c->db, &q);
	if (rc)
		return fail_lib(c, rc, NULL);
	ipam_ip_info info = { .version = IPAM_IP_INFO_VERSION };
	st = ST_OK;
	out_list_begin(c, K_IP);
	while (st == ST_OK && (rc = ipam_ip_iter_next(&info, it)) == 0)
		st = out_list_add(c, json_ip_info(&info));
	if (st == ST_OK && rc != IPAM_ITEROVER)
		st = fail_lib(c, rc, NULL);
	ipam_ip_info_dispose(&info);
	ipam_ip_iter_free(it);
	return st;
}

int cmd_ip_show(struct ctl *c, const struct args *a)
{
	ipam_addr addr;
	int st = arg_addr(c, &addr, a->pos[0], NULL);
	if (st)
		return st;
	return show_ip(c, a->val[OPT_SPACE], &addr, NULL);
}
