//! Rightsize: resource right-sizing for Apache Flink streaming jobs.
//!
//! The library behind the `rightsize` binary: the GC engine (`gc`), and the reports that render
//! its results (`report`).

pub mod gc;
pub mod report;
pub mod tail;
