//! JDK 8 (and 1.4-7) text logs: the values the upstream test suites assert, checked against the
//! real sample logs, plus a sweep over every pre-unified sample in the corpus.

mod common;

use rightsize::gc::model::{EventKind, Fact, PauseKind, Record};

/// Every pre-unified sample: parses, and yields events when it holds GC lines.
#[test]
fn every_pre_unified_sample_parses() {
    let root = common::sample("");
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&root).expect("the sample corpus beside the repository") {
        let dir = dir.expect("readable directory entry").path();
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        let pre_unified = ["jdk1.", "jdk5-", "jdk6-", "jdk7-", "jdk8-"].iter().any(|p| name.starts_with(p));
        if dir.is_dir() && pre_unified {
            collect_files(&dir, &mut files);
        }
    }
    files.sort();
    let (mut total_unrecognized, mut total_incomplete) = (0, 0);
    assert!(files.len() > 80, "expected the full corpus, found {} files", files.len());
    for path in files {
        let relative = path.strip_prefix(&root).unwrap_or(&path).display().to_string();
        if relative.ends_with(".gz") {
            continue; // the same text as its uncompressed sibling
        }
        let bytes = common::read_bytes(&path);
        let parsed = common::parse_bytes(&bytes);
        let events = parsed.events().count();
        println!(
            "{relative}: lines {} events {events} unrecognized {} incomplete {} {:?}",
            parsed.stats.lines,
            parsed.stats.unrecognized,
            parsed.stats.incomplete_events,
            parsed.stats.unrecognized_samples
        );
        let text = String::from_utf8_lossy(&bytes);
        if text.contains("[GC") || text.contains("[Full GC") || text.contains("[Pause ") {
            assert!(events > 0, "{relative}: no events");
        }
        total_unrecognized += parsed.stats.unrecognized;
        total_incomplete += parsed.stats.incomplete_events;
    }
    // Known leftovers: a line of the 1.3.1 sample that a log viewer prefixed with `**** Error`, and
    // the first line of a Shenandoah shutdown excerpt (`Cancelling concurrent GC: Stopping VM`),
    // written before anything says the collector is Shenandoah.
    assert_eq!(total_unrecognized, 2, "unrecognized lines across the corpus");
    assert_eq!(total_incomplete, 0, "events left incomplete across the corpus");
}

fn collect_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable sample directory") {
        let path = entry.expect("readable directory entry").path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

const K: u64 = 1024;

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 1e-7
}

fn pause_sum(parsed: &common::Parsed) -> f64 {
    parsed.events().filter(|e| e.pause_kind().is_some()).filter_map(|e| e.duration).sum()
}

fn pauses(parsed: &common::Parsed) -> Vec<&rightsize::gc::model::GcEvent> {
    parsed.events().filter(|e| e.pause_kind().is_some()).collect()
}

fn facts(parsed: &common::Parsed) -> Vec<&Fact> {
    parsed.records.iter().filter_map(|r| if let Record::Fact { fact, .. } = r { Some(fact) } else { None }).collect()
}

#[test]
fn parallel_print_heap_at_gc_pause_sum() {
    // GCViewer TestDataReaderSun1_8_0.parallelPrintHeapAtGC: pause sum 0.0103603.
    let parsed = common::parse_sample("jdk8-parallel/gcviewer/SampleSun1_8_0ParallelPrintHeapAtGC.txt");
    assert!(close(pause_sum(&parsed), 0.0103603), "{}", pause_sum(&parsed));
    assert_eq!(parsed.stats.unrecognized, 0);
}

#[test]
fn parallel_tenuring_and_cause() {
    // GCViewer TestDataReaderSun1_8_0.parallelPrintTenuringGcCause: 5 events, the first
    // `GC (Allocation Failure)` with a PSYoungGen detail, 0.0199218 s.
    let parsed = common::parse_sample("jdk8-parallel/gcviewer/SampleSun1_8_0Parallel_Tenuring_PrintGCCause.txt");
    let all = pauses(&parsed);
    assert_eq!(all.len(), 5);
    let first = all[0];
    assert_eq!(first.kind, EventKind::Pause(PauseKind::Young));
    assert_eq!(first.cause.as_deref(), Some("Allocation Failure"));
    assert_eq!(first.duration, Some(0.0199218));
    assert_eq!(first.start.uptime, Some(0.260));
    assert_eq!(first.young.before, Some(24571 * K));
    assert_eq!(first.young.after, Some(4081 * K));
    assert_eq!(first.young.committed_after, Some(28672 * K));
    assert_eq!(first.heap.after, Some(22186 * K));
    assert!(first.old.is_empty(), "young GCs without an old detail leave old to the analysis");
    // The fifth is `GC (System.gc())`: a young collection requested by the application.
    assert!(all[4].flags.system_gc);
    assert_eq!(all[4].kind, EventKind::Pause(PauseKind::Young));
}

#[test]
fn parallel_gc_id_and_apple_samples() {
    // GCViewer parallelPrintGCID / parallelApple: 5 and 6 events, no errors.
    let parsed = common::parse_sample("jdk8-parallel/gcviewer/SampleSun1_8_0ParallelPrintGCID.txt");
    assert_eq!(pauses(&parsed).len(), 5);
    assert_eq!(pauses(&parsed)[0].gc_id, Some(0));
    assert_eq!(parsed.stats.unrecognized, 0);
    let parsed = common::parse_sample("jdk8-parallel/gcviewer/SampleSun1_8_0Parallel_Apple.txt");
    assert_eq!(pauses(&parsed).len(), 6);
}

#[test]
fn cms_print_gc_id() {
    // GCViewer TestDataReaderSun1_8_0.cmsPrintGCID: 18 events, the first ParNew 0.0106548 s with
    // 8678 K before (GCViewer reads the young detail's "before" as the event's pre-used).
    let parsed = common::parse_sample("jdk8-cms/gcviewer/SampleSun1_8_0CmsPrintGcId.txt");
    let first = pauses(&parsed)[0];
    assert_eq!(first.kind, EventKind::Pause(PauseKind::Young));
    assert_eq!(first.duration, Some(0.0106548));
    assert_eq!(first.young.before, Some(8678 * K));
    assert_eq!(first.heap.before, Some(8678 * K));
    assert_eq!(first.gc_id, Some(0));
    assert_eq!(first.start.uptime, Some(0.169));
    // GCViewer's 18 = 10 pauses + 4 concurrent phases + the 4 `CMS-concurrent-…-start` markers,
    // which carry no duration and are no events here.
    assert_eq!(pauses(&parsed).len(), 10);
    assert_eq!(parsed.events().filter(|e| e.kind == EventKind::Concurrent).count(), 4);
    assert_eq!(parsed.count(PauseKind::Young), 8);
    assert_eq!(parsed.count(PauseKind::InitialMark), 1);
    assert_eq!(parsed.count(PauseKind::Remark), 1);
    let mark = parsed.events().find(|e| e.name == "CMS-concurrent-mark").expect("a concurrent mark");
    // `0.212: #2: [CMS-concurrent-mark: 0.005/0.013 secs]`: wall time 0.013 s, printed at its end.
    assert_eq!(mark.duration, Some(0.013));
    assert!(close(mark.start.uptime.unwrap_or_default(), 0.212 - 0.013));
    assert_eq!(mark.gc_id, Some(2));
    assert_eq!(parsed.stats.unrecognized, 0);
    let facts = facts(&parsed);
    assert!(facts.contains(&&Fact::JvmStart));
    assert!(facts.contains(&&Fact::HeapMax(536870912)));
    assert!(facts.contains(&&Fact::Collector(rightsize::gc::model::Collector::Cms)));
}

#[test]
fn cms_full_gc_with_concurrent_mode_failure() {
    // GCViewer TestDataReaderSun1_8_0.cmsPrintHeapBeforeFullGc: 2 events, the Full GC 218.6928810 s.
    let parsed = common::parse_sample("jdk8-cms/gcviewer/SampleSun1_8_0CMS_HeadDumpBeforeFullGc.txt");
    assert_eq!(parsed.events().count(), 2);
    let full = parsed.pauses(PauseKind::Full);
    assert_eq!(full.len(), 1);
    assert_eq!(full[0].duration, Some(218.6928810));
    assert!(full[0].flags.concurrent_mode_failure);
    assert_eq!(full[0].old.after, Some(1828689 * K));
    assert_eq!(full[0].metaspace.after, Some(52813 * K));
}

#[test]
fn g1_print_gc_id() {
    // GCViewer TestDataReaderSun1_8_0G1.printGCID: 11 events, the first young 0.0087570 s, 7168 K before.
    // GCViewer's 11 = 5 young + remark + cleanup + 2 concurrent phases + 2 `-start` markers (no
    // events here).
    let parsed = common::parse_sample("jdk8-g1/gcviewer/SampleSun1_8_0G1PrintGCID.txt");
    assert_eq!(pauses(&parsed).len(), 7);
    assert_eq!(parsed.count(PauseKind::Young), 5);
    assert_eq!(parsed.count(PauseKind::Remark), 1);
    assert_eq!(parsed.count(PauseKind::Cleanup), 1);
    assert_eq!(parsed.events().filter(|e| e.kind == EventKind::Concurrent).count(), 2);
    let first = pauses(&parsed)[0];
    assert_eq!(first.kind, EventKind::Pause(PauseKind::Young));
    assert_eq!(first.duration, Some(0.0087570));
    assert_eq!(first.heap.before, Some(7168 * K));
    assert_eq!(first.young.before, Some(7168 * K));
    assert_eq!(first.young.after, Some(1024 * K));
    assert_eq!(first.heap.committed_after, Some(32768 * K));
    assert_eq!(parsed.stats.unrecognized, 0);
}

#[test]
fn g1_cause_and_tenuring_pause_sum() {
    // GCViewer TestDataReaderSun1_8_0G1.printGCCauseTenuringDistribution: pause sum 16.7578613.
    let parsed = common::parse_sample("jdk8-g1/gcviewer/SampleSun1_8_0G1PrintGCCausePrintTenuringDistribution.txt");
    assert!(close(pause_sum(&parsed), 16.7578613), "{}", pause_sum(&parsed));
}

#[test]
fn g1_pause_with_decimal_comma() {
    // GCViewer TestDataReaderSun1_7_0G1.pauseWithComma: 1 event `GC pause (young)` 0.0665670 s.
    let parsed = common::parse_sample("jdk7-g1/gcviewer/SampleSun1_7_0G1_PauseWithComma.txt");
    let all = pauses(&parsed);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].duration, Some(0.066567));
    assert_eq!(all[0].start.uptime, Some(0.0165));
    assert_eq!(all[0].heap.before, Some((4985.5 * 1024.0 * 1024.0) as u64));
}

#[test]
fn gctoolkit_g1_counts() {
    // gctoolkit PreunifiedG1GCParserTest: 130 young, 2 mixed, 33 young initial-mark,
    // 19 full + 3 System.gc(), 17 remark, 17 cleanup.
    let parsed = common::parse_sample("jdk7-8-g1/gctoolkit/g1.details.cause.log");
    // The model folds `(young) (initial-mark)` into Young (it is a young collection); each of the
    // 33 starts one marking cycle, whose root-region scan completes.
    assert_eq!(parsed.count(PauseKind::Young), 130 + 33);
    let root_region_scans = parsed.events().filter(|e| e.name == "GC concurrent-root-region-scan-end").count();
    assert_eq!(root_region_scans, 33);
    assert_eq!(parsed.count(PauseKind::Mixed), 2);
    let full = parsed.pauses(PauseKind::Full);
    assert_eq!(full.len(), 19 + 3);
    assert_eq!(full.iter().filter(|e| e.flags.system_gc).count(), 3);
    assert_eq!(parsed.count(PauseKind::Remark), 17);
    assert_eq!(parsed.count(PauseKind::Cleanup), 17);
    // A G1 Full GC's sizes come from its `[Eden: …]` line, one decimal more precise than the
    // summary: `0.777: [Full GC (System.gc()) 17M->3758K(13M), 0.0233460 secs]` then
    // `[Eden: 18.0M(24.0M)->0.0B(5120.0K) Survivors: 0.0B->0.0B Heap: 17.2M(256.0M)->3758.6K(13.0M)]`.
    let first = full[0];
    assert_eq!(first.duration, Some(0.0233460));
    assert_eq!(first.heap.before, Some((17.2f64 * 1024.0 * 1024.0).round() as u64));
    assert_eq!(first.heap.after, Some((3758.6f64 * 1024.0).round() as u64));
    assert_eq!((first.heap.committed_before, first.heap.committed_after), (Some(256 << 20), Some(13 << 20)));
    assert_eq!((first.young.before, first.young.after), (Some(18 << 20), Some(0)));
}

#[test]
fn gctoolkit_parallel_counts() {
    // gctoolkit ParallelCollectorParserTest.
    for (file, young, full) in [
        ("jdk7-8-parallel/gctoolkit/long_pause.log", 21, 1),
        ("jdk7-parallel/gctoolkit/ps.cause.tenuring.details.v17051.log", 90, 4),
        ("jdk7-parallel/gctoolkit/ps.dates.cause.tenuring.details.v17051.log", 95, 3),
    ] {
        let parsed = common::parse_sample(file);
        assert_eq!((parsed.count(PauseKind::Young), parsed.count(PauseKind::Full)), (young, full), "{file}");
        assert_eq!(parsed.stats.incomplete_events, 0, "{file}");
    }
}

#[test]
fn gctoolkit_cms_without_details_counts() {
    // gctoolkit CMSParNewParserTest: initial mark and remark print alike without details
    // (`[GC 46468K(83008K), …]`); they alternate, and a Full GC ends the cycle.
    for (file, young, full, initial_mark, remark) in [
        ("jdk6-7-cms-nodetails/gctoolkit/530_gc.log", 30, 1, 4, 3),
        ("jdk6-7-cms-nodetails/gctoolkit/713_gc.log", 79, 5, 24, 24),
    ] {
        let parsed = common::parse_sample(file);
        let counts = (
            parsed.count(PauseKind::Young),
            parsed.count(PauseKind::Full),
            parsed.count(PauseKind::InitialMark),
            parsed.count(PauseKind::Remark),
        );
        assert_eq!(counts, (young, full, initial_mark, remark), "{file}");
    }
}

#[test]
fn rotation_series_continues_one_jvm() {
    // jdk8-cms-rotation-series: one 8u45 JVM rotated at 20 KB into Part1..7; GCViewer's
    // GcSeriesLoaderTest merges them into the same 536 GC pauses as ManuallyMerged.txt. Fed in order
    // to one parser (as a tailer follows `.current` files), the parts give exactly the events of the
    // merged file, one JVM start, and a rotation notice before each later part's header.
    let mut parser = rightsize::gc::parse::GcLogParser::new();
    let mut records = Vec::new();
    for part in 1..=7 {
        let bytes = common::read_bytes(&common::sample(&format!(
            "jdk8-cms-rotation-series/gcviewer/SampleSun1_8_0Series-Part{part}.txt"
        )));
        for line in bytes.split(|b| *b == b'\n') {
            parser.feed_bytes(line, &mut records);
        }
    }
    parser.finish(&mut records);
    let merged = common::parse_sample("jdk8-cms-rotation-series/gcviewer/SampleSun1_8_0Series-ManuallyMerged.txt");
    let series = common::Parsed { records, stats: parser.stats().clone() };
    let series_events: Vec<_> = series.events().collect();
    let merged_events: Vec<_> = merged.events().collect();
    assert_eq!(series_events, merged_events);
    assert_eq!(pauses(&series).len(), 536);
    assert_eq!(series.stats.unrecognized, 0);
    assert_eq!(series.stats.incomplete_events, 0);
    let facts = facts(&series);
    assert_eq!(facts.iter().filter(|f| ***f == Fact::JvmStart).count(), 1);
    assert_eq!(facts.iter().filter(|f| ***f == Fact::RotationContinued).count(), 6);
    // Every RotationContinued comes before its header's facts, and no header after it starts a JVM.
    let first_continuation = facts.iter().position(|f| **f == Fact::RotationContinued).unwrap_or(0);
    assert!(facts[first_continuation + 1..].iter().all(|f| **f != Fact::JvmStart));
    assert!(matches!(facts[first_continuation + 1], Fact::Version(_)));
    // Part1 alone has 77 pauses (GCViewer: 77), 3 of them young collections CMS ran inside a remark
    // (`-XX:+CMSScavengeBeforeRemark`).
    let part1 = common::parse_sample("jdk8-cms-rotation-series/gcviewer/SampleSun1_8_0Series-Part1.txt");
    assert_eq!(pauses(&part1).len(), 77);
    assert_eq!(part1.count(PauseKind::Remark), 3);
}

#[test]
fn g1_rotating_directory_is_one_jvm() {
    // jdk7-g1/gctoolkit/rotating_directory: `gc.log.0` ends with "has reached the maximum size",
    // `gc.log.1.current` starts with "GC log file created" and the repeated header. GCViewer's
    // series of the two: 3270 pauses (none of them full).
    let mut parser = rightsize::gc::parse::GcLogParser::new();
    let mut records = Vec::new();
    for file in ["gc.log.0", "gc.log.1.current"] {
        let bytes = common::read_bytes(&common::sample(&format!("jdk7-g1/gctoolkit/rotating_directory/{file}")));
        for line in bytes.split(|b| *b == b'\n') {
            parser.feed_bytes(line, &mut records);
        }
    }
    parser.finish(&mut records);
    let parsed = common::Parsed { records, stats: parser.stats().clone() };
    assert_eq!(pauses(&parsed).len(), 3270);
    assert_eq!(parsed.count(PauseKind::Full), 0);
    let facts = facts(&parsed);
    assert_eq!(facts.iter().filter(|f| ***f == Fact::JvmStart).count(), 1);
    assert_eq!(facts.iter().filter(|f| ***f == Fact::RotationContinued).count(), 1);
    assert!(facts.contains(&&Fact::RegionSize(2 << 20)), "-XX:G1HeapRegionSize=2097152 in the second header");
    assert_eq!((parsed.stats.unrecognized, parsed.stats.incomplete_events), (0, 0));
}

#[test]
fn cms_scavenge_before_remark_is_its_own_young_collection() {
    // GCViewer TestDataReaderSun1_8_0.scavengeBeforeRemarkPrintHeapAtGC_YGOccupancy: 2 events.
    // The remark's bracket is split by a PrintHeapAtGC block and holds a whole young GC.
    let parsed = common::parse_sample("jdk8-cms/gcviewer/SampleSun1_8_0CMS_ScavengeBeforeRemark_HeapAtGc.txt");
    let young = parsed.pauses(PauseKind::Young);
    let remark = parsed.pauses(PauseKind::Remark);
    assert_eq!((young.len(), remark.len()), (1, 1));
    assert_eq!(young[0].cause.as_deref(), Some("CMS Final Remark"));
    assert_eq!(young[0].duration, Some(0.0000778));
    assert_eq!(remark[0].duration, Some(0.0019970));
    assert_eq!(remark[0].young.before, Some(10451 * K));
    assert_eq!(remark[0].old.before, Some(100839 * K));
    assert_eq!(parsed.stats.incomplete_events, 0);
    // Same with tenuring distribution and free-list statistics inside (GCViewer: 2 events).
    let parsed =
        common::parse_sample("jdk8-cms/gcviewer/SampleSun1_8_0CMS_ScavengeBR_HeapAtGC_TenuringDist_PrintFLS.txt");
    assert_eq!((parsed.count(PauseKind::Young), parsed.count(PauseKind::Remark)), (1, 1));
    assert_eq!((parsed.stats.unrecognized, parsed.stats.incomplete_events), (0, 0));
}

#[test]
fn cms_free_list_statistics_inside_events() {
    // GCViewer TestDataReaderSun1_7_0.cmsPrintFlsStatistics1/2/3: the pauses 0.0030039 and
    // 0.0339164; 0.0054252, 0.0356364 and 0.0264843; 0.0252550. GCViewer's event counts (3, 5, 4)
    // also hold concurrent phases and stopped-time lines.
    for (file, expected) in [
        ("jdk7-cms/gcviewer/SampleSun1_7_0CmsPrintFlsStats1.txt", vec![0.0030039, 0.0339164]),
        ("jdk7-cms/gcviewer/SampleSun1_7_0CmsPrintFlsStats2.txt", vec![0.0054252, 0.0356364, 0.0264843]),
        ("jdk7-cms/gcviewer/SampleSun1_7_0CmsPrintFlsStats3.txt", vec![0.0252550]),
    ] {
        let parsed = common::parse_sample(file);
        let durations: Vec<f64> = pauses(&parsed).iter().filter_map(|e| e.duration).collect();
        assert_eq!(durations, expected, "{file}");
        assert_eq!((parsed.stats.unrecognized, parsed.stats.incomplete_events), (0, 0), "{file}");
    }
}

#[test]
fn cms_promotion_failure_and_concurrent_mode_failure_inside_a_young_gc() {
    // jdk7-cms/gcviewer/SampleSun1_7_0CMSTenuringDistributionInitiationStatistics.txt (GCViewer: 1
    // event, 21.5649460 s): `[GC [ParNew (promotion failed) …][CMS: …]`, a young collection that fell
    // back to a full one.
    let parsed =
        common::parse_sample("jdk7-cms/gcviewer/SampleSun1_7_0CMSTenuringDistributionInitiationStatistics.txt");
    let all = pauses(&parsed);
    assert_eq!(all.len(), 1);
    let event = all[0];
    assert_eq!(event.kind, EventKind::Pause(PauseKind::Young));
    assert_eq!(event.duration, Some(21.5649460));
    assert!(event.flags.promotion_failed && event.flags.nested_full);
    assert_eq!(event.old.after, Some(728816 * K));
    assert_eq!(parsed.stats.unrecognized, 0);
    // jdk6-cms/gcviewer/SampleSun1_6_0CMSAdaptiveSizePolicy.txt: `(concurrent mode failure)` inside
    // `[GC … [ASParNew …][ASCMS …]`. GCViewer: young 11 (its count includes initial mark and
    // remark), full 1 (this nested one).
    let parsed = common::parse_sample("jdk6-cms/gcviewer/SampleSun1_6_0CMSAdaptiveSizePolicy.txt");
    let nested: Vec<_> = parsed.pauses(PauseKind::Young).into_iter().filter(|e| e.flags.nested_full).collect();
    assert_eq!(nested.len(), 1);
    assert!(nested[0].flags.concurrent_mode_failure);
    assert_eq!(
        parsed.count(PauseKind::Young) - 1 + parsed.count(PauseKind::InitialMark) + parsed.count(PauseKind::Remark),
        11
    );
}

#[test]
fn jdk5_cms_full_time_counts_nested_full_collections() {
    // GCViewer TestDataReaderSun1_5_0.testCMSPrintGCDetails: pause sum 9.1337492, full 7.4672903.
    // GCViewer calls every event with two generations "full"; here those are the `Full GC`s plus
    // the young GCs that fell back to a full collection (flag nested_full).
    let parsed = common::parse_sample("jdk5-cms/gcviewer/SampleSun1_5_0CMS_PrintGCDetails.txt");
    assert!((pause_sum(&parsed) - 9.1337492).abs() < 1e-6);
    let full_like: f64 = pauses(&parsed)
        .iter()
        .filter(|e| e.pause_kind() == Some(PauseKind::Full) || e.flags.nested_full)
        .filter_map(|e| e.duration)
        .sum();
    assert!((full_like - 7.4672903).abs() < 1e-6, "{full_like}");
}

#[test]
fn serial_young_and_full_with_metaspace() {
    // jdk8-serial/gctoolkit/serial180.log: DefNew split by tenuring lines; Full GC with Tenured and
    // Metaspace details.
    let parsed = common::parse_sample("jdk8-serial/gctoolkit/serial180.log");
    assert!(facts(&parsed).contains(&&Fact::Collector(rightsize::gc::model::Collector::Serial)));
    let young = pauses(&parsed)[0];
    assert_eq!((young.start.uptime, young.duration), (Some(0.265), Some(0.0041700)));
    assert_eq!(young.young.committed_after, Some(9792 * K));
    let full = parsed.pauses(PauseKind::Full)[0];
    assert_eq!(full.cause.as_deref(), Some("Metadata GC Threshold"));
    assert_eq!(full.old.before, Some(21006 * K));
    assert_eq!(full.old.after, Some(20933 * K));
    assert_eq!(full.heap.before, Some(29003 * K));
    assert_eq!(full.metaspace.committed_after, Some(12672 * K));
    assert_eq!(full.duration, Some(0.0231557));
    assert_eq!((parsed.stats.unrecognized, parsed.stats.incomplete_events), (0, 0));
}

#[test]
fn jdk4_and_5_parallel_samples() {
    // GCViewer TestDataReaderSun1_4_0.testAdaptiveSizePolicy: 9 events, 3 full, 6 young, pause sum
    // 0.1978746, full 0.026889; TestDataReaderSun1_5_0.testAdaptiveSizePolicy: 6 events, 1 full,
    // sum 0.1024222, full 0.0583435; testParallelOldGC: 27.0696262; testPromotionFailure: 6 events,
    // sum 8.413616.
    for (file, young, full, sum, full_sum) in [
        ("jdk1.3-1.4-legacy/gcviewer/SampleSun1_4_0AdaptiveSizePolicy.txt", 6, 3, 0.1978746, 0.026889),
        ("jdk5-parallel/gcviewer/SampleSun1_5_0AdaptiveSizePolicy.txt", 5, 1, 0.1024222, 0.0583435),
        ("jdk5-parallel/gcviewer/SampleSun1_5_0ParallelOldGC.txt", 0, 1, 27.0696262, 27.0696262),
        ("jdk5-parallel/gcviewer/SampleSun1_5_0PromotionFailure.txt", 5, 1, 8.413616, 6.739639),
    ] {
        let parsed = common::parse_sample(file);
        let fulls: f64 = parsed.pauses(PauseKind::Full).iter().filter_map(|e| e.duration).sum();
        assert_eq!((parsed.count(PauseKind::Young), parsed.count(PauseKind::Full)), (young, full), "{file}");
        assert!(close(pause_sum(&parsed), sum) && close(fulls, full_sum), "{file}: {} {fulls}", pause_sum(&parsed));
        assert_eq!((parsed.stats.unrecognized, parsed.stats.incomplete_events), (0, 0), "{file}");
    }
    // `[GC-- [PSYoungGen: …]`: JDK 5 Parallel's mark for a failed promotion.
    let parsed = common::parse_sample("jdk5-parallel/gcviewer/SampleSun1_5_0PromotionFailure.txt");
    assert!(parsed.pauses(PauseKind::Young).iter().any(|e| e.flags.promotion_failed));
}

#[test]
fn g1_jdk6_and_jdk7_samples() {
    // GCViewer TestDataReaderSun1_6_0G1 / TestDataReaderSun1_7_0G1 pause values.
    for (file, expected) in [
        ("jdk6-g1/gcviewer/SampleSun1_6_0G1FullGcTenuringDistribution.txt", vec![37.0629320]),
        ("jdk6-g1/gcviewer/SampleSun1_6_0G1_Detailed-mixedLine1.txt", vec![0.00831998]),
        ("jdk6-g1/gcviewer/SampleSun1_6_0G1_Detailed-mixedLine2.txt", vec![0.00430038]),
        ("jdk6-g1/gcviewer/SampleSun1_6_0G1_Detailed-mixedLine3.txt", vec![0.00178520]),
        ("jdk6-g1/gcviewer/SampleSun1_6_0G1_Detailed-young.txt", vec![0.00594747]),
        ("jdk6-g1/gcviewer/SampleSun1_6_0G1_MarkStackFull.txt", vec![0.08032150]),
        ("jdk6-g1/gcviewer/SampleSun1_6_0G1_PrintHeapAtGC.txt", vec![0.00582962, 0.00228253]),
        ("jdk6-g1/gcviewer/SampleSun1_6_0G1_partial_initialMarkToSpaceOverflow.txt", vec![0.00588343]),
        ("jdk6-g1/gcviewer/SampleSun1_6_0G1_partial_toSpaceOverflow.txt", vec![0.00271976]),
        ("jdk6-g1/gcviewer/SampleSun1_6_0G1_young_initialMarkToSpaceOverflow.txt", vec![0.00316185]),
        ("jdk6-g1/gcviewer/SampleSun1_6_0G1_young_toSpaceOverflow.txt", vec![0.04674512]),
        ("jdk7-g1/gcviewer/SampleSun1_7_0-01_G1_young.txt", vec![0.00631825]),
        ("jdk7-g1/gcviewer/SampleSun1_7_0G1AdaptiveSize_Reference.txt", vec![0.0107924, 0.0130642, 0.0013608]),
        ("jdk7-g1/gcviewer/SampleSun1_7_0G1PrintReferencePolicy.txt", vec![0.0049738]),
        ("jdk7-g1/gcviewer/SampleSun1_7_0G1_DateStamp_Detailed-mixedLine1.txt", vec![0.28645100]),
        ("jdk7-g1/gcviewer/SampleSun1_7_0G1_DateStamp_Detailed-mixedLine2.txt", vec![0.08031200, 0.28031200]),
        ("jdk7-g1/gcviewer/SampleSun1_7_0G1_DateStamp_Detailed-mixedLine3.txt", vec![0.08894900]),
        ("jdk7-g1/gcviewer/SampleSun1_7_0G1_DetailsWoTimestamp.txt", vec![0.0055310]),
        ("jdk7-g1/gcviewer/SampleSun1_7_0_40PrintGCCause2.txt", vec![0.0398848]),
        ("jdk7-g1/gcviewer/SampleSun1_7_0_40PrintHeapAtGC.txt", vec![0.0147015]),
        ("jdk8-g1/gcviewer/SampleSun1_8_0G1PrintHeapAtGc.txt", vec![0.0055924]),
        ("jdk8-g1/gcviewer/SampleSun1_8_0G1SystemGcYoung.txt", vec![0.2124664]),
        ("jdk8-g1/gcviewer/SampleSun1_8_0G1YoungMetadataGcThreshold.txt", vec![0.0229931]),
        ("jdk8-g1/gcviewer/SampleSun1_8_0G1extended-remark.txt", vec![0.1005220]),
    ] {
        let parsed = common::parse_sample(file);
        let durations: Vec<f64> = pauses(&parsed).iter().filter_map(|e| e.duration).collect();
        assert_eq!(durations, expected, "{file}");
        assert_eq!((parsed.stats.unrecognized, parsed.stats.incomplete_events), (0, 0), "{file}");
    }
    // GCViewer testG1GcVerbose: 5 Full GCs, pause sum 62.616796.
    let parsed = common::parse_sample("jdk6-g1/gcviewer/SampleSun1_6_0G1_gc_verbose.txt");
    assert_eq!(parsed.count(PauseKind::Full), 5);
    assert!(close(pause_sum(&parsed), 62.616796));
    // `(partial)` is JDK 6's name for a mixed pause; `(to-space overflow)` JDK 6's to-space exhaustion.
    let parsed = common::parse_sample("jdk6-g1/gcviewer/SampleSun1_6_0G1_partial_toSpaceOverflow.txt");
    let pause = pauses(&parsed)[0];
    assert_eq!(pause.kind, EventKind::Pause(PauseKind::Mixed));
    assert!(pause.flags.to_space_exhausted);
    // GCViewer youngPause_u2: heap 1105M->380M(2048M), young 1024M->128M.
    let parsed = common::parse_sample("jdk7-g1/gcviewer/SampleSun1_7_0-02_G1_young.txt");
    let pause = pauses(&parsed)[0];
    assert_eq!(
        (pause.heap.before, pause.heap.after, pause.heap.committed_after),
        (Some(1105 << 20), Some(380 << 20), Some(2048 << 20))
    );
    assert_eq!((pause.young.before, pause.young.after), (Some(1024 << 20), Some(128 << 20)));
    // GCViewer printGCCause: a pause of 0.077938 s (split by G1 ergonomics lines); heap 32M ->
    // 7136.4K of 88.0G (the first pause's sizes).
    let parsed = common::parse_sample("jdk7-g1/gcviewer/SampleSun1_7_0_40PrintGCCause.txt");
    let all = pauses(&parsed);
    let first = all[0];
    assert_eq!(first.heap.before, Some(32 << 20));
    assert_eq!(first.heap.after, Some((7136.4f64 * 1024.0).round() as u64));
    assert_eq!(first.heap.committed_after, Some((88.0f64 * 1024.0 * 1024.0 * 1024.0) as u64));
    let split = all.iter().find(|e| e.duration == Some(0.0779380)).expect("the 0.077938 s pause");
    assert_eq!(split.cause.as_deref(), Some("G1 Evacuation Pause"));
    assert_eq!(split.heap.before, Some((283.5f64 * 1024.0 * 1024.0) as u64));
}

#[test]
fn stopped_time_lines_are_safepoints() {
    // GCViewer TestDataReaderSun1_7_0G1.printGCApplicationStoppedTimeTenuringDist: 1 pause and 2
    // stopped-time lines; the second stopped time is 0.0008648 s.
    let parsed =
        common::parse_sample("jdk7-g1/gcviewer/SampleSun1_7_0_51_G1_PrintApplicationTimeTenuringDistribution.txt");
    let stopped: Vec<f64> = parsed
        .records
        .iter()
        .filter_map(|r| if let Record::Safepoint(s) = r { Some(s.stopped) } else { None })
        .collect();
    assert_eq!(stopped.len(), 2);
    assert_eq!(stopped[0], 0.0008648);
    assert_eq!(pauses(&parsed)[0].duration, Some(0.0007112));
    // Decimal commas and a doubled datestamp (jdk7-g1/gcviewer/SampleSun1_7_0G1_MixedApplicationStopped.txt).
    let parsed = common::parse_sample("jdk7-g1/gcviewer/SampleSun1_7_0G1_MixedApplicationStopped.txt");
    let stopped: Vec<(Option<f64>, f64)> = parsed
        .records
        .iter()
        .filter_map(|r| if let Record::Safepoint(s) = r { Some((s.at.uptime, s.stopped)) } else { None })
        .collect();
    assert_eq!(stopped, vec![(Some(6616.888), 0.1003470), (Some(6616.908), 0.0015460)]);
    assert_eq!(parsed.stats.unrecognized, 0);
}

#[test]
fn header_facts_and_exit() {
    // jdk8-parallel/gcviewer/SampleSun1_8_0ParallelPrintGCID.txt: banner, memory, flags (with an
    // explicit young size), and the exit heap printout.
    let parsed = common::parse_sample("jdk8-parallel/gcviewer/SampleSun1_8_0ParallelPrintGCID.txt");
    let facts = facts(&parsed);
    assert_eq!(facts[0], &Fact::JvmStart);
    assert!(facts.iter().any(|f| matches!(f, Fact::Version(_))));
    assert!(facts.iter().any(|f| matches!(f, Fact::Memory(m) if m.starts_with("16k page, physical 16539232k"))));
    assert!(facts.iter().any(|f| matches!(f, Fact::CommandLine(c) if c.contains("-XX:+UseParallelGC"))));
    assert!(facts.contains(&&Fact::HeapMax(10737418240)));
    assert!(facts.contains(&&Fact::HeapInitial(10737418240)));
    assert!(facts.contains(&&Fact::YoungMax(9663676416)));
    assert!(facts.contains(&&Fact::Collector(rightsize::gc::model::Collector::Parallel)));
    assert_eq!(facts.last(), Some(&&Fact::Exit));
    // The collector is announced once: the details agree with the flags.
    assert_eq!(facts.iter().filter(|f| matches!(f, Fact::Collector(_))).count(), 1);
}

#[test]
fn header_with_proc_meminfo_is_one_jvm_start() {
    // jdk8-cms/gctoolkit/parnew.details.tenuring.cause.18020.log: `/proc/meminfo:` between the
    // header lines.
    let parsed = common::parse_sample("jdk8-cms/gctoolkit/parnew.details.tenuring.cause.18020.log");
    let facts = facts(&parsed);
    assert_eq!(facts.iter().filter(|f| ***f == Fact::JvmStart).count(), 1);
    assert!(facts.iter().any(|f| matches!(f, Fact::CommandLine(_))));
}

#[test]
fn g1_log_span_and_exit_summary() {
    // gctoolkit PreunifiedJavaVirtualMachineConfigurationTest on jdk8-g1/gctoolkit/g1gc.log: first
    // event at 1 028 ms, termination at 945 481 ms (both stopped-time lines here). The exit
    // printout states the region size, which no flag gave.
    let parsed = common::parse_sample("jdk8-g1/gctoolkit/g1gc.log");
    let stops: Vec<f64> =
        parsed.records.iter().filter_map(|r| if let Record::Safepoint(s) = r { s.at.uptime } else { None }).collect();
    assert_eq!(stops.first(), Some(&1.028));
    assert_eq!(stops.last(), Some(&945.481));
    let facts = facts(&parsed);
    assert!(facts.contains(&&Fact::Exit));
    assert_eq!(
        facts.iter().filter(|f| matches!(f, Fact::RegionSize(_))).collect::<Vec<_>>(),
        vec![&&Fact::RegionSize(1 << 20)]
    );
    assert_eq!((parsed.stats.unrecognized, parsed.stats.incomplete_events), (0, 0));
}

#[test]
fn jdk8_shenandoah_pauses() {
    // GCViewer TestDataReaderSun1_8_0.shenandoah_8u332: 20 events (8 pauses, 12 concurrent
    // phases), pause sum 0.197536.
    let parsed = common::parse_sample("jdk8-shenandoah/gcviewer/SampleOpenJdk1_8_0-332.txt");
    assert_eq!(pauses(&parsed).len(), 8);
    assert_eq!(parsed.events().count(), 20);
    assert!(close(pause_sum(&parsed), 0.197536));
    assert_eq!(parsed.count(PauseKind::Full), 0);
}

/// Real lines with bytes swapped for the characters the parser keys on: never a panic.
#[test]
fn mutated_lines_never_panic() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // xorshift64: deterministic, so a failure reproduces.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    const ALPHABET: &[u8] = b"[](),:-> 0123456789.KMGBs#T+\n";
    for file in [
        "jdk8-cms/gcviewer/SampleSun1_8_0CmsPrintGcId.txt",
        "jdk8-g1/gcviewer/SampleSun1_8_0G1PrintGCID.txt",
        "jdk7-cms/gcviewer/SampleSun1_7_0CmsPrintFlsStats1.txt",
        "jdk8-serial/gctoolkit/serial180.log",
    ] {
        let original = common::read_bytes(&common::sample(file));
        for _ in 0..1000 {
            let mut bytes = original.clone();
            for _ in 0..1 + next() % 8 {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = ALPHABET[(next() % ALPHABET.len() as u64) as usize];
            }
            let _ = common::parse_bytes(&bytes);
        }
    }
}

/// Cutting a real log anywhere, or feeding it garbage, must never panic.
#[test]
fn damaged_input_never_panics() {
    let bytes = common::read_bytes(&common::sample("jdk8-cms/gcviewer/SampleSun1_8_0CMS_HeadDumpBeforeFullGc.txt"));
    for cut in 0..bytes.len() {
        let _ = common::parse_bytes(&bytes[..cut]);
        let _ = common::parse_bytes(&bytes[cut..]);
    }
    let bytes =
        common::read_bytes(&common::sample("jdk7-g1/gcviewer/SampleSun1_7_0G1_DateStamp_Detailed-mixedLine2.txt"));
    let mut shuffled: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
    shuffled.reverse();
    let _ = common::parse_bytes(&shuffled.join(&b'\n'));
    let parsed = common::parse_bytes(b"[GC\n[[[[[[\n]]]]\n0.1: [Full GC (\n\xff\xfe\n");
    assert!(parsed.stats.lines >= 5);
}
