//! Where the AWS control planes that topoc's roots and runbook call live, as dated data
//! with sources, like the SCP quotas.
//!
//! A region's loss takes down the control planes in that region. Planning and applying
//! a root calls the control plane of every resource it manages, so a root whose
//! resources' control planes include the lost region cannot be applied; a runbook step
//! whose control plane is in the lost region cannot be taken. `review/region-loss.md`
//! is built from this table and from each root's providers.
//!
//! Checked 2026-12-02 against the sources named on each entry. Change an entry only with
//! a source; the review quotes `source` beside every step.

/// The date the entries were last checked against their sources.
pub const CHECKED: &str = "2026-12-02";

/// IAM's control plane (creating and changing roles and policies).
pub const IAM_REGION: &str = "us-east-1";
/// Route 53's control plane (hosted zones, records, health checks).
pub const ROUTE53_REGION: &str = "us-east-1";
/// CloudFront's control plane, and where its certificate and CLOUDFRONT-scope WAF live.
pub const CLOUDFRONT_REGION: &str = "us-east-1";
/// AWS Organizations' control plane (SCPs and their attachments).
pub const ORGANIZATIONS_REGION: &str = "us-east-1";
/// Global Accelerator's control plane (accelerators, listeners, endpoint groups, dials).
pub const GLOBAL_ACCELERATOR_REGION: &str = "us-west-2";
/// Route 53 ARC's recovery-control configuration API (clusters, controls, safety rules).
pub const RECOVERY_CONTROL_CONFIG_REGION: &str = "us-west-2";

/// Where a control plane is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// One region, whatever the resource's region.
    Region(&'static str),
    /// The region of the resource the call acts on (a regional service).
    ResourceRegion,
    /// The resource's region, and a dependency on another region's control plane.
    ResourceRegionAnd(&'static str),
    /// The region of the primary of a replicated resource (the writer, the primary key,
    /// the source registry): the call fails while that region is down.
    CurrentPrimaryRegion,
    /// Served from every region and edge location: no single region's loss stops it.
    Global,
    /// Endpoints in several regions, of which a quorum must answer.
    Quorum {
        endpoints: &'static [&'static str],
        needed: usize,
    },
}

/// One control plane a recovery step or a root calls.
#[derive(Clone, Copy, Debug)]
pub struct ControlPlane {
    pub id: &'static str,
    /// The operations, as a reader looks them up.
    pub operations: &'static str,
    pub location: Location,
    /// The document that says so, and its address.
    pub source: &'static str,
    pub url: &'static str,
}

/// The five regions of a Route 53 ARC cluster's data-plane endpoints.
pub const RECOVERY_CLUSTER_ENDPOINT_REGIONS: &[&str] = &[
    "ap-northeast-1",
    "ap-southeast-2",
    "eu-west-1",
    "us-east-1",
    "us-west-2",
];

const FAULT_ISOLATION_GLOBAL: &str =
    "AWS whitepaper \"AWS Fault Isolation Boundaries\", \"Global services\" and appendices A and B";
const FAULT_ISOLATION_GLOBAL_URL: &str =
    "https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/global-services.html";

pub const CONTROL_PLANES: &[ControlPlane] = &[
    ControlPlane {
        id: "route53-records",
        operations: "Route 53 ChangeResourceRecordSets, hosted zones and health checks (create, update, delete)",
        location: Location::Region(ROUTE53_REGION),
        source: FAULT_ISOLATION_GLOBAL,
        url: FAULT_ISOLATION_GLOBAL_URL,
    },
    ControlPlane {
        id: "route53-health-checks",
        operations: "Route 53 DNS answers, health checks and the failover they drive",
        location: Location::Global,
        source: FAULT_ISOLATION_GLOBAL,
        url: FAULT_ISOLATION_GLOBAL_URL,
    },
    ControlPlane {
        id: "iam",
        operations: "IAM CreateRole, PutRolePolicy, AttachRolePolicy and the other write operations",
        location: Location::Region(IAM_REGION),
        source: "IAM user guide, \"Resilience in AWS Identity and Access Management\"",
        url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/disaster-recovery-resiliency.html",
    },
    ControlPlane {
        id: "cloudfront",
        operations: "CloudFront distribution changes and invalidations, its ACM certificate and CLOUDFRONT-scope WAF",
        location: Location::Region(CLOUDFRONT_REGION),
        source: FAULT_ISOLATION_GLOBAL,
        url: FAULT_ISOLATION_GLOBAL_URL,
    },
    ControlPlane {
        id: "cloudfront-origin-failover",
        operations: "CloudFront serving and origin-group failover",
        location: Location::Global,
        source: FAULT_ISOLATION_GLOBAL,
        url: FAULT_ISOLATION_GLOBAL_URL,
    },
    ControlPlane {
        id: "organizations",
        operations: "AWS Organizations policy changes (SCPs and their attachments); existing SCPs keep being evaluated",
        location: Location::Region(ORGANIZATIONS_REGION),
        source: FAULT_ISOLATION_GLOBAL,
        url: FAULT_ISOLATION_GLOBAL_URL,
    },
    ControlPlane {
        id: "global-accelerator",
        operations: "Global Accelerator UpdateEndpointGroup: traffic dials, endpoint weights, endpoint groups",
        location: Location::Region(GLOBAL_ACCELERATOR_REGION),
        source: "Global Accelerator API reference, CreateAccelerator (\"you must specify the US West (Oregon) Region\"); AWS whitepaper \"AWS Fault Isolation Boundaries\", appendix B",
        url: "https://docs.aws.amazon.com/global-accelerator/latest/api/API_CreateAccelerator.html",
    },
    ControlPlane {
        id: "global-accelerator-routing",
        operations: "Global Accelerator routing to healthy endpoints with the existing dials and weights",
        location: Location::Global,
        source: FAULT_ISOLATION_GLOBAL,
        url: FAULT_ISOLATION_GLOBAL_URL,
    },
    ControlPlane {
        id: "recovery-control-config",
        operations: "Route 53 ARC recovery-control configuration (clusters, control panels, routing controls, safety rules)",
        location: Location::Region(RECOVERY_CONTROL_CONFIG_REGION),
        source: "Route 53 ARC developer guide, \"Data and control planes for routing control\"",
        url: "https://docs.aws.amazon.com/r53recovery/latest/dg/data-and-control-planes.html",
    },
    ControlPlane {
        id: "recovery-control-state",
        operations: "Route 53 ARC UpdateRoutingControlState(s) through any of the cluster's five regional endpoints",
        location: Location::Quorum {
            endpoints: RECOVERY_CLUSTER_ENDPOINT_REGIONS,
            needed: 3,
        },
        source: "Route 53 ARC developer guide, \"Getting and updating routing control states using the ARC API\" (\"at least three out of the five Regional cluster endpoints are always accessible\")",
        url: "https://docs.aws.amazon.com/r53recovery/latest/dg/routing-control.update.api.html",
    },
    ControlPlane {
        id: "aurora-switchover",
        operations: "Aurora SwitchoverGlobalCluster (planned, no data loss; every cluster healthy)",
        location: Location::CurrentPrimaryRegion,
        source: "Aurora user guide, \"Using switchover or failover in Amazon Aurora Global Database\" (--region: the region of the primary cluster)",
        url: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html",
    },
    ControlPlane {
        id: "aurora-failover",
        operations: "Aurora FailoverGlobalCluster --allow-data-loss (managed failover for a lost primary region)",
        location: Location::ResourceRegion,
        source: "Aurora user guide, \"Using switchover or failover in Amazon Aurora Global Database\" (--region: the region of the secondary that becomes primary)",
        url: "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html",
    },
    ControlPlane {
        id: "secrets-promote",
        operations: "Secrets Manager StopReplicationToReplica (promote a replica secret)",
        location: Location::ResourceRegion,
        source: "Secrets Manager API reference, StopReplicationToReplica (\"You must call this operation from the Region in which you want to promote the replica\")",
        url: "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_StopReplicationToReplica.html",
    },
    ControlPlane {
        id: "regional",
        operations: "ECS UpdateService and task definitions, Application Auto Scaling, CloudWatch alarms, DynamoDB reads and writes, KMS use",
        location: Location::ResourceRegion,
        source: "AWS whitepaper \"AWS Fault Isolation Boundaries\", \"Regional services\"",
        url: "https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/regional-services.html",
    },
    ControlPlane {
        id: "s3-bucket-configuration",
        operations: "S3 CreateBucket and bucket configuration (PutBucketPolicy, PutBucketVersioning, PutBucketReplication)",
        location: Location::ResourceRegionAnd(ROUTE53_REGION),
        source: FAULT_ISOLATION_GLOBAL,
        url: FAULT_ISOLATION_GLOBAL_URL,
    },
    ControlPlane {
        id: "load-balancer-creation",
        operations: "Creating an Elastic Load Balancing load balancer (its DNS name is a Route 53 record)",
        location: Location::ResourceRegionAnd(ROUTE53_REGION),
        source: FAULT_ISOLATION_GLOBAL,
        url: FAULT_ISOLATION_GLOBAL_URL,
    },
    ControlPlane {
        id: "kms-replicate",
        operations: "KMS ReplicateKey (creating a multi-Region replica) and UpdatePrimaryRegion",
        location: Location::CurrentPrimaryRegion,
        source: "AWS KMS API reference, ReplicateKey (\"records a ReplicateKey operation in the primary key's Region\"; a replica \"can be used independently\")",
        url: "https://docs.aws.amazon.com/kms/latest/APIReference/API_ReplicateKey.html",
    },
    ControlPlane {
        id: "ecr-replication",
        operations: "ECR PutReplicationConfiguration",
        location: Location::CurrentPrimaryRegion,
        source: "Amazon ECR user guide, \"Private image replication in Amazon ECR\" and \"Configuring private image replication\"",
        url: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/replication.html",
    },
];

/// The control plane with `id`; the ids are fixed in this file.
pub fn control_plane(id: &str) -> &'static ControlPlane {
    CONTROL_PLANES
        .iter()
        .find(|plane| plane.id == id)
        .unwrap_or_else(|| panic!("no control plane `{id}`"))
}

impl Location {
    /// Whether the control plane answers with `lost` down, for a call about a resource in
    /// `resource_region`.
    pub fn available_without(self, lost: &str, resource_region: &str) -> bool {
        match self {
            Location::Region(region) => region != lost,
            Location::ResourceRegion | Location::CurrentPrimaryRegion => resource_region != lost,
            Location::ResourceRegionAnd(other) => resource_region != lost && other != lost,
            Location::Global => true,
            Location::Quorum { endpoints, needed } => {
                endpoints.iter().filter(|endpoint| **endpoint != lost).count() >= needed
            }
        }
    }

    /// Where, in words, for the review.
    pub fn describe(self, resource_region: &str) -> String {
        match self {
            Location::Region(region) => region.to_string(),
            Location::ResourceRegion | Location::CurrentPrimaryRegion => resource_region.to_string(),
            Location::ResourceRegionAnd(other) if other == resource_region => resource_region.to_string(),
            Location::ResourceRegionAnd(other) => format!("{resource_region}, and {other}"),
            Location::Global => "every region (global data plane)".to_string(),
            Location::Quorum { endpoints, needed } => {
                format!("{needed} of {} endpoints ({})", endpoints.len(), endpoints.join(", "))
            }
        }
    }
}
