//! JSON rendering of [`InstanceReport`]s: one document, `{"schema": "rightsize.gc/v1",
//! "instances": [...]}`, for tools and dashboards.
//!
//! The document has its own types rather than serializing the analysis structs directly, so
//! that renaming a field inside the engine cannot silently break readers: these names are the
//! contract, and `v1` changes only by adding fields.
//!
//! Unit convention: every quantity carries its unit in its name. `_bytes` are bytes (integers),
//! `_seconds` are seconds, `_pct` are percentages in 0-100, `run_hours` is hours; wall-clock
//! times are ISO 8601 UTC strings (`_utc`). Counts have no suffix. A field that does not apply
//! or that the log does not tell is `null`, never a made-up 0. Enumerations are kebab-case
//! strings (`"full-gc"`, `"over-provisioned"`).
//!
//! Fractions are rounded to what the logs can resolve, so that sums like `5.570893000000004`
//! read as `5.570893` and runs diff cleanly: seconds to 0.1 µs (JDK 8 prints 7 decimals),
//! percentages and ratios to 4 decimals, hours to 6.

use serde::Serialize;

use super::{format_wall_ms, InstanceReport};
use crate::gc::analysis::{ByteRange, VerdictKind};
use crate::gc::model::{LogFormat, Timestamp};

/// Identifies the document's shape for readers.
pub const SCHEMA: &str = "rightsize.gc/v1";

/// Decimals kept for seconds, percentages (and ratios), hours.
const SECONDS_DECIMALS: i32 = 7;
const PCT_DECIMALS: i32 = 4;
const HOURS_DECIMALS: i32 = 6;

fn rounded(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    let result = (value * scale).round() / scale;
    // Values too large to scale are kept as they are; non-finite ones serialize as null.
    if result.is_finite() {
        result
    } else {
        value
    }
}

fn seconds(value: f64) -> f64 {
    rounded(value, SECONDS_DECIMALS)
}

fn pct(value: f64) -> f64 {
    rounded(value, PCT_DECIMALS)
}

fn hours(value: f64) -> f64 {
    rounded(value, HOURS_DECIMALS)
}

/// The whole document, pretty-printed, with a final newline.
pub fn render(reports: &[InstanceReport]) -> String {
    let document = document(reports);
    // Serializing plain structs of numbers, strings and options cannot fail; should it ever, an
    // empty document is a safer answer than a panic.
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

/// The document as a JSON value, to embed in another (a sidecar's push).
pub fn to_value(reports: &[InstanceReport]) -> serde_json::Value {
    serde_json::to_value(document(reports)).unwrap_or_default()
}

fn document(reports: &[InstanceReport]) -> Document<'_> {
    Document {
        schema: SCHEMA,
        generator: concat!("rightsize ", env!("CARGO_PKG_VERSION")),
        instances: reports.iter().map(Instance::from_report).collect(),
    }
}

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    generator: &'static str,
    instances: Vec<Instance<'a>>,
}

#[derive(Serialize)]
struct Instance<'a> {
    log: &'a str,
    instance: usize,
    collector: &'static str,
    /// `"jdk8"` or `"unified"`.
    format: Option<&'static str>,
    files: &'a [String],
    jvm: Jvm<'a>,
    window: Window,
    summary: Summary,
    live_set: LiveSet<'a>,
    recommendation: Option<Recommendation<'a>>,
    verdict: Option<Verdict<'a>>,
    parse: Parse<'a>,
}

#[derive(Serialize)]
struct Jvm<'a> {
    version: Option<&'a str>,
    heap_max_bytes: Option<u64>,
    heap_initial_bytes: Option<u64>,
    young_max_bytes: Option<u64>,
    region_size_bytes: Option<u64>,
    command_line: Option<&'a str>,
    memory: Option<&'a str>,
    /// The JVM's start lines are in the files read.
    start_seen: bool,
    /// The JVM's exit summary is in the files read.
    exit_seen: bool,
}

#[derive(Serialize)]
struct Window {
    from_uptime_seconds: Option<f64>,
    to_uptime_seconds: Option<f64>,
    /// The window in wall-clock time, for logs that print only datestamps.
    from_wall_clock_utc: Option<String>,
    to_wall_clock_utc: Option<String>,
    run_hours: Option<f64>,
    /// The window does not start at JVM start.
    partial: bool,
    first_seen: Moment,
    last_seen: Moment,
}

#[derive(Serialize)]
struct Moment {
    uptime_seconds: Option<f64>,
    wall_clock_utc: Option<String>,
}

impl From<Timestamp> for Moment {
    fn from(at: Timestamp) -> Self {
        Moment { uptime_seconds: at.uptime.map(seconds), wall_clock_utc: at.wall_ms.map(format_wall_ms) }
    }
}

/// The seed's summary fields (named in the comments) and the counters beside them.
#[derive(Serialize)]
struct Summary {
    /// RunHours.
    run_hours: Option<f64>,
    /// YGSize.
    young_size_bytes: Option<u64>,
    /// YGUsePC.
    young_use_pct: Option<f64>,
    /// OGSize.
    old_size_bytes: Option<u64>,
    /// OGUsePC.
    old_use_pct: Option<f64>,
    /// YGCount.
    young_count: Option<u64>,
    /// Of YGCount, G1 mixed collections.
    mixed_count: Option<u64>,
    /// YGPerTime.
    young_pause_mean_seconds: Option<f64>,
    young_pause_max_seconds: Option<f64>,
    young_pause_total_seconds: Option<f64>,
    other_stw_count: u64,
    other_stw_total_seconds: f64,
    /// FGCount.
    full_count: u64,
    /// FGAllTime.
    full_pause_total_seconds: f64,
    full_pause_max_seconds: Option<f64>,
    /// Of FGCount, those caused by System.gc() (they say nothing about allocation pressure).
    system_gc_full_count: u64,
    /// Full collections nested inside a young pause (JDK 8 fallbacks).
    nested_full_count: u64,
    degenerated_count: u64,
    degenerated_total_seconds: f64,
    stall_count: u64,
    stall_total_seconds: f64,
    concurrent_cycles: u64,
    pause_total_seconds: f64,
    /// Throughput.
    throughput_pct: Option<f64>,
    stopped_total_seconds: Option<f64>,
    /// AvgPromotion.
    avg_promotion_bytes: Option<u64>,
    promotion_samples: Option<u64>,
    promotion_excluded: Option<u64>,
}

#[derive(Serialize)]
struct LiveSet<'a> {
    /// M.
    bytes: Option<u64>,
    /// MBasis: `full-gc`, `concurrent-cycle`, `collector-measured`, `max-occupancy`, `none`.
    basis: &'static str,
    /// `none`, `low`, `medium`, `high`.
    confidence: &'static str,
    samples: u64,
    min_bytes: Option<u64>,
    max_bytes: Option<u64>,
    last_bytes: Option<u64>,
    metaspace_after_full_bytes: Option<u64>,
    explanation: &'a str,
}

#[derive(Serialize)]
struct Recommendation<'a> {
    /// RecHeap.
    heap: SizeAdvice,
    /// RecNewHeap.
    young: Option<SizeAdvice>,
    /// RecOldHeap.
    old: Option<SizeAdvice>,
    metaspace: Option<SizeAdvice>,
    explanation: &'a str,
}

/// A recommended size: its range and, where the analysis picks one, the single value.
#[derive(Serialize)]
struct SizeAdvice {
    low_bytes: u64,
    high_bytes: u64,
    value_bytes: Option<u64>,
}

impl SizeAdvice {
    fn new(range: ByteRange, value: Option<u64>) -> Self {
        SizeAdvice { low_bytes: range.low, high_bytes: range.high, value_bytes: value }
    }
}

#[derive(Serialize)]
struct Verdict<'a> {
    /// `over-provisioned`, `right-sized`, `too-small`.
    kind: &'static str,
    configured_heap_bytes: u64,
    /// `user` (given on the command line) or `log`.
    configured_from: &'static str,
    /// Configured heap / recommended value.
    ratio: f64,
    /// Bytes that could be given back (positive when over-provisioned) or should be added
    /// (positive when too small).
    delta_bytes: i64,
    explanation: &'a str,
}

#[derive(Serialize)]
struct Parse<'a> {
    lines: u64,
    recognized: u64,
    ignored: u64,
    unrecognized: u64,
    incomplete_events: u64,
    /// The first few unrecognized lines, as read.
    unrecognized_samples: &'a [String],
    events: usize,
    safepoints: usize,
}

impl<'a> Instance<'a> {
    fn from_report(report: &'a InstanceReport) -> Self {
        let jvm = &report.jvm;
        let facts = &jvm.facts;
        let analysis = &report.analysis;
        let summary = &analysis.summary;
        let live_set = &analysis.live_set;
        let generational = report.is_generational();
        // Young/old fields do not apply to a single-generation heap: null, not 0.
        let young_old = |value: Option<u64>| value.filter(|_| generational);
        let young_old_f = |value: Option<f64>| value.filter(|_| generational);

        Instance {
            log: &report.log,
            instance: report.instance,
            collector: report.collector().name(),
            format: jvm.format.map(|format| match format {
                LogFormat::Jdk8 => "jdk8",
                LogFormat::Unified => "unified",
            }),
            files: &jvm.files,
            jvm: Jvm {
                version: facts.version.as_deref(),
                heap_max_bytes: facts.heap_max,
                heap_initial_bytes: facts.heap_initial,
                young_max_bytes: facts.young_max,
                region_size_bytes: facts.region_size,
                command_line: facts.command_line.as_deref(),
                memory: facts.memory.as_deref(),
                start_seen: facts.start_seen,
                exit_seen: facts.exit_seen,
            },
            window: Window {
                from_uptime_seconds: summary.window_from.map(seconds),
                to_uptime_seconds: summary.window_to.map(seconds),
                from_wall_clock_utc: summary.window_from_wall_ms.map(format_wall_ms),
                to_wall_clock_utc: summary.window_to_wall_ms.map(format_wall_ms),
                run_hours: summary.run_hours.map(hours),
                partial: summary.window_partial,
                first_seen: jvm.first_seen.into(),
                last_seen: jvm.last_seen.into(),
            },
            summary: Summary {
                run_hours: summary.run_hours.map(hours),
                young_size_bytes: young_old(summary.young_size),
                young_use_pct: young_old_f(summary.young_use_pct.map(pct)),
                old_size_bytes: young_old(summary.old_size),
                old_use_pct: young_old_f(summary.old_use_pct.map(pct)),
                young_count: young_old(Some(summary.young_count)),
                mixed_count: young_old(Some(summary.mixed_count)),
                young_pause_mean_seconds: young_old_f(summary.young_pause_mean.map(seconds)),
                young_pause_max_seconds: young_old_f(summary.young_pause_max.map(seconds)),
                young_pause_total_seconds: young_old_f(Some(seconds(summary.young_pause_total))),
                other_stw_count: summary.other_stw_count,
                other_stw_total_seconds: seconds(summary.other_stw_total),
                full_count: summary.full_count,
                full_pause_total_seconds: seconds(summary.full_pause_total),
                full_pause_max_seconds: summary.full_pause_max.map(seconds),
                system_gc_full_count: summary.system_gc_full_count,
                nested_full_count: summary.nested_full_count,
                degenerated_count: summary.degenerated_count,
                degenerated_total_seconds: seconds(summary.degenerated_total),
                stall_count: summary.stall_count,
                stall_total_seconds: seconds(summary.stall_total),
                concurrent_cycles: summary.concurrent_cycles,
                pause_total_seconds: seconds(summary.pause_total),
                throughput_pct: summary.throughput_pct.map(pct),
                stopped_total_seconds: summary.stopped_total.map(seconds),
                avg_promotion_bytes: young_old(summary.avg_promotion),
                promotion_samples: young_old(Some(summary.promotion_samples)),
                promotion_excluded: young_old(Some(summary.promotion_excluded)),
            },
            live_set: LiveSet {
                bytes: live_set.bytes,
                basis: live_set.basis.label(),
                confidence: live_set.confidence.label(),
                samples: live_set.samples,
                min_bytes: live_set.min,
                max_bytes: live_set.max,
                last_bytes: live_set.last,
                metaspace_after_full_bytes: live_set.metaspace_after_full,
                explanation: &live_set.explanation,
            },
            recommendation: analysis.recommendation.as_ref().map(|rec| Recommendation {
                heap: SizeAdvice::new(rec.heap, Some(rec.heap_value)),
                young: rec.young.filter(|_| generational).map(|range| SizeAdvice::new(range, rec.young_value)),
                old: rec.old.filter(|_| generational).map(|range| SizeAdvice::new(range, rec.old_value)),
                metaspace: rec.metaspace.map(|range| SizeAdvice::new(range, None)),
                explanation: &rec.explanation,
            }),
            verdict: analysis.verdict.as_ref().map(|verdict| Verdict {
                kind: match verdict.kind {
                    VerdictKind::OverProvisioned => "over-provisioned",
                    VerdictKind::RightSized => "right-sized",
                    VerdictKind::TooSmall => "too-small",
                    VerdictKind::Inconclusive => "inconclusive",
                },
                configured_heap_bytes: verdict.configured_heap,
                configured_from: if verdict.configured_from_user { "user" } else { "log" },
                ratio: pct(verdict.ratio),
                delta_bytes: verdict.delta,
                explanation: &verdict.explanation,
            }),
            parse: Parse {
                lines: jvm.stats.lines,
                recognized: jvm.stats.recognized,
                ignored: jvm.stats.ignored,
                unrecognized: jvm.stats.unrecognized,
                incomplete_events: jvm.stats.incomplete_events,
                unrecognized_samples: &jvm.stats.unrecognized_samples,
                events: jvm.events.len(),
                safepoints: jvm.safepoints.len(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::report::testdata::{self, MIB};

    fn parse(reports: &[InstanceReport]) -> Value {
        serde_json::from_str(&render(reports)).expect("valid JSON")
    }

    #[test]
    fn document_has_schema_and_one_entry_per_instance() {
        let doc = parse(&[testdata::g1_report(), testdata::zgc_report()]);
        assert_eq!(doc["schema"], "rightsize.gc/v1");
        assert_eq!(doc["instances"].as_array().map(Vec::len), Some(2));
        assert_eq!(parse(&[])["instances"], json!([]));
    }

    #[test]
    fn generational_instance_carries_every_field_with_units() {
        let doc = parse(&[testdata::g1_report()]);
        let instance = &doc["instances"][0];
        assert_eq!(instance["log"], "/var/log/flink/taskmanager,1/gc.log");
        assert_eq!(instance["instance"], 1);
        assert_eq!(instance["collector"], "G1");
        assert_eq!(instance["format"], "unified");
        assert_eq!(instance["jvm"]["version"], "17.0.15+6");
        assert_eq!(instance["jvm"]["heap_max_bytes"], 8192 * MIB);
        assert_eq!(instance["jvm"]["region_size_bytes"], 4 * MIB);
        assert_eq!(instance["window"]["run_hours"], 12.5);
        assert_eq!(instance["window"]["first_seen"]["wall_clock_utc"], "2026-11-25T02:35:56.000Z");
        assert_eq!(instance["summary"]["young_count"], 1234);
        assert_eq!(instance["summary"]["full_pause_total_seconds"], 0.8123);
        assert_eq!(instance["summary"]["throughput_pct"], 99.9642);
        assert_eq!(instance["summary"]["avg_promotion_bytes"], 1_258_291);
        assert_eq!(
            instance["live_set"],
            json!({
                "bytes": 768 * MIB, "basis": "full-gc", "confidence": "high", "samples": 2,
                "min_bytes": 760 * MIB, "max_bytes": 776 * MIB, "last_bytes": 760 * MIB,
                "metaspace_after_full_bytes": 96 * MIB,
                "explanation": "Mean old-gen occupancy after 2 Full GCs past warm-up."
            })
        );
        assert_eq!(
            instance["recommendation"]["heap"],
            json!({"low_bytes": 2304 * MIB, "high_bytes": 3072 * MIB, "value_bytes": 3072 * MIB})
        );
        assert_eq!(instance["recommendation"]["old"]["value_bytes"], 1920 * MIB);
        assert_eq!(instance["recommendation"]["metaspace"]["value_bytes"], Value::Null);
        assert_eq!(instance["verdict"]["kind"], "over-provisioned");
        assert_eq!(instance["verdict"]["configured_from"], "log");
        assert_eq!(instance["verdict"]["delta_bytes"], 5120 * MIB);
        assert_eq!(instance["parse"]["lines"], 12_000);
        assert_eq!(instance["parse"]["unrecognized"], 10);
        assert_eq!(instance["parse"]["events"], 3);
    }

    #[test]
    fn fractions_are_rounded_to_what_logs_resolve() {
        let mut report = testdata::g1_report();
        report.analysis.summary.young_pause_total = 5.570893000000004;
        report.analysis.summary.throughput_pct = Some(72.42936306331771);
        report.analysis.summary.young_pause_mean = Some(f64::NAN);
        let doc = parse(&[report]);
        assert_eq!(doc["instances"][0]["summary"]["young_pause_total_seconds"], 5.570893);
        assert_eq!(doc["instances"][0]["summary"]["throughput_pct"], 72.4294);
        assert_eq!(doc["instances"][0]["summary"]["young_pause_mean_seconds"], Value::Null);
        assert_eq!(doc["instances"][0]["verdict"]["ratio"], 2.6667);
    }

    #[test]
    fn single_generation_fields_are_null_and_absent_analyses_are_null() {
        let doc = parse(&[testdata::zgc_report()]);
        let instance = &doc["instances"][0];
        assert_eq!(instance["collector"], "ZGC");
        assert_eq!(instance["summary"]["young_count"], Value::Null);
        assert_eq!(instance["summary"]["young_size_bytes"], Value::Null);
        assert_eq!(instance["summary"]["other_stw_count"], 3);
        assert_eq!(instance["recommendation"]["young"], Value::Null);
        assert_eq!(instance["verdict"], Value::Null);
        assert_eq!(instance["window"]["partial"], true);
        assert_eq!(instance["window"]["first_seen"]["wall_clock_utc"], Value::Null);
    }
}
