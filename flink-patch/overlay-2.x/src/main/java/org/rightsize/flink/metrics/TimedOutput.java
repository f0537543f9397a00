package org.rightsize.flink.metrics;

import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** {@link TimedOutputBase} for Flink 2.x, whose {@link Output} adds generalized watermarks. */
final class TimedOutput<T> extends TimedOutputBase<T> {

    TimedOutput(Output<StreamRecord<T>> output, RecordTimer timer) {
        super(output, timer);
    }

    @Override
    public void emitWatermark(WatermarkEvent watermark) {
        output.emitWatermark(watermark);
    }
}
