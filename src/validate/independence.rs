//! Layer 5, continued: regional independence. Every root may call only the regions the
//! IR says it needs (the README's "needs regions" column and `review/region-loss.md` are
//! built from the same list, so neither can understate what a root depends on), and a
//! region's own root, `regions/<region>`, needs nothing of any other region: its
//! providers, its backend and every remote state it reads are in its region, and it
//! reads remote state only from its own state bucket.

use std::collections::BTreeMap;

use hcl::edit::Span;
use hcl::edit::expr::Expression;
use hcl::edit::structure::Block;

use super::StackFacts;
use super::parsed::{Site, attribute, labels, object_key_name, string_literal};
use crate::ir::StackKind;
use crate::render::{InternalError, StackInfo};

/// Where one root reaches: its providers' regions, its backend, the remote states it reads.
#[derive(Default)]
pub struct FileFacts {
    providers: Vec<Place>,
    backend: Option<Place>,
    remote_states: Vec<Place>,
}

/// A region (and bucket) named by a provider, a backend or a remote state.
struct Place {
    what: String,
    line: Option<usize>,
    region: Option<String>,
    bucket: Option<String>,
}

/// The literal value of `key` in an object expression.
fn object_literal(expression: Option<&Expression>, key: &str) -> Option<String> {
    let Some(Expression::Object(object)) = expression else {
        return None;
    };
    object
        .iter()
        .find(|(name, _)| object_key_name(name).as_deref() == Some(key))
        .and_then(|(_, value)| string_literal(value.expr()))
}

impl FileFacts {
    pub fn add(&mut self, site: &Site<'_>, block: &Block) {
        let line = site.line_of(block.span());
        match (block.ident.as_str(), labels(block).as_slice()) {
            ("provider", ["aws"]) => self.providers.push(Place {
                what: format!(
                    "provider `aws.{}`",
                    attribute(&block.body, "alias")
                        .and_then(string_literal)
                        .unwrap_or_default()
                ),
                line,
                region: attribute(&block.body, "region").and_then(string_literal),
                bucket: None,
            }),
            ("terraform", []) => {
                if let Some(backend) = block.body.get_blocks("backend").next() {
                    self.backend = Some(Place {
                        what: "the backend".to_string(),
                        line: site.line_of(backend.span()),
                        region: attribute(&backend.body, "region").and_then(string_literal),
                        bucket: attribute(&backend.body, "bucket").and_then(string_literal),
                    });
                }
            }
            ("data", ["terraform_remote_state", name]) => {
                let config = attribute(&block.body, "config");
                self.remote_states.push(Place {
                    what: format!("remote state `{name}`"),
                    line,
                    region: object_literal(config, "region"),
                    bucket: object_literal(config, "bucket"),
                });
            }
            _ => {}
        }
    }
}

/// Checks every root's places against the regions the IR declared for it.
pub fn check(stacks: &[StackFacts], infos: &[StackInfo]) -> Vec<InternalError> {
    let infos: BTreeMap<&str, &StackInfo> = infos.iter().map(|info| (info.directory.as_str(), info)).collect();
    let mut errors = Vec::new();
    for stack in stacks.iter().filter(|stack| stack.kind == StackKind::Root) {
        let Some(info) = infos.get(stack.directory.as_str()) else {
            continue;
        };
        let backend_bucket = stack
            .files
            .iter()
            .find_map(|file| file.independence.backend.as_ref())
            .and_then(|backend| backend.bucket.clone());
        for file in &stack.files {
            let facts = &file.independence;
            let places = facts
                .providers
                .iter()
                .chain(facts.backend.iter())
                .chain(facts.remote_states.iter());
            for place in places {
                let error = |message: String| InternalError {
                    file: file.path.clone(),
                    line: place.line,
                    rule: "independence".to_string(),
                    message,
                };
                let Some(region) = &place.region else {
                    errors.push(error(format!("{} names no literal region", place.what)));
                    continue;
                };
                if let Some(home) = &info.home_region {
                    if region != home {
                        errors.push(error(format!(
                            "{} is in {region}, but `{}` is {home}'s own root and may need no other region",
                            place.what, stack.directory
                        )));
                    }
                } else if !info.regions.contains(region) {
                    errors.push(error(format!(
                        "{} is in {region}, which `{}` does not list among the regions it needs ({})",
                        place.what,
                        stack.directory,
                        info.regions.join(", ")
                    )));
                }
            }
            for remote in &facts.remote_states {
                if remote.bucket != backend_bucket {
                    errors.push(InternalError {
                        file: file.path.clone(),
                        line: remote.line,
                        rule: "independence".to_string(),
                        message: format!(
                            "{} reads bucket {}, not the root's own state bucket {}",
                            remote.what,
                            remote.bucket.as_deref().unwrap_or("(not a literal)"),
                            backend_bucket.as_deref().unwrap_or("(none)")
                        ),
                    });
                }
            }
        }
        if let Some(home) = &info.home_region
            && info.regions != [home.clone()]
        {
            errors.push(InternalError {
                file: format!("{}/providers.tf", stack.directory),
                line: None,
                rule: "independence".to_string(),
                message: format!(
                    "`{}` is {home}'s own root but is listed as needing {}",
                    stack.directory,
                    info.regions.join(", ")
                ),
            });
        }
    }
    errors
}
