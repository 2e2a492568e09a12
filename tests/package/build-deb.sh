#!/usr/bin/env bash
# Builds the Debian packages as from a clean clone and checks them: the tracked files only
# (git ls-files: no build trees, nothing untracked) are copied to a temporary directory,
# `dpkg-buildpackage -us -uc -b` builds there, lintian must report no error and no warning
# (its output is printed as it is), and each package holds what it should: the programs
# under FHS paths, man pages, completion, units, rules; maintainer scripts that enable,
# start or generate nothing. The .debs are left in OUT_DIR (vm-boot installs them).
# usage: build-deb.sh SOURCE_ROOT OUT_DIR
set -eu
. "$(dirname "$0")/../lib/assert.sh"
src=$(cd "$1" && pwd) out=$2
for t in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian; do
	command -v "${t%%:*}" >/dev/null || { echo "SKIP: no ${t%%:*} (Debian package ${t#*:})"; exit 77; }
done
(cd "$src" && dpkg-checkbuilddeps) || { echo "SKIP: build dependencies missing (above)"; exit 77; }
git -C "$src" rev-parse --git-dir >/dev/null 2>&1 || { echo "SKIP: $src is not a git checkout"; exit 77; }
tmp=$(mktemp -d /var/tmp/wgm-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The clean-clone copy: tracked files as they are in the work tree (so an uncommitted change
# is tested too), nothing else.
mkdir "$tmp/wgmesh"
git -C "$src" ls-files -z | (cd "$src" && xargs -0 cp -a --parents -t "$tmp/wgmesh")
t0=$(date +%s)
if ! (cd "$tmp/wgmesh" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	tail -40 "$tmp/build.log"
	die "dpkg-buildpackage -us -uc -b (log above)"
fi
pass "dpkg-buildpackage -us -uc -b: $(cd "$tmp" && ls ./*.deb | sed 's|^\./||' | tr '\n' ' ')($(($(date +%s) - t0)) s)"
grep -E '^(dpkg-shlibdeps|dh_[a-z]+): warning' "$tmp/build.log" && fail "debhelper warned (above)"

# lintian, verbatim; root is fine (the warning about it goes to stderr).
lintian_out=$(lintian --fail-on error,warning --display-info "$tmp"/wgmesh_*.changes 2>/dev/null) && lrc=0 || lrc=$?
echo "--- lintian --display-info (verbatim) ---"
[ -n "$lintian_out" ] && echo "$lintian_out"
echo "--- end of lintian (exit $lrc) ---"
[ "$lrc" = 0 ] && pass "lintian: no error, no warning" || fail "lintian: errors or warnings (above)"

# What each package holds.
contents() { dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\./|/|'; }
has() { # DEB PATH...
	local deb=$1 list p
	shift
	list=$(contents "$deb")
	for p in "$@"; do
		grep -qxF "$p" <<<"$list" || fail "${deb##*/} lacks $p"
	done
}
node=$(ls "$tmp"/wgmesh_*.deb) site=$(ls "$tmp"/wgmesh-site_*.deb) rules=$(ls "$tmp"/wgmesh-prometheus-rules_*.deb)
for deb in "$node" "$site" "$rules"; do
	echo "--- dpkg -c ${deb##*/} (files) ---"
	dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $1, $6, $7, $8 }'
done
echo "---"
has "$node" /usr/bin/wgmesh-net /usr/bin/wgdeploy /usr/bin/wgconfig /usr/bin/wghost \
	/usr/libexec/wgmesh/wgmesh-dnsfetch /usr/libexec/wgmesh/wgmesh-birdc \
	/lib/systemd/system/wgmesh-net@.service /lib/systemd/system/wgmesh-net.target \
	/lib/systemd/system/wgmesh-bird@.service /lib/systemd/system/wgmesh-verify@.service \
	/lib/systemd/system/wgmesh-verify@.timer /lib/systemd/system/wgmesh-nft@.path \
	/usr/share/man/man8/wgmesh-net.8.gz /usr/share/man/man8/wgdeploy.8.gz \
	/usr/share/man/man8/wgconfig.8.gz /usr/share/man/man8/wghost.8.gz \
	/usr/share/man/man8/wgmesh-dnsfetch.8.gz /usr/share/man/man5/wgmesh-host.5.gz \
	/usr/share/man/man7/wgmesh-units.7.gz /usr/share/bash-completion/completions/wgmesh-net \
	/usr/share/bash-completion/completions/wgdeploy /usr/share/bash-completion/completions/wghost
has "$site" /usr/bin/wgsite /usr/bin/wgpub /usr/share/man/man1/wgsite.1.gz \
	/usr/share/man/man1/wgpub.1.gz /usr/share/man/man5/wgmesh-site.5.gz \
	/usr/share/bash-completion/completions/wgsite /usr/share/bash-completion/completions/wgpub
has "$rules" /usr/share/wgmesh/prometheus/wgmesh-alerts.yml
for deb in "$node" "$site" "$rules"; do
	contents "$deb" | grep -E '^/(usr/local|etc|var|run)/' && fail "${deb##*/} ships files outside /usr and /lib (above)"
done
contents "$site" | grep -E 'wgmesh-net|systemd' && fail "wgmesh-site ships node files (above)"
[ "$ASSERT_FAILURES" = 0 ] && pass "package contents: programs, helpers in /usr/libexec/wgmesh, units, man pages, completion, rules; nothing in /etc, /var, /usr/local"

# The compiled-in helper path is the package's.
dpkg-deb -x "$node" "$tmp/x"
grep -q /usr/libexec/wgmesh/wgmesh-dnsfetch "$tmp/x/usr/bin/wgmesh-net" &&
	pass "wgmesh-net looks for /usr/libexec/wgmesh/wgmesh-dnsfetch" || fail "wgmesh-net's dnsfetch path is not /usr/libexec/wgmesh"
grep -q '^ExecStart=/usr/bin/wgmesh-net ' "$tmp/x/lib/systemd/system/wgmesh-net@.service" &&
	pass "wgmesh-net@.service runs /usr/bin/wgmesh-net" || fail "wgmesh-net@.service's ExecStart is not /usr/bin/wgmesh-net"

# Maintainer scripts: nothing enabled or started, nothing generated. debhelper's --no-enable
# snippet may re-enable a unit only where the operator had enabled it before (was-enabled,
# an upgrade); any other enable or start is a failure.
dpkg-deb -e "$node" "$tmp/ctl"
for s in "$tmp"/ctl/{preinst,postinst}; do
	[ -f "$s" ] || continue
	if awk '/was-enabled/ { guard = NR } /deb-systemd-helper enable|systemctl enable/ && NR - guard > 2 { print FILENAME ":" NR ": " $0; bad = 1 }
		/deb-systemd-invoke (start|restart)|systemctl (start|restart)|wghost|genkey|wg genkey|openssl|dd if=/ { print FILENAME ":" NR ": " $0; bad = 1 }
		END { exit bad }' "$s"; then
		pass "${s##*/}: enables (beyond the operator's earlier choice), starts and generates nothing"
	else
		fail "${s##*/} enables, starts or generates something (above)"
	fi
done
[ -f "$tmp/ctl/conffiles" ] && fail "wgmesh has conffiles: $(cat "$tmp/ctl/conffiles")" || pass "wgmesh ships no conffile"
mkdir -p "$out"
rm -f "$out"/*.deb
cp "$tmp"/*.deb "$out/"
pass "packages in $out"
assert_exit
