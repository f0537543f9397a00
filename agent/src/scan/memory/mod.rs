//! Memory advice: per job, the heap its TaskManagers need, from their GC logs (design §3).
//!
//! A pipeline of its own inside the scanner, with the same stage split:
//!
//! 1. [`collect`] — I/O: which TaskManagers run each job's subtasks, their young GC counts and
//!    configured heap; for the busiest few per job, the GC log, from a sidecar's push when there
//!    is one, else downloaded from Flink REST and streamed through the GC engine's parser. Gaps
//!    (no log, a TaskManager gone, a timeout) become labels, never errors.
//! 2. [`evaluate`] — per TaskManager: the GC engine's analysis (live set M, heap recommendation,
//!    verdict) of its current JVM run, or the same fields read from the sidecar's report.
//! 3. [`decide`] — per job: the largest need among its analysed TaskManagers against the
//!    configured heap, the saving, and why each TaskManager was or was not analysed.
//! 4. [`report`] — the job's memory block of the terminal table (JSON is the serialized advice).

pub mod collect;
pub mod decide;
pub mod evaluate;
pub mod report;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::gc::model::JvmInstance;
use crate::wire::GcPush;

pub use decide::{JobMemoryAdvice, MemoryVerdict};

/// What the cluster told about the TaskManagers behind the scanned jobs.
#[derive(Debug, Clone, Default)]
pub struct MemorySnapshot {
    /// Per job id: the TaskManagers its subtasks run on.
    pub jobs: BTreeMap<String, JobTaskManagers>,
    /// Per TaskManager id, each fetched once however many jobs share it.
    pub taskmanagers: BTreeMap<String, TaskManagerSnapshot>,
    /// Cluster-level gaps, e.g. `/taskmanagers` did not answer.
    pub problems: Vec<String>,
}

/// The TaskManagers one job runs on.
#[derive(Debug, Clone, Default)]
pub struct JobTaskManagers {
    pub taskmanager_ids: Vec<String>,
    /// What could not be learned, e.g. a vertex whose TaskManager list timed out.
    pub gaps: Vec<String>,
}

/// One TaskManager as collected.
#[derive(Debug, Clone, Default)]
pub struct TaskManagerSnapshot {
    pub id: String,
    /// Host of its RPC address, for matching sidecar pushes that carry no TaskManager id.
    pub host: Option<String>,
    /// Young collections since the JVM started (`Status.JVM.GarbageCollector.<young>.Count`,
    /// summed over the young collectors).
    pub young_gc_count: Option<u64>,
    /// The collectors counted in `young_gc_count`, as Flink names them (`G1_Young_Generation`).
    pub young_collectors: Vec<String>,
    /// Maximum heap of the JVM (`Status.JVM.Memory.Heap.Max`): the configured `-Xmx`.
    pub configured_heap: Option<u64>,
    pub gc_log: GcLogEvidence,
    /// Listed by a job's vertex but gone from `/taskmanagers` (or 404 on its own endpoints).
    pub vanished: bool,
    /// What could not be collected, one label each.
    pub gaps: Vec<String>,
}

/// Where a TaskManager's GC evidence came from, or why there is none.
#[derive(Debug, Clone, Default)]
pub enum GcLogEvidence {
    /// Not among any job's top TaskManagers: no log was looked for.
    #[default]
    NotRequested,
    /// A sidecar's push for this TaskManager.
    Sidecar(Box<GcPush>),
    /// Files of the TaskManager's log directory, fetched over Flink REST and parsed.
    FlinkRest(FetchedLog),
    /// Looked for and not found or not readable; the reason says which and what to do.
    Missing { reason: String },
}

/// GC log files read over REST and the JVM runs found in them.
#[derive(Debug, Clone, Default)]
pub struct FetchedLog {
    /// File names read, in the order read (oldest first).
    pub files: Vec<String>,
    pub bytes: u64,
    pub instances: Vec<JvmInstance>,
    /// Files left out and why (over the byte budget, a log of another JVM, a failed download).
    pub skipped: Vec<String>,
}

/// A sidecar push is taken for a TaskManager when it names the TaskManager's id, or else when it
/// comes from the TaskManager's host and that host runs no other TaskManager.
pub fn sidecar_for<'a>(
    taskmanager: &TaskManagerSnapshot,
    hosts_with_several: &[&str],
    pushes: &'a [GcPush],
) -> Option<&'a GcPush> {
    let newest = |matching: &dyn Fn(&GcPush) -> bool| {
        pushes.iter().filter(|push| matching(push)).max_by_key(|push| (push.created_at_ms, push.sequence))
    };
    newest(&|push| push.agent.taskmanager_id.as_deref() == Some(taskmanager.id.as_str())).or_else(|| {
        let host = taskmanager.host.as_deref()?;
        if hosts_with_several.contains(&host) {
            return None;
        }
        newest(&|push| push.agent.taskmanager_id.is_none() && push.agent.host == host)
    })
}

/// Orders TaskManagers busiest first: most young collections, unknown counts last, then by id.
/// `key` gives an item's young GC count (`None` for unknown or vanished) and id. Collect (which
/// logs to fetch) and decide (which were analysed) rank with this one order.
pub fn busiest_first<T>(items: &mut [T], key: impl Fn(&T) -> (Option<u64>, &str)) {
    items.sort_by(|a, b| {
        let ((count_a, id_a), (count_b, id_b)) = (key(a), key(b));
        count_b.cmp(&count_a).then_with(|| id_a.cmp(id_b))
    });
}

/// Sizes for people: `1.50 GiB`, `512 MiB`.
pub fn size_text(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    let mib = bytes as f64 / MIB;
    if mib >= 1024.0 {
        format!("{:.2} GiB", mib / 1024.0)
    } else {
        format!("{mib:.0} MiB")
    }
}

/// Runs evaluate and decide for one job. `None` when memory advice was not collected.
pub fn advise(
    snapshot: &MemorySnapshot,
    job_id: &str,
    options: &super::options::MemoryOptions,
) -> Option<JobMemoryAdvice> {
    let job = snapshot.jobs.get(job_id)?;
    let evaluations: Vec<evaluate::TaskManagerEvaluation> = job
        .taskmanager_ids
        .iter()
        .filter_map(|id| snapshot.taskmanagers.get(id))
        .map(|taskmanager| evaluate::evaluate_taskmanager(taskmanager, &options.gc))
        .collect();
    Some(decide::decide_job(job, evaluations, options))
}

/// Serializes a size in bytes together with a human-readable form, for the JSON report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SizeRange {
    pub low_bytes: u64,
    pub high_bytes: u64,
    /// The single value recommended: the range's safe (upper) end, rounded up to whole MiB.
    pub value_bytes: u64,
}
