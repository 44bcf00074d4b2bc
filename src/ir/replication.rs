//! The `replication` root: S3 replication between the regions' copies of each S3 data
//! class. S3 checks, when a replication configuration is put, that every destination
//! bucket exists with versioning on; the buckets are made by the region roots, so
//! replication is applied last, after every root that makes a versioned bucket. Replication keeps running while a
//! destination region is down (objects wait and are retried); the configuration only
//! needs changing when the topology does.

use std::collections::BTreeMap;

use serde::Serialize;

use super::context::{
    Context, IDENTITY_ROOT, KEYS_ROOT, REPLICATION_ROOT, RegionEntries, S3Bucket, key_arns, remote_output,
};
use super::markdown::Markdown;
use super::{Block, File, Stack, provider_alias};

#[derive(Serialize)]
struct RegionReplication {
    alias: String,
    region: String,
    declares_partition: bool,
    roles: String,
    keys: String,
}

/// The replication root, when some bucket has destinations.
pub(super) fn replication_root(context: &Context<'_>) -> Option<Stack> {
    // Every region with a (possibly empty) map, so a region's first replicating bucket
    // edits the map only.
    let replicating: BTreeMap<String, Vec<S3Bucket>> = context
        .s3_buckets()
        .iter()
        .map(|(region, buckets)| {
            let buckets: Vec<S3Bucket> = buckets
                .iter()
                .filter(|bucket| !bucket.destinations.is_empty())
                .cloned()
                .collect();
            (region.clone(), buckets)
        })
        .collect();
    if replicating.values().all(Vec::is_empty) {
        return None;
    }
    // Each region's map in a `locals` block of its own, before its configuration.
    let mut blocks = Vec::new();
    for (index, (region, entries)) in replicating.iter().enumerate() {
        blocks.push(Block::new(
            "replication/s3_locals.tf.j2",
            None,
            &RegionEntries::new(region, entries),
        ));
        blocks.push(Block::new(
            "replication/s3_replication.tf.j2",
            Some(region),
            &RegionReplication {
                alias: provider_alias(region),
                region: region.clone(),
                declares_partition: index == 0,
                roles: remote_output(IDENTITY_ROOT, "s3_replication_role_arns"),
                keys: key_arns(),
            },
        ));
    }
    let regions: Vec<String> = replicating.keys().cloned().collect();
    Some(
        context
            .root(
                REPLICATION_ROOT,
                None,
                &regions,
                &[KEYS_ROOT.to_string(), IDENTITY_ROOT.to_string()],
                Markdown::literal(
                    "S3 replication between the regions' buckets of each S3 data class, applied last: S3 requires every destination bucket to exist, versioned",
                ),
            )
            .into_stack(vec![File::hcl("s3.tf", blocks)]),
    )
}
