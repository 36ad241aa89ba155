//! `fuse fusion-set validate|init`: rendering of the fusion-set module's results.
//!
//! validate, human: `ok: <id> "<name>" (<stage>, N domains, M pins)` on stdout, one
//! `warning: <path>: <message>` line per warning on stderr. An invalid set is the one
//! `error:` line of the contract, listing the problems (see `fusion_set::Error`);
//! `--json` prints the result object on stdout in both cases, with every problem.

use serde_json::json;

use super::Output;
use super::args::{FusionSetInitArgs, FusionSetValidateArgs, StageArg};
use crate::error::Error;
use crate::fusion_set::{self, FusionSet, Stage};

pub fn validate(args: &FusionSetValidateArgs, out: &Output) -> anyhow::Result<()> {
    let file = args.file.display().to_string();
    match fusion_set::load(&args.file) {
        Ok(set) => {
            if out.json {
                out.json_result(&valid_json(&file, &set))?;
            } else {
                println!("{}", summary(&set));
            }
            for w in set.warnings() {
                out.warn(&w.to_string());
            }
            Ok(())
        }
        Err(e) => {
            if out.json {
                out.json_result(&json!({
                    "file": file,
                    "valid": false,
                    "problems": e.problems(),
                    "warnings": e.warnings(),
                    "error": e.to_string(),
                }))?;
            }
            Err(Error::from(e).into())
        }
    }
}

/// `ok: <id> "<name>" (<stage>, N domains, M pins)`.
fn summary(set: &FusionSet) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    format!(
        "ok: {} \"{}\" ({}, {}, {})",
        set.id(),
        set.name(),
        set.stage(),
        plural(set.domains().len(), "domain"),
        plural(set.pin_count(), "pin"),
    )
}

fn valid_json(file: &str, set: &FusionSet) -> serde_json::Value {
    let sha256: String = set.sha256().iter().map(|b| format!("{b:02x}")).collect();
    json!({
        "file": file,
        "valid": true,
        "sha256": sha256,
        "fusionSetId": set.id(),
        "name": set.name(),
        "stage": set.stage(),
        "domainCount": set.domains().len(),
        "pinCount": set.pin_count(),
        "fusionSet": set,
        "problems": [],
        "warnings": set.warnings(),
    })
}

pub fn init(args: &FusionSetInitArgs, out: &Output) -> anyhow::Result<()> {
    let stage = match args.stage {
        StageArg::Development => Stage::Development,
        StageArg::Staging => Stage::Staging,
        StageArg::Production => Stage::Production,
    };
    let now = fusion_set::now_unix().map_err(Error::from)?;
    let text = fusion_set::starter(stage, now);
    let Some(path) = &args.output else {
        // The starter is itself the JSON result.
        print!("{text}");
        return Ok(());
    };
    fusion_set::write_starter(path, &text, args.force).map_err(Error::from)?;
    if out.json {
        out.json_result(&json!({ "written": path.display().to_string(), "stage": stage }))?;
    } else {
        out.info(&format!(
            "wrote {} ({stage} starter) — replace the PLACEHOLDER pins with `fuse pin` output, then run `fuse fusion-set validate {}`",
            path.display(),
            path.display()
        ));
    }
    Ok(())
}
