//! `review/region-loss.md`: for each topology region, what can and cannot be done while
//! it is down. Which roots cannot be planned or applied comes from each root's
//! providers and backend (the same facts the independence check reads); which recovery
//! steps still work comes from the dated control-plane table in
//! [`crate::aws::control_planes`].

use serde::Serialize;

use super::context::{Context, GOVERNANCE_ROOT};
use super::governance::GovernancePlan;
use super::loss_model::{self, LossModel, Mover};
use super::markdown::Markdown;
use super::{Block, File, Stack, StackKind};
use crate::aws::control_planes::{self, ControlPlane, control_plane};
use crate::md;
use crate::naming;
use crate::spec::model::{EcrRepository, ImageReplication, Store};

#[derive(Serialize)]
struct BlockedRoot {
    directory: String,
    why: Markdown,
}

#[derive(Serialize)]
struct Step {
    step: Markdown,
    operations: Markdown,
    location: String,
    works: bool,
}

#[derive(Serialize)]
struct StateMove {
    directory: String,
    key: String,
    /// Whether the root reads remote state through `var.state_region`.
    reads_state: bool,
}

/// One service that ran in the lost region, as the model sees it.
#[derive(Serialize)]
struct PathRow {
    service: String,
    goes_to: Markdown,
    moved_by: Markdown,
    load: Markdown,
    data: Markdown,
}

/// Data classes with a copy (or their writer) in the lost region and the same outcome.
#[derive(Serialize)]
struct DataRow {
    classes: Markdown,
    store: &'static str,
    after: Markdown,
    rpo: Markdown,
    rto: Markdown,
}

#[derive(Serialize)]
struct LostRegion {
    region: String,
    runbook: Vec<Markdown>,
    paths: Vec<PathRow>,
    data: Vec<DataRow>,
    blocked: Vec<BlockedRoot>,
    working: Vec<String>,
    caveats: Vec<Markdown>,
    state_moves: Vec<StateMove>,
    fallback_region: String,
    fallback_bucket: String,
    home_bucket: String,
    steps: Vec<Step>,
}

#[derive(Serialize)]
struct RegionLoss {
    topology: String,
    checked: &'static str,
    regions: Vec<LostRegion>,
    sources: Vec<(String, String, String)>,
}

fn percent(share: f64) -> Markdown {
    Markdown::text(&crate::check::format_percent(share))
}

/// The steps for one lost region, in order, with the commands and the outputs they
/// need; what the model says needs no step (traffic, DynamoDB, S3, forwarded writes) is
/// a check, not an action.
fn runbook(context: &Context<'_>, loss: &loss_model::RegionLoss) -> Vec<Markdown> {
    let topology = context.topology;
    let lost = &loss.lost;
    let mut steps = vec![md!(
        "Confirm: the alarm {} (its services fail their deep checks), and AWS Health for {}. The edge already moves the traffic as the table below shows; nothing an operator does moves it faster.",
        Markdown::code(&format!("{}-{lost}-unhealthy", topology.name)),
        Markdown::text(lost)
    )];
    if topology.edge.recovery_control {
        steps.push(md!(
            "Evacuate it, so a half-working region cannot take traffic back: turn {} ON (README, \"Evacuating a region\"){}.",
            Markdown::code(&format!("{}-evacuate-{lost}", topology.name)),
            if topology.edge.accelerator.is_empty() {
                Markdown::literal("")
            } else {
                Markdown::literal(" and dial its Global Accelerator endpoint groups to 0")
            }
        ));
    } else {
        steps.push(Markdown::literal(
            "There is no evacuation switch (`edge.recovery_control` is off): traffic follows the health checks alone, and returns to the region as soon as they pass.",
        ));
    }
    for class in loss.data.iter().filter(|class| class.writer_lost) {
        let global = naming::aurora_global_cluster(topology, &class.class);
        match &class.failover_to {
            Some(target) => {
                let cluster = naming::aurora_cluster(topology, &class.class, target);
                steps.push(md!(
                    "Before failing {} over, read what will be lost: the RPO lag of {} ({}), and that {} is available ({}). Then fail over: {}. Until it completes, writes to {} fail in every region.",
                    Markdown::code(&global),
                    Markdown::code(&cluster),
                    Markdown::code(&format!(
                        "aws cloudwatch get-metric-statistics --region {target} --namespace AWS/RDS --metric-name AuroraGlobalDBRPOLag --dimensions Name=DBClusterIdentifier,Value={cluster} --statistics Maximum --period 60 --start-time <5 minutes ago> --end-time <now>"
                    )),
                    Markdown::code(&cluster),
                    Markdown::code(&format!(
                        "aws rds describe-db-clusters --region {target} --db-cluster-identifier {cluster} --query 'DBClusters[0].[Status,DBClusterArn]'"
                    )),
                    Markdown::code(&format!(
                        "aws rds failover-global-cluster --region {target} --global-cluster-identifier {global} --target-db-cluster-identifier <DBClusterArn above> --allow-data-loss"
                    )),
                    Markdown::code(&class.class)
                ));
            }
            None => steps.push(md!(
                "{} has no cluster outside {}: its data is unavailable until the region returns.",
                Markdown::code(&global),
                Markdown::text(lost)
            )),
        }
    }
    let survivors: Vec<&String> = loss
        .paths
        .iter()
        .flat_map(|path| path.destinations.iter().map(|destination| &destination.region))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for survivor in survivors {
        steps.push(md!(
            "Watch {} scale out towards the maximum counts in the table below (autoscaling does it; an apply never scales it back): {}.",
            Markdown::text(survivor),
            Markdown::code(&format!(
                "aws ecs describe-services --region {survivor} --cluster {} --services <service> --query 'services[0].[desiredCount,runningCount]'",
                topology.name
            ))
        ));
    }
    let mut back = if topology.edge.recovery_control {
        md!(
            "When {} is back and its deep checks pass again: turn its evacuation switch OFF{}.",
            Markdown::text(lost),
            if topology.edge.accelerator.is_empty() {
                Markdown::literal("")
            } else {
                Markdown::literal(" and dial its endpoint groups back to 100")
            }
        )
    } else {
        md!(
            "When {} is back, traffic returns to it as soon as its deep checks pass.",
            Markdown::text(lost)
        )
    };
    if loss.data.iter().any(|class| class.store == Store::Aurora) {
        back.push(&md!(
            " Check with {} that its Aurora clusters are members of their global databases again, as secondaries, and re-add any that is not; a planned {} then moves a writer back without data loss once every cluster is healthy.",
            Markdown::code("aws rds describe-global-clusters"),
            Markdown::code("aws rds switchover-global-cluster")
        ));
    }
    steps.push(back);
    steps
}

/// The model's rows for one lost region: each service path, then each data class.
fn model_rows(context: &Context<'_>, loss: &loss_model::RegionLoss) -> (Vec<PathRow>, Vec<DataRow>) {
    let topology = context.topology;
    let paths = loss
        .paths
        .iter()
        .map(|path| {
            let service = &topology.services[&path.service];
            let goes_to = if path.destinations.is_empty() {
                Markdown::literal("nowhere: the service runs in no other region, so it is down until the region returns")
            } else {
                Markdown::join(
                    path.destinations.iter().map(|destination| {
                        md!(
                            "{} ({} rps)",
                            Markdown::text(&destination.region),
                            Markdown::number(destination.received_rps.round())
                        )
                    }),
                    ", ",
                )
            };
            let moved_by = match (path.mover, path.dns_seconds) {
                (Mover::Accelerator, _) => Markdown::literal(
                    "Global Accelerator, when the region's ALB has no healthy target or cannot be reached (its own timing, not modelled here)",
                ),
                (Mover::Dns { retried_in_request }, Some(seconds)) => md!(
                    "Route 53 {} records on the service's own health checks: about {} s (detection, then the TTL){}",
                    Markdown::text(topology.edge.routing.as_str()),
                    Markdown::number(seconds),
                    if retried_in_request {
                        Markdown::literal("; reads are retried in the next region within the request at once")
                    } else {
                        Markdown::literal("")
                    }
                ),
                (Mover::Dns { .. }, None) => Markdown::literal("Route 53"),
            };
            let load = Markdown::join(
                path.destinations.iter().map(|destination| {
                    md!(
                        "{}: {} rps, {} right after, {} at {} tasks (target {})",
                        Markdown::text(&destination.region),
                        Markdown::number(destination.load_rps.round()),
                        percent(destination.utilization_now),
                        percent(destination.utilization_scaled),
                        Markdown::number(destination.max_tasks),
                        percent(destination.target_utilization)
                    )
                }),
                "; ",
            );
            // Classes grouped by how the survivor reaches them, so a service with many
            // classes takes one line per kind of access, not one per class.
            let mut by_access: std::collections::BTreeMap<&'static str, Vec<&str>> = std::collections::BTreeMap::new();
            for (class, access) in service.data_access() {
                let how = match (topology.data[class].store, access.writes()) {
                    (_, false) => "reads its own copy of",
                    (Store::Aurora, true) if topology.data[class].write_forwarding => {
                        "reads its own cluster and forwards writes to whichever cluster is primary, of"
                    }
                    (Store::Aurora, true) => "reads its own cluster, writes only in the writer region, of",
                    (_, true) => "reads and writes its own copy of",
                };
                by_access.entry(how).or_default().push(class);
            }
            let data = Markdown::join(
                by_access
                    .into_iter()
                    .map(|(how, classes)| md!("{} {}", Markdown::text(how), Markdown::codes(classes, ", "))),
                "; ",
            );
            let stranded = path.destinations.is_empty();
            PathRow {
                service: path.service.clone(),
                goes_to,
                moved_by: if stranded { Markdown::literal("—") } else { moved_by },
                load: if stranded { Markdown::literal("—") } else { load },
                data: if stranded || service.data.names().is_empty() {
                    Markdown::literal("—")
                } else {
                    data
                },
            }
        })
        .collect();
    let observability = &topology.observability;
    // Classes with the same outcome share a row: one per store and set of survivors (and,
    // for Aurora, per class, as each has its own failover).
    let mut groups: Vec<(Vec<String>, &loss_model::DataLoss)> = Vec::new();
    for class in &loss.data {
        let same = |other: &loss_model::DataLoss| {
            class.store != Store::Aurora && other.store == class.store && other.survivors == class.survivors
        };
        match groups.iter_mut().find(|(_, first)| same(first)) {
            Some((names, _)) => names.push(class.class.clone()),
            None => groups.push((vec![class.class.clone()], class)),
        }
    }
    let data = groups
        .into_iter()
        .map(|(names, class)| {
            let survivors = if class.survivors.is_empty() {
                Markdown::literal("no other region")
            } else {
                Markdown::join(class.survivors.iter().map(|region| Markdown::text(region)), ", ")
            };
            let (after, rpo, rto) = match class.store {
                _ if class.survivors.is_empty() => (
                    Markdown::literal("unavailable: the class has no copy in another region"),
                    Markdown::literal("everything written since the last backup kept elsewhere, if the region's data is lost"),
                    Markdown::literal("until the region returns"),
                ),
                Store::Dynamodb => (
                    md!("tasks in {} read and write their own replicas", survivors),
                    md!(
                        "writes not yet replicated out of the lost region (seconds; the replication-latency alarm fires above {} ms)",
                        Markdown::number(observability.dynamodb_replication_latency_ms)
                    ),
                    Markdown::literal("none: no step"),
                ),
                Store::S3 => (
                    md!("tasks in {} read and write their own buckets", survivors),
                    Markdown::literal("objects written shortly before the loss that replication had not copied yet"),
                    Markdown::literal("none: no step"),
                ),
                Store::Aurora if class.writer_lost => match &class.failover_to {
                    Some(target) => (
                        md!(
                            "tasks in {} read their own clusters; writes fail until the global database fails over to {}",
                            survivors,
                            Markdown::text(target)
                        ),
                        md!(
                            "commits not yet in {}'s storage (the RPO-lag alarm fires above {} ms; check it before failing over)",
                            Markdown::text(target),
                            Markdown::number(observability.aurora_rpo_lag_ms)
                        ),
                        md!(
                            "until the failover completes: {} (README runbook)",
                            Markdown::code(&format!(
                                "aws rds failover-global-cluster --region {target} --global-cluster-identifier {} --target-db-cluster-identifier <ARN of {}> --allow-data-loss",
                                naming::aurora_global_cluster(topology, &class.class),
                                naming::aurora_cluster(topology, &class.class, target)
                            ))
                        ),
                    ),
                    None => (
                        Markdown::literal("unavailable: no cluster outside the lost region"),
                        Markdown::literal("everything since the last backup copied elsewhere"),
                        Markdown::literal("until the region returns"),
                    ),
                },
                Store::Aurora => (
                    md!(
                        "tasks in {} read their own clusters; the primary, in another region, keeps taking writes",
                        survivors
                    ),
                    Markdown::literal("none for committed writes: they commit in the writer region"),
                    Markdown::literal("none: no step"),
                ),
            };
            DataRow {
                classes: Markdown::codes(names, ", "),
                store: match class.store {
                    Store::Dynamodb => "DynamoDB",
                    Store::S3 => "S3",
                    Store::Aurora => "Aurora",
                },
                after,
                rpo,
                rto,
            }
        })
        .collect();
    (paths, data)
}

/// What a block's template manages, as the review names it.
fn service_of(template: &str) -> &'static str {
    match template {
        t if t.starts_with("identity/") || t == "bootstrap/replication_role.tf.j2" => "IAM",
        "certificates/zone.tf.j2"
        | "global/dns.tf.j2"
        | "global/private_dns.tf.j2"
        | "global/accelerator_dns.tf.j2"
        | "global/recovery_control_health.tf.j2" => "Route 53",
        "certificates/certificate.tf.j2" => "ACM",
        "global/accelerator.tf.j2" => "Global Accelerator",
        "global/recovery_control.tf.j2" => "Route 53 ARC configuration",
        t if t.starts_with("global/") => "CloudFront and its WAF, certificate, logs and alarms",
        "keys/origin_secret.tf.j2" => "Secrets Manager",
        t if t.starts_with("keys/") => "KMS",
        t if t.starts_with("bootstrap/") || t.starts_with("replication/") => "S3",
        "data/dynamodb_table.tf.j2" => "DynamoDB",
        "data/aurora_global.tf.j2" => "Aurora",
        t if t.starts_with("registry/") => "ECR",
        _ => "its resources",
    }
}

/// Why a root cannot be planned or applied while `lost` is down: the services it calls
/// there, or (when it calls none) that its state is there, which a backend switch to a
/// replica works around. `None` if the root does not need `lost`.
enum Blocked {
    Api(Markdown),
    StateOnly,
}

fn blocked_because(stack: &Stack, lost: &str) -> Option<Blocked> {
    if !stack.regions.iter().any(|region| region == lost) {
        return None;
    }
    let mut services: Vec<String> = stack
        .files
        .iter()
        .flat_map(|file| file.blocks.iter())
        .filter(|block| block.region.as_deref() == Some(lost))
        .map(|block| service_of(block.template).to_string())
        .collect();
    services.extend(
        stack
            .implicit_needs
            .iter()
            .filter(|(region, _)| region == lost)
            .map(|(_, why)| why.clone()),
    );
    services.sort_unstable();
    services.dedup();
    if services.is_empty() {
        let state_here = stack.state_region.as_deref() == Some(lost);
        return state_here.then_some(Blocked::StateOnly);
    }
    Some(Blocked::Api(md!(
        "it manages {} through the API in {}",
        Markdown::text(&services.join(", ")),
        Markdown::text(lost)
    )))
}

fn state_only(context: &Context<'_>, lost: &str) -> Markdown {
    md!(
        "only its state, in {}: apply it after switching the backend to a replica (below)",
        Markdown::code(&context.topology.state_bucket(lost))
    )
}

fn step(plane: &'static ControlPlane, step: Markdown, lost: &str, resource_region: &str) -> Step {
    Step {
        step,
        operations: Markdown::text(plane.operations),
        location: plane.location.describe(resource_region),
        works: plane.location.available_without(lost, resource_region),
    }
}

pub(super) fn region_loss(
    context: &Context<'_>,
    stacks: &[Stack],
    governance: &GovernancePlan,
    loss_model: &LossModel,
) -> File {
    let topology = context.topology;
    let mut regions = Vec::new();
    for lost in &context.regions {
        let loss = loss_model.losses.iter().find(|loss| loss.lost == *lost);
        let (paths, data) = loss.map(|loss| model_rows(context, loss)).unwrap_or_default();
        let survivors: Vec<&str> = context
            .regions
            .iter()
            .map(String::as_str)
            .filter(|region| region != lost)
            .collect();
        let fallback_region = context.failover_target(lost);
        let mut blocked = Vec::new();
        let mut working = Vec::new();
        let mut state_moves = Vec::new();
        // The governance root is built by the policy phase; its needs come from its plan.
        let governance_needs =
            governance.providers.iter().any(|provider| provider.region == *lost) || governance.backend.region == *lost;
        if governance_needs {
            let mut reasons = Vec::new();
            if lost == control_planes::ORGANIZATIONS_REGION {
                reasons.push(Markdown::literal(
                    "it manages SCPs through Organizations, whose control plane is in us-east-1",
                ));
            }
            if governance.providers.iter().any(|provider| provider.region == *lost) {
                reasons.push(md!("it manages AWS Config rules in {}", Markdown::text(lost)));
            }
            if reasons.is_empty() {
                reasons.push(state_only(context, lost));
                state_moves.push(StateMove {
                    directory: GOVERNANCE_ROOT.to_string(),
                    key: context.state_key(GOVERNANCE_ROOT),
                    reads_state: false,
                });
            }
            blocked.push(BlockedRoot {
                directory: GOVERNANCE_ROOT.to_string(),
                why: Markdown::join(reasons, "; "),
            });
        } else {
            working.push(GOVERNANCE_ROOT.to_string());
        }
        for stack in stacks.iter().filter(|stack| stack.kind == StackKind::Root) {
            match blocked_because(stack, lost) {
                Some(Blocked::Api(why)) => blocked.push(BlockedRoot {
                    directory: stack.directory.clone(),
                    why,
                }),
                Some(Blocked::StateOnly) => {
                    blocked.push(BlockedRoot {
                        directory: stack.directory.clone(),
                        why: state_only(context, lost),
                    });
                    state_moves.push(StateMove {
                        directory: stack.directory.clone(),
                        key: context.state_key(&stack.directory),
                        reads_state: !stack.reads_from.is_empty(),
                    });
                }
                None => working.push(stack.directory.clone()),
            }
        }
        let mut caveats = Vec::new();
        if lost == control_planes::ROUTE53_REGION {
            caveats.push(md!(
                "The other regions' roots still plan and apply, but two kinds of change in them wait for us-east-1: creating a load balancer (its DNS name is a Route 53 record) and changing an S3 bucket's configuration (policy, versioning, replication), which have an underlying dependency on us-east-1 ({}). Scaling services, new task definitions, autoscaling and alarms do not.",
                Markdown::text(control_plane("s3-bucket-configuration").source)
            ));
        }
        let single_registry_here = topology.images.replication == ImageReplication::Single
            && topology.services.values().any(|service| {
                EcrRepository::parse(&service.image).is_none_or(|repository| repository.region == *lost)
            });
        if single_registry_here {
            caveats.push(md!(
                "With {} every region pulls its images from one registry, which is here or outside AWS's regions: no region can start a task (not a replacement, not a scale-out) until it is reachable.",
                Markdown::code("images.replication: single")
            ));
        }
        let mut steps = vec![step(
            control_plane("route53-health-checks"),
            md!(
                "Route 53 stops answering with {}'s origins when its deep health checks fail",
                Markdown::text(lost)
            ),
            lost,
            lost,
        )];
        // Only read-only services in two or more regions have an origin group.
        let origin_groups = topology
            .services
            .values()
            .any(|service| service.read_only && topology.service_regions(service).len() > 1);
        if origin_groups {
            steps.push(step(
                control_plane("cloudfront-origin-failover"),
                Markdown::literal(
                    "CloudFront retries failed reads of read-only services in the next-nearest region (origin groups)",
                ),
                lost,
                lost,
            ));
        }
        if !topology.edge.accelerator.is_empty() {
            steps.push(step(
                control_plane("global-accelerator-routing"),
                Markdown::literal("Global Accelerator moves clients to healthy endpoints"),
                lost,
                lost,
            ));
            steps.push(step(
                control_plane("global-accelerator"),
                md!("Setting {}'s traffic dial to 0 by hand", Markdown::text(lost)),
                lost,
                lost,
            ));
        }
        if topology.edge.recovery_control {
            steps.push(step(
                control_plane("recovery-control-state"),
                md!("Evacuating {}: turning its evacuation switch on", Markdown::text(lost)),
                lost,
                lost,
            ));
        }
        for survivor in &survivors {
            steps.push(step(
                control_plane("regional"),
                md!(
                    "Scaling out, or rolling back a release, in {}: apply {}",
                    Markdown::text(survivor),
                    Markdown::code(&format!("{}/", Context::region_root(survivor)))
                ),
                lost,
                survivor,
            ));
        }
        for (class, data_class) in context.data_classes_of(Store::Aurora) {
            let writer = data_class.writer_region();
            let placement = &context.placements[class];
            if !placement.iter().any(|placed| placed == lost) {
                continue;
            }
            let global = naming::aurora_global_cluster(topology, class);
            if writer == *lost {
                let target = crate::aws::regions::nearest(
                    lost,
                    placement.iter().map(String::as_str).filter(|region| region != lost),
                )
                .map(str::to_string);
                if let Some(target) = target {
                    steps.push(step(
                        control_plane("aurora-failover"),
                        md!(
                            "Failing {} over to its cluster in {}",
                            Markdown::code(&global),
                            Markdown::text(&target)
                        ),
                        lost,
                        &target,
                    ));
                    caveats.push(md!(
                        "Promoting the master secret's replica in {} is one-way: when {} returns, applying {} would add the replica back and fail, because a secret named {} now exists in {}. Decide which password is current first (write it to the primary if it changed), delete the promoted copy (as the deployment or a break-glass role: the protection policy denies deleting the topology's secrets to everyone else), then apply.",
                        Markdown::text(&target),
                        Markdown::text(lost),
                        Markdown::code(&format!("{}/", Context::region_root(lost))),
                        Markdown::code(&naming::aurora_master_secret(topology, class)),
                        Markdown::text(&target)
                    ));
                    steps.push(step(
                        control_plane("secrets-promote"),
                        md!(
                            "Promoting the replica of {} in {}",
                            Markdown::code(&naming::aurora_master_secret(topology, class)),
                            Markdown::text(&target)
                        ),
                        lost,
                        &target,
                    ));
                } else {
                    caveats.push(md!(
                        "{} has no cluster outside {}: it is unavailable until the region returns.",
                        Markdown::code(&global),
                        Markdown::text(lost)
                    ));
                }
            } else {
                steps.push(step(
                    control_plane("aurora-switchover"),
                    md!(
                        "A planned switchover of {} (every cluster must be healthy, so not while {} is down)",
                        Markdown::code(&global),
                        Markdown::text(lost)
                    ),
                    lost,
                    &writer,
                ));
                if let Some(last) = steps.last_mut() {
                    last.works = false;
                }
            }
        }
        if context.data_classes_of(Store::Dynamodb).next().is_some() {
            steps.push(step(
                control_plane("regional"),
                Markdown::literal("Reading and writing DynamoDB global tables in the surviving regions"),
                lost,
                survivors.first().copied().unwrap_or_default(),
            ));
        }
        let runbook = loss.map(|loss| runbook(context, loss)).unwrap_or_default();
        regions.push(LostRegion {
            region: lost.clone(),
            runbook,
            paths,
            data,
            blocked,
            working,
            caveats,
            state_moves,
            fallback_bucket: topology.state_bucket(&fallback_region),
            home_bucket: topology.state_bucket(lost),
            fallback_region,
            steps,
        });
    }
    let mut sources: Vec<(String, String, String)> = control_planes::CONTROL_PLANES
        .iter()
        .map(|plane| {
            (
                plane.operations.to_string(),
                plane.source.to_string(),
                plane.url.to_string(),
            )
        })
        .collect();
    sources.sort();
    let view = RegionLoss {
        topology: topology.name.clone(),
        checked: control_planes::CHECKED,
        regions,
        sources,
    };
    File::text(
        "review/region-loss.md",
        vec![Block::new("docs/region-loss.md.j2", None, &view)],
    )
}
