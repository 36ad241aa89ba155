//! The output path of signing: every byte read once into a batch buffer, then digested,
//! checked, hashed and written from there, on both cores.
//!
//! ```text
//! producer (caller's thread): ZipWriter → ContentSink — headers copied in, raw entry data
//!     │ pread straight into a 4 MiB batch buffer; the ranges holding each entry's data
//!     │ are marked ("pieces"). Four buffers: one fills while the others are processed.
//!     ▼
//! processor thread, per batch, on the rayon pool (both cores):
//!     ├ in order: the SHA-256 of the file, and the entries cut by batch edges (inflate +
//!     │ size + CRC-32 + v1 digest, carried over) — a stored one's v1 digest is hashed
//!     │ side by side with the file digest over the same bytes
//!     └ groups of whole entries in parallel: inflate + size + CRC-32 + v1 digest
//! chunk stage thread, in order: v2/v3 chunk digests (chunks cut at multiples of 1 MiB
//!     │ from offset 0; one cut by a batch edge is finished from a copy in the next), each
//!     │ hashed side by side with the next MiB of the input file's SHA-256 when the caller
//!     │ asked for that (`fuse build`; the input's bytes taken from the batch where it
//!     │ holds them), else two chunks at a time
//! writer thread, in order:  write(2) of the batch buffer
//! read-back thread, in order: pread(2) of what the writer wrote, compared byte for byte
//!     │ with the batch it was hashed and checked from
//!     └ the last of the four done with a batch hands its buffer back to the producer
//! ```
//! SHA-256 pairs run on `fuse_accel` (two messages per core with SHA-NI).
//! So each entry is inflated once, the input is read once, and the v1 digests and the
//! chunk digests come from the same bytes; the read-back proves that the file holds
//! exactly those bytes, whatever the kernel did on the way. That is what
//! lets self-verification take the content section's chunk digests and the
//! [`Observation`]s as facts about the file (see `observed.rs`, docs/signing.md) instead
//! of reading and hashing 170 MB again. Tail bytes (signing block, central directory,
//! EOCD) are only hashed into the file digest and written; self-verification reads them
//! from the file.

use std::cell::RefCell;
use std::convert::Infallible;
use std::fs::File;
use std::io::Write;
use std::ops::Range;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use fuse_accel::sha256::{Sha256, update_pair};
use rayon::prelude::*;

use super::digest::{
    CHUNK_LEN, ChunkDigests, ContentDigestAlgorithm, Hash, Hasher, chunk_digests_per_algorithm,
    sha256_chunk_digest_beside,
};
use super::observed::Observation;
use super::v1;
use crate::zip::check::{DataCheck, Fault, Inflater};
use crate::zip::{Archive, EntryData, ZipError};

/// Bytes per batch (a multiple of [`CHUNK_LEN`]).
pub const BATCH_LEN: usize = 4 * CHUNK_LEN;
/// Bytes of the first batch (a multiple of [`CHUNK_LEN`], at most [`BATCH_LEN`]).
const FIRST_BATCH_LEN: usize = CHUNK_LEN;
/// Batch buffers in existence: one filling, the others being digested, checked, written
/// and hashed (the in-order stages may lag the digests by a batch or two).
const BUFFERS: usize = 4;
/// Whole entries checked by one task: about this many compressed bytes.
const GROUP_BYTES: usize = 256 << 10;
/// Raw input data at least this long is taken from the batch for the input's SHA-256;
/// shorter runs are read again with their neighbours (headers, small entries) in one
/// `pread`, which costs less than walking thousands of tiny windows.
const LONG_INPUT_RUN: usize = 64 << 10;

/// Bytes compared per read-back `pread`: the piece read stays in the core's cache while
/// it is compared with the batch.
const READ_BACK_PIECE: usize = 256 << 10;

/// Written bytes handed to the disk at once (a hint; the fsync before the rename is what
/// makes them durable).
const WRITEBACK_EVERY: u64 = 16 << 20;

/// Why the output pipeline stopped.
#[derive(Debug)]
pub enum StreamError {
    /// Writing the output failed.
    Write(std::io::Error),
    /// The `ordinal`-th entry's data is not what its headers declare.
    Entry { ordinal: u32, why: String },
    /// The writer's bookkeeping and the stream disagree (a fuse bug).
    Internal(String),
    /// The sink was dropped inside an entry's data: the writer stopped early, and its own
    /// error says why (a fuse bug if it has none).
    Unfinished,
    /// Reading back what was written failed, or gave other bytes than those written
    /// (the file changed under fuse, or a fuse bug placed bytes wrongly).
    ReadBack { offset: u64, why: String },
}

/// What the processor hands back when the sink is dropped.
pub struct Processed {
    pub file_sha256: [u8; 32],
    pub written: u64,
    /// Bytes from offset 0 (the content section: every batch) read back from the file
    /// and found equal to the bytes that were hashed and checked.
    pub read_back: u64,
    /// Observations not yet collected with [`ContentSink::observations`].
    pub observations: Vec<Observation>,
}

/// The entry an observation belongs to, as announced by the writer.
#[derive(Debug, Clone, Copy)]
struct EntryMeta {
    ordinal: u32,
    data_offset: u64,
    method: u16,
    compressed_size: u64,
    uncompressed_size: u64,
    crc32: u32,
    digest: Option<Hash>,
}

/// Part of one entry's data inside a batch.
#[derive(Debug, Clone)]
struct Piece {
    meta: EntryMeta,
    range: Range<usize>,
    first: bool,
    last: bool,
}

/// Where consecutive bytes of a batch came from: the caller's memory, or the input file.
#[derive(Debug, Clone, Copy)]
struct Segment {
    len: usize,
    input_offset: Option<u64>,
}

struct Batch {
    start: u64,
    buf: Vec<u8>,
    len: usize,
    pieces: Vec<Piece>,
    segments: Vec<Segment>,
}

impl Batch {
    /// Runs of input data the batch holds unchanged and long enough
    /// ([`LONG_INPUT_RUN`]) to be taken from the batch for the input's digest: (range in
    /// the batch, input offset).
    fn long_input_runs(&self) -> impl Iterator<Item = (Range<usize>, u64)> + '_ {
        let mut at = 0;
        self.segments.iter().filter_map(move |seg| {
            let range = at..at + seg.len;
            at = range.end;
            seg.input_offset
                .filter(|_| seg.len >= LONG_INPUT_RUN)
                .map(|offset| (range, offset))
        })
    }
}

enum Msg {
    Batch(Batch),
    /// Reply with the observations made so far.
    Observations(SyncSender<Vec<Observation>>),
    /// The content section is complete: digest its last chunk, reply with all digests.
    EndContent(SyncSender<ChunkDigests>),
    /// Finish the input's SHA-256 now (the late entries wait for it).
    FinishInput,
    Tail(Vec<u8>),
}

/// Where the SHA-256 and length of the whole input file go, when asked for.
pub type InputDigestSender = SyncSender<std::io::Result<([u8; 32], u64)>>;

/// The producer side and the processor of one output.
/// Raw entry data is read from `input`.
/// With `input_digest`, the input file's SHA-256 is computed too, side by side with the
/// output's chunk digests (see [`ChunkStage`]).
pub fn pipeline<'f>(
    out: &'f File,
    input: &'f Archive,
    algorithms: &[ContentDigestAlgorithm],
    v1: Option<Hash>,
    input_digest: Option<InputDigestSender>,
) -> (ContentSink<'f>, Processor<'f>) {
    let (tx, rx) = sync_channel(1);
    let (free_tx, free_rx) = sync_channel(BUFFERS);
    (
        ContentSink {
            tx,
            free: free_rx,
            buf: vec![0u8; BATCH_LEN],
            made: 1,
            start: 0,
            filled: 0,
            pieces: Vec::new(),
            segments: Vec::new(),
            open: None,
            ordinal: 0,
            v1,
            fault: None,
            input,
        },
        Processor {
            out,
            rx,
            free: free_tx,
            chunk_stage: Some(ChunkStage {
                chunks: ChunkDigests::new(algorithms),
                pending: Vec::new(),
                input: input_digest.map(|to| InputLane {
                    file: input.file(),
                    read: 0,
                    sha: Sha256::new(),
                    buf: Vec::new(),
                    to,
                }),
            }),
            carry: None,
            carry_inflater: Inflater::default(),
            observations: Vec::new(),
            next_start: 0,
            file_sha: Sha256::new(),
            written: 0,
        },
    )
}

fn gone() -> std::io::Error {
    std::io::Error::other("the output pipeline stopped")
}

/// The entry whose data is being appended.
struct OpenEntry {
    meta: EntryMeta,
    done: u64,
}

/// The writer side: a [`crate::zip::ZipSink`] filling batch buffers.
pub struct ContentSink<'f> {
    input: &'f Archive,
    segments: Vec<Segment>,
    tx: SyncSender<Msg>,
    free: Receiver<Vec<u8>>,
    /// Always `BATCH_LEN` long; `filled` bytes are in use.
    buf: Vec<u8>,
    made: usize,
    /// Output offset of `buf[0]`.
    start: u64,
    filled: usize,
    pieces: Vec<Piece>,
    open: Option<OpenEntry>,
    ordinal: u32,
    v1: Option<Hash>,
    fault: Option<String>,
}

impl ContentSink<'_> {
    /// Records where the `n` bytes just placed came from.
    fn note(&mut self, n: usize, input_offset: Option<u64>) {
        if let Some(last) = self.segments.last_mut() {
            let joins = match (last.input_offset, input_offset) {
                (None, None) => true,
                (Some(a), Some(b)) => a + last.len as u64 == b,
                _ => false,
            };
            if joins {
                last.len += n;
                return;
            }
        }
        self.segments.push(Segment {
            len: n,
            input_offset,
        });
    }

    /// Bytes appended so far (the output offset of the next byte).
    fn pos(&self) -> u64 {
        self.start + self.filled as u64
    }

    /// Room of this batch: it ends on a chunk boundary (after a flush in mid-chunk the
    /// next batch starts there, so its capacity is cut to the next boundary). The first
    /// batch is one chunk: the other stages wait for it, and an APK usually begins with
    /// thousands of small entries that take the producer alone ~10 ms per full batch.
    fn capacity(&self) -> usize {
        if self.start == 0 {
            return FIRST_BATCH_LEN;
        }
        BATCH_LEN - (self.start % CHUNK_LEN as u64) as usize
    }

    fn fail_if_faulted(&self) -> std::io::Result<()> {
        match &self.fault {
            Some(why) => Err(std::io::Error::other(format!("internal error: {why}"))),
            None => Ok(()),
        }
    }

    /// Marks `n` bytes just placed at `filled` as entry data as far as the open entry
    /// reaches.
    fn mark(&mut self, n: usize) {
        let Some(open) = self.open.as_mut() else {
            return;
        };
        let left = open.meta.compressed_size - open.done;
        let k = left.min(n as u64) as usize;
        let range = self.filled..self.filled + k;
        let first = open.done == 0;
        open.done += k as u64;
        let last = open.done == open.meta.compressed_size;
        match self.pieces.last_mut() {
            Some(p) if p.meta.ordinal == open.meta.ordinal && p.range.end == range.start => {
                p.range.end = range.end;
                p.last = last;
            }
            _ => self.pieces.push(Piece {
                meta: open.meta,
                range,
                first,
                last,
            }),
        }
        if last {
            self.open = None;
        }
    }

    /// Hands the batch to the processor and takes the next empty buffer.
    fn send_batch(&mut self) -> std::io::Result<()> {
        let next = if self.made < BUFFERS {
            self.made += 1;
            vec![0u8; BATCH_LEN]
        } else {
            self.free.recv().map_err(|_| gone())?
        };
        let buf = std::mem::replace(&mut self.buf, next);
        let batch = Batch {
            start: self.start,
            buf,
            len: self.filled,
            pieces: std::mem::take(&mut self.pieces),
            segments: std::mem::take(&mut self.segments),
        };
        self.start += self.filled as u64;
        self.filled = 0;
        self.tx.send(Msg::Batch(batch)).map_err(|_| gone())
    }

    fn flush_batch(&mut self) -> std::io::Result<()> {
        if self.filled > 0 || !self.pieces.is_empty() {
            self.send_batch()?;
        }
        Ok(())
    }

    fn append(&mut self, mut data: &[u8]) -> std::io::Result<()> {
        while !data.is_empty() {
            let room = self.capacity() - self.filled;
            let (now, later) = data.split_at(room.min(data.len()));
            if let Some(dst) = self.buf.get_mut(self.filled..self.filled + now.len()) {
                dst.copy_from_slice(now);
            }
            self.mark(now.len());
            self.note(now.len(), None);
            self.filled += now.len();
            data = later;
            if self.filled == self.capacity() {
                self.send_batch()?;
            }
        }
        Ok(())
    }

    /// Observations of every entry whose data was appended so far (all of it checked).
    pub fn observations(&mut self) -> std::io::Result<Vec<Observation>> {
        self.fail_if_faulted()?;
        if self.open.is_some() {
            return Err(std::io::Error::other(
                "internal error: an entry's data is incomplete",
            ));
        }
        self.flush_batch()?;
        let (reply_tx, reply_rx) = sync_channel(1);
        self.tx
            .send(Msg::Observations(reply_tx))
            .map_err(|_| gone())?;
        reply_rx.recv().map_err(|_| gone())
    }

    /// Ends the content section and returns the chunk digests of all of it.
    pub fn end_content(&mut self) -> std::io::Result<ChunkDigests> {
        self.fail_if_faulted()?;
        self.flush_batch()?;
        let (reply_tx, reply_rx) = sync_channel(1);
        self.tx
            .send(Msg::EndContent(reply_tx))
            .map_err(|_| gone())?;
        reply_rx.recv().map_err(|_| gone())
    }

    /// Has the input's SHA-256 (when the pipeline computes it) finished and sent now,
    /// rather than beside chunks still to come: the caller is about to wait for it.
    pub fn finish_input(&mut self) -> std::io::Result<()> {
        self.tx.send(Msg::FinishInput).map_err(|_| gone())
    }

    /// Bytes after the content section (hashed into the file digest only).
    pub fn tail(&mut self, bytes: Vec<u8>) -> std::io::Result<()> {
        self.flush_batch()?;
        self.tx.send(Msg::Tail(bytes)).map_err(|_| gone())
    }
}

impl Write for ContentSink<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.append(data)?;
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl crate::zip::ZipSink for ContentSink<'_> {
    fn append_from(
        &mut self,
        input: &Archive,
        offset: u64,
        len: u64,
        _scratch: &mut Vec<u8>,
    ) -> Result<(), ZipError> {
        let mut pos = offset;
        let end = offset + len;
        while pos < end {
            let room = self.capacity() - self.filled;
            let n = ((end - pos).min(room as u64)) as usize;
            let dst = self
                .buf
                .get_mut(self.filled..self.filled + n)
                .unwrap_or_default();
            input.read_at(pos, dst)?;
            self.mark(n);
            // Only bytes of the pipeline's own input may be re-copied from its file.
            self.note(n, Some(pos).filter(|_| std::ptr::eq(input, self.input)));
            self.filled += n;
            pos += n as u64;
            if self.filled == self.capacity() {
                self.send_batch().map_err(ZipError::Write)?;
            }
        }
        Ok(())
    }

    fn entry_data(&mut self, data: &EntryData<'_>) {
        if self.open.is_some() {
            self.fault = Some(format!(
                "entry {} begins before the previous entry's data ended",
                data.name
            ));
        }
        if data.data_offset != self.pos() {
            self.fault = Some(format!(
                "entry {}: the writer puts its data at {}, the stream is at {}",
                data.name,
                data.data_offset,
                self.pos()
            ));
        }
        if v1::is_signature_file(data.name) {
            // The JAR signature files are fuse's own (the signer never copies an input's),
            // deflated moments ago and announced last. Self-verification's v1 check
            // inflates and CRC-checks each of them from the written file, so the pipeline
            // does not inflate them a first time: ~4 ms on the way to the v2/v3
            // signatures. Their bytes are still in the file digest and the chunk digests.
            self.ordinal += 1;
            return;
        }
        let meta = EntryMeta {
            ordinal: self.ordinal,
            data_offset: self.pos(),
            method: data.method,
            compressed_size: data.compressed_size,
            uncompressed_size: data.uncompressed_size,
            crc32: data.crc32,
            digest: self.v1.filter(|_| v1::needs_digest(data.name)),
        };
        self.ordinal += 1;
        if meta.compressed_size == 0 {
            // No bytes will come: check the empty data now.
            self.pieces.push(Piece {
                meta,
                range: self.filled..self.filled,
                first: true,
                last: true,
            });
        } else {
            self.open = Some(OpenEntry { meta, done: 0 });
        }
    }
}

/// The entry cut by a batch edge, carried into the next batch.
struct Carried {
    meta: EntryMeta,
    check: DataCheck,
    hasher: Option<Hasher>,
}

/// The consumer side; [`Processor::run`] on its own thread.
pub struct Processor<'f> {
    out: &'f File,
    rx: Receiver<Msg>,
    free: SyncSender<Vec<u8>>,
    /// Moved onto its own thread by [`Processor::run`].
    chunk_stage: Option<ChunkStage<'f>>,
    carry: Option<Carried>,
    carry_inflater: Inflater,
    observations: Vec<Observation>,
    next_start: u64,
    /// SHA-256 of everything so far, in order.
    file_sha: Sha256,
    written: u64,
}

/// A batch the processor, the chunk stage and the writer share; whoever finishes with it
/// last hands the buffer back to the producer.
struct Shared {
    batch: Batch,
    free: SyncSender<Vec<u8>>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // The producer may have stopped; then nobody needs the buffer.
        let _ = self.free.try_send(std::mem::take(&mut self.batch.buf));
    }
}

impl Shared {
    fn bytes(&self) -> &[u8] {
        self.batch.buf.get(..self.batch.len).unwrap_or_default()
    }
}

/// What the writer receives.
enum Ordered {
    Batch(Arc<Shared>),
    Tail(Arc<[u8]>),
}

/// Writes batches and tail bytes in order.
/// Each [`WRITEBACK_EVERY`] bytes written are handed to the disk at once
/// (`fuse_accel::writeback`), so the fsync before the rename has little left to wait for.
fn writer_stage(
    rx: Receiver<Ordered>,
    out: &File,
    read_back: &SyncSender<Arc<Shared>>,
) -> Result<(), StreamError> {
    let mut written = 0u64;
    let mut flushed = 0u64;
    for msg in rx {
        match msg {
            Ordered::Batch(shared) => {
                // One write(2) of the buffer: the bytes are in it already (they were
                // read for the digests), and copying 4 MiB from user memory costs the
                // kernel less than copy_file_range(2) from the input (it splices 64 KiB
                // at a time; docs/performance.md, change 23).
                write_all(out, shared.bytes())?;
                written += shared.bytes().len() as u64;
                // A stopped read-back stage has its own error; the writer goes on.
                let _ = read_back.send(shared);
            }
            Ordered::Tail(bytes) => {
                write_all(out, &bytes)?;
                written += bytes.len() as u64;
            }
        }
        if written - flushed >= WRITEBACK_EVERY {
            fuse_accel::writeback::start(out, flushed, written - flushed);
            flushed = written;
        }
    }
    // The rest (the last batches, the signing block, the central directory) too: the
    // fsync that follows then waits only for what is already on its way.
    if written > flushed {
        fuse_accel::writeback::start(out, flushed, written - flushed);
    }
    Ok(())
}

/// Reads every batch back from the file once the writer has written it and compares
/// it with the batch: returns how many bytes from offset 0 are proven equal. The writer
/// only ever appends, so a range once read back equal stays so.
fn read_back_stage(rx: Receiver<Arc<Shared>>, out: &File) -> Result<u64, StreamError> {
    use std::os::unix::fs::FileExt;
    let mut piece = vec![0u8; READ_BACK_PIECE];
    let mut proven = 0u64;
    for shared in rx {
        if shared.batch.start != proven {
            return Err(StreamError::Internal(format!(
                "read back a batch at {} after the bytes up to {proven}",
                shared.batch.start
            )));
        }
        for want in shared.bytes().chunks(READ_BACK_PIECE) {
            let got = piece.get_mut(..want.len()).unwrap_or_default();
            out.read_exact_at(got, proven)
                .map_err(|e| StreamError::ReadBack {
                    offset: proven,
                    why: format!("reading it back failed ({e})"),
                })?;
            if got != want {
                let first = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(0);
                return Err(StreamError::ReadBack {
                    offset: proven + first as u64,
                    why: "the file holds other bytes than those written there".to_owned(),
                });
            }
            proven += want.len() as u64;
        }
    }
    Ok(proven)
}

thread_local! {
    static INFLATER: RefCell<Inflater> = RefCell::new(Inflater::default());
}

impl Processor<'_> {
    /// Processes batches until the sink is dropped. Writing runs on a thread of its own,
    /// in order, a few batches behind at most: a core taken away from it by the
    /// machine's other work does not stall the digests.
    pub fn run(mut self) -> Result<Processed, StreamError> {
        let out = self.out;
        let (write_tx, write_rx) = sync_channel(BUFFERS);
        let (chunk_tx, chunk_rx) = sync_channel(BUFFERS);
        let (read_back_tx, read_back_rx) = sync_channel(BUFFERS);
        let stage = self.chunk_stage.take();
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || read_back_stage(read_back_rx, out));
            let writer = scope.spawn(move || writer_stage(write_rx, out, &read_back_tx));
            let chunker = scope.spawn(move || {
                if let Some(stage) = stage {
                    stage.run(chunk_rx);
                }
            });
            let result = self.dispatch(&write_tx, &chunk_tx);
            drop(write_tx);
            drop(chunk_tx);
            let wrote = writer
                .join()
                .unwrap_or_else(|_| Err(StreamError::Internal("the writer panicked".to_owned())));
            // The writer has ended (its sender dropped), so the read-back ends too.
            let read_back = reader.join().unwrap_or_else(|_| {
                Err(StreamError::Internal("the read-back panicked".to_owned()))
            });
            if chunker.join().is_err() {
                return Err(StreamError::Internal(
                    "the chunk digests panicked".to_owned(),
                ));
            }
            // A write failure is the root cause of whatever the dispatcher and the
            // read-back saw.
            wrote?;
            result?;
            let read_back = read_back?;
            Ok(Processed {
                file_sha256: std::mem::take(&mut self.file_sha).finalize(),
                written: self.written,
                read_back,
                observations: std::mem::take(&mut self.observations),
            })
        })
    }

    fn dispatch(
        &mut self,
        write_tx: &SyncSender<Ordered>,
        chunk_tx: &SyncSender<ToChunks>,
    ) -> Result<(), StreamError> {
        let stopped = || StreamError::Internal("the output writer stopped".to_owned());
        let chunker_stopped = || StreamError::Internal("the chunk digests stopped".to_owned());
        while let Ok(msg) = self.rx.recv() {
            match msg {
                Msg::Batch(batch) => {
                    let shared = Arc::new(Shared {
                        batch,
                        free: self.free.clone(),
                    });
                    write_tx
                        .send(Ordered::Batch(Arc::clone(&shared)))
                        .map_err(|_| stopped())?;
                    chunk_tx
                        .send(ToChunks::Batch(Arc::clone(&shared)))
                        .map_err(|_| chunker_stopped())?;
                    self.process(&shared.batch)?;
                }
                Msg::Observations(reply) => {
                    if self.carry.is_some() {
                        return Err(StreamError::Internal(
                            "an entry's data is incomplete".to_owned(),
                        ));
                    }
                    let _ = reply.send(std::mem::take(&mut self.observations));
                }
                Msg::EndContent(reply) => chunk_tx
                    .send(ToChunks::End(reply))
                    .map_err(|_| chunker_stopped())?,
                Msg::FinishInput => chunk_tx
                    .send(ToChunks::FinishInput)
                    .map_err(|_| chunker_stopped())?,
                Msg::Tail(bytes) => {
                    self.file_sha.update(&bytes);
                    self.written += bytes.len() as u64;
                    write_tx
                        .send(Ordered::Tail(bytes.into()))
                        .map_err(|_| stopped())?;
                }
            }
        }
        if self.carry.is_some() {
            return Err(StreamError::Unfinished);
        }
        Ok(())
    }

    fn process(&mut self, batch: &Batch) -> Result<(), StreamError> {
        if batch.start != self.next_start {
            return Err(StreamError::Internal(format!(
                "batch at {} follows the one ending at {}",
                batch.start, self.next_start
            )));
        }
        let bytes = batch.buf.get(..batch.len).unwrap_or_default();
        self.next_start += bytes.len() as u64;
        self.written += bytes.len() as u64;

        let (carried, whole): (Vec<&Piece>, Vec<&Piece>) =
            batch.pieces.iter().partition(|p| !(p.first && p.last));
        let groups = group(&whole);

        let in_order = InOrder {
            file_sha: &mut self.file_sha,
            carry: &mut self.carry,
            inflater: &mut self.carry_inflater,
        };
        let (carried_result, checked) = rayon::join(
            || in_order.run(&carried, bytes),
            || {
                groups
                    .par_iter()
                    .map(|g| check_group(g, bytes))
                    .collect::<Result<Vec<_>, _>>()
            },
        );
        let carried_obs = carried_result?;
        for group in checked? {
            self.observations.extend(group);
        }
        self.observations.extend(carried_obs);
        Ok(())
    }
}

/// What the chunk stage receives, in order.
enum ToChunks {
    Batch(Arc<Shared>),
    /// Hash the rest of the input alone and send its digest now.
    FinishInput,
    /// The content section is complete: digest its last chunk, reply with all digests.
    End(SyncSender<ChunkDigests>),
}

/// The v2/v3 chunk digests of the output, in order, on a thread of their own. When the
/// caller wants the input file's SHA-256 as well (`fuse build`: the build id), each
/// SHA-256 chunk is hashed side by side with the next MiB of the input (two messages per
/// core, `fuse_accel`): the input pass costs about half of what it would alone. The
/// input's bytes come from the batch where it holds them unchanged (long raw copies,
/// `input_windows`); only the rest is read again (headers, small entries, what the
/// output leaves out).
struct ChunkStage<'f> {
    chunks: ChunkDigests,
    /// Bytes of the current, unfinished chunk from earlier batches.
    pending: Vec<u8>,
    input: Option<InputLane<'f>>,
}

/// The input file's SHA-256, advanced a chunk's length at a time.
struct InputLane<'f> {
    file: &'f File,
    /// Bytes of the input hashed so far.
    read: u64,
    sha: Sha256,
    buf: Vec<u8>,
    to: InputDigestSender,
}

impl InputLane<'_> {
    /// Hashes what is left of the input and sends the digest (or the read error).
    fn finish(mut self) {
        let result = loop {
            match next_input(self.file, &mut self.read, &mut self.buf, CHUNK_LEN, &[]) {
                Ok(parts) if parts.is_empty() => break Ok(()),
                Ok(parts) => parts.iter().for_each(|p| self.sha.update(p)),
                Err(e) => break Err(e),
            }
        };
        self.send(result);
    }

    /// Sends the digest once the whole input is hashed (`Ok`), or the read error.
    fn send(self, result: std::io::Result<()>) {
        let _ = self
            .to
            .send(result.map(|()| (self.sha.finalize(), self.read)));
    }
}

/// Bytes of the input that a batch holds unchanged: (input offset, the bytes).
type InputWindow<'b> = (u64, &'b [u8]);

/// The batch's long runs of raw-copied input, to take the input's bytes from rather
/// than reading them again (shorter ones are read with their neighbours in one `pread`).
fn input_windows(shared: &Shared) -> Vec<InputWindow<'_>> {
    let bytes = shared.bytes();
    shared
        .batch
        .long_input_runs()
        .filter_map(|(range, offset)| Some((offset, bytes.get(range)?)))
        .collect()
}

/// The input's next (at most `n`) bytes from offset `*read`, as parts: taken from
/// `windows` where they hold them, else read into `buf`. Empty at the input's end.
fn next_input<'a>(
    file: &File,
    read: &mut u64,
    buf: &'a mut Vec<u8>,
    n: usize,
    windows: &[InputWindow<'a>],
) -> std::io::Result<Vec<&'a [u8]>> {
    use std::os::unix::fs::FileExt;
    enum From {
        Window(usize, Range<usize>),
        Buf(Range<usize>),
    }
    let mut plan = Vec::new();
    buf.clear();
    let mut at = *read;
    let mut want = n;
    while want > 0 {
        let held = windows
            .iter()
            .enumerate()
            .find(|(_, (off, b))| *off <= at && at - off < b.len() as u64);
        if let Some((i, (off, b))) = held {
            let start = (at - off) as usize;
            let k = (b.len() - start).min(want);
            plan.push(From::Window(i, start..start + k));
            at += k as u64;
            want -= k;
            continue;
        }
        // Read up to where the next window begins.
        let next = windows
            .iter()
            .map(|(off, _)| *off)
            .filter(|&off| off > at)
            .min();
        let k = next.map_or(want, |off| (off - at).min(want as u64) as usize);
        let start = buf.len();
        buf.resize(start + k, 0);
        let mut got = 0;
        while got < k {
            let dst = buf.get_mut(start + got..start + k).unwrap_or_default();
            match file.read_at(dst, at + got as u64) {
                Ok(0) => break,
                Ok(r) => got += r,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        buf.truncate(start + got);
        plan.push(From::Buf(start..start + got));
        at += got as u64;
        want -= got;
        if got < k {
            break;
        }
    }
    *read = at;
    let buf: &'a [u8] = buf;
    Ok(plan
        .into_iter()
        .map(|p| match p {
            From::Window(i, r) => windows.get(i).and_then(|(_, b)| b.get(r)),
            From::Buf(r) => buf.get(r),
        })
        .map(Option::unwrap_or_default)
        .filter(|part| !part.is_empty())
        .collect())
}

impl ChunkStage<'_> {
    fn run(mut self, rx: Receiver<ToChunks>) {
        for msg in rx {
            match msg {
                ToChunks::Batch(shared) => {
                    let windows = input_windows(&shared);
                    self.batch(shared.bytes(), &windows);
                }
                ToChunks::FinishInput => {
                    if let Some(lane) = self.input.take() {
                        lane.finish();
                    }
                }
                ToChunks::End(reply) => {
                    if !self.pending.is_empty() {
                        let pending = std::mem::take(&mut self.pending);
                        self.digest(&[[&pending, &[]]], &[]);
                    }
                    let _ = reply.send(self.chunks.clone());
                }
            }
        }
        // A caller that never asked still gets its digest (or learns the pipeline ended).
        if let Some(lane) = self.input.take() {
            lane.finish();
        }
    }

    /// The complete chunks of a batch (the first may begin in `pending`; a trailing part
    /// stays pending). Chunks are cut at multiples of 1 MiB from offset 0.
    fn batch(&mut self, bytes: &[u8], windows: &[InputWindow<'_>]) {
        let mut jobs: Vec<[&[u8]; 2]> = Vec::with_capacity(bytes.len() / CHUNK_LEN + 1);
        let mut at = 0;
        let pending = std::mem::take(&mut self.pending);
        if !pending.is_empty() {
            let need = CHUNK_LEN - pending.len();
            match bytes.get(..need) {
                Some(head) => {
                    jobs.push([&pending, head]);
                    at = need;
                }
                // Still no complete chunk: all of this batch joins the pending one.
                None => {
                    let mut pending = pending;
                    pending.extend_from_slice(bytes);
                    self.pending = pending;
                    return;
                }
            }
        }
        while bytes.len() - at >= CHUNK_LEN {
            jobs.push([bytes.get(at..at + CHUNK_LEN).unwrap_or_default(), &[]]);
            at += CHUNK_LEN;
        }
        let rest = bytes.get(at..).unwrap_or_default();
        self.digest(&jobs, windows);
        let mut pending = if jobs.is_empty() { pending } else { Vec::new() };
        pending.extend_from_slice(rest);
        self.pending = pending;
    }

    /// Digests whole chunks in order: beside the input while it lasts, else two at a time.
    fn digest(&mut self, jobs: &[[&[u8]; 2]], windows: &[InputWindow<'_>]) {
        let mut i = 0;
        if self.chunks.algorithms() == [ContentDigestAlgorithm::ChunkedSha256] {
            while let (Some(job), Some(lane)) = (jobs.get(i), self.input.as_mut()) {
                let InputLane {
                    file,
                    read,
                    sha,
                    buf,
                    ..
                } = lane;
                match next_input(file, read, buf, CHUNK_LEN, windows) {
                    Ok(parts) if !parts.is_empty() => {
                        let digest = sha256_chunk_digest_beside(job, sha, &parts);
                        self.chunks.push_precomputed(&[digest.to_vec()], 1);
                        i += 1;
                    }
                    // The input's end: its digest is complete. A read error is reported
                    // as it is, not read again.
                    ended => {
                        let ended = ended.map(|_| ());
                        if let Some(lane) = self.input.take() {
                            lane.send(ended);
                        }
                    }
                }
            }
        }
        let rest = jobs.get(i..).unwrap_or_default();
        if !rest.is_empty() {
            let per_alg = chunk_digests_per_algorithm(self.chunks.algorithms(), rest);
            self.chunks.push_precomputed(&per_alg, rest.len() as u64);
        }
    }
}

fn write_all(mut out: &File, bytes: &[u8]) -> Result<(), StreamError> {
    #[cfg(test)]
    let corrupted = test_hooks::corrupt(bytes);
    #[cfg(test)]
    let bytes = corrupted.as_deref().unwrap_or(bytes);
    out.write_all(bytes).map_err(StreamError::Write)
}

/// Whole entries in runs of about [`GROUP_BYTES`] compressed bytes.
fn group<'p>(whole: &[&'p Piece]) -> Vec<Vec<&'p Piece>> {
    let mut groups = Vec::new();
    let mut current = Vec::new();
    let mut size = 0;
    for p in whole {
        size += p.range.len() + 64;
        current.push(*p);
        if size >= GROUP_BYTES {
            groups.push(std::mem::take(&mut current));
            size = 0;
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    groups
}

fn entry_fault(meta: &EntryMeta, f: Fault<Infallible>) -> StreamError {
    match f {
        Fault::Data(why) => StreamError::Entry {
            ordinal: meta.ordinal,
            why,
        },
        Fault::Sink(never) => match never {},
    }
}

fn observation(meta: &EntryMeta, crc32: u32, size: u64, hasher: Option<Hasher>) -> Observation {
    Observation {
        ordinal: meta.ordinal,
        data_offset: meta.data_offset,
        method: meta.method,
        compressed_size: meta.compressed_size,
        crc32,
        uncompressed_size: size,
        digest: meta.digest.zip(hasher.map(Hasher::finish)),
    }
}

fn check_group(group: &[&Piece], bytes: &[u8]) -> Result<Vec<Observation>, StreamError> {
    INFLATER.with(|cell| {
        let mut inflater = cell.borrow_mut();
        group
            .iter()
            .map(|p| {
                let data = bytes.get(p.range.clone()).unwrap_or_default();
                let mut check =
                    DataCheck::new(p.meta.method, p.meta.uncompressed_size, p.meta.crc32);
                let mut hasher = p.meta.digest.map(Hash::hasher);
                let checked = {
                    let mut sink = v1_sink(&mut hasher);
                    check
                        .feed(&mut inflater, data, &mut sink)
                        .map_err(|f| entry_fault(&p.meta, f))?;
                    check
                        .finish(&mut inflater, &mut sink)
                        .map_err(|f| entry_fault(&p.meta, f))?
                };
                Ok(observation(
                    &p.meta,
                    checked.crc32,
                    checked.uncompressed_size,
                    hasher,
                ))
            })
            .collect()
    })
}

/// The processor's in-order work on a batch: the file digest, and the pieces of entries
/// cut by batch edges (at most the end of one that began earlier and the start of one
/// that goes on).
struct InOrder<'p> {
    file_sha: &'p mut Sha256,
    carry: &'p mut Option<Carried>,
    inflater: &'p mut Inflater,
}

impl InOrder<'_> {
    fn run(self, pieces: &[&Piece], bytes: &[u8]) -> Result<Vec<Observation>, StreamError> {
        let InOrder {
            file_sha,
            carry,
            inflater,
        } = self;
        let mut done = Vec::new();
        // Bytes of the batch already in the file digest.
        let mut hashed = 0;
        for p in pieces {
            if p.first {
                if carry.is_some() {
                    return Err(StreamError::Internal(
                        "an entry begins inside another one's data".to_owned(),
                    ));
                }
                *carry = Some(Carried {
                    meta: p.meta,
                    check: DataCheck::new(p.meta.method, p.meta.uncompressed_size, p.meta.crc32),
                    hasher: p.meta.digest.map(Hash::hasher),
                });
            }
            let Some(c) = carry.as_mut() else {
                return Err(StreamError::Internal(
                    "entry data continues, but no entry began".to_owned(),
                ));
            };
            if c.meta.ordinal != p.meta.ordinal || p.range.start < hashed {
                return Err(StreamError::Internal(
                    "pieces of two entries interleave".to_owned(),
                ));
            }
            file_sha.update(bytes.get(hashed..p.range.start).unwrap_or_default());
            let data = bytes.get(p.range.clone()).unwrap_or_default();
            hashed = p.range.end;
            let stored = c.check.stored();
            match c.hasher.as_mut().and_then(Hasher::as_sha256_mut) {
                // A stored entry's v1 digest covers the very bytes the file digest does
                // here: one pass over them, the two hashed side by side.
                Some(v1) if stored => {
                    update_pair(file_sha, data, v1, data);
                    c.check
                        .feed(inflater, data, &mut |_| Ok::<(), Infallible>(()))
                        .map_err(|f| entry_fault(&p.meta, f))?;
                }
                _ => {
                    file_sha.update(data);
                    let hasher = &mut c.hasher;
                    c.check
                        .feed(inflater, data, &mut v1_sink(hasher))
                        .map_err(|f| entry_fault(&p.meta, f))?;
                }
            }
            if p.last {
                let Some(c) = carry.take() else {
                    continue;
                };
                let mut hasher = c.hasher;
                let checked = c
                    .check
                    .finish(inflater, &mut v1_sink(&mut hasher))
                    .map_err(|f| entry_fault(&c.meta, f))?;
                done.push(observation(
                    &c.meta,
                    checked.crc32,
                    checked.uncompressed_size,
                    hasher,
                ));
            }
        }
        file_sha.update(bytes.get(hashed..).unwrap_or_default());
        Ok(done)
    }
}

/// Feeds uncompressed bytes to an entry's v1 digest, if it has one.
fn v1_sink(hasher: &mut Option<Hasher>) -> impl FnMut(&[u8]) -> Result<(), Infallible> + '_ {
    move |b| {
        if let Some(h) = hasher.as_mut() {
            h.update(b);
        }
        Ok(())
    }
}

/// Faults injected by unit tests into what is written (never compiled into fuse).
#[cfg(test)]
pub(crate) mod test_hooks {
    use std::sync::Mutex;

    /// A batch being written that contains one of these byte strings gets one byte of
    /// it flipped in the file only (after it was hashed and checked). Tests use strings
    /// only their own APK contains, so parallel tests do not disturb each other.
    pub static CORRUPT_WRITES_OF: Mutex<Vec<&'static [u8]>> = Mutex::new(Vec::new());

    pub fn corrupt(bytes: &[u8]) -> Option<Vec<u8>> {
        let needles = CORRUPT_WRITES_OF.lock().ok()?.clone();
        for needle in needles {
            if let Some(at) = bytes.windows(needle.len()).position(|w| w == needle) {
                let mut v = bytes.to_vec();
                if let Some(b) = v.get_mut(at) {
                    *b ^= 0x20;
                }
                return Some(v);
            }
        }
        None
    }
}
