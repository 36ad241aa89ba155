//! `Info.plist` (binary `bplist00` or XML), read with a bounded pre-scan: the plist crate
//! builds values recursively and does not expose its event stream, so the shape is
//! checked first by our own scanners — nesting depth, object count (a binary plist can
//! reference one object many times: "billion laughs") and reference cycles — and only
//! then handed to the plist crate.
//!
//! ```text
//! bplist00 | objects ... | offset table (num_objects × offset_int_size, BE) |
//! trailer (32 bytes): 6 unused, u8 offset_int_size, u8 object_ref_size,
//!                     u64 num_objects, u64 top_object, u64 offset_table_offset
//! object marker: high nibble = type (0xA array, 0xC set, 0xD dict), low nibble = count,
//!                0xF = count follows as an int object (0x1n: 2^n bytes, BE)
//! ```

use std::io::Cursor;

/// Deeper than any real Info.plist or entitlements file (they are 3–5 levels).
pub const MAX_DEPTH: usize = 32;
/// Events (values) in one plist; a binary plist can reference one object many times, so
/// this also stops exponential "billion laughs" expansion.
pub const MAX_EVENTS: usize = 200_000;
/// Bytes of one plist file.
pub const MAX_BYTES: u64 = 8 << 20;

/// Parse a plist with the bounds above. The error is a short reason.
pub fn parse_bounded(data: &[u8]) -> Result<plist::Value, String> {
    if data.len() as u64 > MAX_BYTES {
        return Err(format!(
            "{} bytes is larger than the {MAX_BYTES}-byte limit",
            data.len()
        ));
    }
    if data.starts_with(b"bplist00") {
        check_binary_shape(data)?;
    } else {
        check_xml_depth(data)?;
    }
    plist::Value::from_reader(Cursor::new(data)).map_err(|e| e.to_string())
}

/// Depth of `<array>`/`<dict>` nesting in an XML plist (comments, CDATA and processing
/// instructions skipped; self-closing tags do not nest).
fn check_xml_depth(data: &[u8]) -> Result<(), String> {
    let mut depth = 0usize;
    let mut elements = 0usize;
    let mut at = 0usize;
    while let Some(open) = data
        .get(at..)
        .and_then(|rest| rest.iter().position(|&b| b == b'<'))
    {
        let start = at + open;
        let rest = data.get(start..).unwrap_or_default();
        let skip_to = |end: &[u8]| {
            rest.windows(end.len())
                .position(|w| w == end)
                .map(|p| start + p + end.len())
        };
        let next = if rest.starts_with(b"<!--") {
            skip_to(b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            skip_to(b"]]>")
        } else {
            // The tag ends at the first `>` outside a quoted attribute value, as an XML
            // reader sees it (a quoted `>` must not end it early, or markup hidden in an
            // attribute would be counted).
            let close = tag_end(rest).map(|p| start + p + 1);
            let tag = data
                .get(start + 1..close.unwrap_or(start + 1).saturating_sub(1))
                .unwrap_or_default();
            let (closing, body) = match tag.strip_prefix(b"/") {
                Some(body) => (true, body),
                None => (false, tag),
            };
            let name_end = body
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'/')
                .unwrap_or(body.len());
            let name = body.get(..name_end).unwrap_or_default();
            let self_closing = tag.ends_with(b"/");
            elements += 1;
            if elements > MAX_EVENTS {
                return Err(format!("more than {MAX_EVENTS} values"));
            }
            match (closing, name) {
                (false, b"array" | b"dict") if !self_closing => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(format!("nested deeper than {MAX_DEPTH} levels"));
                    }
                }
                (true, b"array" | b"dict") => depth = depth.saturating_sub(1),
                _ => {}
            }
            close
        };
        at = next.ok_or_else(|| "unterminated XML markup".to_owned())?;
    }
    Ok(())
}

/// Offset of the `>` that ends the markup starting at `tag[0] == b'<'`, skipping quoted
/// attribute values.
fn tag_end(tag: &[u8]) -> Option<usize> {
    let mut quote = None;
    for (i, &b) in tag.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// Walk a binary plist's object graph from its top object without recursion: bounded
/// depth and visit count, and a reference back to an object on the current path is a cycle.
fn check_binary_shape(data: &[u8]) -> Result<(), String> {
    let bad = |what: &str| Err(format!("binary plist: {what}"));
    let trailer = match data.len().checked_sub(32).and_then(|at| data.get(at..)) {
        Some(t) if data.len() >= 8 + 32 => t,
        _ => return bad("truncated"),
    };
    let be = |bytes: &[u8]| bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    let offset_size = usize::from(trailer.get(6).copied().unwrap_or(0));
    let ref_size = usize::from(trailer.get(7).copied().unwrap_or(0));
    let num_objects = be(trailer.get(8..16).unwrap_or_default());
    let top = be(trailer.get(16..24).unwrap_or_default());
    let table_at = be(trailer.get(24..32).unwrap_or_default());
    if !(1..=8).contains(&offset_size) || !(1..=8).contains(&ref_size) {
        return bad("bad integer sizes in the trailer");
    }
    let table_len = num_objects.checked_mul(offset_size as u64);
    if num_objects == 0
        || top >= num_objects
        || table_len
            .and_then(|l| l.checked_add(table_at))
            .is_none_or(|end| end > data.len() as u64 - 32)
    {
        return bad("object table outside the file");
    }
    // In bounds: checked above.
    let (num_objects, table_at) = (num_objects as usize, table_at as usize);
    let offset_of = |obj: usize| -> Option<usize> {
        let at = table_at + obj * offset_size;
        let off = be(data.get(at..at + offset_size)?);
        usize::try_from(off).ok().filter(|&o| o < table_at)
    };
    // Children (object references) of a container object, or none for scalars.
    let children = |obj: usize| -> Result<Vec<usize>, String> {
        let at = offset_of(obj)
            .ok_or_else(|| "binary plist: object offset outside the file".to_owned())?;
        let marker = data.get(at).copied().unwrap_or(0);
        let kind = marker >> 4;
        if !matches!(kind, 0xA | 0xC | 0xD) {
            return Ok(Vec::new());
        }
        let (count, refs_at) = match marker & 0x0f {
            0x0f => {
                let int_marker = data.get(at + 1).copied().unwrap_or(0);
                if int_marker >> 4 != 1 || int_marker & 0x0f > 3 {
                    return Err("binary plist: bad collection length".to_owned());
                }
                let width = 1usize << (int_marker & 0x0f);
                let n = be(data.get(at + 2..at + 2 + width).unwrap_or_default());
                (n, at + 2 + width)
            }
            n => (u64::from(n), at + 1),
        };
        let refs = if kind == 0xD {
            count.saturating_mul(2)
        } else {
            count
        };
        if refs.saturating_mul(ref_size as u64) > (table_at.saturating_sub(refs_at)) as u64 {
            return Err("binary plist: collection runs past the objects".to_owned());
        }
        (0..refs as usize)
            .map(|i| {
                let r = be(data
                    .get(refs_at + i * ref_size..refs_at + (i + 1) * ref_size)
                    .unwrap_or_default());
                usize::try_from(r)
                    .ok()
                    .filter(|&r| r < num_objects)
                    .ok_or_else(|| "binary plist: reference to a missing object".to_owned())
            })
            .collect()
    };

    enum Step {
        Enter(usize, usize),
        Leave(usize),
    }
    let mut on_path = vec![false; num_objects];
    let mut stack = vec![Step::Enter(top as usize, 1)];
    let mut visits = 0usize;
    while let Some(step) = stack.pop() {
        match step {
            Step::Leave(obj) => {
                if let Some(flag) = on_path.get_mut(obj) {
                    *flag = false;
                }
            }
            Step::Enter(obj, depth) => {
                visits += 1;
                if visits > MAX_EVENTS {
                    return Err(format!("more than {MAX_EVENTS} values"));
                }
                if depth > MAX_DEPTH {
                    return Err(format!("nested deeper than {MAX_DEPTH} levels"));
                }
                match on_path.get_mut(obj) {
                    Some(flag) if *flag => {
                        return bad("an object contains itself (reference cycle)");
                    }
                    Some(flag) => *flag = true,
                    None => return bad("reference to a missing object"),
                }
                stack.push(Step::Leave(obj));
                for child in children(obj)? {
                    stack.push(Step::Enter(child, depth + 1));
                }
            }
        }
    }
    Ok(())
}

/// The facts fuse takes from a bundle's `Info.plist`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BundleInfo {
    pub identifier: String,
    pub executable: String,
    pub short_version: Option<String>,
    pub build_version: Option<String>,
    pub minimum_os: Option<String>,
    pub package_type: Option<String>,
    pub name: Option<String>,
    /// `binary` or `xml`.
    pub format: &'static str,
}

impl BundleInfo {
    pub fn parse(data: &[u8]) -> Result<Self, String> {
        let value = parse_bounded(data)?;
        let dict = value
            .as_dictionary()
            .ok_or_else(|| "the root is not a dictionary".to_owned())?;
        let text = |key: &str| {
            dict.get(key)
                .and_then(plist::Value::as_string)
                .map(str::to_owned)
        };
        let required = |key: &str| {
            text(key)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| format!("{key} is missing"))
        };
        Ok(Self {
            identifier: required("CFBundleIdentifier")?,
            executable: required("CFBundleExecutable")?,
            short_version: text("CFBundleShortVersionString"),
            build_version: text("CFBundleVersion"),
            minimum_os: text("MinimumOSVersion"),
            package_type: text("CFBundlePackageType"),
            name: text("CFBundleName"),
            format: if data.starts_with(b"bplist") {
                "binary"
            } else {
                "xml"
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_xml_and_binary() {
        let mut dict = plist::Dictionary::new();
        dict.insert("CFBundleIdentifier".into(), "com.example.a".into());
        dict.insert("CFBundleExecutable".into(), "A".into());
        dict.insert("MinimumOSVersion".into(), "14.0".into());
        let value = plist::Value::Dictionary(dict);
        let mut xml = Vec::new();
        value.to_writer_xml(&mut xml).unwrap();
        let mut bin = Vec::new();
        value.to_writer_binary(&mut bin).unwrap();
        for (data, format) in [(xml, "xml"), (bin, "binary")] {
            let info = BundleInfo::parse(&data).unwrap();
            assert_eq!(info.identifier, "com.example.a");
            assert_eq!(info.minimum_os.as_deref(), Some("14.0"));
            assert_eq!(info.format, format);
        }
    }

    #[test]
    fn many_sibling_collections_are_not_depth() {
        // tests/hostile ipa-info-plist-40-sibling-arrays: closing tags were never matched,
        // so every <array>/<dict> counted as one more level.
        let mut dict = plist::Dictionary::new();
        dict.insert("CFBundleIdentifier".into(), "com.example.a".into());
        dict.insert("CFBundleExecutable".into(), "A".into());
        for i in 0..100 {
            dict.insert(format!("K{i}"), plist::Value::Array(vec!["x".into()]));
        }
        let mut xml = Vec::new();
        plist::Value::Dictionary(dict)
            .to_writer_xml(&mut xml)
            .unwrap();
        assert!(BundleInfo::parse(&xml).is_ok());
    }

    #[test]
    fn markup_hidden_in_attribute_values_does_not_reset_the_depth() {
        // A quoted `>` ended the tag early, so a `</array>` inside the attribute value
        // counted as a close: nesting of any depth passed the scan.
        let level = br#"<array><string a=">" b="</array>">s</string>"#;
        let mut xml = b"<plist><dict><key>K</key>".to_vec();
        for _ in 0..40 {
            xml.extend_from_slice(level);
        }
        xml.extend_from_slice(&b"</array>".repeat(40));
        xml.extend_from_slice(b"</dict></plist>");
        let err = parse_bounded(&xml).unwrap_err();
        assert!(err.contains("nested deeper"), "{err}");
    }

    #[test]
    fn refuses_deep_and_cyclic_plists() {
        let deep = format!(
            "<?xml version=\"1.0\"?><plist version=\"1.0\">{}{}</plist>",
            "<array>".repeat(10_000),
            "</array>".repeat(10_000)
        );
        assert!(
            parse_bounded(deep.as_bytes())
                .unwrap_err()
                .contains("deeper")
        );
        // Root array (object 0) containing a reference to itself.
        let mut cyclic = b"bplist00\xa1\x00\x08".to_vec();
        cyclic.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 1]);
        cyclic.extend_from_slice(&1u64.to_be_bytes());
        cyclic.extend_from_slice(&0u64.to_be_bytes());
        cyclic.extend_from_slice(&10u64.to_be_bytes());
        assert!(parse_bounded(&cyclic).is_err());
        assert!(BundleInfo::parse(b"<plist version=\"1.0\"><array/></plist>").is_err());
    }
}
