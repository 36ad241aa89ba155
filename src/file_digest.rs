//! Streamed SHA-256 of a whole file.
//!
//! Reports, `fuse inspect` and `fuse verify --report` state the input's and output's SHA-256;
//! packages can be hundreds of MiB, so the file is hashed through one 1 MiB buffer rather than
//! read into memory. Each caller maps the `io::Error` into its own module's error.

use std::io::{self, Read as _};
use std::path::Path;

use sha2::{Digest as _, Sha256};

/// SHA-256 and length in bytes of the file at `path`.
pub fn sha256_file(path: &Path) -> io::Result<([u8; 32], u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(buf.get(..n).unwrap_or_default());
        size += n as u64;
    }
    Ok((hasher.finalize().into(), size))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_one_shot_hash_across_buffer_boundaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data: Vec<u8> = (0..(3 << 20) + 17).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let (digest, size) = sha256_file(&path).unwrap();
        assert_eq!(size, data.len() as u64);
        assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(&data)));
        assert!(sha256_file(&dir.path().join("missing")).is_err());
    }
}
