//! `templates/report/pdf.json`: page geometry, type sizes, colours and every word the PDF
//! prints besides the report's own facts. Compiled in, parsed once per render.

use serde::Deserialize;

use super::super::Error;

static TEMPLATE: &str = include_str!("../../../templates/report/pdf.json");

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Template {
    #[allow(dead_code)]
    pub about: String,
    pub page: Page,
    pub sizes: Sizes,
    pub colors: Colors,
    pub labels: Labels,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub margin: f32,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sizes {
    pub badge: f32,
    pub app_name: f32,
    pub heading: f32,
    pub body: f32,
    pub label: f32,
    pub mono: f32,
    pub small: f32,
    pub row_height: f32,
}

/// `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl<'de> Deserialize<'de> for Rgb {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let hex = s
            .strip_prefix('#')
            .filter(|h| h.len() == 6 && h.is_ascii())
            .ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not #rrggbb")))?;
        let channel = |i: usize| {
            hex.get(i..i + 2)
                .and_then(|c| u8::from_str_radix(c, 16).ok())
                .ok_or_else(|| serde::de::Error::custom(format!("{s:?} is not #rrggbb")))
        };
        Ok(Rgb(channel(0)?, channel(2)?, channel(4)?))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Colors {
    pub text: Rgb,
    pub muted: Rgb,
    pub rule: Rgb,
    pub panel: Rgb,
    pub header_text: Rgb,
    pub pass: Rgb,
    pub pass_light: Rgb,
    pub fail: Rgb,
    pub fail_light: Rgb,
    pub warn: Rgb,
    pub warn_light: Rgb,
    pub accent: Rgb,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Labels {
    pub certificate: String,
    pub pass: String,
    pub fail: String,
    pub pass_summary: String,
    pub fail_summary: String,
    pub generated: String,
    pub tool: String,
    pub build_id: String,
    pub package_id: String,
    pub bundle_id: String,
    pub version: String,
    pub build: String,
    pub platform: String,
    pub abis: String,
    pub abis_added: String,
    pub arch_slices: String,
    pub fusion_set: String,
    pub fusion_set_id: String,
    pub stage: String,
    pub protection: String,
    pub domain: String,
    pub scope: String,
    pub pins: String,
    pub expires: String,
    pub mode: String,
    pub action: String,
    pub never: String,
    pub exact: String,
    pub subdomains: String,
    pub one_label: String,
    pub chain_checks: String,
    pub output: String,
    pub file: String,
    pub sha256: String,
    pub signer: String,
    pub signer_cert: String,
    pub schemes: String,
    pub key_source: String,
    pub team_id: String,
    pub provisioning_profile: String,
    pub ad_hoc: String,
    pub warnings: String,
    pub input: String,
    pub original_signers: String,
    pub unsigned: String,
    pub changes: String,
    pub change: String,
    pub path: String,
    pub role: String,
    pub before: String,
    pub after: String,
    pub more: String,
    pub more_domains: String,
    pub self_verification: String,
    pub check: String,
    pub result: String,
    pub detail: String,
    pub workflow: String,
    pub policy: String,
    pub report_signature: String,
    pub algorithm: String,
    pub report_key: String,
    pub package_signing_key: String,
    pub debug_key: String,
    pub continued: String,
    pub sentence_detection_only: String,
    pub sentence_non_blocking: String,
    pub sentence_disabled: String,
    pub continued_on_page_two: String,
    pub page: String,
    pub of: String,
    pub footer_verify: String,
    pub footer_full: String,
    pub replaced: String,
    pub report_cert: String,
    pub mode_enforcing: String,
    pub mode_detection_only: String,
    pub mode_non_blocking: String,
    pub mode_disabled: String,
    pub action_close: String,
    pub action_alert: String,
    pub action_warn: String,
    pub action_log: String,
    pub blocking: String,
    pub not_blocking: String,
    pub threat_events: String,
    pub bytes: String,
    pub none: String,
    pub platform_apk: String,
    pub platform_aab: String,
    pub platform_ipa: String,
    pub no_native_code: String,
    pub change_added: String,
    pub change_changed: String,
    pub change_removed: String,
    pub step_ok: String,
    pub step_failed: String,
    pub step_skipped: String,
    pub check_pass: String,
    pub check_fail: String,
    pub chain_basic_constraints: String,
    pub chain_rsa: String,
    pub chain_ec: String,
    pub chain_sha256: String,
    pub off: String,
    pub keystore: String,
    pub key_files: String,
    pub debug_key_short: String,
    pub ad_hoc_short: String,
}

impl Template {
    pub fn load() -> Result<Self, Error> {
        serde_json::from_str(TEMPLATE).map_err(|e| Error::Pdf {
            detail: format!("templates/report/pdf.json is invalid: {e}"),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_compiled_in_template_parses() {
        let t = super::Template::load().unwrap();
        assert!(t.page.width > 2.0 * t.page.margin);
    }
}
