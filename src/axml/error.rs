//! Every way reading, editing or writing binary XML can fail.
//!
//! The decoder is the first code that touches an attacker-supplied manifest, so each
//! failure names the byte offset and what was wrong there; all of them map to exit 3
//! (bad package) in `src/error.rs`. `Display` is the whole user-facing line after
//! `error: `.

/// Where to tell the user to go when a package's XML is broken.
const REBUILD: &str =
    "the package is corrupt or was tampered with; rebuild it with the Android build tools";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The data ends before a structure that must be there.
    #[error(
        "binary XML is truncated: {what} at byte {offset:#x} needs {need} bytes, {have} left — {REBUILD}"
    )]
    Truncated {
        offset: usize,
        what: &'static str,
        need: usize,
        have: usize,
    },

    /// The first chunk is not `RES_XML_TYPE` (e.g. a text XML file).
    #[error(
        "not binary XML: the file starts with {found} — expected an Android binary XML chunk (type 0x0003); {REBUILD}"
    )]
    NotBinaryXml { found: String },

    /// A chunk header whose sizes contradict each other or the enclosing chunk.
    #[error(
        "binary XML {what} chunk at byte {offset:#x} lies about its size: {problem} — {REBUILD}"
    )]
    ChunkSize {
        offset: usize,
        what: &'static str,
        problem: String,
    },

    /// The string pool's header, tables or string data are inconsistent.
    #[error("binary XML string pool at byte {offset:#x} is malformed: {problem} — {REBUILD}")]
    StringPool { offset: usize, problem: String },

    /// A string's bytes are not valid UTF-8 / UTF-16, or its length prefix lies.
    #[error("binary XML string #{index} is malformed: {problem} — {REBUILD}")]
    BadString { index: usize, problem: String },

    /// A reference to a string that the pool does not have.
    #[error(
        "binary XML {field} at byte {offset:#x} refers to string #{index}, but the pool has only {count} strings — {REBUILD}"
    )]
    StringIndex {
        offset: usize,
        field: &'static str,
        index: u32,
        count: usize,
    },

    /// The document has no string pool, or two, or two resource maps.
    #[error("binary XML layout is invalid: {problem} — {REBUILD}")]
    Layout { problem: String },

    /// The resource map assigns ids to strings that do not exist.
    #[error(
        "binary XML resource map has {ids} entries but the string pool only {strings} strings — {REBUILD}"
    )]
    ResourceMapTooLong { ids: usize, strings: usize },

    /// `attributeSize` other than the 20 bytes every Android tool writes.
    #[error(
        "binary XML element at byte {offset:#x} declares {size}-byte attributes, expected 20 — {REBUILD}"
    )]
    AttributeSize { offset: usize, size: u16 },

    /// Start/end element or namespace nodes that do not pair up.
    #[error("binary XML nesting is broken at byte {offset:#x}: {problem} — {REBUILD}")]
    Nesting { offset: usize, problem: String },

    /// Deeper than any real document; refused before it can exhaust anything.
    #[error(
        "binary XML nests deeper than {limit} levels at byte {offset:#x} — no Android build tool writes that; {REBUILD}"
    )]
    TooDeep { offset: usize, limit: usize },

    /// An edit that would need to renumber strings inside a chunk fuse cannot parse.
    #[error(
        "cannot edit binary XML: it contains an unknown chunk (type {chunk_type:#06x}) whose string references fuse cannot renumber — rebuild the app with a current Android Gradle Plugin"
    )]
    UnknownChunkBlocksEdit { chunk_type: u16 },

    /// A string, table or document that cannot be written in the format's fields.
    #[error(
        "cannot write binary XML: {problem} — keep manifest strings and documents within the format's limits"
    )]
    TooLarge { problem: String },

    /// An edit aimed at a node that is not an element start (a caller bug or a stale handle).
    #[error(
        "cannot edit binary XML: node #{index} is not an element — internal error, please report it"
    )]
    NotAnElement { index: usize },

    /// An edit that would remove the document's root element.
    #[error(
        "cannot edit binary XML: the root element cannot be removed — internal error, please report it"
    )]
    RootRemoval,

    /// The root element is not `<manifest>`.
    #[error(
        "AndroidManifest.xml has root element <{found}>, expected <manifest> — the package's manifest is not an Android manifest"
    )]
    NotAManifest { found: String },

    /// A manifest attribute fuse needs is missing or has a form it cannot use.
    #[error("AndroidManifest.xml {element} {attribute} {problem}")]
    ManifestValue {
        element: &'static str,
        attribute: &'static str,
        problem: String,
    },

    /// Another component already owns the authority the bridge provider needs.
    #[error(
        "AndroidManifest.xml already declares provider {provider} with authority {authority} — fuse needs that authority for its bridge provider; rename the app's provider authority"
    )]
    AuthorityTaken { authority: String, provider: String },
}

impl Error {
    /// A stable short name for the kind of failure, for tests and fixture tables.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Truncated { .. } => "truncated",
            Self::NotBinaryXml { .. } => "not-binary-xml",
            Self::ChunkSize { .. } => "chunk-size",
            Self::StringPool { .. } => "string-pool",
            Self::BadString { .. } => "bad-string",
            Self::StringIndex { .. } => "string-index",
            Self::Layout { .. } => "layout",
            Self::ResourceMapTooLong { .. } => "resource-map-too-long",
            Self::AttributeSize { .. } => "attribute-size",
            Self::Nesting { .. } => "nesting",
            Self::TooDeep { .. } => "too-deep",
            Self::UnknownChunkBlocksEdit { .. } => "unknown-chunk-blocks-edit",
            Self::TooLarge { .. } => "too-large",
            Self::NotAnElement { .. } => "not-an-element",
            Self::RootRemoval => "root-removal",
            Self::NotAManifest { .. } => "not-a-manifest",
            Self::ManifestValue { .. } => "manifest-value",
            Self::AuthorityTaken { .. } => "authority-taken",
        }
    }

    pub(crate) fn pool(offset: usize, problem: impl Into<String>) -> Self {
        Self::StringPool {
            offset,
            problem: problem.into(),
        }
    }

    pub(crate) fn bad_string(index: usize, problem: impl Into<String>) -> Self {
        Self::BadString {
            index,
            problem: problem.into(),
        }
    }

    pub(crate) fn nesting(offset: usize, problem: impl Into<String>) -> Self {
        Self::Nesting {
            offset,
            problem: problem.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_one_line_with_a_fix() {
        let samples = [
            Error::Truncated {
                offset: 8,
                what: "chunk header",
                need: 8,
                have: 3,
            },
            Error::pool(8, "declares 5 strings"),
            Error::AuthorityTaken {
                authority: "a.fuse".into(),
                provider: "x.P".into(),
            },
            Error::TooDeep {
                offset: 0x40,
                limit: 512,
            },
        ];
        for e in samples {
            let line = e.to_string();
            assert!(!line.contains('\n'), "{line}");
            assert!(line.contains(" — "), "{line}");
        }
    }
}
