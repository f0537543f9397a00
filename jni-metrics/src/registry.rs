//! Timer handles: indices into a fixed slab, checked by generation, so that a stale, forged or
//! garbage handle is rejected and can never reach freed memory.
//!
//! A handle is `generation << 32 | index`. A slot's generation is odd while a timer lives in it
//! and even while it is free; `create` and `destroy` each add one. Timers are never freed: a
//! destroyed slot keeps its (reset) timer for the next `create`, so a writer that looked a timer up
//! just before a concurrent `destroy` still writes into valid memory. The worst a racing stale
//! writer can do is add one batch to the slot's next timer. Freed slots are reused
//! first-in-first-out to make even that unlikely. The generation keeps 31 bits, so handles are
//! always positive (≥ 2^32) and a handle is only mistaken for a newer timer in the same slot
//! after 2^30 reuses of that slot.
//!
//! Lookup (the hot path) is a bounds-checked index and two acquire loads. Creation and
//! destruction take one mutex; readers of one timer are serialised by that timer's own mutex,
//! which writers never touch.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use crate::recorder::Recorder;
use crate::window::{Window, WindowStats};

const GENERATION_MASK: u32 = 0x7FFF_FFFF;

/// An opaque timer handle as the Java side holds it (a positive `long`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Handle(pub i64);

impl Handle {
    fn new(index: usize, generation: u32) -> Handle {
        Handle((i64::from(generation & GENERATION_MASK) << 32) | index as i64)
    }

    fn index(self) -> usize {
        (self.0 as u64 & 0xFFFF_FFFF) as usize
    }

    /// The generation bits; a negative handle keeps its sign bit here and so matches nothing.
    fn generation(self) -> u32 {
        (self.0 as u64 >> 32) as u32
    }
}

/// Why a timer could not be created.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreateError {
    /// Every slot holds a live timer: the caller leaks timers or needs a larger registry.
    Full,
    /// Native memory for the histograms could not be allocated.
    OutOfMemory,
}

/// The handle does not name a live timer (never created, destroyed, or corrupted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidHandle;

/// One timer: the lock-free write side and the mutex-guarded read side.
#[derive(Debug)]
pub struct Timer {
    recorder: Recorder,
    reader: Mutex<ReaderState>,
}

#[derive(Debug)]
struct ReaderState {
    /// Generation this state belongs to, re-checked under the lock so a reader holding a stale
    /// handle never reads a reused slot's windows.
    generation: u32,
    name: String,
    window: Window,
}

impl Timer {
    /// Records a batch of nanosecond durations (see [`Recorder::record`]).
    #[inline]
    pub fn record(&self, samples: &[i64]) {
        self.recorder.record(samples);
    }

    fn reader(&self) -> MutexGuard<'_, ReaderState> {
        // The state holds only numbers: if a reader ever panicked mid-update the next window
        // starts from whatever it left, which is still memory-safe and self-correcting.
        self.reader.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Debug)]
struct Slot {
    generation: AtomicU32,
    timer: OnceLock<Box<Timer>>,
}

impl Slot {
    const fn new() -> Slot {
        Slot { generation: AtomicU32::new(0), timer: OnceLock::new() }
    }
}

#[derive(Debug)]
struct FreeList {
    /// Destroyed slots, oldest first.
    reusable: VecDeque<u32>,
    /// Slots at and above this index have never been used.
    never_used: u32,
}

/// A fixed-capacity table of timers.
#[derive(Debug)]
pub struct Registry<const CAPACITY: usize> {
    slots: [Slot; CAPACITY],
    free: Mutex<FreeList>,
}

impl<const CAPACITY: usize> Default for Registry<CAPACITY> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const CAPACITY: usize> Registry<CAPACITY> {
    /// An empty registry; usable in a `static`.
    pub const fn new() -> Self {
        Registry {
            slots: [const { Slot::new() }; CAPACITY],
            free: Mutex::new(FreeList { reusable: VecDeque::new(), never_used: 0 }),
        }
    }

    fn free_list(&self) -> MutexGuard<'_, FreeList> {
        self.free.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates a timer whose windows last `window_nanos`, the first starting at `now_nanos`.
    pub fn create(&self, name: &str, window_nanos: u64, now_nanos: i64) -> Result<Handle, CreateError> {
        let mut free = self.free_list();
        let (index, from_reusable) = match free.reusable.front() {
            Some(&index) => (index as usize, true),
            None if (free.never_used as usize) < CAPACITY => (free.never_used as usize, false),
            None => return Err(CreateError::Full),
        };
        let slot = self.slots.get(index).ok_or(CreateError::Full)?;
        let generation = slot.generation.load(Ordering::Relaxed).wrapping_add(1) & GENERATION_MASK;
        let state = |recorder: &Recorder| -> Result<ReaderState, CreateError> {
            let window = Window::start(recorder, window_nanos, now_nanos).map_err(|_| CreateError::OutOfMemory)?;
            Ok(ReaderState { generation, name: name.to_owned(), window })
        };
        match slot.timer.get() {
            Some(timer) => *timer.reader() = state(&timer.recorder)?,
            None => {
                let recorder = Recorder::new().map_err(|_| CreateError::OutOfMemory)?;
                let reader = Mutex::new(state(&recorder)?);
                // Only creators initialise slots, and they hold the free-list lock.
                slot.timer.get_or_init(|| Box::new(Timer { recorder, reader }));
            }
        }
        // Publish only once the state is ready; lookups compare against this value.
        slot.generation.store(generation, Ordering::Release);
        if from_reusable {
            free.reusable.pop_front();
        } else {
            free.never_used += 1;
        }
        Ok(Handle::new(index, generation))
    }

    /// Destroys a timer; its handle (and every copy of it) becomes invalid.
    pub fn destroy(&self, handle: Handle) -> Result<(), InvalidHandle> {
        let mut free = self.free_list();
        let index = handle.index();
        let slot = self.slots.get(index).ok_or(InvalidHandle)?;
        let live = slot.generation.load(Ordering::Relaxed);
        if !is_live(live) || live != handle.generation() {
            return Err(InvalidHandle);
        }
        slot.generation.store(live.wrapping_add(1) & GENERATION_MASK, Ordering::Release);
        if let Some(timer) = slot.timer.get() {
            let mut reader = timer.reader();
            reader.name = String::new();
        }
        // Reserve before pushing so a failed allocation cannot abort: without the reservation the
        // slot is simply not reused.
        if free.reusable.try_reserve(1).is_ok() {
            free.reusable.push_back(index as u32);
        }
        Ok(())
    }

    /// The live timer a handle names. Hot path: no lock, no allocation, no panic.
    #[inline]
    pub fn lookup(&self, handle: Handle) -> Option<&Timer> {
        let slot = self.slots.get(handle.index())?;
        let live = slot.generation.load(Ordering::Acquire);
        if is_live(live) && live == handle.generation() {
            slot.timer.get().map(|timer| &**timer)
        } else {
            None
        }
    }

    /// Records a batch into the timer `handle` names.
    #[inline]
    pub fn record(&self, handle: Handle, samples: &[i64]) -> Result<(), InvalidHandle> {
        self.lookup(handle).ok_or(InvalidHandle)?.record(samples);
        Ok(())
    }

    /// The last completed window as of `now_nanos` (closing the current one if it is due), or
    /// `None` while the first window is still open.
    pub fn snapshot(&self, handle: Handle, now_nanos: i64) -> Result<Option<WindowStats>, InvalidHandle> {
        let timer = self.lookup(handle).ok_or(InvalidHandle)?;
        let mut reader = timer.reader();
        if reader.generation != handle.generation() {
            return Err(InvalidHandle);
        }
        Ok(reader.window.latest(&timer.recorder, now_nanos))
    }

    /// The name given at creation, for diagnostics.
    pub fn name(&self, handle: Handle) -> Result<String, InvalidHandle> {
        let timer = self.lookup(handle).ok_or(InvalidHandle)?;
        let reader = timer.reader();
        if reader.generation != handle.generation() {
            return Err(InvalidHandle);
        }
        Ok(reader.name.clone())
    }

    /// Number of live timers.
    pub fn live(&self) -> usize {
        let free = self.free_list();
        (free.never_used as usize).saturating_sub(free.reusable.len())
    }
}

fn is_live(generation: u32) -> bool {
    generation % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: u64 = 1_000_000_000;

    #[test]
    fn handles_are_positive_and_distinct() {
        let registry = Registry::<4>::new();
        let a = registry.create("a", SECOND, 0).unwrap();
        let b = registry.create("b", SECOND, 0).unwrap();
        assert!(a.0 >= 1 << 32 && b.0 >= 1 << 32);
        assert_ne!(a, b);
        assert_eq!(registry.name(a).unwrap(), "a");
        assert_eq!(registry.live(), 2);
    }

    #[test]
    fn stale_handles_are_rejected_after_destroy_and_reuse() {
        let registry = Registry::<1>::new();
        let old = registry.create("old", SECOND, 0).unwrap();
        registry.record(old, &[1, 2, 3]).unwrap();
        registry.destroy(old).unwrap();
        assert_eq!(registry.record(old, &[1]), Err(InvalidHandle));
        assert_eq!(registry.snapshot(old, 0), Err(InvalidHandle));
        assert_eq!(registry.destroy(old), Err(InvalidHandle), "double destroy");

        let new = registry.create("new", SECOND, 0).unwrap();
        assert_eq!(new.index(), old.index(), "the slot is reused");
        assert_ne!(new, old);
        assert_eq!(registry.record(old, &[1]), Err(InvalidHandle));
        assert_eq!(registry.name(old), Err(InvalidHandle));
        // The reused timer starts empty: nothing of the old timer's samples leaks into it.
        registry.record(new, &[7]).unwrap();
        let stats = registry.snapshot(new, SECOND as i64).unwrap().unwrap();
        assert_eq!((stats.count, stats.sum_nanos), (1, 7));
    }

    #[test]
    fn forged_and_garbage_handles_are_rejected() {
        let registry = Registry::<2>::new();
        let live = registry.create("x", SECOND, 0).unwrap();
        for garbage in [0, -1, i64::MIN, i64::MAX, live.0 + 1, live.0 + (2 << 32), live.0 | (1 << 63)] {
            let handle = Handle(garbage);
            assert!(registry.lookup(handle).is_none(), "{garbage:#x}");
            assert_eq!(registry.destroy(handle), Err(InvalidHandle), "{garbage:#x}");
        }
        assert!(registry.lookup(live).is_some());
    }

    #[test]
    fn full_registry_refuses_then_recovers_after_destroy() {
        let registry = Registry::<2>::new();
        let a = registry.create("a", SECOND, 0).unwrap();
        registry.create("b", SECOND, 0).unwrap();
        assert_eq!(registry.create("c", SECOND, 0), Err(CreateError::Full));
        registry.destroy(a).unwrap();
        assert!(registry.create("c", SECOND, 0).is_ok());
        assert_eq!(registry.live(), 2);
    }

    #[test]
    fn freed_slots_are_reused_oldest_first() {
        let registry = Registry::<3>::new();
        let handles: Vec<Handle> = (0..3).map(|i| registry.create(&i.to_string(), SECOND, 0).unwrap()).collect();
        registry.destroy(handles[2]).unwrap();
        registry.destroy(handles[0]).unwrap();
        assert_eq!(registry.create("d", SECOND, 0).unwrap().index(), handles[2].index());
        assert_eq!(registry.create("e", SECOND, 0).unwrap().index(), handles[0].index());
    }

    #[test]
    fn generations_wrap_without_producing_negative_or_free_looking_handles() {
        let registry = Registry::<1>::new();
        registry.slots[0].generation.store(GENERATION_MASK - 1, Ordering::SeqCst);
        for _ in 0..4 {
            let handle = registry.create("wrap", SECOND, 0).unwrap();
            assert!(handle.0 > 0);
            assert!(registry.lookup(handle).is_some());
            registry.destroy(handle).unwrap();
            assert!(registry.lookup(handle).is_none());
        }
    }
}
