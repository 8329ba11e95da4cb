package ipam

/*
#include <ipam.h>
#include <stdlib.h>
*/
import "C"

import (
	"context"
	"encoding/json"
	"net/netip"
	"runtime"
	"strings"
	"time"
	"unsafe"
)

// SerialPolicy is how a zone's SOA serial moves when its content changed.
type SerialPolicy int

// The serial policies.
const (
	SerialDate      SerialPolicy = C.IPAM_SERIAL_DATE      // YYYYMMDDnn (RFC 1912), the default
	SerialIncrement SerialPolicy = C.IPAM_SERIAL_INCREMENT // the old serial + 1
)

// ZoneOptions of AddZone. NS is required unless Template gives it.
type ZoneOptions struct {
	View                            string   // the DNS view; "": "default"
	Space                           string   // the space whose addresses give derived records; "": "default"
	NoDerive                        bool     // hand records only, nothing derived from addresses
	NS                              []string // the apex name servers, absolute names
	MName                           string   // SOA MNAME; "": the first name server
	RName                           string   // SOA RNAME ("hostmaster.example.com."); "": hostmaster.ZONE
	TTL                             uint32   // default TTL; 0: 3600
	Refresh, Retry, Expire, Minimum uint32   // SOA timers; 0: the defaults
	SerialPolicy                    SerialPolicy
	Template                        string // a zone template whose settings and records the zone takes
	// RefuseUnknownAddresses refuses a hand A, AAAA or PTR record of an
	// address the zone's space does not have (else it is taken and flagged).
	RefuseUnknownAddresses bool
}

// Zone is a stored zone's settings and counts, as ipam_zone_list and
// ipam_zone_show give them.
type Zone struct {
	Name                   string   `json:"zone"` // absolute: "example.com."
	View                   string   `json:"view"`
	Space                  string   `json:"space"`
	Derive                 bool     `json:"derive"`
	RefuseUnknownAddresses bool     `json:"refuse_unknown_addresses"`
	Serial                 uint32   `json:"serial"`
	SerialPolicy           string   `json:"serial_policy"` // "date" or "increment"
	TTL                    uint32   `json:"ttl"`
	MName                  string   `json:"mname"`
	RName                  string   `json:"rname"`
	NS                     []string `json:"ns"`
	Template               string   `json:"template,omitempty"`
	HandRecords            int      `json:"hand_records"`
	DerivedRecords         int      `json:"derived_records"`
}

// ZoneRecord is one record of a zone in presentation format, and where it
// comes from: "hand", "address" (derived from an address) or "zone" (the
// apex name servers of the zone's settings).
type ZoneRecord struct {
	Record string
	Source string
}

// UnmarshalJSON reads the library's ["record", "source"] pair (or the
// {"record", "source"} object).
func (r *ZoneRecord) UnmarshalJSON(b []byte) error {
	var pair []string
	if json.Unmarshal(b, &pair) == nil && len(pair) == 2 {
		r.Record, r.Source = pair[0], pair[1]
		return nil
	}
	var obj struct{ Record, Source string }
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	r.Record, r.Source = obj.Record, obj.Source
	return nil
}

// ZoneDetail is a zone with every record, in canonical order.
type ZoneDetail struct {
	Zone
	Records []ZoneRecord `json:"records"`
	Flags   []string     `json:"flags,omitempty"` // what is odd about it (hand records of unknown addresses)
}

// ZoneTemplate is what many zones share (SetZoneTemplate): settings and
// standard records relative to each zone ("@ MX 10 mail.example.net.").
type ZoneTemplate struct {
	NS                                   []string
	MName, RName                         string
	TTL, Refresh, Retry, Expire, Minimum uint32 // 0: not set
	Records                              []string
}

// AddressDNS is what DNS records an address has, and why it has none
// where it has none.
type AddressDNS struct {
	Address string   `json:"address"`
	Space   string   `json:"space"`
	Records []string `json:"records"`
	Notes   []string `json:"notes"`
}

// DNSServerType is how a DNS server is reached.
type DNSServerType int

// The DNS server types.
const (
	RFC2136     DNSServerType = C.IPAM_DNS_RFC2136  // dynamic update and AXFR (BIND, Knot, PowerDNS)
	PowerDNSAPI DNSServerType = C.IPAM_DNS_PDNS_API // the PowerDNS Authoritative HTTP API
)

// DNSServer says how to reach a DNS server (AddDNSServer). Secrets are
// sealed before they are stored and never shown again.
type DNSServer struct {
	Type          DNSServerType
	Address       netip.Addr    // RFC 2136
	Port          uint16        // RFC 2136; 0: 53
	TSIGName      string        // RFC 2136; "": unsigned
	TSIGAlgorithm string        // "": hmac-sha256
	TSIGSecret    string        // base64
	APIURL        string        // PowerDNS API ("http://127.0.0.1:8081")
	APIKey        string        // PowerDNS API
	ServerID      string        // PowerDNS API; "": "localhost"
	Timeout       time.Duration // per message or request; 0: 5 s (RFC 2136), 10 s (API)
}

// StoredDNSServer is a DNS server as DNSServers lists it; secrets read
// "(sealed)".
type StoredDNSServer struct {
	Name          string `json:"name"`
	Type          string `json:"dns"` // "rfc2136" or "pdns-api"
	Address       string `json:"address,omitempty"`
	Port          int    `json:"port,omitempty"`
	TSIGName      string `json:"tsig_name,omitempty"`
	TSIGAlgorithm string `json:"tsig_algorithm,omitempty"`
	TSIGSecret    string `json:"tsig_secret,omitempty"`
	APIURL        string `json:"url,omitempty"`
	APIKey        string `json:"api_key,omitempty"`
	ServerID      string `json:"server_id,omitempty"`
	TimeoutMS     int    `json:"timeout_ms"`
}

// callBuf runs one C call that appends to an ipam_buf and returns its text.
func (db *DB) callBuf(ctx context.Context, fn func(c *C.ipam_db, b *C.ipam_buf) C.int) (string, error) {
	var b C.ipam_buf
	defer C.ipam_buf_dispose(&b)
	if err := db.cancellable(ctx, func(c *C.ipam_db) C.int { return fn(c, &b) }); err != nil {
		return "", err
	}
	return bufString(&b), nil
}

func bufString(b *C.ipam_buf) string {
	if b.ptr == nil {
		return ""
	}
	return C.GoStringN(b.ptr, C.int(b.size))
}

// callJSON is callBuf decoded into out.
func (db *DB) callJSON(ctx context.Context, out any, fn func(c *C.ipam_db, b *C.ipam_buf) C.int) error {
	text, err := db.callBuf(ctx, fn)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(text), out); err != nil {
		return errorf(ErrGeneric, "the library's JSON does not read back: "+err.Error())
	}
	return nil
}

// AddZone adds a zone ("example.com", "2.0.192.in-addr.arpa",
// "0/26.2.0.192.in-addr.arpa"). ErrExists when the view has it.
func (db *DB) AddZone(ctx context.Context, name string, o *ZoneOptions) error {
	var cs cstrings
	defer cs.free()
	var opts C.ipam_zone_options
	C.ipam_zone_options_init(&opts, C.IPAM_ZONE_OPTIONS_VERSION)
	if o != nil {
		opts.view, opts.space = cs.str(o.View), cs.str(o.Space)
		opts.no_derive = cbool(o.NoDerive)
		opts.ns = cs.str(strings.Join(o.NS, ","))
		opts.mname, opts.rname = cs.str(o.MName), cs.str(o.RName)
		opts.ttl, opts.refresh, opts.retry = C.uint32_t(o.TTL), C.uint32_t(o.Refresh), C.uint32_t(o.Retry)
		opts.expire, opts.minimum = C.uint32_t(o.Expire), C.uint32_t(o.Minimum)
		opts.serial_policy = C.int(o.SerialPolicy)
		opts.template_name = cs.str(o.Template)
		opts.refuse_unknown_addresses = cbool(o.RefuseUnknownAddresses)
	}
	n := cs.str(name)
	c, err := db.enter(ctx)
	if err != nil {
		return err
	}
	return db.leave(C.ipam_zone_add(c, n, &opts))
}

// Zones lists the zones in (view, name) order.
func (db *DB) Zones(ctx context.Context) ([]Zone, error) {
	var out []Zone
	err := db.callJSON(ctx, &out, func(c *C.ipam_db, b *C.ipam_buf) C.int { return C.ipam_zone_list(b, c) })
	return out, err
}

// zoneCall runs a call on (zone, view) C strings.
func (db *DB) zoneCall(ctx context.Context, zone, view string, fn func(c *C.ipam_db, z, v *C.char) C.int) error {
	var cs cstrings
	defer cs.free()
	z, v := cs.str(zone), cs.str(view)
	return db.cancellable(ctx, func(c *C.ipam_db) C.int { return fn(c, z, v) })
}

// zoneBuf is zoneCall for a call that fills an ipam_buf.
func (db *DB) zoneBuf(ctx context.Context, zone, view string, fn func(c *C.ipam_db, b *C.ipam_buf, z, v *C.char) C.int) (string, error) {
	var cs cstrings
	defer cs.free()
	z, v := cs.str(zone), cs.str(view)
	return db.callBuf(ctx, func(c *C.ipam_db, b *C.ipam_buf) C.int { return fn(c, b, z, v) })
}

// Zone reads one zone with every record ("" view: "default").
// ErrNotFound when the view has no such zone.
func (db *DB) Zone(ctx context.Context, zone, view string) (ZoneDetail, error) {
	var out ZoneDetail
	text, err := db.zoneBuf(ctx, zone, view, func(c *C.ipam_db, b *C.ipam_buf, z, v *C.char) C.int {
		return C.ipam_zone_show(b, c, z, v)
	})
	if err == nil {
		err = json.Unmarshal([]byte(text), &out)
	}
	return out, err
}

// RemoveZone removes a zone with its hand records and push states.
func (db *DB) RemoveZone(ctx context.Context, zone, view string) error {
	return db.zoneCall(ctx, zone, view, func(c *C.ipam_db, z, v *C.char) C.int { return C.ipam_zone_rm(c, z, v) })
}

// AddRecord adds a hand record in presentation format, the owner relative
// to the zone unless it ends in a dot ("www 300 IN A 192.0.2.1").
// ErrExists when it is there; ErrInvalid names a clash or a bad field.
func (db *DB) AddRecord(ctx context.Context, zone, view, record string) error {
	var cs cstrings
	defer cs.free()
	r := cs.str(record)
	return db.zoneCall(ctx, zone, view, func(c *C.ipam_db, z, v *C.char) C.int { return C.ipam_record_add(c, z, v, r) })
}

// RemoveRecord removes a hand record (any text that parses to it).
func (db *DB) RemoveRecord(ctx context.Context, zone, view, record string) error {
	var cs cstrings
	defer cs.free()
	r := cs.str(record)
	return db.zoneCall(ctx, zone, view, func(c *C.ipam_db, z, v *C.char) C.int { return C.ipam_record_rm(c, z, v, r) })
}

// PutRecord adds a hand record (owner absolute) to the most specific zone
// of the view that holds it: added is false when it was there already.
// ErrNotFound when no zone holds the owner.
func (db *DB) PutRecord(ctx context.Context, view, record string) (added bool, err error) {
	var cs cstrings
	defer cs.free()
	r := cs.str(record)
	var a C.int
	err = db.zoneCall(ctx, "", view, func(c *C.ipam_db, _, v *C.char) C.int { return C.ipam_record_put(c, v, r, &a) })
	return a != 0, err
}

// RenderZone is the zone file (BIND, Knot, CoreDNS), byte-stable for the
// same content; it may take and store the zone's next serial.
func (db *DB) RenderZone(ctx context.Context, zone, view string) (string, error) {
	return db.zoneBuf(ctx, zone, view, func(c *C.ipam_db, b *C.ipam_buf, z, v *C.char) C.int {
		return C.ipam_zone_render(b, c, z, v)
	})
}

// SetZoneTemplate creates or replaces a zone template; every zone that
// uses it must still hold together with the new one.
func (db *DB) SetZoneTemplate(ctx context.Context, name string, t *ZoneTemplate) error {
	var cs cstrings
	defer cs.free()
	var ct C.ipam_zone_template
	C.ipam_zone_template_init(&ct, C.IPAM_ZONE_TEMPLATE_VERSION)
	if t != nil {
		ct.ns = cs.str(strings.Join(t.NS, ","))
		ct.mname, ct.rname = cs.str(t.MName), cs.str(t.RName)
		ct.ttl, ct.refresh, ct.retry = C.uint32_t(t.TTL), C.uint32_t(t.Refresh), C.uint32_t(t.Retry)
		ct.expire, ct.minimum = C.uint32_t(t.Expire), C.uint32_t(t.Minimum)
		if len(t.Records) > 0 {
			arr := cs.strv(t.Records)
			ct.records, ct.nrecords = arr, C.size_t(len(t.Records))
		}
	}
	n := cs.str(name)
	c, err := db.enter(ctx)
	if err != nil {
		return err
	}
	return db.leave(C.ipam_zone_template_set(c, n, &ct))
}

// strv is a C array of C copies of ss (freed with the others).
func (cs *cstrings) strv(ss []string) **C.char {
	p := C.calloc(C.size_t(len(ss)+1), C.size_t(unsafe.Sizeof((*C.char)(nil))))
	*cs = append(*cs, p)
	arr := unsafe.Slice((**C.char)(p), len(ss))
	for i, s := range ss {
		arr[i] = C.CString(s)
		*cs = append(*cs, unsafe.Pointer(arr[i]))
	}
	return (**C.char)(p)
}

// RemoveZoneTemplate removes a zone template: ErrInUse while a zone uses it.
func (db *DB) RemoveZoneTemplate(ctx context.Context, name string) error {
	return db.call(ctx, name, func(c *C.ipam_db, n *C.char) C.int { return C.ipam_zone_template_rm(c, n) })
}

// AddressDNS tells the DNS records an address has, and why it has none
// where it has none.
func (db *DB) AddressDNS(ctx context.Context, space string, a netip.Addr) (AddressDNS, error) {
	var out AddressDNS
	ca, err := cAddr(a)
	if err != nil {
		return out, err
	}
	var cs cstrings
	defer cs.free()
	sp := cs.str(space)
	err = db.callJSON(ctx, &out, func(c *C.ipam_db, b *C.ipam_buf) C.int { return C.ipam_ip_dns(b, c, sp, &ca) })
	return out, err
}

// AddDNSServer stores a DNS server to push to (with replace, replaces
// one). ErrPermission when the store has no key to seal its secrets with.
func (db *DB) AddDNSServer(ctx context.Context, name string, s *DNSServer, replace bool) error {
	var cs cstrings
	defer cs.free()
	var o C.ipam_dns_server_options
	C.ipam_dns_server_options_init(&o, C.IPAM_DNS_SERVER_OPTIONS_VERSION)
	if s != nil {
		o._type = C.int(s.Type)
		if s.Address.IsValid() {
			o.address = cs.str(s.Address.String())
		}
		o.port = C.uint(s.Port)
		o.tsig_name, o.tsig_algorithm, o.tsig_secret = cs.str(s.TSIGName), cs.str(s.TSIGAlgorithm), cs.str(s.TSIGSecret)
		o.api_url, o.api_key, o.server_id = cs.str(s.APIURL), cs.str(s.APIKey), cs.str(s.ServerID)
		o.timeout_ms = C.uint(s.Timeout.Milliseconds())
	}
	n := cs.str(name)
	c, err := db.enter(ctx)
	if err != nil {
		return err
	}
	return db.leave(C.ipam_dns_server_add(c, n, &o, cbool(replace)))
}

// RemoveDNSServer removes a DNS server and what it was last pushed.
func (db *DB) RemoveDNSServer(ctx context.Context, name string) error {
	return db.call(ctx, name, func(c *C.ipam_db, n *C.char) C.int { return C.ipam_dns_server_rm(c, n) })
}

// DNSServers lists the stored DNS servers (secrets read "(sealed)").
func (db *DB) DNSServers(ctx context.Context) ([]StoredDNSServer, error) {
	var out []StoredDNSServer
	err := db.callJSON(ctx, &out, func(c *C.ipam_db, b *C.ipam_buf) C.int { return C.ipam_dns_server_list(b, c) })
	return out, err
}

// PushZone sends a zone to a stored server: what changed since the last
// successful push to it (the whole zone the first time). The report is
// the change (nsupdate syntax, or rrsets) and a summary line; with dryRun
// nothing is sent. ErrConflict: the zone was changed on the server from
// outside, nothing overwritten; ErrAuth, ErrIO, ErrPermission name server
// and zone.
func (db *DB) PushZone(ctx context.Context, zone, view, server string, dryRun bool) (report string, err error) {
	var cs cstrings
	defer cs.free()
	sv := cs.str(server)
	flags := C.uint(0)
	if dryRun {
		flags = C.IPAM_PUSH_DRY_RUN
	}
	return db.zoneBuf(ctx, zone, view, func(c *C.ipam_db, b *C.ipam_buf, z, v *C.char) C.int {
		return C.ipam_zone_push(b, c, z, v, sv, flags)
	})
}

// DiffZone compares the zone as the server holds it (AXFR, or the API)
// with what the database holds: one line per RRset that differs, and how
// many differ.
func (db *DB) DiffZone(ctx context.Context, zone, view, server string) (report string, drift int, err error) {
	var cs cstrings
	defer cs.free()
	sv := cs.str(server)
	var n C.size_t
	report, err = db.zoneBuf(ctx, zone, view, func(c *C.ipam_db, b *C.ipam_buf, z, v *C.char) C.int {
		return C.ipam_zone_diff(b, &n, c, z, v, sv)
	})
	return report, int(n), err
}

// RenderRPZ makes a response-policy zone from policy lines ("qname
// bad.example.com nxdomain", "response-ip 198.51.100.64/26 nxdomain", ...);
// file names the text in messages; ttl 0 is 60.
func RenderRPZ(origin, policies, file string, ttl uint32) (string, error) {
	var cs cstrings
	defer cs.free()
	o, f := cs.str(origin), cs.str(file)
	p := cs.str(policies)
	var b C.ipam_buf
	defer C.ipam_buf_dispose(&b)
	err := onThread(func() C.int { return C.ipam_rpz_render(&b, o, p, C.size_t(len(policies)), f, C.uint32_t(ttl)) })
	if err != nil {
		return "", err
	}
	return bufString(&b), nil
}

// onThread runs a C call that uses no DB on the calling goroutine's OS
// thread, and reads its error there.
func onThread(fn func() C.int) error {
	return onThreadCtx(context.Background(), fn)
}

// onThreadCtx is onThread with a cancellation token for ctx attached (see
// canceller).
func onThreadCtx(ctx context.Context, fn func() C.int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	k := attachCancel(ctx)
	return k.detach(ctx, fn())
}

// AdoptZone takes the records only the server has (DiffZone's
// "only-server") as hand records of the zone, all or none, in one
// transaction; DNSSEC records and the SOA stay the server's. The report
// has one line per record; adopted is how many were adopted.
func (db *DB) AdoptZone(ctx context.Context, zone, view, server string) (report string, adopted int, err error) {
	var cs cstrings
	defer cs.free()
	sv := cs.str(server)
	var n C.size_t
	report, err = db.zoneBuf(ctx, zone, view, func(c *C.ipam_db, b *C.ipam_buf, z, v *C.char) C.int {
		return C.ipam_zone_adopt(b, &n, c, z, v, sv)
	})
	return report, int(n), err
}

// DNSConfigFormat is what DNSConfig renders.
type DNSConfigFormat int

// The DNS configuration formats.
const (
	NamedConf DNSConfigFormat = C.IPAM_DNS_CONFIG_NAMED    // named.conf zone stanzas, in view blocks when views are used
	Corefile  DNSConfigFormat = C.IPAM_DNS_CONFIG_COREFILE // a CoreDNS Corefile for the zones of one view
)

// DNSConfigOptions of DNSConfig.
type DNSConfigOptions struct {
	Format DNSConfigFormat
	Dir    string // the zone files' directory as the server sees it; "": relative names
	// UpdateKey (named) is a TSIG key name allowed to update and transfer every zone.
	UpdateKey string
	// ViewMatch (named) is "VIEW=LIST" per view, in the order named should try them.
	ViewMatch []string
	View      string // Corefile: the view whose zones to serve; "": "default"
	Port      uint16 // Corefile: 0: 53
}

// DNSConfig renders the server configuration for every stored zone; each
// zone's file is Dir/ZoneFileName(zone, view), written with RenderZone.
func (db *DB) DNSConfig(ctx context.Context, o *DNSConfigOptions) (string, error) {
	var cs cstrings
	defer cs.free()
	var opts C.ipam_dns_config_options
	opts.version = C.IPAM_DNS_CONFIG_OPTIONS_VERSION
	if o != nil {
		opts.format = C.int(o.Format)
		opts.dir, opts.update_key, opts.view = cs.str(o.Dir), cs.str(o.UpdateKey), cs.str(o.View)
		if len(o.ViewMatch) > 0 {
			opts.view_match, opts.nview_match = cs.strv(o.ViewMatch), C.size_t(len(o.ViewMatch))
		}
		opts.port = C.uint(o.Port)
	}
	return db.callBuf(ctx, func(c *C.ipam_db, b *C.ipam_buf) C.int { return C.ipam_dns_config(b, c, &opts) })
}

// ZoneFileName is the file name DNSConfig gives a zone ("example.com.zone",
// "0_26.2.0.192.in-addr.arpa@inside.zone").
func ZoneFileName(zone, view string) (string, error) {
	var cs cstrings
	defer cs.free()
	z, v := cs.str(zone), cs.str(view)
	var b C.ipam_buf
	defer C.ipam_buf_dispose(&b)
	if err := onThread(func() C.int { return C.ipam_zone_file_name(&b, z, v) }); err != nil {
		return "", err
	}
	return bufString(&b), nil
}

// RPZPolicy is one stored response policy.
type RPZPolicy struct {
	Zone    string `json:"zone"`    // the policy zone, "rpz.example."
	Trigger string `json:"trigger"` // "qname bad.example.com", "client-ip 10.9.0.0/16"
	Policy  string `json:"policy"`  // the whole line, as AddRPZPolicy took it
}

// AddRPZPolicy stores a response policy in the policy zone zone (made by
// its first policy), in the policy file's form ("qname bad.example.com
// nxdomain", "client-ip 10.9.0.0/16 drop", "qname moved.example.com local
// A 192.0.2.80"). ErrExists when the trigger has a policy and replace is
// false; ErrInvalid names the zone and what is wrong.
func (db *DB) AddRPZPolicy(ctx context.Context, zone, policy string, replace bool) error {
	return db.zoneCall(ctx, zone, policy, func(c *C.ipam_db, z, p *C.char) C.int {
		return C.ipam_rpz_add(c, z, p, cbool(replace))
	})
}

// RemoveRPZPolicy removes the policy of a trigger ("qname bad.example.com");
// the policy zone goes with its last policy.
func (db *DB) RemoveRPZPolicy(ctx context.Context, zone, trigger string) error {
	return db.zoneCall(ctx, zone, trigger, func(c *C.ipam_db, z, t *C.char) C.int { return C.ipam_rpz_rm(c, z, t) })
}

// RPZPolicies lists the stored policies of one policy zone, or of all
// ("" zone), in (zone, trigger) order.
func (db *DB) RPZPolicies(ctx context.Context, zone string) ([]RPZPolicy, error) {
	out := []RPZPolicy{}
	text, err := db.zoneBuf(ctx, zone, "", func(c *C.ipam_db, b *C.ipam_buf, z, _ *C.char) C.int {
		return C.ipam_rpz_list(b, c, z)
	})
	if err == nil {
		err = json.Unmarshal([]byte(text), &out)
	}
	return out, err
}

// RenderRPZZone renders the policy zone of the stored policies (ttl 0: 60).
func (db *DB) RenderRPZZone(ctx context.Context, zone string, ttl uint32) (string, error) {
	return db.zoneBuf(ctx, zone, "", func(c *C.ipam_db, b *C.ipam_buf, z, _ *C.char) C.int {
		return C.ipam_rpz_zone_render(b, c, z, C.uint32_t(ttl))
	})
}
