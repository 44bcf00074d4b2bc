//! The checker: semantic rules of the active-active pattern over a loaded [`Topology`].
//!
//! Each rule family lives in its own file and pushes diagnostics into one list; no
//! rule stops the others. Spans come from the spec's [`SpanIndex`] through JSON
//! pointers, so the model stays free of location data. The N+1 sizing computed here
//! ([`sizing`]) is also what the IR uses for autoscaling bounds.

mod data;
mod edge;
mod governance;
mod observability;
mod regions;
mod services;
pub mod sizing;
pub mod values;

use crate::diag::Diagnostic;
use crate::source::Span;
use crate::spec::schema::escape_segment;
use crate::spec::{SpanIndex, Topology};

/// Runs every rule; the result is unsorted (the caller sorts once for all phases).
pub fn run(topology: &Topology, spans: &SpanIndex) -> Vec<Diagnostic> {
    let context = Context { topology, spans };
    let mut diagnostics = Vec::new();
    regions::check(&context, &mut diagnostics);
    edge::check(&context, &mut diagnostics);
    services::check(&context, &mut diagnostics);
    data::check(&context, &mut diagnostics);
    governance::check(&context, &mut diagnostics);
    values::check(&context, &mut diagnostics);
    sizing::check(&context, &mut diagnostics);
    observability::check(&context, &mut diagnostics);
    drop_knock_on_warnings(diagnostics)
}

/// A warning about the very value an error points at is a consequence of that error,
/// not news: the error's fix changes what the warning says.
fn drop_knock_on_warnings(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let errors: Vec<Span> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == crate::diag::Severity::Error)
        .filter_map(|diagnostic| diagnostic.primary)
        .collect();
    diagnostics
        .into_iter()
        .filter(|diagnostic| {
            diagnostic.severity == crate::diag::Severity::Error
                || diagnostic.primary.is_none_or(|span| !errors.contains(&span))
        })
        .collect()
}

pub(crate) struct Context<'a> {
    pub topology: &'a Topology,
    pub spans: &'a SpanIndex,
}

impl Context<'_> {
    /// Span of the value at a path given as segments (escaped here).
    pub fn value(&self, segments: &[&str]) -> Span {
        self.spans.value_span(&pointer(segments))
    }

    /// Span of the key that introduces the entry at a path.
    pub fn key(&self, segments: &[&str]) -> Span {
        self.spans.key_span(&pointer(segments))
    }

    /// Whether the spec wrote this path explicitly (rather than taking a default).
    pub fn is_written(&self, segments: &[&str]) -> bool {
        self.spans.get(&pointer(segments)).is_some()
    }
}

pub(crate) fn pointer(segments: &[&str]) -> String {
    segments
        .iter()
        .map(|segment| format!("/{}", escape_segment(segment)))
        .collect()
}

/// `a`, `b` and `c` for messages.
pub(crate) fn list_in_backticks<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    join_in_backticks(items, "and")
}

/// `a`, `b` or `c`, for "use one of ..." hints.
pub(crate) fn choices_in_backticks<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    join_in_backticks(items, "or")
}

fn join_in_backticks<'a>(items: impl IntoIterator<Item = &'a str>, conjunction: &str) -> String {
    let items: Vec<String> = items.into_iter().map(|item| format!("`{item}`")).collect();
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        _ => format!(
            "{} {conjunction} {}",
            items[..items.len() - 1].join(", "),
            items[items.len() - 1]
        ),
    }
}

/// Formats a number without trailing zeros: 0.9, 1, 0.333333.
/// A share as a whole percentage: 0.857 is `86%`.
pub fn format_percent(share: f64) -> String {
    format!("{}%", format_number((share * 100.0).round()))
}

pub fn format_number(value: f64) -> String {
    let rounded = (value * 1_000_000.0).round() / 1_000_000.0;
    let text = format!("{rounded:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
