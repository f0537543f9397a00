package org.rightsize.workloads;

import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Spends a fixed wall-clock time on every record, so a subtask's capacity is exactly
 * 1 s / cost. It waits rather than computes: parked until shortly before the deadline, then
 * spinning the rest, it is accurate to a few microseconds yet costs almost no CPU, so several jobs
 * with "busy" subtasks fit on a small machine. Wall time is what the timing patch and Flink's busy
 * time measure, as they would for a blocking call to an external service.
 */
final class FixedCost implements MapFunction<String, String> {
    private static final long serialVersionUID = 1L;
    /** Parking overshoots by tens of microseconds on Linux; the last stretch is spun instead. */
    private static final long SPIN_NANOS = 150_000L;

    private final long costNanos;

    FixedCost(long costMicros) {
        this.costNanos = costMicros * 1_000L;
    }

    @Override
    public String map(String record) {
        long deadline = System.nanoTime() + costNanos;
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > SPIN_NANOS) {
            LockSupport.parkNanos(remaining - SPIN_NANOS);
        }
        while (System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
        }
        return record;
    }
}
