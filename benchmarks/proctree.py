"""Resident memory of a process and its descendants, read from /proc (Linux), sampled in a background thread.

The controller's memory is that of ``ansible-playbook`` and every worker it forks; they come and go during a run,
so :class:`TreePeakSampler` sums the memory of the whole tree now and then and keeps the highest sum, twice: the
resident sets (RSS, ``statm``, every ``interval`` seconds), and the proportional set sizes (PSS,
``/proc/<pid>/smaps_rollup``: each page shared by k processes counts 1/k in each; every ``pss_interval`` seconds,
because the kernel walks every page table of the process to answer it: read twice a second over a 10,000-gateway
run's 27 processes it cost about 5 % of the machine, ``smaps_account`` in ``perf``).
Forked workers share most pages with their parent, so the RSS sum counts those pages once per worker and grows with
forks far beyond the memory really used; the PSS sum is the memory the tree really holds, the figure to size a
controller with.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def rss_kb(pid: int) -> int:
    """Current resident set of ``pid`` in KiB (0 once it is gone)."""
    try:
        return int((PROC / str(pid) / "statm").read_text().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time ``pid`` has used so far (its own threads, not its children)."""
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def pss_kb(pid: int) -> int:
    """Current proportional set size of ``pid`` in KiB (0 once it is gone or unreadable)."""
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def peak_rss_kb(pid: int) -> int:
    """The kernel's high-water mark of the resident set of ``pid`` (``VmHWM``), in KiB (0 once it is gone)."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return found


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (``/proc/<pid>/task/<tid>/children``)."""
    seen, todo = [], [pid]
    while todo:
        current = todo.pop()
        seen.append(current)
        todo.extend(child for child in _children(current) if child not in seen)
    return seen


def tree_memory_kb(pid: int, pss: bool = True) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) of ``pid`` and its descendants, in KiB (PSS 0 when ``pss`` is false)."""
    tree = descendants(pid)
    return sum(rss_kb(p) for p in tree), sum(pss_kb(p) for p in tree) if pss else 0


class TreePeakSampler:
    """``with TreePeakSampler(pid) as sampler: ...``; then ``sampler.peak_pss_kb`` and ``sampler.peak_rss_kb``
    are the highest tree sums seen."""

    def __init__(self, pid: int, interval: float = 0.5, pss_interval: float = 5.0) -> None:
        self.pid = pid
        self.interval = interval
        self.pss_interval = pss_interval
        self.peak_rss_kb = 0
        self.peak_pss_kb = 0
        self.main_cpu_s = 0.0  # CPU of ``pid`` itself at the last sample (its workers' CPU excluded)
        self.samples = 0
        self.pss_samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-{pid}", daemon=True)

    def _run(self) -> None:
        pss_due = 0.0
        while True:
            read_pss = time.monotonic() >= pss_due
            if read_pss:
                pss_due = time.monotonic() + self.pss_interval
            rss, pss = tree_memory_kb(self.pid, pss=read_pss)
            self.main_cpu_s = max(self.main_cpu_s, cpu_seconds(self.pid))
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self.samples += 1
            self.pss_samples += read_pss
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> TreePeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()
