//! Substring searches the parser runs on many lines, with each searcher built once:
//! `str::contains` builds a two-way searcher per call, which dominated the parser's profile.

use std::sync::LazyLock;

use memchr::memmem::Finder;

pub const STOPPED: &str = "Total time for which application threads were stopped: ";
pub const APPLICATION_TIME: &str = "Application time:";

static TIME: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(" time"));
static STOPPED_FINDER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(STOPPED));
static APPLICATION_TIME_FINDER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(APPLICATION_TIME));
static PROMOTION_FAILED: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("promotion failed"));
static CONCURRENT_MODE_FAILURE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("concurrent mode failure"));
static EDEN: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("Eden:"));
static SURVIVORS: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("Survivors:"));
static HEAP: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("Heap:"));
static ADDRESS: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("[0x"));
static TOTAL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(" total "));
static USED: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(" used "));

/// ` time`, which both [`STOPPED`] and `Application time:` contain: one search rules out both.
pub fn mentions_time(text: &str) -> bool {
    TIME.find(text.as_bytes()).is_some()
}

/// Where the stopped-time message starts in `text`.
pub fn find_stopped(text: &str) -> Option<usize> {
    STOPPED_FINDER.find(text.as_bytes())
}

pub fn mentions_application_time(text: &str) -> bool {
    APPLICATION_TIME_FINDER.find(text.as_bytes()).is_some()
}

/// `fail` (of `promotion failed`, `concurrent mode failure`): a cheap first filter, asked of
/// every bracket of every event. A lowercase `f` is rare in event text, so searching for it and
/// looking at what follows costs less than a substring searcher's setup.
pub fn mentions_failure(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'f', bytes).any(|at| bytes[at..].starts_with(b"fail"))
}

pub fn mentions_promotion_failed(text: &str) -> bool {
    PROMOTION_FAILED.find(text.as_bytes()).is_some()
}

pub fn mentions_concurrent_mode_failure(text: &str) -> bool {
    CONCURRENT_MODE_FAILURE.find(text.as_bytes()).is_some()
}

/// Where the labels of a G1 size line (`[Eden: … Survivors: … Heap: …]`) start.
pub fn find_eden(line: &str) -> Option<usize> {
    EDEN.find(line.as_bytes())
}

pub fn find_survivors(line: &str) -> Option<usize> {
    SURVIVORS.find(line.as_bytes())
}

pub fn find_heap(line: &str) -> Option<usize> {
    HEAP.find(line.as_bytes())
}

/// A line of a `PrintHeapAtGC` or exit heap printout (`eden space 8704K, 100% used [0x…`,
/// `Metaspace       used 2476K, capacity 4490K, …` has no address but `total`/`used` words).
pub fn is_heap_printout(text: &str) -> bool {
    let bytes = text.as_bytes();
    ADDRESS.find(bytes).is_some() || (TOTAL.find(bytes).is_some() && USED.find(bytes).is_some())
}

/// The last time unit in `text`: its position (at the space before it) and its scale to seconds.
/// `secs`/`sec` are JDK 8's unit; `ms` is JDK 8 Shenandoah's.
/// The unit is searched from the spaces back: it sits near the end of an event's text, and a
/// reverse substring searcher cost more to run than the few spaces it would skip.
pub fn last_time_unit(text: &str) -> Option<(usize, f64)> {
    let bytes = text.as_bytes();
    let mut last_ms = None;
    for space in memchr::memrchr_iter(b' ', bytes) {
        let unit = &bytes[space + 1..];
        if unit.starts_with(b"sec") {
            return Some((space, 1.0));
        }
        if last_ms.is_none() && unit.starts_with(b"ms") {
            last_ms = Some(space);
        }
    }
    last_ms.map(|at| (at, 1e-3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_time_unit_prefers_seconds_to_milliseconds() {
        // jdk8-parallel/gctoolkit/parold1.log
        let text = "GC (Allocation Failure)  65536K->57485K(251392K), 0.0273442 secs ";
        assert_eq!(last_time_unit(text), Some((text.len() - " secs ".len(), 1.0)));
        // jdk8-shenandoah/gcviewer/SampleOpenJdk1_8_0-332.txt
        let text = "Pause Init Mark (process weakrefs), 3.341 ms";
        assert_eq!(last_time_unit(text), Some((text.len() - " ms".len(), 1e-3)));
        assert_eq!(last_time_unit("Pause Init Mark (process weakrefs), start"), None);
    }

    #[test]
    fn failures_are_found_by_their_lowercase_f() {
        // jdk7-cms/gcviewer/SampleSun1_7_0CMSTenuringDistributionInitiationStatistics.txt
        assert!(mentions_failure("ParNew (promotion failed)"));
        // jdk8-cms/gcviewer/SampleSun1_8_0CMS_HeadDumpBeforeFullGc.txt
        assert!(mentions_failure(" (concurrent mode failure): 12450330K->1828689K(12582912K), 17.6949841 secs"));
        // jdk8-parallel/gctoolkit/parold1.log
        assert!(!mentions_failure("Full GC (Ergonomics) , 0.0229614 secs"));
    }
}
