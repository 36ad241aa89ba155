//! Names in certificates, for people: the subject CN in `reasonData`, and the
//! interception proxies recognised by the names they give their CAs.

use alloc::string::String;

use der::{Tag, Tagged};
use x509_cert::Certificate;
use x509_cert::name::Name;

use super::oids;

/// Marker (lowercase, matched case-insensitively in CN/O/OU of subject and issuer) →
/// the tool it identifies. The names are those the tools put in their generated CAs:
/// Burp "PortSwigger CA", Charles "Charles Proxy CA … XK72 Ltd", "mitmproxy",
/// "DO_NOT_TRUST_FiddlerRoot", "Proxyman CA", "HTTP Toolkit CA".
const TOOLS: [(&str, &str); 8] = [
    ("portswigger", "Burp Suite (PortSwigger CA)"),
    ("charles proxy", "Charles Proxy"),
    ("charlesproxy", "Charles Proxy"),
    ("xk72", "Charles Proxy"),
    ("mitmproxy", "mitmproxy"),
    ("fiddler", "Fiddler"),
    ("proxyman", "Proxyman"),
    ("http toolkit", "HTTP Toolkit"),
];

/// The interception tool named by this certificate's subject or issuer, if any.
pub(crate) fn interception_tool(cert: &Certificate) -> Option<&'static str> {
    let tbs = cert.tbs_certificate();
    [tbs.subject(), tbs.issuer()].into_iter().find_map(|name| {
        attributes(
            name,
            &[
                oids::COMMON_NAME,
                oids::ORGANIZATION,
                oids::ORGANIZATIONAL_UNIT,
            ],
        )
        .find_map(|value| {
            TOOLS
                .iter()
                .find(|(marker, _)| contains_ignore_case(value, marker.as_bytes()))
                .map(|(_, tool)| *tool)
        })
    })
}

/// Appends the subject's first CN, printable ASCII only, at most 64 characters.
pub(crate) fn push_common_name(out: &mut String, cert: &Certificate) {
    let cn = attributes(cert.tbs_certificate().subject(), &[oids::COMMON_NAME]).next();
    if let Some(cn) = cn {
        for &b in cn.iter().take(64) {
            out.push(if (0x20..0x7f).contains(&b) && b != b'"' {
                char::from(b)
            } else {
                '?'
            });
        }
    }
}

/// Raw bytes of the string values of the given attribute types. 8-bit string types
/// as they are; BMPString (UTF-16BE) is skipped — no tool marker needs it.
fn attributes<'a>(
    name: &'a Name,
    types: &'a [der::oid::ObjectIdentifier],
) -> impl Iterator<Item = &'a [u8]> + 'a {
    name.iter()
        .filter(move |atv| types.contains(&atv.oid))
        .filter(|atv| {
            matches!(
                atv.value.tag(),
                Tag::Utf8String
                    | Tag::PrintableString
                    | Tag::Ia5String
                    | Tag::TeletexString
                    | Tag::VisibleString
            )
        })
        .map(|atv| atv.value.value())
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}
