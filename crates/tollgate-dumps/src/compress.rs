//! Single-stream decompressors, all pure Rust: gzip (multi-member), zstd (multi-frame,
//! skippable frames), bzip2 (multi-stream) and xz (multi-stream).

use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;
use std::sync::mpsc::{
    channel, sync_channel, Receiver, Sender, SyncSender, TryRecvError, TrySendError,
};
use std::thread::JoinHandle;

use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

use crate::meter::InMeter;
use crate::sniff::Kind;

const BUF: usize = 64 * 1024;
/// An xz block whose dictionary needs more memory than this is refused (`xz -9` needs 65 MiB):
/// a crafted header must not make the scan allocate gigabytes. zstd windows are capped by
/// ruzstd's default (128 MiB).
const XZ_MEM_LIMIT_KB: u32 = 256 * 1024;

/// A codec of a single compressed stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Codec {
    Gzip,
    /// Raw deflate (zip members).
    Deflate,
    Zstd,
    Bzip2,
    Xz,
}

impl Codec {
    pub fn of(kind: Kind) -> Option<Codec> {
        Some(match kind {
            Kind::Gzip => Codec::Gzip,
            Kind::Zstd => Codec::Zstd,
            Kind::Bzip2 => Codec::Bzip2,
            Kind::Xz => Codec::Xz,
            _ => return None,
        })
    }
}

/// A decoder reading compressed bytes from `input`, run on a second thread when one can be
/// started (see [`Threaded`]). `consumed` counts the compressed bytes the decoder has actually
/// used (not what was read ahead), for the ratio check.
pub(crate) fn decoder<'r>(
    codec: Codec,
    input: impl Read + 'r,
    consumed: Rc<Cell<u64>>,
) -> Box<dyn Read + 'r> {
    let input: Box<dyn Read + 'r> = Box::new(input);
    match Threaded::start(codec, input, consumed) {
        Ok(t) => Box::new(t),
        Err((input, consumed)) => inline_decoder(codec, input, consumed),
    }
}

/// A decoder on the calling thread.
fn inline_decoder<'r>(
    codec: Codec,
    input: impl Read + 'r,
    consumed: Rc<Cell<u64>>,
) -> Box<dyn Read + 'r> {
    let src = InMeter {
        inner: BufReader::with_capacity(BUF, input),
        count: consumed,
    };
    match codec {
        Codec::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(src)),
        Codec::Deflate => Box::new(flate2::bufread::DeflateDecoder::new(src)),
        Codec::Zstd => Box::new(Zstd::new(src)),
        Codec::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(src)),
        Codec::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(
            src,
            true,
            XZ_MEM_LIMIT_KB,
        )),
    }
}

/// Compressed bytes handed to the decoding thread per message.
const IN_CHUNK: usize = 64 * 1024;
/// Decoded bytes per message back.
const OUT_CHUNK: usize = 64 * 1024;
/// Messages queued each way: bounds how far the thread decodes ahead of the scan (and its
/// memory: about `QUEUE * (IN_CHUNK + OUT_CHUNK)`).
const QUEUE: usize = 8;

/// From the scanning thread to the decoding thread.
enum Down {
    Chunk(Vec<u8>),
    End,
}

/// From the decoding thread back: decoded bytes with the compressed bytes consumed so far,
/// a request for input when it has none left, the end, or the decoder's error.
enum Up {
    Data(Vec<u8>, u64),
    Starved,
    End(u64),
    Err(io::Error),
}

/// A decoder run on a second thread, so that decompression and scanning overlap (a `.gz`
/// then costs about the larger of the two, not their sum). The compressed stream is still
/// read on the calling thread, where the meters and archive readers live (they are not
/// `Send`), and handed over in chunks; decoded chunks come back in order. Both queues are
/// bounded, so the thread never runs more than [`QUEUE`] chunks ahead: the ratio and size
/// limits, checked on the output as the scanner reads it, still stop a bomb after a few
/// hundred kilobytes more.
pub(crate) struct Threaded<'r> {
    input: Box<dyn Read + 'r>,
    /// Read from `input` but not yet sent (the queue was full).
    pending: Option<Down>,
    input_done: bool,
    down: Option<SyncSender<Down>>,
    up: Option<Receiver<Up>>,
    /// Emptied buffers, sent back for reuse.
    spare: Option<Sender<Vec<u8>>>,
    buf: Vec<u8>,
    pos: usize,
    consumed: Rc<Cell<u64>>,
    done: bool,
    worker: Option<JoinHandle<()>>,
}

type StartError<'r> = (Box<dyn Read + 'r>, Rc<Cell<u64>>);

impl<'r> Threaded<'r> {
    /// Starts the decoding thread; gives the input back when no thread can be started.
    fn start(
        codec: Codec,
        input: Box<dyn Read + 'r>,
        consumed: Rc<Cell<u64>>,
    ) -> Result<Self, StartError<'r>> {
        let (down_tx, down_rx) = sync_channel::<Down>(QUEUE);
        let (up_tx, up_rx) = sync_channel::<Up>(QUEUE);
        let (spare_tx, spare_rx) = channel::<Vec<u8>>();
        let spawned = std::thread::Builder::new()
            .name("tollgate-decode".into())
            .spawn(move || decode_thread(codec, down_rx, up_tx, spare_rx));
        match spawned {
            Ok(worker) => Ok(Threaded {
                input,
                pending: None,
                input_done: false,
                down: Some(down_tx),
                up: Some(up_rx),
                spare: Some(spare_tx),
                buf: Vec::new(),
                pos: 0,
                consumed,
                done: false,
                worker: Some(worker),
            }),
            Err(_) => Err((input, consumed)),
        }
    }

    /// Sends compressed chunks until the queue is full or the input has ended.
    fn top_up(&mut self) -> io::Result<()> {
        let Some(down) = &self.down else {
            return Ok(());
        };
        while !self.input_done {
            let msg = match self.pending.take() {
                Some(m) => m,
                None => {
                    let mut chunk = vec![0u8; IN_CHUNK];
                    let n = loop {
                        match self.input.read(&mut chunk) {
                            Ok(n) => break n,
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(e) => return Err(e),
                        }
                    };
                    if n == 0 {
                        Down::End
                    } else {
                        chunk.truncate(n);
                        Down::Chunk(chunk)
                    }
                }
            };
            let end = matches!(msg, Down::End);
            match down.try_send(msg) {
                Ok(()) => self.input_done = end,
                Err(TrySendError::Full(m)) => {
                    self.pending = Some(m);
                    return Ok(());
                }
                // The thread has stopped: its last message says why.
                Err(TrySendError::Disconnected(_)) => return Ok(()),
            }
        }
        Ok(())
    }
}

impl Read for Threaded<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.pos < self.buf.len() {
                let n = out.len().min(self.buf.len() - self.pos);
                out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.done || out.is_empty() {
                return Ok(0);
            }
            self.top_up()?;
            let Some(up) = &self.up else {
                return Ok(0);
            };
            match up.recv() {
                Ok(Up::Data(data, consumed)) => {
                    self.consumed.set(consumed);
                    let used = std::mem::replace(&mut self.buf, data);
                    self.pos = 0;
                    if let Some(spare) = &self.spare {
                        let _ = spare.send(used);
                    }
                }
                // `top_up` runs again before the next wait.
                Ok(Up::Starved) => {}
                Ok(Up::End(consumed)) => {
                    self.consumed.set(consumed);
                    self.done = true;
                }
                Ok(Up::Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => {
                    self.done = true;
                    return Err(io::Error::other("the decoding thread stopped"));
                }
            }
        }
    }
}

impl Drop for Threaded<'_> {
    fn drop(&mut self) {
        // Closing the queues stops the thread wherever it waits.
        self.down = None;
        self.up = None;
        self.spare = None;
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

/// The decoding thread's input: the chunks sent down, asking for more when there are none.
struct ChunkReader {
    down: Receiver<Down>,
    up: SyncSender<Up>,
    chunk: Vec<u8>,
    pos: usize,
    ended: bool,
}

impl Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.pos < self.chunk.len() {
                let n = out.len().min(self.chunk.len() - self.pos);
                out[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.ended {
                return Ok(0);
            }
            let msg = match self.down.try_recv() {
                Ok(m) => m,
                Err(TryRecvError::Empty) => {
                    let stopped = || io::Error::other("the scan stopped");
                    self.up.send(Up::Starved).map_err(|_| stopped())?;
                    self.down.recv().map_err(|_| stopped())?
                }
                Err(TryRecvError::Disconnected) => {
                    return Err(io::Error::other("the scan stopped"));
                }
            };
            match msg {
                Down::Chunk(c) => {
                    self.chunk = c;
                    self.pos = 0;
                }
                Down::End => self.ended = true,
            }
        }
    }
}

fn decode_thread(codec: Codec, down: Receiver<Down>, up: SyncSender<Up>, spare: Receiver<Vec<u8>>) {
    let consumed = Rc::new(Cell::new(0));
    let input = ChunkReader {
        down,
        up: up.clone(),
        chunk: Vec::new(),
        pos: 0,
        ended: false,
    };
    let mut dec = inline_decoder(codec, input, consumed.clone());
    loop {
        let mut buf = spare.try_recv().unwrap_or_default();
        buf.resize(OUT_CHUNK, 0);
        let msg = match dec.read(&mut buf) {
            Ok(0) => Up::End(consumed.get()),
            Ok(n) => {
                buf.truncate(n);
                Up::Data(buf, consumed.get())
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => Up::Err(e),
        };
        let last = !matches!(msg, Up::Data(..));
        if up.send(msg).is_err() || last {
            return;
        }
    }
}

pub(crate) fn name(kind: Kind) -> &'static str {
    match kind {
        Kind::Gzip => "gzip",
        Kind::Zstd => "zstd",
        Kind::Bzip2 => "bzip2",
        Kind::Xz => "xz",
        Kind::Zip => "zip",
        Kind::Tar => "tar",
        _ => "archive",
    }
}

fn zstd_err(e: FrameDecoderError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}"))
}

/// zstd frames one after another, as `zstd` and `pzstd` write them.
struct Zstd<R> {
    src: R,
    dec: FrameDecoder,
    in_frame: bool,
}

impl<R: BufRead> Zstd<R> {
    fn new(src: R) -> Self {
        Self {
            src,
            dec: FrameDecoder::new(),
            in_frame: false,
        }
    }
}

impl<R: BufRead> Read for Zstd<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.in_frame {
                if self.dec.can_collect() > 0 {
                    return self.dec.read(buf);
                }
                if self.dec.is_finished() {
                    self.in_frame = false;
                    continue;
                }
                self.dec
                    .decode_blocks(&mut self.src, BlockDecodingStrategy::UptoBlocks(1))
                    .map_err(zstd_err)?;
                continue;
            }
            if self.src.fill_buf()?.is_empty() {
                return Ok(0);
            }
            match self.dec.init(&mut self.src) {
                Ok(()) => self.in_frame = true,
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let skipped = io::copy(
                        &mut (&mut self.src).take(u64::from(length)),
                        &mut io::sink(),
                    )?;
                    if skipped < u64::from(length) {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "zstd: truncated skippable frame",
                        ));
                    }
                }
                Err(e) => return Err(zstd_err(e)),
            }
        }
    }
}
