#!/usr/bin/env bash
# The bash completion, driven as bash does it: bash-completion's own loader finds our file by
# the command's name (an installed-like completions directory of links, as completion/
# meson.build installs them), then each case sets COMP_WORDS/COMP_CWORD, calls the function
# `complete -p` names, and compares COMPREPLY. Domains come from a temporary state dir (given
# with --state-dir), hosts from a temporary site file made by wgsite itself.
# usage: completion.sh SOURCE_ROOT BUILD_ROOT
set -u
. "$(dirname "$0")/../lib/assert.sh"
src=$(realpath "$1") build=$(realpath "$2")
bc=/usr/share/bash-completion/bash_completion
[ -r "$bc" ] || { echo "SKIP: no bash-completion (Debian package bash-completion)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The programs under their installed names, first in PATH.
mkdir -p "$tmp/bin" "$tmp/completions" "$tmp/state" "$tmp/site"
for p in site/wgsite site/wgpub site/wgconfig site/wghost netmgr/wgmesh-net; do
	ln -s "$build/$p" "$tmp/bin/${p##*/}"
done
ln -s "$build/netmgr/wgmesh-net" "$tmp/bin/wgdeploy"
export PATH=$tmp/bin:$PATH
ln -s "$src/completion/wgmesh-node.bash" "$tmp/completions/wgmesh-net"
ln -s "$src/completion/wgmesh-site.bash" "$tmp/completions/wgsite"
for c in wgdeploy wgconfig wghost; do ln -s wgmesh-net "$tmp/completions/$c"; done
ln -s wgsite "$tmp/completions/wgpub"

# Two host state files and a YAML file that is no host state.
for d in a.example.com b.example.net; do
	printf 'host:\n  hostname: n1\n  uuid: 6fc94b76-f857-4dce-942c-47df480cdda3\nsite:\n  locus: lab\n' >"$tmp/state/$d.yaml"
done
printf 'global:\n  domain: x\n' >"$tmp/state/other.yaml"
# A site with three hosts, one of them removed, made by the commands themselves.
cd "$tmp/site" || exit 1
wgsite init site.yaml --domain mesh.example.com --locus lab --ipv6 fd00:1::/48 -q >/dev/null ||
	{ die "wgsite init"; }
python3 - site.yaml <<'PY' || { die "adding hosts"; }
import sys
p = sys.argv[1]
s = open(p).read().replace("hosts: {}\n", "")
s += "hosts:\n"
for i, (h, extra) in enumerate([("alpha.example.net", ""), ("beta.example.net", "    removed: 1700000000\n"), ("gamma.example.net", "")], 1):
    s += f"  {h}:\n    uuid: 6fc94b76-f857-4dce-942c-47df480cdd{i:02d}\n    octet: {i}\n    asn: {64511 + i}\n    public_key: oIwRpzTI6xcTzOpfnJINaF/zp7iE7to8CGmXb9EAbhQ=\n    local_ipv4: [192.0.2.{i}]\n    local_ipv6: []\n{extra}"
open(p, "w").write(s)
PY
wgsite list site.yaml >/dev/null 2>&1 || { die "wgsite list of the test site: $(wgsite list site.yaml 2>&1)"; }
mkdir records
# Another site file, outside this directory, where alpha is removed too.
cp site.yaml ../other.yaml
wgsite remove alpha.example.net ../other.yaml >/dev/null || { die "wgsite remove"; }

export BASH_COMPLETION_USER_DIR=$tmp
# shellcheck disable=SC1090
source "$bc"
# bash-completion's functions are written for neither nounset nor an ERR trap: from here on,
# failures are the cases' own FAIL lines.
set +Eu
trap - ERR

# completions CMD-LINE-WORDS...: what COMPREPLY holds (sorted, one line, space-separated), the
# cursor on the last word (which may be empty: a TAB after a blank), or on word $AT.
completions() {
	local fn
	COMP_WORDS=("$@")
	COMP_CWORD=${AT:-$((${#COMP_WORDS[@]} - 1))}
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	complete -p "$1" >/dev/null 2>&1 || _completion_loader "$1"
	fn=$(complete -p "$1" 2>/dev/null | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
	[ -n "$fn" ] || { echo "(no completion function for $1)"; return 1; }
	"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
# expect "WHAT" "EXPECTED WORDS (sorted, space-separated; may be empty)" CMD-LINE-WORDS...
expect() {
	local what=$1 want=$2
	shift 2
	expect_eq "$what: [$*]" "$want" "$(completions "$@")"
}
# contains "WHAT" "WORD..." CMD-LINE-WORDS...: COMPREPLY holds each WORD (and maybe more)
contains() {
	local what=$1 words=$2 w all
	shift 2
	all=$(completions "$@")
	for w in $words; do
		[[ " $all " == *" $w "* ]] || { fail "$what: [$*] -> [$all] lacks $w"; return; }
	done
	pass "$what: [$*] has $words"
}

S=$tmp/state
expect "wgmesh-net commands" "apply bird-stop bird-stopped down drain retire-1.0 run status tester undrain up verify" wgmesh-net ""
expect "wgmesh-net a command by prefix" "verify" wgmesh-net ve
contains "wgmesh-net options" "--state-dir --dns --dry-run --json --metrics --bfd-interval --help" wgmesh-net -
expect "wgmesh-net verify: an option by prefix" "--metrics" wgmesh-net verify --me
expect "wgmesh-net up: domains of --state-dir" "a.example.com b.example.net" wgmesh-net --state-dir "$S" up ""
expect "wgmesh-net verify: a domain by prefix" "b.example.net" wgmesh-net verify --state-dir "$S" b
expect "wgmesh-net: after the domain, nothing" "" wgmesh-net --state-dir "$S" verify a.example.com ""
expect "wgmesh-net: an option's value is no command" "a.example.com b.example.net" wgmesh-net --bfd-interval 200 --state-dir "$S" run ""
expect "wgmesh-net tester: up or down" "down up" wgmesh-net tester ""
expect "wgmesh-net tester up: domains" "a.example.com b.example.net" wgmesh-net --state-dir "$S" tester up ""
expect "wgmesh-net apply: record files" "records" wgmesh-net apply rec
expect "wgmesh-net apply FILE: domains" "a.example.com b.example.net" wgmesh-net --state-dir "$S" apply records/x.txt ""
expect "wgmesh-net --state-dir: directories" "records" wgmesh-net --state-dir rec
expect "wgdeploy: domains" "a.example.com b.example.net" wgdeploy --state-dir "$S" ""
contains "wgdeploy: options" "--dry-run --state-dir" wgdeploy --
expect "wgconfig --firewall" "nftables none shorewall" wgconfig --firewall ""
contains "wgconfig -i: interfaces" "lo" wgconfig -i l
expect "wgconfig: domains" "a.example.com" wgconfig --state-dir "$S" -i lo -T lo a
contains "wghost options" "-a -n -h --state-dir" wghost -
expect "wghost -a takes a value: no domain there" "" wghost --state-dir "$S" -a ""
expect "wghost: domains" "a.example.com b.example.net" wghost --state-dir "$S" -n ""
expect "wgsite: commands and site files" "init list remove show site.yaml" wgsite ""
contains "wgsite options" "--dns --dry-run --route53-endpoint --state-dir -i" wgsite -
AT=2 expect "wgsite remove: active hosts of the site file on the line" "gamma.example.net" wgsite remove "" ../other.yaml
expect "wgsite remove --purge: removed hosts" "beta.example.net" wgsite remove --purge ""
expect "wgsite remove: hosts of this directory's site files" "alpha.example.net gamma.example.net" wgsite remove ""
expect "wgsite remove HOST: the site file" "site.yaml" wgsite remove alpha.example.net ""
expect "wgsite list: site files" "site.yaml" wgsite list ""
contains "wgpub options" "--zone-file --out-dir --rfc2136 --tsig-key --dry-run --serial" wgpub --
expect "wgpub --out-dir: directories" "records" wgpub --out-dir ""
expect "wgpub: site files" "site.yaml" wgpub --dry-run ""
# The state dir default is /etc/wireguard: with no --state-dir, only host state files there
# (whatever this machine has) are offered, never other.yaml-like files.
_completion_loader wgmesh-net # the cases ran in subshells: load it here too
got=$(COMP_WORDS=(wgmesh-net up ""); COMP_CWORD=2; _wgmesh_domains)
want=$(for f in /etc/wireguard/*.yaml; do [ -f "$f" ] && grep -q '^host:' "$f" && basename "$f" .yaml; done 2>/dev/null)
expect_eq "default state dir /etc/wireguard" "$want" "$got"
assert_exit
