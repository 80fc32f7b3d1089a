"""Per-PC fault injection: the keys of ``pc.faults`` and their checks.

``pc.faults`` is a plain dict, the single place both layers read:

=========================  ======================================================================================
key                        effect
=========================  ======================================================================================
``refuse`` (bool)          the PC stops listening (new connections get ECONNREFUSED) and drops open connections
``delay`` (float, s)       every HTTP reply of the PC is held back that long (slow host, client read timeouts)
``auth_fail`` (bool)       credentials are rejected with HTTP 401 (Basic, and NTLM after its handshake)
``service_never_starts``   model level (read by ``ops.py`` / the gateway model): the gateway service never reaches
(bool)                     Running after a start or restart
``script_fail`` (str)      model level: the operation of that name (or ``'*'`` for every one) fails; ``None``: off
=========================  ======================================================================================

The transport-level keys are applied by ``server.py``; the model-level ones are only stored here and, when the model
exists and has a ``faults`` dict, copied into it too (:func:`forward_to_model`).
"""

from __future__ import annotations

import typing as t

TRANSPORT_FAULTS = ("refuse", "delay", "auth_fail")
MODEL_FAULTS = ("service_never_starts", "script_fail")


def default_faults() -> dict[str, t.Any]:
    return {"refuse": False, "delay": 0.0, "auth_fail": False, "service_never_starts": False, "script_fail": None}


def validate(changes: dict[str, t.Any]) -> dict[str, t.Any]:
    """Checked and normalised copy of ``changes``; ``ValueError`` on an unknown key or a bad value."""
    clean: dict[str, t.Any] = {}
    for key, value in changes.items():
        if key in ("refuse", "auth_fail", "service_never_starts"):
            if not isinstance(value, bool):
                raise ValueError(f"fault {key!r} must be true or false, not {value!r}")
            clean[key] = value
        elif key == "delay":
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"fault 'delay' must be a number of seconds >= 0, not {value!r}")
            clean[key] = float(value)
        elif key == "script_fail":
            if value is not None and (not isinstance(value, str) or not value):
                raise ValueError(f"fault 'script_fail' must be an operation name, '*' or null, not {value!r}")
            clean[key] = value
        else:
            known = ", ".join(TRANSPORT_FAULTS + MODEL_FAULTS)
            raise ValueError(f"unknown fault {key!r} (known: {known})")
    return clean


def forward_to_model(faults: dict[str, t.Any], model: t.Any) -> None:
    """Copy the model-level faults into ``model.faults`` when the model keeps such a dict."""
    target = getattr(model, "faults", None)
    if isinstance(target, dict):
        target.update({key: faults[key] for key in MODEL_FAULTS})
