//! Splits a stream of records into JVM instances.
//!
//! Everything the product reports is per JVM run: a restart that writes into the same log (or
//! the same rotation set) must start a new instance, or counts, windows and the live set of two
//! different JVMs get averaged together (GCViewer's series mode does exactly that). An instance
//! starts at a JVM start block, when uptime jumps back, or when GC ids restart at 0.
//! The splitter is incremental so the sidecar can feed it as lines arrive.

use crate::gc::model::{Fact, JvmInstance, LogFormat, ParseStats, Record, Timestamp};

/// Uptime may step back a little between the lines of one JVM (unified logging writes one GC's
/// lines from several threads); more than this is a new JVM.
const UPTIME_JUMP_BACK: f64 = 1.0;

#[derive(Default)]
pub struct InstanceSplitter {
    current: JvmInstance,
    finished: Vec<JvmInstance>,
    /// Parser statistics at the moment the current instance started.
    stats_at_start: ParseStats,
    last_uptime: Option<f64>,
    max_gc_id: Option<u64>,
    /// A JDK 8 rotation notice was seen: the header that follows belongs to the same JVM.
    rotation_continues: bool,
    /// The current instance's start block has been seen and no event followed yet: further start
    /// facts (a unified `Using G1` after `Version:`) belong to the same start.
    in_start_block: bool,
    /// Records pushed into the current instance (facts, events, safepoints).
    current_records: u64,
    /// The file being read; added to an instance's file list once a record of it lands there.
    reading: Option<String>,
    /// Instance boundaries crossed so far, also those that closed an instance with nothing in it.
    splits: u64,
}

impl InstanceSplitter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes that the following records come from `file` (for the instance's file list).
    pub fn begin_file(&mut self, file: &str) {
        self.reading = Some(file.to_string());
    }

    /// Lists the file being read on the current instance (after any split it caused).
    fn note_file(&mut self) {
        if let Some(file) = &self.reading {
            if self.current.files.last() != Some(file) {
                self.current.files.push(file.clone());
            }
        }
    }

    /// Records the format the parser is reading, for the current instance.
    pub fn set_format(&mut self, format: Option<LogFormat>) {
        if self.current.format.is_none() {
            self.current.format = format;
        }
    }

    /// Pushes one record. `stats` are the parser's running statistics; they let each instance
    /// carry its own share of unrecognized lines.
    pub fn push(&mut self, record: Record, stats: &ParseStats) {
        match record {
            Record::Fact { at, fact } => self.push_fact(at, fact, stats),
            Record::Event(event) => {
                // The end is when the line was written: a concurrent phase's start can lie
                // minutes back, behind pauses logged meanwhile.
                let ended = Timestamp {
                    uptime: event.end_uptime(),
                    wall_ms: event.start.wall_ms.map(|ms| ms + (event.duration.unwrap_or(0.0) * 1000.0) as i64),
                };
                self.check_time(ended, stats);
                if let Some(id) = event.gc_id {
                    if id == 0 && self.max_gc_id.is_some_and(|max| max > 1) && !self.in_start_block {
                        self.start_new(stats);
                    }
                    self.max_gc_id = Some(self.max_gc_id.map_or(id, |max| max.max(id)));
                }
                self.in_start_block = false;
                self.rotation_continues = false;
                self.note_file();
                self.current_records += 1;
                self.current.events.push(event);
            }
            Record::Safepoint(safepoint) => {
                self.check_time(safepoint.at, stats);
                self.note_file();
                self.current_records += 1;
                self.current.safepoints.push(safepoint);
            }
        }
    }

    fn push_fact(&mut self, at: Timestamp, fact: Fact, stats: &ParseStats) {
        match fact {
            Fact::RotationContinued => {
                self.rotation_continues = true;
                return;
            }
            Fact::JvmStart if self.rotation_continues => {
                // The header JDK 8 repeats at the top of every rotated file.
                self.rotation_continues = false;
                self.in_start_block = true;
                return;
            }
            Fact::JvmStart => {
                if !self.in_start_block && self.current_records > 0 {
                    self.start_new(stats);
                }
                self.in_start_block = true;
            }
            _ => {
                // Header facts of a rotated JDK 8 file repeat the instance's own; nothing to split.
            }
        }
        if at.is_known() && !self.in_start_block {
            self.check_time(at, stats);
        }
        self.note_time(at);
        self.note_file();
        self.current.facts.apply(&fact);
        self.current_records += 1;
    }

    fn check_time(&mut self, at: Timestamp, stats: &ParseStats) {
        if let (Some(uptime), Some(last)) = (at.uptime, self.last_uptime) {
            if uptime + UPTIME_JUMP_BACK < last && !self.in_start_block {
                self.start_new(stats);
            }
        }
        self.note_time(at);
    }

    fn note_time(&mut self, at: Timestamp) {
        if let Some(uptime) = at.uptime {
            self.last_uptime = Some(uptime);
        }
        if !at.is_known() {
            return;
        }
        let first = &mut self.current.first_seen;
        if first.uptime.is_none() {
            first.uptime = at.uptime;
        }
        if first.wall_ms.is_none() {
            first.wall_ms = at.wall_ms;
        }
        let last = &mut self.current.last_seen;
        if at.uptime.is_some() {
            last.uptime = at.uptime;
        }
        if at.wall_ms.is_some() {
            last.wall_ms = at.wall_ms;
        }
    }

    /// Continues an instance read before (by an earlier process) as if its records had been
    /// pushed here: a start block or an uptime or GC id going back still splits.
    pub fn resume(&mut self, last_uptime: Option<f64>, max_gc_id: Option<u64>) {
        self.last_uptime = last_uptime;
        self.max_gc_id = max_gc_id;
        self.current_records = self.current_records.max(1);
    }

    /// The instance being built. A follower that keeps its own instances takes events and
    /// safepoints out of it as they arrive; boundaries are told by [`InstanceSplitter::splits`].
    pub fn current_mut(&mut self) -> &mut JvmInstance {
        &mut self.current
    }

    /// The parser statistics of the current instance so far.
    pub fn current_stats(&self, stats: &ParseStats) -> ParseStats {
        stats_since(stats, &self.stats_at_start)
    }

    /// Instance boundaries crossed so far.
    pub fn splits(&self) -> u64 {
        self.splits
    }

    /// What a resumed splitter needs: the last uptime and the highest GC id of the current instance.
    pub fn resume_point(&self) -> (Option<f64>, Option<u64>) {
        (self.last_uptime, self.max_gc_id)
    }

    /// Closes the current instance and opens a new one for the same file.
    fn start_new(&mut self, stats: &ParseStats) {
        self.splits += 1;
        let format = self.current.format;
        // A JVM restarted without a header in view ran the same configuration; a header that
        // follows overrides this.
        let collector = self.current.facts.collector;
        let mut done = std::mem::take(&mut self.current);
        done.stats = stats_since(stats, &self.stats_at_start);
        self.stats_at_start = stats.clone();
        if done.events.is_empty() && done.safepoints.is_empty() && !done.facts.start_seen {
            // Nothing but stray facts: not worth an instance of its own.
        } else {
            self.finished.push(done);
        }
        self.current.format = format;
        self.current.facts.collector = collector;
        self.last_uptime = None;
        self.max_gc_id = None;
        self.current_records = 0;
    }

    /// Instances completed so far (the current one stays open).
    pub fn take_finished(&mut self) -> Vec<JvmInstance> {
        std::mem::take(&mut self.finished)
    }

    /// Ends the stream: returns every instance, the open one included when it has any content.
    pub fn finish(mut self, stats: &ParseStats) -> Vec<JvmInstance> {
        let mut last = std::mem::take(&mut self.current);
        last.stats = stats_since(stats, &self.stats_at_start);
        if !last.events.is_empty() || !last.safepoints.is_empty() || last.facts.start_seen {
            self.finished.push(last);
        } else if let Some(previous) = self.finished.last_mut() {
            // Trailing unrecognized lines belong to the last instance's tally.
            previous.stats.merge(&last.stats);
        }
        self.finished
    }
}

/// The statistics accumulated between two snapshots of a parser's running totals.
fn stats_since(now: &ParseStats, then: &ParseStats) -> ParseStats {
    ParseStats {
        lines: now.lines - then.lines.min(now.lines),
        recognized: now.recognized - then.recognized.min(now.recognized),
        ignored: now.ignored - then.ignored.min(now.ignored),
        unrecognized: now.unrecognized - then.unrecognized.min(now.unrecognized),
        incomplete_events: now.incomplete_events - then.incomplete_events.min(now.incomplete_events),
        unrecognized_samples: now.unrecognized_samples.iter().skip(then.unrecognized_samples.len()).cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gc::model::{EventKind, GcEvent, PauseKind};

    fn young(uptime: f64, id: u64) -> Record {
        let mut event = GcEvent::new(EventKind::Pause(PauseKind::Young), "Pause Young");
        event.start.uptime = Some(uptime);
        event.gc_id = Some(id);
        Record::Event(event)
    }

    fn fact(fact: Fact) -> Record {
        Record::Fact { at: Timestamp::default(), fact }
    }

    fn split(records: Vec<Record>) -> Vec<JvmInstance> {
        let stats = ParseStats::default();
        let mut splitter = InstanceSplitter::new();
        splitter.begin_file("gc.log");
        for record in records {
            splitter.push(record, &stats);
        }
        splitter.finish(&stats)
    }

    #[test]
    fn one_run_is_one_instance() {
        let instances = split(vec![fact(Fact::JvmStart), young(1.0, 0), young(2.0, 1), young(3.0, 2)]);
        assert_eq!(instances.len(), 1);
        assert_eq!(instances[0].events.len(), 3);
        assert!(instances[0].facts.start_seen);
    }

    #[test]
    fn a_second_start_block_is_a_new_instance() {
        let instances = split(vec![
            fact(Fact::JvmStart),
            fact(Fact::Version("17".into())),
            young(1.0, 0),
            fact(Fact::JvmStart),
            fact(Fact::JvmStart),
            young(0.5, 0),
        ]);
        assert_eq!(instances.len(), 2);
        assert_eq!(instances[1].events.len(), 1);
    }

    #[test]
    fn uptime_jumping_back_is_a_restart_even_without_a_header() {
        let instances = split(vec![young(50.0, 7), young(51.0, 8), young(0.3, 0)]);
        assert_eq!(instances.len(), 2);
        assert!(!instances[1].facts.start_seen);
    }

    #[test]
    fn small_reorderings_stay_in_one_instance() {
        // GC(3) Pause Full is logged before the enclosing GC(2) Pause Young ends.
        let instances = split(vec![young(0.290, 3), young(0.283, 2)]);
        assert_eq!(instances.len(), 1);
    }

    #[test]
    fn gc_ids_restarting_at_zero_split() {
        let mut records = vec![young(1.0, 0), young(2.0, 1), young(3.0, 2)];
        let mut restarted = GcEvent::new(EventKind::Pause(PauseKind::Young), "Pause Young");
        restarted.gc_id = Some(0);
        records.push(Record::Event(restarted));
        assert_eq!(split(records).len(), 2);
    }

    #[test]
    fn jdk8_rotation_header_continues_the_instance() {
        let instances = split(vec![
            fact(Fact::JvmStart),
            young(1.0, 0),
            fact(Fact::RotationContinued),
            fact(Fact::JvmStart),
            fact(Fact::CommandLine("-Xmx1g".into())),
            young(2.0, 1),
        ]);
        assert_eq!(instances.len(), 1);
        assert_eq!(instances[0].events.len(), 2);
    }
}
