//! Reading the file into a JSON tree that keeps what `serde_json::Value` throws away.
//!
//! `serde_json::Value` keeps only the last of two equal keys, so a fusion set with two
//! `"pins"` would silently lose one. [`Node`] keeps every member of an object in file
//! order (duplicates included) so validation can name them. The reader also bounds the
//! nesting depth itself (with a message naming the limit) instead of relying on
//! serde_json's generic recursion guard, and reports invalid UTF-8 with its position.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Nesting deeper than this is refused. The schema needs 5 levels
/// (`CertificatePinning.localized.de.buttons[0]`); 32 leaves room for comments and
/// future fields while keeping recursion shallow.
pub const MAX_DEPTH: usize = 32;

/// One JSON value, objects as ordered member lists.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Node>),
    /// Members in file order; the same key may appear more than once.
    Object(Vec<(String, Node)>),
}

impl Node {
    /// What this value is, for "expected X, found Y" messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Number(_) => "a number",
            Self::String(_) => "a string",
            Self::Array(_) => "an array",
            Self::Object(_) => "an object",
        }
    }
}

/// Parse `bytes` as one JSON document. The error is a message for the whole file
/// (reported at path `$`).
pub fn parse(bytes: &[u8]) -> Result<Node, String> {
    // RFC 8259 §8.1 lets a parser ignore a UTF-8 byte order mark; Windows editors add one.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| utf8_message(bytes, e))?;
    if text.trim().is_empty() {
        return Err(
            "the file is empty — a fusion set is one JSON object (see `fuse fusion-set init`)"
                .into(),
        );
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let node = NodeSeed { depth: 0 }
        .deserialize(&mut de)
        .and_then(|node| de.end().map(|()| node))
        .map_err(|e| format!("not valid JSON: {e}"))?;
    Ok(node)
}

fn utf8_message(bytes: &[u8], e: std::str::Utf8Error) -> String {
    let offset = e.valid_up_to();
    let before = bytes.get(..offset).unwrap_or_default();
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    // Columns count characters, as serde_json's do.
    let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default())
        .chars()
        .count()
        + 1;
    let byte = bytes.get(offset).copied().unwrap_or_default();
    format!(
        "not UTF-8 text: invalid byte 0x{byte:02x} at line {line} column {column} (byte offset {offset}) — save the file as UTF-8"
    )
}

/// Deserialises one value, counting nesting depth on the way down.
struct NodeSeed {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for NodeSeed {
    type Value = Node;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor { depth: self.depth })
    }
}

struct NodeVisitor {
    depth: usize,
}

impl NodeVisitor {
    fn enter<E: de::Error>(&self) -> Result<NodeSeed, E> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            return Err(E::custom(format_args!(
                "nested deeper than {MAX_DEPTH} levels of arrays and objects"
            )));
        }
        Ok(NodeSeed { depth })
    }
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        // serde_json never produces a non-finite float from JSON text.
        serde_json::Number::from_f64(v)
            .map(Node::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        loop {
            let seed = self.enter()?;
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => break,
            }
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut members = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let seed = self.enter()?;
            let value = map.next_value_seed(seed)?;
            members.push((key, value));
        }
        Ok(Node::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_kept_in_order() {
        let node = parse(br#"{"a": 1, "a": 2}"#).unwrap();
        let Node::Object(members) = node else {
            panic!("object expected")
        };
        assert_eq!(members.len(), 2);
        assert_eq!(members[0].0, "a");
        assert_eq!(members[1].1, Node::Number(2.into()));
    }

    #[test]
    fn depth_is_limited_with_a_clear_message() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        parse(ok.as_bytes()).unwrap();
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let e = parse(deep.as_bytes()).unwrap_err();
        assert!(e.contains("nested deeper than 32"), "{e}");
        // Far beyond serde_json's own limit: still our message, no stack overflow.
        let very_deep = "[".repeat(100_000);
        let e = parse(very_deep.as_bytes()).unwrap_err();
        assert!(e.contains("nested deeper than 32"), "{e}");
    }

    #[test]
    fn invalid_utf8_names_the_position() {
        let e = parse(b"{\n  \"name\": \"caf\xe9\"\n}").unwrap_err();
        assert!(e.contains("invalid byte 0xe9 at line 2 column 15"), "{e}");
    }

    #[test]
    fn empty_and_trailing_garbage() {
        assert!(parse(b" \n").unwrap_err().contains("empty"));
        assert!(parse(b"{} x").unwrap_err().contains("trailing characters"));
        parse(b"\xEF\xBB\xBF{}").unwrap();
    }
}
