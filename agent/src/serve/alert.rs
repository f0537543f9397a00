//! Alerts to a webhook: one JSON POST per confirmed streak, with a timeout, retries with
//! exponential backoff and an optional `Authorization` header.
//!
//! The body carries a `text` line, so chat webhooks that show `text` (Slack, Mattermost, Teams
//! workflows) display it as is, and every number for programs. Delivery is at least once: the
//! `id` stays the same for every attempt and every resend of one streak, so a receiver can drop
//! repeats.

use std::time::Duration;

use serde::Serialize;

use super::store::{JobState, JobSummary};
use super::streaks::Direction;

/// Identifies an [`Alert`] document.
pub const ALERT_SCHEMA: &str = "rightsize.alert/v1";

/// Where and how alerts are sent.
#[derive(Clone)]
pub struct WebhookOptions {
    /// `http://` or `https://` URL receiving a JSON POST per alert.
    pub url: String,
    /// Sent as the `Authorization` header, e.g. `Bearer abc` (never logged).
    pub authorization: Option<String>,
    /// Whole-request timeout. Default 10 s.
    pub timeout: Duration,
    /// Extra attempts after a failure (timeout, connection error, HTTP 5xx, 408, 429). Default 3.
    pub retries: u32,
    /// Wait before the first retry, doubled for each further one. Default 1 s.
    pub backoff: Duration,
}

impl WebhookOptions {
    pub fn new(url: impl Into<String>) -> Self {
        WebhookOptions {
            url: url.into(),
            authorization: None,
            timeout: Duration::from_secs(10),
            retries: 3,
            backoff: Duration::from_secs(1),
        }
    }
}

impl std::fmt::Debug for WebhookOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookOptions")
            .field("url", &self.url)
            .field("authorization", &self.authorization.as_ref().map(|_| "***"))
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("backoff", &self.backoff)
            .finish()
    }
}

/// The alert document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub schema: &'static str,
    /// `<job id>:<direction>:<first scan of the streak>`: the same for every resend.
    pub id: String,
    /// One line for people.
    pub text: String,
    pub direction: Direction,
    pub job_id: String,
    pub job_name: String,
    pub flink_url: String,
    /// Consecutive scans with this advice, and when the streak began (ms since the epoch).
    pub consecutive_scans: u32,
    pub since_ms: Option<i64>,
    pub scan_id: u64,
    /// The latest scan's numbers and reason.
    pub summary: JobSummary,
}

impl Alert {
    /// The alert for a job whose streak is confirmed.
    pub fn for_job(state: &JobState, flink_url: &str) -> Option<Alert> {
        let direction = state.streak.direction?;
        let summary = &state.latest;
        let name = if state.job_name.is_empty() { state.job_id.as_str() } else { state.job_name.as_str() };
        let change = summary.parallelism_change;
        let what = match direction {
            Direction::Reduce => format!("over-provisioned: {change} fewer subtasks would do"),
            Direction::Increase => format!("under-provisioned: needs {} more subtasks", change.unsigned_abs()),
        };
        let text = format!(
            "Flink job {name} ({}) is {what} (parallelism {} → {}), in {} consecutive scans.",
            state.job_id, summary.parallelism, summary.recommended_parallelism, state.streak.hits
        );
        Some(Alert {
            schema: ALERT_SCHEMA,
            id: format!("{}:{}:{}", state.job_id, direction.as_str(), state.streak.since_scan.unwrap_or_default()),
            text,
            direction,
            job_id: state.job_id.clone(),
            job_name: state.job_name.clone(),
            flink_url: flink_url.to_owned(),
            consecutive_scans: state.streak.hits,
            since_ms: state.streak.since_ms,
            scan_id: state.last_scan_id,
            summary: summary.clone(),
        })
    }
}

/// Sends alerts to one webhook.
pub struct Webhook {
    agent: ureq::Agent,
    options: WebhookOptions,
}

impl Webhook {
    pub fn new(options: WebhookOptions) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .http_status_as_error(false)
            .user_agent(concat!("rightsize/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Webhook { agent, options }
    }

    /// POSTs the alert; retries transient failures. `Err` says why the last attempt failed.
    pub fn send(&self, alert: &Alert) -> Result<(), String> {
        let body = serde_json::to_vec(alert).map_err(|error| format!("cannot render the alert: {error}"))?;
        let mut attempt = 0;
        loop {
            match self.post_once(&body) {
                Ok(()) => return Ok(()),
                Err((error, transient)) if transient && attempt < self.options.retries => {
                    let wait = self.options.backoff.saturating_mul(2u32.saturating_pow(attempt));
                    tracing::debug!("webhook {}: {error}; retrying in {wait:?}", self.options.url);
                    std::thread::sleep(wait);
                    attempt += 1;
                }
                Err((error, _)) => return Err(format!("webhook {}: {error}", self.options.url)),
            }
        }
    }

    /// One attempt: `Err((why, worth retrying))`.
    fn post_once(&self, body: &[u8]) -> Result<(), (String, bool)> {
        let mut request = self.agent.post(&self.options.url).header("Content-Type", "application/json");
        if let Some(authorization) = &self.options.authorization {
            request = request.header("Authorization", authorization);
        }
        let response = request.send(body).map_err(|error| (error.to_string(), true))?;
        match response.status().as_u16() {
            200..=299 => Ok(()),
            code @ (408 | 429 | 500..=599) => Err((format!("HTTP {code}"), true)),
            code @ (401 | 403) => Err((format!("HTTP {code}: check --webhook-authorization"), false)),
            code => Err((format!("HTTP {code}"), false)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Request, Response, Server, ServerOptions};
    use crate::scan::decide::Verdict;
    use crate::serve::streaks::Streak;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    fn state() -> JobState {
        let summary = JobSummary {
            job_id: "j1".into(),
            job_name: "orders".into(),
            verdict: Verdict::Reduce,
            reason: "rule 1".into(),
            parallelism: 16,
            recommended_parallelism: 5,
            parallelism_change: 11,
            input_rate: Some(1000.0),
            slowest_vertex: None,
            record_time_ms: None,
            capacity: None,
            output_rate: None,
            heap: Default::default(),
        };
        JobState {
            job_id: "j1".into(),
            job_name: "orders".into(),
            last_scan_id: 9,
            last_seen_ms: 0,
            latest: summary,
            streak: Streak {
                direction: Some(Direction::Reduce),
                hits: 3,
                since_scan: Some(7),
                since_ms: Some(1),
                alerted: false,
                rescaled: false,
            },
            last_rescale: None,
        }
    }

    #[test]
    fn the_alert_says_what_to_do_and_keeps_its_id_across_resends() {
        let alert = Alert::for_job(&state(), "http://jm:8081").expect("a direction");
        assert_eq!(alert.id, "j1:reduce:7");
        assert_eq!(
            alert.text,
            "Flink job orders (j1) is over-provisioned: 11 fewer subtasks would do (parallelism 16 → 5), in 3 consecutive scans."
        );
        let mut none = state();
        none.streak = Streak::default();
        assert!(Alert::for_job(&none, "").is_none());
    }

    #[test]
    fn retries_server_errors_then_delivers_with_the_authorization_header() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (counter, log) = (Arc::clone(&calls), Arc::clone(&seen));
        let mut server_options = ServerOptions::new("127.0.0.1:0".parse().expect("address"));
        server_options.bearer_token = Some("hook-secret".into());
        let server = Server::bind(server_options).expect("bind").spawn(Arc::new(move |request: &Request| {
            if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                return Response::error(503, "busy");
            }
            log.lock().expect("log").push(request.body.clone());
            Response::json(200, "{}")
        }));
        let mut options = WebhookOptions::new(format!("http://{}/hook", server.local_addr()));
        options.authorization = Some("Bearer hook-secret".into());
        options.backoff = Duration::from_millis(10);
        let alert = Alert::for_job(&state(), "http://jm:8081").expect("alert");
        Webhook::new(options.clone()).send(&alert).expect("delivered on the third attempt");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        let body: serde_json::Value = serde_json::from_slice(&seen.lock().expect("log")[0]).expect("JSON");
        assert_eq!(body["schema"], ALERT_SCHEMA);
        assert_eq!(body["summary"]["recommended_parallelism"], 5);

        options.authorization = Some("Bearer wrong".into());
        let error = Webhook::new(options).send(&alert).expect_err("refused");
        assert!(error.contains("HTTP 401"), "{error}");
        assert_eq!(calls.load(Ordering::SeqCst), 3, "401 is answered by the server's auth, not retried");
    }
}
