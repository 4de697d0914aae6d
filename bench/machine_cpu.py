"""CPU accounting for the benchmarks: where the processor time of a load goes.

On a small machine every process of the mesh, the database, Redis and the load generator share
the same cores, so once they are busy a closed-loop load obeys Little's law: latency at
concurrency C is about C x (CPU seconds per request) / cores. Printing the CPU each process
spends per request turns that from an argument into a figure: it shows which process to make
cheaper and the lowest latency the machine allows for that much work.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields after the command name: [state, ppid, ...], utime at 11."""
    with open(f"/proc/{pid}/stat") as handle:
        # The command name may hold spaces; the fields after it are fixed.
        return handle.read().rsplit(")", 1)[1].split()


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process, all its threads, so far."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK


def parent_pid(pid: int) -> int:
    return int(_stat(pid)[1])


def server_cpu(server: int) -> float:
    """CPU seconds so far of a server that works in child processes (PostgreSQL's postmaster):
    itself, its live children (backends, WAL writer, checkpointer, autovacuum) and, through its
    children times, every child that has exited (a pool's overflow connections close after a burst)."""
    fields = _stat(server)
    total = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                child = _stat(int(entry.name))
            except (OSError, ValueError):
                continue
            if int(child[1]) == server:
                total += int(child[11]) + int(child[12])
    return total / TICK


def machine_busy() -> float:
    """CPU seconds every core of the machine spent not idle, so far (all processes)."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / TICK


@dataclass
class Snapshot:
    wall: float
    machine: float
    processes: dict[str, float]


class CpuMeter:
    """Measures the CPU that named processes (and the whole machine) spend over a span."""

    def __init__(self, pids: Mapping[str, int]) -> None:
        self.pids = dict(pids)

    def snapshot(self) -> Snapshot:
        return Snapshot(
            wall=time.perf_counter(),
            machine=machine_busy(),
            processes={name: process_cpu(pid) for name, pid in self.pids.items()},
        )

    def report(self, before: Snapshot, after: Snapshot, units: int, unit: str) -> list[str]:
        """Lines: CPU per unit by process, and the whole machine's."""
        cores = os.cpu_count() or 1
        per_process = ", ".join(
            f"{name} {(after.processes[name] - before.processes[name]) / units * 1000:.2f}"
            for name in self.pids
        )
        busy = (after.machine - before.machine) / ((after.wall - before.wall) * cores) * 100
        return [
            f"  CPU per {unit}, ms     {per_process}",
            f"  whole machine        {machine_ms(before, after, units):.2f} ms CPU per {unit} "
            f"(PostgreSQL and Redis included); {cores} cores {busy:.0f}% busy",
        ]


def machine_ms(before: Snapshot, after: Snapshot, units: int) -> float:
    """Milliseconds of CPU the whole machine spent per unit of work over the span."""
    return (after.machine - before.machine) / units * 1000


def littles_law_floor(concurrency: int, cpu_ms: float) -> float:
    """The latency (ms) a closed loop of `concurrency` requests cannot beat once the cores are
    saturated, when each request costs `cpu_ms` of CPU across the machine."""
    return concurrency * cpu_ms / (os.cpu_count() or 1)
