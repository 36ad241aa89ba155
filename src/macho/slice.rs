//! One thin Mach-O slice: bounded load-command walk, the facts fuse needs, and the
//! insertion of one `dylib_command` into the zero gap after the last load command.
//!
//! ```text
//! 0                 mach_header(_64)          28 / 32 bytes: magic cputype cpusubtype filetype
//!                                             ncmds sizeofcmds flags [reserved]
//! header            load commands             ncmds records {u32 cmd, u32 cmdsize, ...},
//!                                             exactly sizeofcmds bytes in total
//! header+sizeofcmds zero gap ("headerpad")    the new LC_LOAD_DYLIB goes here, and the
//!                                             LC_CODE_SIGNATURE signing adds to unsigned input
//! first section     __TEXT,__text ...         never moves: all offsets stay valid
//! ```

use super::Error;
use super::raw::*;

/// File name of the injected shim; its directory is `Frameworks/` of the app.
pub const SHIM_FILE_NAME: &str = "libfusepin.dylib";
/// Install path used when no `LC_RPATH` covers `Frameworks/`.
pub const SHIM_EXECUTABLE_PATH: &str = "@executable_path/Frameworks/libfusepin.dylib";
/// Install path used when an `LC_RPATH` already points at `Frameworks/`.
pub const SHIM_RPATH_PATH: &str = "@rpath/libfusepin.dylib";

/// The dylib to reference: versions come from its own `LC_ID_DYLIB`, so dyld's
/// compatibility check always passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DylibVersions {
    pub current: u32,
    pub compatibility: u32,
}

/// One load command's place in its slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandRef {
    pub cmd: u32,
    /// Offset from the start of the slice.
    pub offset: usize,
    pub size: usize,
}

/// What fuse knows about one slice after a bounded parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SliceInfo {
    pub arch: String,
    pub cputype: u32,
    pub cpusubtype: u32,
    pub filetype: u32,
    pub is_64: bool,
    /// Offset of the slice in its file (0 for thin files) and its length.
    pub file_offset: usize,
    pub size: usize,
    pub commands: Vec<CommandRef>,
    /// Paths of every dylib-loading command (`LC_LOAD_DYLIB`, weak, re-export, lazy, upward), in order.
    pub dylibs: Vec<String>,
    pub rpaths: Vec<String>,
    /// `LC_ID_DYLIB` path and versions, for dylibs.
    pub id_dylib: Option<(String, DylibVersions)>,
    /// `cryptid` of `LC_ENCRYPTION_INFO(_64)`, when present.
    pub cryptid: Option<u32>,
    /// `(dataoff, datasize)` of `LC_CODE_SIGNATURE`.
    pub code_signature: Option<(u32, u32)>,
    /// `(platform, minos)` from `LC_BUILD_VERSION` or `LC_VERSION_MIN_IPHONEOS` (platform 2 = iOS).
    pub min_os: Option<(u32, u32)>,
    /// End of the load commands (`header + sizeofcmds`).
    pub commands_end: usize,
    /// First byte of section (or segment) content after the header: the end of the gap.
    pub content_start: usize,
}

impl SliceInfo {
    /// Bytes free between the last load command and the first section.
    pub fn header_room(&self) -> usize {
        self.content_start.saturating_sub(self.commands_end)
    }

    /// Paths of the commands that load libfusepin (0 or 1 in a healthy binary).
    pub fn shim_loads(&self) -> Vec<&str> {
        self.dylibs
            .iter()
            .map(String::as_str)
            .filter(|p| is_shim_path(p))
            .collect()
    }

    /// The path to reference the shim by from this slice.
    pub fn shim_path(&self) -> &'static str {
        let covered = self.rpaths.iter().any(|r| {
            matches!(
                r.trim_end_matches('/'),
                "@executable_path/Frameworks" | "@loader_path/Frameworks"
            )
        });
        if covered {
            SHIM_RPATH_PATH
        } else {
            SHIM_EXECUTABLE_PATH
        }
    }
}

/// Whether a dylib path names the fuse shim.
pub fn is_shim_path(path: &str) -> bool {
    path == SHIM_FILE_NAME || path.ends_with("/libfusepin.dylib")
}

/// Parse one slice: header, a bounded walk of exactly `ncmds` commands filling exactly
/// `sizeofcmds` bytes, then goblin for segments and sections.
pub fn parse_slice(data: &[u8], file_offset: usize, what: &str) -> Result<SliceInfo, Error> {
    let malformed = |detail: String| Error::Malformed {
        what: what.to_owned(),
        detail,
    };
    let magic = le_u32(data, 0).ok_or_else(|| Error::NotMachO {
        what: what.to_owned(),
    })?;
    let (is_64, header_size) = match magic {
        MH_MAGIC => (false, HEADER_SIZE_32),
        MH_MAGIC_64 => (true, HEADER_SIZE_64),
        MH_CIGAM | MH_CIGAM_64 => {
            return Err(malformed("big-endian slices are not iOS code".to_owned()));
        }
        _ => {
            return Err(Error::NotMachO {
                what: what.to_owned(),
            });
        }
    };
    if data.len() < header_size {
        return Err(malformed(format!(
            "{} bytes cannot hold a {header_size}-byte header",
            data.len()
        )));
    }
    let field = |off: usize| le_u32(data, off).unwrap_or(0);
    let (cputype, cpusubtype, filetype) = (
        field(OFF_CPUTYPE),
        field(OFF_CPUSUBTYPE),
        field(OFF_FILETYPE),
    );
    let ncmds = field(OFF_NCMDS) as usize;
    let sizeofcmds = field(OFF_SIZEOFCMDS) as usize;
    if sizeofcmds > data.len() - header_size {
        return Err(malformed(format!(
            "sizeofcmds {sizeofcmds} runs past the end of the {}-byte slice",
            data.len()
        )));
    }
    if ncmds > sizeofcmds / 8 {
        return Err(malformed(format!(
            "ncmds {ncmds} cannot fit in sizeofcmds {sizeofcmds}"
        )));
    }
    let commands_end = header_size + sizeofcmds;

    let mut commands = Vec::with_capacity(ncmds);
    let mut at = header_size;
    for index in 0..ncmds {
        if commands_end - at < 8 {
            return Err(malformed(format!(
                "ncmds {ncmds} claims more commands than sizeofcmds {sizeofcmds} holds (only {index} fit)"
            )));
        }
        let (cmd, size) = match (le_u32(data, at), le_u32(data, at + 4)) {
            (Some(c), Some(s)) => (c, s as usize),
            _ => return Err(malformed(format!("load command {index} is truncated"))),
        };
        if size < 8 || size % 4 != 0 || size > commands_end - at {
            return Err(malformed(format!(
                "load command {index} (cmd {cmd:#x}) has cmdsize {size}, outside sizeofcmds {sizeofcmds}"
            )));
        }
        let needed = structure_size(data, cmd, at);
        if size < needed {
            return Err(malformed(format!(
                "load command {index} (cmd {cmd:#x}) has cmdsize {size}, shorter than its {needed}-byte structure"
            )));
        }
        commands.push(CommandRef {
            cmd,
            offset: at,
            size,
        });
        at += size;
    }
    if at != commands_end {
        return Err(malformed(format!(
            "{ncmds} load commands end at {at} but sizeofcmds says {commands_end}"
        )));
    }

    let mut info = SliceInfo {
        arch: arch_name(cputype, cpusubtype),
        cputype,
        cpusubtype,
        filetype,
        is_64,
        file_offset,
        size: data.len(),
        commands,
        dylibs: Vec::new(),
        rpaths: Vec::new(),
        id_dylib: None,
        cryptid: None,
        code_signature: None,
        min_os: None,
        commands_end,
        content_start: data.len(),
    };
    for c in info.commands.clone() {
        // In bounds: every command was checked to lie inside the load commands.
        let body = data.get(c.offset..c.offset + c.size).unwrap_or_default();
        let word = |off: usize| le_u32(body, off);
        let too_short = || malformed(format!("load command {:#x} is too short", c.cmd));
        match c.cmd {
            LC_LOAD_DYLIB | LC_LOAD_WEAK_DYLIB | LC_REEXPORT_DYLIB | LC_LAZY_LOAD_DYLIB
            | LC_LOAD_UPWARD_DYLIB => {
                info.dylibs.push(command_string(body, 8, what)?);
            }
            LC_ID_DYLIB => {
                let versions = DylibVersions {
                    current: word(16).ok_or_else(too_short)?,
                    compatibility: word(20).ok_or_else(too_short)?,
                };
                info.id_dylib = Some((command_string(body, 8, what)?, versions));
            }
            LC_RPATH => info.rpaths.push(command_string(body, 8, what)?),
            LC_ENCRYPTION_INFO | LC_ENCRYPTION_INFO_64 => {
                let id = word(ENCRYPTION_CRYPTID_OFFSET).ok_or_else(too_short)?;
                info.cryptid = Some(info.cryptid.unwrap_or(0).max(id));
            }
            LC_CODE_SIGNATURE => {
                info.code_signature = Some((
                    word(8).ok_or_else(too_short)?,
                    word(12).ok_or_else(too_short)?,
                ));
            }
            LC_BUILD_VERSION => {
                info.min_os = Some((
                    word(8).ok_or_else(too_short)?,
                    word(12).ok_or_else(too_short)?,
                ));
            }
            LC_VERSION_MIN_IPHONEOS if info.min_os.is_none() => {
                info.min_os = Some((2, word(8).ok_or_else(too_short)?));
            }
            _ => {}
        }
    }

    check_entry_point(data, &info.commands).map_err(malformed)?;
    info.content_start = content_start(data, what)?;
    if info.content_start < commands_end {
        return Err(malformed(format!(
            "load commands (ending at {commands_end}) overlap section data at {}",
            info.content_start
        )));
    }
    // apple-codesign (inspect, verify, re-signing) trusts the signature's fields.
    super::signature::check(data, &info).map_err(malformed)?;
    Ok(info)
}

/// goblin maps the first `LC_MAIN` offset through the first `__TEXT` segment as
/// `vmaddr - fileoff + entryoff` without checking for wrap-around (a panic with overflow
/// checks on; found by the `macho_load_commands` fuzz target). Checked here first.
fn check_entry_point(data: &[u8], commands: &[CommandRef]) -> Result<(), String> {
    let Some(main) = commands.iter().find(|c| c.cmd == LC_MAIN) else {
        return Ok(());
    };
    let entryoff = le_u64(data, main.offset + 8).ok_or("LC_MAIN is truncated")?;
    let text = commands.iter().find_map(|c| {
        let name = data.get(c.offset + 8..c.offset + 15)?;
        match c.cmd {
            LC_SEGMENT_64 if name == b"__TEXT\0" => {
                Some((le_u64(data, c.offset + 24)?, le_u64(data, c.offset + 40)?))
            }
            LC_SEGMENT if name == b"__TEXT\0" => Some((
                u64::from(le_u32(data, c.offset + 24)?),
                u64::from(le_u32(data, c.offset + 32)?),
            )),
            _ => None,
        }
    });
    let Some((vmaddr, fileoff)) = text else {
        return Err("LC_MAIN without a __TEXT segment".to_owned());
    };
    vmaddr
        .checked_sub(fileoff)
        .and_then(|base| base.checked_add(entryoff))
        .map(|_| ())
        .ok_or_else(|| {
            format!(
                "LC_MAIN entry offset {entryoff:#x} does not map into __TEXT (vmaddr {vmaddr:#x}, fileoff {fileoff:#x})"
            )
        })
}

fn le_u64(data: &[u8], offset: usize) -> Option<u64> {
    let bytes = data.get(offset..offset.checked_add(8)?)?;
    Some(u64::from_le_bytes(bytes.try_into().ok()?))
}

/// A NUL-terminated string at the `lc_str` offset stored at `field` of a command.
fn command_string(body: &[u8], field: usize, what: &str) -> Result<String, Error> {
    let malformed = |detail: &str| Error::Malformed {
        what: what.to_owned(),
        detail: detail.to_owned(),
    };
    let start = le_u32(body, field)
        .ok_or_else(|| malformed("load command string field is truncated"))?
        as usize;
    let rest = body
        .get(start..)
        .filter(|r| !r.is_empty() && start >= field + 4)
        .ok_or_else(|| malformed("load command string offset points outside its command"))?;
    let len = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    let bytes = rest.get(..len).unwrap_or_default();
    String::from_utf8(bytes.to_vec()).map_err(|_| malformed("load command string is not UTF-8"))
}

/// Bytes the command at `at` needs: its fixed structure, plus the section records of a
/// segment and the tool entries of `LC_BUILD_VERSION` (counts read from the command; a
/// count that does not fit is caught because the product exceeds any real `cmdsize`).
fn structure_size(data: &[u8], cmd: u32, at: usize) -> usize {
    let count = |field: usize| le_u32(data, at + field).unwrap_or(0) as usize;
    let base = min_command_size(cmd);
    match cmd {
        LC_SEGMENT => base.saturating_add(count(48).saturating_mul(section_record_size(false))),
        LC_SEGMENT_64 => base.saturating_add(count(64).saturating_mul(section_record_size(true))),
        LC_BUILD_VERSION => base.saturating_add(count(20).saturating_mul(8)),
        _ => base,
    }
}

/// Lowest file offset of section (or segment) content: everything before it is header.
/// goblin parses segments and sections; zero-fill sections have no bytes in the file.
fn content_start(data: &[u8], what: &str) -> Result<usize, Error> {
    let macho = goblin::mach::MachO::parse(data, 0).map_err(|e| Error::Malformed {
        what: what.to_owned(),
        detail: e.to_string(),
    })?;
    let mut start = data.len() as u64;
    for segment in macho.segments.iter() {
        if segment.filesize > 0 && segment.fileoff > 0 {
            start = start.min(segment.fileoff);
        }
        let sections = segment.sections().map_err(|e| Error::Malformed {
            what: what.to_owned(),
            detail: e.to_string(),
        })?;
        for (section, _) in sections {
            let kind = section.flags & SECTION_TYPE_MASK;
            let zerofill = matches!(kind, S_ZEROFILL | S_GB_ZEROFILL | S_THREAD_LOCAL_ZEROFILL);
            if !zerofill && section.size > 0 && section.offset > 0 {
                start = start.min(u64::from(section.offset));
            }
        }
    }
    Ok(usize::try_from(start).unwrap_or(data.len()))
}

/// What happened to one slice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SliceChange {
    /// The command was written at `offset` (slice-relative), `size` bytes.
    Added {
        path: String,
        offset: usize,
        size: usize,
    },
    /// The slice already loads the shim: left unchanged (idempotent).
    AlreadyPresent { path: String },
}

/// Check the slice can take the command and describe where it goes (no writes yet), so
/// a fat file is refused as a whole before any slice is touched.
pub fn plan_insert(
    data: &[u8],
    info: &SliceInfo,
    versions: DylibVersions,
    what: &str,
) -> Result<(SliceChange, Vec<u8>), Error> {
    if let Some(cryptid) = info.cryptid.filter(|&c| c != 0) {
        return Err(Error::Encrypted {
            what: what.to_owned(),
            arch: info.arch.clone(),
            cryptid,
        });
    }
    if let Some(existing) = info.shim_loads().first() {
        return Ok((
            SliceChange::AlreadyPresent {
                path: (*existing).to_owned(),
            },
            Vec::new(),
        ));
    }
    let path = info.shim_path();
    let command = encode_dylib_command(
        LC_LOAD_DYLIB,
        path,
        versions.current,
        versions.compatibility,
    );
    // Signing an unsigned slice adds LC_CODE_SIGNATURE after ours: keep room for it.
    let signature_room = if info.code_signature.is_some() {
        0
    } else {
        LINKEDIT_DATA_COMMAND_SIZE
    };
    let needed = command.len() + signature_room;
    let room = info.header_room();
    if room < needed {
        return Err(Error::NoRoom {
            what: what.to_owned(),
            arch: info.arch.clone(),
            room: room as u64,
            needed: needed as u64,
        });
    }
    let gap = data
        .get(info.commands_end..info.commands_end + needed)
        .unwrap_or_default();
    if gap.len() != needed || gap.iter().any(|&b| b != 0) {
        return Err(Error::GapNotEmpty {
            what: what.to_owned(),
            arch: info.arch.clone(),
        });
    }
    Ok((
        SliceChange::Added {
            path: path.to_owned(),
            offset: info.commands_end,
            size: command.len(),
        },
        command,
    ))
}

/// Write a planned command into `slice` (same length) and bump `ncmds`/`sizeofcmds`.
pub fn apply_insert(slice: &mut [u8], change: &SliceChange, command: &[u8]) -> bool {
    let SliceChange::Added { offset, size, .. } = change else {
        return true;
    };
    let (Some(ncmds), Some(sizeofcmds)) = (le_u32(slice, OFF_NCMDS), le_u32(slice, OFF_SIZEOFCMDS))
    else {
        return false;
    };
    let Some(target) = slice.get_mut(*offset..offset + size) else {
        return false;
    };
    target.copy_from_slice(command);
    let (Some(ncmds), Some(sizeofcmds)) = (
        ncmds.checked_add(1),
        u32::try_from(*size)
            .ok()
            .and_then(|s| sizeofcmds.checked_add(s)),
    ) else {
        return false;
    };
    put_le_u32(slice, OFF_NCMDS, ncmds) && put_le_u32(slice, OFF_SIZEOFCMDS, sizeofcmds)
}
