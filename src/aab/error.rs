//! Everything that can be wrong with an app bundle, one line each (`Display` is the whole
//! user-facing line after `error: `). All of them mean a bad input package (exit 3) except
//! where `src/error.rs` says otherwise.

/// Where to send the user when a bundle is broken.
const REBUILD: &str = "the bundle is corrupt or was tampered with; rebuild it with the Android Gradle Plugin or bundletool";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A protobuf file that does not decode (truncated, wrong wire type, too deep…).
    #[error("{file} is not a valid {message} protobuf: {problem} — {REBUILD}")]
    Protobuf {
        file: String,
        message: &'static str,
        problem: String,
    },

    /// A protobuf file larger than any real one; refused before it is read.
    #[error(
        "{file} is {size} bytes, more than the {limit} bytes fuse accepts for it — no build tool writes such a file; {REBUILD}"
    )]
    TooLarge { file: String, size: u64, limit: u64 },

    /// The manifest's root is not `<manifest>`.
    #[error(
        "{file} has root {found}, expected the <manifest> element — the module's manifest is not an Android manifest; {REBUILD}"
    )]
    NotAManifest { file: String, found: String },

    /// A manifest attribute fuse needs is missing or has a form it cannot use.
    #[error("{file}: {element} {attribute} {problem}")]
    ManifestValue {
        file: String,
        element: &'static str,
        attribute: &'static str,
        problem: String,
    },

    /// Another provider already owns the authority the bridge provider needs.
    #[error(
        "{file} already declares provider {provider} with authority {authority} — fuse needs that authority for its bridge provider; rename the app's provider authority"
    )]
    AuthorityTaken {
        file: String,
        authority: String,
        provider: String,
    },

    /// The bundle breaks one of bundletool's layout rules (`bundle.rs`).
    #[error("the app bundle {problem} — {fix}")]
    Layout { problem: String, fix: String },
}

impl Error {
    pub(crate) fn protobuf(file: &str, message: &'static str, problem: impl Into<String>) -> Self {
        Self::Protobuf {
            file: file.to_owned(),
            message,
            problem: problem.into(),
        }
    }

    pub(crate) fn layout(problem: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::Layout {
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// A stable short name of the kind of failure, for tests and fixture tables.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Protobuf { .. } => "protobuf",
            Self::TooLarge { .. } => "too-large",
            Self::NotAManifest { .. } => "not-a-manifest",
            Self::ManifestValue { .. } => "manifest-value",
            Self::AuthorityTaken { .. } => "authority-taken",
            Self::Layout { .. } => "layout",
        }
    }
}

/// prost's message without its field path, which repeats once per nesting level (a
/// 10,000-deep message would give a line of several KiB): `<what went wrong> (N messages
/// deep)`.
pub(crate) fn decode_problem(e: &prost::DecodeError) -> String {
    let text = e.to_string();
    let mut rest = text
        .strip_prefix("failed to decode Protobuf message: ")
        .unwrap_or(&text);
    let mut depth = 0;
    while let Some((segment, tail)) = rest.split_once(": ") {
        let is_path = segment.contains('.')
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if !is_path {
            break;
        }
        depth += 1;
        rest = tail;
    }
    if depth > 1 {
        format!("{rest} ({depth} fields deep)")
    } else {
        rest.to_owned()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prost_paths_are_summarised() {
        use prost::Message;
        let e = crate::aab::proto::XmlNode::decode(&[0x0a, 0x05][..]).unwrap_err();
        assert_eq!(decode_problem(&e), "buffer underflow");
        let e = crate::aab::proto::XmlNode::decode(&[0x08, 0x01][..]).unwrap_err();
        assert_eq!(
            decode_problem(&e),
            "invalid wire type: Varint (expected LengthDelimited)"
        );
    }

    #[test]
    fn every_message_is_one_line_with_a_fix() {
        let samples = [
            Error::protobuf("base/manifest/AndroidManifest.xml", "aapt.pb.XmlNode", "x"),
            Error::TooLarge {
                file: "base/native.pb".into(),
                size: 9,
                limit: 1,
            },
            Error::layout("has no base module", "rebuild it"),
            Error::AuthorityTaken {
                file: "f".into(),
                authority: "a.fuse".into(),
                provider: "x.P".into(),
            },
        ];
        for e in samples {
            let line = e.to_string();
            assert!(!line.contains('\n'), "{line}");
            assert!(line.contains(" — "), "{line}");
        }
    }
}
