//! `Info.plist` (binary `bplist00` or XML), read with a bounded pre-scan: the plist crate
//! builds values recursively, so depth, object count and reference cycles are checked on
//! its event stream first (cycles are reported by its binary reader as events fail).

use std::io::Cursor;

use plist::stream::{Event, Reader};

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
        return Err(format!("{} bytes is larger than the {MAX_BYTES}-byte limit", data.len()));
    }
    let mut depth = 0usize;
    for (count, event) in Reader::new(Cursor::new(data)).enumerate() {
        if count >= MAX_EVENTS {
            return Err(format!("more than {MAX_EVENTS} values"));
        }
        match event.map_err(|e| e.to_string())? {
            Event::StartArray(_) | Event::StartDictionary(_) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(format!("nested deeper than {MAX_DEPTH} levels"));
                }
            }
            Event::EndCollection => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    plist::Value::from_reader(Cursor::new(data)).map_err(|e| e.to_string())
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
        let text = |key: &str| dict.get(key).and_then(plist::Value::as_string).map(str::to_owned);
        let required = |key: &str| text(key).filter(|s| !s.is_empty()).ok_or_else(|| format!("{key} is missing"));
        Ok(Self {
            identifier: required("CFBundleIdentifier")?,
            executable: required("CFBundleExecutable")?,
            short_version: text("CFBundleShortVersionString"),
            build_version: text("CFBundleVersion"),
            minimum_os: text("MinimumOSVersion"),
            package_type: text("CFBundlePackageType"),
            name: text("CFBundleName"),
            format: if data.starts_with(b"bplist") { "binary" } else { "xml" },
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
    fn refuses_deep_and_cyclic_plists() {
        let deep = format!(
            "<?xml version=\"1.0\"?><plist version=\"1.0\">{}{}</plist>",
            "<array>".repeat(10_000),
            "</array>".repeat(10_000)
        );
        assert!(parse_bounded(deep.as_bytes()).unwrap_err().contains("deeper"));
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
