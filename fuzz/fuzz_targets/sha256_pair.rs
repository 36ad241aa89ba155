//! The two-lane SHA-256 (`fuse_accel`, the workspace's only unsafe code) against `sha2`:
//! the input is cut into two messages and each into pieces, fed through any mix of paired
//! and single updates; both digests must equal sha2's of the whole messages.
#![no_main]

use fuse_accel::sha256::{Sha256, update_pair, update_pair_parts};
use libfuzzer_sys::fuzz_target;
use sha2::Digest;

fuzz_target!(|data: &[u8]| {
    let Some((&[cut_hi, cut_lo, step, mode], rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let cut = (usize::from(cut_hi) << 8 | usize::from(cut_lo)).min(rest.len());
    let (a, b) = rest.split_at(cut);
    let step = usize::from(step) * 7 + 1;
    let (mut ha, mut hb) = (Sha256::new(), Sha256::new());
    if mode & 1 == 1 {
        let pa: Vec<&[u8]> = a.chunks(step).collect();
        let pb: Vec<&[u8]> = b.chunks(step + usize::from(mode >> 1)).collect();
        update_pair_parts(&mut ha, &pa, &mut hb, &pb);
    } else {
        let mut ca = a.chunks(step);
        let mut cb = b.chunks(step / 2 + 1);
        loop {
            match (ca.next(), cb.next()) {
                (None, None) => break,
                (Some(x), Some(y)) if mode & 2 == 2 => update_pair(&mut ha, x, &mut hb, y),
                (x, y) => {
                    ha.update(x.unwrap_or_default());
                    hb.update(y.unwrap_or_default());
                }
            }
        }
    }
    assert_eq!(ha.finalize(), <[u8; 32]>::from(sha2::Sha256::digest(a)));
    assert_eq!(hb.finalize(), <[u8; 32]>::from(sha2::Sha256::digest(b)));
});
