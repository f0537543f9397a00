#!/usr/bin/env python3
"""Where a thread's instructions go, per compiled Java method and per record.

Usage: callgrind_methods.py DUMP PERF_MAP RECORDS N

DUMP is one thread's callgrind dump taken with --dump-instr=yes; PERF_MAP is the JVM's map of
its code (-XX:+DumpPerfMapAtExit: one line per compiled method, stub or the interpreter, as
"start size name" in hex). Callgrind cannot name JIT-compiled code, so its costs are summed by
instruction address and each address is looked up in the map. Prints the N costliest names,
in instructions per record; code outside the map (the JVM's own C++ code, libraries) is one
line.
"""

import bisect
import sys


def instruction_costs(dump_path):
    """Instructions executed at each address, from a dump with positions "instr" or "instr line"."""
    costs = {}
    address = 0
    after_calls = False
    event_column = 1
    with open(dump_path) as dump:
        for line in dump:
            if line.startswith("positions:"):
                event_column = len(line.split()) - 1
                continue
            if line.startswith("calls="):
                # The next cost line is the call's inclusive cost, not this address's own.
                after_calls = True
                continue
            if not line or line[0] not in "0123456789+-*":
                continue
            fields = line.split()
            position = fields[0]
            if position.startswith("+"):
                address += int(position[1:], 0)
            elif position.startswith("-"):
                address -= int(position[1:], 0)
            elif position != "*":
                address = int(position, 0)
            if after_calls:
                after_calls = False
                continue
            if len(fields) > event_column:
                costs[address] = costs.get(address, 0) + int(fields[event_column])
    return costs


def code_ranges(perf_map_path):
    ranges = []
    with open(perf_map_path) as perf_map:
        for line in perf_map:
            start, size, name = line.rstrip("\n").split(" ", 2)
            ranges.append((int(start, 16), int(size, 16), name))
    ranges.sort()
    return ranges


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[2])
    dump_path, perf_map_path, records, top = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    try:
        ranges = code_ranges(perf_map_path)
    except OSError as error:
        sys.exit(f"cannot read the JVM's perf map ({error}): the JVM writes it at exit with "
                 "-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit")
    starts = [start for start, _, _ in ranges]
    per_name = {}
    for address, cost in instruction_costs(dump_path).items():
        i = bisect.bisect_right(starts, address) - 1
        name = "(not JIT code: the JVM, libraries, the kernel interface)"
        if i >= 0 and address < ranges[i][0] + ranges[i][1]:
            name = ranges[i][2]
        per_name[name] = per_name.get(name, 0) + cost
    for name, cost in sorted(per_name.items(), key=lambda item: -item[1])[:top]:
        print(f"    {cost / records:9.2f}  {name}")


if __name__ == "__main__":
    main()
