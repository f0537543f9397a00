package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JavaAggregatorTest {

    private static final long MS = 1_000_000L;

    @Test
    void noWindowUntilTheFirstOneCompletes() {
        JavaAggregator aggregator = new JavaAggregator(1_000, 0);
        aggregator.recordBatch(new long[] {5, 6}, 2);
        long[] out = new long[Snapshot.LEN];
        assertFalse(aggregator.snapshot(999 * MS, out));
        assertTrue(aggregator.snapshot(1_000 * MS, out));
        assertEquals(0, out[Snapshot.WINDOW_START_NANOS]);
        assertEquals(1_000 * MS, out[Snapshot.WINDOW_END_NANOS]);
        assertEquals(2, out[Snapshot.COUNT]);
        assertEquals(11, out[Snapshot.SUM_NANOS]);
        assertEquals(6, out[Snapshot.MEAN_NANOS]);
    }

    @Test
    void readsSeeTheLastCompletedWindowUntilTheNextCloses() {
        JavaAggregator aggregator = new JavaAggregator(1_000, 0);
        long[] out = new long[Snapshot.LEN];
        aggregator.recordBatch(new long[] {100}, 1);
        assertTrue(aggregator.snapshot(1_500 * MS, out));
        aggregator.recordBatch(new long[] {300, 500}, 2);
        assertTrue(aggregator.snapshot(2_000 * MS, out));
        assertEquals(1, out[Snapshot.COUNT], "still the first window");
        assertTrue(aggregator.snapshot(2_500 * MS, out));
        assertEquals(1_500 * MS, out[Snapshot.WINDOW_START_NANOS]);
        assertEquals(2, out[Snapshot.COUNT]);
        assertEquals(300, out[Snapshot.MIN_NANOS]);
        assertEquals(500, out[Snapshot.MAX_NANOS]);
    }

    @Test
    void emptyWindowsReportZeroCount() {
        JavaAggregator aggregator = new JavaAggregator(10, 0);
        long[] out = new long[Snapshot.LEN];
        Arrays.fill(out, 7);
        assertTrue(aggregator.snapshot(10 * MS, out));
        assertEquals(0, out[Snapshot.COUNT]);
        assertEquals(0, out[Snapshot.MEAN_NANOS]);
        assertEquals(0, out[Snapshot.MAX_NANOS]);
    }

    @Test
    void quantilesAgreeWithExactNearestRankWithinTheBucketWidth() {
        Random random = new Random(42);
        long[] samples = new long[100_000];
        for (int i = 0; i < samples.length; i++) {
            // Log-uniform from 1 ns to ~1 s: every bucket range gets exercised.
            samples[i] = (long) Math.exp(random.nextDouble() * Math.log(1e9));
        }
        JavaAggregator aggregator = new JavaAggregator(1, 0);
        aggregator.recordBatch(samples, samples.length);
        long[] out = new long[Snapshot.LEN];
        assertTrue(aggregator.snapshot(MS, out));

        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        assertEquals(samples.length, out[Snapshot.COUNT]);
        assertEquals(sorted[0], out[Snapshot.MIN_NANOS]);
        assertEquals(sorted[sorted.length - 1], out[Snapshot.MAX_NANOS]);
        assertEquals(Arrays.stream(samples).sum(), out[Snapshot.SUM_NANOS]);
        double[] quantiles = {0.5, 0.75, 0.9, 0.95, 0.98, 0.99, 0.999};
        int[] slots = {
            Snapshot.P50_NANOS, Snapshot.P75_NANOS, Snapshot.P90_NANOS, Snapshot.P95_NANOS,
            Snapshot.P98_NANOS, Snapshot.P99_NANOS, Snapshot.P999_NANOS
        };
        for (int i = 0; i < quantiles.length; i++) {
            long exact = sorted[(int) Math.ceil(quantiles[i] * sorted.length) - 1];
            long estimate = out[slots[i]];
            assertTrue(
                    Math.abs(estimate - exact) <= Math.max(1, exact / 32),
                    "q" + quantiles[i] + ": exact " + exact + ", estimate " + estimate);
        }
    }

    @Test
    void bucketsCoverEveryValueInOrder() {
        int previous = -1;
        for (long value = 0; value < 5_000; value++) {
            int bucket = JavaAggregator.bucketOf(value);
            assertTrue(bucket == previous || bucket == previous + 1, "value " + value);
            previous = bucket;
            long midpoint = JavaAggregator.midpointOf(bucket);
            assertTrue(Math.abs(midpoint - value) <= Math.max(0, value / 32), "value " + value);
        }
    }

    @Test
    void outOfRangeSamplesAreClampedAndBadArgumentsIgnored() {
        JavaAggregator aggregator = new JavaAggregator(1, 0);
        aggregator.recordBatch(new long[] {-5, Long.MAX_VALUE}, 2);
        aggregator.recordBatch(null, 3);
        aggregator.recordBatch(new long[] {1}, 5);
        long[] out = new long[Snapshot.LEN];
        assertTrue(aggregator.snapshot(MS, out));
        assertEquals(3, out[Snapshot.COUNT]);
        assertEquals(0, out[Snapshot.MIN_NANOS]);
        assertEquals(JavaAggregator.MAX_SAMPLE, out[Snapshot.MAX_NANOS]);
        assertFalse(aggregator.snapshot(2 * MS, new long[3]), "short output array");
    }
}
