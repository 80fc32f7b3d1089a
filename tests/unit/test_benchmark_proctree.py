"""benchmarks/proctree.py reads a real process tree from /proc."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from benchmarks import proctree

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/smaps_rollup"), reason="needs Linux /proc")

# a child that starts a grandchild holding 40 MiB of touched memory
HOLD = ("import subprocess, sys; "
        "subprocess.run([sys.executable, '-c', 'import time; x = b\"x\" * (40 << 20); time.sleep(30)'])")


def test_tree_memory_counts_grandchildren_and_the_sampler_keeps_the_peak():
    parent = subprocess.Popen([sys.executable, "-c", HOLD])
    try:
        deadline = time.monotonic() + 20
        while len(proctree.descendants(parent.pid)) < 2 or proctree.tree_memory_kb(parent.pid)[1] < 40 * 1024:
            assert time.monotonic() < deadline, "the grandchild never showed up with its 40 MiB"
            time.sleep(0.05)
        rss, pss = proctree.tree_memory_kb(parent.pid)
        assert rss >= pss >= 40 * 1024
        with proctree.TreePeakSampler(parent.pid, interval=0.05, pss_interval=0.15) as sampler:
            time.sleep(0.5)
        assert sampler.peak_pss_kb >= 40 * 1024 and sampler.peak_rss_kb >= sampler.peak_pss_kb
        assert sampler.samples >= 5 and sampler.pss_samples in range(2, sampler.samples)  # PSS read less often
        assert proctree.peak_rss_kb(os.getpid()) > 0
        assert proctree.cpu_seconds(os.getpid()) > 0
    finally:
        for pid in reversed(proctree.descendants(parent.pid)):
            os.kill(pid, 15)
        parent.wait(timeout=10)
    assert proctree.tree_memory_kb(parent.pid) == (0, 0)
