"""examples/python/subnet_hosts.py does its job: run it twice on one
encrypted file and check what it printed, the file and the export."""

import json
import os
import pathlib
import subprocess
import sys

EXAMPLE = pathlib.Path(os.environ.get("IPAM_SRC", pathlib.Path(__file__).parents[3])) / "examples/python/subnet_hosts.py"


def run(*args, **env):
    return subprocess.run([sys.executable, str(EXAMPLE), *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_subnet_hosts(tmp_path):
    db, export = tmp_path / "site.db", tmp_path / "export.json"
    r = run(db, export, IPAM_KEY="secret")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[:10] == [
        "subnet 10.40.0.0/26 in space ams1 (of 10.40.0.0/16)",
        "  10.40.0.1-10.40.0.3  reserved: routers",
        "  10.40.0.4  web1.ams1.example.net",
        "  10.40.0.5  web2.ams1.example.net",
        "  10.40.0.6  web3.ams1.example.net",
        "used 6 of 64 addresses (9.4%)",
        "zone ams1.example.net. (3 A records):",
        "  web1 300 IN A 10.40.0.4",
        "  web2 300 IN A 10.40.0.5",
        "  web3 300 IN A 10.40.0.6",
    ]
    # the space, block, subnet, range, 3 hosts, the zone and its first serial
    assert "audit chain of 9 entries verified" in r.stdout
    r = run(db, export, "db1", IPAM_KEY="secret")
    assert r.returncode == 0, r.stderr
    assert "subnet 10.40.0.64/26" in r.stdout and "10.40.0.68  db1.ams1.example.net" in r.stdout
    assert "zone ams1.example.net. (4 A records):" in r.stdout and "  db1 300 IN A 10.40.0.68" in r.stdout
    doc = json.loads(export.read_text())
    names = sorted(a["hostname"] for a in doc["addresses"])
    assert "ams1.example.net." in json.dumps(doc)  # the zone is part of the backup
    assert names == ["db1.ams1.example.net", "web1.ams1.example.net", "web2.ams1.example.net",
                     "web3.ams1.example.net"]
    assert b"web1" not in db.read_bytes()  # encrypted at rest
    r = run(db, export, IPAM_KEY="wrong")
    assert r.returncode != 0 and "AuthError" in r.stderr


def test_usage():
    r = run()
    assert r.returncode == 2 and r.stderr.startswith("usage: subnet_hosts.py DB EXPORT.json")
