//! Errors of `fuse pin`. `Display` is the whole line after `error: `.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A certificate file cannot be opened or read.
    #[error("cannot read certificate file {} — {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A certificate file holds something other than certificates (or trailing bytes).
    #[error("{file}: {why}")]
    Malformed { file: String, why: String },

    /// `--connect` / `--servername` are not a usable host, port or server name.
    #[error("--connect {target}: {why}")]
    BadTarget { target: String, why: String },

    /// The host name did not resolve.
    #[error("cannot resolve {host} — {why}")]
    Resolve { host: String, why: String },

    /// No TCP connection could be made.
    #[error("cannot connect to {target} — {source}")]
    Connect {
        target: String,
        #[source]
        source: std::io::Error,
    },

    /// Resolving, connecting or the handshake took longer than the limit.
    #[error(
        "{what} {target} timed out after {seconds} s — is the server up and speaking TLS on that port? (--timeout raises the limit)"
    )]
    Timeout {
        what: &'static str,
        target: String,
        seconds: u64,
    },

    /// The TLS handshake failed.
    #[error("TLS handshake with {target} failed — {why}")]
    Tls { target: String, why: String },
}
