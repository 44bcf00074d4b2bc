//! The `registry` root, with `images.replication: ecr`: Amazon ECR replication from the
//! one registry the services' images are pushed to into every other topology region.
//! The configuration lives on the source registry, so this root needs that region alone;
//! the replicas it produces need nothing of it.

use serde::Serialize;

use super::context::{Context, REGISTRY_ROOT};
use super::markdown::Markdown;
use super::{Block, File, Stack, provider_alias};
use crate::spec::model::{EcrRepository, ImageReplication};

/// Destinations of one ECR replication rule. Source: Amazon ECR user guide, "Private
/// image replication" (checked 2026-12-02): a rule has at most 25 destinations.
const DESTINATIONS_PER_RULE: usize = 25;

#[derive(Serialize)]
struct Replication {
    region: String,
    alias: String,
    account: String,
    rules: Vec<Vec<String>>,
    repositories: Vec<String>,
}

/// The registry root, when the spec asks topoc to replicate images and some region
/// pulls from a registry other than its own.
pub(super) fn registry_root(context: &Context<'_>) -> Option<Stack> {
    let topology = context.topology;
    if topology.images.replication != ImageReplication::Ecr {
        return None;
    }
    let repositories: Vec<EcrRepository> = topology
        .services
        .values()
        .filter_map(|service| EcrRepository::parse(&service.image))
        .collect();
    // The checker guarantees one registry.
    let source = repositories.first()?;
    let destinations: Vec<String> = context
        .regions
        .iter()
        .filter(|region| **region != source.region)
        .cloned()
        .collect();
    if destinations.is_empty() {
        return None;
    }
    let mut names: Vec<String> = repositories
        .iter()
        .map(|repository| repository.repository.clone())
        .collect();
    names.sort();
    names.dedup();
    let view = Replication {
        region: source.region.clone(),
        alias: provider_alias(&source.region),
        account: source.account.clone(),
        rules: destinations
            .chunks(DESTINATIONS_PER_RULE)
            .map(<[String]>::to_vec)
            .collect(),
        repositories: names,
    };
    Some(
        context
            .root(
                REGISTRY_ROOT,
                None,
                std::slice::from_ref(&source.region),
                &[],
                Markdown::literal(
                    "ECR replication of the services' repositories from the source registry into every other region",
                ),
            )
            .into_stack(vec![File::hcl(
                "replication.tf",
                vec![Block::new("registry/replication.tf.j2", Some(&source.region), &view)],
            )]),
    )
}
