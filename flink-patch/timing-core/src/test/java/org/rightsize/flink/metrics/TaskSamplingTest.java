package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A task's chain as Flink keeps it: each operator's record processor in a holder that the task's
 * {@link TaskSampling} switches between the untimed processor and a timed one (as the patched
 * {@code ChainingOutput} and network outputs do), and {@link RecordTimer}s timing what the timed
 * ones see.
 */
class TaskSamplingTest {

    private static final long HOUR = 3_600_000_000_000L;

    private interface Processor {
        void process(Runnable work);
    }

    /** One operator: a holder, its untimed and timed processors, and what it recorded. */
    private static final class Operator {
        final CapturingAggregator exclusive = new CapturingAggregator();
        final CapturingAggregator inclusive = new CapturingAggregator();
        final Processor untimed;
        Processor installed;
        int calls;

        Operator(TaskSampling sampling, CapturingAggregator task, long workNanos, Operator... next) {
            RecordTimer timer =
                    new RecordTimer(
                            new Timer("excl", exclusive, 10_000, 0, 1),
                            new Timer("incl", inclusive, 10_000, 0, 1),
                            new Timer("task", task, 10_000, 0, 1),
                            sampling);
            untimed =
                    extra -> {
                        calls++;
                        spin(workNanos);
                        extra.run();
                        for (Operator operator : next) {
                            operator.installed.process(NOTHING);
                        }
                    };
            installed = untimed;
            Processor timed =
                    extra -> {
                        ChainState state = timer.enter();
                        try {
                            untimed.process(extra);
                        } finally {
                            timer.exit(state);
                        }
                    };
            sampling.add(untimed, timed, processor -> installed = processor);
        }

        void record() {
            installed.process(NOTHING);
        }

        boolean isTimed() {
            return installed != untimed;
        }
    }

    private static final Runnable NOTHING = () -> {};

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    /**
     * A task's sampling whose records count as cheap whatever they take (a cold JVM or a busy
     * machine can make any record slower than the every-record threshold).
     */
    private static TaskSampling sampling(long intervalNanos) {
        return new TaskSampling("task", intervalNanos, 1, Long.MAX_VALUE, () -> false, System.nanoTime());
    }

    @Test
    void exclusiveTimesOfAChainAddUpToTheHeadsInclusiveTime() {
        TaskSampling sampling = sampling(0); // every record
        CapturingAggregator task = new CapturingAggregator();
        // head -> middle -> (left, right): a chain with a fan-out; built tail first, as Flink does.
        Operator left = new Operator(sampling, task, 3_000);
        Operator right = new Operator(sampling, task, 0);
        Operator middle = new Operator(sampling, task, 1_000, left, right);
        Operator head = new Operator(sampling, task, 2_000, middle);
        for (int record = 0; record < 50; record++) {
            head.record();
        }
        List<Long> headInclusive = head.inclusive.samples();
        assertEquals(50, headInclusive.size());
        assertEquals(headInclusive, task.samples(), "the head's inclusive time is the task's");
        for (int i = 0; i < 50; i++) {
            long sumOfExclusive =
                    head.exclusive.samples().get(i)
                            + middle.exclusive.samples().get(i)
                            + left.exclusive.samples().get(i)
                            + right.exclusive.samples().get(i);
            assertEquals(headInclusive.get(i), sumOfExclusive, "record " + i);
            assertTrue(middle.inclusive.samples().get(i) >= middle.exclusive.samples().get(i));
            assertTrue(head.exclusive.samples().get(i) >= 2_000);
            assertTrue(left.exclusive.samples().get(i) >= 3_000);
        }
        assertTrue(sampling.isArmed(), "timing every record never disarms");
    }

    @Test
    void untimedRecordsRunTheUntimedProcessorsOnly() {
        TaskSampling sampling = sampling(HOUR);
        CapturingAggregator task = new CapturingAggregator();
        Operator tail = new Operator(sampling, task, 0);
        Operator head = new Operator(sampling, task, 0, tail);
        for (int record = 0; record < 1000; record++) {
            head.record();
        }
        assertFalse(head.isTimed());
        assertFalse(tail.isTimed());
        assertEquals(1000, tail.calls);
        assertEquals(List.of(), task.samples());
    }

    @Test
    void anArmedTaskTimesOneCheapRecordThroughTheWholeChainThenDisarms() {
        TaskSampling sampling = sampling(HOUR);
        CapturingAggregator task = new CapturingAggregator();
        Operator tail = new Operator(sampling, task, 0);
        Operator head = new Operator(sampling, task, 0, tail);
        sampling.arm();
        assertTrue(head.isTimed() && tail.isTimed());
        for (int record = 0; record < 5; record++) {
            head.record();
        }
        assertEquals(1, task.samples().size());
        assertEquals(1, head.exclusive.samples().size());
        assertEquals(1, tail.exclusive.samples().size());
        assertFalse(sampling.isArmed());
        assertFalse(head.isTimed() || tail.isTimed(), "Flink's own processors are back");
        assertEquals(5, tail.calls);
    }

    @Test
    void eachArmingTimesItsRecordsThenDisarms() {
        TaskSampling sampling = new TaskSampling("task", HOUR, 3, Long.MAX_VALUE, () -> false, 0);
        CapturingAggregator task = new CapturingAggregator();
        Operator head = new Operator(sampling, task, 0);
        sampling.arm();
        for (int record = 0; record < 5; record++) {
            head.record();
        }
        assertEquals(3, task.samples().size());
        assertFalse(sampling.isArmed());
        sampling.arm();
        head.record();
        assertTrue(sampling.isArmed(), "a new arming counts from its own start");
    }

    @Test
    void slowRecordsKeepTheTaskArmedUntilACheapOneLeaves() {
        long slow = 50_000_000; // 50 ms: no cheap record takes that long
        TaskSampling sampling = new TaskSampling("task", HOUR, 1, slow, () -> false, 0);
        CapturingAggregator task = new CapturingAggregator();
        Operator head = new Operator(sampling, task, 0);
        sampling.arm();
        for (int record = 0; record < 3; record++) {
            head.installed.process(() -> spin(slow));
        }
        assertTrue(sampling.isArmed());
        head.record(); // cheap: timed, then the task disarms
        head.record(); // not timed
        assertEquals(4, task.samples().size());
        assertFalse(sampling.isArmed());
    }

    @Test
    void theSamplerArmsThroughTheTaskThreadOncePerIntervalAtMost() {
        long interval = 1_000_000;
        long start = 5 * interval;
        TaskSampling sampling =
                new TaskSampling("task", interval, 1, Long.MAX_VALUE, () -> false, start - interval);
        List<Runnable> mails = new ArrayList<>();
        sampling.armThrough(mails::add);
        Operator head = new Operator(sampling, new CapturingAggregator(), 0);

        assertEquals(Long.MAX_VALUE, sampling.armIfDue(start));
        assertEquals(Long.MAX_VALUE, sampling.armIfDue(start + 1));
        assertEquals(1, mails.size(), "one mail while one is pending");
        assertFalse(head.isTimed(), "switched on the task thread only");
        mails.remove(0).run();
        assertTrue(head.isTimed());
        sampling.armIfDue(start + 2 * interval);
        assertEquals(0, mails.size(), "already armed");

        head.record();
        assertFalse(head.isTimed());
        long disarmedAt = System.nanoTime();
        long wait = sampling.armIfDue(disarmedAt + interval / 2);
        assertTrue(wait > 0 && wait <= interval / 2, "due in at most half an interval: " + wait);
        assertEquals(0, mails.size(), "not due yet");
        sampling.armIfDue(disarmedAt + 2 * interval);
        assertEquals(1, mails.size());
    }

    @Test
    void withoutATaskThreadTheSamplerArmsDirectly() {
        TaskSampling sampling = sampling(1);
        Operator head = new Operator(sampling, new CapturingAggregator(), 0);
        assertEquals(Long.MAX_VALUE, sampling.armIfDue(System.nanoTime() + 10));
        assertTrue(head.isTimed());
    }

    @Test
    void aTaskIsDoneWhenItClosesOrItsMailboxRefuses() {
        AtomicBoolean closed = new AtomicBoolean();
        TaskSampling sampling = new TaskSampling("task", 1, closed::get, 0);
        assertFalse(sampling.isDone());
        closed.set(true);
        assertTrue(sampling.isDone());

        TaskSampling refused = new TaskSampling("task", 1, () -> false, 0);
        refused.armThrough(
                command -> {
                    throw new RejectedExecutionException("mailbox closed");
                });
        refused.armIfDue(10);
        assertTrue(refused.isDone());
    }

    @Test
    void anExceptionStillLeavesTheChainBalanced() {
        TaskSampling sampling = sampling(HOUR);
        CapturingAggregator task = new CapturingAggregator();
        Operator tail = new Operator(sampling, task, 0);
        Operator head = new Operator(sampling, task, 0, tail);
        sampling.arm();
        assertThrows(
                IllegalStateException.class,
                () ->
                        head.installed.process(
                                () -> {
                                    throw new IllegalStateException("operator failed");
                                }));
        assertEquals(0, sampling.chain().depth);
        assertFalse(sampling.isArmed());
        sampling.arm();
        head.record();
        assertEquals(2, task.samples().size());
        assertEquals(1, tail.exclusive.samples().size(), "the failed record never reached it");
    }

    @Test
    void aProcessorAddedToAnArmedTaskStartsTimed() {
        TaskSampling sampling = sampling(0);
        Operator head = new Operator(sampling, new CapturingAggregator(), 0);
        assertTrue(head.isTimed());
    }

    @Test
    void theFirstArmingComesAnIntervalAfterSetUp() {
        TaskSampling sampling = new TaskSampling("task", 1_000, 1, Long.MAX_VALUE, () -> false, 0);
        Operator head = new Operator(sampling, new CapturingAggregator(), 0);
        assertEquals(1_000, sampling.armIfDue(0));
        assertFalse(head.isTimed());
        sampling.armIfDue(1_000);
        assertTrue(head.isTimed());
    }

    @Test
    void theSamplerThreadArmsARegisteredTask() throws InterruptedException {
        TaskSampling sampling = sampling(1_000_000);
        Operator head = new Operator(sampling, new CapturingAggregator(), 0);
        sampling.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!head.isTimed() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(head.isTimed(), "armed by " + Sampler.THREAD_NAME);

        // Armed, the sampler sleeps until the task disarms; then it is woken to arm it again,
        // long before its idle check.
        head.record();
        assertFalse(head.isTimed());
        long rearmDeadline = System.nanoTime() + Sampler.IDLE_CHECK_NANOS / 2;
        while (!head.isTimed() && System.nanoTime() < rearmDeadline) {
            Thread.sleep(1);
        }
        assertTrue(head.isTimed(), "armed again after disarming");
    }
}
