//! `rightsize serve` against the Flink REST simulator (`sim/`, built from recorded answers):
//! the store across restarts and a kill, alerts only after N consecutive hits and once per
//! streak, the JSON API, `/metrics`, the page, and sidecar pushes.

mod sim;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rightsize::http::{Request, Response, RunningServer, Server, ServerOptions};
use rightsize::scan::options::{CollectOptions, ScanOptions};
use rightsize::serve::store::Store;
use rightsize::serve::{api, ServeOptions, Service};
use rightsize::wire::{AgentIdentity, GcPush, GC_PUSH_PATH, GC_PUSH_SCHEMA};
use serde_json::Value;
use sim::FlinkSimulator;

/// Job 0: P 8, T 2 ms, S 1000 rec/s → C 4000 ≫ S: reduce. Job 1: P 2 → C 1000 ≈ S: keep.
fn cluster() -> FlinkSimulator {
    FlinkSimulator::start(vec![sim::job(0, 3, 8, 2.0, 1000.0), sim::job(1, 3, 2, 2.0, 1000.0)], Duration::ZERO)
}

const RATES: [&str; 2] = ["topic-0=1000", "topic-1=1000"];

/// A webhook receiver on loopback that keeps every body it gets.
struct Receiver {
    _server: RunningServer,
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    fn start() -> Receiver {
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&bodies);
        let server = Server::bind(ServerOptions::new("127.0.0.1:0".parse().expect("loopback"))).expect("bind").spawn(
            Arc::new(move |request: &Request| {
                if let Ok(body) = serde_json::from_slice(&request.body) {
                    log.lock().expect("log").push(body);
                }
                Response::json(200, "{}")
            }),
        );
        let url = format!("http://{}/hook", server.local_addr());
        Receiver { _server: server, url, bodies }
    }

    fn alerts(&self) -> Vec<Value> {
        self.bodies.lock().expect("log").clone()
    }
}

/// A `rightsize serve` process and the address it serves on.
struct Serve {
    child: Child,
    url: String,
}

impl Serve {
    fn start(flink: &str, store: &Path, webhook: &str, interval: &str, extra: &[&str]) -> Serve {
        let mut command = Command::new(env!("CARGO_BIN_EXE_rightsize"));
        command.args(["serve", "--flink", flink, "--interval", interval, "--listen", "127.0.0.1:0"]);
        command.args(["--alert-after", "3", "--webhook", webhook, "--webhook-backoff", "10ms"]);
        command.arg("--store").arg(store).args(extra).arg("--log").arg("info");
        for rate in RATES {
            command.args(["--input-rate", rate]);
        }
        let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("rightsize runs");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let url = loop {
            let line = lines.next().expect("serve announces its address").expect("readable stderr");
            if let Some(rest) = line.split_once("serving on ").map(|(_, rest)| rest) {
                break rest.split('/').take(3).collect::<Vec<_>>().join("/");
            }
        };
        // Keep draining stderr so the child never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Serve { child, url }
    }

    fn get(&self, path: &str) -> Value {
        get_json(&format!("{}{path}", self.url))
    }

    /// Waits until job 0 has at least `hits` consecutive hits and returns them.
    fn wait_for_hits(&self, hits: u64) -> u64 {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let answer = ureq::get(&format!("{}/api/v1/jobs/{}", self.url, sim::job(0, 1, 1, 1.0, 1.0).id)).call();
            if let Ok(mut response) = answer {
                let job: Value =
                    serde_json::from_str(&response.body_mut().read_to_string().expect("body")).expect("JSON");
                let seen = job["streak"]["hits"].as_u64().expect("hits");
                if seen >= hits {
                    return seen;
                }
            }
            assert!(Instant::now() < deadline, "job 0 never reached {hits} hits");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn get_json(url: &str) -> Value {
    let body = ureq::get(url).call().expect("GET answers").body_mut().read_to_string().expect("body");
    serde_json::from_str(&body).expect("JSON")
}

#[test]
fn hit_counts_survive_a_clean_stop_and_a_kill_and_one_alert_is_sent_per_streak() {
    let flink = cluster();
    let webhook = Receiver::start();
    let store = tempfile::tempdir().expect("temp dir");
    let reduce_job = sim::job(0, 1, 1, 1.0, 1.0).id;
    let keep_job = sim::job(1, 1, 1, 1.0, 1.0).id;

    // Two scans, then a clean exit: not confirmed yet, no alert.
    let mut first = Serve::start(&flink.url(), store.path(), &webhook.url, "300ms", &["--scans", "2"]);
    assert!(first.child.wait().expect("exits").success());
    assert!(webhook.alerts().is_empty(), "{:?}", webhook.alerts());

    // The count continues from 2: the third scan confirms and alerts. Then a kill, mid-scan or not.
    let second = Serve::start(&flink.url(), store.path(), &webhook.url, "300ms", &[]);
    let job = second.get(&format!("/api/v1/jobs/{reduce_job}"));
    assert!(job["streak"]["hits"].as_u64().expect("hits") >= 2, "{job}");
    let hits_before_kill = second.wait_for_hits(4);
    drop(second); // SIGKILL

    // After the kill the store opens, the streak goes on, and no second alert is sent.
    let third = Serve::start(&flink.url(), store.path(), &webhook.url, "300ms", &[]);
    let hits = third.wait_for_hits(hits_before_kill + 1);
    assert!(hits > hits_before_kill);
    let keep = third.get(&format!("/api/v1/jobs/{keep_job}"));
    assert_eq!(keep["latest"]["verdict"], "keep", "{keep}");
    assert_eq!(keep["streak"]["hits"], 0);
    let status = third.terminate();
    assert!(status.success(), "SIGTERM is a clean stop: {status:?}");

    let alerts = webhook.alerts();
    assert_eq!(alerts.len(), 1, "exactly one alert per streak: {alerts:#?}");
    let alert = &alerts[0];
    assert_eq!(alert["schema"], "rightsize.alert/v1");
    assert_eq!(alert["job_id"], reduce_job.as_str());
    assert_eq!(alert["direction"], "reduce");
    assert_eq!(alert["consecutive_scans"], 3);
    assert_eq!(alert["id"], format!("{reduce_job}:reduce:1"));
    assert_eq!(alert["summary"]["parallelism"], 24);
    assert!(alert["text"].as_str().expect("text").contains("over-provisioned"), "{alert}");
}

#[test]
fn kills_during_back_to_back_scans_leave_every_recorded_scan_whole() {
    let flink = cluster();
    let webhook = Receiver::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let reduce_job = sim::job(0, 1, 1, 1.0, 1.0).id;
    let mut hits = 0;
    for round in 0..5 {
        // No pause between scans: the store is being written most of the time.
        let serve = Serve::start(&flink.url(), dir.path(), &webhook.url, "0s", &[]);
        hits = serve.wait_for_hits(hits + 1);
        std::thread::sleep(Duration::from_millis(7 * round));
        drop(serve); // SIGKILL
    }
    let store = Store::open(dir.path()).expect("the store opens after every kill");
    let scans = store.scans(10_000).expect("scans");
    assert!(scans.iter().all(|scan| scan.jobs == 2 && scan.error.is_none()), "{scans:?}");
    let history = store.history_briefs(&reduce_job, 10_000).expect("history");
    assert_eq!(history.len(), scans.len(), "one entry per recorded scan");
    // Newest first: consecutive scans, each one hit more than the one before.
    for pair in history.windows(2) {
        assert_eq!((pair[0].scan_id, pair[0].streak.hits), (pair[1].scan_id + 1, pair[1].streak.hits + 1));
    }
    let job = store.job(&reduce_job).expect("read").expect("job");
    assert_eq!((job.last_scan_id, job.streak.hits), (history[0].scan_id, history[0].streak.hits));
    assert!(job.streak.hits as usize == history.len() && history.len() as u64 >= hits);
}

fn service(flink_url: &str, store: &Path) -> Arc<Service> {
    let scan = ScanOptions {
        collect: CollectOptions {
            flink_url: flink_url.to_owned(),
            timeout: Duration::from_secs(2),
            retries: 0,
            metrics_refresh_wait: Duration::ZERO,
            ..CollectOptions::default()
        },
        input_rates: RATES
            .iter()
            .map(|r| r.split_once('=').expect("pair"))
            .map(|(t, r)| (t.to_owned(), r.parse().expect("rate")))
            .collect(),
        ..ScanOptions::default()
    };
    let mut options = ServeOptions::new(scan);
    options.store_dir = store.to_path_buf();
    Arc::new(Service::open(options).expect("store opens"))
}

fn serve_api(service: &Arc<Service>) -> (RunningServer, String) {
    let server = Server::bind(ServerOptions::new("127.0.0.1:0".parse().expect("loopback"))).expect("bind");
    let running = server.spawn(api::handler(Arc::clone(service)));
    let url = format!("http://{}", running.local_addr());
    (running, url)
}

#[test]
fn the_api_metrics_and_page_show_jobs_history_and_scans() {
    let flink = cluster();
    let store = tempfile::tempdir().expect("temp dir");
    let service = service(&flink.url(), store.path());
    for _ in 0..3 {
        service.scan_once().expect("scan recorded");
    }
    let (_server, url) = serve_api(&service);
    let reduce_job = sim::job(0, 1, 1, 1.0, 1.0).id;

    let jobs = get_json(&format!("{url}/api/v1/jobs"));
    assert_eq!(jobs["schema"], "rightsize.serve/v1");
    assert_eq!(jobs["jobs"].as_array().expect("jobs").len(), 2);
    let job = &jobs["jobs"][0];
    assert_eq!((job["job_id"].as_str(), job["confirmed"].as_bool()), (Some(reduce_job.as_str()), Some(true)));
    // Source 2 busy subtasks / 0.7 → 3 → 4 (a divisor of 8 partitions); keyed 3 → 4 (of 128 key
    // groups); the last vertex 3.
    assert_eq!(job["latest"]["recommended_parallelism"], 11, "{job}");
    assert_eq!(jobs["jobs"][1]["confirmed"], false);

    let one = get_json(&format!("{url}/api/v1/jobs/{reduce_job}?limit=2"));
    let history = one["history"].as_array().expect("history");
    assert_eq!(history.iter().map(|e| e["scan_id"].as_u64().expect("id")).collect::<Vec<_>>(), [3, 2]);
    // The full evidence of the scan: every vertex with its arithmetic.
    assert_eq!(history[0]["report"]["evaluation"]["vertices"].as_array().expect("vertices").len(), 3);
    assert!(history[0]["report"]["decision"]["reason"].as_str().expect("reason").starts_with("rule 1"));
    let missing = ureq::get(&format!("{url}/api/v1/jobs/nope")).call().expect_err("404");
    assert!(matches!(missing, ureq::Error::StatusCode(404)), "{missing}");

    let scans = get_json(&format!("{url}/api/v1/scans"));
    assert_eq!(scans["scans"].as_array().expect("scans").len(), 3);
    assert_eq!(scans["scans"][0]["verdicts"]["reduce"], 1);

    let metrics =
        ureq::get(&format!("{url}/metrics")).call().expect("metrics").body_mut().read_to_string().expect("text");
    let sample = |line: &str| metrics.lines().any(|l| l == line);
    let labels = format!("job_id=\"{reduce_job}\",job_name=\"job-0\"");
    assert!(sample(&format!("rightsize_job_verdict{{{labels},verdict=\"reduce\"}} 1")), "{metrics}");
    assert!(sample(&format!("rightsize_job_parallelism{{{labels}}} 24")), "{metrics}");
    assert!(sample(&format!("rightsize_job_recommended_parallelism{{{labels}}} 11")), "{metrics}");
    assert!(sample(&format!("rightsize_job_input_records_per_second{{{labels}}} 1000")), "{metrics}");
    assert!(sample(&format!("rightsize_job_capacity_records_per_second{{{labels}}} 4000")), "{metrics}");
    assert!(sample(&format!("rightsize_job_consecutive_hits{{{labels},direction=\"reduce\"}} 3")), "{metrics}");
    assert!(sample("rightsize_scans_total 3") && sample("rightsize_scan_failures_total 0"), "{metrics}");
    assert!(metrics.contains("# TYPE rightsize_scan_duration_seconds gauge"));

    let page = ureq::get(&format!("{url}/")).call().expect("page").body_mut().read_to_string().expect("html");
    assert!(page.contains("reduce confirmed, 3 scans") && page.contains("13 subtasks to save"), "{page}");
}

#[test]
fn an_unreachable_jobmanager_is_a_failed_scan_that_leaves_streaks_alone() {
    let flink = cluster();
    let store = tempfile::tempdir().expect("temp dir");
    let url = flink.url();
    let first = service(&url, store.path());
    first.scan_once().expect("scan");
    drop(first);
    drop(flink); // The JobManager goes away.
    let service = service(&url, store.path());
    let record = service.scan_once().expect("a failed scan is still recorded");
    assert!(record.error.as_deref().is_some_and(|e| e.contains("cannot reach Flink REST")), "{record:?}");
    assert_eq!(service.stats().scan_failures, 1);
    let job = service.store.job(&sim::job(0, 1, 1, 1.0, 1.0).id).expect("read").expect("job kept");
    assert_eq!(job.streak.hits, 1);
}

fn push(agent: &str, id: &str, sequence: u64) -> GcPush {
    GcPush {
        schema: GC_PUSH_SCHEMA.into(),
        id: id.into(),
        agent: AgentIdentity {
            agent_id: agent.into(),
            taskmanager_id: Some("tm-1".into()),
            host: "10.0.0.7".into(),
            pod: None,
            namespace: None,
        },
        sequence,
        created_at_ms: rightsize::serve::now_ms(),
        report: serde_json::json!({ "schema": "rightsize.gc/v1", "instances": [] }),
    }
}

fn post(url: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let mut response =
        agent.post(&format!("{url}{GC_PUSH_PATH}")).header("Content-Type", content_type).send(body).expect("answers");
    let body = response.body_mut().read_to_string().expect("body");
    (response.status().as_u16(), serde_json::from_str(&body).expect("JSON answer"))
}

#[test]
fn pushes_are_accepted_once_listed_and_bad_ones_refused_with_a_reason() {
    let store = tempfile::tempdir().expect("temp dir");
    let service = service("http://127.0.0.1:9", store.path());
    let (_server, url) = serve_api(&service);
    let body = |push: &GcPush| serde_json::to_vec(push).expect("JSON");

    let (status, answer) = post(&url, "application/json", &body(&push("tm-1:/log", "tm-1:/log:7", 7)));
    assert_eq!((status, answer["outcome"].as_str()), (201, Some("stored")));
    let (status, answer) = post(&url, "application/json", &body(&push("tm-1:/log", "tm-1:/log:7", 7)));
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("duplicate")));
    let (status, answer) = post(&url, "application/json", &body(&push("tm-1:/log", "tm-1:/log:6", 6)));
    assert_eq!((status, answer["outcome"].as_str()), (200, Some("stale")));

    let (status, answer) = post(&url, "application/json", b"{\"schema\": 1");
    assert_eq!(status, 400);
    assert!(answer["error"].as_str().expect("error").contains(GC_PUSH_SCHEMA), "{answer}");
    let (status, _) = post(&url, "text/plain", &body(&push("tm-2", "tm-2:1", 1)));
    assert_eq!(status, 415);

    let listed = get_json(&format!("{url}{GC_PUSH_PATH}"));
    let reports = listed["gc_reports"].as_array().expect("list");
    assert_eq!(reports.len(), 1);
    assert_eq!((reports[0]["id"].as_str(), reports[0]["sequence"].as_u64()), (Some("tm-1:/log:7"), Some(7)));
    // Persisted: a new service on the same store lists it too.
    drop(_server);
    drop(service);
    let reopened = self::service("http://127.0.0.1:9", store.path());
    assert_eq!(reopened.store.gc_pushes().expect("read").len(), 1);
}
