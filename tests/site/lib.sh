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

. "$(dirname "${BASH_SOURCE[0]}")/../lib/assert.sh"

# Every file under DIR with its hash, and the names of the entries: any change shows.
snapshot() {
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum && find . | sort)
}

# expect_bad_input WHAT DIR CMD...: CMD must fail with exactly one line on stderr, and nothing
# under DIR may change.
expect_bad_input() {
	local what=$1 dir=$2 before
	shift 2
	before=$(snapshot "$dir")
	expect_fails_naming "$what" "" "$@"
	expect_eq "$what: files unchanged" "$before" "$(snapshot "$dir")"
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
