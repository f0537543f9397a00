import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.TimeUtils;

/**
 * The cheapest chained pipeline Flink runs (a bounded source of longs → map → filter → discarding
 * sink, parallelism 1, object reuse on) on a local MiniCluster: the case where per-record timing
 * costs the most relative to the work. Run by {@code overhead.sh} in a fresh JVM per run, with
 * stock Flink's classpath or with the overlay jar in front of it.
 *
 * <p>Arguments: {@code records [key=value ...]}; each {@code key=value} goes into the
 * TaskManager's configuration (for example {@code rightsize.timing.sample-interval=0}). With
 * {@code pipeline.auto-watermark-interval} set, the source also has a watermark generator that
 * does nothing but be called on that interval: the periodic mail that makes the source task
 * leave its record loop, as every job with event-time watermarks has (without it, timing's
 * armings are about the only mails this job gets). With {@code -Doverhead.lines=FILE} the source
 * reads FILE's lines instead (one record a line; {@code SOURCE=lines} in the scripts): a reader
 * of the kind Kafka's source uses, see {@link #runOnLines}.
 *
 * <p>One job, measured in its steady state: every 10 ms a poller reads how many records the map
 * has seen and the CPU time of the task thread (and of the timing's sampler thread), and the
 * rates are taken over the records from {@link #STEADY_FROM} to {@link #STEADY_TO} of the job.
 * The start is left out because a job's first second is the JIT's: it compiles the record path,
 * and with timing on recompiles it after the first armings; when that finishes varies from one
 * JVM to the next by tenths of a second, which would swamp a 1 % difference (it did, when this
 * benchmark timed whole jobs of 30 M records after warm-up jobs). A TaskManager runs a job for
 * hours, so the steady state is what timing costs. On a machine shared with other work, CPU time
 * is the steadier measure: preemption costs wall time, not CPU time, and the JIT compiler's and
 * GC's threads are left out.
 *
 * <p>Prints one line {@code RESULT records=… window_records=… seconds=… records_per_s=…
 * task_cpu_seconds=… records_per_task_cpu_s=… sampler_cpu_seconds=… job_seconds=…}: the rates
 * and times are the window's, {@code job_seconds} is the whole job's net runtime as Flink reports
 * it.
 *
 * <p>With {@code -Doverhead.callgrind=true} ({@code instructions.sh}), the run is under valgrind's
 * callgrind, and the measure is the instructions the task thread executes per record: see {@link
 * CallgrindWindow}.
 *
 * <p>Compiled against each release's {@code flink-dist} jar, so it uses only API that Flink
 * 1.20 and 2.x share, and reaches the overlay's classes by reflection (absent on stock Flink).
 */
public final class OverheadPipeline {

    /** Share of the job's records after which the measured window starts. */
    private static final double STEADY_FROM = 0.5;

    /** Share of the job's records before which it ends (the job winds down after its last). */
    private static final double STEADY_TO = 0.98;

    /**
     * Records the map has seen. Written by the task thread alone and read racily by the poller:
     * a plain field, as a volatile write per record would cost more than timing does.
     */
    private static long recordsSeen;

    /** Whether the run is under callgrind and counts instructions (see {@link CallgrindWindow}). */
    private static final boolean UNDER_CALLGRIND = Boolean.getBoolean("overhead.callgrind");

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: OverheadPipeline RECORDS [rightsize.timing.KEY=VALUE ...]");
            System.exit(2);
        }
        long records = Long.parseLong(args[0]);
        Map<String, String> settings = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq <= 0) {
                System.err.println("expected KEY=VALUE, got '" + args[i] + "'");
                System.exit(2);
            }
            settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        System.out.println("INFO " + describeTiming(settings));

        long prelude = Long.getLong("overhead.prelude", 0);
        if (prelude > 0) {
            System.out.println("INFO prelude: a keyed chain of " + prelude + " records first");
            runKeyedPrelude(prelude, settings);
        }
        CallgrindWindow window = UNDER_CALLGRIND ? new CallgrindWindow(records) : null;
        Progress progress = Progress.start(window);
        JobExecutionResult result = run(records, settings);
        CallgrindWindow.jobEnded = true;
        progress.stop();
        if (window != null) {
            window.report();
        }
        Progress.Sample from = progress.firstAtLeast((long) (records * STEADY_FROM));
        Progress.Sample to = progress.lastAtMost((long) (records * STEADY_TO));
        if (from == null || to == null || to.records <= from.records) {
            System.err.println("too few progress samples for a steady-state window: run more records");
            System.exit(1);
        }
        System.out.println("INFO " + progress.ratesByTenth(records));
        long windowRecords = to.records - from.records;
        double seconds = (to.wallNanos - from.wallNanos) / 1e9;
        double cpuSeconds = (to.cpuNanos - from.cpuNanos) / 1e9;
        double samplerSeconds = (to.samplerNanos - from.samplerNanos) / 1e9;
        System.out.printf(
                java.util.Locale.ROOT,
                "RESULT records=%d window_records=%d seconds=%.3f records_per_s=%.0f"
                        + " task_cpu_seconds=%.3f records_per_task_cpu_s=%.0f"
                        + " sampler_cpu_seconds=%.4f job_seconds=%.3f%n",
                records,
                windowRecords,
                seconds,
                windowRecords / seconds,
                cpuSeconds,
                to.recordsPerCpuSecondSince(from),
                samplerSeconds,
                result.getNetRuntime() / 1000.0);
    }

    /**
     * The job's progress every 10 ms: records seen, wall time, and the CPU time of the task
     * threads (named after their chain, which starts with the source) and of the timing's
     * sampler thread (counted with them: it works for the task). A thread's CPU time cannot be
     * read once it ended, hence the polling.
     */
    private static final class Progress implements Runnable {

        /** One poll. */
        static final class Sample {
            final long records;
            final long wallNanos;
            final long cpuNanos;
            final long samplerNanos;

            Sample(long records, long wallNanos, long cpuNanos, long samplerNanos) {
                this.records = records;
                this.wallNanos = wallNanos;
                this.cpuNanos = cpuNanos;
                this.samplerNanos = samplerNanos;
            }

            /** Records per task CPU-second from {@code earlier} to this sample; 0 without CPU. */
            double recordsPerCpuSecondSince(Sample earlier) {
                long cpu = cpuNanos - earlier.cpuNanos;
                return cpu > 0 ? (records - earlier.records) * 1e9 / cpu : 0;
            }
        }

        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final List<Sample> samples = new ArrayList<>();
        private final Thread poller = new Thread(this, "progress-poller");
        private final CallgrindWindow window;
        private volatile boolean stopped;

        private Progress(CallgrindWindow window) {
            this.window = window;
        }

        static Progress start(CallgrindWindow window) {
            Progress progress = new Progress(window);
            progress.poller.setDaemon(true);
            progress.poller.start();
            return progress;
        }

        @Override
        public void run() {
            while (!stopped) {
                poll();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void poll() {
            long records = recordsSeen;
            if (window != null) {
                window.atRecords(records);
            }
            long wall = System.nanoTime();
            long cpu = 0;
            long sampler = 0;
            for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info == null) {
                    continue;
                }
                boolean isSampler = info.getThreadName().equals("rightsize-timing-sampler");
                if (isSampler || info.getThreadName().startsWith("Source: ")) {
                    long threadCpu = Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
                    cpu += threadCpu;
                    if (isSampler) {
                        sampler += threadCpu;
                    }
                }
            }
            synchronized (samples) {
                samples.add(new Sample(records, wall, cpu, sampler));
            }
        }

        void stop() throws InterruptedException {
            stopped = true;
            poller.join();
        }

        Sample firstAtLeast(long records) {
            synchronized (samples) {
                for (Sample sample : samples) {
                    if (sample.records >= records) {
                        return sample;
                    }
                }
                return null;
            }
        }

        /** Records per CPU-second in each tenth of the job's records: where the steady state starts. */
        String ratesByTenth(long records) {
            StringBuilder rates = new StringBuilder("M records per task CPU-second, by tenth of the job:");
            Sample previous = firstAtLeast(0);
            for (int tenth = 1; tenth <= 10 && previous != null; tenth++) {
                Sample next = lastAtMost(records * tenth / 10);
                if (next == null || next.cpuNanos <= previous.cpuNanos) {
                    break;
                }
                rates.append(String.format(
                        java.util.Locale.ROOT, " %.1f", next.recordsPerCpuSecondSince(previous) / 1e6));
                previous = next;
            }
            return rates.toString();
        }

        Sample lastAtMost(long records) {
            synchronized (samples) {
                for (int i = samples.size() - 1; i >= 0; i--) {
                    if (samples.get(i).records <= records) {
                        return samples.get(i);
                    }
                }
                return null;
            }
        }
    }

    /**
     * The measured window of a run under valgrind's callgrind: the task thread's instructions
     * from {@link #STEADY_FROM} of the records to {@link #CALLGRIND_TO}. Instructions per record
     * are deterministic where the machine's timings are not: two runs of one configuration agree
     * to a fraction of a per cent, so a difference of one instruction a record shows in one run.
     *
     * <p>The poller zeroes callgrind's counters at the window's start and dumps them at its end
     * ({@code callgrind_control}, which under valgrind takes seconds to minutes). To make the
     * window exact, the map stalls the task thread between two records meanwhile. The map's
     * check for a stall is a branch C2 would compile as never taken and deoptimise on first use,
     * leaving the window to count the recompilation; so the poller rehearses the stall at 1 K,
     * 2 K, 4 K … records, up to a quarter of the job, and the first stall that counts finds the
     * branch compiled.
     */
    private static final class CallgrindWindow {

        /** Share of the job's records at which the window ends: late stalls overshoot. */
        private static final double CALLGRIND_TO = 0.9;

        static volatile boolean stallRequested;
        private static volatile boolean stalled;
        private static volatile boolean jobEnded;

        private final long records;
        private long nextRehearsal = 1024;
        private long zeroedAt = -1;
        private long dumpedAt = -1;

        CallgrindWindow(long records) {
            this.records = records;
        }

        /** The task thread, between two records: waits while a stall is requested. */
        static void stall() throws InterruptedException {
            stalled = true;
            while (stallRequested) {
                Thread.sleep(1);
            }
            stalled = false;
        }

        /** The poller, at each poll: rehearses, or zeroes or dumps the counters, when due. */
        void atRecords(long seen) {
            if (zeroedAt < 0 && seen >= nextRehearsal && nextRehearsal < records / 4) {
                stallWhile(null);
                nextRehearsal *= 2;
            } else if (zeroedAt < 0 && seen >= (long) (records * STEADY_FROM)) {
                zeroedAt = stallWhile("--zero");
            } else if (zeroedAt >= 0 && dumpedAt < 0 && seen >= (long) (records * CALLGRIND_TO)) {
                dumpedAt = stallWhile("--dump=window");
            }
        }

        /**
         * Stalls the task thread and runs callgrind_control with {@code command}, if any; returns
         * the records seen, or -1 if the job ended first.
         */
        private static long stallWhile(String command) {
            stallRequested = true;
            while (!stalled) {
                if (jobEnded) {
                    stallRequested = false;
                    return -1;
                }
                Thread.onSpinWait();
            }
            long seen = recordsSeen;
            if (command != null) {
                callgrindControl(command);
            }
            stallRequested = false;
            while (stalled) {
                Thread.onSpinWait();
            }
            return seen;
        }

        private static void callgrindControl(String command) {
            String pid = String.valueOf(ProcessHandle.current().pid());
            try {
                Process control =
                        new ProcessBuilder("callgrind_control", command, pid)
                                .redirectErrorStream(true)
                                .start();
                String output = new String(control.getInputStream().readAllBytes());
                if (control.waitFor() != 0 || output.contains("Error")) {
                    throw new IllegalStateException(output.trim());
                }
            } catch (Exception e) {
                System.err.println(
                        "callgrind_control "
                                + command
                                + " failed ("
                                + e.getMessage()
                                + "): -Doverhead.callgrind=true needs the JVM to run under"
                                + " valgrind --tool=callgrind, as instructions.sh runs it");
                System.exit(1);
            }
        }

        /**
         * After the job: prints {@code WINDOW from=… to=…}, the records seen when the counters
         * were zeroed and dumped.
         */
        void report() {
            if (dumpedAt < 0) {
                System.err.println("the job ended before the instruction window did: run more records");
                System.exit(1);
            }
            System.out.println("WINDOW from=" + zeroedAt + " to=" + dumpedAt);
        }
    }

    /** Called for every record and on every watermark interval; emits nothing. */
    private static final class PeriodicNoWatermarks implements WatermarkGenerator<Long> {
        @Override
        public void onEvent(Long event, long eventTimestamp, WatermarkOutput output) {}

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {}
    }

    private static JobExecutionResult run(long records, Map<String, String> settings)
            throws Exception {
        StreamExecutionEnvironment env = localEnvironment(settings);
        String linesFile = System.getProperty("overhead.lines");
        if (linesFile != null) {
            return runOnLines(env, linesFile);
        }
        String watermarkInterval = settings.get("pipeline.auto-watermark-interval");
        DataStream<Long> numbers;
        if (watermarkInterval == null) {
            numbers = env.fromSequence(1, records);
        } else {
            env.getConfig()
                    .setAutoWatermarkInterval(TimeUtils.parseDuration(watermarkInterval).toMillis());
            numbers =
                    env.fromSource(
                            new NumberSequenceSource(1, records),
                            WatermarkStrategy.forGenerator(context -> new PeriodicNoWatermarks()),
                            "Sequence Source");
        }
        MapFunction<Long, Long> map;
        if (UNDER_CALLGRIND) {
            map =
                    value -> {
                        if (CallgrindWindow.stallRequested) {
                            CallgrindWindow.stall();
                        }
                        recordsSeen++;
                        return value * 31 + 7;
                    };
        } else {
            map =
                    value -> {
                        recordsSeen++;
                        return value * 31 + 7;
                    };
        }
        return filterAndDiscard(numbers.map(map), "rightsize-overhead");
    }

    /**
     * The same chain behind a source of another kind: a {@link FileSource} of text lines, one
     * record a line, mapped to its length. Its reader is {@code SourceReaderBase}, the one
     * Kafka's source builds on: bigger than the sequence's, so the JIT compiles the reader's
     * record path apart from the source's record loop rather than into it.
     */
    private static JobExecutionResult runOnLines(StreamExecutionEnvironment env, String file)
            throws Exception {
        DataStream<String> lines =
                env.fromSource(
                        FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(file))
                                .build(),
                        WatermarkStrategy.noWatermarks(),
                        "Lines Source");
        MapFunction<String, Long> map;
        if (UNDER_CALLGRIND) {
            map =
                    line -> {
                        if (CallgrindWindow.stallRequested) {
                            CallgrindWindow.stall();
                        }
                        recordsSeen++;
                        return line.length() * 31L + 7;
                    };
        } else {
            map =
                    line -> {
                        recordsSeen++;
                        return line.length() * 31L + 7;
                    };
        }
        return filterAndDiscard(lines.map(map), "rightsize-overhead");
    }

    /**
     * A job run before the measured one, in the same JVM ({@code -Doverhead.prelude=RECORDS},
     * {@code PRELUDE} in the scripts): a source → a keyed map → a filter → a discarding sink,
     * chained. Flink builds a keyed operator's record processor as a lambda that sets the key
     * context first, another class than the plain processor of the others, so afterwards each
     * call site that holds record processors ({@code ChainingOutput}'s) has seen two classes,
     * as it has in a TaskManager that ran jobs with keyed operators, and the JIT compiles the
     * measured job's record path for both. The prelude stands for the jobs the TaskManager ran
     * before, so it runs with the default sample interval whatever the measured job's: with
     * {@code default@1h}, the measured job never arms, yet its switches have held timed
     * processors, which isolates what that costs the compiled record path.
     */
    private static void runKeyedPrelude(long records, Map<String, String> settings)
            throws Exception {
        Map<String, String> defaultInterval = new HashMap<>(settings);
        defaultInterval.remove("rightsize.timing.sample-interval");
        StreamExecutionEnvironment env = localEnvironment(defaultInterval);
        filterAndDiscard(
                DataStreamUtils.reinterpretAsKeyedStream(
                                env.fromSequence(1, records), value -> value & 127)
                        .map(value -> value * 31 + 7),
                "rightsize-overhead-prelude");
    }

    /** A local MiniCluster with {@code settings}, one slot, parallelism 1, object reuse on. */
    private static StreamExecutionEnvironment localEnvironment(Map<String, String> settings) {
        Map<String, String> config = new HashMap<>(settings);
        // One slot, no web UI: nothing else competes with the task thread for the two cores.
        config.put("taskmanager.numberOfTaskSlots", "1");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(1, Configuration.fromMap(config));
        env.getConfig().enableObjectReuse();
        return env;
    }

    /** The rest of the chain, after the map: a cheap filter and a sink that drops everything. */
    private static JobExecutionResult filterAndDiscard(
            SingleOutputStreamOperator<Long> mapped, String jobName) throws Exception {
        mapped.returns(Long.class)
                .filter(value -> (value & 1023) != 0)
                .sinkTo(new DiscardingSink<>());
        return mapped.getExecutionEnvironment().execute(jobName);
    }

    /**
     * Where the patched record processor comes from and which aggregator timing would use, so a
     * run on the wrong classpath shows up in the output instead of as a too-good number.
     */
    private static String describeTiming(Map<String, String> settings) throws Exception {
        String patchedFrom =
                Class.forName("org.apache.flink.streaming.runtime.tasks.ChainingOutput")
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .getPath();
        String backend;
        try {
            Class<?> settingsClass = Class.forName("org.rightsize.flink.metrics.TimingSettings");
            Function<String, String> lookup = settings::get;
            Object parsed = settingsClass.getMethod("from", Function.class).invoke(null, lookup);
            Method backendOf =
                    Class.forName("org.rightsize.flink.metrics.Aggregators")
                            .getMethod("backend", settingsClass);
            backend = parsed + "; aggregator " + backendOf.invoke(null, parsed);
        } catch (ClassNotFoundException e) {
            backend = "no Rightsize classes (stock Flink)";
        }
        return "ChainingOutput from " + patchedFrom + "; " + backend;
    }
}
