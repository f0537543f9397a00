package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TimerTest {

    private static final long MS = 1_000_000L;

    @Test
    void handsOverFullBuffersInOneBatch() {
        CapturingAggregator aggregator = new CapturingAggregator();
        Timer timer = new Timer("t", aggregator, 10_000, 0, 4);
        for (long i = 1; i <= 9; i++) {
            timer.add(i, 0);
        }
        assertEquals(2, aggregator.batches.size());
        assertEquals(Arrays.asList(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), aggregator.samples());
        timer.flush(0);
        assertEquals(9, aggregator.samples().size());
    }

    @Test
    void handsOverPartialBuffersOnceATenthOfTheWindowHasPassed() {
        CapturingAggregator aggregator = new CapturingAggregator();
        Timer timer = new Timer("t", aggregator, 1_000, 0, 512);
        timer.add(7, 50 * MS);
        assertTrue(aggregator.batches.isEmpty());
        timer.add(8, 100 * MS);
        assertEquals(Arrays.asList(7L, 8L), aggregator.samples());
    }

    @Test
    void timersCreatedAtDifferentTimesHandOverAtTheSameTicks() {
        CapturingAggregator early = new CapturingAggregator();
        CapturingAggregator late = new CapturingAggregator();
        Timer first = new Timer("first", early, 1_000, 0, 512);
        Timer second = new Timer("second", late, 1_000, 70 * MS, 512);
        first.add(1, 90 * MS);
        second.add(1, 90 * MS);
        assertTrue(early.batches.isEmpty() && late.batches.isEmpty());
        // The tick at 100 ms is common to both, though the second is only 30 ms old.
        first.add(2, 100 * MS);
        second.add(2, 100 * MS);
        assertEquals(Arrays.asList(1L, 2L), early.samples());
        assertEquals(Arrays.asList(1L, 2L), late.samples());
    }

    @Test
    void flushIntervalStaysBetweenTenMillisecondsAndOneSecond() {
        CapturingAggregator shortWindow = new CapturingAggregator();
        Timer fast = new Timer("t", shortWindow, 20, 0, 512);
        fast.add(1, 9 * MS);
        assertTrue(shortWindow.batches.isEmpty());
        fast.add(1, 10 * MS);
        assertEquals(1, shortWindow.batches.size());

        CapturingAggregator longWindow = new CapturingAggregator();
        Timer slow = new Timer("t", longWindow, 600_000, 0, 512);
        slow.add(1, 1_000 * MS);
        assertEquals(1, longWindow.batches.size());
    }

    @Test
    void meanIsExactAndInMilliseconds() {
        JavaAggregator aggregator = new JavaAggregator(1_000, 0);
        Timer timer = new Timer("t", aggregator, 1_000, 0, 512);
        timer.add(2 * MS, 0);
        timer.add(3 * MS + 1, 0);
        timer.flush(0);
        assertEquals(0.0, timer.meanMillis(500 * MS), "no completed window yet");
        assertEquals(2.5000005, timer.meanMillis(1_000 * MS), 1e-9);
        assertEquals(3 * MS + 1, timer.read(Snapshot.MAX_NANOS, 1_000 * MS));
        assertEquals(2, timer.read(Snapshot.COUNT, 1_000 * MS));
        assertEquals(0, timer.read(99, 1_000 * MS), "unknown slot");
    }
}
