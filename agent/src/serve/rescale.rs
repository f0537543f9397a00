//! `serve --apply`: a confirmed parallelism advice applied in place, through Flink's
//! resource-requirements API (FLIP-291, Flink ≥ 1.18, adaptive scheduler only).
//!
//! Safe by construction: only advice that held for `--alert-after` scans in a row, at most once
//! per streak; only the vertices the advice changes (the others keep their bounds, since Flink
//! wants every vertex in the request); the recommended parallelism becomes the upper bound, and
//! the lower bound drops only when it would exceed it. Flink's adaptive scheduler then restarts
//! the job from its latest checkpoint at the new parallelism. A job under the default scheduler
//! is left as it is: the outcome says so, with the `pipeline.jobvertex-parallelism-overrides`
//! value that applies the advice at the job's next deployment.
//!
//! [`plan`] is pure (the advice and the current bounds give the request); [`apply`] does the two
//! REST calls.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::scan::collect::{FetchError, FlinkClient};
use crate::scan::decide::JobDecision;

/// A vertex's parallelism bounds, as Flink's `/jobs/:jid/resource-requirements` carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bounds {
    #[serde(rename = "lowerBound")]
    pub lower: u32,
    #[serde(rename = "upperBound")]
    pub upper: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct VertexRequirements {
    parallelism: Bounds,
}

/// Every vertex's bounds, by vertex id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Requirements(BTreeMap<String, VertexRequirements>);

impl Requirements {
    pub fn bounds(&self, vertex_id: &str) -> Option<Bounds> {
        self.0.get(vertex_id).map(|vertex| vertex.parallelism)
    }
}

/// One vertex's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub vertex_id: String,
    pub vertex_name: String,
    pub from: u32,
    pub to: u32,
}

/// The request that applies an advice, and what it changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub request: Requirements,
    pub changes: Vec<Change>,
}

/// What became of applying one streak's advice, kept with the job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RescaleRecord {
    pub scan_id: u64,
    pub at_ms: i64,
    /// Flink accepted the new bounds; it restarts the job at them.
    pub applied: bool,
    pub changes: Vec<Change>,
    /// Why it was not applied, or what was done, in a sentence.
    pub explanation: String,
}

/// The request that gives each vertex of `decision` its recommended parallelism, from the job's
/// `current` requirements. `Err` says why there is nothing to apply.
pub fn plan(decision: &JobDecision, current: &Requirements) -> Result<Plan, String> {
    let mut request = current.clone();
    let mut changes = Vec::new();
    for vertex in &decision.vertices {
        let Some(to) = vertex.recommended.filter(|&to| to != vertex.current && to > 0) else { continue };
        let Some(entry) = request.0.get_mut(&vertex.vertex_id) else {
            return Err(format!(
                "vertex {} ({}) is not in the job's resource requirements; the job changed since the scan",
                vertex.vertex_name, vertex.vertex_id
            ));
        };
        entry.parallelism = Bounds { lower: entry.parallelism.lower.min(to), upper: to };
        changes.push(Change {
            vertex_id: vertex.vertex_id.clone(),
            vertex_name: vertex.vertex_name.clone(),
            from: vertex.current,
            to,
        });
    }
    if changes.is_empty() {
        return Err("no vertex has a recommended parallelism other than its current one".to_owned());
    }
    Ok(Plan { request, changes })
}

/// The value of `pipeline.jobvertex-parallelism-overrides` that applies `decision` at the job's
/// next deployment (any scheduler): `vertexId:parallelism,...`.
pub fn overrides(decision: &JobDecision) -> String {
    let pairs: Vec<String> = decision
        .vertices
        .iter()
        .filter_map(|vertex| vertex.recommended.map(|to| format!("{}:{to}", vertex.vertex_id)))
        .collect();
    pairs.join(",")
}

/// How an attempt ended: `Done` is final for the streak (applied, or refused for a reason a retry
/// would not change); `Retry` leaves it due for the next scan.
pub enum Outcome {
    Done(RescaleRecord),
    Retry(String),
}

/// Reads the job's bounds, plans, and PUTs the new ones.
pub fn apply(client: &FlinkClient, job_id: &str, decision: &JobDecision, scan_id: u64, at_ms: i64) -> Outcome {
    let path = format!("/jobs/{job_id}/resource-requirements");
    let record = |applied: bool, changes: Vec<Change>, explanation: String| {
        Outcome::Done(RescaleRecord { scan_id, at_ms, applied, changes, explanation })
    };
    let current: Requirements = match client.get(&path) {
        Ok(current) => current,
        // Flink answers 500 (UnsupportedOperationException) under the default scheduler.
        Err(FetchError::Status(500)) => {
            return record(
                false,
                Vec::new(),
                format!(
                    "not applied: the job does not run under the adaptive scheduler (jobmanager.scheduler: \
                     adaptive, Flink 1.18 or later), the only one that changes parallelism in place; \
                     to apply the advice at the next deployment, set \
                     pipeline.jobvertex-parallelism-overrides: {}",
                    overrides(decision)
                ),
            );
        }
        Err(FetchError::NotFound) => return record(false, Vec::new(), "not applied: the job is gone".to_owned()),
        Err(error) => return Outcome::Retry(format!("GET {path}: {error}")),
    };
    let plan = match plan(decision, &current) {
        Ok(plan) => plan,
        Err(reason) => return record(false, Vec::new(), format!("not applied: {reason}")),
    };
    let body = match serde_json::to_value(&plan.request) {
        Ok(body) => body,
        Err(error) => return Outcome::Retry(format!("request not built: {error}")),
    };
    match client.put_json(&path, &body) {
        Ok(()) => {
            let moves: Vec<String> =
                plan.changes.iter().map(|c| format!("{} {} → {}", c.vertex_name, c.from, c.to)).collect();
            record(
                true,
                plan.changes,
                format!("applied: {}; Flink restarts the job at the new parallelism", moves.join(", ")),
            )
        }
        Err(error @ FetchError::Body(_)) => record(false, plan.changes, format!("not applied: Flink refused: {error}")),
        Err(error) => Outcome::Retry(format!("PUT {path}: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::decide::{SlotSaving, Verdict, VertexRecommendation};

    // Recorded from Flink 2.3.0 under the adaptive scheduler (shared notes, rest-samples).
    const RECORDED: &str = r#"{"cbc357ccb763df2852fee8c4fc7d55f2":{"parallelism":{"lowerBound":1,"upperBound":2}},"6cdc5bb954874d922eaee11a8e7b5dd5":{"parallelism":{"lowerBound":1,"upperBound":2}},"6956f6cfb9b4c96ee4e17f33a2586552":{"parallelism":{"lowerBound":1,"upperBound":2}}}"#;

    fn decision(vertices: &[(&str, u32, Option<u32>)]) -> JobDecision {
        JobDecision {
            verdict: Verdict::Reduce,
            reason: String::new(),
            vertices: vertices
                .iter()
                .map(|&(id, current, recommended)| VertexRecommendation {
                    vertex_id: id.to_owned(),
                    vertex_name: format!("v-{}", &id[..4]),
                    current,
                    recommended,
                    arithmetic: String::new(),
                })
                .collect(),
            parallelism_change: 0,
            disagreements: Vec::new(),
            slots: SlotSaving {
                current: 0,
                recommended: 0,
                freed: 0,
                cpu_cores: None,
                memory_gb: None,
                basis: String::new(),
            },
        }
    }

    #[test]
    fn only_the_changed_vertices_move_and_every_vertex_stays_in_the_request() {
        let current: Requirements = serde_json::from_str(RECORDED).unwrap();
        let advice = decision(&[
            ("cbc357ccb763df2852fee8c4fc7d55f2", 2, Some(1)),
            ("6cdc5bb954874d922eaee11a8e7b5dd5", 2, Some(2)),
            ("6956f6cfb9b4c96ee4e17f33a2586552", 2, None),
        ]);
        let plan = plan(&advice, &current).unwrap();
        assert_eq!(plan.changes.len(), 1);
        assert_eq!((plan.changes[0].from, plan.changes[0].to), (2, 1));
        assert_eq!(plan.request.bounds("cbc357ccb763df2852fee8c4fc7d55f2"), Some(Bounds { lower: 1, upper: 1 }));
        assert_eq!(plan.request.bounds("6956f6cfb9b4c96ee4e17f33a2586552"), Some(Bounds { lower: 1, upper: 2 }));
        let body = serde_json::to_value(&plan.request).unwrap();
        assert_eq!(body.as_object().unwrap().len(), 3, "Flink refuses a request without every vertex");
        assert_eq!(body["cbc357ccb763df2852fee8c4fc7d55f2"]["parallelism"]["upperBound"], 1);
    }

    #[test]
    fn the_lower_bound_drops_only_below_the_new_upper_bound() {
        let current: Requirements =
            serde_json::from_str(r#"{"aaaa0":{"parallelism":{"lowerBound":6,"upperBound":8}}}"#).unwrap();
        let down = plan(&decision(&[("aaaa0", 8, Some(2))]), &current).unwrap();
        assert_eq!(down.request.bounds("aaaa0"), Some(Bounds { lower: 2, upper: 2 }));
        let up = plan(&decision(&[("aaaa0", 8, Some(12))]), &current).unwrap();
        assert_eq!(up.request.bounds("aaaa0"), Some(Bounds { lower: 6, upper: 12 }));
    }

    #[test]
    fn nothing_to_change_or_a_changed_job_is_not_applied() {
        let current: Requirements = serde_json::from_str(RECORDED).unwrap();
        let same = plan(&decision(&[("cbc357ccb763df2852fee8c4fc7d55f2", 2, Some(2))]), &current);
        assert!(same.unwrap_err().contains("no vertex"));
        let unknown = plan(&decision(&[("ffff0000", 2, Some(1))]), &current);
        assert!(unknown.unwrap_err().contains("not in the job's resource requirements"));
    }

    #[test]
    fn overrides_name_every_recommended_vertex() {
        let advice = decision(&[("aaaa0", 8, Some(2)), ("bbbb1", 8, None), ("cccc2", 4, Some(4))]);
        assert_eq!(overrides(&advice), "aaaa0:2,cccc2:4");
    }
}
