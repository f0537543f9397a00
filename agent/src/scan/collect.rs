//! Stage 1: Flink REST → [`ClusterSnapshot`] (the brokers' side is [`super::kafka`]).
//!
//! Requests per job: `/jobs/:jid` (vertices, parallelism, max parallelism, plan), then per vertex
//! two aggregated subtask-metrics queries (Flink's rates and busy time; the timing patch's T); a
//! source vertex adds its metric-name listing (for Kafka topics and partitions) and, for a Kafka
//! source, its operators' consumer-side rate and backlog; a vertex without
//! `taskOneRecordDealTime` adds its per-subtask busy time and input rate (for the busy-time
//! fallback of T). Once per scan, `/taskmanagers` gives the slot size. Jobs are scanned a few at a time
//! (`concurrency`), vertices of a job one after another, so the JobManager sees at most
//! `concurrency` requests at once.
//!
//! Only an unreachable JobManager is an error. Everything else — a job that vanishes mid-scan,
//! a timeout, a metric Flink does not have — becomes a labelled gap in the snapshot.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;

use super::options::{Auth, CollectOptions};
use super::snapshot::{ClusterSnapshot, JobSnapshot, SlotSize, SourceLag, SubtaskLoad, VertexMetrics, VertexSnapshot};

/// The task metrics every vertex is asked for, aggregated over subtasks.
const RECORD_TIME: &str = "taskOneRecordDealTime";
const RECORDS_OUT: &str = "numRecordsOutPerSecond";
const RECORDS_IN: &str = "numRecordsInPerSecond";
const BUSY_TIME: &str = "busyTimeMsPerSecond";

/// Subtasks per per-subtask metric query: keeps the URL well under common 8 KiB limits.
const SUBTASKS_PER_QUERY: u32 = 64;

/// The JobManager could not be reached: the scan cannot start.
#[derive(Debug)]
pub struct Unreachable {
    pub url: String,
    pub detail: String,
}

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot reach Flink REST at {}: {}. Check that the URL is the JobManager's REST address \
             (rest.address / rest.port, default port 8081), that it is reachable from here, and the \
             --token / --user credentials if a proxy guards it.",
            self.url, self.detail
        )
    }
}

impl std::error::Error for Unreachable {}

/// Why one request failed, after retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// HTTP 404: for a job, it is gone.
    NotFound,
    /// Any other non-success HTTP status.
    Status(u16),
    Timeout,
    /// Connection refused, DNS failure, TLS failure, reset.
    Transport(String),
    /// The answer was not the JSON expected.
    Body(String),
}

impl FetchError {
    /// Worth trying again: the server may answer next time.
    fn is_transient(&self) -> bool {
        match self {
            FetchError::Timeout | FetchError::Transport(_) => true,
            FetchError::Status(code) => *code >= 500,
            FetchError::NotFound | FetchError::Body(_) => false,
        }
    }

    /// The JobManager did not answer at all (as opposed to answering "no").
    fn is_unreachable(&self) -> bool {
        matches!(self, FetchError::Timeout | FetchError::Transport(_))
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::NotFound => f.write_str("not found (HTTP 404)"),
            FetchError::Status(401) | FetchError::Status(403) => {
                f.write_str("refused (HTTP 401/403): check --token or --user")
            }
            FetchError::Status(code) => write!(f, "HTTP {code}"),
            FetchError::Timeout => f.write_str("timed out"),
            FetchError::Transport(detail) => f.write_str(detail),
            FetchError::Body(detail) => write!(f, "unexpected answer: {detail}"),
        }
    }
}

/// A small blocking client for the Flink REST API: timeouts, retries with exponential backoff and
/// an optional `Authorization` header.
pub struct FlinkClient {
    agent: ureq::Agent,
    base_url: String,
    authorization: Option<String>,
    retries: u32,
    backoff: Duration,
}

impl FlinkClient {
    pub fn new(options: &CollectOptions) -> Self {
        let mut config = ureq::Agent::config_builder();
        if let Some(pem) = &options.ca_certificates_pem {
            let roots = ureq::tls::RootCerts::Specific(std::sync::Arc::new(ca_certificates(pem)));
            config = config.tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build());
        }
        let agent = config
            .timeout_global(Some(options.timeout))
            .http_status_as_error(false)
            .user_agent(concat!("rightsize/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        FlinkClient {
            agent,
            base_url: options.flink_url.trim_end_matches('/').to_owned(),
            authorization: options.auth.as_ref().map(authorization_header),
            retries: options.retries,
            backoff: options.backoff,
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// GETs `path` (with its query) and parses the JSON answer as `T`.
    pub fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, FetchError> {
        let body = self.get_text(path)?;
        serde_json::from_str(&body).map_err(|error| FetchError::Body(format!("{path}: {error}")))
    }

    fn get_text(&self, path: &str) -> Result<String, FetchError> {
        self.with_retries(path, |response| response.body_mut().read_to_string().map_err(transport_error))
    }

    /// GETs a file (e.g. a TaskManager's log) as bytes, keeping at most `limit` of them: Flink
    /// ignores `Range`, so a file that grew past the caller's budget is cut there, not held whole.
    pub fn get_bytes(&self, path: &str, limit: u64) -> Result<Vec<u8>, FetchError> {
        use std::io::Read as _;
        self.with_retries(path, |response| {
            let mut bytes = Vec::new();
            let body = response.body_mut().with_config().limit(u64::MAX).reader();
            body.take(limit).read_to_end(&mut bytes).map_err(|error| transport_error(error.into()))?;
            Ok(bytes)
        })
    }

    /// PUTs `body` as JSON to `path`, once: a change is not repeated behind the caller's back.
    /// A refusal carries the first of Flink's `errors` lines.
    pub fn put_json(&self, path: &str, body: &serde_json::Value) -> Result<(), FetchError> {
        let url = format!("{}{path}", self.base_url);
        let request = self.with_headers(self.agent.put(&url)).header("Content-Type", "application/json");
        let mut response = request.send(body.to_string().as_bytes()).map_err(transport_error)?;
        let code = response.status().as_u16();
        if (200..300).contains(&code) {
            return Ok(());
        }
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let errors: Option<serde_json::Value> = serde_json::from_str(&text).ok();
        let first = errors.as_ref().and_then(|value| value["errors"][0].as_str()).map(|line| line.lines().next());
        match first.flatten() {
            Some(line) => Err(FetchError::Body(format!("HTTP {code}: {line}"))),
            None => Err(FetchError::Status(code)),
        }
    }

    /// One GET of `path`, retried with backoff while it fails transiently; `read` takes the body
    /// of a successful answer.
    fn with_retries<T>(
        &self,
        path: &str,
        read: impl Fn(&mut ureq::http::Response<ureq::Body>) -> Result<T, FetchError>,
    ) -> Result<T, FetchError> {
        let url = format!("{}{path}", self.base_url);
        let mut attempt = 0;
        loop {
            match self.get_once(&url).and_then(|mut response| read(&mut response)) {
                Err(error) if error.is_transient() && attempt < self.retries => {
                    let wait = self.backoff.saturating_mul(2u32.saturating_pow(attempt));
                    tracing::debug!("GET {url}: {error}; retrying in {wait:?}");
                    std::thread::sleep(wait);
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// The headers every request to Flink carries: JSON wanted, and the credentials if any.
    fn with_headers<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        let request = request.header("Accept", "application/json");
        match &self.authorization {
            Some(authorization) => request.header("Authorization", authorization),
            None => request,
        }
    }

    fn get_once(&self, url: &str) -> Result<ureq::http::Response<ureq::Body>, FetchError> {
        let response = self.with_headers(self.agent.get(url)).call().map_err(transport_error)?;
        match response.status().as_u16() {
            200..=299 => Ok(response),
            404 => Err(FetchError::NotFound),
            code => Err(FetchError::Status(code)),
        }
    }
}

/// The certificates in a PEM file (private keys and unreadable sections skipped).
pub fn ca_certificates(pem: &[u8]) -> Vec<ureq::tls::Certificate<'static>> {
    ureq::tls::parse_pem(pem)
        .filter_map(|item| match item {
            Ok(ureq::tls::PemItem::Certificate(certificate)) => Some(certificate),
            _ => None,
        })
        .collect()
}

/// Checks a `--ca-cert` file before the scan: it must hold at least one certificate.
pub fn check_ca_certificates(pem: &[u8]) -> Result<usize, String> {
    match ca_certificates(pem).len() {
        0 => Err("no PEM certificate (-----BEGIN CERTIFICATE-----) in it".to_owned()),
        count => Ok(count),
    }
}

fn transport_error(error: ureq::Error) -> FetchError {
    match error {
        ureq::Error::Timeout(_) => FetchError::Timeout,
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => FetchError::Timeout,
        ureq::Error::StatusCode(code) => FetchError::Status(code),
        other => FetchError::Transport(other.to_string()),
    }
}

fn authorization_header(auth: &Auth) -> String {
    match auth {
        Auth::Bearer(token) => format!("Bearer {token}"),
        Auth::Basic { user, password } => format!("Basic {}", base64(format!("{user}:{password}").as_bytes())),
    }
}

/// Standard base64 with padding (RFC 4648), for HTTP Basic credentials.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Scans the cluster: the requested jobs, or every RUNNING job.
pub fn collect(options: &CollectOptions) -> Result<ClusterSnapshot, Unreachable> {
    collect_with_progress(options, &|_, _| {})
}

/// [`collect`], calling `progress(jobs done, jobs in total)` after each job (from worker threads).
pub fn collect_with_progress(
    options: &CollectOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ClusterSnapshot, Unreachable> {
    let client = FlinkClient::new(options);
    let unreachable = |error: &FetchError| Unreachable { url: client.base_url().to_owned(), detail: error.to_string() };

    let job_ids: Vec<String> = if options.job_ids.is_empty() {
        let overview: JobsOverview = client.get("/jobs/overview").map_err(|error| unreachable(&error))?;
        overview.jobs.into_iter().filter(|job| job.state == "RUNNING").map(|job| job.jid).collect()
    } else {
        options.job_ids.clone()
    };

    if !job_ids.is_empty() {
        refresh_metric_store(&client, options.metrics_refresh_wait);
    }
    let done = AtomicUsize::new(0);
    let results = for_each_bounded(&job_ids, options.concurrency, |jid| {
        let job = collect_job(&client, jid);
        progress(done.fetch_add(1, Ordering::Relaxed) + 1, job_ids.len());
        job
    });

    let mut snapshot = ClusterSnapshot { flink_url: client.base_url().to_owned(), ..ClusterSnapshot::default() };
    if job_ids.is_empty() {
        snapshot.problems.push("no RUNNING job in /jobs/overview: nothing to scan".to_owned());
    }
    // With explicit job ids there was no overview request to prove the JobManager answers.
    if !results.is_empty() && results.iter().all(|r| r.as_ref().is_err_and(FetchError::is_unreachable)) {
        if let Some(Err(error)) = results.first() {
            return Err(unreachable(error));
        }
    }
    // Only for the saving in cores and memory: a failure leaves them unknown, and says so there.
    snapshot.slot_size = fetch_slot_size(&client).ok().flatten();
    for (jid, result) in job_ids.iter().zip(results) {
        match result {
            Ok(job) => snapshot.jobs.push(job),
            Err(error) => snapshot.jobs.push(JobSnapshot {
                id: jid.clone(),
                gaps: vec![format!("job details: {error}")],
                ..JobSnapshot::default()
            }),
        }
    }
    Ok(snapshot)
}

/// Makes the JobManager's metric store current before the scan reads it. Any metrics request
/// triggers the JobManager's fetch from the TaskManagers (when its store is older than
/// `metrics.fetcher.update-interval`) but is answered from the store as it was; the wait lets the
/// fetch land. Best effort: a failure here shows up, labelled, in the requests that follow.
fn refresh_metric_store(client: &FlinkClient, wait: Duration) {
    if wait.is_zero() {
        return;
    }
    if let Err(error) = client.get::<serde_json::Value>("/jobmanager/metrics?get=Status.JVM.CPU.Load") {
        tracing::debug!("refreshing the JobManager's metric store: {error}");
    }
    std::thread::sleep(wait);
}

/// Runs `work` over `items` on at most `concurrency` threads; results keep the items' order.
pub(crate) fn for_each_bounded<T: Sync, R: Send>(
    items: &[T],
    concurrency: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    let workers = concurrency.clamp(1, items.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(index) else { break };
                let result = work(item);
                // A poisoned lock means another worker panicked; its panic surfaces at scope end.
                if let Ok(mut done) = done.lock() {
                    done.push((index, result));
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
}

/// One job. `Err` only when `/jobs/:jid` itself failed for a reason other than 404; a 404 there
/// or anywhere later marks the job vanished and keeps what was collected.
fn collect_job(client: &FlinkClient, jid: &str) -> Result<JobSnapshot, FetchError> {
    let job_path = format!("/jobs/{}", path_segment(jid));
    let details: JobDetails = match client.get(&job_path) {
        Ok(details) => details,
        Err(FetchError::NotFound) => {
            return Ok(JobSnapshot { id: jid.to_owned(), vanished: true, ..JobSnapshot::default() });
        }
        Err(error) => return Err(error),
    };
    let uptime_ms = running_for_ms(&details);
    let mut job = JobSnapshot {
        id: jid.to_owned(),
        name: details.name,
        state: details.state,
        uptime_ms,
        ..JobSnapshot::default()
    };
    let plan_inputs: BTreeMap<&str, &[PlanInput]> = details
        .plan
        .iter()
        .flat_map(|plan| &plan.nodes)
        .map(|node| (node.id.as_str(), node.inputs.as_slice()))
        .collect();

    for vertex in &details.vertices {
        let inputs = plan_inputs.get(vertex.id.as_str());
        let mut snapshot = VertexSnapshot {
            id: vertex.id.clone(),
            name: vertex.name.clone(),
            parallelism: u32::try_from(vertex.parallelism).unwrap_or(0),
            max_parallelism: vertex.max_parallelism.and_then(|m| u32::try_from(m).ok()).filter(|&m| m > 0),
            // Without a plan entry the vertex's role is unknown: treat it as neither.
            is_source: inputs.is_some_and(|inputs| inputs.is_empty()),
            keyed_input: inputs.is_some_and(|inputs| inputs.iter().any(|input| input.ship_strategy == "HASH")),
            slot_sharing_group: vertex.slot_sharing_group.clone(),
            ..VertexSnapshot::default()
        };
        if !vertex.status.is_empty() && vertex.status != "RUNNING" {
            job.gaps.push(format!("vertex {} is {}: its metrics are not settled", vertex.name, vertex.status));
        }
        let vertex_path = format!("{job_path}/vertices/{}", path_segment(&vertex.id));
        let gap = |what: &str, error: FetchError, job: &mut JobSnapshot| {
            if error == FetchError::NotFound && vertex_gone(client, &job_path) {
                job.vanished = true;
            }
            job.gaps.push(format!("{what} of vertex {}: {error}", vertex.name));
        };

        let aggregates = fetch_aggregates(client, &vertex_path);
        let answered = aggregates.is_ok();
        match aggregates {
            Ok(metrics) => snapshot.metrics = metrics,
            Err(error) => gap("subtask metrics", error, &mut job),
        }
        if job.vanished {
            job.vertices.push(snapshot);
            break;
        }
        // The busy-time fallback only when Flink answered but without the timing metric: after a
        // failed query the same endpoint family would most likely fail again.
        if answered && snapshot.metrics.record_time_ms_max.is_none() && snapshot.parallelism > 0 {
            match fetch_subtask_loads(client, &vertex_path, snapshot.parallelism) {
                Ok(loads) => snapshot.metrics.subtasks = loads,
                Err(error) => gap("per-subtask busy time", error, &mut job),
            }
        }
        if snapshot.is_source {
            match client.get::<Vec<MetricId>>(&format!("{vertex_path}/metrics")) {
                Ok(ids) => {
                    snapshot.kafka_topics = kafka_topics(ids.iter().map(|m| m.id.as_str()));
                    let operators = kafka_source_operators(ids.iter().map(|m| m.id.as_str()));
                    if !operators.is_empty() {
                        match fetch_source_progress(client, &vertex_path, &operators) {
                            Ok((consumed, lag)) => {
                                snapshot.metrics.consumed_per_s = consumed;
                                snapshot.lag = lag;
                            }
                            Err(error) => gap("Kafka source metrics", error, &mut job),
                        }
                    }
                }
                Err(error) => gap("metric list", error, &mut job),
            }
        }
        job.vertices.push(snapshot);
        if job.vanished {
            break;
        }
    }
    if job.vanished {
        job.gaps.push("job vanished during the scan".to_owned());
    }
    Ok(job)
}

/// Time since the job last entered RUNNING, on the JobManager's own clock: a restart (failover
/// or rescale) resets it, unlike `duration`, which counts from submission. `duration` only when
/// the timestamps are missing.
fn running_for_ms(details: &JobDetails) -> Option<u64> {
    let since_running = match (details.now, details.timestamps.get("RUNNING")) {
        (Some(now), Some(&running)) if running > 0 => now.checked_sub(running),
        _ => None,
    };
    since_running.or(details.duration).and_then(|ms| u64::try_from(ms).ok())
}

/// After a 404 on a vertex endpoint: is the whole job gone?
fn vertex_gone(client: &FlinkClient, job_path: &str) -> bool {
    matches!(client.get::<serde_json::Value>(job_path), Err(FetchError::NotFound))
}

/// Flink's built-in rates and busy time in one query, the timing patch's metric in another: the
/// aggregating endpoint answers `[]` for the whole query when one id is unknown (seen on 2.2.1),
/// so a cluster without the patch would otherwise lose O, the input rate and busy time too.
fn fetch_aggregates(client: &FlinkClient, vertex_path: &str) -> Result<VertexMetrics, FetchError> {
    let builtin: Vec<AggregatedMetric> = client
        .get(&format!("{vertex_path}/subtasks/metrics?get={RECORDS_OUT},{RECORDS_IN},{BUSY_TIME}&agg=max,sum"))?;
    let timing: Vec<AggregatedMetric> =
        client.get(&format!("{vertex_path}/subtasks/metrics?get={RECORD_TIME}&agg=max"))?;
    let mut metrics = VertexMetrics::default();
    for metric in builtin.iter().chain(&timing) {
        let (max, sum) = (number(metric.max.as_ref()), number(metric.sum.as_ref()));
        match metric.id.as_str() {
            RECORD_TIME => metrics.record_time_ms_max = max,
            RECORDS_OUT => metrics.records_out_per_s = sum,
            RECORDS_IN => metrics.records_in_per_s = sum,
            BUSY_TIME => metrics.busy_ms_per_s_max = max,
            _ => {}
        }
    }
    Ok(metrics)
}

/// The operator groups holding a Kafka source reader (`Source__orders[1]` in
/// `0.Source__orders[1].KafkaSourceReader.…`), each once.
pub fn kafka_source_operators<'a>(metric_ids: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    metric_ids
        .filter_map(|id| {
            let (before, _) = id.split_once(".KafkaSourceReader.")?;
            // Drop the subtask index the vertex listing puts first.
            let operator = match before.split_once('.') {
                Some((index, rest)) if index.bytes().all(|b| b.is_ascii_digit()) => rest,
                _ => before,
            };
            Some(operator.to_owned())
        })
        .collect()
}

/// The source operators' consumer-side rate and backlog, summed over subtasks: the rate from
/// the operator's `numRecordsInPerSecond` (else `numRecordsOutPerSecond`), the backlog from
/// `pendingRecords` (else the Kafka consumer's `records-lag-max`).
fn fetch_source_progress(
    client: &FlinkClient,
    vertex_path: &str,
    operators: &BTreeSet<String>,
) -> Result<(Option<f64>, Option<SourceLag>), FetchError> {
    const NAMES: [&str; 4] = [
        "numRecordsInPerSecond",
        "numRecordsOutPerSecond",
        "pendingRecords",
        "KafkaSourceReader.KafkaConsumer.records-lag-max",
    ];
    let ids: Vec<String> = operators.iter().flat_map(|op| NAMES.map(|name| format!("{op}.{name}"))).collect();
    let query: Vec<String> = ids.iter().map(|id| path_segment(id)).collect();
    let answer: Vec<AggregatedMetric> =
        client.get(&format!("{vertex_path}/subtasks/metrics?get={}&agg=sum", query.join(",")))?;
    let mut sums: BTreeMap<&str, f64> = BTreeMap::new();
    for metric in &answer {
        let Some(name) = NAMES.iter().find(|name| metric.id.ends_with(&format!(".{name}"))) else { continue };
        if let Some(value) = number(metric.sum.as_ref()) {
            *sums.entry(name).or_default() += value;
        }
    }
    let consumed = sums.get(NAMES[0]).or(sums.get(NAMES[1])).copied();
    let lag = match (sums.get(NAMES[2]), sums.get(NAMES[3])) {
        (Some(&records), _) => Some(SourceLag { records, metric: "pendingRecords".to_owned() }),
        (None, Some(&records)) => Some(SourceLag { records, metric: "records-lag-max".to_owned() }),
        (None, None) => None,
    };
    Ok((consumed, lag))
}

/// The resources of one slot, from `/taskmanagers`: each TaskManager's process memory and
/// configured CPU cores divided by its slots. `None` when TaskManagers differ or say nothing.
pub fn fetch_slot_size(client: &FlinkClient) -> Result<Option<SlotSize>, FetchError> {
    let answer: TaskManagers = client.get("/taskmanagers")?;
    Ok(slot_size(&answer))
}

fn slot_size(answer: &TaskManagers) -> Option<SlotSize> {
    let sizes: Vec<SlotSize> = answer
        .taskmanagers
        .iter()
        .filter_map(|tm| {
            let slots = u64::try_from(tm.slots_number).ok().filter(|&s| s > 0)?;
            let memory = tm.memory_configuration.as_ref()?.total_process_memory?;
            let cores = tm.total_resource.as_ref().and_then(|r| r.cpu_cores)?;
            Some(SlotSize { cpu_cores: cores / slots as f64, memory_bytes: memory / slots })
        })
        .collect();
    let first = *sizes.first()?;
    (sizes.len() == answer.taskmanagers.len() && sizes.iter().all(|s| *s == first)).then_some(first)
}

/// Per-subtask busy time and input rate, `SUBTASKS_PER_QUERY` subtasks per request.
fn fetch_subtask_loads(
    client: &FlinkClient,
    vertex_path: &str,
    parallelism: u32,
) -> Result<Vec<SubtaskLoad>, FetchError> {
    let mut loads: Vec<SubtaskLoad> =
        (0..parallelism).map(|subtask| SubtaskLoad { subtask, ..SubtaskLoad::default() }).collect();
    let mut first = 0;
    while first < parallelism {
        let last = first.saturating_add(SUBTASKS_PER_QUERY).min(parallelism);
        let ids: Vec<String> =
            (first..last).flat_map(|i| [format!("{i}.{BUSY_TIME}"), format!("{i}.{RECORDS_IN}")]).collect();
        let answer: Vec<MetricValue> = client.get(&format!("{vertex_path}/metrics?get={}", ids.join(",")))?;
        for metric in &answer {
            let Some((subtask, name)) = metric.id.split_once('.') else { continue };
            let Some(load) = subtask.parse::<usize>().ok().and_then(|i| loads.get_mut(i)) else { continue };
            let value = number(metric.value.as_ref());
            match name {
                BUSY_TIME => load.busy_ms_per_s = value,
                RECORDS_IN => load.records_in_per_s = value,
                _ => {}
            }
        }
        first = last;
    }
    Ok(loads)
}

/// Kafka topics and their partition counts from metric ids such as
/// `0.Source__Orders.KafkaSourceReader.topic.orders.partition.3.currentOffset` (with or without
/// the subtask prefix, and with DynamicKafkaSource's extra `kafkaCluster.<c>` group).
pub fn kafka_topics<'a>(metric_ids: impl Iterator<Item = &'a str>) -> BTreeMap<String, u32> {
    let mut partitions: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for id in metric_ids {
        let groups: Vec<&str> = id.split('.').collect();
        let Some(reader) = groups.iter().position(|&g| g == "KafkaSourceReader") else { continue };
        let rest = &groups[reader + 1..];
        let Some(topic_at) = rest.iter().position(|&g| g == "topic") else { continue };
        if let [topic, "partition", partition, ..] = &rest[topic_at + 1..] {
            partitions.entry((*topic).to_owned()).or_default().insert(partition);
        }
    }
    partitions.into_iter().map(|(topic, set)| (topic, u32::try_from(set.len()).unwrap_or(u32::MAX))).collect()
}

/// A metric value: a JSON number (aggregated endpoint) or a string (plain endpoint), NaN dropped.
pub(crate) fn number(value: Option<&serde_json::Value>) -> Option<f64> {
    let parsed = match value? {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    parsed.filter(|v| v.is_finite())
}

/// Percent-encodes everything but RFC 3986 unreserved characters, for ids given by the user.
pub(crate) fn path_segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

// REST answers, only the fields used; every field tolerant of absence.

#[derive(Deserialize)]
struct JobsOverview {
    #[serde(default)]
    jobs: Vec<OverviewJob>,
}

#[derive(Deserialize)]
struct OverviewJob {
    jid: String,
    #[serde(default)]
    state: String,
}

#[derive(Deserialize)]
struct JobDetails {
    #[serde(default)]
    name: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    duration: Option<i64>,
    /// The JobManager's clock when it answered, ms since the epoch.
    #[serde(default)]
    now: Option<i64>,
    /// When the job last entered each state, ms since the epoch.
    #[serde(default)]
    timestamps: BTreeMap<String, i64>,
    #[serde(default)]
    vertices: Vec<JobVertex>,
    #[serde(default)]
    plan: Option<Plan>,
}

#[derive(Deserialize)]
struct JobVertex {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parallelism: i64,
    #[serde(default, rename = "maxParallelism")]
    max_parallelism: Option<i64>,
    #[serde(default)]
    status: String,
    #[serde(default, rename = "slotSharingGroupId")]
    slot_sharing_group: Option<String>,
}

#[derive(Deserialize)]
struct TaskManagers {
    #[serde(default)]
    taskmanagers: Vec<TaskManagerInfo>,
}

#[derive(Deserialize)]
struct TaskManagerInfo {
    #[serde(default, rename = "slotsNumber")]
    slots_number: i64,
    #[serde(default, rename = "totalResource")]
    total_resource: Option<TotalResource>,
    #[serde(default, rename = "memoryConfiguration")]
    memory_configuration: Option<MemoryConfiguration>,
}

#[derive(Deserialize)]
struct TotalResource {
    #[serde(default, rename = "cpuCores")]
    cpu_cores: Option<f64>,
}

#[derive(Deserialize)]
struct MemoryConfiguration {
    #[serde(default, rename = "totalProcessMemory")]
    total_process_memory: Option<u64>,
}

#[derive(Deserialize)]
struct Plan {
    #[serde(default)]
    nodes: Vec<PlanNode>,
}

#[derive(Deserialize)]
struct PlanNode {
    id: String,
    #[serde(default)]
    inputs: Vec<PlanInput>,
}

#[derive(Deserialize)]
struct PlanInput {
    #[serde(default)]
    ship_strategy: String,
}

#[derive(Deserialize)]
struct AggregatedMetric {
    id: String,
    #[serde(default)]
    max: Option<serde_json::Value>,
    #[serde(default)]
    sum: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct MetricValue {
    id: String,
    #[serde(default)]
    value: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct MetricId {
    id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafka_topics_and_partitions_come_from_source_metric_ids() {
        // Id shapes from the Kafka connector's KafkaSourceReaderMetrics as REST shows them.
        let ids = [
            "0.Source__Orders.KafkaSourceReader.topic.orders_v1-x_y.partition.0.currentOffset",
            "0.Source__Orders.KafkaSourceReader.topic.orders_v1-x_y.partition.0.committedOffset",
            "1.Source__Orders.KafkaSourceReader.topic.orders_v1-x_y.partition.1.currentOffset",
            "1.Source__Orders.KafkaSourceReader.topic.refunds.partition.2.currentOffset",
            "Source__Orders.KafkaSourceReader.kafkaCluster.c1.topic.audit.partition.0.currentOffset",
            "0.Source__Orders.KafkaSourceReader.commitsSucceeded",
            "0.Source__Orders.pendingRecords",
        ];
        let topics = kafka_topics(ids.into_iter());
        assert_eq!(
            topics,
            BTreeMap::from([("audit".to_owned(), 1), ("orders_v1-x_y".to_owned(), 2), ("refunds".to_owned(), 1)])
        );
    }

    #[test]
    fn the_recorded_source_vertex_metric_list_has_no_kafka_topic() {
        let path =
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/notes/rest-samples/2.3.0-vertex-metrics-list.json");
        let text = std::fs::read_to_string(path).expect("recorded REST sample");
        let ids: Vec<MetricId> = serde_json::from_str(&text).expect("a metric id list");
        assert!(ids.len() > 50);
        assert!(kafka_topics(ids.iter().map(|m| m.id.as_str())).is_empty());
    }

    #[test]
    fn uptime_counts_from_the_last_transition_to_running() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/notes/rest-samples/2.3.0-jobs-jobid.json");
        let text = std::fs::read_to_string(path).expect("recorded REST sample");
        let mut details: JobDetails = serde_json::from_str(&text).expect("a job");
        // now 1795463306430 − RUNNING 1795463282750, not the 24398 ms since submission.
        assert_eq!(running_for_ms(&details), Some(23_680));
        details.timestamps.clear();
        assert_eq!(running_for_ms(&details), Some(24_398));
    }

    #[test]
    fn metric_values_are_numbers_or_strings_and_nan_is_dropped() {
        use serde_json::json;
        assert_eq!(number(Some(&json!(14677.3))), Some(14677.3));
        assert_eq!(number(Some(&json!("999.0"))), Some(999.0));
        assert_eq!(number(Some(&json!("NaN"))), None);
        assert_eq!(number(Some(&json!(null))), None);
        assert_eq!(number(None), None);
    }

    #[test]
    fn basic_credentials_are_base64() {
        // The example of RFC 7617.
        let auth = Auth::Basic { user: "Aladdin".to_owned(), password: "open sesame".to_owned() };
        assert_eq!(authorization_header(&auth), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(authorization_header(&Auth::Bearer("t0k".to_owned())), "Bearer t0k");
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused() {
        assert!(check_ca_certificates(b"").is_err());
        assert!(check_ca_certificates(b"-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n").is_err());
    }

    #[test]
    fn user_given_ids_are_escaped_in_paths() {
        assert_eq!(path_segment("6aa8251c6313eef63522c2ed89f5d3de"), "6aa8251c6313eef63522c2ed89f5d3de");
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn bounded_workers_keep_the_order_of_items() {
        let items: Vec<u32> = (0..50).collect();
        let doubled = for_each_bounded(&items, 3, |n| n * 2);
        assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        assert!(for_each_bounded(&Vec::<u32>::new(), 3, |n| *n).is_empty());
    }
}
