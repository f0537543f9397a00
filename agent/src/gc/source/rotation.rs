//! Which files belong to one log, and in which order to read them.
//!
//! A JVM writing with rotation leaves `gc.log`, `gc.log.0`, `gc.log.1`... (JDK 9+) or
//! `gc.log.0`, `gc.log.1.current`... (JDK 8), sometimes compressed by an external rotator. Index
//! order is not time order once the index wraps, so files are ordered by what they contain:
//! wall-clock time where the log has it, otherwise by chaining each file that continues a run
//! (no JVM start at its top) onto the file whose last uptime precedes its first.

use crate::gc::model::Timestamp;

/// The name shared by all files of one rotation set: the file name with compression suffixes,
/// `.current` and the rotation index removed (`gc.log.3.gz` → `gc.log`).
pub fn family_name(file_name: &str) -> &str {
    let mut name = file_name;
    for _ in 0..3 {
        let before = name;
        for suffix in [".gz", ".zip", ".current"] {
            name = name.strip_suffix(suffix).unwrap_or(name);
        }
        if let Some(dot) = name.rfind('.') {
            let index = &name[dot + 1..];
            if !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()) && dot > 0 {
                name = &name[..dot];
            }
        }
        if name == before {
            break;
        }
    }
    name
}

/// The rotation index of a file name (`gc.log.3` → 3), if any.
pub fn rotation_index(file_name: &str) -> Option<u32> {
    let trimmed = file_name.trim_end_matches(".gz").trim_end_matches(".current");
    let (_, index) = trimmed.rsplit_once('.')?;
    index.parse().ok()
}

/// What a quick look at a file's head and tail found.
#[derive(Debug, Clone, Default)]
pub struct FileProbe {
    pub first: Timestamp,
    pub last: Timestamp,
    /// A JVM start block is at the top of the file.
    pub starts_jvm: bool,
    /// The file says it continues an earlier file (JDK 8 `GC log file created`).
    pub continues: bool,
    /// The file is the one being written (no rotation index, or `.current`).
    pub active: bool,
    pub index: Option<u32>,
    /// Modification time, seconds since the epoch.
    pub modified: Option<f64>,
}

/// Returns the order in which to read the probed files (indices into `probes`).
pub fn read_order(probes: &[FileProbe]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..probes.len()).collect();
    // A first guess that holds for most rotation sets: older archives first, the active file
    // last. Used to break ties and for files without timestamps.
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&probes[a], &probes[b]);
        pa.active
            .cmp(&pb.active)
            .then(pa.modified.partial_cmp(&pb.modified).unwrap_or(std::cmp::Ordering::Equal))
            .then(pa.index.cmp(&pb.index))
    });
    let timed: Vec<usize> = order.iter().copied().filter(|&i| probes[i].first.is_known()).collect();
    let untimed: Vec<usize> = order.iter().copied().filter(|&i| !probes[i].first.is_known()).collect();
    if timed.iter().all(|&i| probes[i].first.wall_ms.is_some()) {
        let mut timed = timed;
        timed.sort_by_key(|&i| probes[i].first.wall_ms);
        return timed.into_iter().chain(untimed).collect();
    }
    chain_by_uptime(probes, &timed).into_iter().chain(untimed).collect()
}

/// Links each file that continues a run onto the file whose last uptime is the latest one not
/// after its first uptime, then emits the chains in their first file's order.
fn chain_by_uptime(probes: &[FileProbe], files: &[usize]) -> Vec<usize> {
    const SLACK: f64 = 1.0;
    let mut next: Vec<Option<usize>> = vec![None; probes.len()];
    let mut has_predecessor = vec![false; probes.len()];
    let mut continuations: Vec<usize> = files.iter().copied().filter(|&i| !probes[i].starts_jvm).collect();
    continuations.sort_by(|&a, &b| {
        probes[a].first.uptime.partial_cmp(&probes[b].first.uptime).unwrap_or(std::cmp::Ordering::Equal)
    });
    for &file in &continuations {
        let Some(first) = probes[file].first.uptime else { continue };
        let predecessor = files
            .iter()
            .copied()
            .filter(|&p| p != file && next[p].is_none() && !reaches(&next, file, p))
            .filter_map(|p| probes[p].last.uptime.map(|last| (p, last)))
            .filter(|&(_, last)| last <= first + SLACK)
            .max_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal));
        if let Some((p, _)) = predecessor {
            next[p] = Some(file);
            has_predecessor[file] = true;
        }
    }
    let mut out = Vec::with_capacity(files.len());
    for &head in files.iter().filter(|&&i| !has_predecessor[i]) {
        let mut cursor = Some(head);
        while let Some(file) = cursor {
            out.push(file);
            cursor = next[file];
        }
    }
    out
}

/// Whether following `next` links from `from` reaches `to` (linking would make a cycle).
fn reaches(next: &[Option<usize>], from: usize, to: usize) -> bool {
    let mut cursor = Some(from);
    let mut steps = 0;
    while let Some(file) = cursor {
        if file == to {
            return true;
        }
        steps += 1;
        if steps > next.len() {
            return true;
        }
        cursor = next[file];
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_names_strip_rotation_decorations() {
        assert_eq!(family_name("gc.log"), "gc.log");
        assert_eq!(family_name("gc.log.3"), "gc.log");
        assert_eq!(family_name("gc.log.0.current"), "gc.log");
        assert_eq!(family_name("gc.log.12.gz"), "gc.log");
        assert_eq!(family_name("short_restart_4.log.4"), "short_restart_4.log");
        assert_eq!(family_name("SampleSun1_8_0Series-Part1.txt"), "SampleSun1_8_0Series-Part1.txt");
        assert_eq!(rotation_index("gc.log.3"), Some(3));
        assert_eq!(rotation_index("gc.log.1.current"), Some(1));
        assert_eq!(rotation_index("gc.log"), None);
    }

    fn uptime_probe(first: f64, last: f64, starts_jvm: bool, index: Option<u32>) -> FileProbe {
        FileProbe {
            first: Timestamp { uptime: Some(first), wall_ms: None },
            last: Timestamp { uptime: Some(last), wall_ms: None },
            starts_jvm,
            active: index.is_none(),
            index,
            ..FileProbe::default()
        }
    }

    #[test]
    fn wrapped_jdk9_rotation_is_read_in_time_order() {
        // filecount=3 after a wrap: gc.log.1 is the oldest, then .2, then .0, then gc.log.
        let probes = vec![
            uptime_probe(20.0, 30.0, false, Some(0)),
            uptime_probe(0.0, 10.0, true, Some(1)),
            uptime_probe(10.0, 20.0, false, Some(2)),
            uptime_probe(30.0, 35.0, false, None),
        ];
        assert_eq!(read_order(&probes), vec![1, 2, 0, 3]);
    }

    #[test]
    fn restarts_form_separate_chains() {
        // Two runs: gc.log.0 (run 1, 0-50 s) and gc.log.1 + gc.log (run 2).
        let probes = vec![
            uptime_probe(0.0, 50.0, true, Some(0)),
            uptime_probe(0.0, 8.0, true, Some(1)),
            uptime_probe(8.0, 12.0, false, None),
        ];
        let order = read_order(&probes);
        let position = |i| order.iter().position(|&x| x == i).unwrap();
        assert_eq!(position(2), position(1) + 1, "the continuation follows its own run: {order:?}");
    }

    #[test]
    fn wall_clock_wins_when_present() {
        let mut probes = vec![FileProbe::default(), FileProbe::default()];
        probes[0].first.wall_ms = Some(2_000);
        probes[1].first.wall_ms = Some(1_000);
        assert_eq!(read_order(&probes), vec![1, 0]);
    }
}
