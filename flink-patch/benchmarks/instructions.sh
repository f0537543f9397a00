#!/usr/bin/env bash
# Instructions per record on the benchmark pipeline (OverheadPipeline.java, as overhead.sh runs
# it), counted by valgrind's callgrind: the task thread's instructions over records 50 %-90 % of
# one job, divided by those records, per configuration (the same names as overhead.sh's), with
# the ratio to stock. A benchmark, not a test: it asserts nothing and prints its numbers.
#
# Where overhead.sh's rates spread by several per cent between JVMs, an instruction count
# repeats to a fraction of a per cent, so a change of one instruction a record (0.3 % of this
# pipeline's ~330) shows in one run. It is not a rate: instructions differ in cost, and an
# extra one that overlaps with others costs little on real hardware. Use it to see whether a
# change adds work to the record path, and where (ATTRIBUTE), then confirm with overhead.sh.
#
# Under valgrind a record takes ~100 times as long while the sampler still arms on wall-clock
# intervals, so armed configurations (default, default@1s) time ~100 times as many records as
# they would natively, and slow timed records make the task time every record that follows
# (TaskSampling.TIME_EVERY_RECORD_ABOVE_NANOS): their counts measure timed records, not the
# defaults' cost. The configurations this measures well are stock, off and default@1h (never
# arms: the timing-ready record path).
#
#   flink-patch/benchmarks/instructions.sh                          Flink 2.3.0: stock, default@1h
#   CONFIGS="stock off default@1h" FLINK_VERSIONS="1.20.5 2.3.0" flink-patch/benchmarks/instructions.sh
#   ATTRIBUTE=15 flink-patch/benchmarks/instructions.sh             and the 15 costliest methods of each
#   SOURCE=lines flink-patch/benchmarks/instructions.sh             the same behind a reader like Kafka's
#   PRELUDE=5000000 flink-patch/benchmarks/instructions.sh          after a keyed chain in the same JVM
#
# Settings (environment): FLINK_VERSIONS (default 2.3.0), CONFIGS (default "stock default@1h",
# stock first), RECORDS per job (default 30 M; fewer and the window may still hold the JIT's
# work), SOURCE (sequence, the default, or lines: a file of text lines read the way Kafka's
# source reads, see lib.sh), WATERMARK_INTERVAL (a periodic mail for every configuration's
# source, as in overhead.sh; unset: none), PRELUDE (records of a keyed chain run first in the
# same JVM at the default sample interval, as in overhead.sh; with default@1h the measured job
# never arms, yet its switches have held timed processors; unset: none), JOBS run at once (default 2; each is one busy
# core), ATTRIBUTE=N to print where each configuration's instructions go: the N costliest
# compiled methods, per record (from the JVM's perf map). A run takes 10-20 minutes: valgrind
# runs the JVM ~150 times slower, and the MiniCluster alone takes minutes to start. It takes
# several GB of memory, more with ATTRIBUTE (see the README: give such runs JOBS=1 on a 24 GB
# machine). Each run's files stay in
# flink-patch/benchmarks/target/instructions/VERSION-CONFIG/ (VERSION-lines-CONFIG/ for lines).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
. "$repo/scripts/lib/common.sh"
. "$repo/tests/env/lib.sh"

[ $# -eq 0 ] || die "unknown argument '$1': instructions.sh takes its settings from the environment (see the top of $0)"
records="${RECORDS:-30000000}"
flink_versions="${FLINK_VERSIONS:-2.3.0}"
jobs="${JOBS:-2}"
attribute="${ATTRIBUTE:-0}"
[[ "$records" =~ ^[1-9][0-9]*$ ]] || die "RECORDS='$records': a positive number of records, e.g. 30000000"
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "JOBS='$jobs': how many runs at once, e.g. 2"
[[ "$attribute" =~ ^[0-9]+$ ]] || die "ATTRIBUTE='$attribute': how many methods to list, e.g. 15 (0: none)"
. "$repo/flink-patch/benchmarks/lib.sh"
read -r -a configs <<<"${CONFIGS:-stock default@1h}"
check_configs "${configs[@]}"

command -v valgrind >/dev/null 2>&1 || ensure_debian_packages valgrind
command -v callgrind_control >/dev/null 2>&1 || die "valgrind is installed but callgrind_control is not on the PATH"
# shellcheck disable=SC2086 # one word per version
prepare $flink_versions
prepare_source "$records"

# One run under callgrind, its files in $1. Writes "RESULT instructions records from to dump"
# (the task thread's instructions in the window, its records, where it started and ended, and
# the thread's dump file) to $1/result, or the reason it failed to $1/failed.
run_under_callgrind() {
    local dir="$1" version="$2" config="$3" status=0
    configure "$version" "$config"
    # The JobManager under valgrind answers heartbeats too slowly for the default timeout.
    settings+=("heartbeat.timeout=1800000")
    local valgrind_options=(--tool=callgrind --separate-threads=yes --smc-check=all-non-file
        # Without it, HotSpot's implicit null checks (a fault the JVM handles) crash the JVM.
        --vex-iropt-register-updates=allregs-at-mem-access -q)
    local jvm_options=(-Doverhead.callgrind=true)
    if [ "$attribute" -gt 0 ]; then
        valgrind_options+=(--dump-instr=yes)
        jvm_options+=(-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit)
    fi
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && valgrind "${valgrind_options[@]}" java "${jvm_options[@]}" "${java_options[@]}" \
        -cp "$classpath" OverheadPipeline "$records" "${settings[@]}" >out.txt 2>err.txt) || status=$?
    if [ "$status" -ne 0 ]; then
        echo "exit status $status; see $dir/err.txt" >"$dir/failed"
        return
    fi
    local pid window
    pid="$(find "$dir" -name 'callgrind.out.*' -printf '%f\n' | sed -n 's/^callgrind\.out\.\([0-9]*\).*/\1/p' | head -n 1)"
    [ -f "/tmp/perf-$pid.map" ] && mv "/tmp/perf-$pid.map" "$dir/perf.map"
    window="$(sed -n 's/^WINDOW from=\([0-9]*\) to=\([0-9]*\)$/\1 \2/p' "$dir/out.txt")"
    if [ -z "$window" ]; then
        echo "no WINDOW line; see $dir/out.txt and err.txt" >"$dir/failed"
        return
    fi
    # The task thread is the busiest in the window's dump (one file per thread).
    local busiest
    busiest="$(for file in "$dir"/callgrind.out.*.1-*; do
        printf '%s %s\n' "$(sed -n 's/^totals: \([0-9]*\).*/\1/p' "$file" | head -n 1)" "$file"
    done | sort -n | tail -n 1)"
    if [ -z "${busiest%% *}" ]; then
        echo "no callgrind dump of the window in $dir; see err.txt there" >"$dir/failed"
        return
    fi
    read -r from to <<<"$window"
    echo "RESULT ${busiest%% *} $((to - from)) $from $to ${busiest#* }" >"$dir/result"
}

results=()
for version in $flink_versions; do
    label="$(version_label "$version")"
    run_prefix="$work/instructions/${label//\//-}" # the label without its slash, to name directories
    step "Flink $label: ${configs[*]} under callgrind, $records records each, $jobs at once (10-20 minutes a run)${watermark_interval:+, watermarks every $watermark_interval}"
    running=0
    for config in "${configs[@]}"; do
        run_under_callgrind "$run_prefix-$config" "$version" "$config" &
        running=$((running + 1))
        if [ "$running" -ge "$jobs" ]; then
            wait -n || true
            running=$((running - 1))
        fi
    done
    wait
    stock=""
    for config in "${configs[@]}"; do
        dir="$run_prefix-$config"
        [ -f "$dir/failed" ] && die "the $config run on Flink $version failed: $(cat "$dir/failed")"
        [ -f "$dir/result" ] || die "the $config run on Flink $version ended without a result in $dir"
        read -r _ instructions window_records from to busiest <"$dir/result"
        [ -z "$stock" ] && stock="$instructions $window_records"
        line="$(awk -v v="$label" -v c="$config" -v i="$instructions" -v n="$window_records" -v s="$stock" \
            -v from="$from" -v to="$to" 'BEGIN {
                split(s, stock, " ")
                printf "Flink %-7s %-11s %7.1f instructions a record (%.3f of stock), task thread, records %.1f M-%.1f M",
                    v, c, i / n, (i / n) / (stock[1] / stock[2]), from / 1e6, to / 1e6 }')"
        printf '%s\n' "$line"
        results+=("$line")
        if [ "$attribute" -gt 0 ]; then
            python3 "$bench/callgrind_methods.py" "$busiest" "$dir/perf.map" "$window_records" "$attribute"
        fi
    done
done

step "Summary: instructions of the task thread per record, over records 50 %-90 % of a job of $records"
printf '%s\n' "${results[@]}"
