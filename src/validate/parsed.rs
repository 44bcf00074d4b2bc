//! Rendered files parsed with spans (hcl-edit, the parser behind hcl-rs), grouped by
//! stack, with helpers to turn byte offsets into lines and to read simple expressions.

use std::ops::Range;

use hcl::edit::expr::{Expression, TraversalOperator};
use hcl::edit::structure::{Block, BlockLabel, Body, Structure};

use crate::ir::StackKind;
use crate::render::{InternalError, RenderedBlock, StackInfo};

pub struct ParsedFile {
    pub path: String,
    pub body: Body,
    line_starts: Vec<usize>,
    blocks: Vec<RenderedBlock>,
}

impl ParsedFile {
    pub fn parse(path: &str, text: &str, blocks: &[RenderedBlock]) -> Result<ParsedFile, InternalError> {
        let body = hcl::edit::parser::parse_body(text).map_err(|error| InternalError {
            file: path.to_string(),
            line: Some(error.location().line()),
            rule: "parse".to_string(),
            message: format!("hcl-edit cannot parse the file: {}", error.message()),
        })?;
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(index, _)| index + 1));
        Ok(ParsedFile {
            path: path.to_string(),
            body,
            line_starts,
            blocks: blocks.to_vec(),
        })
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(index) => index + 1,
            Err(index) => index,
        }
    }

    pub fn line_of(&self, span: Option<Range<usize>>) -> Option<usize> {
        span.map(|range| self.line(range.start))
    }

    /// The region the IR says the block at `line` belongs to.
    pub fn intended_region(&self, line: usize) -> Option<Option<&str>> {
        self.blocks
            .iter()
            .find(|block| block.lines.contains(&line))
            .map(|block| block.region.as_deref())
    }

    pub fn top_level_blocks(&self) -> impl Iterator<Item = &Block> {
        self.body.iter().filter_map(|structure| match structure {
            Structure::Block(block) => Some(block),
            Structure::Attribute(_) => None,
        })
    }

    pub fn error(&self, span: Option<Range<usize>>, rule: &str, message: String) -> InternalError {
        InternalError {
            file: self.path.clone(),
            line: self.line_of(span),
            rule: rule.to_string(),
            message,
        }
    }
}

pub struct ParsedStack {
    pub directory: String,
    pub kind: StackKind,
    pub files: Vec<ParsedFile>,
}

pub fn group(stacks: &[StackInfo], files: Vec<ParsedFile>) -> Vec<ParsedStack> {
    let mut grouped: Vec<ParsedStack> = stacks
        .iter()
        .map(|stack| ParsedStack {
            directory: stack.directory.clone(),
            kind: stack.kind,
            files: Vec::new(),
        })
        .collect();
    for file in files {
        let directory = file
            .path
            .rsplit_once('/')
            .map_or("", |(directory, _)| directory)
            .to_string();
        if let Some(stack) = grouped.iter_mut().find(|stack| stack.directory == directory) {
            stack.files.push(file);
        }
    }
    grouped
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
