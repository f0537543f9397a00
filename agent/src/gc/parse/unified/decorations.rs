//! The bracketed decorations in front of every unified-logging line.
//!
//! `-Xlog:...:<decorators>` chooses any subset of `time`/`utctime`, `uptime`, `timemillis`,
//! `uptimemillis`, `timenanos`, `uptimenanos`, `hostname`, `pid`, `tid`, `level` and `tags`, always in
//! that order, each in its own brackets and padded with spaces once widths vary. Users configure
//! them freely (GCViewer reads only a few combinations and parses nothing from the rest), so every
//! bracket is classified by its shape alone, never by its position.

use crate::gc::model::Timestamp;
use crate::gc::parse::lexer::{parse_datestamp, parse_decimal, take_decimal};

/// What the decorations of one line said.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Decorations<'a> {
    pub at: Timestamp,
    /// The tag set as printed without padding (`gc,heap`), when the `tags` decorator is on.
    pub tags: Option<&'a str>,
    /// Whether the line carried any decoration at all (`-Xlog:...::none` lines carry none).
    pub any: bool,
    /// Whether a `level` decoration was among them.
    pub level: bool,
}

/// Whether `line` starts with unified-logging decorations that say something only unified
/// logging says: a time, a level or a tag set. A lone bracketed word (JDK 8's
/// `[CMS-concurrent-mark-start]`) could be a hostname but is not taken for one.
pub fn is_decorated(line: &str) -> bool {
    split(line).is_some_and(|(d, _)| d.says_unified())
}

impl Decorations<'_> {
    /// Whether these decorations say something only unified logging says (see [`is_decorated`]).
    pub fn says_unified(&self) -> bool {
        self.at.is_known() || self.level || self.tags.is_some()
    }
}

/// Smallest epoch-milliseconds value taken as a `timemillis` decoration (2001-09-09); shorter
/// digit-only brackets are pids and tids.
const MIN_EPOCH_MILLIS: i64 = 1_000_000_000_000;
/// Largest epoch-milliseconds value taken as `timemillis` (2286); longer ones are `timenanos`.
const MAX_EPOCH_MILLIS: i64 = 9_999_999_999_999;

/// Splits the leading decorations off `line`. Returns them and the message (the text after the
/// last bracket, one separating space removed). `None` when a bracket in front is not a decoration,
/// which means the line is not unified logging at all.
pub fn split(line: &str) -> Option<(Decorations<'_>, &str)> {
    let mut decorations = Decorations::default();
    let mut rest = line;
    // A tag-shaped bracket is the tag set only if no level follows it: `hostname` comes before
    // `level` and may look like a tag (`[myhost][info][gc]`).
    let mut level_seen_after_tags = false;
    while let Some(after_open) = rest.strip_prefix('[') {
        let (inner_len, close) = bracket_extent(after_open.as_bytes())?;
        // `]` and ` ` are ASCII, so both slices are on char boundaries.
        let inner = &after_open[..inner_len];
        rest = &after_open[close + 1..];
        match classify(inner)? {
            Bracket::Wall(ms) => {
                decorations.at.wall_ms.get_or_insert(ms);
            }
            Bracket::Uptime(seconds) => {
                decorations.at.uptime.get_or_insert(seconds);
            }
            Bracket::Level => {
                decorations.level = true;
                level_seen_after_tags = decorations.tags.is_some();
            }
            Bracket::Tags => {
                decorations.tags = Some(inner);
                level_seen_after_tags = false;
            }
            Bracket::Other => {}
        }
        decorations.any = true;
    }
    if level_seen_after_tags {
        decorations.tags = None;
    }
    if decorations.any {
        rest = rest.strip_prefix(' ').unwrap_or(rest);
    }
    Some((decorations, rest))
}

/// The extent of the bracket whose text `bytes` starts with: the length of its text without the
/// padding spaces, and where its `]` is. `None` when the bracket is unclosed, or when it holds a
/// space before more text and does not start with a digit: no level, tag set or hostname has one
/// (only padding after it), which rejects JDK 8's `[PSYoungGen: …]` and `[GC (…)` at their first
/// space instead of at their end. (A datestamp is read leniently, so one with text after a space
/// is left to [`classify`].)
fn bracket_extent(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut end = 0;
    loop {
        match *bytes.get(end)? {
            b']' => return Some((end, end)),
            b' ' => break,
            _ => end += 1,
        }
    }
    let mut close = end + 1;
    while *bytes.get(close)? == b' ' {
        close += 1;
    }
    if bytes[close] == b']' {
        return Some((end, close));
    }
    if !bytes[0].is_ascii_digit() {
        return None;
    }
    let close = close + memchr::memchr(b']', &bytes[close..])?;
    let inner_len = bytes[..close].iter().rposition(|&b| b != b' ').map_or(0, |last| last + 1);
    Some((inner_len, close))
}

enum Bracket {
    Wall(i64),
    Uptime(f64),
    Level,
    Tags,
    /// pid, tid, hostname, timenanos: valid, but nothing the analyses use.
    Other,
}

fn classify(inner: &str) -> Option<Bracket> {
    let bytes = inner.as_bytes();
    let &first = bytes.first()?;
    if first.is_ascii_digit() {
        // The usual shapes (`10.771s`, `233ms`), read in one pass: a number then its unit. A
        // datestamp's `-` ends the number too early to leave a unit, so it never matches here.
        if let Some((value, unit)) = take_decimal(inner) {
            match unit {
                "s" => return Some(Bracket::Uptime(value)),
                "ms" => return Some(millis_bracket(value)),
                "ns" => return Some(nanos_bracket(value)),
                _ => {}
            }
        }
        if bytes.len() >= 19 && bytes[4] == b'-' && bytes[10] == b'T' {
            return parse_datestamp(inner).map(Bracket::Wall);
        }
        if let Some(number) = inner.strip_suffix("ms") {
            return Some(millis_bracket(parse_decimal(number)?));
        }
        if let Some(number) = inner.strip_suffix("ns") {
            return Some(nanos_bracket(parse_decimal(number)?));
        }
        if let Some(number) = inner.strip_suffix('s') {
            return Some(Bracket::Uptime(parse_decimal(number)?));
        }
        if bytes.iter().all(u8::is_ascii_digit) {
            // timemillis, or a pid/tid/timenanos that carries no time we use.
            return Some(match inner.parse::<i64>() {
                Ok(ms) if (MIN_EPOCH_MILLIS..=MAX_EPOCH_MILLIS).contains(&ms) => Bracket::Wall(ms),
                _ => Bracket::Other,
            });
        }
        return None;
    }
    match inner {
        "trace" | "debug" | "info" | "warning" | "error" | "develop" => return Some(Bracket::Level),
        _ => {}
    }
    if bytes.iter().all(|&b| is_tag_byte(b)) {
        return Some(Bracket::Tags);
    }
    // A hostname: no spaces inside (a message in brackets would have them).
    if bytes.iter().all(|b| b.is_ascii_graphic()) {
        return Some(Bracket::Other);
    }
    None
}

/// A `…ms` bracket: `timemillis` and `uptimemillis` share the unit; only the magnitude (epoch
/// versus time since JVM start) tells them apart.
fn millis_bracket(millis: f64) -> Bracket {
    if millis >= MIN_EPOCH_MILLIS as f64 {
        Bracket::Wall(millis as i64)
    } else {
        Bracket::Uptime(millis / 1e3)
    }
}

/// A `…ns` bracket: `timenanos` or `uptimenanos`, told apart like [`millis_bracket`].
fn nanos_bracket(nanos: f64) -> Bracket {
    if nanos >= MIN_EPOCH_MILLIS as f64 * 1e6 {
        Bracket::Wall((nanos / 1e6) as i64)
    } else {
        Bracket::Uptime(nanos / 1e9)
    }
}

/// Whether `byte` may appear in a tag set (`gc,heap`, `gc,phases,start`, `safepoint`).
fn is_tag_byte(byte: u8) -> bool {
    /// One lookup instead of four comparisons: every byte of every tag set is checked.
    const TAG_BYTES: [bool; 256] = {
        let mut table = [false; 256];
        let mut byte = 0;
        while byte < 256 {
            let b = byte as u8;
            table[byte] = b.is_ascii_lowercase() || b.is_ascii_digit() || b == b',' || b == b'_';
            byte += 1;
        }
        table
    };
    TAG_BYTES[usize::from(byte)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: &str) -> (Timestamp, Option<&str>, &str) {
        let (d, message) = split(line).expect("decorated");
        (d.at, d.tags, message)
    }

    #[test]
    fn default_uptime_level_tags() {
        let (t, tags, msg) = at("[0.202s][info][gc] GC(0) Pause Young (G1 Evacuation Pause) 14M->12M(128M) 6.529ms");
        assert_eq!(t.uptime, Some(0.202));
        assert_eq!(t.wall_ms, None);
        assert_eq!(tags, Some("gc"));
        assert_eq!(msg, "GC(0) Pause Young (G1 Evacuation Pause) 14M->12M(128M) 6.529ms");
    }

    #[test]
    fn padded_time_and_uptimemillis() {
        let (t, tags, msg) =
            at("[2022-01-29T16:34:51.642+0000][233ms][info][gc          ] GC(5) Concurrent Mark Cycle");
        assert_eq!(t.wall_ms, Some(1_643_474_091_642));
        assert_eq!(t.uptime, Some(0.233));
        assert_eq!(tags, Some("gc"));
        assert_eq!(msg, "GC(5) Concurrent Mark Cycle");
        let (_, tags, _) = at("[11.013s][info ][gc,heap     ] GC(62) Eden regions: 9->0(24)");
        assert_eq!(tags, Some("gc,heap"));
    }

    #[test]
    fn decimal_comma_uptime() {
        let (t, _, _) = at("[1,303s][info][gc                ] GC(0) Pause Full (System.gc()) 10M->1M(128M) 5,526ms");
        assert_eq!(t.uptime, Some(1.303));
    }

    #[test]
    fn pid_tid_hostname_and_millis_are_told_apart_by_shape() {
        let line = "[2022-01-29T16:34:51.642+0000][0.233s][1643474091642ms][233ms][1643474091642000000ns][233000000ns][myhost][12345][12346][info][gc,init] Version: 17";
        let (t, tags, msg) = at(line);
        assert_eq!(t.wall_ms, Some(1_643_474_091_642));
        assert_eq!(t.uptime, Some(0.233));
        assert_eq!(tags, Some("gc,init"));
        assert_eq!(msg, "Version: 17");
        // timemillis without its `ms` suffix is plain digits; a pid is too short to be one.
        let (t, _, _) = at("[1643474091642][4242][info][gc] Using G1");
        assert_eq!(t.wall_ms, Some(1_643_474_091_642));
        // A tag-shaped hostname before the level is not the tag set.
        let (_, tags, _) = at("[0.1s][myhost][info] Using G1");
        assert_eq!(tags, None);
    }

    #[test]
    fn decorated_lines_are_told_from_jdk8_lines() {
        for unified in [
            "[0.005s][info][gc] Using G1",
            "[gc] Using G1",
            "[gc,heap     ] GC(0) Eden regions: 9->0(24)",
            "[myhost][4242][info][gc] Using G1",
            "[2022-11-10T03:37:29.443-0800][info][gc,heap] Heap region size: 2M",
        ] {
            assert!(is_decorated(unified), "{unified}");
        }
        for jdk8 in [
            "[CMS-concurrent-mark-start]",
            "[GC (Allocation Failure) [PSYoungGen: 65536K->10746K(76288K)] 65536K->17546K(251392K), 0.0263911 secs]",
            "[Times: user=0.08 sys=0.02, real=0.03 secs]",
            "[1 CMS-initial-mark: 15645K(21888K)] 18533K(31680K), 0.0010369 secs]",
            "0.232: [Full GC (Ergonomics) [PSYoungGen: 10736K->0K(141824K)]",
            "GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 4.2ms",
        ] {
            assert!(!is_decorated(jdk8), "{jdk8}");
        }
    }

    #[test]
    fn undecorated_and_foreign_lines() {
        let (d, msg) = split("GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 4.2ms").unwrap();
        assert!(!d.any);
        assert_eq!(msg, "GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 4.2ms");
        assert!(split("[Times: user=0.08 sys=0.02, real=0.03 secs]").is_none());
        assert!(split("[0.5s").is_none());
        assert!(split("[]").is_none());
    }
}
