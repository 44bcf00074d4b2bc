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
