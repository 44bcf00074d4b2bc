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
use super::parsed::{Site, attribute, labels, object_key_name, string_literal, traversal_path};
use crate::ir::StackKind;
use crate::render::{InternalError, StackInfo};

/// Where one root reaches: its providers' regions, its backend, the remote states it reads.
#[derive(Default)]
pub struct FileFacts {
    providers: Vec<Place>,
    backend: Option<Place>,
    remote_states: Vec<Place>,
    /// The default of the root's `state_region` variable, if it declares one.
    state_region_default: Option<String>,
}

/// A region (and bucket) named by a provider, a backend or a remote state.
struct Place {
    what: String,
    line: Option<usize>,
    region: Option<String>,
    bucket: Option<String>,
    /// For a remote state read through `var.state_region`: the bucket name's literal
    /// part before it (`<state.bucket>-`).
    through_variable: Option<String>,
}

/// The literal head of `"<head>${var.state_region}"`, when `bucket` and `region` read
/// the root's `state_region` variable and nothing else.
fn through_state_region(bucket: Option<&Expression>, region: Option<&Expression>) -> Option<String> {
    use hcl::edit::template::Element;
    let is_variable =
        |expression: &Expression| traversal_path(expression).is_some_and(|path| path == ["var", "state_region"]);
    if !region.is_some_and(is_variable) {
        return None;
    }
    let Some(Expression::StringTemplate(template)) = bucket else {
        return None;
    };
    let elements: Vec<&Element> = template.iter().collect();
    match elements.as_slice() {
        [Element::Literal(head), Element::Interpolation(interpolation)] if is_variable(&interpolation.expr) => {
            Some(head.value().to_string())
        }
        _ => None,
    }
}

/// The expression of `key` in an object expression.
fn object_value<'a>(expression: Option<&'a Expression>, key: &str) -> Option<&'a Expression> {
    let Some(Expression::Object(object)) = expression else {
        return None;
    };
    object
        .iter()
        .find(|(name, _)| object_key_name(name).as_deref() == Some(key))
        .map(|(_, value)| value.expr())
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
                through_variable: None,
            }),
            ("terraform", []) => {
                if let Some(backend) = block.body.get_blocks("backend").next() {
                    self.backend = Some(Place {
                        what: "the backend".to_string(),
                        line: site.line_of(backend.span()),
                        region: attribute(&backend.body, "region").and_then(string_literal),
                        bucket: attribute(&backend.body, "bucket").and_then(string_literal),
                        through_variable: None,
                    });
                }
            }
            ("data", ["terraform_remote_state", name]) => {
                let config = attribute(&block.body, "config");
                let region = object_value(config, "region");
                let bucket = object_value(config, "bucket");
                self.remote_states.push(Place {
                    what: format!("remote state `{name}`"),
                    line,
                    region: region.and_then(string_literal),
                    bucket: bucket.and_then(string_literal),
                    through_variable: through_state_region(bucket, region),
                });
            }
            ("variable", ["state_region"]) => {
                self.state_region_default = attribute(&block.body, "default").and_then(string_literal);
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
        let state_region_default = stack
            .files
            .iter()
            .find_map(|file| file.independence.state_region_default.clone());
        for file in &stack.files {
            let facts = &file.independence;
            // A remote state read through `var.state_region` is where the variable's
            // default puts it; only a root that spans regions may read one that way.
            let resolved: Vec<Place> = facts
                .remote_states
                .iter()
                .map(|remote| match (&remote.through_variable, &state_region_default) {
                    (Some(head), Some(default)) if info.home_region.is_none() => Place {
                        what: remote.what.clone(),
                        line: remote.line,
                        region: Some(default.clone()),
                        bucket: Some(format!("{head}{default}")),
                        through_variable: None,
                    },
                    _ => Place {
                        what: remote.what.clone(),
                        line: remote.line,
                        region: remote.region.clone(),
                        bucket: remote.bucket.clone(),
                        through_variable: None,
                    },
                })
                .collect();
            let places = facts
                .providers
                .iter()
                .chain(facts.backend.iter())
                .chain(resolved.iter());
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
            for remote in &resolved {
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
