//! The embedded store of `serve`: every scan, each job's history and streak, and the GC analyses
//! pushed by sidecars, in one redb file (`<store>/rightsize.redb`).
//!
//! redb commits a transaction atomically (copy-on-write pages, checksummed commit slot), so a kill
//! mid-write leaves the state of the last committed scan, never half a scan. A scan is recorded
//! in one transaction: the scan, a history entry and the new state of every job. Values are JSON,
//! so a newer version can add optional fields and still read an older store.
//!
//! Retention ([`Retention`]): the newest `scans` scans are kept with each job's summary in them,
//! and of those the newest `evidence_scans` with the full evidence too (a 10-vertex job's
//! evidence is about 15 KB a scan, its summary under 1 KB). A job whose history is gone
//! entirely is forgotten, and so is a GC push older than the oldest scan kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use redb::{Database, ReadableTable, TableDefinition};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::rescale::RescaleRecord;
use super::streaks::Streak;
use crate::scan::decide::Verdict;
use crate::wire::GcPush;

/// Scan id → [`ScanRecord`].
const SCANS: TableDefinition<u64, &[u8]> = TableDefinition::new("scans");
/// (job id, scan id) → [`JobEntryBrief`].
const HISTORY: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("history");
/// (job id, scan id) → the job's report in that scan (the evidence of [`JobEntry`]).
const EVIDENCE: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("evidence");
/// Job id → [`JobState`].
const JOBS: TableDefinition<&str, &[u8]> = TableDefinition::new("jobs");
/// Agent id → the [`GcPush`] with the highest sequence.
const GC_PUSHES: TableDefinition<&str, &[u8]> = TableDefinition::new("gc_pushes");

/// Page cache of the store. redb's default (1 GiB) would let a long-running `serve` grow towards
/// the size of its history; the hot pages (job states, the newest history) fit in far less.
const CACHE_BYTES: usize = 32 << 20;

/// The file inside `--store`.
pub const FILE_NAME: &str = "rightsize.redb";

/// One scan of the cluster, successful or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanRecord {
    pub id: u64,
    /// When the scan started, ms since the epoch.
    pub started_at_ms: i64,
    pub duration_ms: u64,
    pub flink_url: String,
    /// Why the scan produced nothing (the JobManager unreachable); `None` for a scan that ran.
    pub error: Option<String>,
    /// Jobs scanned, and how many got each verdict.
    pub jobs: usize,
    pub verdicts: BTreeMap<String, usize>,
    /// Cluster-level problems met while collecting.
    pub problems: Vec<String>,
}

/// The numbers of one job in one scan that the page, the API and `/metrics` show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobSummary {
    pub job_id: String,
    pub job_name: String,
    pub verdict: Verdict,
    pub reason: String,
    /// Σ parallelism over the job's vertices.
    pub parallelism: u64,
    /// Σ recommended parallelism (the current one where there is no recommendation).
    pub recommended_parallelism: u64,
    /// `parallelism − recommended_parallelism`: subtasks saved (negative: needed).
    pub parallelism_change: i64,
    /// S, records/s.
    pub input_rate: Option<f64>,
    /// At the slowest vertex: its name, T (ms per record), C and O (records/s).
    pub slowest_vertex: Option<String>,
    pub record_time_ms: Option<f64>,
    pub capacity: Option<f64>,
    pub output_rate: Option<f64>,
    /// The memory advice, when the scan gave one.
    #[serde(default)]
    pub heap: HeapSummary,
}

/// The job's memory advice in brief: verdict, heap per TaskManager and the saving over all of
/// the job's TaskManagers (negative: heap to add).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HeapSummary {
    pub verdict: Option<String>,
    pub configured_bytes: Option<u64>,
    pub recommended_bytes: Option<u64>,
    pub saving_bytes: Option<i64>,
}

/// A job in one scan: the summary, the streak after it, and the full evidence (the scan report's
/// `JobReport` as JSON: every quantity, basis and explanation; `null` once past
/// [`Retention::evidence_scans`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobEntry {
    pub scan_id: u64,
    pub at_ms: i64,
    pub summary: JobSummary,
    pub streak: Streak,
    pub report: serde_json::Value,
}

/// A history entry without its evidence: what the page shows (reading it skips the report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobEntryBrief {
    pub scan_id: u64,
    pub at_ms: i64,
    pub summary: JobSummary,
    pub streak: Streak,
}

/// What `serve` knows about a job now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobState {
    pub job_id: String,
    pub job_name: String,
    pub last_scan_id: u64,
    pub last_seen_ms: i64,
    pub latest: JobSummary,
    pub streak: Streak,
    /// The last `serve --apply` outcome for this job, kept across streaks.
    #[serde(default)]
    pub last_rescale: Option<RescaleRecord>,
}

/// What became of a pushed GC analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PushOutcome {
    /// New: stored as the agent's current analysis.
    Stored,
    /// The same id was stored before (a retried push).
    Duplicate,
    /// The agent already pushed a higher sequence: a late retry, ignored.
    Stale,
}

/// A job's part of a scan, to record: its new state, its history entry and its evidence as
/// rendered JSON (a fraction of the memory of a `serde_json::Value` for 1,000 jobs).
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub state: JobState,
    pub entry: JobEntryBrief,
    pub evidence_json: Vec<u8>,
}

/// How much history the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Scans kept, with every job's summary in them.
    pub scans: u64,
    /// Of those, the newest scans whose full evidence is kept too.
    pub evidence_scans: u64,
}

/// The store; cheap to share (`&Store` across threads: redb serialises writers itself).
pub struct Store {
    db: Database,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the store in `dir`, creating the directory if needed.
    pub fn open(dir: &Path) -> anyhow::Result<Store> {
        std::fs::create_dir_all(dir).with_context(|| {
            format!("cannot create the store directory {}; choose another with --store", dir.display())
        })?;
        let path = dir.join(FILE_NAME);
        let db = Database::builder().set_cache_size(CACHE_BYTES).create(&path).map_err(|error| match error {
            redb::DatabaseError::DatabaseAlreadyOpen => anyhow::anyhow!(
                "the store {} is in use by another rightsize serve; give each its own --store",
                path.display()
            ),
            other => anyhow::anyhow!("cannot open the store {}: {other}", path.display()),
        })?;
        // Create every table, so that readers never meet a missing one.
        let write = db.begin_write()?;
        write.open_table(SCANS)?;
        write.open_table(HISTORY)?;
        write.open_table(EVIDENCE)?;
        write.open_table(JOBS)?;
        write.open_table(GC_PUSHES)?;
        write.commit()?;
        Ok(Store { db, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The id the next scan gets: one more than the last recorded.
    pub fn next_scan_id(&self) -> anyhow::Result<u64> {
        let read = self.db.begin_read()?;
        let scans = read.open_table(SCANS)?;
        let last = scans.last()?.map(|(id, _)| id.value());
        Ok(last.map_or(1, |id| id + 1))
    }

    /// Records a scan, its job entries and the jobs' new states in one transaction, then drops
    /// what falls out of the `retention`.
    pub fn record_scan(&self, scan: &ScanRecord, entries: &[NewEntry], retention: Retention) -> anyhow::Result<()> {
        let write = self.db.begin_write()?;
        {
            let mut scans = write.open_table(SCANS)?;
            let mut history = write.open_table(HISTORY)?;
            let mut evidence = write.open_table(EVIDENCE)?;
            let mut jobs = write.open_table(JOBS)?;
            scans.insert(scan.id, to_json(scan)?.as_slice())?;
            for NewEntry { state, entry, evidence_json } in entries {
                let key = (state.job_id.as_str(), entry.scan_id);
                history.insert(key, to_json(entry)?.as_slice())?;
                evidence.insert(key, evidence_json.as_slice())?;
                jobs.insert(state.job_id.as_str(), to_json(state)?.as_slice())?;
            }

            let first_kept = scan.id.saturating_sub(retention.scans.max(1)) + 1;
            let first_evidence_kept = scan.id.saturating_sub(retention.evidence_scans.max(1)) + 1;
            scans.retain(|id, _| id >= first_kept)?;
            let job_ids: Vec<String> =
                jobs.iter()?.map(|row| row.map(|(id, _)| id.value().to_owned())).collect::<Result<_, _>>()?;
            for job_id in job_ids {
                history.retain_in((job_id.as_str(), 0)..(job_id.as_str(), first_kept), |_, _| false)?;
                evidence.retain_in((job_id.as_str(), 0)..(job_id.as_str(), first_evidence_kept), |_, _| false)?;
                let remaining =
                    history.range((job_id.as_str(), first_kept)..=(job_id.as_str(), u64::MAX))?.next().is_some();
                if !remaining {
                    jobs.remove(job_id.as_str())?;
                }
            }
            let oldest_kept_ms = match scans.first()? {
                Some((_, value)) => from_json::<ScanRecord>(value.value())?.started_at_ms,
                None => i64::MIN,
            };
            let mut pushes = write.open_table(GC_PUSHES)?;
            pushes
                .retain(|_, value| from_json::<GcPush>(value).is_ok_and(|push| push.created_at_ms >= oldest_kept_ms))?;
        }
        write.commit()?;
        Ok(())
    }

    /// Marks the streak of a job as alerted, if it is still the streak that started at
    /// `since_scan` (a newer scan may have ended it meanwhile).
    pub fn mark_alerted(&self, job_id: &str, since_scan: Option<u64>) -> anyhow::Result<()> {
        let write = self.db.begin_write()?;
        {
            let mut jobs = write.open_table(JOBS)?;
            let state = match jobs.get(job_id)? {
                Some(value) => from_json::<JobState>(value.value())?,
                None => return Ok(()),
            };
            if state.streak.since_scan == since_scan && !state.streak.alerted {
                let mut state = state;
                state.streak.alerted = true;
                jobs.insert(job_id, to_json(&state)?.as_slice())?;
            }
        }
        write.commit()?;
        Ok(())
    }

    /// Records `serve --apply`'s outcome for the streak that began at `since_scan`.
    pub fn mark_rescaled(&self, job_id: &str, since_scan: Option<u64>, record: &RescaleRecord) -> anyhow::Result<()> {
        let write = self.db.begin_write()?;
        {
            let mut jobs = write.open_table(JOBS)?;
            let state = match jobs.get(job_id)? {
                Some(value) => from_json::<JobState>(value.value())?,
                None => return Ok(()),
            };
            if state.streak.since_scan == since_scan {
                let mut state = state;
                state.streak.rescaled = true;
                state.last_rescale = Some(record.clone());
                jobs.insert(job_id, to_json(&state)?.as_slice())?;
            }
        }
        write.commit()?;
        Ok(())
    }

    /// Every job known, by id.
    pub fn jobs(&self) -> anyhow::Result<Vec<JobState>> {
        let read = self.db.begin_read()?;
        let jobs = read.open_table(JOBS)?;
        jobs.iter()?.map(|row| from_json(row?.1.value())).collect()
    }

    pub fn job(&self, job_id: &str) -> anyhow::Result<Option<JobState>> {
        let read = self.db.begin_read()?;
        let jobs = read.open_table(JOBS)?;
        jobs.get(job_id)?.map(|value| from_json(value.value())).transpose()
    }

    /// A job's history with the evidence where it is still kept, newest first, at most `limit`.
    pub fn history(&self, job_id: &str, limit: usize) -> anyhow::Result<Vec<JobEntry>> {
        let read = self.db.begin_read()?;
        let evidence = read.open_table(EVIDENCE)?;
        self.history_briefs(job_id, limit)?
            .into_iter()
            .map(|brief| {
                let report = match evidence.get((job_id, brief.scan_id))? {
                    Some(value) => from_json(value.value())?,
                    None => serde_json::Value::Null,
                };
                let JobEntryBrief { scan_id, at_ms, summary, streak } = brief;
                Ok(JobEntry { scan_id, at_ms, summary, streak, report })
            })
            .collect()
    }

    /// [`Store::history`] without the evidence: what the page shows.
    pub fn history_briefs(&self, job_id: &str, limit: usize) -> anyhow::Result<Vec<JobEntryBrief>> {
        let read = self.db.begin_read()?;
        let history = read.open_table(HISTORY)?;
        history
            .range((job_id, 0)..=(job_id, u64::MAX))?
            .rev()
            .take(limit)
            .map(|row| from_json(row?.1.value()))
            .collect()
    }

    /// The newest `limit` scans, newest first.
    pub fn scans(&self, limit: usize) -> anyhow::Result<Vec<ScanRecord>> {
        let read = self.db.begin_read()?;
        let scans = read.open_table(SCANS)?;
        scans.iter()?.rev().take(limit).map(|row| from_json(row?.1.value())).collect()
    }

    /// Stores a sidecar's push unless it repeats or predates what the agent already pushed.
    pub fn put_gc_push(&self, push: &GcPush) -> anyhow::Result<PushOutcome> {
        let write = self.db.begin_write()?;
        let outcome = {
            let mut pushes = write.open_table(GC_PUSHES)?;
            let stored = pushes
                .get(push.agent.agent_id.as_str())?
                .map(|value| from_json::<GcPush>(value.value()))
                .transpose()?;
            let outcome = match stored {
                Some(stored) if stored.id == push.id => PushOutcome::Duplicate,
                Some(stored) if stored.sequence >= push.sequence => PushOutcome::Stale,
                _ => PushOutcome::Stored,
            };
            if outcome == PushOutcome::Stored {
                pushes.insert(push.agent.agent_id.as_str(), to_json(push)?.as_slice())?;
            }
            outcome
        };
        write.commit()?;
        Ok(outcome)
    }

    /// The current GC analysis of every agent, by agent id.
    pub fn gc_pushes(&self) -> anyhow::Result<Vec<GcPush>> {
        let read = self.db.begin_read()?;
        let pushes = read.open_table(GC_PUSHES)?;
        pushes.iter()?.map(|row| from_json(row?.1.value())).collect()
    }
}

fn to_json<T: Serialize>(value: &T) -> anyhow::Result<Vec<u8>> {
    Ok(serde_json::to_vec(value)?)
}

fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> anyhow::Result<T> {
    serde_json::from_slice(bytes).context("a record in the store is not readable by this version of rightsize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::decide::Verdict;
    use crate::wire::{AgentIdentity, GC_PUSH_SCHEMA};

    fn summary(job: &str, verdict: Verdict) -> JobSummary {
        JobSummary {
            job_id: job.into(),
            job_name: format!("name of {job}"),
            verdict,
            reason: "rule 1".into(),
            parallelism: 16,
            recommended_parallelism: 5,
            parallelism_change: 11,
            input_rate: Some(1000.0),
            slowest_vertex: Some("Enrich".into()),
            record_time_ms: Some(2.0),
            capacity: Some(4000.0),
            output_rate: Some(1000.0),
            heap: HeapSummary::default(),
        }
    }

    fn scan(store: &Store, jobs: &[&str], keep: u64) -> u64 {
        let id = store.next_scan_id().expect("next id");
        let record = ScanRecord {
            id,
            started_at_ms: id as i64 * 1000,
            duration_ms: 5,
            flink_url: "http://jm:8081".into(),
            error: None,
            jobs: jobs.len(),
            verdicts: BTreeMap::from([("reduce".into(), jobs.len())]),
            problems: Vec::new(),
        };
        let entries: Vec<NewEntry> = jobs
            .iter()
            .map(|job| {
                let previous = store.job(job).expect("read").map(|state| state.streak).unwrap_or_default();
                let streak = previous.advance(Verdict::Reduce, id, record.started_at_ms);
                let summary = summary(job, Verdict::Reduce);
                let state = JobState {
                    job_id: (*job).into(),
                    job_name: summary.job_name.clone(),
                    last_scan_id: id,
                    last_seen_ms: record.started_at_ms,
                    latest: summary.clone(),
                    streak: streak.clone(),
                    last_rescale: None,
                };
                let entry = JobEntryBrief { scan_id: id, at_ms: record.started_at_ms, summary, streak };
                let evidence_json = serde_json::to_vec(&serde_json::json!({"evidence": id})).expect("JSON");
                NewEntry { state, entry, evidence_json }
            })
            .collect();
        store.record_scan(&record, &entries, Retention { scans: keep, evidence_scans: 1 }).expect("recorded");
        id
    }

    fn push(agent: &str, id: &str, sequence: u64, created_at_ms: i64) -> GcPush {
        GcPush {
            schema: GC_PUSH_SCHEMA.into(),
            id: id.into(),
            agent: AgentIdentity {
                agent_id: agent.into(),
                taskmanager_id: None,
                host: "h".into(),
                pod: None,
                namespace: None,
            },
            sequence,
            created_at_ms,
            report: serde_json::json!({}),
        }
    }

    #[test]
    fn state_and_history_survive_reopening() {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let store = Store::open(dir.path()).expect("open");
            scan(&store, &["a", "b"], 10);
            scan(&store, &["a"], 10);
        }
        let store = Store::open(dir.path()).expect("reopen");
        assert_eq!(store.next_scan_id().expect("id"), 3);
        let a = store.job("a").expect("read").expect("job a");
        assert_eq!((a.streak.hits, a.last_scan_id), (2, 2));
        assert_eq!(store.job("b").expect("read").expect("job b").streak.hits, 1);
        let history = store.history("a", 10).expect("history");
        assert_eq!(history.iter().map(|e| e.scan_id).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(history[0].report["evidence"], 2);
        assert!(history[1].report.is_null(), "evidence past the newest scan is dropped, the summary kept");
        assert_eq!(history[1].summary.verdict, Verdict::Reduce);
        assert_eq!(store.scans(10).expect("scans").iter().map(|s| s.id).collect::<Vec<_>>(), [2, 1]);
    }

    #[test]
    fn only_the_newest_scans_are_kept_and_forgotten_jobs_go() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("open");
        store.put_gc_push(&push("old-agent", "x", 1, 0)).expect("push");
        scan(&store, &["gone"], 2);
        store.put_gc_push(&push("agent", "y", 1, 3500)).expect("push");
        for _ in 0..3 {
            scan(&store, &["stays"], 2);
        }
        assert_eq!(store.scans(10).expect("scans").iter().map(|s| s.id).collect::<Vec<_>>(), [4, 3]);
        assert_eq!(store.history("stays", 10).expect("history").len(), 2);
        assert!(store.history("gone", 10).expect("history").is_empty());
        assert!(store.job("gone").expect("read").is_none());
        assert_eq!(store.job("stays").expect("read").expect("kept").streak.hits, 3);
        // Scan 3 started at 3000 ms: the push at 0 ms is older than any scan kept.
        let agents: Vec<String> = store.gc_pushes().expect("pushes").into_iter().map(|p| p.agent.agent_id).collect();
        assert_eq!(agents, ["agent"]);
    }

    #[test]
    fn pushes_are_idempotent_and_keep_the_highest_sequence() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("open");
        assert_eq!(store.put_gc_push(&push("tm-1", "tm-1:5", 5, 0)).expect("push"), PushOutcome::Stored);
        assert_eq!(store.put_gc_push(&push("tm-1", "tm-1:5", 5, 0)).expect("push"), PushOutcome::Duplicate);
        assert_eq!(store.put_gc_push(&push("tm-1", "tm-1:4", 4, 0)).expect("push"), PushOutcome::Stale);
        assert_eq!(store.put_gc_push(&push("tm-1", "tm-1:6", 6, 0)).expect("push"), PushOutcome::Stored);
        assert_eq!(store.put_gc_push(&push("tm-2", "tm-2:1", 1, 0)).expect("push"), PushOutcome::Stored);
        let pushes = store.gc_pushes().expect("pushes");
        assert_eq!(
            pushes.iter().map(|p| (p.agent.agent_id.as_str(), p.sequence)).collect::<Vec<_>>(),
            [("tm-1", 6), ("tm-2", 1)]
        );
    }

    #[test]
    fn alerted_marks_only_the_streak_it_was_sent_for() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("open");
        scan(&store, &["a"], 10);
        store.mark_alerted("a", Some(99)).expect("mark");
        assert!(!store.job("a").expect("read").expect("a").streak.alerted);
        store.mark_alerted("a", Some(1)).expect("mark");
        assert!(store.job("a").expect("read").expect("a").streak.alerted);
        store.mark_alerted("nobody", Some(1)).expect("an unknown job is no error");
    }

    #[test]
    fn a_second_server_on_the_same_store_is_told_to_use_its_own() {
        let dir = tempfile::tempdir().expect("temp dir");
        let _first = Store::open(dir.path()).expect("open");
        let error = Store::open(dir.path()).err().expect("second open fails").to_string();
        assert!(error.contains("--store"), "{error}");
    }
}
