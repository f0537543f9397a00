//! The broker-side input rate against a real Kafka broker (the KRaft broker of `tests/env/`):
//! topic listing, end offsets, the count of records between two samples and the rate of steady
//! traffic. These run when `RIGHTSIZE_KAFKA_BOOTSTRAP` names a broker (`tests/e2e/run.sh` starts
//! one and sets it) and pass as skipped otherwise; the unreachable-broker case always runs.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rightsize::scan::kafka::{self, BrokerClient, Clock, EndOffsets};
use rightsize::scan::options::KafkaOptions;
use rskafka::client::partition::{Compression, PartitionClient, UnknownTopicHandling};
use rskafka::client::{Client, ClientBuilder};
use rskafka::record::Record;

fn bootstrap() -> Option<String> {
    let servers = std::env::var("RIGHTSIZE_KAFKA_BOOTSTRAP").ok().filter(|s| !s.trim().is_empty());
    if servers.is_none() {
        eprintln!("skipped: RIGHTSIZE_KAFKA_BOOTSTRAP is not set (tests/e2e/run.sh sets it)");
    }
    servers
}

fn options(bootstrap: &str) -> KafkaOptions {
    KafkaOptions {
        bootstrap: bootstrap.split(',').map(str::to_owned).collect(),
        timeout: Duration::from_secs(20),
        ..KafkaOptions::default()
    }
}

/// A producer on its own runtime, writing to a fresh topic.
struct Producer {
    runtime: tokio::runtime::Runtime,
    partitions: Vec<Arc<PartitionClient>>,
    next: usize,
}

impl Producer {
    /// Creates `topic` with `partitions` partitions.
    fn create(bootstrap: &str, topic: &str, partitions: i32) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        let clients = runtime.block_on(async {
            let client: Client = ClientBuilder::new(bootstrap.split(',').map(str::to_owned).collect())
                .build()
                .await
                .expect("the broker answers");
            client
                .controller_client()
                .expect("a controller")
                .create_topic(topic, partitions, 1, 10_000)
                .await
                .expect("topic created");
            let mut clients = Vec::new();
            for partition in 0..partitions {
                let partition = client
                    .partition_client(topic, partition, UnknownTopicHandling::Retry)
                    .await
                    .expect("a partition client");
                clients.push(Arc::new(partition));
            }
            clients
        });
        Producer { runtime, partitions: clients, next: 0 }
    }

    /// Produces `count` records, round-robin over the partitions, one batch per partition.
    fn produce(&mut self, count: usize) {
        let mut batches: Vec<Vec<Record>> = vec![Vec::new(); self.partitions.len()];
        for _ in 0..count {
            batches[self.next % self.partitions.len()].push(Record {
                key: None,
                value: Some(b"{\"order_id\":1}".to_vec()),
                headers: Default::default(),
                timestamp: rskafka::chrono::DateTime::from_timestamp_millis(1_700_000_000_000).expect("a timestamp"),
            });
            self.next += 1;
        }
        self.runtime.block_on(async {
            for (partition, batch) in self.partitions.iter().zip(batches) {
                partition.produce(batch, Compression::NoCompression).await.expect("produced");
            }
        });
    }
}

fn unique_topic(what: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("rightsize.{what}.{}-{nanos}", std::process::id())
}

/// A clock whose sleep produces a known number of records first: the only writes between the
/// two samples.
struct ProducingClock<'a> {
    producer: std::cell::RefCell<&'a mut Producer>,
    records: usize,
    started: Instant,
}

impl Clock for ProducingClock<'_> {
    fn now_s(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }
    fn sleep(&self, duration: Duration) {
        self.producer.borrow_mut().produce(self.records);
        std::thread::sleep(duration);
    }
}

#[test]
fn every_record_produced_between_the_samples_is_counted() {
    let Some(bootstrap) = bootstrap() else { return };
    let topic = unique_topic("counted");
    let mut producer = Producer::create(&bootstrap, &topic, 3);
    producer.produce(100); // Offsets not at zero: only the growth counts.

    let mut client = BrokerClient::connect(&options(&bootstrap)).expect("connects");
    let topics = client.topics().expect("the topic list");
    assert_eq!(topics.get(&topic), Some(&BTreeSet::from([0, 1, 2])), "the new topic and its partitions");
    let offsets =
        client.end_offsets(&[(topic.clone(), 0), (topic.clone(), 1), (topic.clone(), 2)]).expect("end offsets");
    assert_eq!(offsets.values().sum::<i64>(), 100, "{offsets:?}");

    let clock =
        ProducingClock { producer: std::cell::RefCell::new(&mut producer), records: 1234, started: Instant::now() };
    let wanted = BTreeSet::from([topic.clone()]);
    let (rates, unmeasured) =
        kafka::measure_rates(&mut client, &topics, &wanted, Duration::from_millis(500), &clock).expect("measured");
    assert!(unmeasured.is_empty(), "{unmeasured:?}");
    let rate = &rates[&topic];
    assert_eq!((rate.records, rate.partitions), (1234, 3), "{rate:?}");
    assert!(rate.interval_s >= 0.5, "{rate:?}");
    assert!((rate.records_per_s - 1234.0 / rate.interval_s).abs() < 1e-6, "{rate:?}");
}

#[test]
fn steady_traffic_is_measured_within_ten_percent() {
    let Some(bootstrap) = bootstrap() else { return };
    const RATE: usize = 400;
    const BATCH: usize = 20; // every 50 ms
    let topic = unique_topic("steady");
    let mut producer = Producer::create(&bootstrap, &topic, 4);
    let seconds = 9;
    let traffic = std::thread::spawn(move || {
        // Paced on an absolute schedule, so a slow produce call is caught up, not lost.
        let start = Instant::now();
        let batches = seconds * RATE / BATCH;
        for batch in 0..batches {
            let due = start + Duration::from_secs_f64((batch * BATCH) as f64 / RATE as f64);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            producer.produce(BATCH);
        }
    });
    std::thread::sleep(Duration::from_secs(1));
    let mut measuring = options(&bootstrap);
    measuring.rate_interval = Duration::from_secs(5);
    let wanted = BTreeSet::from([topic.clone()]);
    let snapshot = kafka::collect_rates(&measuring, |_| wanted.clone());
    traffic.join().expect("the producer ran");
    assert!(snapshot.problems.is_empty(), "{:?}", snapshot.problems);
    assert_eq!(snapshot.topics.get(&topic), Some(&4));
    let measured = snapshot.rates[&topic].records_per_s;
    let error = (measured - RATE as f64).abs() / RATE as f64;
    assert!(error <= 0.10, "measured {measured:.1} records/s for {RATE}/s produced ({:.1} % off)", error * 100.0);
}

#[test]
fn an_unreachable_broker_is_a_labelled_problem_not_a_hang() {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let options = KafkaOptions {
        bootstrap: vec!["127.0.0.1:1".to_owned()],
        timeout: Duration::from_secs(2),
        backoff: Duration::from_millis(50),
        ..KafkaOptions::default()
    };
    let started = Instant::now();
    let snapshot = kafka::collect_rates(&options, |_| BTreeSet::new());
    assert_eq!(snapshot.problems.len(), 1, "{:?}", snapshot.problems);
    assert!(snapshot.problems[0].starts_with("Kafka at 127.0.0.1:1:"), "{}", snapshot.problems[0]);
    assert!(snapshot.problems[0].contains("Check --kafka-bootstrap"), "{}", snapshot.problems[0]);
    // Bounded by the timeout (with slack for a busy machine), not by rskafka's endless retries.
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?}", started.elapsed());
}
