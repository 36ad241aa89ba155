//! JKS keystores (keytool `-storetype JKS`), including a key password that differs from
//! the store password.
//!
//! Read by fuse itself rather than with the `jks` crate: that crate sizes buffers from
//! untrusted 32-bit lengths and counts before checking them (a 20-byte file can ask for
//! gigabytes) and indexes unchecked into the protected key, which would abort the process
//! on a corrupt file. The format is small; [`format`] reads it with every length bounded.

mod format;
mod protector;

use std::path::Path;

use super::error::Error;
use super::keystore::{KeyEntry, select_alias};
use super::password::Password;

pub(crate) use format::{JCEKS_MAGIC, MAGIC};

/// The key entry `alias` (or the only one) of the JKS file `data` read from `path`.
/// `key_password` defaults to `store_password`, as in keytool and apksigner.
pub(crate) fn load(
    data: &[u8],
    path: &Path,
    store_password: &Password,
    key_password: Option<&Password>,
    alias: Option<&str>,
) -> Result<KeyEntry, Error> {
    let jks = format::Jks::parse(data).map_err(|detail| Error::CorruptKeystore {
        path: path.to_owned(),
        detail,
    })?;
    if !jks.verify(store_password.as_str()) {
        return Err(Error::WrongStorePassword {
            path: path.to_owned(),
        });
    }
    let keys: Vec<_> = jks
        .entries
        .iter()
        .filter_map(|e| match &e.kind {
            format::EntryKind::PrivateKey {
                protected_key,
                chain,
            } => Some((e.alias.as_str(), *protected_key, chain)),
            format::EntryKind::TrustedCertificate => None,
        })
        .collect();
    // keytool stores JKS aliases lower-cased; `select_alias` matches case-insensitively.
    let index = select_alias(path, alias, keys.iter().map(|(a, _, _)| *a))?;
    let Some((alias, protected_key, chain)) = keys.get(index) else {
        return Err(Error::NoKeyEntry {
            path: path.to_owned(),
        });
    };
    let password = key_password.unwrap_or(store_password);
    let pkcs8 = protector::recover(protected_key, password.as_str()).map_err(|e| match e {
        protector::RecoverError::WrongPassword => Error::WrongKeyPassword {
            path: path.to_owned(),
            alias: (*alias).to_owned(),
        },
        protector::RecoverError::Malformed(detail) => Error::CorruptKeystore {
            path: path.to_owned(),
            detail: format!("key entry {alias:?}: {detail}"),
        },
    })?;
    Ok(KeyEntry {
        alias: (*alias).to_owned(),
        pkcs8,
        chain: chain.iter().map(|c| c.to_vec()).collect(),
    })
}
