//! Rules for `observability`: whether the alarms reach anyone.

use super::Context;
use crate::diag::{Code, Diagnostic};

pub(super) fn check(context: &Context<'_>, diagnostics: &mut Vec<Diagnostic>) {
    if !context.topology.observability.notify.is_empty() {
        return;
    }
    // Point at the section when it is written, else at the topology's name: the
    // finding is about the spec as a whole.
    let span = if context.is_written(&["observability"]) {
        context.key(&["observability"])
    } else {
        context.value(&["name"])
    };
    diagnostics.push(
        Diagnostic::new(
            Code::AlarmsNotifyNobody,
            span,
            "the alarms notify nobody: `observability.notify` lists no subscriber",
        )
        .with_hint("add `observability.notify: [{ email: oncall@example.com }]`, or the https URL of your incident tool's SNS integration"),
    );
}
