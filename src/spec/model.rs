//! The typed topology model, deserialized from a spec that passed the JSON Schema.
//!
//! Field names and defaults mirror `schemas/topology.schema.json`; a test checks that
//! every `default` in the schema is the value the model fills in. Maps are `BTreeMap`,
//! so every later phase iterates in one stable order whatever the spec's key order.
//! Spans are not stored here: [`crate::spec::SpanIndex`] maps a JSON pointer such as
//! `/regions/us-east-1/cidr` back to the file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    pub topoc: u32,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub primary_region: String,
    pub domain: Domain,
    pub state: StateBackend,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub images: Images,
    pub regions: BTreeMap<String, Region>,
    #[serde(default)]
    pub residency: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub edge: Edge,
    pub services: BTreeMap<String, Service>,
    #[serde(default)]
    pub data: BTreeMap<String, DataClass>,
    #[serde(default)]
    pub governance: Governance,
    #[serde(default)]
    pub observability: Observability,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    pub zone: String,
    pub app: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StateBackend {
    pub bucket: String,
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_prefix: Option<String>,
}

/// Where each region's tasks pull their images from.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Images {
    #[serde(default)]
    pub replication: ImageReplication,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ImageReplication {
    /// topoc replicates the one ECR registry into every region.
    #[default]
    Ecr,
    /// The build pushes every image to every region's registry.
    Published,
    /// Every region pulls from the one repository written under `image`.
    Single,
}

/// An Amazon ECR repository URI: `<account>.dkr.ecr.<region>.amazonaws.com/<repository>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcrRepository {
    pub account: String,
    pub region: String,
    pub repository: String,
}

impl EcrRepository {
    pub fn parse(image: &str) -> Option<EcrRepository> {
        let (registry, repository) = image.split_once('/')?;
        let mut parts = registry.split('.');
        let account = parts.next()?;
        let (dkr, ecr, region) = (parts.next()?, parts.next()?, parts.next()?);
        let rest: Vec<&str> = parts.collect();
        let valid = account.len() == 12
            && account.chars().all(|character| character.is_ascii_digit())
            && dkr == "dkr"
            && ecr == "ecr"
            && rest == ["amazonaws", "com"]
            && !repository.is_empty();
        valid.then(|| EcrRepository {
            account: account.to_string(),
            region: region.to_string(),
            repository: repository.to_string(),
        })
    }

    /// The same repository in another region's registry of the same account.
    pub fn in_region(&self, region: &str) -> String {
        format!("{}.dkr.ecr.{region}.amazonaws.com/{}", self.account, self.repository)
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub traffic: f64,
    pub cidr: String,
    #[serde(default = "default_deploy_wave")]
    pub deploy_wave: u32,
    #[serde(default)]
    pub availability_zones: AvailabilityZones,
    #[serde(default)]
    pub geoproximity_bias: i32,
    /// The account's applied Fargate On-Demand vCPU quota in the region, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fargate_vcpu_quota: Option<u32>,
}

fn default_deploy_wave() -> u32 {
    1
}

/// A count of zones, or the zone names themselves.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum AvailabilityZones {
    Count(u32),
    Names(Vec<String>),
}

impl Default for AvailabilityZones {
    fn default() -> AvailabilityZones {
        AvailabilityZones::Count(3)
    }
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Routing {
    #[default]
    Latency,
    Geoproximity,
    Weighted,
}

impl Routing {
    pub fn as_str(self) -> &'static str {
        match self {
            Routing::Latency => "latency",
            Routing::Geoproximity => "geoproximity",
            Routing::Weighted => "weighted",
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    #[serde(default)]
    pub routing: Routing,
    #[serde(default = "default_dns_ttl")]
    pub dns_ttl: u32,
    #[serde(default)]
    pub health_check: HealthCheck,
    #[serde(default)]
    pub cdn: Cdn,
    #[serde(default)]
    pub waf: Waf,
    #[serde(default)]
    pub accelerator: Vec<String>,
    #[serde(default)]
    pub recovery_control: bool,
}

impl Default for Edge {
    fn default() -> Edge {
        Edge {
            routing: Routing::default(),
            dns_ttl: default_dns_ttl(),
            health_check: HealthCheck::default(),
            cdn: Cdn::default(),
            waf: Waf::default(),
            accelerator: Vec::new(),
            recovery_control: false,
        }
    }
}

fn default_dns_ttl() -> u32 {
    60
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    #[serde(default = "default_health_path")]
    pub path: String,
    #[serde(default = "default_interval_seconds")]
    pub interval_seconds: u32,
    #[serde(default = "default_failure_threshold")]
    pub failure_threshold: u32,
}

impl Default for HealthCheck {
    fn default() -> HealthCheck {
        HealthCheck {
            path: default_health_path(),
            interval_seconds: default_interval_seconds(),
            failure_threshold: default_failure_threshold(),
        }
    }
}

fn default_health_path() -> String {
    "/health/deep".to_string()
}

fn default_interval_seconds() -> u32 {
    10
}

fn default_failure_threshold() -> u32 {
    3
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Cdn {
    #[serde(default = "default_failover_status_codes")]
    pub failover_status_codes: Vec<u16>,
    #[serde(default = "default_price_class")]
    pub price_class: String,
    #[serde(default = "default_origin_connection_attempts")]
    pub origin_connection_attempts: u32,
    #[serde(default = "default_origin_connection_timeout")]
    pub origin_connection_timeout: u32,
    #[serde(default = "default_origin_read_timeout")]
    pub origin_read_timeout: u32,
    /// Raising it rotates the header secret that locks the ALBs to CloudFront.
    #[serde(default = "default_origin_secret_version")]
    pub origin_secret_version: u32,
}

impl Default for Cdn {
    fn default() -> Cdn {
        Cdn {
            failover_status_codes: default_failover_status_codes(),
            price_class: default_price_class(),
            origin_connection_attempts: default_origin_connection_attempts(),
            origin_connection_timeout: default_origin_connection_timeout(),
            origin_read_timeout: default_origin_read_timeout(),
            origin_secret_version: default_origin_secret_version(),
        }
    }
}

fn default_failover_status_codes() -> Vec<u16> {
    vec![500, 502, 503, 504]
}

fn default_price_class() -> String {
    "PriceClass_All".to_string()
}

fn default_origin_connection_attempts() -> u32 {
    2
}

fn default_origin_connection_timeout() -> u32 {
    5
}

fn default_origin_secret_version() -> u32 {
    1
}

fn default_origin_read_timeout() -> u32 {
    30
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Waf {
    #[serde(default = "default_rate_limit")]
    pub rate_limit_per_5min: u64,
    #[serde(default = "default_managed_rules")]
    pub managed_rules: Vec<ManagedRuleGroup>,
}

impl Default for Waf {
    fn default() -> Waf {
        Waf {
            rate_limit_per_5min: default_rate_limit(),
            managed_rules: default_managed_rules(),
        }
    }
}

fn default_rate_limit() -> u64 {
    2000
}

fn default_managed_rules() -> Vec<ManagedRuleGroup> {
    vec![
        ManagedRuleGroup::Core,
        ManagedRuleGroup::KnownBadInputs,
        ManagedRuleGroup::IpReputation,
    ]
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum ManagedRuleGroup {
    Core,
    SqlInjection,
    KnownBadInputs,
    IpReputation,
    AnonymousIp,
    Linux,
    Unix,
}

impl ManagedRuleGroup {
    /// The AWS managed rule group's name (vendor `AWS`).
    pub fn aws_name(self) -> &'static str {
        match self {
            ManagedRuleGroup::Core => "AWSManagedRulesCommonRuleSet",
            ManagedRuleGroup::SqlInjection => "AWSManagedRulesSQLiRuleSet",
            ManagedRuleGroup::KnownBadInputs => "AWSManagedRulesKnownBadInputsRuleSet",
            ManagedRuleGroup::IpReputation => "AWSManagedRulesAmazonIpReputationList",
            ManagedRuleGroup::AnonymousIp => "AWSManagedRulesAnonymousIpList",
            ManagedRuleGroup::Linux => "AWSManagedRulesLinuxRuleSet",
            ManagedRuleGroup::Unix => "AWSManagedRulesUnixRuleSet",
        }
    }

    pub fn spec_name(self) -> &'static str {
        match self {
            ManagedRuleGroup::Core => "core",
            ManagedRuleGroup::SqlInjection => "sql-injection",
            ManagedRuleGroup::KnownBadInputs => "known-bad-inputs",
            ManagedRuleGroup::IpReputation => "ip-reputation",
            ManagedRuleGroup::AnonymousIp => "anonymous-ip",
            ManagedRuleGroup::Linux => "linux",
            ManagedRuleGroup::Unix => "unix",
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub image: String,
    pub port: u32,
    pub cpu: u32,
    pub memory: u32,
    pub path: String,
    #[serde(default = "default_service_health_path")]
    pub health_path: String,
    pub peak_rps: f64,
    pub rps_per_task: f64,
    #[serde(default = "default_steady_utilization")]
    pub steady_utilization: f64,
    #[serde(default = "default_min_tasks")]
    pub min_tasks: u32,
    #[serde(default)]
    pub latency_critical: bool,
    #[serde(default)]
    pub cacheable: bool,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
    #[serde(default)]
    pub data: ServiceData,
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
}

/// How a service may use a data class.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    Read,
    ReadWrite,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::ReadWrite => "read-write",
        }
    }

    pub fn writes(self) -> bool {
        self == Access::ReadWrite
    }
}

/// The data classes a service uses: a list of names (each with the service's default
/// access) or a mapping of name to access.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum ServiceData {
    Names(Vec<String>),
    Access(BTreeMap<String, Access>),
}

impl Default for ServiceData {
    fn default() -> ServiceData {
        ServiceData::Names(Vec::new())
    }
}

impl ServiceData {
    /// The class names, in the spec's order for a list and sorted for a mapping.
    pub fn names(&self) -> Vec<&str> {
        match self {
            ServiceData::Names(names) => names.iter().map(String::as_str).collect(),
            ServiceData::Access(access) => access.keys().map(String::as_str).collect(),
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        match self {
            ServiceData::Names(names) => names.iter().any(|listed| listed == name),
            ServiceData::Access(access) => access.contains_key(name),
        }
    }

    /// Whether the spec wrote the access of this class explicitly.
    pub fn explicit_access(&self, name: &str) -> Option<Access> {
        match self {
            ServiceData::Names(_) => None,
            ServiceData::Access(access) => access.get(name).copied(),
        }
    }
}

impl Service {
    /// Whether the service's responses are only read: `read_only` paths and cacheable
    /// responses, whose classes default to `read`.
    pub fn reads_only(&self) -> bool {
        self.read_only || self.cacheable
    }

    /// The access the service has to a class it lists: as written, or `read` for a
    /// read-only or cacheable service and `read-write` otherwise.
    pub fn access_to(&self, data_class: &str) -> Access {
        self.data.explicit_access(data_class).unwrap_or(if self.reads_only() {
            Access::Read
        } else {
            Access::ReadWrite
        })
    }

    /// Every class the service lists, with its access.
    pub fn data_access(&self) -> Vec<(&str, Access)> {
        self.data
            .names()
            .into_iter()
            .map(|name| (name, self.access_to(name)))
            .collect()
    }
}

fn default_service_health_path() -> String {
    "/health".to_string()
}

fn default_steady_utilization() -> f64 {
    0.5
}

fn default_min_tasks() -> u32 {
    2
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Store {
    Dynamodb,
    Aurora,
    S3,
}

impl Store {
    pub fn as_str(self) -> &'static str {
        match self {
            Store::Dynamodb => "dynamodb",
            Store::Aurora => "aurora",
            Store::S3 => "s3",
        }
    }
}

/// One data class. The schema allows each store's fields only with that store, so
/// fields of other stores are always `None` or their default here.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DataClass {
    pub store: Store,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
    // DynamoDB
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_key: Option<String>,
    #[serde(default = "default_key_type")]
    pub partition_key_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_key: Option<String>,
    #[serde(default = "default_key_type")]
    pub sort_key_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<ConflictModel>,
    #[serde(default)]
    pub consistency: Consistency,
    #[serde(default)]
    pub unique: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_attribute: Option<String>,
    #[serde(default)]
    pub indexes: BTreeMap<String, SecondaryIndex>,
    #[serde(default)]
    pub capacity: Capacity,
    // Aurora
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writer: Option<Writer>,
    #[serde(default)]
    pub write_forwarding: bool,
    #[serde(default = "default_instance_class")]
    pub instance_class: String,
    #[serde(default = "default_instances")]
    pub instances: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    #[serde(default = "default_backup_retention_days")]
    pub backup_retention_days: u32,
    #[serde(default = "default_master_password_version")]
    pub master_password_version: u32,
    // S3
    #[serde(default)]
    pub replication: S3Replication,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hub: Option<String>,
    #[serde(default = "default_noncurrent_version_expiration_days")]
    pub noncurrent_version_expiration_days: u32,
}

fn default_key_type() -> String {
    "S".to_string()
}

fn default_instance_class() -> String {
    "db.r6g.large".to_string()
}

fn default_instances() -> u32 {
    2
}

fn default_backup_retention_days() -> u32 {
    14
}

fn default_master_password_version() -> u32 {
    1
}

fn default_noncurrent_version_expiration_days() -> u32 {
    90
}

/// A DynamoDB global secondary index.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecondaryIndex {
    pub partition_key: String,
    #[serde(default = "default_key_type")]
    pub partition_key_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_key: Option<String>,
    #[serde(default = "default_key_type")]
    pub sort_key_type: String,
    #[serde(default)]
    pub projection: Projection,
}

/// The attributes a secondary index holds besides its keys.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Projection {
    Kind(ProjectionKind),
    Include(Vec<String>),
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ProjectionKind {
    All,
    KeysOnly,
}

impl Default for Projection {
    fn default() -> Projection {
        Projection::Kind(ProjectionKind::All)
    }
}

impl Projection {
    /// DynamoDB's `ProjectionType`.
    pub fn aws_type(&self) -> &'static str {
        match self {
            Projection::Kind(ProjectionKind::All) => "ALL",
            Projection::Kind(ProjectionKind::KeysOnly) => "KEYS_ONLY",
            Projection::Include(_) => "INCLUDE",
        }
    }
}

/// The capacity mode of a DynamoDB class.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    #[serde(default)]
    pub mode: CapacityMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<UnitRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write: Option<UnitRange>,
    #[serde(default = "default_target_utilization")]
    pub target_utilization: f64,
}

impl Default for Capacity {
    fn default() -> Capacity {
        Capacity {
            mode: CapacityMode::default(),
            read: None,
            write: None,
            target_utilization: default_target_utilization(),
        }
    }
}

fn default_target_utilization() -> f64 {
    0.7
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CapacityMode {
    #[default]
    OnDemand,
    Provisioned,
}

/// An autoscaling range of capacity units.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UnitRange {
    pub min: u32,
    pub max: u32,
}

/// `writer` accepts one region or, so the checker can say why it is wrong, a list.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Writer {
    One(String),
    Many(Vec<String>),
}

impl DataClass {
    /// The writer region of a checked Aurora class (the checker guarantees exactly one);
    /// empty for other stores.
    pub fn writer_region(&self) -> String {
        self.writer
            .as_ref()
            .and_then(|writer| writer.regions().first().map(|region| region.to_string()))
            .unwrap_or_default()
    }
}

impl Writer {
    pub fn regions(&self) -> Vec<&str> {
        match self {
            Writer::One(region) => vec![region.as_str()],
            Writer::Many(regions) => regions.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictModel {
    Lww,
    RegionOwned,
    AppendOnly,
    PerRegionCounter,
    InPlaceCounter,
}

impl ConflictModel {
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictModel::Lww => "lww",
            ConflictModel::RegionOwned => "region-owned",
            ConflictModel::AppendOnly => "append-only",
            ConflictModel::PerRegionCounter => "per-region-counter",
            ConflictModel::InPlaceCounter => "in-place-counter",
        }
    }
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Consistency {
    #[default]
    Eventual,
    Strong,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum S3Replication {
    #[default]
    Bidirectional,
    HubAndSpoke,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Governance {
    #[serde(default)]
    pub scp_targets: Vec<String>,
    #[serde(default)]
    pub break_glass_roles: Vec<String>,
    #[serde(default = "default_required_tags")]
    pub required_tags: Vec<String>,
    #[serde(default)]
    pub deployment_roles: Vec<String>,
    /// Roles of the landing zone (Control Tower, LZA) that manage the audit services in
    /// every region: exempt from the audit statements only.
    #[serde(default)]
    pub landing_zone_roles: Vec<String>,
    /// Accounts the exemptions are limited to; empty means any account under the targets.
    #[serde(default)]
    pub workload_accounts: Vec<String>,
    /// The organization whose principals alone may use the topology's data (the RCP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp_quota: Option<ScpQuotaOverride>,
    #[serde(default)]
    pub attached_scps: BTreeMap<String, Vec<String>>,
    /// The role in the management account (or the delegated administrator) that applies
    /// `governance/`; the state buckets grant it that root's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_role_arn: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScpQuotaOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies_per_target: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub characters_per_policy: Option<u32>,
}

impl Default for Governance {
    fn default() -> Governance {
        Governance {
            scp_targets: Vec::new(),
            break_glass_roles: Vec::new(),
            required_tags: default_required_tags(),
            deployment_roles: Vec::new(),
            landing_zone_roles: Vec::new(),
            workload_accounts: Vec::new(),
            organization_id: None,
            scp_quota: None,
            attached_scps: BTreeMap::new(),
            management_role_arn: None,
        }
    }
}

fn default_required_tags() -> Vec<String> {
    vec!["data-residency".to_string()]
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Observability {
    #[serde(default = "default_dynamodb_replication_latency_ms")]
    pub dynamodb_replication_latency_ms: u64,
    #[serde(default = "default_aurora_lag_ms")]
    pub aurora_replication_lag_ms: u64,
    #[serde(default = "default_aurora_lag_ms")]
    pub aurora_rpo_lag_ms: u64,
    #[serde(default = "default_cloudfront_5xx_error_rate_percent")]
    pub cloudfront_5xx_error_rate_percent: f64,
    #[serde(default = "default_evaluation_periods")]
    pub evaluation_periods: u32,
    /// Who every alarm topic notifies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<NotifyTarget>,
    /// How often each GameDay drill runs.
    #[serde(default)]
    pub gameday_cadence: Cadence,
}

/// How often a drill runs.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Cadence {
    Monthly,
    #[default]
    Quarterly,
}

impl Cadence {
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Monthly => "monthly",
            Cadence::Quarterly => "quarterly",
        }
    }
}

/// One subscriber of the alarm topics: the SNS protocol and its endpoint.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum NotifyTarget {
    Email(String),
    Https(String),
    Sms(String),
}

impl NotifyTarget {
    /// The SNS protocol and endpoint of the subscription.
    pub fn protocol_and_endpoint(&self) -> (&'static str, &str) {
        match self {
            NotifyTarget::Email(address) => ("email", address),
            NotifyTarget::Https(url) => ("https", url),
            NotifyTarget::Sms(number) => ("sms", number),
        }
    }
}

impl Default for Observability {
    fn default() -> Observability {
        Observability {
            dynamodb_replication_latency_ms: default_dynamodb_replication_latency_ms(),
            aurora_replication_lag_ms: default_aurora_lag_ms(),
            aurora_rpo_lag_ms: default_aurora_lag_ms(),
            cloudfront_5xx_error_rate_percent: default_cloudfront_5xx_error_rate_percent(),
            evaluation_periods: default_evaluation_periods(),
            notify: Vec::new(),
            gameday_cadence: Cadence::default(),
        }
    }
}

fn default_dynamodb_replication_latency_ms() -> u64 {
    2000
}

fn default_aurora_lag_ms() -> u64 {
    1000
}

fn default_cloudfront_5xx_error_rate_percent() -> f64 {
    5.0
}

fn default_evaluation_periods() -> u32 {
    3
}

impl Topology {
    /// The regions a data class may live in: its explicit list, or every topology
    /// region its residency permits, in topology (sorted) order. Unknown residency
    /// classes and regions are the checker's business; here they simply drop out.
    pub fn placement(&self, data_class: &DataClass) -> Vec<String> {
        let permitted = |region: &str| match &data_class.residency {
            None => true,
            Some(class) => self
                .residency
                .get(class)
                .is_some_and(|regions| regions.iter().any(|permitted| permitted == region)),
        };
        match &data_class.regions {
            Some(explicit) => {
                let mut regions: Vec<String> = explicit
                    .iter()
                    .filter(|region| self.regions.contains_key(region.as_str()) && permitted(region))
                    .cloned()
                    .collect();
                regions.sort();
                regions
            }
            None => self
                .regions
                .keys()
                .filter(|region| permitted(region))
                .cloned()
                .collect(),
        }
    }

    /// The region that hosts a class's main resource (the DynamoDB table, the default S3
    /// hub): the primary region when the class may live there, else its first region;
    /// none when it may live nowhere.
    pub fn home_region(&self, data_class: &DataClass) -> Option<String> {
        let placement = self.placement(data_class);
        if placement.contains(&self.primary_region) {
            Some(self.primary_region.clone())
        } else {
            placement.into_iter().next()
        }
    }

    /// The hub of a hub-and-spoke bucket class: its `hub`, or by default its home region
    /// (the schema's documented default).
    pub fn hub_region(&self, data_class: &DataClass) -> Option<String> {
        data_class.hub.clone().or_else(|| self.home_region(data_class))
    }

    /// The regions a service runs in: its `regions` that are topology regions, or every
    /// topology region, in topology (sorted) order. Unknown regions are the checker's
    /// business; here they drop out.
    pub fn service_regions(&self, service: &Service) -> Vec<String> {
        match &service.regions {
            Some(listed) => self
                .regions
                .keys()
                .filter(|region| listed.contains(region))
                .cloned()
                .collect(),
            None => self.regions.keys().cloned().collect(),
        }
    }

    /// The zone names of a region: the listed names, or the usual names for the count.
    pub fn zone_names(&self, region: &str) -> Result<Vec<String>, String> {
        match &self.regions[region].availability_zones {
            AvailabilityZones::Names(names) => Ok(names.clone()),
            AvailabilityZones::Count(count) => crate::aws::regions::usual_zone_names(region, *count as usize),
        }
    }

    /// The state key prefix: `state.key_prefix`, or the topology name.
    pub fn state_key_prefix(&self) -> &str {
        self.state.key_prefix.as_deref().unwrap_or(&self.name)
    }

    /// The state bucket of a region: `<state.bucket>-<region>`.
    pub fn state_bucket(&self, region: &str) -> String {
        format!("{}-{region}", self.state.bucket)
    }

    /// The image a region's tasks pull: the same repository in the region's own registry,
    /// unless every region pulls the one repository written in the spec.
    pub fn regional_image(&self, service: &Service, region: &str) -> String {
        match (self.images.replication, EcrRepository::parse(&service.image)) {
            (ImageReplication::Ecr | ImageReplication::Published, Some(repository)) => repository.in_region(region),
            _ => service.image.clone(),
        }
    }
}
