//! iOS signing identities and provisioning profiles: PKCS#12 files exported by OpenSSL
//! (default AES and `-legacy`), RSA and EC keys, wrong passwords (exit 5, never echoed),
//! profile checks (team, certificate, bundle id, expiry), and reproducible output.

use crate::ios_support::fixtures;
use crate::support::{self, fuse, fuse_cmd};

const PASS: &str = "fuse-test-pass";

fn sign_args(input: &str, output: &str, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ["sign", input, "-o", output]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    v.extend(extra.iter().map(|s| (*s).to_owned()));
    v
}

#[test]
fn p12_identities_from_openssl_sign_and_verify() {
    let dir = support::tempdir();
    let keys = fixtures().join("keys");
    let input = crate::ios_support::input("full-adhoc");
    for p12 in ["rsa.p12", "rsa-legacy.p12", "ec.p12"] {
        let out = dir.path().join(format!("{p12}.ipa"));
        let key = keys.join(p12);
        let run = fuse(sign_args(
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            &[
                "--p12",
                key.to_str().unwrap(),
                "--p12-pass",
                &format!("pass:{PASS}"),
            ],
        ));
        run.success();
        assert!(
            !run.stderr.contains("ad-hoc"),
            "{p12}: no ad-hoc warning with a key\n{run}"
        );
        let run = fuse(["verify", out.to_str().unwrap()]);
        run.success();
        assert!(
            run.stdout
                .contains("Apple Distribution: Fuse Tests (FUSETEST42) (team FUSETEST42)"),
            "{p12}\n{run}"
        );
        let facts = fuse::ios::inspect(&out).unwrap();
        assert_eq!(facts.signature.kind, "certificate");
        assert!(
            facts.nested.iter().all(|n| n.signature == "certificate"),
            "{facts:?}"
        );
        // Entitlements kept per binary: the extension's own set is still there.
        let ents = facts.signature.entitlements.clone().unwrap();
        assert!(ents.contains("FUSETEST42.com.example.fuse.app"), "{ents}");
    }
}

#[test]
fn wrong_password_exits_5_without_echoing_it() {
    let dir = support::tempdir();
    let out = dir.path().join("o.ipa");
    let key = fixtures().join("keys/rsa.p12");
    let secret = "Wr0ng-Secret-Canary";
    let run = fuse(sign_args(
        fixtures().join("simple.ipa").to_str().unwrap(),
        out.to_str().unwrap(),
        &[
            "--p12",
            key.to_str().unwrap(),
            "--p12-pass",
            &format!("pass:{secret}"),
        ],
    ));
    run.code(5);
    let line = run.one_error_line();
    assert!(line.contains("password"), "{line}");
    assert!(!run.stderr.contains(secret) && !run.stdout.contains(secret));
    assert!(!out.exists());
    // env: and file: specs work; a missing variable is exit 5 as well.
    let run = fuse_cmd(sign_args(
        fixtures().join("simple.ipa").to_str().unwrap(),
        out.to_str().unwrap(),
        &[
            "--p12",
            key.to_str().unwrap(),
            "--p12-pass",
            "env:FUSE_TEST_P12_PASS",
        ],
    ))
    .env("FUSE_TEST_P12_PASS", PASS)
    .run();
    run.success();
    let run = fuse(sign_args(
        fixtures().join("simple.ipa").to_str().unwrap(),
        dir.path().join("p.ipa").to_str().unwrap(),
        &[
            "--p12",
            key.to_str().unwrap(),
            "--p12-pass",
            "env:FUSE_TEST_UNSET_VARIABLE",
        ],
    ));
    run.code(5);
}

#[test]
fn provisioning_profiles_are_checked_and_embedded() {
    let dir = support::tempdir();
    let keys = fixtures().join("keys");
    let profiles = fixtures().join("profiles");
    let input = fixtures().join("full.ipa");
    let rsa = keys.join("rsa.p12");
    let pass = format!("pass:{PASS}");
    for (index, (profile, p12, expect)) in [
        ("wildcard", &rsa, None),
        ("exact", &rsa, None),
        ("wrong-bundle", &rsa, Some("does not cover bundle id")),
        ("wrong-team", &rsa, Some("team")),
        ("expired", &rsa, Some("expired")),
        ("other-cert", &rsa, Some("DeveloperCertificates")),
        ("wildcard", &keys.join("other.p12"), Some("team")),
    ]
    .into_iter()
    .enumerate()
    {
        let out = dir.path().join(format!("{index}-{profile}.ipa"));
        let prof = profiles.join(format!("{profile}.mobileprovision"));
        let run = fuse(sign_args(
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            &[
                "--p12",
                p12.to_str().unwrap(),
                "--p12-pass",
                &pass,
                "--provisioning-profile",
                prof.to_str().unwrap(),
            ],
        ));
        match expect {
            None => {
                run.success();
                let embedded = crate::ios_support::entries(&out)
                    .remove("Payload/Full.app/embedded.mobileprovision")
                    .unwrap();
                assert_eq!(embedded, std::fs::read(&prof).unwrap());
                let facts = fuse::ios::inspect(&out).unwrap();
                let p = facts.profile.unwrap();
                assert_eq!(p.team_ids, ["FUSETEST42"]);
                assert_eq!(p.name, format!("Fuse {profile}"));
                fuse(["verify", out.to_str().unwrap()]).success();
            }
            Some(word) => {
                run.code(5);
                let line = run.one_error_line();
                assert!(line.contains(word), "{profile}: {line}");
                assert!(!out.exists());
            }
        }
    }
    // A profile without an identity is refused too.
    let out = dir.path().join("adhoc.ipa");
    let prof = profiles.join("wildcard.mobileprovision");
    let run = fuse(sign_args(
        input.to_str().unwrap(),
        out.to_str().unwrap(),
        &["--provisioning-profile", prof.to_str().unwrap()],
    ));
    run.code(5);
    assert!(run.one_error_line().contains("--p12"));
}

#[test]
fn entitlements_flag_replaces_the_main_executables_only() {
    let dir = support::tempdir();
    let ents = dir.path().join("ents.plist");
    std::fs::write(
        &ents,
        r#"<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict><key>com.example.custom</key><true/></dict></plist>"#,
    )
    .unwrap();
    let out = dir.path().join("o.ipa");
    fuse(sign_args(
        crate::ios_support::input("full-adhoc").to_str().unwrap(),
        out.to_str().unwrap(),
        &["--entitlements", ents.to_str().unwrap()],
    ))
    .success();
    let facts = fuse::ios::inspect(&out).unwrap();
    let main = facts.signature.entitlements.unwrap();
    assert!(
        main.contains("com.example.custom") && !main.contains("keychain-access-groups"),
        "{main}"
    );
    // The extension keeps its own entitlements.
    let data = crate::ios_support::entries(&out)
        .remove("Payload/Full.app/PlugIns/Share.appex/Share")
        .unwrap();
    let ext = fuse::ios::seal::signature_facts(&data, "Share").unwrap();
    assert!(
        ext[0]
            .entitlements
            .as_deref()
            .unwrap()
            .contains("group.com.example.fuse")
    );
}

#[test]
fn adhoc_and_rsa_outputs_are_reproducible_with_source_date_epoch() {
    let dir = support::tempdir();
    let key = fixtures().join("keys/rsa.p12");
    for (label, extra) in [
        ("adhoc", vec![]),
        (
            "rsa",
            vec![
                "--p12".to_owned(),
                key.to_string_lossy().into_owned(),
                "--p12-pass".to_owned(),
                format!("pass:{PASS}"),
            ],
        ),
    ] {
        let mut outputs = Vec::new();
        for round in 0..2 {
            let out = dir.path().join(format!("{label}-{round}.ipa"));
            let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
            fuse_cmd(sign_args(
                fixtures().join("full.ipa").to_str().unwrap(),
                out.to_str().unwrap(),
                &extra,
            ))
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .run()
            .success();
            outputs.push(std::fs::read(&out).unwrap());
        }
        assert!(
            outputs[0] == outputs[1],
            "{label}: outputs differ between runs"
        );
    }
}
