//! The `identity` root: every IAM role of the topology. IAM's control plane is in
//! us-east-1 whatever the topology's regions, so a region's own root cannot create
//! roles without depending on us-east-1; the roles are created here once and the region
//! roots read their ARNs. A role, once created, is usable in every region while
//! us-east-1 is down (IAM's data plane is regional).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::context::{Context, IDENTITY_ROOT, KEYS_ROOT, key_arns, key_arns_in};
use super::markdown::Markdown;
use super::region_switch::RegionSwitch;
use super::{Block, File, Stack, provider_alias};
use crate::aws::control_planes;
use crate::naming;
use crate::spec::model::Store;

#[derive(Serialize)]
struct Common {
    region: &'static str,
    alias: String,
}

#[derive(Serialize)]
struct ServiceRoles {
    name: String,
    execution_role: String,
    task_role: String,
    tables: Vec<String>,
    writable_tables: Vec<String>,
    buckets: Vec<String>,
    writable_buckets: Vec<String>,
    databases: super::hcl::Value,
    key_classes: Vec<String>,
}

/// The names of one region's roles, and its copy of every key class.
#[derive(Serialize)]
struct RegionNames {
    region: String,
    name: String,
    alias: String,
    flow_log_role: String,
    flow_log_group: String,
    keys: String,
}

/// The view of a region's `locals` block: its names and its services' data.
#[derive(Serialize)]
struct RegionServices<'a> {
    region: &'a RegionNames,
    services: Vec<ServiceRoles>,
}

/// One S3 data class whose buckets replicate: its role covers all of them.
#[derive(Serialize)]
struct ReplicationClass {
    class: String,
    role: String,
    key_class: String,
    buckets: Vec<String>,
    regions: Vec<String>,
}

#[derive(Serialize)]
struct ReplicationClasses {
    classes: Vec<ReplicationClass>,
}

/// The view of the replication roles' resource blocks.
#[derive(Serialize)]
struct ReplicationRoles {
    alias: String,
    keys: String,
}

#[derive(Serialize)]
struct RdsMonitoring {
    alias: String,
    name: String,
}

/// One service in one region, for the Region switch role's policy.
#[derive(Serialize)]
struct RegionService {
    region: String,
    service: String,
}

/// An Aurora global database a plan moves, with its clusters in the plans' regions.
#[derive(Serialize)]
struct SwitchedDatabase {
    global: String,
    clusters: Vec<(String, String)>,
}

/// The view of the Region switch roles.
#[derive(Serialize)]
struct RegionSwitchRoles {
    alias: String,
    topology: String,
    role: String,
    approver: String,
    cluster: String,
    regions: Vec<String>,
    services: Vec<RegionService>,
    databases: Vec<SwitchedDatabase>,
    routing_controls: bool,
}

/// What the plans reach, as the role's policy names it: every scaled service in both
/// regions of its plan, and every Aurora class a plan moves with its clusters there.
fn region_switch_roles(context: &Context<'_>, region_switch: &RegionSwitch, alias: &str) -> RegionSwitchRoles {
    let topology = context.topology;
    let mut regions = BTreeSet::new();
    let mut services = BTreeSet::new();
    let mut databases: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for plan in &region_switch.plans {
        for region in &plan.regions {
            regions.insert(region.clone());
            for scaled in &plan.services {
                services.insert((region.clone(), scaled.service.clone()));
            }
            for class in &plan.aurora_classes {
                databases.entry(class.clone()).or_default().insert(region.clone());
            }
        }
    }
    RegionSwitchRoles {
        alias: alias.to_string(),
        topology: topology.name.clone(),
        role: naming::region_switch_role(topology),
        approver: naming::region_switch_approver_role(topology),
        cluster: naming::ecs_cluster(topology),
        regions: regions.into_iter().collect(),
        services: services
            .into_iter()
            .map(|(region, service)| RegionService { region, service })
            .collect(),
        databases: databases
            .into_iter()
            .map(|(class, regions)| SwitchedDatabase {
                global: naming::aurora_global_cluster(topology, &class),
                clusters: regions
                    .into_iter()
                    .map(|region| {
                        let cluster = naming::aurora_cluster(topology, &class, &region);
                        (region, cluster)
                    })
                    .collect(),
            })
            .collect(),
        routing_controls: region_switch.plans.iter().any(|plan| plan.routing_controls),
    }
}

/// The view of the GameDay experiments' role.
#[derive(Serialize)]
struct GamedayRole {
    alias: String,
    role: String,
    topology: String,
    cluster: String,
    regions: Vec<String>,
    /// The Region switch drills' runbook role and document, and the regions the drills
    /// run in; no drill, no runbook role.
    plan_runner: String,
    drill_document: String,
    drill_regions: Vec<String>,
}

#[derive(Serialize)]
struct RegionName {
    region: String,
    name: String,
}

#[derive(Serialize)]
struct Outputs {
    regions: Vec<RegionName>,
    rds_monitoring: bool,
    replication: bool,
    drills: bool,
}

pub(super) fn identity_root(context: &Context<'_>, region_switch: &RegionSwitch) -> Stack {
    let topology = context.topology;
    let iam_region = control_planes::IAM_REGION;
    let alias = provider_alias(iam_region);
    // Each region's map in a `locals` block of its own, before its resources: the file
    // is checked block by block on all cores, and a region's edits stay in its blocks.
    let mut role_blocks = Vec::new();
    for region in &context.regions {
        let services = context
            .services_in(region)
            .map(|(name, _)| {
                let access = context.service_access(name, region);
                ServiceRoles {
                    name: name.clone(),
                    execution_role: naming::execution_role(topology, name, region),
                    task_role: naming::task_role(topology, name, region),
                    tables: access.tables.clone(),
                    writable_tables: access.writable_tables.clone(),
                    buckets: access.buckets.clone(),
                    writable_buckets: access.writable_buckets.clone(),
                    databases: super::hcl::Value::object(
                        access
                            .databases
                            .iter()
                            .map(|(class, user)| (class.clone(), super::hcl::Value::string(user))),
                    ),
                    key_classes: access.key_classes.clone(),
                }
            })
            .collect();
        let names = RegionNames {
            region: region.clone(),
            name: provider_alias(region),
            alias: alias.clone(),
            flow_log_role: naming::flow_log_role(topology, region),
            flow_log_group: naming::flow_log_group(topology),
            keys: key_arns_in(region),
        };
        role_blocks.push(Block::new(
            "identity/services_locals.tf.j2",
            None,
            &RegionServices {
                region: &names,
                services,
            },
        ));
        role_blocks.push(Block::new("identity/region.tf.j2", Some(iam_region), &names));
    }
    // Every S3 class with a copy in more than one region replicates; the blocks exist
    // once any class has a bucket, so the first replicating class edits the map only.
    let has_buckets = context.data_classes_of(Store::S3).next().is_some();
    let replication = ReplicationClasses {
        classes: context
            .data_classes_of(Store::S3)
            .filter(|(class, _)| context.placements[*class].len() > 1)
            .map(|(class, _)| ReplicationClass {
                class: class.clone(),
                role: naming::s3_replication_role(topology, class),
                key_class: context.key_class_of(class).to_string(),
                buckets: context.placements[class]
                    .iter()
                    .map(|region| naming::s3_bucket(topology, class, region))
                    .collect(),
                regions: context.placements[class].clone(),
            })
            .collect(),
    };
    let replication_blocks = if has_buckets {
        vec![
            Block::new("identity/s3_replication_locals.tf.j2", None, &replication),
            Block::new(
                "identity/s3_replication.tf.j2",
                Some(iam_region),
                &ReplicationRoles {
                    alias: alias.clone(),
                    keys: key_arns(),
                },
            ),
        ]
    } else {
        Vec::new()
    };
    let rds_monitoring = context.data_classes_of(Store::Aurora).next().is_some();
    let mut files = vec![
        File::hcl(
            "common.tf",
            vec![Block::new(
                "identity/common.tf.j2",
                Some(iam_region),
                &Common {
                    region: iam_region,
                    alias: alias.clone(),
                },
            )],
        ),
        File::hcl("services.tf", role_blocks),
    ];
    if rds_monitoring {
        files.push(File::hcl(
            "rds_monitoring.tf",
            vec![Block::new(
                "identity/rds_monitoring.tf.j2",
                Some(iam_region),
                &RdsMonitoring {
                    alias: alias.clone(),
                    name: naming::rds_monitoring_role(topology),
                },
            )],
        ));
    }
    if !replication_blocks.is_empty() {
        files.push(File::hcl("s3_replication.tf", replication_blocks));
    }
    files.push(File::hcl(
        "region_switch.tf",
        vec![Block::new(
            "identity/region_switch.tf.j2",
            Some(iam_region),
            &region_switch_roles(context, region_switch, &alias),
        )],
    ));
    files.push(File::hcl(
        "gameday.tf",
        vec![Block::new(
            "identity/gameday.tf.j2",
            Some(iam_region),
            &GamedayRole {
                alias: alias.clone(),
                role: naming::gameday_role(topology),
                topology: topology.name.clone(),
                cluster: naming::ecs_cluster(topology),
                regions: context.regions.clone(),
                plan_runner: naming::gameday_plan_runner_role(topology),
                drill_document: naming::region_switch_drill_document(topology),
                drill_regions: region_switch.drill_regions.clone(),
            },
        )],
    ));
    files.push(File::hcl(
        "outputs.tf",
        vec![Block::new(
            "identity/outputs.tf.j2",
            None,
            &Outputs {
                regions: context
                    .regions
                    .iter()
                    .map(|region| RegionName {
                        region: region.clone(),
                        name: provider_alias(region),
                    })
                    .collect(),
                rds_monitoring,
                replication: has_buckets,
                drills: !region_switch.drill_regions.is_empty(),
            },
        )],
    ));
    context
        .root(
            IDENTITY_ROOT,
            None,
            &[iam_region.to_string()],
            &[KEYS_ROOT.to_string()],
            Markdown::literal(
                "every IAM role: each service's execution and task roles per region (scoped to that region's data), VPC flow-log roles, the Aurora monitoring role, S3 replication roles, the roles that run and approve the Region switch plans, the role of the GameDay experiments",
            ),
        )
        .into_stack(files)
}
