//! Everything that can be wrong with a Mach-O file fuse is asked to change.

/// A Mach-O problem. `Display` is the whole user-facing line after `error: `.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("{what}: not a Mach-O binary — expected a thin or fat (universal) Mach-O executable")]
    NotMachO { what: String },

    #[error(
        "{what}: malformed Mach-O: {detail} — the binary is corrupt or was tampered with; rebuild it"
    )]
    Malformed { what: String, detail: String },

    #[error(
        "{what}: malformed fat header: {detail} — the universal binary is corrupt; rebuild it or thin it with lipo"
    )]
    BadFat { what: String, detail: String },

    #[error(
        "{what} ({arch}) is encrypted (LC_ENCRYPTION_INFO cryptid {cryptid}) — App Store binaries cannot be changed; use the unencrypted build from your archive (Xcode export or CI artifact)"
    )]
    Encrypted {
        what: String,
        arch: String,
        cryptid: u32,
    },

    #[error(
        "{what} ({arch}) has no room for another load command ({room} bytes free before the first section, {needed} needed) — relink with -Wl,-headerpad,0x1000 (or -headerpad_max_install_names)"
    )]
    NoRoom {
        what: String,
        arch: String,
        room: u64,
        needed: u64,
    },

    #[error(
        "{what}: the bytes after the last load command are not free ({arch}) — something else lives in the header gap; relink the binary with -Wl,-headerpad,0x1000"
    )]
    GapNotEmpty { what: String, arch: String },

    #[error(
        "payload dylib: {detail} — the embedded libfusepin.dylib is unusable; this is a bug in the fuse build"
    )]
    BadPayload { detail: String },
}
