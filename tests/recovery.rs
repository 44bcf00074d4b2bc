//! Recovery as code (issue 16): what the operator watches and runs during a region's
//! loss is generated from the same model as the Terraform, and checked against it.

mod common;

use common::{rendered, topology};
use hcl::{Body, Expression, ObjectKey};

/// Each widget of the dashboard in `global/dashboard.tf`: its title and its metrics, each
/// metric as the HCL text of its items (strings unquoted, references as written, the
/// options object last).
fn dashboard_widgets(example: &str) -> Vec<(String, Vec<Vec<String>>)> {
    let output = rendered(example);
    let body: Body = hcl::from_str(&output.files["global/dashboard.tf"].text).expect("dashboard.tf parses");
    let resource = body
        .blocks()
        .find(|block| block.identifier() == "resource")
        .expect("the dashboard resource");
    let dashboard_body = resource
        .body()
        .attributes()
        .find(|attribute| attribute.key() == "dashboard_body")
        .expect("dashboard_body");
    let Expression::FuncCall(call) = dashboard_body.expr() else {
        panic!("dashboard_body is jsonencode(...)")
    };
    let field = |object: &Expression, key: &str| -> Expression {
        let Expression::Object(object) = object else {
            panic!("not an object: {object}")
        };
        object
            .iter()
            .find(|(object_key, _)| matches!(object_key, ObjectKey::Identifier(name) if name.as_str() == key))
            .map(|(_, value)| value.clone())
            .unwrap_or_else(|| panic!("no {key}"))
    };
    let Expression::Array(widgets) = field(&call.args[0], "widgets") else {
        panic!("widgets is a list")
    };
    widgets
        .iter()
        .map(|widget| {
            let properties = field(widget, "properties");
            let Expression::String(title) = field(&properties, "title") else {
                panic!("a title")
            };
            let Expression::Array(metrics) = field(&properties, "metrics") else {
                panic!("metrics")
            };
            let metrics = metrics
                .iter()
                .map(|metric| {
                    let Expression::Array(items) = metric else {
                        panic!("a metric is a list")
                    };
                    items
                        .iter()
                        .map(|item| match item {
                            Expression::String(text) => text.clone(),
                            Expression::Object(_) => format!("region={}", string(&field(item, "region"))),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .collect();
            (title, metrics)
        })
        .collect()
}

fn string(expression: &Expression) -> String {
    match expression {
        Expression::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Whether some metric of the widgets has all of `items`, in that order.
fn has_metric(widgets: &[(String, Vec<Vec<String>>)], items: &[&str]) -> bool {
    widgets.iter().flat_map(|(_, metrics)| metrics).any(|metric| {
        let mut rest = metric.iter();
        items.iter().all(|item| rest.any(|candidate| candidate == item))
    })
}

/// Item 4: the dashboard shows every signal the pattern names, for every region, replica
/// pair and cluster of the spec, each read in the region that publishes it.
#[test]
fn the_dashboard_shows_every_region_replica_and_cluster() {
    for example in ["helios-pay", "eu-resident-saas", "global-consumer"] {
        let topology = topology(example);
        let widgets = dashboard_widgets(example);
        let regions: Vec<&String> = topology.regions.keys().collect();
        for region in &regions {
            let health = format!("aws_route53_health_check.region[\"{region}\"].id");
            assert!(
                has_metric(
                    &widgets,
                    &[
                        "AWS/Route53",
                        "HealthCheckStatus",
                        "HealthCheckId",
                        &health,
                        "region=us-east-1"
                    ]
                ),
                "{example}: Route 53 health of {region}"
            );
            let suffix = format!("local.alb_arn_suffixes[\"{region}\"]");
            for code in ["HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count"] {
                assert!(
                    has_metric(
                        &widgets,
                        &[
                            "AWS/ApplicationELB",
                            code,
                            "LoadBalancer",
                            &suffix,
                            &format!("region={region}")
                        ]
                    ),
                    "{example}: {code} of {region}"
                );
            }
            for (name, service) in &topology.services {
                if !topology.service_regions(service).contains(*region) {
                    continue;
                }
                for count in ["RunningTaskCount", "DesiredTaskCount"] {
                    assert!(
                        has_metric(
                            &widgets,
                            &[
                                "ECS/ContainerInsights",
                                count,
                                "ClusterName",
                                &topology.name,
                                "ServiceName",
                                name,
                                &format!("region={region}")
                            ]
                        ),
                        "{example}: {count} of {name} in {region}"
                    );
                }
            }
            assert!(
                has_metric(
                    &widgets,
                    &[
                        "AWS/WAFV2",
                        "CountedRequests",
                        "WebACL",
                        &format!("{}-{region}", topology.name),
                        "Region",
                        region,
                        "Rule",
                        "cloudfront-origin-failover",
                        &format!("region={region}")
                    ]
                ),
                "{example}: CloudFront failovers into {region}"
            );
        }
        for (name, data_class) in &topology.data {
            let placed = topology.placement(data_class);
            match data_class.store {
                topoc::spec::model::Store::Dynamodb => {
                    let table = format!("{}-{name}", topology.name);
                    for source in &placed {
                        for receiving in placed.iter().filter(|receiving| *receiving != source) {
                            assert!(
                                has_metric(
                                    &widgets,
                                    &[
                                        "ReplicationLatency",
                                        "TableName",
                                        &table,
                                        "ReceivingRegion",
                                        receiving,
                                        &format!("region={source}")
                                    ]
                                ),
                                "{example}: {table} from {source} to {receiving}"
                            );
                        }
                    }
                }
                topoc::spec::model::Store::Aurora => {
                    for region in &placed {
                        let cluster = format!("{}-{name}-{region}", topology.name);
                        for lag in ["AuroraGlobalDBReplicationLag", "AuroraGlobalDBRPOLag"] {
                            assert!(
                                has_metric(
                                    &widgets,
                                    &[lag, "DBClusterIdentifier", &cluster, &format!("region={region}")]
                                ),
                                "{example}: {lag} of {cluster}"
                            );
                        }
                    }
                }
                topoc::spec::model::Store::S3 => {}
            }
        }
        // Nothing on the dashboard reads a region the topology does not run in, but the
        // edge's us-east-1.
        for (title, metrics) in &widgets {
            for metric in metrics {
                let region = metric
                    .last()
                    .and_then(|options| options.strip_prefix("region="))
                    .unwrap();
                assert!(
                    region == "us-east-1" || regions.iter().any(|known| known.as_str() == region),
                    "{example}: {title} reads {region}"
                );
            }
        }
    }
}

/// Item 5: the topology diagram is well-formed SVG, names every region, service and data
/// class of the spec with each region's traffic share, and the README shows it.
#[test]
fn the_diagram_is_svg_and_names_everything_in_the_spec() {
    for example in ["helios-pay", "eu-resident-saas", "global-consumer"] {
        let output = rendered(example);
        let topology = topology(example);
        let svg = &output.files["review/topology.svg"].text;
        let document = roxmltree::Document::parse(svg).unwrap_or_else(|error| panic!("{example}: {error}"));
        let root = document.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
        let texts: Vec<&str> = document
            .descendants()
            .filter(|node| node.has_tag_name("text"))
            .filter_map(|node| node.text())
            .collect();
        let shown = |needle: &str| texts.iter().any(|text| text.contains(needle));
        for (region, spec_region) in &topology.regions {
            assert!(texts.contains(&region.as_str()), "{example}: region {region}");
            let share = format!("traffic {}%", (spec_region.traffic * 100.0).round());
            assert!(shown(&share), "{example}: {share} of {region}");
            assert!(shown(&format!("{region} fails:")), "{example}: failover of {region}");
        }
        for service in topology.services.keys() {
            // In a region's column, not only on the edge's line.
            let in_column = texts
                .iter()
                .any(|text| *text == service.as_str() || text.starts_with(&format!("{service} (also")));
            assert!(in_column, "{example}: service {service}");
        }
        for (name, data_class) in &topology.data {
            assert!(shown(&format!("{name} (")), "{example}: data class {name}");
            if topology.placement(data_class).len() > 1 {
                assert!(shown(&format!("{name}: ")), "{example}: replication of {name}");
            }
        }
        // Every arrow ends inside the picture.
        let width: f64 = root.attribute("width").unwrap().parse().unwrap();
        let height: f64 = root.attribute("height").unwrap().parse().unwrap();
        for line in document.descendants().filter(|node| node.has_tag_name("line")) {
            for (x, y) in [("x1", "y1"), ("x2", "y2")] {
                let x: f64 = line.attribute(x).unwrap().parse().unwrap();
                let y: f64 = line.attribute(y).unwrap().parse().unwrap();
                assert!(
                    (0.0..=width).contains(&x) && (0.0..=height).contains(&y),
                    "{example}: a line leaves the picture"
                );
            }
        }
        assert!(
            output.files["README.md"].text.contains("](review/topology.svg)"),
            "{example}"
        );
    }
}

/// Spec text reaches the picture only as escaped XML text.
#[test]
fn spec_text_cannot_break_out_of_the_svg() {
    let escaped = topoc::ir::encoded::xml_text("a<b>&\"c'\u{202E}\nd");
    assert_eq!(escaped, "a&lt;b&gt;&amp;&quot;c&apos; d");
}

/// Item 3: the GameDay page has a drill for each evacuation switch and each Aurora
/// secondary, with its failback, on the spec's cadence; a topology without either says
/// so instead of listing drills it cannot run.
#[test]
fn gameday_drills_follow_the_spec() {
    let output = rendered("helios-pay");
    let gameday = &output.files["review/gameday.md"].text;
    for region in ["eu-west-1", "us-east-1"] {
        assert!(
            gameday.contains(&format!("## Evacuate {region} and bring it back")),
            "{region}"
        );
    }
    assert!(gameday.contains("## Switch Aurora `ledger` over to eu-west-1 and back"));
    assert!(gameday.contains("Each drill runs quarterly"));
    // The expected timings are the region-loss model's.
    let region_loss = &output.files["review/region-loss.md"].text;
    assert!(region_loss.contains("about 60 s (detection, then the TTL)"));
    assert!(gameday.contains("within about 60 s (health-check detection, then the TTL)"));
    assert!(
        output.files["README.md"]
            .text
            .contains("`review/gameday.md` schedules the drills")
    );

    let monthly = common::rendered_spec(common::example_text("helios-pay").replacen(
        "observability:\n",
        "observability:\n  gameday_cadence: monthly\n",
        1,
    ));
    assert!(
        monthly.files["review/gameday.md"]
            .text
            .contains("Each drill runs monthly")
    );

    let without = &rendered("global-consumer").files["review/gameday.md"].text;
    assert!(!without.contains("## Evacuate"));
    assert!(without.contains("no evacuation drill is listed"));
}

/// The blocks of `body` named `name`.
fn blocks_named<'b>(body: &'b Body, name: &'b str) -> impl Iterator<Item = &'b hcl::Block> + 'b {
    body.blocks().filter(move |block| block.identifier() == name)
}

/// An attribute of a block as HCL text (strings unquoted).
fn attribute(block: &hcl::Block, key: &str) -> String {
    block
        .body()
        .attributes()
        .find(|attribute| attribute.key() == key)
        .map(|attribute| string(attribute.expr()))
        .unwrap_or_else(|| panic!("no {key} in {}", block.identifier()))
}

/// Item 1: every region has a Region switch plan with its nearest other region, and the
/// plan's deactivate workflow follows the region-loss model: an approval, every service
/// of both regions scaled (never past the survivor's autoscaling maximum), every Aurora
/// class with a cluster in both regions moved, then the evacuation switches, in that
/// order; the plan watches both regions' health alarms.
#[test]
fn the_region_switch_plans_follow_the_model() {
    for example in ["helios-pay", "eu-resident-saas", "global-consumer"] {
        let spec = topology(example);
        let context = topoc::ir::context::Context::new(&spec, "spec.yaml");
        let output = rendered(example);
        let body: Body = hcl::from_str(&output.files["global/region_switch.tf"].text).expect("region_switch.tf parses");
        let plans: Vec<&hcl::Block> = blocks_named(&body, "resource").collect();
        let locals = blocks_named(&body, "locals").next().expect("the shares");
        let Expression::Object(share_map) = locals.body().attributes().next().expect("region_switch_shares").expr()
        else {
            panic!("region_switch_shares is a map")
        };
        let shares: std::collections::BTreeMap<String, String> = share_map
            .iter()
            .map(|(key, value)| {
                let key = match key {
                    ObjectKey::Expression(Expression::String(text)) => text.clone(),
                    other => other.to_string(),
                };
                (key, string(value))
            })
            .collect();
        for region in &context.regions {
            let nearest = context.failover_target(region);
            let plan = plans
                .iter()
                .find(|plan| plan.labels()[1].as_str() == region.replace('-', "_"))
                .unwrap_or_else(|| panic!("{example}: no plan for {region}"));
            let regions = attribute(plan, "regions");
            assert!(
                regions.contains(&format!("\"{region}\"")) && regions.contains(&format!("\"{nearest}\"")),
                "{example}: the plan of {region} is over {regions}, not {nearest}"
            );
            let alarms: Vec<String> = blocks_named(plan.body(), "associated_alarms")
                .map(|alarm| attribute(alarm, "resource_identifier"))
                .collect();
            for watched in [region, &nearest] {
                assert!(
                    alarms
                        .iter()
                        .any(|alarm| alarm.contains(&format!("region_health[\"{watched}\"]"))),
                    "{example}: the plan of {region} does not watch {watched}: {alarms:?}"
                );
            }
            let deactivate = blocks_named(plan.body(), "workflow")
                .find(|workflow| attribute(workflow, "workflow_target_action") == "deactivate")
                .expect("a deactivate workflow");
            let steps: Vec<&hcl::Block> = blocks_named(deactivate.body(), "step").collect();
            let names: Vec<String> = steps.iter().map(|step| attribute(step, "name")).collect();
            let both = |placed: &[String]| placed.contains(region) && placed.contains(&nearest);
            let mut expected = vec!["approve".to_string()];
            let services: Vec<&String> = spec
                .services
                .iter()
                .filter(|(_, service)| both(&spec.service_regions(service)))
                .map(|(name, _)| name)
                .collect();
            if !services.is_empty() {
                expected.push("scale-services".to_string());
            }
            for (class, data_class) in &spec.data {
                if data_class.store == topoc::spec::model::Store::Aurora && both(&context.placements[class]) {
                    expected.push(format!("move-{class}-writer"));
                }
            }
            if spec.edge.recovery_control {
                expected.push("evacuate".to_string());
            }
            assert_eq!(names, expected, "{example}: the steps of the plan of {region}");
            if let Some(scale) = steps.iter().find(|step| attribute(step, "name") == "scale-services") {
                let parallel = blocks_named(scale.body(), "parallel_config")
                    .next()
                    .expect("parallel_config");
                let scaled: Vec<&hcl::Block> = blocks_named(parallel.body(), "step").collect();
                assert_eq!(scaled.len(), services.len(), "{example}: services scaled for {region}");
                for (step, service) in scaled.iter().zip(&services) {
                    assert_eq!(attribute(step, "name"), format!("scale-{service}"));
                    let config = blocks_named(step.body(), "ecs_capacity_increase_config")
                        .next()
                        .unwrap();
                    let share = attribute(config, "target_percent");
                    let key = format!("{region}/{service}");
                    assert_eq!(share, format!("local.region_switch_shares[\"{key}\"]"));
                    let percent: u64 = shares
                        .get(&key)
                        .unwrap_or_else(|| panic!("{example}: no share for {key}"))
                        .parse()
                        .expect("a number");
                    let source = context.sizing[service.as_str()][region.as_str()].min_tasks;
                    let survivor_max = context.sizing[service.as_str()][nearest.as_str()].max_tasks;
                    assert!(
                        (u64::from(source) * percent).div_ceil(100) <= u64::from(survivor_max),
                        "{example}: scaling {service} for {region}'s loss asks {percent}% of {source} tasks, past {nearest}'s maximum of {survivor_max}"
                    );
                    let units: Vec<String> = blocks_named(config.body(), "service")
                        .map(|unit| attribute(unit, "service_arn"))
                        .collect();
                    for placed in [region, &nearest] {
                        let root = placed.replace('-', "_");
                        assert!(
                            units.contains(&format!(
                                "data.terraform_remote_state.regions_{root}.outputs.ecs_service_arns[\"{service}\"]"
                            )),
                            "{example}: {service} in {placed} is not scaled: {units:?}"
                        );
                    }
                }
            }
            if spec.edge.recovery_control {
                let evacuate = steps.last().expect("steps");
                let config = blocks_named(evacuate.body(), "arc_routing_control_config")
                    .next()
                    .unwrap();
                for entry in blocks_named(config.body(), "region_and_routing_controls") {
                    let listed = attribute(entry, "region");
                    let control = blocks_named(entry.body(), "routing_control").next().unwrap();
                    assert_eq!(attribute(control, "state"), "On");
                    assert!(attribute(control, "routing_control_arn").contains(&format!("evacuation[\"{listed}\"]")));
                }
            }
        }
    }
}

/// Item 2: every region has its GameDay experiments, each run by the GameDay role and
/// stopped by alarms of the same topology in the same region: a task experiment per
/// service of the region, on that service's server-error alarm; the network experiment on
/// the healthy-task alarms of the region's services, within FIS's five stop conditions.
#[test]
fn each_experiment_stops_on_alarms_of_its_own_region() {
    for example in ["helios-pay", "eu-resident-saas", "global-consumer"] {
        let spec = topology(example);
        let output = rendered(example);
        // The module's alarm outputs are the topology's own alarms of the region.
        let outputs: Body = hcl::from_str(&output.files["modules/region/outputs.tf"].text).unwrap();
        for (name, alarm) in [
            ("service_5xx_alarm_arns", "aws_cloudwatch_metric_alarm.target_5xx"),
            ("healthy_tasks_alarm_arns", "aws_cloudwatch_metric_alarm.healthy_hosts"),
        ] {
            let block = blocks_named(&outputs, "output")
                .find(|block| block.labels()[0].as_str() == name)
                .unwrap_or_else(|| panic!("{example}: no module output {name}"));
            assert!(attribute(block, "value").contains(alarm), "{example}: {name}");
        }
        for region in spec.regions.keys() {
            let file = format!("regions/{region}/gameday.tf");
            let body: Body = hcl::from_str(&output.files[&file].text).expect("gameday.tf parses");
            let services: Vec<String> = spec
                .services
                .iter()
                .filter(|(_, service)| spec.service_regions(service).contains(region))
                .map(|(name, _)| name.clone())
                .collect();
            let experiments: Vec<&hcl::Block> = blocks_named(&body, "resource").collect();
            // The replication pairs whose latency alarms live in this region's root.
            let context = topoc::ir::context::Context::new(&spec, "spec.yaml");
            let replicated: Vec<String> = spec
                .data
                .iter()
                .filter(|(_, data_class)| data_class.store == topoc::spec::model::Store::Dynamodb)
                .filter(|(class, _)| context.placements[*class].contains(region))
                .flat_map(|(class, _)| {
                    let table = format!("{}-{class}", spec.name);
                    context.placements[class]
                        .iter()
                        .filter(|other| *other != region)
                        .map(move |other| format!("{table}/{other}"))
                })
                .collect();
            // The region's buckets that replicate, residency classes included, as
            // `<bucket>/<destination region>`, and their classes.
            let bucket_classes: Vec<&String> = spec
                .data
                .iter()
                .filter(|(class, data_class)| {
                    data_class.store == topoc::spec::model::Store::S3
                        && context.placements[*class].contains(region)
                        && context.placements[*class].len() > 1
                })
                .map(|(class, _)| class)
                .collect();
            let buckets: Vec<String> = spec
                .data
                .iter()
                .filter(|(_, data_class)| data_class.store == topoc::spec::model::Store::S3)
                .filter(|(class, _)| context.placements[*class].contains(region))
                .flat_map(|(class, _)| {
                    let bucket = format!("{}-{class}-{region}", spec.name);
                    context.placements[class]
                        .iter()
                        .filter(|other| *other != region)
                        .map(move |other| format!("{bucket}/{other}"))
                })
                .collect();
            assert_eq!(
                experiments.len(),
                services.len() + 1 + usize::from(!replicated.is_empty()) + bucket_classes.len(),
                "{example} {region}: one per service, the cut, and the replication pauses where tables and buckets replicate"
            );
            for experiment in &experiments {
                let label = experiment.labels()[1].as_str().to_string();
                assert_eq!(
                    attribute(experiment, "role_arn"),
                    "data.terraform_remote_state.identity.outputs.gameday_role_arn"
                );
                let stops: Vec<(String, String)> = blocks_named(experiment.body(), "stop_condition")
                    .map(|stop| (attribute(stop, "source"), attribute(stop, "value")))
                    .collect();
                assert!(
                    (1..=5).contains(&stops.len()),
                    "{example} {region} {label}: {} stop conditions",
                    stops.len()
                );
                if let Some(class) = bucket_classes
                    .iter()
                    .find(|class| label == format!("pause_{}_bucket_replication", class.replace('-', "_")))
                {
                    let bucket = format!("{}-{class}-{region}/", spec.name);
                    for (source, value) in &stops {
                        assert_eq!(source, "aws:cloudwatch:alarm");
                        assert!(
                            buckets.iter().any(|pair| pair.starts_with(&bucket)
                                && *value
                                    == format!("aws_cloudwatch_metric_alarm.s3_replication_latency[\"{pair}\"].arn")),
                            "{example} {region}: {value} is no replication alarm of the {class} bucket here"
                        );
                    }
                    continue;
                }
                if label == "pause_table_replication" {
                    let arns: String = blocks_named(experiment.body(), "target")
                        .map(|target| attribute(target, "resource_arns"))
                        .collect();
                    for class in replicated.iter().map(|pair| {
                        pair.split('/')
                            .next()
                            .unwrap()
                            .trim_start_matches(&format!("{}-", spec.name))
                            .to_string()
                    }) {
                        assert!(
                            arns.contains(&format!("dynamodb_replica_arns[\"{class}\"][\"{region}\"]")),
                            "{example} {region}: the replica of {class} here is not paused: {arns}"
                        );
                    }
                    for (source, value) in &stops {
                        assert_eq!(source, "aws:cloudwatch:alarm");
                        assert!(
                            replicated.iter().any(|pair| *value
                                == format!("aws_cloudwatch_metric_alarm.dynamodb_replication_latency[\"{pair}\"].arn")),
                            "{example} {region}: {value} is no replication alarm of the region"
                        );
                    }
                    continue;
                }
                let expected_output = if label == "isolate_private_subnets" {
                    "healthy_tasks_alarm_arns"
                } else {
                    "service_5xx_alarm_arns"
                };
                for (source, value) in &stops {
                    assert_eq!(source, "aws:cloudwatch:alarm");
                    let service = services
                        .iter()
                        .find(|service| *value == format!("module.region.{expected_output}[\"{service}\"]"))
                        .unwrap_or_else(|| panic!("{example} {region} {label}: {value} is no alarm of the region"));
                    if label != "isolate_private_subnets" {
                        assert_eq!(label, format!("stop_{}_tasks", service.replace('-', "_")));
                        let target = blocks_named(experiment.body(), "target").next().unwrap();
                        assert!(attribute(target, "parameters").contains(&format!("\"{service}\"")));
                    }
                }
            }
        }
    }
}

/// The review's risk line for the table-policy exemption says the GameDay role trusts only
/// AWS FIS; the Region switch role likewise trusts only ARC Region switch. Each trust
/// policy has one statement, for that one service principal, bound to the account.
#[test]
fn the_recovery_roles_trust_only_their_service() {
    for example in ["helios-pay", "eu-resident-saas", "global-consumer"] {
        let output = rendered(example);
        for (file, role, service) in [
            ("identity/gameday.tf", "gameday", "fis.amazonaws.com"),
            ("identity/gameday.tf", "gameday_plan_runner", "ssm.amazonaws.com"),
            (
                "identity/region_switch.tf",
                "region_switch",
                "arc-region-switch.amazonaws.com",
            ),
        ] {
            let body: Body = hcl::from_str(&output.files[file].text).expect("parses");
            let block = blocks_named(&body, "resource")
                .find(|block| block.labels()[0].as_str() == "aws_iam_role" && block.labels()[1].as_str() == role)
                .unwrap_or_else(|| panic!("{example}: no role {role}"));
            let trust = attribute(block, "assume_role_policy");
            assert_eq!(trust.matches("Principal").count(), 1, "{example} {role}: {trust}");
            assert!(
                trust.contains(&format!("Service = \"{service}\"")),
                "{example} {role}: {trust}"
            );
            assert!(trust.contains("aws:SourceAccount"), "{example} {role}: {trust}");
            assert!(!trust.contains("AWS ="), "{example} {role}: {trust}");
        }
    }
}

/// Item 2's last experiment: each region's plan has a drill (`gameday/`), an FIS
/// experiment in the region that stays that runs that plan, for that region, through the
/// runbook of the same region, and stops only on server-error alarms of the region that
/// stays, read from that region's root; the runbook starts the plan gracefully, waits for
/// it, and cancels it when the drill is stopped.
#[test]
fn each_region_switch_drill_runs_its_plan_from_the_region_that_stays() {
    for example in ["helios-pay", "eu-resident-saas", "global-consumer"] {
        let spec = topology(example);
        let context = topoc::ir::context::Context::new(&spec, "spec.yaml");
        let output = rendered(example);
        let experiments: Body = hcl::from_str(&output.files["gameday/experiments.tf"].text).unwrap();
        let documents: Body = hcl::from_str(&output.files["gameday/documents.tf"].text).unwrap();
        let runbook: Body = hcl::from_str(&output.files["gameday/runbook.tf"].text).unwrap();
        let content = blocks_named(&runbook, "locals")
            .next()
            .map(|locals| attribute(locals, "region_switch_drill_runbook"))
            .expect("the runbook's locals");
        for expected in [
            "Api = \"StartPlanExecution\"",
            "action = \"deactivate\"",
            "mode = \"graceful\"",
            "onCancel = \"step:cancelPlan\"",
            "Api = \"CancelPlanExecution\"",
            // review/gameday.md: "the experiment ends when the plan's execution does,
            // within 120 minutes"; FIS's maxDuration (checked below) outlasts the wait.
            "timeoutSeconds = 7200",
        ] {
            assert!(
                content
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .contains(expected),
                "{example}: the runbook lacks {expected}: {content}"
            );
        }
        let ident = |region: &str| region.replace('-', "_");
        for region in spec.regions.keys() {
            let stays = context.failover_target(region);
            let label = format!("switch_over_{}", ident(region));
            let drill = blocks_named(&experiments, "resource")
                .find(|block| block.labels()[1].as_str() == label)
                .unwrap_or_else(|| panic!("{example}: no drill {label}"));
            assert_eq!(
                attribute(drill, "provider"),
                format!("aws.{}", ident(&stays)),
                "{example} {label}"
            );
            let action = blocks_named(drill.body(), "action").next().expect("one action");
            assert_eq!(attribute(action, "action_id"), "aws:ssm:start-automation-execution");
            let parameters: Vec<(String, String)> = blocks_named(action.body(), "parameter")
                .map(|parameter| (attribute(parameter, "key"), attribute(parameter, "value")))
                .collect();
            let parameter = |key: &str| {
                parameters
                    .iter()
                    .find(|(name, _)| name == key)
                    .map(|(_, value)| value.clone())
                    .unwrap_or_else(|| panic!("{example} {label}: no parameter {key}"))
            };
            assert_eq!(
                parameter("documentArn"),
                format!("aws_ssm_document.{}.arn", ident(&stays))
            );
            assert_eq!(parameter("maxDuration"), "PT2H5M", "{example} {label}");
            let arguments = parameter("documentParameters");
            assert!(
                arguments.contains(&format!(
                    "data.terraform_remote_state.global.outputs.region_switch_plan_arns[\"{region}\"]"
                )),
                "{example} {label}: {arguments}"
            );
            assert!(
                arguments.contains(&format!("TargetRegion = \"{region}\"")),
                "{example} {label}: {arguments}"
            );
            let stays_services: Vec<&String> = spec
                .services
                .iter()
                .filter(|(_, service)| spec.service_regions(service).contains(&stays))
                .map(|(name, _)| name)
                .collect();
            let stops: Vec<String> = blocks_named(drill.body(), "stop_condition")
                .map(|stop| attribute(stop, "value"))
                .collect();
            assert!(!stops.is_empty() && stops.len() <= 5, "{example} {label}: {stops:?}");
            for stop in &stops {
                let prefix = format!(
                    "data.terraform_remote_state.regions_{}.outputs.service_5xx_alarm_arns[\"",
                    ident(&stays)
                );
                let service = stop
                    .strip_prefix(&prefix)
                    .and_then(|rest| rest.strip_suffix("\"]"))
                    .unwrap_or_else(|| panic!("{example} {label}: {stop} is not an alarm of {stays}"));
                assert!(
                    stays_services.iter().any(|name| name.as_str() == service),
                    "{example} {label}: {service}"
                );
            }
            // The region root's output is the module's (whose alarms the test above checks).
            let region_outputs: Body =
                hcl::from_str(&output.files[&format!("regions/{stays}/outputs.tf")].text).unwrap();
            let alarms = blocks_named(&region_outputs, "output")
                .find(|block| block.labels()[0].as_str() == "service_5xx_alarm_arns")
                .expect("the region root outputs its server-error alarms");
            assert_eq!(attribute(alarms, "value"), "module.region.service_5xx_alarm_arns");
            // The runbook's document in the region that stays.
            let document = blocks_named(&documents, "resource")
                .find(|block| block.labels()[1].as_str() == ident(&stays))
                .unwrap_or_else(|| panic!("{example}: no runbook in {stays}"));
            assert_eq!(attribute(document, "provider"), format!("aws.{}", ident(&stays)));
            assert_eq!(attribute(document, "content"), "local.region_switch_drill_runbook");
        }
    }
}

/// The README's promise about the drills' runbook role: it may only start, follow and
/// cancel the topology's Region switch plans.
#[test]
fn the_plan_runner_may_only_run_the_topologys_plans() {
    for example in ["helios-pay", "eu-resident-saas", "global-consumer"] {
        let spec = topology(example);
        let output = rendered(example);
        let body: Body = hcl::from_str(&output.files["identity/gameday.tf"].text).expect("parses");
        let policy = blocks_named(&body, "resource")
            .find(|block| {
                block.labels()[0].as_str() == "aws_iam_role_policy"
                    && block.labels()[1].as_str() == "gameday_plan_runner"
            })
            .map(|block| attribute(block, "policy"))
            .unwrap_or_else(|| panic!("{example}: no plan-runner policy"));
        let flat = policy.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(flat.matches("Effect =").count(), 1, "{example}: {policy}");
        assert!(flat.contains("Effect = \"Allow\""), "{example}: {policy}");
        assert!(
            flat.contains(
                "Action = [\"arc-region-switch:StartPlanExecution\", \"arc-region-switch:GetPlanExecution\", \"arc-region-switch:CancelPlanExecution\"]"
            ),
            "{example}: {policy}"
        );
        assert!(
            flat.contains(&format!(
                "Resource = \"arn:${{local.partition}}:arc-region-switch::${{local.account_id}}:plan/{}-*\"",
                spec.name
            )),
            "{example}: {policy}"
        );
    }
}
