//! `rightsize scan`: one pass over a Flink cluster's running jobs, with parallelism advice.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::values;
use rightsize::gc::analysis::GcOptions;
use rightsize::scan::options::{
    Auth, CollectOptions, DecideOptions, KafkaOptions, KafkaSasl, MemoryOptions, SaslMechanism, ScanOptions,
};
use rightsize::scan::{self, collect, kafka, memory, sql};
use rightsize::wire::GcPush;

/// Scan a Flink cluster once: per running job, is its parallelism too high, right or too low?
///
/// For every RUNNING job (or the --job ids given), reads from Flink REST each vertex's
/// parallelism P, per-record time T (max over subtasks of taskOneRecordDealTime, in ms, from the
/// Rightsize timing patch), output rate O, input rate and busy time, and computes the capacity
/// C = P × 1000 / T records/s. The slowest vertex (largest T) is compared with the input rate S:
///
///   rule 1  O ≈ S and C ≫ S   over-provisioned    REDUCE
///   rule 2  O ≈ S and C ≈ S   right-sized         KEEP
///   rule 3  O ≪ S and C ≪ S   under-provisioned   INCREASE
///
/// X ≈ S means |X − S| ≤ tolerance × S; X ≪ S means X < (1 − tolerance) × S; C ≫ S means
/// C ≥ headroom-factor × S. Anything else is INCONCLUSIVE, with what it suggests.
///
/// Each vertex also gets a recommended parallelism: the smallest P with load × T / P ≤ the
/// utilisation target, aligned to a divisor of the Kafka partitions (sources) or of the key
/// groups (keyed vertices) and capped by max parallelism, with the arithmetic printed.
///
/// S is measured on the Kafka brokers (--kafka-bootstrap): the growth of the job's topics'
/// log-end offsets over --rate-interval, which back-pressure does not distort. The topics come
/// from the job's Kafka source metrics (Flink writes `orders.v1` as `orders_v1`; resolved against
/// the brokers' topic list) and from its SQL (--sql). --input-rate overrides a topic's or a job's
/// rate. Without broker access S is what the sources read (consumer-side), and said so. The
/// report always names S's basis: broker offsets, user-given or consumer-side, and compares S
/// with what the sources read and their backlog (pendingRecords).
///
/// Degraded inputs are labelled, never hidden: no timing patch (T falls back to busy time /
/// input rate), a job that just (re)started (metrics not settled), REST timeouts, jobs that
/// vanish mid-scan, brokers that do not answer. See docs/scanner.md for every rule and label.
///
/// Memory: per job, the TaskManagers running its subtasks are ranked by young GC count
/// (Status.JVM.GarbageCollector.<young collector>.Count) and the top --top-taskmanagers are
/// analysed: their GC log, from a sidecar's report (--gc-report) or else downloaded from the
/// TaskManager's log directory over REST (files matching --gc-log-pattern), gives the live set
/// M, and the recommended heap is 3-4 × M (--heap-factor). The job needs what its most
/// demanding TaskManager needs; against the configured heap (Status.JVM.Memory.Heap.Max) that
/// gives OVER-PROVISIONED (with the saving over all its TaskManagers, in GiB), RIGHT-SIZED,
/// TOO-SMALL or INCONCLUSIVE. Each TaskManager not analysed says why (beyond the top N, no GC
/// log in Flink's log directory, vanished, timed out). --no-memory skips all of it.
///
/// Examples:
///
///   rightsize scan --flink http://jobmanager:8081
///
///   rightsize scan --flink http://jobmanager:8081 --kafka-bootstrap kafka-1:9092,kafka-2:9092
///
///   rightsize scan --flink http://jobmanager:8081 --kafka-bootstrap kafka:9093 --kafka-tls \
///       --kafka-sasl-mechanism scram-sha-512 --kafka-user scanner --sql orders-job.sql
///
///   rightsize scan --flink http://jobmanager:8081 --input-rate orders=12000 --output json
///
///   rightsize scan --flink https://flink.example.com --token "$TOKEN" --job JOB_ID
///
///   rightsize scan --flink http://jobmanager:8081 --top-taskmanagers 4 --gc-log-pattern 'tm-gc*.log*'
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ScanArgs {
    /// Flink REST base URL (the JobManager's rest.address:rest.port, default port 8081).
    #[arg(long, value_name = "URL", env = "RIGHTSIZE_FLINK_URL", value_parser = values::http_url)]
    flink: String,

    /// Scan only this job id (repeatable). Default: every RUNNING job in /jobs/overview.
    #[arg(long = "job", value_name = "JOB_ID")]
    jobs: Vec<String>,

    /// Input rate S of a Kafka topic, records/s (repeatable): overrides the broker-side rate of
    /// that topic. A job's S is the sum over its source topics (`orders.v1` matches Flink's
    /// `orders_v1`). A job's name or id instead of a topic sets that job's S directly.
    #[arg(long = "input-rate", value_name = "TOPIC=RATE", value_parser = input_rate)]
    input_rates: Vec<(String, f64)>,

    /// Kafka bootstrap servers for the broker-side input rate. Without them S is what the
    /// sources read (consumer-side), or --input-rate.
    #[arg(long, value_name = "HOST:PORT[,HOST:PORT]", env = "RIGHTSIZE_KAFKA_BOOTSTRAP", value_delimiter = ',')]
    kafka_bootstrap: Vec<String>,

    /// Connect to Kafka with TLS (implied by --kafka-ca-cert and --kafka-client-cert). Trusts
    /// the public web PKI roots unless --kafka-ca-cert is given.
    #[arg(long)]
    kafka_tls: bool,

    /// PEM file of the CA certificate(s) to trust for Kafka's TLS listener.
    #[arg(long, value_name = "FILE", env = "RIGHTSIZE_KAFKA_CA_CERT")]
    kafka_ca_cert: Option<std::path::PathBuf>,

    /// PEM file of the client certificate (chain) for brokers that require mutual TLS; may hold
    /// the private key too.
    #[arg(long, value_name = "FILE", env = "RIGHTSIZE_KAFKA_CLIENT_CERT")]
    kafka_client_cert: Option<std::path::PathBuf>,

    /// PEM file of the client certificate's private key, when not in --kafka-client-cert.
    #[arg(long, value_name = "FILE", env = "RIGHTSIZE_KAFKA_CLIENT_KEY", requires = "kafka_client_cert")]
    kafka_client_key: Option<std::path::PathBuf>,

    /// SASL mechanism for Kafka (needs --kafka-user and --kafka-password).
    #[arg(long, value_enum, value_name = "MECHANISM", env = "RIGHTSIZE_KAFKA_SASL_MECHANISM")]
    kafka_sasl_mechanism: Option<Mechanism>,

    /// SASL user name for Kafka.
    #[arg(long, value_name = "USER", env = "RIGHTSIZE_KAFKA_USER", requires = "kafka_sasl_mechanism")]
    kafka_user: Option<String>,

    /// SASL password for Kafka (prefer the environment variable: a flag shows in `ps`).
    #[arg(long, value_name = "PASSWORD", env = "RIGHTSIZE_KAFKA_PASSWORD", hide_env_values = true)]
    kafka_password: Option<String>,

    /// Time between the two end-offset samples of the broker-side rate.
    #[arg(long, value_name = "DURATION", value_parser = values::seconds, default_value = "10s")]
    rate_interval: f64,

    /// Timeout of connecting to Kafka and of each Kafka request.
    #[arg(long, value_name = "DURATION", value_parser = values::seconds, default_value = "10s")]
    kafka_timeout: f64,

    /// Flink SQL script of a job (repeatable): its Kafka source tables give the topics by exact
    /// name (sinks excluded, views resolved, topic-pattern expanded against the brokers). Matched
    /// to a running job by pipeline.name, else by its source table names, else to the only job.
    #[arg(long = "sql", value_name = "FILE")]
    sql_files: Vec<std::path::PathBuf>,

    /// Output format on stdout.
    #[arg(long, short, value_enum, default_value_t = Output::Table)]
    output: Output,

    /// Relative tolerance of "≈" and "≪" in the rules.
    #[arg(long, value_name = "FRACTION", value_parser = fraction, default_value = "0.15")]
    tolerance: f64,

    /// "C ≫ S" when C is at least this many times S.
    #[arg(long, value_name = "FACTOR", value_parser = values::positive_factor, default_value = "2")]
    headroom_factor: f64,

    /// Utilisation each vertex is kept under by the recommended parallelism (the Flink
    /// Kubernetes Operator autoscaler's default).
    #[arg(long, value_name = "FRACTION", value_parser = fraction, default_value = "0.7")]
    utilization_target: f64,

    /// A job running for less than this has unsettled metrics; its verdict is withheld.
    #[arg(long, value_name = "DURATION", value_parser = values::seconds, default_value = "120s")]
    settle_time: f64,

    /// C from T and Flink's busy-time estimate "disagree" when this many times apart.
    #[arg(long, value_name = "FACTOR", value_parser = values::positive_factor, default_value = "1.5")]
    disagreement_factor: f64,

    /// Timeout of one REST request (connect, send, read).
    #[arg(long, value_name = "DURATION", value_parser = values::seconds, default_value = "10s")]
    timeout: f64,

    /// Retries of a failed REST request (timeout, connection error, HTTP 5xx).
    #[arg(long, value_name = "N", default_value_t = 2)]
    retries: u32,

    /// Wait before the first retry; doubled for each further one.
    #[arg(long, value_name = "DURATION", value_parser = values::seconds, default_value = "200ms")]
    backoff: f64,

    /// Jobs scanned at once (bounds the load on the JobManager).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    concurrency: u32,

    /// Wait after asking the JobManager to refresh its metric store, before reading metrics.
    /// The JobManager fetches from the TaskManagers only when asked, and answers the asking
    /// request from its old store: after a quiet spell the first answers are stale or empty.
    /// 0 skips it (for a JobManager that a dashboard polls anyway).
    #[arg(long, value_name = "DURATION", value_parser = values::seconds, default_value = "2s")]
    metrics_refresh_wait: f64,

    /// Bearer token sent as "Authorization: Bearer TOKEN".
    #[arg(long, value_name = "TOKEN", env = "RIGHTSIZE_FLINK_TOKEN", hide_env_values = true, conflicts_with = "user")]
    token: Option<String>,

    /// HTTP Basic credentials.
    #[arg(long, value_name = "USER:PASSWORD", env = "RIGHTSIZE_FLINK_USER", hide_env_values = true)]
    user: Option<String>,

    /// PEM file of the CA certificate(s) to trust for an https:// URL, instead of the public
    /// web PKI roots (a private CA or a self-signed JobManager certificate).
    #[arg(long, value_name = "FILE", env = "RIGHTSIZE_FLINK_CA_CERT")]
    ca_cert: Option<std::path::PathBuf>,

    /// Skip the memory advice: no TaskManager requests, no GC log downloads.
    #[arg(long)]
    no_memory: bool,

    /// TaskManagers analysed per job, those with the most young collections first.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..))]
    top_taskmanagers: u32,

    /// File names in a TaskManager's log directory read as its GC log (* and ? wildcards).
    /// Rotated (gc.log.3) and gzipped files of the same log match too.
    #[arg(long, value_name = "GLOB", default_value = "*gc*.log*", value_parser = values::file_pattern)]
    gc_log_pattern: String,

    /// GC log bytes downloaded per TaskManager, newest files first; older rotated files beyond
    /// it are skipped (and said so).
    #[arg(long, value_name = "SIZE", value_parser = values::byte_size, default_value = "64m")]
    max_gc_log_bytes: u64,

    /// A file of saved sidecar pushes (rightsize.gc-push/v1: one document, a JSON array, or one
    /// per line), used instead of downloading the GC log of the TaskManagers they name
    /// (repeatable).
    #[arg(long = "gc-report", value_name = "FILE")]
    gc_reports: Vec<std::path::PathBuf>,

    /// Recommended heap as a multiple of the live set M.
    #[arg(long, value_name = "LOW-HIGH", value_parser = values::factor_range, default_value = "3-4")]
    heap_factor: (f64, f64),

    /// A heap is over-provisioned when above the recommended upper bound by more than this.
    #[arg(long, value_name = "FACTOR", value_parser = values::positive_factor, default_value = "1.5")]
    heap_over_provision_factor: f64,
}

#[derive(Clone, Copy, ValueEnum)]
enum Mechanism {
    /// SASL/PLAIN (RFC 4616): the password travels as is; use it only with --kafka-tls.
    Plain,
    /// SASL/SCRAM-SHA-256 (RFC 7677).
    #[value(name = "scram-sha-256")]
    ScramSha256,
    /// SASL/SCRAM-SHA-512.
    #[value(name = "scram-sha-512")]
    ScramSha512,
}

#[derive(Clone, Copy, ValueEnum)]
enum Output {
    /// Aligned text for people: one block per job, arithmetic below the table.
    Table,
    /// One JSON document (schema rightsize.scan/v1) with every quantity, basis and explanation.
    Json,
}

impl ScanArgs {
    /// The scan's options, with every file the flags name read and checked. `Err` is bad usage,
    /// with what to fix.
    pub fn scan_options(&self) -> Result<ScanOptions, String> {
        let ca_certificates_pem = read_ca_cert(self.ca_cert.as_deref())?;
        let mut options = self.options(ca_certificates_pem);
        options.kafka = self.kafka_options()?;
        for path in &self.sql_files {
            let text = std::fs::read_to_string(path)
                .map_err(|error| format!("cannot read --sql {}: {error}", path.display()))?;
            let script = sql::parse_script(&path.display().to_string(), &text)
                .map_err(|problem| format!("--sql {}: {problem}", path.display()))?;
            options.sql_scripts.push(script);
        }
        Ok(options)
    }

    fn kafka_options(&self) -> Result<Option<KafkaOptions>, String> {
        let bootstrap: Vec<String> =
            self.kafka_bootstrap.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
        if bootstrap.is_empty() {
            return Ok(None);
        }
        if let Some(bad) =
            bootstrap.iter().find(|server| server.rsplit_once(':').is_none_or(|(_, port)| port.parse::<u16>().is_err()))
        {
            return Err(format!("--kafka-bootstrap '{bad}': expected HOST:PORT, e.g. kafka-1:9092"));
        }
        let read = |flag: &str, path: &std::path::Path| {
            std::fs::read(path).map_err(|error| format!("cannot read {flag} {}: {error}", path.display()))
        };
        let ca_certificates_pem = match &self.kafka_ca_cert {
            Some(path) => {
                let pem = read("--kafka-ca-cert", path)?;
                kafka::check_pem(&pem, false)
                    .map_err(|problem| format!("--kafka-ca-cert {}: {problem}", path.display()))?;
                Some(pem)
            }
            None => None,
        };
        let client_identity_pem = match &self.kafka_client_cert {
            Some(path) => {
                let mut pem = read("--kafka-client-cert", path)?;
                if let Some(key) = &self.kafka_client_key {
                    pem.push(b'\n');
                    pem.extend(read("--kafka-client-key", key)?);
                }
                kafka::check_pem(&pem, true)
                    .map_err(|problem| format!("--kafka-client-cert {}: {problem}", path.display()))?;
                Some(pem)
            }
            None => None,
        };
        let sasl = match (self.kafka_sasl_mechanism, &self.kafka_user, &self.kafka_password) {
            (None, _, _) => None,
            (Some(mechanism), Some(user), Some(password)) => Some(KafkaSasl {
                mechanism: match mechanism {
                    Mechanism::Plain => SaslMechanism::Plain,
                    Mechanism::ScramSha256 => SaslMechanism::ScramSha256,
                    Mechanism::ScramSha512 => SaslMechanism::ScramSha512,
                },
                user: user.clone(),
                password: password.clone(),
            }),
            (Some(_), _, _) => {
                return Err("--kafka-sasl-mechanism needs --kafka-user and --kafka-password \
                            (or RIGHTSIZE_KAFKA_USER and RIGHTSIZE_KAFKA_PASSWORD)"
                    .to_owned())
            }
        };
        Ok(Some(KafkaOptions {
            bootstrap,
            tls: self.kafka_tls || ca_certificates_pem.is_some() || client_identity_pem.is_some(),
            ca_certificates_pem,
            client_identity_pem,
            sasl,
            rate_interval: Duration::from_secs_f64(self.rate_interval),
            timeout: Duration::from_secs_f64(self.kafka_timeout),
            ..KafkaOptions::default()
        }))
    }

    /// The options, with every file the flags name read and checked: what `serve` runs each scan
    /// with.
    pub(super) fn resolve(&self) -> Result<ScanOptions, String> {
        self.scan_options()
    }

    fn options(&self, ca_certificates_pem: Option<Vec<u8>>) -> ScanOptions {
        let auth = match (&self.token, &self.user) {
            (Some(token), _) => Some(Auth::Bearer(token.clone())),
            (None, Some(credentials)) => {
                let (user, password) = credentials.split_once(':').unwrap_or((credentials, ""));
                Some(Auth::Basic { user: user.to_owned(), password: password.to_owned() })
            }
            (None, None) => None,
        };
        ScanOptions {
            collect: CollectOptions {
                flink_url: self.flink.clone(),
                job_ids: self.jobs.clone(),
                timeout: Duration::from_secs_f64(self.timeout),
                retries: self.retries,
                backoff: Duration::from_secs_f64(self.backoff),
                concurrency: usize::try_from(self.concurrency).unwrap_or(1),
                auth,
                ca_certificates_pem,
                metrics_refresh_wait: Duration::from_secs_f64(self.metrics_refresh_wait),
            },
            input_rates: self.input_rates.iter().cloned().collect(),
            kafka: None,
            sql_scripts: Vec::new(),
            decide: DecideOptions {
                tolerance: self.tolerance,
                headroom_factor: self.headroom_factor,
                utilization_target: self.utilization_target,
                settle_time: Duration::from_secs_f64(self.settle_time),
                disagreement_factor: self.disagreement_factor,
            },
            memory: MemoryOptions {
                enabled: !self.no_memory,
                top_taskmanagers: usize::try_from(self.top_taskmanagers).unwrap_or(usize::MAX),
                gc_log_pattern: self.gc_log_pattern.clone(),
                max_log_bytes: self.max_gc_log_bytes,
                gc: GcOptions {
                    heap_factor: self.heap_factor,
                    over_provision_factor: self.heap_over_provision_factor,
                    ..GcOptions::default()
                },
            },
        }
    }

    /// The sidecar pushes of the --gc-report files; an unreadable one is bad usage.
    pub fn sidecar_reports(&self) -> Result<Vec<GcPush>, String> {
        let mut pushes = Vec::new();
        for path in &self.gc_reports {
            let text = std::fs::read_to_string(path)
                .map_err(|error| format!("cannot read --gc-report {}: {error}", path.display()))?;
            let mut read = memory::collect::read_pushes(&text)
                .map_err(|problem| format!("--gc-report {}: {problem}", path.display()))?;
            pushes.append(&mut read);
        }
        Ok(pushes)
    }
}

/// Parses `TOPIC=RATE` (records/s, ≥ 0).
fn input_rate(text: &str) -> Result<(String, f64), String> {
    let (topic, rate) = text
        .rsplit_once('=')
        .ok_or_else(|| format!("'{text}': expected TOPIC=RECORDS_PER_SECOND, e.g. orders=1200"))?;
    let rate: f64 = rate.trim().parse().map_err(|_| format!("'{rate}' is not a rate in records/s"))?;
    if topic.trim().is_empty() || !rate.is_finite() || rate < 0.0 {
        return Err(format!("'{text}': expected a topic and a non-negative rate, e.g. orders=1200"));
    }
    Ok((topic.trim().to_owned(), rate))
}

/// Parses a fraction in (0, 1).
fn fraction(text: &str) -> Result<f64, String> {
    let value: f64 = text.trim().parse().map_err(|_| format!("'{text}' is not a number"))?;
    if value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(format!("'{text}': expected a fraction between 0 and 1, e.g. 0.7"))
    }
}

/// Reads and checks the `--ca-cert` file, if any; an unusable one is bad usage.
fn read_ca_cert(path: Option<&std::path::Path>) -> Result<Option<Vec<u8>>, String> {
    let Some(path) = path else { return Ok(None) };
    let pem = std::fs::read(path).map_err(|error| format!("cannot read --ca-cert {}: {error}", path.display()))?;
    collect::check_ca_certificates(&pem).map_err(|problem| format!("--ca-cert {}: {problem}", path.display()))?;
    Ok(Some(pem))
}

pub fn run(args: ScanArgs) -> ExitCode {
    let options = match args.scan_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("rightsize: {message}");
            return ExitCode::from(2);
        }
    };
    let sidecar_reports = match args.sidecar_reports() {
        Ok(pushes) => pushes,
        Err(message) => {
            eprintln!("rightsize: {message}");
            return ExitCode::from(2);
        }
    };
    // Progress on stderr only for a person watching: a terminal, not a log file or a pipe.
    let show_progress = std::io::stderr().is_terminal();
    // The Kafka stage follows the last job and takes --rate-interval: say so while it runs.
    let rate_interval = options.kafka.as_ref().map(|kafka| kafka.rate_interval.as_secs_f64());
    let progress = |done: usize, total: usize| {
        if show_progress {
            match rate_interval {
                Some(seconds) if done == total => {
                    eprint!("\rrightsize: scanned {done}/{total} jobs; measuring Kafka rates over {seconds} s")
                }
                _ => eprint!("\rrightsize: scanned {done}/{total} jobs"),
            }
        }
    };
    let collected = scan::collect_all(&options, &progress);
    if show_progress {
        eprint!("\r\x1b[2K"); // Clear the progress line before the report.
    }
    let mut snapshot = match collected {
        Ok(snapshot) => snapshot,
        Err(unreachable) => {
            eprintln!("rightsize: {unreachable}");
            return ExitCode::from(4);
        }
    };
    scan::collect_memory(&mut snapshot, &options, &sidecar_reports);
    let report = scan::analyse(&snapshot, &options);
    let rendered = match args.output {
        Output::Table => report.to_table(),
        Output::Json => match report.to_json() {
            Ok(json) => json + "\n",
            Err(error) => {
                eprintln!("rightsize: cannot render the JSON report: {error}");
                return ExitCode::from(1);
            }
        },
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout.write_all(rendered.as_bytes()).and_then(|_| stdout.flush()) {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("rightsize: cannot write the report to stdout: {error}");
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_rates_parse_topic_and_rate() {
        assert_eq!(input_rate("orders.v1=1200"), Ok(("orders.v1".to_owned(), 1200.0)));
        assert!(input_rate("orders").is_err());
        assert!(input_rate("=5").is_err());
        assert!(input_rate("orders=-1").is_err());
        assert!(input_rate("orders=fast").is_err());
    }

    #[test]
    fn fractions_are_open_interval() {
        assert_eq!(fraction("0.7"), Ok(0.7));
        assert!(fraction("0").is_err());
        assert!(fraction("1").is_err());
    }

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        scan: ScanArgs,
    }

    fn kafka(args: &[&str]) -> Result<Option<KafkaOptions>, String> {
        use clap::Parser;
        let argv = ["rightsize", "--flink", "http://jobmanager:8081"].iter().chain(args);
        Cli::try_parse_from(argv).map_err(|error| error.to_string())?.scan.kafka_options()
    }

    #[test]
    fn kafka_flags_become_options_and_bad_ones_say_what_to_fix() {
        let options = kafka(&[
            "--kafka-bootstrap",
            "kafka-1:9092,kafka-2:9092",
            "--kafka-sasl-mechanism",
            "scram-sha-512",
            "--kafka-user",
            "scanner",
            "--kafka-password",
            "secret",
            "--rate-interval",
            "30s",
        ])
        .expect("valid")
        .expect("Kafka configured");
        assert_eq!(options.bootstrap, ["kafka-1:9092", "kafka-2:9092"]);
        assert_eq!(options.rate_interval, Duration::from_secs(30));
        assert!(!options.tls);
        let sasl = options.sasl.expect("SASL");
        assert_eq!((sasl.mechanism, sasl.user.as_str()), (SaslMechanism::ScramSha512, "scanner"));
        assert!(!format!("{sasl:?}").contains("secret"), "the password stays out of debug output");

        assert!(kafka(&["--kafka-bootstrap", "kafka-1"]).unwrap_err().contains("expected HOST:PORT"));
        let missing = kafka(&["--kafka-bootstrap", "k:9092", "--kafka-sasl-mechanism", "plain", "--kafka-user", "u"]);
        if std::env::var_os("RIGHTSIZE_KAFKA_PASSWORD").is_none() {
            assert!(missing.unwrap_err().contains("needs --kafka-user and --kafka-password"));
        }
        let no_file = kafka(&["--kafka-bootstrap", "k:9092", "--kafka-ca-cert", "/nonexistent/ca.pem"]);
        assert!(no_file.unwrap_err().starts_with("cannot read --kafka-ca-cert /nonexistent/ca.pem"));
        assert!(kafka(&[]).expect("valid").is_none() || std::env::var_os("RIGHTSIZE_KAFKA_BOOTSTRAP").is_some());
    }
}
