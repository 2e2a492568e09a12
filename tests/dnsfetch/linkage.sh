#!/usr/bin/env bash
# c-ares, the parser of untrusted DNS answers, is linked into wgmesh-dnsfetch only: the root
# manager, wgconfig (root) and the site commands ask DNS through that sandboxed child.
# usage: linkage.sh WGMESH_DNSFETCH PROGRAM...
set -eu
fail=0
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
if needed "$1" | grep -q '^libcares'; then
	echo "ok   $(basename "$1") links c-ares"
else
	echo "FAIL $(basename "$1") does not link c-ares: $(needed "$1" | paste -sd' ')"; fail=1
fi
shift
for prog in "$@"; do
	if needed "$prog" | grep -q '^libcares'; then
		echo "FAIL $(basename "$prog") links c-ares: $(needed "$prog" | paste -sd' ')"; fail=1
	else
		echo "ok   $(basename "$prog") has no c-ares: $(needed "$prog" | paste -sd' ')"
	fi
done
exit $fail
