package org.rightsize.flink.metrics;

/**
 * What one task knows about the timed record running through its chain: how deep it is (how many
 * operators it entered and has not left yet) and, for exclusive times, the inclusive time of the
 * child operators entered so far at each level. One thread at a time touches it: the task's.
 */
public final class ChainState {

    /** 0: no timed record in the chain; n > 0: a timed record, n operators entered, not left. */
    int depth;

    /** Inclusive nanoseconds of the children of the current level so far. */
    long childNanos;

    /** Per level: when it started, and its parent's {@link #childNanos} before it. */
    long[] startNanos = new long[16];
    long[] savedChildNanos = new long[16];

    /** Makes room for level {@code level} (cold: chains deeper than 16 operators). */
    void ensureLevel(int level) {
        if (level >= startNanos.length) {
            int length = Math.max(level + 1, startNanos.length * 2);
            startNanos = java.util.Arrays.copyOf(startNanos, length);
            savedChildNanos = java.util.Arrays.copyOf(savedChildNanos, length);
        }
    }
}
