#!/bin/bash
# Runs `go test` (or `go run`) on a Go module against the libipam of a meson
# build tree. meson test runs it with the environment of bindings/go/meson.build:
#   IPAM_GO IPAM_SRC IPAM_BUILD IPAM_LIBDIR IPAM_VERSION IPAM_SANITIZE CC
#
# usage: gotest.sh MODULE_DIR [GO TEST ARGS...]   (MODULE_DIR relative to IPAM_SRC, or absolute)
#        gotest.sh --run MODULE_DIR [ARGS...]     go run . ARGS
#
# In a normal build the tests run with the race detector. In a build with
# AddressSanitizer (-Db_sanitize=address,...) the test binary must carry the
# ASan runtime, so it is built with `go test -asan`; Go cannot combine -asan
# with -race, so that run is without the race detector (said below), and
# the normal build's run is the one with it.
set -eu
verb=test
if [ "${1:-}" = --run ]; then
	verb=run
	shift
fi
mod=${1:?usage: gotest.sh [--run] MODULE_DIR [ARGS...]}
shift
go=${IPAM_GO:?}

# The library and headers of this build tree (its uninstalled libipam.pc has
# -I for include/); rpath, so no LD_LIBRARY_PATH.
export PKG_CONFIG_PATH=$IPAM_BUILD/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
# Go's build cache keys a cgo package on its Go files and flags, not on the
# C headers it includes from outside the module: a changed ipam_open_options
# would be compiled against the old layout from the cache (seen: a SIGSEGV,
# and ASan's use-after-poison). A digest of the public headers in the flags
# makes a header change a cache miss.
hdr_sum=$(cat "$IPAM_SRC"/include/ipam.h "$IPAM_SRC"/include/ipam/*.h "$IPAM_SRC"/include/ipam/sys/*.h | sha256sum | cut -c1-16)
export CGO_CFLAGS="-DIPAM_HEADERS_SHA256=0x$hdr_sum ${CGO_CFLAGS:-}"
export CGO_LDFLAGS="-Wl,-rpath,$IPAM_LIBDIR ${CGO_LDFLAGS:-}"
export CGO_ENABLED=1 GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
# The Go caches: the user's, or the build tree's when there is no home.
if [ -z "${HOME:-}" ] || [ ! -w "${HOME:-/nonexistent}" ]; then
	export GOCACHE=${GOCACHE:-$IPAM_BUILD/go-cache} GOPATH=${GOPATH:-$IPAM_BUILD/go-path}
fi

mode=-race
case ${IPAM_SANITIZE:-none} in
*address*)
	mode=-asan
	echo "gotest: this libipam is built with AddressSanitizer: 'go $verb -asan' (Go cannot combine" >&2
	echo "gotest: -asan with -race; the race detector runs in the build without sanitizers)" >&2
	;;
esac
case $mod in
/*) cd "$mod" ;;
*) cd "$IPAM_SRC/$mod" ;;
esac
if [ $verb = run ]; then
	exec "$go" run "$mode" . "$@"
fi
echo "gotest: $(pwd): $go test $mode -count=1 $* ./..."
exec "$go" test "$mode" -count=1 "$@" ./...
