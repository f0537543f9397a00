//! Per-record timing aggregator loaded by the Flink TaskManager through JNI.
