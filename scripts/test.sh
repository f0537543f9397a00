#!/usr/bin/env bash
# Runs every test of the project on a fresh machine. Installs what is missing (headless Chromium
# for the HTML report test; Flink, Kafka and cargo-fuzz into the per-user cache shared by every
# clone), then: lint; the Rust workspace's unit, conformance and real-JVM tests; the Flink timing
# patch on a MiniCluster per Flink version, its overlay jars and its .patch files against the
# upstream sources; a real Flink + Kafka cluster smoke test; end-to-end tests on standalone
# Flink clusters; a bounded fuzz run of the GC parser.
#
#   scripts/test.sh                 everything
#   RIGHTSIZE_FUZZ_SECONDS=0 ...    skip the fuzz run (default 60 s)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

ensure_debian_packages chromium patch unzip

step "Formatting and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings 2>&1

step "Rust workspace tests"
cargo test --workspace --locked --no-fail-fast 2>&1

step "Flink timing patch: MiniCluster tests per Flink version and overlay jars"
cargo build --release --locked -p jni-metrics 2>&1
mvn -B -ntp -f flink-patch/pom.xml verify

step "Flink timing patch: the .patch files apply to upstream Flink and compile"
bash flink-patch/scripts/check-patches.sh

step "Real Flink + Kafka environment (provision, start, check, stop)"
bash tests/env/smoke.sh

step "End to end on standalone Flink clusters: timing overlay per version, fallback, GC logs, Kafka topics, scanner verdicts"
cargo build --release --locked -p rightsize 2>&1
tests/e2e/run.sh

fuzz_seconds="${RIGHTSIZE_FUZZ_SECONDS:-60}"
if [ "$fuzz_seconds" -gt 0 ]; then
    step "Fuzzing the GC log parser for ${fuzz_seconds}s"
    agent/fuzz/smoke.sh "$fuzz_seconds"
fi
