//! Layer 5: every regional block uses the provider of the region it belongs to.
//!
//! In a root stack every resource, data source (but `terraform_remote_state`) and
//! ephemeral resource names a declared provider alias, and that alias's region is the
//! region the IR assigned to the block; module calls pass the region's alias. Inside a
//! module nothing names a provider: the module inherits its region from the caller.
//! Replicas may not sit in their own table's or secret's region, and a cross-region
//! Aurora secondary may not name its own region as its source.

use std::collections::BTreeMap;

use hcl::edit::Span;
use hcl::edit::expr::{Expression, ObjectKey};
use hcl::edit::structure::Block;

use super::parsed::{ParsedFile, ParsedStack, attribute, labels, nested_literals, string_literal, traversal_path};
use crate::ir::StackKind;
use crate::render::InternalError;

pub fn check(stacks: &[ParsedStack]) -> Vec<InternalError> {
    let mut errors = Vec::new();
    for stack in stacks {
        let aliases = declared_aliases(stack);
        for file in &stack.files {
            for block in file.top_level_blocks() {
                let kind = block.ident.as_str();
                let block_labels = labels(block);
                let needs_provider = matches!(kind, "resource" | "data" | "ephemeral")
                    && !(kind == "data" && block_labels.first() == Some(&"terraform_remote_state"));
                match stack.kind {
                    StackKind::Module => {
                        if block.body.has_attribute("provider") || block.body.has_attribute("providers") {
                            errors.push(file.error(
                                block.span(),
                                "provider",
                                format!(
                                    "{} in a module names a provider; modules inherit their region's provider",
                                    address(block)
                                ),
                            ));
                        }
                    }
                    StackKind::Root if needs_provider => {
                        let alias = attribute(&block.body, "provider").and_then(traversal_path);
                        check_alias(file, block, alias.as_deref(), &aliases, &mut errors);
                    }
                    StackKind::Root if kind == "module" => {
                        let alias = attribute(&block.body, "providers").and_then(|providers| match providers {
                            Expression::Object(object) => object.iter().find_map(|(key, value)| {
                                let is_aws = match key {
                                    ObjectKey::Ident(ident) => ident.as_str() == "aws",
                                    ObjectKey::Expression(expression) => {
                                        traversal_path(expression).is_some_and(|path| path == ["aws"])
                                    }
                                };
                                if is_aws { traversal_path(value.expr()) } else { None }
                            }),
                            _ => None,
                        });
                        check_alias(file, block, alias.as_deref(), &aliases, &mut errors);
                    }
                    StackKind::Root => {}
                }
                check_replica_regions(file, block, &aliases, &mut errors);
            }
        }
    }
    errors
}

/// Alias → region of every `provider "aws"` block of the stack.
fn declared_aliases(stack: &ParsedStack) -> BTreeMap<String, String> {
    let mut aliases = BTreeMap::new();
    for file in &stack.files {
        for block in file.top_level_blocks() {
            if block.ident.as_str() == "provider" && labels(block) == ["aws"] {
                let alias = attribute(&block.body, "alias").and_then(string_literal);
                let region = attribute(&block.body, "region").and_then(string_literal);
                if let (Some(alias), Some(region)) = (alias, region) {
                    aliases.insert(alias, region);
                }
            }
        }
    }
    aliases
}

fn address(block: &Block) -> String {
    let block_labels = labels(block);
    match block.ident.as_str() {
        "resource" => block_labels.join("."),
        other => format!("{other}.{}", block_labels.join(".")),
    }
}

fn check_alias(
    file: &ParsedFile,
    block: &Block,
    alias: Option<&[String]>,
    aliases: &BTreeMap<String, String>,
    errors: &mut Vec<InternalError>,
) {
    let line = file.line_of(block.span()).unwrap_or(0);
    let intended = file.intended_region(line).flatten();
    let name = address(block);
    let alias_name = match alias {
        Some([provider, alias_name]) if provider == "aws" => alias_name,
        Some(other) => {
            errors.push(file.error(
                block.span(),
                "provider",
                format!("{name} uses provider `{}`, not an `aws.<alias>`", other.join(".")),
            ));
            return;
        }
        None => {
            errors.push(file.error(
                block.span(),
                "provider",
                format!("{name} names no provider; every block of a multi-region root must"),
            ));
            return;
        }
    };
    let Some(region) = aliases.get(alias_name) else {
        errors.push(file.error(
            block.span(),
            "provider",
            format!("{name} uses `aws.{alias_name}`, which this stack does not declare"),
        ));
        return;
    };
    match intended {
        Some(intended) if intended != region => errors.push(file.error(
            block.span(),
            "provider",
            format!("{name} belongs to {intended} but uses `aws.{alias_name}` ({region})"),
        )),
        None => errors.push(file.error(
            block.span(),
            "provider",
            format!("{name} is not assigned to a region by the IR"),
        )),
        _ => {}
    }
}

fn check_replica_regions(
    file: &ParsedFile,
    block: &Block,
    aliases: &BTreeMap<String, String>,
    errors: &mut Vec<InternalError>,
) {
    if block.ident.as_str() != "resource" {
        return;
    }
    let own_region = attribute(&block.body, "provider")
        .and_then(traversal_path)
        .and_then(|path| path.get(1).and_then(|alias| aliases.get(alias)).cloned());
    let Some(own_region) = own_region else { return };
    let name = address(block);
    for (region, span) in nested_literals(&block.body, "replica", &["region_name", "region"]) {
        if region.as_deref() == Some(own_region.as_str()) {
            errors.push(file.error(
                span,
                "replica-region",
                format!("{name} has a replica in its own region {own_region}"),
            ));
        }
    }
    if attribute(&block.body, "source_region")
        .and_then(string_literal)
        .as_deref()
        == Some(own_region.as_str())
    {
        errors.push(file.error(
            block.span(),
            "replica-region",
            format!("{name} names its own region {own_region} as its source"),
        ));
    }
}
