//! Layer 9, the failure paths: each defect the region-loss review found in the goldens
//! (issue 14, items 1 to 10) is put back into real output, and the validator must report
//! it; the goldens themselves keep every failure path.

mod common;

use std::collections::BTreeMap;

use common::{example_text, mutated, rendered, rendered_spec, topology};
use topoc::render::InternalError;

fn mutate(example: &str, file: &str, from: &str, to: &str, occurrence: usize) -> Vec<InternalError> {
    mutated(rendered(example), file, from, to, occurrence)
}

#[track_caller]
fn assert_reported(errors: &[InternalError], file: &str, rule: &str, fragment: &str) {
    assert!(
        errors
            .iter()
            .any(|error| error.file == file && error.rule == rule && error.message.contains(fragment)),
        "expected a `{rule}` error in {file} mentioning {fragment:?}, got:\n{}",
        errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn the_examples_keep_every_failure_path() {
    for example in ["helios-pay", "eu-resident-saas", "global-consumer"] {
        let errors: Vec<InternalError> = topoc::validate::validate(&rendered(example))
            .into_iter()
            .filter(|error| {
                topoc::validate::failure_paths::RULES
                    .iter()
                    .any(|rule| rule.id == error.rule)
            })
            .collect();
        assert!(errors.is_empty(), "{example}: {errors:?}");
    }
}

/// Item 1: a secondary cluster that does not forward the writes its region's tasks send.
#[test]
fn writes_into_a_secondary_that_does_not_forward_are_reported() {
    let errors = mutate(
        "helios-pay",
        "regions/eu-west-1/aurora.tf",
        "enable_global_write_forwarding      = true",
        "enable_global_write_forwarding      = false",
        1,
    );
    assert_reported(
        &errors,
        "regions/eu-west-1/main.tf",
        "aurora-write-path",
        "does not forward",
    );
    // The old way: writes sent to the writer region's cluster endpoint from elsewhere.
    let errors = mutate(
        "helios-pay",
        "regions/eu-west-1/main.tf",
        "TOPOC_DB_WRITER_ENDPOINT_LEDGER = aws_rds_cluster.ledger.reader_endpoint",
        "TOPOC_DB_WRITER_ENDPOINT_LEDGER = aws_rds_cluster.ledger.endpoint",
        1,
    );
    assert_reported(
        &errors,
        "regions/eu-west-1/main.tf",
        "aurora-write-path",
        "takes no writes on a secondary",
    );
}

/// The region-loss model's findings for the IR of `topology` after `mutate`.
fn model_violations(
    topology: &topoc::spec::Topology,
    mutate: impl FnOnce(&mut topoc::ir::context::Context<'_>),
) -> Vec<String> {
    let mut context = topoc::ir::context::Context::new(topology, "spec.yaml");
    mutate(&mut context);
    topoc::ir::loss_model::violations(&topoc::ir::loss_model::model(&context))
}

#[track_caller]
fn assert_found(violations: &[String], fragment: &str) {
    assert!(
        violations.iter().any(|violation| violation.contains(fragment)),
        "expected a violation mentioning {fragment:?}, got {violations:?}"
    );
}

#[test]
fn the_model_finds_nothing_wrong_with_the_examples() {
    for example in ["helios-pay", "eu-resident-saas", "global-consumer"] {
        assert_eq!(
            model_violations(&topology(example), |_| {}),
            Vec::<String>::new(),
            "{example}"
        );
    }
}

/// Item 1 in the IR: a region whose tasks write the ledger but have no write path.
#[test]
fn the_model_finds_writes_with_no_path() {
    let mut spec = topology("helios-pay");
    spec.data.get_mut("ledger").unwrap().write_forwarding = false;
    assert_found(
        &model_violations(&spec, |_| {}),
        "losing us-east-1: `payments-api`'s traffic goes to eu-west-1, where its writes to `ledger` have no path to the writer",
    );
}

/// Item 2 in the IR: maximum equal to minimum, as the old sizing rule made it.
#[test]
fn the_model_finds_a_survivor_that_cannot_scale_out() {
    let violations = model_violations(&topology("helios-pay"), |context| {
        for region in context.sizing.get_mut("auth-api").unwrap().values_mut() {
            region.max_tasks = region.min_tasks;
        }
    });
    assert_found(
        &violations,
        "eu-west-1 serves 1100 rps of `auth-api` and can never get back to its target utilization",
    );
}

/// Item 3 in the IR: a sizing that spreads a lost region's load by traffic share, as the
/// old model did, leaves the nearest survivor short.
#[test]
fn the_model_finds_a_sizing_that_spread_the_load_by_share() {
    let mut spec = topology("global-consumer");
    let mut weighted = spec.clone();
    weighted.edge.routing = topoc::spec::model::Routing::Weighted;
    weighted.edge.accelerator.clear();
    let proportional = topoc::check::sizing::size_all(&weighted);
    spec.edge.accelerator.clear();
    let violations = model_violations(&spec, |context| context.sizing = proportional);
    assert_found(&violations, "losing us-east-1: eu-central-1 serves");
}

/// Item 9 in the IR: a survivor without a copy of a class the service uses.
#[test]
fn the_model_finds_a_survivor_without_the_data() {
    let violations = model_violations(&topology("helios-pay"), |context| {
        context
            .placements
            .get_mut("card-tokens")
            .unwrap()
            .retain(|region| region != "us-east-1");
    });
    assert_found(
        &violations,
        "losing eu-west-1: `auth-api`'s traffic goes to us-east-1, which has no copy of `card-tokens`",
    );
}

/// Item 3: the sizing the regions are built from puts a lost region's whole load on its
/// nearest survivor, which the old proportional model understated.
#[test]
fn the_nearest_survivor_is_sized_for_the_whole_lost_share() {
    for example in ["helios-pay", "eu-resident-saas", "global-consumer"] {
        let topology = topology(example);
        for (name, service) in &topology.services {
            let sizing = topoc::check::sizing::size_service(&topology, name, service);
            let placed = topology.service_regions(service);
            let total: f64 = placed.iter().map(|region| topology.regions[region].traffic).sum();
            for lost in &placed {
                let Some(nearest) = topoc::aws::regions::nearest(lost, placed.iter().map(String::as_str)) else {
                    continue;
                };
                let survivor = &sizing[nearest];
                let load =
                    (topology.regions[nearest].traffic + topology.regions[lost].traffic) / total * service.peak_rps;
                let capacity = f64::from(survivor.max_tasks) * service.rps_per_task * service.steady_utilization;
                if topoc::check::sizing::LossRouting::of(&topology, name) == topoc::check::sizing::LossRouting::Nearest
                {
                    assert!(
                        capacity + 1e-6 >= load,
                        "{example}/{name}: {nearest} takes {lost}'s load, {load} rps, above {capacity} at its maximum"
                    );
                }
            }
        }
    }
}

/// Item 4: one service's failure withdrawing another's path, or a switch that means
/// "serving" only once someone turns it on.
#[test]
fn coupled_health_and_unsafe_switches_are_reported() {
    let errors = mutate(
        "helios-pay",
        "global/dns.tf",
        "child_health_threshold = 2",
        "child_health_threshold = 1",
        1,
    );
    assert_reported(&errors, "global/dns.tf", "service-health-per-path", "threshold");
    let errors = mutate(
        "helios-pay",
        "global/cloudfront.tf",
        "target_origin_id           = \"payments-api-nearest-region\"",
        "target_origin_id           = \"nearest-region\"",
        1,
    );
    assert_reported(
        &errors,
        "global/cloudfront.tf",
        "service-health-per-path",
        "region-wide origin",
    );
    let errors = mutate(
        "helios-pay",
        "global/recovery_control.tf",
        "invert_healthcheck  = true",
        "invert_healthcheck  = false",
        1,
    );
    assert_reported(
        &errors,
        "global/recovery_control.tf",
        "evacuation-fails-safe",
        "not inverted",
    );
    let errors = mutate(
        "helios-pay",
        "global/recovery_control.tf",
        "inverted  = true",
        "inverted  = false",
        1,
    );
    assert_reported(
        &errors,
        "global/recovery_control.tf",
        "evacuation-fails-safe",
        "last serving region",
    );
}

/// Item 5: an apply that would undo an operator's dial to 0.
#[test]
fn an_accelerator_dial_the_next_apply_would_undo_is_reported() {
    let errors = mutate(
        "helios-pay",
        "global/accelerator.tf",
        "    ignore_changes = [traffic_dial_percentage]",
        "    ignore_changes = [weight]",
        1,
    );
    assert_reported(
        &errors,
        "global/accelerator.tf",
        "accelerator-dial-kept",
        "traffic_dial_percentage",
    );
}

/// Item 6: per-merchant dashboard pages under a caching policy.
#[test]
fn a_cached_path_that_accepts_writes_is_reported() {
    let output = rendered("helios-pay");
    let text = &output.files["global/cloudfront.tf"].text;
    let dashboard = text.find("path_pattern               = \"/dashboard*\"").unwrap();
    let occurrence = text[..dashboard].matches("caching_disabled.id").count() + 1;
    let errors = mutated(
        output,
        "global/cloudfront.tf",
        "caching_disabled.id",
        "caching_optimized.id",
        occurrence,
    );
    assert_reported(
        &errors,
        "global/cloudfront.tf",
        "private-paths-not-cached",
        "/dashboard*",
    );
}

/// Item 8: every alarm topic has the spec's subscribers.
#[test]
fn every_alarm_topic_notifies_someone() {
    for example in ["helios-pay", "eu-resident-saas", "global-consumer"] {
        let output = rendered(example);
        let topics: Vec<&String> = output
            .files
            .iter()
            .filter(|(_, file)| file.text.contains("resource \"aws_sns_topic\" \"alarms\""))
            .map(|(path, _)| path)
            .collect();
        assert!(!topics.is_empty(), "{example} has alarm topics");
        for path in topics {
            let text = &output.files[path].text;
            assert!(
                text.contains("resource \"aws_sns_topic_subscription\" \"alarms\""),
                "{example}/{path}: an alarm topic with no subscription"
            );
        }
        // The region module's subscriptions come from the spec through each region root.
        let subscribed: BTreeMap<&String, bool> = output
            .files
            .iter()
            .filter(|(path, _)| path.starts_with("regions/") && path.ends_with("/main.tf"))
            .map(|(path, file)| (path, file.text.contains("protocol = \"email\"")))
            .collect();
        assert!(subscribed.values().all(|found| *found), "{example}: {subscribed:?}");
    }
}

/// Item 9: a service placed where a class it uses has no copy is refused by `check`.
#[test]
fn a_service_where_its_data_has_no_copy_is_refused() {
    let text = std::fs::read_to_string(format!("{}/examples/helios-pay.yaml", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .replace(
            "    writer: us-east-1\n    write_forwarding: true\n",
            "    writer: us-east-1\n    write_forwarding: true\n    regions: [us-east-1]\n",
        );
    let mut source_map = topoc::source::SourceMap::new();
    let file = source_map.add("spec.yaml", text);
    let analysis = topoc::analyze(&source_map, file, "spec.yaml");
    assert!(
        analysis
            .diagnostics
            .iter()
            .any(|diagnostic| diagnostic.code == topoc::diag::Code::DataOutOfReach
                && diagnostic.message.contains("`eu-west-1` where `ledger` has no copy")),
        "{:?}",
        analysis.diagnostics
    );
}

/// Item 10: a secondary's RPO alarm that stays green when it receives nothing.
#[test]
fn a_lag_alarm_that_cannot_fire_on_missing_data_is_reported() {
    let errors = mutate(
        "helios-pay",
        "regions/eu-west-1/data_alarms.tf",
        "treat_missing_data  = \"breaching\"",
        "treat_missing_data  = \"notBreaching\"",
        2,
    );
    assert_reported(
        &errors,
        "regions/eu-west-1/data_alarms.tf",
        "lag-alarm-never-silent",
        "helios-pay-ledger-eu-west-1",
    );
    // Global databases take no automatic minor upgrades: the instances say so.
    let output = rendered("helios-pay");
    for region in ["eu-west-1", "us-east-1"] {
        let text = &output.files[&format!("regions/{region}/aurora.tf")].text;
        assert!(
            text.contains("auto_minor_version_upgrade            = false"),
            "{region}"
        );
    }
}

/// Item 7, in part: at the ALB every CloudFront request comes from an edge address, so
/// the regional rate limit counts only the Global Accelerator names, whose clients reach
/// the ALB directly; the CLOUDFRONT web ACL limits viewers by their own address.
#[test]
fn the_regional_rate_limit_counts_only_direct_clients() {
    for example in ["helios-pay", "eu-resident-saas", "global-consumer"] {
        let output = rendered(example);
        let regional = &output.files["modules/region/waf.tf"].text;
        let rate_rule = regional.find("rate_based_statement").expect("a rate rule");
        let scoped = regional[rate_rule..].find("scope_down_statement").expect("scoped down");
        assert!(
            scoped < regional[rate_rule..].find("visibility_config").unwrap(),
            "{example}"
        );
        assert!(regional.contains("for_each = toset(var.waf.direct_hosts)"), "{example}");
        let edge = &output.files["global/waf.tf"].text;
        assert!(
            edge.contains("rate_based_statement") && edge.contains("aggregate_key_type    = \"IP\""),
            "{example}"
        );
    }
    // Without Global Accelerator no region rate-limits at all.
    let output = rendered("eu-resident-saas");
    for (path, file) in &output.files {
        if path.starts_with("regions/") && path.ends_with("/main.tf") {
            assert!(file.text.contains("direct_hosts        = []"), "{path}");
        }
    }
}

/// Item 7, the origin lock: every way of opening the ALB to requests that did not come
/// through CloudFront is reported.
#[test]
fn an_alb_open_to_requests_that_bypass_cloudfront_is_reported() {
    // An origin that does not send the secret (the ALBs would refuse it, or be opened).
    let errors = mutate(
        "global-consumer",
        "global/cloudfront.tf",
        "name  = \"x-topoc-origin-secret\"",
        "name  = \"x-forwarded-by\"",
        2,
    );
    assert_reported(
        &errors,
        "global/cloudfront.tf",
        "origin-locked",
        "does not send the origin secret",
    );
    // A path rule that no longer requires it.
    let errors = mutate(
        "helios-pay",
        "modules/region/alb.tf",
        "http_header_name = var.origin_lock.header_name",
        "http_header_name = \"x-forwarded-for\"",
        1,
    );
    assert_reported(
        &errors,
        "modules/region/alb.tf",
        "origin-locked",
        "aws_lb_listener_rule.service serves paths without requiring the origin secret",
    );
    // The health-check rule, which does without the secret, widened to writes.
    let errors = mutate(
        "helios-pay",
        "modules/region/alb.tf",
        "values = [\"GET\"]",
        "values = [\"GET\", \"POST\"]",
        1,
    );
    assert_reported(
        &errors,
        "modules/region/alb.tf",
        "origin-locked",
        "aws_lb_listener_rule.service_health_check serves paths",
    );
    // An ingress from everywhere that no longer depends on Global Accelerator.
    let errors = mutate(
        "eu-resident-saas",
        "modules/region/alb.tf",
        "count = var.origin_lock.public_ingress ? 1 : 0",
        "",
        1,
    );
    assert_reported(
        &errors,
        "modules/region/alb.tf",
        "origin-locked",
        "aws_vpc_security_group_ingress_rule.alb_https admits every address",
    );
    // A region without accelerated services opened to everyone.
    let errors = mutate(
        "eu-resident-saas",
        "regions/eu-west-1/main.tf",
        "public_ingress  = false",
        "public_ingress  = true",
        1,
    );
    assert_reported(
        &errors,
        "regions/eu-west-1/main.tf",
        "origin-locked",
        "no Global Accelerator name is served here",
    );
}

/// Item 7: upgrading a deployment from before the origin lock. Each region root has a
/// switch that lets its ALB serve paths without the secret until `global/` sends it; it
/// defaults to off, and the rule refuses a tree where it could be on by default or where
/// a path rule drops the secret on any other condition.
#[test]
fn the_upgrade_switch_is_off_unless_asked_for() {
    let output = rendered("helios-pay");
    for region in ["eu-west-1", "us-east-1"] {
        let main = &output.files[&format!("regions/{region}/main.tf")].text;
        assert!(
            main.contains("require_secret  = !var.admit_requests_without_origin_secret"),
            "{main}"
        );
        let variables = &output.files[&format!("regions/{region}/variables.tf")].text;
        let at = variables
            .find("variable \"admit_requests_without_origin_secret\"")
            .expect("the upgrade switch");
        assert!(variables[at..].contains("default     = false"), "{variables}");
    }
    assert!(
        output.files["README.md"]
            .text
            .contains("-var admit_requests_without_origin_secret=true")
    );
    // A switch left on after the upgrade shows on every plan of `global/`.
    let alarms = &output.files["global/alarms.tf"].text;
    assert!(alarms.contains("check \"origin_lock_enforced\""));
    assert!(alarms.contains("condition     = alltrue(values(local.origin_secret_required))"));
    let region_outputs = &output.files["global/region_outputs.tf"].text;
    assert!(region_outputs.contains("outputs.origin_secret_required"));
    assert!(
        output.files["regions/eu-west-1/outputs.tf"]
            .text
            .contains("value       = !var.admit_requests_without_origin_secret")
    );
    // The switch on by default.
    let errors = mutate(
        "helios-pay",
        "regions/us-east-1/variables.tf",
        "type        = bool\n  default     = false",
        "type        = bool\n  default     = true",
        1,
    );
    assert_reported(
        &errors,
        "regions/us-east-1/variables.tf",
        "origin-locked",
        "admit_requests_without_origin_secret must default to false",
    );
    // A region that never requires the secret.
    let errors = mutate(
        "helios-pay",
        "regions/eu-west-1/main.tf",
        "require_secret  = !var.admit_requests_without_origin_secret",
        "require_secret  = false",
        1,
    );
    assert_reported(
        &errors,
        "regions/eu-west-1/main.tf",
        "origin-locked",
        "origin_lock.require_secret must be true",
    );
    // The header condition kept behind some other switch.
    let errors = mutate(
        "helios-pay",
        "modules/region/alb.tf",
        "for_each = var.origin_lock.require_secret ?",
        "for_each = var.origin_lock.public_ingress ?",
        1,
    );
    assert_reported(
        &errors,
        "modules/region/alb.tf",
        "origin-locked",
        "aws_lb_listener_rule.service serves paths without requiring the origin secret",
    );
}

/// Item 7: the failover count and the WAF logs. Only requests with the origin secret count
/// as CloudFront failovers, and the secret is redacted from the regional WAF's logs.
#[test]
fn the_failover_count_needs_the_secret_and_the_logs_never_show_it() {
    let output = rendered("global-consumer");
    let waf = &output.files["modules/region/waf.tf"].text;
    let failover = waf
        .find("name     = \"cloudfront-origin-failover\"")
        .expect("failover rule");
    let rule = &waf[failover..failover + waf[failover..].find("visibility_config").unwrap()];
    assert!(rule.contains("and_statement"), "{rule}");
    assert!(
        rule.contains("data.aws_secretsmanager_secret_version.origin_secret.secret_string"),
        "{rule}"
    );
    let logging = &waf[waf.find("aws_wafv2_web_acl_logging_configuration").unwrap()..];
    assert!(logging.contains("redacted_fields") && logging.contains("var.origin_lock.header_name"));
}

/// Item 7: rotating the origin secret. Before any rotation the ALBs accept one value;
/// after one, each region root can be told to accept the previous value too, for the
/// applies between `keys` and `global`, and by default does not.
#[test]
fn a_rotation_accepts_the_previous_secret_only_when_asked() {
    let first = rendered("global-consumer");
    let rotated = rendered_spec(example_text("global-consumer").replacen(
        "edge:\n",
        "edge:\n  cdn:\n    origin_secret_version: 2\n",
        1,
    ));
    assert!(
        first.files["keys/keys.tf"]
            .text
            .contains("secret_string_wo_version = 1")
    );
    assert!(
        rotated.files["keys/keys.tf"]
            .text
            .contains("secret_string_wo_version = 2")
    );
    for region in ["ap-southeast-1", "eu-central-1", "us-east-1"] {
        let main = format!("regions/{region}/main.tf");
        let variables = format!("regions/{region}/variables.tf");
        assert!(first.files[&main].text.contains("accept_previous = false"), "{main}");
        assert!(
            !first.files[&variables].text.contains("accept_previous_origin_secret"),
            "{variables}"
        );
        assert!(
            rotated.files[&main]
                .text
                .contains("accept_previous = var.accept_previous_origin_secret"),
            "{main}"
        );
        let declaration = &rotated.files[&variables].text;
        let at = declaration
            .find("variable \"accept_previous_origin_secret\"")
            .expect(&variables);
        assert!(declaration[at..].contains("default     = false"), "{variables}");
    }
    let module = &rotated.files["modules/region/alb.tf"].text;
    assert!(module.contains("count = var.origin_lock.accept_previous ? 1 : 0"));
    assert!(module.contains("version_stage = \"AWSPREVIOUS\""));
}

/// Item 4, the case no switch prevents: a service failing its check in every region
/// makes Route 53 fail open, evacuated regions included; an alarm says so.
#[test]
fn route53_failing_open_for_a_service_pages() {
    for example in ["helios-pay", "eu-resident-saas", "global-consumer"] {
        let output = rendered(example);
        let alarms = &output.files["global/alarms.tf"].text;
        let topology = topology(example);
        for (name, service) in &topology.services {
            let regions = topology.service_regions(service);
            let alarm = format!("-{name}-down-everywhere\"");
            assert_eq!(alarms.contains(&alarm), regions.len() > 1, "{example}/{name}");
            if regions.len() > 1 {
                for region in &regions {
                    assert!(
                        alarms.contains(&format!(
                            "aws_route53_health_check.service_origin[\"{name}/{region}\"].id"
                        )),
                        "{example}/{name}/{region}"
                    );
                }
            }
        }
    }
}
