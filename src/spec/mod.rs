//! The spec phase: YAML text to a typed [`Topology`], or diagnostics.
//!
//! Three stages, each reporting every problem it finds: YAML with spans
//! ([`yaml`]), JSON Schema validation mapped back to those spans ([`schema`]), and
//! deserialization into the typed model ([`model`]). A later stage runs only when the
//! earlier ones found no errors, because it relies on their guarantees.

pub mod model;
pub mod schema;
pub mod yaml;

pub use model::Topology;
pub use schema::{SpanIndex, TOPOLOGY_SCHEMA};

use crate::diag::{self, Code, Diagnostic};
use crate::source::{FileId, SourceMap, Span};

/// The spec language version this topoc reads.
pub const SPEC_VERSION: i64 = 1;

/// A loaded spec: the typed model when loading succeeded, and the span index that
/// lets later phases point at the spec.
#[derive(Debug)]
pub struct LoadedSpec {
    pub file: FileId,
    pub topology: Option<Topology>,
    pub spans: SpanIndex,
}

/// Turns raw file bytes into text, or a diagnostic when they are not UTF-8 text.
/// The returned text is what gets added to the source map.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains('\0') => {
            Err("the file contains NUL bytes; it looks like a binary file, not a YAML spec".to_string())
        }
        Ok(text) => Ok(text.to_string()),
        Err(error) => Err(format!(
            "the file is not valid UTF-8 (invalid byte at offset {}); it looks like a binary file, not a YAML spec",
            error.valid_up_to()
        )),
    }
}

/// Loads the spec in `file`; never panics on any text.
pub fn load(source_map: &SourceMap, file: FileId) -> (LoadedSpec, Vec<Diagnostic>) {
    let text = &source_map.file(file).text;
    let (root, mut diagnostics) = yaml::parse(file, text);
    let mut loaded = LoadedSpec {
        file,
        topology: None,
        spans: SpanIndex::default(),
    };
    let Some(root) = root else {
        return (loaded, diagnostics);
    };
    let (instance, spans) = schema::to_json(&root);
    loaded.spans = spans;
    if !instance.is_object() {
        diagnostics.push(
            Diagnostic::new(
                Code::WrongType,
                root.span,
                format!("the spec must be a mapping of fields, not {}", root.type_name()),
            )
            .with_hint("start with `topoc: 1` and `name: ...` on their own lines"),
        );
        return (loaded, diagnostics);
    }
    if let Some(version) = instance.get("topoc").and_then(serde_json::Value::as_i64)
        && version != SPEC_VERSION
    {
        diagnostics.push(
            Diagnostic::new(
                Code::UnsupportedVersion,
                loaded.spans.value_span("/topoc"),
                format!("spec format version {version} is not supported"),
            )
            .with_hint(format!("this topoc reads `topoc: {SPEC_VERSION}`")),
        );
        return (loaded, diagnostics);
    }
    diagnostics.extend(schema::validate(&instance, &loaded.spans));
    if diag::has_errors(&diagnostics) {
        return (loaded, diagnostics);
    }
    // Top-level `x-` keys are the spec's extension fields: they hold anchors for the
    // rest of the spec and mean nothing to topoc.
    let mut instance = instance;
    if let Some(fields) = instance.as_object_mut() {
        fields.retain(|key, _| !key.starts_with("x-"));
    }
    let topology: Topology = serde_json::from_value(instance).unwrap_or_else(|error| {
        panic!("a spec that passed the schema must fit the model; schema and model disagree: {error}")
    });
    loaded.topology = Some(topology);
    (loaded, diagnostics)
}

/// A span covering the whole first line of a file, for problems with the file itself.
pub fn file_start_span(source_map: &SourceMap, file: FileId) -> Span {
    let text = &source_map.file(file).text;
    let end = text.find('\n').unwrap_or(text.len());
    Span::new(file, 0..end)
}
