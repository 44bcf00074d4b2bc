//! Validation of the rendered tree before anything is written (DESIGN.md §6 layers 1
//! to 5): every file parses, every `.tf` is already canonical, every block matches the
//! AWS provider schema, every reference
//! resolves inside its root (remote-state outputs against the producing stack's
//! outputs), the stacks form a DAG in apply order, and every regional block uses the
//! provider of the region it belongs to.
//!
//! A failure is an [`InternalError`]: generated output that breaks a rule is a bug in
//! topoc, never a user mistake. Every error names the file, the line and the rule.

mod parsed;
pub mod policies;
mod providers;
mod references;
pub mod schema;

use crate::render::{InternalError, Rendered, RenderedFile, format};

pub use parsed::{ParsedFile, ParsedStack};

/// Runs every layer and returns all failures.
pub fn validate(rendered: &Rendered) -> Vec<InternalError> {
    validate_parsed(rendered).1
}

/// Runs every layer, and returns the parsed stacks with the failures, so later checks
/// (the policy evaluation) reuse the one parse of each file.
pub fn validate_parsed(rendered: &Rendered) -> (Vec<ParsedStack>, Vec<InternalError>) {
    validate_parsed_with(rendered, |_| Vec::new())
}

/// [`validate_parsed`], running `more` over the parsed stacks on another thread while
/// this one runs the reference, provider and schema layers; its failures join the rest.
pub fn validate_parsed_with(
    rendered: &Rendered,
    more: impl FnOnce(&[ParsedStack]) -> Vec<InternalError> + Send,
) -> (Vec<ParsedStack>, Vec<InternalError>) {
    let mut errors = Vec::new();
    let mut parsed_files = Vec::new();
    for (parsed, file_errors) in map_files_in_parallel(rendered, check_file) {
        parsed_files.extend(parsed);
        errors.extend(file_errors);
    }
    let stacks = parsed::group(&rendered.stacks, parsed_files);
    std::thread::scope(|scope| {
        let more = scope.spawn(|| more(&stacks));
        errors.extend(references::check(&stacks, &rendered.stacks));
        errors.extend(providers::check(&stacks));
        errors.extend(schema::check(&stacks));
        errors.extend(more.join().expect("a validation thread panicked"));
    });
    errors.sort_by(|left, right| {
        (&left.file, left.line, &left.rule, &left.message).cmp(&(&right.file, right.line, &right.rule, &right.message))
    });
    (stacks, errors)
}

/// Layers 1 and 2 for one file: it parses, and `.tf` files are canonical.
fn check_file(path: &str, file: &RenderedFile) -> (Option<ParsedFile>, Vec<InternalError>) {
    let mut errors = Vec::new();
    let mut parsed = None;
    if path.ends_with(".tf") {
        match format::format_hcl(&file.text) {
            Ok(formatted) if formatted == file.text => {}
            Ok(formatted) => errors.push(InternalError {
                file: path.to_string(),
                line: first_difference(&file.text, &formatted),
                rule: "canonical".to_string(),
                message: "the file is not in `terraform fmt` form".to_string(),
            }),
            Err(error) => errors.push(InternalError {
                file: path.to_string(),
                line: Some(error.line),
                rule: "canonical".to_string(),
                message: error.message,
            }),
        }
        match ParsedFile::parse(path, &file.text, &file.blocks) {
            Ok(file) => parsed = Some(file),
            Err(error) => errors.push(error),
        }
    } else if path.ends_with(".json")
        && let Err(error) = serde_json::from_str::<serde_json::Value>(&file.text)
    {
        errors.push(InternalError {
            file: path.to_string(),
            line: Some(error.line()),
            rule: "parse".to_string(),
            message: format!("invalid JSON: {error}"),
        });
    }
    if !file.text.is_empty() && (!file.text.ends_with('\n') || file.text.ends_with("\n\n") || file.text.contains('\r'))
    {
        errors.push(InternalError {
            file: path.to_string(),
            line: None,
            rule: "line-endings".to_string(),
            message: "files use `\\n` line endings and end with exactly one newline".to_string(),
        });
    }
    (parsed, errors)
}

/// Applies `work` to every file on all cores, largest files first; results come back in
/// path order.
fn map_files_in_parallel<T: Send>(rendered: &Rendered, work: impl Fn(&str, &RenderedFile) -> T + Sync) -> Vec<T> {
    let files: Vec<(&String, &RenderedFile)> = rendered.files.iter().collect();
    crate::parallel::map_in_parallel(&files, |(_, file)| file.text.len(), |(path, file)| work(path, file))
}

fn first_difference(left: &str, right: &str) -> Option<usize> {
    left.lines()
        .zip(right.lines())
        .position(|(a, b)| a != b)
        .map(|index| index + 1)
        .or(Some(left.lines().count().min(right.lines().count()) + 1))
}
