//! Minimal JNI bindings: the types and the handful of `JNIEnv` / `JavaVM` function-table
//! entries the shim calls, by their index in the tables of the JNI specification
//! (`jni.h`: `struct JNINativeInterface_` / `JNIInvokeInterface_`). The tables are
//! arrays of pointers, so an entry is read as `table[index]` and transmuted to its
//! documented signature. Indices are stable across every JNI version.
//!
//! ```text
//! JNIEnv* ──► *const JNINativeInterface ──► [ reserved0..3 | GetVersion (4) | ... ]
//! JavaVM* ──► *const JNIInvokeInterface ──► [ reserved0..2 | DestroyJavaVM (3) | ... | GetEnv (6) ]
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::{c_char, c_void};
use core::ptr;

pub type Jint = i32;
pub type Jlong = i64;
pub type Jsize = Jint;
pub type Jboolean = u8;
pub type Jobject = *mut c_void;
pub type Jclass = Jobject;
pub type Jstring = Jobject;
pub type JobjectArray = Jobject;
pub type JbyteArray = Jobject;

/// `JNIEnv`: a pointer to the function table.
pub type JniEnv = *const *const c_void;
/// `JavaVM`: a pointer to the invocation table.
pub type JavaVm = *const *const c_void;

pub const JNI_OK: Jint = 0;
pub const JNI_ERR: Jint = -1;
/// The version the shim needs (Android supports 1.6 since API 1; the JDK too).
pub const JNI_VERSION_1_6: Jint = 0x0001_0006;

/// `JNIEnv` function-table indices (JNI specification, "Interface Function Table").
mod index {
    pub const EXCEPTION_CLEAR: usize = 17;
    pub const DELETE_LOCAL_REF: usize = 23;
    pub const FIND_CLASS: usize = 6;
    pub const NEW_STRING: usize = 163;
    pub const GET_STRING_LENGTH: usize = 164;
    pub const GET_ARRAY_LENGTH: usize = 171;
    pub const NEW_OBJECT_ARRAY: usize = 172;
    pub const GET_OBJECT_ARRAY_ELEMENT: usize = 173;
    pub const SET_OBJECT_ARRAY_ELEMENT: usize = 174;
    pub const GET_BYTE_ARRAY_REGION: usize = 200;
    pub const GET_STRING_REGION: usize = 220;
    pub const EXCEPTION_CHECK: usize = 228;
    /// In the `JavaVM` invocation table.
    pub const VM_GET_ENV: usize = 6;
}

/// Reads entry `index` of the table behind `env_or_vm`.
///
/// # Safety
/// `env_or_vm` must be a live `JNIEnv*` or `JavaVM*` handed over by the VM and `index`
/// one of the entries above for that table.
unsafe fn entry(env_or_vm: *const *const c_void, index: usize) -> *const c_void {
    // SAFETY: per the contract above, `*env_or_vm` is the VM's function table, which
    // has more than `index` entries.
    unsafe { *(*env_or_vm).cast::<*const c_void>().add(index) }
}

/// Calls entry `$index` of `$env`'s table as `extern "system" fn($env, $args...) -> $ret`.
macro_rules! call {
    ($env:expr, $index:expr, fn($($ty:ty),*) -> $ret:ty, $($arg:expr),*) => {{
        let f: unsafe extern "system" fn(JniEnv $(, $ty)*) -> $ret =
            core::mem::transmute(entry($env, $index));
        f($env $(, $arg)*)
    }};
}

/// A `JNIEnv*` valid for the current native call on the current thread.
#[derive(Clone, Copy)]
pub struct Env(JniEnv);

impl Env {
    /// # Safety
    /// `env` must be the `JNIEnv*` the VM passed to the current native method.
    pub unsafe fn from_raw(env: JniEnv) -> Option<Self> {
        if env.is_null() { None } else { Some(Self(env)) }
    }

    /// True (and cleared, so the caller can return normally) when a JNI call threw.
    pub fn take_exception(self) -> bool {
        // SAFETY: `self.0` is a live env (constructor contract); ExceptionCheck has
        // the signature `jboolean (JNIEnv*)`.
        let pending = unsafe { call!(self.0, index::EXCEPTION_CHECK, fn() -> Jboolean,) } != 0;
        if pending {
            // SAFETY: as above; `void ExceptionClear(JNIEnv*)`.
            unsafe { call!(self.0, index::EXCEPTION_CLEAR, fn() -> (),) };
        }
        pending
    }

    pub fn delete_local_ref(self, obj: Jobject) {
        if !obj.is_null() {
            // SAFETY: `obj` is a local reference this native frame owns.
            unsafe { call!(self.0, index::DELETE_LOCAL_REF, fn(Jobject) -> (), obj) };
        }
    }

    /// Length of a Java array, or `None` for null / on error.
    pub fn array_length(self, array: Jobject) -> Option<usize> {
        if array.is_null() {
            return None;
        }
        // SAFETY: `array` is a non-null local reference to an array.
        let len = unsafe { call!(self.0, index::GET_ARRAY_LENGTH, fn(Jobject) -> Jsize, array) };
        if self.take_exception() {
            None
        } else {
            usize::try_from(len).ok()
        }
    }

    /// Copies a `byte[]` of at most `limit` bytes.
    pub fn byte_array(self, array: JbyteArray, limit: usize) -> Option<Vec<u8>> {
        let len = self.array_length(array)?;
        if len > limit {
            return None;
        }
        let mut out: Vec<u8> = Vec::new();
        out.try_reserve_exact(len).ok()?;
        out.resize(len, 0);
        let jlen = Jsize::try_from(len).ok()?;
        // SAFETY: `out` has `len` writable bytes and `[0, len)` is inside the array;
        // `void GetByteArrayRegion(JNIEnv*, jbyteArray, jsize, jsize, jbyte*)`.
        unsafe {
            call!(
                self.0,
                index::GET_BYTE_ARRAY_REGION,
                fn(Jobject, Jsize, Jsize, *mut u8) -> (),
                array,
                0,
                jlen,
                out.as_mut_ptr()
            )
        };
        if self.take_exception() {
            None
        } else {
            Some(out)
        }
    }

    /// Element `i` of an object array as a new local reference (null on error).
    pub fn object_array_element(self, array: JobjectArray, i: usize) -> Jobject {
        let Ok(i) = Jsize::try_from(i) else {
            return ptr::null_mut();
        };
        // SAFETY: `array` is a live `Object[]` and `i` is below its length (callers
        // iterate up to `array_length`).
        let obj = unsafe {
            call!(
                self.0,
                index::GET_OBJECT_ARRAY_ELEMENT,
                fn(Jobject, Jsize) -> Jobject,
                array,
                i
            )
        };
        if self.take_exception() {
            ptr::null_mut()
        } else {
            obj
        }
    }

    /// A Java `String` as Rust UTF-8 (unpaired surrogates replaced), at most `limit` UTF-16 units.
    pub fn string(self, s: Jstring, limit: usize) -> Option<String> {
        if s.is_null() {
            return None;
        }
        // SAFETY: `s` is a live `java.lang.String`; `jsize GetStringLength(JNIEnv*, jstring)`.
        let len = unsafe { call!(self.0, index::GET_STRING_LENGTH, fn(Jobject) -> Jsize, s) };
        let len = usize::try_from(len).ok().filter(|&n| n <= limit)?;
        let mut units: Vec<u16> = Vec::new();
        units.try_reserve_exact(len).ok()?;
        units.resize(len, 0);
        let jlen = Jsize::try_from(len).ok()?;
        // SAFETY: `units` has room for `len` UTF-16 units, the whole string;
        // `void GetStringRegion(JNIEnv*, jstring, jsize, jsize, jchar*)`.
        unsafe {
            call!(
                self.0,
                index::GET_STRING_REGION,
                fn(Jobject, Jsize, Jsize, *mut u16) -> (),
                s,
                0,
                jlen,
                units.as_mut_ptr()
            )
        };
        if self.take_exception() {
            return None;
        }
        Some(
            char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect(),
        )
    }

    /// A new Java `String` from UTF-8 (via UTF-16, so any Unicode text is safe —
    /// `NewStringUTF` would need *modified* UTF-8).
    pub fn new_string(self, s: &str) -> Jstring {
        let units: Vec<u16> = s.encode_utf16().collect();
        let Ok(len) = Jsize::try_from(units.len()) else {
            return ptr::null_mut();
        };
        // SAFETY: `units` holds `len` UTF-16 units; `jstring NewString(JNIEnv*, const jchar*, jsize)`.
        let out = unsafe {
            call!(
                self.0,
                index::NEW_STRING,
                fn(*const u16, Jsize) -> Jobject,
                units.as_ptr(),
                len
            )
        };
        if self.take_exception() {
            ptr::null_mut()
        } else {
            out
        }
    }

    /// A new `String[]` holding `items`, or null if the VM is out of memory.
    pub fn new_string_array(self, items: &[&str]) -> JobjectArray {
        // SAFETY: a NUL-terminated class name; `jclass FindClass(JNIEnv*, const char*)`.
        let class = unsafe {
            call!(
                self.0,
                index::FIND_CLASS,
                fn(*const c_char) -> Jobject,
                c"java/lang/String".as_ptr()
            )
        };
        if class.is_null() || self.take_exception() {
            return ptr::null_mut();
        }
        let Ok(len) = Jsize::try_from(items.len()) else {
            return ptr::null_mut();
        };
        // SAFETY: `class` is `java.lang.String`; a null initial element is allowed;
        // `jobjectArray NewObjectArray(JNIEnv*, jsize, jclass, jobject)`.
        let array = unsafe {
            call!(
                self.0,
                index::NEW_OBJECT_ARRAY,
                fn(Jsize, Jobject, Jobject) -> Jobject,
                len,
                class,
                ptr::null_mut()
            )
        };
        self.delete_local_ref(class);
        if array.is_null() || self.take_exception() {
            return ptr::null_mut();
        }
        for (i, item) in (0..len).zip(items) {
            let s = self.new_string(item);
            if s.is_null() {
                self.delete_local_ref(array);
                return ptr::null_mut();
            }
            // SAFETY: `array` is a `String[len]`, `i < len`, `s` is a `String`;
            // `void SetObjectArrayElement(JNIEnv*, jobjectArray, jsize, jobject)`.
            unsafe {
                call!(
                    self.0,
                    index::SET_OBJECT_ARRAY_ELEMENT,
                    fn(Jobject, Jsize, Jobject) -> (),
                    array,
                    i,
                    s
                )
            };
            self.delete_local_ref(s);
            if self.take_exception() {
                self.delete_local_ref(array);
                return ptr::null_mut();
            }
        }
        array
    }
}

/// Asks the VM for a `JNIEnv` of at least `version` on this thread (`JNI_OnLoad`'s check).
///
/// # Safety
/// `vm` must be the `JavaVM*` passed to `JNI_OnLoad`.
pub unsafe fn vm_supports(vm: JavaVm, version: Jint) -> bool {
    if vm.is_null() {
        return false;
    }
    let mut env: *mut c_void = ptr::null_mut();
    // SAFETY: `vm` is live (contract); `jint GetEnv(JavaVM*, void**, jint)` writes `env`.
    let rc = unsafe {
        let f: unsafe extern "system" fn(JavaVm, *mut *mut c_void, Jint) -> Jint =
            core::mem::transmute(entry(vm, index::VM_GET_ENV));
        f(vm, &mut env, version)
    };
    rc == JNI_OK && !env.is_null()
}
