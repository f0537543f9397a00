import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The cheapest chained pipeline Flink runs (a bounded source of longs → map → filter → discarding
 * sink, parallelism 1, object reuse on) on a local MiniCluster: the case where per-record timing
 * costs the most relative to the work. Run by {@code overhead.sh} in a fresh JVM per run, with
 * stock Flink's classpath or with the overlay jar in front of it.
 *
 * <p>Arguments: {@code records [key=value ...]}; each {@code key=value} goes into the
 * TaskManager's configuration (for example {@code rightsize.timing.sample-interval=0}). {@link
 * #WARM_UP_JOBS} warm-up jobs of half the records each let the JIT compile (and recompile) the
 * record path, then the measured job runs.
 * Prints one line {@code RESULT records=… seconds=… records_per_s=… task_cpu_seconds=…
 * records_per_task_cpu_s=…}: the wall time is the measured job's net runtime as Flink reports it
 * (deployment included, JVM start-up not); the CPU time is that of the task thread that runs the
 * chain, read every 10 ms while the job runs (so up to 10 ms of it is missed at the end). On a
 * machine shared with other work, the task's CPU time is the steadier measure: preemption costs
 * wall time, not CPU time, and the JIT compiler's and GC's threads are left out.
 *
 * <p>Compiled against each release's {@code flink-dist} jar, so it uses only API that Flink
 * 1.20 and 2.x share, and reaches the overlay's classes by reflection (absent on stock Flink).
 */
public final class OverheadPipeline {

    /**
     * Jobs run before the measured one. One is not enough with timing on: the first armings make
     * the JIT recompile parts of the record path, and after one warm-up job that still cost the
     * measured job about 3 % on Flink 2.3.0 (none after two). A TaskManager runs for hours, so
     * the benchmark measures compiled code, not compilation.
     */
    private static final int WARM_UP_JOBS = 2;

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

        for (int job = 0; job < WARM_UP_JOBS; job++) {
            run(Math.max(1, records / 2), settings);
        }
        TaskCpu taskCpu = TaskCpu.start();
        JobExecutionResult result = run(records, settings);
        double cpuSeconds = taskCpu.stop() / 1e9;
        double samplerSeconds = taskCpu.samplerNanos() / 1e9;
        double seconds = result.getNetRuntime() / 1000.0;
        System.out.printf(
                java.util.Locale.ROOT,
                "RESULT records=%d seconds=%.3f records_per_s=%.0f task_cpu_seconds=%.3f"
                        + " records_per_task_cpu_s=%.0f sampler_cpu_seconds=%.4f%n",
                records,
                seconds,
                records / seconds,
                cpuSeconds,
                cpuSeconds > 0 ? records / cpuSeconds : 0,
                samplerSeconds);
    }

    /**
     * CPU time of the task threads (named after their chain, which starts with the source) and
     * of the timing's sampler thread (counted with them: it works for the task), polled every
     * 10 ms until {@link #stop}: a thread's CPU time cannot be read once it ended. Threads that
     * already ran before {@link #start} (the sampler, since the warm-up jobs) count from there.
     */
    private static final class TaskCpu implements Runnable {
        private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        private final Map<Long, Long> cpuByThread = new HashMap<>();
        private final Map<Long, Long> cpuBeforeStart = new HashMap<>();
        private final Map<Long, Long> samplerCpu = new HashMap<>();
        private final Thread poller = new Thread(this, "task-cpu-poller");
        private volatile boolean stopped;

        static TaskCpu start() {
            TaskCpu taskCpu = new TaskCpu();
            taskCpu.poll();
            taskCpu.cpuBeforeStart.putAll(taskCpu.cpuByThread);
            taskCpu.poller.setDaemon(true);
            taskCpu.poller.start();
            return taskCpu;
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
            for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info == null) {
                    continue;
                }
                boolean sampler = info.getThreadName().equals("rightsize-timing-sampler");
                if (sampler || info.getThreadName().startsWith("Source: ")) {
                    long cpu = threads.getThreadCpuTime(info.getThreadId());
                    if (cpu > 0) {
                        cpuByThread.merge(info.getThreadId(), cpu, Math::max);
                        if (sampler) {
                            samplerCpu.put(info.getThreadId(), cpu);
                        }
                    }
                }
            }
        }

        /** Stops polling; the task threads' CPU nanoseconds seen, 0 if the JVM reports none. */
        long stop() throws InterruptedException {
            stopped = true;
            poller.join();
            return sinceStart(cpuByThread);
        }

        /** CPU nanoseconds of the sampler thread while the measured job ran (0 without one). */
        long samplerNanos() {
            return sinceStart(samplerCpu);
        }

        /** CPU nanoseconds of these threads since {@link #start}. */
        private long sinceStart(Map<Long, Long> cpuByThreadId) {
            long total = 0;
            for (Map.Entry<Long, Long> thread : cpuByThreadId.entrySet()) {
                total += thread.getValue() - cpuBeforeStart.getOrDefault(thread.getKey(), 0L);
            }
            return total;
        }
    }

    private static JobExecutionResult run(long records, Map<String, String> settings)
            throws Exception {
        Map<String, String> config = new HashMap<>(settings);
        // One slot, no web UI: nothing else competes with the task thread for the two cores.
        config.put("taskmanager.numberOfTaskSlots", "1");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(1, Configuration.fromMap(config));
        env.getConfig().enableObjectReuse();
        env.fromSequence(1, records)
                .map(value -> value * 31 + 7)
                .returns(Long.class)
                .filter(value -> (value & 1023) != 0)
                .sinkTo(new DiscardingSink<>());
        return env.execute("rightsize-overhead");
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
