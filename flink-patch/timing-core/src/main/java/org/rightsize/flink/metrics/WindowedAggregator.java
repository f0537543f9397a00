package org.rightsize.flink.metrics;

/**
 * Windowed statistics of nanosecond samples: the contract of jni-metrics (see its crate docs),
 * implemented natively by {@link NativeAggregator} and in Java by {@link JavaAggregator}.
 *
 * <p>The current window accumulates; {@link #snapshot} reports the last completed one. A window
 * closes at the first snapshot at or after its configured length, so read at least once a window.
 * Both methods may be called from any thread.
 */
public interface WindowedAggregator {

    /** Adds {@code samples[0..count)}; out-of-range counts and null arrays are ignored. */
    void recordBatch(long[] samples, int count);

    /**
     * Fills {@code out} ({@link Snapshot#LEN} longs, layout {@link Snapshot}) with the last
     * completed window and returns true, or returns false when no window has completed yet.
     */
    boolean snapshot(long nowNanos, long[] out);

    /** Frees what the aggregator holds; later calls do nothing. */
    void close();

    /** Which implementation this is, for logs. */
    String kind();
}
