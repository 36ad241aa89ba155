//! The build id (`fusedAppToken`) of a fused APK — in the policy, in every threat event,
//! in the report — derived by `report::fused_app_token` from the app's SHA-256, the
//! fusion set file's SHA-256 and the signing certificate's SHA-256.
//!
//! Which "app SHA-256": the input file's, except when the input is itself a fused APK.
//! Then it is the SHA-256 of the app that was first fused, which every fused APK records
//! in `assets/fuse/origin.sha256`. So re-fusing with the same fusion set and key gives
//! the same token — and therefore the same policy and the same bytes (fusing twice is
//! fusing once), while another fusion set or key still gives another token.

pub use crate::report::hex;
use crate::report::{TokenSigner, fused_app_token as derive};

/// The `fusedAppToken` for an app, a fusion set and the signing certificate.
pub fn fused_app_token(
    app_sha256: &[u8; 32],
    fusion_set_sha256: &[u8; 32],
    signer_cert_sha256: &[u8; 32],
) -> String {
    derive(
        app_sha256,
        fusion_set_sha256,
        TokenSigner::Certificate(signer_cert_sha256),
    )
}
