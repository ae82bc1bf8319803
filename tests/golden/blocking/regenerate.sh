#!/usr/bin/env bash
# Rebuilds the --blocking transcripts from the tutorial's reference program.
#   tests/golden/blocking/regenerate.sh [PATH_TO_tutorial_demos.py]
# Default reference: ../shared/reference/tutorial_demos.py, relative to the repository root.
set -euo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=$(cd -- "$here/../../.." && pwd)
reference=${1:-$root/../shared/reference/tutorial_demos.py}
[ -f "$reference" ] || { echo "regenerate.sh: no reference program at $reference" >&2; exit 1; }
grep -v '^#' "$here/cases.txt" | while read -r mode seed tags likelihood file; do
  [ -n "$file" ] || continue
  python3 "$reference" "$mode" "--seed=$seed" "--tasks=$tags" "--likelihood=$likelihood" --blocking \
    >"$here/$file.new" 2>/dev/null
  mv "$here/$file.new" "$here/$file"
  echo "wrote $file"
done
