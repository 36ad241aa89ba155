//! `fuse inspect` on app bundles and IPAs, before and after `fuse build`, against
//! independent readers: `protoc --decode` (the base manifest), Python's `zipfile` (module
//! ABIs), `keytool -printcert -jarfile` (the JAR signer), Python's `plistlib` (Info.plist,
//! the provisioning profile opened by `openssl cms`), `llvm-lipo -archs` / `llvm-otool -hv`
//! (slices), `openssl x509 -fingerprint` (the iOS signing certificate), and the build's
//! own Certified Secure report (fusion set id, build id, policy hash and path).

use std::path::Path;

use serde_json::{Value, json};

use crate::aab_protoc_parity::{protoc_decode, unzip_entry};
use crate::ios_support;
use crate::support::{self, fuse, fuse_cmd, generated, tempdir, tool};

const EPOCH: &str = "1767225600"; // 2026-01-01T00:00:00Z
const PASS: &str = "fuse-test-pass";
const FUSION_SET_ID: &str = "6f1c0d9e-4b7a-4c1e-9a57-0b3f2a9d1e11";
const LIPO: &str = "/usr/lib/llvm-14/bin/llvm-lipo";
const OTOOL: &str = "/usr/lib/llvm-14/bin/llvm-otool";

fn inspect_json(app: &Path) -> Value {
    let run = fuse(["--json", "inspect", app.to_str().unwrap()]);
    run.success();
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("--json does not parse: {e}\n{run}"))
}

/// The human `fuse inspect` of a fused, signed package names the fusion set and the signer.
fn assert_human_inspect_names(app: &Path, signer_cert_sha256: &str) {
    let run = fuse(["inspect", app.to_str().unwrap()]);
    run.success();
    assert!(
        run.stdout
            .contains(&format!("fused        yes — fusion set {FUSION_SET_ID}")),
        "{run}"
    );
    assert!(run.stdout.contains(signer_cert_sha256), "{run}");
}

fn build(input: &Path, out: &Path, signing: &[&str], config: &Path) -> Value {
    let mut args = vec![
        "build".to_owned(),
        input.display().to_string(),
        "--fusion-set".into(),
        crate::support::good_fusion_set("production")
            .display()
            .to_string(),
        "-o".into(),
        out.display().to_string(),
    ];
    args.extend(signing.iter().map(|s| (*s).to_owned()));
    let run = fuse_cmd(args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("FUSE_CONFIG_DIR", config)
        .run();
    run.success();
    let stem = out.file_stem().unwrap().to_str().unwrap();
    let report = out.with_file_name(format!("{stem}.certified.json"));
    serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap()
}

/// The fusion inspect found agrees with what the build's report states.
#[track_caller]
fn assert_fusion_matches_report(i: &Value, report: &Value) {
    assert_eq!(i["fused"], true, "{i:#}");
    assert_eq!(i["fusionProblem"], Value::Null);
    let f = &i["fusion"];
    assert_eq!(f["fusionSetId"], report["fusionSet"]["id"]);
    assert_eq!(f["fusionSetId"], FUSION_SET_ID);
    assert_eq!(f["buildId"], report["buildId"]);
    assert_eq!(f["policySha256"], report["policy"]["sha256"]);
    assert_eq!(f["policySize"], report["policy"]["size"]);
    assert_eq!(f["policyPath"], report["policy"]["path"]);
    assert_eq!(f["policyProblem"], Value::Null);
    assert_eq!(f["stage"], report["fusionSet"]["stage"]);
    assert_eq!(f["buildDateUnix"], EPOCH.parse::<i64>().unwrap());
}

#[track_caller]
fn assert_not_fused(i: &Value) {
    assert_eq!(i["fused"], false, "{i:#}");
    assert_eq!(i["fusion"], Value::Null);
    assert_eq!(i["fusionProblem"], Value::Null);
}

/// A copy of `file` cut to half its length: exit 3, one error line, nothing on stdout.
#[track_caller]
fn assert_truncated_is_refused(file: &Path, dir: &Path) {
    let bytes = std::fs::read(file).unwrap();
    let cut = dir.join(format!(
        "truncated-{}",
        file.file_name().unwrap().to_str().unwrap()
    ));
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    for json in [false, true] {
        let mut args = vec!["inspect", cut.to_str().unwrap()];
        if json {
            args.insert(0, "--json");
        }
        let run = fuse(args);
        run.code(3);
        run.one_error_line();
        assert!(run.stdout.is_empty(), "{run}");
    }
}

/// A copy of `archive` without the entry `drop` (Python's zipfile rewrites it).
fn without_entry(archive: &Path, drop: &str, dir: &Path) -> std::path::PathBuf {
    let out = dir.join(format!(
        "partial-{}",
        archive.file_name().unwrap().to_str().unwrap()
    ));
    let script = r#"
import sys, zipfile
src = zipfile.ZipFile(sys.argv[1])
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as out:
    for info in src.infolist():
        if info.filename != sys.argv[3]:
            out.writestr(info, src.read(info.filename))
"#;
    tool(
        "python3",
        [
            "-c",
            script,
            archive.to_str().unwrap(),
            out.to_str().unwrap(),
            drop,
        ],
    )
    .success();
    out
}

/// A fused package missing one of its parts: not fused, the part named, exit 0.
#[track_caller]
fn assert_partial_fusion_is_reported(fused: &Path, drop: &str, named: &str, dir: &Path) {
    let partial = without_entry(fused, drop, dir);
    let i = inspect_json(&partial);
    assert_eq!(i["fused"], false, "{i:#}");
    assert_eq!(i["fusion"], Value::Null);
    let problem = i["fusionProblem"].as_str().unwrap();
    assert!(problem.contains(named), "{problem}");
    // The signature no longer covers the package either (reported, not failed).
    assert_eq!(i["signature"], "invalid", "{i:#}");
    assert!(i["signatureProblem"].is_string());
}

/// `name: "ATTR"` followed by `value: "V"` in protoc's text format of an XmlNode.
fn manifest_attribute(text: &str, attr: &str) -> String {
    let at = text
        .find(&format!("name: \"{attr}\""))
        .unwrap_or_else(|| panic!("{attr} not in\n{text}"));
    let rest = &text[at..];
    let v = rest.find("value: \"").unwrap() + "value: \"".len();
    rest[v..][..rest[v..].find('"').unwrap()].to_owned()
}

/// `keytool -printcert -jarfile`'s SHA-256 fingerprints, lowercase hex.
fn keytool_jar_signers(jar: &Path) -> Vec<String> {
    let run = tool(
        "keytool",
        ["-printcert".as_ref(), "-jarfile".as_ref(), jar.as_os_str()],
    );
    run.success();
    run.stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("SHA256:"))
        .map(|fp| fp.trim().replace(':', "").to_ascii_lowercase())
        .collect()
}

/// Each module's `lib/<abi>/` directories, by Python's zipfile.
fn zip_module_abis(aab: &Path) -> Value {
    let script = r#"
import sys, zipfile, json
mods = {}
for n in zipfile.ZipFile(sys.argv[1]).namelist():
    parts = n.split("/")
    if len(parts) >= 2 and parts[1] == "manifest":
        mods.setdefault(parts[0], set())
    if len(parts) >= 4 and parts[1] == "lib" and parts[3]:
        mods.setdefault(parts[0], set()).add(parts[2])
print(json.dumps({m: sorted(a) for m, a in mods.items()}))
"#;
    let run = tool("python3", ["-c", script, aab.to_str().unwrap()]);
    run.success();
    serde_json::from_str(&run.stdout).unwrap()
}

#[track_caller]
fn assert_modules(i: &Value, aab: &Path) {
    let by_zip = zip_module_abis(aab);
    let modules = i["modules"].as_array().unwrap();
    assert_eq!(modules.len(), by_zip.as_object().unwrap().len(), "{i:#}");
    assert_eq!(modules[0]["name"], "base");
    for m in modules {
        assert_eq!(m["abis"], by_zip[m["name"].as_str().unwrap()], "{m}");
    }
}

#[test]
fn inspect_aab_before_and_after_build_agrees_with_protoc_keytool_and_the_report() {
    let dir = tempdir();
    let input = generated("aab").join("app.aab");

    // Before: the app's facts per protoc, the modules per zipfile, unsigned, not fused.
    let before = inspect_json(&input);
    assert_eq!(before["format"], "aab");
    let manifest = protoc_decode(
        Some("aapt.pb.XmlNode"),
        &unzip_entry(&input, "base/manifest/AndroidManifest.xml"),
    );
    let app = &before["app"];
    assert_eq!(app["package"], manifest_attribute(&manifest, "package"));
    assert_eq!(
        app["versionCode"].to_string(),
        manifest_attribute(&manifest, "versionCode")
    );
    assert_eq!(
        app["versionName"],
        manifest_attribute(&manifest, "versionName")
    );
    assert_eq!(
        app["minSdk"].to_string(),
        manifest_attribute(&manifest, "minSdkVersion")
    );
    assert_eq!(
        app["targetSdk"].to_string(),
        manifest_attribute(&manifest, "targetSdkVersion")
    );
    assert_eq!(before["bundletoolVersion"], "1.18.1");
    assert_modules(&before, &input);
    assert_eq!(before["abis"], json!(["arm64-v8a", "x86_64"]));
    assert_eq!(before["signature"], "unsigned");
    assert_eq!(before["signers"], json!([]));
    assert_not_fused(&before);

    // A jarsigner-signed input: the signer keytool names.
    let jarsigned = generated("aab").join("app-jarsigned.aab");
    let signed = inspect_json(&jarsigned);
    assert_eq!(signed["signature"], "signed", "{signed:#}");
    let certs: Vec<String> = signed["signers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["certSha256"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(certs, keytool_jar_signers(&jarsigned));
    assert_eq!(signed["signers"][0]["schemes"], json!(["jar"]));

    // After `fuse build`: fused, with the report's fusion set, build id and policy.
    let out = dir.path().join("app-fused.aab");
    let keystore = generated("keys").join("rsa2048.p12");
    let report = build(
        &input,
        &out,
        &[
            "--ks",
            keystore.to_str().unwrap(),
            "--ks-pass",
            &format!("pass:{PASS}"),
        ],
        &dir.path().join("config"),
    );
    let after = inspect_json(&out);
    assert_fusion_matches_report(&after, &report);
    let f = &after["fusion"];
    assert_eq!(f["policyPath"], "base/assets/fuse/policy.bin");
    assert_eq!(
        f["policySha256"],
        support::hex(&<sha2::Sha256 as sha2::Digest>::digest(unzip_entry(
            &out,
            "base/assets/fuse/policy.bin"
        )))
    );
    assert_eq!(f["bridgeDex"], "base/dex/classes2.dex");
    assert_eq!(
        f["shims"],
        json!([
            "base/lib/arm64-v8a/libfusepin.so",
            "base/lib/x86_64/libfusepin.so"
        ])
    );
    assert_eq!(
        f["domains"].as_array().unwrap().len(),
        report["policy"]["domains"].as_array().unwrap().len()
    );
    for key in [
        "package",
        "versionCode",
        "versionName",
        "minSdk",
        "targetSdk",
    ] {
        assert_eq!(after["app"][key], before["app"][key], "{key}");
    }
    assert_modules(&after, &out);
    assert_eq!(after["signature"], "signed");
    assert_eq!(after["signatureProblem"], Value::Null);
    let cert = after["signers"][0]["certSha256"].as_str().unwrap();
    assert_eq!(vec![cert.to_owned()], keytool_jar_signers(&out));
    assert_eq!(report["output"]["signer"]["certSha256"], cert);

    // Human output says the same in one line each.
    assert_human_inspect_names(&out, cert);
    let run = fuse(["inspect", input.to_str().unwrap()]);
    assert!(run.stdout.contains("fused        no"), "{run}");

    assert_partial_fusion_is_reported(
        &out,
        "base/assets/fuse/policy.bin",
        "missing: base/assets/fuse/policy.bin",
        dir.path(),
    );
    assert_truncated_is_refused(&out, dir.path());
}

/// Info.plist of an IPA's app, by plistlib.
fn plistlib_info(ipa: &Path, app: &str) -> Value {
    let script = r#"
import sys, zipfile, plistlib, json
p = plistlib.loads(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2] + "/Info.plist"))
print(json.dumps({k: p.get(k) for k in ["CFBundleIdentifier", "CFBundleShortVersionString",
      "CFBundleVersion", "MinimumOSVersion", "CFBundleExecutable"]}))
"#;
    let run = tool("python3", ["-c", script, ipa.to_str().unwrap(), app]);
    run.success();
    serde_json::from_str(&run.stdout).unwrap()
}

#[track_caller]
fn assert_app_matches_plist(i: &Value, ipa: &Path, app: &str) {
    let p = plistlib_info(ipa, app);
    let a = &i["app"];
    assert_eq!(a["bundleId"], p["CFBundleIdentifier"]);
    assert_eq!(a["version"], p["CFBundleShortVersionString"]);
    assert_eq!(a["build"], p["CFBundleVersion"]);
    assert_eq!(a["minimumOs"], p["MinimumOSVersion"]);
    assert_eq!(a["executable"], p["CFBundleExecutable"]);
    assert_eq!(a["appPath"], app);
}

/// `llvm-lipo -archs` of the main executable.
fn lipo_archs(ipa: &Path, entry: &str, dir: &Path) -> Value {
    let exe = ios_support::extract_entry(ipa, entry, dir);
    let run = tool(LIPO, ["-archs".as_ref(), exe.as_os_str()]);
    run.success();
    json!(run.stdout.split_whitespace().collect::<Vec<_>>())
}

/// The provisioning profile's Name and ExpirationDate (Unix), by openssl cms + plistlib.
fn profile_by_openssl(profile: &Path) -> (String, i64) {
    support::require_tool("openssl");
    let script = r#"
import sys, subprocess, plistlib, calendar
xml = subprocess.run(["openssl", "cms", "-verify", "-noverify", "-inform", "DER", "-in", sys.argv[1]],
                     check=True, capture_output=True).stdout
p = plistlib.loads(xml)
print(p["Name"]); print(calendar.timegm(p["ExpirationDate"].utctimetuple()))
"#;
    let run = tool("python3", ["-c", script, profile.to_str().unwrap()]);
    run.success();
    let mut lines = run.stdout.lines();
    (
        lines.next().unwrap().to_owned(),
        lines.next().unwrap().parse().unwrap(),
    )
}

#[test]
fn inspect_ipa_before_and_after_build_agrees_with_plistlib_lipo_openssl_and_the_report() {
    let dir = tempdir();
    let fx = ios_support::fixtures();
    let app = ios_support::app_dir("fat");
    let exe = ios_support::main_executable("fat");
    let input = ios_support::input("fat");

    // Before: Info.plist per plistlib, slices per lipo, unsigned, not fused.
    let before = inspect_json(&input);
    assert_eq!(before["format"], "ipa");
    assert_app_matches_plist(&before, &input, app);
    assert_eq!(before["archs"], lipo_archs(&input, &exe, dir.path()));
    // `llvm-lipo -create` put the x86_64 slice (2^12 alignment) first.
    assert_eq!(before["archs"], json!(["x86_64", "arm64"]));
    assert_eq!(before["slices"][0]["platform"], "ios-simulator");
    assert_eq!(before["slices"][1]["platform"], "ios");
    for slice in before["slices"].as_array().unwrap() {
        assert_eq!(slice["minimumOs"], before["app"]["minimumOs"], "{slice}");
        assert_eq!(slice["encrypted"], false);
    }
    assert_eq!(before["signature"], "unsigned");
    assert_eq!(before["signers"], json!([]));
    assert_not_fused(&before);

    // A thin executable: its one slice is the CPU type `llvm-otool -hv` names.
    support::require_tool(OTOOL);
    let simple = ios_support::input("simple");
    let thin = inspect_json(&simple);
    let simple_exe =
        ios_support::extract_entry(&simple, &ios_support::main_executable("simple"), dir.path());
    let run = tool(OTOOL, ["-hv".as_ref(), simple_exe.as_os_str()]);
    run.success();
    assert!(run.stdout.contains("ARM64"), "{run}");
    assert_eq!(thin["archs"], json!(["arm64"]));

    // After `fuse build --p12 … --provisioning-profile …`.
    let out = dir.path().join("fat-fused.ipa");
    let keys = fx.join("keys");
    let profile = fx.join("profiles/wildcard.mobileprovision");
    let report = build(
        &input,
        &out,
        &[
            "--p12",
            keys.join("rsa.p12").to_str().unwrap(),
            "--p12-pass",
            &format!("pass:{PASS}"),
            "--provisioning-profile",
            profile.to_str().unwrap(),
        ],
        &dir.path().join("config"),
    );
    let after = inspect_json(&out);
    assert_fusion_matches_report(&after, &report);
    let f = &after["fusion"];
    assert_eq!(f["policyPath"], format!("{app}/fuse/policy.bin"));
    assert_eq!(f["dylib"], format!("{app}/Frameworks/libfusepin.dylib"));
    assert_eq!(
        f["shimLoads"],
        json!([
            { "arch": "x86_64", "path": "@executable_path/Frameworks/libfusepin.dylib" },
            { "arch": "arm64", "path": "@executable_path/Frameworks/libfusepin.dylib" },
        ])
    );
    assert_app_matches_plist(&after, &out, app);
    assert_eq!(after["archs"], lipo_archs(&out, &exe, dir.path()));

    // The signer: the certificate openssl fingerprints, its team, verified.
    let run = tool(
        "openssl",
        [
            "x509",
            "-inform",
            "DER",
            "-noout",
            "-fingerprint",
            "-sha256",
            "-in",
            keys.join("rsa-cert.der").to_str().unwrap(),
        ],
    );
    run.success();
    let fingerprint = run
        .stdout
        .trim()
        .rsplit('=')
        .next()
        .unwrap()
        .replace(':', "")
        .to_ascii_lowercase();
    let s = &after["signers"][0];
    assert_eq!(s["certSha256"], fingerprint, "{after:#}");
    assert_eq!(report["output"]["signer"]["certSha256"], fingerprint);
    assert_eq!(s["adHoc"], false);
    assert_eq!(s["teamId"], "FUSETEST42");
    assert_eq!(s["identity"], "Apple Distribution: Fuse Tests (FUSETEST42)");
    assert_eq!(after["signature"], "signed", "{after:#}");
    assert_eq!(after["signatureProblem"], Value::Null);

    // The embedded profile, as openssl + plistlib read the original.
    let (name, expires) = profile_by_openssl(&profile);
    assert_eq!(after["profile"]["name"], name);
    assert_eq!(after["profile"]["expiresUnix"], expires);
    assert_eq!(after["profile"]["teamIds"], json!(["FUSETEST42"]));

    assert_human_inspect_names(&out, &fingerprint);

    assert_partial_fusion_is_reported(
        &out,
        &format!("{app}/fuse/policy.bin"),
        "missing: fuse/policy.bin",
        dir.path(),
    );
    assert_truncated_is_refused(&out, dir.path());
}

/// An ad-hoc signed input (made in-process by the iOS test support) says so.
#[test]
fn inspect_ipa_reports_ad_hoc_signatures() {
    let i = inspect_json(&ios_support::input("fat-adhoc"));
    assert_eq!(i["signature"], "signed", "{i:#}");
    assert_eq!(i["signers"][0]["adHoc"], true);
    assert_eq!(i["signers"][0]["certSha256"], Value::Null);
    assert_not_fused(&i);
}
