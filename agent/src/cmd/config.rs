//! `--config FILE`: flag values from a TOML file, below the command line and the environment.
//!
//! Keys are the long flag names (`flink = "http://jobmanager:8081"`, `kafka-bootstrap`,
//! `interval`). A key at the top of the file applies to every subcommand that has that flag; a
//! `[gc]`, `[scan]`, `[serve]` or `[sidecar]` table holds keys for that subcommand alone. A value
//! from the file becomes the flag's default: the command line and the environment still override
//! it, `--help` shows it, and it is checked at start by the flag's own parser, so a typo in the
//! file is an error naming the file and the key, never a silently ignored setting.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, Command};
use toml::{Table, Value};

/// The flag and environment variable naming the file.
pub const FLAG: &str = "config";
pub const ENV: &str = "RIGHTSIZE_CONFIG";

/// The file named by `--config FILE` / `--config=FILE` in `args`, else by `RIGHTSIZE_CONFIG`.
/// Looked up before clap parses, because its values change what clap parses.
pub fn path(args: &[OsString]) -> Option<PathBuf> {
    let mut tokens = args.iter().skip(1);
    while let Some(token) = tokens.next() {
        if token == "--" {
            break;
        }
        if token == "--config" {
            return tokens.next().map(PathBuf::from);
        }
        if let Some(value) = token.to_str().and_then(|text| text.strip_prefix("--config=")) {
            return Some(PathBuf::from(value));
        }
    }
    std::env::var_os(ENV).filter(|value| !value.is_empty()).map(PathBuf::from)
}

/// Reads `path` and sets its values as defaults of `command`'s flags.
pub fn apply_file(command: Command, path: &Path) -> Result<Command, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read the configuration file {}: {error}", path.display()))?;
    let table: Table = text.parse().map_err(|error| format!("{} is not valid TOML: {error}", path.display()))?;
    apply(command, &table).map_err(|error| format!("{}: {error}", path.display()))
}

/// Sets the values of `table` as defaults of `command`'s flags (see the module docs).
pub fn apply(command: Command, table: &Table) -> Result<Command, String> {
    let defaults = plan(&command, table)?;
    Ok(defaults.into_iter().fold(command, |command, default| {
        let set = |cmd: Command| cmd.mut_arg(default.flag, |arg| arg.required(false).default_values(default.values));
        match default.subcommand {
            Some(name) => command.mut_subcommand(name, set),
            None => set(command),
        }
    }))
}

/// One flag's new default: the subcommand (None: the top-level command), the flag, its values.
struct Default {
    subcommand: Option<String>,
    flag: clap::Id,
    values: Vec<String>,
}

/// Checks every key and value of `table` against `command`, before anything changes.
fn plan(command: &Command, table: &Table) -> Result<Vec<Default>, String> {
    let mut defaults = Vec::new();
    for (key, value) in table {
        if let Value::Table(section) = value {
            let Some(sub) = command.find_subcommand(key) else {
                let names: Vec<&str> = command.get_subcommands().map(Command::get_name).collect();
                return Err(format!("unknown table [{key}]; the tables are [{}]", names.join("], [")));
            };
            for (flag, value) in section {
                let Some(arg) = find_flag(sub, flag) else {
                    return Err(format!("[{key}] has no key '{flag}'; its keys are its flags: {}", flag_names(sub)));
                };
                let values =
                    checked(command, &[key], arg, value).map_err(|error| format!("[{key}] {flag}: {error}"))?;
                defaults.push(Default { subcommand: Some(key.clone()), flag: arg.get_id().clone(), values });
            }
            continue;
        }
        let top = std::iter::once((None, command));
        let subs = command.get_subcommands().map(|sub| (Some(sub.get_name()), sub));
        let before = defaults.len();
        for (subcommand, cmd) in top.chain(subs) {
            if let Some(arg) = find_flag(cmd, key) {
                let path: Vec<&str> = subcommand.into_iter().collect();
                let values = checked(command, &path, arg, value).map_err(|error| format!("{key}: {error}"))?;
                let subcommand = subcommand.map(str::to_string);
                defaults.push(Default { subcommand, flag: arg.get_id().clone(), values });
            }
        }
        if defaults.len() == before {
            return Err(format!("no subcommand has a flag --{key}; see rightsize <subcommand> --help"));
        }
    }
    Ok(defaults)
}

fn find_flag<'a>(command: &'a Command, key: &str) -> Option<&'a Arg> {
    command.get_arguments().find(|arg| arg.get_long() == Some(key) && key != FLAG && !arg.is_positional())
}

// The global flags (`--log`, `--config`) are the top-level command's: a subcommand lists its own.
fn flag_names(command: &Command) -> String {
    let names: Vec<&str> = command.get_arguments().filter_map(Arg::get_long).collect();
    names.join(", ")
}

/// `value` as the texts clap would read on the command line, each checked by the flag's parser.
fn checked(command: &Command, path: &[&str], arg: &Arg, value: &Value) -> Result<Vec<String>, String> {
    let texts = values(arg, value)?;
    if matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse) {
        return match value {
            Value::Boolean(_) => Ok(texts),
            _ => Err("expected true or false".to_string()),
        };
    }
    let long = arg.get_long().expect("flags are found by their long name");
    for text in &texts {
        // The whole command parses the value, so a flag's parser and its possible values apply as
        // they do on the command line; what else the line lacks (a required flag) does not matter.
        let argv = ["rightsize"].iter().chain(path).map(|name| name.to_string()).chain([format!("--{long}={text}")]);
        if let Err(error) = command.clone().try_get_matches_from(argv) {
            use clap::error::{ContextKind, ContextValue, ErrorKind::*};
            let about_this_flag = match error.get(ContextKind::InvalidArg) {
                Some(ContextValue::String(name)) => name.starts_with(&format!("--{long} ")),
                _ => false,
            };
            let bad_value =
                matches!(error.kind(), InvalidValue | ValueValidation | TooManyValues | WrongNumberOfValues);
            if bad_value && about_this_flag {
                return Err(message(&error.to_string()));
            }
        }
    }
    Ok(texts)
}

/// The text values clap would have read on the command line.
fn values(arg: &Arg, value: &Value) -> Result<Vec<String>, String> {
    let many = matches!(arg.get_action(), ArgAction::Append) || arg.get_value_delimiter().is_some();
    match value {
        Value::Array(items) if many => items.iter().map(scalar).collect(),
        Value::Array(_) => Err(format!("--{} takes one value, not a list", arg.get_long().unwrap_or_default())),
        other => Ok(vec![scalar(other)?]),
    }
}

fn scalar(value: &Value) -> Result<String, String> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Integer(number) => Ok(number.to_string()),
        Value::Float(number) => Ok(number.to_string()),
        Value::Boolean(flag) => Ok(flag.to_string()),
        other => Err(format!("expected a string, number or boolean, found {}", other.type_str())),
    }
}

/// clap's message without its "error: " and its hint about `--help`, which the file does not have.
fn message(error: &str) -> String {
    let lines: Vec<&str> = error
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("For more information"))
        .collect();
    let text = lines.join(" ");
    text.strip_prefix("error: ").unwrap_or(&text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Args, Parser, Subcommand};

    #[derive(Parser, Debug)]
    struct Cli {
        #[arg(long, global = true, default_value = "warn")]
        log: String,
        #[arg(long = "config", global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        command: Sub,
    }

    #[derive(Subcommand, Debug)]
    enum Sub {
        Scan(ScanArgs),
        Gc(GcArgs),
    }

    #[derive(Args, Debug)]
    struct ScanArgs {
        #[arg(long, env = "RIGHTSIZE_CONFIG_TEST_FLINK")]
        flink: String,
        #[arg(long, default_value_t = 3)]
        retries: u32,
        #[arg(long = "job")]
        jobs: Vec<String>,
        #[arg(long, value_delimiter = ',')]
        bootstrap: Vec<String>,
        #[arg(long)]
        tls: bool,
    }

    #[derive(Args, Debug)]
    struct GcArgs {
        #[arg(long, default_value_t = 3)]
        retries: u32,
        paths: Vec<PathBuf>,
    }

    fn parse(file: &str, argv: &[&str]) -> Result<Cli, String> {
        use clap::{CommandFactory, FromArgMatches};
        let table: Table = file.parse().map_err(|error| format!("{error}"))?;
        let command = apply(Cli::command(), &table)?;
        let matches = command.try_get_matches_from(argv).map_err(|error| error.to_string())?;
        Cli::from_arg_matches(&matches).map_err(|error| error.to_string())
    }

    fn scan(cli: Cli) -> ScanArgs {
        match cli.command {
            Sub::Scan(args) => args,
            Sub::Gc(_) => panic!("not scan"),
        }
    }

    #[test]
    fn file_values_fill_in_what_the_command_line_leaves_out() {
        let file = "log = 'info'\nretries = 5\n[scan]\nflink = 'http://jm:8081'\njob = ['a', 'b']\n\
                    bootstrap = 'k1:9092,k2:9092'\ntls = true\n";
        let cli = parse(file, &["rightsize", "scan"]).unwrap();
        assert_eq!(cli.log, "info");
        let args = scan(cli);
        assert_eq!(args.flink, "http://jm:8081");
        assert_eq!(args.retries, 5);
        assert_eq!(args.jobs, ["a", "b"]);
        assert_eq!(args.bootstrap, ["k1:9092", "k2:9092"]);
        assert!(args.tls);
        // A top-level key reaches every subcommand that has the flag.
        match parse(file, &["rightsize", "gc", "x.log"]).unwrap().command {
            Sub::Gc(args) => assert_eq!(args.retries, 5),
            Sub::Scan(_) => panic!("not gc"),
        }
    }

    #[test]
    fn the_command_line_overrides_the_file() {
        let file = "retries = 5\n[scan]\nflink = 'http://jm:8081'\njob = ['a']\n";
        let args = scan(parse(file, &["rightsize", "scan", "--retries", "1", "--job", "z"]).unwrap());
        assert_eq!((args.retries, args.jobs), (1, vec!["z".to_string()]));
        assert_eq!(args.flink, "http://jm:8081");
    }

    #[test]
    fn mistakes_in_the_file_name_the_key() {
        let error = |file: &str| parse(file, &["rightsize", "scan", "--flink", "x"]).unwrap_err();
        assert!(error("[scan]\nflnk = 'x'").contains("[scan] has no key 'flnk'"), "{}", error("[scan]\nflnk = 'x'"));
        assert!(error("[scna]\nflink = 'x'").contains("unknown table [scna]"));
        assert!(error("retires = 1").contains("no subcommand has a flag --retires"));
        let invalid = error("retries = 'many'");
        assert!(invalid.contains("retries") && invalid.contains("many"), "{invalid}");
        assert!(error("[scan]\nretries = [1, 2]").contains("takes one value"));
        assert!(error("[scan]\nflink = 2026-12-07").contains("found datetime"));
        assert!(error("config = 'other.toml'").contains("no subcommand has a flag --config"));
    }

    #[test]
    fn the_file_is_found_on_the_command_line_first() {
        let argv = |args: &[&str]| args.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(path(&argv(&["rightsize", "scan", "--config", "a.toml"])), Some(PathBuf::from("a.toml")));
        assert_eq!(path(&argv(&["rightsize", "--config=b.toml", "scan"])), Some(PathBuf::from("b.toml")));
        assert_eq!(path(&argv(&["rightsize", "gc", "--", "--config", "c"])), std::env::var_os(ENV).map(PathBuf::from));
    }
}
