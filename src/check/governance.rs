//! Rules about governance settings: required tags must have a value.

use super::Context;
use crate::diag::{Code, Diagnostic};

/// Tags topoc sets on every resource itself, through the providers' default tags.
pub const TOPOC_MANAGED_TAGS: &[&str] = &["data-residency", "region", "topology"];

pub(super) fn check(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let topology = context.topology;
    for (position, tag) in topology.governance.required_tags.iter().enumerate() {
        if TOPOC_MANAGED_TAGS.contains(&tag.as_str()) || topology.tags.contains_key(tag) {
            continue;
        }
        diagnostics.push(
            Diagnostic::new(
                Code::RequiredTagMissing,
                context.value(&["governance", "required_tags", &position.to_string()]),
                format!("required tag `{tag}` has no value under `tags`"),
            )
            .with_hint(format!("add `{tag}: <value>` under the top-level `tags` mapping")),
        );
    }
}
