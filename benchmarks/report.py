"""What the benchmarks that run emulators share on their way out: progress lines, the load average next to each
timing, the details file and the one JSON line on stdout, and the exit status of a failed benchmark."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import typing as t
from pathlib import Path

from benchmarks.emulators import EmulatorFailed


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load() -> str:
    """The 1, 5 and 15 minute load averages (the machine is shared: read timings next to them)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def write_result(path: Path, details: dict[str, t.Any], result: dict[str, t.Any]) -> int:
    """Write ``details`` (with ``result`` under "result") to ``path``, print ``result`` as one JSON line: 0."""
    details["result"] = result
    path.write_text(json.dumps(details, indent=2) + "\n")
    say(f"details in {path}")
    print(json.dumps(result))
    return 0


def run_main(main: t.Callable[[], int]) -> t.NoReturn:
    """Exit with ``main``'s status; an emulator or a process that failed ends it with 1 and one line on stderr."""
    try:
        sys.exit(main())
    except (EmulatorFailed, subprocess.SubprocessError, OSError) as failure:
        print(f"benchmark failed: {failure}", file=sys.stderr)
        sys.exit(1)
