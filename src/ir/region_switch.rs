//! The ARC Region switch plans: how a region's evacuation or loss is executed, derived
//! from the region-loss model so that the plan does what the model assumes.
//!
//! A plan spans exactly two regions (the API's `RegionList` holds two), so topoc makes one
//! plan per region, over it and the survivor nearest to it, the survivor the model sends
//! its viewers to; the plan is named and addressed after the region it evacuates, so
//! adding a region changes only the plans whose nearest region it becomes. Each plan is
//! active-active. Its `deactivate` workflow takes the target region out: an approval, then every service that runs in both regions scaled up in the other
//! one (in parallel), then every Aurora global database with a cluster in both regions
//! switched over (graceful) or failed over (ungraceful) away from it, then the region's
//! evacuation switch turned ON. Its `activate` workflow brings the region back: an
//! approval, then the switch turned OFF.
//!
//! Sources, read on 2026-12-02: the API model (`RegionList` and `ServiceList` hold exactly
//! two, `EcsCapacityMonitoringApproach`, `GlobalAuroraDefaultBehavior`) in botocore 1.44.8
//! (`schemas/aws-api-constraints.json`); the capacity step's formula and its active-active
//! source region, <https://docs.aws.amazon.com/r53recovery/latest/dg/ecs-service-scaling-block.html>
//! and <https://docs.aws.amazon.com/r53recovery/latest/dg/ec2-auto-scaling-block.html>; the
//! execution role's trust and permissions,
//! <https://docs.aws.amazon.com/r53recovery/latest/dg/security_iam_region_switch_trust_policy.html>,
//! `security_iam_region_switch_ecs.html`, `security_iam_region_switch_aurora.html`,
//! `security_iam_region_switch_arc_routing.html` (which also names the regions the SCPs
//! must leave open to the role) and the managed policy
//! `AmazonApplicationRecoveryControllerRegionSwitchPlanExecutionPolicy`.
//!
//! What a plan cannot do is listed for the runbook: services and Aurora classes it does
//! not reach, Global Accelerator's traffic dial, and, without `edge.recovery_control`,
//! taking a healthy region out of DNS at all.

use super::context::Context;
use super::experiments::MAX_STOP_CONDITIONS;
use super::loss_model::LossModel;
use crate::naming;
use crate::spec::model::Store;

/// What the plans rely on that AWS's documentation does not settle (read on 2026-12-02:
/// the ARC developer guide's Region switch pages, the `arc-region-switch` API model in
/// botocore 1.44.8, the provider's `aws_arcregionswitch_plan`). The README lists them, so
/// that a first GameDay checks them.
pub const UNVERIFIED: &[&str] = &[
    "which routing controls an ARC routing-control step sets: topoc lists, for each region, that region's own evacuation switch, on the reading that the step sets the target region's list",
    "where an active-active plan's Aurora step moves a writer: topoc relies on it moving the writer to the plan's other region when the target region holds it, and leaving it where it is otherwise",
    "what the capacity step does when the source region ran above its steady task count in the last 24 hours and the computed count exceeds the other region's autoscaling maximum",
    "that plans are made through us-east-1 and execute in their own regions while us-east-1 is down",
    "that an account may hold one plan per region of the topology: secondary sources give a quota of 10 plans per account, which a topology of more than 10 regions, or several topologies in one account, would pass",
];

/// The plans of a topology and what they leave to people.
#[derive(Clone, Debug)]
pub struct RegionSwitch {
    pub plans: Vec<SwitchPlan>,
    /// The regions that may run a plan's drill: every region with a service, whose
    /// alarms can stop one. A runbook waits in each of them, so that adding a region,
    /// which may change the region that stays of a plan, removes none.
    pub drill_regions: Vec<String>,
}

/// The plan that evacuates one region, over it and the region that stays.
#[derive(Clone, Debug)]
pub struct SwitchPlan {
    /// The two regions, in name order.
    pub regions: [String; 2],
    pub name: String,
    /// The region the plan evacuates.
    pub evacuates: String,
    /// Its nearest other region, where the model sends its viewers.
    pub stays: String,
    /// Services that run in both regions: the capacity step scales them.
    pub services: Vec<ScaledService>,
    /// Services of the evacuated region that do not run in the region that stays, the
    /// plan does not scale them: those that run elsewhere rely on their autoscaling
    /// there, the others (`stranded`) are down until the region is back.
    pub unscaled_services: Vec<UnscaledService>,
    /// Aurora data classes with a cluster in both regions: the database step moves their
    /// writer to the region that stays.
    pub aurora_classes: Vec<String>,
    /// Aurora data classes with a cluster in the evacuated region but none in the one
    /// that stays: if their writer is there, the runbook's failover is done by hand.
    pub unmoved_aurora_classes: Vec<String>,
    /// Those of `aurora_classes` whose writer is in the evacuated region: the writers the
    /// database step moves to the region that stays.
    pub moved_writers: Vec<String>,
    /// Whether the plan flips evacuation switches (`edge.recovery_control`).
    pub routing_controls: bool,
    /// The services of the region that stays whose server-error alarms stop the plan's
    /// GameDay drill (`gameday/`): those the plan scales first, at most
    /// [`MAX_STOP_CONDITIONS`]. Empty where the region that stays runs no service: no
    /// alarm of its own would end the drill, so it has none.
    pub drill_alarm_services: Vec<String>,
}

/// A service of the evacuated region that the plan does not scale.
#[derive(Clone, Debug)]
pub struct UnscaledService {
    pub service: String,
    /// It runs in no other region.
    pub stranded: bool,
}

/// A service the capacity step scales in the region that stays.
#[derive(Clone, Debug)]
pub struct ScaledService {
    pub service: String,
    /// The percentage of the evacuated region's tasks the region that stays is brought
    /// to, rounded down: ARC rounds the task count up (ceil(percent × source)), so a
    /// rounded-up percentage could ask for one task more than the autoscaling maximum.
    pub target_percent: u32,
    /// The evacuated region's steady (minimum) task count: what it runs at peak.
    pub source_tasks: u32,
    /// Tasks the step asks for: the percentage of `source_tasks`, rounded up.
    pub planned_tasks: u32,
    /// Tasks the region that stays needs at its target utilization once it carries the
    /// evacuated region's share (its steady count when the model sends it none).
    pub needed_tasks: u32,
}

/// The plans of a topology, from the context and the region-loss model: one per region,
/// over it and its nearest other region.
pub fn plans(context: &Context<'_>, model: &LossModel) -> RegionSwitch {
    let topology = context.topology;
    let plans = context
        .regions
        .iter()
        .map(|evacuated| {
            let stays = context.failover_target(evacuated);
            let in_both = |placed: &[String]| placed.contains(evacuated) && placed.contains(&stays);
            let mut services = Vec::new();
            let mut unscaled_services = Vec::new();
            for (name, service) in &topology.services {
                let placed = topology.service_regions(service);
                if in_both(&placed) {
                    let direction = direction(context, model, name, evacuated, &stays);
                    services.push(ScaledService {
                        service: name.clone(),
                        target_percent: direction.percent,
                        planned_tasks: (u64::from(direction.source_tasks) * u64::from(direction.percent)).div_ceil(100)
                            as u32,
                        needed_tasks: direction.needed_tasks,
                        source_tasks: direction.source_tasks,
                    });
                } else if placed.contains(evacuated) {
                    unscaled_services.push(UnscaledService {
                        service: name.clone(),
                        stranded: placed.len() == 1,
                    });
                }
            }
            let mut aurora_classes = Vec::new();
            let mut unmoved_aurora_classes = Vec::new();
            for (class, _) in context.data_classes_of(Store::Aurora) {
                let placed = &context.placements[class];
                if in_both(placed) {
                    aurora_classes.push(class.clone());
                } else if placed.contains(evacuated) {
                    unmoved_aurora_classes.push(class.clone());
                }
            }
            let mut regions = [evacuated.clone(), stays.clone()];
            regions.sort();
            let moved_writers = aurora_classes
                .iter()
                .filter(|class| topology.data[*class].writer_region() == *evacuated)
                .cloned()
                .collect();
            let drill_alarm_services = services
                .iter()
                .map(|scaled| scaled.service.clone())
                .chain(
                    context
                        .services_in(&stays)
                        .map(|(name, _)| name.clone())
                        .filter(|name| !services.iter().any(|scaled| &scaled.service == name)),
                )
                .take(MAX_STOP_CONDITIONS)
                .collect();
            SwitchPlan {
                name: naming::region_switch_plan(topology, evacuated),
                evacuates: evacuated.clone(),
                stays,
                regions,
                services,
                unscaled_services,
                aurora_classes,
                unmoved_aurora_classes,
                moved_writers,
                routing_controls: topology.edge.recovery_control,
                drill_alarm_services,
            }
        })
        .collect();
    let drill_regions = context
        .regions
        .iter()
        .filter(|region| context.services_in(region).next().is_some())
        .cloned()
        .collect();
    RegionSwitch { plans, drill_regions }
}

/// What evacuating `lost` asks of `survivor` for one service: the tasks the survivor
/// needs after the loss, as a percentage of the lost region's steady tasks.
struct Direction {
    needed_tasks: u32,
    source_tasks: u32,
    percent: u32,
}

fn direction(context: &Context<'_>, model: &LossModel, service: &str, lost: &str, survivor: &str) -> Direction {
    let spec_service = &context.topology.services[service];
    let survivor_sizing = &context.sizing[service][survivor];
    let source_tasks = context.sizing[service][lost].min_tasks.max(1);
    let needed_tasks = model
        .losses
        .iter()
        .find(|loss| loss.lost == lost)
        .and_then(|loss| loss.paths.iter().find(|path| path.service == service))
        .and_then(|path| {
            path.destinations
                .iter()
                .find(|destination| destination.region == survivor)
        })
        .map_or(survivor_sizing.min_tasks, |destination| {
            let tasks = (destination.load_rps / (spec_service.rps_per_task * spec_service.steady_utilization)).ceil();
            (tasks as u32).clamp(survivor_sizing.min_tasks, survivor_sizing.max_tasks)
        });
    let percent = ((u64::from(needed_tasks) * 100) / u64::from(source_tasks)).max(1) as u32;
    Direction {
        needed_tasks,
        source_tasks,
        percent,
    }
}

impl RegionSwitch {
    /// The plan that evacuates `region`.
    pub fn plan_for(&self, region: &str) -> Option<&SwitchPlan> {
        self.plans.iter().find(|plan| plan.evacuates == region)
    }

    /// The plans with a GameDay drill in `gameday/`: those whose region that stays has
    /// alarms of its own to stop it.
    pub fn drilled_plans(&self) -> impl Iterator<Item = &SwitchPlan> {
        self.plans.iter().filter(|plan| !plan.drill_alarm_services.is_empty())
    }
}

impl SwitchPlan {
    /// The plan's address in `global/`: the region it evacuates.
    pub fn key(&self) -> String {
        super::identifier(&self.evacuates)
    }
}
