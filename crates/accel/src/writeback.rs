//! Early writeback of a file being written, and dropping the cache of one to be replaced.
//!
//! fuse fsyncs every output before renaming it into place (DESIGN §8). Without a hint
//! the kernel keeps a freshly written 160 MB file dirty in the page cache until that
//! fsync, which then waits for all of it (70–90 ms here). Starting writeback of each
//! range as soon as it is written lets the disk work while fuse is still hashing and
//! signing; the fsync stays — it is what makes the promise — but has little left to do.

use std::fs::File;

/// Starts asynchronous writeback of `len` bytes at `offset` of `file` (Linux
/// `sync_file_range(SYNC_FILE_RANGE_WRITE)`: does not wait, gives no durability by
/// itself). A no-op elsewhere. Errors are ignored on purpose: this is only a hint, and
/// the caller's `fsync` reports any real write error.
pub fn start(file: &File, offset: u64, len: u64) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
            return;
        };
        // SAFETY: sync_file_range only reads its integer arguments; the descriptor is
        // borrowed from a live `File` for the duration of the call.
        #[allow(unsafe_code)]
        unsafe {
            libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (file, offset, len);
    }
}

/// Drops the clean cached pages of `file` (Linux `posix_fadvise(POSIX_FADV_DONTNEED)`;
/// a no-op elsewhere). Only a hint: the file's content is unchanged, dirty pages are
/// left alone, errors are ignored. fuse calls it on an output it is about to replace,
/// so that the last close after the rename has only the blocks left to free.
pub fn drop_cached(file: &File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: posix_fadvise only reads its integer arguments; the descriptor is
        // borrowed from a live `File` for the duration of the call.
        #[allow(unsafe_code)]
        unsafe {
            libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED);
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Seek, Write};

    #[test]
    fn hinted_ranges_keep_their_bytes() {
        let mut f = tempfile_in_target();
        let data: Vec<u8> = (0..(3 << 20)).map(|i| (i % 251) as u8).collect();
        f.write_all(&data).unwrap();
        super::start(&f, 0, 1 << 20);
        super::start(&f, 1 << 20, 2 << 20);
        super::start(&f, u64::MAX, 1); // out of range: ignored, no panic
        f.sync_all().unwrap();
        super::drop_cached(&f);
        let mut back = Vec::new();
        f.rewind().unwrap();
        f.read_to_end(&mut back).unwrap();
        assert_eq!(back, data);
    }

    fn tempfile_in_target() -> std::fs::File {
        let path = std::env::temp_dir().join(format!("fuse-accel-wb-{}", std::process::id()));
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        let _ = std::fs::remove_file(&path);
        f
    }
}
