#!/bin/bash
# A small real job for ipamctl on a throwaway memory: store: a space, a
# container, two /24s carved out of it, addresses with hostnames and MACs, a
# DHCP range, utilization and lookups. A memory: store lives as long as one
# process, so the whole job goes through one `ipamctl batch`, which prints
# one JSON result per command; each result is shown under its command.
#
# usage: examples/quickstart.sh [BUILDDIR]   (default: build)
set -u
set -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
builddir=${1:-build}
ctl=$builddir/examples/ipamctl/ipamctl
if [ ! -x "$ctl" ]; then
	echo "quickstart: $ctl not found; build first: meson setup $builddir && ninja -C $builddir" >&2
	exit 1
fi

job=$(cat <<'EOF'
# A space (a VRF) for the lab, labelled with where it lives
init
space add lab --label site=par1 --label env=prod
# The lab's supernet, and two /24s allocated from it (first-fit, then best-fit)
prefix add 10.20.0.0/16 --space lab --status container --description "lab supernet"
prefix alloc 10.20.0.0/16 --length 24 --space lab --description servers
prefix alloc 10.20.0.0/16 --length 24 --space lab --policy best-fit --description clients
# Addresses for two servers: the lowest free ones, never the network address
ip alloc 10.20.0.0/24 --space lab --hostname web1.lab.example.net --mac 52:54:00:12:34:01
ip alloc 10.20.0.0/24 --space lab --hostname web2.lab.example.net --mac 52:54:00:12:34:02
# The clients' /24: a DHCP pool, a reserved printer, and the gateway (allocation skips the pool)
range add 10.20.1.100 10.20.1.199 --purpose dhcp --space lab
ip add 10.20.1.10 --space lab --hostname printer.lab.example.net --mac 52:54:00:12:34:03 --status reserved
ip alloc 10.20.1.0/24 --space lab --hostname gw.lab.example.net
# What is where
prefix list --space lab
ip list --space lab
util 10.20.1.0/24 --space lab
util 10.20.0.0/16 --space lab
find 10.20.1.150 --space lab
EOF
)

out=$("$ctl" --db memory: batch <<EOF
$job
EOF
)
rc=$?

# Show each command followed by its result (comments become headings).
mapfile -t results <<<"$out"
i=0
while IFS= read -r line; do
	case $line in
	'') ;;
	'#'*) printf '\n%s\n' "$line" ;;
	*)
		printf '$ ipamctl %s\n' "$line"
		printf '  %s\n' "${results[i]:-}"
		i=$((i + 1))
		;;
	esac
done <<<"$job"

if [ $rc -ne 0 ]; then
	echo "quickstart: ipamctl batch failed (exit $rc); see the error results above" >&2
	exit $rc
fi
echo
echo "quickstart: ok"
