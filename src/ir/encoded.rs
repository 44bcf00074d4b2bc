//! Text already encoded for one output format, the only kind of string a template may
//! print.
//!
//! The template environment's formatter (`render::templates`) refuses to print a
//! string: a value reaches a file only as a number or as an [`Encoded`] of the
//! template's own format, which only the context filters (`hcl`, `hcl_ident`,
//! `hcl_comment`, `md_text`, `md_cell`, `md_code`, `json_text`, `xml_text`, ...) and the
//! [`Markdown`](super::markdown::Markdown) type produce. A template that forgets to
//! encode a spec value fails to render (an internal error) instead of writing it raw.

use std::fmt;
use std::sync::Arc;

use minijinja::value::{Object, ObjectRepr};

/// The format of a template's output, from its file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// `*.tf.j2`: Terraform.
    Hcl,
    /// `*.md.j2`: Markdown documents.
    Markdown,
    /// `*.json.j2`: JSON documents.
    Json,
    /// `*.svg.j2`: SVG pictures (XML).
    Svg,
}

impl OutputFormat {
    /// The format of a template, by its name's extension; `None` for a name without one
    /// of the four (`tests/tidy.rs` requires every template to have one).
    pub fn of_template(name: &str) -> Option<OutputFormat> {
        if name.ends_with(".tf.j2") {
            Some(OutputFormat::Hcl)
        } else if name.ends_with(".md.j2") {
            Some(OutputFormat::Markdown)
        } else if name.ends_with(".json.j2") {
            Some(OutputFormat::Json)
        } else if name.ends_with(".svg.j2") {
            Some(OutputFormat::Svg)
        } else {
            None
        }
    }
}

/// Text encoded for one format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    pub format: OutputFormat,
    pub text: String,
}

impl Encoded {
    pub fn new(format: OutputFormat, text: String) -> Encoded {
        Encoded { format, text }
    }

    /// As a template value.
    pub fn value(format: OutputFormat, text: String) -> minijinja::Value {
        minijinja::Value::from_object(Encoded::new(format, text))
    }
}

impl Object for Encoded {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.text.is_empty()
    }

    fn render(self: &Arc<Self>, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

/// Text as XML character data or an attribute value: the five predefined entities
/// escaped, line breaks as spaces, control and bidirectional characters dropped.
pub fn xml_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            character if is_line_break(character) || character == '\t' => escaped.push(' '),
            // Not XML 1.0 characters.
            '\u{FFFE}' | '\u{FFFF}' => {}
            character if is_invisible_control(character) => {}
            other => escaped.push(other),
        }
    }
    escaped
}

/// Characters that end a line for a reader, not only `\n`.
fn is_line_break(character: char) -> bool {
    matches!(character, '\n' | '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}')
}

/// Bidirectional-text controls: they reorder what a reader sees without changing the
/// text ("Trojan Source"), so generated files never carry them unescaped.
pub fn is_bidi_control(character: char) -> bool {
    matches!(
        character,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters dropped from shown text: control characters and bidirectional controls.
pub fn is_invisible_control(character: char) -> bool {
    (character.is_control() && !is_line_break(character)) || is_bidi_control(character)
}

/// The lines of a text as a reader sees them: split at every line break (`\r\n` is
/// one), tabs as spaces, other control characters removed, trailing whitespace
/// trimmed. Leading whitespace stays; Markdown encoders trim it, where it would start a
/// code block.
pub fn visible_lines(text: &str) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        if is_line_break(character) {
            if character == '\r' && characters.peek() == Some(&'\n') {
                characters.next();
            }
            lines.push(String::new());
        } else if character == '\t' {
            lines.last_mut().expect("starts with one line").push(' ');
        } else if !is_invisible_control(character) {
            lines.last_mut().expect("starts with one line").push(character);
        }
    }
    lines.iter().map(|line| line.trim_end().to_string()).collect()
}
