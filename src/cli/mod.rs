//! The command-line edge: parse arguments, run the library, render results, map errors.
//!
//! `anyhow` is allowed here and in `main.rs` only; library code returns typed errors.

mod aab_commands;
mod android;
mod apk_commands;
pub mod args;
mod certified;
mod early_key;
mod fusion_set;
mod inspect_lines;
mod ios;
mod output;
mod pin;
mod progress;

use std::process::ExitCode;

use clap::Parser;

use crate::error::{Error, ExitStatus};
use crate::format::PackageKind;
pub use args::Cli;
use args::{Command, FusionSetCommand};
use early_key::EarlyKey;
pub use output::Output;

/// Parse `std::env::args`, run the command, print one error line on failure.
pub fn main() -> ExitCode {
    install_panic_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let out = Output::new(&cli.global);
    match run(&cli, &out) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`fuse inspect … | head -1`): like ripgrep, stop quietly.
        // Any package or report was already complete before the first line was printed.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let status = exit_status_of(&err);
            // `{err}`, not `{err:#}`: every error's Display is already the whole line
            // (its cause included), so printing the chain would repeat the cause.
            out.error(&one_line(&format!("{err}")));
            ExitCode::from(status.code())
        }
    }
}

/// Dispatch one parsed command.
pub fn run(cli: &Cli, out: &Output) -> anyhow::Result<()> {
    match &cli.command {
        Command::Build(args) => {
            match EarlyKey::open_beside(&args.signing, || crate::format::detect(&args.app))? {
                ((archive, PackageKind::Aab), key) => aab_commands::build(&archive, args, key, out),
                ((archive, PackageKind::Ipa), _) => ios::build(&archive, args, out),
                ((archive, _), key) => android::build(archive, args, key, out),
            }
        }
        Command::Sign(args) => {
            match EarlyKey::open_beside(&args.signing, || crate::format::detect(&args.app))? {
                ((archive, PackageKind::Aab), key) => aab_commands::sign(&archive, args, key, out),
                ((_, PackageKind::Ipa), _) => ios::sign(args, out),
                ((archive, _), key) => apk_commands::sign(archive, args, key, out),
            }
        }
        Command::Verify(args) => match crate::format::detect(&args.app)? {
            (archive, PackageKind::Aab) => aab_commands::verify(&archive, args, out),
            (archive, PackageKind::Ipa) => ios::verify(&archive, args, out),
            (archive, _) => apk_commands::verify(archive, args, out),
        },
        Command::Inspect(args) => match crate::format::detect(&args.app)? {
            (archive, PackageKind::Aab) => aab_commands::inspect(&archive, out),
            (archive, PackageKind::Ipa) => ios::inspect(&archive, out),
            (archive, _) => android::inspect(archive, out),
        },
        Command::FusionSet(FusionSetCommand::Validate(args)) => fusion_set::validate(args, out),
        Command::FusionSet(FusionSetCommand::Init(args)) => fusion_set::init(args, out),
        Command::Pin(args) => pin::run(args, out),
    }
}

/// The exit status of any error that reached the edge: typed library errors carry
/// their own; anything else is a plain failure.
fn exit_status_of(err: &anyhow::Error) -> ExitStatus {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<Error>())
        .map_or(ExitStatus::Failure, Error::exit_status)
}

/// clap's errors are multi-line; the contract is one line and exit 2. Help and
/// version requests are not errors.
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // Printing help can only fail on a closed stdout; nothing useful to add then.
            let _ = e.print();
            ExitCode::SUCCESS
        }
        _ => {
            // clap's first paragraph names the problem (it may span lines, e.g. the
            // list of missing arguments); the usage block after it is left to --help.
            let rendered = e.render().to_string();
            let paragraph: Vec<&str> = rendered
                .trim_start()
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let what = one_line(&paragraph.join(" "));
            let what = what.trim_start_matches("error: ");
            eprintln!("error: {what} — run 'fuse --help' for usage");
            ExitCode::from(ExitStatus::Usage.code())
        }
    }
}

/// Collapse a message to one line: the contract promises exactly one line per failure.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `println!` panics when stdout is a closed pipe; that is the reader leaving, not a bug.
fn is_stdout_broken_pipe_panic(info: &std::panic::PanicHookInfo<'_>) -> bool {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    message.starts_with("failed printing to stdout") && message.contains("Broken pipe")
}

/// A panic is a bug, but the user still gets one line and exit 1, never a backtrace dump
/// mixed into CI logs (set RUST_BACKTRACE=1 to see where).
fn install_panic_hook() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if is_stdout_broken_pipe_panic(info) {
            std::process::exit(0);
        }
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            default_hook(info);
        }
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("error: internal error{location} — this is a bug in fuse, please report it");
        std::process::exit(i32::from(ExitStatus::Failure.code()));
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn one_line_collapses_newlines() {
        assert_eq!(one_line("a\n  b\tc "), "a b c");
    }
}
