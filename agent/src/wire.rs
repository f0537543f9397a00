//! Wire formats between Rightsize's own processes: what a sidecar pushes to `rightsize serve`.
//!
//! Versioned like the report documents: `v1` changes only by adding optional fields, so a newer
//! sidecar can push to an older scanner and the other way round.

use serde::{Deserialize, Serialize};

/// Identifies a [`GcPush`] document.
pub const GC_PUSH_SCHEMA: &str = "rightsize.gc-push/v1";

/// Where `rightsize serve` accepts GC analyses (POST, JSON body).
pub const GC_PUSH_PATH: &str = "/api/v1/gc-reports";

/// One push of a sidecar: the current GC analysis of the logs it follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GcPush {
    /// [`GC_PUSH_SCHEMA`].
    pub schema: String,
    /// Idempotency key: a retried push carries the same id, and the receiver stores it once.
    pub id: String,
    pub agent: AgentIdentity,
    /// Increases with every new analysis an agent pushes, across its restarts: the receiver keeps
    /// the highest, so a late retry of an older push never replaces a newer one.
    pub sequence: u64,
    /// When the analysis was made, milliseconds since the Unix epoch.
    pub created_at_ms: i64,
    /// A `rightsize.gc/v1` document (see `report::json`): one entry per JVM run in the logs.
    pub report: serde_json::Value,
}

/// Who pushed: enough to match the push to a TaskManager that Flink REST lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentIdentity {
    /// Stable for one sidecar across restarts (e.g. pod name + log directory).
    pub agent_id: String,
    /// Flink's TaskManager id (`/taskmanagers` → `id`; on Kubernetes, the pod name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taskmanager_id: Option<String>,
    pub host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl GcPush {
    /// Reads a push from a request body, with an error that says what is wrong.
    pub fn from_json(body: &[u8]) -> Result<GcPush, String> {
        let push: GcPush =
            serde_json::from_slice(body).map_err(|error| format!("not a {GC_PUSH_SCHEMA} document: {error}"))?;
        if push.schema != GC_PUSH_SCHEMA {
            return Err(format!("schema {:?} is not supported; expected {GC_PUSH_SCHEMA:?}", push.schema));
        }
        if push.id.is_empty() || push.agent.agent_id.is_empty() {
            return Err("id and agent.agent_id must not be empty".into());
        }
        Ok(push)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_checks_the_schema() {
        let push = GcPush {
            schema: GC_PUSH_SCHEMA.into(),
            id: "tm-1:/opt/flink/log:42".into(),
            agent: AgentIdentity {
                agent_id: "tm-1:/opt/flink/log".into(),
                taskmanager_id: Some("tm-1".into()),
                host: "10.0.0.7".into(),
                pod: Some("tm-1".into()),
                namespace: None,
            },
            sequence: 42,
            created_at_ms: 1_764_000_000_000,
            report: serde_json::json!({ "schema": "rightsize.gc/v1", "instances": [] }),
        };
        let body = serde_json::to_vec(&push).expect("serializes");
        assert_eq!(GcPush::from_json(&body), Ok(push.clone()));

        let mut other = push;
        other.schema = "rightsize.gc-push/v9".into();
        let error = GcPush::from_json(&serde_json::to_vec(&other).expect("serializes")).unwrap_err();
        assert!(error.contains("not supported"), "{error}");
        assert!(GcPush::from_json(b"{}").unwrap_err().contains(GC_PUSH_SCHEMA));
    }
}
