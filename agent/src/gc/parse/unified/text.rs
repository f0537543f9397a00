//! Tokens of unified-logging messages: GC ids, memory transitions, and the
//! `Name (qualifier) (cause) heap duration` shape shared by every summary line.

use crate::gc::model::MemoryChange;
use crate::gc::parse::lexer::{parse_duration, take_size};

/// Splits a leading `GC(12) ` off a message.
pub fn split_gc_id(message: &str) -> (Option<u64>, &str) {
    const OPEN: &[u8] = b"GC(";
    let bytes = message.as_bytes();
    if !bytes.starts_with(OPEN) {
        return (None, message);
    }
    // Read in one pass: nearly every line of a detailed log carries an id.
    let mut id = 0u64;
    let mut end = OPEN.len();
    while let Some(digit) = bytes.get(end).map(|b| b.wrapping_sub(b'0')).filter(|digit| *digit <= 9) {
        match id.checked_mul(10).and_then(|id| id.checked_add(u64::from(digit))) {
            Some(longer) => id = longer,
            None => return (None, message),
        }
        end += 1;
    }
    if end == OPEN.len() || bytes.get(end) != Some(&b')') {
        return (None, message);
    }
    // `)` is ASCII: the slice is on a char boundary.
    let after = &message[end + 1..];
    (Some(id), after.strip_prefix(' ').unwrap_or(after))
}

/// Parses a memory transition at the start of `text`: `16384K->2559K(18944K)` (JDK 9-15),
/// `8704K(9728K)->608K(9728K)` (16+), `10620M(5%)->8800M(4%)` (ZGC: percentages are not
/// capacities and are dropped). Returns the change and the text after it.
pub fn take_transition(text: &str) -> Option<(MemoryChange, &str)> {
    let (before, rest) = take_size(text)?;
    let (committed_before, rest) = take_capacity(rest)?;
    let rest = rest.strip_prefix("->")?;
    let (after, rest) = take_size(rest)?;
    let (committed_after, rest) = take_capacity(rest)?;
    Some((MemoryChange { before: Some(before), after: Some(after), committed_before, committed_after }, rest))
}

/// An optional `(size)` right after a size; `(5%)` counts as present but carries no capacity.
/// `None` only for an unclosed parenthesis.
fn take_capacity(text: &str) -> Option<(Option<u64>, &str)> {
    let Some(inner) = text.strip_prefix('(') else {
        return Some((None, text));
    };
    let close = memchr::memchr(b')', inner.as_bytes())?;
    let value = &inner[..close];
    let capacity = if value.ends_with('%') {
        None
    } else {
        take_size(value).and_then(|(size, rest)| rest.is_empty().then_some(size))
    };
    Some((capacity, &inner[close + 1..]))
}

/// A G1 region count transition: `9->0(24)` or `21->21`.
pub fn parse_region_counts(text: &str) -> Option<(u32, u32, Option<u32>)> {
    let text = text.trim();
    let arrow = find_arrow(text)?;
    // `->` is ASCII: both slices are on char boundaries.
    let (before, rest) = (&text[..arrow], &text[arrow + 2..]);
    let (after, target) = match rest.split_once('(') {
        Some((after, target)) => (after, Some(target.strip_suffix(')')?.parse().ok()?)),
        None => (rest, None),
    };
    Some((before.parse().ok()?, after.parse().ok()?, target))
}

/// A summary line split into its parts: `Pause Young (Normal) (G1 Evacuation Pause) 14M->12M(128M) 6.529ms`
/// gives head `Pause Young (Normal) (G1 Evacuation Pause)`, the heap change and the duration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary<'a> {
    /// The name followed by its parenthesized qualifiers and cause.
    pub head: &'a str,
    /// Where the name ends in `head` (at ` (`, or its end): names and groups are asked for often.
    name_end: usize,
    pub heap: Option<MemoryChange>,
    /// Seconds.
    pub duration: Option<f64>,
}

impl<'a> Summary<'a> {
    pub fn parse(message: &'a str) -> Self {
        let mut head = message.trim_end();
        let mut duration = None;
        if let Some((front, last)) = head.rsplit_once(' ') {
            if is_duration_token(last) {
                duration = parse_duration(last);
                if duration.is_some() {
                    head = front.trim_end();
                }
            }
        }
        let mut heap = None;
        let (front, last) = head.rsplit_once(' ').unwrap_or(("", head));
        if find_arrow(last).is_some() {
            if let Some((change, "")) = take_transition(last) {
                heap = Some(change);
                head = front.trim_end();
            }
        }
        let bytes = head.as_bytes();
        let name_end = memchr::memchr_iter(b'(', bytes)
            .find(|&open| open > 0 && bytes[open - 1] == b' ')
            .map_or(head.len(), |open| open - 1);
        Summary { head, name_end, heap, duration }
    }

    /// The name without qualifiers or cause: `Pause Young`.
    pub fn name(&self) -> &'a str {
        // `name_end` is at a space or the end, so on a char boundary.
        &self.head[..self.name_end]
    }

    /// The parenthesized groups after the name, outer parentheses removed, nesting kept:
    /// `(Normal) (System.gc())` gives `Normal`, `System.gc()`.
    pub fn groups(&self) -> Groups<'a> {
        Groups { rest: &self.head[self.name_end..] }
    }

    /// The cause: the last group unless it is a qualifier (`Pause Young (Normal)`).
    pub fn cause(&self) -> Option<&'a str> {
        self.groups().last().filter(|group| !is_qualifier(group))
    }
}

/// Where the first `->` in `text` starts (found without building a substring searcher for two
/// bytes, which costs more than the search on lines this short).
fn find_arrow(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'-', bytes).find(|&dash| bytes.get(dash + 1) == Some(&b'>'))
}

fn is_duration_token(token: &str) -> bool {
    token.as_bytes().first().is_some_and(u8::is_ascii_digit) && token.ends_with('s')
}

/// Parenthesized words that qualify a pause rather than say why it happened.
fn is_qualifier(group: &str) -> bool {
    matches!(
        group,
        "Normal"
            | "Concurrent Start"
            | "Prepare Mixed"
            | "Mixed"
            | "Major"
            | "Minor"
            | "process weakrefs"
            | "unload classes"
            | "update refs"
    )
}

/// Iterator over balanced parenthesized groups; stops at anything else.
pub struct Groups<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Groups<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let text = self.rest.trim_start().strip_prefix('(')?;
        let mut depth = 1usize;
        for (i, b) in text.bytes().enumerate() {
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        self.rest = &text[i + 1..];
                        return Some(&text[..i]);
                    }
                }
                _ => {}
            }
        }
        self.rest = "";
        None
    }
}

/// Whether a cause names an explicit request rather than allocation pressure.
pub fn is_explicit_cause(cause: &str) -> bool {
    matches!(cause, "System.gc()" | "Diagnostic Command" | "Heap Dump Initiated GC" | "Heap Inspection Initiated GC")
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: u64 = 1024;
    const M: u64 = 1024 * 1024;

    #[test]
    fn gc_ids() {
        assert_eq!(split_gc_id("GC(12) Pause Remark"), (Some(12), "Pause Remark"));
        assert_eq!(split_gc_id("GC(x) Pause"), (None, "GC(x) Pause"));
        assert_eq!(split_gc_id("Using G1"), (None, "Using G1"));
        assert_eq!(split_gc_id("GC(99999999999999999999999) a"), (None, "GC(99999999999999999999999) a"));
    }

    #[test]
    fn transitions_in_every_form() {
        let (c, rest) = take_transition("16384K->2559K(18944K)").unwrap();
        assert_eq!(
            (c.before, c.after, c.committed_before, c.committed_after),
            (Some(16384 * K), Some(2559 * K), None, Some(18944 * K))
        );
        assert_eq!(rest, "");
        let (c, rest) = take_transition("3371K(10944K)->0K(11008K) Eden: 3371K(5504K)->0K(5568K)").unwrap();
        assert_eq!(
            (c.before, c.committed_before, c.after, c.committed_after),
            (Some(3371 * K), Some(10944 * K), Some(0), Some(11008 * K))
        );
        assert_eq!(rest, " Eden: 3371K(5504K)->0K(5568K)");
        let (c, _) = take_transition("10620M(5%)->8800M(4%)").unwrap();
        assert_eq!(
            (c.before, c.after, c.committed_before, c.committed_after),
            (Some(10620 * M), Some(8800 * M), None, None)
        );
        assert!(take_transition("->1K").is_none());
        assert!(take_transition("1K(2K").is_none());
    }

    #[test]
    fn region_counts() {
        assert_eq!(parse_region_counts("9->0(24)"), Some((9, 0, Some(24))));
        assert_eq!(parse_region_counts("21->21"), Some((21, 21, None)));
        assert_eq!(parse_region_counts("21->"), None);
        assert_eq!(parse_region_counts("1->2(3"), None);
    }

    #[test]
    fn summaries() {
        let s = Summary::parse("Pause Young (Normal) (G1 Evacuation Pause) 47M->32M(64M) 2.849ms");
        assert_eq!(s.name(), "Pause Young");
        assert_eq!(s.groups().collect::<Vec<_>>(), ["Normal", "G1 Evacuation Pause"]);
        assert_eq!(s.cause(), Some("G1 Evacuation Pause"));
        assert_eq!(s.heap.unwrap().after, Some(32 * M));
        assert!((s.duration.unwrap() - 0.002849).abs() < 1e-12);

        let s = Summary::parse("Pause Full (System.gc()) 10M->1M(128M) 5,526ms");
        assert_eq!(s.cause(), Some("System.gc()"));
        assert!((s.duration.unwrap() - 0.005526).abs() < 1e-12);

        let s = Summary::parse("Pause Init Mark (process weakrefs) (unload classes) 0.755ms");
        assert_eq!(s.name(), "Pause Init Mark");
        assert_eq!(s.cause(), None);
        assert_eq!(s.heap, None);

        let s = Summary::parse("Garbage Collection (Metadata GC Threshold) 10620M(5%)->8800M(4%)");
        assert_eq!((s.name(), s.cause(), s.duration), ("Garbage Collection", Some("Metadata GC Threshold"), None));
        assert_eq!(s.heap.unwrap().before, Some(10620 * M));

        let s = Summary::parse("Pause Young (Allocation Failure)");
        assert_eq!((s.duration, s.heap, s.cause()), (None, None, Some("Allocation Failure")));

        let s = Summary::parse("Allocation Stall (Group1.Backend.CompositeBackend{Tier1}.1) 0.706ms");
        assert_eq!(s.name(), "Allocation Stall");
        assert!((s.duration.unwrap() - 0.000706).abs() < 1e-12);
    }
}
