package org.rightsize.flink.metrics;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.transformations.MultipleInputTransformation;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * A job whose operators have known per-record cost, run on a local MiniCluster with its REST
 * endpoint on 127.0.0.1:
 *
 * <pre>
 * Source: Numbers -> SlowCall (sleeps 2 ms) -> Spin (spins 50 µs) -> Cheap (filter)  ─┐ keyBy
 * Source: MoreNumbers ─────────────────────────────────────────────────────────────────┤
 *                                                  Join (keyed, two inputs) -> Discard ┘
 * Cheap, MoreNumbers ──> Union (multiple-input operator) -> DiscardUnion
 * MoreNumbers ─ keyBy ─> KeyedSpin (spins 50 µs, keyed) -> DiscardKeyed
 * Source: SideNumbers -> Split ─ main output (evens) ──> Evens (map) -> DiscardEvens
 *                              └ side output (odds) ──> SideSpin (spins 50 µs) -> DiscardOdds
 * </pre>
 *
 * The sources are rate-limited and bounded far beyond what a test waits for; tests cancel the
 * job once they have seen the metrics.
 */
final class TimedJob {

    static final long SLOW_CALL_NANOS = 2_000_000;
    static final long SPIN_NANOS = 50_000;

    private static final OutputTag<Long> ODDS = new OutputTag<>("odds", Types.LONG);

    final int restPort;
    final JobClient client;

    private TimedJob(int restPort, JobClient client) {
        this.restPort = restPort;
        this.client = client;
    }

    /** Starts the cluster and the job with the given extra Flink configuration. */
    static TimedJob start(Map<String, String> extraConfig, boolean objectReuse) throws Exception {
        int port = freePort();
        Map<String, String> config = new HashMap<>();
        config.put("rest.bind-address", "127.0.0.1");
        config.put("rest.address", "127.0.0.1");
        config.put("rest.port", Integer.toString(port));
        config.put("metrics.fetcher.update-interval", "500");
        config.put("rightsize.timing.window", "1 s");
        config.putAll(extraConfig);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(
                        Configuration.fromMap(config));
        env.setParallelism(1);
        if (objectReuse) {
            env.getConfig().enableObjectReuse();
        }

        DataStream<Long> timed =
                env.fromSource(numbers(300), WatermarkStrategy.noWatermarks(), "Numbers")
                        .map(TimedJob::slowCall)
                        .returns(Types.LONG)
                        .name("SlowCall")
                        .map(TimedJob::spin)
                        .returns(Types.LONG)
                        .name("Spin")
                        .filter(value -> value % 2 == 0)
                        .name("Cheap");
        DataStream<Long> other =
                env.fromSource(numbers(200), WatermarkStrategy.noWatermarks(), "MoreNumbers");
        timed.keyBy(value -> value % 4, Types.LONG)
                .connect(other.keyBy(value -> value % 4, Types.LONG))
                .process(new Join())
                .name("Join")
                .sinkTo(new DiscardingSink<>())
                .name("Discard");
        MultipleInputTransformation<Long> union =
                new MultipleInputTransformation<>(
                        "Union", new UnionOperator.Factory(), Types.LONG, 1);
        union.addInput(timed.getTransformation());
        union.addInput(other.getTransformation());
        env.addOperator(union);
        new DataStream<>(env, union).sinkTo(new DiscardingSink<>()).name("DiscardUnion");
        other.keyBy(value -> value % 4, Types.LONG)
                .map(TimedJob::spin)
                .returns(Types.LONG)
                .name("KeyedSpin")
                .sinkTo(new DiscardingSink<>())
                .name("DiscardKeyed");
        SingleOutputStreamOperator<Long> split =
                env.fromSource(numbers(200), WatermarkStrategy.noWatermarks(), "SideNumbers")
                        .process(new Split())
                        .name("Split");
        split.map(value -> value + 1)
                .returns(Types.LONG)
                .name("Evens")
                .sinkTo(new DiscardingSink<>())
                .name("DiscardEvens");
        split.getSideOutput(ODDS)
                .map(TimedJob::spin)
                .returns(Types.LONG)
                .name("SideSpin")
                .sinkTo(new DiscardingSink<>())
                .name("DiscardOdds");
        return new TimedJob(port, env.executeAsync("rightsize-timed-job"));
    }

    private static DataGeneratorSource<Long> numbers(double perSecond) {
        return new DataGeneratorSource<>(
                index -> index, 10_000_000L, RateLimiterStrategy.perSecond(perSecond), Types.LONG);
    }

    /** Models a blocking external call. */
    private static Long slowCall(Long value) throws InterruptedException {
        Thread.sleep(SLOW_CALL_NANOS / 1_000_000);
        return value;
    }

    /** Models CPU-bound work. */
    private static Long spin(Long value) {
        long end = System.nanoTime() + SPIN_NANOS;
        long sum = value;
        while (System.nanoTime() < end) {
            sum++;
        }
        return sum - (sum - value);
    }

    private static final class Join extends KeyedCoProcessFunction<Long, Long, Long, Long> {
        @Override
        public void processElement1(Long value, Context ctx, Collector<Long> out) {
            out.collect(value);
        }

        @Override
        public void processElement2(Long value, Context ctx, Collector<Long> out) {
            out.collect(value);
        }
    }

    /** Evens to the main output, odds to a side output: both chained. */
    private static final class Split extends ProcessFunction<Long, Long> {
        @Override
        public void processElement(Long value, Context ctx, Collector<Long> out) {
            if (value % 2 == 0) {
                out.collect(value);
            } else {
                ctx.output(ODDS, value);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
