//! Typed values (`Res_value`): what an attribute or text node means, beside its raw
//! string.
//!
//! ```text
//! offset  size  field
//! 0       2     size      bytes of this structure: 8
//! 2       1     res0      always 0
//! 3       1     dataType  0x00 null · 0x01 reference · 0x02 attribute · 0x03 string
//!                         (data = string pool index) · 0x04 float · 0x05 dimension
//!                         0x06 fraction · 0x07 dynamic reference · 0x08 dynamic attribute
//!                         0x10 int decimal · 0x11 int hex · 0x12 boolean (0 / 0xFFFFFFFF)
//!                         0x1c–0x1f colors
//! 4       4     data
//! ```
//!
//! `size` and `res0` are kept as found so an unchanged document re-encodes exactly.

use super::chunk::{Reader, put_u16, put_u32};
use super::error::Result;

pub const RES_VALUE_SIZE: usize = 8;

pub const TYPE_NULL: u8 = 0x00;
pub const TYPE_REFERENCE: u8 = 0x01;
pub const TYPE_ATTRIBUTE: u8 = 0x02;
pub const TYPE_STRING: u8 = 0x03;
pub const TYPE_FLOAT: u8 = 0x04;
pub const TYPE_DYNAMIC_REFERENCE: u8 = 0x07;
pub const TYPE_INT_DEC: u8 = 0x10;
pub const TYPE_INT_HEX: u8 = 0x11;
pub const TYPE_INT_BOOLEAN: u8 = 0x12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Value {
    pub size: u16,
    pub res0: u8,
    pub data_type: u8,
    pub data: u32,
}

/// What a [`Value`] means, for the types fuse reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typed {
    Null,
    /// A string pool index.
    String(u32),
    IntDec(i32),
    IntHex(u32),
    Boolean(bool),
    /// A resource id (`@type/name`), static or dynamic.
    Reference(u32),
    /// A theme attribute (`?attr`).
    Attribute(u32),
    Other {
        data_type: u8,
        data: u32,
    },
}

impl Value {
    fn new(data_type: u8, data: u32) -> Self {
        Self {
            size: RES_VALUE_SIZE as u16,
            res0: 0,
            data_type,
            data,
        }
    }

    pub fn string(index: u32) -> Self {
        Self::new(TYPE_STRING, index)
    }

    pub fn int_dec(v: i32) -> Self {
        Self::new(TYPE_INT_DEC, v as u32)
    }

    pub fn int_hex(v: u32) -> Self {
        Self::new(TYPE_INT_HEX, v)
    }

    /// aapt writes true as 0xFFFFFFFF (all bits), false as 0.
    pub fn boolean(v: bool) -> Self {
        Self::new(TYPE_INT_BOOLEAN, if v { 0xFFFF_FFFF } else { 0 })
    }

    pub fn reference(id: u32) -> Self {
        Self::new(TYPE_REFERENCE, id)
    }

    pub fn typed(&self) -> Typed {
        match self.data_type {
            TYPE_NULL => Typed::Null,
            TYPE_STRING => Typed::String(self.data),
            TYPE_INT_DEC => Typed::IntDec(self.data as i32),
            TYPE_INT_HEX => Typed::IntHex(self.data),
            // The platform treats any non-zero data as true.
            TYPE_INT_BOOLEAN => Typed::Boolean(self.data != 0),
            TYPE_REFERENCE | TYPE_DYNAMIC_REFERENCE => Typed::Reference(self.data),
            TYPE_ATTRIBUTE => Typed::Attribute(self.data),
            data_type => Typed::Other {
                data_type,
                data: self.data,
            },
        }
    }

    /// The string pool index this value refers to, if it is a string.
    pub fn string_index(&self) -> Option<u32> {
        (self.data_type == TYPE_STRING).then_some(self.data)
    }

    pub fn read(r: &Reader<'_>, at: usize) -> Result<Self> {
        let what = "typed value";
        Ok(Self {
            size: r.u16(at, what)?,
            res0: r.u8(at + 2, what)?,
            data_type: r.u8(at + 3, what)?,
            data: r.u32(at + 4, what)?,
        })
    }

    pub fn write(&self, out: &mut Vec<u8>) {
        put_u16(out, self.size);
        out.push(self.res0);
        out.push(self.data_type);
        put_u32(out, self.data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_write_what_aapt_writes() {
        let mut out = Vec::new();
        Value::boolean(true).write(&mut out);
        Value::int_dec(i32::MAX).write(&mut out);
        Value::string(5).write(&mut out);
        assert_eq!(
            out,
            [
                8, 0, 0, 0x12, 0xFF, 0xFF, 0xFF, 0xFF, //
                8, 0, 0, 0x10, 0xFF, 0xFF, 0xFF, 0x7F, //
                8, 0, 0, 0x03, 5, 0, 0, 0
            ]
        );
    }

    #[test]
    fn reads_back_and_interprets() {
        let bytes = [8, 0, 0, 0x12, 1, 0, 0, 0];
        let v = Value::read(&Reader::new(&bytes, 0), 0).unwrap();
        assert_eq!(v.typed(), Typed::Boolean(true));
        assert_eq!(Value::int_dec(-3).typed(), Typed::IntDec(-3));
        assert_eq!(Value::string(9).string_index(), Some(9));
        assert_eq!(Value::reference(0x7f01_0000).string_index(), None);
        assert!(Value::read(&Reader::new(&bytes[..5], 0), 0).is_err());
    }
}
