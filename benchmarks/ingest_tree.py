"""Peak memory of a process tree (an ingest, its judging workers, their OPSIN JVMs), sampled.

``wait4``'s peak is that of the largest single process; an ingest that forks workers holds
memory in several. :class:`TreeMemory` samples every ``interval`` seconds the process and its
descendants from /proc: the sum of their resident sets (pages a forked worker shares with its
parent counted twice) and the sum of their proportional sets (PSS: shared pages split between
their sharers, the fair total), and keeps the peak of each. Linux only; elsewhere both stay 0.

    with TreeMemory(process.pid) as memory:
        process.wait()
    memory.rss_mib, memory.pss_mib
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (children of each of its threads), alive now."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo += [int(child) for child in task.read_text().split()]
            except OSError:
                continue
    return found


def usage_kib(pid: int) -> tuple[int, int]:
    """(Rss, Pss) of one process in KiB; (0, 0) when it is gone."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


def cpu_seconds(pid: int) -> tuple[str, float] | None:
    """The command name and CPU seconds (user + system) of one process; None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    return name, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class TreeMemory:
    """The peak summed RSS and PSS (MiB) of a process tree, sampled in a thread, and the CPU
    seconds each of its processes had used when last seen (``cpu``: pid -> (name, seconds);
    the root's own CPU is what an ingest's critical path costs when its workers judge)."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        self.pid = pid
        self.interval = interval
        self.rss_mib = 0.0
        self.pss_mib = 0.0
        self.cpu: dict[int, tuple[str, float]] = {}
        self.pss_at_peak = (0.0, 0.0, 0.0)  # MiB of the root, its other processes, its JVMs
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join()

    def split(self) -> str:
        """The CPU seconds of the root, of its other Python processes and of its JVMs, as
        last sampled (a process's last half second may be missing)."""
        root = self.cpu.get(self.pid, ("", 0.0))[1]
        others = [used for pid, used in self.cpu.items() if pid != self.pid]
        java = sum(s for name, s in others if name == "java")
        rest = sum(s for name, s in others if name != "java")
        ingest, workers, jvms = self.pss_at_peak
        return (
            f"CPU: ingest {root:.1f}, workers {rest:.1f}, JVMs {java:.1f} s; "
            f"PSS at the peak: ingest {ingest:.0f}, workers {workers:.0f}, JVMs {jvms:.0f} MiB"
        )

    def _sample(self) -> None:
        while not self._done.wait(self.interval):
            pids = descendants(self.pid)
            sizes = [usage_kib(pid) for pid in pids]
            self.cpu |= {pid: used for pid in pids if (used := cpu_seconds(pid))}
            self.rss_mib = max(self.rss_mib, sum(r for r, _ in sizes) / 1024)
            pss = sum(p for _, p in sizes) / 1024
            if pss > self.pss_mib:
                kinds = [0.0, 0.0, 0.0]
                for pid, (_rss, used) in zip(pids, sizes, strict=True):
                    name = self.cpu.get(pid, ("", 0.0))[0]
                    kinds[0 if pid == self.pid else 2 if name == "java" else 1] += used / 1024
                self.pss_mib, self.pss_at_peak = pss, tuple(kinds)
