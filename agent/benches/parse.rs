//! Parse throughput on large real GC logs, in MiB/s (criterion derives it from
//! `Throughput::Bytes`).
//!
//! The target is at least 300 MB/s on one core (the benchmark is single-threaded). Speed is measured here, never asserted in tests:
//! machines are noisy, so compare numbers from one run on one machine. Three levels per log:
//! - `split`: newline search and UTF-8 validation only, the ceiling any line parser can reach;
//! - `parser`: [`GcLogParser`] fed line by line (split with memchr);
//! - `engine`: what `rightsize gc` does to a file's bytes: the reader's line splitter, the
//!   parser, the instance splitter and the analyses of every instance. File I/O and
//!   decompression are left out: the inputs are in memory.
//!
//! `cargo bench -p rightsize --bench parse` takes about a minute; pass a filter
//! (`-- parser/jdk11`) to run one case.

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rightsize::gc::analysis::{analyse, Analysis, GcOptions};
use rightsize::gc::parse::GcLogParser;
use rightsize::gc::source::lines::for_each_line as read_lines;
use rightsize::gc::source::LogReader;

/// The samples, relative to `shared/gclogs/upstream/` (the repository is checked out beside
/// `shared/`). Large files of each format family, so that per-file costs do not dominate.
const SAMPLES: &[(&str, &str)] = &[
    ("jdk11-g1-unified-45MB", "jdk11-ujl-g1/gctoolkit/jdk11_details.log.zip"),
    ("jdk14-g1-unified", "jdk14-ujl-g1/gctoolkit/short_restart_4/short_restart_4.log.4"),
    ("jdk9-15-parallel-unified", "jdk9-15-ujl-parallel/gctoolkit/parallelgc.log"),
    ("jdk8-g1", "jdk8-g1/gctoolkit/g1gc.log"),
    ("jdk8-parallel", "jdk8-parallel/gctoolkit/parold1.log"),
];

const UPSTREAM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/gclogs/upstream/");

/// Reads a sample into memory; a `.zip` is inflated (its first entry), so decompression is not
/// part of what is measured.
fn load(relative: &str) -> std::io::Result<Vec<u8>> {
    let path = Path::new(UPSTREAM).join(relative);
    let mut bytes = Vec::new();
    if relative.ends_with(".zip") {
        let mut archive = zip::ZipArchive::new(File::open(&path)?)?;
        archive.by_index(0)?.read_to_end(&mut bytes)?;
    } else {
        File::open(&path)?.read_to_end(&mut bytes)?;
    }
    Ok(bytes)
}

/// Calls `f` with each line of `log` without its `\n`, the last line also when it has none.
fn for_each_line(log: &[u8], mut f: impl FnMut(&[u8])) {
    let mut start = 0;
    for newline in memchr::memchr_iter(b'\n', log) {
        f(&log[start..newline]);
        start = newline + 1;
    }
    if start < log.len() {
        f(&log[start..]);
    }
}

fn split_only(log: &[u8]) -> usize {
    let mut valid = 0;
    for_each_line(log, |line| valid += usize::from(std::str::from_utf8(line).is_ok()));
    valid
}

fn parse(log: &[u8]) -> usize {
    let mut parser = GcLogParser::new();
    let mut records = Vec::new();
    for_each_line(log, |line| parser.feed_bytes(line, &mut records));
    parser.finish(&mut records);
    records.len()
}

/// The engine as `gc::source::read_log` drives it, minus file I/O.
fn analyse_all(log: &[u8], options: &GcOptions) -> Vec<Analysis> {
    let mut reader = LogReader::new();
    reader.begin_file("bench");
    read_lines(log, |line| reader.feed(line)).expect("reading from memory cannot fail");
    reader.finish().iter().map(|instance| analyse(instance, options)).collect()
}

fn throughput(c: &mut Criterion) {
    let samples: Vec<(&str, Vec<u8>)> = SAMPLES
        .iter()
        .filter_map(|&(name, relative)| match load(relative) {
            Ok(bytes) => Some((name, bytes)),
            Err(error) => {
                eprintln!("skipping {name}: cannot read {UPSTREAM}{relative}: {error}");
                None
            }
        })
        .collect();

    let mut group = c.benchmark_group("split");
    for (name, log) in &samples {
        group.throughput(Throughput::Bytes(log.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), log, |b, log| b.iter(|| split_only(log)));
    }
    group.finish();

    let mut group = c.benchmark_group("parser");
    for (name, log) in &samples {
        group.throughput(Throughput::Bytes(log.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), log, |b, log| b.iter(|| parse(log)));
    }
    group.finish();

    let options = GcOptions::default();
    let mut group = c.benchmark_group("engine");
    for (name, log) in &samples {
        group.throughput(Throughput::Bytes(log.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(name), log, |b, log| b.iter(|| analyse_all(log, &options)));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Few samples and short windows: the whole run stays near a minute, and the spread criterion
    // reports says whether that was enough on the machine at hand.
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = throughput
}
criterion_main!(benches);
