//! The HTML report renders in a real browser: headless Chromium takes a screenshot that is not
//! blank, and its DOM holds the chart elements with data points inside.
//!
//! String checks on our own output cannot tell whether a browser draws it; this test can. It
//! needs `/usr/bin/chromium` (`apt-get install -y chromium`, as the CI script does); set
//! `RIGHTSIZE_CHROMIUM` to use another binary, or `RIGHTSIZE_SKIP_BROWSER_TESTS=1` to skip it on
//! a machine without a browser. `RIGHTSIZE_KEEP_RENDER=<dir>` keeps the page and screenshot.
#![cfg(unix)]

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use rightsize::gc::analysis::{
    self, Analysis, ByteRange, Confidence, GcOptions, HeapRecommendation, LiveSet, LiveSetBasis, Summary, Verdict,
    VerdictKind,
};
use rightsize::gc::model::{
    Collector, EventKind, GcEvent, JvmFacts, JvmInstance, LogFormat, MemoryChange, ParseStats, PauseKind, Timestamp,
};
use rightsize::gc::source::{self, SourceOptions};
use rightsize::report::{html, InstanceReport};

const MIB: u64 = 1024 * 1024;

/// A browser that has not finished by then is hung, not slow: it is killed and the test fails.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(60);

/// A log name that tries to inject markup, with a comma like real Flink container paths.
const HOSTILE_LOG: &str = "/var/log/flink/tm-1,container_07/<script>alert(1)</script>gc.log";

#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("report.html");
    let reports = [g1_taskmanager(), parallel_taskmanager()];
    std::fs::write(&page, html::render(&reports)).expect("write report");
    let url = format!("file://{}", page.display());

    // (1) A screenshot that shows something: right size, many colours, the charts' blue drawn.
    let screenshot = dir.path().join("report.png");
    let output = run_browser(
        &chromium,
        dir.path(),
        &[&format!("--screenshot={}", screenshot.display()), "--window-size=1280,2000", "--hide-scrollbars", &url],
    );
    let png = std::fs::read(&screenshot).unwrap_or_else(|e| {
        panic!("no screenshot at {} ({e}); chromium said: {}", screenshot.display(), describe(&output))
    });
    assert!(png.len() > 20_000, "screenshot is only {} bytes", png.len());
    let image = decode_png(&png);
    assert_eq!((image.width, image.height), (1280, 2000), "screenshot size");
    let colours = image.distinct_colours();
    assert!(colours > 50, "screenshot has only {colours} colours: a blank or flat page");
    let background_share = image.most_common_colour_share();
    assert!(background_share < 0.97, "{:.1} % of the screenshot is one colour", background_share * 100.0);
    // The heap line and young-pause dots are blue (#2563eb); a page without charts has none.
    let blue = image.count_pixels(|[r, g, b]| b > 180 && r < 120 && g < 150);
    assert!(blue > 500, "only {blue} chart-blue pixels: the charts were not drawn");
    // For a person to look at: `RIGHTSIZE_KEEP_RENDER=/some/dir` keeps the page and its screenshot.
    if let Some(keep) = std::env::var_os("RIGHTSIZE_KEEP_RENDER").map(PathBuf::from) {
        std::fs::create_dir_all(&keep).expect("create RIGHTSIZE_KEEP_RENDER dir");
        std::fs::copy(&page, keep.join("report.html")).expect("copy page");
        std::fs::copy(&screenshot, keep.join("report.png")).expect("copy screenshot");
    }

    // (2) The DOM as the browser built it: both charts per instance, with their data inside.
    let output = run_browser(&chromium, dir.path(), &["--dump-dom", &url]);
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(dom.contains("</html>"), "no DOM dumped; chromium said: {}", describe(&output));
    assert_eq!(dom.matches("<svg class=\"chart chart-heap\"").count(), 2, "one heap chart per instance");
    assert_eq!(dom.matches("<svg class=\"chart chart-pauses\"").count(), 2, "one pause chart per instance");

    let heap_line = tag_with_class(&dom, "series series-heap").expect("heap-after-GC line");
    let heap_points = attribute(heap_line, "points").unwrap_or_default().split(' ').count();
    assert!(heap_points >= 300, "heap line has {heap_points} points");
    assert!(tag_with_class(&dom, "series series-committed").is_some(), "committed heap line");
    assert!(tag_with_class(&dom, "series series-old").is_some(), "old gen line");
    assert!(dom.contains("class=\"point point-full\""), "Full GC markers");

    let young_dots = tag_with_class(&dom, "dots dots-young").expect("young pause dots");
    let dots = attribute(young_dots, "d").unwrap_or_default().matches("h0").count();
    assert!(dots >= 300, "young pause chart has {dots} dots");
    assert!(tag_with_class(&dom, "dots dots-other").is_some(), "remark/cleanup pauses");
    assert!(tag_with_class(&dom, "dots dots-full").is_some(), "Full GC pauses");

    // The log name arrived as text, not as an element.
    assert!(!dom.contains("<script"), "markup from a log name reached the DOM");
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;gc.log"));
}

/// A real log end to end: parsed, analysed and rendered, a Parallel TaskManager with thousands of
/// young GCs and 28 Full GCs (`jdk9-15-ujl-parallel/gctoolkit/parallelgc.log`, see MANIFEST.md).
/// The page must stay small (downsampled) and still draw every series.
#[test]
fn html_report_of_a_real_log_renders_in_headless_chromium() {
    let sample = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/gclogs/upstream/jdk9-15-ujl-parallel/gctoolkit/parallelgc.log"
    ));
    let loaded = source::load(&[sample], &SourceOptions::default());
    let reports: Vec<InstanceReport> = loaded
        .logs
        .iter()
        .flat_map(|log| {
            log.instances.iter().enumerate().map(|(i, jvm)| InstanceReport {
                log: log.name.clone(),
                instance: i + 1,
                jvm: jvm.clone(),
                analysis: analysis::analyse(jvm, &GcOptions::default()),
            })
        })
        .collect();
    assert_eq!(reports.len(), 1, "one JVM instance in the sample; skipped: {:?}", loaded.skipped);
    let events = reports[0].jvm.events.len();
    assert!(events > 4_000, "the parser found only {events} events");
    let page_html = html::render(&reports);
    assert!(page_html.len() < 400_000, "a {events}-event log gave a {} byte page", page_html.len());

    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("report.html");
    std::fs::write(&page, page_html).expect("write report");
    let url = format!("file://{}", page.display());
    let output = run_browser(&chromium, dir.path(), &["--dump-dom", &url]);
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(dom.contains("</html>"), "no DOM dumped; chromium said: {}", describe(&output));
    let heap_line = tag_with_class(&dom, "series series-heap").expect("heap-after-GC line");
    let heap_points = attribute(heap_line, "points").unwrap_or_default().split(' ').count();
    assert!((1_000..=html::MAX_POINTS).contains(&heap_points), "heap line has {heap_points} points");
    let young_dots = tag_with_class(&dom, "dots dots-young").expect("young pause dots");
    let dots = attribute(young_dots, "d").unwrap_or_default().matches("h0").count();
    assert!((1_000..=html::MAX_POINTS).contains(&dots), "young pause chart has {dots} dots");
    assert!(dom.matches("class=\"point point-full\"").count() >= 28, "every Full GC is marked");

    let screenshot = dir.path().join("report.png");
    let output = run_browser(
        &chromium,
        dir.path(),
        &[&format!("--screenshot={}", screenshot.display()), "--window-size=1280,2000", "--hide-scrollbars", &url],
    );
    let png = std::fs::read(&screenshot)
        .unwrap_or_else(|e| panic!("no screenshot ({e}); chromium said: {}", describe(&output)));
    let image = decode_png(&png);
    assert!(image.distinct_colours() > 50, "a blank or flat page");
    if let Some(keep) = std::env::var_os("RIGHTSIZE_KEEP_RENDER").map(PathBuf::from) {
        std::fs::create_dir_all(&keep).expect("create RIGHTSIZE_KEEP_RENDER dir");
        std::fs::copy(&page, keep.join("real.html")).expect("copy page");
        std::fs::copy(&screenshot, keep.join("real.png")).expect("copy screenshot");
    }
}

/// The browser binary, or `None` when the test is to be skipped.
fn chromium() -> Option<PathBuf> {
    if std::env::var("RIGHTSIZE_SKIP_BROWSER_TESTS").is_ok_and(|v| v == "1") {
        eprintln!("skipped: RIGHTSIZE_SKIP_BROWSER_TESTS=1, the HTML report was not rendered in a browser");
        return None;
    }
    let path = std::env::var_os("RIGHTSIZE_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.exists(),
        "{} not found: install it with `apt-get update && apt-get install -y chromium`, point \
         RIGHTSIZE_CHROMIUM at a Chromium binary, or set RIGHTSIZE_SKIP_BROWSER_TESTS=1 to skip this test",
        path.display()
    );
    Some(path)
}

/// Runs headless Chromium with a fresh profile, killing it if it runs past [`BROWSER_TIMEOUT`].
fn run_browser(chromium: &Path, work: &Path, args: &[&str]) -> Output {
    let profile = tempfile::tempdir_in(work).expect("profile dir");
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so a hung browser is killed with its renderer and GPU helpers.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));

    // Drain both pipes on their own threads so a chatty browser cannot block on a full pipe.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = stdout.read_to_end(&mut buffer);
        buffer
    });
    let err_reader = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = stderr.read_to_end(&mut buffer);
        buffer
    });

    let deadline = Instant::now() + BROWSER_TIMEOUT;
    let status = loop {
        match child.try_wait().expect("wait for chromium") {
            Some(status) => {
                // Helpers left behind (crash handler) could hold the pipes open and stall the readers.
                kill_process_group(child.id());
                break status;
            }
            None if Instant::now() >= deadline => {
                kill_process_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish within {BROWSER_TIMEOUT:?} and was killed (args: {args:?})");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    Output { status, stdout: out_reader.join().unwrap_or_default(), stderr: err_reader.join().unwrap_or_default() }
}

/// Kills what is left of the process group the browser led (its id is the browser's pid).
fn kill_process_group(leader: u32) {
    // `--` so that the negative process-group id is not read as an option.
    let group = format!("-{leader}");
    let _ = Command::new("kill").args(["-s", "KILL", "--", &group]).stderr(Stdio::null()).status();
}

fn describe(output: &Output) -> String {
    format!("{}; stderr: {}", output.status, String::from_utf8_lossy(&output.stderr))
}

/// The opening tag of the first element whose `class` attribute is exactly `class`.
fn tag_with_class<'a>(dom: &'a str, class: &str) -> Option<&'a str> {
    let needle = format!("class=\"{class}\"");
    let at = dom.find(&needle)?;
    let start = dom[..at].rfind('<')?;
    let end = at + dom[at..].find('>')?;
    Some(&dom[start..=end])
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

// --- Test data: TaskManagers of realistic shape, built in code -------------------------------

/// Deterministic noise in [0, 1), so the data looks measured but every run is the same.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

const START_WALL_MS: i64 = 1_795_500_000_000;

fn pause(kind: PauseKind, name: &str, cause: &str, uptime: f64, seconds: f64) -> GcEvent {
    let mut event = GcEvent::new(EventKind::Pause(kind), name);
    event.start = Timestamp { uptime: Some(uptime), wall_ms: Some(START_WALL_MS + (uptime * 1000.0) as i64) };
    event.duration = Some(seconds);
    event.cause = Some(cause.to_string());
    event
}

fn change(before: f64, after: f64, committed: u64) -> MemoryChange {
    MemoryChange {
        before: Some((before * MIB as f64) as u64),
        after: Some((after * MIB as f64) as u64),
        committed_before: Some(committed * MIB),
        committed_after: Some(committed * MIB),
    }
}

/// Four hours of a G1 TaskManager with a 4 GiB heap: young pauses every ~30 s, old gen creeping
/// up between concurrent cycles (remark, cleanup, mixed pauses), two System.gc() Full GCs.
fn g1_taskmanager() -> InstanceReport {
    let mut noise = Noise(7);
    let mut events = Vec::new();
    let mut uptime = 12.0;
    let mut old = 620.0;
    let mut gc_id = 0;
    let mut committed = 2048;
    while uptime < 4.0 * 3600.0 {
        let eden_before = 900.0 + 200.0 * noise.next();
        let mut young =
            pause(PauseKind::Young, "Pause Young", "G1 Evacuation Pause", uptime, 0.006 + 0.014 * noise.next());
        let promoted = 2.0 + 4.0 * noise.next();
        young.heap = change(old + eden_before, old + promoted + 24.0, committed);
        young.old = MemoryChange {
            before: Some((old * MIB as f64) as u64),
            after: Some(((old + promoted) * MIB as f64) as u64),
            ..Default::default()
        };
        young.gc_id = Some(gc_id);
        old += promoted;
        events.push(young);
        gc_id += 1;
        if committed < 4096 && uptime > 600.0 {
            committed = 4096;
        }
        if old > 1400.0 {
            // A marking cycle, then mixed pauses bring the old gen back down.
            let mut remark = pause(PauseKind::Remark, "Pause Remark", "", uptime + 4.0, 0.02 + 0.01 * noise.next());
            remark.cause = None;
            remark.heap = change(old + 300.0, old + 290.0, committed);
            let mut cleanup =
                pause(PauseKind::Cleanup, "Pause Cleanup", "", uptime + 5.0, 0.001 + 0.001 * noise.next());
            cleanup.cause = None;
            cleanup.heap = change(old + 300.0, old + 300.0, committed);
            events.extend([remark, cleanup]);
            for step in 0..4 {
                let at = uptime + 10.0 + 6.0 * step as f64;
                let mut mixed = pause(
                    PauseKind::Mixed,
                    "Pause Young (Mixed)",
                    "G1 Evacuation Pause",
                    at,
                    0.015 + 0.02 * noise.next(),
                );
                let after = old - 160.0;
                mixed.heap = change(old + 400.0, after + 20.0, committed);
                mixed.old = MemoryChange {
                    before: Some((old * MIB as f64) as u64),
                    after: Some((after * MIB as f64) as u64),
                    ..Default::default()
                };
                old = after.max(700.0 + 40.0 * noise.next());
                events.push(mixed);
            }
        }
        if gc_id == 150 || gc_id == 380 {
            let mut full =
                pause(PauseKind::Full, "Pause Full", "System.gc()", uptime + 15.0, 0.35 + 0.2 * noise.next());
            full.heap = change(old + 500.0, 690.0, committed);
            full.old =
                MemoryChange { before: Some((old * MIB as f64) as u64), after: Some(690 * MIB), ..Default::default() };
            full.flags.system_gc = true;
            old = 690.0;
            events.push(full);
        }
        uptime += 24.0 + 12.0 * noise.next();
    }

    let jvm = JvmInstance {
        files: vec![HOSTILE_LOG.to_string(), format!("{HOSTILE_LOG}.1")],
        format: Some(LogFormat::Unified),
        facts: JvmFacts {
            version: Some("17.0.15+6".to_string()),
            collector: Collector::G1,
            region_size: Some(2 * MIB),
            heap_max: Some(4096 * MIB),
            heap_initial: Some(2048 * MIB),
            start_seen: true,
            ..JvmFacts::default()
        },
        first_seen: Timestamp { uptime: Some(0.0), wall_ms: Some(START_WALL_MS) },
        last_seen: Timestamp { uptime: Some(uptime), wall_ms: Some(START_WALL_MS + (uptime * 1000.0) as i64) },
        stats: ParseStats {
            lines: 48_211,
            recognized: 48_208,
            unrecognized: 3,
            unrecognized_samples: vec!["[2026-11-23T10:01:02.003+0000][gc,foo] <b>odd</b> line".to_string()],
            ..ParseStats::default()
        },
        events,
        ..JvmInstance::default()
    };
    let young_count = jvm.events.iter().filter(|e| e.pause_kind().is_some_and(PauseKind::is_young_collection)).count();
    let summary = Summary {
        run_hours: Some(uptime / 3600.0),
        window_from: Some(0.0),
        window_to: Some(uptime),
        young_size: Some(1228 * MIB),
        young_use_pct: Some(99.2),
        old_size: Some(2868 * MIB),
        old_use_pct: Some(58.4),
        young_count: young_count as u64,
        young_pause_mean: Some(0.0131),
        young_pause_max: Some(0.0342),
        young_pause_total: 6.4,
        other_stw_count: 24,
        other_stw_total: 0.41,
        full_count: 2,
        full_pause_total: 0.91,
        full_pause_max: Some(0.52),
        concurrent_cycles: 12,
        pause_total: 7.72,
        throughput_pct: Some(99.946),
        avg_promotion: Some(4 * MIB),
        promotion_samples: young_count as u64,
        ..Summary::default()
    };
    let live_set = LiveSet {
        bytes: Some(690 * MIB),
        basis: LiveSetBasis::FullGc,
        confidence: Confidence::High,
        samples: 2,
        min: Some(690 * MIB),
        max: Some(690 * MIB),
        last: Some(690 * MIB),
        metaspace_after_full: Some(88 * MIB),
        explanation: "Old-gen occupancy after 2 Full GCs (System.gc()) past warm-up.".to_string(),
    };
    let recommendation = HeapRecommendation {
        heap: ByteRange { low: 2070 * MIB, high: 2760 * MIB },
        heap_value: 2760 * MIB,
        young: Some(ByteRange { low: 690 * MIB, high: 1035 * MIB }),
        young_value: Some(1035 * MIB),
        old: Some(ByteRange { low: 1380 * MIB, high: 2070 * MIB }),
        old_value: Some(1725 * MIB),
        metaspace: Some(ByteRange { low: 106 * MIB, high: 132 * MIB }),
        explanation: "Heap 3–4 × M, young 1–1.5 × M, old 2–3 × M (Hunt).".to_string(),
    };
    let verdict = Verdict {
        kind: VerdictKind::RightSized,
        configured_heap: 4096 * MIB,
        configured_from_user: false,
        ratio: 4096.0 / 2760.0,
        delta: (4096 - 2760) * MIB as i64,
        explanation: "4,096 MiB is within 1.5 × the upper end of the recommended range.".to_string(),
    };
    InstanceReport {
        log: HOSTILE_LOG.to_string(),
        instance: 1,
        jvm,
        analysis: Analysis { summary, live_set, recommendation: Some(recommendation), verdict: Some(verdict) },
    }
}

/// A Parallel TaskManager given far more heap than it uses: a second instance on the page.
fn parallel_taskmanager() -> InstanceReport {
    let mut noise = Noise(11);
    let mut events = Vec::new();
    let mut old = 300.0;
    for i in 0..200 {
        let uptime = 30.0 + 45.0 * i as f64;
        let mut young =
            pause(PauseKind::Young, "Pause Young", "Allocation Failure", uptime, 0.004 + 0.01 * noise.next());
        young.heap = change(old + 2600.0, old + 40.0, 10_240);
        old += 1.5;
        events.push(young);
        if i % 70 == 69 {
            let mut full = pause(PauseKind::Full, "Pause Full", "Ergonomics", uptime + 1.0, 0.6 + 0.3 * noise.next());
            full.heap = change(old + 40.0, 310.0, 10_240);
            full.old =
                MemoryChange { before: Some((old * MIB as f64) as u64), after: Some(310 * MIB), ..Default::default() };
            old = 310.0;
            events.push(full);
        }
    }
    let jvm = JvmInstance {
        files: vec!["/var/log/flink/tm-2/gc.log".to_string()],
        format: Some(LogFormat::Unified),
        facts: JvmFacts {
            version: Some("11.0.22+7".to_string()),
            collector: Collector::Parallel,
            heap_max: Some(10_240 * MIB),
            ..JvmFacts::default()
        },
        first_seen: Timestamp { uptime: Some(28.0), wall_ms: None },
        last_seen: Timestamp { uptime: Some(9_100.0), wall_ms: None },
        stats: ParseStats { lines: 2_400, recognized: 2_400, ..ParseStats::default() },
        events: events
            .into_iter()
            .map(|mut e| {
                e.start.wall_ms = None;
                e
            })
            .collect(),
        ..JvmInstance::default()
    };
    let summary = Summary {
        run_hours: Some((9_100.0 - 28.0) / 3600.0),
        window_from: Some(28.0),
        window_to: Some(9_100.0),
        window_partial: true,
        young_count: 200,
        young_pause_mean: Some(0.009),
        full_count: 2,
        full_pause_total: 1.5,
        throughput_pct: Some(99.96),
        ..Summary::default()
    };
    let live_set = LiveSet {
        bytes: Some(310 * MIB),
        basis: LiveSetBasis::FullGc,
        confidence: Confidence::Medium,
        samples: 2,
        min: Some(310 * MIB),
        max: Some(310 * MIB),
        last: Some(310 * MIB),
        metaspace_after_full: None,
        explanation: "Old gen after 2 Full GCs; the window is partial.".to_string(),
    };
    let recommendation = HeapRecommendation {
        heap: ByteRange { low: 930 * MIB, high: 1240 * MIB },
        heap_value: 1240 * MIB,
        young: Some(ByteRange { low: 310 * MIB, high: 465 * MIB }),
        young_value: Some(465 * MIB),
        old: Some(ByteRange { low: 620 * MIB, high: 930 * MIB }),
        old_value: Some(775 * MIB),
        metaspace: None,
        explanation: String::new(),
    };
    let verdict = Verdict {
        kind: VerdictKind::OverProvisioned,
        configured_heap: 10_240 * MIB,
        configured_from_user: true,
        ratio: 10_240.0 / 1240.0,
        delta: (10_240 - 1240) * MIB as i64,
        explanation: String::new(),
    };
    InstanceReport {
        log: "/var/log/flink/tm-2/gc.log".to_string(),
        instance: 1,
        jvm,
        analysis: Analysis { summary, live_set, recommendation: Some(recommendation), verdict: Some(verdict) },
    }
}

// --- Minimal PNG decoding: enough to look at Chromium's screenshot ---------------------------

struct Image {
    width: u32,
    height: u32,
    /// RGB, row by row.
    pixels: Vec<[u8; 3]>,
}

impl Image {
    fn distinct_colours(&self) -> usize {
        self.pixels.iter().collect::<std::collections::HashSet<_>>().len()
    }

    fn most_common_colour_share(&self) -> f64 {
        let mut counts = std::collections::HashMap::new();
        for pixel in &self.pixels {
            *counts.entry(pixel).or_insert(0usize) += 1;
        }
        let most = counts.values().copied().max().unwrap_or(0);
        most as f64 / self.pixels.len().max(1) as f64
    }

    fn count_pixels(&self, matches: impl Fn([u8; 3]) -> bool) -> usize {
        self.pixels.iter().filter(|p| matches(**p)).count()
    }
}

/// Decodes a non-interlaced 8-bit RGB/RGBA/grey PNG (what Chromium writes) into RGB pixels.
fn decode_png(bytes: &[u8]) -> Image {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let mut at = 8;
    let (mut width, mut height, mut channels) = (0u32, 0u32, 0usize);
    let mut compressed = Vec::new();
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        let kind = &bytes[at + 4..at + 8];
        let data = bytes.get(at + 8..at + 8 + len).expect("chunk within file");
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(data[0..4].try_into().expect("4 bytes"));
                height = u32::from_be_bytes(data[4..8].try_into().expect("4 bytes"));
                let (depth, colour_type, interlace) = (data[8], data[9], data[12]);
                assert_eq!(depth, 8, "bit depth");
                assert_eq!(interlace, 0, "interlacing");
                channels = match colour_type {
                    0 => 1,
                    2 => 3,
                    4 => 2,
                    6 => 4,
                    other => panic!("PNG colour type {other} not handled by this test"),
                };
            }
            b"IDAT" => compressed.extend_from_slice(data),
            b"IEND" => break,
            _ => {}
        }
        at += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&compressed[..]).read_to_end(&mut raw).expect("valid zlib stream");
    let stride = width as usize * channels;
    assert_eq!(raw.len(), height as usize * (stride + 1), "decompressed size");

    // Undo the per-row filters (PNG spec, section 9).
    let mut previous = vec![0u8; stride];
    let mut pixels = Vec::with_capacity(width as usize * height as usize);
    for row in raw.chunks_exact(stride + 1) {
        let (filter, data) = (row[0], &row[1..]);
        let mut current = vec![0u8; stride];
        for i in 0..stride {
            let left = if i >= channels { current[i - channels] } else { 0 };
            let up = previous[i];
            let up_left = if i >= channels { previous[i - channels] } else { 0 };
            let predicted = match filter {
                0 => 0,
                1 => left,
                2 => up,
                3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                4 => paeth(left, up, up_left),
                other => panic!("PNG filter {other}"),
            };
            current[i] = data[i].wrapping_add(predicted);
        }
        for pixel in current.chunks_exact(channels) {
            pixels.push(match channels {
                1 | 2 => [pixel[0]; 3],
                _ => [pixel[0], pixel[1], pixel[2]],
            });
        }
        previous = current;
    }
    Image { width, height, pixels }
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = ((p - i16::from(a)).abs(), (p - i16::from(b)).abs(), (p - i16::from(c)).abs());
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}
