//! N+1 sizing (DESIGN.md §5): steady and failover task counts per service and region.
//!
//! For a service with global peak `P` requests per second, per-task capacity `c`,
//! steady (target) utilization `u` and region traffic shares `w`:
//! - steady (minimum) tasks in region i: `max(min_tasks, ceil(w_i·P / (c·u)))`;
//! - where a lost region j's load goes depends on how the service's traffic is steered
//!   ([`LossRouting`]): weighted routing spreads it over the survivors in proportion to
//!   their weights; latency and geoproximity routing, Global Accelerator and CloudFront's
//!   failover origin send j's viewers to the survivor nearest to them, modelled
//!   conservatively as j's whole share landing on the survivor nearest to j;
//! - load on region i after losing j: `L_ij = w_i·P + (part of w_j·P routed to i)`;
//! - maximum tasks: `max(min, ceil(max_j L_ij / (c·u)))`, so that autoscaling, which
//!   tracks the same target utilization, can bring every survivor back to it;
//! - utilization right after the loss, before autoscaling: `L_ij / (min · c)`.
//!
//! The same numbers drive the ECS autoscaling bounds, `review/sizing.md` and the
//! region-loss model.

use std::collections::BTreeMap;

use super::{Context, format_number};
use crate::diag::{Code, Diagnostic};
use crate::spec::Topology;
use crate::spec::model::{Routing, Service};

/// How a service's traffic leaves a lost region.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossRouting {
    /// Route 53 weighted records: the lost region's share is spread over the survivors
    /// in proportion to their weights.
    Proportional,
    /// Latency or geoproximity records, Global Accelerator, CloudFront's failover
    /// origin: the lost region's viewers go to the survivor nearest to them, taken as
    /// the survivor nearest to the lost region (the region distance table in
    /// `aws::regions`, the same one that picks CloudFront's failover origin).
    Nearest,
}

impl LossRouting {
    /// How `service`'s traffic moves: Global Accelerator steers to the nearest healthy
    /// endpoint group whatever the DNS routing is; otherwise the edge's routing decides.
    pub fn of(topology: &Topology, service_name: &str) -> LossRouting {
        if topology.edge.accelerator.iter().any(|name| name == service_name) {
            return LossRouting::Nearest;
        }
        match topology.edge.routing {
            Routing::Weighted => LossRouting::Proportional,
            Routing::Latency | Routing::Geoproximity => LossRouting::Nearest,
        }
    }

    /// The mechanism in words, for the review documents.
    pub fn describe(self) -> &'static str {
        match self {
            LossRouting::Proportional => "weighted records: spread over the survivors by weight",
            LossRouting::Nearest => "to the nearest survivor",
        }
    }
}

/// Sizing of one service in one region.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionSizing {
    pub traffic: f64,
    pub steady_load_rps: f64,
    pub min_tasks: u32,
    pub max_tasks: u32,
    /// One entry per other region that could be lost.
    pub losses: Vec<LossImpact>,
}

/// What happens to one region when another is lost.
#[derive(Clone, Debug, PartialEq)]
pub struct LossImpact {
    pub lost_region: String,
    /// The part of the lost region's load this region receives.
    pub received_rps: f64,
    /// `L_ij`: this region's own load plus what it receives.
    pub load_rps: f64,
    /// Tasks that serve `load_rps` at the steady (target) utilization.
    pub tasks_needed: u32,
    /// Utilization right after the loss, at the steady task count (1.0 = 100%).
    pub utilization_before_scaling: f64,
    /// Utilization once autoscaling has reached the maximum task count.
    pub utilization_after_scaling: f64,
}

/// Sizing of one service in every region, keyed by region code.
pub type ServiceSizing = BTreeMap<String, RegionSizing>;

/// Ceiling that ignores floating-point noise (33.000000000001 is 33).
fn ceil_count(value: f64) -> u32 {
    let rounded = (value - 1e-9).ceil().max(0.0);
    if rounded >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        rounded as u32
    }
}

/// The share of `lost`'s load that `survivor` receives, given the shares `share` and
/// `nearest`, the survivor nearest to `lost`.
fn received_share(
    routing: LossRouting,
    lost: &str,
    nearest: Option<&str>,
    survivor: &str,
    share: &dyn Fn(&str) -> f64,
) -> f64 {
    let lost_share = share(lost);
    match routing {
        LossRouting::Proportional => {
            let survivors = 1.0 - lost_share;
            if survivors > 0.0 {
                lost_share * share(survivor) / survivors
            } else {
                0.0
            }
        }
        LossRouting::Nearest => {
            if nearest == Some(survivor) {
                lost_share
            } else {
                0.0
            }
        }
    }
}

/// `region`'s share of a service's traffic among the regions it is `placed` in: a
/// service placed in some regions only serves its whole peak there, each region taking
/// its share of those regions' traffic.
pub fn traffic_share(topology: &Topology, placed: &[String], region: &str) -> f64 {
    let placed_traffic: f64 = placed.iter().map(|code| topology.regions[code].traffic).sum();
    if placed_traffic > 0.0 {
        topology.regions[region].traffic / placed_traffic
    } else {
        0.0
    }
}

/// Computes the sizing of one service. Needs traffic shares that sum to 1 and at least
/// one region; with a single region there are no losses to absorb.
pub fn size_service(topology: &Topology, service_name: &str, service: &Service) -> ServiceSizing {
    let peak = service.peak_rps;
    let capacity = service.rps_per_task;
    let target = capacity * service.steady_utilization;
    let routing = LossRouting::of(topology, service_name);
    // A service placed in some regions only serves its whole peak there, each region
    // taking its share of those regions' traffic.
    let placed = topology.service_regions(service);
    let share = |code: &str| traffic_share(topology, &placed, code);
    // Each lost region's nearest survivor, once: distances are the costly part at scale.
    let nearest: BTreeMap<&str, Option<&str>> = placed
        .iter()
        .map(|lost| {
            (
                lost.as_str(),
                crate::aws::regions::nearest(lost, placed.iter().map(String::as_str)),
            )
        })
        .collect();
    let mut sizing = BTreeMap::new();
    for code in &placed {
        let traffic = share(code);
        let steady_load_rps = traffic * peak;
        let min_tasks = service.min_tasks.max(ceil_count(steady_load_rps / target));
        let mut losses = Vec::new();
        for lost_code in &placed {
            if lost_code == code || share(lost_code) >= 1.0 {
                continue;
            }
            let received_rps = received_share(routing, lost_code, nearest[lost_code.as_str()], code, &share) * peak;
            let load_rps = steady_load_rps + received_rps;
            losses.push(LossImpact {
                lost_region: lost_code.clone(),
                received_rps,
                load_rps,
                tasks_needed: ceil_count(load_rps / target),
                utilization_before_scaling: load_rps / (f64::from(min_tasks) * capacity),
                utilization_after_scaling: 0.0,
            });
        }
        let max_tasks = losses
            .iter()
            .map(|loss| loss.tasks_needed)
            .max()
            .unwrap_or(min_tasks)
            .max(min_tasks);
        for loss in &mut losses {
            loss.utilization_after_scaling = loss.load_rps / (f64::from(max_tasks) * capacity);
        }
        sizing.insert(
            code.clone(),
            RegionSizing {
                traffic,
                steady_load_rps,
                min_tasks,
                max_tasks,
                losses,
            },
        );
    }
    sizing
}

/// Fargate vCPUs one region runs, from the sizing of every service placed in it.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionVcpu {
    /// At the steady (minimum) task counts.
    pub steady: f64,
    /// At the maximum task counts while a release replaces every service's tasks: ECS
    /// starts the new tasks before stopping the old (`deployment_maximum_percent`).
    pub peak: f64,
    /// The On-Demand vCPU quota assumed for the region, and whether the spec gave it.
    pub quota: u32,
    pub quota_from_spec: bool,
}

/// vCPUs per region, keyed by region code.
pub fn region_vcpu(topology: &Topology, sizing: &BTreeMap<String, ServiceSizing>) -> BTreeMap<String, RegionVcpu> {
    let surge = f64::from(crate::aws::quotas::ECS_DEPLOYMENT_MAXIMUM_PERCENT) / 100.0;
    topology
        .regions
        .iter()
        .map(|(code, region)| {
            let (mut steady, mut at_maximum) = (0.0, 0.0);
            for (name, service) in &topology.services {
                if let Some(region_sizing) = sizing.get(name).and_then(|service_sizing| service_sizing.get(code)) {
                    let vcpu = f64::from(service.cpu) / 1024.0;
                    steady += f64::from(region_sizing.min_tasks) * vcpu;
                    at_maximum += f64::from(region_sizing.max_tasks) * vcpu;
                }
            }
            (
                code.clone(),
                RegionVcpu {
                    steady,
                    peak: at_maximum * surge,
                    quota: region
                        .fargate_vcpu_quota
                        .unwrap_or(crate::aws::quotas::FARGATE_ON_DEMAND_VCPU.default_value),
                    quota_from_spec: region.fargate_vcpu_quota.is_some(),
                },
            )
        })
        .collect()
}

/// Sizing of every service, keyed by service name.
pub fn size_all(topology: &Topology) -> BTreeMap<String, ServiceSizing> {
    topology
        .services
        .iter()
        .map(|(name, service)| (name.clone(), size_service(topology, name, service)))
        .collect()
}

pub(super) fn check(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let topology = context.topology;
    let total: f64 = topology.regions.values().map(|region| region.traffic).sum();
    if topology.regions.len() < 2 || (total - 1.0).abs() > 1e-6 {
        return;
    }
    // Sizing is services × regions², so a spec with unknown regions (TOPO0021 already
    // reports each) is not sized: a thousand made-up regions would cost seconds.
    if topology
        .regions
        .keys()
        .any(|code| crate::aws::regions::find(code).is_none())
    {
        return;
    }
    let all = size_all(topology);
    for (region, vcpu) in region_vcpu(topology, &all) {
        if vcpu.peak <= f64::from(vcpu.quota) + 1e-9 {
            continue;
        }
        let quota = crate::aws::quotas::FARGATE_ON_DEMAND_VCPU;
        let (span, whose) = if vcpu.quota_from_spec {
            (context.value(&["regions", &region, "fargate_vcpu_quota"]), "the spec's")
        } else {
            (context.key(&["regions", &region]), "the default")
        };
        diagnostics.push(
            Diagnostic::new(
                Code::FargateQuota,
                span,
                format!(
                    "`{region}` may need {} Fargate vCPUs after another region's loss, during a release, above {whose} quota of {}",
                    format_number(vcpu.peak.ceil()),
                    vcpu.quota
                ),
            )
            .with_hint(format!(
                "check the applied quota with `aws service-quotas get-service-quota --service-code fargate --quota-code {} --region {region}`, ask for an increase, and set `regions.{region}.fargate_vcpu_quota` to it",
                quota.quota_code
            )),
        );
    }
    for (name, service) in &topology.services {
        let sizing = &all[name];
        for (region, region_sizing) in sizing {
            for loss in &region_sizing.losses {
                if loss.utilization_before_scaling <= 1.0 + 1e-9 {
                    continue;
                }
                // Absorbing the loss at the steady count means serving L_ij at 100%.
                let needed = ceil_count(loss.load_rps / service.rps_per_task);
                let share = region_sizing.steady_load_rps / (f64::from(needed) * service.rps_per_task);
                diagnostics.push(
                    Diagnostic::new(
                        Code::NPlusOne,
                        context.key(&["services", name]),
                        format!(
                            "`{region}` cannot absorb the loss of `{}` for `{name}`: {} steady tasks would run at {} serving {} rps until autoscaling reaches {} tasks",
                            loss.lost_region,
                            region_sizing.min_tasks,
                            super::format_percent(loss.utilization_before_scaling),
                            format_number(loss.load_rps.round()),
                            region_sizing.max_tasks,
                        ),
                    )
                    .with_hint(format!(
                        "`{region}` needs {needed} tasks before the loss: lower `steady_utilization` to {} or less, or raise `min_tasks` to {needed}",
                        format_number((share * 100.0).floor() / 100.0)
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topology(shares: &[(&str, f64)], utilization: f64) -> Topology {
        loaded(shares, utilization).topology.unwrap()
    }

    fn loaded(shares: &[(&str, f64)], utilization: f64) -> crate::spec::LoadedSpec {
        let regions: Vec<String> = shares
            .iter()
            .enumerate()
            .map(|(index, (code, share))| format!("  {code}: {{ traffic: {share}, cidr: 10.{}.0.0/16 }}", index + 1))
            .collect();
        let text = format!(
            "topoc: 1\nname: tt\nprimary_region: {}\ndomain: {{ zone: example.com, app: example.com }}\nstate: {{ bucket: b-state, region: us-east-1 }}\nregions:\n{}\nservices:\n  api: {{ image: repo/api, port: 80, cpu: 256, memory: 512, path: /api, peak_rps: 1000, rps_per_task: 10, steady_utilization: {utilization}, min_tasks: 1 }}\n",
            shares[0].0,
            regions.join("\n")
        );
        let mut source_map = crate::source::SourceMap::new();
        let file = source_map.add("t.yaml", text);
        let (loaded, diagnostics) = crate::spec::load(&source_map, file);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        loaded
    }

    #[test]
    fn two_equal_regions_at_half_utilization_absorb_exactly() {
        let topology = topology(&[("us-east-1", 0.5), ("eu-west-1", 0.5)], 0.5);
        let sizing = size_service(&topology, "api", &topology.services["api"]);
        for region in sizing.values() {
            // 500 rps at 5 rps per task in steady state: 100 tasks, at 100% right after
            // the loss; autoscaling brings 1,000 rps back to 50% with 200.
            assert_eq!(region.min_tasks, 100);
            assert_eq!(region.max_tasks, 200);
            assert!((region.losses[0].utilization_before_scaling - 1.0).abs() < 1e-9);
            assert!((region.losses[0].utilization_after_scaling - 0.5).abs() < 1e-9);
        }
    }

    #[test]
    fn uneven_regions_report_the_smaller_one_overloaded() {
        let topology = topology(&[("us-east-1", 0.6), ("eu-west-1", 0.4)], 0.55);
        let sizing = size_service(&topology, "api", &topology.services["api"]);
        let eu = &sizing["eu-west-1"];
        assert_eq!(eu.min_tasks, 73); // ceil(400 / 5.5)
        assert_eq!(eu.max_tasks, 182); // ceil(1000 / 5.5)
        assert!(eu.losses[0].utilization_before_scaling > 1.3);
        let us = &sizing["us-east-1"];
        assert_eq!(us.min_tasks, 110); // ceil(600 / 5.5)
        assert_eq!(us.max_tasks, 182);
        assert!(us.losses[0].utilization_before_scaling < 1.0);
    }

    /// The case the issue measured: five regions, where proportional spreading said 71%
    /// and the survivor nearest to the lost region really takes its whole share.
    #[test]
    fn a_lost_regions_load_lands_on_its_nearest_survivor() {
        let shares = [
            ("us-east-1", 0.3),
            ("us-east-2", 0.1),
            ("eu-west-1", 0.2),
            ("eu-central-1", 0.2),
            ("ap-northeast-1", 0.2),
        ];
        let topology = topology(&shares, 0.5);
        let sizing = size_service(&topology, "api", &topology.services["api"]);
        let loss = |region: &str, lost: &str| {
            sizing[region]
                .losses
                .iter()
                .find(|loss| loss.lost_region == lost)
                .unwrap()
                .clone()
        };
        // us-east-2 (Ohio) is us-east-1's nearest survivor and gets all of its 300 rps.
        let ohio = loss("us-east-2", "us-east-1");
        assert!((ohio.received_rps - 300.0).abs() < 1e-9);
        assert!((ohio.load_rps - 400.0).abs() < 1e-9);
        // At 20 steady tasks of 10 rps, 400 rps is 200%; proportional spreading would
        // have said 100 + 300·0.1/0.7 ≈ 143 rps, 71%.
        assert!((ohio.utilization_before_scaling - 2.0).abs() < 1e-9);
        assert_eq!(sizing["us-east-2"].max_tasks, 80);
        assert!(loss("ap-northeast-1", "us-east-1").received_rps.abs() < 1e-9);
        // Every survivor can get back to its target utilization after every loss.
        for region in sizing.values() {
            for loss in &region.losses {
                assert!(loss.utilization_after_scaling <= 0.5 + 1e-9, "{loss:?}");
            }
        }
    }

    #[test]
    fn weighted_routing_spreads_a_loss_by_weight() {
        let shares = [("us-east-1", 0.5), ("us-east-2", 0.25), ("eu-west-1", 0.25)];
        let loaded = loaded(&shares, 0.5);
        let mut topology = loaded.topology.unwrap();
        topology.edge.routing = Routing::Weighted;
        let sizing = size_service(&topology, "api", &topology.services["api"]);
        let received = |region: &str| {
            sizing[region]
                .losses
                .iter()
                .find(|loss| loss.lost_region == "us-east-1")
                .unwrap()
                .received_rps
        };
        assert!((received("us-east-2") - 250.0).abs() < 1e-9);
        assert!((received("eu-west-1") - 250.0).abs() < 1e-9);
        // Behind Global Accelerator the same service goes to the nearest survivor.
        topology.edge.accelerator = vec!["api".to_string()];
        let sizing = size_service(&topology, "api", &topology.services["api"]);
        let received_by_ohio = sizing["us-east-2"]
            .losses
            .iter()
            .find(|loss| loss.lost_region == "us-east-1")
            .unwrap()
            .received_rps;
        assert!((received_by_ohio - 500.0).abs() < 1e-9);
    }

    #[test]
    fn a_peak_above_the_fargate_quota_is_reported() {
        let run = |quota: u32| {
            let mut loaded = loaded(&[("us-east-1", 0.6), ("eu-west-1", 0.4)], 0.3);
            let topology = loaded.topology.as_mut().unwrap();
            topology.regions.get_mut("eu-west-1").unwrap().fargate_vcpu_quota = Some(quota);
            let topology = loaded.topology.as_ref().unwrap();
            let context = super::super::Context {
                topology,
                spans: &loaded.spans,
            };
            let mut diagnostics = Vec::new();
            check(&context, &mut diagnostics);
            diagnostics
                .iter()
                .filter(|diagnostic| diagnostic.code == Code::FargateQuota)
                .count()
        };
        // 334 tasks of 0.25 vCPU at the maximum, twice that during a release: 167 vCPUs.
        assert_eq!(run(166), 1);
        assert_eq!(run(167), 0);
    }

    #[test]
    fn topologies_with_unknown_regions_are_not_sized() {
        let run = |shares: &[(&str, f64)]| {
            let loaded = loaded(shares, 0.55);
            let topology = loaded.topology.expect("loads");
            let context = super::super::Context {
                topology: &topology,
                spans: &loaded.spans,
            };
            let mut diagnostics = Vec::new();
            check(&context, &mut diagnostics);
            diagnostics.len()
        };
        assert_eq!(
            run(&[("us-east-1", 0.6), ("eu-west-1", 0.4)]),
            1,
            "eu-west-1 is overloaded"
        );
        assert_eq!(run(&[("us-east-1", 0.6), ("eu-nowhere-1", 0.4)]), 0);
    }
}
