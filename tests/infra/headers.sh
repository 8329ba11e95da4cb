#!/bin/bash
# Every public header compiles alone, as C99 and as C++11, and the *_INIT
# macros are valid initializers in both languages.
#
# usage: headers.sh SRCROOT CXX CC [CC ARGS...]
#
# The list of headers is read from SRCROOT/include at test time, so a new
# header is covered without touching this file.
set -u

src=${1:?usage: headers.sh SRCROOT CXX CC [ARGS...]}
cxx=${2:?missing C++ compiler}
shift 2
cc=("$@")
[ ${#cc[@]} -gt 0 ] || { echo "headers: missing C compiler" >&2; exit 2; }
command -v "$cxx" >/dev/null || { echo "headers: FAIL: no C++ compiler ($cxx); install g++" >&2; exit 1; }

inc=$src/include
cflags=(-std=c99 -pedantic -Werror -Wall -Wextra -Wstrict-prototypes -Wundef -Wshadow)
cxxflags=(-std=c++11 -pedantic -Werror -Wall -Wextra -Wundef -Wshadow)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ipam-headers.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# Public headers as include names: ipam.h, ipam/addr.h, ipam/sys/....h
mapfile -t headers < <(cd "$inc" && find . -name '*.h' -type f | sed 's|^\./||' | LC_ALL=C sort)
if [ ${#headers[@]} -lt 2 ]; then
	echo "headers: FAIL: found ${#headers[@]} headers under $inc" >&2
	exit 1
fi

failed=0
fail() {
	echo "headers: FAIL: $*" >&2
	failed=$((failed + 1))
}

n=0
for h in "${headers[@]}"; do
	n=$((n + 1))
	tu=$tmp/h$n
	# Included twice: the include guard must hold.
	printf '#include <%s>\n#include <%s>\nint ipam_header_test_%d;\n' "$h" "$h" "$n" >"$tu.c"
	cp "$tu.c" "$tu.cpp"
	if ! "${cc[@]}" "${cflags[@]}" -I"$inc" -c "$tu.c" -o "$tu.c.o" 2>"$tu.c.log"; then
		fail "$h does not compile alone as C99:"
		cat "$tu.c.log" >&2
	fi
	if ! "$cxx" "${cxxflags[@]}" -I"$inc" -c "$tu.cpp" -o "$tu.cpp.o" 2>"$tu.cpp.log"; then
		fail "$h does not compile alone as C++11:"
		cat "$tu.cpp.log" >&2
	fi
done

# The umbrella header includes every subsystem header (ipam/sys/ is for
# backend writers and stays out of it).
for h in "${headers[@]}"; do
	case $h in
	ipam.h | ipam/sys/*) continue ;;
	esac
	grep -Eq "^[[:space:]]*#[[:space:]]*include[[:space:]]+[<\"]${h//./\\.}[>\"]" "$inc/ipam.h" ||
		fail "include/ipam.h does not include $h"
done

# Every IPAM_<X>_INIT macro initializes the struct ipam_<x>. -Wextra brings
# -Wmissing-field-initializers: a macro that forgets a field fails too.
files=()
for h in "${headers[@]}"; do files+=("$inc/$h"); done
mapfile -t inits < <(cat "${files[@]}" |
	sed -n 's/^[[:space:]]*#[[:space:]]*define[[:space:]]\{1,\}\(IPAM_[A-Z0-9_]*_INIT\)[[:space:]].*/\1/p' |
	LC_ALL=C sort -u)
if [ ${#inits[@]} -eq 0 ]; then
	fail "no IPAM_*_INIT macros found in the headers"
fi
{
	echo '#include <ipam.h>'
	for h in "${headers[@]}"; do
		printf '#include <%s>\n' "$h"
	done
	echo '#include <stdio.h>'
	echo 'int main(void)'
	echo '{'
	echo '	int bad = 0;'
	for m in "${inits[@]}"; do
		base=${m%_INIT}
		type=$(printf '%s' "$base" | tr '[:upper:]' '[:lower:]')
		var=v_$type
		printf '	%s %s = %s;\n' "$type" "$var" "$m"
		printf '	(void)%s;\n' "$var"
		# A struct with a version field starts at its own version.
		if grep -Eq "^[[:space:]]*#[[:space:]]*define[[:space:]]+${base}_VERSION\b" "${files[@]}"; then
			printf '	if (%s.version != %s_VERSION) { printf("%%s\\n", "%s.version"); bad = 1; }\n' \
				"$var" "$base" "$m"
		fi
	done
	printf '\tif (!bad) printf("ok\\n");\n'
	echo '	return bad;'
	echo '}'
} >"$tmp/init.c"
cp "$tmp/init.c" "$tmp/init.cpp"

if ! "${cc[@]}" "${cflags[@]}" -I"$inc" "$tmp/init.c" -o "$tmp/init_c" 2>"$tmp/init_c.log"; then
	fail "the *_INIT macros are not valid C99 initializers:"
	cat "$tmp/init_c.log" >&2
elif ! "$tmp/init_c"; then
	fail "C: an *_INIT macro does not set its version"
fi
if ! "$cxx" "${cxxflags[@]}" -I"$inc" "$tmp/init.cpp" -o "$tmp/init_cxx" 2>"$tmp/init_cxx.log"; then
	fail "the *_INIT macros are not valid C++11 initializers:"
	cat "$tmp/init_cxx.log" >&2
elif ! "$tmp/init_cxx"; then
	fail "C++: an *_INIT macro does not set its version"
fi

echo "headers: ${#headers[@]} headers, ${#inits[@]} INIT macros, C (${cc[*]}) and C++ ($cxx)"
if [ $failed -ne 0 ]; then
	echo "headers: $failed failure(s)" >&2
	exit 1
fi
echo "headers: ok"
