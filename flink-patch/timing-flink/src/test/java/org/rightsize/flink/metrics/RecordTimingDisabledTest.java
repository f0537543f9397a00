package org.rightsize.flink.metrics;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code rightsize.timing.enabled: false} leaves Flink's record processing untimed. */
class RecordTimingDisabledTest {

    @Test
    void registersNoMetricWhenDisabled() throws Exception {
        Map<String, String> config = new HashMap<>();
        config.put(TimingSettings.ENABLED, "false");
        TimedJobCheck.runAndCheckDisabled(config);
    }
}
