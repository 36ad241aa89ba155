//! DESIGN §8: "a kill at any point leaves either no output or the complete one". The real
//! `fuse sign` (APK, AAB, IPA) and `fuse build` (APK: inject, sign, self-verify) are stopped with `FUSE_TEST_PAUSE_AT=<phase>` (src/pause.rs)
//! at each phase boundary and SIGKILLed there. Then: before the rename there is no output
//! (only the killed run's `.fuse-<pid>-…` temp file); after it the output is complete and
//! verifies (fuse and apksigner / jarsigner). The next run succeeds and leaves no temp file
//! behind — it sweeps the dead run's — while the temp file of a fuse still running in the
//! same directory is left alone.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::{fuse_cmd, generated, tempdir, tool};

/// Where `fuse sign` can be stopped (src/pause.rs); the AAB writer reports no progress,
/// so it has no mid-stream `writing` point.
const APK_PHASES: &[&str] = &["temp-created", "writing", "written", "verified", "renamed"];
const AAB_PHASES: &[&str] = &["temp-created", "written", "verified", "renamed"];
/// The IPA writer has the same points as the AAB's (src/ios/pipeline.rs).
const IPA_PHASES: &[&str] = AAB_PHASES;

fn signing_flags() -> Vec<String> {
    let ks = generated("keys").join("rsa2048.p12");
    vec![
        "--ks".into(),
        ks.to_str().unwrap().into(),
        "--ks-pass".into(),
        "pass:fuse-test-pass".into(),
    ]
}

/// Starts `fuse args`, waits until it reports being paused at `phase`, SIGKILLs it.
fn kill_at(args: &[String], phase: &str, config: &Path) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fuse"))
        .args(args)
        .env("FUSE_TEST_PAUSE_AT", phase)
        .env("FUSE_CONFIG_DIR", config)
        .env("TMPDIR", config.with_file_name("tmp"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn fuse");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let want = format!("fuse: paused at {phase}");
    let mut seen = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.starts_with(&want) => break,
            Ok(line) => seen.push(line),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("fuse never paused at {phase}; stderr: {seen:?}");
            }
        }
    }
    child.kill().expect("SIGKILL fuse");
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "{phase}: not killed by SIGKILL");
}

fn temp_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(".fuse-"))
        })
        .collect()
}

/// Kills `fuse sign INPUT -o OUT` at every phase; `verify_oracle` checks a complete output.
fn kill_sign_at_every_phase(
    input: &Path,
    ext: &str,
    phases: &[&str],
    verify_oracle: &dyn Fn(&Path),
) {
    kill_at_every_phase(
        &["sign"],
        input,
        &signing_flags(),
        ext,
        phases,
        verify_oracle,
    );
}

/// Kills `fuse COMMAND INPUT -o OUT [EXTRA]` at every phase.
fn kill_at_every_phase(
    command: &[&str],
    input: &Path,
    extra: &[String],
    ext: &str,
    phases: &[&str],
    verify_oracle: &dyn Fn(&Path),
) {
    for &phase in phases {
        let t = tempdir();
        let out_dir = t.path().join("out");
        let config = t.path().join("config");
        // fuse's work trees (an unzipped IPA) go to TMPDIR; it must be clean afterwards too.
        let tmp = t.path().join("tmp");
        std::fs::create_dir_all(&out_dir).unwrap();
        std::fs::create_dir_all(&tmp).unwrap();
        let output = out_dir.join(format!("signed.{ext}"));
        let mut args: Vec<String> = command.iter().map(|&c| c.to_owned()).collect();
        args.push(input.to_str().unwrap().into());
        args.extend(extra.iter().cloned());
        args.extend(["-o".into(), output.to_str().unwrap().into()]);
        let before = std::fs::read(input).unwrap();

        kill_at(&args, phase, &config);

        if phase == "renamed" {
            assert!(output.is_file(), "{phase}: the renamed output is gone");
            fuse_cmd(["verify", output.to_str().unwrap()])
                .run()
                .success();
            verify_oracle(&output);
        } else {
            assert!(
                !output.exists(),
                "{phase}: an output exists before the rename"
            );
            assert_eq!(
                temp_files(&out_dir).len(),
                1,
                "{phase}: the killed run's temp file should be there (killed mid-write)"
            );
        }
        assert_eq!(
            std::fs::read(input).unwrap(),
            before,
            "{phase}: input changed"
        );

        // The next run completes and sweeps the dead run's temp file.
        let mut again = args.clone();
        again.push("--force".into());
        fuse_cmd(&again)
            .env("FUSE_CONFIG_DIR", &config)
            .env("TMPDIR", &tmp)
            .run()
            .success();
        verify_oracle(&output);
        assert_eq!(
            temp_files(&out_dir),
            Vec::<PathBuf>::new(),
            "{phase}: stray temp files after the next run"
        );
        assert_eq!(
            std::fs::read_dir(&tmp).unwrap().count(),
            0,
            "{phase}: the killed run's work files are still in TMPDIR after the next run"
        );
    }
}

fn apksigner_verifies(apk: &Path) {
    tool("apksigner", ["verify", apk.to_str().unwrap()]).success();
}

fn jarsigner_verifies(aab: &Path) {
    let run = tool("jarsigner", ["-verify", "-strict", aab.to_str().unwrap()]);
    assert!(run.stdout.contains("jar verified"), "{run}");
}

#[test]
fn killed_apk_sign_leaves_no_output_or_a_complete_one() {
    let input = generated("apk").join("min21-native-stored.apk");
    kill_sign_at_every_phase(&input, "apk", APK_PHASES, &apksigner_verifies);
}

#[test]
fn killed_aab_sign_leaves_no_output_or_a_complete_one() {
    let input = generated("aab").join("app.aab");
    kill_sign_at_every_phase(&input, "aab", AAB_PHASES, &jarsigner_verifies);
}

#[test]
fn killed_apk_build_leaves_no_output_or_a_complete_fused_one() {
    // `fuse build` has its own writer (src/android/output.rs): inject, sign, self-verify
    // the signatures and the fusion, rename. A complete output must verify as fused.
    let input = generated("apk").join("min21-native-stored.apk");
    let fusion_set = crate::support::good_fusion_set("production");
    let fused_and_signed = |apk: &Path| {
        apksigner_verifies(apk);
        let run = fuse_cmd(["--json", "inspect", apk.to_str().unwrap()]).run();
        run.success();
        assert!(
            run.stdout.contains("\"fused\": true") || run.stdout.contains("\"fused\":true"),
            "not fused: {run}"
        );
    };
    let mut extra = vec!["--fusion-set".into(), fusion_set.to_str().unwrap().into()];
    extra.extend(signing_flags());
    kill_at_every_phase(
        &["build"],
        &input,
        &extra,
        "apk",
        APK_PHASES,
        &fused_and_signed,
    );
}

#[test]
fn killed_ipa_sign_leaves_no_output_or_a_complete_one() {
    // Ad-hoc: the IPA writer (src/ios/pipeline.rs) fsyncs inside `written`; a complete
    // output passes `fuse verify` (every signature and seal), checked in the loop.
    let input = crate::ios_support::input("simple");
    kill_at_every_phase(&["sign"], &input, &[], "ipa", IPA_PHASES, &|_| {});
}

#[test]
fn a_running_fuse_keeps_its_temp_file_while_another_run_sweeps() {
    let input = generated("apk").join("min21-native-stored.apk");
    let t = tempdir();
    let out_dir = t.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let config = t.path().join("config");
    let mut paused: Vec<String> = vec![
        "sign".into(),
        input.to_str().unwrap().into(),
        "-o".into(),
        out_dir.join("a.apk").to_str().unwrap().into(),
    ];
    paused.extend(signing_flags());
    let mut child = Command::new(env!("CARGO_BIN_EXE_fuse"))
        .args(&paused)
        .env("FUSE_TEST_PAUSE_AT", "written")
        .env("FUSE_CONFIG_DIR", &config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("fuse: paused at written"), "{line}");
    let live = temp_files(&out_dir);
    assert_eq!(live.len(), 1);

    let mut other: Vec<String> = vec![
        "sign".into(),
        input.to_str().unwrap().into(),
        "-o".into(),
        out_dir.join("b.apk").to_str().unwrap().into(),
    ];
    other.extend(signing_flags());
    fuse_cmd(&other)
        .env("FUSE_CONFIG_DIR", &config)
        .run()
        .success();
    assert!(
        live[0].exists(),
        "the sweep removed a live process's temp file"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn the_pause_variable_does_not_change_the_output() {
    // A run that pauses and is *not* killed continues after the pause; here the pause
    // names a phase that never happens, and the output is byte-identical to a plain run.
    let input = generated("apk").join("min21-native-stored.apk");
    let t = tempdir();
    let config = t.path().join("config");
    let mut outputs = Vec::new();
    for (i, pause) in [None, Some("no-such-phase")].into_iter().enumerate() {
        let out = t.path().join(format!("o{i}.apk"));
        let mut args: Vec<String> = vec![
            "sign".into(),
            input.to_str().unwrap().into(),
            "-o".into(),
            out.to_str().unwrap().into(),
        ];
        args.extend(signing_flags());
        let mut cmd = fuse_cmd(&args)
            .env("FUSE_CONFIG_DIR", &config)
            .env("SOURCE_DATE_EPOCH", "1767225600");
        if let Some(p) = pause {
            cmd = cmd.env("FUSE_TEST_PAUSE_AT", p);
        }
        cmd.run().success();
        outputs.push(std::fs::read(&out).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
}
