//! A Flink REST simulator for many jobs, built from answers recorded on real clusters: each job's
//! `/jobs/:jid` is the recorded 2.3.0 answer (`shared/notes/rest-samples/2.3.0-jobs-jobid.json`)
//! with its ids, names, parallelisms, clock and plan rewritten; a source vertex's metric list is
//! the recorded list plus Kafka reader ids in the connector's shape; the aggregated metric and
//! `/jobs/overview` answers follow the shapes recorded in `shared/notes/flink-internals.md` §5.
//!
//! Shared by the `serve` tests and the scale benchmark (`benches/scan_scale.rs`). It counts the
//! requests and the most it had to answer at once, to show that a scan does not flood a
//! JobManager. Serves on 127.0.0.1, HTTP/1.1 with keep-alive and TCP_NODELAY, as the
//! JobManager's Netty server does: a server that lets Nagle's algorithm hold back small
//! answers would add milliseconds to every request and measure itself, not the scan.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/notes/rest-samples/");

/// One simulated job: a Kafka source vertex followed by a chain of vertices, every vertex passing
/// on each record it gets (O = S everywhere).
#[derive(Debug, Clone)]
pub struct SimJob {
    pub id: String,
    pub name: String,
    /// The topic the source reads; its partitions.
    pub topic: String,
    pub partitions: u32,
    /// Records per second arriving at the source and leaving every vertex.
    pub records_per_s: f64,
    /// Time since the job entered RUNNING.
    pub uptime: Duration,
    pub vertices: Vec<SimVertex>,
}

#[derive(Debug, Clone)]
pub struct SimVertex {
    pub id: String,
    pub name: String,
    pub parallelism: u32,
    pub max_parallelism: u32,
    /// T: `taskOneRecordDealTime`, ms per record.
    pub record_time_ms: f64,
    /// Fed by a keyBy (HASH) edge.
    pub keyed: bool,
}

/// A 32-hex-digit id, as Flink's, from a number.
pub fn flink_id(kind: u32, number: u64) -> String {
    format!("{kind:08x}{number:024x}")
}

/// A job of `vertices` vertices at parallelism `parallelism`, each taking `record_time_ms` per
/// record, fed `records_per_s` from topic `topic-<index>`.
pub fn job(index: u64, vertices: usize, parallelism: u32, record_time_ms: f64, records_per_s: f64) -> SimJob {
    SimJob {
        id: flink_id(0xf11c, index),
        name: format!("job-{index}"),
        topic: format!("topic-{index}"),
        partitions: parallelism,
        records_per_s,
        uptime: Duration::from_secs(3600),
        vertices: (0..vertices)
            .map(|v| SimVertex {
                id: flink_id(0x7e47, index * 1000 + v as u64),
                name: if v == 0 { format!("Source: orders-{index}") } else { format!("Step{v} -> Map{v}") },
                parallelism,
                max_parallelism: 128,
                record_time_ms,
                keyed: v % 2 == 1,
            })
            .collect(),
    }
}

/// `count` jobs of `vertices` vertices each: the scale benchmark's cluster.
pub fn fleet(count: u64, vertices: usize) -> Vec<SimJob> {
    (0..count).map(|index| job(index, vertices, 8, 0.5 + (index % 7) as f64 * 0.25, 1000.0 + index as f64)).collect()
}

struct Rendered {
    details: String,
    source_metric_list: String,
    job: SimJob,
}

/// Requests seen and the most answered at once.
#[derive(Default)]
pub struct SimStats {
    requests: AtomicU64,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A running simulator; stops when dropped.
pub struct FlinkSimulator {
    address: SocketAddr,
    stats: Arc<SimStats>,
    stop: Arc<AtomicBool>,
}

impl FlinkSimulator {
    /// Serves `jobs`, answering each request after `latency` (a JobManager is not instant).
    pub fn start(jobs: Vec<SimJob>, latency: Duration) -> FlinkSimulator {
        let template: Value = serde_json::from_str(&sample("2.3.0-jobs-jobid.json")).expect("recorded /jobs/:jid");
        let recorded_metric_list: Vec<Value> =
            serde_json::from_str(&sample("2.3.0-vertex-metrics-list.json")).expect("recorded metric list");
        let now = now_ms();
        let overview = json!({
            "jobs": jobs.iter().map(|job| json!({
                "jid": job.id, "name": job.name, "state": "RUNNING",
                "start-time": now - job.uptime.as_millis() as i64, "end-time": -1,
                "duration": job.uptime.as_millis() as i64, "last-modification": now,
                "tasks": {"running": job.vertices.iter().map(|v| v.parallelism).sum::<u32>(), "total": 0}
            })).collect::<Vec<_>>()
        })
        .to_string();
        let rendered: HashMap<String, Rendered> = jobs
            .into_iter()
            .map(|job| {
                let rendered = Rendered {
                    details: job_details(&template, &job, now).to_string(),
                    source_metric_list: source_metric_list(&recorded_metric_list, &job).to_string(),
                    job,
                };
                (rendered.job.id.clone(), rendered)
            })
            .collect();
        let routes = Arc::new(Routes { overview, jobs: rendered, latency });
        let stats = Arc::new(SimStats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the simulator");
        let address = listener.local_addr().expect("bound address");
        listener.set_nonblocking(true).expect("non-blocking accept");
        let (thread_stats, thread_stop) = (Arc::clone(&stats), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !thread_stop.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (routes, stats, stop) =
                            (Arc::clone(&routes), Arc::clone(&thread_stats), Arc::clone(&thread_stop));
                        std::thread::spawn(move || serve_connection(stream, &routes, &stats, &stop));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        FlinkSimulator { address, stats, stop }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn requests(&self) -> u64 {
        self.stats.requests.load(Ordering::Relaxed)
    }

    /// The most requests the simulator was answering at the same time.
    pub fn max_concurrent_requests(&self) -> usize {
        self.stats.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for FlinkSimulator {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

struct Routes {
    overview: String,
    jobs: HashMap<String, Rendered>,
    latency: Duration,
}

/// A request: path and query.
struct SimRequest<'a> {
    path: &'a str,
    query: &'a str,
}

impl SimRequest<'_> {
    fn query_param(&self, name: &str) -> Option<&str> {
        self.query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key == name).then_some(value)
        })
    }
}

/// Answers GETs on one keep-alive connection until the client closes it or the simulator stops.
fn serve_connection(stream: TcpStream, routes: &Routes, stats: &SimStats, stop: &AtomicBool) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let Ok(mut writer) = stream.try_clone() else { return };
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    while !stop.load(Ordering::Relaxed) {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => return,
            Ok(_) => {}
            Err(error) if matches!(error.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                continue
            }
            Err(_) => return,
        }
        let target = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
        // Skip the headers: GET requests carry no body.
        loop {
            let mut header = String::new();
            match reader.read_line(&mut header) {
                Ok(0) => return,
                Ok(_) if header == "\r\n" || header == "\n" => break,
                Ok(_) => {}
                Err(_) => return,
            }
        }
        let in_flight = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.max_in_flight.fetch_max(in_flight, Ordering::SeqCst);
        stats.requests.fetch_add(1, Ordering::Relaxed);
        if !routes.latency.is_zero() {
            std::thread::sleep(routes.latency);
        }
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let (status, body) = answer(&SimRequest { path, query }, routes);
        stats.in_flight.fetch_sub(1, Ordering::SeqCst);
        let reason = if status == 200 { "OK" } else { "Not Found" };
        let head = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: {}\r\n\
             Connection: keep-alive\r\n\r\n",
            body.len()
        );
        let mut response = head.into_bytes();
        response.extend_from_slice(body.as_bytes());
        if writer.write_all(&response).is_err() {
            return;
        }
    }
}

fn sample(name: &str) -> String {
    std::fs::read_to_string(format!("{SAMPLES}{name}")).expect("recorded REST sample present")
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// The recorded `/jobs/:jid` with this job's ids, names, parallelisms, clock and plan.
fn job_details(template: &Value, job: &SimJob, now: i64) -> Value {
    let mut details = template.clone();
    let running_since = now - job.uptime.as_millis() as i64;
    details["jid"] = json!(job.id);
    details["name"] = json!(job.name);
    details["now"] = json!(now);
    details["start-time"] = json!(running_since);
    details["duration"] = json!(job.uptime.as_millis() as i64);
    details["timestamps"]["RUNNING"] = json!(running_since);
    let vertex_template = template["vertices"][0].clone();
    details["vertices"] = job
        .vertices
        .iter()
        .map(|vertex| {
            let mut entry = vertex_template.clone();
            entry["id"] = json!(vertex.id);
            entry["name"] = json!(vertex.name);
            entry["parallelism"] = json!(vertex.parallelism);
            entry["maxParallelism"] = json!(vertex.max_parallelism);
            entry["start-time"] = json!(running_since);
            entry["duration"] = json!(job.uptime.as_millis() as i64);
            entry["tasks"]["RUNNING"] = json!(vertex.parallelism);
            entry
        })
        .collect();
    // Recorded plan nodes: the source has no `inputs`; the others one input from the vertex before.
    let node_template = template["plan"]["nodes"][0].clone();
    let nodes: Vec<Value> = job
        .vertices
        .iter()
        .enumerate()
        .map(|(index, vertex)| {
            let mut node = node_template.clone();
            node["id"] = json!(vertex.id);
            node["parallelism"] = json!(vertex.parallelism);
            node["description"] = json!(vertex.name);
            match index {
                0 => {
                    node.as_object_mut().map(|node| node.remove("inputs"));
                }
                _ => {
                    let strategy = if vertex.keyed { "HASH" } else { "REBALANCE" };
                    node["inputs"] = json!([{ "id": job.vertices[index - 1].id, "num": 0,
                        "exchange": "pipelined_bounded", "ship_strategy": strategy }]);
                }
            }
            node
        })
        .collect();
    details["plan"]["jid"] = json!(job.id);
    details["plan"]["name"] = json!(job.name);
    details["plan"]["nodes"] = json!(nodes);
    details
}

/// The recorded source metric list plus the Kafka reader's per-partition ids.
fn source_metric_list(recorded: &[Value], job: &SimJob) -> Value {
    let source = &job.vertices[0];
    let operator = source.name.replace([' ', ',', '.', ':'], "_");
    let mut ids = recorded.to_vec();
    for partition in 0..job.partitions {
        let subtask = partition % source.parallelism.max(1);
        let topic = job.topic.replace([' ', ',', '.', ':'], "_");
        for metric in ["currentOffset", "committedOffset"] {
            ids.push(json!({ "id": format!("{subtask}.{operator}.KafkaSourceReader.topic.{topic}.partition.{partition}.{metric}") }));
        }
    }
    Value::Array(ids)
}

fn answer(request: &SimRequest, routes: &Routes) -> (u16, String) {
    let segments: Vec<&str> = request.path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["jobs", "overview"] => (200, routes.overview.clone()),
        ["jobs", jid] => match routes.jobs.get(*jid) {
            Some(job) => (200, job.details.clone()),
            None => not_found(),
        },
        ["jobs", jid, "vertices", vid, rest @ ..] => {
            let Some(job) = routes.jobs.get(*jid) else { return not_found() };
            let Some(index) = job.job.vertices.iter().position(|v| v.id == *vid) else { return not_found() };
            match rest {
                ["subtasks", "metrics"] => (200, aggregated(&job.job, index, request)),
                ["metrics"] if request.query_param("get").is_none() => {
                    (200, if index == 0 { job.source_metric_list.clone() } else { "[]".to_owned() })
                }
                _ => not_found(),
            }
        }
        _ => not_found(),
    }
}

/// `/subtasks/metrics?get=…&agg=…`: `[{"id","min","max","avg","sum","skew"}]` for the ids known.
fn aggregated(job: &SimJob, index: usize, request: &SimRequest) -> String {
    let vertex = &job.vertices[index];
    let parallelism = f64::from(vertex.parallelism.max(1));
    let per_subtask = job.records_per_s / parallelism;
    let busy = (per_subtask * vertex.record_time_ms).min(1000.0);
    // A source's task has no network input: Flink reports 0 records in.
    let records_in = if index == 0 { 0.0 } else { job.records_per_s };
    let known = |id: &str| -> Option<(f64, f64)> {
        match id {
            "taskOneRecordDealTime" => Some((vertex.record_time_ms, vertex.record_time_ms * parallelism)),
            "numRecordsOutPerSecond" => Some((per_subtask, job.records_per_s)),
            "numRecordsInPerSecond" => Some((records_in / parallelism, records_in)),
            "busyTimeMsPerSecond" => Some((busy, busy * parallelism)),
            _ => None,
        }
    };
    let ids = request.query_param("get").unwrap_or_default();
    let answer: Vec<Value> = ids
        .split(',')
        .filter_map(|id| {
            let (max, sum) = known(id)?;
            Some(json!({ "id": id, "min": max, "max": max, "avg": sum / parallelism, "sum": sum, "skew": 0.0 }))
        })
        .collect();
    Value::Array(answer).to_string()
}

/// Flink's answer to an unknown job or vertex.
fn not_found() -> (u16, String) {
    (404, r#"{"errors":["Not found: /jobs"]}"#.to_owned())
}
