//! Service Control Policies from the governance plan: the region deny, one residency
//! policy per residency class in use, and the protection policy. Each statement
//! carries plain-English notes for `review/scp-review.md`.
//!
//! Policies are typed structs serialized in a fixed field order, so the JSON is the
//! same bytes on every machine. A function's statements that exceed the size quota are
//! split across numbered policies, in statement order.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::Serializer;

use crate::aws::global_services::{NEEDED_ONLY_IN_US_EAST_1, region_deny_exemptions};
use crate::ir::governance::{GovernancePlan, ResidencyPlan};
use crate::ir::markdown::Markdown;
use crate::md;

/// A list IAM accepts as one string or as an array; one element is written as a string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OneOrMany(pub Vec<String>);

impl OneOrMany {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for OneOrMany {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.len() == 1 {
            serializer.serialize_str(&self.0[0])
        } else {
            self.0.serialize(serializer)
        }
    }
}

/// `Condition`: operator → key → values.
pub type Conditions = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// Conditions with a single value written as a string, as IAM's own examples do: shorter,
/// and the form policy linters expect for `Bool` and `Null`.
fn serialize_conditions<S: Serializer>(conditions: &Conditions, serializer: S) -> Result<S::Ok, S::Error> {
    let written: BTreeMap<&String, BTreeMap<&String, OneOrMany>> = conditions
        .iter()
        .map(|(operator, keys)| {
            (
                operator,
                keys.iter()
                    .map(|(key, values)| (key, OneOrMany(values.clone())))
                    .collect(),
            )
        })
        .collect();
    written.serialize(serializer)
}

#[derive(Clone, Debug, Serialize)]
pub struct Statement {
    #[serde(rename = "Sid")]
    pub sid: String,
    #[serde(rename = "Effect")]
    pub effect: &'static str,
    /// `"*"` in resource control policies, which name it; SCPs have no principal.
    #[serde(rename = "Principal", skip_serializing_if = "Option::is_none")]
    pub principal: Option<&'static str>,
    #[serde(rename = "Action", skip_serializing_if = "OneOrMany::is_empty")]
    pub action: OneOrMany,
    #[serde(rename = "NotAction", skip_serializing_if = "OneOrMany::is_empty")]
    pub not_action: OneOrMany,
    #[serde(rename = "Resource", skip_serializing_if = "OneOrMany::is_empty")]
    pub resource: OneOrMany,
    #[serde(rename = "NotResource", skip_serializing_if = "OneOrMany::is_empty")]
    pub not_resource: OneOrMany,
    #[serde(
        rename = "Condition",
        skip_serializing_if = "BTreeMap::is_empty",
        serialize_with = "serialize_conditions"
    )]
    pub condition: Conditions,
    #[serde(skip)]
    pub notes: Notes,
}

/// What a reviewer needs to know about a statement, as Markdown for the review page.
#[derive(Clone, Debug, Default)]
pub struct Notes {
    pub denies: Markdown,
    pub scope: Markdown,
    pub why: Markdown,
    pub exempts: Markdown,
    pub risk: Markdown,
}

/// `` `a`, `b`, `c` `` for the review page.
fn codes(items: &[String]) -> Markdown {
    Markdown::codes(items, ", ")
}

/// Who a statement exempts besides the pipeline: the break-glass roles, or no one.
fn break_glass_exemption(plan: &GovernancePlan, nobody: &'static str) -> Markdown {
    if plan.break_glass_roles.is_empty() {
        Markdown::literal(nobody)
    } else {
        md!("the break-glass roles {}", codes(&plan.break_glass_roles))
    }
}

/// Who the audit statements exempt: the break-glass roles and the
/// landing zone's roles.
fn break_glass_and_landing_zone_exemption(plan: &GovernancePlan, nobody: &'static str) -> Markdown {
    match (plan.break_glass_roles.is_empty(), plan.landing_zone_roles.is_empty()) {
        (_, true) => break_glass_exemption(plan, nobody),
        (true, false) => md!("the landing zone's roles {}", codes(&plan.landing_zone_roles)),
        (false, false) => md!(
            "the break-glass roles {} and the landing zone's roles {}",
            codes(&plan.break_glass_roles),
            codes(&plan.landing_zone_roles)
        ),
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct PolicyDocument {
    #[serde(rename = "Version")]
    pub version: &'static str,
    #[serde(rename = "Statement")]
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    pub fn minified(&self) -> String {
        serde_json::to_string(self).expect("policies serialize")
    }

    pub fn pretty(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("policies serialize");
        text.push('\n');
        text
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Function {
    RegionDeny,
    Residency,
    Protection,
    /// The data perimeter, a resource control policy.
    DataPerimeter,
}

impl Function {
    /// Whether policies of this function are resource control policies (the rest are SCPs).
    pub fn is_resource_control(self) -> bool {
        self == Function::DataPerimeter
    }

    /// The Organizations policy type of a policy of this function.
    pub fn policy_type(self) -> &'static str {
        if self.is_resource_control() {
            "RESOURCE_CONTROL_POLICY"
        } else {
            "SERVICE_CONTROL_POLICY"
        }
    }

    /// The size quota of a policy of this function: RCPs have their own.
    pub fn characters_per_policy(self, plan: &GovernancePlan) -> u32 {
        if self.is_resource_control() {
            crate::aws::quotas::RCP_CHARACTERS_PER_POLICY
        } else {
            plan.quota.characters_per_policy
        }
    }
}

/// How many of `scps` are service control policies, which take SCP attachment slots.
pub fn service_control_count(scps: &[Scp]) -> usize {
    scps.iter().filter(|scp| !scp.function.is_resource_control()).count()
}

/// One generated SCP.
#[derive(Clone, Debug)]
pub struct Scp {
    /// `<topology>-region-deny`, `<topology>-residency-eu`, `<topology>-protection-2`.
    pub name: String,
    /// File under `governance/policies/`.
    pub file: String,
    pub function: Function,
    pub description: String,
    pub document: PolicyDocument,
}

/// A statement too large for any policy on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OversizedStatement {
    pub policy: String,
    pub sid: String,
    pub characters: usize,
    pub limit: u32,
}

fn strings<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Vec<String> {
    items.into_iter().map(Into::into).collect()
}

fn conditions(entries: &[(&str, &str, Vec<String>)]) -> Conditions {
    let mut map: Conditions = BTreeMap::new();
    for (operator, key, values) in entries {
        if values.is_empty() {
            continue;
        }
        map.entry(operator.to_string())
            .or_default()
            .insert(key.to_string(), values.clone());
    }
    map
}

/// The exact ARNs of roles given as `<path/>name`: in each of `accounts`, or in any
/// account when none is given. A role of the same name under another path is not matched,
/// so it cannot borrow the exemption.
pub fn role_patterns(roles: &[String], accounts: &[String]) -> Vec<String> {
    let accounts: Vec<&str> = if accounts.is_empty() {
        vec!["*"]
    } else {
        accounts.iter().map(String::as_str).collect()
    };
    roles
        .iter()
        .flat_map(|role| {
            accounts
                .iter()
                .map(move |account| format!("arn:*:iam::{account}:role/{role}"))
        })
        .collect()
}

impl GovernancePlan {
    /// ARN patterns of the break-glass roles.
    fn break_glass_arns(&self) -> Vec<String> {
        role_patterns(&self.break_glass_roles, &self.workload_accounts)
    }

    /// ARN patterns of the break-glass roles and the landing zone's roles.
    fn break_glass_and_landing_zone_arns(&self) -> Vec<String> {
        let mut arns = self.break_glass_arns();
        arns.extend(role_patterns(&self.landing_zone_roles, &self.workload_accounts));
        arns
    }

    /// ARN patterns of the deployment roles and the break-glass roles.
    fn pipeline_and_break_glass_arns(&self) -> Vec<String> {
        let mut arns = role_patterns(&self.deployment_roles, &self.workload_accounts);
        arns.extend(self.break_glass_arns());
        arns
    }

    /// ARN patterns of the GameDay role (the experiments' role, exempt where they write).
    fn gameday_arns(&self) -> Vec<String> {
        role_patterns(std::slice::from_ref(&self.gameday_role), &self.workload_accounts)
    }
}

/// `eu` → `Eu`, `eu-gdpr` → `EuGdpr`, for statement ids (which allow letters and digits only).
fn camel(name: &str) -> String {
    name.split(['-', '_'])
        .map(|part| {
            let mut characters = part.chars();
            characters
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + characters.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn statement(
    sid: String,
    action: Vec<String>,
    resource: Vec<String>,
    condition: Conditions,
    notes: Notes,
) -> Statement {
    Statement {
        sid,
        effect: "Deny",
        principal: None,
        action: OneOrMany(action),
        not_action: OneOrMany::default(),
        resource: OneOrMany(resource),
        not_resource: OneOrMany::default(),
        condition,
        notes,
    }
}

fn region_deny(plan: &GovernancePlan) -> Vec<Statement> {
    // The landing zone's roles get no exemption here: AWS Config, which they keep running
    // in every governed region, is among the global actions of `NotAction` already.
    let break_glass = plan.break_glass_arns();
    let exemption = break_glass_exemption(plan, "no one: no break-glass roles are declared");
    let mut statements = vec![Statement {
        sid: "DenyOutsideSanctionedRegions".to_string(),
        effect: "Deny",
        principal: None,
        action: OneOrMany::default(),
        not_action: OneOrMany(strings(region_deny_exemptions().map(|(action, _)| *action))),
        resource: OneOrMany(strings(["*"])),
        not_resource: OneOrMany::default(),
        condition: conditions(&[
            ("StringNotEquals", "aws:RequestedRegion", plan.allowed_regions.clone()),
            ("ArnNotLike", "aws:PrincipalARN", break_glass.clone()),
        ]),
        notes: Notes {
            denies: Markdown::literal(
                "every action, except the global and single-region services listed in `NotAction`",
            ),
            scope: md!("requests to any region but {}", codes(&plan.allowed_regions)),
            why: md!(
                "the topology runs in {}{}; nothing may be created or changed anywhere else",
                codes(&plan.workload_regions),
                Markdown::literal(if plan.edge_only_region.is_some() {
                    ", and its edge needs us-east-1 (CloudFront's certificate and WAF, edge logs and alarms)"
                } else {
                    ""
                })
            ),
            exempts: md!(
                "{}; and {} global-service actions (Control Tower's region-deny list: identity, billing, edge, Config, and more, without {}, which only global services' calls in us-east-1 need, and us-east-1 is allowed)",
                exemption,
                Markdown::number(region_deny_exemptions().count()),
                codes(&strings(NEEDED_ONLY_IN_US_EAST_1.iter().copied()))
            ),
            risk: Markdown::literal(
                "the global services in `NotAction` stay usable in every region (IAM, STS, Organizations, Route 53, CloudFront and the others listed below); regional services, KMS, ACM and WAF included, are denied outside the listed regions. A break-glass role can act in any region; its use pages the alarm subscribers",
            ),
        },
    }];
    if let Some(edge_region) = &plan.edge_only_region {
        statements.push(statement(
            "DenyWorkloadsInEdgeRegion".to_string(),
            strings([
                "dynamodb:CreateTable",
                "dynamodb:CreateTableReplica",
                "ec2:CreateVpc",
                "ec2:RunInstances",
                "ecs:CreateCluster",
                "ecs:CreateService",
                "ecs:RunTask",
                "elasticloadbalancing:CreateLoadBalancer",
                "lambda:CreateFunction",
                "rds:CreateDBCluster",
                "rds:CreateDBInstance",
                "rds:CreateGlobalCluster",
                "secretsmanager:CreateSecret",
            ]),
            strings(["*"]),
            conditions(&[
                ("StringEquals", "aws:RequestedRegion", vec![edge_region.clone()]),
                ("ArnNotLike", "aws:PrincipalARN", break_glass),
            ]),
            Notes {
                denies: Markdown::literal("creating compute, networks, tables, databases and secrets"),
                scope: md!("in {}", Markdown::code(edge_region)),
                why: md!("{} is not a workload region; it is allowed only for what the edge needs there", Markdown::code(edge_region)),
                exempts: exemption,
                risk: Markdown::literal("other services stay usable in the edge region; this statement lists the ones that would hold workloads or data. A global-table replica is denied only if DynamoDB authorises it with the replica's region as the requested region, which topoc has not verified"),
            },
        ));
    }
    statements
}

/// Calls that create a resource holding data, or a key or secret that opens it; with the
/// residency tag on the request, they create data of the class.
const NEW_DATA_ACTIONS: &[&str] = &[
    "backup:CreateBackupVault",
    "dynamodb:CreateTable",
    "kms:CreateKey",
    "rds:CopyDBClusterSnapshot",
    "rds:CreateDBCluster",
    "rds:CreateDBClusterSnapshot",
    "rds:CreateDBInstance",
    "rds:CreateGlobalCluster",
    "rds:RestoreDBClusterFromSnapshot",
    "rds:RestoreDBClusterToPointInTime",
    "s3:CreateBucket",
    "secretsmanager:CreateSecret",
];

/// Calls made in the region a copy goes to, authorised on the resource copied from.
const COPY_ACTIONS: &[&str] = &[
    "dynamodb:RestoreTableFromBackup",
    "dynamodb:RestoreTableToPointInTime",
    "rds:CopyDBClusterSnapshot",
    "rds:CreateDBCluster",
    "rds:RestoreDBClusterFromSnapshot",
    "rds:RestoreDBClusterToPointInTime",
];

/// Calls that send data to a destination no condition key names.
const EXPORT_ACTIONS: &[&str] = &[
    "backup:StartCopyJob",
    "dynamodb:ExportTableToPointInTime",
    "rds:CreateGlobalCluster",
    "rds:ModifyDBClusterSnapshotAttribute",
    "rds:ModifyDBSnapshotAttribute",
    "rds:StartExportTask",
];

fn residency(plan: &GovernancePlan, class: &ResidencyPlan) -> Vec<Statement> {
    let name = camel(&class.name);
    let break_glass = plan.break_glass_arns();
    let pipeline_and_break_glass = plan.pipeline_and_break_glass_arns();
    let permitted = codes(&class.permitted);
    let class_label = md!("residency class {}", Markdown::code(&class.name));
    let exempt = break_glass_exemption(plan, "no one");
    let mut statements = vec![statement(
        format!("DenyKeyReplicasOutside{name}"),
        strings(["kms:ReplicateKey"]),
        strings(["*"]),
        conditions(&[
            (
                "StringEquals",
                "aws:ResourceTag/data-residency",
                vec![class.name.clone()],
            ),
            ("StringNotEquals", "kms:ReplicaRegion", class.permitted.clone()),
            ("ArnNotLike", "aws:PrincipalARN", break_glass.clone()),
        ]),
        Notes {
            denies: md!(
                "replicating a multi-Region KMS key tagged {}",
                Markdown::code(&format!("data-residency = {}", class.name))
            ),
            scope: md!("into any region but {}", permitted),
            why: md!(
                "data of {} is encrypted with that key; a replica elsewhere would let the data be decrypted there",
                class_label
            ),
            exempts: exempt.clone(),
            risk: Markdown::literal("keys without the tag are not covered; topoc tags every key it creates"),
        },
    )];
    {
        statements.push(statement(
            format!("DenySecretReplicasOutside{name}"),
            strings(["secretsmanager:ReplicateSecretToRegions"]),
            strings(["*"]),
            conditions(&[
                (
                    "StringEquals",
                    "aws:ResourceTag/data-residency",
                    vec![class.name.clone()],
                ),
                (
                    "ForAnyValue:StringNotEquals",
                    "secretsmanager:AddReplicaRegions",
                    class.permitted.clone(),
                ),
                ("ArnNotLike", "aws:PrincipalARN", break_glass.clone()),
            ]),
            Notes {
                denies: md!(
                    "adding replica regions to a secret tagged {}",
                    Markdown::code(&format!("data-residency = {}", class.name))
                ),
                scope: md!("when any added region is outside {}", permitted),
                why: md!(
                    "the database credentials of {} must stay where its data is",
                    class_label
                ),
                exempts: exempt.clone(),
                risk: Markdown::literal("secrets without the tag are not covered"),
            },
        ));
        statements.push(statement(
            format!("DenyNewSecretReplicasOutside{name}"),
            strings(["secretsmanager:CreateSecret"]),
            strings(["*"]),
            conditions(&[
                (
                    "StringEquals",
                    "aws:RequestTag/data-residency",
                    vec![class.name.clone()],
                ),
                (
                    "ForAnyValue:StringNotEquals",
                    "secretsmanager:AddReplicaRegions",
                    class.permitted.clone(),
                ),
                ("ArnNotLike", "aws:PrincipalARN", break_glass.clone()),
            ]),
            Notes {
                denies: md!(
                    "creating a secret tagged {} with replicas",
                    Markdown::code(&format!("data-residency = {}", class.name))
                ),
                scope: md!("when any replica region is outside {}", permitted),
                why: Markdown::literal("the same rule as above, for secrets created with their replicas in one call"),
                exempts: exempt.clone(),
                risk: Markdown::literal("secrets created without the tag are not covered"),
            },
        ));
    }
    let class_tag = Markdown::code(&format!("data-residency = {}", class.name));
    statements.push(statement(
        format!("DenyKeyPrimaryOutside{name}"),
        strings(["kms:UpdatePrimaryRegion"]),
        strings(["*"]),
        conditions(&[
            ("StringEquals", "aws:ResourceTag/data-residency", vec![class.name.clone()]),
            ("StringNotEquals", "kms:PrimaryRegion", class.permitted.clone()),
            ("ArnNotLike", "aws:PrincipalARN", break_glass.clone()),
        ]),
        Notes {
            denies: md!("moving the primary of a multi-Region key tagged {}", class_tag.clone()),
            scope: md!("to any region but {}", permitted),
            why: Markdown::literal("a primary moved out of the class could then replicate the key anywhere, and its key policy would be administered there"),
            exempts: exempt.clone(),
            risk: Markdown::literal("keys without the tag are not covered; topoc tags every key it creates, and the tag itself is protected"),
        },
    ));
    statements.push(statement(
        format!("DenyNewDataOutside{name}"),
        strings(NEW_DATA_ACTIONS.iter().copied()),
        strings(["*"]),
        conditions(&[
            ("StringEquals", "aws:RequestTag/data-residency", vec![class.name.clone()]),
            ("StringNotEquals", "aws:RequestedRegion", class.permitted.clone()),
            ("ArnNotLike", "aws:PrincipalARN", break_glass.clone()),
        ]),
        Notes {
            denies: md!("creating a table, database, snapshot, bucket, key, secret or backup vault tagged {}, whatever its name", class_tag.clone()),
            scope: md!("in any region but {}", permitted),
            why: md!("a copy of {} under another name is still data of the class; the tag on the request, not the name, decides", class_label),
            exempts: exempt.clone(),
            risk: Markdown::literal("a copy created without the tag is not matched by this statement; the copy statements below key on the tag of the data it is copied from"),
        },
    ));
    statements.push(statement(
        format!("DenyCopiesOutside{name}"),
        strings(COPY_ACTIONS.iter().copied()),
        strings(["*"]),
        conditions(&[
            ("StringEquals", "aws:ResourceTag/data-residency", vec![class.name.clone()]),
            ("StringNotEquals", "aws:RequestedRegion", class.permitted.clone()),
            ("ArnNotLike", "aws:PrincipalARN", break_glass.clone()),
        ]),
        Notes {
            denies: md!("restoring a table, copying or restoring a database snapshot, or joining a cluster to a global database, from data tagged {}", class_tag.clone()),
            scope: md!("when the call is made in any region but {} (these calls are made in the region the copy goes to)", permitted),
            why: md!("copies of {} under new names carry no tag of their own; the tag of the table, snapshot or global database they come from decides", class_label),
            exempts: exempt.clone(),
            risk: Markdown::literal("snapshots carry the class tag only when their cluster copies tags to snapshots, which topoc turns on for every cluster"),
        },
    ));
    let permitted_tables: Vec<String> = class
        .permitted
        .iter()
        .map(|region| format!("arn:*:dynamodb:{region}:*:table/*"))
        .collect();
    statements.push(Statement {
        sid: format!("DenyTableReplicasOutside{name}"),
        effect: "Deny",
        principal: None,
        action: OneOrMany(strings(["dynamodb:CreateTable", "dynamodb:CreateTableReplica"])),
        not_action: OneOrMany::default(),
        resource: OneOrMany::default(),
        not_resource: OneOrMany(permitted_tables),
        condition: conditions(&[
            ("StringEquals", "aws:ResourceTag/data-residency", vec![class.name.clone()]),
            ("ArnNotLike", "aws:PrincipalARN", break_glass.clone()),
        ]),
        notes: Notes {
            denies: md!("adding a global-table replica to a table tagged {}", class_tag.clone()),
            scope: md!("when the replica's ARN is in any region but {}", permitted),
            why: md!("a replica is created by a call in the table's own region; its ARN names the region it goes to, so one pattern per permitted region covers every table of {}, however many there are", class_label),
            exempts: exempt.clone(),
            risk: Markdown::literal("this relies on DynamoDB presenting the replicated table's tags when it authorises the replica; if it does not, the statement does not match, and the AWS Config replica-region rule reports the replica instead"),
        },
    });
    statements.push(statement(
        format!("DenyExportsOf{name}Data"),
        strings(EXPORT_ACTIONS.iter().copied()),
        strings(["*"]),
        conditions(&[
            ("StringEquals", "aws:ResourceTag/data-residency", vec![class.name.clone()]),
            ("ArnNotLike", "aws:PrincipalARN", break_glass.clone()),
        ]),
        Notes {
            denies: md!("exporting a table tagged {} to S3, sharing or exporting its database snapshots, cloning its cluster into a new global database, and copying its backups", class_tag),
            scope: Markdown::literal("in every region"),
            why: Markdown::literal("these calls name their destination (a bucket, an account, a vault) in no condition key, so no region check is possible: they are denied outright"),
            exempts: exempt.clone(),
            risk: md!("exports, snapshot shares and backup copies of {} need a break-glass role", class_label),
        },
    ));
    if !class.bucket_patterns.is_empty() {
        let bucket_arns: Vec<String> = class
            .bucket_patterns
            .iter()
            .map(|pattern| format!("arn:*:s3:::{pattern}"))
            .collect();
        let mut location = vec![(
            "StringNotEquals",
            "s3:locationconstraint",
            class
                .permitted
                .iter()
                .filter(|region| *region != "us-east-1")
                .cloned()
                .collect(),
        )];
        if class.permitted.iter().any(|region| region == "us-east-1") {
            // A bucket in us-east-1 is created without a location constraint.
            location.push(("Null", "s3:locationconstraint", vec!["false".to_string()]));
        }
        location.push(("ArnNotLike", "aws:PrincipalARN", break_glass.clone()));
        statements.push(statement(
            format!("DenyBucketsOutside{name}"),
            strings(["s3:CreateBucket"]),
            bucket_arns.clone(),
            conditions(&location),
            Notes {
                denies: md!("creating a bucket named like {}", codes(&class.bucket_patterns)),
                scope: md!("with a location constraint outside {}", permitted),
                why: md!("objects of {} may only be stored in its regions; bucket ARNs carry no region, so the location constraint decides", class_label),
                exempts: exempt.clone(),
                risk: Markdown::literal("a bucket of the class created under another name is not covered; topoc derives every bucket name from the class"),
            },
        ));
        // Only the pipeline may set replication; with no deployment role named there is
        // no one to exempt, so the statement would lock the pipeline out. The GameDay role
        // may pause it (the next statement keeps it to pause requests).
        if !plan.deployment_roles.is_empty() {
            let gameday = plan.gameday_arns();
            let mut pipeline_break_glass_and_gameday = pipeline_and_break_glass.clone();
            pipeline_break_glass_and_gameday.extend(gameday.iter().cloned());
            statements.push(statement(
                format!("DenyReplicationChangesOn{name}Buckets"),
                strings(["s3:PutReplicationConfiguration"]),
                bucket_arns.clone(),
                conditions(&[("ArnNotLike", "aws:PrincipalARN", pipeline_break_glass_and_gameday)]),
                Notes {
                    denies: md!("changing the replication configuration of buckets named like {}", codes(&class.bucket_patterns)),
                    scope: Markdown::literal("in every region"),
                    why: Markdown::literal("S3 has no condition key for a replication destination; only the pipeline, whose replication rules stay inside the class (topoc proves it before writing), may set them"),
                    exempts: md!(
                        "the deployment roles {}, the GameDay role {} for pause requests only (next statement), and {}",
                        codes(&plan.deployment_roles),
                        Markdown::code(&plan.gameday_role),
                        exempt
                    ),
                    risk: Markdown::literal("the deployment roles can replicate anywhere; protect them as you protect production"),
                },
            ));
            statements.push(statement(
                format!("DenyReplicationRewritesByGameDayOn{name}Buckets"),
                strings(["s3:PutReplicationConfiguration"]),
                bucket_arns,
                conditions(&[
                    ("ArnLike", "aws:PrincipalARN", gameday),
                    ("BoolIfExists", "s3:IsReplicationPauseRequest", vec!["false".to_string()]),
                ]),
                Notes {
                    denies: md!(
                        "the GameDay role {} changing the replication configuration of buckets named like {} other than to pause it",
                        Markdown::code(&plan.gameday_role),
                        codes(&class.bucket_patterns)
                    ),
                    scope: Markdown::literal("in every region, for any request S3 does not mark as a pause request (`s3:IsReplicationPauseRequest` false or absent)"),
                    why: Markdown::literal("the GameDay experiment that pauses a bucket's replication rewrites its configuration; the exemption above must not let that role set a destination"),
                    exempts: Markdown::literal("no one"),
                    risk: md!(
                        "a pause request rewrites the bucket's own rules: the residency then rests on {} being usable only by AWS FIS (its trust policy), whose only replication action pauses and restores the rules, and on `DenyChangingExemptRoles`; if FIS restores the rules without the pause flag this statement denies it and they stay paused until `replication/` is applied, which the drill checks",
                        Markdown::code(&plan.gameday_role)
                    ),
                },
            ));
        }
    }
    if !class.cluster_patterns.is_empty() {
        let mut resources: Vec<String> = class
            .cluster_patterns
            .iter()
            .map(|pattern| format!("arn:*:rds:*:*:cluster:{pattern}"))
            .collect();
        resources.extend(
            class
                .global_clusters
                .iter()
                .map(|global| format!("arn:*:rds::*:global-cluster:{global}")),
        );
        statements.push(statement(
            format!("DenyDatabasesOutside{name}"),
            strings(["rds:CreateDBCluster"]),
            resources,
            conditions(&[
                ("StringNotEquals", "aws:RequestedRegion", class.permitted.clone()),
                ("ArnNotLike", "aws:PrincipalARN", break_glass),
            ]),
            Notes {
                denies: md!("creating an Aurora cluster of {}, or joining a cluster to its global databases ({})", class_label, codes(&class.global_clusters)),
                scope: md!("in any region but {}", permitted),
                why: Markdown::literal("an Aurora secondary is created by calling CreateDBCluster in its own region, so the requested region is the secondary's"),
                exempts: exempt,
                risk: Markdown::literal("none beyond the break-glass roles"),
            },
        ));
    }
    statements
}

fn protection(plan: &GovernancePlan) -> Vec<Statement> {
    let break_glass = plan.break_glass_arns();
    let pipeline = plan.pipeline_and_break_glass_arns();
    let mut pipeline_and_gameday = pipeline.clone();
    pipeline_and_gameday.extend(plan.gameday_arns());
    let prefix = &plan.name_prefix;
    let exempt = break_glass_exemption(plan, "no one");
    let exempt_pipeline = md!("the deployment roles {} and {}", codes(&plan.deployment_roles), exempt);
    // The landing zone sets up and replaces the audit services' recorders and trails.
    let audit_exempt_arns = plan.break_glass_and_landing_zone_arns();
    let audit_exempt = break_glass_and_landing_zone_exemption(plan, "no one");
    let audit = |sid: &str, actions: &[&str], what: &'static str, why: &'static str, risk: &'static str| {
        statement(
            sid.to_string(),
            strings(actions.iter().copied()),
            strings(["*"]),
            conditions(&[("ArnNotLike", "aws:PrincipalARN", audit_exempt_arns.clone())]),
            Notes {
                denies: Markdown::literal(what),
                scope: Markdown::literal("in every region, for every principal"),
                why: Markdown::literal(why),
                exempts: audit_exempt.clone(),
                risk: if plan.landing_zone_roles.is_empty() {
                    Markdown::literal(risk)
                } else {
                    md!(
                        "{}; the landing zone's roles {} may do it too, and nothing pages when they are used: only the landing zone's own automation should be able to assume them",
                        Markdown::literal(risk),
                        codes(&plan.landing_zone_roles)
                    )
                },
            },
        )
    };
    vec![
        audit(
            "DenyStoppingConfig",
            &[
                "config:DeleteConfigurationRecorder",
                "config:DeleteDeliveryChannel",
                "config:StopConfigurationRecorder",
            ],
            "deleting or stopping the AWS Config recorder and its delivery channel",
            "the Config rules that check global tables, clusters and residency tags need the recorder",
            "creating a second recorder is not denied; Config allows one per region",
        ),
        audit(
            "DenyStoppingCloudTrail",
            &["cloudtrail:DeleteTrail", "cloudtrail:StopLogging"],
            "stopping or deleting CloudTrail trails",
            "the audit trail of every change, including these guardrails' break-glass use",
            "`cloudtrail:UpdateTrail` stays allowed for the security team's tuning",
        ),
        audit(
            "DenyDisablingGuardDuty",
            &[
                "guardduty:DeleteDetector",
                "guardduty:DisassociateFromAdministratorAccount",
                "guardduty:DisassociateFromMasterAccount",
            ],
            "deleting GuardDuty detectors or leaving the administrator account",
            "threat detection must stay on in every region of the topology",
            "`guardduty:UpdateDetector`, which can suspend a detector, stays allowed for tuning",
        ),
        audit(
            "DenyDisablingSecurityHub",
            &["securityhub:DisableSecurityHub"],
            "disabling Security Hub",
            "the findings of the Config rules and GuardDuty are collected there",
            "none beyond the break-glass roles",
        ),
        statement(
            "DenyWeakeningTopologyTables".to_string(),
            strings([
                "dynamodb:DeleteBackup",
                "dynamodb:DeleteTable",
                "dynamodb:DeleteTableReplica",
                "dynamodb:UpdateContinuousBackups",
                "dynamodb:UpdateTable",
                "dynamodb:UpdateTimeToLive",
            ]),
            strings([format!("arn:*:dynamodb:*:*:table/{prefix}*")]),
            conditions(&[("ArnNotLike", "aws:PrincipalARN", pipeline.clone())]),
            Notes {
                denies: Markdown::literal(
                    "deleting the topology's tables, replicas or backups, and the calls that change point-in-time recovery, deletion protection, replicas and time to live (which expires items)",
                ),
                scope: md!(
                    "on tables named {}, in every region",
                    Markdown::code(&format!("{prefix}*"))
                ),
                why: Markdown::literal(
                    "DynamoDB has no condition key to tell enabling from disabling, so only the pipeline, which enables them, may call these",
                ),
                exempts: exempt_pipeline.clone(),
                risk: Markdown::literal("the deployment roles can weaken tables; a Config rule (PITR) reports it"),
            },
        ),
        statement(
            "DenyRewritingTopologyTablePolicies".to_string(),
            strings(["dynamodb:DeleteResourcePolicy", "dynamodb:PutResourcePolicy"]),
            strings([format!("arn:*:dynamodb:*:*:table/{prefix}*")]),
            conditions(&[("ArnNotLike", "aws:PrincipalARN", pipeline_and_gameday.clone())]),
            Notes {
                denies: Markdown::literal(
                    "writing or deleting the resource policy of a topology table or its stream, which could lock out the replication service",
                ),
                scope: md!(
                    "on tables named {} and their streams, in every region",
                    Markdown::code(&format!("{prefix}*"))
                ),
                why: Markdown::literal(
                    "a deny statement in a table's policy stops its replication as surely as deleting the replica",
                ),
                exempts: md!(
                    "the deployment roles {}, the GameDay role {}, and {}",
                    codes(&plan.deployment_roles),
                    Markdown::code(&plan.gameday_role),
                    exempt
                ),
                risk: md!(
                    "the GameDay experiment that pauses replication writes time-limited deny statements into the policies of a region's replicas and removes them at its end; {} trusts only AWS FIS, its own policy allows no other table call, and `DenyChangingExemptRoles` keeps anyone but the deployment roles from changing it",
                    Markdown::code(&plan.gameday_role)
                ),
            },
        ),
        statement(
            "DenyWeakeningTopologyDatabases".to_string(),
            strings([
                "rds:DeleteDBCluster",
                "rds:DeleteDBClusterSnapshot",
                "rds:DeleteDBInstance",
                "rds:DeleteGlobalCluster",
                "rds:ModifyDBCluster",
                "rds:ModifyDBInstance",
                "rds:ModifyGlobalCluster",
                "rds:RemoveFromGlobalCluster",
            ]),
            strings([
                format!("arn:*:rds:*:*:cluster:{prefix}*"),
                format!("arn:*:rds:*:*:cluster-snapshot:{prefix}*"),
                format!("arn:*:rds:*:*:cluster-snapshot:rds:{prefix}*"),
                format!("arn:*:rds:*:*:db:{prefix}*"),
                format!("arn:*:rds::*:global-cluster:{prefix}*"),
            ]),
            conditions(&[("ArnNotLike", "aws:PrincipalARN", pipeline.clone())]),
            Notes {
                denies: Markdown::literal(
                    "deleting or modifying the topology's Aurora clusters, instances and global databases, deleting their snapshots, and detaching a cluster from its global database",
                ),
                scope: md!(
                    "on clusters named {}, in every region",
                    Markdown::code(&format!("{prefix}*"))
                ),
                why: Markdown::literal(
                    "ModifyDBCluster can turn deletion protection off and RemoveFromGlobalCluster splits a region off; switchover and failover stay allowed",
                ),
                exempts: exempt_pipeline.clone(),
                risk: Markdown::literal(
                    "operators change cluster settings through the pipeline; `rds:SwitchoverGlobalCluster` and `rds:FailoverGlobalCluster` are not denied",
                ),
            },
        ),
        statement(
            "DenyWeakeningTopologyBuckets".to_string(),
            strings([
                "s3:DeleteBucket",
                "s3:DeleteBucketPolicy",
                "s3:PutBucketObjectLockConfiguration",
                "s3:PutBucketPolicy",
                "s3:PutBucketPublicAccessBlock",
                "s3:PutBucketTagging",
                "s3:PutBucketVersioning",
                "s3:PutEncryptionConfiguration",
                "s3:PutLifecycleConfiguration",
            ]),
            strings([format!("arn:*:s3:::{prefix}*")]),
            conditions(&[("ArnNotLike", "aws:PrincipalARN", pipeline.clone())]),
            Notes {
                denies: Markdown::literal(
                    "deleting the topology's buckets or changing their versioning, encryption, public access block, tags, bucket policy (which could deny the replication role) and lifecycle rules (which could expire every object)",
                ),
                scope: md!("on buckets named {}", Markdown::code(&format!("{prefix}*"))),
                why: Markdown::literal(
                    "replication needs versioning, and the residency tag must stay; S3 has no condition key for tag keys on bucket tagging",
                ),
                exempts: exempt_pipeline.clone(),
                risk: Markdown::literal(
                    "buckets of other systems whose names start with the same prefix are covered too",
                ),
            },
        ),
        statement(
            "DenyPermanentDeletesInTopologyBuckets".to_string(),
            strings(["s3:DeleteObjectVersion"]),
            strings([format!("arn:*:s3:::{prefix}*/*")]),
            conditions(&[("ArnNotLike", "aws:PrincipalARN", break_glass.clone())]),
            Notes {
                denies: Markdown::literal("deleting object versions for good in the topology's buckets"),
                scope: md!("on objects of buckets named {}", Markdown::code(&format!("{prefix}*"))),
                why: Markdown::literal(
                    "a delete only adds a delete marker on a versioned bucket, which replication and recovery can undo; deleting a version cannot be undone",
                ),
                exempts: exempt.clone(),
                risk: Markdown::literal(
                    "no one but a break-glass role can purge an object's old versions, for example to honour an erasure request",
                ),
            },
        ),
        statement(
            "DenyWeakeningTopologyKeys".to_string(),
            strings([
                "kms:DisableKey",
                "kms:DisableKeyRotation",
                "kms:PutKeyPolicy",
                "kms:ScheduleKeyDeletion",
            ]),
            strings(["*"]),
            conditions(&[
                (
                    "StringEquals",
                    "aws:ResourceTag/topology",
                    vec![plan.tag_topology.clone()],
                ),
                ("ArnNotLike", "aws:PrincipalARN", pipeline.clone()),
            ]),
            Notes {
                denies: Markdown::literal(
                    "disabling the topology's KMS keys, scheduling their deletion, turning off their rotation, and replacing their key policies",
                ),
                scope: md!(
                    "on keys tagged {}, in every region",
                    Markdown::code(&format!("topology = {}", plan.tag_topology))
                ),
                why: Markdown::literal(
                    "every table, cluster, bucket and log of the topology is encrypted with these keys: a disabled or deleted key makes all of it unreadable",
                ),
                exempts: exempt_pipeline.clone(),
                risk: Markdown::literal(
                    "the deployment roles can still schedule a key's deletion; the 30-day waiting window and CloudTrail are the remaining safeguards",
                ),
            },
        ),
        statement(
            "DenyWeakeningTopologySecrets".to_string(),
            strings([
                "secretsmanager:DeleteSecret",
                "secretsmanager:DeleteResourcePolicy",
                "secretsmanager:PutResourcePolicy",
                "secretsmanager:RemoveRegionsFromReplication",
            ]),
            strings([format!("arn:*:secretsmanager:*:*:secret:{}/*", plan.tag_topology)]),
            conditions(&[("ArnNotLike", "aws:PrincipalARN", pipeline.clone())]),
            Notes {
                denies: Markdown::literal(
                    "deleting the topology's secrets, changing their resource policies, and removing replica regions",
                ),
                scope: md!(
                    "on secrets named {}, in every region",
                    Markdown::code(&format!("{}/*", plan.tag_topology))
                ),
                why: Markdown::literal(
                    "the Aurora master credentials and the origin secret must stay readable in every region, including while one is down",
                ),
                exempts: exempt_pipeline.clone(),
                risk: Markdown::literal(
                    "promoting a replica during a region's loss (`StopReplicationToReplica`) stays allowed, as the region-loss runbook needs it; deleting the promoted copy afterwards needs the deployment or a break-glass role",
                ),
            },
        ),
        statement(
            "DenyChangingGuardrailTags".to_string(),
            strings(GUARDRAIL_TAG_ACTIONS.iter().copied()),
            strings(["*"]),
            conditions(&[
                (
                    "StringEquals",
                    "aws:ResourceTag/topology",
                    vec![plan.tag_topology.clone()],
                ),
                (
                    "ForAnyValue:StringEquals",
                    "aws:TagKeys",
                    strings(GUARDRAIL_TAGS.iter().copied()),
                ),
                ("ArnNotLike", "aws:PrincipalARN", pipeline.clone()),
            ]),
            Notes {
                denies: md!(
                    "adding, changing or removing the tags {} on the topology's tables, keys, databases, secrets and backups",
                    codes(&strings(GUARDRAIL_TAGS.iter().copied()))
                ),
                scope: md!(
                    "on resources tagged {}, in every region",
                    Markdown::code(&format!("topology = {}", plan.tag_topology))
                ),
                why: Markdown::literal(
                    "the residency and protection statements and the AWS Config rules key on these tags: rewriting `data-residency` or removing `topology` would blind them",
                ),
                exempts: exempt_pipeline.clone(),
                risk: Markdown::literal(
                    "S3 bucket tags are protected by name (`s3:PutBucketTagging` above), because S3 has no condition key for the tag keys a call changes",
                ),
            },
        ),
        statement(
            "DenyChangingExemptRoles".to_string(),
            strings(EXEMPT_ROLE_ACTIONS.iter().copied()),
            role_patterns(
                &plan
                    .break_glass_roles
                    .iter()
                    .chain(&plan.deployment_roles)
                    .chain(&plan.landing_zone_roles)
                    .chain(std::iter::once(&plan.gameday_role))
                    .cloned()
                    .collect::<Vec<_>>(),
                &[],
            ),
            conditions(&[("ArnNotLike", "aws:PrincipalARN", pipeline)]),
            Notes {
                denies: Markdown::literal(
                    "creating, deleting or changing (trust policy, permissions, boundary, tags) a role with the name and path of a deployment, break-glass or landing-zone role, or of the GameDay role",
                ),
                scope: Markdown::literal("in every account under the targets"),
                why: Markdown::literal(
                    "the exemptions match these roles' ARNs: whoever could create or re-trust such a role would be exempt from every statement",
                ),
                exempts: exempt_pipeline,
                risk: Markdown::literal(
                    "the roles themselves must be created and changed by the deployment roles, by a break-glass role, or from the management account, which SCPs never restrict. Control Tower creates its execution role itself only in the accounts it vends; enrolling an existing account under these targets, where the role is created inside the account, needs a break-glass role",
                ),
            },
        ),
    ]
}

/// The tags the guardrails key on.
pub const GUARDRAIL_TAGS: &[&str] = &["data-class", "data-residency", "topology"];

/// The calls that change tags on the stores, keys and secrets of a topology.
const GUARDRAIL_TAG_ACTIONS: &[&str] = &[
    "backup:TagResource",
    "backup:UntagResource",
    "dynamodb:TagResource",
    "dynamodb:UntagResource",
    "kms:TagResource",
    "kms:UntagResource",
    "rds:AddTagsToResource",
    "rds:RemoveTagsFromResource",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
];

/// The calls that create an IAM role or change who may assume it and what it may do.
const EXEMPT_ROLE_ACTIONS: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePermissionsBoundary",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
];

/// Packs a function's statements into as few policies as the size quota allows.
fn pack(
    plan: &GovernancePlan,
    function: Function,
    base: &str,
    description: &str,
    statements: Vec<Statement>,
    oversized: &mut Vec<OversizedStatement>,
) -> Vec<Scp> {
    let limit = function.characters_per_policy(plan) as usize;
    let document_size = |statements: &[Statement]| {
        PolicyDocument {
            version: "2012-10-17",
            statements: statements.to_vec(),
        }
        .minified()
        .chars()
        .count()
    };
    let mut groups: Vec<Vec<Statement>> = vec![Vec::new()];
    for statement in statements {
        let alone = document_size(std::slice::from_ref(&statement));
        if alone > limit {
            oversized.push(OversizedStatement {
                policy: format!("{}-{base}", plan.topology),
                sid: statement.sid.clone(),
                characters: alone,
                limit: limit as u32,
            });
            continue;
        }
        let current = groups.last_mut().expect("one group");
        current.push(statement);
        if document_size(current) > limit {
            let moved = current.pop().expect("just pushed");
            groups.push(vec![moved]);
        }
    }
    groups.retain(|group| !group.is_empty());
    let numbered = groups.len() > 1;
    groups
        .into_iter()
        .enumerate()
        .map(|(index, statements)| {
            let suffix = if numbered {
                format!("-{}", index + 1)
            } else {
                String::new()
            };
            Scp {
                name: format!("{}-{base}{suffix}", plan.topology),
                file: format!("{base}{suffix}.json"),
                function,
                description: description.to_string(),
                document: PolicyDocument {
                    version: "2012-10-17",
                    statements,
                },
            }
        })
        .collect()
}

/// The data perimeter: only principals of the organization, and AWS services acting
/// for it, may use the topology's data buckets, keys and secrets. A resource control
/// policy, because it limits who may reach a resource, from any account.
fn data_perimeter(plan: &GovernancePlan, organization: &str) -> Vec<Statement> {
    let outsiders =
        |sid: &str, actions: &[&str], resource: Vec<String>, extra: Option<(&str, &str, Vec<String>)>, notes: Notes| {
            let mut entries = vec![
                (
                    "StringNotEqualsIfExists",
                    "aws:PrincipalOrgID",
                    vec![organization.to_string()],
                ),
                ("BoolIfExists", "aws:PrincipalIsAWSService", vec!["false".to_string()]),
            ];
            entries.extend(extra);
            Statement {
                sid: sid.to_string(),
                effect: "Deny",
                principal: Some("*"),
                action: OneOrMany(strings(actions.iter().copied())),
                not_action: OneOrMany::default(),
                resource: OneOrMany(resource),
                not_resource: OneOrMany::default(),
                condition: conditions(&entries),
                notes,
            }
        };
    let organization_code = Markdown::code(organization);
    let buckets = codes(&plan.data_bucket_patterns);
    vec![
        outsiders(
            "DenyDataBucketsOutsideOrganization",
            &["s3:*"],
            plan.data_bucket_patterns
                .iter()
                .flat_map(|pattern| [format!("arn:*:s3:::{pattern}"), format!("arn:*:s3:::{pattern}/*")])
                .collect(),
            None,
            Notes {
                denies: md!(
                    "every S3 action on the data and state buckets {}, and their objects",
                    buckets
                ),
                scope: md!("to principals outside the organization {}", organization_code.clone()),
                why: Markdown::literal(
                    "a bucket policy or ACL that grants another account cannot open the data: the organization boundary holds whatever the bucket's own policy says",
                ),
                exempts: Markdown::literal("AWS services acting for the organization (`aws:PrincipalIsAWSService`)"),
                risk: Markdown::literal(
                    "a service principal acting for another account is not told apart from one acting for this organization; `aws:SourceOrgID` would narrow it where every service that writes here sets it",
                ),
            },
        ),
        outsiders(
            "DenyTopologyKeysOutsideOrganization",
            &["kms:*"],
            strings(["*"]),
            Some((
                "StringEquals",
                "aws:ResourceTag/topology",
                vec![plan.tag_topology.clone()],
            )),
            Notes {
                denies: Markdown::literal("every KMS action on the topology's keys"),
                scope: md!("to principals outside the organization {}", organization_code.clone()),
                why: Markdown::literal(
                    "whoever can decrypt with a key can read every copy of the data it encrypts; a key policy that grants another account cannot open it",
                ),
                exempts: Markdown::literal("AWS services acting for the organization"),
                risk: Markdown::literal(
                    "keys without the `topology` tag are not covered; topoc tags every key it creates, and the tag is protected",
                ),
            },
        ),
        outsiders(
            "DenyTopologySecretsOutsideOrganization",
            &["secretsmanager:*"],
            strings([format!("arn:*:secretsmanager:*:*:secret:{}/*", plan.tag_topology)]),
            None,
            Notes {
                denies: Markdown::literal("every Secrets Manager action on the topology's secrets"),
                scope: md!("to principals outside the organization {}", organization_code),
                why: Markdown::literal("the secrets hold the Aurora master credentials and the origin secret"),
                exempts: Markdown::literal("AWS services acting for the organization"),
                risk: Markdown::literal("none beyond the service principals"),
            },
        ),
    ]
}

/// Every SCP of the topology, in a fixed order, and the statements that fit nowhere.
pub fn generate(plan: &GovernancePlan) -> (Vec<Scp>, Vec<OversizedStatement>) {
    let mut oversized = Vec::new();
    let mut scps = pack(
        plan,
        Function::RegionDeny,
        "region-deny",
        &format!("{}: deny every region outside the topology's", plan.topology),
        region_deny(plan),
        &mut oversized,
    );
    for class in &plan.residency {
        scps.extend(pack(
            plan,
            Function::Residency,
            &format!("residency-{}", class.name),
            &format!(
                "{}: keep data of residency class {} in {}",
                plan.topology,
                class.name,
                class.permitted.join(", ")
            ),
            residency(plan, class),
            &mut oversized,
        ));
    }
    // The data perimeter binds principals of any account, so it needs no exemption.
    if let Some(organization) = &plan.organization_id {
        scps.extend(pack(
            plan,
            Function::DataPerimeter,
            "data-perimeter",
            &format!(
                "{}: only principals of the organization, and AWS services acting for it, use the topology's data",
                plan.topology
            ),
            data_perimeter(plan, organization),
            &mut oversized,
        ));
    }
    // The protection statements deny the calls that create and change the topology's
    // stores; without a deployment role to exempt they would lock the pipeline out, so
    // they exist only when one is named (the checker requires one when SCPs attach).
    if plan.deployment_roles.is_empty() {
        return (scps, oversized);
    }
    scps.extend(pack(
        plan,
        Function::Protection,
        "protection",
        &format!(
            "{}: protect the guardrails and the topology's data stores",
            plan.topology
        ),
        protection(plan),
        &mut oversized,
    ));
    (scps, oversized)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_ids_are_alphanumeric() {
        assert_eq!(camel("eu-gdpr"), "EuGdpr");
    }
}
