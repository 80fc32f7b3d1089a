# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a script on the PC authenticates its call to the gateway's own REST API (the registration read and write).

A call made with ``-UseDefaultCredentials`` inside a remote logon has credentials to give only where the logon holds
them: CredSSP and Kerberos with delegation over WinRM or PSRP (ansible.windows ``doc_fragments/web_request.py``;
Ansible's Windows Remote Management guide, "Credential delegation"), and an ssh logon made with a password (Win32-
OpenSSH; a key logon has none). Whether a loopback NTLM call from a logon without credentials still authenticates
is UNCONFIRMED, so for every other logon the collection sends the connection's own user name and password to the PC
(on stdin, never on the command line) for that call alone, or says which setting gives the logon credentials.
Desktop-mode gateways take their client certificate instead (``_gateway_adapters``).
"""

from __future__ import annotations

import dataclasses

from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean

from ._gateway_adapters import describe_port_source
from ._validate import InputError

DOCTOR_HINT = ("run wac.fleet.gateway_doctor (playbook wac.fleet.doctor) on it: it names the facts of the collection "
               "that this gateway contradicts")

REST_CREDENTIALS_CHOICES = ("auto", "session", "connection")
REST_CREDENTIALS_OPTION = {"type": "str", "default": "auto", "choices": list(REST_CREDENTIALS_CHOICES)}


@dataclasses.dataclass(frozen=True)
class Logon:
    """What the host's connection tells about the logon a script runs in."""

    plugin: str  # winrm, psrp, ssh, ...
    auth: str
    delegates: bool
    user: str | None
    password: str | None = dataclasses.field(default=None, repr=False)

    def describe(self) -> str:
        return f"{self.plugin} with {self.auth}" + (" (delegated credentials)" if self.delegates else "")


def _option(connection, name: str):
    try:
        return connection.get_option(name)
    except (KeyError, AnsibleError):
        return None


def _truthy(value) -> bool:
    try:
        return boolean(value, strict=False)
    except TypeError:
        return False


def logon_of(connection, task_vars: dict) -> Logon:
    """The logon of the host's connection, from its options (and the winrm extra ansible_winrm_kerberos_delegation)."""
    plugin = str(getattr(connection, "transport", "") or "").rsplit(".", 1)[-1]
    user = _option(connection, "remote_user")
    if plugin == "winrm":
        transports = _option(connection, "transport") or []
        auth = str(transports[0]).lower() if transports and transports[0] else ""
        if not auth:  # what the winrm plugin picks: Kerberos for a UPN, else Basic
            auth = "kerberos" if user and "@" in user else "basic"
        auth = {"plaintext": "basic", "ssl": "basic"}.get(auth, auth)
        delegates = auth == "credssp" or (
            auth == "kerberos" and _truthy(task_vars.get("ansible_winrm_kerberos_delegation", False)))
        return Logon(plugin, auth, delegates, user, _option(connection, "remote_password"))
    if plugin == "psrp":
        auth = str(_option(connection, "auth") or "negotiate").lower()
        delegates = auth == "credssp" or (
            auth in ("negotiate", "kerberos") and _truthy(_option(connection, "negotiate_delegate")))
        return Logon(plugin, auth, delegates, user, _option(connection, "remote_password"))
    if plugin == "ssh":
        password = _option(connection, "password")
        key = _option(connection, "private_key_file")
        delegates = bool(password) and not key  # UNCONFIRMED: a Win32-OpenSSH password logon has credentials
        return Logon(plugin, "password" if password and not key else "key", delegates, user, password)
    return Logon(plugin or "unknown", "unknown", False, user, _option(connection, "remote_password"))


def rest_credentials(mode: str, logon: Logon) -> dict | None:
    """The user name and password the PC uses for its REST call, or None for the logon's default credentials."""
    if mode == "session":
        return None
    if mode == "connection":
        if not logon.password or not logon.user:
            raise InputError(f"rest_credentials is connection, but this {logon.plugin} connection has no user name and "
                             "password (ansible_user, ansible_password) to send to the PC")
        return {"username": logon.user, "password": logon.password}
    if logon.delegates or not logon.password or not logon.user:
        return None
    return {"username": logon.user, "password": logon.password}


def refusal_hint(logon: Logon, explicit: bool) -> str:
    """What to change when the gateway refused the local call's authentication (HTTP 401)."""
    if explicit:
        return (f"the gateway refused the user name and password of the connection ({logon.user}); check that this "
                "account may sign in to Windows Admin Center on the PC")
    return (f"this logon ({logon.describe()}) has no credentials the PC can use again for a call to the gateway on "
            "localhost; give it some: CredSSP (ansible_winrm_transport=credssp or ansible_psrp_auth=credssp), Kerberos "
            "delegation (ansible_winrm_kerberos_delegation=true or ansible_psrp_negotiate_delegate=true), an ssh "
            "password logon, or set rest_credentials: connection to send ansible_user and ansible_password for "
            "that call")


def _proxy_hint(facts: dict) -> str:
    """Why a gateway behind a proxy may not reach Azure: credentials in a form the collection cannot read back."""
    proxy = facts.get("proxy") or {}
    if not proxy.get("credentials_set") or proxy.get("credentials_form") == "plaintext":
        return f" (through its proxy {proxy['address']})" if proxy.get("address") else ""
    fact = "v2.proxy_credentials_form" if facts.get("generation") == "modern" else "v1.proxy_credentials_form"
    form = proxy.get("credentials_form")
    found = f"found: {form}" if form else "kept as they were found (update_password: on_create)"
    return (f"; its proxy credentials may be in a form other than the 'plaintext:' form Set-WACProxy writes (fact "
            f"{fact}; {found}), which the gateway cannot use: write them again (update_password: always; the gateway "
            f"role's gateway_proxy_update_password) or set them on the gateway, then {DOCTOR_HINT}")


def explain(answer: dict | None, facts: dict, logon: Logon | None, explicit: bool) -> str:
    """Why a call to the gateway's REST API failed, and what to do, from its answer ({status, error})."""
    answer = answer or {}
    status = answer.get("status")
    detail = answer.get("error") or f"HTTP {status}"
    if status is None:
        source = describe_port_source(facts.get("port_source"))
        return (f"could not reach the gateway on localhost:{facts.get('port')}"
                f"{f' ({source})' if source else ''}: {detail}; is the gateway running? If it is, "
                f"{DOCTOR_HINT}")
    if facts.get("rest_auth") == "client_certificate" and status in (401, 403):
        return (f"the desktop-mode gateway refused the call (HTTP {status}): it takes only its client certificate "
                "('CN=Windows Admin Center Client', named by the registry value ClientCertificateThumbprint) from the "
                "signed-in user's certificate store; connect as that user (fact v1.rest_auth_desktop)")
    if status == 401 and facts.get("login_mode") == "FormLogin":
        return ("the gateway refused Windows authentication (HTTP 401): its login mode "
                "(WindowsAdminCenter.System.TokenAuthenticationMode) is FormLogin; set it to WindowsAuthentication "
                "(Set-WACLoginMode -Mode WindowsAuthentication) to register it with this collection "
                "(facts v2.login_mode_windows_auth, v2.login_mode_form_refuses_windows_auth)")
    if status == 401 and logon is not None:
        return f"HTTP 401: {refusal_hint(logon, explicit)} (fact rest.default_credentials)"
    if status == 502:
        return f"{detail}: the gateway could not reach Azure{_proxy_hint(facts)}"
    if status == 404:
        return f"{detail} (fact {'v2.rest_root' if facts.get('rest_root') == '/api/aad' else 'v1.rest_root'}); " \
               f"{DOCTOR_HINT}"
    return detail
