//! The two charts of each instance: heap after GC over time, and pause times.
//!
//! People read GC behaviour from pictures: a rising floor of heap-after-GC is a leak, a flat one a
//! stable live set, and a pause chart shows at once whether the long pauses are Full GCs. Each
//! chart is one inline `<svg class="chart chart-…">` whose elements carry stable classes
//! (`series-heap`, `dots-young`, `point-full`, ...) that the page's stylesheet colours and tests
//! find. Series are downsampled to [`MAX_POINTS`] points, keeping extremes and every Full GC
//! marker, so a week-long log still gives a small page.

use std::fmt::Write;

use super::escape;
use super::svg::{
    decade_ticks, dots_path, downsample, keep_changes, linear_tick_labels, nice_ceiling, nice_ticks, polyline_points,
    step_points, tick_label, Frame, Scale,
};
use crate::gc::model::{EventKind, GcEvent, PauseKind};
use crate::report::{format_wall_ms, human_duration, human_mib, mib, InstanceReport};

/// Most points drawn per series: about two per horizontal pixel of a wide screen.
pub const MAX_POINTS: usize = 2000;

/// Markers with a hover text (`<title>`) per chart: every Full GC up to this many.
const MAX_MARKERS: usize = 500;

/// Series with at most this many points also get a dot per point.
const SPARSE_POINTS: usize = 200;

/// The longest pauses get their own hoverable marker.
const TOP_PAUSES: usize = 10;

const FRAME: Frame = Frame { width: 960.0, height: 300.0, left: 68.0, right: 16.0, top: 14.0, bottom: 42.0 };

/// Pause chart switches to a log scale when the longest pause is this many times the median.
const LOG_SCALE_RATIO: f64 = 50.0;

/// What the x axis measures: JVM uptime where the log has it, else wall clock, else event order.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Timeline {
    Uptime,
    WallClock,
    EventIndex,
}

/// The x axis shared by both charts of an instance.
struct TimeAxis {
    timeline: Timeline,
    min: f64,
    max: f64,
    /// Seconds (uptime) or milliseconds (wall clock) per axis unit; 1 for event order.
    unit: f64,
    unit_name: &'static str,
}

impl TimeAxis {
    fn for_report(report: &InstanceReport) -> Self {
        let events = &report.jvm.events;
        let timeline = if events.iter().any(|e| e.start.uptime.is_some()) {
            Timeline::Uptime
        } else if events.iter().any(|e| e.start.wall_ms.is_some()) {
            Timeline::WallClock
        } else {
            Timeline::EventIndex
        };
        let xs = events.iter().enumerate().filter_map(|(i, e)| x_of(timeline, e, i));
        let (mut min, mut max) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| (lo.min(x), hi.max(x)));
        if timeline == Timeline::Uptime {
            // Show the whole analysed window, not only the span between the first and last GC.
            let summary = &report.analysis.summary;
            min = summary.window_from.map_or(min, |from| from.min(min));
            max = summary.window_to.map_or(max, |to| to.max(max));
        }
        if !(min.is_finite() && max.is_finite()) {
            (min, max) = (0.0, 1.0);
        }
        if max <= min {
            max = min + 1.0;
        }
        let span = max - min;
        let (unit, unit_name) = match timeline {
            Timeline::EventIndex => (1.0, "GC event #"),
            Timeline::Uptime | Timeline::WallClock => {
                let per_second = if timeline == Timeline::WallClock { 1000.0 } else { 1.0 };
                let seconds = span / per_second;
                let (unit, name) = if seconds <= 180.0 {
                    (1.0, "s")
                } else if seconds <= 3.0 * 3600.0 {
                    (60.0, "min")
                } else if seconds <= 4.0 * 86_400.0 {
                    (3600.0, "h")
                } else {
                    (86_400.0, "d")
                };
                (unit * per_second, name)
            }
        };
        TimeAxis { timeline, min, max, unit, unit_name }
    }

    fn scale(&self) -> Scale {
        Scale::linear(self.min, self.max, FRAME.plot_left(), FRAME.plot_right())
    }

    fn x(&self, event: &GcEvent, index: usize) -> Option<f64> {
        x_of(self.timeline, event, index)
    }

    fn title(&self) -> String {
        match self.timeline {
            Timeline::Uptime => format!("JVM uptime ({})", self.unit_name),
            Timeline::WallClock => "Wall clock (UTC)".to_string(),
            Timeline::EventIndex => "GC event (the log has no timestamps)".to_string(),
        }
    }

    fn ticks(&self) -> Vec<(f64, String)> {
        let ticks = nice_ticks(self.min / self.unit, self.max / self.unit, 8);
        let step = match ticks.as_slice() {
            [first, second, ..] => (second - first) * self.unit,
            _ => self.unit,
        };
        linear_tick_labels(&ticks)
            .into_iter()
            .map(|(t, label)| {
                let value = t * self.unit;
                match self.timeline {
                    Timeline::WallClock => (value, wall_label(value as i64, step, self.max - self.min)),
                    _ => (value, label),
                }
            })
            .collect()
    }

    /// When an event happened, for a marker's hover text.
    fn describe(&self, x: f64) -> String {
        match self.timeline {
            Timeline::Uptime => format!("uptime {}", human_duration(x)),
            Timeline::WallClock => format_wall_ms(x as i64),
            Timeline::EventIndex => format!("event #{}", x as u64 + 1),
        }
    }
}

fn x_of(timeline: Timeline, event: &GcEvent, index: usize) -> Option<f64> {
    match timeline {
        Timeline::Uptime => event.start.uptime.filter(|x| x.is_finite()),
        Timeline::WallClock => event.start.wall_ms.map(|ms| ms as f64),
        Timeline::EventIndex => Some(index as f64),
    }
}

/// A wall-clock tick with the precision its step needs: `HH:MM`, `HH:MM:SS` or `HH:MM:SS.mmm`
/// within a day, `MM-DD HH:MM` over longer spans.
fn wall_label(ms: i64, step_ms: f64, span_ms: f64) -> String {
    let iso = format_wall_ms(ms); // 2026-11-25T02:35:56.123Z
    let range = if span_ms > 86_400_000.0 {
        5..16
    } else if step_ms < 1000.0 {
        11..23
    } else if step_ms < 60_000.0 {
        11..19
    } else {
        11..16
    };
    iso.get(range).unwrap_or(&iso).replace('T', " ")
}

/// Events whose heap change says what survived a collection: pauses, whole cycles, and the
/// concurrent phases that print one (Shenandoah's `Concurrent cleanup`). Stalls are per thread.
fn is_collection(event: &GcEvent) -> bool {
    !matches!(event.kind, EventKind::Stall)
}

/// Old generation used after the event: printed bytes, else G1 regions × region size.
fn old_after(event: &GcEvent, region_size: Option<u64>) -> Option<u64> {
    event.old.after.or_else(|| {
        let regions = event.regions?;
        let old = u64::from(regions.old_after?) + u64::from(regions.humongous_after.unwrap_or(0));
        old.checked_mul(region_size?)
    })
}

fn sort_by_x(points: &mut [(f64, f64)]) {
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
}

/// Chart 1: heap used after each GC, old gen after where known, committed heap, Full GCs marked,
/// and the live-set estimate M as a reference line.
pub fn heap_chart(report: &InstanceReport) -> String {
    let axis = TimeAxis::for_report(report);
    let region_size = report.jvm.facts.region_size;
    let mut heap = Vec::new();
    let mut old = Vec::new();
    let mut committed = Vec::new();
    let mut fulls: Vec<(f64, &GcEvent)> = Vec::new();
    for (i, event) in report.jvm.events.iter().enumerate() {
        let Some(x) = axis.x(event, i).filter(|_| is_collection(event)) else { continue };
        if let Some(after) = event.heap.after {
            heap.push((x, mib(after)));
            if event.pause_kind() == Some(PauseKind::Full) {
                fulls.push((x, event));
            }
        }
        if let Some(after) = old_after(event, region_size) {
            old.push((x, mib(after)));
        }
        if let Some(capacity) = event.heap.committed_after.or(event.heap.committed_max()) {
            committed.push((x, mib(capacity)));
        }
    }
    for series in [&mut heap, &mut old, &mut committed] {
        sort_by_x(series);
    }
    let live_set = report.analysis.live_set.bytes;

    let data_max = heap.iter().chain(&old).chain(&committed).map(|p| p.1).fold(0.0, f64::max);
    let y_max = nice_ceiling(data_max.max(live_set.map_or(0.0, mib)) * 1.02, 6);
    let x_scale = axis.scale();
    let y_scale = Scale::linear(0.0, y_max, FRAME.plot_bottom(), FRAME.plot_top());
    let project = |points: Vec<(f64, f64)>| -> Vec<(f64, f64)> {
        points.into_iter().map(|(x, y)| (x_scale.map(x), y_scale.map(y))).collect()
    };

    let mut svg = open_svg("chart-heap", "Heap after GC over time");
    if heap.is_empty() && old.is_empty() && committed.is_empty() {
        empty_message(&mut svg, "No heap sizes in this log");
        svg.push_str("</svg>");
        return svg;
    }
    let y_ticks = linear_tick_labels(&nice_ticks(0.0, y_max, 6));
    draw_axes(&mut svg, &axis, &y_ticks, &y_scale, "Heap (MiB)");

    let committed = step_points(&downsample(&keep_changes(&committed), MAX_POINTS));
    push_polyline(&mut svg, "series series-committed", &project(committed));
    let _ = write!(svg, "<desc>{} collections with heap sizes</desc>", heap.len());
    for (series, line_class, dots_class) in
        [(old, "series series-old", "dots dots-old"), (heap, "series series-heap", "dots dots-heap")]
    {
        let drawn = project(downsample(&series, MAX_POINTS));
        push_polyline(&mut svg, line_class, &drawn);
        // A line through a handful of points hides them (one point draws nothing at all).
        if drawn.len() <= SPARSE_POINTS {
            let _ = write!(svg, r#"<path class="{dots_class}" d="{}"/>"#, dots_path(drawn));
        }
    }

    if let Some(bytes) = live_set {
        let y = y_scale.map(mib(bytes));
        let _ = write!(
            svg,
            r#"<line class="ref ref-live-set" x1="{:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="ref-label" x="{:.1}" y="{:.1}" text-anchor="end">M = {}</text>"#,
            FRAME.plot_left(),
            FRAME.plot_right(),
            FRAME.plot_right() - 4.0,
            y - 5.0,
            escape(&human_mib(bytes)),
        );
    }

    if !fulls.is_empty() {
        svg.push_str(r#"<g class="markers markers-full">"#);
        for (x, event) in thin_markers(&fulls, MAX_MARKERS) {
            let after = event.heap.after.unwrap_or(0);
            let cy = y_scale.map(mib(after));
            let mut text = format!("{} at {}: ", event_label(event), axis.describe(x));
            if let Some(before) = event.heap.before {
                let _ = write!(text, "{} → ", human_mib(before));
            }
            text.push_str(&human_mib(after));
            if let Some(duration) = event.duration {
                let _ = write!(text, ", pause {}", human_duration(duration));
            }
            let _ = write!(
                svg,
                r#"<circle class="point point-full" cx="{:.1}" cy="{cy:.1}" r="4.5"><title>{}</title></circle>"#,
                x_scale.map(x),
                escape(&text)
            );
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

/// How a pause is grouped and coloured in the pause chart.
#[derive(Debug, Clone, Copy, PartialEq)]
enum PauseGroup {
    Young,
    Full,
    Other,
}

impl PauseGroup {
    fn of(kind: PauseKind) -> Self {
        match kind {
            PauseKind::Young | PauseKind::Mixed => PauseGroup::Young,
            PauseKind::Full => PauseGroup::Full,
            _ => PauseGroup::Other,
        }
    }

    fn class(self) -> &'static str {
        match self {
            PauseGroup::Young => "young",
            PauseGroup::Full => "full",
            PauseGroup::Other => "other",
        }
    }
}

/// One stop-the-world pause as the pause chart draws it.
struct Pause<'a> {
    x: f64,
    ms: f64,
    group: PauseGroup,
    event: &'a GcEvent,
}

/// Chart 2: every stop-the-world pause as a dot, coloured young / full / other, in milliseconds.
/// The longest pauses and every Full GC carry a hover text.
pub fn pause_chart(report: &InstanceReport) -> String {
    let axis = TimeAxis::for_report(report);
    let mut pauses: Vec<Pause> = Vec::new();
    for (i, event) in report.jvm.events.iter().enumerate() {
        let (Some(kind), Some(duration), Some(x)) = (event.pause_kind(), event.duration, axis.x(event, i)) else {
            continue;
        };
        if duration.is_finite() && duration >= 0.0 {
            pauses.push(Pause { x, ms: duration * 1000.0, group: PauseGroup::of(kind), event });
        }
    }
    let mut svg = open_svg("chart-pauses", "Pause times");
    if pauses.is_empty() {
        empty_message(&mut svg, "No stop-the-world pauses with durations in this log");
        svg.push_str("</svg>");
        return svg;
    }
    pauses.sort_by(|a, b| a.x.total_cmp(&b.x));

    let mut durations: Vec<f64> = pauses.iter().map(|p| p.ms).collect();
    durations.sort_by(f64::total_cmp);
    let max = durations.last().copied().unwrap_or(1.0);
    let median = durations.get(durations.len() / 2).copied().unwrap_or(max);
    let smallest_positive = durations.iter().copied().find(|d| *d > 0.0).unwrap_or(max);
    let use_log = max > 0.0 && max / median.max(smallest_positive) > LOG_SCALE_RATIO;

    let (y_scale, y_ticks, y_title) = if use_log {
        let ticks = decade_ticks(smallest_positive, max);
        let low = ticks.first().copied().unwrap_or(smallest_positive);
        let high = ticks.last().copied().unwrap_or(max);
        let scale = Scale::log(low, high, FRAME.plot_bottom(), FRAME.plot_top());
        let labelled = ticks.into_iter().map(|t| (t, tick_label(t))).collect::<Vec<_>>();
        (scale, labelled, "Pause (ms, log scale)")
    } else {
        let top = nice_ceiling(max * 1.05, 5);
        let scale = Scale::linear(0.0, top, FRAME.plot_bottom(), FRAME.plot_top());
        (scale, linear_tick_labels(&nice_ticks(0.0, top, 5)), "Pause (ms)")
    };
    draw_axes(&mut svg, &axis, &y_ticks, &y_scale, y_title);

    let x_scale = axis.scale();
    let _ = write!(svg, "<desc>{} pauses</desc>", pauses.len());
    // Full GCs last, so that they are drawn on top.
    for group in [PauseGroup::Other, PauseGroup::Young, PauseGroup::Full] {
        let points: Vec<(f64, f64)> = pauses.iter().filter(|p| p.group == group).map(|p| (p.x, p.ms)).collect();
        if points.is_empty() {
            continue;
        }
        let drawn = downsample(&points, MAX_POINTS).into_iter().map(|(x, y)| (x_scale.map(x), y_scale.map(y)));
        let _ = write!(
            svg,
            r#"<path class="dots dots-{}" data-count="{}" d="{}"/>"#,
            group.class(),
            points.len(),
            dots_path(drawn)
        );
    }

    // Hover texts for the pauses a reader asks about: the longest ones and every Full GC.
    let mut by_length: Vec<&Pause> = pauses.iter().collect();
    by_length.sort_by(|a, b| b.ms.total_cmp(&a.ms));
    let mut marked: Vec<&Pause> = by_length.into_iter().take(TOP_PAUSES).collect();
    let fulls: Vec<(f64, &Pause)> = pauses.iter().filter(|p| p.group == PauseGroup::Full).map(|p| (p.x, p)).collect();
    for (_, pause) in thin_markers(&fulls, MAX_MARKERS) {
        if !marked.iter().any(|m| std::ptr::eq(*m, pause)) {
            marked.push(pause);
        }
    }
    svg.push_str(r#"<g class="markers markers-pauses">"#);
    for pause in marked {
        let text = format!(
            "{} at {}: {}",
            event_label(pause.event),
            axis.describe(pause.x),
            human_duration(pause.ms / 1000.0)
        );
        let _ = write!(
            svg,
            r#"<circle class="point point-{}" cx="{:.1}" cy="{:.1}" r="4"><title>{}</title></circle>"#,
            pause.group.class(),
            x_scale.map(pause.x),
            y_scale.map(pause.ms),
            escape(&text)
        );
    }
    svg.push_str("</g></svg>");
    svg
}

/// `Pause Full (System.gc())`: the event's name and cause as the log spells them.
fn event_label(event: &GcEvent) -> String {
    match &event.cause {
        Some(cause) => format!("{} ({cause})", event.name),
        None => event.name.clone(),
    }
}

/// At most `max` markers, evenly spread: a log with thousands of Full GCs still gets a light page.
fn thin_markers<T: Copy>(markers: &[(f64, T)], max: usize) -> Vec<(f64, T)> {
    if markers.len() <= max || max == 0 {
        return markers.to_vec();
    }
    (0..max).filter_map(|i| markers.get(i * markers.len() / max).copied()).collect()
}

fn open_svg(class: &str, title: &str) -> String {
    format!(
        r#"<svg class="chart {class}" viewBox="0 0 {} {}" preserveAspectRatio="xMidYMid meet" role="img" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        FRAME.width,
        FRAME.height,
        escape(title)
    )
}

fn empty_message(svg: &mut String, message: &str) {
    let _ = write!(
        svg,
        r#"<text class="empty" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        FRAME.width / 2.0,
        FRAME.height / 2.0,
        escape(message)
    );
}

/// Grid lines, tick labels and axis titles.
fn draw_axes(svg: &mut String, axis: &TimeAxis, y_ticks: &[(f64, String)], y_scale: &Scale, y_title: &str) {
    let x_scale = axis.scale();
    let (left, right, top, bottom) = (FRAME.plot_left(), FRAME.plot_right(), FRAME.plot_top(), FRAME.plot_bottom());
    svg.push_str(r#"<g class="grid">"#);
    for (value, _) in y_ticks {
        let y = y_scale.map(*value);
        let _ = write!(svg, r#"<line x1="{left:.1}" x2="{right:.1}" y1="{y:.1}" y2="{y:.1}"/>"#);
    }
    let x_ticks = axis.ticks();
    for (value, _) in &x_ticks {
        let x = x_scale.map(*value);
        let _ = write!(svg, r#"<line x1="{x:.1}" x2="{x:.1}" y1="{top:.1}" y2="{bottom:.1}"/>"#);
    }
    svg.push_str("</g>");

    svg.push_str(r#"<g class="axis axis-y">"#);
    for (value, label) in y_ticks {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 8.0,
            y_scale.map(*value) + 4.0,
            escape(label)
        );
    }
    let _ = write!(
        svg,
        r#"<text class="axis-title" transform="translate(16 {:.1}) rotate(-90)" text-anchor="middle">{}</text></g>"#,
        (top + bottom) / 2.0,
        escape(y_title)
    );

    svg.push_str(r#"<g class="axis axis-x">"#);
    let _ = write!(svg, r#"<line class="baseline" x1="{left:.1}" x2="{right:.1}" y1="{bottom:.1}" y2="{bottom:.1}"/>"#);
    for (value, label) in &x_ticks {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x_scale.map(*value),
            bottom + 16.0,
            escape(label)
        );
    }
    let _ = write!(
        svg,
        r#"<text class="axis-title" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text></g>"#,
        (left + right) / 2.0,
        FRAME.height - 4.0,
        escape(&axis.title())
    );
}

fn push_polyline(svg: &mut String, class: &str, points: &[(f64, f64)]) {
    if points.is_empty() {
        return;
    }
    let _ = write!(
        svg,
        r#"<polyline class="{class}" data-count="{}" points="{}"/>"#,
        points.len(),
        polyline_points(points.iter().copied())
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gc::model::{MemoryChange, Timestamp};
    use crate::report::testdata::{self, MIB};

    fn young(uptime: f64, after_mib: u64, ms: f64) -> GcEvent {
        let mut event = GcEvent::new(EventKind::Pause(PauseKind::Young), "Pause Young");
        event.start = Timestamp { uptime: Some(uptime), wall_ms: None };
        event.duration = Some(ms / 1000.0);
        event.heap =
            MemoryChange { before: Some(2 * after_mib * MIB), after: Some(after_mib * MIB), ..Default::default() };
        event
    }

    #[test]
    fn charts_carry_their_classes_and_series() {
        let report = testdata::g1_report();
        let heap = heap_chart(&report);
        assert!(heap.starts_with(r#"<svg class="chart chart-heap""#));
        assert!(heap.contains(r#"class="series series-heap""#));
        assert!(heap.contains(r#"class="series series-committed""#));
        assert!(heap.contains(r#"class="point point-full""#));
        assert!(heap.contains("M = 768.0 MiB"));
        let pauses = pause_chart(&report);
        assert!(pauses.starts_with(r#"<svg class="chart chart-pauses""#));
        for class in ["dots dots-young", "dots dots-full", "dots dots-other"] {
            assert!(pauses.contains(class), "{class} in {pauses}");
        }
        assert!(pauses.contains("Pause Full (System.gc()) at uptime 30.0 min: 812.3 ms"));
    }

    #[test]
    fn large_logs_are_downsampled_but_keep_the_longest_pause() {
        let mut report = testdata::g1_report();
        report.jvm.events =
            (0..50_000).map(|i| young(i as f64, 1000 + (i % 300) as u64, 5.0 + (i % 7) as f64)).collect();
        report.jvm.events[31_337].duration = Some(2.5);
        let pauses = pause_chart(&report);
        let heap = heap_chart(&report);
        assert!(pauses.len() + heap.len() < 250_000, "{} + {} bytes", pauses.len(), heap.len());
        assert!(pauses.contains("at uptime 8.70 h: 2.50 s"), "longest pause keeps a marker");
        assert!(pauses.contains("log scale"));
        let dots = pauses.matches("h0").count();
        assert!(dots <= MAX_POINTS, "{dots} dots");
    }

    #[test]
    fn empty_instance_draws_a_message_not_a_broken_chart() {
        let mut report = testdata::g1_report();
        report.jvm.events.clear();
        assert!(heap_chart(&report).contains("No heap sizes in this log"));
        assert!(pause_chart(&report).contains("No stop-the-world pauses"));
    }

    #[test]
    fn without_timestamps_the_axis_is_event_order() {
        let mut report = testdata::g1_report();
        for event in &mut report.jvm.events {
            event.start = Timestamp::default();
        }
        report.analysis.summary.window_from = None;
        report.analysis.summary.window_to = None;
        assert!(heap_chart(&report).contains("GC event (the log has no timestamps)"));
    }

    #[test]
    fn with_wall_clock_only_the_axis_is_utc_time() {
        let mut report = testdata::g1_report();
        for event in &mut report.jvm.events {
            event.start.uptime = None;
        }
        let chart = heap_chart(&report);
        assert!(chart.contains("Wall clock (UTC)"));
        // The fixture's events span 20 minutes from 02:45:56 UTC: ticks at whole minutes.
        assert!(chart.contains(">02:50</text>"), "{chart}");
        assert!(pause_chart(&report).contains("at 2026-11-25T03:05:56.000Z"));
        assert_eq!(wall_label(1_795_574_156_123, 500.0, 5_000.0), "02:35:56.123");
        assert_eq!(wall_label(1_795_574_156_123, 10_000.0, 60_000.0), "02:35:56");
        assert_eq!(wall_label(1_795_574_156_123, 86_400_000.0, 5.0 * 86_400_000.0), "11-25 02:35");
    }

    #[test]
    fn hover_texts_from_logs_are_escaped() {
        let mut report = testdata::g1_report();
        report.jvm.events[2].cause = Some("<img src=x onerror=alert(1)>".to_string());
        let chart = pause_chart(&report) + &heap_chart(&report);
        assert!(!chart.contains("<img"));
        assert!(chart.contains("&lt;img src=x onerror=alert(1)&gt;"));
    }
}
