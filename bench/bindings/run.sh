#!/bin/bash
# W1 through each binding beside C, beside the Python peers of
# /work/shared/bench-peers and beside metal-stack/go-ipam, in one session,
# into a results directory outside the repository; then one summary table.
#
# usage: bench/bindings/run.sh [RESULTS_DIR]
# environment:
#   STAGES     what to run (default "w1 instr goipam peers summary");
#              "summary" alone re-prints the table of a RESULTS_DIR
#   ROUNDS     rounds of W1 (default 5); each round runs c-bench, w1.py
#              and go-bench one after the other, so that the machine's
#              changes of speed fall on all three alike
#   BUILD_DIR  a release build with both bindings (default build-bench-bindings
#              in the repo: meson setup --buildtype=release -Dpython=enabled
#              -Dgo=enabled if missing)
#   PEERS_SRC  the peer scripts (default /work/shared/bench-peers), copied to
#              RESULTS_DIR/peers and run from there; W1 only: stdlib,
#              netaddr, PostgreSQL (WIN_FIRST/WIN_LAST as run_all.sh)
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$(mktemp -d /tmp/ipam-bindings-bench.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
case "$OUT/" in "$REPO"/*) echo "results dir must be outside the repo" >&2; exit 2 ;; esac
STAGES=${STAGES:-"w1 instr goipam peers summary"}
ROUNDS=${ROUNDS:-5}
BUILD_DIR=${BUILD_DIR:-$REPO/build-bench-bindings}
PEERS_SRC=${PEERS_SRC:-/work/shared/bench-peers}
GO=$(command -v go || echo /usr/local/go/bin/go)
rc=0
log() { echo "$(date +%T) $*" >&2; }

{
	echo "== stages: $STAGES (rounds $ROUNDS)"
	echo "date: $(date -Is)"
	echo "host: $(uname -srm); cpus: $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-))"
	echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "gcc: $(gcc -dumpfullversion)  $("$GO" version)  python: $(python3 -c 'import sys; print(sys.version.split()[0])')"
	echo "libipam: $(git -C "$REPO" rev-parse --short HEAD)$(git -C "$REPO" diff --quiet || echo '+dirty')"
} >>"$OUT/machine.txt"

build() {
	[ -d "$BUILD_DIR" ] || meson setup "$BUILD_DIR" "$REPO" --buildtype=release -Dpython=enabled -Dgo=enabled \
		>"$OUT/setup.log" || return 1
	ninja -C "$BUILD_DIR" >"$OUT/build.log" || return 1
}

stage_w1() {
	log "go-bench: build"
	(cd "$REPO/bench/bindings/go" &&
		PKG_CONFIG_PATH=$BUILD_DIR/meson-uninstalled CGO_CFLAGS="-O2" \
			CGO_LDFLAGS="-Wl,-rpath,$BUILD_DIR/src" GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off \
			"$GO" build -o "$OUT/go-bench" .) || { log "go-bench build FAILED"; rc=1; return; }
	: >"$OUT/c.jsonl"
	: >"$OUT/python.jsonl"
	: >"$OUT/go.jsonl"
	for r in $(seq "$ROUNDS"); do
		log "W1 round $r of $ROUNDS: c-bench, w1.py, go-bench (load $(cut -d' ' -f1 /proc/loadavg))"
		"$BUILD_DIR/bench/bindings/c-bench" 1 >>"$OUT/c.jsonl" || { log "c-bench FAILED"; rc=1; }
		PYTHONPATH=$BUILD_DIR/bindings/python python3 "$REPO/bench/bindings/w1.py" 1 >>"$OUT/python.jsonl" ||
			{ log "w1.py FAILED"; rc=1; }
		"$OUT/go-bench" 1 >>"$OUT/go.jsonl" || { log "go-bench FAILED"; rc=1; }
	done
	log "ipam-bench W1 on index: and memory:"
	: >"$OUT/ipam-bench.jsonl"
	for uri in index: memory:; do
		IPAM_BENCH_URI=$uri "$BUILD_DIR/bench/ipam-bench" W1 | grep '"W1"' | sed "s/^{/{\"uri\": \"$uri\", /" \
			>>"$OUT/ipam-bench.jsonl" || { log "ipam-bench FAILED"; rc=1; }
	done
}

# Instructions per allocation (callgrind: the same count whatever the load),
# from two runs of different lengths so that setup cancels out. C and Python
# only: valgrind 3.19 cannot run Go 1.26 binaries.
stage_instr() {
	local py n uri
	py=$(python3 -c 'import sys; print(sys.executable)')
	: >"$OUT/instr.jsonl"
	for uri in index: memory:; do
		for n in 10000 30000; do
			log "callgrind: W1_N=$n on $uri"
			W1_N=$n BENCH_URIS=$uri BENCH_CALL=0 valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.c.$uri$n" \
				"$BUILD_DIR/bench/bindings/c-bench" 1 2>"$OUT/cg.c.$uri$n.log" >/dev/null
			W1_N=$n BENCH_URIS=$uri BENCH_VARIANTS=prefix BENCH_CALL=0 PYTHONPATH=$BUILD_DIR/bindings/python \
				valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.py.$uri$n" "$py" \
				"$REPO/bench/bindings/w1.py" 1 2>"$OUT/cg.py.$uri$n.log" >/dev/null
		done
		for lang in c py; do
			local a b
			a=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$OUT/cg.$lang.${uri}10000.log")
			b=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$OUT/cg.$lang.${uri}30000.log")
			echo "{\"workload\": \"W1-instr\", \"lang\": \"$lang\", \"uri\": \"$uri\", \"instr_10000\": $a, \"instr_30000\": $b, \"instr_per_alloc\": $(((b - a) / 20000))}" >>"$OUT/instr.jsonl"
		done
	done
}

stage_goipam() {
	log "go-ipam peer: W1 (windows GO_WIN_FIRST=${GO_WIN_FIRST:-2000} GO_WIN_LAST=${GO_WIN_LAST:-500})"
	(cd "$REPO/bench/go-ipam" && GOTOOLCHAIN=local "$GO" build -o "$OUT/go-ipam-bench" .) ||
		{ log "go-ipam build FAILED"; rc=1; return; }
	"$OUT/go-ipam-bench" W1 >"$OUT/goipam.jsonl" 2>"$OUT/goipam.err" || { log "go-ipam FAILED"; rc=1; }
}

stage_peers() {
	rm -rf "$OUT/peers"
	cp -r "$PEERS_SRC" "$OUT/peers"
	chmod -R u+w "$OUT/peers"
	: >"$OUT/peers/results/results.jsonl" 2>/dev/null || { mkdir -p "$OUT/peers/results"; : >"$OUT/peers/results/results.jsonl"; }
	export WIN_FIRST=${WIN_FIRST:-1000} WIN_LAST=${WIN_LAST:-100}
	for p in peer_stdlib.py peer_netaddr.py; do
		log "peers: $p W1"
		"$OUT/peers/run_one.sh" $p W1 >>"$OUT/peers/results/results.jsonl" || rc=1
	done
	log "peers: starting PostgreSQL"
	local pgout PGDIR
	pgout=$("$OUT/peers/pg_start.sh") || { log "pg_start failed"; rc=1; return; }
	PGDIR=$(sed -n 's/.*PGDIR=\([^ ]*\).*/\1/p' <<<"$pgout" | tail -1)
	log "peers: peer_pg.py W1"
	"$OUT/peers/run_one.sh" peer_pg.py W1 >>"$OUT/peers/results/results.jsonl" || rc=1
	runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$PGDIR/data" -m fast stop >/dev/null
	cp "$OUT/peers/results/results.jsonl" "$OUT/peers.jsonl"
}

summary() {
	python3 - "$OUT" <<'PY'
import json, os, statistics, sys
out = sys.argv[1]
def load(name):
    p = os.path.join(out, name)
    return [json.loads(l) for l in open(p) if l.strip().startswith("{")] if os.path.exists(p) else []
def med(xs): return statistics.median(xs) if xs else float("nan")
rows = []
def w1(label, recs, note=""):
    ns = [r["ns_per_op"] for r in recs if r.get("verified", True)]
    if ns:
        rows.append((label, 1e9 / med(ns), 1e9 / min(ns), med(ns), len(ns), note))
c, py, go = load("c.jsonl"), load("python.jsonl"), load("go.jsonl")
for uri in ("index:", "memory:"):
    w1(f"C ipam_ip_alloc ({uri})", [r for r in c if r["workload"] == "W1" and r["uri"] == uri])
    for v in ("prefix", "str", "txn"):
        w1(f"Python {v} ({uri})", [r for r in py if r["workload"] == "W1" and r["uri"] == uri and r["variant"] == v])
    for v in ("loop", "txn", "goroutines"):
        w1(f"Go {v} ({uri})", [r for r in go if r["workload"] == "W1" and r["uri"] == uri and r["variant"] == v])
for r in load("instr.jsonl"):
    rows.append((f"instructions: {'C' if r['lang'] == 'c' else 'Python prefix'} ({r['uri']})", float("nan"),
                 float("nan"), float("nan"), 1, f"{r['instr_per_alloc']:,} instructions per allocation (callgrind)"))
for r in load("ipam-bench.jsonl"):
    rows.append((f"C ipam-bench W1 ({r['uri']})", r["ops_s"], r["ops_s"], r["us_per_op"] * 1000, 1, "one run"))
print("| W1 (65,534 allocations) | median allocs/s | best | median ns/alloc | rounds | |")
print("|---|---|---|---|---|---|")
for label, m, b, ns, n, note in rows:
    print(f"| {label} | {m:,.0f} | {b:,.0f} | {ns:,.0f} | {n} | {note} |")
print()
print("| one call (ns, median) | |")
print("|---|---|")
for recs, key in ((c, "call"), (py, "call"), (go, "call")):
    names = sorted({r["call"] for r in recs if r["workload"] == key})
    for n in names:
        print(f"| {recs[0]['peer']} {n} | {med([r['ns_per_op'] for r in recs if r.get('call') == n]):,.1f} |")
print()
peers = load("peers.jsonl") + load("goipam.jsonl")
if peers:
    print("| peer | variant / phase | ops | secs | ops/s |")
    print("|---|---|---|---|---|")
    for r in peers:
        if r.get("workload") != "W1":
            continue
        v = "/".join(str(r[k]) for k in ("variant", "query", "phase") if k in r)
        if "commit_every" in r:
            v += f" (commit every {r['commit_every']})"
        ops_s = r.get("ops_s") or (r["ops"] / r["secs"] if r.get("secs") else 0)
        print(f"| {r['peer']} | {v} | {r['ops']} | {r['secs']:.4g} | {ops_s:,.0f} |")
PY
}

for s in $STAGES; do
	case $s in
	w1 | instr) build || { log "build FAILED"; exit 1; } ;;
	esac
	case $s in
	w1) stage_w1 ;;
	instr) stage_instr ;;
	goipam) stage_goipam ;;
	peers) stage_peers ;;
	summary) summary | tee "$OUT/summary.md" ;;
	*) echo "unknown stage $s" >&2; exit 2 ;;
	esac
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
exit $rc
