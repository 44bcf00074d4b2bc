//! What several test files share: an example spec compiled and rendered, as `build`
//! would write it, without touching the disk.

use topoc::render::Rendered;
use topoc::source::SourceMap;

/// The rendered output of `examples/<example>.yaml` (the spec must compile).
pub fn rendered(example: &str) -> Rendered {
    let text = std::fs::read_to_string(format!("{}/examples/{example}.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut source_map = SourceMap::new();
    let file = source_map.add("spec.yaml", text);
    let analysis = topoc::analyze(&source_map, file, "spec.yaml");
    topoc::generate(analysis.compiled.expect("compiled"), "spec.yaml")
        .unwrap()
        .rendered
}
