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

use super::StackFacts;
use super::parsed::{Site, attribute, labels, nested_literals, string_literal, traversal_path};
use crate::ir::StackKind;
use crate::render::InternalError;

/// What the provider layer needs of one file: the provider aliases it declares, and
/// each block's provider and replica regions, to check once the stack's aliases are known.
#[derive(Default)]
pub struct FileFacts {
    /// Alias → region of the file's `provider "aws"` blocks.
    pub aliases: Vec<(String, String)>,
    uses: Vec<ProviderUse>,
    replicas: Vec<ReplicaUse>,
}

/// A root block that must name a provider alias of the region the IR gave it.
struct ProviderUse {
    address: String,
    line: Option<usize>,
    /// The provider expression as a path (`aws.us_east_1`), if it is one.
    alias: Option<Vec<String>>,
    /// The region the IR assigned to the block, if any.
    intended: Option<String>,
}

/// A resource with replicas or a source region, which may not be its own region.
struct ReplicaUse {
    address: String,
    line: Option<usize>,
    alias: String,
    replicas: Vec<(Option<String>, Option<usize>)>,
    source_region: Option<String>,
}

impl FileFacts {
    /// Records one top-level block of a stack of `kind`; a provider named inside the
    /// region module is reported at once.
    pub fn add(&mut self, site: &Site<'_>, block: &Block, kind: StackKind, errors: &mut Vec<InternalError>) {
        let ident = block.ident.as_str();
        let block_labels = labels(block);
        if ident == "provider" && block_labels == ["aws"] {
            let alias = attribute(&block.body, "alias").and_then(string_literal);
            let region = attribute(&block.body, "region").and_then(string_literal);
            if let (Some(alias), Some(region)) = (alias, region) {
                self.aliases.push((alias, region));
            }
        }
        let needs_provider = matches!(ident, "resource" | "data" | "ephemeral")
            && !(ident == "data" && block_labels.first() == Some(&"terraform_remote_state"));
        let alias =
            match kind {
                StackKind::Module => {
                    if block.body.has_attribute("provider") || block.body.has_attribute("providers") {
                        errors.push(site.error(
                            block.span(),
                            "provider",
                            format!(
                                "{} in a module names a provider; modules inherit their region's provider",
                                address(block)
                            ),
                        ));
                    }
                    None
                }
                StackKind::Root if needs_provider => Some(attribute(&block.body, "provider").and_then(traversal_path)),
                StackKind::Root if ident == "module" => Some(attribute(&block.body, "providers").and_then(
                    |providers| match providers {
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
                    },
                )),
                StackKind::Root => None,
            };
        let line = site.line_of(block.span());
        if let Some(alias) = alias {
            self.uses.push(ProviderUse {
                address: address(block),
                line,
                alias,
                intended: line
                    .and_then(|line| site.file.intended_region(line))
                    .flatten()
                    .map(str::to_string),
            });
        }
        if ident == "resource"
            && let Some([_, alias]) = attribute(&block.body, "provider").and_then(traversal_path).as_deref()
        {
            let replicas: Vec<(Option<String>, Option<usize>)> =
                nested_literals(&block.body, "replica", &["region_name", "region"])
                    .into_iter()
                    .map(|(region, span)| (region, site.line_of(span)))
                    .collect();
            let source_region = attribute(&block.body, "source_region").and_then(string_literal);
            if !replicas.is_empty() || source_region.is_some() {
                self.replicas.push(ReplicaUse {
                    address: address(block),
                    line,
                    alias: alias.clone(),
                    replicas,
                    source_region,
                });
            }
        }
    }
}

/// Checks every block's provider against the aliases its stack declares.
pub fn check(stacks: &[StackFacts]) -> Vec<InternalError> {
    let mut errors = Vec::new();
    for stack in stacks {
        let aliases = declared_aliases(stack);
        for file in &stack.files {
            let error = |line: Option<usize>, rule: &str, message: String| InternalError {
                file: file.path.clone(),
                line,
                rule: rule.to_string(),
                message,
            };
            for provider_use in &file.providers.uses {
                if let Some(message) = alias_problem(provider_use, &aliases) {
                    errors.push(error(provider_use.line, "provider", message));
                }
            }
            for replica_use in &file.providers.replicas {
                let Some(own_region) = aliases.get(&replica_use.alias) else {
                    continue;
                };
                let name = &replica_use.address;
                for (region, line) in &replica_use.replicas {
                    if region.as_deref() == Some(own_region.as_str()) {
                        errors.push(error(
                            *line,
                            "replica-region",
                            format!("{name} has a replica in its own region {own_region}"),
                        ));
                    }
                }
                if replica_use.source_region.as_deref() == Some(own_region.as_str()) {
                    errors.push(error(
                        replica_use.line,
                        "replica-region",
                        format!("{name} names its own region {own_region} as its source"),
                    ));
                }
            }
        }
    }
    errors
}

/// Alias → region of every `provider "aws"` block of the stack.
pub fn declared_aliases(stack: &StackFacts) -> BTreeMap<String, String> {
    stack
        .files
        .iter()
        .flat_map(|file| file.providers.aliases.iter().cloned())
        .collect()
}

fn address(block: &Block) -> String {
    let block_labels = labels(block);
    match block.ident.as_str() {
        "resource" => block_labels.join("."),
        other => format!("{other}.{}", block_labels.join(".")),
    }
}

fn alias_problem(provider_use: &ProviderUse, aliases: &BTreeMap<String, String>) -> Option<String> {
    let name = &provider_use.address;
    let alias_name = match provider_use.alias.as_deref() {
        Some([provider, alias_name]) if provider == "aws" => alias_name,
        Some(other) => {
            return Some(format!(
                "{name} uses provider `{}`, not an `aws.<alias>`",
                other.join(".")
            ));
        }
        None => {
            return Some(format!(
                "{name} names no provider; every block of a multi-region root must"
            ));
        }
    };
    let Some(region) = aliases.get(alias_name) else {
        return Some(format!(
            "{name} uses `aws.{alias_name}`, which this stack does not declare"
        ));
    };
    match &provider_use.intended {
        Some(intended) if intended != region => Some(format!(
            "{name} belongs to {intended} but uses `aws.{alias_name}` ({region})"
        )),
        None => Some(format!("{name} is not assigned to a region by the IR")),
        _ => None,
    }
}
