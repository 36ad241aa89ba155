//! The Darwin, CoreFoundation, Security and Objective-C runtime entry points the iOS
//! hook calls. Every name is in a `payloads/stubs/*.symbols` list, from which
//! `payloads/build` generates the `.tbd` stubs the dylib links against.

use core::ffi::{c_char, c_int, c_void};

pub type CFTypeRef = *const c_void;
pub type CFIndex = isize;
pub type OSStatus = i32;
/// `SecTrustResultType` values (Security/SecTrust.h).
pub const TRUST_RESULT_PROCEED: u32 = 1;
pub const TRUST_RESULT_UNSPECIFIED: u32 = 4;
pub const TRUST_RESULT_FATAL_TRUST_FAILURE: u32 = 6;
/// `kCFStringEncodingUTF8`.
pub const UTF8: u32 = 0x0800_0100;
pub const O_RDONLY: c_int = 0;
pub const PROT_READ: c_int = 1;
pub const PROT_WRITE: c_int = 2;

#[repr(C)]
pub struct Timeval {
    pub tv_sec: i64,
    pub tv_usec: i32,
}

#[repr(C)]
pub struct DlInfo {
    pub dli_fname: *const c_char,
    pub dli_fbase: *mut c_void,
    pub dli_sname: *const c_char,
    pub dli_saddr: *mut c_void,
}

#[link(name = "System")]
unsafe extern "C" {
    pub fn open(path: *const c_char, flags: c_int, ...) -> c_int;
    pub fn read(fd: c_int, buf: *mut c_void, count: usize) -> isize;
    pub fn close(fd: c_int) -> c_int;
    pub fn gettimeofday(tv: *mut Timeval, tz: *mut c_void) -> c_int;
    pub fn sysctlbyname(
        name: *const c_char,
        old: *mut c_void,
        oldlen: *mut usize,
        new: *mut c_void,
        newlen: usize,
    ) -> c_int;
    pub fn dladdr(addr: *const c_void, info: *mut DlInfo) -> c_int;
    pub fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    pub fn mprotect(addr: *mut c_void, len: usize, prot: c_int) -> c_int;
    pub fn _dyld_register_func_for_add_image(
        callback: unsafe extern "C" fn(header: *const c_void, slide: isize),
    );
}

/// `RTLD_DEFAULT` on Darwin: search every loaded image.
pub const RTLD_DEFAULT: *mut c_void = -2isize as *mut c_void;

#[link(name = "CoreFoundation", kind = "framework")]
unsafe extern "C" {
    pub static kCFAllocatorDefault: CFTypeRef;
    pub static kCFTypeDictionaryKeyCallBacks: [u8; 48];
    pub static kCFTypeDictionaryValueCallBacks: [u8; 40];
    pub fn CFRelease(cf: CFTypeRef);
    pub fn CFArrayGetCount(array: CFTypeRef) -> CFIndex;
    pub fn CFArrayGetValueAtIndex(array: CFTypeRef, index: CFIndex) -> CFTypeRef;
    pub fn CFDataGetBytePtr(data: CFTypeRef) -> *const u8;
    pub fn CFDataGetLength(data: CFTypeRef) -> CFIndex;
    pub fn CFDictionaryCreate(
        allocator: CFTypeRef,
        keys: *const CFTypeRef,
        values: *const CFTypeRef,
        count: CFIndex,
        key_callbacks: *const c_void,
        value_callbacks: *const c_void,
    ) -> CFTypeRef;
    pub fn CFDictionaryGetValue(dict: CFTypeRef, key: CFTypeRef) -> CFTypeRef;
    pub fn CFErrorCreate(
        allocator: CFTypeRef,
        domain: CFTypeRef,
        code: CFIndex,
        user_info: CFTypeRef,
    ) -> CFTypeRef;
    pub fn CFStringCreateWithBytes(
        allocator: CFTypeRef,
        bytes: *const u8,
        len: CFIndex,
        encoding: u32,
        external: u8,
    ) -> CFTypeRef;
    pub fn CFStringGetLength(s: CFTypeRef) -> CFIndex;
    pub fn CFStringGetCString(s: CFTypeRef, buf: *mut c_char, size: CFIndex, encoding: u32) -> u8;
    pub fn CFTimeZoneCopyDefault() -> CFTypeRef;
    pub fn CFTimeZoneGetName(tz: CFTypeRef) -> CFTypeRef;
}

#[link(name = "Security", kind = "framework")]
unsafe extern "C" {
    pub static kSecPolicyName: CFTypeRef;
    pub fn SecTrustGetCertificateCount(trust: CFTypeRef) -> CFIndex;
    pub fn SecTrustGetCertificateAtIndex(trust: CFTypeRef, index: CFIndex) -> CFTypeRef;
    pub fn SecCertificateCopyData(cert: CFTypeRef) -> CFTypeRef;
    pub fn SecTrustCopyPolicies(trust: CFTypeRef, policies: *mut CFTypeRef) -> OSStatus;
    pub fn SecPolicyCopyProperties(policy: CFTypeRef) -> CFTypeRef;
}

#[link(name = "objc")]
unsafe extern "C" {
    pub fn objc_getClass(name: *const c_char) -> *mut c_void;
    pub fn sel_registerName(name: *const c_char) -> *mut c_void;
    /// Called only through a pointer cast to the exact signature of each message.
    pub fn objc_msgSend();
}
