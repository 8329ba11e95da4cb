"""ipamctl import / export --format end to end, on an encrypted file.

IPAMCTL names the binary and FIXTURES the fixtures folder (set by meson).
"""
import json
import os
import subprocess

import pytest

IPAMCTL = os.environ["IPAMCTL"]
FIX = os.environ["FIXTURES"]
NETBOX = [os.path.join(FIX, f) for f in (
    "netbox_vrfs.csv", "netbox_prefixes.csv", "netbox_ip_ranges.csv",
    "netbox_ip_addresses.csv", "netbox_api_prefixes.json", "netbox_api_ip_addresses.json")]


KEY_FILE = None


def run(db, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPAM_")}
    # a raw key (no passphrase KDF): each invocation opens the file quickly
    env["IPAM_KEY_FILE"] = KEY_FILE
    p = subprocess.run([IPAMCTL, "--db", "file:" + str(db), *args], capture_output=True, env=env, timeout=120)
    err = p.stderr.decode()
    assert "runtime error" not in err and "Sanitizer" not in err, err
    return p.returncode, p.stdout.decode(), err


@pytest.fixture
def db(tmp_path):
    global KEY_FILE
    KEY_FILE = str(tmp_path / "key")
    with open(KEY_FILE, "w") as f:
        f.write("42" * 32 + "\n")
    path = tmp_path / "ipam.db"
    assert run(path, "init")[0] == 0
    return path


def report(db, *args):
    rc, out, err = run(db, "--json", "import", *args)
    return rc, json.loads(out)


def counts(r, which):
    c = r[which]
    return [c[k] for k in ("spaces", "prefixes", "ranges", "addresses", "records")]


def test_import_twice(db):
    rc, r = report(db, "netbox-csv", *NETBOX)
    assert rc == 0 and counts(r, "imported") == [2, 10, 3, 18, 0] and r["errors"] == []
    rc, r = report(db, "netbox-csv", *NETBOX)
    assert rc == 0 and counts(r, "unchanged") == [2, 10, 3, 18, 0]
    assert counts(r, "imported") == [0, 0, 0, 0, 0]


def test_exit_codes_and_errors(db, tmp_path):
    some = tmp_path / "some.csv"
    some.write_bytes(b'\xef\xbb\xbfprefix,description\r\n10.0.0.0/8,"a\r\nb"\r\nnope,x\r\n')
    rc, r = report(db, "netbox-csv", str(some), "--dry-run")
    assert rc == 3 and r["dry_run"] is True
    assert r["errors"] == [{"file": str(some), "line": 4, "field": "prefix", "value": "nope",
                            "message": "prefix: not a prefix: 'nope'"}]
    assert run(db, "prefix", "list")[1] == ""  # dry run: nothing written
    bad = tmp_path / "bad.csv"
    bad.write_text("prefix\nnope\n")
    rc, r = report(db, "netbox-csv", str(bad))
    assert rc == 1 and counts(r, "imported") == [0, 0, 0, 0, 0]
    rc, r = report(db, "netbox-csv", str(some), "--all-or-nothing")
    assert rc == 1 and counts(r, "imported") == [0, 0, 0, 0, 0]
    rc, out, err = run(db, "import", "infoblox", str(tmp_path / "missing.csv"))
    assert rc == 1 and "missing.csv" in err
    rc, out, err = run(db, "import", "netbox-csv", str(some), "--space", "a", "--space-map", "x=y")
    assert rc == 2


def test_infoblox_records_without_zones_skipped(db):
    rc, r = report(db, "infoblox", os.path.join(FIX, "infoblox_nios_export.csv"), "--space-map", "CUST-B=custb")
    assert rc == 3 and counts(r, "skipped") == [0, 0, 0, 0, 5], r
    assert any("no zone holds www.example.com." in e["message"] for e in r["errors"]), r["errors"]
    rc, out, _ = run(db, "space", "list")
    assert "custb" in out


def listing(db):
    out = {}
    for what in ("prefix", "range", "ip"):
        for space in ("default", "CUST-B", "MGMT"):
            rc, text, err = run(db, "--json", what, "list", "--space", space)
            assert rc == 0, err
            out[what, space] = [json.loads(line) for line in text.splitlines()]
    return out


def test_export_round_trip(db, tmp_path):
    assert report(db, "netbox-csv", *NETBOX)[0] == 0
    rc, out, err = run(db, "export", "--format", "netbox-csv", str(tmp_path / "nb"))
    assert rc == 0, err
    other = tmp_path / "other.db"
    assert run(other, "init")[0] == 0
    files = [str(tmp_path / "nb" / f) for f in ("vrfs.csv", "prefixes.csv", "ip-ranges.csv", "ip-addresses.csv")]
    rc, r = report(other, "netbox-csv", *files)
    assert rc == 0, r
    assert listing(db) == listing(other)
    rc, out, err = run(db, "export", "--format", "infoblox-csv", str(tmp_path / "ib.csv"))
    assert rc == 0, err
    third = tmp_path / "third.db"
    assert run(third, "init")[0] == 0
    rc, r = report(third, "infoblox", str(tmp_path / "ib.csv"))
    assert rc == 0, r
    assert counts(r, "imported")[1:4] == [10, 3, 18]
    # the document export is unchanged
    rc, out, err = run(db, "export")
    assert rc == 0 and json.loads(out)["format"] == "libipam-export"


def test_suggest_then_csv(db, tmp_path):
    hosts = tmp_path / "hosts.csv"
    hosts.write_text("IP,Subnet Mask,Host Name,Owner\n10.0.0.5,255.255.255.0,web1.example.com,ops\n"
                     "10.0.0.6,255.255.255.0,web2.example.com,ops\n10.0.0.300,255.255.255.0,bad.example.com,ops\n")
    rc, out, err = run(db, "import", "suggest", str(hosts))
    assert rc == 0, err
    mapping = json.loads(out)
    assert mapping["columns"]["IP"]["field"] == "address"
    assert mapping["columns"]["Owner"] == {"field": "attr", "name": "owner"}
    mp = tmp_path / "map.json"
    mp.write_text(out)
    rc, r = report(db, "csv", str(hosts), "--map", str(mp))
    assert rc == 3 and counts(r, "imported") == [0, 0, 0, 2, 0]
    assert r["errors"][0]["line"] == 4 and r["errors"][0]["field"] == "IP"
    rc, out, err = run(db, "import", "csv", str(hosts))
    assert rc == 2 and "--map" in err
    rc, out, err = run(db, "import", "bluecat", str(hosts), "--map", str(mp))
    assert rc == 2


def test_bind_zones_created(db):
    files = [os.path.join(FIX, "bind", f) for f in ("db.example.com", "db.192.0.2", "db.2001.db8.100")]
    rc, r = report(db, "bind-zone", *files)
    assert rc == 0 and r["imported"]["zones"] == 3 and r["imported"]["records"] == 40
    rc, out, err = run(db, "zone", "show", "2.0.192.in-addr.arpa")
    assert rc == 0 and "100.2.0.192.in-addr.arpa. 86400 IN PTR dhcp-100.example.com." in out
    rc, r = report(db, "bind-zone", *files)
    assert rc == 0 and r["unchanged"]["zones"] == 3 and r["unchanged"]["records"] == 40
