//! The sidecar's `/metrics`: per JVM instance the exact totals, the summary fields and the
//! recommendation with its verdict; and the sidecar's own health (follower, spool, pushes).
//!
//! Labels on every JVM sample: `log` (the rotation set, e.g. `gc.log`) and `instance` (the JVM
//! run's 1-based number within that log). Names carry their unit (`_bytes`, `_seconds`, `_pct`).

use crate::gc::analysis::{Analysis, VerdictKind};
use crate::http::prometheus::{Exposition, Kind};
use crate::report::verdict_label;

use super::tracker::TrackedInstance;

type Value = fn(&TrackedInstance, &Analysis) -> Option<f64>;

/// `(name, kind, help, value)`: one family per row, a sample per instance that has a value.
const INSTANCE_FAMILIES: &[(&str, Kind, &str, Value)] = &[
    (
        "rightsize_gc_events_total",
        Kind::Counter,
        "GC events read since the JVM started: pauses, concurrent phases, cycles, stalls.",
        |i, _| Some(i.totals.events as f64),
    ),
    (
        "rightsize_gc_young_collections_total",
        Kind::Counter,
        "Young and mixed collections since the JVM started (the JVM's young collector bean counts the same).",
        |i, _| Some((i.totals.young_pauses + i.totals.mixed_pauses) as f64),
    ),
    ("rightsize_gc_full_collections_total", Kind::Counter, "Full collections since the JVM started.", |i, _| {
        Some(i.totals.full_pauses as f64)
    }),
    (
        "rightsize_gc_other_pauses_total",
        Kind::Counter,
        "Other stop-the-world GC pauses (remark, cleanup, ...) since the JVM started.",
        |i, _| Some(i.totals.other_pauses as f64),
    ),
    (
        "rightsize_gc_pause_seconds_total",
        Kind::Counter,
        "Time in stop-the-world GC pauses since the JVM started.",
        |i, _| Some(i.totals.pause_seconds),
    ),
    (
        "rightsize_gc_open",
        Kind::Gauge,
        "1 while the JVM may still write to its log, 0 once a later JVM took over.",
        |i, _| Some(if i.closed { 0.0 } else { 1.0 }),
    ),
    ("rightsize_gc_run_hours", Kind::Gauge, "RunHours: hours covered by the analysed events.", |_, a| {
        a.summary.run_hours
    }),
    ("rightsize_gc_young_size_bytes", Kind::Gauge, "YGSize: largest young generation capacity.", |_, a| {
        a.summary.young_size.map(|v| v as f64)
    }),
    ("rightsize_gc_young_use_pct", Kind::Gauge, "YGUsePC: young generation use before collection, percent.", |_, a| {
        a.summary.young_use_pct
    }),
    ("rightsize_gc_old_size_bytes", Kind::Gauge, "OGSize: largest old generation capacity.", |_, a| {
        a.summary.old_size.map(|v| v as f64)
    }),
    ("rightsize_gc_old_use_pct", Kind::Gauge, "OGUsePC: old generation use, percent.", |_, a| a.summary.old_use_pct),
    (
        "rightsize_gc_young_pause_mean_seconds",
        Kind::Gauge,
        "YGPerTime: mean young pause over the analysed events.",
        |_, a| a.summary.young_pause_mean,
    ),
    (
        "rightsize_gc_full_pause_seconds",
        Kind::Gauge,
        "FGAllTime: time in Full GCs over the analysed events.",
        |_, a| Some(a.summary.full_pause_total),
    ),
    (
        "rightsize_gc_throughput_pct",
        Kind::Gauge,
        "Throughput: percent of the analysed window not in GC pauses.",
        |_, a| a.summary.throughput_pct,
    ),
    (
        "rightsize_gc_avg_promotion_bytes",
        Kind::Gauge,
        "AvgPromotion: mean bytes promoted per young collection.",
        |_, a| a.summary.avg_promotion.map(|v| v as f64),
    ),
    ("rightsize_gc_live_set_bytes", Kind::Gauge, "The live-set estimate M.", |_, a| a.live_set.bytes.map(|v| v as f64)),
    (
        "rightsize_gc_recommended_heap_bytes",
        Kind::Gauge,
        "Recommended heap (the upper end of the range, whole MiB).",
        |_, a| a.recommendation.as_ref().map(|r| r.heap_value as f64),
    ),
    ("rightsize_gc_recommended_young_bytes", Kind::Gauge, "Recommended young generation.", |_, a| {
        a.recommendation.as_ref().and_then(|r| r.young_value).map(|v| v as f64)
    }),
    ("rightsize_gc_recommended_old_bytes", Kind::Gauge, "Recommended old generation.", |_, a| {
        a.recommendation.as_ref().and_then(|r| r.old_value).map(|v| v as f64)
    }),
    ("rightsize_gc_configured_heap_bytes", Kind::Gauge, "The heap the verdict compares against.", |_, a| {
        a.verdict.as_ref().map(|v| v.configured_heap as f64)
    }),
    ("rightsize_gc_heap_ratio", Kind::Gauge, "Configured heap divided by the recommended heap.", |_, a| {
        a.verdict.as_ref().map(|v| v.ratio)
    }),
];

const VERDICTS: [VerdictKind; 4] =
    [VerdictKind::OverProvisioned, VerdictKind::RightSized, VerdictKind::TooSmall, VerdictKind::Inconclusive];

/// The JVM part of `/metrics`.
pub fn render_instances(instances: &[(&TrackedInstance, &Analysis)]) -> String {
    let mut exposition = Exposition::new();
    for (name, kind, help, value) in INSTANCE_FAMILIES {
        exposition.family(name, *kind, help);
        for (instance, analysis) in instances {
            if let Some(value) = value(instance, analysis) {
                let ordinal = instance.ordinal.to_string();
                exposition.sample(name, &[("log", &instance.log), ("instance", &ordinal)], value);
            }
        }
    }
    let name = "rightsize_gc_verdict";
    exposition.family(name, Kind::Gauge, "1 for the verdict on the configured heap, 0 for the others.");
    for (instance, analysis) in instances {
        let Some(verdict) = &analysis.verdict else { continue };
        let ordinal = instance.ordinal.to_string();
        for kind in VERDICTS {
            let labels = [("log", instance.log.as_str()), ("instance", &ordinal), ("verdict", verdict_label(kind))];
            exposition.sample(name, &labels, if kind == verdict.kind { 1.0 } else { 0.0 });
        }
    }
    exposition.finish()
}

/// The sidecar's own health.
#[derive(Debug, Clone, Default)]
pub struct Health {
    pub lines: u64,
    pub files: usize,
    pub polls: u64,
    pub poll_errors: u64,
    pub directory_missing: bool,
    pub push: Option<PushHealth>,
}

#[derive(Debug, Clone, Default)]
pub struct PushHealth {
    pub spooled: usize,
    pub spooled_bytes: u64,
    pub dropped: u64,
    pub delivered: u64,
    pub refused: u64,
    pub failed_attempts: u64,
}

pub fn render_health(health: &Health) -> String {
    let mut e = Exposition::new();
    e.family("rightsize_sidecar_lines_total", Kind::Counter, "Log lines read by this process.")
        .sample("rightsize_sidecar_lines_total", &[], health.lines as f64)
        .family("rightsize_sidecar_files", Kind::Gauge, "Log files followed.")
        .sample("rightsize_sidecar_files", &[], health.files as f64)
        .family("rightsize_sidecar_polls_total", Kind::Counter, "Polls of the log directory.")
        .sample("rightsize_sidecar_polls_total", &[], health.polls as f64)
        .family(
            "rightsize_sidecar_poll_errors_total",
            Kind::Counter,
            "Problems while polling (unreadable file, checkpoint not written).",
        )
        .sample("rightsize_sidecar_poll_errors_total", &[], health.poll_errors as f64)
        .family("rightsize_sidecar_directory_missing", Kind::Gauge, "1 while the log directory does not exist.")
        .sample("rightsize_sidecar_directory_missing", &[], if health.directory_missing { 1.0 } else { 0.0 });
    if let Some(push) = &health.push {
        e.family("rightsize_sidecar_spool_pushes", Kind::Gauge, "Pushes waiting in the spool.")
            .sample("rightsize_sidecar_spool_pushes", &[], push.spooled as f64)
            .family("rightsize_sidecar_spool_bytes", Kind::Gauge, "Bytes waiting in the spool.")
            .sample("rightsize_sidecar_spool_bytes", &[], push.spooled_bytes as f64)
            .family(
                "rightsize_sidecar_spool_dropped_total",
                Kind::Counter,
                "Pushes dropped because the spool was full (oldest first).",
            )
            .sample("rightsize_sidecar_spool_dropped_total", &[], push.dropped as f64)
            .family("rightsize_sidecar_pushes_total", Kind::Counter, "Pushes that left the spool, by outcome.")
            .sample("rightsize_sidecar_pushes_total", &[("result", "delivered")], push.delivered as f64)
            .sample("rightsize_sidecar_pushes_total", &[("result", "refused")], push.refused as f64)
            .family(
                "rightsize_sidecar_push_failures_total",
                Kind::Counter,
                "Push attempts that failed and are retried.",
            )
            .sample("rightsize_sidecar_push_failures_total", &[], push.failed_attempts as f64);
    }
    e.finish()
}
