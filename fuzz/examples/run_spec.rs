//! Runs the fuzz target's code path on files without libFuzzer or instrumentation, and
//! prints how long each took: `cargo run --release --example run_spec -- FILE...`.
//! Use it to tell a real slowdown from instrumentation overhead (timeouts found by the
//! fuzzer are measured in an instrumented, sanitized build).

use std::time::Instant;

use topoc::source::SourceMap;

fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
        let started = Instant::now();
        let outcome = match topoc::spec::decode(&bytes) {
            Err(message) => format!("not decoded: {message}"),
            Ok(text) => {
                let mut source_map = SourceMap::new();
                let file = source_map.add("spec.yaml", text);
                let analysis = topoc::analyze(&source_map, file, "spec.yaml");
                format!(
                    "{} diagnostics, {}",
                    analysis.diagnostics.len(),
                    if analysis.compiled.is_some() { "compiled" } else { "not compiled" }
                )
            }
        };
        println!("{path}: {:.3} s, {} bytes, {outcome}", started.elapsed().as_secs_f64(), bytes.len());
    }
}
