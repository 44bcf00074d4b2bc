//! Fuzzes the spec front end the way the CLI drives it: raw bytes are decoded to
//! text, and only text that decodes is loaded, schema-validated, checked and, when it
//! has no errors, lowered to IR with its policies generated (`topoc::analyze`).
//!
//! Any panic, hang or runaway allocation is a finding: `spec::load` promises never to
//! panic on any text, and the YAML loader bounds nodes and depth.

#![no_main]

use libfuzzer_sys::fuzz_target;
use topoc::source::SourceMap;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = topoc::spec::decode(bytes) else {
        return;
    };
    let mut source_map = SourceMap::new();
    let file = source_map.add("spec.yaml", text);
    let analysis = topoc::analyze(&source_map, file, "spec.yaml");
    drop(analysis);
});
