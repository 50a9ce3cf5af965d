#!/usr/bin/env bash
# Instructions per operation, counted by callgrind: a figure the machine's load does not move.
#
#   tests/perf/callgrind.sh [scenario] [small] [large]
#
# Runs the release provider under `valgrind --tool=callgrind` twice, on the embedded stores
# and the shipped configuration (config/default.toml with the bench's BENCH_OVERRIDES), driven
# by `one-login-bench run --concurrency 1 --warmup 0s --max-flows N` with N = small, then N =
# large, and prints
#
#   instructions per operation = (total(large) - total(small)) / (large - small)
#
# The difference takes out everything a run pays once (start-up, the first signing keys, the
# setup sign-ins, the shutdown). Scenarios: discovery, jwks, refresh, sso, identity-reuse
# (defaults 40 and 240 flows). Needs `cargo build --release -p one-login-provider -p
# one-login-bench` in $CARGO_TARGET_DIR (default target/). Set KEEP=dir to keep the callgrind
# files for `callgrind_annotate --inclusive=yes dir/<scenario>-<N>.out | head -60`.
set -euo pipefail

scenario=${1:-discovery}
small=${2:-40}
large=${3:-240}
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
# PROVIDER_BIN and BENCH_BIN name other builds (another checkout's, to compare), CONFIG its
# configuration file.
provider=${PROVIDER_BIN:-$target/release/one-login}
bench=${BENCH_BIN:-$target/release/one-login-bench}
allow_debug=()
[[ -n ${ALLOW_DEBUG:-} ]] && allow_debug=(--allow-debug)
for bin in "$provider" "$bench"; do
    [[ -x $bin ]] || { echo "missing $bin: cargo build --release -p one-login-provider -p one-login-bench" >&2; exit 2; }
done
work=$(mktemp -d /tmp/one-login-callgrind.XXXXXX)
keep=${KEEP:-$work}
mkdir -p "$keep"
trap 'rm -rf "$work"' EXIT

# The bench starts `<provider-bin> serve` and SIGKILLs it at the end, which would lose
# callgrind's counts. This wrapper runs the provider under callgrind in the background and
# waits for it: the SIGKILL ends the wrapper only, and the script then stops the provider with
# SIGTERM (a graceful shutdown, after which callgrind writes its file). Other commands
# (`create-account`) run the provider directly, uncounted. Making the first signing keys is left
# out of the count (`--toggle-collect`): an RSA key's prime search costs a random 0.5 to 3
# billion instructions, which no difference of two runs would cancel. (`--collect-atstart` comes
# after it: `--toggle-collect` turns collection off at the start.) The same for aws-lc's
# jitter entropy source, seeded once at the first random bytes: under valgrind its timing loop
# ran 0.2 to 0.4 billion instructions, different each run, two thirds of a short run's count.
# The first random bytes are the key-encryption-key check's seal, before any key is made, so
# the toggles never nest. And quanta's clock calibration (for the metrics), a loop that reads
# the clock until enough time has passed: 8 to 16 million instructions by the run's timing.
cat >"$work/provider" <<EOF
#!/usr/bin/env bash
if [[ \${1:-} == serve ]]; then
    valgrind --tool=callgrind --callgrind-out-file="\$CALLGRIND_OUT" \\
        --toggle-collect='*new_stored_key*' --toggle-collect='*tree_jitter_initialize_once*' \\
        --toggle-collect='*quanta::Clock::new*' \\
        --collect-atstart=yes "$provider" "\$@" &
    echo \$! >"\$CALLGRIND_PID"
    wait
else
    exec "$provider" "\$@"
fi
EOF
chmod +x "$work/provider"

# Runs one count and prints the provider's total instructions.
count() {
    local flows=$1 out="$keep/$scenario-$1.out" pidfile="$work/pid-$1"
    rm -f "$out"
    CALLGRIND_OUT=$out CALLGRIND_PID=$pidfile "$bench" run \
        --provider-bin "$work/provider" "${allow_debug[@]}" --config "${CONFIG:-$root/config/default.toml}" \
        --stores embedded --scenarios "$scenario" --concurrency 1 \
        --warmup 0s --duration 1h --max-flows "$flows" \
        --out "$work/bench-$flows" --quiet >"$work/bench-$flows.log" 2>&1 || {
        cat "$work/bench-$flows.log" >&2
        exit 1
    }
    local pid
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
    # Failed flows count against the budget too: a run with any is no measure.
    local errors
    errors=$(python3 -c 'import json, sys; print(sum(r["latency"]["errors"] for run in json.load(open(sys.argv[1]))["runs"] for r in run["rows"]))' "$work"/bench-"$flows"/*.json 2>/dev/null || echo "no report")
    if [[ $errors != 0 ]]; then
        echo "$scenario at $flows flows: errors=${errors:-no row}" >&2
        cat "$work/bench-$flows.log" >&2
        exit 1
    fi
    awk '/^(summary|totals):/ { print $2; exit }' "$out"
}

first=$(count "$small")
second=$(count "$large")
per_op=$(( (second - first) / (large - small) ))
printf '%s: %d instructions per operation (totals %d at %d flows, %d at %d flows)\n' \
    "$scenario" "$per_op" "$first" "$small" "$second" "$large"
