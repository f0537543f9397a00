//! Reading GC log files (placeholder).
