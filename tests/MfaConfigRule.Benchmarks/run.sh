#!/usr/bin/env bash
# Reproduces every number in docs/benchmarks.md: publishes the Native AOT binary, builds the harness, runs the sweep,
# binary, start-up and micro benchmarks, and prints one markdown document (also saved under artifacts/benchmarks/).
# Not run in CI: timings on shared CI cores are noise, and nothing here asserts a target. Takes about 10 minutes on
# 2 cores; QUICK=1 runs a reduced set in about 3 minutes to check that everything still works.
#
# Knobs (environment): SIZES, LATENCIES, REPEATS (sweeps), BINARY_SIZES, BINARY_REPEATS, COLD_RUNS, COST_SIZES, OUT,
# ORG_ACCOUNTS, ORG_USERS, ORG_LATENCY, ORG_REPEATS (the Organization audit), ORG_COST_ACCOUNTS, ORG_COST_SAMPLE (its cost).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ "${QUICK:-0}" == 1 ]]; then
    : "${SIZES:=100,1000}" "${LATENCIES:=20}" "${REPEATS:=1}" "${BINARY_SIZES:=1000}" "${BINARY_REPEATS:=1}" "${COLD_RUNS:=10}" "${COST_SIZES:=1000}"
fi
SIZES=${SIZES:-100,1000,5000}
LATENCIES=${LATENCIES:-0,20}
REPEATS=${REPEATS:-5}
BINARY_SIZES=${BINARY_SIZES:-1000,5000}
BINARY_REPEATS=${BINARY_REPEATS:-3}
COLD_RUNS=${COLD_RUNS:-50}
COST_SIZES=${COST_SIZES:-1000,5000}
OUT=${OUT:-artifacts/benchmarks/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"

need() { # command, Debian package
    command -v "$1" >/dev/null 2>&1 && return
    echo "installing $2" >&2
    { apt-get update -qq && apt-get install -y -qq "$2"; } >/dev/null
}
need hyperfine hyperfine
[[ -x /usr/bin/time ]] || need /usr/bin/time time

echo "publishing the AOT binary and building the harness (Release)" >&2
dotnet publish rule -c Release -r linux-x64 -nologo -v quiet >&2
dotnet build tests/MfaConfigRule.Benchmarks -c Release -nologo -v quiet >&2
BIN=rule/bin/Release/net10.0/linux-x64/publish/mfa-config-rule
JIT_DLL=rule/bin/Release/net10.0/mfa-config-rule.dll
HARNESS=(dotnet tests/MfaConfigRule.Benchmarks/bin/Release/net10.0/MfaConfigRule.Benchmarks.dll)

{
    echo "## Machine"
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| date (UTC) | $(date -u +%Y-%m-%dT%H:%MZ) |"
    echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) cores visible |"
    echo "| memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) |"
    echo "| OS | $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r) |"
    echo "| .NET | SDK $(dotnet --version), runtime $(dotnet --list-runtimes | awk '/NETCore.App/ {v=$2} END {print v}') |"
    echo "| commit | $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- rule tests || echo ' (with local changes)') |"
    echo
    echo "## Binary"
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| \`$BIN\` | $(stat -c %s "$BIN" | awk '{printf "%.1f MB (%d bytes)", $1/1048576, $1}'), stripped |"
    echo "| highest glibc symbol version | $(objdump -T "$BIN" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1) |"
} > "$OUT/machine.md"

echo "sweeps: sizes $SIZES, latencies $LATENCIES ms, $REPEATS repeats" >&2
"${HARNESS[@]}" sweeps --sizes "$SIZES" --latencies "$LATENCIES" --repeats "$REPEATS" > "$OUT/sweeps.md"

echo "binary: sizes $BINARY_SIZES, $BINARY_REPEATS repeats" >&2
"${HARNESS[@]}" binary --binary "$BIN" --sizes "$BINARY_SIZES" --repeats "$BINARY_REPEATS" --sample-report samples/credential-report.csv > "$OUT/binary.md"

echo "cost: evaluations written per steady-state sweep, sizes $COST_SIZES" >&2
: > "$OUT/cost.md"
for users in ${COST_SIZES//,/ }; do
    # The last line is the JSON object (measured sweep and its per-user baseline); keep it beside the table.
    "${HARNESS[@]}" cost --binary "$BIN" --users "$users" --json > "$OUT/cost-$users.out"
    head -n -1 "$OUT/cost-$users.out" >> "$OUT/cost.md"
    tail -n 1 "$OUT/cost-$users.out" > "$OUT/cost-$users.json"
done

echo "org-cost: evaluations a month at ${ORG_COST_ACCOUNTS:-50,200,1000} accounts x ${ORG_USERS:-50} users, sample ${ORG_COST_SAMPLE:-200}" >&2
"${HARNESS[@]}" org-cost --binary "$BIN" --accounts "${ORG_COST_ACCOUNTS:-50,200,1000}" --users "${ORG_USERS:-50}" --sample "${ORG_COST_SAMPLE:-200}" --json > "$OUT/org-cost.out"
head -n -1 "$OUT/org-cost.out" > "$OUT/org-cost.md"
tail -n 1 "$OUT/org-cost.out" > "$OUT/org-cost.json"

echo "start-up: hyperfine, $COLD_RUNS runs" >&2
# Exit code 1 is the CLI saying it found NON_COMPLIANT users, hence -i.
hyperfine -N -i --warmup 5 --runs "$COLD_RUNS" --export-markdown "$OUT/startup-raw.md" \
    -n "AOT binary" "$BIN evaluate --credential-report samples/credential-report.csv" \
    -n "same CLI on the JIT (dotnet mfa-config-rule.dll)" "dotnet $JIT_DLL evaluate --credential-report samples/credential-report.csv" \
    > "$OUT/startup.log" 2>&1
{
    echo
    echo "### Start-up: \`evaluate --credential-report samples/credential-report.csv\` (40 users), process start to exit"
    echo
    cat "$OUT/startup-raw.md"
} > "$OUT/startup.md"

echo "micro: BenchmarkDotNet" >&2
"${HARNESS[@]}" micro --filter '*' --artifacts "$OUT/bdn" > "$OUT/bdn.log" 2>&1
{
    echo
    echo "### Micro benchmarks (BenchmarkDotNet, in-process, ShortRun with 15 iterations)"
    for report in "$OUT"/bdn/results/*-report-github.md; do
        echo
        sed -n '/^|/p' "$report"
    done
} > "$OUT/micro.md"

echo "org: ${ORG_ACCOUNTS:-200} accounts x ${ORG_USERS:-50} users at ${ORG_LATENCY:-30} ms" >&2
"${HARNESS[@]}" org --binary "$BIN" --accounts "${ORG_ACCOUNTS:-200}" --users "${ORG_USERS:-50}" --latency "${ORG_LATENCY:-30}" --repeats "${ORG_REPEATS:-2}" > "$OUT/org.md"

echo "report: the aggregator's report at 200 and 1,000 accounts x ${ORG_USERS:-50} users at ${ORG_LATENCY:-30} ms" >&2
{
    "${HARNESS[@]}" report --binary "$BIN" --accounts 200 --users "${ORG_USERS:-50}" --latency "${ORG_LATENCY:-30}" --parallel 16
    "${HARNESS[@]}" report --binary "$BIN" --accounts 1000 --users "${ORG_USERS:-50}" --latency "${ORG_LATENCY:-30}" --parallel 16
} > "$OUT/report.md"

echo "org-trigger: a 200-event burst in one member beside one event in another" >&2
"${HARNESS[@]}" org-trigger --burst 200 --instances 5 --latency 20 --repeats 3 > "$OUT/org-trigger.md"
cat "$OUT/machine.md" "$OUT/sweeps.md" "$OUT/binary.md" "$OUT/cost.md" "$OUT/org-cost.md" "$OUT/startup.md" "$OUT/micro.md" "$OUT/org.md" "$OUT/report.md" "$OUT/org-trigger.md" | tee "$OUT/results.md"
echo "saved in $OUT/results.md" >&2
