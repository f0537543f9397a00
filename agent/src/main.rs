//! The `rightsize` binary: argument parsing and dispatch. Each subcommand lives in `cmd/`.

mod cmd;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// Right-size Apache Flink jobs: measure what each job really needs and say, with evidence,
/// what to cut or raise.
///
/// Rightsize reads what a job leaves behind — GC logs of its TaskManagers, per-record timing
/// from Flink's metric system, the Kafka input rate — and turns it into advice on parallelism
/// and heap size, with the arithmetic shown.
#[derive(Parser)]
#[command(name = "rightsize", version, about, long_about, propagate_version = true)]
#[command(after_long_help = EXIT_CODES)]
struct Cli {
    /// Log verbosity on stderr: error, warn, info, debug or trace (also RUST_LOG).
    #[arg(long, global = true, default_value = "warn", env = "RIGHTSIZE_LOG")]
    log: String,

    /// TOML file of flag values: keys are long flag names (`flink = "http://jm:8081"`), at the top
    /// for every subcommand that has the flag or in a [gc], [scan], [serve] or [sidecar] table.
    /// The command line and environment variables override the file.
    #[arg(long, global = true, value_name = "FILE", env = cmd::config::ENV)]
    config: Option<std::path::PathBuf>,

    #[command(subcommand)]
    command: Command,
}

// Parsed once at start-up and moved into its command: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    Gc(cmd::gc::GcArgs),
    Scan(cmd::scan::ScanArgs),
    Serve(cmd::serve::ServeArgs),
    Sidecar(Box<cmd::sidecar::SidecarArgs>),
}

const EXIT_CODES: &str = "\
Exit codes:
  0  analysis done (warnings about skipped files go to stderr)
  1  an output could not be written (serve: the store; sidecar: its state directory)
  2  bad usage: unknown flag, malformed value (also in the --config file), a --listen address in
     use (serve, sidecar)
  3  nothing to analyse: no GC log among the inputs
  4  cannot reach Flink REST (scan): the message names the URL and what to check";

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(error) => {
            eprintln!("rightsize: {error}");
            return ExitCode::from(2);
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&cli.log));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
    match cli.command {
        Command::Gc(args) => cmd::gc::run(args),
        Command::Scan(args) => cmd::scan::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Sidecar(args) => cmd::sidecar::run(*args),
    }
}

/// The command line, over the values of the `--config` file, if any, over the built-in defaults.
fn parse() -> Result<Cli, String> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let command = match cmd::config::path(&args) {
        Some(path) => cmd::config::apply_file(Cli::command(), &path)?,
        None => Cli::command(),
    };
    let matches = command.get_matches_from(args);
    Ok(Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit()))
}
