//! topoc, the topology compiler: one YAML spec of an active-active, multi-region AWS
//! system in; validated Terraform, Service Control Policies, AWS Config rules and
//! review documents out.
//!
//! Data flows one way through phases that each return data plus diagnostics:
//! [`spec`] (YAML → typed model) → [`check`] (semantic rules) → later phases.
//! Only the binary's CLI layer touches files, the environment or the terminal; this
//! library's API is not stable and exists for the binary and its tests.

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod aws;
pub mod check;
pub mod diag;
pub mod golden;
pub mod ipv4;
pub mod ir;
pub mod naming;
pub mod output;
pub mod parallel;
pub mod policy;
pub mod render;
pub mod source;
pub mod spec;
pub mod synthetic;
pub mod validate;

use diag::Diagnostic;
use source::{FileId, SourceMap};
use spec::LoadedSpec;

/// Everything known about one spec short of rendering: diagnostics from every phase,
/// and, when there are no errors, the IR and the governance the policy phase derived.
pub struct Analysis {
    pub loaded: LoadedSpec,
    pub diagnostics: Vec<Diagnostic>,
    pub compiled: Option<Compiled>,
}

/// The IR and the policies of a spec without errors.
pub struct Compiled {
    pub stack_set: ir::StackSet,
    pub governance: policy::Governance,
}

/// Loads, checks and, when the spec has no errors, lowers it and derives its policies.
/// Quota problems of the policies are diagnostics on the spec, so `check` reports every
/// problem `build` would. `spec_file` is the name quoted in generated file headers.
pub fn analyze(source_map: &SourceMap, file: FileId, spec_file: &str) -> Analysis {
    let (loaded, mut diagnostics) = spec::load(source_map, file);
    if let Some(topology) = &loaded.topology {
        diagnostics.extend(check::run(topology, &loaded.spans));
    }
    let mut compiled = None;
    if let Some(topology) = loaded.topology.as_ref().filter(|_| !diag::has_errors(&diagnostics)) {
        let stack_set = ir::lower(topology, spec_file);
        let governance = policy::generate(&stack_set.governance);
        diagnostics.extend(policy_diagnostics(&governance, topology, &loaded.spans));
        compiled = Some(Compiled { stack_set, governance });
    }
    diag::sort(&mut diagnostics);
    Analysis {
        loaded,
        diagnostics,
        compiled,
    }
}

fn policy_diagnostics(
    governance: &policy::Governance,
    topology: &spec::Topology,
    spans: &spec::SpanIndex,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for problem in &governance.slot_problems {
        let position = topology
            .governance
            .scp_targets
            .iter()
            .position(|target| *target == problem.target)
            .unwrap_or(0);
        diagnostics.push(
            Diagnostic::new(
                diag::Code::ScpSlots,
                spans.value_span(&format!("/governance/scp_targets/{position}")),
                format!(
                    "`{}` would carry {} SCPs, over its quota of {}: topoc generates {} and others attach {}",
                    problem.target,
                    problem.needed + problem.attached_by_others,
                    problem.limit,
                    problem.needed,
                    problem.attached_by_others
                ),
            )
            .with_hint("attach the policies to a parent OU, detach SCPs others attach, or raise `governance.scp_quota.policies_per_target` if AWS raised yours"),
        );
    }
    // Point at the override when the spec lowered the quota, else at the governance block.
    let size_span = match topology
        .governance
        .scp_quota
        .as_ref()
        .and_then(|quota| quota.characters_per_policy)
    {
        Some(_) => spans.value_span("/governance/scp_quota/characters_per_policy"),
        None => spans.key_span("/governance"),
    };
    // Each exempt role is one ARN pattern per account it is exempt in.
    let accounts = topology.governance.workload_accounts.len().max(1);
    let exempt_patterns = (topology.governance.break_glass_roles.len()
        + topology.governance.deployment_roles.len()
        + topology.governance.landing_zone_roles.len())
        * accounts;
    for statement in &governance.oversized {
        // Say what makes this statement large, for this spec.
        let cause = if exempt_patterns > 1 {
            "every exempt role adds an ARN pattern per workload account; exempt fewer roles or accounts"
        } else {
            "it is this large for one exempt role already"
        };
        diagnostics.push(
            Diagnostic::new(
                diag::Code::ScpSize,
                size_span,
                format!(
                    "statement `{}` of `{}` needs {} characters, over the policy size quota of {}",
                    statement.sid, statement.policy, statement.characters, statement.limit
                ),
            )
            .with_hint(format!(
                "{cause}, or raise `governance.scp_quota.characters_per_policy` if AWS raised yours"
            )),
        );
    }
    diagnostics
}

/// Loads and checks one spec: the loaded spec and every diagnostic, sorted by position.
pub fn check_spec(source_map: &SourceMap, file: FileId) -> (LoadedSpec, Vec<Diagnostic>) {
    let name = source_map
        .file(file)
        .name
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let analysis = analyze(source_map, file, &name);
    (analysis.loaded, analysis.diagnostics)
}

/// The result of compiling one spec into an output tree.
pub enum BuildOutcome {
    /// Every validation layer passed; `tree` maps output paths to file contents.
    Built {
        tree: std::collections::BTreeMap<String, String>,
        diagnostics: Vec<Diagnostic>,
    },
    /// The spec has errors; nothing was generated.
    Rejected { diagnostics: Vec<Diagnostic> },
    /// Generation or validation failed: a bug in topoc, never in the spec.
    Internal {
        errors: Vec<render::InternalError>,
        diagnostics: Vec<Diagnostic>,
    },
}

/// The rendered output tree of a spec without errors, with the policies and the plan
/// the policy checks need.
pub struct Generated {
    pub rendered: render::Rendered,
    pub scps: Vec<policy::scp::Scp>,
    pub plan: ir::governance::GovernancePlan,
}

/// Renders a compiled spec: the stacks of the IR with the policy phase's governance
/// stack applied first, and the documents with the guardrail review.
pub fn generate(compiled: Compiled, spec_file: &str) -> Result<Generated, Vec<render::InternalError>> {
    let Compiled {
        mut stack_set,
        governance,
    } = compiled;
    // Governance goes right after `bootstrap` (the state buckets it keeps its state in),
    // so the guardrails stand before anything they guard exists.
    let position = stack_set
        .stacks
        .iter()
        .position(|stack| stack.kind == ir::StackKind::Root && stack.directory != ir::context::BOOTSTRAP_ROOT)
        .unwrap_or(0);
    stack_set.stacks.insert(position, governance.stack);
    stack_set.documents.push(governance.review);
    if !stack_set.loss_violations.is_empty() {
        return Err(stack_set
            .loss_violations
            .iter()
            .map(|violation| render::InternalError {
                file: "review/region-loss.md".to_string(),
                line: None,
                rule: "region-loss-model".to_string(),
                message: violation.clone(),
            })
            .collect());
    }
    let rendered = render::render(&stack_set, spec_file)?;
    Ok(Generated {
        rendered,
        scps: governance.scps,
        plan: stack_set.governance,
    })
}

/// Runs every validation layer over generated output: the Terraform layers, then the
/// policy documents and their evaluation against the Terraform's API calls.
pub fn validate_generated(generated: &Generated) -> Vec<render::InternalError> {
    validate::validate_with_policies(&generated.rendered, &generated.scps, &generated.plan)
}

/// Builds the tables that rendering and validation read (the compiled templates, the
/// IAM, provider-schema and API-constraint indexes) on another thread while this one loads and checks
/// the spec: for a small spec they cost about as much as the checks. Each is built
/// once, by whichever thread asks first.
fn prepare_tables_in_background() {
    std::thread::spawn(|| {
        render::templates::environment();
        aws::iam::data();
        validate::schema::provider_schema();
        validate::constraints::constraints();
    });
}

/// Checks, lowers, renders and validates one spec. `spec_file` is the name quoted in
/// generated file headers (a file name, so output never depends on the directory).
pub fn build(source_map: &SourceMap, file: FileId, spec_file: &str) -> BuildOutcome {
    prepare_tables_in_background();
    let analysis = analyze(source_map, file, spec_file);
    let diagnostics = analysis.diagnostics;
    let Some(compiled) = analysis.compiled.filter(|_| !diag::has_errors(&diagnostics)) else {
        return BuildOutcome::Rejected { diagnostics };
    };
    match generate(compiled, spec_file) {
        Err(errors) => BuildOutcome::Internal { errors, diagnostics },
        Ok(generated) => {
            let errors = validate_generated(&generated);
            if !errors.is_empty() {
                return BuildOutcome::Internal { errors, diagnostics };
            }
            BuildOutcome::Built {
                tree: output::with_manifest(generated.rendered.tree()),
                diagnostics,
            }
        }
    }
}
