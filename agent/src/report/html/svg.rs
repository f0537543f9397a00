//! Drawing primitives for the report's inline SVG charts: scales, "nice" axis ticks, compact
//! path encodings and downsampling. Nothing here knows about GC; `charts.rs` does.
//!
//! Charts are drawn in a fixed coordinate system ([`Frame`]) and scaled by the browser through
//! `viewBox`, so the output is independent of the reader's window size.

use std::fmt::Write;

/// A chart's drawing area in SVG user units: the outer size and the margins left for axes.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Frame {
    pub fn plot_left(&self) -> f64 {
        self.left
    }
    pub fn plot_right(&self) -> f64 {
        self.width - self.right
    }
    pub fn plot_top(&self) -> f64 {
        self.top
    }
    pub fn plot_bottom(&self) -> f64 {
        self.height - self.bottom
    }
}

/// Maps data values onto one screen axis, linearly or by decades.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    min: f64,
    max: f64,
    from: f64,
    to: f64,
    log: bool,
}

impl Scale {
    /// `min..max` (data) onto `from..to` (screen). An empty or inverted domain is widened so that
    /// every value still maps to a finite coordinate.
    pub fn linear(min: f64, max: f64, from: f64, to: f64) -> Self {
        let (min, max) = widen(min, max);
        Scale { min, max, from, to, log: false }
    }

    /// Log10 scale; values at or below zero are drawn at `min`.
    pub fn log(min: f64, max: f64, from: f64, to: f64) -> Self {
        let min = if min > 0.0 && min.is_finite() { min } else { 1e-3 };
        let max = if max > min && max.is_finite() { max } else { min * 10.0 };
        Scale { min: min.log10(), max: max.log10(), from, to, log: true }
    }

    pub fn map(&self, value: f64) -> f64 {
        let value = if self.log { value.max(10f64.powf(self.min)).log10() } else { value };
        let t = (value - self.min) / (self.max - self.min);
        let t = if t.is_finite() { t.clamp(-0.05, 1.05) } else { 0.0 };
        self.from + t * (self.to - self.from)
    }
}

fn widen(min: f64, max: f64) -> (f64, f64) {
    let min = if min.is_finite() { min } else { 0.0 };
    let max = if max.is_finite() { max } else { min + 1.0 };
    if max > min {
        (min, max)
    } else {
        (min, min + 1.0)
    }
}

/// Round tick values covering `min..=max`, about `target` of them, at steps of 1, 2 or 5 × 10^n.
pub fn nice_ticks(min: f64, max: f64, target: usize) -> Vec<f64> {
    let (min, max) = widen(min, max);
    let step = nice_step((max - min) / target.max(1) as f64);
    let first = (min / step).ceil() as i64;
    let last = (max / step + 1e-9).floor() as i64;
    // Bounded by construction (span / step ≈ target), the cap is a guard against pathological input.
    (first..=last).take(50).map(|i| i as f64 * step).collect()
}

/// The smallest 1, 2 or 5 × 10^n at least `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|step| *step >= raw * 0.999).unwrap_or(10.0 * magnitude)
}

/// `max` rounded up to the next nice step: the top of a y axis that starts at 0.
pub fn nice_ceiling(max: f64, target: usize) -> f64 {
    if !(max.is_finite() && max > 0.0) {
        return 1.0;
    }
    let step = nice_step(max / target.max(1) as f64);
    (max / step).ceil() * step
}

/// Powers of ten covering `min..=max`: the ticks of a log axis.
pub fn decade_ticks(min: f64, max: f64) -> Vec<f64> {
    if !(min > 0.0 && max >= min && max.is_finite()) {
        return vec![];
    }
    let first = min.log10().floor() as i32;
    let last = max.log10().ceil() as i32;
    (first..=last).take(30).map(|e| 10f64.powi(e)).collect()
}

/// Keeps at most `max_points` of `points` (sorted by x) while keeping the shape: the points are
/// cut into equal-count buckets and each bucket keeps its lowest and highest y, in x order.
/// Extremes such as the longest pause survive; a 100k-event log still draws a faithful outline.
pub fn downsample(points: &[(f64, f64)], max_points: usize) -> Vec<(f64, f64)> {
    if points.len() <= max_points || max_points < 2 {
        return points.to_vec();
    }
    let buckets = max_points / 2;
    let mut kept = Vec::with_capacity(buckets * 2);
    for b in 0..buckets {
        let start = b * points.len() / buckets;
        let end = ((b + 1) * points.len() / buckets).min(points.len());
        let Some(bucket) = points.get(start..end).filter(|s| !s.is_empty()) else { continue };
        let mut low = 0;
        let mut high = 0;
        for (i, point) in bucket.iter().enumerate() {
            if point.1 < bucket[low].1 {
                low = i;
            }
            if point.1 > bucket[high].1 {
                high = i;
            }
        }
        match low.cmp(&high) {
            std::cmp::Ordering::Less => kept.extend([bucket[low], bucket[high]]),
            std::cmp::Ordering::Greater => kept.extend([bucket[high], bucket[low]]),
            std::cmp::Ordering::Equal => kept.push(bucket[low]),
        }
    }
    kept
}

/// Drops points that repeat the previous and the next value: a committed-heap line that rarely
/// changes needs its corners, not every GC.
pub fn keep_changes(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut kept: Vec<(f64, f64)> = Vec::new();
    for (i, point) in points.iter().enumerate() {
        let same_as_prev = i > 0 && points[i - 1].1 == point.1;
        let same_as_next = points.get(i + 1).is_some_and(|next| next.1 == point.1);
        if !(same_as_prev && same_as_next) {
            kept.push(*point);
        }
    }
    kept
}

/// `x,y x,y ...` for a `<polyline>`, with one decimal: enough for a chart, a third of the bytes.
pub fn polyline_points(points: impl IntoIterator<Item = (f64, f64)>) -> String {
    let mut out = String::new();
    for (x, y) in points {
        if !out.is_empty() {
            out.push(' ');
        }
        let _ = write!(out, "{x:.1},{y:.1}");
    }
    out
}

/// A step line (value holds until the next point) as polyline points.
pub fn step_points(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for (i, point) in points.iter().enumerate() {
        if i > 0 {
            out.push((point.0, points[i - 1].1));
        }
        out.push(*point);
    }
    out
}

/// Many dots as one path: each `M x y h0` segment is drawn as a round dot by a path with
/// `stroke-linecap: round`. Thousands of `<circle>` elements would weigh ten times as much.
pub fn dots_path(points: impl IntoIterator<Item = (f64, f64)>) -> String {
    let mut out = String::new();
    for (x, y) in points {
        let _ = write!(out, "M{x:.1} {y:.1}h0");
    }
    out
}

/// Labels for evenly spaced ticks, all with the decimals their step needs: `200.2`, `200.4`
/// rather than `200`, `200` (and `1,500`, not `1500.0`).
pub fn linear_tick_labels(ticks: &[f64]) -> Vec<(f64, String)> {
    let step = match ticks {
        [first, second, ..] => second - first,
        _ => 1.0,
    };
    let decimals =
        if step.is_finite() && step > 0.0 && step < 1.0 { (-step.log10().floor()).clamp(0.0, 9.0) as usize } else { 0 };
    ticks
        .iter()
        .map(|&t| {
            // Ticks computed as i × step can come out as -0.0 or 1e-17 instead of 0.
            let t = if t.abs() < step.abs() * 1e-6 { 0.0 } else { t };
            (t, crate::report::group_thousands(&format!("{t:.decimals$}")))
        })
        .collect()
}

/// A number for an axis label: no trailing zeros, thousands grouped (`1,500`, `0.5`, `12`).
pub fn tick_label(value: f64) -> String {
    if !value.is_finite() {
        return String::new();
    }
    let magnitude = value.abs();
    let text = if magnitude == 0.0 {
        "0".to_string()
    } else if magnitude < 1.0 {
        let text = format!("{value:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else if magnitude < 10.0 && value.fract().abs() > 1e-9 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    crate::report::group_thousands(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers_inside_the_domain() {
        assert_eq!(nice_ticks(0.0, 100.0, 5), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(nice_ticks(0.0, 7.3, 4), vec![0.0, 2.0, 4.0, 6.0]);
        assert_eq!(nice_ticks(5.0, 5.0, 4).first(), Some(&5.0));
        assert!(nice_ticks(f64::NAN, f64::INFINITY, 4).len() <= 50);
        assert_eq!(nice_ceiling(7300.0, 5), 8000.0);
        assert_eq!(decade_ticks(0.05, 900.0), vec![0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]);
    }

    #[test]
    fn scales_map_and_never_produce_nan() {
        let linear = Scale::linear(0.0, 10.0, 100.0, 200.0);
        assert_eq!(linear.map(5.0), 150.0);
        let degenerate = Scale::linear(3.0, 3.0, 0.0, 10.0);
        assert!(degenerate.map(3.0).is_finite());
        let log = Scale::log(1.0, 1000.0, 300.0, 0.0);
        assert_eq!(log.map(10.0), 200.0);
        assert_eq!(log.map(0.0), 300.0);
    }

    #[test]
    fn downsampling_bounds_the_count_and_keeps_extremes() {
        let points: Vec<(f64, f64)> = (0..10_000).map(|i| (i as f64, (i % 97) as f64)).collect();
        let mut spiky = points.clone();
        spiky[5_001].1 = 1e6;
        let kept = downsample(&spiky, 400);
        assert!(kept.len() <= 400);
        assert!(kept.contains(&(5_001.0, 1e6)));
        assert!(kept.windows(2).all(|w| w[0].0 <= w[1].0), "x order is kept");
        assert_eq!(downsample(&points[..10], 400).len(), 10);
    }

    #[test]
    fn flat_runs_keep_only_their_corners() {
        let points = [(0.0, 1.0), (1.0, 1.0), (2.0, 1.0), (3.0, 2.0), (4.0, 2.0)];
        assert_eq!(keep_changes(&points), vec![(0.0, 1.0), (2.0, 1.0), (3.0, 2.0), (4.0, 2.0)]);
    }

    #[test]
    fn encodings_are_compact() {
        assert_eq!(polyline_points([(1.0, 2.24), (3.0, 4.0)]), "1.0,2.2 3.0,4.0");
        assert_eq!(dots_path([(1.0, 2.0)]), "M1.0 2.0h0");
        assert_eq!(step_points(&[(0.0, 1.0), (2.0, 3.0)]), vec![(0.0, 1.0), (2.0, 1.0), (2.0, 3.0)]);
        assert_eq!(tick_label(1500.0), "1,500");
        assert_eq!(tick_label(0.5), "0.5");
        assert_eq!(tick_label(0.01), "0.01");
        assert_eq!(tick_label(2.5), "2.5");
        let labels: Vec<String> =
            linear_tick_labels(&nice_ticks(200.1, 201.0, 5)).into_iter().map(|(_, label)| label).collect();
        assert_eq!(labels, ["200.2", "200.4", "200.6", "200.8", "201.0"]);
        let labels: Vec<String> =
            linear_tick_labels(&nice_ticks(0.0, 3000.0, 3)).into_iter().map(|(_, label)| label).collect();
        assert_eq!(labels, ["0", "1,000", "2,000", "3,000"]);
    }
}
