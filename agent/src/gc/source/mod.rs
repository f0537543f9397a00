//! From paths on disk to parsed JVM instances.
//!
//! `load` expands directories, opens each file whatever its storage (`open`), groups rotated
//! files of one log (`rotation`), reads them in time order through one parser so that an event
//! split across two files is still whole, and splits the records into JVM instances. Files that
//! are not GC logs, empty or unreadable are skipped with a reason, never fatal.

pub mod lines;
pub mod open;
pub mod rotation;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::gc::instance::InstanceSplitter;
use crate::gc::model::{Fact, JvmInstance, Record, Timestamp};
use crate::gc::parse::GcLogParser;
use lines::{for_each_line, for_each_line_until, Line};
pub use open::LogInput;
use rotation::FileProbe;
use std::ops::ControlFlow;

/// Lines looked at to decide whether a file is a GC log and how it starts.
const HEAD_LINES: usize = 400;
/// Bytes read from the end of a file to learn its last timestamp.
const TAIL_BYTES: u64 = 256 * 1024;

#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    /// Treat every input as one rotation set of one JVM (like GCViewer's series), instead of
    /// grouping files by name.
    pub series: bool,
}

/// One log (a rotation set) and the JVM instances found in it.
#[derive(Debug, Clone)]
pub struct LoadedLog {
    /// The rotation set's name: directory plus file name without rotation suffixes.
    pub name: String,
    /// The files read, in the order read.
    pub files: Vec<String>,
    pub instances: Vec<JvmInstance>,
}

/// A file that was not analysed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub logs: Vec<LoadedLog>,
    pub skipped: Vec<Skipped>,
    /// Decompressed bytes parsed.
    pub bytes_read: u64,
}

/// Reads every GC log under `paths` (files or directories, searched recursively).
pub fn load(paths: &[PathBuf], options: &SourceOptions) -> Loaded {
    let mut loaded = Loaded::default();
    let mut inputs = Vec::new();
    for path in paths {
        collect_inputs(path, &mut inputs, &mut loaded.skipped);
    }
    // Probe each input: is it a GC log at all, and where does it sit in time?
    let mut families: BTreeMap<String, Vec<(LogInput, FileProbe)>> = BTreeMap::new();
    for input in inputs {
        match probe(&input) {
            Ok(Some(probe)) => {
                let family = if options.series { String::from("series") } else { family_key(&input) };
                families.entry(family).or_default().push((input, probe));
            }
            Ok(None) => loaded.skipped.push(Skipped { path: input.name.clone(), reason: not_a_log_reason(&input) }),
            Err(error) => loaded.skipped.push(Skipped { path: input.name.clone(), reason: format!("{error:#}") }),
        }
    }
    for (family, members) in families {
        let (inputs, probes): (Vec<LogInput>, Vec<FileProbe>) = members.into_iter().unzip();
        let order = if inputs.len() > 1 { rotation::read_order(&probes) } else { vec![0] };
        let ordered: Vec<&LogInput> = order.iter().map(|&i| &inputs[i]).collect();
        let name = if options.series || inputs.len() > 1 { family } else { inputs[0].name.clone() };
        let (log, bytes, mut skipped) = read_log(name, &ordered);
        loaded.bytes_read += bytes;
        loaded.skipped.append(&mut skipped);
        if !log.instances.is_empty() {
            loaded.logs.push(log);
        }
    }
    loaded
}

/// The engine fed line by line: one parser and one instance splitter. The CLI drives it from
/// files, benchmarks from memory, the sidecar from its follower.
#[derive(Default)]
pub struct LogReader {
    parser: GcLogParser,
    splitter: InstanceSplitter,
    records: Vec<Record>,
}

impl LogReader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes that the following lines come from `file`.
    pub fn begin_file(&mut self, file: &str) {
        self.splitter.begin_file(file);
    }

    pub fn feed(&mut self, line: Line<'_>) {
        match line {
            Line::Complete(bytes) => self.parser.feed_bytes(bytes, &mut self.records),
            Line::TooLong(head) => self.parser.count_skipped_line(head),
        }
        if !self.records.is_empty() {
            self.splitter.set_format(self.parser.format());
            for record in self.records.drain(..) {
                self.splitter.push(record, self.parser.stats());
            }
        }
    }

    /// The parser, for its statistics and whether it holds half an event.
    pub fn parser(&self) -> &GcLogParser {
        &self.parser
    }

    /// The instance splitter, for a follower that takes records out as they arrive.
    pub fn splitter_mut(&mut self) -> &mut InstanceSplitter {
        &mut self.splitter
    }

    pub fn splitter(&self) -> &InstanceSplitter {
        &self.splitter
    }

    /// The parser statistics of the instance being read.
    pub fn current_stats(&self) -> crate::gc::model::ParseStats {
        self.splitter.current_stats(self.parser.stats())
    }

    /// Ends the input: every JVM instance read, the open one included.
    pub fn finish(mut self) -> Vec<JvmInstance> {
        self.parser.finish(&mut self.records);
        for record in self.records.drain(..) {
            self.splitter.push(record, self.parser.stats());
        }
        self.splitter.finish(self.parser.stats())
    }
}

/// Parses already-ordered inputs of one log through one [`LogReader`].
pub fn read_log(name: String, inputs: &[&LogInput]) -> (LoadedLog, u64, Vec<Skipped>) {
    let mut reader = LogReader::new();
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut bytes_read = 0;
    for input in inputs {
        reader.begin_file(&input.name);
        match input.open().and_then(|stream| Ok(for_each_line(stream, |line| reader.feed(line))?)) {
            Ok(bytes) => {
                bytes_read += bytes;
                files.push(input.name.clone());
            }
            // A file that vanished or broke mid-read: keep what was read, say what was lost.
            Err(error) => skipped.push(Skipped { path: input.name.clone(), reason: format!("read failed: {error:#}") }),
        }
    }
    (LoadedLog { name, files, instances: reader.finish() }, bytes_read, skipped)
}

/// Expands a path argument into log inputs; directories are walked in name order, hidden
/// entries skipped.
fn collect_inputs(path: &Path, inputs: &mut Vec<LogInput>, skipped: &mut Vec<Skipped>) {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) => {
            skipped.push(Skipped { path: path.display().to_string(), reason: describe_io_error(&error) });
            return;
        }
    };
    if metadata.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(error) => {
                skipped.push(Skipped { path: path.display().to_string(), reason: describe_io_error(&error) });
                return;
            }
        };
        entries.sort();
        for entry in entries {
            let hidden = entry.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
            if !hidden {
                collect_inputs(&entry, inputs, skipped);
            }
        }
        return;
    }
    if !metadata.is_file() {
        skipped.push(Skipped { path: path.display().to_string(), reason: "not a regular file".into() });
        return;
    }
    match open::inspect(path) {
        Ok(mut found) if !found.is_empty() => inputs.append(&mut found),
        Ok(_) => skipped.push(Skipped { path: path.display().to_string(), reason: "empty archive".into() }),
        Err(error) => skipped.push(Skipped { path: path.display().to_string(), reason: format!("{error:#}") }),
    }
}

fn describe_io_error(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied (run as a user that can read the logs)".into(),
        _ => error.to_string(),
    }
}

fn not_a_log_reason(input: &LogInput) -> String {
    if input.stored_len == 0 {
        "empty file".into()
    } else {
        format!("no GC log line in its first {HEAD_LINES} lines (not a HotSpot GC log?)")
    }
}

/// Groups by directory and rotation-set name.
fn family_key(input: &LogInput) -> String {
    let file_name = input.file_name();
    let family = rotation::family_name(file_name);
    match input.name.strip_suffix(file_name) {
        Some(dir) => format!("{dir}{family}"),
        None => input.name.clone(),
    }
}

/// Looks at a file's head (is it a GC log, does a JVM start there, first timestamp) and, for
/// uncompressed files, its tail (last timestamp). `None` when the head has no GC log line.
pub fn probe(input: &LogInput) -> anyhow::Result<Option<FileProbe>> {
    let mut result = FileProbe {
        active: rotation::rotation_index(input.file_name()).is_none() || input.file_name().ends_with(".current"),
        index: rotation::rotation_index(input.file_name()),
        modified: input.modified.and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok()).map(|d| d.as_secs_f64()),
        ..FileProbe::default()
    };
    let mut parser = GcLogParser::new();
    let mut records = Vec::new();
    let mut seen_event = false;
    let mut head_lines = 0;
    let reader = input.open()?;
    for_each_line_until(reader, |line| {
        head_lines += 1;
        if let Line::Complete(bytes) = line {
            parser.feed_bytes(bytes, &mut records);
        }
        for record in records.drain(..) {
            note_first(&record, &mut result, &mut seen_event);
        }
        if head_lines >= HEAD_LINES {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", input.name))?;
    if parser.stats().recognized == 0 {
        return Ok(None);
    }
    let (tail, seeked) = input.open_tail(TAIL_BYTES)?;
    let mut tail_parser = GcLogParser::new();
    let mut first_line = seeked;
    for_each_line(tail, |line| {
        if std::mem::take(&mut first_line) {
            return; // Most likely a partial line.
        }
        if let Line::Complete(bytes) = line {
            tail_parser.feed_bytes(bytes, &mut records);
        }
        for record in records.drain(..) {
            let at = record_time(&record);
            if at.uptime.is_some() {
                result.last.uptime = at.uptime;
            }
            if at.wall_ms.is_some() {
                result.last.wall_ms = at.wall_ms;
            }
        }
    })
    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", input.name))?;
    Ok(Some(result))
}

fn note_first(record: &Record, probe: &mut FileProbe, seen_event: &mut bool) {
    match record {
        Record::Fact { fact: Fact::JvmStart, .. } if !*seen_event && !probe.continues => probe.starts_jvm = true,
        Record::Fact { fact: Fact::RotationContinued, .. } if !*seen_event => probe.continues = true,
        Record::Event(_) => *seen_event = true,
        _ => {}
    }
    let at = record_time(record);
    if probe.first.uptime.is_none() {
        probe.first.uptime = at.uptime;
    }
    if probe.first.wall_ms.is_none() {
        probe.first.wall_ms = at.wall_ms;
    }
}

fn record_time(record: &Record) -> Timestamp {
    match record {
        Record::Event(event) => event.start,
        Record::Fact { at, .. } => *at,
        Record::Safepoint(safepoint) => safepoint.at,
    }
}
