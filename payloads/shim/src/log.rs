//! One log line per event worth telling a developer about (policy problems, violations
//! the bridge cannot log itself). Android: logcat via liblog; elsewhere: stderr.

use alloc::vec::Vec;

/// Tag shown in logcat; the bridge logs under the same one.
#[cfg(target_os = "android")]
const TAG: &[u8] = b"fuse\0";

#[cfg(target_os = "android")]
#[link(name = "log")]
unsafe extern "C" {
    fn __android_log_write(
        priority: core::ffi::c_int,
        tag: *const core::ffi::c_char,
        text: *const core::ffi::c_char,
    ) -> core::ffi::c_int;
}

/// Writes `text` as a warning.
pub fn warn(text: &str) {
    #[cfg(target_os = "android")]
    {
        // Interior NULs would cut the line short; replace them rather than fail.
        let mut line: Vec<u8> = text
            .bytes()
            .map(|b| if b == 0 { b'?' } else { b })
            .collect();
        line.push(0);
        /// `ANDROID_LOG_WARN` from `<android/log.h>`.
        const ANDROID_LOG_WARN: core::ffi::c_int = 5;
        // SAFETY: both strings are NUL-terminated and outlive the call.
        unsafe { __android_log_write(ANDROID_LOG_WARN, TAG.as_ptr().cast(), line.as_ptr().cast()) };
    }
    #[cfg(not(target_os = "android"))]
    {
        let mut line: Vec<u8> = Vec::with_capacity(text.len() + 8);
        line.extend_from_slice(b"fuse: ");
        line.extend_from_slice(text.as_bytes());
        line.push(b'\n');
        // SAFETY: `line` is a live buffer of `line.len()` bytes; a short or failed
        // write to stderr only loses the log line.
        unsafe { crate::sys::write(2, line.as_ptr().cast(), line.len()) };
    }
}
