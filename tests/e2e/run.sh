#!/usr/bin/env bash
# End-to-end tests on a real standalone Flink cluster (tests/env/cluster.sh: JobManager and
# TaskManager in separate JVMs): the timing overlay on each Flink line it supports, with the
# native aggregator and without it, the TaskManager's GC log on disk, over REST and through
# `rightsize gc`, Kafka topics in a source's metrics, `rightsize scan`'s verdicts on jobs of
# known per-record cost (over-, right- and under-sized), and its input rate S measured on the
# Kafka broker. One cluster per configuration, one at a time (two would not fit on 2 cores); each
# is stopped before the next starts, and on any exit.
#
#   tests/e2e/run.sh       run dir: $RIGHTSIZE_E2E_DIR or target/e2e/e2e
#
# Needs the overlay jars (mvn -B -ntp -f flink-patch/pom.xml verify) and
# target/release/libjni_metrics.so (cargo build -p jni-metrics --release). Ends with the line
# `e2e: N passed, M failed` and exits non-zero on any failure.
set -euo pipefail
shopt -s inherit_errexit
. "$(cd "$(dirname "$0")/../.." && pwd)/scripts/lib/common.sh"
. "$(cd "$(dirname "$0")/.." && pwd)/env/lib.sh"
. "$(cd "$(dirname "$0")" && pwd)/sidecar.sh"

E2E_DIR="$RIGHTSIZE_REPO/tests/e2e"
WAIT_SECONDS=90       # for a job, its records or its metrics to show up
RECORDS_PER_SECOND=2000
# Default sampling (records of 10 µs or more are all timed), short windows and a fast metric
# fetcher, so values show up in seconds.
TIMING_CONF=(--conf 'rightsize.timing.enabled: true'
    --conf 'rightsize.timing.window: 2 s' --conf 'metrics.fetcher.update-interval: 1000')

run_dir="${RIGHTSIZE_E2E_DIR:-$RIGHTSIZE_REPO/target/e2e/e2e}"
mkdir -p "$run_dir"
run_dir="$(cd "$run_dir" && pwd)"
cluster() { "$RIGHTSIZE_ENV_DIR/cluster.sh" "$1" --run-dir "$run_dir" "${@:2}"; }
sql() { "$RIGHTSIZE_ENV_DIR/workloads/sql.sh" --run-dir "$run_dir" "$@"; }
kafka() { "$RIGHTSIZE_ENV_DIR/kafka.sh" --run-dir "$run_dir" "$@"; }

passed=0
failed=0
pass() { passed=$((passed + 1)); note "ok: $*"; }
fail() { failed=$((failed + 1)); note "FAILED: $*"; }

# --- helpers ---------------------------------------------------------------------------------

# Prints a Python expression over the JSON document `d` read from stdin.
json_eval() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
rest() { curl -sf --max-time 10 "$RIGHTSIZE_FLINK_REST_URL$1"; }

# Runs "$@" every second until it succeeds; false (with a message) after $2 seconds.
wait_for() {
    local what="$1" seconds="$2" waited=0
    shift 2
    until "$@" 2>/dev/null; do
        if [ "$waited" -ge "$seconds" ]; then
            note "timed out after ${seconds}s waiting for $what"
            return 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
}

# Starts the cluster of a test group; prints its logs and counts a failure when that fails.
failed_at_start=0
start_cluster() {
    failed_at_start=$failed
    step "Starting Flink $*"
    if ! cluster start "$@" >/dev/null; then
        fail "cluster start $*"
        return 1
    fi
    # shellcheck disable=SC1091 # written by cluster.sh
    . "$run_dir/cluster.env"
}

# Stops the cluster of a test group, after printing its logs if a check of the group failed.
stop_cluster() {
    if [ "$failed" -ne "$failed_at_start" ] && [ -f "$run_dir/cluster.env" ]; then
        cluster logs || true
    fi
    cluster stop || fail "cluster stop left processes running"
}

# The TaskManager's log4j file (start-foreground still logs to the file; stdout is quiet).
tm_log() { compgen -G "$RIGHTSIZE_FLINK_LOG_DIR/flink-*-taskexecutor-*.log" | head -n 1; }

job_running() { [ "$(rest "/jobs/$1" | json_eval 'd["state"]')" = RUNNING ]; }

# The ID of the job's first vertex whose name does (yes) or does not (no) start with "Source".
vertex_id() {
    rest "/jobs/$1" | json_eval "next(v['id'] for v in d['vertices'] if v['name'].startswith('Source') == ('$2' == 'yes'))"
}

# Records the vertex has read, per Flink's own counters.
vertex_records_in() {
    rest "/jobs/$1" | json_eval "next(v['metrics']['read-records'] for v in d['vertices'] if v['id'] == '$2')"
}
records_flowing() { [ "$(vertex_records_in "$1" "$2")" -gt 0 ]; }

# The value of one vertex metric, or nothing while it has none.
vertex_metric() {
    rest "/jobs/$1/vertices/$2/metrics?get=$3" | json_eval "d[0]['value'] if d else ''"
}
positive() { python3 -c 'import sys; v = float(sys.argv[1]); sys.exit(0 if v > 0 else 1)' "$1"; }

max_over_subtasks_positive() {
    local value
    value="$(rest "/jobs/$1/vertices/$2/subtasks/metrics?get=taskOneRecordDealTime&agg=max" \
        | json_eval "d[0]['max'] if d else ''")"
    [ -n "$value" ] && positive "$value"
}
task_metric_answers() {
    local value
    value="$(vertex_metric "$1" "$2" 0.taskOneRecordDealTime)"
    [ -n "$value" ] && positive "$value"
}
# Metric ids of a vertex matching an extended regular expression, one a line.
vertex_metric_ids() {
    rest "/jobs/$1/vertices/$2/metrics" | json_eval "'\n'.join(m['id'] for m in d)" | grep -E "$3"
}

# Test 1 and 2's common part: the job runs, records flow, the timing gauges answer over REST.
check_timing_metrics() {
    local label="$1" job vertex
    job="$(sql "$E2E_DIR/timing.sql" RATE="$RECORDS_PER_SECOND")" || { fail "$label: submit timing.sql"; return 1; }
    if wait_for "job $job to run" "$WAIT_SECONDS" job_running "$job"; then
        pass "$label: job $job is RUNNING"
    else
        fail "$label: job $job is not RUNNING"
        return 1
    fi
    vertex="$(vertex_id "$job" no)"
    if wait_for "records into vertex $vertex" "$WAIT_SECONDS" records_flowing "$job" "$vertex"; then
        pass "$label: records flow into the aggregate ($(vertex_records_in "$job" "$vertex") read)"
    else
        fail "$label: no records reach the aggregate vertex"
    fi
    if wait_for "taskOneRecordDealTime (max over subtasks)" "$WAIT_SECONDS" \
        max_over_subtasks_positive "$job" "$vertex"; then
        pass "$label: subtasks/metrics?get=taskOneRecordDealTime&agg=max is positive"
    else
        fail "$label: subtasks/metrics?get=taskOneRecordDealTime&agg=max has no positive value"
    fi
    if wait_for "0.taskOneRecordDealTime" "$WAIT_SECONDS" task_metric_answers "$job" "$vertex"; then
        pass "$label: 0.taskOneRecordDealTime = $(vertex_metric "$job" "$vertex" 0.taskOneRecordDealTime) ms"
    else
        fail "$label: 0.taskOneRecordDealTime does not answer with a positive value"
    fi
    local operator_ids
    operator_ids="$(vertex_metric_ids "$job" "$vertex" '^0\.[^.]+\.taskOneRecordDealTime$' | paste -sd' ' -)" || true
    if [ -n "$operator_ids" ]; then
        pass "$label: operator-level ids: $operator_ids"
    else
        fail "$label: no 0.<operator>.taskOneRecordDealTime in the vertex's metric list"
    fi
}

# --- the tests -------------------------------------------------------------------------------

# A copy of the overlay jar for a Flink version, in the run dir: a rebuild of flink-patch/ while
# a cluster runs would swap the jar under its class loader.
overlay_jar() {
    local jar copy
    jar="$(compgen -G "$RIGHTSIZE_REPO/flink-patch/$1/target/rightsize-flink-overlay-$2-*.jar" \
        | grep -v '/original-' | head -n 1)" || true
    [ -n "$jar" ] || die "no overlay jar for Flink $2 in flink-patch/$1/target: build it with 'mvn -B -ntp -f flink-patch/pom.xml verify -DskipTests'"
    copy="$run_dir/overlay/$(basename "$jar")"
    mkdir -p "$run_dir/overlay"
    cp "$jar" "$copy"
    python3 - "$copy" <<'PY' || die "$jar is not a whole overlay jar (being rebuilt?); build flink-patch/ again"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as jar:
    assert jar.testzip() is None
    jar.getinfo("org/apache/flink/streaming/runtime/tasks/ChainingOutput.class")
PY
    printf '%s\n' "$copy"
}

# 1. The overlay with the native aggregator.
test_overlay_native() {
    local version="$1" jar="$2"
    start_cluster --flink "$version" --no-kafka --extra-lib "$jar" --native-lib-dir "$native_dir" \
        "${TIMING_CONF[@]}" || return 0
    check_timing_metrics "Flink $version, native" || true
    local log line
    log="$(tm_log)" || true
    line="$(grep -F 'Rightsize record timing on:' "$log" 2>/dev/null | head -n 1)" || true
    if [[ "$line" == *"; aggregator native ("* ]]; then
        pass "Flink $version: the TaskManager log says: ...${line##*; }"
    else
        fail "Flink $version: the TaskManager log lacks 'aggregator native (...)': ${line:-no timing line in ${log:-the log dir}}"
    fi
    if [ "$version" = 1.20.5 ]; then test_gc_log; test_scan_memory; fi
    stop_cluster
}

# 2. The overlay without the library: the pure-Java fallback, announced by one warning.
test_overlay_fallback() {
    local version="$1" jar="$2"
    local beside
    beside="$(dirname "$(readlink -f "$jar")")/libjni_metrics.so"
    if [ -e "$beside" ]; then
        fail "Flink $version fallback: $beside is beside the overlay jar; it would be loaded"
        return 0
    fi
    # No inherited LD_LIBRARY_PATH either: the JVM searches it for the library too.
    LD_LIBRARY_PATH="" start_cluster --flink "$version" --no-kafka --extra-lib "$jar" \
        "${TIMING_CONF[@]}" || return 0
    if [ -e "$RIGHTSIZE_FLINK_HOME/lib/libjni_metrics.so" ]; then
        fail "Flink $version fallback: the cluster's lib/ has libjni_metrics.so"
    fi
    check_timing_metrics "Flink $version, no native library" || true
    local log warnings
    log="$(tm_log)" || true
    warnings="$(grep -c 'native library unavailable' "$log" 2>/dev/null)" || true
    if [ "$warnings" = 1 ]; then
        pass "Flink $version fallback: exactly one warning about the native library"
    else
        fail "Flink $version fallback: ${warnings:-0} warnings about the native library in ${log:-the log dir}, expected 1"
    fi
    stop_cluster
}

# 3. The TaskManager's GC log: on disk, over REST, and through `rightsize gc`.
young_gc_logged() { grep -q 'Pause Young' "$RIGHTSIZE_TM_GC_LOG"; }
test_gc_log() {
    if wait_for "a young collection in $RIGHTSIZE_TM_GC_LOG" "$WAIT_SECONDS" young_gc_logged; then
        pass "GC log on disk in Flink's log dir: $RIGHTSIZE_TM_GC_LOG ($(wc -c <"$RIGHTSIZE_TM_GC_LOG") bytes)"
    else
        fail "no young collection in $RIGHTSIZE_TM_GC_LOG"
        return 0
    fi
    local tm_id names gc_text
    tm_id="$(rest /taskmanagers | json_eval 'd["taskmanagers"][0]["id"]')" || { fail "GET /taskmanagers"; return 0; }
    names="$(rest "/taskmanagers/$tm_id/logs" | json_eval '" ".join(l["name"] for l in d["logs"])')" || true
    if [[ " $names " == *" taskmanager-gc.log "* ]]; then
        pass "/taskmanagers/:tmid/logs lists taskmanager-gc.log"
    else
        fail "/taskmanagers/:tmid/logs lacks taskmanager-gc.log: $names"
    fi
    gc_text="$(rest "/taskmanagers/$tm_id/logs/taskmanager-gc.log")" || true
    if grep -q '\[gc.*Pause Young' <<<"$gc_text"; then
        pass "/taskmanagers/:tmid/logs/taskmanager-gc.log returns GC lines ($(grep -c '\[gc' <<<"$gc_text") lines with [gc)"
    else
        fail "/taskmanagers/:tmid/logs/taskmanager-gc.log returned no GC pause lines"
    fi
    local report young instances young_count
    report="$("$rightsize" gc "$RIGHTSIZE_TM_GC_LOG" --output json)" || { fail "$rightsize gc $RIGHTSIZE_TM_GC_LOG failed"; return 0; }
    young="$(json_eval 'str(len(d["instances"])) + " " + str(min((i["summary"]["young_count"] for i in d["instances"]), default=0))' <<<"$report")" || true
    read -r instances young_count <<<"${young:-0 0}"
    if [ "$instances" -ge 1 ] && [ "$young_count" -gt 0 ]; then
        pass "rightsize gc: $instances instance(s), $young_count young collections"
    else
        fail "rightsize gc: $instances instance(s), young collections $young_count (expected ≥ 1 and > 0)"
    fi
}

# 3b. The scanner's memory advice on the running cluster: `rightsize scan --output json` names the
# TaskManager, its young GC count (REST) and a heap recommendation from its GC log (REST download).
scan_memory_summary() {
    "$rightsize" scan --flink "$RIGHTSIZE_FLINK_REST_URL" --output json 2>/dev/null | json_eval '
next((" ".join(str(v) for v in (t["id"], t["young_gc_count"], j["memory"]["recommended_heap"]["value_bytes"], j["memory"]["verdict"]))
      for j in d["jobs"] if j.get("memory") and j["memory"]["recommended_heap"]
      for t in j["memory"]["taskmanagers"] if t["analysed"] and (t["young_gc_count"] or 0) > 0), "")'
}
scan_memory_answers() { [ -n "$(scan_memory_summary)" ]; }
test_scan_memory() {
    local tm_id summary
    tm_id="$(rest /taskmanagers | json_eval 'd["taskmanagers"][0]["id"]')" || { fail "GET /taskmanagers"; return 0; }
    if wait_for "a heap recommendation in rightsize scan" "$WAIT_SECONDS" scan_memory_answers; then
        summary="$(scan_memory_summary)"
        if [[ "$summary" == "$tm_id "* ]]; then
            pass "rightsize scan memory advice: TaskManager, young GCs, recommended heap bytes, verdict: $summary"
        else
            fail "rightsize scan analysed '$summary', not the cluster's TaskManager $tm_id"
        fi
    else
        fail "rightsize scan --output json has no analysed TaskManager with young GCs and a heap recommendation"
    fi
}

# 4. Kafka topics in the source's metrics (Flink 2.2.1 has the connector).
# Whether the vertex lists `KafkaSourceReader.topic.<$3>.partition.{0,1}.currentOffset`.
kafka_offsets_listed() {
    local partition
    for partition in 0 1; do
        vertex_metric_ids "$1" "$2" "KafkaSourceReader\.topic\.$3\.partition\.$partition\.currentOffset$" >/dev/null || return 1
    done
}
test_kafka_source_metrics() {
    start_cluster --flink 2.2.1 --conf 'metrics.fetcher.update-interval: 1000' || return 0
    # A topic with dots: REST turns them into `_` (a `.` separates metric scope components).
    local topic=rightsize.e2e.orders rest_topic=rightsize_e2e_orders
    if ! kafka topics --create --topic "$topic" --partitions 2 --replication-factor 1 >/dev/null; then
        fail "create topic $topic"
        stop_cluster
        return 0
    fi
    local traffic consumer vertex
    traffic="$(sql "$RIGHTSIZE_ENV_DIR/workloads/traffic.sql" TOPIC="$topic" RATE=500)" || fail "submit traffic.sql"
    consumer="$(sql "$RIGHTSIZE_ENV_DIR/workloads/over-provisioned.sql" TOPIC="$topic" PARALLELISM=1)" || fail "submit over-provisioned.sql"
    if [ -n "$traffic" ] && [ -n "$consumer" ] \
        && wait_for "the traffic job to run" "$WAIT_SECONDS" job_running "$traffic" \
        && wait_for "the consumer to run" "$WAIT_SECONDS" job_running "$consumer"; then
        vertex="$(vertex_id "$consumer" yes)" || true
        if wait_for "KafkaSourceReader.topic.*.currentOffset on vertex $vertex" "$WAIT_SECONDS" \
            kafka_offsets_listed "$consumer" "$vertex" "$rest_topic"; then
            pass "source metrics name the topic: $(vertex_metric_ids "$consumer" "$vertex" 'KafkaSourceReader\.topic\..*currentOffset$' | paste -sd' ' -)"
        else
            fail "no KafkaSourceReader.topic.$rest_topic.partition.{0,1}.currentOffset in the source's metrics: $(vertex_metric_ids "$consumer" "$vertex" 'KafkaSourceReader' | head -n 20 | paste -sd' ' -)"
        fi
    else
        fail "the Kafka jobs are not RUNNING"
    fi
    stop_cluster
}

# 5. The scanner's verdicts on jobs whose needs follow from arithmetic: three CostJobs
# (tests/env/workloads/cost-job.sh) side by side on one cluster with the overlay, each fed its own
# topic at a fixed rate by FixedRateProducer. A job at parallelism P whose map costs c per record
# has capacity P / c, so with rate r it needs r × c busy subtasks and, at the scanner's default
# utilisation target 0.7, P = ceil(r × c / 0.7), aligned up to a divisor of the topic's partitions
# (the slowest vertex is the source's chain). Costs are waits, not CPU: they fit on 2 cores. The
# cluster runs the adaptive scheduler, which `serve --apply` (group 6) needs and which runs each
# job at its parallelism when the slots are there.
SCAN_RATE=400        # records/s into each job's topic
SCAN_PARTITIONS=8
SCAN_TARGET=0.7      # rightsize scan --utilization-target, default
# name, P, cost (µs), expected verdict: 0.8 busy subtasks on 8; 1.2 on 2 (utilisation 0.6,
# C = 1.67 S, under the 2× headroom factor); 2.0 on 1 (C = S / 2: a backlog grows).
SCAN_JOBS=("over-provisioned 8 2000 reduce" "right-sized 2 3000 keep" "under-provisioned 1 5000 increase")
# Flink's per-second rates average the last 60 s: traffic must flow a bit longer before a scan.
SCAN_TRAFFIC_SECONDS=90
# T is measured over every record (they take milliseconds, so sampling times them all), in
# windows long enough to hold a few hundred of them.
SCAN_TIMING_CONF=(--conf 'rightsize.timing.enabled: true'
    --conf 'rightsize.timing.window: 10 s' --conf 'metrics.fetcher.update-interval: 1000')

producer_pids=()   # the traffic's producers, stopped by stop_producers (tests/env/lib.sh)

# Whether every subtask of a job is RUNNING (a job is RUNNING while tasks still wait for slots).
all_subtasks_running() {
    [ "$(rest "/jobs/$1" | json_eval 'all(v["tasks"].get("RUNNING", 0) == v["parallelism"] for v in d["vertices"])')" = True ]
}

# Records per second out of a job's source vertex, summed over its subtasks ("?" while unknown).
source_output_rate() {
    local vertex
    vertex="$(vertex_id "$1" yes)" || { printf '?'; return 0; }
    rest "/jobs/$1/vertices/$vertex/subtasks/metrics?get=numRecordsOutPerSecond&agg=sum" \
        | json_eval "round(d[0]['sum']) if d else '?'" 2>/dev/null || printf '?'
}

# The real mean wait of a CostJob's map per record (its FixedCost's gauge, over its last 10 s
# window), the largest over its subtasks, in ms; "?" while unknown.
fixed_cost_wait_ms() {
    local vertex id
    vertex="$(vertex_id "$1" yes)" || { printf '?'; return 0; }
    id="$(rest "/jobs/$1/vertices/$vertex/subtasks/metrics" \
        | json_eval "next((m['id'] for m in d if m['id'].endswith('.fixedCostWaitMs')), '')")" || id=""
    [ -n "$id" ] || { printf '?'; return 0; }
    rest "/jobs/$1/vertices/$vertex/subtasks/metrics?get=$id&agg=max" \
        | json_eval "d[0]['max'] if d and d[0]['max'] == d[0]['max'] else '?'" 2>/dev/null || printf '?'
}

test_scan_verdicts() {
    local slots=0 spec name parallelism cost
    for spec in "${SCAN_JOBS[@]}"; do
        read -r _ parallelism _ <<<"$spec"
        slots=$((slots + parallelism))
    done
    start_cluster --flink 1.20.5 --extra-lib "$jar_1_20" --native-lib-dir "$native_dir" \
        --scheduler adaptive --slots "$slots" "${SCAN_TIMING_CONF[@]}" || return 0
    local jobs=() job topic ok=true
    for spec in "${SCAN_JOBS[@]}"; do
        read -r name parallelism cost _ <<<"$spec"
        topic="rightsize-e2e-scan-$name"
        if ! kafka topics --create --topic "$topic" --partitions "$SCAN_PARTITIONS" \
            --replication-factor 1 >/dev/null; then
            fail "scan: create topic $topic"
            ok=false
            break
        fi
        if job="$("$RIGHTSIZE_ENV_DIR/workloads/cost-job.sh" --run-dir "$run_dir" TOPIC="$topic" \
            PARALLELISM="$parallelism" COST_US="$cost" NAME="rightsize-e2e-scan-$name")"; then
            jobs+=("$job")
        else
            fail "scan: submit CostJob $name (P=$parallelism, cost $cost µs)"
            ok=false
            break
        fi
    done
    for job in "${jobs[@]}"; do
        if $ok && ! wait_for "every subtask of job $job to run" "$WAIT_SECONDS" all_subtasks_running "$job"; then
            fail "scan: job $job has subtasks that are not RUNNING"
            ok=false
        fi
    done
    if ! $ok; then
        stop_cluster
        return 0
    fi
    pass "scan: 3 CostJobs run on $slots slots: ${SCAN_JOBS[*]}"

    local input_rates=()
    for spec in "${SCAN_JOBS[@]}"; do
        read -r name _ <<<"$spec"
        topic="rightsize-e2e-scan-$name"
        # Bounded, in case this script is killed outright; stopped by PID below.
        "$RIGHTSIZE_ENV_DIR/workloads/produce.sh" --run-dir "$run_dir" TOPIC="$topic" \
            RATE="$SCAN_RATE" SECONDS=600 2>"$run_dir/producer-$name.log" &
        producer_pids+=("$!")
        input_rates+=(--input-rate "$topic=$SCAN_RATE")
    done
    # Waits until the traffic has flowed for a full rate window, watching every job's first vertex
    # hand records on. The polls also keep the JobManager's metric store fresh: it fetches from the
    # TaskManagers only when a REST metrics request comes in, so after a quiet minute the first
    # request answers with what the store held a minute ago.
    local traffic_started=$SECONDS rates
    note "traffic: $SCAN_RATE records/s into each topic; scanning after ${SCAN_TRAFFIC_SECONDS} s"
    while [ $((SECONDS - traffic_started)) -lt "$SCAN_TRAFFIC_SECONDS" ]; do
        sleep 10
        rates=""
        for job in "${jobs[@]}"; do
            rates+=" $(source_output_rate "$job")"
        done
        note "$((SECONDS - traffic_started)) s: records/s out of each job's source vertex (60 s average):$rates"
    done

    # S measured on the broker when the scanner can (log-end offsets), else the producers' rate.
    local input_args=("${input_rates[@]}") broker_side=false
    if "$rightsize" scan --help 2>/dev/null | grep -q -- '--kafka-bootstrap'; then
        input_args=(--kafka-bootstrap "$RIGHTSIZE_KAFKA_BOOTSTRAP")
        broker_side=true
    else
        note "rightsize scan has no --kafka-bootstrap: S from --input-rate, broker-side S not checked"
    fi
    local report="$run_dir/scan.json" checks line
    # Settle time: the jobs started before the traffic, which has flowed for a full rate window.
    if ! "$rightsize" scan --flink "$RIGHTSIZE_FLINK_REST_URL" --settle-time 60s \
        "${input_args[@]}" --output json >"$report" 2>"$run_dir/scan.err"; then
        fail "scan: rightsize scan failed: $(tail -n 5 "$run_dir/scan.err")"
        stop_producers
        stop_cluster
        return 0
    fi
    # What each job's waits really lasted, over the window the scan has just read.
    local waited=() i
    for i in "${!jobs[@]}"; do
        waited+=("${SCAN_JOBS[$i]} $(fixed_cost_wait_ms "${jobs[$i]}")")
    done
    note "real waits (ms per record, name P cost verdict wait): ${waited[*]}"
    "$rightsize" scan --flink "$RIGHTSIZE_FLINK_REST_URL" --settle-time 60s "${input_args[@]}" \
        >"$run_dir/scan.txt" 2>&1 || true
    check_serve "${input_args[@]}"
    check_apply "${jobs[0]}" "${input_args[@]}"
    stop_producers
    note "scan report: $report (table: $run_dir/scan.txt)"
    checks="$(python3 - "$report" "$SCAN_RATE" "$SCAN_PARTITIONS" "$SCAN_TARGET" "$broker_side" \
        "${waited[@]}" <<'PY'
import json, math, sys

report_path, rate, partitions, target = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
broker_side = sys.argv[5] == "true"
jobs = {j["evaluation"]["job_name"]: j for j in json.load(open(report_path))["jobs"]}

def aligned(p):
    """The scanner's alignment of a source vertex: the smallest divisor of the partitions ≥ p."""
    return next((d for d in range(max(p, 1), partitions + 1) if partitions % d == 0), partitions)

def needed(busy_subtasks):
    return aligned(max(1, math.ceil(busy_subtasks / target - 1e-9)))

for spec in sys.argv[6:]:
    name, parallelism, cost_us, expected, waited = spec.split()
    label = f"scan: {name} job (P={parallelism}, {int(cost_us) / 1000:g} ms/record, {rate:g} records/s)"
    job = jobs.get(f"rightsize-e2e-scan-{name}")
    if job is None:
        print(f"FAIL {label}: not in the scan's report ({', '.join(jobs) or 'no jobs'})")
        continue
    evaluation, decision = job["evaluation"], job["decision"]
    if broker_side:
        s = evaluation["input_rate"].get("records_per_s")
        basis = evaluation["input_rate"].get("basis") or evaluation["input_rate"].get("reason")
        if s is not None and abs(s - rate) <= 0.1 * rate:
            print(f"PASS {label}: broker-side S = {s:.1f} records/s, within 10 % of the producer's ({basis})")
        else:
            print(f"FAIL {label}: broker-side S = {s}, expected {rate:g} ± 10 % ({basis})")
    verdict = decision["verdict"]
    if verdict == expected:
        print(f"PASS {label}: verdict {verdict}")
    else:
        print(f"FAIL {label}: verdict {verdict}, expected {expected}: {decision['reason']}")
    slowest = evaluation["slowest"]
    if slowest is None:
        print(f"FAIL {label}: no slowest vertex (no T)")
        continue
    vertex = evaluation["vertices"][slowest]
    recommendation = next(r for r in decision["vertices"] if r["vertex_id"] == vertex["id"])
    # T is the map's wait plus what surrounds it (the source's emit, tens of µs). The wait lasts
    # longer than the cost: a 2 ms park wakes 0.1-0.3 ms late on an idle 2-vCPU guest and up to
    # 1.5 ms late with these jobs, the cluster and Kafka sharing it. The map reports how long its
    # waits really lasted (FixedCost's gauge, the largest subtask mean of its last 10 s window);
    # T, the largest subtask mean of the timing's last 10 s window, must agree with it.
    # Accepted: cost ≤ T ≤ 1.1 × real wait + 0.5 ms.
    cost_ms = int(cost_us) / 1000
    try:
        real_ms = float(waited)
    except ValueError:
        print(f"FAIL {label}: the map reported no real wait (gauge fixedCostWaitMs: {waited})")
        continue
    t_low, t_high = cost_ms, 1.1 * real_ms + 0.5
    basis = f"real wait {real_ms:.2f} ms"
    t = (vertex.get("record_time") or {}).get("ms")
    where = f"'{vertex['name']}' ({(vertex.get('record_time') or {}).get('basis')})"
    if t is not None and t_low <= t <= t_high:
        print(f"PASS {label}: T = {t:.2f} ms at {where}, within {t_low:g}..{t_high:.2f} ms ({basis})")
    else:
        print(f"FAIL {label}: T = {t} ms at {where}, expected {t_low:g}..{t_high:.2f} ms ({basis})")
    low, high = needed(rate * t_low / 1000), needed(rate * t_high / 1000)
    recommended = recommendation["recommended"]
    detail = (f"recommended P = {recommended}, expected {low}..{high} (ceil({rate:g}/s × T / {target}) "
              f"for T in {t_low:g}..{t_high:.2f} ms, aligned up to a divisor of {partitions} partitions)")
    if recommended is not None and low <= recommended <= high:
        print(f"PASS {label}: {detail}")
    else:
        print(f"FAIL {label}: {detail}; {recommendation['arithmetic']}")
PY
)" || { fail "scan: checking $report failed"; stop_cluster; return 0; }
    while IFS= read -r line; do
        case "$line" in
            PASS\ *) pass "${line#PASS }" ;;
            *) fail "${line#FAIL }" ;;
        esac
    done <<<"$checks"
    stop_cluster
}

# 6. `rightsize serve` on the jobs of group 5, while their traffic flows: SERVE_SCANS scans a
# few seconds apart confirm the over- and under-provisioned jobs' streaks, and a loopback webhook
# receives exactly one alert for each, none for the right-sized job; a second serve on the same
# store goes on counting (SERVE_SCANS + 1 hits) and alerts no more. Arguments: the scan's S flags.
SERVE_SCANS=3

# Serves a webhook on a free loopback port: one line per POST body into $1, the port into $2.
webhook_receiver() {
    python3 - "$1" "$2" <<'PY'
import http.server, sys
out, port_file = sys.argv[1], sys.argv[2]
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with open(out, "ab") as f:
            f.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_port))
import os; os.replace(port_file + ".tmp", port_file)
server.serve_forever()
PY
}

# The alerts received, one "job-name direction" a line.
alerts_received() {
    [ -s "$1" ] || return 0
    python3 -c 'import json, sys
for line in open(sys.argv[1]):
    a = json.loads(line)
    print(a["job_name"], a["direction"])' "$1" | sort
}

# Consecutive hits of a job in a running serve's /api/v1/jobs ("" while unknown).
serve_hits() {
    curl -sf --max-time 5 "$1/api/v1/jobs" 2>/dev/null | json_eval \
        "next((str(j['streak']['hits']) for j in d['jobs'] if j['job_name'] == '$2'), '')" 2>/dev/null
}
serve_lists_gc_report() {
    [ "$(curl -sf --max-time 5 "$1/api/v1/gc-reports" | json_eval 'len(d["gc_reports"])')" -gt 0 ]
}
serve_hits_at_least() { local hits; hits="$(serve_hits "$1" "$2")"; [ -n "$hits" ] && [ "$hits" -ge "$3" ]; }

check_serve() {
    local store="$run_dir/serve-store" hooks="$run_dir/webhook.jsonl" port_file="$run_dir/webhook.port"
    local receiver_pid serve_pid url expected received status
    rm -rf "$store" "$hooks" "$port_file"
    webhook_receiver "$hooks" "$port_file" &
    receiver_pid=$!
    if ! wait_for "the webhook receiver" 10 test -s "$port_file"; then
        fail "serve: the webhook receiver did not start"
        kill "$receiver_pid" 2>/dev/null || true
        return 0
    fi
    local serve_args=(serve --flink "$RIGHTSIZE_FLINK_REST_URL" --settle-time 60s "$@" --no-memory
        --alert-after "$SERVE_SCANS" --store "$store" --listen 127.0.0.1:0
        --webhook "http://127.0.0.1:$(cat "$port_file")/alerts")
    if "$rightsize" "${serve_args[@]}" --interval 5s --scans "$SERVE_SCANS" 2>"$run_dir/serve-1.log"; then
        pass "serve: $SERVE_SCANS scheduled scans, exit 0"
    else
        fail "serve: the first run failed: $(tail -n 5 "$run_dir/serve-1.log")"
    fi
    expected="$(printf '%s\n' 'rightsize-e2e-scan-over-provisioned reduce' \
        'rightsize-e2e-scan-under-provisioned increase' | sort)"
    received="$(alerts_received "$hooks")"
    if [ "$received" = "$expected" ]; then
        pass "serve: one alert each for the over- and under-provisioned jobs after $SERVE_SCANS scans"
    else
        fail "serve: alerts after $SERVE_SCANS scans: [${received//$'\n'/; }], expected [${expected//$'\n'/; }]"
    fi

    # The same store again: the streak goes on from where the first process left it.
    "$rightsize" "${serve_args[@]}" --interval 60s --scans 10 2>"$run_dir/serve-2.log" &
    serve_pid=$!
    wait_for "serve's address" 10 grep -q 'serving on http://' "$run_dir/serve-2.log" || true
    url="$(sed -n 's|.*serving on \(http://[^/ ]*\)/.*|\1|p' "$run_dir/serve-2.log" | head -n 1)"
    if [ -n "$url" ] && wait_for "a 4th hit across the restart" 60 \
        serve_hits_at_least "$url" rightsize-e2e-scan-over-provisioned $((SERVE_SCANS + 1)); then
        pass "serve: the store kept the streak across a restart ($((SERVE_SCANS + 1)) consecutive hits)"
    else
        fail "serve: no hit count $((SERVE_SCANS + 1)) after the restart: $(tail -n 5 "$run_dir/serve-2.log")"
    fi
    # A sidecar beside the TaskManager pushes its GC analysis to this serve.
    if [ -n "$url" ]; then
        test_sidecar "$url"
        if wait_for "serve to list the sidecar's push" 10 serve_lists_gc_report "$url"; then
            pass "serve: the sidecar's GC analysis reached it ($url/api/v1/gc-reports)"
        else
            fail "serve: no sidecar push in $url/api/v1/gc-reports: $(tail -n 5 "$run_dir/sidecar.err")"
        fi
    fi
    kill -TERM "$serve_pid" 2>/dev/null || true
    status=0
    wait "$serve_pid" || status=$?
    if [ "$status" -eq 0 ]; then
        pass "serve: SIGTERM ends it cleanly"
    else
        fail "serve: exit $status after SIGTERM"
    fi
    received="$(alerts_received "$hooks")"
    if [ "$received" = "$expected" ]; then
        pass "serve: no second alert for a streak already reported"
    else
        fail "serve: alerts after the restart: [${received//$'\n'/; }]"
    fi
    kill "$receiver_pid" 2>/dev/null || true
    wait "$receiver_pid" 2>/dev/null || true
}

# `serve --apply` on the over-provisioned job alone: with --alert-after 1 its first scan
# confirms the advice, which is applied through PUT /jobs/:jid/resource-requirements; the adaptive
# scheduler then restarts the job with every vertex at its new upper bound, below its old P.
# Arguments: the job, then the scan's S flags.
parallelism_at_bounds() {
    local bounds vertices
    bounds="$(rest "/jobs/$1/resource-requirements")" && vertices="$(rest "/jobs/$1")" || return 1
    python3 -c '
import json, sys
bounds, job, old = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
ok = job["state"] == "RUNNING" and all(
    v["parallelism"] == bounds[v["id"]]["parallelism"]["upperBound"] < old
    and v["tasks"].get("RUNNING", 0) == v["parallelism"] for v in job["vertices"])
sys.exit(0 if ok else 1)' "$bounds" "$vertices" "$2"
}
check_apply() {
    local job="$1" old_parallelism
    shift
    old_parallelism="$(rest "/jobs/$job" | json_eval 'max(v["parallelism"] for v in d["vertices"])')"
    rm -rf "$run_dir/apply-store"
    if "$rightsize" serve --flink "$RIGHTSIZE_FLINK_REST_URL" --settle-time 60s "$@" --no-memory \
        --job "$job" --alert-after 1 --apply --store "$run_dir/apply-store" --listen 127.0.0.1:0 \
        --scans 1 2>"$run_dir/apply.log" && grep -q 'applied: ' "$run_dir/apply.log"; then
        pass "serve --apply: $(sed -n 's/.*\(applied: [^;]*\).*/\1/p' "$run_dir/apply.log" | head -n 1)"
    else
        fail "serve --apply did not apply the advice: $(tail -n 5 "$run_dir/apply.log")"
        return 0
    fi
    if wait_for "the job to run at its new bounds" 120 parallelism_at_bounds "$job" "$old_parallelism"; then
        pass "serve --apply: Flink restarted the job at the new parallelism ($(rest "/jobs/$job" \
            | json_eval '", ".join(v["name"][:24] + " " + str(v["parallelism"]) for v in d["vertices"])'), was $old_parallelism)"
    else
        fail "serve --apply: the job did not run at its new bounds: $(rest "/jobs/$job/resource-requirements")"
    fi
}

# 7. The scanner's broker-side input rate S on the real broker: the sampler's own tests (a cargo
# integration test that runs when RIGHTSIZE_KAFKA_BOOTSTRAP is set), then `rightsize scan` on
# steady datagen traffic, whose S must come from broker offsets within 10 % of the rate produced.
broker_rate_check() {
    python3 -c '
import json, sys
rate = float(sys.argv[1])
job = json.load(sys.stdin)["jobs"][0]["evaluation"]
s = job["input_rate"]
assert s.get("from") == "broker_offsets", s
assert abs(s["records_per_s"] - rate) <= 0.1 * rate, s
print("S =", round(s["records_per_s"]), "rec/s from", s["basis"])
' "$1"
}
test_kafka_broker_rate() {
    start_cluster --flink 2.2.1 --conf 'metrics.fetcher.update-interval: 1000' || return 0
    # Also through the broker's SSL and SASL_SSL listeners (CA check, PLAIN, SCRAM, wrong CA/password).
    if RIGHTSIZE_KAFKA_BOOTSTRAP="$RIGHTSIZE_KAFKA_BOOTSTRAP" \
        RIGHTSIZE_KAFKA_SSL_BOOTSTRAP="$RIGHTSIZE_KAFKA_SSL_BOOTSTRAP" \
        RIGHTSIZE_KAFKA_SASL_SSL_BOOTSTRAP="$RIGHTSIZE_KAFKA_SASL_SSL_BOOTSTRAP" \
        RIGHTSIZE_KAFKA_CA_PEM="$RIGHTSIZE_KAFKA_CA_PEM" RIGHTSIZE_KAFKA_OTHER_CA_PEM="$RIGHTSIZE_KAFKA_OTHER_CA_PEM" \
        RIGHTSIZE_KAFKA_SASL_USER="$RIGHTSIZE_KAFKA_SASL_USER" RIGHTSIZE_KAFKA_SASL_PASSWORD="$RIGHTSIZE_KAFKA_SASL_PASSWORD" \
        cargo test -q -p rightsize --test kafka_rate \
        --manifest-path "$RIGHTSIZE_REPO/Cargo.toml" >"$run_dir/kafka_rate.log" 2>&1; then
        pass "end offsets and rates against Kafka $RIGHTSIZE_KAFKA_VERSION, plaintext, TLS and SASL (cargo test --test kafka_rate)"
    else
        fail "cargo test --test kafka_rate: $(tail -n 30 "$run_dir/kafka_rate.log")"
    fi
    local topic=rightsize.e2e.rate rate=500 traffic consumer vertex report measured
    if ! kafka topics --create --topic "$topic" --partitions 4 --replication-factor 1 >/dev/null; then
        fail "create topic $topic"
        stop_cluster
        return 0
    fi
    # The CLI's TLS and SCRAM flags, on the SASL_SSL listener: the new topic is seen, no problem.
    local secure_scan
    if secure_scan="$(RIGHTSIZE_KAFKA_PASSWORD="$RIGHTSIZE_KAFKA_SASL_PASSWORD" "$rightsize" scan \
        --flink "$RIGHTSIZE_FLINK_REST_URL" --kafka-bootstrap "$RIGHTSIZE_KAFKA_SASL_SSL_BOOTSTRAP" \
        --kafka-ca-cert "$RIGHTSIZE_KAFKA_CA_PEM" --kafka-sasl-mechanism scram-sha-512 \
        --kafka-user "$RIGHTSIZE_KAFKA_SASL_USER" --rate-interval 1s --output json 2>/dev/null)" \
        && [ "$(json_eval "(d['kafka']['problems'], d['kafka']['topics'].get('$topic'))" <<<"$secure_scan")" = "([], 4)" ]; then
        pass "rightsize scan --kafka-ca-cert --kafka-sasl-mechanism scram-sha-512 reads the SASL_SSL listener"
    else
        fail "rightsize scan over SASL_SSL: ${secure_scan:-no output}"
    fi
    traffic="$(sql "$RIGHTSIZE_ENV_DIR/workloads/traffic.sql" TOPIC="$topic" RATE="$rate")" || fail "submit traffic.sql"
    consumer="$(sql "$RIGHTSIZE_ENV_DIR/workloads/over-provisioned.sql" TOPIC="$topic" PARALLELISM=2)" || fail "submit over-provisioned.sql"
    if [ -n "$traffic" ] && [ -n "$consumer" ] \
        && wait_for "the consumer to run" "$WAIT_SECONDS" job_running "$consumer" \
        && vertex="$(vertex_id "$consumer" yes)" \
        && wait_for "records at the consumer" "$WAIT_SECONDS" records_flowing "$consumer" "$vertex"; then
        # What `serve --apply` relies on to leave a default-scheduler job alone, and say why.
        local code
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
            "$RIGHTSIZE_FLINK_REST_URL/jobs/$consumer/resource-requirements")" || true
        if [ "$code" = 500 ]; then
            pass "default scheduler: GET /jobs/:jid/resource-requirements answers 500 (serve --apply reports the job as not rescalable in place)"
        else
            fail "default scheduler: GET /jobs/:jid/resource-requirements answered $code, serve --apply expects 500"
        fi
        # The filled-in script sql.sh kept: its topic is matched to the job by pipeline.name.
        if report="$("$rightsize" scan --flink "$RIGHTSIZE_FLINK_REST_URL" --job "$consumer" \
            --kafka-bootstrap "$RIGHTSIZE_KAFKA_BOOTSTRAP" --rate-interval 5s \
            --sql "$run_dir/workloads/over-provisioned.sql" --output json)" \
            && measured="$(broker_rate_check "$rate" <<<"$report")"; then
            pass "rightsize scan measures S on the brokers: $measured"
        else
            fail "rightsize scan --kafka-bootstrap: S not from broker offsets within 10 % of $rate/s: $report"
        fi
    else
        fail "the Kafka jobs are not RUNNING with records flowing"
    fi
    stop_cluster
}

# --- the run ---------------------------------------------------------------------------------

exec 3>&1 4>&2
finish() {
    local status=$?
    trap - EXIT
    trap '' INT TERM   # stopping the cluster must not be cut short
    exec 1>&3 2>&4
    stop_producers
    if [ -f "$run_dir/cluster.env" ] && [ "$status" -ne 0 ] && [ "$status" -ne 130 ] && [ "$status" -ne 143 ]; then
        cluster logs || true
    fi
    # Also after a start cut short: stop ends whatever the run dir's pids file records.
    cluster stop >/dev/null 2>&1 || fail "cluster stop left processes running in $run_dir"
    [ "$status" -eq 0 ] || fail "the e2e run stopped early (exit $status)"
    note "e2e took $((SECONDS - started))s"
    printf 'e2e: %d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
}
started=$SECONDS
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

jar_1_20="$(overlay_jar overlay-1.20 1.20.5)"
jar_2_3="$(overlay_jar overlay-2.x 2.3.0)"
native_dir="$RIGHTSIZE_REPO/target/release"
[ -f "$native_dir/libjni_metrics.so" ] || die "no $native_dir/libjni_metrics.so: build it with 'cargo build -p jni-metrics --release'"
rightsize="$RIGHTSIZE_REPO/target/release/rightsize"
if [ ! -x "$rightsize" ]; then
    rightsize="$RIGHTSIZE_REPO/target/debug/rightsize"
    [ -x "$rightsize" ] || cargo build -q -p rightsize --manifest-path "$RIGHTSIZE_REPO/Cargo.toml"
fi
# Whatever a killed earlier run left in this run dir goes first.
cluster stop >/dev/null 2>&1 || true

test_overlay_native 1.20.5 "$jar_1_20"
test_overlay_native 2.3.0 "$jar_2_3"
test_overlay_fallback 2.3.0 "$jar_2_3"
test_kafka_source_metrics
test_scan_verdicts
test_kafka_broker_rate
