# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start, stop or restart a gateway's services and wait until it answers HTTPS again.

Used by wac.fleet.gateway_service and by wac.fleet.gateway_proxy (``restart: true``). One script changes the
services (gateway_service_control); one small script (gateway_health) is polled every ``delay`` seconds until
every service is Running and the gateway answers HTTPS on its port, or ``timeout`` seconds have passed.
"""

from __future__ import annotations

import time

from ._errors import WacFleetError
from ._gateway_adapters import CLASSIC_DESKTOP, adapter_for, describe_port_source
from ._gateway_scripts import run_script

RUNNING = "Running"
STOPPED = "Stopped"


class GatewayServiceError(WacFleetError):
    """The gateway cannot be driven as asked, or did not come back in time; the result's ``last_state`` says what
    was seen."""


def check_restartable(facts: dict, what: str = "restart") -> None:
    adapter = adapter_for(facts["generation"])
    if adapter.restart_supported:
        return
    if facts["generation"] == CLASSIC_DESKTOP:
        raise GatewayServiceError(
            f"cannot {what} this gateway: it runs in desktop mode (SmeDesktop.exe in the signed-in user's session), "
            "which has no Windows service to control; ask the user to close and reopen Windows Admin Center"
        )
    raise GatewayServiceError(f"cannot {what} a {facts['generation']} gateway: it has no service")


def describe_state(state: dict | None) -> str:
    if not state:
        return "nothing read"
    services = ", ".join(f"{name}={status or 'missing'}" for name, status in state.get("services", {}).items())
    https = state.get("https") or {}
    if https.get("ok"):
        answer = f"answers HTTPS (HTTP {https.get('status')})"
    else:
        answer = f"does not answer HTTPS ({https.get('error') or 'HTTP ' + str(https.get('status'))})"
    return f"services {services}; gateway {answer}"


def _health(connection, adapter, port: int) -> dict:
    return run_script(connection, "gateway_health", {
        "services": list(adapter.services), "url": adapter.local_base_url(port) + "/",
    })


def _healthy(state: dict) -> bool:
    services = state.get("services") or {}
    answers = bool((state.get("https") or {}).get("ok"))
    return bool(services) and all(s == RUNNING for s in services.values()) and answers


def _stopped(state: dict) -> bool:
    services = state.get("services") or {}
    return bool(services) and all(s == STOPPED for s in services.values())


def wait_healthy(connection, facts: dict, timeout: float, delay: float, *, clock=time.monotonic,
                 sleep=time.sleep) -> dict:
    """Poll gateway_health until healthy; raise GatewayServiceError with the last state after ``timeout``."""
    adapter = adapter_for(facts["generation"])
    deadline = clock() + timeout
    polls = 0
    while True:
        state = _health(connection, adapter, facts["port"])
        polls += 1
        if _healthy(state):
            state["polls"] = polls
            return state
        if clock() + delay > deadline:
            source = describe_port_source(facts.get("port_source"))
            raise GatewayServiceError(
                f"the gateway did not come back within {timeout:g} seconds ({polls} checks); last state seen: "
                f"{describe_state(state)} on port {facts['port']}{f' ({source})' if source else ''}",
                last_state=state)
        sleep(delay)


def ensure_service(connection, facts: dict, state: str, *, timeout: float, delay: float, check_mode: bool,
                   clock=time.monotonic, sleep=time.sleep) -> dict:
    """Bring the gateway's services to ``state`` (started, stopped, restarted); return a result dict."""
    check_restartable(facts, {"started": "start", "stopped": "stop", "restarted": "restart"}[state])
    adapter = adapter_for(facts["generation"])
    result = {"changed": False, "services": list(adapter.services)}
    if state == "restarted":
        before = None
    else:
        before = _health(connection, adapter, facts["port"])
        result["before"] = before
        if (state == "started" and _healthy(before)) or (state == "stopped" and _stopped(before)):
            result["state"] = before
            return result
    result["changed"] = True
    if check_mode:
        return result
    action = {"started": "start", "stopped": "stop", "restarted": "restart"}[state]
    starting_up = state == "started" and all(s in (RUNNING, "StartPending") for s in before["services"].values())
    if not starting_up:
        run_script(connection, "gateway_service_control", {
            "services": list(adapter.services), "action": action, "stop_timeout": timeout,
            "restart_marker": adapter.restart_marker,  # cleared on the PC once every service was started
        })
    if state == "stopped":
        result["state"] = _health(connection, adapter, facts["port"])
        if not _stopped(result["state"]):
            raise GatewayServiceError(f"the gateway did not stop: {describe_state(result['state'])}",
                                      last_state=result["state"])
        return result
    result["state"] = wait_healthy(connection, facts, timeout, delay, clock=clock, sleep=sleep)
    return result
