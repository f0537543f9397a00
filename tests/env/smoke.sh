#!/usr/bin/env bash
# Smoke test of the local environment: provisions it, starts the cluster (the lock's default
# Flink 2.x with Kafka), checks that Flink has its TaskManager and writes its GC log, that Kafka
# takes and gives back records, that a second start reuses the running cluster, and that stop
# leaves no process behind. Whatever happens (a failed check, an error, Ctrl-C) the cluster is
# stopped on the way out.
#
#   tests/env/smoke.sh     run dir: $RIGHTSIZE_E2E_DIR or target/e2e/smoke
set -euo pipefail
shopt -s inherit_errexit
. "$(cd "$(dirname "$0")/../.." && pwd)/scripts/lib/common.sh"
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

run_dir="${RIGHTSIZE_E2E_DIR:-$RIGHTSIZE_REPO/target/e2e/smoke}"
mkdir -p "$run_dir"
run_dir="$(cd "$run_dir" && pwd)"
cluster() { "$RIGHTSIZE_ENV_DIR/cluster.sh" "$1" --run-dir "$run_dir" "${@:2}"; }
kafka() { "$RIGHTSIZE_ENV_DIR/kafka.sh" --run-dir "$run_dir" "$@"; }

passed=0
failed=0
pass() { passed=$((passed + 1)); note "ok: $*"; }
fail() { failed=$((failed + 1)); note "FAILED: $*"; }

recorded_pids=""
# The script's own stdout and stderr: an interrupt can land while a function call has them
# redirected, and the EXIT trap would inherit that.
exec 3>&1 4>&2
finish() {
    local status=$?
    trap - EXIT
    trap '' INT TERM   # stopping the cluster must not be cut short
    exec 1>&3 2>&4
    # Logs for a failure once the cluster was up (a failed start has shown them already);
    # none for an interrupt.
    if { [ "$failed" -ne 0 ] || [ "$status" -ne 0 ]; } && [ "$status" -ne 130 ] \
        && [ "$status" -ne 143 ] && [ -f "$run_dir/cluster.env" ]; then
        cluster logs || true
    fi
    step "Stopping the cluster"
    if cluster stop; then
        pass "stop left nothing of $run_dir running"
    else
        fail "stop left processes running"
    fi
    local pid
    for pid in $recorded_pids; do
        if pid_running "$pid"; then fail "PID $pid still running after stop"; fi
    done
    [ "$status" -eq 0 ] || fail "the smoke test stopped early (exit $status)"
    printf 'smoke: %d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$SECONDS
flink_version="$(lock_default flink)"
"$RIGHTSIZE_ENV_DIR/provision.sh" --flink "$flink_version"
note "provisioned in $((SECONDS - started))s"

cluster_started=$SECONDS
cluster start --flink "$flink_version" >/dev/null
note "cluster ready in $((SECONDS - cluster_started))s"
# shellcheck disable=SC1091 # written by cluster.sh
. "$run_dir/cluster.env"
recorded_pids="$RIGHTSIZE_JM_PID $RIGHTSIZE_TM_PID $RIGHTSIZE_KAFKA_PID"

step "Checking Flink $RIGHTSIZE_FLINK_VERSION at $RIGHTSIZE_FLINK_REST_URL"
# Prints a Python expression over the JSON document `d` read from stdin.
json_eval() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
overview="$(curl -sf --max-time 10 "$RIGHTSIZE_FLINK_REST_URL/overview")"
taskmanagers="$(json_eval 'd["taskmanagers"]' <<<"$overview")"
version="$(json_eval 'd["flink-version"]' <<<"$overview")"
if [ "$taskmanagers" = 1 ]; then pass "/overview shows 1 TaskManager"; else fail "/overview shows $taskmanagers TaskManagers: $overview"; fi
if [ "$version" = "$RIGHTSIZE_FLINK_VERSION" ]; then pass "/overview reports Flink $version"; else fail "/overview reports Flink $version, not $RIGHTSIZE_FLINK_VERSION"; fi

if [ -s "$RIGHTSIZE_TM_GC_LOG" ] && grep -q '\[gc' "$RIGHTSIZE_TM_GC_LOG"; then
    pass "TaskManager GC log $RIGHTSIZE_TM_GC_LOG is on disk with gc lines ($(wc -c <"$RIGHTSIZE_TM_GC_LOG") bytes)"
else
    fail "TaskManager GC log $RIGHTSIZE_TM_GC_LOG is missing, empty or has no gc lines"
fi
tm_id="$(curl -sf --max-time 10 "$RIGHTSIZE_FLINK_REST_URL/taskmanagers" | json_eval 'd["taskmanagers"][0]["id"]')"
tm_logs="$(curl -sf --max-time 10 "$RIGHTSIZE_FLINK_REST_URL/taskmanagers/$tm_id/logs" \
    | json_eval '" ".join(log["name"] for log in d["logs"])')"
if [[ " $tm_logs " == *" taskmanager-gc.log "* ]]; then
    pass "the TaskManager lists taskmanager-gc.log over REST"
else
    fail "the TaskManager's REST log list lacks taskmanager-gc.log: $tm_logs"
fi

step "Checking Kafka $RIGHTSIZE_KAFKA_VERSION at $RIGHTSIZE_KAFKA_BOOTSTRAP"
topic="rightsize.smoke"
kafka topics --create --topic "$topic" --partitions 2 --replication-factor 1 >/dev/null
if kafka topics --list | grep -qxF "$topic"; then pass "topic $topic created"; else fail "topic $topic not listed"; fi
records=(one two three four five)
printf '%s\n' "${records[@]}" | kafka produce "$topic"
consumed="$(kafka consume "$topic" "${#records[@]}" 2>/dev/null | LC_ALL=C sort | paste -sd' ' -)"
expected="$(printf '%s\n' "${records[@]}" | LC_ALL=C sort | paste -sd' ' -)"
if [ "$consumed" = "$expected" ]; then
    pass "produced and consumed ${#records[@]} records"
else
    fail "consumed [$consumed], expected [$expected]"
fi

step "Starting again with the same configuration"
cluster start --flink "$flink_version" >/dev/null
if grep -qx "RIGHTSIZE_TM_PID=$RIGHTSIZE_TM_PID" "$run_dir/cluster.env" \
    && grep -qx "RIGHTSIZE_KAFKA_PID=$RIGHTSIZE_KAFKA_PID" "$run_dir/cluster.env"; then
    pass "a second start reused the running cluster"
else
    fail "a second start did not reuse the running cluster"
fi
note "checks done in $((SECONDS - started))s"
