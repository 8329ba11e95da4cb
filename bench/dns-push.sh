#!/bin/bash
# Pushes N changes by RFC 2136 to a local BIND: starts named on 127.0.0.1
# (a free port, a temporary directory, a fresh hmac-sha256 key, the zone
# bench.test. with only its SOA and NS), runs `dns-bench push`, stops named.
#
# usage: bench/dns-push.sh [BUILD_DIR] [N]
#   BUILD_DIR  meson build dir with bench/dns-bench (default build-bench,
#              set up with --buildtype=release if missing)
#   N          changes per push (default 10000)
set -eu
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${1:-build-bench}
n=${2:-10000}
if [ ! -x "$build/bench/dns-bench" ]; then
	[ -d "$build" ] || meson setup "$build" --buildtype=release >/dev/null
	ninja -C "$build" bench/dns-bench >/dev/null
fi
dir=$(mktemp -d /tmp/dns-push.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
tsig-keygen -a hmac-sha256 bench-key >"$dir/key.conf"
secret=$(sed -n 's/.*secret "\(.*\)";/\1/p' "$dir/key.conf")
cat >"$dir/bench.test.zone" <<ZONE
\$ORIGIN bench.test.
\$TTL 300
@ SOA ns1 hostmaster 1 3600 900 1209600 300
@ NS ns1
ns1 A 127.0.0.1
ZONE
cat >"$dir/named.conf" <<CONF
include "$dir/key.conf";
options {
	directory "$dir";
	listen-on port $port { 127.0.0.1; };
	listen-on-v6 { none; };
	pid-file "$dir/named.pid";
	session-keyfile "$dir/session.key";
	recursion no;
	notify no;
};
controls { };
zone "bench.test" { type primary; file "$dir/bench.test.zone"; allow-update { key "bench-key"; }; };
CONF
named -g -c "$dir/named.conf" -n 2 >"$dir/named.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
	dig +short +time=1 +tries=1 -p "$port" @127.0.0.1 bench.test. SOA 2>/dev/null | grep -q hostmaster && break
	sleep 0.1
done
echo "named $(named -v | cut -d' ' -f2) on 127.0.0.1#$port, $(nproc) cores"
"$build/bench/dns-bench" push 127.0.0.1 "$port" bench-key "$secret" "$n"
