//! Rules about the regions: how many, valid codes, traffic shares, VPC ranges,
//! deploy waves, the primary region and routing options.

use super::{Context, choices_in_backticks, format_number};
use crate::aws::regions as aws_regions;
use crate::diag::{self, Code, Diagnostic};
use crate::ipv4::Ipv4Network;
use crate::spec::model::{AvailabilityZones, Routing};

pub(super) fn check(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let topology = context.topology;
    if topology.regions.len() < 2 {
        diagnostics.push(
            Diagnostic::new(
                Code::TooFewRegions,
                context.key(&["regions"]),
                format!(
                    "an active-active topology needs at least two regions, found {}",
                    topology.regions.len()
                ),
            )
            .with_hint("add a second region under `regions`, with its own `traffic` share and `cidr`"),
        );
    }
    for code in topology.regions.keys() {
        check_region_code(code, context.key(&["regions", code]), diagnostics);
    }
    check_region_code(&topology.state.region, context.value(&["state", "region"]), diagnostics);
    if crate::aws::regions::find(&topology.state.region).is_some()
        && !topology.regions.contains_key(&topology.state.region)
    {
        diagnostics.push(
            Diagnostic::new(
                Code::StateRegion,
                context.value(&["state", "region"]),
                format!(
                    "state region `{}` is not a region of this topology, so it has no state bucket",
                    topology.state.region
                ),
            )
            .with_hint(format!(
                "use one of {}",
                super::choices_in_backticks(topology.regions.keys().map(String::as_str))
            )),
        );
    }
    for (class, regions) in &topology.residency {
        for (position, region) in regions.iter().enumerate() {
            let position = position.to_string();
            check_region_code(region, context.value(&["residency", class, &position]), diagnostics);
        }
    }

    let total: f64 = topology.regions.values().map(|region| region.traffic).sum();
    if !topology.regions.is_empty() && (total - 1.0).abs() > 1e-6 {
        let shares = topology
            .regions
            .iter()
            .map(|(code, region)| format!("{code} {}", format_number(region.traffic)))
            .collect::<Vec<_>>()
            .join(" + ");
        diagnostics.push(
            Diagnostic::new(
                Code::TrafficSum,
                context.key(&["regions"]),
                format!("the regions' traffic shares sum to {}, not 1", format_number(total)),
            )
            .with_hint(format!(
                "adjust the shares so they sum to 1: {shares} = {}",
                format_number(total)
            )),
        );
    }

    check_cidrs(context, diagnostics);

    for (code, region) in &topology.regions {
        if aws_regions::find(code).is_none() {
            continue;
        }
        let span = context.value(&["regions", code, "availability_zones"]);
        match &region.availability_zones {
            AvailabilityZones::Count(count) => {
                if let Err(problem) = aws_regions::usual_zone_names(code, *count as usize) {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::AvailabilityZones,
                            if context.is_written(&["regions", code, "availability_zones"]) {
                                span
                            } else {
                                context.key(&["regions", code])
                            },
                            format!("cannot choose {count} availability zones in `{code}`: {problem}"),
                        )
                        .with_hint(format!(
                            "list the zone names your account has, e.g. `availability_zones: [{code}a, {code}c]`"
                        )),
                    );
                }
            }
            AvailabilityZones::Names(names) => {
                for (position, name) in names.iter().enumerate() {
                    let belongs = name.strip_prefix(code.as_str()).is_some_and(|letter| {
                        letter.len() == 1 && letter.chars().all(|character| character.is_ascii_lowercase())
                    });
                    if !belongs {
                        diagnostics.push(
                            Diagnostic::new(
                                Code::AvailabilityZones,
                                context.value(&["regions", code, "availability_zones", &position.to_string()]),
                                format!("`{name}` is not an availability zone of `{code}`"),
                            )
                            .with_hint(format!("zone names are the region code and one letter, e.g. `{code}a`")),
                        );
                    }
                }
            }
        }
    }

    if topology.regions.len() >= 2 {
        let waves: std::collections::BTreeSet<u32> =
            topology.regions.values().map(|region| region.deploy_wave).collect();
        if waves.len() == 1 {
            let wave = *waves.first().expect("one wave");
            diagnostics.push(
                Diagnostic::new(
                    Code::SingleDeployWave,
                    context.key(&["regions"]),
                    format!("every region is in deploy wave {wave}, so a bad release reaches all regions at once"),
                )
                .with_hint(
                    "give the regions different `deploy_wave` numbers, e.g. 1 for the first region and 2 for the rest",
                ),
            );
        }
    }

    if !topology.regions.contains_key(&topology.primary_region) {
        diagnostics.push(
            Diagnostic::new(
                Code::PrimaryRegion,
                context.value(&["primary_region"]),
                format!(
                    "primary region `{}` is not one of the topology's regions",
                    topology.primary_region
                ),
            )
            .with_hint(
                diag::did_you_mean(&topology.primary_region, topology.regions.keys().map(String::as_str))
                    .unwrap_or_else(|| {
                        format!(
                            "use one of {}",
                            choices_in_backticks(topology.regions.keys().map(String::as_str))
                        )
                    }),
            ),
        );
    }

    if topology.edge.routing != Routing::Geoproximity {
        for (code, region) in &topology.regions {
            if region.geoproximity_bias != 0 {
                diagnostics.push(
                    Diagnostic::new(
                        Code::RoutingOptionMismatch,
                        context.value(&["regions", code, "geoproximity_bias"]),
                        format!(
                            "`geoproximity_bias` has no effect with `{}` routing",
                            topology.edge.routing.as_str()
                        ),
                    )
                    .with_hint("remove it, or set `edge.routing: geoproximity`"),
                );
            }
        }
    }
}

fn check_region_code(code: &str, span: crate::source::Span, diagnostics: &mut Vec<Diagnostic>) {
    if aws_regions::find(code).is_none() {
        diagnostics.push(
            Diagnostic::new(Code::UnknownRegion, span, format!("`{code}` is not a known AWS region"))
                .with_optional_hint(diag::did_you_mean(code, aws_regions::codes())),
        );
    }
}

fn check_cidrs(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let mut networks: Vec<(&str, Ipv4Network)> = Vec::new();
    for (code, region) in &context.topology.regions {
        let span = context.value(&["regions", code, "cidr"]);
        match Ipv4Network::parse(&region.cidr) {
            Err(problem) => diagnostics.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    span,
                    format!("`{}` is not a valid IPv4 CIDR block: {problem}", region.cidr),
                )
                .with_hint("write the VPC range as `a.b.c.d/n`, e.g. `10.10.0.0/16`"),
            ),
            Ok(network) => {
                if network.has_host_bits() {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::InvalidValue,
                            span,
                            format!(
                                "`{}` has host bits set below its /{} prefix",
                                region.cidr, network.prefix
                            ),
                        )
                        .with_hint(format!(
                            "use the network address of the block, with the bits after the prefix set to zero: `{}`",
                            network.network()
                        )),
                    );
                } else if !(16..=20).contains(&network.prefix) {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::CidrSize,
                            span,
                            format!(
                                "VPC range `{}` is a /{}, outside /16 to /20",
                                region.cidr, network.prefix
                            ),
                        )
                        .with_hint(
                            "AWS VPCs take /16 to /28; topoc's per-AZ public and private subnets need /16 to /20",
                        ),
                    );
                }
                for (other_code, other_network) in &networks {
                    if network.overlaps(*other_network) {
                        diagnostics.push(
                            Diagnostic::new(
                                Code::OverlappingCidrs,
                                span,
                                format!(
                                    "VPC range `{}` of `{code}` overlaps `{other_code}`'s range",
                                    region.cidr
                                ),
                            )
                            .with_label(
                                context.value(&["regions", other_code, "cidr"]),
                                format!("`{other_code}`'s range"),
                            )
                            .with_hint(
                                "give each region a disjoint range, e.g. 10.10.0.0/16, 10.20.0.0/16, 10.30.0.0/16",
                            ),
                        );
                    }
                }
                networks.push((code, network));
            }
        }
    }
}
