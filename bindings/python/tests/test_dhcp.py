"""The DHCP model (include/ipam/dhcp.h) from Python: scopes, pools,
reservations, options and templates, renders that kea-dhcp4 -t, kea-dhcp6 -t
and dhcpd -t accept, imports and lease files of tests/dhcp/fixtures, and a
real kea-dhcp4 behind kea-ctrl-agent on 127.0.0.1 (started once for this
file): pushes, lease sync from the server, the errors, and the GIL released
while a push waits."""

import ipaddress
import json
import shutil
import socket
import subprocess
import threading
import time

import pytest

import ipam
from servers import SRC, Kea, Named

FIXTURES = SRC / "tests" / "dhcp" / "fixtures"


def accepted(tmp_path, name, text, *cmd):
    """The real tool accepts the render (a failure when it is not installed: .ci/packages installs it)."""
    if not shutil.which(cmd[0]):
        pytest.fail(f"{cmd[0]} is not installed")
    path = tmp_path / name
    path.write_text(text)
    p = subprocess.run([*cmd, str(path)], capture_output=True, timeout=60)
    assert p.returncode == 0, (cmd, p.stdout.decode(), p.stderr.decode(), text)


def test_scopes_pools_reservations_options(db, tmp_path):
    db.add_dhcp_server("dhcpd-1", type="dhcpd")
    db.add_option_template("office")
    db.set_option("domain-name-servers", ["192.0.2.53", "198.51.100.53"], template="office")
    db.set_option("domain-name", "example.test")
    s = db.add_scope("lan", "192.0.2.0/24", template="office", servers=["dhcpd-1"], valid=3600,
                     description="ground floor")
    assert s["name"] == "lan" and s["prefix"] == "192.0.2.0/24" and s["id"] == 1 and s["valid"] == 3600
    db.add_pool("lan", ("192.0.2.100", "192.0.2.199"), exclude=[("192.0.2.150", "192.0.2.159")])
    db.add_reservation("lan", "192.0.2.10", "mac:00:00:5e:00:53:10", hostname="printer")
    db.add_reservation("lan", ipaddress.IPv4Address("192.0.2.11"), "client-id:01aabbccddeeff")
    db.set_option("routers", "192.0.2.1", scope="lan")
    db.set_option("ntp-servers", "192.0.2.123", scope="lan", pool="192.0.2.100")
    db.set_option("boot-file-name", "pxelinux.0", scope="lan", address="192.0.2.10")
    db.define_option("site-id", 224, "uint16")
    db.set_option(224, 7, scope="lan")
    db.add_scope("lan6", "2001:db8:1::/64", servers="dhcpd-1", preferred=1800)
    db.add_pool("lan6", "2001:db8:1::100-2001:db8:1::1ff")
    db.add_reservation("lan6", "2001:db8:1::10", "duid:000100011c3f5e6a001122334455")
    db.set_option("dns-servers", "2001:db8::53", family=6)

    assert db.scopes()[0] == {"name": "lan", "space": "default", "prefix": "192.0.2.0/24", "id": 1,
                              "template": "office", "description": "ground floor", "servers": ["dhcpd-1"],
                              "pools": 1, "reservations": 2}
    r = db.reservations("lan")
    assert [x["address"] for x in r] == ["192.0.2.10", "192.0.2.11"] and r[1]["client_id"] == "01aabbccddeeff"
    eff = {o["name"]: o["value"] for o in db.scope("lan")["effective_options"]}
    assert eff == {"domain-name": "example.test", "domain-name-servers": "192.0.2.53, 198.51.100.53",
                   "routers": "192.0.2.1", "site-id": "7"}, eff
    assert db.options(scope="lan", address="192.0.2.10")[0]["value"] == "pxelinux.0"
    assert db.options(scope="lan", pool="192.0.2.100-192.0.2.199")[0]["name"] == "ntp-servers"
    assert [o["name"] for o in db.options()] == ["domain-name"]
    assert [o["name"] for o in db.options(family=6)] == ["dns-servers"]
    t = db.option_templates()
    assert t[0]["name"] == "office" and t[0]["scopes"] == ["lan"]
    assert db.address("192.0.2.10").status == "reserved"
    assert [s["dhcp"] for s in db.dhcp_servers()] == ["dhcpd"]  # the kind, as dhcp.h says

    # set_scope changes what it is given and keeps the rest; pools and reservations stay
    before = db.scope("lan")
    db.set_scope("lan", template="office", servers="dhcpd-1", valid=7200)
    s = db.scope("lan")
    assert s["valid"] == 7200 and s["template"] == "office" and len(s["pools"]) == 1
    assert s.get("description") == before.get("description") and s["renew"] == before["renew"]
    db.set_scope("lan", description="second floor")
    s = db.scope("lan")
    assert s["description"] == "second floor" and s["valid"] == 7200 and s["servers"] == ["dhcpd-1"]
    db.set_scope("lan", description="", valid=0)  # "" and 0 clear
    s = db.scope("lan")
    assert "description" not in s and s["valid"] == 0 and s["template"] == "office"
    db.set_scope("lan", valid=7200)
    db.set_scope("lan")  # nothing given: nothing changes
    assert db.scope("lan")["valid"] == 7200
    with pytest.raises(ipam.NotFound):
        db.set_scope("nope")
    with pytest.raises(ipam.NotFound, match="scope lan: no server ghost"):
        db.set_scope("lan", servers=["ghost"])

    # renders the real tools accept
    accepted(tmp_path, "kea4.json", db.render_dhcp("kea4"), "kea-dhcp4", "-t")
    accepted(tmp_path, "kea6.json", db.render_dhcp("kea6", server="dhcpd-1"), "kea-dhcp6", "-t")
    conf = db.render_dhcp("dhcpd", server="dhcpd-1")
    assert "range 192.0.2.100 192.0.2.149;" in conf
    accepted(tmp_path, "dhcpd.conf", conf, "dhcpd", "-4", "-t", "-q", "-cf")
    base = '{"Dhcp4": {"valid-lifetime": 999, "subnet4": []}}'
    merged = json.loads(db.render_dhcp("kea4", base=base))["Dhcp4"]
    assert merged["valid-lifetime"] == 999 and merged["subnet4"][0]["subnet"] == "192.0.2.0/24"
    assert {"name": "site-id", "code": 224, "type": "uint16"}.items() <= merged["option-def"][0].items()

    # ISC failover: two dhcpd servers with failover addresses serving one scope
    db.add_dhcp_server("isc-a", type="dhcpd", failover_address="127.0.0.1")
    db.add_dhcp_server("isc-b", type="dhcpd", failover_address=ipaddress.IPv4Address("127.0.0.2"),
                       failover_port=847)
    db.add_scope("branch", "198.51.100.0/24", ha_primary="isc-a", ha_standby="isc-b")
    db.add_pool("branch", "198.51.100.50-198.51.100.150")
    for side, role in (("isc-a", "primary"), ("isc-b", "secondary")):
        conf = db.render_dhcp("dhcpd", server=side)
        assert f"\t{role};\n" in conf and 'failover peer "isc-a-isc-b";' in conf
        accepted(tmp_path, side + ".conf", conf, "dhcpd", "-4", "-t", "-q", "-cf")
    db.remove_scope("branch")

    # errors: the C codes and messages
    with pytest.raises(ipam.InvalidArgument, match=r'scope lan: option routers \(3\): "192.0.2.300" is not an IPv4'):
        db.set_option("routers", "192.0.2.300", scope="lan")
    with pytest.raises(ipam.Exists, match="overlaps scope lan"):
        db.add_scope("lan2", "192.0.2.0/25")
    with pytest.raises(ipam.Exists):
        db.add_scope("lan", "203.0.113.0/24")
    with pytest.raises(ipam.NotFound, match="no option template nope"):
        db.add_scope("x", "203.0.113.0/24", template="nope")
    with pytest.raises(ipam.NotFound):
        db.scope("nope")
    db.add_address("192.0.2.20")
    with pytest.raises(ipam.InUse, match="192.0.2.20"):
        db.add_pool("lan", "192.0.2.20-192.0.2.30")
    with pytest.raises(ipam.InUse):
        db.add_reservation("lan", "192.0.2.20", "00:00:5e:00:53:20")
    with pytest.raises(ipam.Exists):
        db.add_reservation("lan", "192.0.2.12", "mac:00:00:5e:00:53:10")
    with pytest.raises(ipam.InUse, match="scope lan uses it"):
        db.remove_option_template("office")
    with pytest.raises(ipam.InUse):
        db.remove_dhcp_server("dhcpd-1")
    with pytest.raises(ipam.Exists):
        db.define_option("site-id", 225, "uint8")
    with pytest.raises(ipam.InvalidArgument):
        db.define_option("bad", 226, "float")
    with pytest.raises(ipam.Exists):
        db.add_option_template("office")
    with pytest.raises(ipam.InvalidArgument, match="DHCP server type"):
        db.add_dhcp_server("x", type="windows")
    with pytest.raises(ipam.InvalidArgument, match="DHCP format"):
        db.render_dhcp("windows")
    with pytest.raises(ipam.NotFound):
        db.render_dhcp("kea4", server="nope")
    with pytest.raises(TypeError):
        db.set_option("routers", "192.0.2.1", scope="lan", template="office")
    with pytest.raises(TypeError):
        db.options(pool="192.0.2.100")
    with pytest.raises(ipam.InvalidArgument, match="not a Kea server|dhcpd"):
        db.push_dhcp("dhcpd-1", dry_run=True)

    # removals
    db.remove_pool("lan", "192.0.2.100")
    db.remove_reservation("lan", "192.0.2.11")
    db.remove_option("routers", scope="lan")
    with pytest.raises(ipam.NotFound, match="no option routers set"):
        db.remove_option("routers", scope="lan")
    db.remove_option("dns-servers", family=6)
    db.remove_scope("lan")
    db.remove_scope("lan6", leases=True)
    with pytest.raises(ipam.NotFound):
        db.address("192.0.2.10")
    assert db.address("192.0.2.20").status == "active"
    assert db.scopes() == [] and list(db.ranges()) == []
    db.remove_option_template("office")
    db.remove_dhcp_server("dhcpd-1")
    with pytest.raises(ipam.NotFound):
        db.remove_scope("lan")


def test_import_and_lease_files(db):
    imp = db.import_dhcp(FIXTURES / "kea-dhcp4.conf", format="kea")  # a path: the C call reads it
    assert isinstance(imp, ipam.DhcpImport) and imp.scopes >= 2
    with pytest.raises(ipam.IOFailure, match="no-such.conf"):
        db.import_dhcp(FIXTURES / "no-such.conf")
    assert 50 in [s["id"] for s in db.scopes()]
    with pytest.raises(ipam.Exists):
        db.import_dhcp((FIXTURES / "kea-dhcp4.conf").read_bytes(), file="again.conf")
    with pytest.raises(ipam.InvalidArgument, match="broken.conf"):
        db.import_dhcp('{"Dhcp4": {"subnet4": [{"subnet": "300.0.0.0/8"}]}}', file="broken.conf")
    with pytest.raises(ipam.InvalidArgument, match="DHCP import format"):
        db.import_dhcp("", format="windows")

    with ipam.open("memory:") as other:
        other.add_dhcp_server("dhcpd-1", type="dhcpd")
        imp = other.import_dhcp((FIXTURES / "isc_dhcpd.conf").read_text(), format="dhcpd", file="dhcpd.conf",
                                server="dhcpd-1")
        assert imp.scopes >= 3 and "printer-02.example.com is a name" in imp.notes
        assert "net-192.0.2.0-24" in [s["name"] for s in other.scopes()]
        # leases: from Kea's CSV, then from dhcpd.leases
        res = other.sync_leases(FIXTURES / "kea-leases4.csv")
        assert isinstance(res, ipam.LeaseSync) and res.added >= 1 and res.report == ""
        a = other.address("192.0.2.120")
        assert a.status == "dhcp" and str(a.mac) == "00:00:5e:00:53:20"
        res = other.sync_leases(str(FIXTURES / "isc_dhcpd.leases"), format="dhcpd")
        assert res.added + res.updated + res.released >= 1
        with pytest.raises(ipam.InvalidArgument, match="lease format"):
            other.sync_leases("x", format="windows")
        with pytest.raises(ipam.IOFailure):
            other.sync_leases(FIXTURES / "no-such.csv")


@pytest.fixture(scope="module")
def kea():
    server = Kea()
    yield server
    server.stop()


def test_push_and_lease_sync_with_kea(kea):
    db = ipam.open("memory:")  # it keeps a key of its own to seal the password with
    db.add_dhcp_server("kea", url=kea.url, user=kea.USER, password=kea.PASSWORD, write_dir=kea.path, timeout=5)
    with pytest.raises(ipam.Exists):
        db.add_dhcp_server("kea", url=kea.url)
    db.add_dhcp_server("kea", url=kea.url, user=kea.USER, password=kea.PASSWORD, write_dir=kea.path, timeout=5,
                       replace=True)
    listed = db.dhcp_servers()
    assert kea.PASSWORD not in json.dumps(listed) and listed[0]["password"] == "(sealed)"
    db.add_scope("lan", "192.0.2.0/24", servers="kea")
    db.add_pool("lan", "192.0.2.100-192.0.2.199")
    db.add_reservation("lan", "192.0.2.10", "00:00:5e:00:53:10", hostname="printer.example.test")

    dry = db.push_dhcp("kea", dry_run=True)
    assert isinstance(dry, ipam.PushResult) and dry.dry_run and '"192.0.2.0/24"' in dry.report
    assert kea.command("config-get")["arguments"]["Dhcp4"]["subnet4"] == []
    done = db.push_dhcp("kea")
    assert not done.dry_run and done.report
    sub = kea.command("config-get")["arguments"]["Dhcp4"]["subnet4"][0]
    assert sub["subnet"] == "192.0.2.0/24" and sub["pools"][0]["pool"] == "192.0.2.100-192.0.2.199"
    assert sub["reservations"][0]["hw-address"] == "00:00:5e:00:53:10"
    pushed = db.dhcp_servers()[0]["pushed"]["dhcp4"]
    assert pushed["result"] == "ok" and len(pushed["digest"]) == 64
    assert [e.action for e in db.audit()].count("dhcp.push") == 1

    # leases added in Kea come back as addresses of status dhcp, and go with them
    for addr, mac in (("192.0.2.120", "00:00:5e:00:53:20"), ("192.0.2.121", "00:00:5e:00:53:21")):
        assert kea.command("lease4-add", {"ip-address": addr, "hw-address": mac, "subnet-id": 1})["result"] == 0
    res = db.sync_leases(server="kea")
    assert (res.added, res.released, res.zones_pushed) == (2, 0, 0), res
    assert db.address("192.0.2.120").status == "dhcp"
    assert kea.command("lease4-del", {"ip-address": "192.0.2.120"})["result"] == 0
    res = db.sync_leases(server="kea")
    assert (res.added, res.updated, res.released) == (0, 1, 1), res
    with pytest.raises(ipam.NotFound):
        db.address("192.0.2.120")
    res = db.sync_leases(server="kea", push_dns="no-such-dns-server", dns_view="default")
    assert (res.updated, res.zones_pushed) == (1, 0), res  # nothing changed: nothing to push

    # a lease with a host name: its A and PTR records follow, pushed to a real named
    for zone in ("example.test", "2.0.192.in-addr.arpa"):
        db.add_zone(zone, ns="ns1.example.test.", rname="hostmaster.example.test.", ttl=60)
    db.zone("example.test").add_record("ns1 A 192.0.2.53")
    named = Named({z.name: z.render() for z in db.zones()})
    try:
        db.add_dns_server("ns", address="127.0.0.1", port=named.port, tsig_name=named.key_name,
                          tsig_secret=named.key_secret, timeout=2)
        lease = {"ip-address": "192.0.2.130", "hw-address": "00:00:5e:00:53:30", "subnet-id": 1,
                 "hostname": "laptop.example.test"}
        assert kea.command("lease4-add", lease)["result"] == 0
        res = db.sync_leases(server="kea", push_dns="ns")
        assert (res.added, res.zones_pushed) == (1, 2) and "laptop.example.test" in res.report, res
        assert db.address("192.0.2.130").hostname == "laptop.example.test"
        for zone in db.zones():  # named holds what the store holds
            assert zone.diff("ns").drift == 0, zone.diff("ns").report
    finally:
        named.stop()

    # a wrong password, nobody listening: refused, said so, nothing changed
    db.add_dhcp_server("bad", url=kea.url, user=kea.USER, password="wrong", timeout=5)
    db.add_scope("lab", "198.51.100.0/24", servers="bad")
    with pytest.raises(ipam.AuthError):
        db.push_dhcp("bad")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        db.add_dhcp_server("gone", url=f"http://127.0.0.1:{s.getsockname()[1]}/", timeout=1)
    db.set_scope("lab", servers="gone")
    with pytest.raises(ipam.IOFailure):
        db.push_dhcp("gone")
    assert len(kea.command("config-get")["arguments"]["Dhcp4"]["subnet4"]) == 1
    db.close()


def test_push_releases_the_gil():
    """A push to an agent that accepts and never answers blocks in C for its
    timeout; other Python threads run meanwhile."""
    with socket.socket() as silent, ipam.open("memory:") as db:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        db.add_dhcp_server("mute", url=f"http://127.0.0.1:{silent.getsockname()[1]}/", timeout=0.3)
        db.add_scope("lan", "192.0.2.0/24", servers="mute")
        ticks = []
        stop = threading.Event()

        def tick():
            while not stop.is_set():
                ticks.append(time.monotonic())
                time.sleep(0.01)

        t = threading.Thread(target=tick)
        start = time.monotonic()
        t.start()
        with pytest.raises(ipam.IOFailure):
            db.push_dhcp("mute")
        took = time.monotonic() - start
        stop.set()
        t.join()
        assert took >= 0.25 and len([x for x in ticks if x < start + took]) > 10, (took, len(ticks))


def test_every_dhcp_call_is_bound():
    """Every function of dhcp.h is in ipam.capi; the _init() ones are
    called by the typemaps that fill their structs (capi.i)."""
    import re
    names = re.findall(r"IPAM_EXTERN\(\w+\)\s+(ipam_\w+)\(", (SRC / "include" / "ipam" / "dhcp.h").read_text())
    assert len(names) == 29, names
    typemaps = (SRC / "bindings" / "python" / "ipam" / "capi.i").read_text()
    for n in names:
        assert hasattr(ipam.capi, n) or (n.endswith("_init") and n + "(&tmp" in typemaps), n
