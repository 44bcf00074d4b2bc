//! Rules about services: Fargate sizes, routing paths, data references, failover
//! style and the AWS names derived from them.

use std::collections::BTreeMap;

use super::Context;
use crate::diag::{self, Code, Diagnostic};
use crate::naming;
use crate::source::Span;
use crate::spec::model::{Access, EcrRepository, ImageReplication, Service, ServiceData, Store};

/// Valid Fargate task memory (MiB) for each CPU value: (minimum, maximum, step).
/// Source: Amazon ECS developer guide, "Task CPU and memory" (checked 2026-11-26).
/// A memory range: minimum, maximum and step, in MiB.
type MemoryRange = (u32, u32, u32);

const FARGATE_MEMORY: &[(u32, &[MemoryRange])] = &[
    (256, &[(512, 512, 512), (1024, 2048, 1024)]),
    (512, &[(1024, 4096, 1024)]),
    (1024, &[(2048, 8192, 1024)]),
    (2048, &[(4096, 16384, 1024)]),
    (4096, &[(8192, 30720, 1024)]),
    (8192, &[(16384, 61440, 4096)]),
    (16384, &[(32768, 122880, 8192)]),
];

pub fn is_valid_fargate_size(cpu: u32, memory: u32) -> bool {
    FARGATE_MEMORY.iter().any(|(valid_cpu, ranges)| {
        *valid_cpu == cpu
            && ranges.iter().any(|(minimum, maximum, step)| {
                (*minimum..=*maximum).contains(&memory) && (memory - minimum).is_multiple_of(*step)
            })
    })
}

fn fargate_memory_choices(cpu: u32) -> String {
    FARGATE_MEMORY
        .iter()
        .find(|(valid_cpu, _)| *valid_cpu == cpu)
        .map(|(_, ranges)| {
            ranges
                .iter()
                .map(|(minimum, maximum, step)| {
                    if minimum == maximum {
                        minimum.to_string()
                    } else {
                        format!("{minimum}-{maximum} in steps of {step}")
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

pub(super) fn check(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let topology = context.topology;
    let mut paths: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, service) in &topology.services {
        if !is_valid_fargate_size(service.cpu, service.memory) {
            diagnostics.push(
                Diagnostic::new(
                    Code::FargateSize,
                    context.value(&["services", name, "memory"]),
                    format!(
                        "Fargate has no task size with {} CPU units and {} MiB",
                        service.cpu, service.memory
                    ),
                )
                .with_label(context.value(&["services", name, "cpu"]), "CPU set here")
                .with_hint(format!(
                    "with cpu {} use memory {}",
                    service.cpu,
                    fargate_memory_choices(service.cpu)
                )),
            );
        }
        match paths.get(service.path.as_str()) {
            Some(first) => diagnostics.push(
                Diagnostic::new(
                    Code::DuplicatePath,
                    context.value(&["services", name, "path"]),
                    format!("path `{}` is already routed to `{first}`", service.path),
                )
                .with_label(
                    context.value(&["services", first, "path"]),
                    format!("`{first}` claims it here"),
                )
                .with_hint("give each service its own path prefix"),
            ),
            None => {
                paths.insert(&service.path, name);
            }
        }
        check_data_access(context, name, service, diagnostics);
        check_placement(context, name, service, diagnostics);
        if service.latency_critical && !service.cacheable && !topology.edge.accelerator.contains(name) {
            let span = if context.is_written(&["services", name, "latency_critical"]) {
                context.value(&["services", name, "latency_critical"])
            } else {
                context.key(&["services", name])
            };
            diagnostics.push(
                Diagnostic::new(
                    Code::DnsOnlyFailover,
                    span,
                    format!("`{name}` is latency-critical and not cacheable, but fails over through DNS only"),
                )
                .with_hint(format!(
                    "add `{name}` to `edge.accelerator` so Global Accelerator moves its traffic in seconds"
                )),
            );
        }
    }
    check_images(context, diagnostics);
    for (path, limited) in naming::limited_names(topology) {
        if limited.name.len() > limited.limit {
            diagnostics.push(
                Diagnostic::new(
                    Code::NameTooLong,
                    context.spans.key_span(&path),
                    format!(
                        "{} `{}` is {} characters, over AWS's limit of {}",
                        limited.kind,
                        limited.name,
                        limited.name.len(),
                        limited.limit
                    ),
                )
                .with_hint(limited.hint),
            );
        }
    }
}

/// Images each region can pull from its own region (`ecr`, `published`), or the warning
/// that every region depends on one registry (`single`).
fn check_images(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let topology = context.topology;
    let replication = topology.images.replication;
    let mut registries: BTreeMap<(String, String), &str> = BTreeMap::new();
    for (name, service) in &topology.services {
        let repository = EcrRepository::parse(&service.image);
        match (replication, &repository) {
            (ImageReplication::Single, _) => {}
            (_, None) => diagnostics.push(
                Diagnostic::new(
                    Code::ImageRegistry,
                    context.value(&["services", name, "image"]),
                    format!("`{}` is not an Amazon ECR repository, so each region cannot pull it from its own registry", service.image),
                )
                .with_hint("use an ECR repository such as `123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api`, or set `images.replication: single`"),
            ),
            (_, Some(repository)) => {
                registries
                    .entry((repository.account.clone(), repository.region.clone()))
                    .or_insert(name);
            }
        }
    }
    if replication == ImageReplication::Ecr && registries.len() > 1 {
        let (_, first) = registries.iter().next().expect("two registries");
        for ((account, region), service) in registries.iter().skip(1) {
            diagnostics.push(
                Diagnostic::new(
                    Code::ImageRegistry,
                    context.value(&["services", service, "image"]),
                    format!("`{service}` is in registry {account} in {region}, but `{first}` is in another; topoc replicates one registry"),
                )
                .with_hint("push every image to one ECR registry, or set `images.replication: published` if the build pushes to every region"),
            );
        }
    }
    if replication == ImageReplication::Single
        && let Some((name, service)) = topology.services.iter().next()
    {
        let source = EcrRepository::parse(&service.image)
            .map(|repository| format!("the ECR registry in `{}`", repository.region))
            .unwrap_or_else(|| format!("`{}`", service.image.split('/').next().unwrap_or_default()));
        diagnostics.push(
            Diagnostic::new(
                Code::SingleRegistry,
                if context.is_written(&["images", "replication"]) {
                    context.value(&["images", "replication"])
                } else {
                    context.key(&["services", name, "image"])
                },
                format!(
                    "every region pulls its images from {source}; while it is unreachable no region can start a task"
                ),
            )
            .with_hint("set `images.replication: ecr` to replicate the registry into every region"),
        );
    }
}

/// The span of one class a service lists: its list item, or its key in the mapping.
fn data_entry_span(context: &Context<'_>, service_name: &str, service: &Service, data_class: &str) -> Span {
    match &service.data {
        ServiceData::Names(names) => {
            let position = names.iter().position(|name| name == data_class).unwrap_or(0);
            context.value(&["services", service_name, "data", &position.to_string()])
        }
        ServiceData::Access(_) => context.key(&["services", service_name, "data", data_class]),
    }
}

fn check_data_access(context: &Context<'_>, name: &str, service: &Service, diagnostics: &mut Vec<Diagnostic>) {
    let topology = context.topology;
    for data_class in service.data.names() {
        let span = data_entry_span(context, name, service, data_class);
        if !topology.data.contains_key(data_class) {
            diagnostics.push(
                Diagnostic::new(
                    Code::UnknownDataClass,
                    span,
                    format!("`{data_class}` is not a data class of this topology"),
                )
                .with_optional_hint(diag::did_you_mean(data_class, topology.data.keys().map(String::as_str))),
            );
            continue;
        }
        // A region that runs the service but holds no copy of the class would serve its
        // requests without the data: every request that needs it fails there.
        let held_in = topology.placement(&topology.data[data_class]);
        let missing: Vec<String> = topology
            .service_regions(service)
            .into_iter()
            .filter(|region| !held_in.contains(region))
            .collect();
        if !missing.is_empty() && !held_in.is_empty() {
            let listed = |regions: &[String]| {
                regions
                    .iter()
                    .map(|region| format!("`{region}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            diagnostics.push(
                Diagnostic::new(
                    Code::DataOutOfReach,
                    span,
                    format!(
                        "`{name}` runs in {} where `{data_class}` has no copy: its requests there cannot reach the data",
                        listed(&missing)
                    ),
                )
                .with_hint(format!(
                    "place the service where the class lives with `services.{name}.regions: [{}]`, or keep a copy of `{data_class}` in {}",
                    held_in.join(", "),
                    listed(&missing)
                )),
            );
        }
        // Without write forwarding only the writer region's cluster takes writes: tasks
        // elsewhere have no network path to it (no peering, the security groups and IAM
        // are regional), so a writer placed in another region could never commit.
        let class = &topology.data[data_class];
        if class.store == Store::Aurora
            && !class.write_forwarding
            && service.access_to(data_class).writes()
            && let Some(writer) = class.writer.as_ref().and_then(|writer| match writer.regions()[..] {
                [one] => Some(one.to_string()),
                _ => None,
            })
        {
            let elsewhere: Vec<String> = topology
                .service_regions(service)
                .into_iter()
                .filter(|region| *region != writer && held_in.contains(region))
                .filter(|_| held_in.contains(&writer))
                .collect();
            if !elsewhere.is_empty() {
                diagnostics.push(
                    Diagnostic::new(
                        Code::AuroraWritePath,
                        span,
                        format!(
                            "`{name}` writes `{data_class}` in {}, but only `{writer}` takes writes and nothing forwards them there",
                            elsewhere
                                .iter()
                                .map(|region| format!("`{region}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .with_label(context.key(&["data", data_class]), "no `write_forwarding` here")
                    .with_hint(format!(
                        "set `data.{data_class}.write_forwarding: true`, give `{name}` `read` access to it, or place `{name}` in `{writer}` only"
                    )),
                );
            }
        }
        if service.reads_only() && service.data.explicit_access(data_class) == Some(Access::ReadWrite) {
            let (why, field) = if service.read_only {
                ("is `read_only`: it serves only GET, HEAD and OPTIONS", "read_only")
            } else {
                ("is `cacheable`: CloudFront may answer from its cache", "cacheable")
            };
            diagnostics.push(
                Diagnostic::new(
                    Code::WriteFromReadOnlyService,
                    context.value(&["services", name, "data", data_class]),
                    format!("`{name}` would write `{data_class}`, but the service {why}"),
                )
                .with_label(context.value(&["services", name, field]), "set here")
                .with_hint(format!(
                    "give `{data_class}` `read` access, or remove `{field}` if the service changes data"
                )),
            );
        }
    }
}

fn check_placement(context: &Context<'_>, name: &str, service: &Service, diagnostics: &mut Vec<Diagnostic>) {
    let topology = context.topology;
    let Some(regions) = &service.regions else {
        return;
    };
    for (position, region) in regions.iter().enumerate() {
        let span = context.value(&["services", name, "regions", &position.to_string()]);
        if crate::aws::regions::find(region).is_none() {
            diagnostics.push(
                Diagnostic::new(
                    Code::UnknownRegion,
                    span,
                    format!("`{region}` is not a known AWS region"),
                )
                .with_optional_hint(diag::did_you_mean(region, crate::aws::regions::codes())),
            );
        } else if !topology.regions.contains_key(region) {
            diagnostics.push(
                Diagnostic::new(
                    Code::ServiceRegionOutsideTopology,
                    span,
                    format!("`{name}` is placed in `{region}`, which is not a region of this topology"),
                )
                .with_hint(
                    diag::did_you_mean(region, topology.regions.keys().map(String::as_str))
                        .unwrap_or_else(|| format!("add `{region}` under `regions`, or remove it from this list")),
                ),
            );
        }
    }
    let placed = topology.service_regions(service);
    let all_placed = regions.iter().all(|region| topology.regions.contains_key(region));
    if all_placed && placed.len() == 1 && topology.regions.len() > 1 {
        diagnostics.push(
            Diagnostic::new(
                Code::SingleRegionService,
                context.key(&["services", name, "regions"]),
                format!(
                    "`{name}` runs only in `{}`, so the loss of that region takes it down",
                    placed[0]
                ),
            )
            .with_hint("list a second region under the service's `regions` if it must survive a region loss"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::is_valid_fargate_size;

    #[test]
    fn fargate_sizes_match_the_documented_table() {
        assert!(is_valid_fargate_size(256, 512));
        assert!(!is_valid_fargate_size(256, 1536));
        assert!(is_valid_fargate_size(1024, 2048));
        assert!(!is_valid_fargate_size(1024, 1024));
        assert!(is_valid_fargate_size(8192, 20480));
        assert!(!is_valid_fargate_size(8192, 17408));
        assert!(!is_valid_fargate_size(300, 1024));
    }
}
