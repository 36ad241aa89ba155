//! `policy.bin`: the byte format of a [`Policy`](crate::Policy).
//!
//! ```text
//! offset      size  field
//! 0           8     magic "FUSEPOL\0"
//! 8           2     format version, u16 LE (1)
//! 10          2     reserved, u16 LE, must be 0
//! 12          4     S = scope section length, u32 LE
//! 16          S     scope section ─────────────┐ what the shim needs to fail closed
//! 16+S        32    scope digest = SHA-256(bytes[0 .. 16+S])
//! 48+S        4     B = body length, u32 LE
//! 52+S        B     body                       ┐ everything else
//! 52+S+B      32    trailer = SHA-256(bytes[0 .. 52+S+B])
//! 84+S+B            end of blob (nothing may follow)
//!
//! scope section                      body
//!   u8   detection (0|1)               str  fusion_set_id
//!   u8   threat_events (0 off,         str  build_id
//!        1 detection, 2 defense)       i64  build_date_unix
//!   u8   stage (0 development,         opt  str external_id
//!        1 staging, 2 production)      u8   enforce.ca_basic_constraints (0|1)
//!   u8   action (0 close, 1 alert,     u8   enforce.sha256_signatures (0|1)
//!        2 warn, 3 log)                u32  enforce.min_rsa_bits
//!   u32  N domains                     u32  enforce.min_ec_bits
//!   N ×  u8  kind (0 exact,            u32  N (= the scope's N)
//!            1 one-label wildcard)     N ×  opt i64 expires_unix
//!        u8  include_subdomains (0|1)       u32 P, P × [u8; 32] SPKI SHA-256 pins
//!        str host                      str  ui.title
//!                                      str  ui.message
//! str = u32 LE byte length + UTF-8     u32  K buttons × { str label, u8 action
//! opt = u8 0 (absent) | 1 + value             (0 close, 1 dismiss, 2 redirect + str url) }
//! integers little-endian               u32  L languages × { str language, opt str title,
//!                                             opt str message, u32 M, M × str label }
//! ```
//!
//! Canonical: domains sorted by (host, kind), languages by tag, both without duplicates;
//! booleans and option flags are exactly 0 or 1; every count and length is bounded by
//! [`limits`]. The decoder rejects any other byte sequence, so `decode(b) == Ok(p)` implies
//! `encode(&p) == b`.
//!
//! The scope section is digested on its own (the digest covers everything before it): when
//! the body or the trailer is damaged, [`Runtime`](crate::Runtime) still learns which hosts
//! are pinned and in which mode, and fails closed for them in `defense`.

mod check;
mod decode;
#[cfg(feature = "encode")]
mod encode;
mod error;
mod layout;
mod reader;

pub use check::PolicyError;
pub use decode::decode;
pub(crate) use decode::decode_scope;
#[cfg(feature = "encode")]
pub use encode::{encode, try_encode};
pub use error::DecodeError;
pub(crate) use layout::Scope;
pub use layout::limits;
pub use layout::{FORMAT_VERSION, MAGIC};
