/* Azure Resource Manager and Google Compute answers (JSON) turned into
 * observations. Pure (no I/O) and fuzzed (fuzz/discover_cloud_fuzzer.c):
 * every field is checked for its type, every address and prefix parsed,
 * and a problem is IPAM_EINVAL naming the answer, the item and the field. */
#include "discover/disc.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* The string at a dotted path ("properties.macAddress"), or NULL. */
static const char *str_at(const cJSON *o, const char *path)
{
	char key[64];
	while (o && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof key)
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = cJSON_GetObjectItemCaseSensitive(o, key);
		path += n + (path[n] == '.');
	}
	return o && cJSON_IsString(o) ? o->valuestring : NULL;
}

static const cJSON *arr_at(const cJSON *o, const char *key)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsArray(a) ? a : NULL;
}

static int bad(const char *what, size_t item, const char *field, const char *why)
{
	return ipam__error(IPAM_EINVAL, "%s: item %zu: %s: %s", what, item, field, why);
}

/* The last path segment of a URL or resource id ("…/networks/default"). */
static const char *last_seg(const char *s)
{
	const char *slash = s ? strrchr(s, '/') : NULL;
	return slash ? slash + 1 : s;
}

/* The segment after `key` in an ARM resource id (".../resourceGroups/RG/..."),
 * into out; 0 or -1. */
static int arm_seg(char *out, size_t size, const char *id, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = id; p && (p = strchr(p, '/'));) {
		p++;
		if (strncasecmp(p, key, kl) == 0 && p[kl] == '/') {
			const char *v = p + kl + 1;
			size_t n = strcspn(v, "/");
			if (!n || n >= size)
				return -1;
			memcpy(out, v, n);
			out[n] = '\0';
			return 0;
		}
	}
	return -1;
}

static int space_for(ipam__disc_cloud *c, char *out, size_t size, const char *provider, const char *a, const char *b,
		     const char *region, const char *what, size_t item)
{
	int w;
	if (strcmp(provider, "azure") == 0)
		w = snprintf(out, size, "azure/%.8s/%s/%s", c->account, a, b);
	else
		w = snprintf(out, size, "gcp/%s/%s", c->account, b);
	if (w < 0 || (size_t)w >= size || !ipam__disc_space_name_ok(out))
		return bad(what, item, "name", "names that make no space name (1..63 of letters, digits, -_.:/)");
	const char *labels_az[] = { "provider", "azure", "account", c->account, "resource_group", a, "region",
				    region ? region : "", "vnet", b, NULL };
	const char *labels_gcp[] = { "provider", "gcp", "account", c->account, "network", b, NULL };
	return ipam__disc_space_note(&c->spaces, out, strcmp(provider, "azure") == 0 ? labels_az : labels_gcp);
}

static int add(ipam__disc_cloud *c, const char *space, int subnet, const char *text, const ipam_mac *mac,
	       const char *name, const char *device, const char *what, size_t item, const char *field)
{
	ipam_observation o = IPAM_OBSERVATION_INIT;
	o.space = space;
	o.source = c->provider;
	o.name = name;
	o.device = device;
	o.first_seen = o.last_seen = c->now;
	if (subnet) {
		o.kind = IPAM_OBS_SUBNET;
		if (ipam_prefix_parse(&o.subnet, text, 0) != 0)
			return bad(what, item, field, "not a prefix");
	} else if (ipam_addr_parse(&o.addr, text) != 0) {
		return bad(what, item, field, "not an address");
	}
	if (mac) {
		o.has_mac = 1;
		o.mac = *mac;
	}
	return ipam_obs_set_add(c->out, &o);
}

/* Every string of an array of prefixes, as subnets. */
static int add_all(ipam__disc_cloud *c, const char *space, const cJSON *arr, const char *device, const char *what,
		   size_t item, const char *field)
{
	const cJSON *p;
	cJSON_ArrayForEach(p, arr)
	{
		int rc = cJSON_IsString(p) ? add(c, space, 1, p->valuestring, NULL, NULL, device, what, item, field)
					   : bad(what, item, field, "not a string");
		if (rc)
			return rc;
	}
	return 0;
}

static int next_of(ipam__disc_cloud *c, const cJSON *doc, const char *key)
{
	free(c->next);
	c->next = NULL;
	const char *n = str_at(doc, key);
	if (n && *n && !(c->next = ipam__strdup(n)))
		return IPAM_ENOMEM;
	return 0;
}

static int azure_vnets(ipam__disc_cloud *c, const cJSON *doc, const char *what)
{
	const cJSON *v = arr_at(doc, "value"), *it;
	if (!v)
		return ipam__error(IPAM_EINVAL, "%s: no \"value\" array", what);
	size_t i = 0;
	cJSON_ArrayForEach(it, v)
	{
		const char *name = str_at(it, "name"), *id = str_at(it, "id");
		char rg[96], space[80];
		if (!name || !id || arm_seg(rg, sizeof rg, id, "resourceGroups"))
			return bad(what, i, "id", "no resource group in the id, or no name");
		int rc = space_for(c, space, sizeof space, "azure", rg, name, str_at(it, "location"), what, i);
		const cJSON *props = cJSON_GetObjectItemCaseSensitive(it, "properties"), *sn;
		const cJSON *prefixes = arr_at(cJSON_GetObjectItemCaseSensitive(props, "addressSpace"), "addressPrefixes");
		if (!rc)
			rc = add_all(c, space, prefixes, name, what, i, "addressSpace.addressPrefixes");
		const cJSON *subnets = arr_at(props, "subnets");
		cJSON_ArrayForEach(sn, subnets)
		{
			const char *sname = str_at(sn, "name"), *one = str_at(sn, "properties.addressPrefix");
			if (!rc && one)
				rc = add(c, space, 1, one, NULL, NULL, sname, what, i, "subnets.properties.addressPrefix");
			const cJSON *more = arr_at(cJSON_GetObjectItemCaseSensitive(sn, "properties"), "addressPrefixes");
			if (!rc)
				rc = add_all(c, space, more, sname, what, i, "subnets.properties.addressPrefixes");
		}
		if (rc)
			return rc;
		i++;
	}
	return next_of(c, doc, "nextLink");
}

static int azure_nics(ipam__disc_cloud *c, const cJSON *doc, const char *what)
{
	const cJSON *v = arr_at(doc, "value"), *it, *ipc;
	if (!v)
		return ipam__error(IPAM_EINVAL, "%s: no \"value\" array", what);
	size_t i = 0;
	cJSON_ArrayForEach(it, v)
	{
		const char *name = str_at(it, "name"), *mactext = str_at(it, "properties.macAddress");
		ipam_mac mac;
		if (mactext && *mactext && ipam_mac_parse(&mac, mactext) != 0)
			return bad(what, i, "properties.macAddress", "not a MAC");
		const cJSON *ipcs = arr_at(cJSON_GetObjectItemCaseSensitive(it, "properties"), "ipConfigurations");
		cJSON_ArrayForEach(ipc, ipcs)
		{
			const char *ip = str_at(ipc, "properties.privateIPAddress");
			const char *subnet = str_at(ipc, "properties.subnet.id");
			char rg[96], vnet[96], space[80];
			if (!ip)
				continue;
			if (!subnet || arm_seg(rg, sizeof rg, subnet, "resourceGroups") ||
			    arm_seg(vnet, sizeof vnet, subnet, "virtualNetworks"))
				return bad(what, i, "ipConfigurations.properties.subnet.id", "no virtual network in it");
			int rc = space_for(c, space, sizeof space, "azure", rg, vnet, str_at(it, "location"), what, i);
			if (!rc)
				rc = add(c, space, 0, ip, mactext && *mactext ? &mac : NULL, NULL, name, what, i,
					 "ipConfigurations.properties.privateIPAddress");
			if (rc)
				return rc;
		}
		i++;
	}
	return next_of(c, doc, "nextLink");
}

/* Google's aggregated lists: {"items": {"regions/x": {"KEY": [...]}, ...}};
 * plain lists: {"items": [...]}. Calls fn for each element. */
static int gcp_each(ipam__disc_cloud *c, const cJSON *doc, const char *key, const char *what,
		    int (*fn)(ipam__disc_cloud *c, const cJSON *it, const char *what, size_t i))
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, "items"), *scope, *it;
	size_t i = 0;
	int rc = 0;
	if (cJSON_IsArray(items)) {
		cJSON_ArrayForEach(it, items)
		{
			if (!rc)
				rc = fn(c, it, what, i++);
		}
	} else if (cJSON_IsObject(items)) {
		cJSON_ArrayForEach(scope, items)
		{
			const cJSON *list = arr_at(scope, key);
			cJSON_ArrayForEach(it, list)
			{
				if (!rc)
					rc = fn(c, it, what, i++);
			}
		}
	} else if (items) {
		return ipam__error(IPAM_EINVAL, "%s: \"items\" is neither a list nor a map", what);
	}
	return rc ? rc : next_of(c, doc, "nextPageToken");
}

static int gcp_network(ipam__disc_cloud *c, const cJSON *it, const char *what, size_t i)
{
	char space[80];
	const char *name = str_at(it, "name");
	if (!name)
		return bad(what, i, "name", "missing");
	int rc = space_for(c, space, sizeof space, "gcp", NULL, name, NULL, what, i);
	const char *legacy = str_at(it, "IPv4Range");
	return rc ? rc : legacy ? add(c, space, 1, legacy, NULL, NULL, name, what, i, "IPv4Range") : 0;
}

static int gcp_subnet(ipam__disc_cloud *c, const cJSON *it, const char *what, size_t i)
{
	char space[80];
	const char *name = str_at(it, "name"), *net = last_seg(str_at(it, "network"));
	if (!name || !net)
		return bad(what, i, "network", "missing");
	int rc = space_for(c, space, sizeof space, "gcp", NULL, net, NULL, what, i);
	const char *prim = str_at(it, "ipCidrRange"), *v6 = str_at(it, "ipv6CidrRange");
	if (!rc && prim)
		rc = add(c, space, 1, prim, NULL, NULL, name, what, i, "ipCidrRange");
	if (!rc && v6)
		rc = add(c, space, 1, v6, NULL, NULL, name, what, i, "ipv6CidrRange");
	const cJSON *sec, *secs = arr_at(it, "secondaryIpRanges");
	cJSON_ArrayForEach(sec, secs)
	{
		const char *r = str_at(sec, "ipCidrRange");
		if (!rc && r)
			rc = add(c, space, 1, r, NULL, NULL, name, what, i, "secondaryIpRanges.ipCidrRange");
	}
	return rc;
}

static int gcp_instance(ipam__disc_cloud *c, const cJSON *it, const char *what, size_t i)
{
	const char *name = str_at(it, "name");
	const cJSON *nic, *nics = arr_at(it, "networkInterfaces");
	int rc = 0;
	cJSON_ArrayForEach(nic, nics)
	{
		char space[80];
		const char *net = last_seg(str_at(nic, "network")), *ip = str_at(nic, "networkIP"),
			   *v6 = str_at(nic, "ipv6Address");
		if (!net)
			return bad(what, i, "networkInterfaces.network", "missing");
		if (!rc)
			rc = space_for(c, space, sizeof space, "gcp", NULL, net, NULL, what, i);
		if (!rc && ip)
			rc = add(c, space, 0, ip, NULL, name, str_at(nic, "name"), what, i, "networkInterfaces.networkIP");
		if (!rc && v6)
			rc = add(c, space, 0, v6, NULL, name, str_at(nic, "name"), what, i,
				 "networkInterfaces.ipv6Address");
	}
	return rc;
}

int ipam__disc_cloud_parse(ipam__disc_cloud *c, int kind, const struct cJSON *doc, const char *what)
{
	if (!cJSON_IsObject(doc))
		return ipam__error(IPAM_EINVAL, "%s: not a JSON object", what);
	switch (kind) {
	case IPAM__AZ_VNETS:
		return azure_vnets(c, doc, what);
	case IPAM__AZ_NICS:
		return azure_nics(c, doc, what);
	case IPAM__GCP_NETWORKS:
		return gcp_each(c, doc, "networks", what, gcp_network);
	case IPAM__GCP_SUBNETS:
		return gcp_each(c, doc, "subnetworks", what, gcp_subnet);
	case IPAM__GCP_INSTANCES:
		return gcp_each(c, doc, "instances", what, gcp_instance);
	default:
		return ipam__error(IPAM_EINVAL, "%s: unknown listing %d", what, kind);
	}
}
