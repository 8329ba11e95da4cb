"""ipamctl's DNS commands (zone, record, server) on an encrypted file.

Pushes to real servers are tested in C (tests/dns/test_dns_stored.c, with
named); here: the commands, their JSON and human output, their errors, and
that a TSIG secret given in a file never shows in any output.
"""
import json
import os
import subprocess

IPAMCTL = os.environ.get("IPAMCTL")
if not IPAMCTL:
    raise RuntimeError("set IPAMCTL to the ipamctl binary (meson test does)")


def ctl(db, *args, json_out=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPAM_")}
    env["IPAM_KEY"] = "dns cli test"
    cmd = [IPAMCTL, "--db", str(db)] + (["--json"] if json_out else []) + list(args)
    p = subprocess.run(cmd, capture_output=True, env=env, timeout=120)
    assert "Sanitizer" not in p.stderr.decode() and "runtime error" not in p.stderr.decode(), p.stderr
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def ok(db, *args, json_out=True):
    rc, out, err = ctl(db, *args, json_out=json_out)
    assert rc == 0, (args, out, err)
    return out


def test_zone_record_server_commands(tmp_path):
    db = tmp_path / "ipam.db"
    ok(db, "init")
    ok(db, "prefix", "add", "192.0.2.0/24")
    z = json.loads(ok(db, "zone", "add", "Example.TEST", "--ns", "ns1.example.test,ns2.example.test", "--ttl", "300"))
    assert z["zone"] == "example.test." and z["ns"] == ["ns1.example.test.", "ns2.example.test."]
    assert z["ttl"] == 300 and z["view"] == "default" and z["space"] == "default"
    ok(db, "zone", "add", "2.0.192.in-addr.arpa", "--ns", "ns1.example.test.")
    # an address with a host name is its records
    ok(db, "ip", "add", "192.0.2.7", "--hostname", "app.example.test")
    ok(db, "record", "add", "example.test", "ns1 A 192.0.2.53")
    ok(db, "record", "add", "example.test", "@ MX 10 mail.example.net.")
    recs = json.loads(ok(db, "record", "list", "example.test"))
    assert {"record": "app.example.test. 300 IN A 192.0.2.7", "source": "address"} in recs
    assert {"record": "ns1.example.test. 300 IN A 192.0.2.53", "source": "hand",
            "flag": "192.0.2.53 is not an address of space default"} in recs
    assert {"record": "example.test. 300 IN NS ns2.example.test.", "source": "zone"} in recs
    # the records of one address, and why there are none where there are none
    d = json.loads(ok(db, "ip", "dns", "192.0.2.7"))
    assert d["records"] == ["app.example.test. A 192.0.2.7 (zone example.test., view default)",
                            "7.2.0.192.in-addr.arpa. PTR app.example.test. (zone 2.0.192.in-addr.arpa., view default)"]
    assert d["notes"] == []
    # the allocation itself says what DNS made of the name, and why not
    r = json.loads(ok(db, "ip", "add", "192.0.2.8", "--hostname", "db.example.org"))
    assert r["dns"] == {"records": ["8.2.0.192.in-addr.arpa. PTR db.example.org. (zone 2.0.192.in-addr.arpa., view default)"],
                        "notes": ["view default: no forward zone holds db.example.org.: no A record"]}, r
    human = ok(db, "ip", "add", "192.0.2.9", "--hostname", "db2.example.org", json_out=False)
    assert human.splitlines()[1:] == ["; view default: no forward zone holds db2.example.org.: no A record"], human
    d = json.loads(ok(db, "ip", "dns", "192.0.2.8"))
    assert d["notes"] == ["view default: no forward zone holds db.example.org.: no A record"], d
    ok(db, "ip", "add", "198.51.100.1", "--hostname", "x.example.test")
    human = ok(db, "ip", "dns", "198.51.100.1", json_out=False)
    assert "x.example.test. A 198.51.100.1 (zone example.test., view default)" in human
    assert "; view default: no reverse zone holds 198.51.100.1: no PTR record" in human
    ptr = json.loads(ok(db, "record", "list", "2.0.192.in-addr.arpa"))
    assert {"record": "7.2.0.192.in-addr.arpa. 3600 IN PTR app.example.test.", "source": "address"} in ptr
    # rename the address: its records follow
    ok(db, "ip", "release", "192.0.2.7")
    ok(db, "ip", "add", "192.0.2.7", "--hostname", "web.example.test")
    recs = json.loads(ok(db, "record", "list", "example.test"))
    assert not any("app.example.test" in r["record"] for r in recs)
    assert {"record": "web.example.test. 300 IN A 192.0.2.7", "source": "address"} in recs

    # a hand record of an address IPAM does not have: flagged, or refused where the zone says so
    ok(db, "record", "add", "example.test", "ghost A 192.0.2.99")
    ok(db, "record", "add", "2.0.192.in-addr.arpa", "99 PTR ghost.example.test.")
    recs = json.loads(ok(db, "record", "list", "example.test"))
    assert {"record": "ghost.example.test. 300 IN A 192.0.2.99", "source": "hand",
            "flag": "192.0.2.99 is not an address of space default"} in recs
    ptr = json.loads(ok(db, "record", "list", "2.0.192.in-addr.arpa"))
    assert {"record": "99.2.0.192.in-addr.arpa. 3600 IN PTR ghost.example.test.", "source": "hand",
            "flag": "192.0.2.99 is not an address of space default"} in ptr
    assert [r["record"] for r in recs if "flag" in r] == ["ghost.example.test. 300 IN A 192.0.2.99",
                                                         "ns1.example.test. 300 IN A 192.0.2.53"]
    ok(db, "record", "rm", "example.test", "ghost A 192.0.2.99")
    ok(db, "record", "rm", "2.0.192.in-addr.arpa", "99 PTR ghost.example.test.")
    ok(db, "zone", "add", "strict.test", "--ns", "ns1.example.test", "--refuse-unknown-addresses")
    rc, out, err = ctl(db, "record", "add", "strict.test", "ghost A 192.0.2.99")
    assert rc == 1 and "192.0.2.99 is not an address of space default" in out + err, out + err
    ok(db, "record", "add", "strict.test", "known A 192.0.2.7")
    ok(db, "zone", "rm", "strict.test")

    # bad input: clear errors naming what is wrong
    rc, out, err = ctl(db, "record", "add", "example.test", "web CNAME ns1")
    assert rc == 1 and "CNAME beside other data" in out + err, out + err
    rc, out, err = ctl(db, "record", "add", "example.test", "x A 300.1.1.1")
    assert rc == 1 and "zone example.test.: \\\"x A 300.1.1.1\\\": Syntax error" in out + err, out + err
    rc, out, err = ctl(db, "record", "add", "nowhere.test", "x A 192.0.2.1")
    assert rc == 1 and "zone nowhere.test. not found" in out + err, out + err
    rc, out, err = ctl(db, "zone", "add", "example.test", "--ns", "ns1.example.test")
    assert rc == 1 and "already exists" in out + err, out + err
    rc, out, err = ctl(db, "zone", "add", "other.test")
    assert rc == 2 and "--ns" in out + err, out + err
    rc, out, err = ctl(db, "zone", "add", "bad..name", "--ns", "ns1.example.test")
    assert rc == 1 and "bad..name" in out + err, out + err

    # the zone file, byte-stable; record rm
    one = ok(db, "zone", "render", "example.test", json_out=False)
    assert one.startswith("$ORIGIN example.test.\n$TTL 300\n")
    assert "web\t300\tIN\tA\t192.0.2.7\n" in one
    assert one == ok(db, "zone", "render", "example.test", "--format", "knot", json_out=False)
    ok(db, "record", "rm", "example.test", "@ 300 IN MX 10 mail.example.net.")
    rc, out, err = ctl(db, "record", "rm", "example.test", "@ MX 10 mail.example.net.")
    assert rc == 1 and "no hand record" in out + err, out + err
    two = ok(db, "zone", "render", "example.test", json_out=False)
    assert "MX" not in two and two != one

    # servers: the secret comes from a file and is shown nowhere
    secret = "c2VjcmV0LWtleS1mb3ItdGhlLWNsaS10ZXN0LTAxMjM0NQ=="
    (tmp_path / "tsig").write_text(secret + "\n")
    out = ok(db, "server", "add", "ns1", "--type", "rfc2136", "--address", "127.0.0.1", "--port", "1",
             "--tsig-name", "k1", "--tsig-secret-file", str(tmp_path / "tsig"))
    assert secret not in out
    servers = json.loads("[" + ",".join(ok(db, "server", "list").splitlines()) + "]")
    assert servers == [{"dns": "rfc2136", "address": "127.0.0.1", "port": 1, "timeout_ms": 0, "tsig_name": "k1",
                        "tsig_algorithm": "hmac-sha256", "tsig_secret": "(sealed)", "name": "ns1"}]
    human = ok(db, "server", "list", json_out=False)
    assert "ns1" in human and secret not in human
    export = ok(db, "export", json_out=False)
    assert secret not in export and "sealed:v1:" in export
    audit = ok(db, "audit", "log", json_out=False)
    assert secret not in audit
    # a push to a closed port fails clearly, and marks nothing as pushed
    rc, out, err = ctl(db, "zone", "push", "example.test", "--server", "ns1")
    assert rc == 1 and "ns1" in out + err and secret not in err + out, out + err
    rc, out, err = ctl(db, "zone", "push", "example.test", "--server", "nobody")
    assert rc == 1 and "server nobody not found" in out + err, out + err
    ok(db, "server", "rm", "ns1")
    assert ok(db, "server", "list") == ""

    # zones: list, show, rm
    zones = [json.loads(line) for line in ok(db, "zone", "list").splitlines()]
    assert [z["zone"] for z in zones] == ["2.0.192.in-addr.arpa.", "example.test."]
    human = ok(db, "zone", "list", json_out=False)
    assert "example.test." in human and "hand" in human
    ok(db, "zone", "rm", "2.0.192.in-addr.arpa")
    rc, out, err = ctl(db, "zone", "show", "2.0.192.in-addr.arpa")
    assert rc == 1 and "not found" in out + err
    # the audit chain holds and names the DNS changes
    assert json.loads(ok(db, "audit", "verify"))["entries"] > 10
    log = ok(db, "audit", "log", json_out=False)
    for action in ("zone.add", "record.add", "record.rm", "server.add", "server.rm", "zone.rm"):
        assert action in log, action


def test_zone_templates(tmp_path):
    db = tmp_path / "ipam.db"
    ok(db, "init")
    ok(db, "template", "set", "std", "--ns", "ns1.example.net", "--ttl", "120",
       "--record", "@ MX 10 mail.example.net.", "--record", '@ TXT "v=spf1 -all"')
    ok(db, "zone", "add", "a.test", "--template", "std")
    recs = json.loads(ok(db, "record", "list", "a.test"))
    assert {"record": "a.test. 120 IN MX 10 mail.example.net.", "source": "template"} in recs
    assert {"record": "a.test. 120 IN NS ns1.example.net.", "source": "zone"} in recs
    # the change reaches the zone
    ok(db, "template", "set", "std", "--ns", "ns1.example.net", "--ttl", "300", "--record", "@ MX 5 mx.example.net.")
    recs = json.loads(ok(db, "record", "list", "a.test"))
    assert {"record": "a.test. 300 IN MX 5 mx.example.net.", "source": "template"} in recs
    assert not any("TXT" in r["record"] for r in recs)
    rc, out, err = ctl(db, "template", "rm", "std")
    assert rc == 1 and "used by 1 zone" in out + err, out + err
    rc, out, err = ctl(db, "zone", "add", "b.test")
    assert rc == 2 and "--template" in out + err, out + err
    ok(db, "zone", "rm", "a.test")
    ok(db, "template", "rm", "std")


def test_rpz_render(tmp_path):
    (tmp_path / "p.txt").write_text("qname bad.example.com nxdomain\nclient-ip 10.9.0.0/16 drop\n")
    out = ok(tmp_path / "none.db", "rpz", "render", "rpz.example", "--policies", str(tmp_path / "p.txt"),
             json_out=False)
    assert out.startswith("$ORIGIN rpz.example.\n") and "bad.example.com\t60\tIN\tCNAME\t.\n" in out, out
    assert not (tmp_path / "none.db").exists()  # no database is opened
    (tmp_path / "bad.txt").write_text("qname ok.example nxdomain\nqname x.example oops\n")
    rc, out, err = ctl(tmp_path / "none.db", "rpz", "render", "rpz.example", "--policies", str(tmp_path / "bad.txt"))
    assert rc == 1 and "bad.txt:2: unknown action \\\"oops\\\"" in out + err, out + err


def test_rpz_stored_policies(tmp_path):
    db = tmp_path / "ipam.db"
    ok(db, "init")
    ok(db, "rpz", "add", "rpz.example", "qname Bad.Example.COM. nxdomain")
    ok(db, "rpz", "add", "rpz.example", "qname moved.example.com local A 192.0.2.80; AAAA 2001:db8::80")
    ok(db, "rpz", "add", "rpz.example", "client-ip 10.9.0.0/16 drop")
    ok(db, "rpz", "add", "rpz.other", "response-ip 2001:db8::/32 passthru")
    # one policy a trigger: a second one is refused, naming the first, unless --replace
    rc, out, err = ctl(db, "rpz", "add", "rpz.example", "qname bad.example.com nodata")
    assert rc == 1 and "qname bad.example.com has a policy already (qname bad.example.com nxdomain)" in out + err, \
        out + err
    ok(db, "rpz", "add", "rpz.example", "qname bad.example.com nodata", "--replace")
    lst = [json.loads(line) for line in ok(db, "rpz", "list").splitlines()]  # one object a line
    assert lst == [
        {"zone": "rpz.example.", "trigger": "client-ip 10.9.0.0/16", "policy": "client-ip 10.9.0.0/16 drop"},
        {"zone": "rpz.example.", "trigger": "qname bad.example.com", "policy": "qname bad.example.com nodata"},
        {"zone": "rpz.example.", "trigger": "qname moved.example.com",
         "policy": "qname moved.example.com local A 192.0.2.80; AAAA 2001:db8::80"},
        {"zone": "rpz.other.", "trigger": "response-ip 2001:db8::/32",
         "policy": "response-ip 2001:db8::/32 passthru"}], lst
    assert ok(db, "rpz", "list", "rpz.other", json_out=False) == "rpz.other. response-ip 2001:db8::/32 passthru\n"
    # policy zones are no DNS zones: zone list and zone conf do not see them
    assert "rpz" not in ok(db, "zone", "list") + ok(db, "zone", "conf", json_out=False)
    out = ok(db, "rpz", "render", "rpz.example", "--ttl", "300", json_out=False)
    assert out.startswith("$ORIGIN rpz.example.\n$TTL 300\n"), out
    assert "\tSOA\tlocalhost. hostmaster.localhost. 4 " in out, out  # 3 adds and a replace
    assert "bad.example.com\t300\tIN\tCNAME\t*.\n" in out, out
    assert "moved.example.com\t300\tIN\tAAAA\t2001:db8::80\n" in out, out
    assert "16.0.0.9.10.rpz-client-ip\t300\tIN\tCNAME\trpz-drop.\n" in out, out
    # bad policies: clear errors, nothing stored
    for bad, msg in [("qname x.example oops", "rpz rpz.example.: unknown action \\\"oops\\\""),
                     ("client-ip 10.9.0.0/33 drop", "rpz rpz.example.: client-ip: "),
                     ("qname x.example local A 192.0.2", "rpz rpz.example."),
                     ("qname x.example", "a policy is TRIGGER VALUE ACTION"),
                     ("qname x.example nxdomain # why", "a \\\"#\\\" outside quotes")]:
        rc, out, err = ctl(db, "rpz", "add", "rpz.example", bad)
        assert rc == 1 and msg in out + err, (bad, out + err)
    assert len(ok(db, "rpz", "list", "rpz.example").splitlines()) == 3
    # an export holds the policies and an import brings them back
    doc = tmp_path / "export.json"
    ok(db, "export", "-o", str(doc))
    db2 = tmp_path / "copy.db"
    ok(db2, "init")
    ok(db2, "import", "json", str(doc))
    assert ok(db2, "rpz", "render", "rpz.example", json_out=False) == ok(db, "rpz", "render", "rpz.example",
                                                                          json_out=False)
    # removal by trigger; the zone goes with its last policy
    ok(db, "rpz", "rm", "rpz.other", "response-ip 2001:DB8::/32")
    rc, out, err = ctl(db, "rpz", "list", "rpz.other")
    assert rc == 1 and "rpz rpz.other.: no such policy zone" in out + err, out + err
    rc, out, err = ctl(db, "rpz", "rm", "rpz.example", "qname nosuch.example.com")
    assert rc == 1 and "no policy for qname nosuch.example.com" in out + err, out + err
    rc, out, err = ctl(db, "rpz", "render", "rpz.nosuch")
    assert rc == 1 and "no such policy zone" in out + err, out + err


def test_zone_conf_and_files(tmp_path):
    db = tmp_path / "ipam.db"
    ok(db, "init")
    ok(db, "space", "add", "dmz")
    ok(db, "zone", "add", "example.test", "--ns", "ns1.example.test")
    ok(db, "zone", "add", "example.test", "--ns", "ns1.example.test", "--view", "outside", "--space", "dmz")
    ok(db, "zone", "add", "0/26.2.0.192.in-addr.arpa", "--ns", "ns1.example.test")
    for view in ("default", "outside"):
        ok(db, "record", "add", "example.test", "ns1 A 192.0.2.53", "--view", view)
    ok(db, "ip", "add", "192.0.2.5", "--hostname", "www.example.test")
    # views need to say whom they answer
    rc, out, err = ctl(db, "zone", "conf")
    assert rc == 1 and "view outside has zones (example.test.) but no match list" in out + err, out + err
    out_dir = tmp_path / "dns"
    out_dir.mkdir()
    res = json.loads(ok(db, "zone", "files", str(out_dir), "--view-match", "outside=127.0.0.2,10.0.0.0/8",
                        "--tsig-name", "upd"))
    assert res == {"dir": str(out_dir), "zones": 3, "config": str(out_dir / "named.conf")}
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "0_26.2.0.192.in-addr.arpa.zone", "example.test.zone", "example.test@outside.zone", "named.conf"]
    conf = (out_dir / "named.conf").read_text()
    assert 'view "outside" {\n\tmatch-clients { 127.0.0.2; 10.0.0.0/8; };\n' in conf, conf
    assert '\t\tallow-update { key "upd"; };\n' in conf, conf
    # named reads it all: the key it names, then the views and every zone file
    (tmp_path / "check.conf").write_text('key "upd" { algorithm hmac-sha256; secret "c2VjcmV0"; };\n'
                                         'include "%s";\n' % (out_dir / "named.conf"))
    p = subprocess.run(["named-checkconf", "-z", str(tmp_path / "check.conf")], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "zone 0/26.2.0.192.in-addr.arpa/IN: loaded serial" in p.stdout, p.stdout
    # the printed configuration is the written one; a Corefile serves one view
    assert ok(db, "zone", "conf", "--dir", str(out_dir), "--view-match", "outside=127.0.0.2,10.0.0.0/8",
              "--tsig-name", "upd", json_out=False) == conf
    core = ok(db, "zone", "conf", "--format", "coredns", "--view", "outside", json_out=False)
    assert core == "example.test.:53 {\n\tfile example.test@outside.zone\n\terrors\n}\n", core
    # --address: the one address CoreDNS listens on (its bind plugin)
    core = ok(db, "zone", "conf", "--format", "coredns", "--view", "outside", "--address", "::1", "--port", "5353",
              json_out=False)
    assert core == "example.test.:5353 {\n\tfile example.test@outside.zone\n\terrors\n\tbind ::1\n}\n", core
    rc, out, err = ctl(db, "zone", "conf", "--format", "coredns", "--address", "localhost")
    assert rc == 1 and "the listen address \\\"localhost\\\" is no IPv4 or IPv6 address" in out + err, out + err
    rc, out, err = ctl(db, "zone", "conf", "--view-match", "outside=10.0.0.0/33")
    assert rc == 1 and "view outside: \\\"10.0.0.0/33\\\"" in out + err, out + err
    rc, out, err = ctl(db, "zone", "adopt", "example.test")
    assert rc == 2 and "zone adopt: --server NAME is required" in out + err, out + err
    rc, out, err = ctl(db, "zone", "adopt", "example.test", "--server", "nosuch")
    assert rc == 1 and "nosuch" in out + err, out + err
    rc, out, err = ctl(db, "zone", "conf", "--format", "tinydns")
    assert rc == 1 and "tinydns" in out + err, out + err


def test_occluded_records_flagged(tmp_path):
    db = tmp_path / "ipam.db"
    ok(db, "init")
    ok(db, "zone", "add", "example.test", "--ns", "ns1.example.test")
    ok(db, "prefix", "add", "192.0.2.0/24")
    ok(db, "record", "add", "example.test", "sub NS ns.sub.example.test.")
    ok(db, "record", "add", "example.test", "ns.sub A 192.0.2.60")  # glue: served
    ok(db, "record", "add", "example.test", "www.sub A 192.0.2.61")  # below the cut: never served
    ok(db, "record", "add", "example.test", 'sub TXT "x"')  # at the cut, not NS/DS: never served
    ok(db, "ip", "add", "192.0.2.62", "--hostname", "db.sub.example.test")  # derived, below the cut
    flags = {r["record"]: r.get("flag") for r in json.loads(ok(db, "record", "list", "example.test"))}
    occ = "occluded: below the delegation at sub.example.test. (servers refer to the child zone)"
    assert flags["sub.example.test. 3600 IN NS ns.sub.example.test."] is None, flags
    assert flags["ns.sub.example.test. 3600 IN A 192.0.2.60"] == "192.0.2.60 is not an address of space default", flags
    assert flags["www.sub.example.test. 3600 IN A 192.0.2.61"] == \
        "192.0.2.61 is not an address of space default; " + occ, flags
    assert flags['sub.example.test. 3600 IN TXT "x"'] == occ, flags
    assert flags["db.sub.example.test. 3600 IN A 192.0.2.62"] == occ, flags
    assert flags["example.test. 3600 IN NS ns1.example.test."] is None, flags
