//! Every knob of the scanner in one place, with its default and why.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::gc::analysis::GcOptions;

/// All scanner options: how to talk to Flink, what the user tells us, how to judge.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub collect: CollectOptions,
    /// Input rate S per Kafka topic (or per job name or id), records/s, given by the user
    /// (`--input-rate TOPIC=RATE`): an override of the broker-side measurement. Keys are topic
    /// names as the user spells them; they are matched against the lossy names Flink's metrics
    /// show (`.` → `_`).
    pub input_rates: BTreeMap<String, f64>,
    /// Where to measure S on the broker side; `None` = no Kafka access (S is then consumer-side).
    pub kafka: Option<KafkaOptions>,
    /// Flink SQL scripts of the jobs (`--sql FILE`), parsed: their Kafka source topics, exact
    /// where metric names are lossy, and known before a source reports any.
    pub sql_scripts: Vec<super::sql::SqlScript>,
    pub decide: DecideOptions,
    pub memory: MemoryOptions,
}

/// How to reach the Kafka brokers for the broker-side input rate.
#[derive(Debug, Clone)]
pub struct KafkaOptions {
    /// Bootstrap servers, `HOST:PORT` each.
    pub bootstrap: Vec<String>,
    /// Connect with TLS (implied by a CA file or a client certificate).
    pub tls: bool,
    /// PEM certificates to trust instead of the public web PKI roots.
    pub ca_certificates_pem: Option<Vec<u8>>,
    /// PEM client certificate chain and private key, for brokers that require mutual TLS.
    pub client_identity_pem: Option<Vec<u8>>,
    pub sasl: Option<KafkaSasl>,
    /// Time between the two end-offset samples. Default 10 s: long enough that one batch of a
    /// bursty producer (linger, batching) moves the rate by little, short enough for a CLI.
    pub rate_interval: Duration,
    /// Bound on connecting and on each request. Default 10 s.
    pub timeout: Duration,
    /// First wait of the client's retries (doubled each time, within the timeout). Default 200 ms.
    pub backoff: Duration,
}

impl Default for KafkaOptions {
    fn default() -> Self {
        KafkaOptions {
            bootstrap: Vec::new(),
            tls: false,
            ca_certificates_pem: None,
            client_identity_pem: None,
            sasl: None,
            rate_interval: Duration::from_secs(10),
            timeout: Duration::from_secs(10),
            backoff: Duration::from_millis(200),
        }
    }
}

/// SASL mechanisms the broker client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaslMechanism {
    Plain,
    ScramSha256,
    ScramSha512,
}

/// SASL credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct KafkaSasl {
    pub mechanism: SaslMechanism,
    pub user: String,
    pub password: String,
}

// The password never reaches logs or debug output.
impl std::fmt::Debug for KafkaSasl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KafkaSasl({:?}, {}:***)", self.mechanism, self.user)
    }
}

/// How to reach and query the Flink REST API.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Base URL of the JobManager's REST endpoint, e.g. `http://jobmanager:8081`.
    pub flink_url: String,
    /// Only these job ids; empty = every RUNNING job in `/jobs/overview`.
    pub job_ids: Vec<String>,
    /// Whole-request timeout (connect, send, read). Default 10 s: the JobManager answers metric
    /// queries from its cache, so a slow answer means an overloaded JobManager, not a big one.
    pub timeout: Duration,
    /// Extra attempts after a failed request (timeout, connection error, HTTP 5xx). Default 2.
    pub retries: u32,
    /// Wait before the first retry, doubled for each further one. Default 200 ms.
    pub backoff: Duration,
    /// Jobs scanned at once. Default 4: enough to hide latency, few enough not to flood the
    /// JobManager, whose REST handlers share a small thread pool with the web UI.
    pub concurrency: usize,
    /// Credentials sent with every request.
    pub auth: Option<Auth>,
    /// PEM certificates to trust for `https://` instead of the public web PKI roots (a private
    /// CA, a self-signed JobManager). `None` = the public roots.
    pub ca_certificates_pem: Option<Vec<u8>>,
    /// Wait after asking the JobManager to refresh its metric store, before reading metrics.
    /// Default 2 s. The JobManager fetches metrics from the TaskManagers only when a metrics
    /// request arrives and its store is older than `metrics.fetcher.update-interval`, and answers
    /// that request from the store as it was: after a quiet spell, the first answers are minutes
    /// old or empty. Zero skips the refresh (a JobManager polled continuously anyway).
    pub metrics_refresh_wait: Duration,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            flink_url: String::new(),
            job_ids: Vec::new(),
            timeout: Duration::from_secs(10),
            retries: 2,
            backoff: Duration::from_millis(200),
            concurrency: 4,
            auth: None,
            ca_certificates_pem: None,
            metrics_refresh_wait: Duration::from_secs(2),
        }
    }
}

/// An `Authorization` header for a JobManager behind an authenticating proxy.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    Bearer(String),
    Basic { user: String, password: String },
}

// Credentials never reach logs or debug output.
impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Bearer(_) => f.write_str("Bearer(***)"),
            Auth::Basic { user, .. } => write!(f, "Basic({user}:***)"),
        }
    }
}

/// The judgement: tolerances of the three rules and the recommendation's target.
#[derive(Debug, Clone, PartialEq)]
pub struct DecideOptions {
    /// Relative tolerance of "≈" and "≪": X ≈ S when |X − S| ≤ tolerance × S, and X ≪ S when
    /// X < (1 − tolerance) × S. Default 0.15: Flink's rates are 60 s meters, so a few percent of
    /// noise between O and S is normal.
    pub tolerance: f64,
    /// "C ≫ S" when C ≥ factor × S. Default 2.0: at the 0.7 utilisation target a right-sized job
    /// has C ≈ 1.43 × S, so only a capacity well beyond that is worth a restart to reduce.
    pub headroom_factor: f64,
    /// Utilisation the recommended parallelism keeps each vertex under. Default 0.7, as the
    /// Flink Kubernetes Operator's autoscaler (`job.autoscaler.utilization.target`).
    pub utilization_target: f64,
    /// A job running for less than this has unsettled metrics (Flink's rates are 60 s meters and
    /// the JobManager caches metrics for 10 s): its verdict is withheld. Default 120 s.
    pub settle_time: Duration,
    /// Flink's busy-time estimate of capacity and C "disagree" when one exceeds the other by more
    /// than this factor. Default 1.5.
    pub disagreement_factor: f64,
}

impl Default for DecideOptions {
    fn default() -> Self {
        DecideOptions {
            tolerance: 0.15,
            headroom_factor: 2.0,
            utilization_target: 0.7,
            settle_time: Duration::from_secs(120),
            disagreement_factor: 1.5,
        }
    }
}

/// The memory advice: which TaskManagers to analyse, where their GC logs are, how to judge.
#[derive(Debug, Clone)]
pub struct MemoryOptions {
    /// Off (`--no-memory`): no TaskManager requests at all. Default on.
    pub enabled: bool,
    /// A job's TaskManagers analysed, busiest first by young GC count. Default 16 (design §3):
    /// the busiest collectors carry the largest live sets, and each log costs a download.
    pub top_taskmanagers: usize,
    /// File names in a TaskManager's log directory (`/taskmanagers/:tmid/logs`) taken for GC logs,
    /// `*` and `?` wildcards. Default `*gc*.log*`: `gc.log`, `taskmanager-gc.log`, rotated
    /// `gc.log.3` and `gc.log.0.current`, compressed `gc.log.1.gz`.
    pub gc_log_pattern: String,
    /// Bytes of GC log downloaded per TaskManager, newest files first. Default 64 MiB: Flink's
    /// REST serves whole files (no `Range`), and the newest tens of MB hold hours of a busy
    /// TaskManager's collections, enough for the live set; older rotated files are skipped. The
    /// file being written may exceed it by the 4 MiB it may have grown since it was listed.
    pub max_log_bytes: u64,
    /// Live-set estimate and heap factors, the same as `rightsize gc`.
    pub gc: GcOptions,
}

impl Default for MemoryOptions {
    fn default() -> Self {
        MemoryOptions {
            enabled: true,
            top_taskmanagers: 16,
            gc_log_pattern: "*gc*.log*".to_owned(),
            max_log_bytes: 64 * 1024 * 1024,
            gc: GcOptions::default(),
        }
    }
}
