#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: installs what is missing (headless Chromium
# for the HTML report test, cargo-fuzz into the shared cache), then the Rust workspace's unit,
# conformance and real-JVM tests, then a bounded fuzz run of the GC log parser.
#
#   scripts/test.sh                 everything
#   RIGHTSIZE_FUZZ_SECONDS=0 ...    skip the fuzz smoke run
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/common.sh

ensure_debian_packages chromium

step "Rust workspace tests"
cargo test --workspace --locked 2>&1

fuzz_seconds="${RIGHTSIZE_FUZZ_SECONDS:-60}"
if [ "$fuzz_seconds" -gt 0 ] && [ -x agent/fuzz/smoke.sh ]; then
    step "Fuzzing the GC log parser for ${fuzz_seconds}s"
    agent/fuzz/smoke.sh "$fuzz_seconds"
fi
