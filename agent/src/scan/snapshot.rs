//! What the cluster answered, as plain data: the boundary between I/O (`collect`) and the pure
//! stages (`evaluate`, `decide`). Every field that REST may fail to give is an `Option`, and every
//! gap carries a label saying what is missing and why.

use std::collections::BTreeMap;

use serde::Serialize;

pub use super::kafka::KafkaSnapshot;

/// One scan of one Flink cluster.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClusterSnapshot {
    pub flink_url: String,
    pub jobs: Vec<JobSnapshot>,
    /// Cluster-level gaps, e.g. no running job at all.
    pub problems: Vec<String>,
    /// The resources of one TaskManager slot, from `/taskmanagers`, when every TaskManager has the
    /// same slot size; `None` when unknown or mixed.
    pub slot_size: Option<SlotSize>,
    /// What the Kafka brokers said; `None` without `--kafka-bootstrap`.
    pub kafka: Option<KafkaSnapshot>,
    /// The TaskManagers behind the jobs and their GC logs; `None` when memory advice is off.
    #[serde(skip)]
    pub memory: Option<super::memory::MemorySnapshot>,
}

/// The resources one slot stands for: a TaskManager's total divided by its slots.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SlotSize {
    pub cpu_cores: f64,
    /// The TaskManager's total process memory / its slots, bytes.
    pub memory_bytes: u64,
}

/// One job as collected.
#[derive(Debug, Clone, Default, Serialize)]
pub struct JobSnapshot {
    pub id: String,
    pub name: String,
    pub state: String,
    /// Time since the job last entered RUNNING (a restart resets it): `now − timestamps.RUNNING`
    /// of `/jobs/:jid`.
    pub uptime_ms: Option<u64>,
    pub vertices: Vec<VertexSnapshot>,
    /// What could not be collected, one human-readable label each. Empty = complete.
    pub gaps: Vec<String>,
    /// The job disappeared (404) during the scan; whatever was collected before is kept.
    pub vanished: bool,
    /// The `--sql` script matched to this job, with its Kafka source topics.
    pub sql: Option<SqlMatch>,
}

/// A SQL script's Kafka sources, matched to a running job.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SqlMatch {
    pub file: String,
    /// How the script was matched to the job (pipeline name, source table names, only job).
    pub matched_by: String,
    /// Exact topic names of the script's Kafka source tables.
    pub topics: Vec<String>,
    /// `topic-pattern`s of its Kafka source tables, expanded against the brokers' topic list.
    pub patterns: Vec<String>,
}

/// One job vertex (a chain of operators running as one task).
#[derive(Debug, Clone, Default, Serialize)]
pub struct VertexSnapshot {
    pub id: String,
    pub name: String,
    pub parallelism: u32,
    /// Key groups: the upper bound of parallelism. `None` when Flink reports none (-1).
    pub max_parallelism: Option<u32>,
    /// No inputs in the job plan: a source vertex.
    pub is_source: bool,
    /// Fed by a HASH (keyBy) edge: parallelism is best a divisor of the key groups.
    pub keyed_input: bool,
    /// Kafka topics this (source) vertex reads, found in its metric names, with the number of
    /// distinct partitions seen (the most subtasks the source can keep busy). Names are as Flink
    /// shows them: lossy, with `.`, ` `, `,`, `:` replaced by `_`.
    pub kafka_topics: BTreeMap<String, u32>,
    /// Vertices in one slot sharing group share slots: the group needs as many as its largest
    /// parallelism. `None` when Flink does not say.
    pub slot_sharing_group: Option<String>,
    /// Records the source has yet to read, summed over subtasks (Kafka sources only).
    pub lag: Option<SourceLag>,
    pub metrics: VertexMetrics,
}

/// A source's backlog in records, and which metric said so.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceLag {
    pub records: f64,
    /// `pendingRecords` (FLIP-33, sum of the partitions' lag) or the Kafka consumer's
    /// `records-lag-max` (the largest partition's lag, a lower bound).
    pub metric: String,
}

/// Task-level metrics of one vertex, aggregated over its subtasks by the JobManager.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VertexMetrics {
    /// `taskOneRecordDealTime`, max over subtasks, ms per record. `None` on a cluster without the
    /// timing patch (the id is then silently absent).
    pub record_time_ms_max: Option<f64>,
    /// `numRecordsOutPerSecond`, sum over subtasks.
    pub records_out_per_s: Option<f64>,
    /// `numRecordsInPerSecond`, sum over subtasks.
    pub records_in_per_s: Option<f64>,
    /// `busyTimeMsPerSecond`, max over subtasks (NaN from legacy sources is dropped).
    pub busy_ms_per_s_max: Option<f64>,
    /// Records the vertex's Kafka source operators read per second (their operator-level
    /// `numRecordsInPerSecond`, else `numRecordsOutPerSecond`), summed over subtasks: the
    /// consumer-side rate.
    pub consumed_per_s: Option<f64>,
    /// Per-subtask busy time and input rate, collected only when `record_time_ms_max` is missing,
    /// for the busy-time fallback of T.
    pub subtasks: Vec<SubtaskLoad>,
}

/// Busy time and input rate of one subtask.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SubtaskLoad {
    pub subtask: u32,
    pub busy_ms_per_s: Option<f64>,
    pub records_in_per_s: Option<f64>,
}
