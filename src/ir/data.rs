//! The data classes. What spans regions is in the `data` root: DynamoDB global tables
//! (a table's replica set is one resource, in its home region) and Aurora global
//! clusters. Each region's copies are in the region's own root, lowered here by
//! [`region_data`]: its S3 buckets, its Aurora cluster (and, in the writer's region,
//! the master credentials), DynamoDB autoscaling and the replication-lag alarms of the
//! metrics the region emits.

use std::collections::BTreeMap;

use serde::Serialize;

use super::context::{
    Context, DATA_ROOT, IDENTITY_ROOT, KEYS_ROOT, REGION_MODULE, RegionData, RegionEntries, S3Bucket, database_name,
    key_arns_in, remote_output,
};
use super::hcl;
use super::markdown::Markdown;
use super::{Block, File, Stack, identifier, provider_alias};
use crate::naming;
use crate::spec::model::{CapacityMode, Projection, Store};

/// An output of the region module, in a region's root.
fn module_output(output: &str) -> String {
    format!("module.{REGION_MODULE}.{output}")
}

#[derive(Serialize)]
struct Tags {
    data_class: String,
    residency: String,
}

#[derive(Serialize)]
struct Replica {
    region: String,
    kms_key: String,
}

#[derive(Serialize)]
struct DynamodbTable {
    name: String,
    alias: String,
    table_name: String,
    description: String,
    partition_key: String,
    sort_key: Option<String>,
    /// Every key attribute of the table and its indexes, each once, with its type.
    attributes: Vec<(String, String)>,
    indexes: Vec<IndexView>,
    /// Provisioned units the table and each index start with; none when on-demand.
    provisioned: Option<ProvisionedUnits>,
    ttl_attribute: Option<String>,
    conflicts: String,
    kms_key: String,
    key_class: String,
    /// Replica regions; one `dynamic "replica"` block keeps a table's text the same
    /// size whatever the number of regions.
    replicas: Vec<String>,
    tags: Tags,
}

#[derive(Serialize)]
struct IndexView {
    name: String,
    partition_key: String,
    sort_key: Option<String>,
    projection_type: &'static str,
    non_key_attributes: Vec<String>,
}

#[derive(Serialize)]
struct ProvisionedUnits {
    read: u32,
    write: u32,
}

/// Target-tracking autoscaling of a provisioned table and its indexes in one region.
#[derive(Serialize)]
struct DynamodbAutoscaling {
    name: String,
    alias: String,
    table: String,
    target_percent: u32,
    dimensions: Vec<ScalingDimension>,
}

#[derive(Serialize)]
struct ScalingDimension {
    key: String,
    resource_id: String,
    scalable_dimension: String,
    metric: &'static str,
    min: u32,
    max: u32,
}

/// The key attributes of a DynamoDB class, each once: the table's keys, then each
/// index's keys in index order. The checker guarantees one type per attribute.
fn key_attributes(data_class: &crate::spec::model::DataClass) -> Vec<(String, String)> {
    let mut attributes: Vec<(String, String)> = Vec::new();
    let mut declare = |name: &str, key_type: &str| {
        if !attributes.iter().any(|(declared, _)| declared == name) {
            attributes.push((name.to_string(), key_type.to_string()));
        }
    };
    if let Some(key) = &data_class.partition_key {
        declare(key, &data_class.partition_key_type);
    }
    if let Some(key) = &data_class.sort_key {
        declare(key, &data_class.sort_key_type);
    }
    for index in data_class.indexes.values() {
        declare(&index.partition_key, &index.partition_key_type);
        if let Some(key) = &index.sort_key {
            declare(key, &index.sort_key_type);
        }
    }
    attributes
}

/// The autoscaled dimensions of a provisioned table: reads and writes of the table and
/// of each index.
fn scaling_dimensions(table: &str, data_class: &crate::spec::model::DataClass) -> Vec<ScalingDimension> {
    let (Some(read), Some(write)) = (data_class.capacity.read, data_class.capacity.write) else {
        return Vec::new();
    };
    let mut targets = vec![(String::from("table"), format!("table/{table}"), "table")];
    for index in data_class.indexes.keys() {
        targets.push((
            format!("index/{index}"),
            format!("table/{table}/index/{index}"),
            "index",
        ));
    }
    let mut dimensions = Vec::new();
    for (key, resource_id, kind) in targets {
        for (direction, range, units, metric) in [
            ("read", read, "ReadCapacityUnits", "DynamoDBReadCapacityUtilization"),
            ("write", write, "WriteCapacityUnits", "DynamoDBWriteCapacityUtilization"),
        ] {
            dimensions.push(ScalingDimension {
                key: format!("{key}/{direction}"),
                resource_id: resource_id.clone(),
                scalable_dimension: format!("dynamodb:{kind}:{units}"),
                metric,
                min: range.min,
                max: range.max,
            });
        }
    }
    dimensions
}

#[derive(Serialize)]
struct AuroraGlobal {
    name: String,
    alias: String,
    identifier: String,
    engine: String,
    engine_version: String,
    database: String,
    tags: Tags,
}

/// The master credentials of a global database, in its writer's root.
#[derive(Serialize)]
struct AuroraMaster {
    global_name: String,
    alias: String,
    identifier: String,
    secret_name: String,
    master_username: String,
    password_version: u32,
    kms_key: String,
    replicas: Vec<Replica>,
    tags: Tags,
}

#[derive(Serialize)]
struct AuroraRegion {
    name: String,
    global_name: String,
    global_cluster: String,
    alias: String,
    region: String,
    is_writer: bool,
    writer_region: String,
    cluster_identifier: String,
    engine: String,
    engine_version: String,
    port: u16,
    log_exports: Vec<&'static str>,
    parameter_family: String,
    parameters: Vec<(&'static str, &'static str)>,
    database: String,
    master_username: String,
    password_version: u32,
    instance_class: String,
    instances: Vec<String>,
    write_forwarding: bool,
    backup_retention_days: u32,
    kms_key: String,
    monitoring_role: String,
    subnet_ids: String,
    vpc_id: String,
    tasks_security_group: String,
    tags: Tags,
}

/// Every data bucket of one region, as `for_each` resources over a local map, so the
/// text grows with the number of buckets and not with buckets × resource blocks.
#[derive(Serialize)]
struct S3Region {
    alias: String,
    region: String,
    log_bucket: String,
    keys: String,
}

#[derive(Serialize)]
struct DynamodbAlarms {
    name: String,
    alias: String,
    region: String,
    threshold_ms: u64,
    evaluation_periods: u32,
    topic: String,
}

/// An object older than this that has not reached a destination bucket is late: the
/// 15 minutes S3 Replication Time Control commits to, for replication without it.
const S3_REPLICATION_LATENCY_SECONDS: u32 = 900;

/// One destination of one of the region's buckets.
#[derive(Serialize)]
struct S3ReplicationPair {
    key: String,
    bucket: String,
    destination: String,
    rule: String,
}

#[derive(Serialize)]
struct S3ReplicationAlarms {
    alias: String,
    pairs: Vec<S3ReplicationPair>,
    threshold_seconds: u32,
    evaluation_periods: u32,
    topic: String,
}

#[derive(Serialize)]
struct ReplicationGroup {
    tables: Vec<String>,
    receiving_regions: Vec<String>,
}

#[derive(Serialize)]
struct AuroraAlarms {
    name: String,
    alias: String,
    region: String,
    cluster_identifier: String,
    is_writer: bool,
    replication_lag_ms: u64,
    rpo_lag_ms: u64,
    evaluation_periods: u32,
    topic: String,
}

#[derive(Serialize)]
struct Outputs {
    tables: Vec<(String, String)>,
    /// Each table's class, identifier and home region.
    homes: Vec<(String, String, String)>,
    global_clusters: Vec<(String, String)>,
}

/// The cluster parameter group family of an Aurora engine version: `aurora-postgresql16`,
/// `aurora-mysql8.0`.
fn parameter_family(engine: &str, version: &str) -> String {
    if engine == "aurora-postgresql" {
        format!("aurora-postgresql{}", version.split('.').next().unwrap_or_default())
    } else {
        let mut parts = version.split('.');
        format!(
            "aurora-mysql{}.{}",
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default()
        )
    }
}

fn tags(context: &Context<'_>, class: &str) -> Tags {
    Tags {
        data_class: class.to_string(),
        residency: context.residency_tag_of(class),
    }
}

/// The user Aurora's master credentials name.
const MASTER_USERNAME: &str = "topoc_admin";

/// The `data` root, when the topology has a DynamoDB or Aurora class.
pub(super) fn data_root(context: &Context<'_>) -> Option<Stack> {
    let topology = context.topology;
    let mut dynamodb_blocks = Vec::new();
    let mut aurora_blocks = Vec::new();
    let mut provider_regions = std::collections::BTreeSet::new();
    for (class, data_class) in context.data_classes_of(Store::Dynamodb) {
        let home = &context.home_of(class);
        provider_regions.insert(home.clone());
        dynamodb_blocks.push(Block::new(
            "data/dynamodb_table.tf.j2",
            Some(home),
            &DynamodbTable {
                name: identifier(class),
                alias: provider_alias(home),
                table_name: naming::dynamodb_table(topology, class),
                description: data_class.description.clone().unwrap_or_default(),
                partition_key: data_class.partition_key.clone().expect("schema requires partition_key"),
                sort_key: data_class.sort_key.clone(),
                attributes: key_attributes(data_class),
                indexes: data_class
                    .indexes
                    .iter()
                    .map(|(index_name, index)| IndexView {
                        name: index_name.clone(),
                        partition_key: index.partition_key.clone(),
                        sort_key: index.sort_key.clone(),
                        projection_type: index.projection.aws_type(),
                        non_key_attributes: match &index.projection {
                            Projection::Include(attributes) => attributes.clone(),
                            Projection::Kind(_) => Vec::new(),
                        },
                    })
                    .collect(),
                provisioned: match (
                    data_class.capacity.mode,
                    data_class.capacity.read,
                    data_class.capacity.write,
                ) {
                    (CapacityMode::Provisioned, Some(read), Some(write)) => Some(ProvisionedUnits {
                        read: read.min,
                        write: write.min,
                    }),
                    _ => None,
                },
                ttl_attribute: data_class.ttl_attribute.clone(),
                conflicts: data_class
                    .conflicts
                    .map(|model| model.as_str().to_string())
                    .unwrap_or_default(),
                kms_key: context.key_arn(class, home),
                key_class: context.key_class_of(class).to_string(),
                replicas: context.placements[class]
                    .iter()
                    .filter(|region| region.as_str() != home)
                    .cloned()
                    .collect(),
                tags: tags(context, class),
            },
        ));
    }
    for (class, data_class) in context.data_classes_of(Store::Aurora) {
        let writer = data_class.writer_region();
        provider_regions.insert(writer.clone());
        aurora_blocks.push(Block::new(
            "data/aurora_global.tf.j2",
            Some(&writer),
            &AuroraGlobal {
                name: identifier(class),
                alias: provider_alias(&writer),
                identifier: naming::aurora_global_cluster(topology, class),
                engine: data_class.engine.clone().expect("schema requires engine"),
                engine_version: data_class
                    .engine_version
                    .clone()
                    .expect("schema requires engine_version"),
                database: database_name(class, data_class),
                tags: tags(context, class),
            },
        ));
    }
    if provider_regions.is_empty() {
        return None;
    }
    let outputs = Outputs {
        tables: context
            .data_classes_of(Store::Dynamodb)
            .map(|(class, _)| (class.clone(), identifier(class)))
            .collect(),
        homes: context
            .data_classes_of(Store::Dynamodb)
            .map(|(class, _)| (class.clone(), identifier(class), context.home_of(class)))
            .collect(),
        global_clusters: context
            .data_classes_of(Store::Aurora)
            .map(|(class, _)| (class.clone(), identifier(class)))
            .collect(),
    };
    let reads: Vec<String> = if dynamodb_blocks.is_empty() {
        Vec::new()
    } else {
        vec![KEYS_ROOT.to_string()]
    };
    let mut files = Vec::new();
    for (name, blocks) in [("dynamodb.tf", dynamodb_blocks), ("aurora.tf", aurora_blocks)] {
        if !blocks.is_empty() {
            files.push(File::hcl(name, blocks));
        }
    }
    files.push(File::hcl(
        "outputs.tf",
        vec![Block::new("data/outputs.tf.j2", None, &outputs)],
    ));
    // The AWS provider reads each replica's settings (point-in-time recovery, deletion
    // protection) through a connection to the replica's region: planning the table
    // needs every region it has a replica in.
    let replica_regions: std::collections::BTreeSet<&String> = context
        .data_classes_of(Store::Dynamodb)
        .flat_map(|(class, _)| context.placements[class].iter())
        .collect();
    let implicit_needs: Vec<(String, String)> = replica_regions
        .into_iter()
        .filter(|region| !provider_regions.contains(*region))
        .map(|region| {
            (
                region.clone(),
                "DynamoDB replicas (the AWS provider reads each replica in its region)".to_string(),
            )
        })
        .collect();
    let provider_regions: Vec<String> = provider_regions.into_iter().collect();
    let root = context.root(
        DATA_ROOT,
        None,
        &provider_regions,
        &reads,
        Markdown::literal(
            "what spans regions of the data: DynamoDB global tables with their replicas, Aurora global clusters",
        ),
    );
    Some(super::context::Root { implicit_needs, ..root }.into_stack(files))
}

/// The data resources of one region's root.
pub(super) fn region_data(context: &Context<'_>, region: &str) -> RegionData {
    let topology = context.topology;
    let observability = &topology.observability;
    let alias = provider_alias(region);
    let topic = module_output("alarm_topic_arn");
    let mut files = Vec::new();

    // S3: the region's buckets; their replication is in the replication root.
    // Every region gets the bucket resources once any class has a bucket, over an empty
    // map where none has one here, so a region's first bucket edits the map only.
    let region_buckets: Option<&Vec<S3Bucket>> = context.s3_buckets().get(region);
    let has_buckets = region_buckets.is_some();
    if let Some(region_buckets) = region_buckets {
        files.push(File::hcl(
            "s3.tf",
            vec![
                Block::new(
                    "data/s3_locals.tf.j2",
                    None,
                    &RegionEntries::new(region, region_buckets),
                ),
                Block::new(
                    "data/s3_buckets.tf.j2",
                    Some(region),
                    &S3Region {
                        alias: alias.clone(),
                        region: region.to_string(),
                        log_bucket: module_output("log_bucket_name"),
                        keys: key_arns_in(region),
                    },
                ),
            ],
        ));
    }

    // DynamoDB: autoscaling of the region's replica of each provisioned table, and the
    // replication-latency alarms of the tables replicated from here.
    let mut autoscaling = Vec::new();
    let mut replication: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (class, data_class) in context.data_classes_of(Store::Dynamodb) {
        let placement = &context.placements[class];
        if !placement.iter().any(|placed| placed == region) {
            continue;
        }
        let table = naming::dynamodb_table(topology, class);
        if data_class.capacity.mode == CapacityMode::Provisioned {
            // AWS keeps the write settings of a provisioned global table equal across
            // its replicas; reads scale per region. Every replica gets both, so each
            // region's scaling stands on its own.
            autoscaling.push(DynamodbAutoscaling {
                name: identifier(class),
                alias: alias.clone(),
                table: identifier(class),
                target_percent: (data_class.capacity.target_utilization * 100.0).round() as u32,
                dimensions: scaling_dimensions(&table, data_class),
            });
        }
        let receiving: Vec<String> = placement.iter().filter(|other| *other != region).cloned().collect();
        if !receiving.is_empty() {
            replication.entry(receiving).or_default().push(table);
        }
    }
    let mut dynamodb_blocks = Vec::new();
    if !autoscaling.is_empty() {
        #[derive(Serialize)]
        struct AutoscalingLocals<'a> {
            tables: &'a [DynamodbAutoscaling],
        }
        dynamodb_blocks.push(Block::new(
            "data/dynamodb_autoscaling_locals.tf.j2",
            None,
            &AutoscalingLocals { tables: &autoscaling },
        ));
        for scaling in &autoscaling {
            dynamodb_blocks.push(Block::new("data/dynamodb_autoscaling.tf.j2", Some(region), scaling));
        }
    }
    let mut alarm_blocks = Vec::new();
    if !replication.is_empty() {
        let groups: Vec<ReplicationGroup> = replication
            .into_iter()
            .map(|(receiving_regions, tables)| ReplicationGroup {
                tables,
                receiving_regions,
            })
            .collect();
        alarm_blocks.push(Block::new(
            "data/dynamodb_alarm_locals.tf.j2",
            None,
            &RegionEntries::new(region, &groups),
        ));
        alarm_blocks.push(Block::new(
            "data/dynamodb_alarms.tf.j2",
            Some(region),
            &DynamodbAlarms {
                name: "dynamodb_replication_latency".to_string(),
                alias: alias.clone(),
                region: region.to_string(),
                threshold_ms: observability.dynamodb_replication_latency_ms,
                evaluation_periods: observability.evaluation_periods,
                topic: topic.clone(),
            },
        ));
    }

    // Aurora: the region's cluster of each global database; the writer's root also
    // makes the master credentials.
    let mut aurora_blocks = Vec::new();
    let mut aurora_clusters = Vec::new();
    for (class, data_class) in context.data_classes_of(Store::Aurora) {
        let placement = &context.placements[class];
        if !placement.iter().any(|placed| placed == region) {
            continue;
        }
        let writer = data_class.writer_region();
        let is_writer = writer == region;
        let engine = data_class.engine.clone().expect("schema requires engine");
        let engine_version = data_class
            .engine_version
            .clone()
            .expect("schema requires engine_version");
        let is_postgres = engine == "aurora-postgresql";
        let database = database_name(class, data_class);
        let global_name = identifier(class);
        if is_writer {
            aurora_blocks.push(Block::new(
                "data/aurora_master.tf.j2",
                Some(region),
                &AuroraMaster {
                    global_name: global_name.clone(),
                    alias: alias.clone(),
                    identifier: naming::aurora_global_cluster(topology, class),
                    secret_name: naming::aurora_master_secret(topology, class),
                    master_username: MASTER_USERNAME.to_string(),
                    password_version: data_class.master_password_version,
                    kms_key: context.key_arn(class, region),
                    replicas: placement
                        .iter()
                        .filter(|other| *other != region)
                        .map(|other| Replica {
                            region: other.clone(),
                            kms_key: context.key_arn(class, other),
                        })
                        .collect(),
                    tags: tags(context, class),
                },
            ));
        }
        let cluster_identifier = naming::aurora_cluster(topology, class, region);
        let name = identifier(class);
        aurora_clusters.push((class.clone(), name.clone()));
        aurora_blocks.push(Block::new(
            "data/aurora_region.tf.j2",
            Some(region),
            &AuroraRegion {
                name: name.clone(),
                global_name,
                global_cluster: format!(
                    "{}[{}]",
                    remote_output(DATA_ROOT, "aurora_global_cluster_ids"),
                    hcl::quote(class)
                ),
                alias: alias.clone(),
                region: region.to_string(),
                is_writer,
                writer_region: writer.clone(),
                cluster_identifier: cluster_identifier.clone(),
                parameter_family: parameter_family(&engine, &engine_version),
                engine,
                engine_version,
                port: if is_postgres { 5432 } else { 3306 },
                log_exports: if is_postgres {
                    vec!["postgresql"]
                } else {
                    vec!["audit", "error", "slowquery"]
                },
                parameters: {
                    // Schema changes and slow statements: an audit trail without logging data.
                    let mut parameters = if is_postgres {
                        vec![("log_min_duration_statement", "1000"), ("log_statement", "ddl")]
                    } else {
                        vec![
                            ("long_query_time", "1"),
                            ("server_audit_events", "CONNECT,QUERY_DDL"),
                            ("server_audit_logging", "1"),
                            ("slow_query_log", "1"),
                        ]
                    };
                    // Forwarded writes need a consistency mode on every cluster (Aurora MySQL
                    // forwards nothing without one); session consistency lets a session
                    // read its own forwarded writes.
                    if data_class.write_forwarding {
                        parameters.push(if is_postgres {
                            ("apg_write_forward.consistency_mode", "session")
                        } else {
                            ("aurora_replica_read_consistency", "session")
                        });
                        parameters.sort();
                    }
                    parameters
                },
                database,
                master_username: MASTER_USERNAME.to_string(),
                password_version: data_class.master_password_version,
                instance_class: data_class.instance_class.clone(),
                instances: (1..=data_class.instances).map(|index| index.to_string()).collect(),
                write_forwarding: data_class.write_forwarding,
                backup_retention_days: data_class.backup_retention_days,
                kms_key: context.key_arn(class, region),
                monitoring_role: remote_output(IDENTITY_ROOT, "rds_monitoring_role_arn"),
                subnet_ids: module_output("private_subnet_ids"),
                vpc_id: module_output("vpc_id"),
                tasks_security_group: module_output("tasks_security_group_id"),
                tags: tags(context, class),
            },
        ));
        alarm_blocks.push(Block::new(
            "data/aurora_alarms.tf.j2",
            Some(region),
            &AuroraAlarms {
                name: name.clone(),
                alias: alias.clone(),
                region: region.to_string(),
                cluster_identifier,
                is_writer,
                replication_lag_ms: observability.aurora_replication_lag_ms,
                rpo_lag_ms: observability.aurora_rpo_lag_ms,
                evaluation_periods: observability.evaluation_periods,
                topic: topic.clone(),
            },
        ));
    }
    // S3: an alarm per destination of each of the region's buckets, over an empty map in
    // a region without buckets (as the buckets themselves), so a region's first
    // replicating bucket edits the map only.
    if let Some(region_buckets) = context.s3_buckets().get(region) {
        let pairs: Vec<S3ReplicationPair> = region_buckets
            .iter()
            .flat_map(|bucket| {
                bucket.destinations.iter().map(move |destination| S3ReplicationPair {
                    key: naming::replication_alarm_key(&bucket.bucket, &destination.region),
                    bucket: bucket.bucket.clone(),
                    destination: destination.bucket.clone(),
                    rule: naming::s3_replication_rule(&destination.region),
                })
            })
            .collect();
        alarm_blocks.push(Block::new(
            "data/s3_replication_alarms.tf.j2",
            Some(region),
            &S3ReplicationAlarms {
                alias: alias.clone(),
                pairs,
                threshold_seconds: S3_REPLICATION_LATENCY_SECONDS,
                evaluation_periods: observability.evaluation_periods,
                topic: topic.clone(),
            },
        ));
    }
    for (name, blocks) in [
        ("dynamodb_autoscaling.tf", dynamodb_blocks),
        ("aurora.tf", aurora_blocks),
        ("data_alarms.tf", alarm_blocks),
    ] {
        if !blocks.is_empty() {
            files.push(File::hcl(name, blocks));
        }
    }
    RegionData {
        files,
        aurora_clusters,
        has_buckets,
    }
}
