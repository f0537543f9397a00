//! Turns the text of one complete JDK 8 event into [`GcEvent`]s.
//!
//! A JDK 8 event is a tree of brackets: `[GC (cause) [PSYoungGen: a->b(c)] a->b(c), N secs]`. The
//! outer bracket names the event and carries the heap change and the pause; inner brackets are
//! generations (`PSYoungGen`, `ParOldGen`, `Tenured`, `CMS`, `Metaspace`), sub-phases (`Rescan`,
//! `GC ref-proc`), CPU times (`Times`), or foreign events that the JVM printed while this one was
//! in progress (`[CMS-concurrent-mark: …]`, `[GC concurrent-mark-end, …]`). Reading the tree by
//! bracket instead of by line shape is what makes the interleaved and half-broken lines of real
//! logs parse: each bracket's own text (its children cut out) is searched for its name, its
//! `a->b(c)` change and its last `N secs`, wherever the JVM happened to put them.

use std::borrow::Cow;

use crate::gc::model::{Collector, EventKind, GcEvent, MemoryChange, PauseKind, Timestamp};
use crate::gc::parse::lexer::{take_decimal, take_size};

use super::prefix::trailing_prefix;
use super::search;

/// Deeper nesting than this is not a GC log; further brackets are kept as plain text.
const MAX_DEPTH: usize = 32;

/// One bracket: its own text (children cut out) and its children.
#[derive(Debug, Default)]
pub struct Bracket<'a> {
    /// Borrowed from the event text while the bracket has no children (most have none).
    pub own: Cow<'a, str>,
    pub children: Vec<Bracket<'a>>,
    /// Where in the parent's own text this bracket opened: the decorations printed right before
    /// it (nested events repeat them) end there. Read only for the few brackets that need a time.
    opened_at: usize,
    /// For top-level brackets, those decorations themselves.
    root_at: Timestamp,
}

impl Bracket<'_> {
    /// The decorations printed right before this child of `parent`.
    fn at_in(&self, parent: &Bracket<'_>) -> Timestamp {
        trailing_prefix(parent.own.get(..self.opened_at).unwrap_or(""))
    }
}

/// Splits `text` into its top-level brackets. Brackets left open at the end are closed there, and
/// a stray `]` is ignored, so any input gives some tree.
pub fn scan_brackets(text: &str) -> Vec<Bracket<'_>> {
    let mut roots = Vec::new();
    let mut stack: Vec<Bracket<'_>> = Vec::new();
    let mut segment_start = 0;
    let mut flattened = 0usize;
    for i in memchr::memchr2_iter(b'[', b']', text.as_bytes()) {
        if i < segment_start {
            continue; // inside a skipped `[Times: …]`
        }
        let opening = text.as_bytes()[i] == b'[';
        if stack.len() >= MAX_DEPTH && (opening || flattened > 0) {
            flattened = if opening { flattened + 1 } else { flattened - 1 };
            continue;
        }
        // `[` and `]` are ASCII, so both ends of every segment are char boundaries.
        let segment = &text[segment_start..i];
        segment_start = i + 1;
        if opening && text[i + 1..].starts_with("Times:") {
            // CPU times: never needed, and one in every event; skip to its end.
            if let Some(parent) = stack.last_mut() {
                owned(&mut parent.own, text.len() - i).push_str(segment);
            }
            segment_start = memchr::memchr(b']', &text.as_bytes()[i..]).map_or(text.len(), |end| i + end + 1);
            continue;
        }
        if opening {
            let mut child = Bracket::default();
            match stack.last_mut() {
                Some(parent) => {
                    owned(&mut parent.own, text.len() - i).push_str(segment);
                    child.opened_at = parent.own.len();
                }
                None => child.root_at = trailing_prefix(segment),
            }
            stack.push(child);
        } else if let Some(mut done) = stack.pop() {
            append(&mut done, segment);
            attach(&mut stack, &mut roots, done);
        }
    }
    if let Some(top) = stack.last_mut() {
        append(top, &text[segment_start..]);
    }
    while let Some(done) = stack.pop() {
        attach(&mut stack, &mut roots, done);
    }
    roots
}

/// The own text of a bracket that gets children, owned and with room for what may follow (at most
/// `remaining` bytes of the event text), so that appending to it rarely reallocates.
fn owned<'t>(own: &'t mut Cow<'_, str>, remaining: usize) -> &'t mut String {
    /// Real events are a few hundred bytes; a hostile one must not reserve its full length per level.
    const MAX_RESERVE: usize = 1024;
    let string = own.to_mut();
    string.reserve(remaining.min(MAX_RESERVE));
    string
}

/// Adds the last segment of a bracket's own text; a bracket without children borrows it.
fn append<'a>(bracket: &mut Bracket<'a>, segment: &'a str) {
    if bracket.children.is_empty() && bracket.own.is_empty() {
        bracket.own = Cow::Borrowed(segment);
    } else {
        owned(&mut bracket.own, segment.len()).push_str(segment);
    }
}

fn attach<'a>(stack: &mut [Bracket<'a>], roots: &mut Vec<Bracket<'a>>, done: Bracket<'a>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(done),
        None => roots.push(done),
    }
}

/// What one event's text amounts to.
#[derive(Debug, Default)]
pub struct Interpreted {
    /// The event the text is about (none for `-start` markers and unknown brackets).
    pub main: Option<GcEvent>,
    /// Concurrent phases printed inside or after it, in text order.
    pub concurrent: Vec<GcEvent>,
    /// Whole young collections printed inside it: CMS `-XX:+CMSScavengeBeforeRemark` puts
    /// `[GC … [ParNew: …] …]` inside the remark's bracket.
    pub nested: Vec<GcEvent>,
    /// A G1 pause (or a Full GC without generation details) whose sizes may follow on a later
    /// `[Eden: …]` line.
    pub awaits_g1_details: bool,
    /// A no-details CMS `[GC 46468K(83008K), N secs]`: initial mark or remark, which only the
    /// order of events tells.
    pub undetailed_cms_mark: bool,
    /// The collector the details reveal.
    pub collector: Option<Collector>,
    /// The text was a known bracket that carries nothing (a `-start` marker, `[Times: …]`).
    pub known_empty: bool,
}

/// Interprets the top-level brackets of one event. The first bracket is the event; later ones
/// (concurrent output glued to its end) only contribute concurrent phases.
pub fn interpret(roots: &[Bracket<'_>], at: Timestamp, gc_id: Option<u64>) -> Interpreted {
    let mut result = Interpreted::default();
    let mut roots = roots.iter();
    if let Some(root) = roots.next() {
        match concurrent_phase(root, &|| at) {
            Some(phase) => {
                result.collector = phase_collector(&root.own);
                match phase {
                    Some(event) => result.concurrent.push(event),
                    None => result.known_empty = true,
                }
            }
            None => interpret_event(root, at, gc_id, &mut result),
        }
        for child in &root.children {
            collect_concurrent(child, &|| child.at_in(root), &mut result.concurrent);
        }
    }
    for later in roots {
        collect_concurrent(later, &|| later.root_at, &mut result.concurrent);
    }
    for event in &mut result.concurrent {
        event.gc_id = event.gc_id.or(gc_id);
    }
    result
}

fn phase_collector(own: &str) -> Option<Collector> {
    let own = own.trim_start();
    if own.starts_with("GC concurrent-") {
        Some(Collector::G1)
    } else if own.starts_with("Concurrent ") {
        Some(Collector::Shenandoah)
    } else if own.starts_with("CMS-concurrent-") || own.starts_with("ASCMS-concurrent-") {
        Some(Collector::Cms)
    } else {
        None
    }
}

/// Collects concurrent phases anywhere below `bracket` (the bracket itself included), which was
/// printed at `at()`. Times are read only for the phases found: most brackets are none.
fn collect_concurrent(bracket: &Bracket<'_>, at: &dyn Fn() -> Timestamp, out: &mut Vec<GcEvent>) {
    if let Some(Some(event)) = concurrent_phase(bracket, at) {
        out.push(event);
    }
    for child in &bracket.children {
        collect_concurrent(child, &|| child.at_in(bracket), out);
    }
}

/// `Some(Some(event))` for a completed concurrent phase, `Some(None)` for a phase marker without
/// a duration (`-start`, `-abort`, Shenandoah `, start`), `None` when the bracket is no phase.
///
/// The JVM prints a phase when it ends, so its start is the printed time minus its wall time.
fn concurrent_phase(bracket: &Bracket<'_>, printed_at: &dyn Fn() -> Timestamp) -> Option<Option<GcEvent>> {
    let own = bracket.own.trim();
    let is_phase = own.starts_with("CMS-concurrent-")
        || own.starts_with("ASCMS-concurrent-")
        || own.starts_with("GC concurrent-")
        || (own.starts_with("Concurrent ") && !own.starts_with("Concurrent mode"));
    if !is_phase {
        return None;
    }
    let name_end = phase_name_end(own);
    let name = own[..name_end].trim_end();
    let tail = &own[name_end..];
    let duration = if own.starts_with("Concurrent ") {
        last_duration(tail)
    } else {
        // `0.005/0.013 secs`: CPU time / wall time. `GC concurrent-count-end, 0.0019007` has no unit.
        last_duration(tail).or_else(|| last_number(tail))
    };
    let duration = match duration {
        Some(d) if !name.ends_with("-start") && !name.ends_with("-abort") => d,
        _ => return Some(None),
    };
    let mut event = GcEvent::new(EventKind::Concurrent, name);
    event.start = minus(printed_at(), duration);
    event.duration = Some(duration);
    if let Some(heap) = find_change(tail) {
        event.heap = heap;
    }
    Some(Some(event))
}

/// Where a phase's name ends: at `:`, `,`, a qualifier `(`, or a size (`Concurrent cleanup 1613M->…`).
fn phase_name_end(own: &str) -> usize {
    let bytes = own.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let size_follows = b == b' ' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if b == b':' || b == b',' || b == b'(' || size_follows {
            return i;
        }
    }
    bytes.len()
}

/// Moves a printed end time back to the start of a phase that lasted `duration` seconds.
fn minus(at: Timestamp, duration: f64) -> Timestamp {
    Timestamp {
        uptime: at.uptime.map(|u| (u - duration).max(0.0)),
        // `as` saturates on absurd durations; the subtraction must not overflow either.
        wall_ms: at.wall_ms.map(|w| w.saturating_sub((duration * 1000.0).round() as i64)),
    }
}

/// The event kinds the outer bracket's name selects.
enum Head {
    /// `GC`, `GC--`, `GC (cause)`: young, CMS initial mark or CMS remark, by the details.
    Generic,
    Full,
    G1Pause,
    G1Remark,
    G1Cleanup,
    /// JDK 8 Shenandoah `Pause Init Mark, 1.745 ms`.
    ShenandoahPause(PauseKind),
}

fn head_of(own: &str) -> Option<(Head, &'static str, &str)> {
    let own = own.trim_start();
    let pick = |prefix: &'static str| own.strip_prefix(prefix).map(|rest| (prefix, rest));
    if let Some((name, rest)) = pick("Full GC") {
        return Some((Head::Full, name, rest));
    }
    if let Some((name, rest)) = pick("GC pause") {
        return Some((Head::G1Pause, name, rest));
    }
    if let Some((name, rest)) = pick("GC remark") {
        return Some((Head::G1Remark, name, rest));
    }
    if let Some((name, rest)) = pick("GC cleanup") {
        return Some((Head::G1Cleanup, name, rest));
    }
    if let Some(rest) = own.strip_prefix("Pause ") {
        let kind = if rest.starts_with("Init Mark") {
            PauseKind::InitialMark
        } else if rest.starts_with("Final Mark") {
            PauseKind::Remark
        } else if rest.starts_with("Degenerated") {
            PauseKind::Degenerated
        } else if rest.starts_with("Full") {
            PauseKind::Full
        } else {
            PauseKind::Other
        };
        return Some((Head::ShenandoahPause(kind), "Pause", rest));
    }
    if let Some(rest) = own.strip_prefix("GC") {
        // `GC (cause)`, `GC--`, `GC 1.234: [ParNew`, `GC[YG occupancy`, `GC2014-…` (a datestamp glued
        // on), and statistics glued on: `GCAdaptiveSizePolicy::…` (JDK 5), `GCBefore GC:` (CMS FLS).
        return Some((Head::Generic, "GC", rest));
    }
    None
}

/// The generation a sub-bracket reports on.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    Young(Collector),
    Old(Collector),
    Perm,
    CmsInitialMark,
    CmsRemark,
    YoungOccupancy,
    Other,
}

fn part_of(own: &str) -> Part {
    // `1 CMS-initial-mark`, and incremental CMS's `ASParNew`/`ASCMS` (adaptive size) names.
    let own = own.trim_start();
    let own = own.strip_prefix("1 ").unwrap_or(own);
    let own = own.strip_prefix("AS").unwrap_or(own);
    let starts = |p: &str| own.starts_with(p);
    if starts("PSYoungGen") {
        Part::Young(Collector::Parallel)
    } else if starts("DefNew") {
        Part::Young(Collector::Serial)
    } else if starts("ParNew") {
        Part::Young(Collector::Cms)
    } else if starts("ParOldGen") || starts("PSOldGen") {
        Part::Old(Collector::Parallel)
    } else if starts("Tenured") {
        Part::Old(Collector::Serial)
    } else if starts("Metaspace") || starts("PSPermGen") || starts("CMS Perm") || starts("Perm") || starts("PS Perm") {
        Part::Perm
    } else if starts("CMS-initial-mark") {
        Part::CmsInitialMark
    } else if starts("CMS-remark") {
        Part::CmsRemark
    } else if starts("YG occupancy") {
        Part::YoungOccupancy
    } else if starts("CMS") && !starts("CMS-") {
        Part::Old(Collector::Cms)
    } else {
        Part::Other
    }
}

fn interpret_event(root: &Bracket<'_>, at: Timestamp, gc_id: Option<u64>, result: &mut Interpreted) {
    let Some((head, name, after_name)) = head_of(&root.own) else {
        result.known_empty = is_known_noise_bracket(&root.own);
        return;
    };
    let own: &str = &root.own;
    let (cause, qualifiers) = causes(after_name);
    let mut event = GcEvent::new(EventKind::Pause(PauseKind::Young), name);
    event.start = at;
    event.gc_id = gc_id;
    event.cause = cause.map(str::to_string);
    event.flags.system_gc = event.cause.as_deref().is_some_and(is_system_gc);
    event.flags.to_space_exhausted = qualifiers.to_space_exhausted;
    event.duration = last_duration(own);
    // Both failures print as `(… fail…)`; look closer only where a failure is mentioned at all.
    let failing: Vec<&str> = std::iter::once(own)
        .chain(root.children.iter().map(|c| &*c.own))
        .filter(|t| search::mentions_failure(t))
        .collect();
    event.flags.promotion_failed =
        failing.iter().any(|t| search::mentions_promotion_failed(t)) || after_name.starts_with("--");
    event.flags.concurrent_mode_failure = failing.iter().any(|t| search::mentions_concurrent_mode_failure(t));

    let mut kind = PauseKind::Young;
    let mut old_collected = false;
    let mut young_detail = false;
    for child in &root.children {
        let part = part_of(&child.own);
        match part {
            Part::Young(collector) => {
                young_detail = true;
                result.collector = result.collector.or(Some(collector));
                if let Some(change) = find_change(&child.own) {
                    event.young = change;
                }
            }
            Part::Old(collector) => {
                result.collector = Some(match (result.collector, collector) {
                    // ParNew + Serial Old prints `Tenured`; the young detail names the collector.
                    (Some(young), Collector::Serial) => young,
                    _ => collector,
                });
                old_collected = true;
                if let Some(change) = find_change(&child.own) {
                    event.old = change;
                }
            }
            Part::Perm => {
                if let Some(change) = find_change(&child.own) {
                    event.metaspace = change;
                }
            }
            Part::CmsInitialMark | Part::CmsRemark => {
                result.collector = Some(Collector::Cms);
                kind = if part == Part::CmsInitialMark { PauseKind::InitialMark } else { PauseKind::Remark };
                if let Some(occupancy) = find_occupancy(&child.own) {
                    event.old = occupancy;
                }
            }
            Part::YoungOccupancy => {
                kind = PauseKind::Remark;
                if let Some(occupancy) = find_occupancy(&child.own) {
                    event.young = occupancy;
                }
            }
            Part::Other if is_nested_collection(child) => {
                let mut inner = Interpreted::default();
                interpret_event(child, child.at_in(root), gc_id, &mut inner);
                result.collector = result.collector.or(inner.collector);
                result.nested.extend(inner.main);
            }
            Part::Other => {}
        }
    }
    if let Some(heap) = find_change(own) {
        event.heap = heap;
    }
    match head {
        Head::Generic => {
            // A scavenge before remark carries the remark's cause but collects the young generation.
            match event.cause.as_deref() {
                Some("CMS Initial Mark") if !young_detail => kind = PauseKind::InitialMark,
                Some("CMS Final Remark") if !young_detail => kind = PauseKind::Remark,
                _ => {}
            }
            if kind == PauseKind::Young && old_collected {
                // `[GC [DefNew: …][Tenured: …]`: the young collection fell back to a full one.
                event.flags.nested_full = true;
            }
            if kind != PauseKind::Young || event.heap.is_empty() {
                if let Some(occupancy) = find_occupancy(own) {
                    event.heap = occupancy;
                    if kind == PauseKind::Young && root.children.is_empty() {
                        // No details, no arrow: CMS's `[GC 46468K(83008K), 0.0039333 secs]`.
                        kind = PauseKind::InitialMark;
                        result.undetailed_cms_mark = true;
                    }
                }
            }
        }
        Head::Full => {
            kind = PauseKind::Full;
            // G1 prints a Full GC's generations on a following `[Eden: …]` line, like its pauses'.
            result.awaits_g1_details = !young_detail && !old_collected;
        }
        Head::G1Pause => {
            result.collector = Some(Collector::G1);
            kind = if qualifiers.mixed { PauseKind::Mixed } else { PauseKind::Young };
            result.awaits_g1_details = event.heap.is_empty();
        }
        Head::G1Remark => {
            result.collector = Some(Collector::G1);
            kind = PauseKind::Remark;
        }
        Head::G1Cleanup => {
            result.collector = Some(Collector::G1);
            kind = PauseKind::Cleanup;
        }
        Head::ShenandoahPause(pause) => {
            result.collector = Some(Collector::Shenandoah);
            kind = pause;
            event.name = shenandoah_pause_name(own);
            if !matches!(pause, PauseKind::Full | PauseKind::Degenerated) {
                event.cause = None;
                event.flags.system_gc = false;
            }
            match event.duration {
                // Printed when the pause ends.
                Some(d) => event.start = minus(at, d),
                None => {
                    result.known_empty = true; // the `, start]` marker
                    return;
                }
            }
        }
    }
    event.kind = EventKind::Pause(kind);
    result.main = Some(event);
}

/// A bracket that is a whole young collection of its own (`GC … [ParNew: …] …`).
fn is_nested_collection(bracket: &Bracket<'_>) -> bool {
    bracket.own.trim_start().starts_with("GC")
        && bracket.children.iter().any(|c| matches!(part_of(&c.own), Part::Young(_)))
}

fn shenandoah_pause_name(own: &str) -> String {
    let own = own.trim_start();
    let end = own.find([',', '(']).unwrap_or(own.len());
    own[..end].trim_end().to_string()
}

/// Brackets that may open a line and carry nothing: CPU times, G1 ergonomics decisions.
fn is_known_noise_bracket(own: &str) -> bool {
    let own = own.trim_start();
    own.starts_with("Times:") || own.starts_with("G1Ergonomics") || own.starts_with("Heap Dump")
}

fn is_system_gc(cause: &str) -> bool {
    matches!(cause, "System.gc()" | "System" | "Diagnostic Command" | "JvmtiEnv ForceGarbageCollection")
}

#[derive(Default)]
struct Qualifiers {
    mixed: bool,
    to_space_exhausted: bool,
}

/// The cause and the G1 qualifiers in the parentheses after an event's name. The cause is the
/// first group that starts with a letter and is not a qualifier (`(13M)` capacities start with a
/// digit); qualifiers may come anywhere (interleaved output can split them from the name).
fn causes(text: &str) -> (Option<&str>, Qualifiers) {
    let mut cause = None;
    let mut qualifiers = Qualifiers::default();
    for group in paren_groups(text) {
        match group {
            "young" | "initial-mark" => {}
            "mixed" | "partial" => qualifiers.mixed = true,
            "to-space exhausted" | "to-space overflow" => qualifiers.to_space_exhausted = true,
            _ if cause.is_none() && group.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) => {
                cause = Some(group)
            }
            _ => {}
        }
    }
    (cause, qualifiers)
}

/// Contents of the top-level balanced `(…)` groups of `text`; an unbalanced tail is dropped.
fn paren_groups(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        let open = pos + memchr::memchr(b'(', bytes.get(pos..)?)?;
        let mut depth = 0usize;
        for (offset, &b) in bytes[open..].iter().enumerate() {
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        let close = open + offset;
                        pos = close + 1;
                        return text.get(open + 1..close);
                    }
                }
                _ => {}
            }
        }
        None
    })
}

/// The last duration in `text`: the number before its last `secs`/`sec`/`ms` unit.
pub fn last_duration(text: &str) -> Option<f64> {
    let mut rest = text;
    while let Some((unit_at, scale)) = search::last_time_unit(rest) {
        if let Some(value) = number_ending_at(&rest[..unit_at]) {
            return Some(value * scale);
        }
        rest = &rest[..unit_at];
    }
    None
}

/// The last number in `text` (for `GC concurrent-count-end, 0.0019007`).
fn last_number(text: &str) -> Option<f64> {
    number_ending_at(text.trim_end())
}

/// The decimal number that ends `text` (`…, 0.0199218`, `… 0.005/0.013`, `0,0665670`).
fn number_ending_at(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let mut start = bytes.len();
    while start > 0 && (bytes[start - 1].is_ascii_digit() || bytes[start - 1] == b'.' || bytes[start - 1] == b',') {
        start -= 1;
    }
    // A `, ` separator before the number is not a decimal mark.
    while start < bytes.len() && !bytes[start].is_ascii_digit() {
        start += 1;
    }
    let (value, rest) = take_decimal(text.get(start..)?)?;
    rest.is_empty().then_some(value)
}

/// The first `a->b(c)` or `a(c)->b(c)` change in `text`, in bytes.
pub fn find_change(text: &str) -> Option<MemoryChange> {
    let bytes = text.as_bytes();
    // A `-` search, not a substring searcher: building one per bracket cost more than the search.
    memchr::memchr_iter(b'-', bytes)
        .filter(|&dash| bytes.get(dash + 1) == Some(&b'>'))
        .find_map(|arrow| change_around(text, arrow))
}

/// Parses the change whose `->` is at `arrow`.
fn change_around(text: &str, arrow: usize) -> Option<MemoryChange> {
    let left = &text[..arrow];
    let (before, committed_before) = size_ending_at(left)?;
    let (after, rest) = take_size(&text[arrow + 2..])?;
    let committed_after =
        rest.strip_prefix('(').and_then(|r| take_size(r)).and_then(|(c, r)| r.starts_with(')').then_some(c));
    Some(MemoryChange { before: Some(before), after: Some(after), committed_before, committed_after })
}

/// The size (and capacity, in the `a(c)` form) that ends `text`: `…8678K` or `…7168.0K(7168.0K)`.
fn size_ending_at(text: &str) -> Option<(u64, Option<u64>)> {
    let (body, capacity) = match text.strip_suffix(')') {
        Some(inner) => {
            let open = inner.rfind('(')?;
            let (capacity, rest) = take_size(&inner[open + 1..])?;
            if !rest.is_empty() {
                return None;
            }
            (&inner[..open], Some(capacity))
        }
        None => (text, None),
    };
    let start = size_start(body)?;
    let (size, rest) = take_size(&body[start..])?;
    rest.is_empty().then_some((size, capacity))
}

/// Where the size that ends `text` begins (digits, decimal mark, one unit letter with optional `B`).
fn size_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    // unit letters (`K`, `M`, `KB`, `B`)
    let mut letters = 0;
    while end > 0 && bytes[end - 1].is_ascii_alphabetic() && letters < 2 {
        end -= 1;
        letters += 1;
    }
    if end > 0 && bytes[end - 1] == b' ' && letters > 0 {
        end -= 1; // `1868 K`
    }
    let mut start = end;
    while start > 0 && (bytes[start - 1].is_ascii_digit() || bytes[start - 1] == b'.' || bytes[start - 1] == b',') {
        start -= 1;
    }
    while start < end && !bytes[start].is_ascii_digit() {
        start += 1;
    }
    (start < end).then_some(start)
}

/// The first `used(capacity)` occupancy without an arrow (`15645K(21888K)`, `1868 K (9792 K)`): a
/// pause that collects nothing reports one figure, used as both before and after.
pub fn find_occupancy(text: &str) -> Option<MemoryChange> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = memchr::memchr(b'(', bytes.get(from..)?) {
        let open = from + found;
        from = open + 1;
        let left = text[..open].trim_end_matches(' ');
        let Some(start) = size_start(left) else { continue };
        if start > 0 && matches!(bytes[start - 1], b'>' | b'.' | b',') {
            continue; // the right side of a change, or part of a longer number
        }
        let Some((used, tail)) = take_size(&left[start..]) else { continue };
        if !tail.is_empty() {
            continue;
        }
        let Some((capacity, rest)) = take_size(&text[open + 1..]) else { continue };
        if !rest.starts_with(')') {
            continue;
        }
        return Some(MemoryChange {
            before: Some(used),
            after: Some(used),
            committed_before: Some(capacity),
            committed_after: Some(capacity),
        });
    }
    None
}

/// Sizes of a G1 detail line `[Eden: 7168.0K(7168.0K)->0.0B(4096.0K) Survivors: 0.0B->1024.0K
/// Heap: 7168.0K(32768.0K)->6664.5K(32768.0K)]`: young = Eden + Survivors, heap as printed.
pub fn apply_g1_sizes(line: &str, event: &mut GcEvent) -> bool {
    let Some(eden_at) = search::find_eden(line) else {
        // JDK 6: `   [ 169M->162M(256M)]`
        return match find_change(line) {
            Some(heap) => {
                event.heap = heap;
                true
            }
            None => false,
        };
    };
    let eden = find_change(&line[eden_at..]);
    let survivors = search::find_survivors(line).and_then(|at| find_change(&line[at..]));
    let heap = search::find_heap(line).and_then(|at| find_change(&line[at..]));
    if let Some(heap) = heap {
        event.heap = heap;
    }
    if let Some(eden) = eden {
        let survivors = survivors.unwrap_or_default();
        let add = |a: Option<u64>, b: Option<u64>| Some(a?.saturating_add(b.unwrap_or(0)));
        event.young = MemoryChange {
            before: add(eden.before, survivors.before),
            after: add(eden.after, survivors.after),
            committed_before: add(eden.committed_before, survivors.before),
            committed_after: add(eden.committed_after, survivors.after),
        };
    }
    eden.is_some() || heap.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: u64 = 1024;

    fn one(text: &str) -> Interpreted {
        interpret(&scan_brackets(text), Timestamp::default(), None)
    }

    #[test]
    fn parallel_young_with_cause() {
        // jdk8-parallel/gcviewer/SampleSun1_8_0Parallel_Tenuring_PrintGCCause.txt (tenuring lines removed)
        let r = one("[GC (Allocation Failure) [PSYoungGen: 24571K->4081K(28672K)] 24571K->22186K(94208K), 0.0199218 secs] [Times: user=0.02 sys=0.02, real=0.02 secs]");
        let e = r.main.unwrap();
        assert_eq!(e.kind, EventKind::Pause(PauseKind::Young));
        assert_eq!(e.cause.as_deref(), Some("Allocation Failure"));
        assert_eq!(e.duration, Some(0.0199218));
        assert_eq!(e.young.before, Some(24571 * K));
        assert_eq!(e.young.committed_after, Some(28672 * K));
        assert_eq!(e.heap.after, Some(22186 * K));
        assert!(e.old.is_empty());
        assert_eq!(r.collector, Some(Collector::Parallel));
    }

    #[test]
    fn cms_full_gc_with_concurrent_phase_inside() {
        // jdk8-cms/gcviewer/SampleSun1_8_0CMS_HeadDumpBeforeFullGc.txt, both lines joined
        let text = "[Full GC (GCLocker Initiated GC) 221063.690: [Heap Dump (before full gc): , 177.2978460 secs]221240.988: [CMS2016-01-11T05:16:23.938-0800: 221244.123: [CMS-concurrent-mark: 10.648/192.322 secs] [Times: user=387.39 sys=31.96, real=192.32 secs]\n (concurrent mode failure): 12450330K->1828689K(12582912K), 17.6949841 secs]221258.683: [Heap Dump (after full gc): , 23.6992554 secs] 16083687K->1828689K(16357824K), [Metaspace: 52813K->52813K(1099776K)], 218.6928810 secs] [Times: user=178.09 sys=26.88, real=218.69 secs]";
        let r = one(text);
        let e = r.main.unwrap();
        assert_eq!(e.kind, EventKind::Pause(PauseKind::Full));
        assert_eq!(e.duration, Some(218.6928810));
        assert!(e.flags.concurrent_mode_failure);
        assert_eq!(e.old.after, Some(1828689 * K));
        assert_eq!(e.heap.before, Some(16083687 * K));
        assert_eq!(e.metaspace.committed_after, Some(1099776 * K));
        assert_eq!(r.concurrent.len(), 1);
        assert_eq!(r.concurrent[0].name, "CMS-concurrent-mark");
        assert_eq!(r.concurrent[0].duration, Some(192.322));
        let start = r.concurrent[0].start.uptime.unwrap();
        assert!((start - (221244.123 - 192.322)).abs() < 1e-6);
    }

    #[test]
    fn cms_initial_mark_and_remark() {
        // jdk8-cms/gcviewer/SampleSun1_8_0CmsPrintGcId.txt
        let e = one("[GC (CMS Initial Mark) [1 CMS-initial-mark: 15645K(21888K)] 18533K(31680K), 0.0010369 secs]")
            .main
            .unwrap();
        assert_eq!(e.kind, EventKind::Pause(PauseKind::InitialMark));
        assert_eq!(e.old.before, Some(15645 * K));
        assert_eq!(e.heap.committed_before, Some(31680 * K));
        let e = one("[GC (CMS Final Remark) [YG occupancy: 1868 K (9792 K)]2022-08-01T17:16:33.230+0000: 0.230: #2: [Rescan (parallel) , 0.0007821 secs]2022-08-01T17:16:33.233+0000: 0.233: #2: [scrub string table, 0.0002950 secs][1 CMS-remark: 41674K(42048K)] 43542K(51840K), 0.0039463 secs]").main.unwrap();
        assert_eq!(e.kind, EventKind::Pause(PauseKind::Remark));
        assert_eq!(e.duration, Some(0.0039463));
        assert_eq!(e.young.before, Some(1868 * K));
        assert_eq!(e.old.committed_before, Some(42048 * K));
        assert_eq!(e.heap.before, Some(43542 * K));
    }

    #[test]
    fn g1_pause_qualifiers_and_sizes() {
        // jdk7-g1/gcviewer/SampleSun1_7_0_G1_young_initial_mark_to_space_exhausted_reverse_order.txt
        let r = one("[GC pause (young) (initial-mark) (to-space exhausted), 0.1156890 secs]");
        assert!(r.awaits_g1_details);
        let mut e = r.main.unwrap();
        assert_eq!(e.kind, EventKind::Pause(PauseKind::Young));
        assert!(e.flags.to_space_exhausted);
        assert_eq!(e.cause, None);
        // jdk8-g1/gcviewer/SampleSun1_8_0G1PrintGCID.txt
        assert!(apply_g1_sizes("   [Eden: 7168.0K(7168.0K)->0.0B(4096.0K) Survivors: 0.0B->1024.0K Heap: 7168.0K(32768.0K)->6664.5K(32768.0K)]", &mut e));
        assert_eq!(e.young.before, Some(7168 * K));
        assert_eq!(e.young.after, Some(1024 * K));
        assert_eq!(e.young.committed_after, Some(5120 * K));
        assert_eq!(e.heap.after, Some(6824448));
        let e = one("[GC pause (G1 Evacuation Pause) (mixed), 0.0087570 secs]").main.unwrap();
        assert_eq!((e.kind, e.cause.as_deref()), (EventKind::Pause(PauseKind::Mixed), Some("G1 Evacuation Pause")));
    }

    #[test]
    fn g1_pause_split_by_concurrent_output() {
        // jdk6-g1/gcviewer/SampleSun1_6_0G1_Detailed-mixedLine1.txt, first two lines joined
        let r = one("[GC pause (young)8.775: [GC concurrent-mark-end, 0.0101638 sec], 0.00831998 secs]");
        assert_eq!(r.main.unwrap().duration, Some(0.00831998));
        assert_eq!(r.concurrent[0].name, "GC concurrent-mark-end");
        assert_eq!(r.concurrent[0].duration, Some(0.0101638));
    }

    #[test]
    fn serial_young_falling_back_to_full() {
        // jdk1.3-1.4-legacy/gcviewer/SampleSun1_4_2PrintGCDetails.txt shape, DefNew + Tenured
        let e = one("[GC 11.653: [DefNew: 1534K->1534K(1664K), 0.0000252 secs]11.653: [Tenured: 5634K->5492K(14592K), 0.2856516 secs] 6560K->5492K(16256K), 0.2858561 secs]").main.unwrap();
        assert_eq!(e.kind, EventKind::Pause(PauseKind::Young));
        assert!(e.flags.nested_full);
        assert_eq!(e.old.after, Some(5492 * K));
        assert_eq!(e.duration, Some(0.2858561));
    }

    #[test]
    fn undetailed_cms_mark_and_decimal_comma() {
        // jdk6-7-cms-nodetails/gctoolkit/530_gc.log
        let r = one("[GC 46468K(83008K), 0.0039333 secs]");
        assert!(r.undetailed_cms_mark);
        assert_eq!(r.main.unwrap().heap.before, Some(46468 * K));
        // jdk7-g1/gcviewer/SampleSun1_7_0G1_PauseWithComma.txt
        assert_eq!(one("[GC pause (young), 0,0665670 secs]").main.unwrap().duration, Some(0.066567));
    }

    #[test]
    fn hostile_text_never_panics() {
        for text in [
            "[",
            "]",
            "[[[]",
            "[GC",
            "[GC ->",
            "[GC (((",
            "[GC 5K->",
            "[GC ->5K(",
            "[Full GC é->ü(",
            "[GC 1(2)",
            "[CMS-concurrent-x: /",
            "[GC 9999999999999999999999K->1K(1K), 1e400 secs]",
        ] {
            let _ = one(text);
        }
        let deep = "[".repeat(10_000);
        let _ = one(&deep);
    }
}
