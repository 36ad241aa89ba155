//! JAR manifest text (`META-INF/MANIFEST.MF` and the `.SF` file share the syntax).
//!
//! ```text
//! Manifest-Version: 1.0\r\n          main section: version attribute first,
//! Created-By: 1.0 (Android)\r\n      the others sorted by name
//! \r\n
//! Name: classes.dex\r\n              one section per entry, entries sorted by
//! SHA-256-Digest: <base64>\r\n       name (Java String order = UTF-16 units)
//! \r\n
//! ```
//! Lines are cut at 70 bytes (72 with CRLF); continuation lines start with one space
//! (apksig ManifestWriter.MAX_LINE_LENGTH = 70).

use std::borrow::Cow;
use std::cmp::Ordering;

const MAX_LINE: usize = 70;

/// Writes `name: value` with apksig's wrapping (no allocation: 21,000 of these per APK).
pub fn write_attribute(out: &mut Vec<u8>, name: &str, value: &str) {
    // Bytes on the current line; the first holds MAX_LINE, continuations a space + the rest.
    let mut on_line = 0;
    for part in [name.as_bytes(), b": ", value.as_bytes()] {
        let mut rest = part;
        while !rest.is_empty() {
            if on_line == MAX_LINE {
                out.extend_from_slice(b"\r\n ");
                on_line = 1;
            }
            let (head, tail) = rest.split_at((MAX_LINE - on_line).min(rest.len()));
            out.extend_from_slice(head);
            on_line += head.len();
            rest = tail;
        }
    }
    out.extend_from_slice(b"\r\n");
}

/// A main section: `first` (e.g. `Manifest-Version`) then the rest sorted by name.
pub fn write_main_section(out: &mut Vec<u8>, first: (&str, &str), others: &[(String, String)]) {
    write_attribute(out, first.0, first.1);
    let mut sorted: Vec<&(String, String)> = others
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case(first.0))
        .collect();
    sorted.sort_by(|a, b| java_cmp(&a.0, &b.0));
    sorted.dedup_by(|a, b| a.0 == b.0);
    for (n, v) in sorted {
        write_attribute(out, n, v);
    }
    out.extend_from_slice(b"\r\n");
}

/// One individual section: `Name: <name>` then one attribute, then the blank line.
pub fn individual_section(name: &str, attr: &str, value: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len() + attr.len() + value.len() + 16);
    write_individual_section(&mut out, name, attr, value);
    out
}

/// [`individual_section`], appended to `out`.
pub fn write_individual_section(out: &mut Vec<u8>, name: &str, attr: &str, value: &str) {
    write_attribute(out, "Name", name);
    write_attribute(out, attr, value);
    out.extend_from_slice(b"\r\n");
}

/// `String.compareTo`: lexicographic over UTF-16 code units.
pub fn java_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// A parsed section: its attributes (names as written) and its exact bytes. Names and
/// values borrow the text; only one continued over several lines is copied (a
/// MANIFEST.MF of 21,000 entries is parsed in every self-verification).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section<'t> {
    pub attributes: Vec<(Cow<'t, str>, Cow<'t, str>)>,
    pub bytes: std::ops::Range<usize>,
}

impl Section<'_> {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

/// Splits manifest text into sections (the first is the main section). Accepts CRLF, LF
/// or CR line ends like `java.util.jar.Manifest`; refuses lines without `: `.
pub fn parse(text: &[u8]) -> Result<Vec<Section<'_>>, String> {
    parse_sections(text, usize::MAX)
}

/// The main section's attributes as owned strings, when the whole text parses (the
/// input's `MANIFEST.MF`, whose main attributes a re-signed package keeps).
pub fn main_attributes(text: &[u8]) -> Option<Vec<(String, String)>> {
    let main = parse(text).ok()?.into_iter().next()?;
    Some(
        main.attributes
            .into_iter()
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect(),
    )
}

/// The main section alone (a `.SF` whose whole-manifest digest matches needs nothing
/// else: its 21,000 entry sections need not be parsed).
pub fn parse_main(text: &[u8]) -> Result<Section<'_>, String> {
    parse_sections(text, 1)?
        .into_iter()
        .next()
        .ok_or_else(|| "it is empty".to_owned())
}

/// The first `limit` sections.
fn parse_sections(text: &[u8], limit: usize) -> Result<Vec<Section<'_>>, String> {
    let mut sections = Vec::new();
    let mut attributes: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
    let mut start = 0usize;
    let mut pos = 0usize;
    let mut in_section = false;
    let mut main_done = false;
    while pos < text.len() && sections.len() < limit {
        let rest = text.get(pos..).unwrap_or_default();
        let line_len = memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
        let line = rest.get(..line_len).unwrap_or_default();
        let mut next = pos + line_len;
        if text.get(next) == Some(&b'\r') {
            next += 1;
        }
        if text.get(next) == Some(&b'\n') {
            next += 1;
        }
        if line.is_empty() {
            if in_section || !main_done {
                sections.push(Section {
                    attributes: std::mem::replace(&mut attributes, Vec::with_capacity(2)),
                    bytes: start..next,
                });
                main_done = true;
            }
            in_section = false;
            start = next;
        } else if let Some(cont) = line.strip_prefix(b" ") {
            let Some(last) = attributes.last_mut() else {
                return Err("a continuation line has nothing to continue".to_owned());
            };
            last.1.to_mut().push_str(&String::from_utf8_lossy(cont));
        } else {
            let text_line =
                std::str::from_utf8(line).map_err(|_| "a line is not UTF-8".to_owned())?;
            let Some((n, v)) = text_line.split_once(": ") else {
                return Err(format!("line {text_line:?} is not `Name: value`"));
            };
            if !in_section && main_done && attributes.is_empty() {
                start = pos;
            }
            in_section = true;
            attributes.push((Cow::Borrowed(n), Cow::Borrowed(v)));
        }
        pos = next;
    }
    if (in_section || !main_done) && sections.len() < limit {
        sections.push(Section {
            attributes,
            bytes: start..text.len(),
        });
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_70_bytes() {
        let mut out = Vec::new();
        write_attribute(&mut out, "Name", &"x".repeat(200));
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0].len(), 70);
        assert!(lines[1].starts_with(' ') && lines[1].len() == 70);
        let parsed = parse(text.as_bytes()).unwrap();
        assert_eq!(parsed[0].get("Name").unwrap(), &"x".repeat(200));
    }

    /// The line cut of apksig's ManifestWriter, written out the obvious way.
    fn reference_attribute(name: &str, value: &str) -> Vec<u8> {
        let line = format!("{name}: {value}");
        let mut out = Vec::new();
        let mut rest = line.as_bytes();
        let mut first = true;
        while !rest.is_empty() {
            let take = if first { MAX_LINE } else { MAX_LINE - 1 }.min(rest.len());
            if !first {
                out.extend_from_slice(b"\r\n ");
            }
            out.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            first = false;
        }
        out.extend_from_slice(b"\r\n");
        out
    }

    #[test]
    fn wrapping_matches_the_line_cut_at_every_length() {
        for name_len in [1, 4, 14, 68, 69, 70, 71, 140] {
            for value_len in 0..220 {
                let (name, value) = ("n".repeat(name_len), "v".repeat(value_len));
                let mut out = Vec::new();
                write_attribute(&mut out, &name, &value);
                assert_eq!(
                    out,
                    reference_attribute(&name, &value),
                    "{name_len}/{value_len}"
                );
            }
        }
    }

    #[test]
    fn sections_keep_their_bytes() {
        let mut m = Vec::new();
        write_main_section(&mut m, ("Manifest-Version", "1.0"), &[]);
        let s = individual_section("a.txt", "SHA-256-Digest", "abc=");
        m.extend_from_slice(&s);
        let parsed = parse(&m).unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(&m[parsed[1].bytes.clone()], &s[..]);
        assert_eq!(parsed[1].get("name"), Some("a.txt"));
    }

    /// A main section (`version`, `Created-By: x`) and one entry section for `a.txt`.
    fn main_and_one_section(version: (&str, &str)) -> Vec<u8> {
        let mut m = Vec::new();
        write_main_section(
            &mut m,
            version,
            &[("Created-By".to_owned(), "x".to_owned())],
        );
        m.extend_from_slice(&individual_section("a.txt", "SHA-256-Digest", "abc="));
        m
    }

    #[test]
    fn the_main_section_alone() {
        let m = main_and_one_section(("Signature-Version", "1.0"));
        let main = parse_main(&m).unwrap();
        assert_eq!(main, parse(&m).unwrap()[0]);
        assert_eq!(main.get("created-by"), Some("x"));
        assert!(parse_main(b"").is_ok());
        assert!(parse_main(b"no colon\r\n").is_err());
    }

    #[test]
    fn main_attributes_only_of_a_manifest_that_parses_whole() {
        let mut m = main_and_one_section(("Manifest-Version", "1.0"));
        assert_eq!(
            main_attributes(&m),
            Some(vec![
                ("Manifest-Version".to_owned(), "1.0".to_owned()),
                ("Created-By".to_owned(), "x".to_owned()),
            ])
        );
        m.extend_from_slice(b"no colon\r\n");
        assert_eq!(main_attributes(&m), None);
    }

    #[test]
    fn utf16_order() {
        // U+FF61 sorts after U+1F600 in UTF-8 byte order but before it in UTF-16.
        assert_eq!(java_cmp("\u{1F600}", "\u{FF61}"), Ordering::Less);
    }
}
