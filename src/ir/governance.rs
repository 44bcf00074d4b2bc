//! The governance plan: what the guardrails must allow and deny, in IR terms. The
//! policy phase turns it into Service Control Policies and AWS Config rules; nothing
//! here is JSON or HCL yet.

use super::context::Context;
use crate::aws::control_planes::{
    CLOUDFRONT_REGION as EDGE_REGION, RECOVERY_CONTROL_CONFIG_REGION as RECOVERY_CONTROL_REGION,
};
use crate::aws::quotas::{self, FULL_AWS_ACCESS, ScpQuota};
use crate::naming;
use crate::spec::model::Store;

/// Everything the policy phase needs, derived from the spec.
#[derive(Clone, Debug)]
pub struct GovernancePlan {
    pub topology: String,
    pub spec_file: String,
    /// Regions where the topology runs workloads.
    pub workload_regions: Vec<String>,
    /// Regions the region-deny SCP allows: the workload regions and us-east-1, where the
    /// edge's certificate, WAF, logs and alarms live.
    pub allowed_regions: Vec<String>,
    /// us-east-1 when it is not a workload region: allowed for the edge only.
    pub edge_only_region: Option<String>,
    /// us-west-2 when Route 53 ARC is used (its configuration API lives there; exempt).
    pub recovery_control_region: Option<String>,
    /// Roles as `<path/>name`, matched by exact ARN.
    pub break_glass_roles: Vec<String>,
    pub deployment_roles: Vec<String>,
    /// Roles of the landing zone, exempt from the audit statements only.
    pub landing_zone_roles: Vec<String>,
    /// The accounts the exemptions hold in; empty means any account.
    pub workload_accounts: Vec<String>,
    /// The organization the data perimeter (RCP) admits; none means no RCP.
    pub organization_id: Option<String>,
    /// Name patterns of the buckets that hold data classes and Terraform state.
    pub data_bucket_patterns: Vec<String>,
    pub residency: Vec<ResidencyPlan>,
    /// The bucket of CloudFront's access logs and Global Accelerator's flow logs.
    pub edge_log_bucket: String,
    /// Whether a service runs behind Global Accelerator (whose flow logs go there too).
    pub accelerated: bool,
    /// Name prefix shared by every resource of the topology (`helios-pay-`).
    pub name_prefix: String,
    pub tag_topology: String,
    pub targets: Vec<TargetPlan>,
    pub quota: ScpQuota,
    /// Whether the spec overrode the published quota.
    pub quota_overridden: bool,
    pub required_tags: Vec<(String, Option<String>)>,
    pub primary_region: String,
    /// Every region with Config rules: the workload regions and us-east-1.
    pub config_regions: Vec<String>,
    pub dynamodb_tables: Vec<TablePlan>,
    pub aurora_clusters: Vec<AuroraPlan>,
    pub bucket_classes: Vec<BucketClassPlan>,
    /// The Region switch plans and the roles that run and approve them: their calls are
    /// operations the policies must leave open.
    pub region_switch: super::region_switch::RegionSwitch,
    pub region_switch_role: String,
    pub region_switch_approver_role: String,
    /// The ECS cluster name of every region.
    pub ecs_cluster: String,
    /// The role AWS FIS runs the GameDay experiments as.
    pub gameday_role: String,
    /// The role Systems Manager Automation runs the Region switch drills' runbook as.
    pub gameday_plan_runner_role: String,
    /// The runbook's name, in each region of `region_switch.drill_regions`.
    pub region_switch_drill_document: String,
    /// Providers of the governance stack (one per Config region) and its backend.
    pub providers: Vec<super::context::Provider>,
    pub backend: super::context::Backend,
}

/// A residency class and the resources of its data classes.
#[derive(Clone, Debug)]
pub struct ResidencyPlan {
    pub name: String,
    /// Regions its data may live in (the spec's list, topology or not).
    pub permitted: Vec<String>,
    pub data_classes: Vec<String>,
    pub tables: Vec<String>,
    /// Bucket names of the class in each of its regions, and the name pattern of any bucket
    /// of the class (`helios-pay-documents-eu-*`).
    pub bucket_patterns: Vec<String>,
    pub cluster_patterns: Vec<String>,
    pub global_clusters: Vec<String>,
    pub secrets: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct TargetPlan {
    pub id: String,
    /// SCPs others attach (FullAWSAccess unless the spec says otherwise).
    pub attached: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct TablePlan {
    pub name: String,
    pub regions: Vec<String>,
    pub permitted: Option<Vec<String>>,
}

/// An S3 data class: the buckets its buckets replicate to (its own, in the other
/// regions of the class).
#[derive(Clone, Debug)]
pub struct BucketClassPlan {
    pub data_class: String,
    pub destinations: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct AuroraPlan {
    pub data_class: String,
    pub writer: String,
    pub secondaries: Vec<String>,
}

pub(super) fn plan(context: &Context<'_>, region_switch: &super::region_switch::RegionSwitch) -> GovernancePlan {
    let topology = context.topology;
    let governance = &topology.governance;
    let mut allowed_regions = context.regions.clone();
    let edge_only_region =
        (!allowed_regions.iter().any(|region| region == EDGE_REGION)).then(|| EDGE_REGION.to_string());
    if edge_only_region.is_some() {
        allowed_regions.push(EDGE_REGION.to_string());
        allowed_regions.sort();
    }
    let mut residency = Vec::new();
    for (class, permitted) in &topology.residency {
        let data_classes: Vec<String> = topology
            .data
            .iter()
            .filter(|(_, data_class)| data_class.residency.as_deref() == Some(class))
            .map(|(name, _)| name.clone())
            .collect();
        if data_classes.is_empty() {
            continue;
        }
        let mut plan = ResidencyPlan {
            name: class.clone(),
            permitted: permitted.clone(),
            data_classes: data_classes.clone(),
            tables: Vec::new(),
            bucket_patterns: Vec::new(),
            cluster_patterns: Vec::new(),
            global_clusters: Vec::new(),
            secrets: Vec::new(),
        };
        for name in &data_classes {
            match topology.data[name].store {
                Store::Dynamodb => plan.tables.push(naming::dynamodb_table(topology, name)),
                Store::S3 => plan.bucket_patterns.push(format!("{}-{name}-*", topology.name)),
                Store::Aurora => {
                    plan.cluster_patterns.push(format!("{}-{name}-*", topology.name));
                    plan.global_clusters.push(naming::aurora_global_cluster(topology, name));
                    plan.secrets.push(naming::aurora_master_secret(topology, name));
                }
            }
        }
        residency.push(plan);
    }
    let current = quotas::current();
    let overrides = governance.scp_quota.as_ref();
    let quota = ScpQuota {
        policies_per_target: overrides
            .and_then(|quota| quota.policies_per_target)
            .unwrap_or(current.policies_per_target),
        characters_per_policy: overrides
            .and_then(|quota| quota.characters_per_policy)
            .unwrap_or(current.characters_per_policy),
        ..current
    };
    let mut config_regions = allowed_regions.clone();
    config_regions.dedup();
    let providers = config_regions.iter().map(|region| context.provider(region)).collect();
    GovernancePlan {
        topology: topology.name.clone(),
        spec_file: context.spec_file.clone(),
        workload_regions: context.regions.clone(),
        allowed_regions,
        edge_only_region,
        recovery_control_region: topology
            .edge
            .recovery_control
            .then(|| RECOVERY_CONTROL_REGION.to_string()),
        break_glass_roles: governance.break_glass_roles.clone(),
        deployment_roles: governance.deployment_roles.clone(),
        landing_zone_roles: governance.landing_zone_roles.clone(),
        workload_accounts: governance.workload_accounts.clone(),
        organization_id: governance.organization_id.clone(),
        data_bucket_patterns: topology
            .data
            .iter()
            .filter(|(_, data_class)| data_class.store == Store::S3)
            .map(|(name, _)| naming::s3_bucket(topology, name, "*"))
            .chain([format!("{}-*", topology.state.bucket)])
            .collect(),
        residency,
        edge_log_bucket: naming::edge_log_bucket(topology),
        accelerated: !topology.edge.accelerator.is_empty(),
        name_prefix: format!("{}-", topology.name),
        tag_topology: topology.name.clone(),
        targets: governance
            .scp_targets
            .iter()
            .map(|target| TargetPlan {
                id: target.clone(),
                attached: governance
                    .attached_scps
                    .get(target)
                    .cloned()
                    .unwrap_or_else(|| vec![FULL_AWS_ACCESS.to_string()]),
            })
            .collect(),
        quota_overridden: overrides
            .is_some_and(|quota| quota.policies_per_target.is_some() || quota.characters_per_policy.is_some()),
        quota,
        required_tags: governance
            .required_tags
            .iter()
            .map(|tag| (tag.clone(), topology.tags.get(tag).cloned()))
            .collect(),
        primary_region: topology.primary_region.clone(),
        config_regions,
        dynamodb_tables: context
            .data_classes_of(Store::Dynamodb)
            .map(|(name, data_class)| TablePlan {
                name: naming::dynamodb_table(topology, name),
                regions: context.placements[name].clone(),
                permitted: data_class
                    .residency
                    .as_ref()
                    .map(|class| topology.residency[class].clone()),
            })
            .collect(),
        aurora_clusters: context
            .data_classes_of(Store::Aurora)
            .map(|(name, data_class)| {
                let writer = data_class.writer_region();
                AuroraPlan {
                    data_class: name.clone(),
                    secondaries: context.placements[name]
                        .iter()
                        .filter(|region| **region != writer)
                        .cloned()
                        .collect(),
                    writer,
                }
            })
            .collect(),
        bucket_classes: context
            .data_classes_of(Store::S3)
            .map(|(name, _)| {
                let mut destinations: Vec<String> = context
                    .s3_buckets()
                    .values()
                    .flatten()
                    .filter(|bucket| bucket.class == *name)
                    .flat_map(|bucket| bucket.destinations.iter().map(|destination| destination.bucket.clone()))
                    .collect();
                destinations.sort();
                destinations.dedup();
                BucketClassPlan {
                    data_class: name.clone(),
                    destinations,
                }
            })
            .collect(),
        region_switch: region_switch.clone(),
        region_switch_role: naming::region_switch_role(topology),
        region_switch_approver_role: naming::region_switch_approver_role(topology),
        ecs_cluster: naming::ecs_cluster(topology),
        gameday_role: naming::gameday_role(topology),
        gameday_plan_runner_role: naming::gameday_plan_runner_role(topology),
        region_switch_drill_document: naming::region_switch_drill_document(topology),
        providers,
        backend: context.backend(super::context::GOVERNANCE_ROOT, context.state_region()),
    }
}
