//! Layer 3: every `resource`, `data` and `ephemeral` block matches the AWS provider's
//! schema, vendored in `schemas/aws-provider-schema.json` (extracted from the provider's
//! own CDK bindings by `scripts/extract-provider-schema.py`, with its version inside).
//!
//! Checked: the type exists; every argument and nested block exists at its level;
//! required arguments and blocks are present; a single-nested block appears at most
//! once; literal values have the schema's type. Meta-arguments (`provider`, `count`,
//! `for_each`, `depends_on`, `lifecycle`) and `dynamic` blocks are understood. Blocks
//! the schema cannot describe (`"opaque"`, such as WAF rule statements) are checked
//! against the closest description the provider has, for names only.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use hcl::edit::Span;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Block, Body, Structure};
use serde::Deserialize;

use super::parsed::{Site, labels};
use crate::aws::vendored::{LazyTable, VendoredJson};
use crate::render::InternalError;

/// The vendored provider schema, embedded in the binary.
pub const PROVIDER_SCHEMA: &str = include_str!("../../schemas/aws-provider-schema.json");

/// The vendored provider schema; each type's schema is parsed when first asked for.
pub struct ProviderSchema {
    pub provider_version: String,
    pub package: String,
    pub package_sha256: String,
    pub resources: LazyTable<BlockSchema>,
    pub data_sources: LazyTable<BlockSchema>,
    pub ephemeral_resources: LazyTable<BlockSchema>,
}

#[derive(Debug, Deserialize, Default)]
pub struct BlockSchema {
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeSchema>,
    #[serde(default)]
    pub blocks: BTreeMap<String, NestedBlockSchema>,
}

#[derive(Debug, Deserialize)]
pub struct AttributeSchema {
    #[serde(default)]
    pub required: bool,
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Object-typed attributes (`list(object)`) may also be written as blocks.
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeSchema>,
    #[serde(default)]
    pub blocks: BTreeMap<String, NestedBlockSchema>,
}

#[derive(Debug, Deserialize)]
pub struct NestedBlockSchema {
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub nesting: String,
    #[serde(default)]
    pub opaque: bool,
    #[serde(default)]
    pub recursive_ref: Option<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeSchema>,
    #[serde(default)]
    pub blocks: BTreeMap<String, NestedBlockSchema>,
}

pub fn provider_schema() -> &'static ProviderSchema {
    static SCHEMA: OnceLock<ProviderSchema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let document = VendoredJson::split(PROVIDER_SCHEMA);
        ProviderSchema {
            provider_version: document
                .scalar("provider_version")
                .expect("the schema names its provider version"),
            package: document.scalar("package").expect("the schema names its package"),
            package_sha256: document
                .scalar("package_sha256")
                .expect("the schema carries its package hash"),
            resources: document.table("resources"),
            data_sources: document.table("data_sources"),
            ephemeral_resources: document.table("ephemeral_resources"),
        }
    })
}

/// Arguments every resource, data source and ephemeral resource accepts.
const META_ARGUMENTS: &[&str] = &["provider", "count", "for_each", "depends_on"];
const META_BLOCKS: &[&str] = &[
    "lifecycle",
    "provisioner",
    "connection",
    "precondition",
    "postcondition",
];

/// A view of a block's schema: its attributes and nested blocks.
struct Level<'a> {
    attributes: &'a BTreeMap<String, AttributeSchema>,
    blocks: &'a BTreeMap<String, NestedBlockSchema>,
    /// Only names are checked (schema borrowed from a related type, or object attributes).
    names_only: bool,
}

/// Checks one top-level block against the provider schema.
pub fn check_block(file: &Site<'_>, block: &Block, errors: &mut Vec<InternalError>) {
    let schema = provider_schema();
    let block_labels = labels(block);
    let (kind, table) = match block.ident.as_str() {
        "resource" => ("resource", &schema.resources),
        "data" => ("data source", &schema.data_sources),
        "ephemeral" => ("ephemeral resource", &schema.ephemeral_resources),
        _ => return,
    };
    let Some(type_name) = block_labels.first() else {
        return;
    };
    let address = format!("{}.{}", type_name, block_labels.get(1).unwrap_or(&""));
    if *type_name == "terraform_remote_state" {
        check_remote_state(file, block, &address, errors);
        return;
    }
    if !type_name.starts_with("aws_") {
        errors.push(file.error(
            block.span(),
            "schema",
            format!("{address}: topoc only emits AWS provider types"),
        ));
        return;
    }
    let Some(type_schema) = table.get(type_name) else {
        errors.push(file.error(
            block.span(),
            "schema",
            format!(
                "{address}: `{type_name}` is not a {kind} type of the AWS provider {}",
                schema.provider_version
            ),
        ));
        return;
    };
    let level = Level {
        attributes: &type_schema.attributes,
        blocks: &type_schema.blocks,
        names_only: false,
    };
    let mut checker = Checker {
        file,
        type_name,
        root: type_schema,
        errors,
    };
    checker.check_body(&block.body, &level, &address, true);
}

struct Checker<'a, 'e> {
    file: &'a Site<'a>,
    type_name: &'a str,
    root: &'a BlockSchema,
    errors: &'e mut Vec<InternalError>,
}

impl Checker<'_, '_> {
    fn error(&mut self, span: Option<std::ops::Range<usize>>, message: String) {
        self.errors.push(self.file.error(span, "schema", message));
    }

    fn check_body(&mut self, body: &Body, level: &Level<'_>, path: &str, top_level: bool) {
        let mut block_counts: BTreeMap<String, (usize, bool)> = BTreeMap::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    let name = attribute.key.as_str();
                    if top_level && META_ARGUMENTS.contains(&name) {
                        continue;
                    }
                    match level.attributes.get(name) {
                        Some(attribute_schema) => {
                            if !level.names_only
                                && let Some(problem) = literal_type_problem(&attribute_schema.kind, &attribute.value)
                            {
                                self.error(attribute.span(), format!("{path}: `{name}` {problem}"));
                            }
                        }
                        None if level.blocks.contains_key(name) => {
                            self.error(
                                attribute.span(),
                                format!("{path}: `{name}` is a block, not an argument; write `{name} {{ ... }}`"),
                            );
                        }
                        None => self.error(
                            attribute.span(),
                            format!("{path}: unknown argument `{name}`{}", suggestion(name, level)),
                        ),
                    }
                }
                Structure::Block(nested) => {
                    let ident = nested.ident.as_str();
                    if top_level && META_BLOCKS.contains(&ident) {
                        continue;
                    }
                    let (name, body, dynamic) = if ident == "dynamic" {
                        let name = labels(nested)
                            .first()
                            .map(|label| label.to_string())
                            .unwrap_or_default();
                        match nested.body.get_blocks("content").next() {
                            Some(content) => (name, &content.body, true),
                            None => {
                                self.error(
                                    nested.span(),
                                    format!("{path}: dynamic block `{name}` has no `content`"),
                                );
                                continue;
                            }
                        }
                    } else {
                        (ident.to_string(), &nested.body, false)
                    };
                    let entry = block_counts.entry(name.clone()).or_insert((0, false));
                    entry.0 += 1;
                    entry.1 |= dynamic;
                    let nested_path = format!("{path}.{name}");
                    if let Some(block_schema) = level.blocks.get(&name) {
                        self.check_nested(body, block_schema, &nested_path, level.names_only);
                    } else if let Some(object) = level
                        .attributes
                        .get(&name)
                        .filter(|attribute| attribute.kind.contains("object"))
                    {
                        // Attributes of object type accept the block syntax too.
                        let object_level = Level {
                            attributes: &object.attributes,
                            blocks: &object.blocks,
                            names_only: true,
                        };
                        self.check_body(body, &object_level, &nested_path, false);
                    } else {
                        self.error(
                            nested.span(),
                            format!("{path}: unknown block `{name}`{}", suggestion(&name, level)),
                        );
                    }
                }
            }
        }
        if level.names_only {
            return;
        }
        for (name, attribute_schema) in level.attributes {
            if attribute_schema.required && !body.has_attribute(name) && !block_counts.contains_key(name) {
                self.error(
                    body_span(body),
                    format!("{path}: required argument `{name}` is missing"),
                );
            }
        }
        for (name, block_schema) in level.blocks {
            let count = block_counts.get(name);
            if block_schema.required && count.is_none() {
                self.error(body_span(body), format!("{path}: required block `{name}` is missing"));
            }
            if block_schema.nesting == "single"
                && let Some((count, dynamic)) = count
                && *count > 1
                && !dynamic
            {
                self.error(
                    body_span(body),
                    format!("{path}: block `{name}` may appear at most once, found {count}"),
                );
            }
        }
    }

    fn check_nested(&mut self, body: &Body, block_schema: &NestedBlockSchema, path: &str, names_only: bool) {
        if let Some(reference) = &block_schema.recursive_ref {
            let Some(target) = resolve_path(self.root, reference) else {
                return;
            };
            let level = Level {
                attributes: &target.attributes,
                blocks: &target.blocks,
                names_only,
            };
            self.check_body(body, &level, path, false);
            return;
        }
        if block_schema.opaque {
            if let Some(fallback) = opaque_fallback(self.type_name, path) {
                let level = Level {
                    attributes: &fallback.attributes,
                    blocks: &fallback.blocks,
                    names_only: true,
                };
                self.check_body(body, &level, path, false);
            }
            return;
        }
        let level = Level {
            attributes: &block_schema.attributes,
            blocks: &block_schema.blocks,
            names_only,
        };
        self.check_body(body, &level, path, false);
    }
}

fn body_span(body: &Body) -> Option<std::ops::Range<usize>> {
    body.iter().next().and_then(|structure| match structure {
        Structure::Attribute(attribute) => attribute.span(),
        Structure::Block(block) => block.span(),
    })
}

/// `a.b` within a type's schema: follows nested blocks by name.
fn resolve_path<'a>(root: &'a BlockSchema, path: &str) -> Option<&'a NestedBlockSchema> {
    let mut parts = path.split('.');
    let mut current = root.blocks.get(parts.next()?)?;
    for part in parts {
        current = current.blocks.get(part)?;
    }
    Some(current)
}

/// The provider's CDK bindings type WAF rule statements of `aws_wafv2_web_acl` as `any`;
/// `aws_wafv2_web_acl_rule` describes the same statement language.
fn opaque_fallback(type_name: &str, path: &str) -> Option<&'static NestedBlockSchema> {
    if matches!(type_name, "aws_wafv2_web_acl" | "aws_wafv2_rule_group") && path.ends_with(".rule.statement") {
        return provider_schema()
            .resources
            .get("aws_wafv2_web_acl_rule")?
            .blocks
            .get("statement");
    }
    None
}

fn suggestion(name: &str, level: &Level<'_>) -> String {
    let candidates = level.attributes.keys().chain(level.blocks.keys()).map(String::as_str);
    crate::diag::suggest(name, candidates)
        .map(|candidate| format!(" (did you mean `{candidate}`?)"))
        .unwrap_or_default()
}

/// Why a literal cannot have the schema's type; expressions are not judged.
fn literal_type_problem(kind: &str, value: &Expression) -> Option<String> {
    let found = match value {
        Expression::String(_) => "a string",
        Expression::StringTemplate(template)
            if template
                .iter()
                .all(|element| matches!(element, hcl::edit::template::Element::Literal(_))) =>
        {
            "a string"
        }
        Expression::Number(_) => "a number",
        Expression::Bool(_) => "a boolean",
        Expression::Array(_) => "a list",
        Expression::Object(_) => "an object",
        _ => return None,
    };
    let accepted = match kind {
        "string" => matches!(found, "a string" | "a number" | "a boolean"),
        "number" => found == "a number",
        "bool" => found == "a boolean",
        kind if kind.starts_with("list(") || kind.starts_with("set(") => found == "a list",
        kind if kind.starts_with("map(") || kind == "object" => found == "an object",
        _ => true,
    };
    (!accepted).then(|| format!("must be {kind}, not {found}"))
}

fn check_remote_state(file: &Site<'_>, block: &Block, address: &str, errors: &mut Vec<InternalError>) {
    const ALLOWED: &[&str] = &["backend", "config", "workspace", "defaults"];
    for structure in block.body.iter() {
        if let Structure::Attribute(attribute) = structure
            && !ALLOWED.contains(&attribute.key.as_str())
        {
            errors.push(file.error(
                attribute.span(),
                "schema",
                format!("data.{address}: unknown argument `{}`", attribute.key.as_str()),
            ));
        }
    }
    if !block.body.has_attribute("backend") {
        errors.push(file.error(
            block.span(),
            "schema",
            format!("data.{address}: required argument `backend` is missing"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_schema_records_its_provenance() {
        let schema = provider_schema();
        assert_eq!(schema.provider_version, "6.69.1");
        assert!(schema.package.starts_with("cdktn-provider-aws"));
        assert_eq!(schema.package_sha256.len(), 64);
        assert!(schema.resources.contains_key("aws_dynamodb_table"));
    }
}
