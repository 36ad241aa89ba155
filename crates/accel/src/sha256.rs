//! SHA-256 with a two-message fast path.
//!
//! ```text
//! Sha256 { state: [u32; 8], block: [u8; 64] (buffered bytes), len }   FIPS 180-4
//! update_pair(a, bytes_a, b, bytes_b):
//!     top up a's and b's partial blocks (one lane each)
//!     n = min(whole blocks left in a, in b) → compress both, interleaved, in one loop
//!     the rest of each (one lane each)
//! ```
//! The result is always exactly the SHA-256 of each message (tested against `sha2` over
//! random lengths and cut points); only the speed depends on how well the two messages
//! keep pace. Without SHA-NI (or off x86-64) the pair is compressed one after the other
//! with `sha2`'s own run-time-detected backend.

/// An incremental SHA-256.
#[derive(Clone)]
pub struct Sha256 {
    state: [u32; 8],
    block: [u8; 64],
    buffered: usize,
    len: u64,
}

const INITIAL: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Sha256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sha256")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl Sha256 {
    pub fn new() -> Self {
        Self {
            state: INITIAL,
            block: [0; 64],
            buffered: 0,
            len: 0,
        }
    }

    pub fn update(&mut self, data: &[u8]) {
        let data = self.top_up(data);
        let (blocks, rest) = data.as_chunks::<64>();
        sha2::block_api::compress256(&mut self.state, blocks);
        self.keep(rest);
    }

    pub fn finalize(mut self) -> [u8; 32] {
        let bits = self.len.wrapping_mul(8);
        let mut pad = [0u8; 72];
        pad[0] = 0x80;
        // 1 to 64 bytes of 0x80 00.. so that 8 bytes of length end a block.
        let zeros = (55usize.wrapping_sub(self.buffered)) % 64;
        let tail = pad.get(..1 + zeros).unwrap_or_default();
        self.update_no_count(tail);
        self.update_no_count(&bits.to_be_bytes());
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(self.state) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        out
    }

    fn update_no_count(&mut self, data: &[u8]) {
        let len = self.len;
        self.update(data);
        self.len = len;
    }

    /// Adds bytes to a partial block (compressing it once full); returns what is left.
    fn top_up<'d>(&mut self, data: &'d [u8]) -> &'d [u8] {
        self.len = self.len.wrapping_add(data.len() as u64);
        if self.buffered == 0 {
            return data;
        }
        let take = (64 - self.buffered).min(data.len());
        let (now, later) = data.split_at(take);
        if let Some(dst) = self.block.get_mut(self.buffered..self.buffered + take) {
            dst.copy_from_slice(now);
        }
        self.buffered += take;
        if self.buffered == 64 {
            sha2::block_api::compress256(&mut self.state, &[self.block]);
            self.buffered = 0;
        }
        later
    }

    /// Buffers fewer than 64 bytes left after whole blocks (the partial block is empty).
    fn keep(&mut self, rest: &[u8]) {
        if let Some(dst) = self
            .block
            .get_mut(self.buffered..self.buffered + rest.len())
        {
            dst.copy_from_slice(rest);
            self.buffered += rest.len();
        }
    }
}

/// SHA-256 of `data`.
pub fn digest(data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(data);
    h.finalize()
}

/// SHA-256 of two messages, hashed side by side.
pub fn digest_pair(a: &[u8], b: &[u8]) -> ([u8; 32], [u8; 32]) {
    let (mut ha, mut hb) = (Sha256::new(), Sha256::new());
    update_pair(&mut ha, a, &mut hb, b);
    (ha.finalize(), hb.finalize())
}

/// `a.update(a_data); b.update(b_data)`, with the whole blocks the two have in common
/// compressed together.
pub fn update_pair(a: &mut Sha256, a_data: &[u8], b: &mut Sha256, b_data: &[u8]) {
    let a_data = a.top_up(a_data);
    let b_data = b.top_up(b_data);
    // A partial block left means that side's data is used up; the other goes on alone.
    if a.buffered != 0 || b.buffered != 0 {
        a.update_no_count(a_data);
        b.update_no_count(b_data);
        return;
    }
    let (a_blocks, a_rest) = a_data.as_chunks::<64>();
    let (b_blocks, b_rest) = b_data.as_chunks::<64>();
    let n = a_blocks.len().min(b_blocks.len());
    let (a_both, a_alone) = a_blocks.split_at(n);
    let (b_both, b_alone) = b_blocks.split_at(n);
    compress_pair(&mut a.state, a_both, &mut b.state, b_both);
    sha2::block_api::compress256(&mut a.state, a_alone);
    sha2::block_api::compress256(&mut b.state, b_alone);
    a.keep(a_rest);
    b.keep(b_rest);
}

/// [`update_pair`] over two messages each given in parts (of any lengths): the parts
/// are walked in step so that every stretch both messages have is hashed side by side.
pub fn update_pair_parts(a: &mut Sha256, a_parts: &[&[u8]], b: &mut Sha256, b_parts: &[&[u8]]) {
    let mut a_iter = a_parts.iter().copied();
    let mut b_iter = b_parts.iter().copied();
    let (mut ca, mut cb): (&[u8], &[u8]) = (&[], &[]);
    loop {
        while ca.is_empty() {
            match a_iter.next() {
                Some(p) => ca = p,
                None => break,
            }
        }
        while cb.is_empty() {
            match b_iter.next() {
                Some(p) => cb = p,
                None => break,
            }
        }
        if ca.is_empty() || cb.is_empty() {
            break;
        }
        let n = ca.len().min(cb.len());
        let (now_a, later_a) = ca.split_at(n);
        let (now_b, later_b) = cb.split_at(n);
        update_pair(a, now_a, b, now_b);
        (ca, cb) = (later_a, later_b);
    }
    a.update(ca);
    a_iter.for_each(|p| a.update(p));
    b.update(cb);
    b_iter.for_each(|p| b.update(p));
}

/// Compresses `a` into `sa` and `b` into `sb` (equally many blocks).
fn compress_pair(sa: &mut [u32; 8], a: &[[u8; 64]], sb: &mut [u32; 8], b: &[[u8; 64]]) {
    #[cfg(target_arch = "x86_64")]
    if x86::available() {
        x86::compress_pair(sa, a, sb, b);
        return;
    }
    sha2::block_api::compress256(sa, a);
    sha2::block_api::compress256(sb, b);
}

/// Whether the two-lane path is in use on this machine.
pub fn two_lane() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        x86::available()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! Two SHA-NI compressions interleaved instruction by instruction; the round
    //! structure is Intel's (SHA extensions white paper, 2013), as in `sha2`'s backend.
    #![allow(unsafe_code)]

    use core::arch::x86_64::*;

    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    pub(super) fn available() -> bool {
        std::is_x86_feature_detected!("sha")
            && std::is_x86_feature_detected!("sse4.1")
            && std::is_x86_feature_detected!("ssse3")
    }

    pub(super) fn compress_pair(
        sa: &mut [u32; 8],
        a: &[[u8; 64]],
        sb: &mut [u32; 8],
        b: &[[u8; 64]],
    ) {
        // SAFETY: `available()` was checked by the caller: the CPU has every feature the
        // function is compiled for.
        unsafe { lanes(sa, a, sb, b) }
    }

    #[inline(always)]
    fn k(r: usize) -> __m128i {
        let q = K.as_chunks::<4>().0.get(r).copied().unwrap_or_default();
        // SAFETY: `q` is a [u32; 4], 16 readable bytes; loadu has no alignment needs.
        unsafe { _mm_loadu_si128(q.as_ptr().cast()) }
    }

    #[inline]
    #[target_feature(enable = "sse2,ssse3,sse4.1")]
    fn load_block(block: &[u8; 64]) -> [__m128i; 4] {
        let mask = _mm_set_epi64x(0x0C0D_0E0F_0809_0A0B, 0x0405_0607_0001_0203);
        let q: *const __m128i = block.as_ptr().cast();
        // SAFETY: four unaligned 16-byte loads inside the 64-byte block.
        unsafe {
            [
                _mm_shuffle_epi8(_mm_loadu_si128(q), mask),
                _mm_shuffle_epi8(_mm_loadu_si128(q.add(1)), mask),
                _mm_shuffle_epi8(_mm_loadu_si128(q.add(2)), mask),
                _mm_shuffle_epi8(_mm_loadu_si128(q.add(3)), mask),
            ]
        }
    }

    /// State words → the (ABEF, CDGH) register layout of `sha256rnds2`.
    #[inline]
    #[target_feature(enable = "sse2,ssse3,sse4.1")]
    fn to_lanes(s: &[u32; 8]) -> (__m128i, __m128i) {
        // SAFETY: two unaligned 16-byte loads inside the 32-byte state.
        let (dcba, hgfe) = unsafe {
            let p: *const __m128i = s.as_ptr().cast();
            (_mm_loadu_si128(p), _mm_loadu_si128(p.add(1)))
        };
        let cdab = _mm_shuffle_epi32(dcba, 0xB1);
        let efgh = _mm_shuffle_epi32(hgfe, 0x1B);
        (
            _mm_alignr_epi8(cdab, efgh, 8),
            _mm_blend_epi16(efgh, cdab, 0xF0),
        )
    }

    #[inline]
    #[target_feature(enable = "sse2,ssse3,sse4.1")]
    fn from_lanes(s: &mut [u32; 8], abef: __m128i, cdgh: __m128i) {
        let feba = _mm_shuffle_epi32(abef, 0x1B);
        let dchg = _mm_shuffle_epi32(cdgh, 0xB1);
        let dcba = _mm_blend_epi16(feba, dchg, 0xF0);
        let hgef = _mm_alignr_epi8(dchg, feba, 8);
        // SAFETY: two unaligned 16-byte stores inside the 32-byte state.
        unsafe {
            let p: *mut __m128i = s.as_mut_ptr().cast();
            _mm_storeu_si128(p, dcba);
            _mm_storeu_si128(p.add(1), hgef);
        }
    }

    /// Four rounds of one lane.
    macro_rules! rounds4 {
        ($r:expr, $abef:ident, $cdgh:ident, $w:expr) => {{
            let t = _mm_add_epi32($w, k($r));
            $cdgh = _mm_sha256rnds2_epu32($cdgh, $abef, t);
            $abef = _mm_sha256rnds2_epu32($abef, $cdgh, _mm_shuffle_epi32(t, 0x0E));
        }};
    }

    /// The next four message words of one lane, in place of `w[i]`.
    macro_rules! schedule {
        ($w:ident, $i:expr) => {{
            let t = _mm_add_epi32(
                _mm_sha256msg1_epu32($w[$i], $w[($i + 1) % 4]),
                _mm_alignr_epi8($w[($i + 3) % 4], $w[($i + 2) % 4], 4),
            );
            $w[$i] = _mm_sha256msg2_epu32(t, $w[($i + 3) % 4]);
        }};
    }

    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn lanes(sa: &mut [u32; 8], a: &[[u8; 64]], sb: &mut [u32; 8], b: &[[u8; 64]]) {
        let (mut abef_a, mut cdgh_a) = to_lanes(sa);
        let (mut abef_b, mut cdgh_b) = to_lanes(sb);
        for (block_a, block_b) in a.iter().zip(b) {
            let saved = (abef_a, cdgh_a, abef_b, cdgh_b);
            let mut wa = load_block(block_a);
            let mut wb = load_block(block_b);
            rounds4!(0, abef_a, cdgh_a, wa[0]);
            rounds4!(0, abef_b, cdgh_b, wb[0]);
            rounds4!(1, abef_a, cdgh_a, wa[1]);
            rounds4!(1, abef_b, cdgh_b, wb[1]);
            rounds4!(2, abef_a, cdgh_a, wa[2]);
            rounds4!(2, abef_b, cdgh_b, wb[2]);
            rounds4!(3, abef_a, cdgh_a, wa[3]);
            rounds4!(3, abef_b, cdgh_b, wb[3]);
            for r in [4, 8, 12] {
                schedule!(wa, 0);
                schedule!(wb, 0);
                rounds4!(r, abef_a, cdgh_a, wa[0]);
                rounds4!(r, abef_b, cdgh_b, wb[0]);
                schedule!(wa, 1);
                schedule!(wb, 1);
                rounds4!(r + 1, abef_a, cdgh_a, wa[1]);
                rounds4!(r + 1, abef_b, cdgh_b, wb[1]);
                schedule!(wa, 2);
                schedule!(wb, 2);
                rounds4!(r + 2, abef_a, cdgh_a, wa[2]);
                rounds4!(r + 2, abef_b, cdgh_b, wb[2]);
                schedule!(wa, 3);
                schedule!(wb, 3);
                rounds4!(r + 3, abef_a, cdgh_a, wa[3]);
                rounds4!(r + 3, abef_b, cdgh_b, wb[3]);
            }
            abef_a = _mm_add_epi32(abef_a, saved.0);
            cdgh_a = _mm_add_epi32(cdgh_a, saved.1);
            abef_b = _mm_add_epi32(abef_b, saved.2);
            cdgh_b = _mm_add_epi32(cdgh_b, saved.3);
        }
        from_lanes(sa, abef_a, cdgh_a);
        from_lanes(sb, abef_b, cdgh_b);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use sha2::Digest;

    use super::*;

    fn reference(data: &[u8]) -> [u8; 32] {
        sha2::Sha256::digest(data).into()
    }

    fn bytes(len: usize, seed: u8) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    }

    #[test]
    fn fips_180_examples() {
        assert_eq!(digest(b"abc"), reference(b"abc"),);
        let hex: String = digest(b"").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn every_length_around_the_padding_edges() {
        for len in 0..200 {
            let a = bytes(len, 1);
            let b = bytes(200 - len, 2);
            assert_eq!(digest(&a), reference(&a), "len {len}");
            assert_eq!(
                digest_pair(&a, &b),
                (reference(&a), reference(&b)),
                "len {len}"
            );
        }
    }

    #[test]
    fn a_megabyte_pair_like_two_apk_chunks() {
        let a = bytes(1 << 20, 3);
        let b = bytes((1 << 20) - 17, 4);
        assert_eq!(digest_pair(&a, &b), (reference(&a), reference(&b)));
    }

    #[test]
    fn parts_in_step_or_not() {
        let a = bytes(5000, 7);
        let b = bytes(4000, 8);
        let (mut ha, mut hb) = (Sha256::new(), Sha256::new());
        update_pair_parts(
            &mut ha,
            &[&a[..5], &[], &a[5..1000], &a[1000..]],
            &mut hb,
            &[&b[..3000], &b[3000..]],
        );
        assert_eq!(
            (ha.finalize(), hb.finalize()),
            (reference(&a), reference(&b))
        );
    }

    proptest! {
        /// Any sequence of paired and single updates equals sha2 on the concatenations.
        #[test]
        fn streams_match_sha2(
            steps in prop::collection::vec((0usize..300, 0usize..300, any::<bool>()), 1..12),
            seed in any::<u8>(),
        ) {
            let (mut ha, mut hb) = (Sha256::new(), Sha256::new());
            let (mut all_a, mut all_b) = (Vec::new(), Vec::new());
            for (i, (la, lb, paired)) in steps.into_iter().enumerate() {
                let a = bytes(la, seed.wrapping_add(i as u8));
                let b = bytes(lb, seed.wrapping_sub(i as u8));
                if paired {
                    update_pair(&mut ha, &a, &mut hb, &b);
                } else {
                    ha.update(&a);
                    hb.update(&b);
                }
                all_a.extend_from_slice(&a);
                all_b.extend_from_slice(&b);
            }
            prop_assert_eq!(ha.finalize(), reference(&all_a));
            prop_assert_eq!(hb.finalize(), reference(&all_b));
        }
    }
}
