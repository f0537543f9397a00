package org.rightsize.flink.metrics;

/**
 * What one thread knows about the record it is processing: whether a record is in the chain and
 * whether it is timed (decided once, at the head), how deep a timed record is, and for exclusive
 * times the inclusive time of the child operators entered so far at each level. One thread at a
 * time touches it: its own, or that of the task it belongs to.
 */
public final class ChainState {

    /** A state for one task's timers to share (see {@link RecordTimer}). */
    public ChainState() {}

    private static final ThreadLocal<ChainState> CURRENT = ThreadLocal.withInitial(ChainState::new);

    /** {@link #depth} while an untimed record runs through the chain. */
    static final int UNTIMED = -1;

    /**
     * 0: no record in the chain; {@link #UNTIMED}: an untimed record is (operators inside it
     * only read this field), or, for a chain whose head is known in advance ({@link
     * RecordTimer#headChainAtRest}), no timed record is; n > 0: a timed record, n operators
     * entered and not yet left.
     */
    int depth;

    /** Records to skip before the next timed one (the record that brings it to 0 is timed). */
    int countdown = 1;

    /** The countdown last set, that is the records between the last two timed ones. */
    int interval;

    /** When the last timed record ended ({@code System.nanoTime()}); valid once {@link #interval} > 0. */
    long lastTimedEndNanos;

    /** Inclusive nanoseconds of the children of the current level so far. */
    long childNanos;

    /** Per level: when it started, and its parent's {@link #childNanos} before it. */
    long[] startNanos = new long[16];
    long[] savedChildNanos = new long[16];

    /**
     * True while an untimed record runs through the chain: an operator inside it has nothing to
     * record. The direct record processors check this before anything else.
     */
    public boolean insideUntimedRecord() {
        return depth < 0;
    }

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
