#!/usr/bin/env python3
"""ipamctl discover / reconcile end to end, in batch mode on a memory: database
(one process, so what `discover` saves is what `reconcile` reads).

The Google Compute inventory comes from cloud_server.py (started here); the
token comes from the environment, as the CLI wants it. Then reconcile (JSON),
reconcile --apply, and reconcile again: idempotent. Then, with no token in
the environment, a stored credential (its secret from a file, sealed)
serves `discover gcp` and `discover cloud-dns gcp` (twice: the second read
changes nothing), and its secret shows nowhere. Then cloud-dns --dry-run,
--zone and --private.

usage: test_cli.py IPAMCTL
"""
import json
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
ipamctl = sys.argv[1]
server = subprocess.Popen([sys.executable, os.path.join(here, "cloud_server.py"), "AKIDEXAMPLE", "x"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
try:
    port = int(server.stdout.readline())
    env = dict(os.environ, GOOGLE_OAUTH_ACCESS_TOKEN="gcp-token", IPAM_GCP_ENDPOINT=f"http://127.0.0.1:{port}")
    lines = "\n".join([
        "discover gcp proj-1",
        "prefix add 10.128.0.0/20 --space gcp/proj-1/default",
        "reconcile --space gcp/proj-1/default",
        "reconcile --space gcp/proj-1/default --apply",
        "reconcile --space gcp/proj-1/default",
        "ip show 10.128.0.2 --space gcp/proj-1/default",
        "discover sweep 10.0.0.0/24",
    ]) + "\n"
    out = subprocess.run([ipamctl, "--db", "memory:", "batch"], input=lines, env=env, capture_output=True,
                         text=True, timeout=60)
    res = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    assert len(res) == 7, (out.stdout, out.stderr)
    disc = res[0]["result"] if "result" in res[0] else res[0]
    assert disc["observations"] == 4, disc
    first = res[2].get("result", res[2])
    assert first["counts"]["unrecorded"] == 1 and first["counts"]["subnet-missing"] == 2, first
    assert first["counts"]["subnet-differs"] == 0, first
    applied = res[3].get("result", res[3])
    assert applied["applied"] == 1, applied
    again = res[4].get("result", res[4])
    assert again["counts"]["unrecorded"] == 0 and again["applied"] == 0, again
    ip = res[5].get("result", res[5])
    assert json.dumps(ip).find("discovery") >= 0, ip
    # a probe without what it needs is a usage error, not a crash
    assert res[6].get("ok") is False or "error" in res[6], res[6]
    # the token never reaches the output
    assert "gcp-token" not in out.stdout + out.stderr

    # a stored credential instead of the environment
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".secret") as f, tempfile.TemporaryDirectory() as tmp:
        f.write("gcp-token\n")
        f.flush()
        env2 = {k: v for k, v in env.items() if k != "GOOGLE_OAUTH_ACCESS_TOKEN"}
        env2["IPAM_CLOUD_DNS_ENDPOINT"] = env["IPAM_GCP_ENDPOINT"]
        lines = "\n".join([
            "discover gcp proj-1",
            f"credential add g1 --type gcp --secret-file {f.name}",
            "credential list",
            "discover gcp proj-1 --credential g1",
            "discover cloud-dns gcp proj-1 --credential g1",
            "discover cloud-dns gcp proj-1 --credential g1",
            "discover cloud-dns aws --credential g1",
            f"export -o {tmp}/export.json",
        ]) + "\n"
        out = subprocess.run([ipamctl, "--db", "memory:", "batch"], input=lines, env=env2, capture_output=True,
                             text=True, timeout=60)
        with open(f"{tmp}/export.json") as e:
            exported = e.read()
    res = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    assert len(res) == 8, (out.stdout, out.stderr)
    get = lambda r: r.get("result", r) if isinstance(r, dict) else r
    assert "error" in res[0] and "credential" in json.dumps(res[0]), res[0]  # no token: told how to give one
    assert get(res[2]) == [{"name": "g1", "type": "gcp"}], res[2]
    assert get(res[3])["observations"] == 4, res[3]
    first, second = get(res[4]), get(res[5])
    assert first["added"] == 3 and first["zones"][0]["created"] is True, first
    assert second["added"] == 0 and second["changed"] == 0 and second["unchanged"] == 3, second
    assert "not aws" in json.dumps(res[6]), res[6]  # a gcp credential for aws: refused, named
    assert "sealed:v1:" in exported and "gcp-token" not in exported
    assert "gcp-token" not in out.stdout + out.stderr

    # cloud-dns --dry-run / --zone / --private: a dry run reports and writes nothing (the zone list
    # stays empty, the next real read still creates the zone); --zone reads one zone; --private
    # takes the private one too (its record sets are empty: skipped, no apex NS)
    lines = "\n".join([
        "discover cloud-dns gcp proj-1 --zone example.org --dry-run",
        "zone list",
        "discover cloud-dns gcp proj-1 --zone corp.example.org",
        "discover cloud-dns gcp proj-1 --zone corp.example.org. --private --dry-run",
        "discover cloud-dns gcp proj-1 --private",
        "zone list",
    ]) + "\n"
    env3 = dict(env, IPAM_CLOUD_DNS_ENDPOINT=env["IPAM_GCP_ENDPOINT"])
    out = subprocess.run([ipamctl, "--db", "memory:", "batch"], input=lines, env=env3, capture_output=True,
                         text=True, timeout=60)
    res = [get(json.loads(line)) for line in out.stdout.splitlines() if line.strip()]
    assert len(res) == 6, (out.stdout, out.stderr)
    dry = res[0]
    assert dry["dry_run"] is True and dry["added"] == 3 and dry["removed"] == 0, dry
    assert [z["zone"] for z in dry["zones"]] == ["example.org."] and dry["zones"][0]["created"] is True, dry
    assert res[1] == {"items": []}, res[1]
    assert res[2]["zones"] == [], res[2]  # private, not asked for
    priv = res[3]
    assert priv["dry_run"] is True and [z["zone"] for z in priv["zones"]] == ["corp.example.org."], priv
    assert "no apex NS" in json.dumps(priv["zones"][0]["skipped"]), priv
    both = res[4]
    assert both["dry_run"] is False and both["added"] == 3, both
    assert sorted(z["zone"] for z in both["zones"]) == ["corp.example.org.", "example.org."], both
    assert [z["zone"] for z in res[5]["items"]] == ["example.org."], res[5]
    # the human form of a dry run says so, with a line per change
    human = subprocess.run([ipamctl, "--db", "memory:", "discover", "cloud-dns", "gcp", "proj-1", "--dry-run"],
                           env=env3, capture_output=True, text=True, timeout=60)
    assert human.returncode == 0, human.stderr
    assert human.stdout.startswith("dry run: nothing written"), human.stdout
    assert "zone example.org. (created): 3 added" in human.stdout and "+ www.example.org. A" in human.stdout

    # the progress bar: drawn on standard error when it is a terminal, wiped at the end; never into a pipe
    import pty
    master, slave = pty.openpty()
    run = subprocess.run([ipamctl, "--db", "memory:", "discover", "gcp", "proj-1"], env=env, stdout=subprocess.PIPE,
                         stderr=slave, timeout=60)
    os.close(slave)
    drawn = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    os.close(master)
    assert run.returncode == 0, drawn
    import re
    assert re.search(rb"\rgcp +[1-4] requests?", drawn) and drawn.endswith(b"\r\x1b[K"), drawn
    assert b"gcp-token" not in drawn
    piped = subprocess.run([ipamctl, "--db", "memory:", "discover", "gcp", "proj-1"], env=env, capture_output=True,
                           timeout=60)
    assert piped.returncode == 0 and piped.stderr == b"", piped.stderr
    print("ok")
finally:
    server.stdin.close()
    server.wait(timeout=10)
