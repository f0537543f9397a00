#!/usr/bin/env bash
# Runs the Kafka command-line tools against the broker of a running cluster.sh cluster, with the
# broker's own jars from the cache and its bootstrap address from the state file.
#
#   tests/env/kafka.sh [--run-dir DIR] topics ARGS...           kafka-topics (TopicCommand)
#   tests/env/kafka.sh [--run-dir DIR] produce TOPIC            stdin lines become records
#   tests/env/kafka.sh [--run-dir DIR] consume TOPIC N [GROUP]  print the first N records of
#                                                               TOPIC, or fail after 60 s
#   tests/env/kafka.sh [--run-dir DIR] run CLASS ARGS...        any main class of the broker's jars
#
# --run-dir defaults, as in cluster.sh, to $RIGHTSIZE_E2E_DIR or target/e2e/cluster.
set -euo pipefail
. "$(cd "$(dirname "$0")/../.." && pwd)/scripts/lib/common.sh"
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

usage() { sed -n '/^#   tests/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

take_run_dir "$@"
shift "$run_dir_args"
[ $# -ge 1 ] || usage
load_cluster_state "$run_dir"
[ -n "$RIGHTSIZE_KAFKA_BOOTSTRAP" ] || die "the cluster in $run_dir runs without Kafka"

tool() {
    local class="$1"
    shift
    java -Xmx256m -Dlog4j2.configurationFile="$RIGHTSIZE_RUN_DIR/kafka/tools-log4j2.properties" \
        -cp "$RIGHTSIZE_KAFKA_CLASSPATH" "$class" "$@"
}

command="$1"
shift
case "$command" in
    topics)
        tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$RIGHTSIZE_KAFKA_BOOTSTRAP" "$@" ;;
    produce)
        [ $# -eq 1 ] || usage
        tool org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$RIGHTSIZE_KAFKA_BOOTSTRAP" \
            --topic "$1" ;;
    consume)
        if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi
        tool org.apache.kafka.tools.consumer.ConsoleConsumer \
            --bootstrap-server "$RIGHTSIZE_KAFKA_BOOTSTRAP" --topic "$1" --from-beginning \
            --max-messages "$2" --timeout-ms 60000 --group "${3:-rightsize-kafka-sh}" ;;
    run)
        [ $# -ge 1 ] || usage
        tool "$@" ;;
    *) usage ;;
esac
