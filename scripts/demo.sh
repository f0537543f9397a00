#!/usr/bin/env bash
# The README's first command: Rightsize on a real Flink + Kafka cluster on this machine.
#
# Builds rightsize, provisions Flink and Kafka into the per-user cache (once), starts them on
# loopback, feeds a Kafka topic with steady traffic and runs a consumer job with far more
# parallelism than that traffic needs. Once Flink's own metrics have settled it prints, per
# vertex of the consumer, the parallelism and what the metrics say about utilisation; then it
# analyses the TaskManager's real GC log with `rightsize gc` (table, and an HTML report). Until
# the parallelism scanner exists, this is the evidence it will turn into advice. Whatever
# happens (success, an error, Ctrl-C), everything the demo started is stopped on the way out.
#
#   scripts/demo.sh      about 2.5 min once built and cached (a first build adds 2-3 min);
#                        results in target/demo/
#
#   RIGHTSIZE_DEMO_RATE=2000         records per second of the traffic
#   RIGHTSIZE_DEMO_PARALLELISM=8     parallelism of the over-provisioned consumer
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
. scripts/lib/common.sh
. tests/env/lib.sh

# The newest Flink with a released Kafka connector (Flink 2.3 has none yet).
FLINK_VERSION=2.2.1
RATE="${RIGHTSIZE_DEMO_RATE:-2000}"
PARALLELISM="${RIGHTSIZE_DEMO_PARALLELISM:-8}"
TOPIC=orders
[[ "$RATE" =~ ^[1-9][0-9]*$ ]] || die "RIGHTSIZE_DEMO_RATE must be a positive number of records/s, not $RATE"
[[ "$PARALLELISM" =~ ^[1-9][0-9]*$ ]] || die "RIGHTSIZE_DEMO_PARALLELISM must be a positive number, not $PARALLELISM"
# Flink's per-second rates are averages over the last 60 s, so a rate is only steady a minute
# after records start to flow; this bounds the wait for that with room for a slow machine.
SETTLE_TIMEOUT_SECONDS=240
POLL_SECONDS=5

out="$PWD/target/demo"
run_dir="$out/cluster"
rightsize="${CARGO_TARGET_DIR:-$PWD/target}/release/rightsize"
workloads="tests/env/workloads"
cluster() { tests/env/cluster.sh "$1" --run-dir "$run_dir" "${@:2}"; }

# --- progress: numbered phases, each with its expected and its actual duration ----------------

PHASES=8
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
    [ "$status" -ne 0 ] || step "Done in $((SECONDS - demo_started)) s. GC report: $out/gc-report.html"
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

# "<job state> <subtasks running> <subtasks> <records/s read by the sources>" of a job, or
# "UNREACHABLE 0 0 0"; its sources are the vertices without inputs in the job's plan.
JOB_SNAPSHOT="$(cat <<'PY'
jid = args[0]
try:
    job = get(f"/jobs/{jid}")
    running = sum(v["tasks"].get("RUNNING", 0) for v in job["vertices"])
    subtasks = sum(v["parallelism"] for v in job["vertices"])
    sources = [n["id"] for n in get(f"/jobs/{jid}/plan")["plan"]["nodes"] if not n.get("inputs")]
    rate = 0.0
    for vid in sources:
        for metric in get(f"/jobs/{jid}/vertices/{vid}/subtasks/metrics?get=numRecordsInPerSecond&agg=sum"):
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

# Per vertex of a job: parallelism, Flink's own throughput and busy-time metrics (three samples
# 3 s apart, averaged: busy time is a short-window gauge and jitters), and what they mean.
# Writes the numbers as JSON too.
VERTEX_REPORT="$(cat <<'PY'
jid, rate, json_path = args[0], float(args[1]), args[2]
names = ["numRecordsInPerSecond", "numRecordsOutPerSecond", "busyTimeMsPerSecond",
         "backPressuredTimeMsPerSecond"]
vertices = get(f"/jobs/{jid}")["vertices"]
samples = {v["id"]: [] for v in vertices}
for sample in range(3):
    if sample:
        time.sleep(3)
    for v in vertices:
        query = f"get={','.join(names)}&agg=sum,max"
        metrics = get(f"/jobs/{jid}/vertices/{v['id']}/subtasks/metrics?{query}")
        samples[v["id"]].append({m["id"]: m for m in metrics})

def mean(vid, name, agg):
    values = [s[name][agg] for s in samples[vid]
              if name in s and agg in s[name] and not math.isnan(s[name][agg])]
    return sum(values) / len(values) if values else math.nan

report = []
print(f"\nConsumer job {jid}, traffic {rate:.0f} records/s, per vertex:")
for number, v in enumerate(vertices, 1):
    vid, p = v["id"], v["parallelism"]
    m = {f"{n}.{a}": mean(vid, n, a) for n in names for a in ("sum", "max")}
    report.append({"vertex": v["name"], "id": vid, "parallelism": p,
                   "metrics": {k: None if math.isnan(x) else x for k, x in m.items()}})
    busy_max, busy_sum = m["busyTimeMsPerSecond.max"], m["busyTimeMsPerSecond.sum"]
    print(f"\n  [{number}] {v['name']}")
    print(f"      P = {p} · in {m['numRecordsInPerSecond.sum']:.0f} records/s"
          f" · out {m['numRecordsOutPerSecond.sum']:.0f} records/s"
          f" · back-pressured at most {m['backPressuredTimeMsPerSecond.max']:.0f} ms/s")
    print(f"      busy {busy_max:.0f} ms/s in the busiest subtask, {busy_sum:.0f} ms/s all {p} together")
    if math.isnan(busy_sum):
        print("      → Flink reports no busy time for this vertex")
        continue
    # Busy time is the share of each second a subtask spends on records; the sum over all
    # subtasks is the work that fewer subtasks would share.
    enough = max(1, math.ceil(busy_sum / 500))
    print(f"      → the busiest subtask is {busy_max / 10:.1f} % utilised; the {p} together do"
          f" {busy_sum / 10:.1f} % of one subtask's work:")
    print(f"        {enough} would carry it at most half busy, so P = {p} is about"
          f" {p / enough:.0f}× what this traffic needs")
print("\n  A rough reading: busy time is not exactly proportional to records. Per-record timing")
print("  (taskOneRecordDealTime) comes from the timing overlay, not yet installed in the demo;")
print("  the parallelism scanner will turn both into advice.")
with open(json_path, "w") as json_file:
    json.dump(report, json_file, indent=2)
PY
)"

# --- the demo --------------------------------------------------------------------------------

phase "Building rightsize (release)" "a few seconds when built, 2-3 min from scratch"
mkdir -p "$out"
if ! cargo build --release --locked -p rightsize >"$out/build.log" 2>&1; then
    tail -n 40 "$out/build.log" >&2
    die "cargo build failed (full output: $out/build.log)"
fi
note "$(tail -n 1 "$out/build.log" | sed 's/^ *//')"
[ -x "$rightsize" ] || die "cargo built no $rightsize"

phase "Provisioning what is missing, then starting Kafka, a JobManager and a TaskManager" \
    "about 20 s, plus about 40 s to download 480 MB into $RIGHTSIZE_CACHE the first time"
rm -f "$out/taskmanager-gc.log" "$out/gc-report.html" "$out/consumer-metrics.json"
cluster_requested=true
if [ -f "$run_dir/cluster.env" ]; then
    note "an earlier demo's cluster is still recorded in $run_dir; stopping it for a fresh start"
    cluster stop
fi
# One slot per consumer subtask (its operators share slots) and one for the traffic job.
cluster start --flink "$FLINK_VERSION" --scheduler default --slots "$((PARALLELISM + 1))" >/dev/null
# shellcheck disable=SC1091 # written by cluster.sh
. "$run_dir/cluster.env"

phase "Creating topic '$TOPIC' and starting the traffic: datagen → Kafka at $RATE records/s" \
    "about 15 s"
tests/env/kafka.sh --run-dir "$run_dir" topics --create --if-not-exists --topic "$TOPIC" \
    --partitions "$PARALLELISM" --replication-factor 1 >/dev/null
traffic_job="$("$workloads/sql.sh" --run-dir "$run_dir" "$workloads/traffic.sql" \
    TOPIC="$TOPIC" RATE="$RATE")"
note "traffic job $traffic_job ($workloads/traffic.sql)"

phase "Starting the consumer at parallelism $PARALLELISM: Kafka → watermark → 10 s windows → sink" \
    "about 15 s"
consumer_job="$("$workloads/sql.sh" --run-dir "$run_dir" "$workloads/over-provisioned.sql" \
    TOPIC="$TOPIC" PARALLELISM="$PARALLELISM")"
note "consumer job $consumer_job ($workloads/over-provisioned.sql)"
note "Flink's web UI while the demo runs: $RIGHTSIZE_FLINK_REST_URL"

phase "Waiting for the consumer's metrics to settle" \
    "about 75 s: Flink's rates are averages over the last minute"
# Settled: every subtask runs and the sources have read records for a full 60 s window, and the
# read rate moved by less than 5 % between the last two polls.
waited=0
flowing_since=""
previous_rate=0
while :; do
    read -r state running subtasks rate <<<"$(flink_rest "$JOB_SNAPSHOT" "$consumer_job")"
    read -r traffic_state _ <<<"$(flink_rest "$JOB_SNAPSHOT" "$traffic_job")"
    note "$(printf '%3d s: consumer %s, %d/%d subtasks running, sources read %d records/s (traffic %s)' \
        "$waited" "$state" "$running" "$subtasks" "$rate" "$traffic_state")"
    for job in "consumer $consumer_job $state" "traffic $traffic_job $traffic_state"; do
        read -r name jid job_state <<<"$job"
        case "$job_state" in
            FAILED | FAILING | CANCELED | CANCELLING | FINISHED | SUSPENDED)
                die "the $name job $jid is $job_state: $(flink_rest "$JOB_FAILURE" "$jid")" ;;
        esac
    done
    if [ "$state" = RUNNING ] && [ "$subtasks" -gt 0 ] && [ "$running" -eq "$subtasks" ] \
        && [ "$rate" -gt 0 ]; then
        flowing_since="${flowing_since:-$waited}"
    else
        flowing_since=""
    fi
    if [ -n "$flowing_since" ] && [ $((waited - flowing_since)) -ge 60 ] \
        && [ $(((rate - previous_rate) * 20)) -le "$rate" ] \
        && [ $(((previous_rate - rate) * 20)) -le "$rate" ]; then
        break
    fi
    if [ "$waited" -ge "$SETTLE_TIMEOUT_SECONDS" ]; then
        die "the consumer's metrics did not settle within ${SETTLE_TIMEOUT_SECONDS} s" \
            "(last: $state, $running/$subtasks subtasks running, $rate records/s read):" \
            "a busy machine reads slowly: check 'uptime' and try again when it is quieter"
    fi
    previous_rate=$rate
    sleep "$POLL_SECONDS"
    waited=$((waited + POLL_SECONDS))
done

phase "Reading Flink's own metrics of each consumer vertex over REST" "about 10 s"
flink_rest "$VERTEX_REPORT" "$consumer_job" "$RATE" "$out/consumer-metrics.json"
note "raw numbers: $out/consumer-metrics.json"

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
note "This TaskManager ran for about 2 minutes, all of it inside the analysis' 5-minute warm-up,"
note "so its heap verdict is inconclusive by design: a long-running TaskManager's log gives a firm one."
end_phase
