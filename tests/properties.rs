//! Property tests over generated specs.
//!
//! Valid specs come from `topoc::synthetic::Options` with every knob drawn at random:
//! 2 to 12 regions in any order and with uneven traffic, every store and conflict
//! model, residency classes, 1 to 4 services, every routing policy, with and without
//! Global Accelerator and ARC. Each must build (which runs every validation layer),
//! build to the same bytes twice, and `topoc diff` against its own written output must
//! report nothing. Invalid specs are valid ones with one mistake a person makes; each
//! must get an error diagnostic located inside the file, and `build` must write nothing.
//!
//! The case counts are bounded for CI; raise them with `PROPTEST_CASES=1000`.

use std::process::Command;

use proptest::prelude::*;
use topoc::source::SourceMap;
use topoc::synthetic::{Conflicts, DataKind, Options, REGION_ORDER};

fn conflicts() -> impl Strategy<Value = Conflicts> {
    proptest::sample::select(Conflicts::ALL.to_vec())
}

fn data_kind() -> impl Strategy<Value = DataKind> {
    prop_oneof![
        (conflicts(), any::<bool>()).prop_map(|(conflicts, ttl)| DataKind::Dynamodb { conflicts, ttl }),
        (any::<bool>(), any::<bool>()).prop_map(|(mysql, write_forwarding)| DataKind::Aurora {
            mysql,
            write_forwarding
        }),
        any::<bool>().prop_map(|bidirectional| DataKind::S3 { bidirectional }),
    ]
}

fn options() -> impl Strategy<Value = Options> {
    (2usize..=12)
        .prop_flat_map(|count| {
            (
                proptest::sample::subsequence(REGION_ORDER.to_vec(), count),
                0..count,
                proptest::collection::vec(10u32..=100, count),
                proptest::collection::vec(data_kind(), 1..=8),
                1usize..=4,
                0u8..3,
                any::<bool>(),
                any::<bool>(),
                0usize..=3,
            )
        })
        .prop_map(
            |(
                mut regions,
                primary,
                weights,
                data,
                services,
                routing,
                accelerator,
                recovery_control,
                resident_classes,
            )| {
                regions.rotate_left(primary);
                let total: u32 = weights.iter().sum();
                let mut traffic_thousandths: Vec<u32> = weights.iter().map(|weight| weight * 1000 / total).collect();
                traffic_thousandths[0] += 1000 - traffic_thousandths.iter().sum::<u32>();
                Options {
                    regions,
                    traffic_thousandths,
                    data,
                    services,
                    routing,
                    accelerator,
                    recovery_control,
                    resident_classes,
                }
            },
        )
}

/// Builds a spec in memory: the output tree, or the diagnostics and internal errors.
fn build(text: &str) -> Result<std::collections::BTreeMap<String, String>, String> {
    let mut source_map = SourceMap::new();
    let file = source_map.add("synth.yaml", text.to_string());
    match topoc::build(&source_map, file, "synth.yaml") {
        topoc::BuildOutcome::Built { tree, .. } => Ok(tree),
        topoc::BuildOutcome::Rejected { diagnostics } => Err(format!(
            "rejected:\n{}",
            topoc::diag::render::render(
                &diagnostics,
                &source_map,
                topoc::diag::render::MessageFormat::Short,
                false
            )
        )),
        topoc::BuildOutcome::Internal { errors, .. } => Err(format!(
            "internal errors:\n{}",
            errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
        )),
    }
}

fn topoc(arguments: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_topoc"))
        .args(arguments)
        .output()
        .expect("topoc runs")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn valid_specs_build_deterministically_and_diff_clean(options in options()) {
        let text = topoc::synthetic::render(&options);
        let first = build(&text).map_err(|problem| TestCaseError::fail(format!("{problem}\n--- spec\n{text}")))?;
        let second = build(&text).map_err(TestCaseError::fail)?;
        prop_assert!(first == second, "two builds of the same spec differ");

        let scratch = tempfile::tempdir().unwrap();
        let spec = scratch.path().join("synth.yaml");
        std::fs::write(&spec, &text).unwrap();
        let output = scratch.path().join("out");
        let built = topoc(&["build", spec.to_str().unwrap(), "-o", output.to_str().unwrap()]);
        prop_assert!(built.status.success(), "build failed: {}", String::from_utf8_lossy(&built.stderr));
        let diffed = topoc(&["diff", spec.to_str().unwrap(), "--against", output.to_str().unwrap()]);
        prop_assert_eq!(diffed.status.code(), Some(0), "diff reported changes: {}", String::from_utf8_lossy(&diffed.stdout));
        prop_assert_eq!(topoc::output::read_tree(&output).unwrap(), first);
    }
}

/// One mistake, applied to a valid spec's text. `None` when the spec has nothing the
/// mistake can apply to.
fn mutate(text: &str, options: &Options, mistake: usize) -> Option<String> {
    let second_region = options.regions[1];
    let replace_once = |from: &str, to: &str| text.contains(from).then(|| text.replacen(from, to, 1));
    match mistake {
        // Traffic shares that no longer sum to 1.
        0 => {
            let start = text.find("    traffic: ")?;
            let end = start + text[start..].find('\n')?;
            Some(format!("{}    traffic: 0.999{}", &text[..start], &text[end..]))
        }
        // Two regions with the same VPC range.
        1 => replace_once("    cidr: 10.2.0.0/16", "    cidr: 10.1.0.0/16"),
        // A region code that does not exist.
        2 => replace_once(&format!("  {second_region}:\n"), "  xx-nowhere-1:\n"),
        // A service that names a data class that does not exist.
        3 => replace_once("    data: [class-0000", "    data: [class-9999, class-0000"),
        // A required field removed.
        4 => replace_once("primary_region: ", "# primary_region: "),
        // A value of the wrong type.
        5 => replace_once("    port: 8080", "    port: http"),
        // A Fargate size that does not exist.
        6 => replace_once("    cpu: 512\n    memory: 1024", "    cpu: 512\n    memory: 333"),
        // Broken YAML.
        7 => replace_once("    data: [", "    data: [[ "),
        // An Aurora writer outside the class's regions.
        8 => {
            let outside = REGION_ORDER.iter().find(|code| !options.regions.contains(code))?;
            let start = text.find("    writer: ")?;
            let end = start + text[start..].find('\n')?;
            Some(format!("{}    writer: {outside}{}", &text[..start], &text[end..]))
        }
        // An unknown key.
        _ => replace_once("topoc: 1\n", "topoc: 1\nregoins: {}\n"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn each_mistake_is_an_error_inside_the_file_and_nothing_is_written(options in options(), mistake in 0usize..10) {
        let valid = topoc::synthetic::render(&options);
        let Some(text) = mutate(&valid, &options, mistake) else {
            return Ok(());
        };
        prop_assume!(text != valid);
        let mut source_map = SourceMap::new();
        let file = source_map.add("synth.yaml", text.clone());
        let (_, diagnostics) = topoc::check_spec(&source_map, file);
        let errors: Vec<_> = diagnostics.iter().filter(|diagnostic| diagnostic.severity == topoc::diag::Severity::Error).collect();
        prop_assert!(!errors.is_empty(), "mistake {mistake} was not reported:\n{text}");
        for error in &errors {
            let span = error.primary.expect("errors about a spec point into it");
            prop_assert!(span.start <= span.end && span.end as usize <= text.len(), "{:?} is outside the file", span);
        }

        let scratch = tempfile::tempdir().unwrap();
        let spec = scratch.path().join("synth.yaml");
        std::fs::write(&spec, &text).unwrap();
        let output = scratch.path().join("out");
        let built = topoc(&["build", spec.to_str().unwrap(), "-o", output.to_str().unwrap()]);
        prop_assert_eq!(built.status.code(), Some(1));
        prop_assert!(!output.exists(), "build wrote output for an invalid spec");
        prop_assert_eq!(std::fs::read_dir(scratch.path()).unwrap().count(), 1, "build left files next to the output");
    }
}
