//! A bounds-checked cursor over one section of the blob. Every read checks the remaining
//! input first, so nothing is allocated that the input does not contain; errors carry
//! the absolute offset in the blob.

use alloc::string::String;
use alloc::vec::Vec;

use super::error::DecodeError;

pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Offset of `bytes[0]` in the whole blob, for error messages.
    base: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8], base: usize) -> Self {
        Self {
            bytes,
            pos: 0,
            base,
        }
    }

    /// Absolute offset of the next byte.
    pub fn at(&self) -> usize {
        self.base + self.pos
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    pub fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let available = self.remaining();
        let slice = self
            .pos
            .checked_add(n)
            .and_then(|end| self.bytes.get(self.pos..end))
            .ok_or(DecodeError::Truncated {
                what,
                at: self.at(),
                needed: n,
                available,
            })?;
        self.pos += n;
        Ok(slice)
    }

    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    pub fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(what)?[0])
    }

    pub fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub fn i64(&mut self, what: &'static str) -> Result<i64, DecodeError> {
        Ok(i64::from_le_bytes(self.array(what)?))
    }

    /// A 0/1 byte; anything else is not canonical.
    pub fn bool(&mut self, what: &'static str) -> Result<bool, DecodeError> {
        let at = self.at();
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(DecodeError::Invalid { what, at }),
        }
    }

    /// An enum code mapped by `from`.
    pub fn code<T>(
        &mut self,
        what: &'static str,
        from: fn(u8) -> Option<T>,
    ) -> Result<T, DecodeError> {
        let at = self.at();
        from(self.u8(what)?).ok_or(DecodeError::Invalid { what, at })
    }

    /// A u32 count, at most `max`.
    pub fn count(&mut self, what: &'static str, max: usize) -> Result<usize, DecodeError> {
        let at = self.at();
        let found = usize::try_from(self.u32(what)?).unwrap_or(usize::MAX);
        if found > max {
            return Err(DecodeError::Limit {
                what,
                at,
                found,
                max,
            });
        }
        Ok(found)
    }

    /// A length-prefixed UTF-8 string of at most `max` bytes.
    pub fn str(&mut self, what: &'static str, max: usize) -> Result<String, DecodeError> {
        let len = self.count(what, max)?;
        let at = self.at();
        let bytes = self.take(len, what)?;
        let s = core::str::from_utf8(bytes).map_err(|_| DecodeError::Invalid { what, at })?;
        Ok(String::from(s))
    }

    /// `0` = absent, `1` + value = present.
    pub fn opt<T>(
        &mut self,
        what: &'static str,
        value: impl FnOnce(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Option<T>, DecodeError> {
        if self.bool(what)? {
            value(self).map(Some)
        } else {
            Ok(None)
        }
    }

    /// `count` elements read by `item`; growth is bounded by the input each item consumes.
    pub fn vec<T>(
        &mut self,
        count: usize,
        mut item: impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, DecodeError> {
        let mut out = Vec::new();
        for _ in 0..count {
            out.push(item(self)?);
        }
        Ok(out)
    }

    /// The section must be fully consumed.
    pub fn finish(self, section: &'static str) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            extra => Err(DecodeError::TrailingBytes {
                section,
                at: self.at(),
                extra,
            }),
        }
    }
}
