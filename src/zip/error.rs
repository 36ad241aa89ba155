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
    #[error("{} is not a valid APK/ZIP — {what}: {why}", path.display())]
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
            what: what.into(),
            why: why.into(),
        }
    }
}
