//! The `global` root stack: the edge. One CloudFront distribution for the application
//! name, the CLOUDFRONT-scope WAF and certificate in us-east-1, Route 53 routing
//! records with deep health checks, Global Accelerator for the services that ask for
//! it, Route 53 ARC routing controls, and the alarms on all of them.
//!
//! How CloudFront fails over while every region serves its nearest viewers: the
//! primary origin `origin.<app>` is latency-routed (or geoproximity, or weighted) to
//! each region's ALB; the failover origin `failover.origin.<app>` has one record per
//! region that answers, for viewers nearest that region, with the nearest *other*
//! region. GET, HEAD and OPTIONS paths use an origin group of the two, so a 5xx or a
//! connection failure is retried in another region within the same request; paths that
//! accept writes use the primary origin alone, as CloudFront cannot fail them over.
//! A service that runs in some regions only gets the same pair of names of its own,
//! `<service>.origin.<app>` and `failover.<service>.origin.<app>`, over its regions.

use serde::Serialize;

use super::context::{AuroraWriteTarget, Context, DATA_ROOT, GLOBAL_ROOT, IDENTITY_ROOT, remote_output};
use super::hcl;
use super::markdown::Markdown;
use super::region_switch::RegionSwitch;
use super::{Block, File, Stack, identifier, provider_alias};
use crate::aws::control_planes;
use crate::aws::regions as aws_regions;
use crate::naming;
use crate::spec::model::{ManagedRuleGroup, Store};

/// CloudFront, its certificate and WAF, and the metrics of Route 53 health checks live
/// in us-east-1 whatever the topology's regions are.
const EDGE_REGION: &str = control_planes::CLOUDFRONT_REGION;
/// Route 53 Application Recovery Controller's configuration API is served from us-west-2.
const RECOVERY_CONTROL_REGION: &str = control_planes::RECOVERY_CONTROL_CONFIG_REGION;

/// The approval step waits this long for a person before the execution fails.
const APPROVAL_TIMEOUT_MINUTES: u32 = 60;

#[derive(Serialize)]
struct ScaledUnit {
    cluster: String,
    service: String,
}

#[derive(Serialize)]
struct ScaledServiceView {
    service: String,
    target_percent: u32,
    units: Vec<ScaledUnit>,
}

#[derive(Serialize)]
struct SwitchedDatabaseView {
    class: String,
    global: String,
    global_identifier: String,
    clusters: hcl::Value,
}

#[derive(Serialize)]
struct SwitchPlanView {
    key: String,
    evacuates: String,
    name: String,
    description: String,
    regions: hcl::Value,
    services: Vec<ScaledServiceView>,
    databases: Vec<SwitchedDatabaseView>,
    routing_controls: bool,
}

#[derive(Serialize)]
struct RegionSwitchView {
    alias: String,
    role: String,
    approver: String,
    approval_timeout_minutes: u32,
    plans: Vec<SwitchPlanView>,
}

/// The plans' blocks: every ARN comes from the root that made the resource (the region
/// roots' services and clusters, the data root's global databases, `identity`'s roles).
fn region_switch_view(context: &Context<'_>, region_switch: &RegionSwitch) -> RegionSwitchView {
    let topology = context.topology;
    let plans = region_switch
        .plans
        .iter()
        .map(|plan| SwitchPlanView {
            key: plan.key(),
            evacuates: plan.evacuates.clone(),
            name: plan.name.clone(),
            description: format!(
                "Evacuates {} to {} (topoc, {})",
                plan.evacuates, plan.stays, context.spec_file
            ),
            regions: hcl::Value::strings(plan.regions.iter()),
            services: plan
                .services
                .iter()
                .map(|scaled| ScaledServiceView {
                    service: scaled.service.clone(),
                    target_percent: scaled.target_percent,
                    units: plan
                        .regions
                        .iter()
                        .map(|region| {
                            let root = Context::region_root(region);
                            ScaledUnit {
                                cluster: remote_output(&root, "ecs_cluster_arn"),
                                service: format!(
                                    "{}[{}]",
                                    remote_output(&root, "ecs_service_arns"),
                                    hcl::quote(&scaled.service)
                                ),
                            }
                        })
                        .collect(),
                })
                .collect(),
            databases: plan
                .aurora_classes
                .iter()
                .map(|class| SwitchedDatabaseView {
                    class: class.clone(),
                    global: naming::aurora_global_cluster(topology, class),
                    global_identifier: format!(
                        "{}[{}]",
                        remote_output(DATA_ROOT, "aurora_global_cluster_ids"),
                        hcl::quote(class)
                    ),
                    clusters: hcl::Value::List(
                        plan.regions
                            .iter()
                            .map(|region| {
                                hcl::Value::expression(format!(
                                    "{}[{}]",
                                    remote_output(&Context::region_root(region), "aurora_cluster_arns"),
                                    hcl::quote(class)
                                ))
                            })
                            .collect(),
                    ),
                })
                .collect(),
            routing_controls: plan.routing_controls,
        })
        .collect();
    RegionSwitchView {
        alias: provider_alias(EDGE_REGION),
        role: remote_output(IDENTITY_ROOT, "region_switch_role_arn"),
        approver: remote_output(IDENTITY_ROOT, "region_switch_approver_role_arn"),
        approval_timeout_minutes: APPROVAL_TIMEOUT_MINUTES,
        plans,
    }
}

#[derive(Serialize)]
struct DashboardView {
    alias: String,
    dashboard: super::dashboard::Dashboard,
}

#[derive(Serialize)]
struct RegionOutput {
    name: &'static str,
    regions: Vec<(String, String)>,
}

#[derive(Serialize)]
struct RegionOutputs {
    outputs: Vec<RegionOutput>,
}

#[derive(Serialize)]
struct PrivateDatabase {
    name: String,
    writer_host: String,
    reader_host: String,
    /// None where the region's tasks do not write the class.
    writer_endpoint: Option<String>,
    reader_endpoint: String,
}

#[derive(Serialize)]
struct PrivateZone {
    topology: String,
    region: String,
    alias: String,
    dns_alias: String,
    zone: String,
    databases: Vec<PrivateDatabase>,
}

#[derive(Serialize)]
struct RegionEntry {
    region: String,
    failover_to: String,
    weight: u32,
    bias: i32,
}

#[derive(Serialize)]
struct HealthCheckEntry {
    key: String,
    region: String,
    service: String,
    path: String,
}

#[derive(Serialize)]
struct Behaviour {
    service: String,
    path_pattern: String,
    read_only: bool,
    cacheable: bool,
    /// The origin (or origin group) CloudFront sends the path to.
    target_origin_id: String,
}

#[derive(Serialize)]
struct Accelerator {
    name: String,
    service: String,
    accelerator_name: String,
    host: String,
    /// The regions of the service: one endpoint group each.
    regions: Vec<String>,
}

/// The origins of a service that runs in some regions only: its own latency-routed name
/// over its regions and, for a read-only service in two or more regions, its own
/// failover name and origin group.
#[derive(Serialize)]
struct ServiceOrigin {
    service: String,
    /// The service as an HCL identifier.
    name: String,
    /// The service's regions, each with its own origin health check.
    regions: Vec<String>,
    origin_id: String,
    origin: String,
    failover_origin_id: Option<String>,
    failover_origin: Option<String>,
    group_id: Option<String>,
}

/// One region of a service with its own origins.
#[derive(Serialize)]
struct ServiceOriginEntry {
    key: String,
    service: String,
    region: String,
    name: String,
    failover_name: Option<String>,
    failover_to: String,
    weight: u32,
    bias: i32,
}

#[derive(Serialize)]
struct Edge {
    alarm_subscriptions: hcl::Value,
    alias: String,
    accelerator_alias: String,
    topology: String,
    app: String,
    zone: String,
    origin: String,
    regional_origin_suffix: String,
    routing: String,
    dns_ttl: u32,
    regions: Vec<RegionEntry>,
    health_checks: Vec<HealthCheckEntry>,
    service_origins: Vec<ServiceOrigin>,
    service_origin_entries: Vec<ServiceOriginEntry>,
    interval_seconds: u32,
    failure_threshold: u32,
    behaviours: Vec<Behaviour>,
    failover_status_codes: Vec<u16>,
    price_class: String,
    connection_attempts: u32,
    connection_timeout: u32,
    read_timeout: u32,
    rate_limit: u64,
    managed_rule_groups: Vec<String>,
    accelerators: Vec<Accelerator>,
    recovery_control: bool,
    recovery_alias: String,
    log_bucket: String,
    /// The origin secret's header and where its value comes from: the primary region's
    /// root output, which stays readable from the state replicas while it is down.
    origin_secret_header: &'static str,
    origin_secret: String,
    anonymous_ip: bool,
    error_rate_percent: f64,
    evaluation_periods: u32,
}

pub(super) fn global_root(context: &Context<'_>, region_switch: &RegionSwitch) -> Stack {
    let topology = context.topology;
    let edge = &topology.edge;
    let regions: Vec<RegionEntry> = context
        .regions
        .iter()
        .map(|region| RegionEntry {
            region: region.clone(),
            failover_to: context.failover_target(region),
            weight: (topology.regions[region].traffic * 100.0).round() as u32,
            bias: topology.regions[region].geoproximity_bias,
        })
        .collect();
    let mut health_checks = Vec::new();
    for region in &context.regions {
        for (name, service) in &topology.services {
            if !topology.service_regions(service).contains(region) {
                continue;
            }
            health_checks.push(HealthCheckEntry {
                key: format!("{region}/{name}"),
                region: region.clone(),
                service: name.clone(),
                path: naming::deep_health_check_path(topology, service),
            });
        }
    }
    let mut service_origins = Vec::new();
    let mut service_origin_entries = Vec::new();
    // Every service has its own origin names and per-region health (its deep check and
    // the region's evacuation switch), so one service's failure withdraws only its own
    // path from a region.
    for (name, service) in &topology.services {
        let placed = topology.service_regions(service);
        let fails_over = service.read_only && placed.len() > 1;
        let origin = naming::service_origin_name(topology, name);
        let failover_origin = fails_over.then(|| naming::service_failover_origin_name(topology, name));
        for region in &placed {
            service_origin_entries.push(ServiceOriginEntry {
                key: format!("{name}/{region}"),
                service: name.clone(),
                region: region.clone(),
                name: origin.clone(),
                failover_name: failover_origin.clone(),
                failover_to: aws_regions::nearest(region, placed.iter().map(String::as_str))
                    .unwrap_or(region)
                    .to_string(),
                weight: (topology.regions[region].traffic * 100.0).round() as u32,
                bias: topology.regions[region].geoproximity_bias,
            });
        }
        service_origins.push(ServiceOrigin {
            service: name.clone(),
            name: identifier(name),
            regions: placed.clone(),
            origin_id: format!("{name}-nearest-region"),
            origin,
            failover_origin_id: fails_over.then(|| format!("{name}-next-nearest-region")),
            failover_origin,
            group_id: fails_over.then(|| format!("{name}-read-failover")),
        });
    }
    let mut behaviours: Vec<Behaviour> = topology
        .services
        .iter()
        .map(|(name, service)| {
            let own = service_origins
                .iter()
                .find(|origin| origin.service == *name)
                .expect("every service has its own origins");
            let target_origin_id = if service.read_only {
                own.group_id.clone().unwrap_or_else(|| own.origin_id.clone())
            } else {
                own.origin_id.clone()
            };
            Behaviour {
                service: name.clone(),
                path_pattern: format!("{}*", service.path),
                read_only: service.read_only,
                cacheable: service.cacheable,
                target_origin_id,
            }
        })
        .collect();
    // CloudFront evaluates behaviours in order: longer (more specific) patterns first.
    behaviours.sort_by(|left, right| {
        right
            .path_pattern
            .len()
            .cmp(&left.path_pattern.len())
            .then(left.path_pattern.cmp(&right.path_pattern))
    });
    // Known bad inputs (Log4j and similar) is applied whatever the spec lists.
    let mut managed_rules = edge.waf.managed_rules.clone();
    if !managed_rules.contains(&ManagedRuleGroup::KnownBadInputs) {
        managed_rules.push(ManagedRuleGroup::KnownBadInputs);
    }
    managed_rules.sort();
    let view = Edge {
        alarm_subscriptions: context.alarm_subscriptions(),
        alias: provider_alias(EDGE_REGION),
        accelerator_alias: provider_alias(control_planes::GLOBAL_ACCELERATOR_REGION),
        topology: topology.name.clone(),
        app: topology.domain.app.clone(),
        zone: topology.domain.zone.clone(),
        origin: naming::origin_name(topology),
        regional_origin_suffix: format!("origin.{}", topology.domain.app),
        routing: edge.routing.as_str().to_string(),
        dns_ttl: edge.dns_ttl,
        regions,
        health_checks,
        service_origins,
        service_origin_entries,
        interval_seconds: edge.health_check.interval_seconds,
        failure_threshold: edge.health_check.failure_threshold,
        behaviours,
        failover_status_codes: edge.cdn.failover_status_codes.clone(),
        price_class: edge.cdn.price_class.clone(),
        connection_attempts: edge.cdn.origin_connection_attempts,
        connection_timeout: edge.cdn.origin_connection_timeout,
        read_timeout: edge.cdn.origin_read_timeout,
        rate_limit: edge.waf.rate_limit_per_5min,
        managed_rule_groups: managed_rules.iter().map(|group| group.aws_name().to_string()).collect(),
        accelerators: edge
            .accelerator
            .iter()
            .map(|service| Accelerator {
                name: identifier(service),
                service: service.clone(),
                accelerator_name: format!("{}-{service}", topology.name),
                host: naming::accelerator_name(topology, service),
                regions: topology
                    .services
                    .get(service)
                    .map(|spec_service| topology.service_regions(spec_service))
                    .unwrap_or_default(),
            })
            .collect(),
        recovery_control: edge.recovery_control,
        recovery_alias: provider_alias(RECOVERY_CONTROL_REGION),
        log_bucket: naming::edge_log_bucket(topology),
        origin_secret_header: naming::ORIGIN_SECRET_HEADER,
        origin_secret: remote_output(&Context::region_root(&topology.primary_region), "origin_secret"),
        anonymous_ip: edge.waf.managed_rules.contains(&ManagedRuleGroup::AnonymousIp),
        error_rate_percent: topology.observability.cloudfront_5xx_error_rate_percent,
        evaluation_periods: topology.observability.evaluation_periods,
    };
    let edge_region = Some(EDGE_REGION);
    let mut provider_regions = vec![EDGE_REGION.to_string()];
    if !view.accelerators.is_empty() {
        provider_regions.push(control_planes::GLOBAL_ACCELERATOR_REGION.to_string());
    }
    if edge.recovery_control {
        provider_regions.push(RECOVERY_CONTROL_REGION.to_string());
    }
    let mut reads: Vec<String> = context
        .regions
        .iter()
        .map(|region| Context::region_root(region))
        .collect();
    if context.has_data_root() {
        reads.push(DATA_ROOT.to_string());
    }
    reads.push(IDENTITY_ROOT.to_string());
    let region_output = |name: &'static str, output: &str| RegionOutput {
        name,
        regions: context
            .regions
            .iter()
            .map(|region| (region.clone(), remote_output(&Context::region_root(region), output)))
            .collect(),
    };
    let mut files = vec![
        File::hcl(
            "region_outputs.tf",
            vec![Block::new(
                "global/region_outputs.tf.j2",
                None,
                &RegionOutputs {
                    outputs: vec![
                        region_output("alb_arns", "alb_arn"),
                        region_output("alb_arn_suffixes", "alb_arn_suffix"),
                        region_output("origin_secret_required", "origin_secret_required"),
                        region_output("alb_dns_names", "alb_dns_name"),
                        region_output("vpc_ids", "vpc_id"),
                    ],
                },
            )],
        ),
        File::hcl("locals.tf", vec![Block::new("global/locals.tf.j2", None, &view)]),
        File::hcl("kms.tf", vec![Block::new("global/kms.tf.j2", edge_region, &view)]),
        File::hcl(
            "certificate.tf",
            vec![Block::new("global/certificate.tf.j2", edge_region, &view)],
        ),
        File::hcl("waf.tf", vec![Block::new("global/waf.tf.j2", edge_region, &view)]),
        File::hcl(
            "cloudfront.tf",
            vec![Block::new("global/cloudfront.tf.j2", edge_region, &view)],
        ),
        File::hcl(
            "logging.tf",
            vec![Block::new("global/logging.tf.j2", edge_region, &view)],
        ),
        File::hcl("dns.tf", vec![Block::new("global/dns.tf.j2", edge_region, &view)]),
    ];
    if !view.accelerators.is_empty() {
        files.push(File::hcl(
            "accelerator.tf",
            vec![
                Block::new(
                    "global/accelerator.tf.j2",
                    Some(control_planes::GLOBAL_ACCELERATOR_REGION),
                    &view,
                ),
                Block::new("global/accelerator_dns.tf.j2", edge_region, &view),
            ],
        ));
    }
    if edge.recovery_control {
        files.push(File::hcl(
            "recovery_control.tf",
            vec![
                Block::new("global/recovery_control.tf.j2", Some(RECOVERY_CONTROL_REGION), &view),
                Block::new("global/recovery_control_health.tf.j2", edge_region, &view),
            ],
        ));
    }
    files.push(File::hcl("private_dns.tf", private_zones(context)));
    files.push(File::hcl(
        "alarms.tf",
        vec![Block::new("global/alarms.tf.j2", edge_region, &view)],
    ));
    let switch_view = region_switch_view(context, region_switch);
    files.push(File::hcl(
        "region_switch.tf",
        vec![Block::new("global/region_switch.tf.j2", edge_region, &switch_view)],
    ));
    files.push(File::hcl(
        "dashboard.tf",
        vec![Block::new(
            "global/dashboard.tf.j2",
            edge_region,
            &DashboardView {
                alias: provider_alias(EDGE_REGION),
                dashboard: super::dashboard::dashboard(context, EDGE_REGION),
            },
        )],
    ));
    files.push(File::hcl(
        "outputs.tf",
        vec![
            Block::new("global/outputs.tf.j2", None, &view),
            Block::new("global/region_switch_outputs.tf.j2", None, &switch_view),
        ],
    ));
    context
        .root(
            GLOBAL_ROOT,
            None,
            &provider_regions,
            &reads,
            Markdown::literal(
                "CloudFront with origin-group failover, CLOUDFRONT WAF and certificate, Route 53 records and health checks, Global Accelerator, ARC, each VPC's private zone with the database names, edge alarms, the dashboard of every region, the ARC Region switch plans",
            ),
        )
        .into_stack(files)
}

/// One private hosted zone per region's VPC, with the stable names of the Aurora
/// databases that have a cluster there. Route 53's control plane is in us-east-1, so the
/// zones are made here rather than in the region roots; resolving them needs no
/// control plane.
fn private_zones(context: &Context<'_>) -> Vec<Block> {
    let topology = context.topology;
    let dns_region = control_planes::ROUTE53_REGION;
    context
        .regions
        .iter()
        .map(|region| {
            let databases = context
                .data_classes_of(Store::Aurora)
                .filter(|(class, _)| context.placements[*class].iter().any(|placed| placed == region))
                .map(|(class, _)| {
                    let reader_endpoint = format!(
                        "{}[{}]",
                        remote_output(&Context::region_root(region), "aurora_reader_endpoints"),
                        hcl::quote(class)
                    );
                    PrivateDatabase {
                        name: identifier(class),
                        writer_host: naming::database_writer_host(topology, class),
                        reader_host: naming::database_reader_host(topology, class),
                        writer_endpoint: context.aurora_write_target(class, region).map(|target| match target {
                            AuroraWriteTarget::LocalReaderForwarding => reader_endpoint.clone(),
                            AuroraWriteTarget::GlobalWriterEndpoint => format!(
                                "{}[{}]",
                                remote_output(DATA_ROOT, "aurora_writer_endpoints"),
                                hcl::quote(class)
                            ),
                        }),
                        reader_endpoint,
                    }
                })
                .collect();
            Block::new(
                "global/private_dns.tf.j2",
                Some(dns_region),
                &PrivateZone {
                    topology: topology.name.clone(),
                    region: region.clone(),
                    alias: provider_alias(region),
                    dns_alias: provider_alias(dns_region),
                    zone: naming::private_zone(topology),
                    databases,
                },
            )
        })
        .collect()
}
