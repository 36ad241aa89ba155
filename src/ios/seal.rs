//! Our own checks of a signed bundle (apple-codesign's verifier never checks bundle seals
//! and reports a bogus CMS error on ad-hoc signatures):
//!
//! - every Mach-O slice's signature parses and its code digests match the bytes
//!   (apple-codesign's `verify_macho`), with a CMS signature that verifies unless ad-hoc;
//! - `_CodeSignature/CodeResources` `files2`: every listed file exists with matching
//!   SHA-1 (`hash`) and SHA-256 (`hash2`), every nested bundle or signed Mach-O listed by
//!   `cdhash` has exactly that code directory hash now (so it was signed *before* the
//!   bundle that seals it), and every file of the bundle is listed;
//! - the main executable's code directory binds `Info.plist` (slot 1) and `CodeResources`
//!   (slot 3) by hash.
//!
//! ```text
//! CodeResources (XML plist)
//!   files2 = { "<path>" = { hash = <sha1>, hash2 = <sha256> }            regular file
//!              "<path>" = { cdhash = <20 bytes>, requirement = "..." }  nested code
//!              "<path>" = { symlink = "<target>" } ... }
//! ```

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use apple_codesign::cryptography::DigestType;
use apple_codesign::{
    Blob, CodeSignatureFlags, CodeSigningSlot, MachFile, VerificationProblemType,
};
use serde::Serialize;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::Error;
use super::bundle::Bundle;
use super::info_plist::parse_bounded;
use crate::report::hex;

/// Signature facts of one Mach-O slice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureFacts {
    pub arch: String,
    /// `unsigned`, `adhoc` or `certificate`.
    pub kind: &'static str,
    pub identifier: Option<String>,
    pub team_id: Option<String>,
    pub signer: Option<String>,
    pub certificate_sha256: Option<String>,
    /// Hex of the code directory hash (SHA-256, truncated to 20 bytes as Apple's cdhash).
    pub cdhash: Option<String>,
    pub entitlements: Option<String>,
    /// The signer's leaf certificate, DER (the Certified Secure report names it); not in
    /// `--json`.
    #[serde(skip)]
    pub certificate_der: Option<Vec<u8>>,
}

/// Read the signature facts of every slice (no verification).
pub fn signature_facts(data: &[u8], what: &str) -> Result<Vec<SignatureFacts>, Error> {
    let bad = |detail: String| Error::verification(what, detail);
    // Our bounded parse first: apple-codesign trusts the load commands and signature.
    crate::macho::parse(data, what)?;
    let mach = MachFile::parse(data).map_err(|e| bad(format!("unparseable Mach-O: {e}")))?;
    let mut out = Vec::new();
    for macho in mach.iter_macho() {
        let arch =
            crate::macho::raw::arch_name(macho.macho.header.cputype, macho.macho.header.cpusubtype);
        let signature = macho
            .code_signature()
            .map_err(|e| bad(format!("{arch}: signature does not parse: {e}")))?;
        let Some(signature) = signature else {
            out.push(SignatureFacts {
                arch,
                kind: "unsigned",
                identifier: None,
                team_id: None,
                signer: None,
                certificate_sha256: None,
                cdhash: None,
                entitlements: None,
                certificate_der: None,
            });
            continue;
        };
        let cd = signature
            .preferred_code_directory()
            .map_err(|e| bad(format!("{arch}: code directory: {e}")))?;
        let cd_blob = cd
            .to_blob_bytes()
            .map_err(|e| bad(format!("{arch}: code directory: {e}")))?;
        let cdhash = DigestType::Sha256Truncated
            .digest_data(&cd_blob)
            .map_err(|e| bad(e.to_string()))?;
        let adhoc = cd.flags.contains(CodeSignatureFlags::ADHOC);
        let (mut signer, mut certificate_sha256, mut certificate_der) = (None, None, None);
        if !adhoc && let Ok(Some(signed)) = signature.signed_data() {
            let leaf = signed.signers().next().and_then(|s| {
                let (issuer, serial) = s.certificate_issuer_and_serial()?;
                signed
                    .certificates()
                    .find(|c| c.issuer_name() == issuer && c.serial_number_asn1() == serial)
            });
            if let Some(cert) = leaf {
                signer = cert.subject_common_name();
                certificate_sha256 = Some(hex(&Sha256::digest(cert.constructed_data())));
                certificate_der = Some(cert.constructed_data().to_vec());
            }
        }
        let entitlements = signature
            .entitlements()
            .ok()
            .flatten()
            .map(|e| e.as_str().to_owned());
        out.push(SignatureFacts {
            arch,
            kind: if adhoc { "adhoc" } else { "certificate" },
            identifier: Some(cd.ident.to_string()),
            team_id: cd.team_name.as_ref().map(|t| t.to_string()),
            signer,
            certificate_sha256,
            cdhash: Some(hex(&cdhash)),
            entitlements,
            certificate_der,
        });
    }
    Ok(out)
}

/// Verify every slice's signature: apple-codesign's verifier, minus its bogus CMS
/// complaint on ad-hoc signatures (they carry an empty CMS blob by design).
pub fn verify_binary(data: &[u8], what: &str) -> Result<(), Error> {
    let bad = |detail: String| Error::verification(what, detail);
    // Our bounded parse first: apple-codesign trusts the load commands and signature.
    crate::macho::parse(data, what)?;
    let mach = MachFile::parse(data).map_err(|e| bad(format!("unparseable Mach-O: {e}")))?;
    for macho in mach.iter_macho() {
        let adhoc = macho
            .code_signature()
            .ok()
            .flatten()
            .and_then(|s| s.preferred_code_directory().ok())
            .is_some_and(|cd| cd.flags.contains(CodeSignatureFlags::ADHOC));
        for problem in apple_codesign::verify_macho(macho) {
            let ignorable = adhoc
                && matches!(
                    problem.problem,
                    VerificationProblemType::CmsError(_)
                        | VerificationProblemType::NoCryptographicSignature
                );
            if !ignorable {
                return Err(bad(format!("signature does not verify: {problem}")));
            }
        }
        if !adhoc {
            check_cms_binds_code_directory(macho).map_err(bad)?;
        }
    }
    Ok(())
}

/// apple-codesign's verifier checks the CMS signature over its signed attributes only;
/// the code directory is bound by their `messageDigest`, which it never compares. So a
/// code directory rewritten to match changed code (and its page hashes) kept verifying
/// under the original CMS blob. Here: every signer's `messageDigest` must be the digest
/// of the code directory in slot 0, as signed (Apple's and apple-codesign's signers both
/// sign that blob as the CMS content).
fn check_cms_binds_code_directory(macho: &apple_codesign::MachOBinary<'_>) -> Result<(), String> {
    let signature = macho
        .code_signature()
        .map_err(|e| format!("signature does not parse: {e}"))?
        .ok_or("no signature")?;
    let cd = signature
        .find_slot(CodeSigningSlot::CodeDirectory)
        .ok_or("no code directory in slot 0")?;
    let cms = signature
        .signed_data()
        .map_err(|e| format!("CMS signature does not parse: {e}"))?
        .ok_or("no CMS signature")?;
    let mut signers = 0;
    for signer in cms.signers() {
        signers += 1;
        let attributes = signer.signed_attributes().ok_or(
            "the CMS signer has no signed attributes (no messageDigest binds the code directory)",
        )?;
        let mut digest = signer.digest_algorithm().digester();
        digest.update(cd.data);
        if digest.finish().as_ref() != attributes.message_digest() {
            return Err(
                "signature does not verify: the CMS signature does not cover this code directory (changed after signing)"
                    .to_owned(),
            );
        }
    }
    if signers == 0 {
        return Err("the CMS signature has no signer".to_owned());
    }
    Ok(())
}

/// The cdhash (hex) of the first slice of a signed Mach-O file.
fn cdhash_of(path: &Path) -> Result<Option<String>, Error> {
    let data = fs::read(path).map_err(|e| Error::io("read", path, e))?;
    Ok(signature_facts(&data, &path.to_string_lossy())?
        .into_iter()
        .next()
        .and_then(|f| f.cdhash))
}

/// What a bundle's seal covers: the relative paths listed in `files2`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SealCheck {
    pub bundle: String,
    pub files: usize,
    pub nested_code: usize,
    #[serde(skip)]
    pub listed: BTreeSet<String>,
}

/// Check one bundle's `CodeResources` against the files on disk (see the module docs).
/// `nested` are the bundles inside this one (sealed by cdhash, their content skipped).
pub fn check_bundle_seal(
    bundle: &Bundle,
    nested: &[&Bundle],
    display: &str,
) -> Result<SealCheck, Error> {
    let bad = |detail: String| Error::verification(format!("{display}: bundle seal"), detail);
    let resources_path = bundle.dir.join("_CodeSignature").join("CodeResources");
    let data = fs::read(&resources_path)
        .map_err(|_| bad("_CodeSignature/CodeResources is missing".to_owned()))?;
    let value =
        parse_bounded(&data).map_err(|e| bad(format!("CodeResources is malformed: {e}")))?;
    let files2 = value
        .as_dictionary()
        .and_then(|d| d.get("files2"))
        .and_then(plist::Value::as_dictionary)
        .ok_or_else(|| bad("CodeResources has no files2".to_owned()))?;

    let mut check = SealCheck {
        bundle: display.to_owned(),
        ..SealCheck::default()
    };
    for (rel, entry) in files2 {
        crate::ios::archive::check_name(rel).map_err(|why| bad(format!("{rel:?}: {why}")))?;
        let path = bundle.dir.join(rel);
        let dict = entry.as_dictionary();
        let optional = dict
            .and_then(|d| d.get("optional"))
            .and_then(plist::Value::as_boolean)
            .unwrap_or(false);
        if fs::symlink_metadata(&path).is_err() {
            if optional {
                continue;
            }
            return Err(bad(format!("{rel} is sealed but missing")));
        }
        check.listed.insert(rel.clone());
        let field = |key: &str| {
            dict.and_then(|d| d.get(key))
                .and_then(plist::Value::as_data)
        };
        if let Some(expected) = field("cdhash") {
            let target = if path.is_dir() {
                nested
                    .iter()
                    .find(|n| n.dir == path)
                    .map(|n| n.executable_path())
                    .ok_or_else(|| bad(format!("{rel} is sealed as code but is not a bundle")))?
            } else {
                path.clone()
            };
            let actual = cdhash_of(&target)?;
            if actual.as_deref() != Some(hex(expected).as_str()) {
                return Err(bad(format!(
                    "{rel} has cdhash {} but the seal records {} — it was changed or signed after the bundle",
                    actual.unwrap_or_else(|| "none".to_owned()),
                    hex(expected)
                )));
            }
            check.nested_code += 1;
            continue;
        }
        let bytes = fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
        let sha256 = field("hash2").or_else(|| entry.as_data());
        let sha1 = field("hash");
        let mut compared = false;
        if let Some(expected) = field("hash2") {
            compared = true;
            if Sha256::digest(&bytes).as_slice() != expected {
                return Err(bad(format!("{rel}: SHA-256 does not match the seal")));
            }
        }
        if let Some(expected) = sha1 {
            compared = true;
            if <Sha1 as sha1::Digest>::digest(&bytes).as_slice() != expected {
                return Err(bad(format!("{rel}: SHA-1 does not match the seal")));
            }
        }
        if !compared && sha256.is_none() {
            return Err(bad(format!("{rel}: seal entry has no hash")));
        }
        check.files += 1;
    }

    // Nested code is sealed either by cdhash (a nested rule) or, as iOS's shallow-bundle
    // rules do, file by file: then its executable and its own CodeResources must be
    // listed, so the hashes prove it was signed before this bundle was sealed.
    for child in nested {
        let Ok(rel) = child.dir.strip_prefix(&bundle.dir) else {
            continue;
        };
        let rel = rel.to_string_lossy();
        let by_cdhash = check.listed.contains(rel.as_ref());
        let by_files = check
            .listed
            .contains(&format!("{rel}/{}", child.info.executable))
            && check
                .listed
                .contains(&format!("{rel}/_CodeSignature/CodeResources"));
        if !by_cdhash && !by_files {
            return Err(bad(format!("nested code {rel} is not sealed")));
        }
        if by_files {
            check.nested_code += 1;
        }
    }

    // Every file of the bundle is sealed, except what the seal itself covers by other
    // means: Info.plist and the executable (bound by the code directory), the seal, and
    // nested bundles (sealed by cdhash).
    let mut unsealed = Vec::new();
    list_files(&bundle.dir, &bundle.dir, &mut |rel: &str| {
        let skip = rel == "Info.plist"
            || rel == "PkgInfo"
            || rel == bundle.info.executable
            || rel.starts_with("_CodeSignature/")
            || rel.ends_with(".DS_Store")
            || nested.iter().any(|n| {
                n.dir
                    .strip_prefix(&bundle.dir)
                    .is_ok_and(|p| rel.starts_with(&format!("{}/", p.to_string_lossy())))
            });
        if !skip && !check.listed.contains(rel) {
            unsealed.push(rel.to_owned());
        }
    })?;
    if let Some(first) = unsealed.first() {
        return Err(bad(format!(
            "{first} is not sealed ({} unsealed files)",
            unsealed.len()
        )));
    }

    // The executable's code directory binds Info.plist and CodeResources.
    let exe = fs::read(bundle.executable_path())
        .map_err(|e| Error::io("read", bundle.executable_path(), e))?;
    let mach = MachFile::parse(&exe).map_err(|e| bad(format!("executable: {e}")))?;
    for macho in mach.iter_macho() {
        let cd = macho
            .code_signature()
            .ok()
            .flatten()
            .and_then(|s| s.preferred_code_directory().ok())
            .ok_or_else(|| bad("the executable is not signed".to_owned()))?;
        for (slot, file) in [
            (CodeSigningSlot::Info, bundle.dir.join("Info.plist")),
            (CodeSigningSlot::ResourceDir, resources_path.clone()),
        ] {
            let recorded = cd.special_digests.get(&slot).ok_or_else(|| {
                bad(format!(
                    "the code directory does not bind {}",
                    file.display()
                ))
            })?;
            let bytes = fs::read(&file).map_err(|e| Error::io("read", &file, e))?;
            let actual = cd
                .digest_type
                .digest_data(&bytes)
                .map_err(|e| bad(e.to_string()))?;
            if recorded.data.as_ref() != actual.as_slice() {
                return Err(bad(format!(
                    "the executable's code directory does not match {}",
                    file.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                )));
            }
        }
    }
    Ok(check)
}

fn list_files(root: &Path, dir: &Path, visit: &mut dyn FnMut(&str)) -> Result<(), Error> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| Error::io("read", dir, e))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            list_files(root, &path, visit)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            visit(&rel.to_string_lossy());
        }
    }
    Ok(())
}
