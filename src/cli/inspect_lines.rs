//! Human lines `fuse inspect` prints alike for several formats: the embedded policy (APK,
//! AAB, IPA) and the signature state (APK, IPA).

use crate::embedded_policy::EmbeddedPolicy;

/// `fused        yes — fusion set …, build id …`.
pub fn print_fused(p: &EmbeddedPolicy) {
    println!(
        "  fused        yes — fusion set {}, build id {}",
        p.fusion_set_id.as_deref().unwrap_or("?"),
        p.build_id.as_deref().unwrap_or("?")
    );
}

/// The policy's path and hash, whether it decodes, its stage and pinned hosts.
pub fn print_policy(p: &EmbeddedPolicy) {
    println!(
        "  policy       {} SHA-256 {}",
        p.policy_path, p.policy_sha256
    );
    if let Some(problem) = &p.policy_problem {
        println!("               does not decode: {problem}");
    }
    if let Some(stage) = p.stage {
        println!("  stage        {stage}");
    }
    if !p.domains.is_empty() {
        println!("  pinned       {}", p.domains.join(", "));
    }
}

/// `signature    verifies <how>`, or the state and why (`unsigned`, `invalid — …`).
pub fn print_signature(status: &str, problem: Option<&String>, how: &str) {
    match (status, problem) {
        ("signed", _) => println!("  signature    verifies{how}"),
        (status, Some(p)) => println!("  signature    {status} — {p}"),
        (status, None) => println!("  signature    {status}"),
    }
}
