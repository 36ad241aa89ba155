//! The output path of signing: every byte written once, hashed while written.
//!
//! ```text
//! writer thread: pread input, build headers; headers go out with write(2), raw entry
//!      │ data with copy_file_range(2) from the input (no user-space copy)
//!      │ the same bytes, in 1 MiB chunks
//!      ▼
//! hasher thread: SHA-256 of the file ∥ v2/v3 chunk digests (rayon::join)
//!      └── empty buffers go back for reuse (a few MiB in flight at most)
//! ```
//! write(2) of user buffers was the biggest single cost on the reference APK (the
//! user-to-kernel copy); copying raw data file-to-file in the kernel is ~6× cheaper, and
//! the hashing runs on another core.
//! Content chunks are the v2/v3 "entries" section, cut at 1 MiB from offset 0, so the
//! chunk digests come out of the same pass that writes the file. Tail bytes (signing
//! block, central directory, EOCD) are only hashed into the file digest and written.

use std::fs::File;
use std::io::Write;

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use sha2::{Digest, Sha256};

use super::digest::{CHUNK_LEN, ChunkDigests, ContentDigestAlgorithm};

pub enum Msg {
    Content(Vec<u8>),
    /// The content section is complete: reply with its chunk digests.
    EndContent(SyncSender<ChunkDigests>),
    Tail(Vec<u8>),
}

/// What the hasher thread hands back.
pub struct Hashed {
    pub file_sha256: [u8; 32],
    pub chunks: ChunkDigests,
    pub written: u64,
}

/// Runs on the hasher thread until the sender side is dropped.
pub fn hasher_loop(
    rx: Receiver<Msg>,
    recycle: SyncSender<Vec<u8>>,
    algorithms: &[ContentDigestAlgorithm],
) -> std::io::Result<Hashed> {
    let mut sha = Sha256::new();
    let mut chunks = ChunkDigests::new(algorithms);
    let mut written = 0u64;
    for msg in rx {
        match msg {
            Msg::Content(buf) => {
                rayon::join(|| sha.update(&buf), || chunks.push_chunk(&buf));
                written += buf.len() as u64;
                let _ = recycle.try_send(buf);
            }
            Msg::EndContent(reply) => {
                let _ = reply.send(chunks.clone());
            }
            Msg::Tail(buf) => {
                sha.update(&buf);
                written += buf.len() as u64;
            }
        }
    }
    Ok(Hashed {
        file_sha256: sha.finalize().into(),
        chunks,
        written,
    })
}

/// The writer side: a `Write` that batches bytes into 1 MiB content chunks.
pub struct ContentSink<'f> {
    out: &'f mut File,
    /// Bytes written by `write` not yet handed to the file.
    pending: Vec<u8>,
    tx: SyncSender<Msg>,
    recycled: Receiver<Vec<u8>>,
    buf: Vec<u8>,
}

/// Chunks in flight between the threads: bounds memory to a few MiB.
pub const IN_FLIGHT: usize = 4;

pub fn channel(out: &mut File) -> (ContentSink<'_>, Receiver<Msg>, SyncSender<Vec<u8>>) {
    let (tx, rx) = sync_channel(IN_FLIGHT);
    let (recycle_tx, recycle_rx) = sync_channel(IN_FLIGHT + 2);
    (
        ContentSink {
            out,
            pending: Vec::with_capacity(PENDING_MAX),
            tx,
            recycled: recycle_rx,
            buf: Vec::with_capacity(CHUNK_LEN),
        },
        rx,
        recycle_tx,
    )
}

fn gone() -> std::io::Error {
    std::io::Error::other("the output hasher stopped")
}

/// Headers and small entries are gathered up to this size before a write(2).
const PENDING_MAX: usize = 256 << 10;
/// Raw data at least this large is copied file-to-file by the kernel.
const COPY_IN_KERNEL_MIN: usize = 64 << 10;

impl ContentSink<'_> {
    fn flush_pending(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            self.out.write_all(&self.pending)?;
            self.pending.clear();
        }
        Ok(())
    }

    /// Feeds bytes to the hasher (in 1 MiB chunks), without writing them.
    fn hash(&mut self, data: &[u8]) -> std::io::Result<()> {
        let mut rest = data;
        while !rest.is_empty() {
            let room = CHUNK_LEN - self.buf.len();
            let (now, later) = rest.split_at(room.min(rest.len()));
            self.buf.extend_from_slice(now);
            rest = later;
            if self.buf.len() == CHUNK_LEN {
                self.send_chunk()?;
            }
        }
        Ok(())
    }

    fn send_chunk(&mut self) -> std::io::Result<()> {
        let next = self
            .recycled
            .try_recv()
            .map(|mut v| {
                v.clear();
                v
            })
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK_LEN));
        let full = std::mem::replace(&mut self.buf, next);
        self.tx.send(Msg::Content(full)).map_err(|_| gone())
    }

    /// Ends the content section (the last, shorter chunk goes out) and returns the
    /// chunk digests of the whole section.
    pub fn end_content(&mut self) -> std::io::Result<ChunkDigests> {
        self.flush_pending()?;
        if !self.buf.is_empty() {
            self.send_chunk()?;
        }
        let (reply_tx, reply_rx) = sync_channel(1);
        self.tx
            .send(Msg::EndContent(reply_tx))
            .map_err(|_| gone())?;
        reply_rx.recv().map_err(|_| gone())
    }

    /// Bytes after the content section (hashed into the file digest only).
    pub fn tail(&mut self, bytes: Vec<u8>) -> std::io::Result<()> {
        self.flush_pending()?;
        self.out.write_all(&bytes)?;
        self.tx.send(Msg::Tail(bytes)).map_err(|_| gone())
    }
}

impl Write for ContentSink<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.hash(data)?;
        self.pending.extend_from_slice(data);
        if self.pending.len() >= PENDING_MAX {
            self.flush_pending()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.flush_pending()
    }
}

impl crate::zip::ZipSink for ContentSink<'_> {
    /// Raw entry data: hashed from the caller's copy, written file-to-file by the kernel
    /// (`std::io::copy` uses copy_file_range(2) between files, read/write elsewhere).
    fn append_copy(&mut self, src: &File, offset: u64, data: &[u8]) -> std::io::Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        if data.len() < COPY_IN_KERNEL_MIN {
            // Small data rides with the headers: one write(2) for many entries beats a
            // seek + copy_file_range per entry.
            return self.write_all(data);
        }
        self.hash(data)?;
        self.flush_pending()?;
        let mut src = src;
        src.seek(SeekFrom::Start(offset))?;
        let want = data.len() as u64;
        let copied = std::io::copy(&mut src.take(want), &mut *self.out)?;
        if copied != want {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the input file shrank while it was copied",
            ));
        }
        Ok(())
    }
}
