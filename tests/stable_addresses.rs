//! Users apply these stacks to live accounts, so a spec edit must touch only what it is
//! about. For each example: adding or removing a region, a service or a data class
//! changes only the blocks that belong to it or list it, renames no block, and
//! reordering the spec's maps changes nothing at all.
//!
//! A block "belongs to or lists" an entity when its text or its file's path names it (a
//! region code or its provider alias, a service or data-class name or its identifier
//! form): every block of `regions/<region>/` belongs to that region. To keep the
//! N+1 sizing out of the comparison, every service gets a `min_tasks` floor above any
//! failover need, so task counts do not move when traffic shares do.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};
use topoc::BuildOutcome;
use topoc::source::SourceMap;

const EXAMPLES: &[&str] = &["helios-pay", "global-consumer", "eu-resident-saas"];

/// The example as JSON (a YAML subset), with a task floor that pins the sizing.
fn example(name: &str) -> Json {
    let text = std::fs::read_to_string(format!("{}/examples/{name}.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut source_map = SourceMap::new();
    let file = source_map.add("example.yaml", text);
    let (loaded, diagnostics) = topoc::spec::load(&source_map, file);
    let mut value = serde_json::to_value(loaded.topology.unwrap_or_else(|| panic!("{diagnostics:?}"))).unwrap();
    for service in value["services"].as_object_mut().unwrap().values_mut() {
        service["min_tasks"] = json!(1000);
    }
    // The model carries every store's defaults; the spec accepts only its store's fields.
    let schema: Json = serde_json::from_str(topoc::spec::TOPOLOGY_SCHEMA).unwrap();
    let definition = &schema["$defs"]["data_class"];
    for data_class in value["data"].as_object_mut().unwrap().values_mut() {
        let store = data_class["store"].clone();
        let mut allowed: Vec<&String> = definition["properties"].as_object().unwrap().keys().collect();
        for branch in definition["allOf"].as_array().unwrap() {
            if branch["if"]["properties"]["store"]["const"] == store {
                allowed.extend(branch["then"]["properties"].as_object().unwrap().keys());
            }
        }
        data_class
            .as_object_mut()
            .unwrap()
            .retain(|key, _| allowed.contains(&key));
    }
    value
}

/// Writes JSON with object keys in the given order (reversed when `reverse` is set),
/// which serde_json's sorted maps cannot do.
fn write_json(value: &Json, reverse: bool, out: &mut String) {
    match value {
        Json::Object(object) => {
            let mut entries: Vec<(&String, &Json)> = object.iter().collect();
            if reverse {
                entries.reverse();
            }
            out.push('{');
            for (index, (key, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(key).unwrap());
                out.push(':');
                write_json(item, reverse, out);
            }
            out.push('}');
        }
        Json::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_json(item, reverse, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn build(value: &Json, reverse: bool) -> BTreeMap<String, String> {
    let mut text = String::new();
    write_json(value, reverse, &mut text);
    let mut source_map = SourceMap::new();
    let file = source_map.add("spec.json", text);
    match topoc::build(&source_map, file, "spec.yaml") {
        BuildOutcome::Built { tree, .. } => tree,
        BuildOutcome::Rejected { diagnostics } => panic!("rejected: {diagnostics:#?}"),
        BuildOutcome::Internal { errors, .. } => panic!("internal: {errors:#?}"),
    }
}

/// Top-level blocks of every `.tf` file, keyed by file, header line (plus the alias of a
/// provider block) and occurrence, with the comments above them; values have whitespace
/// collapsed, so re-aligned `=` signs do not count as changes (they change no plan).
fn blocks(tree: &BTreeMap<String, String>) -> BTreeMap<(String, String, usize), String> {
    let mut blocks = BTreeMap::new();
    for (path, text) in tree.iter().filter(|(path, _)| path.ends_with(".tf")) {
        let mut pending_comments = String::new();
        let mut current: Option<(String, String)> = None;
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for line in text.lines() {
            if let Some((header, body)) = &mut current {
                body.push_str(line);
                body.push('\n');
                if line == "}" {
                    let mut identity = header.clone();
                    if let Some(alias) = body.lines().find(|line| line.trim_start().starts_with("alias ")) {
                        identity.push_str(alias.trim());
                    }
                    // A `locals` block is known by the first name it declares: files that
                    // hold one per region add and remove them with the region.
                    if header == "locals {"
                        && let Some(first) = body.lines().skip(1).find(|line| line.contains(" = "))
                    {
                        identity.push_str(first.split(" = ").next().unwrap_or_default().trim());
                    }
                    let occurrence = seen.entry(identity.clone()).or_default();
                    *occurrence += 1;
                    // The file's path is part of what a block names: everything in
                    // `regions/<region>/` belongs to that region.
                    let normalized = format!("{path}: {}", body.split_whitespace().collect::<Vec<_>>().join(" "));
                    blocks.insert((path.clone(), identity, *occurrence), normalized);
                    current = None;
                }
            } else if line.starts_with('#') {
                pending_comments.push_str(line);
                pending_comments.push('\n');
            } else if line.ends_with('{') {
                current = Some((line.to_string(), std::mem::take(&mut pending_comments) + line + "\n"));
            } else if line.is_empty() {
                pending_comments.clear();
            }
        }
    }
    blocks
}

fn mentions(text: &str, names: &[String]) -> bool {
    names.iter().any(|name| text.contains(name.as_str()))
}

/// Asserts that going from `before` to `after` only touches blocks naming `names`.
fn assert_confined(
    label: &str,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
    names: &[String],
    adding: bool,
) {
    let old = blocks(before);
    let new = blocks(after);
    let mut problems = Vec::new();
    for (key, text) in &old {
        match new.get(key) {
            None if adding => problems.push(format!("removed or renamed: {} {}", key.0, key.1)),
            None if !mentions(text, names) => problems.push(format!(
                "removed a block that does not name {names:?}: {} {}",
                key.0, key.1
            )),
            Some(new_text) if new_text != text && !mentions(if adding { new_text } else { text }, names) => {
                problems.push(format!(
                    "changed a block that does not name {names:?}: {} {}",
                    key.0, key.1
                ));
            }
            _ => {}
        }
    }
    for (key, text) in &new {
        if !old.contains_key(key) {
            if !adding {
                problems.push(format!("added while removing: {} {}", key.0, key.1));
            } else if !mentions(text, names) {
                problems.push(format!(
                    "added a block that does not name {names:?}: {} {}",
                    key.0, key.1
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{label}:\n{}", problems.join("\n"));
    assert_ne!(before, after, "{label}: the edit changed nothing");
}

fn region_names(code: &str) -> Vec<String> {
    vec![code.to_string(), code.replace('-', "_")]
}

#[test]
fn reordering_regions_services_and_data_classes_changes_no_byte() {
    for name in EXAMPLES {
        let spec = example(name);
        assert_eq!(build(&spec, false), build(&spec, true), "{name}");
    }
}

#[test]
fn adding_or_removing_a_region_touches_only_blocks_that_name_it() {
    for name in EXAMPLES {
        let before = example(name);
        let mut after = before.clone();
        let regions = after["regions"].as_object_mut().unwrap();
        let largest = regions
            .iter()
            .max_by(|left, right| {
                left.1["traffic"]
                    .as_f64()
                    .unwrap()
                    .total_cmp(&right.1["traffic"].as_f64().unwrap())
            })
            .map(|(code, _)| code.clone())
            .unwrap();
        let share = regions[&largest]["traffic"].as_f64().unwrap();
        regions[&largest]["traffic"] = json!((share * 1000.0 - 100.0).round() / 1000.0);
        regions.insert(
            "ca-central-1".to_string(),
            json!({ "traffic": 0.1, "cidr": "10.250.0.0/16", "deploy_wave": 9 }),
        );
        let old_tree = build(&before, false);
        let new_tree = build(&after, false);
        // The share taken from the largest region changes its routing weight only in the
        // map that also lists the new region, so the new region's names are enough.
        let names = region_names("ca-central-1");
        assert_confined(&format!("{name}: add ca-central-1"), &old_tree, &new_tree, &names, true);
        assert_confined(
            &format!("{name}: remove ca-central-1"),
            &new_tree,
            &old_tree,
            &names,
            false,
        );
    }
}

#[test]
fn adding_or_removing_a_service_touches_only_blocks_that_name_it() {
    for name in EXAMPLES {
        let before = example(name);
        let mut after = before.clone();
        // A class with a copy in every region, as the new service runs in all of them.
        let data_class = after["data"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(_, definition)| definition.get("residency").is_none() && definition.get("regions").is_none())
            .map(|(class, _)| class.clone())
            .unwrap();
        // The example's own registry: topoc replicates one.
        let first_image = after["services"].as_object().unwrap().values().next().unwrap()["image"]
            .as_str()
            .unwrap()
            .to_string();
        let image = format!("{}/reporting", first_image.split('/').next().unwrap());
        after["services"].as_object_mut().unwrap().insert(
            "reporting".to_string(),
            json!({ "image": image, "port": 8080, "cpu": 256,
                    "memory": 512, "path": "/reporting", "peak_rps": 10, "rps_per_task": 5, "min_tasks": 1000,
                    "data": [data_class] }),
        );
        let old_tree = build(&before, false);
        let new_tree = build(&after, false);
        let names = vec!["reporting".to_string()];
        assert_confined(&format!("{name}: add service"), &old_tree, &new_tree, &names, true);
        assert_confined(&format!("{name}: remove service"), &new_tree, &old_tree, &names, false);
    }
}

#[test]
fn adding_or_removing_a_data_class_touches_only_blocks_that_name_it() {
    for name in EXAMPLES {
        let before = example(name);
        for (class, definition) in [
            (
                "audit-events",
                json!({ "store": "dynamodb", "partition_key": "pk", "conflicts": "append-only" }),
            ),
            ("statements", json!({ "store": "s3" })),
            (
                "billing",
                json!({ "store": "aurora", "engine": "aurora-postgresql", "engine_version": "16.4",
                                "writer": before["primary_region"].clone(), "write_forwarding": true }),
            ),
        ] {
            let mut after = before.clone();
            after["data"]
                .as_object_mut()
                .unwrap()
                .insert(class.to_string(), definition);
            let service = after["services"].as_object().unwrap().keys().next().unwrap().clone();
            match &mut after["services"][&service]["data"] {
                Json::Array(classes) => classes.push(json!(class)),
                Json::Object(access) => {
                    access.insert(class.to_string(), json!("read-write"));
                }
                other => panic!("unexpected data {other}"),
            }
            let old_tree = build(&before, false);
            let new_tree = build(&after, false);
            let mut names = vec![
                class.to_string(),
                class.replace('-', "_"),
                class.replace('-', "_").to_uppercase(),
            ];
            let first_aurora = !before["data"]
                .as_object()
                .unwrap()
                .values()
                .any(|existing| existing["store"] == "aurora");
            if class == "billing" && first_aurora {
                // The first Aurora class brings the enhanced-monitoring role all clusters share.
                names.extend(["rds_monitoring".to_string(), "rds_enhanced_monitoring".to_string()]);
            }
            assert_confined(&format!("{name}: add {class}"), &old_tree, &new_tree, &names, true);
            assert_confined(&format!("{name}: remove {class}"), &new_tree, &old_tree, &names, false);
        }
    }
}
