package org.rightsize.flink.metrics;

/**
 * Times one operator's records, inside its task's chain. Only timed records reach it: the
 * processors that call it are installed while the task is armed ({@link TaskSampling}), and do
 *
 * <pre>{@code
 * ChainState s = timer.enter();
 * try { processor.accept(record); } finally { timer.exit(s); }
 * }</pre>
 *
 * <p>The outermost operator entered is the head of the chain (the one fed by the network input or
 * the source, or the first operator a timer's output reaches); every operator the record then
 * reaches times it too, so exclusive times add up to the head's inclusive time. Exclusive time is
 * the operator's inclusive time minus that of the operators it called (one accumulator per
 * level). When the record leaves the head, the task's time is recorded and the task decides
 * whether to time the next record ({@link TaskSampling#recordTimed}).
 *
 * <p>Cost of a timed record: two {@code System.nanoTime()} calls and three array stores per
 * operator. Nothing allocates, locks or throws.
 */
public final class RecordTimer {

    private final Timer exclusive;
    private final Timer inclusive;
    private final Timer task;
    private final TaskSampling sampling;

    /**
     * @param exclusive the operator's own time
     * @param inclusive the operator's time including the operators it calls
     * @param task the task's time, recorded when this operator heads the chain (shared)
     * @param sampling the task's sampling, whose chain state the task's timers share
     */
    public RecordTimer(Timer exclusive, Timer inclusive, Timer task, TaskSampling sampling) {
        this.exclusive = exclusive;
        this.inclusive = inclusive;
        this.task = task;
        this.sampling = sampling;
    }

    /** Enters the operator for one timed record; pass the result to {@link #exit} in a finally. */
    public ChainState enter() {
        ChainState state = sampling.chain;
        int level = state.depth;
        if (level >= state.startNanos.length) {
            state.ensureLevel(level);
        }
        state.depth = level + 1;
        state.savedChildNanos[level] = state.childNanos;
        state.childNanos = 0;
        state.startNanos[level] = System.nanoTime();
        return state;
    }

    /** Leaves the operator ({@code state} from {@link #enter}) and records its times. */
    public void exit(ChainState state) {
        int level = --state.depth;
        if (level < 0 || level >= state.startNanos.length) {
            // Unbalanced enter/exit (a bug elsewhere): start over rather than index out of range.
            state.depth = 0;
            return;
        }
        long end = System.nanoTime();
        long elapsed = end - state.startNanos[level];
        long children = state.childNanos;
        state.childNanos = state.savedChildNanos[level] + elapsed;
        exclusive.add(elapsed - children, end);
        inclusive.add(elapsed, end);
        if (level == 0) {
            state.childNanos = 0;
            task.add(elapsed, end);
            sampling.recordTimed(elapsed, end);
        }
    }

    /** The task's sampling: where its record processors are switched. */
    public TaskSampling sampling() {
        return sampling;
    }
}
