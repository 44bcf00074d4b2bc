//! Synthetic topology specs of any size, for the benchmark and the scale tests.
//!
//! A synthetic spec is a valid topology that a real team could plausibly write, only
//! larger: `regions` regions taken in a fixed order from the region table (every
//! region but us-west-1, whose zone names differ between accounts), equal traffic
//! shares, one service per ten data classes, and data classes cycling through every
//! store and conflict model. It is generated as YAML text, so a benchmark measures the
//! loader too. The same arguments always give the same bytes.

use std::fmt::Write;

/// Regions in the order synthetic specs take them: the home region first, then one per
/// continent, then the rest, so small topologies are spread out like real ones.
pub const REGION_ORDER: [&str; 33] = [
    "us-east-1",
    "eu-west-1",
    "ap-southeast-1",
    "sa-east-1",
    "eu-central-1",
    "ap-northeast-1",
    "us-west-2",
    "ap-south-1",
    "ca-central-1",
    "eu-west-2",
    "ap-southeast-2",
    "us-east-2",
    "eu-north-1",
    "ap-northeast-2",
    "eu-west-3",
    "ap-northeast-3",
    "af-south-1",
    "me-south-1",
    "ap-east-1",
    "eu-south-1",
    "me-central-1",
    "il-central-1",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "eu-central-2",
    "eu-south-2",
    "ca-west-1",
    "ap-southeast-5",
    "ap-southeast-7",
    "mx-central-1",
    "ap-east-2",
    "ap-southeast-6",
];

/// The most regions a synthetic spec can have.
pub const MAX_REGIONS: usize = REGION_ORDER.len();

/// Data classes that carry the `eu` residency class, when the topology has two EU
/// regions. Kept small: every residency-tagged table adds one ARN per foreign region to
/// the residency SCP, which must fit the size quota.
const RESIDENT_CLASSES: usize = 3;

/// The number of services a synthetic spec with `data_classes` classes has.
pub fn service_count(data_classes: usize) -> usize {
    (data_classes / 10).max(2)
}

/// A synthetic spec with `regions` regions (2 to [`MAX_REGIONS`]) and `data_classes`
/// data classes (at least 1).
pub fn spec(regions: usize, data_classes: usize) -> String {
    assert!((2..=MAX_REGIONS).contains(&regions), "2 to {MAX_REGIONS} regions");
    assert!(data_classes >= 1, "at least one data class");
    let region_codes = &REGION_ORDER[..regions];
    let services = service_count(data_classes);
    let eu: Vec<&str> = region_codes
        .iter()
        .copied()
        .filter(|code| *code == "eu-west-1" || *code == "eu-central-1")
        .collect();
    let mut text = String::new();
    let out = &mut text;
    let _ = writeln!(
        out,
        "# Synthetic topology: {regions} regions, {data_classes} data classes, {services} services."
    );
    let _ = writeln!(out, "topoc: 1");
    let _ = writeln!(out, "name: synth");
    let _ = writeln!(out, "description: Synthetic topology generated for benchmarks.");
    let _ = writeln!(out, "primary_region: us-east-1");
    let _ = writeln!(out, "domain:\n  zone: synth.example.com\n  app: app.synth.example.com");
    let _ = writeln!(out, "state:\n  bucket: synth-terraform-state\n  region: us-east-1");
    let _ = writeln!(out, "tags:\n  owner: platform-team\n  cost-center: cc-1000");
    let _ = writeln!(out, "regions:");
    // Shares in thousandths, the remainder on the first region, so they sum to exactly 1.
    let share = 1000 / regions;
    let first = 1000 - share * (regions - 1);
    for (index, code) in region_codes.iter().enumerate() {
        let thousandths = if index == 0 { first } else { share };
        let _ = writeln!(out, "  {code}:");
        let _ = writeln!(out, "    traffic: {}", thousandths as f64 / 1000.0);
        let _ = writeln!(out, "    cidr: 10.{}.0.0/16", index + 1);
        let _ = writeln!(out, "    deploy_wave: {}", index % 3 + 1);
    }
    if eu.len() == 2 {
        let _ = writeln!(out, "residency:\n  eu: [eu-west-1, eu-central-1]");
    }
    let _ = writeln!(
        out,
        "edge:\n  routing: latency\n  dns_ttl: 60\n  accelerator: [svc-0000]"
    );
    let _ = writeln!(out, "services:");
    for service in 0..services {
        let _ = writeln!(out, "  svc-{service:04}:");
        let _ = writeln!(
            out,
            "    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/synth/svc-{service:04}"
        );
        let _ = writeln!(out, "    port: 8080\n    cpu: 512\n    memory: 1024");
        let _ = writeln!(out, "    path: /svc-{service:04}");
        let _ = writeln!(
            out,
            "    peak_rps: 2000\n    rps_per_task: 100\n    steady_utilization: 0.4"
        );
        if service % 4 == 3 {
            let _ = writeln!(out, "    read_only: true\n    cacheable: true");
        }
        let used: Vec<String> = (service..data_classes).step_by(services).map(class_name).collect();
        let _ = writeln!(out, "    data: [{}]", used.join(", "));
    }
    let _ = writeln!(out, "data:");
    for index in 0..data_classes {
        let _ = writeln!(out, "  {}:", class_name(index));
        let resident = eu.len() == 2 && index < RESIDENT_CLASSES;
        match index % 10 {
            0 => {
                // Aurora: three regions at most, the writer first.
                let placement: Vec<&str> = if resident {
                    eu.clone()
                } else {
                    region_codes.iter().copied().take(3).collect()
                };
                let _ = writeln!(
                    out,
                    "    store: aurora\n    engine: aurora-postgresql\n    engine_version: \"16.4\""
                );
                let _ = writeln!(out, "    writer: {}", placement[0]);
                if !resident {
                    let _ = writeln!(out, "    regions: [{}]", placement.join(", "));
                }
            }
            4 | 8 => {
                let _ = writeln!(out, "    store: s3");
                if index % 20 == 4 {
                    let _ = writeln!(out, "    replication: bidirectional");
                } else {
                    let hub = if resident { "eu-west-1" } else { "us-east-1" };
                    let _ = writeln!(out, "    replication: hub-and-spoke\n    hub: {hub}");
                }
            }
            other => {
                let conflicts = ["lww", "append-only", "region-owned", "per-region-counter"][other % 4];
                let _ = writeln!(
                    out,
                    "    store: dynamodb\n    partition_key: id\n    conflicts: {conflicts}"
                );
                if conflicts == "per-region-counter" || conflicts == "append-only" {
                    let _ = writeln!(out, "    sort_key: sk");
                }
            }
        }
        if resident {
            let _ = writeln!(out, "    residency: eu");
        }
    }
    let _ = writeln!(out, "governance:");
    let _ = writeln!(out, "  scp_targets: [ou-synth-workloads]");
    let _ = writeln!(out, "  deployment_roles: [SynthDeployer]");
    let _ = writeln!(out, "  break_glass_roles: [BreakGlassAdmin]");
    let _ = writeln!(out, "  required_tags: [owner]");
    text
}

fn class_name(index: usize) -> String {
    format!("class-{index:04}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    #[test]
    fn region_order_lists_known_distinct_regions() {
        let mut seen = std::collections::BTreeSet::new();
        for code in REGION_ORDER {
            assert!(
                crate::aws::regions::REGIONS.iter().any(|region| region.code == code),
                "{code}"
            );
            assert!(seen.insert(code), "{code} twice");
        }
    }

    #[test]
    fn synthetic_specs_have_no_errors() {
        for (regions, data_classes) in [(2, 1), (3, 10), (8, 100), (33, 40)] {
            let mut source_map = SourceMap::new();
            let file = source_map.add("synth.yaml", spec(regions, data_classes));
            let (_, diagnostics) = crate::check_spec(&source_map, file);
            let errors: Vec<_> = diagnostics
                .iter()
                .filter(|diagnostic| diagnostic.severity == crate::diag::Severity::Error)
                .collect();
            assert!(errors.is_empty(), "{regions}×{data_classes}: {errors:#?}");
        }
    }
}
