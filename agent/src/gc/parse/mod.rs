//! Line parsers: GC log text in, [`Record`]s out.
//!
//! [`GcLogParser`] is the one entry point. It is fed complete lines (in any chunking the caller
//! likes: a whole file, or what a tailer read a moment ago) and decides per line which format
//! parser gets it, so files that switch format midway (a JVM upgraded in place, two JVMs writing
//! one file) still parse. Lines nobody understands are counted in [`ParseStats`], never fatal.

pub mod jdk8;
pub mod lexer;
pub mod unified;

use crate::gc::model::{Fact, LogFormat, ParseStats, Record, Timestamp};

/// How a format parser classified one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineClass {
    /// The line contributed to a record (now or once its event completes).
    Recognized,
    /// A known line that carries nothing the analyses use.
    Ignored,
    /// Not understood.
    Unrecognized,
}

/// A parser for one log format. Implementations keep multi-line state between calls and must
/// never panic on any input.
pub trait FormatParser {
    /// Feeds one complete line without its line terminator.
    fn feed(&mut self, line: &str, out: &mut Vec<Record>) -> LineClass;
    /// Ends the input: emits what can still be emitted and returns how many started events had
    /// to be dropped because the log was cut before they completed.
    fn finish(&mut self, out: &mut Vec<Record>) -> u64;
}

/// Auto-detecting parser over every supported format.
#[derive(Default)]
pub struct GcLogParser {
    unified: unified::UnifiedParser,
    jdk8: jdk8::Jdk8Parser,
    current: Option<LogFormat>,
    stats: ParseStats,
}

impl GcLogParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// The format of the last line that was recognized, if any.
    pub fn format(&self) -> Option<LogFormat> {
        self.current
    }

    pub fn stats(&self) -> &ParseStats {
        &self.stats
    }

    /// Feeds one complete line (a trailing `\r` is ignored).
    pub fn feed_line(&mut self, line: &str, out: &mut Vec<Record>) {
        let line = line.strip_suffix('\r').unwrap_or(line);
        self.stats.lines += 1;
        if is_blank(line) {
            self.stats.ignored += 1;
            return;
        }
        let route = route(line);
        let format = match route {
            Route::Unified(_) => LogFormat::Unified,
            Route::Jdk8 => LogFormat::Jdk8,
        };
        if self.current.is_some_and(|current| current != format) && self.would_switch(format, line) {
            // A different format mid-stream: a different JVM wrote on. Close the old one.
            self.stats.incomplete_events += match self.current {
                Some(LogFormat::Unified) => self.unified.finish(out),
                _ => self.jdk8.finish(out),
            };
            out.push(Record::Fact { at: Timestamp::default(), fact: Fact::JvmStart });
        }
        let class = match route {
            Route::Unified(split) => self.unified.feed_split(split, out),
            Route::Jdk8 => self.jdk8.feed(line, out),
        };
        match class {
            LineClass::Recognized => {
                self.stats.recognized += 1;
                self.current = Some(format);
            }
            LineClass::Ignored => self.stats.ignored += 1,
            LineClass::Unrecognized => self.stats.count_unrecognized(line),
        }
    }

    /// Feeds a line given as bytes. Invalid UTF-8 (binary garbage, a torn multi-byte character)
    /// is counted as unrecognized.
    pub fn feed_bytes(&mut self, line: &[u8], out: &mut Vec<Record>) {
        match std::str::from_utf8(line) {
            Ok(text) => self.feed_line(text, out),
            Err(_) => {
                self.stats.lines += 1;
                let lossy = String::from_utf8_lossy(&line[..line.len().min(ParseStats::MAX_SAMPLE_LEN)]);
                self.stats.count_unrecognized(&lossy);
            }
        }
    }

    /// Counts a line the reader had to skip without parsing (longer than the line limit).
    pub fn count_skipped_line(&mut self, head: &[u8]) {
        self.stats.lines += 1;
        let lossy = String::from_utf8_lossy(&head[..head.len().min(ParseStats::MAX_SAMPLE_LEN)]);
        self.stats.count_unrecognized(&format!("(line too long, skipped) {lossy}"));
    }

    /// Every line fed so far is in the records emitted: nothing is held for lines still to come.
    /// A follower may commit its position here; a restart resuming after this line loses nothing.
    pub fn is_between_events(&self) -> bool {
        self.unified.is_between_events() && self.jdk8.is_between_events()
    }

    /// Ends the input, flushing pending multi-line events.
    pub fn finish(&mut self, out: &mut Vec<Record>) {
        self.stats.incomplete_events += self.unified.finish(out);
        self.stats.incomplete_events += self.jdk8.finish(out);
    }

    /// A JDK 8 line that merely looks foreign inside a unified log (and vice versa) must not
    /// split an instance: only a line the other parser would start a record with switches.
    fn would_switch(&self, format: LogFormat, line: &str) -> bool {
        match format {
            LogFormat::Unified => true,
            LogFormat::Jdk8 => jdk8::starts_record(line),
        }
    }
}

/// Whether a line is empty or whitespace only. Nearly every line starts with a visible ASCII
/// character, which settles it without trimming.
fn is_blank(line: &str) -> bool {
    match line.as_bytes().first() {
        Some(first) if first.is_ascii_graphic() => false,
        _ => line.trim().is_empty(),
    }
}

/// Which parser a line goes to. A unified line carries its decorations, split once here and
/// reused by the unified parser (`None`: brackets in front that are no decorations).
enum Route<'a> {
    Unified(Option<(unified::Decorations<'a>, &'a str)>),
    Jdk8,
}

fn route(line: &str) -> Route<'_> {
    let bytes = line.as_bytes();
    if bytes.first() != Some(&b'[') {
        return if line.starts_with("GC(") || line.starts_with("Using ") {
            Route::Unified(unified::split_decorations(line))
        } else {
            Route::Jdk8
        };
    }
    let split = unified::split_decorations(line);
    // Decorator subsets that start with the tags or a hostname (`-Xlog:gc*:file=gc.log:tags`).
    let decorated = split.is_some_and(|(decorations, _)| decorations.says_unified());
    let first_is_decoration =
        || memchr::memchr(b']', &bytes[1..bytes.len().min(48)]).is_some_and(|close| is_decoration(&line[1..1 + close]));
    if decorated || first_is_decoration() {
        Route::Unified(split)
    } else {
        Route::Jdk8
    }
}

/// True when the line starts with a unified-logging decoration (`[0.005s]`, `[2022-...]`,
/// `[233ms]`, `[info]`, `[12345]`) or is an undecorated unified line (`-Xlog:...::none`).
pub fn is_unified_line(line: &str) -> bool {
    matches!(route(line), Route::Unified(_))
}

/// Whether the text inside one pair of brackets is a unified-logging decorator value.
pub fn is_decoration(inner: &str) -> bool {
    let b = inner.trim_end().as_bytes();
    let Some(&first) = b.first() else { return false };
    if first.is_ascii_digit() {
        // uptime `0.005s`, uptimemillis `233ms`, uptimenanos `1234ns`, time `2022-01-29T...`,
        // timemillis / pid / tid: digits only.
        let last = b[b.len() - 1];
        let all_digits = b.iter().all(u8::is_ascii_digit);
        let date_like = b.len() >= 11 && b[4] == b'-' && b[10] == b'T';
        let unit_like =
            last == b's' && b.iter().filter(|c| !c.is_ascii_digit() && **c != b'.' && **c != b',').count() <= 2;
        return all_digits || date_like || unit_like;
    }
    matches!(inner.trim_end(), "trace" | "debug" | "info" | "warning" | "error" | "develop")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_unified_decorations() {
        assert!(is_unified_line("[0.005s][info][gc] Using G1"));
        assert!(is_unified_line("[2022-01-29T16:34:51.642+0000][info][gc] Using G1"));
        assert!(is_unified_line("[233ms][info][gc] Using G1"));
        assert!(is_unified_line("[info ][gc,init] Version: 17"));
        assert!(is_unified_line("[1,303s][info][gc] GC(0) Pause Full"));
        assert!(is_unified_line("GC(0) Pause Young (Normal) 10M->2M(64M) 1.2ms"));
        assert!(is_unified_line("[gc] Using G1"));
        assert!(is_unified_line("[myhost][info][gc] Using G1"));
        assert!(!is_unified_line("[CMS-concurrent-mark-start]"));
        assert!(!is_unified_line("0.232: [Full GC (Ergonomics) [PSYoungGen: 10736K->0K(141824K)]"));
        assert!(!is_unified_line("[GC 1.234: [ParNew: 1K->1K(2K), 0.1 secs]"));
        assert!(!is_unified_line("[Times: user=0.08 sys=0.02, real=0.03 secs]"));
        assert!(!is_unified_line("[1 CMS-initial-mark: 15645K(21888K)] 18533K(31680K), 0.0010369 secs]"));
        assert!(!is_unified_line("2015-07-22T14:53:42.655-0100: 1.807: [GC (Allocation Failure)"));
    }
}
