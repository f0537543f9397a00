#!/usr/bin/env bash
# The README's first command: Rightsize on a real Flink + Kafka cluster on this machine.
#
# Builds rightsize, the native timing library, the timing overlay for Flink 1.20.5 and the demo's
# workloads; provisions Flink and Kafka into the per-user cache (once); starts them on loopback
# with the overlay installed. Three copies of one job (Kafka → a map that costs a fixed time per
# record → sink) then run side by side, each fed its own topic at the same steady rate: one with
# far more parallelism than the traffic needs, one with too little, one about right. Their needs
# follow from arithmetic (a subtask does 1 s / cost records a second), so the advice can be
# checked by hand. Once Flink's metrics have settled, `rightsize scan` prints its verdicts and
# recommended parallelism per job, and `rightsize gc` analyses the TaskManager's real GC log
# (table, and an HTML report). Whatever happens (success, an error, Ctrl-C), everything the demo
# started is stopped on the way out.
#
#   scripts/demo.sh      about 3.5 min once built and cached (a first build adds 3-5 min);
#                        results in target/demo/
#
#   RIGHTSIZE_DEMO_RATE=400     records per second into each job's topic
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
. tests/env/lib.sh

# The Flink line with both the timing overlay and a released Kafka connector.
FLINK_VERSION=1.20.5
RATE="${RIGHTSIZE_DEMO_RATE:-400}"
[[ "$RATE" =~ ^[1-9][0-9]*$ ]] || die "RIGHTSIZE_DEMO_RATE must be a positive number of records/s, not $RATE"
PARTITIONS=8
# label, parallelism, cost of one record in µs. At 400 records/s: 0.8 busy subtasks spread over
# 8; 2.0 busy subtasks' worth of records on 1 (it keeps up with half and a backlog grows); 1.2
# on 2 (each 60 % busy).
JOBS=("over-provisioned 8 2000" "under-provisioned 1 5000" "right-sized 2 3000")
# Flink's per-second rates are averages over the last 60 s: the traffic flows this long before
# the scan, and the scan treats jobs up for less than SETTLE_SECONDS as unsettled.
TRAFFIC_SECONDS=75
SETTLE_SECONDS=60
SETTLE_TIMEOUT_SECONDS=240
POLL_SECONDS=10
# Default sampling (records of 10 µs or more, like these, are all timed), over 10 s windows; the
# JobManager fetches metrics every second.
TIMING_CONF=(--conf 'rightsize.timing.enabled: true'
    --conf 'rightsize.timing.window: 10 s' --conf 'metrics.fetcher.update-interval: 1000')

out="$PWD/target/demo"
run_dir="$out/cluster"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
rightsize="$target_dir/release/rightsize"
cluster() { tests/env/cluster.sh "$1" --run-dir "$run_dir" "${@:2}"; }
topic_of() { printf 'rightsize-demo-%s\n' "$1"; }

# --- progress: numbered phases, each with its expected and its actual duration ----------------

PHASES=9
phase_number=0
phase_started=$SECONDS
phase() {
    end_phase
    phase_number=$((phase_number + 1))
    phase_started=$SECONDS
    step "[$phase_number/$PHASES] $1 (expect $2)"
}
end_phase() {
    [ "$phase_number" -eq 0 ] || note "done in $((SECONDS - phase_started)) s"
}

# --- stopping everything, whatever happens ---------------------------------------------------

cluster_requested=false
producer_pids=()   # the traffic's producers, stopped by stop_producers (tests/env/lib.sh)
finish() {
    local status=$?
    trap - EXIT
    trap '' INT TERM # stopping must not be cut short
    case "$status" in
        0) ;;
        130 | 143) note "interrupted" ;;
        *) note "the demo failed (exit $status); the run's logs stay in $run_dir" \
            "(print them with: tests/env/cluster.sh logs --run-dir $run_dir)" ;;
    esac
    stop_producers
    if $cluster_requested; then
        # Numbered as the last phase, also when an earlier one failed.
        phase_number=$PHASES
        phase_started=$SECONDS
        step "[$PHASES/$PHASES] Stopping Flink and Kafka, and checking that nothing is left (expect about 10 s)"
        local left=()
        cluster stop || left+=("what cluster.sh stop reported above")
        local pid
        for pid in ${RIGHTSIZE_JM_PID:-} ${RIGHTSIZE_TM_PID:-} ${RIGHTSIZE_KAFKA_PID:-}; do
            if pid_running "$pid"; then left+=("PID $pid"); fi
        done
        end_phase
        if [ "${#left[@]}" -eq 0 ]; then
            note "nothing the demo started is running"
        else
            printf 'error: still running after stop: %s\n' "${left[*]}" >&2
            [ "$status" -ne 0 ] || status=1
        fi
    fi
    [ "$status" -ne 0 ] || step "Done in $((SECONDS - demo_started)) s. Advice: $out/scan.txt, $out/scan.json; GC report: $out/gc-report.html"
    exit "$status"
}
demo_started=$SECONDS
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Flink's REST API ------------------------------------------------------------------------

# What every snippet below runs with: `get(path)`, a JSON document of the REST API, and `args`.
REST_PRELUDE="$(cat <<'PY'
import json, math, sys, time, urllib.request
base, args = sys.argv[1], sys.argv[2:]
def get(path):
    with urllib.request.urlopen(base + path, timeout=10) as response:
        return json.load(response)
PY
)"
# Runs a snippet against the cluster's REST API: flink_rest SNIPPET ARGS...
flink_rest() { python3 -c "$REST_PRELUDE"$'\n'"$1" "$RIGHTSIZE_FLINK_REST_URL" "${@:2}"; }

# "<job state> <subtasks running> <subtasks> <records/s out of the source vertices>" of a job, or
# "UNREACHABLE 0 0 0"; its sources are the vertices without inputs in the job's plan. (A source
# task counts no records in: what it reads shows as what its chain hands on.)
JOB_SNAPSHOT="$(cat <<'PY'
jid = args[0]
try:
    job = get(f"/jobs/{jid}")
    running = sum(v["tasks"].get("RUNNING", 0) for v in job["vertices"])
    subtasks = sum(v["parallelism"] for v in job["vertices"])
    sources = [n["id"] for n in get(f"/jobs/{jid}/plan")["plan"]["nodes"] if not n.get("inputs")]
    rate = 0.0
    for vid in sources:
        for metric in get(f"/jobs/{jid}/vertices/{vid}/subtasks/metrics?get=numRecordsOutPerSecond&agg=sum"):
            if not math.isnan(metric.get("sum", 0.0)):
                rate += metric.get("sum", 0.0)
    print(job["state"], running, subtasks, round(rate))
except Exception as error:  # a poll that fails is retried; the caller bounds the wait
    print(f"REST request failed: {error}", file=sys.stderr)
    print("UNREACHABLE 0 0 0")
PY
)"

# The root cause of a job's most recent failure, one line.
JOB_FAILURE="$(cat <<'PY'
entries = get(f"/jobs/{args[0]}/exceptions").get("exceptionHistory", {}).get("entries", [])
trace = entries[0].get("stacktrace", "") if entries else ""
causes = [line for line in trace.splitlines() if line.startswith("Caused by")]
print(causes[-1] if causes else trace.splitlines()[0] if trace else "no exception recorded")
PY
)"

# --- the demo --------------------------------------------------------------------------------

phase "Building rightsize and the native timing library (release)" \
    "a few seconds when built, 3-4 min from scratch"
mkdir -p "$out"
if ! cargo build --release --locked -p rightsize -p jni-metrics >"$out/build.log" 2>&1; then
    tail -n 40 "$out/build.log" >&2
    die "cargo build failed (full output: $out/build.log)"
fi
note "$(tail -n 1 "$out/build.log" | sed 's/^ *//')"
[ -x "$rightsize" ] || die "cargo built no $rightsize"
[ -f "$target_dir/release/libjni_metrics.so" ] || die "cargo built no $target_dir/release/libjni_metrics.so"

phase "Building the timing overlay for Flink $FLINK_VERSION and the demo's job (Maven)" \
    "a few seconds when built, about 1 min from scratch"
overlay_module=flink-patch/overlay-1.20
overlay_jar() { compgen -G "$overlay_module/target/rightsize-flink-overlay-$FLINK_VERSION-*.jar" | head -n 1; }
jar="$(overlay_jar)" || true
if [ -z "$jar" ] || [ -n "$(find flink-patch/pom.xml flink-patch/timing-core flink-patch/timing-flink \
    "$overlay_module/pom.xml" "$overlay_module/src" -newer "$jar" -type f -not -path '*/target/*' | head -n 1)" ]; then
    mvn -B -ntp -q -f flink-patch/pom.xml -pl overlay-1.20 -am package -DskipTests >"$out/mvn.log" 2>&1 \
        || { tail -n 40 "$out/mvn.log" >&2; die "building the overlay failed (full output: $out/mvn.log)"; }
    jar="$(overlay_jar)" || die "Maven built no overlay jar in $overlay_module/target"
fi
# The cluster runs a copy: a later rebuild must not swap the jar under its class loader.
mkdir -p "$out/overlay"
overlay="$out/overlay/$(basename "$jar")"
cp "$jar" "$overlay"
note "overlay: $jar"
note "workloads: $(workloads_jar)"

phase "Provisioning what is missing, then starting Kafka, a JobManager and a TaskManager with the overlay" \
    "about 30 s, plus about 40 s to download 480 MB into $RIGHTSIZE_CACHE the first time"
rm -f "$out/taskmanager-gc.log" "$out/gc-report.html" "$out/scan.txt" "$out/scan.json"
cluster_requested=true
if [ -f "$run_dir/cluster.env" ]; then
    note "an earlier demo's cluster is still recorded in $run_dir; stopping it for a fresh start"
    cluster stop
fi
# One slot per subtask of each job (its vertices share slots).
slots=0
for spec in "${JOBS[@]}"; do
    read -r _ parallelism _ <<<"$spec"
    slots=$((slots + parallelism))
done
cluster start --flink "$FLINK_VERSION" --scheduler default --slots "$slots" \
    --extra-lib "$overlay" --native-lib-dir "$target_dir/release" "${TIMING_CONF[@]}" >/dev/null
# shellcheck disable=SC1091 # written by cluster.sh
. "$run_dir/cluster.env"
note "Flink's web UI while the demo runs: $RIGHTSIZE_FLINK_REST_URL"

phase "Creating a topic per job ($PARTITIONS partitions) and submitting the three jobs" \
    "about 30 s"
jobs=()
for spec in "${JOBS[@]}"; do
    read -r label parallelism cost <<<"$spec"
    topic="$(topic_of "$label")"
    tests/env/kafka.sh --run-dir "$run_dir" topics --create --if-not-exists --topic "$topic" \
        --partitions "$PARTITIONS" --replication-factor 1 >/dev/null
    job="$(tests/env/workloads/cost-job.sh --run-dir "$run_dir" TOPIC="$topic" \
        PARALLELISM="$parallelism" COST_US="$cost" NAME="rightsize-demo-$label")"
    jobs+=("$job")
    # The arithmetic the scanner's advice can be checked against (its utilisation target is 0.7,
    # and a source's parallelism is aligned up to a divisor of its partitions).
    note "$(python3 - "$label" "$job" "$parallelism" "$cost" "$RATE" "$PARTITIONS" <<'PY'
import math, sys
label, job, p, cost_us, rate, partitions = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
busy = rate * cost_us / 1e6
needed = max(1, math.ceil(busy / 0.7 - 1e-9))
aligned = next(d for d in range(needed, partitions + 1) if partitions % d == 0) if needed <= partitions else partitions
print(f"{label} job {job}: P = {p}, {cost_us / 1000:g} ms a record → capacity {p * 1e6 / cost_us:.0f} "
      f"records/s for {rate} arriving; needs {busy:.1f} busy subtasks → P = {aligned} at 70 %")
PY
)"
done

phase "Starting the traffic: $RATE records/s into each topic (tests/env/workloads/produce.sh)" \
    "a few seconds"
input_rates=()
for spec in "${JOBS[@]}"; do
    read -r label _ <<<"$spec"
    topic="$(topic_of "$label")"
    # Bounded, in case the demo is killed outright; stopped by PID on the way out.
    tests/env/workloads/produce.sh --run-dir "$run_dir" TOPIC="$topic" RATE="$RATE" SECONDS=900 \
        2>"$out/producer-$label.log" &
    producer_pids+=("$!")
    input_rates+=(--input-rate "$topic=$RATE")
done
traffic_started=$SECONDS
note "producer logs: $out/producer-*.log"

phase "Waiting for the jobs' metrics to settle" \
    "about 90 s: Flink's rates are averages over the last minute"
# Settled: every subtask of every job runs, records have flowed for TRAFFIC_SECONDS, and no job's
# rate moved by 5 % or more since the last poll. The polls also keep the JobManager's metric store
# fresh (it fetches from the TaskManagers only when a REST metrics request comes in), so the scan
# below reads current numbers.
previous_rates=()
while :; do
    waited=$((SECONDS - traffic_started))
    settled=true
    line=""
    for index in "${!JOBS[@]}"; do
        read -r label _ <<<"${JOBS[$index]}"
        read -r state running subtasks rate <<<"$(flink_rest "$JOB_SNAPSHOT" "${jobs[$index]}")"
        case "$state" in
            FAILED | FAILING | CANCELED | CANCELLING | FINISHED | SUSPENDED)
                die "the $label job ${jobs[$index]} is $state: $(flink_rest "$JOB_FAILURE" "${jobs[$index]}")" ;;
        esac
        previous="${previous_rates[$index]:-0}"
        previous_rates[index]=$rate
        if [ "$state" != RUNNING ] || [ "$subtasks" -eq 0 ] || [ "$running" -ne "$subtasks" ] \
            || [ "$rate" -eq 0 ] || [ $(((rate - previous) * 20)) -ge "$rate" ] \
            || [ $(((previous - rate) * 20)) -ge "$rate" ]; then
            settled=false
        fi
        line+="$(printf '%s %d/%d running, %d/s; ' "$label" "$running" "$subtasks" "$rate")"
    done
    for pid in "${producer_pids[@]}"; do
        pid_running "$pid" || die "a producer stopped early: $(tail -n 3 "$out"/producer-*.log)"
    done
    note "$(printf '%3d s: %s' "$waited" "${line%; }")"
    if $settled && [ "$waited" -ge "$TRAFFIC_SECONDS" ]; then
        break
    fi
    if [ "$waited" -ge "$SETTLE_TIMEOUT_SECONDS" ]; then
        die "the jobs' metrics did not settle within ${SETTLE_TIMEOUT_SECONDS} s:" \
            "a busy machine reads slowly: check 'uptime' and try again when it is quieter"
    fi
    sleep "$POLL_SECONDS"
done
note "(the under-provisioned job reads about half of what arrives: the rest waits in Kafka)"

phase "Scanning the cluster: rightsize scan" "a few seconds"
# S measured on the broker (growth of the topics' log-end offsets) where the scanner can, else
# the producers' known rate per topic.
if "$rightsize" scan --help 2>/dev/null | grep -q -- '--kafka-bootstrap'; then
    input_rates=(--kafka-bootstrap "$RIGHTSIZE_KAFKA_BOOTSTRAP")
fi
scan=("$rightsize" scan --flink "$RIGHTSIZE_FLINK_REST_URL" --settle-time "${SETTLE_SECONDS}s"
    "${input_rates[@]}")
note "${scan[*]#"$PWD/"}"
printf '\n'
"${scan[@]}" | tee "$out/scan.txt"
"${scan[@]}" --output json >"$out/scan.json"
printf '\n'
note "Compare with the arithmetic printed when the jobs were submitted (phase 4)."
note "JSON with every quantity: $out/scan.json"
stop_producers

phase "Analysing the TaskManager's real GC log with rightsize gc" "about 2 s"
gc_log="$out/taskmanager-gc.log"
tm_id="$(flink_rest 'print(get("/taskmanagers")["taskmanagers"][0]["id"])')"
if curl -sf --max-time 30 -o "$gc_log" \
    "$RIGHTSIZE_FLINK_REST_URL/taskmanagers/$tm_id/logs/taskmanager-gc.log"; then
    note "fetched over REST: /taskmanagers/$tm_id/logs/taskmanager-gc.log ($(wc -c <"$gc_log") bytes)"
else
    note "the REST API did not serve the GC log; copying $RIGHTSIZE_TM_GC_LOG from disk"
    cp "$RIGHTSIZE_TM_GC_LOG" "$gc_log"
fi
printf '\n'
"$rightsize" gc "$gc_log" --html "$out/gc-report.html"
# Said here so that nobody reads the demo's verdict as the tool's limit.
note "This TaskManager ran for about 3 minutes, all of it inside the analysis' 5-minute warm-up,"
note "so its heap verdict is inconclusive by design: a long-running TaskManager's log gives a firm one."
end_phase
