//! The GameDay experiments (AWS FIS experiment templates in each region's root), from the
//! spec and the sizing: what each one breaks, how much, and which of the topology's own
//! alarms stop it. `regions.rs` writes them and `gameday.rs` schedules them.
//!
//! Each region has one experiment per service that stops a share of its tasks there, one
//! that cuts the region's private subnets off, and, where the region holds replicas of
//! global tables, one that pauses their replication. All stop on alarms of the same
//! region: whether FIS accepts an alarm of another region as a stop condition is not
//! documented, and a region's root must not depend on another region's resources. Where
//! the region's buckets replicate, one more per class pauses that replication (for a
//! residency class too: its SCP lets the GameDay role make pause requests only).
//!
//! Action names, target resource types, target keys and parameters, read on 2026-12-02:
//! - `aws:ecs:stop-task` on `aws:ecs:task` (key `Tasks`, target parameters `cluster` and
//!   `service`): <https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html#stop-task>,
//!   <https://docs.aws.amazon.com/fis/latest/userguide/targets.html#target-parameters>;
//! - `aws:network:disrupt-connectivity` on `aws:ec2:subnet` (key `Subnets`, `duration`,
//!   `scope = all`; FIS swaps each subnet's network ACL for a denying copy and restores it):
//!   <https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html#disrupt-connectivity>;
//! - `aws:dynamodb:global-table-pause-replication` on `aws:dynamodb:global-table` (key
//!   `Tables`, `duration`; deny statements in the policies of the table and its stream,
//!   for the replica in the experiment's region):
//!   <https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html#dynamodb-actions-reference>,
//!   <https://docs.aws.amazon.com/fis/latest/userguide/cross-region-scenario.html>;
//! - `aws:s3:bucket-pause-replication` on `aws:s3:bucket` (key `Buckets`, targets by tag
//!   only, `duration`, `region` = the destination region):
//!   <https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html#bucket-pause-replication>;
//! - stop conditions `aws:cloudwatch:alarm`:
//!   <https://docs.aws.amazon.com/fis/latest/userguide/stop-conditions.html>; the role's
//!   trust (`fis.amazonaws.com`, `aws:SourceAccount`, `aws:SourceArn`):
//!   <https://docs.aws.amazon.com/fis/latest/userguide/getting-started-iam-service-role.html>.

use super::context::Context;
use crate::naming;
use crate::spec::model::Store;

/// At most this many stop conditions per experiment template (FIS quota L-872EC72B, not
/// adjustable; from the Service Quotas listing, 2026-12-02).
pub const MAX_STOP_CONDITIONS: usize = 5;

/// How long the network experiment cuts the subnets off at most (ISO 8601), if no stop
/// condition ends it first.
pub const ISOLATION_DURATION: &str = "PT10M";
pub const ISOLATION_MINUTES: u32 = 10;

/// How long the replication pause lasts at most, if no stop condition ends it first.
pub const PAUSE_DURATION: &str = "PT15M";
pub const PAUSE_MINUTES: u32 = 15;

/// How long the bucket pause lasts at most: past the S3 replication-latency alarm's
/// 15-minute threshold and its evaluation, so that the alarm can end it.
pub const BUCKET_PAUSE_DURATION: &str = "PT30M";
pub const BUCKET_PAUSE_MINUTES: u32 = 30;

/// At most this many resource ARNs per experiment target (the provider's limit on
/// `resource_arns`): more tables take more targets, each with its own action.
pub const MAX_TARGET_ARNS: usize = 5;

/// The experiments of one region.
#[derive(Clone, Debug)]
pub struct RegionExperiments {
    pub stop_tasks: Vec<StopTasks>,
    /// The services whose healthy-task alarms stop the network experiment: the first
    /// [`MAX_STOP_CONDITIONS`] of the region, by name. A region without services has no
    /// network experiment: no alarm of its own would end it.
    pub isolation_alarm_services: Vec<String>,
    /// The DynamoDB classes with a replica here and in another region: the replication
    /// experiment pauses their replicas here.
    pub paused_tables: Vec<PausedTable>,
    /// The replication-latency alarms of this region that stop it (`<table>/<receiving
    /// region>`, the keys of the region root's alarms), at most [`MAX_STOP_CONDITIONS`].
    pub replication_alarm_keys: Vec<String>,
    /// The S3 classes with a bucket here that replicates: the bucket experiment pauses
    /// their replication to each destination.
    pub paused_buckets: Vec<PausedBuckets>,
    /// Those of them in a residency class: the residency SCP lets the GameDay role make
    /// pause requests only, so the drill checks their rules are restored.
    pub resident_bucket_classes: Vec<String>,
}

/// A data class whose bucket in the region the bucket experiment pauses.
#[derive(Clone, Debug)]
pub struct PausedBuckets {
    pub class: String,
    pub destinations: Vec<String>,
    /// The bucket's replication-latency alarms that stop its experiment (`<source
    /// bucket>/<destination region>`), at most [`MAX_STOP_CONDITIONS`].
    pub alarm_keys: Vec<String>,
}

/// A table whose replica in the region the replication experiment pauses.
#[derive(Clone, Debug)]
pub struct PausedTable {
    pub class: String,
}

/// Stopping a share of one service's tasks in a region.
#[derive(Clone, Debug)]
pub struct StopTasks {
    pub service: String,
    /// Half the headroom the steady utilization leaves, so that the tasks left run below
    /// full load until ECS replaces the stopped ones: `floor(100 × (1 − u) / 2)`.
    pub percent: u32,
    /// The utilization of the tasks left, at the steady load.
    pub utilization_after: f64,
}

/// The experiments of every region, by region: computed once, for the region roots that
/// write them and the GameDay page that schedules them.
pub fn experiments(context: &Context<'_>) -> std::collections::BTreeMap<String, RegionExperiments> {
    context
        .regions
        .iter()
        .map(|region| (region.clone(), region_experiments(context, region)))
        .collect()
}

/// The experiments of `region`.
fn region_experiments(context: &Context<'_>, region: &str) -> RegionExperiments {
    let stop_tasks = context
        .services_in(region)
        .map(|(name, service)| {
            let percent = ((1.0 - service.steady_utilization) * 50.0).floor().max(1.0) as u32;
            StopTasks {
                service: name.clone(),
                percent,
                utilization_after: service.steady_utilization / (1.0 - f64::from(percent) / 100.0),
            }
        })
        .collect();
    let mut paused_tables = Vec::new();
    let mut replication_alarm_keys = Vec::new();
    for (class, _) in context.data_classes_of(Store::Dynamodb) {
        let placement = &context.placements[class];
        if placement.len() < 2 || !placement.iter().any(|placed| placed == region) {
            continue;
        }
        let table = naming::dynamodb_table(context.topology, class);
        for receiving in placement.iter().filter(|other| *other != region) {
            replication_alarm_keys.push(naming::replication_alarm_key(&table, receiving));
        }
        paused_tables.push(PausedTable { class: class.clone() });
    }
    replication_alarm_keys.truncate(MAX_STOP_CONDITIONS);
    let mut paused_buckets = Vec::new();
    let mut resident_bucket_classes = Vec::new();
    for bucket in context.s3_buckets().get(region).into_iter().flatten() {
        if bucket.destinations.is_empty() {
            continue;
        }
        if context.topology.data[&bucket.class].residency.is_some() {
            resident_bucket_classes.push(bucket.class.clone());
        }
        paused_buckets.push(PausedBuckets {
            class: bucket.class.clone(),
            destinations: bucket
                .destinations
                .iter()
                .map(|destination| destination.region.clone())
                .collect(),
            alarm_keys: bucket
                .destinations
                .iter()
                .take(MAX_STOP_CONDITIONS)
                .map(|destination| naming::replication_alarm_key(&bucket.bucket, &destination.region))
                .collect(),
        });
    }
    RegionExperiments {
        paused_buckets,
        resident_bucket_classes,
        paused_tables,
        replication_alarm_keys,
        stop_tasks,
        isolation_alarm_services: context
            .services_in(region)
            .map(|(name, _)| name.clone())
            .take(MAX_STOP_CONDITIONS)
            .collect(),
    }
}
