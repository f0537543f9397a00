//! The unified-logging parser against the real sample logs of `shared/gclogs/upstream/`.

mod common;

use common::{parse_sample, Parsed};
use rightsize::gc::model::{Collector, EventKind, Fact, GcEvent, PauseKind, Record};

const K: u64 = 1024;
const M: u64 = 1024 * 1024;

fn close(actual: Option<f64>, expected: f64) -> bool {
    actual.is_some_and(|value| (value - expected).abs() < 1e-9)
}

fn safepoints(parsed: &Parsed) -> usize {
    parsed.records.iter().filter(|r| matches!(r, Record::Safepoint(_))).count()
}

fn kind_count(parsed: &Parsed, kind: EventKind) -> usize {
    parsed.events().filter(|e| e.kind == kind).count()
}

fn by_id(parsed: &Parsed, gc_id: u64, kind: EventKind) -> &GcEvent {
    parsed
        .events()
        .find(|e| e.gc_id == Some(gc_id) && e.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} GC({gc_id})"))
}

/// Asserts a whole-heap change `before->after(committed)` in MB.
fn assert_heap_mb(event: &GcEvent, before: u64, after: u64, committed: u64) {
    assert_eq!(
        (event.heap.before, event.heap.after, event.heap.committed_after),
        (Some(before * M), Some(after * M), Some(committed * M)),
        "heap of {event:?}"
    );
}

/// Every sample whose MANIFEST row says it is unified logging (`UJL`).
fn unified_samples() -> Vec<String> {
    let manifest = std::fs::read_to_string(common::sample("MANIFEST.md")).expect("MANIFEST.md beside the samples");
    manifest
        .lines()
        .filter(|row| row.contains("UJL"))
        .filter_map(|row| row.split('|').nth(1))
        .filter_map(|cell| cell.trim().strip_prefix('`')?.strip_suffix('`').map(str::to_string))
        .collect()
}

#[test]
fn every_unified_sample_parses() {
    let samples = unified_samples();
    assert!(samples.len() >= 34, "MANIFEST lists {} unified samples", samples.len());
    for path in &samples {
        let parsed = parse_sample(path);
        let events = parsed.events().count();
        let stats = &parsed.stats;
        println!(
            "{path}: lines {} recognized {} ignored {} unrecognized {} incomplete {} events {events} safepoints {}",
            stats.lines,
            stats.recognized,
            stats.ignored,
            stats.unrecognized,
            stats.incomplete_events,
            safepoints(&parsed)
        );
        if path.ends_with("SampleShenandoahPassiveHeuristics.txt") {
            // The run never collected: three safepoints and the exit summary are all it logged.
            assert_eq!((events, safepoints(&parsed)), (0, 3), "{path}");
        } else {
            assert!(events > 0, "{path}: no events");
        }
        // The only unrecognized lines in the samples are the undecorated continuation lines of
        // multi-line `exceptions` messages in two Shenandoah logs (`thrown in interpreter method`,
        // ` at bci 0 for thread ...`): not unified lines, so the dispatcher hands them elsewhere.
        let allowed =
            if path.contains("SampleShenandoahPassiveHeuristics") || path.contains("SampleShenandoahSeveralSystemGC") {
                150
            } else {
                0
            };
        assert!(stats.unrecognized <= allowed, "{path}: {:?}", stats.unrecognized_samples);
        assert_eq!(stats.incomplete_events, 0, "{path}");
    }
}

#[test]
fn g1_jdk9_10_defaults() {
    let parsed = parse_sample("jdk9-10-ujl-g1/gcviewer/sample-ujl-g1-gc-defaults.txt");
    // GCViewer counts 12 "GC pauses": it adds Remark, Cleanup and the three `To-space exhausted`
    // lines, which qualify the young pause that follows and are no pauses of their own.
    // Young: 5 `Pause Young` + the JDK 9-10 `Pause Initial Mark`, which is a young collection.
    assert_eq!(parsed.count(PauseKind::Young), 6);
    assert_eq!(parsed.count(PauseKind::Mixed), 1);
    assert_eq!(parsed.count(PauseKind::Remark), 1);
    assert_eq!(parsed.count(PauseKind::Cleanup), 1);
    assert_eq!(parsed.count(PauseKind::Full), 1);
    assert_eq!(kind_count(&parsed, EventKind::Concurrent), 1);
    assert_eq!(
        parsed.events().filter(|e| e.flags.to_space_exhausted).map(|e| e.gc_id).collect::<Vec<_>>(),
        [Some(11), Some(12), Some(13)]
    );

    let full = &parsed.pauses(PauseKind::Full)[0];
    assert!(close(full.duration, 0.014918));
    assert_heap_mb(full, 128, 8, 28);
    assert_eq!(full.cause.as_deref(), Some("Allocation Failure"));
    assert!(close(full.start.uptime, 0.337 - 0.014918), "start = end stamp - duration");

    let first = parsed.events().next().expect("events");
    assert_eq!((first.name.as_str(), first.cause.as_deref()), ("Pause Young", Some("G1 Evacuation Pause")));
    assert!(close(first.duration, 0.006529));
    assert_heap_mb(first, 14, 12, 128);
    let initial_mark = by_id(&parsed, 5, EventKind::Pause(PauseKind::Young));
    assert_eq!(initial_mark.name, "Pause Initial Mark");
    assert!(close(initial_mark.duration, 0.006187));
    let mixed = &parsed.pauses(PauseKind::Mixed)[0];
    assert!(close(mixed.duration, 0.002790));
    assert_heap_mb(mixed, 29, 28, 123);
    assert!(close(parsed.pauses(PauseKind::Remark)[0].duration, 0.000837));
    assert!(close(parsed.pauses(PauseKind::Cleanup)[0].duration, 0.000001));
    let cycle = parsed.events().find(|e| e.kind == EventKind::Concurrent).expect("cycle");
    assert_eq!((cycle.name.as_str(), cycle.gc_id), ("Concurrent Cycle", Some(6)));
    assert!(close(cycle.duration, 0.042463));
    assert_eq!(parsed.facts(), [&Fact::JvmStart, &Fact::Collector(Collector::G1)]);
}

#[test]
fn g1_jdk9_10_details_and_region_size() {
    let parsed = parse_sample("jdk9-10-ujl-g1/gcviewer/sample-ujl-g1-gc-all,safepoint,os+cpu.txt");
    // GCViewer's 13 "GC" = 11 young-generation pauses + Remark + Cleanup.
    assert_eq!(parsed.count(PauseKind::Young) + parsed.count(PauseKind::Mixed), 11);
    assert_eq!((parsed.count(PauseKind::Remark), parsed.count(PauseKind::Cleanup)), (1, 1));
    assert_eq!(safepoints(&parsed), 14);
    let cleanup = &parsed.pauses(PauseKind::Cleanup)[0];
    assert!(close(cleanup.duration, 0.000367));
    assert_heap_mb(cleanup, 114, 70, 128);
    let young = by_id(&parsed, 2, EventKind::Pause(PauseKind::Young));
    let regions = young.regions.expect("region lines");
    assert_eq!((regions.eden_before, regions.eden_after, regions.eden_target), (Some(17), Some(0), Some(21)));
    assert_eq!((regions.survivor_before, regions.survivor_after, regions.survivor_target), (Some(2), Some(3), Some(3)));
    assert_eq!((regions.old_before, regions.old_after), (Some(19), Some(35)));
    assert_eq!((regions.humongous_before, regions.humongous_after), (Some(0), Some(0)));
    assert_eq!(
        (young.metaspace.before, young.metaspace.after, young.metaspace.committed_after),
        (Some(3647 * K), Some(3647 * K), Some(1056768 * K))
    );
    assert_eq!(
        parsed.facts(),
        [&Fact::JvmStart, &Fact::RegionSize(M), &Fact::Collector(Collector::G1), &Fact::HeapMax(128 * M)]
    );
}

#[test]
fn g1_jdk11_details_counts() {
    let parsed = parse_sample("jdk11-ujl-g1/gctoolkit/jdk11_details.log.zip");
    // gctoolkit: 9 969 young (9 936 Normal + 33 Prepare Mixed) and 194 Concurrent Start, all young
    // collections; with the 40 mixed that is GCViewer's 10 511 non-full pauses minus Remark and Cleanup.
    let young = parsed.pauses(PauseKind::Young);
    assert_eq!(young.len(), 10_163);
    assert_eq!(young.iter().filter(|e| e.cause.is_some()).count(), 10_163);
    assert_eq!(parsed.count(PauseKind::Mixed), 40);
    assert_eq!(parsed.count(PauseKind::Full), 42);
    assert_eq!(parsed.count(PauseKind::Remark), 156);
    assert_eq!(parsed.count(PauseKind::Cleanup), 152);
    // 198 cycles start; four are cut short by a Full GC and never print their end.
    assert_eq!(kind_count(&parsed, EventKind::Concurrent), 194);
    assert_eq!(parsed.events().filter(|e| e.flags.to_space_exhausted).count(), 122);
    let full = by_id(&parsed, 330, EventKind::Pause(PauseKind::Full));
    assert_heap_mb(full, 63, 5, 27);
    assert!(close(full.duration, 0.007635));
    assert!(parsed.facts().contains(&&Fact::RegionSize(M)));
    // `Heap address: 0x00000007fc000000, size: 64 MB`: the file's only statement of the maximum heap.
    assert!(parsed.facts().contains(&&Fact::HeapMax(64 * M)));
    assert!(parsed.facts().contains(&&Fact::Exit));
}

#[test]
fn g1_jdk11_16_decorations_time_uptime_level_tags() {
    let parsed = parse_sample("jdk11-16-ujl-g1/gctoolkit/jvm-gc-10Nov2022.log");
    // gctoolkit: 4 young + 2 concurrent start, 2 remark, 2 cleanup.
    let young = parsed.pauses(PauseKind::Young);
    assert_eq!(young.len(), 6);
    assert_eq!(young.iter().filter(|e| e.name == "Pause Young").count(), 6);
    assert_eq!((parsed.count(PauseKind::Remark), parsed.count(PauseKind::Cleanup)), (2, 2));
    assert_eq!(kind_count(&parsed, EventKind::Concurrent), 2);
    assert!(young.iter().all(|e| e.start.wall_ms.is_some() && e.start.uptime.is_some()));
    assert!(parsed.facts().contains(&&Fact::RegionSize(2 * M)));
}

#[test]
fn g1_time_decoration_only() {
    let parsed = parse_sample("jdk11-16-ujl-g1/gctoolkit/gc-no-age-timestamp.log");
    let young = parsed.pauses(PauseKind::Young);
    assert_eq!(young.len(), 2);
    let first = young[0];
    assert_eq!(first.start.uptime, None);
    // [2022-11-10T03:37:32.146-0800] minus 21.861 ms.
    assert_eq!(first.start.wall_ms, Some(1_668_080_252_146 - 22));
    assert_heap_mb(first, 116, 40, 2048);
    assert_eq!(young[1].cause.as_deref(), Some("Metadata GC Threshold"));
    assert_eq!(
        parsed.facts(),
        [&Fact::JvmStart, &Fact::RegionSize(2 * M), &Fact::Collector(Collector::G1), &Fact::HeapMax(8 << 30)]
    );
}

#[test]
fn g1_jdk17_time_uptimemillis() {
    let parsed =
        parse_sample("jdk17-ujl-g1/gcviewer/sample-ujl-jdk17-full-concurrent-cycle-g1-gc-all-safepont,os-cpu.txt");
    let cycle = parsed.events().find(|e| e.kind == EventKind::Concurrent).expect("one concurrent cycle");
    assert_eq!((cycle.name.as_str(), cycle.gc_id), ("Concurrent Mark Cycle", Some(5)));
    assert!(close(cycle.duration, 0.077704));
    assert!(close(cycle.start.uptime, 0.311 - 0.077704));
    assert_eq!(cycle.start.wall_ms, Some(1_643_474_091_719 - 78));
    assert_eq!(
        (parsed.count(PauseKind::Young), parsed.count(PauseKind::Remark), parsed.count(PauseKind::Cleanup)),
        (7, 1, 1)
    );
    // 16+ metaspace form `used(committed)->used(committed) NonClass: ...`.
    let young = by_id(&parsed, 6, EventKind::Pause(PauseKind::Young));
    assert_eq!(
        (young.metaspace.before, young.metaspace.committed_before, young.metaspace.after),
        (Some(258 * K), Some(448 * K), Some(258 * K))
    );
    // JDK 17 safepoint lines, `Total: 11266000 ns`.
    let first_safepoint = parsed.records.iter().find_map(|r| match r {
        Record::Safepoint(s) => Some(*s),
        _ => None,
    });
    assert!(close(first_safepoint.map(|s| s.stopped), 0.011266));
    assert_eq!(safepoints(&parsed), 9);
    // The file starts mid-run: no start block, no region size, the collector inferred from content.
    assert_eq!(parsed.facts(), [&Fact::Collector(Collector::G1)]);
}

#[test]
fn g1_jdk14_restart_files_are_whole_runs() {
    let parsed = parse_sample("jdk14-ujl-g1/gctoolkit/short_restart_4/short_restart_4.log");
    assert_eq!((parsed.count(PauseKind::Young), parsed.count(PauseKind::Full)), (64, 1));
    let facts = parsed.facts();
    assert_eq!(facts.iter().filter(|f| ***f == Fact::JvmStart).count(), 1);
    // JDK 14 prints heap and region sizes before `Using G1`: they open the start block.
    assert_eq!(
        facts[..5],
        [
            &Fact::JvmStart,
            &Fact::RegionSize(M),
            &Fact::HeapMax(4 << 30),
            &Fact::HeapInitial(256 * M),
            &Fact::Collector(Collector::G1)
        ]
    );
    assert_eq!(facts.last(), Some(&&Fact::Exit));
}

#[test]
fn g1_jdk9_10_to_space_exhausted_with_details() {
    let parsed = parse_sample("jdk9-10-ujl-g1/gcviewer/sample-ujl-g1-gc-all,safepoint,os+cpu-to-space-exhausted.txt");
    let young = parsed.pauses(PauseKind::Young);
    assert_eq!(young.len(), 1);
    assert!(young[0].flags.to_space_exhausted);
    assert_eq!(young[0].regions.and_then(|r| r.old_after), Some(14));
    assert_heap_mb(young[0], 116, 119, 128);
}

#[test]
fn g1_jdk9_10_gc_only_full_gc_by_jcmd() {
    let parsed = parse_sample("jdk9-10-ujl-g1/gctoolkit/minimal.log");
    // 3 431 `Pause Young` and one JDK 9-10 `Pause Initial Mark`.
    assert_eq!(parsed.count(PauseKind::Young), 3432);
    assert_eq!((parsed.count(PauseKind::Remark), parsed.count(PauseKind::Cleanup)), (1, 1));
    let full = &parsed.pauses(PauseKind::Full)[0];
    assert_eq!(full.cause.as_deref(), Some("Diagnostic Command"));
    assert!(full.flags.system_gc);
}

#[test]
fn parallel_defaults() {
    let parsed = parse_sample("jdk9-10-ujl-parallel/gcviewer/sample-ujl-parallel-gc-defaults.txt");
    assert_eq!((parsed.count(PauseKind::Young), parsed.count(PauseKind::Full)), (5, 6));
    let events: Vec<_> = parsed.events().collect();
    assert_eq!(events.len(), 11);
    assert!(close(events[0].duration, 0.006868));
    assert_heap_mb(events[0], 32, 29, 123);
    assert_eq!(events[2].kind, EventKind::Pause(PauseKind::Full));
    assert!(close(events[2].duration, 0.013765));
    assert_heap_mb(events[2], 62, 61, 123);
    assert_eq!(events[2].cause.as_deref(), Some("Ergonomics"));
}

#[test]
fn parallel_details() {
    let parsed = parse_sample("jdk9-10-ujl-parallel/gcviewer/sample-ujl-parallel-gc-all,safepoint,os+cpu.txt");
    assert_eq!((parsed.count(PauseKind::Young), parsed.count(PauseKind::Full)), (4, 4));
    let young = by_id(&parsed, 0, EventKind::Pause(PauseKind::Young));
    assert!(close(young.duration, 0.008112));
    assert_heap_mb(young, 32, 29, 123);
    assert_eq!(
        (young.young.before, young.young.after, young.young.committed_after),
        (Some(33275 * K), Some(5090 * K), Some(38400 * K))
    );
    assert_eq!(
        (young.old.before, young.old.after, young.old.committed_after),
        (Some(0), Some(25596 * K), Some(87552 * K))
    );
    let full = by_id(&parsed, 6, EventKind::Pause(PauseKind::Full));
    assert!(close(full.duration, 0.008792));
    assert_heap_mb(full, 95, 31, 123);
}

#[test]
fn parallel_large_log() {
    let parsed = parse_sample("jdk9-15-ujl-parallel/gctoolkit/parallelgc.log");
    assert_eq!((parsed.count(PauseKind::Young), parsed.count(PauseKind::Full)), (4638, 28));
    // GCLocker-initiated young pauses keep their cause.
    assert_eq!(
        parsed.pauses(PauseKind::Young).iter().filter(|e| e.cause.as_deref() == Some("GCLocker Initiated GC")).count(),
        3
    );
    assert!(parsed.pauses(PauseKind::Young).iter().all(|e| e.young.before.is_some() && e.old.after.is_some()));
}

#[test]
fn serial_defaults_nested_full_gcs() {
    let parsed = parse_sample("jdk9-10-ujl-serial/gcviewer/sample-ujl-serial-gc-defaults.txt");
    assert_eq!((parsed.count(PauseKind::Young), parsed.count(PauseKind::Full)), (8, 3));
    let events: Vec<_> = parsed.events().collect();
    assert!(close(events[0].duration, 0.011421));
    assert_heap_mb(events[0], 25, 23, 92);
    // `GC(3) Pause Full` is logged before the enclosing `GC(2) Pause Young`.
    assert_eq!((events[2].gc_id, events[2].kind), (Some(3), EventKind::Pause(PauseKind::Full)));
    assert!(close(events[2].duration, 0.007097));
    assert_heap_mb(events[2], 74, 10, 92);
    let nested: Vec<_> = parsed.events().filter(|e| e.flags.nested_full).map(|e| e.gc_id).collect();
    assert_eq!(nested, [Some(2), Some(6), Some(9)]);
}

#[test]
fn serial_details() {
    let parsed = parse_sample("jdk9-10-ujl-serial/gcviewer/sample-ujl-serial-gc-all,safepoint,os+cpu.txt");
    assert_eq!((parsed.count(PauseKind::Young), parsed.count(PauseKind::Full)), (3, 1));
    let first = parsed.events().next().expect("events");
    assert!(close(first.duration, 0.009814));
    assert_heap_mb(first, 25, 23, 92);
    let full = &parsed.pauses(PauseKind::Full)[0];
    assert!(close(full.duration, 0.006987));
    assert!(close(full.end_uptime(), 0.290));
    let young = by_id(&parsed, 2, EventKind::Pause(PauseKind::Young));
    assert!(young.flags.nested_full);
    assert_eq!((young.young.before, young.young.after), (Some(29459 * K), Some(0)));
    assert_eq!((young.old.before, young.old.after), (Some(47140 * K), Some(10970 * K)));
    assert_eq!(safepoints(&parsed), 4);
}

#[test]
fn serial_jdk24() {
    let parsed = parse_sample("jdk24-ujl-serial/gctoolkit/factorization-serialgc-tip.log");
    assert_eq!(parsed.count(PauseKind::Young), 13);
    let full = parsed.pauses(PauseKind::Full);
    assert_eq!(full.len(), 4);
    assert!(full.iter().all(|e| e.flags.system_gc && e.cause.as_deref() == Some("System.gc()")));
    // 16+ heap form: `DefNew: 3371K(10944K)->0K(11008K) Eden: ...`, `Tenured: 1154K(16384K)->2099K(16384K)`.
    let first = by_id(&parsed, 0, EventKind::Pause(PauseKind::Full));
    assert_eq!(
        (first.young.before, first.young.committed_before, first.young.after, first.young.committed_after),
        (Some(3371 * K), Some(10944 * K), Some(0), Some(11008 * K))
    );
    assert_eq!(
        (first.old.before, first.old.after, first.old.committed_after),
        (Some(1154 * K), Some(2099 * K), Some(16384 * K))
    );
    assert_eq!((first.metaspace.before, first.metaspace.committed_after), (Some(362 * K), Some(512 * K)));
    let young = by_id(&parsed, 2, EventKind::Pause(PauseKind::Young));
    assert!(close(young.duration, 0.264637));
    assert_eq!(
        (young.young.before, young.old.before, young.old.after),
        (Some(1046528 * K), Some(2099 * K), Some(2099 * K))
    );
    let facts = parsed.facts();
    assert_eq!(facts.iter().filter(|f| ***f == Fact::JvmStart).count(), 1);
    assert!(facts.contains(&&Fact::Version("24-internal-adhoc.saint.jdk".to_string())));
    // `Heap Max Capacity: 2G`; this build's `Heap address: ..., size: 4096 MB` is the reserved
    // space, not the maximum, and is not taken while a better statement exists.
    let maxima: Vec<_> = facts.iter().filter(|f| matches!(f, Fact::HeapMax(_))).collect();
    assert_eq!(maxima, [&&Fact::HeapMax(2 << 30)]);
    assert_eq!(safepoints(&parsed), 17);
}

#[test]
fn cms() {
    let parsed = parse_sample("jdk9-10-ujl-cms/gcviewer/sample-ujl-cms-gc-all,safepoint,os+cpu.txt");
    assert_eq!(parsed.count(PauseKind::Young), 7);
    assert_eq!(parsed.count(PauseKind::Full), 2);
    // CMS's own initial mark is no young collection.
    assert_eq!((parsed.count(PauseKind::InitialMark), parsed.count(PauseKind::Remark)), (2, 1));
    let young = by_id(&parsed, 0, EventKind::Pause(PauseKind::Young));
    assert_eq!((young.young.before, young.old.after), (Some(42598 * K), Some(33624 * K)));
    assert!(by_id(&parsed, 4, EventKind::Pause(PauseKind::Young)).flags.nested_full);
    // `[gc,heap,coops] Heap address: 0x00000000f6400000, size: 156 MB, ...`: the maximum heap.
    assert_eq!(parsed.facts(), [&Fact::JvmStart, &Fact::Collector(Collector::Cms), &Fact::HeapMax(156 * M)]);
}

#[test]
fn zgc_cycles_without_pauses() {
    let parsed = parse_sample("jdk11-ujl-zgc/gcviewer/sample-ujl-zgc-gc-default.txt");
    // GCViewer reports these 5 cycles as 5 "STW" pauses; `-Xlog:gc` prints no ZGC pause at all.
    assert_eq!(parsed.events().filter(|e| e.pause_kind().is_some()).count(), 0);
    let cycles: Vec<_> = parsed.events().filter(|e| e.kind == EventKind::Cycle).collect();
    assert_eq!(cycles.len(), 5);
    assert_eq!(
        (cycles[0].heap.before, cycles[0].heap.after, cycles[0].heap.committed_after),
        (Some(106 * M), Some(88 * M), None)
    );
    assert!(close(cycles[1].start.uptime, 2.048), "decimal comma uptime");
    assert!(cycles[4].flags.system_gc);
    assert_eq!(cycles.iter().filter(|e| e.flags.system_gc).count(), 1);
}

#[test]
fn zgc_pauses_stalls_and_live() {
    let parsed = parse_sample("jdk11-ujl-zgc/gcviewer/sample-ujl-zgc-gc-other.txt");
    // GCViewer's 15 "GC" = 1 cycle + 7 allocation + 7 relocation stalls; the real pauses are 3.
    let pauses: Vec<_> = parsed.events().filter(|e| e.pause_kind().is_some()).collect();
    assert_eq!(
        pauses.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [
            EventKind::Pause(PauseKind::InitialMark),
            EventKind::Pause(PauseKind::Remark),
            EventKind::Pause(PauseKind::Other)
        ]
    );
    let total: f64 = pauses.iter().filter_map(|e| e.duration).sum();
    assert!((total - 0.000025).abs() < 1e-12);
    let stalls: Vec<_> = parsed.events().filter(|e| e.kind == EventKind::Stall).collect();
    assert_eq!(stalls.len(), 14);
    assert_eq!(stalls.iter().filter(|e| e.name == "Relocation Stall").count(), 7);
    assert!(close(stalls[0].duration, 0.000706));
    let cycle = parsed.events().find(|e| e.kind == EventKind::Cycle).expect("cycle");
    assert_eq!(cycle.live, Some(1359 * M));
    assert_eq!((cycle.heap.before, cycle.heap.after), (Some(3334 * M), Some(2230 * M)));
    assert_eq!(cycle.cause.as_deref(), Some("Allocation Rate"));
    assert_eq!((cycle.metaspace.after, cycle.metaspace.committed_after), (Some(17 * M), Some(17 * M)));
    // A fragment: the collector comes from content, the heap size from the cycle's table.
    assert_eq!(parsed.facts(), [&Fact::Collector(Collector::Zgc), &Fact::HeapMax(3954 * M)]);
}

#[test]
fn zgc_all() {
    let parsed = parse_sample("jdk11-ujl-zgc/gcviewer/sample-ujl-zgc-gc-all.txt");
    let durations: Vec<_> = parsed.events().filter(|e| e.pause_kind().is_some()).filter_map(|e| e.duration).collect();
    assert_eq!(durations.len(), 3);
    assert!(durations.iter().zip([0.001279, 0.000695, 0.000679]).all(|(a, b)| (a - b).abs() < 1e-12));
    // ZGC's concurrent phases are `[gc,phases]` sub-phases of the cycle, not events.
    assert_eq!(kind_count(&parsed, EventKind::Concurrent), 0);
    assert_eq!(kind_count(&parsed, EventKind::Cycle), 1);
}

#[test]
fn shenandoah_degenerated() {
    let parsed = parse_sample("jdk11-ujl-shenandoah/gcviewer/Sample-ujl-shenandoah-jdk11-PauseDegeneratedGc.txt");
    let degenerated = parsed.pauses(PauseKind::Degenerated);
    assert_eq!(degenerated.len(), 1);
    assert!(close(degenerated[0].duration, 0.011373));
    assert_heap_mb(degenerated[0], 119, 56, 124);
    assert_eq!(safepoints(&parsed), 1);
}

#[test]
fn shenandoah_allocation_failure_full() {
    let parsed = parse_sample("jdk11-ujl-shenandoah/gcviewer/SampleShenandoahAllocationFailure.txt");
    let full = parsed.pauses(PauseKind::Full);
    assert_eq!(full.len(), 1);
    assert!(close(full[0].duration, 14.289335));
    assert_heap_mb(full[0], 7943, 6013, 8192);
    assert!(close(full[0].start.uptime, 43.948 - 14.289335));
}

#[test]
fn shenandoah_several_system_gcs_decimal_comma() {
    let parsed = parse_sample("jdk11-ujl-shenandoah/gcviewer/SampleShenandoahSeveralSystemGC.txt");
    let full = parsed.pauses(PauseKind::Full);
    assert_eq!(full.len(), 438);
    assert!(full.iter().all(|e| e.flags.system_gc));
    assert_heap_mb(full[0], 10, 1, 128);
    assert!(close(full[0].duration, 0.005526));
    assert!(close(full[0].end_uptime(), 1.303));
    // JDK 9-16 safepoint lines with decimal commas (GCViewer's 878 = 438 + 440 of them).
    assert_eq!(safepoints(&parsed), 440);
}

#[test]
fn shenandoah_jdk11_cycle() {
    let parsed = parse_sample("jdk11-ujl-shenandoah/gcviewer/Sample-ujl-shenandoah-jdk11.txt");
    assert_eq!(parsed.count(PauseKind::InitialMark), 1);
    assert_eq!(parsed.count(PauseKind::Remark), 1);
    // Init Update Refs and Final Update Refs.
    assert_eq!(parsed.count(PauseKind::Other), 2);
    let init_mark = &parsed.pauses(PauseKind::InitialMark)[0];
    assert_eq!((init_mark.name.as_str(), init_mark.cause.as_deref()), ("Pause Init Mark", None));
    let cleanups: Vec<_> = parsed.events().filter(|e| e.name == "Concurrent cleanup").collect();
    assert_eq!(
        (cleanups[0].heap.before, cleanups[0].heap.after, cleanups[0].heap.committed_after),
        (Some(504 * M), Some(189 * M), Some(506 * M))
    );
    assert!(close(cleanups[0].duration, 0.000211));
    let facts = parsed.facts();
    assert_eq!(facts[0], &Fact::JvmStart);
    assert!(facts.contains(&&Fact::Collector(Collector::Shenandoah)));
}

#[test]
fn shenandoah_jdk17_init_facts() {
    let parsed = parse_sample("jdk17-ujl-shenandoah/gcviewer/Sample-ujl-shenandoah-jdk17.txt");
    assert_eq!((parsed.count(PauseKind::InitialMark), parsed.count(PauseKind::Remark)), (1, 1));
    assert_eq!(
        parsed.facts(),
        [
            &Fact::JvmStart,
            &Fact::Collector(Collector::Shenandoah),
            &Fact::Version("17.0.4+8".to_string()),
            &Fact::Memory("15808M".to_string()),
            &Fact::HeapInitial(248 * M),
            &Fact::HeapMax(3953 * M),
            &Fact::RegionSize(M)
        ]
    );
}

#[test]
fn shenandoah_large_logs() {
    let parsed = parse_sample("jdk11plus-ujl-shenandoah/gctoolkit/shenandoah.log.2");
    let full = parsed.pauses(PauseKind::Full);
    assert_eq!(full.len(), 1);
    assert_eq!(parsed.count(PauseKind::Degenerated), 5);
    assert!(parsed.facts().contains(&&Fact::Exit));
}
