//! Reader-driven rotating windows over a [`Recorder`].
//!
//! The current window accumulates in the recorder; readers see only the last *completed* window,
//! so every gauge read within one window returns the same numbers. There is no background thread:
//! a read at time `now` closes the current window if its configured length has elapsed, and the
//! closed window covers exactly `[start, now)` (its reported end is that read's time, so a window
//! is never shorter than configured and is longer when nobody read on time). Times are whatever
//! monotonic nanosecond clock the caller passes in (the Java side passes `System.nanoTime()`);
//! differences are taken with wrapping arithmetic, so the clock may start anywhere, even negative.
//!
//! Closing a window reads the cumulative counts, subtracts the previous reading and computes the
//! statistics once; the per-window state is one 18.5 KiB array of previous counts. A window's
//! count and sum are exact and its quantiles exact up to the histogram's resolution; a batch being
//! written during the rotation lands wholly in one window or the next (unless writers never pause,
//! see [`crate::recorder`]) and may widen the neighbouring window's min or max, which are then
//! reconciled with the occupied buckets.

use crate::histogram::{self, bucket_lower, bucket_midpoint, bucket_upper, Distribution, Quantile, BUCKET_COUNT};
use crate::recorder::{Reading, Recorder};
use std::collections::TryReserveError;

/// Statistics of one completed window. All values are nanoseconds except `count`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WindowStats {
    /// Window bounds in the caller's clock (`System.nanoTime()` on the Java side).
    pub start_nanos: i64,
    pub end_nanos: i64,
    /// Samples recorded in the window.
    pub count: u64,
    /// Exact sum of the (clamped) samples, modulo 2^64.
    pub sum_nanos: u64,
    /// `sum / count`, rounded to the nearest nanosecond.
    pub mean_nanos: u64,
    pub min_nanos: u64,
    pub max_nanos: u64,
    pub p50_nanos: u64,
    pub p75_nanos: u64,
    pub p90_nanos: u64,
    pub p95_nanos: u64,
    pub p98_nanos: u64,
    pub p99_nanos: u64,
    pub p999_nanos: u64,
    /// Estimated from bucket midpoints.
    pub stddev_nanos: u64,
}

impl WindowStats {
    /// Statistics of the samples whose per-bucket counts are `counts`, with the sum and the
    /// extremes the recorder saw.
    pub fn from_counts(counts: &[u64], sum_nanos: u64, reading: &Reading) -> WindowStats {
        let Distribution { count, lowest_bucket, highest_bucket } = Distribution::of(counts);
        if count == 0 {
            return WindowStats::default();
        }
        // The recorded extremes are exact unless a batch crossed the rotation; then they may not
        // belong to the counted samples, and the occupied buckets bound them instead.
        let reconcile = |recorded: u64, bucket: usize| {
            if (bucket_lower(bucket)..=bucket_upper(bucket)).contains(&recorded) {
                recorded
            } else {
                bucket_midpoint(bucket)
            }
        };
        let min = reconcile(reading.min, lowest_bucket);
        let max = reconcile(reading.max, highest_bucket);
        let (min, max) = (min.min(max), max.max(min));

        let mean = ((u128::from(sum_nanos) + u128::from(count / 2)) / u128::from(count)) as u64;
        let mean = mean.clamp(min, max);
        let [p50, p75, p90, p95, p98, p99, p999] = histogram::quantiles(
            counts,
            count,
            [Quantile::P50, Quantile::P75, Quantile::P90, Quantile::P95, Quantile::P98, Quantile::P99, Quantile::P999],
            min,
            max,
        );
        let stddev = histogram::standard_deviation(counts, count, sum_nanos as f64 / count as f64);
        WindowStats {
            start_nanos: 0,
            end_nanos: 0,
            count,
            sum_nanos,
            mean_nanos: mean,
            min_nanos: min,
            max_nanos: max,
            p50_nanos: p50,
            p75_nanos: p75,
            p90_nanos: p90,
            p95_nanos: p95,
            p98_nanos: p98,
            p99_nanos: p99,
            p999_nanos: p999,
            // `as` saturates for floats: NaN → 0, huge → u64::MAX.
            stddev_nanos: stddev.round() as u64,
        }
    }
}

/// Reader-side state of one timer's windows.
#[derive(Debug)]
pub struct Window {
    length_nanos: u64,
    start_nanos: i64,
    previous_counts: Box<[u64]>,
    previous_sum: u64,
    completed: Option<WindowStats>,
}

impl Window {
    /// Starts the first window at `now_nanos`, counting only samples recorded from now on.
    pub fn start(recorder: &Recorder, length_nanos: u64, now_nanos: i64) -> Result<Window, TryReserveError> {
        let mut previous_counts = Vec::new();
        previous_counts.try_reserve_exact(BUCKET_COUNT)?;
        previous_counts.resize(BUCKET_COUNT, 0);
        let (previous_sum, _) = recorder.read_counts(&mut previous_counts);
        recorder.clear_extremes();
        Ok(Window {
            length_nanos: length_nanos.max(1),
            start_nanos: now_nanos,
            previous_counts: previous_counts.into_boxed_slice(),
            previous_sum,
            completed: None,
        })
    }

    /// Start of the window currently accumulating.
    pub fn current_start_nanos(&self) -> i64 {
        self.start_nanos
    }

    /// The last completed window as of `now_nanos`, closing the current one first if it is due.
    /// `None` until the first window completes.
    pub fn latest(&mut self, recorder: &Recorder, now_nanos: i64) -> Option<WindowStats> {
        if self.is_due(now_nanos) {
            self.close(recorder, now_nanos);
        }
        self.completed
    }

    /// True once the current window has lasted its configured length. A clock reading earlier
    /// than the window start (a reader passing a stale timestamp) is never due.
    pub fn is_due(&self, now_nanos: i64) -> bool {
        let elapsed = now_nanos.wrapping_sub(self.start_nanos);
        elapsed >= 0 && elapsed as u64 >= self.length_nanos
    }

    /// Closes the current window at `now_nanos` whether or not it is due, and starts the next.
    pub fn close(&mut self, recorder: &Recorder, now_nanos: i64) -> WindowStats {
        // 18.5 KiB on the reader's stack instead of a heap buffer kept per timer.
        let mut counts = [0u64; BUCKET_COUNT];
        let reading = recorder.close_epoch(&mut counts);
        for (count, previous) in counts.iter_mut().zip(self.previous_counts.iter_mut()) {
            let cumulative = *count;
            *count = cumulative.wrapping_sub(*previous);
            *previous = cumulative;
        }
        let sum = reading.cumulative_sum.wrapping_sub(self.previous_sum);
        let stats = WindowStats {
            start_nanos: self.start_nanos,
            end_nanos: now_nanos,
            ..WindowStats::from_counts(&counts, sum, &reading)
        };
        // A split reading can put a batch's counts and its sum in different windows; an empty
        // window leaves such a sum to the next window with counts, so none is reported alone.
        if stats.count != 0 {
            self.previous_sum = reading.cumulative_sum;
        }
        self.start_nanos = now_nanos;
        self.completed = Some(stats);
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::histogram::MAX_TRACKABLE_NS;

    const SECOND: i64 = 1_000_000_000;

    fn setup(start: i64) -> (Recorder, Window) {
        let recorder = Recorder::new().unwrap();
        let window = Window::start(&recorder, SECOND as u64, start).unwrap();
        (recorder, window)
    }

    #[test]
    fn nothing_is_visible_until_the_first_window_closes() {
        let (recorder, mut window) = setup(0);
        recorder.record(&[100, 200]);
        assert_eq!(window.latest(&recorder, SECOND - 1), None);
        let stats = window.latest(&recorder, SECOND).unwrap();
        assert_eq!((stats.start_nanos, stats.end_nanos, stats.count), (0, SECOND, 2));
        assert_eq!((stats.sum_nanos, stats.mean_nanos), (300, 150));
        assert_eq!((stats.min_nanos, stats.max_nanos), (100, 200));
    }

    #[test]
    fn reads_within_a_window_see_the_same_completed_window() {
        let (recorder, mut window) = setup(0);
        recorder.record(&[1_000]);
        let first = window.latest(&recorder, SECOND).unwrap();
        recorder.record(&[9_000, 9_000]);
        assert_eq!(window.latest(&recorder, SECOND + 10), Some(first));
        assert_eq!(window.latest(&recorder, 2 * SECOND - 1), Some(first));
        let second = window.latest(&recorder, 2 * SECOND).unwrap();
        assert_eq!((second.count, second.mean_nanos, second.min_nanos), (2, 9_000, 9_000));
        assert_eq!((second.start_nanos, second.end_nanos), (SECOND, 2 * SECOND));
    }

    #[test]
    fn an_empty_window_reports_zeros_with_its_bounds() {
        let (recorder, mut window) = setup(0);
        recorder.record(&[5]);
        window.latest(&recorder, SECOND);
        let empty = window.latest(&recorder, 2 * SECOND).unwrap();
        assert_eq!(empty, WindowStats { start_nanos: SECOND, end_nanos: 2 * SECOND, ..WindowStats::default() });
    }

    #[test]
    fn a_late_read_closes_one_long_window() {
        let (recorder, mut window) = setup(0);
        recorder.record(&[10; 7]);
        let stats = window.latest(&recorder, 5 * SECOND + 3).unwrap();
        assert_eq!((stats.start_nanos, stats.end_nanos, stats.count), (0, 5 * SECOND + 3, 7));
        assert_eq!(window.current_start_nanos(), 5 * SECOND + 3);
    }

    #[test]
    fn clock_may_wrap_and_stale_timestamps_do_not_rotate() {
        let start = i64::MAX - SECOND / 2;
        let (recorder, mut window) = setup(start);
        recorder.record(&[42]);
        assert_eq!(window.latest(&recorder, start - 10), None, "earlier than the start");
        let wrapped = start.wrapping_add(SECOND);
        assert!(wrapped < 0);
        let stats = window.latest(&recorder, wrapped).unwrap();
        assert_eq!((stats.count, stats.max_nanos), (1, 42));
    }

    #[test]
    fn zeros_and_huge_values() {
        let (recorder, mut window) = setup(0);
        recorder.record(&[0, 0, 0, i64::MAX, -1]);
        let stats = window.latest(&recorder, SECOND).unwrap();
        assert_eq!(stats.count, 5);
        assert_eq!((stats.min_nanos, stats.max_nanos), (0, MAX_TRACKABLE_NS));
        assert_eq!(stats.sum_nanos, MAX_TRACKABLE_NS);
        assert_eq!((stats.p50_nanos, stats.p99_nanos, stats.p999_nanos), (0, MAX_TRACKABLE_NS, MAX_TRACKABLE_NS));
    }

    #[test]
    fn samples_before_the_window_started_are_not_counted() {
        let recorder = Recorder::new().unwrap();
        recorder.record(&[1, 2, 3]);
        let mut window = Window::start(&recorder, SECOND as u64, 0).unwrap();
        recorder.record(&[4_000]);
        let stats = window.latest(&recorder, SECOND).unwrap();
        assert_eq!((stats.count, stats.sum_nanos, stats.min_nanos), (1, 4_000, 4_000));
    }

    #[test]
    fn quantiles_are_ordered_and_within_the_extremes() {
        let (recorder, mut window) = setup(0);
        let samples: Vec<i64> = (1..=10_000).map(|i| i * 1_000).collect();
        recorder.record(&samples);
        let s = window.latest(&recorder, SECOND).unwrap();
        let ordered = [
            s.min_nanos,
            s.p50_nanos,
            s.p75_nanos,
            s.p90_nanos,
            s.p95_nanos,
            s.p98_nanos,
            s.p99_nanos,
            s.p999_nanos,
            s.max_nanos,
        ];
        assert!(ordered.windows(2).all(|pair| pair[0] <= pair[1]), "{ordered:?}");
        assert_eq!((s.min_nanos, s.max_nanos), (1_000, 10_000_000));
        assert!(s.p99_nanos.abs_diff(9_900_000) * 128 <= 9_900_000);
        assert_eq!(s.mean_nanos, 5_000_500);
        // Uniform on [0, 10 ms]: standard deviation 10 ms / sqrt(12) ≈ 2.887 ms.
        assert!(s.stddev_nanos.abs_diff(2_886_751) < 30_000, "{}", s.stddev_nanos);
    }

    #[test]
    fn extremes_that_disagree_with_the_counts_are_bounded_by_the_buckets() {
        // A recorded max from a batch that was counted in the next window.
        let counts = {
            let mut counts = vec![0u64; BUCKET_COUNT];
            counts[crate::histogram::bucket_index(1_000)] = 1;
            counts
        };
        let reading = Reading { cumulative_sum: 0, min: u64::MAX, max: 50_000, consistent: false };
        let stats = WindowStats::from_counts(&counts, 1_000, &reading);
        // 1000 ns shares a bucket of width 8 with 1001..=1007; its midpoint stands in.
        let midpoint = crate::histogram::bucket_midpoint(crate::histogram::bucket_index(1_000));
        assert_eq!(midpoint, 1_004);
        assert_eq!((stats.min_nanos, stats.max_nanos, stats.p999_nanos), (1_004, 1_004, 1_004));
        assert_eq!(stats.mean_nanos, 1_004, "the mean is kept within the extremes");
    }
}
