//! Fuzz target: arbitrary bytes as a GC log, through the whole engine.
//!
//! GC logs are read as the JVM, a log rotator or a full disk left them: torn lines, binary
//! garbage, two JVMs interleaved. Whatever the bytes, reading, parsing, instance splitting,
//! analysis and every report renderer must not panic, hang or grow memory without bound
//! (libFuzzer's `-timeout` and `-rss_limit_mb` catch the latter two).
//!
//! The input is plain log text, so real logs are valid seeds (`smoke.sh` copies some). It is read
//! the way files are read, through the reader's line splitter, but in chunks of irregular sizes
//! derived from the bytes themselves: wherever a read boundary falls, the lines must be the same
//! as a plain split at `\n`.

#![no_main]

use std::io::{BufReader, Read};

use libfuzzer_sys::fuzz_target;
use rightsize::gc::analysis::{analyse, GcOptions};
use rightsize::gc::source::lines::{for_each_line, Line, MAX_LINE_LEN};
use rightsize::gc::source::LogReader;
use rightsize::report::{self, InstanceReport};

/// A line as the engine receives it: its bytes, or `None` when it is over the length limit (the
/// head kept of such a line depends on where reads fall, so only the fact is compared).
type SeenLine = Option<Vec<u8>>;

fuzz_target!(|log: &[u8]| {
    let lines = read_in_irregular_chunks(log);
    assert_eq!(lines, split_at_newlines(log), "the line splitter's output depends on read boundaries");

    let mut reader = LogReader::new();
    reader.begin_file("fuzz-input");
    for line in &lines {
        match line {
            Some(bytes) => reader.feed(Line::Complete(bytes)),
            None => reader.feed(Line::TooLong(b"")),
        }
    }

    let options = GcOptions::default();
    let reports: Vec<InstanceReport> = reader
        .finish()
        .into_iter()
        .enumerate()
        .map(|(index, jvm)| InstanceReport {
            log: "fuzz-input".into(),
            instance: index + 1,
            analysis: analyse(&jvm, &options),
            jvm,
        })
        .collect();
    // Renderers format whatever the analyses produced (NaN, huge values, odd text).
    let _ = report::table::render(&reports);
    let _ = report::json::render(&reports);
    let _ = report::csv::render(&reports);
    let _ = report::html::render(&reports);
});

/// The reference: split at every `\n`; a last line without one still counts.
fn split_at_newlines(log: &[u8]) -> Vec<SeenLine> {
    let mut lines: Vec<SeenLine> = log.split(|&b| b == b'\n').map(seen).collect();
    if log.is_empty() || log.ends_with(b"\n") {
        lines.pop(); // `split` yields an empty piece after the last terminator.
    }
    lines
}

fn seen(line: &[u8]) -> SeenLine {
    (line.len() <= MAX_LINE_LEN).then(|| line.to_vec())
}

/// Reads `log` through the production line splitter with reads of irregular sizes.
fn read_in_irregular_chunks(log: &[u8]) -> Vec<SeenLine> {
    let mut lines = Vec::new();
    // Capacity at the line limit: reads never hand over more than the limit at once.
    let reader = BufReader::with_capacity(MAX_LINE_LEN, IrregularReads::new(log));
    for_each_line(reader, |line| {
        lines.push(match line {
            Line::Complete(bytes) => seen(bytes),
            Line::TooLong(_) => None,
        })
    })
    .expect("reading from memory cannot fail");
    lines
}

/// A reader over a byte slice whose reads return between 1 and a few thousand bytes, in a
/// sequence seeded from the data (so a crash reproduces from the input file alone).
struct IrregularReads<'a> {
    rest: &'a [u8],
    state: u64,
}

impl<'a> IrregularReads<'a> {
    fn new(data: &'a [u8]) -> Self {
        // FNV-1a of the input: different inputs get different read patterns.
        let seed =
            data.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        IrregularReads { rest: data, state: seed | 1 }
    }

    /// xorshift64: cheap and good enough to vary chunk sizes.
    fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }
}

impl Read for IrregularReads<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let r = self.next();
        // Mostly tiny reads (boundaries inside lines and right at `\n`), sometimes large ones.
        let limit = if r & 0x100 == 0 { 1 + (r >> 9) % 16 } else { 1 + (r >> 9) % 4096 };
        let n = (limit as usize).min(buf.len()).min(self.rest.len());
        let (head, tail) = self.rest.split_at(n);
        buf[..n].copy_from_slice(head);
        self.rest = tail;
        Ok(n)
    }
}
