//! The command-line contract of DESIGN §1, as clap derive types. Nothing here does work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Add certificate pinning to a finished APK, AAB or IPA, re-sign it and certify the result.
#[derive(Debug, Parser)]
#[command(name = "fuse", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Print one machine-readable JSON result object on stdout.
    #[arg(long, global = true)]
    pub json: bool,

    /// No progress bars or informational lines on stderr (warnings and errors stay).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inject the pinning protection, re-sign, self-verify and write the Certified Secure report.
    Build(BuildArgs),
    /// Re-sign only (APK v1/v2/v3, AAB JAR signing, IPA code signature).
    Sign(SignArgs),
    /// Verify signatures; with --report, also that APP is the output the report certifies.
    Verify(VerifyArgs),
    /// Show format, ids, versions, ABIs / slices, signers and whether the app is fused.
    Inspect(InspectArgs),
    /// Validate a fusion set or write a commented starter.
    #[command(name = "fusion-set", subcommand)]
    FusionSet(FusionSetCommand),
    /// Print `sha256/<base64>` SPKI pins of certificates or of a live server's chain.
    ///
    /// One line per certificate: `sha256/<base64>  <subject>`, with `  (CA)` appended for CA
    /// certificates (basicConstraints cA=TRUE). --connect fetches the chain the server
    /// presents over TLS and accepts ANY certificate without verifying it: it only prints
    /// pins, it never decides trust. Check the printed chain before pinning it.
    Pin(PinArgs),
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The app to protect (.apk, .aab or .ipa; detected from content).
    pub app: PathBuf,

    /// The fusion set (JSON) describing the protection.
    #[arg(long, value_name = "FS.json")]
    pub fusion_set: PathBuf,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Directory for the report (default: beside the output).
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,

    /// Skip the PDF report (the JSON report is always written).
    #[arg(long)]
    pub no_pdf: bool,

    /// Replace a fusion by a different fusion set in an already protected app.
    #[arg(long)]
    pub replace: bool,

    #[command(flatten)]
    pub signing: SigningArgs,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The package to re-sign.
    pub app: PathBuf,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub signing: SigningArgs,
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output file (default: `<stem>-fused.<ext>` beside the input).
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,

    /// Overwrite an existing output file.
    #[arg(long)]
    pub force: bool,
}

/// Key selection for `build` and `sign`. Without any, a per-user debug key (Android) or
/// ad-hoc signing (iOS) is used, with a warning.
#[derive(Debug, Clone, Args, Default)]
#[command(next_help_heading = "Signing (Android)")]
pub struct SigningArgs {
    /// Keystore: PKCS#12 (.p12/.pfx) or JKS.
    #[arg(long, value_name = "KEYSTORE")]
    pub ks: Option<PathBuf>,

    /// Keystore password: pass:TEXT, env:VAR, file:PATH or stdin.
    #[arg(long, value_name = "SPEC", requires = "ks")]
    pub ks_pass: Option<String>,

    /// Alias of the key in the keystore (default: the only key entry).
    #[arg(long, value_name = "ALIAS", requires = "ks")]
    pub ks_key_alias: Option<String>,

    /// Key password when it differs from the keystore password, or of an encrypted
    /// --key (same SPEC forms).
    #[arg(long, value_name = "SPEC")]
    pub key_pass: Option<String>,

    /// Private key: PKCS#8 DER (.pk8) or PEM.
    #[arg(long, value_name = "KEY", requires = "cert", conflicts_with = "ks")]
    pub key: Option<PathBuf>,

    /// Certificate (PEM or DER) for --key; a PEM bundle gives the chain, leaf first.
    #[arg(long, value_name = "CERT", requires = "key")]
    pub cert: Option<PathBuf>,

    /// iOS signing identity: PKCS#12 with key and certificate.
    #[arg(long, value_name = "P12", help_heading = "Signing (iOS)")]
    pub p12: Option<PathBuf>,

    /// Password of --p12 (same SPEC forms as --ks-pass).
    #[arg(
        long,
        value_name = "SPEC",
        requires = "p12",
        help_heading = "Signing (iOS)"
    )]
    pub p12_pass: Option<String>,

    /// Provisioning profile embedded as embedded.mobileprovision.
    #[arg(long, value_name = "PROFILE", help_heading = "Signing (iOS)")]
    pub provisioning_profile: Option<PathBuf>,

    /// Entitlements plist for the main executable (default: keep the existing ones).
    #[arg(long, value_name = "PLIST", help_heading = "Signing (iOS)")]
    pub entitlements: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The package to verify.
    pub app: PathBuf,

    /// A Certified Secure report (JSON) that APP must match.
    #[arg(long, value_name = "R.json")]
    pub report: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The package to describe.
    pub app: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum FusionSetCommand {
    /// Check a fusion set strictly; every problem is reported with its JSON path.
    Validate(FusionSetValidateArgs),
    /// Write a commented starter fusion set.
    Init(FusionSetInitArgs),
}

#[derive(Debug, Args)]
pub struct FusionSetValidateArgs {
    /// The fusion set file.
    #[arg(value_name = "FS.json")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct FusionSetInitArgs {
    /// Rollout stage of the starter.
    #[arg(long, value_enum, default_value_t = StageArg::Production)]
    pub stage: StageArg,

    /// Write to this file instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StageArg {
    Development,
    Staging,
    Production,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["certs", "connect"]))]
pub struct PinArgs {
    /// Certificate files: PEM, DER, or a PEM bundle.
    #[arg(value_name = "CERT")]
    pub certs: Vec<PathBuf>,

    /// Fetch the live chain from host[:port] (default port 443), unverified (printing only).
    #[arg(long, value_name = "HOST[:PORT]", conflicts_with = "certs")]
    pub connect: Option<String>,

    /// SNI server name to send with --connect (default: the host).
    #[arg(long, value_name = "NAME", requires = "connect")]
    pub servername: Option<String>,

    /// Limit in seconds for resolving, connecting and the TLS handshake of --connect.
    #[arg(long, value_name = "SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=600), requires = "connect")]
    pub timeout: u64,
}
