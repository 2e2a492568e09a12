#!/usr/bin/env bash
# The production path at boot: systemd as PID 1 in a VM on Debian's kernel (kernel WireGuard),
# wgmesh installed from its Debian packages (built first from the tracked files, as from a
# clean clone: tests/package/build-deb.sh), its units enabled by hand after approval, the VM
# one node of a 3-node mesh; the metrics timer; at the end `apt purge` leaves nothing.
#
#   VM (systemd, root netns = node 1's underlay)      "lab" (wgmesh-testlab.service, own netns)
#   up0 198.51.100.1/24 --------------------------- br0 198.51.100.254/24, 203.0.113.53 knotd:53
#   lan1 -> netns lan1-vm 10.1.0.10/24                 |-- node 2, node 3: topo.sh "machines"
#   wgmesh-net@mesh.example.com.service                   (own mount + net namespaces), their
#   wgmesh-bird@mesh.service, wgmesh-nft@mesh.path        wgmesh-net up from the build tree, BIRD
#
# The lab is a unit ordered before network-online.target: to node 1 it is "the network" and
# the site's DNS, up at every boot. Its state (site file, peers' keys) and node 1's /etc and
# /var live on the VM's persistent disk, so the second boot finds them again.
#
#   boot.sh RUNNER BUILD            (host, root) builds the .debs, boots the VM twice on one
#                                   persistent disk ($WGM_VM_DEBS: a directory of .debs to use)
#   boot.sh first|second BUILD DEBS (in the VM, as the runner's unit) the checks of each boot
#   boot.sh lab|lab-stop BUILD      (in the VM, wgmesh-testlab.service) the rest of the world
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
self=$here/boot.sh
. "$src/tests/lib/assert.sh"
# No ERR trap: this script runs without set -e and tests exit statuses itself.
trap - ERR
# The lab and the checks are separate runs of this script: the namespaces the builder makes
# (tests/lib/topo.sh) carry this tag, not a pid, so each run finds the other's.
export TOPO_TAG=vm
LAB=/var/lib/wgmesh-testlab
DOMAIN=mesh.example.com
NS=mesh
UNIT_NET=wgmesh-net@$DOMAIN.service
UNIT_BIRD=wgmesh-bird@$NS.service
UNIT_VERIFY=wgmesh-verify@$DOMAIN
TEXTFILE_DIR=/var/lib/prometheus/node-exporter
PROM=$TEXTFILE_DIR/wgmesh-$DOMAIN.prom
T0=$(date +%s%3N)
# BFD every 200 ms (1 s detection), on node 1 through /etc/default/wgmesh-net as an operator
# would set it, on the peers through the harness: under emulation on 2 cores the product's
# 50 ms flaps sessions whatever the manager does.
BFD_MS=200

say() { echo "boot-test: $*"; }
# die's epilogue (tests/lib/assert.sh): in the VM, what the units said, for the host's log.
assert_on_die() {
	[ -n "${IN_VM:-}" ] || return 0
	journalctl -b --no-pager -o short-monotonic -u "$UNIT_NET" -u "$UNIT_BIRD" \
		-u "wgmesh-nft@$NS.service" -u "$UNIT_VERIFY.service" | grep -v 'Bad packet\|link-local' | tail -n 40 >&2
	birdc -s "/run/bird-$NS.sock" show protocols >&2
	ip netns exec "$NS" wg show all latest-handshakes >&2
}
ms_since() { echo $(($(date +%s%3N) - $1)); }

host_main() {
	local runner=$1 build=$2 dir disk rc start debs
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (QEMU, the VM's disk)" >&2; exit 77; }
	[ -x "$runner" ] || { echo "SKIP: no VM runner $runner" >&2; exit 77; }
	# The runner makes the disk (sparse ext4) on first use.
	dir=$(mktemp -d /var/tmp/wgm-boot.XXXXXX) || exit 1
	disk=$dir/node.img
	trap 'rm -rf "$dir"' EXIT
	# The packages of this tree (the VM sees the host's files, so it installs them from here).
	debs=${WGM_VM_DEBS:-$dir/deb}
	if [ -z "${WGM_VM_DEBS:-}" ]; then
		start=$(date +%s%3N)
		"$src/tests/package/build-deb.sh" "$src" "$debs" >"$dir/build-deb.log" 2>&1
		say "packages built: $(cd "$debs" 2>/dev/null && ls ./*.deb | tr '\n' ' ')($(ms_since "$start") ms)"
	fi
	ls "$debs"/wgmesh_*.deb >/dev/null 2>&1 || { cat "$dir/build-deb.log"; say "FAIL: no packages"; exit 1; }
	start=$(date +%s%3N)
	# one vCPU: see suite.sh --cpus (multi-threaded TCG and static-key patching)
	"$runner" -s -c 1 -d "$disk" -t 1500 "$self" first "$build" "$debs"
	rc=$?
	say "first boot: exit $rc, $(ms_since "$start") ms (VM wall time)"
	[ "$rc" = 0 ] || exit 1
	start=$(date +%s%3N)
	"$runner" -s -c 1 -d "$disk" -t 1500 "$self" second "$build" "$debs"
	rc=$?
	say "second boot: exit $rc, $(ms_since "$start") ms (VM wall time)"
	[ "$rc" = 0 ] || exit 1
}

# --- the lab (runs in a network namespace of its own: the internet) -------------------------

lab_main() {
	export WGM_BUILD=$1 MESH_DOMAIN=$DOMAIN MESH_LOCUS=$NS KNOT_WANT_PORT=53 MESH_BFD_INTERVAL=$BFD_MS
	local n
	source "$src/tests/lib/knot.sh"
	source "$src/selftests/lib/topo.sh"
	source "$src/selftests/lib/mesh.sh"
	set -e
	ip link set lo up
	# Keeps the internet alive whatever else dies; stopping the unit kills it with the rest.
	sleep infinity &
	rm -rf "$LAB/knot" "$LAB"/n[23]/*.pid
	topo_init "$LAB"
	# Node 1 is the VM itself: its underlay is PID 1's network namespace.
	ip link add n1 type veth peer name up0
	ip link set up0 netns 1
	ip link set n1 master br0 up
	nsenter -t 1 -n ip addr add 198.51.100.1/24 dev up0
	nsenter -t 1 -n ip link set up0 up
	nsenter -t 1 -n ip route replace default via 198.51.100.254
	topo_ns "LAN_NS[1]" lan1
	topo_veth 1 lan1 "${LAN_NS[1]}" eth0
	topo_addr "${LAN_NS[1]}" eth0 10.1.0.10/24
	ip -n "${LAN_NS[1]}" route add default via 10.1.0.1
	nsenter -t 1 -n ip link set lan1 up
	mesh_dns_start
	if [ ! -f "$LAB/site/site.yaml" ]; then
		mesh_site_init
	fi
	MESH_SITE=$LAB/site/site.yaml
	for n in 2 3; do
		topo_add_node "$n"
		echo "${NODE_PID[$n]}" >"$LAB/n$n/holder.pid"
		[ -f "$LAB/n$n/import.log" ] || mesh_node_register "$n"
	done
	mesh_publish
	for n in 2 3; do
		mesh_node_up "$n" || { cat "$LAB/n$n/up.log" >&2; exit 1; }
		mesh_bird_start "$n"
	done
	say "lab up: DNS $MESH_DNS, nodes 2 3"
}

# Links are deleted here, not left to the namespaces' (asynchronous) teardown, so a restarted
# lab can make them again under the same names.
lab_stop() {
	ip link del up0 2>/dev/null
	local n
	ip link del lan1 2>/dev/null
	for n in 1 2 3; do ip netns del "lan$n-$TOPO_TAG" 2>/dev/null; done
	return 0
}

install_lab_unit() {
	cat >/etc/systemd/system/wgmesh-testlab.service <<EOF
[Unit]
Description=wgmesh boot test: the internet, the site DNS and two peer nodes
Before=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/bin/unshare --net -- $self lab $1
ExecStopPost=$self lab-stop $1
TimeoutStartSec=10min
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=network-online.target
EOF
}

# --- checks on node 1 (the VM), with the harness's own assertions -------------------------

vm_checks_init() {
	export WGM_BUILD=$1 MESH_DOMAIN=$DOMAIN MESH_LOCUS=$NS MESH_BFD_INTERVAL=$BFD_MS
	source "$src/selftests/lib/checks.sh"
	source "$src/selftests/lib/mesh.sh"
	TOPO_WORK=$LAB
	# lan_ping's namespaces: node 1's LAN, made by the lab (topo_ns, tag vm)
	declare -gA LAN_NS=([1]="lan1-$TOPO_TAG")
}

# Node 1 is this machine; the peers are reached through their holder processes.
on_node() {
	local n=$1
	shift
	if [ "$n" = 1 ]; then
		"$@"
	else
		nsenter -t "$(cat "$LAB/n$n/holder.pid")" -m -n -- "$@"
	fi
}

# "dev handshake-epoch" of node 1's kernel WireGuard devices (they live in the private netns).
kernel_handshakes() {
	ip netns exec "$NS" wg show all latest-handshakes 2>/dev/null | awk '{ print $1, $3 }' | sort
}

# Handshakes kept: the same timestamp, or a later one where WireGuard's own rekey (every 120 s
# of a session's life) was due. A rebuilt device starts from 0 and handshakes anew at once.
handshakes_kept() { # BEFORE AFTER SNAPSHOT_EPOCH
	paste -d' ' <(echo "$1") <(echo "$2") | awk -v t="$3" '
		$1 != $3 || $2 == 0 { bad = 1 }
		$4 != $2 && t - $2 < 110 { bad = 1 }
		END { exit bad }'
}

rx_bytes() { # "dev rx-bytes" of node 1's links
	ip netns exec "$NS" wg show all transfer 2>/dev/null | awk '{ print $1, $3 }' | sort
}

rx_grew() { # BEFORE: every link received more since
	paste -d' ' <(echo "$1") <(rx_bytes) | awk '$1 != $3 || $4 <= $2 { bad = 1 } END { exit bad }'
}

journal_cursor() {
	journalctl -n 0 --show-cursor -q 2>/dev/null | sed -n 's/^-- cursor: //p'
}

# The manager's "N changes" line logged after CURSOR.
changes_after() { # CURSOR
	journalctl -u "$UNIT_NET" --after-cursor="$1" -o cat 2>/dev/null |
		sed -n 's/^wgmesh-net: \([0-9][0-9]*\) changes\{0,1\}$/\1/p' | tail -n 1
}

mesh_state() { # -> "dev ifindex" of node 1's WireGuard links: same = nothing rebuilt
	wg_ifindexes 1
}

converged() { # node 1's BGP sessions Established, its LAN pings both others
	[ "$(bgp_counts 1)" = "2 2" ] && lan_ping 1 2 && lan_ping 1 3
}

check_kept() { # WHAT BEFORE_STATE BEFORE_HS SNAP_EPOCH
	local what=$1 after
	after=$(mesh_state)
	[ "$after" = "$2" ] || die "$what: links changed: before [$2] after [$after]"
	handshakes_kept "$3" "$(kernel_handshakes)" "$4" ||
		die "$what: handshakes reset: before [$3] after [$(kernel_handshakes)]"
	pass "$what: same ifindexes, handshakes kept"
}

# The journal has our lines at their levels: errors at err, "N changes" at notice, and no
# "<N>" left in a message (the prefix was read, not printed).
check_priorities() { # MIN_ERRORS JOURNALCTL_ARGS...
	local min=$1 all errs notices
	shift
	all=$(journalctl "$@" -u "$UNIT_NET" -o cat)
	errs=$(journalctl "$@" -u "$UNIT_NET" -p err..err -o cat | grep -c '^wgmesh-net: error: ')
	notices=$(journalctl "$@" -u "$UNIT_NET" -p notice..notice -o cat | grep -c '^wgmesh-net: [0-9]* change')
	[ "$notices" -gt 0 ] && [ "$notices" = "$(echo "$all" | grep -c '^wgmesh-net: [0-9]* change')" ] ||
		die "journal: 'N changes' lines not all at notice ($notices)"
	[ "$errs" -ge "$min" ] && [ "$errs" = "$(echo "$all" | grep -c '^wgmesh-net: error: ')" ] ||
		die "journal: error lines not all at err ($errs)"
	! echo "$all" | grep -q '^<[0-7]>' || die "journal: a priority prefix shows in a message"
	pass "journal priorities: $errs error line(s) at err, $notices 'changes' line(s) at notice"
}

# Every file or directory named *wgmesh* on the node, but the test's own (the lab, its unit,
# the VM cache and packages of the host): compared before the install and after the purge.
wgmesh_files() {
	find -H /etc /var /usr /lib /run \( -path /var/cache/wgmesh-vm -o -path "$LAB" -o -path /var/tmp \
		-o -path /run/systemd/transient \) -prune -o -name '*wgmesh*' -print 2>/dev/null |
		grep -v 'wgmesh-testlab' | sort -u
}

# The metrics file verify wrote: health 0 and Prometheus's own linter at 0 problems.
metrics_ok() {
	[ -f "$PROM" ] && grep -q "^wgmesh_health{namespace=\"$NS\"} 0$" "$PROM" &&
		promtool check metrics <"$PROM" >/dev/null 2>&1
}

keys_now() { # the host key file's hash, the public key on every link
	sha256sum "$(sed -n 's/^ *private_key_file: *//p' "/etc/wireguard/$DOMAIN.yaml")" | awk '{ print $1 }'
	ip netns exec "$NS" wg show all public-key | awk '{ print $2 }' | sort -u
}

first_boot() {
	local build=$1 debs=$2 t msg before hs snap cur pid rx u
	vm_checks_init "$build"
	systemctl mask --now bird.service >/dev/null 2>&1
	# The VM shares this machine's root: a container host's policy-rc.d ("exit 101": start
	# and stop nothing) would keep the maintainer scripts' deb-systemd-invoke from acting, as
	# it would not on a real node; it is moved aside in the VM's overlay only. man-db's
	# trigger would re-index every manual page of the host over 9p (minutes under TCG);
	# `man -w` needs no index, so the VM's overlay turns it off.
	if [ -e /usr/sbin/policy-rc.d ]; then
		mv /usr/sbin/policy-rc.d /usr/sbin/policy-rc.d.vm-hidden
		say "note: the host's /usr/sbin/policy-rc.d moved aside in the VM (a container's)"
	fi
	rm -f /var/lib/man-db/auto-update
	wgmesh_files >"$LAB/files-before-install"
	ls -A /etc/wireguard 2>/dev/null >"$LAB/wireguard-before-install"
	t=$(date +%s%3N)
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"$debs"/wgmesh_*.deb "$debs"/wgmesh-site_*.deb "$debs"/wgmesh-prometheus-rules_*.deb \
		>/tmp/install.log 2>&1 || { cat /tmp/install.log; die "apt-get install of the packages"; }
	pass "installed with apt-get install $(cd "$debs" && ls wgmesh_*.deb wgmesh-site_*.deb wgmesh-prometheus-rules_*.deb | tr '\n' ' ')($(ms_since "$t") ms)"
	say "   $(dpkg-query -W -f '${Package} ${Version} ${Status}, ' wgmesh wgmesh-site wgmesh-prometheus-rules)"
	[ "$(command -v wgmesh-net)" = /usr/bin/wgmesh-net ] || die "wgmesh-net is $(command -v wgmesh-net), not the package's"
	# Installed is not enabled: no unit of ours enabled, none running, no key made.
	u=$(systemctl list-unit-files --no-legend 'wgmesh-*' | awk '$2 != "disabled" && $2 != "static" && $2 != "indirect" { print }')
	[ -z "$u" ] || die "after install, units enabled: $u"
	u=$(systemctl list-units --no-legend --all 'wgmesh-*' | sed 's/^[^a-z]* //' | grep -v wgmesh-testlab | awk '$3 != "inactive" { print }')
	[ -z "$u" ] || die "after install, units not inactive: $u"
	[ "$(ls -A /etc/wireguard 2>/dev/null)" = "$(cat "$LAB/wireguard-before-install")" ] ||
		die "the install wrote into /etc/wireguard: $(ls -A /etc/wireguard)"
	pass "$(systemctl list-unit-files --no-legend 'wgmesh-*' | wc -l) units installed, none enabled or started, nothing in /etc/wireguard"
	man -w wgmesh-net wgsite wgmesh-units wgmesh-site wgmesh-host >/dev/null || die "man pages not found by man"
	[ -f /usr/share/bash-completion/completions/wgmesh-net ] || die "no bash completion"
	pass "man wgmesh-net finds $(man -w wgmesh-net); completion in /usr/share/bash-completion/completions"
	install_lab_unit "$build"
	t=$(date +%s%3N)
	systemctl enable --now wgmesh-testlab.service || die "the lab did not start"
	pass "lab up: DNS, nodes 2 and 3 ($(ms_since "$t") ms)"
	rm -f /etc/resolv.conf
	echo "nameserver 203.0.113.53" >/etc/resolv.conf

	# The README's node workflow, with the installed commands.
	wgconfig -i up0 -T lan1 -I 10.1.0.1/24 --firewall nftables "$DOMAIN" || die "wgconfig"
	msg=$(wghost -a 198.51.100.1 -h node1.example.net "$DOMAIN" | sed -n 's/^Message to Home: //p')
	[ -n "$msg" ] || die "wghost printed no message"
	echo "WGMESH_NET_OPTS=\"--bfd-interval $BFD_MS\"" >/etc/default/wgmesh-net
	# A hook written like 1.0's local scripts: ip netns exec must work under the unit.
	install -d -m 0755 /etc/wgmesh/hooks.d
	printf '#!/bin/sh\nip netns exec "$WGM_NETNS" ip -o link show dev lo >/dev/null &&\n\techo "$1 $WGM_NETNS ok" >>/run/wgmesh-hook-test.log\n' \
		>/etc/wgmesh/hooks.d/50-netns-exec
	chmod 0755 /etc/wgmesh/hooks.d/50-netns-exec
	systemctl enable "$UNIT_NET" "$UNIT_BIRD" "wgmesh-nft@$NS.path" || die "enable"
	# Started before the controller approved it: no record yet, an error, nothing built.
	systemctl start "$UNIT_NET" "wgmesh-nft@$NS.path" || die "start before approval"
	systemctl show -p StatusText --value "$UNIT_NET" | grep -q "record unavailable" ||
		die "status before approval: $(systemctl show -p StatusText --value "$UNIT_NET")"
	pass "before approval: $(systemctl show -p StatusText --value "$UNIT_NET")"
	# The controller approves node 1 and publishes; the peers apply their new records.
	MESH_SITE=$LAB/site/site.yaml MESH_DNS=203.0.113.53:53 MESH_TSIG_KEY=$LAB/site/tsig.key
	wgsite -i "$msg" "$MESH_SITE" >/dev/null || die "import (wgmesh-site's wgsite)"
	mesh_publish || die "publish"
	mesh_node_up 2 && mesh_node_up 3 || die "peers' up: $(cat "$LAB"/n[23]/up.log)"
	systemctl start --no-block "$UNIT_BIRD"
	t=$(date +%s%3N)
	systemctl reload "$UNIT_NET"
	wait_or_die 300 "after approval + reload: node 1's BGP sessions Established, its LAN pings both" converged
	say "   $(systemctl show -p StatusText --value "$UNIT_NET")"
	grep -qx "up $NS ok" /run/wgmesh-hook-test.log 2>/dev/null ||
		die "the ip netns exec hook did not run under the unit: $(journalctl -u "$UNIT_NET" -b --no-pager | grep -i hook | tail -3)"
	pass "a hook ran ip netns exec under $UNIT_NET"
	[ -n "$(ip netns exec "$NS" ip -d link show type wireguard)" ] || die "no kernel WireGuard link"
	pass "kernel WireGuard links"
	grep -q "interval $BFD_MS ms;" "/etc/bird/bird_$NS.conf" ||
		die "/etc/default/wgmesh-net's --bfd-interval $BFD_MS did not reach /etc/bird/bird_$NS.conf"
	pass "the unit took WGMESH_NET_OPTS from /etc/default/wgmesh-net (BFD $BFD_MS ms)"
	wait_or_die 60 "wgmesh-nft@$NS.path loaded the rules (table inet wgmesh_$NS)" nft list table inet "wgmesh_$NS"

	# reload: 0 changes, nothing rebuilt.
	before=$(mesh_state); hs=$(kernel_handshakes); snap=$(date +%s); cur=$(journal_cursor)
	t=$(date +%s%3N)
	systemctl reload "$UNIT_NET"
	wait_or_die 60 "reload: a new round logged" eval '[ -n "$(changes_after "$cur")" ]'
	[ "$(changes_after "$cur")" = 0 ] || die "reload made $(changes_after "$cur") changes"
	check_kept "reload (0 changes, $(ms_since "$t") ms)" "$before" "$hs" "$snap"

	# restart: a new process, 0 changes.
	pid=$(systemctl show -p MainPID --value "$UNIT_NET")
	before=$(mesh_state); hs=$(kernel_handshakes); snap=$(date +%s); cur=$(journal_cursor)
	t=$(date +%s%3N)
	systemctl restart "$UNIT_NET" || die "restart"
	[ "$(systemctl show -p MainPID --value "$UNIT_NET")" != "$pid" ] || die "restart: same pid"
	wait_or_die 60 "restart: a round logged" eval '[ -n "$(changes_after "$cur")" ]'
	[ "$(changes_after "$cur")" = 0 ] || die "restart made $(changes_after "$cur") changes"
	check_kept "restart (0 changes, $(ms_since "$t") ms)" "$before" "$hs" "$snap"

	# stop: the mesh stays.
	before=$(mesh_state); hs=$(kernel_handshakes); snap=$(date +%s)
	t=$(date +%s%3N)
	systemctl stop "$UNIT_NET"
	[ "$(systemctl show -p ActiveState --value "$UNIT_NET")" = inactive ] || die "stop"
	# Traffic, not BGP state: under a loaded emulator BFD's 250 ms detection flaps sessions
	# with or without a manager (seen before and after stop alike).
	rx=$(rx_bytes)
	wait_or_die 60 "stop: packets still arrive on every link" rx_grew "$rx"
	check_kept "stop leaves the mesh running ($(ms_since "$t") ms)" "$before" "$hs" "$snap"
	systemctl start "$UNIT_NET" || die "start again"

	# The metrics timer, into node_exporter's textfile directory (made here as
	# prometheus-node-exporter would: this machine does not have it).
	mkdir -p "$TEXTFILE_DIR"
	systemctl enable --now "$UNIT_VERIFY.timer" || die "enable the metrics timer"
	t=$(date +%s%3N)
	systemctl start "$UNIT_VERIFY.service" || die "$UNIT_VERIFY.service: $(journalctl -u "$UNIT_VERIFY.service" -o cat | tail -5)"
	wait_for 120 "$UNIT_VERIFY.service wrote $PROM: health 0, promtool check metrics clean" metrics_ok
	say "   $(grep -c '^wgmesh_' "$PROM") series; $(promtool check metrics <"$PROM" 2>&1 | wc -l) promtool problems"

	check_priorities 1
	keys_now >"$LAB/boot1.keys"
	say "first boot done in $(ms_since "$T0") ms"
}

second_boot() {
	local build=$1 debs=$2 up t left
	vm_checks_init "$build"
	up=$(awk '{ printf "%d", $1 * 1000 }' /proc/uptime)
	say "test unit started ${up} ms after the kernel (systemd at multi-user.target)"
	# No human step: the units enabled in the first boot bring the node back.
	wait_or_die 300 "after reboot: node 1's BGP sessions Established, its LAN pings both" converged
	say "   converged $(awk '{ printf "%d", $1 * 1000 }' /proc/uptime) ms after the kernel started"
	say "   $(systemctl show -p StatusText --value "$UNIT_NET")"
	systemctl show -p StatusText --value "$UNIT_NET" | grep -q "mesh applied" || die "manager status"
	[ "$(keys_now)" = "$(cat "$LAB/boot1.keys")" ] || die "keys differ after the reboot"
	pass "same host key and WireGuard public key as the first boot"
	check_priorities 0 -b
	# The timer came back with the boot (OnBootSec=1min) and rewrote the metrics.
	wait_for 180 "the timer rewrote $PROM after the boot" eval '[ "$(stat -c %Y "$PROM" 2>/dev/null || echo 0)" -gt "$(($(date +%s) - $(cut -d. -f1 /proc/uptime)))" ] && metrics_ok'

	# Tear down as an operator would (stop the manager, take the mesh down, stop BIRD), the
	# units left enabled, then purge: nothing of wgmesh's is left but the operator's files.
	t=$(date +%s%3N)
	systemctl stop "$UNIT_NET"
	wgmesh-net down "$DOMAIN" >/tmp/down.log 2>&1 || { cat /tmp/down.log; die "wgmesh-net down"; }
	systemctl stop "$UNIT_BIRD"
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q wgmesh wgmesh-site wgmesh-prometheus-rules \
		>/tmp/purge.log 2>&1 || { cat /tmp/purge.log; die "apt-get purge"; }
	systemctl daemon-reload
	pass "down and apt-get purge ($(ms_since "$t") ms)"
	[ -z "$(dpkg-query -W -f '${Package} ${Status}\n' wgmesh wgmesh-site wgmesh-prometheus-rules 2>/dev/null | grep -v not-installed)" ] ||
		die "packages left: $(dpkg-query -W -f '${Package} ${Status}, ' wgmesh wgmesh-site wgmesh-prometheus-rules)"
	left=$(systemctl list-units --no-legend --all 'wgmesh-*' | sed 's/^[^a-z]* //' | grep -v wgmesh-testlab | awk '$3 != "inactive" || $2 != "not-found" { print }')
	[ -z "$left" ] || die "after purge, units still loaded: $left"
	[ -f "/etc/wireguard/$DOMAIN.yaml" ] && [ -f "$(sed -n 's/^ *private_key_file: *//p' "/etc/wireguard/$DOMAIN.yaml")" ] ||
		die "purge removed the operator's host state or key in /etc/wireguard"
	[ -f /etc/default/wgmesh-net ] || die "purge removed the operator's /etc/default/wgmesh-net"
	[ -L /etc/systemd/system/network-online.target.wants/wgmesh-testlab.service ] ||
		die "purge removed the enablement link of a unit that is not the package's (wgmesh-testlab)"
	pass "the operator's files are kept: /etc/wireguard/$DOMAIN.yaml, its key, /etc/default/wgmesh-net, the link of its own wgmesh-testlab unit"
	rm -f /etc/default/wgmesh-net
	for f in "/etc/bird/bird_$NS.conf" "/etc/bird/bird_${NS}_local.d" /run/wgmesh "$PROM"; do
		[ ! -e "$f" ] || die "after purge, $f is left"
	done
	left=$(diff "$LAB/files-before-install" <(wgmesh_files) | sed -n 's/^> //p')
	[ -z "$left" ] || die "after purge, left behind: $(echo $left)"
	pass "after purge no wgmesh file is left (/etc, /var, /usr, /lib, /run: $(wc -l <"$LAB/files-before-install") before install, the same now), no unit loaded, no BIRD config, no /run/wgmesh, no metrics file"
	say "second boot done in $(ms_since "$T0") ms"
}

case ${1:-} in
first) IN_VM=1 first_boot "$2" "$3" ;;
second) IN_VM=1 second_boot "$2" "$3" ;;
lab) lab_main "$2" ;;
lab-stop) lab_stop ;;
*) host_main "$@" ;;
esac
