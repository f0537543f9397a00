//! Splitting a byte stream into lines, with a hard bound on line length.
//!
//! A GC log line is at most a few kilobytes; a 10 MB "line" is garbage (a binary file, a log
//! without newlines) and must neither be buffered whole nor stop the rest of the file from being
//! read. Longer lines are reported through `on_line` as skipped, with their first bytes.

use std::io::{self, BufRead};
use std::ops::ControlFlow;

/// Lines longer than this are skipped (and counted). Real GC log lines stay far below it.
pub const MAX_LINE_LEN: usize = 64 * 1024;

/// One line handed to the consumer.
pub enum Line<'a> {
    /// A complete line without its terminator.
    Complete(&'a [u8]),
    /// A line over the limit: its first bytes, the rest was discarded.
    TooLong(&'a [u8]),
}

/// Reads `reader` to the end, calling `on_line` for every line. The last line need not end
/// with a newline. Returns the number of bytes read.
pub fn for_each_line<R: BufRead>(reader: R, mut on_line: impl FnMut(Line<'_>)) -> io::Result<u64> {
    for_each_line_until(reader, |line| {
        on_line(line);
        ControlFlow::Continue(())
    })
}

/// Like [`for_each_line`], but stops as soon as `on_line` says so.
pub fn for_each_line_until<R: BufRead>(
    mut reader: R,
    mut on_line: impl FnMut(Line<'_>) -> ControlFlow<()>,
) -> io::Result<u64> {
    let mut pending: Vec<u8> = Vec::new();
    let mut discarding = false;
    let mut total = 0u64;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        let len = chunk.len();
        total += len as u64;
        let mut start = 0;
        while start < len {
            match memchr::memchr(b'\n', &chunk[start..]) {
                Some(offset) => {
                    let end = start + offset;
                    if discarding {
                        discarding = false;
                    } else if pending.is_empty() && end - start > MAX_LINE_LEN {
                        if on_line(Line::TooLong(&chunk[start..start + MAX_LINE_LEN])).is_break() {
                            return Ok(total);
                        }
                    } else if pending.is_empty() {
                        if on_line(Line::Complete(&chunk[start..end])).is_break() {
                            return Ok(total);
                        }
                    } else if pending.len() + (end - start) > MAX_LINE_LEN {
                        if on_line(Line::TooLong(&pending)).is_break() {
                            return Ok(total);
                        }
                        pending.clear();
                    } else {
                        pending.extend_from_slice(&chunk[start..end]);
                        if on_line(Line::Complete(&pending)).is_break() {
                            return Ok(total);
                        }
                        pending.clear();
                    }
                    start = end + 1;
                }
                None => {
                    if !discarding {
                        if pending.len() + (len - start) > MAX_LINE_LEN {
                            let room = MAX_LINE_LEN.saturating_sub(pending.len());
                            pending.extend_from_slice(&chunk[start..start + room.min(len - start)]);
                            if on_line(Line::TooLong(&pending)).is_break() {
                                return Ok(total);
                            }
                            pending.clear();
                            discarding = true;
                        } else {
                            pending.extend_from_slice(&chunk[start..]);
                        }
                    }
                    start = len;
                }
            }
        }
        reader.consume(len);
    }
    if !pending.is_empty() && !discarding {
        // The last line without a newline; the caller's answer no longer matters.
        let _ = on_line(Line::Complete(&pending));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    fn collect(input: &[u8], capacity: usize) -> Vec<Result<String, usize>> {
        let mut out = Vec::new();
        for_each_line(BufReader::with_capacity(capacity, input), |line| match line {
            Line::Complete(l) => out.push(Ok(String::from_utf8_lossy(l).into_owned())),
            Line::TooLong(head) => out.push(Err(head.len())),
        })
        .unwrap();
        out
    }

    #[test]
    fn lines_across_buffer_boundaries() {
        let input = b"first line\nsecond\n\nlast without newline";
        for capacity in [1, 3, 7, 64] {
            assert_eq!(
                collect(input, capacity),
                vec![Ok("first line".into()), Ok("second".into()), Ok("".into()), Ok("last without newline".into())]
            );
        }
    }

    #[test]
    fn a_long_line_inside_one_buffer_is_skipped_too() {
        let mut input = vec![b'y'; MAX_LINE_LEN + 10];
        input.extend_from_slice(b"\nafter\n");
        let lines = collect(&input, 4 * MAX_LINE_LEN);
        assert_eq!(lines, vec![Err(MAX_LINE_LEN), Ok("after".into())]);
    }

    #[test]
    fn a_huge_line_is_skipped_and_the_rest_read() {
        let mut input = vec![b'x'; 10 * 1024 * 1024];
        input.extend_from_slice(b"\nafter\n");
        let lines = collect(&input, 8192);
        assert_eq!(lines, vec![Err(MAX_LINE_LEN), Ok("after".into())]);
    }
}
