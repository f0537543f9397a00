//! From followed lines to per-JVM state that stays small however long the JVM runs.
//!
//! Each log (a rotation set: `gc.log`, `gc.log.0`, ...; or one `gc-%p.log` per JVM start) gets
//! its own [`LogReader`], so lines of two JVMs writing at once never meet in one parser. What the
//! reader produces is taken out of it line by line and kept here per JVM instance:
//!
//! - **totals** since the instance started (collections by kind, pause time): exact, whatever is
//!   retained, and what the Prometheus counters show;
//! - the **recent events** (a bounded number, default 1,000) that the summary is computed over;
//! - older **live-set samples** (Full GCs, cycle ends, remarks: bounded, default 128) that keep
//!   the live-set estimate and the recommendation founded after young pauses have rotated out.
//!
//! **Exactly once across restarts.** Records of a line are not applied at once but held until
//! the parser is between events; then they are applied and the follower is told `Committed`. The
//! applied state is thus always the state at the committed positions, and it is saved with them
//! in one atomic write ([`LineConsumer::committed_state`]): after a crash the lines after those
//! positions are read again and applied once.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::gc::analysis::{self, Analysis, GcOptions};
use crate::gc::model::{EventKind, GcEvent, JvmFacts, JvmInstance, ParseStats, PauseKind, Safepoint, Timestamp};
use crate::gc::source::lines::Line;
use crate::gc::source::rotation::family_name;
use crate::gc::source::LogReader;
use crate::tail::{ConsumerState, FileKey, LineConsumer, LineOrigin, Progress};

/// The format of the state saved with the checkpoint; another value is not restored.
pub const STATE_VERSION: u32 = 1;

/// Records held back while the parser is inside an event. A log that never lets the parser
/// rest (a detail stream without summaries) commits anyway at this size: memory stays bounded,
/// at the price of a possible duplicate should the process crash right there.
const MAX_HELD_CHANGES: usize = 4096;

/// File names remembered per instance (a long run rotates through many names).
const MAX_FILES_LISTED: usize = 16;

/// How much of each JVM instance is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Latest events the summary is computed over. Default 1,000.
    pub recent_events: usize,
    /// Older live-set samples kept beside them. Default 128.
    pub live_set_samples: usize,
    /// JVM instances kept (open ones first, then the latest closed). Default 8.
    pub instances: usize,
}

impl Default for Retention {
    fn default() -> Self {
        Retention { recent_events: 1000, live_set_samples: 128, instances: 8 }
    }
}

/// Counts since the JVM instance started, never trimmed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Every GC event: pauses, concurrent phases, cycles, stalls.
    pub events: u64,
    pub young_pauses: u64,
    pub mixed_pauses: u64,
    pub full_pauses: u64,
    /// Remark, cleanup, initial mark, degenerated and other stop-the-world pauses.
    pub other_pauses: u64,
    pub concurrent_phases: u64,
    pub cycles: u64,
    pub stalls: u64,
    /// Time in stop-the-world pauses, seconds.
    pub pause_seconds: f64,
}

impl Totals {
    fn count(&mut self, event: &GcEvent) {
        self.events += 1;
        match event.kind {
            EventKind::Pause(kind) => {
                match kind {
                    PauseKind::Young => self.young_pauses += 1,
                    PauseKind::Mixed => self.mixed_pauses += 1,
                    PauseKind::Full => self.full_pauses += 1,
                    _ => self.other_pauses += 1,
                }
                self.pause_seconds += event.duration.unwrap_or(0.0);
            }
            EventKind::Concurrent => self.concurrent_phases += 1,
            EventKind::Cycle => self.cycles += 1,
            EventKind::Stall => self.stalls += 1,
        }
    }
}

/// One JVM run as the sidecar keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrackedInstance {
    /// Unique within this sidecar's state, increasing.
    pub id: u64,
    /// The log's name: rotation set name relative to the followed directory (`gc.log`).
    pub log: String,
    /// 1-based position of the instance within its log.
    pub ordinal: usize,
    /// A later JVM took over the log: nothing more comes for this one.
    pub closed: bool,
    pub totals: Totals,
    /// Facts, format, files, first and last timestamps, parse statistics; no events.
    pub jvm: JvmInstance,
    pub recent: VecDeque<GcEvent>,
    pub older_samples: VecDeque<GcEvent>,
    pub safepoints: VecDeque<Safepoint>,
    /// Events have rotated out of `recent`: the summary covers only part of the run.
    pub trimmed: bool,
    /// Parse statistics of the lines read by earlier processes of this sidecar.
    stats_before: ParseStats,
    /// What a restarted splitter needs to keep splitting correctly.
    resume_uptime: Option<f64>,
    resume_gc_id: Option<u64>,
}

impl TrackedInstance {
    fn new(id: u64, log: String, ordinal: usize) -> Self {
        TrackedInstance {
            id,
            log,
            ordinal,
            closed: false,
            totals: Totals::default(),
            jvm: JvmInstance::default(),
            recent: VecDeque::new(),
            older_samples: VecDeque::new(),
            safepoints: VecDeque::new(),
            trimmed: false,
            stats_before: ParseStats::default(),
            resume_uptime: None,
            resume_gc_id: None,
        }
    }

    fn add_event(&mut self, event: GcEvent, retention: &Retention) {
        self.totals.count(&event);
        self.recent.push_back(event);
        while self.recent.len() > retention.recent_events.max(1) {
            let Some(old) = self.recent.pop_front() else { break };
            self.trimmed = true;
            if is_live_set_sample(&old) && retention.live_set_samples > 0 {
                self.older_samples.push_back(old);
                if self.older_samples.len() > retention.live_set_samples {
                    self.older_samples.pop_front();
                }
            }
        }
    }

    fn add_safepoint(&mut self, safepoint: Safepoint, retention: &Retention) {
        self.safepoints.push_back(safepoint);
        if self.safepoints.len() > retention.recent_events.max(1) {
            self.safepoints.pop_front();
        }
    }

    /// Takes over what the splitter learned about the instance (facts only ever add up: a
    /// restarted reader has not seen the header again).
    fn absorb(&mut self, from: &JvmInstance, stats: ParseStats) {
        merge_facts(&mut self.jvm.facts, &from.facts);
        if from.format.is_some() {
            self.jvm.format = from.format;
        }
        for file in &from.files {
            if self.jvm.files.last() != Some(file) {
                self.jvm.files.push(file.clone());
            }
        }
        if self.jvm.files.len() > MAX_FILES_LISTED {
            let excess = self.jvm.files.len() - MAX_FILES_LISTED;
            self.jvm.files.drain(..excess);
        }
        if !self.jvm.first_seen.is_known() {
            self.jvm.first_seen = from.first_seen;
        }
        merge_time(&mut self.jvm.last_seen, from.last_seen);
        let mut total = self.stats_before.clone();
        total.merge(&stats);
        self.jvm.stats = total;
    }

    /// The instance as the analyses take it: the recent events, and recent plus older samples.
    pub fn views(&self) -> (JvmInstance, JvmInstance) {
        let mut recent = self.jvm.clone();
        recent.events = self.recent.iter().cloned().collect();
        recent.safepoints = self.safepoints.iter().copied().collect();
        let mut samples = recent.clone();
        if self.trimmed {
            // The summary's window is the retained stretch, not the whole run.
            recent.facts.start_seen = false;
            if let Some(first) = self.recent.front() {
                recent.first_seen = first.start;
            }
            samples.events = self.older_samples.iter().chain(self.recent.iter()).cloned().collect();
        }
        (recent, samples)
    }

    pub fn analyse(&self, options: &GcOptions) -> (JvmInstance, Analysis) {
        if !self.trimmed {
            // Everything is retained: one view serves both.
            let mut whole = self.jvm.clone();
            whole.events = self.recent.iter().cloned().collect();
            whole.safepoints = self.safepoints.iter().copied().collect();
            let analysis = analysis::analyse(&whole, options);
            return (whole, analysis);
        }
        let (recent, samples) = self.views();
        let analysis = analysis::analyse_retained(&recent, &samples, options);
        (samples, analysis)
    }
}

/// Events whose heap figures are evidence of the live set (see `analysis::live_set`).
fn is_live_set_sample(event: &GcEvent) -> bool {
    event.live.is_some()
        || event.flags.nested_full
        || matches!(
            event.kind,
            EventKind::Pause(PauseKind::Full | PauseKind::Remark | PauseKind::Mixed | PauseKind::Cleanup)
                | EventKind::Cycle
                | EventKind::Concurrent
        )
}

fn merge_facts(into: &mut JvmFacts, from: &JvmFacts) {
    fn take<T: Clone + PartialEq>(into: &mut Option<T>, from: &Option<T>) {
        if from.is_some() && into != from {
            into.clone_from(from);
        }
    }
    take(&mut into.version, &from.version);
    take(&mut into.region_size, &from.region_size);
    take(&mut into.heap_max, &from.heap_max);
    take(&mut into.heap_initial, &from.heap_initial);
    take(&mut into.young_max, &from.young_max);
    take(&mut into.command_line, &from.command_line);
    take(&mut into.memory, &from.memory);
    if from.collector != Default::default() {
        into.collector = from.collector;
    }
    into.start_seen |= from.start_seen;
    into.exit_seen |= from.exit_seen;
}

fn merge_time(into: &mut Timestamp, from: Timestamp) {
    if from.uptime.is_some() {
        into.uptime = from.uptime;
    }
    if from.wall_ms.is_some() {
        into.wall_ms = from.wall_ms;
    }
}

/// What a line produced, held until the parser rests.
// Events are moved in and out once; boxing them would cost an allocation each.
#[allow(clippy::large_enum_variant)]
enum Change {
    Event(GcEvent),
    Safepoint(Safepoint),
    /// The instance ended here; what the splitter closed it with (absent when it held nothing).
    Closed(Option<Box<JvmInstance>>),
}

/// One log being read.
struct Family {
    reader: LogReader,
    /// The file whose lines were fed last.
    file: String,
    splits_seen: u64,
    held: Vec<Change>,
    /// Index into `instances` of the open instance of this log.
    open: Option<u64>,
    ordinals: usize,
}

impl Family {
    fn new() -> Self {
        Family {
            reader: LogReader::new(),
            file: String::new(),
            splits_seen: 0,
            held: Vec::new(),
            open: None,
            ordinals: 0,
        }
    }
}

/// What is saved with the checkpoint.
#[derive(Debug, Clone, Deserialize)]
pub struct TrackerState {
    pub version: u32,
    pub next_id: u64,
    pub instances: Vec<TrackedInstance>,
    /// Ordinals handed out per log, so a restarted JVM keeps counting up.
    pub ordinals: BTreeMap<String, usize>,
}

/// The [`LineConsumer`] of the sidecar: parses, splits and keeps JVM instances.
pub struct Tracker {
    retention: Retention,
    families: BTreeMap<String, Family>,
    instances: Vec<TrackedInstance>,
    next_id: u64,
    /// Bumped whenever applied state changes: the loop re-analyses only then.
    revision: u64,
    /// Complete lines and over-long lines read.
    pub lines: u64,
}

impl Tracker {
    pub fn new(retention: Retention) -> Self {
        Tracker { retention, families: BTreeMap::new(), instances: Vec::new(), next_id: 1, revision: 0, lines: 0 }
    }

    /// Continues from the state saved with the checkpoint. A state of another format is refused
    /// (the caller then starts over from the logs' beginnings).
    pub fn restore(retention: Retention, saved: ConsumerState) -> Result<Self, String> {
        let state: TrackerState = serde_json::from_str(saved.json())
            .map_err(|error| format!("the saved sidecar state is not readable: {error}"))?;
        if state.version != STATE_VERSION {
            return Err(format!("the saved sidecar state has version {}, not {STATE_VERSION}", state.version));
        }
        let mut tracker = Tracker::new(retention);
        tracker.next_id = state.next_id;
        for (log, ordinals) in state.ordinals {
            tracker.families.entry(log).or_insert_with(Family::new).ordinals = ordinals;
        }
        for mut instance in state.instances {
            instance.stats_before = instance.jvm.stats.clone();
            if !instance.closed {
                let family = tracker.families.entry(instance.log.clone()).or_insert_with(Family::new);
                family.reader.splitter_mut().resume(instance.resume_uptime, instance.resume_gc_id);
                family.open = Some(instance.id);
            }
            tracker.instances.push(instance);
        }
        tracker.revision = 1;
        Ok(tracker)
    }

    /// The state as saved (serialized from references: no copy of the retained events).
    fn saved_state(&self) -> Option<ConsumerState> {
        #[derive(Serialize)]
        struct Saved<'a> {
            version: u32,
            next_id: u64,
            instances: &'a [TrackedInstance],
            ordinals: BTreeMap<&'a str, usize>,
        }
        ConsumerState::of(&Saved {
            version: STATE_VERSION,
            next_id: self.next_id,
            instances: &self.instances,
            ordinals: self.families.iter().map(|(log, family)| (log.as_str(), family.ordinals)).collect(),
        })
    }

    /// Instances in the order they started (by id).
    pub fn instances(&self) -> &[TrackedInstance] {
        &self.instances
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Takes what the reader produced for the line just fed into the family's held changes.
    fn collect(family: &mut Family) {
        let splitter = family.reader.splitter_mut();
        let finished = splitter.take_finished();
        let splits = splitter.splits();
        let mut finished = finished.into_iter();
        for _ in family.splits_seen..splits {
            match finished.next() {
                Some(mut closed) => {
                    family.held.extend(closed.events.drain(..).map(Change::Event));
                    family.held.extend(closed.safepoints.drain(..).map(Change::Safepoint));
                    family.held.push(Change::Closed(Some(Box::new(closed))));
                }
                None => family.held.push(Change::Closed(None)),
            }
        }
        family.splits_seen = splits;
        let current = splitter.current_mut();
        family.held.extend(current.events.drain(..).map(Change::Event));
        family.held.extend(current.safepoints.drain(..).map(Change::Safepoint));
    }

    /// Applies a family's held changes: the follower may commit after this.
    fn apply(&mut self, log: &str) {
        let retention = self.retention;
        let Some(family) = self.families.get_mut(log) else { return };
        let held = std::mem::take(&mut family.held);
        let changed = !held.is_empty();
        for change in held {
            match change {
                Change::Event(event) => {
                    let index = open_instance(&mut self.instances, family, log, &mut self.next_id);
                    self.instances[index].add_event(event, &retention);
                }
                Change::Safepoint(safepoint) => {
                    let index = open_instance(&mut self.instances, family, log, &mut self.next_id);
                    self.instances[index].add_safepoint(safepoint, &retention);
                }
                Change::Closed(closed) => {
                    if let Some(id) = family.open.take() {
                        if let Some(instance) = self.instances.iter_mut().find(|i| i.id == id) {
                            if let Some(closed) = closed {
                                let stats = closed.stats.clone();
                                instance.absorb(&closed, stats);
                            }
                            instance.closed = true;
                        }
                    }
                }
            }
        }
        // What the splitter knows of the open instance, as of this line.
        if let Some(id) = family.open {
            if let Some(instance) = self.instances.iter_mut().find(|i| i.id == id) {
                let stats = family.reader.current_stats();
                (instance.resume_uptime, instance.resume_gc_id) = family.reader.splitter().resume_point();
                let current = family.reader.splitter_mut().current_mut();
                instance.absorb(current, stats);
                // Taken over: the splitter's list would otherwise grow with every rotation.
                current.files.clear();
            }
        }
        if changed {
            self.revision += 1;
            self.forget_old_instances();
        }
    }

    /// Keeps the open instances and the latest closed ones, up to the retention.
    fn forget_old_instances(&mut self) {
        let keep = self.retention.instances.max(1);
        while self.instances.len() > keep {
            match self.instances.iter().position(|instance| instance.closed) {
                Some(oldest_closed) => {
                    self.instances.remove(oldest_closed);
                }
                None => break,
            }
        }
    }
}

/// The open instance of `family`, created on its first record.
fn open_instance(instances: &mut Vec<TrackedInstance>, family: &mut Family, log: &str, next_id: &mut u64) -> usize {
    if let Some(id) = family.open {
        if let Some(index) = instances.iter().position(|instance| instance.id == id) {
            return index;
        }
    }
    family.ordinals += 1;
    let instance = TrackedInstance::new(*next_id, log.to_string(), family.ordinals);
    family.open = Some(*next_id);
    *next_id += 1;
    instances.push(instance);
    instances.len() - 1
}

/// The log a file belongs to: its rotation set's name.
fn log_name(path: &Path) -> (String, String) {
    let file = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    (family_name(&file).to_string(), file)
}

impl LineConsumer for Tracker {
    fn line(&mut self, line: Line<'_>, origin: &LineOrigin<'_>) -> Progress {
        self.lines += 1;
        let (log, file) = log_name(origin.path);
        let family = self.families.entry(log.clone()).or_insert_with(Family::new);
        if family.file != file {
            family.reader.begin_file(&file);
            family.file = file;
        }
        family.reader.feed(line);
        Tracker::collect(family);
        if family.reader.parser().is_between_events() || family.held.len() >= MAX_HELD_CHANGES {
            self.apply(&log);
            Progress::Committed(None)
        } else {
            Progress::Pending
        }
    }

    fn started_over(&mut self, path: &Path, _key: FileKey) -> Progress {
        // The JVM writing this file restarted: what it left half-written never completes.
        let (log, _) = log_name(path);
        if self.families.contains_key(&log) {
            self.apply(&log);
            if let Some(family) = self.families.get_mut(&log) {
                let closed = family.open.take();
                let ordinals = family.ordinals;
                *family = Family::new();
                family.ordinals = ordinals;
                if let Some(instance) = self.instances.iter_mut().find(|i| Some(i.id) == closed) {
                    instance.closed = true;
                }
                self.revision += 1;
            }
        }
        Progress::Committed(None)
    }

    fn committed_state(&mut self) -> Option<ConsumerState> {
        self.saved_state()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gc::model::MemoryChange;

    fn pause(kind: PauseKind, uptime: f64) -> GcEvent {
        let mut event = GcEvent::new(EventKind::Pause(kind), "Pause");
        event.start.uptime = Some(uptime);
        event.duration = Some(0.01);
        event.heap = MemoryChange { before: Some(100), after: Some(50), ..MemoryChange::default() };
        event
    }

    #[test]
    fn totals_stay_exact_while_retention_trims() {
        let retention = Retention { recent_events: 3, live_set_samples: 2, instances: 2 };
        let mut instance = TrackedInstance::new(1, "gc.log".into(), 1);
        for i in 0..10 {
            let kind = if i % 4 == 0 { PauseKind::Full } else { PauseKind::Young };
            instance.add_event(pause(kind, f64::from(i)), &retention);
        }
        assert_eq!(instance.totals.events, 10);
        assert_eq!(instance.totals.full_pauses, 3);
        assert_eq!(instance.totals.young_pauses, 7);
        assert_eq!(instance.recent.len(), 3);
        assert_eq!(instance.older_samples.len(), 2, "bounded");
        assert!(instance.trimmed);
        let (recent, samples) = instance.views();
        assert_eq!(recent.events.len(), 3);
        assert_eq!(samples.events.len(), 5);
        assert!(!recent.facts.start_seen);
    }
}
