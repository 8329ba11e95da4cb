package ipam

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The DHCP model (include/ipam/dhcp.h): every call, renders checked by
// kea-dhcp4 -t, kea-dhcp6 -t and dhcpd -t, imports and lease files of
// tests/dhcp/fixtures, and a push and a lease sync against a real
// kea-ctrl-agent + kea-dhcp4 on 127.0.0.1.

func fixture(t *testing.T, name string) string {
	return filepath.Join(os.Getenv("IPAM_SRC"), "tests", "dhcp", "fixtures", name)
}

// accepted checks that a real tool accepts a render.
func accepted(t *testing.T, name, text string, argv ...string) {
	t.Helper()
	if _, err := exec.LookPath(argv[0]); err != nil {
		t.Fatal(argv[0] + " is not installed")
	}
	p := filepath.Join(t.TempDir(), name)
	must(t, os.WriteFile(p, []byte(text), 0o644))
	if out, err := exec.Command(argv[0], append(argv[1:], p)...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s\n%s", argv, err, out, text)
	}
}

func TestDHCPModel(t *testing.T) {
	db := open(t, "memory:")
	must(t, db.AddDHCPServer(bg, "dhcpd-1", &DHCPServer{Type: DHCPD}, false))
	must(t, db.AddOptionTemplate(bg, "office"))
	must(t, db.SetOption(bg, TemplateTarget("office"), "domain-name-servers", "192.0.2.53"))
	must(t, db.SetOption(bg, OptionTarget{}, "domain-name", "example.test"))
	must(t, db.AddScope(bg, "lan", pfx("192.0.2.0/24"), &ScopeOptions{Template: "office", Servers: []string{"dhcpd-1"},
		Valid: time.Hour, Description: "ground floor"}))
	must(t, db.AddPool(bg, "lan", addr("192.0.2.100"), addr("192.0.2.199"),
		[]AddrRange{{addr("192.0.2.150"), addr("192.0.2.159")}}))
	must(t, db.AddReservation(bg, "lan", addr("192.0.2.10"), "mac:00:00:5e:00:53:10", "printer"))
	must(t, db.AddReservation(bg, "lan", addr("192.0.2.11"), "client-id:01aabbccddeeff", ""))
	must(t, db.SetOption(bg, ScopeTarget("lan"), "routers", "192.0.2.1"))
	must(t, db.SetOption(bg, PoolTarget("lan", addr("192.0.2.100")), "ntp-servers", "192.0.2.123"))
	must(t, db.SetOption(bg, ReservationTarget("lan", addr("192.0.2.10")), "boot-file-name", "pxelinux.0"))
	must(t, db.DefineOption(bg, 4, 0, 224, "site-id", "uint16"))
	must(t, db.SetOption(bg, ScopeTarget("lan"), "224", "7"))
	must(t, db.AddScope(bg, "lan6", pfx("2001:db8:1::/64"), &ScopeOptions{Servers: []string{"dhcpd-1"}}))
	must(t, db.AddPool(bg, "lan6", addr("2001:db8:1::100"), addr("2001:db8:1::1ff"), nil))
	must(t, db.SetOption(bg, GlobalTarget(6), "dns-servers", "2001:db8::53"))

	scopes, err := db.Scopes(bg)
	must(t, err)
	if len(scopes) != 2 || scopes[0].Name != "lan" || scopes[0].Prefix != pfx("192.0.2.0/24") || scopes[0].ID != 1 ||
		scopes[0].Template != "office" || scopes[0].Pools != 1 || scopes[0].Reservations != 2 ||
		strings.Join(scopes[0].Servers, ",") != "dhcpd-1" {
		t.Fatalf("%+v", scopes)
	}
	s, err := db.Scope(bg, "lan")
	must(t, err)
	eff := map[string]string{}
	for _, o := range s.EffectiveOptions {
		eff[o.Name] = o.Value
	}
	if s.Valid != 3600 || len(s.Pools) != 1 || s.Pools[0].Start != addr("192.0.2.100") ||
		s.Pools[0].Exclusions[0].End != addr("192.0.2.159") || s.Pools[0].Options[0].Name != "ntp-servers" ||
		fmt.Sprint(eff) != "map[domain-name:example.test domain-name-servers:192.0.2.53 routers:192.0.2.1 site-id:7]" {
		t.Fatalf("%+v", s)
	}
	res, err := db.Reservations(bg, "lan")
	must(t, err)
	if len(res) != 2 || res[0].MAC != "00:00:5e:00:53:10" || res[0].Hostname != "printer" || res[1].ClientID != "01aabbccddeeff" {
		t.Fatalf("%+v", res)
	}
	opts, err := db.Options(bg, ReservationTarget("lan", addr("192.0.2.10")))
	must(t, err)
	if len(opts) != 1 || opts[0].Value != "pxelinux.0" || opts[0].Code != 67 {
		t.Fatalf("%+v", opts)
	}
	if opts, err = db.Options(bg, GlobalTarget(6)); err != nil || len(opts) != 1 || opts[0].Family != 6 {
		t.Fatalf("%+v %v", opts, err)
	}
	tpl, err := db.OptionTemplates(bg)
	must(t, err)
	if len(tpl) != 1 || tpl[0].Name != "office" || tpl[0].Scopes[0] != "lan" || tpl[0].Options[0].Value != "192.0.2.53" {
		t.Fatalf("%+v", tpl)
	}
	a, err := db.Address(bg, "", addr("192.0.2.10"))
	must(t, err)
	if a.Status != StatusReserved {
		t.Fatal(a.Status)
	}
	// SetScope without Set replaces every setting
	must(t, db.SetScope(bg, "lan", &ScopeOptions{Template: "office", Servers: []string{"dhcpd-1"}, Valid: 2 * time.Hour}))
	if s, err = db.Scope(bg, "lan"); err != nil || s.Description != "" || s.Valid != 7200 || len(s.Pools) != 1 {
		t.Fatalf("%+v %v", s, err)
	}
	// with Set, only what it names; the rest is kept
	must(t, db.SetScope(bg, "lan", &ScopeOptions{Description: "second floor", Set: SetDescription}))
	if s, err = db.Scope(bg, "lan"); err != nil || s.Description != "second floor" || s.Valid != 7200 ||
		s.Template != "office" || len(s.Servers) != 1 {
		t.Fatalf("%+v %v", s, err)
	}
	must(t, db.SetScope(bg, "lan", &ScopeOptions{Set: SetDescription | SetRenew}))
	if s, err = db.Scope(bg, "lan"); err != nil || s.Description != "" || s.Valid != 7200 {
		t.Fatalf("%+v %v", s, err)
	}
	wantErr(t, db.SetScope(bg, "lan", &ScopeOptions{Servers: []string{"ghost"}, Set: SetServers}), ErrNotFound,
		"scope lan: no server ghost")
	wantErr(t, db.AddScope(bg, "x", pfx("203.0.113.0/24"), &ScopeOptions{Template: "nope"}), ErrNotFound,
		"no option template nope")

	// renders the real tools accept
	kea4, err := db.RenderDHCP(bg, Kea4Config, "", `{"Dhcp4": {"valid-lifetime": 999}}`)
	must(t, err)
	accepted(t, "kea4.json", kea4, "kea-dhcp4", "-t")
	if !strings.Contains(kea4, `"valid-lifetime":	999`) && !strings.Contains(kea4, `"valid-lifetime": 999`) {
		t.Fatal(kea4)
	}
	kea6, err := db.RenderDHCP(bg, Kea6Config, "dhcpd-1", "")
	must(t, err)
	accepted(t, "kea6.json", kea6, "kea-dhcp6", "-t")
	conf, err := db.RenderDHCP(bg, DHCPDConfig, "dhcpd-1", "")
	must(t, err)
	accepted(t, "dhcpd.conf", conf, "dhcpd", "-4", "-t", "-q", "-cf")
	if !strings.Contains(conf, "range 192.0.2.100 192.0.2.149;") {
		t.Fatal(conf)
	}
	// ISC failover
	must(t, db.AddDHCPServer(bg, "isc-a", &DHCPServer{Type: DHCPD, FailoverAddress: addr("127.0.0.1")}, false))
	must(t, db.AddDHCPServer(bg, "isc-b", &DHCPServer{Type: DHCPD, FailoverAddress: addr("127.0.0.2"), FailoverPort: 847}, false))
	must(t, db.AddScope(bg, "branch", pfx("198.51.100.0/24"), &ScopeOptions{HAPrimary: "isc-a", HAStandby: "isc-b"}))
	must(t, db.AddPool(bg, "branch", addr("198.51.100.50"), addr("198.51.100.150"), nil))
	conf, err = db.RenderDHCP(bg, DHCPDConfig, "isc-b", "")
	must(t, err)
	accepted(t, "isc-b.conf", conf, "dhcpd", "-4", "-t", "-q", "-cf")
	if !strings.Contains(conf, "\tsecondary;\n") {
		t.Fatal(conf)
	}
	servers, err := db.DHCPServers(bg)
	must(t, err)
	if len(servers) != 3 || servers[1].Type != "dhcpd" || servers[2].FailoverPort != 847 {
		t.Fatalf("%+v", servers)
	}
	must(t, db.RemoveScope(bg, "branch", false))

	// errors
	wantErr(t, db.SetOption(bg, ScopeTarget("lan"), "routers", "192.0.2.300"), ErrInvalid,
		`scope lan: option routers (3): "192.0.2.300" is not an IPv4 address`)
	wantErr(t, db.AddScope(bg, "lan2", pfx("192.0.2.0/25"), nil), ErrExists, "overlaps scope lan")
	_, err = db.Scope(bg, "nope")
	wantErr(t, err, ErrNotFound)
	must(t, db.AddAddress(bg, addr("192.0.2.20"), nil))
	wantErr(t, db.AddPool(bg, "lan", addr("192.0.2.20"), addr("192.0.2.30"), nil), ErrInUse, "192.0.2.20")
	wantErr(t, db.AddReservation(bg, "lan", addr("192.0.2.20"), "00:00:5e:00:53:20", ""), ErrInUse)
	wantErr(t, db.RemoveOptionTemplate(bg, "office"), ErrInUse, "scope lan uses it")
	wantErr(t, db.RemoveDHCPServer(bg, "dhcpd-1"), ErrInUse)
	wantErr(t, db.DefineOption(bg, 4, 0, 225, "site-id", "uint8"), ErrExists)
	wantErr(t, db.AddOptionTemplate(bg, "office"), ErrExists)
	_, err = db.RenderDHCP(bg, Kea4Config, "nope", "")
	wantErr(t, err, ErrNotFound)
	_, err = db.PushDHCP(bg, "dhcpd-1", true)
	wantErr(t, err, ErrInvalid)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err = db.PushDHCP(ctx, "dhcpd-1", false); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if _, _, err = db.SyncLeases(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if _, _, err = db.ImportDHCP(ctx, KeaImport, nil, "", nil); !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}

	// removals
	must(t, db.RemovePool(bg, "lan", addr("192.0.2.100")))
	must(t, db.RemoveReservation(bg, "lan", addr("192.0.2.11")))
	must(t, db.RemoveOption(bg, ScopeTarget("lan"), "routers"))
	wantErr(t, db.RemoveOption(bg, ScopeTarget("lan"), "routers"), ErrNotFound, "no option routers set")
	must(t, db.RemoveScope(bg, "lan", false))
	must(t, db.RemoveScope(bg, "lan6", true))
	_, err = db.Address(bg, "", addr("192.0.2.10"))
	wantErr(t, err, ErrNotFound)
	must(t, db.RemoveOptionTemplate(bg, "office"))
	for _, n := range []string{"dhcpd-1", "isc-a", "isc-b"} {
		must(t, db.RemoveDHCPServer(bg, n))
	}
	wantErr(t, db.RemoveScope(bg, "lan", false), ErrNotFound)
}

func TestDHCPImportAndLeaseFiles(t *testing.T) {
	db := open(t, "memory:")
	text, err := os.ReadFile(fixture(t, "kea-dhcp4.conf"))
	must(t, err)
	n, _, err := db.ImportDHCP(bg, KeaImport, text, "kea-dhcp4.conf", nil)
	must(t, err)
	if n < 2 {
		t.Fatal(n)
	}
	_, _, err = db.ImportDHCP(bg, KeaImport, text, "again.conf", nil)
	wantErr(t, err, ErrExists)
	_, _, err = db.ImportDHCP(bg, KeaImport, []byte(`{"Dhcp4": {"subnet4": [{"subnet": "300.0.0.0/8"}]}}`), "broken.conf", nil)
	wantErr(t, err, ErrInvalid, "broken.conf")
	_, _, err = db.ImportDHCPFile(bg, KeaImport, fixture(t, "no-such.conf"), nil)
	wantErr(t, err, ErrIO, "no-such.conf")
	_, _, err = db.ImportDHCP(bg, KeaImport, nil, fixture(t, "kea-dhcp4.conf"), nil) // a text, even empty
	wantErr(t, err, ErrInvalid)

	other := open(t, "memory:")
	must(t, other.AddDHCPServer(bg, "dhcpd-1", &DHCPServer{Type: DHCPD}, false))
	n, notes, err := other.ImportDHCPFile(bg, DHCPDImport, fixture(t, "isc_dhcpd.conf"), &DHCPImportOptions{Server: "dhcpd-1"})
	must(t, err)
	if n < 3 || !strings.Contains(notes, "printer-02.example.com is a name") {
		t.Fatal(n, notes)
	}
	st, report, err := other.SyncLeases(bg, &LeaseSyncOptions{Path: fixture(t, "kea-leases4.csv")})
	must(t, err)
	if st.Added < 1 || report != "" {
		t.Fatalf("%+v %q", st, report)
	}
	a, err := other.Address(bg, "", addr("192.0.2.120"))
	must(t, err)
	if a.Status != StatusDHCP || a.MAC.String() != "00:00:5e:00:53:20" {
		t.Fatalf("%+v", a)
	}
	st, _, err = other.SyncLeases(bg, &LeaseSyncOptions{Path: fixture(t, "isc_dhcpd.leases"), Format: DHCPDLeases})
	must(t, err)
	if st.Added+st.Updated+st.Released < 1 {
		t.Fatalf("%+v", st)
	}
	_, _, err = other.SyncLeases(bg, &LeaseSyncOptions{Path: fixture(t, "no-such.csv")})
	wantErr(t, err, ErrIO)
}

// kea is kea-dhcp4 (memfile, the lease_cmds hook) behind kea-ctrl-agent
// with basic auth, as tests/cli/test_ipamctl_dhcp.py starts them.
type kea struct {
	url, user, password, dir string
}

const keaHooks = "/usr/lib/x86_64-linux-gnu/kea/hooks"

func startKea(t *testing.T) *kea {
	for _, exe := range []string{"kea-dhcp4", "kea-ctrl-agent"} {
		if _, err := exec.LookPath(exe); err != nil {
			t.Fatal(exe + " is not installed")
		}
	}
	d := t.TempDir()
	k := &kea{url: fmt.Sprintf("http://127.0.0.1:%d/", freePort(t)), user: "ipam", password: "kea-secret-7", dir: d}
	port := strings.TrimSuffix(k.url[len("http://127.0.0.1:"):], "/")
	sock := filepath.Join(d, "k4.sock")
	logger := func(name string) string {
		return fmt.Sprintf(`"loggers": [{"name": %q, "severity": "WARN", "output_options": [{"output": "stdout"}]}]`, name)
	}
	must(t, os.WriteFile(filepath.Join(d, "kea-dhcp4.conf"), []byte(fmt.Sprintf(`{"Dhcp4": {
		"interfaces-config": {"interfaces": ["lo"], "dhcp-socket-type": "udp"},
		"control-socket": {"socket-type": "unix", "socket-name": %q},
		"lease-database": {"type": "memfile", "persist": true, "lfc-interval": 0, "name": %q},
		"hooks-libraries": [{"library": %q}], "subnet4": [], %s}}`,
		sock, filepath.Join(d, "leases4.csv"), keaHooks+"/libdhcp_lease_cmds.so", logger("kea-dhcp4"))), 0o644))
	must(t, os.WriteFile(filepath.Join(d, "agent.conf"), []byte(fmt.Sprintf(`{"Control-agent": {
		"http-host": "127.0.0.1", "http-port": %s,
		"authentication": {"type": "basic", "realm": "kea", "clients": [{"user": %q, "password": %q}]},
		"control-sockets": {"dhcp4": {"socket-type": "unix", "socket-name": %q}}, %s}}`,
		port, k.user, k.password, sock, logger("kea-ctrl-agent"))), 0o644))
	log, err := os.Create(filepath.Join(d, "kea.log"))
	must(t, err)
	env := append(os.Environ(), "KEA_PIDFILE_DIR="+d, "KEA_LOCKFILE_DIR="+d)
	for _, argv := range [][]string{
		{"kea-dhcp4", "-c", filepath.Join(d, "kea-dhcp4.conf"), "-p", fmt.Sprint(freePort(t))},
		{"kea-ctrl-agent", "-c", filepath.Join(d, "agent.conf")},
	} {
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr, cmd.Env = log, log, env
		must(t, cmd.Start())
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	}
	t.Cleanup(func() { log.Close() })
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(25 * time.Millisecond) {
		if r, err := k.command("list-commands", nil); err == nil && r.Result == 0 {
			return k
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(d, "kea.log"))
			t.Fatalf("Kea did not come up: %s", b)
		}
	}
}

type keaAnswer struct {
	Result    int             `json:"result"`
	Text      string          `json:"text"`
	Arguments json.RawMessage `json:"arguments"`
}

// command sends one command to kea-dhcp4 through the agent.
func (k *kea) command(command string, args any) (keaAnswer, error) {
	body := map[string]any{"command": command, "service": []string{"dhcp4"}}
	if args != nil {
		body["arguments"] = args
	}
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", k.url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(k.user+":"+k.password)))
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return keaAnswer{}, err
	}
	defer resp.Body.Close()
	var out []keaAnswer
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out) != 1 {
		return keaAnswer{}, fmt.Errorf("agent answer: %v", err)
	}
	return out[0], nil
}

func (k *kea) subnets(t *testing.T) []map[string]any {
	r, err := k.command("config-get", nil)
	must(t, err)
	var cfg struct {
		Dhcp4 struct{ Subnet4 []map[string]any }
	}
	must(t, json.Unmarshal(r.Arguments, &cfg))
	return cfg.Dhcp4.Subnet4
}

func TestDHCPWithKea(t *testing.T) {
	k := startKea(t)
	db := open(t, "memory:") // it keeps a key of its own to seal the password with
	srv := &DHCPServer{URL: k.url, User: k.user, Password: k.password, WriteDir: k.dir, Timeout: 5 * time.Second}
	must(t, db.AddDHCPServer(bg, "kea", srv, false))
	wantErr(t, db.AddDHCPServer(bg, "kea", srv, false), ErrExists)
	must(t, db.AddDHCPServer(bg, "kea", srv, true))
	servers, err := db.DHCPServers(bg)
	must(t, err)
	if len(servers) != 1 || servers[0].Password != "(sealed)" || servers[0].Type != "kea" || servers[0].URL != k.url {
		t.Fatalf("%+v", servers)
	}
	must(t, db.AddScope(bg, "lan", pfx("192.0.2.0/24"), &ScopeOptions{Servers: []string{"kea"}}))
	must(t, db.AddPool(bg, "lan", addr("192.0.2.100"), addr("192.0.2.199"), nil))
	must(t, db.AddReservation(bg, "lan", addr("192.0.2.10"), "00:00:5e:00:53:10", "printer.example.test"))

	dry, err := db.PushDHCP(bg, "kea", true)
	must(t, err)
	if !strings.Contains(dry, `"192.0.2.0/24"`) || len(k.subnets(t)) != 0 {
		t.Fatal(dry)
	}
	_, err = db.PushDHCP(bg, "kea", false)
	must(t, err)
	subs := k.subnets(t)
	if len(subs) != 1 || subs[0]["subnet"] != "192.0.2.0/24" {
		t.Fatalf("%+v", subs)
	}
	if servers, err = db.DHCPServers(bg); err != nil || servers[0].Pushed["dhcp4"].Result != "ok" ||
		len(servers[0].Pushed["dhcp4"].Digest) != 64 {
		t.Fatalf("%+v %v", servers, err)
	}

	for _, l := range [][2]string{{"192.0.2.120", "00:00:5e:00:53:20"}, {"192.0.2.121", "00:00:5e:00:53:21"}} {
		r, err := k.command("lease4-add", map[string]any{"ip-address": l[0], "hw-address": l[1], "subnet-id": 1})
		if err != nil || r.Result != 0 {
			t.Fatal(r, err)
		}
	}
	st, _, err := db.SyncLeases(bg, &LeaseSyncOptions{Server: "kea"})
	must(t, err)
	if st.Added != 2 || st.Released != 0 {
		t.Fatalf("%+v", st)
	}
	if r, err := k.command("lease4-del", map[string]any{"ip-address": "192.0.2.120"}); err != nil || r.Result != 0 {
		t.Fatal(r, err)
	}
	st, _, err = db.SyncLeases(bg, &LeaseSyncOptions{Server: "kea"})
	must(t, err)
	if st.Added != 0 || st.Updated != 1 || st.Released != 1 {
		t.Fatalf("%+v", st)
	}
	_, err = db.Address(bg, "", addr("192.0.2.120"))
	wantErr(t, err, ErrNotFound)

	// a lease with a host name: its A and PTR records follow, pushed to a real named
	zones := map[string]string{}
	for _, z := range []string{"example.test", "2.0.192.in-addr.arpa"} {
		must(t, db.AddZone(bg, z, &ZoneOptions{NS: []string{"ns1.example.test."}, RName: "hostmaster.example.test.", TTL: 60}))
	}
	must(t, db.AddRecord(bg, "example.test", "", "ns1 A 192.0.2.53"))
	for _, z := range []string{"example.test.", "2.0.192.in-addr.arpa."} {
		text, err := db.RenderZone(bg, z, "")
		must(t, err)
		zones[z] = text
	}
	ns := startNamed(t, zones)
	must(t, db.AddDNSServer(bg, "ns", &DNSServer{Address: addr("127.0.0.1"), Port: uint16(ns.port), TSIGName: ns.keyName,
		TSIGSecret: ns.secret, Timeout: 2 * time.Second}, false))
	lease := map[string]any{"ip-address": "192.0.2.130", "hw-address": "00:00:5e:00:53:30", "subnet-id": 1,
		"hostname": "laptop.example.test"}
	if r, err := k.command("lease4-add", lease); err != nil || r.Result != 0 {
		t.Fatal(r, err)
	}
	st, report, err := db.SyncLeases(bg, &LeaseSyncOptions{Server: "kea", PushDNS: "ns"})
	must(t, err)
	if st.Added != 1 || st.ZonesPushed != 2 || !strings.Contains(report, "laptop.example.test") {
		t.Fatalf("%+v %q", st, report)
	}
	for z := range zones {
		if report, drift, err := db.DiffZone(bg, z, "", "ns"); err != nil || drift != 0 {
			t.Fatalf("%s: %d %v\n%s", z, drift, err, report)
		}
	}

	// a wrong password, nobody listening
	must(t, db.AddDHCPServer(bg, "bad", &DHCPServer{URL: k.url, User: k.user, Password: "wrong", Timeout: 5 * time.Second}, false))
	must(t, db.AddScope(bg, "lab", pfx("198.51.100.0/24"), &ScopeOptions{Servers: []string{"bad"}}))
	_, err = db.PushDHCP(bg, "bad", false)
	wantErr(t, err, ErrAuth)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	gone := "http://" + l.Addr().String() + "/"
	l.Close()
	must(t, db.AddDHCPServer(bg, "gone", &DHCPServer{URL: gone, Timeout: time.Second}, false))
	must(t, db.SetScope(bg, "lab", &ScopeOptions{Servers: []string{"gone"}}))
	_, err = db.PushDHCP(bg, "gone", false)
	wantErr(t, err, ErrIO)
	if len(k.subnets(t)) != 1 {
		t.Fatal("a failed push changed Kea")
	}
}

// TestEveryDHCPCallBound checks that dhcp.go calls every function of dhcp.h.
func TestEveryDHCPCallBound(t *testing.T) {
	h, err := os.ReadFile(filepath.Join(os.Getenv("IPAM_SRC"), "include", "ipam", "dhcp.h"))
	must(t, err)
	src, err := os.ReadFile("dhcp.go")
	must(t, err)
	names := regexp.MustCompile(`IPAM_EXTERN\(\w+\)\s+(ipam_\w+)\(`).FindAllSubmatch(h, -1)
	if len(names) != 29 {
		t.Fatalf("%d functions in dhcp.h", len(names))
	}
	for _, n := range names {
		if !bytes.Contains(src, []byte("C."+string(n[1])+"(")) {
			t.Errorf("dhcp.go does not call %s", n[1])
		}
	}
}
