//! Renderers for analysis results: terminal table, JSON, CSV and a self-contained HTML page.
//! Each takes the same [`InstanceReport`]s; none computes anything the analyses did not.

pub mod csv;
pub mod html;
pub mod json;
pub mod table;

use serde::Serialize;

use crate::gc::analysis::Analysis;
use crate::gc::model::JvmInstance;

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

/// Bytes as mebibytes, the unit every report shows memory in.
pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
