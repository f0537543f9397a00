//! The parallelism scanner: per running Flink job, how much processing capacity each vertex has
//! against the load it gets, and what parallelism it needs.
//!
//! Built as a pipeline of small stages, so the decisions can be tested without a cluster:
//!
//! 1. [`collect`] and [`kafka`] — the only stages that do I/O: Flink REST, then the Kafka brokers'
//!    end offsets (for the topics [`topics`] finds from metric names and [`sql`] scripts) → a
//!    [`snapshot::ClusterSnapshot`], a plain record of what was answered, with every gap
//!    (timeouts, vanished jobs, missing metrics, unreachable brokers) written down as a label
//!    rather than an error.
//! 2. [`evaluate`] — per vertex: parallelism P, per-record time T, output O, busy time, capacity
//!    C = P × 1 s / T, utilisation; per job: the slowest vertex, the input rate S with its basis
//!    (broker offsets, user-given, consumer-side) and S's cross-checks against the sources.
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
pub mod kafka;
pub mod memory;
pub mod options;
pub mod report;
pub mod snapshot;
pub mod sql;
pub mod topics;

use options::ScanOptions;

/// The I/O stages: Flink REST, the `--sql` scripts matched to its jobs, then the brokers' rates
/// of the topics those jobs read. Only an unreachable JobManager is an error.
pub fn collect_all(
    options: &ScanOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<snapshot::ClusterSnapshot, collect::Unreachable> {
    let mut snapshot = collect::collect_with_progress(&options.collect, progress)?;
    let unmatched = topics::match_scripts(&mut snapshot.jobs, &options.sql_scripts);
    snapshot.problems.extend(unmatched);
    if let Some(kafka_options) = &options.kafka {
        let jobs = &snapshot.jobs;
        snapshot.kafka = Some(kafka::collect_rates(kafka_options, |topic_list| {
            let counts = topic_list.iter().map(|(name, ids)| (name.clone(), ids.len() as u32)).collect();
            jobs.iter().flat_map(|job| topics::job_topics(job, Some(&counts)).exact).collect()
        }));
    }
    Ok(snapshot)
}

/// Runs the pure stages over a collected snapshot: evaluate, then decide.
pub fn analyse(snapshot: &snapshot::ClusterSnapshot, options: &ScanOptions) -> report::ScanReport {
    let context = evaluate::Context {
        input_rates: Some(&options.input_rates),
        kafka: snapshot.kafka.as_ref(),
        slot_size: snapshot.slot_size,
    };
    let jobs = snapshot
        .jobs
        .iter()
        .map(|job| {
            let evaluation = evaluate::evaluate_job_in(job, context, &options.decide);
            let decision = decide::decide_job(&evaluation, &options.decide);
            let memory = snapshot.memory.as_ref().and_then(|memory| memory::advise(memory, &job.id, &options.memory));
            report::JobReport { evaluation, decision, memory }
        })
        .collect();
    let mut problems = snapshot.problems.clone();
    problems.extend(snapshot.memory.iter().flat_map(|memory| memory.problems.iter().cloned()));
    report::ScanReport { flink_url: snapshot.flink_url.clone(), jobs, problems, kafka: snapshot.kafka.clone() }
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
