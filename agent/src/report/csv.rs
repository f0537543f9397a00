//! CSV rendering of [`InstanceReport`]s: one row per JVM instance, a contract other tools read.
//!
//! The header is the seed design's field names verbatim. Quoting follows RFC 4180 (a field is
//! quoted when it holds a comma, a quote, CR or LF; quotes are doubled; lines end in CRLF), because
//! Flink log paths can contain commas. Numbers always use `.` as the decimal mark, never a
//! thousands separator, and a fixed precision per column so that diffs between runs are stable:
//!
//! | column | unit | precision |
//! |---|---|---|
//! | `File`, `Collector`, `MBasis`, `Confidence` | text | — |
//! | `Instance`, `YGCount`, `FGCount` | count | integer |
//! | `RunHours` | hours | 3 decimals (3.6 s) |
//! | `YGSize`, `OGSize`, `M` | MiB | 1 decimal |
//! | `YGUsePC`, `OGUsePC` | % | 1 decimal |
//! | `YGPerTime` | seconds (mean young pause) | 5 decimals (10 µs) |
//! | `FGAllTime` | seconds (total Full GC pause) | 3 decimals |
//! | `Throughput` | % | 3 decimals |
//! | `AvgPromotion` | MiB per young GC | 3 decimals |
//! | `RecHeap`, `RecNewHeap`, `RecOldHeap` | MiB, the single recommended value | integer |
//!
//! "MB" in the seed's names means MiB (2^20 bytes), like the JVM's own `M` suffix. A cell is empty
//! when the field does not apply or the log does not tell: young/old fields for single-generation
//! collectors (ZGC, Shenandoah, Epsilon), M without a basis, Rec* without a recommendation.
//! Ranges behind the Rec* values are in the JSON and table output.

use std::fmt::Write;

use super::{mib, InstanceReport};

/// The header row, verbatim from the seed design.
pub const HEADER: [&str; 20] = [
    "File",
    "Instance",
    "Collector",
    "RunHours",
    "YGSize",
    "YGUsePC",
    "OGSize",
    "OGUsePC",
    "YGCount",
    "YGPerTime",
    "FGCount",
    "FGAllTime",
    "Throughput",
    "AvgPromotion",
    "RecHeap",
    "RecNewHeap",
    "RecOldHeap",
    "M",
    "MBasis",
    "Confidence",
];

/// The whole CSV document: header plus one row per instance, CRLF line ends.
pub fn render(reports: &[InstanceReport]) -> String {
    let mut out = String::new();
    push_row(&mut out, HEADER.iter().map(|s| s.to_string()));
    for report in reports {
        push_row(&mut out, row(report));
    }
    out
}

/// The cells of one instance's row, in [`HEADER`] order.
fn row(report: &InstanceReport) -> Vec<String> {
    let summary = &report.analysis.summary;
    let live_set = &report.analysis.live_set;
    let recommendation = report.analysis.recommendation.as_ref();
    // Young/old figures are meaningless for a single-generation heap, whatever the analysis left.
    let generational = |cell: String| if report.is_generational() { cell } else { String::new() };

    let row = vec![
        report.log.clone(),
        report.instance.to_string(),
        report.collector().name().to_string(),
        fixed(summary.run_hours, 3),
        generational(fixed(summary.young_size.map(mib), 1)),
        generational(fixed(summary.young_use_pct, 1)),
        generational(fixed(summary.old_size.map(mib), 1)),
        generational(fixed(summary.old_use_pct, 1)),
        generational(summary.young_count.to_string()),
        generational(fixed(summary.young_pause_mean, 5)),
        summary.full_count.to_string(),
        fixed(Some(summary.full_pause_total), 3),
        fixed(summary.throughput_pct, 3),
        generational(fixed(summary.avg_promotion.map(mib), 3)),
        fixed(recommendation.map(|rec| mib(rec.heap_value)), 0),
        generational(fixed(recommendation.and_then(|rec| rec.young_value).map(mib), 0)),
        generational(fixed(recommendation.and_then(|rec| rec.old_value).map(mib), 0)),
        fixed(live_set.bytes.map(mib), 1),
        live_set.basis.label().to_string(),
        live_set.confidence.label().to_string(),
    ];
    debug_assert_eq!(row.len(), HEADER.len());
    row
}

/// A number with a fixed count of decimals and `.` as the decimal mark (Rust's formatting never
/// follows a locale); empty for `None` and for values that are not finite.
fn fixed(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => {
            let text = format!("{v:.decimals$}");
            // `-0.0` rounds to "-0.000": a sign on zero only confuses readers.
            if text.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
                text.trim_start_matches('-').to_string()
            } else {
                text
            }
        }
        _ => String::new(),
    }
}

fn push_row(out: &mut String, cells: impl IntoIterator<Item = String>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_field(out, &cell);
    }
    out.push_str("\r\n");
}

/// RFC 4180: quote a field that holds a separator, a quote or a line break; double its quotes.
fn push_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        let _ = write!(out, "\"{}\"", field.replace('"', "\"\""));
    } else {
        out.push_str(field);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata;

    #[test]
    fn header_is_the_seed_names_verbatim() {
        let csv = render(&[]);
        assert_eq!(
            csv,
            "File,Instance,Collector,RunHours,YGSize,YGUsePC,OGSize,OGUsePC,YGCount,YGPerTime,FGCount,\
             FGAllTime,Throughput,AvgPromotion,RecHeap,RecNewHeap,RecOldHeap,M,MBasis,Confidence\r\n"
        );
    }

    #[test]
    fn generational_row_has_every_field_with_fixed_precision() {
        let csv = render(&[testdata::g1_report()]);
        let row = csv.lines().nth(1).expect("one data row");
        assert_eq!(
            row,
            "\"/var/log/flink/taskmanager,1/gc.log\",1,G1,12.500,4915.2,98.5,6000.0,73.3,1234,0.01235,1,\
             0.812,99.964,1.200,3072,1152,1920,768.0,full-gc,high"
        );
    }

    #[test]
    fn single_generation_row_leaves_young_and_old_cells_empty() {
        let csv = render(&[testdata::zgc_report()]);
        let row = csv.lines().nth(1).expect("one data row");
        assert_eq!(
            row,
            "\"/logs/\"\"quoted\"\" <b>x</b>.log\",2,ZGC,0.100,,,,,,,0,0.000,100.000,,2400,,,600.0,\
             collector-measured,medium"
        );
    }

    #[test]
    fn fields_are_quoted_per_rfc_4180() {
        let mut out = String::new();
        push_row(&mut out, ["plain", "a,b", "say \"hi\"", "two\nlines", ""].map(String::from));
        assert_eq!(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n");
    }

    #[test]
    fn missing_and_non_finite_numbers_are_empty_cells() {
        assert_eq!(fixed(None, 2), "");
        assert_eq!(fixed(Some(f64::NAN), 2), "");
        assert_eq!(fixed(Some(f64::INFINITY), 2), "");
        assert_eq!(fixed(Some(-0.0001), 3), "0.000");
        assert_eq!(fixed(Some(1234.5678), 1), "1234.6");
    }
}
