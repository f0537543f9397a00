package org.rightsize.flink.metrics;

import java.io.File;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What timing costs a task. Untimed records run Flink's own code (the patched holders keep
 * Flink's processors), so the costs are those of the records that are timed: {@code oneOperator}
 * and {@code chainOfFour} time every record ({@code sample-interval: 0}), the way the timed
 * processors call {@link RecordTimer} ({@code enter}; process; {@code exit} in a finally), for one
 * operator and for a chain of four (a source head, then map, filter and sink, as in {@code
 * overhead.sh}'s pipeline); {@code sampledChainOfFour} is one arming with one record: the task is
 * armed (four switches installed), one record is timed through the chain, and the task disarms.
 * Each {@code *Untimed} method is the same work without timing. {@code clockRead} calibrates: the
 * cost of the clock alone on the machine at hand. At the default (an arming every 20 ms timing 20
 * records) a task spends about {@code sampledChainOfFour + 19 × (chainOfFour − chainOfFourUntimed)}
 * ns per 20 ms on timing, plus the mail and the sampler's wake-up, which this does not measure.
 *
 * <p>The "work" is a multiply-add per operator: a cheaper operator than any real one, so these
 * numbers are the worst relative case. Absolute numbers depend on {@code System.nanoTime()}'s
 * cost, which on virtual machines (a non-TSC clock source) can be several times that of bare
 * metal.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class RecordTimerBenchmark {

    /** The record's value, threaded through the operators so the JIT cannot drop their work. */
    private long value = 17;

    /** The timers of one chain; only the timed benchmarks use it, so only they get its params. */
    @State(Scope.Thread)
    public static class Chain {

        /** {@code native}: jni-metrics (must load, or setup fails); {@code java}: the fallback. */
        @Param({"native", "java"})
        public String aggregator;

        TaskSampling sampling;
        RecordTimer source;
        RecordTimer map;
        RecordTimer filter;
        RecordTimer sink;
        private Timer[] timers;

        @Setup(Level.Trial)
        public void setUp() {
            long now = System.nanoTime();
            long windowMillis = TimingSettings.DEFAULT_WINDOW_MILLIS;
            if (aggregator.equals("native")) {
                String failure = NativeTimers.load(nativeLibraryDir());
                if (failure != null) {
                    throw new IllegalStateException(
                            "jni-metrics did not load (" + failure + "): run `cargo build -p "
                                    + "jni-metrics --release`, or pass "
                                    + "-jvmArgsAppend -Drightsize.bench.native.dir=<dir>");
                }
            }
            timers = new Timer[9];
            for (int i = 0; i < timers.length; i++) {
                String name = "bench." + i;
                WindowedAggregator backend =
                        aggregator.equals("native")
                                ? nativeAggregator(name, windowMillis, now)
                                : new JavaAggregator(windowMillis, now);
                timers[i] = new Timer(name, backend, windowMillis, now);
            }
            Timer task = timers[8];
            // One sampling for the task's timers, as FlinkRecordTiming sets them up.
            sampling = newSampling(now);
            source = new RecordTimer(timers[0], timers[1], task, sampling);
            map = new RecordTimer(timers[2], timers[3], task, sampling);
            filter = new RecordTimer(timers[4], timers[5], task, sampling);
            sink = new RecordTimer(timers[6], timers[7], task, sampling);
        }

        /** Every record timed ({@code sample-interval: 0}). */
        TaskSampling newSampling(long now) {
            return new TaskSampling("bench", 0, () -> false, now);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            for (Timer timer : timers) {
                timer.close();
            }
        }

        private static WindowedAggregator nativeAggregator(
                String name, long windowMillis, long now) {
            int[] status = new int[1];
            NativeAggregator created = NativeAggregator.create(name, windowMillis, now, status);
            if (created == null) {
                throw new IllegalStateException("jni-metrics refused a timer: status " + status[0]);
            }
            return created;
        }

        /**
         * The {@code rightsize.bench.native.dir} property, else the workspace's release build
         * ({@code <repo>/target/release}, four levels above {@code target/benchmarks.jar}).
         */
        private static String nativeLibraryDir() {
            String configured = System.getProperty("rightsize.bench.native.dir");
            if (configured != null) {
                return configured;
            }
            try {
                File jar =
                        new File(
                                RecordTimerBenchmark.class
                                        .getProtectionDomain()
                                        .getCodeSource()
                                        .getLocation()
                                        .toURI());
                File repo = jar.getAbsoluteFile().getParentFile();
                for (int up = 0; up < 4 && repo != null; up++) {
                    repo = repo.getParentFile();
                }
                return repo == null ? null : new File(repo, "target/release").getPath();
            } catch (Exception e) {
                return null;
            }
        }
    }

    /**
     * A chain sampled at the default: its four operators' processors in holders that the task's
     * sampling switches, as in the patched Flink classes; arming is left to the benchmark.
     */
    @State(Scope.Thread)
    public static class SampledChain extends Chain {

        interface Processor {
            long process(long record);
        }

        /** What each operator's holder holds: Flink's processor, or a timed one while armed. */
        Processor sourceProcessor;
        Processor mapProcessor;
        Processor filterProcessor;
        Processor sinkProcessor;

        /** One record an arming, so each benchmark call is one whole arming. */
        @Override
        TaskSampling newSampling(long now) {
            return new TaskSampling("bench", TimeUnit.HOURS.toNanos(1), 1, Long.MAX_VALUE, () -> false, now);
        }

        @Setup(Level.Trial)
        public void installSwitches() {
            // Tail first, as Flink builds a chain: each operator calls what its next holder holds.
            // Each holder starts with its untimed processor, as Flink's constructors set it.
            Processor sinkUntimed = record -> record * 31 + 7;
            sinkProcessor = sinkUntimed;
            sampling.add(sinkUntimed, timed(sink, sinkUntimed), p -> sinkProcessor = p);
            Processor filterUntimed =
                    record -> (record & 1023) != 0 ? sinkProcessor.process(record) : record;
            filterProcessor = filterUntimed;
            sampling.add(filterUntimed, timed(filter, filterUntimed), p -> filterProcessor = p);
            Processor mapUntimed = record -> filterProcessor.process(record * 31 + 7);
            mapProcessor = mapUntimed;
            sampling.add(mapUntimed, timed(map, mapUntimed), p -> mapProcessor = p);
            Processor sourceUntimed = record -> mapProcessor.process(record * 31 + 7) * 31 + 7;
            sourceProcessor = sourceUntimed;
            sampling.add(sourceUntimed, timed(source, sourceUntimed), p -> sourceProcessor = p);
        }

        private static Processor timed(RecordTimer timer, Processor untimed) {
            return record -> {
                ChainState state = timer.enter();
                try {
                    return untimed.process(record);
                } finally {
                    timer.exit(state);
                }
            };
        }
    }

    private long work(long record) {
        return record * 31 + 7;
    }

    /** One {@code System.nanoTime()}: a timed operator reads the clock twice. */
    @Benchmark
    public long clockRead() {
        return System.nanoTime();
    }

    @Benchmark
    public long oneOperatorUntimed() {
        value = work(value);
        return value;
    }

    @Benchmark
    public long oneOperator(Chain chain) {
        ChainState state = chain.map.enter();
        try {
            value = work(value);
        } finally {
            chain.map.exit(state);
        }
        return value;
    }

    @Benchmark
    public long chainOfFourUntimed() {
        long record = work(value);
        record = work(record);
        if ((record & 1023) != 0) {
            record = work(record);
        }
        value = work(record);
        return value;
    }

    /** Nested like a chained pipeline: each operator calls the next inside its own timing. */
    @Benchmark
    public long chainOfFour(Chain chain) {
        ChainState sourceState = chain.source.enter();
        try {
            long record = work(value);
            ChainState mapState = chain.map.enter();
            try {
                record = work(record);
                ChainState filterState = chain.filter.enter();
                try {
                    if ((record & 1023) != 0) {
                        ChainState sinkState = chain.sink.enter();
                        try {
                            record = work(record);
                        } finally {
                            chain.sink.exit(sinkState);
                        }
                    }
                } finally {
                    chain.filter.exit(filterState);
                }
            } finally {
                chain.map.exit(mapState);
            }
            value = work(record);
        } finally {
            chain.source.exit(sourceState);
        }
        return value;
    }

    /** One sample: arm the task, time one record through the chain; the task disarms. */
    @Benchmark
    public long sampledChainOfFour(SampledChain chain) {
        chain.sampling.arm();
        value = chain.sourceProcessor.process(value);
        return value;
    }

    /** The same chain's untimed record, through the same holders (Flink's processors). */
    @Benchmark
    public long sampledChainOfFourUntimed(SampledChain chain) {
        value = chain.sourceProcessor.process(value);
        return value;
    }
}
