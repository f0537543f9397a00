#!/usr/bin/env python3
"""Appends real GC log lines to a file at a steady rate of GC events, for as long as asked.

The lines are those of a real JVM's unified G1 log (the jdk17-g1 fixture): its start block
once, then its events over and over, GC ids and uptimes shifted on each pass so the log reads as
one long-running JVM. Output is written in 100 ms batches, line-buffered like the JVM's.

usage: gc-log-writer.py SOURCE_LOG TARGET_LOG EVENTS_PER_SECOND SECONDS
"""
import re
import sys
import time

DECORATION = re.compile(r"^\[(\d+)ms\]")
GC_ID = re.compile(r"GC\((\d+)\)")


def main():
    source, target, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    with open(source) as f:
        lines = f.read().splitlines()
    first_event = next(i for i, line in enumerate(lines) if GC_ID.search(line))
    header, body = lines[:first_event], [l for l in lines[first_event:] if GC_ID.search(l)]
    # One event = the lines of one GC id, in log order.
    events, current, current_id = [], [], None
    for line in body:
        gc_id = GC_ID.search(line).group(1)
        if current and gc_id != current_id and "Pause" in line and "gc,start" in line:
            events.append(current)
            current = []
        current.append(line)
        current_id = gc_id
    events.append(current)
    ids_per_pass = max(int(GC_ID.search(l).group(1)) for l in body) + 1
    start = time.monotonic()
    written = 0
    with open(target, "a", buffering=1) as out:
        for line in header:
            out.write(line + "\n")
        batch_period = 0.1
        while time.monotonic() - start < seconds:
            due = int((time.monotonic() - start) * rate)
            chunk = []
            while written < due:
                passes, index = divmod(written, len(events))
                uptime_shift = int((written / rate) * 1000)
                for line in events[index]:
                    line = GC_ID.sub(lambda m: f"GC({int(m.group(1)) + passes * ids_per_pass})", line)
                    line = DECORATION.sub(f"[{1000 + uptime_shift}ms]", line)
                    chunk.append(line + "\n")
                written += 1
            out.write("".join(chunk))
            time.sleep(batch_period)
    print(written)


if __name__ == "__main__":
    main()
