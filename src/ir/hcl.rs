//! Literal HCL values built in Rust and written by the `hcl_value` template filter:
//! strings, numbers, booleans, raw expressions, lists and objects.
//!
//! Every other way text reaches HCL is here too, each the one encoder for its context:
//! [`quote`] for a string literal (escaping `"`, `\\`, control characters, `${` and
//! `%{`), [`comment`] for comment lines, [`key`] for an object key, [`is_identifier`]
//! for block labels and names, and [`check_expression`] for the references topoc
//! builds in Rust. A spec value can never inject HCL syntax, interpolation or template
//! directives.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::encoded::{is_bidi_control, visible_lines};

/// The map key that marks a raw HCL expression when values cross into templates.
pub const EXPRESSION_MARKER: &str = "__hcl_expression__";

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    String(String),
    Integer(i64),
    Number(f64),
    Bool(bool),
    Null,
    /// An HCL expression written as is, e.g. `aws_kms_key.default.arn`.
    Expression(String),
    List(Vec<Value>),
    /// Keys in the order given; callers sort them when order carries no meaning.
    Object(Vec<(String, Value)>),
}

impl Value {
    pub fn string(text: impl Into<String>) -> Value {
        Value::String(text.into())
    }

    /// An expression built by topoc. It must be a reference, a negated one, a list of them, or a
    /// quoted template whose interpolations are references ([`check_expression`]);
    /// anything else is a bug in topoc, and panics here rather than reaching a file.
    pub fn expression(text: impl Into<String>) -> Value {
        let text = text.into();
        if let Err(problem) = check_expression(&text) {
            panic!("topoc built an HCL expression that is not a reference: {text:?}: {problem}");
        }
        Value::Expression(text)
    }

    pub fn strings<I, S>(items: I) -> Value
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Value::List(items.into_iter().map(|item| Value::String(item.into())).collect())
    }

    pub fn object<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(entries.into_iter().map(|(key, value)| (key.into(), value)).collect())
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::String(text) => serializer.serialize_str(text),
            Value::Integer(number) => serializer.serialize_i64(*number),
            Value::Number(number) => serializer.serialize_f64(*number),
            Value::Bool(flag) => serializer.serialize_bool(*flag),
            Value::Null => serializer.serialize_none(),
            Value::Expression(text) => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(EXPRESSION_MARKER, text)?;
                map.end()
            }
            Value::List(items) => items.serialize(serializer),
            Value::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

/// Quotes and escapes a string as an HCL string literal.
pub fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            '$' | '%' if characters.peek() == Some(&'{') => {
                quoted.push(character);
                quoted.push(character);
            }
            control if control.is_control() || is_bidi_control(control) => {
                quoted.push_str(&format!("\\u{:04x}", u32::from(control)));
            }
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}

/// Comment lines holding any text: each line of it starts with `# `, control and
/// bidirectional characters are dropped and surrounding blank lines removed, so no part
/// of the text can end the comment. Empty text gives no lines.
pub fn comment(text: &str) -> String {
    let lines = visible_lines(text);
    let first = lines.iter().position(|line| !line.is_empty());
    let last = lines.iter().rposition(|line| !line.is_empty());
    let (Some(first), Some(last)) = (first, last) else {
        return String::new();
    };
    lines[first..=last]
        .iter()
        .map(|line| {
            if line.is_empty() {
                "#".to_string()
            } else {
                format!("# {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a text is an HCL identifier topoc may print bare (a block label, a provider
/// alias, a resource name): an ASCII letter or `_`, then letters, digits, `_` and `-`.
pub fn is_identifier(text: &str) -> bool {
    let mut characters = text.chars();
    characters
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && characters.all(|character| character.is_ascii_alphanumeric() || character == '_' || character == '-')
}

/// Checks that an expression topoc built is one of the forms it may print bare: a
/// reference (`a.b["key"][0].c`, indexes being numbers, quoted literals or references),
/// a list of expressions, or a quoted template whose interpolations are references.
pub fn check_expression(text: &str) -> Result<(), String> {
    let mut parser = ExpressionParser { text, position: 0 };
    parser.expression()?;
    if parser.position == text.len() {
        Ok(())
    } else {
        Err(format!("unexpected text at byte {}", parser.position))
    }
}

struct ExpressionParser<'a> {
    text: &'a str,
    position: usize,
}

impl ExpressionParser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.position..]
    }

    fn eat(&mut self, literal: &str) -> bool {
        if self.rest().starts_with(literal) {
            self.position += literal.len();
            true
        } else {
            false
        }
    }

    fn expression(&mut self) -> Result<(), String> {
        match self.rest().chars().next() {
            Some('"') => self.template(),
            Some('[') => self.list(),
            Some('!') => {
                self.eat("!");
                self.reference()
            }
            _ => self.reference(),
        }
    }

    fn list(&mut self) -> Result<(), String> {
        self.eat("[");
        if self.eat("]") {
            return Ok(());
        }
        loop {
            self.expression()?;
            if self.eat("]") {
                return Ok(());
            }
            if !self.eat(", ") {
                return Err(format!("expected `, ` or `]` at byte {}", self.position));
            }
        }
    }

    fn name(&mut self) -> Result<(), String> {
        let length = self
            .rest()
            .char_indices()
            .find(|(index, character)| {
                !(character.is_ascii_alphabetic()
                    || *character == '_'
                    || (*index > 0 && (character.is_ascii_digit() || *character == '-')))
            })
            .map_or(self.rest().len(), |(index, _)| index);
        if length == 0 {
            return Err(format!("expected a name at byte {}", self.position));
        }
        self.position += length;
        Ok(())
    }

    fn reference(&mut self) -> Result<(), String> {
        self.name()?;
        loop {
            if self.eat(".") {
                self.name()?;
            } else if self.eat("[") {
                let digits = self.rest().chars().take_while(char::is_ascii_digit).count();
                if digits > 0 {
                    self.position += digits;
                } else if self.rest().starts_with('"') {
                    self.literal()?;
                } else {
                    self.reference()?;
                }
                if !self.eat("]") {
                    return Err(format!("expected `]` at byte {}", self.position));
                }
            } else {
                return Ok(());
            }
        }
    }

    /// A quoted string without interpolation, as [`quote`] writes it.
    fn literal(&mut self) -> Result<(), String> {
        self.quoted(false)
    }

    /// A quoted string whose interpolations are references.
    fn template(&mut self) -> Result<(), String> {
        self.quoted(true)
    }

    fn quoted(&mut self, interpolations: bool) -> Result<(), String> {
        self.eat("\"");
        loop {
            if self.eat("\"") {
                return Ok(());
            }
            if self.eat("$${") || self.eat("%%{") {
                continue;
            }
            if self.rest().starts_with("%{") {
                return Err(format!("template directive at byte {}", self.position));
            }
            if self.eat("${") {
                if !interpolations {
                    return Err(format!("interpolation in a literal at byte {}", self.position));
                }
                self.reference()?;
                if !self.eat("}") {
                    return Err(format!("expected `}}` at byte {}", self.position));
                }
                continue;
            }
            if self.eat("\\") {
                let escaped = self.rest().chars().next();
                match escaped {
                    Some('"' | '\\' | 'n' | 'r' | 't') => self.position += 1,
                    Some('u')
                        if self.rest().len() >= 5
                            && self.rest()[1..5].chars().all(|digit| digit.is_ascii_hexdigit()) =>
                    {
                        self.position += 5;
                    }
                    _ => return Err(format!("unknown escape at byte {}", self.position)),
                }
                continue;
            }
            match self.rest().chars().next() {
                None => return Err("unterminated string".to_string()),
                Some(character) if character.is_control() || is_bidi_control(character) => {
                    return Err(format!("unescaped control character at byte {}", self.position));
                }
                Some(character) => self.position += character.len_utf8(),
            }
        }
    }
}

/// An object key: bare when it is a plain identifier, quoted otherwise.
pub fn key(text: &str) -> String {
    let mut characters = text.chars();
    let plain = characters
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && characters.all(|character| character.is_ascii_alphanumeric() || character == '_');
    if plain { text.to_string() } else { quote(text) }
}

/// Writes a template value (as produced by serializing [`Value`]) as an HCL expression.
/// Objects and lists of objects span several lines; the formatter indents them.
pub fn write(value: &minijinja::Value) -> Result<String, String> {
    use minijinja::value::ValueKind;
    Ok(match value.kind() {
        ValueKind::Undefined => return Err("undefined value".to_string()),
        ValueKind::None => "null".to_string(),
        ValueKind::Bool => value.is_true().to_string(),
        ValueKind::Number => value.to_string(),
        ValueKind::String => quote(value.as_str().unwrap_or_default()),
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<minijinja::Value> = value.try_iter().map_err(|error| error.to_string())?.collect();
            if items.is_empty() {
                return Ok("[]".to_string());
            }
            let simple = items
                .iter()
                .all(|item| !matches!(item.kind(), ValueKind::Map | ValueKind::Seq) || expression_of(item).is_some());
            let rendered: Vec<String> = items.iter().map(write).collect::<Result<_, _>>()?;
            let inline = format!("[{}]", rendered.join(", "));
            if simple && inline.len() <= 100 {
                inline
            } else {
                format!("[\n{},\n]", rendered.join(",\n"))
            }
        }
        ValueKind::Map => {
            if let Some(expression) = expression_of(value) {
                return Ok(expression);
            }
            let keys: Vec<minijinja::Value> = value.try_iter().map_err(|error| error.to_string())?.collect();
            if keys.is_empty() {
                return Ok("{}".to_string());
            }
            let mut lines = Vec::with_capacity(keys.len());
            for map_key in keys {
                let item = value.get_item(&map_key).map_err(|error| error.to_string())?;
                let key_text = map_key
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| map_key.to_string());
                lines.push(format!("{} = {}", key(&key_text), write(&item)?));
            }
            format!("{{\n{}\n}}", lines.join("\n"))
        }
        other => return Err(format!("cannot write a {other:?} as HCL")),
    })
}

fn expression_of(value: &minijinja::Value) -> Option<String> {
    if value.len() != Some(1) {
        return None;
    }
    let expression = value.get_attr(EXPRESSION_MARKER).ok()?;
    expression.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_everything_hcl_interprets() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote("${var.x} and %{if}"), "\"$${var.x} and %%{if}\"");
        assert_eq!(quote("$5 %d"), "\"$5 %d\"");
        assert_eq!(quote("line\nbreak\u{7}"), "\"line\\nbreak\\u0007\"");
    }

    #[test]
    fn comments_comment_every_line() {
        assert_eq!(comment("one line"), "# one line");
        assert_eq!(
            comment("\nfirst\r\n\nresource \"x\" \"y\" {}\n\n"),
            "# first\n#\n# resource \"x\" \"y\" {}"
        );
        assert_eq!(comment("block {\n  indented\n}"), "# block {\n#   indented\n# }");
        assert_eq!(comment("bell\u{7} and \u{202e}reversed"), "# bell and reversed");
        assert_eq!(comment("\n \n"), "");
    }

    #[test]
    fn identifiers_and_expressions_are_checked() {
        assert!(is_identifier("us_east_1"));
        assert!(is_identifier("eu-merchant-pii"));
        assert!(!is_identifier("9lives"));
        assert!(!is_identifier("a b"));
        assert!(!is_identifier("x\" {"));
        for good in [
            "aws_kms_key.default.arn",
            "data.terraform_remote_state.regions.outputs.kms_key_arns[\"us-east-1\"][\"default\"]",
            "aws_route53_record.certificate_validation[\"a.example.com\"].fqdn",
            "module.us_east_1.subnets[0]",
            "local.map[each.key]",
            "\"repo/x@${var.image_digests[\"api\"]}\"",
            "[aws_kms_key.a.arn, aws_kms_key.b.arn]",
            "\"$${not interpolated} %%{nor this}\"",
        ] {
            assert_eq!(check_expression(good), Ok(()), "{good}");
        }
        for bad in [
            "aws_kms_key.default.arn }\nresource",
            "\"${file(\"/etc/passwd\")}\"",
            "\"%{ for x in y }\"",
            "a[\"${b}\"]",
            "\"unterminated",
            "a.b # comment",
            "",
        ] {
            assert!(check_expression(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_are_bare_only_when_plain() {
        assert_eq!(key("Version"), "Version");
        assert_eq!(key("cost-center"), "\"cost-center\"");
        assert_eq!(key("aws:SourceAccount"), "\"aws:SourceAccount\"");
    }

    #[test]
    fn values_write_as_hcl() {
        let value = Value::object([
            ("name", Value::string("a")),
            ("count", Value::Integer(3)),
            ("arn", Value::expression("aws_kms_key.default.arn")),
            ("list", Value::strings(["x", "y"])),
            ("nested", Value::object([("data-class", Value::Bool(true))])),
        ]);
        let written = write(&minijinja::Value::from(minijinja::value::Serde(&value))).unwrap();
        assert_eq!(
            written,
            "{\nname = \"a\"\ncount = 3\narn = aws_kms_key.default.arn\nlist = [\"x\", \"y\"]\nnested = {\n\"data-class\" = true\n}\n}"
        );
    }
}
