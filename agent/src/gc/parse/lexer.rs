//! Tokens shared by every GC log format: numbers with either decimal mark, sizes with units,
//! durations, and ISO-8601 datestamps. Hand-written rather than regex: the parser's throughput
//! target leaves no room for a regex engine per line.

/// Parses a decimal number accepting `.` or `,` as the decimal mark (JVMs print with their
/// locale: `0,0665670`). Sizes never carry grouping separators, so a comma is always decimal.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(_) => (false, bytes),
        None => return None,
    };
    match scan_decimal(digits) {
        // An integer part beyond `u64` is no size or time a JVM prints, whatever follows it.
        Some((None, _)) => None,
        Some((Some(number), end)) if end == digits.len() => {
            let value = number.value();
            Some(if negative { -value } else { value })
        }
        // Exponent forms (`1.5E-4`), a lone mark (`.5`), trailing text: hand them to the
        // standard parser, which rejects what is no number.
        _ => text.replace(',', ".").parse::<f64>().ok(),
    }
}

/// Splits the longest prefix of `text` that looks like a decimal number (digits, one `.`/`,`
/// followed by a digit). Returns the number and the rest.
pub fn take_decimal(text: &str) -> Option<(f64, &str)> {
    let (number, end) = scan_decimal(text.as_bytes())?;
    // `end` follows an ASCII digit, so it is a char boundary.
    Some((number?.value(), text.get(end..)?))
}

/// A decimal number as printed: integer digits and up to [`MAX_FRACTION_DIGITS`] fraction digits.
#[derive(Debug, Clone, Copy)]
struct Decimal {
    int_part: u64,
    frac_part: u64,
    frac_digits: usize,
}

/// Fraction digits read; later ones are below any precision a GC log needs (and an `f64` holds).
const MAX_FRACTION_DIGITS: usize = 18;
/// Integer digits that always fit a `u64` without an overflow check (`u64::MAX` has 20).
const SAFE_INTEGER_DIGITS: usize = 19;
/// `10^n` for every fraction length; exact in `f64`, so dividing by it equals `powi`'s result.
const POWERS_OF_TEN: [f64; MAX_FRACTION_DIGITS + 1] =
    [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18];

impl Decimal {
    fn value(self) -> f64 {
        self.int_part as f64 + self.frac_part as f64 / POWERS_OF_TEN[self.frac_digits]
    }

    /// The number times `multiplier`, rounded to a whole number; saturates at `u64::MAX`.
    fn scaled(self, multiplier: u64) -> u64 {
        if self.frac_part == 0 {
            // Whole numbers (`65536K`, `7168.0K`) multiply exactly, without a round trip through `f64`.
            self.int_part.saturating_mul(multiplier)
        } else {
            // `as` saturates.
            (self.value() * multiplier as f64).round() as u64
        }
    }
}

/// Scans the decimal number that starts `bytes`: digits, then optionally `.`/`,` and at least one
/// digit. Returns the number (`None` when its integer part overflows a `u64`) and where it ends;
/// `None` when `bytes` does not start with a digit. One pass: this runs for every number of
/// every line, so digits are accumulated while they are found, without an overflow check per
/// digit where the digit count already rules overflow out.
#[inline]
fn scan_decimal(bytes: &[u8]) -> Option<(Option<Decimal>, usize)> {
    let (int_part, int_digits) = leading_digits(bytes, SAFE_INTEGER_DIGITS);
    if int_digits == 0 {
        return None;
    }
    let int_part =
        if int_digits <= SAFE_INTEGER_DIGITS { Some(int_part) } else { checked_integer(&bytes[..int_digits]) };
    let mut end = int_digits;
    let (mut frac_part, mut frac_digits) = (0, 0);
    if matches!(bytes.get(end), Some(b'.' | b',')) {
        let (value, digits) = leading_digits(&bytes[end + 1..], MAX_FRACTION_DIGITS);
        if digits > 0 {
            (frac_part, frac_digits) = (value, digits.min(MAX_FRACTION_DIGITS));
            end += 1 + digits;
        }
    }
    Some((int_part.map(|int_part| Decimal { int_part, frac_part, frac_digits }), end))
}

/// The run of ASCII digits that starts `bytes`: the value of its first `max_value_digits` digits
/// (at most [`SAFE_INTEGER_DIGITS`], so it cannot overflow) and the length of the whole run.
#[inline]
fn leading_digits(bytes: &[u8], max_value_digits: usize) -> (u64, usize) {
    let mut value = 0u64;
    let mut count = 0;
    for &byte in bytes.iter().take(max_value_digits) {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return (value, count);
        }
        value = value * 10 + u64::from(digit);
        count += 1;
    }
    let more = bytes[count..].iter().take_while(|b| b.is_ascii_digit()).count();
    (value, count + more)
}

/// The value of a long run of ASCII digits, `None` when it overflows a `u64`.
fn checked_integer(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |value, digit| value.checked_mul(10)?.checked_add(u64::from(digit - b'0')))
}

/// Multiplier of a memory unit letter (`B`, `K`, `M`, `G`, `T`; case-insensitive).
pub fn unit_multiplier(unit: u8) -> Option<u64> {
    Some(match unit.to_ascii_uppercase() {
        b'B' => 1,
        b'K' => 1 << 10,
        b'M' => 1 << 20,
        b'G' => 1 << 30,
        b'T' => 1 << 40,
        _ => return None,
    })
}

/// Parses a memory size such as `65536K`, `7168.0K`, `0.0B`, `14M`, `1024 K` into bytes.
/// Without a unit the value is taken as bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let (size, rest) = take_size(text.trim())?;
    if rest.trim().is_empty() {
        Some(size)
    } else {
        None
    }
}

/// Splits a leading memory size (number, optional space, unit letter) off `text`.
/// A following `B` after the unit (`KB`, `MB`) is consumed too.
pub fn take_size(text: &str) -> Option<(u64, &str)> {
    let (number, end) = scan_decimal(text.as_bytes())?;
    let number = number?;
    let rest = text.get(end..)?;
    let after_space = rest.strip_prefix(' ').unwrap_or(rest);
    if let Some(&unit) = after_space.as_bytes().first() {
        if let Some(multiplier) = unit_multiplier(unit) {
            // The unit letter is ASCII, so slicing after it stays on a char boundary.
            let mut rest = &after_space[1..];
            if unit != b'B' && unit != b'b' {
                rest = rest.strip_prefix('B').unwrap_or(rest);
            }
            return Some((number.scaled(multiplier), rest));
        }
    }
    Some((number.scaled(1), rest))
}

/// Parses a duration with its unit (`5.423ms`, `0.0263911 secs`, `1.2s`, `14289.335ms`,
/// `11173200 ns`, `12us`) into seconds.
pub fn parse_duration(text: &str) -> Option<f64> {
    let (value, rest) = take_decimal(text.trim())?;
    let unit = rest.trim();
    let scale = match unit {
        "s" | "sec" | "secs" | "seconds" | "second" => 1.0,
        "ms" => return Some(value / 1e3),
        "us" | "µs" => return Some(value / 1e6),
        "ns" => return Some(value / 1e9),
        "" => 1.0,
        _ => return None,
    };
    Some(value * scale)
}

/// Parses an ISO-8601 datestamp as HotSpot prints it (`2015-07-22T14:53:42.655-0100`,
/// `2022-01-29T16:34:51.642+0000`, `...+01:00`, `...Z`) into Unix epoch milliseconds.
pub fn parse_datestamp(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let mut v = 0i64;
        for &c in &b[range] {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + (c - b'0') as i64;
        }
        Some(v)
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut millis = 0i64;
    if i < b.len() && (b[i] == b'.' || b[i] == b',') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = &text[start..i];
        let mut scaled = 0i64;
        for (n, c) in digits.bytes().take(3).enumerate() {
            scaled += (c - b'0') as i64 * 10i64.pow(2 - n as u32);
        }
        millis = scaled;
    }
    let mut offset_minutes = 0i64;
    if i < b.len() {
        match b[i] {
            b'Z' => {}
            b'+' | b'-' => {
                let sign = if b[i] == b'-' { -1 } else { 1 };
                // `+0100` or `+01:00`; anything else (including non-ASCII bytes) is no datestamp.
                let mut digits = [0i64; 4];
                let mut found = 0;
                for &c in b[i + 1..].iter().filter(|&&c| c != b':').take(4) {
                    if !c.is_ascii_digit() {
                        return None;
                    }
                    digits[found] = (c - b'0') as i64;
                    found += 1;
                }
                if found < 4 {
                    return None;
                }
                let (hours, minutes) = (digits[0] * 10 + digits[1], digits[2] * 10 + digits[3]);
                offset_minutes = sign * (hours * 60 + minutes);
            }
            _ => return None,
        }
    }
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_accept_both_marks() {
        assert_eq!(parse_decimal("0.0263911"), Some(0.0263911));
        assert_eq!(parse_decimal("0,0665670"), Some(0.066567));
        assert_eq!(parse_decimal("42"), Some(42.0));
        assert_eq!(parse_decimal(""), None);
        assert_eq!(parse_decimal("abc"), None);
    }

    #[test]
    fn decimals_outside_the_one_pass_shape() {
        // A sign, a bare mark, an exponent: the standard parser's answer.
        assert_eq!(parse_decimal("-1,5"), Some(-1.5));
        assert_eq!(parse_decimal("5."), Some(5.0));
        assert_eq!(parse_decimal(".5"), Some(0.5));
        assert_eq!(parse_decimal("1.5E-4"), Some(1.5e-4));
        assert_eq!(parse_decimal("-"), None);
        assert_eq!(parse_decimal("1 2"), None);
        // Integer parts up to u64::MAX read exactly; longer ones are no number.
        assert_eq!(parse_decimal("18446744073709551615"), Some(u64::MAX as f64));
        assert_eq!(parse_decimal("18446744073709551616"), None);
        assert_eq!(parse_decimal("99999999999999999999e1"), None);
        assert_eq!(take_decimal("99999999999999999999K"), None);
        // Fraction digits past the 18th are below any precision kept.
        assert_eq!(parse_decimal("0.1234567890123456789999"), parse_decimal("0.123456789012345678"));
        assert_eq!(take_decimal("12.5s"), Some((12.5, "s")));
        assert_eq!(take_decimal("12.s"), Some((12.0, ".s")));
    }

    #[test]
    fn sizes_in_every_unit() {
        assert_eq!(parse_size("65536K"), Some(65536 * 1024));
        assert_eq!(parse_size("7168.0K"), Some(7168 * 1024));
        assert_eq!(parse_size("6664.5K"), Some(6824448));
        assert_eq!(parse_size("0.0B"), Some(0));
        assert_eq!(parse_size("14M"), Some(14 << 20));
        assert_eq!(parse_size("1024 K"), Some(1 << 20));
        assert_eq!(parse_size("2G"), Some(2 << 30));
        assert_eq!(take_size("32M->29M(123M)"), Some((32 << 20, "->29M(123M)")));
        // Whole numbers multiply exactly, beyond the 2^53 an `f64` holds exactly.
        assert_eq!(parse_size("9007199254740993"), Some(9_007_199_254_740_993));
        assert_eq!(parse_size("8796093022209K"), Some(8_796_093_022_209 * 1024));
        assert_eq!(parse_size("99999999999T"), Some(u64::MAX));
        assert_eq!(take_size("0.5K)"), Some((512, ")")));
    }

    #[test]
    fn durations_in_every_unit() {
        let close = |text: &str, want: f64| (parse_duration(text).unwrap() - want).abs() < 1e-12;
        assert!(close("5.423ms", 0.005423));
        assert!(close("0.0263911 secs", 0.0263911));
        assert!(close("11173200 ns", 0.0111732));
        assert!(close("5,526ms", 0.005526));
        assert_eq!(parse_duration("3 parsecs"), None);
    }

    #[test]
    fn datestamps_with_offsets() {
        assert_eq!(parse_datestamp("1970-01-01T00:00:00.000+0000"), Some(0));
        assert_eq!(parse_datestamp("1970-01-01T01:00:00.500+0100"), Some(500));
        assert_eq!(parse_datestamp("2015-07-22T14:53:42.655-0100"), Some(1_437_580_422_655));
        assert_eq!(parse_datestamp("2022-01-29T16:34:51.642Z"), Some(1_643_474_091_642));
        assert_eq!(parse_datestamp("2022-01-29T16:34:51.642+00:00"), Some(1_643_474_091_642));
        assert_eq!(parse_datestamp("not a date at all here"), None);
        // Found by fuzzing: a multi-byte character inside the offset must not split a char.
        assert_eq!(parse_datestamp("2022-01-29T16:34:51.642+0é00"), None);
        assert_eq!(parse_datestamp("2022-01-29T16:34:51.642+é"), None);
    }
}
