//! A zero-copy line reader over one growable buffer with a per-line cap.

use std::io::{self, Read};

use crate::MAX_LINE_BYTES;

const INITIAL: usize = 256 * 1024;

pub(crate) enum LineError {
    Io(io::Error),
    TooLong,
}

/// Yields lines (without the `\n`) as slices into its own buffer; a line is copied only when
/// it straddles two reads. Memory stays at the longest line seen, capped at `max_line`.
pub(crate) struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    scanned: usize,
    end: usize,
    eof: bool,
    line: u64,
    max_line: usize,
}

impl<R: Read> LineReader<R> {
    pub fn new(inner: R) -> Self {
        Self::with_max(inner, MAX_LINE_BYTES)
    }

    pub fn with_max(inner: R, max_line: usize) -> Self {
        Self {
            inner,
            buf: vec![0; INITIAL.min(max_line.max(64))],
            start: 0,
            scanned: 0,
            end: 0,
            eof: false,
            line: 0,
            max_line,
        }
    }

    /// The next line and its 1-based number, or `None` at the end of the stream.
    pub fn next_line(&mut self) -> Result<Option<(&[u8], u64)>, LineError> {
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[self.scanned..self.end]) {
                let nl = self.scanned + i;
                if nl - self.start > self.max_line {
                    return Err(LineError::TooLong);
                }
                let s = self.start;
                self.start = nl + 1;
                self.scanned = self.start;
                self.line += 1;
                return Ok(Some((&self.buf[s..nl], self.line)));
            }
            self.scanned = self.end;
            if self.end - self.start > self.max_line {
                return Err(LineError::TooLong);
            }
            if self.eof {
                if self.start < self.end {
                    let s = self.start;
                    self.start = self.end;
                    self.line += 1;
                    return Ok(Some((&self.buf[s..self.end], self.line)));
                }
                return Ok(None);
            }
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.scanned -= self.start;
                self.start = 0;
            }
            if self.end == self.buf.len() {
                let grown = (self.buf.len() * 2).min(self.max_line + 1);
                if grown <= self.buf.len() {
                    return Err(LineError::TooLong);
                }
                self.buf.resize(grown, 0);
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(LineError::Io(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(data: &[u8], max: usize) -> Result<Vec<(Vec<u8>, u64)>, ()> {
        let mut r = LineReader::with_max(data, max);
        let mut v = Vec::new();
        loop {
            match r.next_line() {
                Ok(Some((l, n))) => v.push((l.to_vec(), n)),
                Ok(None) => return Ok(v),
                Err(_) => return Err(()),
            }
        }
    }

    #[test]
    fn splits_lines_and_keeps_the_unterminated_last_one() {
        let v = all(b"a\nbb\n\nccc", 1024).unwrap();
        let lines: Vec<&[u8]> = v.iter().map(|(l, _)| l.as_slice()).collect();
        assert_eq!(lines, [&b"a"[..], b"bb", b"", b"ccc"]);
        assert_eq!(v.last().unwrap().1, 4);
    }

    #[test]
    fn grows_for_long_lines_up_to_the_cap() {
        let mut data = vec![b'x'; 300_000];
        data.push(b'\n');
        data.extend_from_slice(b"y\n");
        let v = all(&data, 1 << 20).unwrap();
        assert_eq!(v[0].0.len(), 300_000);
        assert_eq!(v[1].0, b"y");
        assert!(all(&data, 100_000).is_err());
    }
}
