//! The iOS facts other parts consume: `fuse inspect` prints them, the Certified Secure
//! report (`src/report/`) embeds them. Plain data, serialisable, no behaviour.

use serde::Serialize;

use super::profile::Profile;
use super::seal::SignatureFacts;

/// Everything fuse knows about an IPA (input or output).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IosFacts {
    /// Always `ipa`.
    pub format: &'static str,
    /// `Payload/<App>.app`.
    pub app_path: String,
    pub bundle_id: String,
    pub name: Option<String>,
    /// `CFBundleShortVersionString` / `CFBundleVersion`.
    pub version: Option<String>,
    pub build: Option<String>,
    /// `MinimumOSVersion` from Info.plist.
    pub minimum_os: Option<String>,
    /// `binary` or `xml`.
    pub info_plist_format: &'static str,
    pub executable: String,
    /// Every slice of the main executable.
    pub slices: Vec<SliceFacts>,
    /// Nested code (deepest first), as signed before the app.
    pub nested: Vec<NestedFacts>,
    /// The main executable's signature (first slice).
    pub signature: SignatureFacts,
    /// `embedded.mobileprovision`, when present.
    pub profile: Option<Profile>,
    pub fused: FusedFacts,
}

/// One slice of the main executable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SliceFacts {
    pub arch: String,
    /// From `LC_BUILD_VERSION` / `LC_VERSION_MIN_IPHONEOS`, e.g. `14.0`.
    pub minimum_os: Option<String>,
    /// `ios`, `ios-simulator`, ... from the build version platform.
    pub platform: Option<String>,
    pub encrypted: bool,
    /// The path of the shim's `LC_LOAD_DYLIB`, when the slice loads it.
    pub shim_load: Option<String>,
    /// How many load commands reference the shim (1 in a fused app, never more).
    pub shim_loads: usize,
    pub header_room: usize,
    pub signature: String,
}

/// A nested bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NestedFacts {
    pub path: String,
    pub kind: &'static str,
    pub bundle_id: String,
    pub signature: String,
    pub team_id: Option<String>,
}

/// Whether and how the app is fused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FusedFacts {
    /// Every slice loads the shim exactly once, and the dylib and policy are present.
    pub fused: bool,
    pub dylib_present: bool,
    pub policy_present: bool,
    pub policy_sha256: Option<String>,
}

/// One entry of the archive added or changed by fuse (the report's change list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryChange {
    pub path: String,
    /// `added`, `changed` or `removed`.
    pub change: &'static str,
    pub before_sha256: Option<String>,
    pub after_sha256: Option<String>,
}

/// The result of `build` or `sign` on an IPA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IosOutcome {
    pub input: IosFacts,
    pub output: IosFacts,
    /// Every added/changed/removed entry with before/after SHA-256, sorted by path.
    pub changes: Vec<EntryChange>,
    /// Per slice of the main executable: the arch and the install path added (or found).
    pub injected: Vec<(String, String)>,
    pub verification: Vec<String>,
    pub warnings: Vec<String>,
    /// How long each step took (the report's workflow); not in `--json`.
    #[serde(skip)]
    pub times: StepTimes,
}

/// Wall-clock time of each pipeline step. iOS signs before it writes: the bundle is
/// signed in place, then zipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepTimes {
    /// Unzip, Info.plist, Mach-O facts.
    pub read: std::time::Duration,
    /// Load command, dylib, policy, provisioning profile.
    pub inject: std::time::Duration,
    /// apple-codesign, inside-out.
    pub sign: std::time::Duration,
    /// The output archive (temp file, fsynced).
    pub write: std::time::Duration,
    /// Re-reading and checking the written file, then the rename.
    pub verify: std::time::Duration,
}
