//! Comparing generated output with committed golden files, and blessing them.
//!
//! Comparison is a product feature (`topoc diff`) as well as the test harness: the
//! same code reports changed, missing and extra files with unified diffs. Blessing
//! rewrites goldens on request and is refused when the `CI` variable is set.

use std::collections::BTreeMap;

use similar::TextDiff;

/// How one file of a tree compares with its golden.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileChange {
    /// Both exist and differ; the unified diff from golden to generated.
    Changed(String),
    /// The golden has the file, the generated tree does not.
    Missing(String),
    /// The generated tree has a file the golden lacks.
    Extra(String),
}

/// Compares two trees given as path → contents maps; returns only differing files,
/// in path order. Text is compared byte for byte after turning `\r\n` into `\n`.
pub fn compare_trees(
    golden: &BTreeMap<String, String>,
    generated: &BTreeMap<String, String>,
) -> BTreeMap<String, FileChange> {
    let mut changes = BTreeMap::new();
    let paths: std::collections::BTreeSet<&String> = golden.keys().chain(generated.keys()).collect();
    for path in paths {
        let change = match (golden.get(path), generated.get(path)) {
            (Some(expected), Some(actual)) => {
                let expected = expected.replace("\r\n", "\n");
                if &expected == actual {
                    continue;
                }
                FileChange::Changed(unified_diff(
                    &expected,
                    actual,
                    &format!("a/{path}"),
                    &format!("b/{path}"),
                ))
            }
            (Some(expected), None) => {
                FileChange::Missing(unified_diff(expected, "", &format!("a/{path}"), "/dev/null"))
            }
            (None, Some(actual)) => FileChange::Extra(unified_diff("", actual, "/dev/null", &format!("b/{path}"))),
            (None, None) => unreachable!("path comes from one of the trees"),
        };
        changes.insert(path.clone(), change);
    }
    changes
}

/// A unified diff with three lines of context, `git diff` style headers.
pub fn unified_diff(expected: &str, actual: &str, expected_name: &str, actual_name: &str) -> String {
    TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header(expected_name, actual_name)
        .to_string()
}

/// One line per differing file, then every diff.
pub fn report(changes: &BTreeMap<String, FileChange>) -> String {
    let mut summary = String::new();
    let mut diffs = String::new();
    for (path, change) in changes {
        let (word, diff) = match change {
            FileChange::Changed(diff) => ("changed", diff),
            FileChange::Missing(diff) => ("removed", diff),
            FileChange::Extra(diff) => ("added", diff),
        };
        summary.push_str(&format!("{word:>8}: {path}\n"));
        diffs.push_str(diff);
    }
    format!("{summary}\n{diffs}")
}

/// Whether this process runs in CI, where goldens must never be rewritten. Follows
/// the insta convention: `CI` set to anything but empty, `0` or `false`.
pub fn is_ci(ci_variable: Option<&str>) -> bool {
    ci_variable.is_some_and(|value| !value.is_empty() && value != "0" && !value.eq_ignore_ascii_case("false"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files
            .iter()
            .map(|(path, text)| (path.to_string(), text.to_string()))
            .collect()
    }

    #[test]
    fn changed_missing_and_extra_files_are_all_reported() {
        let golden = tree(&[("a.tf", "x = 1\n"), ("b.tf", "y = 1\n"), ("same.tf", "z\n")]);
        let generated = tree(&[("a.tf", "x = 2\n"), ("c.tf", "w\n"), ("same.tf", "z\n")]);
        let changes = compare_trees(&golden, &generated);
        assert_eq!(changes.keys().collect::<Vec<_>>(), ["a.tf", "b.tf", "c.tf"]);
        assert!(matches!(&changes["a.tf"], FileChange::Changed(diff) if diff.contains("-x = 1\n+x = 2\n")));
        assert!(matches!(&changes["b.tf"], FileChange::Missing(diff) if diff.contains("+++ /dev/null")));
        assert!(matches!(&changes["c.tf"], FileChange::Extra(diff) if diff.contains("--- /dev/null")));
    }

    #[test]
    fn ci_detection_follows_the_usual_convention() {
        assert!(is_ci(Some("true")));
        assert!(is_ci(Some("1")));
        assert!(!is_ci(Some("")));
        assert!(!is_ci(Some("false")));
        assert!(!is_ci(None));
    }
}
