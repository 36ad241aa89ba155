//! The protobuf wire format, one message level at a time: enough to find a field's bytes
//! and splice a new record in, so everything fuse does not change stays byte-identical
//! (prost would drop unknown fields and re-order what it re-encodes).
//!
//! ```text
//! message = record*
//! record  = key: varint (field_number << 3 | wire_type) · payload
//!   wire type 0 varint       payload = varint (≤ 10 bytes)
//!             1 fixed64      payload = 8 bytes
//!             2 length-delim payload = varint length · length bytes   ← sub-messages
//!             5 fixed32      payload = 4 bytes
//!             3 / 4 groups   proto2 only; aapt2 and bundletool never write them: refused
//! ```
//! Callers decode the whole message with prost first (which bounds nesting); this module
//! then walks only the few levels an edit touches, so it never recurses.

use std::ops::Range;

pub const VARINT: u8 = 0;
pub const FIXED64: u8 = 1;
pub const LEN: u8 = 2;
pub const FIXED32: u8 = 5;

/// One record of a message: where it starts and ends, and where its payload is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub field: u32,
    pub wire_type: u8,
    /// The whole record, key included.
    pub bytes: Range<usize>,
    /// For length-delimited records the bytes after the length; else the value bytes.
    pub payload: Range<usize>,
}

/// Reads a varint at `pos`; returns it and the position after it.
pub fn read_varint(buf: &[u8], pos: usize) -> Result<(u64, usize), String> {
    let mut value: u64 = 0;
    for i in 0..10 {
        let at = pos + i;
        let byte = *buf
            .get(at)
            .ok_or_else(|| format!("a varint at byte {pos} runs past the end of the data"))?;
        let bits = u64::from(byte & 0x7f);
        if i == 9 && byte > 1 {
            return Err(format!("the varint at byte {pos} does not fit 64 bits"));
        }
        value |= bits << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((value, at + 1));
        }
    }
    Err(format!("the varint at byte {pos} is longer than 10 bytes"))
}

/// Appends `value` as a varint.
pub fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// The records of one message level, in order.
pub fn records(buf: &[u8]) -> Result<Vec<Record>, String> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let start = pos;
        let (key, after_key) = read_varint(buf, pos)?;
        let field = u32::try_from(key >> 3)
            .ok()
            .filter(|&f| (1..=0x1fff_ffff).contains(&f))
            .ok_or_else(|| format!("the field number at byte {start} is invalid"))?;
        let wire_type = (key & 7) as u8;
        let (payload, end) = match wire_type {
            VARINT => {
                let (_, end) = read_varint(buf, after_key)?;
                (after_key..end, end)
            }
            FIXED64 | FIXED32 => {
                let size = if wire_type == FIXED64 { 8 } else { 4 };
                let end = after_key + size;
                if end > buf.len() {
                    return Err(format!(
                        "field {field} at byte {start} needs {size} bytes, the data ends first"
                    ));
                }
                (after_key..end, end)
            }
            LEN => {
                let (len, data) = read_varint(buf, after_key)?;
                let left = (buf.len() - data) as u64;
                if len > left {
                    return Err(format!(
                        "field {field} at byte {start} declares {len} bytes but only {left} follow"
                    ));
                }
                let end = data + len as usize;
                (data..end, end)
            }
            3 | 4 => {
                return Err(format!(
                    "field {field} at byte {start} is a proto2 group, which aapt2 and bundletool never write"
                ));
            }
            other => {
                return Err(format!(
                    "field {field} at byte {start} has wire type {other}, which does not exist"
                ));
            }
        };
        out.push(Record {
            field,
            wire_type,
            bytes: start..end,
            payload,
        });
        pos = end;
    }
    Ok(out)
}

/// A length-delimited record: key, length, payload.
pub fn length_delimited(field: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 12);
    put_varint(&mut out, (u64::from(field) << 3) | u64::from(LEN));
    put_varint(&mut out, payload.len() as u64);
    out.extend_from_slice(payload);
    out
}

/// `buf` with `range` replaced by `replacement`.
pub fn splice(buf: &[u8], range: Range<usize>, replacement: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(buf.len() + replacement.len());
    out.extend_from_slice(buf.get(..range.start).unwrap_or_default());
    out.extend_from_slice(replacement);
    out.extend_from_slice(buf.get(range.end..).unwrap_or_default());
    out
}

/// The single length-delimited record of `field`, refusing a repeated one: protobuf
/// merges repeated singular messages, and an edit must not guess which copy counts.
pub fn single<'a>(
    records: &'a [Record],
    field: u32,
    what: &str,
) -> Result<Option<&'a Record>, String> {
    let mut found = records.iter().filter(|r| r.field == field);
    let first = found.next();
    if found.next().is_some() {
        return Err(format!("{what} (field {field}) appears more than once"));
    }
    match first {
        Some(r) if r.wire_type != LEN => Err(format!(
            "{what} (field {field}) has wire type {}, expected length-delimited",
            r.wire_type
        )),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_at_the_edges() {
        for v in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut b = Vec::new();
            put_varint(&mut b, v);
            assert_eq!(read_varint(&b, 0).unwrap(), (v, b.len()));
        }
        assert!(read_varint(&[0x80; 11], 0).is_err());
        assert!(
            read_varint(
                &[0xff; 9].iter().copied().chain([0x02]).collect::<Vec<_>>(),
                0
            )
            .is_err()
        );
        assert!(read_varint(&[0x80], 0).is_err());
    }

    #[test]
    fn records_find_every_wire_type() {
        // 1: varint 150, 2: "hi", 3: fixed32, 4: fixed64
        let buf = [
            0x08, 0x96, 0x01, 0x12, 0x02, b'h', b'i', 0x1d, 1, 2, 3, 4, 0x21, 1, 2, 3, 4, 5, 6, 7,
            8,
        ];
        let r = records(&buf).unwrap();
        assert_eq!(r.len(), 4);
        assert_eq!(
            (r[0].field, r[0].wire_type, r[0].bytes.clone()),
            (1, VARINT, 0..3)
        );
        assert_eq!(&buf[r[1].payload.clone()], b"hi");
        assert_eq!(r[2].payload, 8..12);
        assert_eq!(r[3].bytes.end, buf.len());
    }

    #[test]
    fn lies_and_oddities_are_errors_not_panics() {
        for bad in [
            &[0x12, 0x05, b'a'][..],                   // length past the end
            &[0x12, 0xff, 0xff, 0xff, 0xff, 0x0f][..], // huge length
            &[0x0b][..],                               // group start
            &[0x0e][..],                               // wire type 6
            &[0x00, 0x00][..],                         // field 0
            &[0x1d, 1, 2][..],                         // short fixed32
        ] {
            assert!(records(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn single_refuses_duplicates_and_wrong_types() {
        let twice = records(&[0x0a, 0x00, 0x0a, 0x00]).unwrap();
        assert!(single(&twice, 1, "element").is_err());
        let varint = records(&[0x08, 0x01]).unwrap();
        assert!(single(&varint, 1, "element").is_err());
        assert!(single(&varint, 2, "x").unwrap().is_none());
    }

    #[test]
    fn splicing_keeps_the_rest() {
        assert_eq!(splice(b"abcdef", 2..4, b"XYZ"), b"abXYZef");
        assert_eq!(length_delimited(5, b"ab"), [0x2a, 2, b'a', b'b']);
    }
}
