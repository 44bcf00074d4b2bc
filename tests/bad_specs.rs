//! Every spec in `tests/bad/` must make `topoc check --message-format short` print
//! exactly its `.expected` file and exit 1; together they cover every diagnostic code.
//!
//! Bless with `UPDATE_GOLDEN=1 cargo test --test bad_specs` (refused when `CI` is set),
//! then read the diff of the `.expected` files before committing.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use topoc::diag::Code;
use topoc::golden;

fn bad_spec_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir("tests/bad")
        .expect("tests/bad exists")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            if path.extension()? != "yaml" {
                return None;
            }
            Some(path.file_stem()?.to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

fn run_check(name: &str) -> (String, i32) {
    let output = Command::new(env!("CARGO_BIN_EXE_topoc"))
        .args(["check", "--message-format", "short", &format!("tests/bad/{name}.yaml")])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("topoc runs");
    assert!(
        output.stderr.is_empty(),
        "{name}: unexpected stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8(output.stdout).expect("utf-8 output"),
        output.status.code().unwrap_or(-1),
    )
}

#[test]
fn bad_specs_print_their_expected_diagnostics_and_exit_1() {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let in_ci = golden::is_ci(std::env::var("CI").ok().as_deref());
    assert!(!(update && in_ci), "UPDATE_GOLDEN is refused when CI is set");
    let names = bad_spec_names();
    assert!(
        names.len() >= 30,
        "expected at least 30 bad specs, found {}",
        names.len()
    );
    let mut failures = Vec::new();
    for name in &names {
        let (actual, exit_code) = run_check(name);
        if exit_code != 1 {
            failures.push(format!("{name}: exit code {exit_code}, expected 1\n{actual}"));
        }
        let expected_path = format!("tests/bad/{name}.expected");
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            if update {
                std::fs::write(&expected_path, &actual).unwrap();
            } else {
                failures.push(golden::unified_diff(
                    &expected,
                    &actual,
                    &format!("a/{expected_path}"),
                    &format!("b/{expected_path}"),
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} bad spec(s) differ from their .expected files:\n\n{}\nTo accept the new output: UPDATE_GOLDEN=1 cargo test --test bad_specs, then review `git diff tests/bad`",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_diagnostic_code_is_covered_by_a_bad_spec() {
    let mut seen = BTreeSet::new();
    for name in bad_spec_names() {
        let expected =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/bad/{name}.expected")))
                .unwrap_or_default();
        for code in Code::ALL {
            if expected.contains(&format!("[{}]", code.id())) {
                seen.insert(code.id());
            }
        }
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|code| code.id())
        .filter(|id| !seen.contains(id))
        .collect();
    assert!(missing.is_empty(), "codes no bad spec triggers: {missing:?}");
}

/// Every diagnostic the bad specs print, as (message line, hint line).
fn printed_diagnostics() -> Vec<(String, Option<String>)> {
    let mut diagnostics = Vec::new();
    for name in bad_spec_names() {
        let expected =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/bad/{name}.expected")))
                .unwrap_or_default();
        let lines: Vec<&str> = expected.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            if line.starts_with("  = help: ") {
                continue;
            }
            let hint = lines
                .get(index + 1)
                .and_then(|next| next.strip_prefix("  = help: "))
                .map(str::to_string);
            diagnostics.push((line.to_string(), hint));
        }
    }
    diagnostics
}

/// A hint says something the field's description does not: the editor shows the
/// description already.
#[test]
fn no_hint_repeats_a_field_description() {
    fn descriptions(node: &serde_json::Value, found: &mut BTreeSet<String>) {
        match node {
            serde_json::Value::Object(object) => {
                if let Some(text) = object.get("description").and_then(serde_json::Value::as_str) {
                    found.insert(text.to_string());
                }
                object.values().for_each(|child| descriptions(child, found));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|child| descriptions(child, found)),
            _ => {}
        }
    }
    let schema: serde_json::Value = serde_json::from_str(topoc::spec::TOPOLOGY_SCHEMA).unwrap();
    let mut known = BTreeSet::new();
    descriptions(&schema, &mut known);
    let repeated: Vec<String> = printed_diagnostics()
        .into_iter()
        .filter_map(|(message, hint)| {
            hint.filter(|hint| known.contains(hint))
                .map(|hint| format!("{message}\n  {hint}"))
        })
        .collect();
    assert!(
        repeated.is_empty(),
        "hints that only repeat a description:\n{}",
        repeated.join("\n")
    );
}

/// TOPO0010 says what is allowed: the format with an example, the choices, or the range.
#[test]
fn every_invalid_value_names_what_is_allowed() {
    let vague: Vec<String> = printed_diagnostics()
        .into_iter()
        .filter(|(message, _)| message.contains("[TOPO0010]"))
        .filter(|(message, hint)| {
            let text = format!("{message} {}", hint.as_deref().unwrap_or_default());
            ![
                "for example",
                "e.g.",
                "such as",
                "must be one of",
                "must be at least",
                "must be at most",
                ": `",
            ]
            .iter()
            .any(|marker| text.contains(marker))
        })
        .map(|(message, _)| message)
        .collect();
    assert!(
        vague.is_empty(),
        "TOPO0010 without the allowed format:\n{}",
        vague.join("\n")
    );
}
