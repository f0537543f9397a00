#!/usr/bin/env bash
# Submits a Flink SQL workload to a running cluster.sh cluster and prints the ID of each job it
# started, one a line. The file's ${NAME} placeholders are filled in first: KAFKA_BOOTSTRAP from
# the cluster's state file, the others from NAME=VALUE arguments. A placeholder left unfilled is
# an error rather than an empty string, so a typo never reaches Flink as a broken option.
#
#   tests/env/workloads/sql.sh [--run-dir DIR] FILE.sql [NAME=VALUE...]
#
# The filled-in file and the SQL client's output are kept as <run dir>/workloads/<file>{,.out}.
# --run-dir defaults, as in cluster.sh, to $RIGHTSIZE_E2E_DIR or target/e2e/cluster.
set -euo pipefail
shopt -s inherit_errexit
. "$(cd "$(dirname "$0")/../../.." && pwd)/scripts/lib/common.sh"
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"

usage() { sed -n '/^#   tests/,/^#$/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

take_run_dir "$@"
shift "$run_dir_args"
[ $# -ge 1 ] || usage
sql_file="$1"
shift
[ -f "$sql_file" ] || die "no such SQL file: $sql_file"
load_cluster_state "$run_dir"

values=()
# shellcheck disable=SC2016 # a literal placeholder
if [ -n "$RIGHTSIZE_KAFKA_BOOTSTRAP" ]; then
    values+=("KAFKA_BOOTSTRAP=$RIGHTSIZE_KAFKA_BOOTSTRAP")
elif grep -qF '${KAFKA_BOOTSTRAP}' "$sql_file"; then
    die "$sql_file uses Kafka, but the cluster in $run_dir runs without it (start it without --no-kafka)"
fi
values+=("$@")
sql="$(<"$sql_file")"
for assignment in "${values[@]}"; do
    name="${assignment%%=*}"
    [[ "$assignment" == *=* && "$name" =~ ^[A-Z_][A-Z0-9_]*$ ]] \
        || die "expected NAME=VALUE with an upper-case NAME, got: $assignment"
    # Quoted pattern and replacement: taken literally (no globbing, no bash 5.2 `&`).
    sql="${sql//"\${$name}"/"${assignment#*=}"}"
done
# shellcheck disable=SC2016 # a literal placeholder
unfilled="$(grep -o '\${[A-Za-z_][A-Za-z0-9_]*}' <<<"$sql" | LC_ALL=C sort -u | paste -sd' ' -)" || true
[ -z "$unfilled" ] || die "$sql_file: no value for $unfilled (pass NAME=VALUE)"

work_dir="$run_dir/workloads"
mkdir -p "$work_dir"
rendered="$work_dir/$(basename "$sql_file")"
printf '%s\n' "$sql" >"$rendered"
# The client reads its terminal unless stdin is closed; its log stays with the cluster's.
status=0
FLINK_CONF_DIR="$RIGHTSIZE_FLINK_CONF_DIR" "$RIGHTSIZE_FLINK_HOME/bin/sql-client.sh" -f "$rendered" \
    </dev/null >"$rendered.out" 2>&1 || status=$?
case "$status" in 130 | 143) exit "$status" ;; esac # interrupted: nothing to explain
job_ids="$(sed -n 's/.*Job ID: \([0-9a-f]\{32\}\).*/\1/p' "$rendered.out")"
if [ "$status" -ne 0 ] || grep -q 'ERROR\]' "$rendered.out" || [ -z "$job_ids" ]; then
    # The client echoes every statement; the error and its cause are what matter.
    grep -A 12 'ERROR\]' "$rendered.out" >&2 || tail -n 30 "$rendered.out" >&2
    die "the SQL client did not submit $sql_file (exit $status; full output: $rendered.out)"
fi
printf '%s\n' "$job_ids"
