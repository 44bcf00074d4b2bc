//! Actions a region-deny SCP must not deny, because their services are global or are
//! served from one region whatever the caller's region.
//!
//! Source: the AWS Control Tower "Region deny" control (GRREGIONDENY), 86 entries in
//! the docs' order, checked 2026-11-26 against the Control Tower control reference and
//! against the IAM action data in `schemas/iam-actions.json` (every entry matches at
//! least one action). Each entry carries why it is exempt; `review/scp-review.md`
//! prints the groups. Add an entry here, with its reason, when AWS adds a global
//! service; never loosen the list in a spec.

/// Why an action is exempt from the region deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// Identity, organisation and access management: one global endpoint.
    Identity,
    /// Billing, cost, pricing, support and account settings.
    Account,
    /// Global edge and DNS: CloudFront, Route 53, Global Accelerator, WAF, Shield, ARC.
    Edge,
    /// Regional services that global services call in us-east-1 (KMS, ACM) or that audit
    /// every region from one place (Config, Firewall Manager, Trusted Advisor).
    UsedByGlobalServices,
    /// Global networking: Direct Connect, Transit Gateway views, Network Manager.
    Networking,
    /// Read-only or account-wide S3 actions and S3 Multi-Region Access Points.
    S3AccountWide,
    /// Consoles and tools with a single home region (Chime, Device Farm, chatbot, and more).
    SingleRegionTools,
}

impl Reason {
    pub fn explanation(self) -> &'static str {
        match self {
            Reason::Identity => "identity, organization and access management have one global endpoint",
            Reason::Account => "billing, cost, support and account settings are global",
            Reason::Edge => "the edge (CloudFront, Route 53, Global Accelerator, WAF, Shield, ARC) is global",
            Reason::UsedByGlobalServices => {
                "regional services that global services use from us-east-1, or that audit every region"
            }
            Reason::Networking => "global networking views and Direct Connect",
            Reason::S3AccountWide => "account-wide S3 settings, bucket discovery and Multi-Region Access Points",
            Reason::SingleRegionTools => "tools whose only endpoint is in one region",
        }
    }
}

/// The exempt actions, in the Control Tower list's order.
pub const EXEMPT_ACTIONS: &[(&str, Reason)] = &[
    ("a4b:*", Reason::SingleRegionTools),
    ("access-analyzer:*", Reason::Identity),
    ("account:*", Reason::Account),
    ("acm:*", Reason::UsedByGlobalServices),
    ("activate:*", Reason::Account),
    ("artifact:*", Reason::Account),
    ("aws-marketplace-management:*", Reason::Account),
    ("aws-marketplace:*", Reason::Account),
    ("aws-portal:*", Reason::Account),
    ("billing:*", Reason::Account),
    ("billingconductor:*", Reason::Account),
    ("budgets:*", Reason::Account),
    ("ce:*", Reason::Account),
    ("chatbot:*", Reason::SingleRegionTools),
    ("chime:*", Reason::SingleRegionTools),
    ("cloudfront:*", Reason::Edge),
    ("cloudtrail:LookupEvents", Reason::UsedByGlobalServices),
    ("compute-optimizer:*", Reason::Account),
    ("config:*", Reason::UsedByGlobalServices),
    ("consoleapp:*", Reason::SingleRegionTools),
    ("consolidatedbilling:*", Reason::Account),
    ("cur:*", Reason::Account),
    ("datapipeline:GetAccountLimits", Reason::SingleRegionTools),
    ("devicefarm:*", Reason::SingleRegionTools),
    ("directconnect:*", Reason::Networking),
    ("ec2:DescribeRegions", Reason::Networking),
    ("ec2:DescribeTransitGateways", Reason::Networking),
    ("ec2:DescribeVpnGateways", Reason::Networking),
    ("ecr-public:*", Reason::SingleRegionTools),
    ("fms:*", Reason::UsedByGlobalServices),
    ("freetier:*", Reason::Account),
    ("globalaccelerator:*", Reason::Edge),
    ("health:*", Reason::Account),
    ("iam:*", Reason::Identity),
    ("importexport:*", Reason::SingleRegionTools),
    ("invoicing:*", Reason::Account),
    ("iq:*", Reason::SingleRegionTools),
    ("kms:*", Reason::UsedByGlobalServices),
    ("license-manager:ListReceivedLicenses", Reason::Account),
    ("lightsail:Get*", Reason::SingleRegionTools),
    ("mobileanalytics:*", Reason::SingleRegionTools),
    ("networkmanager:*", Reason::Networking),
    ("notifications-contacts:*", Reason::Account),
    ("notifications:*", Reason::Account),
    ("organizations:*", Reason::Identity),
    ("payments:*", Reason::Account),
    ("pricing:*", Reason::Account),
    ("quicksight:DescribeAccountSubscription", Reason::Account),
    ("resource-explorer-2:*", Reason::Account),
    ("route53-recovery-cluster:*", Reason::Edge),
    ("route53-recovery-control-config:*", Reason::Edge),
    ("route53-recovery-readiness:*", Reason::Edge),
    ("route53:*", Reason::Edge),
    ("route53domains:*", Reason::Edge),
    ("s3:CreateMultiRegionAccessPoint", Reason::S3AccountWide),
    ("s3:DeleteMultiRegionAccessPoint", Reason::S3AccountWide),
    ("s3:DescribeMultiRegionAccessPointOperation", Reason::S3AccountWide),
    ("s3:GetAccountPublicAccessBlock", Reason::S3AccountWide),
    ("s3:GetBucketLocation", Reason::S3AccountWide),
    ("s3:GetBucketPolicyStatus", Reason::S3AccountWide),
    ("s3:GetBucketPublicAccessBlock", Reason::S3AccountWide),
    ("s3:GetMultiRegionAccessPoint", Reason::S3AccountWide),
    ("s3:GetMultiRegionAccessPointPolicy", Reason::S3AccountWide),
    ("s3:GetMultiRegionAccessPointPolicyStatus", Reason::S3AccountWide),
    ("s3:GetStorageLensConfiguration", Reason::S3AccountWide),
    ("s3:GetStorageLensDashboard", Reason::S3AccountWide),
    ("s3:ListAllMyBuckets", Reason::S3AccountWide),
    ("s3:ListMultiRegionAccessPoints", Reason::S3AccountWide),
    ("s3:ListStorageLensConfigurations", Reason::S3AccountWide),
    ("s3:PutAccountPublicAccessBlock", Reason::S3AccountWide),
    ("s3:PutMultiRegionAccessPointPolicy", Reason::S3AccountWide),
    ("savingsplans:*", Reason::Account),
    ("shield:*", Reason::Edge),
    ("sso:*", Reason::Identity),
    ("sts:*", Reason::Identity),
    ("support:*", Reason::Account),
    ("supportapp:*", Reason::Account),
    ("supportplans:*", Reason::Account),
    ("sustainability:*", Reason::Account),
    ("tag:GetResources", Reason::Account),
    ("tax:*", Reason::Account),
    ("trustedadvisor:*", Reason::UsedByGlobalServices),
    ("vendor-insights:ListEntitledSecurityProfiles", Reason::Account),
    ("waf-regional:*", Reason::Edge),
    ("waf:*", Reason::Edge),
    ("wafv2:*", Reason::Edge),
];

/// Entries Control Tower needs only because its region deny may deny us-east-1 itself:
/// KMS and ACM, which global services call there, and the regional WAF APIs. topoc always
/// allows us-east-1 (the edge lives there), so elsewhere these stay denied.
pub const NEEDED_ONLY_IN_US_EAST_1: &[&str] = &["acm:*", "kms:*", "waf-regional:*", "wafv2:*"];

/// The exemptions of topoc's region deny: Control Tower's list without the entries only
/// us-east-1 needs.
pub fn region_deny_exemptions() -> impl Iterator<Item = &'static (&'static str, Reason)> {
    EXEMPT_ACTIONS
        .iter()
        .filter(|(action, _)| !NEEDED_ONLY_IN_US_EAST_1.contains(action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_entries_are_dropped() {
        assert_eq!(region_deny_exemptions().count(), 86 - NEEDED_ONLY_IN_US_EAST_1.len());
        for action in NEEDED_ONLY_IN_US_EAST_1 {
            assert!(EXEMPT_ACTIONS.iter().any(|(listed, _)| listed == action), "{action}");
        }
    }

    #[test]
    fn the_list_has_the_control_towers_86_entries_once_each() {
        assert_eq!(EXEMPT_ACTIONS.len(), 86);
        let mut actions: Vec<&str> = EXEMPT_ACTIONS.iter().map(|(action, _)| *action).collect();
        actions.sort_unstable();
        actions.dedup();
        assert_eq!(actions.len(), 86);
    }
}
