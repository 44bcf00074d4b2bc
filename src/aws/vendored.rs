//! Vendored JSON tables (the IAM database and the provider schema), read lazily.
//!
//! Both files are written by their extraction scripts with one table entry per line:
//!
//! ```text
//! {
//! "scalar":"value",
//! "table":{
//! "key":{...},
//! "key":{...}
//! },
//! ...
//! }
//! ```
//!
//! A build touches a few dozen of their thousands of entries, and parsing them all
//! took longer than compiling a small spec. So the text is split into lines once, and
//! an entry is deserialized the first time it is asked for. `tests` below prove the
//! line layout against a full JSON parse of both files.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::de::DeserializeOwned;

/// One vendored JSON document, split into its top-level scalars and tables.
pub struct VendoredJson {
    scalars: BTreeMap<&'static str, &'static str>,
    tables: BTreeMap<&'static str, Vec<(&'static str, &'static str)>>,
}

/// The key and the raw JSON value of a line `"key":value` or `"key":value,`.
fn split_entry(line: &'static str) -> Option<(&'static str, &'static str)> {
    let rest = line.strip_prefix('"')?;
    let end = rest.find("\":")?;
    let value = rest[end + 2..].strip_suffix(',').unwrap_or(&rest[end + 2..]);
    Some((&rest[..end], value))
}

impl VendoredJson {
    pub fn split(text: &'static str) -> VendoredJson {
        let mut scalars = BTreeMap::new();
        let mut tables: BTreeMap<&'static str, Vec<(&'static str, &'static str)>> = BTreeMap::new();
        let mut current: Option<&'static str> = None;
        for line in text.lines() {
            match current {
                Some(_) if line.starts_with('}') => current = None,
                Some(table) => {
                    let entry = split_entry(line).expect("vendored tables hold one `\"key\":value` per line");
                    tables.entry(table).or_default().push(entry);
                }
                None => {
                    let Some((key, value)) = split_entry(line) else {
                        continue;
                    };
                    if value == "{" {
                        current = Some(key);
                        tables.entry(key).or_default();
                    } else {
                        scalars.insert(key, value);
                    }
                }
            }
        }
        VendoredJson { scalars, tables }
    }

    /// A top-level value other than a table, deserialized.
    pub fn scalar<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.scalars
            .get(key)
            .map(|raw| serde_json::from_str(raw).expect("vendored scalars are valid JSON"))
    }

    /// A table whose entries are deserialized on first use; empty if absent.
    pub fn table<T: DeserializeOwned>(&self, key: &str) -> LazyTable<T> {
        self.table_with(key, |raw| {
            serde_json::from_str(raw).expect("vendored table entries are valid JSON")
        })
    }

    /// A table whose entries are turned into values by `parse` on first use.
    pub fn table_with<T>(&self, key: &str, parse: fn(&'static str) -> T) -> LazyTable<T> {
        LazyTable {
            parse,
            entries: self
                .tables
                .get(key)
                .map(|entries| {
                    entries
                        .iter()
                        .map(|(name, raw)| (*name, (*raw, OnceLock::new())))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// A map from names to values deserialized the first time each is read.
pub struct LazyTable<T> {
    parse: fn(&'static str) -> T,
    entries: BTreeMap<&'static str, (&'static str, OnceLock<T>)>,
}

impl<T> LazyTable<T> {
    pub fn get(&self, key: &str) -> Option<&T> {
        self.entries.get(key).map(|entry| self.parsed(entry))
    }

    /// Like `get`, comparing names without regard to ASCII case (IAM service prefixes).
    pub fn get_ignore_case(&self, key: &str) -> Option<&T> {
        self.get(key).or_else(|| {
            self.entries
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(key))
                .map(|(_, entry)| self.parsed(entry))
        })
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.entries.keys().copied()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn parsed<'a>(&self, (raw, cell): &'a (&'static str, OnceLock<T>)) -> &'a T {
        cell.get_or_init(|| (self.parse)(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line layout holds: splitting loses nothing a full parse sees.
    fn assert_split_matches_full_parse(text: &'static str) {
        let full: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).unwrap();
        let split = VendoredJson::split(text);
        for (key, value) in &full {
            match value {
                serde_json::Value::Object(entries) if split.tables.contains_key(key.as_str()) => {
                    let table = split.table::<serde_json::Value>(key);
                    assert_eq!(table.len(), entries.len(), "{key}");
                    for (name, entry) in entries {
                        assert_eq!(table.get(name), Some(entry), "{key}.{name}");
                    }
                }
                other => assert_eq!(split.scalar::<serde_json::Value>(key).as_ref(), Some(other), "{key}"),
            }
        }
        assert_eq!(split.scalars.len() + split.tables.len(), full.len());
    }

    #[test]
    fn iam_data_splits_losslessly() {
        assert_split_matches_full_parse(crate::aws::iam::IAM_DATA);
    }

    #[test]
    fn provider_schema_splits_losslessly() {
        assert_split_matches_full_parse(crate::validate::schema::PROVIDER_SCHEMA);
    }
}
