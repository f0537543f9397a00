package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The patched Flink when the native library cannot be loaded: the job runs, the pure-Java
 * aggregator reports the same metrics, and one warning is logged. Object reuse on: chained
 * operators go through {@code ChainingOutput}.
 */
class RecordTimingWithoutNativeLibraryTest {

    @Test
    void fallsBackToTheJavaAggregatorWithOneWarning() throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put(TimingSettings.NATIVE_LIBRARY, "/nonexistent/rightsize/libjni_metrics.so");
        TimedJobCheck.runAndCheck(config, true);

        assertEquals("java", Aggregators.backend(TimingSettings.from(config::get)));
        assertEquals(1, Aggregators.warningsLogged());
    }
}
