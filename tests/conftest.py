"""Shared pytest configuration.

The checkout is the collection wac.fleet through .build/collections (made by scripts/bootstrap.sh), so tests
import it as `ansible_collections.wac.fleet...` and ansible-playbook finds it through ANSIBLE_COLLECTIONS_PATH.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLLECTIONS = ROOT / ".build" / "collections"
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", str(COLLECTIONS))

# No test may reach a real Kerberos realm: Debian's krb5-config writes an /etc/krb5.conf whose default realm is MIT's
# public one, which a Negotiate client would try. Until the test realm (tests/emulators/kdc.py) is up, Kerberos
# clients read an empty configuration and fail at once.
if "KRB5_CONFIG" not in os.environ:
    _empty = tempfile.mkdtemp(prefix="wac-krb5-none-")
    atexit.register(shutil.rmtree, _empty, True)
    Path(_empty, "krb5.conf").write_text("[libdefaults]\n dns_lookup_kdc = false\n dns_lookup_realm = false\n")
    os.environ["KRB5_CONFIG"] = str(Path(_empty, "krb5.conf"))

pytest_plugins = [
    "tests.emulators.kdc",
    "tests.emulators.tenant.fixture",
    "tests.emulators.fleet.fixture",
    "tests.integration.fleet_world",
]
