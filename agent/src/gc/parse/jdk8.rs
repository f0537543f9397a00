//! JDK 8 and earlier `-XX:+PrintGCDetails` text for Serial, Parallel, CMS and G1.

use super::{FormatParser, LineClass};
use crate::gc::model::Record;

#[derive(Default)]
pub struct Jdk8Parser {}

/// True when the line would start a new record in a JDK 8 log (a timestamped GC event or a JVM
/// header line), as opposed to a continuation or a stray line.
pub fn starts_record(line: &str) -> bool {
    line.starts_with("Java HotSpot") || line.starts_with("OpenJDK") || line.starts_with("CommandLine flags:")
}

impl FormatParser for Jdk8Parser {
    fn feed(&mut self, _line: &str, _out: &mut Vec<Record>) -> LineClass {
        LineClass::Unrecognized
    }

    fn finish(&mut self, _out: &mut Vec<Record>) -> u64 {
        0
    }
}
