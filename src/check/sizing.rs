//! N+1 sizing (DESIGN.md §5): steady and failover task counts per service and region.
//!
//! For a service with global peak `P` requests per second, per-task capacity `c`,
//! steady utilization `u` and region traffic shares `w`:
//! - steady (minimum) tasks in region i: `max(min_tasks, ceil(w_i·P / (c·u)))`;
//! - load on region i after losing region j: `w_i / (1 − w_j) · P`;
//! - failover (maximum) tasks: the worst j, at full utilization: `ceil(load / c)`;
//! - utilization right after the loss, before autoscaling: `load / (steady · c)`.
//!
//! The same numbers drive the ECS autoscaling bounds and `review/sizing.md`.

use std::collections::BTreeMap;

use super::{Context, format_number};
use crate::diag::{Code, Diagnostic};
use crate::spec::Topology;
use crate::spec::model::Service;

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
    pub load_rps: f64,
    pub tasks_needed: u32,
    /// Utilization right after the loss, at the steady task count (1.0 = 100%).
    pub utilization_before_scaling: f64,
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

/// Computes the sizing of one service. Needs traffic shares that sum to 1 and at least
/// one region; with a single region there are no losses to absorb.
pub fn size_service(topology: &Topology, service: &Service) -> ServiceSizing {
    let peak = service.peak_rps;
    let capacity = service.rps_per_task;
    // A service placed in some regions only serves its whole peak there, each region
    // taking its share of those regions' traffic.
    let placed = topology.service_regions(service);
    let placed_traffic: f64 = placed.iter().map(|code| topology.regions[code].traffic).sum();
    let share = |code: &str| {
        if placed_traffic > 0.0 {
            topology.regions[code].traffic / placed_traffic
        } else {
            0.0
        }
    };
    let mut sizing = BTreeMap::new();
    for code in &placed {
        let traffic = share(code);
        let steady_load_rps = traffic * peak;
        let min_tasks = service
            .min_tasks
            .max(ceil_count(steady_load_rps / (capacity * service.steady_utilization)));
        let mut losses = Vec::new();
        for lost_code in &placed {
            let lost_traffic = share(lost_code);
            if lost_code == code || lost_traffic >= 1.0 {
                continue;
            }
            let load_rps = traffic / (1.0 - lost_traffic) * peak;
            losses.push(LossImpact {
                lost_region: lost_code.clone(),
                load_rps,
                tasks_needed: ceil_count(load_rps / capacity),
                utilization_before_scaling: load_rps / (f64::from(min_tasks) * capacity),
            });
        }
        let max_tasks = losses
            .iter()
            .map(|loss| loss.tasks_needed)
            .max()
            .unwrap_or(min_tasks)
            .max(min_tasks);
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

/// Sizing of every service, keyed by service name.
pub fn size_all(topology: &Topology) -> BTreeMap<String, ServiceSizing> {
    topology
        .services
        .iter()
        .map(|(name, service)| (name.clone(), size_service(topology, service)))
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
    for (name, service) in &topology.services {
        let sizing = size_service(topology, service);
        for (region, region_sizing) in &sizing {
            for loss in &region_sizing.losses {
                if loss.utilization_before_scaling <= 1.0 + 1e-9 {
                    continue;
                }
                let needed = loss.tasks_needed;
                let share = region_sizing.steady_load_rps / (f64::from(needed) * service.rps_per_task);
                diagnostics.push(
                    Diagnostic::new(
                        Code::NPlusOne,
                        context.key(&["services", name]),
                        format!(
                            "`{region}` cannot absorb the loss of `{}` for `{name}`: {} steady tasks would run at {}% serving {} rps",
                            loss.lost_region,
                            region_sizing.min_tasks,
                            format_number((loss.utilization_before_scaling * 100.0).round()),
                            format_number(loss.load_rps.round()),
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
        let sizing = size_service(&topology, &topology.services["api"]);
        for region in sizing.values() {
            // 500 rps at 5 rps per task in steady state; 1,000 rps at 10 per task after a loss.
            assert_eq!(region.min_tasks, 100);
            assert_eq!(region.max_tasks, 100);
            assert!((region.losses[0].utilization_before_scaling - 1.0).abs() < 1e-9);
        }
    }

    #[test]
    fn uneven_regions_report_the_smaller_one_overloaded() {
        let topology = topology(&[("us-east-1", 0.6), ("eu-west-1", 0.4)], 0.55);
        let sizing = size_service(&topology, &topology.services["api"]);
        let eu = &sizing["eu-west-1"];
        assert_eq!(eu.min_tasks, 73); // ceil(400 / 5.5)
        assert_eq!(eu.max_tasks, 100);
        assert!(eu.losses[0].utilization_before_scaling > 1.3);
        let us = &sizing["us-east-1"];
        assert_eq!(us.min_tasks, 110); // ceil(600 / 5.5)
        assert_eq!(us.max_tasks, 110);
        assert!(us.losses[0].utilization_before_scaling < 1.0);
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
