//! Single-stream decompressors, all pure Rust: gzip (multi-member), zstd (multi-frame,
//! skippable frames), bzip2 (multi-stream) and xz (multi-stream).

use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

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

/// A decoder reading compressed bytes from `input`. `consumed` counts the compressed bytes
/// the decoder has actually used (not what was read ahead), for the ratio check.
pub(crate) fn decoder<'r>(
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
