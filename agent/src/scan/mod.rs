//! The parallelism scanner: per running Flink job, how much processing capacity each vertex has
//! against the load it gets, and what parallelism it needs.
//!
//! Built as a pipeline of small stages, so the decisions can be tested without a cluster:
//!
//! 1. [`collect`] — the only stage that does I/O: Flink REST → a [`snapshot::ClusterSnapshot`], a
//!    plain record of what the cluster answered, with every gap (timeouts, vanished jobs, missing
//!    metrics) written down as a label rather than an error.
//! 2. [`evaluate`] — per vertex: parallelism P, per-record time T, output O, busy time, capacity
//!    C = P × 1 s / T, utilisation; per job: the slowest vertex and the input rate S.
//! 3. [`decide`] — the three rules of the design (reduce / keep / increase, with configurable
//!    tolerances) and a recommended parallelism per vertex, with the arithmetic as text.
//! 4. [`report`] — the terminal table and the JSON document.
//!
//! `evaluate` and `decide` are pure functions of the snapshot and the [`options::ScanOptions`].
//!
//! Beside the parallelism, [`memory`] advises each job's heap from its TaskManagers' GC logs, as
//! its own small pipeline with the same stages.

pub mod collect;
pub mod decide;
pub mod evaluate;
pub mod memory;
pub mod options;
pub mod report;
pub mod snapshot;

use options::ScanOptions;

/// Runs the pure stages over a collected snapshot: evaluate, then decide.
pub fn analyse(snapshot: &snapshot::ClusterSnapshot, options: &ScanOptions) -> report::ScanReport {
    let jobs = snapshot
        .jobs
        .iter()
        .map(|job| {
            let evaluation = evaluate::evaluate_job(job, &options.input_rates, &options.decide);
            let decision = decide::decide_job(&evaluation, &options.decide);
            let memory = snapshot.memory.as_ref().and_then(|memory| memory::advise(memory, &job.id, &options.memory));
            report::JobReport { evaluation, decision, memory }
        })
        .collect();
    let mut problems = snapshot.problems.clone();
    problems.extend(snapshot.memory.iter().flat_map(|memory| memory.problems.iter().cloned()));
    report::ScanReport { flink_url: snapshot.flink_url.clone(), jobs, problems }
}

/// Adds the memory advice's inputs to a collected snapshot (no-op when it is turned off).
/// `sidecar_reports`: the sidecars' latest pushes, matched to TaskManagers by id or host.
pub fn collect_memory(
    snapshot: &mut snapshot::ClusterSnapshot,
    options: &ScanOptions,
    sidecar_reports: &[crate::wire::GcPush],
) {
    if options.memory.enabled {
        let client = collect::FlinkClient::new(&options.collect);
        let memory = memory::collect::collect_memory(
            &client,
            snapshot,
            &options.memory,
            options.collect.concurrency,
            sidecar_reports,
        );
        snapshot.memory = Some(memory);
    }
}
