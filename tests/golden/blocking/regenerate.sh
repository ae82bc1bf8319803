#!/usr/bin/env bash
# Rebuilds the --blocking transcripts from the reference program: the tutorial's own Python package in
# python/minimalist_package, run with --blocking (time.sleep instead of await asyncio.sleep).
#   tests/golden/blocking/regenerate.sh               # with python3
#   PYTHON=python3.9 tests/golden/blocking/regenerate.sh
set -euo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=$(cd -- "$here/../../.." && pwd)
python=${PYTHON:-python3}
package=$root/python/minimalist_package
[ -d "$package/minimalist_package" ] || { echo "regenerate.sh: the tutorial's package is missing: $package" >&2; exit 1; }
grep -v '^#' "$here/cases.txt" | while read -r mode seed tags likelihood file; do
  [ -n "$file" ] || continue
  (cd "$package" && "$python" -m "minimalist_package.minimalist_async.async_${mode}_example" \
    "--seed=$seed" "--tasks=$tags" "--likelihood=$likelihood" --blocking) >"$here/$file.new" 2>/dev/null
  mv "$here/$file.new" "$here/$file"
  echo "wrote $file"
done
