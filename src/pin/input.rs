//! Certificate files: one DER certificate, or PEM text with one or more
//! `CERTIFICATE` blocks (a bundle).
//!
//! ```text
//! DER:  30 82 LL LL ...            exactly one certificate, nothing after it
//! PEM:  [explanatory text]          RFC 7468 §2 allows text between blocks
//!       -----BEGIN CERTIFICATE-----  (e.g. `openssl s_client -showcerts`, Bag Attributes)
//!       base64 (strict, '=' padded)
//!       -----END CERTIFICATE-----
//! ```
//! Anything else is refused: binary bytes in a PEM file, a block of another kind (a
//! private key does not belong in a pin input), bad base64, a DER certificate with
//! trailing bytes, an empty file.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Bigger inputs are refused before reading (a full CA bundle is ~250 KiB).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

const BEGIN: &str = "-----BEGIN ";
const END: &str = "-----END ";
const DASHES: &str = "-----";

/// The DER certificates in `bytes`, in file order; the error says why there are none.
pub fn certificates(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("empty file — expected a PEM or DER certificate".into());
    }
    if !contains(bytes, BEGIN.as_bytes()) {
        return der_certificate(bytes).map(|der| vec![der]);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "PEM file with binary bytes at offset {} — expected text",
            e.valid_up_to()
        )
    })?;
    pem_certificates(text)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn der_certificate(bytes: &[u8]) -> Result<Vec<u8>, String> {
    use x509_cert::der::{Decode, Header, Length, Reader, SliceReader, Tag};
    // Find where the first DER element ends, to name trailing bytes precisely.
    let mut reader = SliceReader::new(bytes).map_err(|e| e.to_string())?;
    let header =
        Header::decode(&mut reader).map_err(|_| "neither PEM nor a DER certificate".to_owned())?;
    if header.tag() != Tag::Sequence {
        return Err("neither PEM nor a DER certificate".into());
    }
    let consumed = reader.position();
    let total = (consumed + header.length()).map_err(|e| e.to_string())?;
    let total = usize::try_from(total).unwrap_or(usize::MAX);
    if total < bytes.len() {
        return Err(format!(
            "{} bytes of trailing data after the DER certificate — give one certificate per DER file, or a PEM bundle",
            bytes.len() - total
        ));
    }
    if total > bytes.len() || header.length() == Length::ZERO {
        return Err("truncated DER certificate".into());
    }
    Ok(bytes.to_vec())
}

fn pem_certificates(text: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut certs = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let line = line.trim();
        let Some(label) = line
            .strip_prefix(BEGIN)
            .and_then(|rest| rest.strip_suffix(DASHES))
        else {
            if line.starts_with(END) {
                return Err(format!("line {}: END line without a BEGIN line", n + 1));
            }
            continue; // explanatory text outside blocks (RFC 7468 §2)
        };
        let begin_line = n + 1;
        if label != "CERTIFICATE" {
            let hint = if label.contains("PRIVATE KEY") {
                " — never pass private keys to `fuse pin`; give the certificate"
            } else {
                " — give CERTIFICATE blocks only"
            };
            return Err(format!(
                "line {begin_line}: a \"{label}\" block is not a certificate{hint}"
            ));
        }
        let end_marker = format!("{END}{label}{DASHES}");
        let mut b64 = String::new();
        let mut closed = false;
        for (_, body) in lines.by_ref() {
            let body = body.trim();
            if body == end_marker {
                closed = true;
                break;
            }
            if body.starts_with(DASHES) {
                return Err(format!(
                    "line {begin_line}: the CERTIFICATE block ends with \"{body}\" instead of \"{end_marker}\""
                ));
            }
            b64.push_str(body);
        }
        if !closed {
            return Err(format!(
                "line {begin_line}: the CERTIFICATE block has no \"{end_marker}\" line"
            ));
        }
        let der = STANDARD
            .decode(b64.as_bytes())
            .map_err(|e| format!("line {begin_line}: bad base64 in the CERTIFICATE block ({e})"))?;
        let der = der_certificate(&der).map_err(|e| format!("line {begin_line}: {e}"))?;
        certs.push(der);
    }
    if certs.is_empty() {
        return Err("no CERTIFICATE block in this PEM file".into());
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals() {
        assert!(certificates(b"").unwrap_err().contains("empty"));
        assert!(
            certificates(b"hello")
                .unwrap_err()
                .contains("neither PEM nor")
        );
        assert!(
            certificates(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .unwrap_err()
                .contains("never pass private keys")
        );
        assert!(
            certificates(b"-----BEGIN CERTIFICATE-----\nAAAA\n")
                .unwrap_err()
                .contains("no \"-----END CERTIFICATE-----\" line")
        );
        assert!(
            certificates(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")
                .unwrap_err()
                .contains("bad base64")
        );
        // A DER SEQUENCE header claiming more bytes than there are.
        assert!(
            certificates(&[0x30, 0x82, 0x01, 0x00, 0x01])
                .unwrap_err()
                .contains("truncated")
        );
        // Two bytes after a complete (if meaningless) SEQUENCE.
        assert!(
            certificates(&[0x30, 0x01, 0x00, 0xde, 0xad])
                .unwrap_err()
                .contains("2 bytes of trailing data")
        );
    }
}
