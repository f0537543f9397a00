package org.rightsize.flink.metrics;

/**
 * The metric names record timing registers (design section 2; the reference page is
 * docs/metrics.md). Durations are milliseconds over the last completed window.
 *
 * <p>On the task's group (the whole chain, measured at its head, inclusive): {@link #DEAL_TIME}
 * and its distribution {@link #MAX}, {@link #P50}, {@link #P99}, {@link #P999}, and {@link
 * #COUNT}. On each operator's group: the same names for the operator's exclusive time, plus
 * {@link #INCLUSIVE} and its distribution ({@code …InclusiveMax}, …).
 */
public final class MetricNames {
    /** Mean time of one record, ms. */
    public static final String DEAL_TIME = "taskOneRecordDealTime";

    public static final String MAX = DEAL_TIME + "Max";
    public static final String P50 = DEAL_TIME + "P50";
    public static final String P99 = DEAL_TIME + "P99";
    public static final String P999 = DEAL_TIME + "P999";

    /** Records timed in the window (a sample: see rightsize.timing.sample-interval). */
    public static final String COUNT = DEAL_TIME + "Count";

    /** Operator level: mean time including the operators chained after it, ms. */
    public static final String INCLUSIVE = DEAL_TIME + "Inclusive";

    /** Distribution suffixes with their snapshot slots, in registration order. */
    static final String[] DISTRIBUTION_SUFFIXES = {"Max", "P50", "P99", "P999"};

    static final int[] DISTRIBUTION_SLOTS = {
        Snapshot.MAX_NANOS, Snapshot.P50_NANOS, Snapshot.P99_NANOS, Snapshot.P999_NANOS
    };

    private MetricNames() {}
}
