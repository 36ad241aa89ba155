//! The global allocator: libc `malloc`/`free`, so the shim shares the host process's
//! heap instead of carrying one of its own.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;
use core::ptr;

use crate::sys;

/// What `malloc` guarantees on every target we build for (bionic, glibc and Darwin
/// align to 16 bytes on 64-bit targets, 8 on 32-bit ones).
const MALLOC_ALIGN: usize = if cfg!(target_pointer_width = "64") {
    16
} else {
    8
};

pub struct LibcAllocator;

impl LibcAllocator {
    fn malloc_suffices(layout: &Layout) -> bool {
        layout.align() <= MALLOC_ALIGN && layout.align() <= layout.size()
    }
}

// SAFETY: every method returns memory from the C allocator that satisfies `layout`
// (plain `malloc` when its guaranteed alignment suffices, `posix_memalign` otherwise)
// and releases it with the matching `free`.
unsafe impl GlobalAlloc for LibcAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if Self::malloc_suffices(&layout) {
            // SAFETY: `malloc` accepts any size; a null result is passed on as the
            // allocation failure `GlobalAlloc` expects.
            return unsafe { sys::malloc(layout.size()) }.cast();
        }
        let align = layout.align().max(core::mem::size_of::<usize>());
        let mut out: *mut c_void = ptr::null_mut();
        // SAFETY: `align` is a power of two (from `Layout`) and a multiple of the
        // pointer size, as `posix_memalign` requires; `out` is a valid place to write.
        let rc = unsafe { sys::posix_memalign(&mut out, align, layout.size()) };
        if rc == 0 { out.cast() } else { ptr::null_mut() }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from `malloc`, `realloc` or `posix_memalign` above, all of
        // which `free` releases.
        unsafe { sys::free(ptr.cast()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN && layout.align() <= new_size {
            // SAFETY: `ptr` is a live C allocation and the alignment `realloc` keeps
            // (the `malloc` one) satisfies `layout.align()`.
            return unsafe { sys::realloc(ptr.cast(), new_size) }.cast();
        }
        // Over-aligned: allocate, copy, free (what `GlobalAlloc::realloc` does by default).
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return ptr::null_mut();
        };
        // SAFETY: `new_layout` is valid (checked above); a null result is passed on.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live, distinct, and at least `min(old, new)` long.
            unsafe { ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
            // SAFETY: `ptr` is the old live block, released exactly once.
            unsafe { self.dealloc(ptr, layout) };
        }
        new
    }
}
