//! `topoc build` never loses a file: a build killed at any moment leaves the previous
//! tree or the new one, whole; files topoc did not create are never deleted without
//! `--force` (and are kept with it); a read-only folder or a failing write is a clear
//! error that leaves the previous tree as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use topoc::source::SourceMap;

fn topoc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_topoc"))
}

fn build_in_memory(text: &str, spec_file: &str) -> BTreeMap<String, String> {
    let mut source_map = SourceMap::new();
    let file = source_map.add(spec_file, text.to_string());
    match topoc::build(&source_map, file, spec_file) {
        topoc::BuildOutcome::Built { tree, .. } => tree,
        _ => panic!("{spec_file} does not build"),
    }
}

fn example(name: &str) -> PathBuf {
    PathBuf::from(format!("{}/examples/{name}.yaml", env!("CARGO_MANIFEST_DIR")))
}

fn build(spec: &Path, output: &Path, extra: &[&str]) -> Output {
    topoc()
        .arg("build")
        .arg(spec)
        .arg("-o")
        .arg(output)
        .args(extra)
        .output()
        .expect("topoc runs")
}

/// Names in `directory` other than `keep`.
fn siblings(directory: &Path, keep: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != keep)
        .collect();
    names.sort();
    names
}

#[test]
fn a_killed_build_leaves_the_old_tree_or_the_new_tree_whole() {
    let scratch = tempfile::tempdir().unwrap();
    let output = scratch.path().join("out");
    // The previous tree: helios-pay. The new one: a larger synthetic topology, so the
    // build runs long enough to be killed in every phase, writing included.
    let old_tree = build_in_memory(
        &std::fs::read_to_string(example("helios-pay")).unwrap(),
        "helios-pay.yaml",
    );
    let synthetic = scratch.path().join("synthetic.yaml");
    let synthetic_text = topoc::synthetic::spec(4, 60);
    std::fs::write(&synthetic, &synthetic_text).unwrap();
    let new_tree = build_in_memory(&synthetic_text, "synthetic.yaml");

    let reset = || {
        let built = build(&example("helios-pay"), &output, &["--force"]);
        assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
        assert_eq!(topoc::output::read_tree(&output).unwrap(), old_tree);
    };
    reset();
    let start = Instant::now();
    assert!(build(&synthetic, &output, &[]).status.success());
    let duration = start.elapsed();
    assert_eq!(topoc::output::read_tree(&output).unwrap(), new_tree);

    let (mut saw_old, mut saw_new) = (0, 0);
    for step in 0..=24u32 {
        reset();
        let mut child = topoc()
            .arg("build")
            .arg(&synthetic)
            .arg("-o")
            .arg(&output)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(duration.mul_f64(f64::from(step) / 20.0));
        let _ = child.kill(); // SIGKILL: no cleanup code runs.
        let _ = child.wait();
        let tree = topoc::output::read_tree(&output).unwrap();
        if tree == old_tree {
            saw_old += 1;
        } else if tree == new_tree {
            saw_new += 1;
        } else {
            let missing = old_tree.keys().filter(|path| !tree.contains_key(*path)).count();
            panic!(
                "kill at step {step} left a mixed tree ({} files, {missing} of the old tree missing)",
                tree.len()
            );
        }
    }
    assert!(
        saw_old > 0 && saw_new > 0,
        "kills should land both before and after the swap (old {saw_old}, new {saw_new})"
    );

    // The next build cleans up what the killed ones left beside the output.
    reset();
    assert_eq!(siblings(scratch.path(), "out"), ["synthetic.yaml"]);
}

#[test]
fn files_topoc_did_not_create_are_never_deleted_silently() {
    let scratch = tempfile::tempdir().unwrap();
    let output = scratch.path().join("out");
    assert!(build(&example("helios-pay"), &output, &[]).status.success());
    std::fs::write(output.join("NOTES.md"), "hand-written notes\n").unwrap();
    std::fs::create_dir_all(output.join("regions/local")).unwrap();
    std::fs::write(output.join("regions/local/override.tf"), "# mine\n").unwrap();
    let before = topoc::output::read_tree(&output).unwrap();

    let refused = build(&example("global-consumer"), &output, &[]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("NOTES.md") && stderr.contains("regions/local/override.tf") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(
        topoc::output::read_tree(&output).unwrap(),
        before,
        "a refused build changed the folder"
    );

    let forced = build(&example("global-consumer"), &output, &["--force"]);
    assert!(forced.status.success(), "{}", String::from_utf8_lossy(&forced.stderr));
    assert!(String::from_utf8_lossy(&forced.stdout).contains("kept 2 files"));
    let after = topoc::output::read_tree(&output).unwrap();
    assert_eq!(after["NOTES.md"], "hand-written notes\n");
    assert_eq!(after["regions/local/override.tf"], "# mine\n");
    assert!(
        after["README.md"].starts_with("# pulse"),
        "the new tree was not written"
    );
    // Files of the previous build that the new one does not produce are gone.
    let gone: Vec<&String> = before.keys().filter(|path| !after.contains_key(*path)).collect();
    let new_tree = build_in_memory(
        &std::fs::read_to_string(example("global-consumer")).unwrap(),
        "global-consumer.yaml",
    );
    let expected_gone: Vec<&String> = before
        .keys()
        .filter(|path| !path.starts_with("NOTES") && !path.starts_with("regions/local"))
        .filter(|path| !new_tree.contains_key(*path))
        .collect();
    assert!(
        !expected_gone.is_empty(),
        "the two examples should differ in their files"
    );
    assert_eq!(gone, expected_gone);
}

/// Makes a directory read-only for everyone, root included: permission bits for other
/// users, the immutable attribute for root (whom permission bits do not stop). Undone
/// on drop so the temporary directory can be removed.
struct ReadOnly(PathBuf);

impl ReadOnly {
    fn new(directory: &Path) -> ReadOnly {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(directory, std::fs::Permissions::from_mode(0o555)).unwrap();
        let guard = ReadOnly(directory.to_path_buf());
        if std::fs::write(directory.join("probe"), "").is_ok() {
            let _ = std::fs::remove_file(directory.join("probe"));
            let status = Command::new("chattr").arg("+i").arg(directory).status();
            assert!(
                status.is_ok_and(|status| status.success()),
                "cannot make a directory read-only here: permission bits do not stop this user and `chattr +i` failed"
            );
            assert!(
                std::fs::write(directory.join("probe"), "").is_err(),
                "the directory is still writable"
            );
        }
        guard
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        let _ = Command::new("chattr")
            .arg("-i")
            .arg(&self.0)
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn a_read_only_folder_is_a_clear_error_and_changes_nothing() {
    let scratch = tempfile::tempdir().unwrap();
    let parent = scratch.path().join("parent");
    std::fs::create_dir(&parent).unwrap();
    let output = parent.join("out");
    assert!(build(&example("helios-pay"), &output, &[]).status.success());
    let before = topoc::output::read_tree(&output).unwrap();
    {
        let _read_only = ReadOnly::new(&parent);
        let failed = build(&example("global-consumer"), &output, &["--force"]);
        assert_eq!(failed.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert!(stderr.starts_with("error: ") && stderr.contains("parent"), "{stderr}");
        assert!(
            stderr.contains("ermission denied") || stderr.contains("not permitted"),
            "{stderr}"
        );
    }
    assert_eq!(topoc::output::read_tree(&output).unwrap(), before);
    assert_eq!(siblings(&parent, "out"), Vec::<String>::new());
}

#[test]
fn a_write_that_fails_midway_is_a_clear_error_and_changes_nothing() {
    // A file-size limit makes the write of the first large file fail (EFBIG) partway
    // through the tree, as a full disk would (ENOSPC); the signal the limit raises is
    // ignored so the write returns the error to topoc.
    let scratch = tempfile::tempdir().unwrap();
    let output = scratch.path().join("out");
    assert!(build(&example("helios-pay"), &output, &[]).status.success());
    let before = topoc::output::read_tree(&output).unwrap();
    let failed = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 8; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_topoc"))
        .arg("build")
        .arg(example("global-consumer"))
        .arg("-o")
        .arg(&output)
        .arg("--force")
        .output()
        .unwrap();
    assert_eq!(
        failed.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&failed.stderr)
    );
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.starts_with("error: ") && stderr.contains("too large"),
        "{stderr}"
    );
    assert_eq!(topoc::output::read_tree(&output).unwrap(), before);
    assert_eq!(
        siblings(scratch.path(), "out"),
        Vec::<String>::new(),
        "the temporary tree was left behind"
    );
}

#[test]
fn cleanup_removes_only_the_trees_of_builds_that_are_gone() {
    // A sibling named for a live process (this test) survives a build; one named for a
    // process that does not exist is removed.
    let scratch = tempfile::tempdir().unwrap();
    let output = scratch.path().join("out");
    let alive = scratch.path().join(format!("out.topoc-tmp-{}", std::process::id()));
    std::fs::create_dir(&alive).unwrap();
    let dead = scratch.path().join("out.topoc-tmp-999999999");
    std::fs::create_dir(&dead).unwrap();
    assert!(build(&example("helios-pay"), &output, &[]).status.success());
    assert!(alive.exists(), "the tree of a running build was removed");
    assert!(!dead.exists(), "the tree of a finished build was left");
}

#[test]
fn an_unchanged_tree_is_left_alone_and_an_edited_one_is_rewritten() {
    let scratch = tempfile::tempdir().unwrap();
    let output = scratch.path().join("out");
    let stdout = |result: &Output| String::from_utf8_lossy(&result.stdout).into_owned();
    let first = build(&example("helios-pay"), &output, &[]);
    assert!(
        first.status.success() && stdout(&first).starts_with("wrote "),
        "{}",
        stdout(&first)
    );
    let tree = topoc::output::read_tree(&output).unwrap();

    // Rebuilding the same spec touches nothing: not even modification times.
    let table_file = output.join("data/dynamodb.tf");
    let long_ago = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .write(true)
        .open(&table_file)
        .unwrap()
        .set_modified(long_ago)
        .unwrap();
    let again = build(&example("helios-pay"), &output, &[]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(stdout(&again).contains("is up to date"), "{}", stdout(&again));
    assert_eq!(std::fs::metadata(&table_file).unwrap().modified().unwrap(), long_ago);
    assert_eq!(topoc::output::read_tree(&output).unwrap(), tree);

    // A hand edit to a generated file, or a deleted one, is undone by the next build;
    // the files that did not change keep their modification times.
    std::fs::write(&table_file, "edited by hand\n").unwrap();
    std::fs::remove_file(output.join("global/outputs.tf")).unwrap();
    let repaired = build(&example("helios-pay"), &output, &[]);
    assert!(stdout(&repaired).starts_with("wrote "), "{}", stdout(&repaired));
    assert_eq!(topoc::output::read_tree(&output).unwrap(), tree);
    let untouched = output.join("replication/s3.tf");
    std::fs::File::options()
        .write(true)
        .open(&untouched)
        .unwrap()
        .set_modified(long_ago)
        .unwrap();
    std::fs::write(&table_file, "edited by hand again\n").unwrap();
    let repaired = build(&example("helios-pay"), &output, &[]);
    assert!(stdout(&repaired).starts_with("wrote "), "{}", stdout(&repaired));
    assert_eq!(topoc::output::read_tree(&output).unwrap(), tree);
    assert_eq!(std::fs::metadata(&untouched).unwrap().modified().unwrap(), long_ago);
    assert_ne!(std::fs::metadata(&table_file).unwrap().modified().unwrap(), long_ago);
    assert_eq!(siblings(scratch.path(), "out"), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn a_generated_file_replaced_by_a_link_is_written_again_as_a_file() {
    let scratch = tempfile::tempdir().unwrap();
    let output = scratch.path().join("out");
    assert!(build(&example("helios-pay"), &output, &[]).status.success());
    // Same bytes, but through a symbolic link to a file outside the tree.
    let table_file = output.join("data/dynamodb.tf");
    let elsewhere = scratch.path().join("dynamodb.tf");
    std::fs::copy(&table_file, &elsewhere).unwrap();
    std::fs::remove_file(&table_file).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &table_file).unwrap();
    let rebuilt = build(&example("helios-pay"), &output, &[]);
    assert!(String::from_utf8_lossy(&rebuilt.stdout).starts_with("wrote "));
    assert!(std::fs::symlink_metadata(&table_file).unwrap().file_type().is_file());
    assert_eq!(std::fs::read(&table_file).unwrap(), std::fs::read(&elsewhere).unwrap());
}
