//! Which Kafka topics each job reads, by exact name: from its `--sql` script when one matches
//! it, and from the topic names in its Kafka source metrics, which Flink makes lossy (`.`, ` `,
//! `,`, `:` → `_`) and which are resolved against the brokers' topic list.
//!
//! A script is matched to a running job by, in order:
//! 1. `pipeline.name`: the script's `SET 'pipeline.name'` in effect at the job's INSERT equals the
//!    job's name;
//! 2. source tables: every Kafka source table of the script's job appears as a source vertex
//!    (`Source: <table>[n]`) of the running job, and no other script job fits as well;
//! 3. the only one: one job runs and the scripts hold one job between them.
//!
//! Otherwise the script is not applied, and the report says so.

use std::collections::{BTreeMap, BTreeSet};

use super::evaluate::flink_metric_name;
use super::kafka::{match_metric_topic, TopicMatch};
use super::snapshot::{JobSnapshot, SqlMatch};
use super::sql::{expand_pattern, SqlJob, SqlScript};

/// A job's topics: those known by exact name, and what could not be resolved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobTopics {
    pub exact: BTreeSet<String>,
    /// Metric topic names left lossy because there is no broker list to resolve them against.
    pub lossy: BTreeSet<String>,
    /// Why a topic the job reads has no exact name: ambiguous, missing on the brokers, a pattern
    /// without broker access.
    pub unresolved: Vec<String>,
}

impl JobTopics {
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.lossy.is_empty() && self.unresolved.is_empty()
    }
}

/// Resolves a job's topics. `broker_topics` is the brokers' list, `None` without Kafka access.
pub fn job_topics(job: &JobSnapshot, broker_topics: Option<&BTreeMap<String, u32>>) -> JobTopics {
    let mut topics = JobTopics::default();
    if let Some(sql) = &job.sql {
        topics.exact.extend(sql.topics.iter().cloned());
        for pattern in &sql.patterns {
            match broker_topics.map(|list| expand_pattern(pattern, list.keys())) {
                Some(Ok(matched)) if !matched.is_empty() => topics.exact.extend(matched),
                Some(Ok(_)) => topics.unresolved.push(format!("topic-pattern '{pattern}' matches no topic")),
                Some(Err(problem)) => topics.unresolved.push(problem),
                None => topics
                    .unresolved
                    .push(format!("topic-pattern '{pattern}' needs the brokers' topic list (--kafka-bootstrap)")),
            }
        }
    }
    let metric_names: BTreeSet<&String> = job.vertices.iter().flat_map(|v| v.kafka_topics.keys()).collect();
    for metric_name in metric_names {
        if topics.exact.iter().any(|topic| flink_metric_name(topic) == *metric_name) {
            continue; // The SQL already names it exactly.
        }
        let Some(list) = broker_topics else {
            topics.lossy.insert(metric_name.clone());
            continue;
        };
        match match_metric_topic(metric_name, list.keys()) {
            TopicMatch::One(topic) => {
                topics.exact.insert(topic);
            }
            TopicMatch::Ambiguous(candidates) => topics.unresolved.push(format!(
                "topic '{metric_name}' in Flink's metrics may be any of {} on the brokers: give the job's SQL \
                 (--sql) or --input-rate",
                candidates.join(", ")
            )),
            TopicMatch::Missing => topics
                .unresolved
                .push(format!("topic '{metric_name}' from Flink's metrics is not on the brokers at --kafka-bootstrap")),
        }
    }
    topics
}

/// Attaches each script job to the running job it describes (see the module doc for the rules).
/// Returns what could not be matched, as problems for the report.
pub fn match_scripts(jobs: &mut [JobSnapshot], scripts: &[SqlScript]) -> Vec<String> {
    let candidates: Vec<(&str, &SqlJob)> =
        scripts.iter().flat_map(|script| script.jobs.iter().map(move |job| (script.file.as_str(), job))).collect();
    let mut used = BTreeSet::new();
    let only_one = jobs.len() == 1 && candidates.len() == 1;
    for job in jobs.iter_mut() {
        let by_name = candidates
            .iter()
            .enumerate()
            .find(|(_, (_, sql))| !job.name.is_empty() && sql.pipeline_name.as_deref() == Some(job.name.as_str()));
        let found = match by_name {
            Some((index, _)) => Some((index, "pipeline.name equals the job name".to_owned())),
            None => {
                let fitting: Vec<usize> = candidates
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, sql))| sources_fit(job, sql))
                    .map(|(index, _)| index)
                    .collect();
                match fitting.as_slice() {
                    [index] => Some((*index, "its Kafka source tables are the job's source vertices".to_owned())),
                    _ if only_one => Some((0, "the only running job and the only SQL job".to_owned())),
                    _ => None,
                }
            }
        };
        if let Some((index, matched_by)) = found {
            let (file, sql) = candidates[index];
            used.insert(index);
            job.sql = Some(SqlMatch {
                file: file.to_owned(),
                matched_by,
                topics: sql.kafka_sources.iter().flat_map(|k| k.topics.iter().cloned()).collect(),
                patterns: sql.kafka_sources.iter().filter_map(|k| k.topic_pattern.clone()).collect(),
            });
        }
    }
    candidates
        .iter()
        .enumerate()
        .filter(|(index, (_, sql))| !used.contains(index) && !sql.kafka_sources.is_empty())
        .map(|(_, (file, sql))| {
            let what = sql
                .pipeline_name
                .as_deref()
                .map_or_else(|| format!("the job writing {}", sql.sinks.join(", ")), |name| format!("job '{name}'"));
            format!("{file}: {what} matches no running job (by pipeline.name or source tables)")
        })
        .collect()
}

/// Every Kafka source table of the script job shows as a source vertex `Source: <table>[n]`.
fn sources_fit(job: &JobSnapshot, sql: &SqlJob) -> bool {
    !sql.kafka_sources.is_empty()
        && sql.kafka_sources.iter().all(|kafka| {
            let needle = format!("Source: {}[", kafka.table);
            job.vertices.iter().any(|vertex| vertex.is_source && vertex.name.contains(&needle))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::snapshot::VertexSnapshot;
    use crate::scan::sql::parse_script;

    fn running(name: &str, source_vertex: &str, metric_topics: &[&str]) -> JobSnapshot {
        JobSnapshot {
            id: format!("id-{name}"),
            name: name.to_owned(),
            vertices: vec![VertexSnapshot {
                name: source_vertex.to_owned(),
                is_source: true,
                kafka_topics: metric_topics.iter().map(|t| ((*t).to_owned(), 1)).collect(),
                ..VertexSnapshot::default()
            }],
            ..JobSnapshot::default()
        }
    }

    const SCRIPT: &str = "
        CREATE TABLE orders (id INT) WITH ('connector' = 'kafka', 'topic' = 'orders.v1');
        CREATE TABLE refunds (id INT) WITH ('connector' = 'kafka', 'topic-pattern' = 'refunds\\..*');
        CREATE TABLE out1 (id INT) WITH ('connector' = 'blackhole');
        SET 'pipeline.name' = 'named';
        INSERT INTO out1 SELECT id FROM refunds;
        RESET 'pipeline.name';
        INSERT INTO out1 SELECT id FROM orders;
    ";

    #[test]
    fn scripts_match_by_pipeline_name_then_by_source_tables() {
        let script = parse_script("jobs.sql", SCRIPT).expect("parses");
        let mut jobs = vec![
            running("insert-into_default_catalog.default_database.out1", "Source: orders[1] -> Calc[2]", &[]),
            running("named", "Source: refunds[1]", &[]),
            running("other", "Source: clicks[1]", &[]),
        ];
        let problems = match_scripts(&mut jobs, &[script]);
        assert!(problems.is_empty(), "{problems:?}");
        let first = jobs[0].sql.as_ref().expect("matched by source table");
        assert_eq!(first.topics, ["orders.v1"]);
        assert!(first.matched_by.contains("source tables"), "{}", first.matched_by);
        let second = jobs[1].sql.as_ref().expect("matched by name");
        assert_eq!(second.patterns, [r"refunds\..*"]);
        assert!(jobs[2].sql.is_none());
    }

    #[test]
    fn an_unmatched_script_job_is_reported() {
        let script = parse_script("jobs.sql", SCRIPT).expect("parses");
        let mut jobs = vec![running("other", "Source: clicks[1]", &[])];
        let problems = match_scripts(&mut jobs, &[script]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("job 'named' matches no running job"), "{problems:?}");
    }

    #[test]
    fn metric_topics_resolve_against_brokers_and_sql_names_win() {
        let brokers: BTreeMap<String, u32> =
            [("orders.v1", 8), ("a.b", 1), ("a_b", 1), ("refunds.eu", 2), ("refunds.us", 2)]
                .into_iter()
                .map(|(t, p)| (t.to_owned(), p))
                .collect();
        let mut job = running("j", "Source: x[1]", &["orders_v1", "a_b", "gone"]);
        let topics = job_topics(&job, Some(&brokers));
        assert_eq!(topics.exact, BTreeSet::from(["orders.v1".to_owned()]));
        assert_eq!(topics.unresolved.len(), 2, "{:?}", topics.unresolved);
        assert!(topics.unresolved[0].contains("may be any of a.b, a_b"), "{:?}", topics.unresolved);
        assert!(topics.unresolved[1].contains("'gone'"), "{:?}", topics.unresolved);

        job.sql = Some(SqlMatch {
            topics: vec!["a_b".to_owned()],
            patterns: vec![r"refunds\..*".to_owned()],
            ..SqlMatch::default()
        });
        let topics = job_topics(&job, Some(&brokers));
        let expected = ["a_b", "orders.v1", "refunds.eu", "refunds.us"];
        assert_eq!(topics.exact, expected.iter().map(|t| (*t).to_owned()).collect());
        assert_eq!(topics.unresolved.len(), 1, "only 'gone' is left: {:?}", topics.unresolved);

        let without_brokers = job_topics(&job, None);
        assert_eq!(without_brokers.lossy, BTreeSet::from(["gone".to_owned(), "orders_v1".to_owned()]));
        assert!(without_brokers.unresolved[0].contains("needs the brokers' topic list"));
    }
}
