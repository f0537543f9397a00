//! What makes a file "the same file" across polls, renames and sidecar restarts.
//!
//! `(device, inode)` follows a file through renames (JDK 9+ `gc.log` → `gc.log.3`, JDK 8
//! `gc.log.2.current` → `gc.log.2`), but inodes are reused as soon as a file is deleted and a JVM
//! restart with `filecount=0` rewrites the same inode in place. So a file is also fingerprinted
//! by its content: a hash of its first line (at most [`FINGERPRINT_MAX_LEN`] bytes). Because a
//! JVM restart can write the same first line again (uptime-only decorators) and reach the same
//! size (measured on JDK 17), a second check guards the position itself: [`TailCheck`], a hash
//! of the bytes just before the offset the follower resumes at. Content replaced under the
//! follower fails one of the two.
//!
//! The hash is FNV-1a (64 bit), written out here because checkpoints outlive the binary that
//! wrote them: `std`'s `DefaultHasher` may change between Rust releases.

use std::fs::{File, Metadata};
use std::io;

use serde::{Deserialize, Serialize};

/// The fingerprint covers the first line, but never more than this many bytes.
pub const FINGERPRINT_MAX_LEN: usize = 1024;
/// Bytes before a position that [`TailCheck`] covers.
pub const TAIL_CHECK_MAX_LEN: usize = 256;

/// Where a file lives on disk: stable across renames, reused after deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FileKey {
    pub dev: u64,
    pub ino: u64,
}

impl FileKey {
    #[cfg(unix)]
    pub fn of(metadata: &Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        FileKey { dev: metadata.dev(), ino: metadata.ino() }
    }

    /// Without inodes the content fingerprint is the only identity left.
    #[cfg(not(unix))]
    pub fn of(_metadata: &Metadata) -> Self {
        FileKey { dev: 0, ino: 0 }
    }
}

/// A hash of a file's first line, and how many bytes it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fingerprint {
    pub len: u32,
    pub hash: u64,
}

impl Fingerprint {
    /// The fingerprint of a file that starts with `head`: its first line including the newline,
    /// or its first [`FINGERPRINT_MAX_LEN`] bytes when the first line is longer. `None` while
    /// the file has neither (it is empty or its first line is still being written).
    pub fn from_head(head: &[u8]) -> Option<Self> {
        let len = match memchr::memchr(b'\n', head) {
            Some(newline) if newline < FINGERPRINT_MAX_LEN => newline + 1,
            _ if head.len() >= FINGERPRINT_MAX_LEN => FINGERPRINT_MAX_LEN,
            _ => return None,
        };
        let covered = head.get(..len)?;
        Some(Fingerprint { len: len as u32, hash: fnv1a(covered) })
    }

    /// Reads the fingerprint of an open file.
    pub fn read(file: &File) -> io::Result<Option<Self>> {
        let mut head = [0u8; FINGERPRINT_MAX_LEN];
        let got = read_full_at(file, &mut head, 0)?;
        Ok(Self::from_head(&head[..got]))
    }

    /// Whether `file` still starts with the bytes this fingerprint was taken from.
    pub fn matches(&self, file: &File) -> io::Result<bool> {
        let len = (self.len as usize).min(FINGERPRINT_MAX_LEN);
        let mut head = [0u8; FINGERPRINT_MAX_LEN];
        let got = read_full_at(file, &mut head[..len], 0)?;
        Ok(got == len && len == self.len as usize && fnv1a(&head[..len]) == self.hash)
    }
}

/// A file's identity: where it lives and what it starts with. Two files are the same only if
/// both agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileIdentity {
    pub key: FileKey,
    pub fingerprint: Fingerprint,
}

/// A hash of the bytes just before a read position: resuming there is only right if they are
/// still the bytes that were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TailCheck {
    pub len: u16,
    pub hash: u64,
}

impl TailCheck {
    /// The check for the position right after `before` (only its last
    /// [`TAIL_CHECK_MAX_LEN`] bytes count). `None` for an empty slice (position 0).
    pub fn of(before: &[u8]) -> Option<Self> {
        let start = before.len().saturating_sub(TAIL_CHECK_MAX_LEN);
        let window = before.get(start..)?;
        if window.is_empty() {
            return None;
        }
        Some(TailCheck { len: window.len() as u16, hash: fnv1a(window) })
    }

    /// Whether `window` (exactly the `len` bytes before the position) is unchanged.
    pub fn matches(&self, window: &[u8]) -> bool {
        window.len() == self.len as usize && fnv1a(window) == self.hash
    }
}

/// FNV-1a, 64 bit: stable forever, fast enough for a kilobyte per file per poll.
fn fnv1a(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(PRIME))
}

/// Reads into `buf` from `offset` until it is full or the file ends; returns the bytes read.
/// Positional, so concurrent readers of one descriptor do not disturb each other.
pub fn read_full_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match read_at(file, &mut buf[filled..], offset + filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    // The first lines of two runs of one JVM with uptime-only decorators
    // (jdk9-15-ujl-parallel/gctoolkit/parallelgc.log): byte-identical.
    const FIRST_LINE: &[u8] = b"[0.009s][info][gc] Using Parallel\n";
    const SECOND_LINE: &[u8] =
        b"[0.009s][info][gc,heap,coops] Heap address: 0x00000007fc000000, size: 64 MB, Compressed Oops mode: Zero based, Oop shift amount: 3\n";

    fn file_with(content: &[u8]) -> (tempfile::NamedTempFile, File) {
        let mut named = tempfile::NamedTempFile::new().unwrap();
        named.write_all(content).unwrap();
        named.flush().unwrap();
        let file = File::open(named.path()).unwrap();
        (named, file)
    }

    #[test]
    fn no_fingerprint_until_the_first_line_is_complete() {
        assert_eq!(Fingerprint::from_head(b""), None);
        assert_eq!(Fingerprint::from_head(&FIRST_LINE[..10]), None);
        let fingerprint = Fingerprint::from_head(FIRST_LINE).unwrap();
        assert_eq!(fingerprint.len as usize, FIRST_LINE.len());
    }

    #[test]
    fn fingerprint_is_stable_as_the_file_grows() {
        let (mut named, file) = file_with(FIRST_LINE);
        let before = Fingerprint::read(&file).unwrap().unwrap();
        named.write_all(SECOND_LINE).unwrap();
        named.flush().unwrap();
        assert_eq!(Fingerprint::read(&file).unwrap(), Some(before));
        assert!(before.matches(&file).unwrap());
    }

    #[test]
    fn a_long_first_line_is_fingerprinted_by_its_first_kilobyte() {
        let long = vec![b'x'; FINGERPRINT_MAX_LEN + 10];
        let fingerprint = Fingerprint::from_head(&long).unwrap();
        assert_eq!(fingerprint.len as usize, FINGERPRINT_MAX_LEN);
        assert_eq!(Fingerprint::from_head(&long[..FINGERPRINT_MAX_LEN - 1]), None);
    }

    #[test]
    fn a_truncated_file_no_longer_matches() {
        let (named, file) = file_with(FIRST_LINE);
        let fingerprint = Fingerprint::read(&file).unwrap().unwrap();
        named.as_file().set_len(5).unwrap();
        assert!(!fingerprint.matches(&file).unwrap());
    }

    #[test]
    fn a_reused_inode_with_the_same_first_line_is_caught_by_the_tail_check() {
        // Fingerprints alone collide when a new JVM run writes the same first line; the bytes
        // before the resume position differ (two GCs' lines of equal length, same sample).
        let old_run = [FIRST_LINE, b"[10.025s][debug][gc,phases    ] GC(0) Scavenge 4.410ms\n"].concat();
        let new_run = [FIRST_LINE, b"[10.036s][debug][gc,phases    ] GC(1) Scavenge 3.776ms\n"].concat();
        assert_eq!(old_run.len(), new_run.len());
        assert_eq!(Fingerprint::from_head(&old_run), Fingerprint::from_head(&new_run));
        let tail = TailCheck::of(&old_run).unwrap();
        let start = old_run.len() - tail.len as usize;
        assert!(tail.matches(&old_run[start..]));
        assert!(!tail.matches(&new_run[start..]));
    }

    #[test]
    fn tail_check_covers_at_most_its_window() {
        assert_eq!(TailCheck::of(b""), None);
        let long = vec![b'a'; 1000];
        let tail = TailCheck::of(&long).unwrap();
        assert_eq!(tail.len as usize, TAIL_CHECK_MAX_LEN);
        assert!(!tail.matches(&long[..10]));
    }

    #[test]
    fn hash_values_are_fixed_forever() {
        // Checkpoints written by older builds must still match: pin the function.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
