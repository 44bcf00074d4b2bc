//! AWS Organizations quotas for Service Control Policies, as dated data.
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
