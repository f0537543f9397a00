-- The over-provisioned consumer: reads the traffic topic with an event-time watermark, sums
-- each customer's spend per 10-second tumbling window, and discards the result. At a few
-- thousand records per second one or two subtasks per operator keep up. It is submitted with
-- ${PARALLELISM} (8 in the demo), so most of that capacity idles.
-- Placeholders, filled in by sql.sh: ${KAFKA_BOOTSTRAP}, ${TOPIC}, ${PARALLELISM}.
SET 'pipeline.name' = 'rightsize-over-provisioned';
SET 'parallelism.default' = '${PARALLELISM}';
-- A source subtask without a partition must not hold back the watermark of the others.
SET 'table.exec.source.idle-timeout' = '5 s';

CREATE TABLE orders (
    order_id BIGINT,
    customer_id INT,
    amount DECIMAL(10, 2),
    order_time TIMESTAMP(3),
    WATERMARK FOR order_time AS order_time - INTERVAL '2' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = '${TOPIC}',
    'properties.bootstrap.servers' = '${KAFKA_BOOTSTRAP}',
    'properties.group.id' = 'rightsize-over-provisioned',
    'scan.startup.mode' = 'latest-offset',
    'format' = 'json'
);

CREATE TABLE spend_per_customer (
    window_start TIMESTAMP(3),
    window_end TIMESTAMP(3),
    customer_id INT,
    orders BIGINT,
    spend DECIMAL(38, 2)
) WITH (
    'connector' = 'blackhole'
);

INSERT INTO spend_per_customer
SELECT window_start, window_end, customer_id, COUNT(*), SUM(amount)
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '10' SECOND))
GROUP BY window_start, window_end, customer_id;
