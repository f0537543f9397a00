package org.rightsize.flink.metrics;

/**
 * Positions in the {@code long[]} a {@link WindowedAggregator} fills: the {@code
 * snapshot_layout} of jni-metrics (ABI version 1). All durations in nanoseconds.
 */
public final class Snapshot {
    public static final int WINDOW_START_NANOS = 0;
    public static final int WINDOW_END_NANOS = 1;
    public static final int COUNT = 2;
    public static final int SUM_NANOS = 3;
    public static final int MEAN_NANOS = 4;
    public static final int MIN_NANOS = 5;
    public static final int MAX_NANOS = 6;
    public static final int P50_NANOS = 7;
    public static final int P75_NANOS = 8;
    public static final int P90_NANOS = 9;
    public static final int P95_NANOS = 10;
    public static final int P98_NANOS = 11;
    public static final int P99_NANOS = 12;
    public static final int P999_NANOS = 13;
    public static final int STDDEV_NANOS = 14;
    public static final int LEN = 15;

    private Snapshot() {}
}
