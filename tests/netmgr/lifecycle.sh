#!/usr/bin/env bash
# up's hooks and the tester namespace over a node's life. Hooks run after an up that changed
# something, and also after a quiet up when they have not run this boot (a fresh /run), when
# they failed last time, or when they were added or edited; a quiet up otherwise runs none.
# `down` takes the tester namespace with it, even while something (BIRD, here a sleep) keeps the
# old private namespace alive; `tester up` converges on a tester namespace left half built.
source "$(dirname "$0")/lib.sh"
REC=$R/$A_UUID.wg.example.com.txt
holder=
trap '[ -z "$holder" ] || kill "$holder" 2>/dev/null; cleanup' EXIT

make_internet
make_node alpha 192.0.2.10 10.20.1.1/24
host_state alpha wg.example.com $A_UUID n1lab 10.20.1.1/24 "$H/alpha.example.net/etc-wireguard" "$SITEKEY"
mkdir -p "$T/alpha/hooks"
cat >"$T/alpha/hooks/10-log" <<HOOK
#!/bin/sh
echo "\$1 \$WGM_NETNS \$WGM_OCTET" >>"$T/hooks.log"
HOOK
chmod +x "$T/alpha/hooks/10-log"
ran() { cat "$T/hooks.log" 2>/dev/null | wc -l; }
up() { net alpha apply "$REC" >"$T/out" 2>"$T/err"; }

up || fail "first up: $(cat "$T/err")"
expect_eq "first up runs the hooks" "up n1lab 1" "$(cat "$T/hooks.log")"
up || fail "quiet up: $(cat "$T/err")"
expect_eq "a quiet up: 0 changes" "0 changes" "$(cat "$T/out")"
expect_eq "a quiet up runs no hook" 1 "$(ran)"

# a reboot empties /run: the first up of the boot runs them though nothing changed
mount -t tmpfs wgm-boot /run/wgmesh
up || fail "first up of a boot: $(cat "$T/err")"
expect_eq "first up of a boot: 0 changes" "0 changes" "$(cat "$T/out")"
expect_eq "first up of a boot runs the hooks" 2 "$(ran)"

# a failing hook: up says so; once fixed, the next (quiet) up runs the hooks again
printf '#!/bin/sh\nexit 3\n' >"$T/alpha/hooks/20-fail"
chmod +x "$T/alpha/hooks/20-fail"
rc=0; up || rc=$?
expect_eq "a failing hook fails up" 1 "$rc"
expect_contains "up names the hook directory" "a hook in $T/alpha/hooks failed" "$(cat "$T/err")"
expect_eq "an added hook runs at the next up" 3 "$(ran)"
printf '#!/bin/sh\nexit 0\n' >"$T/alpha/hooks/20-fail"
up || fail "up after the hook was fixed: $(cat "$T/err")"
expect_eq "after a failure the hooks run again" 4 "$(ran)"
up || fail "quiet up: $(cat "$T/err")"
expect_eq "then a quiet up runs none" 4 "$(ran)"

# tester up; something holds the private namespace (as a BIRD started in it does); down
net alpha tester up wg.example.com >"$T/out" 2>"$T/err" || fail "tester up: $(cat "$T/err")"
if ip netns exec tester ping -c1 -W2 192.168.101.1 >/dev/null; then pass "tester reaches the private namespace"; else fail "tester cannot ping 192.168.101.1"; fi
ip netns exec n1lab sleep 300 &
holder=$!
net alpha down wg.example.com >"$T/out" 2>"$T/err" || fail "down: $(cat "$T/err")"
expect_eq "down runs the down hooks" "down n1lab 1" "$(tail -n1 "$T/hooks.log")"
expect_eq "down removes the tester namespace" "" "$(ip netns list | awk '$1 == "tester"')"
up || fail "up after down: $(cat "$T/err")"
expect_eq "up after down runs the hooks" "up n1lab 1" "$(tail -n1 "$T/hooks.log")"
net alpha tester up wg.example.com >"$T/out" 2>"$T/err" || fail "tester up after down and up: $(cat "$T/err")"
if ip netns exec tester ping -c1 -W2 192.168.101.1 >/dev/null; then pass "tester works after down and up"; else fail "tester cannot ping 192.168.101.1 after down and up"; fi

# a tester namespace left half built: its tester1 is paired with a namespace that is gone
# from /run/netns but still alive
net alpha tester down wg.example.com >"$T/out" 2>"$T/err" || fail "tester down: $(cat "$T/err")"
ip netns add tester
ip netns add zombie
ip -n zombie link add tester1 type veth peer name tester1 netns tester
ip netns exec zombie sleep 300 &
zombie=$!
ip netns del zombie
net alpha tester up wg.example.com >"$T/out" 2>"$T/err" || fail "tester up on a half-built tester namespace: $(cat "$T/err")"
if ip netns exec tester ping -c1 -W2 192.168.101.1 >/dev/null; then pass "tester up converged"; else fail "tester cannot ping 192.168.101.1 after converging"; fi
kill "$zombie" 2>/dev/null || true
finish
