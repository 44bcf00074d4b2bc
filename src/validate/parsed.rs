//! Rendered files parsed with spans (hcl-edit, the parser behind hcl-rs) one top-level
//! segment at a time, with helpers to turn byte offsets into lines and to read simple
//! expressions.

use std::ops::Range;

use hcl::edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl::edit::structure::{Block, BlockLabel, Body};

use crate::render::{InternalError, RenderedBlock};

/// Turns byte offsets of one rendered `.tf` file into lines, and lines into the region
/// the IR assigned to the block there. Only needed while the file is examined: the
/// facts kept for the cross-file layers carry lines, not offsets.
pub struct ParsedFile<'a> {
    pub path: &'a str,
    line_starts: Vec<usize>,
    blocks: &'a [RenderedBlock],
}

impl<'a> ParsedFile<'a> {
    pub fn new(path: &'a str, text: &str, blocks: &'a [RenderedBlock]) -> ParsedFile<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(index, _)| index + 1));
        ParsedFile {
            path,
            line_starts,
            blocks,
        }
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(index) => index + 1,
            Err(index) => index,
        }
    }

    /// The region the IR says the block at `line` belongs to.
    pub fn intended_region(&self, line: usize) -> Option<Option<&str>> {
        self.blocks
            .iter()
            .find(|block| block.lines.contains(&line))
            .map(|block| block.region.as_deref())
    }
}

/// The folder of an output path: `data` for `data/s3.tf`, empty at the root.
pub fn directory_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(directory, _)| directory)
}

/// One top-level segment of a file, parsed on its own: the spans of its syntax tree
/// count from `base`, the segment's offset in the file.
pub struct Site<'a> {
    pub file: &'a ParsedFile<'a>,
    pub base: usize,
}

impl Site<'_> {
    pub fn line_of(&self, span: Option<Range<usize>>) -> Option<usize> {
        span.map(|range| self.file.line(self.base + range.start))
    }

    /// The file's line of the segment's 1-based `line`.
    pub fn file_line(&self, line: usize) -> usize {
        self.file.line(self.base) + line - 1
    }

    pub fn error(&self, span: Option<Range<usize>>, rule: &str, message: String) -> InternalError {
        InternalError {
            file: self.file.path.to_string(),
            line: self.line_of(span),
            rule: rule.to_string(),
            message,
        }
    }
}

/// The byte ranges of a file's top-level segments — runs of non-blank lines between
/// single blank lines, each one or more whole blocks with the comments above them — so
/// each can be checked, parsed, examined and dropped before the next: a whole file's
/// syntax tree takes about seventeen times its text.
///
/// In canonical form a block starts at column 0 and a multi-line block ends at the first
/// line that is exactly `}` (nested lines are indented, and topoc emits no heredocs).
/// The canonical formatter never carries state across a blank line between top-level
/// blocks (indentation is back to zero, alignment runs end, a single blank line stays),
/// so a file whose segments are each canonical, separated by single blank lines, with no
/// blank first or last line, is canonical as a whole. `None` when the text does not have
/// that shape; the caller then checks and parses the file whole.
pub fn top_level_segments(text: &str) -> Option<Vec<Range<usize>>> {
    let mut segments = Vec::new();
    let mut segment_start: Option<usize> = None;
    let mut inside_block = false;
    let mut previous_blank = true;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.strip_suffix('\n').unwrap_or(line);
        if inside_block {
            if content == "}" {
                inside_block = false;
            } else if !(content.is_empty() || content.starts_with(' ')) {
                return None;
            }
            continue;
        }
        if content.is_empty() {
            if previous_blank {
                return None;
            }
            segments.push(segment_start.take()?..start);
            previous_blank = true;
            continue;
        }
        if content.starts_with(' ') || content == "}" {
            return None;
        }
        segment_start.get_or_insert(start);
        previous_blank = false;
        inside_block = content.ends_with('{');
    }
    if inside_block || previous_blank {
        return None;
    }
    segments.push(segment_start?..text.len());
    Some(segments)
}

/// Parses the text of one segment (or a whole file) with hcl-edit; a parse error names
/// the file's line.
pub fn parse_segment(site: &Site<'_>, text: &str) -> Result<Body, InternalError> {
    hcl::edit::parser::parse_body(text).map_err(|error| InternalError {
        file: site.file.path.to_string(),
        line: Some(site.file_line(error.location().line())),
        rule: "parse".to_string(),
        message: format!("hcl-edit cannot parse the file: {}", error.message()),
    })
}

/// An object key as a name: `name = ...` or `"name" = ...`; `None` for a computed key.
pub fn object_key_name(key: &ObjectKey) -> Option<String> {
    match key {
        ObjectKey::Ident(ident) => Some(ident.as_str().to_string()),
        ObjectKey::Expression(expression) => string_literal(expression),
    }
}

pub fn label(label: &BlockLabel) -> &str {
    label.as_str()
}

/// The labels of a block as strings.
pub fn labels(block: &Block) -> Vec<&str> {
    block.labels.iter().map(label).collect()
}

/// `aws.us_east_1` → `["aws", "us_east_1"]`; `None` for anything but a plain traversal.
pub fn traversal_path(expression: &Expression) -> Option<Vec<String>> {
    match expression {
        Expression::Variable(variable) => Some(vec![variable.as_str().to_string()]),
        Expression::Traversal(traversal) => {
            let mut path = traversal_path(&traversal.expr)?;
            for operator in &traversal.operators {
                match operator.value() {
                    TraversalOperator::GetAttr(ident) => path.push(ident.as_str().to_string()),
                    _ => return None,
                }
            }
            Some(path)
        }
        _ => None,
    }
}

/// A string literal's value (plain quoted string without interpolation).
pub fn string_literal(expression: &Expression) -> Option<String> {
    match expression {
        Expression::String(text) => Some(text.value().to_string()),
        Expression::StringTemplate(template) => {
            let mut text = String::new();
            for element in template.iter() {
                match element {
                    hcl::edit::template::Element::Literal(literal) => text.push_str(literal.value()),
                    _ => return None,
                }
            }
            Some(text)
        }
        _ => None,
    }
}

/// Attribute value of a body.
pub fn attribute<'a>(body: &'a Body, name: &str) -> Option<&'a Expression> {
    body.get_attribute(name).map(|attribute| &attribute.value)
}

/// The value of `attribute` in every nested block `name` of `body`, whether written
/// out or generated by a `dynamic "name"` block over a literal list (`[...]` or
/// `toset([...])`) whose content sets the attribute to `<iterator>.value`. Each comes
/// with the span of the block that produces it; `None` where the value is not a literal.
pub fn nested_literals(
    body: &Body,
    name: &str,
    attribute_names: &[&str],
) -> Vec<(Option<String>, Option<Range<usize>>)> {
    use hcl::edit::Span;
    let mut values = Vec::new();
    for block in body.get_blocks(name) {
        let value = attribute_names
            .iter()
            .find_map(|attribute_name| attribute(&block.body, attribute_name))
            .and_then(string_literal);
        values.push((value, block.span()));
    }
    for dynamic in body
        .get_blocks("dynamic")
        .filter(|block| block.labels.first().map(label) == Some(name))
    {
        let iterator = attribute(&dynamic.body, "iterator")
            .and_then(traversal_path)
            .and_then(|path| path.into_iter().next())
            .unwrap_or_else(|| name.to_string());
        let items = attribute(&dynamic.body, "for_each").and_then(literal_list);
        let Some(content) = dynamic.body.get_blocks("content").next() else {
            continue;
        };
        let expression = attribute_names
            .iter()
            .find_map(|attribute_name| attribute(&content.body, attribute_name));
        let from_iterator = expression
            .and_then(traversal_path)
            .is_some_and(|path| path == [iterator.clone(), "value".to_string()]);
        match (items, from_iterator) {
            (Some(items), true) => values.extend(items.into_iter().map(|item| (Some(item), dynamic.span()))),
            _ => values.push((expression.and_then(string_literal), dynamic.span())),
        }
    }
    values
}

/// The blocks named `name` in a body, including the contents of `dynamic "name"`.
pub fn blocks_named<'a>(body: &'a Body, name: &str) -> Vec<&'a Body> {
    let mut found = Vec::new();
    for block in body.blocks() {
        if block.ident.as_str() == name {
            found.push(&block.body);
        } else if block.ident.as_str() == "dynamic" && labels(block).first() == Some(&name) {
            found.extend(block.body.get_blocks("content").map(|content| &content.body));
        }
    }
    found
}

/// Whether a block's lifecycle ignores every one of `arguments`.
pub fn ignores(body: &Body, arguments: &[&str]) -> bool {
    let ignored: Vec<String> = blocks_named(body, "lifecycle")
        .iter()
        .filter_map(|lifecycle| match attribute(lifecycle, "ignore_changes") {
            Some(Expression::Array(items)) => Some(
                items
                    .iter()
                    .filter_map(traversal_path)
                    .map(|path| path.join("."))
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .flatten()
        .collect();
    arguments
        .iter()
        .all(|argument| ignored.iter().any(|name| name == argument))
}

/// Whether an expression is the literal `true`.
pub fn is_true(expression: Option<&Expression>) -> bool {
    matches!(expression, Some(Expression::Bool(value)) if *value.value())
}

/// The strings of `["a", "b"]` or `toset(["a", "b"])`.
pub fn literal_list(expression: &Expression) -> Option<Vec<String>> {
    match expression {
        Expression::Array(array) => array.iter().map(string_literal).collect(),
        Expression::FuncCall(call) if call.name.name.as_str() == "toset" && call.args.len() == 1 => {
            literal_list(call.args.iter().next()?)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment_texts(text: &str) -> Option<Vec<&str>> {
        top_level_segments(text).map(|segments| segments.into_iter().map(|range| &text[range]).collect())
    }

    #[test]
    fn segments_are_runs_of_blocks_and_comments_between_blank_lines() {
        let text = "# header\n\n# about a\nresource \"x\" \"a\" {\n  b = 1\n\n  c {\n  }\n}\nlocals {}\n\ndata \"y\" \"b\" {\n}\n";
        assert_eq!(
            segment_texts(text).unwrap(),
            [
                "# header\n",
                "# about a\nresource \"x\" \"a\" {\n  b = 1\n\n  c {\n  }\n}\nlocals {}\n",
                "data \"y\" \"b\" {\n}\n",
            ]
        );
    }

    #[test]
    fn text_not_shaped_like_canonical_hcl_is_not_cut() {
        for text in [
            "\nresource \"x\" \"a\" {\n}\n",      // blank first line
            "a = 1\n\n\nb = 2\n",                 // two blank lines
            "resource \"x\" \"a\" {\n  b = 1\n",  // unclosed block
            "resource \"x\" \"a\" {\nb = 1\n}\n", // unindented nested line
            "resource \"x\" \"a\" {\n}\n}\n",     // stray closing brace
            "  a = 1\n",                          // indented top level
            "a = 1\n\n",                          // blank last line
            "",
        ] {
            assert_eq!(segment_texts(text), None, "{text:?}");
        }
    }
}
