#!/usr/bin/env bash
# A local Flink + Kafka cluster for the end-to-end tests and the demo, on loopback only: a KRaft
# Kafka broker (combined broker + controller), a standalone JobManager and one TaskManager, each its
# own JVM in its own process group, on free ports so that two runs never collide. Callers read
# ports, paths and PIDs from the state file `<run dir>/cluster.env` (KEY=value, shell-quoted).
#
#   tests/env/cluster.sh start [options]   provision what is missing, start, wait until ready;
#                                          reuses a running cluster of the same configuration
#   tests/env/cluster.sh status            is everything recorded alive; exit 1 if not
#   tests/env/cluster.sh stop              stop what start started, by recorded PID, and check
#                                          that nothing is left
#   tests/env/cluster.sh logs              print the tail of every log of the run
#
# Options (start; --run-dir also for the others):
#   --run-dir DIR           state, config, data and logs [$RIGHTSIZE_E2E_DIR or target/e2e/cluster]
#   --flink VERSION         a version pinned in versions.lock [its `default flink`]
#   --scheduler NAME        default | adaptive [default]
#   --no-kafka              Flink only
#   --extra-lib JAR         put JAR in the cluster's lib/ (repeatable; also the `:`-separated
#                           $RIGHTSIZE_EXTRA_LIB_JARS): the hook for the timing overlay jar
#   --native-lib-dir DIR    java.library.path and LD_LIBRARY_PATH of both Flink JVMs [also
#                           $RIGHTSIZE_NATIVE_LIB_DIR]: the hook for the JNI metrics library
#   --slots N               task slots of the TaskManager [8]
#   --conf 'KEY: VALUE'     a Flink setting for the run's config.yaml, replacing the harness's
#                           own value of KEY (repeatable; e.g. 'rightsize.timing.window: 2 s')
#
# A failed start prints the logs, stops what it started and exits non-zero. A run killed outright
# leaves its PIDs in <run dir>/pids; the next start or stop with that run dir ends them.
set -euo pipefail
shopt -s inherit_errexit
. "$(cd "$(dirname "$0")/../.." && pwd)/scripts/lib/common.sh"
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

usage() { sed -n '/^#   tests/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

JOBMANAGER_MEMORY=1024m
TASKMANAGER_MEMORY=1600m
KAFKA_HEAP=(-Xms256m -Xmx512m)
# The one user of the SASL_SSL listener, for PLAIN and both SCRAM mechanisms.
KAFKA_SASL_USER=rightsize
KAFKA_SASL_PASSWORD=rightsize-secret
READY_TIMEOUT_SECONDS=180
STOP_GRACE_SECONDS=30
# JVM unified GC logging into the log folder, rotated: the files the product reads.
gc_log_option() { printf -- '-Xlog:gc*,safepoint:file=%s:time,uptime,level,tags:filecount=5,filesize=20m' "$1"; }

[ $# -ge 1 ] || usage
command="$1"
shift
run_dir="${RIGHTSIZE_E2E_DIR:-$RIGHTSIZE_REPO/target/e2e/cluster}"
flink_version=""
scheduler=default
with_kafka=true
slots=8
native_lib_dir="${RIGHTSIZE_NATIVE_LIB_DIR:-}"
extra_libs=()
extra_conf=()
if [ -n "${RIGHTSIZE_EXTRA_LIB_JARS:-}" ]; then
    IFS=: read -r -a extra_libs <<<"$RIGHTSIZE_EXTRA_LIB_JARS"
fi
while [ $# -gt 0 ]; do
    case "$1" in
        --run-dir) [ $# -ge 2 ] || usage; run_dir="$2"; shift ;;
        --flink) [ $# -ge 2 ] || usage; flink_version="$2"; shift ;;
        --scheduler) [ $# -ge 2 ] || usage; scheduler="$2"; shift ;;
        --no-kafka) with_kafka=false ;;
        --extra-lib) [ $# -ge 2 ] || usage; extra_libs+=("$2"); shift ;;
        --native-lib-dir) [ $# -ge 2 ] || usage; native_lib_dir="$2"; shift ;;
        --slots) [ $# -ge 2 ] || usage; slots="$2"; shift ;;
        --conf) [ $# -ge 2 ] || usage; extra_conf+=("$2"); shift ;;
        -h | --help) usage ;;
        *) printf 'unknown argument: %s\n' "$1" >&2; usage ;;
    esac
    shift
done
case "$scheduler" in default | adaptive) ;; *) die "--scheduler must be default or adaptive, not $scheduler" ;; esac
[[ "$slots" =~ ^[1-9][0-9]*$ ]] || die "--slots must be a positive number, not $slots"
for setting in "${extra_conf[@]}"; do
    [[ "$setting" =~ ^[A-Za-z0-9_.-]+:\ [^[:cntrl:]]+$ ]] \
        || die "--conf takes one 'key: value' line, not: $setting"
done
mkdir -p "$run_dir"
run_dir="$(cd "$run_dir" && pwd)"
state_file="$run_dir/cluster.env"
pids_file="$run_dir/pids"   # "<name> <pid>" per started JVM, written before waiting on it

# One start/stop at a time per run dir: tests running in parallel may all ask for the cluster.
exec 9>"$run_dir.lock"
flock 9

# --- processes -------------------------------------------------------------------------------

is_alive() { pid_running "$1"; }

# A recorded PID is ours only while its command line names this run dir: PIDs get reused.
is_ours() {
    local cmdline
    cmdline="$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline")" || return 1
    [[ "$cmdline" == *"$run_dir"* ]]
}

# Live processes of a process group (every JVM is started as the leader of its own); a zombie
# is dead already and waits only for its parent.
group_members() { ps -e -o pid=,pgid=,stat= | awk -v g="$1" '$2 == g && $3 !~ /^Z/ { print $1 }'; }

# Starts a command as the leader of a new session and process group, and records its PID.
spawn() {
    local name="$1" out="$2"
    shift 2
    # The JVMs inherit no descriptor but these three: not this script's lock on the run dir, nor
    # a caller's pipe (a reader would wait for the JVMs to exit before it saw end of file).
    (
        for fd in /proc/"$BASHPID"/fd/*; do
            fd="${fd##*/}"
            [ "$fd" -le 2 ] || eval "exec $fd>&-"
        done
        exec setsid "$@" >"$out" 2>&1 </dev/null
    ) &
    local pid=$!
    printf '%s %s\n' "$name" "$pid" >>"$pids_file"
    printf '%s\n' "$pid"
}

# Stops every recorded process group: SIGTERM, a grace period, then SIGKILL; newest first.
stop_recorded() {
    [ -f "$pids_file" ] || return 0
    local name pid entries=()
    while read -r name pid; do entries=("$name:$pid" "${entries[@]}"); done <"$pids_file"
    local entry
    for entry in "${entries[@]}"; do
        name="${entry%%:*}"
        pid="${entry#*:}"
        if [ -z "$(group_members "$pid")" ]; then
            continue
        fi
        if is_alive "$pid" && ! is_ours "$pid"; then
            note "$name: PID $pid now belongs to another program; leaving it alone"
            continue
        fi
        note "stopping $name (process group $pid)"
        kill -TERM -- "-$pid" 2>/dev/null || true
        local waited=0
        while [ -n "$(group_members "$pid")" ] && [ "$waited" -lt "$STOP_GRACE_SECONDS" ]; do
            sleep 1
            waited=$((waited + 1))
        done
        if [ -n "$(group_members "$pid")" ]; then
            note "$name did not stop within ${STOP_GRACE_SECONDS}s; killing it"
            kill -KILL -- "-$pid" 2>/dev/null || true
            sleep 1
        fi
    done
    local left=()
    for entry in "${entries[@]}"; do
        pid="${entry#*:}"
        [ -z "$(group_members "$pid")" ] || left+=("${entry%%:*} (group $pid)")
    done
    [ "${#left[@]}" -eq 0 ] || die "still running after SIGKILL: ${left[*]}"
    rm -f "$pids_file"
}

# JVMs whose command line names this run dir: must be none once stopped.
strays() {
    local pid program
    for pid in $(ps -e -o pid=); do
        program="$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | head -n 1)" || continue
        [[ "$program" == */java || "$program" == java ]] && is_ours "$pid" && printf '%s ' "$pid"
    done
    return 0
}

print_logs() {
    local file
    while IFS= read -r file; do
        printf '\n----- %s (last 40 lines) -----\n' "$file" >&2
        tail -n 40 "$file" >&2
    done < <(find "$run_dir" \( -name '*.log' -o -name '*.out' \) ! -name '*gc.log*' \
        ! -path '*/kafka/data/*' -type f 2>/dev/null | LC_ALL=C sort)
    printf '\n(all logs: %s)\n' "$run_dir" >&2
}

# --- ports and readiness ---------------------------------------------------------------------

# N distinct free loopback ports; all are held open together while they are chosen.
free_ports() {
    python3 - "$1" <<'PY'
import socket, sys
sockets = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    sockets.append(s)
print(" ".join(str(s.getsockname()[1]) for s in sockets))
PY
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits until "$@" succeeds while the named PIDs live; fails on a death or after the timeout.
wait_until() {
    local what="$1" pids="$2"
    shift 2
    local waited=0 pid
    note "waiting for $what"
    until "$@"; do
        for pid in $pids; do
            is_alive "$pid" || { note "$what: process $pid exited"; return 1; }
        done
        [ "$waited" -lt "$READY_TIMEOUT_SECONDS" ] || { note "$what: not ready after ${READY_TIMEOUT_SECONDS}s"; return 1; }
        sleep 1
        waited=$((waited + 1))
    done
}

kafka_ready() { port_open "$1" && grep -q 'Kafka Server started' "$2" 2>/dev/null; }

flink_ready() {
    curl -sf --max-time 5 "http://127.0.0.1:$1/overview" 2>/dev/null \
        | grep -q '"taskmanagers":1[,}]'
}

# --- Kafka -----------------------------------------------------------------------------------

# A throwaway CA and a broker certificate for 127.0.0.1 and localhost, made with openssl into
# DIR/tls: ca.pem (what clients trust), broker.pem (the broker's key and chain, PEM keystore) and
# other-ca.pem (a CA that did not sign the broker: what a client must reject).
make_kafka_tls() {
    local tls="$1"
    mkdir -p "$tls"
    (
        cd "$tls"
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=rightsize test CA' \
            -keyout ca-key.pem -out ca.pem
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=rightsize other CA' \
            -keyout other-ca-key.pem -out other-ca.pem
        openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' -keyout broker-key.pem -out broker.csr
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >broker.ext
        openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \
            -extfile broker.ext -out broker-cert.pem
        cat broker-key.pem broker-cert.pem ca.pem >broker.pem
    ) >"$tls/openssl.out" 2>&1 || { cat "$tls/openssl.out" >&2; return 1; }
}

start_kafka() {
    local version="$1" broker_port="$2" controller_port="$3" ssl_port="$4" sasl_ssl_port="$5"
    local home dir="$run_dir/kafka"
    home="$(kafka_dir "$version")"
    mkdir -p "$dir/data" "$dir/logs"
    make_kafka_tls "$dir/tls"
    cat >"$dir/server.properties" <<EOF
# KRaft, one node that is broker and controller; loopback only. Besides PLAINTEXT, an SSL and a
# SASL_SSL listener (PLAIN and SCRAM users) for testing clients' TLS and SASL.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$broker_port,SSL://127.0.0.1:$ssl_port,SASL_SSL://127.0.0.1:$sasl_ssl_port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$broker_port,SSL://127.0.0.1:$ssl_port,SASL_SSL://127.0.0.1:$sasl_ssl_port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
ssl.keystore.type=PEM
ssl.keystore.location=$dir/tls/broker.pem
ssl.truststore.type=PEM
ssl.truststore.location=$dir/tls/ca.pem
ssl.client.auth=none
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$KAFKA_SASL_USER="$KAFKA_SASL_PASSWORD";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
    cat >"$dir/log4j2.properties" <<EOF
appender.file.type = File
appender.file.name = file
appender.file.fileName = $dir/logs/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
EOF
    # The command-line tools (kafka.sh) log warnings only, to stderr.
    cat >"$dir/tools-log4j2.properties" <<EOF
appender.err.type = Console
appender.err.name = err
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = err
EOF
    local cluster_id
    # Kafka's own ids never start with '-' (Uuid.randomUuid draws again): one that did would read
    # as an option to the storage tool, one start in 64.
    cluster_id="$(python3 -c '
import base64, uuid
cluster_id = "-"
while cluster_id.startswith("-"):
    cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
print(cluster_id)')"
    note "formatting Kafka storage (cluster id $cluster_id)"
    java -cp "$home/libs/*" -Dlog4j2.configurationFile="$dir/log4j2.properties" \
        kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" \
        --add-scram "SCRAM-SHA-256=[name=$KAFKA_SASL_USER,password=$KAFKA_SASL_PASSWORD]" \
        --add-scram "SCRAM-SHA-512=[name=$KAFKA_SASL_USER,password=$KAFKA_SASL_PASSWORD]" \
        >"$dir/logs/format.out" 2>&1 || { cat "$dir/logs/format.out" >&2; return 1; }
    spawn kafka "$dir/logs/kafka.out" java "${KAFKA_HEAP[@]}" -XX:+UseG1GC \
        -Dlog4j2.configurationFile="$dir/log4j2.properties" -Dkafka.logs.dir="$dir/logs" \
        -cp "$home/libs/*" kafka.Kafka "$dir/server.properties"
}

# --- Flink -----------------------------------------------------------------------------------

# A FLINK_HOME of this run: its own bin/ (config.sh derives FLINK_HOME from bin/'s real path),
# conf/ and log/; lib/, opt/ and plugins/ are links to the cached files, plus the extra jars.
make_flink_home() {
    local version="$1" home="$2" connector_dir="$3"
    local cached
    cached="$(flink_home_cached "$version")"
    mkdir -p "$home/lib" "$home/log" "$home/pids"
    cp -R "$cached/bin" "$cached/conf" "$home/"
    # Real folders of links: the scripts `find` jars in opt/, and find does not enter a linked folder.
    cp -Rs "$cached/opt" "$cached/plugins" "$home/"
    local jar
    for jar in "$cached"/lib/*.jar; do ln -s "$jar" "$home/lib/"; done
    if [ -n "$connector_dir" ]; then
        for jar in "$connector_dir"/*.jar; do ln -s "$jar" "$home/lib/"; done
    fi
    for jar in "${extra_libs[@]}"; do
        ln -sf "$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")" "$home/lib/"
    done
}

# YAML single-quoted scalar.
yaml_quote() { printf "'%s'" "${1//\'/\'\'}"; }

write_flink_config() {
    local cached_conf="$1" home="$2" rest_port="$3" rpc_port="$4"
    local shipped_opts jvm_opts=""
    # Keep the --add-opens list the release ships (its `env.java.opts.all`, nested YAML).
    shipped_opts="$(awk '/^ +all: /{ sub(/^ +all: /, ""); print; exit }' "$cached_conf/config.yaml")"
    [ -n "$shipped_opts" ] || die "no env.java.opts.all in $cached_conf/config.yaml"
    [ -z "$native_lib_dir" ] || jvm_opts=" -Djava.library.path=$native_lib_dir"
    # The log file has everything; stdout (<name>.out) keeps only what bypasses log4j.
    jvm_opts+=" -Dconsole.log.level=OFF"
    cat >"$home/conf/config.yaml" <<EOF
# Written by tests/env/cluster.sh for one local run.
env.java.opts.all: $(yaml_quote "$shipped_opts")
env.java.opts.jobmanager: $(yaml_quote "$(gc_log_option "$home/log/jobmanager-gc.log")$jvm_opts")
env.java.opts.taskmanager: $(yaml_quote "$(gc_log_option "$home/log/taskmanager-gc.log")$jvm_opts")
env.log.dir: $(yaml_quote "$home/log")
env.pid.dir: $(yaml_quote "$home/pids")
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $rpc_port
jobmanager.bind-host: 127.0.0.1
jobmanager.memory.process.size: $JOBMANAGER_MEMORY
jobmanager.scheduler: $scheduler
jobmanager.execution.failover-strategy: region
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.memory.process.size: $TASKMANAGER_MEMORY
taskmanager.numberOfTaskSlots: $slots
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $rest_port
blob.server.port: 0
metrics.internal.query-service.port: 0
metrics.fetcher.update-interval: 2000
parallelism.default: 1
EOF
    # A --conf setting replaces the line above with its key (YAML forbids a key twice).
    local setting
    for setting in "${extra_conf[@]}"; do
        awk -v key="${setting%%:*}:" 'index($0, key) != 1' "$home/conf/config.yaml" >"$home/conf/config.yaml.tmp"
        printf '%s\n' "$setting" >>"$home/conf/config.yaml.tmp"
        mv "$home/conf/config.yaml.tmp" "$home/conf/config.yaml"
    done
    printf '127.0.0.1\n' >"$home/conf/workers"
    printf '127.0.0.1:%s\n' "$rest_port" >"$home/conf/masters"
}

# A state file value: bare when plain, else single-quoted ('\'' for a quote), so that both a
# shell (`. cluster.env`) and a simple KEY=value reader in a test can read it.
state_quote() {
    if [[ "$1" =~ ^[A-Za-z0-9_./:@,+=-]*$ ]]; then
        printf '%s' "$1"
    else
        printf "'%s'" "${1//\'/\'\\\'\'}"
    fi
}

# --- commands --------------------------------------------------------------------------------

# The configuration a running cluster must match to be reused.
config_signature() {
    printf 'flink=%s scheduler=%s kafka=%s slots=%s extra=%s native=%s conf=%s' "$flink_version" \
        "$scheduler" "$with_kafka" "$slots" "${extra_libs[*]:-}" "$native_lib_dir" \
        "$(IFS=';'; echo "${extra_conf[*]:-}")"
}

recorded_pids() { [ -f "$pids_file" ] && awk '{ print $2 }' "$pids_file"; }

all_recorded_alive() {
    local pid any=false
    for pid in $(recorded_pids); do
        is_alive "$pid" && is_ours "$pid" || return 1
        any=true
    done
    $any
}

cmd_stop() {
    # Once stopping, finish: an interrupt now would leave half the cluster running.
    trap '' INT TERM
    stop_recorded
    rm -f "$state_file"
    local left
    left="$(strays)"
    [ -z "$left" ] || die "processes still name $run_dir: $left(not started by this harness's record; check 'ps -fp $left')"
    note "stopped; nothing of $run_dir is running"
}

cmd_status() {
    if [ ! -f "$state_file" ] || [ ! -f "$pids_file" ]; then
        note "not running (no $state_file)"
        return 1
    fi
    cat "$state_file"
    local name pid ok=0
    while read -r name pid; do
        if is_alive "$pid" && is_ours "$pid"; then note "$name: running (PID $pid)"; else note "$name: NOT running (PID $pid)"; ok=1; fi
    done <"$pids_file"
    return "$ok"
}

# The EXIT trap of a start that did not finish: logs (unless interrupted), then stop.
start_failed() {
    local status="$1"
    trap - EXIT INT TERM
    if [ "$status" -ne 0 ]; then
        case "$status" in
            130 | 143) note "start interrupted; stopping what it started" ;;
            *) print_logs; note "start failed; stopping what it started" ;;
        esac
        stop_recorded || true
    fi
    exit "$status"
}

cmd_start() {
    [ -n "$flink_version" ] || flink_version="$(lock_default flink)"
    local jar
    for jar in "${extra_libs[@]}"; do
        [ -f "$jar" ] || die "--extra-lib $jar: no such file"
    done
    [ -z "$native_lib_dir" ] || [ -d "$native_lib_dir" ] || die "--native-lib-dir $native_lib_dir: no such folder"
    local signature
    signature="$(config_signature)"
    if [ -f "$state_file" ] && all_recorded_alive; then
        if grep -qxF "RIGHTSIZE_CLUSTER_CONFIG=$(state_quote "$signature")" "$state_file"; then
            note "reusing the running cluster in $run_dir ($signature)"
            printf '%s\n' "$state_file"
            return 0
        fi
        note "a cluster of another configuration runs in $run_dir; restarting it"
    fi
    # Whatever a previous run left (killed, failed, or another configuration) goes first.
    stop_recorded
    rm -f "$state_file"
    # Only ever wipe what this harness made.
    local stale
    for stale in flink kafka; do rm -rf "${run_dir:?}/$stale"; done

    local connector_version="" connector_dir="" kafka_version=""
    local provision_args=(--flink "$flink_version")
    if $with_kafka; then
        kafka_version="$(lock_lines kafka | awk '{ print $1 }')"
        connector_version="$(lock_kafka_connector_version "$flink_version")"
        [ -z "$connector_version" ] || connector_dir="$(kafka_connector_dir "$connector_version")"
    else
        provision_args+=(--no-kafka)
    fi
    "$RIGHTSIZE_ENV_DIR/provision.sh" "${provision_args[@]}"

    # From here on, a failure or an interrupt stops what was started and shows the logs.
    trap 'start_failed $?' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    local ports rest_port rpc_port broker_port controller_port ssl_port sasl_ssl_port
    ports="$(free_ports 6)"
    read -r rest_port rpc_port broker_port controller_port ssl_port sasl_ssl_port <<<"$ports"

    step "Starting Flink $flink_version ($scheduler scheduler): JobManager and TaskManager"
    local home="$run_dir/flink"
    make_flink_home "$flink_version" "$home" "$connector_dir"
    write_flink_config "$(flink_home_cached "$flink_version")/conf" "$home" "$rest_port" "$rpc_port"
    local jvm_env=(env FLINK_CONF_DIR="$home/conf")
    [ -z "$native_lib_dir" ] || jvm_env+=(LD_LIBRARY_PATH="$native_lib_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
    local jm_pid tm_pid
    jm_pid="$(spawn jobmanager "$home/log/jobmanager.out" "${jvm_env[@]}" "$home/bin/jobmanager.sh" start-foreground)"
    tm_pid="$(spawn taskmanager "$home/log/taskmanager.out" "${jvm_env[@]}" "$home/bin/taskmanager.sh" start-foreground)"

    # Kafka after Flink, so that formatting its storage overlaps the Flink JVMs' start.
    local kafka_pid=""
    if $with_kafka; then
        step "Starting Kafka $kafka_version (KRaft) on 127.0.0.1:$broker_port"
        kafka_pid="$(start_kafka "$kafka_version" "$broker_port" "$controller_port" "$ssl_port" "$sasl_ssl_port")"
    fi

    if $with_kafka; then
        wait_until "Kafka on 127.0.0.1:$broker_port" "$kafka_pid" \
            kafka_ready "$broker_port" "$run_dir/kafka/logs/server.log"
    fi
    wait_until "Flink REST on 127.0.0.1:$rest_port with 1 TaskManager" "$jm_pid $tm_pid" \
        flink_ready "$rest_port"

    local state
    state="$(
        q() { printf '%s=%s\n' "$1" "$(state_quote "$2")"; }
        q RIGHTSIZE_CLUSTER_CONFIG "$signature"
        q RIGHTSIZE_RUN_DIR "$run_dir"
        q RIGHTSIZE_FLINK_VERSION "$flink_version"
        q RIGHTSIZE_FLINK_HOME "$home"
        q RIGHTSIZE_FLINK_CONF_DIR "$home/conf"
        q RIGHTSIZE_FLINK_LOG_DIR "$home/log"
        q RIGHTSIZE_FLINK_SCHEDULER "$scheduler"
        q RIGHTSIZE_FLINK_REST_PORT "$rest_port"
        q RIGHTSIZE_FLINK_REST_URL "http://127.0.0.1:$rest_port"
        q RIGHTSIZE_FLINK_RPC_PORT "$rpc_port"
        q RIGHTSIZE_JM_PID "$jm_pid"
        q RIGHTSIZE_TM_PID "$tm_pid"
        q RIGHTSIZE_JM_GC_LOG "$home/log/jobmanager-gc.log"
        q RIGHTSIZE_TM_GC_LOG "$home/log/taskmanager-gc.log"
        q RIGHTSIZE_EXTRA_LIB_JARS "$(IFS=:; echo "${extra_libs[*]:-}")"
        q RIGHTSIZE_NATIVE_LIB_DIR "$native_lib_dir"
        q RIGHTSIZE_KAFKA_VERSION "$kafka_version"
        q RIGHTSIZE_KAFKA_PID "$kafka_pid"
        q RIGHTSIZE_KAFKA_BOOTSTRAP "${kafka_pid:+127.0.0.1:$broker_port}"
        q RIGHTSIZE_KAFKA_SSL_BOOTSTRAP "${kafka_pid:+127.0.0.1:$ssl_port}"
        q RIGHTSIZE_KAFKA_SASL_SSL_BOOTSTRAP "${kafka_pid:+127.0.0.1:$sasl_ssl_port}"
        q RIGHTSIZE_KAFKA_CA_PEM "${kafka_pid:+$run_dir/kafka/tls/ca.pem}"
        q RIGHTSIZE_KAFKA_OTHER_CA_PEM "${kafka_pid:+$run_dir/kafka/tls/other-ca.pem}"
        q RIGHTSIZE_KAFKA_SASL_USER "${kafka_pid:+$KAFKA_SASL_USER}"
        q RIGHTSIZE_KAFKA_SASL_PASSWORD "${kafka_pid:+$KAFKA_SASL_PASSWORD}"
        q RIGHTSIZE_KAFKA_LOG_DIR "${kafka_pid:+$run_dir/kafka/logs}"
        q RIGHTSIZE_KAFKA_CLASSPATH "${kafka_pid:+$(kafka_dir "$kafka_version")/libs/*}"
        q RIGHTSIZE_KAFKA_CONNECTOR_VERSION "$connector_version"
        q RIGHTSIZE_KAFKA_CONNECTOR_DIR "$connector_dir"
    )"
    printf '%s\n' "$state" >"$state_file.tmp"
    mv "$state_file.tmp" "$state_file"
    trap - EXIT INT TERM
    step "Cluster ready: Flink REST http://127.0.0.1:$rest_port${kafka_pid:+, Kafka 127.0.0.1:$broker_port}"
    note "state: $state_file"
    printf '%s\n' "$state_file"
}

case "$command" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    logs) print_logs ;;
    *) usage ;;
esac
