//! AWS Config's custom Guard rules, judged by the real cfn-guard (installed into
//! `.tools/cfn-guard` by `scripts/install-tools.sh`, which `scripts/test.sh` runs first):
//! each rule of each example is evaluated on configuration items that must pass and on
//! items that must fail, shaped as AWS Config records them (`resourceType`,
//! `resourceName`, `awsRegion`, `configuration`).

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};
use topoc::source::SourceMap;

fn cfn_guard() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".tools/cfn-guard/bin/cfn-guard");
    assert!(
        path.exists(),
        "cfn-guard is not installed: run scripts/install-tools.sh cfn-guard (scripts/test.sh does)"
    );
    path
}

fn plan(example: &str) -> topoc::ir::governance::GovernancePlan {
    let text = std::fs::read_to_string(format!("{}/examples/{example}.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut source_map = SourceMap::new();
    let file = source_map.add("spec.yaml", text);
    let analysis = topoc::analyze(&source_map, file, "spec.yaml");
    topoc::generate(analysis.compiled.expect("compiled"), "spec.yaml")
        .unwrap()
        .plan
}

/// The rule's verdict on one configuration item: `PASS`, `FAIL` or `SKIP`.
fn verdict(rule: &str, item: &Value) -> String {
    let folder = std::env::temp_dir().join(format!("topoc-guard-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let rules = folder.join("rule.guard");
    let data = folder.join("item.json");
    std::fs::write(&rules, rule).unwrap();
    std::fs::write(&data, serde_json::to_string(item).unwrap()).unwrap();
    let output = Command::new(cfn_guard())
        .args([
            "validate",
            "--output-format",
            "json",
            "--show-summary",
            "none",
            "--rules",
        ])
        .arg(&rules)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("cfn-guard said: {}", String::from_utf8_lossy(&output.stderr)));
    report["status"].as_str().unwrap().to_string()
}

#[track_caller]
fn assert_verdict(rule: &str, item: &Value, expected: &str) {
    assert_eq!(verdict(rule, item), expected, "rule:\n{rule}\nitem: {item}");
}

/// AWS Config hands a rule only the items of its scope: its resource types, carrying its
/// tag. An item the rule is expected to pass or fail must be one Config would evaluate.
#[track_caller]
fn assert_in_scope(rule: &topoc::policy::config::CustomRule, item: &Value) {
    let resource_type = item["resourceType"].as_str().unwrap_or_default();
    assert!(
        rule.resource_types.contains(&resource_type),
        "{resource_type} is outside the scope of {}",
        rule.slug
    );
    assert_eq!(
        item["tags"][rule.tag_key].as_str(),
        Some(rule.tag_value.as_str()),
        "the item lacks the scope tag of {}: {item}",
        rule.slug
    );
}

fn table_item(name: &str, region: &str, version: &str, replicas: &[&String]) -> Value {
    json!({
        "resourceType": "AWS::DynamoDB::Table",
        "resourceName": name,
        "awsRegion": region,
        "configuration": {
            "globalTableVersion": version,
            "replicas": replicas.iter().map(|region| json!({ "regionName": region })).collect::<Vec<_>>(),
        },
    })
}

fn cluster_item(region: &str, encrypted: bool, source: Option<&str>) -> Value {
    let mut configuration = json!({ "storageEncrypted": encrypted });
    if let Some(source) = source {
        configuration["replicationSourceIdentifier"] = json!(source);
    }
    json!({
        "resourceType": "AWS::RDS::DBCluster",
        "resourceName": format!("cluster-{region}"),
        "awsRegion": region,
        "configuration": configuration,
    })
}

#[test]
fn every_custom_rule_passes_good_items_and_fails_bad_ones() {
    let mut judged = 0;
    let mut outside_checked = 0;
    let mut residency_checked = 0;
    let mut widened_checked = 0;
    let mut replication_checked = 0;
    for example in ["helios-pay", "eu-resident-saas", "global-consumer"] {
        let plan = plan(example);
        for rule in topoc::policy::config::custom_rules(&plan) {
            let text = rule.policy_lines.join("\n");
            match rule.resource_types.as_slice() {
                ["AWS::DynamoDB::Table"] => {
                    for table in plan
                        .dynamodb_tables
                        .iter()
                        .filter(|table| text.contains(&format!("\"{}\"", table.name)))
                    {
                        let all: Vec<&String> = table.regions.iter().collect();
                        for region in &table.regions {
                            let others: Vec<&String> = all.iter().copied().filter(|other| *other != region).collect();
                            // DynamoDB lists the other regions' replicas on each replica.
                            assert_verdict(&text, &table_item(&table.name, region, "2019.11.21", &others), "PASS");
                            assert_verdict(&text, &table_item(&table.name, region, "2019.11.21", &[]), "FAIL");
                            assert_verdict(&text, &table_item(&table.name, region, "2017.11.29", &others), "FAIL");
                            // A replica beyond the planned ones fails, for any table.
                            let extra = "sa-east-1".to_string();
                            let mut widened = others.clone();
                            widened.push(&extra);
                            assert_verdict(&text, &table_item(&table.name, region, "2019.11.21", &widened), "FAIL");
                            widened_checked += 1;
                        }
                        // Another table is not this rule's business.
                        assert_verdict(
                            &text,
                            &table_item("someone-elses-table", &table.regions[0], "2017.11.29", &[]),
                            "SKIP",
                        );
                        judged += 1;
                    }
                }
                ["AWS::RDS::DBCluster"] => {
                    let aurora = plan
                        .aurora_clusters
                        .iter()
                        .find(|aurora| aurora.data_class == rule.tag_value)
                        .expect("the rule's class");
                    let arn = |region: &str| {
                        format!(
                            "arn:aws:rds:{region}:111122223333:cluster:{}{}-{region}",
                            plan.name_prefix, aurora.data_class
                        )
                    };
                    assert_verdict(&text, &cluster_item(&aurora.writer, true, None), "PASS");
                    assert_verdict(&text, &cluster_item(&aurora.writer, false, None), "FAIL");
                    for secondary in &aurora.secondaries {
                        assert_verdict(
                            &text,
                            &cluster_item(secondary, true, Some(&arn(&aurora.writer))),
                            "PASS",
                        );
                        assert_verdict(&text, &cluster_item(secondary, true, Some("")), "PASS");
                        // After a switchover the old writer replicates from the new one, and
                        // the new one from no one: both still pass.
                        assert_verdict(
                            &text,
                            &cluster_item(&aurora.writer, true, Some(&arn(secondary))),
                            "PASS",
                        );
                        assert_verdict(&text, &cluster_item(secondary, true, None), "PASS");
                        // Replicating from a cluster of another database fails.
                        let foreign = format!("arn:aws:rds:{}:111122223333:cluster:copy-of-the-ledger", aurora.writer);
                        assert_verdict(&text, &cluster_item(secondary, true, Some(&foreign)), "FAIL");
                    }
                    // A cluster of the class in a region the class does not use fails.
                    let outside = plan
                        .config_regions
                        .iter()
                        .find(|region| **region != aurora.writer && !aurora.secondaries.contains(region));
                    if let Some(outside) = outside {
                        assert_verdict(&text, &cluster_item(outside, true, None), "FAIL");
                        outside_checked += 1;
                    }
                    judged += 1;
                }
                ["AWS::S3::Bucket"] => {
                    let class = plan
                        .bucket_classes
                        .iter()
                        .find(|class| class.data_class == rule.tag_value)
                        .expect("the rule's bucket class");
                    let bucket = |destinations: Value| {
                        json!({
                            "resourceType": "AWS::S3::Bucket",
                            "resourceName": "any-bucket",
                            "awsRegion": plan.primary_region,
                            "tags": { "data-class": class.data_class },
                            "configuration": { "name": "any-bucket" },
                            "supplementaryConfiguration": { "BucketReplicationConfiguration": {
                                "roleARN": "arn:aws:iam::111122223333:role/replication",
                                "rules": destinations,
                            } },
                        })
                    };
                    assert_in_scope(&rule, &bucket(json!([])));
                    let rule_to = |arn: &str| json!({ "status": "Enabled", "destinationConfig": { "bucketARN": arn } });
                    for destination in &class.destinations {
                        let arn = format!("arn:aws:s3:::{destination}");
                        // As a map keyed by rule ID, and as a list.
                        assert_verdict(&text, &bucket(json!({ "rule-1": rule_to(&arn) })), "PASS");
                        assert_verdict(&text, &bucket(json!([rule_to(&arn)])), "PASS");
                        assert_verdict(
                            &text,
                            &bucket(
                                json!({ "rule-1": rule_to(&arn), "rule-2": rule_to("arn:aws:s3:::an-outside-bucket") }),
                            ),
                            "FAIL",
                        );
                        // A name that merely starts like the class's bucket fails too.
                        assert_verdict(&text, &bucket(json!([rule_to(&format!("{arn}-copy"))])), "FAIL");
                    }
                    // A bucket that does not replicate is S3_BUCKET_REPLICATION_ENABLED's business.
                    let quiet = json!({ "resourceType": "AWS::S3::Bucket", "supplementaryConfiguration": {} });
                    assert_verdict(&text, &quiet, "SKIP");
                    replication_checked += 1;
                }
                _ if rule.slug.starts_with("residency-") => {
                    let class = plan
                        .residency
                        .iter()
                        .find(|class| rule.slug == topoc::naming::residency_config_rule_slug(&class.name))
                        .expect("the rule's residency class");
                    for data_class in &class.data_classes {
                        for resource_type in &rule.resource_types {
                            let item = |residency: &str| {
                                json!({
                                    "resourceType": resource_type,
                                    "resourceName": "any-name",
                                    "awsRegion": class.permitted[0],
                                    "tags": { "data-class": data_class, "data-residency": residency, "topology": plan.tag_topology },
                                    "configuration": {},
                                })
                            };
                            assert_in_scope(&rule, &item(&class.name));
                            assert_verdict(&text, &item(&class.name), "PASS");
                            assert_verdict(&text, &item("unrestricted"), "FAIL");
                        }
                    }
                    // The class's keys carry `key-class`, not `data-class`.
                    let key = |residency: &str, region: &str| {
                        json!({
                            "resourceType": "AWS::KMS::Key",
                            "awsRegion": region,
                            "tags": { "key-class": class.name, "data-residency": residency, "topology": plan.tag_topology },
                            "configuration": {},
                        })
                    };
                    assert_in_scope(&rule, &key(&class.name, &class.permitted[0]));
                    assert_verdict(&text, &key(&class.name, &class.permitted[0]), "PASS");
                    assert_verdict(&text, &key("unrestricted", &class.permitted[0]), "FAIL");
                    // Anything tagged with the class outside its regions fails, whatever
                    // its name: a copy restored elsewhere, a replica of a key.
                    let outside = plan
                        .config_regions
                        .iter()
                        .find(|region| !class.permitted.contains(region))
                        .expect("a Config region outside the class");
                    assert_verdict(&text, &key(&class.name, outside), "FAIL");
                    let copy = json!({
                        "resourceType": "AWS::DynamoDB::Table",
                        "resourceName": "renamed-copy",
                        "awsRegion": outside,
                        "tags": { "data-residency": class.name, "topology": plan.tag_topology },
                        "configuration": {},
                    });
                    assert_in_scope(&rule, &copy);
                    assert_verdict(&text, &copy, "FAIL");
                    // A global database has no region of its own.
                    let global = json!({
                        "resourceType": "AWS::RDS::GlobalCluster",
                        "awsRegion": outside,
                        "tags": { "data-class": class.data_classes[0], "data-residency": class.name, "topology": plan.tag_topology },
                        "configuration": {},
                    });
                    assert_in_scope(&rule, &global);
                    assert_verdict(&text, &global, "PASS");
                    // Data of no residency class is not this rule's business.
                    let other = json!({
                        "resourceType": "AWS::DynamoDB::Table",
                        "tags": { "data-class": "some-other-class", "data-residency": "unrestricted" },
                    });
                    assert_verdict(&text, &other, "SKIP");
                    residency_checked += 1;
                }
                other => panic!("no configuration items for a custom rule on {other:?}"),
            }
        }
    }
    assert!(judged >= 3, "only {judged} rules judged");
    assert!(outside_checked >= 1, "no example has a region outside an Aurora class");
    assert!(residency_checked >= 1, "no example has a residency class");
    assert!(widened_checked >= 1, "no table's extra replica judged");
    assert!(
        replication_checked >= 2,
        "only {replication_checked} bucket classes judged"
    );
    let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("topoc-guard-{}", std::process::id())));
}
