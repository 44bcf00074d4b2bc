//! The command-line layer: argument parsing, reading files, printing, exit codes.
//!
//! This is one of the few places allowed to touch the filesystem, the environment
//! and the terminal. Exit codes: 0 success (warnings allowed), 1 diagnostics with
//! errors (or, for `diff`, differences), 2 usage or I/O failure.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use topoc::diag::render::{self, MessageFormat};
use topoc::diag::{self, Code, Diagnostic};
use topoc::source::{SourceMap, Span};

#[derive(Parser)]
#[command(
    name = "topoc",
    version,
    about = "Compile an active-active multi-region AWS topology spec into Terraform, SCPs, Config rules and review documents"
)]
struct Cli {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human, global = true)]
    message_format: MessageFormat,
    /// When to color human-format output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Load and check specs; print diagnostics.
    Check {
        /// Spec files to check.
        #[arg(required = true)]
        specs: Vec<PathBuf>,
    },
    /// Check a spec, compile it, validate the output and write it atomically.
    Build {
        /// The spec file.
        spec: PathBuf,
        /// Output folder; replaced as a whole, with a manifest of the files topoc owns.
        #[arg(short, long, default_value = "out")]
        output: PathBuf,
        /// Write even when the folder holds files topoc did not create (they are kept).
        #[arg(long)]
        force: bool,
    },
    /// Show, as unified diffs, what `build` would change in a folder; exit 1 if anything differs.
    Diff {
        /// The spec file.
        spec: PathBuf,
        /// The folder to compare with (e.g. the committed golden tree).
        #[arg(long)]
        against: PathBuf,
        /// Rewrite the folder to match (refused when the CI variable is set).
        #[arg(long)]
        bless: bool,
    },
    /// Print the JSON Schema of the spec language.
    Schema,
    /// Print the long explanation of a diagnostic code (e.g. TOPO0021 or unknown-region)
    /// or of a validation rule (e.g. s3-replication-needs-versioning).
    Explain {
        /// A code such as `TOPO0021`, its slug such as `unknown-region`, or the id of a
        /// validation rule of layer 8.
        code: String,
    },
}

/// Exit status of a run.
const EXIT_OK: u8 = 0;
const EXIT_DIAGNOSTICS: u8 = 1;
const EXIT_FAILURE: u8 = 2;
/// A bug in topoc: generated output failed its own validation.
const EXIT_INTERNAL: u8 = 3;

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { EXIT_FAILURE } else { EXIT_OK });
        }
    };
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let code = match cli.command {
        Command::Check { specs } => run_check(&specs, cli.message_format, color),
        Command::Build { spec, output, force } => run_build(&spec, &output, force, cli.message_format, color),
        Command::Diff { spec, against, bless } => run_diff(&spec, &against, bless, cli.message_format, color),
        Command::Schema => {
            print!("{}", topoc::spec::TOPOLOGY_SCHEMA);
            EXIT_OK
        }
        Command::Explain { code } => run_explain(&code),
    };
    ExitCode::from(code)
}

fn run_explain(text: &str) -> u8 {
    match Code::parse(text) {
        Some(code) => {
            println!(
                "{} ({}, {}): {}\n",
                code.id(),
                code.slug(),
                code.default_severity().as_str(),
                code.summary()
            );
            println!("{}", code.explanation());
            EXIT_OK
        }
        None => {
            let rules = topoc::validate::rules::RULES;
            if let Some(rule) = rules.iter().find(|rule| rule.id == text.trim()) {
                println!("{} (validation rule, layer 8): {}\n", rule.id, rule.summary);
                println!("{}\n\nSource: {}.", rule.explanation, rule.source);
                return EXIT_OK;
            }
            eprintln!("error: `{text}` is not a topoc diagnostic code or validation rule");
            let names = Code::ALL
                .iter()
                .flat_map(|code| [code.id(), code.slug()])
                .chain(rules.iter().map(|rule| rule.id));
            if let Some(suggestion) = diag::suggest(text, names) {
                eprintln!("  = help: did you mean `{suggestion}`?");
            }
            EXIT_FAILURE
        }
    }
}

/// A spec read from disk and added to the source map, or the reason it could not be.
enum ReadOutcome {
    Loaded(topoc::source::FileId),
    /// The file was read but is not text; reported as a diagnostic.
    NotText(Diagnostic),
}

/// Display name of a path: as given, with `/` separators.
fn display_name(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn read_spec(path: &Path, source_map: &mut SourceMap) -> Result<ReadOutcome, String> {
    let name = display_name(path);
    if path.is_dir() {
        return Err(format!("`{name}` is a directory, not a spec file"));
    }
    let bytes = std::fs::read(path).map_err(|error| format!("cannot read `{name}`: {}", io_reason(&error)))?;
    match topoc::spec::decode(&bytes) {
        Ok(text) => Ok(ReadOutcome::Loaded(source_map.add(name, text))),
        Err(problem) => {
            let file = source_map.add(name, String::new());
            Ok(ReadOutcome::NotText(
                Diagnostic::new(Code::InvalidUtf8, Span::new(file, 0..0), problem)
                    .with_hint("pass a UTF-8 YAML topology spec"),
            ))
        }
    }
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => error.to_string(),
    }
}

fn run_check(specs: &[PathBuf], format: MessageFormat, color: bool) -> u8 {
    let mut source_map = SourceMap::new();
    let mut diagnostics = Vec::new();
    let mut io_failed = false;
    for path in specs {
        match read_spec(path, &mut source_map) {
            Err(message) => {
                eprintln!("error: {message}");
                io_failed = true;
            }
            Ok(ReadOutcome::NotText(diagnostic)) => diagnostics.push(diagnostic),
            Ok(ReadOutcome::Loaded(file)) => {
                let (_, file_diagnostics) = topoc::check_spec(&source_map, file);
                diagnostics.extend(file_diagnostics);
            }
        }
    }
    diag::sort(&mut diagnostics);
    print_diagnostics(&diagnostics, &source_map, format, color, &mut std::io::stdout());
    if io_failed {
        EXIT_FAILURE
    } else if diag::has_errors(&diagnostics) {
        EXIT_DIAGNOSTICS
    } else {
        EXIT_OK
    }
}

fn print_diagnostics(
    diagnostics: &[Diagnostic],
    source_map: &SourceMap,
    format: MessageFormat,
    color: bool,
    out: &mut dyn Write,
) {
    let mut text = render::render(diagnostics, source_map, format, color);
    if format == MessageFormat::Human
        && let Some(summary) = render::summary_line(diagnostics)
    {
        text.push_str(&summary);
        text.push('\n');
    }
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Compiles one spec in memory; prints diagnostics to stderr. `Err` carries the exit code.
fn compile(spec: &Path, format: MessageFormat, color: bool) -> Result<std::collections::BTreeMap<String, String>, u8> {
    let mut source_map = SourceMap::new();
    let file = match read_spec(spec, &mut source_map) {
        Err(message) => {
            eprintln!("error: {message}");
            return Err(EXIT_FAILURE);
        }
        Ok(ReadOutcome::NotText(diagnostic)) => {
            print_diagnostics(&[diagnostic], &source_map, format, color, &mut std::io::stderr());
            return Err(EXIT_DIAGNOSTICS);
        }
        Ok(ReadOutcome::Loaded(file)) => file,
    };
    let spec_file = spec
        .file_name()
        .map_or_else(|| display_name(spec), |name| name.to_string_lossy().into_owned());
    match topoc::build(&source_map, file, &spec_file) {
        topoc::BuildOutcome::Rejected { diagnostics } => {
            print_diagnostics(&diagnostics, &source_map, format, color, &mut std::io::stderr());
            Err(EXIT_DIAGNOSTICS)
        }
        topoc::BuildOutcome::Internal { errors, diagnostics } => {
            print_diagnostics(&diagnostics, &source_map, format, color, &mut std::io::stderr());
            for error in &errors {
                eprintln!("internal error: {error}");
            }
            eprintln!(
                "topoc generated output that fails its own validation; nothing was written. This is a bug in topoc; please report it with the spec."
            );
            Err(EXIT_INTERNAL)
        }
        topoc::BuildOutcome::Built { tree, diagnostics } => {
            if !diagnostics.is_empty() {
                print_diagnostics(&diagnostics, &source_map, format, color, &mut std::io::stderr());
            }
            Ok(tree)
        }
    }
}

fn run_build(spec: &Path, output: &Path, force: bool, format: MessageFormat, color: bool) -> u8 {
    let tree = match compile(spec, format, color) {
        Ok(tree) => tree,
        Err(code) => return code,
    };
    match topoc::output::write_tree(output, &tree, force) {
        Ok(summary) => {
            if summary.unchanged {
                println!("{} is up to date", display_name(output));
            } else {
                println!("wrote {} files to {}", summary.written, display_name(output));
            }
            if !summary.kept_foreign.is_empty() {
                println!("kept {} files topoc did not create", summary.kept_foreign.len());
            }
            EXIT_OK
        }
        Err(error @ topoc::output::WriteError::ForeignFiles(_)) => {
            eprintln!("error: {error}");
            eprintln!(
                "  = help: choose an empty or topoc-made folder with -o, or pass --force to write anyway and keep those files"
            );
            EXIT_FAILURE
        }
        Err(error) => {
            eprintln!("error: {error}");
            eprintln!(
                "  = help: topoc writes the new tree beside the output folder and swaps it in, so the folder that holds it must be writable and have room for a second copy"
            );
            EXIT_FAILURE
        }
    }
}

fn run_diff(spec: &Path, against: &Path, bless: bool, format: MessageFormat, color: bool) -> u8 {
    let tree = match compile(spec, format, color) {
        Ok(tree) => tree,
        Err(code) => return code,
    };
    let existing = match owned_tree(against) {
        Ok(existing) => existing,
        Err(error) => {
            eprintln!("error: cannot read `{}`: {error}", display_name(against));
            return EXIT_FAILURE;
        }
    };
    let changes = topoc::golden::compare_trees(&existing, &tree);
    if changes.is_empty() {
        println!("{} is up to date", display_name(against));
        return EXIT_OK;
    }
    if bless {
        if topoc::golden::is_ci(std::env::var("CI").ok().as_deref()) {
            eprintln!(
                "error: refusing to bless while CI is set; run `topoc diff --bless` locally and commit the result"
            );
            return EXIT_FAILURE;
        }
        return match topoc::output::write_tree(against, &tree, false) {
            Ok(_) => {
                println!("blessed {}: {}", display_name(against), change_counts(&changes));
                EXIT_OK
            }
            Err(error) => {
                eprintln!("error: {error}");
                EXIT_FAILURE
            }
        };
    }
    print!("{}", topoc::golden::report(&changes));
    println!("{}: {}", display_name(against), change_counts(&changes));
    EXIT_DIAGNOSTICS
}

/// The files of a previous build: those its manifest lists (all files when there is none).
fn owned_tree(directory: &Path) -> std::io::Result<std::collections::BTreeMap<String, String>> {
    let mut tree = topoc::output::read_tree(directory)?;
    let foreign: std::collections::BTreeSet<String> = topoc::output::foreign_files(directory)?.into_iter().collect();
    if tree.contains_key(topoc::output::MANIFEST) {
        tree.retain(|path, _| !foreign.contains(path));
    }
    Ok(tree)
}

fn change_counts(changes: &std::collections::BTreeMap<String, topoc::golden::FileChange>) -> String {
    let count =
        |predicate: fn(&topoc::golden::FileChange) -> bool| changes.values().filter(|change| predicate(change)).count();
    format!(
        "{} changed, {} added, {} removed",
        count(|change| matches!(change, topoc::golden::FileChange::Changed(_))),
        count(|change| matches!(change, topoc::golden::FileChange::Extra(_))),
        count(|change| matches!(change, topoc::golden::FileChange::Missing(_))),
    )
}
