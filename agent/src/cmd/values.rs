//! Parsers for flag values shared by subcommands: sizes (`4g`), factor ranges (`3-4`),
//! durations (`300s`), URLs. Errors say what a valid value looks like.

/// Checks a file-name pattern (`*` and `?` wildcards, no directory part).
pub fn file_pattern(text: &str) -> Result<String, String> {
    rightsize::tail::Pattern::new(text).map(|_| text.to_owned()).map_err(|error| error.to_string())
}

/// Parses a memory size: `4g`, `4096m`, `512MiB`, `1.5G`, `1073741824` (bytes).
pub fn byte_size(text: &str) -> Result<u64, String> {
    let lower = text.trim().to_ascii_lowercase();
    let digits_end = lower.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(lower.len());
    let (number, unit) = lower.split_at(digits_end);
    let value: f64 = number.parse().map_err(|_| format!("'{text}' is not a size; use e.g. 4g, 4096m or 512mib"))?;
    let multiplier: u64 = match unit.trim() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        other => return Err(format!("unknown size unit '{other}' in '{text}'; use k, m, g or t")),
    };
    let bytes = value * multiplier as f64;
    if !bytes.is_finite() || bytes < 1.0 {
        return Err(format!("'{text}' is not a positive size"));
    }
    Ok(bytes.round() as u64)
}

/// Parses a factor range `LOW-HIGH` (`3-4`, `1-1.5`) or a single factor (`3`).
pub fn factor_range(text: &str) -> Result<(f64, f64), String> {
    let parse = |part: &str| -> Result<f64, String> {
        let value: f64 =
            part.trim().parse().map_err(|_| format!("'{text}' is not a factor range; use LOW-HIGH, e.g. 3-4"))?;
        if value.is_finite() && value > 0.0 {
            Ok(value)
        } else {
            Err(format!("factors must be positive numbers, got '{part}'"))
        }
    };
    let (low, high) = match text.split_once(['-', ',']) {
        Some((low, high)) => (parse(low)?, parse(high)?),
        None => {
            let value = parse(text)?;
            (value, value)
        }
    };
    if low > high {
        return Err(format!("'{text}': the low factor is above the high one"));
    }
    Ok((low, high))
}

/// Parses a positive factor (`1.5`).
pub fn positive_factor(text: &str) -> Result<f64, String> {
    factor_range(text).and_then(|(low, high)| {
        if low == high {
            Ok(low)
        } else {
            Err(format!("'{text}': expected one number, e.g. 1.5"))
        }
    })
}

/// Parses a duration in seconds: `300`, `300s`, `5m`, `1h`.
pub fn seconds(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let (number, scale) = if let Some(n) = trimmed.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = trimmed.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = trimmed.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = trimmed.strip_suffix('h') {
        (n, 3600.0)
    } else {
        (trimmed, 1.0)
    };
    let value: f64 =
        number.trim().parse().map_err(|_| format!("'{text}' is not a duration; use e.g. 300s, 5m or 1h"))?;
    if value.is_finite() && value >= 0.0 {
        Ok(value * scale)
    } else {
        Err(format!("'{text}' is not a non-negative duration"))
    }
}

/// Parses a percentage `0..=100` (`95`, `95%`).
pub fn percent(text: &str) -> Result<f64, String> {
    let value: f64 = text.trim().trim_end_matches('%').parse().map_err(|_| format!("'{text}' is not a percentage"))?;
    if (0.0..=100.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("'{text}' is not between 0 and 100"))
    }
}

/// Checks an http:// or https:// URL with a host (`http://jobmanager:8081`, a proxy's
/// `https://gateway/flink`). Rejected at start, so `serve` does not retry a typo forever.
pub fn http_url(text: &str) -> Result<String, String> {
    if !text.contains("://") {
        return Err(format!("'{text}' has no scheme; write it as http://{text} (or https://)"));
    }
    let uri: ureq::http::Uri = text.parse().map_err(|error| format!("'{text}' is not a URL: {error}"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(format!("'{text}' must start with http:// or https://"));
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!("'{text}' names no host"));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(byte_size("4g"), Ok(4 << 30));
        assert_eq!(byte_size("4096m"), Ok(4 << 30));
        assert_eq!(byte_size("512MiB"), Ok(512 << 20));
        assert_eq!(byte_size("1.5G"), Ok(3 << 29));
        assert_eq!(byte_size("1024"), Ok(1024));
        assert!(byte_size("lots").is_err());
        assert!(byte_size("4x").unwrap_err().contains("unknown size unit"));
        assert!(byte_size("0").is_err());
    }

    #[test]
    fn factors_and_durations() {
        assert_eq!(factor_range("3-4"), Ok((3.0, 4.0)));
        assert_eq!(factor_range("1-1.5"), Ok((1.0, 1.5)));
        assert_eq!(factor_range("2"), Ok((2.0, 2.0)));
        assert!(factor_range("4-3").is_err());
        assert!(factor_range("-1").is_err());
        assert_eq!(positive_factor("1.5"), Ok(1.5));
        assert_eq!(seconds("5m"), Ok(300.0));
        assert_eq!(seconds("300"), Ok(300.0));
        assert_eq!(percent("95%"), Ok(95.0));
        assert!(percent("120").is_err());
    }

    #[test]
    fn urls() {
        for good in ["http://jobmanager:8081", "https://gateway.example.com/flink/", "http://[::1]:8081"] {
            assert_eq!(http_url(good).as_deref(), Ok(good));
        }
        assert!(http_url("jobmanager:8081").unwrap_err().contains("http://jobmanager:8081"));
        assert!(http_url("ftp://host").unwrap_err().contains("http:// or https://"));
        assert!(http_url("http://").is_err());
        assert!(http_url("http://exa mple").is_err());
    }
}
