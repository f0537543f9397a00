//! The bounded on-disk queue of pushes not yet delivered upstream.
//!
//! One file per push, named by its sequence number (`00000000000000000042.json`), written
//! atomically (temp file, `fsync`, `rename`), so a restart finds whole pushes only and sends them
//! in order. Bounded by count and bytes: when a new push does not fit, the oldest are dropped and
//! counted — each push carries the full current analysis, so a newer one supersedes what an
//! older one said, and an outage costs history, not the present.
//!
//! The next sequence number is kept in the spool too and written before a push is created: a
//! push id (`agent:sequence`) is never reused for different content, also after a crash.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

const SUFFIX: &str = ".json";
const SEQUENCE_FILE: &str = "next-sequence";
const DROPPED_FILE: &str = "dropped";

/// How much the spool may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpoolLimits {
    /// Pushes kept. Default 64.
    pub max_items: usize,
    /// Bytes kept (sum of the push documents). Default 16 MiB.
    pub max_bytes: u64,
}

impl Default for SpoolLimits {
    fn default() -> Self {
        SpoolLimits { max_items: 64, max_bytes: 16 << 20 }
    }
}

/// A spooled push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spooled {
    pub sequence: u64,
    pub bytes: u64,
}

/// The spool directory and what it holds.
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    limits: SpoolLimits,
    /// Oldest first.
    items: Vec<Spooled>,
    next_sequence: u64,
    dropped: u64,
}

impl Spool {
    /// Opens (creating) the spool in `dir`; leftovers of an interrupted write are removed.
    pub fn open(dir: &Path, limits: SpoolLimits) -> io::Result<Spool> {
        fs::create_dir_all(dir).map_err(|e| annotate(e, dir, "create the spool directory"))?;
        let mut items = Vec::new();
        for entry in fs::read_dir(dir).map_err(|e| annotate(e, dir, "list the spool directory"))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
                continue;
            }
            let Some(sequence) = name.strip_suffix(SUFFIX).and_then(|stem| stem.parse::<u64>().ok()) else { continue };
            items.push(Spooled { sequence, bytes: entry.metadata()?.len() });
        }
        items.sort_by_key(|item| item.sequence);
        let stored_next = read_number(&dir.join(SEQUENCE_FILE))?.unwrap_or(1);
        let next_sequence = stored_next.max(items.last().map_or(1, |item| item.sequence + 1));
        let dropped = read_number(&dir.join(DROPPED_FILE))?.unwrap_or(0);
        Ok(Spool { dir: dir.to_path_buf(), limits, items, next_sequence, dropped })
    }

    /// Reserves the next sequence number, durably, before anything carries it.
    pub fn reserve_sequence(&mut self) -> io::Result<u64> {
        let sequence = self.next_sequence;
        write_atomically(&self.dir.join(SEQUENCE_FILE), (sequence + 1).to_string().as_bytes())?;
        self.next_sequence = sequence + 1;
        Ok(sequence)
    }

    /// Adds a push; drops the oldest while the limits are exceeded (never the one just added,
    /// unless it alone is over the byte limit). Returns how many were dropped.
    pub fn add(&mut self, sequence: u64, body: &[u8]) -> io::Result<u64> {
        write_atomically(&self.path_of(sequence), body)?;
        self.items.push(Spooled { sequence, bytes: body.len() as u64 });
        self.items.sort_by_key(|item| item.sequence);
        let mut dropped = 0;
        while self.items.len() > self.limits.max_items.max(1)
            || (self.bytes() > self.limits.max_bytes && !self.items.is_empty())
        {
            let oldest = self.items.remove(0);
            let _ = fs::remove_file(self.path_of(oldest.sequence));
            dropped += 1;
        }
        if dropped > 0 {
            self.dropped += dropped;
            write_atomically(&self.dir.join(DROPPED_FILE), self.dropped.to_string().as_bytes())?;
        }
        Ok(dropped)
    }

    /// The oldest push and its document.
    pub fn oldest(&self) -> io::Result<Option<(u64, Vec<u8>)>> {
        let Some(item) = self.items.first() else { return Ok(None) };
        match fs::read(self.path_of(item.sequence)) {
            Ok(body) => Ok(Some((item.sequence, body))),
            Err(e) => Err(annotate(e, &self.path_of(item.sequence), "read the spooled push")),
        }
    }

    /// Forgets a push (delivered, or refused for good).
    pub fn remove(&mut self, sequence: u64) -> io::Result<()> {
        self.items.retain(|item| item.sequence != sequence);
        match fs::remove_file(self.path_of(sequence)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(annotate(e, &self.path_of(sequence), "remove")),
            _ => Ok(()),
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn bytes(&self) -> u64 {
        self.items.iter().map(|item| item.bytes).sum()
    }

    /// Pushes dropped for lack of room since the spool was created.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    fn path_of(&self, sequence: u64) -> PathBuf {
        self.dir.join(format!("{sequence:020}{SUFFIX}"))
    }
}

fn read_number(path: &Path) -> io::Result<Option<u64>> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(text.trim().parse().ok()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(annotate(e, path, "read")),
    }
}

/// Temp file, `fsync`, `rename`, `fsync` of the directory: the old content or the new, never half.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temp_name = path.as_os_str().to_owned();
    temp_name.push(".tmp");
    let temp = PathBuf::from(temp_name);
    let result = (|| {
        let mut file = File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)?;
        if let Some(parent) = path.parent() {
            if let Ok(dir) = File::open(parent) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    })();
    result.map_err(|e: io::Error| annotate(e, path, "write"))
}

fn annotate(error: io::Error, path: &Path, what: &str) -> io::Error {
    io::Error::new(
        error.kind(),
        format!("cannot {what} {}: {error}; check that the state directory (--state-dir) is writable", path.display()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_by_count_and_bytes_oldest_dropped_and_counted() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::open(dir.path(), SpoolLimits { max_items: 3, max_bytes: 1000 }).unwrap();
        for _ in 0..5 {
            let sequence = spool.reserve_sequence().unwrap();
            spool.add(sequence, &[b'x'; 100]).unwrap();
        }
        assert_eq!(spool.len(), 3);
        assert_eq!(spool.dropped(), 2);
        assert_eq!(spool.oldest().unwrap().unwrap().0, 3);
        let sequence = spool.reserve_sequence().unwrap();
        spool.add(sequence, &[b'y'; 950]).unwrap();
        assert_eq!(spool.len(), 1, "bytes bound: only the newest fits");
        assert_eq!(spool.dropped(), 5);
    }

    #[test]
    fn survives_a_restart_with_sequence_and_drop_count() {
        let dir = tempfile::tempdir().unwrap();
        let limits = SpoolLimits { max_items: 2, max_bytes: 1 << 20 };
        {
            let mut spool = Spool::open(dir.path(), limits).unwrap();
            for _ in 0..3 {
                let sequence = spool.reserve_sequence().unwrap();
                spool.add(sequence, b"{}").unwrap();
            }
            // Reserved, never spooled (a crash before the write): the number is still used up.
            spool.reserve_sequence().unwrap();
            fs::write(dir.path().join("00000000000000000009.json.tmp"), b"{half").unwrap();
        }
        let mut spool = Spool::open(dir.path(), limits).unwrap();
        assert_eq!(spool.len(), 2);
        assert_eq!(spool.dropped(), 1);
        assert_eq!(spool.reserve_sequence().unwrap(), 5);
        assert!(!dir.path().join("00000000000000000009.json.tmp").exists());
        let (sequence, _) = spool.oldest().unwrap().unwrap();
        spool.remove(sequence).unwrap();
        assert_eq!(spool.oldest().unwrap().unwrap().0, 3);
    }
}
