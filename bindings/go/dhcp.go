package ipam

/*
#include <ipam.h>
#include <stdlib.h>
*/
import "C"

import (
	"context"
	"net/netip"
	"strings"
	"time"
	"unsafe"
)

// ScopeOptions are a DHCP scope's settings (AddScope, SetScope).
type ScopeOptions struct {
	Space                           string        // the space of its prefix; "": "default" (AddScope only)
	Template                        string        // an option template (AddOptionTemplate)
	Description                     string        //
	SharedNetwork                   string        // Kea shared network / dhcpd shared-network
	Servers                         []string      // the servers that serve it
	HAPrimary, HAStandby            string        // an HA pair of servers (Kea's HA hook, or ISC failover): both or neither
	ID                              uint32        // Kea subnet id; 0: the next free one (AddScope), the scope's (SetScope)
	Valid, Renew, Rebind, Preferred time.Duration // lease times, whole seconds; 0: inherited
	Set                             ScopeField    // SetScope: the settings it changes, the others kept; 0: every one
}

// ScopeField names settings of a scope for SetScope (ScopeOptions.Set).
type ScopeField uint

// The settings SetScope can change alone.
const (
	SetTemplate      ScopeField = C.IPAM_SCOPE_SET_TEMPLATE
	SetDescription   ScopeField = C.IPAM_SCOPE_SET_DESCRIPTION
	SetSharedNetwork ScopeField = C.IPAM_SCOPE_SET_SHARED_NETWORK
	SetServers       ScopeField = C.IPAM_SCOPE_SET_SERVERS
	SetHA            ScopeField = C.IPAM_SCOPE_SET_HA // HAPrimary and HAStandby
	SetValid         ScopeField = C.IPAM_SCOPE_SET_VALID
	SetRenew         ScopeField = C.IPAM_SCOPE_SET_RENEW
	SetRebind        ScopeField = C.IPAM_SCOPE_SET_REBIND
	SetPreferred     ScopeField = C.IPAM_SCOPE_SET_PREFERRED
)

// ScopeHead is what Scopes and Scope both give of a scope.
type ScopeHead struct {
	Name        string       `json:"name"`
	Space       string       `json:"space"`
	Prefix      netip.Prefix `json:"prefix"`
	ID          uint32       `json:"id"` // the Kea subnet id
	Template    string       `json:"template,omitempty"`
	Description string       `json:"description,omitempty"`
	Servers     []string     `json:"servers,omitempty"`
}

// Scope is a scope as Scopes lists it.
type Scope struct {
	ScopeHead
	Pools        int `json:"pools"`        // how many
	Reservations int `json:"reservations"` // how many
}

// DHCPOption is an option as set at one owner, or as a scope sends it
// after inheritance (ScopeDetail.EffectiveOptions).
type DHCPOption struct {
	Name   string `json:"name"`
	Code   int    `json:"code"`
	Family int    `json:"family,omitempty"`
	Vendor uint32 `json:"vendor,omitempty"`
	Value  string `json:"value"`
}

// AddrRange is an inclusive range of addresses.
type AddrRange struct {
	Start netip.Addr `json:"start"`
	End   netip.Addr `json:"end"`
}

// Pool is a pool of a scope with what is left out of it and its options.
type Pool struct {
	AddrRange
	Exclusions []AddrRange  `json:"exclusions"`
	Options    []DHCPOption `json:"options"`
}

// Reservation is an address reserved for one client, known by one of MAC,
// ClientID, DUID or CircuitID.
type Reservation struct {
	Address   netip.Addr   `json:"address"`
	MAC       string       `json:"mac,omitempty"`
	ClientID  string       `json:"client_id,omitempty"`
	DUID      string       `json:"duid,omitempty"`
	CircuitID string       `json:"circuit_id,omitempty"`
	Hostname  string       `json:"hostname,omitempty"`
	Options   []DHCPOption `json:"options"`
}

// ScopeDetail is one scope as stored, and the options it sends.
type ScopeDetail struct {
	ScopeHead
	SharedNetwork    string        `json:"shared_network,omitempty"`
	HAPrimary        string        `json:"ha_primary,omitempty"`
	HAStandby        string        `json:"ha_standby,omitempty"`
	Valid            uint32        `json:"valid"` // lease times in seconds as stored (0: inherited)
	Renew            uint32        `json:"renew"`
	Rebind           uint32        `json:"rebind"`
	Preferred        uint32        `json:"preferred"`
	Options          []DHCPOption  `json:"options"` // its own
	Pools            []Pool        `json:"pools"`
	Reservations     []Reservation `json:"reservations"`
	EffectiveOptions []DHCPOption  `json:"effective_options"` // after global, template, scope
}

// OptionTemplate is a set of options that scopes take.
type OptionTemplate struct {
	Name    string       `json:"name"`
	Options []DHCPOption `json:"options"`
	Scopes  []string     `json:"scopes"`
}

// OptionLevel is where an option is set.
type OptionLevel int

// The option levels.
const (
	OptionAtGlobal      OptionLevel = C.IPAM_OPTION_GLOBAL      // every scope of a family
	OptionAtTemplate    OptionLevel = C.IPAM_OPTION_TEMPLATE    // an option template
	OptionAtScope       OptionLevel = C.IPAM_OPTION_SCOPE       // a scope
	OptionAtPool        OptionLevel = C.IPAM_OPTION_POOL        // a pool of a scope
	OptionAtReservation OptionLevel = C.IPAM_OPTION_RESERVATION // a reservation of a scope
)

// OptionTarget is the owner of an option. Its zero value is the global
// level of DHCPv4.
type OptionTarget struct {
	Level   OptionLevel
	Family  int        // 4 or 6 at the global and template levels (0: 4)
	Vendor  uint32     // a vendor option's enterprise number; 0: the standard space
	Name    string     // the template or scope
	Pool    netip.Addr // OptionAtPool: the pool's first address
	Address netip.Addr // OptionAtReservation: the reserved address
}

// The owners of options, for short: db.SetOption(ctx, ipam.ScopeTarget("lan"), "routers", "192.0.2.1").
func GlobalTarget(family int) OptionTarget {
	return OptionTarget{Level: OptionAtGlobal, Family: family}
}
func TemplateTarget(name string) OptionTarget {
	return OptionTarget{Level: OptionAtTemplate, Name: name}
}
func ScopeTarget(scope string) OptionTarget { return OptionTarget{Level: OptionAtScope, Name: scope} }
func PoolTarget(scope string, start netip.Addr) OptionTarget {
	return OptionTarget{Level: OptionAtPool, Name: scope, Pool: start}
}
func ReservationTarget(scope string, a netip.Addr) OptionTarget {
	return OptionTarget{Level: OptionAtReservation, Name: scope, Address: a}
}

// DHCPServerType is a DHCP server's kind.
type DHCPServerType int

// The DHCP server types.
const (
	Kea   DHCPServerType = C.IPAM_DHCP_KEA   // pushed through kea-ctrl-agent
	DHCPD DHCPServerType = C.IPAM_DHCP_DHCPD // ISC dhcpd: rendered only
)

// DHCPServer is how a DHCP server is reached (AddDHCPServer). The password
// is sealed before it is stored.
type DHCPServer struct {
	Type            DHCPServerType
	URL             string        // Kea: the control agent, "http://127.0.0.1:8000/"
	User, Password  string        // the agent's HTTP basic auth
	WriteDir        string        // Kea: where config-write writes on the server's host; "": /etc/kea
	Timeout         time.Duration // per request; 0: 10 s
	FailoverAddress netip.Addr    // ISC dhcpd: the address it speaks failover on
	FailoverPort    uint16        // ISC dhcpd: 0: 647
}

// PushState is what was last pushed to a server for one family.
type PushState struct {
	Digest string `json:"digest"`
	Time   int64  `json:"time"` // Unix seconds
	Result string `json:"result"`
	Scopes int    `json:"scopes"`
}

// StoredDHCPServer is a DHCP server as DHCPServers lists it: the password
// reads "(sealed)"; Pushed is keyed "dhcp4", "dhcp6".
type StoredDHCPServer struct {
	Name            string               `json:"name"`
	Type            string               `json:"dhcp"` // "kea" or "dhcpd"
	URL             string               `json:"url,omitempty"`
	User            string               `json:"user,omitempty"`
	Password        string               `json:"password,omitempty"`
	WriteFile       string               `json:"write_file,omitempty"`
	TimeoutMS       int                  `json:"timeout_ms"`
	FailoverAddress string               `json:"failover_address,omitempty"`
	FailoverPort    int                  `json:"failover_port,omitempty"`
	Pushed          map[string]PushState `json:"pushed"`
}

// DHCPFormat is what RenderDHCP writes.
type DHCPFormat int

// The render formats.
const (
	Kea4Config  DHCPFormat = C.IPAM_DHCP_FORMAT_KEA4  // Kea {"Dhcp4": ...}
	Kea6Config  DHCPFormat = C.IPAM_DHCP_FORMAT_KEA6  // Kea {"Dhcp6": ...}
	DHCPDConfig DHCPFormat = C.IPAM_DHCP_FORMAT_DHCPD // ISC dhcpd.conf
)

// LeaseFormat is a lease file's format.
type LeaseFormat int

// The lease file formats.
const (
	KeaCSVLeases LeaseFormat = C.IPAM_LEASES_KEA_CSV // Kea memfile CSV
	DHCPDLeases  LeaseFormat = C.IPAM_LEASES_DHCPD   // ISC dhcpd.leases
)

// LeaseSyncOptions say where leases come from: a file (Path, Format) or a
// Kea server (Server).
type LeaseSyncOptions struct {
	Space   string // where the leases' addresses are; "": "default"
	Path    string
	Format  LeaseFormat
	Server  string
	PushDNS string // a DNS server: push the zones the changed leases touch to it
	DNSView string // its view; "": "default"
}

// LeaseSyncStats is what a lease sync did.
type LeaseSyncStats struct {
	Added, Updated, Released, Skipped, ZonesPushed int
}

// DHCPImportFormat is a running server's config format (ImportDHCP).
type DHCPImportFormat int

// The import formats.
const (
	KeaImport   DHCPImportFormat = C.IPAM_DHCP_IMPORT_KEA   // {"Dhcp4": ...} or {"Dhcp6": ...}
	DHCPDImport DHCPImportFormat = C.IPAM_DHCP_IMPORT_DHCPD // dhcpd.conf
)

// DHCPImportOptions say where imported scopes go.
type DHCPImportOptions struct {
	Space  string // "": "default"
	Server string // a stored DHCP server that serves every imported scope
}

// listOf is a call that fills an ipam_buf with a JSON array, decoded.
func listOf[T any](ctx context.Context, db *DB, fn func(c *C.ipam_db, b *C.ipam_buf) C.int) ([]T, error) {
	var out []T
	err := db.callJSON(ctx, &out, fn)
	return out, err
}

func seconds(d time.Duration) C.uint32_t { return C.uint32_t(d / time.Second) }

func (cs *cstrings) addr(a netip.Addr) *C.char {
	if !a.IsValid() {
		return nil
	}
	return cs.str(a.String())
}

func scopeOpts(cs *cstrings, o *ScopeOptions) C.ipam_scope_options {
	var opts C.ipam_scope_options
	C.ipam_scope_options_init(&opts, C.IPAM_SCOPE_OPTIONS_VERSION)
	if o != nil {
		opts.space, opts.template_name, opts.description = cs.str(o.Space), cs.str(o.Template), cs.str(o.Description)
		opts.shared_network, opts.servers = cs.str(o.SharedNetwork), cs.str(strings.Join(o.Servers, ","))
		opts.ha_primary, opts.ha_standby = cs.str(o.HAPrimary), cs.str(o.HAStandby)
		opts.id = C.uint32_t(o.ID)
		opts.valid, opts.renew, opts.rebind, opts.preferred = seconds(o.Valid), seconds(o.Renew), seconds(o.Rebind),
			seconds(o.Preferred)
		opts.fields = C.uint(o.Set)
	}
	return opts
}

// AddScope adds a DHCP scope on a prefix of a space ("192.0.2.0/24"; at
// most /30 or /126). Names are unique across spaces. ErrExists: name,
// overlap or subnet id taken.
func (db *DB) AddScope(ctx context.Context, name string, prefix netip.Prefix, o *ScopeOptions) error {
	var cs cstrings
	defer cs.free()
	opts := scopeOpts(&cs, o)
	opts.fields = 0 // a new scope takes every setting
	n, p := cs.str(name), cs.str(prefix.String())
	c, err := db.enter(ctx)
	if err != nil {
		return err
	}
	return db.leave(C.ipam_scope_add(c, n, p, &opts))
}

// SetScope changes a scope's settings: those o.Set names ("" and 0 clear
// one), the others kept; with o.Set 0, every field of o replaces the
// scope's. ID (0 or the scope's) and Space ("" or the scope's) cannot
// change. Pools, reservations and options stay. ErrNotFound: no such
// scope, or an unknown template or server.
func (db *DB) SetScope(ctx context.Context, name string, o *ScopeOptions) error {
	var cs cstrings
	defer cs.free()
	opts := scopeOpts(&cs, o)
	return db.call(ctx, name, func(c *C.ipam_db, n *C.char) C.int { return C.ipam_scope_set(c, n, &opts) })
}

// RemoveScope removes a scope, its pools and its reservations; with
// releaseLeases its addresses of status dhcp go too.
func (db *DB) RemoveScope(ctx context.Context, name string, releaseLeases bool) error {
	flags := C.uint(0)
	if releaseLeases {
		flags = C.IPAM_SCOPE_RM_LEASES
	}
	return db.call(ctx, name, func(c *C.ipam_db, n *C.char) C.int { return C.ipam_scope_rm(c, n, flags) })
}

// Scopes lists the scopes in name order.
func (db *DB) Scopes(ctx context.Context) ([]Scope, error) {
	return listOf[Scope](ctx, db, func(c *C.ipam_db, b *C.ipam_buf) C.int { return C.ipam_scope_list(b, c) })
}

// Scope reads one scope: settings, pools, reservations, options, and the
// options it sends after inheritance.
func (db *DB) Scope(ctx context.Context, name string) (ScopeDetail, error) {
	var cs cstrings
	defer cs.free()
	n := cs.str(name)
	var out ScopeDetail
	err := db.callJSON(ctx, &out, func(c *C.ipam_db, b *C.ipam_buf) C.int { return C.ipam_scope_show(b, c, n) })
	return out, err
}

// scopeCall runs a call on a scope and one more C string.
func (db *DB) scopeCall(ctx context.Context, scope, arg string, fn func(c *C.ipam_db, s, a *C.char) C.int) error {
	var cs cstrings
	defer cs.free()
	s, a := cs.str(scope), cs.str(arg)
	c, err := db.enter(ctx)
	if err != nil {
		return err
	}
	return db.leave(fn(c, s, a))
}

// AddPool adds the pool first-last to a scope, with exclude (addresses or
// ranges inside it) left out. ErrInUse: an address in it is in use and is
// no lease; ErrExists: it overlaps another pool.
func (db *DB) AddPool(ctx context.Context, scope string, first, last netip.Addr, exclude []AddrRange) error {
	var cs cstrings
	defer cs.free()
	ex := make([]string, len(exclude))
	for i, r := range exclude {
		ex[i] = r.Start.String() + "-" + r.End.String()
	}
	e := cs.str(strings.Join(ex, ","))
	return db.scopeCall(ctx, scope, first.String()+"-"+last.String(), func(c *C.ipam_db, s, r *C.char) C.int {
		return C.ipam_pool_add(c, s, r, e)
	})
}

// RemovePool removes the pool of a scope that starts at first.
func (db *DB) RemovePool(ctx context.Context, scope string, first netip.Addr) error {
	return db.scopeCall(ctx, scope, first.String(), func(c *C.ipam_db, s, r *C.char) C.int { return C.ipam_pool_rm(c, s, r) })
}

// AddReservation reserves an address of a scope for one client: ident is
// "mac:aa:bb:cc:dd:ee:ff", "client-id:01aabb...", "duid:000100...",
// "circuit-id:TEXT" or a bare MAC. ErrInUse: the address is in use.
func (db *DB) AddReservation(ctx context.Context, scope string, a netip.Addr, ident, hostname string) error {
	var cs cstrings
	defer cs.free()
	id, h := cs.str(ident), cs.str(hostname)
	return db.scopeCall(ctx, scope, a.String(), func(c *C.ipam_db, s, ad *C.char) C.int {
		return C.ipam_reservation_add(c, s, ad, id, h)
	})
}

// RemoveReservation removes a reservation and its address.
func (db *DB) RemoveReservation(ctx context.Context, scope string, a netip.Addr) error {
	return db.scopeCall(ctx, scope, a.String(), func(c *C.ipam_db, s, ad *C.char) C.int {
		return C.ipam_reservation_rm(c, s, ad)
	})
}

// Reservations lists a scope's reservations.
func (db *DB) Reservations(ctx context.Context, scope string) ([]Reservation, error) {
	var cs cstrings
	defer cs.free()
	s := cs.str(scope)
	return listOf[Reservation](ctx, db, func(c *C.ipam_db, b *C.ipam_buf) C.int { return C.ipam_reservation_list(b, c, s) })
}

func optionTarget(cs *cstrings, t OptionTarget) C.ipam_option_target {
	var ct C.ipam_option_target
	C.ipam_option_target_init(&ct, C.IPAM_OPTION_TARGET_VERSION)
	ct.level, ct.family, ct.vendor = C.int(t.Level), C.int(t.Family), C.uint32_t(t.Vendor)
	ct.name, ct.pool, ct.address = cs.str(t.Name), cs.addr(t.Pool), cs.addr(t.Address)
	return ct
}

// SetOption sets (or replaces) an option at its owner, by Kea name or
// decimal code ("routers", "6"), checked against the option's type:
// ErrInvalid names owner, option and value.
func (db *DB) SetOption(ctx context.Context, t OptionTarget, option, value string) error {
	var cs cstrings
	defer cs.free()
	ct := optionTarget(&cs, t)
	return db.scopeCall(ctx, option, value, func(c *C.ipam_db, o, v *C.char) C.int { return C.ipam_option_set(c, &ct, o, v) })
}

// RemoveOption removes an option from its owner.
func (db *DB) RemoveOption(ctx context.Context, t OptionTarget, option string) error {
	var cs cstrings
	defer cs.free()
	ct := optionTarget(&cs, t)
	return db.call(ctx, option, func(c *C.ipam_db, o *C.char) C.int { return C.ipam_option_rm(c, &ct, o) })
}

// Options lists the options set at one owner.
func (db *DB) Options(ctx context.Context, t OptionTarget) ([]DHCPOption, error) {
	var cs cstrings
	defer cs.free()
	ct := optionTarget(&cs, t)
	return listOf[DHCPOption](ctx, db, func(c *C.ipam_db, b *C.ipam_buf) C.int { return C.ipam_option_list(b, c, &ct) })
}

// DefineOption defines a custom (vendor 0) or vendor option so that it can
// be set: typ is "ip", "ip[]", "string", "uint8", "uint16", "uint32",
// "bool", "fqdn", "fqdn[]" or "binary".
func (db *DB) DefineOption(ctx context.Context, family int, vendor uint32, code uint, name, typ string) error {
	return db.scopeCall(ctx, name, typ, func(c *C.ipam_db, n, ty *C.char) C.int {
		return C.ipam_option_define(c, C.int(family), C.uint32_t(vendor), C.uint(code), n, ty)
	})
}

// AddOptionTemplate creates an empty option template.
func (db *DB) AddOptionTemplate(ctx context.Context, name string) error {
	return db.call(ctx, name, func(c *C.ipam_db, n *C.char) C.int { return C.ipam_option_template_add(c, n) })
}

// RemoveOptionTemplate removes an option template: ErrInUse while a scope uses it.
func (db *DB) RemoveOptionTemplate(ctx context.Context, name string) error {
	return db.call(ctx, name, func(c *C.ipam_db, n *C.char) C.int { return C.ipam_option_template_rm(c, n) })
}

// OptionTemplates lists the option templates with their options and scopes.
func (db *DB) OptionTemplates(ctx context.Context) ([]OptionTemplate, error) {
	return listOf[OptionTemplate](ctx, db, func(c *C.ipam_db, b *C.ipam_buf) C.int { return C.ipam_option_template_list(b, c) })
}

// AddDHCPServer stores a DHCP server (with replace, replaces one).
// ErrExists: a DNS or DHCP server has the name; ErrPermission: no key to
// seal the password with.
func (db *DB) AddDHCPServer(ctx context.Context, name string, s *DHCPServer, replace bool) error {
	var cs cstrings
	defer cs.free()
	var o C.ipam_dhcp_server_options
	C.ipam_dhcp_server_options_init(&o, C.IPAM_DHCP_SERVER_OPTIONS_VERSION)
	if s != nil {
		o._type = C.int(s.Type)
		o.url, o.user, o.password, o.write_dir = cs.str(s.URL), cs.str(s.User), cs.str(s.Password), cs.str(s.WriteDir)
		o.timeout_ms = C.uint(s.Timeout.Milliseconds())
		o.failover_address, o.failover_port = cs.addr(s.FailoverAddress), C.uint(s.FailoverPort)
	}
	return db.call(ctx, name, func(c *C.ipam_db, n *C.char) C.int { return C.ipam_dhcp_server_add(c, n, &o, cbool(replace)) })
}

// RemoveDHCPServer removes a DHCP server and its push states: ErrInUse
// while a scope names it.
func (db *DB) RemoveDHCPServer(ctx context.Context, name string) error {
	return db.call(ctx, name, func(c *C.ipam_db, n *C.char) C.int { return C.ipam_dhcp_server_rm(c, n) })
}

// DHCPServers lists the DHCP servers (passwords read "(sealed)").
func (db *DB) DHCPServers(ctx context.Context) ([]StoredDHCPServer, error) {
	return listOf[StoredDHCPServer](ctx, db, func(c *C.ipam_db, b *C.ipam_buf) C.int { return C.ipam_dhcp_server_list(b, c) })
}

// RenderDHCP renders the config of server ("": every scope of the
// family). Kea configs are merged into base (a whole Kea config, or "").
func (db *DB) RenderDHCP(ctx context.Context, format DHCPFormat, server, base string) (string, error) {
	var cs cstrings
	defer cs.free()
	s, bs := cs.str(server), cs.str(base)
	return db.callBuf(ctx, func(c *C.ipam_db, b *C.ipam_buf) C.int { return C.ipam_dhcp_render(b, c, C.int(format), s, bs) })
}

// PushDHCP pushes to a Kea server through its control agent (config-test,
// config-set, config-write per family) and returns the report; with dryRun
// nothing is sent and the report is the line diff. A config Kea refuses
// leaves the running one (ErrInvalid with Kea's text); ErrIO, ErrAuth. The
// context is checked before the push starts; a push that has started runs
// to its end (within the server's timeouts).
func (db *DB) PushDHCP(ctx context.Context, server string, dryRun bool) (report string, err error) {
	var cs cstrings
	defer cs.free()
	s := cs.str(server)
	flags := C.uint(0)
	if dryRun {
		flags = C.IPAM_DHCP_PUSH_DRY_RUN
	}
	return db.callBuf(ctx, func(c *C.ipam_db, b *C.ipam_buf) C.int { return C.ipam_dhcp_push(b, c, s, flags) })
}

// SyncLeases syncs leases into the store in one transaction and returns
// what it did and the DNS pushes' report. The context is checked before
// it starts, as for PushDHCP.
func (db *DB) SyncLeases(ctx context.Context, o *LeaseSyncOptions) (LeaseSyncStats, string, error) {
	var cs cstrings
	defer cs.free()
	var opts C.ipam_lease_sync_options
	C.ipam_lease_sync_options_init(&opts, C.IPAM_LEASE_SYNC_OPTIONS_VERSION)
	if o != nil {
		opts.space, opts.path, opts.format, opts.server = cs.str(o.Space), cs.str(o.Path), C.int(o.Format), cs.str(o.Server)
		if o.PushDNS != "" {
			opts.flags |= C.IPAM_LEASE_SYNC_PUSH_DNS
		}
		opts.dns_server, opts.dns_view = cs.str(o.PushDNS), cs.str(o.DNSView)
	}
	var st C.ipam_lease_sync_stats
	report, err := db.callBuf(ctx, func(c *C.ipam_db, b *C.ipam_buf) C.int { return C.ipam_lease_sync(&st, b, c, &opts) })
	stats := LeaseSyncStats{int(st.added), int(st.updated), int(st.released), int(st.skipped), int(st.zones_pushed)}
	return stats, report, err
}

// ImportDHCP adopts a running server's config (all of it or nothing) and
// returns how many scopes it imported and one note per thing skipped; file
// names the text in messages. The context is checked before it starts.
func (db *DB) ImportDHCP(ctx context.Context, format DHCPImportFormat, text []byte, file string, o *DHCPImportOptions) (scopes int, notes string, err error) {
	if text == nil {
		text = []byte{} // a text, not "read file"
	}
	return db.importDHCP(ctx, format, text, file, o)
}

// ImportDHCPFile is ImportDHCP of the config in the file at path, which
// the library reads (its messages name path).
func (db *DB) ImportDHCPFile(ctx context.Context, format DHCPImportFormat, path string, o *DHCPImportOptions) (scopes int, notes string, err error) {
	return db.importDHCP(ctx, format, nil, path, o)
}

func (db *DB) importDHCP(ctx context.Context, format DHCPImportFormat, text []byte, file string, o *DHCPImportOptions) (scopes int, notes string, err error) {
	var cs cstrings
	defer cs.free()
	var opts C.ipam_dhcp_import_options
	C.ipam_dhcp_import_options_init(&opts, C.IPAM_DHCP_IMPORT_OPTIONS_VERSION)
	opts.format = C.int(format)
	if o != nil {
		opts.space, opts.server = cs.str(o.Space), cs.str(o.Server)
	}
	f := cs.str(file)
	var ptr *C.char // nil: the C call reads file
	if text != nil {
		ptr = (*C.char)(C.CBytes(text)) // never NULL, even for no bytes
		cs = append(cs, unsafe.Pointer(ptr))
	}
	var n C.size_t
	notes, err = db.callBuf(ctx, func(c *C.ipam_db, b *C.ipam_buf) C.int {
		return C.ipam_dhcp_import(b, &n, c, ptr, C.size_t(len(text)), f, &opts)
	})
	return int(n), notes, err
}
