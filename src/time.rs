//! Simulated time: integer milliseconds in two newtypes.
//!
//! [`SimTime`] is a point on the virtual clock (milliseconds since the run started) and
//! [`SimDuration`] a span between two points. Scenario files speak seconds (fractional allowed);
//! they are rounded to the nearest millisecond once, when the file is read, so that every
//! comparison inside the engine is exact integer arithmetic and runs are reproducible.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// The largest time a scenario may name, in seconds (about 31,700 years). Keeps every sum of
/// times far from `u64` overflow.
pub const MAX_SECONDS: f64 = 1.0e12;

/// A point in simulated time, in whole milliseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(u64);

/// A span of simulated time, in whole milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(u64);

/// `x.round() as u64` for `0 <= x < 2^53` (halves away from zero), without the library call
/// `f64::round` costs on the baseline x86-64 target: below 2^53 both the truncation and the
/// fraction `x - trunc(x)` are exact.
fn round_half_up(x: f64) -> u64 {
    // Through i64: one instruction each way on x86-64, where u64 <-> f64 takes several.
    let whole = x as i64;
    let rounded = if x - whole as f64 >= 0.5 { whole + 1 } else { whole };
    rounded as u64
}

/// Converts seconds to milliseconds, rounding to the nearest millisecond; `None` for values
/// that are negative, not finite or above [`MAX_SECONDS`].
fn secs_to_millis(secs: f64) -> Option<u64> {
    if secs.is_finite() && (0.0..=MAX_SECONDS).contains(&secs) {
        Some(round_half_up(secs * 1000.0))
    } else {
        None
    }
}

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// A time later than any event a run can schedule.
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// The time `ms` milliseconds after the start.
    pub const fn from_millis(ms: u64) -> SimTime {
        SimTime(ms)
    }

    /// The time `secs` seconds after the start, rounded to the nearest millisecond; `None` when
    /// `secs` is negative, not finite, or above [`MAX_SECONDS`].
    pub fn from_secs_f64(secs: f64) -> Option<SimTime> {
        secs_to_millis(secs).map(SimTime)
    }

    /// Milliseconds since the start.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// Seconds since the start.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// The span from `earlier` to `self`, or zero when `earlier` is later.
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);

    /// A span of `ms` milliseconds.
    pub const fn from_millis(ms: u64) -> SimDuration {
        SimDuration(ms)
    }

    /// A span of whole seconds (saturating at `u64::MAX` milliseconds: never wraps).
    pub const fn from_secs(secs: u64) -> SimDuration {
        SimDuration(secs.saturating_mul(1000))
    }

    /// `secs` seconds rounded to the nearest millisecond; `None` when negative, not finite or
    /// above [`MAX_SECONDS`].
    pub fn from_secs_f64(secs: f64) -> Option<SimDuration> {
        secs_to_millis(secs).map(SimDuration)
    }

    /// The span in milliseconds.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// The span in seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// True for a span of zero length.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        self.0 = self.0.saturating_add(rhs.0);
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    fn sub(self, rhs: SimTime) -> SimDuration {
        self.since(rhs)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

/// Writes a millisecond count as seconds in the shortest exact form: `100`, `100.5`, `0.25`.
pub(crate) fn write_millis_as_secs(f: &mut impl fmt::Write, ms: u64) -> fmt::Result {
    let mut buf = [0u8; 24];
    // Only ASCII digits and a dot are written.
    f.write_str(std::str::from_utf8(millis_as_secs(ms, &mut buf)).unwrap_or(""))
}

/// "00" to "99": two digits a step.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The eight decimal digits of `n` (below 10^8) as ASCII bytes, the most significant first
/// (`u64::to_le_bytes` order), and how many of them are leading zeros (at most 7).
///
/// All eight at once in one register: `n` splits into two halves of four digits (32-bit
/// lanes), each into two pairs (16-bit lanes), each into two digits (bytes), a
/// multiplication and a shift doing each split in every lane together (`x / 100` is
/// `x * 10486 >> 20` below 43,699, `x / 10` is `x * 103 >> 10` below 179, and no lane's
/// product reaches the next). About 20 instructions for any `n`, where two digits a step
/// took four steps of a division each for the times of a long run.
#[inline(always)]
fn eight_digits(n: u32) -> (u64, usize) {
    debug_assert!(n < 100_000_000);
    let x = u64::from(n / 10_000) | (u64::from(n % 10_000) << 32);
    let hundreds = ((x * 10_486) >> 20) & 0x0000_007F_0000_007F;
    let y = hundreds | ((x - hundreds * 100) << 16);
    let tens = ((y * 103) >> 10) & 0x000F_000F_000F_000F;
    let z = tens | ((y - tens * 10) << 8);
    let lead = (z.trailing_zeros() / 8).min(7) as usize;
    (z | 0x3030_3030_3030_3030, lead)
}

/// Writes the decimal digits of `n` so that they end just before `buf[end]` (which needs
/// room for 20 before it); returns where they start.
#[inline(always)]
pub(crate) fn uint_digits_before(buf: &mut [u8], mut end: usize, mut n: u64) -> usize {
    if n < 10 {
        end -= 1;
        buf[end] = b'0' + n as u8;
        return end;
    }
    if n < 100_000_000 {
        let (digits, lead) = eight_digits(n as u32);
        buf[end - 8..end].copy_from_slice(&digits.to_le_bytes());
        return end - 8 + lead;
    }
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        end -= 2;
        buf[end] = PAIRS[pair];
        buf[end + 1] = PAIRS[pair + 1];
    }
    if n >= 10 {
        let pair = n as usize * 2;
        end -= 2;
        buf[end] = PAIRS[pair];
        buf[end + 1] = PAIRS[pair + 1];
    } else {
        end -= 1;
        buf[end] = b'0' + n as u8;
    }
    end
}

/// Writes a millisecond count as seconds in the shortest exact form (`100`, `100.5`, `0.25`)
/// so that it ends just before `buf[end]` (which needs room for 24 before it); returns
/// where it starts.
#[inline(always)]
pub(crate) fn millis_digits_before(buf: &mut [u8], mut end: usize, ms: u64) -> usize {
    let (whole, frac) = (ms / 1000, (ms % 1000) as u32);
    // The fraction's digits without trailing zeros, then the dot.
    if frac != 0 {
        let (d0, d1, d2) = (
            b'0' + (frac / 100) as u8,
            b'0' + (frac / 10 % 10) as u8,
            b'0' + (frac % 10) as u8,
        );
        if frac % 100 == 0 {
            end -= 2;
            buf[end + 1] = d0;
        } else if frac % 10 == 0 {
            end -= 3;
            buf[end + 1] = d0;
            buf[end + 2] = d1;
        } else {
            end -= 4;
            buf[end + 1] = d0;
            buf[end + 2] = d1;
            buf[end + 3] = d2;
        }
        buf[end] = b'.';
    }
    uint_digits_before(buf, end, whole)
}

/// [`write_millis_as_secs`] into `buf` (digits by hand: `core::fmt` was most of the cost of
/// a job table's numbers). Returns the ASCII bytes.
pub(crate) fn millis_as_secs(ms: u64, buf: &mut [u8; 24]) -> &[u8] {
    let start = millis_digits_before(buf, 24, ms);
    &buf[start..]
}

impl fmt::Display for SimTime {
    /// Seconds in the shortest exact form (`12.5`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_millis_as_secs(f, self.0)
    }
}

impl fmt::Display for SimDuration {
    /// Seconds in the shortest exact form (`12.5`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_millis_as_secs(f, self.0)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn from_secs_saturates_instead_of_wrapping() {
        assert_eq!(SimDuration::from_secs(7).as_millis(), 7000);
        assert_eq!(
            SimDuration::from_secs(u64::MAX / 1000).as_millis(),
            u64::MAX / 1000 * 1000
        );
        assert_eq!(SimDuration::from_secs(u64::MAX / 1000 + 1).as_millis(), u64::MAX);
        assert_eq!(SimDuration::from_secs(u64::MAX).as_millis(), u64::MAX);
    }

    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The hand-written digits equal the formatting reference.
        #[test]
        fn millis_as_secs_matches_formatting(ms in any::<u64>()) {
            let (whole, frac) = (ms / 1000, ms % 1000);
            let want = if frac == 0 {
                format!("{whole}")
            } else if frac % 100 == 0 {
                format!("{whole}.{}", frac / 100)
            } else if frac % 10 == 0 {
                format!("{whole}.{:02}", frac / 10)
            } else {
                format!("{whole}.{frac:03}")
            };
            let mut buf = [0u8; 24];
            prop_assert_eq!(millis_as_secs(ms, &mut buf), want.as_bytes());
            let start = uint_digits_before(&mut buf, 24, ms);
            let digits = ms.to_string();
            prop_assert_eq!(&buf[start..], digits.as_bytes());
        }
    }

    proptest! {
        /// The same for the numbers of a run's tables (below 10^8 one way, above another),
        /// and for each of the first 100,000 numbers and the edges of the fast way.
        #[test]
        fn small_numbers_match_formatting(n in 0u64..1_000_000_000, ms in 0u64..1_000_000_000_000) {
            let mut buf = [0u8; 24];
            let start = uint_digits_before(&mut buf, 24, n);
            let digits = n.to_string();
            prop_assert_eq!(&buf[start..], digits.as_bytes());
            let want = SimTime::from_millis(ms).to_string();
            prop_assert_eq!(millis_as_secs(ms, &mut buf), want.as_bytes());
        }
    }

    #[test]
    fn digits_of_every_small_number_and_the_edges() {
        let edges = [99_999_999, 100_000_000, 100_000_001, 10_000_000, 9_999_999, u64::MAX];
        for n in (0..100_000u64).chain(edges) {
            let mut buf = [b'x'; 24];
            let start = uint_digits_before(&mut buf, 24, n);
            assert_eq!(&buf[start..], n.to_string().as_bytes(), "{n}");
        }
    }

    proptest! {
        /// The fast rounding is `f64::round`, halves included, over the whole range.
        #[test]
        fn round_half_up_is_f64_round(x in 0.0f64..1.0e15, k in 0u64..1 << 52) {
            prop_assert_eq!(round_half_up(x), x.round() as u64);
            let half = k as f64 + 0.5;
            prop_assert_eq!(round_half_up(half), half.round() as u64);
            let below = f64::from_bits(half.to_bits() - 1);
            prop_assert_eq!(round_half_up(below), below.round() as u64);
        }
    }

    #[test]
    fn round_half_up_edges() {
        for x in [0.0, 0.49999999999999994, 0.5, 1.5, 2.5, 1.0e15, 4503599627370495.5] {
            assert_eq!(round_half_up(x), x.round() as u64, "{x}");
        }
    }

    #[test]
    fn seconds_round_to_nearest_millisecond() {
        assert_eq!(SimTime::from_secs_f64(1.0004), Some(SimTime::from_millis(1000)));
        assert_eq!(SimTime::from_secs_f64(1.0006), Some(SimTime::from_millis(1001)));
        assert_eq!(SimTime::from_secs_f64(0.0), Some(SimTime::ZERO));
        assert_eq!(SimTime::from_secs_f64(-0.5), None);
        assert_eq!(SimTime::from_secs_f64(f64::NAN), None);
        assert_eq!(SimTime::from_secs_f64(2.0e12), None);
        // A half rounds up, on the double the text reads as times 1,000 (README, scenario
        // file): 10.0005 * 1000 is 10000.5 exactly, 130.0005 * 1000 is 130000.49999999999.
        assert_eq!(SimTime::from_secs_f64(10.0005), Some(SimTime::from_millis(10_001)));
        assert_eq!(SimTime::from_secs_f64(130.0005), Some(SimTime::from_millis(130_000)));
    }

    #[test]
    fn display_is_shortest_exact_seconds() {
        let show = |ms| SimTime::from_millis(ms).to_string();
        assert_eq!(show(100_000), "100");
        assert_eq!(show(100_500), "100.5");
        assert_eq!(show(250), "0.25");
        assert_eq!(show(1), "0.001");
        assert_eq!(show(12_340), "12.34");
    }

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        let t = SimTime::MAX + SimDuration::from_secs(1);
        assert_eq!(t, SimTime::MAX);
        assert_eq!(SimTime::ZERO - SimTime::from_millis(5), SimDuration::ZERO);
        assert_eq!(
            SimTime::from_millis(7) - SimTime::from_millis(2),
            SimDuration::from_millis(5)
        );
    }
}
