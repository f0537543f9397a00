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
 * Per-record cost of {@link RecordTimer} on the hot path, the way the patched record processors
 * call it ({@code enter}; process; {@code exit} in a finally), for one operator and for a chain of
 * four (a source head, then map, filter and sink, as in {@code overhead.sh}'s pipeline). Each
 * {@code *Untimed} method is the same work without timing; the difference is timing's cost per
 * record. Timed variants: at most 4096 records apart (the default) or every record, fed to the native
 * aggregator (jni-metrics) or to the pure-Java fallback. {@code clockRead} calibrates: the cost
 * of the clock alone on the machine at hand.
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

        /** At most N records between timed ones: 4096 is the default, 1 times every record. */
        @Param({"4096", "1"})
        public int sampleEvery;

        /** {@code native}: jni-metrics (must load, or setup fails); {@code java}: the fallback. */
        @Param({"native", "java"})
        public String aggregator;

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
            // One chain state for the task's timers, as FlinkRecordTiming sets them up.
            ChainState chainState = new ChainState();
            source = new RecordTimer(timers[0], timers[1], task, sampleEvery, chainState);
            map = new RecordTimer(timers[2], timers[3], task, sampleEvery, chainState);
            filter = new RecordTimer(timers[4], timers[5], task, sampleEvery, chainState);
            sink = new RecordTimer(timers[6], timers[7], task, sampleEvery, chainState);
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

    /** A chain whose source is its head known in advance, as the patched source output sets it. */
    @State(Scope.Thread)
    public static class KnownHeadChain extends Chain {

        @Setup(Level.Trial)
        public void makeTheSourceTheHead() {
            if (!source.headChainAtRest()) {
                throw new IllegalStateException("the benchmark chain has no shared chain state");
            }
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

    /**
     * The chain as the patched Flink runs it: operators after the head first check whether the
     * record is untimed (the direct record processors), the head decides with {@code enter}.
     */
    @Benchmark
    public long chainOfFourDirect(Chain chain) {
        ChainState sourceState = chain.source.enter();
        try {
            value = work(directMapFilterSink(chain, work(value)));
        } finally {
            chain.source.exit(sourceState);
        }
        return value;
    }

    /**
     * As {@link #chainOfFourDirect}, with the source the head known in advance (a source's
     * output): the chain rests untimed, and an untimed record only counts down at the head.
     */
    @Benchmark
    public long chainOfFourKnownHead(KnownHeadChain chain) {
        RecordTimer head = chain.source;
        if (head.skipAtHead()) {
            value = work(directMapFilterSink(chain, work(value)));
            return value;
        }
        ChainState sourceState = head.enterHead();
        try {
            value = work(directMapFilterSink(chain, work(value)));
        } finally {
            head.exitHead(sourceState);
        }
        return value;
    }

    /**
     * Map, filter and sink as the direct record processors call them (inside an untimed record a
     * plain call, else the operator's timing around it and the operators it calls).
     */
    private long directMapFilterSink(Chain chain, long record) {
        if (chain.map.sharedChain().insideUntimedRecord()) {
            return directFilterSink(chain, work(record));
        }
        ChainState state = chain.map.enter();
        try {
            return directFilterSink(chain, work(record));
        } finally {
            chain.map.exit(state);
        }
    }

    private long directFilterSink(Chain chain, long record) {
        if (chain.filter.sharedChain().insideUntimedRecord()) {
            return (record & 1023) != 0 ? directSink(chain, record) : record;
        }
        ChainState state = chain.filter.enter();
        try {
            return (record & 1023) != 0 ? directSink(chain, record) : record;
        } finally {
            chain.filter.exit(state);
        }
    }

    private long directSink(Chain chain, long record) {
        if (chain.sink.sharedChain().insideUntimedRecord()) {
            return work(record);
        }
        ChainState state = chain.sink.enter();
        try {
            return work(record);
        } finally {
            chain.sink.exit(state);
        }
    }
}
