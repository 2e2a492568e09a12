#!/usr/bin/env bash
# Deploy data that must be refused with nothing changed: a forged box, a record under another
# site key, an octet clash, invalid addresses, a replayed serial; and a UDP port held by
# another process (the error names its pid). One node (alpha of the 1.0 fixture).
source "$(dirname "$0")/lib.sh"
SEAL=$WGM_BUILD/tests/netmgr/seal_record
SITE_SK=$WGM_FIXTURES/site/site.key
A_PUB=$H/alpha.example.net/etc-wireguard/lab_pub
B_KEY=$(cat "$H/beta.example.net/etc-wireguard/lab_pub")

make_internet
make_node alpha 192.0.2.10 10.20.1.1/24
host_state alpha wg.example.com $A_UUID n1lab 10.20.1.1/24 "$H/alpha.example.net/etc-wireguard" "$SITEKEY"

# deploy YAML for alpha; $1 extra peer block, $2 serial line, $3 octet, $4 prefix, $5 beta's remote
record() {
	cat <<YAML
kind: deploy
asn: 4200000000
site: wg.example.com
octet: ${3:-1}
portbase: 31000
remote: ${4:-fd42:7a3b:19c0::/48}
$2
hosts:
  beta.example.net:
    key: $B_KEY
    asn: 4200000001
    localport: 31002
    remoteport: 3100${3:-1}
    remote: ${5:-198.51.100.20}
$1
YAML
}
seal() { # name yaml -> record file path
	echo "$2" >"$T/$1.yaml"
	"$SEAL" "$SITE_SK" "$A_PUB" "$T/$1.yaml" >"$T/$1.txt"
	echo "$T/$1.txt"
}
GAMMA="  gamma.example.net:
    key: $SITEKEY
    asn: 4200000002
    localport: 31003
    remoteport: 31001
    remote: 198.51.100.30"

# refused NAME FILE EXPECTED-TEXT: apply fails, says why, and changes nothing
refused() {
	local before after rc=0
	before=$(node_state alpha n1lab)
	net alpha apply "$2" wg.example.com >"$T/out" 2>"$T/err" || rc=$?
	after=$(node_state alpha n1lab)
	expect_eq "$1: refused" 1 "$rc"
	expect_contains "$1: says why" "$3" "$(cat "$T/err")"
	expect_eq "$1: nothing changed" "$before" "$after"
}

good=$(seal good "$(record "" "serial: 200")")
# a failure part way (the WireGuard implementation cannot start): what was built is undone
# (the userspace back end is forced, so this fails the same where the kernel has WireGuard)
before=$(node_state alpha n1lab)
WGM_WG_BACKEND=userspace WG_USERSPACE_IMPLEMENTATION=/nonexistent/wireguard-go net alpha apply "$good" wg.example.com \
	>"$T/out" 2>"$T/err" && fail "apply with a broken WireGuard implementation succeeded"
expect_contains "a failure part way says what was rolled back" "rolled back" "$(cat "$T/err")"
expect_eq "a failure part way leaves the node as found" "$before" "$(node_state alpha n1lab)"
expect_eq "no serial stored after a failure" "" "$(cat "$T/alpha/wg.example.com.serial" 2>/dev/null)"

net alpha apply "$good" wg.example.com >"$T/out" 2>"$T/err" || fail "apply of a good record: $(cat "$T/err")"
expect_eq "serial stored" 200 "$(cat "$T/alpha/wg.example.com.serial")"

# a forged box: one character of the sealed payload changed
# (the third character of line 2 becomes another base64 letter, whatever it was)
sed '2{s/^\(..\)A/\1#/; s/^\(..\)[^#]/\1A/; s/^\(..\)#/\1B/}' "$good" >"$T/forged.txt"
cmp -s "$good" "$T/forged.txt" && fail "the forged record is not different"
refused "forged box" "$T/forged.txt" "forged"

# sealed by another site key (the fixture's 1.0 record is fine; pin another site key)
sed -i "s|public_key: $SITEKEY|public_key: $B_KEY|" "$T/alpha/wg.example.com.yaml"
refused "wrong site key" "$R/$A_UUID.wg.example.com.txt" "forged"
sed -i "s|public_key: $B_KEY|public_key: $SITEKEY|" "$T/alpha/wg.example.com.yaml"

refused "octet clash" "$(seal clash "$(record "" "serial: 300" 2)")" "octet"
refused "invalid site prefix" "$(seal badprefix "$(record "" "serial: 300" 1 "fd42:zz::/48")")" "fd42:zz::/48"
refused "invalid peer address" "$(seal badaddr "$(record "" "serial: 300" 1 "" "198.51.100.999")")" "198.51.100.999"
refused "replayed serial" "$(seal old "$(record "" "serial: 100")")" "older"
# the applied serial with other content (beta moved): a swapped record, refused; the same
# content sealed again (a fresh nonce) is the same record and goes through
refused "equal serial, other content" "$(seal swapped "$(record "" "serial: 200" 1 "" "198.51.100.21")")" "serial 200 is the one applied, but its content differs"
net alpha apply "$(seal again "$(record "" "serial: 200")")" wg.example.com >"$T/out" 2>"$T/err" ||
	fail "the applied record sealed again: $(cat "$T/err")"
expect_eq "the applied record sealed again: 0 changes" "0 changes" "$(cat "$T/out")"

# Node a's registration, box(host_sk, site_pk), opens with the same key as its deploy record,
# box(site_sk, host_pk): replayed as the record, it is refused as what it is.
reg_as_record() { # MESSAGE -> the registration's box as record file lines
	python3 -c '
import base64, sys, yaml
outer = yaml.safe_load(base64.b64decode(sys.argv[1]))
box = base64.b64decode(outer["message"])
for i, line in enumerate(base64.encodebytes(box).decode().split()):
    print("%d:%s" % (i, line))' "$1"
}
reg_as_record "$(cat "$H/alpha.example.net.registration")" >"$T/reg10.txt"
refused "1.0's registration of alpha replayed as its record" "$T/reg10.txt" "a registration replayed as a record"
FORGE=$WGM_BUILD/tests/site/forge_registration
reg_as_record "$("$FORGE" "$SITEKEY" "$A_UUID" alpha.example.net 192.0.2.10 /etc/wireguard/lab_pub \
	"$H/alpha.example.net/etc-wireguard/lab_priv")" >"$T/reg.txt"
refused "our registration of alpha replayed as its record" "$T/reg.txt" "'kind' is 'registration', not 'deploy'"

# a UDP port held by another process: the new peer's device is not built, the error names it
ip netns exec alpha python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 31003))
print("bound", flush=True)
time.sleep(120)' >"$T/holder.out" &
holder=$!
for i in $(seq 1 50); do grep -q bound "$T/holder.out" 2>/dev/null && break; sleep 0.1; done
refused "port conflict" "$(seal gamma "$(record "$GAMMA" "serial: 300")")" "UDP port 31003 is held by pid $holder (python3)"
kill "$holder"; wait "$holder" 2>/dev/null || true
# with the port free again the same record goes through and adds only wg3
net alpha apply "$T/gamma.txt" wg.example.com >"$T/out" 2>"$T/err" || fail "apply after the port is free: $(cat "$T/err")"
expect_eq "wg3 added" "wg3" "$(ip -n n1lab -o link show wg3 | awk -F': ' '{print $2}')"
# The host key through a symbolic link, and a host key owned by nobody: refused in one line
# naming the file and the fix, the key left as it was (not tightened).
mv "$T/alpha/lab_priv" "$T/alpha/real_priv"
ln -s "$T/alpha/real_priv" "$T/alpha/lab_priv"
refused "a symlinked host key" "$T/gamma.txt" "host key $T/alpha/lab_priv is a symbolic link: refused"
expect_eq "a symlinked host key: one line" 1 "$(wc -l <"$T/err")"
rm "$T/alpha/lab_priv"; mv "$T/alpha/real_priv" "$T/alpha/lab_priv"
chown nobody "$T/alpha/lab_priv"; chmod 0644 "$T/alpha/lab_priv"
refused "a host key owned by nobody" "$T/gamma.txt" "host key $T/alpha/lab_priv is owned by uid 65534, who could rewrite it: refused; chown root"
expect_eq "a host key owned by nobody: one line" 1 "$(wc -l <"$T/err")"
expect_eq "a host key owned by nobody: not tightened" 644 "$(stat -c %a "$T/alpha/lab_priv")"
chown root "$T/alpha/lab_priv"; chmod 0600 "$T/alpha/lab_priv"
finish
