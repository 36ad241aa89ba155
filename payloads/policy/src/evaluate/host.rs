//! Which domain entry covers a host (CONTRACTS §2): exact host; `includeSubdomains`
//! covers any depth below; `*.` matches exactly one label; the most specific entry wins
//! — exact over wildcard over a parent's includeSubdomains, deeper parent over shallower.
//! IP literals are never covered.

use alloc::borrow::Cow;
use alloc::string::String;

use crate::model::HostPattern;

/// How specifically a pattern matched; larger is more specific (derived `Ord` compares
/// the kind first, then the depth of the matched parent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Specificity {
    /// Below a parent with includeSubdomains (`depth` = labels of the parent, counting
    /// the `*` of a wildcard parent).
    Parent { depth: usize },
    /// `*.parent` covering `label.parent`.
    Wildcard,
    /// The host itself.
    Exact,
}

/// Lowercase and without one trailing dot; `None` for what no domain pattern may cover
/// (empty, IP literals).
pub(crate) fn normalize(host: &str) -> Option<Cow<'_, str>> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() || is_ip_literal(host) {
        return None;
    }
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        Some(Cow::Owned(host.to_ascii_lowercase()))
    } else {
        Some(Cow::Borrowed(host))
    }
}

/// IPv6 (any `:` or bracket) or IPv4-like: the last label is all digits (no top-level
/// domain is numeric; URL parsers treat such hosts as IPv4, including `127.1`).
fn is_ip_literal(host: &str) -> bool {
    if host.contains([':', '[', ']']) {
        return true;
    }
    let last = host.rsplit('.').next().unwrap_or(host);
    !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit())
}

/// How `pattern` (with its includeSubdomains flag) covers the normalised `host`.
pub(crate) fn matches(
    pattern: &HostPattern,
    include_subdomains: bool,
    host: &str,
) -> Option<Specificity> {
    match pattern {
        HostPattern::Exact(p) => {
            if host == p {
                Some(Specificity::Exact)
            } else if include_subdomains && is_strictly_below(host, p) {
                Some(Specificity::Parent { depth: labels(p) })
            } else {
                None
            }
        }
        HostPattern::OneLabelWildcard(p) => {
            let (first, rest) = host.split_once('.')?;
            if !first.is_empty() && rest == p {
                Some(Specificity::Wildcard)
            } else if include_subdomains && is_strictly_below(rest, p) {
                // `*.p` with includeSubdomains: any depth below `p`, at least one label.
                Some(Specificity::Parent {
                    depth: labels(p) + 1,
                })
            } else {
                None
            }
        }
    }
}

/// `host` ends with `.parent` and has at least one non-empty label before it.
fn is_strictly_below(host: &str, parent: &str) -> bool {
    host.strip_suffix(parent)
        .and_then(|prefix| prefix.strip_suffix('.'))
        .is_some_and(|prefix| !prefix.is_empty() && !prefix.ends_with('.'))
}

fn labels(host: &str) -> usize {
    host.split('.').count()
}

/// `*.example.com` / `example.com`, for messages.
pub(crate) fn display(pattern: &HostPattern, include_subdomains: bool) -> String {
    let mut s = String::new();
    if let HostPattern::OneLabelWildcard(_) = pattern {
        s.push_str("*.");
    }
    s.push_str(match pattern {
        HostPattern::Exact(h) | HostPattern::OneLabelWildcard(h) => h,
    });
    if include_subdomains {
        s.push_str(" (includeSubdomains)");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(h: &str) -> HostPattern {
        HostPattern::Exact(h.into())
    }
    fn wild(h: &str) -> HostPattern {
        HostPattern::OneLabelWildcard(h.into())
    }

    #[test]
    fn normalize_lowercases_and_strips_one_trailing_dot() {
        assert_eq!(
            normalize("API.Example.COM.").as_deref(),
            Some("api.example.com")
        );
        assert_eq!(
            normalize("api.example.com..").as_deref(),
            Some("api.example.com.")
        );
        assert_eq!(normalize("."), None);
        assert_eq!(normalize(""), None);
    }

    #[test]
    fn ip_literals_are_never_covered() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1.",
            "127.1",
            "::1",
            "[::1]",
            "fe80::1%eth0",
            "2001:db8::1",
        ] {
            assert_eq!(normalize(ip), None, "{ip}");
        }
        assert!(normalize("1.example.com").is_some());
        assert!(normalize("example.123a").is_some());
    }

    #[test]
    fn exact_matches_only_itself_without_include_subdomains() {
        let p = exact("example.com");
        assert_eq!(matches(&p, false, "example.com"), Some(Specificity::Exact));
        assert_eq!(matches(&p, false, "a.example.com"), None);
        assert_eq!(matches(&p, false, "a.b.c.example.com"), None);
        assert_eq!(matches(&p, false, "badexample.com"), None);
    }

    #[test]
    fn include_subdomains_covers_any_depth() {
        let p = exact("example.com");
        assert_eq!(matches(&p, true, "example.com"), Some(Specificity::Exact));
        assert_eq!(
            matches(&p, true, "a.example.com"),
            Some(Specificity::Parent { depth: 2 })
        );
        assert_eq!(
            matches(&p, true, "a.b.c.example.com"),
            Some(Specificity::Parent { depth: 2 })
        );
        assert_eq!(matches(&p, true, "badexample.com"), None);
        assert_eq!(matches(&p, true, ".example.com"), None);
        assert_eq!(matches(&p, true, "a..example.com"), None);
        assert_eq!(matches(&p, true, "example.com.evil"), None);
    }

    #[test]
    fn wildcard_matches_exactly_one_label() {
        let p = wild("example.com");
        assert_eq!(
            matches(&p, false, "a.example.com"),
            Some(Specificity::Wildcard)
        );
        assert_eq!(matches(&p, false, "example.com"), None);
        assert_eq!(matches(&p, false, "a.b.example.com"), None);
        assert_eq!(matches(&p, false, ".example.com"), None);
        assert_eq!(matches(&p, false, "a.badexample.com"), None);
    }

    #[test]
    fn wildcard_with_include_subdomains_covers_every_depth_below_but_not_the_parent() {
        let p = wild("example.com");
        assert_eq!(
            matches(&p, true, "a.example.com"),
            Some(Specificity::Wildcard)
        );
        assert_eq!(
            matches(&p, true, "a.b.example.com"),
            Some(Specificity::Parent { depth: 3 })
        );
        assert_eq!(matches(&p, true, "example.com"), None);
    }

    #[test]
    fn specificity_order() {
        assert!(Specificity::Exact > Specificity::Wildcard);
        assert!(Specificity::Wildcard > Specificity::Parent { depth: 9 });
        assert!(Specificity::Parent { depth: 3 } > Specificity::Parent { depth: 2 });
    }
}
