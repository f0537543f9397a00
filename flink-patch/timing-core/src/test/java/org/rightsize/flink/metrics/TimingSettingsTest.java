package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TimingSettingsTest {

    private static TimingSettings read(String... keyValues) {
        Map<String, String> config = new HashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            config.put(keyValues[i], keyValues[i + 1]);
        }
        return TimingSettings.from(config::get);
    }

    @Test
    void unsetKeysGiveTheDocumentedDefaults() {
        TimingSettings settings = read();
        assertTrue(settings.enabled());
        assertEquals(100, settings.sampleIntervalMillis());
        assertEquals(10_000, settings.windowMillis());
        assertNull(settings.nativeLibrary());
        assertTrue(settings.problems().isEmpty());
    }

    @Test
    void readsEveryKey() {
        TimingSettings settings =
                read(
                        "rightsize.timing.enabled", "FALSE",
                        "rightsize.timing.sample-interval", " 0 ms ",
                        "rightsize.timing.window", "1 s",
                        "rightsize.timing.native-library", "/opt/flink/lib/libjni_metrics.so");
        assertFalse(settings.enabled());
        assertEquals(0, settings.sampleIntervalMillis());
        assertEquals(1_000, settings.windowMillis());
        assertEquals("/opt/flink/lib/libjni_metrics.so", settings.nativeLibrary());
        assertTrue(settings.problems().isEmpty());
    }

    @Test
    void durationsInFlinksNotation() {
        assertEquals(500, TimingSettings.parseDurationMillis("500ms"));
        assertEquals(500, TimingSettings.parseDurationMillis("500"));
        assertEquals(10_000, TimingSettings.parseDurationMillis("10 s"));
        assertEquals(10_000, TimingSettings.parseDurationMillis("10 SECONDS"));
        assertEquals(120_000, TimingSettings.parseDurationMillis("2 min"));
        assertEquals(3_600_000, TimingSettings.parseDurationMillis("1h"));
        assertEquals(-1, TimingSettings.parseDurationMillis("ten seconds"));
        assertEquals(-1, TimingSettings.parseDurationMillis("10 fortnights"));
        assertEquals(-1, TimingSettings.parseDurationMillis("99999999999999999999 s"));
    }

    @Test
    void invalidValuesFallBackToDefaultsAndSayWhy() {
        TimingSettings settings =
                read(
                        "rightsize.timing.enabled", "yes",
                        "rightsize.timing.sample-interval", "often",
                        "rightsize.timing.sample-every", "1",
                        "rightsize.timing.window", "-5 s");
        assertTrue(settings.enabled());
        assertEquals(TimingSettings.DEFAULT_SAMPLE_INTERVAL_MILLIS, settings.sampleIntervalMillis());
        assertEquals(TimingSettings.DEFAULT_WINDOW_MILLIS, settings.windowMillis());
        assertEquals(4, settings.problems().size());
        assertTrue(settings.problems().get(0).contains("rightsize.timing.enabled"));
        assertTrue(settings.problems().get(1).contains("'often'"));
        assertTrue(settings.problems().get(2).contains("set rightsize.timing.sample-interval"));
        assertTrue(settings.problems().get(3).contains("rightsize.timing.window"));
    }

    @Test
    void blankValuesCountAsUnset() {
        TimingSettings settings = read("rightsize.timing.native-library", "  ");
        assertNull(settings.nativeLibrary());
        assertTrue(settings.problems().isEmpty());
    }
}
