//! The per-user debug key: made on first use (mode 0600, atomically even under
//! concurrent first uses), reused afterwards, and a keystore/certificate that keytool
//! and openssl read like Android's own debug keystore.

use std::path::Path;

use fuse::keys::{self, KeyAlgorithm, KeyOrigin, SigningIdentity};

use crate::support::{self, tool};

fn keytool_printcert(cert: &Path) -> String {
    let run = tool(
        "keytool",
        ["-printcert".as_ref(), "-file".as_ref(), cert.as_os_str()],
    );
    run.success();
    run.stdout
}

fn checkend(cert: &Path, seconds: u64) -> bool {
    let run = tool(
        "openssl",
        [
            "x509".as_ref(),
            "-inform".as_ref(),
            "DER".as_ref(),
            "-in".as_ref(),
            cert.as_os_str(),
            "-noout".as_ref(),
            "-checkend".as_ref(),
            seconds.to_string().as_ref(),
        ],
    );
    // 0: will not expire within `seconds`; 1: will.
    run.code == 0
}

#[test]
fn created_once_then_reused_and_readable_by_keytool_and_openssl() {
    let dir = support::tempdir();
    let path = dir
        .path()
        .join("config")
        .join("fuse")
        .join(keys::DEBUG_KEY_FILE);
    let first = keys::load_debug_key_at(&path).unwrap();
    assert_eq!(first.algorithm(), KeyAlgorithm::Rsa { bits: 2048 });
    assert_eq!(first.origin(), &KeyOrigin::DebugKey { path: path.clone() });
    assert_eq!(
        first.origin().warning().unwrap(),
        format!(
            "no signing key given — using the debug key {}; do not publish this build",
            path.display()
        )
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
        let dir_mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700, "{dir_mode:o}");
    }

    let bytes = std::fs::read(&path).unwrap();
    let second = keys::load_debug_key_at(&path).unwrap();
    assert_eq!(second.certificate_der(), first.certificate_der());
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "reused, not rewritten"
    );
    assert_eq!(
        second.sign(keys::HashAlgorithm::Sha256, b"m").unwrap(),
        first.sign(keys::HashAlgorithm::Sha256, b"m").unwrap()
    );
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [keys::DEBUG_KEY_FILE]);

    // keytool reads the keystore with Android's debug alias and password…
    let run = tool(
        "keytool",
        [
            "-list".as_ref(),
            "-keystore".as_ref(),
            path.as_os_str(),
            "-storepass".as_ref(),
            keys::DEBUG_KEY_PASSWORD.as_ref(),
        ],
    );
    run.success();
    assert!(run.stdout.contains(keys::DEBUG_KEY_ALIAS), "{run}");
    assert!(run.stdout.contains("PrivateKeyEntry"), "{run}");

    // …and the certificate, named like Android's debug certificate.
    let cert = dir.path().join("debug.der");
    std::fs::write(&cert, first.certificate_der()).unwrap();
    let printed = keytool_printcert(&cert);
    assert!(
        printed.contains("Owner: CN=Android Debug, O=Android, C=US"),
        "{printed}"
    );
    assert!(
        printed.contains("Issuer: CN=Android Debug, O=Android, C=US"),
        "{printed}"
    );
    let run = tool(
        "openssl",
        [
            "x509".as_ref(),
            "-inform".as_ref(),
            "DER".as_ref(),
            "-in".as_ref(),
            cert.as_os_str(),
            "-noout".as_ref(),
            "-text".as_ref(),
        ],
    );
    run.success();
    assert!(run.stdout.contains("sha256WithRSAEncryption"), "{run}");
    assert!(run.stdout.contains("Public-Key: (2048 bit)"), "{run}");
    // Valid for 30 years: not expiring within 29.9 years, expired after 30.1.
    let year = 365 * 24 * 3600 + 6 * 3600;
    assert!(checkend(&cert, year * 299 / 10));
    assert!(!checkend(&cert, year * 301 / 10));
    // Self-signed: openssl verifies it against itself.
    let pem = dir.path().join("debug.pem");
    tool(
        "openssl",
        [
            "x509".as_ref(),
            "-inform".as_ref(),
            "DER".as_ref(),
            "-in".as_ref(),
            cert.as_os_str(),
            "-out".as_ref(),
            pem.as_os_str(),
        ],
    )
    .success();
    let run = tool(
        "openssl",
        [
            "verify".as_ref(),
            "-CAfile".as_ref(),
            pem.as_os_str(),
            pem.as_os_str(),
        ],
    );
    assert!(run.stdout.contains(": OK"), "{run}");
}

#[test]
fn concurrent_first_uses_agree_on_one_key() {
    let dir = support::tempdir();
    let path = dir.path().join(keys::DEBUG_KEY_FILE);
    let ids: Vec<SigningIdentity> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| keys::load_debug_key_at(&path).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for id in &ids[1..] {
        assert_eq!(id.certificate_der(), ids[0].certificate_der());
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [keys::DEBUG_KEY_FILE], "no temporary files left");
}

#[test]
fn debug_source_uses_the_config_dir() {
    // `KeySource::Debug` resolves the directory from the environment; the lookup order
    // is checked on `config_dir_from` (tests cannot set variables in a threaded process).
    fn env<'a>(
        pairs: &'a [(&'a str, &'a str)],
    ) -> impl Fn(&str) -> Option<std::ffi::OsString> + 'a {
        move |var: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == var)
                .map(|(_, v)| std::ffi::OsString::from(v))
        }
    }
    let all = [
        ("FUSE_CONFIG_DIR", "/tmp/fuse-cfg"),
        ("XDG_CONFIG_HOME", "/home/u/.xdg"),
        ("HOME", "/home/u"),
    ];
    assert_eq!(
        keys::config_dir_from(env(&all)).unwrap(),
        Path::new("/tmp/fuse-cfg")
    );
    assert_eq!(
        keys::config_dir_from(env(&all[1..])).unwrap(),
        Path::new("/home/u/.xdg/fuse")
    );
    assert_eq!(
        keys::config_dir_from(env(&[("XDG_CONFIG_HOME", "relative"), ("HOME", "/home/u")]))
            .unwrap(),
        Path::new("/home/u/.config/fuse")
    );
    assert_eq!(
        keys::config_dir_from(env(&[("FUSE_CONFIG_DIR", ""), ("HOME", "/home/u")])).unwrap(),
        Path::new("/home/u/.config/fuse")
    );
    assert!(matches!(
        keys::config_dir_from(env(&[])).unwrap_err(),
        keys::Error::NoConfigDir
    ));
}
