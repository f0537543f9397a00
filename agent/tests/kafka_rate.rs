//! The broker-side input rate against a real Kafka broker (the KRaft broker of `tests/env/`):
//! topic listing, end offsets, the count of records between two samples and the rate of steady
//! traffic. These run when `RIGHTSIZE_KAFKA_BOOTSTRAP` names a broker (`tests/e2e/run.sh` starts
//! one and sets it) and pass as skipped otherwise; the unreachable-broker case always runs.
//! The same broker's SSL and SASL_SSL listeners (`RIGHTSIZE_KAFKA_SSL_BOOTSTRAP`,
//! `RIGHTSIZE_KAFKA_SASL_SSL_BOOTSTRAP`, with the harness's throwaway CA and user) prove TLS
//! verification and SASL PLAIN / SCRAM, and that a wrong CA or password is a labelled problem.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rightsize::scan::kafka::{self, BrokerClient, Clock, EndOffsets};
use rightsize::scan::options::{KafkaOptions, KafkaSasl, SaslMechanism};
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

/// Produces (through the plaintext listener) before and between two samples taken by a client
/// built from `measuring`, and checks that exactly the records between them are counted.
fn counts_records_between_samples(bootstrap: &str, measuring: &KafkaOptions, what: &str) {
    let topic = unique_topic(what);
    let mut producer = Producer::create(bootstrap, &topic, 3);
    producer.produce(100); // Offsets not at zero: only the growth counts.

    let mut client = BrokerClient::connect(measuring).expect("connects");
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
fn every_record_produced_between_the_samples_is_counted() {
    let Some(bootstrap) = bootstrap() else { return };
    counts_records_between_samples(&bootstrap, &options(&bootstrap), "counted");
}

/// The harness's secured listeners: (plaintext bootstrap, SSL bootstrap, SASL_SSL bootstrap,
/// CA PEM, a CA that did not sign the broker, user, password).
struct Secured {
    plaintext: String,
    ssl: String,
    sasl_ssl: String,
    ca_pem: Vec<u8>,
    other_ca_pem: Vec<u8>,
    user: String,
    password: String,
}

fn secured() -> Option<Secured> {
    let plaintext = bootstrap()?;
    let var = |name: &str| std::env::var(name).ok().filter(|s| !s.trim().is_empty());
    let read = |name: &str| var(name).map(|path| std::fs::read(&path).unwrap_or_else(|e| panic!("{name}={path}: {e}")));
    let Some(ssl) = var("RIGHTSIZE_KAFKA_SSL_BOOTSTRAP") else {
        eprintln!("skipped: RIGHTSIZE_KAFKA_SSL_BOOTSTRAP is not set (tests/env/cluster.sh records it)");
        return None;
    };
    Some(Secured {
        plaintext,
        ssl,
        sasl_ssl: var("RIGHTSIZE_KAFKA_SASL_SSL_BOOTSTRAP").expect("RIGHTSIZE_KAFKA_SASL_SSL_BOOTSTRAP"),
        ca_pem: read("RIGHTSIZE_KAFKA_CA_PEM").expect("RIGHTSIZE_KAFKA_CA_PEM"),
        other_ca_pem: read("RIGHTSIZE_KAFKA_OTHER_CA_PEM").expect("RIGHTSIZE_KAFKA_OTHER_CA_PEM"),
        user: var("RIGHTSIZE_KAFKA_SASL_USER").expect("RIGHTSIZE_KAFKA_SASL_USER"),
        password: var("RIGHTSIZE_KAFKA_SASL_PASSWORD").expect("RIGHTSIZE_KAFKA_SASL_PASSWORD"),
    })
}

fn tls_options(bootstrap: &str, ca_pem: &[u8]) -> KafkaOptions {
    KafkaOptions { tls: true, ca_certificates_pem: Some(ca_pem.to_vec()), ..options(bootstrap) }
}

fn sasl_options(secured: &Secured, mechanism: SaslMechanism, password: &str) -> KafkaOptions {
    KafkaOptions {
        sasl: Some(KafkaSasl { mechanism, user: secured.user.clone(), password: password.to_owned() }),
        ..tls_options(&secured.sasl_ssl, &secured.ca_pem)
    }
}

/// Runs `collect_rates` with `options` that must not connect; returns its one problem.
fn refused(options: KafkaOptions) -> String {
    let options = KafkaOptions { timeout: Duration::from_secs(5), backoff: Duration::from_millis(50), ..options };
    let started = Instant::now();
    let snapshot = kafka::collect_rates(&options, |_| BTreeSet::new());
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?}", started.elapsed());
    assert_eq!(snapshot.problems.len(), 1, "{:?}", snapshot.problems);
    let problem = snapshot.problems[0].clone();
    assert!(problem.starts_with(&format!("Kafka at {}:", options.bootstrap.join(","))), "{problem}");
    eprintln!("as expected: {problem}");
    problem
}

#[test]
fn tls_verified_against_the_broker_ca_counts_records() {
    let Some(secured) = secured() else { return };
    counts_records_between_samples(&secured.plaintext, &tls_options(&secured.ssl, &secured.ca_pem), "tls");
}

#[test]
fn a_broker_certificate_from_another_ca_is_a_labelled_problem() {
    let Some(secured) = secured() else { return };
    let problem = refused(tls_options(&secured.ssl, &secured.other_ca_pem));
    assert!(problem.contains("--kafka-tls"), "{problem}");
}

#[test]
fn sasl_plain_and_scram_over_tls_count_records() {
    let Some(secured) = secured() else { return };
    for (mechanism, what) in [
        (SaslMechanism::Plain, "sasl-plain"),
        (SaslMechanism::ScramSha256, "sasl-scram256"),
        (SaslMechanism::ScramSha512, "sasl-scram512"),
    ] {
        counts_records_between_samples(&secured.plaintext, &sasl_options(&secured, mechanism, &secured.password), what);
    }
}

#[test]
fn a_wrong_sasl_password_is_a_labelled_problem() {
    let Some(secured) = secured() else { return };
    for mechanism in [SaslMechanism::Plain, SaslMechanism::ScramSha256] {
        let problem = refused(sasl_options(&secured, mechanism, "not-the-password"));
        // Either rskafka's own cause or, when one of its retries hangs, the scanner's hint.
        assert!(problem.contains("SaslAuthenticationFailed") || problem.contains("password"), "{problem}");
    }
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
