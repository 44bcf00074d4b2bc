//! JSON Schema validation of the node tree, with errors mapped back to the file.
//!
//! The tree is converted to a `serde_json::Value` while a [`SpanIndex`] records, for
//! every JSON pointer, the span of the value and of its key. Each validation error's
//! instance path is looked up in the index (the taplo approach), and its message is
//! rewritten in topoc's own words with the schema's `description` as the hint.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::{Map, Number, Value as Json};

use super::yaml::{Node, Value};
use crate::diag::{self, Code, Diagnostic};
use crate::source::Span;

/// The spec language's JSON Schema, embedded in the binary.
pub const TOPOLOGY_SCHEMA: &str = include_str!("../../schemas/topology.schema.json");

/// Spans of one node: the value, and the key that introduced it (none for list items
/// and the root). `head` is what to underline for the node as a whole: its key, or for
/// a keyless mapping its first key, so a diagnostic never spans a whole block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeSpans {
    pub key: Option<Span>,
    pub value: Span,
    pub head: Span,
}

/// JSON pointer (`/regions/us-east-1/cidr`) to the spans of the node at that path.
#[derive(Debug, Default)]
pub struct SpanIndex {
    spans: BTreeMap<String, NodeSpans>,
    pointer_bytes: usize,
}

impl SpanIndex {
    pub fn get(&self, pointer: &str) -> Option<NodeSpans> {
        self.spans.get(pointer).copied()
    }

    /// The span to report a problem with the value at `pointer`: the value itself,
    /// falling back to the closest ancestor that exists.
    pub fn value_span(&self, pointer: &str) -> Span {
        self.closest(pointer).value
    }

    /// The span to report a problem with the entry at `pointer` as a whole: its key
    /// when it has one, otherwise its value.
    pub fn key_span(&self, pointer: &str) -> Span {
        self.closest(pointer).head
    }

    fn closest(&self, pointer: &str) -> NodeSpans {
        let mut current = pointer;
        loop {
            if let Some(spans) = self.spans.get(current) {
                return *spans;
            }
            match current.rfind('/') {
                Some(index) => current = &current[..index],
                None => return self.spans[""],
            }
        }
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn unescape_segment(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// Upper bound on the bytes of the index's pointers. Each pointer repeats the keys of
/// its ancestors, so a long key above many (aliased) nodes would otherwise take
/// gigabytes; past the budget, nodes are not indexed and lookups fall back to the
/// closest indexed ancestor.
const MAX_POINTER_BYTES: usize = 64 * 1024 * 1024;

/// Builds the JSON value and its span index from the YAML tree.
pub fn to_json(root: &Node) -> (Json, SpanIndex) {
    let mut index = SpanIndex::default();
    let value = convert(root, String::new(), None, &mut index);
    (value, index)
}

fn convert(node: &Node, pointer: String, key: Option<Span>, index: &mut SpanIndex) -> Json {
    if index.pointer_bytes > MAX_POINTER_BYTES {
        return convert_unindexed(node);
    }
    let json = match &node.value {
        Value::Sequence(items) => Json::Array(
            items
                .iter()
                .enumerate()
                .map(|(position, item)| convert(item, format!("{pointer}/{position}"), None, index))
                .collect(),
        ),
        Value::Mapping(entries) => {
            let mut object = Map::new();
            for entry in entries {
                let child_pointer = format!("{pointer}/{}", escape_segment(&entry.key));
                let child = convert(&entry.value, child_pointer, Some(entry.key_span), index);
                object.insert(entry.key.clone(), child);
            }
            Json::Object(object)
        }
        scalar => scalar_json(scalar),
    };
    let head = key.unwrap_or_else(|| match &node.value {
        Value::Mapping(entries) => entries.first().map_or(node.span, |entry| entry.key_span),
        _ => node.span,
    });
    index.pointer_bytes += pointer.len();
    index.spans.insert(
        pointer,
        NodeSpans {
            key,
            value: node.span,
            head,
        },
    );
    json
}

fn scalar_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(flag) => Json::Bool(*flag),
        Value::Integer(number) => Json::Number(Number::from(*number)),
        // JSON Schema's `integer` accepts 8080.0; give serde an integer for it too.
        Value::Float(number) if number.fract() == 0.0 && number.abs() < 9_007_199_254_740_992.0 => {
            Json::Number(Number::from(*number as i64))
        }
        Value::Float(number) => Number::from_f64(*number).map_or(Json::Null, Json::Number),
        Value::String(text) => Json::String(text.clone()),
        Value::Sequence(_) | Value::Mapping(_) => unreachable!("collections are converted by the caller"),
    }
}

/// The JSON of a subtree past the index's budget.
fn convert_unindexed(node: &Node) -> Json {
    match &node.value {
        Value::Sequence(items) => Json::Array(items.iter().map(convert_unindexed).collect()),
        Value::Mapping(entries) => Json::Object(
            entries
                .iter()
                .map(|entry| (entry.key.clone(), convert_unindexed(&entry.value)))
                .collect(),
        ),
        scalar => scalar_json(scalar),
    }
}

fn schema_document() -> &'static Json {
    static DOCUMENT: OnceLock<Json> = OnceLock::new();
    DOCUMENT.get_or_init(|| serde_json::from_str(TOPOLOGY_SCHEMA).expect("the embedded schema is valid JSON"))
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::draft202012::new(schema_document()).expect("the embedded schema is a valid draft 2020-12 schema")
    })
}

/// Validates the spec against the schema; every error becomes a diagnostic.
pub fn validate(instance: &Json, index: &SpanIndex) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut data_classes_without_store = BTreeSet::new();
    let errors: Vec<_> = validator().iter_errors(instance).collect();
    for error in &errors {
        if let ValidationErrorKind::Required { property } = error.kind()
            && property.as_str() == Some("store")
        {
            data_classes_without_store.insert(error.instance_path().as_str().to_string());
        }
        if matches!(error.kind(), ValidationErrorKind::Enum { .. })
            && let Some(parent) = error.instance_path().as_str().strip_suffix("/store")
        {
            data_classes_without_store.insert(parent.to_string());
        }
    }
    for error in &errors {
        let instance_path = error.instance_path().as_str().to_string();
        let schema_path = error.schema_path().as_str().to_string();
        // Without a valid store, every store-specific field looks unknown; the
        // missing or wrong `store` is the one thing worth saying.
        if matches!(error.kind(), ValidationErrorKind::UnevaluatedProperties { .. })
            && data_classes_without_store.contains(&instance_path)
        {
            continue;
        }
        diagnostics.extend(describe(error.kind(), &instance_path, &schema_path, instance, index));
    }
    merge_misspelled_required_fields(diagnostics)
}

/// A misspelled required field shows up twice: as an unknown field and as a missing
/// one. Keep only the unknown field, whose hint already names the right spelling.
fn merge_misspelled_required_fields(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let suggested: BTreeSet<(Span, String)> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == Code::UnknownField)
        .filter_map(|diagnostic| {
            let hint = diagnostic.hint.as_deref()?;
            let name = hint.strip_prefix("did you mean `")?.strip_suffix("`?")?;
            Some((
                diagnostic
                    .secondary
                    .first()
                    .map_or(diagnostic.primary?, |label| label.span),
                name.to_string(),
            ))
        })
        .collect();
    diagnostics
        .into_iter()
        .filter_map(|mut diagnostic| {
            if diagnostic.code == Code::MissingField {
                let field = diagnostic.message.split('`').nth(1).unwrap_or_default().to_string();
                if suggested.contains(&(diagnostic.primary?, field)) {
                    return None;
                }
            }
            if diagnostic.code == Code::UnknownField {
                // The owner label only carried the pairing key; it adds nothing for readers.
                diagnostic.secondary.clear();
            }
            Some(diagnostic)
        })
        .collect()
}

/// `regions.us-east-1.traffic` for `/regions/us-east-1/traffic`.
fn dotted(pointer: &str) -> String {
    if pointer.is_empty() {
        return "the spec".to_string();
    }
    let path: Vec<String> = pointer.split('/').skip(1).map(unescape_segment).collect();
    format!("`{}`", path.join("."))
}

fn describe(
    kind: &ValidationErrorKind,
    instance_path: &str,
    schema_path: &str,
    instance: &Json,
    index: &SpanIndex,
) -> Vec<Diagnostic> {
    let location = dotted(instance_path);
    let instance_value = instance.pointer(instance_path).unwrap_or(&Json::Null);
    let keyword_parent = schema_path.rsplit_once('/').map_or("", |(parent, _)| parent);
    let value_span = index.value_span(instance_path);
    match kind {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            let known = known_fields(keyword_parent, instance_value);
            let owner_span = index.key_span(instance_path);
            // `unevaluatedProperties` also lists known fields whose own subschema failed
            // (a store field with a wrong type); those errors are reported on their own.
            unexpected
                .iter()
                .filter(|field| !known.contains(*field))
                .map(|field| {
                    let field_pointer = format!("{instance_path}/{}", escape_segment(field));
                    let hint = diag::did_you_mean(field, known.iter().map(String::as_str)).unwrap_or_else(|| {
                        if known.is_empty() {
                            "remove this field".to_string()
                        } else {
                            format!(
                                "fields allowed here: {}",
                                known
                                    .iter()
                                    .map(|name| format!("`{name}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        }
                    });
                    let place = if instance_path.is_empty() {
                        String::new()
                    } else {
                        format!(" in {location}")
                    };
                    Diagnostic::new(
                        Code::UnknownField,
                        index.key_span(&field_pointer),
                        format!("unknown field `{field}`{place}"),
                    )
                    .with_hint(hint)
                    .with_label(owner_span, "")
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let property = property.as_str().unwrap_or_default();
            let property_schema = format!("{keyword_parent}/properties/{}", escape_segment(property));
            let hint = schema_description(&property_schema)
                .or_else(|| schema_description(&then_branch_property(keyword_parent, property)))
                .map(|text| format!("add `{property}`: {text}"))
                .unwrap_or_else(|| format!("add `{property}`"));
            let place = if instance_path.is_empty() {
                "the spec".to_string()
            } else {
                location
            };
            vec![
                Diagnostic::new(
                    Code::MissingField,
                    index.key_span(instance_path),
                    format!("missing field `{property}` in {place}"),
                )
                .with_hint(hint),
            ]
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(json_type) => type_name(&json_type.to_string()),
                TypeKind::Multiple(types) => types
                    .iter()
                    .map(|json_type| type_name(&json_type.to_string()))
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            let found = found_name(instance_value);
            let numeric_text = instance_value
                .as_str()
                .is_some_and(|text| text.trim().parse::<f64>().is_ok());
            let hint = if expected.contains("string") && instance_value.is_number() {
                Some(format!(
                    "quote the value: `\"{instance_value}\"`; YAML reads unquoted numbers as numbers"
                ))
            } else if (expected.contains("number") || expected.contains("whole")) && numeric_text {
                Some("remove the quotes".to_string())
            } else {
                None
            };
            vec![
                Diagnostic::new(
                    Code::WrongType,
                    value_span,
                    format!("{location} must be {expected}, not {found}"),
                )
                .with_optional_hint(hint),
            ]
        }
        ValidationErrorKind::Enum { options }
        | ValidationErrorKind::Constant {
            expected_value: options,
        } => {
            let quoted_number = instance_value.as_str().and_then(|text| {
                options
                    .as_array()?
                    .iter()
                    .find(|choice| choice.is_number() && choice.to_string().as_str() == text)
            });
            if quoted_number.is_some() {
                return vec![
                    Diagnostic::new(
                        Code::WrongType,
                        value_span,
                        format!(
                            "{location} must be a number, not the string `{}`",
                            plain(instance_value)
                        ),
                    )
                    .with_hint("remove the quotes"),
                ];
            }
            let choices = match options.as_ref() {
                Json::Array(values) => values
                    .iter()
                    .map(|value| format!("`{}`", plain(value)))
                    .collect::<Vec<_>>(),
                other => vec![format!("`{}`", plain(other))],
            };
            let choice_texts: Vec<String> = match options.as_ref() {
                Json::Array(values) => values.iter().map(plain).collect(),
                other => vec![plain(other)],
            };
            let hint = diag::did_you_mean(&plain(instance_value), choice_texts.iter().map(String::as_str));
            vec![
                Diagnostic::new(
                    Code::InvalidValue,
                    value_span,
                    format!(
                        "{location} must be one of {}, not `{}`",
                        choices.join(", "),
                        plain(instance_value)
                    ),
                )
                .with_optional_hint(hint),
            ]
        }
        _ => {
            let message = match kind {
                ValidationErrorKind::Minimum { limit } => {
                    format!("{location} must be at least {limit}, not {}", plain(instance_value))
                }
                ValidationErrorKind::Maximum { limit } => {
                    format!("{location} must be at most {limit}, not {}", plain(instance_value))
                }
                ValidationErrorKind::ExclusiveMinimum { limit } => {
                    format!("{location} must be greater than {limit}, not {}", plain(instance_value))
                }
                ValidationErrorKind::ExclusiveMaximum { limit } => {
                    format!("{location} must be less than {limit}, not {}", plain(instance_value))
                }
                ValidationErrorKind::Pattern { .. } => match schema_format(keyword_parent) {
                    Some(format) => format!("{location} must be {format}; `{}` is not", plain(instance_value)),
                    None => format!("{location} has an invalid format: `{}`", plain(instance_value)),
                },
                ValidationErrorKind::MinLength { limit } => {
                    format!("{location} must be at least {limit} characters long")
                }
                ValidationErrorKind::MaxLength { limit } => {
                    format!("{location} must be at most {limit} characters long")
                }
                ValidationErrorKind::MinItems { limit } => {
                    format!("{location} must have at least {limit} item{}", plural(*limit))
                }
                ValidationErrorKind::MaxItems { limit } => {
                    format!("{location} must have at most {limit} item{}", plural(*limit))
                }
                ValidationErrorKind::UniqueItems => format!("{location} lists the same value twice"),
                ValidationErrorKind::MinProperties { limit } => format!(
                    "{location} must have at least {limit} entr{}",
                    if *limit == 1 { "y" } else { "ies" }
                ),
                ValidationErrorKind::MaxProperties { limit } => format!("{location} must have at most {limit} entries"),
                ValidationErrorKind::PropertyNames { .. } => format!("{location} has an invalid name"),
                ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. } => {
                    format!("{location} has none of the allowed forms: `{}`", plain(instance_value))
                }
                other => format!("{location} is invalid: {}", other_message(other)),
            };
            let span = match kind {
                // `propertyNames` errors are about a key; point at the offending key.
                ValidationErrorKind::PropertyNames { error } => {
                    let keyword_parent = schema_path.split("/propertyNames").next().unwrap_or(keyword_parent);
                    match error.instance().as_str() {
                        Some(key) => {
                            let pointer = format!("{instance_path}/{}", escape_segment(key));
                            let names_schema = format!("{keyword_parent}/propertyNames");
                            let message = match (schema_format(&names_schema), error.kind()) {
                                (Some(format), _) => {
                                    format!("invalid name `{key}` in {location}: a name here must be {format}")
                                }
                                (None, ValidationErrorKind::MaxLength { limit }) => format!(
                                    "invalid name `{key}` in {location}: a name here has at most {limit} characters"
                                ),
                                (None, ValidationErrorKind::MinLength { limit }) => format!(
                                    "invalid name `{key}` in {location}: a name here has at least {limit} character{}",
                                    plural(*limit)
                                ),
                                (None, _) => format!("invalid name `{key}` in {location}"),
                            };
                            return vec![Diagnostic::new(Code::InvalidValue, index.key_span(&pointer), message)];
                        }
                        None => value_span,
                    }
                }
                _ => value_span,
            };
            // No hint: the message says what is allowed, and the field's description
            // would repeat what the editor already shows.
            vec![Diagnostic::new(Code::InvalidValue, span, message)]
        }
    }
}

fn plural(count: u64) -> &'static str {
    if count == 1 { "" } else { "s" }
}

fn other_message(kind: &ValidationErrorKind) -> String {
    format!("{kind:?}").chars().take(200).collect()
}

fn type_name(json_type: &str) -> String {
    match json_type {
        "string" => "a string",
        "number" => "a number",
        "integer" => "a whole number",
        "boolean" => "`true` or `false`",
        "array" => "a list",
        "object" => "a mapping",
        "null" => "empty",
        other => other,
    }
    .to_string()
}

fn found_name(value: &Json) -> String {
    match value {
        Json::Null => "empty".to_string(),
        Json::Bool(_) => "a boolean".to_string(),
        Json::Number(number) if number.is_f64() => format!("the number {number}"),
        Json::Number(number) => format!("the number {number}"),
        Json::String(text) => format!("the string `{text}`"),
        Json::Array(_) => "a list".to_string(),
        Json::Object(_) => "a mapping".to_string(),
    }
}

fn plain(value: &Json) -> String {
    match value {
        Json::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Follows a schema path (JSON pointer into the schema document), resolving local `$ref`s.
fn schema_node(schema_path: &str) -> Option<&'static Json> {
    let document = schema_document();
    let mut node = document;
    for segment in schema_path.split('/').skip(1) {
        let segment = unescape_segment(segment);
        if segment == "$ref" {
            let reference = node.get("$ref")?.as_str()?;
            node = document.pointer(reference.strip_prefix('#')?)?;
            continue;
        }
        node = match node {
            Json::Object(object) => object.get(&segment)?,
            Json::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
        if let Some(reference) = node.get("$ref").and_then(Json::as_str)
            && node.get("description").is_none()
        {
            node = document.pointer(reference.strip_prefix('#')?)?;
        }
    }
    Some(node)
}

/// The expected format of a pattern, in words with an example: the schema's
/// `patternErrorMessage` (the keyword VS Code's JSON and YAML servers show too).
fn schema_format(schema_path: &str) -> Option<String> {
    schema_node(schema_path)?
        .get("patternErrorMessage")?
        .as_str()
        .map(str::to_string)
}

fn schema_description(schema_path: &str) -> Option<String> {
    schema_node(schema_path)?
        .get("description")?
        .as_str()
        .map(str::to_string)
}

/// For a `required` inside a data class's `then` branch, the property lives in the
/// same branch: `<parent>/properties/<property>`; this helper also tries the branch of
/// the data-class definition, whose path is reported without the `then` part.
fn then_branch_property(keyword_parent: &str, property: &str) -> String {
    format!("{keyword_parent}/then/properties/{}", escape_segment(property))
}

/// Field names allowed by the schema object at `schema_path`, including the fields of
/// the `then` branch that applies to this instance (for data classes).
fn known_fields(schema_path: &str, instance_value: &Json) -> Vec<String> {
    let Some(node) = schema_node(schema_path) else {
        return Vec::new();
    };
    let mut names: BTreeSet<String> = node
        .get("properties")
        .and_then(Json::as_object)
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default();
    if let Some(branches) = node.get("allOf").and_then(Json::as_array) {
        let store = instance_value.get("store").and_then(Json::as_str);
        for branch in branches {
            let branch_store = branch.pointer("/if/properties/store/const").and_then(Json::as_str);
            if branch_store.is_some()
                && branch_store == store
                && let Some(properties) = branch.pointer("/then/properties").and_then(Json::as_object)
            {
                names.extend(properties.keys().cloned());
            }
        }
    }
    names.into_iter().collect()
}
