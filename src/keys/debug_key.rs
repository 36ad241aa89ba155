//! The per-user debug key, like Android's `~/.android/debug.keystore`: used when no key
//! is given, so a quick `fuse build` works out of the box (with a warning).
//!
//! - Location: `$FUSE_CONFIG_DIR/debug.p12`, else `$XDG_CONFIG_HOME/fuse/debug.p12`, else
//!   `~/.config/fuse/debug.p12`.
//! - A PKCS#12 file as Android's: alias `androiddebugkey`, password `android`; RSA 2048,
//!   self-signed `CN=Android Debug, O=Android, C=US`, valid 30 years; readable by keytool.
//! - Created on first use: generated into a temporary file (mode 0600) in the same
//!   directory, fsynced, then linked into place only if no file is there yet. Concurrent
//!   first uses each make a key, exactly one wins, and all then load the winner's.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use der::asn1::OctetString;
use der::{Encode, asn1::ObjectIdentifier};
use rsa::pkcs8::EncodePrivateKey;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_cert::builder::{Builder, CertificateBuilder, profile::BuilderProfile};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::time::Validity;

use super::error::{Error, detail};

pub const DEBUG_KEY_FILE: &str = "debug.p12";
pub const DEBUG_KEY_ALIAS: &str = "androiddebugkey";
/// Android's well-known debug keystore password; the key is not a secret.
pub const DEBUG_KEY_PASSWORD: &str = "android";
const SUBJECT: &str = "CN=Android Debug,O=Android,C=US";
const RSA_BITS: usize = 2048;
/// 30 years, counting the leap days in them.
const VALIDITY: Duration = Duration::from_secs((30 * 365 + 7) * 24 * 60 * 60);
const SUBJECT_KEY_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");

/// The directory fuse keeps per-user state in.
pub fn config_dir() -> Result<PathBuf, Error> {
    config_dir_from(|var| std::env::var_os(var))
}

/// [`config_dir`] with the environment given as a lookup (tests cannot set variables
/// in a threaded process).
pub fn config_dir_from(env: impl Fn(&str) -> Option<std::ffi::OsString>) -> Result<PathBuf, Error> {
    let non_empty = |var: &str| env(var).filter(|v| !v.is_empty());
    if let Some(dir) = non_empty("FUSE_CONFIG_DIR") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(xdg) = non_empty("XDG_CONFIG_HOME").map(PathBuf::from) {
        // The XDG spec says relative values are invalid and must be ignored.
        if xdg.is_absolute() {
            return Ok(xdg.join("fuse"));
        }
    }
    match non_empty("HOME") {
        Some(home) => Ok(PathBuf::from(home).join(".config").join("fuse")),
        None => Err(Error::NoConfigDir),
    }
}

/// Where the debug key is (whether or not it exists yet).
pub fn debug_key_path() -> Result<PathBuf, Error> {
    Ok(config_dir()?.join(DEBUG_KEY_FILE))
}

/// Makes sure the debug keystore exists at `path`, creating it if needed.
pub(crate) fn ensure(path: &Path) -> Result<(), Error> {
    if path.exists() {
        return Ok(());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let io = |action: &'static str, p: &Path| {
        let p = p.to_owned();
        move |source| Error::DebugKeyIo {
            action,
            path: p,
            source,
        }
    };
    create_private_dir(dir).map_err(io("create the directory of", path))?;
    let keystore = generate()?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".debug.p12.")
        .tempfile_in(dir)
        .map_err(io("create", path))?;
    restrict_to_owner(tmp.as_file()).map_err(io("protect", path))?;
    tmp.write_all(&keystore).map_err(io("write", path))?;
    tmp.as_file().sync_all().map_err(io("write", path))?;
    match tmp.persist_noclobber(path) {
        Ok(_) => {
            // Make the new directory entry durable too.
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        }
        // Another fuse created it meanwhile; that one is complete (it was linked into
        // place only after being written and synced), so use it and drop ours.
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io("create", path)(e.error)),
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn restrict_to_owner(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict_to_owner(_file: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

/// A new debug keystore (PKCS#12 bytes).
pub(crate) fn generate() -> Result<Vec<u8>, Error> {
    let fail = |e: &dyn std::fmt::Display| Error::DebugKeyCreate { detail: detail(e) };
    let key = rsa::PrivateKey::new(&mut getrandom::SysRng, RSA_BITS).map_err(|e| fail(&e))?;
    let spki = SubjectPublicKeyInfoOwned::from_key(key.as_public_key()).map_err(|e| fail(&e))?;
    let spki_der = spki.to_der().map_err(|e| fail(&e))?;
    let serial = serial_for(&spki_der).map_err(|e| fail(&e))?;
    let validity = Validity::from_now(VALIDITY).map_err(|e| fail(&e))?;
    let profile = SelfSigned {
        subject: Name::from_str(SUBJECT).map_err(|e| fail(&e))?,
    };
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone());
    let certificate = CertificateBuilder::new(profile, serial, validity, spki)
        .map_err(|e| fail(&e))?
        .build::<_, rsa::pkcs1v15::Signature>(&signer)
        .map_err(|e| fail(&e))?
        .to_der()
        .map_err(|e| fail(&e))?;

    let pkcs8 = key.to_pkcs8_der().map_err(|e| fail(&e))?;
    let chain = p12_keystore::PrivateKeyChain::new(
        Sha1::digest(&certificate).to_vec(),
        p12_keystore::PrivateKey::from_der(pkcs8.as_bytes()).map_err(|e| fail(&e))?,
        [p12_keystore::Certificate::from_der(&certificate).map_err(|e| fail(&e))?],
    );
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        DEBUG_KEY_ALIAS,
        p12_keystore::KeyStoreEntry::PrivateKeyChain(chain),
    );
    store
        .writer(DEBUG_KEY_PASSWORD)
        .write()
        .map_err(|e| fail(&e))
}

/// A positive 64-bit serial derived from the public key: stable for one key, and
/// different between users' keys.
fn serial_for(spki_der: &[u8]) -> der::Result<SerialNumber> {
    let digest = Sha256::digest(spki_der);
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(digest.get(..8).unwrap_or(&[1; 8]));
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    SerialNumber::new(&bytes)
}

/// Self-signed, subject = issuer, with only a subject key identifier (as keytool makes).
struct SelfSigned {
    subject: Name,
}

impl BuilderProfile for SelfSigned {
    fn get_issuer(&self, subject: &Name) -> Name {
        subject.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &x509_cert::certificate::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        // RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
        let key_id = Sha1::digest(spk.subject_public_key.raw_bytes());
        let value = OctetString::new(key_id.to_vec())?.to_der()?;
        Ok(vec![Extension {
            extn_id: SUBJECT_KEY_IDENTIFIER,
            critical: false,
            extn_value: OctetString::new(value)?,
        }])
    }
}
