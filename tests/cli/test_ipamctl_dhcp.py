"""ipamctl's DHCP commands (scope, pool, reserve, option, dhcp, lease) on an encrypted file.

The first test needs no server (renders are checked by kea-dhcp4 -t and dhcpd -t). The second
starts, once, kea-dhcp4 behind a kea-ctrl-agent with HTTP basic auth and a named with a TSIG key,
all on 127.0.0.1 in a temporary directory, and pushes to them: the DHCP server's password is
given in a file, sealed in the store and never printed; `dhcp push` sets Kea's config (seen in
its config-get), records the push state and an audit entry; leases added in Kea come back with
`lease sync --server` and, with --push-dns, their A and PTR records reach named.
"""
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

IPAMCTL = os.environ.get("IPAMCTL")
if not IPAMCTL:
    raise RuntimeError("set IPAMCTL to the ipamctl binary (meson test does)")
HOOKS = "/usr/lib/x86_64-linux-gnu/kea/hooks"


def ctl(db, *args, json_out=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPAM_")}
    # a raw key file: no passphrase stretching on each of the many runs
    key = db.parent / "ipam.key"
    if not key.exists():
        key.write_text(os.urandom(32).hex() + "\n")
    env["IPAM_KEY_FILE"] = str(key)
    cmd = [IPAMCTL, "--db", str(db)] + (["--json"] if json_out else []) + list(args)
    p = subprocess.run(cmd, capture_output=True, env=env, timeout=120)
    assert "Sanitizer" not in p.stderr.decode() and "runtime error" not in p.stderr.decode(), p.stderr
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def ok(db, *args, json_out=True):
    rc, out, err = ctl(db, *args, json_out=json_out)
    assert rc == 0, (args, out, err)
    return out


def items(out):
    """A list command's --json output: one JSON object a line."""
    return [json.loads(line) for line in out.splitlines()]


def fails(db, code, part, *args):
    rc, out, err = ctl(db, *args)
    assert rc != 0, (args, out)
    text = out if out.startswith("{") else err
    e = json.loads(text)["error"] if text.startswith("{") else {"code": "", "message": text}
    assert e["code"] == code and part in e["message"], (args, e)


def accepted(path, *cmd):
    p = subprocess.run(list(cmd) + [str(path)], capture_output=True, timeout=60)
    assert p.returncode == 0, (cmd, p.stdout.decode(), p.stderr.decode(), path.read_text())


def setup_scopes(db):
    ok(db, "init")
    ok(db, "dhcp", "server", "add", "dhcpd-1", "--type", "dhcpd")
    ok(db, "option", "template", "add", "office")
    ok(db, "option", "set", "domain-name-servers", "192.0.2.53", "--template", "office")
    ok(db, "option", "set", "domain-name", "example.test")


def test_dhcp_commands(tmp_path):
    if not shutil.which("kea-dhcp4") or not shutil.which("dhcpd"):
        pytest.fail("kea-dhcp4 or dhcpd is not installed: .ci/packages installs them")
    db = tmp_path / "ipam.db"
    setup_scopes(db)
    s = json.loads(ok(db, "scope", "add", "lan", "192.0.2.0/24", "--template", "office", "--server", "dhcpd-1",
                      "--ttl", "3600", "--description", "ground floor"))
    assert s["name"] == "lan" and s["prefix"] == "192.0.2.0/24" and s["id"] == 1 and s["valid"] == 3600
    ok(db, "pool", "add", "lan", "192.0.2.100-192.0.2.199", "--exclude", "192.0.2.150-192.0.2.159")
    ok(db, "reserve", "add", "lan", "192.0.2.10", "--mac", "00:00:5e:00:53:10", "--hostname", "printer")
    ok(db, "reserve", "add", "lan", "192.0.2.11", "--client-id", "01aabbccddeeff")
    ok(db, "option", "set", "routers", "192.0.2.1", "--scope", "lan")
    ok(db, "option", "set", "ntp-servers", "192.0.2.123", "--scope", "lan", "--pool", "--address", "192.0.2.100")
    ok(db, "option", "set", "boot-file-name", "pxelinux.0", "--scope", "lan", "--address", "192.0.2.10")
    ok(db, "option", "define", "site-id", "224", "uint16")
    ok(db, "option", "set", "site-id", "7", "--scope", "lan")
    # lists, JSON and human
    lst = items(ok(db, "scope", "list"))
    assert lst == [{"name": "lan", "space": "default", "prefix": "192.0.2.0/24", "id": 1, "template": "office",
                    "description": "ground floor", "servers": ["dhcpd-1"], "pools": 1, "reservations": 2}]
    assert "lan\tdefault\t192.0.2.0/24\tid 1" in ok(db, "scope", "list", json_out=False)
    r = items(ok(db, "reserve", "list", "lan"))
    assert [x["address"] for x in r] == ["192.0.2.10", "192.0.2.11"] and r[1]["client_id"] == "01aabbccddeeff"
    assert "192.0.2.10\tmac 00:00:5e:00:53:10\tprinter" in ok(db, "reserve", "list", "lan", json_out=False)
    show = json.loads(ok(db, "scope", "show", "lan"))
    eff = {o["name"]: o["value"] for o in show["effective_options"]}
    assert eff == {"domain-name": "example.test", "domain-name-servers": "192.0.2.53", "routers": "192.0.2.1",
                   "site-id": "7"}, eff
    assert items(ok(db, "option", "list", "--scope", "lan", "--address", "192.0.2.10"))[0]["value"] == "pxelinux.0"
    assert "domain-name (15)\texample.test" in ok(db, "option", "list", json_out=False)
    t = items(ok(db, "option", "template", "list"))
    assert t[0]["name"] == "office" and t[0]["scopes"] == ["lan"]
    # the pool and the reservations are in the address index
    assert json.loads(ok(db, "ip", "show", "192.0.2.10"))["status"] == "reserved"
    fails(db, "EXISTS", "192.0.2.10", "ip", "add", "192.0.2.10")
    # scope set: what is given replaces, the rest stays
    s = json.loads(ok(db, "scope", "set", "lan", "--description", "first floor"))
    assert s["description"] == "first floor" and s["template"] == "office" and s["valid"] == 3600
    assert s["servers"] == ["dhcpd-1"] and len(s["pools"]) == 1
    s = json.loads(ok(db, "scope", "set", "lan", "--description", ""))
    assert "description" not in s and s["template"] == "office"
    # bad input: clear errors, nothing written
    fails(db, "INVAL", "scope lan: option routers (3): \"192.0.2.300\" is not an IPv4 address",
          "option", "set", "routers", "192.0.2.300", "--scope", "lan")
    fails(db, "EXISTS", "overlaps scope lan", "scope", "add", "lan2", "192.0.2.0/25")
    ok(db, "ip", "add", "192.0.2.20")
    fails(db, "INUSE", "192.0.2.20 (active) lies in a pool", "pool", "add", "lan", "192.0.2.20-192.0.2.30")
    fails(db, "INUSE", "scope lan uses it", "option", "template", "rm", "office")
    rc, out, err = ctl(db, "reserve", "add", "lan", "192.0.2.12")
    assert rc == 2 and "one of --mac, --client-id, --duid" in err
    # renders the real tools accept
    conf = tmp_path / "dhcpd.conf"
    ok(db, "dhcp", "render", "--format", "dhcpd", "--server", "dhcpd-1", "-o", str(conf))
    accepted(conf, "dhcpd", "-4", "-t", "-q", "-cf")
    assert "range 192.0.2.100 192.0.2.149;" in conf.read_text()
    kea = tmp_path / "kea4.json"
    kea.write_text(ok(db, "dhcp", "render", "--format", "kea4", json_out=False))
    accepted(kea, "kea-dhcp4", "-t")
    cfg = json.loads(kea.read_text())["Dhcp4"]
    assert cfg["subnet4"][0]["subnet"] == "192.0.2.0/24"
    assert {"name": "site-id", "code": 224, "space": "dhcp4", "type": "uint16"}.items() <= cfg["option-def"][0].items()
    # ISC failover: two dhcpd servers with their failover addresses, a scope served by the pair
    ok(db, "dhcp", "server", "add", "isc-a", "--type", "dhcpd", "--address", "127.0.0.1")
    ok(db, "dhcp", "server", "add", "isc-b", "--type", "dhcpd", "--address", "127.0.0.2", "--port", "847")
    ok(db, "scope", "add", "branch", "198.51.100.0/24", "--ha", "isc-a,isc-b")
    ok(db, "pool", "add", "branch", "198.51.100.50-198.51.100.150")
    for side, role in (("isc-a", "primary"), ("isc-b", "secondary")):
        conf = tmp_path / (side + ".conf")
        ok(db, "dhcp", "render", "--format", "dhcpd", "--server", side, "-o", str(conf))
        accepted(conf, "dhcpd", "-4", "-t", "-q", "-cf")
        assert "\t%s;\n" % role in conf.read_text() and 'failover peer "isc-a-isc-b";' in conf.read_text()
    fails(db, "INVAL", "'isc-a' is not PRIMARY,STANDBY", "scope", "add", "x", "203.0.113.0/24", "--ha", "isc-a")
    ok(db, "scope", "rm", "branch")
    # removals: pool, reservation, option, then the scope with what it holds
    ok(db, "pool", "rm", "lan", "192.0.2.100")
    ok(db, "reserve", "rm", "lan", "192.0.2.11")
    ok(db, "option", "rm", "routers", "--scope", "lan")
    fails(db, "NOTFOUND", "no option routers set", "option", "rm", "routers", "--scope", "lan")
    ok(db, "scope", "rm", "lan")
    fails(db, "NOTFOUND", "", "ip", "show", "192.0.2.10")
    assert json.loads(ok(db, "ip", "show", "192.0.2.20"))["status"] == "active"
    assert items(ok(db, "range", "list")) == []
    assert items(ok(db, "scope", "list")) == []
    ok(db, "option", "template", "rm", "office")
    fails(db, "NOTFOUND", "no scope lan", "scope", "show", "lan")
    # adopting a running dhcpd: its config into scopes, served by dhcpd-1
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dhcp", "fixtures")
    imp = json.loads(ok(db, "dhcp", "import", "dhcpd", os.path.join(fixtures, "isc_dhcpd.conf"), "--server", "dhcpd-1"))
    assert imp["scopes"] >= 3 and "printer-02.example.com is a name" in imp["notes"], imp
    assert "net-192.0.2.0-24" in [x["name"] for x in items(ok(db, "scope", "list"))]
    fails(db, "EXISTS", "exists already", "dhcp", "import", "dhcpd", os.path.join(fixtures, "isc_dhcpd.conf"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Servers:
    """kea-dhcp4 behind kea-ctrl-agent (basic auth), and named, in one directory."""

    def __init__(self, d):
        self.dir, self.procs = d, []
        self.agent_port, self.dns_port = free_port(), free_port()
        self.user, self.password = "ipam", "kea-secret-7"
        self.url = "http://127.0.0.1:%d/" % self.agent_port

    def spawn(self, name, *argv):
        env = dict(os.environ, KEA_PIDFILE_DIR=str(self.dir), KEA_LOCKFILE_DIR=str(self.dir))
        log = open(self.dir / (name + ".log"), "w")
        self.procs.append(subprocess.Popen(list(argv), stdout=log, stderr=log, env=env))

    def start(self):
        d = self.dir
        (d / "kea-dhcp4.conf").write_text(json.dumps({"Dhcp4": {
            "interfaces-config": {"interfaces": ["lo"], "dhcp-socket-type": "udp"},
            "control-socket": {"socket-type": "unix", "socket-name": str(d / "k4.sock")},
            "lease-database": {"type": "memfile", "persist": True, "lfc-interval": 0, "name": str(d / "leases4.csv")},
            "hooks-libraries": [{"library": HOOKS + "/libdhcp_lease_cmds.so"}],
            "subnet4": [],
            "loggers": [{"name": "kea-dhcp4", "severity": "WARN", "output_options": [{"output": "stdout"}]}]}}))
        (d / "agent.conf").write_text(json.dumps({"Control-agent": {
            "http-host": "127.0.0.1", "http-port": self.agent_port,
            "authentication": {"type": "basic", "realm": "kea",
                               "clients": [{"user": self.user, "password": self.password}]},
            "control-sockets": {"dhcp4": {"socket-type": "unix", "socket-name": str(d / "k4.sock")}},
            "loggers": [{"name": "kea-ctrl-agent", "severity": "WARN", "output_options": [{"output": "stdout"}]}]}}))
        self.spawn("kea-dhcp4", "kea-dhcp4", "-c", str(d / "kea-dhcp4.conf"), "-p", str(free_port()))
        self.spawn("agent", "kea-ctrl-agent", "-c", str(d / "agent.conf"))
        self.key = base64.b64encode(os.urandom(32)).decode()
        zone = ("$TTL 300\n@ SOA ns1.example.test. hostmaster.example.test. 1 3600 900 1209600 300\n"
                "@ NS ns1.example.test.\nns1 A 192.0.2.53\n")
        (d / "example.test.zone").write_text(zone)
        (d / "rev.zone").write_text(zone.replace("ns1 A 192.0.2.53\n", ""))
        (d / "named.conf").write_text(
            'key "ipam" { algorithm hmac-sha256; secret "%s"; };\n'
            'options { directory "%s"; listen-on port %d { 127.0.0.1; }; listen-on-v6 { none; };\n'
            ' pid-file "%s/named.pid"; session-keyfile "%s/session.key"; recursion no; notify no;\n'
            ' allow-transfer { key "ipam"; }; };\ncontrols { };\n'
            'zone "example.test" { type primary; file "%s/example.test.zone"; allow-update { key "ipam"; }; };\n'
            'zone "2.0.192.in-addr.arpa" { type primary; file "%s/rev.zone"; allow-update { key "ipam"; }; };\n'
            % (self.key, d, self.dns_port, d, d, d, d))
        self.spawn("named", "named", "-g", "-c", str(d / "named.conf"), "-n", "1")
        for _ in range(400):
            try:
                if self.agent("list-commands")["result"] == 0 and self.dig("ns1.example.test", "A") == ["192.0.2.53"]:
                    return
            except OSError:
                pass
            time.sleep(0.025)
        raise RuntimeError("servers did not come up; logs in %s" % d)

    def agent(self, command, args=None, password=None):
        body = {"command": command, "service": ["dhcp4"]}
        if args is not None:
            body["arguments"] = args
        req = urllib.request.Request(self.url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        auth = "%s:%s" % (self.user, password or self.password)
        req.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read())[0]

    def dig(self, name, rtype):
        p = subprocess.run(["dig", "@127.0.0.1", "-p", str(self.dns_port), "+short", "+time=1", "+tries=1",
                            name, rtype], capture_output=True, timeout=10)
        if p.returncode:
            raise OSError("dig failed")
        return p.stdout.decode().split()

    def stop(self):
        for p in self.procs:
            p.send_signal(signal.SIGKILL)
            p.wait()


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    if not all(shutil.which(x) for x in ("kea-dhcp4", "kea-ctrl-agent", "named", "dig")):
        pytest.fail("kea-dhcp4, kea-ctrl-agent, named or dig is not installed: .ci/packages installs them")
    s = Servers(tmp_path_factory.mktemp("dhcp-servers"))
    try:
        s.start()
        yield s
    finally:
        s.stop()


def test_push_and_lease_sync(tmp_path, servers):
    db = tmp_path / "ipam.db"
    setup_scopes(db)
    pw = tmp_path / "kea.pw"
    pw.write_text(servers.password + "\n")
    ok(db, "dhcp", "server", "add", "kea", "--api-url", servers.url, "--user", servers.user,
       "--password-file", str(pw), "--write-dir", str(servers.dir))
    ok(db, "scope", "add", "lan", "192.0.2.0/24", "--template", "office", "--server", "kea")
    ok(db, "pool", "add", "lan", "192.0.2.100-192.0.2.199")
    ok(db, "reserve", "add", "lan", "192.0.2.10", "--mac", "00:00:5e:00:53:10", "--hostname", "printer.example.test")
    # the password never shows
    lst = ok(db, "dhcp", "server", "list")
    kea = [x for x in items(lst) if x["name"] == "kea"][0]
    assert servers.password not in lst and kea["password"] == "(sealed)" and kea["url"] == servers.url
    # dry run: the diff, nothing set
    dry = json.loads(ok(db, "dhcp", "push", "--server", "kea", "--dry-run"))
    assert '+\t\t\t\t"subnet":\t"192.0.2.0/24",' in dry["report"], dry["report"]
    assert servers.agent("config-get")["arguments"]["Dhcp4"]["subnet4"] == []
    # the push: Kea runs it, wrote it, and IPAM recorded it
    ok(db, "dhcp", "push", "--server", "kea")
    run = servers.agent("config-get")["arguments"]["Dhcp4"]
    sub = run["subnet4"][0]
    assert sub["subnet"] == "192.0.2.0/24" and sub["id"] == 1
    assert sub["pools"][0]["pool"] == "192.0.2.100-192.0.2.199"
    assert sub["reservations"][0]["hw-address"] == "00:00:5e:00:53:10"
    assert {"name": "domain-name-servers", "data": "192.0.2.53"}.items() <= sub["option-data"][0].items()
    assert (servers.dir / "kea-dhcp4.conf").read_text().count("192.0.2.0/24") == 1
    pushed = [x for x in items(ok(db, "dhcp", "server", "list")) if x["name"] == "kea"][0]["pushed"]["dhcp4"]
    assert pushed["result"] == "ok" and len(pushed["digest"]) == 64 and pushed["scopes"] == 1
    log = items(ok(db, "audit", "log"))
    assert [e["action"] for e in log].count("dhcp.push") == 1
    # a template change reaches the server at the next push
    ok(db, "option", "set", "domain-name-servers", "192.0.2.54", "--template", "office")
    ok(db, "dhcp", "push", "--server", "kea")
    sub = servers.agent("config-get")["arguments"]["Dhcp4"]["subnet4"][0]
    assert {"name": "domain-name-servers", "data": "192.0.2.54"}.items() <= sub["option-data"][0].items()
    # a wrong password: refused, said so, nothing changed
    pw.write_text("wrong\n")
    ok(db, "dhcp", "server", "add", "bad", "--api-url", servers.url, "--user", servers.user, "--password-file", str(pw))
    ok(db, "scope", "add", "lab", "198.51.100.0/24", "--server", "bad")
    fails(db, "AUTH", "refused the credentials", "dhcp", "push", "--server", "bad")
    assert len(servers.agent("config-get")["arguments"]["Dhcp4"]["subnet4"]) == 1

    # leases: added in Kea, synced into IPAM, their DNS records pushed to named
    ok(db, "server", "add", "ns", "--type", "rfc2136", "--address", "127.0.0.1", "--port", str(servers.dns_port),
       "--tsig-name", "ipam", "--tsig-secret-file", str(_write(tmp_path / "tsig", servers.key)))
    ok(db, "zone", "add", "example.test", "--ns", "ns1.example.test.")
    ok(db, "zone", "add", "2.0.192.in-addr.arpa", "--ns", "ns1.example.test.")
    ok(db, "record", "add", "example.test", "ns1 A 192.0.2.53")
    for addr, mac, host in (("192.0.2.120", "00:00:5e:00:53:20", "laptop.example.test"),
                            ("192.0.2.121", "00:00:5e:00:53:21", "")):
        lease = {"ip-address": addr, "hw-address": mac, "subnet-id": 1}
        if host:
            lease["hostname"] = host
        assert servers.agent("lease4-add", lease)["result"] == 0
    out = json.loads(ok(db, "lease", "sync", "--server", "kea", "--push-dns", "ns"))
    assert out["added"] == 2 and out["released"] == 0 and out["zones_pushed"] == 2, out
    ip = json.loads(ok(db, "ip", "show", "192.0.2.120"))
    assert ip["status"] == "dhcp" and ip["hostname"] == "laptop.example.test" and ip["mac"] == "00:00:5e:00:53:20"
    assert servers.dig("laptop.example.test", "A") == ["192.0.2.120"]
    assert servers.dig("120.2.0.192.in-addr.arpa", "PTR") == ["laptop.example.test."]
    # the lease goes: the address and its records go too
    assert servers.agent("lease4-del", {"ip-address": "192.0.2.120"})["result"] == 0
    out = json.loads(ok(db, "lease", "sync", "--server", "kea", "--push-dns", "ns"))
    assert out["released"] == 1 and out["updated"] == 1 and out["zones_pushed"] == 2, out
    fails(db, "NOTFOUND", "", "ip", "show", "192.0.2.120")
    assert servers.dig("laptop.example.test", "A") == []
    # a lease file too (Kea's own CSV)
    out = json.loads(ok(db, "lease", "sync", str(servers.dir / "leases4.csv")))
    assert out["updated"] == 1 and out["added"] == 0, out


def _write(path, text):
    path.write_text(text + "\n")
    return path


def test_the_issues_short_forms(tmp_path):
    """reserve ADDR --mac M (the scope that holds ADDR), option-template ..., lease sync --file PATH"""
    db = tmp_path / "ipam.db"
    ok(db, "init")
    ok(db, "scope", "add", "lan", "192.0.2.0/24")
    ok(db, "scope", "add", "lab", "198.51.100.0/24")
    ok(db, "reserve", "192.0.2.10", "--mac", "00:00:5e:00:53:10", "--hostname", "printer")
    ok(db, "reserve", "198.51.100.7", "--client-id", "01aabbccddeeff", "--scope", "lab")
    assert [r["address"] for r in items(ok(db, "reserve", "list", "lan"))] == ["192.0.2.10"]
    assert [r["address"] for r in items(ok(db, "reserve", "list", "lab"))] == ["198.51.100.7"]
    fails(db, "NOTFOUND", "no scope holds 203.0.113.5", "reserve", "203.0.113.5", "--mac", "00:00:5e:00:53:11")
    rc, out, err = ctl(db, "reserve", "bogus-word")
    assert rc == 1 and "reserve: bogus-word" in out + err, out + err
    ok(db, "option-template", "add", "office")
    assert [t["name"] for t in items(ok(db, "option-template", "list"))] == ["office"]
    ok(db, "option-template", "rm", "office")
    assert items(ok(db, "option-template", "list")) == []
    leases = tmp_path / "leases4.csv"
    leases.write_text("address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,"
                      "user_context\n192.0.2.77,00:00:5e:00:53:77,,3600,%d,1,0,0,kiosk,0,\n" % (int(time.time()) + 3600))
    out = json.loads(ok(db, "lease", "sync", "--file", str(leases)))
    assert out["added"] == 1, out
    rc, out, err = ctl(db, "lease", "sync", str(leases), "--file", str(leases))
    assert rc == 2 and "once" in out + err, out + err
