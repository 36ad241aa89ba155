//! The progress bar `fuse sign` and `fuse build` draw on stderr for big inputs.

use std::path::Path;

use super::output::Output;
use crate::apk::Progress;

/// Inputs below this size finish before a bar would be worth drawing.
const BAR_MIN_BYTES: u64 = 32 << 20;

/// An indicatif bar on stderr, present only when progress is wanted and the input is big.
pub struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    /// `verb` labels the bar (`signing`, `fusing`).
    pub fn new(out: &Output, input: &Path, verb: &str) -> Self {
        let big = std::fs::metadata(input).is_ok_and(|m| m.len() >= BAR_MIN_BYTES);
        if !out.progress || !big {
            return Self(None);
        }
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{verb} {{bar:40}} {{bytes}}/{{total_bytes}} {{eta}}"
            ))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Self(Some(bar))
    }

    pub fn done(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        if let Some(b) = &self.0 {
            b.set_length(total);
        }
    }
    fn advance(&self, n: u64) {
        if let Some(b) = &self.0 {
            b.inc(n);
        }
    }
}
