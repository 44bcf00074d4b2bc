//! The facts every stack's lowering shares, computed once from the checked topology:
//! where each data class and each KMS key class lives, the N+1 sizing, versions,
//! backends and providers, and the two files every root stack opens with.
//!
//! It sits beside the IR types so that the stack files (`regions.rs`, `data.rs`,
//! `global.rs`, `docs.rs`, `governance.rs`) and the entry point (`lower.rs`) all depend
//! on it, and not on each other.

use std::collections::BTreeMap;

use serde::Serialize;

use super::markdown::Markdown;
use super::{Block, File, Stack, StackKind};
use crate::check::sizing::{self, ServiceSizing};
use crate::naming;
use crate::spec::Topology;
use crate::spec::model::{S3Replication, Store};

/// Terraform 1.11 introduced write-only arguments, which keep the Aurora master
/// password out of state.
pub const TERRAFORM_VERSION_CONSTRAINT: &str = ">= 1.11.0";
/// The provider version whose schema topoc validates against (schemas/aws-provider-schema.json).
pub const AWS_PROVIDER_VERSION_CONSTRAINT: &str = "~> 6.69";
/// The KMS key class of data without a residency class.
pub const DEFAULT_KEY_CLASS: &str = "default";

/// The roots, by directory. `regions/<region>` roots come from [`Context::region_root`].
pub const BOOTSTRAP_ROOT: &str = "bootstrap";
pub const GOVERNANCE_ROOT: &str = "governance";
pub const KEYS_ROOT: &str = "keys";
pub const IDENTITY_ROOT: &str = "identity";
pub const CERTIFICATES_ROOT: &str = "certificates";
pub const REGISTRY_ROOT: &str = "registry";
pub const DATA_ROOT: &str = "data";
pub const REPLICATION_ROOT: &str = "replication";
pub const GLOBAL_ROOT: &str = "global";
/// The name of the `modules/region` call in every region root.
pub const REGION_MODULE: &str = "region";

/// A multi-Region KMS key: the regions that hold it and the one that holds its primary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyClass {
    pub regions: Vec<String>,
    pub home: String,
}

/// Shared facts, computed once.
pub struct Context<'a> {
    pub topology: &'a Topology,
    pub spec_file: String,
    pub regions: Vec<String>,
    pub sizing: BTreeMap<String, ServiceSizing>,
    /// Regions of each data class, sorted.
    pub placements: BTreeMap<String, Vec<String>>,
    pub key_classes: BTreeMap<String, KeyClass>,
    s3_buckets: std::sync::OnceLock<BTreeMap<String, Vec<S3Bucket>>>,
    /// (service, region) → what its tasks reach there; the identity root and the region
    /// roots both read it.
    service_accesses: std::sync::OnceLock<BTreeMap<(String, String), ServiceAccess>>,
    /// The region roots' first-apply order and the regions to apply twice.
    region_apply_order: std::sync::OnceLock<(Vec<String>, Vec<String>)>,
}

impl<'a> Context<'a> {
    pub fn new(topology: &'a Topology, spec_file: &str) -> Context<'a> {
        let regions: Vec<String> = topology.regions.keys().cloned().collect();
        let placements = topology
            .data
            .iter()
            .map(|(name, data_class)| (name.clone(), topology.placement(data_class)))
            .collect();
        let mut key_classes = BTreeMap::new();
        key_classes.insert(
            DEFAULT_KEY_CLASS.to_string(),
            KeyClass {
                regions: regions.clone(),
                home: topology.primary_region.clone(),
            },
        );
        for data_class in topology.data.values() {
            let Some(class) = &data_class.residency else { continue };
            let permitted = &topology.residency[class];
            let class_regions: Vec<String> = regions
                .iter()
                .filter(|region| permitted.contains(region))
                .cloned()
                .collect();
            let home = if class_regions.contains(&topology.primary_region) {
                topology.primary_region.clone()
            } else {
                permitted
                    .iter()
                    .find(|region| topology.regions.contains_key(region.as_str()))
                    .cloned()
                    .expect("the checker guarantees a permitted topology region")
            };
            key_classes.insert(
                class.clone(),
                KeyClass {
                    regions: class_regions,
                    home,
                },
            );
        }
        Context {
            topology,
            spec_file: spec_file.to_string(),
            regions,
            sizing: sizing::size_all(topology),
            placements,
            key_classes,
            s3_buckets: std::sync::OnceLock::new(),
            service_accesses: std::sync::OnceLock::new(),
            region_apply_order: std::sync::OnceLock::new(),
        }
    }

    /// Whether the topology has a `data` root: a DynamoDB or an Aurora class.
    pub fn has_data_root(&self) -> bool {
        self.topology
            .data
            .values()
            .any(|data_class| matches!(data_class.store, Store::Dynamodb | Store::Aurora))
    }

    /// Where tasks in `region` send their writes to an Aurora class, if anywhere. With
    /// write forwarding every region writes through its own cluster's reader endpoint,
    /// which forwards to whichever cluster is primary; without it only the writer
    /// region's tasks write, through the global writer endpoint.
    pub fn aurora_write_target(&self, data_class: &str, region: &str) -> Option<AuroraWriteTarget> {
        let class = &self.topology.data[data_class];
        if !self.placements[data_class].iter().any(|placed| placed == region) {
            return None;
        }
        if class.write_forwarding {
            return Some(AuroraWriteTarget::LocalReaderForwarding);
        }
        let writer = class.writer.as_ref()?;
        (writer.regions() == [region]).then_some(AuroraWriteTarget::GlobalWriterEndpoint)
    }

    /// The subscribers of every alarm topic, as a `for_each` map keyed
    /// `<protocol>:<endpoint>`, so adding one changes no other subscription's address.
    pub fn alarm_subscriptions(&self) -> super::hcl::Value {
        use super::hcl::Value;
        Value::object(self.topology.observability.notify.iter().map(|target| {
            let (protocol, endpoint) = target.protocol_and_endpoint();
            (
                format!("{protocol}:{endpoint}"),
                Value::object([
                    ("protocol", Value::string(protocol)),
                    ("endpoint", Value::string(endpoint)),
                ]),
            )
        }))
    }

    /// The region CloudFront retries in when `region` fails a request: the nearest other
    /// topology region.
    pub fn failover_target(&self, region: &str) -> String {
        crate::aws::regions::nearest(region, self.regions.iter().map(String::as_str))
            .expect("at least two known regions")
            .to_string()
    }

    /// The key class that encrypts a data class.
    pub fn key_class_of(&self, data_class: &str) -> &str {
        self.topology.data[data_class]
            .residency
            .as_deref()
            .unwrap_or(DEFAULT_KEY_CLASS)
    }

    /// The copy in `region` of the key that encrypts a data class.
    pub fn key_arn(&self, data_class: &str, region: &str) -> String {
        format!(
            "{}[{}]",
            key_arns_in(region),
            super::hcl::quote(self.key_class_of(data_class))
        )
    }

    /// The `data-residency` tag value of a data class.
    pub fn residency_tag_of(&self, data_class: &str) -> String {
        self.topology.data[data_class]
            .residency
            .clone()
            .unwrap_or_else(|| "unrestricted".to_string())
    }

    /// The region that hosts a store's main resource ([`Topology::home_region`]).
    pub fn home_of(&self, data_class: &str) -> String {
        self.topology
            .home_region(&self.topology.data[data_class])
            .expect("the checker guarantees a region for every class")
    }

    pub fn data_classes_of(&self, store: Store) -> impl Iterator<Item = (&String, &crate::spec::model::DataClass)> {
        self.topology
            .data
            .iter()
            .filter(move |(_, data_class)| data_class.store == store)
    }

    /// The backend of a root: its state key in the state bucket of `region` (a region's
    /// own root keeps its state in its region; the roots that span regions in
    /// `state.region`).
    pub fn backend(&self, root: &str, region: &str) -> Backend {
        Backend {
            bucket: self.topology.state_bucket(region),
            key: self.state_key(root),
            region: region.to_string(),
        }
    }

    /// The state object key of a root: `<key_prefix>/<root>.tfstate`.
    pub fn state_key(&self, root: &str) -> String {
        format!("{}/{root}.tfstate", self.topology.state_key_prefix())
    }

    /// The region whose bucket holds the state of the roots that span regions.
    pub fn state_region(&self) -> &str {
        &self.topology.state.region
    }

    /// The directory of a region's own root: `regions/eu-west-1`.
    pub fn region_root(region: &str) -> String {
        format!("regions/{region}")
    }

    /// Default tags of a region's provider.
    pub fn provider(&self, region: &str) -> Provider {
        let mut tags: BTreeMap<String, String> = self.topology.tags.clone();
        tags.insert("topology".to_string(), self.topology.name.clone());
        tags.insert("region".to_string(), region.to_string());
        tags.insert("data-residency".to_string(), "unrestricted".to_string());
        tags.insert("managed-by".to_string(), "topoc".to_string());
        Provider {
            alias: super::provider_alias(region),
            region: region.to_string(),
            tags: tags.into_iter().collect(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Backend {
    pub bucket: String,
    pub key: String,
    pub region: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Provider {
    pub alias: String,
    pub region: String,
    pub tags: Vec<(String, String)>,
}

/// The view of `versions.tf`: version constraints and the backend.
#[derive(Serialize)]
pub struct Versions {
    pub terraform_version_constraint: &'static str,
    pub aws_provider_version_constraint: &'static str,
    pub backend: Option<Backend>,
}

impl Versions {
    pub fn module() -> Versions {
        Versions {
            terraform_version_constraint: TERRAFORM_VERSION_CONSTRAINT,
            aws_provider_version_constraint: AWS_PROVIDER_VERSION_CONSTRAINT,
            backend: None,
        }
    }
}

/// A root stack's frame: its state backend, providers and remote states, from which
/// [`Root::into_stack`] builds the files every root opens with (`versions.tf`,
/// `providers.tf`, `remote_state.tf`) and the stack's record of the regions it needs.
pub struct Root {
    pub directory: String,
    /// `None` keeps the state on local disk: only `bootstrap/`, which creates the buckets.
    pub backend: Option<Backend>,
    pub providers: Vec<Provider>,
    /// Producer directory and data source of each root this one reads.
    pub remote_states: Vec<(String, Block)>,
    pub home_region: Option<String>,
    pub summary: Markdown,
    /// Regions called without a provider there, and why.
    pub implicit_needs: Vec<(String, String)>,
    /// For a root that spans regions and reads remote state: every topology region, the
    /// values its `state_region` variable may take (its state bucket's region, or another
    /// whose bucket holds the replicas while that one is down).
    pub state_region_choices: Vec<String>,
}

impl Root {
    /// The stack: the frame's files, then `files`.
    pub fn into_stack(self, files: Vec<File>) -> Stack {
        #[derive(Serialize)]
        struct Providers {
            providers: Vec<Provider>,
        }
        let mut regions: Vec<String> = self.providers.iter().map(|provider| provider.region.clone()).collect();
        regions.extend(self.backend.iter().map(|backend| backend.region.clone()));
        regions.extend(self.implicit_needs.iter().map(|(region, _)| region.clone()));
        regions.sort();
        regions.dedup();
        let versions_backend_region = self.backend.as_ref().map(|backend| backend.region.clone());
        let versions = Versions {
            terraform_version_constraint: TERRAFORM_VERSION_CONSTRAINT,
            aws_provider_version_constraint: AWS_PROVIDER_VERSION_CONSTRAINT,
            backend: self.backend,
        };
        let mut all_files = vec![
            File::hcl(
                "versions.tf",
                vec![Block::new("common/versions.tf.j2", None, &versions)],
            ),
            File::hcl(
                "providers.tf",
                vec![Block::new(
                    "common/providers.tf.j2",
                    None,
                    &Providers {
                        providers: self.providers,
                    },
                )],
            ),
        ];
        if !self.state_region_choices.is_empty()
            && let Some(backend_region) = &versions_backend_region
        {
            #[derive(Serialize)]
            struct StateRegion<'a> {
                default: &'a str,
                choices: &'a [String],
            }
            all_files.push(File::hcl(
                "variables.tf",
                vec![Block::new(
                    "common/state_region.tf.j2",
                    None,
                    &StateRegion {
                        default: backend_region,
                        choices: &self.state_region_choices,
                    },
                )],
            ));
        }
        let reads_from: Vec<String> = self
            .remote_states
            .iter()
            .map(|(producer, _)| producer.clone())
            .collect();
        if !self.remote_states.is_empty() {
            all_files.push(File::hcl(
                "remote_state.tf",
                self.remote_states.into_iter().map(|(_, block)| block).collect(),
            ));
        }
        all_files.extend(files);
        Stack {
            directory: self.directory,
            kind: StackKind::Root,
            reads_from,
            regions,
            implicit_needs: self.implicit_needs,
            state_region: versions_backend_region,
            home_region: self.home_region,
            summary: self.summary,
            files: all_files,
        }
    }
}

impl Context<'_> {
    /// The frame of root `directory`: a region's own root (`home_region`) keeps its state
    /// in, and reads remote state from, its region's bucket; the roots that span regions
    /// use the bucket of `state.region`. Every bucket holds a replica of every state.
    pub fn root(
        &self,
        directory: &str,
        home_region: Option<&str>,
        provider_regions: &[String],
        reads: &[String],
        summary: Markdown,
    ) -> Root {
        let state_region = home_region.unwrap_or_else(|| self.state_region()).to_string();
        // A root that spans regions reads remote state through `var.state_region`, so it
        // can be pointed at another region's replicas while its own bucket's is down; a
        // region's own root reads only its own region.
        let switchable = home_region.is_none() && !reads.is_empty();
        let mut provider_regions = provider_regions.to_vec();
        provider_regions.sort();
        provider_regions.dedup();
        Root {
            directory: directory.to_string(),
            backend: Some(self.backend(directory, &state_region)),
            providers: provider_regions.iter().map(|region| self.provider(region)).collect(),
            remote_states: reads
                .iter()
                .map(|producer| {
                    (
                        producer.clone(),
                        remote_state(self, producer, &state_region, switchable),
                    )
                })
                .collect(),
            home_region: home_region.map(str::to_string),
            summary,
            implicit_needs: Vec::new(),
            state_region_choices: if switchable { self.regions.clone() } else { Vec::new() },
        }
    }
}

#[derive(Serialize)]
struct RemoteState {
    name: String,
    bucket: String,
    /// The state bucket's name before its region, when the region is `var.state_region`.
    bucket_prefix: Option<String>,
    key: String,
    region: String,
}

/// The name of the `terraform_remote_state` data source that reads root `producer`:
/// `keys`, `regions_eu_west_1`.
pub fn remote_state_name(producer: &str) -> String {
    super::identifier(&producer.replace('/', "_"))
}

/// An output of another root, as read through its remote state.
pub fn remote_output(producer: &str, output: &str) -> String {
    format!(
        "data.terraform_remote_state.{}.outputs.{output}",
        remote_state_name(producer)
    )
}

/// Every region's copy of every key class, as a root that reads `keys` sees them.
pub fn key_arns() -> String {
    remote_output(KEYS_ROOT, "kms_key_arns")
}

/// One region's copy of every key class, by key class.
pub fn key_arns_in(region: &str) -> String {
    format!("{}[{}]", key_arns(), super::hcl::quote(region))
}

/// The `terraform_remote_state` data source through which a root reads the outputs of
/// root `producer`, from the state bucket of `reader_region` (or, when `switchable`, of
/// `var.state_region`, which defaults to it).
fn remote_state(context: &Context<'_>, producer: &str, reader_region: &str, switchable: bool) -> Block {
    Block::new(
        "common/remote_state.tf.j2",
        None,
        &RemoteState {
            name: remote_state_name(producer),
            bucket: context.topology.state_bucket(reader_region),
            bucket_prefix: switchable.then(|| format!("{}-", context.topology.state.bucket)),
            key: context.state_key(producer),
            region: reader_region.to_string(),
        },
    )
}

/// The initial database of an Aurora data class.
pub fn database_name(class: &str, data_class: &crate::spec::model::DataClass) -> String {
    data_class.database.clone().unwrap_or_else(|| class.replace('-', "_"))
}

/// What a service's tasks in one region may reach: that region's copy of each data
/// class the service lists, split by access, and the environment that names them. The
/// task role (in `identity/`) and the task definition (in the region's root) both come
/// from it, so the two cannot disagree.
#[derive(Clone, Debug, Default)]
pub struct ServiceAccess {
    pub tables: Vec<String>,
    pub writable_tables: Vec<String>,
    pub buckets: Vec<String>,
    pub writable_buckets: Vec<String>,
    /// Aurora class → the database user the service connects as.
    pub databases: Vec<(String, String)>,
    pub key_classes: Vec<String>,
    /// Names of the region's data: `TOPOC_TABLE_*`, `TOPOC_BUCKET_*`, `TOPOC_DB_*`.
    pub environment: BTreeMap<String, String>,
    /// Values known only once the region's root applies, as HCL expressions of that
    /// root: the Aurora endpoints (`TOPOC_DB_*_ENDPOINT_*`).
    pub environment_expressions: BTreeMap<String, String>,
    /// Aurora class → how the service's writes reach the writer, for classes it writes.
    pub aurora_writes: Vec<(String, AuroraWriteTarget)>,
}

impl Context<'_> {
    /// The services that run in a region, in name order.
    pub fn services_in<'s>(
        &'s self,
        region: &'s str,
    ) -> impl Iterator<Item = (&'s String, &'s crate::spec::model::Service)> {
        self.topology.services.iter().filter(move |(_, service)| {
            self.topology
                .service_regions(service)
                .iter()
                .any(|placed| placed == region)
        })
    }

    /// The Global Accelerator names of the services that run in `region`: its ALB must
    /// admit every address, because the accelerator preserves its clients' addresses.
    pub fn accelerated_hosts_in(&self, region: &str) -> Vec<String> {
        self.services_in(region)
            .filter(|(name, _)| self.topology.edge.accelerator.contains(*name))
            .map(|(name, _)| crate::naming::accelerator_name(self.topology, name))
            .collect()
    }

    /// The data a service's tasks reach in `region`; classes with no copy there (their
    /// residency or placement keeps them elsewhere) are left out. Computed once for
    /// every service and region.
    pub fn service_access(&self, service_name: &str, region: &str) -> &ServiceAccess {
        self.service_accesses
            .get_or_init(|| {
                let mut all = BTreeMap::new();
                for region in &self.regions {
                    for (name, _) in self.services_in(region) {
                        all.insert(
                            (name.clone(), region.clone()),
                            self.compute_service_access(name, region),
                        );
                    }
                }
                all
            })
            .get(&(service_name.to_string(), region.to_string()))
            .expect("a service asked about a region it runs in")
    }

    fn compute_service_access(&self, service_name: &str, region: &str) -> ServiceAccess {
        let topology = self.topology;
        let service = &topology.services[service_name];
        let mut access = ServiceAccess::default();
        let mut key_classes = std::collections::BTreeSet::new();
        for (class, class_access) in service.data_access() {
            if !self.placements[class].iter().any(|placed| placed == region) {
                continue;
            }
            key_classes.insert(self.key_class_of(class).to_string());
            match topology.data[class].store {
                Store::Dynamodb => {
                    let table = naming::dynamodb_table(topology, class);
                    access
                        .environment
                        .insert(naming::environment_variable("TABLE", class), table.clone());
                    if class_access.writes() {
                        access.writable_tables.push(table.clone());
                    }
                    access.tables.push(table);
                }
                Store::S3 => {
                    let bucket = naming::s3_bucket(topology, class, region);
                    access
                        .environment
                        .insert(naming::environment_variable("BUCKET", class), bucket.clone());
                    if class_access.writes() {
                        access.writable_buckets.push(bucket.clone());
                    }
                    access.buckets.push(bucket);
                }
                Store::Aurora => {
                    let data_class = &topology.data[class];
                    // A reader gets no writer endpoint: its connections go to the local
                    // cluster. The private names are for people; IAM tokens and TLS need
                    // the endpoints themselves, which the region's root knows.
                    let cluster = format!("aws_rds_cluster.{}", super::identifier(class));
                    if class_access.writes()
                        && let Some(target) = self.aurora_write_target(class, region)
                    {
                        access.environment.insert(
                            naming::environment_variable("DB_WRITER_HOST", class),
                            naming::database_writer_host(topology, class),
                        );
                        access.environment_expressions.insert(
                            naming::environment_variable("DB_WRITER_ENDPOINT", class),
                            match target {
                                AuroraWriteTarget::LocalReaderForwarding => format!("{cluster}.reader_endpoint"),
                                AuroraWriteTarget::GlobalWriterEndpoint => format!("{cluster}.endpoint"),
                            },
                        );
                        access.aurora_writes.push((class.to_string(), target));
                    }
                    access.environment.insert(
                        naming::environment_variable("DB_READER_HOST", class),
                        naming::database_reader_host(topology, class),
                    );
                    access.environment_expressions.insert(
                        naming::environment_variable("DB_READER_ENDPOINT", class),
                        format!("{cluster}.reader_endpoint"),
                    );
                    access.environment.insert(
                        naming::environment_variable("DB_NAME", class),
                        database_name(class, data_class),
                    );
                    access.environment.insert(
                        naming::environment_variable("DB_USER", class),
                        naming::database_user(service_name),
                    );
                    access
                        .databases
                        .push((class.to_string(), naming::database_user(service_name)));
                }
            }
        }
        access.key_classes = key_classes.into_iter().collect();
        access
    }
}

/// How a region's tasks reach an Aurora class's writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuroraWriteTarget {
    /// The region's own cluster's reader endpoint, with global and local write forwarding.
    LocalReaderForwarding,
    /// The global writer endpoint, from the writer region only: its addresses are in the
    /// writer region's VPC.
    GlobalWriterEndpoint,
}

/// One data class's bucket in one region, and where it replicates to.
#[derive(Clone, Debug, Serialize)]
pub struct S3Bucket {
    pub class: String,
    pub bucket: String,
    pub residency: String,
    pub key_class: String,
    pub noncurrent_days: u32,
    pub destinations: Vec<S3Destination>,
}

#[derive(Clone, Debug, Serialize)]
pub struct S3Destination {
    pub region: String,
    pub bucket: String,
    pub priority: usize,
}

impl Context<'_> {
    /// Every S3 data class's bucket, by region (every region, when there is any S3
    /// class), with its replication destinations: every other region of the class
    /// (bidirectional), or the hub and its spokes. Computed once: several roots read it.
    pub fn s3_buckets(&self) -> &BTreeMap<String, Vec<S3Bucket>> {
        self.s3_buckets.get_or_init(|| self.compute_s3_buckets())
    }

    fn compute_s3_buckets(&self) -> BTreeMap<String, Vec<S3Bucket>> {
        let topology = self.topology;
        // Every region is listed once any class has a bucket, so a region's first bucket
        // edits the maps built from this and adds no resource block.
        let mut by_region: BTreeMap<String, Vec<S3Bucket>> = if self.data_classes_of(Store::S3).next().is_some() {
            self.regions.iter().map(|region| (region.clone(), Vec::new())).collect()
        } else {
            BTreeMap::new()
        };
        for (class, data_class) in self.data_classes_of(Store::S3) {
            let placement = &self.placements[class];
            let hub = topology
                .hub_region(data_class)
                .expect("the checker guarantees a region for every class");
            for region in placement {
                let destinations: Vec<&String> = match data_class.replication {
                    S3Replication::Bidirectional => placement.iter().filter(|other| *other != region).collect(),
                    S3Replication::HubAndSpoke if *region == hub => {
                        placement.iter().filter(|other| *other != region).collect()
                    }
                    S3Replication::HubAndSpoke => vec![&hub],
                };
                by_region.entry(region.clone()).or_default().push(S3Bucket {
                    class: class.clone(),
                    bucket: naming::s3_bucket(topology, class, region),
                    residency: self.residency_tag_of(class),
                    key_class: self.key_class_of(class).to_string(),
                    noncurrent_days: data_class.noncurrent_version_expiration_days,
                    destinations: destinations
                        .into_iter()
                        .enumerate()
                        .map(|(priority, destination)| S3Destination {
                            region: destination.clone(),
                            bucket: naming::s3_bucket(topology, class, destination),
                            priority: priority + 1,
                        })
                        .collect(),
                });
            }
        }
        by_region
    }
}

/// The view of one region's `locals` block over a list of entries (its buckets, its
/// replication pairs): one block per region, so a region's edits stay in its blocks.
#[derive(Serialize)]
pub struct RegionEntries<'a, T> {
    pub alias: String,
    pub entries: &'a [T],
}

impl<'a, T> RegionEntries<'a, T> {
    pub fn new(region: &str, entries: &'a [T]) -> RegionEntries<'a, T> {
        RegionEntries {
            alias: super::provider_alias(region),
            entries,
        }
    }
}

/// The files of a region's root that hold its copies of the data classes, lowered by
/// `data.rs` and placed in the root by `regions.rs`.
pub struct RegionData {
    pub files: Vec<File>,
    /// Data class → resource name of the region's Aurora cluster of each class.
    pub aurora_clusters: Vec<(String, String)>,
    /// Whether the region holds any S3 data bucket.
    pub has_buckets: bool,
}

impl Context<'_> {
    /// The order in which the region roots are first applied: the writer region of each
    /// Aurora global database before its secondaries (a secondary cluster can only join
    /// a global database whose writer exists), then by deploy wave and name. The second
    /// value lists the regions whose first apply must be repeated because the writers of
    /// two databases are each other's secondaries: their first apply stops at the
    /// secondary cluster, and the second, after the other writer's root, completes it.
    pub fn region_apply_order(&self) -> (&[String], &[String]) {
        let (order, repeated) = self
            .region_apply_order
            .get_or_init(|| self.compute_region_apply_order());
        (order, repeated)
    }

    fn compute_region_apply_order(&self) -> (Vec<String>, Vec<String>) {
        let topology = self.topology;
        let mut edges: Vec<(String, String)> = Vec::new();
        for (class, data_class) in self.data_classes_of(Store::Aurora) {
            let writer = data_class.writer_region();
            for region in &self.placements[class] {
                if *region != writer && !edges.contains(&(writer.clone(), region.clone())) {
                    edges.push((writer.clone(), region.clone()));
                }
            }
        }
        let rank = |region: &String| (topology.regions[region].deploy_wave, region.clone());
        let mut remaining: Vec<String> = self.regions.clone();
        remaining.sort_by_key(rank);
        let mut order = Vec::new();
        let mut repeated = Vec::new();
        while !remaining.is_empty() {
            let ready = remaining.iter().position(|region| {
                !edges
                    .iter()
                    .any(|(writer, secondary)| secondary == region && remaining.contains(writer))
            });
            // In a cycle, the first region in wave order goes first and is applied again.
            let index = ready.unwrap_or_else(|| {
                repeated.push(remaining[0].clone());
                0
            });
            order.push(remaining.remove(index));
        }
        (order, repeated)
    }
}
