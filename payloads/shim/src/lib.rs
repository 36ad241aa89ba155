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
//! `no_std` + `alloc`: the allocator forwards to the platform libc ([`allocator`]) and a
//! panic aborts the process (never unwinds into the host app's frames). `unsafe` is
//! confined to FFI; every block says why it holds.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

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

#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: allocator::LibcAllocator = allocator::LibcAllocator;

#[cfg(not(test))]
#[panic_handler]
fn on_panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: `abort` has no preconditions; panic = abort everywhere, so no frame of
    // the host app is ever unwound through.
    unsafe { sys::abort() }
}

/// The host build (the JVM end-to-end test) links the precompiled `core`, which was
/// built to unwind and so names the personality routine; with panic = abort it is never
/// called. Device builds compile `core` themselves with panic = abort and need none.
#[cfg(all(not(test), target_os = "linux", target_env = "gnu"))]
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() {}
