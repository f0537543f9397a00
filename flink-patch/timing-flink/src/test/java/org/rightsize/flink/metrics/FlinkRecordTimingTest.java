package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.Input;
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

    @Test
    void directProcessorOfAnUnknownInputHandsRecordsToProcessElement() throws Exception {
        // A proxy, not a class: Input gains methods between Flink releases.
        List<Object> received = new ArrayList<>();
        @SuppressWarnings("unchecked")
        Input<String> input =
                (Input<String>)
                        Proxy.newProxyInstance(
                                Input.class.getClassLoader(),
                                new Class<?>[] {Input.class},
                                (proxy, method, args) -> {
                                    if (method.getName().equals("processElement")) {
                                        received.add(args[0]);
                                    }
                                    return null;
                                });
        StreamRecord<String> record = new StreamRecord<>("a");
        FlinkRecordTiming.processElement(input).accept(record);
        assertEquals(List.of(record), received);
    }
}
