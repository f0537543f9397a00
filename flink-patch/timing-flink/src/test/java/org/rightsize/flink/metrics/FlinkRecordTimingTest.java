package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.Input;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.io.RecordProcessorUtils;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.function.ThrowingConsumer;
import org.junit.jupiter.api.Test;

class FlinkRecordTimingTest {

    /** Holders whose records timing cannot attribute to an operator keep what Flink built. */
    @Test
    void leavesHoldersOfUnknownInputsUntouched() {
        ThrowingConsumer<StreamRecord<String>, Exception> processor = record -> {};
        List<Object> installed = new ArrayList<>();
        FlinkRecordTiming.timeRecords(new Object(), processor, installed::add);
        FlinkRecordTiming.timeRecords(null, processor, installed::add);
        FlinkRecordTiming.timeSourceRecords("not an operator", null, installed::add);
        assertEquals(List.of(), installed);
    }

    /**
     * The timed processor is of a class Flink itself installs (the key-context processor of an
     * input with key context), so a call site that runs processors sees no third class.
     */
    @Test
    void timedProcessorIsOfFlinksKeyContextProcessorClass() {
        Class<?> keyContext = RecordProcessorUtils.getRecordProcessor(new KeyedInput()).getClass();
        Class<?> plain = RecordProcessorUtils.getRecordProcessor(new StreamMapStandIn()).getClass();
        assertNotEquals(plain, keyContext);

        FlinkRecordTiming.TimedInput<String> timed =
                new FlinkRecordTiming.TimedInput<>(record -> {}, null);
        assertEquals(keyContext, timed.asRecordProcessor().getClass());
    }

    /** An input that is no operator: Flink gives it the processor that sets the key context. */
    private static class KeyedInput implements Input<String> {
        @Override
        public void processElement(StreamRecord<String> element) {}

        @Override
        public void processWatermark(Watermark mark) {}

        @Override
        public void processWatermarkStatus(WatermarkStatus watermarkStatus) {}

        @Override
        public void processLatencyMarker(LatencyMarker latencyMarker) {}

        @Override
        public void setKeyContextElement(StreamRecord<String> record) {}
    }

    /** An operator without key context: Flink gives it the plain processor. */
    private static final class StreamMapStandIn
            extends org.apache.flink.streaming.api.operators.StreamMap<String, String> {
        StreamMapStandIn() {
            super(value -> value);
        }
    }
}
