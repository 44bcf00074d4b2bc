//! Markdown that topoc writes: the encoders for text from the spec, and [`Markdown`],
//! the type of prose built in Rust for the review documents.
//!
//! A value from the spec reaches a document only through one of the encoders here: as
//! a paragraph ([`paragraph`]), a table cell ([`cell`]) or a code span ([`code_span`]).
//! Each escapes every character that could start Markdown or HTML markup, so a name or
//! a description can never add a heading, a link, a table row or a raw HTML block, and
//! what a reader sees is the text the spec holds. Prose written in Rust is a
//! [`Markdown`] value, built with the [`md!`](crate::md) macro, whose placeholders take
//! only other `Markdown` values: a spec string must be encoded before it can be part
//! of one.

use std::fmt::{self, Display, Write as _};

use serde::Serialize;

use super::encoded::{Encoded, OutputFormat};

/// [`visible_lines`](super::encoded::visible_lines), each also trimmed at the start:
/// in Markdown, indentation would start a code block.
fn visible_lines(text: &str) -> Vec<String> {
    super::encoded::visible_lines(text)
        .into_iter()
        .map(|line| line.trim_start().to_string())
        .collect()
}

/// Whether an `&` at the start of `rest` would begin an HTML entity or numeric
/// character reference (`&amp;`, `&#39;`), which Markdown would decode.
fn starts_entity(rest: &str) -> bool {
    let body = rest.strip_prefix('#').unwrap_or(rest);
    let length = body.chars().take_while(char::is_ascii_alphanumeric).count();
    length > 0 && body[length..].starts_with(';')
}

/// Escapes one line of inline text: every character that could open inline markup is
/// backslash-escaped (CommonMark lets any ASCII punctuation be escaped), and a line
/// that would start a block (a heading, a list item, a thematic break or a setext
/// underline) has its first marker escaped.
fn escape_line(line: &str, output: &mut String) {
    let mut characters = line.chars();
    let first = characters.next();
    let second = characters.next();
    let ends_marker = |next: Option<char>| next.is_none_or(char::is_whitespace);
    let only = |marker: char| line.chars().all(|character| character == marker || character == ' ');
    let block_start = match first {
        Some('#') => true,
        Some('-' | '+') => ends_marker(second) || only(first.unwrap_or(' ')),
        Some('=') => only('='),
        _ => false,
    };
    if block_start {
        output.push('\\');
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    let ordered_marker = (1..=9).contains(&digits)
        && matches!(line[digits..].chars().next(), Some('.' | ')'))
        && ends_marker(line[digits + 1..].chars().next());
    for (index, character) in line.char_indices() {
        match character {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '$' => output.push('\\'),
            '&' if starts_entity(&line[index + 1..]) => output.push('\\'),
            '.' | ')' if ordered_marker && index == digits => output.push('\\'),
            _ => {}
        }
        output.push(character);
    }
}

/// A paragraph of text from the spec. Its lines stay lines (a backslash hard break
/// ends each), blank lines separate paragraphs, and nothing in it is markup.
pub fn paragraph(text: &str) -> String {
    let mut output = String::with_capacity(text.len() + 8);
    let lines = visible_lines(text);
    let mut pending_break = false;
    let mut pending_paragraph = false;
    for line in &lines {
        if line.is_empty() {
            pending_paragraph = pending_break || pending_paragraph;
            pending_break = false;
            continue;
        }
        if pending_paragraph {
            output.push_str("\n\n");
        } else if pending_break {
            output.push_str("\\\n");
        }
        escape_line(line, &mut output);
        pending_break = true;
        pending_paragraph = false;
    }
    output
}

/// Text from the spec inside a table cell: one line, each line break an HTML `<br>`,
/// and `|` escaped so the text cannot end the cell.
pub fn cell(text: &str) -> String {
    let mut output = String::with_capacity(text.len() + 8);
    for line in visible_lines(text).iter().filter(|line| !line.is_empty()) {
        if !output.is_empty() {
            output.push_str("<br>");
        }
        escape_line(line, &mut output);
    }
    output
}

/// A code span holding the text literally (line breaks become spaces). Inside a table
/// GitHub splits cells at `|` even in a code span, so text with `|` is written as an
/// escaped cell instead: it reads the same in a table and in a paragraph.
pub fn code_span(text: &str) -> String {
    let content: String = visible_lines(text)
        .into_iter()
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if content.is_empty() || content.contains('|') {
        return cell(&content);
    }
    let mut longest_run = 0;
    let mut run = 0;
    for character in content.chars() {
        run = if character == '`' { run + 1 } else { 0 };
        longest_run = longest_run.max(run);
    }
    let fence = "`".repeat(longest_run + 1);
    let padded = content.starts_with('`') || content.ends_with('`');
    if padded {
        format!("{fence} {content} {fence}")
    } else {
        format!("{fence}{content}{fence}")
    }
}

/// Any text as one line of a fenced code block (a comment, say): line breaks become
/// spaces and control characters are dropped, so it cannot end the line or the block.
pub fn code_line(text: &str) -> String {
    visible_lines(text).join(" ").trim().to_string()
}

/// One word of a shell command in a fenced code block: bare when it holds only
/// characters no shell interprets, else in single quotes. Line breaks and control
/// characters are dropped, so the word can neither end the line nor the code block.
pub fn shell_word(text: &str) -> String {
    let word: String = visible_lines(text).join(" ");
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || "_./:=@%+,-".contains(character));
    if plain {
        word
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// An SQL identifier in a fenced code block: bare when it is a lower-case word (which
/// PostgreSQL and MySQL read as written), else double-quoted with `"` doubled.
pub fn sql_identifier(text: &str) -> String {
    let word: String = visible_lines(text).join(" ");
    let mut characters = word.chars();
    let plain = characters
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && characters.all(|character| character.is_ascii_lowercase() || character.is_ascii_digit() || character == '_');
    if plain {
        word
    } else {
        format!("\"{}\"", word.replace('"', "\"\""))
    }
}

/// Markdown written by topoc: literal text from its own code, with every value from
/// the spec encoded. Build it with [`md!`](crate::md) or the constructors; in a
/// template it prints as is, and only in a Markdown template.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Markdown(String);

impl Markdown {
    /// Markdown from topoc's own source text. It takes only `'static` text, which a
    /// value read from a spec is not.
    pub fn literal(text: &'static str) -> Markdown {
        Markdown(text.to_string())
    }

    /// Spec text shown as plain inline text (one line; line breaks become spaces).
    pub fn text(text: &str) -> Markdown {
        let line = visible_lines(text)
            .into_iter()
            .filter(|line| !line.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let mut output = String::with_capacity(line.len());
        escape_line(&line, &mut output);
        Markdown(output)
    }

    /// Spec text shown literally, as a code span.
    pub fn code(text: &str) -> Markdown {
        Markdown(code_span(text))
    }

    /// A number, written with `Display`.
    pub fn number(number: impl Number) -> Markdown {
        Markdown(number.to_string())
    }

    /// Items joined by a separator from topoc's source.
    pub fn join(items: impl IntoIterator<Item = Markdown>, separator: &'static str) -> Markdown {
        let mut output = String::new();
        for (index, item) in items.into_iter().enumerate() {
            if index > 0 {
                output.push_str(separator);
            }
            output.push_str(&item.0);
        }
        Markdown(output)
    }

    /// Code spans of every item, joined by a separator.
    pub fn codes<S: AsRef<str>>(items: impl IntoIterator<Item = S>, separator: &'static str) -> Markdown {
        Markdown::join(items.into_iter().map(|item| Markdown::code(item.as_ref())), separator)
    }

    /// Appends more Markdown.
    pub fn push(&mut self, more: &Markdown) {
        self.0.push_str(&more.0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The result of [`md!`](crate::md): its format string is a literal of topoc's
    /// source and its arguments are `Markdown` values.
    #[doc(hidden)]
    pub fn from_format(arguments: fmt::Arguments<'_>) -> Markdown {
        let mut output = String::new();
        output.write_fmt(arguments).expect("writing to a String cannot fail");
        Markdown(output)
    }

    /// What [`md!`](crate::md) passes to `format_args!`: only `Markdown` type-checks.
    #[doc(hidden)]
    pub fn argument(markdown: &Markdown) -> &Markdown {
        markdown
    }
}

impl Display for Markdown {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl Serialize for Markdown {
    /// Into a template view, as text encoded for Markdown (see [`Encoded`]); elsewhere
    /// as a string.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        minijinja::Value::from_object(Encoded::new(OutputFormat::Markdown, self.0.clone())).serialize(serializer)
    }
}

/// Numbers, which carry no markup.
pub trait Number: Display + Copy {}
impl Number for u32 {}
impl Number for u64 {}
impl Number for usize {}
impl Number for i64 {}
impl Number for f64 {}

/// Whether a format string has only `{}` placeholders: `md!` refuses named ones, which
/// would capture a variable of any type, a spec string included.
#[doc(hidden)]
pub const fn has_only_positional_placeholders(format: &str) -> bool {
    let bytes = format.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'{' {
            if index + 1 < bytes.len() && bytes[index + 1] == b'{' {
                index += 2;
                continue;
            }
            if index + 1 >= bytes.len() || bytes[index + 1] != b'}' {
                return false;
            }
        }
        index += 1;
    }
    true
}

/// Builds [`Markdown`] from a literal format string with
/// `{}` placeholders, each filled by a `Markdown` value: `md!("denies {} in {}",
/// Markdown::code(action), regions)`. A `String` argument does not compile.
#[macro_export]
macro_rules! md {
    ($format:literal $(, $argument:expr)* $(,)?) => {{
        const _: () = assert!(
            $crate::ir::markdown::has_only_positional_placeholders($format),
            "md! takes `{{}}` placeholders only"
        );
        $crate::ir::markdown::Markdown::from_format(format_args!(
            $format $(, $crate::ir::markdown::Markdown::argument(&$argument))*
        ))
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_escape_markup_and_keep_lines() {
        assert_eq!(paragraph("plain words"), "plain words");
        assert_eq!(
            paragraph("a *b* _c_ [d](e) <f> `g`"),
            "a \\*b\\* \\_c\\_ \\[d\\](e) \\<f\\> \\`g\\`"
        );
        assert_eq!(
            paragraph("# heading\n- item\n1. one\n2) two"),
            "\\# heading\\\n\\- item\\\n1\\. one\\\n2\\) two"
        );
        assert_eq!(
            paragraph("-5 degrees, 0.6 of 1.5\n---\n==="),
            "-5 degrees, 0.6 of 1.5\\\n\\---\\\n\\==="
        );
        assert_eq!(paragraph("one\n\n\ntwo\r\nthree"), "one\n\ntwo\\\nthree");
        assert_eq!(paragraph("R&D &amp; more &#39;"), "R&D \\&amp; more \\&#39;");
        assert_eq!(paragraph("  indented\tcode?\t\u{7}\u{202e}"), "indented code?");
        assert_eq!(paragraph("a | b"), "a \\| b");
    }

    #[test]
    fn cells_stay_on_one_line() {
        assert_eq!(cell("a\nb | c"), "a<br>b \\| c");
        assert_eq!(cell("\n\n"), "");
    }

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code_span("eu-west-1"), "`eu-west-1`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x`"), "`` `x` ``");
        assert_eq!(code_span("a|b"), "a\\|b");
        assert_eq!(code_span("two\nlines"), "`two lines`");
    }

    #[test]
    fn shell_words_and_sql_identifiers_are_quoted_when_needed() {
        assert_eq!(shell_word("us-east-1"), "us-east-1");
        assert_eq!(shell_word("a b'c\n```"), "'a b'\\''c ```'");
        assert_eq!(sql_identifier("payments_api"), "payments_api");
        assert_eq!(sql_identifier("ledger-x"), "\"ledger-x\"");
        assert_eq!(sql_identifier("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn the_macro_takes_markdown_only() {
        let name = Markdown::code("ledger");
        let text = md!("the {} class has {} regions", name, Markdown::number(2_u32));
        assert_eq!(text.as_str(), "the `ledger` class has 2 regions");
        assert!(has_only_positional_placeholders("a {} b {{literal}}"));
        assert!(!has_only_positional_placeholders("a {name}"));
        assert!(!has_only_positional_placeholders("a {0}"));
    }
}
