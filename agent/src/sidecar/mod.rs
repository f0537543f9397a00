//! `rightsize sidecar`: runs beside a TaskManager, follows its GC logs and reports upstream.
//!
//! One pass of the loop is the pipeline every part of Rightsize follows:
//!
//! 1. **collect** — the [`crate::tail`] follower reads what is new in the log directory
//!    (rotation, truncation, late or vanished files, partial lines) and hands the lines to the
//!    [`tracker::Tracker`], which parses them per log and keeps each JVM instance bounded;
//! 2. **evaluate** — the GC analyses ([`crate::gc::analysis`]) run over each instance, only when
//!    something changed;
//! 3. **report** — `/metrics` and `/report` are re-rendered, and, with `--report-url`, a
//!    [`crate::wire::GcPush`] is spooled on disk and sent by [`push::Uplink`].
//!
//! Positions and the tracker's state are saved together in one atomic checkpoint, so a
//! restarted sidecar neither loses nor double-counts an event; the spool keeps undelivered
//! pushes across restarts. Everything lives in the state directory (by default a hidden
//! directory inside the log directory, so it shares the log volume's lifetime).

pub mod metrics;
pub mod push;
pub mod spool;
pub mod tracker;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::gc::analysis::GcOptions;
use crate::http::{Handler, Method, Request, Response};
use crate::report::InstanceReport;
use crate::tail::{Follower, FollowerConfig};
use crate::wire::{AgentIdentity, GcPush, GC_PUSH_SCHEMA};
use metrics::{Health, PushHealth};
use push::{PushOptions, Uplink};
use tracker::{Retention, Tracker};

/// The checkpoint file inside the state directory.
pub const CHECKPOINT_FILE: &str = "checkpoint.json";
/// The spool directory inside the state directory.
pub const SPOOL_DIR: &str = "spool";
/// The default state directory, inside the log directory; hidden, so no pattern matches it.
pub const DEFAULT_STATE_DIR: &str = ".rightsize-sidecar";

/// Everything the sidecar is told; each field's default is in its comment.
#[derive(Debug, Clone)]
pub struct SidecarOptions {
    /// The directory the JVM writes its GC logs into.
    pub dir: PathBuf,
    /// File names to follow (`*`, `?`). Default `gc*.log*`.
    pub pattern: String,
    /// Checkpoint and spool. Default `<dir>/.rightsize-sidecar`.
    pub state_dir: PathBuf,
    /// How often the directory is polled. Default 1 s.
    pub poll_interval: Duration,
    /// Checkpoints are written at most this often. Default 5 s: after a crash at most that much
    /// log is read again (and counted once).
    pub checkpoint_interval: Duration,
    pub retention: Retention,
    pub gc: GcOptions,
    /// Pushing upstream, when configured.
    pub push: Option<PushOptions>,
    pub agent: AgentIdentity,
}

impl SidecarOptions {
    pub fn new(dir: impl Into<PathBuf>, agent: AgentIdentity) -> Self {
        let dir = dir.into();
        SidecarOptions {
            state_dir: dir.join(DEFAULT_STATE_DIR),
            dir,
            pattern: crate::tail::reader::DEFAULT_PATTERN.to_string(),
            poll_interval: Duration::from_secs(1),
            checkpoint_interval: Duration::from_secs(5),
            retention: Retention::default(),
            gc: GcOptions::default(),
            push: None,
            agent,
        }
    }
}

/// What the HTTP endpoints serve: rendered at evaluation time, read by the server threads.
#[derive(Default)]
struct Published {
    instances_metrics: String,
    report_json: String,
    health: Health,
    status: serde_json::Value,
}

/// Shared between the loop and the HTTP handler.
pub struct Shared {
    published: Mutex<Published>,
}

impl Shared {
    fn read<T>(&self, f: impl FnOnce(&Published) -> T) -> T {
        f(&self.published.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    fn write(&self, f: impl FnOnce(&mut Published)) {
        f(&mut self.published.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}

impl Handler for Shared {
    fn handle(&self, request: &Request) -> Response {
        if !matches!(request.method, Method::Get | Method::Head) {
            return Response::method_not_allowed("GET");
        }
        match request.path.as_str() {
            "/metrics" => Response::prometheus(self.read(|p| {
                let mut text = p.instances_metrics.clone();
                text.push_str(&metrics::render_health(&p.health));
                text
            })),
            "/report" | "/report.json" => Response::json(200, self.read(|p| p.report_json.clone())),
            "/status" => Response::json_value(200, &self.read(|p| p.status.clone())),
            "/healthz" => Response::text(200, "ok\n"),
            "/" => Response::text(
                200,
                "rightsize sidecar: /metrics (Prometheus), /report (rightsize.gc/v1 JSON), /status, /healthz\n",
            ),
            path => Response::not_found(path),
        }
    }
}

/// One pass of the loop, for logs and tests.
#[derive(Debug, Default)]
pub struct Step {
    pub lines: u64,
    /// The analyses were re-run (something changed).
    pub evaluated: bool,
    /// A push was spooled.
    pub spooled: Option<u64>,
    pub errors: Vec<String>,
}

/// The running sidecar.
pub struct Sidecar {
    options: SidecarOptions,
    follower: Follower,
    tracker: Tracker,
    uplink: Option<Uplink>,
    shared: Arc<Shared>,
    health: Health,
    evaluated_revision: Option<u64>,
    pushed_revision: Option<u64>,
    last_push: Option<Instant>,
    report_value: serde_json::Value,
}

impl Sidecar {
    /// Opens the state directory, resumes from the checkpoint and starts the uplink. Errors say
    /// which path or setting to fix.
    pub fn open(options: SidecarOptions) -> anyhow::Result<Sidecar> {
        std::fs::create_dir_all(&options.state_dir).map_err(|error| {
            anyhow::anyhow!(
                "cannot create the state directory {}: {error}; choose a writable one with --state-dir",
                options.state_dir.display()
            )
        })?;
        let checkpoint = options.state_dir.join(CHECKPOINT_FILE);
        let config = FollowerConfig {
            dir: options.dir.clone(),
            pattern: options.pattern.clone(),
            checkpoint: Some(checkpoint.clone()),
            min_save_interval: options.checkpoint_interval,
        };
        let had_checkpoint = checkpoint.exists();
        let mut follower = Follower::new(config.clone())?;
        let restored = match follower.take_restored_state() {
            Some(state) => Tracker::restore(options.retention, state),
            None if had_checkpoint && follower.startup_warning().is_none() => {
                Err("the checkpoint carries positions but no sidecar state".to_string())
            }
            None => Ok(Tracker::new(options.retention)),
        };
        let tracker = match restored {
            Ok(tracker) => tracker,
            Err(why) => {
                // Positions without the counts made from the lines before them would lose those
                // events: start over from the logs' beginnings instead.
                let aside = options.state_dir.join(format!("{CHECKPOINT_FILE}.unusable"));
                tracing::warn!(
                    "{why}; moved the checkpoint to {} and reading the logs from their start",
                    aside.display()
                );
                std::fs::rename(&checkpoint, &aside)?;
                follower = Follower::new(config)?;
                Tracker::new(options.retention)
            }
        };
        if let Some(warning) = follower.startup_warning() {
            tracing::warn!("{warning}");
        }
        let uplink = match &options.push {
            Some(push) => Some(Uplink::start(push.clone(), options.state_dir.join(SPOOL_DIR))?),
            None => None,
        };
        let shared = Arc::new(Shared { published: Mutex::new(Published::default()) });
        let mut sidecar = Sidecar {
            options,
            follower,
            tracker,
            uplink,
            shared,
            health: Health::default(),
            evaluated_revision: None,
            pushed_revision: None,
            last_push: None,
            report_value: serde_json::Value::Null,
        };
        sidecar.evaluate();
        sidecar.publish_health();
        Ok(sidecar)
    }

    /// The HTTP handler serving what this sidecar publishes.
    pub fn handler(&self) -> Arc<dyn Handler> {
        Arc::clone(&self.shared) as Arc<dyn Handler>
    }

    pub fn tracker(&self) -> &Tracker {
        &self.tracker
    }

    /// collect → evaluate → report, once.
    pub fn step(&mut self) -> Step {
        let mut step = Step::default();
        // collect
        match self.follower.poll_once(&mut self.tracker) {
            Ok(report) => {
                step.lines = report.lines;
                self.health.files = report.files;
                self.health.directory_missing = report.directory_missing;
                step.errors = report.errors;
            }
            Err(error) => step.errors.push(error.to_string()),
        }
        self.health.polls += 1;
        self.health.lines = self.tracker.lines;
        self.health.poll_errors += step.errors.len() as u64;
        for error in &step.errors {
            tracing::warn!("{error}");
        }
        // evaluate
        step.evaluated = self.evaluate();
        // report
        match self.spool_if_due() {
            Ok(spooled) => step.spooled = spooled,
            Err(error) => {
                tracing::warn!("{error:#}");
                step.errors.push(format!("{error:#}"));
            }
        }
        self.publish_health();
        step
    }

    /// Runs until `stop` is set, then saves the checkpoint.
    pub fn run(&mut self, stop: &AtomicBool) {
        while !stop.load(Ordering::Relaxed) {
            let started = Instant::now();
            self.step();
            let wait = self.options.poll_interval.saturating_sub(started.elapsed());
            let until = Instant::now() + wait;
            while !stop.load(Ordering::Relaxed) && Instant::now() < until {
                std::thread::sleep(until.saturating_duration_since(Instant::now()).min(Duration::from_millis(100)));
            }
        }
        self.shutdown();
    }

    /// Saves positions now (the loop saves at most every checkpoint interval).
    pub fn shutdown(&mut self) {
        if let Err(error) = self.follower.save_now(&mut self.tracker) {
            tracing::warn!("{error}");
        }
    }

    /// Re-runs the analyses if the tracker changed; returns whether it did.
    fn evaluate(&mut self) -> bool {
        let revision = self.tracker.revision();
        if self.evaluated_revision == Some(revision) {
            return false;
        }
        self.evaluated_revision = Some(revision);
        let analysed: Vec<_> =
            self.tracker.instances().iter().map(|instance| (instance, instance.analyse(&self.options.gc))).collect();
        let instances_metrics = metrics::render_instances(
            &analysed.iter().map(|(instance, (_, analysis))| (*instance, analysis)).collect::<Vec<_>>(),
        );
        let status = serde_json::json!({
            "dir": self.options.dir,
            "pattern": self.options.pattern,
            "agent": self.options.agent,
            "instances": analysed.iter().map(|(instance, _)| serde_json::json!({
                "log": instance.log,
                "instance": instance.ordinal,
                "open": !instance.closed,
                "totals": instance.totals,
                "retained_events": instance.recent.len() + instance.older_samples.len(),
                "trimmed": instance.trimmed,
            })).collect::<Vec<_>>(),
        });
        let reports: Vec<InstanceReport> = analysed
            .into_iter()
            .map(|(instance, (jvm, analysis))| InstanceReport {
                log: instance.log.clone(),
                instance: instance.ordinal,
                jvm,
                analysis,
            })
            .collect();
        let report_json = crate::report::json::render(&reports);
        self.report_value = crate::report::json::to_value(&reports);
        self.shared.write(|published| {
            published.instances_metrics = instances_metrics;
            published.report_json = report_json;
            published.status = status;
        });
        true
    }

    /// Spools a push of the current analysis when it changed and the push interval passed.
    fn spool_if_due(&mut self) -> anyhow::Result<Option<u64>> {
        let (Some(uplink), Some(push)) = (&self.uplink, &self.options.push) else { return Ok(None) };
        let revision = self.tracker.revision();
        let changed = self.pushed_revision != Some(revision) && !self.tracker.instances().is_empty();
        let due = self.last_push.is_none_or(|at| at.elapsed() >= push.interval);
        if !changed || !due {
            return Ok(None);
        }
        let sequence = uplink.reserve_sequence()?;
        let document = GcPush {
            schema: GC_PUSH_SCHEMA.to_string(),
            id: format!("{}:{sequence}", self.options.agent.agent_id),
            agent: self.options.agent.clone(),
            sequence,
            created_at_ms: now_ms(),
            report: self.report_value.clone(),
        };
        let body = serde_json::to_vec(&document)?;
        let dropped = uplink.enqueue(sequence, &body)?;
        if dropped > 0 {
            tracing::warn!("spool full: dropped the {dropped} oldest undelivered push(es)");
        }
        self.pushed_revision = Some(revision);
        self.last_push = Some(Instant::now());
        Ok(Some(sequence))
    }

    fn publish_health(&mut self) {
        self.health.push = self.uplink.as_ref().map(|uplink| {
            let (spooled, spooled_bytes, dropped) = uplink.spool_status();
            let counters = uplink.counters();
            PushHealth {
                spooled,
                spooled_bytes,
                dropped,
                delivered: counters.delivered.load(Ordering::Relaxed),
                refused: counters.refused.load(Ordering::Relaxed),
                failed_attempts: counters.failed_attempts.load(Ordering::Relaxed),
            }
        });
        let health = self.health.clone();
        self.shared.write(|published| published.health = health);
    }
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_millis() as i64)
}
