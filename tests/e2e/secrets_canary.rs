//! DESIGN §1: passwords never appear in output, logs, errors or the package. A canary
//! password goes through each spec form (`pass:`, `env:`, `file:`, `stdin`) into the real
//! `fuse sign` (and `fuse build`), on success and on every failure path (wrong store password, wrong alias,
//! corrupt keystore, wrong key password, wrong password of an encrypted key file), with
//! and without `--json`; it must not show up in stdout, stderr, the output package, or
//! any file the run leaves behind (output directory, config directory) — as text, as
//! UTF-16 (Java/PKCS#12 password encoding) or as hex.

use std::path::{Path, PathBuf};

use crate::support::{fuse_cmd, generated, tempdir, tool};

/// The secret. Distinctive enough that no hash or signature contains it by chance.
const CANARY: &str = "Canary-Pw-9f3b2c7e";
/// The password the keystores (and the encrypted key) really have in the wrong-password cases.
const OTHER: &str = "other-store-pass";

/// The forms in which a leaked canary could be written.
fn needles() -> Vec<(String, Vec<u8>)> {
    let utf16le: Vec<u8> = CANARY.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf16be: Vec<u8> = CANARY.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let hex: String = CANARY.bytes().map(|b| format!("{b:02x}")).collect();
    vec![
        ("text".into(), CANARY.as_bytes().to_vec()),
        ("lowercase text".into(), CANARY.to_lowercase().into_bytes()),
        ("UTF-16LE".into(), utf16le),
        ("UTF-16BE".into(), utf16be),
        ("hex".into(), hex.into_bytes()),
    ]
}

fn leaks(haystack: &[u8]) -> Option<String> {
    let lower = haystack.to_ascii_lowercase();
    needles().into_iter().find_map(|(form, n)| {
        let h = if form == "lowercase text" {
            &lower
        } else {
            haystack
        };
        h.windows(n.len())
            .any(|w| w == n.as_slice())
            .then_some(form)
    })
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

struct Keys {
    dir: tempfile::TempDir,
}

impl Keys {
    /// Keystores whose password is the canary, and the same with another password,
    /// made with openssl and keytool; an encrypted PKCS#8 key.
    fn make() -> Self {
        let dir = tempdir();
        let p = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
        let ok = |r: crate::support::Run| {
            r.success();
        };
        ok(tool(
            "openssl",
            [
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &p("key.pem"),
                "-out",
                &p("cert.pem"),
                "-subj",
                "/CN=fuse canary test",
                "-days",
                "30",
            ],
        ));
        for (name, pass) in [("canary.p12", CANARY), ("other.p12", OTHER)] {
            ok(tool(
                "openssl",
                [
                    "pkcs12",
                    "-export",
                    "-inkey",
                    &p("key.pem"),
                    "-in",
                    &p("cert.pem"),
                    "-name",
                    "signer",
                    "-passout",
                    &format!("pass:{pass}"),
                    "-out",
                    &p(name),
                ],
            ));
        }
        // JKS whose key password differs from the store password (and from the canary).
        ok(tool(
            "keytool",
            [
                "-importkeystore",
                "-noprompt",
                "-srckeystore",
                &p("other.p12"),
                "-srcstoretype",
                "PKCS12",
                "-srcstorepass",
                OTHER,
                "-destkeystore",
                &p("keypass.jks"),
                "-deststoretype",
                "JKS",
                "-deststorepass",
                OTHER,
                "-destkeypass",
                "other-key-pass",
            ],
        ));
        ok(tool(
            "openssl",
            [
                "pkcs8",
                "-topk8",
                "-v2",
                "aes-256-cbc",
                "-in",
                &p("key.pem"),
                "-passout",
                &format!("pass:{OTHER}"),
                "-out",
                &p("key-encrypted.pem"),
            ],
        ));
        let p12 = std::fs::read(dir.path().join("canary.p12")).unwrap();
        std::fs::write(dir.path().join("corrupt.p12"), &p12[..p12.len() / 2]).unwrap();
        std::fs::write(dir.path().join("password.txt"), format!("{CANARY}\n")).unwrap();
        Self { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_owned()
    }
}

/// A password flag value of `form` that yields the canary, plus what the run needs for
/// it (an environment variable or standard input).
fn spec(keys: &Keys, form: &str) -> (String, Option<(&'static str, String)>, Option<String>) {
    match form {
        "pass" => (format!("pass:{CANARY}"), None, None),
        "env" => (
            "env:FUSE_CANARY_PASSWORD".into(),
            Some(("FUSE_CANARY_PASSWORD", CANARY.into())),
            None,
        ),
        "file" => (format!("file:{}", keys.path("password.txt")), None, None),
        "stdin" => ("stdin".into(), None, Some(format!("{CANARY}\n"))),
        _ => unreachable!(),
    }
}

/// The scenarios also run through `fuse build`.
const BUILD_SCENARIOS: &[&str] = &[
    "success",
    "wrong store password",
    "wrong alias",
    "corrupt keystore",
];

#[test]
fn canary_password_never_leaks_through_any_spec_or_failure() {
    let keys = Keys::make();
    let apk = generated("apk").join("min19-app-providers.apk");
    let apk = apk.to_str().unwrap();
    let fusion_set = crate::support::good_fusion_set("production")
        .to_str()
        .unwrap()
        .to_owned();
    let mut checked = 0;
    for form in ["pass", "env", "file", "stdin"] {
        let (s, env, stdin) = spec(&keys, form);
        // (scenario, signing flags, expected exit code)
        let scenarios: Vec<(&str, Vec<String>, i32)> = vec![
            (
                "success",
                vec![
                    "--ks".into(),
                    keys.path("canary.p12"),
                    "--ks-pass".into(),
                    s.clone(),
                ],
                0,
            ),
            (
                "wrong store password",
                vec![
                    "--ks".into(),
                    keys.path("other.p12"),
                    "--ks-pass".into(),
                    s.clone(),
                ],
                5,
            ),
            (
                "wrong alias",
                vec![
                    "--ks".into(),
                    keys.path("canary.p12"),
                    "--ks-pass".into(),
                    s.clone(),
                    "--ks-key-alias".into(),
                    "no-such-alias".into(),
                ],
                5,
            ),
            (
                "corrupt keystore",
                vec![
                    "--ks".into(),
                    keys.path("corrupt.p12"),
                    "--ks-pass".into(),
                    s.clone(),
                ],
                5,
            ),
            (
                "wrong key password",
                vec![
                    "--ks".into(),
                    keys.path("keypass.jks"),
                    "--ks-pass".into(),
                    format!("pass:{OTHER}"),
                    "--key-pass".into(),
                    s.clone(),
                ],
                5,
            ),
            (
                "wrong password of an encrypted key file",
                vec![
                    "--key".into(),
                    keys.path("key-encrypted.pem"),
                    "--cert".into(),
                    keys.path("cert.pem"),
                    "--key-pass".into(),
                    s.clone(),
                ],
                5,
            ),
        ];
        for (scenario, flags, expected) in scenarios {
            // `fuse build` loads the key through the same code; it is checked on the
            // issue's paths (success, wrong password, wrong alias, corrupt keystore).
            let commands: &[&str] = if BUILD_SCENARIOS.contains(&scenario) {
                &["sign", "build"]
            } else {
                &["sign"]
            };
            for (&command, json) in commands.iter().flat_map(|c| [(c, false), (c, true)]) {
                let t = tempdir();
                let out = t.path().join("out");
                let config = t.path().join("config");
                std::fs::create_dir_all(&out).unwrap();
                let output = out.join("signed.apk");
                let mut args: Vec<String> = Vec::new();
                if json {
                    args.push("--json".into());
                }
                args.extend([command.into(), apk.into()]);
                if command == "build" {
                    args.extend(["--fusion-set".into(), fusion_set.clone()]);
                }
                args.extend(["-o".into(), output.to_str().unwrap().into()]);
                args.extend(flags.iter().cloned());
                let mut cmd = fuse_cmd(&args)
                    .env("FUSE_CONFIG_DIR", &config)
                    .env("RUST_BACKTRACE", "1");
                if let Some((k, v)) = &env {
                    cmd = cmd.env(k, v);
                }
                if let Some(input) = &stdin {
                    cmd = cmd.stdin(input.clone());
                }
                let run = cmd.run();
                let what = format!("{command}: {form} / {scenario} / json={json}");
                assert_eq!(run.code, expected, "{what}\n{run}");
                if expected != 0 {
                    run.one_error_line();
                    assert!(!output.exists(), "{what}: output left behind");
                } else {
                    assert!(output.is_file(), "{what}: no output");
                }
                if let Some(form) = leaks(run.stdout.as_bytes()) {
                    panic!("{what}: the canary ({form}) is on stdout\n{run}");
                }
                if let Some(form) = leaks(run.stderr.as_bytes()) {
                    panic!("{what}: the canary ({form}) is on stderr\n{run}");
                }
                for f in files(t.path()) {
                    if let Some(form) = leaks(&std::fs::read(&f).unwrap()) {
                        panic!("{what}: the canary ({form}) is in {}", f.display());
                    }
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 4 * (6 + BUILD_SCENARIOS.len()) * 2);
}

#[test]
fn the_needles_find_a_planted_canary() {
    // The check above must be able to fail: each encoding of the canary is found.
    for (form, needle) in needles() {
        let mut hay = b"prefix ".to_vec();
        hay.extend_from_slice(&needle);
        assert!(leaks(&hay).is_some(), "{form}");
    }
    assert!(leaks(b"nothing to see").is_none());
}

#[test]
fn key_material_wipes_itself() {
    // What src/keys holds secrets in: the decoded keys (rsa / p256 zeroize on drop) and
    // the PKCS#8 bytes and passwords (`Zeroizing`). A type that stopped wiping itself
    // would no longer compile here.
    fn zeroized_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    zeroized_on_drop::<rsa::PrivateKey>();
    zeroized_on_drop::<p256::ecdsa::SigningKey>();
    zeroized_on_drop::<zeroize::Zeroizing<Vec<u8>>>();
    zeroized_on_drop::<zeroize::Zeroizing<String>>();
}

#[test]
fn canary_p12_password_never_leaks_from_ipa_signing() {
    // iOS takes its identity as `--p12`/`--p12-pass` (same loader, its own flags and
    // error paths through apple-codesign).
    let keys = Keys::make();
    let ipa = crate::ios_support::input("full");
    let ipa = ipa.to_str().unwrap();
    let mut checked = 0;
    for form in ["pass", "env", "file", "stdin"] {
        let (s, env, stdin) = spec(&keys, form);
        for (scenario, p12, expected) in [
            ("success", "canary.p12", 0),
            ("wrong password", "other.p12", 5),
            ("corrupt keystore", "corrupt.p12", 5),
        ] {
            for json in [false, true] {
                let t = tempdir();
                let output = t.path().join("out").join("signed.ipa");
                std::fs::create_dir_all(output.parent().unwrap()).unwrap();
                let mut args: Vec<String> = Vec::new();
                if json {
                    args.push("--json".into());
                }
                args.extend([
                    "sign".into(),
                    ipa.into(),
                    "-o".into(),
                    output.to_str().unwrap().into(),
                    "--p12".into(),
                    keys.path(p12),
                    "--p12-pass".into(),
                    s.clone(),
                ]);
                let mut cmd = fuse_cmd(&args)
                    .env("FUSE_CONFIG_DIR", t.path().join("config"))
                    .env("RUST_BACKTRACE", "1");
                if let Some((k, v)) = &env {
                    cmd = cmd.env(k, v);
                }
                if let Some(input) = &stdin {
                    cmd = cmd.stdin(input.clone());
                }
                let run = cmd.run();
                let what = format!("ipa sign: {form} / {scenario} / json={json}");
                assert_eq!(run.code, expected, "{what}\n{run}");
                assert_eq!(output.is_file(), expected == 0, "{what}: output");
                for (name, bytes) in [
                    ("stdout", run.stdout.as_bytes()),
                    ("stderr", run.stderr.as_bytes()),
                ] {
                    if let Some(found) = leaks(bytes) {
                        panic!("{what}: the canary ({found}) is on {name}\n{run}");
                    }
                }
                for f in files(t.path()) {
                    if let Some(found) = leaks(&std::fs::read(&f).unwrap()) {
                        panic!("{what}: the canary ({found}) is in {}", f.display());
                    }
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 4 * 3 * 2);
}
