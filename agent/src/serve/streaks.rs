//! Hysteresis: a job is reported only after the same advice in N consecutive scans, and alerted
//! once per streak. Pure: the previous streak and this scan's verdict give the next streak.
//!
//! One scan's verdict rests on 60 s rate meters and can flip with a traffic peak; acting on it
//! would resize jobs back and forth. So a verdict of reduce (rule 1) or increase (rule 3) starts
//! or extends a streak, and anything else — keep, inconclusive, the other direction — ends it.
//! A job missing from a scan (stopped, or the scan failed) keeps its streak unchanged: no
//! evidence either way. Increase uses the same count as reduce: a job that cannot keep up is
//! worth a restart, but one slow scan is not proof either.

use serde::{Deserialize, Serialize};

use crate::scan::decide::Verdict;

/// The advice a streak repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Reduce,
    Increase,
}

impl Direction {
    pub fn of(verdict: Verdict) -> Option<Direction> {
        match verdict {
            Verdict::Reduce => Some(Direction::Reduce),
            Verdict::Increase => Some(Direction::Increase),
            Verdict::Keep | Verdict::Inconclusive => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Reduce => "reduce",
            Direction::Increase => "increase",
        }
    }
}

/// Consecutive scans with the same advice for one job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Streak {
    /// `None`: the last scan advised neither reduce nor increase.
    pub direction: Option<Direction>,
    /// Consecutive scans with `direction`, 0 without one.
    pub hits: u32,
    /// The scan that started the streak, and when (ms since the epoch).
    pub since_scan: Option<u64>,
    pub since_ms: Option<i64>,
    /// The alert for this streak reached the webhook (or there is no webhook to reach).
    pub alerted: bool,
    /// `serve --apply` acted on this streak: applied its advice, or found it cannot be applied.
    #[serde(default)]
    pub rescaled: bool,
}

impl Streak {
    /// The next streak after a scan of the job gave `verdict`.
    pub fn advance(&self, verdict: Verdict, scan_id: u64, at_ms: i64) -> Streak {
        match Direction::of(verdict) {
            None => Streak::default(),
            Some(direction) if self.direction == Some(direction) => {
                Streak { hits: self.hits.saturating_add(1), ..self.clone() }
            }
            Some(direction) => Streak {
                direction: Some(direction),
                hits: 1,
                since_scan: Some(scan_id),
                since_ms: Some(at_ms),
                alerted: false,
                rescaled: false,
            },
        }
    }

    /// The advice holds for `alert_after` scans in a row: report it.
    pub fn confirmed(&self, alert_after: u32) -> bool {
        self.direction.is_some() && self.hits >= alert_after.max(1)
    }

    /// Confirmed and not yet alerted: send the alert. A failed delivery leaves `alerted` false,
    /// so the next scan of the streak tries again.
    pub fn alert_due(&self, alert_after: u32) -> bool {
        self.confirmed(alert_after) && !self.alerted
    }

    /// Confirmed and not yet acted on by `serve --apply`: at most one rescale per streak. A
    /// rescaled job restarts, and its next scans are inconclusive until it settles, which ends
    /// the streak: further advice needs a streak of its own.
    pub fn rescale_due(&self, alert_after: u32) -> bool {
        self.confirmed(alert_after) && !self.rescaled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::{Inconclusive, Increase, Keep, Reduce};

    fn run(verdicts: &[Verdict]) -> Vec<Streak> {
        let mut streak = Streak::default();
        verdicts
            .iter()
            .enumerate()
            .map(|(scan, &verdict)| {
                streak = streak.advance(verdict, scan as u64, 1000 * scan as i64);
                if streak.alert_due(3) {
                    streak.alerted = true;
                }
                streak.clone()
            })
            .collect()
    }

    #[test]
    fn three_reduce_scans_in_a_row_confirm_and_alert_once() {
        let streaks = run(&[Reduce, Reduce, Reduce, Reduce, Reduce]);
        let hits: Vec<u32> = streaks.iter().map(|s| s.hits).collect();
        assert_eq!(hits, [1, 2, 3, 4, 5]);
        assert!(!streaks[1].confirmed(3));
        assert!(streaks[2].confirmed(3));
        // Alerted at the third scan; the fourth and fifth are not due again.
        assert!(streaks[2].alerted);
        assert!(streaks[3..].iter().all(|s| s.alerted && !s.alert_due(3)));
        assert_eq!(streaks[4].since_scan, Some(0));
        assert_eq!(streaks[4].since_ms, Some(0));
    }

    #[test]
    fn any_other_verdict_resets_the_count() {
        for interruption in [Keep, Inconclusive, Increase] {
            let streaks = run(&[Reduce, Reduce, interruption, Reduce, Reduce]);
            assert_eq!(streaks[4].hits, 2, "after {interruption:?}");
            assert!(!streaks[4].confirmed(3));
            assert_eq!(streaks[4].since_scan, Some(3));
        }
        assert_eq!(run(&[Reduce, Keep])[1], Streak::default());
    }

    #[test]
    fn increase_streaks_count_the_same_way_and_a_new_streak_alerts_again() {
        let streaks = run(&[Increase, Increase, Increase, Keep, Increase, Increase, Increase]);
        assert_eq!(streaks[2].direction, Some(Direction::Increase));
        assert!(streaks[2].alerted);
        assert!(!streaks[4].alerted && !streaks[5].alerted);
        assert!(streaks[6].alerted, "a new streak is alerted anew");
    }

    #[test]
    fn a_streak_is_rescaled_once_and_a_new_streak_may_be_again() {
        let mut streak = Streak::default();
        for scan in 0..3 {
            assert!(!streak.rescale_due(3));
            streak = streak.advance(Reduce, scan, 0);
        }
        assert!(streak.rescale_due(3));
        streak.rescaled = true;
        streak = streak.advance(Reduce, 3, 0);
        assert!(!streak.rescale_due(3), "once per streak");
        // The rescaled job restarts: inconclusive until it settles, then a streak of its own.
        streak = streak.advance(Inconclusive, 4, 0);
        for scan in 5..8 {
            streak = streak.advance(Reduce, scan, 0);
        }
        assert!(streak.rescale_due(3));
    }

    #[test]
    fn a_failed_delivery_stays_due_until_it_succeeds() {
        let mut streak = Streak::default();
        for scan in 0..4 {
            streak = streak.advance(Reduce, scan, 0);
        }
        // Never marked alerted (the webhook was down): still due at the fourth scan.
        assert!(streak.alert_due(3));
        assert!(!Streak::default().alert_due(0), "no direction, nothing to alert");
    }
}
