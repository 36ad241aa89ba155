//! Seeds for `policy_decode`: a few real encoded policies, as raw blobs and in the
//! target's resealed form (`u16 LE scope length ‖ scope ‖ body`), so the fuzzer starts
//! from valid structure instead of searching for it. scripts/fuzz-smoke runs every
//! `examples/seed_<target>.rs` with the target's corpus directory as argument.

use fuse_fuzz::fixed_policy;
use fuse_policy::{
    Action, Button, ButtonAction, HostPattern, LocalizedUi, Stage, ThreatEvents, encode,
};

fn main() -> std::io::Result<()> {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/corpus/policy_decode".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let mut policies = vec![fixed_policy(vec![[1; 32], [2; 32]], Some(1_782_864_000))];
    let mut p = fixed_policy(vec![[3; 32]], None);
    p.stage = Stage::Development;
    p.threat_events = ThreatEvents::Detection;
    p.action = Action::Warn;
    p.external_id = Some("cp-01".into());
    p.domains.push(fuse_policy::Domain {
        host: HostPattern::Exact("xn--bcher-kva.example".into()),
        include_subdomains: false,
        expires_unix: Some(-1),
        pins: vec![[4; 32]],
    });
    p.ui.title = "Connection not secure".into();
    p.ui.buttons = vec![
        Button {
            label: "Close".into(),
            action: ButtonAction::Close,
        },
        Button {
            label: "Help".into(),
            action: ButtonAction::Redirect("https://help.example/".into()),
        },
        Button {
            label: "OK".into(),
            action: ButtonAction::Dismiss,
        },
    ];
    p.ui.localized = vec![
        LocalizedUi {
            language: "de".into(),
            title: Some("Nicht sicher".into()),
            message: None,
            buttons: vec!["A".into(), "B".into(), "C".into()],
        },
        LocalizedUi {
            language: "pt-br".into(),
            title: None,
            message: Some("Mensagem".into()),
            buttons: vec![],
        },
    ];
    policies.push(p);
    for (i, p) in policies.iter().enumerate() {
        let blob = encode(p);
        let s = u32::from_le_bytes(blob[12..16].try_into().expect("4 bytes")) as usize;
        let b = u32::from_le_bytes(blob[48 + s..52 + s].try_into().expect("4 bytes")) as usize;
        let mut resealed = (s as u16).to_le_bytes().to_vec();
        resealed.extend_from_slice(&blob[16..16 + s]);
        resealed.extend_from_slice(&blob[52 + s..52 + s + b]);
        std::fs::write(dir.join(format!("seed-blob-{i}")), &blob)?;
        std::fs::write(dir.join(format!("seed-sections-{i}")), &resealed)?;
    }
    Ok(())
}
