# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The gateway proxy: options, their checks, what to write, and the write (wac.fleet.gateway_proxy, gateway_ready).

Every decision is made here on the controller from the gateway's facts; the PC only writes what it is told (and
compares a password, which cannot be read back).
"""

from __future__ import annotations

from ._errors import WacFleetError
from ._gateway_adapters import MODERN, adapter_for
from ._gateway_scripts import run_script
from ._gateway_validate import InputError, check_bypass_list, check_positive, check_proxy_address

# The defaults are the gateway role's too (roles/gateway/meta/argument_specs.yml; a unit test keeps them equal):
# local addresses bypass the proxy (v2's internal services need it), and a stored password is kept, since a form
# WAC rewrote cannot be compared.
PROXY_OPTIONS = {
    "address": {"type": "str"},
    "bypass_on_local": {"type": "bool", "default": True},
    "bypass_list": {"type": "list", "elements": "str", "default": []},
    "username": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "update_password": {"type": "str", "default": "on_create", "choices": ["always", "on_create"]},
}


class ProxyError(WacFleetError):
    """The proxy cannot be set as asked (such as credentials for a new user without a password)."""


def check_proxy_options(args: dict, names: dict | None = None) -> dict:
    """Checks beyond the argument spec, naming the options (``names`` renames them, for the gateway role's
    variables); ``state`` is present, absent or unmanaged. Raises one InputError listing every problem."""
    problems = proxy_problems(args, names)
    if problems:
        raise InputError("; ".join(problems))
    return args


def proxy_problems(args: dict, names: dict | None = None) -> list[str]:
    """Every problem of the proxy options, each naming its option; normalises address and bypass_list in place."""
    def name(option: str) -> str:
        return (names or {}).get(option, option)

    problems = []
    if args["password"] is not None and not args["username"]:
        problems.append(f"{name('password')} was given without {name('username')}: proxy credentials need both")
    if args["state"] == "present":
        for option, check in (("address", check_proxy_address), ("bypass_list", check_bypass_list)):
            try:
                args[option] = check(args[option], name(option))
            except InputError as exc:
                problems.append(str(exc))
    if args["username"] is not None and (not args["username"] or any(c.isspace() for c in args["username"])):
        problems.append(f"{name('username')} must be a non-empty name without white space, got {args['username']!r}")
    return problems


# The gateway role's variables for the options of wac.fleet.gateway_ready (its task in roles/gateway/tasks/main.yml).
ROLE_VARIABLES = {"state": "gateway_proxy_state", "address": "gateway_proxy_address",
                  "bypass_on_local": "gateway_proxy_bypass_on_local", "bypass_list": "gateway_proxy_bypass_list",
                  "username": "gateway_proxy_username", "password": "gateway_proxy_password",
                  "update_password": "gateway_proxy_update_password", "timeout": "gateway_restart_timeout",
                  "delay": "gateway_restart_delay"}


def role_problems(settings: dict) -> list[str]:
    """What wac.fleet.gateway_ready would refuse in the gateway role's variables, named as the role names them:
    the same checks, run once for the fleet before any gateway is touched."""
    problems = []
    if settings.get("gateway_proxy_state", "unmanaged") != "unmanaged":
        proxy = {option: settings.get(variable) for option, variable in ROLE_VARIABLES.items()}
        for option in ("address", "username", "password"):  # the role's "" is the option left out
            proxy[option] = proxy[option] or None
        problems += proxy_problems(proxy, ROLE_VARIABLES)
    for option in ("timeout", "delay"):
        try:
            check_positive(settings.get(ROLE_VARIABLES[option]), ROLE_VARIABLES[option])
        except InputError as exc:
            problems.append(str(exc))
    return problems


def _settings(proxy: dict | None):
    if not proxy:
        return None
    return (proxy["address"], bool(proxy["bypass_on_local"]), sorted(proxy["bypass_list"]))


def plan_proxy(args: dict, current: dict | None, generation: str | None = None):
    """None when nothing differs, else (how to write, the proxy after the write). ``generation`` (of the facts)
    refuses credentials where their stored form is unknown (classic: ``protectedData2``)."""
    write = {"credentials": None, "keep_credentials": False, "only_if_password_differs": False}
    if args["state"] == "absent":
        return (write, None) if current else None
    username, password = args["username"], args["password"]
    if username is not None and generation and not adapter_for(generation).writes_proxy_credentials:
        raise ProxyError(
            "username: this classic (v1) gateway keeps proxy credentials in protectedData2, in a form Microsoft does "
            "not document, so wac.fleet does not write them; set the credentials once in the gateway's Settings > "
            "Proxy page and leave username and password unset here (wac.fleet then keeps them), or use a proxy "
            "that needs none")
    after = {"address": args["address"], "bypass_on_local": args["bypass_on_local"],
             "bypass_list": args["bypass_list"], "credentials_set": username is not None,
             "username": username, "credentials_form": "plaintext" if username is not None else None}
    kept = {"credentials_set": bool(current and current.get("credentials_set")),
            "username": (current or {}).get("username"), "credentials_form": (current or {}).get("credentials_form")}
    settings_differ = _settings(current) != _settings(after)
    has_credentials = bool(current and current.get("credentials_set"))
    if generation and not adapter_for(generation).writes_proxy_credentials:
        # v1: credentials are not the collection's to manage; whatever the settings page stored is kept
        after.update(kept)
        return ({**write, "keep_credentials": True}, after) if settings_differ else None
    if username is None:
        return (write, after) if settings_differ or has_credentials else None
    # A user name that cannot be read back (WAC may rewrite the plaintext form: UNCONFIRMED) counts as the same
    # user, so that on_create keeps what is there instead of rewriting it on every run.
    same_user = has_credentials and current.get("username") in (username, None)
    if not same_user:
        if password is None:
            raise ProxyError(
                f"password is required to set proxy credentials for {username!r}: the gateway has "
                + ("credentials for another user" if has_credentials else "no proxy credentials"))
        write["credentials"] = {"username": username, "password": password}
        return write, after
    rewrite_password = password is not None and args["update_password"] == "always"  # noqa: S105
    if rewrite_password:
        write["credentials"] = {"username": username, "password": password}
        if not settings_differ:
            write["only_if_password_differs"] = True
        return write, after
    if settings_differ:
        write["keep_credentials"] = True
        after.update(kept)  # the credentials stay as they were found, in their form
        return write, after
    return None


def apply_proxy(connection, facts: dict, args: dict, *, check_mode: bool, diff: bool) -> dict:
    """Write the proxy where it differs from ``facts``; {changed, proxy, diff?} (never a password)."""
    current = facts.get("proxy")
    plan = plan_proxy(args, current, facts["generation"])
    warnings = []
    if facts["generation"] == MODERN and args["state"] == "present" and not args["bypass_on_local"]:
        # CFG's Set-WACEndpointFqdn bypasses the internal services by their ServiceFqdn; without one (or with
        # localhost) they are reached on localhost:6601-6610, which then goes through the proxy.
        warnings.append("bypass_on_local is false on a v2 gateway: its internal services (ports 6601-6610) are "
                        "reached through the proxy unless their ServiceFqdn is in the bypass list")
    if plan is None:
        return {"changed": False, "proxy": current, **({"warnings": warnings} if warnings else {})}
    write, after = plan
    adapter = adapter_for(facts["generation"])
    data = {
        "target": adapter.proxy_write_target(), "state": args["state"],
        "document": adapter.proxy_document(after, facts.get("service_fqdn")) if after else None,
        "credentials": write["credentials"], "keep_credentials": write["keep_credentials"],
        "only_if_password_differs": write["only_if_password_differs"], "dry_run": check_mode,
        "restart_marker": adapter.restart_marker,  # set on the PC with the write: a restart is now due
    }
    if write["only_if_password_differs"]:
        # Only the password may differ: the PC compares it (it cannot be read back) and writes if needed.
        if run_script(connection, "gateway_proxy_write", data).get("password_matches"):
            return {"changed": False, "proxy": current}
    elif not check_mode:
        run_script(connection, "gateway_proxy_write", data)
    result = {"changed": True, "proxy": after, **({"warnings": warnings} if warnings else {})}
    if after and write["credentials"] and adapter.writes_proxy_credentials:
        result["credentials_written"] = True
    if diff:
        result["diff"] = {"before": diff_view(current), "after": diff_view(after),
                          "before_header": "gateway proxy", "after_header": "gateway proxy"}
    return result


def diff_view(proxy: dict | None) -> dict:
    """What the diff shows: never a password, only whether credentials are set and for whom."""
    if not proxy:
        return {}
    return {key: proxy.get(key) for key in ("address", "bypass_on_local", "bypass_list", "username",
                                            "credentials_set")}
