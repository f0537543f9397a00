//! The per-instance summary fields (RunHours, YGCount, Throughput, ...), defined in
//! `docs/gc-fields.md`.
//!
//! Each field is computed the way the notes define it, not the way GCViewer does: young counts hold
//! only young-generation collections, pause time counts a Full GC nested in a young pause once,
//! the window is the JVM's uptime when the start is in the log, and sizes the
//! log does not tell stay `None` instead of becoming 0.

use serde::Serialize;

use super::GcOptions;
use crate::gc::model::{Collector, EventKind, GcEvent, JvmInstance, LogFormat, MemoryChange, PauseKind, Timestamp};

/// All sizes in bytes, times in seconds; `None` where a field does not apply or the log does not
/// tell (never a made-up 0).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Covered window in hours (RunHours).
    pub run_hours: Option<f64>,
    /// Window bounds in uptime seconds (`None` when the log has wall-clock stamps only).
    pub window_from: Option<f64>,
    pub window_to: Option<f64>,
    /// The window does not start at JVM start (the start lines were not in the files seen, or the
    /// log has wall-clock stamps only, whose span starts at the first stamped line).
    pub window_partial: bool,
    /// First and last wall-clock stamp (Unix ms) of the instance, when the log prints dates.
    pub window_from_wall_ms: Option<i64>,
    pub window_to_wall_ms: Option<i64>,
    /// YGSize: max young generation capacity.
    pub young_size: Option<u64>,
    /// YGUsePC.
    pub young_use_pct: Option<f64>,
    /// OGSize: max old generation capacity (G1: heap committed minus the young target, the
    /// capacity available to old and humongous regions).
    pub old_size: Option<u64>,
    /// OGUsePC.
    pub old_use_pct: Option<f64>,
    /// YGCount: young-generation collections (young + mixed).
    pub young_count: u64,
    /// G1 mixed collections, included in `young_count`.
    pub mixed_count: u64,
    /// YGPerTime: mean young pause.
    pub young_pause_mean: Option<f64>,
    pub young_pause_max: Option<f64>,
    pub young_pause_total: f64,
    /// Stop-the-world pauses that are neither young nor full (remark, cleanup, ...).
    pub other_stw_count: u64,
    pub other_stw_total: f64,
    /// FGCount / FGAllTime.
    pub full_count: u64,
    pub full_pause_total: f64,
    pub full_pause_max: Option<f64>,
    /// Full GCs requested by `System.gc()`/`jcmd GC.run`, included in `full_count`.
    pub system_gc_full_count: u64,
    /// Full collections the log shows only as part of a young pause (JDK 8 promotion-failure
    /// fallbacks), included in `full_count`; their time is part of the young pause.
    pub nested_full_count: u64,
    /// Shenandoah degenerated GCs.
    pub degenerated_count: u64,
    pub degenerated_total: f64,
    /// ZGC/Shenandoah allocation and relocation stalls (per thread, not STW).
    pub stall_count: u64,
    pub stall_total: f64,
    pub concurrent_cycles: u64,
    /// Σ STW: all stop-the-world GC pauses, a Full GC nested inside a young pause counted once.
    pub pause_total: f64,
    /// Throughput: % of the window not in STW GC pauses.
    pub throughput_pct: Option<f64>,
    /// Application stopped time from safepoint lines, when the log has them.
    pub stopped_total: Option<f64>,
    /// AvgPromotion: mean bytes promoted per young collection.
    pub avg_promotion: Option<u64>,
    pub promotion_samples: u64,
    /// Young collections left out of AvgPromotion (promotion failure, to-space exhaustion, nested Full GC).
    pub promotion_excluded: u64,
}

/// Slack for comparing interval ends rebuilt as `(end − duration) + duration`.
const FLOAT_NOISE_S: f64 = 1e-6;

/// Intervals closer than this are one: unified logs print end times to the millisecond, so a
/// Full GC nested in a young pause can appear to start a rounding error before it.
const NESTING_TOLERANCE_S: f64 = 0.001;

pub fn summarize(instance: &JvmInstance, _options: &GcOptions) -> Summary {
    let mut summary = Summary::default();
    let clock = Clock::of(instance);
    fill_window(instance, clock, &mut summary);
    fill_counts(instance, clock, &mut summary);
    fill_pause_total(instance, clock, &mut summary);
    if !instance.facts.collector.is_single_generation() {
        fill_generations(instance, &mut summary);
        fill_promotion(instance, &mut summary);
    }
    if !instance.safepoints.is_empty() {
        summary.stopped_total = Some(instance.safepoints.iter().map(|s| s.stopped).sum());
    }
    summary
}

/// The time axis of an instance: uptime when any line has it, else wall clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Clock {
    Uptime,
    Wall,
    None,
}

impl Clock {
    pub(super) fn of(instance: &JvmInstance) -> Clock {
        let stamps = instance_stamps(instance);
        if stamps.clone().any(|t| t.uptime.is_some()) {
            Clock::Uptime
        } else if stamps.clone().any(|t| t.wall_ms.is_some()) {
            Clock::Wall
        } else {
            Clock::None
        }
    }

    /// A timestamp on this axis, in seconds.
    pub(super) fn seconds(self, at: &Timestamp) -> Option<f64> {
        match self {
            Clock::Uptime => at.uptime,
            Clock::Wall => at.wall_ms.map(|ms| ms as f64 / 1000.0),
            Clock::None => None,
        }
    }
}

fn instance_stamps(instance: &JvmInstance) -> impl Iterator<Item = &Timestamp> + Clone {
    [&instance.first_seen, &instance.last_seen]
        .into_iter()
        .chain(instance.events.iter().map(|e| &e.start))
        .chain(instance.safepoints.iter().map(|s| &s.at))
}

/// Start and end of an event on the clock, when its start is known.
fn interval(clock: Clock, event: &GcEvent) -> Option<(f64, f64)> {
    let start = clock.seconds(&event.start)?;
    Some((start, start + event.duration.unwrap_or(0.0).max(0.0)))
}

fn fill_window(instance: &JvmInstance, clock: Clock, summary: &mut Summary) {
    let walls = instance_stamps(instance).filter_map(|t| t.wall_ms);
    summary.window_from_wall_ms = walls.clone().min();
    summary.window_to_wall_ms = walls
        .chain(instance.events.iter().filter_map(|e| {
            let end_ms = (e.duration.unwrap_or(0.0).max(0.0) * 1000.0).round() as i64;
            e.start.wall_ms.map(|ms| ms.saturating_add(end_ms))
        }))
        .max();

    let points = instance_stamps(instance)
        .filter_map(|t| clock.seconds(t))
        .chain(instance.events.iter().filter_map(|e| interval(clock, e).map(|(_, end)| end)));
    let (first, last) = points.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| (lo.min(t), hi.max(t)));
    if !first.is_finite() || !last.is_finite() {
        return;
    }
    let (from, partial) = match clock {
        // Uptime counts from JVM start, so with the start lines in view the window is the uptime.
        Clock::Uptime if instance.facts.start_seen => (0.0_f64.min(first), false),
        Clock::Uptime => (first, true),
        // Dates mark only the lines that carry them: the span starts at the first such line.
        Clock::Wall => (first, true),
        Clock::None => return,
    };
    summary.window_partial = partial;
    if clock == Clock::Uptime {
        summary.window_from = Some(from);
        summary.window_to = Some(last);
    }
    summary.run_hours = Some((last - from) / 3600.0);
}

fn fill_counts(instance: &JvmInstance, clock: Clock, summary: &mut Summary) {
    let mut full_intervals: Vec<(f64, f64)> = instance
        .events
        .iter()
        .filter(|e| e.pause_kind() == Some(PauseKind::Full))
        .filter_map(|e| interval(clock, e))
        .collect();
    full_intervals.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut young_durations = Vec::new();
    let mut full_max: Option<f64> = None;
    for event in &instance.events {
        let duration = event.duration.unwrap_or(0.0).max(0.0);
        match event.kind {
            EventKind::Pause(kind) if kind.is_young_collection() => {
                summary.young_count += 1;
                if kind == PauseKind::Mixed {
                    summary.mixed_count += 1;
                }
                if let Some(d) = event.duration {
                    young_durations.push(d.max(0.0));
                }
                if event.flags.nested_full && !has_separate_full(&full_intervals, clock, event) {
                    summary.full_count += 1;
                    summary.nested_full_count += 1;
                }
            }
            EventKind::Pause(PauseKind::Full) => {
                summary.full_count += 1;
                summary.full_pause_total += duration;
                if event.duration.is_some() {
                    full_max = Some(full_max.map_or(duration, |m: f64| m.max(duration)));
                }
                if event.flags.system_gc {
                    summary.system_gc_full_count += 1;
                }
            }
            EventKind::Pause(PauseKind::Degenerated) => {
                summary.degenerated_count += 1;
                summary.degenerated_total += duration;
            }
            EventKind::Pause(_) => {
                summary.other_stw_count += 1;
                summary.other_stw_total += duration;
            }
            EventKind::Stall => {
                summary.stall_count += 1;
                summary.stall_total += duration;
            }
            EventKind::Concurrent | EventKind::Cycle => {}
        }
    }
    summary.full_pause_max = full_max;
    summary.young_pause_total = young_durations.iter().sum();
    if !young_durations.is_empty() {
        summary.young_pause_mean = Some(summary.young_pause_total / young_durations.len() as f64);
        summary.young_pause_max = young_durations.iter().copied().reduce(f64::max);
    }
    summary.concurrent_cycles = count_concurrent_cycles(&instance.events);
}

/// Whether the parser logged the Full GC nested in this young pause as its own event (unified
/// logs do: `GC(3) Pause Full` inside `GC(2) Pause Young`), so it is already counted.
/// `full_intervals` are the Full GCs' intervals, sorted by start.
fn has_separate_full(full_intervals: &[(f64, f64)], clock: Clock, young: &GcEvent) -> bool {
    let Some((start, end)) = interval(clock, young) else {
        return false;
    };
    let first = full_intervals.partition_point(|&(s, _)| s < start - NESTING_TOLERANCE_S);
    full_intervals
        .get(first..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&(s, _)| s <= end + NESTING_TOLERANCE_S)
        .any(|&(_, f)| f <= end + NESTING_TOLERANCE_S)
}

/// Concurrent cycles: distinct GC ids among cycle and concurrent-phase events (unified logs give
/// a cycle's phases its id); without ids, ZGC/Shenandoah cycle events one each, and JDK 8 marking
/// phases (`CMS-concurrent-mark`, `GC concurrent-mark-end`) one per cycle.
fn count_concurrent_cycles(events: &[GcEvent]) -> u64 {
    let mut ids: Vec<u64> = Vec::new();
    let mut without_id = 0u64;
    for event in events {
        match (event.kind, event.gc_id) {
            (EventKind::Cycle | EventKind::Concurrent, Some(id)) => ids.push(id),
            (EventKind::Cycle, None) => without_id += 1,
            (EventKind::Concurrent, None) if is_marking_end(&event.name) => without_id += 1,
            _ => {}
        }
    }
    ids.sort_unstable();
    ids.dedup();
    ids.len() as u64 + without_id
}

fn is_marking_end(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("concurrent-mark") && !name.ends_with("-start") && !name.contains("abort")
}

/// Σ STW time, a Full GC nested in a young pause counted once, and throughput over the window.
fn fill_pause_total(instance: &JvmInstance, clock: Clock, summary: &mut Summary) {
    let mut total = 0.0;
    let mut young_intervals = Vec::new();
    let mut full_intervals = Vec::new();
    for event in &instance.events {
        let (Some(kind), Some(duration)) = (event.pause_kind(), event.duration) else { continue };
        total += duration.max(0.0);
        match (kind, interval(clock, event)) {
            (PauseKind::Young | PauseKind::Mixed, Some(iv)) => young_intervals.push(iv),
            (PauseKind::Full, Some(iv)) => full_intervals.push(iv),
            _ => {}
        }
    }
    // A Full GC nested in a young pause (the promotion-failure fallback, logged as two events) is
    // the only nesting HotSpot does: its time is already in the young pause. Any other overlap
    // comes from millisecond end stamps (G1 Cleanup right after a young pause), and both count.
    young_intervals.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (start, end) in full_intervals {
        // Young pauses never overlap each other: only the last one starting before can enclose.
        let candidates = young_intervals.partition_point(|&(s, _)| s <= start + FLOAT_NOISE_S);
        let enclosed = candidates
            .checked_sub(1)
            .and_then(|i| young_intervals.get(i))
            .is_some_and(|&(s, e)| start >= s - FLOAT_NOISE_S && end <= e + FLOAT_NOISE_S);
        if enclosed {
            total -= end - start;
        }
    }
    summary.pause_total = total;

    let window = match clock {
        Clock::Uptime => summary.window_to.zip(summary.window_from).map(|(to, from)| to - from),
        _ => summary.run_hours.map(|h| h * 3600.0),
    };
    summary.throughput_pct = window.and_then(|window| {
        // A fragment whose every second is pause (one event, no start lines) measures nothing.
        let nothing_but_pauses = summary.window_partial && window <= total + FLOAT_NOISE_S;
        (window > 0.0 && !nothing_but_pauses).then(|| 100.0 * (1.0 - total.min(window) / window))
    });
}

/// Young and old capacity and use of one event, in bytes, however the log prints them.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Generations {
    young_capacity: Option<u64>,
    young_used_before: Option<u64>,
    /// Capacity against which `young_used_before` is read.
    young_capacity_in_effect: Option<u64>,
    old_capacity: Option<u64>,
    /// The larger of old used before and after the event.
    pub(super) old_used: Option<u64>,
    /// Old used ÷ the old capacity in effect, before and after the event, whichever is larger.
    old_use_pct: Option<f64>,
}

/// Reads a young/old split from each event. G1 unified logs give region counts only: sizes follow
/// from the region size, or stay unknown.
pub(super) struct GenerationReader {
    pub(super) region_size: Option<u64>,
    /// JDK 8 lines print heap and young in K, so old = heap − young keeps their precision;
    /// unified `[gc]` heap figures are whole MB and must not be mixed with K values.
    derive_old_from_heap: bool,
    /// The young target set by the previous G1 pause: the capacity the next pause fills.
    previous_young_target: Option<u64>,
    /// Capacities after the previous event: the capacities in effect until this one, which logs
    /// printing only `a->b(cap after)` do not repeat (adaptive sizing shrinks them at a GC).
    previous_young_capacity: Option<u64>,
    previous_old_capacity: Option<u64>,
}

impl GenerationReader {
    pub(super) fn new(instance: &JvmInstance) -> Self {
        GenerationReader {
            region_size: instance.facts.region_size.filter(|&s| s > 0),
            derive_old_from_heap: instance.format != Some(LogFormat::Unified),
            previous_young_target: None,
            previous_young_capacity: None,
            previous_old_capacity: None,
        }
    }

    pub(super) fn read(&mut self, event: &GcEvent) -> Generations {
        if event.young.is_empty() && event.old.is_empty() {
            if let Some(regions) = event.regions {
                return self.read_regions(event, &regions);
            }
        }
        let young = &event.young;
        let old = match self.old_from_heap(event) {
            Some(derived) => derived,
            None => event.old,
        };
        let young_in_effect = young.committed_before.or_else(|| inferred_capacity(young, self.previous_young_capacity));
        let old_in_effect = old.committed_before.or_else(|| inferred_capacity(&old, self.previous_old_capacity));
        let ratio = |used: Option<u64>, capacity: Option<u64>| percent(used?, capacity?);
        let old_use_pct = match (ratio(old.before, old_in_effect), ratio(old.after, old.committed_after)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.previous_young_capacity = young.committed_after.or(self.previous_young_capacity);
        self.previous_old_capacity = old.committed_after.or(self.previous_old_capacity);
        Generations {
            young_capacity: young.committed_max(),
            young_used_before: young.before,
            young_capacity_in_effect: young_in_effect,
            old_capacity: old.committed_max(),
            old_used: max_option(old.before, old.after),
            old_use_pct,
        }
    }

    /// Old generation as heap − young, for JDK 8 young-GC lines that print no old detail.
    pub(super) fn old_from_heap(&self, event: &GcEvent) -> Option<MemoryChange> {
        if !self.derive_old_from_heap || !event.old.is_empty() || event.young.is_empty() {
            return None;
        }
        let (heap, young) = (&event.heap, &event.young);
        let minus = |h: Option<u64>, y: Option<u64>| h?.checked_sub(y?);
        let old = MemoryChange {
            before: minus(heap.before, young.before),
            after: minus(heap.after, young.after),
            committed_before: minus(heap.committed_before, young.committed_before),
            committed_after: minus(heap.committed_after, young.committed_after),
        };
        (!old.is_empty()).then_some(old)
    }

    fn read_regions(&mut self, event: &GcEvent, regions: &crate::gc::model::G1Regions) -> Generations {
        let Some(size) = self.region_size else {
            return Generations::default();
        };
        let bytes = |count: u32| u64::from(count) * size;
        let young_target = regions
            .eden_target
            .map(|eden| bytes(eden) + bytes(regions.survivor_target.or(regions.survivor_after).unwrap_or(0)));
        let young_used_before =
            regions.eden_before.map(|eden| bytes(eden) + bytes(regions.survivor_before.unwrap_or(0)));
        let in_effect = self.previous_young_target.or(young_target);
        if young_target.is_some() {
            self.previous_young_target = young_target;
        }
        let old_and_humongous =
            |old: Option<u32>, humongous: Option<u32>| old.map(|o| bytes(o) + bytes(humongous.unwrap_or(0)));
        let old_used = max_option(
            old_and_humongous(regions.old_before, regions.humongous_before),
            old_and_humongous(regions.old_after, regions.humongous_after),
        );
        Generations {
            young_capacity: young_target,
            young_used_before,
            young_capacity_in_effect: in_effect,
            // The capacity available to old and humongous regions: what young does not claim.
            // The capacity available to old and humongous regions: what young does not claim, and
            // at least what they occupied (humongous allocation can outgrow the young target's rest).
            old_capacity: event
                .heap
                .committed_max()
                .zip(young_target)
                .and_then(|(heap, young)| max_option(Some(heap.saturating_sub(young)), old_used)),
            old_used,
            // Read against the largest capacity available to old instead (see `fill_generations`).
            old_use_pct: None,
        }
    }
}

/// The capacity in effect before a GC when the log prints only the one after: the larger of the
/// previous GC's capacity after and this one's.
fn inferred_capacity(area: &MemoryChange, previous_after: Option<u64>) -> Option<u64> {
    max_option(previous_after, area.committed_after)
}

fn max_option(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Use of a generation in percent, at most 100: a generation holding more than the capacity
/// printed had grown past it (Parallel allocating a large array directly in old, G1 letting eden
/// outgrow its target), so it was full.
fn percent(used: u64, capacity: u64) -> Option<f64> {
    (capacity > 0).then(|| (100.0 * used as f64 / capacity as f64).min(100.0))
}

fn fill_generations(instance: &JvmInstance, summary: &mut Summary) {
    let mut reader = GenerationReader::new(instance);
    let g1_regions = instance.facts.collector == Collector::G1;
    let mut old_used_max: Option<u64> = None;
    for event in instance.events.iter().filter(|e| e.pause_kind().is_some()) {
        let generations = reader.read(event);
        summary.young_size = max_option(summary.young_size, generations.young_capacity);
        summary.old_size = max_option(summary.old_size, generations.old_capacity);
        if event.pause_kind().is_some_and(PauseKind::is_young_collection) {
            if let Some(pct) = generations
                .young_used_before
                .zip(generations.young_capacity_in_effect)
                .and_then(|(used, cap)| percent(used, cap))
            {
                summary.young_use_pct = Some(summary.young_use_pct.map_or(pct, |m: f64| m.max(pct)));
            }
        }
        old_used_max = max_option(old_used_max, generations.old_used);
        // Generational collectors print old capacities: compare with the one in effect.
        if let (false, Some(pct)) = (g1_regions && event.regions.is_some(), generations.old_use_pct) {
            summary.old_use_pct = Some(summary.old_use_pct.map_or(pct, |m: f64| m.max(pct)));
        }
    }
    // G1 unified logs print no old capacity: read the fullest old occupancy against the largest
    // capacity available to old.
    if g1_regions && instance.events.iter().any(|e| e.regions.is_some()) {
        if let Some(pct) = old_used_max.zip(summary.old_size).and_then(|(u, c)| percent(u, c)) {
            summary.old_use_pct = Some(summary.old_use_pct.map_or(pct, |m: f64| m.max(pct)));
        }
    }
}

/// Bytes promoted by one young collection, from same-precision figures only.
pub(super) fn promoted(event: &GcEvent, reader: &GenerationReader) -> Option<i64> {
    let delta = |before: u64, after: u64| i64::try_from(after).ok()?.checked_sub(i64::try_from(before).ok()?);
    if let (Some(before), Some(after)) = (event.old.before, event.old.after) {
        return delta(before, after);
    }
    if let (true, Some(regions), Some(size)) = (event.young.is_empty(), event.regions, reader.region_size) {
        if let (Some(before), Some(after)) = (regions.old_before, regions.old_after) {
            return delta(u64::from(before) * size, u64::from(after) * size);
        }
    }
    let old = reader.old_from_heap(event)?;
    delta(old.before?, old.after?)
}

fn fill_promotion(instance: &JvmInstance, summary: &mut Summary) {
    let reader = GenerationReader::new(instance);
    let mut sum: i128 = 0;
    for event in instance.events.iter().filter(|e| e.pause_kind() == Some(PauseKind::Young)) {
        let flags = event.flags;
        if flags.nested_full || flags.promotion_failed || flags.to_space_exhausted {
            summary.promotion_excluded += 1;
            continue;
        }
        if let Some(bytes) = promoted(event, &reader) {
            sum += i128::from(bytes);
            summary.promotion_samples += 1;
        }
    }
    if summary.promotion_samples > 0 {
        // Old gen cannot shrink during a young pause; a negative mean would be a log artefact.
        let mean = (sum as f64 / summary.promotion_samples as f64).round().max(0.0);
        summary.avg_promotion = Some(mean as u64);
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::gc::model::{EventFlags, G1Regions, Safepoint};

    pub const K: u64 = 1024;
    pub const M: u64 = 1024 * 1024;

    /// An event as a parser would emit it for a unified `[gc]` summary line: start = end − duration.
    pub fn pause(kind: PauseKind, name: &str, end: f64, duration_ms: f64) -> GcEvent {
        let duration = duration_ms / 1000.0;
        let mut event = GcEvent::new(EventKind::Pause(kind), name);
        event.start = Timestamp { uptime: Some(end - duration), wall_ms: None };
        event.duration = Some(duration);
        event
    }

    pub fn with_id(mut event: GcEvent, id: u64) -> GcEvent {
        event.gc_id = Some(id);
        event
    }

    pub fn heap_mb(mut event: GcEvent, before: u64, after: u64, committed: u64) -> GcEvent {
        event.heap = MemoryChange {
            before: Some(before * M),
            after: Some(after * M),
            committed_before: None,
            committed_after: Some(committed * M),
        };
        event
    }

    pub fn change_k(before: u64, after: u64, committed: u64) -> MemoryChange {
        MemoryChange {
            before: Some(before * K),
            after: Some(after * K),
            committed_before: None,
            committed_after: Some(committed * K),
        }
    }

    pub fn instance(collector: Collector, format: LogFormat, events: Vec<GcEvent>) -> JvmInstance {
        let mut instance = JvmInstance { format: Some(format), events, ..JvmInstance::default() };
        instance.facts.collector = collector;
        instance.facts.start_seen = true;
        instance.first_seen = Timestamp { uptime: Some(0.0), wall_ms: None };
        instance.last_seen = instance
            .events
            .iter()
            .filter_map(GcEvent::end_uptime)
            .reduce(f64::max)
            .map_or(Timestamp::default(), |t| Timestamp { uptime: Some(t), wall_ms: None });
        instance
    }

    /// `jdk9-10-ujl-g1/gcviewer/sample-ujl-g1-gc-defaults.txt`, line by line.
    #[allow(clippy::approx_constant)] // `0.318` is a log timestamp, not 1/π.
    pub fn g1_gc_defaults() -> JvmInstance {
        use PauseKind::*;
        let events = vec![
            heap_mb(with_id(pause(Young, "Pause Young", 0.202, 6.529), 0), 14, 12, 128),
            // JDK 9-10 `Pause Initial Mark` is a young collection that starts marking.
            heap_mb(with_id(pause(Young, "Pause Initial Mark", 0.295, 6.187), 5), 80, 80, 128),
            with_id(GcEvent::new(EventKind::Concurrent, "Concurrent Cycle"), 6),
            heap_mb(with_id(pause(Young, "Pause Young", 0.314, 2.294), 10), 111, 111, 128),
            exhausted(heap_mb(with_id(pause(Young, "Pause Young", 0.318, 2.739), 11), 119, 121, 128)),
            heap_mb(with_id(pause(Remark, "Pause Remark", 0.319, 0.837), 6), 121, 121, 128),
            exhausted(heap_mb(with_id(pause(Young, "Pause Young", 0.321, 1.052), 12), 128, 125, 128)),
            exhausted(heap_mb(with_id(pause(Young, "Pause Young", 0.322, 0.803), 13), 128, 128, 128)),
            heap_mb(with_id(pause(Full, "Pause Full", 0.337, 14.918), 14), 128, 8, 28),
            heap_mb(with_id(pause(Cleanup, "Pause Cleanup", 0.337, 0.001), 6), 9, 9, 28),
            heap_mb(with_id(pause(Mixed, "Pause Mixed", 0.693, 2.790), 50), 29, 28, 123),
        ];
        let mut instance = instance(Collector::G1, LogFormat::Unified, events);
        // `[0.693s]` is the last line; the concurrent cycle line is at 0.337 s.
        instance.events[2].start = Timestamp { uptime: Some(0.295), wall_ms: None };
        instance
    }

    fn exhausted(mut event: GcEvent) -> GcEvent {
        event.flags = EventFlags { to_space_exhausted: true, ..EventFlags::default() };
        event
    }

    fn regions(eden: (u32, u32, u32), survivor: (u32, u32, u32), old: (u32, u32), humongous: (u32, u32)) -> G1Regions {
        G1Regions {
            eden_before: Some(eden.0),
            eden_after: Some(eden.1),
            eden_target: Some(eden.2),
            survivor_before: Some(survivor.0),
            survivor_after: Some(survivor.1),
            survivor_target: Some(survivor.2),
            old_before: Some(old.0),
            old_after: Some(old.1),
            humongous_before: Some(humongous.0),
            humongous_after: Some(humongous.1),
        }
    }

    /// JDK 11+ G1 pauses with region lines, shaped like `jdk11-ujl-g1/gctoolkit/jdk11_details.log`
    /// (`Eden regions: 9->0(24)`, `Survivor regions: 4->2(2)`, `Old regions: 21->21`).
    pub fn g1_unified_with_regions(region_size: Option<u64>) -> JvmInstance {
        let mut young = heap_mb(pause(PauseKind::Young, "Pause Young", 11.013, 2.849), 47, 32, 64);
        young.regions = Some(regions((15, 0, 24), (2, 4, 4), (28, 30), (2, 2)));
        let mut mixed = heap_mb(pause(PauseKind::Mixed, "Pause Young", 12.0, 1.715), 33, 22, 64);
        mixed.regions = Some(regions((9, 0, 24), (4, 2, 2), (21, 21), (0, 0)));
        let mut instance = instance(Collector::G1, LogFormat::Unified, vec![young, mixed]);
        instance.facts.region_size = region_size;
        instance
    }

    /// `jdk24-ujl-serial/gctoolkit/factorization-serialgc-tip.log`: per GC its `[gc]` end time,
    /// kind, duration (ms), `DefNew:` and `Tenured:` K values `before(cap)->after(cap)`, and the
    /// `Metaspace:` used after (K).
    pub fn serial_factorization() -> JvmInstance {
        use PauseKind::{Full, Young};
        type Gen = (u64, u64, u64, u64);
        #[rustfmt::skip]
        let rows: [(f64, PauseKind, f64, Gen, Gen, u64); 17] = [
            (0.773, Full, 130.148, (3371, 10944, 0, 11008), (1154, 16384, 2099, 16384), 362),
            (1.572, Full, 797.829, (111, 11008, 0, 1048576), (2099, 16384, 2099, 4224), 362),
            (20.947, Young, 264.637, (1046528, 1048576, 26, 1048576), (2099, 4224, 2099, 4224), 390),
            (40.522, Young, 253.541, (1046554, 1048576, 26, 1048576), (2099, 4224, 2099, 4224), 390),
            (60.072, Young, 254.032, (1046554, 1048576, 24, 1048576), (2099, 4224, 2099, 4224), 390),
            (79.669, Young, 283.407, (1046552, 1048576, 24, 1048576), (2099, 4224, 2099, 4224), 390),
            (99.245, Young, 251.994, (1046552, 1048576, 24, 1048576), (2099, 4224, 2099, 4224), 390),
            (118.832, Young, 254.701, (1046552, 1048576, 24, 1048576), (2099, 4224, 2099, 4224), 390),
            (126.530, Full, 1767.228, (333273, 1048576, 0, 944128), (2099, 4224, 2117, 4288), 353),
            (127.103, Full, 356.127, (18749, 944128, 0, 849920), (2117, 4288, 2022, 4096), 353),
            (143.068, Young, 246.441, (847872, 849920, 0, 849920), (2022, 4096, 2022, 4096), 353),
            (159.100, Young, 228.278, (847872, 849920, 0, 849920), (2022, 4096, 2022, 4096), 353),
            (175.142, Young, 247.829, (847872, 849920, 0, 849920), (2022, 4096, 2022, 4096), 353),
            (191.289, Young, 216.085, (847872, 849920, 0, 849920), (2022, 4096, 2022, 4096), 353),
            (207.625, Young, 210.935, (847872, 849920, 0, 849920), (2022, 4096, 2022, 4096), 353),
            (224.063, Young, 209.539, (847872, 849920, 0, 849920), (2022, 4096, 2022, 4096), 353),
            (240.513, Young, 214.446, (847872, 849920, 0, 849920), (2022, 4096, 2022, 4096), 353),
        ];
        let k_change = |(before, cap_before, after, cap_after): Gen| MemoryChange {
            before: Some(before * K),
            after: Some(after * K),
            committed_before: Some(cap_before * K),
            committed_after: Some(cap_after * K),
        };
        let events = rows
            .iter()
            .enumerate()
            .map(|(id, &(end, kind, ms, young, old, metaspace))| {
                let name = if kind == Full { "Pause Full" } else { "Pause Young" };
                let mut event = with_id(pause(kind, name, end, ms), id as u64);
                event.young = k_change(young);
                event.old = k_change(old);
                event.metaspace.after = Some(metaspace * K);
                event.flags.system_gc = kind == Full;
                event
            })
            .collect();
        let mut instance = instance(Collector::Serial, LogFormat::Unified, events);
        instance.facts.heap_max = Some(2_147_483_648);
        instance
    }

    fn summarize_default(instance: &JvmInstance) -> Summary {
        summarize(instance, &GcOptions::default())
    }

    #[test]
    fn g1_gc_defaults_matches_the_reference_values() {
        let summary = summarize_default(&g1_gc_defaults());
        // Notes §6: YGCount 7 (GCViewer: 12), OtherSTW 2, one Full GC of 14.918 ms.
        assert_eq!(summary.young_count, 7);
        assert_eq!(summary.other_stw_count, 2);
        assert_eq!(summary.full_count, 1);
        assert!((summary.full_pause_total - 0.014918).abs() < 1e-9);
        assert_eq!(summary.window_from, Some(0.0));
        assert_eq!(summary.window_to, Some(0.693));
        assert!(!summary.window_partial);
        // Σ STW 0.038150 s; the millisecond end stamps let Cleanup touch the Full GC by 1 µs.
        assert!((summary.pause_total - 0.038150).abs() < 2e-6, "{}", summary.pause_total);
        let throughput = summary.throughput_pct.expect("window known");
        assert!((throughput - 94.49).abs() < 0.01, "{throughput}");
        assert_eq!(summary.concurrent_cycles, 1);
        // Three pauses exhausted to-space: left out of AvgPromotion, which needs region lines.
        assert_eq!(summary.promotion_excluded, 3);
        assert_eq!(summary.avg_promotion, None);
    }

    #[test]
    fn g1_sizes_come_from_regions_and_stay_unknown_without_region_size() {
        let unknown = summarize_default(&g1_unified_with_regions(None));
        assert_eq!((unknown.young_size, unknown.old_size), (None, None));
        assert_eq!((unknown.young_use_pct, unknown.old_use_pct), (None, None));
        assert_eq!(unknown.avg_promotion, None);
        assert_eq!(unknown.young_count, 2);

        let known = summarize_default(&g1_unified_with_regions(Some(M)));
        // Young targets (24 + 4) and (24 + 2) regions.
        assert_eq!(known.young_size, Some(28 * M));
        // Old capacity = heap committed 64 MB − young target 26 MB (second event: 38 MB) or 36 MB.
        assert_eq!(known.old_size, Some(38 * M));
        // Fullest old + humongous: 30 + 2 regions against 38 MB.
        let old_pct = known.old_use_pct.expect("sizes known");
        assert!((old_pct - 100.0 * 32.0 / 38.0).abs() < 1e-9);
        // First young: 15 + 2 regions before, against its own 28-region target (no earlier one).
        let young_pct = known.young_use_pct.expect("sizes known");
        assert!((young_pct - 100.0 * 17.0 / 28.0).abs() < 1e-9, "{young_pct}");
        // AvgPromotion counts young (non-mixed) pauses only: 28 → 30 old regions.
        assert_eq!((known.avg_promotion, known.promotion_samples), (Some(2 * M), 1));
    }

    /// `jdk9-15-ujl-parallel/gctoolkit/parallelgc.log` style: `[gc]` whole MB, `[gc,heap]` in K.
    #[test]
    fn unified_parallel_promotion_uses_the_old_gen_k_values() {
        let mut young = heap_mb(pause(PauseKind::Young, "Pause Young", 10.026, 5.423), 16, 4, 61);
        young.young = change_k(16384, 2559, 18944);
        young.old = change_k(0, 2121, 44032);
        let mut full = heap_mb(pause(PauseKind::Full, "Pause Full", 12.0, 14.092), 55, 7, 42);
        full.young = change_k(2559, 0, 18944);
        full.old = change_k(52000, 7000, 44032);
        let summary = summarize_default(&instance(Collector::Parallel, LogFormat::Unified, vec![young, full]));
        assert_eq!(summary.avg_promotion, Some(2121 * K));
        assert_eq!(summary.young_size, Some(18944 * K));
        assert_eq!(summary.old_size, Some(44032 * K));
        let young_pct = summary.young_use_pct.expect("young detail");
        assert!((young_pct - 100.0 * 16384.0 / 18944.0).abs() < 1e-9);
        // 52000 K used before the Full GC, above every capacity printed: old grew between GCs, so
        // it was full.
        assert_eq!(summary.old_use_pct, Some(100.0));
    }

    /// JDK 8 ParNew line of GCViewer's `SummaryDataWriterTest.testWriteWithPromotion`:
    /// `ParNew: 13056K->1408K(14720K)` inside `131480K->122757K(...)` → 2925 K promoted.
    #[test]
    fn jdk8_young_gc_promotion_and_old_capacity_come_from_heap_minus_young() {
        let mut young = pause(PauseKind::Young, "GC", 1.0, 10.0);
        young.young = change_k(13056, 1408, 14720);
        young.heap = change_k(131480, 122757, 506816);
        let summary = summarize_default(&instance(Collector::Cms, LogFormat::Jdk8, vec![young]));
        assert_eq!(summary.avg_promotion, Some(2925 * K));
        assert_eq!(summary.old_size, Some((506816 - 14720) * K));
        let old_pct = summary.old_use_pct.expect("derived");
        assert!((old_pct - 100.0 * (122757.0 - 1408.0) / (506816.0 - 14720.0)).abs() < 1e-9);
    }

    /// `jdk9-10-ujl-serial/gcviewer/sample-ujl-serial-gc-all,safepoint,os+cpu.txt`: `GC(3) Pause
    /// Full … 6.987ms` and `GC(2) Pause Young … 7.118ms` both end at 0.290 s.
    #[test]
    fn nested_full_inside_young_is_counted_once_and_its_time_once() {
        let young0 = pause(PauseKind::Young, "Pause Young", 0.202, 9.814);
        let young1 = pause(PauseKind::Young, "Pause Young", 0.215, 10.926);
        let full = with_id(pause(PauseKind::Full, "Pause Full", 0.290, 6.987), 3);
        let mut young2 = with_id(pause(PauseKind::Young, "Pause Young", 0.290, 7.118), 2);
        young2.flags.nested_full = true;
        let summary =
            summarize_default(&instance(Collector::Serial, LogFormat::Unified, vec![young0, young1, full, young2]));
        assert_eq!(summary.full_count, 1);
        assert_eq!(summary.nested_full_count, 0);
        assert_eq!(summary.young_count, 3);
        assert!((summary.pause_total - (9.814 + 10.926 + 7.118) / 1000.0).abs() < 1e-9);
        assert_eq!(summary.promotion_excluded, 1);
    }

    #[test]
    fn jdk8_promotion_failure_with_only_a_flag_counts_a_full_gc() {
        let mut young = pause(PauseKind::Young, "GC", 5.0, 120.0);
        young.flags = EventFlags { promotion_failed: true, nested_full: true, ..EventFlags::default() };
        let summary = summarize_default(&instance(Collector::Serial, LogFormat::Jdk8, vec![young]));
        assert_eq!((summary.young_count, summary.full_count, summary.nested_full_count), (1, 1, 1));
        assert_eq!(summary.full_pause_total, 0.0);
        assert_eq!(summary.promotion_excluded, 1);
    }

    #[test]
    fn no_events_leaves_counts_zero_and_ratios_unknown() {
        let summary = summarize_default(&JvmInstance::default());
        assert_eq!(summary.run_hours, None);
        assert_eq!(summary.throughput_pct, None);
        assert_eq!(summary.young_count, 0);
        assert_eq!(summary.young_pause_mean, None);
        assert_eq!(summary.stopped_total, None);
    }

    #[test]
    fn one_event_fragment_has_no_throughput_but_a_whole_run_has() {
        let event = pause(PauseKind::Young, "Pause Young", 100.0, 10.0);
        let mut fragment = instance(Collector::Serial, LogFormat::Unified, vec![event]);
        fragment.facts.start_seen = false;
        fragment.first_seen = fragment.events[0].start;
        let summary = summarize_default(&fragment);
        assert!(summary.window_partial);
        assert_eq!(summary.throughput_pct, None);
        assert!((summary.run_hours.expect("stamped") * 3600.0 - 0.01).abs() < 1e-9);

        fragment.facts.start_seen = true;
        let whole = summarize_default(&fragment);
        assert!((whole.throughput_pct.expect("window") - 99.99).abs() < 1e-9);
    }

    #[test]
    fn no_timestamps_means_no_window_but_pause_sums() {
        let mut event = GcEvent::new(EventKind::Pause(PauseKind::Young), "GC");
        event.duration = Some(0.25);
        let instance = JvmInstance { events: vec![event.clone(), event], ..JvmInstance::default() };
        let summary = summarize_default(&instance);
        assert_eq!((summary.run_hours, summary.throughput_pct), (None, None));
        assert_eq!(summary.young_count, 2);
        assert_eq!(summary.young_pause_mean, Some(0.25));
        assert_eq!(summary.pause_total, 0.5);
    }

    #[test]
    fn wall_clock_only_logs_use_the_date_span() {
        let at = |wall_ms| Timestamp { uptime: None, wall_ms: Some(wall_ms) };
        let mut first = GcEvent::new(EventKind::Pause(PauseKind::Young), "GC");
        first.start = at(1_437_572_022_655);
        first.duration = Some(0.5);
        let mut last = first.clone();
        last.start = at(1_437_572_022_655 + 3_600_000);
        let instance = JvmInstance {
            first_seen: first.start,
            last_seen: last.start,
            events: vec![first, last],
            ..JvmInstance::default()
        };
        let summary = summarize_default(&instance);
        assert!(summary.window_partial);
        assert_eq!(summary.window_from, None);
        assert!((summary.run_hours.expect("dates") - 3600.5 / 3600.0).abs() < 1e-9);
        assert!((summary.throughput_pct.expect("dates") - 100.0 * (1.0 - 1.0 / 3600.5)).abs() < 1e-9);
    }

    #[test]
    fn partial_window_starts_at_first_line() {
        let mut instance =
            instance(Collector::Serial, LogFormat::Unified, vec![pause(PauseKind::Young, "Pause Young", 200.0, 100.0)]);
        instance.facts.start_seen = false;
        instance.first_seen = Timestamp { uptime: Some(100.0), wall_ms: None };
        let summary = summarize_default(&instance);
        assert_eq!((summary.window_from, summary.window_to), (Some(100.0), Some(200.0)));
        assert!((summary.throughput_pct.expect("window") - 99.9).abs() < 1e-9);
    }

    #[test]
    fn single_generation_collectors_have_no_generation_fields() {
        let mut cycle = heap_mb(GcEvent::new(EventKind::Cycle, "Garbage Collection"), 10620, 8800, 16384);
        cycle.gc_id = Some(0);
        cycle.old = change_k(1, 2, 3);
        let mut stall = GcEvent::new(EventKind::Stall, "Allocation Stall");
        stall.duration = Some(0.000706);
        let mark_start = with_id(pause(PauseKind::InitialMark, "Pause Mark Start", 1.0, 0.008), 0);
        let summary = summarize_default(&instance(Collector::Zgc, LogFormat::Unified, vec![cycle, stall, mark_start]));
        assert_eq!((summary.young_size, summary.old_size, summary.avg_promotion), (None, None, None));
        assert_eq!((summary.young_count, summary.other_stw_count, summary.stall_count), (0, 1, 1));
        assert_eq!(summary.concurrent_cycles, 1);
        assert!((summary.pause_total - 0.000008).abs() < 1e-12);
    }

    #[test]
    fn shenandoah_degenerated_is_its_own_counter_and_stops_the_world() {
        let degenerated = heap_mb(pause(PauseKind::Degenerated, "Pause Degenerated GC", 10.0, 11.373), 119, 56, 124);
        let summary = summarize_default(&instance(Collector::Shenandoah, LogFormat::Unified, vec![degenerated]));
        assert_eq!((summary.degenerated_count, summary.full_count, summary.other_stw_count), (1, 0, 0));
        assert!((summary.pause_total - 0.011373).abs() < 1e-12);
    }

    #[test]
    fn system_gc_full_gcs_are_full_gcs() {
        let mut full = pause(PauseKind::Full, "Pause Full", 1.303, 5.526);
        full.flags.system_gc = true;
        let summary = summarize_default(&instance(Collector::Shenandoah, LogFormat::Unified, vec![full]));
        assert_eq!((summary.full_count, summary.system_gc_full_count), (1, 1));
        assert_eq!(summary.full_pause_max, Some(0.005526));
    }

    #[test]
    fn stopped_time_is_reported_only_with_safepoint_lines() {
        let mut instance =
            instance(Collector::Serial, LogFormat::Unified, vec![pause(PauseKind::Young, "Pause Young", 0.2, 9.814)]);
        assert_eq!(summarize_default(&instance).stopped_total, None);
        instance.safepoints = vec![
            Safepoint { at: Timestamp { uptime: Some(0.077), wall_ms: None }, stopped: 0.0000996 },
            Safepoint { at: Timestamp { uptime: Some(0.2), wall_ms: None }, stopped: 0.0099 },
        ];
        let stopped = summarize_default(&instance).stopped_total.expect("safepoints");
        assert!((stopped - 0.0099996).abs() < 1e-12);
    }

    #[test]
    fn jdk8_concurrent_phases_count_one_cycle_per_marking() {
        let names =
            ["CMS-concurrent-mark-start", "CMS-concurrent-mark", "CMS-concurrent-sweep", "GC concurrent-mark-end"];
        let events = names.iter().map(|n| GcEvent::new(EventKind::Concurrent, *n)).collect();
        let summary = summarize_default(&instance(Collector::Cms, LogFormat::Jdk8, events));
        assert_eq!(summary.concurrent_cycles, 2);
    }

    /// Notes §6 reference row: YGCount 13, FGCount 4 / 3.051332 s, Σ STW 6.187197 s over
    /// 0-240.513 s, Throughput 97.43 %, AvgPromotion 0 (GCViewer: −1 890 B).
    #[test]
    fn serial_factorization_matches_the_reference_values() {
        let summary = summarize_default(&serial_factorization());
        assert_eq!((summary.young_count, summary.full_count, summary.system_gc_full_count), (13, 4, 4));
        assert!((summary.full_pause_total - 3.051332).abs() < 1e-9);
        assert!((summary.pause_total - 6.187197).abs() < 1e-9, "{}", summary.pause_total);
        assert_eq!(summary.window_to, Some(240.513));
        let throughput = summary.throughput_pct.expect("window");
        assert!((throughput - 97.43).abs() < 0.005, "{throughput}");
        assert_eq!((summary.avg_promotion, summary.promotion_samples), (Some(0), 13));
        assert_eq!(summary.young_size, Some(1048576 * K));
        assert_eq!(summary.old_size, Some(16384 * K));
        let young_pct = summary.young_use_pct.expect("young detail");
        assert!((young_pct - 100.0 * 1046554.0 / 1048576.0).abs() < 1e-9);
        assert!((summary.run_hours.expect("uptime") - 240.513 / 3600.0).abs() < 1e-12);
    }

    /// `parallelgc.log` GC(5): `PSYoungGen: 18269K->2214K(11776K)`: adaptive sizing shrank young at
    /// this GC; the 18269 K filled the capacity set at the previous GC, not the 11776 K after.
    #[test]
    fn use_is_read_against_the_capacity_in_effect_before_a_shrink() {
        let mut first = pause(PauseKind::Young, "Pause Young", 10.0, 5.0);
        first.young = change_k(16384, 2559, 18944);
        first.old = change_k(0, 2121, 44032);
        let mut shrunk = pause(PauseKind::Young, "Pause Young", 10.055, 5.0);
        shrunk.young = change_k(18269, 2214, 11776);
        shrunk.old = change_k(2121, 4000, 44032);
        let mut full = pause(PauseKind::Full, "Pause Full", 10.130, 14.0);
        full.old = change_k(42920, 7823, 26624);
        let summary = summarize_default(&instance(Collector::Parallel, LogFormat::Unified, vec![first, shrunk, full]));
        let young_pct = summary.young_use_pct.expect("young detail");
        assert!((young_pct - 100.0 * 18269.0 / 18944.0).abs() < 1e-9, "{young_pct}");
        let old_pct = summary.old_use_pct.expect("old detail");
        assert!((old_pct - 100.0 * 42920.0 / 44032.0).abs() < 1e-9, "{old_pct}");
    }

    /// `parallelgc.log` GC(117) `Pause Young … 0.694ms` and GC(118) `Pause Full … 8.190ms` end at
    /// 10.324 s and 10.332 s: millisecond stamps make the Full GC seem to start 0.19 ms early.
    #[test]
    fn pauses_that_overlap_only_by_rounding_both_count() {
        let young = pause(PauseKind::Young, "Pause Young", 10.324, 0.694);
        let full = pause(PauseKind::Full, "Pause Full", 10.332, 8.190);
        let summary = summarize_default(&instance(Collector::Parallel, LogFormat::Unified, vec![young, full]));
        assert!((summary.pause_total - 0.008884).abs() < 1e-9, "{}", summary.pause_total);
    }

    /// `jdk11_details.log`: GC(265) `Pause Cleanup` (0.091 ms) ends in the same millisecond as GC(270)
    /// `Pause Young` (1.564 ms); a Cleanup never runs inside a young pause, so both count.
    #[test]
    fn only_a_full_gc_can_nest_in_a_young_pause() {
        let young = pause(PauseKind::Young, "Pause Young", 20.0, 1.564);
        let cleanup = pause(PauseKind::Cleanup, "Pause Cleanup", 20.0, 0.091);
        let summary = summarize_default(&instance(Collector::G1, LogFormat::Unified, vec![cleanup, young]));
        assert!((summary.pause_total - 0.001655).abs() < 1e-9, "{}", summary.pause_total);
    }

    /// `jdk7-8-g1/gctoolkit/g1.details.cause.log`: `[Eden: 111.0M(18.0M)->0.0B(350.0M) Survivors:
    /// 7168.0K->4096.0K Heap: 171.9M(503.0M)->81.0M(608.0M)]`: eden outgrew its target, so it was full.
    #[test]
    fn use_above_the_printed_capacity_reads_as_full() {
        let mut young = pause(PauseKind::Young, "GC pause", 30.0, 50.0);
        young.young = MemoryChange {
            before: Some((111 * 1024 + 7168) * K),
            after: Some(4096 * K),
            committed_before: Some((18 * 1024 + 7168) * K),
            committed_after: Some((350 * 1024 + 4096) * K),
        };
        young.heap = MemoryChange {
            before: Some(176_026 * K),
            after: Some(81 * M),
            committed_before: Some(503 * M),
            committed_after: Some(608 * M),
        };
        let summary = summarize_default(&instance(Collector::G1, LogFormat::Jdk8, vec![young]));
        assert_eq!(summary.young_use_pct, Some(100.0));
    }
}
