//! The documents of an output tree: `README.md` (apply order, what each root holds and
//! which regions it needs, releases by deploy wave, how the edge fails over, the
//! runbook), `review/sizing.md` (N+1 sizing) and `review/region-loss.md` (what can and
//! cannot be done while each region is down).

use serde::Serialize;

use super::context::Context;
use super::context::{BOOTSTRAP_ROOT, GOVERNANCE_ROOT};
use super::governance::GovernancePlan;
use super::markdown::Markdown;
use super::{Block, File, Stack, StackKind};
use crate::aws::{control_planes, quotas};
use crate::check::{format_number, format_percent, sizing};
use crate::naming;
use crate::spec::model::{EcrRepository, ImageReplication, Store};

#[derive(Serialize)]
struct RootRow {
    directory: String,
    /// The region whose state bucket holds the root's state; empty for local state.
    state_region: String,
    regions: Vec<String>,
    reads_from: Vec<String>,
    summary: Markdown,
    /// Region roots take the release's image digests.
    takes_images: bool,
}

#[derive(Serialize)]
struct WaveRegion {
    region: String,
    directory: String,
}

#[derive(Serialize)]
struct Wave {
    wave: u32,
    regions: Vec<WaveRegion>,
}

/// The rows of the apply-order table: every root, with `governance` (which the policy
/// phase builds from the same plan) after `bootstrap`.
fn root_rows(stacks: &[Stack], governance: &GovernancePlan) -> Vec<RootRow> {
    let mut rows: Vec<RootRow> = stacks
        .iter()
        .filter(|stack| stack.kind == StackKind::Root)
        .map(|stack| RootRow {
            directory: stack.directory.clone(),
            state_region: stack.state_region.clone().unwrap_or_default(),
            regions: stack.regions.clone(),
            reads_from: stack.reads_from.clone(),
            summary: stack.summary.clone(),
            takes_images: stack.home_region.is_some(),
        })
        .collect();
    let mut governance_regions: Vec<String> = governance
        .providers
        .iter()
        .map(|provider| provider.region.clone())
        .chain(std::iter::once(governance.backend.region.clone()))
        .collect();
    governance_regions.sort();
    governance_regions.dedup();
    let position = rows.iter().position(|row| row.directory != BOOTSTRAP_ROOT).unwrap_or(0);
    rows.insert(
        position,
        RootRow {
            directory: GOVERNANCE_ROOT.to_string(),
            state_region: governance.backend.region.clone(),
            regions: governance_regions,
            reads_from: Vec::new(),
            summary: Markdown::literal(
                "Service Control Policies and their attachments to the organization's targets, AWS Config organization rules in every region",
            ),
            takes_images: false,
        },
    );
    rows
}

#[derive(Serialize)]
struct RegionRow {
    region: String,
    traffic: String,
    deploy_wave: u32,
    cidr: String,
    failover_to: String,
}

#[derive(Serialize)]
struct DataRow {
    name: String,
    store: String,
    regions: Vec<String>,
    residency: String,
    detail: Markdown,
    description: String,
}

#[derive(Serialize)]
struct ServiceRow {
    name: String,
    path: String,
    /// The service's regions, empty when it runs in every region.
    regions: Vec<String>,
    /// The classes it uses with their access.
    data: Markdown,
    edge: Markdown,
}

#[derive(Serialize)]
struct AuroraRow {
    name: String,
    database_users: Vec<String>,
    global_cluster: String,
    writer: String,
    secondaries: Vec<String>,
    writer_host: String,
    write_forwarding: bool,
}

#[derive(Serialize)]
struct Readme {
    topology: String,
    description: String,
    spec_file: String,
    roots: Vec<RootRow>,
    /// Regions whose first apply must be repeated (see `region_apply_order`).
    repeated_regions: Vec<String>,
    state_prefix: String,
    state_region: String,
    state_key_prefix: String,
    management_role: Option<String>,
    images: &'static str,
    image_source: String,
    deployment_roles: Vec<String>,
    workload_accounts: Vec<String>,
    scp_targets: Vec<String>,
    services: Vec<String>,
    regions: Vec<RegionRow>,
    waves: Vec<Wave>,
    data: Vec<DataRow>,
    service_rows: Vec<ServiceRow>,
    aurora: Vec<AuroraRow>,
    app: String,
    origin: String,
    routing: String,
    dns_ttl: u32,
    deep_health_path: String,
    accelerators: Vec<(String, String)>,
    recovery_control: bool,
    edge_region: &'static str,
    recovery_region: &'static str,
    private_zone: String,
    origin_secret_header: &'static str,
    origin_secret_name: String,
    dashboard: String,
    gameday_cadence: &'static str,
    /// Regions whose ALB admits every address (a Global Accelerator service runs there).
    public_regions: Vec<String>,
    switch_plans: Vec<SwitchPlanRow>,
    switch_role: String,
    switch_approver: String,
    /// Each Aurora class some plan moves, with the plans that move it.
    switch_databases: Vec<(String, Vec<String>)>,
    switch_unverified: &'static [&'static str],
}

/// One Region switch plan, as the runbook shows it.
#[derive(Serialize)]
struct SwitchPlanRow {
    name: String,
    evacuates: String,
    stays: String,
    services: Vec<SwitchServiceRow>,
    unmoved_aurora_classes: Vec<String>,
    /// (service, whether it runs in no other region).
    unscaled_services: Vec<(String, bool)>,
}

/// A plan's capacity step for one service.
#[derive(Serialize)]
struct SwitchServiceRow {
    service: String,
    percent: u32,
    source_tasks: u32,
    planned_tasks: u32,
    needed_tasks: u32,
}

#[derive(Serialize)]
struct SizingRow {
    region: String,
    traffic: String,
    steady_rps: String,
    min_tasks: u32,
    max_tasks: u32,
    worst_loss: String,
    worst_load_rps: String,
    received_rps: String,
    utilization: String,
    utilization_after_scaling: String,
    absorbs: bool,
}

#[derive(Serialize)]
struct ServiceSizingView {
    name: String,
    peak_rps: String,
    rps_per_task: String,
    steady_utilization: String,
    min_tasks_floor: u32,
    loss_routing: String,
    rows: Vec<SizingRow>,
}

#[derive(Serialize)]
struct VcpuRow {
    region: String,
    steady: String,
    peak: String,
    quota: String,
    fits: bool,
}

#[derive(Serialize)]
struct Sizing {
    topology: String,
    services: Vec<ServiceSizingView>,
    vcpu: Vec<VcpuRow>,
    quota_name: &'static str,
    quota_code: &'static str,
    quota_checked: &'static str,
    quota_source: &'static str,
}

pub(super) fn documents(
    context: &Context<'_>,
    stacks: &[Stack],
    governance: &GovernancePlan,
    loss_model: &super::loss_model::LossModel,
    region_switch: &super::region_switch::RegionSwitch,
    experiments: &std::collections::BTreeMap<String, super::experiments::RegionExperiments>,
) -> Vec<File> {
    let topology = context.topology;
    let mut waves: std::collections::BTreeMap<u32, Vec<String>> = std::collections::BTreeMap::new();
    for (region, spec_region) in &topology.regions {
        waves.entry(spec_region.deploy_wave).or_default().push(region.clone());
    }
    let (_, repeated_regions) = context.region_apply_order();
    let image_source = topology
        .services
        .values()
        .find_map(|service| EcrRepository::parse(&service.image))
        .map(|repository| repository.region)
        .unwrap_or_default();
    let roots = root_rows(stacks, governance);
    let readme = Readme {
        topology: topology.name.clone(),
        description: topology.description.clone().unwrap_or_default(),
        spec_file: context.spec_file.clone(),
        roots,
        repeated_regions: repeated_regions.to_vec(),
        state_prefix: topology.state.bucket.clone(),
        state_region: context.state_region().to_string(),
        state_key_prefix: topology.state_key_prefix().to_string(),
        management_role: topology.governance.management_role_arn.clone(),
        images: match topology.images.replication {
            ImageReplication::Ecr => "ecr",
            ImageReplication::Published => "published",
            ImageReplication::Single => "single",
        },
        image_source,
        deployment_roles: topology.governance.deployment_roles.clone(),
        workload_accounts: topology.governance.workload_accounts.clone(),
        scp_targets: topology.governance.scp_targets.clone(),
        services: topology.services.keys().cloned().collect(),
        regions: context
            .regions
            .iter()
            .map(|region| RegionRow {
                region: region.clone(),
                traffic: format_number(topology.regions[region].traffic),
                deploy_wave: topology.regions[region].deploy_wave,
                cidr: topology.regions[region].cidr.clone(),
                failover_to: context.failover_target(region),
            })
            .collect(),
        waves: waves
            .into_iter()
            .map(|(wave, regions)| Wave {
                wave,
                regions: regions
                    .into_iter()
                    .map(|region| WaveRegion {
                        directory: Context::region_root(&region),
                        region,
                    })
                    .collect(),
            })
            .collect(),
        data: topology
            .data
            .iter()
            .map(|(name, data_class)| DataRow {
                name: name.clone(),
                store: data_class.store.as_str().to_string(),
                regions: context.placements[name].clone(),
                residency: context.residency_tag_of(name),
                detail: match data_class.store {
                    Store::Dynamodb => crate::md!(
                        "conflicts: {}",
                        Markdown::text(data_class.conflicts.map(|model| model.as_str()).unwrap_or_default())
                    ),
                    Store::Aurora => crate::md!("writer {}", Markdown::text(&data_class.writer_region())),
                    Store::S3 => match data_class.replication {
                        crate::spec::model::S3Replication::Bidirectional => {
                            Markdown::literal("bidirectional replication")
                        }
                        crate::spec::model::S3Replication::HubAndSpoke => {
                            Markdown::literal("hub-and-spoke replication")
                        }
                    },
                },
                description: data_class.description.clone().unwrap_or_default(),
            })
            .collect(),
        service_rows: topology
            .services
            .iter()
            .map(|(name, service)| ServiceRow {
                name: name.clone(),
                path: service.path.clone(),
                regions: if service.regions.is_some() {
                    topology.service_regions(service)
                } else {
                    Vec::new()
                },
                data: Markdown::join(
                    service.data_access().into_iter().map(|(class, access)| {
                        crate::md!("{} ({})", Markdown::code(class), Markdown::text(access.as_str()))
                    }),
                    ", ",
                ),
                edge: if topology.edge.accelerator.contains(name) {
                    crate::md!(
                        "CloudFront and Global Accelerator ({})",
                        Markdown::code(&naming::accelerator_name(topology, name))
                    )
                } else if service.read_only {
                    Markdown::literal("CloudFront, read-only: origin-group failover")
                } else {
                    Markdown::literal("CloudFront, latency-routed origin")
                },
            })
            .collect(),
        aurora: context
            .data_classes_of(Store::Aurora)
            .map(|(name, data_class)| {
                let writer = data_class.writer_region();
                AuroraRow {
                    name: name.clone(),
                    database_users: topology
                        .services
                        .iter()
                        .filter(|(_, service)| service.data.contains(name))
                        .map(|(service, _)| naming::database_user(service))
                        .collect(),
                    global_cluster: naming::aurora_global_cluster(topology, name),
                    secondaries: context.placements[name]
                        .iter()
                        .filter(|region| **region != writer)
                        .cloned()
                        .collect(),
                    writer,
                    writer_host: naming::database_writer_host(topology, name),
                    write_forwarding: topology.data[name].write_forwarding,
                }
            })
            .collect(),
        app: topology.domain.app.clone(),
        origin: naming::origin_name(topology),
        routing: topology.edge.routing.as_str().to_string(),
        dns_ttl: topology.edge.dns_ttl,
        deep_health_path: topology.edge.health_check.path.clone(),
        accelerators: topology
            .edge
            .accelerator
            .iter()
            .map(|service| (service.clone(), naming::accelerator_name(topology, service)))
            .collect(),
        recovery_control: topology.edge.recovery_control,
        edge_region: control_planes::CLOUDFRONT_REGION,
        recovery_region: control_planes::RECOVERY_CONTROL_CONFIG_REGION,
        private_zone: naming::private_zone(topology),
        origin_secret_header: naming::ORIGIN_SECRET_HEADER,
        origin_secret_name: naming::origin_secret(topology),
        dashboard: naming::dashboard(topology),
        gameday_cadence: topology.observability.gameday_cadence.as_str(),
        public_regions: context
            .regions
            .iter()
            .filter(|region| !context.accelerated_hosts_in(region).is_empty())
            .cloned()
            .collect(),
        switch_plans: region_switch
            .plans
            .iter()
            .map(|plan| SwitchPlanRow {
                name: plan.name.clone(),
                evacuates: plan.evacuates.clone(),
                stays: plan.stays.clone(),
                services: plan
                    .services
                    .iter()
                    .map(|scaled| SwitchServiceRow {
                        service: scaled.service.clone(),
                        percent: scaled.target_percent,
                        source_tasks: scaled.source_tasks,
                        planned_tasks: scaled.planned_tasks,
                        needed_tasks: scaled.needed_tasks,
                    })
                    .collect(),
                unmoved_aurora_classes: plan.unmoved_aurora_classes.clone(),
                unscaled_services: plan
                    .unscaled_services
                    .iter()
                    .map(|unscaled| (unscaled.service.clone(), unscaled.stranded))
                    .collect(),
            })
            .collect(),
        switch_databases: {
            let mut databases: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
            for plan in &region_switch.plans {
                for class in &plan.aurora_classes {
                    databases.entry(class.clone()).or_default().push(plan.name.clone());
                }
            }
            databases.into_iter().collect()
        },
        switch_role: naming::region_switch_role(topology),
        switch_approver: naming::region_switch_approver_role(topology),
        switch_unverified: super::region_switch::UNVERIFIED,
    };
    let sizing = Sizing {
        topology: topology.name.clone(),
        services: topology
            .services
            .iter()
            .map(|(name, service)| ServiceSizingView {
                name: name.clone(),
                peak_rps: format_number(service.peak_rps),
                rps_per_task: format_number(service.rps_per_task),
                steady_utilization: format_number(service.steady_utilization),
                min_tasks_floor: service.min_tasks,
                loss_routing: sizing::LossRouting::of(topology, name).describe().to_string(),
                rows: context.sizing[name]
                    .iter()
                    .map(|(region, region_sizing)| {
                        // A region that is no lost region's nearest survivor receives
                        // nothing: no loss is its worst.
                        let worst = region_sizing
                            .losses
                            .iter()
                            .filter(|loss| loss.received_rps > 0.0)
                            .max_by(|left, right| {
                                left.utilization_before_scaling
                                    .total_cmp(&right.utilization_before_scaling)
                            });
                        SizingRow {
                            region: region.clone(),
                            traffic: format_number(region_sizing.traffic),
                            steady_rps: format_number(region_sizing.steady_load_rps.round()),
                            min_tasks: region_sizing.min_tasks,
                            max_tasks: region_sizing.max_tasks,
                            worst_loss: worst.map(|loss| loss.lost_region.clone()).unwrap_or_default(),
                            worst_load_rps: worst
                                .map(|loss| format_number(loss.load_rps.round()))
                                .unwrap_or_default(),
                            received_rps: worst
                                .map(|loss| format_number(loss.received_rps.round()))
                                .unwrap_or_default(),
                            utilization: worst
                                .map(|loss| format_percent(loss.utilization_before_scaling))
                                .unwrap_or_default(),
                            utilization_after_scaling: worst
                                .map(|loss| format_percent(loss.utilization_after_scaling))
                                .unwrap_or_default(),
                            absorbs: worst.is_none_or(|loss| loss.utilization_before_scaling <= 1.0 + 1e-9),
                        }
                    })
                    .collect(),
            })
            .collect(),
        vcpu: sizing::region_vcpu(topology, &context.sizing)
            .into_iter()
            .map(|(region, vcpu)| VcpuRow {
                region,
                steady: format_number(vcpu.steady),
                peak: format_number(vcpu.peak),
                quota: if vcpu.quota_from_spec {
                    format!("{} (from the spec)", vcpu.quota)
                } else {
                    format!("{} (default; check the applied value)", vcpu.quota)
                },
                fits: vcpu.peak <= f64::from(vcpu.quota) + 1e-9,
            })
            .collect(),
        quota_name: quotas::FARGATE_ON_DEMAND_VCPU.name,
        quota_code: quotas::FARGATE_ON_DEMAND_VCPU.quota_code,
        quota_checked: quotas::FARGATE_ON_DEMAND_VCPU.checked,
        quota_source: quotas::FARGATE_ON_DEMAND_VCPU.source,
    };
    vec![
        File::text("README.md", vec![Block::new("docs/readme.md.j2", None, &readme)]),
        File::text("review/sizing.md", vec![Block::new("docs/sizing.md.j2", None, &sizing)]),
        File::text(
            "review/gameday.md",
            vec![Block::new(
                "docs/gameday.md.j2",
                None,
                &super::gameday::gameday(
                    context,
                    loss_model,
                    &governance.config_regions,
                    region_switch,
                    experiments,
                ),
            )],
        ),
        File::text(
            "review/topology.svg",
            vec![Block::new(
                "docs/topology.svg.j2",
                None,
                &super::diagram::diagram(context, loss_model),
            )],
        ),
        super::region_loss::region_loss(context, stacks, governance, loss_model),
    ]
}
