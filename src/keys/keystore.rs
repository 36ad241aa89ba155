//! Keystore files: size limit, format detection by content, and alias selection shared by
//! the PKCS#12 and JKS readers.

use std::io::Read;
use std::path::Path;

use zeroize::Zeroizing;

use super::error::{Error, alias_list};
use super::password::Password;
use super::{jks, pkcs12};

/// Largest keystore, key or certificate file read. Signing keystores are a few KB; even a
/// store with hundreds of trusted certificates stays well below.
pub const MAX_FILE_SIZE: u64 = 1 << 20;

/// One key entry taken out of a keystore: the decrypted PKCS#8 key and the chain.
pub(crate) struct KeyEntry {
    pub alias: String,
    pub pkcs8: Zeroizing<Vec<u8>>,
    pub chain: Vec<Vec<u8>>,
}

/// Reads the keystore at `path` and takes out the key entry `alias` (or the only one).
pub(crate) fn load(
    path: &Path,
    store_password: &Password,
    key_password: Option<&Password>,
    alias: Option<&str>,
) -> Result<KeyEntry, Error> {
    let data = read_limited(path)?;
    let magic = data
        .get(..4)
        .and_then(|m| <[u8; 4]>::try_from(m).ok())
        .map(u32::from_be_bytes);
    match (magic, data.first()) {
        (Some(jks::MAGIC), _) => jks::load(&data, path, store_password, key_password, alias),
        (Some(jks::JCEKS_MAGIC), _) => Err(Error::Jceks {
            path: path.to_owned(),
        }),
        (_, Some(0x30)) => {
            if key_password.is_some_and(|k| k != store_password) {
                return Err(Error::Pkcs12KeyPassword {
                    path: path.to_owned(),
                });
            }
            pkcs12::load(&data, path, store_password, alias)
        }
        (_, None) => Err(Error::CorruptKeystore {
            path: path.to_owned(),
            detail: "the file is empty".to_owned(),
        }),
        _ => Err(Error::UnknownKeystore {
            path: path.to_owned(),
        }),
    }
}

/// The whole file, refusing anything over [`MAX_FILE_SIZE`] without reading it all.
pub(crate) fn read_limited(path: &Path) -> Result<Zeroizing<Vec<u8>>, Error> {
    let read_error = |source| Error::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let meta = file.metadata().map_err(read_error)?;
    if meta.is_dir() {
        return Err(Error::Read {
            path: path.to_owned(),
            source: std::io::Error::other("it is a directory"),
        });
    }
    if meta.len() > MAX_FILE_SIZE {
        return Err(Error::TooLarge {
            path: path.to_owned(),
            limit: MAX_FILE_SIZE,
        });
    }
    let capacity = usize::try_from(meta.len()).unwrap_or(0);
    let mut data = Zeroizing::new(Vec::with_capacity(capacity));
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut data)
        .map_err(read_error)?;
    if data.len() as u64 > MAX_FILE_SIZE {
        return Err(Error::TooLarge {
            path: path.to_owned(),
            limit: MAX_FILE_SIZE,
        });
    }
    Ok(data)
}

/// Index of the key entry to use: `requested` (exact, else the one case-insensitive
/// match, as Java's keystores look aliases up), or the only entry when none is requested.
pub(crate) fn select_alias<'a>(
    path: &Path,
    requested: Option<&str>,
    aliases: impl IntoIterator<Item = &'a str>,
) -> Result<usize, Error> {
    let aliases: Vec<&str> = aliases.into_iter().collect();
    match requested {
        Some(want) => {
            if let Some(i) = aliases.iter().position(|a| *a == want) {
                return Ok(i);
            }
            let folded: Vec<usize> = aliases
                .iter()
                .enumerate()
                .filter(|(_, a)| a.to_lowercase() == want.to_lowercase())
                .map(|(i, _)| i)
                .collect();
            match folded.as_slice() {
                [i] => Ok(*i),
                _ => Err(Error::AliasNotFound {
                    path: path.to_owned(),
                    alias: want.to_owned(),
                    available: alias_list(aliases.iter().copied()),
                }),
            }
        }
        None => match aliases.as_slice() {
            [_] => Ok(0),
            [] => Err(Error::NoKeyEntry {
                path: path.to_owned(),
            }),
            several => Err(Error::AmbiguousAlias {
                path: path.to_owned(),
                available: alias_list(several.iter().copied()),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_selection() {
        let p = Path::new("ks.p12");
        assert_eq!(select_alias(p, None, ["only"]).unwrap(), 0);
        assert_eq!(select_alias(p, Some("b"), ["a", "b"]).unwrap(), 1);
        assert_eq!(
            select_alias(p, Some("MyKey"), ["other", "mykey"]).unwrap(),
            1
        );
        let e = select_alias(p, None, ["first", "second"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "ks.p12 holds several key entries (\"first\", \"second\") — choose one with --ks-key-alias"
        );
        let e = select_alias(p, Some("nope"), ["first"]).unwrap_err();
        assert!(
            e.to_string().contains("no key entry with alias \"nope\""),
            "{e}"
        );
        assert!(e.to_string().contains("\"first\""), "{e}");
        assert!(matches!(
            select_alias(p, None, []).unwrap_err(),
            Error::NoKeyEntry { .. }
        ));
    }
}
