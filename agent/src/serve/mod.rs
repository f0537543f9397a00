//! `rightsize serve`: the scanner on a schedule, with memory.
//!
//! Every `interval` it runs the scan pipeline (`scan::collect_all` → `scan::collect_memory` with the
//! sidecars' pushes → `scan::analyse`), records the scan and each job's evidence and verdict in
//! the [`store`], advances each job's [`streaks`] (reported only after N consecutive scans with
//! the same advice), sends one [`alert`] per confirmed streak to a webhook, and with `--apply`
//! [`rescale`]s the job in place. Between scans it serves what it knows over HTTP ([`api`]): JSON,
//! Prometheus `/metrics` and an HTML [`page`], and accepts the GC analyses that sidecars push.
//!
//! The decision stays in `scan` and the hysteresis in `streaks`, both pure; this module only
//! sequences them with the I/O.

pub mod alert;
pub mod api;
pub mod page;
pub mod rescale;
pub mod store;
pub mod streaks;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::scan;
use crate::scan::options::ScanOptions;
use crate::scan::report::JobReport;
use alert::{Alert, Webhook, WebhookOptions};
use store::{HeapSummary, JobEntryBrief, JobState, JobSummary, NewEntry, Retention, ScanRecord, Store};

/// Default `--listen`: loopback, a port of its own.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9731";

/// Every option of `serve`, with its default.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// How each scan talks to Flink and judges (the flags of `rightsize scan`).
    pub scan: ScanOptions,
    /// Time from the start of one scan to the start of the next. Default 5 min: Flink's rates
    /// are 60 s meters, so scans closer than a few minutes see the same traffic twice.
    pub interval: Duration,
    /// Directory of the store. Default `rightsize-store` in the working directory.
    pub store_dir: PathBuf,
    /// Where the HTTP endpoints listen. Default [`DEFAULT_LISTEN`].
    pub listen: SocketAddr,
    /// Bearer token the HTTP endpoints require (all but `/healthz`). Default none.
    pub api_token: Option<String>,
    /// Where alerts go. Default none: streaks are still counted and shown.
    pub webhook: Option<WebhookOptions>,
    /// Consecutive scans with the same advice before a job is reported and alerted. Default 3.
    pub alert_after: u32,
    /// Apply a confirmed parallelism advice in place (adaptive scheduler). Default false: advise.
    pub apply: bool,
    /// History kept in the store. Default: 288 scans (one day at the default interval) of
    /// summaries, under 1 KB per job and scan; 12 scans (an hour) of full evidence, about 15 KB
    /// per scan of a 10-vertex job.
    pub retention: Retention,
    /// Stop after this many scans (for a one-off run or a test). Default none: run until stopped.
    pub max_scans: Option<u64>,
}

impl ServeOptions {
    pub fn new(scan: ScanOptions) -> Self {
        ServeOptions {
            scan,
            interval: Duration::from_secs(300),
            store_dir: PathBuf::from("rightsize-store"),
            listen: DEFAULT_LISTEN.parse().expect("a valid default address"),
            api_token: None,
            webhook: None,
            alert_after: 3,
            apply: false,
            retention: Retention { scans: 288, evidence_scans: 12 },
            max_scans: None,
        }
    }
}

/// Counters since this process started, for `/metrics`.
#[derive(Debug, Clone, Default)]
pub struct RunStats {
    pub scans: u64,
    pub scan_failures: u64,
    pub alerts_sent: u64,
    pub alert_failures: u64,
    pub rescales_applied: u64,
    pub rescales_refused: u64,
    pub rescale_failures: u64,
    pub last_scan_duration: Option<Duration>,
    pub last_scan_at_ms: Option<i64>,
}

/// The running service: options, store, webhook and counters, shared by the scan loop and the
/// HTTP workers.
pub struct Service {
    pub options: ServeOptions,
    pub store: Store,
    webhook: Option<Webhook>,
    stats: Mutex<RunStats>,
}

impl Service {
    /// Opens the store; fails with a message naming `--store` when it cannot.
    pub fn open(options: ServeOptions) -> anyhow::Result<Service> {
        let store = Store::open(&options.store_dir)?;
        let webhook = options.webhook.clone().map(Webhook::new);
        Ok(Service { options, store, webhook, stats: Mutex::new(RunStats::default()) })
    }

    pub fn stats(&self) -> RunStats {
        self.stats.lock().map(|stats| stats.clone()).unwrap_or_default()
    }

    fn update_stats(&self, change: impl FnOnce(&mut RunStats)) {
        if let Ok(mut stats) = self.stats.lock() {
            change(&mut stats);
        }
    }

    /// Scans every `interval` until `stop` is set (or `max_scans` are done).
    pub fn run(&self, stop: &AtomicBool) {
        let mut done = 0u64;
        while !stop.load(Ordering::Relaxed) {
            let started = Instant::now();
            if let Err(error) = self.scan_once() {
                tracing::error!("scan not recorded: {error:#}");
            }
            done += 1;
            if self.options.max_scans.is_some_and(|max| done >= max) {
                break;
            }
            let elapsed = started.elapsed();
            if elapsed > self.options.interval {
                tracing::warn!(
                    "the scan took {elapsed:.1?}, longer than --interval {:?}: scanning again at once",
                    self.options.interval
                );
            }
            sleep_unless_stopped(self.options.interval.saturating_sub(elapsed), stop);
        }
    }

    /// One scan: collect, analyse, record, alert. `Err` only when the store cannot be written;
    /// an unreachable JobManager is recorded as a failed scan.
    pub fn scan_once(&self) -> anyhow::Result<ScanRecord> {
        let started = Instant::now();
        let started_at_ms = now_ms();
        let scan_id = self.store.next_scan_id()?;
        let flink_url = self.options.scan.collect.flink_url.clone();
        let collected = scan::collect_all(&self.options.scan, &|_, _| {});
        let duration_ms = |started: Instant| u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);

        let mut snapshot = match collected {
            Ok(snapshot) => snapshot,
            Err(unreachable) => {
                let record = ScanRecord {
                    id: scan_id,
                    started_at_ms,
                    duration_ms: duration_ms(started),
                    flink_url,
                    error: Some(unreachable.to_string()),
                    jobs: 0,
                    verdicts: BTreeMap::new(),
                    problems: Vec::new(),
                };
                tracing::warn!("scan {scan_id} failed: {unreachable}");
                // No evidence about any job: streaks stay as they are.
                self.store.record_scan(&record, &[], self.options.retention)?;
                self.finish_scan(&record, true);
                return Ok(record);
            }
        };
        // The memory advice reads the GC analyses the sidecars pushed, else downloads the logs.
        scan::collect_memory(&mut snapshot, &self.options.scan, &self.store.gc_pushes()?);
        let report = scan::analyse(&snapshot, &self.options.scan);

        let mut verdicts: BTreeMap<String, usize> = BTreeMap::new();
        let mut entries = Vec::with_capacity(report.jobs.len());
        for job in &report.jobs {
            let summary = summarize(job);
            *verdicts.entry(summary.verdict.as_str().to_owned()).or_default() += 1;
            let previous = self.store.job(&summary.job_id)?;
            let last_rescale = previous.as_ref().and_then(|state| state.last_rescale.clone());
            let previous = previous.map(|state| state.streak).unwrap_or_default();
            let mut streak = previous.advance(summary.verdict, scan_id, started_at_ms);
            if self.webhook.is_none() && streak.confirmed(self.options.alert_after) {
                streak.alerted = true; // Nowhere to send it: the page and /metrics show it.
            }
            let state = JobState {
                job_id: summary.job_id.clone(),
                job_name: summary.job_name.clone(),
                last_scan_id: scan_id,
                last_seen_ms: started_at_ms,
                latest: summary.clone(),
                streak: streak.clone(),
                last_rescale,
            };
            let entry = JobEntryBrief { scan_id, at_ms: started_at_ms, summary, streak };
            entries.push(NewEntry { state, entry, evidence_json: serde_json::to_vec(job)? });
        }
        let record = ScanRecord {
            id: scan_id,
            started_at_ms,
            duration_ms: duration_ms(started),
            flink_url: report.flink_url.clone(),
            error: None,
            jobs: report.jobs.len(),
            verdicts,
            problems: report.problems.clone(),
        };
        self.store.record_scan(&record, &entries, self.options.retention)?;
        self.finish_scan(&record, false);
        tracing::info!("scan {scan_id}: {} job(s) in {} ms", record.jobs, record.duration_ms);

        for NewEntry { state, .. } in &entries {
            if state.streak.alert_due(self.options.alert_after) {
                self.alert(state, &record.flink_url);
            }
        }
        if self.options.apply {
            let client = scan::collect::FlinkClient::new(&self.options.scan.collect);
            for (NewEntry { state, .. }, job) in entries.iter().zip(&report.jobs) {
                if state.streak.rescale_due(self.options.alert_after) {
                    self.rescale(&client, state, job, scan_id, started_at_ms);
                }
            }
        }
        Ok(record)
    }

    fn finish_scan(&self, record: &ScanRecord, failed: bool) {
        self.update_stats(|stats| {
            stats.scans += 1;
            stats.scan_failures += u64::from(failed);
            stats.last_scan_duration = Some(Duration::from_millis(record.duration_ms));
            stats.last_scan_at_ms = Some(record.started_at_ms);
        });
    }

    fn rescale(
        &self,
        client: &scan::collect::FlinkClient,
        state: &JobState,
        job: &JobReport,
        scan_id: u64,
        at_ms: i64,
    ) {
        match rescale::apply(client, &state.job_id, &job.decision, scan_id, at_ms) {
            rescale::Outcome::Done(record) => {
                // Either way the operator wants to know: a job restarts, or advice waits on them.
                tracing::warn!("job {} ({}): {}", state.job_name, state.job_id, record.explanation);
                self.update_stats(|stats| match record.applied {
                    true => stats.rescales_applied += 1,
                    false => stats.rescales_refused += 1,
                });
                if let Err(error) = self.store.mark_rescaled(&state.job_id, state.streak.since_scan, &record) {
                    tracing::error!("job {}: rescale not recorded, it may be tried again: {error:#}", state.job_id);
                }
            }
            rescale::Outcome::Retry(error) => {
                tracing::warn!("job {}: rescale not done, trying again after the next scan: {error}", state.job_id);
                self.update_stats(|stats| stats.rescale_failures += 1);
            }
        }
    }

    fn alert(&self, state: &JobState, flink_url: &str) {
        let (Some(webhook), Some(alert)) = (&self.webhook, Alert::for_job(state, flink_url)) else { return };
        match webhook.send(&alert) {
            Ok(()) => {
                tracing::info!("alert {} sent", alert.id);
                self.update_stats(|stats| stats.alerts_sent += 1);
                if let Err(error) = self.store.mark_alerted(&state.job_id, state.streak.since_scan) {
                    tracing::error!("alert {} sent but not recorded, it may be sent again: {error:#}", alert.id);
                }
            }
            Err(error) => {
                tracing::warn!("alert {} not delivered, trying again after the next scan: {error}", alert.id);
                self.update_stats(|stats| stats.alert_failures += 1);
            }
        }
    }
}

/// The numbers of a job's report that the page, the API and `/metrics` show.
pub fn summarize(job: &JobReport) -> JobSummary {
    let (evaluation, decision) = (&job.evaluation, &job.decision);
    let parallelism = decision.vertices.iter().map(|v| u64::from(v.current)).sum();
    let recommended_parallelism = decision.vertices.iter().map(|v| u64::from(v.recommended.unwrap_or(v.current))).sum();
    let slowest = evaluation.slowest_vertex();
    JobSummary {
        job_id: evaluation.job_id.clone(),
        job_name: evaluation.job_name.clone(),
        verdict: decision.verdict,
        reason: decision.reason.clone(),
        parallelism,
        recommended_parallelism,
        parallelism_change: decision.parallelism_change,
        input_rate: evaluation.input_rate.value(),
        slowest_vertex: slowest.map(|v| v.name.clone()),
        record_time_ms: slowest.and_then(|v| v.record_time).map(|t| t.ms),
        capacity: slowest.and_then(|v| v.capacity_per_s),
        output_rate: slowest.and_then(|v| v.output_per_s),
        heap: job
            .memory
            .as_ref()
            .map(|memory| HeapSummary {
                verdict: Some(memory.verdict.as_str().to_owned()),
                configured_bytes: memory.configured_heap_bytes,
                recommended_bytes: memory.recommended_heap.map(|heap| heap.value_bytes),
                saving_bytes: Some(memory.saving_bytes),
            })
            .unwrap_or_default(),
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Sleeps for `duration` in short steps, returning early once `stop` is set.
fn sleep_unless_stopped(duration: Duration, stop: &AtomicBool) {
    const STEP: Duration = Duration::from_millis(100);
    let until = Instant::now() + duration;
    while !stop.load(Ordering::Relaxed) {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        std::thread::sleep(left.min(STEP));
    }
}
