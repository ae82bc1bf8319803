#!/usr/bin/env bash
# Instructions per operation, counted by valgrind's callgrind: unlike time, the count is the same on every
# run, so it shows small changes that the noise of a shared machine hides.
#
# Each workload runs twice per executor, at n and at 2n operations (one round, no warm-up); the
# difference of the two totals divided by n is the cost of one operation, with the process's start-up
# and the executor's construction cancelled out.
#
#   bash compare/callgrind.sh                         # spawn_join and ping_pong, ours and tokio
#   WORKLOADS=yield_many EXECUTORS=tokio-localset N=5000 bash compare/callgrind.sh
#   BIN=/tmp/compare bash compare/callgrind.sh        # an already built binary, no cargo build
#
# Needs valgrind (apt-get install valgrind). Output files go to target/callgrind/; open one with
# callgrind_annotate to see where the instructions went.
set -euo pipefail
cd "$(dirname "$0")/.."

WORKLOADS=${WORKLOADS:-spawn_join,ping_pong}
EXECUTORS=${EXECUTORS:-minimalist-async,tokio-current-thread}
N=${N:-20000}

# BIN=path measures an already built binary (say, the one a full run used) instead of building.
if [ -z "${BIN:-}" ]; then
    cargo build --release -p compare --quiet
    BIN=target/release/compare
fi
out=target/callgrind
mkdir -p "$out"

instructions() { # workload executor n
    local file="$out/$1.$2.$3.out"
    valgrind --tool=callgrind --callgrind-out-file="$file" \
        "$BIN" --no-reexec --in-process --only "$1" --executor "$2" --n "$3" --rounds 1 --warmup 0 \
        >/dev/null 2>&1
    # The "summary:" line holds the total instruction count (Ir).
    awk '/^summary:/ { print $2 }' "$file"
}

printf '| workload | executor | instructions/op |\n|---|---|--:|\n'
for workload in ${WORKLOADS//,/ }; do
    for executor in ${EXECUTORS//,/ }; do
        small=$(instructions "$workload" "$executor" "$N")
        large=$(instructions "$workload" "$executor" $((2 * N)))
        per_op=$(((large - small) / N))
        # An executor that sits the workload out runs nothing: the two totals are the same.
        [ "$per_op" -gt 0 ] || per_op="— (left out)"
        printf '| %s | %s | %s |\n' "$workload" "$executor" "$per_op"
    done
done
