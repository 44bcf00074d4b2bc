//! YAML text to a spanned node tree, with hard limits.
//!
//! saphyr-parser emits events with character positions; this module builds our own
//! [`Node`] tree with byte spans, resolves plain scalars with the YAML 1.2 core schema,
//! expands aliases and `<<` merge keys, and reports duplicate keys. The number of nodes
//! after alias expansion and the nesting depth are bounded, so no input can make the
//! loader run out of memory, time or stack.

use std::collections::{BTreeMap, BTreeSet};

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YamlSpan};

use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Upper bound on nodes after alias expansion. Real specs have a few hundred.
pub const MAX_NODES: usize = 100_000;
/// Upper bound on nesting depth (mappings and sequences), after alias expansion.
pub const MAX_DEPTH: usize = 64;
/// Upper bound on the text of keys and scalars after alias expansion, so an alias to a
/// long string cannot be copied into gigabytes. Real specs hold a few kilobytes.
pub const MAX_EXPANDED_BYTES: usize = 16 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    String(String),
    Sequence(Vec<Node>),
    Mapping(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    /// Nodes in this subtree, counting this one.
    fn size(&self) -> usize {
        1 + match &self.value {
            Value::Sequence(items) => items.iter().map(Node::size).sum(),
            Value::Mapping(entries) => entries.iter().map(|entry| entry.value.size()).sum(),
            _ => 0,
        }
    }

    /// Bytes of key and scalar text in this subtree.
    fn text_bytes(&self) -> usize {
        match &self.value {
            Value::String(text) => text.len(),
            Value::Sequence(items) => items.iter().map(Node::text_bytes).sum(),
            Value::Mapping(entries) => entries
                .iter()
                .map(|entry| entry.key.len() + entry.value.text_bytes())
                .sum(),
            _ => 0,
        }
    }

    /// Nesting depth of collections in this subtree (a scalar has depth 0).
    fn depth(&self) -> usize {
        match &self.value {
            Value::Sequence(items) => 1 + items.iter().map(Node::depth).max().unwrap_or(0),
            Value::Mapping(entries) => 1 + entries.iter().map(|entry| entry.value.depth()).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// A short name for the node's type, used in messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Integer(_) | Value::Float(_) => "a number",
            Value::String(_) => "a string",
            Value::Sequence(_) => "a list",
            Value::Mapping(_) => "a mapping",
        }
    }
}

/// Parses one YAML document. Returns the root node when the text could be read,
/// together with every problem found (duplicate keys do not stop the load).
pub fn parse(file: FileId, text: &str) -> (Option<Node>, Vec<Diagnostic>) {
    let mut builder = TreeBuilder::new(file, text);
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((event, span))) => {
                if !builder.on_event(event, span) {
                    break;
                }
            }
            Some(Err(error)) => {
                let byte = builder.byte_offset(error.marker().index());
                let span = builder.span_from_bytes(byte, next_char_boundary(text, byte));
                let diagnostic = if error.info().contains("recursion limit") {
                    Diagnostic::new(
                        Code::YamlLimits,
                        span,
                        format!("the document nests deeper than {MAX_DEPTH} levels"),
                    )
                    .with_hint("flatten the structure; a topology spec needs only a few levels")
                } else {
                    Diagnostic::new(Code::YamlSyntax, span, format!("invalid YAML: {}", error.info())).with_hint(
                        "check the indentation, colons and quotes on this line and the one before it; YAML indents with spaces, never tabs",
                    )
                };
                builder.diagnostics.push(diagnostic);
                builder.failed = true;
                break;
            }
        }
    }
    let root = if builder.failed { None } else { builder.root.take() };
    if root.is_none() && !builder.failed {
        builder.diagnostics.push(
            Diagnostic::new(Code::EmptySpec, Span::new(file, 0..0), "the spec is empty")
                .with_hint("start from one of the files in `examples/`, or run `topoc schema` to see the language"),
        );
    }
    (root, builder.diagnostics)
}

fn next_char_boundary(text: &str, byte: usize) -> usize {
    text[byte.min(text.len())..]
        .chars()
        .next()
        .map_or(byte, |character| byte + character.len_utf8())
}

enum Frame {
    Sequence {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Mapping {
        start: usize,
        anchor: usize,
        entries: Vec<Entry>,
        merged: Vec<Entry>,
        /// Keys of `merged`, so merging many keys stays linear.
        merged_keys: BTreeSet<String>,
        pending_key: Option<PendingKey>,
        explicit_keys: BTreeMap<String, Span>,
    },
}

struct PendingKey {
    /// `None` when the key was not a scalar; its value is then skipped.
    text: Option<String>,
    span: Span,
    is_merge: bool,
}

struct TreeBuilder<'text> {
    file: FileId,
    text: &'text str,
    /// Byte offset of each character index, or empty when the text is ASCII and the two agree.
    char_to_byte: Vec<usize>,
    stack: Vec<Frame>,
    anchors: BTreeMap<usize, Node>,
    root: Option<Node>,
    documents: usize,
    total_nodes: usize,
    total_bytes: usize,
    diagnostics: Vec<Diagnostic>,
    failed: bool,
}

impl<'text> TreeBuilder<'text> {
    fn new(file: FileId, text: &'text str) -> TreeBuilder<'text> {
        let char_to_byte = if text.is_ascii() {
            Vec::new()
        } else {
            let mut offsets: Vec<usize> = text.char_indices().map(|(byte, _)| byte).collect();
            offsets.push(text.len());
            offsets
        };
        TreeBuilder {
            file,
            text,
            char_to_byte,
            stack: Vec::new(),
            anchors: BTreeMap::new(),
            root: None,
            documents: 0,
            total_nodes: 0,
            total_bytes: 0,
            diagnostics: Vec::new(),
            failed: false,
        }
    }

    fn byte_offset(&self, char_index: usize) -> usize {
        if self.char_to_byte.is_empty() {
            char_index.min(self.text.len())
        } else {
            self.char_to_byte[char_index.min(self.char_to_byte.len() - 1)]
        }
    }

    fn span_from_bytes(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start..end)
    }

    fn span(&self, yaml_span: YamlSpan) -> Span {
        let start = self.byte_offset(yaml_span.start.index());
        let end = self.byte_offset(yaml_span.end.index());
        self.span_from_bytes(start, end.max(start))
    }

    fn fail(&mut self, code: Code, span: Span, message: String, hint: &str) -> bool {
        self.diagnostics
            .push(Diagnostic::new(code, span, message).with_hint(hint));
        self.failed = true;
        false
    }

    /// Handles one event; returns false to stop parsing.
    fn on_event(&mut self, event: Event<'_>, yaml_span: YamlSpan) -> bool {
        let span = self.span(yaml_span);
        let is_sequence = matches!(event, Event::SequenceStart(..));
        match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => true,
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return self.fail(
                        Code::UnsupportedYaml,
                        span,
                        "the file holds more than one YAML document".to_string(),
                        "keep one topology per file; remove the `---` separator and what follows it",
                    );
                }
                true
            }
            Event::Alias(anchor_id) => {
                let Some(node) = self.anchors.get(&anchor_id) else {
                    return self.fail(
                        Code::YamlSyntax,
                        span,
                        "alias refers to an unknown anchor".to_string(),
                        "define the anchor (`&name`) before the alias (`*name`) that uses it",
                    );
                };
                let size = node.size();
                let depth = node.depth();
                if self.total_nodes + size > MAX_NODES {
                    return self.fail(
                        Code::YamlLimits,
                        span,
                        format!("expanding this alias makes the document larger than {MAX_NODES} nodes"),
                        "aliases copy the whole anchored node; a spec this large is almost certainly an alias bomb",
                    );
                }
                if self.stack.len() + depth > MAX_DEPTH {
                    return self.fail(
                        Code::YamlLimits,
                        span,
                        format!("expanding this alias nests the document deeper than {MAX_DEPTH} levels"),
                        "flatten the structure; a topology spec needs only a few levels",
                    );
                }
                let bytes = node.text_bytes();
                if self.total_bytes + bytes > MAX_EXPANDED_BYTES {
                    return self.fail(
                        Code::YamlLimits,
                        span,
                        format!(
                            "expanding this alias makes the document's text larger than {} MiB",
                            MAX_EXPANDED_BYTES >> 20
                        ),
                        "aliases copy the whole anchored node; a spec this large is almost certainly an alias bomb",
                    );
                }
                self.total_nodes += size;
                self.total_bytes += bytes;
                let node = node.clone();
                self.complete(node, 0);
                !self.failed
            }
            Event::Scalar(value, style, anchor, tag) => {
                self.total_nodes += 1;
                self.total_bytes += value.len();
                if self.total_bytes > MAX_EXPANDED_BYTES {
                    return self.fail(
                        Code::YamlLimits,
                        span,
                        format!("the document's text is larger than {} MiB", MAX_EXPANDED_BYTES >> 20),
                        "a topology spec holds a few kilobytes; split or shrink the file",
                    );
                }
                if self.total_nodes > MAX_NODES {
                    return self.fail(
                        Code::YamlLimits,
                        span,
                        format!("the document has more than {MAX_NODES} nodes"),
                        "a topology spec has a few hundred nodes; split or shrink the file",
                    );
                }
                let tag_suffix = match tag.as_deref() {
                    None => None,
                    Some(tag) if tag.is_yaml_core_schema() => Some(tag.suffix.clone()),
                    Some(tag) => {
                        self.diagnostics.push(
                            Diagnostic::new(
                                Code::UnsupportedYaml,
                                span,
                                format!("custom tag `{}{}` is not supported", tag.handle, tag.suffix),
                            )
                            .with_hint("remove the tag; topoc reads plain YAML values"),
                        );
                        None
                    }
                };
                let expecting_key = matches!(self.stack.last(), Some(Frame::Mapping { pending_key: None, .. }));
                if expecting_key {
                    let is_merge = style == ScalarStyle::Plain && value == "<<" && tag_suffix.is_none();
                    let node = Node {
                        value: Value::String(value.into_owned()),
                        span,
                    };
                    self.complete_key(node, anchor, is_merge);
                    return !self.failed;
                }
                let resolved = match resolve_scalar(&value, style, tag_suffix.as_deref()) {
                    Ok(resolved) => resolved,
                    Err(message) => {
                        self.diagnostics.push(
                            Diagnostic::new(Code::UnsupportedYaml, span, message)
                                .with_hint("quote the value to make it a string"),
                        );
                        Value::String(value.into_owned())
                    }
                };
                self.complete(Node { value: resolved, span }, anchor);
                !self.failed
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag)
                if tag.as_deref().is_some_and(|tag| !tag.is_yaml_core_schema()) =>
            {
                let tag = tag.as_deref().expect("checked above");
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnsupportedYaml,
                        span,
                        format!("custom tag `{}{}` is not supported", tag.handle, tag.suffix),
                    )
                    .with_hint("remove the tag; topoc reads plain YAML values"),
                );
                self.start_collection(is_sequence, anchor, span)
            }
            Event::SequenceStart(anchor, _) => self.start_collection(true, anchor, span),
            Event::MappingStart(anchor, _) => self.start_collection(false, anchor, span),
            Event::SequenceEnd | Event::MappingEnd => self.end_collection(span),
        }
    }

    fn start_collection(&mut self, is_sequence: bool, anchor: usize, span: Span) -> bool {
        self.total_nodes += 1;
        if self.stack.len() >= MAX_DEPTH {
            return self.fail(
                Code::YamlLimits,
                span,
                format!("the document nests deeper than {MAX_DEPTH} levels"),
                "flatten the structure; a topology spec needs only a few levels",
            );
        }
        if self.total_nodes > MAX_NODES {
            return self.fail(
                Code::YamlLimits,
                span,
                format!("the document has more than {MAX_NODES} nodes"),
                "a topology spec has a few hundred nodes; split or shrink the file",
            );
        }
        let start = span.start as usize;
        self.stack.push(if is_sequence {
            Frame::Sequence {
                start,
                anchor,
                items: Vec::new(),
            }
        } else {
            Frame::Mapping {
                start,
                anchor,
                entries: Vec::new(),
                merged: Vec::new(),
                merged_keys: BTreeSet::new(),
                pending_key: None,
                explicit_keys: BTreeMap::new(),
            }
        });
        true
    }

    fn end_collection(&mut self, span: Span) -> bool {
        let Some(frame) = self.stack.pop() else {
            return true;
        };
        let end = (span.end as usize).max(span.start as usize);
        match frame {
            Frame::Sequence { start, anchor, items } => {
                let end = items.last().map_or(end, |item| end.max(item.span.end as usize));
                let node = Node {
                    value: Value::Sequence(items),
                    span: self.collection_span(start, end),
                };
                self.complete(node, anchor);
            }
            Frame::Mapping {
                start,
                anchor,
                mut entries,
                merged,
                explicit_keys,
                ..
            } => {
                // Explicit keys win over merged ones, and earlier merges over later ones.
                for merged_entry in merged {
                    if !explicit_keys.contains_key(&merged_entry.key) {
                        entries.push(merged_entry);
                    }
                }
                let node = Node {
                    value: Value::Mapping(entries),
                    span: self.collection_span(start, end),
                };
                self.complete(node, anchor);
            }
        }
        !self.failed
    }

    /// Block collections end where the next token starts; trim the trailing
    /// whitespace and comments so the span ends at the last character of content.
    fn collection_span(&self, start: usize, end: usize) -> Span {
        let end = end.min(self.text.len()).max(start);
        let content = &self.text[start..end];
        let mut trimmed_end = start;
        for line in content.split_inclusive('\n') {
            let without_comment = strip_comment(line);
            let content_length = without_comment.trim_end().len();
            if content_length > 0 {
                trimmed_end = line.as_ptr() as usize - self.text.as_ptr() as usize + content_length;
            }
        }
        Span::new(self.file, start..trimmed_end.max(start))
    }

    fn complete_key(&mut self, key_node: Node, anchor: usize, is_merge: bool) {
        if anchor != 0 {
            self.anchors.insert(anchor, key_node.clone());
        }
        if let Some(Frame::Mapping { pending_key, .. }) = self.stack.last_mut() {
            let text = match &key_node.value {
                Value::String(text) => Some(text.clone()),
                _ => None,
            };
            *pending_key = Some(PendingKey {
                text,
                span: key_node.span,
                is_merge,
            });
        }
    }

    /// Attaches a finished node to its parent (or makes it the root).
    fn complete(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Sequence { items, .. }) => items.push(node),
            Some(Frame::Mapping {
                entries,
                merged,
                merged_keys,
                pending_key,
                explicit_keys,
                ..
            }) => match pending_key.take() {
                None => {
                    // A key that is itself a node: an alias to a scalar is fine,
                    // a mapping or sequence used as a key is not.
                    let text = match &node.value {
                        Value::String(text) => Some(text.clone()),
                        Value::Integer(number) => Some(number.to_string()),
                        Value::Bool(flag) => Some(flag.to_string()),
                        Value::Float(number) => Some(number.to_string()),
                        Value::Null => Some("null".to_string()),
                        Value::Sequence(_) | Value::Mapping(_) => None,
                    };
                    if text.is_none() {
                        self.diagnostics.push(
                            Diagnostic::new(
                                Code::UnsupportedYaml,
                                node.span,
                                "mapping keys must be plain names, not lists or mappings",
                            )
                            .with_hint("use a string key"),
                        );
                    }
                    *pending_key = Some(PendingKey {
                        text,
                        span: node.span,
                        is_merge: false,
                    });
                }
                Some(key) => {
                    let Some(key_text) = key.text else {
                        return;
                    };
                    if key.is_merge {
                        let sources = match node.value {
                            Value::Mapping(source_entries) => vec![source_entries],
                            Value::Sequence(items) => items
                                .into_iter()
                                .filter_map(|item| match item.value {
                                    Value::Mapping(source_entries) => Some(source_entries),
                                    _ => None,
                                })
                                .collect(),
                            _ => {
                                self.diagnostics.push(
                                    Diagnostic::new(
                                        Code::UnsupportedYaml,
                                        node.span,
                                        "a `<<` merge key needs a mapping or a list of mappings",
                                    )
                                    .with_hint("write `<<: *anchor` where `&anchor` marks a mapping"),
                                );
                                Vec::new()
                            }
                        };
                        for source_entries in sources {
                            for entry in source_entries {
                                if merged_keys.insert(entry.key.clone()) {
                                    merged.push(entry);
                                }
                            }
                        }
                        return;
                    }
                    if let Some(first_span) = explicit_keys.get(&key_text) {
                        self.diagnostics.push(
                            Diagnostic::new(Code::DuplicateKey, key.span, format!("duplicate key `{key_text}`"))
                                .with_label(*first_span, "first defined here")
                                .with_hint("remove or rename one of the two entries"),
                        );
                        return;
                    }
                    explicit_keys.insert(key_text.clone(), key.span);
                    entries.push(Entry {
                        key: key_text,
                        key_span: key.span,
                        value: node,
                    });
                }
            },
        }
    }
}

/// The part of a line before a `#` comment that is outside quotes (approximate:
/// only used to trim spans, never to interpret values).
fn strip_comment(line: &str) -> &str {
    let mut in_single = false;
    let mut in_double = false;
    let mut previous = ' ';
    for (index, character) in line.char_indices() {
        match character {
            '\'' if !in_double => in_single = !in_single,
            '"' if !in_single && previous != '\\' => in_double = !in_double,
            '#' if !in_single && !in_double && previous.is_whitespace() => return &line[..index],
            _ => {}
        }
        previous = character;
    }
    line
}

/// Resolves a scalar with the YAML 1.2 core schema. Quoted and block scalars are
/// strings; `!!str`, `!!int`, `!!float`, `!!bool` and `!!null` force a type.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Result<Value, String> {
    match tag {
        Some("str") => return Ok(Value::String(text.to_string())),
        Some("null") => return Ok(Value::Null),
        Some("bool") => {
            return resolve_bool(text)
                .map(Value::Bool)
                .ok_or_else(|| format!("`{text}` is not a boolean"));
        }
        Some("int") => {
            return resolve_integer(text)
                .map(Value::Integer)
                .ok_or_else(|| format!("`{text}` is not an integer"));
        }
        Some("float") => return resolve_float(text),
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return Ok(Value::String(text.to_string()));
    }
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Ok(Value::Null);
    }
    if let Some(flag) = resolve_bool(text) {
        return Ok(Value::Bool(flag));
    }
    if let Some(number) = resolve_integer(text) {
        return Ok(Value::Integer(number));
    }
    if looks_like_float(text) {
        return resolve_float(text);
    }
    Ok(Value::String(text.to_string()))
}

fn resolve_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn resolve_integer(text: &str) -> Option<i64> {
    if let Some(octal) = text.strip_prefix("0o") {
        return i64::from_str_radix(octal, 8).ok();
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok()
}

fn looks_like_float(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(index) => (&unsigned[..index], Some(&unsigned[index + 1..])),
        None => (unsigned, None),
    };
    let mantissa_ok = {
        let mut parts = mantissa.splitn(2, '.');
        let whole = parts.next().unwrap_or("");
        let fraction = parts.next();
        let whole_ok = whole.bytes().all(|byte| byte.is_ascii_digit());
        match fraction {
            None => !whole.is_empty() && whole_ok,
            Some(fraction) => {
                whole_ok
                    && fraction.bytes().all(|byte| byte.is_ascii_digit())
                    && !(whole.is_empty() && fraction.is_empty())
            }
        }
    };
    let exponent_ok = exponent.is_none_or(|exponent| {
        let digits = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
        !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

fn resolve_float(text: &str) -> Result<Value, String> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN") {
        return Err(format!(
            "`{text}` is not a finite number, which JSON and the spec cannot represent"
        ));
    }
    match text.parse::<f64>() {
        Ok(number) if number.is_finite() => Ok(Value::Float(number)),
        _ => Err(format!("`{text}` is not a finite number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (Option<Node>, Vec<Diagnostic>) {
        parse(FileId(0), text)
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        let (root, diagnostics) = parse_text("a: 1\nb: 1.5\nc: no\nd: true\ne: ~\nf: '1'\ng: 0x1f\n");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let Value::Mapping(entries) = root.unwrap().value else {
            panic!()
        };
        let values: Vec<_> = entries.into_iter().map(|entry| entry.value.value).collect();
        assert_eq!(
            values,
            vec![
                Value::Integer(1),
                Value::Float(1.5),
                Value::String("no".into()),
                Value::Bool(true),
                Value::Null,
                Value::String("1".into()),
                Value::Integer(31)
            ]
        );
    }

    #[test]
    fn duplicate_keys_point_at_the_second_key() {
        let text = "a: 1\nb: 2\na: 3\n";
        let (_, diagnostics) = parse_text(text);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, Code::DuplicateKey);
        assert_eq!(diagnostics[0].primary.unwrap().range(), 10..11);
        assert_eq!(diagnostics[0].secondary[0].span.range(), 0..1);
    }

    #[test]
    fn merge_keys_copy_entries_that_are_not_set_explicitly() {
        let text = "base: &base\n  x: 1\n  y: 2\nitem:\n  <<: *base\n  y: 3\n";
        let (root, diagnostics) = parse_text(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let Value::Mapping(entries) = root.unwrap().value else {
            panic!()
        };
        let Value::Mapping(item) = &entries[1].value.value else {
            panic!()
        };
        let pairs: Vec<_> = item
            .iter()
            .map(|entry| (entry.key.as_str(), entry.value.value.clone()))
            .collect();
        assert_eq!(pairs, vec![("y", Value::Integer(3)), ("x", Value::Integer(1))]);
    }

    #[test]
    fn aliases_of_long_text_stop_at_the_byte_limit() {
        // Few nodes, but each alias copies a megabyte.
        let long = "x".repeat(1 << 20);
        let mut text = format!("a: &a \"{long}\"\nb: [");
        for _ in 0..20 {
            text.push_str("*a, ");
        }
        text.push_str("]\n");
        let (root, diagnostics) = parse_text(&text);
        assert!(root.is_none());
        assert_eq!(diagnostics.last().unwrap().code, Code::YamlLimits);
        assert!(diagnostics.last().unwrap().message.contains("MiB"));
    }

    #[test]
    fn merging_many_keys_stays_fast() {
        let keys: Vec<String> = (0..30_000).map(|index| format!("k{index}")).collect();
        let text = format!("{{<<: {{{}}}, k1: explicit}}\n", keys.join(", "));
        let start = std::time::Instant::now();
        let (root, diagnostics) = parse_text(&text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let Some(Node {
            value: Value::Mapping(entries),
            ..
        }) = root
        else {
            panic!("a mapping")
        };
        assert_eq!(entries.len(), 30_000);
        assert!(
            entries
                .iter()
                .any(|entry| entry.key == "k1" && entry.value.value == Value::String("explicit".into()))
        );
        // Quadratic merging took minutes here; linear takes milliseconds even in debug.
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn alias_bombs_stop_at_the_node_limit() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..12 {
            let previous = level - 1;
            text.push_str(&format!(
                "a{level}: &a{level} [*a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}]\n"
            ));
        }
        let (root, diagnostics) = parse_text(&text);
        assert!(root.is_none());
        assert_eq!(diagnostics.last().unwrap().code, Code::YamlLimits);
    }

    #[test]
    fn deep_nesting_stops_at_the_depth_limit() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let (root, diagnostics) = parse_text(&text);
        assert!(root.is_none());
        assert_eq!(diagnostics[0].code, Code::YamlLimits);
    }

    #[test]
    fn empty_and_comment_only_files_are_empty_specs() {
        for text in ["", "# only a comment\n", "\n\n"] {
            let (root, diagnostics) = parse_text(text);
            assert!(root.is_none());
            assert_eq!(diagnostics[0].code, Code::EmptySpec, "{text:?}");
        }
    }

    #[test]
    fn spans_are_bytes_after_multibyte_characters() {
        let text = "é: ü\nkey: value\n";
        let (root, _) = parse_text(text);
        let Value::Mapping(entries) = root.unwrap().value else {
            panic!()
        };
        assert_eq!(&text[entries[1].key_span.range()], "key");
        assert_eq!(&text[entries[1].value.span.range()], "value");
    }
}
