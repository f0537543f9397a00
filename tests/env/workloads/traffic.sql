-- Steady traffic: Flink's datagen source writes orders into a Kafka topic at a fixed rate.
-- Placeholders, filled in by sql.sh: ${KAFKA_BOOTSTRAP} (from the cluster's state file),
-- ${TOPIC}, ${RATE} (records per second, over the whole job, which runs at parallelism 1).
SET 'pipeline.name' = 'rightsize-traffic';
SET 'parallelism.default' = '1';

CREATE TABLE generated_orders (
    order_id BIGINT,
    customer_id INT,
    amount DECIMAL(10, 2)
) WITH (
    'connector' = 'datagen',
    'rows-per-second' = '${RATE}',
    'fields.customer_id.min' = '1',
    'fields.customer_id.max' = '1000',
    'fields.amount.min' = '1',
    'fields.amount.max' = '500'
);

CREATE TABLE orders (
    order_id BIGINT,
    customer_id INT,
    amount DECIMAL(10, 2),
    order_time TIMESTAMP(3)
) WITH (
    'connector' = 'kafka',
    'topic' = '${TOPIC}',
    'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
    -- Every partition gets the same share, so every source subtask of a reader has work.
    'sink.partitioner' = 'round-robin',
    'format' = 'json'
);

INSERT INTO orders
SELECT order_id, customer_id, amount, LOCALTIMESTAMP FROM generated_orders;
