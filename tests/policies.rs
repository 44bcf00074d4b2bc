//! The policy checks catch broken SCPs: the generated policies of the examples are
//! broken the way a generator bug would break them (a statement dropped, an exemption
//! lost, a region missing, a typo in an action or a condition key, a quota too small),
//! and each break must be reported by the rule that guards against it. The evaluator
//! itself is checked on requests whose outcome a reviewer can tell by reading the
//! policy: the break-glass role passes everything, any other role is stopped.

use topoc::Generated;
use topoc::policy::evaluate::{Request, denied_by};
use topoc::render::InternalError;
use topoc::source::SourceMap;

const EXAMPLES: [&str; 3] = ["helios-pay", "global-consumer", "eu-resident-saas"];

fn compile(example: &str) -> Generated {
    let text = std::fs::read_to_string(format!("{}/examples/{example}.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut source_map = SourceMap::new();
    let file = source_map.add("spec.yaml", text);
    let analysis = topoc::analyze(&source_map, file, "spec.yaml");
    assert!(!topoc::diag::has_errors(&analysis.diagnostics), "{example} has errors");
    topoc::generate(analysis.compiled.expect("compiled"), "spec.yaml").unwrap()
}

/// Mutations of the generated policies; only the policy checks run, so each test sees
/// exactly the errors its break causes.
trait Mutate {
    fn errors(&self) -> Vec<InternalError>;
    fn statement(&mut self, sid: &str) -> &mut topoc::policy::scp::Statement;
    fn remove_statement(&mut self, sid: &str);
}

impl Mutate for Generated {
    fn errors(&self) -> Vec<InternalError> {
        topoc::validate::policies::validate(&self.rendered, &self.scps, &self.plan)
    }

    fn statement(&mut self, sid: &str) -> &mut topoc::policy::scp::Statement {
        self.scps
            .iter_mut()
            .flat_map(|scp| scp.document.statements.iter_mut())
            .find(|statement| statement.sid == sid)
            .unwrap_or_else(|| panic!("no statement {sid}"))
    }

    fn remove_statement(&mut self, sid: &str) {
        let before: usize = self.scps.iter().map(|scp| scp.document.statements.len()).sum();
        for scp in &mut self.scps {
            scp.document.statements.retain(|statement| statement.sid != sid);
        }
        let after: usize = self.scps.iter().map(|scp| scp.document.statements.len()).sum();
        assert_eq!(before, after + 1, "no statement {sid}");
    }
}

#[track_caller]
fn assert_reported(errors: &[InternalError], rule: &str, fragment: &str) {
    assert!(
        errors
            .iter()
            .any(|error| error.rule == rule && error.message.contains(fragment)),
        "expected a `{rule}` error mentioning {fragment:?}, got:\n{}",
        errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    );
}

fn role(name: &str) -> String {
    format!("arn:aws:iam::111111111111:role/{name}")
}

#[test]
fn generated_policies_pass_every_check() {
    for example in EXAMPLES {
        let errors = compile(example).errors();
        assert!(errors.is_empty(), "{example}: {errors:#?}");
    }
}

#[test]
fn a_dropped_residency_statement_breaks_the_residency_promise() {
    let mut compiled = compile("eu-resident-saas");
    compiled.remove_statement("DenyTablesOutsideEu");
    let errors = compiled.errors();
    assert_reported(
        &errors,
        "scp-residency",
        "dynamodb:CreateTableReplica (replica of `ledgerly-eu-user-profiles` in us-east-1)",
    );

    let mut compiled = compile("eu-resident-saas");
    compiled.remove_statement("DenyKeyReplicasOutsideEu");
    assert_reported(&compiled.errors(), "scp-residency", "kms:ReplicateKey");

    let mut compiled = compile("eu-resident-saas");
    compiled.remove_statement("DenyBucketsOutsideEu");
    assert_reported(&compiled.errors(), "scp-residency", "s3:CreateBucket");

    let mut compiled = compile("eu-resident-saas");
    compiled.remove_statement("DenyDatabasesOutsideEu");
    assert_reported(&compiled.errors(), "scp-residency", "rds:CreateDBCluster");
}

#[test]
fn a_residency_statement_that_allows_a_foreign_region_is_caught() {
    let mut compiled = compile("eu-resident-saas");
    let statement = compiled.statement("DenyKeyReplicasOutsideEu");
    statement
        .condition
        .get_mut("StringNotEquals")
        .unwrap()
        .get_mut("kms:ReplicaRegion")
        .unwrap()
        .push("us-east-1".to_string());
    assert_reported(&compiled.errors(), "scp-residency", "key in us-east-1");
}

/// Removes helios-pay's deployment role from a protection statement's exemptions.
fn drop_deployment_exemption(compiled: &mut Generated, sid: &str) {
    compiled
        .statement(sid)
        .condition
        .get_mut("ArnNotLike")
        .unwrap()
        .get_mut("aws:PrincipalARN")
        .unwrap()
        .retain(|pattern| !pattern.ends_with("/PaymentsDeployer"));
}

#[test]
fn a_lost_deployment_exemption_denies_the_pipeline() {
    let mut compiled = compile("helios-pay");
    drop_deployment_exemption(&mut compiled, "DenyWeakeningTopologyDatabases");
    assert_reported(
        &compiled.errors(),
        "scp-denies-deployment",
        "statement `DenyWeakeningTopologyDatabases` denies rds:",
    );
}

/// The data buckets are `for_each` instances over a local map: the evaluation must read
/// each instance's real bucket name, or a statement scoped to the topology's buckets
/// would never match.
#[test]
fn a_lost_bucket_exemption_is_caught_on_each_bucket_instance() {
    let mut compiled = compile("helios-pay");
    drop_deployment_exemption(&mut compiled, "DenyWeakeningTopologyBuckets");
    let errors = compiled.errors();
    for instance in [
        "aws_s3_bucket_versioning.eu_west_1[\"exports\"] (eu-west-1)",
        "aws_s3_bucket_versioning.us_east_1[\"exports\"] (us-east-1)",
        "aws_s3_bucket_server_side_encryption_configuration.us_east_1[\"exports\"] (us-east-1)",
    ] {
        assert_reported(&errors, "scp-denies-deployment", instance);
    }
}

#[test]
fn a_workload_region_missing_from_the_region_deny_denies_the_pipeline() {
    let mut compiled = compile("helios-pay");
    let statement = compiled.statement("DenyOutsideSanctionedRegions");
    statement
        .condition
        .get_mut("StringNotEquals")
        .unwrap()
        .get_mut("aws:RequestedRegion")
        .unwrap()
        .retain(|region| region != "us-east-1");
    let errors = compiled.errors();
    assert_reported(
        &errors,
        "scp-denies-deployment",
        "statement `DenyOutsideSanctionedRegions` denies ec2:",
    );
    assert_reported(&errors, "scp-denies-deployment", "in us-east-1");
}

#[test]
fn a_misspelled_action_is_caught() {
    let mut compiled = compile("helios-pay");
    compiled.statement("DenyWeakeningTopologyTables").action.0[0] = "dynamodb:DeleteTabel".to_string();
    assert_reported(&compiled.errors(), "scp-action", "`dynamodb:DeleteTabel`");

    let mut compiled = compile("helios-pay");
    compiled
        .statement("DenyOutsideSanctionedRegions")
        .not_action
        .0
        .push("cloudfrnt:*".to_string());
    assert_reported(&compiled.errors(), "scp-action", "`cloudfrnt:*`");
}

#[test]
fn a_misspelled_or_unsupported_condition_key_is_caught() {
    let mut compiled = compile("helios-pay");
    let conditions = &mut compiled.statement("DenyOutsideSanctionedRegions").condition;
    let regions = conditions
        .get_mut("StringNotEquals")
        .unwrap()
        .remove("aws:RequestedRegion")
        .unwrap();
    conditions
        .get_mut("StringNotEquals")
        .unwrap()
        .insert("aws:RequestedRegoin".to_string(), regions);
    assert_reported(&compiled.errors(), "scp-condition", "`aws:RequestedRegoin`");

    // A service key on an action that does not support it.
    let mut compiled = compile("eu-resident-saas");
    let conditions = &mut compiled.statement("DenyKeyReplicasOutsideEu").condition;
    conditions
        .entry("StringEquals".to_string())
        .or_default()
        .insert("s3:locationconstraint".to_string(), vec!["eu-west-1".to_string()]);
    assert_reported(&compiled.errors(), "scp-condition", "`s3:locationconstraint`");

    let mut compiled = compile("helios-pay");
    let conditions = &mut compiled.statement("DenyOutsideSanctionedRegions").condition;
    let regions = conditions.remove("StringNotEquals").unwrap();
    conditions.insert("StringNotEqual".to_string(), regions);
    assert_reported(&compiled.errors(), "scp-condition", "unknown operator `StringNotEqual`");
}

#[test]
fn a_policy_over_the_size_quota_is_caught() {
    let mut compiled = compile("eu-resident-saas");
    compiled.plan.quota.characters_per_policy = 2000;
    let errors = compiled.errors();
    assert_reported(&errors, "scp-size", "over the quota of 2000");
    assert!(
        errors
            .iter()
            .any(|error| error.file == "governance/policies/residency-eu.json"),
        "{errors:#?}"
    );
}

#[test]
fn broken_syntax_is_caught() {
    let mut compiled = compile("helios-pay");
    compiled.statement("DenyStoppingConfig").sid = "Deny-Stopping-Config".to_string();
    assert_reported(&compiled.errors(), "scp-syntax", "`Deny-Stopping-Config`");

    let mut compiled = compile("helios-pay");
    let statement = compiled.statement("DenyStoppingCloudTrail");
    statement.not_action = statement.action.clone();
    assert_reported(&compiled.errors(), "scp-syntax", "exactly one of Action and NotAction");
}

#[test]
fn break_glass_roles_pass_and_other_roles_are_stopped() {
    for example in EXAMPLES {
        let compiled = compile(example);
        let outside = topoc::aws::regions::REGIONS
            .iter()
            .map(|region| region.code)
            .find(|code| !compiled.plan.allowed_regions.iter().any(|allowed| allowed == code))
            .unwrap();
        let break_glass = &compiled.plan.break_glass_roles[0];
        for principal in [role(break_glass), role(&format!("ops/emergency/{break_glass}"))] {
            let request =
                Request::new("a VPC outside the topology", "ec2:CreateVpc", outside, &principal).resource("*");
            assert_eq!(denied_by(&compiled.scps, &request), None, "{example}: {principal}");
            let request = Request::new(
                "stopping Config",
                "config:StopConfigurationRecorder",
                &compiled.plan.primary_region,
                &principal,
            )
            .resource("*");
            assert_eq!(denied_by(&compiled.scps, &request), None, "{example}: {principal}");
        }
        let developer = role("Developer");
        let request = Request::new("a VPC outside the topology", "ec2:CreateVpc", outside, &developer).resource("*");
        assert_eq!(
            denied_by(&compiled.scps, &request).map(|(_, sid)| sid),
            Some("DenyOutsideSanctionedRegions".to_string()),
            "{example}"
        );
        let request = Request::new(
            "stopping Config",
            "config:StopConfigurationRecorder",
            &compiled.plan.primary_region,
            &developer,
        )
        .resource("*");
        assert_eq!(
            denied_by(&compiled.scps, &request).map(|(_, sid)| sid),
            Some("DenyStoppingConfig".to_string()),
            "{example}"
        );
        // A role whose name only ends like the break-glass role is not exempt.
        let request = Request::new(
            "a VPC outside the topology",
            "ec2:CreateVpc",
            outside,
            &role(&format!("Not{break_glass}")),
        )
        .resource("*");
        assert!(denied_by(&compiled.scps, &request).is_some(), "{example}");
    }
}

#[test]
fn deployment_roles_may_not_leave_the_topology_regions() {
    let compiled = compile("helios-pay");
    let deployer = role(&compiled.plan.deployment_roles[0]);
    let request = Request::new("a VPC in ap-south-1", "ec2:CreateVpc", "ap-south-1", &deployer).resource("*");
    assert!(denied_by(&compiled.scps, &request).is_some());
    let request = Request::new(
        "a distribution",
        "cloudfront:CreateDistribution",
        "us-east-1",
        &deployer,
    )
    .resource("*");
    assert_eq!(denied_by(&compiled.scps, &request), None);
}

#[test]
fn a_smaller_quota_splits_policies_by_function_deterministically() {
    let generated = compile("helios-pay");
    let mut plan = generated.plan.clone();
    plan.quota.characters_per_policy = 2400;
    let governance = topoc::policy::generate(&plan);
    let names: Vec<&str> = governance.scps.iter().map(|scp| scp.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "helios-pay-region-deny",
            "helios-pay-protection-1",
            "helios-pay-protection-2"
        ]
    );
    assert!(governance.oversized.is_empty());
    for scp in &governance.scps {
        assert!(
            scp.document.minified().chars().count() <= 2400,
            "{} is too large",
            scp.name
        );
    }
    // Nothing is lost or reordered by the split.
    let sids = |scps: &[topoc::policy::scp::Scp]| -> Vec<String> {
        scps.iter()
            .flat_map(|scp| scp.document.statements.iter().map(|statement| statement.sid.clone()))
            .collect()
    };
    assert_eq!(sids(&governance.scps), sids(&generated.scps));
    // The split policies still pass the checks, and generating again gives the same split.
    assert!(topoc::validate::policies::validate(&generated.rendered, &governance.scps, &plan).is_empty());
    let again = topoc::policy::generate(&plan);
    assert_eq!(
        again.scps.iter().map(|scp| scp.document.minified()).collect::<Vec<_>>(),
        governance
            .scps
            .iter()
            .map(|scp| scp.document.minified())
            .collect::<Vec<_>>()
    );

    // One more policy per target means fewer free slots.
    plan.targets[0].attached = (0..8).map(|index| format!("other-{index}")).collect();
    let governance = topoc::policy::generate(&plan);
    assert_eq!(governance.slot_problems.len(), 1);
    assert_eq!(governance.slot_problems[0].needed, 3);
}
