#!/bin/bash
# W1 and W2 against PostgreSQL 15 with 1, 4 and 8 writer processes.
#
#   bench/pg-writers.sh BUILDDIR [PER_WRITER_W1] [PER_WRITER_W2]
#
# Starts a private server with fsync on (tests/pg/with-pg.sh --fsync; every
# transaction SERIALIZABLE), and for each writer count makes a new database
# and runs that many processes at once (tests' st_helper): W1 allocates the
# next free address from 10.20.0.0/16, W2 the next free /24 from 10.0.0.0/8,
# one ipam_db_run() transaction each. Prints allocations/s (aggregate) and
# the conflicts and retries the processes counted.
set -eu
build=$(cd "${1:?usage: pg-writers.sh BUILDDIR [N_W1] [N_W2]}" && pwd)
n1=${2:-1000}
n2=${3:-500}
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${IPAM_TEST_PG:-}" ]; then
	exec "$here/../tests/pg/with-pg.sh" --fsync "$0" "$build" "$n1" "$n2"
fi
helper=$build/tests/storage/st_helper
mk=$build/bench/pg-setup
key=$(mktemp)
head -c 32 /dev/urandom >"$key"
trap 'rm -f "$key"' EXIT
run() { # WORKLOAD WRITERS
	local w=$1 k=$2 db=b_${1,,}_$2 out=$(mktemp -d)
	psql "$IPAM_TEST_PG" -qc "CREATE DATABASE $db"
	local uri="$IPAM_TEST_PG dbname=$db"
	"$mk" "$uri" 10.20.0.0/16 10.0.0.0/8
	local pids=() fifo=$out/go
	mkfifo "$fifo"
	for i in $(seq "$k"); do
		if [ "$w" = W1 ]; then
			"$helper" alloc "$uri" "$key" 10.20.0.0/16 "$n1" "w$i" <"$fifo" >"$out/$i" 2>"$out/err.$i" &
		else
			"$helper" carve "$uri" "$key" 10.0.0.0/8 24 "$n2" "w$i" <"$fifo" >"$out/$i" 2>"$out/err.$i" &
		fi
		pids+=($!)
	done
	exec 9>"$fifo"
	sleep 1 # all connected and waiting
	local t0=$(date +%s.%N)
	head -c "$k" /dev/zero | tr '\0' g >&9
	exec 9>&-
	wait "${pids[@]}"
	local t1=$(date +%s.%N)
	local n=$([ "$w" = W1 ] && echo $((n1 * k)) || echo $((n2 * k)))
	awk -v w="$w" -v k="$k" -v n="$n" -v t="$(echo "$t1 - $t0" | bc -l)" '
		/^T / { c += $3; r += $4; lw += $5 }
		END { printf "%s writers=%d allocations=%d time=%.2fs rate=%.0f/s conflicts=%d retries=%d (%.1f/s) lock_waits=%d\n",
			w, k, n, t, n / t, c, r, r / t, lw }' "$out"/[0-9]*
	rm -rf "$out"
}
for w in W1 W2; do
	for k in 1 4 8; do
		run "$w" "$k"
	done
done
