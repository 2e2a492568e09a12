# What the harness measures and asserts (source it after topo.sh and mesh.sh; bash).

. "$(dirname "${BASH_SOURCE[0]}")/../../tests/lib/assert.sh"

# "established total" BGP sessions of node N, from BIRD's control socket.
bgp_counts() { # N
	birdc_on "$1" show protocols 2>/dev/null | awk '
		$2 == "BGP" { total++; if ($0 ~ /Established/) up++ }
		END { printf "%d %d\n", up, total }'
}

# "up total" BFD sessions of node N.
bfd_counts() { # N
	birdc_on "$1" show bfd sessions 2>/dev/null | awk '
		$1 ~ /^(fd|fe|[0-9])/ && NF >= 4 { total++; if ($3 == "Up") up++ }
		END { printf "%d %d\n", up, total }'
}

lan_ping() { # FROM TO -> 0 when LAN FROM reaches LAN TO's host
	ip netns exec "${LAN_NS[$1]}" ping -c 1 -W 1 -q "10.$2.0.10" >/dev/null 2>&1
}

# Polls until every node in NODES has want Established BGP sessions and Up BFD sessions and
# every LAN pings every other; prints the seconds it took. Fails after LIMIT seconds.
wait_converged() { # LIMIT NODES...
	local limit=$1 start n m ok want
	shift
	start=$(now_ms)
	want=$(($# - 1))
	while :; do
		ok=1
		for n in "$@"; do
			[ "$(bgp_counts "$n")" = "$want $want" ] || { ok=; break; }
			[ "$(bfd_counts "$n")" = "$want $want" ] || { ok=; break; }
		done
		if [ -n "$ok" ]; then
			for n in "$@"; do
				for m in "$@"; do
					[ "$n" = "$m" ] && continue
					lan_ping "$n" "$m" || { ok=; break 2; }
				done
			done
		fi
		if [ -n "$ok" ]; then
			echo "$(( ($(now_ms) - start) ))" | awk '{ printf "%.1f\n", $1 / 1000 }'
			return 0
		fi
		if [ $(( $(now_ms) - start )) -gt $((limit * 1000)) ]; then
			for n in "$@"; do
				echo "not converged after $limit s: node$n BGP established/total $(bgp_counts "$n"), BFD up/total $(bfd_counts "$n")" >&2
			done
			return 1
		fi
		sleep 0.2
	done
}

# The private-namespace device node A routes LAN B through ("wg<k>").
route_dev() { # A B
	on_node "$1" ip netns exec "$MESH_LOCUS" ip -4 route get "10.$2.0.10" 2>/dev/null |
		sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1
}

# "protocol since-ms" for node N's BGP sessions other than SKIP: when each last changed state.
bgp_since() { # N [SKIP]
	birdc_on "$1" show protocols 2>/dev/null | awk -v skip="${2:-}" '
		$2 == "BGP" && $1 != skip { split($5, t, /[:.]/); printf "%s %d\n", $1, ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }' | sort
}

# BIRD prints a session's "since" recomputed from its monotonic clock, so the same instant can
# read a millisecond apart: equal within 50 ms means the session never restarted.
same_since() { # BEFORE AFTER (bgp_since outputs)
	[ "$(echo "$1" | awk '{ print $1 }')" = "$(echo "$2" | awk '{ print $1 }')" ] || return 1
	paste -d' ' <(echo "$1") <(echo "$2") | awk '{ d = $2 - $4; if (d < 0) d = -d; if (d > 50) bad = 1 } END { exit bad }'
}

wg_devs() { # N -> the WireGuard devices in node N's private namespace
	on_node "$1" ip netns exec "$MESH_LOCUS" ip -o link show 2>/dev/null |
		awk -F': ' '$2 ~ /^wg[0-9]+/ { sub(/@.*/, "", $2); print $2 }' | sort
}

# "dev handshake-epoch" for every WireGuard device of node N.
handshakes() { # N
	local dev
	for dev in $(wg_devs "$1"); do
		# in the private namespace: a kernel device answers only there (wireguard-go anywhere)
		echo "$dev $(on_node "$1" ip netns exec "$MESH_LOCUS" wg show "$dev" latest-handshakes 2>/dev/null |
			awk '{ print $2 }' | head -n 1)"
	done
}

# What node N's links run on: "kernel WireGuard" (link kind wireguard) or "wireguard-go" (a tun).
mesh_backend() { # [N]
	local dev
	dev=$(wg_devs "${1:-1}" | head -n 1)
	[ -n "$dev" ] || { echo "no WireGuard link"; return 0; }
	if on_node "${1:-1}" ip netns exec "$MESH_LOCUS" ip -d link show "$dev" | grep -qw wireguard; then
		echo "kernel WireGuard"
	else
		echo "wireguard-go"
	fi
}

# ifindex of each wg device of node N: "dev ifindex".
wg_ifindexes() { # N
	on_node "$1" ip netns exec "$MESH_LOCUS" ip -o link show 2>/dev/null |
		awk -F': ' '$2 ~ /^wg[0-9]+/ { sub(/@.*/, "", $2); print $2, $1 }' | sort
}

# Longest gap between successive ping replies: the outage, in ms. Reads `ping -D` output.
outage_ms() { # PING_OUTPUT_FILE
	awk -F'[][]' '/bytes from/ { t = $2 * 1000; if (last && t - last > gap) gap = t - last; last = t }
		END { printf "%d\n", gap }' "$1"
}

print_table() { # NODES...
	local n m up total bup btotal row links
	printf '\n%-6s %-15s %-13s %-10s %-10s %s\n' NODE UNDERLAY LAN BGP BFD "LAN PINGS (to node: ok/FAIL)"
	for n in "$@"; do
		read -r up total < <(bgp_counts "$n")
		read -r bup btotal < <(bfd_counts "$n")
		row=
		for m in "$@"; do
			[ "$n" = "$m" ] && continue
			if lan_ping "$n" "$m"; then row="$row $m:ok"; else row="$row $m:FAIL"; fi
		done
		printf '%-6s %-15s %-13s %-10s %-10s %s\n' "node$n" "198.51.100.$n" "10.$n.0.0/24" \
			"$up/$total" "$bup/$btotal" "${row# }"
	done
	links=$(for n in "$@"; do birdc_on "$n" show protocols 2>/dev/null | awk -v n="$n" '$2 == "BGP" { print "node" n ":" $1 "=" $6 }'; done | tr '\n' ' ')
	printf 'links (node:protocol=state): %s\n\n' "$links"
}
