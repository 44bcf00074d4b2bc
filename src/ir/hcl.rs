//! Literal HCL values built in Rust and written by the `hcl_value` template filter:
//! strings, numbers, booleans, raw expressions, lists and objects.
//!
//! Escaping of strings happens in one place (the `hcl` filter), so a spec value can
//! never inject HCL syntax, interpolation (`${`) or template directives (`%{`).

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

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

    pub fn expression(text: impl Into<String>) -> Value {
        Value::Expression(text.into())
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
            control if control.is_control() => quoted.push_str(&format!("\\u{:04x}", u32::from(control))),
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
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
