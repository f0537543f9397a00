//! The header JDK 8 writes at the top of every log file (and again after each rotation):
//! the VM banner, `Memory: …` and `CommandLine flags: …`, and what the flags say about the heap.

use crate::gc::model::{Collector, Fact};
use crate::gc::parse::lexer::parse_size;

/// Which header line a line is, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderLine {
    /// `Java HotSpot(TM) 64-Bit Server VM (25.45-b02) for linux-amd64 JRE (1.8.0_45-b15), …`
    Banner,
    /// `Memory: 4k page, physical 16664956k(9157704k free), swap …`
    Memory,
    /// `CommandLine flags: -XX:InitialHeapSize=… …`
    CommandLine,
}

pub fn header_line(line: &str) -> Option<HeaderLine> {
    if (line.starts_with("Java HotSpot") || line.starts_with("OpenJDK")) && line.contains(" VM (") {
        Some(HeaderLine::Banner)
    } else if line.starts_with("Memory: ") {
        Some(HeaderLine::Memory)
    } else if line.starts_with("CommandLine flags:") {
        Some(HeaderLine::CommandLine)
    } else {
        None
    }
}

/// The VM version of the banner: the first parenthesised part (`25.45-b02`).
pub fn banner_version(line: &str) -> Option<&str> {
    let open = line.find(" VM (")? + " VM (".len();
    let len = line[open..].find(')')?;
    let version = line[open..open + len].trim();
    (!version.is_empty()).then_some(version)
}

/// What the flags imply, in a fixed order: heap limits, young size, region size, collector.
///
/// JDK 8 prints flags set on the command line *and* by ergonomics, so "explicit" can only be
/// guessed: CMS sets `MaxNewSize` by itself, so for CMS a young limit is reported only when
/// `NewSize` is printed too (`-Xmn` sets both); other collectors print it only when it was given.
pub fn command_line_facts(flags: &str, out: &mut Vec<Fact>) -> Option<Collector> {
    let mut heap_max = None;
    let mut heap_initial = None;
    let mut max_new = None;
    let mut new_size = None;
    let mut region_size = None;
    let mut collector = None;
    let mut rank = 0;
    for flag in flags.split_ascii_whitespace() {
        let Some(option) = flag.strip_prefix("-XX:") else { continue };
        if let Some((name, value)) = option.split_once('=') {
            let size = parse_size(value);
            match name {
                "MaxHeapSize" => heap_max = size,
                "InitialHeapSize" => heap_initial = size,
                "MaxNewSize" => max_new = size,
                "NewSize" => new_size = size,
                "G1HeapRegionSize" => region_size = size,
                _ => {}
            }
            continue;
        }
        // When several are on, the one that decides the old generation wins.
        let (named, named_rank) = match option {
            "+UseG1GC" => (Collector::G1, 5),
            "+UseShenandoahGC" => (Collector::Shenandoah, 5),
            "+UseConcMarkSweepGC" => (Collector::Cms, 4),
            "+UseParallelOldGC" | "+UseParallelGC" => (Collector::Parallel, 3),
            "+UseSerialGC" => (Collector::Serial, 2),
            _ => continue,
        };
        if named_rank > rank {
            rank = named_rank;
            collector = Some(named);
        }
    }
    if let Some(size) = heap_max {
        out.push(Fact::HeapMax(size));
    }
    if let Some(size) = heap_initial {
        out.push(Fact::HeapInitial(size));
    }
    if let Some(size) = max_new {
        if new_size.is_some() || collector != Some(Collector::Cms) {
            out.push(Fact::YoungMax(size));
        }
    }
    if let Some(size) = region_size {
        out.push(Fact::RegionSize(size));
    }
    if let Some(collector) = collector {
        out.push(Fact::Collector(collector));
    }
    collector
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banner_and_flags() {
        // jdk8-cms/gcviewer/SampleSun1_8_0CmsPrintGcId.txt
        let banner = "OpenJDK 64-Bit Server VM (25.342-b07) for linux-amd64 JRE (1.8.0_342-b07), built on Jul 16 2022 09:19:19 by \"openjdk\" with gcc 4.4.7 20120313 (Red Hat 4.4.7-23)";
        assert_eq!(header_line(banner), Some(HeaderLine::Banner));
        assert_eq!(banner_version(banner), Some("25.342-b07"));
        let mut facts = Vec::new();
        let flags = "-XX:InitialHeapSize=33554432 -XX:MaxHeapSize=536870912 -XX:MaxNewSize=174485504 -XX:MaxTenuringThreshold=6 -XX:OldPLABSize=16 -XX:+PrintGC -XX:+UseConcMarkSweepGC -XX:+UseParNewGC";
        assert_eq!(command_line_facts(flags, &mut facts), Some(Collector::Cms));
        // CMS's ergonomic MaxNewSize without NewSize is not an explicit young size.
        assert_eq!(facts, vec![Fact::HeapMax(536870912), Fact::HeapInitial(33554432), Fact::Collector(Collector::Cms)]);
    }

    #[test]
    fn explicit_young_size_and_region_size() {
        // jdk8-parallel/gcviewer/SampleSun1_8_0ParallelPrintGCID.txt
        let mut facts = Vec::new();
        command_line_facts("-XX:InitialHeapSize=10737418240 -XX:MaxHeapSize=10737418240 -XX:MaxNewSize=9663676416 -XX:NewSize=9663676416 -XX:+UseParallelGC", &mut facts);
        assert!(facts.contains(&Fact::YoungMax(9663676416)));
        let mut facts = Vec::new();
        command_line_facts("-XX:G1HeapRegionSize=4194304 -XX:+UseG1GC", &mut facts);
        assert_eq!(facts, vec![Fact::RegionSize(4194304), Fact::Collector(Collector::G1)]);
    }
}
