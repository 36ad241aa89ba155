//! Test-fixture helper (not part of fuse's CLI): signs an unzipped `.app` in place through
//! fuse's apple-codesign driver, so `testdata/ios/generate` can make signed input IPAs
//! with entitlements, ad-hoc or with an RSA/EC key.
//!
//! Usage: ios-fixture-sign [--key KEY.pk8 --cert CERT.der]
//!                         [--entitlements Main=FILE | --entitlements REL=FILE ...] APP_DIR
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use fuse::ios::codesign::{KeyMaterial, SignOptions, sign_in_place};
use fuse::ios::pipeline::entitlements_xml;

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut key, mut cert, mut ents, mut app) = (None, None, Vec::new(), None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--key" => key = Some(std::fs::read(args.next().unwrap()).unwrap()),
            "--cert" => cert = Some(std::fs::read(args.next().unwrap()).unwrap()),
            "--entitlements" => {
                let spec = args.next().unwrap();
                let (scope, file) = spec.split_once('=').unwrap();
                let xml = entitlements_xml(&PathBuf::from(file)).unwrap();
                ents.push((scope.to_owned(), xml));
            }
            other => app = Some(PathBuf::from(other)),
        }
    }
    let app = app.expect("usage: ios-fixture-sign [options] APP_DIR");
    let chain: Vec<Vec<u8>> = cert.into_iter().collect();
    let mut options = SignOptions {
        key: key.as_deref().map(|pkcs8_der| KeyMaterial {
            pkcs8_der,
            chain_der: &chain,
        }),
        // Fixed, so the fixtures are reproducible.
        signing_time: chrono::DateTime::from_timestamp(1_700_000_000, 0),
        ..SignOptions::default()
    };
    for (scope, xml) in ents {
        if scope == "Main" {
            options.main_entitlements = Some(xml);
        } else {
            options.path_entitlements.push((scope, xml));
        }
    }
    if let Err(e) = sign_in_place(&app, &options) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
