//! The bytes of a trace: opening with a reason for every refusal, a file handle held only while
//! a block is read (so that any number of traces can be replayed at once), gzip recognised by
//! its magic bytes and decompressed on the fly, and lines read with a length cap.

use super::error::OpenError;
use flate2::bufread::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The two magic bytes that start every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Bytes read from the file at a time (the file is open only during such a read).
const BLOCK_BYTES: usize = 64 * 1024;

/// A source of raw (possibly compressed) trace bytes that can be read again from the start.
pub(super) trait RawInput: Read + Seek + Send {}

impl<T: Read + Seek + Send> RawInput for T {}

/// Opens `path` for reading if it is a regular file, with the reason when not.
///
/// Directories, devices, FIFOs and sockets are refused from their metadata, before any open
/// (opening a FIFO would block until a writer comes).
pub(super) fn open_regular(path: &Path) -> Result<ReopeningFile, OpenError> {
    let meta = std::fs::metadata(path).map_err(OpenError::Os)?;
    if meta.is_dir() {
        return Err(OpenError::IsDirectory);
    }
    if !meta.is_file() {
        return Err(OpenError::NotRegularFile);
    }
    let file = File::open(path).map_err(OpenError::Os)?;
    let meta = file.metadata().map_err(OpenError::Os)?;
    if !meta.is_file() {
        return Err(OpenError::NotRegularFile);
    }
    Ok(ReopeningFile {
        path: path.to_path_buf(),
        offset: 0,
        stamp: Stamp::of(&meta),
        file: Some(file),
    })
}

/// Size and modification time of a file, to notice it changing between two reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

/// A regular file read at an offset, opened for each read and closed after it: a replay of
/// hundreds of traces holds at most one file open at a time. A file that changes size or
/// modification time between two reads is an error, not silently mixed data.
#[derive(Debug)]
pub(super) struct ReopeningFile {
    path: PathBuf,
    offset: u64,
    stamp: Stamp,
    /// The handle of the first open, used by the first read (then closed).
    file: Option<File>,
}

impl ReopeningFile {
    fn reopen(&self) -> io::Result<File> {
        let mut file = File::open(&self.path)?;
        let meta = file.metadata()?;
        if !meta.is_file() || Stamp::of(&meta) != self.stamp {
            return Err(io::Error::other("the file changed while it was being read"));
        }
        file.seek(SeekFrom::Start(self.offset))?;
        Ok(file)
    }
}

impl Read for ReopeningFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut file = match self.file.take() {
            Some(file) if self.offset == 0 => file,
            _ => self.reopen()?,
        };
        let n = file.read(buf)?;
        self.offset = self.offset.saturating_add(n as u64);
        Ok(n)
    }
}

impl Seek for ReopeningFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let target = match pos {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::Current(d) => self.offset.checked_add_signed(d),
            SeekFrom::End(d) => self.stamp.len.checked_add_signed(d),
        };
        let target = target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek out of range"))?;
        if target != 0 {
            self.file = None;
        }
        self.offset = target;
        Ok(target)
    }
}

/// Decompressed trace bytes: plain or gzip, decided by the first two bytes.
pub(super) enum Decoded {
    /// Not gzip: the bytes as they are.
    Plain(BufReader<Box<dyn RawInput>>),
    /// Gzip (concatenated members read as one stream).
    Gzip(BufReader<MultiGzDecoder<BufReader<Box<dyn RawInput>>>>),
}

impl Decoded {
    /// Reads from the start of `raw`, decompressing when it starts with the gzip magic bytes.
    pub(super) fn new(mut raw: Box<dyn RawInput>) -> io::Result<Decoded> {
        raw.seek(SeekFrom::Start(0))?;
        let mut prefix = [0u8; 2];
        let got = read_prefix(&mut raw, &mut prefix)?;
        raw.seek(SeekFrom::Start(0))?;
        let buffered = BufReader::with_capacity(BLOCK_BYTES, raw);
        Ok(if got == 2 && prefix == GZIP_MAGIC {
            Decoded::Gzip(BufReader::new(MultiGzDecoder::new(buffered)))
        } else {
            Decoded::Plain(buffered)
        })
    }

    /// The raw input back, to read it again.
    pub(super) fn into_raw(self) -> Box<dyn RawInput> {
        match self {
            Decoded::Plain(r) => r.into_inner(),
            Decoded::Gzip(r) => r.into_inner().into_inner().into_inner(),
        }
    }

    /// Says what a decompression error means.
    fn explain(&self, e: io::Error) -> io::Error {
        match self {
            Decoded::Plain(_) => e,
            Decoded::Gzip(_) if e.kind() == io::ErrorKind::UnexpectedEof => io::Error::new(
                e.kind(),
                "the gzip data is truncated or corrupt (the compressed stream ends early)",
            ),
            Decoded::Gzip(_) if e.kind() == io::ErrorKind::InvalidInput || e.kind() == io::ErrorKind::InvalidData => {
                io::Error::new(e.kind(), format!("corrupt gzip data ({e})"))
            }
            Decoded::Gzip(_) => e,
        }
    }
}

impl Read for Decoded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let result = match self {
            Decoded::Plain(r) => r.read(buf),
            Decoded::Gzip(r) => r.read(buf),
        };
        result.map_err(|e| self.explain(e))
    }
}

impl BufRead for Decoded {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        // Two steps so that the error path does not hold the borrow of the buffer.
        let failed = match self {
            Decoded::Plain(r) => r.fill_buf().err(),
            Decoded::Gzip(r) => r.fill_buf().err(),
        };
        if let Some(e) = failed {
            return Err(self.explain(e));
        }
        match self {
            Decoded::Plain(r) => r.fill_buf(),
            Decoded::Gzip(r) => r.fill_buf(),
        }
    }

    fn consume(&mut self, amt: usize) {
        match self {
            Decoded::Plain(r) => r.consume(amt),
            Decoded::Gzip(r) => r.consume(amt),
        }
    }
}

/// Reads up to `buf.len()` bytes, stopping early only at the end of the input.
fn read_prefix(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Reads one line without its `\n` into `buf`. Returns `Ok(None)` at the end of the input,
/// `Ok(Some(too_long))` otherwise; a line longer than `cap` bytes is consumed but not stored.
pub(super) fn read_capped_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>, cap: usize) -> io::Result<Option<bool>> {
    buf.clear();
    let mut any = false;
    let mut too_long = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(any.then_some(too_long));
        }
        any = true;
        let (chunk, found, used) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], true, i + 1),
            None => (available, false, available.len()),
        };
        if !too_long {
            if buf.len().saturating_add(chunk.len()) > cap {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        reader.consume(used);
        if found {
            return Ok(Some(too_long));
        }
    }
}

/// A reader that fails once more than `cap` bytes have passed since the last
/// [`mark`](Self::mark): it bounds the memory one CSV record can take, whatever the input.
pub(super) struct Capped<R> {
    inner: R,
    since_mark: u64,
    cap: u64,
}

impl<R> Capped<R> {
    pub(super) fn new(inner: R, cap: u64) -> Capped<R> {
        Capped {
            inner,
            since_mark: 0,
            cap,
        }
    }

    /// Starts counting again (called after each complete record).
    pub(super) fn mark(&mut self) {
        self.since_mark = 0;
    }

    pub(super) fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.since_mark > self.cap {
            return Err(io::Error::other(format!(
                "a record longer than {} bytes (an unclosed quote?)",
                super::MAX_LINE_BYTES
            )));
        }
        let n = self.inner.read(buf)?;
        self.since_mark = self.since_mark.saturating_add(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn temp_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("batchsim-trace-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn refusals_say_why() {
        let dir = temp_dir();
        assert!(matches!(open_regular(&dir), Err(OpenError::IsDirectory)));
        assert!(matches!(
            open_regular(Path::new("/dev/null")),
            Err(OpenError::NotRegularFile)
        ));
        let missing = open_regular(&dir.join("absent.swf")).expect_err("missing");
        assert!(
            missing.to_string().starts_with("No such file or directory"),
            "{missing}"
        );
    }

    #[test]
    fn reopening_file_reads_in_blocks_and_notices_changes() {
        let path = temp_dir().join("reopen.txt");
        std::fs::write(&path, b"0123456789").expect("write");
        let mut f = open_regular(&path).expect("open");
        let mut buf = [0u8; 4];
        assert_eq!(f.read(&mut buf).expect("read"), 4);
        assert!(f.file.is_none(), "closed after the first read");
        assert_eq!(&buf, b"0123");
        assert_eq!(f.read(&mut buf).expect("read"), 4);
        assert_eq!(&buf, b"4567");
        assert_eq!(f.seek(SeekFrom::Start(0)).expect("seek"), 0);
        let mut all = Vec::new();
        f.read_to_end(&mut all).expect("read");
        assert_eq!(all, b"0123456789");
        std::fs::write(&path, b"0123456789abc").expect("rewrite");
        f.seek(SeekFrom::Start(2)).expect("seek");
        let e = f.read(&mut buf).expect_err("changed");
        assert_eq!(e.to_string(), "the file changed while it was being read");
        std::fs::remove_file(&path).ok();
    }

    #[test]
    fn capped_lines() {
        let mut input = Cursor::new(b"ab\nlonger line\r\nlast".to_vec());
        let mut buf = Vec::new();
        assert_eq!(read_capped_line(&mut input, &mut buf, 5).expect("read"), Some(false));
        assert_eq!(buf, b"ab");
        assert_eq!(read_capped_line(&mut input, &mut buf, 5).expect("read"), Some(true));
        assert!(buf.is_empty());
        assert_eq!(read_capped_line(&mut input, &mut buf, 5).expect("read"), Some(false));
        assert_eq!(buf, b"last");
        assert_eq!(read_capped_line(&mut input, &mut buf, 5).expect("read"), None);
    }

    #[test]
    fn capped_reader_fails_past_its_cap_until_marked() {
        let mut r = Capped::new(Cursor::new(vec![7u8; 100]), 10);
        let mut buf = [0u8; 8];
        assert_eq!(r.read(&mut buf).expect("read"), 8);
        assert_eq!(r.read(&mut buf).expect("read"), 8);
        assert!(r.read(&mut buf).is_err());
        r.mark();
        assert_eq!(r.read(&mut buf).expect("read"), 8);
    }
}
