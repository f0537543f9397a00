//! The decorations JDK 8 puts before every event: `2015-07-22T14:53:42.655-0100: 1.807: #12: `.
//!
//! `-XX:+PrintGCDateStamps`, `-XX:+PrintGCTimeStamps` and `-XX:+PrintGCID` each add one part, in
//! that order, and any subset can be on. The same prefix is repeated before nested sub-events and
//! before CMS/G1 concurrent output that lands in the middle of another event, so the event scanner
//! uses these functions on line starts and on text just before an inner bracket alike.

use crate::gc::model::Timestamp;
use crate::gc::parse::lexer::{parse_datestamp, take_decimal};

/// A line (or fragment) with its decorations split off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prefixed<'a> {
    pub at: Timestamp,
    pub gc_id: Option<u64>,
    /// The text after the decorations.
    pub rest: &'a str,
}

/// Splits the decorations off `text`. Text without decorations comes back unchanged with an
/// unknown timestamp. Leading spaces before a decoration are skipped (G1 ergonomics lines are
/// indented by one).
pub fn split_prefix(text: &str) -> Prefixed<'_> {
    let mut at = Timestamp::default();
    let mut rest = text.trim_start_matches(' ');
    // Two threads writing at once can double the datestamp; the first one wins.
    while let Some((wall, after)) = take_datestamp(rest) {
        at.wall_ms = at.wall_ms.or(Some(wall));
        rest = after;
    }
    if let Some((uptime, after)) = take_uptime(rest) {
        at.uptime = Some(uptime);
        rest = after;
    }
    let mut gc_id = None;
    if let Some((id, after)) = take_gc_id(rest) {
        gc_id = Some(id);
        rest = after;
    }
    if !at.is_known() && gc_id.is_none() {
        return Prefixed { at, gc_id, rest: text };
    }
    Prefixed { at, gc_id, rest }
}

/// `2015-07-22T14:53:42.655-0100: ` → wall-clock milliseconds and the rest.
fn take_datestamp(text: &str) -> Option<(i64, &str)> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[10] != b'T' || !b[0].is_ascii_digit() {
        return None;
    }
    // Seconds end at 19; then optional fraction, optional zone, then the `:` that ends the part.
    let mut end = 19;
    if end < b.len() && (b[end] == b'.' || b[end] == b',') {
        end += 1;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
    }
    if end < b.len() && (b[end] == b'+' || b[end] == b'-') {
        end += 1;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
    } else if end < b.len() && b[end] == b'Z' {
        end += 1;
    }
    if b.get(end) != Some(&b':') {
        return None;
    }
    let wall = parse_datestamp(text.get(..end)?)?;
    Some((wall, skip_separator(&text[end + 1..])))
}

/// `1.807: ` (or `0,0165: `) → uptime seconds and the rest. A fraction is required so that a
/// bare number (a size, a GC id) is never taken for a timestamp.
fn take_uptime(text: &str) -> Option<(f64, &str)> {
    let b = text.as_bytes();
    if !b.first()?.is_ascii_digit() {
        return None;
    }
    let (value, after) = take_decimal(text)?;
    let consumed = &text[..text.len() - after.len()];
    if !after.starts_with(':') || !consumed.bytes().any(|b| b == b'.' || b == b',') {
        return None;
    }
    Some((value, skip_separator(&after[1..])))
}

/// `#12: ` → GC id and the rest.
fn take_gc_id(text: &str) -> Option<(u64, &str)> {
    let digits = text.strip_prefix('#')?;
    let len = digits.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 || len > 19 {
        return None;
    }
    let after = digits[len..].strip_prefix(':')?;
    Some((digits[..len].parse().ok()?, skip_separator(after)))
}

fn skip_separator(text: &str) -> &str {
    text.trim_start_matches(' ')
}

/// The decorations that end `text`, if any: the part of `2016-01-11T05:16:23.938-0800: 221244.123: `
/// that a parent bracket's text carries right before a nested event opens.
pub fn trailing_prefix(text: &str) -> Timestamp {
    let b = text.as_bytes();
    let mut start = b.len();
    while start > 0
        && matches!(b[start - 1], b'0'..=b'9' | b'.' | b',' | b':' | b'-' | b'+' | b'T' | b'Z' | b' ' | b'#')
    {
        start -= 1;
    }
    // `start` is at an ASCII byte boundary (every byte walked over is ASCII).
    let tail = text.get(start..).unwrap_or("");
    // Never begin inside a number that the walk cut short (`…K 12:` has no datestamp anyway).
    let tail = tail.trim_start_matches([' ', ',', ':', '-', '+', '.', 'T', 'Z']);
    split_prefix(tail).at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_three_decorations() {
        // jdk8-cms/gcviewer/SampleSun1_8_0CmsPrintGcId.txt
        let p = split_prefix("2022-08-01T17:16:33.170+0000: 0.169: #0: [GC (Allocation Failure) ");
        assert_eq!(p.at.uptime, Some(0.169));
        assert_eq!(p.at.wall_ms, Some(1_659_374_193_170));
        assert_eq!(p.gc_id, Some(0));
        assert_eq!(p.rest, "[GC (Allocation Failure) ");
    }

    #[test]
    fn decimal_comma_and_partial_decorations() {
        // jdk7-g1/gcviewer/SampleSun1_7_0G1_PauseWithComma.txt
        let p = split_prefix("2014-03-01T00:01:27.461+0100: 0,0165: [GC pause (young), 0,0665670 secs]");
        assert_eq!(p.at.uptime, Some(0.0165));
        assert!(p.at.wall_ms.is_some());
        let p = split_prefix("0.265: [GC (Allocation Failure) 0.265: [DefNew");
        assert_eq!((p.at.uptime, p.at.wall_ms, p.rest), (Some(0.265), None, "[GC (Allocation Failure) 0.265: [DefNew"));
        let p = split_prefix("[GC concurrent-mark-start]");
        assert!(!p.at.is_known());
        assert_eq!(p.rest, "[GC concurrent-mark-start]");
    }

    #[test]
    fn doubled_datestamp() {
        // jdk7-g1/gcviewer/SampleSun1_7_0G1_MixedApplicationStopped.txt
        let p = split_prefix("2015-02-25T12:47:08.028+0100: 2015-02-25T12:47:08.028+0100: 6616,888: Total time for which application threads were stopped: 0,1003470 seconds");
        assert_eq!(p.at.uptime, Some(6616.888));
        assert!(p.rest.starts_with("Total time"));
    }

    #[test]
    fn sizes_and_rotation_dates_are_not_timestamps() {
        assert!(!split_prefix("2016-04-14 22:37:22 GC log file created x").at.is_known());
        assert!(!split_prefix("12450330K->1828689K(12582912K)").at.is_known());
        assert!(!split_prefix("200: x").at.is_known());
    }

    #[test]
    fn prefix_before_a_nested_bracket() {
        let at = trailing_prefix("CMS2016-01-11T05:16:23.938-0800: 221244.123: ");
        assert_eq!(at.uptime, Some(221244.123));
        assert!(at.wall_ms.is_some());
        assert_eq!(trailing_prefix("GC pause (young)8.775: ").uptime, Some(8.775));
        assert!(!trailing_prefix("GC pause (young)").is_known());
    }
}
