package org.rightsize.flink.metrics;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.streaming.api.operators.AbstractInput;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorV2;
import org.apache.flink.streaming.api.operators.Input;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.ExceptionUtils;
import org.apache.flink.util.function.ThrowingConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flink side of record timing, called by the patched {@code RecordProcessorUtils} (network
 * inputs and chained operators) and {@code SourceOperatorStreamTask} (sources). It finds the
 * operator behind an input, reads the settings from the TaskManager's configuration, creates one
 * {@link RecordTimer} per operator and one task timer per task, and registers their gauges.
 *
 * <p>Operators without key context (the common case, and every chained stateless operator) get
 * a record processor that calls {@code processElement} itself ({@link #processElement} and its
 * two-input siblings), one class per kind of input: no extra call level over Flink's own
 * {@code input::processElement}, and inside an untimed record just one read of the chain state.
 * Other processors (key context to set, asynchronous state) are wrapped as Flink built them
 * ({@link #wrap}).
 *
 * <p>This source is compiled once per supported Flink release (it is added to each overlay
 * module), so it may use Flink's internal classes. Everything here is off the record path; a
 * failure leaves the record processor untimed, with a warning, and never fails the task.
 */
public final class FlinkRecordTiming {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkRecordTiming.class);

    /** Operator → its timer: the two inputs of a two-input operator share one (and its gauges). */
    private static final Map<Object, RecordTimer> OPERATOR_TIMERS = new WeakHashMap<>();

    /** Task metric group → the task's timer, shared by every head of the task's chain. */
    private static final Map<MetricGroup, Timer> TASK_TIMERS = new WeakHashMap<>();

    /** Task metric group → the chain state every timer of the task shares. */
    private static final Map<MetricGroup, ChainState> TASK_CHAINS = new WeakHashMap<>();

    /** Settings of the last configuration seen, for operators that do not expose theirs. */
    private static volatile TimingSettings lastSettings = TimingSettings.defaults();

    private static boolean settingsLogged;
    private static boolean failureLogged;

    private FlinkRecordTiming() {}

    /**
     * The record processor of an input without key context: {@code input::processElement}, timed
     * unless timing is off or the operator cannot be found.
     */
    public static <T> ThrowingConsumer<StreamRecord<T>, Exception> processElement(Input<T> input) {
        ThrowingConsumer<StreamRecord<T>, Exception> untimed = input::processElement;
        RecordTimer timer = timerOrNull(input);
        if (timer == null) {
            return untimed;
        }
        ChainState chain = timer.sharedChain();
        return chain == null
                ? new TimedRecordProcessor<>(untimed, timer)
                : new TimedInput<>(input, timer, chain);
    }

    /** As {@link #processElement(Input)}, for the first input of a two-input operator. */
    public static <T> ThrowingConsumer<StreamRecord<T>, Exception> processElement1(
            TwoInputStreamOperator<T, ?, ?> operator) {
        ThrowingConsumer<StreamRecord<T>, Exception> untimed = operator::processElement1;
        RecordTimer timer = timerOrNull(operator);
        if (timer == null) {
            return untimed;
        }
        ChainState chain = timer.sharedChain();
        return chain == null
                ? new TimedRecordProcessor<>(untimed, timer)
                : new TimedFirstInput<>(operator, timer, chain);
    }

    /** As {@link #processElement(Input)}, for the second input of a two-input operator. */
    public static <T> ThrowingConsumer<StreamRecord<T>, Exception> processElement2(
            TwoInputStreamOperator<?, T, ?> operator) {
        ThrowingConsumer<StreamRecord<T>, Exception> untimed = operator::processElement2;
        RecordTimer timer = timerOrNull(operator);
        if (timer == null) {
            return untimed;
        }
        ChainState chain = timer.sharedChain();
        return chain == null
                ? new TimedRecordProcessor<>(untimed, timer)
                : new TimedSecondInput<>(operator, timer, chain);
    }

    /** The timer of the operator behind {@code input}, or null (untimed); never throws. */
    private static RecordTimer timerOrNull(Object input) {
        try {
            return timerFor(operatorOf(input));
        } catch (Throwable t) {
            ExceptionUtils.rethrowIfFatalErrorOrOOM(t);
            logFailureOnce(t);
            return null;
        }
    }

    /**
     * Wraps a record processor built for {@code input} (an operator, or an input of a
     * multiple-input operator) so its records are timed; returns it unchanged when timing is
     * off or the operator cannot be found.
     */
    public static <T> ThrowingConsumer<StreamRecord<T>, Exception> wrap(
            Object input, ThrowingConsumer<StreamRecord<T>, Exception> processor) {
        RecordTimer timer = timerOrNull(input);
        return timer == null ? processor : new TimedRecordProcessor<>(processor, timer);
    }

    /**
     * The timer of a source operator, made the head of its task's chain ({@link
     * RecordTimer#headChainAtRest}: the source's output uses {@link RecordTimer#skipAtHead}),
     * or null when timing is off or the task has no shared chain state (the source is then
     * untimed and its chained operators each decide as before); never throws.
     */
    public static RecordTimer sourceTimer(Object sourceOperator) {
        RecordTimer timer = timerOrNull(sourceOperator);
        return timer != null && timer.headChainAtRest() ? timer : null;
    }

    /*
     * The three direct processors below repeat one body on purpose: each is its own class with
     * its own call site of processElement, so the JIT's type profile of one kind of input is not
     * shared with the others (a shared abstract base would bring back a megamorphic call level).
     */

    /** Times {@code processElement} of a one-input operator (or an input of a multi-input one). */
    static final class TimedInput<T> implements ThrowingConsumer<StreamRecord<T>, Exception> {
        private final Input<T> input;
        private final RecordTimer timer;
        private final ChainState chain;

        TimedInput(Input<T> input, RecordTimer timer, ChainState chain) {
            this.input = input;
            this.timer = timer;
            this.chain = chain;
        }

        @Override
        public void accept(StreamRecord<T> record) throws Exception {
            if (chain.insideUntimedRecord()) {
                input.processElement(record);
                return;
            }
            ChainState state = timer.enter();
            if (state == null) {
                input.processElement(record);
                return;
            }
            try {
                input.processElement(record);
            } finally {
                timer.exit(state);
            }
        }
    }

    /** Times {@code processElement1} of a two-input operator. */
    static final class TimedFirstInput<T>
            implements ThrowingConsumer<StreamRecord<T>, Exception> {
        private final TwoInputStreamOperator<T, ?, ?> operator;
        private final RecordTimer timer;
        private final ChainState chain;

        TimedFirstInput(
                TwoInputStreamOperator<T, ?, ?> operator, RecordTimer timer, ChainState chain) {
            this.operator = operator;
            this.timer = timer;
            this.chain = chain;
        }

        @Override
        public void accept(StreamRecord<T> record) throws Exception {
            if (chain.insideUntimedRecord()) {
                operator.processElement1(record);
                return;
            }
            ChainState state = timer.enter();
            if (state == null) {
                operator.processElement1(record);
                return;
            }
            try {
                operator.processElement1(record);
            } finally {
                timer.exit(state);
            }
        }
    }

    /** Times {@code processElement2} of a two-input operator. */
    static final class TimedSecondInput<T>
            implements ThrowingConsumer<StreamRecord<T>, Exception> {
        private final TwoInputStreamOperator<?, T, ?> operator;
        private final RecordTimer timer;
        private final ChainState chain;

        TimedSecondInput(
                TwoInputStreamOperator<?, T, ?> operator, RecordTimer timer, ChainState chain) {
            this.operator = operator;
            this.timer = timer;
            this.chain = chain;
        }

        @Override
        public void accept(StreamRecord<T> record) throws Exception {
            if (chain.insideUntimedRecord()) {
                operator.processElement2(record);
                return;
            }
            ChainState state = timer.enter();
            if (state == null) {
                operator.processElement2(record);
                return;
            }
            try {
                operator.processElement2(record);
            } finally {
                timer.exit(state);
            }
        }
    }

    /** Wraps any other record processor: times each record with a {@link RecordTimer}. */
    static final class TimedRecordProcessor<T>
            implements ThrowingConsumer<StreamRecord<T>, Exception> {
        private final ThrowingConsumer<StreamRecord<T>, Exception> processor;
        private final RecordTimer timer;

        TimedRecordProcessor(
                ThrowingConsumer<StreamRecord<T>, Exception> processor, RecordTimer timer) {
            this.processor = processor;
            this.timer = timer;
        }

        @Override
        public void accept(StreamRecord<T> record) throws Exception {
            ChainState state = timer.enter();
            if (state == null) {
                // Inside an untimed record: a plain call, with nothing to undo afterwards.
                processor.accept(record);
                return;
            }
            try {
                processor.accept(record);
            } finally {
                timer.exit(state);
            }
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
            RecordTimer existing = OPERATOR_TIMERS.get(operator);
            if (existing != null) {
                return existing;
            }
            MetricGroup operatorGroup = operator.getMetricGroup();
            MetricGroup taskGroup =
                    operatorGroup instanceof InternalOperatorMetricGroup
                            ? ((InternalOperatorMetricGroup) operatorGroup).getTaskMetricGroup()
                            : operatorGroup;
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
                if (taskGroup != operatorGroup) {
                    registerSet(taskGroup, MetricNames.DEAL_TIME, task, true);
                }
            }
            // Without its task's metric group the operator cannot share its task's state: one
            // per thread then, found on each record.
            ChainState chain =
                    taskGroup == operatorGroup
                            ? null
                            : TASK_CHAINS.computeIfAbsent(taskGroup, group -> new ChainState());
            RecordTimer timer =
                    new RecordTimer(exclusive, inclusive, task, settings.sampleEvery(), chain);
            OPERATOR_TIMERS.put(operator, timer);
            return timer;
        }
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
