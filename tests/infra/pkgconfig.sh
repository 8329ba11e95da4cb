#!/bin/bash
# What `meson install` puts in place is enough to build a program outside the
# tree: install into a temporary DESTDIR (never /usr/local), point pkg-config
# at the installed libipam.pc (its prefix rewritten to the DESTDIR), build
# tests/infra/outside.c with `pkg-config --cflags --libs libipam` against the
# shared library and, with `pkg-config --static`, against libipam.a, run both
# and check what they print.
#
# usage: pkgconfig.sh SRCROOT BUILDROOT MESON CC [CC ARGS...]
# env:   IPAM_TEST_CFLAGS  extra flags for compiling and linking (the build's
#                          -fsanitize=...)
set -u

src=${1:?usage: pkgconfig.sh SRCROOT BUILDROOT MESON CC [ARGS...]}
build=${2:?missing the build root}
meson=${3:?missing meson}
shift 3
cc=("$@")
[ ${#cc[@]} -gt 0 ] || { echo "pkgconfig: missing C compiler" >&2; exit 2; }
read -r -a extra <<<"${IPAM_TEST_CFLAGS:-}"
command -v pkg-config >/dev/null || { echo "pkgconfig: FAIL: pkg-config is not installed" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipam-pkgconfig.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest

failed=0
fail() {
	echo "pkgconfig: FAIL: $*" >&2
	failed=$((failed + 1))
}

# meson install honours DESTDIR for every file it installs; --no-rebuild:
# meson test has just built the tree.
if ! "$meson" install -C "$build" --no-rebuild --destdir "$dest" >"$tmp/install.log" 2>&1; then
	echo "pkgconfig: FAIL: meson install --destdir failed:" >&2
	cat "$tmp/install.log" >&2
	exit 1
fi

pc=$(find "$dest" -name libipam.pc -path '*/pkgconfig/*' | head -n 1)
if [ -z "$pc" ]; then
	echo "pkgconfig: FAIL: meson install put no libipam.pc under $dest" >&2
	find "$dest" -type f | sed 's/^/    /' >&2
	exit 1
fi
# Rewrite prefix= so that every path of the .pc file points into DESTDIR.
# (PKG_CONFIG_SYSROOT_DIR would also prefix the system paths of libcjson's
# .pc file in --static mode.)
mkdir -p "$tmp/pc"
prefix=$(sed -n 's/^prefix=//p' "$pc")
[ -n "$prefix" ] || fail "$pc has no prefix= line"
sed "s|^prefix=.*|prefix=$dest$prefix|" "$pc" >"$tmp/pc/libipam.pc"
export PKG_CONFIG_PATH=$tmp/pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}

cflags=$(pkg-config --cflags libipam) || fail "pkg-config --cflags libipam failed"
libs=$(pkg-config --libs libipam) || fail "pkg-config --libs libipam failed"
libdir=$(pkg-config --variable=libdir libipam)
version=$(pkg-config --modversion libipam)
case $libdir in
"$dest"/*) ;;
*) fail "libdir $libdir is not inside the DESTDIR" ;;
esac
for f in "$libdir"/libipam.so "$libdir"/libipam.a; do
	[ -e "$f" ] || fail "$f was not installed"
done
[ -n "$(find "$dest" -path '*/include/ipam.h')" ] || fail "include/ipam.h was not installed"
[ -n "$(find "$dest" -path '*/include/ipam/addr.h')" ] || fail "include/ipam/addr.h was not installed"

# Whatever the installed .pc file says about the headers is all the program gets.
cp "$src/tests/infra/outside.c" "$tmp/outside.c"
expect_re="^$(printf '%s' "$version" | sed 's/\./\\./g') 2001:db8:10::/64 2001:db8:10::1\$"

run_outside() { # NAME BINARY
	local out rc
	out=$(LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$2" 2>"$tmp/$1.err")
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "$1: the outside program exits with $rc:"
		cat "$tmp/$1.err" >&2
	elif ! printf '%s\n' "$out" | grep -q "$expect_re"; then
		fail "$1: the outside program prints '$out', expected '$version 2001:db8:10::/64 2001:db8:10::1'"
	else
		echo "pkgconfig: $1: $out"
	fi
}

# Shared: the dynamic linker must resolve libipam.so.0 from the DESTDIR.
# shellcheck disable=SC2086 # pkg-config output is a list of words
if "${cc[@]}" -std=c99 -Wall -Wextra -Werror "${extra[@]}" $cflags "$tmp/outside.c" \
	-o "$tmp/outside-shared" $libs 2>"$tmp/shared.log"; then
	if ! readelf -d "$tmp/outside-shared" | grep -q 'NEEDED.*libipam\.so\.0'; then
		fail "shared: the program does not need libipam.so.0"
	fi
	run_outside shared "$tmp/outside-shared"
else
	fail "shared: cc \$(pkg-config --cflags --libs libipam) failed:"
	cat "$tmp/shared.log" >&2
fi

# Static: -lipam must pick libipam.a; the rest of --static --libs
# (threads, libcjson) stays dynamic.
slibs=$(pkg-config --static --libs libipam) || fail "pkg-config --static --libs libipam failed"
slibs=$(printf '%s' "$slibs" | sed 's/\(^\| \)-lipam\( \|$\)/\1-Wl,-Bstatic -lipam -Wl,-Bdynamic\2/')
# shellcheck disable=SC2086,SC2046
if "${cc[@]}" -std=c99 -Wall -Wextra -Werror "${extra[@]}" $(pkg-config --static --cflags libipam) \
	"$tmp/outside.c" -o "$tmp/outside-static" $slibs 2>"$tmp/static.log"; then
	if readelf -d "$tmp/outside-static" | grep -q 'NEEDED.*libipam'; then
		fail "static: the program still needs a shared libipam"
	fi
	run_outside static "$tmp/outside-static"
else
	fail "static: cc \$(pkg-config --static --cflags --libs libipam) with libipam.a failed:"
	cat "$tmp/static.log" >&2
fi

if [ $failed -ne 0 ]; then
	echo "pkgconfig: $failed failure(s)" >&2
	exit 1
fi
echo "pkgconfig: ok"
