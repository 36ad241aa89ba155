//! Where output goes: results on stdout (human or one JSON object), progress, warnings
//! and errors on stderr.

use std::io::{IsTerminal, Write};

use super::args::GlobalArgs;

#[derive(Debug, Clone)]
pub struct Output {
    pub json: bool,
    pub quiet: bool,
    /// Progress bars only when a person is watching.
    pub progress: bool,
}

impl Output {
    pub fn new(global: &GlobalArgs) -> Self {
        Self {
            json: global.json,
            quiet: global.quiet,
            progress: !global.quiet && std::io::stderr().is_terminal(),
        }
    }

    /// One warning line on stderr (never suppressed by --quiet: warnings matter in CI).
    pub fn warn(&self, message: &str) {
        let _ = writeln!(std::io::stderr(), "warning: {message}");
    }

    /// The single failure line.
    pub fn error(&self, message: &str) {
        let _ = writeln!(std::io::stderr(), "error: {message}");
    }

    /// Informational line on stderr, silenced by --quiet.
    pub fn info(&self, message: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr(), "{message}");
        }
    }

    /// The machine-readable result: exactly one JSON object on stdout.
    pub fn json_result(&self, value: &serde_json::Value) -> std::io::Result<()> {
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, value)?;
        writeln!(stdout)
    }
}
