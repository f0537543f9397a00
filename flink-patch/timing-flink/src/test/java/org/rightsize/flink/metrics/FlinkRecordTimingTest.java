package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.ThrowingConsumer;
import org.junit.jupiter.api.Test;

/** Holders whose records timing cannot attribute to an operator keep what Flink built. */
class FlinkRecordTimingTest {

    @Test
    void leavesHoldersOfUnknownInputsUntouched() {
        ThrowingConsumer<StreamRecord<String>, Exception> processor = record -> {};
        List<Object> installed = new ArrayList<>();
        FlinkRecordTiming.timeRecords(new Object(), processor, installed::add);
        FlinkRecordTiming.timeRecords(null, processor, installed::add);
        FlinkRecordTiming.timeSourceRecords("not an operator", null, installed::add);
        assertEquals(List.of(), installed);
    }
}
