//! Validation of the rendered tree before anything is written (DESIGN.md §6): every
//! file parses, every `.tf` is already canonical, every block matches the AWS provider
//! schema, every reference resolves inside its root (remote-state outputs against the
//! producing stack's outputs), the stacks form a DAG in apply order, every regional
//! block uses the provider of the region it belongs to, every root reaches only the
//! regions it declares (a region's own root only its region), and the SCPs are valid and
//! deny nothing the Terraform needs (layers 6 and 7, in [`policies`]).
//!
//! The file-local layers run segment by segment on all cores and keep only facts; the
//! cross-file layers then run on the facts (see `examine`).
//!
//! A failure is an [`InternalError`]: generated output that breaks a rule is a bug in
//! topoc, never a user mistake. Every error names the file, the line and the rule.

pub mod constraints;
pub mod failure_paths;
mod independence;
mod parsed;
pub mod policies;
mod providers;
mod references;
pub mod rules;
pub mod schema;

use std::ops::Range;

use hcl::edit::Span;

use crate::ir::StackKind;
use crate::ir::governance::GovernancePlan;
use crate::policy::scp::Scp;
use crate::render::{InternalError, Rendered, RenderedFile, format};
use parsed::{ParsedFile, Site};

/// Runs layers 1 to 5 and returns all failures.
pub fn validate(rendered: &Rendered) -> Vec<InternalError> {
    let (stacks, mut errors) = examine(rendered);
    errors.extend(check_stacks(rendered, &stacks));
    sort(&mut errors);
    errors
}

/// Runs every layer, the SCP documents and their evaluation against the Terraform's API
/// calls (layers 6 and 7) included, and returns all failures.
pub fn validate_with_policies(rendered: &Rendered, scps: &[Scp], plan: &GovernancePlan) -> Vec<InternalError> {
    let (stacks, mut errors) = examine(rendered);
    std::thread::scope(|scope| {
        let evaluation = scope.spawn(|| policies::validate_stacks(&stacks, scps, plan));
        errors.extend(check_stacks(rendered, &stacks));
        errors.extend(evaluation.join().expect("the policy evaluation panicked"));
    });
    sort(&mut errors);
    errors
}

/// What one `.tf` file declares and uses, as far as the cross-file layers need it.
#[derive(Default)]
pub struct FileFacts {
    pub path: String,
    pub references: references::FileFacts,
    pub providers: providers::FileFacts,
    pub independence: independence::FileFacts,
    pub policies: policies::FileFacts,
    pub rules: rules::FileFacts,
    pub failure_paths: failure_paths::FileFacts,
}

/// The facts of one stack's files, in path order.
pub struct StackFacts {
    pub directory: String,
    pub kind: StackKind,
    pub files: Vec<FileFacts>,
}

/// Layers 1 to 3 on all cores, and the facts of every file for the cross-file layers.
///
/// Each `.tf` file is parsed one top-level segment at a time and each segment's syntax
/// tree is dropped once examined, so memory stays near the size of the text whatever
/// the size of the output (a whole file's tree takes about seventeen times its text).
/// The work is cut into units — each file's whole-text checks, and runs of a `.tf`
/// file's segments of about [`UNIT_BYTES`] — so one very large file does not leave a
/// core idle.
fn examine(rendered: &Rendered) -> (Vec<StackFacts>, Vec<InternalError>) {
    let files: Vec<(&String, &RenderedFile)> = rendered.files.iter().collect();
    // For each `.tf` file: its lines, and its segments when it can be cut into them.
    let shapes = crate::parallel::map_in_parallel(
        &files,
        |(_, file)| file.text.len(),
        |(path, file)| {
            path.ends_with(".tf").then(|| {
                (
                    ParsedFile::new(path, &file.text, &file.blocks),
                    parsed::top_level_segments(&file.text),
                )
            })
        },
    );
    let mut units = Vec::new();
    for ((path, file), shape) in files.iter().zip(&shapes) {
        let segmented = shape.as_ref().is_some_and(|(_, segments)| segments.is_some());
        units.push(Unit::Text {
            path,
            file,
            canonical_whole: !segmented,
        });
        let Some((parsed, segments)) = shape else { continue };
        let whole_file: Vec<Range<usize>> = std::iter::once(0..file.text.len()).collect();
        let segments = segments.as_deref().unwrap_or(&whole_file);
        let stack = rendered
            .stacks
            .iter()
            .position(|stack| stack.directory == parsed::directory_of(path))
            .map(|index| (index, rendered.stacks[index].kind));
        let mut start = 0;
        while start < segments.len() {
            let mut end = start + 1;
            while end < segments.len() && segments[end].end - segments[start].start < UNIT_BYTES {
                end += 1;
            }
            units.push(Unit::Segments {
                parsed,
                text: &file.text,
                segments: segments[start..end].to_vec(),
                canonical_by_segment: segmented,
                stack,
            });
            start = end;
        }
    }
    let mut stacks: Vec<StackFacts> = rendered
        .stacks
        .iter()
        .map(|stack| StackFacts {
            directory: stack.directory.clone(),
            kind: stack.kind,
            files: Vec::new(),
        })
        .collect();
    let mut errors: Vec<InternalError> = Vec::new();
    for (facts, unit_errors) in crate::parallel::map_in_parallel(&units, Unit::bytes, Unit::examine) {
        // One canonical-form error per file, as when files were checked whole: a template
        // bug would otherwise repeat in every segment it renders.
        for error in unit_errors {
            let repeated = error.rule == "canonical"
                && errors
                    .iter()
                    .any(|earlier| earlier.rule == "canonical" && earlier.file == error.file);
            if !repeated {
                errors.push(error);
            }
        }
        if let Some((index, facts)) = facts {
            stacks[index].files.push(facts);
        }
    }
    (stacks, errors)
}

/// The cross-file layers: references (4), providers and regional independence (5) and
/// the cross-block rules (8).
fn check_stacks(rendered: &Rendered, stacks: &[StackFacts]) -> Vec<InternalError> {
    let mut errors = references::check(stacks, &rendered.stacks);
    errors.extend(providers::check(stacks));
    errors.extend(independence::check(stacks, &rendered.stacks));
    errors.extend(rules::check(stacks));
    errors.extend(failure_paths::check(stacks));
    errors
}

fn sort(errors: &mut [InternalError]) {
    errors.sort_by(|left, right| {
        (&left.file, left.line, &left.rule, &left.message).cmp(&(&right.file, right.line, &right.rule, &right.message))
    });
}

/// About how much text one unit of validation work parses.
const UNIT_BYTES: usize = 256 * 1024;

/// One unit of the file-by-file layers.
enum Unit<'a> {
    /// A whole file's text: JSON parses, line endings are `\n`, and, for a `.tf` file
    /// that cannot be cut into segments, it is canonical.
    Text {
        path: &'a str,
        file: &'a RenderedFile,
        canonical_whole: bool,
    },
    /// A run of top-level segments of a `.tf` file: each is canonical (when the file
    /// was cut into segments), parses and holds only blocks; in a stack (index, kind),
    /// each block matches the provider schema and yields its facts.
    Segments {
        parsed: &'a ParsedFile<'a>,
        text: &'a str,
        segments: Vec<Range<usize>>,
        canonical_by_segment: bool,
        stack: Option<(usize, StackKind)>,
    },
}

impl Unit<'_> {
    fn bytes(&self) -> usize {
        match self {
            Unit::Text { file, .. } => file.text.len(),
            Unit::Segments { segments, .. } => segments.iter().map(|segment| segment.len()).sum(),
        }
    }

    /// The unit's errors, and for segments of a stack's file the stack's index and the
    /// facts of those segments.
    fn examine(&self) -> (Option<(usize, FileFacts)>, Vec<InternalError>) {
        match self {
            Unit::Text {
                path,
                file,
                canonical_whole,
            } => (None, check_text(path, file, *canonical_whole)),
            Unit::Segments {
                parsed,
                text,
                segments,
                canonical_by_segment,
                stack,
            } => {
                let mut errors = Vec::new();
                let mut facts = FileFacts {
                    path: parsed.path.to_string(),
                    ..FileFacts::default()
                };
                for range in segments {
                    let site = Site {
                        file: parsed,
                        base: range.start,
                    };
                    let kind = stack.map(|(_, kind)| kind);
                    examine_segment(
                        &site,
                        &text[range.clone()],
                        *canonical_by_segment,
                        kind,
                        &mut facts,
                        &mut errors,
                    );
                }
                (stack.map(|(index, _)| (index, facts)), errors)
            }
        }
    }
}

/// Layers 1 to 3 on one segment: canonical form (when `canonical`), parsing, only
/// blocks at the top level, and, in a stack of `kind`, the provider schema and the facts.
fn examine_segment(
    site: &Site<'_>,
    segment: &str,
    canonical: bool,
    kind: Option<StackKind>,
    facts: &mut FileFacts,
    errors: &mut Vec<InternalError>,
) {
    if canonical && let Some(error) = canonical_error(site.file.path, segment) {
        errors.push(InternalError {
            line: error.line.map(|line| site.file_line(line)),
            ..error
        });
    }
    let body = match parsed::parse_segment(site, segment) {
        Ok(body) => body,
        Err(error) => {
            errors.push(error);
            return;
        }
    };
    // Terraform takes only blocks at the top level of a file. Checking it here also
    // catches an attribute set twice in different segments, which hcl-edit reports
    // only within one body.
    for attribute in body.attributes() {
        errors.push(site.error(
            attribute.span(),
            "parse",
            format!(
                "`{}` is an argument at the top level; Terraform files hold only blocks there",
                attribute.key.as_str()
            ),
        ));
    }
    let Some(kind) = kind else { return };
    for block in body.blocks() {
        schema::check_block(site, block, errors);
        constraints::check_block(site, block, errors);
        facts.references.add(site, block, errors);
        facts.providers.add(site, block, kind, errors);
        facts.independence.add(site, block);
        facts.policies.add(site, block);
        rules::check_block(site, block, &mut facts.rules, errors);
        facts.failure_paths.add(site, block);
    }
}

/// Layer 2 on some HCL text: the error when it is not canonical, its line counted
/// from the text's first line.
fn canonical_error(path: &str, text: &str) -> Option<InternalError> {
    match format::format_hcl(text) {
        Ok(formatted) if formatted == text => None,
        Ok(formatted) => Some(InternalError {
            file: path.to_string(),
            line: first_difference(text, &formatted),
            rule: "canonical".to_string(),
            message: "the file is not in `terraform fmt` form".to_string(),
        }),
        Err(error) => Some(InternalError {
            file: path.to_string(),
            line: Some(error.line),
            rule: "canonical".to_string(),
            message: error.message,
        }),
    }
}

/// Layers 1 and 2 on a file's whole text: JSON parses, line endings are `\n` with
/// exactly one at the end, and, when `canonical_whole`, a `.tf` file is canonical.
fn check_text(path: &str, file: &RenderedFile, canonical_whole: bool) -> Vec<InternalError> {
    let mut errors = Vec::new();
    if path.ends_with(".tf") {
        errors.extend(canonical_whole.then(|| canonical_error(path, &file.text)).flatten());
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
    errors
}

fn first_difference(left: &str, right: &str) -> Option<usize> {
    left.lines()
        .zip(right.lines())
        .position(|(a, b)| a != b)
        .map(|index| index + 1)
        .or(Some(left.lines().count().min(right.lines().count()) + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the file-at-once and segment-by-segment checks of layer 2 agree; `None`
    /// when the text cannot be cut (validation then checks it whole).
    fn checks_agree(text: &str) -> Option<bool> {
        let whole = canonical_error("x.tf", text).is_none();
        let segments = parsed::top_level_segments(text)?;
        let by_segment = segments
            .iter()
            .all(|range| canonical_error("x.tf", &text[range.clone()]).is_none());
        Some(whole == by_segment)
    }

    #[test]
    fn checking_segments_is_checking_the_whole_file() {
        let canonical = "# header\n\nresource \"x\" \"a\" {\n  name  = \"a\"\n  count = 1\n\n  tags = {\n    a = \"b\"\n  }\n}\n\nresource \"x\" \"b\" {\n  name = \"b\"\n}\n";
        assert_eq!(canonical_error("x.tf", canonical), None);
        let broken = [
            canonical.replace("  name  = \"a\"", "  name = \"a\""),
            canonical.replace("    a = \"b\"", "  a = \"b\""),
            canonical.replace("{\n  name  =", "{\n\n  name  ="),
            canonical.replace("\"b\"\n}\n", "\"b\"\n\n}\n"),
            canonical.replace("resource \"x\" \"b\"", "resource  \"x\" \"b\""),
            canonical.replace("count = 1", "count =  1"),
        ];
        for text in &broken {
            assert!(canonical_error("x.tf", text).is_some(), "{text}");
        }
        for text in std::iter::once(canonical.to_string()).chain(broken) {
            assert_eq!(checks_agree(&text), Some(true), "{text}");
        }
    }

    #[test]
    fn every_golden_file_is_cut_into_segments_and_each_is_canonical() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("golden");
        let mut files = 0;
        let mut directories = vec![root];
        while let Some(directory) = directories.pop() {
            for entry in std::fs::read_dir(&directory).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    directories.push(path);
                } else if path.extension().is_some_and(|extension| extension == "tf") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let segments = parsed::top_level_segments(&text);
                    assert!(
                        segments.as_ref().is_some_and(|segments| segments.len() > 1),
                        "{}",
                        path.display()
                    );
                    assert_eq!(checks_agree(&text), Some(true), "{}", path.display());
                    files += 1;
                }
            }
        }
        assert!(files > 100, "only {files} golden .tf files found");
    }
}
