//! Checking one entry's data against its declared sizes and CRC-32 while it streams.
//!
//! ```text
//! compressed data, in pieces ──▶ inflate (deflated) | as is (stored) ──▶ uncompressed bytes ──▶ caller
//!                                   └ bytes counted against the declared size, CRC-32 against the declared CRC
//! ```
//! The pieces may come from `pread` blocks (`Archive::stream`) or from the signer's
//! output buffers (`apk::stream`), where an entry can span two buffers; both use this one
//! state machine, so a lie is reported with the same words wherever it is found.

use flate2::{Decompress, FlushDecompress, Status};

use super::read::Entry;
use super::records::METHOD_DEFLATED;

/// Largest inflate output block.
const OUT_BLOCK: usize = 64 << 10;

/// Inflate state and output buffer, reusable from one entry to the next.
pub struct Inflater {
    z: Decompress,
    out: Vec<u8>,
}

impl Inflater {
    /// An inflater whose output buffer holds `out_len` bytes (1..=64 KiB): small entries
    /// streamed once get small buffers, long-lived inflaters the full block.
    pub fn with_output(out_len: usize) -> Self {
        Self {
            z: Decompress::new(false),
            out: vec![0u8; out_len.clamp(1, OUT_BLOCK)],
        }
    }
}

impl Default for Inflater {
    fn default() -> Self {
        Self::with_output(OUT_BLOCK)
    }
}

/// Why checking failed: the data lies (`Data`, the reason), or the caller's sink refused.
#[derive(Debug)]
pub enum Fault<E> {
    Data(String),
    Sink(E),
}

/// What the data turned out to be (equal to what was declared, or `finish` fails).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    pub crc32: u32,
    pub uncompressed_size: u64,
}

/// The running check of one entry.
pub struct DataCheck {
    deflated: bool,
    declared: u64,
    declared_crc: u32,
    crc: crc32fast::Hasher,
    produced: u64,
    started: bool,
    ended: bool,
}

impl DataCheck {
    /// Whether the entry is stored: its uncompressed bytes are the raw bytes fed.
    pub fn stored(&self) -> bool {
        !self.deflated
    }

    pub fn new(method: u16, uncompressed_size: u64, crc32: u32) -> Self {
        Self {
            deflated: method == METHOD_DEFLATED,
            declared: uncompressed_size,
            declared_crc: crc32,
            crc: crc32fast::Hasher::new(),
            produced: 0,
            started: false,
            ended: false,
        }
    }

    pub fn for_entry(e: &Entry) -> Self {
        Self::new(e.central.method, e.uncompressed_size(), e.crc32())
    }

    /// Feeds the next piece of compressed data; uncompressed bytes go to `sink`.
    pub fn feed<E>(
        &mut self,
        inflater: &mut Inflater,
        piece: &[u8],
        sink: &mut impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), Fault<E>> {
        if !self.deflated {
            self.produced += piece.len() as u64;
            self.check_not_over()?;
            self.crc.update(piece);
            return sink(piece).map_err(Fault::Sink);
        }
        if !self.started {
            inflater.z.reset(false);
            self.started = true;
        }
        if self.ended {
            if piece.is_empty() {
                return Ok(());
            }
            return Err(data_follows());
        }
        self.inflate(inflater, piece, FlushDecompress::None, sink)
    }

    /// Ends the entry: the deflate stream must be complete, the sizes and CRC-32 those
    /// declared.
    pub fn finish<E>(
        mut self,
        inflater: &mut Inflater,
        sink: &mut impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<Checked, Fault<E>> {
        if self.deflated && !self.ended {
            if !self.started {
                inflater.z.reset(false);
                self.started = true;
            }
            self.inflate(inflater, &[], FlushDecompress::Finish, sink)?;
            if !self.ended {
                return Err(Fault::Data(
                    "its deflate stream ends early (truncated data)".to_owned(),
                ));
            }
        }
        if self.produced != self.declared {
            return Err(Fault::Data(format!(
                "it inflates to {} bytes, not its declared {}",
                self.produced, self.declared
            )));
        }
        let crc32 = self.crc.finalize();
        if crc32 != self.declared_crc {
            return Err(Fault::Data("its CRC-32 does not match its data".to_owned()));
        }
        Ok(Checked {
            crc32,
            uncompressed_size: self.produced,
        })
    }

    fn check_not_over<E>(&self) -> Result<(), Fault<E>> {
        if self.produced > self.declared {
            return Err(Fault::Data(format!(
                "it inflates to more than its declared {} bytes",
                self.declared
            )));
        }
        Ok(())
    }

    /// Inflates all of `input` (and, with `Finish`, whatever the stream still holds),
    /// stopping at the end of the deflate stream.
    fn inflate<E>(
        &mut self,
        inflater: &mut Inflater,
        mut input: &[u8],
        flush: FlushDecompress,
        sink: &mut impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), Fault<E>> {
        let Inflater { z, out } = inflater;
        loop {
            let before_in = z.total_in();
            let before_out = z.total_out();
            let status = z
                .decompress(input, out, flush)
                .map_err(|err| Fault::Data(format!("corrupt deflate data ({err})")))?;
            let used = (z.total_in() - before_in) as usize;
            let made = (z.total_out() - before_out) as usize;
            input = input.get(used..).unwrap_or_default();
            self.produced += made as u64;
            self.check_not_over()?;
            let bytes = out.get(..made).unwrap_or_default();
            self.crc.update(bytes);
            sink(bytes).map_err(Fault::Sink)?;
            if status == Status::StreamEnd {
                self.ended = true;
                if !input.is_empty() {
                    return Err(data_follows());
                }
                return Ok(());
            }
            if used == 0 && made == 0 {
                // No progress: more input is needed (or, when finishing, there is none).
                return Ok(());
            }
            if input.is_empty() && made < out.len() && matches!(flush, FlushDecompress::None) {
                return Ok(());
            }
        }
    }
}

fn data_follows<E>() -> Fault<E> {
    Fault::Data("data follows the end of its deflate stream (declared size lie)".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn run(method: u16, declared: u64, crc: u32, pieces: &[&[u8]]) -> Result<Vec<u8>, String> {
        let mut inf = Inflater::with_output(7);
        let mut out = Vec::new();
        let mut sink = |b: &[u8]| -> Result<(), ()> {
            out.extend_from_slice(b);
            Ok(())
        };
        let mut check = DataCheck::new(method, declared, crc);
        let result = (|| {
            for p in pieces {
                check.feed(&mut inf, p, &mut sink)?;
            }
            check.finish(&mut inf, &mut sink)
        })();
        match result {
            Ok(c) => {
                assert_eq!(c.crc32, crc);
                Ok(out)
            }
            Err(Fault::Data(why)) => Err(why),
            Err(Fault::Sink(())) => Err("sink".to_owned()),
        }
    }

    #[test]
    fn pieces_of_any_size_inflate_to_the_same_bytes() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let z = deflate(&data);
        let crc = crc32fast::hash(&data);
        for cut in [0, 1, 13, z.len() / 2, z.len()] {
            let (a, b) = z.split_at(cut);
            let got = run(METHOD_DEFLATED, data.len() as u64, crc, &[a, &[], b]).unwrap();
            assert_eq!(got, data, "cut {cut}");
        }
        assert_eq!(
            run(0, 3, crc32fast::hash(b"abc"), &[b"a", b"bc"]).unwrap(),
            b"abc"
        );
    }

    #[test]
    fn lies_are_named() {
        let data = vec![b'x'; 10_000];
        let z = deflate(&data);
        let crc = crc32fast::hash(&data);
        let n = data.len() as u64;
        let err = |r: Result<Vec<u8>, String>| r.unwrap_err();
        assert!(err(run(METHOD_DEFLATED, n - 1, crc, &[&z])).contains("more than its declared"));
        assert!(err(run(METHOD_DEFLATED, n + 1, crc, &[&z])).contains("not its declared"));
        assert!(err(run(METHOD_DEFLATED, n, crc ^ 1, &[&z])).contains("CRC-32"));
        let cut = z.get(..z.len() - 3).unwrap();
        assert!(err(run(METHOD_DEFLATED, n, crc, &[cut])).contains("ends early"));
        assert!(err(run(METHOD_DEFLATED, n, crc, &[&z, b"tail"])).contains("data follows"));
        assert!(err(run(METHOD_DEFLATED, 0, 0, &[])).contains("ends early"));
        assert!(err(run(METHOD_DEFLATED, n, crc, &[b"\xff\xff\xff"])).contains("corrupt deflate"));
        assert!(err(run(0, 2, 0, &[b"abc"])).contains("more than"));
        assert_eq!(run(0, 0, 0, &[]).unwrap(), b"");
    }
}
