//! Fishhook-style rebinding: in each loaded image, find the symbol-pointer slots bound
//! to `_SecTrustEvaluateWithError` / `_SecTrustEvaluate` and point them at our hooks.
//!
//! ```text
//! mach_header_64 | load commands: LC_SEGMENT_64 (…, sections), LC_SYMTAB, LC_DYSYMTAB
//! __DATA / __DATA_CONST sections of type S_(NON_)LAZY_SYMBOL_POINTERS:
//!     slot i  ──  indirect symbol table[reserved1 + i]  ──  nlist_64 ──  string table name
//! ```
//!
//! The indirect symbol table still describes every `__got` / `__la_symbol_ptr` slot in
//! images linked with chained fixups, so this works on both binding styles.

use core::ffi::c_void;
use core::mem::size_of;
use core::ptr;

use super::{ffi, trust};

const MH_MAGIC_64: u32 = 0xfeed_facf;
const LC_SEGMENT_64: u32 = 0x19;
const LC_SYMTAB: u32 = 0x2;
const LC_DYSYMTAB: u32 = 0xb;
const SECTION_TYPE: u32 = 0xff;
const S_NON_LAZY_SYMBOL_POINTERS: u32 = 0x6;
const S_LAZY_SYMBOL_POINTERS: u32 = 0x7;
const INDIRECT_SYMBOL_LOCAL: u32 = 0x8000_0000;
const INDIRECT_SYMBOL_ABS: u32 = 0x4000_0000;
const PAGE: usize = 16 << 10;

#[repr(C)]
struct MachHeader64 {
    magic: u32,
    cputype: i32,
    cpusubtype: i32,
    filetype: u32,
    ncmds: u32,
    sizeofcmds: u32,
    flags: u32,
    reserved: u32,
}

#[repr(C)]
struct LoadCommand {
    cmd: u32,
    cmdsize: u32,
}

#[repr(C)]
struct SegmentCommand64 {
    cmd: u32,
    cmdsize: u32,
    segname: [u8; 16],
    vmaddr: u64,
    vmsize: u64,
    fileoff: u64,
    filesize: u64,
    maxprot: i32,
    initprot: i32,
    nsects: u32,
    flags: u32,
}

#[repr(C)]
struct Section64 {
    sectname: [u8; 16],
    segname: [u8; 16],
    addr: u64,
    size: u64,
    offset: u32,
    align: u32,
    reloff: u32,
    nreloc: u32,
    flags: u32,
    reserved1: u32,
    reserved2: u32,
    reserved3: u32,
}

#[repr(C)]
struct SymtabCommand {
    cmd: u32,
    cmdsize: u32,
    symoff: u32,
    nsyms: u32,
    stroff: u32,
    strsize: u32,
}

/// `dysymtab_command` up to the indirect symbol table fields.
#[repr(C)]
struct DysymtabCommand {
    cmd: u32,
    cmdsize: u32,
    skipped: [u32; 10],
    indirectsymoff: u32,
    nindirectsyms: u32,
}

#[repr(C)]
struct Nlist64 {
    n_strx: u32,
    n_type: u8,
    n_sect: u8,
    n_desc: u16,
    n_value: u64,
}

fn segment_is(name: &[u8; 16], want: &[u8]) -> bool {
    name.get(..want.len()) == Some(want) && name.get(want.len()).is_none_or(|&b| b == 0)
}

/// Iterates the load commands of a mapped image.
///
/// # Safety
/// `header` must point to the `mach_header_64` of an image dyld has mapped.
unsafe fn commands(header: *const MachHeader64) -> impl Iterator<Item = *const LoadCommand> {
    // SAFETY: the header of a mapped image is readable (contract).
    let (ncmds, sizeofcmds) = unsafe { ((*header).ncmds, (*header).sizeofcmds as usize) };
    let start = header.cast::<u8>().wrapping_add(size_of::<MachHeader64>());
    let mut offset = 0usize;
    (0..ncmds).map_while(move |_| {
        if offset + size_of::<LoadCommand>() > sizeofcmds {
            return None;
        }
        let cmd = start.wrapping_add(offset).cast::<LoadCommand>();
        // SAFETY: `cmd` lies inside the load-command area dyld mapped with the header.
        let size = unsafe { (*cmd).cmdsize } as usize;
        if size < size_of::<LoadCommand>() {
            return None;
        }
        offset += size;
        Some(cmd)
    })
}

/// dyld's callback for every image (those loaded before registration and later ones).
///
/// # Safety
/// Called by dyld with a mapped image's header and its slide.
pub unsafe extern "C" fn on_image_added(header: *const c_void, slide: isize) {
    let header = header.cast::<MachHeader64>();
    // SAFETY: dyld passes the mapped header of a loaded image.
    if header.is_null()
        || unsafe { (*header).magic } != MH_MAGIC_64
        || header.cast() == own_header()
    {
        return;
    }
    let (mut linkedit, mut symtab, mut dysymtab) = (ptr::null(), ptr::null(), ptr::null());
    // SAFETY: `header` is a mapped 64-bit image (checked above).
    for cmd in unsafe { commands(header) } {
        // SAFETY: every command yielded lies inside the mapped load-command area.
        match unsafe { (*cmd).cmd } {
            LC_SEGMENT_64 => {
                let seg = cmd.cast::<SegmentCommand64>();
                // SAFETY: an LC_SEGMENT_64 command is a `segment_command_64`.
                if segment_is(unsafe { &(*seg).segname }, b"__LINKEDIT") {
                    linkedit = seg;
                }
            }
            LC_SYMTAB => symtab = cmd.cast::<SymtabCommand>(),
            LC_DYSYMTAB => dysymtab = cmd.cast::<DysymtabCommand>(),
            _ => {}
        }
    }
    if linkedit.is_null() || symtab.is_null() || dysymtab.is_null() {
        return;
    }
    // SAFETY: the three commands were found in the mapped image; __LINKEDIT is mapped
    // at `slide + vmaddr`, and the tables it holds lie at their file offsets inside it.
    unsafe {
        let base = (slide as usize)
            .wrapping_add((*linkedit).vmaddr as usize)
            .wrapping_sub((*linkedit).fileoff as usize);
        let tables = Tables {
            symbols: (base + (*symtab).symoff as usize) as *const Nlist64,
            nsyms: (*symtab).nsyms,
            strings: (base + (*symtab).stroff as usize) as *const u8,
            strsize: (*symtab).strsize,
            indirect: (base + (*dysymtab).indirectsymoff as usize) as *const u32,
            nindirect: (*dysymtab).nindirectsyms,
        };
        for cmd in commands(header) {
            if (*cmd).cmd != LC_SEGMENT_64 {
                continue;
            }
            let seg = cmd.cast::<SegmentCommand64>();
            if !segment_is(&(*seg).segname, b"__DATA")
                && !segment_is(&(*seg).segname, b"__DATA_CONST")
            {
                continue;
            }
            let sections = seg.add(1).cast::<Section64>();
            for i in 0..(*seg).nsects as usize {
                let section = sections.add(i);
                let kind = (*section).flags & SECTION_TYPE;
                if kind == S_LAZY_SYMBOL_POINTERS || kind == S_NON_LAZY_SYMBOL_POINTERS {
                    rebind_section(&tables, section, slide);
                }
            }
        }
    }
}

struct Tables {
    symbols: *const Nlist64,
    nsyms: u32,
    strings: *const u8,
    strsize: u32,
    indirect: *const u32,
    nindirect: u32,
}

/// Rewrites the slots of one symbol-pointer section whose symbol we hook.
///
/// # Safety
/// `section` is a symbol-pointer section of the image `tables` describes, mapped at `slide`.
unsafe fn rebind_section(tables: &Tables, section: *const Section64, slide: isize) {
    // SAFETY: (whole body) indices are checked against the table sizes from the
    // image's own load commands before each read; slots lie inside the mapped section.
    unsafe {
        let slots = (slide as usize).wrapping_add((*section).addr as usize) as *mut *const c_void;
        let count = (*section).size as usize / size_of::<*const c_void>();
        let first = (*section).reserved1;
        for i in 0..count {
            let Some(at) = first
                .checked_add(i as u32)
                .filter(|&at| at < tables.nindirect)
            else {
                return;
            };
            let index = *tables.indirect.add(at as usize);
            if index & (INDIRECT_SYMBOL_LOCAL | INDIRECT_SYMBOL_ABS) != 0 || index >= tables.nsyms {
                continue;
            }
            let strx = (*tables.symbols.add(index as usize)).n_strx;
            if strx >= tables.strsize {
                continue;
            }
            let name =
                core::ffi::CStr::from_ptr(tables.strings.add(strx as usize).cast()).to_bytes();
            let Some(hook) = trust::hook_for(name) else {
                continue;
            };
            let slot = slots.add(i);
            // __DATA_CONST is read-only once dyld has bound it: make the page writable.
            let page = (slot as usize) & !(PAGE - 1);
            ffi::mprotect(page as *mut c_void, PAGE, ffi::PROT_READ | ffi::PROT_WRITE);
            slot.write_volatile(hook);
        }
    }
}

/// This dylib's own header: its slots must keep pointing at the real functions.
fn own_header() -> *const c_void {
    let mut info = ffi::DlInfo {
        dli_fname: ptr::null(),
        dli_fbase: ptr::null_mut(),
        dli_sname: ptr::null(),
        dli_saddr: ptr::null_mut(),
    };
    // SAFETY: any address inside this image identifies it; `info` is a valid out-param.
    unsafe { ffi::dladdr(own_header as *const c_void, &mut info) };
    info.dli_fbase
}
