//! The scenarios the guardrails are judged on, from the governance plan alone: the
//! requests the policies promise to deny (every way out of a residency class's regions
//! the review names, the protections against deleting or weakening the topology's stores,
//! keys, secrets, tags and exempt roles, the audit services and the region deny) and the
//! operations they must leave to operators and services (Aurora switchover and failover,
//! evacuation switches, the accelerator's dial, Config, reads and ordinary deletes).
//!
//! The validator proves both sets on the emitted policies; the review shows, for each
//! statement, the scenarios it denies, and a statement that denies none is an error, so
//! the review states no guarantee that no scenario backs.

use super::evaluate::Request;
use crate::aws::regions as aws_regions;
use crate::ir::governance::GovernancePlan;

/// The account of the requests: the workload account.
pub const ACCOUNT: &str = "111111111111";

/// The account the roles of the scenarios are in: the first workload account when the
/// spec names them (the exemptions hold only there), a stand-in otherwise.
pub fn principal_account(plan: &GovernancePlan) -> &str {
    plan.workload_accounts.first().map_or(ACCOUNT, String::as_str)
}

/// The first AWS region, in the region table's order, that none of `lists` holds: where a
/// scenario is made "somewhere else".
fn first_region_outside(lists: &[&[String]]) -> Option<&'static str> {
    aws_regions::REGIONS
        .iter()
        .map(|region| region.code)
        .find(|code| !lists.iter().any(|list| list.iter().any(|region| region == code)))
}

/// A role of the workload account, given as `<path/>name`.
pub fn role_arn(plan: &GovernancePlan, role: &str) -> String {
    format!("arn:aws:iam::{}:role/{role}", principal_account(plan))
}

/// The pipeline's role: the first deployment role, or a stand-in when none is named.
pub fn pipeline(plan: &GovernancePlan) -> String {
    role_arn(
        plan,
        plan.deployment_roles.first().map_or("topoc-deployer", String::as_str),
    )
}

/// A request by a principal of the organization, as IAM sees it: with the organization's
/// ID when the spec gives one (the data perimeter keys on it).
pub fn in_organization(plan: &GovernancePlan, request: Request) -> Request {
    match &plan.organization_id {
        Some(organization) => request.key("aws:PrincipalOrgID", &[organization.as_str()]),
        None => request,
    }
}

/// A principal that is neither a deployment nor a break-glass role: an operator or a
/// service's task role.
pub fn operator(plan: &GovernancePlan) -> String {
    role_arn(plan, &format!("{}-operator", plan.topology))
}

/// Requests the policies promise to deny, each with the promise: for each residency class,
/// every way out of its regions the review names (replica keys and moved primaries,
/// table replicas and restores, copies under other names, exports, snapshot copies,
/// shares and restores, clones into new global databases, backup copies, buckets,
/// databases and secret replicas), made by the pipeline itself; and the protections, made
/// by an operator: deleting without Delete, weakening keys and secrets, rewriting the
/// guardrail tags, minting or re-trusting an exempt role, and borrowing an exemption
/// through another path.
pub fn promised_denials(plan: &GovernancePlan, principal: &str) -> Vec<(Request, String)> {
    let mut probes = Vec::new();
    for class in &plan.residency {
        let mut regions: Vec<String> = plan
            .workload_regions
            .iter()
            .filter(|region| !class.permitted.contains(region))
            .cloned()
            .collect();
        if let Some(outside) = first_region_outside(&[&class.permitted, &plan.workload_regions]) {
            regions.push(outside.to_string());
        }
        let home = class
            .permitted
            .iter()
            .find(|region| plan.workload_regions.contains(region))
            .cloned()
            .unwrap_or_default();
        let promise = format!("the residency policy of `{}` promises to deny", class.name);
        let tag = class.name.as_str();
        // Made where the data is; the destination is a parameter no key names.
        let at_home = |description: String, action: &str, resource: String| {
            (
                Request::new(description, action, &home, principal)
                    .resource(resource)
                    .key("aws:ResourceTag/data-residency", &[tag]),
                promise.clone(),
            )
        };
        probes.push(at_home(
            format!("export of a `{tag}` table to S3"),
            "dynamodb:ExportTableToPointInTime",
            format!("arn:aws:dynamodb:{home}:{ACCOUNT}:table/any-name"),
        ));
        probes.push(at_home(
            format!("sharing a snapshot of a `{tag}` cluster with another account"),
            "rds:ModifyDBClusterSnapshotAttribute",
            format!("arn:aws:rds:{home}:{ACCOUNT}:cluster-snapshot:any-name"),
        ));
        probes.push(at_home(
            format!("sharing a snapshot of a `{tag}` instance with another account"),
            "rds:ModifyDBSnapshotAttribute",
            format!("arn:aws:rds:{home}:{ACCOUNT}:snapshot:any-name"),
        ));
        probes.push(at_home(
            format!("exporting a snapshot of a `{tag}` cluster to S3"),
            "rds:StartExportTask",
            format!("arn:aws:rds:{home}:{ACCOUNT}:cluster-snapshot:any-name"),
        ));
        probes.push(at_home(
            format!("cloning a `{tag}` cluster into a new global database"),
            "rds:CreateGlobalCluster",
            format!("arn:aws:rds:{home}:{ACCOUNT}:cluster:any-name"),
        ));
        probes.push(at_home(
            format!("copying a backup of `{tag}` data to another vault"),
            "backup:StartCopyJob",
            format!("arn:aws:backup:{home}:{ACCOUNT}:recovery-point:any-id"),
        ));
        for region in &regions {
            probes.push((
                Request::new(
                    format!("replica of the `{}` key in {region}", class.name),
                    "kms:ReplicateKey",
                    &home,
                    principal,
                )
                .resource(format!("arn:aws:kms:{home}:{ACCOUNT}:key/mrk-0000"))
                .key("kms:ReplicaRegion", &[region.as_str()])
                .key("aws:ResourceTag/data-residency", &[tag]),
                promise.clone(),
            ));
            probes.push((
                Request::new(
                    format!("moving the primary of the `{tag}` key to {region}"),
                    "kms:UpdatePrimaryRegion",
                    &home,
                    principal,
                )
                .resource(format!("arn:aws:kms:{home}:{ACCOUNT}:key/mrk-0000"))
                .key("kms:PrimaryRegion", &[region.as_str()])
                .key("aws:ResourceTag/data-residency", &[tag]),
                promise.clone(),
            ));
            // Keyed on the data: a table of any name, including names topoc never made.
            for table in class.tables.iter().map(String::as_str).chain(["renamed-copy"]) {
                probes.push((
                    Request::new(
                        format!("replica of `{table}` in {region}"),
                        "dynamodb:CreateTableReplica",
                        region,
                        principal,
                    )
                    .resource(format!("arn:aws:dynamodb:{region}:{ACCOUNT}:table/{table}"))
                    .key("aws:ResourceTag/data-residency", &[tag]),
                    promise.clone(),
                ));
            }
            probes.push((
                Request::new(
                    format!("a new table tagged `data-residency = {tag}` in {region}"),
                    "dynamodb:CreateTable",
                    region,
                    principal,
                )
                .resource(format!("arn:aws:dynamodb:{region}:{ACCOUNT}:table/renamed-copy"))
                .key("aws:RequestTag/data-residency", &[tag])
                .key("aws:TagKeys", &["data-residency"]),
                promise.clone(),
            ));
            // Every kind of store, created with the class's tag, whatever its name.
            for (what, action, resource) in [
                (
                    "a backup vault",
                    "backup:CreateBackupVault",
                    format!("arn:aws:backup:{region}:{ACCOUNT}:backup-vault:any-name"),
                ),
                ("a KMS key", "kms:CreateKey", "*".to_string()),
                (
                    "a secret",
                    "secretsmanager:CreateSecret",
                    format!("arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:any-name"),
                ),
                (
                    "an Aurora cluster",
                    "rds:CreateDBCluster",
                    format!("arn:aws:rds:{region}:{ACCOUNT}:cluster:any-name"),
                ),
                (
                    "an Aurora instance",
                    "rds:CreateDBInstance",
                    format!("arn:aws:rds:{region}:{ACCOUNT}:db:any-name"),
                ),
                (
                    "a global database",
                    "rds:CreateGlobalCluster",
                    format!("arn:aws:rds::{ACCOUNT}:global-cluster:any-name"),
                ),
                (
                    "a cluster snapshot",
                    "rds:CreateDBClusterSnapshot",
                    format!("arn:aws:rds:{region}:{ACCOUNT}:cluster-snapshot:any-name"),
                ),
                (
                    "a copied cluster snapshot",
                    "rds:CopyDBClusterSnapshot",
                    format!("arn:aws:rds:{region}:{ACCOUNT}:cluster-snapshot:any-name"),
                ),
                (
                    "a cluster restored from a snapshot",
                    "rds:RestoreDBClusterFromSnapshot",
                    format!("arn:aws:rds:{region}:{ACCOUNT}:cluster:any-name"),
                ),
                (
                    "a cluster restored to a point in time",
                    "rds:RestoreDBClusterToPointInTime",
                    format!("arn:aws:rds:{region}:{ACCOUNT}:cluster:any-name"),
                ),
            ] {
                probes.push((
                    Request::new(
                        format!("{what} tagged `data-residency = {tag}` in {region}"),
                        action,
                        region,
                        principal,
                    )
                    .resource(resource)
                    .key("aws:RequestTag/data-residency", &[tag])
                    .key("aws:TagKeys", &["data-residency"]),
                    promise.clone(),
                ));
            }
            let copied = |description: String, action: &str, resources: &[String]| {
                let mut request =
                    Request::new(description, action, region, principal).key("aws:ResourceTag/data-residency", &[tag]);
                for resource in resources {
                    request = request.resource(resource.clone());
                }
                (request, promise.clone())
            };
            probes.push(copied(
                format!("point-in-time restore of a `{tag}` table into {region}"),
                "dynamodb:RestoreTableToPointInTime",
                &[format!("arn:aws:dynamodb:{home}:{ACCOUNT}:table/any-name")],
            ));
            probes.push(copied(
                format!("restore of a `{tag}` table's backup into {region}"),
                "dynamodb:RestoreTableFromBackup",
                &[format!("arn:aws:dynamodb:{home}:{ACCOUNT}:table/any-name/backup/0")],
            ));
            probes.push(copied(
                format!("point-in-time restore of a `{tag}` cluster into {region}"),
                "rds:RestoreDBClusterToPointInTime",
                &[format!("arn:aws:rds:{home}:{ACCOUNT}:cluster:any-name")],
            ));
            probes.push(copied(
                format!("a cluster in {region} joined to a `{tag}` global database"),
                "rds:CreateDBCluster",
                &[format!("arn:aws:rds::{ACCOUNT}:global-cluster:any-name")],
            ));
            probes.push(copied(
                format!("the table that a `{tag}` replica in {region} creates"),
                "dynamodb:CreateTable",
                &[format!("arn:aws:dynamodb:{region}:{ACCOUNT}:table/any-name")],
            ));
            probes.push(copied(
                format!("copy of a `{tag}` cluster snapshot into {region}"),
                "rds:CopyDBClusterSnapshot",
                &[format!("arn:aws:rds:{home}:{ACCOUNT}:cluster-snapshot:any-name")],
            ));
            probes.push(copied(
                format!("restore of a `{tag}` cluster snapshot in {region}"),
                "rds:RestoreDBClusterFromSnapshot",
                &[format!("arn:aws:rds:{home}:{ACCOUNT}:cluster-snapshot:any-name")],
            ));
            probes.push((
                Request::new(
                    format!("a new bucket tagged `data-residency = {tag}` in {region}"),
                    "s3:CreateBucket",
                    region,
                    principal,
                )
                .resource("arn:aws:s3:::renamed-copy")
                .key("aws:RequestTag/data-residency", &[tag])
                .key("s3:locationconstraint", &[region.as_str()]),
                promise.clone(),
            ));
            for pattern in &class.bucket_patterns {
                let bucket = pattern.replace('*', region);
                let mut request = Request::new(format!("bucket `{bucket}`"), "s3:CreateBucket", region, principal)
                    .resource(format!("arn:aws:s3:::{bucket}"));
                if region != "us-east-1" {
                    request = request.key("s3:locationconstraint", &[region.as_str()]);
                }
                probes.push((request, promise.clone()));
            }
            for (pattern, global) in class.cluster_patterns.iter().zip(&class.global_clusters) {
                let cluster = pattern.replace('*', region);
                probes.push((
                    Request::new(
                        format!("Aurora secondary `{cluster}`"),
                        "rds:CreateDBCluster",
                        region,
                        principal,
                    )
                    .resource(format!("arn:aws:rds:{region}:{ACCOUNT}:cluster:{cluster}"))
                    .resource(format!("arn:aws:rds::{ACCOUNT}:global-cluster:{global}")),
                    promise.clone(),
                ));
            }
            probes.push((
                Request::new(
                    format!("a new `{tag}` secret with a replica in {region}"),
                    "secretsmanager:CreateSecret",
                    &home,
                    principal,
                )
                .resource(format!("arn:aws:secretsmanager:{home}:{ACCOUNT}:secret:any-name"))
                .key("secretsmanager:AddReplicaRegions", &[region.as_str()])
                .key("aws:RequestTag/data-residency", &[tag]),
                promise.clone(),
            ));
            probes.push((
                Request::new(
                    format!("replica of a `{tag}` secret in {region}"),
                    "secretsmanager:ReplicateSecretToRegions",
                    &home,
                    principal,
                )
                .resource(format!("arn:aws:secretsmanager:{home}:{ACCOUNT}:secret:any-name"))
                .key("secretsmanager:AddReplicaRegions", &[region.as_str()])
                .key("aws:ResourceTag/data-residency", &[tag]),
                promise.clone(),
            ));
        }
    }
    // The region deny itself: a network outside the allowed regions, also for a role that
    // has a break-glass role's name under another path.
    if let Some(outside) = first_region_outside(&[&plan.allowed_regions]) {
        let promise = "the region-deny policy promises to deny".to_string();
        probes.push((
            Request::new(format!("a VPC in {outside}"), "ec2:CreateVpc", outside, principal).resource("*"),
            promise.clone(),
        ));
        // KMS, ACM and WAF are denied there too: only calls in us-east-1 need them.
        for (action, what) in [
            ("kms:CreateKey", "a KMS key"),
            ("acm:RequestCertificate", "a certificate"),
            ("wafv2:CreateWebACL", "a regional web ACL"),
        ] {
            probes.push((
                Request::new(format!("{what} in {outside}"), action, outside, principal).resource("*"),
                promise.clone(),
            ));
        }
        for role in &plan.landing_zone_roles {
            let name = role.rsplit('/').next().unwrap_or(role);
            let impostor = role_arn(plan, &format!("elsewhere/{name}"));
            probes.push((
                Request::new(
                    format!("a VPC in {outside}, by a role named like the landing zone's `{role}` under another path"),
                    "ec2:CreateVpc",
                    outside,
                    &impostor,
                )
                .resource("*"),
                promise.clone(),
            ));
        }
        for role in &plan.break_glass_roles {
            let name = role.rsplit('/').next().unwrap_or(role);
            let impostor = role_arn(plan, &format!("elsewhere/{name}"));
            probes.push((
                Request::new(
                    format!("a VPC in {outside}, by a role named like `{role}` under another path"),
                    "ec2:CreateVpc",
                    outside,
                    &impostor,
                )
                .resource("*"),
                promise.clone(),
            ));
            if !plan.workload_accounts.is_empty() {
                probes.push((
                    Request::new(
                        format!(
                            "a VPC in {outside}, by a role named `{role}` in an account the exemption does not name"
                        ),
                        "ec2:CreateVpc",
                        outside,
                        &format!("arn:aws:iam::222222222222:role/{role}"),
                    )
                    .resource("*"),
                    promise.clone(),
                ));
            }
        }
    }
    if let Some(edge) = &plan.edge_only_region {
        for (what, action) in [
            ("an ECS cluster", "ecs:CreateCluster"),
            ("an ECS service", "ecs:CreateService"),
            ("an ECS task", "ecs:RunTask"),
            ("an EC2 instance", "ec2:RunInstances"),
            ("a VPC", "ec2:CreateVpc"),
            ("a load balancer", "elasticloadbalancing:CreateLoadBalancer"),
            ("a Lambda function", "lambda:CreateFunction"),
            ("a DynamoDB table", "dynamodb:CreateTable"),
            ("a global-table replica", "dynamodb:CreateTableReplica"),
            ("an Aurora cluster", "rds:CreateDBCluster"),
            ("an Aurora instance", "rds:CreateDBInstance"),
            ("a global database", "rds:CreateGlobalCluster"),
            ("a secret", "secretsmanager:CreateSecret"),
        ] {
            probes.push((
                Request::new(format!("{what} in {edge}"), action, edge, principal).resource("*"),
                "the region-deny policy promises to deny".to_string(),
            ));
        }
    }
    probes.extend(protection_probes(plan));
    let mut probes: Vec<(Request, String)> = probes
        .into_iter()
        .map(|(request, promise)| (in_organization(plan, request), promise))
        .collect();
    probes.extend(perimeter_probes(plan));
    probes
}

/// What the data perimeter promises to deny: principals of another organization (or
/// of none) using the topology's data buckets, keys and secrets.
fn perimeter_probes(plan: &GovernancePlan) -> Vec<(Request, String)> {
    if plan.organization_id.is_none() {
        return Vec::new();
    }
    let outsider = "arn:aws:iam::999999999999:role/outsider";
    let region = plan.primary_region.as_str();
    let topology = plan.tag_topology.as_str();
    let promise = "the data perimeter promises to deny".to_string();
    let mut probes: Vec<(Request, String)> = plan
        .data_bucket_patterns
        .iter()
        .map(|pattern| {
            let bucket = pattern.replace('*', region);
            (
                Request::new(
                    format!("another organization reading `{bucket}`"),
                    "s3:GetObject",
                    region,
                    outsider,
                )
                .resource(format!("arn:aws:s3:::{bucket}/any-key"))
                .key("aws:PrincipalOrgID", &["o-someoneelse0"]),
                promise.clone(),
            )
        })
        .collect();
    probes.push((
        Request::new(
            "an outside account decrypting with a topology key",
            "kms:Decrypt",
            region,
            outsider,
        )
        .resource(format!("arn:aws:kms:{region}:{ACCOUNT}:key/mrk-0000"))
        .key("aws:ResourceTag/topology", &[topology]),
        promise.clone(),
    ));
    probes.push((
        Request::new(
            "an outside account reading a topology secret",
            "secretsmanager:GetSecretValue",
            region,
            outsider,
        )
        .resource(format!(
            "arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{topology}/any-secret"
        )),
        promise,
    ));
    probes
}

/// What the protection policy promises to deny to an operator (it exists only when a
/// deployment role is named).
fn protection_probes(plan: &GovernancePlan) -> Vec<(Request, String)> {
    if plan.deployment_roles.is_empty() {
        return Vec::new();
    }
    let operator = operator(plan);
    let region = plan.primary_region.as_str();
    let prefix = plan.name_prefix.as_str();
    let topology = plan.tag_topology.as_str();
    let promise = "the protection policy promises to deny".to_string();
    let probe = |description: &str, action: &str, resource: String| {
        (
            Request::new(description.to_string(), action, region, &operator)
                .resource(resource)
                .key("aws:ResourceTag/topology", &[topology]),
            promise.clone(),
        )
    };
    let bucket = format!("arn:aws:s3:::{prefix}any-bucket");
    let table = format!("arn:aws:dynamodb:{region}:{ACCOUNT}:table/{prefix}any-table");
    let key = format!("arn:aws:kms:{region}:{ACCOUNT}:key/mrk-0000");
    let mut probes = vec![
        probe(
            "expiring every object of a topology bucket",
            "s3:PutLifecycleConfiguration",
            bucket.clone(),
        ),
        probe(
            "a bucket policy that denies the replication role",
            "s3:PutBucketPolicy",
            bucket.clone(),
        ),
        probe(
            "deleting an object version for good",
            "s3:DeleteObjectVersion",
            format!("{bucket}/any-key"),
        ),
        probe(
            "expiring a table's items through time to live",
            "dynamodb:UpdateTimeToLive",
            table.clone(),
        ),
        probe(
            "a table resource policy that denies replication",
            "dynamodb:PutResourcePolicy",
            table.clone(),
        ),
        probe(
            "deleting a table's backups",
            "dynamodb:DeleteBackup",
            format!("{table}/backup/0"),
        ),
        probe(
            "deleting an Aurora instance",
            "rds:DeleteDBInstance",
            format!("arn:aws:rds:{region}:{ACCOUNT}:db:{prefix}any-instance"),
        ),
        probe(
            "deleting a cluster's automated snapshot",
            "rds:DeleteDBClusterSnapshot",
            format!("arn:aws:rds:{region}:{ACCOUNT}:cluster-snapshot:rds:{prefix}any-cluster-2026-01-01"),
        ),
        probe(
            "scheduling a topology key's deletion",
            "kms:ScheduleKeyDeletion",
            key.clone(),
        ),
        probe("disabling a topology key", "kms:DisableKey", key.clone()),
        probe(
            "turning off a topology key's rotation",
            "kms:DisableKeyRotation",
            key.clone(),
        ),
        probe("replacing a topology key's policy", "kms:PutKeyPolicy", key.clone()),
        probe(
            "deleting a topology secret",
            "secretsmanager:DeleteSecret",
            format!("arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{topology}/any-secret"),
        ),
    ];
    let cluster = format!("arn:aws:rds:{region}:{ACCOUNT}:cluster:{prefix}any-cluster");
    let global_cluster = format!("arn:aws:rds::{ACCOUNT}:global-cluster:{prefix}any-database");
    let secret = format!("arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{topology}/any-secret");
    for (description, action, resource) in [
        ("deleting a topology table", "dynamodb:DeleteTable", table.clone()),
        (
            "removing a table's replica",
            "dynamodb:DeleteTableReplica",
            table.clone(),
        ),
        (
            "turning off a table's point-in-time recovery",
            "dynamodb:UpdateContinuousBackups",
            table.clone(),
        ),
        (
            "turning off a table's deletion protection",
            "dynamodb:UpdateTable",
            table.clone(),
        ),
        (
            "removing a table's resource policy",
            "dynamodb:DeleteResourcePolicy",
            table.clone(),
        ),
        ("deleting an Aurora cluster", "rds:DeleteDBCluster", cluster.clone()),
        (
            "turning off a cluster's deletion protection",
            "rds:ModifyDBCluster",
            cluster.clone(),
        ),
        (
            "changing an Aurora instance",
            "rds:ModifyDBInstance",
            format!("arn:aws:rds:{region}:{ACCOUNT}:db:{prefix}any-instance"),
        ),
        (
            "deleting a global database",
            "rds:DeleteGlobalCluster",
            global_cluster.clone(),
        ),
        (
            "turning off a global database's deletion protection",
            "rds:ModifyGlobalCluster",
            global_cluster.clone(),
        ),
        (
            "detaching a cluster from its global database",
            "rds:RemoveFromGlobalCluster",
            global_cluster.clone(),
        ),
        ("deleting a topology bucket", "s3:DeleteBucket", bucket.clone()),
        (
            "removing a topology bucket's policy",
            "s3:DeleteBucketPolicy",
            bucket.clone(),
        ),
        (
            "changing a topology bucket's Object Lock",
            "s3:PutBucketObjectLockConfiguration",
            bucket.clone(),
        ),
        (
            "turning off a topology bucket's public access block",
            "s3:PutBucketPublicAccessBlock",
            bucket.clone(),
        ),
        (
            "rewriting a topology bucket's tags",
            "s3:PutBucketTagging",
            bucket.clone(),
        ),
        (
            "suspending a topology bucket's versioning",
            "s3:PutBucketVersioning",
            bucket.clone(),
        ),
        (
            "changing a topology bucket's encryption",
            "s3:PutEncryptionConfiguration",
            bucket.clone(),
        ),
        (
            "a secret policy that opens a topology secret",
            "secretsmanager:PutResourcePolicy",
            secret.clone(),
        ),
        (
            "removing a topology secret's policy",
            "secretsmanager:DeleteResourcePolicy",
            secret.clone(),
        ),
        (
            "removing a topology secret's replica regions",
            "secretsmanager:RemoveRegionsFromReplication",
            secret.clone(),
        ),
    ] {
        probes.push(probe(description, action, resource));
    }
    for (action, resource, tag_key) in [
        ("kms:TagResource", key.clone(), "data-residency"),
        ("dynamodb:TagResource", table.clone(), "data-residency"),
        ("rds:RemoveTagsFromResource", cluster.clone(), "data-class"),
        ("secretsmanager:TagResource", secret.clone(), "topology"),
        ("secretsmanager:UntagResource", secret.clone(), "data-residency"),
        (
            "backup:TagResource",
            format!("arn:aws:backup:{region}:{ACCOUNT}:recovery-point:any-id"),
            "data-residency",
        ),
        (
            "backup:UntagResource",
            format!("arn:aws:backup:{region}:{ACCOUNT}:recovery-point:any-id"),
            "topology",
        ),
        ("kms:UntagResource", key.clone(), "topology"),
        ("dynamodb:UntagResource", table.clone(), "data-class"),
        (
            "rds:AddTagsToResource",
            format!("arn:aws:rds:{region}:{ACCOUNT}:cluster:{prefix}any-cluster"),
            "data-residency",
        ),
    ] {
        let (request, promise) = probe(&format!("{action} of `{tag_key}`"), action, resource);
        probes.push((request.key("aws:TagKeys", &[tag_key]), promise));
    }
    for (action, description) in [
        ("config:StopConfigurationRecorder", "stopping the AWS Config recorder"),
        ("config:DeleteConfigurationRecorder", "deleting the AWS Config recorder"),
        ("config:DeleteDeliveryChannel", "deleting AWS Config's delivery channel"),
        ("cloudtrail:StopLogging", "stopping a CloudTrail trail"),
        ("cloudtrail:DeleteTrail", "deleting a CloudTrail trail"),
        ("guardduty:DeleteDetector", "deleting the GuardDuty detector"),
        (
            "guardduty:DisassociateFromAdministratorAccount",
            "leaving the GuardDuty administrator account",
        ),
        (
            "guardduty:DisassociateFromMasterAccount",
            "leaving the GuardDuty administrator account (the API's older name)",
        ),
        ("securityhub:DisableSecurityHub", "disabling Security Hub"),
    ] {
        probes.push((
            Request::new(description, action, region, &operator).resource("*"),
            promise.clone(),
        ));
    }
    let gameday = role_arn(plan, &plan.gameday_role);
    for class in &plan.residency {
        for pattern in &class.bucket_patterns {
            let bucket = format!("arn:aws:s3:::{}", pattern.replace('*', region));
            probes.push((
                Request::new(
                    format!(
                        "replicating a `{}` bucket to a bucket of the operator's choice",
                        class.name
                    ),
                    "s3:PutReplicationConfiguration",
                    region,
                    &operator,
                )
                .resource(bucket.clone()),
                format!("the residency policy of `{}` promises to deny", class.name),
            ));
            // The GameDay role's exemption covers pause requests only.
            if !plan.deployment_roles.is_empty() {
                probes.push((
                    Request::new(
                        format!(
                            "the GameDay role setting the replication of a `{}` bucket, not as a pause request",
                            class.name
                        ),
                        "s3:PutReplicationConfiguration",
                        region,
                        &gameday,
                    )
                    .resource(bucket.clone())
                    .key("s3:IsReplicationPauseRequest", &["false"]),
                    format!("the residency policy of `{}` promises to deny", class.name),
                ));
                probes.push((
                    Request::new(
                        format!(
                            "the GameDay role setting the replication of a `{}` bucket without the pause flag",
                            class.name
                        ),
                        "s3:PutReplicationConfiguration",
                        region,
                        &gameday,
                    )
                    .resource(bucket),
                    format!("the residency policy of `{}` promises to deny", class.name),
                ));
            }
        }
    }
    // The landing zone's exemption covers the audit services and the region deny only.
    for role in &plan.landing_zone_roles {
        let landing_zone = role_arn(plan, role);
        probes.push((
            Request::new(
                format!("the landing zone ({role}) deleting a topology table"),
                "dynamodb:DeleteTable",
                region,
                &landing_zone,
            )
            .resource(table.clone()),
            promise.clone(),
        ));
        probes.push((
            Request::new(
                format!("the landing zone ({role}) scheduling a topology key's deletion"),
                "kms:ScheduleKeyDeletion",
                region,
                &landing_zone,
            )
            .resource(key.clone())
            .key("aws:ResourceTag/topology", &[topology]),
            promise.clone(),
        ));
        for class in &plan.residency {
            if let Some(outside) = first_region_outside(&[&class.permitted]) {
                probes.push((
                    Request::new(
                        format!(
                            "the landing zone ({role}) creating a table tagged `data-residency = {}` in {outside}",
                            class.name
                        ),
                        "dynamodb:CreateTable",
                        outside,
                        &landing_zone,
                    )
                    .resource(format!("arn:aws:dynamodb:{outside}:{ACCOUNT}:table/renamed-copy"))
                    .key("aws:RequestTag/data-residency", &[class.name.as_str()])
                    .key("aws:TagKeys", &["data-residency"]),
                    format!("the residency policy of `{}` promises to deny", class.name),
                ));
            }
        }
    }
    if let Some(table) = plan.dynamodb_tables.first() {
        let impostor = role_arn(plan, &format!("elsewhere/{}", plan.gameday_role));
        probes.push((
            Request::new(
                format!(
                    "a table resource policy, by a role named like the GameDay role `{}` under another path",
                    plan.gameday_role
                ),
                "dynamodb:PutResourcePolicy",
                region,
                &impostor,
            )
            .resource(format!("arn:aws:dynamodb:{region}:{ACCOUNT}:table/{}", table.name)),
            promise.clone(),
        ));
    }
    for role in plan
        .break_glass_roles
        .iter()
        .chain(&plan.deployment_roles)
        .chain(&plan.landing_zone_roles)
        .chain(std::iter::once(&plan.gameday_role))
    {
        for action in [
            "iam:CreateRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
            "iam:PutRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:PutRolePermissionsBoundary",
            "iam:DeleteRolePermissionsBoundary",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:UpdateRole",
            "iam:DeleteRole",
        ] {
            probes.push((
                Request::new(format!("{action} on `{role}`"), action, region, &operator)
                    .resource(format!("arn:aws:iam::222222222222:role/{role}")),
                promise.clone(),
            ));
        }
    }
    probes
}

/// Operations the policies must leave to operators and services, and what they do them
/// with: each is checked like the Terraform's own calls.
/// What running a Region switch plan calls: an operator starts it and the approver
/// approves it in either region of the plan; its role scales the services and raises
/// their autoscaling minimums there, moves the writers of the global databases, and flips
/// the evacuation switches through any cluster endpoint.
fn region_switch_operations(plan: &GovernancePlan, operator: &str) -> Vec<Request> {
    let role = role_arn(plan, &plan.region_switch_role);
    let approver = role_arn(plan, &plan.region_switch_approver_role);
    let cluster = &plan.ecs_cluster;
    let mut requests = Vec::new();
    for switch_plan in &plan.region_switch.plans {
        let plan_arn = format!("arn:aws:arc-region-switch::{ACCOUNT}:plan/{}/a1b2c3", switch_plan.name);
        for region in &switch_plan.regions {
            requests.push(
                Request::new(
                    format!("starting the Region switch plan `{}` in {region}", switch_plan.name),
                    "arc-region-switch:StartPlanExecution",
                    region,
                    operator,
                )
                .resource(plan_arn.clone()),
            );
            requests.push(
                Request::new(
                    format!("approving a step of `{}` in {region}", switch_plan.name),
                    "arc-region-switch:ApprovePlanExecutionStep",
                    region,
                    &approver,
                )
                .resource(plan_arn.clone()),
            );
            for scaled in &switch_plan.services {
                requests.push(
                    Request::new(
                        format!("the Region switch role scaling `{}` in {region}", scaled.service),
                        "ecs:UpdateService",
                        region,
                        &role,
                    )
                    .resource(format!(
                        "arn:aws:ecs:{region}:{ACCOUNT}:service/{cluster}/{}",
                        scaled.service
                    )),
                );
            }
            if !switch_plan.services.is_empty() {
                requests.push(
                    Request::new(
                        format!("the Region switch role raising a service's autoscaling minimum in {region}"),
                        "application-autoscaling:RegisterScalableTarget",
                        region,
                        &role,
                    )
                    .resource(format!(
                        "arn:aws:application-autoscaling:{region}:{ACCOUNT}:scalable-target/0ec1a2b3c4d5e6f7"
                    )),
                );
            }
            for class in &switch_plan.aurora_classes {
                let global = format!("{}{class}", plan.name_prefix);
                for action in ["rds:SwitchoverGlobalCluster", "rds:FailoverGlobalCluster"] {
                    requests.push(
                        Request::new(
                            format!("the Region switch role calling {action} on `{global}` in {region}"),
                            action,
                            region,
                            &role,
                        )
                        .resource(format!("arn:aws:rds::{ACCOUNT}:global-cluster:{global}"))
                        .resource(format!("arn:aws:rds:{region}:{ACCOUNT}:cluster:{global}-{region}")),
                    );
                }
            }
        }
        if switch_plan.routing_controls
            && let Some(recovery_region) = &plan.recovery_control_region
        {
            for region in ["ap-northeast-1", recovery_region.as_str()] {
                requests.push(
                    Request::new(
                        format!("the Region switch role flipping an evacuation switch through {region}"),
                        "route53-recovery-cluster:UpdateRoutingControlStates",
                        region,
                        &role,
                    )
                    .resource("*"),
                );
            }
        }
    }
    requests
}

/// What a Region switch drill calls in the region that stays: FIS starts the runbook as
/// the GameDay role, hands it the plan-runner role, follows and stops it; the runbook
/// starts, follows and cancels the plan's execution there.
fn region_switch_drill_operations(plan: &GovernancePlan) -> Vec<Request> {
    let gameday = role_arn(plan, &plan.gameday_role);
    let runner = role_arn(plan, &plan.gameday_plan_runner_role);
    let document = &plan.region_switch_drill_document;
    let mut requests = Vec::new();
    for switch_plan in plan.region_switch.drilled_plans() {
        let region = &switch_plan.stays;
        let plan_arn = format!("arn:aws:arc-region-switch::{ACCOUNT}:plan/{}/a1b2c3", switch_plan.name);
        let execution =
            format!("arn:aws:ssm:{region}:{ACCOUNT}:automation-execution/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d");
        requests.push(
            Request::new(
                format!("the GameDay role starting the drill runbook `{document}` in {region}"),
                "ssm:StartAutomationExecution",
                region,
                &gameday,
            )
            .resource(format!("arn:aws:ssm:{region}:{ACCOUNT}:document/{document}"))
            .resource(format!(
                "arn:aws:ssm:{region}:{ACCOUNT}:automation-definition/{document}:$DEFAULT"
            )),
        );
        for action in ["ssm:GetAutomationExecution", "ssm:StopAutomationExecution"] {
            requests.push(
                Request::new(
                    format!("the GameDay role calling {action} on a drill in {region}"),
                    action,
                    region,
                    &gameday,
                )
                .resource(execution.clone()),
            );
        }
        requests.push(
            Request::new(
                format!("the GameDay role passing the plan-runner role to Systems Manager in {region}"),
                "iam:PassRole",
                region,
                &gameday,
            )
            .resource(runner.clone())
            .key("iam:PassedToService", &["ssm.amazonaws.com"]),
        );
        for action in [
            "arc-region-switch:StartPlanExecution",
            "arc-region-switch:GetPlanExecution",
            "arc-region-switch:CancelPlanExecution",
        ] {
            requests.push(
                Request::new(
                    format!(
                        "the plan-runner role calling {action} on `{}` in {region}",
                        switch_plan.name
                    ),
                    action,
                    region,
                    &runner,
                )
                .resource(plan_arn.clone()),
            );
        }
    }
    requests
}

/// What the GameDay experiments call in each workload region: an operator starts one;
/// its role stops a service's tasks, or copies a subnet's network ACL with deny rules,
/// swaps it in, and deletes it at the end.
fn gameday_operations(plan: &GovernancePlan, operator: &str) -> Vec<Request> {
    let role = role_arn(plan, &plan.gameday_role);
    let cluster = &plan.ecs_cluster;
    let mut requests = Vec::new();
    // Pausing a replica's replication: deny statements written into the policies of the
    // table and its stream, removed at the end.
    for table in plan.dynamodb_tables.iter().filter(|table| table.regions.len() > 1) {
        for region in &table.regions {
            let arn = format!("arn:aws:dynamodb:{region}:{ACCOUNT}:table/{}", table.name);
            for (what, resource) in [
                ("table", arn.clone()),
                ("stream", format!("{arn}/stream/2026-12-02T00:00:00.000")),
            ] {
                for action in ["dynamodb:PutResourcePolicy", "dynamodb:DeleteResourcePolicy"] {
                    requests.push(
                        Request::new(
                            format!(
                                "the GameDay role calling {action} on the {what} of `{}` in {region}",
                                table.name
                            ),
                            action,
                            region,
                            &role,
                        )
                        .resource(resource.clone()),
                    );
                }
            }
        }
    }
    // Pausing a bucket's replication rules, residency classes included: S3 marks the
    // experiment's calls as pause requests.
    for bucket_class in &plan.bucket_classes {
        for destination in &bucket_class.destinations {
            let source = destination.clone();
            for action in ["s3:PutReplicationConfiguration", "s3:PauseReplication"] {
                requests.push(
                    Request::new(
                        format!("the GameDay role calling {action} on `{source}`"),
                        action,
                        &plan.primary_region,
                        &role,
                    )
                    .resource(format!("arn:aws:s3:::{source}"))
                    .key("s3:IsReplicationPauseRequest", &["true"]),
                );
            }
        }
    }
    for region in &plan.workload_regions {
        let copy = format!("arn:aws:ec2:{region}:{ACCOUNT}:network-acl/acl-0f1500000000000aa");
        requests.push(
            Request::new(
                format!("starting a GameDay experiment in {region}"),
                "fis:StartExperiment",
                region,
                operator,
            )
            .resource(format!(
                "arn:aws:fis:{region}:{ACCOUNT}:experiment-template/EXT1a2b3c4d5e6f7"
            ))
            .resource(format!("arn:aws:fis:{region}:{ACCOUNT}:experiment/EXP1a2b3c4d5e6f7")),
        );
        requests.push(
            Request::new(
                format!("the GameDay role stopping a service's task in {region}"),
                "ecs:StopTask",
                region,
                &role,
            )
            .resource(format!(
                "arn:aws:ecs:{region}:{ACCOUNT}:task/{cluster}/0123456789abcdef0123456789abcdef"
            )),
        );
        requests.push(
            Request::new(
                format!("the GameDay role copying a subnet's network ACL in {region}"),
                "ec2:CreateNetworkAcl",
                region,
                &role,
            )
            .resource(copy.clone())
            .key("aws:RequestTag/managedByFIS", &["true"]),
        );
        for (description, action) in [
            ("adding a deny rule to the copy", "ec2:CreateNetworkAclEntry"),
            ("swapping the copy in", "ec2:ReplaceNetworkAclAssociation"),
            ("deleting the copy", "ec2:DeleteNetworkAcl"),
        ] {
            requests.push(
                Request::new(
                    format!("the GameDay role {description} in {region}"),
                    action,
                    region,
                    &role,
                )
                .resource(copy.clone())
                .key("aws:ResourceTag/managedByFIS", &["true"]),
            );
        }
    }
    requests
}

pub fn legitimate_operations(plan: &GovernancePlan) -> Vec<Request> {
    let operator = operator(plan);
    let mut requests = Vec::new();
    for aurora in &plan.aurora_clusters {
        let global = format!("{}{}", plan.name_prefix, aurora.data_class);
        for region in &aurora.secondaries {
            let target = format!("arn:aws:rds:{region}:{ACCOUNT}:cluster:{global}-{region}");
            for action in ["rds:SwitchoverGlobalCluster", "rds:FailoverGlobalCluster"] {
                requests.push(
                    Request::new(format!("{action} of `{global}` to {region}"), action, region, &operator)
                        .resource(format!("arn:aws:rds::{ACCOUNT}:global-cluster:{global}"))
                        .resource(target.clone()),
                );
            }
        }
    }
    if let Some(recovery_region) = &plan.recovery_control_region {
        // Any of the five cluster endpoints, wherever it is.
        for region in ["ap-southeast-2", recovery_region.as_str()] {
            requests.push(
                Request::new(
                    "turning an evacuation switch on",
                    "route53-recovery-cluster:UpdateRoutingControlState",
                    region,
                    &operator,
                )
                .resource("*"),
            );
        }
    }
    requests.extend(region_switch_operations(plan, &operator));
    requests.extend(gameday_operations(plan, &operator));
    requests.extend(region_switch_drill_operations(plan));
    requests.push(
        Request::new(
            "dialling a Global Accelerator endpoint group to 0",
            "globalaccelerator:UpdateEndpointGroup",
            "us-west-2",
            &operator,
        )
        .resource("*"),
    );
    let region = plan.primary_region.as_str();
    let prefix = plan.name_prefix.as_str();
    let topology = plan.tag_topology.as_str();
    requests.push(
        Request::new(
            "a service reading with a topology key",
            "kms:Decrypt",
            region,
            &operator,
        )
        .resource(format!("arn:aws:kms:{region}:{ACCOUNT}:key/mrk-0000"))
        .key("aws:ResourceTag/topology", &[topology]),
    );
    requests.push(
        Request::new(
            "a service deleting an object (a delete marker)",
            "s3:DeleteObject",
            region,
            &operator,
        )
        .resource(format!("arn:aws:s3:::{prefix}any-bucket/any-key")),
    );
    requests.push(
        Request::new(
            "a service reading the origin secret",
            "secretsmanager:GetSecretValue",
            region,
            &operator,
        )
        .resource(format!(
            "arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{topology}/edge/origin-secret"
        )),
    );
    for aurora in &plan.aurora_clusters {
        for secondary in &aurora.secondaries {
            requests.push(
                Request::new(
                    format!("promoting the master secret's replica in {secondary} during a region's loss"),
                    "secretsmanager:StopReplicationToReplica",
                    secondary,
                    &operator,
                )
                .resource(format!(
                    "arn:aws:secretsmanager:{secondary}:{ACCOUNT}:secret:{topology}/{}/master",
                    aurora.data_class
                )),
            );
        }
    }
    // The landing zone keeps the audit services running in every governed region, the
    // topology's or not, and replaces recorders and trails when it is updated.
    let outside = first_region_outside(&[&plan.allowed_regions]);
    for role in &plan.landing_zone_roles {
        let landing_zone = role_arn(plan, role);
        for (description, action, where_) in [
            (
                "replacing AWS Config's recorder",
                "config:DeleteConfigurationRecorder",
                region,
            ),
            (
                "replacing AWS Config's delivery channel",
                "config:DeleteDeliveryChannel",
                region,
            ),
            ("replacing a CloudTrail trail", "cloudtrail:DeleteTrail", region),
            (
                "moving GuardDuty to another administrator account",
                "guardduty:DisassociateFromAdministratorAccount",
                region,
            ),
            (
                "disabling Security Hub before re-enabling it centrally",
                "securityhub:DisableSecurityHub",
                region,
            ),
        ] {
            requests.push(
                Request::new(
                    format!("the landing zone ({role}) {description}"),
                    action,
                    where_,
                    &landing_zone,
                )
                .resource("*"),
            );
        }
        if let Some(outside) = outside {
            requests.push(
                Request::new(
                    format!("the landing zone ({role}) replacing AWS Config's recorder in {outside}, a governed region outside the topology"),
                    "config:DeleteConfigurationRecorder",
                    outside,
                    &landing_zone,
                )
                .resource("*"),
            );
        }
    }
    requests.push(
        Request::new(
            "AWS Config evaluating its rules",
            "config:StartConfigRulesEvaluation",
            region,
            &operator,
        )
        .resource("*"),
    );
    if let Some(pattern) = plan.data_bucket_patterns.first() {
        let bucket = pattern.replace('*', region);
        requests.push(
            Request::new(
                "an AWS service writing to a data bucket for the organization",
                "s3:PutObject",
                region,
                "arn:aws:iam::999999999999:role/aws-service",
            )
            .resource(format!("arn:aws:s3:::{bucket}/any-key"))
            .key("aws:PrincipalIsAWSService", &["true"]),
        );
        requests.push(
            Request::new("a service reading a data bucket", "s3:GetObject", region, &operator)
                .resource(format!("arn:aws:s3:::{bucket}/any-key")),
        );
    }
    for class in &plan.residency {
        for region in &class.permitted {
            if !plan.workload_regions.contains(region) {
                continue;
            }
            requests.push(
                Request::new(
                    format!(
                        "the pipeline removing a replica of a `{}` table in {region}",
                        class.name
                    ),
                    "dynamodb:DeleteTableReplica",
                    region,
                    &pipeline(plan),
                )
                .resource(format!("arn:aws:dynamodb:{region}:{ACCOUNT}:table/{prefix}any-table"))
                .key("aws:ResourceTag/data-residency", &[class.name.as_str()]),
            );
        }
    }
    // Every principal here is of the organization but the AWS service, whose request
    // must pass on its own.
    requests
        .into_iter()
        .map(|request| {
            if request.context.contains_key("aws:principalisawsservice") {
                request
            } else {
                in_organization(plan, request)
            }
        })
        .collect()
}
