"""A minimal script router for the protocol tests, independent of the gateway model (``ops.py``).

Routes by the same ``# wac.fleet operation: <name>`` marker; operations:

- ``noop``: rc 0, no output
- ``echo``: stdout is stdin
- ``sleep``: sleeps ``float(stdin)`` seconds, then rc 0 and ``slept`` on stdout
- ``fail``: rc 1, ``{"failed": true, "msg": "asked to fail"}`` on stdout, a message on stderr
- ``script``: stdout is the decoded script text itself (to check decoding)

Anything else: rc 1 and an error on stderr, as the real router must do.
"""

from __future__ import annotations

import json
import time
import typing as t

from .fleet import operation_of

if t.TYPE_CHECKING:
    from .fleet import PC


def run_script(pc: PC, script: str, stdin: str, _session: object = None) -> tuple[int, str, str]:
    op = operation_of(script)
    if op == "noop":
        return 0, "", ""
    if op == "echo":
        return 0, stdin, ""
    if op == "sleep":
        time.sleep(float(stdin or 0))
        return 0, "slept", ""
    if op == "fail":
        return 1, json.dumps({"failed": True, "msg": "asked to fail"}), "asked to fail\r\n"
    if op == "script":
        return 0, script, ""
    return 1, "", f"unknown operation {op!r} on {pc.name}\r\n"
