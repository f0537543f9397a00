//! JNI entry points of `org.rightsize.flink.metrics.NativeTimers`, and their JVM-free bodies.
//!
//! Each `Java_…` function only converts Java arguments; the work is in a plain Rust function over
//! a [`Registry`] (`create`, `destroy`, `record_batch`, `snapshot` below) that tests call without a
//! JVM. Every entry point runs inside [`guarded`], which turns a panic into an error code: a panic
//! unwinding into the JVM would abort the TaskManager. The record path is additionally
//! panic-free by construction (no unchecked indexing, no `unwrap`, no overflowing arithmetic, no
//! allocation, no lock), so the guard there is a second line of defence that costs nothing until
//! used.
//!
//! `recordBatch` uses raw JNI (`GetArrayLength`, `GetLongArrayRegion` into an uninitialised 8 KiB
//! stack buffer, `ExceptionCheck`): per the notes' measurements this costs ~2.3 ns a sample for
//! 1024-sample batches and, unlike `GetPrimitiveArrayCritical`, never holds off the garbage
//! collector on JDK 17/21. The cold entry points use the `jni` crate's safe API: correct
//! modified-UTF-8 decoding of the timer name and bounds-checked array writes.

use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::panic::{catch_unwind, AssertUnwindSafe};

use jni::errors::Result as JniResult;
use jni::objects::{JClass, JLongArray, JString};
use jni::refs::Reference;
use jni::sys::{jclass, jint, jlong, jlongArray, JNIEnv, JavaVM, JNI_FALSE, JNI_VERSION_1_8};
use jni::{EnvUnowned, Outcome};

use crate::registry::{CreateError, Handle, Registry};
use crate::{snapshot_layout, status, ABI_VERSION, MAX_TIMERS, RECORD_CHUNK};

/// The timers of this process (one TaskManager).
pub static TIMERS: Registry<MAX_TIMERS> = Registry::new();

/// Runs `body`, returning `on_panic` instead of unwinding if it panics. The panic message has
/// already been printed by the hook installed in `JNI_OnLoad`.
#[inline(always)]
pub fn guarded<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            // Dropping a payload can itself panic; leaking one per internal error is harmless.
            std::mem::forget(payload);
            on_panic
        }
    }
}

/// Where `record_batch` copies samples from: a Java `long[]`, or a slice in tests.
pub trait SampleSource {
    /// Number of elements that can be copied.
    fn available(&self) -> usize;
    /// Copies `buffer.len()` elements starting at `start` and returns them as initialised, or
    /// `None` if the copy failed (the caller has checked the bounds, so only a JVM fault can).
    fn copy<'a>(&'a mut self, start: usize, buffer: &'a mut [MaybeUninit<i64>]) -> Option<&'a [i64]>;
}

impl SampleSource for &[i64] {
    fn available(&self) -> usize {
        self.len()
    }

    fn copy<'a>(&'a mut self, start: usize, buffer: &'a mut [MaybeUninit<i64>]) -> Option<&'a [i64]> {
        self.get(start..start.checked_add(buffer.len())?)
    }
}

/// Body of `create`: a handle (≥ 2^32) or a negative status.
pub fn create<const N: usize>(registry: &Registry<N>, name: &str, window_millis: i32, now_nanos: i64) -> i64 {
    if window_millis <= 0 {
        return status::INVALID_ARGUMENT.into();
    }
    let window_nanos = u64::from(window_millis.unsigned_abs()) * 1_000_000;
    match registry.create(name, window_nanos, now_nanos) {
        Ok(handle) => handle.0,
        Err(CreateError::Full) => status::REGISTRY_FULL.into(),
        Err(CreateError::OutOfMemory) => status::OUT_OF_MEMORY.into(),
    }
}

/// Body of `destroy`: [`status::OK`] or [`status::INVALID_HANDLE`].
pub fn destroy<const N: usize>(registry: &Registry<N>, handle: i64) -> i32 {
    match registry.destroy(Handle(handle)) {
        Ok(()) => status::OK,
        Err(_) => status::INVALID_HANDLE,
    }
}

/// Body of `recordBatch`: records the first `count` samples of `source` and returns `count`, or a
/// negative status with nothing recorded. Lock-, allocation- and panic-free.
#[inline]
pub fn record_batch<const N: usize>(
    registry: &Registry<N>,
    handle: i64,
    count: i32,
    source: &mut impl SampleSource,
) -> i32 {
    let Some(timer) = registry.lookup(Handle(handle)) else {
        return status::INVALID_HANDLE;
    };
    let Ok(total) = usize::try_from(count) else {
        return status::INVALID_ARGUMENT;
    };
    if total > source.available() {
        return status::INVALID_ARGUMENT;
    }
    let mut buffer = [MaybeUninit::<i64>::uninit(); RECORD_CHUNK];
    let mut start = 0usize;
    while start < total {
        let length = total.wrapping_sub(start).min(RECORD_CHUNK);
        let Some(destination) = buffer.get_mut(..length) else {
            return status::INTERNAL_ERROR;
        };
        let Some(samples) = source.copy(start, destination) else {
            return status::INVALID_ARGUMENT;
        };
        timer.record(samples);
        start = start.wrapping_add(length);
    }
    count
}

/// Body of `snapshot`: writes the last completed window into `out` and returns [`status::OK`],
/// or returns [`status::NO_WINDOW_YET`] leaving `out` alone, or [`status::INVALID_HANDLE`].
pub fn snapshot<const N: usize>(
    registry: &Registry<N>,
    handle: i64,
    now_nanos: i64,
    out: &mut [i64; snapshot_layout::LEN],
) -> i32 {
    match registry.snapshot(Handle(handle), now_nanos) {
        Ok(Some(stats)) => {
            *out = snapshot_layout::encode(&stats);
            status::OK
        }
        Ok(None) => status::NO_WINDOW_YET,
        Err(_) => status::INVALID_HANDLE,
    }
}

/// Maps a `with_env` outcome to a return value: JNI errors and panics become `on_error`.
fn resolve<T>(outcome: Outcome<T, jni::errors::Error>, on_error: T) -> T {
    match outcome {
        Outcome::Ok(value) => value,
        Outcome::Err(_) => on_error,
        Outcome::Panic(payload) => {
            std::mem::forget(payload);
            on_error
        }
    }
}

/// A Java `long[]` read with raw JNI calls, for the hot path.
struct JavaLongArray {
    env: *mut JNIEnv,
    array: jlongArray,
    length: usize,
}

impl SampleSource for JavaLongArray {
    fn available(&self) -> usize {
        self.length
    }

    fn copy<'a>(&'a mut self, start: usize, buffer: &'a mut [MaybeUninit<i64>]) -> Option<&'a [i64]> {
        let start_index = i32::try_from(start).ok()?;
        let length = i32::try_from(buffer.len()).ok()?;
        // SAFETY: `env` is the JNIEnv of the calling thread and `array` a live local reference
        // to a long[] for the duration of the native call; `buffer` has room for `length`
        // elements. The region is within bounds (checked by the caller), and the exception check
        // makes sure the JVM wrote all of it before we read it as initialised.
        unsafe {
            let functions = &**self.env;
            (functions.v1_1.GetLongArrayRegion)(
                self.env,
                self.array,
                start_index,
                length,
                buffer.as_mut_ptr().cast::<jlong>(),
            );
            if (functions.v1_2.ExceptionCheck)(self.env) != JNI_FALSE {
                return None;
            }
            Some(std::slice::from_raw_parts(buffer.as_ptr().cast::<i64>(), buffer.len()))
        }
    }
}

/// `static native int abiVersion()`
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_rightsize_flink_metrics_NativeTimers_abiVersion(
    _env: *mut JNIEnv,
    _class: jclass,
) -> jint {
    ABI_VERSION
}

/// `static native long create(String name, int windowMillis, long nowNanos)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_rightsize_flink_metrics_NativeTimers_create<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    name: JString<'local>,
    window_millis: jint,
    now_nanos: jlong,
) -> jlong {
    guarded(status::INTERNAL_ERROR.into(), || {
        let outcome = env.with_env(|env| -> JniResult<jlong> {
            if name.is_null() {
                return Ok(status::INVALID_ARGUMENT.into());
            }
            let name = name.try_to_string(env)?;
            Ok(create(&TIMERS, &name, window_millis, now_nanos))
        });
        resolve(outcome.into_outcome(), status::INTERNAL_ERROR.into())
    })
}

/// `static native int destroy(long handle)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_rightsize_flink_metrics_NativeTimers_destroy(
    _env: *mut JNIEnv,
    _class: jclass,
    handle: jlong,
) -> jint {
    guarded(status::INTERNAL_ERROR, || destroy(&TIMERS, handle))
}

/// `static native int recordBatch(long handle, long[] samples, int count)` — the hot path.
///
/// # Safety
/// Only the JVM calls this, with the calling thread's `env` and a local reference (or null) to a
/// `long[]`, as the JNI specification guarantees for a native method with this signature.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn Java_org_rightsize_flink_metrics_NativeTimers_recordBatch(
    env: *mut JNIEnv,
    _class: jclass,
    handle: jlong,
    samples: jlongArray,
    count: jint,
) -> jint {
    guarded(status::INTERNAL_ERROR, || {
        if samples.is_null() || env.is_null() {
            return status::INVALID_ARGUMENT;
        }
        // SAFETY: as in `JavaLongArray::copy`; `samples` is a non-null long[] reference.
        let length = unsafe { ((**env).v1_1.GetArrayLength)(env, samples) };
        let mut source = JavaLongArray { env, array: samples, length: usize::try_from(length).unwrap_or(0) };
        record_batch(&TIMERS, handle, count, &mut source)
    })
}

/// `static native int snapshot(long handle, long nowNanos, long[] out)`
#[unsafe(no_mangle)]
pub extern "system" fn Java_org_rightsize_flink_metrics_NativeTimers_snapshot<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    now_nanos: jlong,
    out: JLongArray<'local>,
) -> jint {
    guarded(status::INTERNAL_ERROR, || {
        let outcome = env.with_env(|env| -> JniResult<jint> {
            if out.is_null() || out.len(env)? < snapshot_layout::LEN {
                return Ok(status::INVALID_ARGUMENT);
            }
            let mut values = [0i64; snapshot_layout::LEN];
            let result = snapshot(&TIMERS, handle, now_nanos, &mut values);
            if result == status::OK {
                out.set_region(env, 0, &values)?;
            }
            Ok(result)
        });
        resolve(outcome.into_outcome(), status::INTERNAL_ERROR)
    })
}

/// Installs a panic hook that prints one line instead of a backtrace: panics are caught at every
/// entry point, so a message in the TaskManager's stderr is all that should remain of one.
#[unsafe(no_mangle)]
pub extern "system" fn JNI_OnLoad(_vm: *mut JavaVM, _reserved: *mut c_void) -> jint {
    guarded(JNI_VERSION_1_8, || {
        std::panic::set_hook(Box::new(|info| {
            use std::io::Write;
            // A failed write must not panic inside the hook (that would abort).
            let _ = writeln!(std::io::stderr(), "jni-metrics: internal error, recovered; please report: {info}");
        }));
        JNI_VERSION_1_8
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND_MILLIS: i32 = 1_000;
    const SECOND: i64 = 1_000_000_000;

    #[test]
    fn abi_version_is_exported_unchanged() {
        assert_eq!(
            Java_org_rightsize_flink_metrics_NativeTimers_abiVersion(std::ptr::null_mut(), std::ptr::null_mut()),
            ABI_VERSION
        );
    }

    #[test]
    fn lifecycle_through_the_bodies() {
        let registry = Registry::<4>::new();
        let handle = create(&registry, "Map -> Sink: Writer", SECOND_MILLIS, 0);
        assert!(handle >= 1 << 32, "{handle}");

        let samples: Vec<i64> = (1..=3000).collect();
        let mut source = samples.as_slice();
        assert_eq!(record_batch(&registry, handle, 2500, &mut source), 2500);

        let mut out = [-7i64; snapshot_layout::LEN];
        assert_eq!(snapshot(&registry, handle, SECOND / 2, &mut out), status::NO_WINDOW_YET);
        assert_eq!(out, [-7; snapshot_layout::LEN], "untouched until a window completes");

        assert_eq!(snapshot(&registry, handle, SECOND, &mut out), status::OK);
        assert_eq!(out[snapshot_layout::WINDOW_START_NANOS], 0);
        assert_eq!(out[snapshot_layout::WINDOW_END_NANOS], SECOND);
        assert_eq!(out[snapshot_layout::COUNT], 2500, "only the first `count` samples");
        assert_eq!(out[snapshot_layout::SUM_NANOS], 2500 * 2501 / 2);
        assert_eq!(out[snapshot_layout::MIN_NANOS], 1);
        assert_eq!(out[snapshot_layout::MAX_NANOS], 2500);
        assert_eq!(out[snapshot_layout::MEAN_NANOS], 1251);
        assert!(out[snapshot_layout::P50_NANOS].abs_diff(1250) * 128 <= 1250);
        assert!(out[snapshot_layout::P999_NANOS].abs_diff(2498) * 128 <= 2498);

        assert_eq!(destroy(&registry, handle), status::OK);
        assert_eq!(destroy(&registry, handle), status::INVALID_HANDLE);
        assert_eq!(record_batch(&registry, handle, 1, &mut source), status::INVALID_HANDLE);
        assert_eq!(snapshot(&registry, handle, 2 * SECOND, &mut out), status::INVALID_HANDLE);
    }

    #[test]
    fn invalid_arguments_are_rejected_without_recording() {
        let registry = Registry::<1>::new();
        assert_eq!(create(&registry, "t", 0, 0), i64::from(status::INVALID_ARGUMENT));
        assert_eq!(create(&registry, "t", -5, 0), i64::from(status::INVALID_ARGUMENT));
        let handle = create(&registry, "t", i32::MAX, 0);
        assert!(handle > 0);
        assert_eq!(create(&registry, "u", 1, 0), i64::from(status::REGISTRY_FULL));

        let samples = [5i64; 10];
        let mut source = &samples[..];
        assert_eq!(record_batch(&registry, handle, -1, &mut source), status::INVALID_ARGUMENT);
        assert_eq!(record_batch(&registry, handle, 11, &mut source), status::INVALID_ARGUMENT);
        assert_eq!(record_batch(&registry, handle, 0, &mut source), 0);
        for garbage in [0, -1, i64::MAX, handle + 1] {
            assert_eq!(record_batch(&registry, garbage, 1, &mut source), status::INVALID_HANDLE);
        }
        let window = i64::from(i32::MAX) * 1_000_000;
        let mut out = [0i64; snapshot_layout::LEN];
        assert_eq!(snapshot(&registry, handle, window, &mut out), status::OK);
        assert_eq!(out[snapshot_layout::COUNT], 0, "nothing was recorded");
    }

    #[test]
    fn batches_longer_than_the_stack_buffer_are_recorded_in_chunks() {
        let registry = Registry::<1>::new();
        let handle = create(&registry, "big", SECOND_MILLIS, 0);
        let samples: Vec<i64> = (0..(3 * RECORD_CHUNK as i64 + 17)).collect();
        let mut source = samples.as_slice();
        let count = samples.len() as i32;
        assert_eq!(record_batch(&registry, handle, count, &mut source), count);
        let mut out = [0i64; snapshot_layout::LEN];
        snapshot(&registry, handle, SECOND, &mut out);
        assert_eq!(out[snapshot_layout::COUNT], i64::from(count));
        assert_eq!(out[snapshot_layout::SUM_NANOS], samples.iter().sum::<i64>());
        assert_eq!(out[snapshot_layout::MAX_NANOS], count as i64 - 1);
    }

    #[test]
    fn guarded_turns_a_panic_into_the_fallback() {
        assert_eq!(guarded(-9, || -> i32 { panic!("boom (expected by this test)") }), -9);
        assert_eq!(guarded(-9, || 3), 3);
    }
}
