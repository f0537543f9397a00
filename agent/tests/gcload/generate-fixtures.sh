#!/usr/bin/env bash
# Regenerates the real-JVM GC log fixtures under agent/tests/fixtures/jvm/.
#
# Why: parser and analysis tests need logs whose truth is known. Each fixture is the GC log of one
# or two runs of GcLoad.java (a workload with a fixed live set and a fixed allocation volume) plus
# the JVM's own GarbageCollectorMXBean counts printed by that run (truth.json). The test
# agent/tests/real_jvm.rs checks the parsers against those counts.
#
# Usage (from anywhere):
#   agent/tests/gcload/generate-fixtures.sh
#   JDK17=/path/to/jdk-17 JDK25=/path/to/jdk-25 agent/tests/gcload/generate-fixtures.sh
#   OUT=/tmp/fixtures agent/tests/gcload/generate-fixtures.sh     # write elsewhere to compare
#
# Needs: a JDK 17 and a JDK 25 (defaults: Debian's OpenJDK 17 and Temurin 25 under /usr/lib/jvm);
# localedef with /usr/share/i18n (glibc; builds the locale of the decimal-comma fixture). A missing
# JDK is an error: the committed set must stay complete. Takes about half a minute; deletes and
# rewrites $OUT/jdk* and $OUT/README.md only.
#
# Determinism: the workload allocates the same objects in the same order on every run and the
# JVMs are pinned to 2 CPUs, but GC timing still varies with the machine: counts and times in
# the logs change from run to run. The truth files always match the log they sit beside, and
# README.md is rewritten with the new counts. After regenerating, run
#   cargo test -p rightsize --test real_jvm
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE/../fixtures/jvm}
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
JDK25=${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}

for jdk in "$JDK17" "$JDK25"; do
    if [[ ! -x "$jdk/bin/java" ]]; then
        echo "error: no JDK at $jdk; set JDK17 / JDK25 to a JDK home" >&2
        exit 1
    fi
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# Class files for Java 11 run on both JDKs.
"$JDK17/bin/javac" --release 11 -d "$WORK/classes" "$HERE/GcLoad.java"

# The JVM formats log decimals in the process locale: a German one gives `[0,143s]` and `3,257ms`.
# Built here because minimal systems install no locale besides C.
LOCALE_DIR="$WORK/locale"
mkdir -p "$LOCALE_DIR"
if ! localedef -i de_DE -f UTF-8 "$LOCALE_DIR/de_DE.UTF-8" && [[ ! -d "$LOCALE_DIR/de_DE.UTF-8" ]]; then
    echo "error: cannot build the de_DE.UTF-8 locale (needs localedef and /usr/share/i18n)" >&2
    exit 1
fi

# Pinned so that worker counts and ergonomics do not depend on the maintainer's machine.
COMMON_JVM_ARGS=(-XX:ActiveProcessorCount=2)
# The default workload: 24 MiB live in a 64 MiB heap, 512 MiB of garbage, two System.gc() calls
# and the workload's final one (so the live set is measured exactly three times), one live chunk
# replaced per 2 MiB (old garbage).
WORKLOAD=(--live-mb 24 --alloc-mb 512 --system-gc 2 --churn-every-mb 2)

README_ROWS="$WORK/readme-rows.md"
: >"$README_ROWS"

mkdir -p "$OUT"
rm -rf "$OUT"/jdk*

jdk_home() {
    case "$1" in
        17) echo "$JDK17" ;;
        25) echo "$JDK25" ;;
        *) echo "unknown JDK $1" >&2; return 1 ;;
    esac
}

# run_jvm <jdk 17|25> <fixture dir> <truth file name> <jvm args...> -- <workload args...>
# Runs GcLoad with the fixture directory as working directory, so log paths are relative and no
# absolute path of this machine ends up in a committed file.
run_jvm() {
    local jdk=$1 dir=$2 truth=$3
    shift 3
    local jvm_args=()
    while [[ $1 != -- ]]; do
        jvm_args+=("$1")
        shift
    done
    shift
    mkdir -p "$dir"
    # The `time` decoration prints local time: a zone with a half-hour offset tests its parsing.
    local env=(TZ="${RUN_TZ:-UTC}" LC_ALL="${RUN_LOCALE:-C}" LOCPATH="$LOCALE_DIR")
    (cd "$dir" && env "${env[@]}" "$(jdk_home "$jdk")/bin/java" "${COMMON_JVM_ARGS[@]}" "${jvm_args[@]}" \
        -cp "$WORK/classes" GcLoad "$@" </dev/null >"$truth")
    # One JSON line, nothing else: a JVM warning on stdout would break every consumer.
    if [[ $(wc -l <"$dir/$truth") -ne 1 ]]; then
        echo "error: $dir/$truth is not one line" >&2
        exit 1
    fi
    echo "JDK $jdk | TZ=${RUN_TZ:-UTC} LC_ALL=${RUN_LOCALE:-C} | ${jvm_args[*]} | GcLoad $*" >>"$dir/command.txt"
}

# Lists the fixture's log files oldest first (by modification time, which the JVM's own renames
# preserve); git does not keep modification times, so the order is committed as order.txt.
record_order() {
    (cd "$1" && ls -1tr gc.log*) >"$1/order.txt"
}

# counts_of <truth file>: "name=count, ..." for the README.
counts_of() {
    sed -e 's/.*"collectors":\[//' -e 's/\]}$//' "$1" |
        tr '}' '\n' |
        sed -n 's/.*"name":"\([^"]*\)","count":\([0-9]*\).*/\1=\2/p' |
        paste -sd ',' - | sed 's/,/, /g'
}

field_of() {
    sed -n "s/.*\"$2\":\"\\{0,1\\}\\([^,\"]*\\).*/\\1/p" "$1"
}

# readme_row <fixture> <truth file> <what is special>
readme_row() {
    local name=$1 truth=$2 note=$3 dir="$OUT/$1"
    local files size
    files=$(paste -sd ' ' "$dir/order.txt")
    size=$(cat "$dir"/gc.log* | wc -c)
    printf '| `%s` | %s | %s | %s | `%s` | %s | %s |\n' \
        "$name" "$(field_of "$dir/$truth" vm_version)" "$note" "$files ($((size / 1024)) KiB)" \
        "$truth" "$(counts_of "$dir/$truth")" \
        "live $(( $(field_of "$dir/$truth" live_bytes) / 1048576 )) MiB, max heap $(field_of "$dir/$truth" max_memory_bytes) B" \
        >>"$README_ROWS"
}

# single <fixture> <jdk> <collector flag> <heap> <-Xlog option> <note> [workload args...]
single() {
    local name=$1 jdk=$2 gc=$3 heap=$4 xlog=$5 note=$6
    shift 6
    local workload=("${WORKLOAD[@]}")
    if [[ $# -gt 0 ]]; then workload=("$@"); fi
    run_jvm "$jdk" "$OUT/$name" truth.json "$gc" "$heap" "$xlog" -- "${workload[@]}"
    record_order "$OUT/$name"
    readme_row "$name" truth.json "$note: \`$gc $heap $xlog\`, GcLoad ${workload[*]}"
}

# --- one fixture per JDK and collector, decorations varied across them ---
single jdk17-serial 17 -XX:+UseSerialGC -Xmx64m \
    '-Xlog:gc*:file=gc.log:uptime,level,tags' "Serial, default decorations"
single jdk17-parallel 17 -XX:+UseParallelGC -Xmx64m \
    '-Xlog:gc*:file=gc.log:time,uptime,level,tags' "Parallel, time+uptime"
single jdk17-g1 17 -XX:+UseG1GC -Xmx64m \
    '-Xlog:gc*:file=gc.log:uptimemillis,level,tags' "G1, uptimemillis"
single jdk17-g1-gc-only 17 -XX:+UseG1GC -Xmx64m \
    '-Xlog:gc:file=gc.log' "G1, -Xlog:gc only (summary lines, no details)"
single jdk17-g1-safepoint 17 -XX:+UseG1GC -Xmx64m \
    '-Xlog:gc*,safepoint:file=gc.log:time,uptime,level,tags' "G1 with safepoint logging"
RUN_LOCALE=de_DE.UTF-8 single jdk17-g1-decimal-comma 17 -XX:+UseG1GC -Xmx64m \
    '-Xlog:gc*:file=gc.log:uptime,level,tags' "G1 in a German locale: decimal commas (\`[0,143s]\`, \`3,257ms\`)"
single jdk17-zgc 17 -XX:+UseZGC -Xmx128m \
    '-Xlog:gc*:file=gc.log:uptime,pid,tid,level,tags' "ZGC (non-generational), pid+tid decorations" \
    --live-mb 24 --alloc-mb 256 --system-gc 2 --churn-every-mb 2
single jdk17-shenandoah 17 -XX:+UseShenandoahGC -Xmx128m \
    '-Xlog:gc*:file=gc.log:uptime,level,tags' "Shenandoah" \
    --live-mb 24 --alloc-mb 256 --system-gc 2 --churn-every-mb 2

# Degenerated GCs depend on timing: retry until the run had one.
name=jdk17-shenandoah-degenerated
for attempt in 1 2 3 4 5 6 7 8; do
    rm -rf "${OUT:?}/$name"
    run_jvm 17 "$OUT/$name" truth.json -XX:+UseShenandoahGC -Xmx64m \
        '-Xlog:gc*:file=gc.log:uptime,level,tags' -- --live-mb 24 --alloc-mb 256 --system-gc 2 --churn-every-mb 2
    if grep -q 'Pause Degenerated GC' "$OUT/$name/gc.log"; then break; fi
    if [[ $attempt == 8 ]]; then
        echo "error: $name: no degenerated GC in 8 runs; lower -Xmx" >&2
        exit 1
    fi
done
record_order "$OUT/$name"
readme_row "$name" truth.json "Shenandoah with degenerated GCs: \`-XX:+UseShenandoahGC -Xmx64m -Xlog:gc*:file=gc.log:uptime,level,tags\`, GcLoad --live-mb 24 --alloc-mb 256 --system-gc 2 --churn-every-mb 2"

single jdk25-serial 25 -XX:+UseSerialGC -Xmx64m \
    '-Xlog:gc*:file=gc.log:utctime,uptimenanos,level,tags' "Serial, utctime+uptimenanos"
RUN_TZ=America/St_Johns single jdk25-parallel 25 -XX:+UseParallelGC -Xmx64m \
    '-Xlog:gc*:file=gc.log:time' "Parallel, time only (no uptime, level or tags), TZ=America/St_Johns (-0330)"
single jdk25-g1 25 -XX:+UseG1GC -Xmx64m \
    '-Xlog:gc*:file=gc.log:timemillis,uptime,level,tags' "G1, timemillis+uptime"
single jdk25-g1-safepoint 25 -XX:+UseG1GC -Xmx64m \
    '-Xlog:gc*,safepoint:file=gc.log' "G1 with safepoint logging, default decorations"
single jdk25-zgc 25 -XX:+UseZGC -Xmx128m \
    '-Xlog:gc*:file=gc.log:uptime,level,tags' "ZGC (generational, the only ZGC mode on 25)" \
    --live-mb 24 --alloc-mb 256 --system-gc 2 --churn-every-mb 2
single jdk25-shenandoah 25 -XX:+UseShenandoahGC -Xmx128m \
    '-Xlog:gc*:file=gc.log:uptime,tid,level,tags' "Shenandoah, tid decoration" \
    --live-mb 24 --alloc-mb 256 --system-gc 2 --churn-every-mb 2

# --- rotation without wrap: every file of the run is still there ---
name=jdk17-g1-rotation
run_jvm 17 "$OUT/$name" truth.json -XX:+UseG1GC -Xmx64m \
    '-Xlog:gc*:file=gc.log:time,uptime,level,tags:filecount=10,filesize=32k' -- \
    --live-mb 24 --alloc-mb 1024 --system-gc 2 --churn-every-mb 2
record_order "$OUT/$name"
if [[ -e "$OUT/$name/gc.log.9" || ! -e "$OUT/$name/gc.log.1" ]]; then
    echo "error: $name should rotate at least twice and never wrap; adjust --alloc-mb or filesize" >&2
    exit 1
fi
readme_row "$name" truth.json "G1, rotation \`filecount=10,filesize=32k\` (no wrap, the whole run is kept), GcLoad --alloc-mb 1024"

# --- rotation with wrap: the oldest files were overwritten, index order is not time order ---
name=jdk25-serial-rotation-wrap
run_jvm 25 "$OUT/$name" truth.json -XX:+UseSerialGC -Xmx64m \
    '-Xlog:gc*:file=gc.log:uptime,level,tags:filecount=3,filesize=16k' -- \
    --live-mb 24 --alloc-mb 2048 --system-gc 2 --churn-every-mb 2
record_order "$OUT/$name"
if [[ $(head -1 "$OUT/$name/order.txt") == gc.log.0 ]]; then
    echo "error: $name did not wrap; raise --alloc-mb" >&2
    exit 1
fi
readme_row "$name" truth.json "Serial, rotation \`filecount=3,filesize=16k\` that wrapped: the run's start is lost, truth counts exceed the log's"

# --- restart with rotation: the second JVM archives the first run's gc.log as gc.log.0 ---
name=jdk17-parallel-restart
for run in 1 2; do
    run_jvm 17 "$OUT/$name" "truth-$run.json" -XX:+UseParallelGC -Xmx64m \
        '-Xlog:gc*:file=gc.log:time,uptime,level,tags:filecount=3,filesize=1m' -- "${WORKLOAD[@]}"
done
record_order "$OUT/$name"
readme_row "$name" truth-1.json "Parallel, run 1 of 2 (archived by run 2 at its start as gc.log.0), \`filecount=3,filesize=1m\`"
readme_row "$name" truth-2.json "Parallel, run 2 of 2 (gc.log)"

# --- restart without rotation: filecount=0 truncates the file in place at start ---
name=jdk17-serial-truncate
run_jvm 17 "$OUT/$name" truth-1.json -XX:+UseSerialGC -Xmx64m \
    '-Xlog:gc*:file=gc.log:uptime,level,tags:filecount=0' -- \
    --live-mb 24 --alloc-mb 1024 --system-gc 2 --churn-every-mb 2
run_jvm 17 "$OUT/$name" truth-2.json -XX:+UseSerialGC -Xmx64m \
    '-Xlog:gc*:file=gc.log:uptime,level,tags:filecount=0' -- "${WORKLOAD[@]}"
record_order "$OUT/$name"
readme_row "$name" truth-1.json "Serial, run 1 of 2 with \`filecount=0\` (longer run, its log was truncated away by run 2)"
readme_row "$name" truth-2.json "Serial, run 2 of 2: gc.log holds only this run"

cat >"$OUT/README.md" <<EOF
# GC logs recorded from real JVMs

Written by \`agent/tests/gcload/generate-fixtures.sh\` (do not edit by hand; rerun the script) and
checked by \`agent/tests/real_jvm.rs\`. Each directory holds the unified GC log of one run (two for
the restart scenarios) of \`agent/tests/gcload/GcLoad.java\` and, as \`truth.json\` (or
\`truth-1.json\`/\`truth-2.json\` per run), the JSON line that run printed at its end: the JVM's own
\`GarbageCollectorMXBean\` names, collection counts and times, the retained live bytes, the heap
limit (\`Runtime.maxMemory()\`), the JVM version, when the counts were read (\`counts_uptime_ms\`,
\`counts_epoch_ms\`; \`counts_settled\`: they had stopped changing) and the run's window
(\`jvm_start_epoch_ms\`, \`uptime_ms\` and \`end_epoch_ms\` at the end). \`command.txt\` has the exact
JVM flags and workload arguments; \`order.txt\` lists the log files oldest first (git does not keep
modification times). Every JVM ran with \`${COMMON_JVM_ARGS[*]}\`, \`TZ=UTC\` and \`LC_ALL=C\` unless
\`command.txt\` says otherwise.

The workload keeps a live set (\`--live-mb\`, 64 KiB \`byte[]\` chunks) while allocating short-lived
garbage (\`--alloc-mb\`, objects of 32 B to 16 KiB), replaces one live chunk per \`--churn-every-mb\`
(old garbage, so G1 runs concurrent cycles and mixed pauses), and calls \`System.gc()\`
\`--system-gc\` times plus once at the end (with the young generation empty, printing the truth
cannot start a collection the printed counts miss; \`system_gc_calls\` includes that call). After
each \`System.gc()\` Full GC (Serial, Parallel, G1) the heap holds the live set plus the JVM's own
objects (about 1 MiB).

Concurrent collectors start cycles on their own even on an idle JVM (Shenandoah's learning triggers
fired every ~200 ms once the heap sat just above its threshold), so a log can show a collection that
started after the counts were read, cut short at exit. Events that start after \`counts_uptime_ms\`
(the log's uptime runs on the same clock, checked to the millisecond) are not in the counts.

## What the counts mean (checked on these logs)

- Serial (\`Copy\`, \`MarkSweepCompact\`), Parallel (\`PS Scavenge\`, \`PS MarkSweep\`), G1 (\`G1 Young
  Generation\`, \`G1 Old Generation\`): one \`Pause Young\` (any qualifier: Normal, Concurrent Start,
  Prepare Mixed, Mixed) per young count and one \`Pause Full\` per old count.
- G1 on JDK 17: Remark and Cleanup pauses are in neither count. JDK 25 adds a \`G1 Concurrent GC\` bean
  that counts exactly the Remark plus Cleanup pauses.
- ZGC on JDK 17: \`ZGC Cycles\` = \`Garbage Collection (...)\` cycles; \`ZGC Pauses\` = the \`Pause Mark
  Start\`, \`Pause Mark End\` and \`Pause Relocate Start\` lines (three per cycle).
- ZGC on JDK 25 (generational): \`ZGC Minor Cycles\` = \`Minor Collection\` cycles, \`ZGC Major Cycles\`
  = \`Major Collection\` cycles; \`ZGC Minor Pauses\` + \`ZGC Major Pauses\` = all pause lines (\`y:\`,
  \`Y:\`, \`O:\` prefixed). How pauses split between the two beans is not one-to-one with the prefix.
- Shenandoah: \`Shenandoah Pauses\` = every \`Pause ...\` summary line: Init Mark, Final Mark, Init Update
  Refs, Final Update Refs, on 17 \`Pause Final Roots\` (seen in cycles that had no update-refs phase),
  and \`Pause Degenerated GC (...)\`. \`Shenandoah Cycles\` = distinct GC ids: one per concurrent cycle,
  and one per degenerated GC \`(Outside of Cycle)\`. \`System.gc()\` runs a concurrent cycle by default,
  not a Full GC, and its trigger line \`Trigger: ... (System.gc())\` has no GC id. Checked on both JDKs
  over repeated runs with and without degenerated GCs; a Shenandoah Full GC was never seen. The main
  Shenandoah fixtures use a 128 MiB heap so that no degenerated GC happens; \`jdk17-shenandoah-degenerated\`
  uses 64 MiB to get some.
- \`-Xlog:gc\` only: G1 prints the same \`Pause Young\`/\`Pause Full\`/\`Remark\`/\`Cleanup\` summary lines,
  so the counts still hold; there are no \`gc,init\` or exit lines.

## Differences between the JDKs seen in these logs

- Exit summary tag: \`gc,heap,exit\` on 17, \`gc,exit\` on 25.
- Safepoint lines on 25 add \`Leaving safepoint: N ns\` before \`Total:\` and \`, Threads: N runnable, N
  total\` after it; 17 prints \`Safepoint "...", Time since last: ..., Reaching safepoint: ..., Cleanup:
  ..., At safepoint: ..., Total: ... ns\` (no Cleanup on 25).
- ZGC states its heap limit as \`Max Capacity: 128M\` (\`gc,init\`), the other collectors as
  \`Heap Max Capacity: 64M\`.
- ZGC on 25 is generational only: \`Major Collection\`/\`Minor Collection\` cycles, pauses and statistics
  prefixed \`y:\` (minor), \`Y:\` and \`O:\` (young and old generation of a major collection); \`O: Live:\`
  of a \`System.gc()\` major collection is the live set.
- Parallel \`System.gc()\` runs a \`Pause Young (System.gc())\` right before the \`Pause Full
  (System.gc())\` (both JDKs); both count in their beans.
- In a locale with a decimal comma (\`jdk17-g1-decimal-comma\`) the first lines, written before the JVM
  sets its locale, still read \`[0.003s]\`; from the first GC on: \`[0,029s]\`, \`3,206ms\`.
- The \`time\` decoration prints local time with the zone's offset (\`-0330\` in \`jdk25-parallel\`).
- JDK 25 writes \`[gc,init] CardTable entry size: 512\` before \`Using <collector>\` (Serial, Parallel, G1);
  on 17 \`Using\` is the first line.

## Fixtures

| fixture | JVM | flags and workload | files oldest first (size) | truth | bean counts | live set, heap limit |
|---|---|---|---|---|---|---|
$(cat "$README_ROWS")
EOF

du -sh "$OUT"
echo "fixtures written to $OUT"
