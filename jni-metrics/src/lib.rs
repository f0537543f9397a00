//! Per-record timing aggregator loaded by the Flink TaskManager through JNI.
//!
//! The Java side (a class in Flink's `lib/`, see design §2) times records on the task thread,
//! buffers nanosecond durations in a `long[]`, and flushes them here in batches; Flink gauges read
//! windowed statistics back once per reporting interval. One **timer** exists per task and per
//! chained operator (inclusive and exclusive) of every subtask in the TaskManager.
//!
//! # Design
//! - [`histogram`]: log-linear buckets, 64 per power of two; estimates within **1/128 ≈ 0.78 %** of
//!   the true value from 0 to 2^42 ns (≈ 73 min); values below 128 ns are exact.
//! - [`recorder`]: the lock-free write side. Counts are cumulative and only writers write them; the
//!   usual single writer (the task thread) pays a relaxed load + store per sample, plus one `swap`
//!   per batch to claim its shard. Concurrent writers stay exact: a batch that finds the shard
//!   claimed goes to a second, `fetch_add` shard (~10 ns more per sample). A window's count and
//!   sum describe the same samples: readers wait out half-written batches (briefly, bounded).
//! - [`window`]: rotating windows driven by the reader. The current window accumulates; reads see
//!   the last completed one; a read at or after the window's end closes it at that read's time.
//!   No background thread, no clock of its own: the caller passes `System.nanoTime()`.
//! - [`registry`]: handles are slab indices with a generation; stale or forged handles are
//!   rejected, and timer memory is never freed while the library is loaded (slots are reused).
//! - [`mod@jni`]: the exported functions and their JVM-free, tested bodies.
//!
//! Cost, measured with a Java harness on the 2-vCPU development VM (JDK 17, thread CPU time):
//! `recordBatch` 1.65 ns a sample for 1024-sample batches, 2.1 ns for 64-sample batches, ~40 ns of
//! fixed cost per call (so flush full buffers, not single samples); the Rust part alone is
//! ~1.4 ns a sample. A `snapshot` that closes a window takes ~3 µs.
//!
//! Memory: about 56 KiB per live timer (two 18.5 KiB count shards plus the reader's previous
//! counts), allocated when the timer is created; at most [`MAX_TIMERS`] timers live at once.
//!
//! # Java ABI
//! Class `org.rightsize.flink.metrics.NativeTimers` ([`JAVA_CLASS`]), loaded by the application
//! class loader (a jar in `lib/`, never a job jar: a JNI library binds to one class loader):
//!
//! ```java
//! static native int  abiVersion();                                  // must equal ABI_VERSION
//! static native long create(String name, int windowMillis, long nowNanos); // handle > 0, or status < 0
//! static native int  destroy(long handle);                          // OK or INVALID_HANDLE
//! static native int  recordBatch(long handle, long[] samples, int count);  // count, or status < 0
//! static native int  snapshot(long handle, long nowNanos, long[] out);     // OK, NO_WINDOW_YET, or < 0
//! ```
//!
//! Call `abiVersion()` first and use nothing else unless it equals [`ABI_VERSION`]; it changes
//! whenever a signature, a status code or the [`snapshot_layout`] changes. Negative results are the
//! [`status`] codes. `nowNanos` is `System.nanoTime()`; `create` starts the first window then.
//! `snapshot` fills `out` (at least [`snapshot_layout::LEN`] longs) with the last completed window
//! and returns [`status::OK`]; before the first window completes it returns
//! [`status::NO_WINDOW_YET`] and leaves `out` alone. A window closes at the first `snapshot` at or
//! after its configured length (its end is that call's `nowNanos`), so read at least once per
//! window; `snapshot` may be called from any thread, and so may `recordBatch`.
//!
//! # Units
//! Samples in and every value out are **nanoseconds** (`long`). Negative samples count as 0 and
//! samples above 2^42 − 1 ns count as 2^42 − 1 ns. Window bounds are in the caller's `nanoTime`
//! clock. The Java side converts to the milliseconds Flink's gauges publish (`mean / 1e6`); for
//! an exact mean use `SUM_NANOS / COUNT`. Window lengths are given in milliseconds.
//!
//! # Safety rules
//! A panic unwinding into the JVM aborts the TaskManager, so every entry point catches panics and
//! returns [`status::INTERNAL_ERROR`] instead (after a one-line message on stderr from the hook
//! that `JNI_OnLoad` installs). The record path is in addition panic-free by construction: no
//! unchecked indexing, no `unwrap`, wrapping or saturating arithmetic only, no allocation, no
//! lock, no JNI call besides `GetArrayLength`, `GetLongArrayRegion` and `ExceptionCheck`. Bad
//! input (null arrays, `count` out of range, stale handles) returns a status and records nothing;
//! it never throws and never reaches freed memory. Creation fails with
//! [`status::OUT_OF_MEMORY`] rather than aborting when the histograms cannot be allocated. The
//! library installs no global allocator and starts no thread.

// Every entry point relies on `catch_unwind`; with `panic = "abort"` a caught panic would kill
// the TaskManager instead.
#[cfg(panic = "abort")]
compile_error!("jni-metrics must be built with panic = \"unwind\" (the default): its JNI entry points catch panics");

pub mod histogram;
pub mod jni;
pub mod recorder;
pub mod registry;
pub mod window;

/// Version of the Java-facing ABI; the Java side refuses the library unless it matches.
pub const ABI_VERSION: i32 = 1;

/// The Java class whose `native` methods this library implements.
pub const JAVA_CLASS: &str = "org.rightsize.flink.metrics.NativeTimers";

/// Most timers alive at once; `create` returns [`status::REGISTRY_FULL`] beyond it (a leak on the
/// Java side then degrades timing instead of exhausting native memory: 4096 × 56 KiB ≈ 230 MiB).
pub const MAX_TIMERS: usize = 4096;

/// Samples copied from Java per chunk (an 8 KiB stack buffer); larger batches are chunked.
pub const RECORD_CHUNK: usize = 1024;

/// Return codes shared by all entry points (negative values are errors).
pub mod status {
    /// Success (`destroy`, `snapshot`).
    pub const OK: i32 = 1;
    /// `snapshot`: the first window has not completed yet; `out` was not written.
    pub const NO_WINDOW_YET: i32 = 0;
    /// The handle names no live timer (never created, destroyed, or corrupted).
    pub const INVALID_HANDLE: i32 = -1;
    /// A null array or name, `count` outside `0..=samples.length`, `windowMillis <= 0`, or an
    /// `out` array shorter than [`crate::snapshot_layout::LEN`].
    pub const INVALID_ARGUMENT: i32 = -2;
    /// [`crate::MAX_TIMERS`] timers are alive: destroy timers of finished tasks.
    pub const REGISTRY_FULL: i32 = -3;
    /// Native memory for a new timer could not be allocated.
    pub const OUT_OF_MEMORY: i32 = -4;
    /// A bug in this library was caught (see the TaskManager's stderr); stop using the timer.
    pub const INTERNAL_ERROR: i32 = -5;
}

/// Positions in the `long[]` that `snapshot` fills. All durations in nanoseconds.
pub mod snapshot_layout {
    use crate::window::WindowStats;

    /// `System.nanoTime()` at which the window started and ended.
    pub const WINDOW_START_NANOS: usize = 0;
    pub const WINDOW_END_NANOS: usize = 1;
    /// Samples recorded in the window (all other values are 0 when it is 0).
    pub const COUNT: usize = 2;
    /// Exact sum of the samples.
    pub const SUM_NANOS: usize = 3;
    /// `SUM / COUNT` rounded to the nearest nanosecond.
    pub const MEAN_NANOS: usize = 4;
    /// Exact, except for batches written during a rotation: then within 0.78 %.
    pub const MIN_NANOS: usize = 5;
    pub const MAX_NANOS: usize = 6;
    /// Nearest-rank quantiles, each within 0.78 % of the exact sample value.
    pub const P50_NANOS: usize = 7;
    pub const P75_NANOS: usize = 8;
    pub const P90_NANOS: usize = 9;
    pub const P95_NANOS: usize = 10;
    pub const P98_NANOS: usize = 11;
    pub const P99_NANOS: usize = 12;
    pub const P999_NANOS: usize = 13;
    /// Population standard deviation, estimated from the histogram.
    pub const STDDEV_NANOS: usize = 14;
    /// Minimum length of the `out` array.
    pub const LEN: usize = 15;

    /// The window's statistics in this layout.
    pub fn encode(stats: &WindowStats) -> [i64; LEN] {
        let long = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
        [
            stats.start_nanos,
            stats.end_nanos,
            long(stats.count),
            // The sum is reported modulo 2^64, like Java's own long arithmetic.
            stats.sum_nanos as i64,
            long(stats.mean_nanos),
            long(stats.min_nanos),
            long(stats.max_nanos),
            long(stats.p50_nanos),
            long(stats.p75_nanos),
            long(stats.p90_nanos),
            long(stats.p95_nanos),
            long(stats.p98_nanos),
            long(stats.p99_nanos),
            long(stats.p999_nanos),
            long(stats.stddev_nanos),
        ]
    }
}
