#!/usr/bin/env bash
# CI's fuzz smoke (issue 12): builds every fuzz target, so a target that no longer builds fails
# CI, then runs each briefly (FUZZ_SMOKE_SECONDS, 4 s by default: about a minute for all) over
# a scratch copy of its committed corpus, so nothing found in CI is written into the checkout.
# A crash fails the run and leaves its input under fuzz/artifacts/<target>/.
# Needs the nightly toolchain and cargo-fuzz: installed here when missing.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${FUZZ_SMOKE_SECONDS:-4}"
# A fresh machine gets what the fuzz build needs, as tests/services.sh does for the databases.
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

# No sanitizer: the provider is safe Rust (see README.md); one build serves every target.
cargo +nightly fuzz build -s none
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
ran=0
for target in $(cargo +nightly fuzz list); do
  scratch="$logs/$target.corpus"
  mkdir -p "$scratch"
  cp corpus/"$target"/* "$scratch"/ 2>/dev/null || true
  if ! cargo +nightly fuzz run -s none "$target" "$scratch" -- \
      -max_total_time="$seconds" -print_final_stats=1 >"$logs/$target.log" 2>&1; then
    tail -n 40 "$logs/$target.log" >&2
    echo "fuzz smoke: $target failed (its input is under fuzz/artifacts/$target/)" >&2
    exit 1
  fi
  runs=$(awk '/stat::number_of_executed_units:/ { print $2 }' "$logs/$target.log" | tail -n 1)
  echo "fuzz smoke: $target ran ${runs:-?} inputs in ${seconds} s, no crash"
  ran=$((ran + 1))
done
echo "fuzz smoke: $ran targets built and ran"
