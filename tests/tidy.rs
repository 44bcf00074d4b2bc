//! House rules that the compiler does not enforce: every source file opens with a
//! `//!` module doc, and no source file mentions the build machine's paths.

use std::path::{Path, PathBuf};

fn rust_files(directory: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn every_source_file_starts_with_a_module_doc() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for directory in ["src", "tests", "benches"] {
        if root.join(directory).is_dir() {
            rust_files(&root.join(directory), &mut files);
        }
    }
    let undocumented: Vec<_> = files
        .iter()
        .filter(|path| !std::fs::read_to_string(path).unwrap().starts_with("//!"))
        .map(|path| path.strip_prefix(root).unwrap().display().to_string())
        .collect();
    assert!(
        undocumented.is_empty(),
        "files without a leading `//!` doc: {undocumented:?}"
    );
}

#[test]
fn every_template_file_is_registered_and_every_registered_template_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut on_disk = Vec::new();
    let mut pending = vec![root.clone()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                on_disk.push(path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    on_disk.sort();
    let registered: Vec<String> = topoc::render::templates::TEMPLATES
        .iter()
        .map(|(name, _)| name.to_string())
        .collect();
    assert_eq!(registered, on_disk);
}
