//! `rightsize sidecar` end to end: restarts at arbitrary points (no event lost or counted
//! twice, judged against the JVM's own collector counts), a receiver that is down and comes
//! back (every spooled push delivered once, the spool bounded), and the command itself serving
//! `/metrics`.
//!
//! The logs are real: the committed `jdk17-g1` fixture with the JVM's own counts beside it, and
//! live JVMs writing rotating logs while the sidecar restarts (skipped without a JDK).

mod common;

use std::collections::BTreeSet;
use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::fixture;
use rightsize::http::{Request, Response, Server, ServerOptions};
use rightsize::sidecar::push::PushOptions;
use rightsize::sidecar::spool::SpoolLimits;
use rightsize::sidecar::tracker::Totals;
use rightsize::sidecar::{Sidecar, SidecarOptions};
use rightsize::wire::{AgentIdentity, GcPush, GC_PUSH_PATH};

fn agent() -> AgentIdentity {
    AgentIdentity {
        agent_id: "tm-test:/logs".into(),
        taskmanager_id: Some("tm-test".into()),
        host: "127.0.0.1".into(),
        pod: None,
        namespace: None,
    }
}

fn options(dir: &Path) -> SidecarOptions {
    let mut options = SidecarOptions::new(dir, agent());
    options.poll_interval = Duration::from_millis(10);
    options.checkpoint_interval = Duration::ZERO;
    options
}

/// The JVM's own counts from a GcLoad truth line: (young collections, full collections) of G1.
fn g1_truth(json: &str) -> (u64, u64) {
    let value: serde_json::Value = serde_json::from_str(json.trim()).expect("the workload's JSON line");
    let count = |name: &str| {
        value["collectors"]
            .as_array()
            .expect("collectors")
            .iter()
            .find(|bean| bean["name"] == name)
            .and_then(|bean| bean["count"].as_u64())
            .unwrap_or_else(|| panic!("no bean {name:?} in {json}"))
    };
    (count("G1 Young Generation"), count("G1 Old Generation"))
}

fn single_totals(sidecar: &Sidecar) -> Totals {
    let instances = sidecar.tracker().instances();
    assert_eq!(instances.len(), 1, "one JVM run: {:#?}", instances.iter().map(|i| &i.totals).collect::<Vec<_>>());
    instances[0].totals.clone()
}

/// A tiny deterministic generator: the schedules differ per seed, and a failure names its seed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

#[test]
fn restarts_at_any_point_neither_lose_nor_repeat_an_event() {
    let log = fs::read(fixture("jvm/jdk17-g1/gc.log")).expect("fixture");
    let (young, full) = g1_truth(&fs::read_to_string(fixture("jvm/jdk17-g1/truth.json")).expect("truth"));
    // Read in one go without a restart: every event with all its details.
    let reference = {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(dir.path().join("gc.log"), &log).unwrap();
        let mut sidecar = Sidecar::open(options(dir.path())).expect("open");
        sidecar.step();
        sidecar.tracker().instances()[0].recent.clone()
    };
    for seed in 1..=12u64 {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("gc.log");
        let mut random = Lcg(seed);
        let mut options = options(dir.path());
        // Saves only every few polls: a crash in between re-reads what was not saved.
        options.checkpoint_interval = Duration::from_millis(random.below(3) * 5);
        let mut sidecar = Sidecar::open(options.clone()).expect("open");
        let mut written = 0;
        let mut restarts = 0;
        while written < log.len() {
            // Arbitrary cuts, mid-line included.
            let chunk = (1 + random.below(6000) as usize).min(log.len() - written);
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .unwrap()
                .write_all(&log[written..written + chunk])
                .unwrap();
            written += chunk;
            sidecar.step();
            match random.below(4) {
                // A crash: no final save.
                0 => {
                    drop(sidecar);
                    sidecar = Sidecar::open(options.clone()).expect("reopen");
                    restarts += 1;
                }
                // A clean stop.
                1 => {
                    sidecar.shutdown();
                    drop(sidecar);
                    sidecar = Sidecar::open(options.clone()).expect("reopen");
                    restarts += 1;
                }
                _ => std::thread::sleep(Duration::from_millis(random.below(8))),
            }
        }
        sidecar.step();
        let totals = single_totals(&sidecar);
        assert!(restarts > 0, "seed {seed}: no restart happened");
        assert_eq!(
            (totals.young_pauses + totals.mixed_pauses, totals.full_pauses),
            (young, full),
            "seed {seed}: {restarts} restarts"
        );
        // Not only counted once: each event whole, none of its detail lines lost to a restart.
        let events = &sidecar.tracker().instances()[0].recent;
        assert_eq!(events.len(), reference.len(), "seed {seed}");
        for (event, expected) in events.iter().zip(&reference) {
            assert_eq!(event, expected, "seed {seed}: {restarts} restarts");
        }
    }
}

#[test]
fn a_jvm_restart_that_truncates_the_log_is_a_new_instance() {
    let log = fs::read(fixture("jvm/jdk17-g1/gc.log")).expect("fixture");
    let (young, _) = g1_truth(&fs::read_to_string(fixture("jvm/jdk17-g1/truth.json")).expect("truth"));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("gc.log");
    fs::write(&path, &log).unwrap();
    let mut sidecar = Sidecar::open(options(dir.path())).expect("open");
    sidecar.step();
    // The JVM restarts with filecount=0: the same file, truncated, written from the start.
    fs::write(&path, &log[..log.len() / 2]).unwrap();
    sidecar.step();
    let instances = sidecar.tracker().instances();
    assert_eq!(instances.len(), 2);
    assert!(instances[0].closed && !instances[1].closed);
    assert_eq!(instances[0].totals.young_pauses + instances[0].totals.mixed_pauses, young);
    assert_eq!((instances[0].ordinal, instances[1].ordinal), (1, 2));
}

// ---------------------------------------------------------------------------------------------
// Upstream outage: a loopback receiver that is down, then up.
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Receiver {
    up: AtomicBool,
    /// Every push accepted, in arrival order (ids repeat if the sender retried a delivered one).
    accepted: Mutex<Vec<GcPush>>,
    refused_while_down: Mutex<u64>,
}

fn start_receiver() -> (Arc<Receiver>, rightsize::http::RunningServer) {
    let receiver = Arc::new(Receiver::default());
    let server = Server::bind(ServerOptions::new("127.0.0.1:0".parse().unwrap())).expect("bind");
    let state = Arc::clone(&receiver);
    let running = server.spawn(Arc::new(move |request: &Request| {
        if request.path != GC_PUSH_PATH {
            return Response::not_found(&request.path);
        }
        if !state.up.load(Ordering::SeqCst) {
            *state.refused_while_down.lock().unwrap() += 1;
            return Response::error(503, "down");
        }
        match GcPush::from_json(&request.body) {
            Ok(push) => {
                state.accepted.lock().unwrap().push(push);
                Response::json(202, "{}")
            }
            Err(error) => Response::error(400, &error),
        }
    }));
    (receiver, running)
}

#[test]
fn an_outage_upstream_delivers_every_spooled_push_once_and_keeps_the_spool_bounded() {
    let log = fs::read(fixture("jvm/jdk17-g1/gc.log")).expect("fixture");
    let (young, full) = g1_truth(&fs::read_to_string(fixture("jvm/jdk17-g1/truth.json")).expect("truth"));
    let (receiver, server) = start_receiver();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("gc.log");
    let mut options = options(dir.path());
    let mut push = PushOptions::new(format!("http://{}", server.local_addr()));
    push.interval = Duration::ZERO;
    push.backoff_min = Duration::from_millis(20);
    push.backoff_max = Duration::from_millis(100);
    push.timeout = Duration::from_secs(5);
    push.spool = SpoolLimits { max_items: 4, max_bytes: 64 << 20 };
    options.push = Some(push);

    // Down: every change is spooled, the oldest dropped beyond four.
    let mut sidecar = Sidecar::open(options.clone()).expect("open");
    let lines: Vec<&[u8]> = log.split_inclusive(|&b| b == b'\n').collect();
    let mut spooled = Vec::new();
    for (index, chunk) in lines.chunks(lines.len() / 10 + 1).enumerate() {
        let mut file = OpenOptions::new().create(true).append(true).open(&path).unwrap();
        for line in chunk {
            file.write_all(line).unwrap();
        }
        spooled.extend(sidecar.step().spooled);
        if index == 4 {
            // The sidecar restarts during the outage: the spool and the sequence survive.
            drop(sidecar);
            sidecar = Sidecar::open(options.clone()).expect("reopen");
        }
    }
    assert!(spooled.len() >= 8, "pushes spooled: {spooled:?}");
    assert!(spooled.windows(2).all(|pair| pair[0] < pair[1]), "sequences increase across the restart: {spooled:?}");
    let spool_dir = dir.path().join(".rightsize-sidecar/spool");
    let waiting = || {
        fs::read_dir(&spool_dir)
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".json"))
            .count()
    };
    assert!(waiting() <= 4, "spool bounded: {} pushes waiting", waiting());
    assert!(*receiver.refused_while_down.lock().unwrap() > 0, "the sidecar tried while the receiver was down");
    assert!(receiver.accepted.lock().unwrap().is_empty());

    let kept: Vec<u64> = {
        let mut kept: Vec<u64> = fs::read_dir(&spool_dir)
            .unwrap()
            .filter_map(|e| e.unwrap().file_name().to_string_lossy().strip_suffix(".json")?.parse().ok())
            .collect();
        kept.sort();
        kept
    };

    // Up: what is spooled arrives, once each, oldest first.
    receiver.up.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(30);
    while waiting() > 0 {
        assert!(Instant::now() < deadline, "spool not drained: {} waiting", waiting());
        sidecar.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    let accepted = receiver.accepted.lock().unwrap().clone();
    let ids: Vec<&str> = accepted.iter().map(|push| push.id.as_str()).collect();
    let distinct: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), ids.len(), "a push arrived twice: {ids:?}");
    let sequences: Vec<u64> = accepted.iter().map(|push| push.sequence).collect();
    assert!(sequences.windows(2).all(|pair| pair[0] < pair[1]), "oldest first: {sequences:?}");
    // Every push the spool kept, once; before them at most the one that was in flight when the
    // spool dropped it to make room (delivered anyway, as the receiver came back meanwhile).
    assert_eq!(kept.len(), 4, "{kept:?}");
    assert!(sequences.ends_with(&kept), "the kept pushes {kept:?} arrived: {sequences:?}");
    assert!(sequences.len() <= 5, "{sequences:?}");
    assert_eq!(*sequences.last().unwrap(), *spooled.last().unwrap(), "the newest analysis arrived");
    for push in &accepted {
        assert_eq!(push.id, format!("{}:{}", push.agent.agent_id, push.sequence));
    }
    // The newest push carries the whole run's analysis.
    let last = accepted.last().unwrap();
    let instance = &last.report["instances"][0];
    assert_eq!(last.report["schema"], "rightsize.gc/v1");
    assert_eq!(instance["summary"]["young_count"].as_u64(), Some(young), "{instance:#}");
    assert_eq!(instance["summary"]["full_count"].as_u64(), Some(full));
    drop(sidecar);
    drop(server);
}

#[test]
fn a_crash_between_push_and_checkpoint_pushes_again_under_a_new_sequence() {
    let log = fs::read(fixture("jvm/jdk17-g1/gc.log")).expect("fixture");
    let (young, _) = g1_truth(&fs::read_to_string(fixture("jvm/jdk17-g1/truth.json")).expect("truth"));
    let (receiver, server) = start_receiver();
    receiver.up.store(true, Ordering::SeqCst);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("gc.log");
    let mut options = options(dir.path());
    // The first poll saves; later ones do not within this test: a crash loses their positions.
    options.checkpoint_interval = Duration::from_secs(3600);
    let mut push = PushOptions::new(format!("http://{}", server.local_addr()));
    push.interval = Duration::ZERO;
    options.push = Some(push);
    let half = log.len() / 2 + log[log.len() / 2..].iter().position(|&b| b == b'\n').unwrap() + 1;
    fs::write(&path, &log[..half]).unwrap();
    let mut sidecar = Sidecar::open(options.clone()).expect("open");
    let first = sidecar.step().spooled.expect("a push");
    OpenOptions::new().append(true).open(&path).unwrap().write_all(&log[half..]).unwrap();
    let second = sidecar.step().spooled.expect("a push");
    // Crash after the push was spooled, before the checkpoint took the positions.
    drop(sidecar);
    let mut sidecar = Sidecar::open(options).expect("reopen");
    let third = sidecar.step().spooled.expect("the re-read lines make a new analysis");
    assert!(first < second && second < third, "{first} {second} {third}: a sequence is never reused");
    let deadline = Instant::now() + Duration::from_secs(30);
    while receiver.accepted.lock().unwrap().len() < 3 {
        assert!(Instant::now() < deadline, "pushes not delivered");
        std::thread::sleep(Duration::from_millis(20));
    }
    let accepted = receiver.accepted.lock().unwrap().clone();
    let young_of = |push: &GcPush| push.report["instances"][0]["summary"]["young_count"].as_u64();
    // The push made before the crash and the one after say the same: nothing counted twice.
    assert_eq!(accepted.iter().map(|p| p.sequence).collect::<Vec<_>>(), [first, second, third]);
    assert_eq!(young_of(&accepted[1]), Some(young));
    assert_eq!(young_of(&accepted[2]), Some(young));
    drop(sidecar);
}

// ---------------------------------------------------------------------------------------------
// The command.
// ---------------------------------------------------------------------------------------------

/// Kills the sidecar process when the test ends, also on failure.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn get(address: SocketAddr, path: &str, token: Option<&str>) -> String {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

fn spawn_sidecar(dir: &Path, extra: &[&str]) -> (Running, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rightsize"))
        .args(["sidecar", "--dir"])
        .arg(dir)
        .args(["--listen", "127.0.0.1:0", "--poll-interval", "50ms"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start rightsize sidecar");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).expect("the address line");
    let address = first.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("{first:?}"));
    (Running(child), address.parse().expect("an address"))
}

#[test]
fn the_command_serves_metrics_report_and_health_behind_a_token() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::copy(fixture("jvm/jdk17-g1/gc.log"), dir.path().join("gc.log")).unwrap();
    let (young, full) = g1_truth(&fs::read_to_string(fixture("jvm/jdk17-g1/truth.json")).expect("truth"));
    let (_sidecar, address) = spawn_sidecar(dir.path(), &["--token", "s3cret"]);
    assert!(get(address, "/metrics", None).starts_with("HTTP/1.1 401"));
    assert!(get(address, "/healthz", None).starts_with("HTTP/1.1 200"));
    let expected = format!("rightsize_gc_young_collections_total{{log=\"gc.log\",instance=\"1\"}} {young}\n");
    let deadline = Instant::now() + Duration::from_secs(30);
    let metrics = loop {
        let metrics = get(address, "/metrics", Some("s3cret"));
        if metrics.contains(&expected) || Instant::now() > deadline {
            break metrics;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(metrics.contains(&expected), "{metrics}");
    assert!(metrics.contains(&format!("rightsize_gc_full_collections_total{{log=\"gc.log\",instance=\"1\"}} {full}\n")));
    assert!(metrics.contains("rightsize_gc_recommended_heap_bytes{log=\"gc.log\",instance=\"1\"}"), "{metrics}");
    assert!(metrics.contains("rightsize_sidecar_lines_total"));
    let report = get(address, "/report", Some("s3cret"));
    let body = report.split("\r\n\r\n").nth(1).unwrap_or_default();
    let document: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {report}"));
    assert_eq!(document["schema"], "rightsize.gc/v1");
    assert_eq!(document["instances"][0]["summary"]["young_count"].as_u64(), Some(young));
}

#[test]
fn bad_flags_are_usage_errors() {
    let output = Command::new(env!("CARGO_BIN_EXE_rightsize"))
        .args(["sidecar", "--dir", "/nonexistent", "--report-url", "ftp://x", "--listen", "127.0.0.1:0"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--report-url"));
}

// ---------------------------------------------------------------------------------------------
// Live JVMs: rotating logs written while the sidecar restarts.
// ---------------------------------------------------------------------------------------------

fn compile_workload(dir: &Path) -> Option<PathBuf> {
    let source = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/gcload/GcLoad.java"));
    let classes = dir.join("classes");
    match Command::new("javac").args(["--release", "11", "-d"]).arg(&classes).arg(&source).output() {
        Ok(output) if output.status.success() => Some(classes),
        Ok(output) => panic!("javac failed: {}", String::from_utf8_lossy(&output.stderr)),
        Err(e) if e.kind() == ErrorKind::NotFound => {
            eprintln!("notice: live sidecar test skipped: no javac on PATH");
            None
        }
        Err(e) => panic!("cannot run javac: {e}"),
    }
}

#[test]
fn live_jvms_with_rotation_and_sidecar_restarts_match_the_jvm_counts() {
    let work = tempfile::tempdir().expect("temp dir");
    let Some(classes) = compile_workload(work.path()) else { return };
    let logs = work.path().join("logs");
    fs::create_dir(&logs).unwrap();
    let mut options = options(&logs);
    options.checkpoint_interval = Duration::from_millis(30);
    let mut sidecar = Sidecar::open(options.clone()).expect("open");
    let mut truths = Vec::new();
    // Two JVM runs one after the other into the same rotation set: a rotation at every start,
    // several by size during each run, the oldest files deleted as the index wraps.
    for run in 0..2 {
        let xlog = "-Xlog:gc*:file=gc.log:uptime,level,tags:filecount=3,filesize=32k";
        let mut java = Command::new("java")
            .args(["-XX:ActiveProcessorCount=2", "-XX:+UseG1GC", "-Xmx64m", xlog, "-cp"])
            .arg(&classes)
            .args(["GcLoad", "--live-mb", "16", "--alloc-mb", "768", "--system-gc", "2", "--max-seconds", "20"])
            .current_dir(&logs)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start java");
        let started = Instant::now();
        let mut random = Lcg(run + 7);
        let status = loop {
            if let Some(status) = java.try_wait().expect("wait") {
                break status;
            }
            assert!(started.elapsed() < Duration::from_secs(120), "the JVM did not finish");
            sidecar.step();
            if random.below(10) == 0 {
                drop(sidecar);
                sidecar = Sidecar::open(options.clone()).expect("reopen");
            }
        };
        let mut stdout = String::new();
        java.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
        let mut stderr = String::new();
        java.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        assert!(status.success(), "java failed: {stderr}");
        truths.push(g1_truth(&stdout));
        sidecar.step();
    }
    sidecar.step();
    let instances = sidecar.tracker().instances();
    let counted: Vec<(u64, u64)> =
        instances.iter().map(|i| (i.totals.young_pauses + i.totals.mixed_pauses, i.totals.full_pauses)).collect();
    let state: Vec<String> = fs::read_dir(logs.join(".rightsize-sidecar"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!state.iter().any(|name| name.contains("unusable") || name.contains("corrupt")), "{state:?}");
    let described: Vec<String> = instances
        .iter()
        .map(|i| {
            format!(
                "{} #{} closed={} files={:?} first={:?} last={:?}",
                i.log, i.ordinal, i.closed, i.jvm.files, i.jvm.first_seen, i.jvm.last_seen
            )
        })
        .collect();
    assert_eq!(counted, truths, "per JVM run: (young, full) counted by the sidecar vs the JVM's beans: {described:#?}");
    assert!(instances[0].closed && !instances[1].closed);
    let rotated = fs::read_dir(&logs)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with("gc.log."))
        .count();
    assert!(rotated >= 2, "the logs rotated");
}
