//! `libfusepin`: the certificate-pinning shim injected into apps.
//!
//! Every decision is made by `fuse-policy` (host-tested); this crate is only the
//! platform glue around it:
//!
//! - Android (and the host build the JVM end-to-end test loads): JNI exports called by
//!   the smali bridge `fuse.bridge.FuseNative` ([`android`], bindings in [`jni`]).
//! - iOS: a constructor that loads `fuse/policy.bin` from the app bundle and rebinds
//!   `SecTrustEvaluateWithError` / `SecTrustEvaluate` in every loaded image ([`ios`]).
//!
//! `no_std` + `alloc` on the devices: the allocator forwards to the platform libc
//! ([`allocator`]) and a panic aborts the process (never unwinds into the host app's
//! frames). `unsafe` is confined to FFI; every block says why it holds.
//!
//! The host build (`x86_64-unknown-linux-gnu`: unit tests and the JVM end-to-end test)
//! links `std` instead, which brings the same malloc-based allocator and its own panic
//! handler: in a workspace build, features unified with the CLI (e.g. `thiserror/std`)
//! link `std` anyway, and two panic handlers cannot coexist.
#![cfg_attr(not(all(target_os = "linux", target_env = "gnu")), no_std)]

extern crate alloc;

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod allocator;
mod log;
mod state;
mod sys;

#[cfg(not(target_vendor = "apple"))]
mod android;
#[cfg(not(target_vendor = "apple"))]
mod jni;

#[cfg(target_os = "ios")]
mod ios;

/// Version of the interface between the bridge and this library; the bridge refuses a
/// library that reports another one (`FuseNative.version()`).
pub const ABI_VERSION: i32 = 1;

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
#[global_allocator]
static ALLOCATOR: allocator::LibcAllocator = allocator::LibcAllocator;

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
#[panic_handler]
fn on_panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: `abort` has no preconditions; panic = abort everywhere, so no frame of
    // the host app is ever unwound through.
    unsafe { sys::abort() }
}
