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
                            assert_verdict(&text, &item(&class.name), "PASS");
                            assert_verdict(&text, &item("unrestricted"), "FAIL");
                        }
                    }
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
    let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("topoc-guard-{}", std::process::id())));
}
