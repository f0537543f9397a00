//! Renderers for analysis results: terminal table, JSON, CSV and a self-contained HTML page.
//! Each takes the same [`InstanceReport`]s; none computes anything the analyses did not.
//!
//! The helpers here keep the human-facing renderers (table, HTML) saying the same thing in the
//! same words: one verdict sentence, one way to write a size or a pause, one list of warnings.
//! Machine formats (JSON, CSV) use plain numbers and never these helpers' text.

pub mod csv;
pub mod html;
pub mod json;
pub mod table;

use serde::Serialize;

use crate::gc::analysis::{Analysis, ByteRange, HeapRecommendation, LiveSetBasis, Verdict, VerdictKind};
use crate::gc::model::{Collector, JvmInstance};

/// One analysed JVM instance, as every renderer receives it.
#[derive(Debug, Clone, Serialize)]
pub struct InstanceReport {
    /// The log this instance was read from: the rotation set's name (`/var/log/flink/gc.log`).
    pub log: String,
    /// 1-based position of the instance within its log, in time order.
    pub instance: usize,
    #[serde(skip)]
    pub jvm: JvmInstance,
    pub analysis: Analysis,
}

impl InstanceReport {
    pub fn collector(&self) -> Collector {
        self.jvm.facts.collector
    }

    /// Young/old fields apply: the collector splits the heap into generations.
    pub fn is_generational(&self) -> bool {
        !self.collector().is_single_generation()
    }
}

/// Bytes as mebibytes, the unit every report shows memory in.
pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Signed bytes as mebibytes (verdict deltas).
pub fn mib_signed(bytes: i64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// `1234567` → `1,234,567`: large counts and sizes are read at a glance on a terminal.
pub fn group_thousands(digits: &str) -> String {
    let (sign, rest) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits),
    };
    let (int, frac) = match rest.find('.') {
        Some(dot) => rest.split_at(dot),
        None => (rest, ""),
    };
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{frac}")
}

/// A count for people: `12,345`.
pub fn human_count(n: u64) -> String {
    group_thousands(&n.to_string())
}

/// A count with its noun: `1 sample`, `12 samples` (the plural is the noun plus `s`).
pub fn counted(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", human_count(n))
    }
}

/// A size for people, in MiB with as many decimals as its magnitude deserves: `0.38 MiB`,
/// `812.4 MiB`, `8,192 MiB`.
pub fn human_mib(bytes: u64) -> String {
    format!("{} MiB", mib_number(mib(bytes)))
}

fn mib_number(value: f64) -> String {
    let magnitude = value.abs();
    let text = if magnitude < 10.0 {
        format!("{value:.2}")
    } else if magnitude < 1000.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    group_thousands(&text)
}

/// A range of sizes: `2,436–3,248 MiB`.
pub fn human_mib_range(range: &ByteRange) -> String {
    format!("{}–{} MiB", mib_number(mib(range.low)), mib_number(mib(range.high)))
}

/// A duration for people, in the unit that keeps it short: `0.42 ms`, `12.3 ms`, `1.24 s`,
/// `12.5 min`, `3.20 h`.
pub fn human_duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "–".to_string();
    }
    let magnitude = seconds.abs();
    if magnitude == 0.0 {
        "0 s".to_string()
    } else if magnitude < 0.001 {
        format!("{:.3} ms", seconds * 1000.0)
    } else if magnitude < 0.01 {
        format!("{:.2} ms", seconds * 1000.0)
    } else if magnitude < 1.0 {
        format!("{:.1} ms", seconds * 1000.0)
    } else if magnitude < 60.0 {
        format!("{seconds:.2} s")
    } else if magnitude < 3600.0 {
        format!("{:.1} min", seconds / 60.0)
    } else {
        format!("{:.2} h", seconds / 3600.0)
    }
}

/// A percentage for people: `99.12 %`.
pub fn human_pct(pct: f64) -> String {
    if pct.is_finite() {
        format!("{pct:.2} %")
    } else {
        "–".to_string()
    }
}

/// Where M comes from, in words.
pub fn basis_description(basis: LiveSetBasis) -> &'static str {
    match basis {
        LiveSetBasis::FullGc => "old gen after Full GC",
        LiveSetBasis::ConcurrentCycle => "after concurrent cycles",
        LiveSetBasis::CollectorMeasured => "measured by the collector",
        LiveSetBasis::MaxOccupancy => "max old occupancy (upper bound)",
        LiveSetBasis::None => "no basis in the log",
    }
}

/// The verdict's name, as a short label: `over-provisioned`, `right-sized`, `too small`.
pub fn verdict_label(kind: VerdictKind) -> &'static str {
    match kind {
        VerdictKind::OverProvisioned => "over-provisioned",
        VerdictKind::RightSized => "right-sized",
        VerdictKind::TooSmall => "too small",
        VerdictKind::Inconclusive => "inconclusive",
    }
}

/// One sentence stating the verdict and by how much, e.g. "Over-provisioned by 5,120 MiB: the
/// configured heap of 8,192 MiB (from the log) is 2.7× the recommended 3,072 MiB."
pub fn verdict_sentence(verdict: &Verdict, recommendation: Option<&HeapRecommendation>) -> String {
    let configured = human_mib(verdict.configured_heap);
    let source = if verdict.configured_from_user { "as given" } else { "from the log" };
    let recommended = recommendation.map(|rec| human_mib(rec.heap_value));
    let ratio = if verdict.ratio.is_finite() { format!("{:.1}×", verdict.ratio) } else { "–".to_string() };
    let delta = human_mib(verdict.delta.unsigned_abs());
    let against = match &recommended {
        Some(rec) => format!("{ratio} the recommended {rec}"),
        None => format!("{ratio} the recommendation"),
    };
    match verdict.kind {
        VerdictKind::OverProvisioned => {
            format!("Over-provisioned by {delta}: the configured heap of {configured} ({source}) is {against}.")
        }
        VerdictKind::RightSized => {
            format!("Right-sized: the configured heap of {configured} ({source}) is {against}.")
        }
        VerdictKind::TooSmall if verdict.delta > 0 => {
            format!("Too small by {delta}: the configured heap of {configured} ({source}) is {against}.")
        }
        // Too small for its allocation rate (throughput) rather than for its live set.
        VerdictKind::TooSmall => {
            format!("Too small: the configured heap of {configured} ({source}) is {against}.")
        }
        VerdictKind::Inconclusive => {
            format!("Inconclusive: the configured heap of {configured} ({source}) is {against}.")
        }
    }
}

/// Things the reader must know before trusting the numbers: skipped lines, a window that does not
/// start at JVM start, events cut off mid-way.
pub fn warnings(report: &InstanceReport) -> Vec<String> {
    let stats = &report.jvm.stats;
    let mut out = Vec::new();
    if stats.unrecognized > 0 {
        out.push(format!(
            "{} of {} were not recognized and were skipped",
            human_count(stats.unrecognized),
            counted(stats.lines, "line")
        ));
    }
    if report.analysis.summary.window_partial {
        out.push("the log does not start at JVM start: the window is partial".to_string());
    }
    if stats.incomplete_events > 0 {
        let verb = if stats.incomplete_events == 1 { "was" } else { "were" };
        out.push(format!("{} {verb} cut off mid-way", counted(stats.incomplete_events, "event")));
    }
    if report.jvm.events.is_empty() {
        out.push("no GC events were found in this instance".to_string());
    }
    out
}

/// Unix milliseconds as an ISO 8601 UTC timestamp: `2026-11-25T02:35:56.123Z`.
pub fn format_wall_ms(ms: i64) -> String {
    let seconds = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), after Howard Hinnant's
/// public-domain `civil_from_days` algorithm.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Small reports built in code for the renderers' unit tests: one G1 instance with every field
/// filled, one ZGC instance where the generational fields do not apply.
#[cfg(test)]
pub(crate) mod testdata {
    use super::InstanceReport;
    use crate::gc::analysis::{
        Analysis, ByteRange, Confidence, HeapRecommendation, LiveSet, LiveSetBasis, Summary, Verdict, VerdictKind,
    };
    use crate::gc::model::{
        Collector, EventKind, GcEvent, JvmFacts, JvmInstance, LogFormat, MemoryChange, ParseStats, PauseKind, Timestamp,
    };

    pub const MIB: u64 = 1024 * 1024;

    fn event(uptime: f64, kind: EventKind, name: &str, duration: f64, heap: (u64, u64, u64)) -> GcEvent {
        let mut event = GcEvent::new(kind, name);
        event.start = Timestamp { uptime: Some(uptime), wall_ms: Some(1_795_574_156_000 + (uptime * 1000.0) as i64) };
        event.duration = Some(duration);
        event.heap = MemoryChange {
            before: Some(heap.0 * MIB),
            after: Some(heap.1 * MIB),
            committed_before: Some(heap.2 * MIB),
            committed_after: Some(heap.2 * MIB),
        };
        event
    }

    /// A G1 TaskManager with a comma in its path, a Full GC, and an over-provisioned heap.
    pub fn g1_report() -> InstanceReport {
        let mut full = event(1800.0, EventKind::Pause(PauseKind::Full), "Pause Full", 0.8123, (7000, 760, 8192));
        full.cause = Some("System.gc()".to_string());
        full.old = MemoryChange { before: Some(6000 * MIB), after: Some(760 * MIB), ..MemoryChange::default() };
        full.flags.system_gc = true;
        let mut young = event(600.0, EventKind::Pause(PauseKind::Young), "Pause Young", 0.0123, (5000, 900, 8192));
        young.cause = Some("G1 Evacuation Pause".to_string());
        let remark = event(900.0, EventKind::Pause(PauseKind::Remark), "Pause Remark", 0.0041, (3000, 2900, 8192));
        let jvm = JvmInstance {
            files: vec!["/var/log/flink/taskmanager,1/gc.log".to_string()],
            format: Some(LogFormat::Unified),
            facts: JvmFacts {
                version: Some("17.0.15+6".to_string()),
                collector: Collector::G1,
                region_size: Some(4 * MIB),
                heap_max: Some(8192 * MIB),
                heap_initial: Some(8192 * MIB),
                start_seen: true,
                ..JvmFacts::default()
            },
            events: vec![young, remark, full],
            first_seen: Timestamp { uptime: Some(0.0), wall_ms: Some(1_795_574_156_000) },
            last_seen: Timestamp { uptime: Some(45_000.0), wall_ms: Some(1_795_619_156_000) },
            stats: ParseStats {
                lines: 12_000,
                recognized: 11_990,
                ignored: 0,
                unrecognized: 10,
                ..ParseStats::default()
            },
            ..JvmInstance::default()
        };
        let summary = Summary {
            run_hours: Some(12.5),
            window_from: Some(0.0),
            window_to: Some(45_000.0),
            window_partial: false,
            young_size: Some(4915 * MIB + MIB / 5),
            young_use_pct: Some(98.456),
            old_size: Some(6000 * MIB),
            old_use_pct: Some(73.26),
            young_count: 1234,
            young_pause_mean: Some(0.012_345_6),
            young_pause_max: Some(0.0456),
            young_pause_total: 15.234,
            other_stw_count: 12,
            other_stw_total: 0.05,
            full_count: 1,
            full_pause_total: 0.8123,
            full_pause_max: Some(0.8123),
            concurrent_cycles: 6,
            pause_total: 16.1,
            throughput_pct: Some(99.964_22),
            avg_promotion: Some(1_258_291),
            promotion_samples: 1200,
            promotion_excluded: 3,
            ..Summary::default()
        };
        let live_set = LiveSet {
            bytes: Some(768 * MIB),
            basis: LiveSetBasis::FullGc,
            confidence: Confidence::High,
            samples: 2,
            min: Some(760 * MIB),
            max: Some(776 * MIB),
            last: Some(760 * MIB),
            metaspace_after_full: Some(96 * MIB),
            explanation: "Mean old-gen occupancy after 2 Full GCs past warm-up.".to_string(),
        };
        let recommendation = HeapRecommendation {
            heap: ByteRange { low: 2304 * MIB, high: 3072 * MIB },
            heap_value: 3072 * MIB,
            young: Some(ByteRange { low: 768 * MIB, high: 1152 * MIB }),
            young_value: Some(1152 * MIB),
            old: Some(ByteRange { low: 1536 * MIB, high: 2304 * MIB }),
            old_value: Some(1920 * MIB),
            metaspace: Some(ByteRange { low: 115 * MIB, high: 144 * MIB }),
            explanation: "Hunt: heap 3-4 × M, young 1-1.5 × M, old 2-3 × M.".to_string(),
        };
        let verdict = Verdict {
            kind: VerdictKind::OverProvisioned,
            configured_heap: 8192 * MIB,
            configured_from_user: false,
            ratio: 8192.0 / 3072.0,
            delta: 5120 * MIB as i64,
            explanation: "8,192 MiB is above 1.5 × the upper end of the range.".to_string(),
        };
        InstanceReport {
            log: "/var/log/flink/taskmanager,1/gc.log".to_string(),
            instance: 1,
            jvm,
            analysis: Analysis { summary, live_set, recommendation: Some(recommendation), verdict: Some(verdict) },
        }
    }

    /// A non-generational ZGC instance without Full GCs, no verdict, a partial window, and a
    /// hostile log name.
    pub fn zgc_report() -> InstanceReport {
        let cycle = event(120.5, EventKind::Cycle, "Garbage Collection", 0.25, (2000, 600, 4096));
        let pause = event(120.5, EventKind::Pause(PauseKind::Other), "Pause Mark Start", 0.000_021, (2000, 2000, 4096));
        let jvm = JvmInstance {
            files: vec!["/logs/\"quoted\" <b>x</b>.log".to_string()],
            format: Some(LogFormat::Unified),
            facts: JvmFacts { version: Some("17.0.2+8".to_string()), collector: Collector::Zgc, ..JvmFacts::default() },
            events: vec![cycle, pause],
            first_seen: Timestamp { uptime: Some(100.0), wall_ms: None },
            last_seen: Timestamp { uptime: Some(460.0), wall_ms: None },
            stats: ParseStats { lines: 500, recognized: 500, ..ParseStats::default() },
            ..JvmInstance::default()
        };
        let summary = Summary {
            run_hours: Some(0.1),
            window_from: Some(100.0),
            window_to: Some(460.0),
            window_partial: true,
            young_count: 0,
            other_stw_count: 3,
            other_stw_total: 0.000_063,
            pause_total: 0.000_063,
            concurrent_cycles: 1,
            throughput_pct: Some(99.999_98),
            ..Summary::default()
        };
        let live_set = LiveSet {
            bytes: Some(600 * MIB),
            basis: LiveSetBasis::CollectorMeasured,
            confidence: Confidence::Medium,
            samples: 1,
            min: Some(600 * MIB),
            max: Some(600 * MIB),
            last: Some(600 * MIB),
            metaspace_after_full: None,
            explanation: "ZGC Live: at mark end.".to_string(),
        };
        let recommendation = HeapRecommendation {
            heap: ByteRange { low: 1800 * MIB, high: 2400 * MIB },
            heap_value: 2400 * MIB,
            young: None,
            young_value: None,
            old: None,
            old_value: None,
            metaspace: None,
            explanation: String::new(),
        };
        InstanceReport {
            log: "/logs/\"quoted\" <b>x</b>.log".to_string(),
            instance: 2,
            jvm,
            analysis: Analysis { summary, live_set, recommendation: Some(recommendation), verdict: None },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_carry_their_noun() {
        assert_eq!(counted(1, "sample"), "1 sample");
        assert_eq!(counted(0, "sample"), "0 samples");
        assert_eq!(counted(4_638, "young GC"), "4,638 young GCs");
    }

    #[test]
    fn groups_thousands_in_integers_and_decimals() {
        assert_eq!(group_thousands("0"), "0");
        assert_eq!(group_thousands("999"), "999");
        assert_eq!(group_thousands("1000"), "1,000");
        assert_eq!(group_thousands("-1234567.89"), "-1,234,567.89");
    }

    #[test]
    fn sizes_and_durations_read_naturally() {
        assert_eq!(human_mib(400 * 1024), "0.39 MiB");
        assert_eq!(human_mib(812 * 1024 * 1024 + 400 * 1024), "812.4 MiB");
        assert_eq!(human_mib(8192 * 1024 * 1024), "8,192 MiB");
        assert_eq!(human_duration(0.000_42), "0.420 ms");
        assert_eq!(human_duration(0.0123), "12.3 ms");
        assert_eq!(human_duration(1.244), "1.24 s");
        assert_eq!(human_duration(11_520.0), "3.20 h");
        assert_eq!(human_duration(f64::NAN), "–");
        assert_eq!(human_duration(0.0), "0 s");
    }

    #[test]
    fn wall_clock_is_iso_utc() {
        assert_eq!(format_wall_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_wall_ms(1_795_574_156_123), "2026-11-25T02:35:56.123Z");
        assert_eq!(format_wall_ms(-1), "1969-12-31T23:59:59.999Z");
        // Extremes must not panic.
        let _ = format_wall_ms(i64::MIN);
        let _ = format_wall_ms(i64::MAX);
    }

    #[test]
    fn verdict_sentence_says_by_how_much() {
        let report = testdata::g1_report();
        let analysis = &report.analysis;
        let verdict = analysis.verdict.as_ref().expect("fixture has a verdict");
        let sentence = verdict_sentence(verdict, analysis.recommendation.as_ref());
        assert_eq!(
            sentence,
            "Over-provisioned by 5,120 MiB: the configured heap of 8,192 MiB (from the log) is 2.7× \
             the recommended 3,072 MiB."
        );
    }
}
