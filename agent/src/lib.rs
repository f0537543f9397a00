//! Rightsize: resource right-sizing for Apache Flink streaming jobs.
//!
//! The library behind the `rightsize` binary: the GC engine (`gc`) and the reports that render
//! its results (`report`); the scanner that walks a Flink cluster over REST and advises on
//! parallelism (`scan`), and the same on a schedule with history and alerts (`serve`); the GC log
//! follower the sidecar is built on (`tail`); and what the long-running commands share: their
//! HTTP server (`http`), their clean shutdown (`shutdown`) and the documents they exchange (`wire`).

pub mod gc;
pub mod http;
pub mod report;
pub mod scan;
pub mod serve;
pub mod shutdown;
pub mod tail;
pub mod wire;
