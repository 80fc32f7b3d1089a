"""Turn a WinRS command line back into the PowerShell script text it carries.

Ansible sends ``PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand <b64>`` and
pywinrm's ``run_ps`` sends ``powershell -encodedcommand <b64>`` (base64 of UTF-16-LE). Some Ansible versions nest
one encoded command inside another, so decoding repeats while the decoded text is itself such a command line.
``-Command -`` means the script comes on standard input.
"""

from __future__ import annotations

import base64
import binascii
import re

_POWERSHELL = re.compile(r"^(?:.*[\\/])?(?:powershell|pwsh)(?:\.exe)?$", re.IGNORECASE)
_MAX_NESTING = 5
STDIN_SCRIPT = object()  # marker: the script is read from standard input


def _is_encoded_command_switch(token: str) -> bool:
    # PowerShell accepts any unambiguous prefix of -EncodedCommand from -e on (also with / or --).
    name = token.lstrip("-/").lower()
    return bool(name) and token[:1] in "-/" and ("encodedcommand".startswith(name) or name == "ec")


def _is_command_switch(token: str) -> bool:
    name = token.lstrip("-/").lower()
    return bool(name) and token[:1] in "-/" and "command".startswith(name)


def decode_command_line(command_line: str) -> str | object:
    """The script text of a PowerShell command line, :data:`STDIN_SCRIPT`, or the command line itself."""
    text = command_line.strip()
    for _level in range(_MAX_NESTING):
        decoded = _decode_once(text)
        if decoded is None:
            return text
        if decoded is STDIN_SCRIPT:
            return STDIN_SCRIPT
        text = str(decoded)
        nested = _nested_command(text)
        if nested is None:
            return text
        text = nested
    return text


def _nested_command(script: str) -> str | None:
    """The line of ``script`` that is itself an encoded PowerShell command line, if there is one."""
    for line in script.splitlines():
        tokens = line.split()
        if tokens and _POWERSHELL.match(tokens[0].strip("'\"&")) and any(map(_is_encoded_command_switch, tokens[1:])):
            return line
    return None


def _decode_once(command_line: str) -> str | object | None:
    tokens = command_line.split()
    if not tokens or not _POWERSHELL.match(tokens[0].strip("'\"&")):
        return None
    for index, token in enumerate(tokens[1:], start=1):
        if _is_encoded_command_switch(token) and index + 1 < len(tokens):
            try:
                return base64.b64decode(tokens[index + 1], validate=True).decode("utf-16-le")
            except (binascii.Error, UnicodeDecodeError, ValueError):
                return None
        if _is_command_switch(token):
            rest = tokens[index + 1 :]
            return STDIN_SCRIPT if rest == ["-"] else " ".join(rest)
    return None
