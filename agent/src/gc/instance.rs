//! Splits a stream of records into JVM instances (placeholder).
