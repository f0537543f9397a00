//! The live-set estimate M: old-generation occupancy after Full GC where the log has one,
//! otherwise the best proxy the collector offers, always with its basis and a confidence.

use serde::Serialize;

use super::GcOptions;
use crate::gc::model::JvmInstance;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LiveSetBasis {
    /// Old generation used after Full GC (Hunt's definition).
    FullGc,
    /// After a concurrent cycle: G1 mixed phase end / cleanup, CMS sweep, Shenandoah cycle.
    ConcurrentCycle,
    /// The collector's own live-bytes measurement (ZGC `Live:`, G1 liveness summary).
    CollectorMeasured,
    /// Maximum old occupancy seen: an upper bound only.
    MaxOccupancy,
    /// Nothing in the log to estimate from.
    None,
}

impl LiveSetBasis {
    /// The word used in the CSV `MBasis` column.
    pub fn label(self) -> &'static str {
        match self {
            LiveSetBasis::FullGc => "full-gc",
            LiveSetBasis::ConcurrentCycle => "concurrent-cycle",
            LiveSetBasis::CollectorMeasured => "collector-measured",
            LiveSetBasis::MaxOccupancy => "max-occupancy",
            LiveSetBasis::None => "none",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Confidence {
    None,
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn label(self) -> &'static str {
        match self {
            Confidence::None => "none",
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LiveSet {
    /// M in bytes.
    pub bytes: Option<u64>,
    pub basis: LiveSetBasis,
    pub confidence: Confidence,
    /// Number of samples M was computed from, and their spread.
    pub samples: u64,
    pub min: Option<u64>,
    pub max: Option<u64>,
    pub last: Option<u64>,
    /// Metaspace used after Full GC, when printed.
    pub metaspace_after_full: Option<u64>,
    /// One sentence on where the number comes from and why to trust it this much.
    pub explanation: String,
}

pub fn estimate(_instance: &JvmInstance, _options: &GcOptions) -> LiveSet {
    LiveSet {
        bytes: None,
        basis: LiveSetBasis::None,
        confidence: Confidence::None,
        samples: 0,
        min: None,
        max: None,
        last: None,
        metaspace_after_full: None,
        explanation: String::new(),
    }
}
