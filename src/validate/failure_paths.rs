//! Layer 9: the failure paths of the emitted Terraform, as an on-call engineer needs
//! them during a region's loss. Each rule is an invariant of the region-loss model
//! (`review/region-loss.md`) checked on the rendered files, so a template or IR change
//! that breaks a failure path is an internal error before anything is written:
//!
//! - every write to an Aurora class has a path to the primary from the region's own
//!   cluster (write forwarding on a secondary, the cluster endpoint on the primary);
//! - each service's origin follows that service's own health, so one failing service
//!   does not withdraw another's path, and no service path uses the region-wide origin;
//! - the evacuation switches fail safe: a new (OFF) switch means serving, and the safety
//!   rule forbids evacuating every region;
//! - an operator's Global Accelerator dial survives the next apply;
//! - only read-only behaviours are cached (a page that writes sessions is private);
//! - the lag alarms of a secondary Aurora cluster treat missing data as breaching;
//! - the ALBs are locked to their edge: CloudFront sends the origin secret to every
//!   origin, every path rule requires it (only the deep health checks, GET on one path,
//!   do without), and only an ALB that serves Global Accelerator admits every address.
//!
//! The rules read facts per block (`add`) and judge them per stack (`check`). What needs
//! the spec's numbers (whether a survivor can reach its target utilization, whether it
//! holds the data its new traffic needs) is checked on the model itself, in
//! `ir::loss_model`.

use std::collections::BTreeMap;

use hcl::edit::Span;
use hcl::edit::expr::{Expression, ObjectValue};
use hcl::edit::structure::{Block, Body};

use super::StackFacts;
use super::parsed::{
    Site, attribute, blocks_named, ignores, is_true, labels, literal_list, object_key_name, string_literal,
    traversal_path,
};
use crate::render::InternalError;

/// A failure-path rule: what breaks during a region's loss when it does not hold.
pub struct Rule {
    pub id: &'static str,
    pub summary: &'static str,
}

pub const RULES: &[Rule] = &[
    Rule {
        id: "aurora-write-path",
        summary: "tasks that write an Aurora class do so through their region's cluster, which forwards writes unless it is the primary",
    },
    Rule {
        id: "service-health-per-path",
        summary: "each service's origin follows that service's health alone, and every service path uses its own origin",
    },
    Rule {
        id: "evacuation-fails-safe",
        summary: "a new evacuation switch means serving, and the safety rule forbids evacuating every region",
    },
    Rule {
        id: "accelerator-dial-kept",
        summary: "Global Accelerator endpoint groups ignore traffic_dial_percentage, so an apply keeps an operator's dial",
    },
    Rule {
        id: "private-paths-not-cached",
        summary: "only behaviours that allow nothing but GET, HEAD and OPTIONS use a caching policy",
    },
    Rule {
        id: "lag-alarm-never-silent",
        summary: "the lag alarms of a secondary Aurora cluster treat missing data as breaching",
    },
    Rule {
        id: "origin-locked",
        summary: "CloudFront sends the origin secret to every origin, every ALB path rule but the deep health checks requires it unless the upgrade switch (default off) is on, and only ALBs that serve Global Accelerator admit every address",
    },
];

/// An Aurora cluster in a region root.
struct Cluster {
    identifier: Option<String>,
    primary: bool,
    global_forwarding: bool,
    local_forwarding: bool,
}

/// A fact with the line it comes from.
type Sited<T> = (T, Option<usize>);

#[derive(Default)]
pub struct FileFacts {
    clusters: BTreeMap<String, Cluster>,
    /// Writer endpoints in a service's environment: (service, variable, cluster address,
    /// attribute).
    writer_endpoints: Vec<Sited<(String, String, String, String)>>,
    /// Lag alarms: (address, cluster identifier, treat_missing_data).
    lag_alarms: Vec<Sited<(String, String, String)>>,
    /// `origin-locked` findings on the region module's call.
    module_errors: Vec<Sited<String>>,
    errors: Vec<InternalError>,
}

fn integer(expression: Option<&Expression>) -> Option<i64> {
    match expression {
        Some(Expression::Number(number)) => number.value().as_i64(),
        _ => None,
    }
}

/// For `count = <condition> ? 1 : 0`: the traversal path of the condition, and whether
/// the block exists when it is true.
fn count_condition(expression: Option<&Expression>) -> Option<(Vec<String>, bool)> {
    let Some(Expression::Conditional(conditional)) = expression else {
        return None;
    };
    let when_true = integer(Some(&conditional.true_expr))?;
    let when_false = integer(Some(&conditional.false_expr))?;
    let path = traversal_path(&conditional.cond_expr)?;
    match (when_true, when_false) {
        (1, 0) => Some((path, true)),
        (0, 1) => Some((path, false)),
        _ => None,
    }
}

/// Whether a dynamic block's `for_each` is `var.origin_lock.require_secret ? [...] : []`:
/// the block exists unless the upgrade switch turns the requirement off.
fn only_if_secret_required(dynamic: &Body) -> bool {
    let Some(Expression::Conditional(conditional)) = attribute(dynamic, "for_each") else {
        return false;
    };
    traversal_path(&conditional.cond_expr).is_some_and(|path| path == ["var", "origin_lock", "require_secret"])
        && matches!(&conditional.true_expr, Expression::Array(items) if !items.is_empty())
        && matches!(&conditional.false_expr, Expression::Array(items) if items.is_empty())
}

/// Whether `origin_lock.require_secret` is `true` or the upgrade switch's negation,
/// `!var.admit_requests_without_origin_secret`.
fn secret_required_unless_upgrading(expression: Option<&Expression>) -> bool {
    match expression {
        Some(Expression::UnaryOp(operation)) => {
            *operation.operator.value() == hcl::edit::expr::UnaryOperator::Not
                && traversal_path(&operation.expr)
                    .is_some_and(|path| path == ["var", crate::naming::ORIGIN_LOCK_UPGRADE_VARIABLE])
        }
        other => is_true(other),
    }
}

/// The value of `key` in an object expression.
fn object_value<'a>(expression: &'a Expression, key: &str) -> Option<&'a Expression> {
    match expression {
        Expression::Object(object) => object
            .iter()
            .find(|(object_key, _)| object_key_name(object_key).as_deref() == Some(key))
            .map(|(_, value): (_, &ObjectValue)| value.expr()),
        _ => None,
    }
}

/// Every traversal path in an expression's array (`[a.b.c, d.e]`).
fn referenced_paths(expression: &Expression) -> Vec<Vec<String>> {
    match expression {
        Expression::Array(items) => items.iter().filter_map(reference_path).collect(),
        _ => Vec::new(),
    }
}

/// `aws_route53_health_check.service["x"].id` → `["aws_route53_health_check", "service"]`:
/// the resource a reference names, whatever its index and attribute.
fn reference_path(expression: &Expression) -> Option<Vec<String>> {
    match expression {
        Expression::Traversal(traversal) => {
            let mut path = traversal_path(&traversal.expr)?;
            // A resource is `type.name`; a data source `data.type.name`.
            let length = if path.first().map(String::as_str) == Some("data") {
                3
            } else {
                2
            };
            for operator in &traversal.operators {
                match operator.value() {
                    hcl::edit::expr::TraversalOperator::GetAttr(ident) if path.len() < length => {
                        path.push(ident.as_str().to_string());
                    }
                    _ => break,
                }
            }
            path.truncate(length);
            Some(path)
        }
        Expression::Variable(variable) => Some(vec![variable.as_str().to_string()]),
        _ => None,
    }
}

impl FileFacts {
    pub fn add(&mut self, site: &Site<'_>, block: &Block) {
        let block_labels = labels(block);
        let body = &block.body;
        let line = site.line_of(block.span());
        if block.ident.as_str() == "module" && block_labels.first() == Some(&"region") {
            self.add_module(body, line);
            return;
        }
        if block.ident.as_str() == "variable"
            && block_labels.first() == Some(&crate::naming::ORIGIN_LOCK_UPGRADE_VARIABLE)
            && !matches!(attribute(body, "default"), Some(Expression::Bool(value)) if !*value.value())
        {
            self.module_errors.push((
                format!(
                    "variable {} must default to false: otherwise every ALB serves requests that bypass CloudFront",
                    crate::naming::ORIGIN_LOCK_UPGRADE_VARIABLE
                ),
                line,
            ));
            return;
        }
        if block.ident.as_str() != "resource" || block_labels.len() < 2 {
            return;
        }
        let (kind, name) = (block_labels[0], block_labels[1]);
        let address = format!("{kind}.{name}");
        self.add_origin_lock(site, block, kind, &address);
        match kind {
            "aws_rds_cluster" => {
                self.clusters.insert(
                    address,
                    Cluster {
                        identifier: attribute(body, "cluster_identifier").and_then(string_literal),
                        primary: attribute(body, "master_username").is_some(),
                        global_forwarding: is_true(attribute(body, "enable_global_write_forwarding")),
                        local_forwarding: is_true(attribute(body, "enable_local_write_forwarding")),
                    },
                );
            }
            "aws_route53_health_check" if name == "service_origin" => {
                let children = attribute(body, "child_healthchecks")
                    .map(referenced_paths)
                    .unwrap_or_default();
                let own = children
                    .iter()
                    .filter(|path| path.as_slice() == ["aws_route53_health_check", "service"])
                    .count();
                let others: Vec<String> = children
                    .iter()
                    .filter(|path| {
                        !matches!(
                            path.as_slice(),
                            [kind, name] if kind == "aws_route53_health_check" && (name == "service" || name == "evacuation")
                        )
                    })
                    .map(|path| path.join("."))
                    .collect();
                let threshold = integer(attribute(body, "child_health_threshold"));
                if own != 1 || !others.is_empty() || threshold != Some(children.len() as i64) {
                    self.errors.push(site.error(
                        block.span(),
                        "service-health-per-path",
                        format!(
                            "{address} must need exactly its service's deep check (and the region's evacuation switch), all of them; it has {own} service check(s), other children {others:?} and threshold {threshold:?} of {}",
                            children.len()
                        ),
                    ));
                }
            }
            "aws_route53_record" if name == "service_origin" || name == "service_failover_origin" => {
                let health = attribute(body, "health_check_id").and_then(reference_path);
                if health.as_deref()
                    != Some(&["aws_route53_health_check".to_string(), "service_origin".to_string()][..])
                {
                    self.errors.push(site.error(
                        block.span(),
                        "service-health-per-path",
                        format!("{address} must follow its service's own check, aws_route53_health_check.service_origin, not {health:?}"),
                    ));
                }
            }
            "aws_route53_health_check"
                if attribute(body, "type").and_then(string_literal).as_deref() == Some("RECOVERY_CONTROL")
                    && !is_true(attribute(body, "invert_healthcheck")) =>
            {
                self.errors.push(site.error(
                    block.span(),
                    "evacuation-fails-safe",
                    format!("{address} is not inverted: a switch is created OFF, so every region would be unhealthy until someone turns the switches on, and Route 53 would fail open"),
                ));
            }
            "aws_route53recoverycontrolconfig_safety_rule" => {
                let config = body.get_blocks("rule_config").next().map(|config| &config.body);
                let inverted = config.is_some_and(|config| is_true(attribute(config, "inverted")));
                let kind = config
                    .and_then(|config| attribute(config, "type"))
                    .and_then(string_literal);
                if !inverted || kind.as_deref() != Some("ATLEAST") {
                    self.errors.push(site.error(
                        block.span(),
                        "evacuation-fails-safe",
                        format!("{address} must assert \"not every switch ON\" (type ATLEAST over all switches, inverted), so the last serving region cannot be evacuated"),
                    ));
                }
            }
            "aws_globalaccelerator_endpoint_group" if !ignores(body, &["traffic_dial_percentage"]) => {
                self.errors.push(site.error(
                    block.span(),
                    "accelerator-dial-kept",
                    format!("{address} does not ignore traffic_dial_percentage: the next apply would send an evacuated region's clients back"),
                ));
            }
            "aws_cloudfront_distribution" => {
                for behaviour in body.get_blocks("ordered_cache_behavior") {
                    let target = attribute(&behaviour.body, "target_origin_id").and_then(string_literal);
                    let pattern = attribute(&behaviour.body, "path_pattern").and_then(string_literal);
                    if target.as_deref() == Some("nearest-region") {
                        self.errors.push(site.error(
                            behaviour.span(),
                            "service-health-per-path",
                            format!("{address}: path {pattern:?} uses the region-wide origin, which every service's failure withdraws"),
                        ));
                    }
                    let policy = attribute(&behaviour.body, "cache_policy_id").and_then(reference_path);
                    let caches = policy.is_some_and(|path| path.last().map(String::as_str) != Some("caching_disabled"));
                    let methods = attribute(&behaviour.body, "allowed_methods")
                        .and_then(literal_list)
                        .unwrap_or_default();
                    let read_only = methods
                        .iter()
                        .all(|method| matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS"));
                    if caches && !read_only {
                        self.errors.push(site.error(
                            behaviour.span(),
                            "private-paths-not-cached",
                            format!("{address}: path {pattern:?} allows {methods:?} and is cached: a service that changes data serves private responses"),
                        ));
                    }
                }
            }
            "aws_cloudwatch_metric_alarm" => {
                let metric = attribute(body, "metric_name").and_then(string_literal);
                if matches!(
                    metric.as_deref(),
                    Some("AuroraGlobalDBRPOLag" | "AuroraGlobalDBReplicationLag")
                ) {
                    let cluster = attribute(body, "dimensions")
                        .and_then(|dimensions| object_value(dimensions, "DBClusterIdentifier"))
                        .and_then(string_literal)
                        .unwrap_or_default();
                    let missing = attribute(body, "treat_missing_data")
                        .and_then(string_literal)
                        .unwrap_or_else(|| "missing".to_string());
                    self.lag_alarms.push(((address, cluster, missing), line));
                }
            }
            _ => {}
        }
    }

    /// The `origin-locked` rule's facts of one resource block.
    fn add_origin_lock(&mut self, site: &Site<'_>, block: &Block, kind: &str, address: &str) {
        let body = &block.body;
        match kind {
            "aws_cloudfront_distribution" => {
                for origin in blocks_named(body, "origin") {
                    let sends_secret = blocks_named(origin, "custom_header").iter().any(|header| {
                        attribute(header, "name").and_then(string_literal).as_deref()
                            == Some(crate::naming::ORIGIN_SECRET_HEADER)
                    });
                    if !sends_secret {
                        let id = attribute(origin, "origin_id").and_then(string_literal);
                        self.errors.push(site.error(
                            block.span(),
                            "origin-locked",
                            format!(
                                "{address}: origin {id:?} does not send the origin secret ({}), so the ALBs would refuse it",
                                crate::naming::ORIGIN_SECRET_HEADER
                            ),
                        ));
                    }
                }
            }
            "aws_lb_listener_rule" => {
                let conditions = blocks_named(body, "condition");
                let paths: Vec<&Expression> = conditions
                    .iter()
                    .flat_map(|condition| blocks_named(condition, "path_pattern"))
                    .filter_map(|pattern| attribute(pattern, "values"))
                    .collect();
                if paths.is_empty() {
                    return;
                }
                let requires_secret = body.blocks().any(|condition| {
                    let contents: Vec<&Body> = match (condition.ident.as_str(), labels(condition).first()) {
                        ("condition", None) => vec![&condition.body],
                        // Left out only by the upgrade switch, which defaults to requiring it.
                        ("dynamic", Some(&"condition")) if only_if_secret_required(&condition.body) => condition
                            .body
                            .get_blocks("content")
                            .map(|content| &content.body)
                            .collect(),
                        _ => Vec::new(),
                    };
                    contents
                        .into_iter()
                        .flat_map(|content| blocks_named(content, "http_header"))
                        .any(|header| {
                            attribute(header, "values").is_some()
                                && attribute(header, "http_header_name").is_some_and(|name| {
                                    string_literal(name).as_deref() == Some(crate::naming::ORIGIN_SECRET_HEADER)
                                        || traversal_path(name)
                                            .is_some_and(|path| path == ["var", "origin_lock", "header_name"])
                                })
                        })
                });
                let one_path = paths
                    .iter()
                    .all(|values| matches!(values, Expression::Array(items) if items.len() == 1));
                let get_only = conditions
                    .iter()
                    .flat_map(|condition| blocks_named(condition, "http_request_method"))
                    .filter_map(|method| attribute(method, "values").and_then(literal_list))
                    .any(|methods| methods == ["GET"]);
                // Only the deep health checks (one path, GET only) may do without the secret.
                let health_check_only = one_path && get_only;
                if !(requires_secret || health_check_only) {
                    self.errors.push(site.error(
                        block.span(),
                        "origin-locked",
                        format!("{address} serves paths without requiring the origin secret: anyone who finds the ALB bypasses CloudFront and its WAF"),
                    ));
                }
            }
            "aws_vpc_security_group_ingress_rule" => {
                let everywhere = ["cidr_ipv4", "cidr_ipv6"].iter().any(|argument| {
                    matches!(
                        attribute(body, argument).and_then(string_literal).as_deref(),
                        Some("0.0.0.0/0" | "::/0")
                    )
                });
                let only_if_public = count_condition(attribute(body, "count"))
                    .is_some_and(|(path, exists)| exists && path == ["var", "origin_lock", "public_ingress"]);
                if everywhere && !only_if_public {
                    self.errors.push(site.error(
                        block.span(),
                        "origin-locked",
                        format!("{address} admits every address whether or not Global Accelerator serves the region (count must be `var.origin_lock.public_ingress ? 1 : 0`)"),
                    ));
                }
            }
            _ => {}
        }
    }

    fn add_module(&mut self, body: &Body, line: Option<usize>) {
        let lock = attribute(body, "origin_lock");
        let public = lock
            .and_then(|lock| object_value(lock, "public_ingress"))
            .is_some_and(|value| is_true(Some(value)));
        let direct_hosts = attribute(body, "waf")
            .and_then(|waf| object_value(waf, "direct_hosts"))
            .and_then(literal_list)
            .unwrap_or_default();
        if lock.is_none() {
            self.module_errors.push((
                "the region module has no origin_lock: its ALB is not locked to CloudFront".to_string(),
                line,
            ));
        } else {
            if !secret_required_unless_upgrading(lock.and_then(|lock| object_value(lock, "require_secret"))) {
                self.module_errors.push((
                    format!(
                        "origin_lock.require_secret must be true or `!var.{}`: otherwise the ALB's paths do without the secret",
                        crate::naming::ORIGIN_LOCK_UPGRADE_VARIABLE
                    ),
                    line,
                ));
            }
            if public && direct_hosts.is_empty() {
                self.module_errors.push((
                    "origin_lock.public_ingress is true although no Global Accelerator name is served here: the ALB should admit only CloudFront and Route 53's health checkers".to_string(),
                    line,
                ));
            }
        }
        let Some(Expression::Object(services)) = attribute(body, "services") else {
            return;
        };
        for (key, value) in services.iter() {
            let Some(service) = object_key_name(key) else { continue };
            let entry = value.expr();
            let Some(Expression::Object(environment)) = object_value(entry, "environment") else {
                continue;
            };
            for (variable, expression) in environment.iter() {
                let Some(variable) = object_key_name(variable) else {
                    continue;
                };
                if !variable.starts_with("TOPOC_DB_WRITER_ENDPOINT_") {
                    continue;
                }
                let path = traversal_path(expression.expr()).unwrap_or_default();
                let (cluster, endpoint) = match path.as_slice() {
                    [kind, name, endpoint] if kind == "aws_rds_cluster" => (format!("{kind}.{name}"), endpoint.clone()),
                    _ => (path.join("."), String::new()),
                };
                self.writer_endpoints
                    .push(((service.clone(), variable, cluster, endpoint), line));
            }
        }
    }
}

/// The rules across a stack's files.
pub fn check(stacks: &[StackFacts]) -> Vec<InternalError> {
    let mut errors = Vec::new();
    for stack in stacks {
        let clusters: BTreeMap<&String, &Cluster> = stack
            .files
            .iter()
            .flat_map(|file| file.failure_paths.clusters.iter())
            .collect();
        for file in &stack.files {
            let facts = &file.failure_paths;
            errors.extend(facts.errors.iter().cloned());
            let stack_error = |line: Option<usize>, id: &str, message: String| InternalError {
                file: file.path.clone(),
                line,
                rule: id.to_string(),
                message,
            };
            for ((service, variable, cluster, endpoint), line) in &facts.writer_endpoints {
                let problem = match (clusters.get(cluster), endpoint.as_str()) {
                    (None, _) => Some(format!(
                        "{variable} of `{service}` names {cluster}, which is not a cluster of this region's root: the region's tasks reach no other"
                    )),
                    (Some(found), "reader_endpoint") if !(found.global_forwarding && found.local_forwarding) => {
                        Some(format!(
                            "{variable} of `{service}` sends writes to {cluster}'s reader endpoint, which does not forward them (global {}, local {})",
                            found.global_forwarding, found.local_forwarding
                        ))
                    }
                    (Some(found), "endpoint") if !found.primary => Some(format!(
                        "{variable} of `{service}` sends writes to {cluster}'s cluster endpoint, which takes no writes on a secondary"
                    )),
                    (Some(_), "reader_endpoint" | "endpoint") => None,
                    (Some(_), other) => Some(format!(
                        "{variable} of `{service}` uses {cluster}.{other}, which takes no writes"
                    )),
                };
                if let Some(message) = problem {
                    errors.push(stack_error(*line, "aurora-write-path", message));
                }
            }
            for (message, line) in &facts.module_errors {
                errors.push(stack_error(*line, "origin-locked", message.clone()));
            }
            for ((address, cluster_identifier, missing), line) in &facts.lag_alarms {
                let secondary = clusters.values().any(|cluster| {
                    !cluster.primary && cluster.identifier.as_deref() == Some(cluster_identifier.as_str())
                });
                if secondary && missing != "breaching" {
                    errors.push(stack_error(
                        *line,
                        "lag-alarm-never-silent",
                        format!("{address} watches secondary {cluster_identifier} and treats missing data as {missing}: an alarm that receives nothing would stay OK"),
                    ));
                }
            }
        }
    }
    errors
}
