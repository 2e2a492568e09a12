#!/usr/bin/env bash
# Installs the Debian packages of tests/lib/packages.list that are missing (only those), with
# --no-install-recommends. Without --tests, only what the build and the demo need.
#   sudo tests/lib/install-missing.sh [--tests]
# Not root: names what is missing and exits 1 (nothing installed).
set -eu
list=$(dirname "$0")/packages.list
want_tests=0
[ "${1:-}" = --tests ] && want_tests=1
multiarch=$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
missing=
while read -r need tag; do
	case $need in '#'* | '') continue ;; esac
	[ "$tag" = tests ] && [ "$want_tests" = 0 ] && continue
	file=${need%%:*} pkg=${need#*:}
	file=${file//MULTIARCH/$multiarch}
	# shellcheck disable=SC2086 # the file may be a glob
	compgen -G "$file" >/dev/null && continue
	# a program installed elsewhere on PATH counts too
	case $file in */bin/* | */sbin/*) command -v "${file##*/}" >/dev/null && continue ;; esac
	missing="$missing $pkg"
done <"$list"
[ -n "$missing" ] || exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "installing the missing Debian packages:$missing"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
