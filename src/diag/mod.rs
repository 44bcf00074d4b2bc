//! Diagnostics: plain data describing a user mistake, rendered only at the edge.
//!
//! Every phase returns its diagnostics instead of stopping at the first problem.
//! A diagnostic has a stable [`Code`], a severity, a message, an optional primary
//! span (absent only when there is no location, e.g. an unreadable file), secondary
//! labels and at most one hint.

pub mod code;
pub mod render;

pub use code::Code;

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A secondary location with its own short message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Option<Span>,
    pub secondary: Vec<Label>,
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, primary: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            primary: Some(primary),
            secondary: Vec::new(),
            hint: None,
        }
    }

    /// A diagnostic that has no location in any file.
    pub fn without_location(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_optional_hint(mut self, hint: Option<String>) -> Diagnostic {
        self.hint = hint;
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file, position, code and message, so output never depends
/// on the order in which checks ran, and drops exact duplicates.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|left, right| {
        let left_key = (left.primary.map(|span| (span.file, span.start, span.end)), left.code);
        let right_key = (right.primary.map(|span| (span.file, span.start, span.end)), right.code);
        left_key.cmp(&right_key).then_with(|| left.message.cmp(&right.message))
    });
    diagnostics.dedup();
}

pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

/// "did you mean" for a misspelled name: the closest candidate by normalised
/// Damerau-Levenshtein similarity, with a case-insensitive exact match first.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    const MINIMUM_SIMILARITY: f64 = 0.7;
    let lowercase_name = name.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        if candidate.to_lowercase() == lowercase_name {
            return Some(candidate.to_string());
        }
        let similarity = strsim::normalized_damerau_levenshtein(&lowercase_name, &candidate.to_lowercase());
        if similarity >= MINIMUM_SIMILARITY && best.is_none_or(|(best_similarity, _)| similarity > best_similarity) {
            best = Some((similarity, candidate));
        }
    }
    best.map(|(_, candidate)| candidate.to_string())
}

/// The hint text for [`suggest`]: "did you mean `x`?".
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    suggest(name, candidates).map(|candidate| format!("did you mean `{candidate}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_prefer_close_names_and_reject_far_ones() {
        let regions = ["us-east-1", "us-east-2", "eu-west-1"];
        assert_eq!(suggest("us-est-1", regions), Some("us-east-1".to_string()));
        assert_eq!(suggest("EU-WEST-1", regions), Some("eu-west-1".to_string()));
        assert_eq!(suggest("mars-north-7", regions), None);
    }
}
