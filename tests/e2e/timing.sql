-- The end-to-end timing job: datagen → filter → hash exchange → group aggregate → blackhole.
-- The aggregate's vertex reads from the network, so the overlay times its records at the task
-- level (the chain head) and per operator (the aggregate and the sink chained to it).
-- Placeholders, filled in by sql.sh: ${RATE} (records per second).
SET 'pipeline.name' = 'rightsize-e2e-timing';
SET 'parallelism.default' = '1';

CREATE TABLE generated (
    k INT,
    v INT
) WITH (
    'connector' = 'datagen',
    'rows-per-second' = '${RATE}',
    'fields.k.min' = '1',
    'fields.k.max' = '100',
    'fields.v.min' = '-1000',
    'fields.v.max' = '1000'
);

CREATE TABLE discarded (
    k INT,
    records BIGINT,
    total BIGINT
) WITH (
    'connector' = 'blackhole'
);

INSERT INTO discarded
SELECT k, COUNT(*), SUM(CAST(v AS BIGINT)) FROM generated WHERE v > 0 GROUP BY k;
