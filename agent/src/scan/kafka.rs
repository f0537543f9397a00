//! Broker-side input rate S: the growth of Kafka topics' log-end offsets over an interval.
//!
//! A consumer-side rate (what Flink's sources read) falls when the job is back-pressured, which is
//! exactly when S matters; the brokers' log-end offsets grow at the rate records arrive whatever
//! the job does. Two samples `rate_interval` apart give, per topic,
//! S = Δ(Σ over partitions of the log-end offset) / Δt.
//!
//! I/O sits behind the small blocking trait [`EndOffsets`] so the sampling and the rate arithmetic
//! are tested with fakes; [`BrokerClient`] implements it with rskafka (Metadata + ListOffsets),
//! whose async runtime lives only in this file.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::evaluate::flink_metric_name;
use super::options::{KafkaOptions, SaslMechanism};

/// A partition of a topic.
pub type Partition = (String, i32);

/// Why the brokers could not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaError(pub String);

impl std::fmt::Display for KafkaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KafkaError {}

/// What the scanner needs from Kafka: the topic list and the partitions' log-end offsets.
pub trait EndOffsets {
    /// Every (non-internal) topic the brokers list, with its partition ids.
    fn topics(&mut self) -> Result<BTreeMap<String, BTreeSet<i32>>, KafkaError>;
    /// The log-end offset (the next offset to be written) of each partition asked for.
    fn end_offsets(&mut self, partitions: &[Partition]) -> Result<BTreeMap<Partition, i64>, KafkaError>;
}

/// Log-end offsets read at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct OffsetSample {
    /// Seconds on a monotonic clock: the middle of the time the reads took.
    pub at_s: f64,
    pub offsets: BTreeMap<Partition, i64>,
}

/// One topic's measured produce rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicRate {
    pub records_per_s: f64,
    /// Records appended during the interval, over all partitions.
    pub records: i64,
    pub interval_s: f64,
    pub partitions: u32,
}

/// What the brokers said: topics, rates, and what could not be measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct KafkaSnapshot {
    pub bootstrap: String,
    /// Every topic the brokers list, with its partition count.
    pub topics: BTreeMap<String, u32>,
    /// Measured rates of the topics the jobs read, by exact topic name.
    pub rates: BTreeMap<String, TopicRate>,
    /// Topics whose rate could not be measured, with why.
    pub unmeasured: BTreeMap<String, String>,
    /// Broker-level problems (no connection, timeouts); empty when everything answered.
    pub problems: Vec<String>,
}

/// How a topic name seen in Flink's lossy metric names maps onto the brokers' topics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopicMatch {
    /// Exactly one broker topic has this metric name.
    One(String),
    /// Several do (`orders.v1` and `orders_v1` both show as `orders_v1`): the job's SQL must say.
    Ambiguous(Vec<String>),
    /// None does: the topic is gone, or these are other brokers than the job reads.
    Missing,
}

/// Resolves a topic name from Flink's metrics (`.`, ` `, `,`, `:` replaced by `_`) against the
/// brokers' topic list. An exact name wins when the brokers have it and no other topic collides.
pub fn match_metric_topic<'a>(metric_name: &str, broker_topics: impl IntoIterator<Item = &'a String>) -> TopicMatch {
    let candidates: Vec<String> =
        broker_topics.into_iter().filter(|topic| flink_metric_name(topic) == metric_name).cloned().collect();
    match candidates.len() {
        0 => TopicMatch::Missing,
        1 => TopicMatch::One(candidates.into_iter().next().unwrap_or_default()),
        _ => TopicMatch::Ambiguous(candidates),
    }
}

/// Measured rates by topic, and why each other topic has none.
pub type Measured = (BTreeMap<String, TopicRate>, BTreeMap<String, String>);

/// Per-topic rates between two samples. A partition missing from either sample is left out (and
/// the topic marked unmeasured when none is left); an offset that went backwards (the topic was
/// deleted and re-created) makes the topic unmeasured rather than negative.
pub fn topic_rates(first: &OffsetSample, second: &OffsetSample) -> Measured {
    let interval_s = second.at_s - first.at_s;
    let mut per_topic: BTreeMap<&str, (i64, u32, Option<String>)> = BTreeMap::new();
    for ((topic, partition), &end) in &second.offsets {
        let entry = per_topic.entry(topic.as_str()).or_insert((0, 0, None));
        let Some(&start) = first.offsets.get(&(topic.clone(), *partition)) else { continue };
        if end < start {
            entry.2 = Some(format!("log-end offset of partition {partition} went back from {start} to {end}"));
        } else {
            entry.0 += end - start;
            entry.1 += 1;
        }
    }
    let mut rates = BTreeMap::new();
    let mut unmeasured = BTreeMap::new();
    for (topic, (records, partitions, problem)) in per_topic {
        if let Some(problem) = problem {
            unmeasured.insert(topic.to_owned(), format!("{problem} (topic re-created or truncated?)"));
        } else if !interval_s.is_finite() || interval_s <= 0.0 {
            unmeasured.insert(topic.to_owned(), "samples not apart in time".to_owned());
        } else if partitions == 0 {
            unmeasured.insert(topic.to_owned(), "no partition answered in both samples".to_owned());
        } else {
            rates.insert(
                topic.to_owned(),
                TopicRate { records_per_s: records as f64 / interval_s, records, interval_s, partitions },
            );
        }
    }
    (rates, unmeasured)
}

/// A clock for sampling; tests advance a fake one.
pub trait Clock {
    fn now_s(&self) -> f64;
    fn sleep(&self, duration: Duration);
}

/// The real monotonic clock.
pub struct SystemClock(Instant);

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock(Instant::now())
    }
}

impl Clock for SystemClock {
    fn now_s(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// Reads every partition's end offset once, stamped with the middle of the time the reads took.
fn sample(
    source: &mut dyn EndOffsets,
    partitions: &[Partition],
    clock: &dyn Clock,
) -> Result<OffsetSample, KafkaError> {
    let before = clock.now_s();
    let offsets = source.end_offsets(partitions)?;
    let after = clock.now_s();
    Ok(OffsetSample { at_s: (before + after) / 2.0, offsets })
}

/// Measures the rate of `topics` (exact broker names): two samples `interval` apart. Topics the
/// brokers do not list are marked unmeasured. `topic_list` is the brokers' list from
/// [`EndOffsets::topics`].
pub fn measure_rates(
    source: &mut dyn EndOffsets,
    topic_list: &BTreeMap<String, BTreeSet<i32>>,
    topics: &BTreeSet<String>,
    interval: Duration,
    clock: &dyn Clock,
) -> Result<Measured, KafkaError> {
    let mut unmeasured = BTreeMap::new();
    let mut partitions: Vec<Partition> = Vec::new();
    for topic in topics {
        match topic_list.get(topic) {
            Some(ids) => partitions.extend(ids.iter().map(|&p| (topic.clone(), p))),
            None => {
                unmeasured.insert(topic.clone(), "the brokers do not list this topic".to_owned());
            }
        }
    }
    if partitions.is_empty() {
        return Ok((BTreeMap::new(), unmeasured));
    }
    let first = sample(source, &partitions, clock)?;
    clock.sleep(interval);
    let second = sample(source, &partitions, clock)?;
    let (rates, more_unmeasured) = topic_rates(&first, &second);
    unmeasured.extend(more_unmeasured);
    Ok((rates, unmeasured))
}

/// Kafka through rskafka on a current-thread tokio runtime: every call blocks, bounded by the
/// configured timeout.
pub struct BrokerClient {
    runtime: tokio::runtime::Runtime,
    client: rskafka::client::Client,
    timeout: Duration,
    /// Partition clients, kept between samples (each holds its leader's connection).
    partitions: BTreeMap<Partition, Arc<rskafka::client::partition::PartitionClient>>,
}

/// Most ListOffsets requests in flight at once: enough to hide round trips, few enough not to
/// open a burst of requests against a busy broker.
const OFFSET_REQUESTS_IN_FLIGHT: usize = 16;

impl BrokerClient {
    /// Connects to the bootstrap servers (fetching metadata once, as a connection check).
    pub fn connect(options: &KafkaOptions) -> Result<Self, KafkaError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| KafkaError(format!("cannot start the Kafka client's runtime: {error}")))?;
        let mut builder = rskafka::client::ClientBuilder::new(options.bootstrap.clone())
            .client_id(concat!("rightsize/", env!("CARGO_PKG_VERSION")))
            .backoff_config(rskafka::BackoffConfig {
                init_backoff: options.backoff,
                max_backoff: options.timeout,
                base: 2.0,
                // Half the timeout: rskafka retries even a refused certificate or password, and
                // must give up (with the cause) before the hard timeout below cuts it off blind.
                deadline: Some(options.timeout / 2),
            });
        if options.tls {
            builder = builder.tls_config(Arc::new(tls_config(options)?));
        }
        if let Some(sasl) = &options.sasl {
            use rskafka::client::{Credentials, SaslConfig};
            let credentials = Credentials::new(sasl.user.clone(), sasl.password.clone());
            builder = builder.sasl_config(match sasl.mechanism {
                SaslMechanism::Plain => SaslConfig::Plain(credentials),
                SaslMechanism::ScramSha256 => SaslConfig::ScramSha256(credentials),
                SaslMechanism::ScramSha512 => SaslConfig::ScramSha512(credentials),
            });
        }
        let timeout = options.timeout;
        let client = runtime
            .block_on(async { tokio::time::timeout(timeout, builder.build()).await })
            .map_err(|_| {
                // rskafka retries a rejected SASL login, and a retry can hang without an error:
                // against a real broker, this silence is often what a wrong login looks like.
                let hint = if options.sasl.is_some() {
                    " (if the broker is reachable, it may have refused the SASL login: check the user, \
                     password and mechanism)"
                } else {
                    ""
                };
                KafkaError(format!("no answer within {timeout:?}{hint}"))
            })?
            .map_err(|error| KafkaError(error.to_string()))?;
        Ok(BrokerClient { runtime, client, timeout, partitions: BTreeMap::new() })
    }

    async fn partition_client(
        client: &rskafka::client::Client,
        (topic, partition): &Partition,
    ) -> Result<rskafka::client::partition::PartitionClient, KafkaError> {
        client
            .partition_client(topic.clone(), *partition, rskafka::client::partition::UnknownTopicHandling::Error)
            .await
            .map_err(|error| KafkaError(format!("{topic}/{partition}: {error}")))
    }
}

impl EndOffsets for BrokerClient {
    fn topics(&mut self) -> Result<BTreeMap<String, BTreeSet<i32>>, KafkaError> {
        let timeout = self.timeout;
        let topics = self
            .runtime
            .block_on(async { tokio::time::timeout(timeout, self.client.list_topics()).await })
            .map_err(|_| KafkaError(format!("metadata: no answer within {timeout:?}")))?
            .map_err(|error| KafkaError(format!("metadata: {error}")))?;
        Ok(topics.into_iter().map(|topic| (topic.name, topic.partitions)).collect())
    }

    fn end_offsets(&mut self, partitions: &[Partition]) -> Result<BTreeMap<Partition, i64>, KafkaError> {
        let timeout = self.timeout;
        let (client, known) = (&self.client, &mut self.partitions);
        self.runtime.block_on(async {
            let mut result = BTreeMap::new();
            for chunk in partitions.chunks(OFFSET_REQUESTS_IN_FLIGHT) {
                let mut set = tokio::task::JoinSet::new();
                for partition in chunk {
                    let partition_client = match known.get(partition) {
                        Some(existing) => Arc::clone(existing),
                        None => {
                            let created = tokio::time::timeout(timeout, Self::partition_client(client, partition))
                                .await
                                .map_err(|_| {
                                    KafkaError(format!("{}/{}: no leader within {timeout:?}", partition.0, partition.1))
                                })??;
                            let created = Arc::new(created);
                            known.insert(partition.clone(), Arc::clone(&created));
                            created
                        }
                    };
                    let partition = partition.clone();
                    set.spawn(async move {
                        let offset = tokio::time::timeout(
                            timeout,
                            partition_client.get_offset(rskafka::client::partition::OffsetAt::Latest),
                        )
                        .await;
                        (partition, offset)
                    });
                }
                while let Some(joined) = set.join_next().await {
                    let (partition, offset) =
                        joined.map_err(|error| KafkaError(format!("offset request failed: {error}")))?;
                    let offset = offset
                        .map_err(|_| {
                            KafkaError(format!("{}/{}: no offset within {timeout:?}", partition.0, partition.1))
                        })?
                        .map_err(|error| KafkaError(format!("{}/{}: {error}", partition.0, partition.1)))?;
                    result.insert(partition, offset);
                }
            }
            Ok::<_, KafkaError>(result)
        })
    }
}

/// rustls settings: the given CA file or the public web PKI roots, and an optional client
/// certificate for mutual TLS.
fn tls_config(options: &KafkaOptions) -> Result<rustls::ClientConfig, KafkaError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| KafkaError(format!("TLS setup: {error}")))?;
    let mut roots = rustls::RootCertStore::empty();
    match &options.ca_certificates_pem {
        Some(pem) => {
            for certificate in pem_items(pem).0 {
                roots.add(certificate).map_err(|error| KafkaError(format!("--kafka-ca-cert: {error}")))?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let builder = builder.with_root_certificates(roots);
    match &options.client_identity_pem {
        Some(pem) => {
            let (chain, key) = pem_items(pem);
            let key = key.ok_or_else(|| KafkaError("--kafka-client-cert: no private key in the PEM".to_owned()))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|error| KafkaError(format!("--kafka-client-cert: {error}")))
        }
        None => Ok(builder.with_no_client_auth()),
    }
}

type PemCertificates = Vec<rustls::pki_types::CertificateDer<'static>>;

/// Certificates and the first private key (PKCS#8, PKCS#1 or SEC1) of a PEM text.
fn pem_items(pem: &[u8]) -> (PemCertificates, Option<rustls::pki_types::PrivateKeyDer<'static>>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certificates = CertificateDer::pem_slice_iter(pem).filter_map(Result::ok).collect();
    (certificates, PrivateKeyDer::from_pem_slice(pem).ok())
}

/// Checks a PEM file given for Kafka TLS: certificates, and a key when `need_key`.
pub fn check_pem(pem: &[u8], need_key: bool) -> Result<(), String> {
    let (certificates, key) = pem_items(pem);
    if certificates.is_empty() {
        return Err("no PEM certificate (-----BEGIN CERTIFICATE-----) in it".to_owned());
    }
    if need_key && key.is_none() {
        return Err("no private key (-----BEGIN PRIVATE KEY-----) in it or in --kafka-client-key".to_owned());
    }
    Ok(())
}

/// Connects, lists topics, resolves what the jobs read, and measures the rates: the whole Kafka
/// stage. `wanted` are exact topic names (from SQL or resolved metric names); a failure to reach
/// the brokers is a problem in the snapshot, not an error, so the scan goes on consumer-side.
pub fn collect_rates(
    options: &KafkaOptions,
    wanted: impl Fn(&BTreeMap<String, BTreeSet<i32>>) -> BTreeSet<String>,
) -> KafkaSnapshot {
    let mut snapshot = KafkaSnapshot { bootstrap: options.bootstrap.join(","), ..KafkaSnapshot::default() };
    let result = BrokerClient::connect(options).and_then(|mut client| {
        let topic_list = client.topics()?;
        snapshot.topics =
            topic_list.iter().map(|(name, ids)| (name.clone(), u32::try_from(ids.len()).unwrap_or(u32::MAX))).collect();
        let topics = wanted(&topic_list);
        measure_rates(&mut client, &topic_list, &topics, options.rate_interval, &SystemClock::default())
    });
    match result {
        Ok((rates, unmeasured)) => {
            snapshot.rates = rates;
            snapshot.unmeasured = unmeasured;
        }
        Err(error) => snapshot.problems.push(format!(
            "Kafka at {}: {error}. Check --kafka-bootstrap, and --kafka-tls / --kafka-sasl-mechanism if the \
             listener needs them",
            snapshot.bootstrap
        )),
    }
    snapshot
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// Partitions that grow at fixed rates on a fake clock.
    struct GrowingTopics<'a> {
        clock: &'a FakeClock,
        /// (topic, partition) → (offset at t = 0, records/s)
        partitions: BTreeMap<Partition, (i64, f64)>,
    }

    impl EndOffsets for GrowingTopics<'_> {
        fn topics(&mut self) -> Result<BTreeMap<String, BTreeSet<i32>>, KafkaError> {
            let mut topics: BTreeMap<String, BTreeSet<i32>> = BTreeMap::new();
            for (topic, partition) in self.partitions.keys() {
                topics.entry(topic.clone()).or_default().insert(*partition);
            }
            Ok(topics)
        }
        fn end_offsets(&mut self, partitions: &[Partition]) -> Result<BTreeMap<Partition, i64>, KafkaError> {
            let now = self.clock.now.get();
            self.clock.now.set(now + 0.2); // Every read pass takes 200 ms.
            Ok(partitions
                .iter()
                .filter_map(|p| {
                    self.partitions.get(p).map(|(start, rate)| (p.clone(), start + (rate * (now + 0.1)) as i64))
                })
                .collect())
        }
    }

    struct FakeClock {
        now: Cell<f64>,
    }

    impl Clock for FakeClock {
        fn now_s(&self) -> f64 {
            self.now.get()
        }
        fn sleep(&self, duration: Duration) {
            self.now.set(self.now.get() + duration.as_secs_f64());
        }
    }

    fn partition(topic: &str, p: i32) -> Partition {
        (topic.to_owned(), p)
    }

    #[test]
    fn rate_is_the_growth_of_summed_end_offsets_over_the_interval() {
        let clock = FakeClock { now: Cell::new(100.0) };
        let mut kafka = GrowingTopics {
            clock: &clock,
            partitions: BTreeMap::from([
                (partition("orders.v1", 0), (5_000, 600.0)),
                (partition("orders.v1", 1), (0, 400.0)),
                (partition("audit", 0), (7, 0.0)),
                (partition("other", 0), (0, 50.0)),
            ]),
        };
        let list = kafka.topics().expect("topics");
        let wanted = BTreeSet::from(["orders.v1".to_owned(), "audit".to_owned(), "gone".to_owned()]);
        let (rates, unmeasured) =
            measure_rates(&mut kafka, &list, &wanted, Duration::from_secs(10), &clock).expect("measured");
        let orders = &rates["orders.v1"];
        assert_eq!(orders.partitions, 2);
        assert!((orders.records_per_s - 1000.0).abs() < 1.0, "{orders:?}");
        assert!((orders.interval_s - 10.2).abs() < 1e-9, "{orders:?}");
        assert_eq!(rates["audit"].records_per_s, 0.0);
        assert!(!rates.contains_key("other"), "only the wanted topics are sampled");
        assert_eq!(unmeasured["gone"], "the brokers do not list this topic");
    }

    #[test]
    fn offsets_going_back_or_missing_partitions_are_not_rates() {
        let first = OffsetSample {
            at_s: 0.0,
            offsets: BTreeMap::from([(partition("a", 0), 100), (partition("b", 0), 10), (partition("b", 1), 10)]),
        };
        let second = OffsetSample {
            at_s: 10.0,
            offsets: BTreeMap::from([(partition("a", 0), 40), (partition("b", 0), 110), (partition("b", 2), 500)]),
        };
        let (rates, unmeasured) = topic_rates(&first, &second);
        assert!(unmeasured["a"].contains("went back from 100 to 40"), "{unmeasured:?}");
        // Partition 2 is new and partition 1 vanished: only partition 0 counts.
        assert_eq!(rates["b"], TopicRate { records_per_s: 10.0, records: 100, interval_s: 10.0, partitions: 1 });
        let (rates, unmeasured) = topic_rates(&first, &first);
        assert!(rates.is_empty());
        assert_eq!(unmeasured["a"], "samples not apart in time");
    }

    #[test]
    fn metric_names_resolve_against_the_broker_topic_list() {
        let topics = ["orders.v1".to_owned(), "refunds".to_owned(), "a.b".to_owned(), "a_b".to_owned()];
        assert_eq!(match_metric_topic("orders_v1", &topics), TopicMatch::One("orders.v1".to_owned()));
        assert_eq!(match_metric_topic("refunds", &topics), TopicMatch::One("refunds".to_owned()));
        assert_eq!(match_metric_topic("a_b", &topics), TopicMatch::Ambiguous(vec!["a.b".to_owned(), "a_b".to_owned()]));
        assert_eq!(match_metric_topic("payments", &topics), TopicMatch::Missing);
    }

    #[test]
    fn a_client_certificate_file_needs_a_key() {
        assert!(check_pem(b"", false).is_err());
        assert!(check_pem(b"-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n", false).is_err());
    }
}
