package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import org.junit.jupiter.api.Test;

/**
 * Loads the real libjni_metrics.so built by {@code cargo build -p jni-metrics --release} (the pom
 * passes its directory as {@code rightsize.test.native.dir}); skips with a notice without it.
 */
class NativeTimersTest {

    private static final long MS = 1_000_000L;

    static File nativeLibrary() {
        String dir = System.getProperty("rightsize.test.native.dir", "");
        File library = new File(dir, System.mapLibraryName(NativeTimers.LIBRARY_NAME));
        if (!library.isFile()) {
            System.err.println(
                    "SKIPPED native test: " + library + " not found (build it with "
                            + "`cargo build -p jni-metrics --release`)");
        }
        return library;
    }

    @Test
    void nativeAggregatorMatchesTheJavaOneOnTheSameSamples() {
        File library = nativeLibrary();
        assumeTrue(library.isFile(), "libjni_metrics.so not built");
        TimingSettings settings =
                TimingSettings.from(
                        key -> TimingSettings.NATIVE_LIBRARY.equals(key) ? library.getPath() : null);
        assertNull(NativeTimers.load(settings.nativeLibrary()));
        assertTrue(Aggregators.backend(settings).startsWith("native"));

        WindowedAggregator nativeOne = Aggregators.create("test", settings, 0);
        assertEquals("native", nativeOne.kind());
        JavaAggregator javaOne = new JavaAggregator(settings.windowMillis(), 0);
        long[] samples = new long[10_000];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = 1_000 + (i * 7919L) % 2_000_000;
        }
        nativeOne.recordBatch(samples, samples.length);
        javaOne.recordBatch(samples, samples.length);

        long[] fromNative = new long[Snapshot.LEN];
        long[] fromJava = new long[Snapshot.LEN];
        long end = settings.windowMillis() * MS;
        assertTrue(nativeOne.snapshot(end, fromNative));
        assertTrue(javaOne.snapshot(end, fromJava));
        for (int slot : new int[] {Snapshot.COUNT, Snapshot.SUM_NANOS, Snapshot.MIN_NANOS,
                Snapshot.MAX_NANOS, Snapshot.WINDOW_END_NANOS}) {
            assertEquals(fromJava[slot], fromNative[slot], "slot " + slot);
        }
        for (int slot = Snapshot.P50_NANOS; slot <= Snapshot.P999_NANOS; slot++) {
            double relative = Math.abs(fromNative[slot] - fromJava[slot]) / (double) fromJava[slot];
            assertTrue(relative < 0.04, "slot " + slot + ": " + fromNative[slot] + " vs "
                    + fromJava[slot]);
        }
        nativeOne.close();
        nativeOne.recordBatch(samples, samples.length);
        assertTrue(!nativeOne.snapshot(2 * end, fromNative), "closed timers report nothing");
        assertEquals(0, Aggregators.warningsLogged());
    }
}
