//! Scale benchmark of one full scan: 1,000 jobs × 10 vertices served by the Flink REST simulator
//! (`tests/sim/`, built from recorded answers) on loopback. Prints the scan's wall time, its peak
//! memory, the requests it made and the most the simulator had to answer at once. Targets: under
//! 10 s, and no more concurrent requests than `--concurrency` (default 4). Then the same scan as
//! `serve` runs it, with streaks and the store write, twice.
//!
//! `cargo bench -p rightsize --bench scan_scale [-- --jobs N --vertices N --latency-ms N --concurrency N]`
//!
//! The scan runs in a child process (this binary again), so that its peak resident memory
//! (VmHWM) is its own and not the simulator's.

#[path = "../tests/sim/mod.rs"]
mod sim;

use std::process::Command;
use std::time::{Duration, Instant};

use rightsize::scan::options::{CollectOptions, ScanOptions};
use rightsize::scan::{self, collect};
use rightsize::serve::{ServeOptions, Service};

const CHILD_FLAG: &str = "--scan-child";

struct Settings {
    jobs: u64,
    vertices: usize,
    latency_ms: u64,
    concurrency: usize,
}

fn settings(args: &[String]) -> Settings {
    let value = |name: &str, default: u64| -> u64 {
        args.iter()
            .position(|arg| arg == name)
            .and_then(|at| args.get(at + 1))
            .map(|text| text.parse().unwrap_or_else(|_| panic!("{name} expects a number, got {text}")))
            .unwrap_or(default)
    };
    Settings {
        jobs: value("--jobs", 1000),
        vertices: value("--vertices", 10) as usize,
        latency_ms: value("--latency-ms", 0),
        concurrency: value("--concurrency", CollectOptions::default().concurrency as u64) as usize,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == CHILD_FLAG) {
        let url = args.get(at + 1).expect("the simulator's URL");
        scan_child(url, settings(&args).concurrency);
        return;
    }
    // `cargo bench` passes `--bench`; a filter argument means another bench was asked for.
    if args.iter().skip(1).any(|arg| !arg.starts_with("--") && !arg.chars().all(|c| c.is_ascii_digit())) {
        return;
    }
    let settings = settings(&args);
    let started = Instant::now();
    let simulator = sim::FlinkSimulator::start(
        sim::fleet(settings.jobs, settings.vertices),
        Duration::from_millis(settings.latency_ms),
    );
    println!(
        "simulator: {} jobs × {} vertices on {} ({} ms per request), ready in {:.1?}",
        settings.jobs,
        settings.vertices,
        simulator.url(),
        settings.latency_ms,
        started.elapsed()
    );
    let output = Command::new(std::env::current_exe().expect("this binary"))
        .args([CHILD_FLAG, &simulator.url(), "--concurrency", &settings.concurrency.to_string()])
        .output()
        .expect("the scan child runs");
    assert!(output.status.success(), "scan child failed: {}", String::from_utf8_lossy(&output.stderr));
    print!("{}", String::from_utf8_lossy(&output.stdout));
    println!(
        "simulator saw {} requests, at most {} at once (scan concurrency {})",
        simulator.requests(),
        simulator.max_concurrent_requests(),
        settings.concurrency
    );
}

/// One full scan, as `rightsize scan` runs it: collect, then analyse.
fn scan_child(url: &str, concurrency: usize) {
    let options = ScanOptions {
        collect: CollectOptions {
            flink_url: url.to_owned(),
            concurrency,
            // The simulator has no metric fetcher to wait for.
            metrics_refresh_wait: Duration::ZERO,
            ..CollectOptions::default()
        },
        ..ScanOptions::default()
    };
    let started = Instant::now();
    let snapshot = collect::collect(&options.collect).expect("the simulator answers");
    let collected = started.elapsed();
    let report = scan::analyse(&snapshot, &options);
    let total = started.elapsed();
    let gaps: usize = snapshot.jobs.iter().map(|job| job.gaps.len()).sum();
    let vertices: usize = report.jobs.iter().map(|job| job.evaluation.vertices.len()).sum();
    println!(
        "scan: {} jobs, {vertices} vertices, {gaps} gaps in {:.2} s (collect {:.2} s, analyse {:.3} s); target < 10 s: {}",
        report.jobs.len(),
        total.as_secs_f64(),
        collected.as_secs_f64(),
        (total - collected).as_secs_f64(),
        if total < Duration::from_secs(10) { "met" } else { "MISSED" }
    );
    match peak_resident_kib() {
        Some(kib) => println!("scan peak resident memory (VmHWM): {:.1} MiB", kib as f64 / 1024.0),
        None => println!("scan peak resident memory: not available on this system (no /proc/self/status)"),
    }

    // The same scan as `serve` runs it: plus streaks and one store transaction per scan. Two
    // scans, so the second reads the streaks the first wrote.
    let store = tempfile::tempdir().expect("a temporary store");
    let mut serve_options = ServeOptions::new(options);
    serve_options.store_dir = store.path().to_path_buf();
    let service = Service::open(serve_options).expect("the store opens");
    for round in 1..=2 {
        let started = Instant::now();
        let record = service.scan_once().expect("scan recorded");
        let total = started.elapsed().as_secs_f64();
        let recording = total - record.duration_ms as f64 / 1000.0;
        println!("serve scan {round}: {total:.2} s, of which streaks and store {recording:.2} s");
    }
    let size = std::fs::metadata(service.store.path()).map_or(0, |m| m.len());
    println!("store after 2 scans: {:.1} MiB", size as f64 / (1024.0 * 1024.0));
    if let Some(kib) = peak_resident_kib() {
        println!("peak resident memory with the serve scans: {:.1} MiB", kib as f64 / 1024.0);
    }
}

/// The process's peak resident set size, from Linux's `/proc/self/status`.
fn peak_resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
