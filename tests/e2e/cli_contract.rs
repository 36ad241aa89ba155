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

/// `fuse inspect … | head -1`: a reader that leaves early is not an error and never a
/// panic ("internal error"), for human text (`println!`) and for `--json` alike.
#[test]
fn a_closed_stdout_ends_quietly_with_exit_0() {
    use std::process::{Command, Stdio};
    let apk = crate::support::generated("apk").join("min21-native-stored.apk");
    let fs = crate::support::good_fusion_set("production");
    let runs: [Vec<&std::ffi::OsStr>; 3] = [
        vec!["inspect".as_ref(), apk.as_os_str()],
        vec!["--json".as_ref(), "inspect".as_ref(), apk.as_os_str()],
        vec![
            "fusion-set".as_ref(),
            "validate".as_ref(),
            "--json".as_ref(),
            fs.as_os_str(),
        ],
    ];
    for args in runs {
        // The read end is closed before fuse starts, so its first write fails with EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_fuse"))
            .args(&args)
            .env_remove("RUST_BACKTRACE")
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.is_empty(),
            "fuse {args:?} with a closed stdout: {:?}, stderr: {stderr}",
            out.status
        );
    }
}

/// `build` and `sign` open a named keystore beside the input's first parse
/// (`cli/early_key.rs`); the errors must still come in the order the steps run: the
/// input first, then the fusion set, then the key — and the password never shows.
#[test]
fn errors_keep_their_order_when_the_key_is_opened_early() {
    use std::ffi::OsStr;
    let dir = tempfile::tempdir().unwrap();
    let not_a_package = dir.path().join("broken.apk");
    std::fs::write(&not_a_package, b"PK\x03\x04 this is not a zip").unwrap();
    let apk = crate::support::generated("apk").join("min21-native-stored.apk");
    let good = crate::support::good_fusion_set("production");
    let bad = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/fusion-sets/bad/bad-base64-pin.json");
    let ks = crate::keys_keystores::fixture("rsa2048.p12");
    let out = dir.path().join("out.apk");
    let wrong = format!("pass:{}", crate::keys_keystores::CANARY);
    // `command APP [ARGS…] -o OUT --ks KS --ks-pass <wrong>`
    let with_wrong_password = |command: &str, app: &std::path::Path, args: &[&OsStr]| {
        let mut all = vec![command.as_ref(), app.as_os_str()];
        all.extend_from_slice(args);
        all.extend([
            "-o".as_ref(),
            out.as_os_str(),
            "--ks".as_ref(),
            ks.as_os_str(),
            "--ks-pass".as_ref(),
            wrong.as_ref(),
        ]);
        fuse(all)
    };
    let build = |app: &std::path::Path, fs: &std::path::Path| {
        with_wrong_password("build", app, &["--fusion-set".as_ref(), fs.as_os_str()])
    };
    for (run, code) in [
        (build(&not_a_package, &good), 3),
        (build(&apk, &bad), 4),
        (build(&apk, &good), 5),
    ] {
        run.code(code);
        let line = run.one_error_line();
        assert!(!line.contains(crate::keys_keystores::CANARY), "{line}");
        assert!(!out.exists(), "{run}");
    }
    let run = with_wrong_password("sign", &not_a_package, &[]);
    run.code(3);
    assert!(!out.exists(), "{run}");
}
