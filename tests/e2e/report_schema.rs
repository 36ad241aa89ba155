//! Reports validate against `docs/report.schema.json` (PyPI `jsonschema`, an independent
//! validator), and `docs/report-format.md` documents exactly the JSON paths the model has.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use fuse::report::*;
use serde_json::Value;

use crate::report_sample::{self as sample, Options, TestSigner};
use crate::support;

/// Validate each file with jsonschema's Draft 2020-12 validator; returns one line per file:
/// `ok` or the first error.
pub fn validate(files: &[PathBuf]) -> Vec<String> {
    support::require_tool("python3");
    let script = r#"
import json, sys
try:
    import jsonschema
except ImportError:
    print("MISSING jsonschema — run: python3 -m pip install -r .ci/requirements.txt"); sys.exit(3)
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    errors = sorted(v.iter_errors(json.load(open(path))), key=lambda e: list(e.path))
    print("ok" if not errors else "invalid: %s at %s" % (errors[0].message[:200], list(errors[0].path)))
"#;
    let schema = support::repo().join("docs/report.schema.json");
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&schema)
        .args(files)
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.lines().map(str::to_owned).collect()
}

fn samples() -> Vec<(&'static str, Report)> {
    let release = TestSigner::load("release");
    let ec = TestSigner::load("release-ec");
    let debug = TestSigner::load("debug");
    vec![
        ("apk", sample::build(&release, &Options::default()).report),
        (
            "aab",
            sample::build(
                &release,
                &Options {
                    format: PackageFormat::Aab,
                    ..Options::default()
                },
            )
            .report,
        ),
        (
            "ipa",
            sample::build(
                &debug,
                &Options {
                    format: PackageFormat::Ipa,
                    ..Options::default()
                },
            )
            .report,
        ),
        (
            "development",
            sample::build(
                &ec,
                &Options {
                    stage: fuse_policy::Stage::Development,
                    app_name: "銀行",
                    ..Options::default()
                },
            )
            .report,
        ),
        ("every-field", sample::every_field(&release)),
    ]
}

#[test]
fn every_sample_report_validates_against_the_schema() {
    let dir = support::tempdir();
    let mut files = Vec::new();
    // Also kept as the seed corpus of the report_verify fuzz target (fuzz/seeds/report_verify).
    let seeds = support::scratch().join("report-sample").join("json");
    std::fs::create_dir_all(&seeds).unwrap();
    for (name, report) in samples() {
        let file = sample::write_json(&report, dir.path(), &format!("{name}.json"));
        std::fs::copy(&file, seeds.join(format!("{name}.json"))).unwrap();
        files.push(file);
    }
    // The schema must also reject what the model cannot produce.
    let apk = serde_json::to_value(&samples()[0].1).unwrap();
    let broken: Vec<(&str, Value)> = vec![
        (
            "extra-member",
            with(&apk, |v| v["output"]["extra"] = Value::from(1)),
        ),
        (
            "missing-signature",
            with(&apk, |v| {
                v.as_object_mut().unwrap().remove("signature");
            }),
        ),
        (
            "null-optional",
            with(&apk, |v| v["input"]["version"] = Value::Null),
        ),
        (
            "upper-hex",
            with(&apk, |v| {
                v["output"]["sha256"] = Value::from("A".repeat(64))
            }),
        ),
        (
            "bad-pin",
            with(&apk, |v| {
                v["policy"]["domains"][0]["pins"][0] = Value::from("sha256/xyz")
            }),
        ),
        (
            "added-with-before",
            with(&apk, |v| {
                let c = v["changes"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .find(|c| c["change"] == "added")
                    .unwrap();
                c["beforeSha256"] = Value::from("0".repeat(64));
            }),
        ),
        (
            "step-order",
            with(&apk, |v| v["workflow"].as_array_mut().unwrap().swap(0, 1)),
        ),
    ];
    let good = files.len();
    for (name, value) in &broken {
        let path = dir.path().join(format!("broken-{name}.json"));
        std::fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
        files.push(path);
    }
    let results = validate(&files);
    assert_eq!(results.len(), files.len());
    for (file, result) in files.iter().zip(&results).take(good) {
        assert_eq!(result, "ok", "{}", file.display());
    }
    for ((name, _), result) in broken.iter().zip(results.iter().skip(good)) {
        assert!(
            result.starts_with("invalid"),
            "schema accepted broken report {name}"
        );
    }
}

fn with(v: &Value, f: impl FnOnce(&mut Value)) -> Value {
    let mut v = v.clone();
    f(&mut v);
    v
}

/// Every JSON path of `v`: `a.b`, arrays of objects as `a[].b`, containers included.
fn paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(p.clone());
                paths(child, &p, out);
            }
        }
        Value::Array(items) => {
            for item in items.iter().filter(|i| i.is_object()) {
                paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// The paths the document's field tables declare: first cell of each table row, in backticks.
fn documented(doc: &str) -> BTreeSet<String> {
    doc.lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(p, _)| p.to_string()))
        .filter(|p| p.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .collect()
}

#[test]
fn report_format_document_lists_exactly_the_model_fields() {
    let doc_path = support::repo().join("docs/report-format.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap();
    let documented = documented(&doc);
    let mut model = BTreeSet::new();
    for (_, report) in samples() {
        paths(&serde_json::to_value(&report).unwrap(), "", &mut model);
    }
    let undocumented: Vec<_> = model.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "fields in the report model but not in {}: {undocumented:?}",
        doc_path.display()
    );
    let stale: Vec<_> = documented.difference(&model).collect();
    assert!(
        stale.is_empty(),
        "documented but not produced by the model: {stale:?}"
    );
}

#[test]
fn schema_declares_every_model_field() {
    // A member the schema does not declare would be rejected by additionalProperties, but
    // check directly too so the failure names the field.
    let schema: Value = serde_json::from_slice(
        &std::fs::read(support::repo().join("docs/report.schema.json")).unwrap(),
    )
    .unwrap();
    let text = schema.to_string();
    let mut model = BTreeSet::new();
    paths(
        &serde_json::to_value(sample::every_field(&TestSigner::load("release"))).unwrap(),
        "",
        &mut model,
    );
    for p in model {
        let leaf = p.rsplit(['.', ']']).next().unwrap();
        assert!(text.contains(&format!("\"{leaf}\"")), "schema lacks {p}");
    }
    let _ = Path::new("");
}
