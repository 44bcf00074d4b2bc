//! Every example builds to exactly its committed tree under `golden/`, from any working
//! directory, and `topoc diff` agrees.
//!
//! Bless with `UPDATE_GOLDEN=1 cargo test --test goldens` (refused when `CI` is set),
//! then read `git diff golden/` as a reviewer who will apply it to a real account.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use topoc::source::SourceMap;
use topoc::{BuildOutcome, golden, output};

const EXAMPLES: &[&str] = &["helios-pay", "global-consumer", "eu-resident-saas"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn build_example(name: &str) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join(format!("examples/{name}.yaml"))).unwrap();
    let mut source_map = SourceMap::new();
    let file = source_map.add(format!("examples/{name}.yaml"), text);
    match topoc::build(&source_map, file, &format!("{name}.yaml")) {
        BuildOutcome::Built { tree, .. } => tree,
        BuildOutcome::Rejected { diagnostics } => panic!("{name} was rejected: {diagnostics:?}"),
        BuildOutcome::Internal { errors, .. } => {
            panic!(
                "{name} failed validation:\n{}",
                errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
            )
        }
    }
}

#[test]
fn every_example_builds_to_its_golden_tree() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    assert!(
        !(update && golden::is_ci(std::env::var("CI").ok().as_deref())),
        "UPDATE_GOLDEN is refused when CI is set"
    );
    let mut failures = Vec::new();
    for name in EXAMPLES {
        let tree = build_example(name);
        let golden_directory = root().join("golden").join(name);
        let committed = output::read_tree(&golden_directory).unwrap();
        let changes = golden::compare_trees(&committed, &tree);
        if changes.is_empty() {
            continue;
        }
        if update {
            output::write_tree(&golden_directory, &tree, false).unwrap();
        } else {
            failures.push(format!("== golden/{name}\n{}", golden::report(&changes)));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nTo accept: UPDATE_GOLDEN=1 cargo test --test goldens, then review `git diff golden/`",
        failures.join("\n")
    );
}

fn run(arguments: &[&str], directory: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_topoc"))
        .args(arguments)
        .current_dir(directory)
        .output()
        .unwrap()
}

#[test]
fn builds_are_byte_identical_from_any_working_directory() {
    let scratch = tempfile::tempdir().unwrap();
    let from_root = scratch.path().join("from-root");
    let from_tests = scratch.path().join("from-tests");
    let first = run(
        &["build", "examples/helios-pay.yaml", "-o", from_root.to_str().unwrap()],
        &root(),
    );
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let second = run(
        &[
            "build",
            "../examples/helios-pay.yaml",
            "-o",
            from_tests.to_str().unwrap(),
        ],
        &root().join("tests"),
    );
    assert!(second.status.success(), "{}", String::from_utf8_lossy(&second.stderr));
    let left = output::read_tree(&from_root).unwrap();
    let right = output::read_tree(&from_tests).unwrap();
    assert!(!left.is_empty());
    assert_eq!(left, right);
    assert_eq!(left, output::read_tree(&root().join("golden/helios-pay")).unwrap());
}

#[test]
fn diff_against_each_golden_reports_nothing() {
    for name in EXAMPLES {
        let output = run(
            &[
                "diff",
                &format!("examples/{name}.yaml"),
                "--against",
                &format!("golden/{name}"),
            ],
            &root(),
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
}

#[test]
fn diff_shows_what_build_would_change_and_bless_rewrites_it() {
    let scratch = tempfile::tempdir().unwrap();
    let tree = scratch.path().join("tree");
    assert!(
        run(
            &["build", "examples/helios-pay.yaml", "-o", tree.to_str().unwrap()],
            &root()
        )
        .status
        .success()
    );
    let main = tree.join("data/dynamodb.tf");
    let edited = std::fs::read_to_string(&main)
        .unwrap()
        .replace("PAY_PER_REQUEST", "PROVISIONED");
    std::fs::write(&main, edited).unwrap();
    std::fs::remove_file(tree.join("global/dns.tf")).unwrap();
    let output = run(
        &["diff", "examples/helios-pay.yaml", "--against", tree.to_str().unwrap()],
        &root(),
    );
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains(" changed: data/dynamodb.tf"), "{text}");
    assert!(text.contains("   added: global/dns.tf"), "{text}");
    assert!(
        text.contains(
            "-  billing_mode                = \"PROVISIONED\"\n+  billing_mode                = \"PAY_PER_REQUEST\""
        ),
        "{text}"
    );
    assert!(text.ends_with("1 changed, 1 added, 0 removed\n"), "{text}");

    let refused = Command::new(env!("CARGO_BIN_EXE_topoc"))
        .args([
            "diff",
            "examples/helios-pay.yaml",
            "--against",
            tree.to_str().unwrap(),
            "--bless",
        ])
        .current_dir(root())
        .env("CI", "true")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let blessed = Command::new(env!("CARGO_BIN_EXE_topoc"))
        .args([
            "diff",
            "examples/helios-pay.yaml",
            "--against",
            tree.to_str().unwrap(),
            "--bless",
        ])
        .current_dir(root())
        .env_remove("CI")
        .output()
        .unwrap();
    assert_eq!(
        blessed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&blessed.stderr)
    );
    assert_eq!(
        run(
            &["diff", "examples/helios-pay.yaml", "--against", tree.to_str().unwrap()],
            &root()
        )
        .status
        .code(),
        Some(0)
    );
}
