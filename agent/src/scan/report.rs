//! Stage 4: the scan's result for people (a terminal table) and for programs (JSON, schema
//! `rightsize.scan/v1`). Rendering only: every number and sentence comes from `evaluate`/`decide`.

use std::fmt::Write as _;

use serde::Serialize;

use super::decide::{ms, rate, JobDecision};
use super::evaluate::{InputRate, JobEvaluation, TimeBasis};

pub const JSON_SCHEMA: &str = "rightsize.scan/v1";

/// The whole scan.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    pub flink_url: String,
    pub jobs: Vec<JobReport>,
    /// Cluster-level problems met while collecting.
    pub problems: Vec<String>,
    /// The brokers' answer (topics, measured rates), when `--kafka-bootstrap` was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kafka: Option<super::kafka::KafkaSnapshot>,
}

/// One job: the quantities and the decision drawn from them.
#[derive(Debug, Clone, Serialize)]
pub struct JobReport {
    pub evaluation: JobEvaluation,
    pub decision: JobDecision,
    /// Heap advice from the job's TaskManagers' GC logs; `null` when memory advice is off.
    pub memory: Option<super::memory::JobMemoryAdvice>,
}

impl ScanReport {
    /// One JSON document with every field, basis and explanation.
    pub fn to_json(&self) -> serde_json::Result<String> {
        #[derive(Serialize)]
        struct Document<'a> {
            schema: &'static str,
            #[serde(flatten)]
            report: &'a ScanReport,
        }
        serde_json::to_string_pretty(&Document { schema: JSON_SCHEMA, report: self })
    }

    /// Aligned text, one block per job.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Flink {}: {} job(s) scanned", self.flink_url, self.jobs.len());
        if let Some(kafka) = &self.kafka {
            let _ = writeln!(
                out,
                "Kafka {}: {} topic(s) listed, {} rate(s) measured",
                kafka.bootstrap,
                kafka.topics.len(),
                kafka.rates.len()
            );
            for problem in &kafka.problems {
                let _ = writeln!(out, "! {problem}");
            }
        }
        for problem in &self.problems {
            let _ = writeln!(out, "! {problem}");
        }
        for job in &self.jobs {
            out.push('\n');
            render_job(&mut out, job);
        }
        out
    }
}

fn render_job(out: &mut String, job: &JobReport) {
    let (evaluation, decision) = (&job.evaluation, &job.decision);
    let uptime = evaluation.uptime_ms.map_or_else(String::new, |ms| format!(", up {}", human_duration(ms)));
    let name = if evaluation.job_name.is_empty() { "?" } else { &evaluation.job_name };
    let _ = writeln!(out, "Job {name} ({}) {}{uptime}", evaluation.job_id, evaluation.state);
    let _ = writeln!(out, "  verdict: {} — {}", decision.verdict.as_str().to_uppercase(), decision.reason);
    match &evaluation.input_rate {
        InputRate::Known { records_per_s, basis, from } => {
            let _ = writeln!(out, "  S: {} rec/s, {} ({basis})", rate(*records_per_s), from.as_str());
        }
        InputRate::Unknown { reason } => {
            let _ = writeln!(out, "  S: unknown — {reason}");
        }
    }
    for label in &evaluation.labels {
        let _ = writeln!(out, "  ! {label}");
    }
    for check in &evaluation.cross_checks {
        let _ = writeln!(out, "  ~ {check}");
    }
    if evaluation.vertices.is_empty() {
        return;
    }

    let header = ["vertex", "P", "maxP", "T ms", "T from", "in/s", "O/s", "busy ms/s", "C/s", "util", "→ P"];
    let rows: Vec<[String; 11]> = evaluation
        .vertices
        .iter()
        .zip(&decision.vertices)
        .enumerate()
        .map(|(index, (vertex, recommendation))| {
            let slowest = if evaluation.slowest == Some(index) { "*" } else { "" };
            [
                format!("{slowest}{}", vertex.name),
                vertex.parallelism.to_string(),
                vertex.max_parallelism.map_or_else(|| "-".to_owned(), |m| m.to_string()),
                vertex.record_time.map_or_else(|| "-".to_owned(), |t| ms(t.ms)),
                vertex
                    .record_time
                    .map_or("-", |t| match t.basis {
                        TimeBasis::RecordTiming => "timing",
                        TimeBasis::BusyTime => "busy",
                    })
                    .to_owned(),
                optional(vertex.input_per_s, rate),
                optional(vertex.output_per_s, rate),
                optional(vertex.busy_ms_per_s_max, |b| format!("{b:.0}")),
                optional(vertex.capacity_per_s, rate),
                optional(vertex.utilization, |u| format!("{u:.2}")),
                recommendation.recommended.map_or_else(|| "-".to_owned(), |p| p.to_string()),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut line = |cells: &[&str]| {
        out.push_str("  ");
        for (column, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let pad = width.saturating_sub(cell.chars().count());
            if column == 0 {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str("  ");
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
        }
        out.push('\n');
    };
    line(&header);
    for row in &rows {
        line(&row.each_ref().map(String::as_str));
    }
    let _ = writeln!(out, "  (* slowest vertex: largest T; C = P × 1000 / T)");

    for (vertex, recommendation) in evaluation.vertices.iter().zip(&decision.vertices) {
        let _ = writeln!(out, "  {}: {}", vertex.name, recommendation.arithmetic);
        for note in &vertex.notes {
            let _ = writeln!(out, "    - {note}");
        }
    }
    if decision.parallelism_change != 0 {
        let change = decision.parallelism_change;
        let what = if change > 0 { "fewer" } else { "more" };
        let _ = writeln!(out, "  recommended total: {} {what} subtasks", change.unsigned_abs());
    }
    let slots = &decision.slots;
    if slots.freed != 0 {
        let (what, count) = if slots.freed > 0 { ("frees", slots.freed) } else { ("needs", -slots.freed) };
        let resources = match (slots.cpu_cores, slots.memory_gb) {
            (Some(cores), Some(gb)) => format!(" = {:.1} cores, {:.2} GB", cores.abs(), gb.abs()),
            _ => ", cores and memory unknown".to_owned(),
        };
        let _ = writeln!(
            out,
            "  slots: {} → {}: {what} {count} slot(s){resources} ({})",
            slots.current, slots.recommended, slots.basis
        );
    }
    for disagreement in &decision.disagreements {
        let _ = writeln!(out, "  ≠ {disagreement}");
    }
    if let Some(memory) = &job.memory {
        super::memory::report::render(out, memory);
    }
}

fn optional(value: Option<f64>, show: impl Fn(f64) -> String) -> String {
    value.map_or_else(|| "-".to_owned(), show)
}

fn human_duration(ms: u64) -> String {
    let seconds = ms / 1000;
    match seconds {
        0..=119 => format!("{seconds} s"),
        120..=7199 => format!("{} min", seconds / 60),
        _ => format!("{} h", seconds / 3600),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::scan::options::ScanOptions;
    use crate::scan::snapshot::{ClusterSnapshot, JobSnapshot, VertexMetrics, VertexSnapshot};

    fn over_provisioned() -> ClusterSnapshot {
        let vertex = |name: &str, source: bool, time: f64| VertexSnapshot {
            id: format!("id-{name}"),
            name: name.to_owned(),
            parallelism: 8,
            max_parallelism: Some(128),
            is_source: source,
            keyed_input: !source,
            kafka_topics: if source { BTreeMap::from([("orders".to_owned(), 8)]) } else { BTreeMap::new() },
            slot_sharing_group: Some("default".to_owned()),
            lag: None,
            metrics: VertexMetrics {
                record_time_ms_max: Some(time),
                records_in_per_s: Some(1000.0),
                records_out_per_s: Some(1000.0),
                busy_ms_per_s_max: Some(250.0),
                ..VertexMetrics::default()
            },
        };
        ClusterSnapshot {
            flink_url: "http://jobmanager:8081".to_owned(),
            jobs: vec![JobSnapshot {
                id: "j1".to_owned(),
                name: "orders".to_owned(),
                state: "RUNNING".to_owned(),
                uptime_ms: Some(7_200_000),
                vertices: vec![vertex("Source: Orders", true, 0.1), vertex("Enrich", false, 2.0)],
                ..JobSnapshot::default()
            }],
            problems: Vec::new(),
            slot_size: None,
            kafka: None,
            memory: None,
        }
    }

    #[test]
    fn the_table_shows_verdict_quantities_and_arithmetic() {
        let options =
            ScanOptions { input_rates: BTreeMap::from([("orders".to_owned(), 1000.0)]), ..ScanOptions::default() };
        let report = crate::scan::analyse(&over_provisioned(), &options);
        let table = report.to_table();
        assert!(table.contains("verdict: REDUCE — rule 1, O ≈ S and C ≫ S"), "{table}");
        assert!(table.contains("C = 8 × 1000 / 2.00 ms = 4000 rec/s, S = 1000 rec/s"), "{table}");
        assert!(table.contains("*Enrich"), "{table}");
        // Enrich: 1000/s × 2 ms = 2 busy subtasks / 0.7 → 3 → 4, a divisor of 128.
        assert!(table.contains("→ 4, a divisor of 128 key groups"), "{table}");
        // Source: 0.1 busy subtasks → 1, a divisor of 8 partitions.
        assert!(table.contains("recommended total: 11 fewer subtasks"), "{table}");
    }

    #[test]
    fn json_carries_the_schema_and_every_decision() {
        let report = crate::scan::analyse(&over_provisioned(), &ScanOptions::default());
        let json: serde_json::Value =
            serde_json::from_str(&report.to_json().expect("serialisable")).expect("valid JSON");
        assert_eq!(json["schema"], super::JSON_SCHEMA);
        let job = &json["jobs"][0];
        assert_eq!(job["decision"]["verdict"], "inconclusive");
        assert_eq!(job["evaluation"]["input_rate"]["kind"], "unknown");
        assert_eq!(job["decision"]["vertices"][1]["recommended"], 4);
        assert_eq!(job["evaluation"]["vertices"][1]["record_time"]["basis"], "record_timing");
    }
}
