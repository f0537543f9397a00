package org.rightsize.flink.metrics;

/**
 * Test copy of the native declarations that jni-metrics implements. The production class (with
 * loading, the ABI check and the pure-Java fallback) lives in flink-patch; this one only has to
 * match its native signatures.
 */
public final class NativeTimers {
    private NativeTimers() {}

    public static native int abiVersion();

    public static native long create(String name, int windowMillis, long nowNanos);

    public static native int destroy(long handle);

    public static native int recordBatch(long handle, long[] samples, int count);

    public static native int snapshot(long handle, long nowNanos, long[] out);
}
