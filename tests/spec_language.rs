//! The spec language end to end: the examples are clean, the schema validates them,
//! the model's defaults are the schema's, and no prefix of an example makes the
//! loader or checker panic.

use std::path::Path;

use serde_json::Value as Json;
use topoc::source::SourceMap;
use topoc::{diag, spec};

const EXAMPLES: &[&str] = &[
    "examples/helios-pay.yaml",
    "examples/global-consumer.yaml",
    "examples/eu-resident-saas.yaml",
];

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn check_text(name: &str, text: &str) -> (spec::LoadedSpec, Vec<diag::Diagnostic>) {
    let mut source_map = SourceMap::new();
    let file = source_map.add(name, text);
    topoc::check_spec(&source_map, file)
}

#[test]
fn examples_check_without_errors() {
    for example in EXAMPLES {
        let (loaded, diagnostics) = check_text(example, &read(example));
        assert!(loaded.topology.is_some(), "{example} did not load: {diagnostics:?}");
        let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "{example}: {errors:?}");
    }
}

#[test]
fn examples_reference_the_schema_for_editors() {
    for example in EXAMPLES {
        assert!(
            read(example).starts_with("# yaml-language-server: $schema=../schemas/topology.schema.json\n"),
            "{example} lacks the yaml-language-server modeline"
        );
    }
}

#[test]
fn the_published_schema_validates_every_example() {
    let schema: Json = serde_json::from_str(&read("schemas/topology.schema.json")).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    for example in EXAMPLES {
        let (root, diagnostics) = spec::yaml::parse(topoc::source::FileId(0), &read(example));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let (instance, _) = spec::schema::to_json(&root.unwrap());
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|error| error.to_string())
            .collect();
        assert!(errors.is_empty(), "{example}: {errors:?}");
    }
}

#[test]
fn the_schema_documents_every_property() {
    fn walk(node: &Json, path: &str, missing: &mut Vec<String>) {
        if let Some(properties) = node.get("properties").and_then(Json::as_object) {
            for (name, property) in properties {
                let property_path = format!("{path}/{name}");
                let is_condition = path.ends_with("/if");
                if !is_condition && property.get("description").is_none() {
                    missing.push(property_path.clone());
                }
                walk(property, &property_path, missing);
            }
        }
        for key in ["additionalProperties", "items", "then", "if"] {
            if let Some(child) = node.get(key).filter(|child| child.is_object()) {
                walk(child, &format!("{path}/{key}"), missing);
            }
        }
        for key in ["allOf", "$defs"] {
            match node.get(key) {
                Some(Json::Array(items)) => items
                    .iter()
                    .enumerate()
                    .for_each(|(index, item)| walk(item, &format!("{path}/{key}/{index}"), missing)),
                Some(Json::Object(items)) => items
                    .iter()
                    .for_each(|(name, item)| walk(item, &format!("{path}/{key}/{name}"), missing)),
                _ => {}
            }
        }
    }
    let schema: Json = serde_json::from_str(spec::TOPOLOGY_SCHEMA).unwrap();
    let mut missing = Vec::new();
    walk(&schema, "", &mut missing);
    assert!(missing.is_empty(), "properties without a description: {missing:?}");
}

/// Every `default` in the schema is the value the typed model fills in when the
/// field is absent.
#[test]
fn schema_defaults_match_the_model() {
    let minimal = "topoc: 1\nname: defaults\nprimary_region: us-east-1\ndomain: { zone: example.com, app: example.com }\n\
        state: { bucket: state-bucket, region: us-east-1 }\n\
        regions:\n  us-east-1: { traffic: 0.5, cidr: 10.1.0.0/16 }\n  eu-west-1: { traffic: 0.5, cidr: 10.2.0.0/16 }\n\
        edge: { health_check: {}, cdn: {}, waf: {} }\n\
        services:\n  api: { image: repo/api, port: 80, cpu: 256, memory: 512, path: /api, peak_rps: 10, rps_per_task: 5 }\n\
        data:\n  t: { store: dynamodb, partition_key: pk, conflicts: lww }\n  d: { store: aurora, engine: aurora-postgresql, engine_version: \"16.4\", writer: us-east-1 }\n  b: { store: s3 }\n";
    let mut source_map = SourceMap::new();
    let file = source_map.add("defaults.yaml", minimal);
    let (loaded, diagnostics) = spec::load(&source_map, file);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let model = serde_json::to_value(loaded.topology.unwrap()).unwrap();
    let schema: Json = serde_json::from_str(spec::TOPOLOGY_SCHEMA).unwrap();

    fn resolve<'a>(schema: &'a Json, node: &'a Json) -> &'a Json {
        match node.get("$ref").and_then(Json::as_str) {
            Some(reference) => schema.pointer(reference.trim_start_matches('#')).unwrap(),
            None => node,
        }
    }
    fn same(left: &Json, right: &Json) -> bool {
        match (left.as_f64(), right.as_f64()) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-12,
            _ => left == right,
        }
    }
    fn walk(schema: &Json, node: &Json, value: &Json, path: &str, checked: &mut usize, mismatches: &mut Vec<String>) {
        let node = resolve(schema, node);
        if let Some(properties) = node.get("properties").and_then(Json::as_object) {
            for (name, property) in properties {
                let property = resolve(schema, property);
                if let Some(default) = property.get("default") {
                    *checked += 1;
                    match value.get(name) {
                        Some(actual) if same(actual, default) => {}
                        other => mismatches.push(format!("{path}/{name}: schema default {default}, model {other:?}")),
                    }
                }
                if let Some(child) = value.get(name) {
                    walk(schema, property, child, &format!("{path}/{name}"), checked, mismatches);
                }
            }
        }
        if let (Some(additional), Some(object)) = (
            node.get("additionalProperties").filter(|a| a.is_object()),
            value.as_object(),
        ) {
            for (key, child) in object {
                walk(schema, additional, child, &format!("{path}/{key}"), checked, mismatches);
            }
        }
        if let Some(branches) = node.get("allOf").and_then(Json::as_array) {
            for branch in branches {
                let store = branch.pointer("/if/properties/store/const");
                if store.is_some() && store == value.get("store") {
                    walk(schema, &branch["then"], value, path, checked, mismatches);
                }
            }
        }
    }
    let mut checked = 0;
    let mut mismatches = Vec::new();
    walk(&schema, &schema, &model, "", &mut checked, &mut mismatches);
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    assert!(checked >= 30, "only {checked} defaults were compared");
}

/// Architects save half-written specs: every prefix of every example, cut at each
/// line, either loads or yields at least one error, and never panics.
#[test]
fn every_line_prefix_of_every_example_loads_or_reports_errors() {
    for example in EXAMPLES {
        let text = read(example);
        let mut cut_points: Vec<usize> = text.match_indices('\n').map(|(index, _)| index + 1).collect();
        cut_points.insert(0, 0);
        for cut in cut_points {
            let prefix = &text[..cut];
            let (loaded, diagnostics) = check_text(example, prefix);
            assert!(
                loaded.topology.is_some() || diag::has_errors(&diagnostics),
                "{example} cut at byte {cut}: no model and no error"
            );
        }
    }
}

/// Cutting inside a line (mid-key, mid-quote, mid-flow-collection) is as safe.
#[test]
fn prefixes_cut_inside_lines_never_panic() {
    let text = read("examples/helios-pay.yaml");
    for cut in (0..text.len()).step_by(7).filter(|cut| text.is_char_boundary(*cut)) {
        let (loaded, diagnostics) = check_text("cut.yaml", &text[..cut]);
        assert!(
            loaded.topology.is_some() || diag::has_errors(&diagnostics),
            "cut at {cut}"
        );
    }
}
