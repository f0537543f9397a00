//! Stage 3: the verdict of the design's three rules and a recommended parallelism per vertex,
//! each with the arithmetic that produced it. Pure: the same evaluation and options always give
//! the same decision.
//!
//! The rules compare, at the slowest vertex, its output O and capacity C with the input rate S:
//! 1. O ≈ S and C ≫ S: over-provisioned, reduce;
//! 2. O ≈ S and C ≈ S: right-sized, keep;
//! 3. O ≪ S and C ≪ S: under-provisioned, increase.
//!
//! With tolerance τ and headroom factor h ([`DecideOptions`]): X ≈ S when |X − S| ≤ τS, X ≪ S when
//! X < (1 − τ)S, C ≫ S when C ≥ hS, and C ≈ S covers the band between, (1 − τ)S ≤ C < hS. The rules
//! assume one output record per input record at the slowest vertex; any other combination is
//! reported as inconclusive with what it suggests, never forced into a rule.

use serde::Serialize;

use std::collections::BTreeMap;

use super::evaluate::{JobEvaluation, TimeBasis, VertexEvaluation};
use super::options::DecideOptions;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Reduce,
    Keep,
    Increase,
    Inconclusive,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Reduce => "reduce",
            Verdict::Keep => "keep",
            Verdict::Increase => "increase",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// The decision for one job.
#[derive(Debug, Clone, Serialize)]
pub struct JobDecision {
    pub verdict: Verdict,
    /// Why: the rule that matched with its numbers, or what is missing.
    pub reason: String,
    pub vertices: Vec<VertexRecommendation>,
    /// Σ current − Σ recommended parallelism over vertices with a recommendation: slots saved
    /// (negative: slots needed) if every vertex ran in its own slot-sharing group.
    pub parallelism_change: i64,
    /// Places where the measurements contradict each other (C against Flink's busy-time estimate).
    pub disagreements: Vec<String>,
    /// Slots (and cores, memory) the recommendations free or need.
    pub slots: SlotSaving,
}

/// The saving of the recommended parallelisms in TaskManager slots. Vertices sharing a slot
/// sharing group need as many slots as the group's largest parallelism, so
/// slots = Σ over groups of max parallelism; a vertex without a recommendation keeps its own.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlotSaving {
    pub current: u64,
    pub recommended: u64,
    /// current − recommended: positive frees slots, negative needs more.
    pub freed: i64,
    /// `freed` × cores per slot, when every TaskManager has the same slot size.
    pub cpu_cores: Option<f64>,
    /// `freed` × process memory per slot, GB (2^30 bytes), likewise.
    pub memory_gb: Option<f64>,
    /// How the numbers were reached, or why cores and memory are unknown.
    pub basis: String,
}

/// The recommended parallelism of one vertex.
#[derive(Debug, Clone, Serialize)]
pub struct VertexRecommendation {
    pub vertex_id: String,
    pub vertex_name: String,
    pub current: u32,
    pub recommended: Option<u32>,
    /// The arithmetic from load and T to the number, or why there is none.
    pub arithmetic: String,
}

/// Applies the rules to one evaluated job and recommends a parallelism for each vertex.
pub fn decide_job(job: &JobEvaluation, options: &DecideOptions) -> JobDecision {
    let (verdict, reason) = verdict(job, options);
    // Under-provisioned jobs process less than arrives: the observed load understates the demand
    // by S/O, so every vertex's load is scaled up by it.
    let demand_scale = match (verdict, job.input_rate.value(), job.slowest_vertex().and_then(|v| v.output_per_s)) {
        (Verdict::Increase, Some(s), Some(o)) if o > 0.0 => Some(s / o),
        _ => None,
    };
    let single_source = job.vertices.iter().filter(|v| v.is_source).count() == 1;
    let vertices: Vec<VertexRecommendation> = job
        .vertices
        .iter()
        .map(|vertex| {
            let source_rate = if vertex.is_source && single_source { job.input_rate.value() } else { None };
            recommend(vertex, demand_scale, source_rate, options)
        })
        .collect();
    let parallelism_change =
        vertices.iter().filter_map(|r| r.recommended.map(|p| i64::from(r.current) - i64::from(p))).sum();
    let disagreements = job.vertices.iter().filter_map(|v| disagreement(v, options)).collect();
    let slots = slot_saving(job, &vertices);
    JobDecision { verdict, reason, vertices, parallelism_change, disagreements, slots }
}

fn slot_saving(job: &JobEvaluation, recommendations: &[VertexRecommendation]) -> SlotSaving {
    // Vertices without a group (Flink did not say) each count as their own group.
    let mut groups: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for (vertex, recommendation) in job.vertices.iter().zip(recommendations) {
        let group = vertex.slot_sharing_group.clone().unwrap_or_else(|| format!("vertex {}", vertex.id));
        let entry = groups.entry(group).or_default();
        entry.0 = entry.0.max(vertex.parallelism);
        entry.1 = entry.1.max(recommendation.recommended.unwrap_or(vertex.parallelism));
    }
    let current: u64 = groups.values().map(|(now, _)| u64::from(*now)).sum();
    let recommended: u64 = groups.values().map(|(_, then)| u64::from(*then)).sum();
    let freed = i64::try_from(current).unwrap_or(i64::MAX) - i64::try_from(recommended).unwrap_or(i64::MAX);
    let groups_text = format!("{} slot sharing group(s), each as many slots as its largest parallelism", groups.len());
    match job.slot_size {
        Some(size) => SlotSaving {
            current,
            recommended,
            freed,
            cpu_cores: Some(freed as f64 * size.cpu_cores),
            memory_gb: Some(freed as f64 * size.memory_bytes as f64 / f64::from(1u32 << 30)),
            basis: format!(
                "{groups_text}; a slot is {} cores and {:.2} GB (TaskManager process memory / slots)",
                size.cpu_cores,
                size.memory_bytes as f64 / f64::from(1u32 << 30)
            ),
        },
        None => SlotSaving {
            current,
            recommended,
            freed,
            cpu_cores: None,
            memory_gb: None,
            basis: format!("{groups_text}; cores and memory unknown: TaskManagers differ in slot size or /taskmanagers did not say"),
        },
    }
}

fn verdict(job: &JobEvaluation, options: &DecideOptions) -> (Verdict, String) {
    let inconclusive = |reason: String| (Verdict::Inconclusive, reason);
    if job.vanished {
        return inconclusive("job vanished during the scan".to_owned());
    }
    if !job.state.is_empty() && job.state != "RUNNING" {
        return inconclusive(format!("job is {}, not RUNNING", job.state));
    }
    if !job.settled {
        return inconclusive("metrics not settled after a (re)start; scan again later".to_owned());
    }
    let Some(slowest) = job.slowest_vertex() else {
        return inconclusive("T unknown for every vertex: no per-record time to judge by".to_owned());
    };
    let s = match (&job.input_rate, job.input_rate.value()) {
        (_, Some(s)) if s > 0.0 => s,
        (super::evaluate::InputRate::Unknown { reason }, _) => return inconclusive(reason.clone()),
        _ => return inconclusive("S is 0: nothing arrives, no rule applies".to_owned()),
    };
    let (Some(o), Some(c)) = (slowest.output_per_s, slowest.capacity_per_s) else {
        return inconclusive(format!("O unknown at the slowest vertex {}", slowest.name));
    };

    let tau = options.tolerance;
    let o_about_s = (o - s).abs() <= tau * s;
    let o_below_s = o < (1.0 - tau) * s;
    let c_far_above_s = c >= options.headroom_factor * s;
    let c_below_s = c < (1.0 - tau) * s;
    let numbers = format!(
        "at the slowest vertex {}: O = {} rec/s, C = {} × 1000 / {} ms = {} rec/s, S = {} rec/s",
        slowest.name,
        rate(o),
        slowest.parallelism,
        slowest.record_time.map_or_else(|| "?".to_owned(), |t| ms(t.ms)),
        rate(c),
        rate(s)
    );
    let band = format!("(≈ within ±{:.0} %, ≫ at ≥ {}× S)", tau * 100.0, options.headroom_factor);
    if o_about_s && c_far_above_s {
        (Verdict::Reduce, format!("rule 1, O ≈ S and C ≫ S: over-provisioned {band}; {numbers}"))
    } else if o_about_s && !c_below_s {
        (Verdict::Keep, format!("rule 2, O ≈ S and C ≈ S: right-sized {band}; {numbers}"))
    } else if o_below_s && c_below_s {
        (Verdict::Increase, format!("rule 3, O ≪ S and C ≪ S: under-provisioned {band}; {numbers}"))
    } else if o_below_s {
        inconclusive(format!(
            "no rule: O ≪ S although C suffices — a source that cannot keep up, skew, back-pressure from \
             elsewhere, or fewer outputs than inputs (a filter); {numbers}"
        ))
    } else if o_about_s {
        inconclusive(format!(
            "no rule: O ≈ S although C ≪ S — T is likely inflated (it includes hard back-pressure and \
             OS preemption); {numbers}"
        ))
    } else {
        inconclusive(format!(
            "no rule: O > S — catching up on a backlog, or more outputs than inputs (a flatMap); {numbers}"
        ))
    }
}

/// Smallest parallelism keeping the vertex's utilisation ≤ target, then aligned: a source to a
/// divisor of its partitions (never above them), a keyed vertex to a divisor of its key groups
/// (only up to half of them, as the autoscaler does), and never above max parallelism.
fn recommend(
    vertex: &VertexEvaluation,
    demand_scale: Option<f64>,
    source_rate: Option<f64>,
    options: &DecideOptions,
) -> VertexRecommendation {
    let mut result = VertexRecommendation {
        vertex_id: vertex.id.clone(),
        vertex_name: vertex.name.clone(),
        current: vertex.parallelism,
        recommended: None,
        arithmetic: String::new(),
    };
    let Some(time) = vertex.record_time else {
        result.arithmetic = "T unknown: no recommendation".to_owned();
        return result;
    };
    let (load, load_text) = match (vertex.input_per_s.filter(|r| *r > 0.0), source_rate) {
        (Some(observed), _) => match demand_scale {
            Some(scale) => (observed * scale, format!("load {} rec/s × S/O {:.2}", rate(observed), scale)),
            None => (observed, format!("load {} rec/s", rate(observed))),
        },
        (None, Some(s)) => (s, format!("load S {} rec/s", rate(s))),
        (None, None) => {
            result.arithmetic = "no input rate at this vertex (a source: needs S): no recommendation".to_owned();
            return result;
        }
    };
    let target = options.utilization_target;
    let busy_subtasks = load * time.ms / 1000.0;
    // A whisker below an integer is that integer: 2.8 / 0.7 must give 4, not 5.
    let needed = ((busy_subtasks / target) - 1e-9).ceil().max(1.0);
    let mut parallelism = if needed >= f64::from(u32::MAX) { u32::MAX } else { needed as u32 };
    let mut steps = vec![format!(
        "{load_text} × T {} ms = {:.2} busy subtasks; / target {} = {:.2} → {parallelism}",
        ms(time.ms),
        busy_subtasks,
        target,
        busy_subtasks / target
    )];

    match (vertex.is_source, vertex.partitions, vertex.keyed_input, vertex.max_parallelism) {
        (true, Some(partitions), _, _) => {
            if parallelism > partitions {
                parallelism = partitions;
                steps.push(format!("capped at {partitions} partitions (more subtasks would idle)"));
            } else if let Some(aligned) = smallest_divisor_at_least(partitions, parallelism, partitions) {
                if aligned != parallelism {
                    parallelism = aligned;
                    steps.push(format!("→ {aligned}, a divisor of {partitions} partitions (even split)"));
                }
            }
        }
        (_, _, true, Some(key_groups)) => {
            if let Some(aligned) = smallest_divisor_at_least(key_groups, parallelism, key_groups / 2) {
                if aligned != parallelism {
                    parallelism = aligned;
                    steps.push(format!("→ {aligned}, a divisor of {key_groups} key groups (even split)"));
                }
            }
        }
        _ => {}
    }
    if let Some(max) = vertex.max_parallelism {
        if parallelism > max {
            parallelism = max;
            steps.push(format!("capped at max parallelism {max}"));
        }
    }
    let utilization = busy_subtasks / f64::from(parallelism);
    steps.push(format!("utilisation at {parallelism}: {utilization:.2}"));
    if time.basis == TimeBasis::BusyTime {
        steps.push("(T from busy time)".to_owned());
    }
    result.recommended = Some(parallelism);
    result.arithmetic = steps.join("; ");
    result
}

/// The smallest divisor of `n` in `from..=up_to`, if any.
fn smallest_divisor_at_least(n: u32, from: u32, up_to: u32) -> Option<u32> {
    (from.max(1)..=up_to.min(n)).find(|d| n % d == 0)
}

fn disagreement(vertex: &VertexEvaluation, options: &DecideOptions) -> Option<String> {
    let time = vertex.record_time?;
    if time.basis != TimeBasis::RecordTiming {
        return None; // Then C is itself the busy-time estimate.
    }
    let (c, busy_c) = (vertex.capacity_per_s?, vertex.busy_capacity_per_s?);
    // Under a tenth of the smaller capacity the vertex is no bottleneck whichever estimate is
    // right, and there they part most: a busy meter's floor of a few ms/s against a T of µs.
    if vertex.input_per_s.is_some_and(|load| load < 0.1 * c.min(busy_c)) {
        return None;
    }
    let ratio = c.max(busy_c) / c.min(busy_c);
    (ratio > options.disagreement_factor).then(|| {
        let hint = if c < busy_c {
            "T counts time the busy meter does not (hard back-pressure inside record processing, OS preemption)"
        } else {
            "busy time counts work T does not (timers, watermarks, checkpoints, mails) or subtasks are skewed"
        };
        format!(
            "{}: C = {} rec/s from T, Flink's busy-time estimate {} rec/s ({ratio:.1}× apart): {hint}",
            vertex.name,
            rate(c),
            rate(busy_c)
        )
    })
}

/// A rate for people: whole numbers above 10, two decimals below.
pub fn rate(value: f64) -> String {
    if value.abs() >= 10.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// Milliseconds for people: enough digits for sub-millisecond records.
pub fn ms(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::evaluate::{InputRate, RateBasis, RecordTime};

    fn vertex(name: &str, parallelism: u32, t_ms: f64, input: f64, output: f64) -> VertexEvaluation {
        let capacity = f64::from(parallelism) * 1000.0 / t_ms;
        VertexEvaluation {
            id: format!("id-{name}"),
            name: name.to_owned(),
            parallelism,
            max_parallelism: Some(128),
            is_source: false,
            keyed_input: false,
            slot_sharing_group: None,
            partitions: None,
            record_time: Some(RecordTime { ms: t_ms, basis: TimeBasis::RecordTiming }),
            output_per_s: Some(output),
            input_per_s: Some(input),
            busy_ms_per_s_max: None,
            capacity_per_s: Some(capacity),
            busy_capacity_per_s: None,
            utilization: Some(input / capacity),
            notes: Vec::new(),
        }
    }

    fn job(vertex: VertexEvaluation, s: Option<f64>) -> JobEvaluation {
        JobEvaluation {
            job_id: "j1".to_owned(),
            job_name: "job".to_owned(),
            state: "RUNNING".to_owned(),
            uptime_ms: Some(3_600_000),
            settled: true,
            vertices: vec![vertex],
            slowest: Some(0),
            input_rate: match s {
                Some(records_per_s) => {
                    InputRate::Known { records_per_s, basis: "test".to_owned(), from: RateBasis::UserGiven }
                }
                None => InputRate::Unknown { reason: "S unknown: rules need the input rate".to_owned() },
            },
            labels: Vec::new(),
            vanished: false,
            consumed_per_s: None,
            lag_records: None,
            cross_checks: Vec::new(),
            slot_size: None,
        }
    }

    fn decide(vertex: VertexEvaluation, s: Option<f64>) -> JobDecision {
        decide_job(&job(vertex, s), &DecideOptions::default())
    }

    #[test]
    fn rule_1_reduce_when_output_keeps_up_and_capacity_is_far_above() {
        // P 8, T 2 ms: C = 4000/s against S = 1000/s.
        let decision = decide(vertex("Map", 8, 2.0, 1000.0, 1000.0), Some(1000.0));
        assert_eq!(decision.verdict, Verdict::Reduce, "{}", decision.reason);
        assert!(decision.reason.starts_with("rule 1"), "{}", decision.reason);
        // 1000/s × 2 ms = 2 busy subtasks; / 0.7 = 2.86 → 3.
        assert_eq!(decision.vertices[0].recommended, Some(3));
        assert_eq!(decision.parallelism_change, 5);
        assert!(
            decision.vertices[0].arithmetic.contains("= 2.00 busy subtasks"),
            "{}",
            decision.vertices[0].arithmetic
        );
    }

    #[test]
    fn rule_2_keep_when_capacity_is_about_the_input() {
        // P 3, T 2 ms: C = 1500/s, S = 1000/s: above S but under 2 × S.
        let decision = decide(vertex("Map", 3, 2.0, 1000.0, 990.0), Some(1000.0));
        assert_eq!(decision.verdict, Verdict::Keep, "{}", decision.reason);
    }

    #[test]
    fn rule_3_increase_scales_the_load_by_s_over_o() {
        // P 2, T 4 ms: C = 500/s; O = 500/s against S = 1000/s.
        let decision = decide(vertex("Map", 2, 4.0, 500.0, 500.0), Some(1000.0));
        assert_eq!(decision.verdict, Verdict::Increase, "{}", decision.reason);
        // Demand 500 × 2 = 1000/s × 4 ms = 4 busy subtasks; / 0.7 = 5.71 → 6.
        assert_eq!(decision.vertices[0].recommended, Some(6));
        assert!(decision.vertices[0].arithmetic.contains("S/O 2.00"), "{}", decision.vertices[0].arithmetic);
    }

    #[test]
    fn contradictions_are_inconclusive_with_a_reason() {
        // Output far below S though capacity suffices.
        let decision = decide(vertex("Map", 8, 1.0, 300.0, 300.0), Some(1000.0));
        assert_eq!(decision.verdict, Verdict::Inconclusive);
        assert!(decision.reason.contains("cannot keep up"), "{}", decision.reason);
        // Output keeps up though capacity is below S.
        let decision = decide(vertex("Map", 1, 2.0, 1000.0, 1000.0), Some(1000.0));
        assert_eq!(decision.verdict, Verdict::Inconclusive);
        assert!(decision.reason.contains("inflated"), "{}", decision.reason);
    }

    #[test]
    fn unknown_s_is_said_and_recommendations_still_come_from_t() {
        let decision = decide(vertex("Map", 8, 2.0, 1000.0, 1000.0), None);
        assert_eq!(decision.verdict, Verdict::Inconclusive);
        assert!(decision.reason.starts_with("S unknown: rules need the input rate"), "{}", decision.reason);
        assert_eq!(decision.vertices[0].recommended, Some(3));
    }

    #[test]
    fn unsettled_jobs_get_no_verdict() {
        let mut young = job(vertex("Map", 8, 2.0, 1000.0, 1000.0), Some(1000.0));
        young.settled = false;
        let decision = decide_job(&young, &DecideOptions::default());
        assert_eq!(decision.verdict, Verdict::Inconclusive);
        assert!(decision.reason.contains("not settled"), "{}", decision.reason);
    }

    #[test]
    fn a_job_not_running_gets_no_verdict() {
        let mut failing = job(vertex("Map", 8, 2.0, 1000.0, 1000.0), Some(1000.0));
        failing.state = "RESTARTING".to_owned();
        let decision = decide_job(&failing, &DecideOptions::default());
        assert_eq!(decision.verdict, Verdict::Inconclusive);
        assert_eq!(decision.reason, "job is RESTARTING, not RUNNING");
    }

    #[test]
    fn an_exact_multiple_of_the_target_is_not_rounded_up() {
        // 1400/s × 2 ms = 2.8 busy subtasks; / 0.7 = 4 exactly.
        let decision = decide(vertex("Map", 8, 2.0, 1400.0, 1400.0), None);
        assert_eq!(decision.vertices[0].recommended, Some(4));
    }

    #[test]
    fn keyed_vertices_align_to_a_divisor_of_the_key_groups() {
        let mut keyed = vertex("Window", 8, 3.0, 1000.0, 1000.0);
        keyed.keyed_input = true;
        // 3 busy subtasks / 0.7 = 4.29 → 5 → 8, the next divisor of 128.
        let decision = decide(keyed, None);
        assert_eq!(decision.vertices[0].recommended, Some(8));
        assert!(decision.vertices[0].arithmetic.contains("divisor of 128 key groups"));
    }

    #[test]
    fn sources_align_to_partitions_and_never_exceed_them() {
        let mut source = vertex("Source: Orders", 8, 2.0, 1000.0, 1000.0);
        source.is_source = true;
        source.partitions = Some(6);
        // 3 → 3 is a divisor of 6: unchanged.
        assert_eq!(decide(source.clone(), None).vertices[0].recommended, Some(3));
        source.input_per_s = Some(1500.0); // 3 busy subtasks / 0.7 → 5 → 6.
        assert_eq!(decide(source.clone(), None).vertices[0].recommended, Some(6));
        source.input_per_s = Some(4000.0); // 8 busy subtasks → 12, capped at 6 partitions.
        let decision = decide(source, None);
        assert_eq!(decision.vertices[0].recommended, Some(6));
        assert!(decision.vertices[0].arithmetic.contains("capped at 6 partitions"));
    }

    #[test]
    fn never_above_max_parallelism() {
        let mut hot = vertex("Hot", 4, 10.0, 1000.0, 1000.0);
        hot.max_parallelism = Some(8); // 10 busy subtasks → 15, capped at 8.
        let decision = decide(hot, None);
        assert_eq!(decision.vertices[0].recommended, Some(8));
        assert!(decision.vertices[0].arithmetic.contains("capped at max parallelism 8"));
    }

    #[test]
    fn capacity_from_t_and_from_busy_time_far_apart_is_reported() {
        let mut skewed = vertex("Map", 4, 2.0, 1000.0, 1000.0); // C = 2000/s
        skewed.busy_capacity_per_s = Some(5000.0);
        let decision = decide(skewed, None);
        assert_eq!(decision.disagreements.len(), 1, "{:?}", decision.disagreements);
        assert!(decision.disagreements[0].contains("2.5× apart"), "{}", decision.disagreements[0]);
    }

    #[test]
    fn a_nearly_idle_vertex_is_no_disagreement() {
        // A discarding sink: T of 0.2 µs gives C in the millions, the busy meter's floor far less.
        let mut sink = vertex("Sink", 8, 0.0002, 400.0, 400.0);
        sink.busy_capacity_per_s = Some(44_000.0);
        assert!(decide(sink, None).disagreements.is_empty());
    }

    #[test]
    fn slots_count_the_largest_parallelism_of_each_slot_sharing_group() {
        let mut source = vertex("Source", 8, 0.1, 1000.0, 1000.0);
        source.slot_sharing_group = Some("default".to_owned());
        let mut map = vertex("Map", 8, 2.0, 1000.0, 1000.0); // → 3
        map.slot_sharing_group = Some("default".to_owned());
        let mut evaluation = job(source, Some(1000.0));
        evaluation.vertices.push(map);
        evaluation.slot_size =
            Some(crate::scan::snapshot::SlotSize { cpu_cores: 1.0, memory_bytes: 512 * 1024 * 1024 });
        let decision = decide_job(&evaluation, &DecideOptions::default());
        assert_eq!((decision.slots.current, decision.slots.recommended, decision.slots.freed), (8, 3, 5));
        assert_eq!(decision.slots.cpu_cores, Some(5.0));
        assert_eq!(decision.slots.memory_gb, Some(2.5));
        evaluation.slot_size = None;
        let decision = decide_job(&evaluation, &DecideOptions::default());
        assert_eq!(decision.slots.memory_gb, None);
        assert!(decision.slots.basis.contains("unknown"), "{}", decision.slots.basis);
    }
}
