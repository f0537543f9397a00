//! `collect` and the whole scan pipeline against REST answers recorded from real Flink 1.20.5 and
//! 2.3.0 clusters (`shared/notes/rest-samples/`), served by a tiny HTTP server on 127.0.0.1.
//!
//! The server answers only what was recorded; every other path gets a 404, as from a JobManager
//! that does not know it. So these tests exercise the real shapes of `/jobs/:jid` and of a vertex's
//! metric list, and the degraded paths: metrics missing, a job that is gone, a request that
//! times out, a JobManager that is not there.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rightsize::scan::collect::{self, Unreachable};
use rightsize::scan::decide::Verdict;
use rightsize::scan::options::{Auth, CollectOptions, ScanOptions};
use rightsize::scan::snapshot::ClusterSnapshot;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/notes/rest-samples/");
const JOB_2_3: &str = "6aa8251c6313eef63522c2ed89f5d3de";
const JOB_1_20: &str = "e28bf0cb898433c4eb7c06563624d63d";
const SOURCE_A: &str = "cbc357ccb763df2852fee8c4fc7d55f2";
const SOURCE_B: &str = "6cdc5bb954874d922eaee11a8e7b5dd5";
const CO_JOIN: &str = "6956f6cfb9b4c96ee4e17f33a2586552";
/// A job id whose request the server reads and never answers.
const HANGING_JOB: &str = "00000000000000000000000000000000";
/// Answered once with the recorded 1.20.5 job, then 404: a job cancelled during the scan.
const VANISHING_JOB: &str = "vanishing-e28bf0cb898433c4eb7c06563624d63d";

fn sample(name: &str) -> String {
    std::fs::read_to_string(format!("{SAMPLES}{name}")).expect("recorded REST sample present")
}

/// A REST server that answers the recorded samples and logs every request line it gets.
struct RecordedFlink {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl RecordedFlink {
    fn start() -> Self {
        let routes: BTreeMap<String, String> = BTreeMap::from([
            (format!("/jobs/{JOB_2_3}"), sample("2.3.0-jobs-jobid.json")),
            (format!("/jobs/{JOB_1_20}"), sample("1.20.5-jobs-jobid.json")),
            (format!("/jobs/{VANISHING_JOB}"), sample("1.20.5-jobs-jobid.json")),
            (format!("/jobs/{JOB_2_3}/vertices/{SOURCE_A}/metrics"), sample("2.3.0-vertex-metrics-list.json")),
        ]);
        let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (routes, log) = (routes.clone(), Arc::clone(&log));
                std::thread::spawn(move || serve(stream, &routes, &log));
            }
        });
        RecordedFlink { url, requests }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("request log").clone()
    }
}

fn serve(mut stream: TcpStream, routes: &BTreeMap<String, String>, log: &Mutex<Vec<String>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let target = head.split_whitespace().nth(1).unwrap_or("").to_owned();
    if let Ok(mut log) = log.lock() {
        log.push(head);
    }
    if target.contains(HANGING_JOB) {
        // Never answer; return once the client gives up and closes.
        let _ = stream.read(&mut [0u8; 1]);
        return;
    }
    let line = format!(" {target} ");
    let first_time = log.lock().is_ok_and(|log| log.iter().filter(|r| r.contains(&line)).count() == 1);
    let (status, body) = match routes.get(&target) {
        Some(_) if target.contains(VANISHING_JOB) && !first_time => ("404 Not Found", ""),
        Some(body) => ("200 OK", body.as_str()),
        None => ("404 Not Found", ""),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

fn options(url: &str, jobs: &[&str]) -> CollectOptions {
    CollectOptions {
        flink_url: url.to_owned(),
        job_ids: jobs.iter().map(|j| (*j).to_owned()).collect(),
        timeout: Duration::from_millis(500),
        retries: 1,
        backoff: Duration::from_millis(10),
        metrics_refresh_wait: Duration::ZERO,
        ..CollectOptions::default()
    }
}

fn collect(url: &str, jobs: &[&str]) -> Result<ClusterSnapshot, Unreachable> {
    collect::collect(&options(url, jobs))
}

#[test]
fn recorded_jobs_become_snapshots_with_vertices_roles_and_labelled_gaps() {
    let flink = RecordedFlink::start();
    let snapshot = collect(&flink.url, &[JOB_2_3, JOB_1_20]).expect("the server answers");
    assert_eq!(snapshot.jobs.len(), 2);
    for (job, (id, name, uptime)) in
        snapshot.jobs.iter().zip([(JOB_2_3, "insight-test", 23_680), (JOB_1_20, "insight-120", 26_982)])
    {
        assert_eq!((job.id.as_str(), job.name.as_str(), job.state.as_str()), (id, name, "RUNNING"));
        assert_eq!(job.uptime_ms, Some(uptime));
        assert!(!job.vanished);
        let vertices: Vec<(&str, u32, Option<u32>, bool, bool)> = job
            .vertices
            .iter()
            .map(|v| (v.id.as_str(), v.parallelism, v.max_parallelism, v.is_source, v.keyed_input))
            .collect();
        assert_eq!(
            vertices,
            [
                (SOURCE_A, 2, Some(128), true, false),
                (SOURCE_B, 2, Some(128), true, false),
                (CO_JOIN, 2, Some(128), false, true),
            ]
        );
        assert_eq!(job.vertices[2].name, "CoJoin -> PostMap -> Sink: Writer");
        // Nothing recorded for the metric queries: each is a labelled gap, not an error.
        assert!(job.gaps.iter().any(|g| g.starts_with("subtask metrics of vertex CoJoin")), "{:?}", job.gaps);
        assert!(job.vertices.iter().all(|v| v.kafka_topics.is_empty()));
    }

    let requests = flink.requests();
    let aggregate = format!(
        "GET /jobs/{JOB_2_3}/vertices/{CO_JOIN}/subtasks/metrics?get=numRecordsOutPerSecond,numRecordsInPerSecond,busyTimeMsPerSecond&agg=max,sum HTTP/1.1"
    );
    assert!(requests.iter().any(|r| r.starts_with(&aggregate)), "{requests:#?}");
    // The aggregate query failed, so no per-subtask busy-time fallback is tried after it; the
    // source vertex's metric list (for Kafka topics) is still read.
    assert!(!requests.iter().any(|r| r.contains("/metrics?get=0.busyTimeMsPerSecond")), "{requests:#?}");
    let listing = format!("GET /jobs/{JOB_2_3}/vertices/{SOURCE_A}/metrics HTTP/1.1");
    assert!(requests.iter().any(|r| r.starts_with(&listing)), "{requests:#?}");
}

#[test]
fn the_pipeline_labels_an_unsettled_job_without_metrics_and_withholds_the_verdict() {
    let flink = RecordedFlink::start();
    let snapshot = collect(&flink.url, &[JOB_2_3]).expect("the server answers");
    let report = rightsize::scan::analyse(&snapshot, &ScanOptions::default());
    let job = &report.jobs[0];
    assert_eq!(job.decision.verdict, Verdict::Inconclusive);
    assert!(job.decision.reason.contains("not settled"), "{}", job.decision.reason);
    assert!(job.evaluation.labels.iter().any(|l| l.starts_with("metrics not settled: job running for 24 s")));
    assert!(job.decision.vertices.iter().all(|v| v.recommended.is_none()));

    let table = report.to_table();
    assert!(table.contains("Job insight-test (6aa8251c6313eef63522c2ed89f5d3de) RUNNING, up 23 s"), "{table}");
    assert!(table.contains("verdict: INCONCLUSIVE"), "{table}");
    assert!(table.contains("S: unknown — S unknown: rules need the input rate"), "{table}");

    let json: serde_json::Value = serde_json::from_str(&report.to_json().expect("serialisable")).expect("valid JSON");
    assert_eq!(json["schema"], "rightsize.scan/v1");
    assert_eq!(json["jobs"][0]["decision"]["verdict"], "inconclusive");
    assert_eq!(json["jobs"][0]["evaluation"]["vertices"][2]["keyed_input"], true);
}

#[test]
fn a_job_that_is_gone_is_marked_vanished() {
    let flink = RecordedFlink::start();
    let gone = "ffffffffffffffffffffffffffffffff";
    let snapshot = collect(&flink.url, &[JOB_2_3, gone]).expect("the server answers");
    let job = &snapshot.jobs[1];
    assert_eq!(job.id, gone);
    assert!(job.vanished);
    let report = rightsize::scan::analyse(&snapshot, &ScanOptions::default());
    assert_eq!(report.jobs[1].decision.verdict, Verdict::Inconclusive);
    assert!(report.jobs[1].decision.reason.contains("vanished"));
}

#[test]
fn a_job_cancelled_mid_scan_keeps_what_was_collected_and_is_labelled() {
    let flink = RecordedFlink::start();
    let snapshot = collect(&flink.url, &[VANISHING_JOB]).expect("the server answers");
    let job = &snapshot.jobs[0];
    assert!(job.vanished);
    assert_eq!(job.name, "insight-120");
    // The first vertex's metrics query found the job gone; the scan stops there.
    assert_eq!(job.vertices.len(), 1);
    assert_eq!(job.gaps.last().map(String::as_str), Some("job vanished during the scan"));
    let report = rightsize::scan::analyse(&snapshot, &ScanOptions::default());
    assert!(report.jobs[0].evaluation.labels.iter().any(|l| l.contains("vanished")));
    assert_eq!(report.jobs[0].decision.verdict, Verdict::Inconclusive);
}

#[test]
fn a_request_that_times_out_is_a_labelled_partial_result() {
    let flink = RecordedFlink::start();
    let snapshot = collect(&flink.url, &[JOB_2_3, HANGING_JOB]).expect("one job answers");
    assert_eq!(snapshot.jobs[0].vertices.len(), 3);
    let stuck = &snapshot.jobs[1];
    assert!(stuck.vertices.is_empty());
    assert_eq!(stuck.gaps, ["job details: timed out"]);
    // One attempt and one retry.
    let asked = flink.requests().iter().filter(|r| r.contains(HANGING_JOB)).count();
    assert_eq!(asked, 2);
}

#[test]
fn auth_headers_are_sent() {
    let flink = RecordedFlink::start();
    let mut with_token = options(&flink.url, &[JOB_2_3]);
    with_token.auth = Some(Auth::Bearer("s3cret".to_owned()));
    collect::collect(&with_token).expect("the server answers");
    let requests = flink.requests();
    // Header names are case-insensitive in HTTP.
    assert!(
        requests.iter().all(|r| r.to_ascii_lowercase().contains("\r\nauthorization: bearer s3cret\r\n")),
        "{requests:#?}"
    );
}

#[test]
fn an_absent_jobmanager_is_unreachable_with_the_url() {
    // A port that was free a moment ago: nothing listens there.
    let url = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
        format!("http://{}", listener.local_addr().expect("bound address"))
    };
    let error = collect(&url, &[]).expect_err("nothing listens");
    assert_eq!(error.url, url);
    assert!(error.to_string().contains("rest.address"), "{error}");
    // Explicit job ids skip the overview: every job failing to connect is still unreachable.
    assert!(collect(&url, &[JOB_2_3]).is_err());
}

#[test]
fn the_command_prints_the_scan_and_exits_0_or_4() {
    let flink = RecordedFlink::start();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_rightsize"))
            .arg("scan")
            .args(args)
            .args(["--timeout", "2s", "--retries", "0"])
            .stdin(Stdio::null())
            .output()
            .expect("the rightsize binary runs")
    };
    let scanned = run(&["--flink", &flink.url, "--job", JOB_1_20, "--input-rate", "insight-120=1000"]);
    let stdout = String::from_utf8_lossy(&scanned.stdout);
    assert_eq!(scanned.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&scanned.stderr));
    assert!(stdout.contains("Job insight-120"), "{stdout}");
    assert!(stdout.contains("S: 1000 rec/s, user-given (--input-rate insight-120=1000)"), "{stdout}");

    let bad_ca = run(&["--flink", &flink.url, "--ca-cert", "/nonexistent/ca.pem"]);
    let stderr = String::from_utf8_lossy(&bad_ca.stderr);
    assert_eq!(bad_ca.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot read --ca-cert /nonexistent/ca.pem"), "{stderr}");

    // The server of this test stays up; a URL path nobody serves is a JobManager not found.
    let absent = run(&["--flink", &format!("{}/not-flink", flink.url)]);
    let stderr = String::from_utf8_lossy(&absent.stderr);
    assert_eq!(absent.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains(&format!("cannot reach Flink REST at {}/not-flink", flink.url)), "{stderr}");
}
