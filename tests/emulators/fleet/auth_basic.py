"""Basic authentication of the WinRM listeners: accepted only on PCs whose transport is ``basic``.

The WinRM service default has Basic off (``winrm get winrm/config/service/auth``: Basic = false; Microsoft,
"Installation and configuration for Windows Remote Management"). Basic authenticates each request on its own and,
like NTLM, leaves no reusable credentials to the logon (session.py).
"""

from __future__ import annotations

import base64
import binascii
import typing as t

from .auth_common import Challenge, Identity, challenges, user_matches

if t.TYPE_CHECKING:
    from .fleet import PC


def authenticate(pc: PC, value: str) -> Identity | Challenge:
    if pc.transport != "basic":
        return Challenge(challenges(pc), "Basic authentication is disabled on this PC")
    try:
        user, _sep, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return Challenge(challenges(pc), "malformed Basic credentials")
    if pc.faults["auth_fail"] or not user_matches(pc, user) or password != pc.password:
        return Challenge(challenges(pc), "Basic credentials rejected")
    return Identity(user, "basic")
