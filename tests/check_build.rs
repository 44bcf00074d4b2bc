//! What `check` accepts, `build` compiles: no spec without errors reaches an internal
//! error (exit 3).
//!
//! The specs are the examples with parts left out: each field, mapping entry and list
//! item in turn; every optional field at once (the minimal spec); and random subsets.
//! A spec a removal makes invalid must get an error from `check` (and then `build`
//! writes nothing); any other spec must build, which runs every validation layer. JSON
//! is YAML, so the specs are written as JSON.

use proptest::prelude::*;
use serde_json::Value as Json;
use topoc::source::SourceMap;

const EXAMPLES: &[&str] = &[
    "examples/helios-pay.yaml",
    "examples/global-consumer.yaml",
    "examples/eu-resident-saas.yaml",
];

fn example(path: &str) -> Json {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    let mut source_map = SourceMap::new();
    let file = source_map.add(path, text.clone());
    let (root, diagnostics) = topoc::spec::yaml::parse(file, &text);
    assert!(diagnostics.is_empty(), "{path}: {diagnostics:?}");
    topoc::spec::schema::to_json(&root.unwrap()).0
}

/// Every JSON pointer in the instance except the root, parents before children.
fn pointers(value: &Json, prefix: &str, found: &mut Vec<String>) {
    let escape = |segment: &str| segment.replace('~', "~0").replace('/', "~1");
    match value {
        Json::Object(object) => {
            for (key, child) in object {
                let pointer = format!("{prefix}/{}", escape(key));
                found.push(pointer.clone());
                pointers(child, &pointer, found);
            }
        }
        Json::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                let pointer = format!("{prefix}/{index}");
                found.push(pointer.clone());
                pointers(child, &pointer, found);
            }
        }
        _ => {}
    }
}

/// The instance without the node at `pointer`.
fn without(instance: &Json, pointer: &str) -> Json {
    let mut copy = instance.clone();
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    let last = last.replace("~1", "/").replace("~0", "~");
    match copy.pointer_mut(parent).unwrap() {
        Json::Object(object) => {
            object.remove(&last);
        }
        Json::Array(items) => {
            items.remove(last.parse::<usize>().unwrap());
        }
        _ => unreachable!("a parent is a collection"),
    }
    copy
}

/// Checks then builds `instance`: `Ok(true)` when it built, `Ok(false)` when `check`
/// found errors (and `build` agreed), `Err` on an internal error.
fn check_then_build(instance: &Json) -> Result<bool, String> {
    let text = serde_json::to_string_pretty(instance).unwrap();
    let mut source_map = SourceMap::new();
    let file = source_map.add("spec.yaml", text.clone());
    let (_, diagnostics) = topoc::check_spec(&source_map, file);
    let accepted = !topoc::diag::has_errors(&diagnostics);
    match topoc::build(&source_map, file, "spec.yaml") {
        topoc::BuildOutcome::Built { .. } if accepted => Ok(true),
        topoc::BuildOutcome::Rejected { .. } if !accepted => Ok(false),
        topoc::BuildOutcome::Internal { errors, .. } => Err(format!(
            "check accepted, build failed:\n{}\n--- spec\n{text}",
            errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
        )),
        _ => Err(format!(
            "check and build disagree on whether the spec has errors:\n{text}"
        )),
    }
}

/// The example with every part removed that it stays valid without.
fn minimal(instance: &Json) -> Json {
    let mut current = instance.clone();
    // Remove whatever the spec stays valid without, until nothing more can go: a part
    // may become removable only after another is gone (a residency class after the
    // data classes that use it).
    loop {
        let mut all = Vec::new();
        pointers(&current, "", &mut all);
        let before = current.clone();
        for pointer in all.iter().rev() {
            if current.pointer(pointer).is_none() {
                continue;
            }
            let candidate = without(&current, pointer);
            if check_then_build(&candidate).expect("no internal error") {
                current = candidate;
            }
        }
        if current == before {
            return current;
        }
    }
}

#[test]
fn leaving_out_any_one_part_of_an_example_never_reaches_an_internal_error() {
    let mut built = 0;
    let mut rejected = 0;
    let mut failures = Vec::new();
    // Each example, and each without SCP targets: the policies are then generated but
    // not attached, and nothing requires a deployment role.
    let bases = EXAMPLES.iter().flat_map(|path| {
        let instance = example(path);
        let untargeted = without(&instance, "/governance/scp_targets");
        [
            (path.to_string(), instance),
            (format!("{path} without scp_targets"), untargeted),
        ]
    });
    for (name, instance) in bases {
        let mut all = Vec::new();
        pointers(&instance, "", &mut all);
        for pointer in &all {
            match check_then_build(&without(&instance, pointer)) {
                Ok(true) => built += 1,
                Ok(false) => rejected += 1,
                Err(problem) => failures.push(format!("{name} without {pointer}: {problem}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Most removals leave a valid spec; the count guards against a test that builds nothing.
    assert!(built > 400 && rejected > 40, "built {built}, rejected {rejected}");
}

#[test]
fn minimal_specs_build() {
    for path in EXAMPLES {
        let instance = minimal(&example(path));
        assert_eq!(check_then_build(&instance), Ok(true), "{path}");
        // Minimal means minimal: without any one more part the spec has an error.
        let mut all = Vec::new();
        pointers(&instance, "", &mut all);
        let top_level: Vec<&String> = all.iter().filter(|pointer| pointer.matches('/').count() == 1).collect();
        assert!(top_level.len() <= 7, "{path}: {top_level:?}");
    }
}

fn subsets() -> impl Strategy<Value = (usize, Vec<bool>)> {
    (
        0..EXAMPLES.len(),
        proptest::collection::vec(proptest::bool::weighted(0.15), 400),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn leaving_out_random_parts_never_reaches_an_internal_error((which, drops) in subsets()) {
        let mut instance = example(EXAMPLES[which]);
        let mut all = Vec::new();
        pointers(&instance, "", &mut all);
        for (pointer, drop) in all.iter().rev().zip(drops.iter().cycle()) {
            if *drop && instance.pointer(pointer).is_some() {
                instance = without(&instance, pointer);
            }
        }
        check_then_build(&instance).map_err(TestCaseError::fail)?;
    }
}
