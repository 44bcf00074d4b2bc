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

/// Defaults the schema states in words rather than with a `default` keyword (computed
/// from other fields). Each one found in a description must be listed here, and each
/// listed one is checked against what the model and the generated output do, so a
/// description cannot promise a default the code does not give.
const DOCUMENTED_DEFAULTS: &[&str] = &[
    "/$defs/data_class/allOf/1/then/properties/database",
    "/$defs/data_class/allOf/2/then/properties/hub",
    "/$defs/data_class/properties/regions",
    "/properties/governance/properties/scp_quota",
    "/properties/services/additionalProperties/properties/regions",
    "/properties/state/properties/key_prefix",
];

/// Every object node of the schema with its JSON pointer, parents first.
fn schema_objects() -> Vec<(String, serde_json::Map<String, Json>)> {
    fn walk(node: &Json, path: &str, found: &mut Vec<(String, serde_json::Map<String, Json>)>) {
        match node {
            Json::Object(object) => {
                found.push((path.to_string(), object.clone()));
                for (key, child) in object {
                    walk(child, &format!("{path}/{key}"), found);
                }
            }
            Json::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    walk(child, &format!("{path}/{index}"), found);
                }
            }
            _ => {}
        }
    }
    let schema: Json = serde_json::from_str(spec::TOPOLOGY_SCHEMA).unwrap();
    let mut found = Vec::new();
    walk(&schema, "", &mut found);
    found
}

#[test]
fn every_default_stated_in_words_is_listed_for_checking() {
    let mut found: Vec<String> = schema_objects()
        .into_iter()
        .filter(|(_, object)| {
            let description = object.get("description").and_then(Json::as_str).unwrap_or_default();
            description.to_lowercase().contains("defaults to") || description.contains("otherwise:")
        })
        .map(|(path, _)| path)
        .collect();
    found.sort();
    assert_eq!(
        found, DOCUMENTED_DEFAULTS,
        "a description states a default this test does not check"
    );
}

#[test]
fn defaults_stated_in_words_are_what_the_model_does() {
    let text = "topoc: 1\nname: words\nprimary_region: us-east-1\ndomain: { zone: example.com, app: example.com }\n\
        state: { bucket: state-bucket, region: us-east-1 }\n\
        regions:\n  us-east-1: { traffic: 0.4, cidr: 10.1.0.0/16 }\n  eu-west-1: { traffic: 0.2, cidr: 10.2.0.0/16 }\n  eu-central-1: { traffic: 0.2, cidr: 10.3.0.0/16 }\n  eu-north-1: { traffic: 0.2, cidr: 10.4.0.0/16 }\n\
        residency:\n  eu: [eu-central-1, eu-west-1, eu-north-1, eu-south-1]\n\
        services:\n  api: { image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/words/api, port: 80, cpu: 256, memory: 512, path: /api, peak_rps: 10, rps_per_task: 5, data: [orders-db, files] }\n  \
        documents: { image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/words/documents, port: 80, cpu: 256, memory: 512, path: /documents, peak_rps: 10, rps_per_task: 5, regions: [eu-central-1, eu-north-1, eu-west-1], data: [eu-files] }\n  \
        reader: { image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/words/reader, port: 80, cpu: 256, memory: 512, path: /read, peak_rps: 10, rps_per_task: 5, read_only: true, data: [files] }\n\
        data:\n  orders-db: { store: aurora, engine: aurora-postgresql, engine_version: \"16.4\", writer: us-east-1, write_forwarding: true }\n  \
        eu-files: { store: s3, residency: eu, replication: hub-and-spoke }\n  files: { store: s3, replication: hub-and-spoke }\n";
    let mut source_map = SourceMap::new();
    let file = source_map.add("words.yaml", text);
    let (loaded, diagnostics) = spec::load(&source_map, file);
    assert!(!diag::has_errors(&diagnostics), "{diagnostics:?}");
    let topology = loaded.topology.unwrap();
    // state.key_prefix: the topology name.
    assert_eq!(topology.state_key_prefix(), "words");
    // data regions: every topology region the residency permits, not eu-south-1.
    assert_eq!(
        topology.placement(&topology.data["eu-files"]),
        ["eu-central-1", "eu-north-1", "eu-west-1"]
    );
    assert_eq!(topology.placement(&topology.data["files"]).len(), 4);
    // hub: the primary region when permitted, else the class's first region.
    assert_eq!(
        topology.hub_region(&topology.data["files"]).as_deref(),
        Some("us-east-1")
    );
    assert_eq!(
        topology.hub_region(&topology.data["eu-files"]).as_deref(),
        Some("eu-central-1")
    );
    // service regions: every topology region.
    assert_eq!(topology.service_regions(&topology.services["api"]).len(), 4);
    // data access: read-write, read for a read-only service.
    use topoc::spec::model::Access;
    assert_eq!(topology.services["api"].access_to("files"), Access::ReadWrite);
    assert_eq!(topology.services["reader"].access_to("files"), Access::Read);
    assert!(topology.governance.scp_quota.is_none());
    // The generated output gives the same defaults.
    let analysis = topoc::analyze(&source_map, file, "words.yaml");
    assert!(!diag::has_errors(&analysis.diagnostics), "{:?}", analysis.diagnostics);
    let generated = topoc::generate(analysis.compiled.unwrap(), "words.yaml").unwrap();
    let tree = generated.rendered.tree();
    let line_with = |file: &str, words: &[&str]| {
        tree[file]
            .lines()
            .any(|line| words.iter().all(|word| line.contains(word)))
    };
    // database: the class name with underscores.
    assert!(line_with(
        "regions/us-east-1/aurora.tf",
        &["database_name", "= \"orders_db\""]
    ));
    // images.replication: each region pulls the repository from its own registry, which
    // `registry/` fills from the source registry.
    assert!(line_with(
        "regions/eu-west-1/main.tf",
        &[
            "image",
            "\"111122223333.dkr.ecr.eu-west-1.amazonaws.com/words/api@${var.image_digests[\"api\"]}\""
        ]
    ));
    assert!(line_with("registry/replication.tf", &["region", "= \"eu-north-1\""]));
    // key_prefix: each backend's key starts with the topology name.
    assert!(line_with("data/versions.tf", &["key", "= \"words/data.tfstate\""]));
    // scp_quota: the newest published quota.
    assert!(tree["review/scp-review.md"].contains("**10240 characters per policy**"));
    // hub: both spokes of the eu class replicate to its home, eu-central-1, which alone
    // replicates to each spoke.
    let destinations = |region: &str| {
        tree["replication/s3.tf"]
            .matches(&format!(
                "{{ region = \"{region}\", bucket = \"words-eu-files-{region}\""
            ))
            .count()
    };
    assert_eq!(
        (
            destinations("eu-central-1"),
            destinations("eu-west-1"),
            destinations("eu-north-1")
        ),
        (2, 1, 1)
    );
}

/// Every pattern of the schema says in words what it accepts, with an example that the
/// pattern accepts: TOPO0010 prints that text instead of "invalid format".
#[test]
fn every_pattern_names_its_format_with_an_example_it_accepts() {
    let patterns: Vec<(String, String, Option<String>)> = schema_objects()
        .into_iter()
        .filter_map(|(path, object)| {
            let pattern = object.get("pattern")?.as_str()?.to_string();
            let message = object
                .get("patternErrorMessage")
                .and_then(Json::as_str)
                .map(str::to_string);
            Some((path, pattern, message))
        })
        .collect();
    assert!(patterns.len() >= 15, "only {} patterns", patterns.len());
    for (path, pattern, message) in patterns {
        let message = message.unwrap_or_else(|| panic!("{path}: pattern without patternErrorMessage"));
        let example = message
            .split("for example `")
            .nth(1)
            .and_then(|rest| rest.split('`').next())
            .unwrap_or_else(|| panic!("{path}: the format names no example: {message}"));
        let example = example.trim_matches('"');
        let validator =
            jsonschema::validator_for(&serde_json::json!({ "type": "string", "pattern": pattern })).unwrap();
        assert!(
            validator.is_valid(&Json::String(example.to_string())),
            "{path}: example `{example}` does not match {pattern}"
        );
    }
}

/// Two Aurora databases whose writers are each other's secondaries: no order of the
/// region roots creates every writer before its secondaries, so the README says which
/// roots to apply twice on the first deployment; one writer alone orders the regions.
#[test]
fn crossed_aurora_writers_are_applied_twice_the_first_time() {
    let spec = |second_writer: &str| {
        format!(
            "topoc: 1\nname: crossed\nprimary_region: us-east-1\ndomain: {{ zone: example.com, app: example.com }}\n\
            state: {{ bucket: state-bucket, region: us-east-1 }}\n\
            regions:\n  us-east-1: {{ traffic: 0.5, cidr: 10.1.0.0/16, deploy_wave: 2 }}\n  eu-west-1: {{ traffic: 0.5, cidr: 10.2.0.0/16, deploy_wave: 1 }}\n\
            services:\n  api: {{ image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/crossed/api, port: 80, cpu: 256, memory: 512, path: /api, peak_rps: 10, rps_per_task: 5, data: [orders, ledger] }}\n\
            data:\n  orders: {{ store: aurora, engine: aurora-postgresql, engine_version: \"16.4\", writer: us-east-1, write_forwarding: true }}\n  \
            ledger: {{ store: aurora, engine: aurora-postgresql, engine_version: \"16.4\", writer: {second_writer}, write_forwarding: true }}\n"
        )
    };
    let readme = |text: String| {
        let mut source_map = SourceMap::new();
        let file = source_map.add("crossed.yaml", text);
        let analysis = topoc::analyze(&source_map, file, "crossed.yaml");
        assert!(!diag::has_errors(&analysis.diagnostics), "{:?}", analysis.diagnostics);
        let generated = topoc::generate(analysis.compiled.unwrap(), "crossed.yaml").unwrap();
        generated.rendered.tree()["README.md"].clone()
    };
    let position = |readme: &str, root: &str| {
        readme
            .find(&format!("terraform -chdir={root} apply"))
            .unwrap_or_else(|| panic!("no apply of {root}"))
    };
    // One writer region: its root first, although eu-west-1 is the earlier deploy wave.
    let ordered = readme(spec("us-east-1"));
    assert!(position(&ordered, "regions/us-east-1") < position(&ordered, "regions/eu-west-1"));
    assert!(!ordered.contains("First deployment only"));
    // Crossed writers: the earlier wave goes first and is applied again.
    let crossed = readme(spec("eu-west-1"));
    assert!(position(&crossed, "regions/eu-west-1") < position(&crossed, "regions/us-east-1"));
    assert!(crossed.contains("First deployment only"), "{crossed}");
    assert!(
        crossed.contains("the first apply of `regions/eu-west-1/` stops"),
        "{crossed}"
    );
}
