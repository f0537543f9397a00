//! The HTTP routes of `serve`, on the shared server of [`crate::http`]:
//!
//! | route | what |
//! |---|---|
//! | `GET /` | the HTML page: every job, its verdict, streak, history and saving |
//! | `GET /healthz` | `ok` (no token needed) |
//! | `GET /metrics` | Prometheus: per job verdict, parallelism, S, C, hits; scan and alert counters |
//! | `GET /api/v1/jobs` | every job's latest summary and streak |
//! | `GET /api/v1/jobs/:id[?limit=N]` | one job with its history, newest first (default 50) |
//! | `GET /api/v1/scans[?limit=N]` | the scans, newest first (default 100) |
//! | `GET /api/v1/gc-reports` | the latest GC analysis each sidecar pushed |
//! | `POST /api/v1/gc-reports` | a sidecar's push (`wire::GcPush`): idempotent by `id` |

use std::sync::Arc;

use serde::Serialize;

use super::store::{JobEntry, JobState, PushOutcome, ScanRecord};
use super::Service;
use crate::http::prometheus::{Exposition, Kind};
use crate::http::{Handler, Method, Request, Response};
use crate::scan::decide::Verdict;
use crate::wire::{GcPush, GC_PUSH_PATH};

/// Identifies the JSON documents of these routes.
pub const API_SCHEMA: &str = "rightsize.serve/v1";

const DEFAULT_HISTORY: usize = 50;
const DEFAULT_SCANS: usize = 100;

/// The handler for [`crate::http::Server::serve`].
pub fn handler(service: Arc<Service>) -> Arc<dyn Handler> {
    Arc::new(move |request: &Request| route(&service, request))
}

fn route(service: &Service, request: &Request) -> Response {
    let path = request.path.trim_end_matches('/');
    let read_only = matches!(request.method, Method::Get | Method::Head);
    let answer = match path {
        "" if read_only => page(service),
        "/healthz" if read_only => Ok(Response::text(200, "ok\n")),
        "/metrics" if read_only => metrics(service),
        "/api/v1/jobs" if read_only => jobs(service),
        "/api/v1/scans" if read_only => scans(service, limit(request, DEFAULT_SCANS)),
        GC_PUSH_PATH if read_only => gc_reports(service),
        GC_PUSH_PATH if request.method == Method::Post => accept_push(service, request),
        GC_PUSH_PATH => Ok(Response::method_not_allowed("GET, POST")),
        _ => match path.strip_prefix("/api/v1/jobs/") {
            Some(id) if read_only => job(service, id, limit(request, DEFAULT_HISTORY)),
            Some(_) => Ok(Response::method_not_allowed("GET")),
            None if ["", "/healthz", "/metrics", "/api/v1/jobs", "/api/v1/scans"].contains(&path) => {
                Ok(Response::method_not_allowed("GET"))
            }
            None => Ok(Response::not_found(&request.path)),
        },
    };
    answer.unwrap_or_else(|error| {
        tracing::error!("{} {}: {error:#}", method_name(request.method), request.path);
        Response::error(500, &format!("cannot read the store: {error:#}"))
    })
}

fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Head => "HEAD",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
        Method::Other => "request",
    }
}

fn limit(request: &Request, default: usize) -> usize {
    request.query_param("limit").and_then(|value| value.parse().ok()).unwrap_or(default)
}

/// A job as the API shows it: its state and whether the advice is confirmed.
#[derive(Serialize)]
struct JobView<'a> {
    #[serde(flatten)]
    state: &'a JobState,
    /// The streak reached `alert_after` scans: the advice is reported.
    confirmed: bool,
}

fn view(service: &Service, state: &JobState) -> serde_json::Value {
    let confirmed = state.streak.confirmed(service.options.alert_after);
    serde_json::to_value(JobView { state, confirmed }).unwrap_or_default()
}

fn jobs(service: &Service) -> anyhow::Result<Response> {
    let jobs = service.store.jobs()?;
    let views: Vec<serde_json::Value> = jobs.iter().map(|state| view(service, state)).collect();
    Ok(Response::json_value(
        200,
        &serde_json::json!({ "schema": API_SCHEMA, "alert_after": service.options.alert_after, "jobs": views }),
    ))
}

fn job(service: &Service, id: &str, limit: usize) -> anyhow::Result<Response> {
    let Some(state) = service.store.job(id)? else {
        return Ok(Response::error(404, &format!("no job {id} in the store: see /api/v1/jobs for the jobs scanned")));
    };
    let history: Vec<JobEntry> = service.store.history(id, limit)?;
    let mut document = view(service, &state);
    document["schema"] = API_SCHEMA.into();
    document["alert_after"] = service.options.alert_after.into();
    document["history"] = serde_json::to_value(history)?;
    Ok(Response::json_value(200, &document))
}

fn scans(service: &Service, limit: usize) -> anyhow::Result<Response> {
    let scans: Vec<ScanRecord> = service.store.scans(limit)?;
    Ok(Response::json_value(200, &serde_json::json!({ "schema": API_SCHEMA, "scans": scans })))
}

fn gc_reports(service: &Service) -> anyhow::Result<Response> {
    let pushes = service.store.gc_pushes()?;
    Ok(Response::json_value(200, &serde_json::json!({ "schema": API_SCHEMA, "gc_reports": pushes })))
}

fn accept_push(service: &Service, request: &Request) -> anyhow::Result<Response> {
    if request.content_type.as_deref().is_some_and(|kind| kind != "application/json") {
        return Ok(Response::error(415, "send the push as Content-Type: application/json"));
    }
    let push = match GcPush::from_json(&request.body) {
        Ok(push) => push,
        Err(message) => return Ok(Response::error(400, &message)),
    };
    let outcome = service.store.put_gc_push(&push)?;
    let status = if outcome == PushOutcome::Stored { 201 } else { 200 };
    Ok(Response::json_value(status, &serde_json::json!({ "id": push.id, "outcome": outcome })))
}

fn page(service: &Service) -> anyhow::Result<Response> {
    let jobs = service.store.jobs()?;
    let histories = jobs
        .iter()
        .map(|state| service.store.history_briefs(&state.job_id, super::page::HISTORY_SHOWN))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let scans = service.store.scans(1)?;
    Ok(Response::html(super::page::render(
        &jobs,
        &histories,
        scans.first(),
        &service.stats(),
        service.options.alert_after,
    )))
}

const VERDICTS: [Verdict; 4] = [Verdict::Reduce, Verdict::Keep, Verdict::Increase, Verdict::Inconclusive];

fn metrics(service: &Service) -> anyhow::Result<Response> {
    let jobs = service.store.jobs()?;
    let stats = service.stats();
    let mut out = Exposition::new();
    let labels = |state: &JobState| [("job_id", state.job_id.clone()), ("job_name", state.job_name.clone())];
    let gauge = |out: &mut Exposition, name: &str, help: &str, value: &dyn Fn(&JobState) -> Option<f64>| {
        out.family(name, Kind::Gauge, help);
        for state in &jobs {
            if let Some(value) = value(state) {
                let labels = labels(state);
                out.sample(name, &labels.each_ref().map(|(k, v)| (*k, v.as_str())), value);
            }
        }
    };

    out.family(
        "rightsize_job_verdict",
        Kind::Gauge,
        "1 for the verdict of the job's latest scan (reduce, keep, increase, inconclusive), 0 for the others.",
    );
    for state in &jobs {
        for verdict in VERDICTS {
            let value = if state.latest.verdict == verdict { 1.0 } else { 0.0 };
            out.sample(
                "rightsize_job_verdict",
                &[("job_id", &state.job_id), ("job_name", &state.job_name), ("verdict", verdict.as_str())],
                value,
            );
        }
    }
    gauge(&mut out, "rightsize_job_parallelism", "Sum of the job's vertex parallelisms.", &|s| {
        Some(s.latest.parallelism as f64)
    });
    gauge(
        &mut out,
        "rightsize_job_recommended_parallelism",
        "Sum of the recommended vertex parallelisms (the current one where there is none).",
        &|s| Some(s.latest.recommended_parallelism as f64),
    );
    gauge(&mut out, "rightsize_job_input_records_per_second", "S: the job's input rate.", &|s| s.latest.input_rate);
    gauge(&mut out, "rightsize_job_capacity_records_per_second", "C = P x 1000 / T at the slowest vertex.", &|s| {
        s.latest.capacity
    });
    gauge(&mut out, "rightsize_job_output_records_per_second", "O: output rate of the slowest vertex.", &|s| {
        s.latest.output_rate
    });
    gauge(&mut out, "rightsize_job_record_time_milliseconds", "T: time per record at the slowest vertex.", &|s| {
        s.latest.record_time_ms
    });
    gauge(&mut out, "rightsize_job_heap_bytes", "Heap of each of the job's TaskManagers, as configured.", &|s| {
        s.latest.heap.configured_bytes.map(|b| b as f64)
    });
    gauge(
        &mut out,
        "rightsize_job_recommended_heap_bytes",
        "Heap recommended per TaskManager by the memory advice.",
        &|s| s.latest.heap.recommended_bytes.map(|b| b as f64),
    );
    gauge(
        &mut out,
        "rightsize_job_heap_saving_bytes",
        "Heap given back over the job's TaskManagers (negative: heap to add).",
        &|s| s.latest.heap.saving_bytes.map(|b| b as f64),
    );
    out.family(
        "rightsize_job_consecutive_hits",
        Kind::Gauge,
        "Consecutive scans advising the same change (direction reduce or increase); 0 without one.",
    );
    for state in &jobs {
        let direction = state.streak.direction.map_or("none", |d| d.as_str());
        out.sample(
            "rightsize_job_consecutive_hits",
            &[("job_id", &state.job_id), ("job_name", &state.job_name), ("direction", direction)],
            f64::from(state.streak.hits),
        );
    }
    gauge(&mut out, "rightsize_job_confirmed", "1 when the advice held for --alert-after consecutive scans.", &|s| {
        Some(if s.streak.confirmed(service.options.alert_after) { 1.0 } else { 0.0 })
    });

    out.family("rightsize_scans_total", Kind::Counter, "Scans run by this process.");
    out.sample("rightsize_scans_total", &[], stats.scans as f64);
    out.family("rightsize_scan_failures_total", Kind::Counter, "Scans that could not reach Flink REST.");
    out.sample("rightsize_scan_failures_total", &[], stats.scan_failures as f64);
    out.family("rightsize_scan_duration_seconds", Kind::Gauge, "Duration of the latest scan.");
    if let Some(duration) = stats.last_scan_duration {
        out.sample("rightsize_scan_duration_seconds", &[], duration.as_secs_f64());
    }
    out.family("rightsize_last_scan_timestamp_seconds", Kind::Gauge, "When the latest scan started (Unix time).");
    if let Some(at_ms) = stats.last_scan_at_ms {
        out.sample("rightsize_last_scan_timestamp_seconds", &[], at_ms as f64 / 1000.0);
    }
    out.family("rightsize_alerts_sent_total", Kind::Counter, "Alerts the webhook accepted.");
    out.sample("rightsize_alerts_sent_total", &[], stats.alerts_sent as f64);
    out.family("rightsize_alert_failures_total", Kind::Counter, "Alerts not delivered after every retry.");
    out.sample("rightsize_alert_failures_total", &[], stats.alert_failures as f64);
    out.family(
        "rightsize_rescales_total",
        Kind::Counter,
        "serve --apply: confirmed advice applied in place, or refused (with the reason in the job's last_rescale).",
    );
    out.sample("rightsize_rescales_total", &[("outcome", "applied")], stats.rescales_applied as f64);
    out.sample("rightsize_rescales_total", &[("outcome", "refused")], stats.rescales_refused as f64);
    out.family(
        "rightsize_rescale_failures_total",
        Kind::Counter,
        "serve --apply: attempts that failed on the way (retried after the next scan).",
    );
    out.sample("rightsize_rescale_failures_total", &[], stats.rescale_failures as f64);
    out.family("rightsize_gc_reports", Kind::Gauge, "Sidecars whose latest GC analysis is stored.");
    out.sample("rightsize_gc_reports", &[], service.store.gc_pushes()?.len() as f64);
    Ok(Response::prometheus(out.finish()))
}
