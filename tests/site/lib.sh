# Shared by the site command tests (source it after `set -eu`). Needs WGM_BUILD and
# WGM_FIXTURES in the environment; makes $T, a temporary directory removed on exit.

WGSITE=$WGM_BUILD/site/wgsite
WGPUB=$WGM_BUILD/site/wgpub
WGHOST=$WGM_BUILD/site/wghost
WGCONFIG=$WGM_BUILD/site/wgconfig
DEPLOY_CHECK=$WGM_BUILD/tests/site/deploy_check
FIX=$WGM_FIXTURES

T=$(mktemp -d)
L=$(mktemp -d) # command output of expect_bad_input, outside the trees it watches
chmod 0755 "$T"
cleanup() { rm -rf "$T" "$L"; }
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# assert_eq WHAT EXPECTED GOT
assert_eq() {
	if [ "$2" != "$3" ]; then
		printf 'FAIL: %s\n  expected: %s\n  got:      %s\n' "$1" "$2" "$3" >&2
		exit 1
	fi
	echo "ok: $1"
}

# assert_match WHAT REGEX TEXT
assert_match() {
	if ! printf '%s\n' "$3" | grep -Eq -- "$2"; then
		printf 'FAIL: %s\n  expected to match: %s\n  got: %s\n' "$1" "$2" "$3" >&2
		exit 1
	fi
	echo "ok: $1"
}

# assert_contains WHAT FIXED_TEXT TEXT
assert_contains() {
	if ! printf '%s\n' "$3" | grep -Fq -- "$2"; then
		printf 'FAIL: %s\n  expected to contain: %s\n  got: %s\n' "$1" "$2" "$3" >&2
		exit 1
	fi
	echo "ok: $1"
}

# Every file under DIR with its hash, and the names of the entries: any change shows.
snapshot() {
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum && find . | sort)
}

# expect_bad_input WHAT DIR CMD...: CMD must fail with exactly one line on stderr, and nothing
# under DIR may change.
expect_bad_input() {
	local what=$1 dir=$2 before after rc=0
	shift 2
	before=$(snapshot "$dir")
	"$@" >"$L/bad.out" 2>"$L/bad.err" || rc=$?
	after=$(snapshot "$dir")
	[ "$rc" -ne 0 ] || fail "$what: expected a non-zero exit, got 0 (stdout: $(cat "$L/bad.out"))"
	assert_eq "$what: one line on stderr ($(cat "$L/bad.err"))" 1 "$(wc -l <"$L/bad.err")"
	assert_eq "$what: files unchanged" "$before" "$after"
	echo "   message: $(cat "$L/bad.err")"
}

site_pub() { sed -n 's/^  publickey: //p' "$1"; }

# register_host SITEFILE STATEDIR HOSTNAME ADDR...: wgconfig -l -P + wghost -a; prints the
# registration message.
register_host() {
	local site=$1 state=$2 name=$3 locus domain args=() a
	shift 3
	domain=$(sed -n 's/^  domain: //p' "$site")
	locus=$(sed -n 's/^  locus: //p' "$site")
	for a in "$@"; do args+=(-a "$a"); done
	"$WGCONFIG" -q --state-dir "$state" -l "$locus" -P "$(site_pub "$site")" "$domain" >/dev/null
	"$WGHOST" -q --state-dir "$state" -h "$name" "${args[@]}" "$domain" |
		sed -n 's/^Message to Home: //p'
}

# host_field SITEFILE HOSTNAME FIELD: a host's scalar field, with 1.0's quotes removed. One
# python run per version of the file (cached by its hash): the tests ask many fields.
host_field() {
	local sum cache
	sum=$(sha256sum <"$1" | cut -c1-16)
	cache=$L/hosts.$sum
	if [ ! -f "$cache" ]; then
		python3 - "$1" >"$cache.tmp" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
for name, h in (doc.get("hosts") or {}).items():
    for k, v in h.items():
        if isinstance(v, list):
            v = ",".join(x for x in v if x)
        print("%s\t%s\t%s" % (name, k, v))
PY
		mv "$cache.tmp" "$cache"
	fi
	awk -F '\t' -v h="$2" -v f="$3" '$1 == h && $2 == f { print $3 }' "$cache"
}
