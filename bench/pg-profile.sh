#!/bin/bash
# Where the CPU and the time of PostgreSQL write transactions go: W1 (the
# next free address in 10.20.0.0/16, one ipam_db_run() transaction each)
# with K writer processes, against a private PostgreSQL 15 with fsync on.
#
#   bench/pg-profile.sh BUILDDIR [PER_WRITER] [K...]      (default 1000, K = 1 8)
#
# For each K it prints, per committed allocation:
#   - CPU (user+system) of the writer processes (bash `times`), of the
#     server's backends (the postmaster's reaped children: each backend
#     exits with its client), and of every other server process (WAL
#     writer, checkpointer ...: /proc/PID/stat before and after);
#   - machine-wide context switches (perf stat -a, when perf runs) and the
#     machine's busy CPU (/proc/stat: every state but idle and iowait);
#   - WAL records, bytes, writes and syncs (pg_stat_wal);
#   - each statement's calls and server time (pg_stat_statements), and the
#     time spent waiting in LOCK TABLE ipam_head (its execution time).
# The machine's load average at the start and the end of each run is
# printed too: the wall rates depend on it, the CPU per allocation much less.
set -eu
build=$(cd "${1:?usage: pg-profile.sh BUILDDIR [PER_WRITER] [K...]}" && pwd)
n=${2:-1000}
shift $(($# < 2 ? $# : 2))
ks=("$@")
[ ${#ks[@]} -gt 0 ] || ks=(1 8)
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${IPAM_TEST_PG:-}" ]; then
	export IPAM_TEST_PG_OPTS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all \
-c track_wal_io_timing=on ${IPAM_TEST_PG_OPTS:-}"
	exec "$here/../tests/pg/with-pg.sh" --fsync "$0" "$build" "$n" "${ks[@]}"
fi
helper=$build/tests/storage/st_helper
mk=$build/bench/pg-setup
hz=$(getconf CLK_TCK)
key=$(mktemp)
head -c 32 /dev/urandom >"$key"
trap 'rm -f "$key"' EXIT
pm=$(head -1 "$IPAM_TEST_PG_DIR/data/postmaster.pid")

# ticks: "pid name utime+stime" for every server process but backends, and
# "reaped cutime+cstime" for the postmaster's exited children
ticks() {
	awk '{ print "reaped", $16 + $17 }' "/proc/$pm/stat"
	for p in $(pgrep -P "$pm"); do
		local cmd
		cmd=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || continue
		case "$cmd" in *"postgres: ipam "*) continue ;; esac # a backend
		awk -v p="$p" -v c="${cmd#postgres: }" '{ sub(/ *$/, "", c); gsub(/ /, "_", c); print p, c, $14 + $15 }' \
			"/proc/$p/stat" 2>/dev/null || true
	done
}

run() { # WRITERS
	local k=$1 db=p_$1_$RANDOM out
	out=$(mktemp -d)
	psql "$IPAM_TEST_PG" -qc "CREATE DATABASE $db"
	local uri="$IPAM_TEST_PG dbname=$db"
	"$mk" "$uri" 10.20.0.0/16
	psql "$uri" -qc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
		-c "SELECT pg_stat_statements_reset()" -c "SELECT pg_stat_reset_shared('wal')" >/dev/null
	local fifo=$out/go pids=()
	mkfifo "$fifo"
	for i in $(seq "$k"); do
		"$helper" alloc "$uri" "$key" 10.20.0.0/16 "$n" "w$i" <"$fifo" >"$out/$i" 2>"$out/err.$i" &
		pids+=($!)
	done
	exec 9>"$fifo"
	sleep 1 # all connected and waiting
	local load0 load1 t0 t1
	load0=$(cut -d' ' -f1 /proc/loadavg)
	ticks >"$out/before"
	local perf_pid=
	if perf stat -a -e context-switches -x, -o "$out/perf" -- true 2>/dev/null; then
		perf stat -a -e context-switches -x, -o "$out/perf" &
		perf_pid=$!
	fi
	head -1 /proc/stat >"$out/stat0"
	times >"$out/cl0" # the children's CPU so far (no fork: $(times) would say 0)
	t0=$(date +%s.%N)
	head -c "$k" /dev/zero | tr '\0' g >&9
	exec 9>&-
	wait "${pids[@]}"
	t1=$(date +%s.%N)
	times >"$out/cl1"
	head -1 /proc/stat >"$out/stat1"
	[ -z "$perf_pid" ] || { kill -INT "$perf_pid"; wait "$perf_pid" || true; }
	load1=$(cut -d' ' -f1 /proc/loadavg)
	# wait until the writers' backends have exited and been reaped
	for _ in $(seq 100); do
		pgrep -P "$pm" -f "postgres: ipam $db" >/dev/null || break
		sleep 0.05
	done
	ticks >"$out/after"
	for i in $(seq "$k"); do
		grep -q '^T ' "$out/$i" || { echo "writer $i failed:" >&2; cat "$out/err.$i" >&2; exit 1; }
	done
	psql "$uri" -qAt -F' ' -c "SELECT wal_records, wal_bytes, wal_write, wal_sync, wal_sync_time FROM pg_stat_wal" \
		>"$out/wal"
	psql "$uri" -qAt -F'|' -c "SELECT calls, round(total_exec_time::numeric, 1), round(shared_blks_hit::numeric / calls, 1),
			regexp_replace(left(query, 70), '\s+', ' ', 'g')
		FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' ORDER BY total_exec_time DESC LIMIT 16" \
		>"$out/stmts"
	local commits
	commits=$(awk '/^T / { c += $2 } END { print c }' "$out"/[0-9]*)
	awk -v k="$k" -v n="$commits" -v t="$(echo "$t1 - $t0" | bc -l)" -v hz="$hz" -v l0="$load0" -v l1="$load1" \
		-v cl0="$(tail -1 "$out/cl0")" -v cl1="$(tail -1 "$out/cl1")" '
		function secs(s,   m) { m = s; sub(/m.*/, "", m); sub(/^[0-9]+m/, "", s); sub(/s$/, "", s); return m * 60 + s }
		FNR == 1 { f++ }
		f == 1 && $1 == "reaped" { r0 = $2; next }
		f == 1 { b[$1] = $3; name[$1] = $2; next }
		f == 2 && $1 == "reaped" { r1 = $2; next }
		f == 2 { if ($1 in b) { d = $3 - b[$1]; other[name[$1]] += d; ot += d }; next }
		END {
			split(cl0, c, " "); split(cl1, e, " "); client = secs(e[1]) + secs(e[2]) - secs(c[1]) - secs(c[2])
			be = (r1 - r0) / hz; ot /= hz
			printf "W1 writers=%d commits=%d time=%.2fs rate=%.0f/s load %s -> %s\n", k, n, t, n / t, l0, l1
			printf "  CPU per allocation: client %.0f us, backends %.0f us, other server processes %.0f us, total %.0f us (wall %.0f us)\n",
				client / n * 1e6, be / n * 1e6, ot / n * 1e6, (client + be + ot) / n * 1e6, t / n * 1e6
			for (p in other) if (other[p] > 0) printf "    %s %.1f us\n", p, other[p] / hz / n * 1e6
		}' "$out/before" "$out/after"
	if [ -f "$out/perf" ]; then
		awk -F, -v n="$commits" '$3 == "context-switches" { printf "  context switches (machine): %.1f per allocation\n", $1 / n }
			' "$out/perf"
	fi
	# /proc/stat's cpu line: user nice system idle iowait irq softirq steal (ticks)
	awk -v n="$commits" -v hz="$hz" -v ncpu="$(nproc)" -v t="$(echo "$t1 - $t0" | bc -l)" '
		NR == 1 { for (i = 2; i <= 9; i++) a[i] = $i; next }
		{ busy = 0; for (i = 2; i <= 9; i++) if (i != 5 && i != 6) busy += $i - a[i]
		  printf "  busy CPU (machine): %.0f us per allocation, %.0f%% of %d CPUs\n", busy / hz / n * 1e6,
			busy / hz / (t * ncpu) * 100, ncpu }' "$out/stat0" "$out/stat1"
	awk -v n="$commits" '{ printf "  WAL per allocation: %.1f records, %.0f bytes, %.2f writes, %.2f syncs (%.0f us sync time)\n",
		$1 / n, $2 / n, $3 / n, $4 / n, $5 * 1000 / n }' "$out/wal"
	echo "  statements: calls, server time (total, per allocation), buffer hits per call, text"
	awk -F'|' -v n="$commits" '{ printf "    %8d %9.1f ms %7.1f us/alloc %7.1f hits | %s\n", $1, $2, $2 * 1000 / n, $3, $4 }' "$out/stmts"
	rm -rf "$out"
}
for k in "${ks[@]}"; do
	run "$k"
done
