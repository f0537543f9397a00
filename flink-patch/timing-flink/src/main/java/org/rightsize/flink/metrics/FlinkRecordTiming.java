package org.rightsize.flink.metrics;

import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.streaming.api.operators.AbstractInput;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorV2;
import org.apache.flink.streaming.api.operators.Input;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.io.RecordProcessorUtils;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.StreamTask;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.function.ThrowingConsumer;
import org.apache.flink.util.function.ThrowingRunnable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flink side of record timing, called by the patched Flink classes that keep a record
 * processor: {@code ChainingOutput} (chained operators), the network outputs of the one-, two-
 * and multiple-input tasks, and {@code SourceOperatorStreamTask} (a source's output). For each it
 * finds the operator, reads the settings from the TaskManager's configuration, creates one {@link
 * RecordTimer} per operator and one task timer and {@link TaskSampling} per task, registers the
 * gauges, and adds the holder as a switch between Flink's processor and a timed one. Untimed
 * records thus run exactly Flink's code; the task's sampling installs the timed processors for
 * a run of records now and then.
 *
 * <p>This source is compiled once per supported Flink release (it is added to each overlay
 * module), so it may use Flink's internal classes. Everything here is off the record path; a
 * failure leaves the holder untimed, with a warning, and never fails the task.
 */
public final class FlinkRecordTiming {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkRecordTiming.class);

    /*
     * Set-up lookups, weak both ways: a task's timers, sampling and switches reach its
     * operators, so strong values would keep every finished task alive. While a task runs, its
     * sampling is held by the sampler thread and by the processors installed in its holders.
     */

    /** Operator → its timer: the two inputs of a two-input operator share one (and its gauges). */
    private static final Map<Object, WeakReference<RecordTimer>> OPERATOR_TIMERS =
            new WeakHashMap<>();

    /** Task metric group → the task's timer, shared by every head of the task's chain. */
    private static final Map<MetricGroup, Timer> TASK_TIMERS = new WeakHashMap<>();

    /** Flink's record processor → the timed input its switch installs, for a source to head. */
    private static final Map<Object, WeakReference<TimedInput<?>>> TIMED_INPUTS =
            new WeakHashMap<>();

    /** Task metric group → the task's sampling, shared by every timer of the task. */
    private static final Map<MetricGroup, WeakReference<TaskSampling>> TASK_SAMPLINGS =
            new WeakHashMap<>();

    /** Settings of the last configuration seen, for operators that do not expose theirs. */
    private static volatile TimingSettings lastSettings = TimingSettings.defaults();

    private static boolean settingsLogged;
    private static boolean failureLogged;

    private FlinkRecordTiming() {}

    /**
     * Times the records that {@code processor} (built by Flink for {@code input}: an operator,
     * or an input of a multiple-input operator) processes: {@code install} puts a processor
     * where the caller keeps it, and is given a timed one while the task is armed. Does nothing
     * when timing is off or the operator cannot be found; never throws.
     */
    public static <T> void timeRecords(
            Object input,
            ThrowingConsumer<StreamRecord<T>, Exception> processor,
            Consumer<ThrowingConsumer<StreamRecord<T>, Exception>> install) {
        untimedOnFailure(
                () -> {
                    RecordTimer timer = timerFor(operatorOf(input));
                    if (timer != null) {
                        TimedInput<T> timed = new TimedInput<>(processor, timer);
                        synchronized (TIMED_INPUTS) {
                            TIMED_INPUTS.put(processor, new WeakReference<>(timed));
                        }
                        timer.sampling().add(processor, timed.asRecordProcessor(), install);
                    }
                });
    }

    /**
     * Times the records a source emits into a chaining output whose operator's records are
     * already timed ({@code processor}, given to {@link #timeRecords} before): the source becomes
     * the head around that operator's timed processor, so the source's own output is left as
     * Flink built it; never throws.
     */
    public static <T> void timeSourceRecordsAt(
            Object sourceOperator, ThrowingConsumer<StreamRecord<T>, Exception> processor) {
        untimedOnFailure(
                () -> {
                    RecordTimer timer = timerFor(operatorOf(sourceOperator));
                    TimedInput<?> timed;
                    synchronized (TIMED_INPUTS) {
                        timed = dereference(TIMED_INPUTS.get(processor));
                    }
                    if (timer != null && timed != null) {
                        timed.headedBy(timer);
                    }
                });
    }

    /**
     * Times the records a source emits into {@code output} (the head of its chain, when that is
     * not a chaining output: the network, several outputs) with a {@link TimedOutput}; never
     * throws.
     */
    public static <T> void timeSourceRecords(
            Object sourceOperator,
            Output<StreamRecord<T>> output,
            Consumer<Output<StreamRecord<T>>> install) {
        untimedOnFailure(
                () -> {
                    RecordTimer timer = timerFor(operatorOf(sourceOperator));
                    if (timer != null) {
                        timer.sampling().add(output, new TimedOutput<>(output, timer), install);
                    }
                });
    }

    /** Runs the set-up of a holder's timing; a failure leaves it untimed, with one warning. */
    private static void untimedOnFailure(ThrowingRunnable<Exception> setUp) {
        try {
            setUp.run();
        } catch (Throwable t) {
            ExceptionUtils.rethrowIfFatalErrorOrOOM(t);
            logFailureOnce(t);
        }
    }

    /**
     * What a timed record enters while its task is armed: an {@link Input} that times it around
     * Flink's processor (and, for the processor a source emits into, around that as the source's
     * record), out of line ({@link TimedPath}). The switch installs it behind Flink's own
     * key-context processor ({@link RecordProcessorUtils#getRecordProcessor}, which for an input
     * that is no operator returns the lambda that sets the key context, then processes), not as
     * a class of its own.
     *
     * <p>Why: the call sites that run record processors are shared by every task of the JVM, and
     * the JIT inlines a site that has seen one or two processor classes, but only calls one that
     * has seen three. A TaskManager that has run a keyed operator has both of Flink's classes
     * there (the plain one and the key-context one), so a third class, installed now and then,
     * would turn each of its sites into a call for every record, timed or not. Behind Flink's
     * class, the sites see nothing new (docs/metrics.md, "Overhead"). The operator calls inside
     * that class see this input besides keyed operators; untimed records of unkeyed operators
     * never run them.
     */
    static final class TimedInput<T> implements Input<T> {
        private final ThrowingConsumer<StreamRecord<T>, Exception> processor;
        private final RecordTimer timer;

        /** A source whose records enter the chain here, timed as the head around them. */
        private volatile RecordTimer source;

        TimedInput(ThrowingConsumer<StreamRecord<T>, Exception> processor, RecordTimer timer) {
            this.processor = processor;
            this.timer = timer;
        }

        void headedBy(RecordTimer sourceTimer) {
            source = sourceTimer;
        }

        /** The processor the switch installs: Flink's key-context class around this input. */
        ThrowingConsumer<StreamRecord<T>, Exception> asRecordProcessor() {
            return RecordProcessorUtils.getRecordProcessor(this);
        }

        @Override
        public void processElement(StreamRecord<T> record) throws Exception {
            TimedPath.run(source, timer, processor, record);
        }

        /** Nothing: Flink's processor sets the operator's key context, inside the timing. */
        @Override
        public void setKeyContextElement(StreamRecord<T> record) {}

        // A record processor calls only the two methods above.

        @Override
        public void processWatermark(Watermark mark) {
            throw notARecord();
        }

        @Override
        public void processWatermarkStatus(WatermarkStatus watermarkStatus) {
            throw notARecord();
        }

        @Override
        public void processLatencyMarker(LatencyMarker latencyMarker) {
            throw notARecord();
        }

        private static UnsupportedOperationException notARecord() {
            return new UnsupportedOperationException("a timed record processor takes records only");
        }
    }

    /**
     * The operator an input belongs to: the input itself, or for an input of a multiple-input
     * operator ({@link AbstractInput}) its owner. Null when unknown (the input is then untimed).
     */
    private static StreamOperator<?> operatorOf(Object input) throws IllegalAccessException {
        if (input instanceof StreamOperator) {
            return (StreamOperator<?>) input;
        }
        if (input instanceof AbstractInput) {
            Field owner = ownerField();
            Object operator = owner == null ? null : owner.get(input);
            return operator instanceof StreamOperator ? (StreamOperator<?>) operator : null;
        }
        return null;
    }

    private static Field ownerField() {
        try {
            Field owner = AbstractInput.class.getDeclaredField("owner");
            owner.setAccessible(true);
            return owner;
        } catch (NoSuchFieldException | RuntimeException e) {
            return null;
        }
    }

    private static RecordTimer timerFor(StreamOperator<?> operator) {
        if (operator == null) {
            return null;
        }
        TimingSettings settings = settingsOf(operator);
        if (!settings.enabled()) {
            return null;
        }
        synchronized (OPERATOR_TIMERS) {
            RecordTimer existing = dereference(OPERATOR_TIMERS.get(operator));
            if (existing != null) {
                return existing;
            }
            MetricGroup operatorGroup = operator.getMetricGroup();
            if (!(operatorGroup instanceof InternalOperatorMetricGroup)) {
                // Without its task's group the operator cannot share its task's sampling.
                return null;
            }
            MetricGroup taskGroup = ((InternalOperatorMetricGroup) operatorGroup).getTaskMetricGroup();
            long now = System.nanoTime();
            String scope = operatorGroup.getMetricIdentifier(MetricNames.DEAL_TIME);
            Timer exclusive = newTimer(scope, settings, now);
            Timer inclusive = newTimer(scope + ".inclusive", settings, now);
            registerSet(operatorGroup, MetricNames.DEAL_TIME, exclusive, true);
            registerSet(operatorGroup, MetricNames.INCLUSIVE, inclusive, false);
            Timer task = TASK_TIMERS.get(taskGroup);
            if (task == null) {
                task = newTimer(taskGroup.getMetricIdentifier(MetricNames.DEAL_TIME), settings, now);
                TASK_TIMERS.put(taskGroup, task);
                registerSet(taskGroup, MetricNames.DEAL_TIME, task, true);
            }
            TaskSampling sampling = dereference(TASK_SAMPLINGS.get(taskGroup));
            boolean newTask = sampling == null;
            if (newTask) {
                sampling = newSampling(taskGroup, settings, now);
                TASK_SAMPLINGS.put(taskGroup, new WeakReference<>(sampling));
            }
            sampling.armThrough(mailboxOf(operator));
            if (newTask) {
                sampling.start();
            }
            RecordTimer timer = new RecordTimer(exclusive, inclusive, task, sampling);
            OPERATOR_TIMERS.put(operator, new WeakReference<>(timer));
            return timer;
        }
    }

    private static <V> V dereference(WeakReference<V> reference) {
        return reference == null ? null : reference.get();
    }

    private static TaskSampling newSampling(MetricGroup taskGroup, TimingSettings settings, long now) {
        BooleanSupplier closed =
                taskGroup instanceof AbstractMetricGroup
                        ? ((AbstractMetricGroup<?>) taskGroup)::isClosed
                        : () -> false;
        return new TaskSampling(
                taskGroup.getMetricIdentifier(MetricNames.DEAL_TIME),
                settings.sampleIntervalMillis() * 1_000_000L,
                closed,
                now);
    }

    /**
     * Runs a command on the operator's task thread between two records (a mail of the lowest
     * priority, so never inside an operator's yield); null when the task is unknown.
     */
    private static Executor mailboxOf(StreamOperator<?> operator) {
        if (!(operator instanceof AbstractStreamOperator)) {
            return null;
        }
        StreamTask<?, ?> task = ((AbstractStreamOperator<?>) operator).getContainingTask();
        if (task == null) {
            return null;
        }
        MailboxExecutor mailbox =
                task.getMailboxExecutorFactory().createExecutor(TaskMailbox.MIN_PRIORITY);
        return command -> mailbox.execute(command::run, "Rightsize: time the next record");
    }

    private static Timer newTimer(String name, TimingSettings settings, long now) {
        return new Timer(name, Aggregators.create(name, settings, now), settings.windowMillis(), now);
    }

    /** Registers {@code base} (mean), its distribution and, if asked, the count: one Gauge each. */
    private static void registerSet(MetricGroup group, String base, Timer timer, boolean count) {
        group.gauge(base, (Gauge<Double>) () -> timer.meanMillis(System.nanoTime()));
        for (int i = 0; i < MetricNames.DISTRIBUTION_SUFFIXES.length; i++) {
            int slot = MetricNames.DISTRIBUTION_SLOTS[i];
            group.gauge(
                    base + MetricNames.DISTRIBUTION_SUFFIXES[i],
                    (Gauge<Double>) () -> timer.read(slot, System.nanoTime()) / 1e6);
        }
        if (count) {
            group.gauge(
                    MetricNames.COUNT,
                    (Gauge<Long>) () -> timer.read(Snapshot.COUNT, System.nanoTime()));
        }
    }

    /** The TaskManager's settings, read from its Flink configuration. */
    private static TimingSettings settingsOf(StreamOperator<?> operator) {
        StreamingRuntimeContext context = null;
        if (operator instanceof AbstractStreamOperator) {
            context = ((AbstractStreamOperator<?>) operator).getRuntimeContext();
        } else if (operator instanceof AbstractStreamOperatorV2) {
            context = ((AbstractStreamOperatorV2<?>) operator).getRuntimeContext();
        }
        TimingSettings settings = lastSettings;
        if (context != null) {
            Configuration configuration = context.getTaskManagerRuntimeInfo().getConfiguration();
            Map<String, String> values = configuration.toMap();
            settings = TimingSettings.from(values::get);
            lastSettings = settings;
        }
        logSettingsOnce(settings);
        return settings;
    }

    private static synchronized void logSettingsOnce(TimingSettings settings) {
        if (settingsLogged) {
            return;
        }
        settingsLogged = true;
        for (String problem : settings.problems()) {
            LOG.warn("Rightsize record timing: {}", problem);
        }
        if (settings.enabled()) {
            LOG.info("Rightsize record timing on: {}; aggregator {}", settings,
                    Aggregators.backend(settings));
        } else {
            LOG.info("Rightsize record timing off ({}=false)", TimingSettings.ENABLED);
        }
    }

    private static synchronized void logFailureOnce(Throwable t) {
        if (!failureLogged) {
            failureLogged = true;
            LOG.warn("Rightsize record timing: could not time an operator; it runs untimed", t);
        }
    }
}
