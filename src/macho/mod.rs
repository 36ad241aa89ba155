//! Mach-O: the one change fuse makes to an iOS executable — one more `LC_LOAD_DYLIB` for
//! `libfusepin.dylib` in every slice — plus the facts `inspect`/`verify` report.
//!
//! ```text
//! thin file                          fat (universal) file, big-endian header
//! +----------------------+           +---------------------------------------+
//! | mach_header_64       |           | fat_header {0xcafebabe|0xcafebabf, n} |
//! | load commands        |           | fat_arch[n] {cpu, sub, off, size, al} |
//! |  ... last command    |           +---------------------------------------+
//! | + LC_LOAD_DYLIB (new)|  <- gap   | slice 0 (thin layout, as on the left)  |
//! | zero gap             |           | ...                                   |
//! | __TEXT sections ...  |           | slice n-1                             |
//! | __LINKEDIT [sig]     |           +---------------------------------------+
//! +----------------------+
//! ```
//! The command is written into the zero gap after the last load command, so no section,
//! segment or slice moves and every file offset stays valid; the fat table is unchanged
//! (re-signing later grows `__LINKEDIT` and rewrites the fat offsets itself). A slice that
//! is encrypted (`cryptid != 0`) or lacks room — for the command, plus the 16-byte
//! `LC_CODE_SIGNATURE` an unsigned slice still needs — is refused, and then the whole file
//! is. A slice that already loads the shim is left alone (idempotent).
//!
//! Parsing: every count and size is bounded by its enclosing record before use (`raw.rs`
//! readers return `None` past the end; `fat.rs` and `slice.rs` check `nfat_arch`,
//! slice ranges, `ncmds`, `sizeofcmds`, `cmdsize`), then goblin reads segments and sections;
//! `signature.rs` bounds the embedded code signature before apple-codesign may read it.

mod error;
pub mod fat;
pub mod raw;
pub mod signature;
pub mod slice;

pub use error::Error;
pub use slice::{
    DylibVersions, SHIM_EXECUTABLE_PATH, SHIM_FILE_NAME, SHIM_RPATH_PATH, SliceChange, SliceInfo,
    is_shim_path,
};

/// Whether `data` starts like a Mach-O file (thin or fat). Java class files share the fat
/// magic; callers use this only on files that should be Mach-O (executables, dylibs).
pub fn looks_like_macho(data: &[u8]) -> bool {
    fat::fat_magic(data).is_some()
        || matches!(
            raw::le_u32(data, 0),
            Some(raw::MH_MAGIC | raw::MH_MAGIC_64 | raw::MH_CIGAM | raw::MH_CIGAM_64)
        )
}

/// Parse every slice of a thin or fat file. `what` names the file in errors.
pub fn parse(data: &[u8], what: &str) -> Result<Vec<SliceInfo>, Error> {
    if fat::fat_magic(data).is_some() {
        let arches = fat::parse_fat(data, what)?;
        let mut slices = Vec::with_capacity(arches.len());
        for arch in arches {
            let bytes = data
                .get(arch.offset..arch.offset + arch.size)
                .ok_or_else(|| Error::BadFat {
                    what: what.to_owned(),
                    detail: "slice outside the file".to_owned(),
                })?;
            let info = slice::parse_slice(bytes, arch.offset, what)?;
            if info.cputype != arch.cputype {
                return Err(Error::BadFat {
                    what: what.to_owned(),
                    detail: format!(
                        "arch table says cputype {:#x} at {} but the slice is {:#x}",
                        arch.cputype, arch.offset, info.cputype
                    ),
                });
            }
            slices.push(info);
        }
        Ok(slices)
    } else {
        Ok(vec![slice::parse_slice(data, 0, what)?])
    }
}

/// The result of adding the load command to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injection {
    /// The new file: same length as the input; differs only in the headers and the new commands.
    pub data: Vec<u8>,
    /// Per slice, in file order: its arch and what was done.
    pub slices: Vec<(String, SliceChange)>,
}

impl Injection {
    /// True when no slice needed the command (the input already loads the shim everywhere).
    pub fn unchanged(&self) -> bool {
        self.slices
            .iter()
            .all(|(_, c)| matches!(c, SliceChange::AlreadyPresent { .. }))
    }
}

/// Add `LC_LOAD_DYLIB <shim>` to every slice of `data` (thin or fat). All slices are
/// checked before any is written: one bad slice refuses the whole file.
pub fn add_shim_load(data: &[u8], versions: DylibVersions, what: &str) -> Result<Injection, Error> {
    let slices = parse(data, what)?;
    let mut plans = Vec::with_capacity(slices.len());
    for info in &slices {
        let bytes = data
            .get(info.file_offset..info.file_offset + info.size)
            .unwrap_or_default();
        let (change, command) = slice::plan_insert(bytes, info, versions, what)?;
        plans.push((info, change, command));
    }
    let mut out = data.to_vec();
    let mut report = Vec::with_capacity(plans.len());
    for (info, change, command) in plans {
        let written = out
            .get_mut(info.file_offset..info.file_offset + info.size)
            .is_some_and(|bytes| slice::apply_insert(bytes, &change, &command));
        if !written {
            return Err(Error::Malformed {
                what: what.to_owned(),
                detail: "header fields changed while writing".to_owned(),
            });
        }
        report.push((info.arch.clone(), change));
    }
    Ok(Injection {
        data: out,
        slices: report,
    })
}

/// The shim's own `LC_ID_DYLIB` versions (first slice), which the new command records.
pub fn dylib_versions(dylib: &[u8]) -> Result<DylibVersions, Error> {
    let slices = parse(dylib, "libfusepin.dylib").map_err(|e| Error::BadPayload {
        detail: e.to_string(),
    })?;
    slices
        .first()
        .and_then(|s| s.id_dylib.as_ref())
        .map(|(_, v)| *v)
        .ok_or_else(|| Error::BadPayload {
            detail: "no LC_ID_DYLIB".to_owned(),
        })
}
