# Test helper (source it): a private Knot DNS authoritative server for one zone.
#
#   knot_start DIR ZONE ZONEFILE [TSIG_NAME TSIG_SECRET_B64 [ALG]]
#       Starts knotd with a config generated in DIR (rundir, storage, journal, control socket,
#       log all in DIR). Listens on 127.0.0.1 (or $KNOT_ADDR, e.g. an address inside a test
#       namespace) on a free port. ZONEFILE is copied into DIR so the caller's file is never
#       rewritten; with a TSIG key, RFC 2136 updates signed with it are allowed and kept in the
#       journal and the zone copy. ALG defaults to hmac-sha256.
#       Extra zones: $KNOT_EXTRA_ZONES="name=file name2=file2" (a file that does not exist or
#       does not parse makes a zone that answers SERVFAIL).
#       $KNOT_WANT_PORT fixes the port (53 for a stub resolver that asks nowhere else).
#       Returns once `kdig SOA ZONE` answers (polled, bounded); exports KNOT_ADDR KNOT_PORT
#       KNOT_PID KNOT_CTL KNOT_DIR.
#   knot_stop
#       Kills knotd by pid and waits for it to exit. Safe to call twice or before a start.

knot__free_port() {
	# A random port nobody holds for UDP or TCP right now (ss, as python would cost seconds);
	# knot_start retries if another process takes it before knotd binds.
	local port i
	if [ -n "${KNOT_WANT_PORT:-}" ]; then
		echo "$KNOT_WANT_PORT"
		return 0
	fi
	for i in $(seq 1 50); do
		port=$((20000 + RANDOM % 40000))
		if [ -z "$(ss -Htaun "sport = :$port" 2>/dev/null)" ]; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

knot__write_conf() {
	local dir=$1 zone=$2 port=$3 tsig_name=$4 tsig_secret=$5 alg=$6
	local conf=$dir/knot.conf spec name file
	{
		echo "server:"
		echo "    rundir: \"$dir\""
		echo "    listen: $KNOT_ADDR@$port"
		echo "    tcp-reuseport: off"
		echo "database:"
		echo "    storage: \"$dir/db\""
		echo "control:"
		echo "    listen: \"$dir/knot.sock\""
		echo "log:"
		echo "  - target: \"$dir/knot.log\""
		echo "    any: info"
		if [ -n "$tsig_name" ]; then
			echo "key:"
			echo "  - id: $tsig_name"
			echo "    algorithm: $alg"
			echo "    secret: $tsig_secret"
			echo "acl:"
			echo "  - id: tsig_update"
			echo "    key: $tsig_name"
			echo "    action: update"
		fi
		echo "template:"
		echo "  - id: default"
		echo "    storage: \"$dir/zones\""
		echo "    journal-content: changes"
		echo "    zonefile-sync: 0"
		echo "    semantic-checks: off"
		echo "zone:"
		echo "  - domain: \"$zone\""
		echo "    file: \"$dir/zones/primary.zone\""
		if [ -n "$tsig_name" ]; then
			echo "    acl: tsig_update"
		fi
		for spec in ${KNOT_EXTRA_ZONES:-}; do
			name=${spec%%=*}
			file=${spec#*=}
			echo "  - domain: \"$name\""
			echo "    file: \"$file\""
		done
	} >"$conf"
}

knot_start() {
	if [ $# -ne 3 ] && [ $# -ne 5 ] && [ $# -ne 6 ]; then
		echo "knot_start: usage: knot_start DIR ZONE ZONEFILE [TSIG_NAME TSIG_SECRET_B64 [ALG]]" >&2
		return 1
	fi
	local dir=$1 zone=$2 zonefile=$3 tsig_name=${4:-} tsig_secret=${5:-} alg=${6:-hmac-sha256}
	local attempt i port
	KNOT_ADDR=${KNOT_ADDR:-127.0.0.1}
	KNOT_DIR=$dir
	KNOT_CTL=$dir/knot.sock
	mkdir -p "$dir/db" "$dir/zones" || return 1
	cp "$zonefile" "$dir/zones/primary.zone" || return 1
	for attempt in 1 2 3 4 5; do
		port=$(knot__free_port "$KNOT_ADDR") || {
			echo "knot_start: no free port on $KNOT_ADDR" >&2
			return 1
		}
		knot__write_conf "$dir" "$zone" "$port" "$tsig_name" "$tsig_secret" "$alg"
		: >"$dir/knot.log"
		knotd -c "$dir/knot.conf" >>"$dir/knot.stderr" 2>&1 &
		KNOT_PID=$!
		KNOT_PORT=$port
		export KNOT_ADDR KNOT_PORT KNOT_PID KNOT_CTL KNOT_DIR
		# Readiness: the zone answers SOA. Bounded at ~15 s; a knotd that exits (bad config,
		# port taken) ends the wait early.
		for i in $(seq 1 150); do
			if ! kill -0 "$KNOT_PID" 2>/dev/null; then
				break
			fi
			if kdig @"$KNOT_ADDR" -p "$KNOT_PORT" +timeout=1 +retry=0 +norecurse SOA "$zone" 2>/dev/null |
				grep -q "status: NOERROR" &&
				kdig @"$KNOT_ADDR" -p "$KNOT_PORT" +timeout=1 +retry=0 +norecurse +short SOA "$zone" 2>/dev/null |
				grep -q .; then
				if grep -q "cannot bind\|address already in use\|failed to bind" "$dir/knot.log" 2>/dev/null; then
					break
				fi
				return 0
			fi
			sleep 0.1
		done
		knot_stop
		if ! grep -qi "bind\|address already in use" "$dir/knot.log" "$dir/knot.stderr" 2>/dev/null; then
			break
		fi
	done
	echo "knot_start: knotd did not serve $zone on $KNOT_ADDR@$KNOT_PORT; its log:" >&2
	tail -n 20 "$dir/knot.log" "$dir/knot.stderr" >&2 2>/dev/null
	return 1
}

knot_stop() {
	local i
	if [ -z "${KNOT_PID:-}" ]; then
		return 0
	fi
	if kill "$KNOT_PID" 2>/dev/null; then
		for i in $(seq 1 100); do
			kill -0 "$KNOT_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$KNOT_PID" 2>/dev/null || true
	fi
	wait "$KNOT_PID" 2>/dev/null || true
	KNOT_PID=
	return 0
}
