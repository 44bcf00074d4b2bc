//! What several test files share: an example spec compiled and rendered, as `build`
//! would write it, without touching the disk.

use topoc::render::{InternalError, Rendered};
use topoc::source::SourceMap;

/// The rendered output of `examples/<example>.yaml` (the spec must compile).
// Each test binary compiles this module; the corpus test renders only its own specs.
#[allow(dead_code)]
pub fn rendered(example: &str) -> Rendered {
    rendered_spec(example_text(example))
}

/// The text of `examples/<example>.yaml`.
pub fn example_text(example: &str) -> String {
    std::fs::read_to_string(format!("{}/examples/{example}.yaml", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The rendered output of a spec's text (it must compile).
pub fn rendered_spec(text: String) -> Rendered {
    let mut source_map = SourceMap::new();
    let file = source_map.add("spec.yaml", text);
    let analysis = topoc::analyze(&source_map, file, "spec.yaml");
    topoc::generate(analysis.compiled.expect("compiled"), "spec.yaml")
        .unwrap()
        .rendered
}

/// `from` replaced by `to` at its `occurrence`-th (from 1) place in `file`, keeping the
/// line count (so the errors point at the mutated line); the validator's errors for the
/// result.
// Each test binary compiles this module; not every one mutates output.
#[allow(dead_code)]
pub fn mutated(mut rendered: Rendered, file: &str, from: &str, to: &str, occurrence: usize) -> Vec<InternalError> {
    let target = rendered.files.get_mut(file).unwrap_or_else(|| panic!("no file {file}"));
    let offset = target
        .text
        .match_indices(from)
        .nth(occurrence - 1)
        .unwrap_or_else(|| panic!("{file} has no occurrence {occurrence} of {from:?}"))
        .0;
    let lines = target.text.lines().count();
    target.text = format!("{}{to}{}", &target.text[..offset], &target.text[offset + from.len()..]);
    assert_eq!(target.text.lines().count(), lines, "mutations keep the line count");
    topoc::validate::validate(&rendered)
}

/// The topology of `examples/<example>.yaml` as loaded (the spec must load).
#[allow(dead_code)]
pub fn topology(example: &str) -> topoc::spec::Topology {
    let text = example_text(example);
    let mut source_map = SourceMap::new();
    let file = source_map.add("spec.yaml", text);
    topoc::spec::load(&source_map, file)
        .0
        .topology
        .expect("the example loads")
}
