//! The APK Signing Block between the entries and the central directory.
//!
//! ```text
//! u64 size (of everything after this field)
//! repeated: u64 pair length · u32 id · value (pair length - 4 bytes)
//!           ids: v2 0x7109871a · v3 0xf05368c0 · v3.1 0x1b93ad61 · padding 0x42726577
//! u64 size (same)
//! 16 bytes "APK Sig Block 42"
//! ```
//! apksigner pads the block with a padding pair to a multiple of 4096 bytes (and the
//! entries before it with zeros to a 4096 boundary). Values use u32 length prefixes
//! (`lp(x)` = u32le(len) || x) throughout.

use std::ops::Range;

use crate::zip::APK_SIG_BLOCK_MAGIC;

pub const V2_BLOCK_ID: u32 = 0x7109_871a;
pub const V3_BLOCK_ID: u32 = 0xf053_68c0;
pub const V31_BLOCK_ID: u32 = 0x1b93_ad61;
pub const PADDING_BLOCK_ID: u32 = 0x4272_6577;
/// v2 signed-data attribute: "this APK is also signed with scheme <value>".
pub const STRIPPING_PROTECTION_ATTR_ID: u32 = 0xbeef_f00d;
pub const PAGE: usize = 4096;
/// Largest block `fuse verify` reads into memory. apksigner's blocks are a few KB (a
/// 4096-byte multiple); key rotation and source stamps add a few KB more.
pub const MAX_BLOCK_LEN: u64 = 16 << 20;

/// Assembles the block from `(id, value)` pairs, padded as apksigner pads it.
pub fn build(pairs: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let pairs_len: usize = pairs.iter().map(|(_, v)| 12 + v.len()).sum();
    let mut size = 8 + pairs_len + 8 + 16;
    let mut padding = 0usize;
    if !size.is_multiple_of(PAGE) {
        padding = PAGE - size % PAGE;
        if padding < 12 {
            padding += PAGE;
        }
        size += padding;
    }
    let field = (size - 8) as u64;
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&field.to_le_bytes());
    for (id, value) in pairs {
        out.extend_from_slice(&(4 + value.len() as u64).to_le_bytes());
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(value);
    }
    if padding > 0 {
        out.extend_from_slice(&((padding - 8) as u64).to_le_bytes());
        out.extend_from_slice(&PADDING_BLOCK_ID.to_le_bytes());
        out.resize(out.len() + padding - 12, 0);
    }
    out.extend_from_slice(&field.to_le_bytes());
    out.extend_from_slice(APK_SIG_BLOCK_MAGIC);
    out
}

/// Splits a whole block into `(id, value range)` pairs; `Err` names what is malformed.
pub fn parse(block: &[u8]) -> Result<Vec<(u32, Range<usize>)>, &'static str> {
    if block.len() < 32 {
        return Err("shorter than its fixed fields");
    }
    let pairs_end = block.len() - 24;
    let mut pos = 8usize;
    let mut out = Vec::new();
    while pos < pairs_end {
        let len = block
            .get(pos..pos + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
            .ok_or("a pair header runs past the block")?;
        // `pos + 8 <= pairs_end` holds here only if the header fits; checked, not assumed
        // (fuzz: 4 stray bytes after the last pair underflowed this subtraction).
        let room = pairs_end
            .checked_sub(pos + 8)
            .ok_or("a pair header runs past the block")?;
        if len < 4 || len > room as u64 {
            return Err("a pair length points outside the block");
        }
        let id = block
            .get(pos + 8..pos + 12)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
            .ok_or("a pair id runs past the block")?;
        let start = pos + 12;
        let end = pos + 8 + len as usize;
        out.push((id, start..end));
        pos = end;
    }
    Ok(out)
}

/// Appends `lp(bytes)`.
pub fn put_lp(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

pub fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// `lp(u32 id || lp(bytes))` sequences, as digests and signatures are encoded.
pub fn id_and_lp_pairs(pairs: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (id, bytes) in pairs {
        let mut item = Vec::with_capacity(8 + bytes.len());
        put_u32(&mut item, *id);
        put_lp(&mut item, bytes);
        put_lp(&mut out, &item);
    }
    out
}

/// Reads length-prefixed values with bounds checks.
#[derive(Debug, Clone)]
pub struct LpReader<'a> {
    rest: &'a [u8],
}

impl<'a> LpReader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
    pub fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.rest.split_at_checked(4)?;
        self.rest = rest;
        head.try_into().ok().map(u32::from_le_bytes)
    }
    pub fn lp(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()? as usize;
        let (value, rest) = self.rest.split_at_checked(len)?;
        self.rest = rest;
        Some(value)
    }
    /// Every remaining `lp(item)`; `None` if one is truncated.
    pub fn lp_items(mut self) -> Option<Vec<&'a [u8]>> {
        let mut out = Vec::new();
        while !self.is_empty() {
            out.push(self.lp()?);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_is_page_multiple_and_parses_back() {
        for n in [0usize, 1, 100, 4000, 4060, 4070, 9000] {
            let b = build(&[(V2_BLOCK_ID, vec![7; n]), (V3_BLOCK_ID, vec![8; 3])]);
            assert_eq!(b.len() % PAGE, 0, "{n}");
            let pairs = parse(&b).unwrap();
            assert_eq!(pairs[0].0, V2_BLOCK_ID);
            assert_eq!(pairs[0].1.len(), n);
            assert_eq!(pairs[1].0, V3_BLOCK_ID);
            assert_eq!(pairs.last().unwrap().0, PADDING_BLOCK_ID);
        }
    }

    #[test]
    fn stray_bytes_after_the_last_pair_are_an_error() {
        // fuzz/apk_signing_block crash: 4 bytes left where a pair header needs 12.
        let b = build(&[(V2_BLOCK_ID, vec![1; 10])]);
        let pairs_end = b.len() - 24;
        let mut odd = b[..pairs_end].to_vec();
        odd.extend_from_slice(&[1, 2, 3, 4]);
        odd.extend_from_slice(&b[pairs_end..]);
        let size = (odd.len() - 8) as u64;
        odd[..8].copy_from_slice(&size.to_le_bytes());
        let at = odd.len() - 24;
        odd[at..at + 8].copy_from_slice(&size.to_le_bytes());
        assert!(parse(&odd).is_err());
    }

    #[test]
    fn hostile_lengths_are_errors() {
        let mut b = build(&[(V2_BLOCK_ID, vec![1; 10])]);
        b[8] = 0xff;
        b[9] = 0xff;
        assert!(parse(&b).is_err());
        assert!(parse(&[0; 10]).is_err());
        assert_eq!(LpReader::new(&[5, 0, 0, 0, 1]).lp(), None);
    }
}
