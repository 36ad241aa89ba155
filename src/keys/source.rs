//! Which key to sign with: from the command line to a [`KeySource`], then to a
//! [`SigningIdentity`].

use std::io::BufRead;
use std::path::PathBuf;

use crate::cli::args::SigningArgs;

use super::debug_key;
use super::error::{Error, PasswordRole};
use super::identity::{KeyOrigin, SigningIdentity};
use super::key_files;
use super::keystore;
use super::password::{PasswordReader, PasswordSpec};
use super::private_key::PrivateKey;

/// A key the user chose (or the debug key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// A PKCS#12 or JKS keystore (`--ks`, or iOS `--p12`).
    Keystore {
        path: PathBuf,
        store_pass: PasswordSpec,
        alias: Option<String>,
        /// Defaults to the store password.
        key_pass: Option<PasswordSpec>,
    },
    /// `--key` + `--cert`.
    KeyFiles {
        key: PathBuf,
        cert: PathBuf,
        /// For an encrypted PKCS#8 key.
        key_pass: Option<PasswordSpec>,
    },
    /// The per-user debug key, created on first use.
    Debug,
}

/// Loads the identity `source` names, reading `stdin` password specs from the process's
/// standard input.
pub fn load(source: &KeySource) -> Result<SigningIdentity, Error> {
    if reads_stdin(source) {
        load_with(source, &mut PasswordReader::process_stdin())
    } else {
        load_with(source, &mut PasswordReader::new(std::io::empty()))
    }
}

/// Whether [`load`] of `source` only reads files and the environment: not the debug key
/// (created on first use) and no `stdin` password (which consumes the process's input).
/// Such a key may be opened early, beside other work, with the same result.
pub fn loads_without_side_effects(source: &KeySource) -> bool {
    !matches!(source, KeySource::Debug) && !reads_stdin(source)
}

/// Whether a password of `source` comes from standard input.
fn reads_stdin(source: &KeySource) -> bool {
    match source {
        KeySource::Keystore {
            store_pass,
            key_pass,
            ..
        } => store_pass.reads_stdin() || key_pass.as_ref().is_some_and(PasswordSpec::reads_stdin),
        KeySource::KeyFiles { key_pass, .. } => {
            key_pass.as_ref().is_some_and(PasswordSpec::reads_stdin)
        }
        KeySource::Debug => false,
    }
}

/// [`load`] with `stdin` specs read from `passwords` (tests, or a caller's own input).
/// Passwords are resolved in argument order: store password, then key password.
pub fn load_with<R: BufRead>(
    source: &KeySource,
    passwords: &mut PasswordReader<R>,
) -> Result<SigningIdentity, Error> {
    match source {
        KeySource::Keystore {
            path,
            store_pass,
            alias,
            key_pass,
        } => {
            let store_password = passwords.resolve(store_pass, PasswordRole::Keystore)?;
            let key_password = key_pass
                .as_ref()
                .map(|spec| passwords.resolve(spec, PasswordRole::Key))
                .transpose()?;
            let entry = keystore::load(
                path,
                &store_password,
                key_password.as_ref(),
                alias.as_deref(),
            )?;
            let key_name = format!("key {:?} in {}", entry.alias, path.display());
            let key = PrivateKey::from_pkcs8_der(&entry.pkcs8, &key_name)?;
            let cert_name = format!("the certificate of {key_name}");
            let origin = KeyOrigin::Keystore {
                path: path.clone(),
                alias: entry.alias.clone(),
            };
            SigningIdentity::new(key, entry.chain, origin, &key_name, &cert_name)
        }
        KeySource::KeyFiles {
            key,
            cert,
            key_pass,
        } => {
            let password = key_pass
                .as_ref()
                .map(|spec| passwords.resolve(spec, PasswordRole::Key))
                .transpose()?;
            let private_key = key_files::load_key(key, password.as_ref())?;
            let chain = key_files::load_certificates(cert)?;
            let origin = KeyOrigin::KeyFiles {
                key: key.clone(),
                cert: cert.clone(),
            };
            SigningIdentity::new(
                private_key,
                chain,
                origin,
                &key.display().to_string(),
                &cert.display().to_string(),
            )
        }
        KeySource::Debug => load_debug_key(),
    }
}

fn load_debug_key() -> Result<SigningIdentity, Error> {
    load_debug_key_at(&debug_key::debug_key_path()?)
}

/// The debug key stored at `path`, created there first if missing. [`load`] of
/// [`KeySource::Debug`] uses [`debug_key_path`](super::debug_key_path).
pub fn load_debug_key_at(path: &std::path::Path) -> Result<SigningIdentity, Error> {
    debug_key::ensure(path)?;
    let password = super::password::Password::new(debug_key::DEBUG_KEY_PASSWORD);
    let entry = keystore::load(path, &password, None, Some(debug_key::DEBUG_KEY_ALIAS))?;
    let key_name = format!("the debug key {}", path.display());
    let key = PrivateKey::from_pkcs8_der(&entry.pkcs8, &key_name)?;
    let origin = KeyOrigin::DebugKey {
        path: path.to_owned(),
    };
    SigningIdentity::new(key, entry.chain, origin, &key_name, &key_name)
}

/// The Android key source of `build`/`sign`: `--ks …`, `--key/--cert`, or the debug key.
///
/// `--ks` needs `--ks-pass`: apksigner would prompt on the terminal, but fuse runs in CI
/// and never waits for input it was not told to read (`--ks-pass stdin` reads a line).
pub fn key_source_from_args(args: &SigningArgs) -> Result<KeySource, Error> {
    if let Some(ks) = &args.ks {
        if args.key.is_some() || args.cert.is_some() {
            return Err(Error::usage(
                "--ks cannot be combined with --key/--cert",
                "sign with either a keystore or a key and certificate file",
            ));
        }
        let Some(store_pass) = &args.ks_pass else {
            return Err(Error::usage(
                "--ks needs --ks-pass",
                "give the keystore password as pass:TEXT, env:VAR, file:PATH or stdin",
            ));
        };
        return Ok(KeySource::Keystore {
            path: ks.clone(),
            store_pass: PasswordSpec::parse_flag(store_pass, "--ks-pass")?,
            alias: args.ks_key_alias.clone(),
            key_pass: args
                .key_pass
                .as_deref()
                .map(|spec| PasswordSpec::parse_flag(spec, "--key-pass"))
                .transpose()?,
        });
    }
    if args.ks_pass.is_some() || args.ks_key_alias.is_some() {
        return Err(Error::usage(
            "--ks-pass and --ks-key-alias need --ks",
            "name the keystore with --ks",
        ));
    }
    match (&args.key, &args.cert) {
        (Some(key), Some(cert)) => Ok(KeySource::KeyFiles {
            key: key.clone(),
            cert: cert.clone(),
            key_pass: args
                .key_pass
                .as_deref()
                .map(|spec| PasswordSpec::parse_flag(spec, "--key-pass"))
                .transpose()?,
        }),
        (Some(_), None) => Err(Error::usage(
            "--key needs --cert",
            "give the certificate (PEM or DER) that belongs to the key",
        )),
        (None, Some(_)) => Err(Error::usage(
            "--cert needs --key",
            "give the private key (PKCS#8 .pk8 or PEM) of the certificate",
        )),
        (None, None) if args.key_pass.is_some() => Err(Error::usage(
            "--key-pass needs --ks or --key",
            "name the keystore or key file it unlocks",
        )),
        (None, None) => Ok(KeySource::Debug),
    }
}

/// The iOS identity of `build`/`sign`: `--p12 F --p12-pass SPEC`, or `None` for ad-hoc
/// signing. The PKCS#12 goes through the same keystore path as `--ks`.
pub fn p12_source_from_args(args: &SigningArgs) -> Result<Option<KeySource>, Error> {
    match (&args.p12, &args.p12_pass) {
        (Some(p12), Some(pass)) => Ok(Some(KeySource::Keystore {
            path: p12.clone(),
            store_pass: PasswordSpec::parse_flag(pass, "--p12-pass")?,
            alias: None,
            key_pass: None,
        })),
        (Some(_), None) => Err(Error::usage(
            "--p12 needs --p12-pass",
            "give the PKCS#12 password as pass:TEXT, env:VAR, file:PATH or stdin",
        )),
        (None, Some(_)) => Err(Error::usage(
            "--p12-pass needs --p12",
            "name the PKCS#12 identity with --p12",
        )),
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "canary-args-91c2";

    fn args() -> SigningArgs {
        SigningArgs::default()
    }

    #[test]
    fn only_keys_that_are_merely_read_may_be_opened_early() {
        let source = |ks: Option<&str>, pass: Option<&str>, key_pass: Option<&str>| {
            let mut a = args();
            a.ks = ks.map(Into::into);
            a.ks_pass = pass.map(Into::into);
            a.key_pass = key_pass.map(Into::into);
            key_source_from_args(&a).unwrap()
        };
        assert!(loads_without_side_effects(&source(
            Some("k.p12"),
            Some("pass:x"),
            None
        )));
        assert!(loads_without_side_effects(&source(
            Some("k.p12"),
            Some("env:X"),
            Some("file:p")
        )));
        // stdin would be consumed even if the command then failed on its input.
        assert!(!loads_without_side_effects(&source(
            Some("k.p12"),
            Some("stdin"),
            None
        )));
        assert!(!loads_without_side_effects(&source(
            Some("k.p12"),
            Some("pass:x"),
            Some("stdin")
        )));
        // The debug key is created on first use.
        assert!(!loads_without_side_effects(&source(None, None, None)));
    }

    #[test]
    fn exit_codes_usage_2_everything_else_5() {
        use crate::ExitStatus;
        let status = |e: Error| crate::Error::from(e).exit_status();
        assert_eq!(
            status(Error::BadPasswordSpec { flag: "--ks-pass" }),
            ExitStatus::Usage
        );
        assert_eq!(status(Error::usage("a", "b")), ExitStatus::Usage);
        assert_eq!(
            status(Error::WrongStorePassword {
                path: "k.p12".into()
            }),
            ExitStatus::Signing
        );
        assert_eq!(
            status(Error::StdinExhausted {
                role: PasswordRole::Key
            }),
            ExitStatus::Signing
        );
        assert_eq!(status(Error::NoConfigDir), ExitStatus::Signing);
    }

    #[test]
    fn no_flags_means_the_debug_key() {
        assert_eq!(key_source_from_args(&args()).unwrap(), KeySource::Debug);
        assert_eq!(p12_source_from_args(&args()).unwrap(), None);
    }

    #[test]
    fn keystore_flags() {
        let a = SigningArgs {
            ks: Some("release.p12".into()),
            ks_pass: Some("env:KS_PASS".into()),
            ks_key_alias: Some("upload".into()),
            key_pass: Some("stdin".into()),
            ..args()
        };
        assert_eq!(
            key_source_from_args(&a).unwrap(),
            KeySource::Keystore {
                path: "release.p12".into(),
                store_pass: PasswordSpec::Env("KS_PASS".into()),
                alias: Some("upload".into()),
                key_pass: Some(PasswordSpec::Stdin),
            }
        );
    }

    #[test]
    fn ks_without_ks_pass_is_a_usage_error() {
        let a = SigningArgs {
            ks: Some("release.p12".into()),
            ..args()
        };
        let e = key_source_from_args(&a).unwrap_err();
        assert!(matches!(e, Error::Usage { .. }));
        assert_eq!(
            e.to_string(),
            "--ks needs --ks-pass — give the keystore password as pass:TEXT, env:VAR, file:PATH or stdin"
        );
    }

    #[test]
    fn a_bare_password_is_refused_without_echoing_it() {
        let a = SigningArgs {
            ks: Some("release.p12".into()),
            ks_pass: Some(CANARY.into()),
            ..args()
        };
        let e = key_source_from_args(&a).unwrap_err();
        assert!(matches!(e, Error::BadPasswordSpec { flag: "--ks-pass" }));
        assert!(!e.to_string().contains(CANARY));
        let a = SigningArgs {
            p12: Some("id.p12".into()),
            p12_pass: Some(CANARY.into()),
            ..args()
        };
        let e = p12_source_from_args(&a).unwrap_err();
        assert!(!e.to_string().contains(CANARY));
    }

    #[test]
    fn key_files_with_and_without_key_pass() {
        let a = SigningArgs {
            key: Some("k.pem".into()),
            cert: Some("c.pem".into()),
            key_pass: Some("file:pw.txt".into()),
            ..args()
        };
        assert_eq!(
            key_source_from_args(&a).unwrap(),
            KeySource::KeyFiles {
                key: "k.pem".into(),
                cert: "c.pem".into(),
                key_pass: Some(PasswordSpec::File("pw.txt".into())),
            }
        );
        let lone = SigningArgs {
            key: Some("k.pem".into()),
            ..args()
        };
        assert!(matches!(
            key_source_from_args(&lone).unwrap_err(),
            Error::Usage { .. }
        ));
        let stray = SigningArgs {
            key_pass: Some("pass:x".into()),
            ..args()
        };
        assert!(matches!(
            key_source_from_args(&stray).unwrap_err(),
            Error::Usage { .. }
        ));
    }

    #[test]
    fn p12_flags() {
        let a = SigningArgs {
            p12: Some("id.p12".into()),
            p12_pass: Some("pass:x".into()),
            ..args()
        };
        assert!(matches!(
            p12_source_from_args(&a).unwrap(),
            Some(KeySource::Keystore {
                alias: None,
                key_pass: None,
                ..
            })
        ));
        let a = SigningArgs {
            p12: Some("id.p12".into()),
            ..args()
        };
        assert!(matches!(
            p12_source_from_args(&a).unwrap_err(),
            Error::Usage { .. }
        ));
    }
}
