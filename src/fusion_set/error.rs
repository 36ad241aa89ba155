//! Errors of the fusion-set module. `Display` is the whole line after `error: `.

use std::path::PathBuf;

use super::problem::{Problem, Warning};

/// How many problems the one-line message lists before pointing to `--json`.
pub const PROBLEMS_IN_LINE: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file cannot be opened or read (missing, a directory, permissions).
    #[error("cannot read fusion set {} — {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file was read but is not a valid fusion set. Every problem is listed, each
    /// with its JSON path (`$` = the whole file), on one line.
    #[error("{}", invalid_line(file, problems))]
    Invalid {
        /// The file name as the user gave it.
        file: String,
        /// In document order; never empty.
        problems: Vec<Problem>,
        /// Found on the way; reported next to the problems by `--json`.
        warnings: Vec<Warning>,
    },

    /// `SOURCE_DATE_EPOCH` (the time expiry is judged by) is not an integer.
    #[error(
        "SOURCE_DATE_EPOCH is {value:?}, not a number of seconds — set it to a Unix time such as 1767225600 or unset it"
    )]
    SourceDateEpoch { value: String },

    /// `fusion-set init -o FILE` would overwrite a file.
    #[error("{} already exists — pass --force to overwrite it", path.display())]
    OutputExists { path: PathBuf },

    /// `fusion-set init -o FILE` could not write.
    #[error("cannot write {} — {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The problems of an invalid set (empty for other errors).
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }

    /// Warnings found while validating an invalid set.
    pub fn warnings(&self) -> &[Warning] {
        match self {
            Self::Invalid { warnings, .. } => warnings,
            _ => &[],
        }
    }
}

/// `FILE is not a valid fusion set — PATH: MSG` for one problem;
/// `FILE is not a valid fusion set (N problems) — PATH: MSG; PATH: MSG; ...` for more,
/// the first [`PROBLEMS_IN_LINE`] of them, then a pointer to `--json` for the rest.
fn invalid_line(file: &str, problems: &[Problem]) -> String {
    let listed: Vec<String> = problems
        .iter()
        .take(PROBLEMS_IN_LINE)
        .map(|p| p.to_string())
        .collect();
    let mut line = match problems.len() {
        0 | 1 => format!("{file} is not a valid fusion set — "),
        n => format!("{file} is not a valid fusion set ({n} problems) — "),
    };
    line.push_str(&listed.join("; "));
    if problems.len() > PROBLEMS_IN_LINE {
        line.push_str(&format!(
            "; and {} more (`fuse fusion-set validate --json` lists every problem)",
            problems.len() - PROBLEMS_IN_LINE
        ));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(path: &str, message: &str) -> Problem {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }

    #[test]
    fn one_line_lists_every_problem() {
        let e = Error::Invalid {
            file: "fs.json".into(),
            problems: vec![p("a", "x"), p("b[0]", "y")],
            warnings: vec![],
        };
        assert_eq!(
            e.to_string(),
            "fs.json is not a valid fusion set (2 problems) — a: x; b[0]: y"
        );
        let many: Vec<Problem> = (0..12).map(|i| p(&format!("k{i}"), "m")).collect();
        let e = Error::Invalid {
            file: "fs.json".into(),
            problems: many,
            warnings: vec![],
        };
        let line = e.to_string();
        assert!(
            line.contains("(12 problems)") && line.contains("k9: m; and 2 more"),
            "{line}"
        );
        assert!(!line.contains('\n'));
    }
}
