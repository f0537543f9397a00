//! `rightsize sidecar`: follow a TaskManager's GC logs, serve metrics, push analyses upstream.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::gc::AnalysisArgs;
use super::values;
use rightsize::http::{Server, ServerOptions};
use rightsize::sidecar::push::PushOptions;
use rightsize::sidecar::spool::SpoolLimits;
use rightsize::sidecar::tracker::Retention;
use rightsize::sidecar::{Sidecar, SidecarOptions};
use rightsize::wire::AgentIdentity;

/// Follow the GC logs of a running JVM (a TaskManager) and report its heap advice continuously.
///
/// Runs beside the JVM, sharing the directory it writes its GC log into. Follows every file
/// matching --pattern there through JDK 8 rotation (gc.log.N.current), JDK 9+ rotation (gc.log,
/// gc.log.0, ...), truncation in place when the JVM restarts, one file per JVM start (%p, %t),
/// files that appear late or vanish, and partial lines. Positions and counts are checkpointed
/// together in the state directory, so a restarted sidecar neither loses nor double-counts an
/// event.
///
/// Each JVM run is analysed as `rightsize gc` would (summary fields, live set M, recommended
/// heap, verdict); memory stays bounded on a JVM that runs for months: totals are exact, the
/// summary covers the latest --recent-events events, the live set also older Full GCs and cycles.
///
/// Endpoints (on --listen, loopback by default; all but /healthz need --token when set):
///
///   GET /metrics   Prometheus text: per JVM (labels log, instance) rightsize_gc_*_total
///                  counters, summary fields, live set, recommendation, verdict; the sidecar's
///                  own rightsize_sidecar_* health
///   GET /report    the analysis as a rightsize.gc/v1 JSON document (as `rightsize gc -o json`)
///   GET /status    what is followed, totals per JVM
///   GET /healthz   liveness
///
/// With --report-url, the analysis is pushed (POST, rightsize.gc-push/v1) to URL/api/v1/gc-reports
/// whenever it changed, at most every --push-interval. Pushes wait in a bounded spool on disk until
/// delivered (retries with exponential backoff; same id on every retry, sequence numbers
/// increasing across restarts); when the spool is full the oldest are dropped and counted.
///
/// The listening address is printed on stdout at start ("listening on http://ADDR"): with
/// --listen 127.0.0.1:0 a free port is chosen. SIGTERM or Ctrl-C stops it after saving its state;
/// after SIGKILL or a crash nothing is lost either: what came after the last checkpoint (saved
/// every --checkpoint-interval) is read again and counted once.
///
/// Examples:
///
///   rightsize sidecar --dir /opt/flink/log
///
///   rightsize sidecar --dir /opt/flink/log --pattern 'gc*.log*' \
///       --report-url http://rightsize.flink-system:8080 --listen 0.0.0.0:9470 --token "$TOKEN"
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct SidecarArgs {
    /// The directory the JVM writes its GC logs into (-Xlog:gc*:file=DIR/gc.log...). It may not
    /// exist yet; it is polled until it does.
    #[arg(long, value_name = "DIR", env = "RIGHTSIZE_GC_LOG_DIR")]
    dir: PathBuf,

    /// File names to follow in --dir: `*` any run of characters, `?` one character.
    #[arg(long, value_name = "GLOB", default_value = "gc*.log*", value_parser = values::file_pattern)]
    pattern: String,

    /// Where the checkpoint and the push spool live. Default: DIR/.rightsize-sidecar (on the log
    /// volume, so it lives as long as the logs).
    #[arg(long, value_name = "DIR", env = "RIGHTSIZE_STATE_DIR")]
    state_dir: Option<PathBuf>,

    /// Address for /metrics, /report, /status, /healthz. Port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9470")]
    listen: SocketAddr,

    /// Require `Authorization: Bearer TOKEN` on every endpoint but /healthz.
    #[arg(long, value_name = "TOKEN", env = "RIGHTSIZE_SIDECAR_TOKEN", hide_env_values = true)]
    token: Option<String>,

    /// Push analyses to this `rightsize serve` (base URL; the path /api/v1/gc-reports is added).
    #[arg(long, value_name = "URL", env = "RIGHTSIZE_REPORT_URL", value_parser = values::http_url)]
    report_url: Option<String>,

    /// Bearer token sent with pushes.
    #[arg(long, value_name = "TOKEN", env = "RIGHTSIZE_REPORT_TOKEN", hide_env_values = true)]
    report_token: Option<String>,

    /// Extra CA certificates (PEM) trusted for an https --report-url.
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,

    /// A changed analysis is pushed at most this often (e.g. 30s, 5m).
    #[arg(long, value_name = "DURATION", value_parser = values::seconds, default_value = "30s")]
    push_interval: f64,

    /// Timeout of one push request.
    #[arg(long, value_name = "DURATION", value_parser = values::seconds, default_value = "10s")]
    push_timeout: f64,

    /// Longest wait between retries of a failed push (the first is 1 s, doubled per failure).
    #[arg(long, value_name = "DURATION", value_parser = values::seconds, default_value = "5m")]
    push_backoff_max: f64,

    /// Undelivered pushes kept on disk; beyond, the oldest are dropped and counted.
    #[arg(long, value_name = "N", default_value_t = 64)]
    spool_max_pushes: usize,

    /// Bytes of undelivered pushes kept on disk (e.g. 16m); beyond, the oldest are dropped.
    #[arg(long, value_name = "SIZE", value_parser = values::byte_size, default_value = "16m")]
    spool_max_bytes: u64,

    /// How often the log directory is polled.
    #[arg(long, value_name = "DURATION", value_parser = values::seconds, default_value = "1s")]
    poll_interval: f64,

    /// How often positions and counts are saved (at most; only when they moved).
    #[arg(long, value_name = "DURATION", value_parser = values::seconds, default_value = "5s")]
    checkpoint_interval: f64,

    /// Latest events per JVM the summary is computed over.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    recent_events: usize,

    /// Older live-set samples (Full GCs, cycle ends) kept per JVM beside the recent events.
    #[arg(long, value_name = "N", default_value_t = 128)]
    live_set_samples: usize,

    /// Stable id of this sidecar in pushes. Default: POD:DIR with the pod name (--pod), else
    /// HOST:DIR.
    #[arg(long, value_name = "ID", env = "RIGHTSIZE_AGENT_ID")]
    agent_id: Option<String>,

    /// Flink's id of the TaskManager beside this sidecar (on Kubernetes, its pod name).
    #[arg(long, value_name = "ID", env = "RIGHTSIZE_TASKMANAGER_ID")]
    taskmanager_id: Option<String>,

    /// The pod's name (Kubernetes downward API).
    #[arg(long, value_name = "NAME", env = "POD_NAME")]
    pod: Option<String>,

    /// The pod's namespace (Kubernetes downward API).
    #[arg(long, value_name = "NAME", env = "POD_NAMESPACE")]
    namespace: Option<String>,

    #[command(flatten)]
    analysis: AnalysisArgs,
}

impl SidecarArgs {
    fn options(&self) -> Result<SidecarOptions, String> {
        let host = std::env::var("HOSTNAME")
            .ok()
            .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok().map(|name| name.trim().to_string()))
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "localhost".to_string());
        let agent_id = self
            .agent_id
            .clone()
            .unwrap_or_else(|| format!("{}:{}", self.pod.as_deref().unwrap_or(&host), self.dir.display()));
        let agent = AgentIdentity {
            agent_id,
            taskmanager_id: self.taskmanager_id.clone(),
            host,
            pod: self.pod.clone(),
            namespace: self.namespace.clone(),
        };
        let mut options = SidecarOptions::new(&self.dir, agent);
        options.pattern = self.pattern.clone();
        if let Some(state_dir) = &self.state_dir {
            options.state_dir = state_dir.clone();
        }
        options.poll_interval = positive(self.poll_interval, "--poll-interval")?;
        options.checkpoint_interval = Duration::from_secs_f64(self.checkpoint_interval);
        options.retention = Retention {
            recent_events: self.recent_events.max(1),
            live_set_samples: self.live_set_samples,
            ..Retention::default()
        };
        options.gc = self.analysis.options();
        if let Some(url) = &self.report_url {
            let mut push = PushOptions::new(url.clone());
            push.token = self.report_token.clone();
            push.interval = Duration::from_secs_f64(self.push_interval);
            push.timeout = positive(self.push_timeout, "--push-timeout")?;
            push.backoff_max = positive(self.push_backoff_max, "--push-backoff-max")?.max(push.backoff_min);
            push.spool = SpoolLimits { max_items: self.spool_max_pushes.max(1), max_bytes: self.spool_max_bytes };
            if let Some(path) = &self.ca_cert {
                let pem = std::fs::read(path).map_err(|e| format!("cannot read --ca-cert {}: {e}", path.display()))?;
                rightsize::scan::collect::check_ca_certificates(&pem)
                    .map_err(|e| format!("--ca-cert {}: {e}", path.display()))?;
                push.ca_certificates_pem = Some(pem);
            }
            options.push = Some(push);
        }
        Ok(options)
    }
}

fn positive(seconds: f64, flag: &str) -> Result<Duration, String> {
    if seconds > 0.0 {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err(format!("{flag} must be more than 0"))
    }
}

pub fn run(args: SidecarArgs) -> ExitCode {
    let options = match args.options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("rightsize sidecar: {message}");
            return ExitCode::from(2);
        }
    };
    let mut server_options = ServerOptions::new(args.listen);
    server_options.bearer_token = args.token.clone();
    server_options.max_body_bytes = 64 << 10;
    let server = match Server::bind(server_options) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("rightsize sidecar: {error:#}");
            return ExitCode::from(2);
        }
    };
    let push_target = options.push.as_ref().map(|push| push.endpoint());
    let mut sidecar = match Sidecar::open(options) {
        Ok(sidecar) => sidecar,
        Err(error) => {
            eprintln!("rightsize sidecar: {error:#}");
            return ExitCode::from(1);
        }
    };
    let address = server.local_addr();
    let _running = server.spawn(sidecar.handler());
    println!("listening on http://{address}");
    let _ = std::io::stdout().flush();
    tracing::info!(
        dir = %args.dir.display(),
        pattern = %args.pattern,
        push = push_target.as_deref().unwrap_or("off (no --report-url)"),
        "following GC logs"
    );
    // SIGTERM (Kubernetes) or Ctrl-C: the loop ends and saves the checkpoint before exiting.
    let stop = match rightsize::shutdown::stop_on_signals() {
        Ok(stop) => stop,
        Err(error) => {
            tracing::warn!("cannot handle stop signals ({error}); state is saved every --checkpoint-interval");
            Arc::new(AtomicBool::new(false))
        }
    };
    sidecar.run(&stop);
    ExitCode::SUCCESS
}
