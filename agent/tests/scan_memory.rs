//! The scanner's memory advice against REST answers and a GC log recorded from a real standalone
//! Flink 2.2.1 cluster (`tests/fixtures/rest/memory/`, see its README), served on 127.0.0.1 by
//! the project's own HTTP server. Paths not recorded answer 404, as from a JobManager that does
//! not know them. Variants of the recorded answers stand for the degraded cases: a TaskManager
//! gone from `/taskmanagers`, a log directory without a GC log, a download that times out, and a
//! sidecar push that replaces the download.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rightsize::gc::analysis::{self, GcOptions};
use rightsize::http::{Request, Response, RunningServer, Server, ServerOptions};
use rightsize::scan::memory::MemoryVerdict;
use rightsize::scan::options::{CollectOptions, ScanOptions};
use rightsize::scan::report::ScanReport;
use rightsize::scan::{self, collect};
use rightsize::wire::{AgentIdentity, GcPush, GC_PUSH_SCHEMA};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rest/memory/");
const JOB: &str = "cc5fa049d95e42539112a51ef83f3e83";
const TASKMANAGER: &str = "127.0.0.1:40291-4e4448";
const GC_LOG_PATH: &str = "/taskmanagers/127.0.0.1:40291-4e4448/logs/taskmanager-gc.log";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}{name}")).expect("recorded fixture present")
}

/// The recorded answers by path (percent-decoded, without the query).
fn recorded_routes() -> BTreeMap<String, Vec<u8>> {
    let mut routes = BTreeMap::from([
        (format!("/jobs/{JOB}"), fixture("job.json")),
        ("/taskmanagers".to_owned(), fixture("taskmanagers.json")),
        (format!("/taskmanagers/{TASKMANAGER}"), fixture("taskmanager.json")),
        (format!("/taskmanagers/{TASKMANAGER}/logs"), fixture("taskmanager-logs.json")),
        (GC_LOG_PATH.to_owned(), fixture("taskmanager-gc.log")),
    ]);
    for vertex in ["cbc357ccb763df2852fee8c4fc7d55f2", "c27dcf7b54ef6bfd6cff02ca8870b681"] {
        routes.insert(
            format!("/jobs/{JOB}/vertices/{vertex}/taskmanagers"),
            fixture(&format!("vertex-{vertex}-taskmanagers.json")),
        );
    }
    routes
}

struct RecordedFlink {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
    _server: RunningServer,
}

impl RecordedFlink {
    /// Serves `routes`; a request for `hang` is answered only after the client gave up.
    fn start(routes: BTreeMap<String, Vec<u8>>, hang: Option<&str>) -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        let hang = hang.map(str::to_owned);
        let mut options = ServerOptions::new("127.0.0.1:0".parse().expect("an address"));
        options.workers = 4;
        let server = Server::bind(options).expect("a local port");
        let url = format!("http://{}", server.local_addr());
        let handler = move |request: &Request| {
            let path = request.path.replace("%3A", ":").replace("%3a", ":");
            log.lock().expect("request log").push(path.clone());
            if hang.as_deref() == Some(path.as_str()) {
                std::thread::sleep(Duration::from_millis(1500));
            }
            // A metric query and the metric list share their path.
            let path = if request.query.starts_with("get=") { format!("{path}?get") } else { path };
            match routes.get(&path) {
                Some(body) if path.contains("/logs/") => Response::new(200, "text/plain", body.clone()),
                Some(body) => Response::json(200, body.clone()),
                None => Response::not_found(&path),
            }
        };
        let server = server.spawn(Arc::new(handler));
        RecordedFlink { url, requests, _server: server }
    }

    fn requested(&self, path: &str) -> bool {
        self.requests.lock().expect("request log").iter().any(|p| p == path)
    }
}

fn scan(flink: &RecordedFlink, sidecar_reports: &[GcPush]) -> ScanReport {
    let options = ScanOptions {
        collect: CollectOptions {
            flink_url: flink.url.clone(),
            job_ids: vec![JOB.to_owned()],
            timeout: Duration::from_millis(500),
            retries: 0,
            backoff: Duration::from_millis(10),
            metrics_refresh_wait: Duration::ZERO,
            ..CollectOptions::default()
        },
        ..ScanOptions::default()
    };
    let mut snapshot = collect::collect(&options.collect).expect("the recorded JobManager answers");
    scan::collect_memory(&mut snapshot, &options, sidecar_reports);
    scan::analyse(&snapshot, &options)
}

#[test]
fn the_recorded_cluster_gets_a_heap_recommendation_from_the_taskmanager_gc_log() {
    let flink = RecordedFlink::start(recorded_routes(), None);
    let report = scan(&flink, &[]);
    let advice = report.jobs[0].memory.as_ref().expect("memory advice");
    assert_eq!(advice.taskmanager_count, 1);
    assert_eq!(advice.taskmanagers_analysed, 1, "{advice:#?}");
    assert_eq!(advice.sized_by.as_deref(), Some(TASKMANAGER));
    let line = &advice.taskmanagers[0];
    // Recorded: G1_Young_Generation.Count 20 and heapMax 469762048 in /taskmanagers/:tmid.
    assert_eq!(line.evaluation.young_gc_count, Some(20));
    assert_eq!(line.evaluation.young_collectors, ["G1_Young_Generation"]);
    assert_eq!(advice.configured_heap_bytes, Some(469_762_048));
    assert_eq!(line.evaluation.log_source, Some("flink-rest"));
    assert_eq!(line.evaluation.log_files, ["taskmanager-gc.log"]);
    let recommended = advice.recommended_heap.expect("a recommendation");
    let live_set = advice.live_set_bytes.expect("M");
    assert_eq!(recommended.high_bytes, live_set * 4);
    assert!(advice.live_set_basis.as_deref().is_some_and(|basis| basis != "none"), "{advice:#?}");
    // The log is from the first minutes of the JVM: M is warm-up only, so no over-provisioning
    // claim however large the heap, and no saving.
    assert_eq!(advice.verdict, MemoryVerdict::Inconclusive, "{}", advice.reason);
    assert_eq!(advice.saving_bytes, 0);
    // The JobManager's GC log shares the directory: not downloaded, and nothing is degraded.
    assert!(!flink.requested(&format!("/taskmanagers/{TASKMANAGER}/logs/jobmanager-gc.log")));
    assert!(line.evaluation.labels.is_empty(), "{line:#?}");

    let json: serde_json::Value = serde_json::from_str(&report.to_json().expect("JSON")).expect("valid JSON");
    let memory = &json["jobs"][0]["memory"];
    assert_eq!(memory["verdict"], "inconclusive");
    assert_eq!(memory["taskmanagers"][0]["id"], TASKMANAGER);
    assert_eq!(memory["taskmanagers"][0]["young_gc_count"], 20);
    assert_eq!(memory["taskmanagers"][0]["analysed"], true);
    assert!(memory["recommended_heap"]["value_bytes"].as_u64().is_some_and(|v| v > 0));
    assert_eq!(memory["saving_gb"], 0.0);

    let table = report.to_table();
    assert!(table.contains("memory: INCONCLUSIVE"), "{table}");
    assert!(table.contains(TASKMANAGER), "{table}");
}

#[test]
fn without_collectors_in_the_details_the_counts_come_from_the_metric_endpoint() {
    let mut routes = recorded_routes();
    let mut details: serde_json::Value = serde_json::from_slice(&fixture("taskmanager.json")).expect("JSON");
    details["metrics"]["garbageCollectors"] = serde_json::json!([]);
    routes.insert(format!("/taskmanagers/{TASKMANAGER}"), serde_json::to_vec(&details).expect("JSON"));
    routes.insert(format!("/taskmanagers/{TASKMANAGER}/metrics"), fixture("taskmanager-metrics.json"));
    routes.insert(format!("/taskmanagers/{TASKMANAGER}/metrics?get"), fixture("taskmanager-gc-counts.json"));
    let flink = RecordedFlink::start(routes, None);
    let advice = scan(&flink, &[]).jobs[0].memory.clone().expect("memory advice");
    // Recorded: Status.JVM.GarbageCollector.G1_Young_Generation.Count = "20" (All is left out).
    assert_eq!(advice.taskmanagers[0].evaluation.young_gc_count, Some(20));
    assert_eq!(advice.taskmanagers[0].evaluation.young_collectors, ["G1_Young_Generation"]);
}

#[test]
fn a_taskmanager_gone_from_the_list_is_labelled_vanished_and_not_asked_for() {
    let mut routes = recorded_routes();
    routes.insert("/taskmanagers".to_owned(), br#"{"taskmanagers":[]}"#.to_vec());
    let flink = RecordedFlink::start(routes, None);
    let advice = scan(&flink, &[]).jobs[0].memory.clone().expect("memory advice");
    assert_eq!(advice.verdict, MemoryVerdict::NoEvidence);
    assert_eq!(advice.taskmanager_count, 0);
    let line = &advice.taskmanagers[0];
    assert!(line.evaluation.vanished);
    assert_eq!(line.not_analysed_because.as_deref(), Some("vanished during the scan"));
    assert!(!flink.requested(&format!("/taskmanagers/{TASKMANAGER}/logs")));
}

#[test]
fn a_log_directory_without_a_gc_log_says_where_to_write_one() {
    let mut routes = recorded_routes();
    let listing: serde_json::Value = serde_json::from_slice(&fixture("taskmanager-logs.json")).expect("JSON");
    let without_gc: Vec<&serde_json::Value> = listing["logs"]
        .as_array()
        .expect("logs")
        .iter()
        .filter(|log| !log["name"].as_str().unwrap_or_default().contains("gc"))
        .collect();
    routes.insert(
        format!("/taskmanagers/{TASKMANAGER}/logs"),
        serde_json::to_vec(&serde_json::json!({ "logs": without_gc })).expect("JSON"),
    );
    let flink = RecordedFlink::start(routes, None);
    let advice = scan(&flink, &[]).jobs[0].memory.clone().expect("memory advice");
    assert_eq!(advice.verdict, MemoryVerdict::NoEvidence);
    let why = advice.taskmanagers[0].not_analysed_because.clone().unwrap_or_default();
    assert!(why.starts_with("no GC log: no file matching '*gc*.log*'"), "{why}");
    assert!(why.contains("flink--taskexecutor-0-vm.log") && why.contains("sidecar"), "{why}");
}

#[test]
fn a_gc_log_download_that_times_out_is_labelled() {
    let flink = RecordedFlink::start(recorded_routes(), Some(GC_LOG_PATH));
    let advice = scan(&flink, &[]).jobs[0].memory.clone().expect("memory advice");
    assert_eq!(advice.verdict, MemoryVerdict::NoEvidence);
    let why = advice.taskmanagers[0].not_analysed_because.clone().unwrap_or_default();
    assert!(why.contains("taskmanager-gc.log: timed out"), "{why}");
}

#[test]
fn a_sidecar_push_for_the_taskmanager_replaces_the_download() {
    // What the sidecar beside this TaskManager would push: the rightsize.gc/v1 document of its
    // log, here rendered from the recorded one.
    let mut reader = rightsize::gc::source::LogReader::new();
    reader.begin_file("/opt/flink/log/taskmanager-gc.log");
    rightsize::gc::source::lines::for_each_line(fixture("taskmanager-gc.log").as_slice(), |line| reader.feed(line))
        .expect("in-memory read");
    let reports: Vec<rightsize::report::InstanceReport> = reader
        .finish()
        .into_iter()
        .enumerate()
        .map(|(index, jvm)| {
            let analysis = analysis::analyse(&jvm, &GcOptions::default());
            rightsize::report::InstanceReport { log: "taskmanager-gc.log".into(), instance: index + 1, jvm, analysis }
        })
        .collect();
    let push = GcPush {
        schema: GC_PUSH_SCHEMA.into(),
        id: "tm-1:7".into(),
        agent: AgentIdentity {
            agent_id: "tm-1:/opt/flink/log".into(),
            taskmanager_id: Some(TASKMANAGER.into()),
            host: "127.0.0.1".into(),
            pod: None,
            namespace: None,
        },
        sequence: 7,
        created_at_ms: 1_796_518_500_000,
        report: serde_json::from_str(&rightsize::report::json::render(&reports)).expect("JSON"),
    };
    let flink = RecordedFlink::start(recorded_routes(), None);
    let advice = scan(&flink, &[push]).jobs[0].memory.clone().expect("memory advice");
    let line = &advice.taskmanagers[0];
    assert_eq!(line.evaluation.log_source, Some("sidecar"));
    assert_eq!(line.evaluation.log_files, ["tm-1:/opt/flink/log"]);
    assert!(line.analysed, "{line:#?}");
    assert!(advice.recommended_heap.is_some());
    assert!(!flink.requested(&format!("/taskmanagers/{TASKMANAGER}/logs")));
}
