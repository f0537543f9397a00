//! Following the GC logs a JVM writes, through rotation, truncation and sidecar restarts,
//! without losing or repeating a line.
//!
//! The follower is split the way Vector's file source is, because each part answers one question
//! and can be tested alone:
//!
//! - [`fingerprint`]: *is this the same file?* `(device, inode)` follows renames; a hash of the
//!   first line catches inode reuse; a hash of the bytes before the read position catches a file
//!   rewritten in place to the same size (a JVM restart with `filecount=0`).
//! - [`checkpoint`]: *where were we?* Committed positions per file identity, replaced atomically.
//! - [`reader`]: *what is new?* Polls a directory, matches what it finds to the files it knows by
//!   identity (so a rename is not a new file and a new inode at the old name is), drains renamed
//!   and deleted files through their open descriptors before newer ones, and hands complete
//!   lines in order to a [`reader::LineConsumer`].
//!
//! Everything is synchronous and driven by explicit [`reader::Follower::poll_once`] calls: the
//! sidecar's loop decides the cadence, and tests replay exact schedules without sleeping.

pub mod checkpoint;
pub mod fingerprint;
pub mod reader;

pub use checkpoint::{Checkpoint, CheckpointStore, ConsumerState, EventMark};
pub use fingerprint::{FileIdentity, FileKey, Fingerprint};
pub use reader::{Follower, FollowerConfig, LineConsumer, LineOrigin, Pattern, PollReport, Progress};
