#!/usr/bin/env bash
# Rebuilds dist/ (the files embedded by src/lib.rs) from the govuk-frontend
# npm package pinned in package-lock.json. Runnable from any directory.
#
#   crates/govuk-assets/build-assets.sh
#
# Output (all served by the services under /assets/):
#   govuk-frontend.min.css  scss/app.scss compiled by dart-sass (Arial, no GDS Transport)
#   govuk-frontend.min.js   the ES module build of GOV.UK Frontend
#   init.js                 ES module that marks <body> and calls initAll()
#   manifest.json, images/  icons used by the layout, the manifest and the CSS
set -euo pipefail

crate_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$crate_dir"

npm ci --ignore-scripts --no-audit --no-fund

frontend="node_modules/govuk-frontend/dist/govuk"
dist="dist"

rm -rf "$dist"
mkdir -p "$dist/images"

# Styles: compressed, no source map.
node_modules/.bin/sass \
  --load-path=node_modules \
  --style=compressed \
  --no-source-map \
  --quiet-deps \
  scss/app.scss "$dist/govuk-frontend.min.css"

# Script: the ES module build, without the pointer to a source map we don't ship.
sed -e 's|//# sourceMappingURL=[^[:space:]]*||' \
  "$frontend/govuk-frontend.min.js" > "$dist/govuk-frontend.min.js"

# The services send `script-src 'self'`, so the classes that the GOV.UK page
# template normally sets with an inline <script> are set here instead. Module
# scripts run only in browsers that GOV.UK Frontend supports, so
# govuk-frontend-supported can be set unconditionally.
cat > "$dist/init.js" <<'JS'
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
JS

# Icons referenced by templates/govuk/layout.html and manifest.json, and the
# crest referenced by the footer styles.
cp "$frontend/assets/manifest.json" "$dist/manifest.json"
for image in \
  favicon.ico \
  favicon.svg \
  govuk-icon-mask.svg \
  govuk-icon-180.png \
  govuk-icon-192.png \
  govuk-icon-512.png \
  govuk-crest.svg; do
  cp "$frontend/assets/images/$image" "$dist/images/$image"
done

# Licence check: GDS Transport must be neither embedded nor referenced.
css="$dist/govuk-frontend.min.css"
if grep -q "GDS Transport" "$css" || grep -q "@font-face" "$css"; then
  echo "error: $css declares or references the GDS Transport font" >&2
  exit 1
fi
if grep -Eqi 'url\([^)]*(fonts/|\.woff|\.ttf|\.otf|\.eot)' "$css"; then
  echo "error: $css has a url() pointing at a font" >&2
  exit 1
fi
# Every image the CSS asks for must be in dist/.
{ grep -o 'url("/assets/[^"]*")' "$css" || true; } | sed -e 's|^url("/assets/||' -e 's|")$||' | sort -u |
  while read -r referenced; do
    if [ ! -f "$dist/$referenced" ]; then
      echo "error: $css references /assets/$referenced, which is not in $dist/" >&2
      exit 1
    fi
  done

echo "Built $crate_dir/$dist:"
(cd "$dist" && find . -type f | sort | sed 's|^\./||' | while read -r f; do
  printf '  %8d  %s\n' "$(wc -c < "$f")" "$f"
done)
echo "  total $(find "$dist" -type f -printf '%s\n' | awk '{ n += $1 } END { print n }') bytes"
