#!/usr/bin/env bash
# The main job on an embedded default: analyses real GC logs written by this machine's JVMs
# (committed under agent/tests/fixtures/jvm/) and prints the per-JVM summary and heap advice,
# plus an HTML report. Later versions start a local Flink cluster and Kafka here.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

step "Building rightsize (release)"
cargo build --release --locked -p rightsize 2>&1 | tail -n 1 >&2

out="target/demo"
mkdir -p "$out"
logs="agent/tests/fixtures/jvm"
step "Analysing the GC logs under $logs"
./target/release/rightsize gc "$logs" --html "$out/gc-report.html"
step "Done. Open $out/gc-report.html for the charts."
