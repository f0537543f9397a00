//! Rightsize: resource right-sizing for Apache Flink streaming jobs.
//!
//! The library behind the `rightsize` binary: the GC engine (`gc`) and the reports that render
//! its results (`report`); the scanner that walks a Flink cluster over REST and advises on
//! parallelism (`scan`); and the GC log follower the sidecar is built on (`tail`).

pub mod gc;
pub mod report;
pub mod scan;
pub mod tail;
