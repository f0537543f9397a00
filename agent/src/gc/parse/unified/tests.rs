//! Line-level tests of the unified parser; every line is copied from a real sample log.

use super::*;

fn parse(lines: &[&str]) -> (Vec<Record>, Vec<LineClass>, u64) {
    let mut parser = UnifiedParser::new();
    let mut out = Vec::new();
    let classes = lines.iter().map(|line| parser.feed(line, &mut out)).collect();
    let incomplete = parser.finish(&mut out);
    (out, classes, incomplete)
}

fn events(records: &[Record]) -> Vec<&GcEvent> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn facts(records: &[Record]) -> Vec<&Fact> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Fact { fact, .. } => Some(fact),
            _ => None,
        })
        .collect()
}

const K: u64 = 1024;
const M: u64 = 1024 * 1024;

/// `jdk17-ujl-g1/gcviewer/sample-ujl-jdk17-full-concurrent-cycle-g1-gc-all-safepont,os-cpu.txt`, GC(6).
const G1_JDK17_YOUNG: &[&str] = &[
    "[2022-01-29T16:34:51.644+0000][235ms][info][gc,start    ] GC(6) Pause Young (Normal) (G1 Evacuation Pause)",
    "[2022-01-29T16:34:51.645+0000][236ms][info][gc,task     ] GC(6) Using 1 workers of 1 for evacuation",
    "[2022-01-29T16:34:51.649+0000][240ms][info][gc,phases   ] GC(6)   Pre Evacuate Collection Set: 1.0ms",
    "[2022-01-29T16:34:51.652+0000][243ms][info][gc,heap     ] GC(6) Eden regions: 6->0(6)",
    "[2022-01-29T16:34:51.652+0000][243ms][info][gc,heap     ] GC(6) Survivor regions: 1->1(1)",
    "[2022-01-29T16:34:51.652+0000][243ms][info][gc,heap     ] GC(6) Old regions: 7->13",
    "[2022-01-29T16:34:51.653+0000][244ms][info][gc,heap     ] GC(6) Archive regions: 2->2",
    "[2022-01-29T16:34:51.653+0000][244ms][info][gc,heap     ] GC(6) Humongous regions: 0->0",
    "[2022-01-29T16:34:51.654+0000][245ms][info][gc,metaspace] GC(6) Metaspace: 258K(448K)->258K(448K) NonClass: 242K(320K)->242K(320K) Class: 15K(128K)->15K(128K)",
    "[2022-01-29T16:34:51.654+0000][245ms][info][gc          ] GC(6) Pause Young (Normal) (G1 Evacuation Pause) 14M->14M(46M) 9.772ms",
    "[2022-01-29T16:34:51.654+0000][246ms][info][gc,cpu      ] GC(6) User=0.01s Sys=0.00s Real=0.01s",
];

#[test]
fn g1_pause_collects_its_detail_lines() {
    let (records, classes, incomplete) = parse(G1_JDK17_YOUNG);
    use LineClass::{Ignored, Recognized};
    assert_eq!(
        classes,
        [
            Ignored, Ignored, Ignored, Recognized, Recognized, Recognized, Ignored, Recognized, Recognized, Recognized,
            Ignored
        ]
    );
    assert_eq!(incomplete, 0);
    let events = events(&records);
    assert_eq!(events.len(), 1);
    let young = events[0];
    assert_eq!(
        (young.kind, young.gc_id, young.name.as_str()),
        (EventKind::Pause(PauseKind::Young), Some(6), "Pause Young")
    );
    assert_eq!(young.cause.as_deref(), Some("G1 Evacuation Pause"));
    assert_eq!(young.duration, Some(0.009772));
    // The summary is stamped at the end.
    assert_eq!(young.start.wall_ms, Some(1_643_474_091_654 - 10));
    assert!((young.start.uptime.unwrap() - (0.245 - 0.009772)).abs() < 1e-12);
    let regions = young.regions.unwrap();
    assert_eq!((regions.eden_before, regions.eden_after, regions.eden_target), (Some(6), Some(0), Some(6)));
    assert_eq!((regions.old_before, regions.old_after), (Some(7), Some(13)));
    assert_eq!(young.metaspace.committed_before, Some(448 * K));
    assert_eq!(
        (young.heap.before, young.heap.after, young.heap.committed_after),
        (Some(14 * M), Some(14 * M), Some(46 * M))
    );
    // Without `Using G1` (the file starts mid-run) the region lines tell the collector.
    assert_eq!(facts(&records), [&Fact::Collector(Collector::G1)]);
}

#[test]
fn details_wait_for_their_own_id() {
    // `jdk9-10-ujl-serial/gcviewer/sample-ujl-serial-gc-all,safepoint,os+cpu.txt`: the Full GC
    // nested in GC(2) completes first; GC(2)'s details come after it.
    let (records, _, incomplete) = parse(&[
        "[0.283s][info][gc,start     ] GC(2) Pause Young (Allocation Failure)",
        "[0.283s][info][gc,start     ] GC(3) Pause Full (Allocation Failure)",
        "[0.290s][info][gc             ] GC(3) Pause Full (Allocation Failure) 74M->10M(92M) 6.987ms",
        "[0.290s][info][gc,heap        ] GC(2) DefNew: 29459K->0K(29504K)",
        "[0.290s][info][gc,heap        ] GC(2) Tenured: 47140K->10970K(65536K)",
        "[0.290s][info][gc,metaspace   ] GC(2) Metaspace: 3644K->3644K(1056768K)",
        "[0.290s][info][gc             ] GC(2) Pause Young (Allocation Failure) 74M->10M(92M) 7.118ms",
    ]);
    assert_eq!(incomplete, 0);
    let events = events(&records);
    assert_eq!(
        events.iter().map(|e| (e.gc_id, e.kind)).collect::<Vec<_>>(),
        [(Some(3), EventKind::Pause(PauseKind::Full)), (Some(2), EventKind::Pause(PauseKind::Young))]
    );
    assert!(events[0].young.is_empty() && events[0].old.is_empty());
    assert_eq!(
        (events[1].young.before, events[1].young.after, events[1].young.committed_after),
        (Some(29459 * K), Some(0), Some(29504 * K))
    );
    assert_eq!(events[1].old.after, Some(10970 * K));
    assert!(events[1].flags.nested_full && !events[0].flags.nested_full);
    assert_eq!(facts(&records), [&Fact::Collector(Collector::Serial)]);
}

#[test]
fn to_space_exhausted_flags_the_pause_of_its_id() {
    // `jdk9-10-ujl-g1/gcviewer/sample-ujl-g1-gc-defaults.txt`.
    let (records, classes, _) = parse(&[
        "[0.318s][info][gc] GC(11) To-space exhausted",
        "[0.318s][info][gc] GC(11) Pause Young (G1 Evacuation Pause) 119M->121M(128M) 2.739ms",
        "[0.319s][info][gc] GC(6) Pause Remark 121M->121M(128M) 0.837ms",
    ]);
    assert_eq!(classes, [LineClass::Recognized; 3]);
    let events = events(&records);
    assert_eq!(events.len(), 2, "To-space exhausted is no event of its own");
    assert!(events[0].flags.to_space_exhausted);
    assert!(!events[1].flags.to_space_exhausted);
    assert_eq!(events[1].kind, EventKind::Pause(PauseKind::Remark));
}

#[test]
fn initial_mark_is_young_for_g1_and_its_own_kind_for_cms() {
    // `jdk9-10-ujl-g1/gctoolkit/minimal.log` and `jdk9-10-ujl-cms/gcviewer/sample-ujl-cms-gc-all,safepoint,os+cpu.txt`.
    let g1 = "[154.047s][info][gc] GC(2558) Pause Initial Mark (G1 Evacuation Pause) 23M->14M(143M) 3.771ms";
    let cms = "[0.310s][info][gc           ] GC(3) Pause Initial Mark 91M->91M(150M) 0.165ms";
    for (using, line, kind) in [
        (None, g1, PauseKind::Young),
        (None, cms, PauseKind::InitialMark),
        (Some("[0.018s][info][gc] Using G1"), g1, PauseKind::Young),
        (Some("[0.019s][info][gc    ] Using Concurrent Mark Sweep"), cms, PauseKind::InitialMark),
    ] {
        let lines: Vec<&str> = using.into_iter().chain([line]).collect();
        let (records, _, _) = parse(&lines);
        assert_eq!(events(&records)[0].kind, EventKind::Pause(kind), "{lines:?}");
    }
}

#[test]
fn lines_without_level_or_tags_or_any_decoration() {
    // `jdk9-10-ujl-parallel/gcviewer/sample-ujl-parallel-gc-all,safepoint,os+cpu.txt` with the
    // `level,tags` decorators (GCViewer issue 245: Ubuntu's `time,uptime` defaults) and then all
    // decorators (`-Xlog:gc*::none`) left off.
    let decorated = [
        "[0.018s][info][gc    ] Using Parallel",
        "[0.217s][info][gc,heap      ] GC(0) PSYoungGen: 33275K->5090K(38400K)",
        "[0.217s][info][gc,heap      ] GC(0) ParOldGen: 0K->25596K(87552K)",
        "[0.217s][info][gc,metaspace ] GC(0) Metaspace: 3643K->3643K(1056768K)",
        "[0.217s][info][gc           ] GC(0) Pause Young (Allocation Failure) 32M->29M(123M) 8.112ms",
    ];
    let split = |line: &'static str| {
        let (uptime, rest) = line.split_once(']').expect("uptime bracket");
        let message = rest.split_once("] ").expect("tags bracket").1.trim_start();
        (uptime, message)
    };
    let untagged: Vec<String> =
        decorated.iter().map(|l| split(l)).map(|(uptime, message)| format!("{uptime}] {message}")).collect();
    let undecorated: Vec<&str> = decorated.iter().map(|l| split(l).1).collect();
    assert_eq!(untagged[1], "[0.217s] GC(0) PSYoungGen: 33275K->5090K(38400K)");
    assert_eq!(undecorated[4], "GC(0) Pause Young (Allocation Failure) 32M->29M(123M) 8.112ms");

    let untagged: Vec<&str> = untagged.iter().map(String::as_str).collect();
    for (lines, uptime) in
        [(&decorated[..], Some(0.217 - 0.008112)), (&untagged[..], Some(0.217 - 0.008112)), (&undecorated[..], None)]
    {
        let (records, classes, incomplete) = parse(lines);
        assert!(classes.iter().all(|c| *c == LineClass::Recognized), "{lines:?}: {classes:?}");
        assert_eq!(incomplete, 0);
        let young = events(&records)[0];
        assert_eq!(young.start.uptime.map(|u| (u * 1e6).round()), uptime.map(|u: f64| (u * 1e6).round()));
        assert_eq!((young.young.before, young.old.after), (Some(33275 * K), Some(25596 * K)));
        assert_eq!(young.metaspace.after, Some(3643 * K));
        assert_eq!(facts(&records), [&Fact::JvmStart, &Fact::Collector(Collector::Parallel)]);
    }
}

#[test]
fn one_jvm_start_per_start_block() {
    // `jdk17-ujl-shenandoah/gcviewer/Sample-ujl-shenandoah-jdk17.txt`: `Using` then `Version`.
    let start = [
        "[2022-08-17T00:34:03.652+0800][0.003s][info][gc       ] Using Shenandoah",
        "[2022-08-17T00:34:03.652+0800][0.003s][info][gc,init  ] Version: 17.0.4+8 (release)",
        "[2022-08-17T00:34:03.652+0800][0.003s][info][gc,init  ] Heap Max Capacity: 3953M",
    ];
    let cycle = "[2022-08-17T00:34:05.140+0800][1.491s][info][gc          ] GC(0) Concurrent reset 0.601ms";
    let (records, _, _) = parse(&[start[0], start[1], start[2], cycle, start[0], start[1], start[2]]);
    let starts = facts(&records).iter().filter(|f| ***f == Fact::JvmStart).count();
    assert_eq!(starts, 2, "the same lines after a GC belong to a restarted JVM");
    // A JVM that died before its first GC: the second `Using` starts the next one.
    let (records, _, _) = parse(&[start[0], start[0]]);
    assert_eq!(
        facts(&records),
        [
            &Fact::JvmStart,
            &Fact::Collector(Collector::Shenandoah),
            &Fact::JvmStart,
            &Fact::Collector(Collector::Shenandoah)
        ]
    );
    let (records, _, _) = parse(&start);
    assert_eq!(
        facts(&records),
        [
            &Fact::JvmStart,
            &Fact::Collector(Collector::Shenandoah),
            &Fact::Version("17.0.4+8".to_string()),
            &Fact::HeapMax(3953 * M)
        ]
    );
}

#[test]
fn exit_summary_region_size() {
    // `jdk11-ujl-g1/gctoolkit/jdk11_details.log.zip`, last lines.
    let (records, classes, _) = parse(&[
        "[91.378s][info ][gc,heap,exit   ] Heap",
        "[91.378s][info ][gc,heap,exit   ]  garbage-first heap   total 65536K, used 17043K [0x00000007fc000000, 0x0000000800000000)",
        "[91.378s][info ][gc,heap,exit   ]   region size 1024K, 8 young (8192K), 2 survivors (2048K)",
        "[91.378s][info ][gc,heap,exit   ]  Metaspace       used 15938K, capacity 16220K, committed 16896K, reserved 1064960K",
    ]);
    assert_eq!(classes, [LineClass::Recognized, LineClass::Ignored, LineClass::Recognized, LineClass::Ignored]);
    assert_eq!(facts(&records), [&Fact::Exit, &Fact::RegionSize(M)]);
    assert!(
        matches!(records[0], Record::Fact { at: Timestamp { uptime: Some(u), .. }, .. } if (u - 91.378).abs() < 1e-12)
    );
}

#[test]
fn safepoints_of_jdk9_and_jdk17() {
    let (records, classes, _) = parse(&[
        // `jdk11-ujl-shenandoah/gcviewer/SampleShenandoahSingleSystemGC.txt`
        "[1,490s][info][safepoint         ] Total time for which application threads were stopped: 0,0154940 seconds, Stopping threads took: 0,0000221 seconds",
        // `jdk17-ujl-g1/...`
        "[2022-01-29T16:34:51.655+0000][246ms][info][safepoint   ] Safepoint \"G1CollectForAllocation\", Time since last: 1634200 ns, Reaching safepoint: 92800 ns, At safepoint: 11173200 ns, Total: 11266000 ns",
        "[1,474s][info][safepoint         ] Application time: 0,0423040 seconds",
    ]);
    assert_eq!(classes, [LineClass::Recognized, LineClass::Recognized, LineClass::Ignored]);
    let stopped: Vec<f64> = records
        .iter()
        .filter_map(|r| match r {
            Record::Safepoint(s) => Some(s.stopped),
            _ => None,
        })
        .collect();
    assert_eq!(stopped, [0.015494, 0.011266]);
}

/// gctoolkit's `GenerationalZGCParserTest.testZgcMajorCycle` (a JDK 21+ log), abridged.
const GENERATIONAL_ZGC_MAJOR: &[&str] = &[
    "[2025-02-11T13:06:19.476-0800][info][gc          ] GC(1) Major Collection (Metadata GC Threshold)",
    "[2025-02-11T13:06:19.476-0800][info][gc,phases   ] GC(1) Y: Young Generation",
    "[2025-02-11T13:06:19.476-0800][info][gc,phases   ] GC(1) Y: Pause Mark Start (Major) 0.023ms",
    "[2025-02-11T13:06:19.534-0800][info][gc,phases   ] GC(1) Y: Concurrent Mark 57.581ms",
    "[2025-02-11T13:06:19.534-0800][info][gc,phases   ] GC(1) Y: Pause Mark End 0.016ms",
    "[2025-02-11T13:06:19.538-0800][info][gc,phases   ] GC(1) Y: Pause Relocate Start 0.008ms",
    "[2025-02-11T13:06:19.551-0800][info][gc,metaspace] GC(1) Y: Metaspace: 36M used, 37M committed, 1088M reserved",
    "[2025-02-11T13:06:19.551-0800][info][gc,heap     ] GC(1) Y: Max Capacity: 36864M(100%)",
    "[2025-02-11T13:06:19.551-0800][info][gc,heap     ] GC(1) Y:      Live:         -                24M (0%)           24M (0%)           24M (0%)     ",
    "[2025-02-11T13:06:19.551-0800][info][gc,phases   ] GC(1) Y: Young Generation 296M(1%)->76M(0%) 0.075s",
    "[2025-02-11T13:06:19.553-0800][info][gc,phases   ] GC(1) O: Pause Mark End 0.017ms",
    "[2025-02-11T13:06:19.580-0800][info][gc,phases   ] GC(1) O: Pause Relocate Start 0.013ms",
    "[2025-02-11T13:06:19.580-0800][info][gc,heap     ] GC(1) O:      Live:         -                 0M (0%)            0M (0%)            0M (0%)     ",
    "[2025-02-11T13:06:19.580-0800][info][gc,phases   ] GC(1) O: Old Generation 76M(0%)->80M(0%) 0.029s",
    "[2025-02-11T13:06:19.580-0800][info][gc          ] GC(1) Major Collection (Metadata GC Threshold) 296M(1%)->80M(0%) 0.105s",
];

#[test]
fn generational_zgc_major_collection() {
    let (records, _, incomplete) = parse(GENERATIONAL_ZGC_MAJOR);
    assert_eq!(incomplete, 0);
    let events = events(&records);
    let pauses: Vec<(&str, EventKind)> =
        events.iter().filter(|e| e.pause_kind().is_some()).map(|e| (e.name.as_str(), e.kind)).collect();
    assert_eq!(
        pauses,
        [
            ("Y: Pause Mark Start", EventKind::Pause(PauseKind::InitialMark)),
            ("Y: Pause Mark End", EventKind::Pause(PauseKind::Remark)),
            ("Y: Pause Relocate Start", EventKind::Pause(PauseKind::Other)),
            ("O: Pause Mark End", EventKind::Pause(PauseKind::Remark)),
            ("O: Pause Relocate Start", EventKind::Pause(PauseKind::Other)),
        ]
    );
    assert_eq!(events[0].cause, None, "(Major) qualifies the pause");
    let cycle = events.last().expect("cycle");
    assert_eq!(
        (cycle.kind, cycle.name.as_str(), cycle.cause.as_deref()),
        (EventKind::Cycle, "Major Collection", Some("Metadata GC Threshold"))
    );
    assert_eq!(cycle.duration, Some(0.105));
    assert_eq!((cycle.heap.before, cycle.heap.after), (Some(296 * M), Some(80 * M)));
    assert_eq!(cycle.live, Some(24 * M), "old live (0M) plus the young generation's live (24M)");
    assert_eq!((cycle.metaspace.after, cycle.metaspace.committed_after), (Some(36 * M), Some(37 * M)));
    assert_eq!(events.iter().filter(|e| e.kind == EventKind::Concurrent).count(), 0);
    assert_eq!(facts(&records), [&Fact::Collector(Collector::GenerationalZgc), &Fact::HeapMax(36864 * M)]);
}

#[test]
fn pending_details_are_bounded() {
    let mut parser = UnifiedParser::new();
    let mut out = Vec::new();
    // Details whose summaries never come (`jdk11-16-ujl-g1/gctoolkit/gc-no-age-timestamp.log`
    // region lines, ids renumbered).
    for id in 0..100_000u64 {
        let line = format!("[2022-11-10T03:37:32.146-0800][info ][gc,heap      ] GC({id}) Eden regions: 51->0(44)");
        assert_eq!(parser.feed(&line, &mut out), LineClass::Recognized);
        assert!(parser.pending.len() <= MAX_PENDING);
    }
    assert!(!out.iter().any(|r| matches!(r, Record::Event(_))));
    assert_eq!(parser.finish(&mut out), 100_000);
    assert_eq!(parser.finish(&mut out), 0, "finish forgets what it reported");
}

#[test]
fn cut_log_counts_the_started_event() {
    let (records, _, incomplete) = parse(&G1_JDK17_YOUNG[..8]);
    assert!(events(&records).is_empty());
    assert_eq!(incomplete, 1);
}

#[test]
fn classes_of_lines() {
    let cases = [
        (
            "[0.056s][info][os,cpu       ] CPU:total 4 (initial active 4) (2 cores per cpu, 2 threads per core)",
            LineClass::Ignored,
        ),
        (
            "[11.013s][info ][gc,start     ] GC(62) Pause Young (Concurrent Start) (G1 Evacuation Pause)",
            LineClass::Ignored,
        ),
        // The same announcement without tags.
        ("[11.013s] GC(62) Pause Young (Concurrent Start) (G1 Evacuation Pause)", LineClass::Ignored),
        (
            "[2022-08-16T20:38:11.258+0800][1.354s][info][gc           ] Trigger: Metadata GC Threshold",
            LineClass::Ignored,
        ),
        ("[0.200s][info][gc,task      ] GC(0) Using 4 workers of 4 for evacuation", LineClass::Ignored),
        ("[0.217s][info][gc,heap      ] GC(0) PSYoungGen: garbage", LineClass::Unrecognized),
        ("[Times: user=0.08 sys=0.02, real=0.03 secs]", LineClass::Unrecognized),
        ("GC(0) something nobody printed", LineClass::Ignored),
        ("plain text", LineClass::Unrecognized),
    ];
    for (line, class) in cases {
        let mut out = Vec::new();
        assert_eq!(UnifiedParser::new().feed(line, &mut out), class, "{line}");
        assert!(out.is_empty(), "{line}");
    }
}

#[test]
fn never_panics_on_damaged_lines() {
    let mut lines: Vec<&str> = G1_JDK17_YOUNG.iter().chain(GENERATIONAL_ZGC_MAJOR).copied().collect();
    lines.extend([
        "[201.658s][info][gc,heap     ] GC(25)      Live:         -              1359M (34%)        1359M (34%)        1359M (34%)            -                  -",
        "[201.482s][info][gc          ] Allocation Stall (Group1.Backend.CompositeBackend{Tier1}.1) 0.706ms",
        "[1,303s][info][gc                ] GC(0) Pause Full (System.gc()) 10M->1M(128M) 5,526ms",
        "[0.013s][debug][gc,heap] Minimum heap 8388608  Initial heap 268435456  Maximum heap 4294967296",
        "[2022-08-16T11:30:42.842+0800][0.264s][info][gc,init] Initialize Shenandoah heap: 248M initial, 7168K min, 3953M max",
        "[1.221s][info][gc] GC(0) Garbage Collection (Metadata GC Threshold) 10620M(5%)->8800M(4%)",
        "[0.077s][info][safepoint    ] Total time for which application threads were stopped: 0.0000996 seconds, Stopping threads took: 0.0000424 seconds",
    ]);
    let mut parser = UnifiedParser::new();
    let mut out = Vec::new();
    for line in &lines {
        for (end, _) in line.char_indices() {
            parser.feed(&line[..end], &mut out);
            parser.feed(&line[end..], &mut out);
        }
    }
    for garbage in [
        "[",
        "[]",
        "[ ]",
        "GC(",
        "GC(1",
        "GC()",
        "[0.1s][info][gc] GC(1) Pause Young ((((( 1->",
        "[0.1s][gc] Pause Full ))) -> ->",
        "[9999999999999999999999s]",
        "[0.1s][gc] GC(18446744073709551615) Eden regions: 4294967296->0(1)",
        "[0.1s][gc] GC(18446744073709551615) Pause Young (x) 1M->1M(1M) 1ms",
        "[0000-01-01T00:00:00.000+0000][gc] GC(1) Pause Full (x) 1M->1M(1M) 99999999999999999999999s",
        "[0.1s][gc] Safepoint \", Total: ns",
        "[0.1s][gc] Metaspace: K used, ",
    ] {
        parser.feed(garbage, &mut out);
    }
    parser.finish(&mut out);
}

#[test]
fn reserved_heap_stands_in_for_a_missing_maximum() {
    // `jdk11-ujl-g1/gctoolkit/jdk11_details.log.zip`, first lines.
    let start = [
        "[0.016s][info][gc,heap] Heap region size: 1M",
        "[0.018s][info][gc     ] Using G1",
        "[0.018s][info][gc,heap,coops] Heap address: 0x00000007fc000000, size: 64 MB, Compressed Oops mode: Zero based, Oop shift amount: 3",
    ];
    let first_gc =
        "[10.754s][info ][gc           ] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 23M->5M(64M) 5.662ms";
    let (records, classes, _) = parse(&[start[0], start[1], start[2], first_gc]);
    assert_eq!(classes, [LineClass::Recognized; 4]);
    assert_eq!(
        facts(&records),
        [&Fact::JvmStart, &Fact::RegionSize(M), &Fact::Collector(Collector::G1), &Fact::HeapMax(64 * M)]
    );
    // Stamped with the line that stated it, emitted once the start block ends.
    assert!(matches!(records[3], Record::Fact { at: Timestamp { uptime: Some(u), .. }, .. } if u == 0.018));
    assert!(matches!(records[4], Record::Event(_)));
    // A log cut before its first GC still states it.
    let (records, _, _) = parse(&start);
    assert_eq!(facts(&records).last(), Some(&&Fact::HeapMax(64 * M)));
}

#[test]
fn jdk25_exit_summary_is_tagged_gc_exit() {
    // `agent/tests/fixtures/jvm/jdk25-g1/gc.log`, last lines.
    let (records, classes, _) = parse(&[
        "[0.395s][1795576144838ms][info][gc,exit        ] Heap",
        "[0.395s][1795576144838ms][info][gc,exit        ]  garbage-first heap   total reserved 65536K, committed 65536K, used 27403K [0x00000000fc000000, 0x0000000100000000)",
        "[0.395s][1795576144838ms][info][gc,exit        ]   region size 1024K, 2 young (2048K), 0 survivors (0K)",
        "[0.395s][1795576144838ms][info][gc,exit        ]  Metaspace       used 583K, committed 704K, reserved 1114112K",
    ]);
    use LineClass::{Ignored, Recognized};
    assert_eq!(classes, [Recognized, Ignored, Recognized, Ignored]);
    assert_eq!(facts(&records), [&Fact::Exit, &Fact::RegionSize(M)]);
    // `jdk25-shenandoah/gc.log`: the exit lines of other collectors stay ignored.
    let (records, classes, _) = parse(&[
        "[0.801s][23440][info][gc,exit     ] Heap",
        "[0.801s][23440][info][gc,exit     ]  Shenandoah Heap",
        "[0.801s][23440][info][gc,exit     ]   128M max, 128M soft max, 128M committed, 34943K used",
        "[0.801s][23440][info][gc,exit     ]  Status: cancelled",
    ]);
    assert_eq!(classes, [Recognized, Ignored, Ignored, Ignored]);
    assert_eq!(facts(&records), [&Fact::Exit]);
}

#[test]
fn jdk25_safepoint_with_leaving_time_and_thread_counts() {
    // `jdk25-g1-safepoint/gc.log`
    let (records, classes, _) = parse(&[
        "[0.372s][info][safepoint   ] Safepoint \"G1CollectForAllocation\", Time since last: 51232768 ns, Reaching safepoint: 5118 ns, At safepoint: 22473307 ns, Leaving safepoint: 2284 ns, Total: 22480709 ns, Threads: 0 runnable, 10 total",
    ]);
    assert_eq!(classes, [LineClass::Recognized]);
    assert_eq!(records.len(), 1);
    let Record::Safepoint(safepoint) = &records[0] else { panic!("a safepoint: {records:?}") };
    assert_eq!(safepoint.at.uptime, Some(0.372));
    assert!((safepoint.stopped - 0.022480709).abs() < 1e-15);
}

#[test]
fn safepoint_total_must_be_a_whole_field() {
    // The JDK 25 line of `jdk25-g1-safepoint/gc.log`, cut inside and right after its total.
    for cut in [
        "[0.372s][info][safepoint   ] Safepoint \"G1CollectForAllocation\", Time since last: 51232768 ns, Reaching safepoint: 5118 ns, At safepoint: 22473307 ns, Leaving safepoint: 2284 ns, Total: 22480709",
        "[0.372s][info][safepoint   ] Safepoint \"G1CollectForAllocation\", Time since last: 51232768 ns, Reaching safepoint: 5118 ns, At safepoint: 22473307 ns, Leaving safepoint: 2284 ns, Total: 22480709 nsThreads",
    ] {
        let (records, classes, _) = parse(&[cut]);
        assert_eq!(classes, [LineClass::Unrecognized], "{cut}");
        assert!(records.is_empty());
    }
}

/// `jdk25-shenandoah/gc.log`, GC(3) abridged: the cycle's `Metaspace:` comes after its last summary.
const SHENANDOAH_JDK25_CYCLE: &[&str] = &[
    "[0.218s][23477][info][gc,start    ] GC(3) Concurrent reset (unload classes)",
    "[0.218s][23477][info][gc          ] GC(3) Concurrent reset (unload classes) 0.017ms",
    "[0.218s][23521][info][gc,start    ] GC(3) Pause Init Mark (unload classes)",
    "[0.218s][23521][info][gc          ] GC(3) Pause Init Mark (unload classes) 0.017ms",
    "[0.224s][23477][info][gc          ] GC(3) Concurrent marking (unload classes) 5.996ms",
    "[0.224s][23521][info][gc,start    ] GC(3) Pause Final Mark (unload classes)",
    "[0.224s][23521][info][gc          ] GC(3) Pause Final Mark (unload classes) 0.052ms",
    "[0.224s][23477][info][gc          ] GC(3) Concurrent cleanup (unload classes) 65M->35M(128M) 0.016ms",
    "[0.224s][23477][info][gc          ] GC(3) Concurrent reset after collect (unload classes) 0.087ms",
    "[0.225s][23477][info][gc,metaspace] GC(3) Metaspace: 94K(320K)->94K(320K) NonClass: 89K(192K)->89K(192K) Class: 4K(128K)->4K(128K)",
    "[0.225s][23477][info][gc,ergo     ] GC(3) Pacer for Idle. Initial: 2621K, Alloc Tax Rate: 1.0x",
];

#[test]
fn detail_after_the_last_summary_of_its_id_is_no_lost_event() {
    let (records, classes, incomplete) = parse(SHENANDOAH_JDK25_CYCLE);
    assert_eq!(classes[9], LineClass::Recognized);
    assert_eq!(incomplete, 0);
    let pauses: Vec<&str> =
        events(&records).into_iter().filter(|e| e.pause_kind().is_some()).map(|e| e.name.as_str()).collect();
    assert_eq!(pauses, ["Pause Init Mark", "Pause Final Mark"]);

    // Still a lost event when the summary of the detail's id never came (the log cut before it).
    let cut: Vec<&str> = SHENANDOAH_JDK25_CYCLE[..2].iter().chain(&SHENANDOAH_JDK25_CYCLE[9..]).copied().collect();
    let (_, _, incomplete) = parse(&cut);
    assert_eq!(incomplete, 1);
}

#[test]
fn trailing_details_are_bounded_and_forgotten() {
    // One Shenandoah cycle per id, as `jdk25-shenandoah/gc.log` runs them, ids renumbered.
    let mut parser = UnifiedParser::new();
    let mut out = Vec::new();
    for id in 0..1_000u64 {
        for line in [SHENANDOAH_JDK25_CYCLE[3], SHENANDOAH_JDK25_CYCLE[9]] {
            parser.feed(&line.replace("GC(3)", &format!("GC({id})")), &mut out);
        }
        assert!(parser.pending.len() <= 4, "trailing details of finished ids are dropped");
    }
    assert_eq!(parser.finish(&mut out), 0);
}

#[test]
fn summarized_ids_keep_the_newest_few() {
    let mut ids = SummarizedIds::default();
    // G1's cycle GC(8): Remark, young pauses GC(9) and GC(10), then its Cleanup (`jdk25-g1/gc.log`).
    for id in [8, 9, 10, 8] {
        assert_eq!(ids.note(id), None);
    }
    assert_eq!(ids.0, [Some(8), Some(10), Some(9), None]);
    assert_eq!(ids.note(11), None);
    assert_eq!(ids.note(12), Some(9));
    assert!(ids.contains(8) && ids.contains(12) && !ids.contains(9));
}

#[test]
fn jdk25_zgc_max_capacity_is_the_heap_max() {
    // `jdk25-zgc/gc.log`: at start, then under every cycle's id.
    let (records, classes, _) = parse(&[
        "[0.012s][info][gc,init] Max Capacity: 128M",
        "[0.495s][info][gc,heap     ] GC(0) Y: Max Capacity: 128M(100%)",
    ]);
    assert_eq!(classes, [LineClass::Recognized, LineClass::Recognized]);
    let facts = facts(&records);
    assert!(facts.contains(&&Fact::HeapMax(128 * M)), "{facts:?}");
    assert_eq!(facts.iter().filter(|f| matches!(f, Fact::HeapMax(_))).count(), 1, "not repeated");
}
