//! Names of the AWS resources topoc creates, derived from the spec.
//!
//! The checker validates these names against AWS length limits and the IR uses the
//! same functions, so a spec that passes `check` never produces a name AWS rejects.

use crate::spec::Topology;

/// An AWS name with its limit, for the checker.
pub struct LimitedName {
    /// What the name is, as a message reads it: `load balancer name`.
    pub kind: &'static str,
    pub name: String,
    pub limit: usize,
    /// What in the spec to shorten.
    pub hint: &'static str,
}

pub fn ecs_cluster(topology: &Topology) -> String {
    topology.name.clone()
}

pub fn load_balancer(topology: &Topology) -> String {
    topology.name.clone()
}

pub fn target_group(topology: &Topology, service: &str) -> String {
    format!("{}-{service}", topology.name)
}

pub fn task_role(topology: &Topology, service: &str, region: &str) -> String {
    format!("{}-{service}-{region}-task", topology.name)
}

pub fn execution_role(topology: &Topology, service: &str, region: &str) -> String {
    format!("{}-{service}-{region}-exec", topology.name)
}

pub fn flow_log_role(topology: &Topology, region: &str) -> String {
    format!("{}-{region}-flow-logs", topology.name)
}

/// The log group a region's VPC flow logs go to (the same name in every region).
pub fn flow_log_group(topology: &Topology) -> String {
    format!("/{}/vpc-flow-logs", topology.name)
}

/// A region's short code, as AWS writes it in availability-zone IDs and many consoles:
/// `us-east-1` is `use1`, `ap-southeast-2` is `apse2`, `eu-central-1` is `euc1`.
pub fn region_short_code(region: &str) -> String {
    let parts: Vec<&str> = region.split('-').collect();
    let mut code = String::new();
    for (index, part) in parts.iter().enumerate() {
        if index == 0 || index + 1 == parts.len() {
            code.push_str(part);
        } else {
            // `southeast` is two words, `se`; `central`, `gov` and the rest one letter.
            let compass = ["north", "south"]
                .iter()
                .find_map(|first| part.strip_prefix(first).filter(|rest| ["east", "west"].contains(rest)));
            code.push_str(&part[..1]);
            if let Some(second) = compass {
                code.push_str(&second[..1]);
            }
        }
    }
    code
}

/// The ARC Region switch plan that evacuates a region (at most 32 characters, letters,
/// digits and hyphens). Every plan of a topology starts with `<topology>-`, which the
/// roles' policies match.
pub fn region_switch_plan(topology: &Topology, evacuated: &str) -> String {
    format!("{}-{}", topology.name, region_short_code(evacuated))
}

/// The role ARC Region switch assumes to run the plans.
pub fn region_switch_role(topology: &Topology) -> String {
    format!("{}-region-switch", topology.name)
}

/// The role whose holders approve a plan's execution.
pub fn region_switch_approver_role(topology: &Topology) -> String {
    format!("{}-region-switch-approver", topology.name)
}

/// The id of a bucket's replication rule to one destination region, which the
/// replication alarms take as their `RuleId` dimension. The replication root's template
/// builds the same id in HCL (`"to-${rule.value.region}"`): change both together.
pub fn s3_replication_rule(destination_region: &str) -> String {
    format!("to-{destination_region}")
}

/// The key of a replication alarm of a region root: the source table or bucket and the
/// region it replicates to. The DynamoDB alarms' template builds the same key in HCL.
pub fn replication_alarm_key(source: &str, destination_region: &str) -> String {
    format!("{source}/{destination_region}")
}

/// The role AWS FIS runs the GameDay experiments as.
pub fn gameday_role(topology: &Topology) -> String {
    format!("{}-gameday", topology.name)
}

/// The role Systems Manager Automation runs the Region switch drills' runbook as.
pub fn gameday_plan_runner_role(topology: &Topology) -> String {
    format!("{}-gameday-plan-runner", topology.name)
}

/// The Automation runbook (SSM document) the Region switch drills run, one per region
/// that runs them. It does not start with the topology: SSM reserves the prefixes
/// `aws`, `amazon` and `amzn`, which a topology's name may have.
pub fn region_switch_drill_document(topology: &Topology) -> String {
    format!("gameday-{}-region-switch", topology.name)
}

pub fn rds_monitoring_role(topology: &Topology) -> String {
    format!("{}-rds-monitoring", topology.name)
}

/// The role S3 assumes to replicate every state bucket to the others.
pub fn state_replication_role(topology: &Topology) -> String {
    format!("{}-replication", topology.state.bucket)
}

pub fn dynamodb_table(topology: &Topology, data_class: &str) -> String {
    format!("{}-{data_class}", topology.name)
}

pub fn s3_bucket(topology: &Topology, data_class: &str, region: &str) -> String {
    format!("{}-{data_class}-{region}", topology.name)
}

/// The role S3 assumes to replicate every bucket of a data class between its regions.
pub fn s3_replication_role(topology: &Topology, data_class: &str) -> String {
    format!("{}-{data_class}-s3repl", topology.name)
}

pub fn aurora_global_cluster(topology: &Topology, data_class: &str) -> String {
    format!("{}-{data_class}", topology.name)
}

pub fn aurora_cluster(topology: &Topology, data_class: &str, region: &str) -> String {
    format!("{}-{data_class}-{region}", topology.name)
}

pub fn aurora_master_secret(topology: &Topology, data_class: &str) -> String {
    format!("{}/{data_class}/master", topology.name)
}

/// The secret whose value CloudFront sends to every ALB in [`ORIGIN_SECRET_HEADER`], and
/// without which the ALBs answer the services' paths with 404.
pub fn origin_secret(topology: &Topology) -> String {
    format!("{}/edge/origin-secret", topology.name)
}

/// The header that carries [`origin_secret`] from CloudFront to the ALBs.
pub const ORIGIN_SECRET_HEADER: &str = "x-topoc-origin-secret";

/// The region roots' switch that lets the ALBs serve requests without the origin secret,
/// for the applies that upgrade a deployment from before the origin lock.
pub const ORIGIN_LOCK_UPGRADE_VARIABLE: &str = "admit_requests_without_origin_secret";

/// The path of a service's deep health check, which Route 53 requests from every region's
/// ALB (and which the ALB therefore serves without the origin secret).
pub fn deep_health_check_path(topology: &Topology, service: &crate::spec::model::Service) -> String {
    format!("{}{}", service.path, topology.edge.health_check.path)
}

pub fn log_bucket(topology: &Topology, region: &str) -> String {
    format!("{}-logs-{region}", topology.name)
}

/// The bucket of CloudFront access logs and Global Accelerator flow logs (us-east-1).
pub fn edge_log_bucket(topology: &Topology) -> String {
    format!("{}-edge-logs", topology.name)
}

/// The names a region's ALB answers to, on its certificate: its own name first (the
/// certificate's common name), the default behaviour's origin, every service's origin
/// through one wildcard (`*.origin.<app>`, which also covers the regional names) and the
/// read-only services' failover origins through another, then the Global Accelerator
/// names of the services that run in the region. Wildcards keep the count within ACM's
/// default of 10 names per certificate however many services there are.
pub fn regional_certificate_names(topology: &Topology, region: &str) -> Vec<String> {
    let runs_here =
        |service: &crate::spec::model::Service| topology.service_regions(service).iter().any(|placed| placed == region);
    let mut names = vec![
        regional_origin_name(topology, region),
        origin_name(topology),
        format!("*.{}", origin_name(topology)),
    ];
    if topology
        .services
        .values()
        .any(|service| runs_here(service) && service.read_only && topology.service_regions(service).len() > 1)
    {
        names.push(format!("*.{FAILOVER_ORIGIN_LABEL}.{}", topology.domain.app));
    }
    for service in &topology.edge.accelerator {
        if topology.services.get(service).is_some_and(runs_here) {
            names.push(accelerator_name(topology, service));
        }
    }
    names
}

/// An AWS Config organization rule of the topology: `<topology>-<slug>`.
pub fn config_rule(topology_name: &str, slug: &str) -> String {
    format!("{topology_name}-{slug}")
}

/// The slug of the Guard rule that checks an Aurora class's clusters.
/// The slug of the Config rule that checks the residency tag of a class's stores.
pub fn residency_config_rule_slug(residency_class: &str) -> String {
    format!("residency-{residency_class}-tags")
}

pub fn aurora_config_rule_slug(data_class: &str) -> String {
    format!("{data_class}-global-database")
}

/// The CloudWatch dashboard that shows every region of the topology.
pub fn dashboard(topology: &Topology) -> String {
    format!("{}-overview", topology.name)
}

pub fn bucket_replication_config_rule_slug(data_class: &str) -> String {
    format!("{data_class}-replication-destinations")
}

/// ACM puts a certificate's first name in its subject's common name, which holds 64
/// characters (ACM API reference, RequestCertificate `DomainName`).
pub const CERTIFICATE_COMMON_NAME: usize = 64;
/// A DNS name has at most 253 characters in text form (Route 53 developer guide,
/// "DNS domain name format"; ACM's limit for subject alternative names).
pub const DNS_NAME: usize = 253;
/// AWS Config organization rule names (API `OrganizationConfigRuleName`: 1 to 64).
pub const CONFIG_ORGANIZATION_RULE: usize = 64;
/// Route 53 health check `ResourcePath` (API reference: at most 255 characters).
pub const HEALTH_CHECK_PATH: usize = 255;

/// Every generated name with a length limit, for the checker.
pub fn limited_names(topology: &Topology) -> Vec<(String, LimitedName)> {
    let mut names = Vec::new();
    let mut push = |pointer: String, kind: &'static str, name: String, limit: usize| {
        let hint = match pointer.as_str() {
            "/name" => "shorten the topology `name`",
            "/domain/app" => "shorten `domain.app`; topoc adds a region or service name to it",
            "/state/bucket" => "shorten `state.bucket`; topoc adds `-<region>` to it",
            pointer if pointer.ends_with("/path") => "shorten the service's `path` or `edge.health_check.path`",
            _ => "shorten the topology `name` or this entry's name",
        };
        names.push((
            pointer,
            LimitedName {
                kind,
                name,
                limit,
                hint,
            },
        ));
    };
    let longest_region = topology
        .regions
        .keys()
        .max_by_key(|region| (region.len(), region.as_str()))
        .cloned()
        .unwrap_or_default();
    push("/name".to_string(), "load balancer name", load_balancer(topology), 32);
    for region in topology.regions.keys() {
        push(
            "/name".to_string(),
            "ARC Region switch plan name",
            region_switch_plan(topology, region),
            32,
        );
    }
    push(
        "/name".to_string(),
        "IAM role name",
        region_switch_approver_role(topology),
        64,
    );
    push(
        "/name".to_string(),
        "IAM role name",
        gameday_plan_runner_role(topology),
        64,
    );
    push(
        "/name".to_string(),
        "log bucket name",
        log_bucket(topology, &longest_region),
        63,
    );
    push(
        "/name".to_string(),
        "IAM role name",
        flow_log_role(topology, &longest_region),
        64,
    );
    push(
        "/state/bucket".to_string(),
        "IAM role name",
        state_replication_role(topology),
        64,
    );
    push(
        "/state/bucket".to_string(),
        "S3 bucket name",
        topology.state_bucket(&longest_region),
        63,
    );
    for service in topology.services.keys() {
        let pointer = format!("/services/{service}");
        push(
            pointer.clone(),
            "target group name",
            target_group(topology, service),
            32,
        );
        push(
            pointer.clone(),
            "IAM role name",
            task_role(topology, service, &longest_region),
            64,
        );
        push(
            pointer,
            "IAM role name",
            execution_role(topology, service, &longest_region),
            64,
        );
    }
    push(
        "/domain/app".to_string(),
        "ACM certificate common name",
        topology.domain.app.clone(),
        CERTIFICATE_COMMON_NAME,
    );
    push(
        "/domain/app".to_string(),
        "ACM certificate common name",
        regional_origin_name(topology, &longest_region),
        CERTIFICATE_COMMON_NAME,
    );
    for region in topology.regions.keys() {
        for name in regional_certificate_names(topology, region) {
            push("/domain/app".to_string(), "DNS name", name, DNS_NAME);
        }
    }
    for (service_name, service) in &topology.services {
        push(
            format!("/services/{service_name}/path"),
            "Route 53 health check path",
            deep_health_check_path(topology, service),
            HEALTH_CHECK_PATH,
        );
    }
    for (class_name, data_class) in &topology.data {
        let pointer = format!("/data/{class_name}");
        if let Some(residency) = &data_class.residency {
            push(
                format!("{pointer}/residency"),
                "AWS Config rule name",
                config_rule(&topology.name, &residency_config_rule_slug(residency)),
                CONFIG_ORGANIZATION_RULE,
            );
        }
        if data_class.store == crate::spec::model::Store::Aurora {
            push(
                pointer.clone(),
                "AWS Config rule name",
                config_rule(&topology.name, &aurora_config_rule_slug(class_name)),
                CONFIG_ORGANIZATION_RULE,
            );
        }
        if data_class.store == crate::spec::model::Store::S3 {
            push(
                pointer.clone(),
                "AWS Config rule name",
                config_rule(&topology.name, &bucket_replication_config_rule_slug(class_name)),
                CONFIG_ORGANIZATION_RULE,
            );
        }
        match data_class.store {
            crate::spec::model::Store::Dynamodb => {
                push(
                    pointer,
                    "DynamoDB table name",
                    dynamodb_table(topology, class_name),
                    255,
                );
            }
            crate::spec::model::Store::Aurora => {
                let cluster = aurora_cluster(topology, class_name, &longest_region);
                push(pointer.clone(), "Aurora cluster identifier", cluster.clone(), 63);
                push(pointer, "Aurora instance identifier", format!("{cluster}-16"), 63);
            }
            crate::spec::model::Store::S3 => {
                push(
                    pointer.clone(),
                    "S3 bucket name",
                    s3_bucket(topology, class_name, &longest_region),
                    63,
                );
                push(pointer, "IAM role name", s3_replication_role(topology, class_name), 64);
            }
        }
    }
    names
}

/// The private hosted zone of every VPC, where the data stack publishes database names.
pub fn private_zone(topology: &Topology) -> String {
    format!("{}.internal", topology.name)
}

/// Latency-routed name of the nearest region that is not evacuated: the origin of
/// CloudFront's default behaviour, for paths no service claims.
pub fn origin_name(topology: &Topology) -> String {
    format!("origin.{}", topology.domain.app)
}

/// Latency-routed (or geoproximity, or weighted) name of the nearest region where a
/// service is healthy and not evacuated: its CloudFront origin.
pub fn service_origin_name(topology: &Topology, service: &str) -> String {
    format!("{service}.origin.{}", topology.domain.app)
}

/// The failover name of a read-only service: for viewers nearest to one of its regions,
/// the nearest other region of the service.
pub fn service_failover_origin_name(topology: &Topology, service: &str) -> String {
    format!("{service}.{FAILOVER_ORIGIN_LABEL}.{}", topology.domain.app)
}

/// The label under the application name that holds the failover origins: one label
/// below it per service, so one wildcard certificate name covers them all.
const FAILOVER_ORIGIN_LABEL: &str = "failover-origin";

/// The name of one region's ALB, used by health checks and on its certificate.
pub fn regional_origin_name(topology: &Topology, region: &str) -> String {
    format!("{region}.origin.{}", topology.domain.app)
}

/// The public name of a service behind Global Accelerator.
pub fn accelerator_name(topology: &Topology, service: &str) -> String {
    format!("{service}.{}", topology.domain.app)
}

/// Database user of a service (IAM authentication): the service name as an identifier.
pub fn database_user(service: &str) -> String {
    service.replace('-', "_")
}

/// Stable private name of a data class's writer endpoint.
pub fn database_writer_host(topology: &Topology, data_class: &str) -> String {
    format!("{data_class}-writer.{}", private_zone(topology))
}

/// Stable private name of a data class's reader endpoint in the local region.
pub fn database_reader_host(topology: &Topology, data_class: &str) -> String {
    format!("{data_class}-reader.{}", private_zone(topology))
}

/// Environment variable name for a data class: `TOPOC_TABLE_IDEMPOTENCY_KEYS`.
pub fn environment_variable(kind: &str, data_class: &str) -> String {
    format!("TOPOC_{kind}_{}", data_class.replace('-', "_").to_uppercase())
}
