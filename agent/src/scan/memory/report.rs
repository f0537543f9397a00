//! Stage 4 of the memory advice: the job's memory block in the scan's terminal table. The JSON
//! report serializes [`JobMemoryAdvice`] as it is.

use std::fmt::Write as _;

use super::decide::JobMemoryAdvice;
use super::size_text;

/// Appends the memory block of one job: verdict, arithmetic, one line per TaskManager.
pub fn render(out: &mut String, advice: &JobMemoryAdvice) {
    let _ = writeln!(out, "  memory: {} — {}", advice.verdict.as_str().to_uppercase(), advice.reason);
    for label in &advice.labels {
        let _ = writeln!(out, "  ! {label}");
    }
    let rows: Vec<[String; 6]> = advice
        .taskmanagers
        .iter()
        .map(|line| {
            let evaluation = &line.evaluation;
            let heap = evaluation.heap.as_ref();
            [
                line.rank.to_string(),
                evaluation.id.clone(),
                evaluation.young_gc_count.map_or_else(|| "-".to_owned(), |n| n.to_string()),
                evaluation.configured_heap_bytes.map_or_else(|| "-".to_owned(), size_text),
                heap.and_then(|h| h.live_set_bytes).map_or_else(
                    || "-".to_owned(),
                    |m| {
                        format!(
                            "{} {}/{}",
                            size_text(m),
                            heap.map_or("", |h| &h.live_set_basis),
                            heap.map_or("", |h| &h.live_set_confidence)
                        )
                    },
                ),
                match (&line.not_analysed_because, heap.and_then(|h| h.recommended_heap)) {
                    (None, Some(range)) => format!(
                        "{} ({}){}",
                        size_text(range.value_bytes),
                        heap.and_then(|h| h.verdict.as_deref()).unwrap_or("no verdict"),
                        evaluation.log_source.map_or_else(String::new, |source| format!(" via {source}"))
                    ),
                    (Some(why), _) => format!("not analysed: {why}"),
                    (None, None) => "-".to_owned(),
                },
            ]
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    let header = ["#", "TaskManager", "young GCs", "heap", "M (basis/confidence)", "recommended heap"];
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row).take(5) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut line = |cells: [&str; 6]| {
        out.push_str("   ");
        for (column, cell) in cells.iter().enumerate() {
            if column == 5 {
                out.push_str("  ");
                out.push_str(cell);
            } else {
                let pad = widths[column].saturating_sub(cell.chars().count());
                out.push_str("  ");
                // Numbers right-aligned, names left-aligned.
                if column == 1 || column == 4 {
                    out.push_str(cell);
                    out.push_str(&" ".repeat(pad));
                } else {
                    out.push_str(&" ".repeat(pad));
                    out.push_str(cell);
                }
            }
        }
        out.push('\n');
    };
    line(header);
    for row in &rows {
        line(row.each_ref().map(String::as_str));
    }
    for row in &advice.taskmanagers {
        for label in &row.evaluation.labels {
            // The reason it was not analysed is already in its row.
            if row.not_analysed_because.as_deref() != Some(label.as_str()) {
                let _ = writeln!(out, "    - {}: {label}", row.evaluation.id);
            }
        }
    }
}
