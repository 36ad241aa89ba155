//! The few C library functions the shim calls (bionic / glibc / libSystem).
//!
//! Declared here once so the stub symbol lists in `payloads/stubs/` can be checked
//! against one place: every name below that a target uses must be in `libc.symbols`
//! (Android) and `libSystem.symbols` (iOS).

use core::ffi::{c_int, c_void};

#[cfg_attr(not(target_vendor = "apple"), link(name = "c"))]
#[cfg_attr(target_vendor = "apple", link(name = "System"))]
unsafe extern "C" {
    pub fn malloc(size: usize) -> *mut c_void;
    pub fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void;
    pub fn posix_memalign(out: *mut *mut c_void, align: usize, size: usize) -> c_int;
    pub fn free(ptr: *mut c_void);
    pub fn abort() -> !;
    #[cfg(not(target_os = "android"))]
    pub fn write(fd: c_int, buf: *const c_void, count: usize) -> isize;
}
