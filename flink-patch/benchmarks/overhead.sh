#!/usr/bin/env bash
# Throughput cost of record timing on the cheapest chained pipeline Flink runs (bounded source of
# longs → map → filter → discarding sink, parallelism 1, object reuse on; OverheadPipeline.java),
# stock Flink against the same Flink with the overlay jar first on the classpath. A benchmark, not
# a test: it asserts nothing and prints its numbers.
#
# Each run is a fresh JVM (so JIT profiles and the JNI library never carry over) running one
# warm-up job and one measured job on a local MiniCluster. Runs alternate between three
# configurations in every round, so drift of the (shared, noisy) machine hits them alike:
#   stock     the release's own lib/ jars
#   off       overlay jar first, rightsize.timing.enabled=false (what the patched classes cost
#             when nothing is wrapped: should match stock)
#   default   overlay jar + libjni_metrics.so first, default settings
#   every     the same with rightsize.timing.sample-interval=0 (every record timed)
# CONFIGS="stock default" picks some. Two rates per run: records per second of wall time (the
# job's net runtime) and records per CPU-second of the task thread (steadier on a shared
# machine: preemption costs wall time, not CPU time).
# Prints each run's rates with their ratios to the stock run of the same round, then per
# configuration and measure the median rate against stock's, the median of the per-round ratios
# (the paired figure is the steadier one when the machine's speed drifts between rounds) and
# their range over the rounds. Then (PAIRS, default 10; 0 skips it) pairs of measured jobs in one
# JVM, default settings against timing off: the compiled code is the same both ways, so their
# ratio is what sampling costs at run time (sampler wake-ups, mails, timed records), with less
# spread than separate JVMs give.
#
#   flink-patch/benchmarks/overhead.sh                    Flink 2.3.0, 5 rounds, 50 M records
#   ROUNDS=3 RECORDS=20000000 flink-patch/benchmarks/overhead.sh
#   FLINK_VERSIONS="2.3.0 1.20.5" flink-patch/benchmarks/overhead.sh
#
# Builds what is missing or stale first: the native library (cargo) and the overlay jar (Maven);
# provisions the Flink distribution into the shared cache if absent (tests/env/provision.sh).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
. "$repo/scripts/lib/common.sh"
. "$repo/tests/env/lib.sh"

rounds="${ROUNDS:-5}"
pairs="${PAIRS:-10}"
records="${RECORDS:-50000000}"
flink_versions="${FLINK_VERSIONS:-2.3.0}"
# A fixed heap: the three configurations differ in the code they run, not in how the JVM sizes
# itself on a machine whose free memory changes with what else runs.
java_options=(-Xms1g -Xmx1g -XX:+UseParallelGC)

bench="$repo/flink-patch/benchmarks"
work="$bench/target"
native="$repo/target/release/libjni_metrics.so"
mkdir -p "$work"

overlay_module() {
    case "$1" in
        1.20.*) echo overlay-1.20 ;;
        2.3.*) echo overlay-2.x ;;
        *) die "no overlay for Flink $1 (supported: 1.20.5, 2.3.0)" ;;
    esac
}

overlay_jar() {
    local jar
    # The shade plugin's input is original-<name>.jar; this glob matches only the shaded jar.
    for jar in "$repo/flink-patch/$(overlay_module "$1")/target/rightsize-flink-overlay-$1-"*.jar; do
        [ -f "$jar" ] && { printf '%s\n' "$jar"; return; }
    done
}

# True when the overlay jar is missing or older than any source it is built from.
overlay_stale() {
    local jar
    jar="$(overlay_jar "$1")"
    [ -z "$jar" ] && return 0
    [ -n "$(find "$repo/flink-patch/timing-core/src/main" "$repo/flink-patch/timing-flink/src/main" \
        "$repo/flink-patch/$(overlay_module "$1")/src/main" "$repo/flink-patch/$(overlay_module "$1")/pom.xml" \
        -newer "$jar" -type f -print -quit)" ]
}

step "Building the native aggregator (cargo, release)"
cargo build --release --locked -p jni-metrics 2>&1 | tail -n 1 >&2
[ -f "$native" ] || die "cargo did not produce $native"

for version in $flink_versions; do
    if overlay_stale "$version"; then
        step "Building the overlay jar for Flink $version (Maven, tests skipped)"
        mvn -B -q -ntp -Dstyle.color=never -f "$repo/flink-patch/pom.xml" -DskipTests \
            -pl "$(overlay_module "$version")" -am package >&2
    fi
    [ -n "$(overlay_jar "$version")" ] || die "no overlay jar for Flink $version after the build"
    if [ ! -d "$(flink_home_cached "$version")/lib" ]; then
        step "Provisioning Flink $version into $RIGHTSIZE_ENV_CACHE"
        "$repo/tests/env/provision.sh" --flink "$version" --no-kafka >&2
    fi
    step "Compiling the pipeline against Flink $version"
    rm -rf "$work/pipeline-$version"
    javac -nowarn -d "$work/pipeline-$version" -cp "$(flink_home_cached "$version")/lib/*" \
        "$bench/pipeline/OverheadPipeline.java"
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# One run in a fresh JVM; prints "records/s records/cpu-s", or dies with the JVM's output.
run_once() {
    local version="$1" config="$2" lib classpath output
    lib="$(flink_home_cached "$version")/lib"
    local settings=()
    case "$config" in
        stock) classpath="$work/pipeline-$version:$lib/*" ;;
        off)
            classpath="$work/pipeline-$version:$(overlay_jar "$version"):$lib/*"
            settings=("rightsize.timing.enabled=false")
            ;;
        default | every)
            classpath="$work/pipeline-$version:$(overlay_jar "$version"):$lib/*"
            settings=("rightsize.timing.native-library=$native")
            [ "$config" = every ] && settings+=("rightsize.timing.sample-interval=0")
            ;;
        *) die "unknown configuration '$config' (known: stock off default every)" ;;
    esac
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

read -r -a configs <<<"${CONFIGS:-stock off default every}"
[ "${configs[0]}" = stock ] || die "CONFIGS must start with stock (the reference), got '${configs[*]}'"
measures=(wall cpu)
summary=()
for version in $flink_versions; do
    step "Flink $version: $rounds rounds of ${configs[*]}, $records records each (java ${java_options[*]})"
    # Keyed by "config measure": space-separated values, one per round.
    declare -A rates=() ratios=()
    for ((round = 1; round <= rounds; round++)); do
        declare -A this_round=()
        # Each round starts one configuration further on, so no configuration always runs
        # right after the slow every-record runs (or first, on a cold machine).
        for ((k = 0; k < ${#configs[@]}; k++)); do
            config="${configs[$(((round - 1 + k) % ${#configs[@]}))]}"
            read -r wall cpu <<<"$(run_once "$version" "$config")"
            [ -n "${cpu:-}" ] || die "the $config run on Flink $version printed no RESULT line"
            this_round["$config wall"]="$wall"
            this_round["$config cpu"]="$cpu"
        done
        line="round $round:"
        for config in "${configs[@]}"; do
            line+="  $config"
            for measure in "${measures[@]}"; do
                rate="${this_round[$config $measure]}"
                ratio="$(awk -v r="$rate" -v s="${this_round[stock $measure]}" 'BEGIN { printf "%.4f", r / s }')"
                rates["$config $measure"]+="$rate "
                ratios["$config $measure"]+="$ratio "
                line+="$(awk -v m="$measure" -v r="$rate" -v q="$ratio" \
                    'BEGIN { printf " %s %6.2f M/s (%.3f)", m, r / 1e6, q }')"
            done
        done
        printf '%s\n' "$line"
        unset this_round
    done
    for measure in "${measures[@]}"; do
        stock_median="$(printf '%s' "${rates[stock $measure]}" | tr ' ' '\n' | median)"
        for config in "${configs[@]}"; do
            m="$(printf '%s' "${rates[$config $measure]}" | tr ' ' '\n' | median)"
            paired="$(printf '%s' "${ratios[$config $measure]}" | tr ' ' '\n' | median)"
            low="$(printf '%s' "${ratios[$config $measure]}" | tr ' ' '\n' | sort -g | head -n 1)"
            high="$(printf '%s' "${ratios[$config $measure]}" | tr ' ' '\n' | sort -g | tail -n 1)"
            summary+=("$(awk -v v="$version" -v c="$config" -v w="$measure" -v m="$m" -v s="$stock_median" \
                -v p="$paired" -v lo="$low" -v hi="$high" 'BEGIN {
                printf "Flink %-7s %-4s %-8s median %7.2f M records/s   median/stock %.3f (loss %5.1f %%)   round ratios: median %.3f (loss %5.1f %%), range %.3f-%.3f",
                    v, w, c, m / 1e6, m / s, (1 - m / s) * 100, p, (1 - p) * 100, lo, hi }')")
        done
    done
    unset rates ratios
    if [ "$pairs" -gt 0 ]; then
        # The same code both ways in one JVM: what sampling costs at run time, with less spread.
        step "Flink $version: $pairs pairs of default and timing-off jobs in one JVM"
        classpath="$work/pipeline-$version:$(overlay_jar "$version"):$(flink_home_cached "$version")/lib/*"
        if ! output="$(java "${java_options[@]}" -cp "$classpath" OverheadPipeline --paired="$pairs" "$records" \
            "rightsize.timing.native-library=$native" 2>&1)"; then
            printf '%s\n' "$output" >&2
            die "the paired run on Flink $version failed (output above)"
        fi
        printf '%s\n' "$output" | grep '^PAIR ' >&2 || true
        line="$(printf '%s\n' "$output" | sed -n 's/^PAIRED pairs=[0-9]* median_ratio=\([0-9.]*\) min=\([0-9.]*\) max=\([0-9.]*\).*/\1 \2 \3/p')"
        [ -n "$line" ] || die "the paired run on Flink $version printed no PAIRED line"
        read -r p_median p_min p_max <<<"$line"
        summary+=("$(awk -v v="$version" -v n="$pairs" -v m="$p_median" -v lo="$p_min" -v hi="$p_max" 'BEGIN {
            printf "Flink %-7s cpu  default/off in one JVM, %d pairs: median %.3f (loss %5.1f %%), range %.3f-%.3f", v, n, m, (1 - m) * 100, lo, hi }')")
    fi
done

step "Summary: $rounds rounds, $records records per run, ratios against stock (wall: records per second; cpu: per CPU-second of the task thread)"
note "2 shared vCPUs are noisy: judge a loss against the spread of the rounds above."
printf '%s\n' "${summary[@]}"
