//! Extra fields of local and central headers: `u16 id, u16 size, size bytes` repeated.
//!
//! ```text
//! alignment field (zipalign / apksigner): 0xd935 · u16 size = 2 + padding
//!                                         · u16 alignment · padding zeros
//! ```
//! Old zipalign padded with raw zero bytes instead (no field structure); like apksigner we
//! drop such padding and unparseable tails when we rewrite the field for alignment.

/// Extra field id of Android's alignment field.
pub const ALIGNMENT_FIELD_ID: u16 = 0xd935;
/// Extra field id of the ZIP64 extended information field.
pub const ZIP64_FIELD_ID: u16 = 0x0001;
/// id + size + alignment value.
const ALIGNMENT_FIELD_MIN_LEN: usize = 6;

/// Iterates well-formed `(id, payload)` fields; stops at the first malformed tail.
fn fields(extra: &[u8]) -> impl Iterator<Item = (u16, &[u8], &[u8])> {
    let mut rest = extra;
    std::iter::from_fn(move || {
        let header = rest.get(..4)?;
        let id = u16::from_le_bytes([*header.first()?, *header.get(1)?]);
        let size = usize::from(u16::from_le_bytes([*header.get(2)?, *header.get(3)?]));
        let whole = rest.get(..4 + size)?;
        let payload = whole.get(4..)?;
        rest = rest.get(4 + size..).unwrap_or_default();
        Some((id, payload, whole))
    })
}

/// The alignment an entry asked for through its 0xd935 field, if any.
pub fn requested_alignment(extra: &[u8]) -> Option<u16> {
    fields(extra)
        .find(|(id, payload, _)| *id == ALIGNMENT_FIELD_ID && payload.len() >= 2)
        .and_then(|(_, p, _)| Some(u16::from_le_bytes([*p.first()?, *p.get(1)?])))
}

/// Whether a ZIP64 extended-information field is present.
pub fn has_zip64_field(extra: &[u8]) -> bool {
    fields(extra).any(|(id, _, _)| id == ZIP64_FIELD_ID)
}

/// Rebuilds `original` so that data following a local header whose extra field starts at
/// file offset `extra_start` begins at a multiple of `align`: keeps every other field,
/// drops old alignment fields and zero padding, appends a fresh 0xd935 field.
pub fn aligned(original: &[u8], extra_start: u64, align: u16) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(original.len() + ALIGNMENT_FIELD_MIN_LEN + 16);
    for (id, payload, whole) in fields(original) {
        if id == ALIGNMENT_FIELD_ID || (id == 0 && payload.is_empty()) {
            continue;
        }
        out.extend_from_slice(whole);
    }
    if align <= 1 {
        return out;
    }
    let align64 = u64::from(align);
    let data_min_start = extra_start + out.len() as u64 + ALIGNMENT_FIELD_MIN_LEN as u64;
    let padding = ((align64 - data_min_start % align64) % align64) as usize;
    out.extend_from_slice(&ALIGNMENT_FIELD_ID.to_le_bytes());
    out.extend_from_slice(&((2 + padding) as u16).to_le_bytes());
    out.extend_from_slice(&align.to_le_bytes());
    out.resize(out.len() + padding, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_and_keeps_other_fields() {
        let other = [0x34, 0x12, 2, 0, 0xaa, 0xbb];
        for start in 30..30 + 64u64 {
            for align in [4u16, 4096, 16384] {
                let e = aligned(&other, start, align);
                assert_eq!((start + e.len() as u64) % u64::from(align), 0);
                assert_eq!(&e[..6], &other);
                assert_eq!(requested_alignment(&e), Some(align));
            }
        }
    }

    #[test]
    fn drops_old_padding_and_alignment() {
        let mut old = aligned(&[], 30, 4096);
        old.extend_from_slice(&[0, 0, 0]); // zipalign-style raw zero tail
        let e = aligned(&old, 31, 4);
        assert_eq!((31 + e.len()) % 4, 0);
        assert!(e.len() <= 9);
    }

    #[test]
    fn malformed_extra_is_not_a_panic() {
        assert_eq!(requested_alignment(&[0x35, 0xd9, 200, 0]), None);
        assert!(!has_zip64_field(&[1]));
    }
}
