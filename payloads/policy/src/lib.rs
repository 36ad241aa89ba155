//! The fuse policy: the compiled form of a fusion set that travels inside the app.
//!
//! One crate, two users: the CLI builds a [`Policy`] from a validated fusion set and
//! encodes it (`encode`, feature `encode`); the shim on the device loads the blob into a
//! [`Runtime`] and asks it about every TLS chain. Every decision the runtime makes
//! lives here, so it is tested on the host, not only on a device.
//!
//! - [`blob`]: the byte format (`policy.bin`), canonical encoder and strict decoder.
//! - [`Policy::evaluate`]: host matching, pins over the validated chain, pin-set expiry,
//!   the `enforce` checks and the response table (CONTRACTS §2, `docs/policy-format.md`).
//! - [`Runtime`]: what the shim holds; fails closed for pinned hosts when the blob is
//!   corrupt but its scope header survived.
//!
//! `no_std` + `alloc`: the shim has no standard library.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

mod base64;
pub mod blob;
mod evaluate;
mod model;
mod runtime;
mod ui;
mod x509;

pub use blob::{DecodeError, FORMAT_VERSION, MAGIC, PolicyError, decode, limits};
#[cfg(feature = "encode")]
pub use blob::{encode, try_encode};
pub use model::*;
pub use runtime::Runtime;
pub use x509::spki_sha256;
pub mod event;
