//! Heap sizing from the live set (Hunt: heap 3-4 × M, young 1-1.5 × M, old 2-3 × M) and the
//! verdict against the configured heap.

use serde::Serialize;

use super::{GcOptions, LiveSet, Summary};
use crate::gc::model::JvmInstance;

/// An inclusive range of sizes in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ByteRange {
    pub low: u64,
    pub high: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeapRecommendation {
    /// RecHeap range and the single value recommended (`value`).
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
    /// Bytes that could be given back (over-provisioned) or should be added (too small).
    pub delta: i64,
    pub explanation: String,
}

pub fn recommend(_instance: &JvmInstance, _live_set: &LiveSet, _options: &GcOptions) -> Option<HeapRecommendation> {
    None
}

pub fn judge(
    _instance: &JvmInstance,
    _recommendation: &HeapRecommendation,
    _summary: &Summary,
    _options: &GcOptions,
) -> Option<Verdict> {
    None
}
