//! JDK 8 and earlier `-XX:+PrintGCDetails` text for Serial, Parallel, CMS and G1 (and JDK 8
//! Shenandoah's bracketed pauses), as far back as JDK 1.4 where the shapes agree.
//!
//! The text is line-oriented only on the surface: one event can span several lines (tenuring
//! distribution, adaptive-size output and CMS free-list statistics split it; G1 prints its sizes
//! lines after the pause's closing bracket), and concurrent phases of CMS/G1 land in the middle of
//! other events. So the parser keeps the open event: lines that continue it are appended until
//! its brackets balance, known noise in between is skipped, and the complete text is read as a
//! bracket tree by [`event`]. One event can open inside another (CMS's scavenge before remark);
//! a G1 pause whose bracket closed waits for its `[Eden: …]` line. Open state is bounded; an
//! event the log never completes is counted, not guessed.
//!
//! Line classes: lines that build an event, a fact or a safepoint are recognized; tenuring
//! tables, heap printouts, G1 phase trees, CPU times, free-list and adaptive-size statistics,
//! `Application time` and `-start` markers are ignored, as is any indented line outside an event
//! (the inside of some printout); the rest is unrecognized.
//!
//! Rotation: after `… GC log file created …` the next header belongs to the same JVM. The parser
//! then emits [`Fact::RotationContinued`] and no [`Fact::JvmStart`] for that header; its version,
//! memory and flag facts are emitted as usual.

mod event;
mod header;
mod prefix;
mod search;

use super::{FormatParser, LineClass};
use crate::gc::model::{Collector, EventKind, Fact, GcEvent, PauseKind, Record, Safepoint, Timestamp};
use crate::gc::parse::lexer::take_decimal;
use header::HeaderLine;
use prefix::{split_prefix, Prefixed};

/// An open event longer than this is not a GC event (or its end was lost): drop it.
const MAX_PENDING_BYTES: usize = 64 * 1024;
/// Continuation lines an open event may collect (tenuring tables and FLS statistics are skipped,
/// not collected, so real events need a handful).
const MAX_PENDING_LINES: u32 = 64;
/// Events open at once: CMS `-XX:+CMSScavengeBeforeRemark` prints a whole young GC inside the
/// remark; nothing nests deeper.
const MAX_OPEN_EVENTS: usize = 2;

/// The JDK 8 format parser. Header facts and the exit fact carry no timestamp (the log prints
/// none for them); events and safepoints carry their line's decorations.
#[derive(Default)]
pub struct Jdk8Parser {
    /// Events whose brackets are still open, innermost last.
    open: Vec<Pending>,
    /// A G1 pause whose bracket closed, waiting for its size line.
    g1_awaiting_sizes: Option<GcEvent>,
    /// Events dropped because the log never completed them.
    dropped: u64,
    /// The text buffer of the last completed event, reused for the next one.
    spare_text: String,
    /// The collector last announced with [`Fact::Collector`].
    collector: Option<Collector>,
    /// The G1 region size last announced with [`Fact::RegionSize`].
    region_size: Option<u64>,
    /// Inside a header block (its JvmStart, if any, is out).
    in_header: bool,
    /// A `GC log file created` line was seen and its header has not ended yet.
    rotation_continued: bool,
    /// A CMS cycle's initial mark was seen and its remark not yet (for undetailed logs, where the
    /// two pauses print alike).
    cms_mark_open: bool,
}

struct Pending {
    text: String,
    at: Timestamp,
    gc_id: Option<u64>,
    /// Open brackets so far.
    depth: i64,
    lines: u32,
}

/// True when the line would start a new record in a JDK 8 log (a timestamped GC event or a JVM
/// header line), as opposed to a continuation or a stray line.
pub fn starts_record(line: &str) -> bool {
    if header::header_line(line).is_some() || rotation_notice(line) == Some(RotationNotice::Created) {
        return true;
    }
    let Prefixed { at, rest, .. } = split_prefix(line);
    if rest.starts_with("Total time for which application threads were stopped") {
        return at.is_known();
    }
    match bracket_start(rest) {
        BracketStart::Event => true,
        BracketStart::Phase => at.is_known(),
        _ => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RotationNotice {
    /// `2016-04-14 22:37:22 GC log file created logs/garbageCollection.log.1`
    Created,
    /// `2016-04-14 22:37:22 GC log file has reached the maximum size. Saved as …`
    Full,
}

/// The G1 region size of a heap printout (`  region size 1024K, 145 young (148480K), …`): the
/// only place a JDK 8 log states it, apart from `-XX:G1HeapRegionSize` when it was set.
fn g1_region_size(line: &str) -> Option<u64> {
    let size = line.trim_start().strip_prefix("region size ")?;
    let (bytes, rest) = crate::gc::parse::lexer::take_size(size)?;
    rest.starts_with(',').then_some(bytes)
}

/// JDK 8 rotation notices: a local `YYYY-MM-DD HH:MM:SS` time, then the notice.
fn rotation_notice(line: &str) -> Option<RotationNotice> {
    let notice = line.get(19..)?.strip_prefix(" GC log file ")?;
    if notice.starts_with("created") {
        Some(RotationNotice::Created)
    } else if notice.starts_with("has reached the maximum size") {
        Some(RotationNotice::Full)
    } else {
        None
    }
}

/// What a line's first bracket opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BracketStart {
    /// `[GC …`, `[Full GC …`, JDK 8 Shenandoah `[Pause …`.
    Event,
    /// `[CMS-concurrent-…`, `[GC concurrent-…`, Shenandoah `[Concurrent …`.
    Phase,
    /// Brackets that never hold an event: `[Times: …]`, `[G1Ergonomics …]`.
    Noise,
    /// Anything else in brackets: a generation continuing an open event (`[ParNew: …`).
    Other,
    NotABracket,
}

fn bracket_start(rest: &str) -> BracketStart {
    let Some(inner) = rest.strip_prefix('[') else { return BracketStart::NotABracket };
    if inner.starts_with("CMS-concurrent-")
        || inner.starts_with("ASCMS-concurrent-")
        || inner.starts_with("GC concurrent-")
        || inner.starts_with("Concurrent ")
    {
        BracketStart::Phase
    } else if inner.starts_with("GC") || inner.starts_with("Full GC") || inner.starts_with("Pause ") {
        BracketStart::Event
    } else if inner.starts_with("Times:") || inner.starts_with("G1Ergonomics") {
        BracketStart::Noise
    } else {
        BracketStart::Other
    }
}

impl FormatParser for Jdk8Parser {
    fn feed(&mut self, line: &str, out: &mut Vec<Record>) -> LineClass {
        if self.g1_awaiting_sizes.is_some() {
            if let Some(class) = self.feed_g1_sizes(line, out) {
                return class;
            }
            self.emit_g1_awaiting(out);
        }
        if let Some(kind) = header::header_line(line) {
            return self.feed_header(kind, line, out);
        }
        if self.in_header && !is_noise(line) {
            // `/proc/meminfo:` sits inside some headers; anything else ends the header.
            self.in_header = false;
            self.rotation_continued = false;
        }
        let mut prefixed = split_prefix(line);
        if let Some(bracket) = strip_glued_separator(prefixed.rest) {
            prefixed.rest = bracket;
        }
        match bracket_start(prefixed.rest) {
            BracketStart::Event => return self.start_event(prefixed, out),
            BracketStart::Phase => return self.feed_phase_line(line, prefixed, out),
            BracketStart::Noise => return LineClass::Ignored,
            BracketStart::Other | BracketStart::NotABracket => {}
        }
        if let Some(size) = g1_region_size(line) {
            if self.region_size != Some(size) {
                self.region_size = Some(size);
                out.push(Record::Fact { at: Timestamp::default(), fact: Fact::RegionSize(size) });
            }
            return LineClass::Recognized;
        }
        if is_noise(line) || (prefixed.rest.len() < line.len() && is_noise(prefixed.rest)) {
            return LineClass::Ignored;
        }
        if let Some(class) = self.feed_standalone(line, prefixed, out) {
            return class;
        }
        if !self.open.is_empty() {
            return self.continue_event(line, out);
        }
        if line.starts_with([' ', '\t']) {
            // Indented lines outside an event are the inside of some block: G1 phase trees,
            // heap printouts, Shenandoah statistics.
            return LineClass::Ignored;
        }
        LineClass::Unrecognized
    }

    fn finish(&mut self, out: &mut Vec<Record>) -> u64 {
        self.emit_g1_awaiting(out);
        self.dropped += self.open.len() as u64;
        self.open.clear();
        std::mem::take(&mut self.dropped)
    }
}

impl Jdk8Parser {
    /// Nothing half-read is held: no bracket open, no G1 pause waiting for its sizes, no header
    /// in progress.
    pub fn is_between_events(&self) -> bool {
        self.open.is_empty() && self.g1_awaiting_sizes.is_none() && !self.in_header
    }

    fn feed_header(&mut self, kind: HeaderLine, line: &str, out: &mut Vec<Record>) -> LineClass {
        let at = Timestamp::default();
        if !self.in_header {
            self.in_header = true;
            if !self.rotation_continued {
                // A new JVM: nothing open belongs to it.
                self.g1_awaiting_sizes = None;
                self.dropped += self.open.len() as u64;
                self.open.clear();
                self.collector = None;
                self.region_size = None;
                self.cms_mark_open = false;
                out.push(Record::Fact { at, fact: Fact::JvmStart });
            }
        }
        match kind {
            HeaderLine::Banner => {
                if let Some(version) = header::banner_version(line) {
                    out.push(Record::Fact { at, fact: Fact::Version(version.to_string()) });
                }
            }
            HeaderLine::Memory => {
                let memory = line.trim_start_matches("Memory: ").trim_end();
                out.push(Record::Fact { at, fact: Fact::Memory(memory.to_string()) });
            }
            HeaderLine::CommandLine => {
                let flags = line.trim_start_matches("CommandLine flags:").trim();
                out.push(Record::Fact { at, fact: Fact::CommandLine(flags.to_string()) });
                let mut facts = Vec::new();
                if let Some(collector) = header::command_line_facts(flags, &mut facts) {
                    self.collector = Some(collector);
                }
                for fact in facts {
                    if let Fact::RegionSize(size) = fact {
                        self.region_size = Some(size);
                    }
                    out.push(Record::Fact { at, fact });
                }
            }
        }
        LineClass::Recognized
    }

    /// Lines that stand on their own whether or not an event is open.
    fn feed_standalone(&mut self, line: &str, prefixed: Prefixed<'_>, out: &mut Vec<Record>) -> Option<LineClass> {
        let rest = prefixed.rest;
        if line.starts_with([' ', '\t']) {
            return None; // none of these is indented; skip the searches below
        }
        // Usually at the start; a racing thread can glue a timestamp in front (`652.538Total time`).
        // Both messages mention ` time`: one search rules both out on most other lines.
        let mentions_time = rest.starts_with(search::STOPPED)
            || rest.starts_with(search::APPLICATION_TIME)
            || search::mentions_time(rest);
        if mentions_time {
            let stopped_at = if rest.starts_with(search::STOPPED) { Some(0) } else { search::find_stopped(rest) };
            if let Some(at) = stopped_at {
                let (stopped, _) = take_decimal(rest.get(at + search::STOPPED.len()..)?)?;
                out.push(Record::Safepoint(Safepoint { at: prefixed.at, stopped }));
                return Some(LineClass::Recognized);
            }
            if rest.starts_with(search::APPLICATION_TIME) || search::mentions_application_time(rest) {
                return Some(LineClass::Ignored);
            }
        }
        if rest.starts_with("Shenandoah ") {
            // `Shenandoah Heap`, `Shenandoah GC mode: …`: JDK 8 Shenandoah's own banner lines.
            self.announce(Collector::Shenandoah, Timestamp::default(), out);
            return Some(LineClass::Recognized);
        }
        if self.collector == Some(Collector::Shenandoah) && self.open.is_empty() {
            // JDK 8 Shenandoah prints free-form ergonomics and statistics between its bracketed
            // events (`Pacer for Idle. …`, `Trigger: …`, `GC STATISTICS:`).
            return Some(LineClass::Ignored);
        }
        match rotation_notice(line) {
            Some(RotationNotice::Created) => {
                out.push(Record::Fact { at: Timestamp::default(), fact: Fact::RotationContinued });
                self.rotation_continued = true;
                return Some(LineClass::Recognized);
            }
            Some(RotationNotice::Full) => return Some(LineClass::Ignored),
            None => {}
        }
        if line.trim_end() == "Heap" && self.open.is_empty() {
            out.push(Record::Fact { at: Timestamp::default(), fact: Fact::Exit });
            return Some(LineClass::Recognized);
        }
        None
    }

    fn start_event(&mut self, prefixed: Prefixed<'_>, out: &mut Vec<Record>) -> LineClass {
        // A rotation notice holds only for the header right after it.
        self.rotation_continued = false;
        if self.open.len() >= MAX_OPEN_EVENTS {
            // Deeper than events nest: the oldest was never finished.
            self.open.remove(0);
            self.dropped += 1;
        }
        let mut text = std::mem::take(&mut self.spare_text);
        text.clear();
        let mut pending = Pending { text, at: prefixed.at, gc_id: prefixed.gc_id, depth: 0, lines: 0 };
        pending.append(prefixed.rest);
        self.open.push(pending);
        self.complete_or_bound(out)
    }

    /// A line opening with a concurrent phase: on its own it is a complete record; inside an open
    /// event it was printed between two of that event's lines and leaves it untouched.
    fn feed_phase_line(&mut self, line: &str, prefixed: Prefixed<'_>, out: &mut Vec<Record>) -> LineClass {
        if bracket_balance(prefixed.rest) != 0 && !self.open.is_empty() {
            // The phase line carries a piece of the open event too.
            return self.continue_event(line, out);
        }
        let roots = event::scan_brackets(prefixed.rest);
        let interpreted = event::interpret(&roots, prefixed.at, prefixed.gc_id);
        self.emit(interpreted, out)
    }

    fn continue_event(&mut self, line: &str, out: &mut Vec<Record>) -> LineClass {
        let Some(pending) = self.open.last_mut() else { return LineClass::Unrecognized };
        pending.append(line);
        self.complete_or_bound(out)
    }

    /// Emits the innermost open event if its brackets closed; drops it if it outgrew any real event.
    fn complete_or_bound(&mut self, out: &mut Vec<Record>) -> LineClass {
        if let Some(class) = self.complete_if_closed(out) {
            return class;
        }
        if self.open.last().is_some_and(|p| p.text.len() > MAX_PENDING_BYTES || p.lines > MAX_PENDING_LINES) {
            self.open.pop();
            self.dropped += 1;
            return LineClass::Unrecognized;
        }
        LineClass::Recognized
    }

    /// Emits the open event once its outer bracket has closed.
    fn complete_if_closed(&mut self, out: &mut Vec<Record>) -> Option<LineClass> {
        if self.open.last()?.depth > 0 {
            return None;
        }
        let pending = self.open.pop()?;
        let roots = event::scan_brackets(&pending.text);
        let interpreted = event::interpret(&roots, pending.at, pending.gc_id);
        drop(roots);
        self.spare_text = pending.text;
        Some(self.emit(interpreted, out))
    }

    fn emit(&mut self, interpreted: event::Interpreted, out: &mut Vec<Record>) -> LineClass {
        let event::Interpreted {
            main,
            concurrent,
            nested,
            awaits_g1_details,
            undetailed_cms_mark,
            collector,
            known_empty,
        } = interpreted;
        let at = main.as_ref().or(concurrent.first()).map(|e| e.start).unwrap_or_default();
        if let Some(collector) = collector {
            self.announce(collector, at, out);
        }
        let produced = main.is_some() || !concurrent.is_empty() || !nested.is_empty();
        out.extend(nested.into_iter().map(Record::Event));
        if let Some(mut main) = main {
            match main.kind {
                EventKind::Pause(PauseKind::InitialMark) if undetailed_cms_mark && self.cms_mark_open => {
                    main.kind = EventKind::Pause(PauseKind::Remark);
                    self.cms_mark_open = false;
                }
                EventKind::Pause(PauseKind::InitialMark) => self.cms_mark_open = true,
                EventKind::Pause(PauseKind::Remark | PauseKind::Full) => self.cms_mark_open = false,
                _ => {}
            }
            if awaits_g1_details {
                self.g1_awaiting_sizes = Some(main);
            } else {
                out.push(Record::Event(main));
            }
        }
        out.extend(concurrent.into_iter().map(Record::Event));
        if produced {
            LineClass::Recognized
        } else if known_empty {
            LineClass::Ignored
        } else {
            LineClass::Unrecognized
        }
    }

    /// Emits [`Fact::Collector`] when the collector differs from the one last announced.
    fn announce(&mut self, collector: Collector, at: Timestamp, out: &mut Vec<Record>) {
        if self.collector != Some(collector) {
            self.collector = Some(collector);
            out.push(Record::Fact { at, fact: Fact::Collector(collector) });
        }
    }

    /// A line after a closed G1 pause: its sizes, its phase tree, or something else (`None`).
    fn feed_g1_sizes(&mut self, line: &str, out: &mut Vec<Record>) -> Option<LineClass> {
        let mut prefixed = split_prefix(line);
        if let Some(bracket) = strip_glued_separator(prefixed.rest) {
            prefixed.rest = bracket;
        }
        let rest = prefixed.rest.trim_start();
        if rest.starts_with("[Eden:") || (rest.starts_with("[ ") && rest.contains("->")) {
            let mut pause = self.g1_awaiting_sizes.take()?;
            let class =
                if event::apply_g1_sizes(rest, &mut pause) { LineClass::Recognized } else { LineClass::Unrecognized };
            out.push(Record::Event(pause));
            return Some(class);
        }
        if rest.starts_with("[Times:") {
            self.emit_g1_awaiting(out);
            return Some(LineClass::Ignored);
        }
        if line.starts_with([' ', '\t']) {
            return Some(LineClass::Ignored);
        }
        match bracket_start(rest) {
            // Concurrent output can cut a tree line: `371.856:    [Parallel Time: 268.0 ms]`.
            BracketStart::Other | BracketStart::Noise => Some(LineClass::Ignored),
            BracketStart::Phase if bracket_balance(rest) == 0 => Some(self.feed_phase_line(line, prefixed, out)),
            _ => None,
        }
    }

    fn emit_g1_awaiting(&mut self, out: &mut Vec<Record>) {
        if let Some(pause) = self.g1_awaiting_sizes.take() {
            out.push(Record::Event(pause));
        }
    }
}

impl Pending {
    fn append(&mut self, text: &str) {
        self.text.push_str(text);
        self.depth += bracket_balance(text);
        self.lines += 1;
    }
}

/// The bracket of a line whose prefix lost its separator to a racing thread (`:    [GC
/// concurrent-mark-start]`), if that is what the text is.
fn strip_glued_separator(rest: &str) -> Option<&str> {
    if !rest.starts_with(':') {
        return None;
    }
    let bracket = rest.trim_start_matches([':', ' ']);
    bracket.starts_with('[').then_some(bracket)
}

/// Opening minus closing brackets. Counted over every byte in byte-wide counters, which the
/// compiler vectorizes 16 or 32 bytes at a time: on lines with several brackets that beats a search
/// that stops at each one.
fn bracket_balance(text: &str) -> i64 {
    // A byte-wide counter cannot overflow within a chunk of at most 255 bytes.
    text.as_bytes()
        .chunks(255)
        .map(|chunk| {
            let (opening, closing) =
                chunk.iter().fold((0u8, 0u8), |(o, c), &b| (o + u8::from(b == b'['), c + u8::from(b == b']')));
            i64::from(opening) - i64::from(closing)
        })
        .sum()
}

/// Lines that carry nothing the analyses use, wherever they appear: tenuring distribution,
/// `PrintHeapAtGC` blocks, CMS free-list statistics, adaptive-size-policy output.
fn is_noise(line: &str) -> bool {
    let trimmed = line.trim_start();
    let Some(&first) = trimmed.as_bytes().first() else { return true };
    if trimmed.len() < line.len() && first.is_ascii_alphabetic() && is_heap_printout(trimmed) {
        return true; // heap printouts are always indented and start with a space's name
    }
    match first {
        b'-' => trimmed.starts_with("- age") || trimmed.starts_with("---"),
        b'{' | b'}' => true,
        b'D' => trimmed.starts_with("Desired survivor size"),
        b'H' => trimmed.starts_with("Heap before GC") || trimmed.starts_with("Heap after GC"),
        b'A' => {
            trimmed.starts_with("AdaptiveSize") || trimmed.starts_with("Av.  Block") || trimmed.starts_with("After GC:")
        }
        b'S' => trimmed.starts_with("Statistics for "),
        b'T' => trimmed.starts_with("Total Free Space") || trimmed.starts_with("Tree      Height"),
        b'M' => trimmed.starts_with("Max   Chunk Size"),
        b'N' => trimmed.starts_with("Number of Blocks") || trimmed.starts_with("No shared spaces"),
        b'B' => trimmed.starts_with("Before GC:"),
        b's' => trimmed.starts_with("size[") || is_statistic(trimmed),
        b'P' => trimmed.starts_with("PSAdaptiveSize") || trimmed.starts_with("PSYoungGen::"),
        b'C' => trimmed.starts_with("CMSCollector"),
        b'/' => trimmed.starts_with("/proc/meminfo"),
        b'a'..=b'z' => is_statistic(trimmed),
        _ => false,
    }
}

/// `name=value` / `name value` statistics lines: CMS initiation statistics
/// (`time_until_cms_gen_full 14033.8`, `promotion_rate=106773`), adaptive-size `avg_…` values.
fn is_statistic(trimmed: &str) -> bool {
    let name_len = trimmed.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
    let after = &trimmed.as_bytes()[name_len..];
    match after.first() {
        Some(b'=') => true,
        Some(b' ' | b':') => {
            trimmed[..name_len].contains('_') && after.get(1).is_some_and(|b| b.is_ascii_digit() || *b == b' ')
        }
        _ => false,
    }
}

/// A line of a `PrintHeapAtGC` or exit heap printout: `par new generation   total 9792K, used …`,
/// `eden space 8704K, 100% used [0x…, 0x…, 0x…)`.
fn is_heap_printout(trimmed: &str) -> bool {
    search::is_heap_printout(trimmed) || trimmed.starts_with("region size ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(lines: &[&str]) -> (Vec<Record>, Vec<LineClass>, u64) {
        let mut parser = Jdk8Parser::default();
        let mut out = Vec::new();
        let classes = lines.iter().map(|l| parser.feed(l, &mut out)).collect();
        let dropped = parser.finish(&mut out);
        (out, classes, dropped)
    }

    fn events(records: &[Record]) -> Vec<&GcEvent> {
        records.iter().filter_map(|r| if let Record::Event(e) = r { Some(e) } else { None }).collect()
    }

    #[test]
    fn event_split_by_tenuring_distribution() {
        // jdk8-serial/gctoolkit/serial180.log
        let (out, classes, dropped) = feed_all(&[
            "0.265: [GC (Allocation Failure) 0.265: [DefNew",
            "Desired survivor size 557056 bytes, new threshold 1 (max 15)",
            "- age   1:    1114112 bytes,    1114112 total",
            ": 8704K->1088K(9792K), 0.0039555 secs] 8704K->1634K(31680K), 0.0041700 secs] [Times: user=0.00 sys=0.00, real=0.00 secs] ",
        ]);
        assert_eq!(classes, vec![LineClass::Recognized, LineClass::Ignored, LineClass::Ignored, LineClass::Recognized]);
        assert_eq!(dropped, 0);
        let e = events(&out);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].start.uptime, Some(0.265));
        assert_eq!(e[0].duration, Some(0.0041700));
        assert_eq!(e[0].young.before, Some(8704 * 1024));
        assert!(out.contains(&Record::Fact { at: e[0].start, fact: Fact::Collector(Collector::Serial) }));
    }

    #[test]
    fn rotation_header_continues_the_instance() {
        // jdk8-cms-rotation-series/gcviewer/SampleSun1_8_0RollingLogfile.txt
        let (out, _, _) = feed_all(&[
            "2016-04-14 22:37:22 GC log file created logs/garbageCollection.log.1",
            "Java HotSpot(TM) 64-Bit Server VM (25.45-b02) for windows-amd64 JRE (1.8.0_45-b15), built on Apr 30 2015 12:40:44 by \"java_re\" with MS VC++ 10.0 (VS2010)",
            "Memory: 4k page, physical 16664956k(9157704k free), swap 20473812k(9756156k free)",
        ]);
        let facts: Vec<&Fact> =
            out.iter().filter_map(|r| if let Record::Fact { fact, .. } = r { Some(fact) } else { None }).collect();
        assert_eq!(facts[0], &Fact::RotationContinued);
        assert!(!facts.contains(&&Fact::JvmStart));
        assert!(facts.contains(&&Fact::Version("25.45-b02".into())));
    }

    #[test]
    fn g1_pause_waits_for_its_sizes_and_concurrent_lines_pass_through() {
        // jdk7-g1/gcviewer/SampleSun1_7_0G1_DateStamp_Detailed-mixedLine2.txt (excerpt)
        let (out, _, dropped) = feed_all(&[
            "2012-02-24T03:50:08.274-0800: 371.576: [GC pause (young)2012-02-24T03:50:08.554-0800:  (initial-mark), 0.28031200 secs]",
            "371.856:    [Parallel Time: 268.0 ms]",
            "[GC concurrent-mark-start]",
            "   [Clear CT:   0.7 ms]",
            "   [Eden: 960M(960M)->0B(896M) Survivors: 64M->128M Heap: 20701M(25936M)->20017M(25936M)]",
            " [Times: user=2.50 sys=0.13, real=0.29 secs] ",
        ]);
        assert_eq!(dropped, 0);
        let e = events(&out);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].duration, Some(0.28031200));
        assert_eq!(e[0].heap.before, Some(20701 << 20));
        assert_eq!(e[0].young.before, Some((960 + 64) << 20));
    }

    #[test]
    fn an_event_that_never_closes_is_bounded() {
        let mut parser = Jdk8Parser::default();
        let mut out = Vec::new();
        assert_eq!(parser.feed(&format!("0.1: [GC {}", "[".repeat(100_000)), &mut out), LineClass::Unrecognized);
        assert_eq!(parser.feed("0.2: [GC (Allocation Failure) 0.265: [DefNew", &mut out), LineClass::Recognized);
        for _ in 0..MAX_PENDING_LINES {
            parser.feed("x", &mut out);
        }
        assert!(parser.open.is_empty());
        assert_eq!(parser.finish(&mut out), 2);
    }

    #[test]
    fn cut_event_is_counted() {
        let (out, _, dropped) = feed_all(&["0.265: [GC (Allocation Failure) 0.265: [DefNew"]);
        assert!(events(&out).is_empty());
        assert_eq!(dropped, 1);
    }

    #[test]
    fn safepoint_and_starts_record() {
        // jdk7-8-parallel/gctoolkit/long_pause.log
        let line = "2017-03-05T07:46:46.551-0500: 4.097: Total time for which application threads were stopped: 0.0002590 seconds";
        let (out, classes, _) = feed_all(&[line]);
        assert_eq!(classes, vec![LineClass::Recognized]);
        assert!(matches!(out[0], Record::Safepoint(Safepoint { stopped, .. }) if stopped == 0.000259));
        assert!(starts_record(line));
        assert!(starts_record("0.169: [GC pause (young), 0.00582962 secs]"));
        assert!(starts_record("CommandLine flags: -XX:+UseG1GC"));
        assert!(!starts_record("   [Parallel Time: 5.2 ms, GC Workers: 2]"));
        assert!(!starts_record("- age   1:    1114112 bytes,    1114112 total"));
        assert!(!starts_record(": 8704K->1088K(9792K), 0.0039555 secs] 8704K->1634K(31680K), 0.0041700 secs]"));
    }
}
