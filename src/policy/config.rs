//! AWS Config rules: the managed rules the pattern relies on, with their exact
//! identifiers, and custom policy rules in CloudFormation Guard for what no managed
//! rule checks (every table is a global table with its planned replicas; every Aurora
//! secondary replicates from the global database's writer).
//!
//! Rules are organization rules, created from the management (or delegated
//! administrator) account in every region the topology uses, and scoped by tag to
//! the topology's resources. They need a configuration recorder in each member account
//! and region (Control Tower provides one).

use std::collections::BTreeMap;

use crate::ir::governance::GovernancePlan;
use crate::ir::markdown::Markdown;
use crate::md;
use crate::naming;

/// Which resources a rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Resources tagged `topology = <name>` (the providers' default tags).
    Topology,
    /// Resources tagged with a `data-class` (the data stores, not the log buckets).
    DataClass,
    /// The account as a whole (periodic rules).
    Account,
}

/// Where a rule runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// Every region with workloads.
    Workload,
    /// us-east-1 only, where CloudFront's configuration items are recorded.
    Edge,
    /// Every workload region and us-east-1.
    All,
    /// The primary region only (account-wide checks that need one evaluation).
    Primary,
}

pub struct ManagedRule {
    pub slug: &'static str,
    pub identifier: &'static str,
    pub resource_types: &'static [&'static str],
    pub scope: Scope,
    pub placement: Placement,
    /// Periodic rules run on this frequency; others on configuration changes.
    pub periodic: bool,
    pub checks: &'static str,
}

/// Managed rule identifiers verified in the AWS Config developer guide and the
/// awslabs conformance packs (see `../shared/reference/scp-config-facts.md` §4.1).
pub const MANAGED_RULES: &[ManagedRule] = &[
    ManagedRule {
        slug: "dynamodb-pitr-enabled",
        identifier: "DYNAMODB_PITR_ENABLED",
        resource_types: &["AWS::DynamoDB::Table"],
        scope: Scope::Topology,
        placement: Placement::Workload,
        periodic: false,
        checks: "point-in-time recovery is on for every table",
    },
    ManagedRule {
        slug: "dynamodb-encrypted-kms",
        identifier: "DYNAMODB_TABLE_ENCRYPTED_KMS",
        resource_types: &["AWS::DynamoDB::Table"],
        scope: Scope::Topology,
        placement: Placement::Workload,
        periodic: false,
        checks: "tables are encrypted with a KMS key",
    },
    ManagedRule {
        slug: "rds-cluster-deletion-protection",
        identifier: "RDS_CLUSTER_DELETION_PROTECTION_ENABLED",
        resource_types: &["AWS::RDS::DBCluster"],
        scope: Scope::Topology,
        placement: Placement::Workload,
        periodic: false,
        checks: "Aurora clusters have deletion protection",
    },
    ManagedRule {
        slug: "rds-cluster-encrypted",
        identifier: "RDS_CLUSTER_ENCRYPTED_AT_REST",
        resource_types: &["AWS::RDS::DBCluster"],
        scope: Scope::Topology,
        placement: Placement::Workload,
        periodic: false,
        checks: "Aurora clusters are encrypted at rest",
    },
    ManagedRule {
        slug: "aurora-global-encrypted",
        identifier: "AURORA_GLOBAL_DATABASE_ENCRYPTION_AT_REST",
        resource_types: &["AWS::RDS::GlobalCluster"],
        scope: Scope::Topology,
        placement: Placement::Workload,
        periodic: false,
        checks: "Aurora global databases are encrypted at rest",
    },
    ManagedRule {
        slug: "aurora-global-deletion-protection",
        identifier: "AURORA_GLOBAL_DATABASE_DELETION_PROTECTION_ENABLED",
        resource_types: &["AWS::RDS::GlobalCluster"],
        scope: Scope::Topology,
        placement: Placement::Workload,
        periodic: false,
        checks: "Aurora global databases have deletion protection",
    },
    ManagedRule {
        slug: "dynamodb-deletion-protection",
        identifier: "DYNAMODB_TABLE_DELETION_PROTECTION_ENABLED",
        resource_types: &["AWS::DynamoDB::Table"],
        scope: Scope::Topology,
        placement: Placement::Workload,
        periodic: false,
        checks: "tables and replicas have deletion protection",
    },
    ManagedRule {
        slug: "kms-keys-not-scheduled-for-deletion",
        identifier: "KMS_CMK_NOT_SCHEDULED_FOR_DELETION",
        resource_types: &[],
        scope: Scope::Account,
        placement: Placement::All,
        periodic: true,
        checks: "no customer managed KMS key of the account is scheduled for deletion (every key of the account, not only the topology's: the rule is periodic and takes no tag scope)",
    },
    ManagedRule {
        slug: "s3-versioning",
        identifier: "S3_BUCKET_VERSIONING_ENABLED",
        resource_types: &["AWS::S3::Bucket"],
        scope: Scope::Topology,
        placement: Placement::All,
        periodic: false,
        checks: "buckets keep versions (replication needs them)",
    },
    ManagedRule {
        slug: "s3-cross-region-replication",
        identifier: "S3_BUCKET_REPLICATION_ENABLED",
        resource_types: &["AWS::S3::Bucket"],
        scope: Scope::DataClass,
        placement: Placement::Workload,
        periodic: false,
        checks: "data buckets replicate to another region",
    },
    ManagedRule {
        slug: "s3-public-read-prohibited",
        identifier: "S3_BUCKET_PUBLIC_READ_PROHIBITED",
        resource_types: &["AWS::S3::Bucket"],
        scope: Scope::Topology,
        placement: Placement::All,
        periodic: false,
        checks: "no bucket allows public reads",
    },
    ManagedRule {
        slug: "s3-encryption",
        identifier: "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
        resource_types: &["AWS::S3::Bucket"],
        scope: Scope::Topology,
        placement: Placement::All,
        periodic: false,
        checks: "buckets encrypt objects by default",
    },
    ManagedRule {
        slug: "s3-encryption-kms",
        identifier: "S3_DEFAULT_ENCRYPTION_KMS",
        resource_types: &["AWS::S3::Bucket"],
        scope: Scope::DataClass,
        placement: Placement::Workload,
        periodic: false,
        checks: "data buckets encrypt with a KMS key",
    },
    ManagedRule {
        slug: "alb-waf",
        identifier: "ALB_WAF_ENABLED",
        resource_types: &["AWS::ElasticLoadBalancingV2::LoadBalancer"],
        scope: Scope::Topology,
        placement: Placement::Workload,
        periodic: false,
        checks: "every ALB has a web ACL",
    },
    ManagedRule {
        slug: "cloudfront-origin-failover",
        identifier: "CLOUDFRONT_ORIGIN_FAILOVER_ENABLED",
        resource_types: &["AWS::CloudFront::Distribution"],
        scope: Scope::Topology,
        placement: Placement::Edge,
        periodic: false,
        checks: "the distribution has an origin group",
    },
    ManagedRule {
        slug: "cloudfront-waf",
        identifier: "CLOUDFRONT_ASSOCIATED_WITH_WAF",
        resource_types: &["AWS::CloudFront::Distribution"],
        scope: Scope::Topology,
        placement: Placement::Edge,
        periodic: false,
        checks: "the distribution has a web ACL",
    },
    ManagedRule {
        slug: "cloudfront-https",
        identifier: "CLOUDFRONT_VIEWER_POLICY_HTTPS",
        resource_types: &["AWS::CloudFront::Distribution"],
        scope: Scope::Topology,
        placement: Placement::Edge,
        periodic: false,
        checks: "viewers are redirected to HTTPS",
    },
    ManagedRule {
        slug: "required-tags",
        identifier: "REQUIRED_TAGS",
        resource_types: &[
            "AWS::DynamoDB::Table",
            "AWS::EC2::Subnet",
            "AWS::EC2::VPC",
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "AWS::RDS::DBInstance",
            "AWS::S3::Bucket",
        ],
        scope: Scope::Topology,
        placement: Placement::All,
        periodic: false,
        checks: "resources carry the governance-required tags",
    },
    ManagedRule {
        slug: "cloudtrail-multi-region",
        identifier: "MULTI_REGION_CLOUD_TRAIL_ENABLED",
        resource_types: &[],
        scope: Scope::Account,
        placement: Placement::Primary,
        periodic: true,
        checks: "a multi-region CloudTrail trail records every region",
    },
    ManagedRule {
        slug: "guardduty-enabled",
        identifier: "GUARDDUTY_ENABLED_CENTRALIZED",
        resource_types: &[],
        scope: Scope::Account,
        placement: Placement::All,
        periodic: true,
        checks: "GuardDuty is on",
    },
    ManagedRule {
        slug: "securityhub-enabled",
        identifier: "SECURITYHUB_ENABLED",
        resource_types: &[],
        scope: Scope::Account,
        placement: Placement::All,
        periodic: true,
        checks: "Security Hub is on",
    },
];

/// The regions a rule runs in.
pub fn regions_of(rule_placement: Placement, plan: &GovernancePlan) -> Vec<String> {
    match rule_placement {
        Placement::Workload => plan.workload_regions.clone(),
        Placement::Edge => vec!["us-east-1".to_string()],
        Placement::All => plan.config_regions.clone(),
        Placement::Primary => vec![plan.primary_region.clone()],
    }
}

/// `REQUIRED_TAGS` parameters: `tag1Key`, `tag1Value`, ... (at most six tags).
pub fn required_tag_parameters(plan: &GovernancePlan) -> Vec<(String, String)> {
    let mut parameters = Vec::new();
    for (index, (key, value)) in plan.required_tags.iter().take(6).enumerate() {
        parameters.push((format!("tag{}Key", index + 1), key.clone()));
        if let Some(value) = value {
            parameters.push((format!("tag{}Value", index + 1), value.clone()));
        }
    }
    parameters
}

/// A custom policy rule: Guard text and the tag it is scoped to.
pub struct CustomRule {
    pub slug: String,
    pub tag_key: &'static str,
    pub tag_value: String,
    pub resource_types: Vec<&'static str>,
    pub regions: Vec<String>,
    pub checks: Markdown,
    pub policy_lines: Vec<String>,
}

/// A Guard string literal. topoc quotes only region codes and names it derives from
/// the spec's names, which the schema limits to letters, digits and hyphens; anything
/// Guard could read as syntax is a bug in topoc, refused here rather than written.
fn guard_string(text: &str) -> String {
    assert!(
        !text.is_empty()
            && text
                .chars()
                .all(|character| character.is_ascii_alphanumeric() || "-_.".contains(character)),
        "topoc would quote {text:?} in a Guard rule"
    );
    format!("\"{text}\"")
}

/// A bucket name inside a Guard regular expression: topoc's names have letters, digits
/// and hyphens only, none of which a regular expression reads as syntax.
fn guard_regex_name(name: &str) -> &str {
    assert!(
        !name.is_empty()
            && name
                .chars()
                .all(|character| character.is_ascii_alphanumeric() || character == '-'),
        "topoc would put {name:?} in a Guard regular expression"
    );
    name
}

/// Guard strings of every item, comma-separated.
fn guard_strings<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items
        .into_iter()
        .map(|item| guard_string(item.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Guard text of one rule stays under this many characters; AWS Config accepts 10,000.
const MAX_POLICY_CHARS: usize = 9_000;

/// Organization Config rules are counted per organization, and AWS allows 150, so the
/// DynamoDB checks are one rule per set of tables with the same replicas (split only
/// when its Guard text would pass 9,000 characters), not one per table; Aurora
/// keeps one rule per global database.
pub fn custom_rules(plan: &GovernancePlan) -> Vec<CustomRule> {
    let mut rules = Vec::new();
    // (regions, permitted regions) → table names.
    type ReplicaSet<'a> = (&'a Vec<String>, Option<&'a Vec<String>>);
    let mut table_groups: BTreeMap<ReplicaSet<'_>, Vec<&str>> = BTreeMap::new();
    // A table in one region is no global table (TOPO0047 warns about it); there are
    // no replicas to check.
    for table in plan.dynamodb_tables.iter().filter(|table| table.regions.len() > 1) {
        table_groups
            .entry((&table.regions, table.permitted.as_ref()))
            .or_default()
            .push(table.name.as_str());
    }
    for ((regions, permitted), tables) in table_groups {
        let residency_note = if permitted.is_some() {
            " and nowhere else (all within their residency class)"
        } else {
            " and nowhere else"
        };
        let head = vec![
            format!(
                "# Global tables (version 2019.11.21) with replicas in {}{residency_note}.",
                regions.join(", "),
            ),
            "rule global_tables_with_planned_replicas when resourceType == \"AWS::DynamoDB::Table\" {".to_string(),
        ];
        let mut body = vec!["    configuration.globalTableVersion == \"2019.11.21\"".to_string()];
        for region in regions {
            body.push(format!("    when awsRegion != {} {{", guard_string(region)));
            body.push(format!(
                "      some configuration.replicas[*].regionName == {}",
                guard_string(region)
            ));
            body.push("    }".to_string());
        }
        // No replica beyond the planned ones, for unrestricted tables too; for a residency
        // class the planned regions are among the permitted ones.
        body.push(format!(
            "    configuration.replicas[*].regionName IN [{}]",
            guard_strings(regions)
        ));
        body.push("  }".to_string());
        body.push("}".to_string());
        let fixed: usize = head.iter().chain(&body).map(|line| line.len() + 1).sum::<usize>() + 32;
        let mut chunks: Vec<Vec<&str>> = vec![Vec::new()];
        let mut used = fixed;
        for table in tables {
            let cost = table.len() + 4;
            if used + cost > MAX_POLICY_CHARS && !chunks.last().is_some_and(Vec::is_empty) {
                chunks.push(Vec::new());
                used = fixed;
            }
            used += cost;
            chunks.last_mut().expect("one chunk").push(table);
        }
        let group_slug = format!(
            "global-tables-{:08x}",
            fnv1a(&regions.join(",")) ^ permitted.map_or(0, |permitted| fnv1a(&permitted.join(",")))
        );
        let chunk_count = chunks.len();
        for (index, chunk) in chunks.into_iter().enumerate() {
            let mut lines = head.clone();
            lines.push(format!("  when resourceName IN [{}] {{", guard_strings(&chunk)));
            lines.extend(body.iter().cloned());
            rules.push(CustomRule {
                slug: if chunk_count == 1 {
                    group_slug.clone()
                } else {
                    format!("{group_slug}-{}", index + 1)
                },
                tag_key: "topology",
                tag_value: plan.tag_topology.clone(),
                resource_types: vec!["AWS::DynamoDB::Table"],
                regions: regions.clone(),
                checks: {
                    let names = Markdown::codes(&chunk, ", ");
                    let regions = Markdown::codes(regions.iter(), ", ");
                    if chunk.len() == 1 {
                        md!(
                            "table {} is a global table with replicas in {}{}",
                            names,
                            regions,
                            Markdown::literal(residency_note)
                        )
                    } else {
                        md!(
                            "tables {} are global tables with replicas in {}{}",
                            names,
                            regions,
                            Markdown::literal(residency_note)
                        )
                    }
                },
                policy_lines: lines,
            });
        }
    }
    for cluster in &plan.aurora_clusters {
        let mut placements = vec![cluster.writer.clone()];
        placements.extend(cluster.secondaries.iter().cloned());
        placements.sort();
        let quoted: Vec<String> = placements.iter().map(|region| guard_string(region)).collect();
        // Any cluster of the global database may be the primary (a switchover moves it),
        // so the rule asks only that a cluster which replicates does so from one of the
        // database's own clusters, whose identifiers topoc derives from the class.
        // `<topology>-<class>`: the global database's name and its clusters' prefix.
        let source_pattern = format!(
            "/^arn:aws[a-z-]*:rds:[a-z0-9-]+:[0-9]{{12}}:cluster:{}{}-[a-z0-9-]+$/",
            plan.name_prefix, cluster.data_class
        );
        let lines = vec![
            format!(
                "# Clusters of {}: encrypted, only in {}, and replicating, if at all, from a cluster of the same global database.",
                cluster.data_class,
                placements.join(", ")
            ),
            "rule clusters_of_the_global_database when resourceType == \"AWS::RDS::DBCluster\" {".to_string(),
            "  configuration.storageEncrypted == true".to_string(),
            format!("  awsRegion IN [{}]", quoted.join(", ")),
            "  when configuration.replicationSourceIdentifier exists {".to_string(),
            "    when configuration.replicationSourceIdentifier != \"\" {".to_string(),
            format!("      configuration.replicationSourceIdentifier == {source_pattern}"),
            "    }".to_string(),
            "  }".to_string(),
            "}".to_string(),
        ];
        rules.push(CustomRule {
            slug: naming::aurora_config_rule_slug(&cluster.data_class),
            tag_key: "data-class",
            tag_value: cluster.data_class.clone(),
            resource_types: vec!["AWS::RDS::DBCluster"],
            // Every region with Config rules: a cluster of the class outside its
            // placements is what the rule must see.
            regions: plan.config_regions.clone(),
            checks: md!(
                "clusters of {} are encrypted, exist only in {}, and replicate, if at all, from a cluster of the same global database, whichever region is primary (AWS Config records no global-cluster identifier on a cluster, so a cluster detached from the global database is not told apart from its primary; the protection policy denies detaching one)",
                Markdown::code(&cluster.data_class),
                Markdown::codes(&placements, ", ")
            ),
            policy_lines: lines,
        });
    }
    // A bucket's replication may go only to the class's own buckets:
    // S3_BUCKET_REPLICATION_ENABLED passes whatever the destination. AWS Config records
    // the rules as a map keyed by rule ID (a list in newer items); `rules.*` reads both.
    for class in &plan.bucket_classes {
        if class.destinations.is_empty() {
            continue;
        }
        let lines = vec![
            format!(
                "# Buckets of {}: they replicate only to the class's own buckets.",
                class.data_class
            ),
            "rule replication_to_the_class_buckets when supplementaryConfiguration.BucketReplicationConfiguration exists {"
                .to_string(),
            format!(
                "  supplementaryConfiguration.BucketReplicationConfiguration.rules.*.destinationConfig.bucketARN == /^arn:aws[a-z-]*:s3:::({})$/",
                class
                    .destinations
                    .iter()
                    .map(|bucket| guard_regex_name(bucket))
                    .collect::<Vec<_>>()
                    .join("|")
            ),
            "}".to_string(),
        ];
        rules.push(CustomRule {
            slug: naming::bucket_replication_config_rule_slug(&class.data_class),
            tag_key: "data-class",
            tag_value: class.data_class.clone(),
            resource_types: vec!["AWS::S3::Bucket"],
            regions: plan.config_regions.clone(),
            checks: md!(
                "buckets of {} replicate only to {}",
                Markdown::code(&class.data_class),
                Markdown::codes(&class.destinations, ", ")
            ),
            policy_lines: lines,
        });
    }
    // The residency tag must match the class of the data (REQUIRED_TAGS only sees that
    // the tag exists), and anything tagged with the class stays in its regions.
    for class in &plan.residency {
        let classes: Vec<String> = class.data_classes.iter().map(|name| guard_string(name)).collect();
        let lines = vec![
            format!(
                "# Stores of residency class {}: their data-residency tag names the class, and whatever carries it is in {}.",
                class.name,
                class.permitted.join(", ")
            ),
            format!(
                "rule residency_tag_of_the_class when tags.'data-class' IN [{}] {{",
                classes.join(", ")
            ),
            format!("  tags.'data-residency' == {}", guard_string(&class.name)),
            "}".to_string(),
            format!(
                "rule residency_tag_of_the_class_keys when tags.'key-class' == {} {{",
                guard_string(&class.name)
            ),
            format!("  tags.'data-residency' == {}", guard_string(&class.name)),
            "}".to_string(),
            // A global database has no region of its own; its clusters are checked.
            format!(
                "rule data_of_the_class_in_its_regions when tags.'data-residency' == {} {{",
                guard_string(&class.name)
            ),
            "  when resourceType != \"AWS::RDS::GlobalCluster\" {".to_string(),
            format!("    awsRegion IN [{}]", guard_strings(&class.permitted)),
            "  }".to_string(),
            "}".to_string(),
        ];
        rules.push(CustomRule {
            slug: naming::residency_config_rule_slug(&class.name),
            tag_key: "topology",
            tag_value: plan.tag_topology.clone(),
            resource_types: RESIDENCY_TAGGED_TYPES.to_vec(),
            regions: plan.config_regions.clone(),
            checks: md!(
                "tables, buckets, clusters, instances, global databases and secrets of {}, and the {} keys, are tagged {}; whatever carries that tag is in {}",
                Markdown::codes(&class.data_classes, ", "),
                Markdown::code(&class.name),
                Markdown::code(&format!("data-residency = {}", class.name)),
                Markdown::codes(&class.permitted, ", ")
            ),
            policy_lines: lines,
        });
    }
    rules
}

/// The resource types that hold a data class's data and carry its tags.
const RESIDENCY_TAGGED_TYPES: &[&str] = &[
    "AWS::DynamoDB::Table",
    "AWS::KMS::Key",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::RDS::GlobalCluster",
    "AWS::S3::Bucket",
    "AWS::SecretsManager::Secret",
];

/// 32-bit FNV-1a: a short, stable name for a set of regions.
fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}
