//! Rules about data classes: residency, placement, Aurora writers, what DynamoDB
//! global tables can and cannot hold, and S3 hubs.

use super::{Context, choices_in_backticks, list_in_backticks};
use crate::aws::regions as aws_regions;
use crate::diag::{self, Code, Diagnostic};
use std::collections::BTreeMap;

use crate::spec::model::{CapacityMode, ConflictModel, Consistency, DataClass, S3Replication, Store};

pub(super) fn check(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    check_residency_classes(context, diagnostics);
    let topology = context.topology;
    let used_classes: std::collections::BTreeSet<&str> = topology
        .services
        .values()
        .flat_map(|service| service.data.names())
        .collect();
    // While a service names an unknown class (TOPO0036), that reference may be meant
    // for an unused one: the error comes first, the warning after it is fixed.
    let unknown_reference = used_classes.iter().any(|listed| !topology.data.contains_key(*listed));
    for (name, data_class) in &topology.data {
        let residency_known = check_residency(context, name, data_class, diagnostics);
        check_explicit_regions(context, name, data_class, diagnostics);
        let placement = topology.placement(data_class);
        if residency_known && placement.is_empty() {
            let permitted = data_class
                .residency
                .as_ref()
                .and_then(|class| topology.residency.get(class))
                .map(|regions| list_in_backticks(regions.iter().map(String::as_str)))
                .unwrap_or_else(|| "any region".to_string());
            diagnostics.push(
                Diagnostic::new(
                    Code::ResidencyUnsatisfiable,
                    context.key(&["data", name]),
                    format!("no topology region may hold `{name}`: its residency permits {permitted}"),
                )
                .with_hint("add a permitted region to `regions`, or change the class's `residency`"),
            );
        } else if placement.len() == 1 && topology.regions.len() > 1 {
            diagnostics.push(
                Diagnostic::new(
                    Code::SingleRegionData,
                    context.key(&["data", name]),
                    format!(
                        "`{name}` lives only in `{}`, so it has no replica in another region",
                        placement[0]
                    ),
                )
                .with_hint("add another permitted region to the topology if the class must survive a region loss"),
            );
        }
        match data_class.store {
            Store::Aurora => check_aurora(context, name, data_class, &placement, diagnostics),
            Store::Dynamodb => check_dynamodb(context, name, data_class, &placement, diagnostics),
            Store::S3 => check_s3(context, name, data_class, &placement, diagnostics),
        }
        if !used_classes.contains(name.as_str()) && !unknown_reference {
            diagnostics.push(
                Diagnostic::new(
                    Code::UnusedDataClass,
                    context.key(&["data", name]),
                    format!("no service uses data class `{name}`"),
                )
                .with_hint(format!(
                    "list `{name}` under the `data` of the services that read or write it"
                )),
            );
        }
    }
}

/// Residency classes no data class uses, and permitted regions outside the topology.
pub(super) fn check_residency_classes(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let topology = context.topology;
    // While a data class names an unknown residency class (TOPO0024), that reference may
    // be meant for any defined one.
    let unknown_reference = topology.data.values().any(|data_class| {
        data_class
            .residency
            .as_ref()
            .is_some_and(|named| !topology.residency.contains_key(named))
    });
    for (class, permitted) in &topology.residency {
        let used = topology
            .data
            .values()
            .any(|data_class| data_class.residency.as_deref() == Some(class));
        if !used && !unknown_reference {
            diagnostics.push(
                Diagnostic::new(
                    Code::UnusedResidencyClass,
                    context.key(&["residency", class]),
                    format!("no data class uses residency class `{class}`"),
                )
                .with_hint(format!(
                    "set `residency: {class}` on the data classes it governs, or remove the class"
                )),
            );
        }
        // With no permitted region in the topology, the classes that use it are errors
        // (TOPO0025) that name the regions already.
        if !permitted.iter().any(|region| topology.regions.contains_key(region)) {
            continue;
        }
        for (position, region) in permitted.iter().enumerate() {
            if aws_regions::find(region).is_none() || topology.regions.contains_key(region) {
                continue;
            }
            diagnostics.push(
                Diagnostic::new(
                    Code::ResidencyRegionOutsideTopology,
                    context.value(&["residency", class, &position.to_string()]),
                    format!(
                        "residency class `{class}` permits `{region}`, which is not a region of this topology: no data is placed there"
                    ),
                )
                .with_hint(format!(
                    "add `{region}` under `regions` if the topology should run there, or remove it from `{class}`"
                )),
            );
        }
    }
}

/// Returns false when the residency class is unknown (placement is then meaningless).
fn check_residency(
    context: &Context<'_>,
    name: &str,
    data_class: &DataClass,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let Some(class) = &data_class.residency else {
        return true;
    };
    if context.topology.residency.contains_key(class) {
        return true;
    }
    let known = context.topology.residency.keys().map(String::as_str);
    let hint = diag::did_you_mean(class, known).unwrap_or_else(|| {
        if context.topology.residency.is_empty() {
            format!("define it under a top-level `residency` mapping, e.g. `residency: {{ {class}: [eu-west-1, eu-central-1] }}`")
        } else {
            format!(
                "use one of {}, or define `{class}` under `residency`",
                choices_in_backticks(context.topology.residency.keys().map(String::as_str))
            )
        }
    });
    diagnostics.push(
        Diagnostic::new(
            Code::UnknownResidencyClass,
            context.value(&["data", name, "residency"]),
            format!("residency class `{class}` is not defined"),
        )
        .with_hint(hint),
    );
    false
}

fn check_explicit_regions(
    context: &Context<'_>,
    name: &str,
    data_class: &DataClass,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(regions) = &data_class.regions else {
        return;
    };
    let topology = context.topology;
    let permitted_by_class = data_class
        .residency
        .as_ref()
        .and_then(|class| topology.residency.get(class).map(|regions| (class, regions)));
    for (position, region) in regions.iter().enumerate() {
        let span = context.value(&["data", name, "regions", &position.to_string()]);
        if aws_regions::find(region).is_none() {
            diagnostics.push(
                Diagnostic::new(
                    Code::UnknownRegion,
                    span,
                    format!("`{region}` is not a known AWS region"),
                )
                .with_optional_hint(diag::did_you_mean(region, aws_regions::codes())),
            );
        } else if !topology.regions.contains_key(region) {
            diagnostics.push(
                Diagnostic::new(
                    Code::ReplicaOutsideResidency,
                    span,
                    format!("`{name}` would be placed in `{region}`, which is not a region of this topology"),
                )
                .with_optional_hint(
                    diag::did_you_mean(region, topology.regions.keys().map(String::as_str))
                        .or_else(|| Some(format!("add `{region}` under `regions`, or remove it from this list"))),
                ),
            );
        } else if let Some((class, permitted)) = permitted_by_class
            && !permitted.contains(region)
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::ReplicaOutsideResidency,
                    span,
                    format!("`{name}` would be replicated to `{region}`, outside its residency class `{class}`"),
                )
                .with_label(
                    context.value(&["data", name, "residency"]),
                    format!(
                        "`{class}` permits {}",
                        list_in_backticks(permitted.iter().map(String::as_str))
                    ),
                )
                .with_hint(format!(
                    "remove `{region}`; class `{class}` data may only live in {}",
                    choices_in_backticks(permitted.iter().map(String::as_str))
                )),
            );
        }
    }
}

/// One primary and at most 10 secondary clusters (Aurora user guide, "Configuration
/// requirements of an Amazon Aurora global database", checked 2026-11-27).
const AURORA_MAX_REGIONS: usize = 11;

fn check_aurora(
    context: &Context<'_>,
    name: &str,
    data_class: &DataClass,
    placement: &[String],
    diagnostics: &mut Vec<Diagnostic>,
) {
    if placement.len() > AURORA_MAX_REGIONS {
        let span = if data_class.regions.is_some() {
            context.value(&["data", name, "regions"])
        } else if data_class.residency.is_some() {
            context.value(&["data", name, "residency"])
        } else {
            context.key(&["data", name])
        };
        diagnostics.push(
            Diagnostic::new(
                Code::AuroraRegionLimit,
                span,
                format!(
                    "Aurora data class `{name}` would need a cluster in {} regions; a global database spans at most {AURORA_MAX_REGIONS} (one primary, 10 secondaries)",
                    placement.len()
                ),
            )
            .with_hint(format!("list at most {AURORA_MAX_REGIONS} regions under `data.{name}.regions`")),
        );
    }
    let Some(writer) = &data_class.writer else {
        return;
    };
    let writers = writer.regions();
    let writer_span = context.value(&["data", name, "writer"]);
    if writers.len() != 1 {
        let found = if writers.is_empty() {
            "none".to_string()
        } else {
            list_in_backticks(writers.iter().copied())
        };
        diagnostics.push(
            Diagnostic::new(
                Code::AuroraWriterCount,
                writer_span,
                format!("Aurora data class `{name}` must have exactly one writer region, found {found}"),
            )
            .with_hint(
                "name one region in `writer`; use `write_forwarding: true` for writes issued in the other regions",
            ),
        );
    } else {
        let region = writers[0];
        let topology = context.topology;
        if !topology.regions.contains_key(region) {
            diagnostics.push(
                Diagnostic::new(
                    Code::AuroraWriterPlacement,
                    writer_span,
                    format!("writer region `{region}` of `{name}` is not a region of this topology"),
                )
                .with_optional_hint(
                    diag::did_you_mean(region, topology.regions.keys().map(String::as_str)).or_else(|| {
                        Some(format!(
                            "use one of {}",
                            choices_in_backticks(topology.regions.keys().map(String::as_str))
                        ))
                    }),
                ),
            );
        } else if !placement.iter().any(|permitted| permitted == region) {
            let reason = match &data_class.residency {
                Some(class) => format!("its residency class `{class}` does not permit it"),
                None => "it is not in the class's `regions`".to_string(),
            };
            diagnostics.push(
                Diagnostic::new(
                    Code::AuroraWriterPlacement,
                    writer_span,
                    format!("writer region `{region}` of `{name}` is not allowed: {reason}"),
                )
                .with_optional_hint(if placement.is_empty() {
                    None
                } else {
                    Some(format!(
                        "use one of {}",
                        choices_in_backticks(placement.iter().map(String::as_str))
                    ))
                }),
            );
        }
    }
    if data_class.write_forwarding
        && let (Some(engine), Some(version)) = (&data_class.engine, &data_class.engine_version)
        && !supports_write_forwarding(engine, version)
    {
        diagnostics.push(
            Diagnostic::new(
                Code::WriteForwardingUnsupported,
                context.value(&["data", name, "write_forwarding"]),
                format!("{engine} {version} cannot forward writes from every region's own cluster"),
            )
            .with_label(
                context.value(&["data", name, "engine_version"]),
                "engine version set here",
            )
            .with_hint(
                "use Aurora PostgreSQL 14.13+, 15.8+ or 16.4+, or Aurora MySQL 3.04+, or turn write forwarding off",
            ),
        );
    }
    if data_class.instance_class.starts_with("db.t") {
        diagnostics.push(
            Diagnostic::new(
                Code::InvalidValue,
                context.value(&["data", name, "instance_class"]),
                format!(
                    "`{}` is a burstable class, which Aurora global databases do not support",
                    data_class.instance_class
                ),
            )
            .with_hint("use a memory-optimized class such as `db.r6g.large` or `db.r7g.large`"),
        );
    }
}

/// Whether an engine version forwards writes both ways topoc configures them: global
/// write forwarding (a secondary cluster's readers send writes to the primary region)
/// and local write forwarding (a cluster's readers send writes to its own writer), so
/// that every region's tasks write through their own cluster's reader endpoint whichever
/// region holds the writer. Aurora user guide, "Using write forwarding in an Aurora
/// PostgreSQL global database" (PostgreSQL 16+, 15.4+, 14.9+), "Local write forwarding
/// in Aurora PostgreSQL" (16.4+, 15.8+, 14.13+), and "Using local write forwarding in an
/// Aurora MySQL DB cluster" (3.04+); checked 2026-12-02.
pub fn supports_write_forwarding(engine: &str, version: &str) -> bool {
    let numbers: Vec<u32> = version.split(['.', '_']).map_while(|part| part.parse().ok()).collect();
    match engine {
        "aurora-postgresql" => match numbers.as_slice() {
            [major, ..] if *major >= 17 => true,
            [16, minor, ..] => *minor >= 4,
            [15, minor, ..] => *minor >= 8,
            [14, minor, ..] => *minor >= 13,
            _ => false,
        },
        "aurora-mysql" => {
            // Aurora MySQL versions read `8.0.mysql_aurora.3.05.2`.
            let aurora_version: Vec<u32> = version
                .split("mysql_aurora.")
                .nth(1)
                .map(|rest| rest.split('.').map_while(|part| part.parse().ok()).collect())
                .unwrap_or_default();
            matches!(aurora_version.as_slice(), [3, minor, ..] if *minor >= 4)
                || matches!(aurora_version.as_slice(), [major, ..] if *major > 3)
        }
        _ => false,
    }
}

fn check_dynamodb(
    context: &Context<'_>,
    name: &str,
    data_class: &DataClass,
    placement: &[String],
    diagnostics: &mut Vec<Diagnostic>,
) {
    if data_class.consistency == Consistency::Strong {
        diagnostics.push(
            Diagnostic::new(
                Code::StrongConsistencyInDynamodb,
                context.value(&["data", name, "consistency"]),
                format!("`{name}` needs strong consistency across regions, which DynamoDB global tables do not give"),
            )
            .with_hint("move the class to `store: aurora` with one writer region"),
        );
    }
    if data_class.unique {
        diagnostics.push(
            Diagnostic::new(
                Code::StrongConsistencyInDynamodb,
                context.value(&["data", name, "unique"]),
                format!("`{name}` needs values unique across regions, which DynamoDB global tables cannot enforce"),
            )
            .with_hint("move the class to `store: aurora`, where a unique index enforces it in one writer"),
        );
    }
    check_dynamodb_table_settings(context, name, data_class, diagnostics);
    if data_class.conflicts == Some(ConflictModel::InPlaceCounter) && placement.len() > 1 {
        diagnostics.push(
            Diagnostic::new(
                Code::InPlaceCounter,
                context.value(&["data", name, "conflicts"]),
                format!(
                    "`{name}` is a counter incremented in place in {} regions; concurrent increments are lost",
                    placement.len()
                ),
            )
            .with_hint("use `conflicts: per-region-counter`: one item per region, summed when read"),
        );
    }
}

/// Global secondary indexes per table (DynamoDB developer guide, "Service, account and
/// table quotas": 20 per table by default, adjustable).
const MAX_GLOBAL_SECONDARY_INDEXES: usize = 20;

fn check_dynamodb_table_settings(
    context: &Context<'_>,
    name: &str,
    data_class: &DataClass,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let capacity = &data_class.capacity;
    let capacity_span = |field: &str| {
        if context.is_written(&["data", name, "capacity", field]) {
            context.value(&["data", name, "capacity", field])
        } else {
            context.key(&["data", name, "capacity"])
        }
    };
    match capacity.mode {
        CapacityMode::Provisioned => {
            for (field, range) in [("read", capacity.read), ("write", capacity.write)] {
                match range {
                    None => diagnostics.push(
                        Diagnostic::new(
                            Code::DynamodbTableSettings,
                            capacity_span("mode"),
                            format!("provisioned capacity of `{name}` needs a `{field}` unit range"),
                        )
                        .with_hint(format!("add `{field}: {{ min: 5, max: 100 }}` under `capacity`")),
                    ),
                    Some(range) if range.min > range.max => diagnostics.push(
                        Diagnostic::new(
                            Code::DynamodbTableSettings,
                            capacity_span(field),
                            format!(
                                "the {field} units of `{name}` run from {} to {}: the minimum is above the maximum",
                                range.min, range.max
                            ),
                        )
                        .with_hint("swap `min` and `max`"),
                    ),
                    Some(_) => {}
                }
            }
        }
        CapacityMode::OnDemand => {
            for field in ["read", "write"] {
                if context.is_written(&["data", name, "capacity", field]) {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::DynamodbTableSettings,
                            context.key(&["data", name, "capacity", field]),
                            format!("`{name}` is on-demand, so a `{field}` unit range has no effect"),
                        )
                        .with_hint("remove it, or set `capacity.mode: provisioned`"),
                    );
                }
            }
        }
    }
    if data_class.indexes.len() > MAX_GLOBAL_SECONDARY_INDEXES {
        diagnostics.push(
            Diagnostic::new(
                Code::DynamodbTableSettings,
                context.key(&["data", name, "indexes"]),
                format!(
                    "`{name}` has {} global secondary indexes; a table holds at most {MAX_GLOBAL_SECONDARY_INDEXES} by default",
                    data_class.indexes.len()
                ),
            )
            .with_hint("ask AWS for a higher \"Global secondary indexes per table\" quota, or merge indexes"),
        );
    }
    // Every key attribute is declared once with one type.
    let mut types: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    let mut declare = |attribute: &str, key_type: &str, path: Vec<String>, diagnostics: &mut Vec<Diagnostic>| {
        match types.get(attribute) {
            Some((first_type, first_path)) if first_type != key_type => {
                let segments: Vec<&str> = path.iter().map(String::as_str).collect();
                let first_segments: Vec<&str> = first_path.iter().map(String::as_str).collect();
                diagnostics.push(
                    Diagnostic::new(
                        Code::DynamodbTableSettings,
                        context.value(&segments),
                        format!("attribute `{attribute}` of `{name}` is a key of type {key_type} here and of type {first_type} elsewhere"),
                    )
                    .with_label(context.value(&first_segments), format!("type {first_type} here"))
                    .with_hint("a table declares each key attribute once: give both keys the same type, or use another attribute"),
                );
            }
            Some(_) => {}
            None => {
                types.insert(attribute.to_string(), (key_type.to_string(), path));
            }
        }
    };
    let path = |fields: &[&str]| -> Vec<String> {
        ["data", name]
            .iter()
            .chain(fields)
            .map(|segment| segment.to_string())
            .collect()
    };
    if let Some(key) = data_class.partition_key.as_deref() {
        declare(
            key,
            &data_class.partition_key_type,
            path(&["partition_key"]),
            diagnostics,
        );
    }
    if let Some(key) = data_class.sort_key.as_deref() {
        declare(key, &data_class.sort_key_type, path(&["sort_key"]), diagnostics);
    }
    for (index_name, index) in &data_class.indexes {
        if Some(index.partition_key.as_str()) == data_class.partition_key.as_deref()
            && index.sort_key.as_deref() == data_class.sort_key.as_deref()
        {
            diagnostics.push(
                Diagnostic::new(
                    Code::DynamodbTableSettings,
                    context.key(&["data", name, "indexes", index_name]),
                    format!("index `{index_name}` of `{name}` has the table's own keys"),
                )
                .with_hint(
                    "give the index another partition or sort key; the table itself already answers these queries",
                ),
            );
        }
        declare(
            &index.partition_key,
            &index.partition_key_type,
            path(&["indexes", index_name, "partition_key"]),
            diagnostics,
        );
        if let Some(key) = index.sort_key.as_deref() {
            declare(
                key,
                &index.sort_key_type,
                path(&["indexes", index_name, "sort_key"]),
                diagnostics,
            );
        }
    }
    if capacity.mode == CapacityMode::Provisioned && !data_class.indexes.is_empty() {
        diagnostics.push(
            Diagnostic::new(
                Code::ProvisionedIndexDrift,
                context.key(&["data", name, "indexes"]),
                format!("`{name}` is provisioned, so Terraform will not apply later changes to its indexes"),
            )
            .with_hint("use `capacity.mode: on-demand` if indexes will change; `topoc explain TOPO0063` says why"),
        );
    }
}

fn check_s3(
    context: &Context<'_>,
    name: &str,
    data_class: &DataClass,
    placement: &[String],
    diagnostics: &mut Vec<Diagnostic>,
) {
    if data_class.replication != S3Replication::HubAndSpoke || placement.is_empty() {
        return;
    }
    let Some(hub) = context.topology.hub_region(data_class) else {
        return;
    };
    if !placement.contains(&hub) {
        let span = if data_class.hub.is_some() {
            context.value(&["data", name, "hub"])
        } else {
            context.key(&["data", name])
        };
        diagnostics.push(
            Diagnostic::new(
                Code::S3HubPlacement,
                span,
                format!("hub region `{hub}` of `{name}` is not a region this class may live in"),
            )
            .with_hint(format!(
                "set `hub` to one of {}",
                choices_in_backticks(placement.iter().map(String::as_str))
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::supports_write_forwarding as supports;

    #[test]
    fn write_forwarding_versions() {
        assert!(supports("aurora-postgresql", "16.4"));
        assert!(!supports("aurora-postgresql", "16.3"));
        assert!(supports("aurora-postgresql", "17.2"));
        assert!(supports("aurora-postgresql", "15.8"));
        assert!(!supports("aurora-postgresql", "15.4"));
        assert!(supports("aurora-postgresql", "14.13"));
        assert!(!supports("aurora-postgresql", "14.9"));
        assert!(!supports("aurora-postgresql", "13.12"));
        assert!(supports("aurora-mysql", "8.0.mysql_aurora.3.05.2"));
        assert!(!supports("aurora-mysql", "8.0.mysql_aurora.3.03.1"));
        assert!(!supports("aurora-mysql", "5.7.mysql_aurora.2.08.1"));
    }
}
