# Test helper (source it): writes Knot zone files from wgmesh record files (one TXT string per
# line, FORMAT.md), so tests and benchmarks serve exactly the strings a publisher would.

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

# zone_add FILE LINE...: raw zone file lines.
zone_add() {
	local f=$1
	shift
	printf '%s\n' "$@" >>"$f"
}
