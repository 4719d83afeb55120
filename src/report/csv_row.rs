//! CSV rows built in one buffer: the writer behind the per-job and per-attempt tables.
//!
//! The tables' dialect is the `csv` crate's ([`super::csv::writer`]: comma-separated, `\n`
//! after each row, a cell quoted, RFC 4180, only when it holds a comma, a quote, `\r` or
//! `\n`), and the crate decides it here too: [`Cells`] asks `csv_core`'s writer, built with
//! the same settings, whether a cell needs quotes ([`csv_core::Writer::should_quote`]) and
//! lets [`csv_core::quote`] quote it. What this writer does not do is the crate's work per
//! byte for the cells that need nothing: numbers (digits and a dot, which never need
//! quotes) go into the row buffer as they are formatted, and a text cell without any of the
//! four bytes is copied. `batchsim run --jobs` spent three quarters of its time in the
//! crate's field writer (callgrind, M/M/100, 200,000 jobs: 4,500 instructions a row of 124
//! bytes); a unit test and a proptest compare this writer's bytes with the crate's.

use std::io::{self, Write};

/// Bytes kept before they go to the output (one `write` a block, not a row).
const BLOCK: usize = 64 * 1024;

/// Room kept after each cell for the next number: a comma and the fixed 32 bytes a number
/// cell copies (it holds at most 31: `u64::MAX:u32::MAX`; `u64::MAX` milliseconds as
/// seconds is 21).
const NUMBER_ROOM: usize = 33;

/// Where a number cell's digits end in its scratch buffer ([`Cells::number`]).
const DIGITS_END: usize = 32;

/// A table's rows, cell by cell, into a buffer that goes to `out` in blocks.
pub(crate) struct Cells<W: Write> {
    out: W,
    /// `buf[..len]` is what is written and not out yet; the rest is room (always at least
    /// [`NUMBER_ROOM`] bytes after each cell).
    buf: Vec<u8>,
    len: usize,
    /// The crate's writer, asked only whether a cell needs quotes.
    dialect: csv_core::Writer,
    /// Whether the row has a cell yet (a comma goes before each later one).
    started: bool,
    /// Scratch text for [`Cells::display`] (kept, so a cell allocates nothing).
    scratch: String,
}

impl<W: Write> Cells<W> {
    /// Rows on `out`, in the tables' dialect.
    pub(crate) fn new(out: W) -> Cells<W> {
        Cells::with_room(out, BLOCK + 4096)
    }

    /// Cells with a buffer of `room` bytes to start with (it grows when a row needs more).
    fn with_room(out: W, room: usize) -> Cells<W> {
        Cells {
            out,
            buf: vec![0; room.max(NUMBER_ROOM)],
            len: 0,
            dialect: csv_core::WriterBuilder::new()
                .terminator(csv_core::Terminator::Any(b'\n'))
                .quote_style(csv_core::QuoteStyle::Necessary)
                .comment(Some(b'\r'))
                .build(),
            started: false,
            scratch: String::new(),
        }
    }

    /// Makes room for `n` more bytes and the next number after them.
    #[inline]
    fn room(&mut self, n: usize) {
        let need = self.len + n + NUMBER_ROOM;
        if need > self.buf.len() {
            self.buf.resize(need + 4096, 0);
        }
    }

    /// The comma before every cell but a row's first.
    #[inline]
    fn separate(&mut self) {
        if self.started {
            self.buf[self.len] = b',';
            self.len += 1;
        }
        self.started = true;
    }

    /// Bytes copied as they are (after [`Cells::room`]).
    #[inline]
    fn put(&mut self, s: &[u8]) {
        self.buf[self.len..self.len + s.len()].copy_from_slice(s);
        self.len += s.len();
    }

    /// A text cell, quoted when the dialect says so.
    #[inline]
    pub(crate) fn text(&mut self, s: &[u8]) {
        let quote = self.needs_quotes(s);
        self.text_known(s, quote);
    }

    /// A text cell whose need of quotes is already known (`quote`: what
    /// [`Cells::needs_quotes`] said of the same bytes).
    #[inline]
    pub(crate) fn text_known(&mut self, s: &[u8], quote: bool) {
        debug_assert_eq!(quote, self.needs_quotes(s), "a stale answer for {s:?}");
        if quote {
            self.quoted(s);
        } else {
            self.room(s.len());
            self.separate();
            self.put(s);
        }
    }

    /// Whether the dialect quotes a cell of `s`.
    #[inline]
    pub(crate) fn needs_quotes(&self, s: &[u8]) -> bool {
        self.dialect.should_quote(s)
    }

    /// `s` between quotes, its quotes doubled.
    #[cold]
    fn quoted(&mut self, s: &[u8]) {
        // Room for every byte doubled: `quote` then never runs out of output.
        self.room(2 * s.len() + 2);
        self.separate();
        self.put(b"\"");
        let (_, _, written) = csv_core::quote(s, &mut self.buf[self.len..], b'"', b'\\', true);
        self.len += written;
        self.put(b"\"");
    }

    /// Where the next cell starts (its comma) in this row: see [`Cells::since`].
    #[inline]
    pub(crate) fn mark(&self) -> usize {
        self.len
    }

    /// The bytes written since `mark` (taken in this row: a block goes out only at a row's
    /// end): cells with the comma before each.
    #[inline]
    pub(crate) fn since(&self, mark: usize) -> &[u8] {
        &self.buf[mark.min(self.len)..self.len]
    }

    /// Cells written before ([`Cells::since`], after the row's first cell), copied again.
    #[inline]
    pub(crate) fn raw(&mut self, cells: &[u8]) {
        debug_assert!(self.started, "copied cells start with a comma: not a row's first");
        self.room(cells.len());
        self.put(cells);
        self.started = true;
    }

    /// A cell of bytes that never need quotes (digits, a dot, a colon, a sign, a status).
    #[inline]
    pub(crate) fn plain(&mut self, s: &[u8]) {
        self.room(s.len());
        self.separate();
        self.put(s);
    }

    /// A number cell of at most 31 bytes: `digits` writes it into a scratch buffer so that
    /// it ends just before index [`DIGITS_END`] and says where it starts. The cell is copied
    /// as a fixed 32 bytes from there (the room after each cell holds them; what follows the
    /// digits is overwritten by the next cell or never written out): two moves instead of a
    /// call to `memcpy` with the cell's length. The digits go to a fixed-size array, whose
    /// bounds the compiler checks once; written in place, sized first, the cells cost more
    /// (callgrind, M/M/100 with `--jobs`: +5% of the run).
    #[inline(always)]
    fn number(&mut self, digits: impl FnOnce(&mut [u8; 2 * DIGITS_END]) -> usize) {
        let mut scratch = [0u8; 2 * DIGITS_END];
        let start = digits(&mut scratch);
        debug_assert!(start < DIGITS_END, "a number cell of {} bytes", DIGITS_END - start);
        let start = start.min(DIGITS_END);
        self.separate();
        self.buf[self.len..self.len + DIGITS_END].copy_from_slice(&scratch[start..start + DIGITS_END]);
        self.len += DIGITS_END - start;
        self.room(0);
    }

    /// An unsigned integer cell.
    #[inline]
    pub(crate) fn uint(&mut self, n: u64) {
        self.number(|b| crate::time::uint_digits_before(b, DIGITS_END, n));
    }

    /// Two unsigned integers joined by `sep` in one cell (`17:3`).
    #[inline]
    pub(crate) fn uint_pair(&mut self, a: u64, sep: u8, b: u32) {
        self.number(|buf| {
            let start = crate::time::uint_digits_before(buf, DIGITS_END, u64::from(b)) - 1;
            buf[start] = sep;
            crate::time::uint_digits_before(buf, start, a)
        });
    }

    /// A signed integer cell.
    #[inline]
    pub(crate) fn int(&mut self, n: i64) {
        self.number(|b| {
            let start = crate::time::uint_digits_before(b, DIGITS_END, n.unsigned_abs());
            if n < 0 {
                b[start - 1] = b'-';
                start - 1
            } else {
                start
            }
        });
    }

    /// Milliseconds (or milli-vCPUs) as units in the shortest exact form, or an empty cell.
    #[inline]
    pub(crate) fn millis(&mut self, ms: Option<u64>) {
        match ms {
            Some(ms) => self.number(|b| crate::time::millis_digits_before(b, DIGITS_END, ms)),
            None => self.empty(),
        }
    }

    /// An empty cell (the room after it kept, as after every cell).
    #[inline]
    pub(crate) fn empty(&mut self) {
        self.separate();
        self.room(0);
    }

    /// A number in its `Display` form (a float's shortest form that reads back the same).
    pub(crate) fn display(&mut self, v: impl std::fmt::Display) {
        use std::fmt::Write as _;
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        let _ = write!(text, "{v}");
        self.plain(text.as_bytes());
        self.scratch = text;
    }

    /// Ends the row; a full block goes to the output.
    #[inline]
    pub(crate) fn end_row(&mut self) -> io::Result<()> {
        self.buf[self.len] = b'\n';
        self.len += 1;
        self.started = false;
        if self.len >= BLOCK {
            self.out.write_all(&self.buf[..self.len])?;
            self.len = 0;
        }
        self.room(0);
        Ok(())
    }

    /// A header line: each name a cell.
    pub(crate) fn header(&mut self, names: &str) -> io::Result<()> {
        for n in names.split(',') {
            self.text(n.as_bytes());
        }
        self.end_row()
    }

    /// The bytes written and not out yet (a row written to memory alone).
    pub(crate) fn into_buffered(mut self) -> Vec<u8> {
        self.buf.truncate(self.len);
        self.buf
    }

    /// Writes what is buffered and flushes; hands the output back.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&self.buf[..self.len])?;
        self.len = 0;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl Cells<Vec<u8>> {
    /// Cells for a row or two kept in memory (a small buffer, not a block's).
    pub(crate) fn in_memory() -> Cells<Vec<u8>> {
        Cells::with_room(Vec::new(), 256)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The same cells through the `csv` crate's writer with the tables' dialect.
    fn by_the_crate(rows: &[Vec<String>]) -> Vec<u8> {
        let mut w = super::super::csv::writer(Vec::new());
        for r in rows {
            w.write_record(r).expect("to memory");
        }
        w.into_inner().expect("to memory")
    }

    fn by_cells(rows: &[Vec<String>]) -> Vec<u8> {
        let mut c = Cells::new(Vec::new());
        for r in rows {
            for cell in r {
                c.text(cell.as_bytes());
            }
            c.end_row().expect("to memory");
        }
        c.finish().expect("to memory")
    }

    #[test]
    fn cells_are_quoted_exactly_where_the_crate_quotes_them() {
        let rows = vec![
            vec!["17:3".into(), "etl, nightly".into(), String::new(), "say \"hi\"".into()],
            vec!["a\rb".into(), "line\nbreak".into(), "\"".into(), "plain".into()],
            vec!["#x".into(), " spaced ".into(), "tab\there".into(), "é,ü".into()],
        ];
        let got = by_cells(&rows);
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&by_the_crate(&rows))
        );
        assert_eq!(
            String::from_utf8_lossy(&got).lines().next(),
            Some("17:3,\"etl, nightly\",,\"say \"\"hi\"\"\"")
        );
    }

    #[test]
    fn a_small_buffer_grows_for_a_long_row() {
        let long = "x,\"".repeat(3000);
        let rows = vec![vec![long.clone(), "y".into()]];
        let mut c = Cells::in_memory();
        c.text(long.as_bytes());
        c.text(b"y");
        c.end_row().expect("to memory");
        assert_eq!(c.into_buffered(), by_the_crate(&rows));
    }

    #[test]
    fn numbers_are_plain_cells_and_blocks_reach_the_output() {
        let mut c = Cells::new(Vec::new());
        for i in 0..20_000u64 {
            c.uint(i);
            c.int(-(i as i64));
            c.uint_pair(i, b':', 7);
            c.millis(Some(i * 250));
            c.millis(None);
            c.display(0.1 + 0.2);
            c.end_row().expect("to memory");
        }
        let out = c.finish().expect("to memory");
        let text = String::from_utf8(out).expect("ASCII");
        assert_eq!(text.lines().count(), 20_000);
        assert_eq!(text.lines().nth(3), Some("3,-3,3:7,0.75,,0.30000000000000004"));
        assert_eq!(
            text.lines().last(),
            Some("19999,-19999,19999:7,4999.75,,0.30000000000000004")
        );
        // Empty cells, then the longest number, at the edge of a buffer that starts small.
        let mut c = Cells::in_memory();
        for _ in 0..300 {
            c.empty();
        }
        c.uint_pair(u64::MAX, b':', u32::MAX);
        c.end_row().expect("to memory");
        let text = String::from_utf8(c.into_buffered()).expect("ASCII");
        assert_eq!(text, format!("{}{}:{}\n", ",".repeat(300), u64::MAX, u32::MAX));
        let mut c = Cells::new(Vec::new());
        c.uint(u64::MAX);
        c.int(i64::MIN);
        c.millis(Some(u64::MAX));
        c.uint_pair(u64::MAX, b':', u32::MAX);
        c.end_row().expect("to memory");
        let text = String::from_utf8(c.finish().expect("to memory")).expect("ASCII");
        assert_eq!(
            text,
            format!(
                "{},{},{}.615,{}:{}\n",
                u64::MAX,
                i64::MIN,
                u64::MAX / 1000,
                u64::MAX,
                u32::MAX
            )
        );
    }

    proptest! {
        #[test]
        fn numbers_are_written_as_std_formats_them(n in any::<u64>(), i in any::<i64>(), k in any::<u32>()) {
            let mut c = Cells::new(Vec::new());
            c.uint(n);
            c.int(i);
            c.millis(Some(n));
            c.uint_pair(n, b':', k);
            c.end_row().expect("to memory");
            let mut secs = [0u8; 24];
            let want = format!(
                "{n},{i},{},{n}:{k}\n",
                String::from_utf8_lossy(crate::time::millis_as_secs(n, &mut secs))
            );
            prop_assert_eq!(String::from_utf8(c.finish().expect("to memory")).expect("ASCII"), want);
        }

        #[test]
        fn any_text_is_written_as_the_crate_writes_it(
            rows in (2usize..6).prop_flat_map(|columns| proptest::collection::vec(
                proptest::collection::vec("[a-z,\"\r\n #\t\u{e9} ]{0,6}", columns), 1..5))
        ) {
            prop_assert_eq!(by_cells(&rows), by_the_crate(&rows));
        }
    }
}
