package org.rightsize.flink.metrics;

import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread per JVM that arms tasks for their next timed records ({@link TaskSampling}). It
 * sleeps until the first disarmed task is due, arms the tasks that are, and drops the tasks that
 * ended. While every task is armed (their records are timed as soon as they come, so an idle job
 * needs nothing), it sleeps until a task disarms and wakes it, or for {@link #IDLE_CHECK_NANOS}
 * to drop ended tasks.
 */
final class Sampler implements Runnable {

    static final String THREAD_NAME = "rightsize-timing-sampler";

    /** Longest sleep: how late an ended task that never disarmed is dropped. */
    static final long IDLE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final Logger LOG = LoggerFactory.getLogger(Sampler.class);

    private static final Sampler INSTANCE = new Sampler();

    private final Queue<TaskSampling> tasks = new ConcurrentLinkedQueue<>();
    private volatile Thread thread;

    /** True while the thread sleeps with no task due: a task that disarms must wake it. */
    private volatile boolean waitingForDisarm;

    private Sampler() {}

    static void register(TaskSampling task) {
        INSTANCE.add(task);
    }

    /** A task disarmed: wake the thread if it sleeps with nothing due (one volatile read else). */
    static void disarmed() {
        Sampler sampler = INSTANCE;
        if (sampler.waitingForDisarm) {
            LockSupport.unpark(sampler.thread);
        }
    }

    private synchronized void add(TaskSampling task) {
        tasks.add(task);
        if (thread == null) {
            Thread started = new Thread(this, THREAD_NAME);
            started.setDaemon(true);
            thread = started;
            started.start();
        } else {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void run() {
        while (true) {
            long sleep = armDueTasks(System.nanoTime());
            if (sleep == Long.MAX_VALUE) {
                // Announce first, then look again: a task disarming meanwhile either sees the
                // announcement and wakes us, or is seen here.
                waitingForDisarm = true;
                sleep = Math.min(armDueTasks(System.nanoTime()), IDLE_CHECK_NANOS);
            }
            LockSupport.parkNanos(this, sleep);
            waitingForDisarm = false;
        }
    }

    /**
     * Arms the tasks that are due, drops the ended ones; returns the nanoseconds until the next
     * disarmed task is due, or {@link Long#MAX_VALUE} when no task is disarmed.
     */
    private long armDueTasks(long now) {
        long sleep = Long.MAX_VALUE;
        for (Iterator<TaskSampling> it = tasks.iterator(); it.hasNext(); ) {
            TaskSampling task = it.next();
            try {
                if (task.isDone()) {
                    it.remove();
                    continue;
                }
                sleep = Math.min(sleep, task.armIfDue(now));
            } catch (Throwable t) {
                // Never let one task stop the sampling of the others.
                it.remove();
                LOG.warn("Rightsize record timing: stopped sampling {}", task, t);
            }
        }
        return sleep;
    }
}
