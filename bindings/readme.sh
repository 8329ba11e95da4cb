#!/bin/bash
# README.md's Python and Go examples cannot rot: each block between
# <!-- example:LANG --> and <!-- /example:LANG --> runs against this build
# and prints exactly what the C example's output block
# (<!-- example:c-output -->) says: the three do the same job.
#
# usage: readme.sh python PYTHON        (env: PYTHONPATH of the build tree)
#        readme.sh go GOTEST.SH         (env: bindings/go/meson.build's)
set -u
lang=${1:?usage: readme.sh python PYTHON | go GOTEST.SH}
runner=${2:?}
readme=${IPAM_SRC:?}/README.md
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipam-readme-$lang.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

block() {
	awk -v first="<!-- $1 -->" -v last="<!-- /$1 -->" '
		$0 == first { inside = 1; next }
		$0 == last { inside = 0; next }
		inside && /^```/ { fence = !fence; next }
		inside && fence { print }
	' "$readme"
}
block example:c-output >"$tmp/expected"
[ -s "$tmp/expected" ] || { echo "readme-$lang: FAIL: no <!-- example:c-output --> block" >&2; exit 1; }

case $lang in
python)
	block example:python >"$tmp/example.py"
	[ -s "$tmp/example.py" ] || { echo "readme-python: FAIL: no <!-- example:python --> block" >&2; exit 1; }
	(cd "$tmp" && "$runner" example.py) >"$tmp/actual"
	;;
go)
	mkdir "$tmp/mod"
	block example:go >"$tmp/mod/main.go"
	[ -s "$tmp/mod/main.go" ] || { echo "readme-go: FAIL: no <!-- example:go --> block" >&2; exit 1; }
	printf 'module readme\n\ngo 1.24\n\nrequire libipam.invalid/ipam v0.2.0\n\nreplace libipam.invalid/ipam => %s/bindings/go\n' \
		"$IPAM_SRC" >"$tmp/mod/go.mod"
	bash "$runner" --run "$tmp/mod" >"$tmp/actual"
	;;
*)
	echo "usage: readme.sh python PYTHON | go GOTEST.SH" >&2
	exit 2
	;;
esac
rc=$?
if [ $rc -ne 0 ]; then
	echo "readme-$lang: FAIL: the README's $lang example exits with $rc" >&2
	exit 1
fi
if ! diff -u "$tmp/expected" "$tmp/actual" >&2; then
	echo "readme-$lang: FAIL: the README's $lang example prints something else than the C example" >&2
	exit 1
fi
echo "readme-$lang: the $lang example prints: $(cat "$tmp/actual")"
