//! Every tunable of the GC analysis in one place, with its default and the reason for it.

use serde::Serialize;

/// Which statistic over the steady-state samples becomes M.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum LiveSetStatistic {
    /// Hunt's rule: the mean over several Full GCs.
    #[default]
    Mean,
    /// The conservative reading some vendor guides use.
    Max,
}

/// The heap the JVM was given, and where that number came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ConfiguredHeap {
    pub bytes: u64,
    /// `true` when given on the command line (`--configured-heap`), `false` when read from the log.
    pub from_user: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct GcOptions {
    /// Heap = [low, high] × M. Default 3-4 (Hunt, *Java Performance*, Table 7-3).
    pub heap_factor: (f64, f64),
    /// Young generation = [low, high] × M. Default 1-1.5.
    pub young_factor: (f64, f64),
    /// Old generation = [low, high] × M. Default 2-3.
    pub old_factor: (f64, f64),
    /// Metaspace = [low, high] × metaspace used after Full GC. Default 1.2-1.5.
    pub metaspace_factor: (f64, f64),
    /// A configured heap above `heap_factor.1 × M × over_provision_factor` is over-provisioned.
    /// Default 1.5: half again above the generous end of Hunt's range.
    pub over_provision_factor: f64,
    /// Samples of M taken in the first seconds after JVM start are skipped (warm-up), unless no
    /// later sample exists. Default 300 s.
    pub warmup_seconds: f64,
    pub live_set_statistic: LiveSetStatistic,
    /// GC throughput below this percentage means the heap is too small for its allocation rate.
    /// Default 95 %.
    pub min_throughput_pct: f64,
    /// Overrides what the log says about the configured heap.
    pub configured_heap: Option<ConfiguredHeap>,
}

impl Default for GcOptions {
    fn default() -> Self {
        GcOptions {
            heap_factor: (3.0, 4.0),
            young_factor: (1.0, 1.5),
            old_factor: (2.0, 3.0),
            metaspace_factor: (1.2, 1.5),
            over_provision_factor: 1.5,
            warmup_seconds: 300.0,
            live_set_statistic: LiveSetStatistic::Mean,
            min_throughput_pct: 95.0,
            configured_heap: None,
        }
    }
}
