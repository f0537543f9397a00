//! Stage 2 of the memory advice: one TaskManager's GC evidence → live set M, heap recommendation
//! and verdict. Pure: the GC engine's own analysis (`gc::analysis::analyse`) on the parsed log,
//! or the same fields read from a sidecar's `rightsize.gc/v1` report, so both sources say the
//! same things in the same words.

use serde::Serialize;
use serde_json::Value;

use super::{GcLogEvidence, SizeRange, TaskManagerSnapshot};
use crate::gc::analysis::{self, ConfiguredHeap, GcOptions, VerdictKind};
use crate::gc::model::JvmInstance;

/// One TaskManager: what REST said and what its GC log supports.
#[derive(Debug, Clone, Serialize)]
pub struct TaskManagerEvaluation {
    pub id: String,
    pub host: Option<String>,
    pub young_gc_count: Option<u64>,
    pub young_collectors: Vec<String>,
    /// `Status.JVM.Memory.Heap.Max` over REST.
    pub configured_heap_bytes: Option<u64>,
    pub vanished: bool,
    /// `sidecar` or `flink-rest`; `null` when no GC log was read.
    pub log_source: Option<&'static str>,
    /// The files read (REST) or the sidecar's agent id.
    pub log_files: Vec<String>,
    /// `null` when no GC log was read or it holds no JVM run.
    pub heap: Option<HeapEvidence>,
    /// Degraded inputs, one label each: gaps while collecting, files skipped, no log.
    pub labels: Vec<String>,
}

/// The GC engine's findings for the TaskManager's current JVM run.
#[derive(Debug, Clone, Serialize)]
pub struct HeapEvidence {
    pub collector: String,
    /// Young collections in the log window (REST counts since JVM start).
    pub young_count_in_log: Option<u64>,
    pub run_hours: Option<f64>,
    /// M, the live set, with its basis (`full-gc`, `concurrent-cycle`, `collector-measured`,
    /// `max-occupancy`, `none`) and confidence (`high` … `none`).
    pub live_set_bytes: Option<u64>,
    pub live_set_basis: String,
    pub live_set_confidence: String,
    pub live_set_explanation: String,
    /// `null` without a basis for M.
    pub recommended_heap: Option<SizeRange>,
    /// The engine's verdict against the heap in the log (or REST's): `over-provisioned`,
    /// `right-sized`, `too-small`, `inconclusive`; `null` when the evidence carries none.
    pub verdict: Option<String>,
    pub configured_heap_bytes: Option<u64>,
    /// How the recommendation follows from M.
    pub recommendation_explanation: String,
    /// Why the verdict is what it is; `null` with the verdict.
    pub verdict_explanation: Option<String>,
}

pub fn evaluate_taskmanager(taskmanager: &TaskManagerSnapshot, options: &GcOptions) -> TaskManagerEvaluation {
    let mut evaluation = TaskManagerEvaluation {
        id: taskmanager.id.clone(),
        host: taskmanager.host.clone(),
        young_gc_count: taskmanager.young_gc_count,
        young_collectors: taskmanager.young_collectors.clone(),
        configured_heap_bytes: taskmanager.configured_heap,
        vanished: taskmanager.vanished,
        log_source: None,
        log_files: Vec::new(),
        heap: None,
        labels: taskmanager.gaps.clone(),
    };
    match &taskmanager.gc_log {
        GcLogEvidence::NotRequested => {}
        GcLogEvidence::Missing { reason } => evaluation.labels.push(format!("no GC log: {reason}")),
        GcLogEvidence::FlinkRest(log) => {
            evaluation.log_source = Some("flink-rest");
            evaluation.log_files = log.files.clone();
            evaluation.labels.extend(log.skipped.iter().map(|skip| format!("skipped {skip}")));
            match current_run(&log.instances) {
                Some(instance) => {
                    if !std::ptr::eq(instance, log.instances.last().unwrap_or(instance)) {
                        evaluation.labels.push(
                            "the newest JVM run in the log has no collection yet: the run before it is analysed".into(),
                        );
                    }
                    if instance.facts.exit_seen {
                        evaluation.labels.push(
                            "the newest JVM run in the log has exited: the TaskManager may now log elsewhere".into(),
                        );
                    }
                    evaluation.heap = Some(analyse_run(instance, taskmanager.configured_heap, options));
                }
                None => evaluation.labels.push(format!(
                    "no GC event in {} ({} bytes read): not a HotSpot GC log, or no collection yet",
                    log.files.join(", "),
                    log.bytes
                )),
            }
        }
        GcLogEvidence::Sidecar(push) => {
            evaluation.log_source = Some("sidecar");
            evaluation.log_files = vec![push.agent.agent_id.clone()];
            match from_sidecar_report(&push.report) {
                Some(heap) => evaluation.heap = Some(heap),
                None => evaluation.labels.push(format!(
                    "the push of sidecar {} holds no JVM run (no GC log followed yet?)",
                    push.agent.agent_id
                )),
            }
        }
    }
    evaluation
}

/// The JVM run the TaskManager is in: the last one of its log, the only one still running; the
/// one before it when a restart has not collected yet.
fn current_run(instances: &[JvmInstance]) -> Option<&JvmInstance> {
    instances.iter().rev().find(|instance| !instance.events.is_empty()).or(instances.last())
}

/// The engine's analysis. REST's heap max stands in for the configured heap only when the log
/// does not print it (JDK 8 logs without `-XX:+PrintCommandLineFlags`).
fn analyse_run(instance: &JvmInstance, rest_heap: Option<u64>, options: &GcOptions) -> HeapEvidence {
    let mut options = options.clone();
    if options.configured_heap.is_none() && instance.facts.heap_max.is_none() {
        options.configured_heap = rest_heap.map(|bytes| ConfiguredHeap { bytes, from_user: false });
    }
    let analysis = analysis::analyse(instance, &options);
    let recommendation = analysis.recommendation.as_ref();
    let verdict = analysis.verdict.as_ref();
    HeapEvidence {
        collector: instance.facts.collector.name().to_owned(),
        young_count_in_log: Some(analysis.summary.young_count)
            .filter(|_| !instance.facts.collector.is_single_generation()),
        run_hours: analysis.summary.run_hours,
        live_set_bytes: analysis.live_set.bytes,
        live_set_basis: analysis.live_set.basis.label().to_owned(),
        live_set_confidence: analysis.live_set.confidence.label().to_owned(),
        live_set_explanation: analysis.live_set.explanation.clone(),
        recommended_heap: recommendation.map(|r| SizeRange {
            low_bytes: r.heap.low,
            high_bytes: r.heap.high,
            value_bytes: r.heap_value,
        }),
        verdict: verdict.map(|v| verdict_label(v.kind).to_owned()),
        configured_heap_bytes: verdict.map(|v| v.configured_heap).or(instance.facts.heap_max),
        recommendation_explanation: recommendation.map(|r| r.explanation.clone()).unwrap_or_default(),
        verdict_explanation: verdict.map(|v| v.explanation.clone()),
    }
}

/// The verdict words of the `rightsize.gc/v1` document.
pub fn verdict_label(kind: VerdictKind) -> &'static str {
    match kind {
        VerdictKind::OverProvisioned => "over-provisioned",
        VerdictKind::RightSized => "right-sized",
        VerdictKind::TooSmall => "too-small",
        VerdictKind::Inconclusive => "inconclusive",
    }
}

/// The same fields from a sidecar's `rightsize.gc/v1` report: its last JVM run still running,
/// else its last run. `None` when the report holds no run.
pub fn from_sidecar_report(report: &Value) -> Option<HeapEvidence> {
    let instances = report.get("instances")?.as_array()?;
    let running = |instance: &&Value| instance.pointer("/jvm/exit_seen").and_then(Value::as_bool) != Some(true);
    let instance = instances.iter().rev().find(running).or(instances.last())?;
    let text = |pointer: &str| instance.pointer(pointer).and_then(Value::as_str).unwrap_or_default().to_owned();
    let bytes = |pointer: &str| instance.pointer(pointer).and_then(Value::as_u64);
    let recommended_heap = match (
        bytes("/recommendation/heap/low_bytes"),
        bytes("/recommendation/heap/high_bytes"),
        bytes("/recommendation/heap/value_bytes"),
    ) {
        (Some(low_bytes), Some(high_bytes), Some(value_bytes)) => {
            Some(SizeRange { low_bytes, high_bytes, value_bytes })
        }
        _ => None,
    };
    Some(HeapEvidence {
        collector: text("/collector"),
        young_count_in_log: bytes("/summary/young_count"),
        run_hours: instance.pointer("/summary/run_hours").and_then(Value::as_f64),
        live_set_bytes: bytes("/live_set/bytes"),
        live_set_basis: text("/live_set/basis"),
        live_set_confidence: text("/live_set/confidence"),
        live_set_explanation: text("/live_set/explanation"),
        recommended_heap,
        verdict: instance.pointer("/verdict/kind").and_then(Value::as_str).map(str::to_owned),
        configured_heap_bytes: bytes("/verdict/configured_heap_bytes").or_else(|| bytes("/jvm/heap_max_bytes")),
        recommendation_explanation: text("/recommendation/explanation"),
        verdict_explanation: instance.pointer("/verdict/explanation").and_then(Value::as_str).map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gc::source::lines::for_each_line;
    use crate::gc::source::LogReader;
    use crate::scan::memory::FetchedLog;

    /// The TaskManager GC log recorded over REST from a real Flink 2.2.1 cluster (G1, JDK 17).
    const RECORDED_LOG: &[u8] = include_bytes!("../../../tests/fixtures/rest/memory/taskmanager-gc.log");
    const MIB: u64 = 1024 * 1024;

    fn recorded_taskmanager() -> TaskManagerSnapshot {
        let mut reader = LogReader::new();
        reader.begin_file("taskmanager-gc.log");
        for_each_line(RECORDED_LOG, |line| reader.feed(line)).expect("in-memory read");
        TaskManagerSnapshot {
            id: "127.0.0.1:40291-4e4448".into(),
            young_gc_count: Some(20),
            configured_heap: Some(448 * MIB),
            gc_log: GcLogEvidence::FlinkRest(FetchedLog {
                files: vec!["taskmanager-gc.log".into()],
                bytes: RECORDED_LOG.len() as u64,
                instances: reader.finish(),
                skipped: Vec::new(),
            }),
            ..TaskManagerSnapshot::default()
        }
    }

    #[test]
    fn the_recorded_log_gives_a_recommendation_with_basis_and_confidence() {
        let evaluation = evaluate_taskmanager(&recorded_taskmanager(), &GcOptions::default());
        assert_eq!(evaluation.log_source, Some("flink-rest"));
        let heap = evaluation.heap.expect("a JVM run in the recorded log");
        assert_eq!(heap.collector, "G1");
        assert!(heap.young_count_in_log.is_some_and(|n| n > 0), "{heap:?}");
        assert_eq!(heap.configured_heap_bytes, Some(448 * MIB), "the log prints the heap max: {heap:?}");
        let live_set = heap.live_set_bytes.expect("an estimate of M");
        let recommended = heap.recommended_heap.expect("a recommendation");
        assert_eq!(recommended.high_bytes, live_set * 4, "heap 3-4 × M: {heap:?}");
        assert!(!heap.live_set_basis.is_empty() && heap.live_set_basis != "none", "{heap:?}");
        assert!(heap.recommendation_explanation.contains("M = "), "{}", heap.recommendation_explanation);
    }

    #[test]
    fn a_sidecar_report_reads_as_the_same_fields() {
        // The sidecar pushes what `rightsize gc --output json` prints: render the recorded log.
        let taskmanager = recorded_taskmanager();
        let GcLogEvidence::FlinkRest(log) = &taskmanager.gc_log else { unreachable!() };
        let reports: Vec<crate::report::InstanceReport> = log
            .instances
            .iter()
            .enumerate()
            .map(|(index, jvm)| crate::report::InstanceReport {
                log: "taskmanager-gc.log".into(),
                instance: index + 1,
                jvm: jvm.clone(),
                analysis: analysis::analyse(jvm, &GcOptions::default()),
            })
            .collect();
        let document: Value = serde_json::from_str(&crate::report::json::render(&reports)).expect("JSON");
        let from_sidecar = from_sidecar_report(&document).expect("a run");
        let local = evaluate_taskmanager(&taskmanager, &GcOptions::default()).heap.expect("a run");
        assert_eq!(from_sidecar.recommended_heap, local.recommended_heap);
        assert_eq!(from_sidecar.live_set_bytes, local.live_set_bytes);
        assert_eq!(from_sidecar.live_set_basis, local.live_set_basis);
        assert_eq!(from_sidecar.verdict, local.verdict);
        assert_eq!(from_sidecar.configured_heap_bytes, local.configured_heap_bytes);
        assert_eq!(from_sidecar.verdict_explanation, local.verdict_explanation);
        assert!(from_sidecar_report(&serde_json::json!({"instances": []})).is_none());
    }

    #[test]
    fn a_missing_log_is_a_label_not_a_gap_in_the_table() {
        let taskmanager = TaskManagerSnapshot {
            id: "tm".into(),
            gc_log: GcLogEvidence::Missing { reason: "no file matching '*gc*.log*'".into() },
            ..TaskManagerSnapshot::default()
        };
        let evaluation = evaluate_taskmanager(&taskmanager, &GcOptions::default());
        assert!(evaluation.heap.is_none());
        assert_eq!(evaluation.labels, ["no GC log: no file matching '*gc*.log*'"]);
    }
}
