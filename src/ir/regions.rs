//! Each region's own root, `regions/<region>`, and the reusable `modules/region` module
//! it instantiates: network, endpoints, ALB, WAF, ECS services with N+1 autoscaling
//! bounds and regional alarms, with the region's copies of the data classes (its S3
//! buckets, its Aurora clusters, DynamoDB autoscaling and replication alarms).
//!
//! A region's root declares one provider, keeps its state in its region's state bucket
//! and reads the outputs of `keys`, `identity`, `certificates` and `data` from the
//! replicas in that bucket: with any other region down, it still plans and applies. Its
//! `image_digests` variable is its own, so a release rolls out one deploy wave at a time.

use serde::Serialize;

use super::context::{
    CERTIFICATES_ROOT, Context, DATA_ROOT, IDENTITY_ROOT, KEYS_ROOT, REGION_MODULE, RegionData, Versions, key_arns_in,
    remote_output,
};
use super::hcl::{self, Value};
use super::markdown::Markdown;
use super::{Block, File, Stack, StackKind, identifier, provider_alias};
use crate::aws::elb;
use crate::ipv4::Ipv4Network;
use crate::naming;
use crate::spec::model::ManagedRuleGroup;

/// Private subnets take the first /n+3 blocks of the VPC, one per zone; public subnets
/// share the last /n+3 block, cut into /n+6 pieces. A /16 gives /19 private and /22
/// public subnets; a /20 gives /23 and /26.
const PRIVATE_SUBNET_NEW_BITS: u8 = 3;
const PUBLIC_SUBNET_NEW_BITS: u8 = 3;

pub(super) fn region_module(context: &Context<'_>) -> Stack {
    let static_file = |name: &str, template: &'static str| File::hcl(name, vec![Block::new(template, None, &())]);
    let _ = context;
    Stack {
        directory: "modules/region".to_string(),
        kind: StackKind::Module,
        reads_from: Vec::new(),
        regions: Vec::new(),
        implicit_needs: Vec::new(),
        state_region: None,
        home_region: None,
        summary: Markdown::literal(
            "the module every region root instantiates: VPC, endpoints, ALB, WAF, ECS services with N+1 autoscaling, alarms",
        ),
        files: vec![
            File::hcl(
                "versions.tf",
                vec![Block::new("module/versions.tf.j2", None, &Versions::module())],
            ),
            static_file("variables.tf", "module/variables.tf.j2"),
            static_file("network.tf", "module/network.tf.j2"),
            static_file("endpoints.tf", "module/endpoints.tf.j2"),
            static_file("alb.tf", "module/alb.tf.j2"),
            static_file("waf.tf", "module/waf.tf.j2"),
            static_file("ecs.tf", "module/ecs.tf.j2"),
            static_file("logging.tf", "module/logging.tf.j2"),
            static_file("alarms.tf", "module/alarms.tf.j2"),
            static_file("outputs.tf", "module/outputs.tf.j2"),
        ],
    }
}

#[derive(Serialize)]
struct ModuleCall {
    name: &'static str,
    source: &'static str,
    alias: String,
    arguments: Vec<(String, Value)>,
}

#[derive(Serialize)]
struct Variables {
    region: String,
    services: Vec<String>,
    /// Whether the origin secret has been rotated, so that a previous value exists.
    origin_secret_rotated: bool,
}

#[derive(Serialize)]
struct StopTasksView {
    name: String,
    service: String,
    percent: u32,
}

#[derive(Serialize)]
struct BucketClassView {
    class: String,
    name: String,
    destinations: Vec<String>,
    alarm_keys: Vec<String>,
}

/// The view of a region's GameDay experiments.
#[derive(Serialize)]
struct Experiments {
    alias: String,
    region: String,
    module: &'static str,
    topology: String,
    cluster: String,
    role: String,
    stop_tasks: Vec<StopTasksView>,
    isolation_alarm_services: Vec<String>,
    isolation_duration: &'static str,
    isolation_minutes: u32,
    /// The replicas the replication experiment pauses, in lists of at most five ARNs.
    table_chunks: Vec<Value>,
    replication_alarm_keys: Vec<String>,
    bucket_classes: Vec<BucketClassView>,
    bucket_pause_duration: &'static str,
    bucket_pause_minutes: u32,
    pause_duration: &'static str,
    pause_minutes: u32,
}

#[derive(Serialize)]
struct Outputs {
    module: &'static str,
    /// Whether the region has the table replication experiment, and the classes and
    /// identifiers of the buckets it has one for.
    pauses_tables: bool,
    paused_buckets: Vec<(String, String)>,
    /// Each service of the region and its HCL identifier: its task experiment.
    experiment_services: Vec<(String, String)>,
    aurora_clusters: Vec<(String, String)>,
    buckets: bool,
    alias: String,
}

/// The roots a region's root reads: all of them applied before it. `data` is read
/// whenever it exists: the region's DynamoDB replicas and Aurora clusters need it first.
fn region_root_reads(context: &Context<'_>) -> Vec<String> {
    let mut reads = vec![
        KEYS_ROOT.to_string(),
        IDENTITY_ROOT.to_string(),
        CERTIFICATES_ROOT.to_string(),
    ];
    if context.has_data_root() {
        reads.push(DATA_ROOT.to_string());
    }
    reads
}

/// The root of one region.
pub(super) fn region_root(
    context: &Context<'_>,
    region: &str,
    data: RegionData,
    experiments: &super::experiments::RegionExperiments,
) -> Stack {
    let alias = provider_alias(region);
    let mut files = vec![
        File::hcl(
            "variables.tf",
            vec![Block::new(
                "regions/variables.tf.j2",
                None,
                &Variables {
                    region: region.to_string(),
                    services: context.services_in(region).map(|(name, _)| name.clone()).collect(),
                    origin_secret_rotated: origin_secret_rotated(context),
                },
            )],
        ),
        File::hcl(
            "main.tf",
            vec![Block::new(
                "regions/module.tf.j2",
                Some(region),
                &ModuleCall {
                    name: REGION_MODULE,
                    source: "../../modules/region",
                    alias: alias.clone(),
                    arguments: module_arguments(context, region),
                },
            )],
        ),
    ];
    let aurora_clusters = data.aurora_clusters.clone();
    let buckets = data.has_buckets;
    files.extend(data.files);
    // A region without services has nothing to stop and no alarm to end a cut.
    if !experiments.stop_tasks.is_empty() {
        files.push(File::hcl(
            "gameday.tf",
            vec![Block::new(
                "regions/gameday.tf.j2",
                Some(region),
                &Experiments {
                    alias: alias.clone(),
                    region: region.to_string(),
                    module: REGION_MODULE,
                    topology: context.topology.name.clone(),
                    cluster: naming::ecs_cluster(context.topology),
                    role: remote_output(IDENTITY_ROOT, "gameday_role_arn"),
                    stop_tasks: experiments
                        .stop_tasks
                        .iter()
                        .map(|stop| StopTasksView {
                            name: identifier(&stop.service),
                            service: stop.service.clone(),
                            percent: stop.percent,
                        })
                        .collect(),
                    isolation_alarm_services: experiments.isolation_alarm_services.clone(),
                    isolation_duration: super::experiments::ISOLATION_DURATION,
                    isolation_minutes: super::experiments::ISOLATION_MINUTES,
                    table_chunks: experiments
                        .paused_tables
                        .chunks(super::experiments::MAX_TARGET_ARNS)
                        .map(|chunk| {
                            Value::List(
                                chunk
                                    .iter()
                                    .map(|paused| {
                                        Value::expression(format!(
                                            "{}[{}][{}]",
                                            remote_output(DATA_ROOT, "dynamodb_replica_arns"),
                                            hcl::quote(&paused.class),
                                            hcl::quote(region)
                                        ))
                                    })
                                    .collect(),
                            )
                        })
                        .collect(),
                    replication_alarm_keys: experiments.replication_alarm_keys.clone(),
                    bucket_classes: experiments
                        .paused_buckets
                        .iter()
                        .map(|paused| BucketClassView {
                            class: paused.class.clone(),
                            name: identifier(&paused.class),
                            destinations: paused.destinations.clone(),
                            alarm_keys: paused.alarm_keys.clone(),
                        })
                        .collect(),
                    bucket_pause_duration: super::experiments::BUCKET_PAUSE_DURATION,
                    bucket_pause_minutes: super::experiments::BUCKET_PAUSE_MINUTES,
                    pause_duration: super::experiments::PAUSE_DURATION,
                    pause_minutes: super::experiments::PAUSE_MINUTES,
                },
            )],
        ));
    }
    files.push(File::hcl(
        "outputs.tf",
        vec![Block::new(
            "regions/outputs.tf.j2",
            None,
            &Outputs {
                module: REGION_MODULE,
                pauses_tables: !experiments.paused_tables.is_empty(),
                paused_buckets: experiments
                    .paused_buckets
                    .iter()
                    .map(|paused| (paused.class.clone(), identifier(&paused.class)))
                    .collect(),
                experiment_services: experiments
                    .stop_tasks
                    .iter()
                    .map(|stop| (stop.service.clone(), identifier(&stop.service)))
                    .collect(),
                aurora_clusters,
                buckets,
                alias,
            },
        )],
    ));
    context
        .root(
            &Context::region_root(region),
            Some(region),
            &[region.to_string()],
            &region_root_reads(context),
            crate::md!(
                "{}: its network, ALB, WAF, ECS services, alarms, and its copies of the data classes; needs only {}",
                Markdown::code(region),
                Markdown::text(region)
            ),
        )
        .into_stack(files)
}

fn module_arguments(context: &Context<'_>, region: &str) -> Vec<(String, Value)> {
    let topology = context.topology;
    let spec_region = &topology.regions[region];
    let vpc = Ipv4Network::parse(&spec_region.cidr).expect("the checker validated the CIDR");
    let public_block = vpc.subnet(PRIVATE_SUBNET_NEW_BITS, (1 << PRIVATE_SUBNET_NEW_BITS) - 1);
    let zones = topology.zone_names(region).expect("the checker validated the zones");
    let subnets = Value::object(zones.iter().enumerate().map(|(index, zone)| {
        let index = u32::try_from(index).expect("at most six zones");
        (
            zone.clone(),
            Value::object([
                (
                    "public_cidr",
                    Value::string(public_block.subnet(PUBLIC_SUBNET_NEW_BITS, index).to_string()),
                ),
                (
                    "private_cidr",
                    Value::string(vpc.subnet(PRIVATE_SUBNET_NEW_BITS, index).to_string()),
                ),
            ]),
        )
    }));
    // The module always applies the known-bad-inputs group (Log4j and similar); the
    // variable carries the others.
    let managed_rules: Vec<String> = {
        let mut groups = topology.edge.waf.managed_rules.clone();
        groups.retain(|group| *group != ManagedRuleGroup::KnownBadInputs);
        groups.sort();
        groups.iter().map(|group| group.aws_name().to_string()).collect()
    };
    let quoted_region = hcl::quote(region);
    let direct_hosts = context.accelerated_hosts_in(region);
    vec![
        ("name".to_string(), Value::string(&topology.name)),
        ("vpc_cidr".to_string(), Value::string(&spec_region.cidr)),
        ("subnets".to_string(), subnets),
        (
            "certificate_arn".to_string(),
            Value::expression(format!(
                "{}[{quoted_region}]",
                remote_output(CERTIFICATES_ROOT, "certificate_arns")
            )),
        ),
        ("kms_key_arns".to_string(), Value::expression(key_arns_in(region))),
        (
            "flow_log_role_arn".to_string(),
            Value::expression(format!(
                "{}[{quoted_region}]",
                remote_output(IDENTITY_ROOT, "flow_log_role_arns")
            )),
        ),
        (
            "elb_account_id".to_string(),
            elb::log_delivery_account(region).map_or(Value::Null, Value::string),
        ),
        (
            "origin_lock".to_string(),
            Value::object([
                ("secret_name", Value::string(naming::origin_secret(topology))),
                ("header_name", Value::string(naming::ORIGIN_SECRET_HEADER)),
                (
                    "accept_previous",
                    if origin_secret_rotated(context) {
                        Value::expression("var.accept_previous_origin_secret")
                    } else {
                        Value::Bool(false)
                    },
                ),
                (
                    "require_secret",
                    Value::expression(format!("!var.{}", naming::ORIGIN_LOCK_UPGRADE_VARIABLE)),
                ),
                ("public_ingress", Value::Bool(!direct_hosts.is_empty())),
            ]),
        ),
        (
            "waf".to_string(),
            Value::object([
                (
                    "rate_limit_per_5min",
                    Value::Integer(i64::try_from(topology.edge.waf.rate_limit_per_5min).unwrap_or(i64::MAX)),
                ),
                ("direct_hosts", Value::strings(direct_hosts)),
                ("managed_rule_groups", Value::strings(managed_rules)),
            ]),
        ),
        (
            "alarm_evaluation_periods".to_string(),
            Value::Integer(i64::from(topology.observability.evaluation_periods)),
        ),
        ("alarm_subscriptions".to_string(), context.alarm_subscriptions()),
        (
            "break_glass_role_arns".to_string(),
            Value::strings(crate::policy::scp::role_patterns(
                &topology.governance.break_glass_roles,
                &topology.governance.workload_accounts,
            )),
        ),
        ("services".to_string(), services_argument(context, region)),
    ]
}

/// ALB path-rule priorities: more specific paths first, so `/api/admin` wins over
/// `/api`. Host rules (Global Accelerator names) take 1 to 99, before every path rule;
/// each service's deep-health-check rule takes its path rule's priority plus one.
pub(super) fn rule_priorities(context: &Context<'_>) -> Vec<(String, i64)> {
    let mut services: Vec<(&String, &String)> = context
        .topology
        .services
        .iter()
        .map(|(name, service)| (name, &service.path))
        .collect();
    services.sort_by(|(left_name, left_path), (right_name, right_path)| {
        right_path
            .matches('/')
            .count()
            .cmp(&left_path.matches('/').count())
            .then(right_path.len().cmp(&left_path.len()))
            .then(left_name.cmp(right_name))
    });
    services
        .iter()
        .enumerate()
        .map(|(rank, (name, _))| ((*name).clone(), 100 + 10 * i64::try_from(rank).unwrap_or(0)))
        .collect()
}

/// Whether `edge.cdn.origin_secret_version` has been raised: only then does the secret
/// have a previous value for the ALBs to accept during a rotation.
fn origin_secret_rotated(context: &Context<'_>) -> bool {
    context.topology.edge.cdn.origin_secret_version > 1
}

fn services_argument(context: &Context<'_>, region: &str) -> Value {
    let topology = context.topology;
    let priorities = rule_priorities(context);
    let quoted_region = hcl::quote(region);
    Value::object(context.services_in(region).map(|(name, service)| {
        let sizing = &context.sizing[name][region];
        // Every region pulls its own region's copy of the image, by the digest its root is
        // given: `image_digests` is per region root, so a release rolls wave by wave.
        let image = {
            let quoted = hcl::quote(&format!("{}@", topology.regional_image(service, region)));
            format!(
                "{}${{var.image_digests[{}]}}\"",
                &quoted[..quoted.len() - 1],
                hcl::quote(name)
            )
        };
        let mut environment = service.environment.clone();
        environment.insert("TOPOC_TOPOLOGY".to_string(), topology.name.clone());
        environment.insert("TOPOC_REGION".to_string(), region.to_string());
        let access = context.service_access(name, region);
        environment.extend(access.environment.clone());
        let mut host_headers = Vec::new();
        if topology.edge.accelerator.contains(name) {
            host_headers.push(naming::accelerator_name(topology, name));
        }
        let priority = priorities
            .iter()
            .find(|(service_name, _)| service_name == name)
            .map_or(100, |(_, priority)| *priority);
        let host_rule_priority = topology
            .services
            .keys()
            .position(|service| service == name)
            .map_or(1, |index| index as i64 + 1);
        let target_requests_per_minute = (service.rps_per_task * service.steady_utilization * 60.0)
            .round()
            .max(1.0);
        let role = |output: &str| {
            Value::expression(format!(
                "{}[{quoted_region}][{}]",
                remote_output(IDENTITY_ROOT, output),
                hcl::quote(name)
            ))
        };
        (
            name.clone(),
            Value::object([
                ("image", Value::expression(image)),
                ("execution_role_arn", role("execution_role_arns")),
                ("task_role_arn", role("task_role_arns")),
                ("port", Value::Integer(i64::from(service.port))),
                ("cpu", Value::Integer(i64::from(service.cpu))),
                ("memory", Value::Integer(i64::from(service.memory))),
                (
                    "path_patterns",
                    Value::strings([service.path.clone(), format!("{}/*", service.path)]),
                ),
                ("host_headers", Value::strings(host_headers)),
                ("host_rule_priority", Value::Integer(host_rule_priority)),
                ("path_rule_priority", Value::Integer(priority)),
                ("health_check_rule_priority", Value::Integer(priority + 1)),
                ("health_path", Value::string(&service.health_path)),
                (
                    "deep_health_check_path",
                    Value::string(naming::deep_health_check_path(topology, service)),
                ),
                ("min_tasks", Value::Integer(i64::from(sizing.min_tasks))),
                ("max_tasks", Value::Integer(i64::from(sizing.max_tasks))),
                (
                    "target_requests_per_minute",
                    Value::Integer(target_requests_per_minute as i64),
                ),
                (
                    "environment",
                    Value::object(
                        environment
                            .into_iter()
                            .map(|(key, value)| (key, Value::String(value)))
                            .chain(
                                access
                                    .environment_expressions
                                    .iter()
                                    .map(|(key, expression)| (key.clone(), Value::expression(expression.clone()))),
                            )
                            .collect::<std::collections::BTreeMap<_, _>>(),
                    ),
                ),
            ]),
        )
    }))
}
