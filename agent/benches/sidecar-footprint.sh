#!/usr/bin/env bash
# The sidecar's footprint while it follows a log growing at 100 GC events/s: resident memory
# (peak and at the end) and CPU share of one core, against the targets (10 MB RSS, 0.5 % CPU).
# The log is real G1 log lines appended by gc-log-writer.py; /metrics is scraped every second
# like Prometheus would. Prints the numbers; a measurement, not a test.
#
#   agent/benches/sidecar-footprint.sh              60 s at 100 events/s
#   SECONDS_TO_RUN=300 RATE=100 agent/benches/sidecar-footprint.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${SECONDS_TO_RUN:-60}"
rate="${RATE:-100}"
cargo build --locked --profile sidecar -p rightsize --bin rightsize 2>&1 | tail -1
binary=target/sidecar/rightsize
work="$(mktemp -d)"
sidecar_pid=""
writer_pid=""
cleanup() {
    [ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null || true
    [ -n "$sidecar_pid" ] && kill "$sidecar_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

mkdir -p "$work/logs"
MALLOC_ARENA_MAX=2 "$binary" sidecar --dir "$work/logs" --listen 127.0.0.1:0 >"$work/address" 2>"$work/stderr" &
sidecar_pid=$!
for _ in $(seq 100); do [ -s "$work/address" ] && break; sleep 0.1; done
address="$(sed -n 's|^listening on http://||p' "$work/address")"
[ -n "$address" ] || { cat "$work/stderr"; echo "the sidecar did not start" >&2; exit 1; }

ticks_per_second="$(getconf CLK_TCK)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$sidecar_pid/stat"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$sidecar_pid/status"; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$sidecar_pid/status"; }

sleep 1
idle_rss="$(rss_kib)"
python3 agent/benches/gc-log-writer.py agent/tests/fixtures/jvm/jdk17-g1/gc.log "$work/logs/gc.log" "$rate" "$seconds" >"$work/written" &
writer_pid=$!
# Let the backlog and warm-up pass before measuring CPU.
sleep 5
ticks_start="$(cpu_ticks)"
start="$(date +%s.%N)"
while kill -0 "$writer_pid" 2>/dev/null; do
    curl -sf "http://$address/metrics" >/dev/null || true
    sleep 1
done
writer_pid=""
ticks_end="$(cpu_ticks)"
end="$(date +%s.%N)"
sleep 2
events="$(curl -sf "http://$address/metrics" | sed -n 's/^rightsize_gc_events_total{[^}]*} //p' | head -1 || true)"
rss="$(rss_kib)"
hwm="$(hwm_kib)"

awk -v idle="$idle_rss" -v rss="$rss" -v hwm="$hwm" -v t0="$ticks_start" -v t1="$ticks_end" \
    -v s0="$start" -v s1="$end" -v hz="$ticks_per_second" -v rate="$rate" -v written="$(cat "$work/written")" \
    -v events="${events:-0}" 'BEGIN {
    cpu = (t1 - t0) / hz / (s1 - s0) * 100
    printf "sidecar footprint, %d s at %d GC events/s (%d events written, %d counted)\n", s1 - s0, rate, written, events
    printf "  RSS idle      %6.1f MiB\n", idle / 1024
    printf "  RSS at end    %6.1f MiB   target <= 10 MB   %s\n", rss / 1024, (rss * 1024 <= 10e6 ? "ok" : "OVER")
    printf "  RSS peak      %6.1f MiB   target <= 10 MB   %s\n", hwm / 1024, (hwm * 1024 <= 10e6 ? "ok" : "OVER")
    printf "  CPU           %6.2f %% of a core   target <= 0.5 %%   %s\n", cpu, (cpu <= 0.5 ? "ok" : "OVER")
}'
