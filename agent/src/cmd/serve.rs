//! `rightsize serve`: the scan on a schedule, with a store, alerts and HTTP endpoints.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::scan::ScanArgs;
use super::values;
use rightsize::http::{Server, ServerOptions};
use rightsize::serve::alert::WebhookOptions;
use rightsize::serve::store::Retention;
use rightsize::serve::{api, ServeOptions, Service};

/// Scan a Flink cluster on a schedule, keep the history, and alert on advice that holds.
///
/// Every --interval, runs the same scan as `rightsize scan` (every scan flag below applies; its
/// --output does not: results go to the store and the endpoints) and records each job's
/// evidence and verdict in an embedded store under --store, which survives restarts. A job is
/// reported — and alerted to --webhook, once per streak — only after --alert-after consecutive
/// scans advise the same change: reduce (rule 1) or increase (rule 3). Any other verdict, keep
/// or inconclusive, starts the count again; a job absent from a scan keeps its count.
///
/// The memory advice uses the GC analyses sidecars push to POST /api/v1/gc-reports (and any
/// --gc-report file, loaded into the store at start), else downloads the logs as `scan` does.
///
/// HTTP endpoints on --listen (loopback by default; --api-token to require a bearer token):
///
///   GET  /                     every job: verdict, streak, history, saving (HTML)
///   GET  /metrics              Prometheus: per job verdict, P, recommended P, S, C, T, hits;
///                              scans, scan failures and durations, alerts
///   GET  /api/v1/jobs          every job's latest summary and streak (JSON)
///   GET  /api/v1/jobs/ID       one job with its history, full evidence, newest first (?limit=N)
///   GET  /api/v1/scans         the scans, newest first (?limit=N)
///   GET  /api/v1/gc-reports    the latest GC analysis each sidecar pushed
///   POST /api/v1/gc-reports    a sidecar's push (rightsize.gc-push/v1), idempotent by id
///   GET  /healthz              ok (never needs the token)
///
/// The webhook gets one JSON POST per confirmed streak (schema rightsize.alert/v1, with a
/// `text` line for chat webhooks and an `id` stable across resends); failed deliveries are
/// retried with backoff, then again after the next scan.
///
/// With --apply, a confirmed parallelism advice is also applied, once per streak, in place:
/// each changed vertex's recommended parallelism becomes its upper bound through
/// PUT /jobs/:jid/resource-requirements, and Flink's adaptive scheduler restarts the job from
/// its latest checkpoint at it. Jobs under the default scheduler are left as they are; the job's
/// last_rescale (in /api/v1/jobs and on the page) says why, with the
/// pipeline.jobvertex-parallelism-overrides value to set at its next deployment.
///
/// SIGTERM or Ctrl-C finishes the current scan and exits.
///
/// Examples:
///
///   rightsize serve --flink http://jobmanager:8081 --store /var/lib/rightsize
///
///   rightsize serve --flink http://jobmanager:8081 --input-rate orders=12000 \
///       --webhook https://hooks.example.com/T0/B0/x --interval 10m \
///       --listen 0.0.0.0:9731 --api-token "$TOKEN"
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct ServeArgs {
    #[command(flatten)]
    scan: ScanArgs,

    /// Time from the start of one scan to the start of the next. Flink's rates are 60 s meters:
    /// scans much closer than that see the same traffic twice.
    #[arg(long, value_name = "DURATION", value_parser = values::seconds, default_value = "5m")]
    interval: f64,

    /// Directory of the embedded store (created if missing). One store per serve process.
    #[arg(long = "store", value_name = "DIR", env = "RIGHTSIZE_STORE", default_value = "rightsize-store")]
    store_dir: PathBuf,

    /// Scans kept in the store with every job's summary in them (under 1 KB per job and scan);
    /// older ones are dropped. The default is one day at the default interval.
    #[arg(long, value_name = "N", default_value_t = 288, value_parser = clap::value_parser!(u64).range(1..))]
    keep_scans: u64,

    /// Of those, the newest scans whose full evidence is kept too (every vertex's quantities and
    /// arithmetic: about 15 KB per scan of a 10-vertex job).
    #[arg(long, value_name = "N", default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..))]
    keep_evidence: u64,

    /// Address of the HTTP endpoints. Port 0 picks a free port (printed at start).
    #[arg(long, value_name = "ADDR:PORT", env = "RIGHTSIZE_LISTEN", default_value = rightsize::serve::DEFAULT_LISTEN)]
    listen: SocketAddr,

    /// Require "Authorization: Bearer TOKEN" on every endpoint but /healthz (this server's own
    /// token; --token is Flink's).
    #[arg(long, value_name = "TOKEN", env = "RIGHTSIZE_API_TOKEN", hide_env_values = true)]
    api_token: Option<String>,

    /// Consecutive scans with the same advice before a job is reported and alerted.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    alert_after: u32,

    /// Apply confirmed parallelism advice in place (needs jobmanager.scheduler: adaptive, Flink
    /// 1.18 or later). Off: serve only advises.
    #[arg(long)]
    apply: bool,

    /// URL receiving a JSON POST per confirmed advice (http:// or https://).
    #[arg(long, value_name = "URL", env = "RIGHTSIZE_WEBHOOK", value_parser = values::http_url)]
    webhook: Option<String>,

    /// Value of the Authorization header sent to the webhook, e.g. "Bearer abc".
    #[arg(
        long,
        value_name = "VALUE",
        env = "RIGHTSIZE_WEBHOOK_AUTHORIZATION",
        hide_env_values = true,
        requires = "webhook"
    )]
    webhook_authorization: Option<String>,

    /// Timeout of one webhook request.
    #[arg(long, value_name = "DURATION", value_parser = values::seconds, default_value = "10s")]
    webhook_timeout: f64,

    /// Retries of a failed webhook request (timeout, connection error, HTTP 408, 429, 5xx).
    #[arg(long, value_name = "N", default_value_t = 3)]
    webhook_retries: u32,

    /// Wait before the first webhook retry; doubled for each further one.
    #[arg(long, value_name = "DURATION", value_parser = values::seconds, default_value = "1s")]
    webhook_backoff: f64,

    /// Stop after this many scans instead of running until stopped.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    scans: Option<u64>,
}

impl ServeArgs {
    fn options(&self) -> Result<ServeOptions, String> {
        let mut options = ServeOptions::new(self.scan.resolve()?);
        options.interval = Duration::from_secs_f64(self.interval);
        options.store_dir = self.store_dir.clone();
        options.retention = Retention { scans: self.keep_scans, evidence_scans: self.keep_evidence };
        options.listen = self.listen;
        options.api_token = self.api_token.clone().filter(|token| !token.is_empty());
        options.alert_after = self.alert_after;
        options.apply = self.apply;
        options.max_scans = self.scans;
        if let Some(url) = &self.webhook {
            let mut webhook = WebhookOptions::new(url.clone());
            webhook.authorization = self.webhook_authorization.clone();
            webhook.timeout = Duration::from_secs_f64(self.webhook_timeout);
            webhook.retries = self.webhook_retries;
            webhook.backoff = Duration::from_secs_f64(self.webhook_backoff);
            options.webhook = Some(webhook);
        }
        Ok(options)
    }
}

pub fn run(args: ServeArgs) -> ExitCode {
    let options = match args.options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("rightsize: {message}");
            return ExitCode::from(2);
        }
    };
    let saved_pushes = match args.scan.sidecar_reports() {
        Ok(pushes) => pushes,
        Err(message) => {
            eprintln!("rightsize: {message}");
            return ExitCode::from(2);
        }
    };
    let stop = match rightsize::shutdown::stop_on_signals() {
        Ok(stop) => stop,
        Err(error) => {
            eprintln!("rightsize: cannot install the SIGTERM/Ctrl-C handler: {error}");
            return ExitCode::from(1);
        }
    };
    let mut server_options = ServerOptions::new(options.listen);
    server_options.bearer_token = options.api_token.clone();
    let server = match Server::bind(server_options) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("rightsize: {error}");
            return ExitCode::from(2);
        }
    };
    let service = match Service::open(options) {
        Ok(service) => Arc::new(service),
        Err(error) => {
            eprintln!("rightsize: {error:#}");
            return ExitCode::from(1);
        }
    };
    // --gc-report files join the store as pushes: listed, and replaced by newer pushes.
    for push in &saved_pushes {
        if let Err(error) = service.store.put_gc_push(push) {
            eprintln!("rightsize: cannot store the --gc-report push {}: {error:#}", push.id);
            return ExitCode::from(1);
        }
    }
    // Scripts and tests read the address from here, also when port 0 was asked for.
    eprintln!(
        "rightsize: serving on http://{}/ (store {}), scanning {} every {:?}",
        server.local_addr(),
        service.store.path().display(),
        service.options.scan.collect.flink_url,
        service.options.interval
    );
    std::thread::scope(|scope| {
        let (service, stop) = (&service, &stop);
        let http = scope.spawn(|| server.serve(api::handler(Arc::clone(service)), Arc::clone(stop)));
        service.run(stop);
        // After the last scan of --scans, or a signal: stop the HTTP workers too.
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = http.join();
    });
    ExitCode::SUCCESS
}
