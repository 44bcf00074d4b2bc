//! The validation layers catch broken output: real golden files are mutated the way a
//! template bug would break them, and each mutation must be reported with its file,
//! line and rule. Mutations keep line counts, so the IR's block ranges still apply.

mod common;

use common::rendered;
use topoc::render::InternalError;

/// Replaces the first occurrence of `from` in `file` and returns the validation errors.
fn mutate(example: &str, file: &str, from: &str, to: &str) -> Vec<InternalError> {
    mutate_at(example, file, from, to).0
}

/// [`mutate`], also returning the 1-based line where the replaced text starts, so
/// tests can check errors point into the file at the right line (validation parses
/// each file one top-level segment at a time and must count lines from the file's top).
fn mutate_at(example: &str, file: &str, from: &str, to: &str) -> (Vec<InternalError>, usize) {
    let mut rendered = rendered(example);
    let target = rendered.files.get_mut(file).unwrap_or_else(|| panic!("no file {file}"));
    let offset = target
        .text
        .find(from)
        .unwrap_or_else(|| panic!("{file} does not contain {from:?}"));
    let line = target.text[..offset].matches('\n').count() + 1;
    target.text = target.text.replacen(from, to, 1);
    assert_eq!(target.text.lines().count(), rendered.files[file].text.lines().count());
    (topoc::validate::validate(&rendered), line)
}

#[track_caller]
fn assert_reported_at(errors: &[InternalError], file: &str, line: usize, rule: &str, fragment: &str) {
    assert!(
        errors.iter().any(|error| error.file == file
            && error.rule == rule
            && error.line == Some(line)
            && error.message.contains(fragment)),
        "expected a `{rule}` error at {file}:{line} mentioning {fragment:?}, got:\n{}",
        errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    );
}

#[track_caller]
fn assert_reported(errors: &[InternalError], file: &str, rule: &str, fragment: &str) {
    assert!(
        errors.iter().any(|error| error.file == file
            && error.rule == rule
            && error.line.is_some()
            && error.message.contains(fragment)),
        "expected a `{rule}` error in {file} mentioning {fragment:?}, got:\n{}",
        errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn unmutated_output_validates_cleanly() {
    for example in ["helios-pay", "global-consumer", "eu-resident-saas"] {
        let errors = topoc::validate::validate(&rendered(example));
        assert!(errors.is_empty(), "{example}: {errors:#?}");
    }
}

// Layer 1 and 2: parsing and canonical form.

#[test]
fn unparsable_hcl_is_reported() {
    let mut rendered = rendered("helios-pay");
    let file = rendered.files.get_mut("data/dynamodb.tf").unwrap();
    file.text = file.text.replacen(
        "billing_mode                = \"PAY_PER_REQUEST\"",
        "billing_mode                = \"PAY_PER_REQUEST",
        1,
    );
    // Validation parses one top-level segment at a time; for this mistake the line it
    // reports is the one hcl-edit gives for the whole file (for others, such as a string
    // left open until the end of the file, the segment's own line is the closer one).
    let whole_file_line = hcl::edit::parser::parse_body(&file.text)
        .expect_err("the file no longer parses")
        .location()
        .line();
    assert!(whole_file_line > 3, "the mistake is past the header segment");
    let errors = topoc::validate::validate(&rendered);
    assert_reported_at(
        &errors,
        "data/dynamodb.tf",
        whole_file_line,
        "parse",
        "hcl-edit cannot parse",
    );
}

#[test]
fn misaligned_attributes_are_not_canonical() {
    let (errors, line) = mutate_at(
        "helios-pay",
        "data/dynamodb.tf",
        "billing_mode                = ",
        "billing_mode = ",
    );
    assert_reported_at(&errors, "data/dynamodb.tf", line, "canonical", "terraform fmt");
}

#[test]
fn a_second_blank_line_between_blocks_is_not_canonical() {
    // The blank line replaces a comment line, so the line count stays the same.
    let (errors, line) = mutate_at(
        "helios-pay",
        "keys/keys.tf",
        "\n# Primary of the multi-Region key for data without a residency class.\n",
        "\n\n",
    );
    let errors: Vec<_> = errors.into_iter().filter(|error| error.rule == "canonical").collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].file, "keys/keys.tf");
    assert_eq!(errors[0].line, Some(line + 1), "{errors:#?}");
}

#[test]
fn an_argument_at_the_top_level_of_a_file_is_reported_even_twice_in_separate_segments() {
    let mut rendered = rendered("helios-pay");
    let file = rendered.files.get_mut("data/dynamodb.tf").unwrap();
    let lines = file.text.lines().count();
    file.text.push_str("\nx = 1\n\nx = 2\n");
    let errors = topoc::validate::validate(&rendered);
    for line in [lines + 2, lines + 4] {
        assert_reported_at(
            &errors,
            "data/dynamodb.tf",
            line,
            "parse",
            "`x` is an argument at the top level",
        );
    }
}

#[test]
fn a_tf_file_outside_every_stack_is_still_parsed() {
    let mut rendered = rendered("helios-pay");
    let mut broken = rendered.files["data/dynamodb.tf"].clone();
    broken.text = "q = [\n\ny = (\n".to_string();
    rendered.files.insert("extra/broken.tf".to_string(), broken);
    let errors = topoc::validate::validate(&rendered);
    assert!(
        errors
            .iter()
            .any(|error| error.file == "extra/broken.tf" && error.rule == "parse"),
        "{errors:#?}"
    );
}

#[test]
fn a_formatting_mistake_repeated_in_every_block_is_reported_once_per_file() {
    let mut rendered = rendered("helios-pay");
    let file = rendered.files.get_mut("data/dynamodb.tf").unwrap();
    let blocks = file.text.matches("billing_mode                = ").count();
    assert!(blocks > 1);
    file.text = file.text.replace("billing_mode                = ", "billing_mode = ");
    let canonical: Vec<_> = topoc::validate::validate(&rendered)
        .into_iter()
        .filter(|error| error.rule == "canonical")
        .collect();
    assert_eq!(canonical.len(), 1, "{canonical:#?}");
}

// Layer 4: references.

#[test]
fn a_reference_to_an_undeclared_resource_is_reported() {
    let (errors, line) = mutate_at(
        "helios-pay",
        "data/outputs.tf",
        "aws_dynamodb_table.card_tokens.arn",
        "aws_dynamodb_table.card_token.arn",
    );
    assert_reported_at(
        &errors,
        "data/outputs.tf",
        line,
        "reference",
        "no resource `aws_dynamodb_table.card_token`",
    );
}

#[test]
fn a_remote_state_output_the_producer_does_not_declare_is_reported() {
    let (errors, line) = mutate_at(
        "helios-pay",
        "data/dynamodb.tf",
        "outputs.kms_key_arns[",
        "outputs.kms_keys_arns[",
    );
    assert_reported_at(
        &errors,
        "data/dynamodb.tf",
        line,
        "reference",
        "stack `keys` declares no output `kms_keys_arns`",
    );
}

#[test]
fn a_module_argument_that_is_not_a_variable_is_reported() {
    let (errors, line) = mutate_at("helios-pay", "regions/eu-west-1/main.tf", "  vpc_cidr ", "  vpc_cdr  ");
    assert_reported_at(
        &errors,
        "regions/eu-west-1/main.tf",
        line,
        "reference",
        "module `region` has no variable `vpc_cdr`",
    );
    assert_reported(
        &errors,
        "regions/eu-west-1/main.tf",
        "reference",
        "needs variable `vpc_cidr`",
    );
}

#[test]
fn each_outside_a_for_each_block_is_reported() {
    let errors = mutate(
        "helios-pay",
        "modules/region/ecs.tf",
        "  for_each = var.services\n\n  name                               = each.key",
        "  count    = 1\n\n  name                               = each.key",
    );
    assert_reported(
        &errors,
        "modules/region/ecs.tf",
        "reference",
        "used in a block without `for_each`",
    );
}

// Layer 5: providers.

#[test]
fn a_regional_block_on_another_regions_provider_is_reported() {
    let errors = mutate(
        "helios-pay",
        "replication/s3.tf",
        "provider = aws.eu_west_1",
        "provider = aws.us_east_1",
    );
    assert_reported(
        &errors,
        "replication/s3.tf",
        "provider",
        "belongs to eu-west-1 but uses `aws.us_east_1`",
    );
}

#[test]
fn a_module_instance_on_another_regions_provider_is_reported() {
    let errors = mutate(
        "helios-pay",
        "regions/eu-west-1/main.tf",
        "aws = aws.eu_west_1",
        "aws = aws.us_east_1",
    );
    assert_reported(
        &errors,
        "regions/eu-west-1/main.tf",
        "provider",
        "module.region uses `aws.us_east_1`, which this stack does not declare",
    );
}

// Layer 5: regional independence.

#[test]
fn a_region_roots_provider_in_another_region_is_reported() {
    let errors = mutate(
        "helios-pay",
        "regions/eu-west-1/providers.tf",
        "region = \"eu-west-1\"",
        "region = \"us-east-1\"",
    );
    assert_reported(
        &errors,
        "regions/eu-west-1/providers.tf",
        "independence",
        "provider `aws.eu_west_1` is in us-east-1, but `regions/eu-west-1` is eu-west-1's own root",
    );
}

#[test]
fn a_region_root_reading_state_from_another_region_is_reported() {
    let errors = mutate(
        "helios-pay",
        "regions/eu-west-1/remote_state.tf",
        "    bucket = \"helios-pay-terraform-state-eu-west-1\"\n    key    = \"helios-pay/keys.tfstate\"\n    region = \"eu-west-1\"",
        "    bucket = \"helios-pay-terraform-state-us-east-1\"\n    key    = \"helios-pay/keys.tfstate\"\n    region = \"us-east-1\"",
    );
    assert_reported(
        &errors,
        "regions/eu-west-1/remote_state.tf",
        "independence",
        "remote state `keys` is in us-east-1, but `regions/eu-west-1` is eu-west-1's own root",
    );
    assert_reported(
        &errors,
        "regions/eu-west-1/remote_state.tf",
        "independence",
        "reads bucket helios-pay-terraform-state-us-east-1, not the root's own state bucket",
    );
}

#[test]
fn a_region_roots_backend_in_another_region_is_reported() {
    let errors = mutate(
        "helios-pay",
        "regions/eu-west-1/versions.tf",
        "    region       = \"eu-west-1\"",
        "    region       = \"us-east-1\"",
    );
    assert_reported(
        &errors,
        "regions/eu-west-1/versions.tf",
        "independence",
        "the backend is in us-east-1, but `regions/eu-west-1` is eu-west-1's own root",
    );
}

#[test]
fn a_shared_root_reaching_a_region_it_does_not_list_is_reported() {
    // `identity/` lists us-east-1 alone (IAM and its state bucket); the README and
    // `review/region-loss.md` say so, and the check holds them to it.
    let errors = mutate(
        "helios-pay",
        "identity/providers.tf",
        "region = \"us-east-1\"",
        "region = \"eu-west-1\"",
    );
    assert_reported(
        &errors,
        "identity/providers.tf",
        "independence",
        "is in eu-west-1, which `identity` does not list among the regions it needs (us-east-1)",
    );
}

#[test]
fn a_replica_in_its_tables_own_region_is_reported() {
    let errors = mutate(
        "helios-pay",
        "data/dynamodb.tf",
        "for_each = toset([\"eu-west-1\"])",
        "for_each = toset([\"us-east-1\"])",
    );
    assert_reported(
        &errors,
        "data/dynamodb.tf",
        "replica-region",
        "has a replica in its own region us-east-1",
    );
}

#[test]
fn a_provider_inside_the_module_is_reported() {
    let errors = mutate(
        "helios-pay",
        "modules/region/network.tf",
        "  cidr_block           = var.vpc_cidr",
        "  provider             = aws.x",
    );
    assert_reported(
        &errors,
        "modules/region/network.tf",
        "provider",
        "modules inherit their region's provider",
    );
}

// Layer 3: the provider schema. Each class of mistake a template can make.

#[test]
fn a_renamed_argument_is_reported_with_a_suggestion() {
    let (errors, line) = mutate_at(
        "helios-pay",
        "data/dynamodb.tf",
        "stream_enabled              = true",
        "stream_enable               = true",
    );
    assert_reported_at(
        &errors,
        "data/dynamodb.tf",
        line,
        "schema",
        "unknown argument `stream_enable` (did you mean `stream_enabled`?)",
    );
}

#[test]
fn a_dropped_required_argument_is_reported() {
    let errors = mutate(
        "helios-pay",
        "data/dynamodb.tf",
        "      region_name                 = replica.value\n",
        "\n",
    );
    assert_reported(
        &errors,
        "data/dynamodb.tf",
        "schema",
        "replica: required argument `region_name` is missing",
    );
}

#[test]
fn a_dropped_required_block_is_reported() {
    let errors = mutate(
        "helios-pay",
        "global/cloudfront.tf",
        "  restrictions {",
        "  restriction {",
    );
    assert_reported(
        &errors,
        "global/cloudfront.tf",
        "schema",
        "required block `restrictions` is missing",
    );
}

#[test]
fn a_duplicated_single_block_is_reported() {
    let errors = mutate(
        "helios-pay",
        "data/dynamodb.tf",
        "  server_side_encryption {",
        "  point_in_time_recovery {",
    );
    assert_reported(
        &errors,
        "data/dynamodb.tf",
        "schema",
        "block `point_in_time_recovery` may appear at most once, found 2",
    );
}

#[test]
fn an_argument_nested_in_the_wrong_block_is_reported() {
    let errors = mutate(
        "helios-pay",
        "data/dynamodb.tf",
        "  point_in_time_recovery {\n    enabled = true",
        "  point_in_time_recovery {\n    stream_enabled = true",
    );
    assert_reported(
        &errors,
        "data/dynamodb.tf",
        "schema",
        "point_in_time_recovery: unknown argument `stream_enabled`",
    );
}

#[test]
fn a_literal_of_the_wrong_type_is_reported() {
    let errors = mutate(
        "helios-pay",
        "modules/region/alb.tf",
        "  idle_timeout               = 60",
        "  idle_timeout               = \"60\"",
    );
    assert_reported(
        &errors,
        "modules/region/alb.tf",
        "schema",
        "`idle_timeout` must be number, not a string",
    );
    let errors = mutate(
        "helios-pay",
        "data/dynamodb.tf",
        "deletion_protection_enabled = true",
        "deletion_protection_enabled = \"yes\"",
    );
    assert_reported(
        &errors,
        "data/dynamodb.tf",
        "schema",
        "`deletion_protection_enabled` must be bool, not a string",
    );
}

#[test]
fn an_unknown_resource_type_is_reported() {
    let errors = mutate(
        "helios-pay",
        "data/dynamodb.tf",
        "resource \"aws_dynamodb_table\"",
        "resource \"aws_dynamo_table\"",
    );
    assert_reported(
        &errors,
        "data/dynamodb.tf",
        "schema",
        "`aws_dynamo_table` is not a resource type of the AWS provider 6.69.1",
    );
}

#[test]
fn an_unknown_field_in_a_waf_statement_is_reported() {
    let errors = mutate(
        "helios-pay",
        "global/waf.tf",
        "        vendor_name = \"AWS\"",
        "        vendor      = \"AWS\"",
    );
    assert_reported(&errors, "global/waf.tf", "schema", "unknown argument `vendor`");
}
