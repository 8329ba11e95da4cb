#!/bin/bash
# The exported ABI is exactly what the headers declare:
#  (a) the functions declared with IPAM_EXTERN under include/ are the names
#      listed in src/libipam.sym, and
#  (b) the shared library's dynamic symbol table defines exactly those names
#      (plus the version nodes of libipam.sym): no ipam__ internals, no
#      leaked helpers.
#
# usage: symbols.sh SRCROOT LIBIPAM.SO [NM]
set -u

src=${1:?usage: symbols.sh SRCROOT LIBIPAM.SO [NM]}
lib=${2:?missing the shared library}
nm=${3:-nm}
symfile=$src/src/libipam.sym

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipam-symbols.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

failed=0
fail() {
	echo "symbols: FAIL: $*" >&2
	failed=$((failed + 1))
}

# Print the lines of $2 missing from $1 (both sorted), indented.
show_missing() {
	LC_ALL=C comm -13 "$1" "$2" | sed 's/^/    /' >&2
}

for f in "$symfile" "$lib"; do
	[ -f "$f" ] || { echo "symbols: FAIL: $f does not exist" >&2; exit 1; }
done

# (a) Declarations: drop preprocessor lines and comments, join the lines,
# then take the name that follows each IPAM_EXTERN(type).
find "$src/include" -name '*.h' -type f -print0 | LC_ALL=C sort -z | xargs -0 cat |
	sed '/^[[:space:]]*#/d' | tr '\n\t' '  ' |
	sed 's:/\*[^*]*\*\+\([^/*][^*]*\*\+\)*/: :g' |
	grep -o 'IPAM_EXTERN([^)]*)[[:space:]*]*[A-Za-z_][A-Za-z0-9_]*[[:space:]]*(' |
	sed 's/^IPAM_EXTERN([^)]*)[[:space:]*]*\([A-Za-z_][A-Za-z0-9_]*\).*/\1/' |
	LC_ALL=C sort >"$tmp/headers.all"
LC_ALL=C sort -u "$tmp/headers.all" >"$tmp/headers"
if [ ! -s "$tmp/headers" ]; then
	fail "no IPAM_EXTERN declarations found under $src/include"
fi
dups=$(LC_ALL=C uniq -d "$tmp/headers.all")
[ -z "$dups" ] || fail "declared more than once in the headers: $dups"

# The version script: nodes "NAME {" and names "name;" (comments removed).
sed 's:/\*.*\*/::g; s/#.*//' "$symfile" >"$tmp/symfile"
sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_.]*\)[[:space:]]*{.*/\1/p' "$tmp/symfile" |
	LC_ALL=C sort >"$tmp/nodes"
sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*;[[:space:]]*$/\1/p' "$tmp/symfile" |
	LC_ALL=C sort >"$tmp/script.all"
LC_ALL=C sort -u "$tmp/script.all" >"$tmp/script"
[ -s "$tmp/nodes" ] || fail "no version node found in $symfile"
while read -r node; do
	[[ $node =~ ^LIBIPAM_[0-9]+\.[0-9]+$ ]] || fail "version node '$node' is not named LIBIPAM_<major>.<minor>"
done <"$tmp/nodes"
dups=$(LC_ALL=C uniq -d "$tmp/script.all")
[ -z "$dups" ] || fail "listed more than once in libipam.sym: $dups"
tr '\n\t' '  ' <"$tmp/symfile" | grep -q 'local:[[:space:]]*\*[[:space:]]*;' ||
	fail "libipam.sym has no 'local: *;' (everything not listed must stay hidden)"

if ! cmp -s "$tmp/headers" "$tmp/script"; then
	fail "include/ (IPAM_EXTERN) and src/libipam.sym disagree"
	echo "  declared in include/ but missing from libipam.sym:" >&2
	show_missing "$tmp/script" "$tmp/headers"
	echo "  listed in libipam.sym but declared nowhere in include/:" >&2
	show_missing "$tmp/headers" "$tmp/script"
fi

# (b) The dynamic symbol table of the built library. nm prints versioned
# names as name@@NODE; the nodes themselves are absolute (A) symbols.
if ! "$nm" -D --defined-only "$lib" >"$tmp/nm.out" 2>"$tmp/nm.err"; then
	fail "$nm -D --defined-only $lib failed:"
	cat "$tmp/nm.err" >&2
fi
awk 'NF >= 3 { print $3 }' "$tmp/nm.out" | sed 's/@.*//' | LC_ALL=C sort -u >"$tmp/exported"
cat "$tmp/script" "$tmp/nodes" | LC_ALL=C sort -u >"$tmp/expected"
if ! cmp -s "$tmp/expected" "$tmp/exported"; then
	fail "$(basename "$lib") exports a different set than libipam.sym"
	echo "  exported but not in libipam.sym (leaked):" >&2
	show_missing "$tmp/expected" "$tmp/exported"
	echo "  in libipam.sym but not exported (undefined or hidden):" >&2
	show_missing "$tmp/exported" "$tmp/expected"
fi
# Functions are code (T), the nodes absolute (A); nothing else.
awk 'NF >= 3 && $2 != "T" && $2 != "A" { print "    " $2 " " $3 }' "$tmp/nm.out" >"$tmp/odd"
if [ -s "$tmp/odd" ]; then
	fail "exported symbols that are neither functions nor version nodes:"
	cat "$tmp/odd" >&2
fi

echo "symbols: $(wc -l <"$tmp/headers") declared, $(wc -l <"$tmp/script") in libipam.sym," \
	"$(wc -l <"$tmp/exported") exported by $(basename "$lib") (nodes: $(tr '\n' ' ' <"$tmp/nodes"))"
if [ $failed -ne 0 ]; then
	echo "symbols: $failed failure(s)" >&2
	exit 1
fi
echo "symbols: ok"
