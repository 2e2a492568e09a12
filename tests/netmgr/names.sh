#!/usr/bin/env bash
# Names at their edges through up, verify, tester and down: the longest locus a namespace
# takes (its veth names cut to 12 bytes of it), the longest locus kept whole, odd but valid
# characters, 1.0's "private" namespace with its wg2 and tester1. For each: what up built is
# exactly what verify inspects and what down removes; nothing is left, and the links and
# namespace of someone else, named like ours, are not touched. Names the rules refuse are
# refused before anything is built, and so is a second mesh on the node under the first one's
# names. One node (alpha of the 1.0 fixture), peer beta = wg2.
source "$(dirname "$0")/lib.sh"
REC=$R/$A_UUID.wg.example.com.txt
KEYS=$H/alpha.example.net/etc-wireguard
L63=$(printf 'l%.0s' $(seq 1 62))x # 63 bytes, the longest namespace name
holder=
trap '[ -z "$holder" ] || kill "$holder" 2>/dev/null; cleanup' EXIT

make_internet
make_node alpha 192.0.2.10 10.20.1.1/24
echo wg.example.com >"$T/alpha/.domain"
install -m 0600 "$KEYS/lab_priv" "$T/alpha/lab_priv"
install -m 0644 "$KEYS/lab_pub" "$T/alpha/lab_pub"

# state LOCUS NETNS OUTBOUND: alpha's host state with these names
state() {
	cat >"$T/alpha/wg.example.com.yaml" <<YAML
host:
  cmdfping: /usr/sbin/fping
  hostname: alpha.example.net
  interface_outbound: '$3'
  interface_public: eth0
  interface_trust: lan0
  interface_trust_ip: 10.20.1.1/24
  private_key_file: $T/alpha/lab_priv
  public_key_file: $T/alpha/lab_pub
  uuid: $A_UUID
  firewall: nftables
  netns: '$2'
site:
  locus: '$1'
  public_key: $SITEKEY
YAML
}

links() { ip -n "$1" -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | sort; }
namespaces() { ip netns list | awk '{print $1}' | sort; }
# verify's JSON detail of one check
detail() { python3 -c '
import json, sys
for c in json.load(sys.stdin)["checks"]:
    if c["check"] == sys.argv[1]:
        print(c["detail"])' "$1"; }

# Someone else's: a namespace and an underlay veth named like ours but not of this mesh.
ip netns add lab-other
ip -n alpha link add ve-lab-other type veth peer name vi-lab-other netns lab-other
ip -n lab-other link add wg7 type bridge
foreign() { links lab-other; ip -n lab-other addr show | grep -v valid_lft; }
foreign_before=$(foreign)

# names LOCUS NETNS OUTBOUND WANT_NS WANT_OUTER WANT_INNER: one round; the wanted names are
# written out here, not derived by the code under test
names() {
	local locus=$1 netns=$2 outbound=$3 ns=$4 outer=$5 inner=$6 tag="[$1${2:+/$2}]" json
	local under_before built
	state "$locus" "$netns" "$outbound"
	under_before=$(snapshot alpha)
	net alpha apply "$REC" >"$T/out" 2>"$T/err" || { fail "$tag up: $(cat "$T/err")"; return; }
	expect_eq "$tag up made the namespace" "$ns" "$(namespaces | grep -vx -e alpha -e "$INET" -e lab-other || true)"
	expect_eq "$tag up made the outer veth end" "$outer" "$(links alpha | grep -x -- "$outer")"
	built=$(links "$ns")
	expect_eq "$tag up built, in $ns" "$(printf '%s\n' lan0 lo "$inner" wg2 | sort)" "$built"

	net alpha tester up wg.example.com >"$T/out" 2>"$T/err" || fail "$tag tester up: $(cat "$T/err")"
	expect_eq "$tag tester1 in $ns" tester1 "$(links "$ns" | grep -x tester1)"
	expect_eq "$tag tester1 in tester" "lo tester1" "$(links tester | tr '\n' ' ' | sed 's/ $//')"

	json=$(net alpha verify --json wg.example.com 2>"$T/err") || true
	expect_eq "$tag verify inspects the namespace up made" "$ns exists" "$(detail namespace <<<"$json")"
	expect_eq "$tag verify inspects the veth up made" "$outer and $inner up" "$(detail 'veth present' <<<"$json")"
	expect_eq "$tag verify inspects wg2" up "$(detail 'wg2 up' <<<"$json")"
	expect_eq "$tag verify counts the devices up made" 1 "$(detail 'wireguard devices' <<<"$json" | cut -d' ' -f1)"

	# something holds the namespace through down (as a BIRD started in it does), so what down
	# does not delete by name stays, the veth included
	ip netns exec "$ns" sleep 300 &
	holder=$!
	net alpha down wg.example.com >"$T/out" 2>"$T/err" || fail "$tag down: $(cat "$T/err")"
	expect_eq "$tag down left no namespace" "" "$(namespaces | grep -vx -e alpha -e "$INET" -e lab-other || true)"
	expect_eq "$tag down gave the underlay back as it was" "$under_before" "$(snapshot alpha)"
	kill "$holder"
	wait "$holder" 2>/dev/null || true
	holder=
	expect_eq "$tag down left someone else's namespace alone" "$foreign_before" "$(foreign)"
	rm -f "$T/alpha/wg.example.com.serial"
}

names private private '' private ve-private vi-private
names "$L63" '' '' "$L63" ve-llllllllllll vi-llllllllllll
names twelve_chars '' '' twelve_chars ve-twelve_chars vi-twelve_chars
names a.b-c_d '' '' a.b-c_d ve-a.b-c_d vi-a.b-c_d
names lab 'n_1.lab-x' 've0.lab_x-y' n_1.lab-x ve0.lab_x-y vi-lab

# refused NAME LOCUS NETNS OUTBOUND TEXT: refused in one line naming the value, nothing built
refused() {
	local before rc=0
	state "$2" "$3" "$4"
	before=$(snapshot alpha; namespaces)
	net alpha apply "$REC" >"$T/out" 2>"$T/err" || rc=$?
	expect_eq "$1: refused" 1 "$rc"
	expect_eq "$1: one error line" 1 "$(grep -vc ': warning: ' "$T/err")"
	expect_contains "$1: names it" "$5" "$(cat "$T/err")"
	expect_eq "$1: nothing built" "$before" "$(snapshot alpha; namespaces)"
}
refused "a locus one byte too long" "${L63}y" '' '' "'locus' is 64 characters long, the limit is 63"
refused "a namespace one byte too long" lab "${L63}y" '' "'netns' is '${L63}y', longer than 63"
refused "a namespace that reads as an option" lab '-lab' '' "'-lab'"
refused "a namespace BIRD's files cannot carry" lab 'la"b' '' 'la"b'
refused "the tester namespace's name" tester '' '' "'tester'"
refused "outbound named like the inner end" lab '' vi-lab "vi-lab"
refused "outbound too long for the kernel" lab '' sixteen-chars-xx "sixteen-chars-xx"
refused "an outbound with a colon" lab '' 'eth0:1' "eth0:1"

# Two meshes on the node: the names are one per node. The second may not build under the
# first's namespace or underlay veth (it would take over the one, delete the other as a lone
# end of its own); the first is left as it was.
SEAL=$WGM_BUILD/tests/netmgr/seal_record
B_KEY=$(cat "$H/beta.example.net/etc-wireguard/lab_pub")
cat >"$T/two.yaml" <<YAML
asn: 4200000000
site: wg2.example.com
octet: 1
portbase: 32000
remote: fd42:7a3b:19c1::/48
hosts:
  beta.example.net:
    key: $B_KEY
    asn: 4200000001
    localport: 32002
    remoteport: 32001
    remote: 198.51.100.20
YAML
"$SEAL" "$WGM_FIXTURES/site/site.key" "$KEYS/lab_pub" "$T/two.yaml" >"$T/two.txt"
# second LOCUS NETNS OUTBOUND TEXT: wg2.example.com beside the running wg.example.com
second() {
	local before rc=0
	sed -e "s/^  locus: .*/  locus: '$1'/; s/^  netns: .*/  netns: '$2'/" \
		-e "s/^  interface_outbound: .*/  interface_outbound: '$3'/" \
		-e "s/^  interface_trust: .*/  interface_trust: ''/; s/^  interface_trust_ip: .*/  interface_trust_ip: ''/" \
		"$T/alpha/wg.example.com.yaml" >"$T/alpha/wg2.example.com.yaml"
	before=$(snapshot alpha; namespaces; links averyverylongA)
	net alpha apply "$T/two.txt" wg2.example.com >"$T/out" 2>"$T/err" || rc=$?
	expect_eq "second mesh [$1${2:+/$2}]: refused" 1 "$rc"
	expect_contains "second mesh [$1${2:+/$2}]: says whose" "$4" "$(cat "$T/err")"
	expect_eq "second mesh [$1${2:+/$2}]: the first is as it was" "$before" "$(snapshot alpha; namespaces; links averyverylongA)"
}
state averyverylongA '' ''
net alpha apply "$REC" >"$T/out" 2>"$T/err" || fail "first mesh up: $(cat "$T/err")"
second averyverylongB '' '' "veth name ve-averyverylon is mesh wg.example.com's too ($T/alpha/wg.example.com.yaml): give one of them another with wgconfig -o NAME"
second lab averyverylongA '' "namespace averyverylongA is mesh wg.example.com's too"
rm "$T/alpha/wg2.example.com.yaml"
net alpha down wg.example.com >"$T/out" 2>"$T/err" || fail "first mesh down: $(cat "$T/err")"

finish
