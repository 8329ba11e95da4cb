#!/bin/bash
# Runs libipam's bench, the go-ipam peer and the Python/PostgreSQL peers of
# /work/shared/bench-peers in one session, into a results directory outside
# the repository, then prints one summary table.
#
# usage: bench/run.sh [RESULTS_DIR]
#   RESULTS_DIR       default: a fresh mktemp -d under /tmp
# environment:
#   STAGES            which parts to run (default "ipam go peers"); "summary"
#                     alone only re-prints the table of an existing RESULTS_DIR
#   BUILD_DIR         meson build dir for ipam-bench (default: build-bench in
#                     the repo; set up with --buildtype=release if missing)
#   PEERS_SRC         the peer scripts (default /work/shared/bench-peers); they
#                     are copied to RESULTS_DIR/peers and run from there, so
#                     PEERS_SRC is never written to
#   WIN_FIRST WIN_LAST W3_SAMPLE and the W*_N sizes: passed through
#                     (run_all.sh defaults: 1000, 100, 3)
# The Python peers need Debian's python3-netaddr python3-radix
# python3-psycopg2 postgresql; a private PostgreSQL cluster is started with
# the peers' pg_start.sh and stopped afterwards.
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$(mktemp -d /tmp/ipam-bench.XXXXXX)}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
case "$OUT/" in "$REPO"/*) echo "results dir must be outside the repo" >&2; exit 2;; esac
STAGES=${STAGES:-"ipam go peers"}
BUILD_DIR=${BUILD_DIR:-$REPO/build-bench}
PEERS_SRC=${PEERS_SRC:-/work/shared/bench-peers}
rc=0
log() { echo "$(date +%T) $*" >&2; }

machine_info() {
    {
        echo "== stages: $STAGES"
        echo "date: $(date -Is)"
        echo "host: $(uname -srm)"
        echo "cpus: $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-))"
        echo "mem: $(awk '/MemTotal/{print $2" kB"}' /proc/meminfo)"
        echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "gcc: $(gcc -dumpfullversion 2>/dev/null)  go: $(go version 2>/dev/null)"
        echo "libipam: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO" diff --quiet 2>/dev/null || echo '+dirty')"
    } >> "$OUT/machine.txt"
}

stage_ipam() {
    log "ipam-bench: build ($BUILD_DIR)"
    [ -d "$BUILD_DIR" ] || meson setup "$BUILD_DIR" "$REPO" --buildtype=release >/dev/null || return 1
    ninja -C "$BUILD_DIR" bench/ipam-bench >/dev/null || return 1
    log "ipam-bench: inputs check"
    "$REPO/bench/check_inputs.sh" "$BUILD_DIR/bench/ipam-bench" > "$OUT/check_inputs.txt" 2>&1 \
        || { log "input digests differ from workloads.py (see $OUT/check_inputs.txt)"; rc=1; }
    log "ipam-bench: run"
    /usr/bin/time -v -o "$OUT/ipam.time" "$BUILD_DIR/bench/ipam-bench" > "$OUT/ipam.jsonl" 2> "$OUT/ipam.err" \
        || { log "ipam-bench FAILED (verification or error, see $OUT/ipam.err)"; rc=1; }
}

stage_go() {
    log "go-ipam: build + run"
    ( cd "$REPO/bench/go-ipam" && go build -o "$OUT/go-ipam-bench" . ) || return 1
    /usr/bin/time -v -o "$OUT/go.time" "$OUT/go-ipam-bench" > "$OUT/go.jsonl" 2> "$OUT/go.err" \
        || { log "go-ipam peer FAILED (see $OUT/go.err)"; rc=1; }
}

stage_peers() {
    rm -rf "$OUT/peers"; cp -r "$PEERS_SRC" "$OUT/peers"; chmod -R u+w "$OUT/peers"
    log "peers: starting PostgreSQL"
    local pgout; pgout=$("$OUT/peers/pg_start.sh") || { log "pg_start failed"; return 1; }
    echo "$pgout" > "$OUT/pg.txt"
    local PGDIR; PGDIR=$(sed -n 's/.*PGDIR=\([^ ]*\).*/\1/p' <<<"$pgout" | tail -1)
    log "peers: run_all.sh (WIN_FIRST=${WIN_FIRST:-1000} WIN_LAST=${WIN_LAST:-100} W3_SAMPLE=${W3_SAMPLE:-3})"
    "$OUT/peers/run_all.sh" 2> "$OUT/peers.log"
    log "peers: stopping PostgreSQL"
    runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$PGDIR/data" -m fast stop >/dev/null
}

summary() {
    python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
def load(p, proc=None):
    rows = []
    if os.path.exists(p):
        for line in open(p):
            line = line.strip()
            if line.startswith('{'):
                rows.append(json.loads(line))
    return rows
rows = load(os.path.join(out, 'ipam.jsonl')) + load(os.path.join(out, 'go.jsonl')) + \
       load(os.path.join(out, 'peers', 'results', 'results.jsonl'))
print('ops/s is wall clock; libipam lines also give cpu_ops_s (thread CPU time), as the machine is shared')
print()
print('| peer | workload | variant/phase | ops | secs | ops/s | peak RSS MB | notes |')
print('|---|---|---|---|---|---|---|---|')
for d in rows:
    if 'ops' not in d or 'secs' not in d:
        continue
    vp = '/'.join(x for x in (str(d.get('variant', '')), str(d.get('phase', ''))) if x)
    if 'commit_every' in d: vp += ' ce=%s' % d['commit_every']
    rss = d.get('peak_rss_kb', d.get('client_maxrss_kb'))
    notes = []
    for k in ('cpu_ops_s', 'first1000_ns_per_op', 'last1000_ns_per_op', 'last_first_ratio',
              'first1000_cpu_ns_per_op', 'last1000_cpu_ns_per_op', 'first_ns_per_op', 'last_ns_per_op',
              'index_bytes_per_address', 'accepted', 'duplicates', 'hits', 'lensum', 'matches_reference',
              'next_alloc', 'verified', 'ok', 'note'):
        if k in d: notes.append('%s=%s' % (k, d[k]))
    ops_s = d.get('ops_s') or (d['ops'] / d['secs'] if d['secs'] else 0)
    print('| %s | %s | %s | %d | %.4g | %.4g | %s | %s |' % (d.get('peer', '?'), d['workload'], vp, d['ops'],
          d['secs'], ops_s, '%.0f' % (rss / 1024) if rss else '', '; '.join(notes)))
PY
}

machine_info
for s in $STAGES; do
    case $s in
        ipam) stage_ipam || { log "ipam stage failed"; rc=1; } ;;
        go) stage_go || { log "go stage failed"; rc=1; } ;;
        peers) stage_peers || { log "peers stage failed"; rc=1; } ;;
        summary) ;;
        *) echo "unknown stage $s" >&2; exit 2 ;;
    esac
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg) ($(date -Is))" >> "$OUT/machine.txt"
summary | tee "$OUT/summary.md"
echo "results: $OUT" >&2
exit $rc
