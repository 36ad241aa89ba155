//! Every protobuf message fuse reads or writes in an app bundle, with the upstream field
//! numbers — the one place they are written down (DESIGN §5).
//!
//! Sources (field numbers copied, code not):
//! - aapt2 `tools/aapt2/Resources.proto`, package `aapt.pb`
//!   (<https://android.googlesource.com/platform/frameworks/base/+/refs/heads/main/tools/aapt2/Resources.proto>,
//!   checked against the aosp-mirror/platform_frameworks_base copy at commit a9a19d7e and
//!   against what Debian's aapt2 2.19 writes);
//! - bundletool `src/main/proto/{files,targeting,config}.proto`, package `android.bundle`
//!   (<https://github.com/google/bundletool/tree/master/src/main/proto>, release 1.18.1).
//!
//! The same subsets, as `.proto` text, are in `testdata/aab/proto/`; the fixture
//! generator encodes with `protoc` from those files and `src/aab/proto.rs` tests check
//! that both agree. Only what fuse needs is modelled: prost skips unknown fields while
//! decoding, and fuse never re-encodes a decoded message (edits are spliced at the wire
//! level, `wire.rs`), so nothing unmodelled is ever lost.
//!
//! ```text
//! aapt.pb.XmlNode        { element 1: XmlElement | text 2: string ; source 3 }
//! aapt.pb.XmlElement     { namespace_declaration 1*, namespace_uri 2, name 3,
//!                          attribute 4*, child 5*: XmlNode }
//! aapt.pb.XmlAttribute   { namespace_uri 1, name 2, value 3, source 4,
//!                          resource_id 5, compiled_item 6: Item }
//! aapt.pb.Item           { ref 1 | str 2 | raw_str 3 | styled_str 4 | file 5 | id 6 | prim 7 }
//! aapt.pb.Primitive      { int_decimal_value 6 | int_hexadecimal_value 7 | boolean_value 8 | … }
//! android.bundle.NativeLibraries        { directory 1*: TargetedNativeDirectory }
//! android.bundle.TargetedNativeDirectory { path 1, targeting 2 }
//! android.bundle.NativeDirectoryTargeting { abi 1: Abi { alias 1 } }
//! android.bundle.BundleConfig            { bundletool 1: { version 2 }, type 8 }
//! ```

/// `aapt.pb.XmlNode` — an element or a text node.
#[derive(Clone, PartialEq, prost::Message)]
pub struct XmlNode {
    #[prost(oneof = "xml_node::Node", tags = "1, 2")]
    pub node: Option<xml_node::Node>,
    #[prost(message, optional, tag = "3")]
    pub source: Option<SourcePosition>,
}

pub mod xml_node {
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Node {
        #[prost(message, tag = "1")]
        Element(super::XmlElement),
        #[prost(string, tag = "2")]
        Text(String),
    }
}

/// `aapt.pb.XmlElement`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct XmlElement {
    #[prost(message, repeated, tag = "1")]
    pub namespace_declaration: Vec<XmlNamespace>,
    #[prost(string, tag = "2")]
    pub namespace_uri: String,
    #[prost(string, tag = "3")]
    pub name: String,
    #[prost(message, repeated, tag = "4")]
    pub attribute: Vec<XmlAttribute>,
    #[prost(message, repeated, tag = "5")]
    pub child: Vec<XmlNode>,
}

/// `aapt.pb.XmlNamespace` (`xmlns:prefix="uri"`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct XmlNamespace {
    #[prost(string, tag = "1")]
    pub prefix: String,
    #[prost(string, tag = "2")]
    pub uri: String,
    #[prost(message, optional, tag = "3")]
    pub source: Option<SourcePosition>,
}

/// `aapt.pb.XmlAttribute`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct XmlAttribute {
    #[prost(string, tag = "1")]
    pub namespace_uri: String,
    #[prost(string, tag = "2")]
    pub name: String,
    /// The source text; aapt2 always writes it.
    #[prost(string, tag = "3")]
    pub value: String,
    #[prost(message, optional, tag = "4")]
    pub source: Option<SourcePosition>,
    /// 0 when the attribute was not compiled against a framework/app attribute.
    #[prost(uint32, tag = "5")]
    pub resource_id: u32,
    /// Present when aapt2 could type the value (booleans, integers, references…).
    #[prost(message, optional, tag = "6")]
    pub compiled_item: Option<Item>,
}

/// `aapt.pb.SourcePosition`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SourcePosition {
    #[prost(uint32, tag = "1")]
    pub line_number: u32,
    #[prost(uint32, tag = "2")]
    pub column_number: u32,
}

/// `aapt.pb.Item`. `styled_str` (4), `file` (5) and `id` (6) are not modelled: a
/// manifest attribute fuse reads never holds them, and prost skips them.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Item {
    #[prost(oneof = "item::Value", tags = "1, 2, 3, 7")]
    pub value: Option<item::Value>,
}

pub mod item {
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Value {
        #[prost(message, tag = "1")]
        Ref(super::Reference),
        #[prost(message, tag = "2")]
        Str(super::PbString),
        #[prost(message, tag = "3")]
        RawStr(super::RawString),
        #[prost(message, tag = "7")]
        Prim(super::Primitive),
    }
}

/// `aapt.pb.Reference`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Reference {
    /// 0 = `@` reference, 1 = `?` theme attribute.
    #[prost(int32, tag = "1")]
    pub r#type: i32,
    #[prost(uint32, tag = "2")]
    pub id: u32,
    #[prost(string, tag = "3")]
    pub name: String,
    #[prost(bool, tag = "4")]
    pub private: bool,
}

/// `aapt.pb.String`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PbString {
    #[prost(string, tag = "1")]
    pub value: String,
}

/// `aapt.pb.RawString`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RawString {
    #[prost(string, tag = "1")]
    pub value: String,
}

/// `aapt.pb.Primitive` — the `Res_value` kinds a compiled attribute can hold.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Primitive {
    #[prost(
        oneof = "primitive::Value",
        tags = "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14"
    )]
    pub value: Option<primitive::Value>,
}

pub mod primitive {
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Value {
        #[prost(message, tag = "1")]
        NullValue(super::Empty),
        #[prost(message, tag = "2")]
        EmptyValue(super::Empty),
        #[prost(float, tag = "3")]
        FloatValue(f32),
        #[prost(float, tag = "4")]
        DimensionValueDeprecated(f32),
        #[prost(float, tag = "5")]
        FractionValueDeprecated(f32),
        #[prost(int32, tag = "6")]
        IntDecimalValue(i32),
        #[prost(uint32, tag = "7")]
        IntHexadecimalValue(u32),
        #[prost(bool, tag = "8")]
        BooleanValue(bool),
        #[prost(uint32, tag = "9")]
        ColorArgb8Value(u32),
        #[prost(uint32, tag = "10")]
        ColorRgb8Value(u32),
        #[prost(uint32, tag = "11")]
        ColorArgb4Value(u32),
        #[prost(uint32, tag = "12")]
        ColorRgb4Value(u32),
        #[prost(uint32, tag = "13")]
        DimensionValue(u32),
        #[prost(uint32, tag = "14")]
        FractionValue(u32),
    }
}

/// `Primitive.NullType` / `Primitive.EmptyType`: messages without fields.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Empty {}

/// `android.bundle.NativeLibraries` (`<module>/native.pb`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct NativeLibraries {
    #[prost(message, repeated, tag = "1")]
    pub directory: Vec<TargetedNativeDirectory>,
}

/// `android.bundle.TargetedNativeDirectory`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TargetedNativeDirectory {
    /// Relative to the module root: `lib/<abi>`.
    #[prost(string, tag = "1")]
    pub path: String,
    #[prost(message, optional, tag = "2")]
    pub targeting: Option<NativeDirectoryTargeting>,
}

/// `android.bundle.NativeDirectoryTargeting` (2 = the retired graphics API; 3 texture
/// compression and 4 sanitizer are not modelled).
#[derive(Clone, PartialEq, prost::Message)]
pub struct NativeDirectoryTargeting {
    #[prost(message, optional, tag = "1")]
    pub abi: Option<Abi>,
}

/// `android.bundle.Abi`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Abi {
    /// `Abi.AbiAlias`; see [`abi_alias`].
    #[prost(int32, tag = "1")]
    pub alias: i32,
}

/// `android.bundle.Abi.AbiAlias` values and their `lib/` directory names
/// (bundletool `AbiName`).
pub mod abi_alias {
    pub const ARMEABI: i32 = 1;
    pub const ARMEABI_V7A: i32 = 2;
    pub const ARM64_V8A: i32 = 3;
    pub const X86: i32 = 4;
    pub const X86_64: i32 = 5;
    pub const MIPS: i32 = 6;
    pub const MIPS64: i32 = 7;
    pub const RISCV64: i32 = 8;

    const TABLE: [(&str, i32); 8] = [
        ("armeabi", ARMEABI),
        ("armeabi-v7a", ARMEABI_V7A),
        ("arm64-v8a", ARM64_V8A),
        ("x86", X86),
        ("x86_64", X86_64),
        ("mips", MIPS),
        ("mips64", MIPS64),
        ("riscv64", RISCV64),
    ];

    /// The alias of a `lib/<dir>` name, if bundletool knows it.
    pub fn of_dir(dir: &str) -> Option<i32> {
        TABLE.iter().find(|(d, _)| *d == dir).map(|&(_, a)| a)
    }

    /// The `lib/<dir>` name of an alias.
    pub fn dir(alias: i32) -> Option<&'static str> {
        TABLE.iter().find(|&&(_, a)| a == alias).map(|&(d, _)| d)
    }
}

/// `android.bundle.BundleConfig` (`BundleConfig.pb`), only what `inspect` shows and the
/// bundle type fuse must refuse.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BundleConfig {
    #[prost(message, optional, tag = "1")]
    pub bundletool: Option<Bundletool>,
    /// `BundleConfig.BundleType`: 0 regular, 1 APEX, 2 asset-only.
    #[prost(int32, tag = "8")]
    pub r#type: i32,
}

/// `android.bundle.Bundletool`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Bundletool {
    #[prost(string, tag = "2")]
    pub version: String,
}

/// `BundleConfig.BundleType` values.
pub mod bundle_type {
    pub const REGULAR: i32 = 0;
    pub const APEX: i32 = 1;
    pub const ASSET_ONLY: i32 = 2;
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    #[test]
    fn abi_names_round_trip() {
        for dir in ["arm64-v8a", "armeabi-v7a", "x86", "x86_64", "riscv64"] {
            let alias = abi_alias::of_dir(dir).unwrap();
            assert_eq!(abi_alias::dir(alias), Some(dir));
        }
        assert_eq!(abi_alias::of_dir("arm64"), None);
    }

    #[test]
    fn a_boolean_false_is_still_written_inside_its_oneof() {
        // aapt2 (C++ proto3) writes a set oneof member even at its default value; prost
        // must do the same or `exported="false"` would lose its compiled value.
        let item = Item {
            value: Some(item::Value::Prim(Primitive {
                value: Some(primitive::Value::BooleanValue(false)),
            })),
        };
        assert_eq!(item.encode_to_vec(), [0x3a, 0x02, 0x40, 0x00]);
    }
}
