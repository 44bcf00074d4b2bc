//! Layer 8, first half: every literal value topoc writes into an argument that AWS
//! receives is checked against that API field's own constraints: allowed values,
//! pattern, length and range, as the AWS service models in botocore give them.
//!
//! Two vendored files drive it: `schemas/aws-api-constraints.json`, the constraints of
//! every API shape of the services topoc uses (`scripts/extract-aws-constraints.py`
//! extracts it from a pinned botocore wheel), and `schemas/argument-api-map.json`, the
//! API field each Terraform argument with a literal value becomes (written by hand from
//! the provider's source; an argument the provider transforms carries a reason instead).
//! `tests/aws_constraints.rs` requires every literal argument of the goldens to be in
//! the map.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, OnceLock};

use hcl::edit::Span;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Block, Body, Structure};
use serde::Deserialize;

use super::parsed::{Site, labels, string_literal};
use crate::aws::vendored::{LazyTable, VendoredJson};
use crate::render::InternalError;

pub const CONSTRAINTS: &str = include_str!("../../schemas/aws-api-constraints.json");
pub const ARGUMENT_MAP: &str = include_str!("../../schemas/argument-api-map.json");

/// The API field an argument becomes, or why none is checked.
#[derive(Debug, Deserialize)]
pub struct Mapping {
    pub service: Option<String>,
    pub shape: Option<String>,
    pub member: Option<String>,
    pub reason: Option<String>,
}

/// One API shape's constraints (botocore's, as extracted).
#[derive(Debug, Deserialize)]
pub struct Shape {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "enum")]
    pub allowed: Option<Vec<String>>,
    pub pattern: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The item shape of a list.
    pub member: Option<String>,
    #[serde(default)]
    pub members: BTreeMap<String, String>,
}

pub struct ApiConstraints {
    /// `package==version` of the source wheel.
    pub source: String,
    /// `<service>:<ShapeName>` → shape.
    pub shapes: LazyTable<Shape>,
    pub arguments: LazyTable<Mapping>,
}

pub fn constraints() -> &'static ApiConstraints {
    static CONSTRAINTS_TABLES: OnceLock<ApiConstraints> = OnceLock::new();
    CONSTRAINTS_TABLES.get_or_init(|| {
        let document = VendoredJson::split(CONSTRAINTS);
        let source: serde_json::Value = document.scalar("source").expect("the constraints name their source");
        let arguments = VendoredJson::split(ARGUMENT_MAP);
        ApiConstraints {
            source: format!(
                "{}=={}",
                source["package"].as_str().unwrap_or("botocore"),
                source["version"].as_str().unwrap_or("?")
            ),
            shapes: document.table("shapes"),
            arguments: arguments.table("arguments"),
        }
    })
}

impl ApiConstraints {
    pub fn shape(&self, service: &str, name: &str) -> Option<&Shape> {
        self.shapes.get(&format!("{service}:{name}"))
    }

    /// The mapping of an argument and the shape its values are checked against,
    /// resolved once per argument: a large topology checks the same argument thousands
    /// of times.
    pub fn checked_field(&'static self, key: &str) -> Option<(&'static Mapping, &'static str, &'static Shape)> {
        type Resolved = Option<(&'static Mapping, &'static str, &'static Shape)>;
        static RESOLVED: OnceLock<Mutex<BTreeMap<String, Resolved>>> = OnceLock::new();
        let mut resolved = RESOLVED
            .get_or_init(|| Mutex::new(BTreeMap::new()))
            .lock()
            .expect("the resolution cache is never poisoned");
        *resolved.entry(key.to_string()).or_insert_with(|| {
            let mapping = self.arguments.get(key)?;
            let (name, shape) = self.resolve(mapping)?;
            Some((mapping, name, shape))
        })
    }

    /// The shape a mapping's value is checked against, and its name.
    pub fn resolve<'a>(&'a self, mapping: &'a Mapping) -> Option<(&'a str, &'a Shape)> {
        let service = mapping.service.as_deref()?;
        let holder = mapping.shape.as_deref()?;
        let name = match &mapping.member {
            Some(member) => self.shape(service, holder)?.members.get(member)?.as_str(),
            None => holder,
        };
        let shape = self.shape(service, name)?;
        Some((name, shape))
    }
}

/// A botocore pattern, compiled once. Smithy patterns are ECMA-262 expressions and not
/// anchored. regex-lite reads most of them with ECMA's meaning (`\w` and `\d` are ASCII)
/// and compiles in microseconds; the few with look-around go to fancy-regex; a pattern
/// neither can compile (UTF-16 surrogate escapes) is not checked.
enum Pattern {
    Lite(regex_lite::Regex),
    Fancy(fancy_regex::Regex),
    Unreadable,
}

impl Pattern {
    fn matches(&self, text: &str) -> bool {
        match self {
            Pattern::Lite(regex) => regex.is_match(text),
            Pattern::Fancy(regex) => regex.is_match(text).unwrap_or(true),
            Pattern::Unreadable => true,
        }
    }
}

fn pattern_matches(pattern: &str, text: &str) -> bool {
    static CACHE: OnceLock<Mutex<BTreeMap<String, std::sync::Arc<Pattern>>>> = OnceLock::new();
    let compiled = {
        let mut cache = CACHE
            .get_or_init(|| Mutex::new(BTreeMap::new()))
            .lock()
            .expect("the pattern cache is never poisoned");
        cache
            .entry(pattern.to_string())
            .or_insert_with(|| {
                std::sync::Arc::new(match regex_lite::Regex::new(pattern) {
                    Ok(regex) => Pattern::Lite(regex),
                    Err(_) => fancy_regex::Regex::new(pattern).map_or(Pattern::Unreadable, Pattern::Fancy),
                })
            })
            .clone()
    };
    compiled.matches(text)
}

/// A literal value as AWS would receive it.
#[derive(Debug, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    List(Vec<Literal>),
}

pub fn literal(expression: &Expression) -> Option<Literal> {
    match expression {
        Expression::Number(number) => number.value().as_f64().map(Literal::Number),
        Expression::Bool(flag) => Some(Literal::Bool(*flag.value())),
        Expression::Array(items) if !items.is_empty() => {
            items.iter().map(literal).collect::<Option<Vec<_>>>().map(Literal::List)
        }
        other => string_literal(other).map(Literal::Text),
    }
}

/// What is wrong with a value for a shape, if anything.
pub fn problem(value: &Literal, shape: &Shape, service: &str) -> Option<String> {
    match value {
        Literal::Text(text) => {
            if let Some(allowed) = &shape.allowed
                && !allowed.contains(text)
            {
                return Some(format!("{text:?} is not one of {}", allowed.join(", ")));
            }
            let length = text.chars().count() as f64;
            if let Some(min) = shape.min.filter(|min| length < *min) {
                return Some(format!("{text:?} has {length} characters, fewer than {min}"));
            }
            if let Some(max) = shape.max.filter(|max| length > *max) {
                return Some(format!("{text:?} has {length} characters, more than {max}"));
            }
            if let Some(pattern) = shape.pattern.as_deref()
                && !pattern_matches(pattern, text)
            {
                return Some(format!(
                    "{text:?} does not match {}",
                    shape.pattern.as_deref().unwrap_or_default()
                ));
            }
            None
        }
        Literal::Number(number) => {
            if let Some(min) = shape.min.filter(|min| number < min) {
                return Some(format!("{number} is below the minimum {min}"));
            }
            if let Some(max) = shape.max.filter(|max| number > max) {
                return Some(format!("{number} is above the maximum {max}"));
            }
            // Numbers sent as strings (ports, codes) are checked as their text.
            if shape.kind == "string" {
                return problem(&Literal::Text(number.to_string()), shape, service);
            }
            None
        }
        Literal::Bool(_) => None,
        Literal::List(items) => {
            let count = items.len() as f64;
            if let Some(min) = shape.min.filter(|min| count < *min) {
                return Some(format!("the list has {count} items, fewer than {min}"));
            }
            if let Some(max) = shape.max.filter(|max| count > *max) {
                return Some(format!("the list has {count} items, more than {max}"));
            }
            let item_name = shape.member.as_deref()?;
            let item_shape = constraints().shape(service, item_name)?;
            items.iter().find_map(|item| problem(item, item_shape, service))
        }
    }
}

/// The key of an argument in the map: `aws_dynamodb_table attribute.type`.
pub fn argument_key(block: &Block, path: &str) -> Option<String> {
    let block_labels = labels(block);
    let type_name = block_labels.first()?;
    match block.ident.as_str() {
        "resource" => Some(format!("{type_name} {path}")),
        "data" => Some(format!("data.{type_name} {path}")),
        _ => None,
    }
}

/// Arguments that are Terraform's own, not the resource's.
const META: &[&str] = &["provider", "for_each", "count", "depends_on", "tags", "tags_all"];

/// Every argument of a resource or data block with a literal value: its path and value
/// and span, through nested and `dynamic` blocks.
pub fn literal_arguments(
    body: &Body,
    prefix: &str,
    found: &mut Vec<(String, Literal, Option<std::ops::Range<usize>>)>,
) {
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attribute) => {
                let name = attribute.key.as_str();
                if prefix.is_empty() && META.contains(&name) {
                    continue;
                }
                if let Some(value) = literal(&attribute.value) {
                    let path = if prefix.is_empty() {
                        name.to_string()
                    } else {
                        format!("{prefix}.{name}")
                    };
                    found.push((path, value, attribute.span()));
                }
            }
            Structure::Block(nested) => {
                let ident = nested.ident.as_str();
                if prefix.is_empty() && matches!(ident, "lifecycle" | "provisioner" | "connection") {
                    continue;
                }
                let (name, body) = if ident == "dynamic" {
                    let Some(content) = nested.body.get_blocks("content").next() else {
                        continue;
                    };
                    (
                        labels(nested)
                            .first()
                            .map(|label| label.to_string())
                            .unwrap_or_default(),
                        &content.body,
                    )
                } else {
                    (ident.to_string(), &nested.body)
                };
                let path = if prefix.is_empty() {
                    name
                } else {
                    format!("{prefix}.{name}")
                };
                literal_arguments(body, &path, found);
            }
        }
    }
}

/// Checks every mapped literal argument of one top-level block.
pub fn check_block(site: &Site<'_>, block: &Block, errors: &mut Vec<InternalError>) {
    if !matches!(block.ident.as_str(), "resource" | "data") {
        return;
    }
    let block_labels = labels(block);
    let address = block_labels.join(".");
    let tables = constraints();
    let mut arguments = Vec::new();
    literal_arguments(&block.body, "", &mut arguments);
    for (path, value, span) in arguments {
        let Some(key) = argument_key(block, &path) else {
            continue;
        };
        let Some((mapping, name, shape)) = tables.checked_field(&key) else {
            continue;
        };
        let service = mapping.service.as_deref().unwrap_or_default();
        if let Some(problem) = problem(&value, shape, service) {
            let field = match &mapping.member {
                Some(member) => format!("{}.{member}", mapping.shape.as_deref().unwrap_or_default()),
                None => name.to_string(),
            };
            errors.push(site.error(
                span,
                "aws-constraint",
                format!(
                    "{address}: `{path}`: {problem} (AWS {service} API, {field} → {name}, from {})",
                    tables.source
                ),
            ));
        }
    }
}

/// The keys of every literal argument of resource and data blocks in HCL text.
pub fn argument_keys(text: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let Ok(body) = hcl::edit::parser::parse_body(text) else {
        return keys;
    };
    for block in body.blocks() {
        let mut arguments = Vec::new();
        literal_arguments(&block.body, "", &mut arguments);
        for (path, _, _) in arguments {
            if let Some(key) = argument_key(block, &path) {
                keys.insert(key);
            }
        }
    }
    keys
}
