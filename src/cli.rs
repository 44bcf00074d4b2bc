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
    /// Print the JSON Schema of the spec language.
    Schema,
    /// Print the long explanation of a diagnostic code (e.g. TOPO0021 or unknown-region).
    Explain {
        /// A code such as `TOPO0021`, or its slug such as `unknown-region`.
        code: String,
    },
}

/// Exit status of a run.
const EXIT_OK: u8 = 0;
const EXIT_DIAGNOSTICS: u8 = 1;
const EXIT_FAILURE: u8 = 2;

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
            eprintln!("error: `{text}` is not a topoc diagnostic code");
            if let Some(suggestion) = diag::suggest(text, Code::ALL.iter().flat_map(|code| [code.id(), code.slug()])) {
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
