#!/usr/bin/env python3
"""Runs `rightsize gc` and GCViewer on the same GC logs in one run; prints the ratio of their wall
times and the summary fields where they disagree.

Driven by vs-gcviewer.sh, which fetches GCViewer and builds rightsize. Machines are noisy, so the
two tools are timed side by side, alternating which goes first, for several rounds; the median
per file is reported, and the speed target (>= 50x GCViewer) is information, never a failure.
Each tool runs as a user would run it: one process per file, start-up included.

Disagreements are expected: GCViewer counts G1 Remark/Cleanup as "GC pauses", takes its time
window from the first to the last GC event, reports the whole heap after Full GC as the
footprint, and so on (shared/notes/gc-logs.md section 2). They are listed with the reason, as
information.
"""

import argparse
import csv
import gzip
import io
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

UPSTREAM = Path(__file__).resolve().parents[3] / "shared" / "gclogs" / "upstream"

# The bench's large samples, plus small ones that show GCViewer's known errors (notes section 2).
DEFAULT_FILES = [
    "jdk11-ujl-g1/gctoolkit/jdk11_details.log.zip",
    "jdk14-ujl-g1/gctoolkit/short_restart_4/short_restart_4.log.4",
    "jdk9-15-ujl-parallel/gctoolkit/parallelgc.log",
    "jdk8-g1/gctoolkit/g1gc.log",
    "jdk8-parallel/gctoolkit/parold1.log",
    "jdk9-10-ujl-g1/gcviewer/sample-ujl-g1-gc-defaults.txt",
    "jdk24-ujl-serial/gctoolkit/factorization-serialgc-tip.log",
]

# GCViewer formats numbers with the JVM's default locale ("1,040" is 1040 in en-US, 1.04 in
# de-DE). It is started with a fixed locale so its numbers parse unambiguously.
GCVIEWER_LOCALE = ["-Duser.language=en", "-Duser.country=US"]
DECIMAL_MARK, GROUPING_MARK = ".", ","

MEMORY_UNITS_MIB = {"B": 1 / 1024 / 1024, "K": 1 / 1024, "M": 1.0, "G": 1024.0}


class Field:
    """One summary field both tools report, converted to rightsize's CSV unit."""

    def __init__(self, label, gcviewer_keys, column, unit, combine, why, absent_is_zero=False, scale=1.0):
        self.label = label
        self.gcviewer_keys = gcviewer_keys  # first key present wins
        self.column = column
        self.unit = unit  # "MiB", "s", "%", "count"
        self.combine = combine  # how instances of one file add up: "sum", "mean_by_yg" or None
        self.why = why
        self.absent_is_zero = absent_is_zero
        self.scale = scale  # rightsize column value * scale = the compared value


FIELDS = [
    Field("RunHours (s)", ["totalTime"], "RunHours", "s", "sum",
          "GCViewer: first to last GC event, truncated to whole s; rightsize: JVM uptime when the start is in the log",
          scale=3600.0),
    Field("YGCount", ["gcPauseCount"], "YGCount", "count", "sum",
          "GCViewer counts every non-full pause (G1 Remark/Cleanup, CMS marks, To-space exhausted, ZGC cycles)"),
    Field("YGPerTime (s)", ["avgGCPause"], "YGPerTime", "s", "mean_by_yg",
          "mean over GCViewer's wider pause set (see YGCount)"),
    Field("FGCount", ["fullGcPauseCount"], "FGCount", "count", "sum",
          "GCViewer: generation ALL events or JDK 8 events with several generations", absent_is_zero=True),
    Field("FGAllTime (s)", ["fullGCPauseSum", "fullGCPause"], "FGAllTime", "s", "sum",
          "GCViewer 1.36 prints this sum with 2 decimals", absent_is_zero=True),
    Field("Throughput (%)", ["throughput"], "Throughput", "%", None,
          "GCViewer's window is first to last GC event and adds VM-operation time; rightsize uses the union of pauses over the covered window"),
    Field("AvgPromotion (MiB)", ["avgPromotion"], "AvgPromotion", "MiB", None,
          "GCViewer: (young before-after) - (heap before-after), mixing K and whole-MB values; for G1 'young' is Eden only; can go negative (GV#235)"),
    Field("M (MiB)", ["avgfootprintAfterFullGC"], "M", "MiB", None,
          "GCViewer: whole heap after Full GC; rightsize: old gen after Full GC, or another basis (MBasis)"),
    Field("YGSize (MiB)", ["totalYoungAllocMax"], "YGSize", "MiB", None,
          "capacity definitions differ (notes sections 2 and 3)"),
    Field("YGUsePC (%)", ["totalYoungUsedMaxpc"], "YGUsePC", "%", None,
          "GCViewer divides the max used by the max capacity of different events"),
    Field("OGSize (MiB)", ["totalTenuredAllocMax"], "OGSize", "MiB", None,
          "capacity definitions differ (notes sections 2 and 3)"),
    Field("OGUsePC (%)", ["totalTenuredUsedMaxpc"], "OGUsePC", "%", None,
          "GCViewer divides the max used by the max capacity of different events"),
]


def parse_number(text):
    """A number as GCViewer printed it in GCVIEWER_LOCALE, or None for n.a./n/a/NaN/infinity.
    Returns (value, half the unit of its last printed digit) so comparisons respect rounding."""
    text = text.strip().replace(GROUPING_MARK, "")
    if text.startswith("-"):
        sign, digits = -1.0, text[1:]
    else:
        sign, digits = 1.0, text
    whole, _, fraction = digits.partition(DECIMAL_MARK)
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        return None
    return sign * float(f"{whole}.{fraction or 0}"), 0.5 * 10 ** -len(fraction)


def read_gcviewer_summary(path):
    """GCViewer's "CSV" summary: one `key; value; unit` line per metric, not a columnar CSV."""
    summary = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = [part.strip() for part in line.split(";")]
        if len(parts) == 3:
            summary[parts[0]] = (parts[1], parts[2])
    return summary


def gcviewer_value(summary, field):
    """The field's value in rightsize's unit with its rounding half-width, the raw text, or None."""
    for key in field.gcviewer_keys:
        if key in summary:
            raw, unit = summary[key]
            parsed = parse_number(raw)
            if parsed is None:
                return None, f"{raw} {unit}"
            value, half_ulp = parsed
            if field.unit == "MiB":
                factor = MEMORY_UNITS_MIB.get(unit)
                if factor is None:
                    return None, f"{raw} {unit}"
                value, half_ulp = value * factor, half_ulp * factor
            return (value, half_ulp), f"{raw} {unit}"
    if field.absent_is_zero:
        return (0.0, 0.0), "(absent: 0)"
    return None, "(absent)"


def rightsize_value(rows, field):
    """The field over all instances rightsize found in one file: (value, rounding half-width) and
    the text to show; the value is None when missing or not combinable across instances."""
    cells = [row.get(field.column, "") for row in rows]
    shown = " | ".join(cell or "-" for cell in cells)
    if not all(cells) or (len(rows) > 1 and field.combine is None):
        return None, shown
    values = [float(cell) * field.scale for cell in cells]
    halves = [precision_of(cell) * field.scale for cell in cells]
    if len(rows) == 1:
        shown = cells[0] if field.scale == 1.0 else f"{values[0]:g} ({cells[0]} {field.column})"
        return (values[0], halves[0]), shown
    if field.combine == "sum":
        return (sum(values), sum(halves)), f"{sum(values):g} (sum of {len(rows)} instances)"
    weights = [float(row.get("YGCount") or 0) for row in rows]
    if sum(weights) == 0:
        return None, shown
    mean = sum(v * w for v, w in zip(values, weights)) / sum(weights)
    return (mean, max(halves)), f"{mean:.5f} (mean of {len(rows)} instances)"


def precision_of(cell):
    """Half the unit of the last digit printed."""
    _, _, fraction = cell.partition(".")
    return 0.5 * 10 ** -len(fraction)


def agree(gcviewer, rightsize, field):
    (gcv, gcv_half), (rs, rs_half) = gcviewer, rightsize
    # totalTime is truncated to whole seconds, not rounded.
    slack = 1.0 if field.gcviewer_keys == ["totalTime"] else 0.0
    return abs(gcv - rs) <= gcv_half + rs_half + slack + 0.005 * abs(gcv)


def reason(field, gcviewer_text, rows):
    """Why the two differ, as far as the known causes go; flags rightsize values that cannot be
    right (a usage over 100 %) instead of explaining them away."""
    collectors = {row.get("Collector", "") for row in rows}
    if field.unit == "%" and field.column.endswith("UsePC"):
        over = [row[field.column] for row in rows if row.get(field.column) and float(row[field.column]) > 100.0]
        if over:
            return f"CHECK rightsize: usage over 100 % ({', '.join(over)})"
    if gcviewer_text.split(" ")[0] in ("0", "NaN", "∞", "n.a.", "n/a"):
        if "G1" in collectors and field.column in ("OGSize", "OGUsePC", "YGSize", "YGUsePC"):
            return "GCViewer has no G1 capacity in unified logs without region size/old capacity (GV#265)"
        return "GCViewer could not compute it from this log (0, NaN, infinite or n.a.)"
    return field.why


def materialize(path, workdir):
    """Both tools read the same plain file: .zip and .gz samples are inflated first."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            name = archive.namelist()[0]
            target = workdir / Path(name).name
            target.write_bytes(archive.read(name))
            return target
    if path.suffix == ".gz":
        target = workdir / path.stem
        target.write_bytes(gzip.decompress(path.read_bytes()))
        return target
    return path


def timed(command, **kwargs):
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, **kwargs)
    return time.perf_counter() - start, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rightsize", required=True, help="the release rightsize binary")
    parser.add_argument("--gcviewer", help="GCViewer's jar; without it only rightsize runs")
    parser.add_argument("--gcviewer-missing-reason", default="", help="why there is no jar (printed)")
    parser.add_argument("--java", default="java")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("files", nargs="*", type=Path,
                        help=f"GC logs (default: {len(DEFAULT_FILES)} samples under shared/gclogs/upstream)")
    args = parser.parse_args()

    files = args.files or [UPSTREAM / name for name in DEFAULT_FILES]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        sys.exit(f"vs-gcviewer: not found: {', '.join(missing)}")

    with tempfile.TemporaryDirectory(prefix="rightsize-vs-gcviewer.") as tmp:
        workdir = Path(tmp)
        logs = [(f, materialize(f, workdir)) for f in files]
        times = {(str(f), tool): [] for f, _ in logs for tool in ("gcviewer", "rightsize")}
        outputs = {}
        failures = []
        for round_index in range(args.rounds):
            for index, (original, plain) in enumerate(logs):
                runs = ["rightsize"] + (["gcviewer"] if args.gcviewer else [])
                # Alternate who goes first: neither tool always gets the warmer cache.
                if (round_index + index) % 2:
                    runs.reverse()
                for tool in runs:
                    if tool == "rightsize":
                        seconds, result = timed([args.rightsize, "gc", "--output", "csv", str(plain)])
                        output = result.stdout.decode("utf-8", errors="replace")
                    else:
                        out_csv = workdir / f"gcviewer-{index}.csv"
                        out_csv.unlink(missing_ok=True)
                        seconds, result = timed([args.java, "-Djava.awt.headless=true", *GCVIEWER_LOCALE,
                                                 "-jar", args.gcviewer, str(plain), str(out_csv), "-t", "SUMMARY"])
                        output = read_gcviewer_summary(out_csv) if out_csv.is_file() else None
                    if result.returncode != 0 or output is None:
                        stderr = result.stderr.decode("utf-8", errors="replace").strip().splitlines()
                        failures.append(f"{tool} on {original.name}: exit {result.returncode}: "
                                        f"{stderr[-1] if stderr else '(no output)'}")
                        continue
                    times[(str(original), tool)].append(seconds)
                    outputs[(str(original), tool)] = output

        print_timings(logs, times, args)
        if args.gcviewer:
            print_disagreements(logs, outputs)
        else:
            print(f"\nGCViewer was not run: {args.gcviewer_missing_reason or 'no jar given'}.")
        for failure in dict.fromkeys(failures):
            print(f"note: {failure}")


def print_timings(logs, times, args):
    mib = 1024 * 1024
    header = f"{'file':<44} {'MiB':>7} {'rightsize s':>12} {'MiB/s':>8}"
    if args.gcviewer:
        header += f" {'GCViewer s':>11} {'ratio':>7}"
    print(f"\nMedian wall time of {args.rounds} rounds, one process per file, start-up included")
    print(header)
    total_bytes = total_rs = total_gcv = 0.0
    for original, plain in logs:
        size = plain.stat().st_size
        rs = times[(str(original), "rightsize")]
        gcv = times[(str(original), "gcviewer")]
        line = f"{original.name[:44]:<44} {size / mib:>7.1f}"
        if not rs:
            print(line + "  rightsize failed")
            continue
        rs_median = statistics.median(rs)
        line += f" {rs_median:>12.4f} {size / mib / rs_median:>8.0f}"
        if gcv:
            gcv_median = statistics.median(gcv)
            line += f" {gcv_median:>11.3f} {gcv_median / rs_median:>6.0f}x"
            total_gcv += gcv_median
        total_rs += rs_median
        total_bytes += size
        print(line)
    if total_rs:
        line = f"{'total':<44} {total_bytes / mib:>7.1f} {total_rs:>12.4f} {total_bytes / mib / total_rs:>8.0f}"
        if total_gcv:
            line += f" {total_gcv:>11.3f} {total_gcv / total_rs:>6.0f}x"
        print(line)
        if total_gcv:
            verdict = "met" if total_gcv / total_rs >= 50 else "NOT met on this machine in this run"
            print(f"Target: rightsize at least 50x GCViewer's speed: {verdict} (information, not a test).")


def print_disagreements(logs, outputs):
    rows_out = []
    agreed = compared = 0
    for original, _ in logs:
        gcv_summary = outputs.get((str(original), "gcviewer"))
        rs_csv = outputs.get((str(original), "rightsize"))
        if gcv_summary is None or rs_csv is None:
            continue
        rows = list(csv.DictReader(io.StringIO(rs_csv)))
        for field in FIELDS:
            gcv, gcv_text = gcviewer_value(gcv_summary, field)
            rs_value, rs_text = rightsize_value(rows, field) if rows else (None, "(no instance)")
            if gcv is not None and rs_value is not None:
                compared += 1
                if agree(gcv, rs_value, field):
                    agreed += 1
                    continue
            elif gcv is None and rs_value is None:
                continue  # neither tool has a value
            rows_out.append((original.name, field.label, gcv_text, rs_text, reason(field, gcv_text, rows)))
        if len(rows) > 1:
            rows_out.append((original.name, "instances", "1 (runs merged)", str(len(rows)),
                             "rightsize reports each JVM run on its own; GCViewer merges restarts"))
    print(f"\nSummary fields: {agreed} of {compared} comparable values agree (within print precision + 0.5 %).")
    if not rows_out:
        return
    print("Where they disagree (information: GCViewer's known errors, shared/notes/gc-logs.md section 2):")
    widths = [max(len(row[i]) for row in rows_out + [("file", "field", "GCViewer", "rightsize", "")])
              for i in range(4)]
    widths = [min(w, 44) for w in widths]
    print("  ".join(title.ljust(w) for title, w in zip(("file", "field", "GCViewer", "rightsize"), widths)) + "  why")
    for row in rows_out:
        print("  ".join(cell[:w].ljust(w) for cell, w in zip(row[:4], widths)) + f"  {row[4]}")


if __name__ == "__main__":
    main()
