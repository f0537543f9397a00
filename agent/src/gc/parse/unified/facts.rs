//! Facts about the JVM (collector, version, heap and region sizes, start and exit) and the
//! safepoint records: the lines that are not GC events.
//!
//! A JVM's start is a block of lines printed before its first GC. JDK 11-14 print heap and region
//! sizes before `Using <collector>`, 17+ print `Using` first and `Version:` next, so the block opens
//! at whichever comes first, and a second `Using`/`Version` in one block (a JVM that died before
//! collecting) opens the next one.

use super::{Line, UnifiedParser};
use crate::gc::model::{Collector, Fact, Record, Safepoint, Timestamp};
use crate::gc::parse::lexer::{parse_size, take_decimal, take_size};
use crate::gc::parse::LineClass;

/// Which lines of the current JVM start block were seen: a second `Using`/`Version` means a new JVM.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct StartBlock {
    open: bool,
    using_seen: bool,
    version_seen: bool,
    /// The reserved heap of `Heap address: ..., size: 64 MB`, stated before any better source.
    reserved_heap: Option<(Timestamp, u64)>,
}

/// The kinds of lines a JVM prints only at start, before its first GC.
#[derive(Clone, Copy)]
enum StartLine {
    Using,
    Version,
    /// Heap and region sizes, which JDK 11-14 print before `Using`.
    Other,
}

/// Facts already emitted for the current JVM, so repeated lines (ZGC prints `Max Capacity` every
/// cycle) do not repeat them.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct EmittedFacts {
    region_size: Option<u64>,
    heap_max: Option<u64>,
    heap_initial: Option<u64>,
}

impl StartBlock {
    /// Start lines were seen and no GC yet: facts may still be held back.
    pub(super) fn is_open(&self) -> bool {
        self.open
    }
}

impl UnifiedParser {
    pub(super) fn on_using(&mut self, at: Timestamp, name: &str, out: &mut Vec<Record>) -> Option<LineClass> {
        let collector = match name.trim_end() {
            "G1" => Collector::G1,
            "Parallel" => Collector::Parallel,
            "Serial" => Collector::Serial,
            "Concurrent Mark Sweep" => Collector::Cms,
            "Shenandoah" => Collector::Shenandoah,
            "The Z Garbage Collector" => Collector::Zgc,
            "Epsilon" => Collector::Epsilon,
            // `[gc,task] Using 4 workers of 4 for evacuation` and the like.
            _ => return None,
        };
        self.note_start_line(StartLine::Using, at, out);
        self.set_collector(collector, at, out);
        Some(LineClass::Recognized)
    }

    pub(super) fn on_version(&mut self, at: Timestamp, rest: &str, out: &mut Vec<Record>) -> LineClass {
        let Some(version) = rest.split_ascii_whitespace().next() else {
            return LineClass::Unrecognized;
        };
        self.note_start_line(StartLine::Version, at, out);
        out.push(Record::Fact { at, fact: Fact::Version(version.to_string()) });
        LineClass::Recognized
    }

    /// A GC ends the JVM's start block: start lines after it are a new JVM's.
    pub(super) fn end_start_block(&mut self, out: &mut Vec<Record>) {
        self.start_block.open = false;
        if let Some((at, reserved)) = self.start_block.reserved_heap.take() {
            if self.emitted.heap_max.is_none() {
                self.emit_heap_sizes(at, Some(reserved), None, out);
            }
        }
    }

    /// JDK 9-16 `[gc,heap,coops] Heap address: 0x..., size: 8192 MB, Compressed Oops mode: ...`.
    /// The reserved heap is the maximum heap in the samples up to JDK 17 (and often its only
    /// statement in a JDK 11 log), but not always (a JDK 24 Serial build reserves 4096 MB for a
    /// 2 GB `Heap Max Capacity`): it stands in only when the start block names no maximum.
    pub(super) fn on_heap_address(&mut self, at: Timestamp, rest: &str) -> LineClass {
        let size = rest.split_once(", size: ").and_then(|(_, size)| take_size(size));
        match size {
            Some((size, _)) => {
                self.start_block.reserved_heap = Some((at, size));
                LineClass::Recognized
            }
            None => LineClass::Unrecognized,
        }
    }

    /// A line printed only while a JVM starts. The first one of a block starts a JVM instance;
    /// so does a second `Using`/`Version` in one block (a JVM that died before its first GC).
    fn note_start_line(&mut self, line: StartLine, at: Timestamp, out: &mut Vec<Record>) {
        let block = self.start_block;
        let repeated = match line {
            StartLine::Using => block.using_seen,
            StartLine::Version => block.version_seen,
            StartLine::Other => false,
        };
        if !block.open || repeated {
            self.start_jvm(at, out);
        }
        match line {
            StartLine::Using => self.start_block.using_seen = true,
            StartLine::Version => self.start_block.version_seen = true,
            StartLine::Other => {}
        }
    }

    /// Heap and region sizes belong to a start block unless a GC prints them (ZGC repeats
    /// `Max Capacity` in every cycle, under the cycle's id).
    pub(super) fn note_init_line(&mut self, line: &Line, out: &mut Vec<Record>) {
        if line.gc_id.is_none() {
            self.note_start_line(StartLine::Other, line.at, out);
        }
    }

    /// A new JVM's first start line. Whatever the previous JVM left pending can never complete.
    fn start_jvm(&mut self, at: Timestamp, out: &mut Vec<Record>) {
        // The previous JVM may have died before its first GC, its start block still open.
        self.end_start_block(out);
        self.dropped += self.pending.len() as u64;
        self.pending.clear();
        self.collector = Collector::Unknown;
        self.emitted = EmittedFacts::default();
        self.last_full_id = None;
        self.summarized = Default::default();
        self.start_block = StartBlock { open: true, ..StartBlock::default() };
        out.push(Record::Fact { at, fact: Fact::JvmStart });
    }

    fn set_collector(&mut self, collector: Collector, at: Timestamp, out: &mut Vec<Record>) {
        if self.collector != collector {
            self.collector = collector;
            out.push(Record::Fact { at, fact: Fact::Collector(collector) });
        }
    }

    /// A collector told by content, for files that lack the `Using` line (rotated files).
    /// Only fills an unknown collector, or refines ZGC to generational ZGC.
    pub(super) fn infer_collector(&mut self, collector: Collector, at: Timestamp, out: &mut Vec<Record>) {
        let refines = self.collector == Collector::Zgc && collector == Collector::GenerationalZgc;
        if self.collector == Collector::Unknown || refines {
            self.set_collector(collector, at, out);
        }
    }

    pub(super) fn on_region_size(&mut self, at: Timestamp, size: Option<u64>, out: &mut Vec<Record>) -> LineClass {
        let Some(size) = size else {
            return LineClass::Unrecognized;
        };
        if self.emitted.region_size != Some(size) {
            self.emitted.region_size = Some(size);
            out.push(Record::Fact { at, fact: Fact::RegionSize(size) });
        }
        LineClass::Recognized
    }

    /// `Heap Max Capacity: 2G`, ZGC `Max Capacity: 3954M(100%)`, `Heap Initial Capacity: 248M`.
    pub(super) fn on_heap_size(
        &mut self,
        at: Timestamp,
        max: Option<&str>,
        initial: Option<&str>,
        out: &mut Vec<Record>,
    ) -> LineClass {
        let size = |text: &str| take_size(text.trim_start()).map(|(size, _)| size);
        let max = max.map(size);
        let initial = initial.map(size);
        if max == Some(None) || initial == Some(None) {
            return LineClass::Unrecognized;
        }
        self.emit_heap_sizes(at, max.flatten(), initial.flatten(), out);
        LineClass::Recognized
    }

    /// Debug `[gc,heap] Minimum heap 8388608  Initial heap 268435456  Maximum heap 4294967296`.
    pub(super) fn on_heap_bounds(&mut self, at: Timestamp, rest: &str, out: &mut Vec<Record>) -> LineClass {
        let value_after = |label: &str| {
            let start = rest.find(label)? + label.len();
            take_decimal(&rest[start..]).map(|(value, _)| value as u64)
        };
        let (initial, max) = (value_after("Initial heap "), value_after("Maximum heap "));
        if initial.is_none() && max.is_none() {
            return LineClass::Unrecognized;
        }
        self.emit_heap_sizes(at, max, initial, out);
        LineClass::Recognized
    }

    /// JDK 11 Shenandoah `Initialize Shenandoah heap: 248M initial, 7168K min, 3953M max`.
    pub(super) fn on_shenandoah_heap(&mut self, at: Timestamp, rest: &str, out: &mut Vec<Record>) -> LineClass {
        let mut initial = None;
        let mut max = None;
        for part in rest.split(", ") {
            match part.split_once(' ') {
                Some((size, "initial")) => initial = parse_size(size),
                Some((size, "max")) => max = parse_size(size),
                _ => {}
            }
        }
        if initial.is_none() && max.is_none() {
            return LineClass::Unrecognized;
        }
        self.emit_heap_sizes(at, max, initial, out);
        LineClass::Recognized
    }

    fn emit_heap_sizes(&mut self, at: Timestamp, max: Option<u64>, initial: Option<u64>, out: &mut Vec<Record>) {
        if let Some(max) = max.filter(|max| self.emitted.heap_max != Some(*max)) {
            self.emitted.heap_max = Some(max);
            out.push(Record::Fact { at, fact: Fact::HeapMax(max) });
        }
        if let Some(initial) = initial.filter(|initial| self.emitted.heap_initial != Some(*initial)) {
            self.emitted.heap_initial = Some(initial);
            out.push(Record::Fact { at, fact: Fact::HeapInitial(initial) });
        }
    }
}

// Both forms are printed when the safepoint ends; `Safepoint::at` keeps that stamp.

/// JDK 9-16: `Total time for which application threads were stopped: 0.0000996 seconds, ...`.
pub(super) fn on_safepoint_9(line: &Line, rest: &str, out: &mut Vec<Record>) -> LineClass {
    match take_decimal(rest) {
        Some((stopped, unit)) if unit.starts_with(" seconds") => {
            out.push(Record::Safepoint(Safepoint { at: line.at, stopped }));
            LineClass::Recognized
        }
        _ => LineClass::Unrecognized,
    }
}

/// JDK 17+: `Safepoint "G1CollectForAllocation", Time since last: 1634200 ns, ..., Total: 11266000 ns`.
/// JDK 25 inserts `Leaving safepoint: N ns` and appends `, Threads: 0 runnable, 10 total`, so the
/// total is read as the field it is, not as the line's end.
pub(super) fn on_safepoint_17(line: &Line, rest: &str, out: &mut Vec<Record>) -> LineClass {
    const TOTAL: &str = ", Total: ";
    let total = rest.rfind(TOTAL).map(|start| &rest[start + TOTAL.len()..]);
    let nanos = total.and_then(take_decimal).and_then(|(nanos, after)| {
        let after = after.strip_prefix(" ns")?;
        (after.is_empty() || after.starts_with(", ")).then_some(nanos)
    });
    match nanos {
        Some(nanos) => {
            out.push(Record::Safepoint(Safepoint { at: line.at, stopped: nanos / 1e9 }));
            LineClass::Recognized
        }
        None => LineClass::Unrecognized,
    }
}
