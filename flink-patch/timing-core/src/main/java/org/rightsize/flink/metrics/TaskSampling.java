package org.rightsize.flink.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Which records of one task are timed, and the switches that make them so.
 *
 * <p>An untimed record runs Flink's own code and nothing else. Every place where the task keeps
 * a record processor (a chaining output, a network input's output, a source's output) is a
 * {@linkplain #add switch} between Flink's processor and a timed one. To time a record the task
 * is <em>armed</em>: the timed processors are installed, so the next records to enter the chain
 * ({@link #recordsPerArming}) are timed by every operator they reach (the outermost one, the
 * head, starts each record, see {@link RecordTimer}). After the last of them the task disarms,
 * putting Flink's processors back, unless records are slow enough that timing every one of them
 * costs less than 1 % ({@link #TIME_EVERY_RECORD_ABOVE_NANOS}).
 *
 * <p>The {@link Sampler} arms each task at most once per sample interval, through the task's
 * mailbox, so the switches change on the task thread between two records. Timing then costs a
 * mail, a few field writes and a few timed records per interval, whatever the record rate; and
 * the records timed are the first ones after an instant chosen by the clock, not by the data.
 */
public final class TaskSampling {

    /**
     * Records whose chain took this long or longer are all timed: at ≥ 10 µs a record, timing's
     * measured ~55-90 ns per operator is below 1 %.
     */
    public static final long TIME_EVERY_RECORD_ABOVE_NANOS = 10_000;

    /**
     * Consecutive records timed per arming: one per millisecond of the interval (at least one, at
     * most 1000), so every interval gives about 1000 timed records a second to a busy task, and a
     * longer interval only trades wake-ups for longer runs of consecutive timed records. Arming
     * costs more than timing a record: a wake-up of the sampler thread and a mail (on a virtual
     * machine, tens of microseconds of CPU, part of it charged to whichever thread was running).
     */
    static int recordsPerArming(long intervalNanos) {
        return (int) Math.max(1, Math.min(1000, intervalNanos / 1_000_000));
    }

    final ChainState chain = new ChainState();

    private final String name;
    private final long intervalNanos;
    private final long timeEveryRecordAboveNanos;
    private final int recordsPerArming;
    private final BooleanSupplier taskClosed;
    private final List<RecordSwitch<?>> switches = new CopyOnWriteArrayList<>();

    /** Runs a command on the task thread between records (its mailbox); null if unknown. */
    private volatile Executor taskThread;

    private volatile boolean armed;
    private volatile boolean armPending;
    private volatile long disarmedAtNanos;
    private volatile boolean retired;

    /** Records still to time in this arming; the task thread's alone. */
    private int recordsLeft;

    /**
     * @param name the task, for messages
     * @param intervalNanos time one record at least this often while records arrive; 0 times
     *     every record
     * @param taskClosed true once the task has ended (its switches are then dropped)
     */
    public TaskSampling(String name, long intervalNanos, BooleanSupplier taskClosed, long nowNanos) {
        this(
                name,
                intervalNanos,
                recordsPerArming(intervalNanos),
                TIME_EVERY_RECORD_ABOVE_NANOS,
                taskClosed,
                nowNanos);
    }

    TaskSampling(
            String name,
            long intervalNanos,
            int recordsPerArming,
            long timeEveryRecordAboveNanos,
            BooleanSupplier taskClosed,
            long nowNanos) {
        this.name = name;
        this.recordsPerArming = Math.max(1, recordsPerArming);
        this.timeEveryRecordAboveNanos = timeEveryRecordAboveNanos;
        this.intervalNanos = Math.max(0, intervalNanos);
        this.taskClosed = taskClosed;
        this.armed = this.intervalNanos == 0;
        this.disarmedAtNanos = nowNanos; // first arming an interval after the task is set up
    }

    /**
     * Adds a switch: {@code install} puts a record processor where Flink keeps it; {@code
     * untimed} is Flink's own, {@code timed} the one installed while the task is armed. Called
     * on the task thread while the task is set up.
     */
    public <P> void add(P untimed, P timed, Consumer<P> install) {
        RecordSwitch<P> recordSwitch = new RecordSwitch<>(untimed, timed, install);
        switches.add(recordSwitch);
        if (armed) {
            recordSwitch.timed();
        }
    }

    /**
     * Arms through {@code taskThread} (the task's mailbox) from now on, if no way was known;
     * without one the sampler arms from its own thread (see {@link #armIfDue}).
     */
    public void armThrough(Executor taskThread) {
        if (this.taskThread == null && taskThread != null) {
            this.taskThread = taskThread;
        }
    }

    /** Hands the task to the {@link Sampler}, unless every record is timed (nothing to arm). */
    public void start() {
        if (intervalNanos > 0) {
            Sampler.register(this);
        }
    }

    /** The state of the timed record in the task's chain. */
    public ChainState chain() {
        return chain;
    }

    /**
     * Sampler thread: arms the task if it is not armed and was disarmed at least an interval
     * ago. Through the task's mailbox when known, so the switches change between two records;
     * otherwise right here, which may catch a record halfway through the chain (its remaining
     * operators then time it as a record of their own). Returns the nanoseconds until the task
     * is due, or {@link Long#MAX_VALUE} while it is armed (or an arming is on its way).
     */
    long armIfDue(long nowNanos) {
        if (armed || armPending) {
            return Long.MAX_VALUE;
        }
        long wait = disarmedAtNanos + intervalNanos - nowNanos;
        if (wait > 0) {
            return wait;
        }
        Executor executor = taskThread;
        if (executor == null) {
            arm();
            return Long.MAX_VALUE;
        }
        armPending = true;
        try {
            executor.execute(this::arm);
        } catch (RuntimeException rejected) {
            // The mailbox is closed: the task is ending.
            retired = true;
        }
        return Long.MAX_VALUE;
    }

    /** Installs the timed processors: the next records entering the chain are timed. */
    void arm() {
        armPending = false;
        if (armed || retired) {
            return;
        }
        recordsLeft = recordsPerArming;
        for (RecordSwitch<?> recordSwitch : switches) {
            recordSwitch.timed();
        }
        armed = true;
    }

    /**
     * Task thread, when a timed record leaves the chain: disarms after the arming's last record,
     * unless every record is timed or this one was slow enough to time the next one too.
     */
    void recordTimed(long elapsedNanos, long endNanos) {
        if (intervalNanos == 0 || elapsedNanos >= timeEveryRecordAboveNanos) {
            return;
        }
        if (--recordsLeft > 0) {
            return;
        }
        for (RecordSwitch<?> recordSwitch : switches) {
            recordSwitch.untimed();
        }
        disarmedAtNanos = endNanos;
        armed = false;
        Sampler.disarmed();
    }

    /** True once the task ended or its mailbox refused a command: the sampler drops it. */
    boolean isDone() {
        return retired || taskClosed.getAsBoolean();
    }

    /** True while the timed processors are installed. */
    public boolean isArmed() {
        return armed;
    }

    @Override
    public String toString() {
        return name;
    }

    /** One place where Flink keeps a record processor, and the two processors it can hold. */
    private static final class RecordSwitch<P> {
        private final P untimed;
        private final P timed;
        private final Consumer<P> install;

        RecordSwitch(P untimed, P timed, Consumer<P> install) {
            this.untimed = untimed;
            this.timed = timed;
            this.install = install;
        }

        void timed() {
            install.accept(timed);
        }

        void untimed() {
            install.accept(untimed);
        }
    }
}
