package org.rightsize.flink.metrics;

import java.util.Arrays;
import java.util.List;
import org.apache.flink.streaming.api.operators.AbstractInput;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorV2;
import org.apache.flink.streaming.api.operators.Input;
import org.apache.flink.streaming.api.operators.MultipleInputStreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * A two-input {@link MultipleInputStreamOperator} that forwards both inputs: its inputs are
 * {@link AbstractInput}s, not operators, so timing has to attribute them to their owner.
 */
final class UnionOperator extends AbstractStreamOperatorV2<Long>
        implements MultipleInputStreamOperator<Long> {

    UnionOperator(StreamOperatorParameters<Long> parameters) {
        super(parameters, 2);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public List<Input> getInputs() {
        return Arrays.asList(new Forward(this, 1), new Forward(this, 2));
    }

    private static final class Forward extends AbstractInput<Long, Long> {
        Forward(AbstractStreamOperatorV2<Long> owner, int inputId) {
            super(owner, inputId);
        }

        @Override
        public void processElement(StreamRecord<Long> element) {
            output.collect(element);
        }
    }

    /** Creates {@link UnionOperator}s. */
    static final class Factory extends AbstractStreamOperatorFactory<Long> {
        @Override
        @SuppressWarnings("unchecked")
        public <T extends StreamOperator<Long>> T createStreamOperator(
                StreamOperatorParameters<Long> parameters) {
            return (T) new UnionOperator(parameters);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
            return UnionOperator.class;
        }
    }
}
