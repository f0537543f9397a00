#!/usr/bin/env bash
# Submits CostJob (workloads/datastream/) to a running cluster.sh cluster and prints its job ID:
# Kafka source → a map that spends COST_US microseconds on every record → a discarding sink, at
# parallelism PARALLELISM. Its capacity is PARALLELISM × 1 s / COST_US by construction, so a test
# knows what parallelism the traffic it sends really needs.
#
#   tests/env/workloads/cost-job.sh [--run-dir DIR] TOPIC=t PARALLELISM=p COST_US=n [NAME=job-name]
#
# The cluster needs Kafka, and PARALLELISM free slots; the jar is built against Flink 1.20.5 and
# its Kafka connector (the line that has both the timing overlay and a connector), so start it
# with --flink 1.20.5. The job reads the topic from its start (give each run a fresh topic). The client's output is kept as <run dir>/workloads/<name>.out.
# --run-dir defaults, as in cluster.sh, to $RIGHTSIZE_E2E_DIR or target/e2e/cluster.
set -euo pipefail
shopt -s inherit_errexit
. "$(cd "$(dirname "$0")/../../.." && pwd)/scripts/lib/common.sh"
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"

usage() { sed -n '/^#   tests/,/^#$/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

take_run_dir "$@"
shift "$run_dir_args"
topic="" parallelism="" cost_us="" name=""
for assignment in "$@"; do
    case "$assignment" in
        TOPIC=?*) topic="${assignment#*=}" ;;
        PARALLELISM=?*) parallelism="${assignment#*=}" ;;
        COST_US=?*) cost_us="${assignment#*=}" ;;
        NAME=?*) name="${assignment#*=}" ;;
        *) die "expected TOPIC=, PARALLELISM=, COST_US= or NAME=, got: $assignment" ;;
    esac
done
if [ -z "$topic" ] || [ -z "$parallelism" ] || [ -z "$cost_us" ]; then usage; fi
[[ "$parallelism" =~ ^[1-9][0-9]*$ ]] || die "PARALLELISM must be a positive number, not $parallelism"
[[ "$cost_us" =~ ^[1-9][0-9]*$ ]] || die "COST_US must be a positive number of microseconds, not $cost_us"
name="${name:-rightsize-cost-$topic}"
load_cluster_state "$run_dir"
[ -n "$RIGHTSIZE_KAFKA_BOOTSTRAP" ] \
    || die "the cluster in $run_dir runs without Kafka (start it without --no-kafka)"
jar="$(workloads_jar)"

work_dir="$run_dir/workloads"
mkdir -p "$work_dir"
output="$work_dir/$name.out"
status=0
FLINK_CONF_DIR="$RIGHTSIZE_FLINK_CONF_DIR" "$RIGHTSIZE_FLINK_HOME/bin/flink" run -d \
    -c org.rightsize.workloads.CostJob "$jar" --bootstrap "$RIGHTSIZE_KAFKA_BOOTSTRAP" \
    --topic "$topic" --parallelism "$parallelism" --cost-us "$cost_us" --name "$name" \
    </dev/null >"$output" 2>&1 || status=$?
case "$status" in 130 | 143) exit "$status" ;; esac
job_id="$(sed -n 's/.*JobID \([0-9a-f]\{32\}\).*/\1/p' "$output" | head -n 1)"
if [ "$status" -ne 0 ] || [ -z "$job_id" ]; then
    tail -n 30 "$output" >&2
    die "flink run did not submit CostJob (exit $status; full output: $output)"
fi
printf '%s\n' "$job_id"
