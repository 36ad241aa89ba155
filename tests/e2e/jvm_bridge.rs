//! The bridge end to end on the JVM (DESIGN §7): `bridge.dex` converted by Debian's
//! `enjarify`, run on the JDK with the stub Android classes of `tests/jvm/stubs` and the
//! host-built `libfusepin` (same JNI exports as the device builds), inside
//! `tests/jvm/harness`, which creates `FuseProvider` as Android would and opens HTTPS
//! connections (`HttpsURLConnection`, and a plain `SSLContext.getDefault()` socket) to
//! loopback TLS servers serving the `testdata/chains` chains.
//!
//! The JVM trusts every test anchor (like a device with a user-installed proxy CA), so
//! the platform accepts the MITM chains and only the pins can block them.
//!
//! [`run_bridge`] takes the dex, the shim directory and the policy as inputs, so a later
//! test can rerun the harness on the files of a fused APK. One JVM per policy.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use base64::Engine as _;
use fuse_policy::event::{DEVICE_KEYS, EVENT_KEYS};
use fuse_policy::{
    Action, Button, ButtonAction, Domain, Enforce, HostPattern, LocalizedUi, Policy, Stage,
    ThreatEvents, Ui,
};

use crate::support;

/// What the harness runs: the bridge as shipped and a host build of the shim.
pub struct BridgeInputs {
    pub dex: PathBuf,
    /// Directory holding `libfusepin.so` for the host (the JVM's `java.library.path`).
    pub shim_dir: PathBuf,
}

/// The committed `bridge.dex` and the shim built from source for this host.
pub fn default_inputs() -> BridgeInputs {
    BridgeInputs {
        dex: support::repo().join("payloads/prebuilt/android/bridge.dex"),
        shim_dir: host_shim(),
    }
}

/// `cargo build -p fusepin` for the host, in its own target directory (the outer
/// `cargo test` holds the lock on the main one). Built once per test run.
pub fn host_shim() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let target = support::scratch().join("shim-host");
        let status = Command::new(env!("CARGO"))
            .args(["build", "--locked", "-p", "fusepin", "--target-dir"])
            .arg(&target)
            .current_dir(support::repo())
            .stdin(Stdio::null())
            .status()
            .expect("run cargo build -p fusepin");
        assert!(status.success(), "cargo build -p fusepin failed");
        let dir = target.join("debug");
        assert!(
            dir.join("libfusepin.so").is_file(),
            "no libfusepin.so in {}",
            dir.display()
        );
        dir
    })
    .clone()
}

/// The harness classes (stubs + harness), compiled once per test run.
fn harness_classes() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        support::require_tool("javac");
        let out = support::scratch().join("jvm-harness-classes");
        let _ = fs::remove_dir_all(&out);
        fs::create_dir_all(&out).unwrap();
        let mut sources = Vec::new();
        collect_java(&support::repo().join("tests/jvm"), &mut sources);
        sources.sort();
        let run = support::tool(
            "javac",
            [
                "-d".as_ref(),
                out.as_os_str(),
                "--release".as_ref(),
                "17".as_ref(),
            ]
            .into_iter()
            .chain(sources.iter().map(|p| p.as_os_str())),
        );
        run.success();
        out
    })
    .clone()
}

fn collect_java(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect_java(&p, out);
        } else if p.extension().is_some_and(|e| e == "java") {
            out.push(p);
        }
    }
}

/// `enjarify` the dex into a JAR (Debian's enjarify needs Debian's own Python).
pub fn enjarify(dex: &Path, out_dir: &Path) -> PathBuf {
    support::require_tool("enjarify");
    let jar = out_dir.join("bridge.jar");
    let python = ["/usr/bin/python3", "/bin/python3"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
        .expect("Debian's python3 (for enjarify) — run .ci/install");
    let out = Command::new("enjarify")
        .env("PYTHON", python)
        .arg("-f")
        .arg("-o")
        .arg(&jar)
        .arg(dex)
        .stdin(Stdio::null())
        .output()
        .expect("run enjarify");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("0 classes had errors"),
        "enjarify failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    jar
}

/// The harness's output: one record a line (see `Harness.java`).
pub struct Records(Vec<Vec<String>>);

impl Records {
    fn parse(stdout: &str) -> Self {
        let unescape = |s: &str| {
            let mut out = String::new();
            let mut chars = s.chars();
            while let Some(c) = chars.next() {
                if c != '\\' {
                    out.push(c);
                    continue;
                }
                match chars.next() {
                    Some('t') => out.push('\t'),
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some(o) => out.push(o),
                    None => {}
                }
            }
            out
        };
        Records(
            stdout
                .lines()
                .map(|l| l.split('\t').map(unescape).collect())
                .collect(),
        )
    }

    fn of<'a>(&'a self, kind: &'a str, id: &'a str) -> impl Iterator<Item = &'a [String]> + 'a {
        self.0
            .iter()
            .filter(move |r| {
                r.first().map(String::as_str) == Some(kind)
                    && r.get(1).map(String::as_str) == Some(id)
            })
            .map(|r| &r[2..])
    }

    /// `("ok" | "blocked", detail)` of connection `id`.
    pub fn conn(&self, id: &str) -> (String, String) {
        let r: Vec<_> = self.of("CONN", id).collect();
        assert_eq!(r.len(), 1, "one result for {id}");
        (r[0][0].clone(), r[0][1].clone())
    }

    /// The threat events raised during `id`, each as its `(key, value)` extras.
    pub fn events(&self, id: &str) -> Vec<Vec<(String, String)>> {
        let mut events: Vec<Vec<(String, String)>> = Vec::new();
        for r in self.of("EVENT", id) {
            assert_eq!(r[0], "fuse.intent.action.THREAT_EVENT", "broadcast action");
            assert_eq!(
                r[1], "com.example.fused",
                "broadcast limited to the app's own package"
            );
            // Each broadcast starts with the library's first key.
            if r[2] == EVENT_KEYS[0] || events.is_empty() {
                events.push(Vec::new());
            }
            events
                .last_mut()
                .unwrap()
                .push((r[2].clone(), r[3].clone()));
        }
        events
    }

    pub fn count(&self, kind: &str, id: &str) -> usize {
        self.of(kind, id).count()
    }

    pub fn first(&self, kind: &str, id: &str) -> Vec<String> {
        self.of(kind, id)
            .next()
            .unwrap_or_else(|| panic!("no {kind} during {id}"))
            .to_vec()
    }

    fn has(&self, kind: &str) -> bool {
        self.0
            .iter()
            .any(|r| r.first().map(String::as_str) == Some(kind))
    }
}

/// A connection the harness opens: `(id, "url" | "socket", chain, host)`.
pub type Conn<'a> = (&'a str, &'a str, &'a str, &'a str);

/// Runs the bridge in a fresh JVM with `policy` as `assets/fuse/policy.bin`; the bridge
/// must have installed its provider at position 1.
pub fn run_bridge(
    inputs: &BridgeInputs,
    policy: &[u8],
    conns: &[Conn<'_>],
    extra_jvm: &[&str],
    click: i32,
) -> Records {
    let records = run_harness(inputs, policy, conns, extra_jvm, click);
    assert_eq!(
        records.first("PROVIDER", "init"),
        ["FusePin"],
        "the bridge's provider must be at position 1"
    );
    records
}

/// Runs the harness; the JVM must finish normally whatever the bridge does.
pub fn run_harness(
    inputs: &BridgeInputs,
    policy: &[u8],
    conns: &[Conn<'_>],
    extra_jvm: &[&str],
    click: i32,
) -> Records {
    support::require_tool("java");
    let chains = support::generated("chains");
    let dir = support::tempdir();
    let jar = enjarify(&inputs.dex, dir.path());
    let assets = dir.path().join("assets");
    fs::create_dir_all(assets.join("fuse")).unwrap();
    fs::write(assets.join("fuse/policy.bin"), policy).unwrap();
    let hosts: BTreeSet<&str> = conns.iter().map(|c| c.3).collect();
    let hosts_file = dir.path().join("hosts");
    fs::write(
        &hosts_file,
        hosts
            .iter()
            .map(|h| format!("127.0.0.1 {h}\n"))
            .collect::<String>(),
    )
    .unwrap();

    let classpath = format!("{}:{}", harness_classes().display(), jar.display());
    let mut cmd = Command::new("java");
    cmd.arg("-XX:TieredStopAtLevel=1")
        .arg(format!("-Djava.library.path={}", inputs.shim_dir.display()))
        .arg(format!(
            "-Djavax.net.ssl.trustStore={}",
            chains.join("truststore.p12").display()
        ))
        .arg("-Djavax.net.ssl.trustStorePassword=fuse-test-pass")
        .arg("-Djavax.net.ssl.trustStoreType=PKCS12")
        .arg(format!("-Djdk.net.hosts.file={}", hosts_file.display()))
        // Android accepts a trust anchor without basicConstraints (PKIX does not check the
        // anchor); the JDK's validator refuses it unless told, so the `enforce` check on
        // `no-bc-root` is what blocks it, as on a device.
        .arg("-Djdk.security.allowNonCaAnchor=true")
        .args(extra_jvm)
        .arg("-cp")
        .arg(classpath)
        .arg("fuse.harness.Harness")
        .arg("--assets")
        .arg(&assets)
        .arg("--chains")
        .arg(&chains)
        .arg("--click")
        .arg(click.to_string());
    for c in conns {
        cmd.arg("--conn")
            .arg(format!("{},{},{},{}", c.0, c.1, c.2, c.3));
    }
    let out = cmd.stdin(Stdio::null()).output().expect("run java");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the harness JVM failed (the app must never crash)\n{stdout}\n{stderr}"
    );
    let records = Records::parse(&stdout);
    assert!(
        records.has("DONE"),
        "harness did not finish\n{stdout}\n{stderr}"
    );
    eprintln!("{stdout}");
    records
}

/// `sha256/<base64>` pins openssl computed for `chain` (`pins.txt`: leaf, intermediate, root).
fn pin(chain: &str, role: &str) -> [u8; 32] {
    let text =
        fs::read_to_string(support::generated("chains").join(chain).join("pins.txt")).unwrap();
    let line = text
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some(role))
        .unwrap_or_else(|| panic!("no {role} pin for {chain}"));
    let b64 = line
        .split_whitespace()
        .next()
        .unwrap()
        .trim_start_matches("sha256/");
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
        .try_into()
        .unwrap()
}

fn domain(host: &str, pins: Vec<[u8; 32]>, expires_unix: Option<i64>) -> Domain {
    Domain {
        host: HostPattern::Exact(host.into()),
        include_subdomains: false,
        expires_unix,
        pins,
    }
}

const FUSION_SET_ID: &str = "6f1c0d9e-4b7a-4c1e-9a57-0b3f2a9d1e11";
const BUILD_ID: &str = "fuse-build-jvm-test";

fn policy(
    stage: Stage,
    threat_events: ThreatEvents,
    action: Action,
    buttons: Vec<Button>,
    domains: Vec<Domain>,
) -> Vec<u8> {
    fuse_policy::encode(&Policy {
        fusion_set_id: FUSION_SET_ID.into(),
        build_id: BUILD_ID.into(),
        build_date_unix: 1_763_900_000,
        stage,
        detection: true,
        threat_events,
        action,
        external_id: Some("cp-prod-01".into()),
        ui: Ui {
            title: "Connection not secure".into(),
            message: "This network connection could be intercepted.".into(),
            buttons,
            localized: vec![LocalizedUi {
                language: "de".into(),
                title: Some("Verbindung nicht sicher".into()),
                message: Some("Diese Verbindung könnte abgehört werden.".into()),
                buttons: vec![],
            }],
        },
        domains,
        enforce: Enforce::default(),
    })
}

fn close_button() -> Vec<Button> {
    vec![Button {
        label: "Close".into(),
        action: ButtonAction::Close,
    }]
}

/// The production policy most cases share: defense + close.
fn defense_policy(action: Action, buttons: Vec<Button>) -> Vec<u8> {
    policy(
        Stage::Production,
        ThreatEvents::Defense,
        action,
        buttons,
        vec![
            domain(
                "api.example.test",
                vec![pin("good", "root"), pin("backup", "root")],
                None,
            ),
            domain("leaf.example.test", vec![pin("good", "leaf")], None),
            domain(
                "inter.example.test",
                vec![pin("good", "intermediate")],
                None,
            ),
            domain("root.example.test", vec![pin("good", "root")], None),
            domain("nobc.example.test", vec![pin("no-bc-root", "leaf")], None),
            domain(
                "sha1root.example.test",
                vec![pin("sha1-root", "leaf")],
                None,
            ),
            // Last day 2020-01-01: the pin set lapsed long ago.
            domain(
                "expired.example.test",
                vec![pin("backup", "root")],
                Some(1_577_923_200),
            ),
        ],
    )
}

#[track_caller]
fn assert_ok(r: &Records, id: &str) {
    let (status, detail) = r.conn(id);
    assert_eq!(status, "ok", "{id} should pass: {detail}");
    assert!(
        detail.starts_with("200") || detail.starts_with("HTTP/1.1 200"),
        "{id}: {detail}"
    );
}

#[track_caller]
fn assert_blocked(r: &Records, id: &str, reason: &str) {
    let (status, detail) = r.conn(id);
    assert_eq!(status, "blocked", "{id} should be blocked: {detail}");
    assert!(
        detail.contains(&format!("fuse: {reason}")),
        "{id} blocked for {reason}: {detail}"
    );
}

/// Every DESIGN §2 context key, all strings, with the values this build must carry.
#[track_caller]
fn assert_full_event(event: &[(String, String)], reason: &str, host: &str) {
    let keys: BTreeSet<&str> = event.iter().map(|(k, _)| k.as_str()).collect();
    for key in EVENT_KEYS.iter().chain(DEVICE_KEYS.iter()) {
        assert!(keys.contains(key), "threat event lacks {key}: {event:?}");
    }
    assert_eq!(
        event.len(),
        EVENT_KEYS.len() + DEVICE_KEYS.len(),
        "{event:?}"
    );
    let get = |k: &str| {
        event
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap()
    };
    assert_eq!(get("reasonCode"), reason);
    assert_eq!(get("host"), host);
    assert_eq!(get("kind"), "CertificatePinning");
    assert_eq!(get("fusionSetId"), FUSION_SET_ID);
    assert_eq!(get("fusedAppToken"), BUILD_ID);
    assert_eq!(get("externalID"), "cp-prod-01");
    assert!(
        get("threatCode").ends_with("AND034"),
        "{}",
        get("threatCode")
    );
    assert!(get("reasonData").contains(host), "{}", get("reasonData"));
    assert_eq!(get("devicePlatform"), "Android");
    assert_eq!(get("deviceModel"), "Harness Phone");
    assert_eq!(get("sdkVersion"), "34");
    assert_eq!(get("osVersion"), "14");
    assert!(!get("timeZone").is_empty() && !get("kernelInfo").is_empty());
    assert!(get("timestamp").ends_with('Z'));
    assert!(get("currentThreatEventScore").parse::<u64>().is_ok());
    assert!(get("threatEventsScore").parse::<u64>().is_ok());
}

#[test]
fn defense_close_blocks_mitm_and_weak_chains_and_passes_pinned_ones() {
    let conns: &[Conn<'_>] = &[
        ("pinned-leaf", "url", "good", "leaf.example.test"),
        ("pinned-intermediate", "url", "good", "inter.example.test"),
        ("pinned-root", "url", "good", "root.example.test"),
        ("pinned-socket", "socket", "good", "api.example.test"),
        ("mitm-url", "url", "mitm", "api.example.test"),
        ("mitm-socket", "socket", "mitm", "api.example.test"),
        ("burp", "url", "portswigger", "api.example.test"),
        ("rsa1024", "url", "rsa1024", "api.example.test"),
        (
            "sha1-intermediate",
            "url",
            "sha1-intermediate",
            "api.example.test",
        ),
        (
            "no-basic-constraints",
            "url",
            "no-bc-root",
            "nobc.example.test",
        ),
        ("sha1-anchor", "url", "sha1-root", "sha1root.example.test"),
        ("unpinned", "url", "mitm", "localhost"),
        ("expired-pins", "url", "mitm", "expired.example.test"),
        ("okhttp-style-good", "tm", "good", "root.example.test"),
        ("okhttp-style-mitm", "tm", "mitm", "api.example.test"),
    ];
    let r = run_bridge(
        &default_inputs(),
        &defense_policy(Action::Close, close_button()),
        conns,
        &[],
        0,
    );

    for id in [
        "pinned-leaf",
        "pinned-intermediate",
        "pinned-root",
        "pinned-socket",
        "sha1-anchor",
    ] {
        assert_ok(&r, id);
        assert_eq!(
            r.count("EVENT", id) + r.count("DIALOG", id) + r.count("TOAST", id),
            0,
            "{id}: no response"
        );
    }

    assert_blocked(&r, "mitm-url", "PIN_MISMATCH");
    let events = r.events("mitm-url");
    assert_eq!(events.len(), 1, "one threat event per violation");
    assert_full_event(&events[0], "PIN_MISMATCH", "api.example.test");
    let dialog = r.first("DIALOG", "mitm-url");
    assert_eq!(
        dialog[..4],
        [
            "Connection not secure",
            "This network connection could be intercepted.",
            "Close",
            "false"
        ]
    );
    assert_eq!(
        r.count("KILL", "mitm-url"),
        1,
        "action close closes the app after the dialog"
    );

    assert_blocked(&r, "mitm-socket", "PIN_MISMATCH");
    assert_blocked(&r, "burp", "PIN_MISMATCH");
    let burp = r.conn("burp").1;
    assert!(
        burp.contains("PortSwigger") || burp.contains("Burp"),
        "interception tool named: {burp}"
    );

    assert_blocked(&r, "rsa1024", "WEAK_RSA_KEY");
    assert_blocked(&r, "sha1-intermediate", "WEAK_SIGNATURE_HASH");
    assert_blocked(&r, "no-basic-constraints", "CA_WITHOUT_BASIC_CONSTRAINTS");
    assert_full_event(&r.events("rsa1024")[0], "WEAK_RSA_KEY", "api.example.test");

    assert_ok(&r, "unpinned");
    assert_eq!(
        r.count("EVENT", "unpinned"),
        0,
        "an unpinned host is untouched"
    );

    // Libraries that call the trust manager's hostname-aware method by reflection (OkHttp
    // on Android, through X509TrustManagerExtensions) get the validated chain, pinned.
    let (status, detail) = r.conn("okhttp-style-good");
    assert_eq!(
        (status.as_str(), detail.as_str()),
        ("ok", "200 fuse.bridge.FuseTrustManager validated 3")
    );
    assert_blocked(&r, "okhttp-style-mitm", "PIN_MISMATCH");

    // A lapsed pin set never blocks, but the app is still told.
    assert_ok(&r, "expired-pins");
    assert_eq!(r.count("DIALOG", "expired-pins"), 0);
    assert_full_event(
        &r.events("expired-pins")[0],
        "PIN_SET_EXPIRED",
        "expired.example.test",
    );
}

#[test]
fn detection_passes_mitm_with_exactly_one_threat_event() {
    let p = policy(
        Stage::Production,
        ThreatEvents::Detection,
        Action::Close,
        close_button(),
        vec![domain("api.example.test", vec![pin("good", "root")], None)],
    );
    let r = run_bridge(
        &default_inputs(),
        &p,
        &[("mitm", "url", "mitm", "api.example.test")],
        &[],
        0,
    );
    assert_ok(&r, "mitm");
    let events = r.events("mitm");
    assert_eq!(events.len(), 1, "exactly one threat event: {events:?}");
    assert_full_event(&events[0], "PIN_MISMATCH", "api.example.test");
    assert_eq!(
        r.count("DIALOG", "mitm") + r.count("TOAST", "mitm") + r.count("KILL", "mitm"),
        0
    );
}

#[test]
fn development_stage_passes_mitm_with_a_warning() {
    let p = policy(
        Stage::Development,
        ThreatEvents::Defense,
        Action::Close,
        close_button(),
        vec![domain("api.example.test", vec![pin("good", "root")], None)],
    );
    let r = run_bridge(
        &default_inputs(),
        &p,
        &[("mitm", "url", "mitm", "api.example.test")],
        &[],
        0,
    );
    assert_ok(&r, "mitm");
    assert_eq!(
        r.first("TOAST", "mitm"),
        ["This network connection could be intercepted."]
    );
    assert_eq!(r.count("DIALOG", "mitm") + r.count("KILL", "mitm"), 0);
}

#[test]
fn defense_alert_blocks_with_a_localized_dialog_and_keeps_the_app() {
    let buttons = vec![
        Button {
            label: "OK".into(),
            action: ButtonAction::Dismiss,
        },
        Button {
            label: "Help".into(),
            action: ButtonAction::Redirect("https://help.example.test/pinning".into()),
        },
    ];
    let p = defense_policy(Action::Alert, buttons);
    // German device; the harness clicks the second button ("Help": redirect).
    let r = run_bridge(
        &default_inputs(),
        &p,
        &[("mitm", "url", "mitm", "api.example.test")],
        &["-Duser.language=de", "-Duser.country=DE"],
        1,
    );
    assert_blocked(&r, "mitm", "PIN_MISMATCH");
    let dialog = r.first("DIALOG", "mitm");
    assert_eq!(
        dialog[..3],
        [
            "Verbindung nicht sicher",
            "Diese Verbindung könnte abgehört werden.",
            "OK|Help"
        ]
    );
    assert_eq!(
        r.first("START", "mitm"),
        [
            "android.intent.action.VIEW",
            "https://help.example.test/pinning"
        ]
    );
    assert_eq!(r.count("KILL", "mitm"), 0, "alert does not close the app");
    assert_eq!(r.events("mitm").len(), 1);
}

#[test]
fn corrupt_policy_fails_closed_for_pinned_hosts_without_crashing() {
    let mut blob = defense_policy(Action::Close, close_button());
    // Damage the body's trailer: the scope section (hosts + mode) still checks out.
    *blob.last_mut().unwrap() ^= 0xff;
    let r = run_bridge(
        &default_inputs(),
        &blob,
        &[
            ("pinned-good", "url", "good", "api.example.test"),
            ("unpinned", "url", "good", "localhost"),
        ],
        &[],
        0,
    );
    assert_blocked(&r, "pinned-good", "POLICY_INVALID");
    assert_eq!(
        r.count("DIALOG", "pinned-good"),
        0,
        "fail closed without a dialog"
    );
    assert_ok(&r, "unpinned");
    assert!(
        r.count("LOG", "init") >= 1,
        "the bridge logs the invalid policy"
    );
}

#[test]
fn a_missing_library_leaves_the_platform_alone_without_crashing() {
    let empty = support::tempdir();
    let inputs = BridgeInputs {
        dex: default_inputs().dex,
        shim_dir: empty.path().to_path_buf(),
    };
    let r = run_harness(
        &inputs,
        &defense_policy(Action::Close, close_button()),
        &[("mitm", "url", "mitm", "api.example.test")],
        &[],
        0,
    );
    assert_ne!(
        r.first("PROVIDER", "init"),
        ["FusePin"],
        "no provider without the library"
    );
    let log = r.first("LOG", "init");
    assert!(
        log[0] == "E" && log[2].contains("UnsatisfiedLinkError"),
        "{log:?}"
    );
    assert_ok(&r, "mitm");
}
