#!/usr/bin/env bash
# Throughput cost of record timing on the cheapest chained pipeline Flink runs (bounded source of
# longs → map → filter → discarding sink, parallelism 1, object reuse on; OverheadPipeline.java),
# stock Flink against the same Flink with the overlay jar first on the classpath. A benchmark, not
# a test: it asserts nothing and prints its numbers.
#
# Each run is a fresh JVM (so JIT profiles and the JNI library never carry over) running one job
# on a local MiniCluster, measured in its steady state: over the second half of its records
# (the first is the JIT's; see OverheadPipeline.java). Runs alternate between the
# configurations in every round, so drift of the (shared, noisy) machine hits them alike:
#   stock     the release's own lib/ jars
#   off       overlay jar first, rightsize.timing.enabled=false (what the patched classes cost
#             when nothing is wrapped: should match stock)
#   default   overlay jar + libjni_metrics.so first, default settings
#   every     the same with rightsize.timing.sample-interval=0 (every record timed)
#   default@I the same with rightsize.timing.sample-interval=I (a Flink duration: 1s, 500ms; 1h
#             never arms within a job, so it shows what armings cost against what the
#             timing-ready record path costs)
# WATERMARK_INTERVAL (e.g. 100ms; unset: none) gives every configuration's source a periodic
# watermark generator that does nothing: the mail on that interval, as jobs with event time have.
# SOURCE=lines reads the records from a file of text lines (written once into the benchmark's
# target/) through the reader Kafka's source builds on, instead of Flink's sequence of longs
# (the default), whose reader the JIT compiles into the source's record loop.
# PRELUDE=N first runs a keyed chain of N records in the same JVM, at the default sample
# interval: Flink's record-processor call sites have then seen both of Flink's processor classes
# (and timed ones), as in a TaskManager that has run keyed jobs (see OverheadPipeline.java).
# CONFIGS picks them (default "stock off default"; stock comes first). Two rates per run, both
# over the measured records: records per second of wall time and records per CPU-second of the
# task thread and the timing's sampler thread (steadier on a shared machine: preemption costs
# wall time, not CPU time).
# Prints each run's rates with their ratios to the stock run of the same round, then per
# configuration and measure the median rate and the per-round ratios to stock: their median
# with its 95 % interval, their geometric mean with its interval, and their range. Separate
# JVMs of the same code differ by several per cent (off against stock shows how much), so the
# interval is the figure to read, and more rounds narrow it: `summarize` pools saved runs.
#
#   flink-patch/benchmarks/overhead.sh                    Flink 2.3.0, 20 rounds, 200 M records
#   ROUNDS=40 FLINK_VERSIONS="2.3.0 1.20.5" flink-patch/benchmarks/overhead.sh
#   ROUNDS=2 RECORDS=40000000 CONFIGS="stock every" flink-patch/benchmarks/overhead.sh
#   CONFIGS="stock default default@1s default@1h" flink-patch/benchmarks/overhead.sh
#   WATERMARK_INTERVAL=100ms CONFIGS="stock default" flink-patch/benchmarks/overhead.sh
#   SOURCE=lines CONFIGS="stock default" flink-patch/benchmarks/overhead.sh
#   PRELUDE=20000000 CONFIGS="stock default default@1h" flink-patch/benchmarks/overhead.sh
#   flink-patch/benchmarks/overhead.sh > run1.txt; ...; flink-patch/benchmarks/overhead.sh summarize run*.txt
#
# Builds what is missing or stale first: the native library (cargo) and the overlay jar (Maven);
# provisions the Flink distribution into the shared cache if absent (tests/env/provision.sh).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
. "$repo/scripts/lib/common.sh"
. "$repo/tests/env/lib.sh"

# Reads round lines ("Flink V round N:  config wall R M/s (q) cpu R M/s (q) ...", as this script
# prints them, from one run or several) and prints one line per version, measure and
# configuration: the median rate, and the per-round ratios to stock as their median with its
# 95 % distribution-free interval (order statistics), their geometric mean with its 95 %
# Student-t interval, and their range. Separate JVMs spread by several per cent, and some
# (stock's too) land 20-30 % low, so the median and its interval are the figures
# to read; the mean shows how far the slow JVMs pull.
summarize() {
    awk '
        function t975(df) {  # two-sided 95 % quantile of Student t
            if (df < 1) return 0
            if (df <= 10) { split("12.71 4.30 3.18 2.78 2.57 2.45 2.36 2.31 2.26 2.23", t, " "); return t[df] }
            return df <= 15 ? 2.13 : df <= 20 ? 2.09 : df <= 30 ? 2.04 : df <= 60 ? 2.00 : df <= 120 ? 1.98 : 1.96
        }
        function sorted(values, n,   i, j, x) {  # insertion sort of values[1..n]
            for (i = 2; i <= n; i++) {
                x = values[i]
                for (j = i - 1; j >= 1 && values[j] > x; j--) values[j + 1] = values[j]
                values[j + 1] = x
            }
        }
        function median(values, n) { return n % 2 ? values[(n + 1) / 2] : (values[n / 2] + values[n / 2 + 1]) / 2 }
        $1 == "Flink" && $3 == "round" {
            version = $2
            if (!(version in known)) { known[version] = 1; versions[++version_count] = version }
            # Per configuration: name, then "wall R M/s (q)" and "cpu R M/s (q)", stock first.
            # Ratios are taken from the rates (q is rounded to three places for reading).
            if ($5 != "stock") { skipped++; next }
            for (i = 5; i + 8 <= NF; i += 9) {
                config = $i
                if (!((version, config) in known)) { known[version, config] = 1; configs[version, ++config_count[version]] = config }
                for (k = 0; k < 2; k++) {
                    key = version SUBSEP $(i + 1 + 4 * k) SUBSEP config
                    n = ++rounds[key]
                    rate[key, n] = $(i + 2 + 4 * k)
                    ratios[key, n] = $(i + 2 + 4 * k) / $(7 + 4 * k)
                }
            }
        }
        END {
            if (skipped) printf "    skipped %d round lines whose first configuration is not stock\n", skipped > "/dev/stderr"
            split("wall cpu", measures, " ")
            for (v = 1; v <= version_count; v++) for (w = 1; w <= 2; w++) for (c = 1; c <= config_count[versions[v]]; c++) {
                key = versions[v] SUBSEP measures[w] SUBSEP configs[versions[v], c]
                n = rounds[key]
                sum = squares = 0
                for (r = 1; r <= n; r++) {
                    rates[r] = rate[key, r]; q[r] = ratios[key, r]
                    l = log(q[r]); sum += l; squares += l * l
                }
                sorted(rates, n); sorted(q, n)
                mean = sum / n
                half = t975(n - 1) * (n > 1 ? sqrt((squares - n * mean * mean) / (n - 1)) : 0) / sqrt(n)
                # The median lies between these order statistics with at least 95 % confidence;
                # below 6 rounds even the range has less.
                low = int((n - 1.96 * sqrt(n)) / 2); if (low < 1) low = 1
                interval = n < 6 ? "no 95 % CI below 6 rounds" : sprintf("95 %% CI %.3f-%.3f", q[low], q[n - low + 1])
                printf "Flink %-7s %-4s %-10s %3d rounds, median %6.2f M records/s   to stock, per round: median %.3f (%s, loss %4.1f %%), geometric mean %.3f (%.3f-%.3f), range %.3f-%.3f\n",
                    versions[v], measures[w], configs[versions[v], c], n, median(rates, n), median(q, n), interval,
                    (1 - median(q, n)) * 100, exp(mean), exp(mean - half), exp(mean + half), q[1], q[n]
            }
        }'
}

if [ "${1:-}" = summarize ]; then
    shift
    [ $# -gt 0 ] || die "summarize takes the saved output of one or more runs, e.g. $0 summarize run1.txt run2.txt"
    for file in "$@"; do
        [ -r "$file" ] || die "cannot read '$file'"
    done
    lines="$(grep -h '^Flink [^ ]* round [0-9]*:' "$@" || true)"
    [ -n "$lines" ] || die "no round lines ('Flink 2.3.0 round 1: ...') in $*: give it what overhead.sh printed on its standard output"
    printf '%s\n' "$lines" | summarize
    exit 0
fi
[ $# -eq 0 ] || die "unknown argument '$1': overhead.sh takes its settings from the environment (see the top of $0), or 'summarize FILE...'"

rounds="${ROUNDS:-20}"
records="${RECORDS:-200000000}"
flink_versions="${FLINK_VERSIONS:-2.3.0}"
. "$repo/flink-patch/benchmarks/lib.sh"

read -r -a configs <<<"${CONFIGS:-stock off default}"
check_configs "${configs[@]}"
# shellcheck disable=SC2086 # one word per version
prepare $flink_versions
prepare_source "$records"

# One run in a fresh JVM; prints "records/s records/cpu-s", or dies with the JVM's output.
run_once() {
    local version="$1" config="$2" output
    configure "$version" "$config"
    if ! output="$(java "${java_options[@]}" -cp "$classpath" OverheadPipeline "$records" "${settings[@]}" 2>&1)"; then
        printf '%s\n' "$output" >&2
        die "the $config run on Flink $version failed (output above)"
    fi
    # The first run of each configuration shows where the record path comes from: a wrong
    # classpath would otherwise only show as a suspiciously good number.
    [ "$round" -eq 1 ] && printf '%s\n' "$output" | sed -n 's/^INFO /    /p' >&2
    printf '%s\n' "$output" |
        sed -n 's/^RESULT .*records_per_s=\([0-9]*\).*records_per_task_cpu_s=\([0-9]*\).*/\1 \2/p'
}

round_lines=()
for version in $flink_versions; do
    label="$(version_label "$version")"
    step "Flink $label: $rounds rounds of ${configs[*]}, $records records each (java ${java_options[*]})${watermark_interval:+, watermarks every $watermark_interval}"
    for ((round = 1; round <= rounds; round++)); do
        declare -A this_round=()
        # Each round starts one configuration further on, so no configuration always runs
        # right after the slow every-record runs (or first, on a cold machine).
        for ((k = 0; k < ${#configs[@]}; k++)); do
            config="${configs[$(((round - 1 + k) % ${#configs[@]}))]}"
            read -r wall cpu <<<"$(run_once "$version" "$config")"
            [ -n "${cpu:-}" ] || die "the $config run on Flink $version printed no RESULT line"
            this_round["$config"]="$wall $cpu"
        done
        line="Flink $label round $round:"
        for config in "${configs[@]}"; do
            line+="$(awk -v c="$config" -v rates="${this_round[$config]}" -v stock="${this_round[stock]}" 'BEGIN {
                split(rates, r, " "); split(stock, s, " ")
                printf "  %s wall %6.2f M/s (%.3f) cpu %6.2f M/s (%.3f)", c, r[1] / 1e6, r[1] / s[1], r[2] / 1e6, r[2] / s[2] }')"
        done
        printf '%s\n' "$line"
        round_lines+=("$line")
        unset this_round
    done
done

step "Summary: $rounds rounds, $records records per run, ratios against stock (wall: records per second; cpu: per CPU-second of the task and sampler threads)"
note "Separate JVMs of the same code differ by several per cent: judge a loss by its confidence interval and by off's."
note "To pool runs, save their output and run: $0 summarize FILE..."
printf '%s\n' "${round_lines[@]}" | summarize
