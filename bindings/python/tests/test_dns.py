"""The DNS stored model (include/ipam/dns.h) from Python: zones, records,
templates, rendering, RPZ, and servers: pushes, diffs and reverse-DNS
sweeps against a real named on 127.0.0.1 (started once for this file)."""

import ipaddress
import socket
import subprocess
import threading
import time

import pytest

import ipam
from servers import Named

FWD, REV = "example.test.", "2.0.192.in-addr.arpa."


def test_zones_records_and_render(db):
    z = db.add_zone("example.test", ns=["ns1.example.test.", "ns2.example.test."], ttl=300)
    assert isinstance(z, ipam.Zone) and z.name == FWD and z.view == "default" and z.space == "default"
    assert z.ns == ["ns1.example.test.", "ns2.example.test."] and z.serial > 0
    assert "example.test." in repr(z) and z.info["ttl"] == 300
    assert db.zone("EXAMPLE.test.") == z and hash(db.zone("example.test")) == hash(z)
    with pytest.raises(ipam.Exists, match="already exists"):
        db.add_zone("example.test", ns="ns1.example.test.")
    with pytest.raises(ipam.NotFound, match="not found"):
        db.zone("nope.test")
    with pytest.raises(ipam.InvalidArgument, match="serial policy"):
        db.add_zone("x.test", ns="ns1.x.test.", serial_policy="weekly")
    db.add_zone("inc.test", ns="ns1.inc.test.", serial_policy="increment", derive=False, view="internal")
    assert [(x.name, x.view) for x in db.zones()] == [(FWD, "default"), ("inc.test.", "internal")]

    # the servers' configuration and the zone files' names
    assert ipam.zone_file_name("0/26.2.0.192.in-addr.arpa") == "0_26.2.0.192.in-addr.arpa.zone"
    assert z.file_name() == "example.test.zone" and ipam.zone_file_name("inc.test", "internal") == "inc.test@internal.zone"
    with pytest.raises(ipam.InvalidArgument, match="internal"):
        db.dns_config()  # a view needs its match list
    conf = db.dns_config("named", dir="/var/lib/bind", update_key="k1", view_match={"internal": "10.0.0.0/8"})
    assert 'view "internal" {' in conf and 'zone "example.test"' in conf and "/var/lib/bind/example.test.zone" in conf
    assert db.dns_config("named", view_match=["internal=10.0.0.0/8"]) == db.dns_config(view_match={"internal": "10.0.0.0/8"})
    core = db.dns_config("corefile", dir="/zones", port=5353)
    assert "example.test.:5353 {" in core and "/zones/example.test.zone" in core and "inc.test" not in core
    with pytest.raises(ipam.InvalidArgument, match="DNS config format"):
        db.dns_config("djbdns")

    z.add_record("www 300 IN A 192.0.2.10")
    z.add_record("@ MX 10 mail")
    with pytest.raises(ipam.Exists):
        z.add_record("www 300 A 192.0.2.10")
    with pytest.raises(ipam.InvalidArgument, match="CNAME"):
        z.add_record("www CNAME other")
    assert db.put_record("ftp.example.test 300 A 192.0.2.11") is True
    assert db.put_record("ftp.example.test. 300 A 192.0.2.11") is False
    with pytest.raises(ipam.NotFound):
        db.put_record("www.elsewhere.test 300 A 192.0.2.1")
    z.remove_record("ftp 300 IN A 192.0.2.11")
    with pytest.raises(ipam.NotFound):
        z.remove_record("ftp 300 IN A 192.0.2.11")

    # an address with a host name in the zone gives a derived record
    db.add_prefix("192.0.2.0/24")
    db.add_address("192.0.2.20", hostname="db1.example.test")
    recs = z.records()
    assert all(isinstance(r, ipam.ZoneRecord) for r in recs)
    by_source = {r.source for r in recs}
    assert by_source == {"hand", "address", "zone"}
    assert ipam.ZoneRecord("db1.example.test. 300 IN A 192.0.2.20", "address") in recs
    shown = z.show()
    assert shown["zone"] == FWD and shown["records"] == recs
    text = z.render()
    assert text.startswith("$ORIGIN example.test.") and "db1\t300\tIN\tA\t192.0.2.20" in text
    assert z.render() == text  # byte-stable for the same content

    info = db.address_dns("192.0.2.20")
    assert info["address"] == "192.0.2.20" and any("db1.example.test." in r for r in info["records"])
    assert any("PTR" in n for n in info["notes"])  # no reverse zone
    assert db.address_dns(ipaddress.ip_address("192.0.2.20")) == info
    with pytest.raises(ipam.NotFound):
        db.address_dns("192.0.2.99")

    z.remove()
    with pytest.raises(ipam.NotFound):
        db.remove_zone("example.test")
    db.remove_zone("inc.test", view="internal")
    assert list(db.zones()) == []


def test_zone_templates(db):
    db.set_zone_template("std", ns=["ns1.example.net."], ttl=120, records=["@ MX 10 mail.example.net."])
    z = db.add_zone("t1.test", template="std")
    assert z.ns == ["ns1.example.net."]
    assert any(r.record.startswith("t1.test. 120 IN MX 10 mail.example.net.") for r in z.records())
    with pytest.raises(ipam.InUse):
        db.remove_zone_template("std")
    # changing the template changes the zone
    db.set_zone_template("std", ns="ns9.example.net.", records=[])
    assert db.zone("t1.test").ns == ["ns9.example.net."]
    z.remove()
    db.remove_zone_template("std")
    with pytest.raises(ipam.NotFound):
        db.remove_zone_template("std")


def test_rpz():
    text = ipam.render_rpz("rpz.test", "qname bad.example.com nxdomain\nresponse-ip 198.51.100.64/26 nxdomain\n",
                           ttl=30)
    assert "bad.example.com\t30\tIN\tCNAME\t." in text and "26.64.100.51.198.rpz-ip" in text
    assert ipam.render_rpz("rpz.test", b"# nothing\n") .startswith("$ORIGIN rpz.test.")
    with pytest.raises(ipam.InvalidArgument, match="policies.txt:2"):
        ipam.render_rpz("rpz.test", "qname ok.test passthru\nqname bad.test explode\n", file="policies.txt")


def test_rpz_stored(db):
    db.add_rpz_policy("rpz.test", "qname bad.example.com nxdomain")
    db.add_rpz_policy("rpz.test", "client-ip 10.9.0.0/16 drop")
    with pytest.raises(ipam.Exists, match="qname bad.example.com"):
        db.add_rpz_policy("rpz.test", "qname BAD.example.com. nodata")
    db.add_rpz_policy("rpz.test", "qname bad.example.com nodata", replace=True)
    with pytest.raises(ipam.InvalidArgument, match="rpz.test"):
        db.add_rpz_policy("rpz.test", "qname x.example.com explode")
    assert db.rpz_policies() == db.rpz_policies("rpz.test") == [
        {"zone": "rpz.test.", "trigger": "client-ip 10.9.0.0/16", "policy": "client-ip 10.9.0.0/16 drop"},
        {"zone": "rpz.test.", "trigger": "qname bad.example.com", "policy": "qname bad.example.com nodata"}]
    text = db.render_rpz_zone("rpz.test", ttl=30)
    assert "bad.example.com\t30\tIN\tCNAME\t*." in text and "16.0.0.9.10.rpz-client-ip" in text
    db.remove_rpz_policy("rpz.test", "qname bad.example.com")
    db.remove_rpz_policy("rpz.test", "client-ip 10.9.0.0/16")
    assert db.rpz_policies() == []
    with pytest.raises(ipam.NotFound):
        db.render_rpz_zone("rpz.test")


def outside_change(named, line):
    """An update of example.test. sent to named by nsupdate, not by libipam."""
    upd = f"server 127.0.0.1 {named.port}\nzone example.test.\n{line}\nsend\n"
    r = subprocess.run(["nsupdate", "-y", f"hmac-sha256:{named.key_name}:{named.key_secret}"], input=upd,
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="module")
def bind():
    """A store (memory:, which keeps a sealing key of its own for the TSIG
    key) with a forward and a reverse zone, and named serving them as first
    rendered."""
    db = ipam.open("memory:")
    for name in ("example.test", "2.0.192.in-addr.arpa"):
        db.add_zone(name, ns="ns1.example.test.", rname="hostmaster.example.test.", ttl=60)
    db.zone("example.test").add_record("ns1 A 192.0.2.53")
    server = Named({z.name: z.render() for z in db.zones()})
    yield db, server
    server.stop()
    db.close()


def test_servers_push_and_diff(bind):
    db, named = bind
    db.add_dns_server("bind1", address="127.0.0.1", port=named.port, tsig_name=named.key_name,
                      tsig_secret=named.key_secret, timeout=2)
    with pytest.raises(ipam.Exists):
        db.add_dns_server("bind1", address="127.0.0.1", port=named.port)
    db.add_dns_server("bind1", address="127.0.0.1", port=named.port, tsig_name=named.key_name,
                      tsig_secret=named.key_secret, timeout=2, replace=True)
    listed = db.dns_servers()
    assert [s["name"] for s in listed] == ["bind1"]
    assert named.key_secret not in str(listed) and "(sealed)" in str(listed)
    with pytest.raises(ipam.InvalidArgument, match="DNS server type"):
        db.add_dns_server("x", type="carrier-pigeon")

    db.add_prefix("192.0.2.0/24")
    ip = db.alloc_address("192.0.2.0/24", hostname="web1.example.test")
    fwd, rev = db.zone("example.test"), db.zone(REV)
    dry = fwd.push("bind1", dry_run=True)
    assert isinstance(dry, ipam.PushResult) and dry.dry_run and "web1.example.test." in dry.report
    assert fwd.diff("bind1").drift > 0  # a dry run sent nothing
    done = fwd.push("bind1")
    assert not done.dry_run and str(ip) in done.report
    rev.push("bind1")
    d = fwd.diff("bind1")
    assert isinstance(d, ipam.DiffResult) and d.drift == 0, d.report

    # a change made on the server from outside: diff sees it, a push does not overwrite it
    outside_change(named, "update add web1.example.test. 60 A 192.0.2.99")
    d = fwd.diff("bind1")
    assert d.drift == 1 and "192.0.2.99" in d.report
    db.release_address(ip)
    with pytest.raises(ipam.Conflict, match="bind1"):
        fwd.push("bind1")
    ip = db.alloc_address("192.0.2.0/24", hostname="web1.example.test")

    # the reverse-DNS sweep asks the same named
    obs = ipam.discover_rdns("192.0.2.0/29", "127.0.0.1", port=named.port, timeout=0.5, rate=1000, now=1700000000)
    assert [(o.address, o.name, o.source) for o in obs] == [(ip, "web1.example.test.", "rdns")]

    # records made on the server from outside, adopted as hand records
    outside_change(named, 'update add extra.example.test. 60 TXT "hello"')
    adopted = fwd.adopt("bind1")
    assert isinstance(adopted, ipam.AdoptResult) and adopted.adopted >= 1 and "extra.example.test." in adopted.report
    assert ipam.ZoneRecord('extra.example.test. 60 IN TXT "hello"', "hand") in fwd.records()

    # errors: a wrong key, nobody listening; both name the server
    db.add_dns_server("bad-key", address="127.0.0.1", port=named.port, tsig_name=named.key_name,
                      tsig_secret="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", timeout=1)
    with pytest.raises(ipam.AuthError, match="bad-key"):
        rev.push("bad-key")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        db.add_dns_server("gone", address="127.0.0.1", port=silent.getsockname()[1], timeout=0.2)
        with pytest.raises(ipam.IOFailure, match="gone"):
            fwd.push("gone")
    db.remove_dns_server("gone")
    db.remove_dns_server("bad-key")
    with pytest.raises(ipam.NotFound):
        db.remove_dns_server("gone")


def test_blocking_calls_release_the_gil():
    """A reverse-DNS sweep of an unanswering resolver blocks in C; other
    Python threads run meanwhile."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        ticks = 0
        done = threading.Event()

        def probe():
            try:
                ipam.discover_rdns("192.0.2.0/30", "127.0.0.1", port=port, timeout=0.3, rate=1000)
            except ipam.IOFailure:
                pass
            done.set()

        t = threading.Thread(target=probe)
        start = time.monotonic()
        t.start()
        while not done.is_set():
            ticks += 1
            time.sleep(0.005)
        t.join()
        assert time.monotonic() - start >= 0.3
        assert ticks >= 20, ticks
