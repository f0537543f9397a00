//! Substring searches the parser runs on many lines, with each searcher built once:
//! `str::contains` builds a two-way searcher per call, which dominated the parser's profile.

use std::sync::LazyLock;

use memchr::memmem::{Finder, FinderRev};

pub const STOPPED: &str = "Total time for which application threads were stopped: ";

static STOPPED_FINDER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(STOPPED));
static APPLICATION_TIME: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("Application time:"));
static FAIL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("fail"));
static PROMOTION_FAILED: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("promotion failed"));
static CONCURRENT_MODE_FAILURE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("concurrent mode failure"));
static ADDRESS: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("[0x"));
static TOTAL: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(" total "));
static USED: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(" used "));
static SECONDS: LazyLock<FinderRev<'static>> = LazyLock::new(|| FinderRev::new(" sec"));
static MILLISECONDS: LazyLock<FinderRev<'static>> = LazyLock::new(|| FinderRev::new(" ms"));

/// Where the stopped-time message starts in `text`.
pub fn find_stopped(text: &str) -> Option<usize> {
    STOPPED_FINDER.find(text.as_bytes())
}

pub fn mentions_application_time(text: &str) -> bool {
    APPLICATION_TIME.find(text.as_bytes()).is_some()
}

/// `fail` (of `promotion failed`, `concurrent mode failure`): a cheap first filter.
pub fn mentions_failure(text: &str) -> bool {
    FAIL.find(text.as_bytes()).is_some()
}

pub fn mentions_promotion_failed(text: &str) -> bool {
    PROMOTION_FAILED.find(text.as_bytes()).is_some()
}

pub fn mentions_concurrent_mode_failure(text: &str) -> bool {
    CONCURRENT_MODE_FAILURE.find(text.as_bytes()).is_some()
}

/// A line of a `PrintHeapAtGC` or exit heap printout (`eden space 8704K, 100% used [0x…`,
/// `Metaspace       used 2476K, capacity 4490K, …` has no address but `total`/`used` words).
pub fn is_heap_printout(text: &str) -> bool {
    let bytes = text.as_bytes();
    ADDRESS.find(bytes).is_some() || (TOTAL.find(bytes).is_some() && USED.find(bytes).is_some())
}

/// The last time unit in `text`: its position (at the space before it) and its scale to seconds.
/// `secs`/`sec` are JDK 8's unit; `ms` is JDK 8 Shenandoah's.
pub fn last_time_unit(text: &str) -> Option<(usize, f64)> {
    let bytes = text.as_bytes();
    match SECONDS.rfind(bytes) {
        Some(at) => Some((at, 1.0)),
        None => MILLISECONDS.rfind(bytes).map(|at| (at, 1e-3)),
    }
}
