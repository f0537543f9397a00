//! Delivering analyses upstream: the spool is the queue, one thread drains it in order.
//!
//! A push is spooled first and sent after, so nothing exists only in memory. The sender POSTs
//! the oldest spooled push to `URL` + [`GC_PUSH_PATH`]; on 2xx (or 409: the receiver has that id
//! already) it is removed. Network errors, timeouts, 5xx, 401/403/404/429 (the receiver is not
//! there yet or not configured for us) are retried with exponential backoff; 400, 413 and 422
//! mean this document will never be taken, so it is dropped and counted instead of blocking the
//! queue forever. Retries carry the same id, so the receiver stores each push once.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::spool::{Spool, SpoolLimits};
use crate::wire::GC_PUSH_PATH;

/// Where and how to push.
#[derive(Clone)]
pub struct PushOptions {
    /// The receiver's base URL (`http://rightsize:8080`); pushes go to `URL` + [`GC_PUSH_PATH`].
    pub url: String,
    /// Sent as `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// A new analysis is spooled at most this often, and only when it changed. Default 30 s.
    pub interval: Duration,
    /// Whole-request timeout. Default 10 s.
    pub timeout: Duration,
    /// First retry delay, doubled per failure up to `backoff_max`. Defaults 1 s and 5 min.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    pub spool: SpoolLimits,
    /// Extra CA certificates (PEM) for an `https` receiver with a private CA.
    pub ca_certificates_pem: Option<Vec<u8>>,
}

impl PushOptions {
    pub fn new(url: impl Into<String>) -> Self {
        PushOptions {
            url: url.into(),
            token: None,
            interval: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            spool: SpoolLimits::default(),
            ca_certificates_pem: None,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("{}{GC_PUSH_PATH}", self.url.trim_end_matches('/'))
    }
}

// The token never reaches logs or debug output.
impl std::fmt::Debug for PushOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushOptions")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("interval", &self.interval)
            .field("timeout", &self.timeout)
            .field("spool", &self.spool)
            .finish()
    }
}

/// Counters of the sender, for `/metrics`.
#[derive(Debug, Default)]
pub struct PushCounters {
    pub delivered: AtomicU64,
    /// Refused for good by the receiver (400, 413, 422) and dropped.
    pub refused: AtomicU64,
    /// Attempts that failed and will be retried.
    pub failed_attempts: AtomicU64,
    pub last_error: Mutex<Option<String>>,
}

/// What one attempt came to.
enum Attempt {
    Delivered,
    Refused(String),
    Failed(String),
}

/// The spool and the thread sending it.
pub struct Uplink {
    spool: Arc<Mutex<Spool>>,
    counters: Arc<PushCounters>,
    wake: Sender<()>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Uplink {
    /// Opens the spool in `spool_dir` and starts sending what it holds.
    pub fn start(options: PushOptions, spool_dir: PathBuf) -> anyhow::Result<Uplink> {
        let spool = Arc::new(Mutex::new(Spool::open(&spool_dir, options.spool)?));
        let counters = Arc::new(PushCounters::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (wake, woken) = mpsc::channel();
        let sender =
            Courier { options, spool: Arc::clone(&spool), counters: Arc::clone(&counters), stop: Arc::clone(&stop) };
        let thread = std::thread::Builder::new().name("rightsize-push".into()).spawn(move || sender.run(woken))?;
        Ok(Uplink { spool, counters, wake, stop, thread: Some(thread) })
    }

    /// Reserves the sequence number of the next push (durably: never handed out twice).
    pub fn reserve_sequence(&self) -> anyhow::Result<u64> {
        Ok(lock(&self.spool).reserve_sequence()?)
    }

    /// Spools a push document and wakes the sender. Returns how many old pushes were dropped.
    pub fn enqueue(&self, sequence: u64, body: &[u8]) -> anyhow::Result<u64> {
        let dropped = lock(&self.spool).add(sequence, body)?;
        let _ = self.wake.send(());
        Ok(dropped)
    }

    pub fn counters(&self) -> &PushCounters {
        &self.counters
    }

    /// Pushes waiting, their bytes, and pushes dropped for lack of room.
    pub fn spool_status(&self) -> (usize, u64, u64) {
        let spool = lock(&self.spool);
        (spool.len(), spool.bytes(), spool.dropped())
    }
}

impl Drop for Uplink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.wake.send(());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock(spool: &Mutex<Spool>) -> std::sync::MutexGuard<'_, Spool> {
    // A panic elsewhere while holding the lock leaves a consistent spool: every change is one call.
    spool.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The sending thread's side.
struct Courier {
    options: PushOptions,
    spool: Arc<Mutex<Spool>>,
    counters: Arc<PushCounters>,
    stop: Arc<AtomicBool>,
}

impl Courier {
    fn run(self, woken: Receiver<()>) {
        let agent = agent(&self.options);
        let endpoint = self.options.endpoint();
        let mut backoff = self.options.backoff_min;
        while !self.stop.load(Ordering::Relaxed) {
            let next = lock(&self.spool).oldest();
            let (sequence, body) = match next {
                Ok(Some(next)) => next,
                Ok(None) => {
                    let _ = woken.recv_timeout(Duration::from_secs(60));
                    continue;
                }
                Err(error) => {
                    tracing::warn!("{error}");
                    self.pause(&woken, backoff);
                    continue;
                }
            };
            match self.send(&agent, &endpoint, &body) {
                Attempt::Delivered => {
                    tracing::debug!(sequence, "push delivered to {endpoint}");
                    self.counters.delivered.fetch_add(1, Ordering::Relaxed);
                    self.forget(sequence);
                    backoff = self.options.backoff_min;
                }
                Attempt::Refused(why) => {
                    tracing::warn!(sequence, "{endpoint} refused push {sequence} for good ({why}); dropped");
                    self.counters.refused.fetch_add(1, Ordering::Relaxed);
                    self.note_error(why);
                    self.forget(sequence);
                }
                Attempt::Failed(why) => {
                    tracing::warn!(sequence, "push to {endpoint} failed ({why}); retrying in {backoff:?}");
                    self.counters.failed_attempts.fetch_add(1, Ordering::Relaxed);
                    self.note_error(why);
                    self.pause(&woken, backoff);
                    backoff = backoff.saturating_mul(2).min(self.options.backoff_max);
                }
            }
        }
    }

    fn send(&self, agent: &ureq::Agent, endpoint: &str, body: &[u8]) -> Attempt {
        let mut request = agent.post(endpoint).header("Content-Type", "application/json");
        if let Some(token) = &self.options.token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        match request.send(body) {
            Ok(response) => match response.status().as_u16() {
                200..=299 | 409 => Attempt::Delivered,
                code @ (400 | 413 | 422) => Attempt::Refused(format!("HTTP {code}")),
                401 | 403 => Attempt::Failed("HTTP 401/403: check --report-token".into()),
                code => Attempt::Failed(format!("HTTP {code}")),
            },
            Err(error) => Attempt::Failed(error.to_string()),
        }
    }

    fn forget(&self, sequence: u64) {
        if let Err(error) = lock(&self.spool).remove(sequence) {
            tracing::warn!("{error}");
        }
    }

    fn note_error(&self, why: String) {
        *self.counters.last_error.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(why);
    }

    /// Waits out a backoff; new pushes do not cut it short, a stop does.
    fn pause(&self, woken: &Receiver<()>, wait: Duration) {
        let until = Instant::now() + wait;
        while !self.stop.load(Ordering::Relaxed) {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            match woken.recv_timeout(left) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}

fn agent(options: &PushOptions) -> ureq::Agent {
    let mut config = ureq::Agent::config_builder();
    if let Some(pem) = &options.ca_certificates_pem {
        let certificates = crate::scan::collect::ca_certificates(pem);
        let roots = ureq::tls::RootCerts::Specific(Arc::new(certificates));
        config = config.tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build());
    }
    config
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .user_agent(concat!("rightsize-sidecar/", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent()
}
