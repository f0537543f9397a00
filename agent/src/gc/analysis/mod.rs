//! Analyses over one JVM instance: the summary fields, the live-set estimate M, and the heap
//! recommendation with its verdict. Pure functions of a [`JvmInstance`] and [`GcOptions`]:
//! no I/O here, so the CLI, the sidecar and the scanner share them.

pub mod live_set;
pub mod options;
pub mod recommend;
pub mod summary;

use serde::Serialize;

use crate::gc::model::JvmInstance;
pub use live_set::{Confidence, LiveSet, LiveSetBasis};
pub use options::{ConfiguredHeap, GcOptions, LiveSetStatistic};
pub use recommend::{ByteRange, HeapRecommendation, Verdict, VerdictKind};
pub use summary::Summary;

/// Everything the reports show for one JVM instance.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub summary: Summary,
    pub live_set: LiveSet,
    /// Absent when there is no basis for M at all.
    pub recommendation: Option<HeapRecommendation>,
    /// Absent when neither the options nor the log tell the configured heap, or when the evidence
    /// supports no verdict (see `recommend`).
    pub verdict: Option<Verdict>,
}

pub fn analyse(instance: &JvmInstance, options: &GcOptions) -> Analysis {
    analyse_retained(instance, instance, options)
}

/// The analysis of a JVM whose events are kept only in part, as a long-running follower must:
/// the summary over `recent` (a contiguous stretch of the latest events), the live set and what
/// follows from it over `samples` (`recent` plus older events that carry live-set evidence).
pub fn analyse_retained(recent: &JvmInstance, samples: &JvmInstance, options: &GcOptions) -> Analysis {
    let summary = summary::summarize(recent, options);
    let (live_set, provenance) = live_set::estimate_with_provenance(samples, options);
    let recommendation = recommend::recommend(samples, &live_set, options);
    let verdict = recommendation
        .as_ref()
        .and_then(|rec| recommend::judge(samples, &live_set, provenance, rec, &summary, options));
    Analysis { summary, live_set, recommendation, verdict }
}
