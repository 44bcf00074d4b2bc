//! `review/gameday.md`: the drills that turn the runbook into practice. A failover path
//! that has never been run is an RTO nobody can claim, and regulators (DORA, FFIEC)
//! ask for evidence of real failover tests. For each drill the page gives the
//! preconditions, the steps, what should be seen and how soon (from the region-loss
//! model: the DNS timing of each service and the load on each survivor), and the
//! evidence to keep. Failback is a drill of its own.
//!
//! Only drills that the generated system can run are listed: region evacuations need
//! the ARC switches (`edge.recovery_control`), Aurora switchovers need a secondary.
//! Durations the model does not know (an Aurora switchover, a scale-out) are left for
//! the drill to measure, and the page says so.

use serde::Serialize;

use super::context::Context;
use super::loss_model::{LossModel, Mover};
use super::region_switch::RegionSwitch;
use crate::naming;
use crate::spec::model::Store;

#[derive(Serialize)]
struct CalendarRow {
    drill: String,
    proves: String,
}

#[derive(Serialize)]
struct ServiceObservation {
    service: String,
    /// How soon DNS answers without the region, when Route 53 moves the service.
    dns_seconds: Option<u32>,
    accelerated: bool,
    /// `region: utilization now, at max tasks` for each survivor.
    survivors: Vec<String>,
}

#[derive(Serialize)]
struct Evacuation {
    region: String,
    /// The Region switch plan that evacuates the region, and its other region.
    plan: String,
    stays: String,
    services: Vec<ServiceObservation>,
    /// Aurora classes whose writer is in the region and that the plan moves to `stays`.
    moved_writers: Vec<String>,
    /// Aurora classes whose writer is in the region and that the plan cannot move.
    writers_here: Vec<String>,
    /// Services that run in this region only: the drill takes them down.
    stranded: Vec<String>,
    /// `service in region: N tasks` for survivors that would run at 100% or more right
    /// after the switch, at their steady task count.
    saturated: Vec<String>,
    /// The services of `stays` whose server-error alarms stop the plan's FIS drill
    /// (`gameday/`); empty where the plan has no drill and is started by hand.
    drill_alarm_services: Vec<String>,
}

/// A plan's FIS drill where no evacuation switch exists (`edge.recovery_control` off):
/// the plan scales the region that stays and moves the Aurora writers, and no traffic
/// moves.
#[derive(Serialize)]
struct PlanRun {
    region: String,
    plan: String,
    stays: String,
    scaled: Vec<String>,
    moved_writers: Vec<String>,
    drill_alarm_services: Vec<String>,
}

#[derive(Serialize)]
struct Switchover {
    class: String,
    global_cluster: String,
    writer: String,
    target: String,
    target_cluster: String,
    write_forwarding: bool,
}

/// One service's share of tasks stopped in a region.
#[derive(Serialize)]
struct StoppedTasks {
    service: String,
    percent: u32,
    utilization_after: String,
}

/// A region's experiments, as its drills.
#[derive(Serialize)]
struct RegionDrills {
    region: String,
    stop_tasks: Vec<StoppedTasks>,
    /// What the network cut should do: the same paths as the region's loss.
    services: Vec<ServiceObservation>,
    alarm_services: Vec<String>,
    /// The services whose healthy-task alarms do not stop the network cut (past the
    /// quota of stop conditions).
    unwatched_services: Vec<String>,
    /// Aurora classes whose writer is in the region: the cut does not move it.
    writers_here: Vec<String>,
    evaluation_minutes: u32,
    /// The DynamoDB classes whose replicas here the replication experiment pauses.
    paused_tables: Vec<String>,
    /// How many replication-latency alarms stop it, and how many the region has.
    pause_alarms: usize,
    replication_pairs: usize,
    /// The S3 classes whose buckets here the bucket experiment pauses, the alarms that
    /// stop it and how many the region has, and the residency classes it leaves out.
    paused_buckets: Vec<String>,
    bucket_alarms: usize,
    bucket_pairs: usize,
    resident_bucket_classes: Vec<String>,
}

#[derive(Serialize)]
pub(super) struct Gameday {
    topology: String,
    spec_file: String,
    cadence: &'static str,
    dashboard: String,
    /// The workload regions and the edge's us-east-1, where the topology has alarms.
    alarm_regions: Vec<String>,
    recovery_control: bool,
    accelerators: bool,
    calendar: Vec<CalendarRow>,
    evacuations: Vec<Evacuation>,
    plan_runs: Vec<PlanRun>,
    /// What the drills that run the plans through FIS rely on and is not verified.
    drill_unverified: &'static [&'static str],
    drill_wait_minutes: u32,
    switchovers: Vec<Switchover>,
    region_drills: Vec<RegionDrills>,
    isolation_minutes: u32,
    pause_minutes: u32,
    bucket_pause_minutes: u32,
    replication_threshold_ms: u64,
}

/// Where each service of a lost region goes, and the load on its survivors.
fn observations(loss: &super::loss_model::RegionLoss) -> Vec<ServiceObservation> {
    loss.paths
        .iter()
        .map(|path| ServiceObservation {
            service: path.service.clone(),
            dns_seconds: path.dns_seconds,
            accelerated: path.mover == Mover::Accelerator,
            survivors: path
                .destinations
                .iter()
                .map(|destination| {
                    format!(
                        "{}: {} right after, {} at {} tasks",
                        destination.region,
                        percent(destination.utilization_now),
                        percent(destination.utilization_scaled),
                        destination.max_tasks
                    )
                })
                .collect(),
        })
        .collect()
}

fn percent(fraction: f64) -> String {
    format!("{:.0}%", fraction * 100.0)
}

/// `alarm_regions`: the workload regions and the edge's us-east-1, as the governance
/// plan lists them for its Config rules.
pub(super) fn gameday(
    context: &Context<'_>,
    loss_model: &LossModel,
    alarm_regions: &[String],
    region_switch: &RegionSwitch,
    experiments: &std::collections::BTreeMap<String, super::experiments::RegionExperiments>,
) -> Gameday {
    let topology = context.topology;
    let mut calendar = Vec::new();
    let mut evacuations = Vec::new();
    if topology.edge.recovery_control {
        for loss in &loss_model.losses {
            calendar.push(CalendarRow {
                drill: format!("Evacuate {} and bring it back", loss.lost),
                proves: format!(
                    "the other regions carry {}'s traffic at their N+1 sizing, and the region takes its share again",
                    loss.lost
                ),
            });
            let plan = region_switch
                .plan_for(&loss.lost)
                .expect("every region has a Region switch plan");
            let writers_here: Vec<String> = loss
                .data
                .iter()
                .filter(|data| data.store == Store::Aurora && data.writer_lost)
                .map(|data| data.class.clone())
                .filter(|class| !plan.aurora_classes.contains(class))
                .collect();
            let moved_writers = plan.moved_writers.clone();
            evacuations.push(Evacuation {
                drill_alarm_services: plan.drill_alarm_services.clone(),
                region: loss.lost.clone(),
                plan: plan.name.clone(),
                stays: plan.stays.clone(),
                moved_writers,
                writers_here,
                services: observations(loss),
                stranded: loss
                    .paths
                    .iter()
                    .filter(|path| path.destinations.is_empty())
                    .map(|path| path.service.clone())
                    .collect(),
                saturated: loss
                    .paths
                    .iter()
                    .flat_map(|path| {
                        path.destinations
                            .iter()
                            .filter(|destination| destination.utilization_now >= 1.0)
                            .map(move |destination| {
                                format!(
                                    "{} in {} to {} tasks",
                                    path.service, destination.region, destination.max_tasks
                                )
                            })
                    })
                    .collect(),
            });
        }
    }
    let mut plan_runs = Vec::new();
    if !topology.edge.recovery_control {
        for plan in region_switch.drilled_plans() {
            calendar.push(CalendarRow {
                drill: format!("Run the Region switch plan of {} from {}", plan.evacuates, plan.stays),
                proves: format!(
                    "the plan scales {} to carry {}'s load{}, and runs to its end",
                    plan.stays,
                    plan.evacuates,
                    if !plan.moved_writers.is_empty() {
                        " and moves the Aurora writers"
                    } else {
                        ""
                    }
                ),
            });
            plan_runs.push(PlanRun {
                region: plan.evacuates.clone(),
                plan: plan.name.clone(),
                stays: plan.stays.clone(),
                scaled: plan
                    .services
                    .iter()
                    .map(|scaled| {
                        format!(
                            "{} in {} to {} tasks ({}% of {}'s {})",
                            scaled.service,
                            plan.stays,
                            scaled.planned_tasks,
                            scaled.target_percent,
                            plan.evacuates,
                            scaled.source_tasks
                        )
                    })
                    .collect(),
                moved_writers: plan.moved_writers.clone(),
                drill_alarm_services: plan.drill_alarm_services.clone(),
            });
        }
    }
    let mut switchovers = Vec::new();
    for (name, data_class) in context.data_classes_of(Store::Aurora) {
        let writer = data_class.writer_region();
        for target in context.placements[name].iter().filter(|region| **region != writer) {
            calendar.push(CalendarRow {
                drill: format!("Switch Aurora {name} over to {target} and back"),
                proves: "the planned switchover loses no data, the services keep writing, and the failback works"
                    .to_string(),
            });
            switchovers.push(Switchover {
                class: name.clone(),
                global_cluster: naming::aurora_global_cluster(topology, name),
                writer: writer.clone(),
                target: target.clone(),
                target_cluster: naming::aurora_cluster(topology, name, target),
                write_forwarding: data_class.write_forwarding,
            });
        }
    }
    let mut region_drills = Vec::new();
    for loss in &loss_model.losses {
        let experiments = &experiments[&loss.lost];
        // A region without services has no experiment (nothing to stop, no alarm to end a cut).
        if experiments.stop_tasks.is_empty() {
            continue;
        }
        calendar.push(CalendarRow {
            drill: format!("Stop a share of every service's tasks in {}", loss.lost),
            proves: "ECS replaces stopped tasks and the services keep answering without server errors".to_string(),
        });
        calendar.push(CalendarRow {
            drill: format!("Cut {}'s private subnets off", loss.lost),
            proves: format!(
                "the edge withdraws {} when it loses its network, its alarms page, and it comes back by itself",
                loss.lost
            ),
        });
        if !experiments.paused_tables.is_empty() {
            calendar.push(CalendarRow {
                drill: format!("Pause the replication of the global tables' replicas in {}", loss.lost),
                proves:
                    "the replication-latency alarms see a stalled replica, and replication catches up once it resumes"
                        .to_string(),
            });
        }
        if !experiments.paused_buckets.is_empty() {
            calendar.push(CalendarRow {
                drill: format!("Pause the replication of each bucket in {}", loss.lost),
                proves:
                    "the S3 replication-latency alarms see stalled replication, and the objects arrive once it resumes"
                        .to_string(),
            });
        }
        let replication_pairs: usize = experiments
            .paused_tables
            .iter()
            .map(|paused| context.placements[&paused.class].len() - 1)
            .sum();
        region_drills.push(RegionDrills {
            paused_buckets: experiments
                .paused_buckets
                .iter()
                .map(|paused| paused.class.clone())
                .collect(),
            bucket_alarms: experiments
                .paused_buckets
                .iter()
                .map(|paused| paused.alarm_keys.len())
                .sum(),
            bucket_pairs: experiments
                .paused_buckets
                .iter()
                .map(|paused| paused.destinations.len())
                .sum(),
            resident_bucket_classes: experiments.resident_bucket_classes.clone(),
            paused_tables: experiments
                .paused_tables
                .iter()
                .map(|paused| paused.class.clone())
                .collect(),
            pause_alarms: experiments.replication_alarm_keys.len(),
            replication_pairs,
            region: loss.lost.clone(),
            stop_tasks: experiments
                .stop_tasks
                .iter()
                .map(|stop| StoppedTasks {
                    service: stop.service.clone(),
                    percent: stop.percent,
                    utilization_after: percent(stop.utilization_after),
                })
                .collect(),
            services: observations(loss),
            unwatched_services: context
                .services_in(&loss.lost)
                .map(|(name, _)| name.clone())
                .filter(|name| !experiments.isolation_alarm_services.contains(name))
                .collect(),
            alarm_services: experiments.isolation_alarm_services.clone(),
            writers_here: loss
                .data
                .iter()
                .filter(|data| data.store == Store::Aurora && data.writer_lost)
                .map(|data| data.class.clone())
                .collect(),
            evaluation_minutes: topology.observability.evaluation_periods,
        });
    }
    Gameday {
        region_drills,
        isolation_minutes: super::experiments::ISOLATION_MINUTES,
        pause_minutes: super::experiments::PAUSE_MINUTES,
        bucket_pause_minutes: super::experiments::BUCKET_PAUSE_MINUTES,
        replication_threshold_ms: topology.observability.dynamodb_replication_latency_ms,
        topology: topology.name.clone(),
        spec_file: context.spec_file.clone(),
        cadence: topology.observability.gameday_cadence.as_str(),
        dashboard: naming::dashboard(topology),
        alarm_regions: alarm_regions.to_vec(),
        recovery_control: topology.edge.recovery_control,
        accelerators: !topology.edge.accelerator.is_empty(),
        calendar,
        evacuations,
        plan_runs,
        drill_unverified: super::region_switch_drills::UNVERIFIED,
        drill_wait_minutes: super::region_switch_drills::DRILL_WAIT_MINUTES,
        switchovers,
    }
}
