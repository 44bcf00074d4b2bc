//! AWS quotas topoc checks against, as dated data: the AWS Organizations quotas for
//! Service Control Policies, and the Fargate On-Demand vCPU quota N+1 sizing needs.
//!
//! Quotas change: on 2026-05-15 AWS raised them from 5 to 10 SCPs per root, OU or
//! account and, as practitioners measured in live accounts, from 5,120 to 10,240
//! characters per policy. Tools that hard-coded the old numbers broke their users
//! (landing-zone-accelerator-on-aws issue #1119), so topoc keeps the history with its
//! sources, uses the newest entry, and lets a spec override both numbers.

/// One period of SCP quotas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScpQuota {
    /// The date the quota took effect (ISO 8601).
    pub since: &'static str,
    pub policies_per_target: u32,
    pub characters_per_policy: u32,
    pub sources: &'static str,
}

/// Oldest first.
pub const SCP_QUOTAS: &[ScpQuota] = &[
    ScpQuota {
        since: "2019-01-01",
        policies_per_target: 5,
        characters_per_policy: 5120,
        sources: "AWS Organizations user guide, quotas page (orgs_reference_limits)",
    },
    ScpQuota {
        since: "2026-05-15",
        policies_per_target: 10,
        characters_per_policy: 10240,
        sources: "AWS What's New \"aws-organizations-increased-scp-quotas\" (2026-05); landing-zone-accelerator-on-aws #1119 and PR #1120; FogSecurity aws-size PR #71 (size measured in a live account)",
    },
];

/// The quota in force now: the newest entry.
pub fn current() -> ScpQuota {
    *SCP_QUOTAS.last().expect("at least one quota period")
}

/// The AWS-managed SCP attached to every root, OU and account unless removed; it takes a slot.
pub const FULL_AWS_ACCESS: &str = "FullAWSAccess";

/// Resource control policies: at most 5,120 characters each, and 5 attached to a root, OU
/// or account, the AWS-managed `RCPFullAWSAccess` (which cannot be detached) among them,
/// so 4 of one's own (checked 2026-12-02: AWS Organizations user guide, "Quotas and
/// service limits" (orgs_reference_limits) and "Resource control policies (RCPs)").
pub const RCP_CHARACTERS_PER_POLICY: u32 = 5120;
pub const RCPS_PER_TARGET: u32 = 5;
pub const RCP_FULL_AWS_ACCESS: &str = "RCPFullAWSAccess";

/// A per-region Service Quotas quota, as dated data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegionalQuota {
    pub name: &'static str,
    pub service_code: &'static str,
    pub quota_code: &'static str,
    /// The default Service Quotas lists; the value applied to an account can be lower
    /// (new accounts often start far lower) or raised on request.
    pub default_value: u32,
    pub checked: &'static str,
    pub source: &'static str,
}

/// Fargate On-Demand vCPU resource count: how many vCPUs of Fargate tasks one account
/// runs at once in one region. N+1 sizing compares a region's peak vCPUs with it.
pub const FARGATE_ON_DEMAND_VCPU: RegionalQuota = RegionalQuota {
    name: "Fargate On-Demand vCPU resource count",
    service_code: "fargate",
    quota_code: "L-3032A538",
    default_value: 4000,
    checked: "2026-12-02",
    source: "Amazon ECS developer guide, \"Amazon ECS service quotas\" (AWS Fargate section) and \"Migrating Fargate service quotas to vCPU-based quotas\" (AWS Containers blog); the value applied to an account is what the Service Quotas GetServiceQuota call returns",
};

/// `deployment_maximum_percent` of every ECS service topoc emits: a release starts a
/// full set of new tasks before it stops the old ones.
pub const ECS_DEPLOYMENT_MAXIMUM_PERCENT: u32 = 200;
