//! The hooks that replace `SecTrustEvaluateWithError` / `SecTrustEvaluate`: the real
//! function runs first (platform validation); when it trusts the chain, the policy
//! evaluates the validated chain (leaf … anchor) for the SSL policy's host name, and
//! the hook follows the response: block = report failure, threat event = post
//! `FuseThreatEvent` to `NSNotificationCenter`, log = a line on stderr.
//!
//! Dialogs and closing the app need UIKit on the main thread and are not done on iOS;
//! `alert`/`close` block the connection (see docs/payloads.md).

use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::{CStr, c_char, c_void};
use core::sync::atomic::{AtomicPtr, Ordering};

use fuse_policy::event::Platform;

use super::ffi::{self, CFTypeRef};
use crate::state::{self, Device, flag};

type EvaluateWithError = unsafe extern "C" fn(CFTypeRef, *mut CFTypeRef) -> bool;
type Evaluate = unsafe extern "C" fn(CFTypeRef, *mut u32) -> ffi::OSStatus;

static ORIGINAL_WITH_ERROR: AtomicPtr<c_void> = AtomicPtr::new(core::ptr::null_mut());
static ORIGINAL: AtomicPtr<c_void> = AtomicPtr::new(core::ptr::null_mut());

/// Finds the real functions in Security.framework before any slot is rebound.
pub fn resolve_originals() {
    // SAFETY: NUL-terminated names; RTLD_DEFAULT searches every loaded image.
    unsafe {
        ORIGINAL_WITH_ERROR.store(
            ffi::dlsym(ffi::RTLD_DEFAULT, c"SecTrustEvaluateWithError".as_ptr()),
            Ordering::Release,
        );
        ORIGINAL.store(
            ffi::dlsym(ffi::RTLD_DEFAULT, c"SecTrustEvaluate".as_ptr()),
            Ordering::Release,
        );
    }
}

/// The replacement for an imported symbol name, if we hook it.
pub fn hook_for(name: &[u8]) -> Option<*const c_void> {
    let resolved = |p: &AtomicPtr<c_void>| !p.load(Ordering::Acquire).is_null();
    match name {
        b"_SecTrustEvaluateWithError" if resolved(&ORIGINAL_WITH_ERROR) => {
            Some(evaluate_with_error as *const c_void)
        }
        b"_SecTrustEvaluate" if resolved(&ORIGINAL) => Some(evaluate as *const c_void),
        _ => None,
    }
}

unsafe extern "C" fn evaluate_with_error(trust: CFTypeRef, error: *mut CFTypeRef) -> bool {
    let original = ORIGINAL_WITH_ERROR.load(Ordering::Acquire);
    // SAFETY: only installed once `original` resolved to Security's function of this signature.
    let real: EvaluateWithError = unsafe { core::mem::transmute(original) };
    // SAFETY: the caller's arguments are passed through unchanged.
    if !unsafe { real(trust, error) } {
        return false;
    }
    if !blocks(trust) {
        return true;
    }
    if !error.is_null() {
        // SAFETY: `error` is the caller's out-param; it owns the CFError we create.
        unsafe { *error = new_error() };
    }
    false
}

unsafe extern "C" fn evaluate(trust: CFTypeRef, result: *mut u32) -> ffi::OSStatus {
    let original = ORIGINAL.load(Ordering::Acquire);
    // SAFETY: only installed once `original` resolved to Security's function of this signature.
    let real: Evaluate = unsafe { core::mem::transmute(original) };
    // SAFETY: the caller's arguments are passed through unchanged.
    let status = unsafe { real(trust, result) };
    if status != 0 || result.is_null() {
        return status;
    }
    // SAFETY: `result` is the caller's out-param, written by the real function.
    let trusted = matches!(
        unsafe { *result },
        ffi::TRUST_RESULT_PROCEED | ffi::TRUST_RESULT_UNSPECIFIED
    );
    if trusted && blocks(trust) {
        // SAFETY: as above.
        unsafe { *result = ffi::TRUST_RESULT_FATAL_TRUST_FAILURE };
    }
    status
}

/// Runs the policy on a trust the platform accepted; true when the connection must fail.
fn blocks(trust: CFTypeRef) -> bool {
    let Some(host) = host_name(trust) else {
        return false;
    };
    let chain = certificates(trust);
    let views: Vec<&[u8]> = chain.iter().map(Vec::as_slice).collect();
    let os_version = sysctl_string(c"kern.osproductversion").unwrap_or_default();
    let device = Device {
        language: "",
        platform: Platform::Ios,
        os_version: os_version
            .split('.')
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(0),
        now_millis: now_millis(),
    };
    let outcome = state::evaluate(&host, &views, &device);
    if outcome.verdict != 2 {
        return false;
    }
    if outcome.flags & flag::LOG != 0 {
        crate::log::warn(&alloc::format!(
            "{}: {}",
            outcome.reason_code,
            outcome.reason_data
        ));
    }
    if outcome.flags & flag::THREAT_EVENT != 0 {
        let mut fields: Vec<(&str, String)> =
            outcome.event.iter().map(|(k, v)| (*k, v.clone())).collect();
        fields.extend(device_keys(&os_version));
        post_event(&fields);
    }
    outcome.flags & flag::BLOCK != 0
}

/// The host name of the trust's SSL policy (`kSecPolicyName`).
fn host_name(trust: CFTypeRef) -> Option<String> {
    let mut policies: CFTypeRef = core::ptr::null();
    // SAFETY: `trust` is the caller's SecTrust; `policies` is a valid out-param we release.
    if unsafe { ffi::SecTrustCopyPolicies(trust, &mut policies) } != 0 || policies.is_null() {
        return None;
    }
    let mut host = None;
    // SAFETY: `policies` is a CFArray of SecPolicy; each properties dictionary is released.
    unsafe {
        for i in 0..ffi::CFArrayGetCount(policies) {
            let properties = ffi::SecPolicyCopyProperties(ffi::CFArrayGetValueAtIndex(policies, i));
            if properties.is_null() {
                continue;
            }
            let name = ffi::CFDictionaryGetValue(properties, ffi::kSecPolicyName);
            if host.is_none() && !name.is_null() {
                host = cf_string(name);
            }
            ffi::CFRelease(properties);
        }
        ffi::CFRelease(policies);
    }
    host
}

/// The evaluated chain as DER, leaf first, anchor last.
fn certificates(trust: CFTypeRef) -> Vec<Vec<u8>> {
    let mut chain = Vec::new();
    // SAFETY: `trust` has been evaluated; certificates at valid indices are borrowed,
    // the copied data is released after copying its bytes.
    unsafe {
        let count =
            ffi::SecTrustGetCertificateCount(trust).clamp(0, state::MAX_CHAIN_CERTS as isize);
        for i in 0..count {
            let data = ffi::SecCertificateCopyData(ffi::SecTrustGetCertificateAtIndex(trust, i));
            if data.is_null() {
                continue;
            }
            let len = usize::try_from(ffi::CFDataGetLength(data))
                .unwrap_or(0)
                .min(state::MAX_CERT_BYTES);
            chain.push(core::slice::from_raw_parts(ffi::CFDataGetBytePtr(data), len).to_vec());
            ffi::CFRelease(data);
        }
    }
    chain
}

/// The device keys of DESIGN §2 that Android's bridge takes from `android.os.Build`.
fn device_keys(os_version: &str) -> [(&'static str, String); 8] {
    let model = sysctl_string(c"hw.machine").unwrap_or_default();
    let kernel = sysctl_string(c"kern.version").unwrap_or_default();
    // SAFETY: CFTimeZoneCopyDefault returns an owned zone; its name is borrowed from it.
    let zone = unsafe {
        let tz = ffi::CFTimeZoneCopyDefault();
        let name = if tz.is_null() {
            None
        } else {
            cf_string(ffi::CFTimeZoneGetName(tz))
        };
        if !tz.is_null() {
            ffi::CFRelease(tz);
        }
        name.unwrap_or_default()
    };
    [
        ("osVersion", String::from(os_version)),
        ("devicePlatform", String::from("iOS")),
        ("deviceModel", model),
        ("deviceManufacturer", String::from("Apple")),
        ("deviceBrand", String::from("Apple")),
        ("sdkVersion", String::from(os_version)),
        ("kernelInfo", kernel),
        ("timeZone", zone),
    ]
}

/// `[[NSNotificationCenter defaultCenter] postNotificationName:@"FuseThreatEvent" object:nil userInfo:…]`.
fn post_event(fields: &[(&str, String)]) {
    let keys: Vec<CFTypeRef> = fields.iter().map(|(k, _)| new_cf_string(k)).collect();
    let values: Vec<CFTypeRef> = fields.iter().map(|(_, v)| new_cf_string(v)).collect();
    let name = new_cf_string("FuseThreatEvent");
    // SAFETY: CF strings are toll-free bridged to NSString and dictionaries to
    // NSDictionary; objc_msgSend is called through pointers of each message's exact
    // signature; every object created here is released once.
    unsafe {
        let user_info = ffi::CFDictionaryCreate(
            ffi::kCFAllocatorDefault,
            keys.as_ptr(),
            values.as_ptr(),
            keys.len() as isize,
            ffi::kCFTypeDictionaryKeyCallBacks.as_ptr().cast(),
            ffi::kCFTypeDictionaryValueCallBacks.as_ptr().cast(),
        );
        let class = ffi::objc_getClass(c"NSNotificationCenter".as_ptr());
        if !class.is_null() && !user_info.is_null() && !name.is_null() {
            let send0: unsafe extern "C" fn(*mut c_void, *mut c_void) -> *mut c_void =
                core::mem::transmute(ffi::objc_msgSend as *const c_void);
            let send3: unsafe extern "C" fn(
                *mut c_void,
                *mut c_void,
                CFTypeRef,
                CFTypeRef,
                CFTypeRef,
            ) = core::mem::transmute(ffi::objc_msgSend as *const c_void);
            let center = send0(class, ffi::sel_registerName(c"defaultCenter".as_ptr()));
            if !center.is_null() {
                let post = ffi::sel_registerName(c"postNotificationName:object:userInfo:".as_ptr());
                send3(center, post, name, core::ptr::null(), user_info);
            }
        }
        for cf in keys.iter().chain(&values).chain([&name, &user_info]) {
            if !cf.is_null() {
                ffi::CFRelease(*cf);
            }
        }
    }
}

fn new_cf_string(s: &str) -> CFTypeRef {
    // SAFETY: `s` is valid UTF-8 of the given length; the caller releases the result.
    unsafe {
        ffi::CFStringCreateWithBytes(
            ffi::kCFAllocatorDefault,
            s.as_ptr(),
            s.len() as isize,
            ffi::UTF8,
            0,
        )
    }
}

fn cf_string(s: CFTypeRef) -> Option<String> {
    // SAFETY: `s` is a CFString; the buffer holds its UTF-8 form (≤ 4 bytes per UTF-16 unit) plus NUL.
    unsafe {
        let units = usize::try_from(ffi::CFStringGetLength(s)).ok()?.min(1024);
        let mut buf = alloc::vec![0u8; units * 4 + 1];
        if ffi::CFStringGetCString(
            s,
            buf.as_mut_ptr().cast::<c_char>(),
            buf.len() as isize,
            ffi::UTF8,
        ) == 0
        {
            return None;
        }
        let text = CStr::from_bytes_until_nul(&buf).ok()?;
        text.to_str().ok().map(String::from)
    }
}

fn sysctl_string(name: &CStr) -> Option<String> {
    let mut buf = [0u8; 256];
    let mut len = buf.len();
    // SAFETY: `buf`/`len` describe a writable buffer; no new value is set.
    let rc = unsafe {
        ffi::sysctlbyname(
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            &mut len,
            core::ptr::null_mut(),
            0,
        )
    };
    if rc != 0 {
        return None;
    }
    let text = CStr::from_bytes_until_nul(buf.get(..len.min(buf.len()))?).ok()?;
    text.to_str().ok().map(|s| String::from(s.trim()))
}

fn now_millis() -> i64 {
    let mut tv = ffi::Timeval {
        tv_sec: 0,
        tv_usec: 0,
    };
    // SAFETY: `tv` is a valid out-param; no time zone is requested.
    unsafe { ffi::gettimeofday(&mut tv, core::ptr::null_mut()) };
    tv.tv_sec
        .saturating_mul(1000)
        .saturating_add(i64::from(tv.tv_usec / 1000))
}

/// A `CFError` in domain `FuseCertificatePinning`, owned by the caller.
fn new_error() -> CFTypeRef {
    let domain = new_cf_string("FuseCertificatePinning");
    // SAFETY: `domain` is a CFString; CFErrorCreate retains it, so we release ours.
    unsafe {
        let error = ffi::CFErrorCreate(ffi::kCFAllocatorDefault, domain, -1, core::ptr::null());
        if !domain.is_null() {
            ffi::CFRelease(domain);
        }
        error
    }
}
