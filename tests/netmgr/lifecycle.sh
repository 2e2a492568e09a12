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

# Hooks run as root: one that another user could write is refused, named in one line, and the
# other hooks still run. Each bad hook would leave $T/evil behind if it ran.
evil_hook() { printf '#!/bin/sh\ntouch %s/evil\n' "$T" >"$1"; chmod 0755 "$1"; }
refused() { # WHAT HOOK-NAME WHY: up fails, names HOOK and WHY, the bad hook did not run, 10-log did
	local before
	before=$(ran)
	rc=0; up || rc=$?
	expect_eq "$1: up fails" 1 "$rc"
	expect_eq "$1: named in one line" 1 "$(grep -cF "hook $T/alpha/hooks/$2 is" "$T/err")"
	expect_contains "$1: says why" "$3" "$(cat "$T/err")"
	expect_eq "$1: the refused hook did not run" no "$([ -e "$T/evil" ] && echo yes || echo no)"
	expect_eq "$1: the other hooks ran" $((before + 1)) "$(ran)"
	rm -f "$T/alpha/hooks/$2" "$T/evil"
}
evil_hook "$T/alpha/hooks/30-nobody"; chown nobody "$T/alpha/hooks/30-nobody"
refused "a hook owned by nobody" 30-nobody "owned by another user"
evil_hook "$T/alpha/hooks/30-open"; chmod 0777 "$T/alpha/hooks/30-open"
refused "a 0777 hook" 30-open "writable by group or others"
evil_hook "$T/evil.sh"
ln -s "$T/evil.sh" "$T/alpha/hooks/30-link"
refused "a symlinked hook" 30-link "a symbolic link"
chmod 0777 "$T/alpha/hooks"
before=$(ran)
rc=0; up || rc=$?
expect_eq "a hook directory others may write: up fails" 1 "$rc"
expect_contains "a hook directory others may write: named" "hook directory $T/alpha/hooks is writable by group or others: no hook runs" "$(cat "$T/err")"
expect_eq "a hook directory others may write: no hook ran" "$before" "$(ran)"
chmod 0755 "$T/alpha/hooks"
up || fail "up once the hooks are mended: $(cat "$T/err")"
expect_eq "once mended the hooks run again" $((before + 1)) "$(ran)"

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
