//! The app's DEX files: the set `classes.dex, classes2.dex, …` and just enough of the DEX
//! format to check each file's header and to recognise fuse's own bridge.
//!
//! ```text
//! DEX header (little endian, 0x70 bytes)             class_def (32 bytes)
//! 0x00 magic "dex\n0NN\0"     0x38 string_ids size/off    0x00 class_idx → type_ids
//! 0x08 adler32  0x0c sha1[20] 0x40 type_ids   size/off    ...
//! 0x20 file_size              0x60 class_defs size/off  type_id:   u32 descriptor_idx → string_ids
//! 0x24 header_size (0x70)                               string_id: u32 offset of string_data
//! 0x28 endian_tag 0x12345678                            string_data: uleb128 utf16 length, MUTF-8, NUL
//! ```
//!
//! Android (ART, and the platform's MultiDex) loads `classes.dex`, then `classes2.dex`,
//! `classes3.dex`, … and stops at the first missing number, so a gap silently drops code.
//! fuse refuses a set with a gap or a name that only looks like part of it
//! (`classes1.dex`, `classes02.dex`), since its own `classesN.dex` would land after it.

use std::io::Read as _;

use super::error::Error;
use crate::zip::{Archive, Entry};

/// DEX header length (versions 035–040; 041 containers have a longer header).
pub const HEADER_LEN: usize = 0x70;
const ENDIAN_CONSTANT: u32 = 0x1234_5678;
/// The class the bridge provider is; its presence marks a dex as fuse's bridge.
pub const BRIDGE_DESCRIPTOR: &[u8] = b"Lfuse/bridge/FuseProvider;";
/// fuse's bridge is ~10 KiB; a larger "last dex" is the app's own and is not read.
pub const MAX_BRIDGE_BYTES: u64 = 4 << 20;

/// The app's dex files, in load order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DexSet {
    names: Vec<String>,
}

impl DexSet {
    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The last file Android loads: where a previous fusion put the bridge.
    pub fn last(&self) -> Option<&str> {
        self.names.last().map(String::as_str)
    }

    /// The name the next dex gets (`classes.dex` for an app without code files).
    pub fn next_name(&self) -> String {
        name_of(self.names.len() + 1)
    }

    /// The set without its last file (after a previous bridge is taken out).
    pub fn without_last(&self) -> Self {
        let mut names = self.names.clone();
        names.pop();
        Self { names }
    }
}

/// `classes.dex` for 1, `classesN.dex` above.
pub fn name_of(n: usize) -> String {
    if n <= 1 {
        "classes.dex".to_owned()
    } else {
        format!("classes{n}.dex")
    }
}

/// Which position a root entry name takes in the dex set: `None` for names that are not
/// dex files Android looks at, `Err` for names that look like one but are not loaded.
fn position(name: &str) -> Option<Result<usize, &'static str>> {
    let middle = name.strip_prefix("classes")?.strip_suffix(".dex")?;
    if middle.is_empty() {
        return Some(Ok(1));
    }
    if !middle.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Err(
            "Android loads only classes.dex, classes2.dex, classes3.dex, … (decimal numbers)",
        ));
    }
    if middle.starts_with('0') {
        return Some(Err(
            "Android never loads a dex whose number has a leading zero",
        ));
    }
    match middle.parse::<usize>() {
        Ok(1) => Some(Err(
            "Android never loads classes1.dex (the first file is classes.dex, the second classes2.dex)",
        )),
        Ok(n) => Some(Ok(n)),
        Err(_) => Some(Err("its number is out of range")),
    }
}

/// Reads and checks the dex set of `archive`: names consecutive from `classes.dex`, every
/// file a DEX whose header agrees with its size.
pub fn read_set(archive: &Archive, path: &str) -> Result<DexSet, Error> {
    let mut found: Vec<(usize, &Entry)> = Vec::new();
    for e in archive.entries() {
        if e.name.contains('/') {
            continue;
        }
        match position(&e.name) {
            None => {}
            Some(Ok(n)) => found.push((n, e)),
            Some(Err(why)) => return Err(Error::dex(path, format!("dex file {}", e.name), why)),
        }
    }
    found.sort_by_key(|(n, _)| *n);
    for (i, (n, e)) in found.iter().enumerate() {
        let want = i + 1;
        if *n != want {
            return Err(Error::dex(
                path,
                format!("dex file {} without {}", e.name, name_of(want)),
                "Android stops loading at the first missing number, so the dex files after the gap would never run; rebuild the app",
            ));
        }
        check_header(archive, e, path)?;
    }
    Ok(DexSet {
        names: found.into_iter().map(|(_, e)| e.name.clone()).collect(),
    })
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([
        *s.first()?,
        *s.get(1)?,
        *s.get(2)?,
        *s.get(3)?,
    ]))
}

/// The header checks: magic and version, header size, endianness, and `file_size`
/// equal to the entry's size (a lie there is a truncated or padded file).
fn check_header(archive: &Archive, e: &Entry, path: &str) -> Result<(), Error> {
    let size = e.uncompressed_size();
    let bad = |why: String| Error::dex(path, format!("dex file {}", e.name), why);
    if size < HEADER_LEN as u64 {
        return Err(bad(format!(
            "it is {size} bytes, shorter than a DEX header ({HEADER_LEN}); the file is truncated or not DEX"
        )));
    }
    let head = read_prefix(archive, e, HEADER_LEN).map_err(Error::Apk)?;
    parse_header(&head, size).map(|_| ()).map_err(bad)
}

/// The fields of a DEX header fuse uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub version: u32,
    pub string_ids: (u32, u32),
    pub type_ids: (u32, u32),
    pub class_defs: (u32, u32),
}

/// Parses and checks a header against the file's real size.
pub fn parse_header(b: &[u8], size: u64) -> Result<Header, String> {
    let magic = b.get(..8).ok_or("the file is shorter than a DEX header")?;
    let version = match magic {
        [b'd', b'e', b'x', b'\n', a, c, d, 0] if [a, c, d].iter().all(|x| x.is_ascii_digit()) => {
            u32::from(a - b'0') * 100 + u32::from(c - b'0') * 10 + u32::from(d - b'0')
        }
        _ => return Err("it does not start with the DEX magic \"dex\\n0NN\\0\"".into()),
    };
    if !(35..=41).contains(&version) {
        return Err(format!(
            "DEX version {version:03} is not one Android defines (035–041)"
        ));
    }
    let field = |at| le32(b, at).ok_or_else(|| "the header is truncated".to_owned());
    let file_size = field(0x20)?;
    let header_size = field(0x24)?;
    let endian = field(0x28)?;
    if endian != ENDIAN_CONSTANT {
        return Err(format!(
            "its endian tag is {endian:#010x}, not {ENDIAN_CONSTANT:#010x} (big-endian or corrupt DEX)"
        ));
    }
    if (header_size as usize) < HEADER_LEN || u64::from(header_size) > size {
        return Err(format!("its header size {header_size} is impossible"));
    }
    if u64::from(file_size) != size {
        return Err(format!(
            "its header says {file_size} bytes but the file has {size} (truncated or padded)"
        ));
    }
    let pair = |at: usize| -> Result<(u32, u32), String> {
        let (count, off) = (field(at)?, field(at + 4)?);
        Ok((count, off))
    };
    Ok(Header {
        version,
        string_ids: pair(0x38)?,
        type_ids: pair(0x40)?,
        class_defs: pair(0x60)?,
    })
}

/// `count` records of `width` bytes at `off`, bounded by the file.
fn table(b: &[u8], (count, off): (u32, u32), width: usize, what: &str) -> Result<usize, String> {
    let end = (count as usize)
        .checked_mul(width)
        .and_then(|n| n.checked_add(off as usize))
        .filter(|&end| end <= b.len())
        .ok_or_else(|| {
            format!("its {what} table ({count} entries at {off:#x}) runs past the end of the file")
        })?;
    if count > 0 && (off as usize) < HEADER_LEN {
        return Err(format!("its {what} table overlaps the header"));
    }
    Ok(end)
}

/// Whether the DEX file `b` defines the class `descriptor` (e.g. `Lfuse/bridge/FuseProvider;`).
/// Every index and offset on the way is bounded; a lie is an error, never a panic.
pub fn defines_class(b: &[u8], descriptor: &[u8]) -> Result<bool, String> {
    let h = parse_header(b, b.len() as u64)?;
    table(b, h.string_ids, 4, "string_ids")?;
    table(b, h.type_ids, 4, "type_ids")?;
    table(b, h.class_defs, 32, "class_defs")?;
    for i in 0..h.class_defs.0 as usize {
        let at = h.class_defs.1 as usize + i * 32;
        let class_idx = le32(b, at).ok_or("class_defs truncated")?;
        if class_idx >= h.type_ids.0 {
            return Err(format!(
                "class_def {i} names type {class_idx}, but there are only {}",
                h.type_ids.0
            ));
        }
        let string_idx =
            le32(b, h.type_ids.1 as usize + class_idx as usize * 4).ok_or("type_ids truncated")?;
        if string_idx >= h.string_ids.0 {
            return Err(format!(
                "type {class_idx} names string {string_idx}, but there are only {}",
                h.string_ids.0
            ));
        }
        let data = le32(b, h.string_ids.1 as usize + string_idx as usize * 4)
            .ok_or("string_ids truncated")? as usize;
        if string_data(b, data)? == descriptor {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The MUTF-8 bytes of the string whose `string_data_item` starts at `at`.
fn string_data(b: &[u8], at: usize) -> Result<&[u8], String> {
    let rest = b
        .get(at..)
        .ok_or_else(|| format!("a string offset {at:#x} lies past the end of the file"))?;
    // uleb128 UTF-16 length: at most 5 bytes.
    let mut skip = 0;
    loop {
        let byte = *rest
            .get(skip)
            .ok_or("a string's length runs past the end of the file")?;
        skip += 1;
        if byte & 0x80 == 0 {
            break;
        }
        if skip == 5 {
            return Err("a string's length is not a valid uleb128".into());
        }
    }
    let text = rest.get(skip..).unwrap_or_default();
    let nul = text
        .iter()
        .position(|&c| c == 0)
        .ok_or("a string is not NUL-terminated")?;
    Ok(text.get(..nul).unwrap_or_default())
}

/// The first `n` uncompressed bytes of `e` (fewer if the entry is shorter), without
/// inflating the rest: enough to check a DEX header of a multi-megabyte file.
pub fn read_prefix(
    archive: &Archive,
    e: &Entry,
    n: usize,
) -> Result<Vec<u8>, crate::apk::ApkError> {
    let want = (n as u64).min(e.uncompressed_size()) as usize;
    if e.is_stored() {
        let mut out = vec![0u8; want.min(e.compressed_size() as usize)];
        archive.read_at(e.data_offset, &mut out)?;
        return Ok(out);
    }
    // Raw deflate of the compressed bytes, read in small steps until `want` bytes exist.
    struct EntryReader<'a> {
        archive: &'a Archive,
        pos: u64,
        end: u64,
    }
    impl std::io::Read for EntryReader<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = (self.end - self.pos).min(buf.len() as u64) as usize;
            let chunk = buf.get_mut(..n).unwrap_or_default();
            self.archive
                .read_at(self.pos, chunk)
                .map_err(std::io::Error::other)?;
            self.pos += n as u64;
            Ok(n)
        }
    }
    let reader = EntryReader {
        archive,
        pos: e.data_offset,
        end: e.data_offset + e.compressed_size(),
    };
    let mut out = Vec::with_capacity(want);
    flate2::bufread::DeflateDecoder::new(std::io::BufReader::with_capacity(4096, reader))
        .take(want as u64)
        .read_to_end(&mut out)
        .map_err(|err| {
            crate::apk::ApkError::Zip(crate::zip::ZipError::malformed(
                archive.path(),
                format!("entry {}", e.name),
                format!("corrupt deflate data ({err})"),
            ))
        })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_android_loads() {
        assert_eq!(position("classes.dex"), Some(Ok(1)));
        assert_eq!(position("classes2.dex"), Some(Ok(2)));
        assert_eq!(position("classes12.dex"), Some(Ok(12)));
        assert!(matches!(position("classes1.dex"), Some(Err(_))));
        assert!(matches!(position("classes02.dex"), Some(Err(_))));
        assert!(matches!(position("classesX.dex"), Some(Err(_))));
        assert!(matches!(
            position("classes99999999999999999999999.dex"),
            Some(Err(_))
        ));
        assert_eq!(position("classes.dex.bak"), None);
        assert_eq!(position("Classes2.dex"), None);
        assert_eq!(name_of(1), "classes.dex");
        assert_eq!(name_of(3), "classes3.dex");
    }

    #[test]
    fn the_embedded_bridge_is_recognised() {
        let dex = crate::payloads::bridge_dex();
        assert_eq!(defines_class(dex, BRIDGE_DESCRIPTOR), Ok(true));
        assert_eq!(defines_class(dex, b"Lcom/example/Nope;"), Ok(false));
    }

    #[test]
    fn mutated_bridges_never_panic() {
        let base = crate::payloads::bridge_dex().to_vec();
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..5000 {
            let mut b = base.clone();
            for _ in 0..(next() % 4 + 1) {
                // Aim at the header and the id tables, where the offsets live.
                let at = (next() as usize) % b.len().min(0x800);
                b[at] = next() as u8;
            }
            if next() % 8 == 0 {
                b.truncate((next() as usize) % b.len());
            }
            let _ = defines_class(&b, BRIDGE_DESCRIPTOR);
        }
    }

    #[test]
    fn header_lies_are_named() {
        let dex = crate::payloads::bridge_dex();
        let mut b = dex.to_vec();
        b[0x20] ^= 1;
        assert!(
            parse_header(&b, dex.len() as u64)
                .unwrap_err()
                .contains("header says")
        );
        let mut b = dex.to_vec();
        b[0x28] = 0;
        assert!(
            parse_header(&b, dex.len() as u64)
                .unwrap_err()
                .contains("endian")
        );
        let mut b = dex.to_vec();
        b[0x60..0x64].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(
            defines_class(&b, BRIDGE_DESCRIPTOR)
                .unwrap_err()
                .contains("class_defs")
        );
        assert!(parse_header(b"PK\x03\x04", 4).is_err());
    }
}
