//! `fuse pin`: SPKI SHA-256 pins (`sha256/<base64>`) of certificate files or of the chain
//! a live server presents — the values a fusion set's `pins` lists.
//!
//! Exit codes (mapped in `src/error.rs`): an unreadable or malformed certificate file is
//! bad input (3); network and TLS failures of `--connect` are 1; a malformed `--connect`
//! target is a usage error (2).

mod certificate;
mod connect;
mod error;
mod input;

use std::io::Read as _;
use std::path::Path;
use std::time::Duration;

pub use certificate::{CertificatePin, describe};
pub use connect::{Target, parse_target};
pub use error::Error;
pub use input::MAX_FILE_BYTES;

/// Default limit for resolving + connecting + the TLS handshake of `--connect`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The certificates in one file (PEM, DER or a PEM bundle), in file order.
pub fn pins_of_file(path: &Path) -> Result<Vec<CertificatePin>, Error> {
    let file = path.display().to_string();
    let read_err = |source| Error::Read {
        path: path.to_owned(),
        source,
    };
    let handle = std::fs::File::open(path).map_err(read_err)?;
    let meta = handle.metadata().map_err(read_err)?;
    if meta.is_dir() {
        return Err(read_err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory",
        )));
    }
    let too_big = || Error::Malformed {
        file: file.clone(),
        why: format!("larger than {MAX_FILE_BYTES} bytes — not a certificate file"),
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    handle
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big());
    }
    let ders = input::certificates(&bytes).map_err(|why| Error::Malformed {
        file: file.clone(),
        why,
    })?;
    ders.iter()
        .enumerate()
        .map(|(i, der)| {
            describe(der).map_err(|why| Error::Malformed {
                file: file.clone(),
                why: if ders.len() > 1 {
                    format!("certificate #{}: {why}", i + 1)
                } else {
                    why
                },
            })
        })
        .collect()
}

/// The chain `target` presents (leaf first), fetched without verifying it.
pub fn pins_of_server(
    target: &Target,
    servername: Option<&str>,
    timeout: Duration,
) -> Result<Vec<CertificatePin>, Error> {
    let chain = connect::fetch_chain(target, servername, timeout)?;
    chain
        .iter()
        .enumerate()
        .map(|(i, der)| {
            describe(der).map_err(|why| Error::Tls {
                target: target.to_string(),
                why: format!("certificate #{} of the chain: {why}", i + 1),
            })
        })
        .collect()
}
