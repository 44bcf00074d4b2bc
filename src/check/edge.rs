//! Rules about the edge: DNS TTL, the application domain, Global Accelerator, and the
//! default quotas of CloudFront and the ALBs that the services' routes count against.

use super::Context;
use crate::diag::{self, Code, Diagnostic};

pub(super) fn check(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let topology = context.topology;
    if topology.edge.dns_ttl > 60 {
        diagnostics.push(
            Diagnostic::new(
                Code::DnsTtlTooHigh,
                context.value(&["edge", "dns_ttl"]),
                format!(
                    "DNS TTL of {} seconds delays failover past the pattern's 60-second budget",
                    topology.edge.dns_ttl
                ),
            )
            .with_hint("set `edge.dns_ttl` to 60 or less"),
        );
    }
    let zone = &topology.domain.zone;
    let app = &topology.domain.app;
    if app != zone && !app.ends_with(&format!(".{zone}")) {
        diagnostics.push(
            Diagnostic::new(
                Code::DomainMismatch,
                context.value(&["domain", "app"]),
                format!("`{app}` is not inside the hosted zone `{zone}`"),
            )
            .with_hint(format!(
                "use `{zone}` or a name ending in `.{zone}`, or change `domain.zone`"
            )),
        );
    }
    check_quotas(context, diagnostics);
    for (position, service) in topology.edge.accelerator.iter().enumerate() {
        if !topology.services.contains_key(service) {
            diagnostics.push(
                Diagnostic::new(
                    Code::UnknownService,
                    context.value(&["edge", "accelerator", &position.to_string()]),
                    format!("`{service}` is not a service of this topology"),
                )
                .with_optional_hint(diag::did_you_mean(
                    service,
                    topology.services.keys().map(String::as_str),
                )),
            );
        }
    }
}

/// Default quotas (CloudFront developer guide, "Quotas"; Elastic Load Balancing user
/// guide, "Quotas for your Application Load Balancers"; both adjustable, checked 2026-11-27).
const CLOUDFRONT_CACHE_BEHAVIORS: usize = 25;
const ALB_RULES: usize = 100;
/// ACM user guide, "Quotas": 10 domain names per certificate by default, the first
/// included; adjustable to 100.
const CERTIFICATE_NAMES: usize = 10;

fn check_quotas(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let topology = context.topology;
    if let Some((region, names)) = topology
        .regions
        .keys()
        .map(|region| {
            (
                region,
                crate::naming::regional_certificate_names(topology, region).len(),
            )
        })
        .max_by_key(|(_, names)| *names)
        && names > CERTIFICATE_NAMES
    {
        diagnostics.push(
            Diagnostic::new(
                Code::EdgeQuota,
                context.key(&["edge"]),
                format!(
                    "the ALB certificate in `{region}` needs {names} domain names, over ACM's default quota of {CERTIFICATE_NAMES} per certificate"
                ),
            )
            .with_hint("request a higher \"Domain names per ACM certificate\" quota in every region, or put fewer services behind Global Accelerator or in some regions only"),
        );
    }
    let services = topology.services.len();
    // The default cache behavior is counted too, to stay on the safe side.
    let behaviors = services + 1;
    if behaviors > CLOUDFRONT_CACHE_BEHAVIORS {
        diagnostics.push(
            Diagnostic::new(
                Code::EdgeQuota,
                context.key(&["services"]),
                format!(
                    "{services} services need {behaviors} CloudFront cache behaviors, over the default quota of {CLOUDFRONT_CACHE_BEHAVIORS} per distribution"
                ),
            )
            .with_hint("request a higher \"Cache behaviors per distribution\" quota before applying `global`"),
        );
    }
    let accelerated = topology
        .edge
        .accelerator
        .iter()
        .filter(|service| topology.services.contains_key(*service))
        .count();
    // A path rule and a deep-health-check rule per service, a host rule per accelerated one.
    let rules = 2 * services + accelerated;
    if rules > ALB_RULES {
        diagnostics.push(
            Diagnostic::new(
                Code::EdgeQuota,
                context.key(&["services"]),
                format!("{services} services need {rules} listener rules on each ALB, over the default quota of {ALB_RULES}"),
            )
            .with_hint("request a higher \"Rules per Application Load Balancer\" quota in every region before applying `regions`"),
        );
    }
}
