//! Many writer threads against one timer and against separate timers, with a reader rotating
//! windows all the while: every sample must be counted exactly once, in some window.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use jni_metrics::registry::{Handle, Registry};

const WRITERS: usize = 8;
const SAMPLES_PER_WRITER: usize = 1_000_000;

/// Sample `i` of writer `w`: spread over many buckets, and the same on every run.
fn sample(writer: usize, i: usize) -> i64 {
    ((i * 7_919 + writer * 104_729) % 2_000_000) as i64
}

/// Writes all of one writer's samples in batches of varying size (1 ..= 1024).
fn write_all(registry: &Registry<16>, handle: Handle, writer: usize) {
    let mut batch = Vec::with_capacity(1024);
    let mut i = 0;
    while i < SAMPLES_PER_WRITER {
        let size = (1 + (i * 31 + writer) % 1024).min(SAMPLES_PER_WRITER - i);
        batch.clear();
        batch.extend((i..i + size).map(|j| sample(writer, j)));
        registry.record(handle, &batch).expect("the handle stays valid");
        i += size;
    }
}

#[derive(Default, Debug, PartialEq, Eq)]
struct Totals {
    count: u64,
    sum: u64,
    max: u64,
}

impl Totals {
    fn expected(writers: impl Iterator<Item = usize> + Clone) -> Totals {
        let all = || writers.clone().flat_map(|w| (0..SAMPLES_PER_WRITER).map(move |i| sample(w, i) as u64));
        Totals { count: all().count() as u64, sum: all().sum(), max: all().max().unwrap_or(0) }
    }

    /// Counts and sums must be exact. The max is exact too unless a writer was preempted across a
    /// rotation, and then within the histogram's resolution (the 1 ns windows here rotate
    /// constantly, so that case is exercised).
    fn assert_matches(&self, expected: &Totals, what: &str) {
        assert_eq!((self.count, self.sum), (expected.count, expected.sum), "{what}");
        assert!(self.max.abs_diff(expected.max) * 128 <= expected.max, "{what}: max {} vs {}", self.max, expected.max);
    }
}

/// Closes windows (1 ns long, the clock advancing 1 ns per read) until `done`, then once more,
/// adding up what every window saw.
fn read_until_done(registry: &Registry<16>, handles: &[Handle], done: &AtomicBool) -> Vec<Totals> {
    let mut totals: Vec<Totals> = handles.iter().map(|_| Totals::default()).collect();
    let mut now = 0i64;
    let mut last_round = false;
    loop {
        last_round |= done.load(Ordering::Acquire);
        now += 1;
        for (handle, total) in handles.iter().zip(totals.iter_mut()) {
            let stats = registry.snapshot(*handle, now).unwrap().expect("each read closes a window");
            total.count += stats.count;
            total.sum += stats.sum_nanos;
            total.max = total.max.max(stats.max_nanos);
        }
        if last_round {
            return totals;
        }
    }
}

#[test]
fn many_writers_into_one_timer_lose_nothing() {
    let registry = &Registry::<16>::new();
    let handle = registry.create("shared", 1, 0).unwrap();
    let done = &AtomicBool::new(false);
    let totals = thread::scope(|scope| {
        let reader = scope.spawn(move || read_until_done(registry, &[handle], done));
        let writers: Vec<_> = (0..WRITERS).map(|w| scope.spawn(move || write_all(registry, handle, w))).collect();
        for writer in writers {
            writer.join().unwrap();
        }
        done.store(true, Ordering::Release);
        reader.join().unwrap()
    });
    totals[0].assert_matches(&Totals::expected(0..WRITERS), "shared timer");
}

#[test]
fn many_writers_into_separate_timers_lose_nothing() {
    let registry = &Registry::<16>::new();
    let handles: Vec<Handle> = (0..WRITERS).map(|w| registry.create(&format!("timer {w}"), 1, 0).unwrap()).collect();
    let done = &AtomicBool::new(false);
    let totals = thread::scope(|scope| {
        let reader = scope.spawn(|| read_until_done(registry, &handles, done));
        let writers: Vec<_> = handles
            .iter()
            .enumerate()
            .map(|(w, &handle)| scope.spawn(move || write_all(registry, handle, w)))
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        done.store(true, Ordering::Release);
        reader.join().unwrap()
    });
    for (w, total) in totals.iter().enumerate() {
        total.assert_matches(&Totals::expected(w..w + 1), &format!("timer {w}"));
    }
}

#[test]
fn timers_created_and_destroyed_while_others_record() {
    let registry = &Registry::<16>::new();
    let steady = registry.create("steady", 1_000_000_000, 0).unwrap();
    thread::scope(|scope| {
        scope.spawn(move || write_all(registry, steady, 0));
        scope.spawn(move || {
            for round in 0..2_000 {
                let handle = registry.create("churn", 1, 0).unwrap();
                registry.record(handle, &[round]).unwrap();
                registry.destroy(handle).unwrap();
                assert!(registry.record(handle, &[round]).is_err());
            }
        });
    });
    let stats = registry.snapshot(steady, 1_000_000_000).unwrap().unwrap();
    assert_eq!(stats.count, SAMPLES_PER_WRITER as u64);
}
