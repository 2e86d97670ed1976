#!/usr/bin/env bash
# Interleaved wall-clock timing of several labelled commands: round r runs every command once,
# in the order given, so drift of the machine's speed over minutes lands on all of them alike.
# Prints, for each, the median of the rounds in milliseconds and every round's time, sorted.
# Like benches/ab.sh, but for any number of commands with different arguments.
#
# Usage:  benches/rr.sh ROUNDS 'LABEL|COMMAND' ...
# Example (two threads against one, and an older binary, on one input):
#   benches/rr.sh 15 "j1|target/release/dechaff -j1 big.txt" \
#       "j2|target/release/dechaff -j2 big.txt" "old-j2|/tmp/dechaff.before -j2 big.txt"
# Each COMMAND runs through `sh -c` with its output to /dev/null.
set -euo pipefail
if [ $# -lt 2 ]; then
    sed -n '2,11p' "$0" >&2
    exit 2
fi
rounds=$1
shift
declare -A times
for ((r = 0; r < rounds; r++)); do
    for c in "$@"; do
        label=${c%%|*}
        t0=$(date +%s%N)
        sh -c "${c#*|}" >/dev/null
        t1=$(date +%s%N)
        times[$label]+="$(((t1 - t0) / 1000000)) "
    done
done
for c in "$@"; do
    label=${c%%|*}
    sorted=$(tr ' ' '\n' <<<"${times[$label]}" | grep . | sort -n | tr '\n' ' ')
    median=$(tr ' ' '\n' <<<"$sorted" | grep . | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    echo "$label: median $median ms; sorted: $sorted"
done
