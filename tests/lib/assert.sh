# The one assertion library of the shell tests and selftests (bash; source it after `set -eu`).
#
# The rule: a failed assertion prints one "FAIL: WHAT: ..." line on stderr, is counted, and the
# test goes on (so one run shows every failure); it never changes the control flow, so it can be
# written as a plain statement under `set -e`. The test ends with `assert_exit`, which exits 1
# when anything failed. Only `die` stops at once: for a step the rest of the test needs (a
# daemon that did not start, a setup command that failed). A passed assertion prints "ok: WHAT".
#
# Every assertion takes WHAT first, then what is expected, then what was got:
#   expect_eq       WHAT EXPECTED GOT            exact text (a diff when it is long)
#   expect_match    WHAT REGEX GOT               grep -E
#   expect_contains WHAT NEEDLE HAYSTACK         grep -F
#   expect_lacks    WHAT NEEDLE HAYSTACK         grep -F, must not be there
#   expect_ok       WHAT CMD...                  exits 0 (its output shown when not)
#   expect_fails_naming WHAT NEEDLE CMD...       exits non-zero with exactly one line on
#                                                stderr containing NEEDLE ("" for any); the
#                                                line is left in $FAILED_LINE, the exit
#                                                status in $FAILED_RC
#   wait_for SECS WHAT CMD...                    polls CMD until it exits 0 (the pass says how
#                                                long it took); on timeout says what it waited
#                                                for and CMD's last output
#   wait_eq  SECS WHAT EXPECTED CMD...           polls until CMD prints exactly EXPECTED; on
#                                                timeout shows expected and last got
# `wait_or_die SECS WHAT CMD...` is wait_for for a step the rest needs (a timeout is a die),
# and `poll SECS CMD...` is the bare poll (every $POLL_INTERVAL s) (0 when CMD succeeded in time, 1 not; no verdict),
# for a condition: `if poll 10 route_in B 10.0.0.0/8; then ...`.
#
# Counts live in this shell: an assertion inside $(...) or a pipeline's subshell is not counted.
# An ERR trap names the line and command of an unexpected failure (`set -E` reaches functions);
# a cleanup that tolerates failures starts with `trap - ERR`. A test that has more to say when
# it dies (its daemons' logs) defines assert_on_die, which die calls before it exits.

# Sourced once: a second source (a library that needs these too) keeps the counts.
[ -z "${ASSERT_LOADED:-}" ] || return 0
ASSERT_LOADED=1

ASSERT_CHECKS=0
ASSERT_FAILURES=0
FAILED_LINE=
FAILED_RC=
# How often poll, wait_for and wait_eq look again, in seconds (a timing test may set less).
POLL_INTERVAL=${POLL_INTERVAL:-0.2}

set -E
trap 'assert_err_ $? "$BASH_COMMAND" "${BASH_SOURCE[0]}:$LINENO"' ERR

assert_err_() { # RC COMMAND WHERE
	echo "FAIL: $3: '$2' exited $1" >&2
}

pass() {
	ASSERT_CHECKS=$((ASSERT_CHECKS + 1))
	echo "ok: $*"
}

fail() {
	ASSERT_CHECKS=$((ASSERT_CHECKS + 1))
	ASSERT_FAILURES=$((ASSERT_FAILURES + 1))
	echo "FAIL: $*" >&2
}

die() {
	echo "FAIL: $*" >&2
	if declare -F assert_on_die >/dev/null; then assert_on_die || true; fi
	exit 1
}

# Ends the test: 1 when any assertion failed.
assert_exit() {
	echo "$ASSERT_CHECKS checks, $ASSERT_FAILURES failed"
	[ "$ASSERT_FAILURES" -eq 0 ] && exit 0
	exit 1
}

expect_eq() { # WHAT EXPECTED GOT
	if [ "$2" = "$3" ]; then
		pass "$1"
	elif [ "$(wc -l <<<"$2")" -gt 3 ] || [ "$(wc -l <<<"$3")" -gt 3 ]; then
		fail "$1: differs from what was expected (- expected, + got):
$(diff <(echo "$2") <(echo "$3") | grep '^[<>]' | sed 's/^</-/; s/^>/+/')"
	else
		fail "$1: expected [$2], got [$3]"
	fi
}

expect_match() { # WHAT REGEX GOT
	if grep -Eq -- "$2" <<<"$3"; then pass "$1"; else fail "$1: expected a match of [$2], got [$3]"; fi
}

expect_contains() { # WHAT NEEDLE HAYSTACK
	if grep -Fq -- "$2" <<<"$3"; then pass "$1"; else fail "$1: expected [$2] in [$3]"; fi
}

expect_lacks() { # WHAT NEEDLE HAYSTACK
	if grep -Fq -- "$2" <<<"$3"; then fail "$1: expected no [$2] in [$3]"; else pass "$1"; fi
}

expect_ok() { # WHAT CMD...
	local what=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then pass "$what"; else fail "$what: '$*' exited $rc: $out"; fi
}

# The project's rule for refusals: a non-zero exit and one line on stderr naming the value.
expect_fails_naming() { # WHAT NEEDLE CMD...
	local what=$1 needle=$2 err out rc=0
	shift 2
	err=$(mktemp)
	out=$("$@" 2>"$err") || rc=$?
	FAILED_LINE=$(cat "$err")
	FAILED_RC=$rc
	rm -f "$err"
	if [ "$rc" -eq 0 ]; then
		fail "$what: expected a failure, '$*' exited 0 (stdout [$out], stderr [$FAILED_LINE])"
	elif [ -z "$FAILED_LINE" ] || [ "$(wc -l <<<"$FAILED_LINE")" -ne 1 ]; then
		fail "$what: expected one line on stderr, got [$FAILED_LINE]"
	elif ! grep -Fq -- "$needle" <<<"$FAILED_LINE"; then
		fail "$what: the error does not name [$needle]: [$FAILED_LINE]"
	else
		pass "$what (exit $rc: $FAILED_LINE)"
	fi
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

poll() { # SECS CMD...: 0 as soon as CMD succeeds, 1 when SECS passed first
	local end=$(( $(now_ms) + $1 * 1000 ))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep "$POLL_INTERVAL"
	done
}

wait_for() { # SECS WHAT CMD...
	local secs=$1 what=$2 start
	shift 2
	start=$(now_ms)
	if poll "$secs" "$@"; then
		pass "$what ($(( $(now_ms) - start )) ms)"
	else
		fail "$what: not so after ${secs} s of waiting ('$*' last said: $("$@" 2>&1 | tail -3 | tr '\n' '|'))"
	fi
}

wait_or_die() { # SECS WHAT CMD...
	local secs=$1 what=$2 start
	shift 2
	start=$(now_ms)
	poll "$secs" "$@" || die "$what: not so after ${secs} s of waiting ('$*' last said: $("$@" 2>&1 | tail -3 | tr '\n' '|'))"
	pass "$what ($(( $(now_ms) - start )) ms)"
}

wait_eq() { # SECS WHAT EXPECTED CMD...
	local secs=$1 what=$2 want=$3 end got
	shift 3
	end=$((SECONDS + secs))
	while :; do
		got=$("$@" 2>&1) || true
		[ "$got" = "$want" ] && break
		[ "$SECONDS" -lt "$end" ] || break
		sleep "$POLL_INTERVAL"
	done
	expect_eq "$what (waited up to ${secs} s)" "$want" "$got"
}
