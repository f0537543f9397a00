package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Without the library (a path that does not exist) timing falls back with one warning. */
class FallbackTest {

    @Test
    void aMissingLibraryGivesJavaAggregatorsAndOneWarning() {
        TimingSettings settings =
                TimingSettings.from(
                        key -> TimingSettings.NATIVE_LIBRARY.equals(key)
                                ? "/nonexistent/libjni_metrics.so"
                                : null);
        String failure = NativeTimers.load(settings.nativeLibrary());
        assertNotNull(failure);
        assertTrue(failure.contains("/nonexistent/libjni_metrics.so"), failure);
        for (int i = 0; i < 5; i++) {
            WindowedAggregator aggregator = Aggregators.create("t" + i, settings, 0);
            assertEquals("java", aggregator.kind());
        }
        assertEquals("java", Aggregators.backend(settings));
        assertEquals(1, Aggregators.warningsLogged());
    }

    @Test
    void timersCreatedInTheSameWindowShareItsBoundaries() {
        TimingSettings settings =
                TimingSettings.from(
                        key -> {
                            if (TimingSettings.NATIVE_LIBRARY.equals(key)) {
                                return "/nonexistent/libjni_metrics.so";
                            }
                            return TimingSettings.WINDOW.equals(key) ? "1 s" : null;
                        });
        long second = 1_000_000_000L;
        WindowedAggregator early = Aggregators.create("early", settings, 7 * second + 100_000_000L);
        WindowedAggregator late = Aggregators.create("late", settings, 7 * second + 900_000_000L);
        long[] fromEarly = new long[Snapshot.LEN];
        long[] fromLate = new long[Snapshot.LEN];
        assertTrue(early.snapshot(8 * second, fromEarly));
        assertTrue(late.snapshot(8 * second, fromLate));
        assertEquals(7 * second, fromEarly[Snapshot.WINDOW_START_NANOS]);
        assertEquals(7 * second, fromLate[Snapshot.WINDOW_START_NANOS]);
        assertEquals(1, Aggregators.warningsLogged());
    }
}
