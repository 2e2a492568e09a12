#!/usr/bin/env bash
# Every unit passes `systemd-analyze verify` with no message at all (it only warns, exit 0, on
# an unknown key), offline: this machine's PID 1 is not systemd, so the units are verified
# from a temporary copy whose wgmesh program paths point at the freshly built programs (verify
# insists that every ExecStart= program exists). Templates are verified through an instance.
# Also: capability names exist in linux/capability.h, system call groups exist, and BIRD's unit
# uses the config and socket paths birdgen writes and talks to.
# usage: verify-units.sh UNIT_BUILD_DIR UNIT_SOURCE_DIR BINDIR LIBEXECDIR WGMESH_NET WGMESH_BIRDC
set -eu
built=$1 src=$2 bindir=$3 libexecdir=$4 net=$5 birdc=$6
tmp=$(mktemp -d)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
. "$(dirname "$0")/../lib/assert.sh"

cp "$built"/wgmesh-* "$src"/wgmesh-net.target "$src"/wgmesh-verify@.timer "$tmp/"
rm -f "$tmp"/*.in
sed -i -e "s|$bindir/wgmesh-net|$(realpath "$net")|g" \
	-e "s|$libexecdir/wgmesh-birdc|$(realpath "$birdc")|g" "$tmp"/*
# Programs of other packages (bird, nft, shorewall) must exist for verify; where one is not
# installed it is replaced by /bin/true, and said so.
for prog in $(sed -n 's/^Exec[A-Za-z]*=[-@+!]*\([^ ]*\).*/\1/p' "$tmp"/* | sort -u); do
	if [ ! -x "$prog" ]; then
		echo "note: $prog not installed here, verified with /bin/true in its place"
		sed -i "s|$prog|/bin/true|g" "$tmp"/*
	fi
done

for unit in wgmesh-net@wg.example.com.service wgmesh-bird@private.service \
	wgmesh-tester@wg.example.com.service wgmesh-nft@private.service wgmesh-nft@private.path \
	wgmesh-shorewall.service wgmesh-shorewall.path wgmesh-net.target \
	wgmesh-verify@wg.example.com.service wgmesh-verify@wg.example.com.timer; do
	if out=$(systemd-analyze verify --man=no "$tmp/$unit" 2>&1) && [ -z "$out" ]; then
		pass "systemd-analyze verify $unit"
	else
		fail "systemd-analyze verify $unit: expected no message, got: $out"
	fi
done

# A misspelt capability is dropped without a word by verify: check the names ourselves.
for cap in $(sed -n 's/^CapabilityBoundingSet=//p' "$tmp"/* | tr ' ' '\n' | sort -u); do
	if grep -q "^#define $cap[[:space:]]" /usr/include/linux/capability.h; then
		pass "capability $cap exists"
	else
		fail "capability $cap is not in linux/capability.h"
	fi
done
for group in $(sed -n 's/^SystemCallFilter=//p' "$tmp"/* | tr ' ' '\n' | grep '^@' | sort -u); do
	if systemd-analyze syscall-filter "$group" >/dev/null 2>&1; then
		pass "system call group $group exists"
	else
		fail "system call group $group unknown to systemd"
	fi
done

# The paths BIRD's unit uses are the conventions birdgen implements (birdconf.h).
bird_unit=$tmp/wgmesh-bird@.service
grep -q '^ExecStart=.* -c /etc/bird/bird_%i.conf -s /run/bird-%i.sock$' "$bird_unit" &&
	grep -q '^NetworkNamespacePath=/run/netns/%i$' "$bird_unit" &&
	pass "BIRD unit: /etc/bird/bird_<netns>.conf, /run/bird-<netns>.sock, /run/netns/<netns>" ||
	fail "BIRD unit paths differ from birdgen's: $(grep -E '^(ExecStart|NetworkNamespacePath)=' "$bird_unit")"
# A planned stop of BIRD drains first and ends it after, with commands wgmesh-net has.
grep -q "^ExecStop=+$(realpath "$net") --bird-dir /etc/bird --wait [0-9]* bird-stop %i$" "$bird_unit" &&
	grep -q "^ExecStopPost=+$(realpath "$net") --bird-dir /etc/bird bird-stopped %i$" "$bird_unit" &&
	"$net" --help | grep -q '^  bird-stop NETNS ' && "$net" --help | grep -q '^  bird-stopped NETNS ' &&
	pass "BIRD unit: ExecStop drains (wgmesh-net bird-stop), ExecStopPost ends it (bird-stopped)" ||
	fail "BIRD unit's drain at stop: $(grep -E '^ExecStop' "$bird_unit"), wgmesh-net --help: $("$net" --help | grep bird-stop)"
# The manager's namespaces must stay visible to the host: no mount-namespacing option.
for u in wgmesh-net@.service wgmesh-tester@.service; do
	if grep -qE '^(ProtectSystem|ProtectHome|PrivateTmp|ReadWritePaths|ReadOnlyPaths|ProtectKernelTunables|ProtectKernelModules|ProtectKernelLogs|ProtectControlGroups|PrivateMounts|PrivateDevices|TemporaryFileSystem|BindPaths|InaccessiblePaths)=' "$tmp/$u"; then
		fail "$u has a mount-namespacing option: its /run/netns bind mounts would not reach the host"
	else
		pass "$u shares the host's mount namespace"
	fi
done
# No service may leave a core file (the manager's memory holds the host key).
for u in "$tmp"/*.service; do
	if grep -q '^LimitCORE=0$' "$u"; then pass "$(basename "$u") sets LimitCORE=0"; else fail "$(basename "$u") has no LimitCORE=0"; fi
done
# The manager names a port's holder without ptrace rights (ss -uapn in its error instead), and
# its hooks may run `ip netns exec`, which makes a mount namespace.
net_unit=$tmp/wgmesh-net@.service
if grep -q '^CapabilityBoundingSet=.*CAP_SYS_PTRACE' "$net_unit"; then fail "wgmesh-net@ keeps CAP_SYS_PTRACE"; else pass "wgmesh-net@ holds no CAP_SYS_PTRACE"; fi
if grep -Eq '^RestrictNamespaces=(.* )?mnt( |$)' "$net_unit"; then pass "wgmesh-net@ lets hooks make a mount namespace"; else fail "wgmesh-net@: RestrictNamespaces= denies mnt, which ip netns exec in a hook needs: $(grep '^RestrictNamespaces=' "$net_unit")"; fi
assert_exit
