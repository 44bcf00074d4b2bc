//! The canonical HCL formatter: re-indents, re-spaces and aligns HCL exactly as
//! `terraform fmt` (hclwrite's `Format`) does, so generated files need no second pass.
//!
//! It is a port of hclwrite's three rules for the token shapes topoc emits:
//! indentation from the net bracket count of each line (two spaces per level),
//! spacing between tokens (`spaceAfterToken`), and alignment of `=` across runs of
//! consecutive single-line attributes. Quoted strings are kept as opaque tokens;
//! heredocs and multi-line comments are rejected because topoc never emits them.
//! On top of `terraform fmt`, it collapses runs of blank lines into one and drops
//! blank lines that open or close a block, which `fmt` leaves alone.

use std::fmt;
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Newline,
    Comment,
    Ident,
    Number,
    String,
    OpenBrace,
    CloseBrace,
    OpenBracket,
    CloseBracket,
    OpenParen,
    CloseParen,
    Equal,
    Comma,
    Dot,
    Colon,
    Question,
    FatArrow,
    Ellipsis,
    Minus,
    Bang,
    Operator,
}

#[derive(Clone, Debug)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
}

impl Token<'_> {
    fn bracket_change(&self) -> i32 {
        match self.kind {
            Kind::OpenBrace | Kind::OpenBracket | Kind::OpenParen => 1,
            Kind::CloseBrace | Kind::CloseBracket | Kind::CloseParen => -1,
            _ => 0,
        }
    }
}

/// A formatting failure: input the formatter does not understand. For topoc this is
/// always a bug in a template, reported with its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "line {}: {}", self.line, self.message)
    }
}

/// Formats HCL text into its canonical form, ending with exactly one newline.
///
/// Lines are ranges of one token vector and formatted lines ranges of one text
/// buffer: the formatter runs over every generated file twice (rendering, then the
/// canonical-form check), so it allocates per file, not per line.
pub fn format_hcl(text: &str) -> Result<String, FormatError> {
    let tokens = tokenize(text)?;
    let mut lines: Vec<Range<usize>> = Vec::new();
    let mut line_start = 0;
    for (index, token) in tokens.iter().enumerate() {
        if token.kind == Kind::Newline {
            lines.push(line_start..index);
            line_start = index + 1;
        }
    }
    lines.push(line_start..tokens.len());
    let lines = tidy_blank_lines(&tokens, lines);

    let mut indents: Vec<i32> = Vec::new();
    let mut buffer = String::with_capacity(text.len() + text.len() / 2);
    let mut formatted: Vec<FormattedLine> = Vec::with_capacity(lines.len());
    for line in &lines {
        let line = &tokens[line.clone()];
        if line.is_empty() {
            formatted.push(FormattedLine {
                text: buffer.len()..buffer.len(),
                ..FormattedLine::default()
            });
            continue;
        }
        let net: i32 = line.iter().map(Token::bracket_change).sum();
        if net < 0 {
            let mut closed = -net;
            while closed > 0 {
                let Some(last) = indents.last_mut() else { break };
                if closed >= *last {
                    closed -= *last;
                    indents.pop();
                } else {
                    *last -= closed;
                    closed = 0;
                }
            }
        }
        let indent = indents.len();
        if net > 0 {
            indents.push(net);
        }
        formatted.push(format_line(line, indent * 2, &mut buffer));
    }
    align_assignments(&mut formatted);

    let mut output = String::with_capacity(buffer.len() + formatted.len() * 2);
    for line in &formatted {
        let line_text = &buffer[line.text.clone()];
        if let Some(assign_at) = line.assign_at {
            output.push_str(&line_text[..assign_at]);
            output.extend(std::iter::repeat_n(' ', line.assign_padding));
            output.push_str(line_text[assign_at..].trim_start());
        } else {
            output.push_str(line_text);
        }
        output.push('\n');
    }
    while output.ends_with("\n\n") {
        output.pop();
    }
    if output.trim().is_empty() {
        return Ok(String::new());
    }
    Ok(output)
}

fn bracket_sum(tokens: &[Token<'_>]) -> i32 {
    tokens.iter().map(Token::bracket_change).sum()
}

/// Collapses runs of blank lines, and drops blank lines at the start and end of the
/// file and right after an opening or before a closing bracket line.
fn tidy_blank_lines(tokens: &[Token<'_>], lines: Vec<Range<usize>>) -> Vec<Range<usize>> {
    let mut kept: Vec<Range<usize>> = Vec::with_capacity(lines.len());
    for line in lines {
        if line.is_empty() {
            let previous_opens = kept
                .last()
                .is_none_or(|previous| previous.is_empty() || bracket_sum(&tokens[previous.clone()]) > 0);
            if previous_opens {
                continue;
            }
        } else if bracket_sum(&tokens[line.clone()]) < 0 && tokens[line.start].bracket_change() < 0 {
            while kept.last().is_some_and(Range::is_empty) {
                kept.pop();
            }
        }
        kept.push(line);
    }
    while kept.last().is_some_and(Range::is_empty) {
        kept.pop();
    }
    kept
}

#[derive(Default)]
struct FormattedLine {
    /// The line's text in the shared buffer.
    text: Range<usize>,
    /// Byte offset in the line of the space before the aligned `=`, when the line is a
    /// single-line attribute.
    assign_at: Option<usize>,
    /// Columns (characters) before the `=`, including indentation.
    lead_columns: usize,
    assign_padding: usize,
}

fn format_line(tokens: &[Token<'_>], indent: usize, buffer: &mut String) -> FormattedLine {
    let start = buffer.len();
    buffer.extend(std::iter::repeat_n(' ', indent));
    let mut assign_at = None;
    let mut lead_columns = 0;
    // hclwrite moves the first `=` (not at the start) into the alignment cell only if
    // the rest of the line is a whole expression: its brackets balance.
    let assign_index = tokens
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, token)| token.kind == Kind::Equal)
        .and_then(|(index, _)| (bracket_sum(&tokens[index..]) == 0).then_some(index));
    for (index, token) in tokens.iter().enumerate() {
        if index > 0 {
            let before = if index >= 2 { Some(&tokens[index - 2]) } else { None };
            if Some(index) == assign_index {
                lead_columns = buffer[start..].chars().count();
                assign_at = Some(buffer.len() - start);
                buffer.push(' ');
            } else if space_after(&tokens[index - 1], before, Some(token)) {
                buffer.push(' ');
            }
        }
        buffer.push_str(token.text);
    }
    FormattedLine {
        text: start..buffer.len(),
        assign_at,
        lead_columns,
        assign_padding: 1,
    }
}

fn align_assignments(lines: &mut [FormattedLine]) {
    let mut chain_start: Option<usize> = None;
    let mut widest = 0;
    let close_chain = |lines: &mut [FormattedLine], start: usize, end: usize, widest: usize| {
        for line in &mut lines[start..end] {
            line.assign_padding = widest - line.lead_columns + 1;
        }
    };
    for index in 0..lines.len() {
        if lines[index].assign_at.is_some() {
            if chain_start.is_none() {
                chain_start = Some(index);
                widest = 0;
            }
            widest = widest.max(lines[index].lead_columns);
        } else if let Some(start) = chain_start.take() {
            close_chain(lines, start, index, widest);
        }
    }
    if let Some(start) = chain_start {
        let end = lines.len();
        close_chain(lines, start, end, widest);
    }
}

/// hclwrite's `spaceAfterToken`, for the token kinds topoc emits.
fn space_after(subject: &Token<'_>, before: Option<&Token<'_>>, after: Option<&Token<'_>>) -> bool {
    let Some(after) = after else { return false };
    match (subject.kind, after.kind) {
        (_, Kind::Newline) => false,
        (Kind::Ident, Kind::OpenParen) => false,
        (Kind::Dot, _) | (_, Kind::Dot) => false,
        (_, Kind::Comma) | (_, Kind::Ellipsis) => false,
        (Kind::Comma, _) => true,
        (Kind::Ident, _) if subject.text == "in" && before.is_some_and(|token| token.kind == Kind::Ident) => true,
        (Kind::Ident | Kind::Number, Kind::OpenBracket) => false,
        (_, Kind::OpenBracket) if subject.bracket_change() < 0 => false,
        (Kind::Minus, _) => !matches!(
            before.map(|token| token.kind),
            None | Some(
                Kind::Newline
                    | Kind::OpenBrace
                    | Kind::OpenBracket
                    | Kind::OpenParen
                    | Kind::Comma
                    | Kind::Equal
                    | Kind::Colon
                    | Kind::Question
                    | Kind::FatArrow
                    | Kind::Operator
                    | Kind::Minus
                    | Kind::Bang
            )
        ),
        (Kind::Bang, _) => false,
        (Kind::OpenBrace, Kind::CloseBrace) => false,
        (Kind::OpenBrace, _) | (_, Kind::CloseBrace) => true,
        _ if subject.bracket_change() > 0 => false,
        _ if after.bracket_change() < 0 => false,
        _ => true,
    }
}

fn tokenize(text: &str) -> Result<Vec<Token<'_>>, FormatError> {
    let bytes = text.as_bytes();
    // About one token per four bytes of Terraform; growing from empty cost a fifth of
    // the formatter's time on large files.
    let mut tokens = Vec::with_capacity(text.len() / 4);
    let mut position = 0;
    let mut line = 1;
    let error = |line: usize, message: &str| FormatError {
        line,
        message: message.to_string(),
    };
    while position < bytes.len() {
        let byte = bytes[position];
        let start = position;
        let kind = match byte {
            b'\n' => {
                position += 1;
                line += 1;
                Kind::Newline
            }
            b' ' | b'\t' | b'\r' => {
                position += 1;
                continue;
            }
            b'#' => {
                while position < bytes.len() && bytes[position] != b'\n' {
                    position += 1;
                }
                tokens.push(Token {
                    kind: Kind::Comment,
                    text: text[start..position].trim_end(),
                });
                continue;
            }
            b'/' if bytes.get(position + 1) == Some(&b'/') => {
                while position < bytes.len() && bytes[position] != b'\n' {
                    position += 1;
                }
                tokens.push(Token {
                    kind: Kind::Comment,
                    text: text[start..position].trim_end(),
                });
                continue;
            }
            b'/' if bytes.get(position + 1) == Some(&b'*') => {
                return Err(error(line, "block comments are not supported"));
            }
            b'<' if bytes.get(position + 1) == Some(&b'<') => return Err(error(line, "heredocs are not supported")),
            b'"' => {
                position = scan_string(bytes, position).ok_or_else(|| error(line, "unterminated string"))?;
                Kind::String
            }
            b'{' => {
                position += 1;
                Kind::OpenBrace
            }
            b'}' => {
                position += 1;
                Kind::CloseBrace
            }
            b'[' => {
                position += 1;
                Kind::OpenBracket
            }
            b']' => {
                position += 1;
                Kind::CloseBracket
            }
            b'(' => {
                position += 1;
                Kind::OpenParen
            }
            b')' => {
                position += 1;
                Kind::CloseParen
            }
            b',' => {
                position += 1;
                Kind::Comma
            }
            b':' => {
                position += 1;
                Kind::Colon
            }
            b'?' => {
                position += 1;
                Kind::Question
            }
            b'.' if bytes.get(position + 1) == Some(&b'.') && bytes.get(position + 2) == Some(&b'.') => {
                position += 3;
                Kind::Ellipsis
            }
            b'.' => {
                position += 1;
                Kind::Dot
            }
            b'=' if bytes.get(position + 1) == Some(&b'>') => {
                position += 2;
                Kind::FatArrow
            }
            b'=' if bytes.get(position + 1) == Some(&b'=') => {
                position += 2;
                Kind::Operator
            }
            b'=' => {
                position += 1;
                Kind::Equal
            }
            b'!' if bytes.get(position + 1) == Some(&b'=') => {
                position += 2;
                Kind::Operator
            }
            b'!' => {
                position += 1;
                Kind::Bang
            }
            b'-' => {
                position += 1;
                Kind::Minus
            }
            b'<' | b'>' => {
                position += if bytes.get(position + 1) == Some(&b'=') { 2 } else { 1 };
                Kind::Operator
            }
            b'&' | b'|' if bytes.get(position + 1) == Some(&byte) => {
                position += 2;
                Kind::Operator
            }
            b'+' | b'*' | b'/' | b'%' => {
                position += 1;
                Kind::Operator
            }
            b'0'..=b'9' => {
                while position < bytes.len() && (bytes[position].is_ascii_alphanumeric() || bytes[position] == b'.') {
                    // `1.5` is a number; `1.foo` cannot occur in generated output.
                    position += 1;
                }
                Kind::Number
            }
            byte if byte.is_ascii_alphabetic() || byte == b'_' => {
                while position < bytes.len()
                    && (bytes[position].is_ascii_alphanumeric() || bytes[position] == b'_' || bytes[position] == b'-')
                {
                    position += 1;
                }
                Kind::Ident
            }
            _ => {
                return Err(error(
                    line,
                    &format!(
                        "unexpected character `{}`",
                        text[position..].chars().next().unwrap_or(' ')
                    ),
                ));
            }
        };
        tokens.push(Token {
            kind,
            text: &text[start..position],
        });
    }
    Ok(tokens)
}

/// Scans a quoted string starting at `start` (the opening quote), skipping escapes and
/// nested `${ ... }` interpolations, and returns the position after the closing quote.
fn scan_string(bytes: &[u8], start: usize) -> Option<usize> {
    let mut position = start + 1;
    let mut interpolation_depth = 0usize;
    while position < bytes.len() {
        match bytes[position] {
            b'\n' if interpolation_depth == 0 => return None,
            b'\\' => position += 2,
            b'$' | b'%' if bytes.get(position + 1) == Some(&b'{') => {
                if bytes.get(position.wrapping_sub(1)) == Some(&bytes[position]) && interpolation_depth == 0 {
                    // `$${` and `%%{` are escapes for a literal `${` / `%{`.
                    position += 2;
                } else {
                    interpolation_depth += 1;
                    position += 2;
                }
            }
            b'{' if interpolation_depth > 0 => {
                interpolation_depth += 1;
                position += 1;
            }
            b'}' if interpolation_depth > 0 => {
                interpolation_depth -= 1;
                position += 1;
            }
            b'"' if interpolation_depth > 0 => {
                position = scan_string(bytes, position)?;
            }
            b'"' => return Some(position + 1),
            _ => position += 1,
        }
    }
    None
}

/// Whether `text` is already in canonical form.
pub fn is_canonical(text: &str) -> Result<bool, FormatError> {
    Ok(format_hcl(text)? == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_equals_in_runs_and_indents_blocks() {
        let input = "resource \"aws_s3_bucket\" \"b\" {\nbucket = \"x\"\nforce_destroy=true\ntags = {\na = 1\nbbb = \"2\"\n}\n}\n";
        let expected = "resource \"aws_s3_bucket\" \"b\" {\n  bucket        = \"x\"\n  force_destroy = true\n  tags = {\n    a   = 1\n    bbb = \"2\"\n  }\n}\n";
        assert_eq!(format_hcl(input).unwrap(), expected);
    }

    #[test]
    fn spacing_follows_hclwrite() {
        let input = "x = [ \"a\" , \"b\" ]\ny = { a = 1 }\nz = {}\nw = foo( a , b )\nv = a.b[ 0 ].c\nu = [for k, v in m : k => v]\nt = -1\ns = a - 1\nr = m[*].id\n";
        let expected = "x = [\"a\", \"b\"]\ny = { a = 1 }\nz = {}\nw = foo(a, b)\nv = a.b[0].c\nu = [for k, v in m : k => v]\nt = -1\ns = a - 1\nr = m[*].id\n";
        assert_eq!(format_hcl(input).unwrap(), expected);
    }

    #[test]
    fn multi_line_values_break_alignment_runs() {
        let input = "a = 1\nlong_name = 2\nc = [\n\"x\",\n]\nd = 3\nee = 4\n";
        let expected = "a         = 1\nlong_name = 2\nc = [\n  \"x\",\n]\nd  = 3\nee = 4\n";
        assert_eq!(format_hcl(input).unwrap(), expected);
    }

    #[test]
    fn blank_lines_are_tidied_and_comments_indented() {
        let input = "\n\nblock {\n\n#checkov:skip=CKV_AWS_1:reason\n\n\nx = 1\n\n}\n\n\n";
        let expected = "block {\n  #checkov:skip=CKV_AWS_1:reason\n\n  x = 1\n}\n";
        assert_eq!(format_hcl(input).unwrap(), expected);
    }

    #[test]
    fn strings_with_interpolation_and_escapes_are_opaque() {
        let input = "a = \"${var.x}-{y}\"\nbb = \"say \\\"hi\\\" $${literal}\"\n";
        let expected = "a  = \"${var.x}-{y}\"\nbb = \"say \\\"hi\\\" $${literal}\"\n";
        assert_eq!(format_hcl(input).unwrap(), expected);
    }

    #[test]
    fn formatting_is_idempotent() {
        let input = "module \"m\" {\nsource = \"../x\"\nproviders = {\naws = aws.us_east_1\n}\nlist = [\n{\nname = \"a\"\nvalue = jsonencode({\nVersion = \"2012-10-17\"\n})\n},\n]\n}\n";
        let once = format_hcl(input).unwrap();
        assert_eq!(format_hcl(&once).unwrap(), once);
    }
}
