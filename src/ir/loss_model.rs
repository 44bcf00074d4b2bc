//! The region-loss model: for each region lost and each service that ran there, where
//! its traffic goes and what moves it, the load on each survivor right after the loss
//! and after scale-out, and how the survivor reads and writes every data class the
//! service uses; for each data class, what the loss costs (RPO, RTO, the runbook step).
//!
//! It is computed from the IR (the placements, the N+1 sizing that sets the autoscaling
//! bounds, each region's data access and write paths), independently of how the sizing
//! spread the load, so a sizing or placement that cannot carry a loss is caught here.
//! [`violations`] are internal errors: whatever the spec asked for that cannot survive a
//! loss is a checker diagnostic first (TOPO0034, TOPO0061, TOPO0067, TOPO0068, TOPO0069),
//! so a violation means topoc generated it. `review/region-loss.md` is written from it.

use super::context::Context;
use crate::check::sizing::LossRouting;
use crate::spec::model::Store;

/// The model: one entry per topology region, in name order.
#[derive(Clone, Debug)]
pub struct LossModel {
    pub losses: Vec<RegionLoss>,
}

/// What happens when one region is lost.
#[derive(Clone, Debug)]
pub struct RegionLoss {
    pub lost: String,
    pub paths: Vec<ServicePath>,
    pub data: Vec<DataLoss>,
}

/// How a service's traffic moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mover {
    /// Global Accelerator, on the ALB's target health.
    Accelerator,
    /// Route 53 records with per-service health checks, behind CloudFront; read-only
    /// paths are also retried within the request by CloudFront's origin group.
    Dns { retried_in_request: bool },
}

/// One service that ran in the lost region.
#[derive(Clone, Debug)]
pub struct ServicePath {
    pub service: String,
    pub mover: Mover,
    pub routing: LossRouting,
    /// Seconds from the failure until DNS answers without the lost region (health-check
    /// detection plus the record TTL); `None` for Global Accelerator.
    pub dns_seconds: Option<u32>,
    /// The survivors that receive the lost region's share; empty when the service ran
    /// nowhere else.
    pub destinations: Vec<Destination>,
}

/// One survivor of a service after a loss.
#[derive(Clone, Debug)]
pub struct Destination {
    pub region: String,
    pub received_rps: f64,
    pub load_rps: f64,
    pub min_tasks: u32,
    pub max_tasks: u32,
    /// Utilization at the steady task count, right after the loss.
    pub utilization_now: f64,
    /// Utilization once autoscaling reaches the maximum.
    pub utilization_scaled: f64,
    pub target_utilization: f64,
    /// Data classes the service uses that the survivor holds no copy of.
    pub missing_classes: Vec<String>,
    /// Aurora classes the service writes that the survivor has no write path for.
    pub unwritable_classes: Vec<String>,
}

/// What the loss costs one data class with a copy (or its writer) in the lost region.
#[derive(Clone, Debug)]
pub struct DataLoss {
    pub class: String,
    pub store: Store,
    /// The regions that keep serving it.
    pub survivors: Vec<String>,
    /// For Aurora: whether the lost region held the writer, and the region to fail over
    /// to (the nearest survivor with a cluster).
    pub writer_lost: bool,
    pub failover_to: Option<String>,
}

/// Computes the model.
pub fn model(context: &Context<'_>) -> LossModel {
    let topology = context.topology;
    let edge = &topology.edge;
    let dns_seconds = edge.health_check.interval_seconds * edge.health_check.failure_threshold + edge.dns_ttl;
    let losses = context
        .regions
        .iter()
        .map(|lost| {
            let paths = context
                .services_in(lost)
                .map(|(name, service)| {
                    let placed = topology.service_regions(service);
                    let routing = LossRouting::of(topology, name);
                    let accelerated = edge.accelerator.iter().any(|accelerated| accelerated == name);
                    let share_of = |region: &str| crate::check::sizing::traffic_share(topology, &placed, region);
                    let survivors: Vec<&String> = placed.iter().filter(|region| *region != lost).collect();
                    let lost_rps = share_of(lost) * service.peak_rps;
                    let nearest = crate::aws::regions::nearest(lost, survivors.iter().map(|code| code.as_str()));
                    let survivors_share: f64 = survivors.iter().map(|code| share_of(code)).sum();
                    let received = |survivor: &str| match routing {
                        LossRouting::Nearest if nearest == Some(survivor) => lost_rps,
                        LossRouting::Nearest => 0.0,
                        LossRouting::Proportional if survivors_share > 0.0 => {
                            lost_rps * share_of(survivor) / survivors_share
                        }
                        LossRouting::Proportional => 0.0,
                    };
                    let destinations = survivors
                        .iter()
                        .filter(|survivor| received(survivor) > 0.0)
                        .map(|survivor| {
                            let sizing = &context.sizing[name][survivor.as_str()];
                            let received_rps = received(survivor);
                            let load_rps = share_of(survivor) * service.peak_rps + received_rps;
                            let access = context.service_access(name, survivor);
                            Destination {
                                region: (*survivor).clone(),
                                received_rps,
                                load_rps,
                                min_tasks: sizing.min_tasks,
                                max_tasks: sizing.max_tasks,
                                utilization_now: load_rps / (f64::from(sizing.min_tasks) * service.rps_per_task),
                                utilization_scaled: load_rps / (f64::from(sizing.max_tasks) * service.rps_per_task),
                                target_utilization: service.steady_utilization,
                                missing_classes: service
                                    .data
                                    .names()
                                    .into_iter()
                                    .filter(|class| {
                                        !context.placements[*class].iter().any(|placed| placed == *survivor)
                                    })
                                    .map(str::to_string)
                                    .collect(),
                                unwritable_classes: service
                                    .data_access()
                                    .into_iter()
                                    .filter(|(class, access)| {
                                        access.writes() && topology.data[*class].store == Store::Aurora
                                    })
                                    .map(|(class, _)| class)
                                    .filter(|class| !access.aurora_writes.iter().any(|(written, _)| written == class))
                                    .map(str::to_string)
                                    .collect(),
                            }
                        })
                        .collect();
                    ServicePath {
                        service: name.clone(),
                        mover: if accelerated {
                            Mover::Accelerator
                        } else {
                            Mover::Dns {
                                retried_in_request: service.read_only && placed.len() > 1,
                            }
                        },
                        routing,
                        dns_seconds: (!accelerated).then_some(dns_seconds),
                        destinations,
                    }
                })
                .collect();
            let data = topology
                .data
                .iter()
                .filter(|(class, data_class)| {
                    context.placements[*class].iter().any(|placed| placed == lost)
                        || data_class
                            .writer
                            .as_ref()
                            .is_some_and(|writer| writer.regions().contains(&lost.as_str()))
                })
                .map(|(class, data_class)| {
                    let survivors: Vec<String> = context.placements[class]
                        .iter()
                        .filter(|region| *region != lost)
                        .cloned()
                        .collect();
                    let writer_lost = data_class.store == Store::Aurora
                        && data_class
                            .writer
                            .as_ref()
                            .is_some_and(|writer| writer.regions().contains(&lost.as_str()));
                    DataLoss {
                        class: class.clone(),
                        store: data_class.store,
                        failover_to: writer_lost
                            .then(|| crate::aws::regions::nearest(lost, survivors.iter().map(String::as_str)))
                            .flatten()
                            .map(str::to_string),
                        survivors,
                        writer_lost,
                    }
                })
                .collect();
            RegionLoss {
                lost: lost.clone(),
                paths,
                data,
            }
        })
        .collect();
    LossModel { losses }
}

/// What the model finds broken: a survivor without the data its new traffic needs, one
/// that cannot write what the service writes, one that can never get back to its target
/// utilization, or traffic that still goes to the lost region.
pub fn violations(model: &LossModel) -> Vec<String> {
    let mut found = Vec::new();
    for loss in &model.losses {
        for path in &loss.paths {
            for destination in &path.destinations {
                let (lost, service, survivor) = (&loss.lost, &path.service, &destination.region);
                if survivor == lost {
                    found.push(format!("losing {lost}: `{service}` still routes to {lost}"));
                }
                for class in &destination.missing_classes {
                    found.push(format!(
                        "losing {lost}: `{service}`'s traffic goes to {survivor}, which has no copy of `{class}`"
                    ));
                }
                for class in &destination.unwritable_classes {
                    found.push(format!(
                        "losing {lost}: `{service}`'s traffic goes to {survivor}, where its writes to `{class}` have no path to the writer"
                    ));
                }
                if destination.utilization_scaled > destination.target_utilization + 1e-9 {
                    found.push(format!(
                        "losing {lost}: {survivor} serves {:.0} rps of `{service}` and can never get back to its target utilization: {} tasks at most run at {:.0}%",
                        destination.load_rps,
                        destination.max_tasks,
                        destination.utilization_scaled * 100.0
                    ));
                }
            }
        }
    }
    found
}
