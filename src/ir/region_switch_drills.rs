//! The `gameday/` root: the Region switch drills, one AWS FIS experiment per plan that
//! runs the plan through a Systems Manager Automation runbook, from the region that
//! stays, as a real evacuation would be run.
//!
//! FIS has no action that starts a Region switch plan, so the experiment's one action is
//! `aws:ssm:start-automation-execution` (parameters `documentArn`, `documentParameters`,
//! `maxDuration`; no target), and the runbook's `aws:executeAwsApi` steps call
//! `arc-region-switch` (`StartPlanExecution` with `action = deactivate`, `mode =
//! graceful`, then `GetPlanExecution` until the execution ends). Stopping the experiment
//! stops the automation, whose `onCancel` step cancels the plan's execution.
//!
//! The drills get a root of their own rather than a place in `global/` or the region
//! roots: they need the plans' ARNs (made in `global/`, which reads every region root)
//! and a provider for each region that stays, and `global/` must keep planning with one
//! region down, which a provider for every region would not let it do. Nothing else
//! reads `gameday/`, so it is applied last and can be left unapplied.
//!
//! Sources, read on 2026-12-02:
//! - the FIS action: <https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html#ssm-actions-reference-auto>,
//!   and the permissions FIS needs for it (`ssm:StartAutomationExecution`,
//!   `ssm:GetAutomationExecution`, `ssm:StopAutomationExecution`, `iam:PassRole` with
//!   `iam:PassedToService = ssm.amazonaws.com`): the AWS managed policy
//!   `AWSFaultInjectionSimulatorSSMAccess` (v4);
//! - `aws:executeAwsApi` (the Boto3 service namespace and operation), `onCancel`,
//!   `aws:waitForAwsResourceProperty` and `aws:assertAwsResourceProperty`:
//!   <https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-actions.html>;
//! - the operations' members and the execution states: botocore 1.44.8's
//!   `arc-region-switch` model (`StartPlanExecution` returns `executionId`;
//!   `GetPlanExecution` takes `planArn` and `executionId` and returns `executionState`;
//!   the three are data-plane operations, served in the caller's region).

use serde::Serialize;

use super::context::{Context, GLOBAL_ROOT, IDENTITY_ROOT, remote_output};
use super::hcl;
use super::markdown::Markdown;
use super::region_switch::RegionSwitch;
use super::{Block, File, Stack, identifier, provider_alias};
use crate::naming;

/// The root's directory.
pub const GAMEDAY_ROOT: &str = "gameday";

/// How long the runbook waits for the plan's execution to end: past the plan's approval
/// timeout (60 minutes) and its steps.
pub const DRILL_WAIT_MINUTES: u32 = 120;

/// The experiment's `maxDuration`: the wait and five minutes for the runbook's own steps.
/// When it passes, FIS stops the runbook and the plan's execution is cancelled.
pub const DRILL_MAX_DURATION: &str = "PT2H5M";

/// The execution states that end the runbook's wait: the plan finished, failed, was
/// cancelled, timed out, or stopped on a failed step that needs a person.
pub const ENDING_STATES: [&str; 7] = [
    "completed",
    "completedWithExceptions",
    "completedMonitoringApplicationHealth",
    "pausedByFailedStep",
    "canceled",
    "planExecutionTimedOut",
    "failed",
];

/// The ending states that count as a successful drill.
pub const SUCCESSFUL_STATES: [&str; 2] = ["completed", "completedMonitoringApplicationHealth"];

/// What the drills rely on that AWS's documentation does not settle (read on 2026-12-02).
/// `review/gameday.md` lists them beside the drill.
pub const UNVERIFIED: &[&str] = &[
    "that the Boto3 of Systems Manager Automation's aws:executeAwsApi action knows the arc-region-switch service (Boto3 has had it since 2025; AWS says the action's Boto3 follows releases within weeks)",
    "that FIS stops the runbook as a cancellation, not a completion, so that its onCancel step runs and cancels the plan's execution",
];

/// The runbook's steps, one text for every region's document.
#[derive(Serialize)]
struct RunbookView {
    topology: String,
    wait_seconds: u32,
    ending_states: hcl::Value,
    successful_states: hcl::Value,
}

/// One region's document of the runbook.
#[derive(Serialize)]
struct DocumentView {
    key: String,
    alias: String,
    region: String,
    document: String,
}

/// One plan's drill, in the region that stays.
#[derive(Serialize)]
struct DrillView {
    key: String,
    alias: String,
    evacuates: String,
    stays: String,
    plan_name: String,
    document_key: String,
    plan_arn: String,
    role: String,
    runner: String,
    max_duration: &'static str,
    alarms: Vec<String>,
}

#[derive(Serialize)]
struct OutputsView {
    drills: Vec<DrillView>,
}

/// The `gameday/` root, or none where no plan has a drill.
pub(super) fn gameday_root(context: &Context<'_>, region_switch: &RegionSwitch) -> Option<Stack> {
    let regions = region_switch.drill_regions.clone();
    if regions.is_empty() || region_switch.drilled_plans().next().is_none() {
        return None;
    }
    let topology = context.topology;
    let runbook = Block::new(
        "gameday/drill_runbook.tf.j2",
        None,
        &RunbookView {
            topology: topology.name.clone(),
            wait_seconds: DRILL_WAIT_MINUTES * 60,
            ending_states: hcl::Value::strings(ENDING_STATES.iter().copied()),
            successful_states: hcl::Value::strings(SUCCESSFUL_STATES.iter().copied()),
        },
    );
    let documents = regions
        .iter()
        .map(|region| {
            Block::new(
                "gameday/drill_document.tf.j2",
                Some(region),
                &DocumentView {
                    key: identifier(region),
                    alias: provider_alias(region),
                    region: region.clone(),
                    document: naming::region_switch_drill_document(topology),
                },
            )
        })
        .collect();
    let drills: Vec<DrillView> = region_switch
        .drilled_plans()
        .map(|plan| DrillView {
            key: plan.key(),
            alias: provider_alias(&plan.stays),
            evacuates: plan.evacuates.clone(),
            stays: plan.stays.clone(),
            plan_name: plan.name.clone(),
            document_key: identifier(&plan.stays),
            plan_arn: format!(
                "{}[{}]",
                remote_output(GLOBAL_ROOT, "region_switch_plan_arns"),
                hcl::quote(&plan.evacuates)
            ),
            role: remote_output(IDENTITY_ROOT, "gameday_role_arn"),
            runner: remote_output(IDENTITY_ROOT, "gameday_plan_runner_role_arn"),
            max_duration: DRILL_MAX_DURATION,
            alarms: plan
                .drill_alarm_services
                .iter()
                .map(|service| {
                    format!(
                        "{}[{}]",
                        remote_output(&Context::region_root(&plan.stays), "service_5xx_alarm_arns"),
                        hcl::quote(service)
                    )
                })
                .collect(),
        })
        .collect();
    let experiments = drills
        .iter()
        .map(|drill| Block::new("gameday/drill_experiment.tf.j2", Some(&drill.stays), drill))
        .collect();
    let mut reads = vec![GLOBAL_ROOT.to_string(), IDENTITY_ROOT.to_string()];
    reads.extend(regions.iter().map(|region| Context::region_root(region)));
    let files = vec![
        File::hcl("runbook.tf", vec![runbook]),
        File::hcl("documents.tf", documents),
        File::hcl("experiments.tf", experiments),
        File::hcl(
            "outputs.tf",
            vec![Block::new("gameday/outputs.tf.j2", None, &OutputsView { drills })],
        ),
    ];
    Some(
        context
            .root(
                GAMEDAY_ROOT,
                None,
                &regions,
                &reads,
                Markdown::literal(
                    "the Region switch drills: per plan, an AWS FIS experiment in the region that stays that runs the plan through a Systems Manager Automation runbook; nothing reads it, so it can be left unapplied",
                ),
            )
            .into_stack(files),
    )
}
