//! The lock-free write side of one timer: cumulative bucket counts and per-window extremes.
//!
//! Writers only ever add: bucket counts and the sum of samples are cumulative and never reset, so
//! the reader (see [`crate::window`]) works on differences between two readings and never has to
//! write a counter a writer is updating. That is what lets the usual single writer update counts
//! with a plain relaxed load and store (no `lock` prefix, ~1.3 ns a sample).
//!
//! **Several writers stay exact.** Each batch first tries to claim the *owned* shard with one
//! `swap`; the claimant adds with load + store, and a writer that finds the shard claimed adds to
//! the *shared* shard with `fetch_add` instead. Readers sum both. So a timer fed by one thread pays
//! one `swap` per batch (not per sample) beyond plain loads and stores, and a timer fed by several
//! threads at the same instant pays a locked add per sample on the contended batches (~10 ns a
//! sample more, per the notes' measurements) and loses nothing.
//!
//! **Readings are consistent.** Each shard counts batches started and finished (two plain stores
//! per batch for the owned shard, two `fetch_add`s for the shared one). A reader that finds every
//! started batch finished before and after copying the counts has a reading in which counts and
//! sum describe the same samples; otherwise it retries a few times (a batch takes microseconds)
//! and, only if writers never pause, accepts a reading that splits one batch between two windows.
//!
//! **Min and max are per window**, so they cannot be cumulative: they live in two slots chosen by
//! the parity of an epoch that only the reader advances. The reader clears the next slot, advances
//! the epoch, reads the counts, and then reads both slots. A writer updates its slot *before* its
//! counts, with a release fence between, so every sample the reader counted has its extremes in
//! one of the two slots it reads. Samples in flight during a rotation can therefore widen a window's
//! extremes by one neighbouring batch, and a writer preempted across two rotations can have its
//! slot cleared under it; [`crate::window`] reconciles extremes with the occupied buckets, so they
//! are exact in the normal case and within the histogram's resolution in these two.

use std::collections::TryReserveError;
use std::sync::atomic::{fence, AtomicBool, AtomicU64, Ordering};

use crate::histogram::{bucket_index, clamp_sample, BUCKET_COUNT};

/// Keeps a writer-hot field on its own cache line so writers of different fields do not contend.
#[derive(Debug, Default)]
#[repr(align(64))]
struct CachePadded<T>(T);

/// Batches begun and completed on one shard; equal when no batch is half-written.
#[derive(Debug, Default)]
#[repr(align(64))]
struct Progress {
    started: AtomicU64,
    finished: AtomicU64,
    /// Sum of all samples, modulo 2^64 (on the same line: written once per batch, like these).
    sum: AtomicU64,
}

#[derive(Debug)]
struct Shard {
    progress: Progress,
    buckets: Box<[AtomicU64]>,
}

impl Shard {
    fn new() -> Result<Shard, TryReserveError> {
        let mut buckets = Vec::new();
        buckets.try_reserve_exact(BUCKET_COUNT)?;
        buckets.resize_with(BUCKET_COUNT, || AtomicU64::new(0));
        Ok(Shard { progress: Progress::default(), buckets: buckets.into_boxed_slice() })
    }

    /// Adds a batch, assuming no other thread writes this shard (the claim guarantees it).
    #[inline]
    fn add_exclusive(&self, samples: &[i64]) {
        let progress = &self.progress;
        let batch = progress.started.load(Ordering::Relaxed).wrapping_add(1);
        progress.started.store(batch, Ordering::Relaxed);
        // Readers that see any count below also see that this batch started.
        fence(Ordering::Release);
        let mut sum = 0u64;
        for &sample in samples {
            let value = clamp_sample(sample);
            sum = sum.wrapping_add(value);
            if let Some(bucket) = self.buckets.get(bucket_index(value)) {
                bucket.store(bucket.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
            }
        }
        progress.sum.store(progress.sum.load(Ordering::Relaxed).wrapping_add(sum), Ordering::Relaxed);
        progress.finished.store(batch, Ordering::Release);
    }

    /// Adds a batch while other threads may write the same shard.
    #[inline]
    fn add_shared(&self, samples: &[i64]) {
        let progress = &self.progress;
        progress.started.fetch_add(1, Ordering::Relaxed);
        fence(Ordering::Release);
        let mut sum = 0u64;
        for &sample in samples {
            let value = clamp_sample(sample);
            sum = sum.wrapping_add(value);
            if let Some(bucket) = self.buckets.get(bucket_index(value)) {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        progress.sum.fetch_add(sum, Ordering::Relaxed);
        progress.finished.fetch_add(1, Ordering::Release);
    }
}

/// Lowest and highest sample seen in one epoch; `min > max` means none.
#[derive(Debug)]
#[repr(align(64))]
struct Extremes {
    min: AtomicU64,
    max: AtomicU64,
}

impl Extremes {
    const fn empty() -> Extremes {
        Extremes { min: AtomicU64::new(u64::MAX), max: AtomicU64::new(0) }
    }

    fn clear(&self) {
        self.min.store(u64::MAX, Ordering::Relaxed);
        self.max.store(0, Ordering::Relaxed);
    }

    /// Widens to include `[low, high]`; the plain loads skip the locked update unless the batch
    /// holds a new extreme, which is rare after a window's first batches.
    #[inline]
    fn widen(&self, low: u64, high: u64) {
        if low < self.min.load(Ordering::Relaxed) {
            self.min.fetch_min(low, Ordering::Relaxed);
        }
        if high > self.max.load(Ordering::Relaxed) {
            self.max.fetch_max(high, Ordering::Relaxed);
        }
    }
}

/// What the reader takes at the end of an interval: cumulative counts (written into a buffer it
/// provides), the cumulative sum, and the extremes of the closing epoch and the one just opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    pub cumulative_sum: u64,
    /// `u64::MAX` when no sample was seen.
    pub min: u64,
    /// 0 when no sample was seen.
    pub max: u64,
    /// False if writers kept a batch half-written through every attempt (see the module docs).
    pub consistent: bool,
}

/// Attempts at a reading with no batch half-written before accepting a split one.
const CONSISTENT_READ_ATTEMPTS: u32 = 16;

/// Write side of one timer. See the module docs for the protocol.
#[derive(Debug)]
pub struct Recorder {
    claimed: CachePadded<AtomicBool>,
    owned: Shard,
    shared: Shard,
    epoch: CachePadded<AtomicU64>,
    extremes: [Extremes; 2],
}

impl Recorder {
    /// Allocates the two shards (2 × 18.5 KiB); fails instead of aborting when memory is short.
    pub fn new() -> Result<Recorder, TryReserveError> {
        Ok(Recorder {
            claimed: CachePadded::default(),
            owned: Shard::new()?,
            shared: Shard::new()?,
            epoch: CachePadded::default(),
            extremes: [Extremes::empty(), Extremes::empty()],
        })
    }

    fn extremes_for(&self, epoch: u64) -> &Extremes {
        let [even, odd] = &self.extremes;
        if epoch % 2 == 0 {
            even
        } else {
            odd
        }
    }

    /// Records a batch of nanosecond durations. Lock-free, allocation-free and panic-free; safe
    /// from any number of threads at once.
    #[inline]
    pub fn record(&self, samples: &[i64]) {
        let Some(&first) = samples.first() else {
            return;
        };
        // Clamping is monotonic, so clamp the raw extremes once (keeps this loop short).
        let (low, high) =
            samples.iter().fold((first, first), |(low, high), &sample| (low.min(sample), high.max(sample)));
        let (low, high) = (clamp_sample(low), clamp_sample(high));
        // Acquire pairs with the reader's release of a new epoch, so the cleared slot is seen.
        self.extremes_for(self.epoch.0.load(Ordering::Acquire)).widen(low, high);
        // Extremes before counts: whoever sees these counts also sees the extremes.
        fence(Ordering::Release);

        if self.claimed.0.swap(true, Ordering::Acquire) {
            self.shared.add_shared(samples);
        } else {
            self.owned.add_exclusive(samples);
            self.claimed.0.store(false, Ordering::Release);
        }
    }

    /// Reads the cumulative counts into `cumulative` (which must hold [`BUCKET_COUNT`] entries;
    /// extra entries are left alone) and returns the cumulative sum, and whether counts and sum
    /// describe the same samples. Does not start a new epoch.
    pub fn read_counts(&self, cumulative: &mut [u64]) -> (u64, bool) {
        let shards = [&self.owned, &self.shared];
        let mut sum = 0;
        for attempt in 0..CONSISTENT_READ_ATTEMPTS {
            let finished = shards.map(|shard| shard.progress.finished.load(Ordering::Acquire));
            let buckets = self.owned.buckets.iter().zip(self.shared.buckets.iter());
            for (out, (owned, shared)) in cumulative.iter_mut().zip(buckets) {
                *out = owned.load(Ordering::Relaxed).wrapping_add(shared.load(Ordering::Relaxed));
            }
            sum = shards.iter().fold(0u64, |sum, shard| sum.wrapping_add(shard.progress.sum.load(Ordering::Relaxed)));
            fence(Ordering::Acquire);
            let started = shards.map(|shard| shard.progress.started.load(Ordering::Relaxed));
            if started == finished {
                return (sum, true);
            }
            if attempt < CONSISTENT_READ_ATTEMPTS / 2 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        (sum, false)
    }

    /// Ends the current epoch: opens a fresh one for writers, then reads the cumulative counts and
    /// the extremes of both epochs. Callers must serialise calls (the window's mutex does).
    pub fn close_epoch(&self, cumulative: &mut [u64]) -> Reading {
        let closing = self.epoch.0.load(Ordering::Relaxed);
        let opening = closing.wrapping_add(1);
        self.extremes_for(opening).clear();
        self.epoch.0.store(opening, Ordering::Release);
        // Writers that have not yet loaded the new epoch may still be adding; keep the counts read
        // after the epoch change so their extremes are in the closing slot we read below.
        fence(Ordering::SeqCst);
        let (cumulative_sum, consistent) = self.read_counts(cumulative);
        fence(Ordering::Acquire);
        let (old, new) = (self.extremes_for(closing), self.extremes_for(opening));
        Reading {
            cumulative_sum,
            consistent,
            min: old.min.load(Ordering::Relaxed).min(new.min.load(Ordering::Relaxed)),
            max: old.max.load(Ordering::Relaxed).max(new.max.load(Ordering::Relaxed)),
        }
    }

    /// Forgets the extremes of both epochs (used when a slot is reused for a new timer).
    pub fn clear_extremes(&self) {
        for extremes in &self.extremes {
            extremes.clear();
        }
    }

    /// Holds the owned shard as if a batch were being written, to test the contended path.
    #[cfg(test)]
    fn hold_claim(&self, held: bool) {
        self.claimed.0.store(held, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::histogram::MAX_TRACKABLE_NS;

    fn total(counts: &[u64]) -> u64 {
        counts.iter().sum()
    }

    #[test]
    fn owned_and_shared_paths_add_up() {
        let recorder = Recorder::new().unwrap();
        recorder.record(&[10, 20, 30]);
        recorder.hold_claim(true);
        recorder.record(&[40, 1_000_000]);
        recorder.hold_claim(false);
        let mut counts = vec![0; BUCKET_COUNT];
        let reading = recorder.close_epoch(&mut counts);
        assert_eq!(total(&counts), 5);
        assert_eq!(reading.cumulative_sum, 1_000_100);
        assert_eq!((reading.min, reading.max), (10, 1_000_000));
        assert!(reading.consistent);
        // The claim was released after the uncontended batch.
        assert!(!recorder.claimed.0.load(Ordering::SeqCst));
    }

    #[test]
    fn epochs_separate_extremes_but_counts_accumulate() {
        let recorder = Recorder::new().unwrap();
        let mut counts = vec![0; BUCKET_COUNT];
        recorder.record(&[500]);
        assert_eq!(recorder.close_epoch(&mut counts).max, 500);
        recorder.record(&[7]);
        let reading = recorder.close_epoch(&mut counts);
        assert_eq!((reading.min, reading.max), (7, 7));
        assert_eq!(total(&counts), 2);
        let empty = recorder.close_epoch(&mut counts);
        assert_eq!((empty.min, empty.max), (u64::MAX, 0));
    }

    #[test]
    fn out_of_range_samples_are_clamped_not_dropped() {
        let recorder = Recorder::new().unwrap();
        recorder.record(&[-5, i64::MAX, 0]);
        let mut counts = vec![0; BUCKET_COUNT];
        let reading = recorder.close_epoch(&mut counts);
        assert_eq!(total(&counts), 3);
        assert_eq!(counts[0], 2);
        assert_eq!(counts[BUCKET_COUNT - 1], 1);
        assert_eq!(reading.cumulative_sum, MAX_TRACKABLE_NS);
        assert_eq!((reading.min, reading.max), (0, MAX_TRACKABLE_NS));
    }

    /// Eight threads writing small batches at once; returns how many samples they wrote.
    fn write_concurrently(recorder: &Recorder) -> u64 {
        const THREADS: u64 = 8;
        const SAMPLES: u64 = 200_000;
        let start = std::sync::Barrier::new(THREADS as usize);
        std::thread::scope(|scope| {
            for thread in 0..THREADS {
                let start = &start;
                scope.spawn(move || {
                    start.wait();
                    let samples: Vec<i64> = (0..SAMPLES as i64).map(|i| i + thread as i64).collect();
                    for (i, batch) in samples.chunks(1 + (thread as usize % 16)).enumerate() {
                        recorder.record(batch);
                        if i % 64 == 0 {
                            std::thread::yield_now();
                        }
                    }
                });
            }
        });
        THREADS * SAMPLES
    }

    #[test]
    fn contended_batches_are_exact_under_real_concurrency() {
        let recorder = Recorder::new().unwrap();
        let expected = write_concurrently(&recorder);
        let mut counts = vec![0; BUCKET_COUNT];
        let (sum, consistent) = recorder.read_counts(&mut counts);
        assert!(consistent);
        assert_eq!(total(&counts), expected);
        let expected_sum: u64 = (0..8u64).map(|t| (0..200_000u64).map(|i| i + t).sum::<u64>()).sum();
        // How many batches found the owned shard claimed depends on scheduling (none on one
        // core); the next test sends every batch down the contended path.
        assert_eq!(sum, expected_sum);
    }

    #[test]
    fn the_shared_shard_alone_is_exact_under_real_concurrency() {
        let recorder = Recorder::new().unwrap();
        // An owner that never lets go sends every batch to the shared shard.
        recorder.hold_claim(true);
        let expected = write_concurrently(&recorder);
        let mut counts = vec![0; BUCKET_COUNT];
        recorder.read_counts(&mut counts);
        assert_eq!(total(&counts), expected);
        assert_eq!(recorder.owned.progress.started.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_half_written_batch_is_reported_as_inconsistent() {
        let recorder = Recorder::new().unwrap();
        recorder.record(&[1]);
        recorder.shared.progress.started.fetch_add(1, Ordering::SeqCst);
        let mut counts = vec![0; BUCKET_COUNT];
        assert_eq!(recorder.read_counts(&mut counts), (1, false));
        recorder.shared.progress.finished.fetch_add(1, Ordering::SeqCst);
        assert_eq!(recorder.read_counts(&mut counts), (1, true));
    }

    #[test]
    fn empty_batches_change_nothing() {
        let recorder = Recorder::new().unwrap();
        recorder.record(&[]);
        let mut counts = vec![0; BUCKET_COUNT];
        let reading = recorder.close_epoch(&mut counts);
        assert_eq!((total(&counts), reading.cumulative_sum, reading.max), (0, 0, 0));
    }
}
