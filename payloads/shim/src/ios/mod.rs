//! iOS: a constructor loads `fuse/policy.bin` from the app bundle and rebinds
//! `SecTrustEvaluateWithError` / `SecTrustEvaluate` in every loaded image, so each
//! TLS trust evaluation of the app (URLSession, Network.framework's callers of
//! SecTrust, third-party stacks using Security) is followed by the policy's verdict.
//!
//! Cannot run on this Linux machine: it is built and linked here (structural tests
//! check the dylib) and every decision it follows is made by the host-tested policy.
//! Kept small: the platform glue only.

mod ffi;
mod rebind;
mod trust;

use alloc::vec::Vec;
use core::ffi::c_void;

use crate::state;

/// Runs when dyld loads the dylib (listed in `__DATA,__mod_init_func`). Exported under
/// a fixed name so the structural tests can find the constructor with `llvm-nm`.
#[unsafe(no_mangle)]
pub extern "C" fn fusepin_ios_init() {
    let policy = read_policy().unwrap_or_default();
    state::install(&policy);
    trust::resolve_originals();
    // SAFETY: the callback has the signature dyld expects; dyld calls it for every
    // image already loaded and for each one loaded later.
    unsafe { ffi::_dyld_register_func_for_add_image(rebind::on_image_added) };
}

#[used]
#[unsafe(link_section = "__DATA,__mod_init_func,mod_init_funcs")]
static CONSTRUCTOR: extern "C" fn() = fusepin_ios_init;

/// `<App>.app/fuse/policy.bin`: the dylib lives in `<App>.app/Frameworks/`.
fn read_policy() -> Option<Vec<u8>> {
    let mut info = ffi::DlInfo {
        dli_fname: core::ptr::null(),
        dli_fbase: core::ptr::null_mut(),
        dli_sname: core::ptr::null(),
        dli_saddr: core::ptr::null_mut(),
    };
    // SAFETY: any address inside this image identifies it; `info` is a valid out-param.
    if unsafe { ffi::dladdr(fusepin_ios_init as *const c_void, &mut info) } == 0
        || info.dli_fname.is_null()
    {
        return None;
    }
    // SAFETY: dyld's image path is a NUL-terminated string that lives as long as the image.
    let own = unsafe { core::ffi::CStr::from_ptr(info.dli_fname) }.to_bytes();
    fn parent(path: &[u8]) -> Option<&[u8]> {
        path.get(..path.iter().rposition(|&b| b == b'/')?)
    }
    let bundle = parent(own).and_then(parent)?;
    let mut path = Vec::from(bundle);
    path.extend_from_slice(b"/fuse/policy.bin\0");
    // SAFETY: `path` is NUL-terminated; O_RDONLY takes no mode argument.
    let fd = unsafe { ffi::open(path.as_ptr().cast(), ffi::O_RDONLY) };
    if fd < 0 {
        crate::log::warn("fuse/policy.bin not found in the app bundle; protection inactive");
        return None;
    }
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        // SAFETY: `chunk` is a writable buffer of its length; `fd` is open.
        let n = unsafe { ffi::read(fd, chunk.as_mut_ptr().cast(), chunk.len()) };
        let Ok(n) = usize::try_from(n) else { break };
        if n == 0 || bytes.len() + n > state::MAX_POLICY_BYTES {
            break;
        }
        bytes.extend_from_slice(chunk.get(..n)?);
    }
    // SAFETY: `fd` was opened above and is closed once.
    unsafe { ffi::close(fd) };
    Some(bytes)
}
