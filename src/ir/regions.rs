//! The `regions` root stack and the reusable `modules/region` module it instantiates
//! once per region: network, endpoints, KMS replicas, ALB, WAF, ECS services with N+1
//! autoscaling bounds, task roles scoped to the region's data, and regional alarms.

use serde::Serialize;

use super::context::{Context, Versions, database_name, root_files};
use super::hcl::{self, Value};
use super::{Block, File, Stack, StackKind, identifier, provider_alias};
use crate::aws::elb;
use crate::ipv4::Ipv4Network;
use crate::naming;
use crate::spec::model::{ManagedRuleGroup, Store};

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
        files: vec![
            File::hcl(
                "versions.tf",
                vec![Block::new("module/versions.tf.j2", None, &Versions::module())],
            ),
            static_file("variables.tf", "module/variables.tf.j2"),
            static_file("network.tf", "module/network.tf.j2"),
            static_file("endpoints.tf", "module/endpoints.tf.j2"),
            static_file("kms.tf", "module/kms.tf.j2"),
            static_file("dns.tf", "module/dns.tf.j2"),
            static_file("certificate.tf", "module/certificate.tf.j2"),
            static_file("alb.tf", "module/alb.tf.j2"),
            static_file("waf.tf", "module/waf.tf.j2"),
            static_file("ecs.tf", "module/ecs.tf.j2"),
            static_file("iam.tf", "module/iam.tf.j2"),
            static_file("logging.tf", "module/logging.tf.j2"),
            static_file("alarms.tf", "module/alarms.tf.j2"),
            static_file("outputs.tf", "module/outputs.tf.j2"),
        ],
    }
}

#[derive(Serialize)]
struct PublicZone {
    alias: String,
    zone: String,
}

#[derive(Serialize)]
struct PrimaryKey {
    topology: String,
    class: String,
    name: String,
    alias: String,
    regions: Vec<String>,
}

#[derive(Serialize)]
struct ModuleCall {
    name: String,
    region: String,
    alias: String,
    arguments: Vec<(String, Value)>,
}

#[derive(Serialize)]
struct CertificateValidation {
    alias: String,
    modules: Vec<String>,
}

#[derive(Serialize)]
struct Variables {
    services: Vec<String>,
}

#[derive(Serialize)]
struct Outputs {
    regions: Vec<(String, String)>,
}

pub(super) fn regions_stack(context: &Context<'_>) -> Stack {
    let topology = context.topology;
    let primary = &topology.primary_region;
    let mut main_blocks = vec![Block::new(
        "regions/public_zone.tf.j2",
        Some(primary),
        &PublicZone {
            alias: provider_alias(primary),
            zone: topology.domain.zone.clone(),
        },
    )];
    for (class, key_class) in &context.key_classes {
        main_blocks.push(Block::new(
            "regions/kms_primary.tf.j2",
            Some(&key_class.home),
            &PrimaryKey {
                topology: topology.name.clone(),
                class: class.clone(),
                name: identifier(class),
                alias: provider_alias(&key_class.home),
                regions: key_class.regions.clone(),
            },
        ));
    }
    for region in &context.regions {
        main_blocks.push(Block::new(
            "regions/module.tf.j2",
            Some(region),
            &module_call(context, region),
        ));
    }
    main_blocks.push(Block::new(
        "regions/certificate_validation.tf.j2",
        Some(primary),
        &CertificateValidation {
            alias: provider_alias(primary),
            modules: context.regions.iter().map(|region| provider_alias(region)).collect(),
        },
    ));
    Stack {
        directory: "regions".to_string(),
        kind: StackKind::Root,
        reads_from: Vec::new(),
        files: [
            root_files(
                context.backend("regions"),
                context.regions.iter().map(|region| context.provider(region)).collect(),
            ),
            vec![
                File::hcl(
                    "variables.tf",
                    vec![Block::new(
                        "regions/variables.tf.j2",
                        None,
                        &Variables {
                            services: topology.services.keys().cloned().collect(),
                        },
                    )],
                ),
                File::hcl("main.tf", main_blocks),
                File::hcl(
                    "outputs.tf",
                    vec![Block::new(
                        "regions/outputs.tf.j2",
                        None,
                        &Outputs {
                            regions: context
                                .regions
                                .iter()
                                .map(|region| (region.clone(), provider_alias(region)))
                                .collect(),
                        },
                    )],
                ),
            ],
        ]
        .into_iter()
        .flatten()
        .collect(),
    }
}

fn module_call(context: &Context<'_>, region: &str) -> ModuleCall {
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
    let names = naming::regional_certificate_names(topology, region);
    let validation_fqdns = Value::List(
        names
            .iter()
            .map(|name| {
                Value::expression(format!(
                    "aws_route53_record.certificate_validation[{}].fqdn",
                    hcl::quote(name)
                ))
            })
            .collect(),
    );
    let mut local_keys = Vec::new();
    let mut replicated_keys = Vec::new();
    for (class, key_class) in &context.key_classes {
        if !key_class.regions.iter().any(|key_region| key_region == region) {
            continue;
        }
        let arn = Value::expression(format!("aws_kms_key.{}.arn", identifier(class)));
        if key_class.home == region {
            local_keys.push((class.clone(), arn));
        } else {
            replicated_keys.push((class.clone(), arn));
        }
    }
    // The module always applies the known-bad-inputs group (Log4j and similar); the
    // variable carries the others.
    let managed_rules: Vec<String> = {
        let mut groups = topology.edge.waf.managed_rules.clone();
        groups.retain(|group| *group != ManagedRuleGroup::KnownBadInputs);
        groups.sort();
        groups.iter().map(|group| group.aws_name().to_string()).collect()
    };
    let arguments = vec![
        ("name".to_string(), Value::string(&topology.name)),
        ("vpc_cidr".to_string(), Value::string(&spec_region.cidr)),
        ("subnets".to_string(), subnets),
        ("zone_name".to_string(), Value::string(&topology.domain.zone)),
        (
            "private_zone_name".to_string(),
            Value::string(naming::private_zone(topology)),
        ),
        ("certificate_domain".to_string(), Value::string(&names[0])),
        (
            "certificate_alternative_names".to_string(),
            Value::strings(names[1..].iter().cloned()),
        ),
        ("certificate_validation_fqdns".to_string(), validation_fqdns),
        ("kms_local_key_arns".to_string(), Value::object(local_keys)),
        ("kms_primary_key_arns".to_string(), Value::object(replicated_keys)),
        (
            "elb_account_id".to_string(),
            elb::log_delivery_account(region).map_or(Value::Null, Value::string),
        ),
        (
            "waf".to_string(),
            Value::object([
                (
                    "rate_limit_per_5min",
                    Value::Integer(i64::try_from(topology.edge.waf.rate_limit_per_5min).unwrap_or(i64::MAX)),
                ),
                ("managed_rule_groups", Value::strings(managed_rules)),
            ]),
        ),
        (
            "alarm_evaluation_periods".to_string(),
            Value::Integer(i64::from(topology.observability.evaluation_periods)),
        ),
        ("services".to_string(), services_argument(context, region)),
    ];
    ModuleCall {
        name: provider_alias(region),
        region: region.to_string(),
        alias: provider_alias(region),
        arguments,
    }
}

/// ALB path-rule priorities: more specific paths first, so `/api/admin` wins over
/// `/api`. Host rules (Global Accelerator names) take 1 to 99, before every path rule.
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

fn services_argument(context: &Context<'_>, region: &str) -> Value {
    let topology = context.topology;
    let priorities = rule_priorities(context);
    let placed = topology
        .services
        .iter()
        .filter(|(_, service)| topology.service_regions(service).iter().any(|placed| placed == region));
    Value::object(placed.map(|(name, service)| {
        let sizing = &context.sizing[name][region];
        let image = {
            let quoted = hcl::quote(&format!("{}@", service.image));
            format!(
                "{}${{var.image_digests[{}]}}\"",
                &quoted[..quoted.len() - 1],
                hcl::quote(name)
            )
        };
        let mut environment = service.environment.clone();
        environment.insert("TOPOC_TOPOLOGY".to_string(), topology.name.clone());
        environment.insert("TOPOC_REGION".to_string(), region.to_string());
        let mut tables = Vec::new();
        let mut writable_tables = Vec::new();
        let mut buckets = Vec::new();
        let mut writable_buckets = Vec::new();
        let mut database_users = Vec::new();
        let mut key_classes = std::collections::BTreeSet::new();
        for (class, access) in service.data_access() {
            if !context.placements[class].iter().any(|placed| placed == region) {
                continue;
            }
            key_classes.insert(context.key_class_of(class).to_string());
            match topology.data[class].store {
                Store::Dynamodb => {
                    let table = naming::dynamodb_table(topology, class);
                    environment.insert(naming::environment_variable("TABLE", class), table.clone());
                    if access.writes() {
                        writable_tables.push(table.clone());
                    }
                    tables.push(table);
                }
                Store::S3 => {
                    let bucket = naming::s3_bucket(topology, class, region);
                    environment.insert(naming::environment_variable("BUCKET", class), bucket.clone());
                    if access.writes() {
                        writable_buckets.push(bucket.clone());
                    }
                    buckets.push(bucket);
                }
                Store::Aurora => {
                    let data_class = &topology.data[class];
                    // A reader gets no writer endpoint: its connections go to the local cluster.
                    if access.writes() {
                        environment.insert(
                            naming::environment_variable("DB_WRITER_HOST", class),
                            naming::database_writer_host(topology, class),
                        );
                    }
                    environment.insert(
                        naming::environment_variable("DB_READER_HOST", class),
                        naming::database_reader_host(topology, class),
                    );
                    environment.insert(
                        naming::environment_variable("DB_NAME", class),
                        database_name(class, data_class),
                    );
                    environment.insert(
                        naming::environment_variable("DB_USER", class),
                        naming::database_user(name),
                    );
                    if !database_users.contains(&naming::database_user(name)) {
                        database_users.push(naming::database_user(name));
                    }
                }
            }
        }
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
        (
            name.clone(),
            Value::object([
                ("image", Value::expression(image)),
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
                ("health_path", Value::string(&service.health_path)),
                ("min_tasks", Value::Integer(i64::from(sizing.min_tasks))),
                ("max_tasks", Value::Integer(i64::from(sizing.max_tasks))),
                (
                    "target_requests_per_minute",
                    Value::Integer(target_requests_per_minute as i64),
                ),
                (
                    "environment",
                    Value::object(environment.into_iter().map(|(key, value)| (key, Value::String(value)))),
                ),
                ("dynamodb_tables", Value::strings(tables)),
                ("dynamodb_writable_tables", Value::strings(writable_tables)),
                ("s3_buckets", Value::strings(buckets)),
                ("s3_writable_buckets", Value::strings(writable_buckets)),
                ("database_users", Value::strings(database_users)),
                ("kms_key_classes", Value::strings(key_classes)),
            ]),
        )
    }))
}
