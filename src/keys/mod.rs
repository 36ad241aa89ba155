//! Signing keys: keystores (PKCS#12, JKS), key + certificate files (PKCS#8, PEM),
//! password specs, and the per-user debug key — turned into a [`SigningIdentity`] that
//! signs with RSA PKCS#1 v1.5 or deterministic ECDSA P-256.
//!
//! ```text
//! SigningArgs ──key_source_from_args──▶ KeySource ──load──▶ SigningIdentity ──sign──▶ bytes
//!                                         │ Keystore ─▶ keystore ─▶ pkcs12 / jks
//!                                         │ KeyFiles ─▶ key_files
//!                                         │ Debug    ─▶ debug_key (created on first use)
//! ```
//!
//! Every failure is an [`Error`] (exit 5; command-line mistakes exit 2) whose message
//! names files, aliases and which password — never a password. Untrusted sizes are
//! bounded before use: files (1 MiB), PKCS#12 iteration counts, RSA modulus sizes.
//! See `docs/keys.md` for the user-facing summary.

mod debug_key;
mod error;
mod identity;
mod jks;
mod key_files;
mod keystore;
mod password;
mod pkcs12;
mod private_key;
mod source;

pub use debug_key::{
    DEBUG_KEY_ALIAS, DEBUG_KEY_FILE, DEBUG_KEY_PASSWORD, config_dir, config_dir_from,
    debug_key_path,
};
pub use error::{Error, PasswordRole};
pub use identity::{HashAlgorithm, KeyAlgorithm, KeyOrigin, SigningIdentity};
pub use keystore::MAX_FILE_SIZE;
pub use password::{MAX_PASSWORD_LEN, Password, PasswordReader, PasswordSpec};
pub use pkcs12::{MAX_ITERATIONS, MAX_TOTAL_ITERATIONS};
pub use private_key::{MAX_RSA_BITS, MIN_RSA_BITS};
pub use source::{
    KeySource, key_source_from_args, load, load_debug_key_at, load_with,
    loads_without_side_effects, p12_source_from_args,
};
