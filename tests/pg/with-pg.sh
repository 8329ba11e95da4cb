#!/bin/bash
# Run a command beside a private PostgreSQL 15 server on 127.0.0.1 (a free
# port, a temporary directory), and stop the server afterwards, also when
# the command fails or the script is interrupted.
#
#   with-pg.sh [--fsync] COMMAND [ARGS...]
#
# The command sees:
#   IPAM_TEST_PG      a libpq keyword string for the server's "postgres"
#                     database as the superuser "ipam" (trust auth)
#   IPAM_TEST_PG_DIR  the server's directory (data/, log)
#   IPAM_TEST_PG_CTL  a script: `$IPAM_TEST_PG_CTL stop|start|crash` stops
#                     the server (fast), starts it again on the same port,
#                     or crashes it (immediate mode: every process quits at
#                     once, no checkpoint; the next start recovers from the
#                     WAL, as after a power cut)
# Every transaction is SERIALIZABLE by default (as on CockroachDB), so the
# tests see the same 40001 conflicts. Without --fsync the server does not
# fsync (tests); benchmarks pass --fsync. IPAM_TEST_PG_OPTS, if set, is
# added to the server's options (e.g. "-c shared_preload_libraries=...").
#
# initdb refuses root: as root the server runs as the `postgres` user.
set -u
fsync=off
if [ "${1:-}" = "--fsync" ]; then
	fsync=on
	shift
fi
[ $# -ge 1 ] || { echo "usage: with-pg.sh [--fsync] COMMAND [ARGS...]" >&2; exit 2; }

bindir=
for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
	[ -x "$d/initdb" ] && { bindir=$d; break; }
done
[ -n "$bindir" ] || { echo "with-pg.sh: no PostgreSQL server (apt-get install postgresql)" >&2; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/ipam-pg-XXXXXX") || exit 1
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
	chown postgres "$dir"
	chmod 755 "$dir"
	as_pg=(runuser -u postgres --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cat >"$dir/ctl" <<CTL
#!/bin/bash
# stop | start | crash the test server in $dir
case "\$1" in
stop) ${as_pg[*]} "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;
start) ${as_pg[*]} "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \\
	-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=$fsync -c synchronous_commit=on \\
	-c default_transaction_isolation=serializable -c max_connections=200 -c shared_buffers=128MB ${IPAM_TEST_PG_OPTS:-}" start >/dev/null ;;
crash) ${as_pg[*]} "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null ;;
*) echo "usage: \$0 stop|start|crash" >&2; exit 2 ;;
esac
CTL
chmod 755 "$dir/ctl"

cleanup() {
	"$dir/ctl" stop 2>/dev/null || "$dir/ctl" crash 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! "${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U ipam --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
	echo "with-pg.sh: initdb failed:" >&2
	cat "$dir/initdb.log" >&2
	exit 1
fi
if ! "$dir/ctl" start; then
	echo "with-pg.sh: the server did not start:" >&2
	cat "$dir/log" >&2
	exit 1
fi
export IPAM_TEST_PG="host=127.0.0.1 port=$port user=ipam dbname=postgres"
export IPAM_TEST_PG_DIR=$dir
export IPAM_TEST_PG_CTL=$dir/ctl
"$@"
