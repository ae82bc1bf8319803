#!/usr/bin/env bash
# Regenerate every golden transcript from the reference program: the tutorial's own Python package in
# python/minimalist_package, run on CPython's asyncio as the tutorial runs it
# (cd python/minimalist_package && python3 -m minimalist_package.minimalist_async.async_await_example ...).
#
#   tests/golden/regenerate.sh              # with python3
#   PYTHON=python3.9 tests/golden/regenerate.sh
#   GOLDEN_OUT=DIR tests/golden/regenerate.sh   # write the transcripts to DIR instead (.ci/parity does)
#
# Each line of tests/golden/cases.txt (MODE SEED TAGS LIKELIHOOD FILE) becomes one run whose stdout is
# written to FILE.
# The runs mostly sleep (100 ms per round on the real clock), so they all run at once.
#
# Run it on a quiet machine: asyncio takes each deadline from the clock at the call, so a process stalled
# for milliseconds between two tasks' sleep calls can print a result line one line early (NOTES.md §8,
# "When the reference itself varies"). `cargo test --test demos` then fails in
# golden_transcripts_follow_the_asyncio_model, which checks every transcript against the unloaded order.
#
# Nothing is replaced unless every run succeeds: the transcripts are written to a scratch directory first and
# moved into place at the end.
set -euo pipefail

die() {
    printf 'regenerate.sh: %s\n' "$*" >&2
    exit 1
}

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=$(cd -- "$here/../.." && pwd)
python=${PYTHON:-python3}
package=$root/python/minimalist_package
manifest=$here/cases.txt
out=${GOLDEN_OUT:-$here}

[ "$#" -eq 0 ] || die "no arguments expected (the reference is $package; set PYTHON to pick the interpreter)"
command -v "$python" >/dev/null 2>&1 || die "$python not found on PATH; the transcripts come from CPython"
[ -d "$package/minimalist_package" ] || die "the tutorial's package is missing: $package"
[ -f "$manifest" ] || die "manifest not found: $manifest"
[ -d "$out" ] || die "GOLDEN_OUT is not a directory: $out"

scratch=$(mktemp -d)
trap 'rm -rf -- "$scratch"' EXIT

# Read and check the whole manifest before starting anything, so a bad line leaves no run behind.
modes=() seeds=() tag_lists=() likelihoods=() files=()
declare -A seen=()
line_number=0
while IFS= read -r line || [ -n "$line" ]; do
    line_number=$((line_number + 1))
    # Skip blank lines and comments.
    [[ "$line" =~ ^[[:space:]]*(#|$) ]] && continue
    read -r mode seed tags likelihood file extra <<<"$line"
    [ -n "${file:-}" ] && [ -z "${extra:-}" ] ||
        die "cases.txt:$line_number: want 5 fields (MODE SEED TAGS LIKELIHOOD FILE), got: $line"
    [ "$mode" = await ] || [ "$mode" = callback ] ||
        die "cases.txt:$line_number: MODE must be await or callback, got: $mode"
    [[ "$file" == *.txt && "$file" != */* && "$file" != cases.txt ]] ||
        die "cases.txt:$line_number: FILE must be a plain *.txt name other than cases.txt, got: $file"
    [ -z "${seen[$file]:-}" ] || die "cases.txt:$line_number: $file is already produced by line ${seen[$file]}"
    seen[$file]=$line_number
    modes+=("$mode") seeds+=("$seed") tag_lists+=("$tags") likelihoods+=("$likelihood") files+=("$file")
done <"$manifest"
[ "${#files[@]}" -gt 0 ] || die "cases.txt lists no cases"

# A case should take seconds; one that never finishes (a likelihood of 0, say) is stopped, and fails.
limit=()
command -v timeout >/dev/null 2>&1 && limit=(timeout 120)

started=$(date +%s.%N)
pids=() commands=()
for i in "${!files[@]}"; do
    # The --flag=value form keeps argparse from reading a negative seed as an option.
    module=minimalist_package.minimalist_async.async_${modes[$i]}_example
    args=("--seed=${seeds[$i]}" "--tasks=${tag_lists[$i]}" "--likelihood=${likelihoods[$i]}")
    (cd "$package" && exec "${limit[@]}" "$python" -m "$module" "${args[@]}") \
        >"$scratch/${files[$i]}" 2>"$scratch/${files[$i]}.stderr" &
    pids+=("$!")
    commands+=("(cd $package && $python -m $module ${args[*]})")
done

failed=0
for i in "${!pids[@]}"; do
    file=${files[$i]}
    problem= status=0
    wait "${pids[$i]}" || status=$?
    if [ "$status" -eq 124 ] && [ "${#limit[@]}" -gt 0 ]; then
        problem="did not finish within ${limit[1]} s"
    elif [ "$status" -ne 0 ]; then
        problem="exited with status $status"
    # The reference prints an unexpected exception to stdout and exits 0, so also check the shape: the
    # tutorial always starts with this line and ends with a result line.
    elif [ "$(head -n 1 "$scratch/$file")" != "Awaiting results..." ] ||
        [[ "$(tail -n 1 "$scratch/$file")" != "The result of task="* ]]; then
        problem="printed something other than a tutorial transcript"
    fi
    if [ -n "$problem" ]; then
        failed=$((failed + 1))
        {
            printf 'regenerate.sh: FAILED %s: %s\n  command: %s\n' "$file" "$problem" "${commands[$i]}"
            sed 's/^/  stdout: /' "$scratch/$file" | head -n 5
            sed 's/^/  stderr: /' "$scratch/$file.stderr"
        } >&2
    fi
done
[ "$failed" -eq 0 ] || die "$failed of ${#files[@]} runs failed; no transcript was changed"

for file in "${files[@]}"; do
    mv -- "$scratch/$file" "$out/$file"
done

# A transcript that no line of the manifest produces would never be tested; say so.
for path in "$here"/*.txt; do
    name=$(basename -- "$path")
    [ "$name" = cases.txt ] || [ -n "${seen[$name]:-}" ] ||
        printf 'regenerate.sh: warning: %s is not in cases.txt (delete it?)\n' "$name" >&2
done

elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
printf 'regenerate.sh: wrote %d transcripts to %s in %s s (reference: %s, %s)\n' "${#files[@]}" "$out" "$elapsed" "$package" \
    "$("$python" --version 2>&1)"
