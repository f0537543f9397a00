/*
 * GcLoad: a small, deterministic GC workload whose truth is known, for testing GC log parsers.
 *
 * It retains a live set of a chosen size (an array of byte[] chunks), then allocates short-lived
 * garbage until a chosen volume is reached, replacing a few live chunks on the way (so old
 * collections have something to do) and optionally calling System.gc() N times at evenly spaced
 * points, plus once at the end (on Serial, Parallel and G1 each forces a full collection, after
 * which the heap holds exactly the live set plus the JVM's own objects). At the end it prints one
 * JSON line with what the JVM itself counted: every GarbageCollectorMXBean's name, collection
 * count and time, when they were read, the retained bytes, the heap limit, the JVM version and the
 * run's time window (wall clock and uptime). The GC log written by -Xlog is checked against it.
 *
 * Run as a single-file program (no build step): java -Xmx64m -Xlog:gc*:file=gc.log GcLoad.java
 *
 * Options (all optional):
 *   --live-mb N        live set retained for the whole run, MiB (default 24)
 *   --alloc-mb N       short-lived garbage to allocate in the steady phase, MiB (default 1024)
 *   --system-gc N      System.gc() calls, evenly spaced over the steady phase (default 0); one more
 *                      always follows the steady phase (see the end of main), and the printed
 *                      system_gc_calls counts it
 *   --churn-every-mb N replace one live chunk after every N MiB of garbage; 0 disables (default 8)
 *   --max-seconds N    stop the steady phase early after N seconds, a safety bound (default 20)
 *
 * Only java.base and java.management are used: compiled, any JDK 9+ (the first with -Xlog) runs
 * it; launched as a single source file, JDK 11+.
 */

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.util.Arrays;
import java.util.List;

public final class GcLoad {
    /** Live chunks stay well below G1's humongous threshold (half a region, 512 KiB at 1 MiB). */
    private static final int LIVE_CHUNK_BYTES = 64 * 1024;
    /** Garbage object sizes cycle through these, like a mix of small buffers and records. */
    private static final int[] GARBAGE_SIZES = {32, 96, 256, 1024, 4096, 16 * 1024};

    /** Holds the live set; static so no JIT escape analysis can remove it. */
    private static byte[][] live;
    /** The last few garbage objects: published so escape analysis cannot remove the allocation. */
    private static final Object[] recent = new Object[16];

    public static void main(String[] args) throws InterruptedException {
        checkOptions(args);
        int liveMb = intOption(args, "--live-mb", 24);
        long allocMb = intOption(args, "--alloc-mb", 1024);
        int systemGcs = intOption(args, "--system-gc", 0);
        int churnEveryMb = intOption(args, "--churn-every-mb", 8);
        int maxSeconds = intOption(args, "--max-seconds", 20);

        long liveBytes = (long) liveMb * 1024 * 1024;
        int chunks = (int) (liveBytes / LIVE_CHUNK_BYTES);
        live = new byte[chunks][];
        for (int i = 0; i < chunks; i++) {
            live[i] = filled(LIVE_CHUNK_BYTES, i);
        }

        long allocBytes = allocMb * 1024 * 1024;
        long churnEvery = (long) churnEveryMb * 1024 * 1024;
        long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
        long allocated = 0;
        long nextChurn = churnEvery;
        int gcsDone = 0;
        int churned = 0;
        int sizeIndex = 0;
        long sinceClockCheck = 0;
        boolean stoppedEarly = false;
        while (allocated < allocBytes) {
            int size = GARBAGE_SIZES[sizeIndex];
            sizeIndex = (sizeIndex + 1) % GARBAGE_SIZES.length;
            byte[] garbage = new byte[size];
            garbage[size - 1] = (byte) allocated;
            recent[sizeIndex] = garbage;
            allocated += size;
            sinceClockCheck += size;

            if (churnEvery > 0 && allocated >= nextChurn && chunks > 0) {
                // Old data dies and new data replaces it: the live size stays the same.
                live[churned % chunks] = filled(LIVE_CHUNK_BYTES, churned);
                churned++;
                nextChurn += churnEvery;
            }
            // System.gc() number k (1-based) happens after k/(N+1) of the volume.
            if (gcsDone < systemGcs && allocated >= allocBytes / (systemGcs + 1) * (gcsDone + 1)) {
                System.gc();
                gcsDone++;
            }
            if (sinceClockCheck >= 1024 * 1024) {
                sinceClockCheck = 0;
                if (System.nanoTime() > deadline) {
                    stoppedEarly = true;
                    break;
                }
            }
        }

        // A last System.gc() empties the young generation, so the little allocation left (reading
        // the counters, printing the truth) cannot start a collection the printed counts would miss.
        System.gc();
        gcsDone++;

        long retained = 0;
        for (byte[] chunk : live) {
            retained += chunk.length;
        }
        Snapshot counts = settledCounts();
        System.out.println(truthJson(counts, retained, allocated, gcsDone, churned, stoppedEarly));
    }

    /** The collectors' counts and times, and when they were read. */
    private static final class Snapshot {
        final String[] names;
        final long[] counts;
        final long[] timesMs;
        /** JVM uptime and wall clock just before the counts were read. */
        final long uptimeMs;
        final long epochMs;
        /** The counts did not change for a whole quiet period before they were read. */
        boolean settled;

        Snapshot(List<GarbageCollectorMXBean> beans) {
            uptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();
            epochMs = System.currentTimeMillis();
            names = new String[beans.size()];
            counts = new long[beans.size()];
            timesMs = new long[beans.size()];
            for (int i = 0; i < beans.size(); i++) {
                names[i] = beans.get(i).getName();
                counts[i] = beans.get(i).getCollectionCount();
                timesMs[i] = beans.get(i).getCollectionTime();
            }
        }
    }

    /**
     * Concurrent collectors (ZGC, Shenandoah) may be finishing a cycle when allocation stops, and
     * may start more on their own (Shenandoah's learning triggers, ZGC's timers). Reads the counts
     * once they stayed the same for a quiet period; every pause (a cycle starts with one) changes
     * a count, so no collection was under way then. A log may still show collections that started
     * after the read: the truth's counts_uptime_ms / counts_epoch_ms say where to stop counting.
     */
    private static Snapshot settledCounts() throws InterruptedException {
        List<GarbageCollectorMXBean> beans = ManagementFactory.getGarbageCollectorMXBeans();
        Snapshot previous = new Snapshot(beans);
        for (int attempt = 0; attempt < 30; attempt++) {
            Thread.sleep(100);
            Snapshot now = new Snapshot(beans);
            if (Arrays.equals(previous.counts, now.counts)) {
                now.settled = true;
                return now;
            }
            previous = now;
        }
        return previous;
    }

    private static byte[] filled(int size, int seed) {
        byte[] chunk = new byte[size];
        for (int i = 0; i < size; i += 4096) {
            chunk[i] = (byte) (seed + i);
        }
        return chunk;
    }

    private static String truthJson(Snapshot counts, long retained, long allocated, int systemGcs,
                                    int churned, boolean stoppedEarly) {
        StringBuilder json = new StringBuilder(512);
        json.append("{\"java_version\":").append(quoted(System.getProperty("java.version")));
        json.append(",\"vm_version\":").append(quoted(System.getProperty("java.vm.version")));
        json.append(",\"vm_name\":").append(quoted(System.getProperty("java.vm.name")));
        // Every timestamp in the log lies between the JVM's start and the end of the run: the
        // window a parser's wall-clock and uptime values are checked against.
        RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
        json.append(",\"jvm_start_epoch_ms\":").append(runtime.getStartTime());
        json.append(",\"counts_uptime_ms\":").append(counts.uptimeMs);
        json.append(",\"counts_epoch_ms\":").append(counts.epochMs);
        json.append(",\"counts_settled\":").append(counts.settled);
        json.append(",\"uptime_ms\":").append(runtime.getUptime());
        json.append(",\"end_epoch_ms\":").append(System.currentTimeMillis());
        json.append(",\"max_memory_bytes\":").append(Runtime.getRuntime().maxMemory());
        json.append(",\"live_bytes\":").append(retained);
        json.append(",\"live_chunk_bytes\":").append(LIVE_CHUNK_BYTES);
        json.append(",\"allocated_bytes\":").append(allocated);
        json.append(",\"system_gc_calls\":").append(systemGcs);
        json.append(",\"live_chunks_replaced\":").append(churned);
        json.append(",\"stopped_early\":").append(stoppedEarly);
        json.append(",\"collectors\":[");
        for (int i = 0; i < counts.names.length; i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append("{\"name\":").append(quoted(counts.names[i]));
            json.append(",\"count\":").append(counts.counts[i]);
            json.append(",\"time_ms\":").append(counts.timesMs[i]).append('}');
        }
        return json.append("]}").toString();
    }

    private static String quoted(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static final List<String> OPTIONS =
        Arrays.asList("--live-mb", "--alloc-mb", "--system-gc", "--churn-every-mb", "--max-seconds");

    /** Options come in pairs: a known name and a whole number that is not negative. */
    private static void checkOptions(String[] args) {
        for (int i = 0; i < args.length; i += 2) {
            if (!OPTIONS.contains(args[i]) || i + 1 == args.length) {
                throw new IllegalArgumentException("expected one of " + OPTIONS + " and a number, got "
                    + String.join(" ", Arrays.copyOfRange(args, i, args.length)));
            }
            intOption(args, args[i], 0);
        }
    }

    private static int intOption(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals(name)) {
                int value;
                try {
                    value = Integer.parseInt(args[i + 1]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(name + " needs a whole number, got " + args[i + 1], e);
                }
                if (value < 0) {
                    throw new IllegalArgumentException(name + " cannot be negative, got " + value);
                }
                return value;
            }
        }
        return fallback;
    }
}
