package org.rightsize.flink.metrics;

import java.util.ArrayList;
import java.util.List;

/** Keeps every batch it is given, to test what reaches an aggregator and when. */
final class CapturingAggregator implements WindowedAggregator {
    final List<long[]> batches = new ArrayList<>();
    boolean closed;

    @Override
    public synchronized void recordBatch(long[] samples, int count) {
        long[] copy = new long[count];
        System.arraycopy(samples, 0, copy, 0, count);
        batches.add(copy);
    }

    @Override
    public boolean snapshot(long nowNanos, long[] out) {
        return false;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String kind() {
        return "capturing";
    }

    synchronized List<Long> samples() {
        List<Long> all = new ArrayList<>();
        for (long[] batch : batches) {
            for (long sample : batch) {
                all.add(sample);
            }
        }
        return all;
    }
}
