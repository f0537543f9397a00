//! JDK 9+ unified logging (`-Xlog:gc*`) for Serial, Parallel, CMS, G1, ZGC and Shenandoah.

use super::{FormatParser, LineClass};
use crate::gc::model::Record;

#[derive(Default)]
pub struct UnifiedParser {}

impl FormatParser for UnifiedParser {
    fn feed(&mut self, _line: &str, _out: &mut Vec<Record>) -> LineClass {
        LineClass::Unrecognized
    }

    fn finish(&mut self, _out: &mut Vec<Record>) -> u64 {
        0
    }
}
