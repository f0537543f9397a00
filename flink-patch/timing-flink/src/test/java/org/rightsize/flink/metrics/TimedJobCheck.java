package org.rightsize.flink.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link TimedJob} and checks the record-timing metrics over REST, as a user would query
 * them. Waits (up to a generous deadline, not a timed assertion) until every metric has a
 * completed window with records, then checks values against the operators' known costs with
 * wide bounds: wall-clock times on a busy 2-core machine include preemption.
 */
final class TimedJobCheck {

    private static final long DEADLINE_MILLIS = 120_000;
    private static final String T = MetricNames.DEAL_TIME;
    /** "Source: Numbers" as REST spells operator groups (':' and ' ' become '_'). */
    private static final String SOURCE = "Source__Numbers.";

    private static final String[] CHAIN_IDS = {
        T, T + "Count", T + "Max", T + "P50", T + "P99", T + "P999",
        "SlowCall." + T, "SlowCall." + T + "Inclusive", "SlowCall." + T + "Count",
        "SlowCall." + T + "Max", "SlowCall." + T + "P50", "SlowCall." + T + "P99",
        "SlowCall." + T + "P999", "SlowCall." + T + "InclusiveP99",
        "Spin." + T, "Spin." + T + "Inclusive", "Cheap." + T, "Cheap." + T + "Inclusive",
        "Cheap." + T + "Count", SOURCE + T, SOURCE + T + "Inclusive"
    };
    private static final String[] JOIN_IDS = {T, T + "Count", "Join." + T, "Join." + T + "Count"};
    private static final String[] UNION_IDS = {T, "Union." + T, "Union." + T + "Inclusive"};
    private static final String[] KEYED_IDS = {
        T, "KeyedSpin." + T, "KeyedSpin." + T + "Inclusive", "KeyedSpin." + T + "Count"
    };
    private static final String[] SPLIT_IDS = {
        T, "Split." + T + "Inclusive", "Evens." + T + "Count", "SideSpin." + T,
        "SideSpin." + T + "Inclusive", "SideSpin." + T + "Count"
    };

    private TimedJobCheck() {}

    static void runAndCheck(Map<String, String> config, boolean objectReuse) throws Exception {
        TimedJob job = TimedJob.start(config, objectReuse);
        try {
            check(job);
        } finally {
            job.client.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * With {@code rightsize.timing.enabled: false}: the job runs (Flink's own metrics count its
     * records) and no timing metric is registered.
     */
    static void runAndCheckDisabled(Map<String, String> config) throws Exception {
        TimedJob job = TimedJob.start(config, false);
        try {
            FlinkRest rest = new FlinkRest(job.restPort);
            String jobId = job.client.getJobID().toHexString();
            long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
            while (System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
                String chainVertex;
                try {
                    chainVertex = findVertex(rest.vertices(jobId), "SlowCall");
                } catch (IOException notYet) {
                    continue;
                }
                if (chainVertex == null) {
                    continue;
                }
                Double processed =
                        rest.maxOverSubtasks(jobId, chainVertex, "Cheap.numRecordsIn")
                                .get("Cheap.numRecordsIn");
                if (processed != null && processed > 0) {
                    java.util.List<String> ids = rest.metricIds(jobId, chainVertex);
                    assertTrue(ids.contains("Cheap.numRecordsIn"), "metric listing: " + ids);
                    for (String id : ids) {
                        assertTrue(!id.contains(T), "timing is off, yet " + id + " exists");
                    }
                    return;
                }
            }
            fail("the job processed no record within " + DEADLINE_MILLIS / 1000 + " s");
        } finally {
            job.client.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    private static void check(TimedJob job) throws Exception {
        FlinkRest rest = new FlinkRest(job.restPort);
        String jobId = job.client.getJobID().toHexString();
        long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
        Map<String, Double> chain = null;
        Map<String, Double> join = null;
        Map<String, Double> union = null;
        Map<String, Double> keyed = null;
        Map<String, Double> split = null;
        String chainVertex = null;
        String otherSourceVertex = null;
        while (System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
            Map<String, String> vertices;
            try {
                vertices = rest.vertices(jobId);
            } catch (IOException notYet) {
                continue; // the job is still being submitted
            }
            chainVertex = findVertex(vertices, "SlowCall");
            String joinVertex = findVertex(vertices, "Join");
            otherSourceVertex = findVertex(vertices, "MoreNumbers");
            String unionVertex = findVertex(vertices, "Union");
            String keyedVertex = findVertex(vertices, "KeyedSpin");
            String splitVertex = findVertex(vertices, "Split");
            if (chainVertex == null || joinVertex == null || otherSourceVertex == null
                    || unionVertex == null || keyedVertex == null || splitVertex == null) {
                continue;
            }
            chain = rest.maxOverSubtasks(jobId, chainVertex, CHAIN_IDS);
            join = rest.maxOverSubtasks(jobId, joinVertex, JOIN_IDS);
            union = rest.maxOverSubtasks(jobId, unionVertex, UNION_IDS);
            keyed = rest.maxOverSubtasks(jobId, keyedVertex, KEYED_IDS);
            split = rest.maxOverSubtasks(jobId, splitVertex, SPLIT_IDS);
            if (complete(chain, CHAIN_IDS) && complete(join, JOIN_IDS)
                    && complete(union, UNION_IDS) && complete(keyed, KEYED_IDS)
                    && complete(split, SPLIT_IDS) && consistent(chain, join, keyed, split)) {
                break;
            }
        }
        if (!complete(chain, CHAIN_IDS) || !complete(join, JOIN_IDS)
                || !complete(union, UNION_IDS) || !complete(keyed, KEYED_IDS)
                || !complete(split, SPLIT_IDS)) {
            fail("record-timing metrics did not all appear with records within "
                    + DEADLINE_MILLIS / 1000 + " s; last seen: chain " + chain + ", join " + join
                    + ", union " + union + ", keyed " + keyed + ", split " + split);
        }
        System.out.println("Chain vertex metrics (max over subtasks): " + chain);
        System.out.println("Join vertex metrics (max over subtasks): " + join);
        System.out.println("Union vertex metrics (max over subtasks): " + union);
        System.out.println("Keyed vertex metrics (max over subtasks): " + keyed);
        System.out.println("Split vertex metrics (max over subtasks): " + split);

        double slowCost = TimedJob.SLOW_CALL_NANOS / 1e6;
        double slow = chain.get("SlowCall." + T);
        assertTrue(slow >= 0.75 * slowCost && slow <= 10 * slowCost,
                "SlowCall sleeps 2 ms a record; its exclusive time was " + slow + " ms");
        double spin = chain.get("Spin." + T);
        assertTrue(spin >= 0.9 * TimedJob.SPIN_NANOS / 1e6 && spin <= 5,
                "Spin spins 50 µs a record; its exclusive time was " + spin + " ms");
        double cheap = chain.get("Cheap." + T);
        assertTrue(cheap < 1.0, "Cheap is a modulo filter; its exclusive time was " + cheap + " ms");

        double slowInclusive = chain.get("SlowCall." + T + "Inclusive");
        assertTrue(slowInclusive >= slow, "SlowCall inclusive " + slowInclusive + " < exclusive "
                + slow);
        assertTrue(chain.get("Spin." + T + "Inclusive") >= 0.99 * spin);
        assertTrue(chain.get(T) >= 0.99 * slowInclusive,
                "the task's time includes the whole chain: " + chain.get(T) + " vs "
                        + slowInclusive);
        double sourceOwn = chain.get(SOURCE + T);
        assertTrue(sourceOwn < 1.0, "the source's own emit time was " + sourceOwn + " ms");
        assertTrue(chain.get(SOURCE + T + "Inclusive") >= 0.99 * slowInclusive);

        double p50 = chain.get("SlowCall." + T + "P50");
        double p99 = chain.get("SlowCall." + T + "P99");
        double max = chain.get("SlowCall." + T + "Max");
        assertTrue(p50 >= 0.75 * slowCost && p50 <= p99 && p99 <= max * 1.01,
                "SlowCall p50 " + p50 + ", p99 " + p99 + ", max " + max);

        // A keyed operator fed by the network: its time includes setting the record's key.
        double keyedSpin = keyed.get("KeyedSpin." + T);
        assertTrue(keyedSpin >= 0.9 * TimedJob.SPIN_NANOS / 1e6 && keyedSpin <= 5,
                "KeyedSpin spins 50 µs a record; its exclusive time was " + keyedSpin + " ms");
        assertTrue(keyed.get(T) >= 0.99 * keyedSpin, "KeyedSpin task time ⊇ KeyedSpin's own");

        // A chained operator behind a side output: timed on the side-output path.
        double sideSpin = split.get("SideSpin." + T);
        assertTrue(sideSpin >= 0.9 * TimedJob.SPIN_NANOS / 1e6 && sideSpin <= 5,
                "SideSpin spins 50 µs a record; its exclusive time was " + sideSpin + " ms");
        assertTrue(split.get("SideSpin." + T + "Inclusive") >= 0.99 * sideSpin);

        assertTrue(join.get("Join." + T) >= 0, "Join exclusive time");
        assertTrue(join.get(T) >= join.get("Join." + T) * 0.99, "Join task time ⊇ Join's own");

        // A source feeding the network directly: a cheap record, sampled; the gauge exists.
        Map<String, Double> otherSource =
                rest.maxOverSubtasks(jobId, otherSourceVertex, T, "Source__MoreNumbers." + T);
        assertEquals(2, otherSource.size(), "source-only vertex metrics: " + otherSource);

        // The un-aggregated form carries the subtask index.
        Map<String, String> perSubtask =
                rest.vertexMetrics(jobId, chainVertex, "0." + T, "0.SlowCall." + T);
        assertEquals(2, perSubtask.size(), "per-subtask ids: " + perSubtask);
        assertNotNull(Double.valueOf(perSubtask.get("0.SlowCall." + T)));
    }

    /**
     * Whether inclusive times contain the exclusive ones in this answer, and SlowCall's quantiles
     * are in order. Each gauge closes its window when it is read, so one REST answer can pair
     * windows that ended a moment apart and hold different records (or none: a quantile then
     * reads 0); on a loaded machine that happens now and then. A later answer pairs them again,
     * so the check waits for one (the assertions below still apply).
     */
    private static boolean consistent(
            Map<String, Double> chain,
            Map<String, Double> join,
            Map<String, Double> keyed,
            Map<String, Double> split) {
        double slow = chain.get("SlowCall." + T);
        double slowInclusive = chain.get("SlowCall." + T + "Inclusive");
        double p50 = chain.get("SlowCall." + T + "P50");
        double p99 = chain.get("SlowCall." + T + "P99");
        return slowInclusive >= slow
                && p50 <= p99
                && p99 <= chain.get("SlowCall." + T + "Max") * 1.01
                && chain.get("Spin." + T + "Inclusive") >= 0.99 * chain.get("Spin." + T)
                && chain.get(T) >= 0.99 * slowInclusive
                && chain.get(SOURCE + T + "Inclusive") >= 0.99 * slowInclusive
                && join.get(T) >= 0.99 * join.get("Join." + T)
                && keyed.get(T) >= 0.99 * keyed.get("KeyedSpin." + T)
                && split.get("SideSpin." + T + "Inclusive") >= 0.99 * split.get("SideSpin." + T);
    }

    /** All ids present, and every window that reports a count has timed records. */
    private static boolean complete(Map<String, Double> values, String[] ids) {
        if (values == null) {
            return false;
        }
        for (String id : ids) {
            Double value = values.get(id);
            if (value == null || (id.endsWith("Count") && value <= 0)) {
                return false;
            }
        }
        return true;
    }

    private static String findVertex(Map<String, String> vertices, String operatorName) {
        for (Map.Entry<String, String> vertex : vertices.entrySet()) {
            if (vertex.getKey().contains(operatorName)) {
                return vertex.getValue();
            }
        }
        return null;
    }
}
