package org.rightsize.workloads;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes records to a Kafka topic at a fixed rate for a fixed time. Record n is due at
 * start + n / rate and is sent when due (never early; late only by as long as this thread was
 * descheduled), round-robin over the topic's partitions so that every partition, and so every
 * source subtask, gets the same share. Prints the rate the broker acknowledged every 10 s and at
 * the end on stderr, and exits non-zero if a send failed or the rate fell more than 2 % short.
 */
public final class FixedRateProducer {
    static final String USAGE =
            "java -cp rightsize-workloads.jar:KAFKA_CLASSPATH org.rightsize.workloads.FixedRateProducer"
                    + " --bootstrap HOST:PORT --topic TOPIC --rate RECORDS_PER_S [--seconds N (0: until stopped)]"
                    + " [--record-bytes N]";
    private static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private FixedRateProducer() {}

    public static void main(String[] argv) {
        try {
            System.exit(run(new Args(argv, USAGE)));
        } catch (IllegalArgumentException error) {
            System.err.println("error: " + error.getMessage());
            System.exit(2);
        } catch (KafkaException error) {
            System.err.println("error: " + error.getMessage()
                    + " (is the broker up at --bootstrap, and does the topic exist? tests/env/kafka.sh topics --list)");
            System.exit(1);
        }
    }

    private static int run(Args args) {
        String topic = args.text("topic");
        long rate = args.positive("rate", null);
        long seconds = args.nonNegative("seconds", "0");
        int recordBytes = Math.toIntExact(args.positive("record-bytes", "100"));

        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.text("bootstrap"));
        config.put(ProducerConfig.ACKS_CONFIG, "1");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // A missing broker or topic fails within 20 s rather than the client's default minute.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

        AtomicLong failed = new AtomicLong();
        AtomicLong acknowledged = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            int partitions = producer.partitionsFor(topic).size();
            if (partitions == 0) {
                System.err.println("error: topic " + topic + " has no partitions");
                return 1;
            }
            System.err.printf(
                    "producing %d records/s to %s (%d partitions) %s%n",
                    rate, topic, partitions, seconds == 0 ? "until stopped" : "for " + seconds + " s");

            long start = System.nanoTime();
            long end = seconds == 0 ? Long.MAX_VALUE : start + TimeUnit.SECONDS.toNanos(seconds);
            long nextReport = start + REPORT_EVERY_NANOS;
            long reportedCount = 0;
            long reportedAt = start;
            long sent = 0;
            byte[] padding = new byte[recordBytes];
            Arrays.fill(padding, (byte) 'x');
            while (true) {
                long now = System.nanoTime();
                if (now - end >= 0) {
                    break;
                }
                // Every record due by now: after a stall (a busy machine deschedules this thread)
                // the few records it held up go at once, so the rate over any second stays right.
                long due = (long) ((now - start) / 1e9 * rate);
                for (; sent < due; sent++) {
                    byte[] value = record(sent, padding);
                    producer.send(
                            new ProducerRecord<>(topic, (int) (sent % partitions), null, value),
                            (metadata, error) -> {
                                if (error != null) {
                                    failed.incrementAndGet();
                                    firstError.compareAndSet(null, error);
                                } else {
                                    acknowledged.incrementAndGet();
                                }
                            });
                }
                if (now - nextReport >= 0) {
                    long acked = acknowledged.get();
                    report("last 10 s", acked - reportedCount, now - reportedAt, rate);
                    reportedCount = acked;
                    reportedAt = now;
                    nextReport += REPORT_EVERY_NANOS;
                }
                long nextDue = start + (long) ((sent + 1) * 1e9 / rate);
                LockSupport.parkNanos(Math.max(0, nextDue - System.nanoTime()));
            }
            producer.flush();
            long elapsed = System.nanoTime() - start;
            double achieved = report("in total", acknowledged.get(), elapsed, rate);
            if (failed.get() > 0) {
                System.err.println("error: " + failed.get() + " sends failed, the first: " + firstError.get());
                return 1;
            }
            if (achieved < 0.98 * rate) {
                System.err.printf("error: achieved %.1f records/s, more than 2 %% short of %d%n", achieved, rate);
                return 1;
            }
            return 0;
        }
    }

    /** A JSON record with its sequence number and send time, padded to about the asked size. */
    private static byte[] record(long sequence, byte[] padding) {
        String head = "{\"seq\":" + sequence + ",\"sent_ms\":" + System.currentTimeMillis() + ",\"pad\":\"";
        int pad = Math.max(0, padding.length - head.length() - 2);
        StringBuilder json = new StringBuilder(head.length() + pad + 2).append(head);
        json.append(new String(padding, 0, pad, StandardCharsets.US_ASCII)).append("\"}");
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static double report(String period, long records, long nanos, long rate) {
        double achieved = records / (nanos / 1e9);
        System.err.printf(
                "%d records acknowledged %s: %.1f records/s (asked %d)%n", records, period, achieved, rate);
        return achieved;
    }
}
