package org.rightsize.flink.metrics;

/** A {@link WindowedAggregator} held by jni-metrics; one native timer handle. */
final class NativeAggregator implements WindowedAggregator {

    private volatile long handle;

    private NativeAggregator(long handle) {
        this.handle = handle;
    }

    /** Creates a native timer, or returns null with the status code in {@code status[0]}. */
    static NativeAggregator create(String name, long windowMillis, long nowNanos, int[] status) {
        long handle = NativeTimers.create(name, (int) windowMillis, nowNanos);
        if (handle <= 0) {
            status[0] = (int) handle;
            return null;
        }
        return new NativeAggregator(handle);
    }

    @Override
    public void recordBatch(long[] samples, int count) {
        long current = handle;
        if (current > 0 && samples != null && count > 0) {
            // A negative status (a destroyed handle) records nothing; there is nothing to undo.
            NativeTimers.recordBatch(current, samples, count);
        }
    }

    @Override
    public boolean snapshot(long nowNanos, long[] out) {
        long current = handle;
        return current > 0
                && out != null
                && out.length >= Snapshot.LEN
                && NativeTimers.snapshot(current, nowNanos, out) == NativeTimers.STATUS_OK;
    }

    @Override
    public synchronized void close() {
        long current = handle;
        handle = 0;
        if (current > 0) {
            NativeTimers.destroy(current);
        }
    }

    @Override
    public String kind() {
        return "native";
    }
}
