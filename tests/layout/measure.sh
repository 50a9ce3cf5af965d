#!/usr/bin/env bash
# The layout's figures for a checkout (issue 14's before and after): lines of Rust per crate
# under src/, the largest files, the longest async fns of the provider's web layer, and the
# import cycles in each crate of the provider. Usage: tests/layout/measure.sh [CHECKOUT]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "${1:-$here/../..}"
echo "## crates (lines of Rust under src/)"
for c in crates/*/; do
  printf "%-28s %6s\n" "$(basename "$c")" "$(find "$c/src" -name '*.rs' -print0 | xargs -0 cat | wc -l)"
done
echo "## largest files"
find crates -path '*/src/*.rs' -print0 | xargs -0 wc -l | grep -v ' total$' | sort -rn | head -8
echo "## longest async fns in the provider's web layer (over 40 lines)"
web=crates/provider/src/web
[ -d "$web" ] || web=crates/oidc-provider/src/web
rows=$(python3 "$here/handlers.py" "$web" 40)
echo "$rows" | head -5 | grep -v ' async fns over ' || true
echo "$rows" | tail -1
echo "## import cycles"
for c in crates/oidc-provider crates/core crates/provider crates/store; do
  if [ -d "$c/src" ]; then
    printf "%-22s %s\n" "$(basename "$c")" "$(python3 "$here/cycles.py" "$c/src" | tail -1)"
  fi
done
