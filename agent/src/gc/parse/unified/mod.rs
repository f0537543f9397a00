//! JDK 9+ unified logging (`-Xlog:gc*`) for Serial, Parallel, CMS, G1, ZGC and Shenandoah.
//!
//! One GC is spread over many lines: `[gc,start]`, phases, `[gc,heap]` and `[gc,metaspace]`
//! details, and last the `[gc]` summary whose timestamp is the END of the pause. Details are kept
//! per GC id until their summary arrives, because ids interleave (a concurrent cycle's Remark
//! between young pauses) and even complete out of order (Serial's `GC(3) Pause Full` inside
//! `GC(2) Pause Young`). Lines are routed by their message text, so logs without `level`/`tags`
//! decorations, or with none at all, parse the same; the tag set, when present, only lets the
//! many uninteresting lines (`gc,phases`, `gc,ergo`, `class,load`, ...) be skipped early.
//!
//! A detail can also trail the summaries of its id: JDK 25 Shenandoah logs a cycle's `Metaspace:`
//! after the cycle's last line. Such a detail waits for a later summary of its id like any other,
//! but is no lost event if none comes.
//!
//! Pause kinds follow [`PauseKind`]: G1's JDK 9-10 `Pause Initial Mark` is a young collection,
//! CMS's is not; ZGC's pauses (also generational `Y:`/`O:`) are mark start, mark end and other.
//! ZGC's `Garbage Collection`/`Major Collection` lines are `Cycle` events carrying the heap
//! table's `Live:` at mark end; `To-space exhausted` is a flag of its pause, not an event.

mod decorations;
mod facts;
mod text;

pub use decorations::{is_decorated, split as split_decorations, Decorations};

use super::{FormatParser, LineClass};
use crate::gc::model::{Collector, EventKind, Fact, G1Regions, GcEvent, MemoryChange, PauseKind, Record, Timestamp};
use crate::gc::parse::lexer::{parse_size, take_size};
use facts::{on_safepoint_17, on_safepoint_9, EmittedFacts, StartBlock};
use text::{is_explicit_cause, parse_region_counts, split_gc_id, take_transition, Summary};

/// Most GC ids whose details may wait for their summary at once. A JVM has at most a pause and a
/// concurrent cycle or two open; the bound keeps a log with millions of ids (or a stream of
/// details whose summaries were lost) from growing memory.
const MAX_PENDING: usize = 64;

/// Details of one GC id seen before its summary line.
#[derive(Debug, Clone, Default)]
struct Pending {
    gc_id: u64,
    young: MemoryChange,
    old: MemoryChange,
    metaspace: MemoryChange,
    regions: Option<G1Regions>,
    live: Option<u64>,
    /// Generational ZGC: the young generation's live bytes of a major collection (last `Y:` row).
    young_live: Option<u64>,
    to_space_exhausted: bool,
    /// Arrived after a summary of its id had taken that id's details: no summary may follow.
    trailing: bool,
}

/// Parser of unified-logging lines; one per log stream (it follows GC ids across lines).
#[derive(Default)]
pub struct UnifiedParser {
    pending: Vec<Pending>,
    /// Events dropped before `finish()`: pending details evicted or orphaned by a JVM restart.
    dropped: u64,
    collector: Collector,
    start_block: StartBlock,
    emitted: EmittedFacts,
    /// Id of the last Full GC summary: Serial/CMS log a Full GC nested in a young one right
    /// before the young summary with the id one lower.
    last_full_id: Option<u64>,
    /// Ids whose summaries came: tells a trailing detail from one whose summary is still due.
    summarized: SummarizedIds,
}

/// The last few GC ids whose summaries took their details, newest first. A detail of one of them
/// trails its summaries. A few suffice: ids interleave (G1's young pauses between a cycle's Remark
/// and Cleanup) but only a handful are open at once.
#[derive(Debug, Default, Clone, Copy)]
struct SummarizedIds([Option<u64>; 4]);

impl SummarizedIds {
    /// Notes `id` as the newest; returns the id that falls out of the window, if any.
    fn note(&mut self, id: u64) -> Option<u64> {
        let ids = &mut self.0;
        let end = ids.iter().position(|known| *known == Some(id)).unwrap_or(ids.len() - 1);
        let gone = ids[end].filter(|gone| *gone != id);
        ids[..=end].rotate_right(1);
        ids[0] = Some(id);
        gone
    }

    fn contains(&self, id: u64) -> bool {
        self.0.contains(&Some(id))
    }
}

/// The context of one line, shared by its handlers.
#[derive(Clone, Copy)]
struct Line {
    at: Timestamp,
    gc_id: Option<u64>,
    /// The tag set, when the `tags` decorator is on.
    tags: Option<TagSet>,
    decorated: bool,
}

/// The tag sets whose lines may contribute. Lines of every other tag set are skipped unread.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TagSet {
    /// `[gc]`: summaries, `Using`, top-level concurrent phases.
    Gc,
    /// `gc,heap`, `gc,metaspace`, `gc,init`, `gc,heap,exit` (`gc,exit` on JDK 25), `gc,heap,coops`,
    /// `safepoint`.
    Details,
    /// `[gc,phases]`: only ZGC's pauses, which are logged nowhere else.
    Phases,
}

impl TagSet {
    fn of(tags: &str) -> Option<TagSet> {
        match tags {
            "gc" => Some(TagSet::Gc),
            "gc,heap" | "gc,metaspace" | "gc,init" | "gc,heap,exit" | "gc,exit" | "gc,heap,coops" | "safepoint" => {
                Some(TagSet::Details)
            }
            "gc,phases" => Some(TagSet::Phases),
            // `gc,start` announces what its `[gc]` summary will say; `gc,cpu`, `gc,ergo`,
            // `gc,task`, `class,load`, ...
            _ => None,
        }
    }
}

/// The young or old generation of Serial, Parallel and CMS detail lines.
#[derive(Clone, Copy)]
enum Generation {
    Young,
    Old,
}

impl FormatParser for UnifiedParser {
    fn feed(&mut self, line: &str, out: &mut Vec<Record>) -> LineClass {
        self.feed_split(decorations::split(line), out)
    }

    fn finish(&mut self, out: &mut Vec<Record>) -> u64 {
        self.end_start_block(out);
        let incomplete = self.dropped + self.pending.iter().filter(|p| !p.trailing).count() as u64;
        self.dropped = 0;
        self.pending.clear();
        incomplete
    }
}

impl UnifiedParser {
    /// Nothing half-read is held: every line fed so far is in the records emitted. (Details that
    /// trail their summary may wait; they add to an event already out, none is lost without them.)
    pub fn is_between_events(&self) -> bool {
        !self.start_block.is_open() && self.pending.iter().all(|pending| pending.trailing)
    }

    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds a line whose decorations [`split_decorations`] already split off (the dispatcher
    /// splits them to tell the format, and they are not split twice).
    pub fn feed_split(&mut self, split: Option<(Decorations<'_>, &str)>, out: &mut Vec<Record>) -> LineClass {
        let Some((decorations, message)) = split else {
            return LineClass::Unrecognized;
        };
        // Most lines belong to tag sets that contribute nothing: skip them before reading more.
        let tags = match decorations.tags.map(TagSet::of) {
            Some(None) => return LineClass::Ignored,
            Some(known) => known,
            None => None,
        };
        let (gc_id, message) = split_gc_id(message);
        let context = Line { at: decorations.at, gc_id, tags, decorated: decorations.any };
        // Most messages start with a visible character; only indented ones need trimming.
        let message = match message.as_bytes().first() {
            Some(first) if first.is_ascii_graphic() => message,
            _ => message.trim_start(),
        };
        let class = self.dispatch(&context, message, out);
        match class {
            Some(class) => class,
            // Known to be unified logging, just nothing we need.
            None if context.decorated || gc_id.is_some() => LineClass::Ignored,
            None => LineClass::Unrecognized,
        }
    }

    /// Routes one message by its text. `None`: a unified line we do not need.
    fn dispatch(&mut self, line: &Line, message: &str, out: &mut Vec<Record>) -> Option<LineClass> {
        let first = *message.as_bytes().first()?;
        if line.tags == Some(TagSet::Phases) && !matches!(first, b'P' | b'Y' | b'y' | b'O') {
            return None;
        }
        match first {
            b'P' => {
                if message.starts_with("Pause ") {
                    return self.on_pause(line, "", message, out);
                }
                if let Some(rest) = message.strip_prefix("PSYoungGen:") {
                    return self.on_generation(line, Generation::Young, rest, Collector::Parallel, out);
                }
                if let Some(rest) = message.strip_prefix("ParOldGen:").or_else(|| message.strip_prefix("PSOldGen:")) {
                    return self.on_generation(line, Generation::Old, rest, Collector::Parallel, out);
                }
                if let Some(rest) = message.strip_prefix("ParNew:") {
                    return self.on_generation(line, Generation::Young, rest, Collector::Cms, out);
                }
            }
            b'E' => {
                if let Some(rest) = message.strip_prefix("Eden regions:") {
                    let class = self.on_regions(line, rest, |r, (before, after, target)| {
                        (r.eden_before, r.eden_after, r.eden_target) = (Some(before), Some(after), target);
                    });
                    if class == Some(LineClass::Recognized) {
                        self.infer_collector(Collector::G1, line.at, out);
                    }
                    return class;
                }
            }
            b'S' => {
                if let Some(rest) = message.strip_prefix("Survivor regions:") {
                    return self.on_regions(line, rest, |r, (before, after, target)| {
                        (r.survivor_before, r.survivor_after, r.survivor_target) = (Some(before), Some(after), target);
                    });
                }
                if let Some(rest) = message.strip_prefix("Safepoint \"") {
                    return Some(on_safepoint_17(line, rest, out));
                }
            }
            b'O' => {
                if let Some(rest) = message.strip_prefix("Old regions:") {
                    return self.on_regions(line, rest, |r, (before, after, _)| {
                        (r.old_before, r.old_after) = (Some(before), Some(after));
                    });
                }
                if let Some(rest) = message.strip_prefix("O: ") {
                    return self.on_generational_zgc(line, "O: ", rest, out);
                }
                // CMS's `Old:` line closes an aborted concurrent cycle, which has no summary to
                // attach it to: it falls through as ignored.
            }
            // Generational ZGC: `Y:` young collection of a major cycle, `y:` of a minor one (JDK 25).
            b'Y' | b'y' => {
                if let Some(rest) = message.strip_prefix("Y: ") {
                    return self.on_generational_zgc(line, "Y: ", rest, out);
                }
                if let Some(rest) = message.strip_prefix("y: ") {
                    return self.on_generational_zgc(line, "y: ", rest, out);
                }
            }
            b'H' => {
                if let Some(rest) = message.strip_prefix("Humongous regions:") {
                    return self.on_regions(line, rest, |r, (before, after, _)| {
                        (r.humongous_before, r.humongous_after) = (Some(before), Some(after));
                    });
                }
                if message == "Heap" {
                    out.push(Record::Fact { at: line.at, fact: Fact::Exit });
                    return Some(LineClass::Recognized);
                }
                if let Some(rest) =
                    message.strip_prefix("Heap region size:").or_else(|| message.strip_prefix("Heap Region Size:"))
                {
                    self.note_init_line(line, out);
                    return Some(self.on_region_size(line.at, parse_size(rest), out));
                }
                if let Some(rest) = message.strip_prefix("Heap Max Capacity:") {
                    self.note_init_line(line, out);
                    return Some(self.on_heap_size(line.at, Some(rest), None, out));
                }
                if let Some(rest) = message.strip_prefix("Heap Initial Capacity:") {
                    self.note_init_line(line, out);
                    return Some(self.on_heap_size(line.at, None, Some(rest), out));
                }
                if let Some(rest) = message.strip_prefix("Heap address: ") {
                    self.note_init_line(line, out);
                    return Some(self.on_heap_address(line.at, rest));
                }
            }
            b'M' => {
                if let Some(rest) = message.strip_prefix("Metaspace:") {
                    return self.on_metaspace(line, rest);
                }
                if let Some(rest) = message.strip_prefix("Max Capacity:") {
                    self.note_init_line(line, out);
                    return Some(self.on_heap_size(line.at, Some(rest), None, out));
                }
                if message.starts_with("Major Collection") || message.starts_with("Minor Collection") {
                    self.infer_collector(Collector::GenerationalZgc, line.at, out);
                    return self.on_cycle(line, message, out);
                }
                if let Some(memory) = message.strip_prefix("Memory: ") {
                    out.push(Record::Fact { at: line.at, fact: Fact::Memory(memory.trim_end().to_string()) });
                    return Some(LineClass::Recognized);
                }
                if let Some(rest) = message.strip_prefix("Minimum heap ") {
                    self.note_init_line(line, out);
                    return Some(self.on_heap_bounds(line.at, rest, out));
                }
            }
            b'G' if message.starts_with("Garbage Collection (") => {
                self.infer_collector(Collector::Zgc, line.at, out);
                return self.on_cycle(line, message, out);
            }
            b'A' | b'R' if message.starts_with("Allocation Stall (") || message.starts_with("Relocation Stall (") => {
                return self.on_stall(line, message, out);
            }
            b'C' => {
                if message.starts_with("Concurrent ") {
                    return self.on_concurrent(line, message, out);
                }
                if let Some(rest) = message.strip_prefix("CMS:") {
                    return self.on_generation(line, Generation::Old, rest, Collector::Cms, out);
                }
            }
            b'D' => {
                if let Some(rest) = message.strip_prefix("DefNew:") {
                    return self.on_generation(line, Generation::Young, rest, Collector::Serial, out);
                }
            }
            b'T' => {
                if let Some(rest) = message.strip_prefix("Tenured:") {
                    return self.on_generation(line, Generation::Old, rest, Collector::Serial, out);
                }
                if message == "To-space exhausted" {
                    let id = line.gc_id?;
                    self.pending_mut(id).to_space_exhausted = true;
                    return Some(LineClass::Recognized);
                }
                if let Some(rest) = message.strip_prefix("Total time for which application threads were stopped: ") {
                    return Some(on_safepoint_9(line, rest, out));
                }
            }
            b'L' => {
                if let Some(rest) = message.strip_prefix("Live:") {
                    // Non-generational ZGC: the whole heap's live bytes at mark end.
                    return self.on_zgc_live(line, rest, false);
                }
            }
            b'U' => {
                if let Some(rest) = message.strip_prefix("Using ") {
                    return self.on_using(line.at, rest, out);
                }
            }
            b'V' => {
                if let Some(rest) = message.strip_prefix("Version: ") {
                    return Some(self.on_version(line.at, rest, out));
                }
            }
            b'I' => {
                if let Some(rest) = message.strip_prefix("Initial Capacity:") {
                    self.note_init_line(line, out);
                    return Some(self.on_heap_size(line.at, None, Some(rest), out));
                }
                if let Some(rest) = message.strip_prefix("Initialize Shenandoah heap: ") {
                    self.note_init_line(line, out);
                    return Some(self.on_shenandoah_heap(line.at, rest, out));
                }
            }
            b'r' => {
                // Exit summary and `Heap before/after GC` blocks: `region size 1024K, 8 young (8192K), ...`.
                if let Some(rest) = message.strip_prefix("region size ") {
                    let size = rest.split_once(',').map(|(size, _)| size).and_then(parse_size);
                    return Some(self.on_region_size(line.at, size, out));
                }
            }
            _ => {}
        }
        None
    }

    // ---- events ---------------------------------------------------------------------------

    /// `Pause ...` lines; `prefix` is the generational ZGC `Y: `/`O: ` marker, kept in the name.
    fn on_pause(&mut self, line: &Line, prefix: &str, message: &str, out: &mut Vec<Record>) -> Option<LineClass> {
        let summary = Summary::parse(message);
        // The `[gc,start]` announcement: the summary will follow.
        summary.duration?;
        let name = summary.name();
        let what = name.strip_prefix("Pause ").unwrap_or_default();
        let kind = self.pause_kind(what, &summary, out, line.at);
        // ZGC's pauses share their cycle's id; the heap table and metaspace lines are the cycle's.
        let takes_details = !matches!(what, "Mark Start" | "Mark End" | "Relocate Start");
        let mut event = self.new_event(line, EventKind::Pause(kind), prefix, name, &summary, takes_details);
        if kind == PauseKind::Full {
            self.last_full_id = line.gc_id;
        } else {
            let enclosed_full = line.gc_id.and_then(|id| id.checked_add(1));
            if kind.is_young_collection() && enclosed_full.is_some() && self.last_full_id == enclosed_full {
                event.flags.nested_full = true;
            }
            self.last_full_id = None;
        }
        self.complete(event, out);
        Some(LineClass::Recognized)
    }

    fn pause_kind(&mut self, what: &str, summary: &Summary, out: &mut Vec<Record>, at: Timestamp) -> PauseKind {
        match what {
            "Young" if summary.groups().any(|group| group == "Mixed") => PauseKind::Mixed,
            "Young" => PauseKind::Young,
            "Full" => PauseKind::Full,
            // JDK 9-10 G1 names; CMS has an `Initial Mark` of its own, which is no young collection.
            "Mixed" => PauseKind::Mixed,
            "Initial Mark" => match self.collector {
                Collector::Cms => PauseKind::InitialMark,
                Collector::G1 => PauseKind::Young,
                // G1's carries a cause (`(G1 Evacuation Pause)`), CMS's none.
                _ if summary.groups().next().is_some() => PauseKind::Young,
                _ => PauseKind::InitialMark,
            },
            "Remark" => PauseKind::Remark,
            "Cleanup" => PauseKind::Cleanup,
            "Init Mark" | "Final Mark" | "Degenerated GC" => {
                self.infer_collector(Collector::Shenandoah, at, out);
                match what {
                    "Init Mark" => PauseKind::InitialMark,
                    "Final Mark" => PauseKind::Remark,
                    _ => PauseKind::Degenerated,
                }
            }
            "Mark Start" | "Mark End" | "Relocate Start" => {
                self.infer_collector(Collector::Zgc, at, out);
                match what {
                    "Mark Start" => PauseKind::InitialMark,
                    "Mark End" => PauseKind::Remark,
                    _ => PauseKind::Other,
                }
            }
            // Shenandoah Init/Final Update Refs, Final Roots, ...
            _ => PauseKind::Other,
        }
    }

    /// ZGC `Garbage Collection (cause) A(%)->B(%)` and generational `Major/Minor Collection ... 0.148s`.
    fn on_cycle(&mut self, line: &Line, message: &str, out: &mut Vec<Record>) -> Option<LineClass> {
        let summary = Summary::parse(message);
        // Without a heap change it is the `[gc,start]` announcement.
        summary.heap?;
        let event = self.new_event(line, EventKind::Cycle, "", summary.name(), &summary, true);
        self.complete(event, out);
        Some(LineClass::Recognized)
    }

    fn on_stall(&mut self, line: &Line, message: &str, out: &mut Vec<Record>) -> Option<LineClass> {
        let summary = Summary::parse(message);
        summary.duration?;
        let mut event = GcEvent::new(EventKind::Stall, summary.name());
        event.gc_id = line.gc_id;
        event.duration = summary.duration;
        event.start = start_of(line.at, summary.duration);
        self.complete(event, out);
        Some(LineClass::Recognized)
    }

    /// Concurrent phases and cycles that report a duration; the announcement without one is skipped.
    fn on_concurrent(&mut self, line: &Line, message: &str, out: &mut Vec<Record>) -> Option<LineClass> {
        let summary = Summary::parse(message);
        summary.duration?;
        let name = summary.name();
        if !self.is_top_level_concurrent(line, name) {
            return None;
        }
        let mut event = GcEvent::new(EventKind::Concurrent, name);
        event.gc_id = line.gc_id;
        event.duration = summary.duration;
        event.heap = summary.heap.unwrap_or_default();
        event.start = start_of(line.at, summary.duration);
        self.complete(event, out);
        Some(LineClass::Recognized)
    }

    /// Only `[gc]`-level concurrent lines are events: G1's `[gc,marking]` and ZGC's `[gc,phases]`
    /// sub-phases would count the same time twice. Without tags, the collector decides.
    fn is_top_level_concurrent(&self, line: &Line, name: &str) -> bool {
        match line.tags {
            Some(tags) => tags == TagSet::Gc,
            None => match self.collector {
                Collector::G1 => name.ends_with(" Cycle"),
                Collector::Zgc | Collector::GenerationalZgc => false,
                _ => true,
            },
        }
    }

    /// Generational ZGC lines: `Y: Pause Mark Start (Major) 0.027ms`, `O: Live: ...`.
    fn on_generational_zgc(
        &mut self,
        line: &Line,
        prefix: &str,
        rest: &str,
        out: &mut Vec<Record>,
    ) -> Option<LineClass> {
        self.infer_collector(Collector::GenerationalZgc, line.at, out);
        let rest = rest.trim_start();
        if rest.starts_with("Pause ") {
            return self.on_pause(line, prefix, rest, out);
        }
        if let Some(metaspace) = rest.strip_prefix("Metaspace:") {
            return self.on_metaspace(line, metaspace);
        }
        if let Some(max) = rest.strip_prefix("Max Capacity:") {
            return Some(self.on_heap_size(line.at, Some(max), None, out));
        }
        // A major collection marks both generations: the heap's live set is old live plus young
        // live (objects promoted during the cycle may count in both, erring on the safe side).
        // A minor collection's (`y:`) live row says nothing about the whole heap.
        if let Some(live) = rest.strip_prefix("Live:") {
            return match prefix {
                "O: " => self.on_zgc_live(line, live, false),
                "Y: " => self.on_zgc_live(line, live, true),
                _ => Some(LineClass::Ignored),
            };
        }
        None
    }

    fn new_event(
        &mut self,
        line: &Line,
        kind: EventKind,
        prefix: &str,
        name: &str,
        summary: &Summary,
        takes_details: bool,
    ) -> GcEvent {
        let mut event =
            GcEvent::new(kind, if prefix.is_empty() { name.to_string() } else { format!("{prefix}{name}") });
        event.gc_id = line.gc_id;
        event.duration = summary.duration;
        event.start = start_of(line.at, summary.duration);
        event.heap = summary.heap.unwrap_or_default();
        if let Some(cause) = summary.cause() {
            event.flags.system_gc = is_explicit_cause(cause);
            event.cause = Some(cause.to_string());
        }
        let details = line.gc_id.filter(|_| takes_details).and_then(|id| self.take_summarized_details(id));
        if let Some(details) = details {
            event.young = details.young;
            event.old = details.old;
            event.metaspace = details.metaspace;
            event.regions = details.regions;
            event.live = details.live.map(|old| old + details.young_live.unwrap_or(0));
            event.flags.to_space_exhausted = details.to_space_exhausted;
        }
        event
    }

    fn complete(&mut self, event: GcEvent, out: &mut Vec<Record>) {
        self.end_start_block(out);
        out.push(Record::Event(event));
    }

    // ---- details --------------------------------------------------------------------------

    /// `PSYoungGen: 16384K->2559K(18944K)` and the like; the generation's name tells the collector.
    fn on_generation(
        &mut self,
        line: &Line,
        generation: Generation,
        rest: &str,
        collector: Collector,
        out: &mut Vec<Record>,
    ) -> Option<LineClass> {
        let id = line.gc_id?;
        let Some((change, _)) = take_transition(rest.trim_start()) else {
            return Some(LineClass::Unrecognized);
        };
        self.infer_collector(collector, line.at, out);
        let pending = self.pending_mut(id);
        match generation {
            Generation::Young => pending.young = change,
            Generation::Old => pending.old = change,
        }
        Some(LineClass::Recognized)
    }

    fn on_regions(
        &mut self,
        line: &Line,
        rest: &str,
        apply: impl FnOnce(&mut G1Regions, (u32, u32, Option<u32>)),
    ) -> Option<LineClass> {
        let id = line.gc_id?;
        let Some(counts) = parse_region_counts(rest) else {
            return Some(LineClass::Unrecognized);
        };
        apply(self.pending_mut(id).regions.get_or_insert_with(G1Regions::default), counts);
        Some(LineClass::Recognized)
    }

    /// `Metaspace: 1024K->1024K(1056768K)`, 16+ `Metaspace: 6254K(6464K)->6254K(6464K) NonClass: ...`,
    /// ZGC `Metaspace: 17M used, 17M committed, 1040M reserved`.
    fn on_metaspace(&mut self, line: &Line, rest: &str) -> Option<LineClass> {
        let id = line.gc_id?;
        let rest = rest.trim_start();
        let change = match take_transition(rest) {
            Some((change, _)) => change,
            None => {
                let Some((used, after_used)) = take_size(rest) else {
                    return Some(LineClass::Unrecognized);
                };
                let committed = after_used.strip_prefix(" used, ").and_then(take_size).map(|(size, _)| size);
                MemoryChange { after: Some(used), committed_after: committed, ..MemoryChange::default() }
            }
        };
        self.pending_mut(id).metaspace = change;
        Some(LineClass::Recognized)
    }

    /// The ZGC heap table's `Live:` row: columns Mark Start, Mark End, ...; Mark Start is `-`.
    /// Cells read `1359M (34%)` or `1359M(34%)`.
    fn on_zgc_live(&mut self, line: &Line, rest: &str, young: bool) -> Option<LineClass> {
        let id = line.gc_id?;
        let mark_end = rest.split_ascii_whitespace().filter(|cell| !cell.starts_with('(')).nth(1)?;
        let Some((live, _)) = take_size(mark_end).filter(|(_, rest)| rest.is_empty() || rest.starts_with('(')) else {
            return Some(LineClass::Unrecognized);
        };
        let pending = self.pending_mut(id);
        if young {
            pending.young_live = Some(live);
        } else {
            pending.live = Some(live);
        }
        Some(LineClass::Recognized)
    }

    fn pending_mut(&mut self, gc_id: u64) -> &mut Pending {
        let index = match self.pending.iter().position(|p| p.gc_id == gc_id) {
            Some(index) => index,
            None => {
                if self.pending.len() >= MAX_PENDING {
                    // The oldest id's summary is long overdue: count it as lost, unless none was due.
                    if !self.pending.remove(0).trailing {
                        self.dropped += 1;
                    }
                }
                let trailing = self.summarized.contains(gc_id);
                self.pending.push(Pending { gc_id, trailing, ..Pending::default() });
                self.pending.len() - 1
            }
        };
        &mut self.pending[index]
    }

    /// The details waiting for the summary of `gc_id`, which is now here. Trailing details of an id
    /// that leaves the recent window are forgotten: their summaries are over.
    fn take_summarized_details(&mut self, gc_id: u64) -> Option<Pending> {
        if let Some(gone) = self.summarized.note(gc_id) {
            self.pending.retain(|p| !(p.trailing && p.gc_id == gone));
        }
        let index = self.pending.iter().position(|p| p.gc_id == gc_id)?;
        Some(self.pending.remove(index))
    }
}

/// Unified summary lines are stamped when the event ended.
fn start_of(end: Timestamp, duration: Option<f64>) -> Timestamp {
    let Some(duration) = duration else { return end };
    Timestamp {
        uptime: end.uptime.map(|uptime| (uptime - duration).max(0.0)),
        wall_ms: end.wall_ms.map(|wall| wall.saturating_sub((duration * 1e3).round() as i64)),
    }
}

#[cfg(test)]
mod tests;
