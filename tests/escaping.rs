//! Spec text can never change what the output means.
//!
//! Every free-text and name field of a spec gets random text: Unicode, line breaks,
//! quotes, backslashes, `${`, `%{`, comment starters, heredoc markers, NUL, bidi
//! controls, very long runs. Each result is either a diagnostic, or a build that passes
//! every validation layer (never an internal error), whose Terraform has exactly the
//! blocks of the same spec with a plain value, and in which the text reads back intact
//! where it is shown: parsed back out of the HCL string it became, the comment lines it
//! became, or the Markdown it became (read with a CommonMark parser, not with topoc's
//! own code).

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use pulldown_cmark::{Event, Options as MarkdownOptions, Parser, Tag, TagEnd};
use topoc::source::SourceMap;

/// The spec every case starts from; `@@FIELD@@` marks where a field's text goes.
const BASE: &str = r#"
topoc: 1
name: "@@NAME@@"
description: "@@DESCRIPTION@@"
primary_region: us-east-1
domain: { zone: example.com, app: shop.example.com }
state: { bucket: shop-terraform-state, region: us-east-1, key_prefix: "@@KEY_PREFIX@@" }
tags:
  "@@TAG_KEY@@": "@@TAG_VALUE@@"
regions:
  us-east-1: { traffic: 0.5, cidr: 10.1.0.0/16, deploy_wave: 1 }
  eu-west-1: { traffic: 0.5, cidr: 10.2.0.0/16, deploy_wave: 2 }
residency:
  "@@RESIDENCY@@": [eu-west-1, us-east-1]
edge:
  accelerator: ["@@SERVICE@@"]
  health_check: { path: "@@HEALTH_PATH@@" }
services:
  "@@SERVICE@@":
    image: "@@IMAGE@@"
    port: 8080
    cpu: 512
    memory: 1024
    path: "@@PATH@@"
    peak_rps: 100
    rps_per_task: 50
    steady_utilization: 0.4
    latency_critical: true
    environment:
      "@@ENV_NAME@@": "@@ENV_VALUE@@"
    data: ["@@CLASS@@", orders, files]
data:
  "@@CLASS@@":
    store: dynamodb
    description: "@@CLASS_DESCRIPTION@@"
    residency: "@@RESIDENCY@@"
    partition_key: "@@PARTITION_KEY@@"
    sort_key: "@@SORT_KEY@@"
    ttl_attribute: "@@TTL_ATTRIBUTE@@"
    conflicts: lww
    indexes:
      "@@INDEX_NAME@@": { partition_key: "@@INDEX_KEY@@", projection: ["@@PROJECTED@@"] }
  orders:
    store: aurora
    engine: aurora-postgresql
    engine_version: "16.4"
    writer: us-east-1
    database: "@@DATABASE@@"
  files:
    store: s3
governance:
  scp_targets: [ou-abcd-12345678]
  deployment_roles: ["@@DEPLOYMENT_ROLE@@"]
  break_glass_roles: ["@@BREAK_GLASS_ROLE@@"]
  required_tags: [data-residency, "@@TAG_KEY@@"]
  attached_scps:
    ou-abcd-12345678: [FullAWSAccess, "@@ATTACHED_SCP@@"]
"#;

/// Each field with the plain value the baseline uses.
const FIELDS: &[(&str, &str)] = &[
    ("NAME", "shop"),
    ("DESCRIPTION", "A shop."),
    ("KEY_PREFIX", "topologies/shop"),
    ("TAG_KEY", "owner"),
    ("TAG_VALUE", "platform team"),
    ("RESIDENCY", "everywhere"),
    ("SERVICE", "api"),
    ("HEALTH_PATH", "/health/deep"),
    ("IMAGE", "repo/api"),
    ("PATH", "/api"),
    ("ENV_NAME", "LOG_LEVEL"),
    ("ENV_VALUE", "info"),
    ("CLASS", "carts"),
    ("CLASS_DESCRIPTION", "Shopping carts."),
    ("PARTITION_KEY", "cart_id"),
    ("SORT_KEY", "line"),
    ("TTL_ATTRIBUTE", "expires_at"),
    ("INDEX_NAME", "by-owner"),
    ("INDEX_KEY", "owner_id"),
    ("PROJECTED", "total"),
    ("DATABASE", "orders"),
    ("DEPLOYMENT_ROLE", "ShopDeployer"),
    ("BREAK_GLASS_ROLE", "BreakGlass"),
    ("ATTACHED_SCP", "ControlTowerGuardrails"),
];

/// Fields whose value names things: a value the spec accepts renames blocks, so
/// addresses are compared with it mapped back to the plain name.
const NAME_FIELDS: &[&str] = &["NAME", "RESIDENCY", "SERVICE", "CLASS"];

/// A YAML double-quoted scalar holding any text (NUL and line breaks included).
fn yaml_quoted(text: &str) -> String {
    let mut quoted = String::new();
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            ' '..='~' => quoted.push(character),
            other if u32::from(other) <= 0xFFFF => quoted.push_str(&format!("\\u{:04X}", u32::from(other))),
            other => quoted.push_str(&format!("\\U{:08X}", u32::from(other))),
        }
    }
    quoted
}

fn spec_with(field: &str, text: &str) -> String {
    let mut spec = BASE.to_string();
    for (name, plain) in FIELDS {
        let value = if *name == field { text } else { plain };
        spec = spec.replace(&format!("@@{name}@@"), &yaml_quoted(value));
    }
    spec
}

enum Outcome {
    Built(BTreeMap<String, String>),
    Rejected,
}

fn build(spec: &str) -> Outcome {
    let mut source_map = SourceMap::new();
    let file = source_map.add("shop.yaml", spec.to_string());
    match topoc::build(&source_map, file, "shop.yaml") {
        topoc::BuildOutcome::Built { tree, .. } => Outcome::Built(tree),
        topoc::BuildOutcome::Rejected { .. } => Outcome::Rejected,
        topoc::BuildOutcome::Internal { errors, .. } => panic!(
            "internal error for a spec check accepted:\n{}\n--- spec\n{spec}",
            errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
        ),
    }
}

/// Every top-level block of every `.tf` file: `path: type label label`.
fn block_addresses(tree: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut addresses = BTreeSet::new();
    for (path, text) in tree.iter().filter(|(path, _)| path.ends_with(".tf")) {
        let body = hcl::parse(text).unwrap_or_else(|error| panic!("{path} does not parse: {error}"));
        for block in body.blocks() {
            let labels: Vec<String> = block.labels().iter().map(|label| label.as_str().to_string()).collect();
            addresses.insert(format!("{path}: {} {}", block.identifier(), labels.join(" ")));
        }
        for attribute in body.attributes() {
            addresses.insert(format!("{path}: attribute {}", attribute.key()));
        }
    }
    addresses
}

/// The text a reader sees: lines without control characters, trimmed, blank lines
/// dropped.
fn shown_lines(text: &str) -> Vec<String> {
    topoc::ir::encoded::visible_lines(text)
        .into_iter()
        .map(|line| line.trim().to_string())
        .filter(|line| !line.is_empty())
        .collect()
}

/// The readable text of Markdown, read by pulldown-cmark: text and code, `<br>` and
/// hard breaks as line breaks, one line per paragraph.
fn markdown_lines(markdown: &str) -> Vec<String> {
    let mut lines = vec![String::new()];
    for event in Parser::new_ext(markdown, MarkdownOptions::ENABLE_TABLES) {
        match event {
            Event::Text(text) | Event::Code(text) => lines.last_mut().unwrap().push_str(&text),
            Event::SoftBreak => lines.last_mut().unwrap().push(' '),
            Event::HardBreak | Event::End(TagEnd::Paragraph) => lines.push(String::new()),
            Event::InlineHtml(html) if html.as_ref() == "<br>" => lines.push(String::new()),
            Event::Html(html) | Event::InlineHtml(html) => panic!("spec text became HTML: {html}"),
            Event::Start(
                Tag::Link { .. } | Tag::Image { .. } | Tag::Heading { .. } | Tag::List(_) | Tag::CodeBlock(_),
            ) => {
                panic!("spec text became markup: {markdown}")
            }
            _ => {}
        }
    }
    lines
        .into_iter()
        .map(|line| line.trim().to_string())
        .filter(|line| !line.is_empty())
        .collect()
}

/// The value of a string attribute in an HCL file, evaluated (escapes decoded).
fn hcl_strings(text: &str, attribute: &str) -> Vec<String> {
    fn walk(body: &hcl::Body, attribute: &str, found: &mut Vec<String>) {
        for item in body.attributes() {
            if item.key() == attribute {
                found.push(evaluate(item.expr()));
            }
        }
        for block in body.blocks() {
            walk(block.body(), attribute, found);
        }
    }
    let body = hcl::parse(text).unwrap();
    let mut found = Vec::new();
    walk(&body, attribute, &mut found);
    found
}

fn evaluate(expression: &hcl::Expression) -> String {
    use hcl::eval::Evaluate;
    match expression.evaluate(&hcl::eval::Context::new()) {
        Ok(hcl::Value::String(text)) => text,
        other => format!("{other:?}"),
    }
}

/// Every key and string value of the object expressions in an HCL file, evaluated.
fn hcl_object_entries(text: &str) -> Vec<(String, String)> {
    fn expression_entries(expression: &hcl::Expression, found: &mut Vec<(String, String)>) {
        match expression {
            hcl::Expression::Object(object) => {
                for (key, value) in object {
                    let key = match key {
                        hcl::ObjectKey::Identifier(identifier) => identifier.to_string(),
                        hcl::ObjectKey::Expression(expression) => evaluate(expression),
                        _ => String::new(),
                    };
                    if matches!(value, hcl::Expression::String(_) | hcl::Expression::TemplateExpr(_)) {
                        found.push((key, evaluate(value)));
                    }
                    expression_entries(value, found);
                }
            }
            hcl::Expression::Array(items) => items.iter().for_each(|item| expression_entries(item, found)),
            _ => {}
        }
    }
    fn walk(body: &hcl::Body, found: &mut Vec<(String, String)>) {
        for attribute in body.attributes() {
            expression_entries(attribute.expr(), found);
        }
        for block in body.blocks() {
            walk(block.body(), found);
        }
    }
    let mut found = Vec::new();
    walk(&hcl::parse(text).unwrap(), &mut found);
    found
}

/// The comment lines right above a line that starts with `marker`.
fn comment_above(text: &str, marker: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|line| line.starts_with(marker))
        .expect("marker line");
    let mut comments = Vec::new();
    for line in lines[..at].iter().rev() {
        match line.strip_prefix('#') {
            Some(rest) => comments.push(rest.strip_prefix(' ').unwrap_or(rest).to_string()),
            None => break,
        }
    }
    comments.reverse();
    comments
}

/// Checks that `text`, put in `field`, reads back where the output shows it.
fn assert_shown(field: &str, text: &str, tree: &BTreeMap<String, String>) {
    match field {
        "DESCRIPTION" => {
            let readme = &tree["README.md"];
            let start = readme.find("CI runs `topoc diff`").unwrap();
            let start = start + readme[start..].find('\n').unwrap();
            let end = readme.find("## Apply order").unwrap();
            assert_eq!(
                markdown_lines(&readme[start..end]),
                shown_lines(text),
                "README description"
            );
        }
        "CLASS_DESCRIPTION" => {
            let comment = comment_above(&tree["data/dynamodb.tf"], "# Conflict model:");
            let expected: Vec<String> = {
                let lines = topoc::ir::encoded::visible_lines(text);
                let first = lines.iter().position(|line| !line.trim().is_empty());
                let last = lines.iter().rposition(|line| !line.trim().is_empty());
                match (first, last) {
                    (Some(first), Some(last)) => lines[first..=last].to_vec(),
                    _ => Vec::new(),
                }
            };
            assert_eq!(comment, expected, "comment above the table");
            let readme = &tree["README.md"];
            let row = readme
                .lines()
                .find(|line| line.starts_with("| `carts` | dynamodb"))
                .expect("data row");
            let table = format!("| a | b | c | d | e | f |\n|---|---|---|---|---|---|\n{row}\n");
            let cells = table_cells(&table);
            assert_eq!(cells.last().unwrap().clone(), shown_lines(text), "README data table");
        }
        "TAG_VALUE" | "TAG_KEY" => {
            let entries = hcl_object_entries(&tree["regions/providers.tf"]);
            let (key, value) = if field == "TAG_KEY" {
                (text, "platform team")
            } else {
                ("owner", text)
            };
            assert!(
                entries
                    .iter()
                    .any(|(found_key, found_value)| found_key == key && found_value == value),
                "default tag {key:?} = {value:?} not found in {entries:?}"
            );
        }
        "ENV_VALUE" | "ENV_NAME" => {
            let entries = hcl_object_entries(&tree["regions/main.tf"]);
            let (key, value) = if field == "ENV_NAME" {
                (text, "info")
            } else {
                ("LOG_LEVEL", text)
            };
            assert!(
                entries
                    .iter()
                    .any(|(found_key, found_value)| found_key == key && found_value == value)
            );
        }
        "PARTITION_KEY" | "SORT_KEY" | "TTL_ATTRIBUTE" | "INDEX_KEY" => {
            let names = hcl_strings(&tree["data/dynamodb.tf"], "name");
            let attributes = hcl_strings(&tree["data/dynamodb.tf"], "attribute_name");
            let keys = [
                hcl_strings(&tree["data/dynamodb.tf"], "hash_key"),
                hcl_strings(&tree["data/dynamodb.tf"], "range_key"),
            ]
            .concat();
            assert!(
                names.iter().chain(&attributes).chain(&keys).any(|found| found == text),
                "attribute {text:?} not found"
            );
        }
        "ATTACHED_SCP" => {
            let review = &tree["review/scp-review.md"];
            let row = review
                .lines()
                .find(|line| line.starts_with("| `ou-abcd-12345678` |"))
                .expect("target row");
            let table = format!("| a | b | c | d |\n|---|---|---|---|\n{row}\n");
            let shown = table_cells(&table)[1].join(" ");
            assert!(
                shown.contains(&shown_lines(text).join(" ")),
                "{shown:?} does not show {text:?}"
            );
        }
        _ => {}
    }
}

/// The cells of a one-row Markdown table, each as its readable lines.
fn table_cells(table: &str) -> Vec<Vec<String>> {
    let mut cells = Vec::new();
    let mut current: Option<String> = None;
    let mut in_body = false;
    for event in Parser::new_ext(table, MarkdownOptions::ENABLE_TABLES) {
        match event {
            Event::End(TagEnd::TableHead) => in_body = true,
            Event::Start(Tag::TableCell) if in_body => current = Some(String::new()),
            Event::End(TagEnd::TableCell) if in_body => {
                let cell = current.take().unwrap();
                cells.push(
                    cell.split('\n')
                        .map(|line| line.trim().to_string())
                        .filter(|line| !line.is_empty())
                        .collect(),
                );
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(cell) = current.as_mut() {
                    cell.push_str(&text);
                }
            }
            Event::InlineHtml(html) if html.as_ref() == "<br>" => {
                if let Some(cell) = current.as_mut() {
                    cell.push('\n');
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => panic!("spec text became HTML: {html}"),
            _ => {}
        }
    }
    cells
}

fn baseline() -> &'static (BTreeMap<String, String>, BTreeSet<String>) {
    static BASELINE: std::sync::OnceLock<(BTreeMap<String, String>, BTreeSet<String>)> = std::sync::OnceLock::new();
    BASELINE.get_or_init(|| match build(&spec_with("", "")) {
        Outcome::Built(tree) => {
            let addresses = block_addresses(&tree);
            (tree, addresses)
        }
        Outcome::Rejected => panic!("the baseline spec is rejected"),
    })
}

fn check_field(field: &str, text: &str) -> Result<(), TestCaseError> {
    let spec = spec_with(field, text);
    let Outcome::Built(tree) = build(&spec) else {
        return Ok(());
    };
    let (baseline_tree, baseline_addresses) = baseline();
    let mut addresses = block_addresses(&tree);
    let mut files: BTreeSet<String> = tree.keys().cloned().collect();
    if NAME_FIELDS.contains(&field) {
        let plain = FIELDS.iter().find(|(name, _)| *name == field).unwrap().1;
        let rename = |value: &str| {
            value
                .replace(&text.replace('-', "_"), &plain.replace('-', "_"))
                .replace(text, plain)
        };
        addresses = addresses.iter().map(|address| rename(address)).collect();
        files = files.iter().map(|path| rename(path)).collect();
    }
    prop_assert_eq!(
        &files,
        &baseline_tree.keys().cloned().collect::<BTreeSet<_>>(),
        "files differ for {} = {:?}",
        field,
        text
    );
    prop_assert_eq!(
        &addresses,
        baseline_addresses,
        "blocks differ for {} = {:?}",
        field,
        text
    );
    assert_shown(field, text, &tree);
    Ok(())
}

fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => any::<char>().prop_map(String::from),
        2 => "[a-zA-Z0-9 _.:/=+-]{1,12}",
        4 => proptest::sample::select(vec![
            "\n", "\r\n", "\r", "\t", "\"", "\\", "${", "%{", "$${", "}", "{", "#", "//", "/*", "*/",
            "EOF", "<<EOF", "<<-EOT\n", "\0", "\u{7}", "\u{202e}", "\u{2028}", "\u{85}", "`", "```", "|",
            "<br>", "<script>", "&amp;", "[x](y)", "# ", "- ", "1. ", "> ", "*", "_", "~~", "$x$", "aws:",
            "resource \"aws_iam_user\" \"evil\" {}", "Österreich", "🚀", "\u{301}", " ",
        ])
        .prop_map(String::from),
    ];
    prop_oneof![
        9 => proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat()),
        1 => (proptest::sample::select(vec!["a", "é", "\n", "${"]), 100usize..3000).prop_map(|(piece, count)| piece.repeat(count)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn spec_text_never_changes_the_blocks_and_reads_back(field in proptest::sample::select(FIELDS.iter().map(|(name, _)| *name).collect::<Vec<_>>()), text in hostile_text()) {
        check_field(field, &text)?;
    }
}

/// The examples from the issue, and each token alone, in every field.
#[test]
fn known_injections_change_nothing() {
    let injections = [
        "Idempotency keys.\nresource \"aws_iam_user\" \"evil\" {\n  name = \"x\"\n}\n",
        "first line\nsecond line\n",
        "${file(\"/etc/passwd\")} %{ for x in y }",
        "x\" }\nresource \"aws_iam_user\" \"evil\" {",
        "*/ /* // # <<EOF\nEOF",
        "\u{0}\u{7}\u{202e}\u{2066}",
        "| cell | ![img](x) <script>alert(1)</script> [link](https://example.com)",
        "Zahlungs-Plattform Österreich",
        "",
    ];
    for (field, _) in FIELDS {
        for text in injections {
            check_field(field, text).unwrap_or_else(|error| panic!("{field} = {text:?}: {error}"));
        }
    }
}
