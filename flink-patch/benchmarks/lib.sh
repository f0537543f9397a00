# Shared by overhead.sh and instructions.sh: the configurations they compare, and building and
# provisioning what a run needs. Source it after scripts/lib/common.sh and tests/env/lib.sh,
# with $repo set.

# A fixed heap: the configurations differ in the code they run, not in how the JVM sizes
# itself on a machine whose free memory changes with what else runs.
java_options=(-Xms1g -Xmx1g -XX:+UseParallelGC)

bench="$repo/flink-patch/benchmarks"
work="$bench/target"
native="$repo/target/release/libjni_metrics.so"

# The pipeline's source (SOURCE): sequence, Flink's sequence of longs (the default: its reader
# is small enough for the JIT to compile into the source's record loop), or lines, a file of
# text lines, one record a line, read by the reader Kafka's source builds on (SourceReaderBase).
source_kind="${SOURCE:-sequence}"
case "$source_kind" in
    sequence | lines) ;;
    *) die "SOURCE='$source_kind': sequence (Flink's sequence of longs) or lines (a file of text lines)" ;;
esac

# PRELUDE (a number of records; unset: none) runs a keyed chain of that many records in the
# same JVM before the measured job (see OverheadPipeline.java): Flink's record-processor call
# sites have then seen both kinds of processor Flink builds, as in a TaskManager that has run
# jobs with keyed operators, instead of the one kind of a JVM that only ran this pipeline.
prelude="${PRELUDE:-}"
[ -z "$prelude" ] || [[ "$prelude" =~ ^[1-9][0-9]*$ ]] ||
    die "PRELUDE='$prelude': a number of records, e.g. 20000000"
[ -z "$prelude" ] || java_options+=("-Doverhead.prelude=$prelude")

# The Flink version as the output names it: with the source unless it is the sequence, and with
# the prelude if any, so that overhead.sh summarize never pools rounds of two pipelines.
version_label() {
    local label="$1"
    [ "$source_kind" = sequence ] || label="$label/$source_kind"
    [ -z "$prelude" ] || label="$label/prelude"
    printf '%s\n' "$label"
}

# For SOURCE=lines: writes the file of $1 lines once (seq; about 9 bytes a line, so 1.9 GB for
# overhead.sh's 200 M records) and adds the JVM option that makes the pipeline read it.
prepare_source() {
    [ "$source_kind" = lines ] || return 0
    local file="$work/lines-$1.txt"
    if [ ! -f "$file" ]; then
        step "Writing $1 lines to $file"
        seq 1 "$1" >"$file.partial" && mv "$file.partial" "$file"
    fi
    java_options+=("-Doverhead.lines=$file")
}

# A duration as Flink's settings take it, in the units the benchmarks need.
is_duration() { [[ "$1" =~ ^[0-9]+(ms|s|min|h)$ ]]; }

# WATERMARK_INTERVAL (a duration; unset: none) gives every configuration's source a periodic
# watermark generator that does nothing: the mail on that interval that jobs with event time
# get, which makes the source task leave its record loop (see OverheadPipeline.java).
watermark_interval="${WATERMARK_INTERVAL:-}"
[ -z "$watermark_interval" ] || is_duration "$watermark_interval" ||
    die "WATERMARK_INTERVAL='$watermark_interval': a number and a unit (ms, s, min or h), e.g. 100ms"

# Dies unless every argument names a configuration (see the top of overhead.sh), stock first.
# Checked before anything is built: a bad interval would otherwise only show as a warning in
# the JVM's log and a run at the default one.
check_configs() {
    [ "$1" = stock ] || die "CONFIGS must start with stock (the reference), got '$*'"
    local config
    for config in "$@"; do
        case "$config" in
            stock | off | default | every) ;;
            default@*)
                is_duration "${config#default@}" ||
                    die "'$config': the interval after default@ is a number and a unit (ms, s, min or h), e.g. default@1s"
                ;;
            *) die "unknown configuration '$config' (known: stock off default every default@<interval>)" ;;
        esac
    done
}

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

# Builds what is missing or stale for the given Flink versions: the native library (cargo),
# each overlay jar (Maven), each Flink distribution (into the shared cache) and the pipeline
# compiled against it (into $work/pipeline-VERSION).
prepare() {
    mkdir -p "$work"
    step "Building the native aggregator (cargo, release)"
    cargo build --release --locked -p jni-metrics 2>&1 | tail -n 1 >&2
    [ -f "$native" ] || die "cargo did not produce $native"
    local version
    for version in "$@"; do
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
}

# Sets $classpath and the array $settings (the job's KEY=VALUE arguments) for one
# configuration on one Flink version.
configure() {
    local version="$1" config="$2" lib
    lib="$(flink_home_cached "$version")/lib"
    settings=()
    case "$config" in
        stock) classpath="$work/pipeline-$version:$lib/*" ;;
        off)
            classpath="$work/pipeline-$version:$(overlay_jar "$version"):$lib/*"
            settings=("rightsize.timing.enabled=false")
            ;;
        default | every | default@*)
            classpath="$work/pipeline-$version:$(overlay_jar "$version"):$lib/*"
            settings=("rightsize.timing.native-library=$native")
            # Ifs, not `test && add`: a false test as the function's last command would fail it,
            # and with it a caller under `set -e` (instructions.sh's background runs).
            if [ "$config" = every ]; then
                settings+=("rightsize.timing.sample-interval=0")
            elif [[ "$config" == default@* ]]; then
                settings+=("rightsize.timing.sample-interval=${config#default@}")
            fi
            ;;
    esac
    if [ -n "$watermark_interval" ]; then
        settings+=("pipeline.auto-watermark-interval=$watermark_interval")
    fi
}
