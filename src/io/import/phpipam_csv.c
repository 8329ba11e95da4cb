/* phpIPAM's CSV imports (Administration > Import): the subnets file
 * (Section, Subnet [+ Mask: a length or a dotted netmask], Description,
 * VLAN, Domain, VRF, custom fields) and the addresses file (Section, IP
 * address, Hostname, Description, VRF, Subnet, MAC, Owner, Device, Note,
 * Tag, Is_Gateway, custom fields), ',' or ';' as phpIPAM guesses from the
 * header. phpIPAM matches the VRF column against a VRF's name or its RD;
 * with no phpIPAM database here, a VRF given by its RD is the VRF that a
 * row of the same section and subnet names (so the two files agree), else
 * a space named as the RD. Empty or "default" is the global VRF. phpIPAM
 * reads the files a line at a time, so a quoted line break is refused, as
 * is a subnet with host bits set. Both files are read in the finish step,
 * so they may come in any order. */
#include "io/import/imp.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define get ipam__imp_row_get
#define bad ipam__imp_row_bad

typedef struct pcsv {
	int pass;     /* 1: collect the VRF names and RDs; 2: map */
	cJSON *names; /* "section\nsubnet" -> VRF name */
	cJSON *rds;   /* RD -> VRF name (after pass 1); during pass 1 "section\nsubnet" -> RD */
} pcsv;

static int is_address_file(const char *const *hdr, size_t n)
{
	return ipam__csv_col(hdr, n, "IP address") >= 0;
}

static const char *header_ok(const char *const *hdr, size_t n, void *ctx)
{
	(void)ctx;
	return ipam__csv_col(hdr, n, "Subnet") < 0 && !is_address_file(hdr, n)
	               ? "it names neither 'Subnet' (subnets) nor 'IP address' (addresses)"
	               : NULL;
}

static int looks_rd(const char *s)
{
	const char *colon = strchr(s, ':');
	if (!colon || colon == s || !colon[1])
		return 0;
	for (const char *p = s; *p; p++)
		if (p != colon && !((*p >= '0' && *p <= '9') || (*p == '.' && p < colon)))
			return 0;
	return 1;
}

/* The row's subnet as a prefix: "a/len", or Subnet + Mask. 0, or -1 with
 * the field at fault in *field. */
static int row_subnet(const ipam__imp_row *r, ipam_prefix *out, const char **field, int strict)
{
	const char *s = get(r, "Subnet"), *mk = strict ? get(r, "Mask") : "";
	ipam_addr a;
	int len;
	*field = "Subnet";
	if (ipam__imp_addr(&a, &len, s))
		return -1;
	if (len < 0) {
		char *end;
		*field = "Mask";
		if (!*mk)
			return -1;
		long l = strtol(mk, &end, 10);
		if (!*end)
			len = l < 0 || l > (a.family == IPAM_AF_INET ? 32 : 128) ? -1 : (int)l;
		else if (a.family == IPAM_AF_INET)
			len = ipam__imp_netmask(mk);
		if (len < 0)
			return -1;
	}
	if (ipam_prefix_from(out, &a, (unsigned)len, 0)) {
		*field = "Subnet";
		return -2;
	}
	return 0;
}

/* "section\nsubnet" for the VRF links. */
static void link_key(char *out, size_t size, const ipam__imp_row *r, const ipam_prefix *p)
{
	char pt[64];
	ipam_prefix_format(pt, sizeof pt, p);
	snprintf(out, size, "%.400s\n%s", get(r, "Section"), pt);
}

/* The space of a VRF value (NULL: global); a space item for it. */
static int vrf_space(ipam__imp_model *m, const pcsv *c, const ipam__imp_row *r, const char **out)
{
	const char *v = get(r, "VRF"), *rd = NULL;
	int is_new;
	*out = NULL;
	if (!*v || !strcasecmp(v, "default"))
		return 0;
	if (looks_rd(v)) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(c->rds, v);
		rd = v;
		if (cJSON_IsString(n))
			v = n->valuestring;
	}
	ipam__imp_item *s = ipam__imp_get(m, IMP_SPACE, NULL, v, r->file, r->line, &is_new);
	if (!s)
		return IPAM_ENOMEM;
	int rc = ipam__imp_set(&s->name, v);
	*out = s->name;
	return rc ? rc : ipam__imp_set(&s->rd, rd);
}

/* Pass 1: what VRF a (section, subnet) names, and which RDs appear. */
static int collect(pcsv *c, const ipam__imp_row *r, const ipam_prefix *p)
{
	const char *v = get(r, "VRF");
	char key[512];
	if (!*v || !strcasecmp(v, "default"))
		return 0;
	link_key(key, sizeof key, r, p);
	cJSON *map = looks_rd(v) ? c->rds : c->names;
	if (cJSON_GetObjectItemCaseSensitive(map, key))
		return 0;
	return ipam__imp_attr_str(map, key, v);
}

/* The columns every row reads itself; others are attributes as named. */
static int own(const char *col)
{
	static const char *const cols[] = { "Section", "Subnet", "Mask", "Description", "VLAN", "Domain", "VRF",
		                            "IP address", "Hostname", "MAC", "Owner", "Device", "Note", "Tag",
		                            "Is_Gateway", NULL };
	for (size_t i = 0; cols[i]; i++)
		if (!strcasecmp(col, cols[i]))
			return 1;
	return 0;
}

static int customs(ipam__imp_item *it, const ipam__imp_row *r)
{
	int rc = ipam__imp_attr_str(it->attrs, "section", get(r, "Section"));
	for (size_t i = 0; i < r->n && !rc; i++)
		if (*r->vals[i] && !own(r->keys[i]))
			rc = ipam__imp_attr_str(it->attrs, r->keys[i], r->vals[i]);
	return rc;
}

static int subnet_row(ipam__imp_model *m, pcsv *c, const ipam__imp_row *r)
{
	ipam_prefix p;
	const char *field;
	int k = row_subnet(r, &p, &field, 1);
	if (k)
		return c->pass == 1 ? 0
		                    : bad(m, r, field,
		                          k == -2 ? "host bits set for this mask (phpIPAM refuses such a subnet)"
		                                  : "not a subnet (an address with a length or a Mask)");
	if (c->pass == 1)
		return collect(c, r, &p);
	long vlan = -1;
	const char *vs = get(r, "VLAN");
	if (*vs) {
		char *end;
		vlan = strtol(vs, &end, 10);
		if (*end || vlan < 1 || vlan > 4094)
			return bad(m, r, "VLAN", "not a VLAN number (1-4094)");
	}
	const char *sp;
	char key[64];
	int is_new, rc = vrf_space(m, c, r, &sp);
	if (rc)
		return rc;
	ipam_prefix_format(key, sizeof key, &p);
	ipam__imp_item *it = ipam__imp_get(m, IMP_PREFIX, sp, key, r->file, r->line, &is_new);
	if (!it)
		return IPAM_ENOMEM;
	it->prefix = p;
	if (vlan >= 0)
		it->vlan = vlan;
	if ((rc = ipam__imp_set(&it->kind, "network")) || (rc = ipam__imp_set(&it->description, get(r, "Description"))) ||
	    (rc = ipam__imp_attr_str(it->extra, "vlan_domain", get(r, "Domain"))) || (rc = customs(it, r)))
		return rc;
	m->rows++;
	return 0;
}

/* phpIPAM's stock tags, and the gateway flag. */
static const char *address_kind(const char *tag, int gateway, int has_mac)
{
	if (gateway)
		return "gateway";
	if (!strcasecmp(tag, "Offline"))
		return "offline";
	if (!strcasecmp(tag, "Reserved"))
		return has_mac ? "dhcp_reservation" : "reserved";
	if (!strcasecmp(tag, "DHCP"))
		return "dhcp_pool";
	return "static";
}

static int address_row(ipam__imp_model *m, pcsv *c, const ipam__imp_row *r)
{
	ipam_prefix p;
	ipam_addr a;
	ipam_mac mac;
	const char *field, *mt = get(r, "MAC"), *gw = get(r, "Is_Gateway");
	int has_subnet = *get(r, "Subnet") != '\0';
	if (has_subnet && row_subnet(r, &p, &field, 0))
		return c->pass == 1 ? 0 : bad(m, r, "Subnet", "not a subnet 'address/length'");
	if (c->pass == 1)
		return has_subnet ? collect(c, r, &p) : 0;
	if (ipam_addr_parse(&a, get(r, "IP address")))
		return bad(m, r, "IP address", "not an address");
	if (has_subnet && !ipam_prefix_contains(&p, &a))
		return bad(m, r, "IP address", "not inside the row's Subnet");
	if (*mt && ipam_mac_parse(&mac, mt))
		return bad(m, r, "MAC", "not a MAC address");
	int gateway = 0;
	if (*gw && (gateway = ipam__imp_bool(gw)) < 0)
		return bad(m, r, "Is_Gateway", "not 0 or 1");
	const char *sp;
	int rc = vrf_space(m, c, r, &sp);
	if (rc)
		return rc;
	ipam__imp_item *it = ipam__imp_address(m, sp, &a, *mt ? &mac : NULL, r->file, r->line);
	if (!it)
		return IPAM_ENOMEM;
	const char *tag = get(r, "Tag");
	static const char *const stock[] = { "", "Offline", "Used", "Reserved", "DHCP", NULL };
	int known = 0;
	for (size_t i = 0; stock[i]; i++)
		known |= !strcasecmp(tag, stock[i]);
	char pt[64] = "";
	if (has_subnet)
		ipam_prefix_format(pt, sizeof pt, &p);
	if ((rc = ipam__imp_set(&it->kind, address_kind(tag, gateway, *mt != '\0'))) ||
	    (rc = ipam__imp_set(&it->hostname, get(r, "Hostname"))) ||
	    (rc = ipam__imp_set(&it->description, get(r, "Description"))) || (rc = customs(it, r)) ||
	    (rc = ipam__imp_attr_str(it->attrs, "subnet", pt)) ||
	    (rc = ipam__imp_attr_str(it->attrs, "owner", get(r, "Owner"))) ||
	    (rc = ipam__imp_attr_str(it->attrs, "device", get(r, "Device"))) ||
	    (rc = ipam__imp_attr_str(it->attrs, "note", get(r, "Note"))) ||
	    (!known && (rc = ipam__imp_attr_str(it->attrs, "tag", tag))))
		return rc;
	m->rows++;
	return 0;
}

static int row(ipam__imp_model *m, const ipam__imp_row *r, void *ctx)
{
	pcsv *c = ctx;
	for (size_t i = 0; i < r->n; i++)
		if (strpbrk(r->vals[i], "\r\n"))
			return c->pass == 1 ? 0
			                    : ipam__imp_err(m, r->file, r->line, r->keys[i], r->vals[i],
			                                    "%s: a quoted line break (phpIPAM reads its CSV a line at a time)",
			                                    r->keys[i]);
	return is_address_file(r->keys, r->n) ? address_row(m, c, r) : subnet_row(m, c, r);
}

int ipam__imp_phpipam_csv(ipam__imp_model *m, const char *file, const char *data, size_t len)
{
	/* the header and the quoting now, so that a file of another format or
	 * a broken one is refused at once, not when the import is applied */
	ipam__csv csv;
	const char *why = NULL;
	ipam__csv_init(&csv, data, len, ipam__csv_sniff(data, len));
	int rc = ipam__csv_next(&csv), header = rc == 1;
	if (rc == 1 && !(why = header_ok(csv.fields, csv.nfields, NULL)))
		while ((rc = ipam__csv_next(&csv)) == 1)
			;
	ipam__csv_dispose(&csv);
	if (rc < 0)
		return ipam__imp_in_file(rc, file);
	if (why)
		return ipam__error(IPAM_EINVAL, "%s:1: not a phpIPAM CSV header: %s", file, why);
	if (!header)
		return ipam__error(IPAM_EINVAL, "%s: empty file: no phpIPAM CSV header", file);
	return ipam__imp_pending_add(m, file, data, len);
}

int ipam__imp_phpipam_csv_finish(ipam__imp_model *m)
{
	pcsv c = { 1, cJSON_CreateObject(), cJSON_CreateObject() };
	ipam__imp_model scratch;
	int rc = c.names && c.rds ? 0 : ipam__enomem();
	ipam__imp_model_init(&scratch);
	/* pass 1 into a scratch model: its errors are reported by pass 2 */
	for (size_t i = 0; i < m->npending && !rc; i++) {
		const ipam__imp_pending *f = &m->pending[i];
		rc = ipam__imp_csv_rows(&scratch, f->file, f->data, f->len, ipam__csv_sniff(f->data, f->len),
		                        "phpIPAM CSV", header_ok, row, &c);
	}
	ipam__imp_model_dispose(&scratch);
	/* each RD to the name a row of the same section and subnet gives */
	cJSON *byrd = rc ? NULL : cJSON_CreateObject();
	const cJSON *e;
	if (!rc && !byrd)
		rc = ipam__enomem();
	cJSON_ArrayForEach(e, (rc ? NULL : c.rds))
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(c.names, e->string);
		if (n && !cJSON_GetObjectItemCaseSensitive(byrd, e->valuestring) &&
		    (rc = ipam__imp_attr_str(byrd, e->valuestring, n->valuestring)))
			break;
	}
	cJSON_Delete(c.rds);
	c.rds = byrd;
	c.pass = 2;
	for (size_t i = 0; i < m->npending && !rc; i++) {
		const ipam__imp_pending *f = &m->pending[i];
		rc = ipam__imp_csv_rows(m, f->file, f->data, f->len, ipam__csv_sniff(f->data, f->len), "phpIPAM CSV",
		                        header_ok, row, &c);
	}
	cJSON_Delete(c.names);
	cJSON_Delete(c.rds);
	ipam__imp_pending_clear(m);
	return rc;
}
