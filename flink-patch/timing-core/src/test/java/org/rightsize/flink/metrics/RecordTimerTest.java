package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecordTimerTest {

    /** One chained operator: its own timers, plus the task timer shared by the chain. */
    private static final class Operator {
        final CapturingAggregator exclusive = new CapturingAggregator();
        final CapturingAggregator inclusive = new CapturingAggregator();
        final RecordTimer timer;

        Operator(CapturingAggregator task, int sampleEvery) {
            this(task, sampleEvery, null);
        }

        /** With {@code chain} non-null, an operator of a task whose timers share that state. */
        Operator(CapturingAggregator task, int sampleEvery, ChainState chain) {
            timer =
                    new RecordTimer(
                            new Timer("excl", exclusive, 10_000, 0, 1),
                            new Timer("incl", inclusive, 10_000, 0, 1),
                            new Timer("task", task, 10_000, 0, 1),
                            sampleEvery,
                            chain);
        }

        /** Processes one record: does its work, then calls the next operators of the chain. */
        void process(Runnable work, Runnable... downstream) {
            ChainState state = timer.enter();
            try {
                work.run();
                for (Runnable next : downstream) {
                    next.run();
                }
            } finally {
                timer.exit(state);
            }
        }
    }

    private static final Runnable NOTHING = () -> {};

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void exclusiveTimesOfAChainAddUpToTheHeadsInclusiveTime() {
        CapturingAggregator task = new CapturingAggregator();
        Operator head = new Operator(task, 1);
        Operator middle = new Operator(task, 1);
        Operator left = new Operator(task, 1);
        Operator right = new Operator(task, 1);
        for (int record = 0; record < 50; record++) {
            // head -> middle -> (left, right): a chain with a fan-out.
            head.process(
                    () -> spin(2_000),
                    () ->
                            middle.process(
                                    () -> spin(1_000),
                                    () -> left.process(() -> spin(3_000)),
                                    () -> right.process(NOTHING)));
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
    }

    @Test
    void theHeadSamplesCheapRecordsAndTheChainFollowsItsDecision() {
        CapturingAggregator task = new CapturingAggregator();
        Operator head = new Operator(task, 8);
        Operator next = new Operator(task, 8);
        for (int record = 0; record < 8_000; record++) {
            head.process(NOTHING, () -> next.process(NOTHING));
        }
        // Never sparser than one in 8; denser only after the thread stalled for a millisecond
        // (the rate floor) or in a slow record, which on a busy machine happens a few times.
        int timed = head.inclusive.samples().size();
        assertTrue(timed >= 1_000 && timed <= 4_000, "timed " + timed + " of 8000");
        assertEquals(timed, next.inclusive.samples().size());
        assertEquals(timed, next.exclusive.samples().size());
        assertEquals(timed, task.samples().size());
    }

    @Test
    void recordsArrivingSlowerThanTheRateFloorAreAllTimed() throws InterruptedException {
        CapturingAggregator task = new CapturingAggregator();
        Operator head = new Operator(task, 1_000);
        Operator next = new Operator(task, 1_000);
        long pauseMillis = 2 * RecordTimer.TIME_A_RECORD_AT_LEAST_EVERY_NANOS / 1_000_000;
        // A thread of its own: a fresh chain state, with no countdown left by other tests.
        Thread thread =
                new Thread(
                        () -> {
                            for (int record = 0; record < 12; record++) {
                                head.process(NOTHING, () -> next.process(NOTHING));
                                try {
                                    Thread.sleep(pauseMillis);
                                } catch (InterruptedException e) {
                                    throw new IllegalStateException(e);
                                }
                            }
                        });
        thread.start();
        thread.join();
        // The first record is timed and, no rate being known yet, so is the second; from then
        // on each gap of 2 ms makes the next record timed too, despite sample-every 1000.
        assertEquals(12, task.samples().size());
        assertEquals(12, next.exclusive.samples().size());
    }

    @Test
    void recordsSlowerThanTheThresholdAreAllTimed() {
        CapturingAggregator task = new CapturingAggregator();
        Operator head = new Operator(task, 1_000);
        for (int record = 0; record < 20; record++) {
            head.process(() -> spin(RecordTimer.TIME_EVERY_RECORD_ABOVE_NANOS));
        }
        // The first record is the countdown's first; every later one follows a slow record.
        assertEquals(20, task.samples().size());
    }

    @Test
    void anExceptionStillLeavesTheChainBalanced() {
        CapturingAggregator task = new CapturingAggregator();
        Operator head = new Operator(task, 1);
        Operator failing = new Operator(task, 1);
        try {
            head.process(
                    NOTHING,
                    () ->
                            failing.process(
                                    () -> {
                                        throw new IllegalStateException("operator failed");
                                    }));
        } catch (IllegalStateException expected) {
            // the operator's exception reaches the caller unchanged
        }
        head.process(NOTHING);
        assertEquals(2, task.samples().size(), "both records counted as heads");
        assertEquals(1, failing.inclusive.samples().size());
    }

    @Test
    void timersSharingATasksChainStateFollowOneHeadOnAnyThread() throws InterruptedException {
        ChainState taskChain = new ChainState();
        CapturingAggregator task = new CapturingAggregator();
        Operator head = new Operator(task, 8, taskChain);
        Operator next = new Operator(task, 8, taskChain);
        Runnable records =
                () -> {
                    for (int record = 0; record < 4_000; record++) {
                        head.process(NOTHING, () -> next.process(NOTHING));
                    }
                };
        // One thread at a time, as a task's thread and a legacy source's thread take turns.
        records.run();
        Thread other = new Thread(records);
        other.start();
        other.join();
        int timed = task.samples().size();
        assertTrue(timed >= 1_000 && timed <= 4_000, "timed " + timed + " of 8000");
        assertEquals(timed, head.inclusive.samples().size(), "only the head records task time");
        assertEquals(timed, next.exclusive.samples().size());
        for (int i = 0; i < timed; i++) {
            assertEquals(
                    (long) head.inclusive.samples().get(i),
                    head.exclusive.samples().get(i) + next.inclusive.samples().get(i),
                    "record " + i);
        }
    }

    /** Processes one record at a head made by {@code headChainAtRest}, as a source's output. */
    private static void processAtKnownHead(Operator head, Runnable work, Runnable... downstream) {
        Runnable chain =
                () -> {
                    work.run();
                    for (Runnable next : downstream) {
                        next.run();
                    }
                };
        if (head.timer.skipAtHead()) {
            chain.run();
            return;
        }
        ChainState state = head.timer.enterHead();
        try {
            chain.run();
        } finally {
            head.timer.exitHead(state);
        }
    }

    @Test
    void aHeadKnownInAdvanceLeavesTheChainUntimedAtRestAndTheChainFollowsIt() {
        ChainState taskChain = new ChainState();
        CapturingAggregator task = new CapturingAggregator();
        Operator head = new Operator(task, 8, taskChain);
        Operator next = new Operator(task, 8, taskChain);
        assertTrue(head.timer.headChainAtRest());
        assertTrue(taskChain.insideUntimedRecord(), "at rest, operators see an untimed record");
        for (int record = 0; record < 8_000; record++) {
            processAtKnownHead(head, NOTHING, () -> next.process(NOTHING));
            assertTrue(taskChain.insideUntimedRecord(), "back at rest after record " + record);
        }
        int timed = task.samples().size();
        assertTrue(timed >= 1_000 && timed <= 4_000, "timed " + timed + " of 8000");
        assertEquals(timed, head.inclusive.samples().size(), "only the head records task time");
        assertEquals(timed, next.exclusive.samples().size());
        for (int i = 0; i < timed; i++) {
            assertEquals(
                    (long) head.inclusive.samples().get(i),
                    head.exclusive.samples().get(i) + next.inclusive.samples().get(i),
                    "record " + i);
        }
    }

    @Test
    void aHeadKnownInAdvanceRestsUntimedAgainAfterAnException() {
        ChainState taskChain = new ChainState();
        CapturingAggregator task = new CapturingAggregator();
        Operator head = new Operator(task, 1, taskChain);
        Operator failing = new Operator(task, 1, taskChain);
        assertTrue(head.timer.headChainAtRest());
        try {
            processAtKnownHead(
                    head,
                    NOTHING,
                    () ->
                            failing.process(
                                    () -> {
                                        throw new IllegalStateException("operator failed");
                                    }));
        } catch (IllegalStateException expected) {
            // the operator's exception reaches the caller unchanged
        }
        assertTrue(taskChain.insideUntimedRecord());
        processAtKnownHead(head, NOTHING);
        assertEquals(2, task.samples().size(), "both records timed at the head");
        assertEquals(1, failing.inclusive.samples().size());
    }

    @Test
    void withoutASharedChainStateNoHeadIsKnownInAdvance() {
        Operator head = new Operator(new CapturingAggregator(), 1);
        assertFalse(head.timer.headChainAtRest());
    }

    @Test
    void eachThreadKeepsItsOwnChainState() throws InterruptedException {
        CapturingAggregator task = new CapturingAggregator();
        Operator head = new Operator(task, 1);
        ChainState outer = head.timer.enter();
        Thread other = new Thread(() -> head.process(NOTHING));
        other.start();
        other.join();
        head.timer.exit(outer);
        assertEquals(2, task.samples().size(), "both were heads on their own thread");
    }
}
