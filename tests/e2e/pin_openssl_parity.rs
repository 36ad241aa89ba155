//! `fuse pin` against OpenSSL: the pin of every certificate equals
//! `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`,
//! for files (PEM, DER, bundles) and for the chain a loopback `openssl s_server` presents.

use std::fs;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Run, fuse, generated, require_tool, tempdir, tool};

/// The oracle: OpenSSL's SPKI SHA-256 of a PEM certificate, as `sha256/<base64>`.
fn openssl_pin(cert_pem: &Path) -> String {
    require_tool("openssl");
    let script = "openssl x509 -in \"$1\" -pubkey -noout | openssl pkey -pubin -outform der \
                  | openssl dgst -sha256 -binary | base64";
    let out = Command::new("bash")
        .args(["-o", "pipefail", "-c", script, "pin"])
        .arg(cert_pem)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!("sha256/{}", String::from_utf8(out.stdout).unwrap().trim())
}

/// A self-signed certificate made by openssl; returns the PEM path.
fn make_cert(dir: &Path, name: &str, newkey: &[&str]) -> PathBuf {
    let pem = dir.join(format!("{name}.pem"));
    let mut args = vec!["req", "-x509", "-nodes", "-days", "2", "-subj"];
    let subject = format!("/CN=fuse {name}/O=fuse tests");
    args.push(&subject);
    args.extend_from_slice(newkey);
    let key = dir.join(format!("{name}.key"));
    let run = tool(
        "openssl",
        args.iter()
            .map(|s| s.to_string())
            .chain(["-keyout".into(), key.display().to_string()])
            .chain(["-out".into(), pem.display().to_string()]),
    );
    run.success();
    pem
}

fn pem_to_der(pem: &Path) -> PathBuf {
    let der = pem.with_extension("der");
    tool(
        "openssl",
        [
            "x509".as_ref(),
            "-in".as_ref(),
            pem.as_os_str(),
            "-outform".as_ref(),
            "der".as_ref(),
            "-out".as_ref(),
            der.as_os_str(),
        ],
    )
    .success();
    der
}

/// `(pin, rest of the line)` of each output line.
fn lines(run: &Run) -> Vec<(String, String)> {
    run.stdout
        .lines()
        .map(|l| {
            let (pin, rest) = l.split_once("  ").expect("two spaces after the pin");
            (pin.to_owned(), rest.to_owned())
        })
        .collect()
}

#[test]
fn pins_equal_openssl_for_rsa_and_ec_keys_in_pem_der_and_bundles() {
    let tmp = tempdir();
    let dir = tmp.path();
    let kinds: [(&str, &[&str]); 4] = [
        ("rsa2048", &["-newkey", "rsa:2048"]),
        ("rsa4096", &["-newkey", "rsa:4096"]),
        (
            "ec-p256",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        ),
        (
            "ec-p384",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
        ),
    ];
    let mut bundle = String::new();
    let mut expected = Vec::new();
    for (name, newkey) in kinds {
        let pem = make_cert(dir, name, newkey);
        let want = openssl_pin(&pem);

        let run = fuse(["pin".as_ref(), pem.as_os_str()]);
        run.success();
        let got = lines(&run);
        assert_eq!(got.len(), 1, "{run}");
        assert_eq!(got[0].0, want, "{name} PEM\n{run}");
        // Self-signed by `req -x509`, which marks it a CA (basicConstraints CA:TRUE).
        assert_eq!(
            got[0].1,
            format!("O=fuse tests,CN=fuse {name}  (CA)"),
            "{run}"
        );

        let der = pem_to_der(&pem);
        let run = fuse(["pin".as_ref(), der.as_os_str()]);
        run.success();
        assert_eq!(lines(&run)[0].0, want, "{name} DER\n{run}");

        // Bundles carry explanatory text between blocks (RFC 7468), as openssl writes them.
        bundle.push_str(&format!("subject=CN = fuse {name}\n"));
        bundle.push_str(&fs::read_to_string(&pem).unwrap());
        expected.push(want);
    }

    let bundle_path = dir.join("bundle.pem");
    fs::write(&bundle_path, &bundle).unwrap();
    let run = fuse(["pin".as_ref(), bundle_path.as_os_str()]);
    run.success();
    let pins: Vec<String> = lines(&run).into_iter().map(|(p, _)| p).collect();
    assert_eq!(pins, expected, "bundle, in file order\n{run}");

    // --json: one object, every certificate with its file, index and facts.
    let run = fuse([
        "pin".as_ref(),
        "--json".as_ref(),
        bundle_path.as_os_str(),
        dir.join("ec-p256.der").as_os_str(),
    ]);
    run.success();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let certs = v["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 5);
    let keys: Vec<&str> = certs.iter().map(|c| c["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        ["RSA 2048", "RSA 4096", "EC P-256", "EC P-384", "EC P-256"]
    );
    assert_eq!(certs[3]["index"], 3);
    assert_eq!(certs[4]["index"], 0);
    assert_eq!(certs[0]["pin"], expected[0].as_str());
    assert_eq!(certs[4]["pin"], expected[2].as_str());
    assert_eq!(certs[1]["subject"], "O=fuse tests,CN=fuse rsa4096");
    assert_eq!(certs[1]["ca"], true);
    assert!(certs[0]["file"].as_str().unwrap().ends_with("bundle.pem"));
    assert_eq!(certs[0]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn pins_of_the_shared_chains_equal_their_openssl_pins_txt() {
    let chains = generated("chains");
    for chain in [
        "good",
        "ec-p256",
        "ec-p384",
        "rsa1024",
        "no-bc-intermediate",
    ] {
        let dir = chains.join(chain);
        let run = fuse(["pin".as_ref(), dir.join("chain.pem").as_os_str()]);
        run.success();
        let got: Vec<String> = lines(&run).into_iter().map(|(p, _)| p).collect();
        let want: Vec<String> = fs::read_to_string(dir.join("pins.txt"))
            .unwrap()
            .lines()
            .map(|l| l.split_whitespace().next().unwrap().to_owned())
            .collect();
        assert_eq!(got, want, "{chain}\n{run}");
        // CA marking follows basicConstraints: leaf no, intermediate yes unless it lacks them.
        let ca: Vec<bool> = run.stdout.lines().map(|l| l.ends_with("  (CA)")).collect();
        let want_ca = if chain == "no-bc-intermediate" {
            [false, false, true]
        } else {
            [false, true, true]
        };
        assert_eq!(ca, want_ca, "{chain}\n{run}");
    }
}

#[test]
fn bad_certificate_inputs_are_exit_3_with_one_line() {
    let tmp = tempdir();
    let dir = tmp.path();
    let pem = make_cert(
        dir,
        "ok",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    let der = pem_to_der(&pem);

    let mut trailing = fs::read(&der).unwrap();
    trailing.extend_from_slice(b"junk");
    fs::write(dir.join("trailing.der"), trailing).unwrap();
    fs::write(dir.join("empty.pem"), "").unwrap();
    fs::write(dir.join("text.txt"), "hello, not a certificate\n").unwrap();
    let mut bad_b64 = fs::read_to_string(&pem).unwrap();
    bad_b64.insert_str(bad_b64.find('\n').unwrap() + 1, "!!!!");
    fs::write(dir.join("bad-base64.pem"), bad_b64).unwrap();
    let truncated = fs::read_to_string(&pem)
        .unwrap()
        .replace("-----END CERTIFICATE-----\n", "");
    fs::write(dir.join("unterminated.pem"), truncated).unwrap();

    let cases: [(PathBuf, &str); 7] = [
        (
            dir.join("ok.key"),
            "PRIVATE KEY\" block is not a certificate",
        ),
        (dir.join("trailing.der"), "4 bytes of trailing data"),
        (dir.join("empty.pem"), "empty file"),
        (dir.join("text.txt"), "neither PEM nor a DER certificate"),
        (dir.join("bad-base64.pem"), "bad base64"),
        (
            dir.join("unterminated.pem"),
            "no \"-----END CERTIFICATE-----\" line",
        ),
        (dir.join("missing.pem"), "cannot read certificate file"),
    ];
    for (path, want) in cases {
        // The good file first: nothing may be printed when a later input is bad.
        let run = fuse(["pin".as_ref(), pem.as_os_str(), path.as_os_str()]);
        run.code(3);
        assert!(run.stdout.is_empty(), "partial output\n{run}");
        let line = run.one_error_line();
        assert!(
            line.contains(want),
            "{}: want {want:?}\n{run}",
            path.display()
        );
    }
}

/// A loopback `openssl s_server`, killed when dropped (also when the test fails).
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Start `openssl s_server -www` on a free loopback port and wait until it listens.
fn serve(cert: &Path, key: &Path, chain: Option<&Path>) -> Server {
    require_tool("openssl");
    for _attempt in 0..3 {
        let port = free_port();
        let mut cmd = Command::new("openssl");
        cmd.args(["s_server", "-www", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(cert)
            .arg("-key")
            .arg(key)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(chain) = chain {
            cmd.arg("-cert_chain").arg(chain);
        }
        let mut server = Server {
            child: cmd.spawn().expect("start openssl s_server"),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if server.child.try_wait().unwrap().is_some() {
                break; // lost the port race: try another
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = server.child.kill();
    }
    panic!("openssl s_server did not start listening");
}

#[test]
fn connect_prints_the_served_chain_with_ca_marks() {
    let good = generated("chains").join("good");
    let server = serve(
        &good.join("leaf.pem"),
        &good.join("leaf.key.pem"),
        Some(&good.join("intermediates.pem")),
    );
    let target = format!("127.0.0.1:{}", server.port);
    let pins: Vec<String> = fs::read_to_string(good.join("pins.txt"))
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect();

    let run = fuse(["pin", "--connect", &target]);
    run.success();
    let got = lines(&run);
    // s_server presents leaf + intermediate; the anchor stays with the client.
    assert_eq!(got.len(), 2, "{run}");
    assert_eq!(got[0].0, pins[0], "leaf\n{run}");
    assert_eq!(got[1].0, pins[1], "intermediate\n{run}");
    assert!(!got[0].1.ends_with("(CA)"), "{run}");
    assert!(got[1].1.ends_with("  (CA)"), "{run}");

    let run = fuse([
        "pin",
        "--json",
        "--connect",
        &target,
        "--servername",
        "api.example.test",
    ]);
    run.success();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["host"], "127.0.0.1");
    assert_eq!(v["port"], server.port);
    assert_eq!(v["servername"], "api.example.test");
    let run = fuse(["pin", "--json", "--connect", &target]);
    run.success();
    let plain: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(plain["servername"], serde_json::Value::Null);
    let certs = v["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0]["pin"], pins[0].as_str());
    assert_eq!(certs[0]["ca"], false);
    assert_eq!(certs[1]["ca"], true);
    assert_eq!(certs[1]["index"], 1);
    assert!(certs[0].get("file").is_none());
    drop(server);
}

#[test]
fn connect_failures_are_one_line_and_bounded() {
    // Nobody listens: refused at once.
    let port = free_port();
    let run = fuse(["pin", "--connect", &format!("127.0.0.1:{port}")]);
    run.code(1);
    assert!(
        run.one_error_line().contains("cannot connect to 127.0.0.1"),
        "{run}"
    );

    // A listener that never speaks TLS: the handshake times out.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let started = Instant::now();
    let run = fuse([
        "pin",
        "--connect",
        &format!("127.0.0.1:{port}"),
        "--timeout",
        "1",
    ]);
    run.code(1);
    assert!(
        run.one_error_line().contains("timed out after 1 s"),
        "{run}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    drop(listener);

    // A malformed target is a usage error.
    let run = fuse(["pin", "--connect", "https://example.com/"]);
    run.code(2);
    run.one_error_line();
}
