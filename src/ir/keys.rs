//! The `keys` root: every multi-Region KMS key of the topology, its primary in the key
//! class's home region and a replica in each other region of the class.
//!
//! The keys have a root of their own because a replica is created by a call in its
//! primary's region: a region's own root could not create its replicas without the
//! primary's region. Once created, each replica works on its own, so the roots that
//! read `kms_key_arns` (identity, data, the region roots) need only their own region.

use serde::Serialize;

use super::context::{Context, KEYS_ROOT};
use super::hcl::Value;
use super::markdown::Markdown;
use super::{Block, File, Stack, identifier, provider_alias};

#[derive(Serialize)]
struct RegionData {
    region: String,
    alias: String,
}

#[derive(Serialize)]
struct PrimaryKey {
    topology: String,
    class: String,
    name: String,
    alias: String,
    regions: Vec<String>,
    residency: String,
}

#[derive(Serialize)]
struct ReplicaKey {
    topology: String,
    class: String,
    name: String,
    primary: String,
    region: String,
    alias: String,
    residency: String,
}

#[derive(Serialize)]
struct SecretReplica {
    region: String,
    kms_key: String,
}

#[derive(Serialize)]
struct OriginSecret {
    topology: String,
    name: String,
    header: &'static str,
    alias: String,
    kms_key: String,
    replicas: Vec<SecretReplica>,
    version: u32,
}

#[derive(Serialize)]
struct Outputs {
    regions: Vec<(String, Vec<(String, Value)>)>,
}

/// The name of the primary key resource of a key class, and of its replica in a region.
fn primary_name(class: &str) -> String {
    identifier(class)
}

fn replica_name(class: &str, region: &str) -> String {
    format!("{}_{}", identifier(class), provider_alias(region))
}

pub(super) fn keys_root(context: &Context<'_>) -> Stack {
    let topology = context.topology;
    let mut key_regions: Vec<String> = context
        .key_classes
        .values()
        .flat_map(|key_class| key_class.regions.iter().cloned())
        .collect();
    key_regions.sort();
    key_regions.dedup();
    let region_data: Vec<Block> = key_regions
        .iter()
        .map(|region| {
            Block::new(
                "keys/region_data.tf.j2",
                Some(region),
                &RegionData {
                    region: region.clone(),
                    alias: provider_alias(region),
                },
            )
        })
        .collect();
    let mut key_blocks = Vec::new();
    let mut outputs: Vec<(String, Vec<(String, Value)>)> =
        key_regions.iter().map(|region| (region.clone(), Vec::new())).collect();
    for (class, key_class) in &context.key_classes {
        let residency = if class == super::context::DEFAULT_KEY_CLASS {
            "unrestricted".to_string()
        } else {
            class.clone()
        };
        key_blocks.push(Block::new(
            "keys/primary.tf.j2",
            Some(&key_class.home),
            &PrimaryKey {
                topology: topology.name.clone(),
                class: class.clone(),
                name: primary_name(class),
                alias: provider_alias(&key_class.home),
                regions: key_class.regions.clone(),
                residency: residency.clone(),
            },
        ));
        for region in &key_class.regions {
            let reference = if *region == key_class.home {
                format!("aws_kms_key.{}.arn", primary_name(class))
            } else {
                key_blocks.push(Block::new(
                    "keys/replica.tf.j2",
                    Some(region),
                    &ReplicaKey {
                        topology: topology.name.clone(),
                        class: class.clone(),
                        name: replica_name(class, region),
                        primary: primary_name(class),
                        region: region.clone(),
                        alias: provider_alias(region),
                        residency: residency.clone(),
                    },
                ));
                format!("aws_kms_replica_key.{}.arn", replica_name(class, region))
            };
            if let Some((_, keys)) = outputs.iter_mut().find(|(output_region, _)| output_region == region) {
                keys.push((class.clone(), Value::expression(reference)));
            }
        }
    }
    key_blocks.push(origin_secret(context));
    context
        .root(
            KEYS_ROOT,
            None,
            &key_regions,
            &[],
            Markdown::literal(
                "multi-Region KMS keys (each key class's primary in its home region and a replica in every other region of the class) and the origin secret that locks the ALBs to CloudFront, replicated to every region",
            ),
        )
        .into_stack(vec![
            File::hcl("regions.tf", region_data),
            File::hcl("keys.tf", key_blocks),
            File::hcl(
                "outputs.tf",
                vec![Block::new("keys/outputs.tf.j2", None, &Outputs { regions: outputs })],
            ),
        ])
}

/// The origin secret, encrypted with the default key in the same region as each copy:
/// its primary beside the default key's, a replica in every other region.
fn origin_secret(context: &Context<'_>) -> Block {
    let topology = context.topology;
    let default_key = &context.key_classes[super::context::DEFAULT_KEY_CLASS];
    Block::new(
        "keys/origin_secret.tf.j2",
        Some(&default_key.home),
        &OriginSecret {
            topology: topology.name.clone(),
            name: crate::naming::origin_secret(topology),
            header: crate::naming::ORIGIN_SECRET_HEADER,
            alias: provider_alias(&default_key.home),
            kms_key: format!("aws_kms_key.{}.arn", primary_name(super::context::DEFAULT_KEY_CLASS)),
            replicas: default_key
                .regions
                .iter()
                .filter(|region| **region != default_key.home)
                .map(|region| SecretReplica {
                    region: region.clone(),
                    kms_key: format!(
                        "aws_kms_replica_key.{}.arn",
                        replica_name(super::context::DEFAULT_KEY_CLASS, region)
                    ),
                })
                .collect(),
            version: topology.edge.cdn.origin_secret_version,
        },
    )
}
