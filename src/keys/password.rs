//! Password specs, as apksigner's `--ks-pass`: `pass:TEXT`, `env:VAR`, `file:PATH`, `stdin`.
//!
//! - `file:PATH` — the first line of the file, its line ending (`\n`, `\r\n`) removed.
//! - `stdin` — one line of standard input. When several specs say `stdin`, each takes
//!   the next line, in argument order (`--ks-pass` before `--key-pass`), as apksigner.
//!   Standard input that is a terminal is refused rather than read with echo on, and a
//!   closed or exhausted standard input is an error, never a wait.
//!
//! Secrets live in [`Zeroizing`] buffers sized up front, so no reallocation leaves a
//! copy behind; `Debug` and `Display` show the spec's kind, never the text.

use std::fmt;
use std::io::{BufRead, IsTerminal, Read};
use std::path::PathBuf;

use zeroize::Zeroizing;

use super::error::{Error, PasswordRole};

/// Longest password accepted, in bytes (keytool and OpenSSL passwords are far shorter).
pub const MAX_PASSWORD_LEN: usize = 4096;

/// Where a password comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum PasswordSpec {
    /// `pass:TEXT` — the text itself.
    Text(Zeroizing<String>),
    /// `env:VAR` — the value of an environment variable.
    Env(String),
    /// `file:PATH` — the first line of a file.
    File(PathBuf),
    /// `stdin` — the next line of standard input.
    Stdin,
}

impl PasswordSpec {
    /// Parses a spec given on the command line.
    pub fn parse(spec: &str) -> Result<Self, Error> {
        Self::parse_flag(spec, "password")
    }

    /// Parses the value of `flag` (named in the error, which never shows the value).
    pub fn parse_flag(spec: &str, flag: &'static str) -> Result<Self, Error> {
        if let Some(text) = spec.strip_prefix("pass:") {
            Ok(Self::Text(Zeroizing::new(text.to_owned())))
        } else if let Some(var) = spec.strip_prefix("env:") {
            if var.is_empty() {
                return Err(Error::BadPasswordSpec { flag });
            }
            Ok(Self::Env(var.to_owned()))
        } else if let Some(path) = spec.strip_prefix("file:") {
            if path.is_empty() {
                return Err(Error::BadPasswordSpec { flag });
            }
            Ok(Self::File(PathBuf::from(path)))
        } else if spec == "stdin" {
            Ok(Self::Stdin)
        } else {
            Err(Error::BadPasswordSpec { flag })
        }
    }

    /// Whether resolving this spec consumes a line of standard input.
    pub fn reads_stdin(&self) -> bool {
        matches!(self, Self::Stdin)
    }
}

impl std::str::FromStr for PasswordSpec {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl fmt::Debug for PasswordSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(_) => f.write_str("PasswordSpec::Text(<hidden>)"),
            Self::Env(var) => f.debug_tuple("PasswordSpec::Env").field(var).finish(),
            Self::File(path) => f.debug_tuple("PasswordSpec::File").field(path).finish(),
            Self::Stdin => f.write_str("PasswordSpec::Stdin"),
        }
    }
}

/// The spec as a user would write it, with the text of `pass:` hidden.
impl fmt::Display for PasswordSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(_) => f.write_str("pass:<hidden>"),
            Self::Env(var) => write!(f, "env:{var}"),
            Self::File(path) => write!(f, "file:{}", path.display()),
            Self::Stdin => f.write_str("stdin"),
        }
    }
}

/// A resolved password, wiped from memory on drop. Deliberately not `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(Zeroizing<String>);

impl Password {
    pub fn new(text: &str) -> Self {
        Self(Zeroizing::new(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Takes the bytes of `buf` (checked UTF-8) without copying them.
    fn from_buffer(mut buf: Zeroizing<Vec<u8>>, role: PasswordRole) -> Result<Self, Error> {
        if buf.len() > MAX_PASSWORD_LEN {
            return Err(Error::PasswordTooLong {
                role,
                max: MAX_PASSWORD_LEN,
            });
        }
        if std::str::from_utf8(&buf).is_err() {
            return Err(Error::PasswordNotUtf8 { role });
        }
        let bytes = std::mem::take(&mut *buf);
        match String::from_utf8(bytes) {
            Ok(s) => Ok(Self(Zeroizing::new(s))),
            // Unreachable after the check above; wipe the bytes all the same.
            Err(e) => {
                drop(Zeroizing::new(e.into_bytes()));
                Err(Error::PasswordNotUtf8 { role })
            }
        }
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<hidden>)")
    }
}

/// Resolves specs in order; owns the standard input line source shared by `stdin` specs.
pub struct PasswordReader<R> {
    stdin: R,
    stdin_is_terminal: bool,
}

impl PasswordReader<std::io::StdinLock<'static>> {
    /// Reads `stdin` specs from the process's standard input.
    pub fn process_stdin() -> Self {
        let stdin = std::io::stdin();
        let stdin_is_terminal = stdin.is_terminal();
        Self {
            stdin: stdin.lock(),
            stdin_is_terminal,
        }
    }
}

impl<R: BufRead> PasswordReader<R> {
    /// Reads `stdin` specs from `stdin` (tests, or a caller with its own input).
    pub fn new(stdin: R) -> Self {
        Self {
            stdin,
            stdin_is_terminal: false,
        }
    }

    /// The password `spec` names; `role` only labels errors.
    pub fn resolve(&mut self, spec: &PasswordSpec, role: PasswordRole) -> Result<Password, Error> {
        match spec {
            PasswordSpec::Text(text) => {
                Password::from_buffer(Zeroizing::new(text.as_bytes().to_vec()), role)
            }
            PasswordSpec::Env(var) => match std::env::var_os(var) {
                None => Err(Error::PasswordEnvUnset {
                    role,
                    var: var.clone(),
                }),
                Some(value) => {
                    let value = Zeroizing::new(value.into_encoded_bytes());
                    Password::from_buffer(value, role)
                }
            },
            PasswordSpec::File(path) => {
                let file = std::fs::File::open(path).map_err(|source| Error::PasswordFile {
                    role,
                    path: path.clone(),
                    source,
                })?;
                let mut buf = Zeroizing::new(Vec::with_capacity(MAX_PASSWORD_LEN + 2));
                file.take((MAX_PASSWORD_LEN + 2) as u64)
                    .read_to_end(&mut buf)
                    .map_err(|source| Error::PasswordFile {
                        role,
                        path: path.clone(),
                        source,
                    })?;
                if let Some(end) = buf.iter().position(|&b| b == b'\n') {
                    buf.truncate(end);
                }
                strip_line_end(&mut buf);
                Password::from_buffer(buf, role)
            }
            PasswordSpec::Stdin => self.read_stdin_line(role),
        }
    }

    fn read_stdin_line(&mut self, role: PasswordRole) -> Result<Password, Error> {
        if self.stdin_is_terminal {
            return Err(Error::StdinIsTerminal { role });
        }
        let mut buf = Zeroizing::new(Vec::with_capacity(MAX_PASSWORD_LEN + 2));
        let n = (&mut self.stdin)
            .take((MAX_PASSWORD_LEN + 2) as u64)
            .read_until(b'\n', &mut buf)
            .map_err(|source| Error::StdinRead { role, source })?;
        if n == 0 {
            return Err(Error::StdinExhausted { role });
        }
        strip_line_end(&mut buf);
        Password::from_buffer(buf, role)
    }
}

/// Removes one trailing `\n` and then one `\r`.
fn strip_line_end(buf: &mut Vec<u8>) {
    if buf.last() == Some(&b'\n') {
        buf.pop();
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "canary-7f3e-secret";

    fn resolve(spec: &str, stdin: &[u8]) -> Result<Password, Error> {
        let mut r = PasswordReader::new(stdin);
        r.resolve(&PasswordSpec::parse(spec)?, PasswordRole::Keystore)
    }

    #[test]
    fn pass_gives_the_text() {
        assert_eq!(
            resolve(&format!("pass:{CANARY}"), b"").unwrap().as_str(),
            CANARY
        );
        assert_eq!(resolve("pass:", b"").unwrap().as_str(), "");
        assert_eq!(resolve("pass:a:b", b"").unwrap().as_str(), "a:b");
    }

    #[test]
    fn debug_and_display_never_show_the_secret() {
        let spec = PasswordSpec::parse(&format!("pass:{CANARY}")).unwrap();
        assert!(!format!("{spec:?}").contains(CANARY));
        assert!(!format!("{spec}").contains(CANARY));
        let pw = resolve(&format!("pass:{CANARY}"), b"").unwrap();
        assert!(!format!("{pw:?}").contains(CANARY));
    }

    #[test]
    fn bad_specs_are_usage_errors_without_the_value() {
        for bad in [CANARY, "password", "env:", "file:", "STDIN", "pass"] {
            let e = PasswordSpec::parse_flag(bad, "--ks-pass").unwrap_err();
            assert!(matches!(e, Error::BadPasswordSpec { .. }), "{bad}");
            assert!(!e.to_string().contains(CANARY));
            assert!(e.to_string().starts_with("--ks-pass: not a password spec"));
        }
    }

    #[test]
    fn env_unset_names_the_variable() {
        let e = resolve("env:FUSE_TEST_SURELY_UNSET_VAR_81", b"").unwrap_err();
        assert!(matches!(e, Error::PasswordEnvUnset { .. }));
        assert!(e.to_string().contains("FUSE_TEST_SURELY_UNSET_VAR_81"));
    }

    #[test]
    fn env_set_gives_its_value() {
        // PATH is always set; its value is as good as any for this check.
        let want = std::env::var("PATH").unwrap();
        assert_eq!(resolve("env:PATH", b"").unwrap().as_str(), want);
    }

    #[test]
    fn file_gives_the_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&[u8], &str); 5] = [
            (b"secret\n", "secret"),
            (b"secret", "secret"),
            (b"secret\r\nsecond line\n", "secret"),
            (b"\nsecond", ""),
            (b" spaced \n", " spaced "),
        ];
        for (i, (content, want)) in cases.iter().enumerate() {
            let p = dir.path().join(format!("pw{i}"));
            std::fs::write(&p, content).unwrap();
            let got = resolve(&format!("file:{}", p.display()), b"").unwrap();
            assert_eq!(got.as_str(), *want, "{content:?}");
        }
    }

    #[test]
    fn file_missing_is_a_clear_error() {
        let e = resolve("file:/nonexistent/fuse/pw.txt", b"").unwrap_err();
        assert!(matches!(e, Error::PasswordFile { .. }));
        assert!(e.to_string().contains("/nonexistent/fuse/pw.txt"), "{e}");
    }

    #[test]
    fn file_with_an_endless_first_line_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("huge");
        std::fs::write(&p, vec![b'x'; MAX_PASSWORD_LEN + 10]).unwrap();
        let e = resolve(&format!("file:{}", p.display()), b"").unwrap_err();
        assert!(matches!(e, Error::PasswordTooLong { .. }), "{e}");
    }

    #[test]
    fn stdin_specs_take_one_line_each_in_order() {
        let mut r = PasswordReader::new(&b"store-pw\r\nkey-pw\nunused\n"[..]);
        let store = r
            .resolve(&PasswordSpec::Stdin, PasswordRole::Keystore)
            .unwrap();
        let key = r.resolve(&PasswordSpec::Stdin, PasswordRole::Key).unwrap();
        assert_eq!(store.as_str(), "store-pw");
        assert_eq!(key.as_str(), "key-pw");
    }

    #[test]
    fn stdin_last_line_without_newline_counts() {
        assert_eq!(resolve("stdin", b"only").unwrap().as_str(), "only");
        assert_eq!(resolve("stdin", b"\n").unwrap().as_str(), "");
    }

    #[test]
    fn closed_or_exhausted_stdin_is_an_error() {
        let e = resolve("stdin", b"").unwrap_err();
        assert!(matches!(e, Error::StdinExhausted { .. }));
        let mut r = PasswordReader::new(&b"one\n"[..]);
        r.resolve(&PasswordSpec::Stdin, PasswordRole::Keystore)
            .unwrap();
        let e = r
            .resolve(&PasswordSpec::Stdin, PasswordRole::Key)
            .unwrap_err();
        assert!(
            e.to_string().starts_with("key password: no password line"),
            "{e}"
        );
    }

    #[test]
    fn stdin_terminal_is_refused() {
        let mut r = PasswordReader {
            stdin: &b"x\n"[..],
            stdin_is_terminal: true,
        };
        let e = r
            .resolve(&PasswordSpec::Stdin, PasswordRole::Keystore)
            .unwrap_err();
        assert!(matches!(e, Error::StdinIsTerminal { .. }));
    }

    #[test]
    fn stdin_overlong_line_and_bad_utf8_are_refused() {
        let long = vec![b'a'; MAX_PASSWORD_LEN + 5];
        assert!(matches!(
            resolve("stdin", &long).unwrap_err(),
            Error::PasswordTooLong { .. }
        ));
        assert!(matches!(
            resolve("stdin", b"\xff\xfe\n").unwrap_err(),
            Error::PasswordNotUtf8 { .. }
        ));
    }
}
