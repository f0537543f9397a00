package org.rightsize.flink.metrics;

/**
 * Times one operator's record processing inside its chain; every record processor the patched
 * {@code RecordProcessorUtils} builds does this around the operator's call (the processors for
 * operators without key context first skip it all inside an untimed record, {@link
 * ChainState#insideUntimedRecord}):
 *
 * <pre>{@code
 * ChainState s = timer.enter();
 * try { processor.accept(record); } finally { timer.exit(s); }
 * }</pre>
 *
 * <p>The outermost entered operator (on a thread, or of a task when its timers share one {@link
 * ChainState}) is the head of the chain (the one fed by the network input or the source). It decides whether the record is timed, and every operator the
 * record then reaches follows that decision, so a timed record is timed everywhere and exclusive
 * times add up. Exclusive time is the operator's inclusive time minus that of the operators it
 * called (one accumulator per level).
 *
 * <p>Which records are timed: at most {@code sample-every} records apart, more often when records
 * arrive slowly (at least one every {@link #TIME_A_RECORD_AT_LEAST_EVERY_NANOS}, as far as the
 * rate allows), and every record once records take longer than {@link
 * #TIME_EVERY_RECORD_ABOVE_NANOS}. The gap to the next timed record is set when a timed record
 * leaves the head, from the time since the previous one: so the cost of timing stays a bounded
 * share of the task's time at any rate, and low-rate chains still fill their windows.
 *
 * <p>Cost: an untimed record pays, per operator, one field read (plus, without a shared chain
 * state, a check that the cached one is its thread's), and at the head a countdown and two stores
 * (at a head known in advance, {@link #headChainAtRest}, only the countdown); a timed one two
 * {@code System.nanoTime()} calls and three array stores per operator. Nothing allocates, locks
 * or throws.
 */
public final class RecordTimer {

    /**
     * Records whose chain took longer than this are all timed: at ≥ 10 µs a record, timing's
     * measured ~55-90 ns per operator is below 1 %.
     */
    public static final long TIME_EVERY_RECORD_ABOVE_NANOS = 10_000;

    /**
     * Time a record at least this often while records keep arriving: about 1000 timed records a
     * second per chain (10 000 in a default window) cost ~0.3 ms of a second at ~300 ns each.
     */
    public static final long TIME_A_RECORD_AT_LEAST_EVERY_NANOS = 1_000_000;

    private final Timer exclusive;
    private final Timer inclusive;
    private final Timer task;
    private final int sampleEvery;

    /** The chain state shared by the task's timers, or null to keep one per thread. */
    private final ChainState chain;

    /** The thread that last used this timer and its state: one reference, read atomically. */
    private Binding binding = new Binding(null, null);

    /**
     * @param exclusive the operator's own time
     * @param inclusive the operator's time including the operators it calls
     * @param task the task's time, recorded when this operator heads the chain (may be shared)
     * @param sampleEvery most records between two timed ones at the chain head (1 = all)
     */
    public RecordTimer(Timer exclusive, Timer inclusive, Timer task, int sampleEvery) {
        this(exclusive, inclusive, task, sampleEvery, null);
    }

    /**
     * A timer whose chain state is {@code chain}, shared by every timer of one task: cheaper
     * than finding the calling thread's own state on every record, and right wherever one
     * thread at a time runs the task's records (Flink's task model: the task thread, or a
     * legacy source's thread holding the checkpoint lock that the task thread also takes).
     *
     * @param chain the task's chain state, or null to keep one per thread
     */
    public RecordTimer(
            Timer exclusive, Timer inclusive, Timer task, int sampleEvery, ChainState chain) {
        this.exclusive = exclusive;
        this.inclusive = inclusive;
        this.task = task;
        this.sampleEvery = Math.max(1, sampleEvery);
        this.chain = chain;
    }

    /**
     * Enters the operator for one record; pass the result to {@link #exit} in a finally. Returns
     * null inside an untimed record: then there is nothing to undo.
     */
    public ChainState enter() {
        ChainState shared = chain;
        ChainState state = shared != null ? shared : state();
        int depth = state.depth;
        if (depth < 0) {
            return null;
        }
        if (depth == 0) {
            // min(): a countdown left by a chain with a sparser rate must not delay this one.
            int countdown = Math.min(state.countdown, sampleEvery) - 1;
            state.countdown = countdown;
            if (countdown > 0) {
                state.depth = ChainState.UNTIMED;
                return state;
            }
        }
        enterTimed(state, depth);
        return state;
    }

    /** Leaves the operator ({@code state} from {@link #enter}); records the times if timed. */
    public void exit(ChainState state) {
        if (state == null) {
            return;
        }
        if (state.depth < 0) {
            // Only the head of an untimed record gets a state back, so this is that head.
            state.depth = 0;
            return;
        }
        exitTimed(state);
    }

    /**
     * Makes this timer the one head of its task's shared chain state, known when it is built (a
     * source's output): the state then rests at "untimed", so an untimed record writes nothing
     * shared and the head only counts down ({@link #skipAtHead}); the state is set for a timed
     * record and reset after it ({@link #enterHead}, {@link #exitHead}). Returns false, changing
     * nothing, without a shared chain state (the head then cannot be known in advance).
     */
    public boolean headChainAtRest() {
        if (chain == null) {
            return false;
        }
        chain.depth = ChainState.UNTIMED;
        return true;
    }

    /**
     * At a head made by {@link #headChainAtRest}: counts one record down; true when it is not
     * timed (the operators it reaches then see the resting "untimed" state and skip timing).
     */
    public boolean skipAtHead() {
        ChainState state = chain;
        int countdown = state.countdown - 1;
        state.countdown = countdown;
        return countdown > 0;
    }

    /**
     * At a head made by {@link #headChainAtRest}: starts a timed record; pass the result to
     * {@link #exitHead} in a finally.
     */
    public ChainState enterHead() {
        ChainState state = chain;
        enterTimed(state, 0);
        return state;
    }

    /** Ends the timed record of {@link #enterHead} and puts the chain back at rest (untimed). */
    public void exitHead(ChainState state) {
        exitTimed(state);
        state.depth = ChainState.UNTIMED;
    }

    private static void enterTimed(ChainState state, int level) {
        if (level >= state.startNanos.length) {
            state.ensureLevel(level);
        }
        state.depth = level + 1;
        state.savedChildNanos[level] = state.childNanos;
        state.childNanos = 0;
        state.startNanos[level] = System.nanoTime();
    }

    private void exitTimed(ChainState state) {
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
            task.add(elapsed, end);
            state.countdown = nextInterval(state, elapsed, end);
            state.childNanos = 0;
        }
    }

    /** Records until the next timed one, decided when a timed record leaves the head. */
    private int nextInterval(ChainState state, long elapsed, long end) {
        long next;
        if (elapsed >= TIME_EVERY_RECORD_ABOVE_NANOS) {
            next = 1;
        } else if (state.interval <= 0) {
            next = 1; // the thread's first timed record: time the next one too, to learn the rate
        } else {
            // Aim at one timed record per TIME_A_RECORD_AT_LEAST_EVERY_NANOS at the rate seen
            // since the previous one; never more than sampleEvery apart.
            long gap = Math.max(1, end - state.lastTimedEndNanos);
            next = state.interval * TIME_A_RECORD_AT_LEAST_EVERY_NANOS / gap;
        }
        int interval = (int) Math.max(1, Math.min(sampleEvery, next));
        state.interval = interval;
        state.lastTimedEndNanos = end;
        return interval;
    }

    /** The chain state shared by the task's timers, or null when each thread has its own. */
    public ChainState sharedChain() {
        return chain;
    }

    public Timer exclusive() {
        return exclusive;
    }

    public Timer inclusive() {
        return inclusive;
    }

    public Timer task() {
        return task;
    }

    private ChainState state() {
        Binding current = binding;
        Thread thread = Thread.currentThread();
        if (current.thread != thread) {
            current = new Binding(thread, ChainState.current());
            binding = current;
        }
        return current.state;
    }

    private static final class Binding {
        final Thread thread;
        final ChainState state;

        Binding(Thread thread, ChainState state) {
            this.thread = thread;
            this.state = state;
        }
    }
}
