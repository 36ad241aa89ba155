//! Fusion sets: the JSON a user writes (DESIGN §2), strict validation with JSON paths,
//! and compilation to the policy the shim enforces.
//!
//! ```text
//! file bytes ──► json::parse ──► validate ──► FusionSet ──► to_policy ──► fuse_policy::Policy
//!  (≤ 1 MiB,      (UTF-8, depth,   (every problem   (normalised,   (compile.rs)
//!   read first)    duplicates kept) with its path)   + warnings)
//! ```
//!
//! Expiry ("expired", "within 30 days") is judged against `SOURCE_DATE_EPOCH` when it
//! is set, else the system clock; [`load_at`] and [`parse`] take the time explicitly.

mod compile;
mod date;
mod dialog;
mod error;
mod host;
mod json;
mod model;
mod pin;
mod problem;
mod reader;
mod starter;
mod validate;

use std::io::Read as _;
use std::path::Path;

use sha2::{Digest, Sha256};

pub use compile::{DEFAULT_TITLE, default_message};
pub use date::Date;
pub use error::Error;
pub use host::Host;
pub use json::MAX_DEPTH;
pub use model::{
    Action, Button, ButtonAction, CertificatePinning, Domain, Enforce, FusionSet, Localized, Stage,
    ThreatEvents,
};
pub use pin::Pin;
pub use problem::{Problem, Warning, WarningCode};
pub use reader::COMMENT_PREFIX;
pub use starter::{PLACEHOLDER_PINS, starter, write as write_starter};
pub use validate::{EXPIRY_WARNING_SECONDS, PRODUCTION_MIN_VALIDITY_SECONDS};

/// Larger files are refused before parsing: a real fusion set is a few KiB.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Read and validate the fusion set at `path`, judging expiry by [`now_unix`].
pub fn load(path: &Path) -> Result<FusionSet, Error> {
    load_at(path, now_unix()?)
}

/// [`load`] with an explicit "now" (seconds since the Unix epoch).
pub fn load_at(path: &Path, now_unix: i64) -> Result<FusionSet, Error> {
    let file_name = path.display().to_string();
    let read_err = |source| Error::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let meta = file.metadata().map_err(read_err)?;
    if meta.is_dir() {
        return Err(read_err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory",
        )));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(file_name, meta.len()));
    }
    // The size can change under us (or the file is a pipe): never read past the limit.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or_default());
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(file_name, bytes.len() as u64));
    }
    parse(&bytes, &file_name, now_unix)
}

fn too_large(file: String, size: u64) -> Error {
    Error::Invalid {
        file,
        problems: vec![Problem {
            path: "$".into(),
            message: format!(
                "the file is {size} bytes; a fusion set may be at most {MAX_FILE_BYTES} bytes (1 MiB)"
            ),
        }],
        warnings: Vec::new(),
    }
}

/// Validate fusion-set `bytes`; `file` names them in messages.
pub fn parse(bytes: &[u8], file: &str, now_unix: i64) -> Result<FusionSet, Error> {
    let root = json::parse(bytes).map_err(|message| Error::Invalid {
        file: file.to_owned(),
        problems: vec![Problem {
            path: "$".into(),
            message,
        }],
        warnings: Vec::new(),
    })?;
    let (validated, problems, warnings) = validate::validate(&root, now_unix);
    match validated {
        Some(v) if problems.is_empty() => Ok(FusionSet {
            fusion_set_id: v.id,
            name: v.name,
            stage: v.stage,
            certificate_pinning: v.pinning,
            sha256: Sha256::digest(bytes).into(),
            warnings,
        }),
        _ => {
            let mut problems = problems;
            if problems.is_empty() {
                // Every rule that refuses a value records why; this only guards the
                // one-line contract should a rule ever forget to.
                problems.push(Problem {
                    path: "$".into(),
                    message: "not a valid fusion set".into(),
                });
            }
            Err(Error::Invalid {
                file: file.to_owned(),
                problems,
                warnings,
            })
        }
    }
}

/// The time expiry is judged by: `SOURCE_DATE_EPOCH` when set, else the system clock.
pub fn now_unix() -> Result<i64, Error> {
    date::now_unix().map_err(|value| Error::SourceDateEpoch { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-01-01T00:00:00Z
    const NOW: i64 = 1_767_225_600;

    fn production() -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fusion-sets/good/production.json"),
        )
        .unwrap()
    }

    fn problems(text: &str) -> Vec<String> {
        match parse(text.as_bytes(), "t.json", NOW) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems().iter().map(ToString::to_string).collect(),
        }
    }

    const PINS: &str = r#"["sha256/7HIpactkIAq2Y49orFOOQKurWxmmSFZhBCoQYcRhJ3Y=", "sha256/YLh1dUR9y6Kja30RrAn7JKnbQG/uEtLMkBgFF2Fuihg="]"#;

    #[test]
    fn comments_are_accepted_in_every_object() {
        let text = format!(
            r#"{{"$comment": ["a", "b"], "fusionSetId": "x", "name": "n",
                "CertificatePinning": {{"$comment": "c", "$comment-2": "d",
                  "localized": {{"$comment": "e", "de": {{"$comment": "f", "title": "T"}}}},
                  "domains": [{{"$comment": "g", "host": "a.example", "pins": {PINS}}}],
                  "enforce": {{"$comment": "h"}}}}}}"#
        );
        assert_eq!(problems(&text), Vec::<String>::new());
    }

    #[test]
    fn language_tags_differing_in_case_are_one_language() {
        let text = format!(
            r#"{{"fusionSetId": "x", "name": "n", "CertificatePinning": {{
                  "localized": {{"pt-BR": {{"title": "a"}}, "pt-br": {{"title": "b"}}}},
                  "domains": [{{"host": "a.example", "pins": {PINS}}}]}}}}"#
        );
        assert_eq!(
            problems(&text),
            [
                "CertificatePinning.localized.pt-br: same language as \"pt-BR\" (tags are not case-sensitive)"
            ]
        );
    }

    #[test]
    fn localized_buttons_count_the_default_button() {
        let text = |labels: &str| {
            format!(
                r#"{{"fusionSetId": "x", "name": "n", "CertificatePinning": {{"action": "close",
                      "localized": {{"de": {{"buttons": {labels}}}}},
                      "domains": [{{"host": "a.example", "pins": {PINS}}}]}}}}"#
            )
        };
        assert!(problems(&text(r#"["Schließen"]"#)).is_empty());
        assert_eq!(problems(&text(r#"["A", "B"]"#)).len(), 1);
    }

    #[test]
    fn every_problem_is_reported_not_only_the_first() {
        let text = r#"{"fusionSetId": "", "name": 5, "stage": "x", "extra": 1,
                       "CertificatePinning": {"domains": [{"host": "a b", "pins": ["sha1/x"]}, 7]}}"#;
        let found = problems(text);
        let paths: Vec<&str> = found
            .iter()
            .map(|p| p.split(": ").next().unwrap())
            .collect();
        assert_eq!(
            paths,
            [
                "extra",
                "fusionSetId",
                "name",
                "stage",
                "CertificatePinning.domains[0].host",
                "CertificatePinning.domains[0].pins[0]",
                "CertificatePinning.domains[1]",
            ],
            "{found:#?}"
        );
    }

    /// Cheap mutation fuzzing: no input may panic, and every refusal names a problem.
    #[test]
    fn mutated_inputs_never_panic() {
        let base = production();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let mut bytes = base.clone();
            for _ in 0..(next() % 4 + 1) {
                let at = (next() as usize) % bytes.len();
                match next() % 4 {
                    0 => bytes[at] = next() as u8,
                    1 => bytes.truncate(at),
                    2 => bytes.insert(at, b"{}[]\",:0\\"[(next() % 8) as usize]),
                    _ => {
                        bytes.remove(at);
                    }
                }
                if bytes.is_empty() {
                    break;
                }
            }
            if let Err(e) = parse(&bytes, "m.json", NOW) {
                assert!(!e.problems().is_empty());
                assert!(!e.to_string().contains('\n'));
            }
        }
    }
}
