# shellcheck shell=bash
# Shared by tests/env/*.sh: where the pinned inputs live in the per-user cache, and how to read
# versions.lock. Source it after scripts/lib/common.sh; do not run it.

RIGHTSIZE_ENV_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck disable=SC2034 # used by the scripts that source this
RIGHTSIZE_REPO="$(cd "$RIGHTSIZE_ENV_DIR/../.." && pwd)"
RIGHTSIZE_LOCK="$RIGHTSIZE_ENV_DIR/versions.lock"
# Everything this environment provisions lives under one folder of the shared cache, so that
# deleting it resets the environment and nothing else.
RIGHTSIZE_ENV_CACHE="$RIGHTSIZE_CACHE/env"

# Prints the fields after the kind of every lock line of that kind whose first field is $2
# (or of every line of that kind when $2 is empty).
lock_lines() {
    local kind="$1" key="${2:-}"
    [ -f "$RIGHTSIZE_LOCK" ] || die "missing $RIGHTSIZE_LOCK"
    awk -v kind="$kind" -v key="$key" '
        /^[[:space:]]*(#|$)/ { next }
        $1 == kind && (key == "" || $2 == key) { $1 = ""; sub(/^ /, ""); print }
    ' "$RIGHTSIZE_LOCK"
}

# The value of a `default <name> <value>` lock line.
lock_default() {
    local value
    value="$(lock_lines default "$1" | awk '{ print $2 }')"
    [ -n "$value" ] || die "versions.lock has no 'default $1' line"
    printf '%s\n' "$value"
}

# Every Flink version the lock pins, in lock order.
lock_flink_versions() { lock_lines flink | awk '{ print $1 }'; }

flink_home_cached() { printf '%s\n' "$RIGHTSIZE_ENV_CACHE/flink-$1"; }
kafka_connector_dir() { printf '%s\n' "$RIGHTSIZE_ENV_CACHE/flink-connector-kafka-$1"; }
kafka_dir() { printf '%s\n' "$RIGHTSIZE_ENV_CACHE/kafka-$1"; }

# The Kafka connector version pinned for a Flink version, or nothing when it has none.
lock_kafka_connector_version() {
    lock_lines flink-kafka-connector "$1" | awk '{ print $2 }'
}

# A digest of a folder's jars: sha256 of the sorted "sha256  name" lines. Pins a whole resolved
# classpath with one lock value; `sha256sum` on the files tells which one changed.
jar_set_digest() {
    (cd "$1" && find . -maxdepth 1 -name '*.jar' -printf '%f\n' | LC_ALL=C sort \
        | xargs -r sha256sum | sha256sum | awk '{ print $1 }')
}

# The classpath of every jar in a folder, sorted, `:`-separated.
jar_classpath() {
    find "$1" -maxdepth 1 -name '*.jar' | LC_ALL=C sort | paste -sd: -
}

# Whether a process runs: it exists and is no zombie (a JVM whose launcher exited is reparented,
# and may wait a while as a zombie for its new parent to reap it).
pid_running() {
    local stat
    stat="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
    [[ "$stat" != Z* ]]
}

# The run dir of a script called as `SCRIPT [--run-dir DIR] ARGS...`: DIR, else as in cluster.sh
# ($RIGHTSIZE_E2E_DIR or target/e2e/cluster). Sets run_dir, and run_dir_args to the number of
# arguments the caller shifts (0 or 2); a --run-dir without a value calls the caller's usage.
# shellcheck disable=SC2034 # run_dir and run_dir_args are the caller's
take_run_dir() {
    run_dir="${RIGHTSIZE_E2E_DIR:-$RIGHTSIZE_REPO/target/e2e/cluster}"
    run_dir_args=0
    if [ "${1:-}" = --run-dir ]; then
        [ $# -ge 2 ] || usage
        run_dir="$2"
        run_dir_args=2
    fi
}

# Stops the background producers (produce.sh) whose PIDs the caller collected in producer_pids;
# each also ends on its own after the bound it was started with.
stop_producers() {
    local pid
    for pid in "${producer_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    producer_pids=()
}

# Loads the ports, paths and PIDs cluster.sh recorded for a run dir (plain KEY=value lines, so
# they become globals), or stops with what to do.
load_cluster_state() {
    [ -f "$1/cluster.env" ] || die "no cluster in $1: start one with tests/env/cluster.sh start"
    # shellcheck disable=SC1091 # written by cluster.sh
    . "$1/cluster.env"
}

# The jar of the DataStream workloads (workloads/datastream/: CostJob, FixedRateProducer), built
# with Maven when missing or older than its sources; its path on stdout.
workloads_jar() {
    local module="$RIGHTSIZE_ENV_DIR/workloads/datastream"
    local jar="$module/target/rightsize-workloads.jar"
    if [ ! -f "$jar" ] || [ -n "$(find "$module/pom.xml" "$module/src" -newer "$jar" -type f | head -n 1)" ]; then
        mvn -B -ntp -q -Dstyle.color=never -f "$module/pom.xml" package >&2 \
            || die "building $module failed (mvn -B -ntp -f $module/pom.xml package)"
    fi
    printf '%s\n' "$jar"
}
