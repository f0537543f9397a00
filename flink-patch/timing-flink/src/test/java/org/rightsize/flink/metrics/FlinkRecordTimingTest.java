package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.ThrowingConsumer;
import org.junit.jupiter.api.Test;

/** Inputs that timing cannot attribute to an operator stay exactly as Flink built them. */
class FlinkRecordTimingTest {

    @Test
    void leavesProcessorsOfUnknownInputsUntouched() {
        ThrowingConsumer<StreamRecord<String>, Exception> processor = record -> {};
        assertSame(processor, FlinkRecordTiming.wrap(new Object(), processor));
        assertSame(processor, FlinkRecordTiming.wrap(null, processor));
        assertNull(FlinkRecordTiming.sourceTimer("not an operator"));
    }
}
