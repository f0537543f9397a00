//! The follower: polls one directory and delivers every complete line of its GC logs once.
//!
//! Each poll lists the files whose names match the pattern and matches them to the files it
//! already follows by `(device, inode)`, not by name:
//!
//! - **Rotation** (JDK 9+ `gc.log` → `gc.log.N`, JDK 8 `gc.log.N.current` → `gc.log.N`) keeps
//!   the inode, so the archive is the same followed file under a new name, read on from where it
//!   was; the new active file is a new inode, read from 0 *after* the files known before it.
//!   Nothing special is needed for JDK 8's `.current` switch: it is a rename plus a new file.
//! - **Deletion** (the JVM drops its oldest archive when the index wraps): the open descriptor
//!   still reads the file, so it is drained to its end before it is forgotten.
//! - **Truncation or rewrite in place** (JVM restart with `filecount=0`, JDK 8 restart,
//!   copytruncate): the inode stays, but the first line's fingerprint no longer matches, or the
//!   file is shorter than the read position, or the bytes before the read position changed
//!   (the "same size again" case), or, on resuming from the checkpoint, the bytes after it that
//!   had been delivered before the restart changed. The file starts over at 0 with a new *generation*, and the
//!   consumer is told ([`LineConsumer::started_over`]): whatever it half-built from that file
//!   belongs to a JVM that is gone.
//! - **New files** (a JVM start with `%p`/`%t` names, a log that appears late) are read from 0,
//!   oldest first (modification time; on a tie archives before the active file, then by index).
//! - **Partial lines** are left in the file: the read position only ever advances past a
//!   newline, so the tail is read again, whole, once the JVM finished writing it. Lines over
//!   [`MAX_LINE_LEN`] are delivered as [`Line::TooLong`] with their first bytes and skipped.
//!
//! **No duplicates after a restart** comes from resuming exactly at committed offsets. The
//! consumer answers every line with [`Progress`]: `Committed` means everything delivered so far
//! is fully processed (no half-built event pending), so a restart may resume after that line;
//! `Pending` means a restart must re-deliver it. The checkpoint stores, per file, the committed
//! offset (with the fingerprint and tail check that make it safe to trust), the generation and
//! the consumer's [`EventMark`] of the last complete event. It is written at the end of a poll
//! that moved it (at most every [`FollowerConfig::min_save_interval`]). The consumer's own state
//! (aggregates) either rides in the same atomic write ([`LineConsumer::committed_state`]), or
//! must be persisted at the same moments, or it can skip re-delivered events up to the marks
//! ([`Follower::resume_marks`]).

use std::cmp::Ordering;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use crate::gc::source::lines::{Line, MAX_LINE_LEN};
use crate::gc::source::rotation::rotation_index;

use super::checkpoint::{
    Checkpoint, CheckpointStore, ConsumerState, EventMark, FileCheckpoint, Loaded, CHECKPOINT_VERSION,
};
use super::fingerprint::{
    read_full_at, FileIdentity, FileKey, Fingerprint, TailCheck, FINGERPRINT_MAX_LEN, TAIL_CHECK_MAX_LEN,
};

/// Matches `gc.log`, `gc.log.3`, `gc.log.3.current`, `gc-4711.log`, `gc-4711-2026-11-25_03-10-00.log.0`.
pub const DEFAULT_PATTERN: &str = "gc*.log*";

/// Listings a file may be missing from before it is forgotten (while it still has a name) or
/// before a checkpointed file that was not found is given up. A directory listing that runs
/// while the JVM renames a file may show neither name (POSIX allows it); forgetting the file
/// then would read it again from its start when it shows up under its new name.
const MISSED_LISTINGS: u8 = 3;

/// Bytes read per call. At least [`MAX_LINE_LEN`], so that a chunk without a newline proves the
/// line too long. Bounded so a backlog never becomes one big allocation.
const CHUNK_LEN: usize = MAX_LINE_LEN;

/// Archives an external rotator compressed: copies of content already read from the original.
const COMPRESSED_SUFFIXES: [&str; 6] = [".gz", ".zip", ".bz2", ".xz", ".zst", ".lz4"];

/// What to follow and where to keep the checkpoint.
#[derive(Debug, Clone)]
pub struct FollowerConfig {
    /// The directory the JVM writes its GC logs into. Only files directly inside it are read.
    pub dir: PathBuf,
    /// File names to follow: `*` matches any run of characters, `?` one character.
    pub pattern: String,
    /// Where to persist positions. `None`: nothing survives the process.
    pub checkpoint: Option<PathBuf>,
    /// Positions that moved are written at the end of a poll at most this often (zero: every
    /// poll). A crash re-delivers what was read since the last write; with the consumer's state
    /// in the same write, that costs re-reading, never a duplicate.
    pub min_save_interval: Duration,
}

impl FollowerConfig {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FollowerConfig {
            dir: dir.into(),
            pattern: DEFAULT_PATTERN.to_string(),
            checkpoint: None,
            min_save_interval: Duration::ZERO,
        }
    }
}

/// Where a delivered line came from.
#[derive(Debug, Clone, Copy)]
pub struct LineOrigin<'a> {
    /// The file's name when it was listed last (it may have been renamed since).
    pub path: &'a Path,
    pub identity: FileIdentity,
    /// Byte offset of the line's first byte in the file.
    pub offset: u64,
    /// How many times the file started over; lines of different generations belong to
    /// different JVM runs.
    pub generation: u64,
}

/// The consumer's answer to a line: may a restart resume after it?
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// The line is part of something unfinished (an event not yet complete): a restart must
    /// deliver it again.
    Pending,
    /// Everything delivered so far is processed; optionally the last complete event, kept in
    /// the checkpoint for the file this line came from.
    Committed(Option<EventMark>),
}

/// Receives lines in the order the JVM wrote them.
pub trait LineConsumer {
    /// A line without its `\n` (a `\r` before it is left in place).
    fn line(&mut self, line: Line<'_>, origin: &LineOrigin<'_>) -> Progress;

    /// The content of the file at `path` was replaced (truncated or rewritten in place): lines
    /// from it that were not followed by a commit will never complete, and what comes next is a
    /// new JVM run. A consumer that closes what it half-built from that file answers
    /// `Committed`; the default keeps everything pending.
    fn started_over(&mut self, _path: &Path, _key: FileKey) -> Progress {
        Progress::Pending
    }

    /// The consumer's state as of the last line it answered `Committed`, to be saved with the
    /// positions in one atomic write and handed back by [`Follower::take_restored_state`]. Asked
    /// only when positions moved. The default keeps no state.
    fn committed_state(&mut self) -> Option<ConsumerState> {
        None
    }
}

/// What one poll did.
#[derive(Debug, Default)]
pub struct PollReport {
    /// Lines delivered (complete and too long).
    pub lines: u64,
    /// Bytes consumed, newlines included.
    pub bytes: u64,
    /// Files followed after this poll.
    pub files: usize,
    /// Files whose content started over (truncation, rewrite in place).
    pub started_over: u32,
    /// The directory does not exist (yet): nothing was listed, open files were still drained.
    pub directory_missing: bool,
    /// Problems with single files or the checkpoint; the rest of the poll went on.
    pub errors: Vec<String>,
}

/// A read position and the evidence that it is still valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Position {
    offset: u64,
    tail: Option<TailCheck>,
    /// Inside a line over the length limit: bytes up to the next newline are skipped.
    discarding: bool,
    /// Only on a position resumed from the checkpoint: the bytes after it that were delivered
    /// before the restart, checked once at the first read.
    ahead: Option<TailCheck>,
}

struct FollowedFile {
    key: FileKey,
    /// `None` until the first line is complete: nothing can be delivered before that anyway.
    fingerprint: Option<Fingerprint>,
    path: PathBuf,
    file: File,
    /// Delivered up to here.
    read: Position,
    /// Consumed up to here: where a restart resumes.
    committed: Position,
    mark: Option<EventMark>,
    generation: u64,
    /// Listed in the latest poll. A file that is not is drained, then forgotten once it is
    /// deleted or has been missing from [`MISSED_LISTINGS`] listings in a row.
    listed: bool,
    /// Consecutive listings that did not show the file.
    missed: u8,
}

impl FollowedFile {
    fn identity(&self) -> Option<FileIdentity> {
        self.fingerprint.map(|fingerprint| FileIdentity { key: self.key, fingerprint })
    }
}

/// A matching file found in the directory.
struct Listed {
    path: PathBuf,
    name: String,
    key: FileKey,
    modified: Option<SystemTime>,
}

/// Follows the GC logs of one directory. Call [`Follower::poll_once`] periodically.
pub struct Follower {
    dir: PathBuf,
    pattern: Pattern,
    store: Option<CheckpointStore>,
    /// In delivery order: files known longer come first.
    files: Vec<FollowedFile>,
    /// Checkpointed files not found yet; given up after [`MISSED_LISTINGS`] listings.
    resumable: Vec<FileCheckpoint>,
    /// Successful listings since the follower started.
    listings: u8,
    last_saved: Option<Checkpoint>,
    last_save_at: Option<Instant>,
    min_save_interval: Duration,
    restored_state: Option<ConsumerState>,
    startup_warning: Option<String>,
    buf: Vec<u8>,
}

impl Follower {
    /// Creates a follower, resuming from the checkpoint if there is one. Fails only on a bad
    /// pattern or a checkpoint that exists but cannot be read; a corrupt one is set aside (see
    /// [`Follower::startup_warning`]).
    pub fn new(config: FollowerConfig) -> io::Result<Self> {
        let pattern = Pattern::new(&config.pattern)?;
        let store = config.checkpoint.map(CheckpointStore::new);
        let mut startup_warning = None;
        let mut resumable = Vec::new();
        let mut restored_state = None;
        if let Some(store) = &store {
            match store.load()? {
                Loaded::Missing => {}
                Loaded::Restored(checkpoint) => {
                    restored_state = checkpoint.consumer;
                    for entry in checkpoint.files {
                        match validate(&entry) {
                            Ok(()) => resumable.push(entry),
                            Err(reason) => {
                                let warning = format!(
                                    "checkpoint entry for {} is inconsistent ({reason}); that file is read again from its start",
                                    entry.path.display()
                                );
                                tracing::warn!("{warning}");
                                startup_warning = Some(warning);
                            }
                        }
                    }
                }
                Loaded::Corrupt { reason, .. } => startup_warning = Some(reason),
            }
        }
        Ok(Follower {
            dir: config.dir,
            pattern,
            store,
            files: Vec::new(),
            resumable,
            listings: 0,
            last_saved: None,
            last_save_at: None,
            min_save_interval: config.min_save_interval,
            restored_state,
            startup_warning,
            buf: vec![0; TAIL_CHECK_MAX_LEN + CHUNK_LEN],
        })
    }

    /// The consumer state saved with the checkpoint this follower resumed from (once).
    pub fn take_restored_state(&mut self) -> Option<ConsumerState> {
        self.restored_state.take()
    }

    /// Writes the checkpoint now if positions moved, whatever the save interval (at shutdown).
    pub fn save_now(&mut self, consumer: &mut dyn LineConsumer) -> io::Result<()> {
        self.last_save_at = None;
        self.save_checkpoint(consumer)
    }

    /// Why the checkpoint (or part of it) was not used, if it was not.
    pub fn startup_warning(&self) -> Option<&str> {
        self.startup_warning.as_deref()
    }

    /// The consumer's marks from the checkpoint, for files not re-found yet (call before the
    /// first poll to learn which events were already emitted).
    pub fn resume_marks(&self) -> impl Iterator<Item = (&Path, &EventMark)> {
        self.resumable.iter().filter_map(|entry| entry.mark.as_ref().map(|mark| (entry.path.as_path(), mark)))
    }

    /// Lists the directory, reads everything new, delivers complete lines to `consumer` and
    /// writes the checkpoint if it moved. Errors only if the directory cannot be listed for a
    /// reason other than not existing; problems with single files land in the report.
    pub fn poll_once(&mut self, consumer: &mut dyn LineConsumer) -> io::Result<PollReport> {
        let mut report = PollReport::default();
        let new = match self.list() {
            Ok(listed) => self.match_known(listed),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                report.directory_missing = true;
                Vec::new()
            }
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!(
                        "cannot list the GC log directory {}: {e}; check that it is mounted and readable",
                        self.dir.display()
                    ),
                ))
            }
        };
        self.check_known(consumer, &mut report);
        if !report.directory_missing {
            self.follow_new(new, &mut report);
        }
        for index in 0..self.files.len() {
            if let Err(e) = read_new(&mut self.files, index, &mut self.buf, consumer, &mut report) {
                report.errors.push(format!("{}: {e}", self.files[index].path.display()));
            }
        }
        if !report.directory_missing {
            // Renamed out of the pattern or deleted, and drained above.
            self.files.retain(|file| file.listed || (file.missed < MISSED_LISTINGS && still_linked(&file.file)));
        }
        report.files = self.files.len();
        let due = self.last_save_at.is_none_or(|at| at.elapsed() >= self.min_save_interval);
        if let Err(e) = if due { self.save_checkpoint(consumer) } else { Ok(()) } {
            report.errors.push(e.to_string());
        }
        Ok(report)
    }

    /// Checks that the files followed still hold what was read. Content replaced in place, or
    /// the first line of a file that was empty so far, is newer than the content of the other
    /// known files (but older than files that appear in this poll): such files move behind them.
    fn check_known(&mut self, consumer: &mut dyn LineConsumer, report: &mut PollReport) {
        let mut renewed = vec![false; self.files.len()];
        for (index, renewed) in renewed.iter_mut().enumerate() {
            let file = &mut self.files[index];
            let outcome = if file.fingerprint.is_none() {
                Fingerprint::read(&file.file).map(|fingerprint| {
                    file.fingerprint = fingerprint;
                    *renewed = fingerprint.is_some();
                })
            } else {
                match content_unchanged(file, &mut self.buf) {
                    Ok(true) => Ok(()),
                    Ok(false) => {
                        *renewed = true;
                        start_over(&mut self.files, index, consumer, report)
                    }
                    Err(e) => Err(e),
                }
            };
            if let Err(e) = outcome {
                report.errors.push(format!("{}: {e}", self.files[index].path.display()));
            }
        }
        if !renewed.contains(&true) {
            return;
        }
        let (known, renewed): (Vec<_>, Vec<_>) =
            renewed.into_iter().zip(self.files.drain(..)).partition(|(renewed, _)| !renewed);
        // Several files renewed since the last poll: oldest first, like new files.
        let mut renewed: Vec<(Option<SystemTime>, String, FollowedFile)> = renewed
            .into_iter()
            .map(|(_, file)| {
                let name = file.path.file_name().and_then(|name| name.to_str()).unwrap_or_default().to_string();
                (file.file.metadata().and_then(|metadata| metadata.modified()).ok(), name, file)
            })
            .collect();
        renewed.sort_by(|a, b| age_order((a.0, &a.1), (b.0, &b.1)));
        self.files.extend(known.into_iter().map(|(_, file)| file));
        self.files.extend(renewed.into_iter().map(|(_, _, file)| file));
    }

    /// Writes the checkpoint now if it changed since the last write (e.g. at shutdown).
    fn save_checkpoint(&mut self, consumer: &mut dyn LineConsumer) -> io::Result<()> {
        let Some(store) = &self.store else { return Ok(()) };
        let mut files: Vec<FileCheckpoint> = self
            .files
            .iter()
            .filter_map(|file| {
                Some(FileCheckpoint {
                    identity: file.identity()?,
                    path: file.path.clone(),
                    offset: file.committed.offset,
                    tail: file.committed.tail,
                    discarding: file.committed.discarding,
                    ahead: file.committed.ahead.or_else(|| delivered_ahead(file)),
                    generation: file.generation,
                    mark: file.mark.clone(),
                })
            })
            .collect();
        // Not re-found yet because the directory is missing: keep them for later.
        files.extend(self.resumable.iter().cloned());
        if self.last_saved.as_ref().is_some_and(|saved| saved.files == files) {
            return Ok(());
        }
        let checkpoint = Checkpoint { version: CHECKPOINT_VERSION, files, consumer: consumer.committed_state() };
        store.save(&checkpoint).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "cannot write the checkpoint {}: {e}; positions will be retried on the next poll",
                    store.path().display()
                ),
            )
        })?;
        // Only the positions are compared next time; the consumer's state need not stay in memory.
        self.last_saved = Some(Checkpoint { consumer: None, ..checkpoint });
        self.last_save_at = Some(Instant::now());
        Ok(())
    }

    /// Regular files directly in the directory whose names match, not compressed, not the
    /// checkpoint. Symbolic links are not followed: the follower reads nothing outside its
    /// directory.
    fn list(&self) -> io::Result<Vec<Listed>> {
        let own_files: Vec<PathBuf> = match &self.store {
            Some(store) => [".tmp", ".corrupt", ""]
                .iter()
                .map(|suffix| {
                    let mut name = store.path().as_os_str().to_os_string();
                    name.push(suffix);
                    PathBuf::from(name)
                })
                .collect(),
            None => Vec::new(),
        };
        let mut listed = Vec::new();
        for entry in fs::read_dir(&self.dir)? {
            let Ok(entry) = entry else { continue };
            let Ok(name) = entry.file_name().into_string() else { continue };
            if !self.pattern.matches(&name) || COMPRESSED_SUFFIXES.iter().any(|suffix| name.ends_with(suffix)) {
                continue;
            }
            let path = entry.path();
            if own_files.contains(&path) {
                continue;
            }
            // `DirEntry::metadata` does not follow symbolic links.
            let Ok(metadata) = entry.metadata() else { continue };
            if !metadata.is_file() {
                continue;
            }
            listed.push(Listed { path, name, key: FileKey::of(&metadata), modified: metadata.modified().ok() });
        }
        Ok(listed)
    }

    /// Matches the listing to the followed files by key; returns the files not followed yet.
    fn match_known(&mut self, listed: Vec<Listed>) -> Vec<Listed> {
        let mut new = Vec::new();
        for file in &mut self.files {
            file.listed = false;
            file.missed = file.missed.saturating_add(1);
        }
        for entry in listed {
            match self.files.iter_mut().find(|file| file.key == entry.key) {
                // Hard links: one name is enough.
                Some(file) if file.listed => {}
                Some(file) => {
                    file.listed = true;
                    file.missed = 0;
                    file.path = entry.path;
                }
                None if new.iter().any(|other: &Listed| other.key == entry.key) => {}
                None => new.push(entry),
            }
        }
        new
    }

    /// Starts following newly listed files, after the known ones: resumed ones in checkpoint
    /// order, then new ones oldest first.
    fn follow_new(&mut self, new: Vec<Listed>, report: &mut PollReport) {
        let mut opened = Vec::new();
        for entry in new {
            match self.open_new(entry) {
                Ok(Some(opened_file)) => opened.push(opened_file),
                Ok(None) => {}
                Err((path, e)) => report.errors.push(format!("{}: {e}", path.display())),
            }
        }
        opened.sort_by(|(a, a_rank), (b, b_rank)| match (a_rank, b_rank) {
            (Some(a_rank), Some(b_rank)) => a_rank.cmp(b_rank),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => age_order((a.modified, &a.name), (b.modified, &b.name)),
        });
        let mut resumed_keys = Vec::new();
        for (new_file, rank) in opened {
            if rank.is_some() {
                resumed_keys.push(new_file.followed.key);
            }
            self.files.push(new_file.followed);
        }
        self.resumable.retain(|entry| !resumed_keys.contains(&entry.identity.key));
        // Whatever was not re-found after a few listings is gone.
        self.listings = self.listings.saturating_add(1);
        if self.listings >= MISSED_LISTINGS {
            self.resumable.clear();
        }
    }

    /// Opens a newly listed file; returns it with its rank in the checkpoint if it resumes
    /// there. `None` if it vanished in between.
    #[allow(clippy::type_complexity)]
    fn open_new(&mut self, entry: Listed) -> Result<Option<(NewFile, Option<usize>)>, (PathBuf, io::Error)> {
        let file = match File::open(&entry.path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err((entry.path, e)),
        };
        // The name may have been replaced between listing and opening.
        let key = file.metadata().map(|metadata| FileKey::of(&metadata)).map_err(|e| (entry.path.clone(), e))?;
        if key != entry.key {
            return Ok(None);
        }
        let resumed = self.resumable.iter().position(|checkpoint| {
            checkpoint.identity.key == key && checkpoint.identity.fingerprint.matches(&file).unwrap_or(false)
        });
        let mut followed = FollowedFile {
            key,
            fingerprint: None,
            path: entry.path,
            file,
            read: Position::default(),
            committed: Position::default(),
            mark: None,
            generation: 0,
            listed: true,
            missed: 0,
        };
        let rank = match resumed {
            Some(rank) => {
                let checkpoint = &self.resumable[rank];
                let position = Position {
                    offset: checkpoint.offset,
                    tail: checkpoint.tail,
                    discarding: checkpoint.discarding,
                    ahead: checkpoint.ahead,
                };
                followed.fingerprint = Some(checkpoint.identity.fingerprint);
                followed.read = position.clone();
                followed.committed = position;
                followed.mark = checkpoint.mark.clone();
                followed.generation = checkpoint.generation;
                Some(rank)
            }
            None => None,
        };
        Ok(Some((NewFile { followed, name: entry.name, modified: entry.modified }, rank)))
    }
}

/// A file seen for the first time in this poll, with what orders it among its peers.
struct NewFile {
    followed: FollowedFile,
    name: String,
    modified: Option<SystemTime>,
}

/// Older first. Modification times tie when several files were written within one clock tick;
/// then an archive comes before an active file (it was complete before the active one began),
/// archives by rotation index, and finally by name.
fn age_order(a: (Option<SystemTime>, &str), b: (Option<SystemTime>, &str)) -> Ordering {
    let active = |name: &str| name.ends_with(".current") || rotation_index(name).is_none();
    a.0.cmp(&b.0)
        .then_with(|| active(a.1).cmp(&active(b.1)))
        .then_with(|| rotation_index(a.1).cmp(&rotation_index(b.1)))
        .then_with(|| a.1.cmp(b.1))
}

/// A check of the first bytes after the committed position that were already delivered, read
/// in one piece with the bytes before it so that both describe the same content.
fn delivered_ahead(file: &FollowedFile) -> Option<TailCheck> {
    let ahead_len = file.read.offset.checked_sub(file.committed.offset)?.min(TAIL_CHECK_MAX_LEN as u64) as usize;
    if ahead_len == 0 {
        return None;
    }
    let window = file.committed.tail.map_or(0, |tail| tail.len as usize);
    let mut buf = [0u8; 2 * TAIL_CHECK_MAX_LEN];
    let piece = buf.get_mut(..window + ahead_len)?;
    let got = read_full_at(&file.file, piece, file.committed.offset.saturating_sub(window as u64)).ok()?;
    let still_there = got == piece.len() && file.committed.tail.is_none_or(|tail| tail.matches(&piece[..window]));
    if still_there {
        TailCheck::of(&piece[window..])
    } else {
        None
    }
}

/// Whether the open file still has a name somewhere (it was not deleted): such a file missing
/// from a listing was renamed out of the pattern, or the listing raced with a rename.
fn still_linked(file: &File) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        file.metadata().is_ok_and(|metadata| metadata.nlink() > 0)
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        false
    }
}

/// Rejects checkpoint entries whose numbers cannot describe a real position.
fn validate(entry: &FileCheckpoint) -> Result<(), &'static str> {
    let fingerprint_len = entry.identity.fingerprint.len as usize;
    if fingerprint_len == 0 || fingerprint_len > FINGERPRINT_MAX_LEN {
        return Err("fingerprint length out of range");
    }
    if entry.ahead.is_some_and(|ahead| ahead.len == 0 || ahead.len as usize > TAIL_CHECK_MAX_LEN) {
        return Err("look-ahead check length out of range");
    }
    match entry.tail {
        None if entry.offset > 0 => Err("no tail check for a nonzero offset"),
        Some(tail) if tail.len == 0 || tail.len as usize > TAIL_CHECK_MAX_LEN || u64::from(tail.len) > entry.offset => {
            Err("tail check length out of range")
        }
        _ => Ok(()),
    }
}

/// Whether the file still starts with the fingerprinted line and still holds the bytes before
/// the read position.
fn content_unchanged(file: &FollowedFile, buf: &mut [u8]) -> io::Result<bool> {
    let Some(fingerprint) = file.fingerprint else { return Ok(true) };
    if !fingerprint.matches(&file.file)? {
        return Ok(false);
    }
    let Some(tail) = file.read.tail else { return Ok(true) };
    let window = &mut buf[..tail.len as usize];
    let got = read_full_at(&file.file, window, file.read.offset.saturating_sub(tail.len as u64))?;
    Ok(got == window.len() && tail.matches(window))
}

/// Reads what is new in `files[index]` and delivers it. The bytes before the position are
/// checked again with every chunk: the file may be rewritten while it is read.
fn read_new(
    files: &mut [FollowedFile],
    index: usize,
    buf: &mut [u8],
    consumer: &mut dyn LineConsumer,
    report: &mut PollReport,
) -> io::Result<()> {
    let file = &mut files[index];
    if file.fingerprint.is_none() {
        file.fingerprint = Fingerprint::read(&file.file)?;
        if file.fingerprint.is_none() {
            return Ok(());
        }
    }
    let mut committed_any = false;
    let mut started_over = false;
    loop {
        let file = &mut files[index];
        let window = file.read.tail.map_or(0, |tail| tail.len as usize);
        let start = file.read.offset.saturating_sub(window as u64);
        let got = read_full_at(&file.file, &mut buf[..window + CHUNK_LEN], start)?;
        let ahead_len = file.read.ahead.map_or(0, |ahead| ahead.len as usize);
        let unchanged = got >= window + ahead_len
            && file.read.tail.is_none_or(|tail| tail.matches(&buf[..window]))
            && file.read.ahead.is_none_or(|ahead| ahead.matches(&buf[window..window + ahead_len]));
        if !unchanged {
            // Shorter than the position, or different bytes around it: replaced in place.
            // Once per poll at most, so a file rewritten continuously cannot spin this loop.
            if started_over {
                break;
            }
            started_over = true;
            start_over(files, index, consumer, report)?;
            if files[index].fingerprint.is_none() {
                break;
            }
            continue;
        }
        file.read.ahead = None;
        file.committed.ahead = None;
        if got == window {
            break;
        }
        let consumed = deliver(file, &buf[..got], window, consumer, report, &mut committed_any);
        if consumed == 0 || got < window + CHUNK_LEN {
            break;
        }
    }
    if committed_any {
        commit_others(files, index);
    }
    Ok(())
}

/// A commit covers everything delivered before it, from every file.
fn commit_others(files: &mut [FollowedFile], index: usize) {
    for (other_index, other) in files.iter_mut().enumerate() {
        if other_index != index {
            other.committed = other.read.clone();
        }
    }
}

/// Delivers the complete lines of `buf[window..]` (which starts at `file.read.offset`; the
/// `window` bytes before it are the tail-checked ones). Returns the bytes consumed.
fn deliver(
    file: &mut FollowedFile,
    buf: &[u8],
    window: usize,
    consumer: &mut dyn LineConsumer,
    report: &mut PollReport,
    committed_any: &mut bool,
) -> usize {
    let Some(identity) = file.identity() else { return 0 };
    let data = &buf[window..];
    let base = file.read.offset;
    let mut pos = 0;
    // The committed position follows the read position through skipped bytes of a long line
    // whose head was committed.
    let mut glued = file.committed == file.read;
    let position_at = |pos: usize, discarding: bool| Position {
        offset: base + pos as u64,
        tail: TailCheck::of(&buf[..window + pos]),
        discarding,
        ahead: None,
    };
    let mut discarding = file.read.discarding;
    while pos < data.len() {
        let newline = memchr::memchr(b'\n', &data[pos..]);
        if discarding {
            pos = newline.map_or(data.len(), |at| pos + at + 1);
            discarding = newline.is_none();
            if glued {
                file.committed = position_at(pos, discarding);
            }
            continue;
        }
        let origin = LineOrigin { path: &file.path, identity, offset: base + pos as u64, generation: file.generation };
        let (line, end) = match newline {
            Some(at) => (Line::Complete(&data[pos..pos + at]), pos + at + 1),
            // No newline within a whole chunk: the line is over the limit.
            None if pos == 0 && data.len() >= MAX_LINE_LEN => {
                discarding = true;
                (Line::TooLong(&data[..MAX_LINE_LEN]), data.len())
            }
            // A partial line: left for the next poll.
            None => break,
        };
        let progress = consumer.line(line, &origin);
        report.lines += 1;
        pos = end;
        match progress {
            Progress::Pending => glued = false,
            Progress::Committed(mark) => {
                file.committed = position_at(pos, discarding);
                if mark.is_some() {
                    file.mark = mark;
                }
                glued = true;
                *committed_any = true;
            }
        }
    }
    if pos > 0 {
        file.read = position_at(pos, discarding);
        report.bytes += pos as u64;
    }
    pos
}

/// The file's content was replaced: forget the old position and read the new content from 0.
fn start_over(
    files: &mut [FollowedFile],
    index: usize,
    consumer: &mut dyn LineConsumer,
    report: &mut PollReport,
) -> io::Result<()> {
    let file = &mut files[index];
    let committed = consumer.started_over(&file.path, file.key) != Progress::Pending;
    report.started_over += 1;
    file.generation = file.generation.saturating_add(1);
    file.read = Position::default();
    file.committed = Position::default();
    file.mark = None;
    let fingerprint = Fingerprint::read(&file.file);
    file.fingerprint = fingerprint.as_ref().ok().copied().flatten();
    if committed {
        commit_others(files, index);
    }
    fingerprint.map(|_| ())
}

/// A file-name pattern: `*` is any run of characters, `?` any one character. Shared by the
/// follower and the scanner's choice of GC log files among a TaskManager's logs.
#[derive(Debug, Clone)]
pub struct Pattern {
    chars: Vec<char>,
}

impl Pattern {
    pub fn new(pattern: &str) -> io::Result<Self> {
        if pattern.is_empty() || pattern.contains('/') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("file pattern {pattern:?} must be a non-empty file name like \"gc*.log*\"; put the directory in the directory setting"),
            ));
        }
        Ok(Pattern { chars: pattern.chars().collect() })
    }

    /// Iterative wildcard matching with backtracking to the last `*`: linear in practice,
    /// never exponential.
    pub fn matches(&self, name: &str) -> bool {
        let name: Vec<char> = name.chars().collect();
        let (mut p, mut n) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while n < name.len() {
            match self.chars.get(p) {
                Some('*') => {
                    star = Some((p, n));
                    p += 1;
                }
                Some(&c) if c == '?' || c == name[n] => {
                    p += 1;
                    n += 1;
                }
                _ => match star {
                    Some((star_p, star_n)) => {
                        p = star_p + 1;
                        n = star_n + 1;
                        star = Some((star_p, star_n + 1));
                    }
                    None => return false,
                },
            }
        }
        self.chars[p..].iter().all(|&c| c == '*')
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Real lines (jdk9-15-ujl-parallel/gctoolkit/parallelgc.log).
    const LINES: [&str; 4] = [
        "[0.009s][info][gc] Using Parallel",
        "[10.020s][info][gc,start     ] GC(0) Pause Young (Allocation Failure)",
        "[10.025s][debug][gc,phases    ] GC(0) Scavenge 4.410ms",
        "[10.025s][debug][gc,phases    ] GC(0) Reference Processing 0.048ms",
    ];

    /// Records every line and commits each one.
    #[derive(Default)]
    struct Recorder {
        lines: Vec<String>,
        started_over: usize,
    }

    impl LineConsumer for Recorder {
        fn line(&mut self, line: Line<'_>, _origin: &LineOrigin<'_>) -> Progress {
            let text = match line {
                Line::Complete(bytes) => String::from_utf8_lossy(bytes).into_owned(),
                Line::TooLong(head) => format!("<too long: {} bytes>", head.len()),
            };
            self.lines.push(text);
            Progress::Committed(None)
        }

        fn started_over(&mut self, _path: &Path, _key: FileKey) -> Progress {
            self.started_over += 1;
            Progress::Committed(None)
        }
    }

    fn append(path: &Path, text: &str) {
        let mut file = fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
        file.write_all(text.as_bytes()).unwrap();
    }

    fn lines(range: std::ops::Range<usize>) -> String {
        LINES[range].iter().map(|line| format!("{line}\n")).collect()
    }

    fn follower(dir: &Path) -> Follower {
        let mut config = FollowerConfig::new(dir);
        config.checkpoint = Some(dir.join("rightsize-checkpoint.json"));
        Follower::new(config).unwrap()
    }

    fn poll(follower: &mut Follower, recorder: &mut Recorder) -> PollReport {
        let report = follower.poll_once(recorder).unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        report
    }

    #[test]
    fn pattern_matching() {
        let pattern = Pattern::new(DEFAULT_PATTERN).unwrap();
        for name in ["gc.log", "gc.log.0", "gc.log.12.current", "gc-4711.log", "gc-4711-2026-11-25_03-10-00.log.3"] {
            assert!(pattern.matches(name), "{name}");
        }
        for name in ["rightsize-checkpoint.json", "app.log", "gc.txt", ""] {
            assert!(!pattern.matches(name), "{name}");
        }
        let exact = Pattern::new("gc.log").unwrap();
        assert!(exact.matches("gc.log") && !exact.matches("gc.log.0"));
        assert!(Pattern::new("g?.l*g").unwrap().matches("gc.log"));
        assert!(Pattern::new("logs/gc.log").is_err());
        assert!(Pattern::new("").is_err());
    }

    #[test]
    fn a_directory_that_appears_late() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("logs");
        let mut follower = Follower::new(FollowerConfig::new(&dir)).unwrap();
        let mut recorder = Recorder::default();
        assert!(poll(&mut follower, &mut recorder).directory_missing);
        fs::create_dir(&dir).unwrap();
        append(&dir.join("gc.log"), &lines(0..2));
        poll(&mut follower, &mut recorder);
        assert_eq!(recorder.lines, LINES[0..2]);
    }

    #[test]
    fn partial_lines_wait_for_their_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gc.log");
        let mut follower = follower(dir.path());
        let mut recorder = Recorder::default();
        append(&path, &LINES[0][..10]);
        poll(&mut follower, &mut recorder);
        assert!(recorder.lines.is_empty(), "no complete first line yet");
        append(&path, &format!("{}\n{}", &LINES[0][10..], &LINES[1][..5]));
        poll(&mut follower, &mut recorder);
        assert_eq!(recorder.lines, LINES[0..1]);
        append(&path, &format!("{}\n", &LINES[1][5..]));
        poll(&mut follower, &mut recorder);
        assert_eq!(recorder.lines, LINES[0..2]);
    }

    #[test]
    fn jdk9_rotation_drains_the_archive_before_the_new_file() {
        let dir = tempfile::tempdir().unwrap();
        let active = dir.path().join("gc.log");
        let mut follower = follower(dir.path());
        let mut recorder = Recorder::default();
        append(&active, &lines(0..1));
        poll(&mut follower, &mut recorder);
        // Written after the last poll, then rotated away: still read, and first.
        append(&active, &lines(1..2));
        fs::rename(&active, dir.path().join("gc.log.0")).unwrap();
        append(&active, &lines(2..4));
        poll(&mut follower, &mut recorder);
        assert_eq!(recorder.lines, LINES);
        assert_eq!(recorder.started_over, 0);
    }

    #[test]
    fn a_deleted_file_is_drained_through_its_descriptor() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gc.log.0");
        let mut follower = follower(dir.path());
        let mut recorder = Recorder::default();
        append(&path, &lines(0..1));
        poll(&mut follower, &mut recorder);
        append(&path, &lines(1..3));
        fs::remove_file(&path).unwrap();
        let report = poll(&mut follower, &mut recorder);
        assert_eq!(recorder.lines, LINES[0..3]);
        assert_eq!(report.files, 0, "forgotten once drained");
    }

    #[test]
    fn jdk8_current_file_switch() {
        // jdk8-cms-rotation-series/gcviewer/SampleSun1_8_0Series-Part1.txt / -Part2.txt
        let full =
            "2016-04-14 22:37:22 GC log file has reached the maximum size. Saved as logs/garbageCollection.log.0\n";
        let created = "2016-04-14 22:37:22 GC log file created logs/garbageCollection.log.1\n";
        let dir = tempfile::tempdir().unwrap();
        let mut follower = follower(dir.path());
        let mut recorder = Recorder::default();
        append(&dir.path().join("gc.log.0.current"), &lines(1..3));
        poll(&mut follower, &mut recorder);
        append(&dir.path().join("gc.log.0.current"), full);
        fs::rename(dir.path().join("gc.log.0.current"), dir.path().join("gc.log.0")).unwrap();
        append(&dir.path().join("gc.log.1.current"), created);
        poll(&mut follower, &mut recorder);
        assert_eq!(recorder.lines, [LINES[1], LINES[2], full.trim_end(), created.trim_end()]);
    }

    #[test]
    fn truncation_in_place_starts_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gc.log");
        let mut follower = follower(dir.path());
        let mut recorder = Recorder::default();
        append(&path, &lines(0..4));
        poll(&mut follower, &mut recorder);
        // A JVM restart with filecount=0: same inode, shorter content.
        let file = fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.set_len(0).unwrap();
        drop(file);
        append(&path, &lines(0..2));
        poll(&mut follower, &mut recorder);
        assert_eq!(recorder.started_over, 1);
        assert_eq!(recorder.lines, [&LINES[..], &LINES[0..2]].concat());
    }

    #[test]
    fn rewrite_in_place_to_the_same_size_starts_over() {
        // Measured on JDK 17: a restart with filecount=0 can leave the same inode at the same
        // size with the same first line (uptime-only decorators); only later bytes differ.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gc.log");
        let mut follower = follower(dir.path());
        let mut recorder = Recorder::default();
        let first_run = lines(0..3);
        let second_run = format!("{}{}{}\n", lines(0..1), lines(2..3), LINES[1]);
        assert_eq!(first_run.len(), second_run.len());
        append(&path, &first_run);
        poll(&mut follower, &mut recorder);
        fs::write(&path, &second_run).unwrap();
        let report = poll(&mut follower, &mut recorder);
        assert_eq!(report.started_over, 1);
        assert_eq!(recorder.lines, [LINES[0], LINES[1], LINES[2], LINES[0], LINES[2], LINES[1]]);
    }

    #[test]
    fn a_restart_resumes_exactly_at_the_checkpoint_even_after_a_rename() {
        let dir = tempfile::tempdir().unwrap();
        let active = dir.path().join("gc.log");
        let mut recorder = Recorder::default();
        append(&active, &lines(0..2));
        poll(&mut follower(dir.path()), &mut recorder);
        // While the sidecar is down the JVM writes on, rotates and starts a new file.
        append(&active, &lines(2..3));
        fs::rename(&active, dir.path().join("gc.log.0")).unwrap();
        append(&active, &lines(3..4));
        poll(&mut follower(dir.path()), &mut recorder);
        assert_eq!(recorder.lines, LINES);
    }

    #[test]
    fn a_file_missing_from_one_listing_is_not_read_again() {
        // A listing racing with the JVM's rename may show neither name; here the file is
        // renamed out of the pattern for one poll, then into it under a rotated name.
        let dir = tempfile::tempdir().unwrap();
        let active = dir.path().join("gc.log");
        let aside = dir.path().join("renaming.tmp");
        let mut recorder = Recorder::default();
        let mut running = follower(dir.path());
        append(&active, &lines(0..2));
        poll(&mut running, &mut recorder);
        fs::rename(&active, &aside).unwrap();
        poll(&mut running, &mut recorder);
        fs::rename(&aside, dir.path().join("gc.log.0")).unwrap();
        append(&dir.path().join("gc.log.0"), &lines(2..3));
        poll(&mut running, &mut recorder);
        assert_eq!(recorder.lines, LINES[0..3]);
        // The same across a restart: the checkpointed file is missing from the first listing.
        fs::rename(dir.path().join("gc.log.0"), &aside).unwrap();
        let mut restarted = follower(dir.path());
        poll(&mut restarted, &mut recorder);
        fs::rename(&aside, dir.path().join("gc.log.1")).unwrap();
        append(&dir.path().join("gc.log.1"), &lines(3..4));
        poll(&mut restarted, &mut recorder);
        assert_eq!(recorder.lines, LINES);
    }

    #[test]
    fn a_reused_inode_is_not_resumed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gc.log");
        let mut recorder = Recorder::default();
        append(&path, &lines(1..4));
        poll(&mut follower(dir.path()), &mut recorder);
        // Deleted while the sidecar was down; a new file may get the same inode.
        fs::remove_file(&path).unwrap();
        append(&path, &lines(0..2));
        poll(&mut follower(dir.path()), &mut recorder);
        assert_eq!(recorder.lines, [LINES[1], LINES[2], LINES[3], LINES[0], LINES[1]]);
    }

    #[test]
    fn pending_lines_are_delivered_again_after_a_restart() {
        /// Commits only after a pause's phases are complete (a line ending in `ms`), like a
        /// parser that still holds half an event.
        struct EventWise(Vec<String>);
        impl LineConsumer for EventWise {
            fn line(&mut self, line: Line<'_>, _origin: &LineOrigin<'_>) -> Progress {
                let Line::Complete(bytes) = line else { return Progress::Pending };
                let text = String::from_utf8_lossy(bytes).into_owned();
                let complete = text.ends_with("0.048ms");
                self.0.push(text);
                if complete {
                    Progress::Committed(Some(EventMark { instance: 0, event: "GC(0)".into() }))
                } else {
                    Progress::Pending
                }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gc.log");
        append(&path, &lines(0..3));
        let mut first = EventWise(Vec::new());
        follower(dir.path()).poll_once(&mut first).unwrap();
        assert_eq!(first.0, LINES[0..3]);
        // Crash before the event completed: the new consumer sees all of it again.
        append(&path, &lines(3..4));
        let mut second = EventWise(Vec::new());
        let mut restarted = follower(dir.path());
        assert_eq!(restarted.resume_marks().count(), 0);
        restarted.poll_once(&mut second).unwrap();
        assert_eq!(second.0, LINES);
        // Now committed: a third start has nothing to re-deliver, and knows the last event.
        let mut third = EventWise(Vec::new());
        let mut restarted = follower(dir.path());
        assert_eq!(restarted.resume_marks().map(|(_, mark)| mark.event.as_str()).collect::<Vec<_>>(), ["GC(0)"]);
        restarted.poll_once(&mut third).unwrap();
        assert!(third.0.is_empty());
    }

    #[test]
    fn a_rewrite_identical_up_to_the_committed_offset_is_caught_after_a_restart() {
        // The consumer committed only after the first line, which every run writes alike; the
        // lines delivered after it before the crash are what tells the new content apart.
        struct FirstLineOnly(Vec<String>);
        impl LineConsumer for FirstLineOnly {
            fn line(&mut self, line: Line<'_>, origin: &LineOrigin<'_>) -> Progress {
                if let Line::Complete(bytes) = line {
                    self.0.push(String::from_utf8_lossy(bytes).into_owned());
                }
                if origin.offset == 0 {
                    Progress::Committed(None)
                } else {
                    Progress::Pending
                }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gc.log");
        let first_run = lines(0..3);
        let second_run = format!("{}{}{}\n", lines(0..1), lines(2..3), LINES[1]);
        assert_eq!(first_run.len(), second_run.len());
        append(&path, &first_run);
        follower(dir.path()).poll_once(&mut FirstLineOnly(Vec::new())).unwrap();
        // While the sidecar is down the JVM restarts with filecount=0.
        fs::write(&path, &second_run).unwrap();
        let mut after = FirstLineOnly(Vec::new());
        let report = follower(dir.path()).poll_once(&mut after).unwrap();
        assert_eq!(report.started_over, 1);
        assert_eq!(after.0, [LINES[0], LINES[2], LINES[1]]);
    }

    #[test]
    fn files_found_together_are_read_oldest_first() {
        // A cold start on a JDK 9+ rotation set whose index wrapped: gc.log.1 is older than
        // gc.log.0, and the archives and the active file share a modification-time tick.
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str, modified: SystemTime| {
            append(&dir.path().join(name), text);
            File::options().write(true).open(dir.path().join(name)).unwrap().set_modified(modified).unwrap();
        };
        let tick = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_764_000_000);
        write("gc.log", &lines(3..4), tick);
        write("gc.log.0", &lines(2..3), tick);
        write("gc.log.1", &lines(0..2), tick - std::time::Duration::from_secs(60));
        let mut recorder = Recorder::default();
        poll(&mut follower(dir.path()), &mut recorder);
        assert_eq!(recorder.lines, LINES);
    }

    #[test]
    fn every_jvm_start_with_its_own_file_is_followed() {
        // -Xlog:gc*:file=gc-%p.log: a restarted JVM writes a new file beside the old one.
        let dir = tempfile::tempdir().unwrap();
        let mut follower = follower(dir.path());
        let mut recorder = Recorder::default();
        append(&dir.path().join("gc-4711.log"), &lines(0..2));
        poll(&mut follower, &mut recorder);
        append(&dir.path().join("gc-4711.log"), &lines(2..3));
        append(&dir.path().join("gc-4712.log"), &lines(0..1));
        let report = poll(&mut follower, &mut recorder);
        assert_eq!(report.files, 2);
        assert_eq!(recorder.lines, [LINES[0], LINES[1], LINES[2], LINES[0]]);
        assert_eq!(recorder.started_over, 0);
    }

    #[test]
    fn an_overlong_line_is_reported_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gc.log");
        let mut follower = follower(dir.path());
        let mut recorder = Recorder::default();
        append(&path, &lines(0..1));
        append(&path, &"x".repeat(MAX_LINE_LEN + 100));
        poll(&mut follower, &mut recorder);
        append(&path, &format!("{}\n{}", "x".repeat(3 * MAX_LINE_LEN), lines(1..2)));
        poll(&mut follower, &mut recorder);
        assert_eq!(
            recorder.lines,
            [LINES[0].to_string(), format!("<too long: {MAX_LINE_LEN} bytes>"), LINES[1].to_string()]
        );
    }

    #[test]
    fn compressed_archives_symlinks_and_the_checkpoint_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        append(&dir.path().join("gc.log"), &lines(0..1));
        append(&dir.path().join("gc.log.1.gz"), &lines(1..2));
        let outside = tempfile::tempdir().unwrap();
        append(&outside.path().join("secret"), &lines(2..3));
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("gc.log.2")).unwrap();
        let mut config = FollowerConfig::new(dir.path());
        config.pattern = "*".into();
        config.checkpoint = Some(dir.path().join("gc.log.checkpoint"));
        let mut follower = Follower::new(config).unwrap();
        let mut recorder = Recorder::default();
        poll(&mut follower, &mut recorder);
        poll(&mut follower, &mut recorder);
        assert_eq!(recorder.lines, LINES[0..1]);
    }

    #[test]
    fn a_corrupt_checkpoint_means_reading_again_from_the_start() {
        let dir = tempfile::tempdir().unwrap();
        append(&dir.path().join("gc.log"), &lines(0..2));
        fs::write(dir.path().join("rightsize-checkpoint.json"), b"{\"version\":1,\"files\":[{").unwrap();
        let mut follower = follower(dir.path());
        assert!(follower.startup_warning().is_some());
        let mut recorder = Recorder::default();
        poll(&mut follower, &mut recorder);
        assert_eq!(recorder.lines, LINES[0..2]);
    }
}
