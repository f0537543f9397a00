//! The scan pipeline on REST answers recorded from a real Flink 2.2.1 cluster of `tests/env/`
//! (`fixtures/rest/flink-2.2.1-kafka.json`, recorded with `fixtures/rest/record.py` while
//! `rightsize scan` ran through it): the demo's two SQL jobs, `traffic.sql` writing 2000 records/s
//! into the 8-partition topic `orders.v1` and `over-provisioned.sql` reading it at parallelism 4,
//! on one TaskManager with 9 slots. The recording holds exactly the requests the collector made;
//! anything else is a 404 here, as from a JobManager that does not know the path.

use std::collections::BTreeMap;
use std::time::Duration;

use rightsize::scan::evaluate::{InputRate, RateBasis};
use rightsize::scan::kafka::{KafkaSnapshot, TopicRate};
use rightsize::scan::options::{CollectOptions, ScanOptions};
use rightsize::scan::snapshot::ClusterSnapshot;
use rightsize::scan::sql::parse_script;

const RECORDING: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rest/flink-2.2.1-kafka.json");
const CONSUMER: &str = "82c5ae5f5f1b9e9e94e0fb5aaa8caa1d";
const TRAFFIC: &str = "a4017e9641afffb8bff9ca24c4345e35";

#[derive(serde::Deserialize)]
struct Answer {
    status: u16,
    body: String,
}

/// Serves the recording on a loopback port; returns its base URL.
fn replay() -> String {
    let text = std::fs::read_to_string(RECORDING).expect("the recording is committed");
    let answers: BTreeMap<String, Answer> = serde_json::from_str(&text).expect("a recording");
    let server = tiny_http::Server::http("127.0.0.1:0").expect("a local port");
    let url = format!("http://{}", server.server_addr().to_ip().expect("an IP address"));
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let (status, body) = answers.get(request.url()).map_or((404, ""), |a| (a.status, a.body.as_str()));
            let _ = request.respond(tiny_http::Response::from_string(body).with_status_code(status));
        }
    });
    url
}

/// The consumer's script as `sql.sh` submitted it.
fn consumer_sql() -> rightsize::scan::sql::SqlScript {
    let template = include_str!("../../tests/env/workloads/over-provisioned.sql");
    let filled = template
        .replace("${TOPIC}", "orders.v1")
        .replace("${KAFKA_BOOTSTRAP}", "127.0.0.1:52017")
        .replace("${PARALLELISM}", "4");
    parse_script("over-provisioned.sql", &filled).expect("the demo's SQL tokenizes")
}

fn options(url: &str) -> ScanOptions {
    ScanOptions {
        collect: CollectOptions {
            flink_url: url.to_owned(),
            retries: 0,
            metrics_refresh_wait: Duration::ZERO,
            ..CollectOptions::default()
        },
        sql_scripts: vec![consumer_sql()],
        ..ScanOptions::default()
    }
}

fn collected() -> (ScanOptions, ClusterSnapshot) {
    let options = options(&replay());
    let snapshot = rightsize::scan::collect_all(&options, &|_, _| {}).expect("the recording answers");
    (options, snapshot)
}

#[test]
fn kafka_sources_slots_and_sql_come_from_the_recorded_cluster() {
    let (_, snapshot) = collected();
    assert!(snapshot.problems.is_empty(), "{:?}", snapshot.problems);
    let ids: Vec<&str> = snapshot.jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(ids, [CONSUMER, TRAFFIC]);
    let consumer = &snapshot.jobs[0];
    assert!(consumer.gaps.is_empty(), "{:?}", consumer.gaps);
    let source = &consumer.vertices[0];
    assert_eq!(source.name, "Source: orders[1] -> Calc[2] -> LocalWindowAggregate[3]");
    assert!(source.is_source);
    // Flink's metric name of `orders.v1`, with all 8 partitions over the 4 subtasks.
    assert_eq!(source.kafka_topics, BTreeMap::from([("orders_v1".to_owned(), 8)]));
    assert_eq!(source.metrics.consumed_per_s, Some(2000.0));
    let lag = source.lag.as_ref().expect("the source's backlog");
    assert_eq!((lag.records, lag.metric.as_str()), (0.0, "pendingRecords"));
    // Flink's own rates survive on a cluster without the timing patch.
    assert_eq!(source.metrics.records_in_per_s, Some(2000.0));
    assert!(source.metrics.records_out_per_s.is_some_and(|o| o > 0.0));
    assert_eq!(source.metrics.record_time_ms_max, None);
    assert!(consumer.vertices.iter().all(|v| v.slot_sharing_group == source.slot_sharing_group));

    let sql = consumer.sql.as_ref().expect("the script matches the consumer");
    assert_eq!(sql.matched_by, "pipeline.name equals the job name");
    assert_eq!(sql.topics, ["orders.v1"]);
    assert!(snapshot.jobs[1].sql.is_none(), "the traffic job reads no Kafka topic");

    // One TaskManager: 9 slots, 9 configured cores, 1600 MiB of process memory.
    let slot = snapshot.slot_size.expect("a uniform slot size");
    assert_eq!(slot.cpu_cores, 1.0);
    assert_eq!(slot.memory_bytes, 1_677_721_600 / 9);
}

#[test]
fn without_brokers_s_is_consumer_side_and_labelled() {
    let (options, snapshot) = collected();
    let report = rightsize::scan::analyse(&snapshot, &options);
    let consumer = &report.jobs[0].evaluation;
    match &consumer.input_rate {
        InputRate::Known { records_per_s, from, .. } => {
            assert_eq!((*records_per_s, *from), (2000.0, RateBasis::ConsumerSide));
        }
        unknown => panic!("expected a consumer-side S, got {unknown:?}"),
    }
    assert!(
        consumer
            .labels
            .iter()
            .any(|l| l.starts_with("S is consumer-side") && l.contains("orders.v1: no --kafka-bootstrap")),
        "{:?}",
        consumer.labels
    );
    assert_eq!(consumer.cross_checks, ["backlog now 0 records (pendingRecords); no broker-side S to compare with"]);

    let traffic = &report.jobs[1].evaluation;
    assert!(matches!(&traffic.input_rate, InputRate::Unknown { reason } if reason.starts_with("S unknown")));

    // Every vertex → 1 subtask: the one slot sharing group goes from 4 slots to 1.
    let slots = &report.jobs[0].decision.slots;
    assert_eq!((slots.current, slots.recommended, slots.freed), (4, 1, 3));
    assert_eq!(slots.cpu_cores, Some(3.0));
    let table = report.to_table();
    assert!(table.contains("S: 2000 rec/s, consumer-side"), "{table}");
    assert!(table.contains("slots: 4 → 1: frees 3 slot(s) = 3.0 cores, 0.52 GB"), "{table}");
}

#[test]
fn broker_offsets_give_s_and_agree_with_what_the_sources_read() {
    let (options, mut snapshot) = collected();
    // What the brokers answered during the recording: 10000 records in 5 s over 8 partitions.
    snapshot.kafka = Some(KafkaSnapshot {
        bootstrap: "127.0.0.1:52017".to_owned(),
        topics: BTreeMap::from([("orders.v1".to_owned(), 8)]),
        rates: BTreeMap::from([(
            "orders.v1".to_owned(),
            TopicRate { records_per_s: 1996.0, records: 10_000, interval_s: 5.01, partitions: 8 },
        )]),
        ..KafkaSnapshot::default()
    });
    let report = rightsize::scan::analyse(&snapshot, &options);
    let consumer = &report.jobs[0].evaluation;
    assert_eq!(consumer.input_rate.value(), Some(1996.0));
    assert!(matches!(&consumer.input_rate, InputRate::Known { from: RateBasis::BrokerOffsets, .. }));
    assert!(consumer.cross_checks[0].contains("they agree within ±15 %"), "{:?}", consumer.cross_checks);

    // Without the script, the lossy metric name resolves against the brokers' topic list alone.
    snapshot.jobs[0].sql = None;
    let report = rightsize::scan::analyse(&snapshot, &options);
    assert_eq!(report.jobs[0].evaluation.input_rate.value(), Some(1996.0));

    let json: serde_json::Value = serde_json::from_str(&report.to_json().expect("serialisable")).expect("JSON");
    assert_eq!(json["schema"], "rightsize.scan/v1");
    assert_eq!(json["jobs"][0]["evaluation"]["input_rate"]["from"], "broker_offsets");
    assert_eq!(json["jobs"][0]["decision"]["slots"]["freed"], 3);
    assert_eq!(json["kafka"]["rates"]["orders.v1"]["records"], 10_000);
}
