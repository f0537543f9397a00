package org.rightsize.workloads;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * A streaming job whose capacity follows from arithmetic: Kafka source → a map costing a fixed
 * time per record → a discarding sink, every operator at the same parallelism P. Its vertices:
 * source and map chained (the map's cost dominates T), then the sink on its own, so the first
 * vertex's output rate is the records it really hands on. Capacity C = P × 1 s / cost.
 *
 * <p>Reads the topic from its earliest offsets, so no record is lost between submitting the job and
 * its source being assigned the partitions: give each run a fresh topic, and the job sees exactly
 * the traffic sent to it.
 */
public final class CostJob {
    static final String USAGE =
            "flink run -c org.rightsize.workloads.CostJob rightsize-workloads.jar --bootstrap HOST:PORT"
                    + " --topic TOPIC --parallelism P --cost-us MICROSECONDS [--name JOB_NAME] [--group GROUP_ID]";

    private CostJob() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, USAGE);
        String bootstrap = args.text("bootstrap");
        String topic = args.text("topic");
        int parallelism = Math.toIntExact(args.positive("parallelism", null));
        long costMicros = args.positive("cost-us", null);
        String name = args.text("name", "rightsize-cost-" + topic);
        String group = args.text("group", name);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        KafkaSource<String> source = KafkaSource.<String>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topic)
                .setGroupId(group)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setValueOnlyDeserializer(new SimpleStringSchema())
                .build();
        DataStream<String> records = env.fromSource(source, WatermarkStrategy.noWatermarks(), "Kafka " + topic);
        records.map(new FixedCost(costMicros))
                .name("Fixed cost " + costMicros + " us")
                .sinkTo(new DiscardingSink<>())
                .name("Discard")
                .disableChaining();
        env.execute(name);
    }
}
