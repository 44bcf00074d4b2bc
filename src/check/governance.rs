//! Rules about governance settings: SCPs need a deployment role to exempt, attached
//! SCPs name known targets, and required tags have a value.

use super::Context;
use crate::diag::{Code, Diagnostic};

/// Tags topoc sets on every resource itself, through the providers' default tags.
pub const TOPOC_MANAGED_TAGS: &[&str] = &["data-residency", "managed-by", "region", "topology"];

pub(super) fn check(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let topology = context.topology;
    let governance = &topology.governance;
    if !governance.scp_targets.is_empty() && governance.deployment_roles.is_empty() {
        diagnostics.push(
            Diagnostic::new(
                Code::DeploymentRoleMissing,
                context.key(&["governance", "scp_targets"]),
                "the SCPs would deny the pipeline the actions that create the topology's tables and databases"
                    .to_string(),
            )
            .with_hint("list the role that applies the Terraform under `governance.deployment_roles`"),
        );
    }
    for target in governance.attached_scps.keys() {
        if !governance.scp_targets.contains(target) {
            diagnostics.push(
                Diagnostic::new(
                    Code::UnknownScpTarget,
                    context.key(&["governance", "attached_scps", target]),
                    format!("`{target}` is not one of `governance.scp_targets`"),
                )
                .with_optional_hint(crate::diag::did_you_mean(
                    target,
                    governance.scp_targets.iter().map(String::as_str),
                )),
            );
        }
    }
    for (position, tag) in topology.governance.required_tags.iter().enumerate() {
        // A key AWS rejects is reported as such (TOPO0056), not as missing too.
        if TOPOC_MANAGED_TAGS.contains(&tag.as_str())
            || topology.tags.contains_key(tag)
            || super::values::tag_problem(tag, true).is_some()
        {
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
