//! Re-signing the unzipped bundle in place with apple-codesign: nested bundles first
//! (deepest first), loose Mach-O files, then the app and its `CodeResources`.
//!
//! In place on purpose: signing into another directory seals the *source* files and
//! breaks nested seals (CRATES.md). Existing entitlements are kept per binary (apple-
//! codesign imports them from the old signature unless a setting overrides them);
//! `--entitlements` overrides the main executable's only.

use std::path::Path;

use apple_codesign::cryptography::InMemoryPrivateKey;
use apple_codesign::{AppleCertificate, SettingsScope, SigningSettings, UnifiedSigner};
use x509_certificate::CapturedX509Certificate;

use super::Error;

/// The key material of a signing identity as apple-codesign needs it (borrowed from
/// `crate::keys::SigningIdentity` or an equivalent holder).
#[derive(Clone, Copy)]
pub struct KeyMaterial<'a> {
    /// PKCS#8 DER of the private key (RSA or EC P-256).
    pub pkcs8_der: &'a [u8],
    /// Certificate chain, DER, leaf first.
    pub chain_der: &'a [Vec<u8>],
}

impl std::fmt::Debug for KeyMaterial<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyMaterial")
            .field("chain_len", &self.chain_der.len())
            .finish_non_exhaustive()
    }
}

/// How to sign.
#[derive(Debug, Clone, Default)]
pub struct SignOptions<'a> {
    /// `None` = ad-hoc.
    pub key: Option<KeyMaterial<'a>>,
    /// Entitlements (XML plist text) for the main executable, replacing its old ones.
    pub main_entitlements: Option<String>,
    /// Entitlements (XML) for nested bundles or binaries by path relative to the app,
    /// e.g. `PlugIns/Share.appex` (used by the fixture signer).
    pub path_entitlements: Vec<(String, String)>,
    /// Signing time recorded in CMS signatures; set from `SOURCE_DATE_EPOCH` for
    /// reproducible RSA output.
    pub signing_time: Option<chrono::DateTime<chrono::Utc>>,
}

/// `SOURCE_DATE_EPOCH` as a signing time, when set.
pub fn signing_time_from_env() -> Option<chrono::DateTime<chrono::Utc>> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
}

/// Sign the bundle at `app_dir` in place, inside-out.
pub fn sign_in_place(app_dir: &Path, options: &SignOptions<'_>) -> Result<(), Error> {
    let signing_error = |detail: String| Error::Signing {
        what: app_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        detail,
    };
    let mut settings = SigningSettings::default();

    // Held here so the settings can borrow it for the whole signing.
    let private_key = match options.key {
        Some(key) => Some(
            InMemoryPrivateKey::from_pkcs8_der(key.pkcs8_der).map_err(|e| Error::BadIdentity {
                detail: e.to_string(),
            })?,
        ),
        None => None,
    };
    if let (Some(private_key), Some(key)) = (&private_key, options.key) {
        let (leaf, rest) = key
            .chain_der
            .split_first()
            .ok_or_else(|| Error::BadIdentity {
                detail: "no certificate".to_owned(),
            })?;
        let cert =
            CapturedX509Certificate::from_der(leaf.clone()).map_err(|e| Error::BadIdentity {
                detail: format!("certificate: {e}"),
            })?;
        settings.set_signing_key(private_key, cert);
        for der in rest {
            settings
                .chain_certificate_der(der)
                .map_err(|e| Error::BadIdentity {
                    detail: format!("chain certificate: {e}"),
                })?;
        }
        // apple-codesign records a team id only for Apple-issued certificates; fuse
        // records the subject OU (Apple's team id field) for any certificate that has one,
        // so the signature names the team the provisioning profile was checked against.
        if settings.set_team_id_from_signing_certificate().is_none()
            && let Some(team) = settings.signing_key().and_then(|(_, c)| c.apple_team_id())
        {
            settings.set_team_id(team);
        }
        if let Some(time) = options.signing_time {
            settings.set_signing_time(time);
        }
    }
    if let Some(xml) = &options.main_entitlements {
        settings
            .set_entitlements_xml(SettingsScope::Main, xml)
            .map_err(|e| signing_error(format!("entitlements: {e}")))?;
    }

    for (path, xml) in &options.path_entitlements {
        settings
            .set_entitlements_xml(SettingsScope::Path(path.clone()), xml)
            .map_err(|e| signing_error(format!("entitlements for {path}: {e}")))?;
    }

    check_every_macho(app_dir)?;
    UnifiedSigner::new(settings)
        .sign_path_in_place(app_dir)
        .map_err(|e| signing_error(e.to_string()))
}

/// apple-codesign reads the existing signature of every Mach-O file it re-signs and
/// trusts its fields, so each one gets fuse's bounded parse first (`crate::macho`).
/// Fat magic with 20 or more slices is a Java class file (`file(1)` draws the same line).
fn check_every_macho(app_dir: &Path) -> Result<(), Error> {
    let mut stack = vec![app_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::io("read", &dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("read", &dir, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| Error::io("read", &path, e))?;
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let mut head = [0u8; 8];
            let read = std::fs::File::open(&path)
                .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
                .map_err(|e| Error::io("read", &path, e))?;
            let head = head.get(..read).unwrap_or_default();
            let java_class = crate::macho::fat::fat_magic(head).is_some()
                && crate::macho::raw::be_u32(head, 4).is_some_and(|n| n >= 20);
            if crate::macho::looks_like_macho(head) && !java_class {
                let data = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
                let what = path
                    .strip_prefix(app_dir.parent().unwrap_or(app_dir))
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned();
                crate::macho::parse(&data, &what)?;
            }
        }
    }
    Ok(())
}
