//! The `rightsize gc` command as a user meets it: every output format on real logs, and bad
//! input (empty, binary, huge lines, cut logs, mixed formats, no logs, unreadable entries) giving
//! a clear message or counted skips with the documented exit code, never a panic or a hang; and
//! the flags every subcommand shares (bad values, the `--config` file).

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const CSV_HEADER: &str = "File,Instance,Collector,RunHours,YGSize,YGUsePC,OGSize,OGUsePC,YGCount,YGPerTime,FGCount,FGAllTime,Throughput,AvgPromotion,RecHeap,RecNewHeap,RecOldHeap,M,MBasis,Confidence";

/// Runs the binary with a hard time limit: a hang fails the test instead of blocking CI.
fn rightsize(args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_rightsize"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the rightsize binary runs");
    let pid = child.id();
    // Collect output on another thread so a full pipe can never stall the child.
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match result.recv_timeout(Duration::from_secs(120)) {
        Ok(output) => output.expect("output collected"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("rightsize {args:?} did not finish within 120 s");
        }
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn no_panic(output: &Output) {
    let err = stderr(output);
    assert!(!err.contains("panicked"), "rightsize panicked:\n{err}");
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[test]
fn every_output_format_on_a_real_log() {
    let log = common::sample("jdk9-15-ujl-parallel/gctoolkit/parallelgc.log");
    for format in ["table", "json", "csv"] {
        let output = rightsize(&["gc", path_str(&log), "--output", format]);
        no_panic(&output);
        assert_eq!(output.status.code(), Some(0), "{format}: {}", stderr(&output));
        let stdout = String::from_utf8(output.stdout).expect("utf-8 output");
        assert!(!stdout.trim().is_empty(), "{format} output is empty");
        match format {
            "csv" => {
                let mut lines = stdout.lines();
                assert_eq!(lines.next(), Some(CSV_HEADER));
                assert_eq!(lines.count(), 1, "one row for one JVM instance");
            }
            "json" => {
                let value: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
                assert_eq!(value["instances"].as_array().map(Vec::len), Some(1));
            }
            _ => assert!(stdout.contains("Parallel"), "the table names the collector:\n{stdout}"),
        }
    }
}

#[test]
fn the_whole_sample_corpus_in_every_format() {
    let corpus = common::sample("");
    for format in ["table", "json", "csv"] {
        let output = rightsize(&["gc", path_str(&corpus), "--output", format]);
        no_panic(&output);
        assert_eq!(output.status.code(), Some(0), "{format}: {}", stderr(&output));
        if format == "csv" {
            let stdout = String::from_utf8(output.stdout).expect("utf-8");
            let rows = stdout.lines().count() - 1;
            assert!(rows > 100, "expected a row per JVM instance in the corpus, got {rows}");
        }
    }
}

#[test]
fn empty_file_and_directory_without_logs_exit_3_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("gc.log");
    std::fs::write(&empty, b"").unwrap();
    let output = rightsize(&["gc", path_str(&empty)]);
    no_panic(&output);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("empty file"), "{}", stderr(&output));

    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, b"just some text\nnothing about garbage collection\n").unwrap();
    let output = rightsize(&["gc", path_str(dir.path())]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("no GC log found"), "{}", stderr(&output));
}

#[test]
fn missing_paths_and_special_files_are_skipped_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("gc.fifo");
    let made_fifo = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    let real = common::sample("jdk24-ujl-serial/gctoolkit/factorization-serialgc-tip.log");
    let output = rightsize(&["gc", "/nonexistent/gc.log", path_str(dir.path()), path_str(&real)]);
    no_panic(&output);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("/nonexistent/gc.log: no such file or directory"), "{err}");
    if made_fifo {
        assert!(err.contains("not a regular file"), "a FIFO must be skipped, never opened: {err}");
    }
}

#[test]
fn binary_garbage_and_a_10_mb_line_are_counted_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    // A real log with garbage in the middle: a 10 MB line and binary bytes.
    let real = common::read_bytes(&common::sample("jdk9-10-ujl-serial/gcviewer/sample-ujl-serial-gc-defaults.txt"));
    let mut damaged = real.clone();
    damaged.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    damaged.push(b'\n');
    damaged.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    damaged.push(b'\n');
    damaged.extend_from_slice(&real);
    let log = dir.path().join("gc.log");
    std::fs::write(&log, &damaged).unwrap();
    let output = rightsize(&["gc", path_str(&log), "--output", "json"]);
    no_panic(&output);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let text = json.to_string();
    assert!(text.contains("line too long"), "the skipped line is reported: {}", &text[..text.len().min(2000)]);

    // Pure binary: not a GC log.
    let binary = dir.path().join("core.bin");
    std::fs::write(&binary, (0..1_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect::<Vec<_>>())
        .unwrap();
    let output = rightsize(&["gc", path_str(&binary)]);
    no_panic(&output);
    assert_eq!(output.status.code(), Some(3));
}

#[test]
fn a_log_cut_mid_event_still_reports() {
    let dir = tempfile::tempdir().unwrap();
    let real = common::read_bytes(&common::sample("jdk8-g1/gcviewer/SampleSun1_8_0G1PrintGCID.txt"));
    let cut = &real[..real.len() * 2 / 3];
    let log = dir.path().join("gc.log");
    std::fs::write(&log, cut).unwrap();
    let output = rightsize(&["gc", path_str(&log), "--output", "csv"]);
    no_panic(&output);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 2);
}

#[test]
fn mixed_formats_in_one_file_keep_their_jvms_apart() {
    let dir = tempfile::tempdir().unwrap();
    let jdk8 = common::sample("jdk8-parallel/gcviewer/SampleSun1_8_0Parallel_Tenuring_PrintGCCause.txt");
    let unified = common::sample("jdk9-10-ujl-g1/gcviewer/sample-ujl-g1-gc-defaults.txt");
    let rows = |path: &Path| -> Vec<String> {
        let output = rightsize(&["gc", path_str(path), "--output", "csv"]);
        no_panic(&output);
        String::from_utf8_lossy(&output.stdout).lines().skip(1).map(str::to_string).collect()
    };
    let mut mixed = common::read_bytes(&jdk8);
    mixed.extend_from_slice(&common::read_bytes(&unified));
    let log = dir.path().join("gc.log");
    std::fs::write(&log, &mixed).unwrap();
    let (alone_jdk8, alone_unified, together) = (rows(&jdk8), rows(&unified), rows(&log));
    assert_eq!(together.len(), alone_jdk8.len() + alone_unified.len(), "{together:#?}");
    assert!(together.iter().all(|row| !row.contains(",unknown,")), "every JVM keeps its collector: {together:#?}");
    assert!(together.last().is_some_and(|row| row.contains(",G1,")), "{together:#?}");
}

#[test]
fn restarts_in_a_rotation_set_are_separate_instances() {
    // Five complete JVM runs of one application (gctoolkit's short_restart_4 set).
    let set = common::sample("jdk14-ujl-g1/gctoolkit/short_restart_4");
    let output = rightsize(&["gc", path_str(&set), "--output", "csv"]);
    no_panic(&output);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(stdout.lines().count(), 6, "five JVM runs:\n{stdout}");
}

#[test]
fn compressed_logs_are_read_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let real = common::read_bytes(&common::sample("jdk24-ujl-serial/gctoolkit/factorization-serialgc-tip.log"));
    let gz = dir.path().join("gc.log.0.gz");
    let mut encoder = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, &real).unwrap();
    encoder.finish().unwrap();
    let zip = common::sample("jdk11-ujl-g1/gctoolkit/jdk11_details.log.zip");
    for path in [gz.as_path(), zip.as_path()] {
        let output = rightsize(&["gc", path_str(path), "--output", "csv"]);
        no_panic(&output);
        assert_eq!(output.status.code(), Some(0), "{}: {}", path.display(), stderr(&output));
        assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 2);
    }
}

#[test]
fn bad_flags_exit_2_and_say_what_is_valid() {
    let output = rightsize(&["gc", "--configured-heap", "lots", "x.log"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("4g"), "{}", stderr(&output));
    let output = rightsize(&["gc", "--heap-factor", "4-3", "x.log"]);
    assert_eq!(output.status.code(), Some(2));
    // A URL without its scheme is refused at start, with the fix, instead of retried on schedule.
    for command in [&["scan", "--flink", "jobmanager:8081"][..], &["serve", "--flink", "jobmanager:8081"]] {
        let output = rightsize(command);
        assert_eq!(output.status.code(), Some(2));
        assert!(stderr(&output).contains("http://jobmanager:8081"), "{}", stderr(&output));
    }
}

#[test]
fn a_config_file_sets_flags_the_command_line_overrides() {
    let log = common::sample("jdk9-15-ujl-parallel/gctoolkit/parallelgc.log");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("rightsize.toml");
    std::fs::write(&config, "[gc]\noutput = \"csv\"\n").unwrap();
    let from_file = rightsize(&["--config", path_str(&config), "gc", path_str(&log)]);
    assert_eq!(from_file.status.code(), Some(0), "{}", stderr(&from_file));
    assert!(String::from_utf8_lossy(&from_file.stdout).starts_with(CSV_HEADER));
    let overridden = rightsize(&["gc", path_str(&log), "--output", "json", "--config", path_str(&config)]);
    assert!(String::from_utf8_lossy(&overridden.stdout).starts_with('{'));

    std::fs::write(&config, "[gc]\noutptu = \"csv\"\n").unwrap();
    let typo = rightsize(&["--config", path_str(&config), "gc", path_str(&log)]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(stderr(&typo).contains("rightsize.toml: [gc] has no key 'outptu'"), "{}", stderr(&typo));
    std::fs::write(&config, "[gc]\noutput = \"xml\"\n").unwrap();
    let refused = rightsize(&["--config", path_str(&config), "gc", path_str(&log)]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("[gc] output: invalid value 'xml'"), "{}", stderr(&refused));
}

#[test]
fn html_report_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let log = common::sample("jdk9-10-ujl-g1/gcviewer/sample-ujl-g1-gc-defaults.txt");
    let output = rightsize(&["gc", path_str(&log), "--html", path_str(&html)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = std::fs::read_to_string(&html).expect("report written");
    assert!(page.contains("<svg"), "the report has charts");
}
