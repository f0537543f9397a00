//! `rightsize gc`: analyse GC log files offline.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::values;
use rightsize::gc::analysis::{self, ConfiguredHeap, GcOptions, LiveSetStatistic};
use rightsize::gc::source::{self, SourceOptions};
use rightsize::report::{self, InstanceReport};

/// Analyse GC logs: per-JVM summary, live set and heap recommendation.
///
/// Reads HotSpot GC logs of any JDK 8 (-XX:+PrintGCDetails) or JDK 9+ (-Xlog:gc*) format and
/// collector (Serial, Parallel, CMS, G1, ZGC, Shenandoah), plain, .gz or .zip. Rotated files of
/// one log (gc.log, gc.log.0, gc.log.1.current, ...) are merged in time order; each JVM run in
/// them (a restart starts a new one) is reported on its own.
///
/// For each JVM instance it reports the summary fields (RunHours, YGSize, YGUsePC, OGSize,
/// OGUsePC, YGCount, YGPerTime, FGCount, FGAllTime, Throughput, AvgPromotion), the live-set
/// estimate M with its basis and confidence, the recommended heap, young and old sizes
/// (heap 3-4 × M, young 1-1.5 × M, old 2-3 × M by default), and, when the configured heap is
/// known (--configured-heap, or -Xmx/MaxHeapSize in the log), a verdict: over-provisioned,
/// right-sized or too small. docs/gc-fields.md defines every field.
///
/// Examples:
///
///   rightsize gc /var/log/flink/gc.log*
///
///   rightsize gc logs/ --output csv > summary.csv
///
///   rightsize gc tm-1/gc.log --configured-heap 8g --html report.html
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct GcArgs {
    /// GC log files or directories (searched recursively; hidden files skipped).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format on stdout.
    #[arg(long, short, value_enum, default_value_t = Output::Table)]
    output: Output,

    /// Also write a self-contained HTML report (charts of heap after GC and pause times).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,

    /// Treat all inputs as one rotation set of one JVM, whatever their names.
    #[arg(long)]
    series: bool,

    #[command(flatten)]
    analysis: AnalysisArgs,
}

/// The analysis settings, shared by `gc` and `sidecar`.
#[derive(Args)]
pub struct AnalysisArgs {
    /// The heap the JVM was given (e.g. 4g, 4096m). Default: -Xmx / MaxHeapSize as printed in the
    /// log's own header, when it has one.
    #[arg(long, value_name = "SIZE", value_parser = values::byte_size, env = "RIGHTSIZE_CONFIGURED_HEAP")]
    configured_heap: Option<u64>,

    /// Recommended heap as a multiple of the live set M.
    #[arg(long, value_name = "LOW-HIGH", value_parser = values::factor_range, default_value = "3-4")]
    heap_factor: (f64, f64),

    /// Recommended young generation as a multiple of M.
    #[arg(long, value_name = "LOW-HIGH", value_parser = values::factor_range, default_value = "1-1.5")]
    young_factor: (f64, f64),

    /// Recommended old generation as a multiple of M.
    #[arg(long, value_name = "LOW-HIGH", value_parser = values::factor_range, default_value = "2-3")]
    old_factor: (f64, f64),

    /// Recommended metaspace as a multiple of metaspace used after Full GC.
    #[arg(long, value_name = "LOW-HIGH", value_parser = values::factor_range, default_value = "1.2-1.5")]
    metaspace_factor: (f64, f64),

    /// Over-provisioned when the configured heap exceeds the recommended upper bound by more
    /// than this factor.
    #[arg(long, value_name = "FACTOR", value_parser = values::positive_factor, default_value = "1.5")]
    over_provision_factor: f64,

    /// Live-set samples this soon after JVM start are treated as warm-up and skipped (unless
    /// there are no others), e.g. 300s, 5m.
    #[arg(long, value_name = "DURATION", value_parser = values::seconds, default_value = "300s")]
    warmup: f64,

    /// How the live-set samples (e.g. old gen after each Full GC) become M.
    #[arg(long, value_enum, default_value_t = Statistic::Mean)]
    live_set_statistic: Statistic,

    /// GC throughput (% of time not in GC pauses) below this means the heap is too small.
    #[arg(long, value_name = "PERCENT", value_parser = values::percent, default_value = "95")]
    min_throughput: f64,
}

#[derive(Clone, Copy, ValueEnum)]
enum Output {
    /// Aligned text for people.
    Table,
    /// One JSON document (schema rightsize.gc/v1) with every field, range and explanation.
    Json,
    /// One row per JVM instance; the column contract is in docs/gc-fields.md.
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Statistic {
    /// Hunt's rule: mean over the steady-state samples.
    Mean,
    /// The conservative reading: the largest sample.
    Max,
}

impl AnalysisArgs {
    pub fn options(&self) -> GcOptions {
        GcOptions {
            heap_factor: self.heap_factor,
            young_factor: self.young_factor,
            old_factor: self.old_factor,
            metaspace_factor: self.metaspace_factor,
            over_provision_factor: self.over_provision_factor,
            warmup_seconds: self.warmup,
            live_set_statistic: match self.live_set_statistic {
                Statistic::Mean => LiveSetStatistic::Mean,
                Statistic::Max => LiveSetStatistic::Max,
            },
            min_throughput_pct: self.min_throughput,
            configured_heap: self.configured_heap.map(|bytes| ConfiguredHeap { bytes, from_user: true }),
        }
    }
}

pub fn run(args: GcArgs) -> ExitCode {
    let options = args.analysis.options();
    let loaded = source::load(&args.paths, &SourceOptions { series: args.series });
    for skipped in &loaded.skipped {
        eprintln!("rightsize: skipped {}: {}", skipped.path, skipped.reason);
    }
    let reports: Vec<InstanceReport> = loaded
        .logs
        .into_iter()
        .flat_map(|log| {
            let name = log.name;
            log.instances.into_iter().enumerate().map(move |(index, jvm)| (name.clone(), index, jvm))
        })
        .map(|(log, index, jvm)| {
            let analysis = analysis::analyse(&jvm, &options);
            InstanceReport { log, instance: index + 1, jvm, analysis }
        })
        .collect();
    if reports.is_empty() {
        eprintln!(
            "rightsize: no GC log found in {} input path(s){}.\n\
             Point rightsize at files written with -Xlog:gc* (JDK 9+) or -XX:+PrintGCDetails (JDK 8).",
            args.paths.len(),
            if loaded.skipped.is_empty() { "" } else { "; see the skipped files above" }
        );
        return ExitCode::from(3);
    }
    for report in &reports {
        let stats = &report.jvm.stats;
        if stats.unrecognized > 0 {
            tracing::info!(log = %report.log, instance = report.instance, unrecognized = stats.unrecognized, "lines not understood");
        }
    }
    let rendered = match args.output {
        Output::Table => report::table::render(&reports),
        Output::Json => report::json::render(&reports),
        Output::Csv => report::csv::render(&reports),
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout.write_all(rendered.as_bytes()).and_then(|_| stdout.flush()) {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("rightsize: cannot write the report to stdout: {error}");
            return ExitCode::from(1);
        }
    }
    if let Some(path) = &args.html {
        if let Err(error) = std::fs::write(path, report::html::render(&reports)) {
            eprintln!("rightsize: cannot write the HTML report to {}: {error}", path.display());
            return ExitCode::from(1);
        }
        eprintln!("rightsize: HTML report written to {}", path.display());
    }
    ExitCode::SUCCESS
}
