#!/bin/bash
# The package works after `meson install`: install into a temporary DESTDIR
# (the Python package and the library only: --tags python-runtime,runtime),
# then import ipam from there (not from the build tree) and use it.
#
# usage: install.sh MESON BUILDROOT PYTHON
# env:   the python test's (LD_PRELOAD and ASAN_OPTIONS in a sanitized build)
set -u
meson=${1:?usage: install.sh MESON BUILDROOT PYTHON}
build=${2:?}
python=${3:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipam-pyinstall.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
fail() { echo "python-install: FAIL: $*" >&2; exit 1; }

"$meson" install -C "$build" --no-rebuild --destdir "$tmp/dest" --tags python-runtime,runtime \
	>"$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; fail "meson install failed"; }
init=$(find "$tmp/dest" -path '*/ipam/__init__.py' | head -n 1)
[ -n "$init" ] || fail "no ipam/__init__.py installed under $tmp/dest"
pkg=$(dirname "$init")
for f in __init__.pyi py.typed capi.py _version.py; do
	[ -f "$pkg/$f" ] || fail "ipam/$f is not installed"
done
ls "$pkg"/_capi.*.so >/dev/null 2>&1 || fail "the extension ipam/_capi is not installed"
lib=$(find "$tmp/dest" -name 'libipam.so.0' | head -n 1)
[ -n "$lib" ] || fail "libipam.so.0 is not installed"

# The installed extension finds libipam by its rpath (the real prefix);
# under DESTDIR the library is elsewhere.
cd "$tmp" && PYTHONPATH=$(dirname "$pkg") LD_LIBRARY_PATH=$(dirname "$lib") "$python" - "$pkg" <<'PY' || fail "the installed package does not work"
import os, sys
import ipam
assert os.path.dirname(ipam.__file__) == sys.argv[1], ipam.__file__
with ipam.open("memory:") as db:
    net = db.add_prefix("192.0.2.0/24")
    print("python-install: ok:", ipam.__file__, net.alloc_address(hostname="web1.example.net"))
PY
