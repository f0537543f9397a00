//! Conformance over the public sample corpus (`shared/gclogs/upstream/`): every sample parses
//! without panic and yields events; for samples with known values, the summary fields match the
//! true value by our definitions (docs/gc-fields.md). Where GCViewer reports something else, the
//! test pins the true value and says why.

mod common;

use std::path::PathBuf;

use rightsize::gc::analysis::{self, Analysis, GcOptions, LiveSetBasis};
use rightsize::gc::model::JvmInstance;
use rightsize::gc::source::{self, SourceOptions};

fn load(relative: &str) -> Vec<JvmInstance> {
    let loaded = source::load(&[common::sample(relative)], &SourceOptions::default());
    assert!(loaded.skipped.is_empty(), "{relative}: skipped {:?}", loaded.skipped);
    loaded.logs.into_iter().flat_map(|log| log.instances).collect()
}

fn only_instance(relative: &str) -> (JvmInstance, Analysis) {
    let mut instances = load(relative);
    assert_eq!(instances.len(), 1, "{relative}: expected one JVM instance");
    let instance = instances.remove(0);
    let analysis = analysis::analyse(&instance, &GcOptions::default());
    (instance, analysis)
}

fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
    (actual - expected).abs() <= tolerance
}

#[track_caller]
fn assert_close(what: &str, actual: Option<f64>, expected: f64, tolerance: f64) {
    let actual = actual.unwrap_or_else(|| panic!("{what}: no value, expected {expected}"));
    assert!(close(actual, expected, tolerance), "{what}: {actual}, expected {expected} ± {tolerance}");
}

/// Every file in the corpus (and every zip entry) parses without panic; GC logs yield events,
/// and the share of lines nobody understood stays small.
#[test]
fn every_sample_parses_and_yields_events() {
    let corpus = common::sample("");
    let loaded = source::load(std::slice::from_ref(&corpus), &SourceOptions::default());
    let mut report = Vec::new();
    for log in &loaded.logs {
        let events: usize = log.instances.iter().map(|i| i.events.len()).sum();
        let lines: u64 = log.instances.iter().map(|i| i.stats.lines).sum();
        let unrecognized: u64 = log.instances.iter().map(|i| i.stats.unrecognized).sum();
        report.push(format!("{events:>7} events {unrecognized:>6}/{lines:<8} unrecognized  {}", log.name));
        // One real log holds no collection at all, only safepoints: reported, not an error.
        let safepoints: usize = log.instances.iter().map(|i| i.safepoints.len()).sum();
        assert!(events + safepoints > 0, "{}: no events", log.name);
        for instance in &log.instances {
            let analysis = analysis::analyse(instance, &GcOptions::default());
            // Every field is finite where present.
            if let Some(t) = analysis.summary.throughput_pct {
                assert!(t.is_finite() && t <= 100.0, "{}: throughput {t}", log.name);
            }
        }
    }
    println!("{}", report.join("\n"));
    // Only documentation and licence files and the one empty sample are skipped.
    for skipped in &loaded.skipped {
        let name = PathBuf::from(&skipped.path);
        let file = name.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert!(
            file.ends_with(".md") || file.starts_with("LICENSE") || file == "SampleSun1_7_0ParallelReference.txt",
            "unexpected skip: {skipped:?}"
        );
    }
}

/// notes §6: JDK 11 G1, a whole JVM run in one zipped file. GCViewer counts 10 511 "GC pauses"
/// (it adds Remark and Cleanup) and computes throughput over the first-to-last event window
/// (48.44 %); over the JVM's uptime it is 81.71 %.
#[test]
fn jdk11_g1_details() {
    let (_, analysis) = only_instance("jdk11-ujl-g1/gctoolkit/jdk11_details.log.zip");
    let s = &analysis.summary;
    assert_eq!(s.young_count, 10_203);
    assert_eq!(s.other_stw_count, 308);
    assert_eq!(s.full_count, 42);
    assert_close("FGAllTime", Some(s.full_pause_total), 0.375200, 1e-6);
    assert_close("window end", s.window_to, 91.378, 0.01);
    assert_close("Throughput", s.throughput_pct, 81.71, 0.05);
    assert_eq!(analysis.live_set.basis, LiveSetBasis::FullGc);
}

/// JDK 9-10 G1 excerpt: 5 Pause Young + 1 Initial Mark + 1 Mixed are young-generation pauses;
/// GCViewer's 12 adds Remark, Cleanup and three `To-space exhausted` qualifier lines.
#[test]
fn jdk9_g1_defaults() {
    let (_, analysis) = only_instance("jdk9-10-ujl-g1/gcviewer/sample-ujl-g1-gc-defaults.txt");
    let s = &analysis.summary;
    assert_eq!(s.young_count, 7);
    assert_eq!(s.other_stw_count, 2);
    assert_eq!(s.full_count, 1);
    assert_close("FGAllTime", Some(s.full_pause_total), 0.014918, 1e-6);
    assert_close("Throughput", s.throughput_pct, 94.49, 0.05);
    assert_close("M (MiB)", analysis.live_set.bytes.map(|b| b as f64 / 1048576.0), 8.0, 0.01);
}

/// JDK 9-15 Parallel: counts as gctoolkit asserts; AvgPromotion from the K-precision
/// `ParOldGen:` deltas (GCViewer mixes K and whole-MB values: 175.367 K).
#[test]
fn parallel_unified() {
    let (_, analysis) = only_instance("jdk9-15-ujl-parallel/gctoolkit/parallelgc.log");
    let s = &analysis.summary;
    assert_eq!(s.young_count, 4_638);
    assert_eq!(s.full_count, 28);
    assert_eq!(s.other_stw_count, 0);
    assert_close("FGAllTime", Some(s.full_pause_total), 0.293511, 1e-6);
    assert_close("window end", s.window_to, 21.258, 0.01);
    assert_close("Throughput", s.throughput_pct, 72.41, 0.05);
    assert_close("AvgPromotion (KiB)", s.avg_promotion.map(|b| b as f64 / 1024.0), 175.783, 0.01);
    assert_eq!(analysis.live_set.basis, LiveSetBasis::FullGc);
}

/// JDK 24 Serial: the `Tenured:` line never grows at a young GC, so promotion is 0 (GCViewer:
/// −1 890 B from mixing precisions). M = old gen after the four System.gc() Full GCs.
#[test]
fn serial_jdk24() {
    let (_, analysis) = only_instance("jdk24-ujl-serial/gctoolkit/factorization-serialgc-tip.log");
    let s = &analysis.summary;
    assert_eq!(s.young_count, 13);
    assert_eq!(s.full_count, 4);
    assert_close("FGAllTime", Some(s.full_pause_total), 3.051332, 1e-6);
    assert_close("window end", s.window_to, 240.513, 0.01);
    assert_close("Throughput", s.throughput_pct, 97.43, 0.05);
    assert_eq!(s.avg_promotion, Some(0));
    assert_eq!(analysis.live_set.basis, LiveSetBasis::FullGc);
}

/// gctoolkit's restart set: five complete JVM runs, never merged into one (GCViewer's series
/// mode sums them as one JVM: 48 s, 98.01 %).
#[test]
fn restarts_are_five_instances() {
    let instances = load("jdk14-ujl-g1/gctoolkit/short_restart_4");
    assert_eq!(instances.len(), 5);
    let run = instances
        .iter()
        .find(|i| i.files.iter().any(|f| f.ends_with("short_restart_4.log")))
        .expect("the run in short_restart_4.log");
    let analysis = analysis::analyse(run, &GcOptions::default());
    assert_eq!(analysis.summary.young_count, 64);
    assert_eq!(analysis.summary.full_count, 1);
    assert_close("window end", analysis.summary.window_to, 26.765, 0.01);
    assert_close("Throughput", analysis.summary.throughput_pct, 99.50, 0.05);
}

/// JDK 8 CMS rotated at 20 KB into seven parts: read as one series they hold the same events as
/// the manually merged file, whatever order the files are given in.
#[test]
fn jdk8_rotation_series_equals_the_merged_file() {
    let dir = common::sample("jdk8-cms-rotation-series/gcviewer");
    let mut parts: Vec<PathBuf> = (1..=7).map(|i| dir.join(format!("SampleSun1_8_0Series-Part{i}.txt"))).collect();
    parts.reverse();
    let series = source::load(&parts, &SourceOptions { series: true });
    let merged = source::load(&[dir.join("SampleSun1_8_0Series-ManuallyMerged.txt")], &SourceOptions::default());
    let count = |loaded: &source::Loaded| -> (usize, usize) {
        let instances: Vec<&JvmInstance> = loaded.logs.iter().flat_map(|l| &l.instances).collect();
        (instances.len(), instances.iter().map(|i| i.events.len()).sum())
    };
    let (series_instances, series_events) = count(&series);
    let (merged_instances, merged_events) = count(&merged);
    assert_eq!(series_instances, 1, "one JVM across seven files");
    assert_eq!(merged_instances, 1);
    assert_eq!(series_events, merged_events);
}
