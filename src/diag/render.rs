//! Renders diagnostics as text for people (`human`), one line each for grep and CI
//! (`short`), a JSON document (`json`) and SARIF 2.1.0 (`sarif`).
//!
//! This is the only module that knows about codespan-reporting; the JSON and SARIF
//! shapes are our own serde structs so they do not change when the renderer does.
//! Rendering produces strings; the caller decides where they go.

use codespan_reporting::diagnostic as codespan;
use codespan_reporting::term;
use serde::Serialize;

use super::{Code, Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// The `--message-format` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageFormat {
    /// Source snippets with labels and hints, for people at a terminal.
    Human,
    /// `file:line:col: severity[CODE]: message`, with an indented `= help:` line.
    Short,
    /// One JSON document with every diagnostic and a summary.
    Json,
    /// SARIF 2.1.0, for code-scanning annotations in pull requests.
    Sarif,
}

pub fn render(diagnostics: &[Diagnostic], source_map: &SourceMap, format: MessageFormat, color: bool) -> String {
    match format {
        MessageFormat::Human => render_human(diagnostics, source_map, color),
        MessageFormat::Short => render_short(diagnostics, source_map),
        MessageFormat::Json => render_json(diagnostics, source_map),
        MessageFormat::Sarif => render_sarif(diagnostics, source_map),
    }
}

/// The final line of human and short output: counts of errors and warnings.
pub fn summary_line(diagnostics: &[Diagnostic]) -> Option<String> {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let plural = |count: usize, word: &str| {
        if count == 1 {
            format!("1 {word}")
        } else {
            format!("{count} {word}s")
        }
    };
    match (errors, warnings) {
        (0, 0) => None,
        (0, warnings) => Some(format!("{} emitted", plural(warnings, "warning"))),
        (errors, 0) => Some(format!("{} emitted", plural(errors, "error"))),
        (errors, warnings) => Some(format!(
            "{} and {} emitted",
            plural(errors, "error"),
            plural(warnings, "warning")
        )),
    }
}

fn render_human(diagnostics: &[Diagnostic], source_map: &SourceMap, color: bool) -> String {
    let config = term::Config::default();
    let mut output = Vec::new();
    for diagnostic in diagnostics {
        let codespan_diagnostic = to_codespan(diagnostic);
        let result = if color {
            let styles = term::Styles::default();
            let mut buffer = term::termcolor::Buffer::ansi();
            let mut writer = term::StylesWriter::new(&mut buffer, &styles);
            let result = term::emit_to_write_style(&mut writer, &config, source_map, &codespan_diagnostic);
            output.extend_from_slice(buffer.as_slice());
            result
        } else {
            term::emit_to_io_write(&mut output, &config, source_map, &codespan_diagnostic)
        };
        if result.is_err() {
            // A span outside its file is a bug in the producing phase; fall back to the
            // one-line form rather than losing the diagnostic.
            output.extend_from_slice(render_short(std::slice::from_ref(diagnostic), source_map).as_bytes());
        }
    }
    String::from_utf8(output).unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
}

fn to_codespan(diagnostic: &Diagnostic) -> codespan::Diagnostic<crate::source::FileId> {
    let severity = match diagnostic.severity {
        Severity::Error => codespan::Severity::Error,
        Severity::Warning => codespan::Severity::Warning,
    };
    let mut labels = Vec::new();
    if let Some(span) = diagnostic.primary {
        labels.push(codespan::Label::primary(span.file, span.range()));
    }
    for label in &diagnostic.secondary {
        labels.push(codespan::Label::secondary(label.span.file, label.span.range()).with_message(&label.message));
    }
    let mut notes = Vec::new();
    if let Some(hint) = &diagnostic.hint {
        notes.push(format!("help: {hint}"));
    }
    codespan::Diagnostic::new(severity)
        .with_code(diagnostic.code.id())
        .with_message(&diagnostic.message)
        .with_labels(labels)
        .with_notes(notes)
}

fn location_prefix(span: Option<Span>, source_map: &SourceMap) -> String {
    match span {
        Some(span) => {
            let (line, column) = source_map.start_line_column(span);
            format!("{}:{line}:{column}: ", source_map.file(span.file).name)
        }
        None => String::new(),
    }
}

fn render_short(diagnostics: &[Diagnostic], source_map: &SourceMap) -> String {
    let mut output = String::new();
    for diagnostic in diagnostics {
        output.push_str(&location_prefix(diagnostic.primary, source_map));
        output.push_str(&format!(
            "{}[{}]: {}\n",
            diagnostic.severity.as_str(),
            diagnostic.code.id(),
            diagnostic.message
        ));
        if let Some(hint) = &diagnostic.hint {
            output.push_str(&format!("  = help: {hint}\n"));
        }
    }
    output
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    byte_start: u32,
    byte_end: u32,
}

fn json_location(span: Span, source_map: &SourceMap) -> JsonLocation<'_> {
    let (line, column) = source_map.start_line_column(span);
    let (end_line, end_column) = source_map.end_line_column(span);
    JsonLocation {
        file: &source_map.file(span.file).name,
        line,
        column,
        end_line,
        end_column,
        byte_start: span.start,
        byte_end: span.end,
    }
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    location: JsonLocation<'a>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    slug: &'static str,
    severity: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<JsonLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    labels: Vec<JsonLabel<'a>>,
}

#[derive(Serialize)]
struct JsonSummary {
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct JsonDocument<'a> {
    format_version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: JsonSummary,
}

fn render_json(diagnostics: &[Diagnostic], source_map: &SourceMap) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let document = JsonDocument {
        format_version: 1,
        diagnostics: diagnostics
            .iter()
            .map(|diagnostic| JsonDiagnostic {
                code: diagnostic.code.id(),
                slug: diagnostic.code.slug(),
                severity: diagnostic.severity.as_str(),
                message: &diagnostic.message,
                hint: diagnostic.hint.as_deref(),
                location: diagnostic.primary.map(|span| json_location(span, source_map)),
                labels: diagnostic
                    .secondary
                    .iter()
                    .map(|label| JsonLabel {
                        message: &label.message,
                        location: json_location(label.span, source_map),
                    })
                    .collect(),
            })
            .collect(),
        summary: JsonSummary {
            errors,
            warnings: diagnostics.len() - errors,
        },
    };
    let mut text = serde_json::to_string_pretty(&document).expect("diagnostics serialize");
    text.push('\n');
    text
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifText<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRuleConfiguration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule {
    id: &'static str,
    name: &'static str,
    short_description: SarifText<'static>,
    full_description: SarifText<'static>,
    help: SarifText<'static>,
    default_configuration: SarifRuleConfiguration,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifDriver {
    name: &'static str,
    version: &'static str,
    rules: Vec<SarifRule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifTool {
    driver: SarifDriver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRegion {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifPhysicalLocation {
    artifact_location: SarifArtifactLocation,
    region: SarifRegion,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    physical_location: SarifPhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<SarifText<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: SarifMessage,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifMessage {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRun<'a> {
    tool: SarifTool,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct SarifLog<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<SarifRun<'a>>,
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn sarif_location<'a>(span: Span, source_map: &SourceMap, message: Option<&'a str>) -> SarifLocation<'a> {
    let (start_line, start_column) = source_map.start_line_column(span);
    let (end_line, end_column) = source_map.end_line_column(span);
    SarifLocation {
        physical_location: SarifPhysicalLocation {
            artifact_location: SarifArtifactLocation {
                uri: source_map.file(span.file).name.replace('\\', "/"),
            },
            region: SarifRegion {
                start_line,
                start_column,
                end_line,
                end_column,
            },
        },
        message: message.map(|text| SarifText { text }),
    }
}

fn render_sarif(diagnostics: &[Diagnostic], source_map: &SourceMap) -> String {
    let rules = Code::ALL
        .iter()
        .map(|code| SarifRule {
            id: code.id(),
            name: code.slug(),
            short_description: SarifText { text: code.summary() },
            full_description: SarifText {
                text: code.explanation(),
            },
            help: SarifText {
                text: code.explanation(),
            },
            default_configuration: SarifRuleConfiguration {
                level: sarif_level(code.default_severity()),
            },
        })
        .collect();
    let results = diagnostics
        .iter()
        .map(|diagnostic| {
            let mut text = diagnostic.message.clone();
            if let Some(hint) = &diagnostic.hint {
                text.push_str("\nhelp: ");
                text.push_str(hint);
            }
            SarifResult {
                rule_id: diagnostic.code.id(),
                rule_index: Code::ALL
                    .iter()
                    .position(|code| *code == diagnostic.code)
                    .expect("every code is in Code::ALL"),
                level: sarif_level(diagnostic.severity),
                message: SarifMessage { text },
                locations: diagnostic
                    .primary
                    .map(|span| sarif_location(span, source_map, None))
                    .into_iter()
                    .collect(),
                related_locations: diagnostic
                    .secondary
                    .iter()
                    .map(|label| sarif_location(label.span, source_map, Some(&label.message)))
                    .collect(),
            }
        })
        .collect();
    let log = SarifLog {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![SarifRun {
            tool: SarifTool {
                driver: SarifDriver {
                    name: "topoc",
                    version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).expect("sarif serializes");
    text.push('\n');
    text
}
