//! The parsers against GC logs written by real JVMs whose own counts are known.
//!
//! Every fixture under `tests/fixtures/jvm/` is the log of a run of `tests/gcload/GcLoad.java`
//! next to the JSON line that run printed at its end: the JVM's own `GarbageCollectorMXBean`
//! counts, the retained live bytes, the version and the run's time window (see the README there).
//! Hand-made expectations can be wrong in the same way as the parser; the JVM's counters cannot.
//! The `live_*` tests run the same workload now on the `java` found on PATH, so a JVM newer than
//! the fixtures is covered too; they skip with a notice when no JDK is installed.

mod common;

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{fixture, parse_bytes, Parsed};
use rightsize::gc::model::{Collector, EventKind, Fact, GcEvent, PauseKind, Record};

const MIB: u64 = 1024 * 1024;
/// The JVM's own objects (class data, strings, the workload's bookkeeping) sit beside the
/// workload's live set after a full collection; in these runs they take 0.5-1.5 MiB.
const JVM_OWN_BYTES_MAX: u64 = 8 * MIB;
/// Unified `[gc]` summary lines print whole MiB, rounded down.
const SUMMARY_ROUNDING: u64 = MIB;
/// Log timestamps may precede `RuntimeMXBean.getStartTime()` slightly (the log opens first) and
/// trail the truth line (exit summary); one second covers both with room to spare.
const WINDOW_SLACK_MS: i64 = 1000;
/// Bound on one JVM run of the live tests; the workload takes well under a second.
const JVM_TIME_LIMIT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------
// Committed fixtures: one test each, so a failure names the JVM and collector at once.
// ---------------------------------------------------------------------------------------------

#[test]
fn jdk17_serial() {
    check_single_run("jdk17-serial", Shape::details(64));
}

#[test]
fn jdk17_parallel() {
    check_single_run("jdk17-parallel", Shape::details(64));
}

#[test]
fn jdk17_g1() {
    check_single_run("jdk17-g1", Shape::details(64));
}

#[test]
fn jdk17_g1_gc_only() {
    check_single_run("jdk17-g1-gc-only", Shape::summary_only());
}

#[test]
fn jdk17_g1_safepoint() {
    check_single_run("jdk17-g1-safepoint", Shape { safepoints: true, ..Shape::details(64) });
}

/// A German locale: the JVM's first lines still print `[0.003s]`, the rest `[0,029s]`, `3,206ms`.
#[test]
fn jdk17_g1_decimal_comma() {
    check_single_run("jdk17-g1-decimal-comma", Shape::details(64));
}

#[test]
fn jdk17_zgc() {
    check_single_run("jdk17-zgc", Shape::details(128));
}

#[test]
fn jdk17_shenandoah() {
    check_single_run("jdk17-shenandoah", Shape::details(128));
}

/// A heap too small for Shenandoah to keep up: degenerated GCs, some outside of a cycle.
#[test]
fn jdk17_shenandoah_degenerated() {
    let dir = "jdk17-shenandoah-degenerated";
    let parsed = parse_files(&log_files_oldest_first(dir));
    assert!(parsed.count(PauseKind::Degenerated) > 0, "{dir}: no degenerated pause parsed; the fixture has some");
    check_single_run(dir, Shape::details(64));
}

#[test]
fn jdk25_serial() {
    check_single_run("jdk25-serial", Shape::details(64));
}

#[test]
fn jdk25_parallel_time_decoration_only() {
    check_single_run("jdk25-parallel", Shape::details(64));
}

#[test]
fn jdk25_g1() {
    check_single_run("jdk25-g1", Shape::details(64));
}

#[test]
fn jdk25_g1_safepoint() {
    check_single_run("jdk25-g1-safepoint", Shape { safepoints: true, ..Shape::details(64) });
}

#[test]
fn jdk25_generational_zgc() {
    check_single_run("jdk25-zgc", Shape::details(128));
}

#[test]
fn jdk25_shenandoah() {
    check_single_run("jdk25-shenandoah", Shape::details(128));
}

/// Rotation without wrap: the files read oldest first hold the whole run, and GCs whose lines
/// were split across two files must still count once each.
#[test]
fn jdk17_g1_rotation_set_reads_as_one_run() {
    let dir = "jdk17-g1-rotation";
    let files = log_files_oldest_first(dir);
    assert!(files.len() >= 3, "{dir}: the fixture should span several files, has {files:?}");
    assert!(
        files.windows(2).any(|pair| last_gc_id(&pair[0]).is_some() && last_gc_id(&pair[0]) == first_gc_id(&pair[1])),
        "{dir}: no GC's lines are split across two files; regenerate with a smaller filesize"
    );
    check_single_run(dir, Shape::details(64));
}

/// Rotation that wrapped: the run's start was overwritten, so the surviving files hold the last
/// GCs only. The GC ids say exactly which: they run without gap up to the JVM's total.
#[test]
fn jdk25_serial_rotation_wrap_keeps_the_last_gcs() {
    let dir = "jdk25-serial-rotation-wrap";
    let truth = Truth::load(&fixture(&format!("jvm/{dir}/truth.json")));
    let files = log_files_oldest_first(dir);
    let parsed = parse_files(&files);
    let mut checks = Checks::new(dir);

    check_stats(&mut checks, &parsed, false);
    check_timestamps(&mut checks, &parsed, &truth);
    checks.equal(
        "JVM start facts (the header was rotated away)",
        fact_count(&parsed, |f| matches!(f, Fact::JvmStart)),
        0,
    );
    checks.check(has_fact(&parsed, |f| matches!(f, Fact::Exit)), || "the exit summary was not recognized".into());

    let young_bean = truth.count("Copy").unwrap_or(0);
    let full_bean = truth.count("MarkSweepCompact").unwrap_or(0);
    let young = parsed.count(PauseKind::Young) as u64;
    let full = parsed.count(PauseKind::Full) as u64;
    let ids: BTreeSet<u64> = parsed.events().filter(|e| e.pause_kind().is_some()).filter_map(|e| e.gc_id).collect();
    checks.check(young > 0 && young <= young_bean, || format!("young pauses {young}, JVM counted {young_bean} in all"));
    checks.check(full <= full_bean, || format!("full pauses {full}, JVM counted {full_bean} in all"));
    checks.equal("pauses with a GC id", ids.len() as u64, young + full);
    if let (Some(first), Some(last)) = (ids.first(), ids.last()) {
        // Serial numbers young and full collections in one sequence starting at GC(0).
        checks.equal("last GC id + 1 vs the JVM's total count", last + 1, young_bean + full_bean);
        checks.equal("GC ids without gaps", last - first + 1, ids.len() as u64);
    }
    checks.finish();
}

/// Restart with rotation on: the second JVM archived the first run's `gc.log` as `gc.log.0`.
/// Each file is one run with its own truth; read in sequence they are two runs.
#[test]
fn jdk17_parallel_restart_archives_the_first_run() {
    let dir = "jdk17-parallel-restart";
    assert_eq!(
        log_files_oldest_first(dir),
        vec![fixture(&format!("jvm/{dir}/gc.log.0")), fixture(&format!("jvm/{dir}/gc.log"))]
    );
    let mut checks = Checks::new(dir);
    let mut young_total = 0;
    for (file, truth_file) in [("gc.log.0", "truth-1.json"), ("gc.log", "truth-2.json")] {
        let truth = Truth::load(&fixture(&format!("jvm/{dir}/{truth_file}")));
        let parsed = parse_files(&[fixture(&format!("jvm/{dir}/{file}"))]);
        checks.label = format!("{dir}/{file}");
        check_run(&mut checks, &parsed, &truth, &Shape::details(64));
        young_total += truth.count("PS Scavenge").unwrap_or(0);
    }

    checks.label = format!("{dir}, both files in sequence");
    let both = parse_files(&log_files_oldest_first(dir));
    checks.equal("JVM start facts", fact_count(&both, |f| matches!(f, Fact::JvmStart)), 2);
    checks.equal("young pauses of both runs", both.count(PauseKind::Young) as u64, young_total);
    checks.finish();
}

/// Restart with `filecount=0`: the second JVM truncated the file in place, so it holds the second
/// (shorter) run only and nothing of the first.
#[test]
fn jdk17_serial_truncate_holds_the_second_run_only() {
    let dir = "jdk17-serial-truncate";
    let truth = Truth::load(&fixture(&format!("jvm/{dir}/truth-2.json")));
    let parsed = parse_files(&log_files_oldest_first(dir));
    let mut checks = Checks::new(dir);
    check_run(&mut checks, &parsed, &truth, &Shape::details(64));
    checks.finish();
}

/// Guards the table above: a fixture added by the script but not tested here fails loudly.
#[test]
fn every_fixture_directory_has_a_test() {
    const TESTED: [&str; 19] = [
        "jdk17-serial",
        "jdk17-parallel",
        "jdk17-g1",
        "jdk17-g1-gc-only",
        "jdk17-g1-decimal-comma",
        "jdk17-g1-safepoint",
        "jdk17-zgc",
        "jdk17-shenandoah",
        "jdk17-shenandoah-degenerated",
        "jdk25-serial",
        "jdk25-parallel",
        "jdk25-g1",
        "jdk25-g1-safepoint",
        "jdk25-zgc",
        "jdk25-shenandoah",
        "jdk17-g1-rotation",
        "jdk25-serial-rotation-wrap",
        "jdk17-parallel-restart",
        "jdk17-serial-truncate",
    ];
    let root = fixture("jvm");
    let entries = std::fs::read_dir(&root).unwrap_or_else(|e| panic!("cannot list {}: {e}", root.display()));
    let mut untested = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && !TESTED.contains(&name.as_str()) {
            untested.push(name);
        }
    }
    assert!(untested.is_empty(), "fixtures without a test in real_jvm.rs: {untested:?}");
}

// ---------------------------------------------------------------------------------------------
// Live runs on the JDK installed now.
// ---------------------------------------------------------------------------------------------

#[test]
fn live_serial_with_rotation() {
    // Small files and many of them: several rotations, never a wrap, so the set is the whole run.
    let xlog = "-Xlog:gc*:file=gc.log:uptime,level,tags:filecount=20,filesize=8k";
    live_run("Serial", &["-XX:+UseSerialGC", "-Xmx64m", xlog], Shape::details(64));
}

#[test]
fn live_g1() {
    let xlog = "-Xlog:gc*,safepoint:file=gc.log:time,uptimemillis,level,tags";
    live_run("G1", &["-XX:+UseG1GC", "-Xmx64m", xlog], Shape { safepoints: true, ..Shape::details(64) });
}

#[test]
fn live_zgc() {
    let xlog = "-Xlog:gc*:file=gc.log:uptime,pid,tid,level,tags";
    live_run("ZGC", &["-XX:+UseZGC", "-Xmx128m", xlog], Shape::details(128));
}

/// Runs GcLoad once on the `java` on PATH into a fresh directory and checks its log against the
/// truth it printed. A missing JDK or a collector this JVM lacks is a skip, never a failure.
fn live_run(label: &str, jvm_args: &[&str], shape: Shape) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let Some(classes) = compile_workload(dir.path()) else { return };
    let mut args: Vec<&str> = vec!["-XX:ActiveProcessorCount=2"];
    args.extend_from_slice(jvm_args);
    let classpath = classes.to_string_lossy().into_owned();
    args.extend_from_slice(&["-cp", &classpath, "GcLoad"]);
    args.extend_from_slice(&["--live-mb", "24", "--alloc-mb", "512", "--system-gc", "2", "--churn-every-mb", "2"]);

    let stdout = match run_java(dir.path(), &args) {
        JavaRun::Done(stdout) => stdout,
        JavaRun::Unsupported(why) => {
            eprintln!("notice: live {label} run skipped: {why}");
            return;
        }
    };
    let truth = Truth::parse(stdout.trim()).unwrap_or_else(|e| panic!("live {label}: workload output {stdout:?}: {e}"));
    let files = rotation_set_in_index_order(dir.path());
    assert!(!dir.path().join("gc.log.19").exists(), "live {label}: the rotation set may have wrapped; raise filecount");
    let parsed = parse_files(&files);
    let mut checks = Checks::new(&format!("live {label} on java {}", truth.vm_version));
    check_run(&mut checks, &parsed, &truth, &shape);
    checks.finish();
}

/// Compiles GcLoad.java into `dir` (each live test its own: no state shared between tests or
/// runs). `None`, with a notice, when no usable JDK is on PATH.
fn compile_workload(dir: &Path) -> Option<PathBuf> {
    let source = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/gcload/GcLoad.java"));
    let classes = dir.join("classes");
    let output = Command::new("javac")
        .arg("--release")
        .arg("11")
        .arg("-d")
        .arg(&classes)
        .arg(&source)
        .stdin(Stdio::null())
        .output();
    match output {
        Ok(output) if output.status.success() => Some(classes),
        // JDK 8's javac knows no --release; its JVM has no unified logging either.
        Ok(output) if String::from_utf8_lossy(&output.stderr).contains("invalid flag") => {
            eprintln!("notice: live JVM tests skipped: the javac on PATH predates JDK 9");
            None
        }
        Ok(output) => {
            panic!("javac {} failed ({}): {}", source.display(), output.status, String::from_utf8_lossy(&output.stderr))
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            eprintln!("notice: live JVM tests skipped: no javac on PATH (install a JDK 11+ to run them)");
            None
        }
        Err(e) => panic!("cannot run javac: {e}"),
    }
}

enum JavaRun {
    Done(String),
    /// This JVM cannot run the configuration (no such collector, no unified logging).
    Unsupported(String),
}

/// Runs `java` with a time limit; a JVM that hangs is killed and fails the test.
fn run_java(dir: &Path, args: &[&str]) -> JavaRun {
    let mut child = match Command::new("java")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == ErrorKind::NotFound => return JavaRun::Unsupported("no java on PATH".into()),
        Err(e) => panic!("cannot start java: {e}"),
    };
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > JVM_TIME_LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("java {args:?} did not finish within {JVM_TIME_LIMIT:?}; killed");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("cannot wait for java: {e}"),
        }
    }
    let output = child.wait_with_output().expect("the finished JVM's output");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.success() {
        return JavaRun::Done(stdout);
    }
    let unsupported = ["Unrecognized VM option", "Unrecognized option", "not supported", "Invalid -Xlog option"];
    if unsupported.iter().any(|text| stderr.contains(text)) {
        return JavaRun::Unsupported(stderr.lines().next().unwrap_or_default().to_string());
    }
    panic!("java {args:?} failed ({}): {stderr}", output.status);
}

/// `gc.log.0`, `gc.log.1`, ... then `gc.log`: time order as long as the set never wrapped.
fn rotation_set_in_index_order(dir: &Path) -> Vec<PathBuf> {
    let mut archives: Vec<(u32, PathBuf)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let index = name.strip_prefix("gc.log.")?.parse().ok()?;
            Some((index, entry.path()))
        })
        .collect();
    archives.sort();
    let mut files: Vec<PathBuf> = archives.into_iter().map(|(_, path)| path).collect();
    files.push(dir.join("gc.log"));
    files
}

// ---------------------------------------------------------------------------------------------
// The checks, shared by fixtures and live runs.
// ---------------------------------------------------------------------------------------------

/// What kind of log a run wrote, which decides which facts it must contain.
#[derive(Clone, Copy)]
struct Shape {
    /// `-Xlog:gc*` (init, heap, exit lines) rather than `-Xlog:gc` summary lines only.
    details: bool,
    /// `-Xmx` of the run, printed as `Heap Max Capacity` by `-Xlog:gc*`.
    heap_max: Option<u64>,
    /// The run logged safepoints too.
    safepoints: bool,
}

impl Shape {
    fn details(xmx_mib: u64) -> Shape {
        Shape { details: true, heap_max: Some(xmx_mib * MIB), safepoints: false }
    }

    fn summary_only() -> Shape {
        Shape { details: false, heap_max: None, safepoints: false }
    }
}

/// A fixture directory with one complete run and its `truth.json`.
fn check_single_run(dir: &str, shape: Shape) {
    let truth = Truth::load(&fixture(&format!("jvm/{dir}/truth.json")));
    let parsed = parse_files(&log_files_oldest_first(dir));
    let mut checks = Checks::new(dir);
    check_run(&mut checks, &parsed, &truth, &shape);
    checks.finish();
}

/// Everything that holds for the log of one complete JVM run against that run's truth.
fn check_run(checks: &mut Checks, parsed: &Parsed, truth: &Truth, shape: &Shape) {
    let (counted, later) = counted_events(parsed, truth);
    // A collection that started after the counts were read may have been cut short at exit.
    check_stats(checks, parsed, later == 0);
    check_timestamps(checks, parsed, truth);
    check_start_facts(checks, parsed, truth, shape);
    checks.check(truth.counts_settled, || "the JVM's counts never settled; regenerate the fixture".into());
    check_counts(checks, &counted, truth);
    for event in parsed.events().filter(|e| e.pause_kind().is_some()) {
        checks.check(event.duration.is_some_and(|d| d >= 0.0), || {
            format!("pause without a duration: {}", describe(event))
        });
    }
    if shape.safepoints {
        check_safepoints(checks, parsed);
    }
}

/// The records without the events that started after the JVM's counts were read, and how many
/// those were. Concurrent collectors start cycles on their own (Shenandoah's learning triggers kept
/// firing every 200 ms on an idle JVM), so a log can go on after its truth was taken. The log's
/// uptime and `RuntimeMXBean.getUptime()` run on the same clock (checked to the millisecond on 17).
fn counted_events(parsed: &Parsed, truth: &Truth) -> (Parsed, usize) {
    let read_at_uptime = truth.counts_uptime_ms as f64 / 1000.0;
    let after_read = |event: &GcEvent| match (event.start.uptime, event.start.wall_ms) {
        (Some(uptime), _) => uptime > read_at_uptime,
        (None, Some(wall_ms)) => wall_ms > truth.counts_epoch_ms,
        (None, None) => false,
    };
    let records: Vec<Record> =
        parsed.records.iter().filter(|r| !matches!(r, Record::Event(e) if after_read(e))).cloned().collect();
    let later = parsed.records.len() - records.len();
    if later > 0 {
        eprintln!("notice: {later} events started after the JVM's counts were read; not counted");
    }
    (Parsed { records, stats: parsed.stats.clone() }, later)
}

fn check_stats(checks: &mut Checks, parsed: &Parsed, complete_run: bool) {
    let stats = &parsed.stats;
    checks.check(stats.lines > 0, || "no lines read".into());
    checks.check(stats.unrecognized == 0, || {
        format!("{} of {} lines unrecognized, e.g. {:?}", stats.unrecognized, stats.lines, stats.unrecognized_samples)
    });
    if complete_run {
        checks.equal("events cut off at the end of the log", stats.incomplete_events, 0);
    }
    checks.check(parsed.events().next().is_some(), || "no events".into());
}

/// Every event has a timestamp, and it lies inside the run: uptime from 0 to the uptime at the
/// truth line, wall clock from the JVM's start to the truth line (plus slack, see the constant).
fn check_timestamps(checks: &mut Checks, parsed: &Parsed, truth: &Truth) {
    let uptime_max = (truth.uptime_ms as f64 + WINDOW_SLACK_MS as f64) / 1000.0;
    let wall = (truth.jvm_start_epoch_ms - WINDOW_SLACK_MS)..=(truth.end_epoch_ms + WINDOW_SLACK_MS);
    for event in parsed.events() {
        checks.check(event.start.is_known(), || format!("event without timestamp: {}", describe(event)));
        if let Some(uptime) = event.start.uptime {
            checks.check((0.0..=uptime_max).contains(&uptime), || {
                format!("uptime {uptime} s outside the run (0 to {uptime_max} s): {}", describe(event))
            });
        }
        if let Some(wall_ms) = event.start.wall_ms {
            checks.check(wall.contains(&wall_ms), || {
                format!("wall clock {wall_ms} ms outside the run ({wall:?}; time zone?): {}", describe(event))
            });
        }
    }
}

fn check_start_facts(checks: &mut Checks, parsed: &Parsed, truth: &Truth, shape: &Shape) {
    checks.equal("JVM start facts", fact_count(parsed, |f| matches!(f, Fact::JvmStart)), 1);
    let expected = truth.collector();
    checks.check(has_fact(parsed, |f| *f == Fact::Collector(expected)), || {
        format!("no Collector({expected:?}) fact; facts: {:?}", parsed.facts())
    });
    if !shape.details {
        return;
    }
    checks.check(has_fact(parsed, |f| matches!(f, Fact::Version(v) if v.contains(&truth.vm_version))), || {
        format!("no Version fact containing {:?}; facts: {:?}", truth.vm_version, parsed.facts())
    });
    if let Some(heap_max) = shape.heap_max {
        checks.check(has_fact(parsed, |f| *f == Fact::HeapMax(heap_max)), || {
            format!("no HeapMax({heap_max}) fact; facts: {:?}", parsed.facts())
        });
    }
    checks.check(has_fact(parsed, |f| matches!(f, Fact::Exit)), || "the exit summary was not recognized".into());
}

/// Counts against the JVM's own collectors (what the README of the fixtures explains per
/// collector), and the live set where a collector measures it exactly.
fn check_counts(checks: &mut Checks, parsed: &Parsed, truth: &Truth) {
    let live_range = truth.live_bytes.saturating_sub(SUMMARY_ROUNDING)..=(truth.live_bytes + JVM_OWN_BYTES_MAX);
    match truth.collector() {
        collector @ (Collector::Serial | Collector::Parallel | Collector::G1) => {
            let (young_bean, full_bean) = match collector {
                Collector::Serial => ("Copy", "MarkSweepCompact"),
                Collector::Parallel => ("PS Scavenge", "PS MarkSweep"),
                _ => ("G1 Young Generation", "G1 Old Generation"),
            };
            let young = parsed.count(PauseKind::Young) + parsed.count(PauseKind::Mixed);
            checks.equal(&format!("young pauses vs {young_bean:?}"), Some(young as u64), truth.count(young_bean));
            checks.equal(
                &format!("full pauses vs {full_bean:?}"),
                Some(parsed.count(PauseKind::Full) as u64),
                truth.count(full_bean),
            );
            // JDK 21+ counts G1's Remark and Cleanup pauses in a bean of their own.
            if let Some(concurrent) = truth.count("G1 Concurrent GC") {
                let other = parsed.count(PauseKind::Remark) + parsed.count(PauseKind::Cleanup);
                checks.equal("Remark + Cleanup pauses vs \"G1 Concurrent GC\"", other as u64, concurrent);
            }
            // Every System.gc() is one Full GC on these collectors (Parallel runs a young one first).
            let system_fulls: Vec<&GcEvent> =
                parsed.pauses(PauseKind::Full).into_iter().filter(|e| e.flags.system_gc).collect();
            checks.equal("System.gc() full pauses", system_fulls.len() as u64, truth.system_gc_calls);
            for event in system_fulls {
                check_live(checks, "heap after System.gc() full pause", event.heap.after, &live_range, event);
            }
        }
        Collector::Zgc => {
            let cycles: Vec<&GcEvent> = parsed.events().filter(|e| e.kind == EventKind::Cycle).collect();
            checks.equal("cycles vs \"ZGC Cycles\"", Some(cycles.len() as u64), truth.count("ZGC Cycles"));
            checks.equal("pauses vs \"ZGC Pauses\"", Some(pause_count(parsed)), truth.count("ZGC Pauses"));
            // Mark Start and Mark End once per cycle.
            checks.equal("Pause Mark Start", parsed.count(PauseKind::InitialMark), cycles.len());
            checks.equal("Pause Mark End", parsed.count(PauseKind::Remark), cycles.len());
            let system: Vec<&GcEvent> = cycles.into_iter().filter(|e| e.flags.system_gc).collect();
            checks.equal("System.gc() cycles", system.len() as u64, truth.system_gc_calls);
            for event in system {
                check_live(checks, "Live at mark end of a System.gc() cycle", event.live, &live_range, event);
            }
        }
        Collector::GenerationalZgc => {
            let named = |name: &str| -> Vec<&GcEvent> {
                parsed.events().filter(|e| e.kind == EventKind::Cycle && e.name == name).collect()
            };
            let major = named("Major Collection");
            checks.equal(
                "Major Collection cycles vs \"ZGC Major Cycles\"",
                Some(major.len() as u64),
                truth.count("ZGC Major Cycles"),
            );
            checks.equal(
                "Minor Collection cycles vs \"ZGC Minor Cycles\"",
                Some(named("Minor Collection").len() as u64),
                truth.count("ZGC Minor Cycles"),
            );
            // The two pause beans split the y:/Y:/O: pauses in a way the prefixes do not tell;
            // their sum is every pause.
            let pauses = truth.count("ZGC Minor Pauses").unwrap_or(0) + truth.count("ZGC Major Pauses").unwrap_or(0);
            checks.equal("pauses vs \"ZGC Minor Pauses\" + \"ZGC Major Pauses\"", pause_count(parsed), pauses);
            let system: Vec<&GcEvent> = major.into_iter().filter(|e| e.flags.system_gc).collect();
            checks.equal("System.gc() major collections", system.len() as u64, truth.system_gc_calls);
            for event in system {
                check_live(checks, "Live of a System.gc() major collection", event.live, &live_range, event);
            }
        }
        Collector::Shenandoah => {
            // Every pause counts, degenerated ones included; every cycle has a GC id of its own, and
            // so has a degenerated GC outside of a cycle (checked on 17 and 25, with and without
            // degenerated GCs; a Shenandoah Full GC was never seen).
            let cycles = truth.count("Shenandoah Cycles");
            checks.equal(
                "pauses vs \"Shenandoah Pauses\"",
                Some(pause_count(parsed)),
                truth.count("Shenandoah Pauses"),
            );
            let ids: BTreeSet<u64> = parsed.events().filter_map(|e| e.gc_id).collect();
            checks.equal("distinct GC ids vs \"Shenandoah Cycles\"", Some(ids.len() as u64), cycles);
            if parsed.count(PauseKind::Degenerated) == 0 && parsed.count(PauseKind::Full) == 0 {
                // Without degenerated GCs each cycle has exactly one Init Mark and one Final Mark.
                let init_marks = Some(parsed.count(PauseKind::InitialMark) as u64);
                checks.equal("Pause Init Mark vs \"Shenandoah Cycles\"", init_marks, cycles);
                checks.equal(
                    "Pause Final Mark vs \"Shenandoah Cycles\"",
                    Some(parsed.count(PauseKind::Remark) as u64),
                    cycles,
                );
            }
        }
        other => checks.check(false, || format!("truth names no known collector ({other:?}): {:?}", truth.beans)),
    }
}

fn check_live(
    checks: &mut Checks,
    what: &str,
    value: Option<u64>,
    range: &std::ops::RangeInclusive<u64>,
    event: &GcEvent,
) {
    checks.check(value.is_some_and(|v| range.contains(&v)), || {
        format!("{what} is {value:?}, expected the live set within {range:?}: {}", describe(event))
    });
}

/// Every GC pause runs inside a safepoint, so safepoints are at least as many and stop the
/// application at least as long.
fn check_safepoints(checks: &mut Checks, parsed: &Parsed) {
    let safepoints: Vec<f64> = parsed
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Safepoint(s) => Some(s.stopped),
            _ => None,
        })
        .collect();
    let pauses: Vec<f64> = parsed.events().filter(|e| e.pause_kind().is_some()).filter_map(|e| e.duration).collect();
    checks.check(safepoints.len() >= pauses.len() && !safepoints.is_empty(), || {
        format!("{} safepoints for {} GC pauses", safepoints.len(), pauses.len())
    });
    let stopped: f64 = safepoints.iter().sum();
    let paused: f64 = pauses.iter().sum();
    checks.check(stopped >= paused, || format!("safepoints stopped {stopped} s in all, GC pauses took {paused} s"));
}

fn pause_count(parsed: &Parsed) -> u64 {
    parsed.events().filter(|e| e.pause_kind().is_some()).count() as u64
}

fn has_fact(parsed: &Parsed, wanted: impl Fn(&Fact) -> bool) -> bool {
    parsed.facts().into_iter().any(wanted)
}

fn fact_count(parsed: &Parsed, wanted: impl Fn(&Fact) -> bool) -> usize {
    parsed.facts().into_iter().filter(|f| wanted(f)).count()
}

fn describe(event: &GcEvent) -> String {
    format!("GC({:?}) {} ({:?}) at {:?}", event.gc_id, event.name, event.cause, event.start)
}

/// Collects every failed check of one run so a failing test lists them all, not just the first.
struct Checks {
    label: String,
    failures: Vec<String>,
}

impl Checks {
    fn new(label: &str) -> Checks {
        Checks { label: label.to_string(), failures: Vec::new() }
    }

    fn check(&mut self, ok: bool, failure: impl FnOnce() -> String) {
        // Thousands of events failing the same way would drown the report.
        if !ok && self.failures.len() < 40 {
            self.failures.push(format!("{}: {}", self.label, failure()));
        }
    }

    fn equal<T: PartialEq + Debug>(&mut self, what: &str, actual: T, expected: T) {
        self.check(actual == expected, || format!("{what}: parsed {actual:?}, expected {expected:?}"));
    }

    fn finish(self) {
        assert!(self.failures.is_empty(), "{} failed checks:\n{}", self.failures.len(), self.failures.join("\n"));
    }
}

// ---------------------------------------------------------------------------------------------
// Fixture files and truth.
// ---------------------------------------------------------------------------------------------

/// The log files of a fixture in the order the JVM wrote them (`order.txt`, written by the
/// generator from modification times, which git does not keep).
fn log_files_oldest_first(dir: &str) -> Vec<PathBuf> {
    let order = fixture(&format!("jvm/{dir}/order.txt"));
    let text = std::fs::read_to_string(&order).unwrap_or_else(|e| panic!("cannot read {}: {e}", order.display()));
    text.lines().filter(|l| !l.trim().is_empty()).map(|name| fixture(&format!("jvm/{dir}/{}", name.trim()))).collect()
}

/// Feeds the files to one parser in sequence, as a reader following a rotation set would, so an
/// event whose lines straddle two files is parsed whole.
fn parse_files(files: &[PathBuf]) -> Parsed {
    let mut bytes = Vec::new();
    for file in files {
        let content = std::fs::read(file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        bytes.extend_from_slice(&content);
        if !bytes.is_empty() && !bytes.ends_with(b"\n") {
            bytes.push(b'\n');
        }
    }
    parse_bytes(&bytes)
}

/// The `GC(n)` of a file's first or last line, to see whether a GC straddles two files.
fn first_gc_id(file: &Path) -> Option<u64> {
    gc_id_of(std::fs::read_to_string(file).ok()?.lines().next()?)
}

fn last_gc_id(file: &Path) -> Option<u64> {
    gc_id_of(std::fs::read_to_string(file).ok()?.lines().last()?)
}

fn gc_id_of(line: &str) -> Option<u64> {
    let rest = &line[line.find("GC(")? + 3..];
    rest[..rest.find(')')?].parse().ok()
}

/// What the workload printed at the end of its run.
struct Truth {
    vm_version: String,
    live_bytes: u64,
    system_gc_calls: u64,
    jvm_start_epoch_ms: i64,
    end_epoch_ms: i64,
    uptime_ms: u64,
    /// When the counts were read (JVM uptime and wall clock): later collections are not in them.
    counts_uptime_ms: u64,
    counts_epoch_ms: i64,
    /// The counts had stopped changing when they were read.
    counts_settled: bool,
    /// `GarbageCollectorMXBean` name and collection count.
    beans: Vec<(String, u64)>,
}

impl Truth {
    fn load(path: &Path) -> Truth {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        Truth::parse(text.trim())
            .unwrap_or_else(|e| panic!("{}: {e}; regenerate with tests/gcload/generate-fixtures.sh", path.display()))
    }

    fn parse(json: &str) -> Result<Truth, String> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| format!("not the workload's JSON line: {e}"))?;
        let number = |key: &str| value[key].as_u64().ok_or_else(|| format!("no number {key:?}"));
        let beans = value["collectors"]
            .as_array()
            .ok_or("no \"collectors\" array")?
            .iter()
            .map(|bean| {
                let name = bean["name"].as_str().ok_or("a collector without name")?;
                let count = bean["count"].as_u64().ok_or("a collector without count")?;
                Ok((name.to_string(), count))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Truth {
            vm_version: value["vm_version"].as_str().ok_or("no \"vm_version\"")?.to_string(),
            live_bytes: number("live_bytes")?,
            system_gc_calls: number("system_gc_calls")?,
            jvm_start_epoch_ms: value["jvm_start_epoch_ms"].as_i64().ok_or("no \"jvm_start_epoch_ms\"")?,
            end_epoch_ms: value["end_epoch_ms"].as_i64().ok_or("no \"end_epoch_ms\"")?,
            uptime_ms: number("uptime_ms")?,
            counts_uptime_ms: number("counts_uptime_ms")?,
            counts_epoch_ms: value["counts_epoch_ms"].as_i64().ok_or("no \"counts_epoch_ms\"")?,
            counts_settled: value["counts_settled"].as_bool().ok_or("no \"counts_settled\"")?,
            beans,
        })
    }

    fn count(&self, bean: &str) -> Option<u64> {
        self.beans.iter().find(|(name, _)| name == bean).map(|(_, count)| *count)
    }

    /// The collector, told by the JVM's bean names.
    fn collector(&self) -> Collector {
        let has = |name: &str| self.count(name).is_some();
        if has("Copy") {
            Collector::Serial
        } else if has("PS Scavenge") {
            Collector::Parallel
        } else if has("G1 Young Generation") {
            Collector::G1
        } else if has("ZGC Cycles") {
            Collector::Zgc
        } else if has("ZGC Major Cycles") {
            Collector::GenerationalZgc
        } else if has("Shenandoah Cycles") {
            Collector::Shenandoah
        } else {
            Collector::Unknown
        }
    }
}
