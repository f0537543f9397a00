//! Stage 3 of the memory advice: one job's heap verdict, from its analysed TaskManagers.
//!
//! Every TaskManager of a job gets the same heap, so the job needs what its most demanding
//! TaskManager needs: the largest recommended heap among those analysed sets the job's, and that
//! TaskManager's verdict (the engine's, against its configured heap) is the job's. One exception:
//! a TaskManager whose GC throughput is too low makes the job's heap too small whatever the
//! others' live sets say. The saving is what the cut gives back on every TaskManager of the job.

use serde::Serialize;

use super::evaluate::TaskManagerEvaluation;
use super::{size_text, JobTaskManagers, SizeRange};
use crate::scan::options::MemoryOptions;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MemoryVerdict {
    OverProvisioned,
    RightSized,
    TooSmall,
    /// Analysed, but the evidence carries no verdict (see the reason).
    Inconclusive,
    /// No TaskManager of the job could be analysed (see the TaskManagers' labels).
    NoEvidence,
}

impl MemoryVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            MemoryVerdict::OverProvisioned => "over-provisioned",
            MemoryVerdict::RightSized => "right-sized",
            MemoryVerdict::TooSmall => "too-small",
            MemoryVerdict::Inconclusive => "inconclusive",
            MemoryVerdict::NoEvidence => "no-evidence",
        }
    }
}

/// The job's memory advice, with the TaskManagers behind it.
#[derive(Debug, Clone, Serialize)]
pub struct JobMemoryAdvice {
    pub verdict: MemoryVerdict,
    /// One sentence with the numbers.
    pub reason: String,
    /// Heap of the TaskManager that sets the job's need (`Status.JVM.Memory.Heap.Max`, else the
    /// log's).
    pub configured_heap_bytes: Option<u64>,
    pub recommended_heap: Option<SizeRange>,
    /// The TaskManager whose analysis sets the job's need.
    pub sized_by: Option<String>,
    pub live_set_bytes: Option<u64>,
    pub live_set_basis: Option<String>,
    pub live_set_confidence: Option<String>,
    /// TaskManagers running the job's subtasks (vanished ones excluded).
    pub taskmanager_count: usize,
    pub taskmanagers_analysed: usize,
    /// Heap given back over all of the job's TaskManagers when over-provisioned; negative = heap
    /// to add when too small; 0 otherwise.
    pub saving_bytes: i64,
    /// `saving_bytes` in GiB, two decimals.
    pub saving_gb: f64,
    /// Every TaskManager of the job, busiest (most young collections) first.
    pub taskmanagers: Vec<TaskManagerLine>,
    /// Job-level gaps (a vertex whose TaskManagers REST did not list).
    pub labels: Vec<String>,
}

/// One TaskManager in the job's list: its rank, whether it was analysed, and why not.
#[derive(Debug, Clone, Serialize)]
pub struct TaskManagerLine {
    /// 1 = most young collections.
    pub rank: usize,
    pub analysed: bool,
    /// Why it was not analysed; `null` when it was.
    pub not_analysed_because: Option<String>,
    #[serde(flatten)]
    pub evaluation: TaskManagerEvaluation,
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Decides one job from its TaskManagers' evaluations (in any order).
pub fn decide_job(
    job: &JobTaskManagers,
    mut evaluations: Vec<TaskManagerEvaluation>,
    options: &MemoryOptions,
) -> JobMemoryAdvice {
    super::busiest_first(&mut evaluations, |e| (e.young_gc_count.filter(|_| !e.vanished), e.id.as_str()));
    let top = options.top_taskmanagers;
    let taskmanagers: Vec<TaskManagerLine> = evaluations
        .into_iter()
        .enumerate()
        .map(|(index, evaluation)| {
            let rank = index + 1;
            let not_analysed_because = if evaluation.vanished {
                Some("vanished during the scan".to_owned())
            } else if rank > top {
                Some(format!("rank {rank} by young GC count, beyond --top-taskmanagers {top}"))
            } else if evaluation.heap.is_none() {
                Some(evaluation.labels.last().cloned().unwrap_or_else(|| "no GC log".to_owned()))
            } else if evaluation.heap.as_ref().is_some_and(|heap| heap.recommended_heap.is_none()) {
                Some("its GC log offers no basis for the live set yet (no old-generation figure)".to_owned())
            } else {
                None
            };
            TaskManagerLine { rank, analysed: not_analysed_because.is_none(), not_analysed_because, evaluation }
        })
        .collect();

    let present = taskmanagers.iter().filter(|line| !line.evaluation.vanished).count();
    let analysed: Vec<&TaskManagerLine> = taskmanagers.iter().filter(|line| line.analysed).collect();
    let need =
        |line: &TaskManagerLine| line.evaluation.heap.as_ref().and_then(|h| h.recommended_heap).map(|r| r.value_bytes);
    let too_small = analysed
        .iter()
        .copied()
        .filter(|line| line.evaluation.heap.as_ref().and_then(|h| h.verdict.as_deref()) == Some("too-small"))
        .max_by_key(|line| need(line));
    let binding = too_small.or_else(|| analysed.iter().copied().max_by_key(|line| need(line)));

    let mut advice = JobMemoryAdvice {
        verdict: MemoryVerdict::NoEvidence,
        reason: String::new(),
        configured_heap_bytes: None,
        recommended_heap: None,
        sized_by: None,
        live_set_bytes: None,
        live_set_basis: None,
        live_set_confidence: None,
        taskmanager_count: present,
        taskmanagers_analysed: analysed.len(),
        saving_bytes: 0,
        saving_gb: 0.0,
        labels: job.gaps.clone(),
        taskmanagers: Vec::new(),
    };
    let Some(line) = binding else {
        advice.reason = if taskmanagers.is_empty() {
            "REST listed no TaskManager for the job's subtasks".to_owned()
        } else {
            let first = taskmanagers.iter().find_map(|line| line.not_analysed_because.clone()).unwrap_or_default();
            format!("none of its {} TaskManager(s) could be analysed: {first}", taskmanagers.len())
        };
        advice.taskmanagers = taskmanagers;
        return advice;
    };
    let (evaluation, heap) = (&line.evaluation, line.evaluation.heap.as_ref().expect("analysed lines have a heap"));
    let recommended = heap.recommended_heap.expect("analysed lines have a recommendation");
    let configured = evaluation.configured_heap_bytes.or(heap.configured_heap_bytes);
    advice.configured_heap_bytes = configured;
    advice.recommended_heap = Some(recommended);
    advice.sized_by = Some(evaluation.id.clone());
    advice.live_set_bytes = heap.live_set_bytes;
    advice.live_set_basis = Some(heap.live_set_basis.clone());
    advice.live_set_confidence = Some(heap.live_set_confidence.clone());
    advice.verdict = match heap.verdict.as_deref() {
        Some("over-provisioned") => MemoryVerdict::OverProvisioned,
        Some("right-sized") => MemoryVerdict::RightSized,
        Some("too-small") => MemoryVerdict::TooSmall,
        _ => MemoryVerdict::Inconclusive,
    };

    let per_taskmanager: i64 = match (advice.verdict, configured) {
        (MemoryVerdict::OverProvisioned, Some(configured)) => signed(configured) - signed(recommended.value_bytes),
        (MemoryVerdict::TooSmall, Some(configured)) => (signed(configured) - signed(recommended.value_bytes)).min(0),
        _ => 0,
    };
    let taskmanager_count = i64::try_from(present).unwrap_or(i64::MAX);
    advice.saving_bytes = per_taskmanager.saturating_mul(taskmanager_count);
    advice.saving_gb = (advice.saving_bytes as f64 / GIB * 100.0).round() / 100.0;

    let live_set = heap.live_set_bytes.map_or_else(|| "?".to_owned(), size_text);
    let basis = format!(
        "M = {live_set} ({}, {} confidence) on {}, the largest need of {} analysed TaskManager(s)",
        heap.live_set_basis,
        heap.live_set_confidence,
        evaluation.id,
        analysed.len()
    );
    let configured_text = configured.map_or_else(|| "unknown".to_owned(), size_text);
    let recommended_text = format!(
        "{} (range {} to {})",
        size_text(recommended.value_bytes),
        size_text(recommended.low_bytes),
        size_text(recommended.high_bytes)
    );
    advice.reason = match advice.verdict {
        MemoryVerdict::OverProvisioned => format!(
            "heap {configured_text} per TaskManager, {recommended_text} recommended from {basis}; saving \
             ({configured_text} − {}) × {present} TaskManager(s) = {:.2} GiB{}",
            size_text(recommended.value_bytes),
            advice.saving_gb,
            if matches!(heap.live_set_confidence.as_str(), "low" | "none") {
                " at least: M is an upper bound of the live set"
            } else {
                ""
            }
        ),
        MemoryVerdict::TooSmall => format!(
            "heap {configured_text} per TaskManager, {recommended_text} recommended from {basis}: too small{}",
            if per_taskmanager < 0 {
                format!("; {:.2} GiB more over {present} TaskManager(s)", -advice.saving_gb)
            } else {
                " for its GC throughput".to_owned()
            }
        ),
        MemoryVerdict::RightSized => {
            format!("heap {configured_text} per TaskManager, {recommended_text} recommended from {basis}")
        }
        _ => format!(
            "heap {configured_text} per TaskManager, {recommended_text} recommended from {basis}, but the \
             evidence carries no verdict: {}",
            heap.verdict_explanation.as_deref().unwrap_or(if configured.is_none() {
                "the configured heap is unknown (neither REST nor the log tell it)"
            } else {
                heap.live_set_explanation.as_str()
            })
        ),
    };
    advice.taskmanagers = taskmanagers;
    advice
}

fn signed(bytes: u64) -> i64 {
    i64::try_from(bytes).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::memory::evaluate::HeapEvidence;

    const MIB: u64 = 1024 * 1024;

    fn taskmanager(id: &str, young: Option<u64>, need_mib: Option<u64>, verdict: &str) -> TaskManagerEvaluation {
        TaskManagerEvaluation {
            id: id.into(),
            host: None,
            young_gc_count: young,
            young_collectors: vec!["G1_Young_Generation".into()],
            configured_heap_bytes: Some(4096 * MIB),
            vanished: false,
            log_source: Some("flink-rest"),
            log_files: vec!["gc.log".into()],
            heap: need_mib.map(|need| HeapEvidence {
                collector: "G1".into(),
                young_count_in_log: young,
                run_hours: Some(2.0),
                live_set_bytes: Some(need * MIB / 4),
                live_set_basis: "full-gc".into(),
                live_set_confidence: "high".into(),
                live_set_explanation: String::new(),
                recommended_heap: Some(SizeRange {
                    low_bytes: need * MIB * 3 / 4,
                    high_bytes: need * MIB,
                    value_bytes: need * MIB,
                }),
                verdict: Some(verdict.into()),
                configured_heap_bytes: Some(4096 * MIB),
                recommendation_explanation: "engine text".into(),
                verdict_explanation: Some("engine verdict".into()),
            }),
            labels: Vec::new(),
        }
    }

    fn options(top: usize) -> MemoryOptions {
        MemoryOptions { top_taskmanagers: top, ..MemoryOptions::default() }
    }

    #[test]
    fn the_largest_need_sets_the_job_and_the_saving_counts_every_taskmanager() {
        let evaluations = vec![
            taskmanager("tm-a", Some(10), Some(1024), "over-provisioned"),
            taskmanager("tm-b", Some(30), Some(1536), "over-provisioned"),
            taskmanager("tm-c", Some(20), Some(512), "over-provisioned"),
        ];
        let advice = decide_job(&JobTaskManagers::default(), evaluations, &options(16));
        assert_eq!(advice.verdict, MemoryVerdict::OverProvisioned);
        assert_eq!(advice.sized_by.as_deref(), Some("tm-b"));
        assert_eq!(advice.recommended_heap.map(|r| r.value_bytes), Some(1536 * MIB));
        // (4096 − 1536 MiB) × 3 = 7680 MiB = 7.5 GiB.
        assert_eq!(advice.saving_bytes, 7680 * MIB as i64);
        assert_eq!(advice.saving_gb, 7.5);
        assert!(advice.reason.contains("× 3 TaskManager(s) = 7.50 GiB"), "{}", advice.reason);
        let ranks: Vec<(&str, usize)> =
            advice.taskmanagers.iter().map(|l| (l.evaluation.id.as_str(), l.rank)).collect();
        assert_eq!(ranks, [("tm-b", 1), ("tm-c", 2), ("tm-a", 3)]);
    }

    #[test]
    fn taskmanagers_beyond_the_top_or_without_a_log_say_why() {
        let mut gone = taskmanager("tm-gone", Some(99), None, "");
        gone.vanished = true;
        let mut no_log = taskmanager("tm-nolog", Some(50), None, "");
        no_log.labels.push("no GC log: no file matching '*gc*.log*'".into());
        let evaluations = vec![
            taskmanager("tm-a", Some(40), Some(1024), "over-provisioned"),
            no_log,
            gone,
            taskmanager("tm-quiet", Some(1), Some(4096), "right-sized"),
        ];
        let advice = decide_job(&JobTaskManagers::default(), evaluations, &options(2));
        let why: Vec<(&str, Option<&str>)> =
            advice.taskmanagers.iter().map(|l| (l.evaluation.id.as_str(), l.not_analysed_because.as_deref())).collect();
        assert_eq!(
            why,
            [
                ("tm-nolog", Some("no GC log: no file matching '*gc*.log*'")),
                ("tm-a", None),
                ("tm-quiet", Some("rank 3 by young GC count, beyond --top-taskmanagers 2")),
                ("tm-gone", Some("vanished during the scan")),
            ]
        );
        // Only tm-a was analysed: the quiet TaskManager's larger need is not seen.
        assert_eq!(advice.sized_by.as_deref(), Some("tm-a"));
        assert_eq!(advice.taskmanager_count, 3);
        assert_eq!(advice.taskmanagers_analysed, 1);
    }

    #[test]
    fn a_too_small_taskmanager_makes_the_job_too_small() {
        let evaluations = vec![
            taskmanager("tm-a", Some(10), Some(8192), "too-small"),
            taskmanager("tm-b", Some(30), Some(1024), "over-provisioned"),
        ];
        let advice = decide_job(&JobTaskManagers::default(), evaluations, &options(16));
        assert_eq!(advice.verdict, MemoryVerdict::TooSmall);
        assert_eq!(advice.saving_bytes, -(2 * 4096 * MIB as i64));
        assert!(advice.reason.contains("8.00 GiB more over 2 TaskManager(s)"), "{}", advice.reason);
    }

    #[test]
    fn no_analysable_taskmanager_is_no_evidence_with_the_reason() {
        let mut no_log = taskmanager("tm", Some(5), None, "");
        no_log.labels.push("no GC log: the TaskManager is gone (HTTP 404)".into());
        let advice = decide_job(&JobTaskManagers::default(), vec![no_log], &options(16));
        assert_eq!(advice.verdict, MemoryVerdict::NoEvidence);
        assert_eq!(advice.saving_bytes, 0);
        assert!(advice.reason.contains("the TaskManager is gone"), "{}", advice.reason);
    }
}
