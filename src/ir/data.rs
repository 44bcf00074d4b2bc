//! The `data` root stack: DynamoDB global tables, Aurora global databases with their
//! master secret, S3 buckets with cross-region replication, private names for the
//! database endpoints, and the replication-lag alarms, each in the region that emits
//! the metric.

use std::collections::BTreeMap;

use serde::Serialize;

use super::context::{Context, database_name, remote_state, root_files};
use super::{Block, File, Stack, StackKind, identifier, provider_alias};
use crate::naming;
use crate::spec::model::{CapacityMode, Projection, S3Replication, Store};

/// How a block in the data stack refers to an output of the regions stack for a region.
fn regions_output(output: &str, region: &str) -> String {
    format!("data.terraform_remote_state.regions.outputs.{output}[\"{region}\"]")
}

fn kms_key(context: &Context<'_>, class: &str, region: &str) -> String {
    format!(
        "{}[\"{}\"]",
        regions_output("kms_key_arns", region),
        context.key_class_of(class)
    )
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
    alias: String,
    region: String,
    is_writer: bool,
    writer_region: String,
    writer_name: String,
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
    subnet_ids: String,
    vpc_id: String,
    tasks_security_group: String,
    private_zone: String,
    writer_host: String,
    reader_host: String,
    tags: Tags,
}

/// Where one bucket replicates to.
#[derive(Serialize)]
struct Destination {
    region: String,
    bucket: String,
    key_class: String,
    priority: usize,
}

/// One data class's bucket in a region: an entry of the region's `for_each` map.
#[derive(Serialize)]
struct S3Entry {
    class: String,
    bucket: String,
    residency: String,
    key_class: String,
    noncurrent_days: u32,
    replication_role: String,
    destinations: Vec<Destination>,
}

/// Every data bucket of one region, as `for_each` resources over a local map, so the
/// text grows with the number of buckets and not with buckets × resource blocks.
#[derive(Serialize)]
struct S3Region {
    alias: String,
    region: String,
    log_bucket: String,
    /// Provider aliases of every region with data buckets, whose versioning
    /// replication waits for.
    versioning_aliases: Vec<String>,
    /// The first region's block declares `data.aws_partition.current` for all.
    declares_partition: bool,
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

/// The one `locals` block of a file whose per-region blocks iterate a map or list of
/// entries (buckets, replication pairs): one block, so that adding a region or a data
/// class edits it and the blocks of that region only.
#[derive(Serialize)]
struct RegionLocals<'a, T> {
    regions: Vec<RegionEntries<'a, T>>,
}

#[derive(Serialize)]
struct RegionEntries<'a, T> {
    alias: String,
    entries: &'a [T],
}

impl<'a, T> RegionLocals<'a, T> {
    fn new(by_region: &'a BTreeMap<String, Vec<T>>) -> RegionLocals<'a, T> {
        RegionLocals {
            regions: by_region
                .iter()
                .map(|(region, entries)| RegionEntries {
                    alias: provider_alias(region),
                    entries,
                })
                .collect(),
        }
    }
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
    replication_lag_ms: u64,
    rpo_lag_ms: u64,
    evaluation_periods: u32,
    topic: String,
}

#[derive(Serialize)]
struct MonitoringRole {
    alias: String,
    name: String,
}

#[derive(Serialize)]
struct Outputs {
    tables: Vec<(String, String)>,
    global_clusters: Vec<(String, String)>,
    buckets: Vec<(String, Vec<(String, String)>)>,
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

pub(super) fn data_stack(context: &Context<'_>) -> Stack {
    let topology = context.topology;
    let observability = &topology.observability;
    let mut dynamodb_blocks = Vec::new();
    let mut aurora_blocks = Vec::new();
    let mut s3_blocks = Vec::new();
    let mut alarm_blocks = Vec::new();
    let mut autoscaling: Vec<(String, DynamodbAutoscaling)> = Vec::new();
    let tags = |class: &str| Tags {
        data_class: class.to_string(),
        residency: context.residency_tag_of(class),
    };

    // Source region → receiving regions → tables; every region is a source once any
    // table replicates, so a table's first replica in a region edits only the pairs.
    let replicates = context
        .data_classes_of(Store::Dynamodb)
        .any(|(class, _)| context.placements[class].len() > 1);
    let mut replication_by_source: BTreeMap<String, BTreeMap<Vec<String>, Vec<String>>> = if replicates {
        context
            .regions
            .iter()
            .map(|region| (region.clone(), BTreeMap::new()))
            .collect()
    } else {
        BTreeMap::new()
    };
    for (class, data_class) in context.data_classes_of(Store::Dynamodb) {
        let home = &context.home_of(class);
        let placement = &context.placements[class];
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
                kms_key: kms_key(context, class, home),
                key_class: context.key_class_of(class).to_string(),
                replicas: placement
                    .iter()
                    .filter(|region| region.as_str() != home)
                    .cloned()
                    .collect(),
                tags: tags(class),
            },
        ));
        if data_class.capacity.mode == CapacityMode::Provisioned {
            // AWS keeps the write settings of a provisioned global table equal across
            // its replicas; reads scale per region. Every replica gets both, so each
            // region's scaling stands on its own.
            let table = naming::dynamodb_table(topology, class);
            for region in placement {
                autoscaling.push((
                    region.clone(),
                    DynamodbAutoscaling {
                        name: format!("{}_{}", identifier(class), provider_alias(region)),
                        alias: provider_alias(region),
                        table: identifier(class),
                        target_percent: (data_class.capacity.target_utilization * 100.0).round() as u32,
                        dimensions: scaling_dimensions(&table, data_class),
                    },
                ));
            }
        }
        for region in placement {
            let receiving: Vec<String> = placement.iter().filter(|other| *other != region).cloned().collect();
            if receiving.is_empty() {
                continue;
            }
            replication_by_source
                .entry(region.clone())
                .or_default()
                .entry(receiving)
                .or_default()
                .push(naming::dynamodb_table(topology, class));
        }
    }
    // One alarm block per source region, with an instance per table and receiving
    // region: the alarms grow as tables × regions², but the text only as tables × regions.
    let replication_by_source: BTreeMap<String, Vec<ReplicationGroup>> = replication_by_source
        .into_iter()
        .map(|(region, groups)| {
            let groups = groups
                .into_iter()
                .map(|(receiving_regions, tables)| ReplicationGroup {
                    tables,
                    receiving_regions,
                })
                .collect();
            (region, groups)
        })
        .collect();
    if !replication_by_source.is_empty() {
        alarm_blocks.push(Block::new(
            "data/dynamodb_alarm_locals.tf.j2",
            None,
            &RegionLocals::new(&replication_by_source),
        ));
    }
    for region in replication_by_source.keys() {
        alarm_blocks.push(Block::new(
            "data/dynamodb_alarms.tf.j2",
            Some(region),
            &DynamodbAlarms {
                name: format!("dynamodb_replication_latency_{}", provider_alias(region)),
                alias: provider_alias(region),
                region: region.clone(),
                threshold_ms: observability.dynamodb_replication_latency_ms,
                evaluation_periods: observability.evaluation_periods,
                topic: regions_output("alarm_topic_arns", region),
            },
        ));
    }

    let has_aurora = context.data_classes_of(Store::Aurora).next().is_some();
    if has_aurora {
        aurora_blocks.push(Block::new(
            "data/rds_monitoring_role.tf.j2",
            Some(&topology.primary_region),
            &MonitoringRole {
                alias: provider_alias(&topology.primary_region),
                name: format!("{}-rds-monitoring", topology.name),
            },
        ));
    }
    for (class, data_class) in context.data_classes_of(Store::Aurora) {
        let placement = &context.placements[class];
        let writer = data_class.writer_region();
        let engine = data_class.engine.clone().expect("schema requires engine");
        let is_postgres = engine == "aurora-postgresql";
        let database = database_name(class, data_class);
        let master_username = "topoc_admin".to_string();
        aurora_blocks.push(Block::new(
            "data/aurora_global.tf.j2",
            Some(&writer),
            &AuroraGlobal {
                name: identifier(class),
                alias: provider_alias(&writer),
                identifier: naming::aurora_global_cluster(topology, class),
                engine: engine.clone(),
                engine_version: data_class
                    .engine_version
                    .clone()
                    .expect("schema requires engine_version"),
                database: database.clone(),
                secret_name: naming::aurora_master_secret(topology, class),
                master_username: master_username.clone(),
                password_version: data_class.master_password_version,
                kms_key: kms_key(context, class, &writer),
                replicas: placement
                    .iter()
                    .filter(|region| **region != writer)
                    .map(|region| Replica {
                        region: region.clone(),
                        kms_key: kms_key(context, class, region),
                    })
                    .collect(),
                tags: tags(class),
            },
        ));
        // The writer first: secondaries depend on its instances.
        let mut ordered: Vec<&String> = placement.iter().filter(|region| **region == writer).collect();
        ordered.extend(placement.iter().filter(|region| **region != writer));
        for region in ordered {
            let cluster_identifier = naming::aurora_cluster(topology, class, region);
            aurora_blocks.push(Block::new(
                "data/aurora_region.tf.j2",
                Some(region),
                &AuroraRegion {
                    name: format!("{}_{}", identifier(class), provider_alias(region)),
                    global_name: identifier(class),
                    alias: provider_alias(region),
                    region: region.clone(),
                    is_writer: *region == writer,
                    writer_region: writer.clone(),
                    writer_name: format!("{}_{}", identifier(class), provider_alias(&writer)),
                    cluster_identifier: cluster_identifier.clone(),
                    engine: engine.clone(),
                    engine_version: data_class
                        .engine_version
                        .clone()
                        .expect("schema requires engine_version"),
                    port: if is_postgres { 5432 } else { 3306 },
                    log_exports: if is_postgres {
                        vec!["postgresql"]
                    } else {
                        vec!["audit", "error", "slowquery"]
                    },
                    parameter_family: parameter_family(
                        &engine,
                        data_class.engine_version.as_deref().unwrap_or_default(),
                    ),
                    parameters: if is_postgres {
                        // Schema changes and slow statements: an audit trail without logging data.
                        vec![("log_min_duration_statement", "1000"), ("log_statement", "ddl")]
                    } else {
                        vec![
                            ("long_query_time", "1"),
                            ("server_audit_events", "CONNECT,QUERY_DDL"),
                            ("server_audit_logging", "1"),
                            ("slow_query_log", "1"),
                        ]
                    },
                    database: database.clone(),
                    master_username: master_username.clone(),
                    password_version: data_class.master_password_version,
                    instance_class: data_class.instance_class.clone(),
                    instances: (1..=data_class.instances).map(|index| index.to_string()).collect(),
                    write_forwarding: data_class.write_forwarding,
                    backup_retention_days: data_class.backup_retention_days,
                    kms_key: kms_key(context, class, region),
                    subnet_ids: regions_output("private_subnet_ids", region),
                    vpc_id: regions_output("vpc_ids", region),
                    tasks_security_group: regions_output("tasks_security_group_ids", region),
                    private_zone: regions_output("private_zone_ids", region),
                    writer_host: naming::database_writer_host(topology, class),
                    reader_host: naming::database_reader_host(topology, class),
                    tags: tags(class),
                },
            ));
            alarm_blocks.push(Block::new(
                "data/aurora_alarms.tf.j2",
                Some(region),
                &AuroraAlarms {
                    name: format!("{}_{}", identifier(class), provider_alias(region)),
                    alias: provider_alias(region),
                    region: region.clone(),
                    cluster_identifier,
                    replication_lag_ms: observability.aurora_replication_lag_ms,
                    rpo_lag_ms: observability.aurora_rpo_lag_ms,
                    evaluation_periods: observability.evaluation_periods,
                    topic: regions_output("alarm_topic_arns", region),
                },
            ));
        }
    }

    // Every region gets the bucket resources, with an empty map where no class has a
    // bucket, so the first bucket in a region edits the map and nothing else.
    let mut s3_regions: BTreeMap<String, Vec<S3Entry>> = if context.data_classes_of(Store::S3).next().is_some() {
        context
            .regions
            .iter()
            .map(|region| (region.clone(), Vec::new()))
            .collect()
    } else {
        BTreeMap::new()
    };
    for (class, data_class) in context.data_classes_of(Store::S3) {
        let placement = &context.placements[class];
        let hub = context
            .topology
            .hub_region(data_class)
            .expect("the checker guarantees a region for every class");
        for region in placement {
            let destinations: Vec<&String> = match data_class.replication {
                S3Replication::Bidirectional => placement.iter().filter(|other| *other != region).collect(),
                S3Replication::HubAndSpoke if *region == hub => {
                    placement.iter().filter(|other| *other != region).collect()
                }
                S3Replication::HubAndSpoke => vec![&hub],
            };
            s3_regions.entry(region.clone()).or_default().push(S3Entry {
                class: class.clone(),
                bucket: naming::s3_bucket(topology, class, region),
                residency: context.residency_tag_of(class),
                key_class: context.key_class_of(class).to_string(),
                noncurrent_days: data_class.noncurrent_version_expiration_days,
                replication_role: naming::s3_replication_role(topology, class, region),
                destinations: destinations
                    .into_iter()
                    .enumerate()
                    .map(|(priority, destination)| Destination {
                        region: destination.clone(),
                        bucket: naming::s3_bucket(topology, class, destination),
                        key_class: context.key_class_of(class).to_string(),
                        priority: priority + 1,
                    })
                    .collect(),
            });
        }
    }
    // Replication waits for versioning on the source and the destination buckets; every
    // region's configuration waits for all bucket regions, so adding a data class never
    // edits another region's `depends_on`.
    let versioning_aliases: Vec<String> = s3_regions.keys().map(|region| provider_alias(region)).collect();
    if !s3_regions.is_empty() {
        s3_blocks.push(Block::new(
            "data/s3_locals.tf.j2",
            None,
            &RegionLocals::new(&s3_regions),
        ));
    }
    for (index, region) in s3_regions.keys().enumerate() {
        s3_blocks.push(Block::new(
            "data/s3_buckets.tf.j2",
            Some(region),
            &S3Region {
                alias: provider_alias(region),
                region: region.clone(),
                log_bucket: regions_output("log_bucket_names", region),
                versioning_aliases: versioning_aliases.clone(),
                declares_partition: index == 0,
            },
        ));
    }

    let outputs = Outputs {
        tables: context
            .data_classes_of(Store::Dynamodb)
            .map(|(class, _)| (class.clone(), identifier(class)))
            .collect(),
        global_clusters: context
            .data_classes_of(Store::Aurora)
            .map(|(class, _)| (class.clone(), identifier(class)))
            .collect(),
        buckets: context
            .data_classes_of(Store::S3)
            .map(|(class, _)| {
                (
                    class.clone(),
                    context.placements[class]
                        .iter()
                        .map(|region| (region.clone(), provider_alias(region)))
                        .collect(),
                )
            })
            .collect(),
    };

    // One locals block holds every region's dimensions, so a table's first region or a
    // new index edits that block and adds only the new region's resources.
    let mut autoscaling_blocks = Vec::new();
    if !autoscaling.is_empty() {
        #[derive(Serialize)]
        struct AutoscalingLocals<'a> {
            tables: Vec<&'a DynamodbAutoscaling>,
        }
        autoscaling_blocks.push(Block::new(
            "data/dynamodb_autoscaling_locals.tf.j2",
            None,
            &AutoscalingLocals {
                tables: autoscaling.iter().map(|(_, scaling)| scaling).collect(),
            },
        ));
        for (region, scaling) in &autoscaling {
            autoscaling_blocks.push(Block::new("data/dynamodb_autoscaling.tf.j2", Some(region), scaling));
        }
    }
    let mut files = root_files(
        context.backend("data"),
        context.regions.iter().map(|region| context.provider(region)).collect(),
    );
    files.extend([File::hcl("remote_state.tf", vec![remote_state(context, "regions")])]);
    for (name, blocks) in [
        ("dynamodb.tf", dynamodb_blocks),
        ("dynamodb_autoscaling.tf", autoscaling_blocks),
        ("aurora.tf", aurora_blocks),
        ("s3.tf", s3_blocks),
        ("alarms.tf", alarm_blocks),
    ] {
        if !blocks.is_empty() {
            files.push(File::hcl(name, blocks));
        }
    }
    files.push(File::hcl(
        "outputs.tf",
        vec![Block::new("data/outputs.tf.j2", None, &outputs)],
    ));
    Stack {
        directory: "data".to_string(),
        kind: StackKind::Root,
        reads_from: vec!["regions".to_string()],
        files,
    }
}
