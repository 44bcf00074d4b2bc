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
pub mod naming;
pub mod source;
pub mod spec;

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
