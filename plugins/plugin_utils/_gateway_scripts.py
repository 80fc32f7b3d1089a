# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one of the shipped ``scripts/*.ps1`` over the host's own Ansible connection and read back its JSON.

The script text is constant; its input travels as JSON on standard input (read on the PC with
``$input | Out-String | ConvertFrom-Json``), never spliced into the script, with one exception: an operation of
:data:`INLINE_INPUT` whose input holds no secret (the reads, whose input is what the adapters know: registry keys,
file paths, service names) carries it inside the script as a PowerShell string literal (``$inputJson = '...'``).
That saves the WS-Management Send of standard input, one request of the six, on the read every gateway runs on
every run. When a read carries credentials for the gateway's REST API (``credentials`` in its input), the whole
input goes on stdin like any other: a secret is never on the PowerShell command line.

The command line is built here (:func:`command_line`), not by the shell plugin's private ``_encode_script``
(deprecated in ansible-core 2.21, removed in 2.24), which this collection no longer calls:
``PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand <base64 of the UTF-16-LE
script>``, the form every connection plugin of ansible-core 2.16 to 2.21 takes for an encoded PowerShell
script. psrp recognises exactly this prefix with the encoded script last and runs the script in its runspace with
standard input as the pipeline input; winrm sends it as it is (2.19 and later) or wrapped in one more encoded
PowerShell (2.16 to 2.18); ssh with the powershell shell runs it as it is (2.21) or after ``chcp.com 65001`` in one
more encoded PowerShell (2.16 to 2.20).
"""

from __future__ import annotations

import base64
import json
import pathlib
import re

from ansible.module_utils.common.text.converters import to_text
from ansible.utils.display import Display

from ._errors import WacFleetError

display = Display()

SCRIPTS_DIR = pathlib.Path(__file__).resolve().parent / "scripts"
MARKER = "# wac.fleet operation: "
_MARKER_LINE = re.compile(r"# wac\.fleet operation: ([a-z0-9_]+)")


class ScriptError(WacFleetError):
    """A script ran but reported a failure, or its output could not be understood."""

    def __init__(self, msg: str, *, operation: str, rc: int | None = None, stderr: str = ""):
        super().__init__(msg)
        self.operation = operation
        self.rc = rc
        self.stderr = stderr


def script_path(operation: str) -> pathlib.Path:
    return SCRIPTS_DIR / f"{operation}.ps1"


PRELUDE = "_prelude"
INLINE_INPUT = frozenset({"gateway_info", "gateway_doctor"})
INLINE_VARIABLE = "$inputJson"


def powershell_literal(text: str) -> str:
    """``text`` as a PowerShell single-quoted string. PowerShell also ends such a string at the typographic quotes
    U+2018..U+201B, so only ASCII is accepted (JSON from json.dumps escapes everything else)."""
    if not text.isascii():
        raise ValueError("a PowerShell literal built here must be ASCII")
    return "'" + text.replace("'", "''") + "'"


def load_script(operation: str, inline_input: str | None = None) -> str:
    """The text sent for ``operation``: its marker line, then (for an :data:`INLINE_INPUT` operation given its
    input) the line ``$inputJson = '<inline_input>'``, then the shared ``_prelude.ps1``, then the rest of
    ``<operation>.ps1`` (the marker stays the first line, which is what routes the script)."""
    text = script_path(operation).read_text(encoding="utf-8")
    first, _sep, body = text.partition("\n")
    match = _MARKER_LINE.fullmatch(first)
    if not match or match.group(1) != operation:
        raise ScriptError(f"shipped script {operation}.ps1 does not start with '{MARKER}{operation}'",
                          operation=operation)
    prelude = script_path(PRELUDE).read_text(encoding="utf-8")
    if inline_input is not None and operation not in INLINE_INPUT:
        raise ScriptError(f"{operation} takes its input on stdin", operation=operation)
    if inline_input is not None:
        first = f"{first}\n{INLINE_VARIABLE} = {powershell_literal(inline_input)}"
    return f"{first}\n{prelude}{body}"


def holds_secret(data: dict) -> bool:
    """Whether an input carries credentials (which never go inline)."""
    return bool(data.get("credentials")) or bool((data.get("auth") or {}).get("password"))


def script_and_input(operation: str, data: dict) -> tuple[str, bytes | None]:
    """The script text sent for ``operation`` with input ``data``, and the bytes for its standard input (None when
    the input is in the script)."""
    payload = json.dumps(data, separators=(",", ":"))  # ASCII: json.dumps escapes everything else
    if operation in INLINE_INPUT and not holds_secret(data):
        return load_script(operation, inline_input=payload), None
    return load_script(operation), payload.encode("utf-8")


POWERSHELL_COMMAND = "PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand"
STRICT_MODE = "Set-StrictMode -Version Latest"


def command_line(script: str) -> str:
    """The PowerShell command line that runs ``script``: its marker line first (it routes the script), then strict
    mode, then the rest with every line stripped and blank lines dropped (what Ansible's encoder did; the shipped
    scripts have no here-string, tests/unit/test_scripts_parse.py checks it), base64 of UTF-16-LE as PowerShell's
    ``-EncodedCommand`` wants it."""
    first, _sep, rest = script.partition("\n")
    lines = [first.strip(), STRICT_MODE, *(line.strip() for line in rest.splitlines() if line.strip())]
    encoded = base64.b64encode("\n".join(lines).encode("utf-16-le")).decode("ascii")
    return f"{POWERSHELL_COMMAND} {encoded}"


def shipped_operations() -> list[str]:
    return sorted(p.stem for p in SCRIPTS_DIR.glob("*.ps1") if p.stem != PRELUDE)


def _last_json_object(stdout: str):
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    return None


def run_script(connection, operation: str, data: dict) -> dict:
    """Send ``scripts/<operation>.ps1`` with ``data`` as JSON input; return its JSON output.

    Connection failures propagate (Ansible reports the host unreachable); a failure reported by the script,
    a non-zero exit code or unreadable output raise ScriptError with the script's own message.
    """
    script, stdin = script_and_input(operation, data)
    command = command_line(script)
    display.vvv(f"wac.fleet: running gateway script {operation} "
                f"({'input in the script' if stdin is None else f'{len(stdin)} bytes of input on stdin'})")
    rc, b_stdout, b_stderr = connection.exec_command(command, in_data=stdin, sudoable=False)
    stdout = to_text(b_stdout, errors="surrogate_or_replace")
    stderr = to_text(b_stderr, errors="surrogate_or_replace").strip()
    result = _last_json_object(stdout)
    display.vvvvv(f"wac.fleet: {operation} rc={rc} stdout={stdout!r} stderr={stderr!r}")
    if isinstance(result, dict) and result.get("failed"):
        raise ScriptError(f"{operation}: {result.get('msg') or 'the script reported a failure'}",
                          operation=operation, rc=rc, stderr=stderr)
    if rc not in (0, None):
        detail = _clean_stderr(stderr) or stdout.strip() or "no output"
        raise ScriptError(f"{operation}: the script failed with exit code {rc}: {detail}",
                          operation=operation, rc=rc, stderr=stderr)
    if result is None:
        raise ScriptError(f"{operation}: the script returned no JSON object (stdout: {stdout.strip()[:200]!r})",
                          operation=operation, rc=rc, stderr=stderr)
    return result


def _clean_stderr(stderr: str) -> str:
    """PowerShell over WinRM sends errors as CLIXML; keep it readable."""
    if stderr.startswith("#< CLIXML"):
        messages = re.findall(r'<S S="Error">(.*?)</S>', stderr)
        text = "".join(messages).replace("_x000D__x000A_", "\n").strip()
        return text or stderr
    return stderr[:2000]
