#!/usr/bin/env bash
# docs/upgrading-from-1.0.md, followed end to end on a RUNNING wgmesh 1.0 node.
#
#   alpha (1.0, upgraded in place)             beta (1.0, the peer, never touched)
#   [private: eth1 10.20.1.1, vpriv .2,        [bprivate: eth1 10.20.2.1, vpriv .2,
#    wg2 (wg-quick, socket in here)]            wg1 (wg-quick, socket in here)]
#   [underlay: eth0 192.0.2.10, vpriv .1,      [underlay: eth0 198.51.100.20, vpriv .1,
#    DNAT udp 31002 -> 169.254.1.2]             DNAT udp 31001 -> 169.254.2.2]
#                 \________ inet: bridge br0 ________/
#
# Both nodes are built the way 1.0 built them, from the fixture's rendered files: ns-private's
# commands (the veth named by interface_outbound, as 1.0 did), the wg<k>.conf brought up by
# wg-quick inside the namespace (mesh_wg_restart; wireguard-go, no kernel module here), Shorewall's
# DNAT and masquerade (as nft rules: no Shorewall here), keys and files mode 0644. Then alpha
# follows docs/upgrading-from-1.0.md, with a ping from beta through the tunnel every 0.1 s to
# measure the outage.
source "$(dirname "$0")/lib.sh"
D=wg.example.com
WGCONFIG=$WGM_BUILD/site/wgconfig

# 1.0's scripts and units live in fixed places: this test's own copies, in its own mount
# namespace (tests/lib/in-netns.sh), hide the machine's.
mkdir -p "$T/sbin" "$T/units/multi-user.target.wants"
mount --bind "$T/sbin" /usr/local/sbin
mount --bind "$T/units" /etc/systemd/system

pids_10=()
stop_10() { # the wireguard-go daemons wg-quick started for 1.0, by pid
	local p
	for p in "${pids_10[@]}"; do kill "$p" 2>/dev/null || true; done
	if [ -n "${pinger:-}" ]; then kill "$pinger" 2>/dev/null || true; fi
	cleanup
}
trap stop_10 EXIT

# make_10_node NODE ADDR NETNS OCTET PORT FIXTURE_HOST WGCONF
make_10_node() {
	local n=$1 addr=$2 ns=$3 o=$4 port=$5 fx=$H/$6/etc-wireguard wgconf=$7
	ip netns add "$n"
	ip -n "$n" link set lo up
	ip link add "eth0-$n" netns inet type veth peer name eth0 netns "$n"
	ip -n inet link set "eth0-$n" master br0 up
	ip -n "$n" addr add "$addr/24" dev eth0
	ip -n "$n" link set eth0 up
	for net in 192.0.2.0/24 198.51.100.0/24; do ip -n "$n" route add "$net" dev eth0 2>/dev/null || true; done
	ip -n "$n" link add eth1 type veth peer name lanpeer
	ip -n "$n" link set lanpeer up
	ip netns exec "$n" sysctl -qw net.ipv4.ip_forward=1
	mkdir -p "$T/$n/shorewall" "$T/$n/bird" "$T/$n/nft" "$T/$n/hooks"
	echo "$D" >"$T/$n/.domain"
	# 1.0's files, as 1.0 left them: the host state with its paths, keys and wg-quick file 0644
	sed -e "s|/etc/wireguard/|$T/$n/|" -e "s|interface_trust: .*|interface_trust: eth1|" \
		-e "s|interface_outbound: .*|interface_outbound: vpriv|" "$fx/$D.yaml" >"$T/$n/$D.yaml"
	install -m 0644 "$fx/lab_priv" "$fx/lab_pub" "$fx/$wgconf" "$T/$n/"
	# ns-private start: the namespace (systemd-netns@), the veth (both ends named by
	# interface_outbound), the trust interface moved in, the routes, forwarding
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$n" link add vpriv type veth peer name vpriv netns "$ns"
	ip -n "$n" addr add "169.254.$o.1/24" brd + dev vpriv
	ip -n "$n" link set vpriv up
	ip -n "$n" link set eth1 netns "$ns"
	ip -n "$ns" link set eth1 up
	ip -n "$ns" addr add "10.20.$o.1/24" brd + dev eth1
	ip -n "$ns" addr add "169.254.$o.2/24" brd + dev vpriv
	ip -n "$ns" link set vpriv up
	ip -n "$ns" route add 0.0.0.0/1 via "169.254.$o.1"
	ip -n "$ns" route add 128.0.0.0/1 via "169.254.$o.1"
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# Shorewall's rules: DNAT of the WireGuard port into the namespace, masquerade out of it
	cp "$H/$6/etc-shorewall/rules" "$T/$n/shorewall/rules"
	ip netns exec "$n" nft -f - <<NFT
table ip shorewall {
	chain pre { type nat hook prerouting priority dstnat; iifname "eth0" udp dport $port dnat to 169.254.$o.2; }
	chain post { type nat hook postrouting priority srcnat; oifname "eth0" ip saddr 169.254.$o.0/24 masquerade; }
}
NFT
	# mesh_wg_restart start: wg-quick up inside the namespace (its socket is born there)
	in_node "$n" ip netns exec "$ns" env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go \
		wg-quick up "$T/$n/$wgconf" >"$T/$n/wg-quick.out" 2>&1 || {
		cat "$T/$n/wg-quick.out" >&2
		fail "1.0's wg-quick up on $n"
		exit 1
	}
	mapfile -t -O "${#pids_10[@]}" pids_10 < <(ip netns pids "$ns")
	nodes+=("$n")
}

make_internet
make_10_node alpha 192.0.2.10 private 1 31002 alpha.example.net wg2.conf
make_10_node beta 198.51.100.20 bprivate 2 31001 beta.example.net wg1.conf
# alpha's 1.0 scripts and units (beta's live on beta, not in this test's /usr/local/sbin)
install -m 0755 "$H/alpha.example.net/usr-local-sbin/"* "$T/sbin/"
printf '[Service]\nType=oneshot\nExecStart=/usr/local/sbin/mesh_wg_restart start private\n' >"$T/units/wgmesh-10.service"
ln -s ../wgmesh-10.service "$T/units/multi-user.target.wants/wgmesh-10.service"
ln -s /lib/systemd/system/wg-quick@.service "$T/units/multi-user.target.wants/wg-quick@wg2.service"
# and the operator's own wg-quick link, which is none of 1.0's business
printf '[Interface]\nListenPort = 51820\n' >"$T/alpha/wg0.conf"
ln -s /lib/systemd/system/wg-quick@.service "$T/units/multi-user.target.wants/wg-quick@wg0.service"

if wait_ping bprivate fd42:7a3b:19c0:201::1; then pass "1.0 mesh: beta pings alpha through the tunnel"; else fail "the 1.0 mesh does not work"; exit 1; fi
expect_eq "1.0's wg2 socket is inside private" "yes" "$(ip netns exec private ss -Hlun 'sport = :31002' | grep -q . && echo yes)"
beta_before=$(ip -n bprivate -o link show wg1 | cut -d: -f1; in_node beta wg show wg1 private-key;
	in_node beta wg show wg1 listen-port; in_node beta wg show wg1 peers; ip netns pids bprivate | sort)

# ping from beta to alpha's tunnel address all along the upgrade
ip netns exec bprivate ping -n -i 0.1 -W 1 fd42:7a3b:19c0:201::1 >"$T/ping.out" 2>&1 & pinger=$!

# An operator who skips step 2: verify says so, up refuses naming the fix and changes nothing
# in the kernel; the host key (1.0's 0644) is read and tightened with a warning.
before=$(node_state alpha private)
out=$(net alpha verify "$D" 2>&1) || true
expect_contains "verify before step 2: 1.0's namespace" "$out" "wgmesh 1.0's namespace private is there, holding the trust interface: keep it with wgconfig --netns private $D before up (README: Upgrading from 1.0)"
net alpha apply "$R/$A_UUID.$D.txt" >"$T/out" 2>"$T/err" && rc=0 || rc=$?
expect_eq "up before step 2: refused" 1 "$rc"
expect_contains "up before step 2: names the fix" "$(cat "$T/err")" "error: trust interface eth1 is in wgmesh 1.0's namespace private: keep that name with wgconfig --netns private $D, then up again"
expect_eq "up before step 2: nothing changed" "$before" "$(node_state alpha private)"
expect_eq "up before step 2: no namespace lab" "" "$(ip netns list | awk '$1 == "lab"')"
expect_contains "1.0's 0644 host key: a warning naming it" "$(cat "$T/err")" "warning: key file $T/alpha/lab_priv was mode 0644, open to group/others: tightened to 0600"
expect_eq "1.0's host key is 0600 now" 600 "$(stat -c %a "$T/alpha/lab_priv")"

# -- docs/upgrading-from-1.0.md step 2: keep 1.0's namespace name
out=$(in_node alpha "$WGCONFIG" --state-dir "$T/alpha" --netns private -l lab -P "$SITEKEY" "$D" 2>&1) ||
	fail "wgconfig --netns private: $out"
expect_contains "wgconfig keeps 1.0's host state" "$(cat "$T/alpha/$D.yaml")" "netns: private"

# -- step 3: verify lists what 1.0 left, one line each, and changes nothing
before=$(node_state alpha private)
out=$(net alpha verify "$D" 2>&1) && rc=0 || rc=$?
expect_eq "verify on a running 1.0 node: broken (not our layout yet)" 2 "$rc"
expect_contains "verify: 1.0's device" "$out" "wg2 is wgmesh 1.0's: its UDP socket 31002 is inside private, reached by DNAT; wgmesh-net up $D replaces it"
expect_contains "verify: 1.0's veth" "$out" "vpriv (169.254.1.2/24) is wgmesh 1.0's veth; wgmesh-net up $D replaces it with vi-lab"
expect_contains "verify: wg2.conf" "$out" "$T/alpha/wg2.conf is 1.0's wg-quick file (it copies the host key): wgmesh-net retire-1.0 $D removes it"
expect_contains "verify: start script" "$out" "/usr/local/sbin/mesh_wg_restart is 1.0's start script: wgmesh-net retire-1.0 $D removes it"
expect_contains "verify: wg-quick unit" "$out" "unit wg-quick@wg2.service (1.0 brought wg2 up with wg-quick): run systemctl disable --now wg-quick@wg2.service"
expect_contains "verify: start unit" "$out" "unit wgmesh-10.service (it runs 1.0's /usr/local/sbin/mesh_wg_restart): run systemctl disable --now wgmesh-10.service"
expect_contains "verify: DNAT line" "$out" "$T/alpha/shorewall/rules DNATs udp 31002 to 169.254.1.2 (1.0): wgmesh-net up $D rewrites it (firewall: shorewall; else remove the line), then run shorewall reload"
expect_contains "verify: DNATed flows" "$out" "UDP flow still DNATed to 169.254.1.2 (1.0)"
expect_eq "verify leaves the operator's own wg0 alone" "" "$(grep wg0 <<<"$out" || true)"
json=$(net alpha verify --json "$D" 2>/dev/null) || true
expect_eq "verify --json is JSON with the 1.0 findings" "1.0 device wg2|degraded" \
	"$(python3 -c 'import json, sys; c = [x for x in json.load(sys.stdin)["checks"] if x["check"] == "1.0 device wg2"][0]; print(c["check"] + "|" + c["result"])' <<<"$json")"
out=$(net alpha --dry-run apply "$R/$A_UUID.$D.txt" 2>/dev/null)
expect_contains "up --dry-run: would replace 1.0's wg2" "$out" "would replace wgmesh 1.0's wg2 (UDP 31002 inside private, reached by DNAT) with ours"
expect_contains "up --dry-run: would replace 1.0's veth" "$out" "would replace wgmesh 1.0's veth vpriv with vi-lab"
net alpha retire-1.0 "$D" >"$T/out" 2>"$T/err" && rc=0 || rc=$?
expect_eq "retire-1.0 before up: refused" "1|wgmesh-net: error: namespace private is not built by wgmesh 2 yet: run wgmesh-net up $D first" "$rc|$(cat "$T/err")"
expect_eq "retire-1.0 before up: wg2.conf still there" "$T/alpha/wg2.conf" "$(ls "$T/alpha/wg2.conf")"
expect_eq "verify, the dry run and the refused retire changed nothing" "$before" "$(node_state alpha private)"

pid_10=$(ip netns pids private)
# -- step 4: up (apply: the same with the record from a file, no DNS here)
t0=$(date +%s.%N)
net alpha apply "$R/$A_UUID.$D.txt" >"$T/up.out" 2>"$T/up.err" || fail "up on the 1.0 node: $(cat "$T/up.err")"
# (step 4's shorewall reload, with the rules up wrote: 1.0's DNAT is gone)
ip netns exec alpha nft delete chain ip shorewall pre
# -- step 5: retire what is left (step 6, BIRD, has no place here: no BIRD runs in this test)
net alpha retire-1.0 "$D" >"$T/retire.out" 2>"$T/retire.err" || fail "retire-1.0: $(cat "$T/retire.err")"
t1=$(date +%s.%N)
cat "$T/up.err" "$T/up.out" "$T/retire.err" "$T/retire.out" | sed 's/^/  | /'
err=$(cat "$T/up.err")
expect_contains "up says it replaced 1.0's wg2" "$err" "replaced wgmesh 1.0's wg2: its UDP socket 31002 was inside private, reached by DNAT; ours has the same name, key and port, socket in the underlay"
expect_contains "up says it replaced 1.0's veth" "$err" "replaced wgmesh 1.0's veth vpriv (169.254.1.2/24) with vi-lab"
expect_contains "up deletes the flows 1.0's DNAT made" "$err" "UDP flow wgmesh 1.0 DNATed to 169.254.1.2"
expect_contains "up points at retire-1.0" "$err" "$T/alpha/wg2.conf is 1.0's wg-quick file (it copies the host key): wgmesh-net retire-1.0 $D removes it"
expect_eq "up rewrote the Shorewall rules without 1.0's DNAT" "" "$(grep '^DNAT' "$T/alpha/shorewall/rules" || true)"
expect_contains "retire-1.0 removes wg2.conf" "$(cat "$T/retire.out")" "removed $T/alpha/wg2.conf"
expect_contains "retire-1.0 prints the unit commands" "$(cat "$T/retire.out")" "systemctl disable --now wg-quick@wg2.service"
expect_eq "retire-1.0 keeps the operator's wg0.conf" "$T/alpha/wg0.conf" "$(ls "$T/alpha/wg0.conf")"
expect_eq "1.0's files are gone" "" "$(ls "$T/alpha/wg2.conf" "$T/sbin/ns-private" "$T/sbin/ns-tester" "$T/sbin/mesh_wg_restart" 2>/dev/null || true)"
expect_eq "wg2's socket is in the underlay now" "yes" "$(ip netns exec alpha ss -Hlun 'sport = :31002' | grep -q . && echo yes)"
expect_eq "no socket left inside private" "" "$(ip netns exec private ss -Hlun 'sport = :31002')"
expect_eq "1.0's veth is gone" "" "$(ip -n private -o link show vpriv 2>/dev/null)"
# (with wireguard-go; a zombie until the init that adopted the daemon reaps it)
[ -z "$pid_10" ] || expect_eq "1.0's wireguard-go (pid $pid_10) has exited" "gone" \
	"$(state=$(awk '{print $3}' "/proc/$pid_10/stat" 2>/dev/null); [ -z "$state" ] || [ "$state" = Z ] && echo gone)"

# traffic across the mesh after the upgrade: both ways through the tunnel
if wait_ping private fd42:7a3b:19c0:201::2; then pass "alpha (upgraded) pings beta (1.0) through the tunnel"; else fail "alpha cannot reach beta after the upgrade"; fi
if wait_ping bprivate fd42:7a3b:19c0:201::1; then pass "beta (1.0) pings alpha (upgraded) through the tunnel"; else fail "beta cannot reach alpha after the upgrade"; fi
sleep 1 # a last second of the background ping after the link is back
kill "$pinger"; wait "$pinger" 2>/dev/null || true; pinger=
# the outage: the longest run of unanswered pings (0.1 s apart)
gap=$(grep -o 'icmp_seq=[0-9]*' "$T/ping.out" | cut -d= -f2 | awk 'NR > 1 && $1 - p > g { g = $1 - p } { p = $1 } END { print g + 0 }')
sent=$(grep -o 'icmp_seq=[0-9]*' "$T/ping.out" | tail -1 | cut -d= -f2)
awk -v a="$t0" -v b="$t1" -v g="$gap" -v s="$sent" 'BEGIN { printf "measured: upgrade steps 4-5 took %.2f s; longest ping gap %.1f s (%d lost in a row, %d pings at 0.1 s)\n", b - a, g * 0.1, (g > 0 ? g - 1 : 0), s }'
[ "$gap" -gt 0 ] || fail "no ping answered during the upgrade"

expect_eq "the peer is untouched (ifindex, key, port, peer, daemon)" "$beta_before" \
	"$(ip -n bprivate -o link show wg1 | cut -d: -f1; in_node beta wg show wg1 private-key;
	in_node beta wg show wg1 listen-port; in_node beta wg show wg1 peers; ip netns pids bprivate | sort)"

# after: verify shows no 1.0 leftover but the units; a re-run of up is a no-op
out=$(net alpha verify "$D" 2>&1) || true
expect_eq "verify after: only the units are left" \
	"unit wg-quick@wg2.service|unit wgmesh-10.service" \
	"$(awk '$2 == "1.0" { print $4, $5 }' <<<"$out" | sort | paste -sd'|')"
rm "$T/units/multi-user.target.wants/"* "$T/units/wgmesh-10.service" # step 5: systemctl disable --now ...
out=$(net alpha verify "$D" 2>&1) || true
expect_eq "step 7: verify shows nothing of 1.0" "" "$(awk '$2 == "1.0"' <<<"$out")"
# wg-quick's policy rules (docs/upgrading-from-1.0.md#afterwards): removed, and the tunnel
# still carries traffic
ip netns exec private ip rule del table 51820
ip netns exec private ip rule del table main suppress_prefixlength 0
ip netns exec private ip -6 rule del table 51820
ip netns exec private ip -6 rule del table main suppress_prefixlength 0
expect_eq "wg-quick's policy rules gone" "" "$(ip -n private rule show | grep -e 51820 -e suppress_prefixlength || true)"
if wait_ping private fd42:7a3b:19c0:201::2; then pass "the tunnel still works without them"; else fail "alpha lost beta with wg-quick's rules gone"; fi
out=$(net alpha apply "$R/$A_UUID.$D.txt" 2>/dev/null)
expect_eq "up again: no-op" "0 changes" "$out"
finish
