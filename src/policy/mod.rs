//! The policy phase: the governance plan of the IR to Service Control Policies, AWS
//! Config rules, the `governance/` Terraform stack that deploys them, and the review
//! page a policy reviewer signs off (`review/scp-review.md`).
//!
//! It sees only the IR. Quota problems it finds are returned in IR terms (a target, a
//! statement) and turned into spec diagnostics by the caller.

pub mod config;
pub mod evaluate;
pub mod scenarios;
pub mod scp;

use serde::Serialize;

use crate::aws::global_services::region_deny_exemptions;
use crate::aws::quotas::SCP_QUOTAS;
use crate::ir::context::{GOVERNANCE_ROOT, Root};
use crate::ir::governance::GovernancePlan;
use crate::ir::markdown::Markdown;
use crate::ir::{Block, File, FileFormat, Stack, identifier, provider_alias};
use crate::md;
use crate::naming;
use scp::{OversizedStatement, Scp};

/// A target whose attachments would exceed its quota.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotProblem {
    pub target: String,
    pub needed: usize,
    pub attached_by_others: usize,
    pub limit: u32,
}

/// Everything the policy phase produces.
pub struct Governance {
    pub scps: Vec<Scp>,
    pub oversized: Vec<OversizedStatement>,
    pub slot_problems: Vec<SlotProblem>,
    pub stack: Stack,
    pub review: File,
}

pub fn generate(plan: &GovernancePlan) -> Governance {
    let (scps, oversized) = scp::generate(plan);
    // Resource control policies have slots of their own; topoc makes at most one.
    let service_control = scp::service_control_count(&scps);
    let slot_problems = plan
        .targets
        .iter()
        .filter(|target| target.attached.len() + service_control > plan.quota.policies_per_target as usize)
        .map(|target| SlotProblem {
            target: target.id.clone(),
            needed: service_control,
            attached_by_others: target.attached.len(),
            limit: plan.quota.policies_per_target,
        })
        .collect();
    let stack = governance_stack(plan, &scps);
    let review = File::text(
        "review/scp-review.md",
        vec![Block::new("docs/scp-review.md.j2", None, &review_view(plan, &scps))],
    );
    Governance {
        scps,
        oversized,
        slot_problems,
        stack,
        review,
    }
}

#[derive(Serialize)]
struct PolicyView {
    resource: String,
    policy_type: &'static str,
    name: String,
    file: String,
    description: String,
}

#[derive(Serialize)]
struct RuleView {
    slug: String,
    identifier: String,
    resource_types: Option<Vec<&'static str>>,
    tag_key: Option<&'static str>,
    tag_value: Option<String>,
    periodic: bool,
    /// The rule's input parameters as the JSON text AWS Config takes.
    parameters: Option<String>,
    regions: Vec<String>,
}

#[derive(Serialize)]
struct CustomRuleView {
    slug: String,
    tag_key: &'static str,
    tag_value: String,
    resource_types: Vec<&'static str>,
    regions: Vec<String>,
    lines: Vec<String>,
}

#[derive(Serialize)]
struct RegionRules {
    region: String,
    alias: String,
    managed: bool,
    custom: bool,
}

#[derive(Serialize)]
struct GovernanceView {
    topology: String,
    alias: String,
    policies: Vec<PolicyView>,
    targets: Vec<String>,
    rules: Vec<RuleView>,
    custom_rules: Vec<CustomRuleView>,
    regions: Vec<RegionRules>,
}

/// Input parameters as a JSON object of strings, in the given order; none when empty.
fn json_parameters(parameters: Vec<(String, String)>) -> Option<String> {
    if parameters.is_empty() {
        return None;
    }
    let fields: Vec<String> = parameters
        .iter()
        .map(|(key, value)| {
            format!(
                "{}:{}",
                serde_json::Value::String(key.clone()),
                serde_json::Value::String(value.clone())
            )
        })
        .collect();
    Some(format!("{{{}}}", fields.join(",")))
}

fn rule_views(plan: &GovernancePlan) -> (Vec<RuleView>, Vec<CustomRuleView>) {
    let rules = config::MANAGED_RULES
        .iter()
        .map(|rule| {
            let (tag_key, tag_value) = match rule.scope {
                config::Scope::Topology => (Some("topology"), Some(plan.tag_topology.clone())),
                config::Scope::DataClass => (Some("data-class"), None),
                config::Scope::Account => (None, None),
            };
            RuleView {
                slug: rule.slug.to_string(),
                identifier: rule.identifier.to_string(),
                resource_types: (!rule.resource_types.is_empty()).then(|| rule.resource_types.to_vec()),
                tag_key,
                tag_value,
                periodic: rule.periodic,
                parameters: json_parameters(match rule.identifier {
                    "REQUIRED_TAGS" => config::required_tag_parameters(plan),
                    "S3_BUCKET_REPLICATION_ENABLED" => {
                        vec![("ReplicationType".to_string(), "CROSS-REGION".to_string())]
                    }
                    _ => Vec::new(),
                }),
                regions: config::regions_of(rule.placement, plan),
            }
        })
        .collect();
    let custom = config::custom_rules(plan)
        .into_iter()
        .map(|rule| CustomRuleView {
            slug: rule.slug,
            tag_key: rule.tag_key,
            tag_value: rule.tag_value,
            resource_types: rule.resource_types,
            regions: rule.regions,
            lines: rule.policy_lines,
        })
        .collect();
    (rules, custom)
}

fn governance_stack(plan: &GovernancePlan, scps: &[Scp]) -> Stack {
    let organizations_region = "us-east-1";
    let (rules, custom_rules) = rule_views(plan);
    let view = GovernanceView {
        topology: plan.topology.clone(),
        alias: provider_alias(organizations_region),
        policies: scps
            .iter()
            .map(|scp| PolicyView {
                resource: identifier(scp.file.trim_end_matches(".json")),
                policy_type: scp.function.policy_type(),
                name: scp.name.clone(),
                file: scp.file.clone(),
                description: scp.description.clone(),
            })
            .collect(),
        targets: plan.targets.iter().map(|target| target.id.clone()).collect(),
        regions: plan
            .config_regions
            .iter()
            .map(|region| RegionRules {
                region: region.clone(),
                alias: provider_alias(region),
                managed: rules.iter().any(|rule| rule.regions.contains(region)),
                custom: custom_rules.iter().any(|rule| rule.regions.contains(region)),
            })
            .collect(),
        rules,
        custom_rules,
    };
    let mut files = Vec::new();
    files.extend([
        File::hcl(
            "scps.tf",
            vec![Block::new("governance/scps.tf.j2", Some(organizations_region), &view)],
        ),
        File::hcl(
            "config_rules.tf",
            vec![Block::new("governance/config_locals.tf.j2", None, &view)],
        ),
    ]);
    let mut regional = Vec::new();
    for region in &plan.config_regions {
        regional.push(Block::new(
            "governance/config_region.tf.j2",
            Some(region),
            &serde_json::json!({ "region": region, "alias": provider_alias(region), "topology": plan.topology }),
        ));
    }
    files.push(File::hcl("config_regions.tf", regional));
    files.push(File::hcl(
        "outputs.tf",
        vec![Block::new("governance/outputs.tf.j2", None, &view)],
    ));
    for scp in scps {
        files.push(File {
            name: format!("policies/{}", scp.file),
            format: FileFormat::Json,
            blocks: vec![Block::new(
                "governance/policy.json.j2",
                None,
                &serde_json::json!({ "text": scp.document.pretty() }),
            )],
        });
    }
    Root {
        directory: GOVERNANCE_ROOT.to_string(),
        backend: Some(plan.backend.clone()),
        providers: plan.providers.clone(),
        remote_states: Vec::new(),
        home_region: None,
        implicit_needs: Vec::new(),
        state_region_choices: Vec::new(),
        summary: Markdown::literal(
            "Service Control Policies and their attachments to the organization's targets (Organizations, us-east-1), AWS Config organization rules in every region",
        ),
    }
    .into_stack(files)
}

#[derive(Serialize)]
struct StatementView {
    sid: String,
    effect: &'static str,
    actions: Markdown,
    resources: Markdown,
    conditions: Vec<Markdown>,
    denies: Markdown,
    scope: Markdown,
    why: Markdown,
    exempts: Markdown,
    risk: Markdown,
    /// The scenarios this statement denies (of those `scenarios` makes), and how many.
    proved_count: usize,
    proved_examples: Vec<Markdown>,
}

/// A scenario's description, whose backquoted names become code spans.
fn scenario_markdown(description: &str) -> Markdown {
    let mut markdown = Markdown::default();
    for (index, part) in description.split('`').enumerate() {
        if part.is_empty() {
            continue;
        }
        if index % 2 == 1 {
            markdown.push(&Markdown::code(part));
            continue;
        }
        // Plain text is trimmed when escaped; the spaces around code spans stay.
        if part.starts_with(' ') {
            markdown.push(&Markdown::literal(" "));
        }
        markdown.push(&Markdown::text(part));
        if part.ends_with(' ') && part.trim() != "" {
            markdown.push(&Markdown::literal(" "));
        }
    }
    markdown
}

#[derive(Serialize)]
struct ReviewPolicy {
    name: String,
    kind: &'static str,
    file: String,
    description: String,
    characters: usize,
    share: String,
    statements: Vec<StatementView>,
}

#[derive(Serialize)]
struct ReviewTarget {
    id: String,
    attached: Vec<String>,
    total: usize,
}

#[derive(Serialize)]
struct ReviewQuota {
    since: &'static str,
    policies_per_target: u32,
    characters_per_policy: u32,
    sources: Markdown,
    /// Whether the policies fit this quota: every policy within its size, and the
    /// attachments of every target within its count.
    fits_size: bool,
    fits_attachments: bool,
}

#[derive(Serialize)]
struct ReviewRule {
    name: String,
    identifier: String,
    checks: Markdown,
    scope: Markdown,
    regions: Markdown,
}

#[derive(Serialize)]
struct Review {
    topology: String,
    spec_file: String,
    limit_policies: u32,
    limit_characters: u32,
    quota_overridden: bool,
    quotas: Vec<ReviewQuota>,
    policies: Vec<ReviewPolicy>,
    policy_count: usize,
    targets: Vec<ReviewTarget>,
    exempt_groups: Vec<(String, Vec<&'static str>)>,
    rules: Vec<ReviewRule>,
    custom_rules: Vec<ReviewRule>,
    break_glass: Vec<String>,
    deployment_roles: Vec<String>,
    workload_accounts: Vec<String>,
    workload_regions: Vec<String>,
    organization_id: Option<String>,
    edge_log_bucket: String,
    accelerated: bool,
    residency_classes: Vec<String>,
    config_regions: Markdown,
    bucket_destination_rules: bool,
    scenario_count: usize,
    allowed_operations: Vec<Markdown>,
}

/// What the promised scenarios prove of one statement: the scenarios it denies, and
/// the actions of theirs it denies.
#[derive(Debug, Clone, Default)]
pub struct Proof {
    pub scenarios: Vec<String>,
    pub actions: std::collections::BTreeSet<String>,
}

impl Proof {
    /// The statement's own actions that no scenario it denies calls: the review would
    /// name them as denied with nothing behind it. An action pattern (`s3:*`) counts as
    /// tested when one scenario's action matches it.
    pub fn untested_actions<'a>(&self, statement: &'a scp::Statement) -> Vec<&'a str> {
        statement
            .action
            .0
            .iter()
            .filter(|pattern| {
                !self
                    .actions
                    .iter()
                    .any(|action| crate::aws::iam::wildcard_match(pattern, action))
            })
            .map(String::as_str)
            .collect()
    }
}

/// For each statement, as `(policy, Sid)`, what the `scenarios` (the promised denials)
/// prove of it.
pub fn proved_statements(
    evaluator: &evaluate::Evaluator<'_>,
    scenarios: &[(evaluate::Request, String)],
) -> std::collections::BTreeMap<(String, String), Proof> {
    let mut proved: std::collections::BTreeMap<(String, String), Proof> = std::collections::BTreeMap::new();
    for (request, _) in scenarios {
        for statement in evaluator.all_denying(request) {
            let proof = proved.entry(statement).or_default();
            proof.scenarios.push(request.description.clone());
            proof.actions.insert(request.action.clone());
        }
    }
    proved
}

fn describe_list(items: &[String], not: bool) -> Markdown {
    let joined = if items.len() > 6 {
        md!(
            "{} and {} more",
            Markdown::codes(&items[..6], ", "),
            Markdown::number(items.len() - 6)
        )
    } else {
        Markdown::codes(items, ", ")
    };
    if not { md!("all except {}", joined) } else { joined }
}

fn review_view(plan: &GovernancePlan, scps: &[Scp]) -> Review {
    let mut groups: std::collections::BTreeMap<crate::aws::global_services::Reason, Vec<&'static str>> =
        std::collections::BTreeMap::new();
    for (action, reason) in region_deny_exemptions() {
        groups.entry(*reason).or_default().push(action);
    }
    let rule_regions = |regions: &[String]| Markdown::codes(regions, ", ");
    let promised = scenarios::promised_denials(plan, &scenarios::pipeline(plan));
    let proved = proved_statements(&evaluate::Evaluator::new(scps), &promised);
    let service_control = scp::service_control_count(scps);
    let largest = scps
        .iter()
        .filter(|scp| !scp.function.is_resource_control())
        .map(|scp| scp.document.minified().chars().count())
        .max()
        .unwrap_or(0);
    let most_attached = plan
        .targets
        .iter()
        .map(|target| target.attached.len() + service_control)
        .max()
        .unwrap_or(service_control);
    Review {
        topology: plan.topology.clone(),
        spec_file: plan.spec_file.clone(),
        limit_policies: plan.quota.policies_per_target,
        limit_characters: plan.quota.characters_per_policy,
        quota_overridden: plan.quota_overridden,
        quotas: SCP_QUOTAS
            .iter()
            .map(|quota| ReviewQuota {
                since: quota.since,
                policies_per_target: quota.policies_per_target,
                characters_per_policy: quota.characters_per_policy,
                sources: Markdown::literal(quota.sources),
                fits_size: largest <= quota.characters_per_policy as usize,
                fits_attachments: most_attached <= quota.policies_per_target as usize,
            })
            .collect(),
        policies: scps
            .iter()
            .map(|scp| {
                let characters = scp.document.minified().chars().count();
                let limit = f64::from(scp.function.characters_per_policy(plan));
                ReviewPolicy {
                    kind: if scp.function.is_resource_control() {
                        "RCP"
                    } else {
                        "SCP"
                    },
                    name: scp.name.clone(),
                    file: scp.file.clone(),
                    description: scp.description.clone(),
                    characters,
                    share: format!("{:.0}%", characters as f64 / limit * 100.0),
                    statements: scp
                        .document
                        .statements
                        .iter()
                        .map(|statement| {
                            let backing = proved
                                .get(&(scp.name.clone(), statement.sid.clone()))
                                .map(|proof| proof.scenarios.clone())
                                .unwrap_or_default();
                            StatementView {
                                proved_count: backing.len(),
                                proved_examples: backing
                                    .iter()
                                    .take(3)
                                    .map(|example| scenario_markdown(example))
                                    .collect(),
                                sid: statement.sid.clone(),
                                effect: statement.effect,
                                actions: if statement.not_action.is_empty() {
                                    describe_list(&statement.action.0, false)
                                } else {
                                    describe_list(&statement.not_action.0, true)
                                },
                                resources: if statement.not_resource.is_empty() {
                                    describe_list(&statement.resource.0, false)
                                } else {
                                    describe_list(&statement.not_resource.0, true)
                                },
                                conditions: statement
                                    .condition
                                    .iter()
                                    .flat_map(|(operator, keys)| {
                                        keys.iter().map(move |(key, values)| {
                                            md!(
                                                "{} {}: {}",
                                                Markdown::code(operator),
                                                Markdown::code(key),
                                                describe_list(values, false)
                                            )
                                        })
                                    })
                                    .collect(),
                                denies: statement.notes.denies.clone(),
                                scope: statement.notes.scope.clone(),
                                why: statement.notes.why.clone(),
                                exempts: statement.notes.exempts.clone(),
                                risk: statement.notes.risk.clone(),
                            }
                        })
                        .collect(),
                }
            })
            .collect(),
        policy_count: service_control,
        targets: plan
            .targets
            .iter()
            .map(|target| ReviewTarget {
                id: target.id.clone(),
                attached: target.attached.clone(),
                total: target.attached.len() + service_control,
            })
            .collect(),
        exempt_groups: groups
            .into_iter()
            .map(|(reason, actions)| (reason.explanation().to_string(), actions))
            .collect(),
        rules: config::MANAGED_RULES
            .iter()
            .map(|rule| ReviewRule {
                name: naming::config_rule(&plan.topology, rule.slug),
                identifier: rule.identifier.to_string(),
                checks: Markdown::literal(rule.checks),
                scope: match rule.scope {
                    config::Scope::Topology => {
                        md!("tag {}", Markdown::code(&format!("topology = {}", plan.tag_topology)))
                    }
                    config::Scope::DataClass => Markdown::literal("tag `data-class` (data stores)"),
                    config::Scope::Account => Markdown::literal("the account"),
                },
                regions: rule_regions(&config::regions_of(rule.placement, plan)),
            })
            .collect(),
        custom_rules: config::custom_rules(plan)
            .into_iter()
            .map(|rule| ReviewRule {
                name: naming::config_rule(&plan.topology, &rule.slug),
                identifier: format!("Guard, {}", rule.resource_types.join(", ")),
                checks: rule.checks,
                scope: md!(
                    "tag {}",
                    Markdown::code(&format!("{} = {}", rule.tag_key, rule.tag_value))
                ),
                regions: rule_regions(&rule.regions),
            })
            .collect(),
        break_glass: plan.break_glass_roles.clone(),
        deployment_roles: plan.deployment_roles.clone(),
        workload_accounts: plan.workload_accounts.clone(),
        workload_regions: plan.workload_regions.clone(),
        organization_id: plan.organization_id.clone(),
        edge_log_bucket: plan.edge_log_bucket.clone(),
        accelerated: plan.accelerated,
        residency_classes: plan.residency.iter().map(|class| class.name.clone()).collect(),
        config_regions: rule_regions(&plan.config_regions),
        bucket_destination_rules: plan.bucket_classes.iter().any(|class| !class.destinations.is_empty()),
        scenario_count: promised.len(),
        allowed_operations: scenarios::legitimate_operations(plan)
            .into_iter()
            .map(|request| {
                md!(
                    "{} ({} in {})",
                    scenario_markdown(&request.description),
                    Markdown::code(&request.action),
                    Markdown::text(&request.region)
                )
            })
            .collect(),
    }
}
