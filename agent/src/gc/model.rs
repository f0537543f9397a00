//! The GC event model: what every parser produces and every analysis consumes.
//!
//! Parsers turn log lines into [`Record`]s; the instance splitter groups them into
//! [`JvmInstance`]s; analyses read instances and never look at log text. Keeping the model
//! collector-neutral (bytes, seconds, a small set of pause kinds) is what lets one summary serve
//! JDK 8 text logs and unified logs of every collector alike.
//!
//! Units: memory in bytes, time in seconds (`f64`), wall-clock time in Unix milliseconds.

use serde::{Deserialize, Serialize};

/// The garbage collector a JVM instance ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Collector {
    Serial,
    Parallel,
    /// ParNew + CMS (and JDK 5-7 incremental CMS).
    Cms,
    G1,
    /// Non-generational ZGC (JDK 11-23).
    Zgc,
    /// Generational ZGC (JDK 21+).
    GenerationalZgc,
    Shenandoah,
    Epsilon,
    #[default]
    Unknown,
}

impl Collector {
    pub fn name(self) -> &'static str {
        match self {
            Collector::Serial => "Serial",
            Collector::Parallel => "Parallel",
            Collector::Cms => "CMS",
            Collector::G1 => "G1",
            Collector::Zgc => "ZGC",
            Collector::GenerationalZgc => "ZGC (generational)",
            Collector::Shenandoah => "Shenandoah",
            Collector::Epsilon => "Epsilon",
            Collector::Unknown => "unknown",
        }
    }

    /// Single-generation collectors have no young/old split to report.
    pub fn is_single_generation(self) -> bool {
        matches!(self, Collector::Zgc | Collector::Shenandoah | Collector::Epsilon)
    }
}

/// The text format a line was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LogFormat {
    /// JDK 8 and earlier `-XX:+PrintGCDetails` text.
    Jdk8,
    /// JDK 9+ unified logging (`-Xlog:gc*`).
    Unified,
}

/// When something happened. Either part may be missing, depending on the log's decorations.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Timestamp {
    /// Seconds since JVM start.
    pub uptime: Option<f64>,
    /// Wall clock, Unix epoch milliseconds.
    pub wall_ms: Option<i64>,
}

impl Timestamp {
    pub fn is_known(&self) -> bool {
        self.uptime.is_some() || self.wall_ms.is_some()
    }
}

/// Occupancy and capacity of one memory area around a collection, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MemoryChange {
    pub before: Option<u64>,
    pub after: Option<u64>,
    /// Committed capacity before the collection (unified `a(cap)->b(cap)` form), when printed.
    pub committed_before: Option<u64>,
    /// Committed capacity after the collection (the `(cap)` of `a->b(cap)`).
    pub committed_after: Option<u64>,
}

impl MemoryChange {
    pub fn is_empty(&self) -> bool {
        *self == MemoryChange::default()
    }

    /// The largest capacity printed for this area in this event.
    pub fn committed_max(&self) -> Option<u64> {
        match (self.committed_before, self.committed_after) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }
}

/// G1 region counts of one unified-logging pause (`Eden regions: 9->0(24)` ...).
/// Sizes follow from the instance's region size, which the log prints once at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct G1Regions {
    pub eden_before: Option<u32>,
    pub eden_after: Option<u32>,
    /// Eden target for the next cycle (the `(24)`).
    pub eden_target: Option<u32>,
    pub survivor_before: Option<u32>,
    pub survivor_after: Option<u32>,
    pub survivor_target: Option<u32>,
    pub old_before: Option<u32>,
    pub old_after: Option<u32>,
    pub humongous_before: Option<u32>,
    pub humongous_after: Option<u32>,
}

/// What kind of stop-the-world pause an event is. Young and full are kept apart from the other
/// pauses (remark, cleanup, ...) because GCViewer's mixing of them is a known source of wrong counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PauseKind {
    /// A young-generation collection: Serial/Parallel/ParNew young GC, G1 young pause of any
    /// qualifier (Normal, Concurrent Start, Prepare Mixed, JDK 8 `(young) (initial-mark)`).
    Young,
    /// A G1 mixed pause: young plus some old regions. Counts as a young-generation collection.
    Mixed,
    /// Full collection of the whole heap (incl. System.gc(), CMS concurrent mode failure).
    Full,
    /// CMS initial mark, ZGC/Shenandoah mark-start style pauses.
    InitialMark,
    /// G1/CMS remark, Shenandoah final mark, ZGC mark end.
    Remark,
    /// G1 cleanup.
    Cleanup,
    /// Shenandoah degenerated GC: a stop-the-world completion of a failed concurrent cycle.
    Degenerated,
    /// Any other stop-the-world GC pause (ZGC relocate start, Shenandoah update refs, ...).
    Other,
}

impl PauseKind {
    /// Pauses that collect the young generation (counted in YGCount).
    pub fn is_young_collection(self) -> bool {
        matches!(self, PauseKind::Young | PauseKind::Mixed)
    }
}

/// The three families of events a collector reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    /// Application threads stopped.
    Pause(PauseKind),
    /// A concurrent phase or a whole concurrent cycle (runs beside the application).
    Concurrent,
    /// A ZGC cycle summary (`Garbage Collection (...)`, `Major/Minor Collection`) or a Shenandoah
    /// cycle: not a pause; its heap change is still evidence of the live set.
    Cycle,
    /// A thread stalled waiting for memory (ZGC allocation/relocation stall). Per thread, not STW.
    Stall,
}

/// Qualifiers of an event that change how analyses treat it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EventFlags {
    /// Caused by `System.gc()` (or `jcmd GC.run`): says nothing about allocation pressure.
    pub system_gc: bool,
    /// G1 `To-space exhausted` / evacuation failure in this pause.
    pub to_space_exhausted: bool,
    /// Promotion failed during this young collection (JDK 8 `promotion failed`).
    pub promotion_failed: bool,
    /// CMS `concurrent mode failure` inside this full collection.
    pub concurrent_mode_failure: bool,
    /// This young collection encloses a nested full collection (Serial/JDK 8 ParNew fallbacks).
    pub nested_full: bool,
}

/// One GC event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GcEvent {
    /// When the event started. Parsers of formats that print the end time (unified `[gc]` lines)
    /// subtract the duration, so every analysis sees start times.
    pub start: Timestamp,
    /// The JVM's GC id (`GC(12)`, JDK 8 `#12:`), when printed.
    pub gc_id: Option<u64>,
    pub kind: EventKind,
    /// The event's name as the log spells it, without cause: `Pause Young`, `GC pause`, `Full GC`,
    /// `Concurrent Cycle`, `CMS-concurrent-mark`, `Allocation Stall`.
    pub name: String,
    /// The cause as printed, without parentheses: `Allocation Failure`, `G1 Evacuation Pause`.
    pub cause: Option<String>,
    /// Pause or phase duration in seconds (wall time, not the `[Times: ...]` CPU figures).
    pub duration: Option<f64>,
    /// Whole heap.
    pub heap: MemoryChange,
    /// Young generation (eden + survivors). For G1 in unified logs, derived from regions only by
    /// analyses that know the region size; parsers fill it where the log prints bytes.
    pub young: MemoryChange,
    /// Old (tenured) generation.
    pub old: MemoryChange,
    pub metaspace: MemoryChange,
    /// G1 region counts (unified logging only).
    pub regions: Option<G1Regions>,
    /// Live bytes measured by the collector itself (ZGC `Live:` at mark end, G1 liveness summary).
    pub live: Option<u64>,
    pub flags: EventFlags,
}

impl GcEvent {
    pub fn new(kind: EventKind, name: impl Into<String>) -> Self {
        GcEvent {
            start: Timestamp::default(),
            gc_id: None,
            kind,
            name: name.into(),
            cause: None,
            duration: None,
            heap: MemoryChange::default(),
            young: MemoryChange::default(),
            old: MemoryChange::default(),
            metaspace: MemoryChange::default(),
            regions: None,
            live: None,
            flags: EventFlags::default(),
        }
    }

    pub fn pause_kind(&self) -> Option<PauseKind> {
        match self.kind {
            EventKind::Pause(kind) => Some(kind),
            _ => None,
        }
    }

    /// End of the event in uptime seconds, when both start and duration are known.
    pub fn end_uptime(&self) -> Option<f64> {
        Some(self.start.uptime? + self.duration.unwrap_or(0.0))
    }
}

/// Facts about the JVM that a log states once, usually in its first lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Fact {
    /// The start of a JVM run: a JDK 8 header not preceded by a rotation notice, or a unified
    /// `[gc,init] Version:`/`Using <collector>` block. The splitter starts a new instance here.
    JvmStart,
    /// JDK 8 `GC log file created ...`: this file continues the previous file's instance.
    RotationContinued,
    /// JVM version string as printed (`17.0.15+6`, `25.45-b02`).
    Version(String),
    Collector(Collector),
    /// G1 region size in bytes.
    RegionSize(u64),
    /// Maximum heap in bytes (`-Xmx`, `-XX:MaxHeapSize`, `Heap Max Capacity`).
    HeapMax(u64),
    /// Initial heap in bytes (`-Xms`, `-XX:InitialHeapSize`, `Heap Initial Capacity`).
    HeapInitial(u64),
    /// Configured young size in bytes (`-Xmn`, `-XX:MaxNewSize`), when set explicitly.
    YoungMax(u64),
    /// JDK 8 `CommandLine flags:` or unified `[gc,init]`-style JVM arguments.
    CommandLine(String),
    /// Machine memory / CPU as printed in the header.
    Memory(String),
    /// The exit summary (`Heap` block at shutdown) was seen: the JVM ended normally.
    Exit,
}

/// Application time stopped at a safepoint, from safepoint logging (incl. non-GC operations).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Safepoint {
    pub at: Timestamp,
    /// Total time application threads were stopped, seconds.
    pub stopped: f64,
}

/// What a parser emits for the lines it is fed.
// Records are moved straight into the splitter; boxing events would cost an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Event(GcEvent),
    Fact { at: Timestamp, fact: Fact },
    Safepoint(Safepoint),
}

/// How a parser fared with its input. Unknown lines are counted, never fatal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseStats {
    /// Lines fed.
    pub lines: u64,
    /// Lines that contributed to a record.
    pub recognized: u64,
    /// Lines known to carry nothing the analyses use (CPU times, phase trees, tenuring tables).
    pub ignored: u64,
    /// Lines the parser could not make sense of.
    pub unrecognized: u64,
    /// Events started but never completed (a log cut mid-event).
    pub incomplete_events: u64,
    /// The first few unrecognized lines, for the user to see what was skipped.
    pub unrecognized_samples: Vec<String>,
}

impl ParseStats {
    pub const MAX_SAMPLES: usize = 5;
    /// Longest sample kept; a 10 MB garbage line must not be echoed back.
    pub const MAX_SAMPLE_LEN: usize = 200;

    pub fn count_unrecognized(&mut self, line: &str) {
        self.unrecognized += 1;
        if self.unrecognized_samples.len() < Self::MAX_SAMPLES {
            let mut end = line.len().min(Self::MAX_SAMPLE_LEN);
            while !line.is_char_boundary(end) {
                end -= 1;
            }
            self.unrecognized_samples.push(line[..end].to_string());
        }
    }

    pub fn merge(&mut self, other: &ParseStats) {
        self.lines += other.lines;
        self.recognized += other.recognized;
        self.ignored += other.ignored;
        self.incomplete_events += other.incomplete_events;
        for sample in &other.unrecognized_samples {
            if self.unrecognized_samples.len() < Self::MAX_SAMPLES {
                self.unrecognized_samples.push(sample.clone());
            }
        }
        self.unrecognized += other.unrecognized;
    }
}

/// Per-instance facts gathered from [`Fact`] records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JvmFacts {
    pub version: Option<String>,
    pub collector: Collector,
    pub region_size: Option<u64>,
    pub heap_max: Option<u64>,
    pub heap_initial: Option<u64>,
    pub young_max: Option<u64>,
    pub command_line: Option<String>,
    pub memory: Option<String>,
    /// The JVM's start lines are in the files seen, so uptime 0 is covered.
    pub start_seen: bool,
    /// The exit summary is in the files seen.
    pub exit_seen: bool,
}

impl JvmFacts {
    pub fn apply(&mut self, fact: &Fact) {
        match fact {
            Fact::JvmStart => self.start_seen = true,
            Fact::RotationContinued => {}
            Fact::Version(v) => self.version = Some(v.clone()),
            Fact::Collector(c) => self.collector = *c,
            Fact::RegionSize(s) => self.region_size = Some(*s),
            Fact::HeapMax(s) => self.heap_max = Some(*s),
            Fact::HeapInitial(s) => self.heap_initial = Some(*s),
            Fact::YoungMax(s) => self.young_max = Some(*s),
            Fact::CommandLine(c) => self.command_line = Some(c.clone()),
            Fact::Memory(m) => self.memory = Some(m.clone()),
            Fact::Exit => self.exit_seen = true,
        }
    }
}

/// One run of one JVM: the unit every summary is computed for.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JvmInstance {
    /// The files this instance's lines came from, in the order read.
    pub files: Vec<String>,
    pub format: Option<LogFormat>,
    pub facts: JvmFacts,
    /// Events in log order.
    pub events: Vec<GcEvent>,
    pub safepoints: Vec<Safepoint>,
    /// First and last timestamps seen on any line of this instance.
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    pub stats: ParseStats,
}
