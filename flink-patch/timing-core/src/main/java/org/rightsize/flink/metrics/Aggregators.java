package org.rightsize.flink.metrics;

import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates aggregators: native (jni-metrics) when the library loads and passes the ABI check,
 * otherwise the pure-Java one, announced by a single warning per JVM so that a TaskManager
 * without the library runs its jobs as usual.
 */
public final class Aggregators {

    private static final Logger LOG = LoggerFactory.getLogger(Aggregators.class);
    private static final AtomicInteger WARNINGS = new AtomicInteger();
    private static volatile boolean nativeCreateFailed;
    private static final AtomicInteger FALLBACK_WARNED = new AtomicInteger();

    private Aggregators() {}

    /**
     * An aggregator for one timer; never null, never throws. Its first window starts at the
     * last multiple of the window length on the {@code System.nanoTime()} clock, so all timers of
     * a JVM share window boundaries: a task's and its operators' gauges, read together, describe
     * the same records.
     */
    public static WindowedAggregator create(String name, TimingSettings settings, long nowNanos) {
        long windowNanos = settings.windowMillis() * 1_000_000L;
        long windowStart = nowNanos - Math.floorMod(nowNanos, windowNanos);
        String failure = NativeTimers.load(settings.nativeLibrary());
        if (failure != null) {
            warnOnceAboutFallback(failure);
        } else if (!nativeCreateFailed) {
            int[] status = new int[1];
            try {
                NativeAggregator aggregator =
                        NativeAggregator.create(name, settings.windowMillis(), windowStart, status);
                if (aggregator != null) {
                    return aggregator;
                }
            } catch (LinkageError e) {
                status[0] = Integer.MIN_VALUE;
            }
            nativeCreateFailed = true;
            warn(
                    "Rightsize record timing: jni-metrics refused a new timer (status {}); "
                            + "using the pure-Java aggregator for new timers from now on. "
                            + "Status -3 means 4096 timers are alive: restart the TaskManager.",
                    status[0]);
        }
        return new JavaAggregator(settings.windowMillis(), windowStart);
    }

    /** Number of warnings logged so far (tests check that a missing library warns once). */
    public static int warningsLogged() {
        return WARNINGS.get();
    }

    /** {@code native (<path>)} or {@code java}, for logs and tests. */
    public static String backend(TimingSettings settings) {
        String failure = NativeTimers.load(settings.nativeLibrary());
        return failure == null && !nativeCreateFailed
                ? "native (" + NativeTimers.loadedFrom() + ")"
                : "java";
    }

    private static void warnOnceAboutFallback(String reason) {
        if (FALLBACK_WARNED.compareAndSet(0, 1)) {
            warn(
                    "Rightsize record timing: native library unavailable ({}); timing records "
                            + "with the pure-Java aggregator instead.",
                    reason);
        }
    }

    private static void warn(String format, Object argument) {
        WARNINGS.incrementAndGet();
        LOG.warn(format, argument);
    }
}
