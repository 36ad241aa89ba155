//! The string pool (`ResStringPool_header` + tables + data): every name, namespace and
//! string value of a binary XML document is an index into it.
//!
//! ```text
//! offset            size        field
//! 0                 8           chunk header: type 0x0001, headerSize (≥ 28), size
//! 8                 4           stringCount
//! 12                4           styleCount            (≤ stringCount: style i styles string i)
//! 16                4           flags                 0x001 SORTED · 0x100 UTF8
//! 20                4           stringsStart          from the chunk start; 0 when no strings
//! 24                4           stylesStart           from the chunk start; 0 when no styles
//! 28                …           rest of the header (headerSize − 28)
//! headerSize        4·count     string offsets, relative to stringsStart
//! …                 4·styles    style offsets, relative to stylesStart
//! stringsStart      …           string data, padded with zeros to 4 bytes:
//!                                 UTF-16: len u16 (or 0x8000|hi, lo), units, 0x0000
//!                                 UTF-8:  utf16 len (1–2 bytes, 0x80 = two), utf8 len
//!                                         (1–2 bytes), bytes, 0x00
//! stylesStart       …           style data: spans {name u32, firstChar u32, lastChar u32}
//!                               each list ended by 0xFFFFFFFF; the region ends with
//!                               three 0xFFFFFFFF words
//! ```
//!
//! The model keeps the tables and the raw data regions, so an unchanged pool re-encodes
//! byte for byte (whatever padding, gaps or string sharing the writer used), and new
//! strings are appended after the last one without moving an existing byte. Every
//! string is decoded and validated once when the pool is read; strings may share an
//! offset but overlapping strings and style lists are refused, so decoding work and
//! memory stay linear in the input and appended strings never overlap old ones.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::sync::Arc;

use super::chunk::{
    ChunkHeader, RES_STRING_POOL_TYPE, Reader, begin_chunk, finish_chunk, le_u16, le_u32, put_u32,
    to_u32,
};
use super::error::{Error, Result};

/// `ResStringPool_header` size.
pub const STRING_POOL_HEADER_SIZE: usize = 28;
pub const SORTED_FLAG: u32 = 0x0000_0001;
pub const UTF8_FLAG: u32 = 0x0000_0100;
/// `ResStringPool_span::END`.
const SPAN_END: u32 = 0xFFFF_FFFF;
/// Longest string a UTF-8 pool can describe: both lengths have at most 15 bits.
const MAX_UTF8_LEN: usize = 0x7FFF;
/// Longest string a UTF-16 pool can describe: 31 bits of length.
const MAX_UTF16_LEN: usize = 0x7FFF_FFFF;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringPool {
    header_extra: Vec<u8>,
    flags: u32,
    /// Byte offset of each string, relative to the start of `strings_data`.
    offsets: Vec<u32>,
    /// Byte offset of each style's span list, relative to the start of `styles_data`.
    style_offsets: Vec<u32>,
    /// Bytes between the end of the offset tables and `stringsStart` (normally none).
    gap: Vec<u8>,
    /// The writer put 0 in `stringsStart` (an empty pool); keep writing 0 while empty.
    strings_start_zero: bool,
    strings_data: Vec<u8>,
    /// `stylesStart` as found when there are no styles (Android ignores it then).
    styles_start_unused: u32,
    styles_data: Vec<u8>,
    /// The decoded text of every string, shared where offsets are shared.
    values: Vec<Arc<str>>,
    /// End of the last string's bytes in `strings_data`; what follows is padding.
    used_end: usize,
}

impl StringPool {
    /// An empty UTF-16 pool, as aapt writes for a manifest.
    pub fn new_utf16() -> Self {
        Self {
            header_extra: Vec::new(),
            flags: 0,
            offsets: Vec::new(),
            style_offsets: Vec::new(),
            gap: Vec::new(),
            strings_start_zero: true,
            strings_data: Vec::new(),
            styles_start_unused: 0,
            styles_data: Vec::new(),
            values: Vec::new(),
            used_end: 0,
        }
    }

    /// Decodes the string pool chunk `chunk` (exactly `header.size` bytes).
    pub fn decode(chunk: &[u8], header: ChunkHeader) -> Result<Self> {
        let at = header.offset;
        let r = Reader::new(chunk, at);
        let what = "string pool header";
        let count = r.u32(8, what)? as usize;
        let style_count = r.u32(12, what)? as usize;
        let flags = r.u32(16, what)?;
        let strings_start = r.u32(20, what)? as usize;
        let styles_start = r.u32(24, what)? as usize;
        let header_extra = r
            .slice(
                STRING_POOL_HEADER_SIZE,
                header.header_size.saturating_sub(STRING_POOL_HEADER_SIZE),
                what,
            )?
            .to_vec();
        let size = header.size;

        let tables_len = (count as u64 + style_count as u64) * 4;
        let room = size - header.header_size;
        if tables_len > room as u64 {
            return Err(Error::pool(
                at,
                format!(
                    "it declares {count} strings and {style_count} styles, whose offset tables need {tables_len} bytes, but the chunk has {room} bytes after its header"
                ),
            ));
        }
        if style_count > count {
            return Err(Error::pool(
                at,
                format!("it declares {style_count} styles for only {count} strings"),
            ));
        }
        let tables_end = header.header_size + tables_len as usize;
        let read_table = |start: usize, n: usize| -> Result<Vec<u32>> {
            let bytes = r.slice(start, n * 4, "string pool offsets")?;
            Ok(bytes.chunks_exact(4).map(le_u32).collect())
        };
        let offsets = read_table(header.header_size, count)?;
        let style_offsets = read_table(header.header_size + count * 4, style_count)?;
        let utf8 = flags & UTF8_FLAG != 0;

        let (gap, strings_start_zero, strings, styles) = if strings_start == 0 {
            if count > 0 {
                return Err(Error::pool(
                    at,
                    format!("it declares {count} strings but stringsStart is 0"),
                ));
            }
            (
                r.slice(tables_end, size - tables_end, "string pool")?,
                true,
                &[][..],
                &[][..],
            )
        } else {
            if strings_start < tables_end || strings_start > size {
                return Err(Error::pool(
                    at,
                    format!(
                        "string data starts at byte {strings_start}, outside the {tables_end}..{size} range after its offset tables"
                    ),
                ));
            }
            if !utf8 && !strings_start.is_multiple_of(2) {
                return Err(Error::pool(
                    at,
                    format!("UTF-16 string data starts at odd byte {strings_start}"),
                ));
            }
            let strings_end = if style_count > 0 {
                // Android: styles follow the strings and end with an END span (12 bytes).
                if styles_start <= strings_start
                    || !styles_start.is_multiple_of(4)
                    || styles_start.saturating_add(12) > size
                {
                    return Err(Error::pool(
                        at,
                        format!(
                            "style data starts at byte {styles_start}, which is not a 4-aligned offset between the string data ({strings_start}) and 12 bytes before the chunk end ({size})"
                        ),
                    ));
                }
                styles_start
            } else {
                size
            };
            (
                r.slice(tables_end, strings_start - tables_end, "string pool")?,
                false,
                r.slice(strings_start, strings_end - strings_start, "string data")?,
                r.slice(strings_end, size - strings_end, "style data")?,
            )
        };

        if count > 0 {
            // Android's own checks: room for at least one string, and the data region
            // ends in a NUL character.
            let unit = if utf8 { 1 } else { 2 };
            if strings.len() <= 2 {
                return Err(Error::pool(
                    at,
                    format!(
                        "it declares {count} strings but has only {} bytes of string data",
                        strings.len()
                    ),
                ));
            }
            let last = strings.len() / unit * unit;
            if strings
                .get(last - unit..last)
                .is_none_or(|c| c.iter().any(|&b| b != 0))
            {
                return Err(Error::pool(at, "its string data does not end with NUL"));
            }
        }

        let mut pool = Self {
            header_extra,
            flags,
            offsets,
            style_offsets,
            gap: gap.to_vec(),
            strings_start_zero,
            strings_data: strings.to_vec(),
            styles_start_unused: if style_count == 0 {
                to_u32(styles_start, "stylesStart")?
            } else {
                0
            },
            styles_data: styles.to_vec(),
            values: Vec::with_capacity(count),
            used_end: 0,
        };
        pool.decode_strings(at)?;
        pool.validate_styles(at)?;
        Ok(pool)
    }

    /// Decodes every string once per distinct offset. Strings may share an offset but
    /// not overlap, so the decoding work and memory are bounded by the data size.
    fn decode_strings(&mut self, at: usize) -> Result<()> {
        let data = &self.strings_data;
        let utf8 = self.flags & UTF8_FLAG != 0;
        let mut located: HashMap<u32, (usize, Located)> = HashMap::new();
        for (index, &off) in self.offsets.iter().enumerate() {
            if let std::collections::hash_map::Entry::Vacant(slot) = located.entry(off) {
                let loc = if utf8 {
                    locate_utf8(data, off as usize, index)?
                } else {
                    locate_utf16(data, off as usize, index)?
                };
                slot.insert((index, loc));
            }
        }
        let mut spans: Vec<(usize, usize, usize)> = located
            .iter()
            .map(|(&off, (index, loc))| (off as usize, loc.end, *index))
            .collect();
        spans.sort_unstable();
        for pair in spans.windows(2) {
            if let [(_, end, a), (start, _, b)] = pair
                && end > start
            {
                return Err(Error::pool(
                    at,
                    format!("strings #{a} and #{b} overlap in the string data"),
                ));
            }
        }
        self.used_end = spans.last().map_or(0, |&(_, end, _)| end);

        let mut decoded: HashMap<u32, Arc<str>> = HashMap::with_capacity(located.len());
        for (index, &off) in self.offsets.iter().enumerate() {
            let text = match decoded.get(&off) {
                Some(text) => Arc::clone(text),
                None => {
                    let Some((_, loc)) = located.get(&off) else {
                        continue;
                    };
                    let text: Arc<str> = Arc::from(decode_located(data, loc, utf8, index)?);
                    decoded.insert(off, Arc::clone(&text));
                    text
                }
            };
            self.values.push(text);
        }
        Ok(())
    }

    /// Checks every style's span list: inside the style data, END-terminated, names in
    /// range, no list sharing words with another, and the region's END END END trailer.
    fn validate_styles(&self, at: usize) -> Result<()> {
        if self.style_offsets.is_empty() {
            return Ok(());
        }
        let words = self.styles_data.len() / 4;
        if words < 3 || (0..3).any(|k| self.style_word(words - 1 - k) != Some(SPAN_END)) {
            return Err(Error::pool(
                at,
                "its style data does not end with an END span (three 0xFFFFFFFF words)",
            ));
        }
        let mut seen = BTreeSet::new();
        let mut budget = 0usize;
        for (i, &off) in self.style_offsets.iter().enumerate() {
            if !off.is_multiple_of(4) || off as usize >= self.styles_data.len() {
                return Err(Error::pool(
                    at,
                    format!(
                        "style #{i} starts at byte {off}, outside its {} bytes of style data or unaligned",
                        self.styles_data.len()
                    ),
                ));
            }
            if !seen.insert(off) {
                continue;
            }
            let mut w = off as usize / 4;
            loop {
                let name = self.style_word(w).ok_or_else(|| {
                    Error::pool(
                        at,
                        format!("style #{i} runs past the end of the style data"),
                    )
                })?;
                if name == SPAN_END {
                    break;
                }
                if name as usize >= self.offsets.len() || self.style_word(w + 2).is_none() {
                    return Err(Error::pool(
                        at,
                        format!(
                            "style #{i} has a span named by string #{name} of {} or runs past the style data",
                            self.offsets.len()
                        ),
                    ));
                }
                w += 3;
                budget += 3;
                if budget > words {
                    return Err(Error::pool(at, "its style span lists overlap"));
                }
            }
        }
        Ok(())
    }

    fn style_word(&self, w: usize) -> Option<u32> {
        self.styles_data.get(w * 4..w * 4 + 4).map(le_u32)
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn style_count(&self) -> usize {
        self.style_offsets.len()
    }

    pub fn flags(&self) -> u32 {
        self.flags
    }

    pub fn is_utf8(&self) -> bool {
        self.flags & UTF8_FLAG != 0
    }

    pub fn is_sorted(&self) -> bool {
        self.flags & SORTED_FLAG != 0
    }

    /// The string at `index`, if there is one.
    pub fn get(&self, index: u32) -> Option<&str> {
        self.values.get(index as usize).map(|s| &**s)
    }

    /// All strings in index order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|s| &**s)
    }

    /// The first index in `range` whose string equals `value`.
    pub fn position(&self, value: &str, range: Range<usize>) -> Option<u32> {
        let end = range.end.min(self.values.len());
        let start = range.start.min(end);
        self.values
            .get(start..end)?
            .iter()
            .position(|s| &**s == value)
            .and_then(|p| u32::try_from(start + p).ok())
    }

    /// Inserts `value` as string number `index` (≤ len). Strings at and after `index` move
    /// up by one: the caller renumbers every reference to them outside the pool; this
    /// renumbers the pool's own style spans. The bytes of existing strings do not move.
    pub fn insert(&mut self, index: usize, value: &str) -> Result<()> {
        if index > self.values.len() {
            return Err(Error::TooLarge {
                problem: format!(
                    "string #{index} is past the end of a {}-string pool",
                    self.values.len()
                ),
            });
        }
        let encoded = if self.is_utf8() {
            encode_utf8(value)?
        } else {
            encode_utf16(value)?
        };
        // Reuse the zero padding after the last string; keep any other trailing bytes.
        if self
            .strings_data
            .get(self.used_end..)
            .is_some_and(|tail| tail.iter().all(|&b| b == 0))
        {
            self.strings_data.truncate(self.used_end);
        }
        let at = to_u32(self.strings_data.len(), "string data")?;
        self.strings_data.extend_from_slice(&encoded);
        self.used_end = self.strings_data.len();
        while !(self.gap.len() + self.strings_data.len()).is_multiple_of(4) {
            self.strings_data.push(0);
        }
        self.offsets.insert(index, at);
        self.values.insert(index, Arc::from(value));
        self.strings_start_zero = false;
        // New strings go where they fit, not in sorted order.
        self.flags &= !SORTED_FLAG;

        if !self.style_offsets.is_empty() {
            self.renumber_style_spans(index);
            if index < self.style_offsets.len() {
                // Style i belongs to string i: the new string gets an empty span list,
                // the END word that closes the style data.
                let end_word = to_u32(self.styles_data.len() - 4, "style data")?;
                self.style_offsets.insert(index, end_word);
            }
        }
        Ok(())
    }

    /// Appends `value` and returns its index.
    pub fn push(&mut self, value: &str) -> Result<u32> {
        let index = self.values.len();
        self.insert(index, value)?;
        to_u32(index, "string index")
    }

    /// Adds one to every span name ≥ `from` (each span word once, even if lists share it).
    fn renumber_style_spans(&mut self, from: usize) {
        let mut names = BTreeSet::new();
        for &off in &self.style_offsets {
            let mut w = off as usize / 4;
            while let Some(name) = self.style_word(w) {
                if name == SPAN_END {
                    break;
                }
                names.insert(w);
                w += 3;
            }
        }
        for w in names {
            if let (Some(name), Some(slot)) = (
                self.style_word(w),
                self.styles_data.get_mut(w * 4..w * 4 + 4),
            ) && name as usize >= from
            {
                slot.copy_from_slice(&(name + 1).to_le_bytes());
            }
        }
    }

    /// The span list of style `index`: (name string, first char, last char).
    pub fn style_spans(&self, index: usize) -> Vec<(u32, u32, u32)> {
        let mut spans = Vec::new();
        let Some(&off) = self.style_offsets.get(index) else {
            return spans;
        };
        let mut w = off as usize / 4;
        while let (Some(name), Some(first), Some(last)) = (
            self.style_word(w),
            self.style_word(w + 1),
            self.style_word(w + 2),
        ) {
            if name == SPAN_END {
                break;
            }
            spans.push((name, first, last));
            w += 3;
        }
        spans
    }

    /// Appends the chunk to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<()> {
        let header_size = STRING_POOL_HEADER_SIZE + self.header_extra.len();
        let start = begin_chunk(out, RES_STRING_POOL_TYPE, header_size)?;
        let tables_end = header_size + 4 * (self.offsets.len() + self.style_offsets.len());
        let data_start = tables_end + self.gap.len();
        let strings_start = if self.strings_start_zero {
            0
        } else {
            data_start
        };
        let styles_start = if self.style_offsets.is_empty() {
            self.styles_start_unused
        } else {
            to_u32(data_start + self.strings_data.len(), "string data")?
        };
        put_u32(out, to_u32(self.offsets.len(), "string count")?);
        put_u32(out, to_u32(self.style_offsets.len(), "style count")?);
        put_u32(out, self.flags);
        put_u32(out, to_u32(strings_start, "string table")?);
        put_u32(out, styles_start);
        out.extend_from_slice(&self.header_extra);
        for &o in self.offsets.iter().chain(&self.style_offsets) {
            put_u32(out, o);
        }
        out.extend_from_slice(&self.gap);
        out.extend_from_slice(&self.strings_data);
        out.extend_from_slice(&self.styles_data);
        finish_chunk(out, start)
    }
}

/// Where a string lies in the string data.
#[derive(Debug, Clone)]
struct Located {
    /// The string's content: UTF-16 units or UTF-8 bytes.
    text: Range<usize>,
    /// The byte after its NUL terminator.
    end: usize,
    /// UTF-8 only: the UTF-16 length the string declares.
    declared_utf16: usize,
}

fn past_end(data: &[u8], off: usize, index: usize) -> Error {
    Error::bad_string(
        index,
        format!(
            "it runs past the end of the {} bytes of string data (starts at byte {off})",
            data.len()
        ),
    )
}

/// Finds the UTF-16 string at byte `off`: length prefix, bounds, NUL.
fn locate_utf16(data: &[u8], off: usize, index: usize) -> Result<Located> {
    if !off.is_multiple_of(2) {
        return Err(Error::bad_string(
            index,
            format!("its UTF-16 data starts at odd byte {off}"),
        ));
    }
    let mut u = off / 2;
    let first = utf16_unit(data, u).ok_or_else(|| past_end(data, off, index))?;
    let len = if first & 0x8000 != 0 {
        u += 1;
        let low = utf16_unit(data, u).ok_or_else(|| past_end(data, off, index))?;
        (usize::from(first & 0x7FFF) << 16) | usize::from(low)
    } else {
        usize::from(first)
    };
    let start = u + 1;
    let end = start + len;
    if utf16_unit(data, end).ok_or_else(|| past_end(data, off, index))? != 0 {
        return Err(Error::bad_string(
            index,
            format!("it is not NUL-terminated after its declared {len} UTF-16 units"),
        ));
    }
    Ok(Located {
        text: start..end,
        end: (end + 1) * 2,
        declared_utf16: len,
    })
}

fn utf16_unit(data: &[u8], i: usize) -> Option<u16> {
    let at = i.checked_mul(2)?;
    data.get(at..at.checked_add(2)?).map(le_u16)
}

/// Finds the UTF-8 string at byte `off`: both length prefixes, bounds, NUL.
fn locate_utf8(data: &[u8], off: usize, index: usize) -> Result<Located> {
    let length = |at: usize| -> Result<(usize, usize)> {
        let b0 = *data.get(at).ok_or_else(|| past_end(data, off, index))?;
        if b0 & 0x80 != 0 {
            let b1 = *data.get(at + 1).ok_or_else(|| past_end(data, off, index))?;
            Ok(((usize::from(b0 & 0x7F) << 8) | usize::from(b1), at + 2))
        } else {
            Ok((usize::from(b0), at + 1))
        }
    };
    let (declared_utf16, p) = length(off)?;
    let (utf8_len, start) = length(p)?;
    let end = start + utf8_len;
    if *data.get(end).ok_or_else(|| past_end(data, off, index))? != 0 {
        return Err(Error::bad_string(
            index,
            format!("it is not NUL-terminated after its declared {utf8_len} UTF-8 bytes"),
        ));
    }
    Ok(Located {
        text: start..end,
        end: end + 1,
        declared_utf16,
    })
}

/// Decodes a located string, checking its encoding (and for UTF-8 its UTF-16 length).
fn decode_located(data: &[u8], loc: &Located, utf8: bool, index: usize) -> Result<String> {
    if !utf8 {
        let units = loc
            .text
            .clone()
            .map(|i| utf16_unit(data, i).unwrap_or_default());
        return char::decode_utf16(units)
            .collect::<std::result::Result<String, _>>()
            .map_err(|e| {
                Error::bad_string(
                    index,
                    format!(
                        "it is not valid UTF-16 (unpaired surrogate {:#06x})",
                        e.unpaired_surrogate()
                    ),
                )
            });
    }
    let bytes = data
        .get(loc.text.clone())
        .ok_or_else(|| past_end(data, loc.text.start, index))?;
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::bad_string(
            index,
            format!("it is not valid UTF-8 (bad byte at {})", e.valid_up_to()),
        )
    })?;
    let actual = text.encode_utf16().count();
    if actual != loc.declared_utf16 {
        return Err(Error::bad_string(
            index,
            format!(
                "it declares {} UTF-16 units but holds {actual}",
                loc.declared_utf16
            ),
        ));
    }
    Ok(text.to_owned())
}

fn encode_utf8(value: &str) -> Result<Vec<u8>> {
    let units = value.encode_utf16().count();
    if units > MAX_UTF8_LEN || value.len() > MAX_UTF8_LEN {
        return Err(Error::TooLarge {
            problem: format!(
                "a {}-byte string is longer than a UTF-8 string pool can hold ({MAX_UTF8_LEN})",
                value.len()
            ),
        });
    }
    let mut out = Vec::with_capacity(value.len() + 5);
    for n in [units, value.len()] {
        if n > 0x7F {
            out.push(0x80 | (n >> 8) as u8);
        }
        out.push((n & 0xFF) as u8);
    }
    out.extend_from_slice(value.as_bytes());
    out.push(0);
    Ok(out)
}

fn encode_utf16(value: &str) -> Result<Vec<u8>> {
    let units: Vec<u16> = value.encode_utf16().collect();
    let n = units.len();
    if n > MAX_UTF16_LEN {
        return Err(Error::TooLarge {
            problem: format!("a string of {n} UTF-16 units is longer than a string pool can hold"),
        });
    }
    let mut out = Vec::with_capacity(n * 2 + 6);
    if n > 0x7FFF {
        out.extend_from_slice(&(0x8000 | (n >> 16) as u16).to_le_bytes());
    }
    out.extend_from_slice(&((n & 0xFFFF) as u16).to_le_bytes());
    for u in units {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out.extend_from_slice(&[0, 0]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a pool chunk the way aapt lays it out.
    fn build(strings: &[&str], utf8: bool, styles: &[Vec<(u32, u32, u32)>]) -> Vec<u8> {
        let mut pool = StringPool::new_utf16();
        if utf8 {
            pool.flags = UTF8_FLAG;
        }
        for s in strings {
            pool.push(s).unwrap();
        }
        if !styles.is_empty() {
            let mut data = Vec::new();
            for spans in styles {
                pool.style_offsets.push(data.len() as u32);
                for &(n, a, b) in spans {
                    for w in [n, a, b] {
                        data.extend_from_slice(&w.to_le_bytes());
                    }
                }
                data.extend_from_slice(&SPAN_END.to_le_bytes());
            }
            for _ in 0..2 {
                data.extend_from_slice(&SPAN_END.to_le_bytes());
            }
            // aapt's trailer is two extra END words after the last list's END.
            pool.styles_data = data;
        }
        let mut out = Vec::new();
        pool.encode(&mut out).unwrap();
        out
    }

    fn decode(bytes: &[u8]) -> Result<StringPool> {
        let h = ChunkHeader::read(bytes, 8, STRING_POOL_HEADER_SIZE, "string pool")?;
        StringPool::decode(bytes.get(..h.size).unwrap(), h)
    }

    fn reencode(p: &StringPool) -> Vec<u8> {
        let mut out = Vec::new();
        p.encode(&mut out).unwrap();
        out
    }

    #[test]
    fn utf16_and_utf8_round_trip_byte_for_byte() {
        let long = "x".repeat(300);
        let strings = ["", "name", "Füll ✓", "emoji 😀", long.as_str()];
        for utf8 in [false, true] {
            let bytes = build(&strings, utf8, &[]);
            let p = decode(&bytes).unwrap();
            assert_eq!(p.iter().collect::<Vec<_>>(), strings);
            assert_eq!(p.is_utf8(), utf8);
            assert_eq!(reencode(&p), bytes);
        }
    }

    #[test]
    fn long_utf16_lengths_use_two_units() {
        let long = "y".repeat(0x8001);
        let bytes = build(&[&long], false, &[]);
        assert_eq!(&bytes[32..36], &[0x00, 0x80, 0x01, 0x80]);
        assert_eq!(decode(&bytes).unwrap().get(0), Some(long.as_str()));
    }

    #[test]
    fn utf8_strings_longer_than_15_bits_are_refused_on_write() {
        let mut p = StringPool::new_utf16();
        p.flags = UTF8_FLAG;
        assert_eq!(p.push(&"z".repeat(0x8000)).unwrap_err().kind(), "too-large");
    }

    #[test]
    fn insert_keeps_existing_bytes_and_clears_sorted() {
        let bytes = build(&["a", "b"], false, &[]);
        let mut p = decode(&bytes).unwrap();
        p.flags |= SORTED_FLAG;
        p.insert(1, "new").unwrap();
        assert!(!p.is_sorted());
        let out = reencode(&p);
        let q = decode(&out).unwrap();
        assert_eq!(q.iter().collect::<Vec<_>>(), ["a", "new", "b"]);
        assert_eq!(out.len() % 4, 0);
    }

    #[test]
    fn styles_round_trip_and_follow_inserted_strings() {
        let bytes = build(
            &["<b>x</b>", "plain", "b"],
            true,
            &[vec![(2, 0, 0)], vec![]],
        );
        let p = decode(&bytes).unwrap();
        assert_eq!(p.style_count(), 2);
        assert_eq!(reencode(&p), bytes);

        let mut p = p;
        p.insert(0, "first").unwrap();
        let q = decode(&reencode(&p)).unwrap();
        assert_eq!(q.style_count(), 3);
        assert_eq!(q.style_spans(0), vec![]);
        // The span name moved with its string ("b": 2 → 3).
        assert_eq!(q.style_spans(1), vec![(3, 0, 0)]);
        assert_eq!(q.get(3), Some("b"));
    }

    #[test]
    fn shared_offsets_decode_once() {
        let mut bytes = build(&["same", "other"], false, &[]);
        // Point string #1 at string #0's data.
        bytes[32..36].copy_from_slice(&0u32.to_le_bytes());
        let p = decode(&bytes).unwrap();
        assert_eq!(p.get(1), Some("same"));
        assert_eq!(reencode(&p), bytes);
    }

    #[test]
    fn hostile_pools_are_typed_errors() {
        let good = build(&["abc", "def"], false, &[]);
        let mut huge = good.clone();
        huge[8..12].copy_from_slice(&0x4000_0000u32.to_le_bytes());
        assert_eq!(decode(&huge).unwrap_err().kind(), "string-pool");

        let mut past = good.clone();
        past[28..32].copy_from_slice(&0x1000u32.to_le_bytes());
        assert_eq!(decode(&past).unwrap_err().kind(), "bad-string");

        let mut lie = good.clone();
        lie[36..38].copy_from_slice(&0x7000u16.to_le_bytes());
        assert_eq!(decode(&lie).unwrap_err().kind(), "bad-string");

        let mut surrogate = good.clone();
        surrogate[38..40].copy_from_slice(&0xD800u16.to_le_bytes());
        let e = decode(&surrogate).unwrap_err();
        assert!(e.to_string().contains("surrogate"), "{e}");

        let mut inside_tables = good.clone();
        inside_tables[20..24].copy_from_slice(&28u32.to_le_bytes());
        assert_eq!(decode(&inside_tables).unwrap_err().kind(), "string-pool");

        let mut styles = good.clone();
        styles[12..16].copy_from_slice(&1u32.to_le_bytes());
        assert_eq!(decode(&styles).unwrap_err().kind(), "string-pool");
    }

    #[test]
    fn utf8_length_lies_and_bad_bytes_are_refused() {
        let good = build(&["abc"], true, &[]);
        let data = 32; // header 28 + one offset
        let mut u16_lie = good.clone();
        u16_lie[data] = 5;
        assert!(
            decode(&u16_lie)
                .unwrap_err()
                .to_string()
                .contains("declares 5")
        );
        let mut u8_lie = good.clone();
        u8_lie[data + 1] = 2;
        assert!(decode(&u8_lie).unwrap_err().to_string().contains("NUL"));
        let mut bad = good.clone();
        bad[data + 2] = 0xFF;
        assert!(decode(&bad).unwrap_err().to_string().contains("UTF-8"));
    }

    /// Regression (found by the mutation test): a string starting inside another one's
    /// NUL passed a sum-of-lengths check thanks to the padding after it; patching then
    /// used that padding and wrote a pool its own decoder refused.
    #[test]
    fn strings_sharing_bytes_are_refused_even_with_slack() {
        let mut p = StringPool::new_utf16();
        p.push("seed").unwrap();
        // Units: [1, 'X', 0, 0] + 8 bytes of padding. String #0 = "X" (bytes 0..6),
        // string #1 = "" read from #0's NUL (bytes 4..8).
        let mut data = Vec::new();
        for u in [1u16, 0x58, 0, 0] {
            data.extend_from_slice(&u.to_le_bytes());
        }
        data.resize(16, 0);
        p.strings_data = data;
        p.offsets = vec![0, 4];
        p.values = vec![Arc::from("X"), Arc::from("")];
        let e = decode(&reencode(&p)).unwrap_err();
        assert!(e.to_string().contains("overlap"), "{e}");
    }

    #[test]
    fn overlapping_strings_are_refused_not_decoded_quadratically() {
        // Units [N; N] then N+1 zeros: the string at every unit o < N declares N units
        // and finds its NUL in the zero run, so each parses alone but they all overlap.
        let n = 64usize;
        let mut p = StringPool::new_utf16();
        p.push("seed").unwrap();
        let mut data = Vec::new();
        for _ in 0..n {
            data.extend_from_slice(&(n as u16).to_le_bytes());
        }
        data.resize(data.len() + 2 * (n + 1) + 2, 0);
        p.strings_data = data;
        p.offsets = (0..n as u32).map(|o| 2 * o).collect();
        p.values = vec![Arc::from(""); n];
        let e = decode(&reencode(&p)).unwrap_err();
        assert!(e.to_string().contains("overlap"), "{e}");
    }
}
