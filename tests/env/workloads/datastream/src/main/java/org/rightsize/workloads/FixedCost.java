package org.rightsize.workloads;

import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Gauge;

/**
 * Spends a fixed wall-clock time on every record, so a subtask's capacity is exactly
 * 1 s / cost. It waits rather than computes: parked until shortly before the deadline, then
 * spinning the rest, it is accurate to a few microseconds yet costs almost no CPU, so several jobs
 * with "busy" subtasks fit on a small machine. Wall time is what the timing patch and Flink's busy
 * time measure, as they would for a blocking call to an external service.
 *
 * <p>On a loaded machine a park wakes late, by up to a millisecond or more, so the wait really
 * lasts longer than the cost. The operator's gauge {@value #WAIT_GAUGE} reports how long it
 * really lasted: the mean over the records of the last completed {@value #WINDOW_SECONDS} s,
 * NaN before the first window ends. Tests compare measured record times with it.
 */
final class FixedCost extends RichMapFunction<String, String> {
    private static final long serialVersionUID = 1L;
    /** Parking overshoots by tens of microseconds on Linux; the last stretch is spun instead. */
    private static final long SPIN_NANOS = 150_000L;

    static final String WAIT_GAUGE = "fixedCostWaitMs";
    static final long WINDOW_SECONDS = 10;
    private static final long WINDOW_NANOS = WINDOW_SECONDS * 1_000_000_000L;

    private final long costNanos;

    private transient long windowStart;
    private transient long windowWaitNanos;
    private transient long windowRecords;
    private transient volatile double lastWindowMeanMillis;

    FixedCost(long costMicros) {
        this.costNanos = costMicros * 1_000L;
    }

    @Override
    public void open(OpenContext openContext) {
        windowStart = System.nanoTime();
        lastWindowMeanMillis = Double.NaN;
        getRuntimeContext().getMetricGroup().gauge(WAIT_GAUGE, (Gauge<Double>) () -> lastWindowMeanMillis);
    }

    @Override
    public String map(String record) {
        long start = System.nanoTime();
        long deadline = start + costNanos;
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > SPIN_NANOS) {
            LockSupport.parkNanos(remaining - SPIN_NANOS);
        }
        long end;
        while ((end = System.nanoTime()) - deadline < 0) {
            Thread.onSpinWait();
        }
        account(start, end);
        return record;
    }

    private void account(long start, long end) {
        windowWaitNanos += end - start;
        windowRecords++;
        if (end - windowStart >= WINDOW_NANOS) {
            lastWindowMeanMillis = windowWaitNanos / 1e6 / windowRecords;
            windowStart = end;
            windowWaitNanos = 0;
            windowRecords = 0;
        }
    }
}
