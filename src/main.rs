//! The `topoc` binary: hands over to the CLI layer, which owns all I/O.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
