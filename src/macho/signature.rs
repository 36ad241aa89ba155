//! Bounds of an embedded code signature, checked before apple-codesign reads it.
//!
//! ```text
//! LC_CODE_SIGNATURE {cmd 0x1d, cmdsize 16, u32 dataoff, u32 datasize}  -> inside the last
//!                                                                         segment, __LINKEDIT
//! SuperBlob (big-endian)  u32 magic 0xfade0cc0, u32 length, u32 count,
//!                         BlobIndex[count] {u32 slot, u32 offset}, blobs ...
//! blob                    u32 magic, u32 length, payload
//!   CodeDirectory 0xfade0c02  version flags hashOffset identOffset nSpecialSlots nCodeSlots
//!                             codeLimit hashSize hashType platform pageSize(log2) ... teamOffset
//!                             special hashes [-nSpecial..-1] | code hashes [0..nCode)
//!   RequirementSet 0xfade0c01 u32 count, {u32 type, u32 offset}[count], Requirement blobs
//!   Requirement   0xfade0c00  u32 kind (1 = expression), opcode tree (and/or/not nest)
//! ```
//! apple-codesign trusts these fields: it slices with them (a panic on a lie), sizes
//! vectors by the counts (a 16 GiB allocation for a claimed 2^31 blobs), parses requirement
//! expressions recursively (a stack overflow on deep nesting) and raises `2^pageSize`.
//! So every field it uses is checked here first, exactly as it will use it, and a
//! signature that breaks any rule is refused as malformed.

use super::raw::{LC_CODE_SIGNATURE, LC_SEGMENT, LC_SEGMENT_64, be_u32, le_u32};
use super::slice::SliceInfo;

const SUPERBLOB_MAGIC: u32 = 0xfade_0cc0;
const CODE_DIRECTORY_MAGIC: u32 = 0xfade_0c02;
const REQUIREMENT_SET_MAGIC: u32 = 0xfade_0c01;
const REQUIREMENT_MAGIC: u32 = 0xfade_0c00;

/// Real signatures hold a handful of blobs (code directories, requirements,
/// entitlements, CMS); a few dozen is generous.
const MAX_BLOBS: u32 = 64;
/// Requirement expressions Apple's tools write are a few levels deep.
const MAX_REQUIREMENT_DEPTH: usize = 32;
const MAX_REQUIREMENT_NODES: usize = 4096;
/// log2 page sizes apple-codesign can hash with (512 B .. 64 KiB; Apple uses 4 or 16 KiB).
const PAGE_SIZE_LOG2: std::ops::RangeInclusive<u8> = 9..=16;

/// Check the slice's `LC_CODE_SIGNATURE` (if any) and the signature it points at.
/// `data` is the slice; `info` its parsed load commands.
pub fn check(data: &[u8], info: &SliceInfo) -> Result<(), String> {
    let signatures: Vec<_> = info
        .commands
        .iter()
        .filter(|c| c.cmd == LC_CODE_SIGNATURE)
        .collect();
    let Some(command) = signatures.first() else {
        return Ok(());
    };
    if signatures.len() > 1 {
        return Err(format!("{} LC_CODE_SIGNATURE commands", signatures.len()));
    }
    if command.size != 16 {
        return Err(format!(
            "LC_CODE_SIGNATURE cmdsize {} is not 16",
            command.size
        ));
    }
    let field = |off| le_u32(data, command.offset + off).map(|v| v as usize);
    let (Some(dataoff), Some(datasize)) = (field(8), field(12)) else {
        return Err("LC_CODE_SIGNATURE is truncated".to_owned());
    };

    // The signature must lie in the last segment, __LINKEDIT — and that must be the only
    // __LINKEDIT: apple-codesign slices the signature out of the *first* segment of that
    // name (fuzz crash: a second, empty __LINKEDIT before the real one made it index an
    // empty slice; hostile case macho-two-linkedit-segments).
    let segments: Vec<_> = info
        .commands
        .iter()
        .filter(|c| c.cmd == LC_SEGMENT_64 || c.cmd == LC_SEGMENT)
        .collect();
    let last_segment = segments
        .last()
        .copied()
        .ok_or("LC_CODE_SIGNATURE without any segment")?;
    let body_of =
        |c: &super::slice::CommandRef| data.get(c.offset..c.offset + c.size).unwrap_or_default();
    let is_linkedit = |c: &super::slice::CommandRef| {
        let name = body_of(c).get(8..24).unwrap_or_default();
        name.split(|&b| b == 0).next() == Some(b"__LINKEDIT".as_slice())
    };
    if !is_linkedit(last_segment) {
        return Err("LC_CODE_SIGNATURE but the last segment is not __LINKEDIT".to_owned());
    }
    let linkedits = segments.iter().filter(|c| is_linkedit(c)).count();
    if linkedits > 1 {
        return Err(format!(
            "{linkedits} __LINKEDIT segments (a Mach-O has one)"
        ));
    }
    let body = body_of(last_segment);
    let (fileoff, filesize) = if last_segment.cmd == LC_SEGMENT_64 {
        (le_u64(body, 40), le_u64(body, 48))
    } else {
        (
            le_u32(body, 32).map(u64::from),
            le_u32(body, 36).map(u64::from),
        )
    };
    let (Some(fileoff), Some(filesize)) = (fileoff, filesize) else {
        return Err("__LINKEDIT segment command is truncated".to_owned());
    };
    if fileoff
        .checked_add(filesize)
        .is_none_or(|end| end > data.len() as u64)
    {
        return Err(format!(
            "__LINKEDIT ({fileoff}+{filesize}) runs past the end of the {}-byte slice",
            data.len()
        ));
    }
    let (fileoff, filesize) = (fileoff as usize, filesize as usize);
    if dataoff < fileoff || dataoff + datasize > fileoff + filesize {
        return Err(format!(
            "LC_CODE_SIGNATURE ({dataoff}+{datasize}) lies outside __LINKEDIT ({fileoff}+{filesize})"
        ));
    }
    let signature = data.get(dataoff..dataoff + datasize).unwrap_or_default();
    check_superblob(signature).map_err(|e| format!("code signature: {e}"))
}

/// The embedded-signature SuperBlob as `EmbeddedSignature::from_bytes` walks it: blob
/// `i` spans from its offset to the next index's offset (the last to the end of the
/// signature data), and its own length must fit in that span.
fn check_superblob(sig: &[u8]) -> Result<(), String> {
    if be_u32(sig, 0) != Some(SUPERBLOB_MAGIC) {
        return Err("no embedded-signature SuperBlob magic".to_owned());
    }
    let count = be_u32(sig, 8).ok_or("SuperBlob header is truncated")?;
    if count > MAX_BLOBS {
        return Err(format!(
            "SuperBlob claims {count} blobs (limit {MAX_BLOBS})"
        ));
    }
    let table_end = 12 + 8 * count as usize;
    if table_end > sig.len() {
        return Err(format!(
            "{count} blob indexes need {table_end} bytes, the signature has {}",
            sig.len()
        ));
    }
    let offsets: Vec<usize> = (0..count as usize)
        .map(|i| be_u32(sig, 12 + 8 * i + 4).map_or(usize::MAX, |o| o as usize))
        .collect();
    for (i, &start) in offsets.iter().enumerate() {
        let end = offsets.get(i + 1).copied().unwrap_or(sig.len());
        if start < table_end || start > end || end > sig.len() {
            return Err(format!(
                "blob {i} at {start}..{end} is out of order or outside the {}-byte signature",
                sig.len()
            ));
        }
        let span = sig.get(start..end).unwrap_or_default();
        check_blob(span).map_err(|e| format!("blob {i}: {e}"))?;
    }
    Ok(())
}

/// One blob in its span: header, declared length, and the kinds apple-codesign parses.
fn check_blob(span: &[u8]) -> Result<(), String> {
    let (Some(magic), Some(length)) = (be_u32(span, 0), be_u32(span, 4)) else {
        return Err("truncated blob header".to_owned());
    };
    let length = length as usize;
    if length < 8 || length > span.len() {
        return Err(format!(
            "length {length} does not fit its {}-byte slot",
            span.len()
        ));
    }
    let blob = span.get(..length).unwrap_or_default();
    match magic {
        CODE_DIRECTORY_MAGIC => check_code_directory(blob),
        REQUIREMENT_SET_MAGIC => check_requirement_set(blob),
        REQUIREMENT_MAGIC => check_requirement(blob),
        // A nested SuperBlob is parsed like the outer one.
        SUPERBLOB_MAGIC => check_superblob(blob),
        _ => Ok(()),
    }
}

fn check_code_directory(cd: &[u8]) -> Result<(), String> {
    let word = |off| be_u32(cd, off).ok_or("code directory is truncated");
    let version = word(8)?;
    let hash_offset = u64::from(word(16)?);
    let ident_offset = word(20)? as usize;
    let n_special = u64::from(word(24)?);
    let n_code = u64::from(word(28)?);
    let header = cd.get(36..40).ok_or("code directory is truncated")?;
    let (hash_size, page_log2) = match header {
        [size, _kind, _platform, page] => (u64::from(*size), *page),
        _ => return Err("code directory is truncated".to_owned()),
    };
    if hash_size == 0 || hash_size > 64 {
        return Err(format!("code directory hash size {hash_size}"));
    }
    if !PAGE_SIZE_LOG2.contains(&page_log2) {
        return Err(format!("code directory page size 2^{page_log2}"));
    }
    let len = cd.len() as u64;
    if ident_offset >= cd.len() || !cd.iter().skip(ident_offset).any(|&b| b == 0) {
        return Err(format!(
            "identifier offset {ident_offset} is outside the {len}-byte code directory"
        ));
    }
    if version >= 0x2_0200 {
        let team = word(0x30)? as usize;
        if team != 0 && (team >= cd.len() || !cd.iter().skip(team).any(|&b| b == 0)) {
            return Err(format!(
                "team id offset {team} is outside the code directory"
            ));
        }
    }
    // apple-codesign computes `hashOffset - hashSize * nSpecialSlots` in u32.
    let special = hash_size * n_special;
    if special > u64::from(u32::MAX) || special > hash_offset {
        return Err(format!(
            "{n_special} special slots of {hash_size} bytes do not fit before hash offset {hash_offset}"
        ));
    }
    if hash_offset + hash_size * n_code > len {
        return Err(format!(
            "{n_code} code slots of {hash_size} bytes at {hash_offset} run past the {len}-byte code directory"
        ));
    }
    Ok(())
}

fn check_requirement_set(set: &[u8]) -> Result<(), String> {
    let count = be_u32(set, 8).ok_or("requirement set is truncated")?;
    let table_end = 12 + 8 * u64::from(count);
    if table_end > set.len() as u64 {
        return Err(format!(
            "requirement set claims {count} entries in {} bytes",
            set.len()
        ));
    }
    let offsets: Vec<usize> = (0..count as usize)
        .map(|i| be_u32(set, 12 + 8 * i + 4).map_or(usize::MAX, |o| o as usize))
        .collect();
    for (i, &start) in offsets.iter().enumerate() {
        let end = offsets.get(i + 1).copied().unwrap_or(set.len());
        if start > end || end > set.len() {
            return Err(format!("requirement {i} at {start}..{end} is out of order"));
        }
        check_requirement(set.get(start..end).unwrap_or_default())
            .map_err(|e| format!("requirement {i}: {e}"))?;
    }
    Ok(())
}

/// A requirement blob: header, then (kind 1) an expression count and the expressions,
/// walked iteratively with the same grammar apple-codesign's recursive parser uses.
fn check_requirement(blob: &[u8]) -> Result<(), String> {
    if be_u32(blob, 0) != Some(REQUIREMENT_MAGIC) {
        return Err("not a requirement blob".to_owned());
    }
    let length = be_u32(blob, 4).map_or(usize::MAX, |l| l as usize);
    if length < 12 || length > blob.len() {
        return Err(format!(
            "requirement length {length} in {} bytes",
            blob.len()
        ));
    }
    let body = blob.get(8..length).unwrap_or_default();
    // apple-codesign reads `count` expressions after the count word.
    let count = be_u32(body, 0).ok_or("requirement is truncated")? as usize;
    if count > MAX_REQUIREMENT_NODES || count > body.len() / 4 {
        return Err(format!("requirement claims {count} expressions"));
    }
    let mut at = 4;
    let mut nodes = 0;
    for _ in 0..count {
        at = walk_expression(body, at, &mut nodes)?;
    }
    Ok(())
}

/// Walk one expression starting at `at`; returns where the next one starts.
fn walk_expression(data: &[u8], mut at: usize, nodes: &mut usize) -> Result<usize, String> {
    // Expressions still to read; `And`/`Or` push two, `Not` one.
    let mut pending: usize = 1;
    let mut depth_stack: Vec<usize> = vec![1];
    while pending > 0 {
        *nodes += 1;
        if *nodes > MAX_REQUIREMENT_NODES {
            return Err(format!(
                "more than {MAX_REQUIREMENT_NODES} expression nodes"
            ));
        }
        // The top byte holds flags apple-codesign ignores.
        let op = be_u32(data, at).ok_or("requirement expression is truncated")? & 0x00ff_ffff;
        at += 4;
        pending -= 1;
        let children = match op {
            0 | 1 | 3 | 13 | 15 | 21 | 23 => 0,
            2 | 8 | 18 | 19 => {
                at = skip_data(data, at)?;
                0
            }
            4 => {
                // slot, hash length, hash — not padded to 4 bytes here.
                let len = be_u32(data, at + 4).ok_or("requirement hash is truncated")?;
                at += 8 + len as usize;
                0
            }
            6 | 7 => 2,
            9 => 1,
            5 | 10 | 16 => {
                at = skip_match(data, skip_data(data, at)?)?;
                0
            }
            11 | 14 | 17 | 22 => {
                at = skip_match(data, skip_data(data, at + 4)?)?; // slot, field/oid, match
                0
            }
            12 => {
                at += 4; // slot
                0
            }
            20 => {
                at += 4; // platform
                0
            }
            other => return Err(format!("unknown requirement opcode {other:#x}")),
        };
        if at > data.len() {
            return Err("requirement expression is truncated".to_owned());
        }
        // Depth: how many ancestors are still waiting for children.
        while depth_stack.last() == Some(&0) {
            depth_stack.pop();
        }
        if let Some(top) = depth_stack.last_mut() {
            *top -= 1;
        }
        if children > 0 {
            depth_stack.push(children);
            if depth_stack.len() > MAX_REQUIREMENT_DEPTH {
                return Err(format!(
                    "requirement expressions nested deeper than {MAX_REQUIREMENT_DEPTH}"
                ));
            }
        }
        pending += children;
    }
    Ok(at)
}

/// Skip a length-prefixed, 4-byte-aligned data field.
fn skip_data(data: &[u8], at: usize) -> Result<usize, String> {
    let len = be_u32(data, at).ok_or("requirement data is truncated")? as usize;
    let end = at + 4 + len.div_ceil(4) * 4;
    if at + 4 + len > data.len() || end > data.len() {
        return Err(format!(
            "requirement data of {len} bytes runs past its blob"
        ));
    }
    Ok(end)
}

/// Skip a match expression: type, then a data value, a timestamp or nothing.
fn skip_match(data: &[u8], at: usize) -> Result<usize, String> {
    let kind = be_u32(data, at).ok_or("requirement match is truncated")?;
    let at = at + 4;
    match kind {
        0 | 14 => Ok(at),
        1..=8 => skip_data(data, at),
        9..=13 => Ok(at + 8),
        other => Err(format!("unknown requirement match type {other}")),
    }
}

fn le_u64(data: &[u8], offset: usize) -> Option<u64> {
    let bytes = data.get(offset..offset.checked_add(8)?)?;
    Some(u64::from_le_bytes(bytes.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(magic: u32, payload: &[u8]) -> Vec<u8> {
        let mut b = magic.to_be_bytes().to_vec();
        b.extend_from_slice(&(8 + payload.len() as u32).to_be_bytes());
        b.extend_from_slice(payload);
        b
    }

    fn requirement(words: &[u32]) -> Vec<u8> {
        let mut p = 1u32.to_be_bytes().to_vec(); // count
        for w in words {
            p.extend_from_slice(&w.to_be_bytes());
        }
        blob(REQUIREMENT_MAGIC, &p)
    }

    #[test]
    fn accepts_a_simple_requirement_and_refuses_deep_nesting() {
        // identifier "a" and anchor apple
        assert!(
            check_requirement(&requirement(&[6, 2, 1, u32::from_be_bytes(*b"a\0\0\0"), 3])).is_ok()
        );
        let mut deep = vec![9u32; 10_000];
        deep.push(1);
        let err = check_requirement(&requirement(&deep)).unwrap_err();
        assert!(err.contains("deeper"), "{err}");
        // A long but shallow chain of `and`s with a leaf on the left is fine up to the node cap.
        let mut wide = Vec::new();
        for _ in 0..20 {
            wide.extend_from_slice(&[6, 1]);
        }
        wide.push(1);
        assert!(check_requirement(&requirement(&wide)).is_ok());
    }

    #[test]
    fn refuses_superblob_lies() {
        let mut sig = SUPERBLOB_MAGIC.to_be_bytes().to_vec();
        sig.extend_from_slice(&0xffffu32.to_be_bytes());
        sig.extend_from_slice(&0x7fff_ffffu32.to_be_bytes());
        sig.extend_from_slice(&[0; 4]);
        assert!(check_superblob(&sig).unwrap_err().contains("limit"));
        // Two blobs whose offsets go backwards.
        let mut sig = SUPERBLOB_MAGIC.to_be_bytes().to_vec();
        sig.extend_from_slice(&60u32.to_be_bytes());
        sig.extend_from_slice(&2u32.to_be_bytes());
        for (slot, off) in [(0u32, 40u32), (2, 28)] {
            sig.extend_from_slice(&slot.to_be_bytes());
            sig.extend_from_slice(&off.to_be_bytes());
        }
        sig.resize(60, 0);
        assert!(check_superblob(&sig).unwrap_err().contains("out of order"));
    }

    #[test]
    fn refuses_code_directory_lies() {
        let mut cd = vec![0u8; 0x58];
        cd[0..4].copy_from_slice(&CODE_DIRECTORY_MAGIC.to_be_bytes());
        cd[4..8].copy_from_slice(&0x58u32.to_be_bytes());
        cd[8..12].copy_from_slice(&0x2_0400u32.to_be_bytes());
        cd[16..20].copy_from_slice(&0x50u32.to_be_bytes()); // hash offset
        cd[20..24].copy_from_slice(&0x4cu32.to_be_bytes()); // ident offset (a NUL there)
        cd[24..28].copy_from_slice(&0u32.to_be_bytes());
        cd[28..32].copy_from_slice(&0u32.to_be_bytes());
        cd[36] = 32;
        cd[39] = 12;
        assert_eq!(check_code_directory(&cd), Ok(()));
        let mut bad = cd.clone();
        bad[39] = 40;
        assert!(
            check_code_directory(&bad)
                .unwrap_err()
                .contains("page size")
        );
        let mut bad = cd.clone();
        bad[36] = 0;
        assert!(
            check_code_directory(&bad)
                .unwrap_err()
                .contains("hash size")
        );
        let mut bad = cd.clone();
        bad[24..28].copy_from_slice(&0x0800_0000u32.to_be_bytes());
        assert!(check_code_directory(&bad).unwrap_err().contains("special"));
        let mut bad = cd.clone();
        bad[28..32].copy_from_slice(&2u32.to_be_bytes());
        assert!(
            check_code_directory(&bad)
                .unwrap_err()
                .contains("code slots")
        );
        let mut bad = cd;
        bad[20..24].copy_from_slice(&0xffffu32.to_be_bytes());
        assert!(
            check_code_directory(&bad)
                .unwrap_err()
                .contains("identifier")
        );
    }
}
