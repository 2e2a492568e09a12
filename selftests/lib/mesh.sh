# The README's workflow (README.md#the-workflow) through our real commands (source it after
# topo.sh; bash).
# Needs WGM_BUILD (the meson build dir) and TOPO_WORK. Site controller files live in
# $TOPO_WORK/site, node N's state in $TOPO_WORK/n<N>/{state,bird,shorewall,nft,hooks}.

# the source tree (tests/lib/bird-supervise.sh lives there)
MESH_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MESH_DOMAIN=${MESH_DOMAIN:-mesh.example.com}
MESH_LOCUS=${MESH_LOCUS:-mesh}
MESH_TSIG_NAME=wgmesh-update
MESH_SITE=
MESH_DNS=
MESH_TSIG_KEY=
# BFD's transmit interval (ms) for every node's up; empty: the product's 10 ms. The VM suite
# gives a slower one: kernel WireGuard under emulation on 2 cores cannot keep 90 links at 50 ms.
MESH_BFD_INTERVAL=${MESH_BFD_INTERVAL:-}
declare -A BIRD_LOOP=()

mesh_cmd() { # NAME -> path of a built program
	case $1 in
	wgsite | wgpub | wghost | wgconfig) echo "$WGM_BUILD/site/$1" ;;
	wgmesh-net | wgdeploy) echo "$WGM_BUILD/netmgr/$1" ;;
	wgmesh-dnsfetch) echo "$WGM_BUILD/dnsfetch/$1" ;;
	*) echo "mesh_cmd: unknown $1" >&2; return 1 ;;
	esac
}

# The product's default BFD interval (ms) for a node of few peers, as wgmesh-net --help says it.
mesh_bfd_default() {
	"$(mesh_cmd wgmesh-net)" --help 2>&1 | sed -n 's/.*BFD transmit interval (\([0-9]*\)[;)].*/\1/p' | head -n 1
}

mesh_require_commands() {
	local c missing=
	for c in wgsite wgpub wghost wgconfig wgmesh-net wgmesh-dnsfetch; do
		[ -x "$(mesh_cmd "$c")" ] || missing="$missing $c"
	done
	if [ -n "$missing" ]; then
		echo "e2e: not built yet:$missing (in $WGM_BUILD)" >&2
		return 1
	fi
}

# knotd in the internet namespace, serving the site domain, RFC 2136 updates allowed with TSIG.
mesh_dns_start() {
	local secret zone=$TOPO_WORK/zone.db
	secret=$(head -c 32 /dev/urandom | base64)
	cat >"$zone" <<EOF2
\$ORIGIN $MESH_DOMAIN.
\$TTL 300
@ SOA ns.$MESH_DOMAIN. hostmaster.$MESH_DOMAIN. 1 3600 600 86400 5
@ NS ns.$MESH_DOMAIN.
ns A 203.0.113.53
EOF2
	KNOT_ADDR=203.0.113.53
	knot_start "$TOPO_WORK/knot" "$MESH_DOMAIN" "$zone" "$MESH_TSIG_NAME" "$secret" || return 1
	MESH_DNS=$KNOT_ADDR:$KNOT_PORT
	MESH_TSIG_KEY=$TOPO_WORK/site/tsig.key
	mkdir -p "$TOPO_WORK/site"
	printf 'key "%s" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' "$MESH_TSIG_NAME" "$secret" >"$MESH_TSIG_KEY"
	chmod 600 "$MESH_TSIG_KEY"
}

mesh_site_init() {
	MESH_SITE=$TOPO_WORK/site/site.yaml
	"$(mesh_cmd wgsite)" init "$MESH_SITE" --domain "$MESH_DOMAIN" --locus "$MESH_LOCUS" \
		--ipv6 fd86:ea04:1116::/48 --portbase 21100 >"$TOPO_WORK/site/init.log"
	mesh_publish
}

mesh_publish() { # [wgpub options...]
	"$(mesh_cmd wgpub)" -q --rfc2136 "$MESH_DNS" --tsig-key "$MESH_TSIG_KEY" "$@" "$MESH_SITE"
}

mesh_node_dir() { echo "$TOPO_WORK/n$1"; }

mesh_node_opts() { # N -> the options every node command takes
	local d
	d=$(mesh_node_dir "$1")
	echo "--state-dir $d/state"
}

# wgconfig (site record from DNS), wghost, and the site imports the message.
mesh_node_register() { # N
	local n=$1 d msg
	d=$(mesh_node_dir "$n")
	mkdir -p "$d/state" "$d/bird" "$d/shorewall" "$d/nft" "$d/hooks"
	on_node "$n" "$(mesh_cmd wgconfig)" --state-dir "$d/state" --dns "$MESH_DNS" \
		-i eth0 -T "lan$n" -I "10.$n.0.1/24" "$MESH_DOMAIN" >"$d/wgconfig.log" 2>&1 ||
		{ cat "$d/wgconfig.log" >&2; return 1; }
	msg=$(on_node "$n" "$(mesh_cmd wghost)" --state-dir "$d/state" -a "198.51.100.$n" \
		-h "node$n.example.net" "$MESH_DOMAIN" 2>"$d/wghost.log" | sed -n 's/^Message to Home: //p')
	[ -n "$msg" ] || { echo "wghost on node $n printed no message:" >&2; cat "$d/wghost.log" >&2; return 1; }
	"$(mesh_cmd wgsite)" -i "$msg" "$MESH_SITE" >"$d/import.log" 2>&1 ||
		{ cat "$d/import.log" >&2; return 1; }
}

# wgmesh-net up on node N (its record from knotd); output kept in n<N>/up.log.
mesh_node_up() { # N [extra options]
	local n=$1 d
	shift
	d=$(mesh_node_dir "$n")
	on_node "$n" env WGM_DNSFETCH="$(mesh_cmd wgmesh-dnsfetch)" "$(mesh_cmd wgmesh-net)" \
		--state-dir "$d/state" --dns "$MESH_DNS" --bird-dir "$d/bird" \
		--shorewall-dir "$d/shorewall" --nft-dir "$d/nft" --hook-dir "$d/hooks" \
		${MESH_BFD_INTERVAL:+--bfd-interval "$MESH_BFD_INTERVAL"} \
		"$@" up "$MESH_DOMAIN" >"$d/up.log" 2>&1
}

mesh_bird_sock() { echo "/run/bird-$MESH_LOCUS.sock"; }

birdc_on() { # N CMD...
	local n=$1
	shift
	on_node "$n" birdc -s "$(mesh_bird_sock)" "$@"
}

# BIRD in node N's private namespace under tests/lib/bird-supervise.sh (the way
# wgmesh-bird@.service runs it). Waits until BIRD answers. Each BIRD's pid goes to n<N>/bird.pid.
mesh_bird_start() { # N
	local n=$1 d conf i
	d=$(mesh_node_dir "$n")
	conf=$d/bird/bird_$MESH_LOCUS.conf
	[ -f "$conf" ] || { echo "no BIRD config $conf on node $n" >&2; return 1; }
	rm -f "$d/bird.pid"
	on_node "$n" setsid "$MESH_TOP/tests/lib/bird-supervise.sh" "$MESH_LOCUS" "$conf" \
		"$(mesh_bird_sock)" "$d/bird" &
	BIRD_LOOP[$n]=$!
	for i in $(seq 1 100); do
		if [ -s "$d/bird.pid" ] && birdc_on "$n" show status 2>/dev/null | grep -q "Daemon is up"; then
			return 0
		fi
		sleep 0.05
	done
	echo "BIRD on node $n did not come up" >&2
	return 1
}

mesh_bird_stop() { # N: the supervisor by pid (it stops its BIRD)
	local n=$1
	[ -n "${BIRD_LOOP[$n]:-}" ] || return 0
	kill "${BIRD_LOOP[$n]}" 2>/dev/null || true
	wait "${BIRD_LOOP[$n]}" 2>/dev/null || true
	unset "BIRD_LOOP[$n]"
	return 0
}

# wgmesh-net down on node N; output in n<N>/down.log.
mesh_node_down() { # N
	local d
	d=$(mesh_node_dir "$1")
	on_node "$1" "$(mesh_cmd wgmesh-net)" --state-dir "$d/state" --bird-dir "$d/bird" \
		--hook-dir "$d/hooks" down "$MESH_DOMAIN" >"$d/down.log" 2>&1
}

# wgmesh-net verify's exit code on node N; its report in n<N>/verify.log.
mesh_node_verify() { # N
	local d
	d=$(mesh_node_dir "$1")
	on_node "$1" "$(mesh_cmd wgmesh-net)" --state-dir "$d/state" verify "$MESH_DOMAIN" \
		>"$d/verify.log" 2>&1 && echo 0 || echo $?
}

# The README's workflow on a fresh topology (topo_init done): a machine per node, knotd, the site,
# every node registered and approved, the records published, then on each node `up` and BIRD
# under its supervisor. Dies naming the step and node that failed.
mesh_build() { # NODES...
	local n
	for n in "$@"; do topo_add_node "$n"; done
	mesh_dns_start
	mesh_site_init
	for n in "$@"; do mesh_node_register "$n" || die "registering node $n"; done
	mesh_publish
	for n in "$@"; do
		mesh_node_up "$n" || { cat "$(mesh_node_dir "$n")/up.log" >&2; die "wgmesh-net up on node $n"; }
		mesh_bird_start "$n" || die "BIRD on node $n"
	done
}

# A harness run's EXIT trap: `trap 'mesh_cleanup $? "$work" up down bird' EXIT`. Stops what the
# run started, by pid: the BIRD supervisors, every machine (and what runs in it), knotd, then
# the harness's own background jobs (its pings). When the run failed, the tail of each node's
# LOG.log first. Removes WORK and exits with RC.
mesh_cleanup() { # RC WORK LOG...
	local rc=$1 work=$2 n f log
	shift 2
	set +e
	trap - ERR # what fails here is tolerated, not a finding
	for n in "${!BIRD_LOOP[@]}"; do mesh_bird_stop "$n"; done
	if [ "$rc" -ne 0 ] || [ "$ASSERT_FAILURES" -ne 0 ]; then
		echo "--- logs of the failed run ($work) ---" >&2
		for log in "$@"; do
			for f in "$work"/n*/"$log".log; do
				[ -s "$f" ] && { echo "== $f"; tail -n 15 "$f"; } >&2
			done
		done
	fi
	topo_machines_cleanup
	knot_stop
	# shellcheck disable=SC2046 # one pid per word
	kill $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	rm -rf "$work"
	exit "$rc"
}
