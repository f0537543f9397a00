//! Stage 2: from the snapshot of one job to the quantities the rules talk about.
//!
//! Per vertex: P, T (ms per record), O and the input rate (records/s), busy time, capacity
//! C = P × 1000 ms / T and utilisation = input rate / C. Per job: the slowest vertex (largest T,
//! as the design defines it) and the input rate S. Pure: no I/O, no clock.

use std::collections::BTreeMap;

use serde::Serialize;

use super::kafka::KafkaSnapshot;
use super::options::DecideOptions;
use super::snapshot::{JobSnapshot, SlotSize, VertexSnapshot};
use super::topics::job_topics;

/// One job, evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct JobEvaluation {
    pub job_id: String,
    pub job_name: String,
    pub state: String,
    pub uptime_ms: Option<u64>,
    /// Running long enough for Flink's 60 s rate meters to mean something.
    pub settled: bool,
    pub vertices: Vec<VertexEvaluation>,
    /// Index into `vertices` of the vertex with the largest T.
    pub slowest: Option<usize>,
    /// S: the rate records arrive at the job's sources.
    pub input_rate: InputRate,
    /// Records the Kafka sources read per second (their operators' rate, summed): the
    /// consumer-side rate, compared with S in `cross_checks`.
    pub consumed_per_s: Option<f64>,
    /// The sources' backlog, records, summed over source vertices.
    pub lag_records: Option<f64>,
    /// S against what the sources read and their backlog, each a sentence: agreement, a source
    /// falling behind (lag growing), or catching up.
    pub cross_checks: Vec<String>,
    /// One TaskManager slot's resources, when every TaskManager has the same; for the saving.
    pub slot_size: Option<SlotSize>,
    /// Degraded or missing inputs, each said once: collection gaps, fallbacks, unsettled metrics.
    pub labels: Vec<String>,
    pub vanished: bool,
}

impl JobEvaluation {
    pub fn slowest_vertex(&self) -> Option<&VertexEvaluation> {
        self.slowest.and_then(|index| self.vertices.get(index))
    }
}

/// S and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InputRate {
    /// `basis` says how, in words; `from` is the kind of source, for programs.
    Known {
        records_per_s: f64,
        basis: String,
        from: RateBasis,
    },
    Unknown {
        reason: String,
    },
}

/// Where a known S comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateBasis {
    /// Growth of the topics' log-end offsets on the brokers: what arrives.
    BrokerOffsets,
    /// `--input-rate`.
    UserGiven,
    /// Some topics measured on the brokers, the others given with `--input-rate`.
    BrokerOffsetsAndUserGiven,
    /// What the Kafka sources read (Flink's source metrics): understates S while a source lags.
    ConsumerSide,
}

impl RateBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            RateBasis::BrokerOffsets => "broker offsets",
            RateBasis::UserGiven => "user-given",
            RateBasis::BrokerOffsetsAndUserGiven => "broker offsets + user-given",
            RateBasis::ConsumerSide => "consumer-side",
        }
    }
}

impl InputRate {
    pub fn value(&self) -> Option<f64> {
        match self {
            InputRate::Known { records_per_s, .. } => Some(*records_per_s),
            InputRate::Unknown { .. } => None,
        }
    }
}

/// Where T came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeBasis {
    /// `taskOneRecordDealTime` from the timing patch, max over subtasks.
    RecordTiming,
    /// No timing patch: `busyTimeMsPerSecond / numRecordsInPerSecond`, max over subtasks.
    BusyTime,
}

/// T, ms per record, with its basis.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RecordTime {
    pub ms: f64,
    pub basis: TimeBasis,
}

/// One vertex, evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct VertexEvaluation {
    pub id: String,
    pub name: String,
    pub parallelism: u32,
    pub max_parallelism: Option<u32>,
    pub is_source: bool,
    pub keyed_input: bool,
    pub slot_sharing_group: Option<String>,
    /// For a source: the fewest partitions among its topics' (each subtask beyond that idles).
    pub partitions: Option<u32>,
    pub record_time: Option<RecordTime>,
    /// O: records leaving the vertex per second, summed over subtasks.
    pub output_per_s: Option<f64>,
    /// Records entering the vertex per second, summed over subtasks (the load).
    pub input_per_s: Option<f64>,
    pub busy_ms_per_s_max: Option<f64>,
    /// C = P × 1000 / T, records/s.
    pub capacity_per_s: Option<f64>,
    /// Flink's own estimate: input rate × 1000 / max busy time (the autoscaler's "true
    /// processing rate"), records/s.
    pub busy_capacity_per_s: Option<f64>,
    /// Input rate / C.
    pub utilization: Option<f64>,
    /// Why a quantity is missing or approximate.
    pub notes: Vec<String>,
}

/// What a job is evaluated against besides its own snapshot: the user's rates, the brokers'
/// measurements and the cluster's slot size.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// `--input-rate` values, keyed by topic (or by job name or id, to give a job's S directly).
    pub input_rates: Option<&'a BTreeMap<String, f64>>,
    /// What the brokers said; `None` without Kafka access.
    pub kafka: Option<&'a KafkaSnapshot>,
    pub slot_size: Option<SlotSize>,
}

/// Evaluates one collected job with `--input-rate` values only (no broker access).
pub fn evaluate_job(job: &JobSnapshot, input_rates: &BTreeMap<String, f64>, options: &DecideOptions) -> JobEvaluation {
    evaluate_job_in(job, Context { input_rates: Some(input_rates), ..Context::default() }, options)
}

/// Evaluates one collected job in its context.
pub fn evaluate_job_in(job: &JobSnapshot, context: Context<'_>, options: &DecideOptions) -> JobEvaluation {
    let mut vertices: Vec<VertexEvaluation> = job.vertices.iter().map(evaluate_vertex).collect();
    let slowest = vertices
        .iter()
        .enumerate()
        .filter_map(|(index, vertex)| vertex.record_time.map(|time| (index, time.ms)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(index, _)| index);

    let mut labels = job.gaps.clone();
    if job.vanished {
        labels.push("job vanished during the scan (404): results are partial".to_owned());
    }
    let settled = match job.uptime_ms {
        Some(uptime) => uptime >= duration_ms(options.settle_time),
        None => true,
    };
    if let (false, Some(uptime)) = (settled, job.uptime_ms) {
        labels.push(format!(
            "metrics not settled: job running for {:.0} s, less than the {:.0} s settle time",
            uptime as f64 / 1000.0,
            options.settle_time.as_secs_f64()
        ));
    }
    if vertices.iter().any(|v| v.record_time.is_some_and(|t| t.basis == TimeBasis::BusyTime)) {
        labels.push(
            "no taskOneRecordDealTime (timing patch not installed?): T falls back to busy time / input rate".to_owned(),
        );
    }

    let no_rates = BTreeMap::new();
    let input_rates = context.input_rates.unwrap_or(&no_rates);
    let consumed_per_s = sum_of(job.vertices.iter().map(|v| v.metrics.consumed_per_s));
    let lag_records = sum_of(job.vertices.iter().map(|v| v.lag.as_ref().map(|lag| lag.records)));
    let lag_metric = job.vertices.iter().find_map(|v| v.lag.as_ref().map(|lag| lag.metric.as_str()));
    let input_rate = input_rate(job, input_rates, context.kafka, consumed_per_s, &mut labels);
    let cross_checks = cross_checks(&input_rate, consumed_per_s, lag_records.zip(lag_metric), options.tolerance);
    source_utilization_from_s(&mut vertices, input_rate.value());

    JobEvaluation {
        job_id: job.id.clone(),
        job_name: job.name.clone(),
        state: job.state.clone(),
        uptime_ms: job.uptime_ms,
        settled,
        input_rate,
        consumed_per_s,
        lag_records,
        cross_checks,
        slot_size: context.slot_size,
        vertices,
        slowest,
        labels,
        vanished: job.vanished,
    }
}

/// A Flink source task counts no records in, so a job's only source vertex gets its load, and
/// with it its utilisation, from S.
fn source_utilization_from_s(vertices: &mut [VertexEvaluation], s: Option<f64>) {
    let mut sources = vertices.iter_mut().filter(|vertex| vertex.is_source);
    let (Some(source), None, Some(s)) = (sources.next(), sources.next(), s) else { return };
    if source.input_per_s.is_some_and(|rate| rate > 0.0) {
        return; // A source task that does count its input (a legacy source): its own load.
    }
    if let Some(capacity) = source.capacity_per_s.filter(|c| *c > 0.0) {
        source.utilization = Some(s / capacity);
        source.notes.retain(|note| note != NO_SOURCE_INPUT_RATE);
        source.notes.push("utilisation = S / C: a source task counts no records in".to_owned());
    }
}

const NO_SOURCE_INPUT_RATE: &str = "no task-level input rate (a source vertex): utilisation needs S";

fn duration_ms(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn evaluate_vertex(vertex: &VertexSnapshot) -> VertexEvaluation {
    let metrics = &vertex.metrics;
    let mut notes = Vec::new();
    let parallelism = f64::from(vertex.parallelism);

    let record_time = match positive(metrics.record_time_ms_max) {
        Some(ms) => Some(RecordTime { ms, basis: TimeBasis::RecordTiming }),
        None => {
            let fallback = busy_time_per_record(vertex);
            match fallback {
                Some(_) => notes.push("T from busy time (no taskOneRecordDealTime)".to_owned()),
                None => {
                    notes.push("T unknown: neither taskOneRecordDealTime nor busy time with input records".to_owned())
                }
            }
            fallback.map(|ms| RecordTime { ms, basis: TimeBasis::BusyTime })
        }
    };

    let capacity_per_s = record_time.map(|time| parallelism * 1000.0 / time.ms);
    let input_per_s = metrics.records_in_per_s.filter(|rate| rate.is_finite() && *rate >= 0.0);
    let busy = metrics.busy_ms_per_s_max.filter(|busy| busy.is_finite() && *busy >= 0.0);
    let busy_capacity_per_s = match (input_per_s, busy) {
        (Some(rate), Some(busy)) if rate > 0.0 && busy > 0.0 => Some(rate * 1000.0 / busy),
        _ => None,
    };
    let utilization = match (input_per_s, capacity_per_s) {
        (Some(rate), Some(capacity)) if capacity > 0.0 => Some(rate / capacity),
        _ => None,
    };
    if input_per_s.is_none_or(|rate| rate == 0.0) && vertex.is_source {
        notes.push(NO_SOURCE_INPUT_RATE.to_owned());
    }

    VertexEvaluation {
        id: vertex.id.clone(),
        name: vertex.name.clone(),
        parallelism: vertex.parallelism,
        max_parallelism: vertex.max_parallelism,
        is_source: vertex.is_source,
        keyed_input: vertex.keyed_input,
        slot_sharing_group: vertex.slot_sharing_group.clone(),
        partitions: vertex.kafka_topics.values().copied().filter(|&p| p > 0).min(),
        record_time,
        output_per_s: metrics.records_out_per_s.filter(|rate| rate.is_finite() && *rate >= 0.0),
        input_per_s,
        busy_ms_per_s_max: busy,
        capacity_per_s,
        busy_capacity_per_s,
        utilization,
        notes,
    }
}

/// Flink's per-record time without the patch: busy ms per second / records per second, per
/// subtask, max over subtasks (the slowest subtask bounds the vertex). Without per-subtask values,
/// the aggregate max busy time over the mean input rate.
fn busy_time_per_record(vertex: &VertexSnapshot) -> Option<f64> {
    let per_subtask = vertex
        .metrics
        .subtasks
        .iter()
        .filter_map(|load| match (positive(load.busy_ms_per_s), positive(load.records_in_per_s)) {
            (Some(busy), Some(rate)) => Some(busy / rate),
            _ => None,
        })
        .max_by(f64::total_cmp);
    per_subtask.or_else(|| {
        let busy = positive(vertex.metrics.busy_ms_per_s_max)?;
        let rate = positive(vertex.metrics.records_in_per_s)?;
        (vertex.parallelism > 0).then(|| busy / (rate / f64::from(vertex.parallelism)))
    })
}

fn positive(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite() && *v > 0.0)
}

/// The sum of the values present; `None` when none is.
fn sum_of(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    values.flatten().filter(|v| v.is_finite()).fold(None, |sum, v| Some(sum.unwrap_or(0.0) + v))
}

/// S for one job, in order of precedence:
/// 1. a `--input-rate` keyed by the job's name or id;
/// 2. per topic the job reads: a `--input-rate` for the topic, else the brokers' measured rate —
///    when every topic has one;
/// 3. otherwise what the Kafka sources read (consumer-side), labelled with why;
/// 4. otherwise unknown, with why.
fn input_rate(
    job: &JobSnapshot,
    input_rates: &BTreeMap<String, f64>,
    kafka: Option<&KafkaSnapshot>,
    consumed_per_s: Option<f64>,
    labels: &mut Vec<String>,
) -> InputRate {
    for key in [&job.id, &job.name] {
        if let Some(&rate) = input_rates.get(key.as_str()) {
            return InputRate::Known {
                records_per_s: rate,
                basis: format!("--input-rate {key}={rate}"),
                from: RateBasis::UserGiven,
            };
        }
    }
    let topics = job_topics(job, kafka.map(|k| &k.topics));
    if topics.is_empty() {
        return InputRate::Unknown {
            reason: "S unknown: rules need the input rate (no Kafka source topic in the job's metric names or \
                     --sql; give --input-rate JOB=RATE)"
                .to_owned(),
        };
    }
    let mut total = 0.0;
    let (mut broker_parts, mut user_parts, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    let names = topics.exact.iter().chain(&topics.lossy);
    for topic in names {
        if let Some((key, rate)) = rate_for_topic(topic, input_rates) {
            total += rate;
            user_parts.push(format!("{key}={rate}"));
        } else if let Some(measured) = kafka.and_then(|k| k.rates.get(topic)) {
            total += measured.records_per_s;
            broker_parts.push(format!(
                "{topic} {} rec/s ({} records in {:.1} s over {} partitions)",
                super::decide::rate(measured.records_per_s),
                measured.records,
                measured.interval_s,
                measured.partitions
            ));
        } else {
            let why = match kafka {
                None => "no --kafka-bootstrap".to_owned(),
                Some(k) if !k.problems.is_empty() => "the brokers did not answer".to_owned(),
                Some(k) => k.unmeasured.get(topic).cloned().unwrap_or_else(|| "not measured".to_owned()),
            };
            missing.push(format!("{topic}: {why}"));
        }
    }
    missing.extend(topics.unresolved.iter().cloned());
    if missing.is_empty() {
        let from = match (broker_parts.is_empty(), user_parts.is_empty()) {
            (false, true) => RateBasis::BrokerOffsets,
            (true, false) => RateBasis::UserGiven,
            _ => RateBasis::BrokerOffsetsAndUserGiven,
        };
        let mut basis = Vec::new();
        if !broker_parts.is_empty() {
            basis.push(format!("broker offsets: {}", broker_parts.join(" + ")));
        }
        if !user_parts.is_empty() {
            basis.push(format!("--input-rate {}", user_parts.join(" + ")));
        }
        return InputRate::Known { records_per_s: total, basis: basis.join("; "), from };
    }
    match consumed_per_s {
        Some(consumed) => {
            labels.push(format!(
                "S is consumer-side: what the Kafka sources read, which understates what arrives while they lag \
                 (no broker rate for {})",
                missing.join("; ")
            ));
            InputRate::Known {
                records_per_s: consumed,
                basis: "consumer-side: Kafka source operators' numRecordsInPerSecond, summed".to_owned(),
                from: RateBasis::ConsumerSide,
            }
        }
        None => InputRate::Unknown {
            reason: format!(
                "S unknown: rules need the input rate (no rate for {}; give --kafka-bootstrap or --input-rate)",
                missing.join("; ")
            ),
        },
    }
}

/// Compares S with what the sources read, and reports their backlog.
fn cross_checks(
    input_rate: &InputRate,
    consumed_per_s: Option<f64>,
    lag: Option<(f64, &str)>,
    tolerance: f64,
) -> Vec<String> {
    use super::decide::rate;
    let lag_text =
        lag.map_or_else(String::new, |(records, metric)| format!("; backlog now {records:.0} records ({metric})"));
    let mut checks = Vec::new();
    match (input_rate, consumed_per_s) {
        (InputRate::Known { records_per_s: s, from, .. }, Some(consumed)) if *from != RateBasis::ConsumerSide => {
            let s = *s;
            if consumed < (1.0 - tolerance) * s {
                checks.push(format!(
                    "sources read {} rec/s but {} rec/s arrive ({}): the backlog grows by about {} rec/s — a source \
                     that cannot keep up or back-pressure from downstream{lag_text}",
                    rate(consumed),
                    rate(s),
                    from.as_str(),
                    rate(s - consumed)
                ));
            } else if consumed > (1.0 + tolerance) * s {
                checks.push(format!(
                    "sources read {} rec/s, more than the {} rec/s that arrive ({}): catching up on a backlog, or \
                     the rates cover different windows (Flink's is a 60 s average){lag_text}",
                    rate(consumed),
                    rate(s),
                    from.as_str()
                ));
            } else {
                checks.push(format!(
                    "sources read {} rec/s, S is {} rec/s ({}): they agree within ±{:.0} %{lag_text}",
                    rate(consumed),
                    rate(s),
                    from.as_str(),
                    tolerance * 100.0
                ));
            }
        }
        _ => {
            if let Some((records, metric)) = lag {
                checks.push(format!("backlog now {records:.0} records ({metric}); no broker-side S to compare with"));
            }
        }
    }
    checks
}

/// Matches a user's topic name to the lossy name in Flink's metrics (`orders.v1` → `orders_v1`).
fn rate_for_topic<'a>(metric_topic: &str, input_rates: &'a BTreeMap<String, f64>) -> Option<(&'a str, f64)> {
    input_rates
        .iter()
        .find(|(key, _)| key.as_str() == metric_topic || flink_metric_name(key) == metric_topic)
        .map(|(key, &rate)| (key.as_str(), rate))
}

/// Flink's `replaceInvalidChars` for metric group names.
pub fn flink_metric_name(name: &str) -> String {
    name.chars().map(|c| if matches!(c, '.' | ' ' | ',' | ':') { '_' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::snapshot::{SubtaskLoad, VertexMetrics};

    fn vertex(name: &str, parallelism: u32, metrics: VertexMetrics) -> VertexSnapshot {
        VertexSnapshot {
            id: format!("id-{name}"),
            name: name.to_owned(),
            parallelism,
            max_parallelism: Some(128),
            metrics,
            ..VertexSnapshot::default()
        }
    }

    fn job(vertices: Vec<VertexSnapshot>) -> JobSnapshot {
        JobSnapshot {
            id: "j1".to_owned(),
            name: "orders-job".to_owned(),
            state: "RUNNING".to_owned(),
            uptime_ms: Some(3_600_000),
            vertices,
            ..JobSnapshot::default()
        }
    }

    #[test]
    fn capacity_is_parallelism_over_record_time_and_slowest_has_largest_t() {
        let fast = vertex(
            "Fast",
            4,
            VertexMetrics { record_time_ms_max: Some(0.5), records_in_per_s: Some(1000.0), ..VertexMetrics::default() },
        );
        let slow = vertex(
            "Slow",
            2,
            VertexMetrics { record_time_ms_max: Some(1.6), records_in_per_s: Some(1000.0), ..VertexMetrics::default() },
        );
        let evaluation = evaluate_job(&job(vec![fast, slow]), &BTreeMap::new(), &DecideOptions::default());
        let slowest = evaluation.slowest_vertex().expect("a vertex has T");
        assert_eq!(slowest.name, "Slow");
        assert_eq!(slowest.capacity_per_s, Some(2.0 * 1000.0 / 1.6));
        assert_eq!(slowest.utilization, Some(1000.0 / 1250.0));
        assert_eq!(slowest.record_time.map(|t| t.basis), Some(TimeBasis::RecordTiming));
        assert!(evaluation.labels.is_empty(), "{:?}", evaluation.labels);
    }

    #[test]
    fn without_timing_patch_t_is_busy_time_per_record_of_the_slowest_subtask() {
        let metrics = VertexMetrics {
            records_in_per_s: Some(300.0),
            busy_ms_per_s_max: Some(600.0),
            subtasks: vec![
                SubtaskLoad { subtask: 0, busy_ms_per_s: Some(200.0), records_in_per_s: Some(100.0) },
                SubtaskLoad { subtask: 1, busy_ms_per_s: Some(600.0), records_in_per_s: Some(200.0) },
            ],
            ..VertexMetrics::default()
        };
        let evaluation =
            evaluate_job(&job(vec![vertex("Map", 2, metrics)]), &BTreeMap::new(), &DecideOptions::default());
        let time = evaluation.vertices[0].record_time.expect("busy-time fallback");
        assert_eq!(time, RecordTime { ms: 3.0, basis: TimeBasis::BusyTime });
        assert!(evaluation.labels.iter().any(|l| l.contains("falls back to busy time")), "{:?}", evaluation.labels);
    }

    #[test]
    fn s_sums_topic_rates_matching_flinks_lossy_names() {
        let mut source = vertex("Source: Orders", 2, VertexMetrics::default());
        source.is_source = true;
        source.kafka_topics = BTreeMap::from([("orders_v1".to_owned(), 6), ("refunds".to_owned(), 3)]);
        let rates = BTreeMap::from([("orders.v1".to_owned(), 1000.0), ("refunds".to_owned(), 50.0)]);
        let evaluation = evaluate_job(&job(vec![source.clone()]), &rates, &DecideOptions::default());
        assert_eq!(evaluation.input_rate.value(), Some(1050.0));
        assert_eq!(evaluation.vertices[0].partitions, Some(3));

        let partial = BTreeMap::from([("orders.v1".to_owned(), 1000.0)]);
        let evaluation = evaluate_job(&job(vec![source]), &partial, &DecideOptions::default());
        match evaluation.input_rate {
            InputRate::Unknown { reason } => {
                assert!(reason.starts_with("S unknown: rules need the input rate"), "{reason}");
                assert!(reason.contains("refunds"), "{reason}");
            }
            known => panic!("expected unknown S, got {known:?}"),
        }
    }

    #[test]
    fn a_rate_keyed_by_job_name_sets_s_directly() {
        let rates = BTreeMap::from([("orders-job".to_owned(), 800.0)]);
        let evaluation = evaluate_job(&job(vec![]), &rates, &DecideOptions::default());
        assert_eq!(evaluation.input_rate.value(), Some(800.0));
    }

    #[test]
    fn the_only_source_vertex_takes_its_utilisation_from_s() {
        let mut source = vertex(
            "Source: Orders",
            8,
            VertexMetrics { record_time_ms_max: Some(2.0), records_in_per_s: Some(0.0), ..VertexMetrics::default() },
        );
        source.is_source = true;
        let rates = BTreeMap::from([("orders-job".to_owned(), 400.0)]);
        let evaluation = evaluate_job(&job(vec![source]), &rates, &DecideOptions::default());
        let source = &evaluation.vertices[0];
        assert_eq!(source.utilization, Some(400.0 / 4000.0));
        assert!(!source.notes.iter().any(|note| note == NO_SOURCE_INPUT_RATE), "{:?}", source.notes);
    }

    #[test]
    fn a_young_job_is_labelled_unsettled() {
        let mut young = job(vec![]);
        young.uptime_ms = Some(24_398);
        let evaluation = evaluate_job(&young, &BTreeMap::new(), &DecideOptions::default());
        assert!(!evaluation.settled);
        assert!(evaluation.labels.iter().any(|l| l.starts_with("metrics not settled")), "{:?}", evaluation.labels);
    }

    #[test]
    fn flink_replaces_separator_characters_in_names() {
        assert_eq!(flink_metric_name("orders.v1-x y:z,w"), "orders_v1-x_y_z_w");
    }
}
