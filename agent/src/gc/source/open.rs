//! Opening a log file as a byte stream, whatever it is stored as: plain text, gzip (external
//! rotators compress archives), or zip (how logs are attached to tickets). Detected by content,
//! not by extension.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

const READ_BUFFER: usize = 256 * 1024;

/// How a log's bytes are stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    Plain,
    Gzip,
    /// One entry of a zip archive, by index.
    ZipEntry(usize),
}

/// One log to read: a file, or one entry of a zip archive.
#[derive(Debug, Clone)]
pub struct LogInput {
    pub path: PathBuf,
    /// How the log is named in reports: the path, plus `!entry` for zip entries.
    pub name: String,
    pub storage: Storage,
    /// Size as stored (compressed for gzip/zip).
    pub stored_len: u64,
    pub modified: Option<std::time::SystemTime>,
}

impl LogInput {
    /// The file name with archive and rotation decorations still on (`gc.log.3.gz`).
    pub fn file_name(&self) -> &str {
        match self.storage {
            Storage::ZipEntry(_) => self.name.rsplit(['!', '/']).next().unwrap_or(&self.name),
            _ => self.path.file_name().and_then(|n| n.to_str()).unwrap_or(&self.name),
        }
    }

    /// Opens the log's decompressed bytes.
    pub fn open(&self) -> Result<Box<dyn BufRead>> {
        let file = File::open(&self.path).with_context(|| format!("cannot open {}", self.path.display()))?;
        Ok(match self.storage {
            Storage::Plain => Box::new(BufReader::with_capacity(READ_BUFFER, file)),
            Storage::Gzip => {
                Box::new(BufReader::with_capacity(READ_BUFFER, flate2::read::MultiGzDecoder::new(BufReader::new(file))))
            }
            Storage::ZipEntry(index) => {
                // The zip reader borrows its archive; decompress the entry into memory. Archived
                // logs are bounded by what a person attaches to a ticket.
                let mut archive = zip::ZipArchive::new(BufReader::new(file))
                    .with_context(|| format!("{} is not a readable zip archive", self.path.display()))?;
                let mut entry = archive.by_index(index).with_context(|| format!("cannot read {}", self.name))?;
                let mut bytes = Vec::with_capacity(entry.size().min(1 << 30) as usize);
                entry.read_to_end(&mut bytes).with_context(|| format!("cannot decompress {}", self.name))?;
                Box::new(io::Cursor::new(bytes))
            }
        })
    }

    /// Opens the log positioned near its end, for a quick look at its last lines. Compressed
    /// logs are read from the start (they cannot seek).
    pub fn open_tail(&self, tail_len: u64) -> Result<(Box<dyn BufRead>, bool)> {
        if self.storage == Storage::Plain && self.stored_len > tail_len {
            let mut file = File::open(&self.path).with_context(|| format!("cannot open {}", self.path.display()))?;
            file.seek(SeekFrom::Start(self.stored_len - tail_len))?;
            return Ok((Box::new(BufReader::with_capacity(READ_BUFFER, file)), true));
        }
        Ok((self.open()?, false))
    }
}

/// Inspects one file and returns the logs it holds (several for a zip with several entries).
pub fn inspect(path: &Path) -> Result<Vec<LogInput>> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let metadata = file.metadata().with_context(|| format!("cannot stat {}", path.display()))?;
    let mut magic = [0u8; 4];
    let mut got = 0;
    while got < magic.len() {
        match file.read(&mut magic[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
    let base = LogInput {
        path: path.to_path_buf(),
        name: path.display().to_string(),
        storage: Storage::Plain,
        stored_len: metadata.len(),
        modified: metadata.modified().ok(),
    };
    if got >= 2 && magic[..2] == [0x1f, 0x8b] {
        return Ok(vec![LogInput { storage: Storage::Gzip, ..base }]);
    }
    if got == 4 && magic == *b"PK\x03\x04" {
        let archive = zip::ZipArchive::new(BufReader::new(File::open(path)?))
            .with_context(|| format!("{} looks like a zip archive but cannot be read", path.display()))?;
        let mut inputs = Vec::new();
        for index in 0..archive.len() {
            let Some(entry_name) = archive.name_for_index(index) else { continue };
            if entry_name.ends_with('/') || entry_name.starts_with("__MACOSX") {
                continue;
            }
            inputs.push(LogInput {
                name: format!("{}!{}", path.display(), entry_name),
                storage: Storage::ZipEntry(index),
                ..base.clone()
            });
        }
        return Ok(inputs);
    }
    Ok(vec![base])
}
