//! The per-instance summary fields (RunHours, YGCount, Throughput, ...), defined in
//! `docs/gc-fields.md`.

use serde::Serialize;

use super::GcOptions;
use crate::gc::model::JvmInstance;

/// All sizes in bytes, times in seconds; `None` where a field does not apply or the log does not
/// tell (never a made-up 0).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Covered window in hours (RunHours).
    pub run_hours: Option<f64>,
    /// Window bounds in uptime seconds.
    pub window_from: Option<f64>,
    pub window_to: Option<f64>,
    /// The window does not start at JVM start (the start lines were not in the files seen).
    pub window_partial: bool,
    /// YGSize: max young generation capacity.
    pub young_size: Option<u64>,
    /// YGUsePC.
    pub young_use_pct: Option<f64>,
    /// OGSize: max old generation capacity.
    pub old_size: Option<u64>,
    /// OGUsePC.
    pub old_use_pct: Option<f64>,
    /// YGCount: young-generation collections (young + mixed).
    pub young_count: u64,
    /// YGPerTime: mean young pause.
    pub young_pause_mean: Option<f64>,
    pub young_pause_max: Option<f64>,
    pub young_pause_total: f64,
    /// Stop-the-world pauses that are neither young nor full (remark, cleanup, ...).
    pub other_stw_count: u64,
    pub other_stw_total: f64,
    /// FGCount / FGAllTime.
    pub full_count: u64,
    pub full_pause_total: f64,
    pub full_pause_max: Option<f64>,
    /// Shenandoah degenerated GCs.
    pub degenerated_count: u64,
    /// ZGC/Shenandoah allocation and relocation stalls (per thread, not STW).
    pub stall_count: u64,
    pub stall_total: f64,
    pub concurrent_cycles: u64,
    /// Union of all STW GC pause intervals.
    pub pause_total: f64,
    /// Throughput: % of the window not in STW GC pauses.
    pub throughput_pct: Option<f64>,
    /// Application stopped time from safepoint lines, when the log has them.
    pub stopped_total: Option<f64>,
    /// AvgPromotion: mean bytes promoted per young collection.
    pub avg_promotion: Option<u64>,
    pub promotion_samples: u64,
    /// Young collections left out of AvgPromotion (promotion failure, to-space exhaustion, nested Full GC).
    pub promotion_excluded: u64,
}

pub fn summarize(_instance: &JvmInstance, _options: &GcOptions) -> Summary {
    Summary::default()
}
