//! The `identity` root: every IAM role of the topology. IAM's control plane is in
//! us-east-1 whatever the topology's regions, so a region's own root cannot create
//! roles without depending on us-east-1; the roles are created here once and the region
//! roots read their ARNs. A role, once created, is usable in every region while
//! us-east-1 is down (IAM's data plane is regional).

use serde::Serialize;

use super::context::{Context, IDENTITY_ROOT, KEYS_ROOT, remote_output};
use super::markdown::Markdown;
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
    /// The data classes with a copy in the region, with their access, for the comment.
    data: String,
    execution_role: String,
    task_role: String,
    tables: Vec<String>,
    writable_tables: Vec<String>,
    buckets: Vec<String>,
    writable_buckets: Vec<String>,
    database_users: Vec<String>,
    key_classes: Vec<String>,
}

#[derive(Serialize)]
struct RegionRoles {
    region: String,
    name: String,
    alias: String,
    services: Vec<ServiceRoles>,
    flow_log_role: String,
    flow_log_group: String,
    /// The region's copy of every key class, by class.
    keys: String,
}

#[derive(Serialize)]
struct ReplicationEntry {
    class: String,
    role: String,
    bucket: String,
    key_class: String,
    destinations: Vec<super::context::S3Destination>,
}

#[derive(Serialize)]
struct ReplicationRoles {
    region: String,
    name: String,
    alias: String,
    entries: Vec<ReplicationEntry>,
    keys: String,
    all_keys: String,
}

/// The view of a file's one `locals` block: every region's entries.
#[derive(Serialize)]
struct Regions<'a, T> {
    regions: &'a [T],
}

#[derive(Serialize)]
struct RdsMonitoring {
    alias: String,
    name: String,
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
    replication_regions: Vec<RegionName>,
}

pub(super) fn identity_root(context: &Context<'_>) -> Stack {
    let topology = context.topology;
    let iam_region = control_planes::IAM_REGION;
    let alias = provider_alias(iam_region);
    let all_keys = remote_output(KEYS_ROOT, "kms_key_arns");
    let region_keys = |region: &str| format!("{all_keys}[{}]", super::hcl::quote(region));
    let mut region_roles = Vec::new();
    for region in &context.regions {
        let services = context
            .services_in(region)
            .map(|(name, _)| {
                let access = context.service_access(name, region);
                let data = context.topology.services[name.as_str()]
                    .data_access()
                    .into_iter()
                    .filter(|(class, _)| context.placements[*class].iter().any(|placed| placed == region))
                    .map(|(class, access)| format!("{class} ({})", access.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ");
                ServiceRoles {
                    name: name.clone(),
                    data,
                    execution_role: naming::execution_role(topology, name, region),
                    task_role: naming::task_role(topology, name, region),
                    tables: access.tables,
                    writable_tables: access.writable_tables,
                    buckets: access.buckets,
                    writable_buckets: access.writable_buckets,
                    database_users: access.database_users,
                    key_classes: access.key_classes,
                }
            })
            .collect();
        region_roles.push(RegionRoles {
            region: region.clone(),
            name: provider_alias(region),
            alias: alias.clone(),
            services,
            flow_log_role: naming::flow_log_role(topology, region),
            flow_log_group: naming::flow_log_group(topology),
            keys: region_keys(region),
        });
    }
    // One `locals` block holds every region's maps, so a region's first service or a
    // new data class edits it and adds only the new region's resources.
    let mut role_blocks = vec![Block::new(
        "identity/services_locals.tf.j2",
        None,
        &Regions { regions: &region_roles },
    )];
    role_blocks.extend(
        region_roles
            .iter()
            .map(|roles| Block::new("identity/region.tf.j2", Some(iam_region), roles)),
    );
    let mut replication_roles = Vec::new();
    let mut replication_regions = Vec::new();
    for (region, buckets) in context.s3_buckets() {
        let entries: Vec<ReplicationEntry> = buckets
            .into_iter()
            .filter(|bucket| !bucket.destinations.is_empty())
            .map(|bucket| ReplicationEntry {
                class: bucket.class,
                role: bucket.replication_role,
                bucket: bucket.bucket,
                key_class: bucket.key_class,
                destinations: bucket.destinations,
            })
            .collect();
        replication_regions.push(RegionName {
            region: region.clone(),
            name: provider_alias(&region),
        });
        replication_roles.push(ReplicationRoles {
            name: provider_alias(&region),
            alias: alias.clone(),
            keys: region_keys(&region),
            all_keys: all_keys.clone(),
            region,
            entries,
        });
    }
    let mut replication_blocks = Vec::new();
    if !replication_roles.is_empty() {
        replication_blocks.push(Block::new(
            "identity/s3_replication_locals.tf.j2",
            None,
            &Regions {
                regions: &replication_roles,
            },
        ));
        replication_blocks.extend(
            replication_roles
                .iter()
                .map(|roles| Block::new("identity/s3_replication.tf.j2", Some(iam_region), roles)),
        );
    }
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
                replication_regions,
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
                "every IAM role: each service's execution and task roles per region (scoped to that region's data), VPC flow-log roles, the Aurora monitoring role, S3 replication roles",
            ),
        )
        .into_stack(files)
}
