//! The judged corpus (`corpus/*.yaml`, README "The judged corpus"): every spec compiles
//! and generates, says what it covers, and together they cover what the README claims.
//! `scripts/check-corpus.sh` runs the third-party judges on their trees; this test keeps
//! the corpus from shrinking below its claim without anyone noticing.

mod common;

use std::collections::BTreeSet;

use topoc::source::SourceMap;
use topoc::spec::Topology;
use topoc::spec::model::{ConflictModel, ImageReplication, Routing, S3Replication, Store};

/// Every corpus spec: its file name and text.
fn corpus() -> Vec<(String, String)> {
    let directory = format!("{}/corpus", env!("CARGO_MANIFEST_DIR"));
    let mut specs: Vec<(String, String)> = std::fs::read_dir(&directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "yaml"))
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&path).unwrap(),
            )
        })
        .collect();
    specs.sort();
    specs
}

fn load(text: &str) -> Topology {
    let mut source_map = SourceMap::new();
    let file = source_map.add("spec.yaml", text.to_string());
    topoc::spec::load(&source_map, file).0.topology.expect("the spec loads")
}

#[test]
fn every_corpus_spec_says_what_it_covers_and_generates() {
    let specs = corpus();
    assert!(specs.len() >= 12, "the corpus has {} specs", specs.len());
    for (name, text) in &specs {
        assert!(
            text.lines()
                .any(|line| line.starts_with("# Judged corpus (README, \"The judged corpus\"): ")),
            "{name}: no line saying what it covers"
        );
        // Errors fail here (`expect("compiled")`), and `generate` validates its own output.
        let rendered = common::rendered_spec(text.clone());
        assert!(rendered.files.keys().any(|file| file.starts_with("regions/")), "{name}");
    }
}

#[test]
fn the_corpus_covers_what_the_readme_claims() {
    let topologies: Vec<(String, Topology)> = corpus().into_iter().map(|(name, text)| (name, load(&text))).collect();
    let classes_of =
        |topology: &Topology, store: Store| topology.data.values().filter(|class| class.store == store).count();
    let buckets_of = |topology: &Topology, shape: S3Replication| {
        topology
            .data
            .values()
            .filter(|class| class.store == Store::S3 && class.replication == shape)
            .count()
    };
    let any = |predicate: &dyn Fn(&Topology) -> bool| topologies.iter().any(|(_, topology)| predicate(topology));

    for store in [Store::Dynamodb, Store::Aurora, Store::S3] {
        assert!(
            any(&|topology| classes_of(topology, store) >= 2),
            "two classes of {store:?}"
        );
        assert!(
            any(&|topology| topology
                .data
                .values()
                .any(|class| class.store == store && class.regions.as_ref().is_some_and(|regions| regions.len() == 1))),
            "a single-region class of {store:?}"
        );
        assert!(
            any(&|topology| topology
                .data
                .values()
                .any(|class| class.store == store && class.residency.is_some())),
            "a residency class of {store:?}"
        );
    }
    // Issue 17's finding: two S3 classes of each replication shape in one spec.
    assert!(any(&|topology| buckets_of(topology, S3Replication::Bidirectional) >= 2
        && buckets_of(topology, S3Replication::HubAndSpoke) >= 2));
    for shape in [S3Replication::Bidirectional, S3Replication::HubAndSpoke] {
        assert!(
            any(&|topology| topology
                .data
                .values()
                .any(|class| class.store == Store::S3 && class.replication == shape && class.residency.is_some())),
            "a residency class of S3 {shape:?}"
        );
    }
    for model in [
        ConflictModel::Lww,
        ConflictModel::RegionOwned,
        ConflictModel::AppendOnly,
        ConflictModel::PerRegionCounter,
        ConflictModel::InPlaceCounter,
    ] {
        assert!(
            any(&|topology| topology.data.values().any(|class| class.conflicts == Some(model))),
            "conflicts: {model:?}"
        );
    }
    let region_counts: BTreeSet<usize> = topologies.iter().map(|(_, topology)| topology.regions.len()).collect();
    assert!(
        region_counts.iter().any(|count| *count >= 12),
        "a spec at scale: {region_counts:?}"
    );
    for count in 2..=6 {
        assert!(
            region_counts.contains(&count),
            "a spec with {count} regions: {region_counts:?}"
        );
    }
    for routing in [Routing::Latency, Routing::Geoproximity, Routing::Weighted] {
        assert!(any(&|topology| topology.edge.routing == routing), "routing {routing:?}");
    }
    for on in [true, false] {
        assert!(
            any(&|topology| topology.edge.recovery_control == on),
            "recovery_control {on}"
        );
        assert!(
            any(&|topology| topology.edge.accelerator.is_empty() != on),
            "accelerator {on}"
        );
    }
    assert!(
        any(&|topology| topology.edge.accelerator.len() >= 2),
        "two accelerated services"
    );
    for replication in [
        ImageReplication::Ecr,
        ImageReplication::Published,
        ImageReplication::Single,
    ] {
        assert!(
            any(&|topology| topology.images.replication == replication),
            "images {replication:?}"
        );
    }
    assert!(
        any(&|topology| topology.services.values().any(|service| service.regions.is_some())),
        "a service placed in some regions only"
    );
    assert!(any(&|topology| topology.data.is_empty()), "a spec without data classes");
    assert!(any(&|topology| topology.residency.len() >= 2), "two residency zones");
}
