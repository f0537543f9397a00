package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The patched Flink with the native aggregator (libjni_metrics.so from the Rust build; skipped
 * with a notice when it has not been built), object reuse off: chained operators go through
 * {@code CopyingChainingOutput}.
 */
class RecordTimingNativeTest {

    @Test
    void metricsOfAJobWithKnownCostsOverRest() throws Exception {
        File library =
                new File(
                        System.getProperty("rightsize.test.native.dir", ""),
                        System.mapLibraryName(NativeTimers.LIBRARY_NAME));
        if (!library.isFile()) {
            System.err.println("SKIPPED RecordTimingNativeTest: " + library
                    + " not found; build it with `cargo build -p jni-metrics --release`");
        }
        assumeTrue(library.isFile(), "libjni_metrics.so not built");

        Map<String, String> config = new HashMap<>();
        config.put(TimingSettings.NATIVE_LIBRARY, library.getAbsolutePath());
        TimedJobCheck.runAndCheck(config, false);

        TimingSettings settings = TimingSettings.from(config::get);
        assertTrue(Aggregators.backend(settings).startsWith("native"), Aggregators.backend(settings));
        assertEquals(0, Aggregators.warningsLogged());
    }
}
