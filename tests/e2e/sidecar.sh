# Sourced by tests/e2e/run.sh: `rightsize sidecar` follows the running TaskManager's GC log and
# its /metrics count the same young collections as the TaskManager JVM's own G1 bean (read over
# Flink REST before and after, since the JVM keeps collecting). Uses run.sh's helpers (pass,
# fail, wait_for, rest, json_eval) and $rightsize; $1 is a `--report-url` base to push to, if any.
#
#   test_sidecar [REPORT_URL]

# The TaskManager JVM's young-collection count, from Flink's JVM metrics.
tm_young_gc_count() {
    local tm_id="$1" name
    # The list stays empty until Flink's metric fetcher has run once.
    name="$(rest "/taskmanagers/$tm_id/metrics" | json_eval \
        'next((m["id"] for m in d if m["id"].startswith("Status.JVM.GarbageCollector.") and "Young" in m["id"] and m["id"].endswith(".Count")), "")')" || return 1
    [ -n "$name" ] || return 1
    rest "/taskmanagers/$tm_id/metrics?get=$name" | json_eval 'int(float(d[0]["value"]))'
}

# The sidecar's young collections of the open TaskManager JVM (the last instance of the log).
sidecar_young_count() {
    curl -sf --max-time 5 "http://$sidecar_address/metrics" |
        awk '/^rightsize_gc_young_collections_total\{log="taskmanager-gc.log"/ { value = $2 } END { if (value == "") exit 1; print value }'
}

tm_gc_metrics_ready() { tm_young_gc_count "$1" >/dev/null; }

sidecar_reached() { local count; count="$(sidecar_young_count)" && [ "${count%.*}" -ge "$1" ]; }

tm_reached() { local count; count="$(tm_young_gc_count "$1")" && [ "$count" -ge "$2" ]; }

test_sidecar() {
    local report_url="${1:-}" state="$run_dir/sidecar-state" out="$run_dir/sidecar.out" sidecar_pid
    rm -rf "$state"
    local args=(sidecar --dir "$RIGHTSIZE_FLINK_LOG_DIR" --pattern 'taskmanager-gc.log*' --state-dir "$state"
        --listen 127.0.0.1:0 --poll-interval 500ms --push-interval 2s)
    [ -n "$report_url" ] && args+=(--report-url "$report_url")
    "$rightsize" "${args[@]}" >"$out" 2>"$run_dir/sidecar.err" &
    sidecar_pid=$!
    sidecar_address=""
    for _ in $(seq 50); do
        sidecar_address="$(sed -n 's|^listening on http://||p' "$out")"
        [ -n "$sidecar_address" ] && break
        sleep 0.2
    done
    if [ -z "$sidecar_address" ]; then
        fail "rightsize sidecar did not start: $(cat "$run_dir/sidecar.err")"
        kill "$sidecar_pid" 2>/dev/null || true
        return 0
    fi
    local tm_id before after counted
    tm_id="$(rest /taskmanagers | json_eval 'd["taskmanagers"][0]["id"]')" &&
        wait_for "the TaskManager's GC metrics over REST" "$WAIT_SECONDS" tm_gc_metrics_ready "$tm_id" &&
        before="$(tm_young_gc_count "$tm_id")" || { fail "TaskManager GC count over REST"; kill "$sidecar_pid"; return 0; }
    if wait_for "the sidecar to count $before young collections" "$WAIT_SECONDS" sidecar_reached "$before"; then
        counted="$(sidecar_young_count)"
        # Flink's REST serves the count its metric fetcher cached (every second here), while the
        # log already shows the latest collection: give the cache a few seconds to catch up.
        if wait_for "the TaskManager JVM to report $counted young collections" 10 \
            tm_reached "$tm_id" "${counted%.*}"; then
            after="$(tm_young_gc_count "$tm_id")"
            pass "sidecar on $sidecar_address counts $counted young collections; the TaskManager JVM counted $before before, $after after"
        else
            fail "sidecar counts $counted young collections, more than the TaskManager JVM's $(tm_young_gc_count "$tm_id" || echo '?') 10 s later"
        fi
    else
        fail "sidecar /metrics: $(sidecar_young_count || echo none) young collections, TaskManager JVM $before"
    fi
    kill "$sidecar_pid" 2>/dev/null || true
    wait "$sidecar_pid" 2>/dev/null || true
}
