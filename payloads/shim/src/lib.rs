//! `libfusepin`: the pinning shim injected into apps.
//!
//! Placeholder crate from the foundation: the JNI exports (Android) and the trust hook
//! (iOS) are built by the payloads issue. All decisions live in `fuse-policy`.
#![cfg_attr(not(test), no_std)]

/// Version of the shim's ABI with the bridge; the bridge refuses a shim it does not know.
#[unsafe(no_mangle)]
pub extern "C" fn fusepin_abi_version() -> u32 {
    1
}

#[cfg(not(test))]
#[panic_handler]
fn on_panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // panic = abort everywhere; never unwind into the host app's frames.
    loop {}
}
