#!/bin/sh
# Builds the test suite's CoreDNS (main.go: the bind, errors and file plugins only)
# once per CoreDNS version (and main.go, go.mod, go.sum) into a cache outside the build tree, so that CI's
# two builds (normal and ASan) share one build, and prints the binary's path.
#
# usage: build.sh            the cache: ${XDG_CACHE_HOME:-$HOME/.cache}/libipam
# exit:  0 and the path on stdout; 77 when Go is absent or no Go module proxy
#        can be reached (CoreDNS cannot be had on this machine: it is not in
#        Debian 12); 1 when the fetch or the build fails otherwise (a test
#        failure, not a skip).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# the version go.mod pins: the cache key
version=$(sed -n 's/^require github.com\/coredns\/coredns \(v[0-9.]*\)$/\1/p' "$here/go.mod")
[ -n "$version" ] || { echo "build.sh: no coredns version in $here/go.mod" >&2; exit 1; }

# and what is built from it: another plugin list is another binary
sum=$(cat "$here/main.go" "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-12)
cache=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/libipam/coredns-$version-$sum
bin=$cache/coredns
if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi

command -v go >/dev/null 2>&1 || PATH=$PATH:/usr/local/go/bin
command -v go >/dev/null 2>&1 || { echo "build.sh: go is not installed" >&2; exit 77; }

mkdir -p "$cache"
# one build at a time (two test runs may ask at once); the second one finds
# the binary the first one made
exec 9>"$cache/lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
fi
if [ ! -x "$bin" ]; then
	start=$(date +%s)
	# -mod=readonly: go.sum pins every module; nothing is resolved anew
	if ! (cd "$here" && go build -mod=readonly -trimpath -ldflags='-s -w' -o "$bin.tmp" .) >&2; then
		rm -f "$bin.tmp"
		# no module proxy to fetch from: CoreDNS cannot be had on this machine
		proxy=$(go env GOPROXY | cut -d, -f1)
		if [ "$proxy" = off ] || ! python3 -c 'import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=20)' "$proxy/github.com/coredns/coredns/@v/$version.info" 2>/dev/null; then
			echo "build.sh: the Go module proxy ($proxy) cannot be reached: CoreDNS cannot be fetched here" >&2
			exit 77
		fi
		echo "build.sh: building coredns $version failed" >&2
		exit 1
	fi
	mv "$bin.tmp" "$bin"
	echo "build.sh: built coredns $version in $(($(date +%s) - start)) s" >&2
fi
echo "$bin"
