//! Names of the AWS resources topoc creates, derived from the spec.
//!
//! The checker validates these names against AWS length limits and the IR uses the
//! same functions, so a spec that passes `check` never produces a name AWS rejects.

use crate::spec::Topology;

/// An AWS name with its limit, for the checker.
pub struct LimitedName {
    pub kind: &'static str,
    pub name: String,
    pub limit: usize,
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

pub fn dynamodb_table(topology: &Topology, data_class: &str) -> String {
    format!("{}-{data_class}", topology.name)
}

pub fn s3_bucket(topology: &Topology, data_class: &str, region: &str) -> String {
    format!("{}-{data_class}-{region}", topology.name)
}

pub fn s3_replication_role(topology: &Topology, data_class: &str, region: &str) -> String {
    format!("{}-{data_class}-{region}-s3repl", topology.name)
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

pub fn log_bucket(topology: &Topology, region: &str) -> String {
    format!("{}-logs-{region}", topology.name)
}

/// Every generated name with a length limit, for the checker.
pub fn limited_names(topology: &Topology) -> Vec<(String, LimitedName)> {
    let mut names = Vec::new();
    let mut push = |pointer: String, kind: &'static str, name: String, limit: usize| {
        names.push((pointer, LimitedName { kind, name, limit }));
    };
    let longest_region = topology
        .regions
        .keys()
        .max_by_key(|region| (region.len(), region.as_str()))
        .cloned()
        .unwrap_or_default();
    push("/name".to_string(), "load balancer", load_balancer(topology), 32);
    push(
        "/name".to_string(),
        "log bucket",
        log_bucket(topology, &longest_region),
        63,
    );
    for service in topology.services.keys() {
        let pointer = format!("/services/{service}");
        push(pointer.clone(), "target group", target_group(topology, service), 32);
        push(
            pointer.clone(),
            "IAM role",
            task_role(topology, service, &longest_region),
            64,
        );
        push(
            pointer,
            "IAM role",
            execution_role(topology, service, &longest_region),
            64,
        );
    }
    for (class_name, data_class) in &topology.data {
        let pointer = format!("/data/{class_name}");
        match data_class.store {
            crate::spec::model::Store::Dynamodb => {
                push(pointer, "DynamoDB table", dynamodb_table(topology, class_name), 255);
            }
            crate::spec::model::Store::Aurora => {
                push(
                    pointer,
                    "Aurora cluster identifier",
                    aurora_cluster(topology, class_name, &longest_region),
                    63,
                );
            }
            crate::spec::model::Store::S3 => {
                push(
                    pointer.clone(),
                    "S3 bucket",
                    s3_bucket(topology, class_name, &longest_region),
                    63,
                );
                push(
                    pointer,
                    "IAM role",
                    s3_replication_role(topology, class_name, &longest_region),
                    64,
                );
            }
        }
    }
    names
}
