//! The output path of signing: every byte written once, hashed while written.
//!
//! ```text
//! writer thread: pread input, build headers, write(2) each 1 MiB chunk to the output
//!      │ the same chunk, after it is written
//!      ▼
//! hasher thread: SHA-256 of the file ∥ v2/v3 chunk digests (rayon::join)
//!      └── empty buffers go back for reuse (a few MiB in flight at most)
//! ```
//! The kernel copy into the page cache (the biggest single cost here) and the hashing run
//! on different cores.
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

impl ContentSink<'_> {
    fn send_chunk(&mut self) -> std::io::Result<()> {
        self.out.write_all(&self.buf)?;
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
        self.out.write_all(&bytes)?;
        self.tx.send(Msg::Tail(bytes)).map_err(|_| gone())
    }
}

impl Write for ContentSink<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
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
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
