//! Fat (universal) headers: where each slice lives, validated before any slice is read.
//!
//! ```text
//! fat_header   (big-endian)   u32 magic 0xcafebabe | 0xcafebabf, u32 nfat_arch
//! fat_arch     (20 bytes)     u32 cputype, u32 cpusubtype, u32 offset, u32 size, u32 align
//! fat_arch_64  (32 bytes)     u32 cputype, u32 cpusubtype, u64 offset, u64 size, u32 align, u32 reserved
//! ```
//! Slices must start after the arch table, stay inside the file and not overlap.

use super::Error;
use super::raw::{
    FAT_ARCH_64_SIZE, FAT_ARCH_SIZE, FAT_HEADER_SIZE, FAT_MAGIC, FAT_MAGIC_64, be_u32, be_u64,
};

/// More slices than any toolchain produces (Apple ships at most a handful). A header
/// claiming more is hostile and is refused before anything is allocated for it.
pub const MAX_FAT_ARCHES: u32 = 64;

/// One slice's entry in the fat header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FatArch {
    pub cputype: u32,
    pub cpusubtype: u32,
    pub offset: usize,
    pub size: usize,
    pub align: u32,
}

/// `Some(is_64)` when `data` starts with a fat magic.
pub fn fat_magic(data: &[u8]) -> Option<bool> {
    match be_u32(data, 0)? {
        FAT_MAGIC => Some(false),
        FAT_MAGIC_64 => Some(true),
        _ => None,
    }
}

/// Read and validate the arch table of a fat file.
pub fn parse_fat(data: &[u8], what: &str) -> Result<Vec<FatArch>, Error> {
    let bad = |detail: String| Error::BadFat {
        what: what.to_owned(),
        detail,
    };
    let is_64 = fat_magic(data).ok_or_else(|| bad("no fat magic".to_owned()))?;
    let count = be_u32(data, 4).ok_or_else(|| bad("truncated header".to_owned()))?;
    if count == 0 {
        return Err(bad("nfat_arch is 0".to_owned()));
    }
    if count > MAX_FAT_ARCHES {
        return Err(bad(format!(
            "nfat_arch {count} exceeds the limit of {MAX_FAT_ARCHES}"
        )));
    }
    let entry_size = if is_64 {
        FAT_ARCH_64_SIZE
    } else {
        FAT_ARCH_SIZE
    };
    let table_end = FAT_HEADER_SIZE + entry_size * count as usize;
    if table_end > data.len() {
        return Err(bad(format!(
            "{count} arch entries need {table_end} bytes, the file has {}",
            data.len()
        )));
    }

    let mut arches = Vec::with_capacity(count as usize);
    for index in 0..count as usize {
        let at = FAT_HEADER_SIZE + index * entry_size;
        let truncated = || bad(format!("arch entry {index} is truncated"));
        let cputype = be_u32(data, at).ok_or_else(truncated)?;
        let cpusubtype = be_u32(data, at + 4).ok_or_else(truncated)?;
        let (offset, size, align) = if is_64 {
            (
                be_u64(data, at + 8).ok_or_else(truncated)?,
                be_u64(data, at + 16).ok_or_else(truncated)?,
                be_u32(data, at + 24).ok_or_else(truncated)?,
            )
        } else {
            (
                u64::from(be_u32(data, at + 8).ok_or_else(truncated)?),
                u64::from(be_u32(data, at + 12).ok_or_else(truncated)?),
                be_u32(data, at + 16).ok_or_else(truncated)?,
            )
        };
        let end = offset.checked_add(size);
        if offset < table_end as u64 || end.is_none_or(|end| end > data.len() as u64) {
            return Err(bad(format!(
                "slice {index} at {offset}+{size} lies outside the file (arch table ends at {table_end}, file is {} bytes)",
                data.len()
            )));
        }
        if align > 15 {
            return Err(bad(format!("slice {index} alignment 2^{align} is absurd")));
        }
        arches.push(FatArch {
            cputype,
            cpusubtype,
            // Both fit: bounded by data.len() above.
            offset: usize::try_from(offset).map_err(|_| truncated())?,
            size: usize::try_from(size).map_err(|_| truncated())?,
            align,
        });
    }

    // Two slices for one architecture: the loader picks one, signing and checks another.
    for (index, arch) in arches.iter().enumerate() {
        if arches.iter().take(index).any(|a| {
            a.cputype == arch.cputype && (a.cpusubtype ^ arch.cpusubtype) & 0x00ff_ffff == 0
        }) {
            return Err(bad(format!(
                "slice {index} repeats architecture {}",
                super::raw::arch_name(arch.cputype, arch.cpusubtype)
            )));
        }
    }

    let mut sorted: Vec<&FatArch> = arches.iter().collect();
    sorted.sort_by_key(|a| a.offset);
    for pair in sorted.windows(2) {
        if let [a, b] = pair
            && a.offset + a.size > b.offset
        {
            return Err(bad(format!(
                "slices at {} (+{}) and {} overlap",
                a.offset, a.size, b.offset
            )));
        }
    }
    Ok(arches)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fat(entries: &[(u32, u32)], len: usize) -> Vec<u8> {
        let mut d = Vec::new();
        d.extend_from_slice(&FAT_MAGIC.to_be_bytes());
        d.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        // A different architecture per slice (arm64, x86_64, ...): duplicates are refused.
        for (i, &(offset, size)) in entries.iter().enumerate() {
            for w in [0x0100_000c_u32 - 5 * i as u32, 0, offset, size, 14] {
                d.extend_from_slice(&w.to_be_bytes());
            }
        }
        d.resize(len, 0);
        d
    }

    #[test]
    fn accepts_disjoint_slices() {
        let d = fat(&[(4096, 100), (8192, 100)], 8292);
        let arches = parse_fat(&d, "x").unwrap();
        assert_eq!(arches.len(), 2);
        assert_eq!(arches[1].offset, 8192);
    }

    #[test]
    fn refuses_overlap_out_of_file_and_huge_counts() {
        let d = fat(&[(4096, 4200), (8192, 100)], 9000);
        assert!(
            matches!(parse_fat(&d, "x"), Err(Error::BadFat { detail, .. }) if detail.contains("overlap"))
        );
        let d = fat(&[(4096, 100_000)], 8292);
        assert!(
            matches!(parse_fat(&d, "x"), Err(Error::BadFat { detail, .. }) if detail.contains("outside"))
        );
        let d = fat(&[(0, 10)], 8292);
        assert!(parse_fat(&d, "x").is_err());
        let mut d = fat(&[(4096, 100), (8192, 100)], 8292);
        d[28..32].copy_from_slice(&0x0100_000c_u32.to_be_bytes());
        assert!(
            matches!(parse_fat(&d, "x"), Err(Error::BadFat { detail, .. }) if detail.contains("repeats"))
        );
        let mut d = fat(&[], 64);
        d[4..8].copy_from_slice(&0xffff_ffff_u32.to_be_bytes());
        assert!(
            matches!(parse_fat(&d, "x"), Err(Error::BadFat { detail, .. }) if detail.contains("limit"))
        );
        let mut d = fat(&[], 64);
        d[4..8].copy_from_slice(&40_u32.to_be_bytes());
        assert!(
            matches!(parse_fat(&d, "x"), Err(Error::BadFat { detail, .. }) if detail.contains("need"))
        );
    }
}
