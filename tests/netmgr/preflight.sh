#!/usr/bin/env bash
# What `up` refuses before the kernel is touched, with one line naming the value and what to
# do, and nothing changed: a write target that cannot be written (a file where a directory
# should be, a read-only mount), an interface the host state names that does not exist, a
# veth name taken by another kind of interface, a --dnsfetch-user that does not exist. And a
# missing firewall directory is made (0755), not a half-built mesh.
source "$(dirname "$0")/lib.sh"
REC=$R/$A_UUID.wg.example.com.txt
STATE=$T/alpha/wg.example.com.yaml

make_internet
make_node alpha 192.0.2.10 10.20.1.1/24
host_state alpha wg.example.com $A_UUID n1lab 10.20.1.1/24 "$H/alpha.example.net/etc-wireguard" "$SITEKEY"

# refused WHAT EXPECTED-LINE CMD...: exit 1, exactly that one line on stderr, nothing changed
# (kernel state and the node's files)
refused() {
	local what=$1 want=$2 before after files rc=0
	shift 2
	before=$(node_state alpha n1lab)
	files=$(cd "$T/alpha" && find . -path ./wgrun -prune -o -path ./ro -prune -o -print 2>/dev/null | sort)
	"$@" >"$T/out" 2>"$T/err" || rc=$?
	after=$(node_state alpha n1lab)
	expect_eq "$what: refused" 1 "$rc"
	expect_eq "$what: says why in one line" "$want" "$(grep -v 'carries no serial' "$T/err")"
	expect_eq "$what: nothing changed" "$before" "$after"
	expect_eq "$what: no file made" "$files" "$(cd "$T/alpha" && find . -path ./wgrun -prune -o -path ./ro -prune -o -print 2>/dev/null | sort)"
	expect_eq "$what: no namespace made" "" "$(ip netns list | awk '$1 == "n1lab" || $1 == "tester"')"
}

# --- write targets (the namespace is not there yet: any change would show) ---
mkdir -p "$T/alpha/bird" "$T/alpha/nft" "$T/alpha/hooks"
touch "$T/alpha/afile"
refused "nft directory under a file" \
	"wgmesh-net: error: cannot write into $T/alpha/afile/nft ($T/alpha/afile: Not a directory); fix that or give another --nft-dir DIR" \
	net alpha --nft-dir "$T/alpha/afile/nft" apply "$REC"
mkdir -p "$T/alpha/ro"
mount --bind "$T/alpha/ro" "$T/alpha/ro"
mount -o remount,bind,ro "$T/alpha/ro"
refused "BIRD directory on a read-only mount" \
	"wgmesh-net: error: cannot write into $T/alpha/ro/bird ($T/alpha/ro: Read-only file system); fix that or give another --bird-dir DIR" \
	net alpha --bird-dir "$T/alpha/ro/bird" apply "$REC"
mkdir -p "$T/alpha/nft/wgmesh-n1lab.nft"
refused "nftables file is a directory" \
	"wgmesh-net: error: cannot write $T/alpha/nft/wgmesh-n1lab.nft: it is not a regular file; remove it or give another --nft-dir DIR" \
	net alpha apply "$REC"
rmdir "$T/alpha/nft/wgmesh-n1lab.nft"
mount --bind "$T/alpha" "$T/alpha/ro"
mount -o remount,bind,ro "$T/alpha/ro"
refused "state directory (serial file) on a read-only mount" \
	"wgmesh-net: error: cannot write into $T/alpha/ro: Read-only file system; fix that or give another --state-dir DIR" \
	in_node alpha "$NET" --state-dir "$T/alpha/ro" --bird-dir "$T/alpha/bird" --nft-dir "$T/alpha/nft" \
	--hook-dir "$T/alpha/hooks" apply "$REC"
umount "$T/alpha/ro"; umount "$T/alpha/ro"

# --- interfaces the host state names ---
sed -i 's/interface_public: eth0/interface_public: eth9/' "$STATE"
refused "public interface that does not exist" \
	"wgmesh-net: error: public interface eth9 (interface_public in $STATE) does not exist: name the right one with wgconfig -i IFACE" \
	net alpha apply "$REC"
sed -i 's/interface_public: eth9/interface_public: eth0/; s/interface_trust: lan0/interface_trust: lan9/' "$STATE"
refused "trust interface that does not exist" \
	"wgmesh-net: error: trust interface lan9 (interface_trust in $STATE) is in neither the underlay nor namespace n1lab: name the right one with wgconfig -T IFACE" \
	net alpha apply "$REC"
sed -i 's/interface_trust: lan9/interface_trust: lan0/; s/interface_outbound: .*/interface_outbound: lanpeer/' "$STATE"
refused "veth name taken by another interface" \
	"wgmesh-net: error: veth name lanpeer is taken by another interface: pick a free name with wgconfig -o NAME" \
	net alpha apply "$REC"
sed -i "s/interface_outbound: .*/interface_outbound: ''/" "$STATE"

# --- the DNS fetcher's user, checked before anything starts ---
refused "unknown --dnsfetch-user" \
	"wgmesh-net: error: --dnsfetch-user \"nosuchuser\": no such user; give an existing unprivileged user (default nobody)" \
	net alpha --dnsfetch-user nosuchuser --dns 192.0.2.53 up wg.example.com

# --- --bfd-interval outside 10..10000 ms, refused before anything starts ---
refused "--bfd-interval too short" \
	"wgmesh-net: error: --bfd-interval \"5\": give milliseconds between 10 and 10000 (a link is down after 5 missed)" \
	net alpha --bfd-interval 5 apply "$REC"
refused "--bfd-interval not a number" \
	"wgmesh-net: error: --bfd-interval \"200ms\": give milliseconds between 10 and 10000 (a link is down after 5 missed)" \
	net alpha --bfd-interval 200ms apply "$REC"

# --- a missing firewall directory is made (0755 whatever the umask), the mesh is built whole ---
rm -rf "$T/alpha/newdir"
(umask 077 && net alpha --nft-dir "$T/alpha/newdir/nft" apply "$REC") >"$T/out" 2>"$T/err" ||
	fail "apply with a missing nft directory: $(cat "$T/err")"
expect_eq "nft directory made 0755" "755 755" "$(stat -c %a "$T/alpha/newdir" "$T/alpha/newdir/nft" 2>&1 | paste -sd' ')"
expect_eq "nft file written" "yes" "$([ -s "$T/alpha/newdir/nft/wgmesh-n1lab.nft" ] && echo yes)"
expect_eq "mesh built" "wg2" "$(ip -n n1lab -o link show wg2 | awk -F': ' '{print $2}')"

# --- the trust interface up moved into the namespace still counts on a re-run ---
out=$(net alpha --nft-dir "$T/alpha/newdir/nft" apply "$REC" 2>"$T/err") || fail "re-apply: $(cat "$T/err")"
expect_eq "re-apply with the trust interface in the namespace" "0 changes" "$out"
expect_contains "BFD at the default 10 ms" "interval 10 ms;" "$(cat "$T/alpha/bird/bird_n1lab.conf")"

# --- --bfd-interval reaches BIRD's config and nothing else: the kernel is left as it is ---
before=$(node_state alpha n1lab)
out=$(net alpha --nft-dir "$T/alpha/newdir/nft" --bfd-interval 200 apply "$REC" 2>"$T/err") ||
	fail "apply --bfd-interval 200: $(cat "$T/err")"
expect_eq "--bfd-interval: the kernel untouched" "$before" "$(node_state alpha n1lab)"
expect_contains "--bfd-interval 200 in BIRD's config" "interval 200 ms;" "$(cat "$T/alpha/bird/bird_n1lab.conf")"
expect_contains "and its detection time in the header" "BFD: 200 ms x 5 = 1000 ms detection" "$(cat "$T/alpha/bird/bird_n1lab.conf")"
# wgconfig -T run again finds it there too
in_node alpha "$WGM_BUILD/site/wgconfig" -q --state-dir "$T/alpha" -l lab -P "$SITEKEY" -T lan0 \
	wg.example.com >"$T/out" 2>"$T/err" || fail "wgconfig -T lan0 after up: $(cat "$T/err")"
expect_eq "wgconfig -T with the trust interface in the namespace" "" "$(cat "$T/err")"
finish
