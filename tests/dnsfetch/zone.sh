# Test helper (source it): writes Knot zone files from wgmesh record files (one TXT string per
# line, docs/format.md#our-files-and-keys), so tests and benchmarks serve exactly the strings a
# publisher would.

# zone_begin FILE ZONE: SOA and NS for ZONE, the name server at 127.0.0.1.
zone_begin() {
	cat >"$1" <<ZONE
\$ORIGIN $2.
\$TTL 60
@ SOA ns hostmaster 1 60 60 600 60
@ NS ns
ns A 127.0.0.1
ZONE
}

# zone_add_records FILE OWNER RECORDFILE: one TXT RR per line of RECORDFILE at OWNER.
zone_add_records() {
	local line
	while IFS= read -r line || [ -n "$line" ]; do
		[ -n "$line" ] || continue
		printf '%s. TXT "%s"\n' "$2" "$line" >>"$1"
	done <"$3"
}

# zone_add_records_packed FILE OWNER RECORDFILE N: N lines per TXT RR, each line its own
# character-string ending in a space. A DNS message holds at most 64 KiB, and one RR per 76-char
# line costs ~93 bytes, so an RRset of more than ~700 lines (a ~230-host mesh) only fits packed;
# the reader joins an RR's strings and splits on spaces, so both forms decode alike.
zone_add_records_packed() {
	awk -v owner="$2" -v per="$4" '
		NF { rr = rr sprintf(" \"%s \"", $0); if (++n == per) { print owner ". TXT" rr; rr = ""; n = 0 } }
		END { if (n) print owner ". TXT" rr }' "$3" >>"$1"
}

# zone_add FILE LINE...: raw zone file lines.
zone_add() {
	local f=$1
	shift
	printf '%s\n' "$@" >>"$f"
}
