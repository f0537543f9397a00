#!/usr/bin/env bash
# Bounded fuzz run of the `parse` target, for CI and for a quick local check.
#
# A parser that reads whatever a JVM (or a torn rotation, or a disk error) left in a log file must
# never panic, hang or run out of memory. This script builds the libFuzzer target with the nightly
# toolchain, seeds the corpus with small real logs of every format, runs for a fixed wall time and
# reports any crashing input.
#
# Usage:   agent/fuzz/smoke.sh [SECONDS]        (default 60; FUZZ_SECONDS works too)
# Env:     FUZZ_MAX_LEN   largest input in bytes (default 16384)
#          RIGHTSIZE_CACHE  per-user tool cache (default $XDG_CACHE_HOME/rightsize or ~/.cache/rightsize)
# Exit:    0  no crash found;  1  a crash, hang or memory blow-up (the input's path is printed);
#          2  the fuzzer could not be set up (the message says what to install).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seconds="${1:-${FUZZ_SECONDS:-60}}"
max_len="${FUZZ_MAX_LEN:-16384}"
cache="${RIGHTSIZE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rightsize}"
tools="$cache/cargo-tools"
# Pinned so every clone and CI run fuzzes with the same driver.
cargo_fuzz_version="0.13.2"
# The repository is always checked out beside shared/.
samples="$here/../../../shared/gclogs/upstream"
corpus="$here/corpus/parse"
artifacts="$here/artifacts/parse"

die() { echo "fuzz smoke: $*" >&2; exit 2; }

[[ "$seconds" =~ ^[0-9]+$ ]] || die "SECONDS must be a whole number, got '$seconds'"

if ! cargo +nightly --version >/dev/null 2>&1; then
    die "needs a nightly Rust toolchain (cargo-fuzz builds with -Z flags): rustup toolchain install nightly"
fi

if [[ "$("$tools/bin/cargo-fuzz" --version 2>/dev/null)" != "cargo-fuzz $cargo_fuzz_version" ]]; then
    echo "fuzz smoke: installing cargo-fuzz $cargo_fuzz_version into $tools"
    cargo install cargo-fuzz --version "$cargo_fuzz_version" --locked --root "$tools" \
        || die "could not install cargo-fuzz (needs crates.io); retry, or install it into $tools yourself"
fi

# Seed corpus: the head of a few small real logs, one per format family and collector, so the
# fuzzer starts from lines the parsers understand instead of discovering `[0.005s][info][gc]` by
# chance. Cut to the input size limit; partial last lines are fine (and worth fuzzing).
seeds=(
    jdk8-serial/gctoolkit/serial180.log
    jdk8-parallel/gcviewer/SampleSun1_8_0ParallelPrintGCID.txt
    jdk8-parallel/gcviewer/SampleSun1_8_0ParallelPrintHeapAtGC.txt
    jdk8-cms/gcviewer/SampleSun1_8_0CmsPrintGcId.txt
    jdk8-g1/gcviewer/SampleSun1_8_0G1_ConcurrentCycle.txt
    jdk8-g1/gcviewer/SampleSun1_8_0G1PrintGCID.txt
    jdk8-shenandoah/gcviewer/SampleOpenJdk1_8_0ShenandoahDetailsShutdown.txt
    jdk8-cms-rotation-series/gcviewer/SampleSun1_8_0Series-Part7.txt
    jdk7-g1/gcviewer/SampleSun1_7_0G1_PauseWithComma.txt
    jdk6-7-cms-nodetails/gctoolkit/713_gc.log
    "jdk9-10-ujl-serial/gcviewer/sample-ujl-serial-gc-all,safepoint,os+cpu.txt"
    "jdk9-10-ujl-parallel/gcviewer/sample-ujl-parallel-gc-all,safepoint,os+cpu.txt"
    "jdk9-10-ujl-cms/gcviewer/sample-ujl-cms-gc-all,safepoint,os+cpu.txt"
    "jdk9-10-ujl-g1/gcviewer/sample-ujl-g1-gc-all,safepoint,os+cpu.txt"
    jdk11-16-ujl-g1/gctoolkit/gc-no-age-timestamp.log
    jdk11-ujl-zgc/gcviewer/sample-ujl-zgc-gc-other.txt
    jdk11-ujl-shenandoah/gcviewer/SampleShenandoahSingleSystemGC.txt
    jdk14-ujl-g1/gctoolkit/short_restart_4/short_restart_4.log.2
    "jdk17-ujl-g1/gcviewer/sample-ujl-jdk17-full-concurrent-cycle-g1-gc-all-safepont,os-cpu.txt"
    jdk17-ujl-shenandoah/gcviewer/Sample-ujl-shenandoah-jdk17.txt
    jdk24-ujl-serial/gctoolkit/factorization-serialgc-tip.log
)
mkdir -p "$corpus" "$artifacts"
if [[ -d "$samples" ]]; then
    for seed in "${seeds[@]}"; do
        name="seed-$(echo "$seed" | tr '/,+' '___')"
        [[ -f "$samples/$seed" && ! -f "$corpus/$name" ]] && head -c "$max_len" "$samples/$seed" >"$corpus/$name"
    done
else
    echo "fuzz smoke: $samples not found; fuzzing from an empty corpus" >&2
fi
# Inputs that once crashed stay in the corpus so a fix is re-checked on every run
# (regressions/README.md describes them and is not an input).
for regression in "$here"/regressions/*; do
    [[ -f "$regression" && "$regression" != *.md ]] && cp "$regression" "$corpus/regression-$(basename "$regression")"
done

export PATH="$tools/bin:$PATH"
cd "$here"
log="$(mktemp "${TMPDIR:-/tmp}/rightsize-fuzz.XXXXXX")"
trap 'rm -f "$log"' EXIT

echo "fuzz smoke: running 'parse' for ${seconds}s (max_len=$max_len)"
status=0
# No sanitizer: the engine is safe Rust, and without AddressSanitizer the fuzzer runs about ten
# times as many inputs in the same time. Debug assertions on: an arithmetic overflow on a crafted
# number is a panic in debug builds, so it is a finding here too.
# -timeout: one input taking over 10 s is a hang; -rss_limit_mb: memory must stay bounded.
# Progress lines for every new corpus entry are kept out of the terminal (thousands a minute).
cargo +nightly fuzz run --sanitizer none --debug-assertions parse "$corpus" -- \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" \
    2>&1 | tee "$log" | { grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE)[[:space:]]' || true; } || status=$?

crashes=$(grep -oE 'Test unit written to [^ ]+' "$log" | awk '{print $NF}' | sort -u || true)
if [[ $status -ne 0 || -n "$crashes" ]]; then
    echo
    echo "fuzz smoke: FAILED (fuzzer exit status $status)."
    if [[ -n "$crashes" ]]; then
        echo "Crashing inputs (reproduce with: cd agent/fuzz && cargo +nightly fuzz run --sanitizer none --debug-assertions parse <file>):"
        echo "$crashes" | sed 's/^/  /'
        echo "Keep a minimised copy under agent/fuzz/regressions/ once fixed: cargo +nightly fuzz tmin --sanitizer none --debug-assertions parse <file>"
    else
        echo "No crashing input was written: the build or the fuzzer itself failed, see the output above."
    fi
    exit 1
fi
echo "fuzz smoke: no crash in ${seconds}s."
