//! `fuse fusion-set init`: a commented starter that `validate` accepts for every stage.
//!
//! JSON has no comments, so the starter explains itself in `"$comment…"` keys, which
//! validation accepts anywhere and ignores. Where real pins belong it holds two
//! placeholder pins: valid `sha256/` base64 of 32 bytes (so the file validates and can
//! be tried out at once), spelled `PLACEHOLDER…` so nobody mistakes them for real ones,
//! and flagged with a `placeholder-pin` warning by every `validate`.

use std::io::Write as _;
use std::path::Path;

use super::date::Date;
use super::error::Error;
use super::model::Stage;

/// The starter's placeholder pins (primary, backup).
pub const PLACEHOLDER_PINS: [&str; 2] = [
    "sha256/PLACEHOLDER+primary+key+pin+from+fuse+pinxA=",
    "sha256/PLACEHOLDER+backup+key+pin+from+fuse+pinxxA=",
];

/// How far ahead the starter's `expires` lies.
const STARTER_VALIDITY_DAYS: i64 = 365;

/// The starter text for `stage`; `now_unix` sets `expires` one year ahead (so the
/// output is reproducible under `SOURCE_DATE_EPOCH`).
pub fn starter(stage: Stage, now_unix: i64) -> String {
    let expires = Date::from_unix(now_unix.saturating_add(STARTER_VALIDITY_DAYS * 86_400));
    let (action, buttons, actions, redirects, message, de_message, de_buttons) = match stage {
        Stage::Production => (
            "close",
            r#"["Close"]"#,
            r#"["close"]"#,
            "[null]",
            "This network connection could be intercepted. The app will close.",
            "Diese Verbindung könnte abgehört werden. Die App wird geschlossen.",
            r#"["Schließen"]"#,
        ),
        Stage::Staging | Stage::Development => (
            "alert",
            r#"["OK", "Help"]"#,
            r#"["dismiss", "redirect"]"#,
            r#"[null, "https://example.com/help/secure-connection"]"#,
            "This network connection could be intercepted and was stopped.",
            "Diese Verbindung könnte abgehört werden und wurde gestoppt.",
            r#"["OK", "Hilfe"]"#,
        ),
    };
    let stage_note = match stage {
        Stage::Production => {
            "production: at least 2 pins per domain, no pin set expiring within 30 days, every enforce check at least at its default."
        }
        Stage::Staging => "staging: enforces exactly as configured; use it for test builds.",
        Stage::Development => {
            "development: never blocks whatever action says; violations show a notice and are logged."
        }
    };
    let [pin1, pin2] = PLACEHOLDER_PINS;
    format!(
        r#"{{
  "$comment": [
    "fuse fusion set, written by `fuse fusion-set init --stage {stage}`.",
    "Every field is documented in docs/fusion-set.md. Keys starting with $comment are comments.",
    "Check it with: fuse fusion-set validate <this file>"
  ],
  "fusionSetId": "my-app-{stage}",
  "$comment-fusionSetId": "Your id for this set: a UUID or 1-128 characters from A-Z a-z 0-9 . _ -",
  "name": "My app, {stage}",
  "stage": "{stage}",
  "$comment-stage": "{stage_note}",
  "CertificatePinning": {{
    "$comment": "Field names and meanings follow the SDK-style CertificatePinning object.",
    "detection": true,
    "threatEvents": "defense",
    "$comment-threatEvents": "off = enforce silently; detection = never block, only tell the app; defense = enforce and tell the app.",
    "action": "{action}",
    "$comment-action": "close = block, dialog, close the app; alert = block and dialog; warn = notice only; log = log only.",
    "title": "Connection not secure",
    "message": "{message}",
    "buttons": {buttons},
    "actions": {actions},
    "redirects": {redirects},
    "$comment-buttons": "buttons, actions and redirects are parallel lists; actions: close, dismiss or redirect (to redirects[i]); a redirect of null or \"\" means none.",
    "externalID": "my-app-pinning",
    "localized": {{
      "de": {{
        "title": "Verbindung nicht sicher",
        "message": "{de_message}",
        "buttons": {de_buttons}
      }}
    }},
    "domains": [
      {{
        "$comment": "Replace the PLACEHOLDER pins with real ones: fuse pin --connect api.example.com (or fuse pin cert.pem). Pin your key and a backup key or the issuing CA.",
        "host": "api.example.com",
        "includeSubdomains": true,
        "expires": "{expires}",
        "pins": [
          "{pin1}",
          "{pin2}"
        ]
      }}
    ],
    "enforce": {{
      "caBasicConstraints": true,
      "minRsaBits": 2048,
      "minEcBits": 256,
      "sha256Signatures": true
    }}
  }}
}}
"#
    )
}

/// Write `text` to `path` atomically (temp file in the same directory, then rename);
/// an existing file is replaced only with `force`.
pub fn write(path: &Path, text: &str, force: bool) -> Result<(), Error> {
    if !force && path.exists() {
        return Err(Error::OutputExists {
            path: path.to_owned(),
        });
    }
    let write_err = |source| Error::Write {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = crate::atomic::temp_in(dir, ".init.tmp").map_err(write_err)?;
    tmp.write_all(text.as_bytes()).map_err(write_err)?;
    tmp.as_file().sync_all().map_err(write_err)?;
    if force {
        tmp.persist(path).map_err(|e| write_err(e.error))?;
    } else {
        // No clobbering even if the file appeared since the check above.
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                Error::OutputExists {
                    path: path.to_owned(),
                }
            } else {
                write_err(e.error)
            }
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::pin;
    use super::*;

    #[test]
    fn placeholders_are_valid_pins_and_recognised() {
        for p in PLACEHOLDER_PINS {
            assert!(pin::parse(p).unwrap().is_placeholder(), "{p}");
        }
    }

    #[test]
    fn starter_validates_for_every_stage_with_only_expected_warnings() {
        let now = 1_767_225_600; // 2026-01-01
        for stage in Stage::ALL {
            let text = starter(stage, now);
            let set = crate::fusion_set::parse(text.as_bytes(), "starter.json", now)
                .unwrap_or_else(|e| panic!("{stage}: {e}"));
            assert_eq!(set.stage(), stage);
            let codes: Vec<&str> = set.warnings().iter().map(|w| w.code.as_str()).collect();
            let mut expected = vec!["placeholder-pin", "placeholder-pin"];
            if stage == Stage::Development {
                expected.insert(0, "development-stage");
            }
            assert_eq!(codes, expected, "{stage}");
            assert_eq!(set.domains()[0].expires.unwrap().to_string(), "2027-01-01");
        }
    }

    #[test]
    fn write_refuses_to_clobber_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fs.json");
        write(&path, "one", false).unwrap();
        assert!(matches!(
            write(&path, "two", false),
            Err(Error::OutputExists { .. })
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        write(&path, "two", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
    }
}
