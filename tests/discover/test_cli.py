#!/usr/bin/env python3
"""ipamctl discover / reconcile end to end, in batch mode on a memory: database
(one process, so what `discover` saves is what `reconcile` reads).

The Google Compute inventory comes from cloud_server.py (started here); the
token comes from the environment, as the CLI wants it. Then reconcile (JSON),
reconcile --apply, and reconcile again: idempotent.

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
    print("ok")
finally:
    server.stdin.close()
    server.wait(timeout=10)
