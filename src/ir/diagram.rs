//! `review/topology.svg`: the topology as a picture, for architects reviewing a pull
//! request. From top to bottom: the edge (CloudFront, Route 53, Global Accelerator,
//! ARC) and the services each fronts; one column per region with its traffic share,
//! deploy wave, services and data stores (writer or replica); one row per replicated
//! data class with its replication directions between the columns; and one row per
//! region with where its reads fail over.
//!
//! The layout is computed here on a fixed grid from the spec's sorted maps, so the same
//! spec gives the same bytes. The template only draws the boxes, lines and texts.

use serde::Serialize;

use super::context::Context;
use super::loss_model::LossModel;
use crate::spec::model::Store;

const MARGIN: i64 = 20;
const COLUMN_WIDTH: i64 = 300;
const COLUMN_GAP: i64 = 20;
const LINE_HEIGHT: i64 = 18;
const ROW_HEIGHT: i64 = 40;
/// Vertical distance between the arrows of one data class's row.
const LANE_GAP: i64 = 10;

#[derive(Serialize)]
struct Text {
    x: i64,
    y: i64,
    text: String,
    class: &'static str,
}

#[derive(Serialize)]
struct Rect {
    x: i64,
    y: i64,
    width: i64,
    height: i64,
    class: &'static str,
}

#[derive(Serialize)]
struct Line {
    x1: i64,
    y1: i64,
    x2: i64,
    y2: i64,
    class: &'static str,
    start_arrow: bool,
    end_arrow: bool,
}

/// What `docs/topology.svg.j2` draws.
#[derive(Serialize)]
pub(super) struct Diagram {
    width: i64,
    height: i64,
    title: String,
    texts: Vec<Text>,
    boxes: Vec<Rect>,
    lines: Vec<Line>,
}

impl Diagram {
    fn text(&mut self, x: i64, y: i64, text: impl Into<String>, class: &'static str) {
        self.texts.push(Text {
            x,
            y,
            text: text.into(),
            class,
        });
    }

    fn line(&mut self, (x1, y1): (i64, i64), (x2, y2): (i64, i64), class: &'static str, arrows: (bool, bool)) {
        self.lines.push(Line {
            x1,
            y1,
            x2,
            y2,
            class,
            start_arrow: arrows.0,
            end_arrow: arrows.1,
        });
    }
}

fn count(items: usize) -> i64 {
    i64::try_from(items).unwrap_or(i64::MAX / 4)
}

pub(super) fn diagram(context: &Context<'_>, loss_model: &LossModel) -> Diagram {
    let topology = context.topology;
    let regions = &context.regions;
    let columns = count(regions.len());
    let width = MARGIN * 2 + columns * COLUMN_WIDTH + (columns - 1).max(0) * COLUMN_GAP;
    let column_x = |index: usize| MARGIN + count(index) * (COLUMN_WIDTH + COLUMN_GAP);
    let column_centre = |region: &str| {
        let index = regions.iter().position(|known| known == region).unwrap_or(0);
        column_x(index) + COLUMN_WIDTH / 2
    };
    let mut diagram = Diagram {
        width,
        height: 0,
        title: format!("{}: active-active topology", topology.name),
        texts: Vec::new(),
        boxes: Vec::new(),
        lines: Vec::new(),
    };
    diagram.text(MARGIN, 30, diagram.title.clone(), "title");

    // The edge, and the services each part of it fronts.
    let mut edge_lines = vec![format!(
        "CloudFront {}: {}",
        topology.domain.app,
        topology
            .services
            .iter()
            .map(|(name, service)| format!("{name} ({}*)", service.path))
            .collect::<Vec<_>>()
            .join(", ")
    )];
    edge_lines.push(format!(
        "Route 53: {} routing to each region's ALB, deep health checks per service, TTL {} s",
        topology.edge.routing.as_str(),
        topology.edge.dns_ttl
    ));
    if !topology.edge.accelerator.is_empty() {
        edge_lines.push(format!("Global Accelerator: {}", topology.edge.accelerator.join(", ")));
    }
    if topology.edge.recovery_control {
        edge_lines.push("ARC: one evacuation switch (routing control) per region".to_string());
    }
    let edge_top = 50;
    let edge_height = 16 + LINE_HEIGHT * count(edge_lines.len());
    diagram.boxes.push(Rect {
        x: MARGIN,
        y: edge_top,
        width: width - 2 * MARGIN,
        height: edge_height,
        class: "edge",
    });
    for (index, line) in edge_lines.into_iter().enumerate() {
        diagram.text(MARGIN + 10, edge_top + 22 + LINE_HEIGHT * count(index), line, "body");
    }

    // One column per region.
    let region_top = edge_top + edge_height + 50;
    let mut column_texts: Vec<Vec<(String, &'static str)>> = Vec::new();
    for region in regions {
        let spec_region = &topology.regions[region];
        let mut texts = vec![
            (region.clone(), "heading"),
            (
                format!(
                    "traffic {}%, deploy wave {}",
                    (spec_region.traffic * 100.0).round(),
                    spec_region.deploy_wave
                ),
                "small",
            ),
            ("services".to_string(), "label"),
        ];
        for (name, service) in &topology.services {
            if topology.service_regions(service).contains(region) {
                let accelerated = topology.edge.accelerator.contains(name);
                texts.push((
                    format!("{name}{}", if accelerated { " (also Global Accelerator)" } else { "" }),
                    "body",
                ));
            }
        }
        texts.push(("data".to_string(), "label"));
        for (name, data_class) in &topology.data {
            if !context.placements[name].contains(region) {
                continue;
            }
            let role = match data_class.store {
                Store::Aurora if data_class.writer_region() == *region => "Aurora, writer".to_string(),
                Store::Aurora => "Aurora, secondary".to_string(),
                Store::Dynamodb => format!(
                    "DynamoDB, {}",
                    data_class.conflicts.map_or("replica", |conflicts| conflicts.as_str())
                ),
                Store::S3 => "S3".to_string(),
            };
            texts.push((format!("{name} ({role})"), "body"));
        }
        column_texts.push(texts);
    }
    let column_height = 20 + LINE_HEIGHT * count(column_texts.iter().map(Vec::len).max().unwrap_or(0));
    for (index, (region, texts)) in regions.iter().zip(column_texts).enumerate() {
        let x = column_x(index);
        diagram.boxes.push(Rect {
            x,
            y: region_top,
            width: COLUMN_WIDTH,
            height: column_height,
            class: "region",
        });
        for (line, (text, class)) in texts.into_iter().enumerate() {
            diagram.text(x + 10, region_top + 22 + LINE_HEIGHT * count(line), text, class);
        }
        // The edge sends each region its share.
        diagram.line(
            (column_centre(region), edge_top + edge_height),
            (column_centre(region), region_top),
            "edge",
            (false, true),
        );
    }

    // One row per data class in more than one region: who replicates to whom.
    let mut y = region_top + column_height + 30;
    diagram.text(MARGIN, y, "Replication", "heading");
    y += 10;
    let s3_destinations = context.s3_buckets();
    for (name, data_class) in &topology.data {
        let placed = &context.placements[name];
        if placed.len() < 2 {
            continue;
        }
        let (description, pairs): (String, Vec<(String, String, bool)>) = match data_class.store {
            Store::Aurora => {
                let writer = data_class.writer_region();
                (
                    format!("{name}: Aurora global database, {writer} writes, the others replicate from it"),
                    placed
                        .iter()
                        .filter(|region| **region != writer)
                        .map(|secondary| (writer.clone(), secondary.clone(), false))
                        .collect(),
                )
            }
            Store::Dynamodb => (
                format!(
                    "{name}: DynamoDB global table, replicated both ways ({})",
                    match data_class.conflicts {
                        Some(crate::spec::model::ConflictModel::RegionOwned) => {
                            "each item is written in its home region only"
                        }
                        Some(crate::spec::model::ConflictModel::AppendOnly) => "items are only added",
                        Some(crate::spec::model::ConflictModel::PerRegionCounter) => {
                            "each region counts in its own item, summed when read"
                        }
                        Some(crate::spec::model::ConflictModel::InPlaceCounter) =>
                            "counters updated in place in every region",
                        Some(crate::spec::model::ConflictModel::Lww) | None => "the last writer wins",
                    }
                ),
                // Every replica replicates to every other one.
                placed
                    .iter()
                    .enumerate()
                    .flat_map(|(index, from)| {
                        placed[index + 1..]
                            .iter()
                            .map(move |to| (from.clone(), to.clone(), true))
                    })
                    .collect(),
            ),
            Store::S3 => {
                let mut pairs: Vec<(String, String, bool)> = Vec::new();
                for (region, buckets) in s3_destinations {
                    for bucket in buckets.iter().filter(|bucket| bucket.class == *name) {
                        for destination in &bucket.destinations {
                            let reverse = pairs
                                .iter_mut()
                                .find(|(from, to, _)| *from == destination.region && to == region);
                            match reverse {
                                Some(pair) => pair.2 = true,
                                None => pairs.push((region.clone(), destination.region.clone(), false)),
                            }
                        }
                    }
                }
                (format!("{name}: S3 replication between the regions' buckets"), pairs)
            }
        };
        // Pairs that span a column would hide each other on one line: each has a lane.
        let lanes = count(pairs.len()).max(1);
        y += ROW_HEIGHT + LANE_GAP * (lanes - 1);
        diagram.text(MARGIN, y - 22 - LANE_GAP * (lanes - 1), description, "small");
        for (offset, (from, to, both_ways)) in pairs.into_iter().enumerate() {
            let lane = y - 8 - LANE_GAP * (lanes - 1) + LANE_GAP * count(offset);
            diagram.line(
                (column_centre(&from), lane),
                (column_centre(&to), lane),
                "replication",
                (both_ways, true),
            );
        }
    }

    // Where each region's reads go when it fails.
    y += 40;
    diagram.text(MARGIN, y, "Failover", "heading");
    y += 10;
    for loss in &loss_model.losses {
        let region = &loss.lost;
        let target = context.failover_target(region);
        // The region-loss model's services with nowhere to go.
        let stranded: Vec<&str> = loss
            .paths
            .iter()
            .filter(|path| path.destinations.is_empty())
            .map(|path| path.service.as_str())
            .collect();
        let stranded = if stranded.is_empty() {
            String::new()
        } else {
            format!("; {} run nowhere else and stop", stranded.join(", "))
        };
        y += ROW_HEIGHT;
        diagram.text(
            MARGIN,
            y - 22,
            format!(
                "{region} fails: Route 53 withdraws it, CloudFront retries read-only requests in {target}, the other regions scale out{stranded}"
            ),
            "small",
        );
        diagram.line(
            (column_centre(region), y - 8),
            (column_centre(&target), y - 8),
            "failover",
            (false, true),
        );
    }
    diagram.height = y + MARGIN;
    diagram
}
