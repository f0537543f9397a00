//! Terminal rendering of [`InstanceReport`]s: one compact block per JVM instance, for a person
//! reading a terminal.
//!
//! Plain text (no colour codes), at most [`WIDTH`] columns, values with their units, labels in one
//! aligned column so the eye can run down them. Text that comes from logs (file names, versions,
//! explanations quoting causes) has its control characters replaced: a log line must not be able
//! to move the cursor or recolour the terminal.

use super::{
    basis_description, counted, format_wall_ms, human_count, human_duration, human_mib, human_mib_range, human_pct,
    verdict_sentence, warnings, InstanceReport,
};

/// The widest line rendered, in characters.
pub const WIDTH: usize = 100;

/// Width of the label column (`  Recommended  `), continuation lines are indented as far.
const LABEL_WIDTH: usize = 15;

/// Separates the fields of one line.
const SEPARATOR: &str = " · ";

pub fn render(reports: &[InstanceReport]) -> String {
    if reports.is_empty() {
        return "No JVM instances found: no GC log lines were recognized.\n".to_string();
    }
    let blocks: Vec<String> = reports.iter().map(render_one).collect();
    blocks.join("\n")
}

fn render_one(report: &InstanceReport) -> String {
    let mut block = Block::default();
    let facts = &report.jvm.facts;
    let summary = &report.analysis.summary;
    let live_set = &report.analysis.live_set;

    let title = format!("{} #{}", clean(&report.log), report.instance);
    block.line(elide_middle(&title, WIDTH));

    let mut about = vec![report.collector().name().to_string()];
    if let Some(version) = &facts.version {
        about.push(format!("JVM {}", clean(version)));
    }
    about.push(window_text(report));
    if let Some(wall) = wall_clock_text(report) {
        about.push(wall);
    }
    if report.jvm.files.len() > 1 {
        about.push(format!("{} files", report.jvm.files.len()));
    }
    block.items("", &about);

    if report.is_generational() {
        let mut young = Vec::new();
        if let Some(size) = summary.young_size {
            young.push(format!("size {}", human_mib(size)));
        }
        if let Some(pct) = summary.young_use_pct {
            young.push(format!("max use {pct:.1} %"));
        }
        young.push(format!("{} GCs", human_count(summary.young_count)));
        if let Some(mean) = summary.young_pause_mean {
            young.push(format!("mean pause {}", human_duration(mean)));
        }
        if let Some(max) = summary.young_pause_max {
            young.push(format!("max {}", human_duration(max)));
        }
        block.items("Young gen", &young);

        let mut old = Vec::new();
        if let Some(size) = summary.old_size {
            old.push(format!("size {}", human_mib(size)));
        }
        if let Some(pct) = summary.old_use_pct {
            old.push(format!("max use {pct:.1} %"));
        }
        if let Some(promotion) = summary.avg_promotion {
            old.push(format!("avg promotion {} per young GC", human_mib(promotion)));
        }
        if !old.is_empty() {
            block.items("Old gen", &old);
        }
    }

    let mut full = vec![human_count(summary.full_count)];
    if summary.full_count > 0 {
        full.push(format!("total {}", human_duration(summary.full_pause_total)));
        if let Some(max) = summary.full_pause_max {
            full.push(format!("max {}", human_duration(max)));
        }
    }
    block.items("Full GC", &full);

    if summary.other_stw_count > 0 || summary.degenerated_count > 0 || summary.stall_count > 0 {
        let mut other = vec![format!(
            "{}, total {}",
            counted(summary.other_stw_count, "pause"),
            human_duration(summary.other_stw_total)
        )];
        if summary.degenerated_count > 0 {
            other.push(counted(summary.degenerated_count, "degenerated GC"));
        }
        if summary.stall_count > 0 {
            other.push(format!(
                "{}, total {}",
                counted(summary.stall_count, "allocation stall"),
                human_duration(summary.stall_total)
            ));
        }
        block.items("Other STW", &other);
    }

    let mut throughput = Vec::new();
    if let Some(pct) = summary.throughput_pct {
        throughput.push(human_pct(pct));
    }
    match summary.run_hours {
        Some(hours) => throughput.push(format!(
            "{} paused in {}",
            human_duration(summary.pause_total),
            human_duration(hours * 3600.0)
        )),
        None => throughput.push(format!("{} paused", human_duration(summary.pause_total))),
    }
    block.items("Throughput", &throughput);

    let mut m = Vec::new();
    match live_set.bytes {
        Some(bytes) => m.push(human_mib(bytes)),
        None => m.push("unknown".to_string()),
    }
    m.push(basis_description(live_set.basis).to_string());
    m.push(format!("confidence {}", live_set.confidence.label()));
    if live_set.samples > 0 {
        let samples = counted(live_set.samples, "sample");
        match (live_set.min, live_set.max) {
            (Some(min), Some(max)) if min != max => {
                m.push(format!("{samples} ({}–{})", human_mib(min).trim_end_matches(" MiB"), human_mib(max)))
            }
            _ => m.push(samples),
        }
    }
    block.items("Live set M", &m);
    if !live_set.explanation.is_empty() {
        block.text("", &clean(&live_set.explanation));
    }

    match &report.analysis.recommendation {
        Some(rec) => {
            let mut sizes = vec![format!("heap {} → {}", human_mib_range(&rec.heap), human_mib(rec.heap_value))];
            if report.is_generational() {
                if let Some(young) = &rec.young {
                    sizes.push(format!("young {}", human_mib_range(young)));
                }
                if let Some(old) = &rec.old {
                    sizes.push(format!("old {}", human_mib_range(old)));
                }
            }
            if let Some(metaspace) = &rec.metaspace {
                sizes.push(format!("metaspace {}", human_mib_range(metaspace)));
            }
            block.items("Recommended", &sizes);
        }
        None => block.text("Recommended", "none: the log gives no basis for the live set"),
    }

    match &report.analysis.verdict {
        Some(verdict) => {
            let sentence = verdict_sentence(verdict, report.analysis.recommendation.as_ref());
            block.text("Verdict", &sentence);
            if !verdict.explanation.is_empty() {
                block.text("", &clean(&verdict.explanation));
            }
        }
        None => block.text("Verdict", "none: the configured heap is unknown (give --configured-heap)"),
    }

    for warning in warnings(report) {
        block.text("Warning", &warning);
    }
    block.lines.join("\n") + "\n"
}

/// The covered window: `uptime 0 s → 12.50 h (12.50 h, partial)`, plus wall clock when known.
fn window_text(report: &InstanceReport) -> String {
    let summary = &report.analysis.summary;
    let partial = if summary.window_partial { ", partial" } else { "" };
    let covered = summary.run_hours.map(|hours| human_duration(hours * 3600.0));
    match (summary.window_from, summary.window_to, covered) {
        (Some(from), Some(to), Some(covered)) => {
            format!("uptime {} → {} ({covered}{partial})", uptime(from), uptime(to))
        }
        (Some(from), Some(to), None) => format!("uptime {} → {}{partial}", uptime(from), uptime(to)),
        // Datestamp-only logs: the span is known, uptime is not.
        (_, _, Some(covered)) => format!("window {covered}{partial}"),
        _ => format!("window unknown{partial}"),
    }
}

/// Wall-clock span, when the log has datestamps. Minutes are enough to place a log in time:
/// `2026-11-25 02:35 → 2026-11-25 15:05 UTC`.
fn wall_clock_text(report: &InstanceReport) -> Option<String> {
    let first = format_wall_ms(report.jvm.first_seen.wall_ms?);
    let last = format_wall_ms(report.jvm.last_seen.wall_ms?);
    let short = |iso: &str| iso.get(..16).unwrap_or(iso).replace('T', " ");
    Some(format!("{} → {} UTC", short(&first), short(&last)))
}

fn uptime(seconds: f64) -> String {
    if seconds == 0.0 {
        "0 s".to_string()
    } else if seconds.abs() < 60.0 {
        format!("{seconds:.1} s")
    } else {
        human_duration(seconds)
    }
}

/// Log-derived text with control characters (escape sequences, carriage returns) made visible
/// as `?` instead of acted on by the terminal.
fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

/// Shortens `text` to `max` characters by replacing its middle with `…`: the start and the end
/// of a path say the most.
fn elide_middle(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max || max < 3 {
        return text.to_string();
    }
    let keep = max - 1;
    let head = keep / 2;
    let tail = keep - head;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(count - tail).collect();
    format!("{start}…{end}")
}

/// Lines of one instance's block, with the label column handled in one place.
#[derive(Default)]
struct Block {
    lines: Vec<String>,
}

impl Block {
    fn line(&mut self, line: String) {
        self.lines.push(line);
    }

    /// Fields joined by ` · `, wrapped between fields where possible.
    fn items(&mut self, label: &str, items: &[String]) {
        let room = WIDTH - LABEL_WIDTH;
        let mut rows: Vec<String> = Vec::new();
        let mut current = String::new();
        for item in items {
            let needed = current.chars().count() + SEPARATOR.chars().count() + item.chars().count();
            if !current.is_empty() && needed > room {
                rows.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push_str(SEPARATOR);
            }
            current.push_str(item);
        }
        rows.push(current);
        let rows: Vec<String> = rows.iter().flat_map(|row| wrap_words(row, room)).collect();
        self.labelled(label, rows);
    }

    /// A sentence, word-wrapped into the value column.
    fn text(&mut self, label: &str, text: &str) {
        let rows = wrap_words(text, WIDTH - LABEL_WIDTH);
        self.labelled(label, rows);
    }

    fn labelled(&mut self, label: &str, rows: Vec<String>) {
        for (i, row) in rows.into_iter().enumerate() {
            let label = if i == 0 { label } else { "" };
            let line = format!("  {label:<width$}{row}", width = LABEL_WIDTH - 2);
            self.lines.push(line.trim_end().to_string());
        }
    }
}

/// Word-wraps `text` to lines of at most `width` characters; a single word longer than that is
/// cut into pieces.
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut rows = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if current_len > 0 {
                rows.push(std::mem::take(&mut current));
                current_len = 0;
            }
            let rest = word.split_off(width);
            rows.push(word.into_iter().collect());
            word = rest;
        }
        let extra = if current_len == 0 { word.len() } else { word.len() + 1 };
        if current_len + extra > width {
            rows.push(std::mem::take(&mut current));
            current_len = 0;
        }
        if current_len > 0 {
            current.push(' ');
            current_len += 1;
        }
        current_len += word.len();
        current.extend(word);
    }
    if current_len > 0 || rows.is_empty() {
        rows.push(current);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata;

    #[test]
    fn generational_block_shows_key_fields_with_units() {
        let text = render(&[testdata::g1_report()]);
        let expected = "\
/var/log/flink/taskmanager,1/gc.log #1
               G1 · JVM 17.0.15+6 · uptime 0 s → 12.50 h (12.50 h)
               2026-11-25 02:35 → 2026-11-25 15:05 UTC
  Young gen    size 4,915 MiB · max use 98.5 % · 1,234 GCs · mean pause 12.3 ms · max 45.6 ms
  Old gen      size 6,000 MiB · max use 73.3 % · avg promotion 1.20 MiB per young GC
  Full GC      1 · total 812.3 ms · max 812.3 ms
  Other STW    12 pauses, total 50.0 ms
  Throughput   99.96 % · 16.10 s paused in 12.50 h
  Live set M   768.0 MiB · old gen after Full GC · confidence high · 2 samples (760.0–776.0 MiB)
               Mean old-gen occupancy after 2 Full GCs past warm-up.
  Recommended  heap 2,304–3,072 MiB → 3,072 MiB · young 768.0–1,152 MiB · old 1,536–2,304 MiB
               metaspace 115.0–144.0 MiB
  Verdict      Over-provisioned by 5,120 MiB: the configured heap of 8,192 MiB (from the log) is
               2.7× the recommended 3,072 MiB.
               8,192 MiB is above 1.5 × the upper end of the range.
  Warning      10 of 12,000 lines were not recognized and were skipped
";
        assert_eq!(text, expected);
    }

    #[test]
    fn single_generation_block_omits_generations_and_flags_partial_window() {
        let text = render(&[testdata::zgc_report()]);
        assert!(!text.contains("Young gen"), "{text}");
        assert!(!text.contains("Old gen"), "{text}");
        assert!(text.contains("uptime 1.7 min → 7.7 min (6.0 min, partial)"), "{text}");
        assert!(text.contains("measured by the collector · confidence medium"), "{text}");
        assert!(text.contains("Verdict      none: the configured heap is unknown"), "{text}");
        assert!(text.contains("Warning      the log does not start at JVM start"), "{text}");
    }

    #[test]
    fn every_line_fits_the_width_and_has_no_control_characters() {
        let mut report = testdata::g1_report();
        report.log = format!("/very/{}/gc.log\x1b[31m", "long-directory-name/".repeat(20));
        report.analysis.live_set.explanation = "word ".repeat(80) + &"x".repeat(250);
        let text = render(&[report, testdata::zgc_report()]);
        for line in text.lines() {
            assert!(line.chars().count() <= WIDTH, "too wide: {line}");
            assert!(!line.chars().any(char::is_control), "control character in: {line:?}");
        }
        assert!(text.contains('…'));
    }

    #[test]
    fn no_instances_says_so() {
        assert!(render(&[]).starts_with("No JVM instances found"));
    }

    #[test]
    fn wrapping_keeps_words_whole_and_cuts_only_overlong_ones() {
        assert_eq!(wrap_words("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap_words("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap_words("", 3), vec![""]);
        assert_eq!(elide_middle("abcdefghij", 5), "ab…ij");
    }
}
