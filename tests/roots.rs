//! What the generated README and `review/region-loss.md` promise about the roots, held
//! against the Terraform of every golden: the roots a region's loss leaves usable really
//! name nothing of that region, every state bucket replicates to every other, the
//! management role gets the governance state, each wave's commands cover every region
//! root once, each region pulls its images from its own registry, and every alarm of a
//! region carries the prefix the release check filters on.

use std::collections::{BTreeMap, BTreeSet};

const GOLDENS: &[&str] = &["helios-pay", "global-consumer", "eu-resident-saas"];

fn tree(golden: &str) -> BTreeMap<String, String> {
    topoc::output::read_tree(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("golden")
            .join(golden),
    )
    .unwrap()
}

fn spec(golden: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(format!("{}/examples/{golden}.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut source_map = topoc::source::SourceMap::new();
    let file = source_map.add("spec.yaml", text);
    let (loaded, _) = topoc::spec::load(&source_map, file);
    serde_json::to_value(loaded.topology.unwrap()).unwrap()
}

/// The regions a root's providers, backend and remote states name as literals, and its
/// `state_region` variable's default (what `var.state_region` reads).
fn named_regions(tree: &BTreeMap<String, String>, root: &str) -> BTreeSet<String> {
    let mut regions = BTreeSet::new();
    for file in ["providers.tf", "versions.tf", "remote_state.tf"] {
        let Some(text) = tree.get(&format!("{root}/{file}")) else {
            continue;
        };
        for line in text.lines() {
            let line = line.trim();
            if let Some(value) = line.strip_prefix("region") {
                let value = value.trim_start().trim_start_matches('=').trim();
                if let Some(literal) = value.strip_prefix('"') {
                    regions.insert(literal.trim_end_matches('"').to_string());
                }
            }
        }
    }
    if let Some(variables) = tree.get(&format!("{root}/variables.tf")) {
        for line in variables.lines() {
            if let Some(value) = line.trim().strip_prefix("default") {
                regions.insert(
                    value
                        .trim_start()
                        .trim_start_matches('=')
                        .trim()
                        .trim_matches('"')
                        .to_string(),
                );
            }
        }
    }
    regions
}

/// What the review says of one lost region: the roots still usable, and the blocked
/// ones with why.
type LossSection = (Vec<String>, Vec<(String, String)>);

/// Per lost region, its section of the review.
fn region_loss(text: &str) -> BTreeMap<String, LossSection> {
    let mut sections = BTreeMap::new();
    for section in text.split("\n## ").skip(1) {
        let Some(region) = section.lines().next().and_then(|title| title.strip_suffix(" down")) else {
            continue;
        };
        let working = section
            .lines()
            .find_map(|line| line.strip_prefix("Still planned and applied: "))
            .map(|list| {
                list.trim_end_matches('.')
                    .split(", ")
                    .map(|root| root.trim_matches('`').to_string())
                    .collect()
            })
            .unwrap_or_default();
        let blocked = section
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|row| row.split_once("/` | "))
            .map(|(root, why)| (root.to_string(), why.to_string()))
            .collect();
        sections.insert(region.to_string(), (working, blocked));
    }
    sections
}

#[test]
fn roots_the_review_keeps_usable_name_nothing_of_the_lost_region() {
    for golden in GOLDENS {
        let tree = tree(golden);
        let sections = region_loss(&tree["review/region-loss.md"]);
        let regions: Vec<String> = spec(golden)["regions"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(sections.len(), regions.len(), "{golden}: one section per region");
        for (lost, (working, blocked)) in &sections {
            assert!(!working.is_empty(), "{golden}: {lost}");
            // Every other region's own root survives the loss.
            for region in regions.iter().filter(|region| *region != lost) {
                assert!(
                    working.contains(&format!("regions/{region}")),
                    "{golden}: {lost} down, regions/{region}"
                );
            }
            for root in working {
                assert!(
                    !named_regions(&tree, root).contains(lost),
                    "{golden}: `{root}` is called usable with {lost} down, but names {lost}"
                );
            }
            // A blocked root names the region, or calls it through the DynamoDB replicas
            // the AWS provider reads in their regions.
            for (root, why) in blocked {
                assert!(
                    named_regions(&tree, root).contains(lost) || why.contains("DynamoDB replicas"),
                    "{golden}: `{root}` is called blocked with {lost} down ({why}), but names nothing there"
                );
            }
        }
    }
}

#[test]
fn every_state_bucket_replicates_to_every_other_and_grants_the_governance_state() {
    for golden in GOLDENS {
        let tree = tree(golden);
        let spec = spec(golden);
        let regions: Vec<String> = spec["regions"].as_object().unwrap().keys().cloned().collect();
        let buckets = &tree["bootstrap/buckets.tf"];
        for region in &regions {
            let alias = region.replace('-', "_");
            let configuration = buckets
                .split(&format!(
                    "resource \"aws_s3_bucket_replication_configuration\" \"{alias}\" {{"
                ))
                .nth(1)
                .and_then(|rest| rest.split("\nresource ").next())
                .unwrap_or_else(|| panic!("{golden}: no replication configuration for {region}"));
            for destination in regions.iter().filter(|destination| *destination != region) {
                assert!(
                    configuration.contains(&format!("id       = \"to-{destination}\"")),
                    "{golden}: the state bucket of {region} does not replicate to {destination}"
                );
            }
            assert_eq!(
                configuration.matches("delete_marker_replication").count(),
                regions.len() - 1,
                "{golden}: released locks must replicate too"
            );
        }
        let key_prefix = spec["state"]["key_prefix"]
            .as_str()
            .unwrap_or(spec["name"].as_str().unwrap());
        match spec["governance"]["management_role_arn"].as_str() {
            Some(role) => {
                assert_eq!(
                    buckets.matches(&format!("AWS = \"{role}\"")).count(),
                    2 * regions.len(),
                    "{golden}: every bucket grants {role} the state object and the listing"
                );
                assert_eq!(
                    buckets
                        .matches(&format!("/{key_prefix}/governance.tfstate.tflock\""))
                        .count(),
                    regions.len()
                );
            }
            None => assert!(!buckets.contains("GovernanceRoot"), "{golden}"),
        }
    }
}

#[test]
fn each_wave_applies_its_region_roots_once_and_checks_their_alarms() {
    for golden in GOLDENS {
        let tree = tree(golden);
        let spec = spec(golden);
        let name = spec["name"].as_str().unwrap();
        let readme = &tree["README.md"];
        let releases = readme
            .split("### Releasing by deploy wave")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .unwrap();
        for (region, settings) in spec["regions"].as_object().unwrap() {
            let wave = settings["deploy_wave"].as_u64().unwrap();
            let block = releases
                .split(&format!("Wave {wave}:"))
                .nth(1)
                .and_then(|rest| rest.split("Wave ").next())
                .unwrap_or_else(|| panic!("{golden}: no wave {wave}"));
            assert!(block.contains(&format!(
                "terraform -chdir=regions/{region} apply -var-file=\"$RELEASE_VARS\""
            )));
            assert!(block.contains(&format!(
                "--region {region} --alarm-name-prefix {name}- --state-value ALARM"
            )));
            assert_eq!(
                releases.matches(&format!("-chdir=regions/{region} apply")).count(),
                1,
                "{golden}: {region} is released once"
            );
        }
    }
}

#[test]
fn each_region_pulls_its_images_from_its_own_registry() {
    for golden in GOLDENS {
        let tree = tree(golden);
        for region in spec(golden)["regions"].as_object().unwrap().keys() {
            let main = &tree[&format!("regions/{region}/main.tf")];
            let images: Vec<&str> = main.lines().filter(|line| line.trim().starts_with("image ")).collect();
            assert!(!images.is_empty(), "{golden}: {region}");
            for image in images {
                assert!(
                    image.contains(&format!(".dkr.ecr.{region}.amazonaws.com/"))
                        && image.contains("@${var.image_digests["),
                    "{golden}: {region} pulls {image}"
                );
            }
        }
    }
}

#[test]
fn every_alarm_of_a_region_starts_with_the_topology_name() {
    for golden in GOLDENS {
        let tree = tree(golden);
        let spec = spec(golden);
        let name = spec["name"].as_str().unwrap().to_string();
        let regions: BTreeSet<String> = spec["regions"].as_object().unwrap().keys().cloned().collect();
        let table_prefix = format!("\"{name}-");
        for (path, text) in tree
            .iter()
            .filter(|(path, _)| path.starts_with("regions/") || path.starts_with("modules/region/"))
        {
            for line in text.lines().map(str::trim) {
                if let Some(value) = line.strip_prefix("alarm_name") {
                    let value = value.trim_start().trim_start_matches('=').trim();
                    // Module alarms start with the topology name (`var.name`); DynamoDB
                    // replication alarms with a table name, checked below.
                    assert!(
                        value.starts_with(&table_prefix)
                            || value.starts_with("\"${var.name}-")
                            || value.starts_with("\"${each.value[0]}-"),
                        "{golden}: {path}: {line}"
                    );
                }
            }
            // The replication alarms' `[table, receiving region]` pairs: every table name
            // carries the prefix.
            if let Some(pairs) = text
                .split("locals {")
                .nth(1)
                .filter(|block| block.contains("dynamodb_replication_from_"))
                .and_then(|block| block.split("\n}\n").next())
            {
                for quoted in pairs.split('"').skip(1).step_by(2) {
                    assert!(
                        quoted.starts_with(&format!("{name}-")) || regions.contains(quoted),
                        "{golden}: {path}: {quoted}"
                    );
                }
            }
        }
    }
}

/// A recovery step whose control plane is only in the lost region does not work, one
/// served everywhere does, and the other regions' scale-out always does; the origin-group
/// retry is promised only where a read-only service has an origin group.
#[test]
fn recovery_steps_work_exactly_where_their_control_plane_survives() {
    for golden in GOLDENS {
        let tree = tree(golden);
        let spec = spec(golden);
        let text = &tree["review/region-loss.md"];
        let read_only_groups = spec["services"]
            .as_object()
            .unwrap()
            .values()
            .any(|service| service["read_only"] == true);
        assert_eq!(text.contains("origin groups)"), read_only_groups, "{golden}");
        for section in text.split("\n## ").skip(1) {
            let Some(lost) = section.lines().next().and_then(|title| title.strip_suffix(" down")) else {
                continue;
            };
            let steps = section.split("| recovery step |").nth(1).unwrap();
            for row in steps.lines().skip(2).take_while(|line| line.starts_with("| ")) {
                let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
                let (step, location, works) = (cells[0], cells[cells.len() - 2], cells[cells.len() - 1]);
                if location == lost {
                    assert_eq!(works, "**no**", "{golden}: {lost} down: {row}");
                }
                if location.starts_with("every region") || step.starts_with("Scaling out") {
                    assert_eq!(works, "yes", "{golden}: {lost} down: {row}");
                }
            }
        }
    }
}
