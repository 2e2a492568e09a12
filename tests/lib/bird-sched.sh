# BIRD's scheduling as wgmesh-bird@.service sets it (CPUSchedulingPolicy=, CPUSchedulingPriority=),
# read from the unit itself, so every test runs BIRD as the unit does: BFD at 10 ms x 5 is sized
# for a BIRD that load cannot delay. Source it; then run "${BIRD_SCHED[@]}" bird ... (bash).
bird_sched_unit=$(dirname "${BASH_SOURCE[0]}")/../../units/wgmesh-bird@.service.in
BIRD_SCHED=()
bird_sched_policy=$(sed -n 's/^CPUSchedulingPolicy=//p' "$bird_sched_unit")
if [ -n "$bird_sched_policy" ]; then
	BIRD_SCHED=(chrt "--$bird_sched_policy" "$(sed -n 's/^CPUSchedulingPriority=//p' "$bird_sched_unit")")
fi
