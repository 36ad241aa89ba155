//! Canonical JSON: the exact bytes the report signature covers.
//!
//! The form is RFC 8785 (JSON Canonicalization Scheme) restricted to what the report uses,
//! so any JCS implementation reproduces it byte for byte:
//!
//! - **No insignificant whitespace**: no space, tab or newline outside strings.
//! - **Objects**: members sorted by key, comparing keys as sequences of UTF-16 code units
//!   (JCS §3.2.3); duplicate keys are rejected when reading, never resolved.
//! - **Strings**: UTF-8; escaped are only `"` → `\"`, `\` → `\\`, the controls U+0008,
//!   U+0009, U+000A, U+000C, U+000D → `\b \t \n \f \r`, and every other control below
//!   U+0020 → `\u00xx` with lowercase hex. Everything else (including `/`, non-ASCII and
//!   U+007F) is written as itself.
//! - **Numbers**: integers only, in `[-(2^53-1), 2^53-1]`, written in plain decimal
//!   without sign for non-negative values or leading zeros — exactly what JCS's ECMAScript
//!   number formatting gives for those values. Fractions and exponents are rejected.
//! - `true`, `false`, `null` as themselves.
//!
//! The signed message is the canonical form of the report object *without* its top-level
//! `signature` member, as UTF-8 bytes. Layout of the file on disk (indentation, member
//! order, escapes) therefore does not matter to the signature; content does.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Largest integer magnitude JSON numbers may have (exactly representable in IEEE 754 doubles).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Why a value has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    #[error("number {0} is not an integer within ±(2^53-1)")]
    Number(String),
}

/// The canonical bytes of `value`.
pub fn to_canonical(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    let mut out = Vec::with_capacity(4096);
    write_value(value, &mut out)?;
    Ok(out)
}

fn write_value(value: &Value, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(n, out)?,
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push(b'{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out);
                out.push(b':');
                write_value(item, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_number(n: &Number, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    if let Some(u) = n.as_u64().filter(|u| *u <= MAX_SAFE_INTEGER) {
        out.extend_from_slice(u.to_string().as_bytes());
        return Ok(());
    }
    if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= MAX_SAFE_INTEGER) {
        out.extend_from_slice(i.to_string().as_bytes());
        return Ok(());
    }
    Err(CanonicalError::Number(n.to_string()))
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let mut buf = [0u8; 4];
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\r' => out.extend_from_slice(b"\\r"),
            c if u32::from(c) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes());
            }
            c => out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
        }
    }
    out.push(b'"');
}

/// Parse JSON text strictly for verification: duplicate object keys, non-integer numbers
/// and integers beyond ±(2^53-1) are errors (each could make two readers disagree about
/// what was signed). Nesting depth is bounded by `serde_json` (128).
pub fn parse_strict(text: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let value = StrictValue::deserialize_from(&mut de)?;
    de.end()?;
    Ok(value)
}

/// A `serde_json::Value` built by a visitor that refuses what canonical JSON cannot hold.
struct StrictValue(Value);

impl StrictValue {
    fn deserialize_from<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        use serde::Deserialize as _;
        StrictValue::deserialize(d).map(|v| v.0)
    }
}

impl<'de> serde::Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = StrictValue;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value with integer numbers and unique keys")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<StrictValue, E> {
        if v.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(E::custom(format!("number {v} is beyond ±(2^53-1)")));
        }
        Ok(StrictValue(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<StrictValue, E> {
        if v > MAX_SAFE_INTEGER {
            return Err(E::custom(format!("number {v} is beyond 2^53-1")));
        }
        Ok(StrictValue(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<StrictValue, E> {
        Err(E::custom(format!(
            "number {v} is not an integer (reports hold integers only)"
        )))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::String(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::String(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<StrictValue, E> {
        Ok(StrictValue(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrictValue, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(StrictValue(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrictValue, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if members.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key {key:?}")));
            }
            let StrictValue(item) = map.next_value()?;
            members.insert(key, item);
        }
        Ok(StrictValue(Value::Object(members)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canon(v: &Value) -> String {
        String::from_utf8(to_canonical(v).unwrap()).unwrap()
    }

    #[test]
    fn sorts_keys_and_drops_whitespace() {
        let v = parse_strict(br#" { "b" : [ 1 , true , null ] , "a" : { "d" : "x", "c": -2 } } "#)
            .unwrap();
        assert_eq!(canon(&v), r#"{"a":{"c":-2,"d":"x"},"b":[1,true,null]}"#);
    }

    #[test]
    fn escapes_exactly_as_jcs() {
        let v = json!({"s": "q\" b\\ \u{8}\t\n\u{c}\r \u{1} \u{1f} / é € 😀 \u{7f}"});
        assert_eq!(
            canon(&v),
            "{\"s\":\"q\\\" b\\\\ \\b\\t\\n\\f\\r \\u0001 \\u001f / é € 😀 \u{7f}\"}"
        );
    }

    #[test]
    fn sorts_by_utf16_code_units_like_jcs() {
        // U+FB01 (one unit 0xFB01) sorts after U+1F600 (surrogates 0xD83D..) in UTF-16
        // order, though before it in UTF-8 / code point order.
        let v = json!({"\u{fb01}": 1, "\u{1f600}": 2, "a": 3});
        assert_eq!(canon(&v), "{\"a\":3,\"\u{1f600}\":2,\"\u{fb01}\":1}");
    }

    #[test]
    fn rejects_what_has_no_single_meaning() {
        assert!(parse_strict(br#"{"a":1,"a":2}"#).is_err());
        assert!(parse_strict(br#"{"a":1.5}"#).is_err());
        assert!(parse_strict(br#"{"a":1e3}"#).is_err());
        assert!(parse_strict(br#"{"a":9007199254740992}"#).is_err());
        assert!(parse_strict(br#"{"a":-9007199254740992}"#).is_err());
        assert!(parse_strict(br#"{"a":9007199254740991} x"#).is_err());
        assert!(parse_strict(br#"{"a":-9007199254740991}"#).is_ok());
        assert!(to_canonical(&json!({"a": 9_007_199_254_740_992u64})).is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert!(parse_strict(deep.as_bytes()).is_err());
    }
}
