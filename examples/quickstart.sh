#!/bin/bash
# A small real session of ipamctl on an encrypted file: create it, then run
# one command per invocation (each opens the file again, so the state
# carries over): two spaces that overlap, nested prefixes, addresses with
# hostnames and MACs, a DHCP range, utilization, a lookup, an export, the
# audit log and its verification. Last, it shows that the file's bytes hold
# no hostname and that a wrong key fails cleanly.
#
# The file lives in a temporary folder that is removed at the end; the
# passphrase comes from IPAM_KEY (a demo value: pick your own).
#
# usage: examples/quickstart.sh [BUILDDIR]   (default: build)
set -u
set -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
builddir=${1:-build}
ctl=$(pwd)/$builddir/examples/ipamctl/ipamctl
if [ ! -x "$ctl" ]; then
	echo "quickstart: $ctl not found; build first: meson setup $builddir && ninja -C $builddir" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipam-quickstart.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

export IPAM_DB=$tmp/lab.ipam
export IPAM_KEY='demo passphrase: pick your own'
unset IPAM_KEY_FILE

failed=0
# Show a command, run it, indent its output; a failure stops the session.
step() {
	local shown="" a
	for a; do
		case $a in
		*[[:space:]]*) shown+=" \"$a\"" ;;
		*) shown+=" $a" ;;
		esac
	done
	printf '$ ipamctl%s\n' "$shown"
	"$ctl" "$@" 2>&1 | sed 's/^/    /'
	local rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		echo "quickstart: 'ipamctl $*' failed (exit $rc)" >&2
		exit 1
	fi
}
say() { printf '\n# %s\n' "$*"; }

say "An encrypted file (IPAM_DB=lab.ipam), its passphrase from IPAM_KEY"
step init

say "Two spaces (VRFs) that overlap: the same 10.20.0.0/16 lives in both"
step space add lab --label site=par1 --label env=prod
step space add dr --label site=fra1 --label env=dr
step prefix add 10.20.0.0/16 --space lab --status container --description "lab supernet"
step prefix add 10.20.0.0/16 --space dr --status container --description "DR copy of the lab"

say "Nested prefixes: /24s carved out of the /16 (first-fit, then best-fit), a /26 inside a /24"
step prefix alloc 10.20.0.0/16 --length 24 --space lab --description servers
step prefix alloc 10.20.0.0/16 --length 24 --space lab --policy best-fit --description clients
step prefix add 10.20.0.192/26 --space lab --description "management"
step prefix alloc 10.20.0.0/16 --length 24 --space dr --description servers

say "Addresses with hostnames and MACs: the lowest free ones, never the network address"
step --actor alice ip alloc 10.20.0.0/24 --space lab --hostname web1.lab.example.net --mac 52:54:00:12:34:01
step --actor alice ip alloc 10.20.0.0/24 --space lab --hostname web2.lab.example.net --mac 52:54:00:12:34:02
step ip alloc 10.20.0.192/26 --space lab --hostname bmc1.lab.example.net --mac 52:54:00:12:34:0a
step ip alloc 10.20.0.0/24 --space dr --hostname web1.dr.example.net --mac 52:54:00:56:78:01

say "The clients' /24: a DHCP scope and its pool, a reserved printer, and the gateway (allocation skips the pool)"
step scope add clients 10.20.1.0/24 --space lab
step pool add clients 10.20.1.100-10.20.1.199
step ip add 10.20.1.10 --space lab --hostname printer.lab.example.net --mac 52:54:00:12:34:03 --status reserved
step ip alloc 10.20.1.0/24 --space lab --hostname gw.lab.example.net

say "What is where"
step prefix list --space lab
step ip list --space lab
step range list --space lab
step util 10.20.1.0/24 --space lab
step util 10.20.0.0/16 --space lab
step find 10.20.1.150 --space lab
step find 10.20.0.200 --space lab
step find 10.20.0.1 --space dr

say "DNS: zones for the lab's names; the addresses with host names are already their records"
step zone add lab.example.net --space lab --ns ns1.lab.example.net --ttl 300
step zone add 20.10.in-addr.arpa --space lab --ns ns1.lab.example.net
step record add lab.example.net "ns1 A 10.20.0.53"
step record add lab.example.net "www CNAME web1"
step zone render lab.example.net
step zone render 20.10.in-addr.arpa
step zone conf --dir /var/lib/ipam-dns

say "DHCP: a reservation and the router option in the clients' scope; the Kea config it makes"
step reserve add clients 10.20.1.20 --mac 52:54:00:12:34:20 --hostname kiosk.lab.example.net
step option set routers 10.20.1.1 --scope clients
step dhcp render --format kea4

say "Export: one JSON document of everything, history included (written atomically, mode 0600)"
step export -o lab.json
printf '$ head -n 8 lab.json | cut -c 1-160\n'
head -n 8 lab.json | cut -c 1-160 | sed 's/^/    /'

say "The audit log: who changed what, hash-chained; then its verification"
step audit log
step audit verify
step check

say "At rest the file is encrypted: no hostname in its bytes"
printf '$ grep -c web1.lab.example.net lab.ipam\n'
count=$(grep -c -a web1.lab.example.net lab.ipam)
echo "    $count"
[ "$count" = 0 ] || { echo "quickstart: the hostname is in the file in clear" >&2; failed=1; }
printf '$ grep -c web1.lab.example.net lab.json   # the export, by contrast, is clear text (mode 0600)\n'
echo "    $(grep -c web1.lab.example.net lab.json)"

say "A wrong key fails cleanly (exit 1, a message, nothing changed)"
printf '$ IPAM_KEY=wrong ipamctl space list\n'
IPAM_KEY=wrong "$ctl" space list 2>&1 | sed 's/^/    /'
rc=${PIPESTATUS[0]}
echo "    (exit $rc)"
[ "$rc" = 1 ] || { echo "quickstart: a wrong key gave exit $rc, not 1" >&2; failed=1; }

echo
if [ $failed -ne 0 ]; then
	echo "quickstart: FAILED" >&2
	exit 1
fi
echo "quickstart: ok"
