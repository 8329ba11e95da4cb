#!/usr/bin/env python3
"""The Python side of bench/bindings/run.sh: W1 through the ipam package,
and the cost of one call.

usage: PYTHONPATH=BUILD/bindings/python python3 w1.py [ROUNDS]
environment: W1_N (default 65534), BENCH_URIS (default "index: memory:"),
BENCH_VARIANTS (default "prefix str txn"), BENCH_CALL=0 to leave out the calls

One JSON line per measured round, as c-bench prints them:
- W1 (bench-peers/workloads.py: the 65,534 addresses of 10.0.0.0/16) on
  "index:" and "memory:", a fresh database each round, in three ways:
  "prefix" (Prefix.alloc_address(), the usual form), "str"
  (db.alloc_address("10.0.0.0/16"), the prefix parsed on every call) and
  "txn" ("prefix" inside one db.transaction()); results kept in a list
  and checked (10.0.0.1 ... 10.0.255.254, then ipam.Exhausted);
- "call": 1,000,000 reads of db.revision (the package's property) and of
  ipam.capi.ipam_db_revision (the SWIG function alone) on "index:".
"""

import ipaddress
import json
import os
import sys
import time

import ipam

W1_N = min(int(os.environ.get("W1_N", 65534)), 65534)
EXPECT = [ipaddress.IPv4Address(0x0A000001 + i) for i in range(W1_N)]


def emit(**kw):
    print(json.dumps({"peer": "libipam-python", **kw}), flush=True)


def w1(uri, variant, rnd):
    with ipam.open(uri) as db:
        net = db.add_prefix("10.0.0.0/16")
        got = []
        add = got.append
        t0 = time.perf_counter()
        if variant == "prefix":
            for _ in range(W1_N):
                add(net.alloc_address())
        elif variant == "str":
            for _ in range(W1_N):
                add(db.alloc_address("10.0.0.0/16"))
        else:
            with db.transaction():
                for _ in range(W1_N):
                    add(net.alloc_address())
        secs = time.perf_counter() - t0
        try:
            net.alloc_address()
            exhausted = W1_N < 65534
        except ipam.Exhausted:
            exhausted = True
    ok = exhausted and got == EXPECT
    emit(workload="W1", uri=uri, variant=variant, round=rnd, ops=W1_N, secs=round(secs, 6),
         ops_s=round(W1_N / secs, 1), ns_per_op=round(secs / W1_N * 1e9, 1), verified=ok)
    if not ok:
        sys.exit(f"w1.py: W1 on {uri} ({variant}): wrong addresses")


def call(rnd):
    n = 1_000_000
    with ipam.open("index:") as db:
        h, fn = db._h, ipam.capi.ipam_db_revision
        for name, body in (("DB.revision", lambda: db.revision), ("capi.ipam_db_revision", lambda: fn(h))):
            t0 = time.perf_counter()
            for _ in range(n):
                body()
            secs = time.perf_counter() - t0
            emit(workload="call", call=name, round=rnd, ops=n, secs=round(secs, 6), ns_per_op=round(secs / n * 1e9, 1))
    # the loop and the lambda alone, to subtract
    f = lambda: None  # noqa: E731
    t0 = time.perf_counter()
    for _ in range(n):
        f()
    secs = time.perf_counter() - t0
    emit(workload="call", call="empty lambda (loop cost)", round=rnd, ops=n, secs=round(secs, 6),
         ns_per_op=round(secs / n * 1e9, 1))


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    uris = os.environ.get("BENCH_URIS", "index: memory:").split()
    variants = os.environ.get("BENCH_VARIANTS", "prefix str txn").split()
    for rnd in range(1, rounds + 1):
        for uri in uris:
            for variant in variants:
                w1(uri, variant, rnd)
        if os.environ.get("BENCH_CALL") != "0":
            call(rnd)


if __name__ == "__main__":
    main()
