//! The CSV `submitSeconds` column: seconds from the log start, or an absolute time (epoch
//! seconds, epoch milliseconds, ISO-8601), told apart by the text of the cell.
//!
//! How a cell is read:
//! * empty: missing (the line is skipped and counted, CONTRACT 2.3);
//! * four digits and a `-` at its start (`2024-03-01...`): an **ISO-8601 timestamp**,
//!   `YYYY-MM-DD[(T| )hh:mm[:ss[(.|,)fraction]][Z|±hh:mm|±hhmm|±hh]]`; without an offset the
//!   time is UTC, a date alone is its midnight UTC, the fraction is rounded to the nearest
//!   millisecond (halves up), a leap second `:60` counts as the next second;
//! * otherwise a decimal number `n` (the syntax of every trace number), by its size:
//!   - `n < 0`: missing (skipped and counted, like SWF's `-1`);
//!   - `n < 10^9`: **seconds from the log start** (the time origin is 0, as for SWF);
//!   - `10^9 <= n < 10^12`: **epoch seconds** (seconds since 1970-01-01T00:00:00Z; `10^9` is
//!     2001-09-09T01:46:40Z, and 10^9 seconds from a log start would be a 31-year log);
//!   - `n >= 10^12`: **epoch milliseconds** (AWS's form; `10^12` ms is that same instant).
//!
//! Every submission of a file must be of the kind of its first one (a row of another kind is
//! a bad line). For the three absolute kinds the time origin is the file's **earliest**
//! submission: it is submitted at t = 0 and every other row at its distance from it.

use super::error::BadLine;
use super::number::{parse_scaled, NumError};

/// Seconds from which a plain number is read as epoch seconds.
pub const EPOCH_SECONDS_FROM: i128 = 1_000_000_000;
/// Seconds (as written) from which a plain number is read as epoch milliseconds.
pub const EPOCH_MILLIS_FROM: i128 = 1_000_000_000_000;

/// What kind of time a `submitSeconds` cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeKind {
    /// Seconds from the log start (below 10^9).
    Relative,
    /// Seconds since the Unix epoch (10^9 to below 10^12).
    EpochSeconds,
    /// Milliseconds since the Unix epoch (10^12 and more).
    EpochMillis,
    /// An ISO-8601 date and time.
    Iso8601,
}

impl TimeKind {
    /// How messages name the kind.
    pub fn describe(self) -> &'static str {
        match self {
            TimeKind::Relative => "seconds from the log start",
            TimeKind::EpochSeconds => "epoch seconds",
            TimeKind::EpochMillis => "epoch milliseconds",
            TimeKind::Iso8601 => "an ISO-8601 timestamp",
        }
    }

    /// True for the kinds whose time origin is the earliest submission.
    pub fn is_absolute(self) -> bool {
        self != TimeKind::Relative
    }
}

/// A `submitSeconds` cell, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SubmitCell {
    /// Empty or negative: the line is skipped.
    Missing,
    /// A time: milliseconds from the log start ([`TimeKind::Relative`]) or since the Unix
    /// epoch (the absolute kinds; negative before 1970).
    At {
        /// The kind of time written.
        kind: TimeKind,
        /// Milliseconds.
        ms: i128,
    },
}

/// Reads a (trimmed) `submitSeconds` cell.
pub(super) fn read_submit(text: &str) -> Result<SubmitCell, BadLine> {
    if text.is_empty() {
        return Ok(SubmitCell::Missing);
    }
    let b = text.as_bytes();
    if b.len() > 4 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' {
        return parse_iso8601(text)
            .map(|ms| SubmitCell::At {
                kind: TimeKind::Iso8601,
                ms,
            })
            .map_err(|reason| BadLine::BadTimestamp {
                text: text.to_owned(),
                reason,
            });
    }
    let number_error = |e: NumError| match e {
        NumError::Syntax => BadLine::NotANumber {
            what: "submitSeconds".into(),
            text: text.to_owned(),
        },
        NumError::Range => BadLine::OutOfRange {
            what: "submitSeconds".into(),
            text: text.to_owned(),
        },
    };
    let ms = parse_scaled(text, 3).map_err(number_error)?;
    let at = |kind, ms| Ok(SubmitCell::At { kind, ms });
    if ms < 0 {
        Ok(SubmitCell::Missing)
    } else if ms < EPOCH_SECONDS_FROM * 1000 {
        at(TimeKind::Relative, ms)
    } else if ms < EPOCH_MILLIS_FROM * 1000 {
        at(TimeKind::EpochSeconds, ms)
    } else {
        at(TimeKind::EpochMillis, parse_scaled(text, 0).map_err(number_error)?)
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A cursor over the bytes of a timestamp.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    /// Exactly `n` digits as a number.
    fn digits(&mut self, n: usize, what: &'static str) -> Result<i64, &'static str> {
        let part = self.bytes.get(self.at..self.at + n).ok_or(what)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return Err(what);
        }
        self.at += n;
        Ok(part.iter().fold(0i64, |v, d| v * 10 + i64::from(d - b'0')))
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.at += 1;
        }
        found
    }
}

/// Milliseconds since the Unix epoch of an ISO-8601 timestamp (the forms in the module
/// documentation), or what is wrong with it.
pub(crate) fn parse_iso8601(text: &str) -> Result<i128, &'static str> {
    let mut c = Cursor {
        bytes: text.as_bytes(),
        at: 0,
    };
    const DATE: &str = "expected a date YYYY-MM-DD";
    let year = c.digits(4, DATE)?;
    if !c.eat(b'-') {
        return Err(DATE);
    }
    let month = c.digits(2, DATE)?;
    if !c.eat(b'-') {
        return Err(DATE);
    }
    let day = c.digits(2, DATE)?;
    if !(1..=12).contains(&month) {
        return Err("month out of range");
    }
    if !(1..=days_in_month(year, month)).contains(&day) {
        return Err("day out of range for the month");
    }
    let mut ms = i128::from(days_from_civil(year, month, day)) * 86_400_000;
    if c.peek().is_none() {
        return Ok(ms);
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return Err("expected `T` or a space and a time hh:mm after the date");
    }
    const TIME: &str = "expected a time hh:mm[:ss[.fraction]]";
    let hour = c.digits(2, TIME)?;
    if !c.eat(b':') {
        return Err(TIME);
    }
    let minute = c.digits(2, TIME)?;
    let mut second = 0;
    if c.eat(b':') {
        second = c.digits(2, TIME)?;
    }
    if hour > 23 {
        return Err("hour out of range");
    }
    if minute > 59 {
        return Err("minute out of range");
    }
    if second > 60 {
        return Err("second out of range");
    }
    ms += i128::from(hour * 3_600_000 + minute * 60_000 + second * 1000);
    if c.eat(b'.') || c.eat(b',') {
        let start = c.at;
        let mut fraction_ms = 0i128;
        let mut round_up = false;
        while let Some(d) = c.peek().filter(u8::is_ascii_digit) {
            let place = c.at - start;
            if place < 3 {
                fraction_ms = fraction_ms * 10 + i128::from(d - b'0');
            } else if place == 3 {
                round_up = d >= b'5';
            }
            c.at += 1;
        }
        let digits = c.at - start;
        if digits == 0 {
            return Err("expected digits after the decimal mark of the seconds");
        }
        for _ in digits..3 {
            fraction_ms *= 10;
        }
        ms += fraction_ms + i128::from(round_up);
    }
    match c.peek() {
        None => Ok(ms),
        Some(b'Z' | b'z') => {
            c.at += 1;
            if c.peek().is_some() {
                return Err("unexpected text after the time");
            }
            Ok(ms)
        }
        Some(sign @ (b'+' | b'-')) => {
            c.at += 1;
            const OFFSET: &str = "expected a UTC offset ±hh:mm, ±hhmm or ±hh";
            let hours = c.digits(2, OFFSET)?;
            let minutes = if c.peek().is_none() {
                0
            } else {
                c.eat(b':');
                c.digits(2, OFFSET)?
            };
            if c.peek().is_some() {
                return Err("unexpected text after the UTC offset");
            }
            if hours > 23 || minutes > 59 {
                return Err("UTC offset out of range");
            }
            let offset = i128::from(hours * 3_600_000 + minutes * 60_000);
            // Local time = UTC + offset.
            Ok(if sign == b'+' { ms - offset } else { ms + offset })
        }
        Some(_) => Err("unexpected text after the time"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(kind: TimeKind, ms: i128) -> Result<SubmitCell, BadLine> {
        Ok(SubmitCell::At { kind, ms })
    }

    #[test]
    fn kinds_by_text_and_size() {
        assert_eq!(read_submit(""), Ok(SubmitCell::Missing));
        assert_eq!(read_submit("-1"), Ok(SubmitCell::Missing));
        for (text, kind, ms) in [
            ("0", TimeKind::Relative, 0),
            ("12.5", TimeKind::Relative, 12_500),
            ("999999999.999", TimeKind::Relative, 999_999_999_999),
            ("1000000000", TimeKind::EpochSeconds, 1_000_000_000_000),
            ("1709251200.25", TimeKind::EpochSeconds, 1_709_251_200_250),
            ("999999999999", TimeKind::EpochSeconds, 999_999_999_999_000),
            ("1000000000000", TimeKind::EpochMillis, 1_000_000_000_000),
            ("1709251200250", TimeKind::EpochMillis, 1_709_251_200_250),
            ("1.7e12", TimeKind::EpochMillis, 1_700_000_000_000),
        ] {
            assert_eq!(read_submit(text), at(kind, ms), "{text}");
        }
        assert_eq!(
            read_submit("2024-03-01T00:00:00Z"),
            at(TimeKind::Iso8601, 1_709_251_200_000)
        );
        assert!(matches!(read_submit("soon"), Err(BadLine::NotANumber { .. })));
        assert!(matches!(read_submit("1e40"), Err(BadLine::OutOfRange { .. })));
        assert!(matches!(
            read_submit("2024-02-30T00:00:00Z"),
            Err(BadLine::BadTimestamp {
                reason: "day out of range for the month",
                ..
            })
        ));
    }

    #[test]
    fn iso8601_forms() {
        let base = 1_709_251_200_000; // 2024-03-01T00:00:00Z
        for (text, ms) in [
            ("2024-03-01", base),
            ("2024-03-01T00:00Z", base),
            ("2024-03-01 00:00:00", base),
            ("2024-03-01t00:00:00z", base),
            ("2024-03-01T01:00:00+01:00", base),
            ("2024-03-01T01:00:00+0100", base),
            ("2024-03-01T01:00:00+01", base),
            ("2024-02-29T23:30:00-00:30", base),
            ("2024-03-01T00:00:00.1234Z", base + 123),
            ("2024-03-01T00:00:00.1235Z", base + 124),
            ("2024-03-01T00:00:00,5", base + 500),
            ("2024-03-01T00:00:00.999999Z", base + 1000),
            ("2024-02-29T23:59:60Z", base),
            ("1970-01-01T00:00:00Z", 0),
            ("1969-12-31T23:59:59Z", -1000),
            ("2000-02-29T00:00:00Z", 951_782_400_000),
            ("0000-01-01T00:00:00Z", -62_167_219_200_000),
        ] {
            assert_eq!(parse_iso8601(text), Ok(ms), "{text}");
        }
        for (text, reason) in [
            ("2024-3-01", "expected a date YYYY-MM-DD"),
            ("2024-13-01", "month out of range"),
            ("2023-02-29", "day out of range for the month"),
            ("1900-02-29", "day out of range for the month"),
            (
                "2024-03-01X00:00",
                "expected `T` or a space and a time hh:mm after the date",
            ),
            ("2024-03-01T1:00", "expected a time hh:mm[:ss[.fraction]]"),
            ("2024-03-01T24:00", "hour out of range"),
            ("2024-03-01T23:60", "minute out of range"),
            ("2024-03-01T23:59:61", "second out of range"),
            (
                "2024-03-01T23:59:59.",
                "expected digits after the decimal mark of the seconds",
            ),
            ("2024-03-01T00:00:00Zx", "unexpected text after the time"),
            ("2024-03-01T00:00:00 UTC", "unexpected text after the time"),
            ("2024-03-01T00:00:00+1", "expected a UTC offset ±hh:mm, ±hhmm or ±hh"),
            ("2024-03-01T00:00:00+01:0", "expected a UTC offset ±hh:mm, ±hhmm or ±hh"),
            ("2024-03-01T00:00:00+24:00", "UTC offset out of range"),
            ("2024-03-01T00:00:00+01:00:00", "unexpected text after the UTC offset"),
        ] {
            assert_eq!(parse_iso8601(text), Err(reason), "{text}");
        }
    }

    #[test]
    fn days_from_civil_matches_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1996, 9, 23), 9_762);
        assert_eq!(days_from_civil(2024, 3, 1), 19_783);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }
}
