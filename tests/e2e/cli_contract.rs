//! DESIGN §1: every command is present, usage errors are one line with exit 2.

use crate::support::fuse;

#[test]
fn help_lists_every_command_of_the_contract() {
    let run = fuse(["--help"]);
    run.success();
    for command in ["build", "sign", "verify", "inspect", "fusion-set", "pin"] {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(command)),
            "`{command}` missing from --help\n{run}"
        );
    }
    let run = fuse(["fusion-set", "--help"]);
    run.success();
    assert!(
        run.stdout.contains("validate") && run.stdout.contains("init"),
        "{run}"
    );
}

#[test]
fn unknown_command_is_a_one_line_usage_error() {
    let run = fuse(["frobnicate"]);
    run.code(2);
    let line = run.one_error_line();
    assert!(line.contains("frobnicate"), "{line}");
}

#[test]
fn missing_required_flag_names_it() {
    let run = fuse(["build", "app.apk"]);
    run.code(2);
    assert!(run.one_error_line().contains("--fusion-set"), "{run}");
}

#[test]
fn conflicting_key_sources_are_a_usage_error() {
    let run = fuse([
        "sign", "app.apk", "--ks", "a.p12", "--key", "k.pk8", "--cert", "c.pem",
    ]);
    run.code(2);
    run.one_error_line();
}
