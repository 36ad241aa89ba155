//! JNI exports called by the bridge class `fuse.bridge.FuseNative` (smali in
//! `payloads/android/`). Also built for the host, where the JVM end-to-end test loads
//! the same exports.
//!
//! ```text
//! static native int      version();
//! static native boolean  init(byte[] policyBin);
//! static native String[] evaluate(String host, byte[][] chainDer, long nowMillis,
//!                                 String languageTag, int sdkInt);
//! ```
//!
//! `evaluate`'s result (all strings, so the bridge needs no other native types):
//!
//! ```text
//! [0] verdict     "0" not covered · "1" allowed · "2" violation
//! [1] flags       decimal bit set: 1 block · 2 dialog · 4 notice · 8 close app · 16 threat event · 32 log
//! [2] reasonCode  [3] reasonData  [4] title  [5] message   (localized for languageTag)
//! [6] N           number of dialog buttons, then N × (label, action, redirect)
//!                 action: "close" | "dismiss" | "redirect"
//! [7+3N ..]       threat-event context: key, value, key, value, … (empty unless flag 16)
//! ```
//!
//! A `null` result means the shim itself failed (out of memory in the VM); the bridge
//! logs it and leaves the connection to the platform's verdict.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_void;
use core::ptr;

use fuse_policy::event::Platform;

use crate::jni::{
    Env, JNI_ERR, JNI_VERSION_1_6, JavaVm, Jboolean, JbyteArray, Jclass, Jint, Jlong, JniEnv,
    JobjectArray, Jstring,
};
use crate::state::{self, Device};

/// Longest host name (RFC 1035: 253) with room for a trailing dot; longer = not a host.
const MAX_HOST_UNITS: usize = 254;
/// Language tags are short (`zh-Hant-TW`); anything longer is ignored.
const MAX_LANGUAGE_UNITS: usize = 64;

/// Refuses to load on a VM without JNI 1.6 (every Android version and JDK has it).
///
/// # Safety
/// Called by the VM with its own `JavaVM*`.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn JNI_OnLoad(vm: JavaVm, _reserved: *mut c_void) -> Jint {
    // SAFETY: `vm` is the pointer the VM passed to `JNI_OnLoad`.
    if unsafe { crate::jni::vm_supports(vm, JNI_VERSION_1_6) } {
        JNI_VERSION_1_6
    } else {
        JNI_ERR
    }
}

/// `FuseNative.version()`: the bridge ABI this library implements.
#[unsafe(no_mangle)]
pub extern "system" fn Java_fuse_bridge_FuseNative_version(_env: JniEnv, _class: Jclass) -> Jint {
    crate::ABI_VERSION
}

/// `FuseNative.init(byte[])`: loads `policy.bin`. Returns whether it decoded completely;
/// either way the runtime is installed (a corrupt blob fails closed where it can).
///
/// # Safety
/// Called by the VM with a live `JNIEnv*` for this thread.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn Java_fuse_bridge_FuseNative_init(
    env: JniEnv,
    _class: Jclass,
    policy: JbyteArray,
) -> Jboolean {
    // SAFETY: the VM passes its live env to a native method.
    let Some(env) = (unsafe { Env::from_raw(env) }) else {
        return 0;
    };
    let bytes = env
        .byte_array(policy, state::MAX_POLICY_BYTES)
        .unwrap_or_default();
    Jboolean::from(state::install(&bytes))
}

/// `FuseNative.evaluate(...)`: the verdict for the validated chain (leaf first, trust
/// anchor last) presented for `host`. Layout of the result: see the module docs.
///
/// # Safety
/// Called by the VM with a live `JNIEnv*` for this thread.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn Java_fuse_bridge_FuseNative_evaluate(
    env: JniEnv,
    _class: Jclass,
    host: Jstring,
    chain: JobjectArray,
    now_millis: Jlong,
    language: Jstring,
    sdk_int: Jint,
) -> JobjectArray {
    // SAFETY: the VM passes its live env to a native method.
    let Some(env) = (unsafe { Env::from_raw(env) }) else {
        return ptr::null_mut();
    };
    let host = env.string(host, MAX_HOST_UNITS).unwrap_or_default();
    let language = env.string(language, MAX_LANGUAGE_UNITS).unwrap_or_default();
    // An unreadable or oversized chain is evaluated as empty: it then matches no pin,
    // so a pinned host fails closed and an unpinned one is untouched.
    let certs = read_chain(env, chain).unwrap_or_default();
    let views: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
    let device = Device {
        language: &language,
        platform: Platform::Android,
        os_version: u32::try_from(sdk_int).unwrap_or(0),
        now_millis,
    };
    let outcome = state::evaluate(&host, &views, &device);
    if outcome.flags & state::flag::LOG != 0 && outcome.verdict == 2 {
        crate::log::warn(&format!("{}: {}", outcome.reason_code, outcome.reason_data));
    }
    let head = [
        format!("{}", outcome.verdict),
        format!("{}", outcome.flags),
        String::from(outcome.reason_code),
        outcome.reason_data,
        outcome.title,
        outcome.message,
        format!("{}", outcome.buttons.len()),
    ];
    let mut items: Vec<&str> = head.iter().map(String::as_str).collect();
    for (label, action, redirect) in &outcome.buttons {
        items.extend([label.as_str(), action, redirect.as_str()]);
    }
    for (key, value) in &outcome.event {
        items.extend([*key, value.as_str()]);
    }
    env.new_string_array(&items)
}

/// Copies a `byte[][]` of DER certificates, refusing absurd sizes.
fn read_chain(env: Env, chain: JobjectArray) -> Option<Vec<Vec<u8>>> {
    let n = env.array_length(chain)?;
    if n > state::MAX_CHAIN_CERTS {
        return None;
    }
    let mut certs = Vec::with_capacity(n);
    for i in 0..n {
        let element = env.object_array_element(chain, i);
        let der = env.byte_array(element, state::MAX_CERT_BYTES);
        env.delete_local_ref(element);
        certs.push(der?);
    }
    Some(certs)
}
