//! Layer 8: literal values against the AWS API's own constraints.
//!
//! Every argument the goldens set to a literal is in `schemas/argument-api-map.json`
//! (mapped to the API field it becomes, or with the reason it is not checked), every
//! mapping names a field of the vendored botocore models, and a wrong enum value, a name
//! one character too long and a number out of range are each reported with the file,
//! line, block address and the constraint's source.

mod common;

use std::collections::BTreeMap;

use common::rendered;
use topoc::render::InternalError;
use topoc::validate::constraints::{self, Literal};

const EXAMPLES: &[&str] = &["helios-pay", "global-consumer", "eu-resident-saas"];

#[test]
fn every_literal_argument_of_the_goldens_is_mapped_or_has_a_reason() {
    let tables = constraints::constraints();
    let mut unmapped: BTreeMap<String, String> = BTreeMap::new();
    let mut used = 0;
    for example in EXAMPLES {
        for (path, file) in rendered(example).files.iter().filter(|(path, _)| path.ends_with(".tf")) {
            for key in constraints::argument_keys(&file.text) {
                used += 1;
                if !tables.arguments.contains_key(&key) {
                    unmapped.insert(key, format!("{example}/{path}"));
                }
            }
        }
    }
    assert!(used > 250, "only {used} literal arguments found");
    assert!(
        unmapped.is_empty(),
        "literal arguments with no entry in schemas/argument-api-map.json (add the API field, or a reason):\n{}",
        unmapped
            .iter()
            .map(|(key, file)| format!("{key}  ({file})"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_mapping_names_a_field_of_the_vendored_models_or_a_reason() {
    let tables = constraints::constraints();
    let mut broken = Vec::new();
    let mut mapped = 0;
    for key in tables.arguments.keys() {
        let mapping = tables.arguments.get(key).unwrap();
        match (&mapping.service, &mapping.reason) {
            (Some(_), None) => {
                mapped += 1;
                if tables.resolve(mapping).is_none() {
                    broken.push(format!("{key}: {mapping:?} does not resolve"));
                }
            }
            (None, Some(reason)) if reason.len() > 20 => {}
            _ => broken.push(format!("{key}: needs either an API field or a reason")),
        }
    }
    assert!(mapped > 200, "only {mapped} arguments mapped");
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// Replaces the first `from` in `file` and validates.
fn mutate(example: &str, file: &str, from: &str, to: &str) -> Vec<InternalError> {
    let mut rendered = rendered(example);
    let target = rendered.files.get_mut(file).unwrap_or_else(|| panic!("no file {file}"));
    assert!(target.text.contains(from), "{file} does not contain {from:?}");
    target.text = target.text.replacen(from, to, 1);
    topoc::validate::validate(&rendered)
}

#[track_caller]
fn assert_constraint(errors: &[InternalError], file: &str, address: &str, fragment: &str) {
    assert!(
        errors.iter().any(|error| error.file == file
            && error.rule == "aws-constraint"
            && error.line.is_some()
            && error.message.contains(address)
            && error.message.contains(fragment)
            && error.message.contains("botocore==")),
        "expected an aws-constraint error in {file} on {address} mentioning {fragment:?}, got:\n{}",
        errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_goldens_meet_every_constraint() {
    for example in EXAMPLES {
        let errors: Vec<_> = topoc::validate::validate(&rendered(example))
            .into_iter()
            .filter(|error| error.rule == "aws-constraint")
            .collect();
        assert!(errors.is_empty(), "{example}: {errors:#?}");
    }
}

#[test]
fn a_wrong_enum_value_is_reported() {
    let errors = mutate(
        "helios-pay",
        "data/dynamodb.tf",
        "billing_mode                = \"PAY_PER_REQUEST\"",
        "billing_mode                = \"ON_DEMAND\"",
    );
    assert_constraint(
        &errors,
        "data/dynamodb.tf",
        "aws_dynamodb_table.",
        "\"ON_DEMAND\" is not one of",
    );
}

#[test]
fn a_name_one_character_too_long_is_reported() {
    let long = "r".repeat(65);
    let errors = mutate(
        "helios-pay",
        "identity/rds_monitoring.tf",
        "name = \"helios-pay-rds-monitoring\"",
        &format!("name = \"{long}\""),
    );
    assert_constraint(
        &errors,
        "identity/rds_monitoring.tf",
        "aws_iam_role.",
        "65 characters, more than 64",
    );
}

#[test]
fn a_number_out_of_range_is_reported() {
    let errors = mutate(
        "helios-pay",
        "modules/region/alb.tf",
        "interval            = 10",
        "interval            = 301",
    );
    assert_constraint(
        &errors,
        "modules/region/alb.tf",
        "aws_lb_target_group.",
        "301 is above the maximum 300",
    );
}

#[test]
fn values_are_judged_as_aws_receives_them() {
    use constraints::Shape;
    let shape = |json: &str| -> Shape { serde_json::from_str(json).unwrap() };
    let enumeration = shape(r#"{"type":"string","enum":["A","B"]}"#);
    assert_eq!(
        constraints::problem(&Literal::Text("A".into()), &enumeration, "x"),
        None
    );
    assert!(constraints::problem(&Literal::Text("C".into()), &enumeration, "x").is_some());
    let bounded = shape(r#"{"type":"string","min":3,"max":5,"pattern":"[a-z]+"}"#);
    assert!(constraints::problem(&Literal::Text("ab".into()), &bounded, "x").is_some());
    assert!(constraints::problem(&Literal::Text("abcdef".into()), &bounded, "x").is_some());
    assert!(constraints::problem(&Literal::Text("ABC".into()), &bounded, "x").is_some());
    assert_eq!(
        constraints::problem(&Literal::Text("éabc".into()), &bounded, "x"),
        None,
        "characters, not bytes"
    );
    let range = shape(r#"{"type":"integer","min":5,"max":300}"#);
    assert!(constraints::problem(&Literal::Number(4.0), &range, "x").is_some());
    assert_eq!(constraints::problem(&Literal::Number(300.0), &range, "x"), None);
}
