//! Helpers shared by the integration tests: locating the real sample logs and parsing them.
#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;

use rightsize::gc::model::{EventKind, Fact, GcEvent, ParseStats, PauseKind, Record};
use rightsize::gc::parse::GcLogParser;

/// A file under `shared/gclogs/upstream/`, which sits beside the repository.
pub fn sample(relative: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/gclogs/upstream")).join(relative)
}

/// A fixture committed under `agent/tests/fixtures/`.
pub fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(relative)
}

pub struct Parsed {
    pub records: Vec<Record>,
    pub stats: ParseStats,
}

impl Parsed {
    pub fn events(&self) -> impl Iterator<Item = &GcEvent> {
        self.records.iter().filter_map(|r| match r {
            Record::Event(e) => Some(e),
            _ => None,
        })
    }

    pub fn facts(&self) -> Vec<&Fact> {
        self.records
            .iter()
            .filter_map(|r| match r {
                Record::Fact { fact, .. } => Some(fact),
                _ => None,
            })
            .collect()
    }

    pub fn pauses(&self, kind: PauseKind) -> Vec<&GcEvent> {
        self.events().filter(|e| e.kind == EventKind::Pause(kind)).collect()
    }

    pub fn count(&self, kind: PauseKind) -> usize {
        self.pauses(kind).len()
    }
}

/// Reads a sample (plain text, or the single entry of a `.zip`) as bytes.
pub fn read_bytes(path: &PathBuf) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    if path.extension().is_some_and(|x| x == "zip") {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("valid zip");
        let mut entry = archive.by_index(0).expect("zip has an entry");
        let mut out = Vec::new();
        entry.read_to_end(&mut out).expect("readable zip entry");
        return out;
    }
    bytes
}

/// Feeds every line of `bytes` to one parser, as a tailer or the CLI would.
pub fn parse_bytes(bytes: &[u8]) -> Parsed {
    let mut parser = GcLogParser::new();
    let mut records = Vec::new();
    for line in bytes.split(|b| *b == b'\n') {
        parser.feed_bytes(line, &mut records);
    }
    parser.finish(&mut records);
    Parsed { records, stats: parser.stats().clone() }
}

/// Parses one sample file end to end.
pub fn parse_sample(relative: &str) -> Parsed {
    parse_bytes(&read_bytes(&sample(relative)))
}
