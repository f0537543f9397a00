import org.rightsize.flink.metrics.NativeTimers;

/** Loads libjni_metrics from java.library.path and drives every entry point once. */
public final class NativeTimersSmoke {
    static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        System.loadLibrary("jni_metrics");
        check(NativeTimers.abiVersion() == 1, "abiVersion");

        long t0 = System.nanoTime();
        long handle = NativeTimers.create("Map -> Sink: Writer \u00fc\ud83d\ude00", 1000, t0);
        check(handle > 0, "create returned " + handle);
        check(NativeTimers.create(null, 1000, t0) == -2, "null name");
        check(NativeTimers.create("x", 0, t0) == -2, "zero window");

        long[] samples = new long[5000];
        long sum = 0;
        for (int i = 0; i < samples.length; i++) {
            samples[i] = 1000L * (i + 1);
            sum += samples[i];
        }
        check(NativeTimers.recordBatch(handle, samples, samples.length) == samples.length, "record");
        check(NativeTimers.recordBatch(handle, samples, samples.length + 1) == -2, "count too large");
        check(NativeTimers.recordBatch(handle, samples, -1) == -2, "negative count");
        check(NativeTimers.recordBatch(handle, null, 0) == -2, "null array");
        check(NativeTimers.recordBatch(handle + 1, samples, 1) == -1, "forged handle");

        long[] out = new long[15];
        check(NativeTimers.snapshot(handle, t0 + 1, out) == 0, "no window yet");
        check(NativeTimers.snapshot(handle, t0 + 1_000_000_000L, new long[3]) == -2, "short out");
        check(NativeTimers.snapshot(handle, t0 + 1_000_000_000L, out) == 1, "snapshot");
        check(out[0] == t0 && out[1] == t0 + 1_000_000_000L, "window bounds");
        check(out[2] == samples.length, "count " + out[2]);
        check(out[3] == sum, "sum " + out[3]);
        check(out[5] == 1000 && out[6] == 5_000_000, "min/max " + out[5] + "/" + out[6]);
        check(Math.abs(out[13] - 4_995_000) * 128 <= 4_995_000, "p999 " + out[13]);

        check(NativeTimers.destroy(handle) == 1, "destroy");
        check(NativeTimers.destroy(handle) == -1, "double destroy");
        check(NativeTimers.recordBatch(handle, samples, 1) == -1, "stale handle");
        check(NativeTimers.snapshot(handle, t0, out) == -1, "stale snapshot");
        System.out.println("ok");
    }
}
