package org.rightsize.flink.metrics;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * One named series of durations (say an operator's exclusive time) and its {@link
 * WindowedAggregator}. Samples go into a {@code long[]} that is handed over in one batch when
 * full or at the first sample after the clock passes a multiple of {@link #flushIntervalNanos},
 * so records pay an array store and the aggregator a call per batch. The multiples are common to
 * all timers, so the timers of one chain hand over the same records at the same time and their
 * windows hold the same records (an operator's exclusive and inclusive times, the task's).
 *
 * <p>{@link #add} is meant for one writer thread (the task thread that runs the chain). A second
 * writer only risks losing or repeating samples, never an exception: indices are checked against
 * a local copy of the array. Reads ({@link #read}) may come from any thread.
 */
public final class Timer {

    /** Samples per batch: the native call's fixed ~40 ns spread over 512 samples. */
    static final int BUFFER_SIZE = 512;

    /**
     * Timers that Flink dropped (with the gauges of a finished task) and whose aggregators still
     * need closing: native timers are a bounded resource. Polled when timers are created, so no
     * thread of our own is needed (and Java 8, which Flink 1.20 still runs on, lacks Cleaner).
     */
    private static final ReferenceQueue<Timer> DROPPED = new ReferenceQueue<>();

    private static final Set<Reclaimer> LIVE =
            Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

    private final String name;
    private final WindowedAggregator aggregator;
    private final long flushIntervalNanos;
    private final long[] buffer;
    private int size;
    private long nextFlushNanos;

    private final long[] snapshot = new long[Snapshot.LEN];

    public Timer(String name, WindowedAggregator aggregator, long windowMillis, long nowNanos) {
        this(name, aggregator, windowMillis, nowNanos, BUFFER_SIZE);
    }

    Timer(String name, WindowedAggregator aggregator, long windowMillis, long nowNanos, int size) {
        this.name = name;
        this.aggregator = aggregator;
        // A tenth of the window, between 10 ms and 1 s: low-rate timers still reach the current
        // window, and high-rate ones flush on a full buffer long before.
        this.flushIntervalNanos = Math.min(1_000, Math.max(10, windowMillis / 10)) * 1_000_000L;
        this.buffer = new long[size];
        this.nextFlushNanos = nextFlushAfter(nowNanos);
        closeDroppedTimers();
        LIVE.add(new Reclaimer(this, aggregator));
    }

    /** Records one duration that ended at {@code nowNanos}. Hot path: no allocation, no lock. */
    public void add(long durationNanos, long nowNanos) {
        long[] samples = buffer;
        int index = size;
        if (index < 0 || index >= samples.length) {
            index = 0;
        }
        samples[index] = durationNanos;
        index++;
        size = index;
        if (index >= samples.length || nowNanos - nextFlushNanos >= 0) {
            flush(nowNanos);
        }
    }

    /** Hands buffered samples to the aggregator. Writer thread only. */
    public void flush(long nowNanos) {
        int count = Math.min(size, buffer.length);
        size = 0;
        nextFlushNanos = nextFlushAfter(nowNanos);
        if (count > 0) {
            aggregator.recordBatch(buffer, count);
        }
    }

    /** The first multiple of the flush interval after {@code nowNanos}. */
    private long nextFlushAfter(long nowNanos) {
        return Math.floorDiv(nowNanos, flushIntervalNanos) * flushIntervalNanos + flushIntervalNanos;
    }

    /**
     * The last completed window's value at {@code slot} (a {@link Snapshot} index), or 0 when
     * no window has completed yet.
     */
    public synchronized long read(int slot, long nowNanos) {
        if (slot < 0 || slot >= Snapshot.LEN || !aggregator.snapshot(nowNanos, snapshot)) {
            return 0;
        }
        return snapshot[slot];
    }

    /** Mean of the last completed window in milliseconds (exact: sum / count), 0 when empty. */
    public synchronized double meanMillis(long nowNanos) {
        if (!aggregator.snapshot(nowNanos, snapshot) || snapshot[Snapshot.COUNT] <= 0) {
            return 0.0;
        }
        return (double) snapshot[Snapshot.SUM_NANOS] / snapshot[Snapshot.COUNT] / 1e6;
    }

    public String name() {
        return name;
    }

    public WindowedAggregator aggregator() {
        return aggregator;
    }

    /** Frees the aggregator; the timer then records nothing. */
    public void close() {
        aggregator.close();
    }

    /** Closes the aggregators of timers that have become unreachable. */
    static void closeDroppedTimers() {
        for (Object dropped = DROPPED.poll(); dropped != null; dropped = DROPPED.poll()) {
            Reclaimer reclaimer = (Reclaimer) dropped;
            LIVE.remove(reclaimer);
            reclaimer.aggregator.close();
        }
    }

    /** Holds what to close; it must not reach the Timer, or the Timer would stay reachable. */
    private static final class Reclaimer extends PhantomReference<Timer> {
        final WindowedAggregator aggregator;

        Reclaimer(Timer timer, WindowedAggregator aggregator) {
            super(timer, DROPPED);
            this.aggregator = aggregator;
        }
    }
}
