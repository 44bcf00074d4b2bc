//! The facts every stack's lowering shares, computed once from the checked topology:
//! where each data class and each KMS key class lives, the N+1 sizing, versions,
//! backends and providers, and the two files every root stack opens with.
//!
//! It sits beside the IR types so that the stack files (`regions.rs`, `data.rs`,
//! `global.rs`, `docs.rs`, `governance.rs`) and the entry point (`lower.rs`) all depend
//! on it, and not on each other.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Block, File};
use crate::check::sizing::{self, ServiceSizing};
use crate::spec::Topology;
use crate::spec::model::Store;

/// Terraform 1.11 introduced write-only arguments, which keep the Aurora master
/// password out of state.
pub const TERRAFORM_VERSION_CONSTRAINT: &str = ">= 1.11.0";
/// The provider version whose schema topoc validates against (schemas/aws-provider-schema.json).
pub const AWS_PROVIDER_VERSION_CONSTRAINT: &str = "~> 6.69";
/// The KMS key class of data without a residency class.
pub const DEFAULT_KEY_CLASS: &str = "default";

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
        }
    }

    /// The key class that encrypts a data class.
    pub fn key_class_of(&self, data_class: &str) -> &str {
        self.topology.data[data_class]
            .residency
            .as_deref()
            .unwrap_or(DEFAULT_KEY_CLASS)
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

    pub fn backend(&self, stack: &str) -> Backend {
        Backend {
            bucket: self.topology.state.bucket.clone(),
            key: format!("{}/{stack}.tfstate", self.topology.state_key_prefix()),
            region: self.topology.state.region.clone(),
        }
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
    pub fn root(backend: Backend) -> Versions {
        Versions {
            terraform_version_constraint: TERRAFORM_VERSION_CONSTRAINT,
            aws_provider_version_constraint: AWS_PROVIDER_VERSION_CONSTRAINT,
            backend: Some(backend),
        }
    }

    pub fn module() -> Versions {
        Versions {
            terraform_version_constraint: TERRAFORM_VERSION_CONSTRAINT,
            aws_provider_version_constraint: AWS_PROVIDER_VERSION_CONSTRAINT,
            backend: None,
        }
    }
}

/// The two files every root stack opens with: `versions.tf` (version constraints and
/// the S3 backend) and `providers.tf` (one aliased provider per region it uses).
pub fn root_files(backend: Backend, providers: Vec<Provider>) -> Vec<File> {
    #[derive(Serialize)]
    struct Providers {
        providers: Vec<Provider>,
    }
    vec![
        File::hcl(
            "versions.tf",
            vec![Block::new("common/versions.tf.j2", None, &Versions::root(backend))],
        ),
        File::hcl(
            "providers.tf",
            vec![Block::new("common/providers.tf.j2", None, &Providers { providers })],
        ),
    ]
}

#[derive(Serialize)]
struct RemoteState {
    stack: String,
    bucket: String,
    key: String,
    region: String,
}

/// The `terraform_remote_state` data source through which a stack reads another's outputs.
pub fn remote_state(context: &Context<'_>, stack: &str) -> Block {
    let backend = context.backend(stack);
    Block::new(
        "common/remote_state.tf.j2",
        None,
        &RemoteState {
            stack: stack.to_string(),
            bucket: backend.bucket,
            key: backend.key,
            region: backend.region,
        },
    )
}

/// The initial database of an Aurora data class.
pub fn database_name(class: &str, data_class: &crate::spec::model::DataClass) -> String {
    data_class.database.clone().unwrap_or_else(|| class.replace('-', "_"))
}
