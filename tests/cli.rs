//! The binary's contract: exit codes, message formats and the non-spec commands.

use std::process::{Command, Output};

use serde_json::Value as Json;

fn topoc(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_topoc"))
        .args(arguments)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .expect("topoc runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn check_passes_the_examples_with_exit_0() {
    let output = topoc(&[
        "check",
        "examples/helios-pay.yaml",
        "examples/global-consumer.yaml",
        "examples/eu-resident-saas.yaml",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn missing_files_and_directories_exit_2_with_a_message() {
    let output = topoc(&["check", "no/such/spec.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "error: cannot read `no/such/spec.yaml`: no such file\n"
    );
    let output = topoc(&["check", "examples"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output), "error: `examples` is a directory, not a spec file\n");
}

#[test]
fn io_failures_do_not_hide_diagnostics_of_other_files() {
    let output = topoc(&[
        "check",
        "--message-format",
        "short",
        "missing.yaml",
        "tests/bad/traffic-sum.yaml",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).contains("error[TOPO0022]"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(topoc(&["check"]).status.code(), Some(2));
    assert_eq!(topoc(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        topoc(&["check", "--message-format", "xml", "examples/helios-pay.yaml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(topoc(&["--help"]).status.code(), Some(0));
}

#[test]
fn schema_prints_the_committed_schema() {
    let output = topoc(&["schema"]);
    assert_eq!(output.status.code(), Some(0));
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/topology.schema.json")).unwrap();
    assert_eq!(stdout(&output), committed);
}

#[test]
fn explain_accepts_codes_and_slugs() {
    let output = topoc(&["explain", "TOPO0030"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output)
            .starts_with("TOPO0030 (in-place-counter, error): a counter is mutated in place from several regions\n")
    );
    assert!(stdout(&output).contains("per-region-counter"));
    assert_eq!(topoc(&["explain", "n-plus-one"]).status.code(), Some(0));
    let output = topoc(&["explain", "TOPO0300"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("did you mean `TOPO0030`?"));
}

#[test]
fn json_format_is_one_document_with_locations() {
    let output = topoc(&["check", "--message-format", "json", "tests/bad/unknown-region.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    let document: Json = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(document["summary"]["errors"], 2);
    let first = &document["diagnostics"][0];
    assert_eq!(first["code"], "TOPO0021");
    assert_eq!(first["slug"], "unknown-region");
    assert_eq!(first["location"]["file"], "tests/bad/unknown-region.yaml");
    assert_eq!(first["location"]["line"], 11);
    assert_eq!(first["location"]["column"], 11);
    assert_eq!(first["hint"], "did you mean `us-east-1`?");
}

#[test]
fn sarif_format_is_sarif_2_1_0_with_rules_and_regions() {
    let output = topoc(&["check", "--message-format", "sarif", "tests/bad/overlapping-cidrs.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    let log: Json = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "topoc");
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "TOPO0023");
    let rule_index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(run["tool"]["driver"]["rules"][rule_index]["id"], "TOPO0023");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "tests/bad/overlapping-cidrs.yaml");
    assert_eq!(location["region"]["startLine"], 17);
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        21
    );
}

#[test]
fn human_format_shows_the_source_line_and_a_summary() {
    let output = topoc(&["check", "--color", "never", "tests/bad/unknown-region.yaml"]);
    let text = stdout(&output);
    assert!(
        text.contains("error[TOPO0021]: `eu-wset-1` is not a known AWS region"),
        "{text}"
    );
    assert!(text.contains("19 │   eu-wset-1:"), "{text}");
    assert!(text.contains("= help: did you mean `eu-west-1`?"), "{text}");
    assert!(text.ends_with("2 errors emitted\n"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour codes with --color never");
    let colored = stdout(&topoc(&["check", "--color", "always", "tests/bad/unknown-region.yaml"]));
    assert!(colored.contains('\u{1b}'));
}
