//! Every input the fuzzer was seeded with (`fuzz/seeds/`: the examples, the bad specs
//! and hand-written hostile YAML) and every input it found a problem with
//! (`fuzz/regressions/`) goes through the same path as the fuzz target — decode, then
//! load, check, lower and derive policies — without a panic, and within a time and
//! memory budget (the hostile seeds include alias bombs, deep nesting and huge maps).

use std::time::{Duration, Instant};

use topoc::source::SourceMap;

fn inputs(directory: &str) -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(directory);
    let mut paths: Vec<_> = match std::fs::read_dir(&root) {
        Ok(entries) => entries
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    paths.sort();
    paths
}

/// What the fuzz target does with one input.
fn run(bytes: &[u8]) -> usize {
    match topoc::spec::decode(bytes) {
        Ok(text) => {
            let mut source_map = SourceMap::new();
            let file = source_map.add("fuzz.yaml", text);
            let analysis = topoc::analyze(&source_map, file, "fuzz.yaml");
            analysis.diagnostics.len()
        }
        Err(_) => 0,
    }
}

#[test]
fn seeds_and_regressions_run_without_panicking_and_in_bounded_time() {
    let seeds = inputs("fuzz/seeds");
    assert!(seeds.len() >= 40, "the seed corpus is missing ({} files)", seeds.len());
    for path in seeds.iter().chain(inputs("fuzz/regressions").iter()) {
        let bytes = std::fs::read(path).unwrap();
        let start = Instant::now();
        let outcome = std::panic::catch_unwind(|| run(&bytes));
        let elapsed = start.elapsed();
        assert!(outcome.is_ok(), "{} panicked", path.display());
        // Generous for debug builds on a busy 2-core machine; the fuzzer's own limit is
        // 10 seconds in release builds.
        assert!(elapsed < Duration::from_secs(20), "{} took {elapsed:?}", path.display());
    }
}
