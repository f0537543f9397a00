package org.rightsize.flink.metrics;

import java.util.Arrays;

/**
 * The pure-Java {@link WindowedAggregator}, used when jni-metrics cannot be loaded. Same window
 * rules and snapshot layout as the native one; quantiles come from a log-linear histogram with 32
 * buckets per power of two (within 1/32 ≈ 3 % of the true value; values below 32 ns are exact);
 * count, sum, mean, min and max are exact.
 *
 * <p>Writers and readers share one lock: writers take it once per batch, not per sample.
 */
public final class JavaAggregator implements WindowedAggregator {

    private static final int SUB_BUCKET_BITS = 5;
    private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;
    /** Samples are clamped to 2^42 - 1 ns (about 73 minutes), as in jni-metrics. */
    static final long MAX_SAMPLE = (1L << 42) - 1;
    private static final int BUCKETS = bucketOf(MAX_SAMPLE) + 1;

    private static final double[] QUANTILES = {0.50, 0.75, 0.90, 0.95, 0.98, 0.99, 0.999};
    private static final int[] QUANTILE_SLOTS = {
        Snapshot.P50_NANOS, Snapshot.P75_NANOS, Snapshot.P90_NANOS, Snapshot.P95_NANOS,
        Snapshot.P98_NANOS, Snapshot.P99_NANOS, Snapshot.P999_NANOS
    };

    private final long windowNanos;
    private final long[] buckets = new long[BUCKETS];
    private long windowStart;
    private long count;
    private long sum;
    private long min = Long.MAX_VALUE;
    private long max;
    private long[] completed;

    public JavaAggregator(long windowMillis, long nowNanos) {
        this.windowNanos = Math.max(1, windowMillis) * 1_000_000L;
        this.windowStart = nowNanos;
    }

    @Override
    public synchronized void recordBatch(long[] samples, int count) {
        if (samples == null || count <= 0) {
            return;
        }
        int end = Math.min(count, samples.length);
        for (int i = 0; i < end; i++) {
            long sample = Math.min(Math.max(samples[i], 0), MAX_SAMPLE);
            buckets[bucketOf(sample)]++;
            this.count++;
            sum += sample;
            if (sample < min) {
                min = sample;
            }
            if (sample > max) {
                max = sample;
            }
        }
    }

    @Override
    public synchronized boolean snapshot(long nowNanos, long[] out) {
        if (nowNanos - windowStart >= windowNanos) {
            completed = closeWindow(nowNanos);
        }
        if (completed == null || out == null || out.length < Snapshot.LEN) {
            return false;
        }
        System.arraycopy(completed, 0, out, 0, Snapshot.LEN);
        return true;
    }

    @Override
    public void close() {}

    @Override
    public String kind() {
        return "java";
    }

    private long[] closeWindow(long nowNanos) {
        long[] stats = new long[Snapshot.LEN];
        stats[Snapshot.WINDOW_START_NANOS] = windowStart;
        stats[Snapshot.WINDOW_END_NANOS] = nowNanos;
        stats[Snapshot.COUNT] = count;
        if (count > 0) {
            stats[Snapshot.SUM_NANOS] = sum;
            stats[Snapshot.MEAN_NANOS] = Math.round((double) sum / count);
            stats[Snapshot.MIN_NANOS] = min;
            stats[Snapshot.MAX_NANOS] = max;
            fillQuantiles(stats);
            stats[Snapshot.STDDEV_NANOS] = Math.round(stddev((double) sum / count));
        }
        Arrays.fill(buckets, 0);
        count = 0;
        sum = 0;
        min = Long.MAX_VALUE;
        max = 0;
        windowStart = nowNanos;
        return stats;
    }

    /** Nearest-rank quantiles from the buckets, clamped to the exact min and max. */
    private void fillQuantiles(long[] stats) {
        int next = 0;
        long seen = 0;
        for (int bucket = 0; bucket < BUCKETS && next < QUANTILES.length; bucket++) {
            seen += buckets[bucket];
            while (next < QUANTILES.length && seen >= rank(QUANTILES[next])) {
                long value = Math.min(Math.max(midpointOf(bucket), min), max);
                stats[QUANTILE_SLOTS[next]] = value;
                next++;
            }
        }
    }

    private long rank(double quantile) {
        return Math.max(1, (long) Math.ceil(quantile * count));
    }

    private double stddev(double mean) {
        double squares = 0;
        for (int bucket = 0; bucket < BUCKETS; bucket++) {
            if (buckets[bucket] != 0) {
                double deviation = midpointOf(bucket) - mean;
                squares += deviation * deviation * buckets[bucket];
            }
        }
        return Math.sqrt(squares / count);
    }

    /** Values below 32 have a bucket each; above, 32 equal buckets per power of two. */
    static int bucketOf(long value) {
        if (value < SUB_BUCKETS) {
            return (int) value;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(value);
        int shift = exponent - SUB_BUCKET_BITS;
        int subBucket = (int) (value >>> shift) - SUB_BUCKETS;
        return (shift + 1) * SUB_BUCKETS + subBucket;
    }

    /** The middle of a bucket's value range (the value itself below 32). */
    static long midpointOf(int bucket) {
        if (bucket < SUB_BUCKETS) {
            return bucket;
        }
        int shift = bucket / SUB_BUCKETS - 1;
        long lower = (long) (SUB_BUCKETS + bucket % SUB_BUCKETS) << shift;
        long width = 1L << shift;
        return lower + (width - 1) / 2;
    }
}
