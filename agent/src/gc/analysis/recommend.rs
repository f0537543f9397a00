//! Heap sizing from the live set (Hunt: heap 3-4 × M, young 1-1.5 × M, old 2-3 × M) and the
//! verdict against the configured heap.
//!
//! The verdict never claims more than M supports. Every M short of high confidence is an upper
//! bound of the live set (see `live_set`): it can only understate how far a heap is
//! over-provisioned, so it may support "over-provisioned" (worded "at least") but not "too small".
//! An M read only during warm-up can understate the steady-state live set, so it may support "too
//! small" but not "over-provisioned". A verdict the evidence cannot support is left out.

use serde::Serialize;

use super::live_set::{mib_text, Provenance};
use super::{Confidence, GcOptions, LiveSet, LiveSetBasis, Summary};
use crate::gc::model::{Collector, JvmInstance};

/// An inclusive range of sizes in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ByteRange {
    pub low: u64,
    pub high: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeapRecommendation {
    /// RecHeap range and the single value recommended (`heap_value`). Every single value is its
    /// range's upper end rounded up to whole MiB: the safe end, since M is a mean (or a bound)
    /// and a heap a little too large costs memory, one too small costs Full GCs or OOM.
    pub heap: ByteRange,
    pub heap_value: u64,
    /// RecNewHeap; `None` for single-generation collectors.
    pub young: Option<ByteRange>,
    pub young_value: Option<u64>,
    /// RecOldHeap; `None` for single-generation collectors.
    pub old: Option<ByteRange>,
    pub old_value: Option<u64>,
    pub metaspace: Option<ByteRange>,
    /// How the numbers were derived, for the reader.
    pub explanation: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum VerdictKind {
    /// Configured heap above the recommendation by more than the configured factor.
    OverProvisioned,
    RightSized,
    /// Configured heap below the recommendation, or GC throughput below the threshold.
    TooSmall,
    /// The configured heap is known, but M's evidence cannot carry a verdict either way (an
    /// upper-bound M below the configured heap, or M from warm-up only above it).
    Inconclusive,
}

#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub kind: VerdictKind,
    /// The configured heap compared against.
    pub configured_heap: u64,
    /// `true` when the configured heap came from the user, `false` when read from the log.
    pub configured_from_user: bool,
    /// Configured heap / recommended value.
    pub ratio: f64,
    /// Bytes that could be given back (over-provisioned: configured − recommended) or should be
    /// added (too small: recommended − configured), so positive for both; 0 when right-sized or
    /// when the heap is too small for its GC throughput while at least the recommended size.
    pub delta: i64,
    pub explanation: String,
}

const MIB: u64 = 1024 * 1024;

/// Hunt's ranges scaled from M. `None` without M (or with M = 0, which scales to nothing).
pub fn recommend(instance: &JvmInstance, live_set: &LiveSet, options: &GcOptions) -> Option<HeapRecommendation> {
    let m = live_set.bytes.filter(|&m| m > 0)?;
    let collector = instance.facts.collector;
    let generational = !collector.is_single_generation();
    let heap = scale(m, options.heap_factor);
    let young = generational.then(|| scale(m, options.young_factor));
    let old = generational.then(|| scale(m, options.old_factor));
    let metaspace = live_set.metaspace_after_full.filter(|&b| b > 0).map(|b| scale(b, options.metaspace_factor));

    let mut explanation = format!(
        "M = {} ({}, {} sample{}, confidence {}); heap {} × M = {}",
        mib_text(m),
        basis_phrase(live_set.basis),
        live_set.samples,
        if live_set.samples == 1 { "" } else { "s" },
        live_set.confidence.label(),
        factors(options.heap_factor),
        range_text(&heap),
    );
    for (name, range, factor) in [("young", young, options.young_factor), ("old", old, options.old_factor)] {
        if let Some(range) = range {
            explanation.push_str(&format!("; {name} {} × M = {}", factors(factor), range_text(&range)));
        }
    }
    if let (Some(range), Some(used)) = (metaspace, live_set.metaspace_after_full) {
        explanation.push_str(&format!(
            "; metaspace {} × {} used after Full GC = {}",
            factors(options.metaspace_factor),
            mib_text(used),
            range_text(&range)
        ));
    }
    let heap_value = round_up_to_mib(heap.high);
    let mut values = format!("heap {}", mib_text(heap_value));
    for (name, range) in [("young", young), ("old", old)] {
        if let Some(range) = range {
            values.push_str(&format!(", {name} {}", mib_text(round_up_to_mib(range.high))));
        }
    }
    explanation.push_str(&format!(
        ". Recommended: {values}, each the range's upper end rounded up to whole MiB, the safe end: a heap a \
         little too large costs memory, one too small costs Full GCs."
    ));
    if collector == Collector::G1 {
        explanation.push_str(
            " For G1 the young size is advisory: fixing it (-Xmn, NewRatio) disables G1's pause-time goal; \
             steer it with G1NewSizePercent/G1MaxNewSizePercent instead.",
        );
    }
    if live_set.confidence <= Confidence::Low {
        explanation.push_str(" M is an upper bound of the live set, so these ranges are too.");
    }

    Some(HeapRecommendation {
        heap,
        heap_value,
        young,
        young_value: young.map(|r| round_up_to_mib(r.high)),
        old,
        old_value: old.map(|r| round_up_to_mib(r.high)),
        metaspace,
        explanation,
    })
}

/// `bytes × [low, high]`, tolerating factors given in the wrong order or below zero.
fn scale(bytes: u64, (a, b): (f64, f64)) -> ByteRange {
    let times = |factor: f64| {
        let value = (bytes as f64 * factor.max(0.0)).round();
        // `as` saturates for values beyond u64, and NaN factors become 0.
        value as u64
    };
    let (low, high) = (times(a), times(b));
    ByteRange { low: low.min(high), high: low.max(high) }
}

fn round_up_to_mib(bytes: u64) -> u64 {
    bytes.div_ceil(MIB).saturating_mul(MIB)
}

fn factors((low, high): (f64, f64)) -> String {
    format!("{}-{}", low.min(high), low.max(high))
}

/// `1236-1648 MiB`, both ends with the precision the upper end needs.
fn range_text(range: &ByteRange) -> String {
    let (low, high) = (range.low as f64 / MIB as f64, range.high as f64 / MIB as f64);
    let decimals = if high >= 100.0 {
        0
    } else if high >= 10.0 {
        1
    } else {
        2
    };
    // The upper end rounds up, like the single value taken from it.
    let scale = 10f64.powi(decimals as i32);
    let high = (high * scale).ceil() / scale;
    format!("{low:.decimals$}-{high:.decimals$} MiB")
}

fn basis_phrase(basis: LiveSetBasis) -> &'static str {
    match basis {
        LiveSetBasis::FullGc => "after Full GC",
        LiveSetBasis::ConcurrentCycle => "after concurrent cycles",
        LiveSetBasis::CollectorMeasured => "measured by the collector",
        LiveSetBasis::MaxOccupancy => "highest old occupancy, an upper bound",
        LiveSetBasis::None => "no basis",
    }
}

/// The configured heap against the recommendation. `None` when the configured heap is unknown or
/// the evidence supports no verdict (see the module documentation).
pub fn judge(
    instance: &JvmInstance,
    live_set: &LiveSet,
    provenance: Provenance,
    recommendation: &HeapRecommendation,
    summary: &Summary,
    options: &GcOptions,
) -> Option<Verdict> {
    let (configured, from_user) = match options.configured_heap {
        Some(heap) => (heap.bytes, heap.from_user),
        None => (instance.facts.heap_max?, false),
    };
    let recommended = recommendation.heap_value;
    if recommended == 0 {
        return None;
    }
    let range = recommendation.heap;
    let over_limit = range.high as f64 * options.over_provision_factor;
    let ratio = configured as f64 / recommended as f64;
    let signed = |bytes: u64| i64::try_from(bytes).unwrap_or(i64::MAX);
    let source = if from_user { "as given" } else { "from the log" };
    let configured_text = format!("The configured heap of {} ({source})", mib_text(configured));
    let against = format!("{ratio:.2} × the recommended {} (range {})", mib_text(recommended), range_text(&range));
    let measured_exactly = live_set.confidence == Confidence::High
        && matches!(live_set.basis, LiveSetBasis::FullGc | LiveSetBasis::CollectorMeasured);

    // GC throughput counts only over a window longer than warm-up: start-up GCs are not the job.
    let window = summary.run_hours.map(|h| h * 3600.0);
    let low_throughput = summary.throughput_pct.filter(|&t| t < options.min_throughput_pct);
    let throughput_evidence = low_throughput.zip(window).filter(|&(_, w)| w >= options.warmup_seconds);
    let mut notes = Vec::new();
    if let (Some(pct), None) = (low_throughput, throughput_evidence) {
        notes.push(format!(
            "GC throughput of {pct:.2} % is below {} %, but the window is shorter than the {} s warm-up, so it \
             is not taken as evidence.",
            options.min_throughput_pct, options.warmup_seconds
        ));
    }
    if live_set.confidence <= Confidence::Low && throughput_evidence.is_none() {
        notes.push(format!(
            "M's confidence is {} (an upper bound of the live set), so the heap may be more over-provisioned \
             than shown.",
            live_set.confidence.label()
        ));
    }

    let (kind, delta, mut explanation) = if let Some((pct, window)) = throughput_evidence {
        let delta = recommended.saturating_sub(configured);
        let add = if delta > 0 {
            format!(" Add {} to reach the recommended value.", mib_text(delta))
        } else {
            " It is at least the size the live set needs, so the allocation rate is what costs: a larger young \
             generation means fewer young collections."
                .to_string()
        };
        let text = format!(
            "GC throughput was {pct:.2} % over {:.2} h, below the {} % threshold: pauses take too much of the \
             run. {configured_text} is {against}.{add}",
            window / 3600.0,
            options.min_throughput_pct,
        );
        (VerdictKind::TooSmall, delta, text)
    } else if configured as f64 > over_limit {
        if provenance.warmup_only {
            // M from start-up only can understate the live set: no over-provisioning claim.
            let text = format!(
                "{configured_text} is {against}, which would be over-provisioned, but every live-set sample \
                 falls in the first {} s after JVM start: the steady-state live set may be larger. Analyse a \
                 log covering a longer run.",
                options.warmup_seconds
            );
            return Some(inconclusive(configured, from_user, ratio, text));
        }
        let delta = configured.saturating_sub(recommended);
        let amount = if measured_exactly { "about" } else { "at least" };
        let text = format!(
            "{configured_text} is {against}, above {} × its upper end ({}): {amount} {} could be given back.",
            options.over_provision_factor,
            mib_text(over_limit as u64),
            mib_text(delta),
        );
        (VerdictKind::OverProvisioned, delta, text)
    } else if configured < range.low {
        if live_set.confidence < Confidence::Medium {
            // An upper-bound M can overstate the need: no too-small claim on size.
            let text = format!(
                "{configured_text} is {against}, below its lower end, but M is only an upper bound of the live \
                 set (confidence {}), so this is no evidence the heap is too small. A log with Full GCs gives an \
                 exact live set.",
                live_set.confidence.label()
            );
            return Some(inconclusive(configured, from_user, ratio, text));
        }
        let delta = recommended - configured.min(recommended);
        let text = format!(
            "{configured_text} is {against}, below its lower end: add {} to reach the recommended value.",
            mib_text(delta)
        );
        (VerdictKind::TooSmall, delta, text)
    } else {
        let text = format!(
            "{configured_text} is {against}, within the range or at most {} × its upper end ({}).",
            options.over_provision_factor,
            mib_text(over_limit as u64),
        );
        (VerdictKind::RightSized, 0, text)
    };
    if provenance.warmup_only {
        notes.push("M rests on warm-up samples only; the steady-state live set may be larger.".to_string());
    }
    for note in notes {
        explanation.push(' ');
        explanation.push_str(&note);
    }
    Some(Verdict {
        kind,
        configured_heap: configured,
        configured_from_user: from_user,
        ratio,
        delta: signed(delta),
        explanation,
    })
}

fn inconclusive(configured: u64, from_user: bool, ratio: f64, explanation: String) -> Verdict {
    Verdict {
        kind: VerdictKind::Inconclusive,
        configured_heap: configured,
        configured_from_user: from_user,
        ratio,
        delta: 0,
        explanation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gc::analysis::live_set::{estimate_with_provenance, LiveSet};
    use crate::gc::analysis::summary::tests::{serial_factorization, K};
    use crate::gc::analysis::{ConfiguredHeap, LiveSetBasis};
    use crate::gc::model::{Collector, JvmInstance};

    fn live_set(bytes: u64, basis: LiveSetBasis, confidence: Confidence) -> LiveSet {
        LiveSet {
            bytes: Some(bytes),
            basis,
            confidence,
            samples: 6,
            min: Some(bytes),
            max: Some(bytes),
            last: Some(bytes),
            metaspace_after_full: None,
            explanation: String::new(),
        }
    }

    fn instance_of(collector: Collector, heap_max: Option<u64>) -> JvmInstance {
        let mut instance = JvmInstance::default();
        instance.facts.collector = collector;
        instance.facts.heap_max = heap_max;
        instance
    }

    /// A summary of a long steady run: throughput evidence counts.
    fn hours_of_run(throughput_pct: f64) -> Summary {
        Summary { run_hours: Some(2.0), throughput_pct: Some(throughput_pct), ..Summary::default() }
    }

    fn judge_with(configured_mib: u64, live: &LiveSet, provenance: Provenance, summary: &Summary) -> Option<Verdict> {
        let instance = instance_of(Collector::Parallel, Some(configured_mib * MIB));
        let options = GcOptions::default();
        let recommendation = recommend(&instance, live, &options).expect("M known");
        judge(&instance, live, provenance, &recommendation, summary, &options)
    }

    #[test]
    fn ranges_scale_m_and_single_values_are_the_upper_end_in_whole_mib() {
        let live = live_set(412 * MIB, LiveSetBasis::FullGc, Confidence::High);
        let rec = recommend(&instance_of(Collector::Parallel, None), &live, &GcOptions::default()).expect("M");
        assert_eq!(rec.heap, ByteRange { low: 1236 * MIB, high: 1648 * MIB });
        assert_eq!(rec.heap_value, 1648 * MIB);
        assert_eq!(rec.young, Some(ByteRange { low: 412 * MIB, high: 618 * MIB }));
        assert_eq!(rec.old_value, Some(1236 * MIB));
        assert_eq!(rec.metaspace, None);
        assert!(rec.explanation.contains("M = 412 MiB"), "{}", rec.explanation);
        assert!(rec.explanation.contains("heap 3-4 × M = 1236-1648 MiB"), "{}", rec.explanation);
    }

    #[test]
    fn serial_factorization_recommendation_rounds_up_and_sizes_metaspace() {
        let instance = serial_factorization();
        let options = GcOptions::default();
        let (live, _) = estimate_with_provenance(&instance, &options);
        let rec = recommend(&instance, &live, &options).expect("M known");
        // M = 2084.25 K: heap 6252.75-8337 K, recommended 9 MiB.
        assert_eq!(rec.heap, ByteRange { low: 6_402_816, high: 8337 * K });
        assert_eq!((rec.heap_value, rec.young_value, rec.old_value), (9 * MIB, Some(4 * MIB), Some(7 * MIB)));
        // Metaspace 1.2-1.5 × 357.5 K.
        assert_eq!(rec.metaspace, Some(ByteRange { low: 439_296, high: 549_120 }));
        assert!(rec.explanation.contains("metaspace 1.2-1.5 ×"), "{}", rec.explanation);
    }

    #[test]
    fn single_generation_collectors_get_no_young_or_old_and_g1_gets_a_note() {
        let live = live_set(600 * MIB, LiveSetBasis::CollectorMeasured, Confidence::High);
        let zgc = recommend(&instance_of(Collector::Zgc, None), &live, &GcOptions::default()).expect("M");
        assert_eq!((zgc.young, zgc.young_value, zgc.old, zgc.old_value), (None, None, None, None));
        assert_eq!(zgc.heap_value, 2400 * MIB);
        let g1 = recommend(&instance_of(Collector::G1, None), &live, &GcOptions::default()).expect("M");
        assert!(g1.young.is_some());
        assert!(g1.explanation.contains("pause-time goal"), "{}", g1.explanation);
    }

    #[test]
    fn no_m_means_no_recommendation() {
        let mut live = live_set(0, LiveSetBasis::FullGc, Confidence::High);
        assert!(recommend(&instance_of(Collector::Serial, None), &live, &GcOptions::default()).is_none());
        live.bytes = None;
        assert!(recommend(&instance_of(Collector::Serial, None), &live, &GcOptions::default()).is_none());
    }

    #[test]
    fn serial_factorization_2_gib_heap_is_over_provisioned_once_past_warm_up() {
        let instance = serial_factorization();
        let summary = super::super::summary::summarize(&instance, &GcOptions::default());
        let judge_for = |options: &GcOptions| {
            let (live, provenance) = estimate_with_provenance(&instance, options);
            let rec = recommend(&instance, &live, options).expect("M known");
            judge(&instance, &live, provenance, &rec, &summary, options)
        };
        // Every Full GC ran in the first 300 s: M may understate the steady state, no claim.
        assert_eq!(judge_for(&GcOptions::default()).map(|v| v.kind), Some(VerdictKind::Inconclusive));

        let verdict = judge_for(&GcOptions { warmup_seconds: 100.0, ..GcOptions::default() }).expect("verdict");
        assert_eq!(verdict.kind, VerdictKind::OverProvisioned);
        assert!(!verdict.configured_from_user);
        assert_eq!(verdict.delta, (2048 - 9) * MIB as i64);
        assert!((verdict.ratio - 2048.0 / 9.0).abs() < 1e-9);
        assert!(verdict.explanation.contains("about"), "{}", verdict.explanation);
    }

    #[test]
    fn configured_heap_from_the_options_overrides_the_log() {
        let instance = instance_of(Collector::Parallel, Some(8192 * MIB));
        let live = live_set(412 * MIB, LiveSetBasis::FullGc, Confidence::High);
        let options = GcOptions {
            configured_heap: Some(ConfiguredHeap { bytes: 1500 * MIB, from_user: true }),
            ..GcOptions::default()
        };
        let rec = recommend(&instance, &live, &options).expect("M");
        let verdict =
            judge(&instance, &live, Provenance::default(), &rec, &hours_of_run(99.0), &options).expect("verdict");
        assert_eq!((verdict.kind, verdict.delta, verdict.configured_from_user), (VerdictKind::RightSized, 0, true));
        assert_eq!(verdict.configured_heap, 1500 * MIB);
    }

    #[test]
    fn no_configured_heap_means_no_verdict() {
        let instance = instance_of(Collector::Parallel, None);
        let live = live_set(412 * MIB, LiveSetBasis::FullGc, Confidence::High);
        let rec = recommend(&instance, &live, &GcOptions::default()).expect("M");
        assert!(
            judge(&instance, &live, Provenance::default(), &rec, &hours_of_run(99.0), &GcOptions::default()).is_none()
        );
    }

    #[test]
    fn verdict_bands_follow_the_range_and_the_over_provision_factor() {
        let exact = live_set(412 * MIB, LiveSetBasis::FullGc, Confidence::High);
        let steady = Provenance::default();
        let run = hours_of_run(99.0);
        // Upper end 1648 MiB × 1.5 = 2472 MiB.
        let kind = |mib| judge_with(mib, &exact, steady, &run).map(|v| v.kind);
        assert_eq!(kind(2472), Some(VerdictKind::RightSized));
        assert_eq!(kind(2473), Some(VerdictKind::OverProvisioned));
        assert_eq!(kind(1236), Some(VerdictKind::RightSized));
        let too_small = judge_with(1000, &exact, steady, &run).expect("verdict");
        assert_eq!((too_small.kind, too_small.delta), (VerdictKind::TooSmall, 648 * MIB as i64));
    }

    #[test]
    fn an_upper_bound_m_supports_over_provisioned_as_a_floor_but_never_too_small() {
        let bound = live_set(412 * MIB, LiveSetBasis::MaxOccupancy, Confidence::None);
        let run = hours_of_run(99.0);
        let over = judge_with(8192, &bound, Provenance::default(), &run).expect("verdict");
        assert_eq!(over.kind, VerdictKind::OverProvisioned);
        assert!(over.explanation.contains("at least"), "{}", over.explanation);
        let inconclusive = judge_with(1000, &bound, Provenance::default(), &run).expect("heap known");
        assert_eq!(inconclusive.kind, VerdictKind::Inconclusive);
        assert!(inconclusive.explanation.contains("upper bound"), "{}", inconclusive.explanation);
        // A warm-up-only M cannot show over-provisioning.
        let exact = live_set(412 * MIB, LiveSetBasis::FullGc, Confidence::High);
        let warmup = judge_with(8192, &exact, Provenance { warmup_only: true }, &run).expect("heap known");
        assert_eq!(warmup.kind, VerdictKind::Inconclusive);
        assert!(warmup.explanation.contains("steady-state"), "{}", warmup.explanation);
    }

    #[test]
    fn low_throughput_over_a_long_window_means_too_small_whatever_the_size() {
        let exact = live_set(412 * MIB, LiveSetBasis::FullGc, Confidence::High);
        let verdict = judge_with(8192, &exact, Provenance::default(), &hours_of_run(90.0)).expect("verdict");
        assert_eq!((verdict.kind, verdict.delta), (VerdictKind::TooSmall, 0));
        assert!(verdict.explanation.contains("90.00 %"), "{}", verdict.explanation);

        // The same throughput over 21 s is start-up, not evidence (parallelgc.log: 72.41 %).
        let short = Summary { run_hours: Some(21.258 / 3600.0), throughput_pct: Some(72.41), ..Summary::default() };
        let verdict = judge_with(8192, &exact, Provenance::default(), &short).expect("verdict");
        assert_eq!(verdict.kind, VerdictKind::OverProvisioned);
        assert!(verdict.explanation.contains("not taken as evidence"), "{}", verdict.explanation);
    }
}
