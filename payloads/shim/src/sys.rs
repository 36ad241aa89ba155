//! The few C library functions the shim calls itself (bionic / glibc / libSystem).
//!
//! Declared here once so the stub symbol lists in `payloads/stubs/` can be checked
//! against one place: every name below that a device target uses must be in
//! `libc.symbols` (Android) and `libSystem.symbols` (iOS).

use core::ffi::{c_int, c_void};

// The allocator and the panic handler of the device builds (the host build uses std's).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
#[cfg_attr(not(target_vendor = "apple"), link(name = "c"))]
#[cfg_attr(target_vendor = "apple", link(name = "System"))]
unsafe extern "C" {
    pub fn malloc(size: usize) -> *mut c_void;
    pub fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void;
    pub fn posix_memalign(out: *mut *mut c_void, align: usize, size: usize) -> c_int;
    pub fn free(ptr: *mut c_void);
    pub fn abort() -> !;
}

// Log lines on stderr where there is no logcat (iOS, the host build).
#[cfg(not(target_os = "android"))]
#[cfg_attr(not(target_vendor = "apple"), link(name = "c"))]
#[cfg_attr(target_vendor = "apple", link(name = "System"))]
unsafe extern "C" {
    pub fn write(fd: c_int, buf: *const c_void, count: usize) -> isize;
}
