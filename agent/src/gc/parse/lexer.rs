//! Tokens shared by every GC log format: numbers with either decimal mark, sizes with units,
//! durations, and ISO-8601 datestamps. Hand-written rather than regex: the parser's throughput
//! target leaves no room for a regex engine per line.

/// Parses a decimal number accepting `.` or `,` as the decimal mark (JVMs print with their
/// locale: `0,0665670`). Sizes never carry grouping separators, so a comma is always decimal.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    let mut int_part: u64 = 0;
    let mut frac_part: u64 = 0;
    let mut frac_digits: i32 = 0;
    let mut i = 0;
    let negative = bytes[0] == b'-';
    if negative {
        i = 1;
    }
    let mut any_digit = false;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        int_part = int_part.checked_mul(10)?.checked_add((bytes[i] - b'0') as u64)?;
        any_digit = true;
        i += 1;
    }
    if i < bytes.len() && (bytes[i] == b'.' || bytes[i] == b',') {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            if frac_digits < 18 {
                frac_part = frac_part * 10 + (bytes[i] - b'0') as u64;
                frac_digits += 1;
            }
            any_digit = true;
            i += 1;
        }
    }
    if i != bytes.len() || !any_digit {
        // Exponent forms (`1.5E-4`) are rare; hand them to the standard parser.
        return text.replace(',', ".").parse::<f64>().ok();
    }
    let value = int_part as f64 + frac_part as f64 / 10f64.powi(frac_digits);
    Some(if negative { -value } else { value })
}

/// Splits the longest prefix of `text` that looks like a decimal number (digits, one `.`/`,`
/// followed by a digit). Returns the number and the rest.
pub fn take_decimal(text: &str) -> Option<(f64, &str)> {
    let bytes = text.as_bytes();
    let mut end = 0;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    if end == 0 {
        return None;
    }
    if end + 1 < bytes.len() && (bytes[end] == b'.' || bytes[end] == b',') && bytes[end + 1].is_ascii_digit() {
        end += 1;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
    }
    Some((parse_decimal(&text[..end])?, &text[end..]))
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
    let (number, rest) = take_decimal(text)?;
    let after_space = rest.strip_prefix(' ').unwrap_or(rest);
    let bytes = after_space.as_bytes();
    if let Some(&unit) = bytes.first() {
        if let Some(multiplier) = unit_multiplier(unit) {
            let mut rest = &after_space[1..];
            if unit != b'B' && unit != b'b' {
                rest = rest.strip_prefix('B').unwrap_or(rest);
            }
            return Some(((number * multiplier as f64).round() as u64, rest));
        }
    }
    Some((number.round() as u64, rest))
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
    fn sizes_in_every_unit() {
        assert_eq!(parse_size("65536K"), Some(65536 * 1024));
        assert_eq!(parse_size("7168.0K"), Some(7168 * 1024));
        assert_eq!(parse_size("6664.5K"), Some(6824448));
        assert_eq!(parse_size("0.0B"), Some(0));
        assert_eq!(parse_size("14M"), Some(14 << 20));
        assert_eq!(parse_size("1024 K"), Some(1 << 20));
        assert_eq!(parse_size("2G"), Some(2 << 30));
        assert_eq!(take_size("32M->29M(123M)"), Some((32 << 20, "->29M(123M)")));
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
