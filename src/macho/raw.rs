//! Raw on-disk Mach-O structures fuse reads and writes, apart from the logic that uses them.
//! Values and layouts follow Apple's `<mach-o/loader.h>` and `<mach-o/fat.h>`.

/// `mach_header.magic` of a 32-bit little-endian slice (`MH_MAGIC` as read LE).
pub const MH_MAGIC: u32 = 0xfeed_face;
/// `mach_header_64.magic` (`MH_MAGIC_64` as read LE).
pub const MH_MAGIC_64: u32 = 0xfeed_facf;
/// Byte-swapped magics: big-endian slices (PowerPC); never iOS.
pub const MH_CIGAM: u32 = 0xcefa_edfe;
pub const MH_CIGAM_64: u32 = 0xcffa_edfe;
/// Fat (universal) header magic, always stored big-endian; `_64` uses 64-bit offsets.
pub const FAT_MAGIC: u32 = 0xcafe_babe;
pub const FAT_MAGIC_64: u32 = 0xcafe_babf;

/// `sizeof(struct mach_header)` / `sizeof(struct mach_header_64)`.
pub const HEADER_SIZE_32: usize = 28;
pub const HEADER_SIZE_64: usize = 32;
/// `sizeof(struct fat_header)`, `sizeof(struct fat_arch)`, `sizeof(struct fat_arch_64)`.
pub const FAT_HEADER_SIZE: usize = 8;
pub const FAT_ARCH_SIZE: usize = 20;
pub const FAT_ARCH_64_SIZE: usize = 32;

/// Header field offsets (same in 32- and 64-bit headers).
pub const OFF_CPUTYPE: usize = 4;
pub const OFF_CPUSUBTYPE: usize = 8;
pub const OFF_FILETYPE: usize = 12;
pub const OFF_NCMDS: usize = 16;
pub const OFF_SIZEOFCMDS: usize = 20;

/// Load commands fuse looks at.
pub const LC_SEGMENT: u32 = 0x1;
pub const LC_LOAD_DYLIB: u32 = 0xc;
pub const LC_ID_DYLIB: u32 = 0xd;
pub const LC_SEGMENT_64: u32 = 0x19;
pub const LC_CODE_SIGNATURE: u32 = 0x1d;
pub const LC_LOAD_WEAK_DYLIB: u32 = 0x8000_0018;
pub const LC_RPATH: u32 = 0x8000_001c;
pub const LC_REEXPORT_DYLIB: u32 = 0x8000_001f;
pub const LC_LAZY_LOAD_DYLIB: u32 = 0x20;
pub const LC_LOAD_UPWARD_DYLIB: u32 = 0x8000_0023;
pub const LC_ENCRYPTION_INFO: u32 = 0x21;
pub const LC_ENCRYPTION_INFO_64: u32 = 0x2c;
pub const LC_VERSION_MIN_IPHONEOS: u32 = 0x25;
pub const LC_BUILD_VERSION: u32 = 0x32;
pub const LC_MAIN: u32 = 0x8000_0028;
pub const LC_SYMTAB: u32 = 0x2;
pub const LC_DYSYMTAB: u32 = 0xb;
pub const LC_LOAD_DYLINKER: u32 = 0xe;
pub const LC_ID_DYLINKER: u32 = 0xf;
pub const LC_UUID: u32 = 0x1b;
pub const LC_SEGMENT_SPLIT_INFO: u32 = 0x1e;
pub const LC_DYLD_INFO: u32 = 0x22;
pub const LC_DYLD_INFO_ONLY: u32 = 0x8000_0022;
pub const LC_VERSION_MIN_MACOSX: u32 = 0x24;
pub const LC_FUNCTION_STARTS: u32 = 0x26;
pub const LC_DYLD_ENVIRONMENT: u32 = 0x27;
pub const LC_DATA_IN_CODE: u32 = 0x29;
pub const LC_SOURCE_VERSION: u32 = 0x2a;
pub const LC_DYLIB_CODE_SIGN_DRS: u32 = 0x2b;
pub const LC_LINKER_OPTIMIZATION_HINT: u32 = 0x2e;
pub const LC_VERSION_MIN_TVOS: u32 = 0x2f;
pub const LC_VERSION_MIN_WATCHOS: u32 = 0x30;
pub const LC_DYLD_EXPORTS_TRIE: u32 = 0x8000_0033;
pub const LC_DYLD_CHAINED_FIXUPS: u32 = 0x8000_0034;

/// `sizeof(struct linkedit_data_command)`: what `LC_CODE_SIGNATURE` needs when signing
/// an unsigned slice.
pub const LINKEDIT_DATA_COMMAND_SIZE: usize = 16;
/// `sizeof(struct dylib_command)` without the path: the path starts right after it.
pub const DYLIB_COMMAND_SIZE: usize = 24;
/// `encryption_info_command.cryptid` offset inside the command (32- and 64-bit forms).
pub const ENCRYPTION_CRYPTID_OFFSET: usize = 16;

/// Section types whose bytes are not in the file (`S_ZEROFILL` and friends): they never
/// bound the header gap.
pub const SECTION_TYPE_MASK: u32 = 0xff;
pub const S_ZEROFILL: u32 = 0x1;
pub const S_GB_ZEROFILL: u32 = 0xc;
pub const S_THREAD_LOCAL_ZEROFILL: u32 = 0x12;

/// Mach-O file types.
pub const MH_EXECUTE: u32 = 0x2;
pub const MH_DYLIB: u32 = 0x6;

/// CPU types of the slices an IPA carries.
pub const CPU_TYPE_X86: u32 = 7;
pub const CPU_TYPE_X86_64: u32 = 0x0100_0007;
pub const CPU_TYPE_ARM: u32 = 12;
pub const CPU_TYPE_ARM64: u32 = 0x0100_000c;
pub const CPU_TYPE_ARM64_32: u32 = 0x0200_000c;
/// `CPU_SUBTYPE_ARM64E` (low byte of the subtype).
pub const CPU_SUBTYPE_ARM64E: u32 = 2;

/// A `dylib_command` with its path, ready to be written into the header gap:
///
/// ```text
///  0  u32 cmd                    LC_LOAD_DYLIB
///  4  u32 cmdsize                24 + path + NUL, rounded up to 8
///  8  u32 name.offset            24
/// 12  u32 timestamp              2 (what ld64 writes)
/// 16  u32 current_version        xxxx.yy.zz nibbles, copied from the dylib's LC_ID_DYLIB
/// 20  u32 compatibility_version  likewise
/// 24  path bytes, NUL, zero padding
/// ```
pub fn encode_dylib_command(
    cmd: u32,
    path: &str,
    current_version: u32,
    compatibility_version: u32,
) -> Vec<u8> {
    let unpadded = DYLIB_COMMAND_SIZE + path.len() + 1;
    let cmdsize = unpadded.div_ceil(8) * 8;
    let mut out = Vec::with_capacity(cmdsize);
    for word in [
        cmd,
        u32::try_from(cmdsize).unwrap_or(u32::MAX),
        DYLIB_COMMAND_SIZE as u32,
        2,
        current_version,
        compatibility_version,
    ] {
        out.extend_from_slice(&word.to_le_bytes());
    }
    out.extend_from_slice(path.as_bytes());
    out.resize(cmdsize, 0);
    out
}

/// Little-endian `u32` at `offset`, or `None` past the end.
pub fn le_u32(data: &[u8], offset: usize) -> Option<u32> {
    let bytes = data.get(offset..offset.checked_add(4)?)?;
    Some(u32::from_le_bytes(bytes.try_into().ok()?))
}

/// Big-endian `u32` at `offset` (fat headers), or `None` past the end.
pub fn be_u32(data: &[u8], offset: usize) -> Option<u32> {
    let bytes = data.get(offset..offset.checked_add(4)?)?;
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

/// Big-endian `u64` at `offset` (`fat_arch_64`), or `None` past the end.
pub fn be_u64(data: &[u8], offset: usize) -> Option<u64> {
    let bytes = data.get(offset..offset.checked_add(8)?)?;
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// Overwrite a little-endian `u32`; `false` when out of bounds.
pub fn put_le_u32(data: &mut [u8], offset: usize, value: u32) -> bool {
    match offset
        .checked_add(4)
        .and_then(|end| data.get_mut(offset..end))
    {
        Some(slot) => {
            slot.copy_from_slice(&value.to_le_bytes());
            true
        }
        None => false,
    }
}

/// `xxxx.yy.zz` version nibbles as text (`LC_ID_DYLIB`, `LC_BUILD_VERSION`).
pub fn version_string(v: u32) -> String {
    format!("{}.{}.{}", v >> 16, (v >> 8) & 0xff, v & 0xff)
}

/// Human name of a CPU type/subtype pair, as `lipo` prints them.
pub fn arch_name(cputype: u32, cpusubtype: u32) -> String {
    match cputype {
        CPU_TYPE_ARM64 if cpusubtype & 0xff == CPU_SUBTYPE_ARM64E => "arm64e".to_owned(),
        CPU_TYPE_ARM64 => "arm64".to_owned(),
        CPU_TYPE_ARM64_32 => "arm64_32".to_owned(),
        CPU_TYPE_ARM => match cpusubtype & 0xff {
            9 => "armv7".to_owned(),
            11 => "armv7s".to_owned(),
            12 => "armv7k".to_owned(),
            _ => "arm".to_owned(),
        },
        CPU_TYPE_X86_64 => "x86_64".to_owned(),
        CPU_TYPE_X86 => "i386".to_owned(),
        other => format!("cpu{other:#x}"),
    }
}

/// Smallest `cmdsize` a load command of type `cmd` can have: the size of its fixed
/// structure (`<mach-o/loader.h>`), plus its section records for segments (`nsects` is
/// read by the caller). goblin reads these structures whole, so a command declared
/// shorter than its structure makes goblin read the bytes after it — the header gap fuse
/// writes into (regression: fuzz crash `macho-segment-shorter-than-its-struct`). 8 for
/// commands whose layout fuse does not rely on.
pub fn min_command_size(cmd: u32) -> usize {
    match cmd {
        LC_SEGMENT => 56,
        LC_SEGMENT_64 => 72,
        LC_SYMTAB => 24,
        LC_DYSYMTAB => 80,
        LC_LOAD_DYLIB | LC_ID_DYLIB | LC_LOAD_WEAK_DYLIB | LC_REEXPORT_DYLIB
        | LC_LAZY_LOAD_DYLIB | LC_LOAD_UPWARD_DYLIB => 24,
        LC_LOAD_DYLINKER | LC_ID_DYLINKER | LC_DYLD_ENVIRONMENT | LC_RPATH => 12,
        LC_UUID => 24,
        LC_CODE_SIGNATURE
        | LC_SEGMENT_SPLIT_INFO
        | LC_FUNCTION_STARTS
        | LC_DATA_IN_CODE
        | LC_DYLIB_CODE_SIGN_DRS
        | LC_LINKER_OPTIMIZATION_HINT
        | LC_DYLD_EXPORTS_TRIE
        | LC_DYLD_CHAINED_FIXUPS => 16,
        LC_ENCRYPTION_INFO => 20,
        LC_ENCRYPTION_INFO_64 => 24,
        LC_DYLD_INFO | LC_DYLD_INFO_ONLY => 48,
        LC_VERSION_MIN_MACOSX
        | LC_VERSION_MIN_IPHONEOS
        | LC_VERSION_MIN_TVOS
        | LC_VERSION_MIN_WATCHOS => 16,
        LC_BUILD_VERSION => 24,
        LC_MAIN => 24,
        LC_SOURCE_VERSION => 16,
        _ => 8,
    }
}

/// Bytes of one section record after a segment command.
pub fn section_record_size(is_64: bool) -> usize {
    if is_64 { 80 } else { 68 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dylib_command_for_the_executable_path_is_72_bytes() {
        // CRATES.md: 24 + 44 + 1 rounded to 8.
        let cmd = encode_dylib_command(
            LC_LOAD_DYLIB,
            "@executable_path/Frameworks/libfusepin.dylib",
            0x10000,
            0x10000,
        );
        assert_eq!(cmd.len(), 72);
        assert_eq!(le_u32(&cmd, 4), Some(72));
        assert_eq!(le_u32(&cmd, 8), Some(24));
        assert_eq!(
            &cmd[24..68],
            b"@executable_path/Frameworks/libfusepin.dylib"
        );
        assert!(cmd[68..].iter().all(|&b| b == 0));
    }

    #[test]
    fn readers_refuse_out_of_bounds() {
        assert_eq!(le_u32(&[1, 2, 3], 0), None);
        assert_eq!(be_u32(&[0, 0, 0, 1], 0), Some(1));
        assert_eq!(be_u64(&[0; 7], 0), None);
        assert_eq!(le_u32(&[0; 8], usize::MAX - 1), None);
    }
}
