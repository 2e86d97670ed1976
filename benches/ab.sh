#!/usr/bin/env bash
# Interleaved wall-clock A/B of two binaries on the same arguments: round r runs A once, then
# B once, so drift of the machine's speed over minutes lands on both alike. Prints, for each,
# the median and minimum of the rounds in milliseconds, and every round's time.
#
# Usage:  benches/ab.sh ROUNDS BINARY_A BINARY_B ARGS...
# Example (this repo's binary against a saved one, the packs over a JSON Lines file):
#   cp target/release/dechaff /tmp/dechaff.before   # before the change
#   cargo build --release                           # after it
#   benches/ab.sh 7 /tmp/dechaff.before target/release/dechaff -j1 records.jsonl
# Output goes to /dev/null. Used for changes whose gain callgrind does not count (serial walks
# turned into interleaved ones: the same instructions, fewer stalls); see BENCHMARKS.md.
set -euo pipefail
if [ $# -lt 3 ]; then
    sed -n '2,12p' "$0" >&2
    exit 2
fi
rounds=$1 a=$2 b=$3
shift 3
declare -A times
for ((r = 0; r < rounds; r++)); do
    for side in A B; do
        if [ "$side" = A ]; then bin=$a; else bin=$b; fi
        t0=$(date +%s%N)
        "$bin" "$@" >/dev/null
        t1=$(date +%s%N)
        times[$side]+="$(((t1 - t0) / 1000000)) "
    done
done
for side in A B; do
    if [ "$side" = A ]; then bin=$a; else bin=$b; fi
    echo "${times[$side]}" | tr ' ' '\n' | grep . | sort -n |
        awk -v s="$side" -v bin="$bin" '{v[NR]=$1; all=all " " $1}
            END{printf "%s %s: median %d ms, min %d ms; sorted:%s\n", s, bin, v[int((NR+1)/2)], v[1], all}'
done
