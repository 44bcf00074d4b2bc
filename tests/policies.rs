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

/// A role of the example's workload account.
fn role(compiled: &Generated, name: &str) -> String {
    topoc::policy::scenarios::role_arn(&compiled.plan, name)
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
    for (sid, fragment) in [
        (
            "DenyTableReplicasOutsideEu",
            "dynamodb:CreateTableReplica (replica of `ledgerly-eu-user-profiles` in us-east-1)",
        ),
        ("DenyKeyReplicasOutsideEu", "kms:ReplicateKey"),
        ("DenyKeyPrimaryOutsideEu", "kms:UpdatePrimaryRegion"),
        (
            "DenyBucketsOutsideEu",
            "s3:CreateBucket (bucket `ledgerly-documents-eu-us-east-1`)",
        ),
        ("DenyDatabasesOutsideEu", "rds:CreateDBCluster"),
        (
            "DenyNewDataOutsideEu",
            "dynamodb:CreateTable (a new table tagged `data-residency = eu` in us-east-1)",
        ),
        ("DenyCopiesOutsideEu", "rds:CopyDBClusterSnapshot"),
        ("DenyExportsOfEuData", "dynamodb:ExportTableToPointInTime"),
    ] {
        let mut compiled = compile("eu-resident-saas");
        compiled.remove_statement(sid);
        let errors = compiled.errors();
        assert_reported(&errors, "scp-promise", fragment);
    }
}

/// The bypasses a policy reviewer found in the first guardrails (issue 15): each is a
/// scenario the emitted policies deny, with the statement that denies it.
#[test]
fn every_known_bypass_is_denied() {
    let compiled = compile("eu-resident-saas");
    let operator = role(&compiled, "ledgerly-operator");
    let deployer = role(&compiled, &compiled.plan.deployment_roles[0]);
    let cases = [
        // A copy of EU data under another name.
        (
            Request::new("restore", "dynamodb:RestoreTableToPointInTime", "us-east-1", &deployer)
                .resource("arn:aws:dynamodb:eu-west-1:111111111111:table/ledgerly-eu-user-profiles")
                .key("aws:ResourceTag/data-residency", &["eu"]),
            "DenyCopiesOutsideEu",
        ),
        (
            Request::new("export", "dynamodb:ExportTableToPointInTime", "eu-west-1", &deployer)
                .resource("arn:aws:dynamodb:eu-west-1:111111111111:table/ledgerly-eu-user-profiles")
                .key("aws:ResourceTag/data-residency", &["eu"]),
            "DenyExportsOfEuData",
        ),
        (
            Request::new("new tagged table", "dynamodb:CreateTable", "us-east-1", &deployer)
                .resource("arn:aws:dynamodb:us-east-1:111111111111:table/copy")
                .key("aws:RequestTag/data-residency", &["eu"]),
            "DenyNewDataOutsideEu",
        ),
        // Copies of relational data.
        (
            Request::new("snapshot copy", "rds:CopyDBClusterSnapshot", "us-east-1", &deployer)
                .resource("arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:s")
                .key("aws:ResourceTag/data-residency", &["eu"]),
            "DenyCopiesOutsideEu",
        ),
        (
            Request::new("share", "rds:ModifyDBClusterSnapshotAttribute", "eu-west-1", &deployer)
                .resource("arn:aws:rds:eu-west-1:111111111111:cluster-snapshot:s")
                .key("aws:ResourceTag/data-residency", &["eu"]),
            "DenyExportsOfEuData",
        ),
        (
            Request::new("clone", "rds:CreateGlobalCluster", "eu-west-1", &deployer)
                .resource("arn:aws:rds:eu-west-1:111111111111:cluster:ledgerly-invoices-eu-eu-west-1")
                .key("aws:ResourceTag/data-residency", &["eu"]),
            "DenyExportsOfEuData",
        ),
        (
            Request::new("backup copy", "backup:StartCopyJob", "eu-west-1", &deployer)
                .resource("arn:aws:backup:eu-west-1:111111111111:recovery-point:r")
                .key("aws:ResourceTag/data-residency", &["eu"]),
            "DenyExportsOfEuData",
        ),
        // Keys.
        (
            Request::new("move primary", "kms:UpdatePrimaryRegion", "eu-west-1", &deployer)
                .resource("arn:aws:kms:eu-west-1:111111111111:key/mrk-1")
                .key("aws:ResourceTag/data-residency", &["eu"])
                .key("kms:PrimaryRegion", &["us-east-1"]),
            "DenyKeyPrimaryOutsideEu",
        ),
        (
            Request::new("delete key", "kms:ScheduleKeyDeletion", "eu-west-1", &operator)
                .resource("arn:aws:kms:eu-west-1:111111111111:key/mrk-1")
                .key("aws:ResourceTag/topology", &["ledgerly"]),
            "DenyWeakeningTopologyKeys",
        ),
        // Deletion without Delete.
        (
            Request::new("lifecycle", "s3:PutLifecycleConfiguration", "eu-west-1", &operator)
                .resource("arn:aws:s3:::ledgerly-documents-eu-eu-west-1"),
            "DenyWeakeningTopologyBuckets",
        ),
        (
            Request::new("purge", "s3:DeleteObjectVersion", "eu-west-1", &operator)
                .resource("arn:aws:s3:::ledgerly-documents-eu-eu-west-1/invoice.pdf"),
            "DenyPermanentDeletesInTopologyBuckets",
        ),
        (
            Request::new("ttl", "dynamodb:UpdateTimeToLive", "eu-west-1", &operator)
                .resource("arn:aws:dynamodb:eu-west-1:111111111111:table/ledgerly-eu-user-profiles"),
            "DenyWeakeningTopologyTables",
        ),
        (
            Request::new("instance", "rds:DeleteDBInstance", "eu-west-1", &operator)
                .resource("arn:aws:rds:eu-west-1:111111111111:db:ledgerly-invoices-eu-eu-west-1-1"),
            "DenyWeakeningTopologyDatabases",
        ),
        // Tags the policies rely on.
        (
            Request::new("retag", "kms:TagResource", "eu-west-1", &operator)
                .resource("arn:aws:kms:eu-west-1:111111111111:key/mrk-1")
                .key("aws:ResourceTag/topology", &["ledgerly"])
                .key("aws:TagKeys", &["data-residency"]),
            "DenyChangingGuardrailTags",
        ),
        // Exemptions by role name.
        (
            Request::new("mint", "iam:CreateRole", "us-east-1", &operator)
                .resource("arn:aws:iam::999999999999:role/BreakGlassAdmin"),
            "DenyChangingExemptRoles",
        ),
    ];
    for (request, sid) in cases {
        let denying: Vec<String> = topoc::policy::evaluate::Evaluator::new(&compiled.scps)
            .all_denying(&request)
            .into_iter()
            .map(|(_, sid)| sid)
            .collect();
        assert!(
            denying.iter().any(|found| found == sid),
            "{} ({}) should be denied by {sid}, is denied by {denying:?}",
            request.action,
            request.description
        );
    }
    // The same calls by the break-glass role pass; the legitimate operations pass for all.
    let break_glass = role(&compiled, &compiled.plan.break_glass_roles[0]);
    let request = topoc::policy::scenarios::in_organization(
        &compiled.plan,
        Request::new("purge", "s3:DeleteObjectVersion", "eu-west-1", &break_glass)
            .resource("arn:aws:s3:::ledgerly-documents-eu-eu-west-1/invoice.pdf"),
    );
    assert_eq!(denied_by(&compiled.scps, &request), None);
}

/// Every statement backs its paragraph of the review with a scenario; a statement that
/// denies none is reported, and the review prints each statement's scenarios.
#[test]
fn every_statement_of_the_review_is_backed_by_a_scenario() {
    for example in EXAMPLES {
        let compiled = compile(example);
        let promised = topoc::policy::scenarios::promised_denials(
            &compiled.plan,
            &topoc::policy::scenarios::pipeline(&compiled.plan),
        );
        let proved =
            topoc::policy::proved_statements(&topoc::policy::evaluate::Evaluator::new(&compiled.scps), &promised);
        for scp in &compiled.scps {
            for statement in &scp.document.statements {
                assert!(
                    proved.contains_key(&(scp.name.clone(), statement.sid.clone())),
                    "{example}: {} has no scenario",
                    statement.sid
                );
            }
        }
        let review = &compiled.rendered.files["review/scp-review.md"].text;
        let statements: usize = compiled.scps.iter().map(|scp| scp.document.statements.len()).sum();
        assert_eq!(review.matches("- **Proved on:** ").count(), statements, "{example}");
        assert!(review.contains("## What these policies do not cover"), "{example}");
    }
    // A statement no scenario reaches (its action changed to one no one tests) is an error.
    let mut compiled = compile("helios-pay");
    compiled.statement("DenyDisablingSecurityHub").action.0 = vec!["securityhub:DeleteInsight".to_string()];
    assert_reported(
        &compiled.errors(),
        "scp-claim",
        "`DenyDisablingSecurityHub` denies none of the scenarios",
    );
    // Each action a statement names is called by a scenario it denies: an action added
    // without one would be named in the review as denied with nothing behind it.
    let mut compiled = compile("eu-resident-saas");
    compiled
        .statement("DenyWeakeningTopologyTables")
        .action
        .0
        .push("dynamodb:RestoreTableFromAwsBackup".to_string());
    assert_reported(
        &compiled.errors(),
        "scp-claim",
        "`DenyWeakeningTopologyTables` denies dynamodb:RestoreTableFromAwsBackup, which no scenario it denies calls",
    );
    let compiled = compile("eu-resident-saas");
    assert!(
        compiled.errors().iter().all(|error| error.rule != "scp-claim"),
        "every action of every statement is tested"
    );
}

/// A spec with ten EU DynamoDB classes: the residency statements do not grow with the
/// tables, so everything fits the old quota of 5,120 characters too.
#[test]
fn ten_eu_tables_fit_the_quota() {
    let text =
        std::fs::read_to_string(format!("{}/examples/eu-resident-saas.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut classes = String::new();
    for index in 0..10 {
        classes.push_str(&format!(
            "  eu-extra-{index}:\n    store: dynamodb\n    partition_key: id\n    conflicts: lww\n    residency: eu\n    regions: [eu-west-1, eu-central-1]\n"
        ));
    }
    let text = text.replacen("\ndata:\n", &format!("\ndata:\n{classes}"), 1);
    let mut source_map = SourceMap::new();
    let file = source_map.add("spec.yaml", text);
    let analysis = topoc::analyze(&source_map, file, "spec.yaml");
    assert!(
        !topoc::diag::has_errors(&analysis.diagnostics),
        "{:?}",
        analysis
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
    );
    let generated = topoc::generate(analysis.compiled.expect("compiled"), "spec.yaml").unwrap();
    assert_eq!(generated.plan.residency[0].tables.len(), 11);
    // Each policy within the quota of its kind: the SCP quota in force, the RCPs' own.
    for scp in &generated.scps {
        let size = scp.document.minified().chars().count();
        let quota = if scp.function.is_resource_control() {
            topoc::aws::quotas::RCP_CHARACTERS_PER_POLICY
        } else {
            generated.plan.quota.characters_per_policy
        };
        assert!(
            size <= quota as usize,
            "{} is {size} characters, over {quota}",
            scp.name
        );
    }
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
    assert_reported(&compiled.errors(), "scp-promise", "key in us-east-1");
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
        let principal = role(&compiled, break_glass);
        let request = Request::new("a VPC outside the topology", "ec2:CreateVpc", outside, &principal).resource("*");
        assert_eq!(denied_by(&compiled.scps, &request), None, "{example}: {principal}");
        let request = Request::new(
            "stopping Config",
            "config:StopConfigurationRecorder",
            &compiled.plan.primary_region,
            &principal,
        )
        .resource("*");
        assert_eq!(denied_by(&compiled.scps, &request), None, "{example}: {principal}");
        let developer = role(&compiled, "Developer");
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
        // The exemption is by exact ARN: the same name under another path is not exempt.
        let request = Request::new(
            "a VPC outside the topology",
            "ec2:CreateVpc",
            outside,
            &role(&compiled, &format!("ops/emergency/{break_glass}")),
        )
        .resource("*");
        assert!(denied_by(&compiled.scps, &request).is_some(), "{example}");
        // A role whose name only ends like the break-glass role is not exempt.
        let request = Request::new(
            "a VPC outside the topology",
            "ec2:CreateVpc",
            outside,
            &role(&compiled, &format!("Not{break_glass}")),
        )
        .resource("*");
        assert!(denied_by(&compiled.scps, &request).is_some(), "{example}");
    }
}

#[test]
fn deployment_roles_may_not_leave_the_topology_regions() {
    let compiled = compile("helios-pay");
    let deployer = role(&compiled, &compiled.plan.deployment_roles[0]);
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
            "helios-pay-data-perimeter",
            "helios-pay-protection-1",
            "helios-pay-protection-2",
            "helios-pay-protection-3"
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
    plan.targets[0].attached = (0..7).map(|index| format!("other-{index}")).collect();
    let governance = topoc::policy::generate(&plan);
    assert_eq!(governance.slot_problems.len(), 1);
    assert_eq!(governance.slot_problems[0].needed, 4);
}

/// The operations operators and services need stay allowed: a statement that would deny
/// an Aurora switchover is reported.
#[test]
fn a_statement_that_denies_a_switchover_is_caught() {
    let mut compiled = compile("helios-pay");
    compiled
        .statement("DenyWeakeningTopologyDatabases")
        .action
        .0
        .push("rds:SwitchoverGlobalCluster".to_string());
    assert_reported(
        &compiled.errors(),
        "scp-denies-operation",
        "denies rds:SwitchoverGlobalCluster",
    );
}

/// The break-glass roles pass every statement, so assuming one pages: every region root
/// passes their exact ARNs to a rule that forwards CloudTrail's record to the alarm
/// topic, whose policy and key let EventBridge publish.
#[test]
fn assuming_a_break_glass_role_pages_someone() {
    let compiled = compile("helios-pay");
    for region in ["eu-west-1", "us-east-1"] {
        let main = &compiled.rendered.files[&format!("regions/{region}/main.tf")].text;
        assert!(
            main.contains(r#"break_glass_role_arns = ["arn:*:iam::111122223333:role/BreakGlassAdmin"]"#),
            "{region}"
        );
    }
    let alarms = &compiled.rendered.files["modules/region/alarms.tf"].text;
    assert!(alarms.contains(r#"eventSource = ["sts.amazonaws.com"]"#));
    assert!(alarms.contains("roleArn = [for pattern in var.break_glass_role_arns : { wildcard = pattern }]"));
    assert!(alarms.contains("arn  = aws_sns_topic.alarms.arn"));
    assert!(alarms.contains(r#"ArnEquals = { "aws:SourceArn" = rule.arn }"#));
    let keys = &compiled.rendered.files["keys/keys.tf"].text;
    assert!(keys.contains(r#"Principal = { Service = "events.amazonaws.com" }"#));
}

/// The WAF logs of both scopes redact credentials and cookies, and the review says what
/// personal data the edge still keeps, and where.
#[test]
fn the_edge_logs_redact_credentials_and_the_review_says_what_they_keep() {
    for example in EXAMPLES {
        let compiled = compile(example);
        for file in ["global/waf.tf", "modules/region/waf.tf"] {
            let text = &compiled.rendered.files[file].text;
            let logging = &text[text.find("aws_wafv2_web_acl_logging_configuration").unwrap()..];
            for header in ["authorization", "cookie"] {
                assert!(
                    logging.contains(&format!("name = \"{header}\"")),
                    "{example}: {file} {header}"
                );
            }
        }
        let review = &compiled.rendered.files["review/scp-review.md"].text;
        assert!(review.contains("**Personal data the edge keeps.**"), "{example}");
        assert_eq!(
            review.contains("No residency class governs them"),
            !compiled.plan.residency.is_empty(),
            "{example}"
        );
    }
}

/// With an organization ID, a resource control policy keeps other organizations away
/// from the data buckets, keys and secrets; AWS services and the organization's own
/// principals pass. It has slots and a size quota of its own, and its statements must
/// name the `"*"` principal.
#[test]
fn the_data_perimeter_admits_only_the_organization() {
    let compiled = compile("helios-pay");
    let perimeter = compiled
        .scps
        .iter()
        .find(|scp| scp.name == "helios-pay-data-perimeter")
        .expect("an RCP");
    assert_eq!(perimeter.function.policy_type(), "RESOURCE_CONTROL_POLICY");
    let scps_tf = &compiled.rendered.files["governance/scps.tf"].text;
    assert!(scps_tf.contains(r#"type        = "RESOURCE_CONTROL_POLICY""#));
    let outsider = Request::new("read", "s3:GetObject", "us-east-1", "arn:aws:iam::999999999999:role/x")
        .resource("arn:aws:s3:::helios-pay-exports-us-east-1/k");
    assert_eq!(
        denied_by(&compiled.scps, &outsider).map(|(_, sid)| sid),
        Some("DenyDataBucketsOutsideOrganization".to_string())
    );
    let insider = outsider.clone().key("aws:PrincipalOrgID", &["o-h3lp4x9k2m"]);
    assert_eq!(denied_by(&compiled.scps, &insider), None);
    let service = outsider.clone().key("aws:PrincipalIsAWSService", &["true"]);
    assert_eq!(denied_by(&compiled.scps, &service), None);
    // Slots: the RCP does not take one of the SCPs'.
    let review = &compiled.rendered.files["review/scp-review.md"].text;
    assert!(
        review.contains("| `ou-h3lp-paymentsprod` | `FullAWSAccess` | 3 | 10 |"),
        "{review}"
    );

    let mut broken = compile("helios-pay");
    broken.remove_statement("DenyTopologySecretsOutsideOrganization");
    assert_reported(
        &broken.errors(),
        "scp-promise",
        "an outside account reading a topology secret",
    );
    let mut broken = compile("helios-pay");
    broken.statement("DenyTopologyKeysOutsideOrganization").principal = None;
    assert_reported(&broken.errors(), "scp-syntax", "`DenyTopologyKeysOutsideOrganization`");
    // Without an organization ID there is no RCP, and the review says so.
    let plain = compile("global-consumer");
    assert!(
        plain
            .scps
            .iter()
            .all(|scp| scp.function.policy_type() == "SERVICE_CONTROL_POLICY")
    );
    assert!(
        plain.rendered.files["review/scp-review.md"]
            .text
            .contains("No data perimeter is generated")
    );
}

/// Resources that hold a residency class's data carry its tag, not the providers'
/// default `unrestricted`: the Aurora global cluster and instances, and the key replicas.
#[test]
fn stores_of_a_residency_class_carry_its_tag() {
    let compiled = compile("eu-resident-saas");
    let global = &compiled.rendered.files["data/aurora.tf"].text;
    assert!(global.contains(r#""data-residency" = "eu""#), "{global}");
    for region in ["eu-west-1", "eu-central-1"] {
        let aurora = &compiled.rendered.files[&format!("regions/{region}/aurora.tf")].text;
        let instance = &aurora[aurora.find(r#"resource "aws_rds_cluster_instance""#).unwrap()..];
        assert!(instance.contains(r#""data-residency" = "eu""#), "{region}");
    }
    let keys = &compiled.rendered.files["keys/keys.tf"].text;
    let mut eu_replicas = 0;
    for replica in keys.split(r#"resource "aws_kms_replica_key""#).skip(1) {
        let block = &replica[..replica.find("\n}\n").unwrap()];
        if block.contains(r#""key-class"      = "eu""#) {
            eu_replicas += 1;
            assert!(block.contains(r#""data-residency" = "eu""#), "{block}");
        }
    }
    assert!(eu_replicas > 0, "the example has a replica of the eu key");
}

/// Landing-zone roles keep the audit services running in every governed region (the
/// audit statements exempt them; Config is a global action of the region deny) and get
/// nothing else: the region deny, the data protection and the residency statements
/// still deny them, and a role of the same name under another path is not exempt.
#[test]
fn landing_zone_roles_run_the_audit_services_and_touch_no_data() {
    let compiled = compile("eu-resident-saas");
    assert!(
        compiled
            .plan
            .landing_zone_roles
            .contains(&"AWSControlTowerExecution".to_string())
    );
    let landing_zone = role(&compiled, "AWSControlTowerExecution");
    let region = compiled.plan.primary_region.clone();
    let outside = "af-south-1";
    assert!(!compiled.plan.allowed_regions.iter().any(|allowed| allowed == outside));
    for (action, where_) in [
        ("config:DeleteConfigurationRecorder", region.as_str()),
        ("cloudtrail:DeleteTrail", region.as_str()),
        ("config:DeleteConfigurationRecorder", outside),
    ] {
        let request = Request::new("landing zone", action, where_, &landing_zone).resource("*");
        assert_eq!(denied_by(&compiled.scps, &request), None, "{action} in {where_}");
    }
    let table = format!(
        "arn:aws:dynamodb:{region}:111122223333:table/{}any-table",
        compiled.plan.name_prefix
    );
    let inside = |request: Request| topoc::policy::scenarios::in_organization(&compiled.plan, request);
    let delete = inside(Request::new("landing zone", "dynamodb:DeleteTable", &region, &landing_zone).resource(table));
    assert_eq!(
        denied_by(&compiled.scps, &delete).map(|(_, sid)| sid).as_deref(),
        Some("DenyWeakeningTopologyTables")
    );
    let eu_copy = Request::new("landing zone", "dynamodb:CreateTable", "us-east-1", &landing_zone)
        .resource("arn:aws:dynamodb:us-east-1:111122223333:table/copy")
        .key("aws:RequestTag/data-residency", &["eu"])
        .key("aws:TagKeys", &["data-residency"]);
    assert_eq!(
        denied_by(&compiled.scps, &inside(eu_copy))
            .map(|(_, sid)| sid)
            .as_deref(),
        Some("DenyNewDataOutsideEu")
    );
    let impostor = role(&compiled, "elsewhere/AWSControlTowerExecution");
    let vpc = Request::new("impostor", "ec2:CreateVpc", outside, &impostor).resource("*");
    assert!(denied_by(&compiled.scps, &vpc).is_some());
    // The landing zone itself builds nothing outside the topology's regions either.
    let own_vpc = Request::new("landing zone", "ec2:CreateVpc", outside, &landing_zone).resource("*");
    assert!(denied_by(&compiled.scps, &own_vpc).is_some());
    // Without the landing zone named, its recorder work is denied like anyone's.
    let mut without = compile("eu-resident-saas");
    let denied = Request::new(
        "landing zone",
        "config:DeleteConfigurationRecorder",
        &region,
        &landing_zone,
    )
    .resource("*");
    without.plan.landing_zone_roles.clear();
    without.scps = topoc::policy::scp::generate(&without.plan).0;
    assert!(denied_by(&without.scps, &denied).is_some());
}
