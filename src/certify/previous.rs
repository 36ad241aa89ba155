//! A bundle or IPA that is already fused: the same rule as the APK path
//! (`android::build`, docs/android.md "Re-fusing"). Its fusion set id comes from the
//! decoded `policy.bin`: the same id → fused again silently; another id, or a policy that
//! does not decode → refused (exit 2) unless `--replace`, then a `FUSION_REPLACED` warning.

/// What the input's previous fusion means for this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreviousFusion {
    /// Not fused, or fused with the same fusion set.
    None,
    /// Fused with another fusion set (or an unreadable policy) and `--replace` was given:
    /// the warning to report.
    Replaced { warning: String },
}

/// `display` names the input in the error; `blob` is its embedded `policy.bin`, if any.
pub fn check_previous(
    display: &str,
    blob: Option<&[u8]>,
    fusion_set_id: &str,
    replace: bool,
) -> Result<PreviousFusion, crate::Error> {
    let Some(blob) = blob else {
        return Ok(PreviousFusion::None);
    };
    let existing = match fuse_policy::decode(blob) {
        Ok(p) if p.fusion_set_id == fusion_set_id => return Ok(PreviousFusion::None),
        Ok(p) => format!("\"{}\"", p.fusion_set_id),
        Err(_) => "(unreadable policy)".to_owned(),
    };
    if !replace {
        return Err(crate::Error::Usage {
            what: format!("{display} is already fused with fusion set {existing}"),
            fix: format!(
                "pass --replace to replace that fusion with \"{fusion_set_id}\", or start from the unfused app"
            ),
        });
    }
    Ok(PreviousFusion::Replaced {
        warning: format!(
            "the app was fused with fusion set {existing}; that fusion is replaced (--replace)"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(id: &str) -> Vec<u8> {
        fuse_policy::encode(&fuse_policy::Policy {
            fusion_set_id: id.into(),
            build_id: "b".into(),
            build_date_unix: 0,
            stage: fuse_policy::Stage::Production,
            detection: true,
            threat_events: fuse_policy::ThreatEvents::Off,
            action: fuse_policy::Action::Close,
            external_id: None,
            ui: fuse_policy::Ui {
                title: "t".into(),
                message: "m".into(),
                buttons: vec![],
                localized: vec![],
            },
            domains: vec![],
            enforce: fuse_policy::Enforce::default(),
        })
    }

    #[test]
    fn same_id_refuses_nothing_another_needs_replace() {
        assert_eq!(
            check_previous("a.aab", Some(&blob("x")), "x", false).unwrap(),
            PreviousFusion::None
        );
        assert_eq!(
            check_previous("a.aab", None, "x", false).unwrap(),
            PreviousFusion::None
        );
        let e = check_previous("a.aab", Some(&blob("y")), "x", false).unwrap_err();
        assert_eq!(e.exit_status(), crate::ExitStatus::Usage);
        assert!(e.to_string().contains("--replace"), "{e}");
        assert!(matches!(
            check_previous("a.aab", Some(b"junk"), "x", true).unwrap(),
            PreviousFusion::Replaced { .. }
        ));
    }
}
