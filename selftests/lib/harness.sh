# The start of every mesh harness script (selftests/*.sh; source it first, bash): re-runs the
# script inside tests/lib/in-netns.sh, so nothing of the machine's network or /run is touched;
# sets top (the source tree) and WGM_BUILD (the meson build dir, default build/); sources the
# harness libraries (knotd, the machines, the workflow, the checks).
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ "${WGM_IN_NETNS:-}" != 1 ]; then
	exec "$top/tests/lib/in-netns.sh" "$0" "$@"
fi
WGM_BUILD=${WGM_BUILD:-$top/build}
WGM_BUILD=$(cd "$WGM_BUILD" && pwd)
. "$top/tests/lib/knot.sh"
. "$top/selftests/lib/topo.sh"
. "$top/selftests/lib/mesh.sh"
. "$top/selftests/lib/checks.sh"

# BFD intervals (ms) from a spec such as "50 DEFAULT": DEFAULT is the product's own
# (mesh_bfd_default); the first is the run's baseline.
mesh_intervals() { # SPEC
	echo "${1//DEFAULT/$(mesh_bfd_default)}"
}
# "50 ms x 5 (baseline)", "10 ms x 5 (default)": how the benchmarks label an interval.
mesh_interval_label() { # MS INTERVALS
	local label="$1 ms x 5"
	[ "$1" = "${2%% *}" ] && label="$label (baseline)"
	[ "$1" = "$(mesh_bfd_default)" ] && label="$label (default)"
	echo "$label"
}
