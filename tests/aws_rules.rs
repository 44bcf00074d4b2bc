//! Layer 8: what AWS rejects although the provider schema allows it. Real output is
//! mutated the way a template change would break each cross-field rule, and each
//! mutation must be reported with its file, line and rule; the unmutated output (the
//! goldens) passes every rule.

mod common;

use common::{mutated, rendered};
use topoc::render::InternalError;

fn mutate(example: &str, file: &str, from: &str, to: &str, occurrence: usize) -> Vec<InternalError> {
    mutated(rendered(example), file, from, to, occurrence)
}

#[track_caller]
fn assert_rule(errors: &[InternalError], file: &str, rule: &str, fragment: &str) {
    assert!(
        errors.iter().any(|error| error.file == file
            && error.rule == rule
            && error.line.is_some()
            && error.message.contains(fragment)
            && error.message.contains(topoc::validate::rules::rule(rule).source)),
        "expected a `{rule}` error in {file} mentioning {fragment:?} and the rule's source, got:\n{}",
        errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_goldens_pass_every_rule() {
    for example in ["helios-pay", "global-consumer", "eu-resident-saas"] {
        let errors = topoc::validate::validate(&rendered(example));
        assert!(errors.is_empty(), "{example}: {errors:#?}");
    }
}

#[test]
fn every_rule_has_a_source_and_an_explanation() {
    for rule in topoc::validate::rules::RULES {
        assert!(
            !rule.source.is_empty() && rule.explanation.ends_with('.'),
            "{}",
            rule.id
        );
        assert!(
            rule.id
                .chars()
                .all(|character| character.is_ascii_lowercase() || character.is_ascii_digit() || character == '-'),
            "{}",
            rule.id
        );
    }
}

/// The template before this rule existed set an event threshold without replication
/// time; the rule refuses it.
#[test]
fn replication_metrics_with_a_threshold_need_time_control() {
    let errors = mutate(
        "helios-pay",
        "replication/s3.tf",
        "        metrics {\n          status = \"Enabled\"\n        }",
        "        metrics {\n          event_threshold { minutes = 15 }\n        }",
        1,
    );
    assert_rule(
        &errors,
        "replication/s3.tf",
        "s3-replication-metrics-need-time-control",
        "event threshold",
    );
}

#[test]
fn origin_group_behaviours_allow_only_reads() {
    let errors = mutate(
        "global-consumer",
        "global/cloudfront.tf",
        "allowed_methods            = [\"GET\", \"HEAD\", \"OPTIONS\"]",
        "allowed_methods            = [\"GET\", \"HEAD\", \"OPTIONS\", \"POST\"]",
        1,
    );
    assert_rule(
        &errors,
        "global/cloudfront.tf",
        "origin-group-read-only-methods",
        "read-failover",
    );
}

#[test]
fn the_cloudfront_web_acl_lives_in_us_east_1() {
    let errors = mutate(
        "helios-pay",
        "global/waf.tf",
        "provider = aws.us_east_1",
        "provider = aws.eu_west_1",
        1,
    );
    assert_rule(&errors, "global/waf.tf", "cloudfront-edge-in-us-east-1", "eu-west-1");
}

#[test]
fn the_distribution_certificate_lives_in_us_east_1() {
    let errors = mutate(
        "helios-pay",
        "global/certificate.tf",
        "provider = aws.us_east_1",
        "provider = aws.eu_west_1",
        2,
    );
    assert_rule(
        &errors,
        "global/cloudfront.tf",
        "cloudfront-edge-in-us-east-1",
        "aws_acm_certificate.app",
    );
}

#[test]
fn aurora_secondaries_carry_no_credentials() {
    let errors = mutate(
        "helios-pay",
        "regions/eu-west-1/aurora.tf",
        "copy_tags_to_snapshot               = true",
        "master_username                     = \"admin\"",
        1,
    );
    assert_rule(
        &errors,
        "regions/eu-west-1/aurora.tf",
        "aurora-secondary-without-credentials",
        "master_username",
    );
}

#[test]
fn replicated_tables_keep_both_images_in_their_stream() {
    let errors = mutate(
        "helios-pay",
        "data/dynamodb.tf",
        "stream_view_type            = \"NEW_AND_OLD_IMAGES\"",
        "stream_view_type            = \"KEYS_ONLY\"",
        1,
    );
    assert_rule(
        &errors,
        "data/dynamodb.tf",
        "dynamodb-replicas-need-streams",
        "NEW_AND_OLD_IMAGES",
    );
}

#[test]
fn replication_waits_for_versioning_everywhere() {
    // In one root (the state buckets): every versioning block is on and depended on.
    let suspended = mutate(
        "helios-pay",
        "bootstrap/buckets.tf",
        "versioning_configuration {\n    status = \"Enabled\"",
        "versioning_configuration {\n    status = \"Suspended\"",
        1,
    );
    assert_rule(
        &suspended,
        "bootstrap/buckets.tf",
        "s3-replication-needs-versioning",
        "does not enable versioning",
    );
    let independent = mutate(
        "helios-pay",
        "bootstrap/buckets.tf",
        "    aws_s3_bucket_versioning.eu_west_1,",
        "    # aws_s3_bucket_versioning.eu_west_1,",
        1,
    );
    assert_rule(
        &independent,
        "bootstrap/buckets.tf",
        "s3-replication-needs-versioning",
        "does not depend on aws_s3_bucket_versioning.eu_west_1",
    );
    // Across roots (the data buckets): the region roots' versioning is on...
    let suspended_in_region = mutate(
        "helios-pay",
        "regions/eu-west-1/s3.tf",
        "versioning_configuration {\n    status = \"Enabled\"",
        "versioning_configuration {\n    status = \"Suspended\"",
        1,
    );
    assert_rule(
        &suspended_in_region,
        "replication/s3.tf",
        "s3-replication-needs-versioning",
        "in `regions/eu-west-1` does not enable versioning",
    );
    // ...and replication is applied after every root that makes a versioned bucket.
    let mut reordered = rendered("helios-pay");
    let replication = reordered
        .stacks
        .iter()
        .position(|stack| stack.directory == "replication")
        .unwrap();
    let moved = reordered.stacks.remove(replication);
    let first_region = reordered
        .stacks
        .iter()
        .position(|stack| stack.directory.starts_with("regions/"))
        .unwrap();
    reordered.stacks.insert(first_region, moved);
    let errors = topoc::validate::validate(&reordered);
    assert_rule(
        &errors,
        "replication/s3.tf",
        "s3-replication-needs-versioning",
        "is applied before `regions/",
    );
}

#[test]
fn replication_time_control_comes_with_metrics() {
    let errors = mutate(
        "helios-pay",
        "replication/s3.tf",
        "        metrics {\n          status = \"Enabled\"\n        }",
        "        replication_time {\n          status = \"Enabled\"\n        }",
        1,
    );
    assert_rule(
        &errors,
        "replication/s3.tf",
        "s3-replication-time-needs-metrics",
        "without metrics",
    );
}

#[test]
fn origin_groups_have_two_members() {
    let errors = mutate(
        "global-consumer",
        "global/cloudfront.tf",
        "    member {\n      origin_id = \"media-cdn-next-nearest-region\"\n    }",
        "    # member {\n    #   origin_id = \"media-cdn-next-nearest-region\"\n    # }",
        1,
    );
    assert_rule(
        &errors,
        "global/cloudfront.tf",
        "origin-group-two-members",
        "has 1 member",
    );
}

#[test]
fn autoscaled_services_ignore_their_desired_count() {
    let errors = mutate(
        "helios-pay",
        "modules/region/ecs.tf",
        "ignore_changes = [desired_count]",
        "ignore_changes = []",
        1,
    );
    assert_rule(
        &errors,
        "modules/region/ecs.tf",
        "ecs-autoscaling-owns-desired-count",
        "desired_count",
    );
}

#[test]
fn global_database_members_ignore_what_failover_changes() {
    let errors = mutate(
        "helios-pay",
        "regions/us-east-1/aurora.tf",
        "ignore_changes = [replication_source_identifier, global_cluster_identifier, engine_version]",
        "ignore_changes = [replication_source_identifier, engine_version]",
        1,
    );
    assert_rule(
        &errors,
        "regions/us-east-1/aurora.tf",
        "aurora-clusters-ignore-global-drift",
        "global_cluster_identifier",
    );
}

/// A misspelt action in a role policy, in a trust policy, in a key policy and in a list
/// of actions: each statement would grant (or deny) nothing, and each is refused.
#[test]
fn every_policy_action_exists() {
    for (file, from, to, action) in [
        (
            "identity/gameday.tf",
            "\"ecs:DescribeTasks\", \"ecs:StopTask\"",
            "\"ecs:DescribeTasks\", \"ecs:StopTasks\"",
            "ecs:StopTasks",
        ),
        (
            "identity/gameday.tf",
            "Action    = \"sts:AssumeRole\"",
            "Action    = \"sts:AssumeRoles\"",
            "sts:AssumeRoles",
        ),
        (
            "identity/region_switch.tf",
            "\"arc-region-switch:GetPlan\"",
            "\"arc-region-switch:GetPlans\"",
            "arc-region-switch:GetPlans",
        ),
    ] {
        let errors = mutate("helios-pay", file, from, to, 1);
        assert_rule(&errors, file, "policy-actions-exist", action);
    }
}

/// A condition key the statement's actions never carry: the allow would grant nothing
/// (here, passing the plan-runner role to Systems Manager would fail in every drill).
#[test]
fn policy_conditions_use_keys_their_actions_support() {
    let errors = mutate(
        "helios-pay",
        "identity/gameday.tf",
        "\"iam:PassedToService\" = \"ssm.amazonaws.com\"",
        "\"ssm:PassedToService\" = \"ssm.amazonaws.com\"",
        1,
    );
    assert_rule(
        &errors,
        "identity/gameday.tf",
        "policy-actions-exist",
        "ssm:PassedToService",
    );
}
