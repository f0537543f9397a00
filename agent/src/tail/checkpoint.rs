//! Where the follower got to, persisted so that a restarted sidecar resumes instead of
//! re-reading (duplicates) or skipping (losses).
//!
//! One entry per file: its identity, the committed offset (everything before it has been fully
//! consumed), [`TailCheck`]s of the bytes just before that offset and of those after it that
//! were already delivered, the generation of the file's
//! content (bumped when it was truncated or rewritten in place) and the consumer's mark of the
//! last complete event read from it. The file is replaced atomically (temp file, `fsync`,
//! `rename`, `fsync` of the directory), so a crash leaves the old or the new checkpoint, never
//! half of one. A checkpoint that cannot be parsed is moved aside with a warning and the
//! follower starts as on first sight (every file from its start): re-reading can only produce
//! duplicates, which event ids absorb downstream; guessing an offset could lose events.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::fingerprint::{FileIdentity, TailCheck};

/// The checkpoint format this build reads and writes.
pub const CHECKPOINT_VERSION: u32 = 1;

/// The consumer's note of the last complete event it took from a file: lets a consumer that
/// emitted events beyond the committed offset skip them when they are read again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMark {
    /// The consumer's JVM instance id.
    pub instance: u64,
    /// The consumer's id of the event, e.g. `GC(12) Pause Young @10.025s`.
    pub event: String,
}

/// A position in one file that reading can resume from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCheckpoint {
    pub identity: FileIdentity,
    /// Where the file was last seen; informational, the identity is what is matched.
    pub path: PathBuf,
    /// Bytes before this offset have been consumed.
    pub offset: u64,
    /// The bytes just before `offset`; `None` at offset 0.
    pub tail: Option<TailCheck>,
    /// The first bytes after `offset` that had been delivered but not committed; `None` if
    /// there were none. Content rewritten in place that is identical up to `offset` (a first
    /// line every JVM run writes alike) still differs here.
    #[serde(default)]
    pub ahead: Option<TailCheck>,
    /// Reading stopped inside a line over the length limit: skip to the next newline.
    #[serde(default)]
    pub discarding: bool,
    /// How many times this file's content started over (truncation, rewrite in place).
    pub generation: u64,
    #[serde(default)]
    pub mark: Option<EventMark>,
}

/// Everything the follower persists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub version: u32,
    /// In reading order: after a restart, files are resumed in this order.
    pub files: Vec<FileCheckpoint>,
    /// The consumer's own state at exactly these positions (see
    /// [`super::LineConsumer::committed_state`]): written in the same atomic replacement, so
    /// positions and what was made of the lines before them never disagree after a crash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer: Option<ConsumerState>,
}

/// A consumer's state as JSON text, embedded in the checkpoint as it is.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConsumerState(pub Box<serde_json::value::RawValue>);

impl ConsumerState {
    /// Serializes a state; `None` if it cannot be (a map with non-string keys).
    pub fn of<T: Serialize>(state: &T) -> Option<ConsumerState> {
        let text = serde_json::to_string(state).ok()?;
        serde_json::value::RawValue::from_string(text).ok().map(ConsumerState)
    }

    pub fn json(&self) -> &str {
        self.0.get()
    }
}

impl PartialEq for ConsumerState {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json()
    }
}

impl Eq for ConsumerState {}

impl Default for Checkpoint {
    fn default() -> Self {
        Checkpoint { version: CHECKPOINT_VERSION, files: Vec::new(), consumer: None }
    }
}

/// What loading found.
#[derive(Debug)]
pub enum Loaded {
    /// No checkpoint yet: first start.
    Missing,
    Restored(Checkpoint),
    /// The checkpoint was unreadable and has been moved to `moved_to` (if that worked).
    Corrupt {
        reason: String,
        moved_to: Option<PathBuf>,
    },
}

/// The checkpoint file and its atomic replacement.
#[derive(Debug, Clone)]
pub struct CheckpointStore {
    path: PathBuf,
}

impl CheckpointStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        CheckpointStore { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Loads the checkpoint. Only an I/O error other than "not found" (permissions, a
    /// directory in the way) is an error: a checkpoint the sidecar cannot read it cannot
    /// replace either, and silently starting over would duplicate every event.
    pub fn load(&self) -> io::Result<Loaded> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Loaded::Missing),
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!(
                        "cannot read the checkpoint {}: {e}; fix its permissions or remove it",
                        self.path.display()
                    ),
                ))
            }
        };
        let reason = match serde_json::from_slice::<Checkpoint>(&bytes) {
            Ok(checkpoint) if checkpoint.version == CHECKPOINT_VERSION => return Ok(Loaded::Restored(checkpoint)),
            Ok(checkpoint) => format!(
                "checkpoint version {} is not {CHECKPOINT_VERSION} (written by another rightsize release)",
                checkpoint.version
            ),
            Err(e) => format!("checkpoint is not valid: {e}"),
        };
        let aside = with_suffix(&self.path, ".corrupt");
        let moved_to = fs::rename(&self.path, &aside).ok().map(|_| aside);
        tracing::warn!(
            checkpoint = %self.path.display(),
            moved_to = ?moved_to,
            "{reason}; re-reading every log file from its start (events already reported may be reported again)"
        );
        Ok(Loaded::Corrupt { reason, moved_to })
    }

    /// Replaces the checkpoint atomically: a crash at any point leaves the previous one or
    /// this one.
    pub fn save(&self, checkpoint: &Checkpoint) -> io::Result<()> {
        let json = serde_json::to_vec(checkpoint).map_err(io::Error::other)?;
        let temp = with_suffix(&self.path, ".tmp");
        let mut file = File::create(&temp)?;
        file.write_all(&json)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, &self.path)?;
        sync_parent_dir(&self.path);
        Ok(())
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Makes the rename itself durable. Best effort: not every platform can open a directory.
fn sync_parent_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(parent) = path.parent() {
        let dir = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tail::fingerprint::{FileKey, Fingerprint};

    fn sample() -> Checkpoint {
        Checkpoint {
            version: CHECKPOINT_VERSION,
            files: vec![FileCheckpoint {
                identity: FileIdentity {
                    key: FileKey { dev: 2049, ino: 131_077 },
                    fingerprint: Fingerprint { len: 34, hash: 0x1234_5678_9abc_def0 },
                },
                path: PathBuf::from("/logs/gc.log.3"),
                offset: 52_113,
                tail: Some(TailCheck { len: 256, hash: u64::MAX }),
                ahead: None,
                discarding: false,
                generation: 2,
                mark: Some(EventMark { instance: 1, event: "GC(41) Pause Young @10.025s".into() }),
            }],
            consumer: ConsumerState::of(&serde_json::json!({ "events": 41 })),
        }
    }

    #[test]
    fn a_saved_checkpoint_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = CheckpointStore::new(dir.path().join("checkpoint.json"));
        assert!(matches!(store.load().unwrap(), Loaded::Missing));
        store.save(&sample()).unwrap();
        match store.load().unwrap() {
            Loaded::Restored(loaded) => assert_eq!(loaded, sample()),
            other => panic!("expected the saved checkpoint, got {other:?}"),
        }
    }

    #[test]
    fn saving_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = CheckpointStore::new(dir.path().join("checkpoint.json"));
        store.save(&Checkpoint::default()).unwrap();
        store.save(&sample()).unwrap();
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("checkpoint.json")]);
    }

    #[test]
    fn a_crash_while_saving_leaves_the_previous_checkpoint() {
        // A crash before the rename leaves a torn temp file beside the intact checkpoint.
        let dir = tempfile::tempdir().unwrap();
        let store = CheckpointStore::new(dir.path().join("checkpoint.json"));
        store.save(&sample()).unwrap();
        fs::write(dir.path().join("checkpoint.json.tmp"), b"{\"version\":1,\"fil").unwrap();
        assert!(matches!(store.load().unwrap(), Loaded::Restored(c) if c == sample()));
        // And the next save overwrites the torn temp file.
        store.save(&Checkpoint::default()).unwrap();
        assert!(matches!(store.load().unwrap(), Loaded::Restored(c) if c == Checkpoint::default()));
    }

    #[test]
    fn a_corrupt_checkpoint_is_moved_aside_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.json");
        let store = CheckpointStore::new(&path);
        for garbage in [&b"{\"version\":1,\"files\":[{\"ident"[..], b"\x00\xff\xfe", b"", b"[]"] {
            fs::write(&path, garbage).unwrap();
            match store.load().unwrap() {
                Loaded::Corrupt { moved_to: Some(aside), .. } => {
                    assert_eq!(fs::read(&aside).unwrap(), garbage);
                    assert!(!path.exists());
                }
                other => panic!("expected a corrupt checkpoint, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_checkpoint_of_another_version_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.json");
        fs::write(&path, br#"{"version":99,"files":[]}"#).unwrap();
        let loaded = CheckpointStore::new(&path).load().unwrap();
        assert!(matches!(loaded, Loaded::Corrupt { ref reason, .. } if reason.contains("version 99")), "{loaded:?}");
    }
}
