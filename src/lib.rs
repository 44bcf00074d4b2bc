//! topoc, the topology compiler: one YAML spec of an active-active, multi-region AWS
//! system in; validated Terraform, Service Control Policies, AWS Config rules and
//! review documents out.
//!
//! Data flows one way through phases that each return data plus diagnostics:
//! [`spec`] (YAML → typed model) → [`check`] (semantic rules) → later phases.
//! Only the binary's CLI layer touches files, the environment or the terminal; this
//! library's API is not stable and exists for the binary and its tests.

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod aws;
pub mod check;
pub mod diag;
pub mod golden;
pub mod ipv4;
pub mod ir;
pub mod naming;
pub mod output;
pub mod render;
pub mod source;
pub mod spec;
pub mod validate;

use diag::Diagnostic;
use source::{FileId, SourceMap};
use spec::LoadedSpec;

/// Loads and checks one spec: the loaded spec and every diagnostic, sorted by position.
/// The checker runs only when loading produced a typed model.
pub fn check_spec(source_map: &SourceMap, file: FileId) -> (LoadedSpec, Vec<Diagnostic>) {
    let (loaded, mut diagnostics) = spec::load(source_map, file);
    if let Some(topology) = &loaded.topology {
        diagnostics.extend(check::run(topology, &loaded.spans));
    }
    diag::sort(&mut diagnostics);
    (loaded, diagnostics)
}

/// The result of compiling one spec into an output tree.
pub enum BuildOutcome {
    /// Every validation layer passed; `tree` maps output paths to file contents.
    Built {
        tree: std::collections::BTreeMap<String, String>,
        diagnostics: Vec<Diagnostic>,
    },
    /// The spec has errors; nothing was generated.
    Rejected { diagnostics: Vec<Diagnostic> },
    /// Generation or validation failed: a bug in topoc, never in the spec.
    Internal {
        errors: Vec<render::InternalError>,
        diagnostics: Vec<Diagnostic>,
    },
}

/// Checks, lowers, renders and validates one spec. `spec_file` is the name quoted in
/// generated file headers (a file name, so output never depends on the directory).
pub fn build(source_map: &SourceMap, file: FileId, spec_file: &str) -> BuildOutcome {
    let (loaded, diagnostics) = check_spec(source_map, file);
    let Some(topology) = loaded.topology.filter(|_| !diag::has_errors(&diagnostics)) else {
        return BuildOutcome::Rejected { diagnostics };
    };
    let stack_set = ir::lower(&topology, spec_file);
    match render::render(&stack_set, spec_file) {
        Err(errors) => BuildOutcome::Internal { errors, diagnostics },
        Ok(rendered) => {
            let errors = validate::validate(&rendered);
            if !errors.is_empty() {
                return BuildOutcome::Internal { errors, diagnostics };
            }
            BuildOutcome::Built {
                tree: output::with_manifest(rendered.tree()),
                diagnostics,
            }
        }
    }
}
