//! Exact decimal numbers: the text of a trace cell scaled to an integer without floating point.

/// Why a decimal number could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NumError {
    /// Not a decimal number.
    Syntax,
    /// A number, but too large to represent.
    Range,
}

/// Significant digits kept when reading a decimal number; later digits are dropped.
const MAX_SIGNIFICANT: u32 = 36;

/// Reads a decimal number (`[+-]digits[.digits][e[+-]digits]`, at least one digit) and returns
/// it times `10^scale`, rounded to the nearest integer, halves away from zero. Exact for up to
/// 36 significant digits; no floating point involved.
pub(super) fn parse_scaled(text: &str, scale: i64) -> Result<i128, NumError> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let negative = match bytes.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let mut mantissa: u128 = 0;
    let mut significant = 0u32;
    let mut exponent: i64 = 0;
    let mut digits = 0usize;
    let mut seen_point = false;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii_digit() {
            digits += 1;
            let d = u128::from(b - b'0');
            if significant < MAX_SIGNIFICANT {
                mantissa = mantissa * 10 + d;
                if mantissa != 0 {
                    significant += 1;
                }
                if seen_point {
                    exponent -= 1;
                }
            } else {
                if !seen_point {
                    exponent += 1;
                }
            }
        } else if b == b'.' && !seen_point {
            seen_point = true;
        } else {
            break;
        }
        i += 1;
    }
    if digits == 0 {
        return Err(NumError::Syntax);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        let exp_negative = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let mut exp_digits = 0usize;
        let mut value: i64 = 0;
        while let Some(&b) = bytes.get(i) {
            if !b.is_ascii_digit() {
                break;
            }
            exp_digits += 1;
            // Saturate: anything beyond this is far out of range or rounds to zero anyway.
            value = (value * 10 + i64::from(b - b'0')).min(1_000_000);
            i += 1;
        }
        if exp_digits == 0 {
            return Err(NumError::Syntax);
        }
        exponent += if exp_negative { -value } else { value };
    }
    if i != bytes.len() {
        return Err(NumError::Syntax);
    }
    if mantissa == 0 {
        return Ok(0);
    }
    let shift = exponent + scale;
    let magnitude: u128 = if shift >= 0 {
        let factor = u32::try_from(shift)
            .ok()
            .and_then(|s| 10u128.checked_pow(s))
            .ok_or(NumError::Range)?;
        mantissa.checked_mul(factor).ok_or(NumError::Range)?
    } else if shift < -38 {
        // mantissa < 10^36, so the value is below 0.01 and rounds to zero.
        0
    } else {
        let divisor = 10u128.pow(u32::try_from(-shift).map_err(|_| NumError::Range)?);
        let quotient = mantissa / divisor;
        let remainder = mantissa % divisor;
        // remainder < divisor <= 10^38, so doubling stays below u128::MAX (3.4e38). Dropped
        // digits beyond the 36th cannot change a half-away-from-zero rounding: the divisor is
        // even, so the kept part alone decides whether the rest reaches one half.
        if remainder * 2 >= divisor {
            quotient + 1
        } else {
            quotient
        }
    };
    let magnitude = i128::try_from(magnitude).map_err(|_| NumError::Range)?;
    Ok(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decimal_parsing_is_exact() {
        assert_eq!(parse_scaled("1.0005", 3), Ok(1001));
        assert_eq!(parse_scaled("1.00049999999999999999999", 3), Ok(1000));
        assert_eq!(parse_scaled("0.0004", 3), Ok(0));
        assert_eq!(parse_scaled("-1", 3), Ok(-1000));
        assert_eq!(parse_scaled("-0.0005", 3), Ok(-1));
        assert_eq!(parse_scaled("+2.5e1", 3), Ok(25_000));
        assert_eq!(parse_scaled("25E-3", 3), Ok(25));
        assert_eq!(parse_scaled(".5", 3), Ok(500));
        assert_eq!(parse_scaled("5.", 3), Ok(5000));
        assert_eq!(parse_scaled("007", 0), Ok(7));
        assert_eq!(parse_scaled("1e-1000000000", 3), Ok(0));
        assert_eq!(parse_scaled("1e40", 3), Err(NumError::Range));
        // 37 significant digits: the dropped ones still round.
        assert_eq!(parse_scaled("0.0000000000000000000000000000000000000000012", 3), Ok(0));
        assert_eq!(parse_scaled("0.000499999999999999999999999999999999999999", 3), Ok(0));
        assert_eq!(parse_scaled("0.0004999999999999999999999999999999999999991", 3), Ok(0));
        assert_eq!(parse_scaled("0.0005000000000000000000000000000000000000001", 3), Ok(1));
        for bad in [
            "", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "--1", "nan", "inf", "1 ", "0x10",
        ] {
            assert_eq!(parse_scaled(bad, 3), Err(NumError::Syntax), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn decimal_matches_float_for_simple_values(whole in 0u64..10_000_000, frac in 0u32..1_000_000) {
            let text = format!("{whole}.{frac:06}");
            let expected = (whole as i128) * 1000 + i128::from((frac + 500) / 1000);
            prop_assert_eq!(parse_scaled(&text, 3), Ok(expected));
        }
    }
}
