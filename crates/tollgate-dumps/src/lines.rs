//! A zero-copy line reader over one growable buffer with a per-line cap.

use std::io::{self, Read};

use crate::MAX_LINE_BYTES;

const INITIAL: usize = 256 * 1024;

pub(crate) enum LinesError<E> {
    Io(io::Error),
    TooLong,
    /// What the caller's function returned.
    Stop(E),
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

    /// Calls `f` with every line (without the `\n`), its 1-based number, and the line as text
    /// when it is valid UTF-8 and was read in a block of lines that is: the UTF-8 check runs
    /// once per block of complete lines in the buffer (256 KiB), not once per line; a block
    /// that is not valid as a whole gives `None` for each of its lines, which the caller
    /// checks one by one. Stops at the first error of `f`.
    pub fn for_each_line<E>(
        &mut self,
        mut f: impl FnMut(&[u8], Option<&str>, u64) -> Result<(), E>,
    ) -> Result<(), LinesError<E>> {
        loop {
            // The complete lines in the buffer, as one block.
            if let Some(i) = memchr::memrchr(b'\n', &self.buf[self.scanned..self.end]) {
                let block_end = self.scanned + i;
                let block = &self.buf[self.start..block_end];
                let text = simdutf8::basic::from_utf8(block).ok();
                let mut from = 0;
                for nl in memchr::memchr_iter(b'\n', block).chain(std::iter::once(block.len())) {
                    if nl - from > self.max_line {
                        return Err(LinesError::TooLong);
                    }
                    self.line += 1;
                    // `\n` is ASCII: both ends are char boundaries.
                    f(&block[from..nl], text.map(|t| &t[from..nl]), self.line)
                        .map_err(LinesError::Stop)?;
                    from = nl + 1;
                }
                self.start = block_end + 1;
                self.scanned = self.start;
                continue;
            }
            self.scanned = self.end;
            if self.end - self.start > self.max_line {
                return Err(LinesError::TooLong);
            }
            if self.eof {
                if self.start < self.end {
                    let line = &self.buf[self.start..self.end];
                    self.start = self.end;
                    self.line += 1;
                    let text = simdutf8::basic::from_utf8(line).ok();
                    f(line, text, self.line).map_err(LinesError::Stop)?;
                }
                return Ok(());
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
                    return Err(LinesError::TooLong);
                }
                self.buf.resize(grown, 0);
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(LinesError::Io(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Lines = Vec<(Vec<u8>, Option<String>, u64)>;

    /// Every line, read through a reader that hands out at most `chunk` bytes per read.
    fn all(data: &[u8], max: usize, chunk: usize) -> Result<Lines, ()> {
        let mut r = LineReader::with_max(Chunked(data, chunk), max);
        let mut v = Vec::new();
        r.for_each_line(|l, t, n| {
            v.push((l.to_vec(), t.map(str::to_string), n));
            Ok::<(), ()>(())
        })
        .map_err(|_| ())?;
        Ok(v)
    }

    struct Chunked<'a>(&'a [u8], usize);

    impl Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(self.1).min(buf.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn splits_lines_and_keeps_the_unterminated_last_one() {
        let v = all("a\nbé\n\nccc".as_bytes(), 1024, 1 << 20).unwrap();
        let lines: Vec<&[u8]> = v.iter().map(|(l, _, _)| l.as_slice()).collect();
        assert_eq!(lines, [&b"a"[..], "bé".as_bytes(), b"", b"ccc"]);
        assert_eq!(v[1].1.as_deref(), Some("bé"));
        assert_eq!(v.last().unwrap().2, 4);
    }

    #[test]
    fn grows_for_long_lines_up_to_the_cap() {
        let mut data = vec![b'x'; 300_000];
        data.push(b'\n');
        data.extend_from_slice(b"y\n");
        let v = all(&data, 1 << 20, 1 << 20).unwrap();
        assert_eq!(v[0].0.len(), 300_000);
        assert_eq!(v[1].0, b"y");
        assert!(all(&data, 100_000, 1 << 20).is_err());
    }

    #[test]
    fn a_block_that_is_not_text_leaves_its_lines_to_the_caller() {
        let v = all(b"ok\n\xff\nfine\n", 1024, 1 << 20).unwrap();
        assert!(v.iter().all(|(_, t, _)| t.is_none()));
        // Read one line at a time, the good lines are blocks of their own.
        let v = all(b"ok\n\xff\nfine\n", 1024, 3).unwrap();
        let texts: Vec<Option<&str>> = v.iter().map(|(_, t, _)| t.as_deref()).collect();
        assert_eq!(texts, [Some("ok"), None, Some("fine")]);
    }

    #[test]
    fn the_caller_stops_the_reading() {
        let mut r = LineReader::new(&b"a\nb\nc\n"[..]);
        let mut seen = 0;
        let stopped = r.for_each_line(|_, _, n| {
            seen += 1;
            if n == 2 {
                Err("stop")
            } else {
                Ok(())
            }
        });
        assert!(matches!(stopped, Err(LinesError::Stop("stop"))));
        assert_eq!(seen, 2);
    }

    proptest! {
        /// The lines are those of a plain split on `\n`, numbered from 1, whatever the reads;
        /// a line given as text is that line; all are when the input is text.
        #[test]
        fn lines_are_those_of_a_plain_split(
            data in proptest::collection::vec(
                prop_oneof![Just(b'\n'), Just(b'a'), Just(0xc3u8), Just(0xa9u8), Just(0xffu8), Just(b'\r')],
                0..300,
            ),
            chunk in 1usize..64,
            max in 1usize..40,
        ) {
            let mut expected: Vec<&[u8]> = data.split(|&c| c == b'\n').collect();
            if data.last().is_none_or(|&c| c == b'\n') {
                expected.pop();
            }
            let too_long = expected.iter().any(|l| l.len() > max);
            match all(&data, max, chunk) {
                Err(()) => prop_assert!(too_long),
                Ok(v) => {
                    prop_assert!(!too_long);
                    let lines: Vec<&[u8]> = v.iter().map(|(l, _, _)| l.as_slice()).collect();
                    prop_assert_eq!(&lines, &expected);
                    for (k, (line, text, n)) in v.iter().enumerate() {
                        prop_assert_eq!(*n, k as u64 + 1);
                        if let Some(t) = text {
                            prop_assert_eq!(t.as_bytes(), line.as_slice());
                        } else {
                            prop_assert!(std::str::from_utf8(&data).is_err());
                        }
                    }
                }
            }
        }
    }
}
