#!/bin/bash
# Checks that ipam-bench generates exactly the inputs of workloads.py (and
# the same reference results): `ipam-bench --digest` against python3
# running workloads.py's generators and references, with the same sizes
# (the W*_N environment variables apply to both sides).
# usage: bench/check_inputs.sh [path/to/ipam-bench]   (env PEERS_SRC: the
#        directory holding workloads.py, default /work/shared/bench-peers)
# Full sizes take about a minute (lpm_reference in Python is the slow part);
# e.g. W3_LOOKUPS=20000 W4_N=20000 W2M_N=20000 makes it quick.
set -u
BENCH=${1:-$(dirname "$0")/../build-bench/bench/ipam-bench}
PEERS_SRC=${PEERS_SRC:-/work/shared/bench-peers}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$BENCH" --digest > "$tmp/c.txt" || { echo "ipam-bench --digest failed"; exit 1; }
PYTHONDONTWRITEBYTECODE=1 python3 - "$PEERS_SRC" > "$tmp/py.txt" <<'PY' || { echo "python side failed"; exit 1; }
import sys, random
sys.path.insert(0, sys.argv[1])
import workloads as w
sz = w.w2_mixed_sizes(); print('w2_mixed_sizes', w.digest(sz))
ref = w.mixed_reference(sz); print('mixed_reference', len(ref), w.digest(ref))
p4 = w.w3_v4_prefixes(); print('w3_v4_prefixes', w.digest(p4))
l4 = w.w3_v4_lookups(); print('w3_v4_lookups', w.digest(l4))
print('lpm_reference_v4', *w.lpm_reference(p4, l4, 32))
p6 = w.w3_v6_prefixes(); print('w3_v6_prefixes', w.digest(p6))
l6 = w.w3_v6_lookups(p6); print('w3_v6_lookups', w.digest(l6))
print('lpm_reference_v6', *w.lpm_reference(p6, l6, 128))
p = w.w4_prefixes(); print('w4_prefixes', w.digest(p))
acc = w.w4_reference(p); print('w4_reference', len(acc), w.digest(acc))
rng = random.Random(6); print('mem_sparse', w.digest([0x0A000000 | rng.getrandbits(24) for _ in range(100000)]))
PY
if diff -u "$tmp/py.txt" "$tmp/c.txt"; then
    echo "inputs identical ($(wc -l < "$tmp/c.txt") digests):"; cat "$tmp/c.txt"
else
    echo "MISMATCH between workloads.py (-) and ipam-bench --digest (+)"; exit 1
fi
