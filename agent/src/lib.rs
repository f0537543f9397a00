//! Rightsize: resource right-sizing for Apache Flink streaming jobs.
//!
//! The library behind the `rightsize` binary: the GC engine (`gc`) and the reports that render
//! its results (`report`); the scanner that walks a Flink cluster over REST and advises on
//! parallelism (`scan`); the GC log follower (`tail`) and the sidecar built on it (`sidecar`); and what the
//! long-running commands share: their HTTP server (`http`) and the documents they exchange (`wire`).

pub mod gc;
pub mod http;
pub mod report;
pub mod scan;
pub mod sidecar;
pub mod tail;
pub mod wire;
