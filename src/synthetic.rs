//! Synthetic topology specs of any size and shape, for the benchmark, the scale tests
//! and the property tests.
//!
//! A synthetic spec is a valid topology that a real team could plausibly write: regions
//! from the region table (every region but us-west-1, whose zone names differ between
//! accounts), traffic shares that sum to one, data classes of every store and conflict
//! model, services that use them, and edge options. [`Options`] holds every knob, and
//! every combination of knobs is a valid spec; [`spec`] picks the knobs for a size. It
//! is generated as YAML text, so a benchmark measures the loader too. The same options
//! always give the same bytes.

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

/// Data classes that carry the `eu` residency class in [`spec`], when the topology has
/// two EU regions. Kept small: every residency-tagged table adds one ARN per foreign
/// region to the residency SCP, which must fit the size quota.
const RESIDENT_CLASSES: usize = 3;

/// The number of services a synthetic spec with `data_classes` classes has.
pub fn service_count(data_classes: usize) -> usize {
    (data_classes / 10).max(2)
}

/// How a DynamoDB class resolves concurrent writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conflicts {
    Lww,
    RegionOwned,
    AppendOnly,
    PerRegionCounter,
}

impl Conflicts {
    pub const ALL: [Conflicts; 4] = [
        Conflicts::Lww,
        Conflicts::RegionOwned,
        Conflicts::AppendOnly,
        Conflicts::PerRegionCounter,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Conflicts::Lww => "lww",
            Conflicts::RegionOwned => "region-owned",
            Conflicts::AppendOnly => "append-only",
            Conflicts::PerRegionCounter => "per-region-counter",
        }
    }
}

/// One data class of a synthetic spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataKind {
    Dynamodb {
        conflicts: Conflicts,
        ttl: bool,
    },
    /// Placed in the first three regions (or the EU pair when resident), writer first.
    Aurora {
        mysql: bool,
        write_forwarding: bool,
    },
    S3 {
        bidirectional: bool,
    },
}

/// Everything a synthetic spec varies. Every combination is a valid spec.
#[derive(Clone, Debug)]
pub struct Options {
    /// Regions, each once, from [`REGION_ORDER`]; the first is the primary region.
    pub regions: Vec<&'static str>,
    /// Traffic share of each region in thousandths; sums to 1,000.
    pub traffic_thousandths: Vec<u32>,
    pub data: Vec<DataKind>,
    /// Services; each uses every `services`-th data class.
    pub services: usize,
    /// 0 latency, 1 geoproximity, 2 weighted.
    pub routing: u8,
    pub accelerator: bool,
    pub recovery_control: bool,
    /// How many of the first data classes carry the `eu` residency class (only when
    /// eu-west-1 and eu-central-1 are both regions).
    pub resident_classes: usize,
}

impl Options {
    /// The options [`spec`] uses: regions in [`REGION_ORDER`], equal shares, classes
    /// cycling through the stores.
    pub fn scaled(regions: usize, data_classes: usize) -> Options {
        assert!((2..=MAX_REGIONS).contains(&regions), "2 to {MAX_REGIONS} regions");
        assert!(data_classes >= 1, "at least one data class");
        let share = 1000 / regions as u32;
        let mut traffic_thousandths = vec![share; regions];
        traffic_thousandths[0] = 1000 - share * (regions as u32 - 1);
        let data = (0..data_classes)
            .map(|index| match index % 10 {
                0 => DataKind::Aurora {
                    mysql: false,
                    write_forwarding: false,
                },
                // A full mesh of replication rules in many regions is not what teams
                // build; bidirectional buckets appear only in small topologies.
                4 | 8 => DataKind::S3 {
                    bidirectional: index % 20 == 4 && regions <= 4,
                },
                other => DataKind::Dynamodb {
                    conflicts: Conflicts::ALL[other % 4],
                    ttl: other % 3 == 0,
                },
            })
            .collect();
        Options {
            regions: REGION_ORDER[..regions].to_vec(),
            traffic_thousandths,
            data,
            services: service_count(data_classes),
            routing: 0,
            accelerator: true,
            recovery_control: false,
            resident_classes: RESIDENT_CLASSES,
        }
    }
}

/// A synthetic spec with `regions` regions (2 to [`MAX_REGIONS`]) and `data_classes`
/// data classes (at least 1).
pub fn spec(regions: usize, data_classes: usize) -> String {
    render(&Options::scaled(regions, data_classes))
}

/// The spec text of `options`.
pub fn render(options: &Options) -> String {
    let regions = &options.regions;
    let services = options.services.max(1);
    let data_classes = options.data.len();
    let eu: Vec<&str> = ["eu-west-1", "eu-central-1"]
        .into_iter()
        .filter(|code| regions.contains(code))
        .collect();
    let residency = eu.len() == 2 && options.resident_classes > 0;
    let mut text = String::new();
    let out = &mut text;
    let _ = writeln!(
        out,
        "# Synthetic topology: {} regions, {data_classes} data classes, {services} services.",
        regions.len()
    );
    let _ = writeln!(out, "topoc: 1");
    let _ = writeln!(out, "name: synth");
    let _ = writeln!(
        out,
        "description: Synthetic topology generated for benchmarks and property tests."
    );
    let _ = writeln!(out, "primary_region: {}", regions[0]);
    let _ = writeln!(out, "domain:\n  zone: synth.example.com\n  app: app.synth.example.com");
    let _ = writeln!(out, "state:\n  bucket: synth-terraform-state\n  region: {}", regions[0]);
    let _ = writeln!(out, "tags:\n  owner: platform-team\n  cost-center: cc-1000");
    let _ = writeln!(out, "regions:");
    for (index, code) in regions.iter().enumerate() {
        let _ = writeln!(out, "  {code}:");
        let _ = writeln!(
            out,
            "    traffic: {}",
            f64::from(options.traffic_thousandths[index]) / 1000.0
        );
        let _ = writeln!(out, "    cidr: 10.{}.0.0/16", index + 1);
        let _ = writeln!(out, "    deploy_wave: {}", index % 3 + 1);
        if options.routing == 1 && index == 0 {
            let _ = writeln!(out, "    geoproximity_bias: 10");
        }
    }
    if residency {
        let _ = writeln!(out, "residency:\n  eu: [eu-west-1, eu-central-1]");
    }
    let routing = ["latency", "geoproximity", "weighted"][usize::from(options.routing % 3)];
    let _ = writeln!(out, "edge:\n  routing: {routing}\n  dns_ttl: 60");
    if options.accelerator {
        let _ = writeln!(out, "  accelerator: [svc-0000]");
    }
    if options.recovery_control {
        let _ = writeln!(out, "  recovery_control: true");
    }
    // Where each class keeps a copy, as the `data` section below places it.
    let class_regions = |index: usize| -> Vec<&str> {
        let resident = residency && index < options.resident_classes;
        match options.data[index] {
            _ if resident => eu.clone(),
            DataKind::Aurora { .. } => regions.iter().copied().take(3).collect(),
            DataKind::S3 { .. } | DataKind::Dynamodb { .. } => regions.clone(),
        }
    };
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
        // A service runs only where every class it uses has a copy (TOPO0068): it takes
        // its classes in turn while they leave it at least one region, and is placed in
        // the regions they share.
        let mut placed: Vec<&str> = regions.clone();
        let mut used = Vec::new();
        for index in (service..data_classes).step_by(services) {
            let shared: Vec<&str> = placed
                .iter()
                .copied()
                .filter(|region| class_regions(index).contains(region))
                .collect();
            if !shared.is_empty() {
                placed = shared;
                used.push(index);
            }
        }
        if placed.len() < regions.len() {
            let _ = writeln!(out, "    regions: [{}]", placed.join(", "));
        }
        // Only the writer region writes an Aurora class without write forwarding
        // (TOPO0069): services elsewhere read it.
        let read_only = service % 4 == 3;
        let access = |index: usize| match options.data[index] {
            DataKind::Aurora {
                write_forwarding: false,
                ..
            } => "read",
            _ if read_only => "read",
            _ => "read-write",
        };
        if used.is_empty() {
            let _ = writeln!(out, "    data: []");
        } else {
            let _ = writeln!(out, "    data:");
            for index in used {
                let _ = writeln!(out, "      {}: {}", class_name(index), access(index));
            }
        }
    }
    let _ = writeln!(out, "data:");
    for (index, kind) in options.data.iter().enumerate() {
        let _ = writeln!(out, "  {}:", class_name(index));
        let resident = residency && index < options.resident_classes;
        match *kind {
            DataKind::Aurora {
                mysql,
                write_forwarding,
            } => {
                let placement: Vec<&str> = if resident {
                    eu.clone()
                } else {
                    regions.iter().copied().take(3).collect()
                };
                if mysql {
                    let _ = writeln!(
                        out,
                        "    store: aurora\n    engine: aurora-mysql\n    engine_version: \"8.0.mysql_aurora.3.05.2\""
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "    store: aurora\n    engine: aurora-postgresql\n    engine_version: \"16.4\""
                    );
                }
                let _ = writeln!(out, "    writer: {}", placement[0]);
                if write_forwarding {
                    let _ = writeln!(out, "    write_forwarding: true");
                }
                if !resident {
                    let _ = writeln!(out, "    regions: [{}]", placement.join(", "));
                }
            }
            DataKind::S3 { bidirectional } => {
                let _ = writeln!(out, "    store: s3");
                if bidirectional {
                    let _ = writeln!(out, "    replication: bidirectional");
                } else {
                    let hub = if resident { "eu-west-1" } else { regions[0] };
                    let _ = writeln!(out, "    replication: hub-and-spoke\n    hub: {hub}");
                }
            }
            DataKind::Dynamodb { conflicts, ttl } => {
                let _ = writeln!(
                    out,
                    "    store: dynamodb\n    partition_key: id\n    conflicts: {}",
                    conflicts.as_str()
                );
                if matches!(conflicts, Conflicts::PerRegionCounter | Conflicts::AppendOnly) {
                    let _ = writeln!(out, "    sort_key: sk");
                }
                if ttl {
                    let _ = writeln!(out, "    ttl_attribute: expires_at");
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
