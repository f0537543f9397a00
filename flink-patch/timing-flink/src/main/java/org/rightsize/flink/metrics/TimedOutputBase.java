package org.rightsize.flink.metrics;

import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.ThrowingConsumer;

/**
 * A source's output while its task is armed ({@link TaskSampling}): times each record the source
 * emits through the chain behind it (out of line, {@link TimedPath}), and passes everything else
 * on. Each overlay completes it as {@code TimedOutput} with the members its release's {@link
 * Output} adds.
 */
abstract class TimedOutputBase<T> implements Output<StreamRecord<T>> {

    protected final Output<StreamRecord<T>> output;
    private final RecordTimer timer;
    private final ThrowingConsumer<StreamRecord<T>, RuntimeException> emit;

    TimedOutputBase(Output<StreamRecord<T>> output, RecordTimer timer) {
        this.output = output;
        this.timer = timer;
        this.emit = output::collect;
    }

    @Override
    public void collect(StreamRecord<T> record) {
        TimedPath.run(null, timer, emit, record);
    }

    @Override
    public <X> void collect(OutputTag<X> outputTag, StreamRecord<X> record) {
        output.collect(outputTag, record);
    }

    @Override
    public void emitWatermark(Watermark mark) {
        output.emitWatermark(mark);
    }

    @Override
    public void emitWatermarkStatus(WatermarkStatus watermarkStatus) {
        output.emitWatermarkStatus(watermarkStatus);
    }

    @Override
    public void emitLatencyMarker(LatencyMarker latencyMarker) {
        output.emitLatencyMarker(latencyMarker);
    }

    @Override
    public void emitRecordAttributes(RecordAttributes recordAttributes) {
        output.emitRecordAttributes(recordAttributes);
    }

    @Override
    public void close() {
        output.close();
    }
}
