//! Everything that can be wrong with a ZIP container, as one line each.

use std::path::PathBuf;

/// A ZIP problem. The `Display` text is the whole user-facing line after `error: `.
#[derive(Debug, thiserror::Error)]
pub enum ZipError {
    #[error("cannot read {} — {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write the output — {0}")]
    Write(#[source] std::io::Error),

    /// The structure is malformed or hostile: `what` names the record or entry, `why` the rule.
    #[error("{} is not a valid app package (ZIP) — {what}: {why}", path.display())]
    Malformed {
        path: PathBuf,
        what: String,
        why: String,
    },

    /// Something a writer caller asked for that a ZIP cannot hold.
    #[error("cannot write ZIP entry {name} — {why}")]
    Unwritable { name: String, why: String },
}

impl ZipError {
    pub(crate) fn malformed(
        path: &std::path::Path,
        what: impl Into<String>,
        why: impl Into<String>,
    ) -> Self {
        Self::Malformed {
            path: path.to_path_buf(),
            what: elide(what.into()),
            why: why.into(),
        }
    }
}

/// Entry names may be 4 KB long: an error line shows the first 120 and last 60
/// characters of a longer `what`, so it stays one readable line.
fn elide(what: String) -> String {
    const HEAD: usize = 120;
    const TAIL: usize = 60;
    let chars = what.chars().count();
    if chars <= HEAD + TAIL + 20 {
        return what;
    }
    let head: String = what.chars().take(HEAD).collect();
    let tail: String = what.chars().skip(chars - TAIL).collect();
    format!("{head}…({} characters)…{tail}", chars - HEAD - TAIL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_elided_in_the_error_line() {
        let e = ZipError::malformed(
            std::path::Path::new("a.apk"),
            format!("entry \"{}\"", "é/".repeat(4000)),
            "why",
        );
        let line = e.to_string();
        assert!(line.len() < 600, "{}", line.len());
        assert!(line.contains("characters)"));
        let short = ZipError::malformed(std::path::Path::new("a.apk"), "entry x", "why");
        assert_eq!(
            short.to_string(),
            "a.apk is not a valid app package (ZIP) — entry x: why"
        );
    }
}
