//! The `bootstrap` root: one Terraform state bucket per topology region, each
//! replicating every write to all the others. A region's own root keeps its state in its
//! region's bucket and reads other roots' outputs from the replicas there, so planning
//! it needs no other region's S3. The roots that span regions keep their state in the
//! bucket of `state.region`; while that region is down they can switch to a replica.
//!
//! The buckets cannot hold the state of the root that creates them: `bootstrap/` keeps
//! its state on local disk, and is applied once, before everything else.

use serde::Serialize;

use super::context::{BOOTSTRAP_ROOT, Context, GOVERNANCE_ROOT, Root};
use super::markdown::Markdown;
use super::{Block, File, Stack, provider_alias};
use crate::aws::control_planes;
use crate::naming;

/// Days an overwritten state version is kept: long enough to roll a state back after a
/// bad apply is noticed, short enough that old secrets in outputs do not linger.
const STATE_NONCURRENT_DAYS: u32 = 90;

#[derive(Serialize)]
struct Destination {
    region: String,
    alias: String,
    priority: usize,
}

#[derive(Serialize)]
struct Bucket {
    region: String,
    alias: String,
    bucket: String,
    noncurrent_days: u32,
    destinations: Vec<Destination>,
    versioning_aliases: Vec<String>,
    /// The management-account role that applies `governance/`, granted that root's state
    /// in every bucket (any of them may hold it during a region's loss).
    governance_role: Option<String>,
    governance_key: String,
}

#[derive(Serialize)]
struct ReplicationRole {
    region: &'static str,
    alias: String,
    role: String,
    buckets: Vec<String>,
}

#[derive(Serialize)]
struct Outputs {
    regions: Vec<(String, String)>,
}

pub(super) fn bootstrap_root(context: &Context<'_>) -> Stack {
    let topology = context.topology;
    let iam_region = control_planes::IAM_REGION;
    let aliases: Vec<String> = context.regions.iter().map(|region| provider_alias(region)).collect();
    let buckets: Vec<Block> = context
        .regions
        .iter()
        .map(|region| {
            Block::new(
                "bootstrap/bucket.tf.j2",
                Some(region),
                &Bucket {
                    region: region.clone(),
                    alias: provider_alias(region),
                    bucket: topology.state_bucket(region),
                    noncurrent_days: STATE_NONCURRENT_DAYS,
                    destinations: context
                        .regions
                        .iter()
                        .filter(|other| *other != region)
                        .enumerate()
                        .map(|(index, other)| Destination {
                            region: other.clone(),
                            alias: provider_alias(other),
                            priority: index + 1,
                        })
                        .collect(),
                    versioning_aliases: aliases.clone(),
                    governance_role: topology.governance.management_role_arn.clone(),
                    governance_key: context.state_key(GOVERNANCE_ROOT),
                },
            )
        })
        .collect();
    let mut provider_regions = context.regions.clone();
    provider_regions.push(iam_region.to_string());
    let root = context.root(
        BOOTSTRAP_ROOT,
        None,
        &provider_regions,
        &[],
        Markdown::literal(
            "one Terraform state bucket per region, each replicating to all the others, and their replication role; state on local disk",
        ),
    );
    Root { backend: None, ..root }.into_stack(vec![
        File::hcl("buckets.tf", buckets),
        File::hcl(
            "replication_role.tf",
            vec![Block::new(
                "bootstrap/replication_role.tf.j2",
                Some(iam_region),
                &ReplicationRole {
                    region: iam_region,
                    alias: provider_alias(iam_region),
                    role: naming::state_replication_role(topology),
                    buckets: aliases.clone(),
                },
            )],
        ),
        File::hcl(
            "outputs.tf",
            vec![Block::new(
                "bootstrap/outputs.tf.j2",
                None,
                &Outputs {
                    regions: context.regions.iter().cloned().zip(aliases.iter().cloned()).collect(),
                },
            )],
        ),
    ])
}
