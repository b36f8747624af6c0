//! Counting reader wrappers that enforce [`Limits`] while bytes stream through.
//!
//! Every layer of the reader stack is wrapped: the caller's reader in a [`RootMeter`] (its
//! errors are I/O errors, everything else is corruption), each decompressor's input in an
//! [`InMeter`] and its output in an [`OutMeter`] (ratio and total caps). A tripped limit is
//! recorded in [`Shared`] before the `io::Error` is returned, because decompressors are free
//! to rewrap the errors of the reader they read from.

use std::cell::{Cell, RefCell};
use std::io::{self, BufRead, Read};
use std::rc::Rc;
use std::time::Instant;

use crate::{Limits, ScanError};

/// The ratio cap only applies once a member has produced this much output.
const RATIO_GRACE: u64 = 1 << 20;
/// How many bytes flow between two looks at the clock.
const CLOCK_EVERY: u64 = 4 << 20;

/// What stopped the scan from inside a reader.
#[derive(Debug, Clone)]
pub(crate) enum Trip {
    Limit(String),
    Timeout,
}

impl From<Trip> for ScanError {
    fn from(t: Trip) -> Self {
        match t {
            Trip::Limit(what) => ScanError::LimitExceeded { what },
            Trip::Timeout => ScanError::Timeout,
        }
    }
}

/// State shared by all meters of one `scan` call.
pub(crate) struct Shared {
    pub limits: Limits,
    total: Cell<u64>,
    since_clock: Cell<u64>,
    tripped: RefCell<Option<Trip>>,
    root_err: RefCell<Option<(io::ErrorKind, String)>>,
}

impl Shared {
    pub fn new(limits: &Limits) -> Rc<Self> {
        Rc::new(Self {
            limits: limits.clone(),
            total: Cell::new(0),
            since_clock: Cell::new(0),
            tripped: RefCell::new(None),
            root_err: RefCell::new(None),
        })
    }

    fn trip(&self, t: Trip) -> io::Error {
        let mut slot = self.tripped.borrow_mut();
        if slot.is_none() {
            *slot = Some(t);
        }
        io::Error::other("tollgate-dumps: scan limit reached")
    }

    fn check_tripped(&self) -> io::Result<()> {
        if self.tripped.borrow().is_some() {
            Err(io::Error::other("tollgate-dumps: scan limit reached"))
        } else {
            Ok(())
        }
    }

    /// Whether the deadline has passed (checked now, not every few MB).
    pub fn past_deadline(&self) -> bool {
        self.limits.deadline.is_some_and(|d| Instant::now() >= d)
    }

    fn tick(&self, n: usize) -> io::Result<()> {
        let s = self.since_clock.get() + n as u64;
        if s >= CLOCK_EVERY {
            self.since_clock.set(0);
            if self.past_deadline() {
                return Err(self.trip(Trip::Timeout));
            }
        } else {
            self.since_clock.set(s);
        }
        Ok(())
    }

    /// A limit tripped while the scan went on (an error a decoder swallowed): fail closed.
    pub fn take_trip(&self) -> Option<ScanError> {
        self.tripped.borrow_mut().take().map(Into::into)
    }

    /// Turns an `io::Error` from somewhere in the reader stack into the right `ScanError`.
    pub fn map_io(&self, e: io::Error, label: &str) -> ScanError {
        if let Some(t) = self.take_trip() {
            return t;
        }
        if let Some((kind, msg)) = self.root_err.borrow_mut().take() {
            return ScanError::Io(io::Error::new(kind, msg));
        }
        ScanError::Corrupt {
            what: format!("{label}: {e}"),
        }
    }
}

/// Wraps the caller's reader: clock checks, and its errors are reported as `ScanError::Io`.
pub(crate) struct RootMeter<R> {
    pub inner: R,
    pub shared: Rc<Shared>,
}

impl<R: Read> Read for RootMeter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.shared.check_tripped()?;
        match self.inner.read(buf) {
            Ok(n) => {
                self.shared.tick(n)?;
                Ok(n)
            }
            Err(e) => {
                if e.kind() != io::ErrorKind::Interrupted {
                    *self.shared.root_err.borrow_mut() = Some((e.kind(), e.to_string()));
                }
                Err(e)
            }
        }
    }
}

/// Counts the compressed bytes a decoder consumes.
pub(crate) struct InMeter<R> {
    pub inner: R,
    pub count: Rc<Cell<u64>>,
}

impl<R: Read> Read for InMeter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for InMeter<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.count.set(self.count.get() + amt as u64);
        self.inner.consume(amt);
    }
}

/// Meters the output of a decompressor or archive member: the decompression ratio against
/// its [`InMeter`] and, while `counted` is true (the stream is read by a parser, not by
/// another wrapper), the total of decompressed bytes.
pub(crate) struct OutMeter<R> {
    inner: R,
    shared: Rc<Shared>,
    compressed: Option<Rc<Cell<u64>>>,
    counted: Rc<Cell<bool>>,
    out: u64,
    label: String,
}

impl<R> OutMeter<R> {
    pub fn new(
        inner: R,
        shared: Rc<Shared>,
        compressed: Option<Rc<Cell<u64>>>,
        counted: Rc<Cell<bool>>,
        label: String,
    ) -> Self {
        Self {
            inner,
            shared,
            compressed,
            counted,
            out: 0,
            label,
        }
    }
}

impl<R: Read> Read for OutMeter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.shared.check_tripped()?;
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        let limits = &self.shared.limits;
        if self.counted.get() {
            let total = self.shared.total.get() + n as u64;
            self.shared.total.set(total);
            if total > limits.max_decompressed_bytes {
                return Err(self.shared.trip(Trip::Limit(format!(
                    "{}: more than {} decompressed bytes (max_decompressed_bytes)",
                    self.label, limits.max_decompressed_bytes
                ))));
            }
        }
        if let Some(c) = &self.compressed {
            if self.out > RATIO_GRACE && self.out / c.get().max(1) > limits.max_ratio {
                return Err(self.shared.trip(Trip::Limit(format!(
                    "{}: compression ratio above {}:1 after {} bytes out of {} (max_ratio)",
                    self.label,
                    limits.max_ratio,
                    self.out,
                    c.get()
                ))));
            }
        }
        self.shared.tick(n)?;
        Ok(n)
    }
}
