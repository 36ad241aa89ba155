//! What validation reports: problems (the set is refused) and warnings (it is accepted),
//! each at a JSON path such as `CertificatePinning.domains[1].pins[0]`.

use std::fmt;

use serde::Serialize;

/// A location in the document. The root itself prints as `$`; members print as
/// `a.b[2].c`, and keys that are not plain identifiers as `a["//"]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonPath(Vec<Segment>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl JsonPath {
    pub fn root() -> Self {
        Self::default()
    }

    pub fn key(&self, key: &str) -> Self {
        let mut p = self.clone();
        p.0.push(Segment::Key(key.to_owned()));
        p
    }

    pub fn index(&self, index: usize) -> Self {
        let mut p = self.clone();
        p.0.push(Segment::Index(index));
        p
    }
}

fn is_plain_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '-'))
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("$");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) if is_plain_key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Segment::Key(k) => {
                    // A JSON string literal is an unambiguous way to show any key.
                    let quoted = serde_json::to_string(k).map_err(|_| fmt::Error)?;
                    write!(f, "[{quoted}]")?;
                }
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A mistake that makes the fusion set invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// JSON path of the offending value (`$` for the whole file).
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Something worth knowing that does not make the set invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Stable identifier for tools and the report.
    pub code: WarningCode,
    pub path: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningCode {
    /// `stage: development`: violations never block.
    DevelopmentStage,
    /// `detection: false`: nothing is checked at run time.
    DetectionOff,
    /// A domain with a single distinct pin (allowed outside production).
    NoBackupPin,
    /// A pin set that expires within 90 days.
    ExpiresSoon,
    /// A pin from the `fuse fusion-set init` starter that was never replaced.
    PlaceholderPin,
}

impl WarningCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::DevelopmentStage => "development-stage",
            Self::DetectionOff => "detection-off",
            Self::NoBackupPin => "no-backup-pin",
            Self::ExpiresSoon => "expires-soon",
            Self::PlaceholderPin => "placeholder-pin",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_like_the_design_example() {
        let p = JsonPath::root()
            .key("CertificatePinning")
            .key("domains")
            .index(1)
            .key("pins")
            .index(0);
        assert_eq!(p.to_string(), "CertificatePinning.domains[1].pins[0]");
        assert_eq!(JsonPath::root().to_string(), "$");
        assert_eq!(
            JsonPath::root().key("localized").key("pt-BR").to_string(),
            "localized.pt-BR"
        );
        assert_eq!(
            JsonPath::root().key("a").key("x y\"").to_string(),
            r#"a["x y\""]"#
        );
    }
}
