//! Rules about the edge: DNS TTL, the application domain and Global Accelerator.

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
