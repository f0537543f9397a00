package org.rightsize.flink.metrics;

import org.apache.flink.util.function.ThrowingConsumer;

/**
 * What a timed record runs: its operator's timer (inside the timer of the source heading the
 * chain, if any) around Flink's own processor or output. Every timed processor calls {@link
 * #run}, which the JIT must keep out of line.
 *
 * <p>Why out of line: runs of timed records make this path hot, and C2 inlines a hot callee of
 * up to {@code -XX:FreqInlineSize} (325) bytes of bytecode. Inlined at a switch, the timing code
 * and, through it, a second copy of the chain behind the switch grow Flink's compiled record path
 * ({@code ChainingOutput.collect} from 472 to 6632 bytes of machine code) past the size its
 * callers inline, and untimed records then ran up to 45 % slower for the rest of the JVM's life
 * (docs/metrics.md, "Overhead"). Whether it happened depended on when C2 recompiled the path,
 * so it hit a few JVMs at random. Above that size, {@link #run} stays a call, and each switch
 * inlines only the few bytes that forward to it. {@code TimedPathTest} checks the size.
 */
final class TimedPath {

    /** C2's {@code FreqInlineSize} on x86-64 and AArch64: the largest hot method it inlines. */
    static final int MAX_HOT_INLINE_BYTES = 325;

    /** False, but no compile-time constant: javac keeps the branch it guards, the JIT drops it. */
    private static final boolean NEVER = Boolean.parseBoolean("false");

    private static int[] ballast;

    private TimedPath() {}

    /**
     * Runs {@code body} on one timed record as the operator of {@code timer}, inside the chain
     * headed by {@code head} (null when the operator heads it itself).
     */
    static <R, E extends Throwable> void run(
            RecordTimer head, RecordTimer timer, ThrowingConsumer<R, E> body, R record)
            throws E {
        if (NEVER) {
            // Never runs: bytecode that keeps this method above MAX_HOT_INLINE_BYTES.
            ballast =
                    new int[] {
                        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                        21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39,
                        40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58,
                        59
                    };
        }
        if (head == null) {
            time(timer, body, record);
            return;
        }
        ChainState outer = head.enter();
        try {
            time(timer, body, record);
        } finally {
            head.exit(outer);
        }
    }

    private static <R, E extends Throwable> void time(
            RecordTimer timer, ThrowingConsumer<R, E> body, R record) throws E {
        ChainState state = timer.enter();
        try {
            body.accept(record);
        } finally {
            timer.exit(state);
        }
    }
}
