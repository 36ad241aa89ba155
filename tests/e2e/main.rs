//! The one integration-test binary: every end-to-end behaviour of the `fuse` CLI, one
//! module per behaviour. Slow cases share fixtures generated once per run
//! (see `support::generated`).

// Test code: a failed expectation is supposed to panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

mod aab_build_jarsigner;
mod aab_hostile;
mod aab_jarsigner_parity;
mod aab_protoc_parity;
mod android_build;
mod android_hostile;
mod android_jvm_bridge;
mod apksigner_parity;
mod atomic_output;
mod axml_aapt_parity;
mod cli_contract;
mod determinism;
mod fusion_set_compile;
mod fusion_set_validate;
mod hostile_zip;
mod inspect_bundles;
mod ios_build_otool;
mod ios_cms_binding;
mod ios_hostile;
mod ios_otool_parity;
mod ios_seal;
mod ios_signing;
mod ios_support;
mod json_output;
mod jvm_bridge;
mod keys_debug_key;
mod keys_hostile;
mod keys_keystores;
mod keys_openssl_dgst;
mod payloads_structure;
mod pin_openssl_parity;
mod report_acceptance;
mod report_pdf;
mod report_sample;
mod report_schema;
mod report_signature;
mod report_warnings;
mod report_write;
mod secrets_canary;
mod sign_cli;
mod signing_plan;
mod tamper_detection;
mod zipalign_parity;
