//! Provisioning profiles (`.mobileprovision`): a CMS SignedData (DER) whose content is an
//! XML plist. apple-codesign does not handle them, so fuse parses, checks and embeds them.
//!
//! ```text
//! ContentInfo { signedData { ..., encapContentInfo { eContent = <?xml ... <plist>
//!     Name, UUID, TeamIdentifier[], ExpirationDate, DeveloperCertificates[] (DER),
//!     Entitlements { application-identifier = "<TEAM>.<bundle id pattern>", ... } } } }
//! ```
//! Checks before embedding (each a clear error, exit 5): the CMS signature is intact, the
//! identity's team id is one of the profile's, its certificate is one of the profile's
//! developer certificates, the app's bundle id matches the application-identifier pattern
//! (exact, or a `*` suffix), and the profile has not expired.

use std::path::Path;

use cryptographic_message_syntax::SignedData;
use serde::Serialize;

use super::Error;
use super::info_plist::parse_bounded;

/// Profiles are a few KiB; anything huge is not one.
const MAX_PROFILE_BYTES: u64 = 4 << 20;

/// The facts of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub name: String,
    pub uuid: Option<String>,
    pub team_ids: Vec<String>,
    /// `application-identifier` entitlement, e.g. `ABCDE12345.com.example.*`.
    pub application_identifier: String,
    /// Expiry as Unix seconds and as RFC 3339 text.
    pub expires_unix: i64,
    pub expires: String,
    #[serde(skip)]
    pub developer_certificates: Vec<Vec<u8>>,
}

impl Profile {
    pub fn load(path: &Path) -> Result<Self, Error> {
        let bad = |detail: String| Error::BadProfile {
            path: path.to_owned(),
            detail,
        };
        let meta = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
        if meta.len() > MAX_PROFILE_BYTES {
            return Err(bad(format!(
                "{} bytes is too large for a provisioning profile",
                meta.len()
            )));
        }
        let data = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
        Self::parse(&data).map_err(bad)
    }

    pub fn parse(data: &[u8]) -> Result<Self, String> {
        let signed = SignedData::parse_ber(data)
            .map_err(|e| format!("not a CMS-signed provisioning profile ({e})"))?;
        let mut signers = signed.signers().peekable();
        if signers.peek().is_none() {
            return Err("the CMS envelope has no signer".to_owned());
        }
        for signer in signers {
            signer
                .verify_signature_with_signed_data(&signed)
                .map_err(|e| format!("its CMS signature does not verify ({e})"))?;
            // With signed attributes the signature covers only them; the content is bound
            // by their messageDigest, which the call above does not compare (a changed
            // plist passed until this check; hostile case profile-content-tampered).
            if signer.signed_attributes().is_some() {
                signer
                    .verify_message_digest_with_signed_data(&signed)
                    .map_err(|e| {
                        format!("its CMS signature does not verify: the plist was changed after signing ({e})")
                    })?;
            }
        }
        let content = signed
            .signed_content()
            .ok_or_else(|| "the CMS envelope holds no plist".to_owned())?;
        let value = parse_bounded(content).map_err(|e| format!("its plist is malformed: {e}"))?;
        let dict = value
            .as_dictionary()
            .ok_or_else(|| "its plist is not a dictionary".to_owned())?;
        let name = dict
            .get("Name")
            .and_then(plist::Value::as_string)
            .unwrap_or("(unnamed)")
            .to_owned();
        let team_ids: Vec<String> = dict
            .get("TeamIdentifier")
            .and_then(plist::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_string().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if team_ids.is_empty() {
            return Err("TeamIdentifier is missing".to_owned());
        }
        let application_identifier = dict
            .get("Entitlements")
            .and_then(plist::Value::as_dictionary)
            .and_then(|e| e.get("application-identifier"))
            .and_then(plist::Value::as_string)
            .ok_or_else(|| "Entitlements.application-identifier is missing".to_owned())?
            .to_owned();
        let expiry = dict
            .get("ExpirationDate")
            .and_then(plist::Value::as_date)
            .ok_or_else(|| "ExpirationDate is missing".to_owned())?;
        let expires_time: std::time::SystemTime = expiry.into();
        let expires_unix = match expires_time.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
        };
        let developer_certificates = dict
            .get("DeveloperCertificates")
            .and_then(plist::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_data().map(<[u8]>::to_vec))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            name,
            uuid: dict
                .get("UUID")
                .and_then(plist::Value::as_string)
                .map(str::to_owned),
            team_ids,
            application_identifier,
            expires_unix,
            expires: expiry.to_xml_format(),
            developer_certificates,
        })
    }

    /// Check the profile fits the identity and the app; `now_unix` is the real time.
    pub fn check(
        &self,
        team_id: Option<&str>,
        certificate_der: &[u8],
        bundle_id: &str,
        now_unix: i64,
    ) -> Result<(), Error> {
        let mismatch = |detail: String| Error::ProfileMismatch {
            name: self.name.clone(),
            detail,
        };
        let team = team_id.ok_or_else(|| {
            mismatch("the signing certificate has no team id (subject OU) — use an Apple Development/Distribution certificate".to_owned())
        })?;
        if !self.team_ids.iter().any(|t| t == team) {
            return Err(mismatch(format!(
                "it belongs to team {} but the certificate is team {team} — use a profile of the certificate's team",
                self.team_ids.join(", ")
            )));
        }
        if !self
            .developer_certificates
            .iter()
            .any(|c| c == certificate_der)
        {
            return Err(mismatch(
                "the signing certificate is not one of its DeveloperCertificates — regenerate the profile with this certificate".to_owned(),
            ));
        }
        let pattern = self
            .application_identifier
            .split_once('.')
            .map(|(_, rest)| rest)
            .unwrap_or_default();
        let matches = match pattern.strip_suffix('*') {
            Some(prefix) => bundle_id.starts_with(prefix),
            None => pattern == bundle_id,
        };
        if !matches {
            return Err(mismatch(format!(
                "its app id {} does not cover bundle id {bundle_id} — use the app's own profile",
                self.application_identifier
            )));
        }
        if now_unix >= self.expires_unix {
            return Err(mismatch(format!(
                "it expired on {} — download a current profile",
                self.expires
            )));
        }
        Ok(())
    }
}
