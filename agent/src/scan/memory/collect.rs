//! Stage 1 of the memory advice: Flink REST (and sidecar pushes) → [`MemorySnapshot`].
//!
//! Requests: `/taskmanagers` once (ids and RPC hosts); per job vertex
//! `/jobs/:jid/vertices/:vid/taskmanagers` (where its subtasks run); per TaskManager once,
//! whatever the number of jobs on it, `/taskmanagers/:tmid` (heap max and the per-collector GC
//! counts in one answer; the metric endpoint `Status.JVM.GarbageCollector.<name>.Count` only when
//! that answer has no collectors). Then, for each job's busiest TaskManagers by young GC count:
//! a sidecar push when one matches, else `/taskmanagers/:tmid/logs` and the GC log files in it
//! (`/taskmanagers/:tmid/logs/:name`), newest first within a byte budget, read oldest first
//! through one [`LogReader`] so that rotated files make one JVM run.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;

use serde::Deserialize;

use super::{FetchedLog, GcLogEvidence, JobTaskManagers, MemorySnapshot, TaskManagerSnapshot};
use crate::gc::source::lines::for_each_line;
use crate::gc::source::rotation::{self, FileProbe};
use crate::gc::source::LogReader;
use crate::scan::collect::{for_each_bounded, number, path_segment, FetchError, FlinkClient};
use crate::scan::options::MemoryOptions;
use crate::scan::snapshot::ClusterSnapshot;
use crate::wire::GcPush;

/// Collects what the memory advice needs for every job of `cluster` that did not vanish.
/// `sidecar_reports` are the latest pushes of the sidecars (none for a one-shot scan).
pub fn collect_memory(
    client: &FlinkClient,
    cluster: &ClusterSnapshot,
    options: &MemoryOptions,
    concurrency: usize,
    sidecar_reports: &[GcPush],
) -> MemorySnapshot {
    let mut snapshot = MemorySnapshot::default();
    // `None` when the list did not answer: then no TaskManager can be called vanished from it.
    let listed: Option<BTreeMap<String, Option<String>>> = match client.get::<TaskManagerList>("/taskmanagers") {
        Ok(list) => Some(list.taskmanagers.into_iter().map(|tm| (tm.id.clone(), rpc_host(&tm))).collect()),
        Err(error) => {
            snapshot.problems.push(format!("TaskManager list (/taskmanagers): {error}"));
            None
        }
    };

    let jobs: Vec<_> = cluster.jobs.iter().filter(|job| !job.vanished && !job.vertices.is_empty()).collect();
    let placements = for_each_bounded(&jobs, concurrency, |job| job_taskmanagers(client, &job.id, &job.vertices));
    for (job, placement) in jobs.iter().zip(placements) {
        snapshot.jobs.insert(job.id.clone(), placement);
    }

    let ids: Vec<String> = snapshot
        .jobs
        .values()
        .flat_map(|job| job.taskmanager_ids.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let details = for_each_bounded(&ids, concurrency, |id| {
        let host = listed.as_ref().and_then(|list| list.get(id).cloned().flatten()).or_else(|| host_of_id(id));
        match &listed {
            Some(list) if !list.contains_key(id) => TaskManagerSnapshot {
                id: id.clone(),
                host,
                vanished: true,
                gaps: vec!["not in /taskmanagers any more: the TaskManager is gone (stopped, lost or replaced)".into()],
                ..TaskManagerSnapshot::default()
            },
            _ => taskmanager_details(client, id, host),
        }
    });
    for taskmanager in details {
        snapshot.taskmanagers.insert(taskmanager.id.clone(), taskmanager);
    }

    // GC logs only for each job's busiest TaskManagers, each fetched once.
    let mut wanted = BTreeSet::new();
    for job in snapshot.jobs.values() {
        wanted.extend(rank(&job.taskmanager_ids, &snapshot.taskmanagers).into_iter().take(options.top_taskmanagers));
    }
    let wanted: Vec<String> = wanted
        .into_iter()
        .filter(|id| snapshot.taskmanagers.get(*id).is_some_and(|tm| !tm.vanished))
        .cloned()
        .collect();
    let hosts_with_several = hosts_with_several_taskmanagers(listed.as_ref(), &snapshot.taskmanagers);
    let hosts: Vec<&str> = hosts_with_several.iter().map(String::as_str).collect();
    let evidence = for_each_bounded(&wanted, concurrency, |id| {
        let taskmanager = &snapshot.taskmanagers[id];
        match super::sidecar_for(taskmanager, &hosts, sidecar_reports) {
            Some(push) => GcLogEvidence::Sidecar(Box::new(push.clone())),
            None => fetch_gc_log(client, id, options),
        }
    });
    for (id, evidence) in wanted.iter().zip(evidence) {
        if let Some(taskmanager) = snapshot.taskmanagers.get_mut(id) {
            if matches!(&evidence, GcLogEvidence::Missing { reason } if reason.starts_with(GONE)) {
                taskmanager.vanished = true;
            }
            taskmanager.gc_log = evidence;
        }
    }
    snapshot
}

/// Ids of `ids` ordered busiest first: most young collections, unknown counts last, then by id.
pub fn rank<'a>(ids: &'a [String], taskmanagers: &BTreeMap<String, TaskManagerSnapshot>) -> Vec<&'a String> {
    let mut ranked: Vec<&String> = ids.iter().collect();
    let count = |id: &String| taskmanagers.get(id).filter(|tm| !tm.vanished).and_then(|tm| tm.young_gc_count);
    super::busiest_first(&mut ranked, |id| (count(id), id.as_str()));
    ranked
}

/// Bytes a GC log file may have grown by since it was listed and still be read whole.
const GROWTH_SLACK: u64 = 4 * 1024 * 1024;

/// The label of a TaskManager that answered 404: it went away during the scan.
const GONE: &str = "the TaskManager is gone";

/// The TaskManagers that run the job's subtasks, in the order first seen.
fn job_taskmanagers(
    client: &FlinkClient,
    job_id: &str,
    vertices: &[crate::scan::snapshot::VertexSnapshot],
) -> JobTaskManagers {
    let mut placement = JobTaskManagers::default();
    for vertex in vertices {
        let path = format!("/jobs/{}/vertices/{}/taskmanagers", path_segment(job_id), path_segment(&vertex.id));
        match client.get::<VertexTaskManagers>(&path) {
            Ok(answer) => {
                for taskmanager in answer.taskmanagers {
                    if !taskmanager.id.is_empty() && !placement.taskmanager_ids.contains(&taskmanager.id) {
                        placement.taskmanager_ids.push(taskmanager.id);
                    }
                }
            }
            Err(error) => placement.gaps.push(format!("TaskManagers of vertex {}: {error}", vertex.name)),
        }
    }
    placement
}

/// `/taskmanagers/:tmid`: heap max and young GC count.
fn taskmanager_details(client: &FlinkClient, id: &str, host: Option<String>) -> TaskManagerSnapshot {
    let mut taskmanager = TaskManagerSnapshot { id: id.to_owned(), host, ..TaskManagerSnapshot::default() };
    let path = format!("/taskmanagers/{}", path_segment(id));
    let shown = format!("/taskmanagers/{id}");
    let details: TaskManagerDetails = match client.get(&path) {
        Ok(details) => details,
        Err(FetchError::NotFound) => {
            taskmanager.vanished = true;
            taskmanager.gaps.push(format!("{GONE} (HTTP 404 on {shown})"));
            return taskmanager;
        }
        // Flink answers 500 (UnknownTaskExecutorException), not 404, for a TaskManager it lost.
        Err(FetchError::Status(500)) => {
            taskmanager.gaps.push(format!(
                "TaskManager details ({shown}): HTTP 500, Flink's answer for a TaskManager it no longer knows \
                 (gone since /taskmanagers was read?)"
            ));
            return taskmanager;
        }
        Err(error) => {
            taskmanager.gaps.push(format!("TaskManager details ({shown}): {error}"));
            return taskmanager;
        }
    };
    taskmanager.configured_heap = details.metrics.heap_max.filter(|&bytes| bytes > 0);
    let mut collectors: Vec<(String, u64)> =
        details.metrics.garbage_collectors.into_iter().map(|gc| (gc.name, gc.count)).collect();
    if collectors.is_empty() {
        match collector_counts_from_metrics(client, &path) {
            Ok(counts) => collectors = counts,
            Err(error) => taskmanager.gaps.push(format!("GC counts ({shown}/metrics): {error}")),
        }
    }
    match young_collections(&collectors) {
        Some((count, names, all_collections)) => {
            taskmanager.young_gc_count = Some(count);
            if all_collections {
                taskmanager.gaps.push(format!(
                    "no young-generation collector among {} (a single-generation GC): ranked by all its collections",
                    names.join(", ")
                ));
            }
            taskmanager.young_collectors = names;
        }
        None if taskmanager.gaps.is_empty() => {
            taskmanager.gaps.push("Flink reports no GC collector counts for it: ranked last".into());
        }
        None => {}
    }
    taskmanager
}

/// The metric-endpoint route to the same counts: list the ids, then ask for the `.Count` ones.
fn collector_counts_from_metrics(client: &FlinkClient, tm_path: &str) -> Result<Vec<(String, u64)>, FetchError> {
    const PREFIX: &str = "Status.JVM.GarbageCollector.";
    let ids: Vec<MetricId> = client.get(&format!("{tm_path}/metrics"))?;
    let wanted: Vec<&str> =
        ids.iter().map(|m| m.id.as_str()).filter(|id| id.starts_with(PREFIX) && id.ends_with(".Count")).collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let values: Vec<MetricValue> = client.get(&format!("{tm_path}/metrics?get={}", wanted.join(",")))?;
    Ok(values
        .iter()
        .filter_map(|metric| {
            let name = metric.id.strip_prefix(PREFIX)?.strip_suffix(".Count")?;
            let count = number(metric.value.as_ref())?;
            Some((name.to_owned(), count.max(0.0) as u64))
        })
        .collect())
}

/// Young collections from per-collector counts named as the JVM's MXBeans (spaces as `_`):
/// `G1_Young_Generation`, `PS_Scavenge`, `Copy`, `ParNew`, `ZGC_Minor_Cycles`. Flink's own
/// `All` and the `…Pauses` beans (they count the same collections again) are left out. A
/// single-generation collector (ZGC, Shenandoah) has no young one: then all its collections,
/// flagged `true`.
pub fn young_collections(collectors: &[(String, u64)]) -> Option<(u64, Vec<String>, bool)> {
    const YOUNG: [&str; 5] = ["Young", "Scavenge", "Copy", "ParNew", "Minor"];
    let counted: Vec<&(String, u64)> =
        collectors.iter().filter(|(name, _)| name != "All" && !name.contains("Pauses")).collect();
    let young: Vec<&&(String, u64)> =
        counted.iter().filter(|(name, _)| YOUNG.iter().any(|word| name.contains(word))).collect();
    let (chosen, all): (Vec<&(String, u64)>, bool) =
        if young.is_empty() { (counted.clone(), true) } else { (young.into_iter().copied().collect(), false) };
    if chosen.is_empty() {
        return None;
    }
    let total = chosen.iter().map(|(_, count)| *count).fold(0u64, u64::saturating_add);
    Some((total, chosen.iter().map(|(name, _)| name.clone()).collect(), all))
}

/// The GC log of one TaskManager over REST, as parsed JVM runs, or why there is none.
fn fetch_gc_log(client: &FlinkClient, id: &str, options: &MemoryOptions) -> GcLogEvidence {
    let logs_path = format!("/taskmanagers/{}/logs", path_segment(id));
    // Messages show the id as Flink lists it, not percent-encoded.
    let shown = format!("/taskmanagers/{id}/logs");
    let listing: LogList = match client.get(&logs_path) {
        Ok(listing) => listing,
        Err(FetchError::NotFound) => return GcLogEvidence::Missing { reason: format!("{GONE} (HTTP 404 on {shown})") },
        Err(error) => return GcLogEvidence::Missing { reason: format!("log list ({shown}): {error}") },
    };
    let plan = plan_download(&listing.logs, &options.gc_log_pattern, options.max_log_bytes);
    if plan.files.is_empty() {
        let names: Vec<&str> = listing.logs.iter().map(|log| log.name.as_str()).collect();
        return GcLogEvidence::Missing {
            reason: format!(
                "no file matching '{}' in its log directory ({shown}: {}): write the GC log there \
                 (-Xlog:gc*:file=${{FLINK_LOG_DIR}}/gc.log in env.java.opts.taskmanager), pass --gc-log-pattern, \
                 or run the sidecar beside it",
                options.gc_log_pattern,
                if names.is_empty() { "empty".to_owned() } else { names.join(", ") }
            ),
        };
    }
    let mut fetched = FetchedLog { skipped: plan.skipped, ..FetchedLog::default() };
    let mut reader = LogReader::new();
    let mut remaining = options.max_log_bytes;
    for file in &plan.files {
        let path = format!("{logs_path}/{}", path_segment(&file.name));
        // The file being written grows between the listing and the download: a little slack
        // keeps its newest lines instead of cutting them for the budget.
        let limit = if file.size <= remaining { file.size.saturating_add(GROWTH_SLACK) } else { remaining };
        let bytes = match client.get_bytes(&path, limit.max(1)) {
            Ok(bytes) => bytes,
            Err(FetchError::NotFound) => {
                // Rotated away between the listing and the download: the next file has its lines.
                fetched.skipped.push(format!("{}: gone before it was read (rotated?)", file.name));
                continue;
            }
            Err(error) => {
                fetched.skipped.push(format!("{}: {error}", file.name));
                continue;
            }
        };
        let length = bytes.len() as u64;
        if length >= limit && file.size > remaining {
            fetched.skipped.push(format!(
                "{}: only its first {} read, the rest is over --max-gc-log-bytes",
                file.name,
                super::size_text(length)
            ));
        }
        remaining = remaining.saturating_sub(length);
        reader.begin_file(&file.name);
        let read = if file.name.ends_with(".gz") {
            for_each_line(std::io::BufReader::new(flate2::read::MultiGzDecoder::new(bytes.as_slice())), |line| {
                reader.feed(line)
            })
        } else {
            for_each_line(bytes.as_slice(), |line| reader.feed(line))
        };
        match read {
            Ok(_) => {
                fetched.files.push(file.name.clone());
                fetched.bytes += length;
            }
            Err(error) => fetched.skipped.push(format!("{}: unreadable ({error})", file.name)),
        }
    }
    fetched.instances = reader.finish();
    if fetched.files.is_empty() {
        return GcLogEvidence::Missing {
            reason: format!("no GC log file could be read: {}", fetched.skipped.join("; ")),
        };
    }
    GcLogEvidence::FlinkRest(fetched)
}

/// Which listed files to download, in reading order, and which are left out and why.
#[derive(Debug, Default, PartialEq)]
pub struct DownloadPlan {
    pub files: Vec<LogFile>,
    pub skipped: Vec<String>,
}

/// Picks the GC log of the TaskManager among its log directory's files: those matching
/// `pattern`, grouped into rotation sets; the TaskManager's own set when the directory is shared
/// with a JobManager or holds several; then its newest files within `budget` bytes, returned
/// oldest first (the order a rotation set is read in).
pub fn plan_download(listed: &[LogFile], pattern: &str, budget: u64) -> DownloadPlan {
    let mut plan = DownloadPlan::default();
    let mut families: BTreeMap<&str, Vec<&LogFile>> = BTreeMap::new();
    for file in listed.iter().filter(|file| glob_matches(pattern, &file.name)) {
        if file.name.ends_with(".zip") {
            plan.skipped.push(format!("{}: zip archives are not read over REST", file.name));
            continue;
        }
        families.entry(rotation::family_name(&file.name)).or_default().push(file);
    }
    let names: Vec<&str> = families.keys().copied().collect();
    let chosen = choose_family(&names, &families);
    // A JobManager's log beside the TaskManager's is the normal standalone layout, not a gap.
    for name in names.iter().filter(|&&name| Some(name) != chosen && !is_jobmanager_log(name)) {
        plan.skipped.push(format!("{name}*: another JVM's GC log, not taken for this TaskManager's"));
    }
    let Some(chosen) = chosen else { return plan };
    let members = &families[chosen];
    let probes: Vec<FileProbe> = members
        .iter()
        .map(|file| FileProbe {
            active: rotation::rotation_index(&file.name).is_none() || file.name.ends_with(".current"),
            index: rotation::rotation_index(&file.name),
            modified: file.mtime.map(|ms| ms as f64 / 1000.0),
            ..FileProbe::default()
        })
        .collect();
    let order = rotation::read_order(&probes);
    // Newest first until the budget is spent; the newest file is always taken (cut if need be).
    let mut taken = Vec::new();
    let mut spent = 0u64;
    for &index in order.iter().rev() {
        let file = members[index];
        if taken.is_empty() || spent.saturating_add(file.size) <= budget {
            spent = spent.saturating_add(file.size);
            taken.push(file.clone());
        } else {
            plan.skipped.push(format!(
                "{} ({}): older rotated file over --max-gc-log-bytes",
                file.name,
                super::size_text(file.size)
            ));
        }
    }
    taken.reverse();
    plan.files = taken;
    plan
}

/// Among several rotation sets, the TaskManager's: sets named for a JobManager are dropped, sets
/// named for a TaskManager preferred, and of the rest the one written last.
fn choose_family<'a>(names: &[&'a str], families: &BTreeMap<&str, Vec<&LogFile>>) -> Option<&'a str> {
    let not_jobmanager: Vec<&str> = names.iter().copied().filter(|name| !is_jobmanager_log(name)).collect();
    let taskmanager: Vec<&str> = not_jobmanager
        .iter()
        .copied()
        .filter(|name| ["taskmanager", "taskexecutor"].iter().any(|w| name.to_ascii_lowercase().contains(w)))
        .collect();
    let candidates = if taskmanager.is_empty() { not_jobmanager } else { taskmanager };
    let newest = |name: &&str| families[name].iter().filter_map(|file| file.mtime).max();
    candidates.into_iter().max_by(|a, b| newest(a).cmp(&newest(b)).then_with(|| b.cmp(a)))
}

/// Standalone clusters share one log directory between the JobManager and the TaskManagers.
fn is_jobmanager_log(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["jobmanager", "standalonesession", "historyserver"].iter().any(|word| lower.contains(word))
}

/// Shell-style file name match: `*` any run of characters, `?` one character. A pattern that is
/// no file name (empty, or with a `/`) matches nothing.
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    crate::tail::Pattern::new(pattern).is_ok_and(|pattern| pattern.matches(name))
}

/// The host of a TaskManager's RPC address (`pekko.tcp://flink@10.0.0.7:6122/user/rpc/...`).
fn rpc_host(taskmanager: &ListedTaskManager) -> Option<String> {
    let after_at = taskmanager.path.split_once('@')?.1;
    let host = after_at.split(['/', ':']).next()?;
    (!host.is_empty()).then(|| host.to_owned()).or_else(|| host_of_id(&taskmanager.id))
}

/// Standalone TaskManager ids start with `host:port-`; Kubernetes ids are pod names (no host).
fn host_of_id(id: &str) -> Option<String> {
    id.split_once(':').map(|(host, _)| host.to_owned()).filter(|host| !host.is_empty())
}

fn hosts_with_several_taskmanagers(
    listed: Option<&BTreeMap<String, Option<String>>>,
    seen: &BTreeMap<String, TaskManagerSnapshot>,
) -> Vec<String> {
    let mut per_host: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    let listed_hosts = listed.into_iter().flatten().filter_map(|(id, host)| Some((id.as_str(), host.as_ref()?)));
    let seen_hosts = seen.values().filter_map(|tm| Some((tm.id.as_str(), tm.host.as_ref()?)));
    for (id, host) in listed_hosts.chain(seen_hosts) {
        per_host.entry(host.clone()).or_default().insert(id);
    }
    per_host.into_iter().filter(|(_, ids)| ids.len() > 1).map(|(host, _)| host).collect()
}

/// Reads a file of saved sidecar pushes: one `rightsize.gc-push/v1` document, a JSON array of
/// them, or one per line.
pub fn read_pushes(text: &str) -> Result<Vec<GcPush>, String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let values: Vec<serde_json::Value> =
            serde_json::from_str(trimmed).map_err(|error| format!("not a JSON array of pushes: {error}"))?;
        return values
            .iter()
            .map(|value| GcPush::from_json(value.to_string().as_bytes()))
            .collect::<Result<Vec<_>, _>>();
    }
    if let Ok(push) = GcPush::from_json(trimmed.as_bytes()) {
        return Ok(vec![push]);
    }
    std::io::Cursor::new(text)
        .lines()
        .map_while(Result::ok)
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(index, line)| GcPush::from_json(line.as_bytes()).map_err(|error| format!("line {}: {error}", index + 1)))
        .collect()
}

// REST answers, only the fields used; every field tolerant of absence.

#[derive(Deserialize)]
struct TaskManagerList {
    #[serde(default)]
    taskmanagers: Vec<ListedTaskManager>,
}

#[derive(Deserialize)]
struct ListedTaskManager {
    id: String,
    #[serde(default)]
    path: String,
}

#[derive(Deserialize)]
struct VertexTaskManagers {
    #[serde(default)]
    taskmanagers: Vec<VertexTaskManager>,
}

#[derive(Deserialize)]
struct VertexTaskManager {
    #[serde(default, rename = "taskmanager-id")]
    id: String,
}

#[derive(Deserialize)]
struct TaskManagerDetails {
    #[serde(default)]
    metrics: TaskManagerMetrics,
}

#[derive(Deserialize, Default)]
struct TaskManagerMetrics {
    #[serde(default, rename = "heapMax")]
    heap_max: Option<u64>,
    #[serde(default, rename = "garbageCollectors")]
    garbage_collectors: Vec<CollectorCount>,
}

#[derive(Deserialize)]
struct CollectorCount {
    name: String,
    #[serde(default)]
    count: u64,
}

#[derive(Deserialize)]
struct LogList {
    #[serde(default)]
    logs: Vec<LogFile>,
}

/// One file of `/taskmanagers/:tmid/logs`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LogFile {
    pub name: String,
    #[serde(default)]
    pub size: u64,
    /// Modification time, ms since the epoch.
    #[serde(default)]
    pub mtime: Option<i64>,
}

#[derive(Deserialize)]
struct MetricId {
    id: String,
}

#[derive(Deserialize)]
struct MetricValue {
    id: String,
    #[serde(default)]
    value: Option<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, size: u64, mtime: i64) -> LogFile {
        LogFile { name: name.to_owned(), size, mtime: Some(mtime) }
    }

    #[test]
    fn globs_match_like_a_shell() {
        for name in ["gc.log", "taskmanager-gc.log", "gc.log.3", "gc.log.0.current", "tm-gc.log.1.gz"] {
            assert!(glob_matches("*gc*.log*", name), "{name}");
        }
        for name in ["flink--taskexecutor-0-vm.log", "taskmanager.out", "gc.txt"] {
            assert!(!glob_matches("*gc*.log*", name), "{name}");
        }
        assert!(glob_matches("gc?.log", "gc1.log"));
        assert!(!glob_matches("gc?.log", "gc.log"));
        assert!(glob_matches("*", ""));
        assert!(glob_matches("a*b*c", "aXbYbZc"));
        assert!(!glob_matches("a*b*c", "aXbYbZ"));
    }

    #[test]
    fn the_recorded_log_directory_yields_the_taskmanager_gc_log_not_the_jobmanager_one() {
        let text = include_str!("../../../tests/fixtures/rest/memory/taskmanager-logs.json");
        let listing: LogList = serde_json::from_str(text).expect("a log list");
        let plan = plan_download(&listing.logs, "*gc*.log*", 64 << 20);
        let names: Vec<&str> = plan.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["taskmanager-gc.log"]);
        assert!(plan.skipped.is_empty(), "{:?}", plan.skipped);
        // Two TaskManager-like sets: the one written last is taken, the other named.
        let listed = [file("gc-old.log", 5, 100), file("gc-new.log", 5, 200), file("jobmanager-gc.log", 5, 300)];
        let plan = plan_download(&listed, "*gc*.log*", 64);
        assert_eq!(plan.files, [file("gc-new.log", 5, 200)]);
        assert_eq!(plan.skipped, ["gc-old.log*: another JVM's GC log, not taken for this TaskManager's"]);
    }

    #[test]
    fn rotated_files_are_read_oldest_first_and_the_oldest_fall_outside_the_budget() {
        // JDK 9+ rotation wraps its index: .1 is newer than .4 here, and the active file last.
        let listed = [
            file("gc.log", 5, 500),
            file("gc.log.4", 20, 200),
            file("gc.log.0", 20, 300),
            file("gc.log.1", 20, 400),
            file("gc.log.3", 20, 100),
        ];
        let plan = plan_download(&listed, "gc*.log*", 50);
        let names: Vec<&str> = plan.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["gc.log.0", "gc.log.1", "gc.log"]);
        assert_eq!(plan.skipped.len(), 2, "{:?}", plan.skipped);
        assert!(plan.skipped[0].starts_with("gc.log.4 "), "{:?}", plan.skipped);
        // The newest file is taken even when it alone is over the budget.
        let plan = plan_download(&listed, "gc*.log*", 1);
        assert_eq!(plan.files, [file("gc.log", 5, 500)]);
    }

    #[test]
    fn young_collectors_are_counted_by_their_jvm_names() {
        let counts = |pairs: &[(&str, u64)]| pairs.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect::<Vec<_>>();
        // As recorded from Flink 2.2.1 on JDK 17 with G1.
        let g1 = counts(&[("All", 12), ("G1_Young_Generation", 12), ("G1_Old_Generation", 0)]);
        assert_eq!(young_collections(&g1), Some((12, vec!["G1_Young_Generation".to_owned()], false)));
        let parallel = counts(&[("PS_Scavenge", 40), ("PS_MarkSweep", 2)]);
        assert_eq!(young_collections(&parallel).map(|y| y.0), Some(40));
        let generational_zgc = counts(&[
            ("ZGC_Minor_Cycles", 9),
            ("ZGC_Minor_Pauses", 27),
            ("ZGC_Major_Cycles", 1),
            ("ZGC_Major_Pauses", 3),
        ]);
        assert_eq!(young_collections(&generational_zgc).map(|y| y.0), Some(9));
        let shenandoah = counts(&[("Shenandoah_Cycles", 5), ("Shenandoah_Pauses", 20)]);
        assert_eq!(young_collections(&shenandoah), Some((5, vec!["Shenandoah_Cycles".to_owned()], true)));
        assert_eq!(young_collections(&counts(&[("All", 3)])), None);
    }

    fn push(agent_id: &str, taskmanager_id: Option<&str>, host: &str, created_at_ms: i64) -> GcPush {
        GcPush {
            schema: crate::wire::GC_PUSH_SCHEMA.into(),
            id: format!("{agent_id}:{created_at_ms}"),
            agent: crate::wire::AgentIdentity {
                agent_id: agent_id.into(),
                taskmanager_id: taskmanager_id.map(str::to_owned),
                host: host.into(),
                pod: None,
                namespace: None,
            },
            sequence: 1,
            created_at_ms,
            report: serde_json::json!({"schema": "rightsize.gc/v1", "instances": []}),
        }
    }

    #[test]
    fn sidecar_pushes_match_by_taskmanager_id_else_by_a_host_with_one_taskmanager() {
        let taskmanager =
            TaskManagerSnapshot { id: "tm-1".into(), host: Some("10.0.0.7".into()), ..TaskManagerSnapshot::default() };
        let pushes = [
            push("a", Some("tm-1"), "10.0.0.9", 1),
            push("a", Some("tm-1"), "10.0.0.9", 5),
            push("b", None, "10.0.0.7", 9),
        ];
        // By id, the newest push of it.
        assert_eq!(super::super::sidecar_for(&taskmanager, &[], &pushes).map(|p| p.created_at_ms), Some(5));
        // By host only without an id match, and only when the host runs one TaskManager.
        let by_host = &pushes[2..];
        assert_eq!(super::super::sidecar_for(&taskmanager, &[], by_host).map(|p| p.agent.agent_id.as_str()), Some("b"));
        assert!(super::super::sidecar_for(&taskmanager, &["10.0.0.7"], by_host).is_none());
    }

    #[test]
    fn saved_pushes_read_as_one_document_an_array_or_lines() {
        let one = serde_json::to_string(&push("a", Some("tm-1"), "h", 1)).expect("JSON");
        let two = serde_json::to_string(&push("b", None, "h", 2)).expect("JSON");
        assert_eq!(read_pushes(&one).map(|p| p.len()), Ok(1));
        assert_eq!(read_pushes(&format!("[{one},{two}]")).map(|p| p.len()), Ok(2));
        assert_eq!(read_pushes(&format!("{one}\n\n{two}\n")).map(|p| p.len()), Ok(2));
        let error = read_pushes(&format!("{one}\n{{}}\n")).unwrap_err();
        assert!(error.starts_with("line 2: not a rightsize.gc-push/v1 document"), "{error}");
    }

    #[test]
    fn hosts_come_from_the_rpc_address_or_the_standalone_id() {
        let listed = ListedTaskManager {
            id: "127.0.0.1:40291-4e4448".into(),
            path: "pekko.tcp://flink@127.0.0.1:40291/user/rpc/taskmanager_0".into(),
        };
        assert_eq!(rpc_host(&listed).as_deref(), Some("127.0.0.1"));
        assert_eq!(host_of_id("flink-taskmanager-7d9f-1"), None);
        assert_eq!(host_of_id("10.0.0.7:6122-ab12cd").as_deref(), Some("10.0.0.7"));
    }
}
