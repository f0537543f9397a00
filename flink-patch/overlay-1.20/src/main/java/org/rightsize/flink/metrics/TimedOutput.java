package org.rightsize.flink.metrics;

import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** {@link TimedOutputBase} for Flink 1.20, whose {@link Output} it covers entirely. */
final class TimedOutput<T> extends TimedOutputBase<T> {

    TimedOutput(Output<StreamRecord<T>> output, RecordTimer timer) {
        super(output, timer);
    }
}
