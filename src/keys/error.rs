//! The one error type of the keys module.
//!
//! Every message is the whole line after `error: ` and names the file, alias or
//! password *role* involved — never a password, nor bytes derived from one. Parser
//! details from third-party crates are passed through [`detail`] (they describe
//! structure, never the password) so a message stays one line.

use std::path::PathBuf;

/// Which password a spec supplies, for messages that must not show the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRole {
    /// `--ks-pass` / `--p12-pass`.
    Keystore,
    /// `--key-pass`.
    Key,
}

impl std::fmt::Display for PasswordRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Keystore => "keystore password",
            Self::Key => "key password",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    // ---- command-line usage (exit 2) -------------------------------------------------
    /// A password argument without one of the four spec prefixes. The value itself is
    /// not shown: it may well be the password typed without `pass:`.
    #[error("{flag}: not a password spec — use pass:TEXT, env:VAR, file:PATH or stdin")]
    BadPasswordSpec { flag: &'static str },

    /// Flags that do not make sense together or a missing companion flag.
    #[error("{what} — {fix}")]
    Usage { what: String, fix: String },

    // ---- resolving a password spec -----------------------------------------------------
    #[error(
        "{role}: environment variable {var} is not set — export it, or use another password spec"
    )]
    PasswordEnvUnset { role: PasswordRole, var: String },

    #[error("{role}: cannot read the password file {} — {source}", path.display())]
    PasswordFile {
        role: PasswordRole,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{role}: no password line left on standard input — pipe one line per `stdin` spec, in argument order"
    )]
    StdinExhausted { role: PasswordRole },

    #[error("{role}: cannot read standard input — {source}")]
    StdinRead {
        role: PasswordRole,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{role}: standard input is a terminal — pipe the password in (echo is not disabled), or use env:VAR or file:PATH"
    )]
    StdinIsTerminal { role: PasswordRole },

    #[error("{role}: the password is not valid UTF-8 — keystore passwords are text")]
    PasswordNotUtf8 { role: PasswordRole },

    #[error("{role}: the password is longer than {max} bytes — check the password spec")]
    PasswordTooLong { role: PasswordRole, max: usize },

    // ---- reading key material -------------------------------------------------------------
    #[error("cannot read {} — {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{} is larger than {limit} bytes — not a keystore or key file", path.display())]
    TooLarge { path: PathBuf, limit: u64 },

    #[error("{} is not a PKCS#12 or JKS keystore — give a .p12/.pfx or .jks file made by keytool or openssl", path.display())]
    UnknownKeystore { path: PathBuf },

    #[error(
        "{} is a JCEKS keystore, which fuse does not read — convert it: keytool -importkeystore -srckeystore {} -srcstoretype JCEKS -destkeystore signing.p12 -deststoretype PKCS12",
        path.display(), path.display()
    )]
    Jceks { path: PathBuf },

    #[error("wrong keystore password for {} — check --ks-pass / --p12-pass", path.display())]
    WrongStorePassword { path: PathBuf },

    #[error(
        "wrong key password for alias {alias:?} in {} — check --key-pass (it defaults to the keystore password)",
        path.display()
    )]
    WrongKeyPassword { path: PathBuf, alias: String },

    #[error(
        "{}: PKCS#12 keystores have one password — drop --key-pass or give it the keystore password",
        path.display()
    )]
    Pkcs12KeyPassword { path: PathBuf },

    #[error("{} is a corrupt or truncated keystore — {detail}", path.display())]
    CorruptKeystore { path: PathBuf, detail: String },

    #[error(
        "{}: key derivation for {what} uses {count} iterations, more than the {limit} fuse accepts — re-export it with fewer (e.g. openssl pkcs12 -export -iter 10000)",
        path.display()
    )]
    ExcessiveIterations {
        path: PathBuf,
        what: &'static str,
        count: u64,
        limit: u64,
    },

    #[error("{}: {what} is not supported — {fix}", path.display())]
    UnsupportedKeystore {
        path: PathBuf,
        what: String,
        fix: &'static str,
    },

    #[error("{}: no key entry with alias {alias:?} — key entries: {available}", path.display())]
    AliasNotFound {
        path: PathBuf,
        alias: String,
        available: String,
    },

    #[error("{} holds several key entries ({available}) — choose one with --ks-key-alias", path.display())]
    AmbiguousAlias { path: PathBuf, available: String },

    #[error("{} holds no private key entry — give a keystore with a key and its certificate", path.display())]
    NoKeyEntry { path: PathBuf },

    #[error("{what} has no certificate — a signing key needs its certificate chain")]
    NoCertificate { what: String },

    // ---- keys and certificates --------------------------------------------------------
    #[error("{what}: unsupported key — {why}; fuse signs with RSA 2048–4096 or EC P-256")]
    UnsupportedKey { what: String, why: String },

    #[error("{what}: invalid private key — {detail}")]
    InvalidKey { what: String, detail: String },

    #[error("{}: not a certificate — {detail}", path.display())]
    InvalidCertificate { path: PathBuf, detail: String },

    #[error(
        "{key} does not belong to the certificate {cert} — give the certificate issued for this key"
    )]
    KeyCertificateMismatch { key: String, cert: String },

    #[error(
        "the certificate of this key is not the first in {cert} — put the leaf certificate first, then its issuers"
    )]
    LeafNotFirst { cert: String },

    #[error("{} is an encrypted key — give its password with --key-pass", path.display())]
    KeyFileNeedsPassword { path: PathBuf },

    #[error("wrong password for the encrypted key {} — check --key-pass", path.display())]
    WrongKeyFilePassword { path: PathBuf },

    #[error("{}: {what} — convert it to PKCS#8: openssl pkcs8 -topk8 -in KEY -out key.pk8 -outform DER", path.display())]
    UnsupportedKeyFile { path: PathBuf, what: &'static str },

    // ---- signing and the debug key --------------------------------------------------------
    #[error("{algorithm} signatures with {hash} are not supported — {fix}")]
    UnsupportedSignature {
        algorithm: &'static str,
        hash: &'static str,
        fix: &'static str,
    },

    #[error("signing failed — {detail}")]
    Sign { detail: String },

    #[error("cannot {action} the debug key {} — {source}", path.display())]
    DebugKeyIo {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot create the debug key — {detail}")]
    DebugKeyCreate { detail: String },

    #[error(
        "no place for the debug key — set FUSE_CONFIG_DIR (or HOME), or give a key with --ks or --key/--cert"
    )]
    NoConfigDir,
}

impl Error {
    pub(crate) fn usage(what: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::Usage {
            what: what.into(),
            fix: fix.into(),
        }
    }
}

/// A one-line rendering of a third-party parser error: its `Display`, newlines folded.
pub(crate) fn detail(e: impl std::fmt::Display) -> String {
    let s = e.to_string();
    let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        "malformed data".to_owned()
    } else {
        line
    }
}

/// Aliases as a short, quoted list for messages.
pub(crate) fn alias_list<'a>(aliases: impl IntoIterator<Item = &'a str>) -> String {
    let all: Vec<String> = aliases.into_iter().map(|a| format!("{a:?}")).collect();
    if all.is_empty() {
        "none".to_owned()
    } else {
        all.join(", ")
    }
}
