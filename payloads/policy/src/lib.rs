//! The fuse policy: the compiled form of a fusion set that travels inside the app.
//!
//! One crate, two users: the CLI builds a [`Policy`] from a validated fusion set and
//! [`encode`]s it (feature `encode`); the shim on the device [`decode`]s the blob and
//! asks [`Policy::evaluate`] about every TLS chain. Every decision the runtime makes
//! lives here, so it is tested on the host, not only on a device.
//!
//! `no_std` + `alloc`: the shim has no standard library.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

mod model;

pub use model::*;
pub mod event;
