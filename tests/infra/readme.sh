#!/bin/bash
# README.md cannot rot:
#  - the C example between <!-- example:c --> and <!-- /example:c --> compiles
#    (C99, -Werror) against the built library and prints exactly what the
#    block between <!-- example:c-output --> and <!-- /example:c-output -->
#    says;
#  - the quick start's apt-get line names exactly the packages of
#    .ci/packages.
#
# usage: readme.sh SRCROOT LIBIPAM.SO CC [CC ARGS...]
# env:   IPAM_TEST_CFLAGS  extra flags for compiling and linking (the build's
#                          -fsanitize=... so the sanitizer runtime comes first)
set -u

src=${1:?usage: readme.sh SRCROOT LIBIPAM.SO CC [ARGS...]}
lib=${2:?missing the shared library}
shift 2
cc=("$@")
[ ${#cc[@]} -gt 0 ] || { echo "readme: missing C compiler" >&2; exit 2; }
read -r -a extra <<<"${IPAM_TEST_CFLAGS:-}"
readme=$src/README.md

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipam-readme.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

failed=0
fail() {
	echo "readme: FAIL: $*" >&2
	failed=$((failed + 1))
}

# The body of the fenced block between <!-- NAME --> and <!-- /NAME -->.
block() {
	awk -v first="<!-- $1 -->" -v last="<!-- /$1 -->" '
		$0 == first { inside = 1; next }
		$0 == last { inside = 0; next }
		inside && /^```/ { fence = !fence; next }
		inside && fence { print }
	' "$readme"
}

block example:c >"$tmp/example.c"
block example:c-output >"$tmp/expected"
if [ ! -s "$tmp/example.c" ]; then
	fail "no C example between <!-- example:c --> markers in $readme"
elif [ ! -s "$tmp/expected" ]; then
	fail "no expected output between <!-- example:c-output --> markers in $readme"
elif ! "${cc[@]}" -std=c99 -pedantic -Wall -Wextra -Werror "${extra[@]}" \
	-I"$src/include" "$tmp/example.c" -o "$tmp/example" \
	"$lib" -Wl,-rpath,"$(cd "$(dirname "$lib")" && pwd)" 2>"$tmp/cc.log"; then
	fail "the README's C example does not build:"
	cat "$tmp/cc.log" >&2
else
	"$tmp/example" >"$tmp/actual" 2>"$tmp/stderr"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "the README's C example exits with $rc:"
		cat "$tmp/stderr" >&2
	elif ! diff -u "$tmp/expected" "$tmp/actual" >"$tmp/diff"; then
		fail "the README's C example prints something else than the README says:"
		cat "$tmp/diff" >&2
	else
		echo "readme: the C example prints: $(cat "$tmp/actual")"
	fi
fi

# The quick start's package list and .ci/packages agree.
sed 's/#.*//' "$src/.ci/packages" | tr -s ' \t' '\n\n' | sed '/^$/d' | LC_ALL=C sort >"$tmp/ci.pkgs"
grep -o 'apt-get install -y [^&]*' "$readme" | head -n 1 |
	sed 's/^apt-get install -y //' | tr -s ' \t' '\n\n' | sed '/^$/d' | LC_ALL=C sort >"$tmp/readme.pkgs"
if [ ! -s "$tmp/ci.pkgs" ] || [ ! -s "$tmp/readme.pkgs" ]; then
	fail "no package list in .ci/packages or in the README's apt-get install -y line"
elif ! cmp -s "$tmp/ci.pkgs" "$tmp/readme.pkgs"; then
	fail "README.md's quick start and .ci/packages list different packages:"
	diff "$tmp/ci.pkgs" "$tmp/readme.pkgs" | sed -n 's/^</    only in .ci\/packages:/p; s/^>/    only in README.md:/p' >&2
fi

if [ $failed -ne 0 ]; then
	echo "readme: $failed failure(s)" >&2
	exit 1
fi
echo "readme: ok"
