#!/usr/bin/env bash
# Browser journey and accessibility tests of the citizen's pages: Playwright (playwright-core)
# driving Debian's Chromium, axe-core on every page. See README.md beside this file.
#
#   ONE_LOGIN_BIN=target/debug/one-login        the binary to test (default: that one)
#   ONE_LOGIN_DEPARTMENT_BIN=…                  the demo department binary (default:
#                                               one-login-department beside ONE_LOGIN_BIN)
#   ONE_LOGIN_BROWSER_STORES=embedded           SQLite + in-memory store (default)
#                           =postgres-redis     PostgreSQL + Redis (started by tests/services.sh)
#                           =all                both, one after the other
#   ONE_LOGIN_CONFIG=FILE                       passed to the binary as --config (default: none,
#                                               so it runs on its built-in config/default.toml)
#   ONE_LOGIN_BROWSER_CONCURRENCY=N             journeys at once (default 3)
#   ONE_LOGIN_BROWSER_SCREENSHOTS=1             a screenshot of every page checked, in
#                                               target/browser-artifacts/
#
# Ends with one line "browser: N passed, N failed" over every configuration run, and exits
# non-zero if any test failed.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$here"

log() { printf 'browser: %s\n' "$*" >&2; }

command -v node >/dev/null || { log "node (20 or later) is needed"; exit 1; }
npm ci --no-audit --no-fund --loglevel=error >/dev/null

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" = 0 ] && [ "$chromium" = /usr/bin/chromium ]; then
    log "installing Chromium (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    log "no Chromium at $chromium: apt-get install -y chromium (as root)"
    exit 1
  fi
fi

export ONE_LOGIN_BIN="${ONE_LOGIN_BIN:-$repo/target/debug/one-login}"
[ -x "$ONE_LOGIN_BIN" ] || { log "no one-login binary at $ONE_LOGIN_BIN: build it or set ONE_LOGIN_BIN"; exit 1; }
export ONE_LOGIN_DEPARTMENT_BIN="${ONE_LOGIN_DEPARTMENT_BIN:-$(dirname "$ONE_LOGIN_BIN")/one-login-department}"
[ -x "$ONE_LOGIN_DEPARTMENT_BIN" ] || {
  log "no one-login-department binary at $ONE_LOGIN_DEPARTMENT_BIN: cargo build --bin one-login-department, or set ONE_LOGIN_DEPARTMENT_BIN"
  exit 1
}
# One clear failure, not one per journey, when the binary and the configuration disagree (e.g. a
# binary built before config/default.toml gained a key: set ONE_LOGIN_CONFIG to a file it reads).
if ! problem=$(cd "$repo" && "$ONE_LOGIN_BIN" check-config ${ONE_LOGIN_CONFIG:+--config "$ONE_LOGIN_CONFIG"} 2>&1 >/dev/null); then
  log "$ONE_LOGIN_BIN check-config failed: $problem"
  log "build the binary from this work tree, or set ONE_LOGIN_CONFIG to a configuration it reads"
  echo "browser: 0 passed, 1 failed"
  exit 1
fi
for department in driving-licence benefits; do
  if ! problem=$(cd "$repo" && "$ONE_LOGIN_DEPARTMENT_BIN" --check --config "config/departments/$department.toml" 2>&1 >/dev/null); then
    log "$ONE_LOGIN_DEPARTMENT_BIN --check (config/departments/$department.toml) failed: $problem"
    echo "browser: 0 passed, 1 failed"
    exit 1
  fi
done

case "${ONE_LOGIN_BROWSER_STORES:-embedded}" in
  all) configurations=(embedded postgres-redis) ;;
  embedded | postgres-redis) configurations=("${ONE_LOGIN_BROWSER_STORES:-embedded}") ;;
  *)
    log "ONE_LOGIN_BROWSER_STORES must be embedded, postgres-redis or all, not $ONE_LOGIN_BROWSER_STORES"
    exit 2
    ;;
esac

tap="$(mktemp)"
trap 'rm -f "$tap"' EXIT
passed=0
failed=0
for stores in "${configurations[@]}"; do
  if [ "$stores" = postgres-redis ]; then
    bash "$repo/tests/services.sh" >&2
  fi
  started=$(date +%s)
  status=0
  ONE_LOGIN_BROWSER_STORES="$stores" node --test \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" \
    harness.test.mjs journeys.test.mjs departments.test.mjs pages.test.mjs passkeys.test.mjs || status=$?
  seconds=$(($(date +%s) - started))
  pass=$(awk '/^# pass / { n = $3 } END { print n + 0 }' "$tap")
  fail=$(awk '/^# (fail|cancelled) / { n += $3 } END { print n + 0 }' "$tap")
  if [ "$status" -ne 0 ] && [ "$fail" -eq 0 ]; then
    fail=1 # the runner itself failed (no summary): count it
  fi
  log "$stores stores took ${seconds}s ($pass passed, $fail failed)"
  passed=$((passed + pass))
  failed=$((failed + fail))
done

echo "browser: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
