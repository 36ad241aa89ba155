//! Host names of `domains[].host`: checked and normalised to the form the policy stores.
//!
//! Normal form: lowercase ASCII, IDN labels as punycode (UTS 46, the mapping browsers
//! and platforms use), one trailing dot removed, an optional leading `*.` that stands for
//! exactly one label. Everything that is not a plain host name is refused with the
//! reason: URLs, paths, ports, IP addresses (the runtime never matches an IP literal
//! against a pattern), whitespace, misplaced `*`, empty or over-long labels.

use std::fmt;

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

/// RFC 1035: at most 253 characters in the textual form, 63 per label.
const MAX_HOST_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

/// A validated, normalised host pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Host {
    /// The name without the `*.` prefix.
    name: String,
    wildcard: bool,
}

impl Host {
    /// The host name, without the `*.` of a wildcard.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `*.name`: matches exactly one label below `name`.
    pub fn is_wildcard(&self) -> bool {
        self.wildcard
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.wildcard {
            f.write_str("*.")?;
        }
        f.write_str(&self.name)
    }
}

impl serde::Serialize for Host {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Check `raw` and return its normal form, or the reason it is not a host name.
pub fn normalize(raw: &str) -> Result<Host, String> {
    if raw.is_empty() {
        return Err("empty host — give a name such as api.example.com".into());
    }
    // Bound the work before any Unicode processing; no valid host comes near this.
    if raw.chars().count() > 4 * MAX_HOST_LEN {
        return Err(format!(
            "too long ({} characters; a host name has at most {MAX_HOST_LEN})",
            raw.chars().count()
        ));
    }
    if let Some(i) = raw.find("://") {
        let scheme = raw.get(..i).unwrap_or_default();
        return Err(format!(
            "\"{raw}\" is a URL, not a host — remove \"{scheme}://\" and anything after the host"
        ));
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{} contains whitespace or a control character — a host is one name such as api.example.com",
            quoted(raw)
        ));
    }
    if raw.contains(['/', '?', '#']) {
        return Err(format!(
            "{} contains a path — give only the host name (pins apply to every path)",
            quoted(raw)
        ));
    }
    if raw.contains('@') {
        return Err(format!(
            "{} contains user information — give only the host name",
            quoted(raw)
        ));
    }
    if raw.starts_with('[') || raw.parse::<std::net::Ipv6Addr>().is_ok() {
        return Err(format!(
            "{} is an IP address — pins apply to host names; IP literals are never matched",
            quoted(raw)
        ));
    }
    if raw.contains(':') {
        return Err(format!(
            "{} contains a port — give only the host name (pins apply to every port)",
            quoted(raw)
        ));
    }

    let trimmed = raw.strip_suffix('.').unwrap_or(raw);
    let (wildcard, rest) = match trimmed.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    if rest.contains('*') || trimmed == "*" {
        return Err(format!(
            "{} — `*` is allowed only as the whole first label, as in *.example.com (one label deep)",
            quoted(raw)
        ));
    }
    if rest.is_empty() || rest.split('.').any(str::is_empty) {
        return Err(format!(
            "{} has an empty label (\"..\", a leading dot or more than one trailing dot)",
            quoted(raw)
        ));
    }
    if let Some(c) = rest
        .chars()
        .find(|c| c.is_ascii() && !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
    {
        return Err(format!(
            "{} contains '{c}' — host names use letters, digits, '-' and '.' (IDN allowed)",
            quoted(raw)
        ));
    }

    // UTS 46 with the STD3 rules: maps case and compatibility forms, converts IDN
    // labels to punycode, rejects invalid code points and bad hyphen placement.
    let ascii = Uts46::new()
        .to_ascii(
            rest.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::Check,
            DnsLength::Ignore,
        )
        .map_err(|_| {
            format!(
                "{} is not a valid host name — a label may not start or end with '-', and IDN labels must be valid Unicode host names",
                quoted(raw)
            )
        })?
        .into_owned();

    for label in ascii.split('.') {
        if label.is_empty() {
            return Err(format!("{} has an empty label", quoted(raw)));
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(format!(
                "{} has a label of {} characters (at most {MAX_LABEL_LEN})",
                quoted(raw),
                label.len()
            ));
        }
    }
    let full_len = ascii.len() + if wildcard { 2 } else { 0 };
    if full_len > MAX_HOST_LEN {
        return Err(format!(
            "{} is too long ({full_len} characters; a host name has at most {MAX_HOST_LEN})",
            quoted(raw)
        ));
    }
    if ascii.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err(format!(
            "{} is an IP address — pins apply to host names; IP literals are never matched",
            quoted(raw)
        ));
    }
    if ascii
        .rsplit('.')
        .next()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!(
            "{} ends in a numeric label — not a host name (top-level domains are never all digits)",
            quoted(raw)
        ));
    }
    if wildcard && !ascii.contains('.') {
        return Err(format!(
            "{} is too broad — a wildcard needs at least two labels after \"*.\" (as in *.example.com)",
            quoted(raw)
        ));
    }
    Ok(Host {
        name: ascii,
        wildcard,
    })
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> String {
        normalize(raw)
            .unwrap_or_else(|e| panic!("{raw}: {e}"))
            .to_string()
    }

    fn err(raw: &str) -> String {
        normalize(raw).expect_err(raw)
    }

    #[test]
    fn normal_forms() {
        assert_eq!(ok("API.Example.COM"), "api.example.com");
        assert_eq!(ok("api.example.com."), "api.example.com");
        assert_eq!(ok("*.Example.com"), "*.example.com");
        assert_eq!(ok("bücher.example"), "xn--bcher-kva.example");
        assert_eq!(ok("ÉCOLE.example"), "xn--cole-9oa.example");
        assert_eq!(ok("xn--bcher-kva.example"), "xn--bcher-kva.example");
        assert_eq!(ok("localhost"), "localhost");
        assert_eq!(ok("a-b.example.test"), "a-b.example.test");
    }

    #[test]
    fn rejections_name_the_reason() {
        assert!(err("").contains("empty host"));
        assert!(err("https://api.example.com").contains("is a URL"));
        assert!(err("api.example.com/v1").contains("contains a path"));
        assert!(err("api.example.com:443").contains("contains a port"));
        assert!(err("api example.com").contains("whitespace"));
        assert!(err("**.example.com").contains("whole first label"));
        assert!(err("a.*.example.com").contains("whole first label"));
        assert!(err("*example.com").contains("whole first label"));
        assert!(err("*").contains("whole first label"));
        assert!(err("*.com").contains("too broad"));
        assert!(err("api..example.com").contains("empty label"));
        assert!(err(".example.com").contains("empty label"));
        assert!(err("example.com..").contains("empty label"));
        assert!(err("-api.example.com").contains("not a valid host name"));
        assert!(err("api_x.example.com").contains("contains '_'"));
        assert!(err("192.168.1.1").contains("IP address"));
        assert!(err("::1").contains("IP address"));
        assert!(err("[::1]").contains("IP address"));
        assert!(err(&format!("{}.com", "a".repeat(64))).contains("label of 64"));
        let long = vec!["abcdefghi"; 26].join(".");
        assert!(err(&long).contains("too long"), "{}", err(&long));
    }
}
