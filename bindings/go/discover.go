package ipam

/*
#include <ipam.h>
#include <stdlib.h>
*/
import "C"

import (
	"context"
	"errors"
	"iter"
	"net"
	"net/netip"
	"runtime"
	"time"
	"unsafe"
)

// ObsKind is what an observation is about.
type ObsKind int

// The observation kinds.
const (
	ObsAddress ObsKind = C.IPAM_OBS_ADDRESS // an address in use
	ObsSubnet  ObsKind = C.IPAM_OBS_SUBNET  // a subnet that exists (a cloud subnet)
)

// Observation is one thing seen on the network: an address in use (Addr)
// or a subnet that exists (Subnet), with the MAC and name seen with it,
// the probe (Source: "snmp", "icmp", "tcp", "rdns", "aws", ...), where
// (Device) and when.
type Observation struct {
	Kind      ObsKind
	Space     string // "": "default"
	Addr      netip.Addr
	Subnet    netip.Prefix
	MAC       net.HardwareAddr
	Name      string
	Source    string
	Device    string
	FirstSeen time.Time // zero: LastSeen, or now
	LastSeen  time.Time // zero: FirstSeen, or now
}

// Observations is a set of observations, one per space, kind, address (or
// subnet), MAC and source: adding one already there merges the times. It
// is used by one goroutine at a time; Close frees it (a cleanup does, as a
// safety net).
type Observations struct {
	c       *C.ipam_obs_set
	cleanup runtime.Cleanup
}

// NewObservations is an empty set.
func NewObservations() (*Observations, error) {
	var c *C.ipam_obs_set
	if err := onThread(func() C.int { return C.ipam_obs_set_new(&c) }); err != nil {
		return nil, err
	}
	s := &Observations{c: c}
	s.cleanup = runtime.AddCleanup(s, func(c *C.ipam_obs_set) { C.ipam_obs_set_free(c) }, c)
	return s, nil
}

func (s *Observations) handle() (*C.ipam_obs_set, error) {
	if s == nil || s.c == nil {
		return nil, errorf(ErrClosed, "the observation set is closed")
	}
	return s.c, nil
}

// Close frees the set; closing twice is a no-op.
func (s *Observations) Close() {
	if s.c != nil {
		s.cleanup.Stop()
		C.ipam_obs_set_free(s.c)
		s.c = nil
	}
}

func unixOr(t time.Time) C.int64_t {
	if t.IsZero() {
		return 0
	}
	return C.int64_t(t.Unix())
}

func goTime(v C.int64_t) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(int64(v), 0)
}

// Add adds an observation (merged with one of the same key).
func (s *Observations) Add(o Observation) error {
	c, err := s.handle()
	if err != nil {
		return err
	}
	var cs cstrings
	defer cs.free()
	var co C.ipam_observation
	co.version = C.IPAM_OBSERVATION_VERSION
	co.kind = C.ipam_obs_kind(o.Kind)
	co.space = cs.str(o.Space)
	if o.Kind == ObsSubnet {
		if co.subnet, err = cPrefix(o.Subnet); err != nil {
			return err
		}
	} else if co.addr, err = cAddr(o.Addr); err != nil {
		return err
	}
	if o.MAC != nil {
		if len(o.MAC) != 6 && len(o.MAC) != 8 {
			return errorf(ErrInvalid, "a MAC has 6 or 8 octets")
		}
		co.has_mac = 1
		co.mac.len = C.uint8_t(len(o.MAC))
		copy((*[8]byte)(unsafe.Pointer(&co.mac.bytes[0]))[:], o.MAC)
	}
	co.name, co.source, co.device = cs.str(o.Name), cs.str(o.Source), cs.str(o.Device)
	first, last := o.FirstSeen, o.LastSeen
	if first.IsZero() {
		first = last
	}
	if first.IsZero() {
		first = time.Now()
	}
	if last.IsZero() {
		last = first
	}
	co.first_seen, co.last_seen = C.int64_t(first.Unix()), C.int64_t(last.Unix())
	return onThread(func() C.int { return C.ipam_obs_set_add(c, &co) })
}

// Len is the number of observations.
func (s *Observations) Len() int {
	if s == nil || s.c == nil {
		return 0
	}
	return int(C.ipam_obs_set_count(s.c))
}

// At is the observation at i (0 .. Len()-1), in the order first added.
func (s *Observations) At(i int) (Observation, error) {
	c, err := s.handle()
	if err != nil {
		return Observation{}, err
	}
	if i < 0 {
		return Observation{}, errorf(ErrNotFound, "a negative index")
	}
	var co C.ipam_observation
	if err := onThread(func() C.int { return C.ipam_obs_set_get(&co, c, C.size_t(i)) }); err != nil {
		return Observation{}, err
	}
	o := Observation{Kind: ObsKind(co.kind), Space: goString(co.space), MAC: goMAC(co.has_mac, &co.mac),
		Name: goString(co.name), Source: goString(co.source), Device: goString(co.device),
		FirstSeen: goTime(co.first_seen), LastSeen: goTime(co.last_seen)}
	if o.Kind == ObsSubnet {
		o.Subnet = goPrefix(&co.subnet)
	} else {
		o.Addr = goAddr(&co.addr)
	}
	return o, nil
}

// All iterates over the observations in the order first added.
func (s *Observations) All() iter.Seq[Observation] {
	return func(yield func(Observation) bool) {
		for i := range s.Len() {
			o, err := s.At(i)
			if err != nil || !yield(o) {
				return
			}
		}
	}
}

// JSON is the set as a JSON array (times as Unix seconds).
func (s *Observations) JSON() (string, error) {
	c, err := s.handle()
	if err != nil {
		return "", err
	}
	var b C.ipam_buf
	defer C.ipam_buf_dispose(&b)
	if err := onThread(func() C.int { return C.ipam_obs_set_json(&b, c) }); err != nil {
		return "", err
	}
	return bufString(&b), nil
}

// AddJSON adds the observations of a JSON array as JSON writes it; where
// names the text in messages.
func (s *Observations) AddJSON(text []byte, where string) error {
	c, err := s.handle()
	if err != nil {
		return err
	}
	var cs cstrings
	defer cs.free()
	w := cs.str(where)
	t := C.CBytes(text)
	defer C.free(t)
	return onThread(func() C.int { return C.ipam_obs_set_add_json(c, (*C.char)(t), C.size_t(len(text)), w) })
}

// SaveObservations keeps observations in the store, merged with those kept
// before (one transaction).
func (db *DB) SaveObservations(ctx context.Context, s *Observations) error {
	c, err := s.handle()
	if err != nil {
		return err
	}
	d, err := db.enter(ctx)
	if err != nil {
		return err
	}
	return db.leave(C.ipam_obs_save(d, c))
}

// LoadObservations adds the stored observations (of one space, "" for
// all; last seen at or after since, zero for all) to s.
func (db *DB) LoadObservations(ctx context.Context, s *Observations, space string, since time.Time) error {
	c, err := s.handle()
	if err != nil {
		return err
	}
	return db.call(ctx, space, func(d *C.ipam_db, sp *C.char) C.int { return C.ipam_obs_load(c, d, sp, unixOr(since)) })
}

// Drift is a reconciliation category.
type Drift int

// The categories.
const (
	DriftUnrecorded    Drift = C.IPAM_DRIFT_UNRECORDED     // seen inside a prefix, not recorded
	DriftUnseen        Drift = C.IPAM_DRIFT_UNSEEN         // recorded, not seen for UnseenDays
	DriftMACDiffers    Drift = C.IPAM_DRIFT_MAC_DIFFERS    // recorded with one MAC, seen with another
	DriftNameDiffers   Drift = C.IPAM_DRIFT_NAME_DIFFERS   // recorded with one host name, seen with another
	DriftMACConflict   Drift = C.IPAM_DRIFT_MAC_CONFLICT   // one address seen with several MACs
	DriftOutside       Drift = C.IPAM_DRIFT_OUTSIDE        // seen outside every prefix of its space
	DriftSubnetMissing Drift = C.IPAM_DRIFT_SUBNET_MISSING // a subnet seen that no prefix covers or overlaps
	DriftSubnetDiffers Drift = C.IPAM_DRIFT_SUBNET_DIFFERS // a subnet seen that overlaps prefixes but is none
)

// String is the category's name as in JSON ("unrecorded", "mac-differs", ...).
func (d Drift) String() string { return C.GoString(C.ipam_drift_name(C.int(d))) }

// DriftItem is one finding of a reconciliation.
type DriftItem struct {
	Drift        Drift
	Space        string
	Kind         ObsKind
	Addr         netip.Addr   // address findings
	Subnet       netip.Prefix // subnet findings
	RecordedMAC  net.HardwareAddr
	SeenMAC      net.HardwareAddr
	RecordedName string
	SeenName     string
	Source       string
	LastSeen     time.Time // zero: never
	Detail       string    // a sentence for humans
	Applied      bool      // adopted into the records by this run
}

// ReconcileOptions of Reconcile.
type ReconcileOptions struct {
	Space      string    // only this space; "": every space
	Since      time.Time // ignore observations last seen before this
	Now        time.Time // the reference time for UnseenDays; zero: the clock
	UnseenDays int       // "unseen" means not seen in this many days; 0: 30
	Apply      bool      // adopt the unrecorded addresses
}

// ReconcileReport is what Reconcile found.
type ReconcileReport struct {
	Items  []DriftItem
	Counts map[Drift]int // per category, every category present
	JSON   string        // the library's JSON form of the report
}

// Applied is how many findings this run adopted into the records.
func (r *ReconcileReport) Applied() int {
	n := 0
	for _, d := range r.Items {
		if d.Applied {
			n++
		}
	}
	return n
}

// Reconcile compares observations with the records. Nothing is ever
// deleted; with Apply the unrecorded addresses are added (status active,
// attrs {"source": "discovery"}).
func (db *DB) Reconcile(ctx context.Context, s *Observations, o *ReconcileOptions) (*ReconcileReport, error) {
	c, err := s.handle()
	if err != nil {
		return nil, err
	}
	var cs cstrings
	defer cs.free()
	var opts C.ipam_reconcile_options
	C.ipam_reconcile_options_init(&opts, C.IPAM_RECONCILE_OPTIONS_VERSION)
	if o != nil {
		opts.space = cs.str(o.Space)
		opts.since, opts.now = unixOr(o.Since), unixOr(o.Now)
		opts.unseen_days = C.uint(o.UnseenDays)
		if o.Apply {
			opts.flags |= C.IPAM_RECONCILE_APPLY
		}
	}
	d, err := db.enter(ctx)
	if err != nil {
		return nil, err
	}
	var r *C.ipam_reconcile_report
	if err := db.leave(C.ipam_reconcile(&r, d, c, &opts)); err != nil {
		return nil, err
	}
	defer C.ipam_reconcile_report_free(r)
	out := &ReconcileReport{Counts: map[Drift]int{}}
	for k := DriftUnrecorded; k <= DriftSubnetDiffers; k++ {
		out.Counts[k] = int(C.ipam_reconcile_report_count_of(r, C.int(k)))
	}
	n := int(C.ipam_reconcile_report_count(r))
	out.Items = make([]DriftItem, 0, n)
	for i := range n {
		it := C.ipam_reconcile_report_item(r, C.size_t(i))
		d := DriftItem{Drift: Drift(it.drift), Space: goString(it.space), Kind: ObsKind(it.kind),
			RecordedMAC: goMAC(it.has_recorded_mac, &it.recorded_mac), SeenMAC: goMAC(it.has_seen_mac, &it.seen_mac),
			RecordedName: goString(it.recorded_name), SeenName: goString(it.seen_name), Source: goString(it.source),
			LastSeen: goTime(it.last_seen), Detail: goString(it.detail), Applied: it.applied != 0}
		if d.Kind == ObsSubnet {
			d.Subnet = goPrefix(&it.subnet)
		} else {
			d.Addr = goAddr(&it.addr)
		}
		out.Items = append(out.Items, d)
	}
	var b C.ipam_buf
	defer C.ipam_buf_dispose(&b)
	if err := onThread(func() C.int { return C.ipam_reconcile_report_json(&b, r) }); err != nil {
		return nil, err
	}
	out.JSON = bufString(&b)
	return out, nil
}

// SNMPTarget is an SNMP agent to ask: Version 2 (Community) or 3 (User,
// AuthPass: SHA, PrivPass: AES). Host is "192.0.2.1", "[2001:db8::1]" or
// a name, with ":PORT" (default 161).
type SNMPTarget struct {
	Host      string
	Space     string // the space of its observations; "": "default"
	Version   int    // 2 or 3; 0: 2
	Community string
	User      string
	AuthPass  string
	PrivPass  string
}

// SNMPOptions of DiscoverSNMP.
type SNMPOptions struct {
	Timeout     time.Duration // per request; 0: 1 s
	Retries     int           // per request, after the first try
	Concurrency int           // agents asked at once; 0: 8
	BulkSize    int           // GETBULK max-repetitions; 0: 25
	Now         time.Time     // the time to stamp observations with; zero: the clock
}

// probe runs a probe that fills s, on a pinned OS thread (net-snmp,
// libcurl and the sweeps block that thread, not the Go scheduler's other
// goroutines), with a cancellation token for ctx attached. The context is
// checked first. Every probe's C call (SNMP, the sweeps, the clouds) stops
// when its token is triggered, so probe returns ctx.Err() at once when ctx
// is done, the observations gathered by then kept in s. release frees what
// the C call reads, once it has ended, whichever way.
func probe(ctx context.Context, s *Observations, release func(), fn func(c *C.ipam_obs_set) C.int) error {
	defer release()
	c, err := s.handle()
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return err
	}
	return onThreadCtx(ctx, func() C.int { return fn(c) })
}

// DiscoverSNMP asks SNMP agents for their ARP/ND caches and own addresses
// and adds what they see to s. errs has one entry per target, nil or its
// failure; agents that answered fill the set whatever the others did. err
// is the first failure (nil when every agent answered).
func DiscoverSNMP(ctx context.Context, s *Observations, targets []SNMPTarget, o *SNMPOptions) (errs []error, err error) {
	var cs cstrings // freed with the targets and their errors once the call has ended
	n := len(targets)
	ct := (*C.ipam_snmp_target)(C.calloc(C.size_t(n+1), C.size_t(unsafe.Sizeof(C.ipam_snmp_target{}))))
	cerr := (*C.int)(C.calloc(C.size_t(n+1), C.size_t(unsafe.Sizeof(C.int(0)))))
	cs = append(cs, unsafe.Pointer(ct), unsafe.Pointer(cerr))
	tv := unsafe.Slice(ct, n+1)
	for i, t := range targets {
		v := t.Version
		if v == 0 {
			v = 2
		}
		tv[i] = C.ipam_snmp_target{host: cs.str(t.Host), space: cs.str(t.Space), snmp_version: C.ipam_snmp_version(v),
			community: cs.str(t.Community), user: cs.str(t.User), auth_pass: cs.str(t.AuthPass),
			priv_pass: cs.str(t.PrivPass)}
	}
	var opts C.ipam_snmp_options
	C.ipam_snmp_options_init(&opts, C.IPAM_SNMP_OPTIONS_VERSION)
	if o != nil {
		opts.timeout_ms, opts.retries = C.uint(o.Timeout.Milliseconds()), C.uint(o.Retries)
		opts.concurrency, opts.bulk_size = C.uint(o.Concurrency), C.uint(o.BulkSize)
		opts.now = unixOr(o.Now)
	}
	var first C.int
	codes := make([]C.int, n)
	err = probe(ctx, s, cs.free, func(c *C.ipam_obs_set) C.int {
		first = C.ipam_discover_snmp(c, ct, C.size_t(n), cerr, &opts)
		copy(codes, unsafe.Slice(cerr, n))
		return first
	})
	if errors.Is(err, ErrClosed) || err == ctx.Err() && err != nil {
		return nil, err
	}
	ev := codes
	errs = make([]error, n)
	for i := range n {
		switch {
		case ev[i] == 0:
		case ev[i] == first && err != nil:
			errs[i] = &Error{Code: Code(ev[i]), Message: err.(*Error).Message}
		default:
			errs[i] = Code(ev[i])
		}
	}
	return errs, err
}

// prefixProbe runs a probe of the addresses of prefix that fills s (see
// probe; release frees what the call reads).
func prefixProbe(ctx context.Context, s *Observations, prefix netip.Prefix, release func(),
	fn func(c *C.ipam_obs_set, p *C.ipam_prefix) C.int) error {
	p, err := cPrefix(prefix)
	if err != nil {
		release()
		return err
	}
	return probe(ctx, s, release, func(c *C.ipam_obs_set) C.int { return fn(c, &p) })
}

// SweepOptions of Sweep. Ask for ICMP, TCP ports, or both.
type SweepOptions struct {
	Space        string // "": "default"
	ICMP         bool
	TCPPorts     []uint16
	Rate         int           // probes started per second; 0: 100
	Concurrency  int           // probes in flight; 0: 64
	Timeout      time.Duration // per probe; 0: 1 s
	MaxAddresses uint64        // refuse a larger prefix; 0: 65536
	Now          time.Time
}

// Sweep sends an ICMP echo and/or TCP connects to every address of prefix
// and adds those that answer to s ("icmp", "tcp"). ErrPermission when
// ICMP is asked for and the kernel allows no ping socket.
func Sweep(ctx context.Context, s *Observations, prefix netip.Prefix, o *SweepOptions) error {
	var cs cstrings // freed by prefixProbe once the call has ended
	var opts C.ipam_sweep_options
	C.ipam_sweep_options_init(&opts, C.IPAM_SWEEP_OPTIONS_VERSION)
	if o != nil {
		opts.space = cs.str(o.Space)
		opts.icmp = cbool(o.ICMP)
		if len(o.TCPPorts) > 0 {
			ports := (*C.uint16_t)(C.calloc(C.size_t(len(o.TCPPorts)), 2))
			cs = append(cs, unsafe.Pointer(ports))
			copy(unsafe.Slice((*uint16)(unsafe.Pointer(ports)), len(o.TCPPorts)), o.TCPPorts)
			opts.tcp_ports, opts.ntcp_ports = ports, C.size_t(len(o.TCPPorts))
		}
		opts.rate, opts.concurrency = C.uint(o.Rate), C.uint(o.Concurrency)
		opts.timeout_ms = C.uint(o.Timeout.Milliseconds())
		opts.max_addresses = C.uint64_t(o.MaxAddresses)
		opts.now = unixOr(o.Now)
	}
	return prefixProbe(ctx, s, prefix, cs.free, func(c *C.ipam_obs_set, p *C.ipam_prefix) C.int {
		return C.ipam_discover_sweep(c, p, &opts)
	})
}

// RDNSOptions of DiscoverRDNS. Server is required.
type RDNSOptions struct {
	Space        string
	Server       netip.Addr // the resolver
	Port         uint16     // 0: 53
	Timeout      time.Duration
	Rate         int // queries per second; 0: 200
	MaxAddresses uint64
	Now          time.Time
}

// DiscoverRDNS asks a resolver for the PTR of every address of prefix and
// adds each name found to s (source "rdns").
func DiscoverRDNS(ctx context.Context, s *Observations, prefix netip.Prefix, o *RDNSOptions) error {
	var cs cstrings // freed by prefixProbe once the call has ended
	var opts C.ipam_rdns_options
	C.ipam_rdns_options_init(&opts, C.IPAM_RDNS_OPTIONS_VERSION)
	if o != nil {
		opts.space = cs.str(o.Space)
		if o.Server.IsValid() {
			opts.server = cs.str(o.Server.String())
		}
		opts.port = C.uint16_t(o.Port)
		opts.timeout_ms, opts.rate = C.uint(o.Timeout.Milliseconds()), C.uint(o.Rate)
		opts.max_addresses = C.uint64_t(o.MaxAddresses)
		opts.now = unixOr(o.Now)
	}
	return prefixProbe(ctx, s, prefix, cs.free, func(c *C.ipam_obs_set, p *C.ipam_prefix) C.int {
		return C.ipam_discover_rdns(c, p, &opts)
	})
}

// AWSOptions of DiscoverAWS. Region, AccessKey and SecretKey are required.
type AWSOptions struct {
	Region       string
	Endpoint     string // "": https://ec2.REGION.amazonaws.com
	AccessKey    string
	SecretKey    string
	SessionToken string
	Timeout      time.Duration
	MaxPages     int
	Now          time.Time
}

// cloud runs a cloud inventory (see probe) with an optional database,
// which stays in use until the call has ended.
func cloud(ctx context.Context, s *Observations, db *DB, release func(), fn func(c *C.ipam_obs_set, d *C.ipam_db) C.int) error {
	if db == nil {
		return probe(ctx, s, release, func(c *C.ipam_obs_set) C.int { return fn(c, nil) })
	}
	d, err := db.enter(ctx) // pins this thread; probe's goroutine pins its own
	if err != nil {
		release()
		return err
	}
	runtime.UnlockOSThread()
	return probe(ctx, s, func() { release(); db.release() }, func(c *C.ipam_obs_set) C.int { return fn(c, d) })
}

// DiscoverAWS reads an AWS region's VPCs, subnets and network interfaces
// into s. Each VPC is a space "aws/ACCOUNT/REGION/VPC-ID", created in db
// when db is not nil.
func DiscoverAWS(ctx context.Context, s *Observations, db *DB, o *AWSOptions) error {
	var cs cstrings // freed by cloud once the call has ended
	var opts C.ipam_aws_options
	cAWSOptions(o, &cs, &opts)
	return cloud(ctx, s, db, cs.free, func(c *C.ipam_obs_set, d *C.ipam_db) C.int { return C.ipam_discover_aws(c, d, &opts) })
}

// AzureOptions of DiscoverAzure: client credentials (Tenant, ClientID,
// ClientSecret) or an AccessToken.
type AzureOptions struct {
	Subscription  string
	Tenant        string
	ClientID      string
	ClientSecret  string
	AccessToken   string
	LoginEndpoint string // "": https://login.microsoftonline.com
	ARMEndpoint   string // "": https://management.azure.com
	Timeout       time.Duration
	MaxPages      int
	Now           time.Time
}

// DiscoverAzure reads a subscription's virtual networks, subnets and NICs
// into s; each virtual network is a space, created in db when db is not nil.
func DiscoverAzure(ctx context.Context, s *Observations, db *DB, o *AzureOptions) error {
	var cs cstrings // freed by cloud once the call has ended
	var opts C.ipam_azure_options
	cAzureOptions(o, &cs, &opts)
	return cloud(ctx, s, db, cs.free, func(c *C.ipam_obs_set, d *C.ipam_db) C.int { return C.ipam_discover_azure(c, d, &opts) })
}

// GCPOptions of DiscoverGCP. Project and AccessToken are required.
type GCPOptions struct {
	Project     string
	AccessToken string
	Endpoint    string // "": https://compute.googleapis.com
	Timeout     time.Duration
	MaxPages    int
	Now         time.Time
}

// DiscoverGCP reads a Google Cloud project's networks, subnetworks and
// instances into s; each network is a space "gcp/PROJECT/NETWORK", created
// in db when db is not nil.
func DiscoverGCP(ctx context.Context, s *Observations, db *DB, o *GCPOptions) error {
	var cs cstrings // freed by cloud once the call has ended
	var opts C.ipam_gcp_options
	cGCPOptions(o, &cs, &opts)
	return cloud(ctx, s, db, cs.free, func(c *C.ipam_obs_set, d *C.ipam_db) C.int { return C.ipam_discover_gcp(c, d, &opts) })
}

func cAWSOptions(o *AWSOptions, cs *cstrings, opts *C.ipam_aws_options) {
	C.ipam_aws_options_init(opts, C.IPAM_AWS_OPTIONS_VERSION)
	if o != nil {
		opts.region, opts.endpoint = cs.str(o.Region), cs.str(o.Endpoint)
		opts.access_key, opts.secret_key, opts.session_token = cs.str(o.AccessKey), cs.str(o.SecretKey), cs.str(o.SessionToken)
		opts.timeout_ms, opts.max_pages = C.uint(o.Timeout.Milliseconds()), C.uint(o.MaxPages)
		opts.now = unixOr(o.Now)
	}
}

func cAzureOptions(o *AzureOptions, cs *cstrings, opts *C.ipam_azure_options) {
	C.ipam_azure_options_init(opts, C.IPAM_AZURE_OPTIONS_VERSION)
	if o != nil {
		opts.subscription, opts.tenant = cs.str(o.Subscription), cs.str(o.Tenant)
		opts.client_id, opts.client_secret, opts.access_token = cs.str(o.ClientID), cs.str(o.ClientSecret), cs.str(o.AccessToken)
		opts.login_endpoint, opts.arm_endpoint = cs.str(o.LoginEndpoint), cs.str(o.ARMEndpoint)
		opts.timeout_ms, opts.max_pages = C.uint(o.Timeout.Milliseconds()), C.uint(o.MaxPages)
		opts.now = unixOr(o.Now)
	}
}

func cGCPOptions(o *GCPOptions, cs *cstrings, opts *C.ipam_gcp_options) {
	C.ipam_gcp_options_init(opts, C.IPAM_GCP_OPTIONS_VERSION)
	if o != nil {
		opts.project, opts.access_token, opts.endpoint = cs.str(o.Project), cs.str(o.AccessToken), cs.str(o.Endpoint)
		opts.timeout_ms, opts.max_pages = C.uint(o.Timeout.Milliseconds()), C.uint(o.MaxPages)
		opts.now = unixOr(o.Now)
	}
}

// CloudDNSOptions of the cloud DNS reads; nil: public zones into the space
// and view "default", no derived records, for real.
type CloudDNSOptions struct {
	Space   string // the space a zone made by the read is bound to
	View    string // the DNS view of the zones
	Zone    string // read only this zone ("example.com"); "": every zone
	Derive  bool   // zones made derive A/AAAA/PTR from the space's addresses
	Private bool   // private zones too
	DryRun  bool   // report what the read would do; nothing written
}

// CloudDNSZone is what a read did to one zone: RRsets ("OWNER. TYPE")
// added, changed and unchanged, the hand records a changed RRset lost, and
// the cloud's records it skipped, with why.
type CloudDNSZone struct {
	Zone      string   `json:"zone"`
	ID        string   `json:"id"`
	Created   bool     `json:"created"`
	Added     []string `json:"added"`
	Changed   []string `json:"changed"`
	Unchanged []string `json:"unchanged"`
	Removed   []string `json:"removed"`
	Skipped   []struct {
		Record string `json:"record"`
		Reason string `json:"reason"`
	} `json:"skipped"`
}

// CloudDNSReport is the report of a cloud DNS read, per zone and in total.
type CloudDNSReport struct {
	Provider  string         `json:"provider"`
	DryRun    bool           `json:"dry_run"`
	Zones     []CloudDNSZone `json:"zones"`
	Added     int            `json:"added"`
	Changed   int            `json:"changed"`
	Unchanged int            `json:"unchanged"`
	Removed   int            `json:"removed"`
	Skipped   int            `json:"skipped"`
}

// cloudDNS runs a cloud DNS read with o and decodes its report.
func (db *DB) cloudDNS(ctx context.Context, o *CloudDNSOptions, cs *cstrings,
	fn func(c *C.ipam_db, b *C.ipam_buf, opts *C.ipam_cloud_dns_options) C.int) (CloudDNSReport, error) {
	var opts C.ipam_cloud_dns_options
	C.ipam_cloud_dns_options_init(&opts, C.IPAM_CLOUD_DNS_OPTIONS_VERSION)
	if o != nil {
		opts.space, opts.view, opts.zone = cs.str(o.Space), cs.str(o.View), cs.str(o.Zone)
		opts.derive, opts.include_private, opts.dry_run = cbool(o.Derive), cbool(o.Private), cbool(o.DryRun)
	}
	var out CloudDNSReport
	err := db.callJSON(ctx, &out, func(c *C.ipam_db, b *C.ipam_buf) C.int { return fn(c, b, &opts) })
	return out, err
}

// CloudDNSAWS reads an AWS account's Route 53 hosted zones into the
// database's zones and hand records (aws as for DiscoverAWS; Region is
// not needed). ErrAuth, ErrIO name the provider; nothing is written then.
func (db *DB) CloudDNSAWS(ctx context.Context, aws *AWSOptions, o *CloudDNSOptions) (CloudDNSReport, error) {
	var cs cstrings
	defer cs.free()
	var a C.ipam_aws_options
	cAWSOptions(aws, &cs, &a)
	return db.cloudDNS(ctx, o, &cs, func(c *C.ipam_db, b *C.ipam_buf, opts *C.ipam_cloud_dns_options) C.int {
		return C.ipam_cloud_dns_aws(b, c, &a, opts)
	})
}

// CloudDNSAzure reads a subscription's Azure DNS zones as CloudDNSAWS does.
func (db *DB) CloudDNSAzure(ctx context.Context, azure *AzureOptions, o *CloudDNSOptions) (CloudDNSReport, error) {
	var cs cstrings
	defer cs.free()
	var a C.ipam_azure_options
	cAzureOptions(azure, &cs, &a)
	return db.cloudDNS(ctx, o, &cs, func(c *C.ipam_db, b *C.ipam_buf, opts *C.ipam_cloud_dns_options) C.int {
		return C.ipam_cloud_dns_azure(b, c, &a, opts)
	})
}

// CloudDNSGCP reads a project's Cloud DNS managed zones as CloudDNSAWS
// does (Endpoint: the Cloud DNS API).
func (db *DB) CloudDNSGCP(ctx context.Context, gcp *GCPOptions, o *CloudDNSOptions) (CloudDNSReport, error) {
	var cs cstrings
	defer cs.free()
	var g C.ipam_gcp_options
	cGCPOptions(gcp, &cs, &g)
	return db.cloudDNS(ctx, o, &cs, func(c *C.ipam_db, b *C.ipam_buf, opts *C.ipam_cloud_dns_options) C.int {
		return C.ipam_cloud_dns_gcp(b, c, &g, opts)
	})
}

// Credential is a stored credential for the probes: Type "aws" (ID the
// access key id, Secret2 a session token), "azure" (ID the client id,
// Tenant), "gcp" (Secret an access token) or "snmpv3" (ID the user,
// Secret and Secret2 the auth and priv pass phrases).
type Credential struct {
	Type, ID, Tenant, Secret, Secret2 string
}

// StoredCredential is a credential as listed: no secret.
type StoredCredential struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	ID     string `json:"id"`
	Tenant string `json:"tenant"`
}

// AddCredential stores a credential, its secrets sealed at once.
// ErrExists unless replace; ErrInvalid names a missing field, never a secret.
func (db *DB) AddCredential(ctx context.Context, name string, cr Credential, replace bool) error {
	var cs cstrings
	defer cs.free()
	var c C.ipam_credential
	c.version = C.IPAM_CREDENTIAL_VERSION
	c._type, c.id, c.tenant = cs.str(cr.Type), cs.str(cr.ID), cs.str(cr.Tenant)
	c.secret, c.secret2 = cs.str(cr.Secret), cs.str(cr.Secret2)
	return db.call(ctx, name, func(d *C.ipam_db, n *C.char) C.int { return C.ipam_credential_add(d, n, &c, cbool(replace)) })
}

// RemoveCredential removes a credential.
func (db *DB) RemoveCredential(ctx context.Context, name string) error {
	return db.call(ctx, name, func(d *C.ipam_db, n *C.char) C.int { return C.ipam_credential_rm(d, n) })
}

// Credentials lists the stored credentials, without their secrets.
func (db *DB) Credentials(ctx context.Context) ([]StoredCredential, error) {
	out := []StoredCredential{}
	err := db.callJSON(ctx, &out, func(d *C.ipam_db, b *C.ipam_buf) C.int { return C.ipam_credential_list(b, d) })
	return out, err
}

// Credential reads a credential with its secrets unsealed, for a probe;
// the C copy is wiped before it returns (Go strings cannot be: keep the
// value no longer than needed).
func (db *DB) Credential(ctx context.Context, name string) (Credential, error) {
	var out Credential
	var store C.ipam_buf
	defer C.ipam_credential_wipe(&store)
	err := db.call(ctx, name, func(d *C.ipam_db, n *C.char) C.int {
		var c C.ipam_credential
		c.version = C.IPAM_CREDENTIAL_VERSION
		rc := C.ipam_credential_get(&c, &store, d, n)
		if rc == 0 {
			out = Credential{goString(c._type), goString(c.id), goString(c.tenant), goString(c.secret), goString(c.secret2)}
		}
		return rc
	})
	return out, err
}
