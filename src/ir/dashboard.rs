//! The topology's one pane of glass: a CloudWatch dashboard in `global/` (us-east-1,
//! beside the edge's alarms) whose widgets read every region. It shows the signals an
//! on-call engineer needs during a region's loss, in the order they look for them:
//! which regions Route 53 considers healthy and whether CloudFront fails over; per
//! region, whether the services run as many tasks as they should and whether the ALB
//! answers with errors; then how far behind each DynamoDB replica and each Aurora
//! secondary is.
//!
//! Every metric names its region (CloudWatch dashboards read any region's metrics), and
//! every dimension value is either a name topoc derives from the spec or a reference to
//! the resource that publishes the metric, so the widgets follow the Terraform.

use serde::Serialize;

use super::context::Context;
use super::hcl::{self, Value};
use crate::naming;
use crate::spec::model::Store;

/// Width and height of a widget, in the dashboard's grid of 24 columns.
const WIDGET_WIDTH: i64 = 12;
const WIDGET_HEIGHT: i64 = 6;
/// The period of every widget, in seconds: the alarms evaluate one-minute periods too.
const PERIOD_SECONDS: i64 = 60;

/// The dashboard's name and its body, for `global/dashboard.tf.j2`.
#[derive(Serialize)]
pub(super) struct Dashboard {
    pub name: String,
    pub body: Value,
}

/// One line of a metric widget: `[namespace, metric, dimension, value, ..., options]`.
fn metric(namespace: &str, name: &str, dimensions: Vec<(&str, Value)>, region: &str, label: &str) -> Value {
    let mut items = vec![Value::string(namespace), Value::string(name)];
    for (dimension, value) in dimensions {
        items.push(Value::string(dimension));
        items.push(value);
    }
    items.push(Value::object([
        ("region", Value::string(region)),
        ("label", Value::string(label)),
    ]));
    Value::List(items)
}

struct Widgets {
    region: String,
    widgets: Vec<Value>,
    /// The grid cell of the next widget: two per row.
    cell: i64,
}

impl Widgets {
    /// The next widget starts a row, so that a region's two widgets sit side by side.
    fn new_row(&mut self) {
        self.cell += self.cell % 2;
    }

    fn add(&mut self, title: String, stat: &str, metrics: Vec<Value>) {
        if metrics.is_empty() {
            return;
        }
        let index = self.cell;
        self.cell += 1;
        self.widgets.push(Value::object([
            ("type", Value::string("metric")),
            ("x", Value::Integer((index % 2) * WIDGET_WIDTH)),
            ("y", Value::Integer((index / 2) * WIDGET_HEIGHT)),
            ("width", Value::Integer(WIDGET_WIDTH)),
            ("height", Value::Integer(WIDGET_HEIGHT)),
            (
                "properties",
                Value::object([
                    ("title", Value::string(&title)),
                    ("view", Value::string("timeSeries")),
                    ("stacked", Value::Bool(false)),
                    ("region", Value::string(&self.region)),
                    ("stat", Value::string(stat)),
                    ("period", Value::Integer(PERIOD_SECONDS)),
                    ("metrics", Value::List(metrics)),
                ]),
            ),
        ]));
    }
}

/// The dashboard of a topology whose edge (and this dashboard) lives in `edge_region`.
pub(super) fn dashboard(context: &Context<'_>, edge_region: &str) -> Dashboard {
    let topology = context.topology;
    let mut widgets = Widgets {
        region: edge_region.to_string(),
        widgets: Vec::new(),
        cell: 0,
    };
    // Route 53 publishes health-check status in us-east-1 only.
    widgets.add(
        "Route 53: region health (1 healthy, 0 withdrawn)".to_string(),
        "Minimum",
        context
            .regions
            .iter()
            .map(|region| {
                metric(
                    "AWS/Route53",
                    "HealthCheckStatus",
                    vec![(
                        "HealthCheckId",
                        Value::expression(format!("aws_route53_health_check.region[{}].id", hcl::quote(region))),
                    )],
                    edge_region,
                    region,
                )
            })
            .collect(),
    );
    widgets.add(
        "CloudFront: 5xx error rate (%)".to_string(),
        "Average",
        vec![metric(
            "AWS/CloudFront",
            "5xxErrorRate",
            vec![
                (
                    "DistributionId",
                    Value::expression("aws_cloudfront_distribution.app.id"),
                ),
                ("Region", Value::string("Global")),
            ],
            edge_region,
            "all regions",
        )],
    );
    // Requests that reached a region as CloudFront's failover origin: the regional WAF's
    // count rule, which counts only requests that carry the origin secret.
    widgets.add(
        "CloudFront origin failovers, by the region that served them".to_string(),
        "Sum",
        context
            .regions
            .iter()
            .map(|region| {
                metric(
                    "AWS/WAFV2",
                    "CountedRequests",
                    vec![
                        ("WebACL", Value::string(format!("{}-{region}", topology.name))),
                        ("Region", Value::string(region)),
                        ("Rule", Value::string("cloudfront-origin-failover")),
                    ],
                    region,
                    region,
                )
            })
            .collect(),
    );
    for region in &context.regions {
        let services: Vec<&String> = topology
            .services
            .iter()
            .filter(|(_, service)| topology.service_regions(service).contains(region))
            .map(|(name, _)| name)
            .collect();
        widgets.new_row();
        // Container Insights (enabled on every cluster) publishes the task counts.
        widgets.add(
            format!("ECS {region}: running vs desired tasks"),
            "Average",
            services
                .iter()
                .flat_map(|service| {
                    ["RunningTaskCount", "DesiredTaskCount"].map(|count| {
                        metric(
                            "ECS/ContainerInsights",
                            count,
                            vec![
                                ("ClusterName", Value::string(&topology.name)),
                                ("ServiceName", Value::string(service.as_str())),
                            ],
                            region,
                            &format!(
                                "{service} {}",
                                if count == "RunningTaskCount" {
                                    "running"
                                } else {
                                    "desired"
                                }
                            ),
                        )
                    })
                })
                .collect(),
        );
        let load_balancer = Value::expression(format!("local.alb_arn_suffixes[{}]", hcl::quote(region)));
        widgets.add(
            format!("ALB {region}: 5xx responses"),
            "Sum",
            [
                ("HTTPCode_ELB_5XX_Count", "from the load balancer"),
                ("HTTPCode_Target_5XX_Count", "from the tasks"),
            ]
            .into_iter()
            .map(|(name, label)| {
                metric(
                    "AWS/ApplicationELB",
                    name,
                    vec![("LoadBalancer", load_balancer.clone())],
                    region,
                    label,
                )
            })
            .collect(),
        );
    }
    // DynamoDB publishes ReplicationLatency in the region a change is made, per receiving
    // replica.
    for (name, _) in context.data_classes_of(Store::Dynamodb) {
        let placed = &context.placements[name];
        let table = naming::dynamodb_table(topology, name);
        let mut pairs = Vec::new();
        for source in placed {
            for receiving in placed.iter().filter(|receiving| *receiving != source) {
                pairs.push(metric(
                    "AWS/DynamoDB",
                    "ReplicationLatency",
                    vec![
                        ("TableName", Value::string(&table)),
                        ("ReceivingRegion", Value::string(receiving)),
                    ],
                    source,
                    &format!("{source} to {receiving}"),
                ));
            }
        }
        widgets.add(format!("DynamoDB {table}: replication latency (ms)"), "Average", pairs);
    }
    // Aurora publishes both lags on each secondary cluster, in its region. Every cluster
    // is listed: after a switchover the old writer is the one that lags.
    for (name, _) in context.data_classes_of(Store::Aurora) {
        let mut lags = Vec::new();
        for region in &context.placements[name] {
            let cluster = naming::aurora_cluster(topology, name, region);
            for (metric_name, label) in [
                ("AuroraGlobalDBReplicationLag", "replication lag"),
                ("AuroraGlobalDBRPOLag", "RPO lag"),
            ] {
                lags.push(metric(
                    "AWS/RDS",
                    metric_name,
                    vec![("DBClusterIdentifier", Value::string(&cluster))],
                    region,
                    &format!("{region} {label}"),
                ));
            }
        }
        widgets.add(
            format!(
                "Aurora {}: lag of the secondaries (ms; the writer publishes none)",
                naming::aurora_global_cluster(topology, name)
            ),
            "Maximum",
            lags,
        );
    }
    Dashboard {
        name: naming::dashboard(topology),
        body: Value::object([("widgets", Value::List(widgets.widgets))]),
    }
}
