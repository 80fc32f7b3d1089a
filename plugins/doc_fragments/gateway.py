# Copyright: contributors to wac.fleet
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and notes shared by the gateway_* plugins."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
notes:
  - This is an action plugin. It runs on the controller and sends small PowerShell scripts over the host's own
    connection (C(ansible_connection=winrm), C(psrp) or C(ssh) with PowerShell); each script reads its input as
    JSON on standard input (the read of the gateway, whose input is a constant of the collection, carries it in the
    script) and writes one JSON object back. No module is copied to the host.
  - "Three gateway generations are told apart: classic server mode (service C(ServerManagementGateway),
    settings under C(HKLM:\\SOFTWARE\\Microsoft\\ServerManagementGateway)), classic desktop mode (C(SmeDesktop.exe)
    in the user's session, no service, same registry key) and the modernized gateway (v2, services
    C(WindowsAdminCenter) and C(WindowsAdminCenterAccountManagement), settings in
    C(%ProgramFiles%\\WindowsAdminCenter\\Service\\appsettings.json))."
  - Every fact about Windows Admin Center the plugins rely on (registry values, C(appsettings.json) paths, services,
    REST paths, forms) is one row of the table in C(plugins/plugin_utils/_gateway_facts.py) with its source
    (Microsoft's configuration and migration modules, C(New-AadApp.ps1), the WAC SDK, the docs) and its status; the
    rows marked UNCONFIRMED are listed in the collection's C(docs/gateway.md).
options:
  rest_credentials:
    description:
      - How the script on the PC authenticates its call to the gateway's own REST API on C(localhost) (the
        registration read and write). A desktop-mode gateway takes its client certificate
        (C(CN=Windows Admin Center Client)) instead, whatever this says.
      - C(session) uses the default credentials of the remote logon, which it has only with CredSSP, Kerberos with
        delegation (C(ansible_winrm_kerberos_delegation=true), C(ansible_psrp_negotiate_delegate=true)) or an ssh
        logon made with a password; other logons have no credentials to give (the double hop), and the gateway
        answers 401.
      - C(connection) sends the connection's own user name and password (C(ansible_user), C(ansible_password)) to
        the PC on standard input, never on its command line, for that call alone.
      - C(auto) uses C(session) where the connection delegates credentials, else C(connection) when the connection
        has a password, else C(session).
    type: str
    choices: [auto, session, connection]
    default: auto
attributes:
  check_mode:
    description: Can run in check mode and return the changed status it would have, without changing the gateway.
    support: full
  diff_mode:
    description: Returns what changed (or would change) in diff mode; never a password.
    support: full
  platform:
    description: Target operating system.
    support: full
    platforms: windows
"""

    FACTS = r"""
options:
  gateway_facts:
    description:
      - The C(wac_gateway) facts that M(wac.fleet.gateway_info) returned for this host earlier in the play.
      - When given, the task does not read the gateway again, so a re-run of a whole role costs one WinRM
        command per gateway when nothing differs.
      - When omitted, the task reads the gateway first (one more WinRM command).
    type: dict
"""

    WAIT = r"""
options:
  timeout:
    description:
      - Seconds to wait for the gateway to run again and answer HTTPS on its port. A positive number.
    type: float
    default: 300
  delay:
    description:
      - Seconds between two health checks while waiting. A positive number.
    type: float
    default: 2
"""
