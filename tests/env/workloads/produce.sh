#!/usr/bin/env bash
# Writes a Kafka topic of a running cluster.sh cluster at a fixed rate: FixedRateProducer
# (workloads/datastream/), a plain Kafka producer paced record by record, round-robin over the
# topic's partitions. Steadier than datagen through Flink, and it takes no task slot. Reports
# the achieved rate every 10 s on stderr; exits non-zero when a send failed or the rate fell more
# than 2 % short. Runs in the foreground (the JVM replaces this script, so its PID is the
# producer's): start it with `&` and stop it with `kill PID`, or give SECONDS.
#
#   tests/env/workloads/produce.sh [--run-dir DIR] TOPIC=t RATE=records_per_s [SECONDS=n]
#
# SECONDS=0 (the default) produces until stopped. --run-dir defaults, as in cluster.sh, to
# $RIGHTSIZE_E2E_DIR or target/e2e/cluster.
set -euo pipefail
shopt -s inherit_errexit
. "$(cd "$(dirname "$0")/../../.." && pwd)/scripts/lib/common.sh"
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"

usage() { sed -n '/^#   tests/,/^#$/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

take_run_dir "$@"
shift "$run_dir_args"
topic="" rate="" seconds=0
for assignment in "$@"; do
    case "$assignment" in
        TOPIC=?*) topic="${assignment#*=}" ;;
        RATE=?*) rate="${assignment#*=}" ;;
        SECONDS=?*) seconds="${assignment#*=}" ;;
        *) die "expected TOPIC=, RATE= or SECONDS=, got: $assignment" ;;
    esac
done
if [ -z "$topic" ] || [ -z "$rate" ]; then usage; fi
[[ "$rate" =~ ^[1-9][0-9]*$ ]] || die "RATE must be a positive number of records/s, not $rate"
[[ "$seconds" =~ ^[0-9]+$ ]] || die "SECONDS must be 0 (until stopped) or a positive number, not $seconds"
load_cluster_state "$run_dir"
[ -n "$RIGHTSIZE_KAFKA_BOOTSTRAP" ] \
    || die "the cluster in $run_dir runs without Kafka (start it without --no-kafka)"
jar="$(workloads_jar)"

# The broker's own jars hold kafka-clients; the tools' log4j2 config keeps the client quiet. The
# command line names the run dir, so `cluster.sh stop` notices a producer left running.
exec java -Xmx128m -Dlog4j2.configurationFile="$RIGHTSIZE_RUN_DIR/kafka/tools-log4j2.properties" \
    -cp "$jar:$RIGHTSIZE_KAFKA_CLASSPATH" \
    org.rightsize.workloads.FixedRateProducer --bootstrap "$RIGHTSIZE_KAFKA_BOOTSTRAP" \
    --topic "$topic" --rate "$rate" --seconds "$seconds"
