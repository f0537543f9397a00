package org.rightsize.flink.metrics;

/**
 * What one thread knows about the record it is processing: how deep in the chain it is, whether
 * the record is timed (decided once, at the head), and for exclusive times the inclusive time of
 * the child operators entered so far at each level. Only its own thread touches it.
 */
public final class ChainState {

    private static final ThreadLocal<ChainState> CURRENT = ThreadLocal.withInitial(ChainState::new);

    /** Operators entered and not yet left on this thread. */
    int depth;

    /** Whether the record now being processed is timed. */
    boolean timed;

    /** Records to skip before the next timed one. */
    int countdown = 1;

    /** Inclusive nanoseconds of the children of the current level so far. */
    long childNanos;

    /** Per level: when it started, and its parent's {@link #childNanos} before it. */
    long[] startNanos = new long[16];
    long[] savedChildNanos = new long[16];

    static ChainState current() {
        return CURRENT.get();
    }

    /** Makes room for level {@code level} (cold: chains deeper than 16 operators). */
    void ensureLevel(int level) {
        if (level >= startNanos.length) {
            int length = Math.max(level + 1, startNanos.length * 2);
            startNanos = java.util.Arrays.copyOf(startNanos, length);
            savedChildNanos = java.util.Arrays.copyOf(savedChildNanos, length);
        }
    }
}
